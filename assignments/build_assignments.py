"""Build the nbgrader source notebooks from their plain-text sources.

    python assignments/build_assignments.py           # (re)write source/<ps>/<ps>.ipynb
    python assignments/build_assignments.py --check   # exit 1 if a committed notebook differs

Each problem set is written in ``assignments/problem_sets/<ps>.txt`` in the ``%%`` format of
the lessons (``tools/cell_sources.py``, the one parser of both).  Cell kinds:

* ``%% md <id>``            read-only instructions (locked),
* ``%% setup <id>``         read-only code (imports, given functions),
* ``%% answer <id>``        code the student writes (``### BEGIN SOLUTION`` / ``### END SOLUTION``),
* ``%% tests <id> <task> points=N [needs=a,b]``
                            an autograded test cell, generated here: visible checks with hints
                            (``grading.check``) and ``### BEGIN HIDDEN TESTS`` checks judged in a
                            separate Python process (``verify_isolated`` of a private copy of the
                            grading package); the names passed in are the task's
                            (``backprop_lab.grading.TASKS[task].student``); ``needs``: answer
                            cells of earlier parts this part builds on,
* ``%% written <id> points=N``  a manually graded written answer; the text is the model answer
                            and rubric (the question is the ``md`` cell before it),
* ``%% demo <id>``          read-only code that draws or plots only when a person runs it
                            (``grading.interactive()`` is False while nbgrader executes).

Simplified Chinese: a ``md``, ``setup``, ``answer``, ``demo`` or ``written`` cell may be followed
by its translation (``%% md intro zh``; ``%% written <id> zh points=N``).  A source holding any
translation is also built as its own nbgrader assignment ``<ps>_zh`` (``source/<ps>_zh/``): the
same cells, ids, tasks and points, every ``md`` cell in Chinese, code cells that differ from the
English ones only in comments and strings (``tools/translations.py``), and a generated first
cell ``bl.set_language("zh")`` so that hints and widgets speak Chinese.  Both releases are graded
by the same tasks.

Writing the notebooks from here keeps the nbgrader metadata consistent: every cell gets the
right flags (``solution``, ``grade``, ``locked``, ``points``, ``grade_id``, ``schema_version``
3) and a cell id equal to its grade id, so rebuilding gives the same bytes.
``PROBLEM_SETS`` is also what the tests read to know each part's cells and points
(``TRANSLATED``: the translated releases, ``RELEASES``: both).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
TEXT = HERE / "problem_sets"
sys.path.insert(0, str(HERE.parent / "tools"))
import cell_sources  # noqa: E402  (tools/cell_sources.py: the %% format shared with the lessons)
import translations  # noqa: E402  (tools/translations.py: English and Chinese cells of one source)
from cell_sources import Kind  # noqa: E402

# the problem sets, in course order (their sources: problem_sets/<name>.txt)
NAMES = ("ps1_gates", "ps2_engine", "ps3_layers", "ps4_cnn_rnn", "ps5_cnn_lstm")

KINDS = (
    Kind("md", words=("id",), translatable=True),
    Kind("setup", words=("id",), translatable=True),
    Kind("answer", words=("id",), translatable=True),
    Kind("demo", words=("id",), translatable=True),
    Kind("tests", words=("id", "task"), options={"points": int, "needs": tuple},
         required=("points",), body=False),
    Kind("written", words=("id",), options={"points": int}, required=("points",),
         translatable=True),
)
CODE_KINDS = ("setup", "answer", "demo")     # a translation of these must be the same code
LANGUAGES = ("zh",)                          # translated releases: <ps>_<language>
# The first cell of a translated release (generated: the sources hold no such cell).
LANGUAGE_CELL = {"zh": 'import backprop_lab as bl\nbl.set_language("zh")   # 本习题集使用中文：提示与控件都显示中文'}


@dataclass
class Cell:
    kind: str            # md | setup | answer | tests | written | demo
    id: str
    source: str
    points: int = 0
    task: str = ""       # tests: the grading task id
    names: tuple = ()    # tests: the student names passed to the checks
    needs: tuple = ()    # tests: answer cells of earlier parts this part builds on


@dataclass
class Part:
    """One graded exercise: its answer cell(s) and its test cell."""

    answer_ids: tuple
    test_id: str
    points: int
    needs: tuple = ()

    def relies_on(self) -> set:
        """Every answer cell whose breakage makes this part fail."""
        return set(self.answer_ids) | set(self.needs)


@dataclass
class ProblemSet:
    name: str
    cells: list = field(default_factory=list)

    @property
    def parts(self) -> list[Part]:
        parts, answers = [], []
        for cell in self.cells:
            if cell.kind == "answer":
                answers.append(cell.id)
            elif cell.kind == "tests":
                parts.append(Part(tuple(answers), cell.id, cell.points, cell.needs))
                answers = []
        return parts

    @property
    def title(self) -> str:
        """The first heading of the notebook."""
        first = self.cells[0].source.splitlines()[0] if self.cells else ""
        return first.lstrip("# ").strip()

    @property
    def auto_points(self) -> int:
        return sum(c.points for c in self.cells if c.kind == "tests")

    @property
    def manual_points(self) -> int:
        return sum(c.points for c in self.cells if c.kind == "written")

    def path(self, root: Path = HERE) -> Path:
        return root / "source" / self.name / f"{self.name}.ipynb"


# The hidden check does not trust anything the notebook can have replaced by assignment:
# not `grading`, not `backprop_lab.grading` or its submodules, not sys.modules.  It finds the
# installed package with the import system's finders (which skip sys.modules), executes
# grading/loader.py from that file, and lets it load the whole grading subpackage again from
# its files under a new, unpredictable name (backprop_lab.grading.loader.load_private).
# (Python code in the same kernel can still rewrite importlib, subprocess or the files on
# disk: the limit stated in README.md.)
HIDDEN_LOADER = """\
import importlib.util as _importlib_util, os as _os, sys as _sys
_package = next(_s for _s in (_f.find_spec("backprop_lab", None) for _f in _sys.meta_path
                              if hasattr(_f, "find_spec")) if _s is not None)
_grading_dir = _os.path.join(list(_package.submodule_search_locations)[0], "grading")
_spec = _importlib_util.spec_from_file_location("_backprop_lab_grading_loader",
                                                _os.path.join(_grading_dir, "loader.py"))
_loader = _importlib_util.module_from_spec(_spec)
_spec.loader.exec_module(_loader)
_grading_module = _loader.load_private(_grading_dir)
"""


def task_names(task: str) -> tuple:
    """The names the test cell of ``task`` passes to the checks (the task's ``student``)."""
    from backprop_lab.grading import TASKS
    if task not in TASKS:
        raise ValueError(f"unknown grading task {task!r}; known: {sorted(TASKS)}.")
    return tuple(TASKS[task].student)


def tests(cell_id: str, task: str, points: int, needs: tuple = ()) -> Cell:
    names = task_names(task)
    args = ", ".join(f"{n}={n}" for n in names)
    source = (f"grading.check({task!r}, {args})\n"
              f"### BEGIN HIDDEN TESTS\n"
              + HIDDEN_LOADER +
              f"_grading_module.verify_isolated({task!r}, {args})\n"
              f"### END HIDDEN TESTS")
    return Cell("tests", cell_id, source, points, task, names, needs)


def parse(name: str, root: Path = TEXT) -> list:
    """The parsed cells of ``root/<name>.txt``, translations included."""
    path = root / f"{name}.txt"
    where = f"assignments/problem_sets/{path.name}" if root == TEXT else str(path)
    return cell_sources.parse(path.read_text(encoding="utf-8"), where, KINDS)


def read(name: str, root: Path = TEXT, language: str = "en") -> ProblemSet:
    """The problem set written in ``root/<name>.txt``, in ``language`` ("en", or "zh": then
    it is the release ``<name>_zh``)."""
    where = f"assignments/problem_sets/{name}.txt" if root == TEXT else str(root / f"{name}.txt")
    cells = translations.select(parse(name, root), language, code_kinds=CODE_KINDS)
    ps = ProblemSet(name if language == "en" else f"{name}_{language}")
    for cell in cells:
        cid = cell.words["id"]
        if cell.kind == "tests":
            ps.cells.append(tests(cid, cell.words["task"], cell.options["points"],
                                  cell.options.get("needs", ())))
        elif cell.kind == "written":
            ps.cells.append(Cell("written", cid, "### BEGIN SOLUTION\n" + cell.body
                                 + "\n### END SOLUTION", cell.options["points"]))
        else:
            ps.cells.append(Cell(cell.kind, cid, cell.body))
    if language in LANGUAGE_CELL:          # before the first code cell, like the lessons'
        first_code = next((i for i, c in enumerate(ps.cells) if c.kind != "md"), len(ps.cells))
        ps.cells.insert(first_code, Cell("setup", "language", LANGUAGE_CELL[language]))
    ids = [c.id for c in ps.cells]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ValueError(f"{where}: cell ids used twice: {twice}.")
    answers = {c.id for c in ps.cells if c.kind == "answer"}
    for cell in ps.cells:
        unknown = [n for n in cell.needs if n not in answers]
        if unknown:
            raise ValueError(f"{where}: {cell.id} needs={unknown}: no such answer cell.")
    return ps


def translated(name: str, root: Path = TEXT) -> list:
    """The languages ``root/<name>.txt`` is translated into (each gets its own release)."""
    cells = parse(name, root)
    return [language for language in LANGUAGES if translations.is_translated(cells, language)]


PROBLEM_SETS = {name: read(name) for name in NAMES}
# the translated releases (<ps>_zh ...): the same parts and tasks as their PROBLEM_SETS entry
TRANSLATED = {f"{name}_{language}": read(name, language=language)
              for name in NAMES for language in translated(name)}
RELEASES = {**PROBLEM_SETS, **TRANSLATED}     # every nbgrader assignment of the course


# ====================================================================== notebook writing
def _metadata(cell: Cell) -> dict:
    grade = cell.kind in ("tests", "written")
    solution = cell.kind in ("answer", "written")
    meta = {"grade": grade, "grade_id": cell.id, "locked": not solution,
            "schema_version": 3, "solution": solution, "task": False}
    if grade:
        meta["points"] = cell.points
    if cell.kind == "demo" or cell.kind == "setup":
        meta["locked"] = True
    return {"nbgrader": meta}


def notebook(ps: ProblemSet) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for cell in ps.cells:
        markdown = cell.kind in ("md", "written")
        make = nbformat.v4.new_markdown_cell if markdown else nbformat.v4.new_code_cell
        nb_cell = make(cell.source, metadata=_metadata(cell))
        nb_cell.id = cell.id.replace("_", "-")
        nb.cells.append(nb_cell)
    nbformat.validate(nb)
    return nb


def render(ps: ProblemSet) -> str:
    return nbformat.writes(notebook(ps)) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for ps in RELEASES.values():
        path = ps.path()
        text = render(ps)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path} ({ps.auto_points} autograded + {ps.manual_points} manual points)")
    # a notebook folder no problem set describes any more (renamed, removed)
    orphans = sorted(str(p) for p in (HERE / "source").glob("*/*.ipynb")
                     if p.parent.name not in RELEASES)
    if orphans:
        print("not built from any problem set (remove them):", *orphans, sep="\n  ")
    if stale:
        print("out of date (run python assignments/build_assignments.py):", *stale, sep="\n  ")
    return 1 if stale or orphans else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
