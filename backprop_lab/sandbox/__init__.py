"""Grading that a deliberate student cannot fake: the trusted side of autograding.

``SandboxedExecute`` (nbgrader's execute step: every kernel in a bubblewrap sandbox,
crash tolerant, hidden results judged outside the sandbox) and ``FlagForReview`` (the
analysis of what students wrote) are configured in ``assignments/nbgrader_config.py``;
``backprop-lab grade`` grades a class in parallel with them.  Imported lazily: a
student's notebook that imports ``backprop_lab`` never loads nbgrader.
"""


def __getattr__(name):
    if name == "SandboxedExecute":
        from .executor import SandboxedExecute
        return SandboxedExecute
    if name == "FlagForReview":
        from .review import FlagForReview
        return FlagForReview
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
