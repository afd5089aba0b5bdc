"""The visible tests: the worked examples, run in the student's kernel, with hints.

A wrong gradient of a gate or layer is also compared with the centered numerical gradient
of the student's *own* forward pass, which tells a wrong backward from a wrong forward.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..i18n.messages import tr
from ..mistakes import as_array, close
from .registry import get_task, student_code
from .running import judge_case, report, run_case
from .task import GradingError, Task, copy_inputs

__all__ = ["check", "consistency_notes"]


def consistency_notes(task: Task, student: dict, inputs: dict, outputs: dict) -> list[str]:
    """For each wrong gradient: does it at least match the numerical gradient of the
    student's own forward?  That tells a wrong backward from a wrong forward."""
    failing = task.failures(inputs, outputs)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            numeric = task.numerical(student, copy_inputs(inputs))
    except Exception:             # the student's forward fails: the messages say so already
        return []
    notes = []
    for label, value in numeric.items():
        got = as_array(outputs.get(label))
        if label not in failing or got is None or got.shape != np.shape(value):
            continue
        if np.all(close(got, np.asarray(value), 1e-5)):
            notes.append(tr("{label} does match the numerical gradient of *your* forward pass, "
                            "so backward is consistent with it: look for the mistake in forward.",
                            label=label))
        else:
            notes.append(tr("{label} does not match the numerical gradient of your own forward "
                            "pass either: the mistake is in backward.", label=label))
    return notes


def check(task_id: str, **student) -> None:
    """Visible test: the worked examples, in this kernel, with hints.  Raises GradingError."""
    task = get_task(task_id)
    student = student_code(task, student)
    messages = []
    for description, inputs in task.cases(hidden=False):
        outputs, error = run_case(task, student, inputs)
        found = judge_case(task, description, inputs, outputs, error)
        if found and error is None:
            found += [f"[{description}] {note}"
                      for note in consistency_notes(task, student, inputs, outputs)]
        messages += found
    if messages:
        raise GradingError(report(tr("{task}: not yet right.", task=task_id), messages))
    print(tr("{task}: the worked examples pass.", task=task_id))
