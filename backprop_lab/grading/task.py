"""What one graded exercise is: its cases, how the student's code is run, the reference.

Every problem-set module (``ps1_gates``, ``ps3_layers`` ...) defines one :class:`Task` per
test cell; :mod:`.registry` collects them.  A task never decides a grade by itself: the
visible check (:mod:`.visible`) and the separate judge process (:mod:`.judge`) call its
``failures`` on the student's results.
"""
from __future__ import annotations

import os

import numpy as np

from ..gradcheck import numerical_gradient
from ..graph import var
from ..i18n.messages import tr
from ..mistakes import RTOL, compare

__all__ = ["GradingError", "Task", "engine_gradients", "numerical_wrt", "rng_cases", "results_of",
           "copy_inputs", "LIBRARY_METHODS"]

# the methods of a class handed in that must be the student's own (not inherited from
# backprop_lab's reference code, see .library)
LIBRARY_METHODS = ("__init__", "__call__", "forward", "backward", "local_gradients", "predict")


class GradingError(AssertionError):
    """A test did not pass; the message is written for the student."""


class Task:
    """One graded exercise (one test cell).

    ``id``: ``"ps1.multiply_gate"``; ``student``: the names the test cell passes in.
    ``cases(hidden)`` returns ``[(description, inputs)]``: the tutorials' worked examples
    (visible) and, for the hidden check, also cases drawn from fixed seeds that only the
    grader knows.  ``run(student, inputs)`` calls the student's code and returns
    ``{label: value}``; ``expected(inputs)`` the engine's ``{label: value}``;
    ``mistakes(inputs)`` ``{label: [(hint, wrong value)]}`` (see :mod:`backprop_lab.mistakes`).
    """

    id = ""
    student: tuple = ()
    rtol = RTOL
    graded_methods = LIBRARY_METHODS

    def cases(self, hidden: bool) -> list:
        raise NotImplementedError

    def run(self, student: dict, inputs: dict) -> dict:
        raise NotImplementedError

    def expected(self, inputs: dict) -> dict:
        raise NotImplementedError

    def mistakes(self, inputs: dict) -> dict:
        return {}

    def failures(self, inputs: dict, outputs: dict) -> dict:
        """``{label: message}`` for every wrong result (empty when all are right)."""
        expected = self.expected(inputs)
        mistakes = self.mistakes(inputs)
        batch = self.batch(inputs)
        failures = {}
        for label, value in expected.items():
            if label not in outputs:
                failures[label] = tr("{label}: missing from your results.", label=label)
                continue
            rtol = self.rtol if not isinstance(self.rtol, dict) else self.rtol.get(label, RTOL)
            msg = compare(label, outputs[label], value, mistakes=mistakes.get(label, ()),
                          batch=batch, rtol=rtol)
            if msg:
                failures[label] = msg
        return failures

    def judge(self, inputs: dict, outputs: dict) -> list[str]:
        """Messages for every wrong result (empty when all are right)."""
        return list(self.failures(inputs, outputs).values())

    def batch(self, inputs: dict) -> int | None:
        """The batch size *of a mean loss* (its 1/N is what the batch hints explain); only
        tasks whose result is such a loss (softmax cross-entropy) define it."""
        return None

    def numerical(self, student: dict, inputs: dict) -> dict:
        """``{gradient label: centered differences of the student's own forward}`` where
        that is well defined (smooth gates and layers); empty otherwise."""
        return {}


# ---------------------------------------------------------------- helpers of the tasks
def engine_gradients(build, values: dict, seed=None):
    """Forward ``build(**leaves)`` with the engine and backpropagate from ``seed`` (the
    upstream gradient of the output; 1 when None).

    Returns ``(output value, {name: gradient})``; a leaf the output does not use gets zeros.
    """
    leaves = {name: var(value, name=name) for name, value in values.items()}
    out = build(**leaves)
    out.backward(seed)
    grads = {name: (leaf.grad if leaf.grad is not None else np.zeros_like(np.asarray(leaf.value)))
             for name, leaf in leaves.items()}
    return out.value, grads


def numerical_wrt(loss_of_args, args: dict) -> dict:
    """``{"d<name>": numerical gradient}`` of ``loss_of_args(**args)`` for every argument."""
    grads = {}
    for name, value in args.items():
        def loss(v, name=name):
            return loss_of_args(**{**args, name: v})
        start = value.copy() if isinstance(value, np.ndarray) else float(value)
        grads[f"d{name}"] = numerical_gradient(loss, start)
    return grads


# The hidden cases are drawn afresh at every grading run: the grader picks a salt per
# notebook (the sandbox's kernel reads it from BACKPROP_LAB_HIDDEN_SALT, the grader's own
# judge sets it with hidden_salt()), so answers computed at home for the package's seeds, or
# results recorded in another run, do not match.  Without a salt (nbgrader validate, a
# student's own run) the cases are the fixed ones.
_SALT: list = [None]
SALT_VARIABLE = "BACKPROP_LAB_HIDDEN_SALT"


class hidden_salt:
    """``with hidden_salt(salt):`` -- the hidden cases drawn inside use that salt."""

    def __init__(self, salt: int | None):
        self.salt = salt

    def __enter__(self):
        self._saved, _SALT[0] = _SALT[0], self.salt
        return self

    def __exit__(self, *exc):
        _SALT[0] = self._saved


def salted(seed: int) -> int:
    """The seed of a hidden case in this run: ``seed`` itself without a salt."""
    salt = _SALT[0]
    if salt is None:
        value = os.environ.get(SALT_VARIABLE, "")
        salt = int(value) if value.isdigit() else None
    if salt is None:
        return seed
    return int(np.random.SeedSequence([salt, seed]).generate_state(2, np.uint32).view(np.uint64)[0]
               >> 1)


def rng_cases(seed: int, make) -> list:
    """``make(rng)`` with a generator of the given seed (salted, see :func:`salted`): the
    hidden cases, the same in the student's kernel and in the judge."""
    return make(np.random.default_rng(salted(seed)))


def copy_inputs(inputs: dict) -> dict:
    """A copy the student's code may modify without changing the case."""
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}


def results_of(result, what: str, n: int) -> tuple:
    """``result`` as a tuple of ``n`` values, or a GradingError naming ``what`` returned."""
    if not isinstance(result, (tuple, list)) or len(result) != n:
        if isinstance(result, (tuple, list)):
            raise GradingError(tr("{what} must return a tuple of {n} values; got {kind} of "
                                  "length {length}.", what=what, n=n, kind=type(result).__name__,
                                  length=len(result)))
        raise GradingError(tr("{what} must return a tuple of {n} values; got {kind}.", what=what,
                              n=n, kind=type(result).__name__))
    return tuple(result)
