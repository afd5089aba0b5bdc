"""Hidden-test verdicts the kernel cannot forge.

Inside the sandbox the hidden section of a test cell does not judge anything: it runs the
student's code on the hidden cases and *publishes the results* as one output of MIME type
:data:`RECORD_MIME` (:func:`publish`).  The grader, outside the sandbox, takes that record
out of the cell's outputs after the cell finished and judges it itself
(:func:`judge_cell`): it regenerates the hidden cases (from the run's salt, which only it
chose), computes the references with the engine, compares, and writes the verdict into
the cell -- a passing line, or an error output, which makes nbgrader score the cell 0.

So the kernel never holds a verdict or anything that could be replayed as one: a test cell
that was rewritten or skipped, whose check was patched, or that published a record of
another cell or run gets no valid record and scores 0, flagged for review.  Each verdict
the grader writes is signed with a secret of the run that never enters a sandbox
(:func:`attest`), and after the whole notebook ran every graded test cell must hold either
an error or the passing verdict signed for that very cell (:func:`attested`): a cell that
ends up with neither scores 0 and is flagged, whatever happened on the way.  Correct
results for cases drawn fresh at every run are the only way to pass -- that is, code that
computes them (the student's own, or the library's reference, which
:mod:`backprop_lab.sandbox.review` flags).
"""
from __future__ import annotations

import ast
import contextlib
import hashlib
import hmac
import json
import re

from ..i18n.messages import get_language, normalise, tr, use
from ..grading.record import (ENV_MODE, ENV_RUN, RECORD_MIME, publish,  # noqa: F401
                              publishing)

#: largest accepted record, in bytes of JSON
MAX_RECORD_BYTES = 8 << 20


# ------------------------------------------------------------------ trusted side
def notebook_language(nb) -> str:
    """The language a release speaks: the code in its locked ``language`` cell
    (``bl.set_language("zh")``, which nbgrader restores from the release before grading);
    "en" when there is none."""
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") != "language":
            continue
        found = re.search(r"""set_language\(\s*['"]([\w-]+)['"]""", cell.source)
        try:
            return normalise(found.group(1)) if found else "en"
        except (TypeError, ValueError):
            return "en"
    return "en"


@contextlib.contextmanager
def speaking(code: str):
    """``with speaking("zh"):`` the verdicts judged here, and the hidden checks' messages,
    in the notebook's language (this process only; the previous language afterwards)."""
    previous = get_language()
    use(code)
    try:
        yield
    finally:
        use(previous)


def hidden_task(source: str) -> str | None:
    """The task a test cell's hidden section checks: the first literal argument of a
    ``verify_isolated(...)`` call in the (trusted, gradebook-restored) cell source."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name == "verify_isolated" and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                return node.args[0].value
    return None


class Verdict:
    """``passed`` True/False for a judged record; ``problem`` when no valid record came."""

    def __init__(self, task_id: str, passed: bool, messages=(), problem: str | None = None):
        self.task_id, self.passed, self.messages, self.problem = task_id, passed, list(messages), problem

    def output(self):
        """The output the grader appends to the test cell."""
        import nbformat
        if self.passed:
            return nbformat.v4.new_output(
                "stream", name="stdout",
                text=tr("{task}: hidden tests pass (judged by the grader, outside the "
                        "notebook).", task=self.task_id) + "\n")
        if self.problem:
            text = tr("{task}: the hidden tests did not report a valid result ({problem}). "
                      "This part scores 0 and the notebook is flagged for review.",
                      task=self.task_id, problem=self.problem)
            return nbformat.v4.new_output("error", ename="HiddenTestsMissing", evalue=text,
                                          traceback=[f"HiddenTestsMissing: {text}"])
        from ..grading.running import report
        text = report(tr("{task}: hidden tests failed (judged by the grader, outside the "
                         "notebook).", task=self.task_id), self.messages or [tr("no verdict")])
        return nbformat.v4.new_output("error", ename="GradingError", evalue=text,
                                      traceback=[f"GradingError: {text}"])


# ------------------------------------------------------------------ attestation
def attest(output, secret: bytes, run_id: str, cell_id: str, task_id: str) -> str:
    """The signature of a verdict output, with the run's secret (held by the grader, never in
    a sandbox), for this run, cell and task."""
    content = json.dumps([run_id, cell_id, task_id, output], sort_keys=True, default=str)
    return hmac.new(secret, content.encode(), hashlib.sha256).hexdigest()


def attested(outputs, signature: str | None, secret: bytes, run_id: str, cell_id: str,
             task_id: str) -> bool:
    """True when exactly one of ``outputs`` is the verdict signed ``signature``."""
    if not signature:
        return False
    return sum(hmac.compare_digest(attest(o, secret, run_id, cell_id, task_id), signature)
               for o in outputs) == 1


def _size(value) -> int:
    return len(json.dumps(value, allow_nan=True)) if value is not None else 0


def judge_cell(task_id: str, records: list, run_id: str, salt: int | None) -> Verdict:
    """Judge what one test cell published (``records``: the payloads of its record outputs)."""
    if not records:
        return Verdict(task_id, False, problem=tr("no hidden results were published: the test "
                                                  "cell was changed, skipped or its check "
                                                  "patched"))
    if len(records) > 1:
        return Verdict(task_id, False, problem=tr("{n} hidden results were published instead "
                                                  "of one", n=len(records)))
    record = records[0]
    if not isinstance(record, dict) or record.get("version") != 1:
        return Verdict(task_id, False, problem=tr("the published results are malformed"))
    if record.get("task") != task_id:
        return Verdict(task_id, False, problem=tr("the results are for {task!r}, not for this "
                                                  "cell's task", task=record.get("task")))
    if record.get("run") != run_id:
        return Verdict(task_id, False, problem=tr("the results come from another grading run"))
    results = record.get("results")
    if not isinstance(results, list) or _size(results) > MAX_RECORD_BYTES:
        return Verdict(task_id, False, problem=tr("the published results are malformed"))
    try:
        messages = judge_results(task_id, results, salt)
    except Exception as error:            # never trust a record enough to crash on it
        return Verdict(task_id, False, problem=tr("the results could not be judged ({kind})",
                                                  kind=type(error).__name__))
    return Verdict(task_id, not messages, messages)


def judge_results(task_id: str, results: list, salt: int | None) -> list[str]:
    """Messages for every wrong hidden result (empty: all right), judged here with the
    hidden cases of ``salt``."""
    from ..grading.judge import judge
    from ..grading.task import hidden_salt
    with hidden_salt(salt):
        verdict = judge({"task": task_id, "results": results})
    return [] if verdict.get("passed") is True else list(verdict.get("messages") or ["no verdict"])
