"""The kernel side of a sandboxed hidden check: publish the results, judge nothing.

Inside a grading sandbox (:mod:`backprop_lab.sandbox`) the hidden section of a test cell
runs the student's code on the hidden cases and publishes the results as one output of
MIME type :data:`RECORD_MIME`; the grader judges them outside the sandbox
(:mod:`backprop_lab.sandbox.verdicts`).  This module sits low in the grading package so
that :mod:`.hidden` needs nothing from the sandbox.
"""
from __future__ import annotations

import os

#: MIME type of the results a hidden check publishes (never shown to anyone)
RECORD_MIME = "application/vnd.backprop-lab.hidden-results+json"
#: environment variables the sandbox's kernel gets from the grader
ENV_MODE, ENV_RUN = "BACKPROP_LAB_HIDDEN_RESULTS", "BACKPROP_LAB_RUN"


# ------------------------------------------------------------------ kernel side
def publishing() -> bool:
    """True inside a grading sandbox: hidden checks publish results instead of judging."""
    return os.environ.get(ENV_MODE) == "record"


def publish(request: dict) -> None:
    """Publish a hidden check's results (``{"task", "results"}``, see
    :func:`backprop_lab.grading.hidden.collect_results`) as one output of the current cell."""
    from IPython.display import publish_display_data
    record = {"version": 1, "task": request.get("task"), "run": os.environ.get(ENV_RUN, ""),
              "results": request.get("results")}
    publish_display_data({RECORD_MIME: record,
                          "text/plain": f"{record['task']}: hidden results for the grader."})
