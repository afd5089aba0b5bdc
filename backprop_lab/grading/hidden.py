"""The hidden tests, kernel side: run the student's code, send only the results to the judge.

``verify_isolated(task_id, **student)`` runs the student's code on the hidden cases in the
notebook's kernel, encodes the results as JSON (:mod:`.protocol`) and hands them to a
separate ``python -E -P -m backprop_lab.grading`` process (:mod:`.judge`).  That process
regenerates the cases itself, computes the reference with the engine and answers with a
verdict, so whatever the student patched in the kernel does not exist there, and the test
inputs cannot be swapped for easier ones (the judge never receives them).

The notebooks' hidden cells do not look this module up by name: they load the whole
``grading`` subpackage privately first (:mod:`.loader`).
"""
from __future__ import annotations

import json
import subprocess
import sys

from ..i18n.messages import get_language, tr
from .protocol import encode
from .record import publish, publishing
from .registry import get_task, student_code
from .running import judge_case, report, run_case
from .task import GradingError

__all__ = ["verify_isolated", "collect_results", "run_judge", "ISOLATION_FLAGS", "JUDGE_MODULE"]

# ``-E`` ignores PYTHON* variables (PYTHONPATH, PYTHONSTARTUP ...) and ``-P`` keeps the
# current directory (the student's folder) off ``sys.path``.  Not ``-I``: that also
# disables user site-packages, where ``pip install --user`` puts backprop_lab.
ISOLATION_FLAGS = ("-E", "-P")
JUDGE_MODULE = "backprop_lab.grading"          # runs .judge (see __main__.py)
JUDGE_TIMEOUT = 120


def collect_results(task_id: str, **student) -> dict:
    """The judge's request: the student's encoded results on every hidden case, or the
    error their code raised (``{"task": id, "results": [{"outputs", "error"}, ...]}``)."""
    task = get_task(task_id)
    student = student_code(task, student)
    results = []
    for _description, inputs in task.cases(hidden=True):
        outputs, error = run_case(task, student, inputs)
        encoded = None if outputs is None else {k: encode(v) for k, v in outputs.items()}
        results.append({"outputs": encoded, "error": error})
    return {"task": task_id, "results": results}


def run_judge(request: dict) -> dict:
    """The judge's verdict ``{"passed": bool, "messages": [...]}`` on ``request``, computed
    in a separate Python process; GradingError when it cannot run."""
    process = subprocess.run([sys.executable, *ISOLATION_FLAGS, "-m", JUDGE_MODULE],
                             input=json.dumps(request), capture_output=True, text=True,
                             timeout=JUDGE_TIMEOUT)
    lines = process.stdout.strip().splitlines()
    try:
        verdict = json.loads(lines[-1]) if lines else None
    except ValueError:
        verdict = None
    if not isinstance(verdict, dict) or process.returncode != 0:
        raise GradingError(tr("{task}: the hidden check could not run (exit code {code}): "
                              "{stderr}", task=request.get("task"), code=process.returncode,
                              stderr=process.stderr.strip()[-500:]))
    return verdict


def verify_isolated(task_id: str, **student) -> None:
    """Hidden test: run the student's code here, judge it in a separate ``python -E -P``.

    Raises GradingError unless the separate process answers exactly ``"passed": true`` --
    or at once, without a judge, when the code raised an error on every hidden case.
    Inside a grading sandbox (:mod:`backprop_lab.sandbox`) the results are published as an
    output of the cell instead, and the grader judges them outside the sandbox.
    """
    request = collect_results(task_id, **student)
    if request["results"] and all(r["error"] is not None for r in request["results"]):
        # the code raised on every case (an unsolved part): failed for certain, so no judge
        # is spawned and nothing is published -- a local failure gains a cheater nothing
        cases = get_task(task_id).cases(hidden=True)
        messages = [m for (description, inputs), r in zip(cases, request["results"])
                    for m in judge_case(get_task(task_id), description, inputs, None, r["error"])]
        raise GradingError(report(tr("{task}: hidden tests failed: your code raised an error on "
                                     "every hidden case.", task=task_id), messages))
    if publishing():
        publish(request)
        return
    verdict = run_judge({**request, "language": get_language()})   # messages in the notebook's
    if verdict.get("passed") is not True:
        raise GradingError(report(
            tr("{task}: hidden tests (checked in a separate Python process) failed.", task=task_id),
            list(verdict.get("messages") or [tr("no verdict")])))
    print(tr("{task}: hidden tests pass.", task=task_id))
