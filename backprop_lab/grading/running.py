"""Running the student's code on one case, safely, and turning failures into messages."""
from __future__ import annotations

import warnings

import numpy as np

from ..i18n.messages import tr
from .library import library_reference
from .task import GradingError, Task, copy_inputs

__all__ = ["run_case", "judge_case", "report", "MAX_MESSAGES"]

MAX_MESSAGES = 6


def run_case(task: Task, student: dict, inputs: dict):
    """``(outputs, None)``, or ``(None, message)`` when the student's code raised or is
    backprop_lab's own reference (:mod:`.library`)."""
    for name in task.student:
        problem = library_reference(name, student[name], task.graded_methods)
        if problem:
            return None, problem
    try:
        # a warning printed on stderr would make nbgrader score the test cell 0 even when
        # the results are right: results are judged, not warnings
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return task.run(student, copy_inputs(inputs)), None
    except GradingError as error:
        return None, str(error)
    except Exception as error:                       # the student's code failed: report it
        if isinstance(error, NotImplementedError):
            return None, tr("your code raised NotImplementedError: write your solution where it "
                            "says `# YOUR CODE HERE` and delete the `raise NotImplementedError()`.")
        if isinstance(error, RecursionError):
            return None, tr("your code raised RecursionError: a function calls itself once per "
                            "node, and Python stops at about 1,000 nested calls. Use a loop with "
                            "an explicit stack (a list you push to and pop from) instead.")
        if str(error):
            return None, tr("your code raised {kind}: {error}", kind=type(error).__name__,
                            error=error)
        return None, tr("your code raised {kind}", kind=type(error).__name__)


def judge_case(task: Task, description: str, inputs: dict, outputs, error) -> list[str]:
    """The messages for one case (empty when it passed), each prefixed by the case."""
    if error is not None:
        return [f"[{description}] {error}"]
    with np.errstate(all="ignore"):
        return [f"[{description}] {m}" for m in task.judge(inputs, outputs)]


def report(header: str, messages: list[str]) -> str:
    """``header`` and the first MAX_MESSAGES messages, one per line."""
    shown = messages[:MAX_MESSAGES]
    more = len(messages) - len(shown)
    return (header + "\n  " + "\n  ".join(shown)
            + ("\n  " + tr("... and {more} more.", more=more) if more else ""))
