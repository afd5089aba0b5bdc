"""What the autograded test cells of the course call: checks with feedback that teaches.

Every test cell of ``assignments/`` has two halves:

``check(task_id, **student_code)``  (visible tests, :mod:`.visible`)
    Runs the student's functions/classes on the worked examples of the tutorials, in the
    notebook's own kernel, and compares every result with the engine's reference.  On a
    mismatch it raises :class:`GradingError` saying *which* result, *which index*, expected
    vs got, and a hint recognised from the value (:mod:`backprop_lab.mistakes`).

``verify_isolated(task_id, **student_code)``  (hidden tests, :mod:`.hidden`)
    Runs the student's code on more cases in the kernel and sends *only the results* (JSON)
    to a separate ``python -E -P -m backprop_lab.grading`` process (:mod:`.judge`), which
    regenerates the cases, computes the references with the engine and returns the verdict.
    The hidden cells first load this whole subpackage privately (:mod:`.loader`), so
    reassigning anything in it, or in ``sys.modules``, changes nothing.

The package by job:

==================  ==========================================================================
``task``            :class:`Task` (one per test cell), :class:`GradingError`, helpers of tasks
``ps1_gates`` ...   the tasks of each problem set (``ps1_gates``, ``ps2_engine``, ``ps3_layers`` ...)
``registry``        ``TASKS`` by id, :func:`task_ids`
``library``         backprop_lab's own reference handed in as an answer scores 0
``running``         runs the student's code on one case, messages
``visible``         :func:`check`
``hidden``          :func:`verify_isolated` (kernel side), ``ISOLATION_FLAGS``
``protocol``        the results as JSON
``judge``           the separate judge process (``__main__``)
``loader``          the private copy the hidden cells use (:func:`fresh` here)
``display``         :func:`show` / :func:`interactive`: no drawing while nbgrader grades
``data``            :func:`spiral_split`, :func:`xor_blobs`, :func:`conv2d_valid`: data the notebooks share
==================  ==========================================================================

Autograding runs every notebook in a sandbox (:mod:`backprop_lab.sandbox`): there the
hidden section publishes its results instead of judging them, and the grader judges them
outside the sandbox, so rewriting the machinery in the kernel gains nothing (see the
"Security model" of ``assignments/README.md``).
"""
from __future__ import annotations

from .data import conv2d_valid, spiral_split, xor_blobs
from .display import interactive, show
from .hidden import ISOLATION_FLAGS, verify_isolated
from .loader import load_private
from .registry import TASKS, task_ids
from .task import GradingError
from .visible import check

__all__ = ["GradingError", "check", "verify_isolated", "fresh", "show", "interactive", "TASKS",
           "task_ids", "spiral_split", "xor_blobs", "conv2d_valid", "ISOLATION_FLAGS"]


def fresh():
    """A new private copy of this subpackage, loaded again from its files: attributes the
    notebook reassigned on ``backprop_lab.grading`` (or its submodules) do not exist in it.
    (The notebooks' hidden cells load the copy inline instead, since a student can replace
    this function itself.)"""
    return load_private()

