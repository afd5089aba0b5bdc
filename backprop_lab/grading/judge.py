"""The judge of the hidden tests: a separate process the student's kernel cannot reach.

    python -E -P -m backprop_lab.grading  < request.json  > verdict.json

It reads the student's results (:mod:`.protocol`), regenerates the hidden cases from the
grader's own seeds, computes the references with the engine and answers
``{"passed": bool, "messages": [...]}`` on its last line of output.  :func:`judge` is the same
as a function, for a trusted caller that runs it elsewhere.
"""
from __future__ import annotations

import json
import sys

from ..i18n.messages import LANGUAGES, tr, use
from .protocol import decode
from .registry import get_task
from .running import judge_case

__all__ = ["judge", "main"]


def judge(request: dict) -> dict:
    """The verdict on a request made by :func:`.hidden.collect_results`."""
    try:
        task = get_task(request.get("task") if isinstance(request, dict) else None)
    except ValueError as error:
        return {"passed": False, "messages": [str(error)]}
    cases = task.cases(hidden=True)
    results = request.get("results")
    if not isinstance(results, list):
        results = []
    messages = []
    if len(results) != len(cases):
        messages.append(tr("expected results for {cases} cases, got {results}.",
                           cases=len(cases), results=len(results)))
    else:
        for (description, inputs), result in zip(cases, results):
            result = result if isinstance(result, dict) else {}
            outputs = result.get("outputs")
            decoded = ({str(k): decode(v) for k, v in outputs.items()}
                       if isinstance(outputs, dict) else None)
            error = None if decoded is not None else str(result.get("error"))
            messages += judge_case(task, description, inputs, decoded, error)
    return {"passed": not messages, "messages": messages}


def main() -> None:
    """JSON request on stdin, the verdict as one JSON line on stdout (its messages in the
    request's ``language``, the student's notebook's, when it names one)."""
    request = json.loads(sys.stdin.read())
    if isinstance(request, dict) and request.get("language") in LANGUAGES:
        use(request["language"])
    print(json.dumps(judge(request)))
