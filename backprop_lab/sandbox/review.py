"""What the student wrote, read on the trusted side: flags for the instructor.

The kernel can hide nothing from an analysis of the submitted *text*.
:func:`review_cells` parses every cell the student controls (answer cells and cells they
added) and reports, with the cell and the line, code the student wrote (lines that are not
in the release's version of the cell) that

* **calls the library's reference** -- a gate, a layer, the engine's autodiff
  (``bl.var``, ``bl.Graph``, ``Node.backward``), ``gradcheck``, ``conv``, ``rnn``: such a
  solution passes every test without doing the exercise;
* **reaches into the grading machinery** -- the ``grading`` module, IPython's hooks and
  input transformers, ``sys.settrace``/``sys.modules``/import machinery, frames, ``gc``,
  ``ctypes``, dynamic code (``exec``, ``eval``, ``compile``, ``__import__``), processes,
  signals and sockets.

Nothing here changes a score.  :class:`FlagForReview` (configured after ``SaveAutoGrades``)
marks the submission *flagged* in the gradebook, puts the findings in the comment of the
answer cell (the formgrader shows it, and so does the feedback), sets "needs manual grade"
on test cells whose hidden results were missing or invalid, and logs everything.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from nbgrader.preprocessors import NbGraderPreprocessor

#: backprop_lab names a solution may use: base classes, forward functions, helpers
ALLOWED = {
    "backprop_lab.gates.Gate", "backprop_lab.gates.ElementwiseGate", "backprop_lab.layers.Layer",
    "backprop_lab.graph.apply", "backprop_lab.apply",
    *(f"backprop_lab.{m}{f}" for m in ("", "graph.")
      for f in ("sigmoid", "tanh", "relu", "exp", "log", "maximum")),
    "backprop_lab.grading.interactive", "backprop_lab.grading.show",
    "backprop_lab.grading.spiral_split", "backprop_lab.rel_error",
    "backprop_lab.gradcheck.rel_error", "backprop_lab.draw", "backprop_lab.render.draw",
}
ALLOWED_MODULES = ("backprop_lab.datasets", "backprop_lab.widgets")

#: qualified names (or their prefixes) that touch the grading machinery
TAMPERING = (
    "get_ipython", "IPython", "sys.settrace", "sys.setprofile", "sys.modules", "sys.meta_path",
    "sys.path_hooks", "sys.path_importer_cache", "sys._getframe", "sys.exit", "threading.settrace",
    "threading.setprofile", "importlib", "builtins", "__builtins__", "gc", "ctypes", "inspect",
    "exec", "eval", "compile", "__import__", "os._exit", "os.kill", "os.killpg", "os.fork",
    "os.system", "os.exec", "os.spawn", "os.popen", "signal", "subprocess", "socket", "atexit",
    "multiprocessing", "site", "sqlite3", "exit", "quit", "breakpoint",
)


@dataclass
class Finding:
    cell: str            # grade id (or "cell N" for a cell the student added)
    line: int            # 1-based line in the cell
    name: str            # the qualified name used
    kind: str            # "library" | "grading" | "tampering"
    code: str            # the line

    def message(self) -> str:
        why = {"library": "uses the library's reference implementation",
               "grading": "uses the grading module",
               "tampering": "may interfere with grading"}[self.kind]
        return f"line {self.line}: {self.name} -- {why}: `{self.code.strip()[:120]}`"


def _qualified(node, aliases: dict) -> str | None:
    """``a.b.c`` of a Name/Attribute chain, with the first name resolved through imports."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(aliases.get(node.id, node.id))
    return ".".join(reversed(parts))


def _imports(tree, aliases: dict) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"


def classify(name: str) -> str | None:
    if name.startswith("backprop_lab.grading"):
        return None if any(name == a or name.startswith(a + ".") for a in ALLOWED) else "grading"
    if name.startswith("backprop_lab.") or name == "backprop_lab":
        if name in ALLOWED or name.startswith(ALLOWED_MODULES) or name == "backprop_lab":
            return None
        if any(a.startswith(name + ".") for a in ALLOWED):     # a package on the way
            return None
        return "library"
    for bad in TAMPERING:
        if name == bad or name.startswith(bad + ".") or (bad.endswith(("exec", "spawn"))
                                                       and name.startswith(bad)):
            return "tampering"
    return None


def _parse(source: str):
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        source = TransformerManager().transform_cell(source)
    except Exception:
        pass
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def _longest(names: list) -> list:
    """Drop ``a.b`` when ``a.b.c`` was found on the same line (one finding per use)."""
    return [n for n in names if not any(o != n and o.startswith(n + ".") for o in names)]


def review_cells(cells: list, stubs: dict) -> list[Finding]:
    """``cells``: ``[(cell id, source, student_controlled)]`` in notebook order; ``stubs``:
    the release source of each student cell (lines found there are not the student's)."""
    aliases: dict = {}
    findings = []
    for cell_id, source, student in cells:
        tree = _parse(source)
        if tree is None:
            continue
        _imports(tree, aliases)
        if not student:
            continue
        given = {line.strip() for line in stubs.get(cell_id, "").splitlines() if line.strip()}
        lines = source.splitlines()
        per_line: dict = {}
        for node in ast.walk(tree):
            names = []
            if isinstance(node, (ast.Name, ast.Attribute)):
                name = _qualified(node, aliases)
                if name:
                    names.append(name)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names += [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names += [a.name for a in node.names]
            for name in names:
                kind = classify(name)
                line = getattr(node, "lineno", 0)
                if kind and 0 < line <= len(lines) and lines[line - 1].strip() not in given:
                    per_line.setdefault(line, {})[name] = kind
        for line in sorted(per_line):
            for name in _longest(list(per_line[line])):
                findings.append(Finding(cell_id, line, name, per_line[line][name], lines[line - 1]))
    return findings


def notebook_cells(nb) -> list:
    """``[(cell id, source, student_controlled)]`` for the code cells of a notebook."""
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        student = bool(meta.get("solution")) or not meta.get("locked", False) and not meta.get("grade")
        cells.append((meta.get("grade_id") or f"cell {index + 1}", cell.source, student))
    return cells


class FlagForReview(NbGraderPreprocessor):
    """After ``SaveAutoGrades``: flag what needs a person (see the module docstring)."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook, MissingEntry
        info = resources["nbgrader"]
        notebook, assignment, student = info["notebook"], info["assignment"], info["student"]
        ours = resources.get("backprop_lab", {})
        flags = list(ours.get("flags", []))
        with Gradebook(info["db_url"]) as gb:
            cells = notebook_cells(nb)
            stubs = {}
            for cell_id, _source, is_student in cells:
                if is_student:
                    try:
                        stubs[cell_id] = gb.find_source_cell(cell_id, notebook, assignment).source
                    except MissingEntry:
                        stubs[cell_id] = ""
            findings = review_cells(cells, stubs)
            submission = gb.find_submission_notebook(notebook, assignment, student)
            by_cell: dict = {}
            for finding in findings:
                by_cell.setdefault(finding.cell, []).append(finding.message())
            for cell_id, messages in by_cell.items():
                text = "Flagged for review by the autograder:\n" + "\n".join(messages)
                try:
                    comment = gb.find_comment(cell_id, notebook, assignment, student)
                except MissingEntry:
                    continue
                comment.auto_comment = text
            for grade_id, _problem in flags:
                try:
                    gb.find_grade(grade_id, notebook, assignment, student).needs_manual_grade = True
                except MissingEntry:
                    pass
            if findings or flags or ours.get("unsafe"):
                submission.flagged = True
            gb.db.commit()
        for finding in findings:
            self.log.warning("%s/%s: flagged %s: %s", student, notebook, finding.cell,
                             finding.message())
        nb.metadata["backprop_lab"] = {
            "review": [vars(f) for f in findings],
            "hidden_results_problems": [{"cell": g, "problem": p} for g, p in flags],
            "unsafe": bool(ours.get("unsafe")), "kernel_deaths": ours.get("kernel_deaths", 0)}
        return nb, resources
