"""The nbgrader course, for real: the nbgrader CLI in a temporary copy of ``assignments/``.

Per problem set, ONE batch: a class of scripted students is placed in
``submitted/<student>/<ps>/`` and graded by a single ``nbgrader autograde`` run (kernel
start dominates the cost, so one batch is much cheaper than one run per scenario):

    full      the source notebook (all solutions)          -> every autograded point
    release   the release notebook, untouched              -> 0
    partial   only part 1 solved                           -> exactly part 1's points
    loop      all solved, `while True: pass` in part 2     -> stopped by the timeout; all but part 2
    edited    release, every test cell replaced by `pass`  -> cells restored, 0
    deleted   part 1 solved, tests 1 and 2 deleted         -> both put back and run: part 1 only
    monkey    release + monkeypatches (builtins.abs, numpy.allclose, the helpers of every
              grading module and of backprop_lab.mistakes, grading.fresh, the private
              loader, every sys.modules["backprop_lab.grading..."])                -> 0
    silenced  release + IPython's traceback display switched off                 -> 0
    answerkey all solved, but some parts handed in as backprop_lab's own reference
              classes/functions (and ps3.train as the visible case's known labels)
                                                            -> all but those parts
    syntax    all solved, a syntax error in part 1         -> all but part 1
    crash     all solved, the kernel killed in part 3      -> graded, batch goes on

Then ``generate_feedback`` (HTML), ``export`` (CSV) and ``validate`` / ``validate --invert``.
A problem set and its translations (``<ps>_zh``) are two assignments of ONE class, graded
together by each of these commands, as an instructor teaching both would.  The batch runs
once per problem set and is shared by pytest-xdist workers through a file lock, so the
tests below only read its results.
"""
from __future__ import annotations

import copy
import csv
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ROOT / "assignments"
sys.path.insert(0, str(ASSIGNMENTS))
import build_assignments as builder  # noqa: E402

NBGRADER = Path(sys.executable).with_name("nbgrader")
TIMEOUT = 10          # seconds per cell in the tests (the shipped config says 30)
# `nbgrader validate` runs nbgrader's plain Execute, not the sandbox: there Execute.timeout is
# WALL-CLOCK seconds per cell, and a cell's output counts as lost (an error) when the kernel's
# 'idle' comes over 4 s after its reply.  Validating ps3's solution took 10.5 s of CPU and
# 89 s of wall clock at load 16, so its ~3 s training cell came near the 30 s: hang guards
# here, not bars near the normal time.
VALIDATE_GUARDS = ("--Execute.timeout=300", "--Execute.iopub_timeout=300")
PS_NAMES = list(builder.RELEASES)        # the English problem sets and their translations

STUDENTS = ["full", "release", "partial", "loop", "edited", "deleted", "monkey", "silenced",
            "answerkey", "syntax", "crash"]
# A translated release (<ps>_zh) has the English cells' code (the builder checks it), so the
# attacks and failures above behave the same; its class checks what the translation could
# break: solutions full marks, release 0, one part exactly, test cells restored.
TRANSLATED_STUDENTS = ["full", "release", "partial", "edited"]


def students_of(ps_name: str) -> list:
    return STUDENTS if ps_name in builder.PROBLEM_SETS else TRANSLATED_STUDENTS


def english_of(ps_name: str) -> str:
    """The problem set a release belongs to: ``ps1_gates_zh`` -> ``ps1_gates``."""
    return next(name for name in builder.PROBLEM_SETS
                if ps_name == name or ps_name.startswith(f"{name}_"))


def releases_of(english: str) -> list:
    """The English release first, then its translations: one nbgrader class grades them all."""
    return [name for name in PS_NAMES if english_of(name) == english]


# tests/conftest.py keeps each shared batch on one pytest-xdist worker; the batch of a
# release is its problem set's class
shared_batch_of = english_of


def needs_students(ps, *students) -> None:
    """Skip a check of students that the class of ``ps`` does not have (a translated release)."""
    missing = [s for s in students if s not in students_of(ps.name)]
    if missing:
        pytest.skip(f"{ps.name}: a translated release; {missing} are graded in the English one")

MONKEYPATCH = '''\
import builtins, numpy, numpy.testing, sys, types
import backprop_lab.grading, backprop_lab.grading.judge, backprop_lab.mistakes
builtins.abs = lambda value: 0
numpy.allclose = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
passed = lambda *args, **kwargs: None
verdict = lambda *args, **kwargs: {"passed": True, "messages": []}
backprop_lab.grading.check = backprop_lab.grading.verify_isolated = passed
backprop_lab.grading.hidden.verify_isolated = backprop_lab.grading.visible.check = passed
backprop_lab.grading.hidden.run_judge = backprop_lab.grading.judge.judge = verdict
backprop_lab.grading.task.Task.failures = lambda *args, **kwargs: {}
backprop_lab.mistakes.compare = passed
backprop_lab.grading.loader.load_private = lambda *args, **kwargs: backprop_lab.grading
backprop_lab.grading.fresh = lambda: types.SimpleNamespace(verify_isolated=passed)
fake = types.SimpleNamespace(check=passed, verify_isolated=passed, fresh=backprop_lab.grading.fresh,
                             load_private=backprop_lab.grading.loader.load_private)
for name in [n for n in sys.modules if n.startswith("backprop_lab.grading")]:
    sys.modules[name] = fake
grading = backprop_lab.grading
def check(*args, **kwargs):
    return None
'''

SILENCE = "get_ipython().showtraceback = lambda *args, **kwargs: None\n"

# the library's own reference handed in as the answer (appended to the solved answer cell)
ANSWER_KEY = {
    "ps1.multiply_gate": "class MultiplyGate(bl.gates.MultiplyGate):\n    pass\n",
    "ps1.sigmoid_gate": "class SigmoidGate(bl.gates.SigmoidGate):\n    pass\n",
    "ps3.affine": "Affine = bl.layers.Affine\n",
    "ps3.numerical_gradient": "numerical_gradient = bl.gradcheck.numerical_gradient\n",
    "ps3.train": ("import types\n"
                  "def train_two_layer(X, y, **kwargs):\n"
                  "    return types.SimpleNamespace(predict=lambda X_test: grading.spiral_split(7)[3])\n"),
    "ps4.clipping": "clip_by_global_norm = bl.rnn.clip_by_global_norm\n",
    "ps2.topological_order": "topological_order = bl.topological_order\n",
    "ps2.dual_numbers": "Dual = bl.modes.Dual\n",
    "ps5.dilated": "dilate = bl.conv.dilate\n",
}


def answer_key_parts(ps: builder.ProblemSet) -> list:
    tasks = {c.id: c.task for c in ps.cells if c.kind == "tests"}
    return [p for p in ps.parts if tasks[p.test_id] in ANSWER_KEY]


def task_of(ps: builder.ProblemSet, part) -> str:
    return next(c.task for c in ps.cells if c.id == part.test_id)


# ------------------------------------------------------------------ helpers
def nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run([str(NBGRADER), *args], cwd=course, capture_output=True, text=True,
                            timeout=900, env=env)     # nbgrader runs `alembic` from PATH
    if check and result.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def expected_code_score(ps: builder.ProblemSet, broken: set) -> int:
    """Autograded points when the answer cells ``broken`` fail (and parts built on them)."""
    return sum(p.points for p in ps.parts if not p.relies_on() & broken)


def cells_by_id(nb) -> dict:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def replace_source(nb, grade_id: str, source: str) -> None:
    cells_by_id(nb)[grade_id].source = source


def submissions(ps: builder.ProblemSet, source_nb, release_nb) -> dict:
    """Every scripted student's notebook."""
    parts = ps.parts
    p1, p2, p3 = parts[0], parts[1], parts[2]
    src = cells_by_id(source_nb)
    subs = {"full": copy.deepcopy(source_nb), "release": copy.deepcopy(release_nb)}

    partial = copy.deepcopy(release_nb)
    for cid in p1.answer_ids:
        replace_source(partial, cid, src[cid].source)
    subs["partial"] = partial

    loop = copy.deepcopy(source_nb)
    cid = p2.answer_ids[0]
    replace_source(loop, cid, "while True:\n    pass\n" + src[cid].source)
    subs["loop"] = loop

    edited = copy.deepcopy(release_nb)
    for part in parts:
        replace_source(edited, part.test_id, "pass  # the test is gone")
    subs["edited"] = edited

    deleted = copy.deepcopy(release_nb)
    for cid in p1.answer_ids:
        replace_source(deleted, cid, src[cid].source)
    gone = {p1.test_id, p2.test_id}
    deleted.cells = [c for c in deleted.cells
                     if c.metadata.get("nbgrader", {}).get("grade_id") not in gone]
    subs["deleted"] = deleted

    monkey = copy.deepcopy(release_nb)
    for part in parts:
        cid = part.answer_ids[0]
        replace_source(monkey, cid, MONKEYPATCH + cells_by_id(monkey)[cid].source)
    subs["monkey"] = monkey

    silenced = copy.deepcopy(release_nb)
    cid = p1.answer_ids[0]
    replace_source(silenced, cid, SILENCE + cells_by_id(silenced)[cid].source)
    subs["silenced"] = silenced

    answerkey = copy.deepcopy(source_nb)
    for part in answer_key_parts(ps):
        cid = part.answer_ids[-1]
        replace_source(answerkey, cid, src[cid].source + "\n" + ANSWER_KEY[task_of(ps, part)])
    subs["answerkey"] = answerkey

    syntax = copy.deepcopy(source_nb)
    replace_source(syntax, p1.answer_ids[0], "def broken(:\n" + src[p1.answer_ids[0]].source)
    subs["syntax"] = syntax

    crash = copy.deepcopy(source_nb)
    cid = p3.answer_ids[0]
    replace_source(crash, cid, src[cid].source + "\nimport os\nos._exit(1)\n")
    subs["crash"] = crash
    return subs


def run_course(english: str, course: Path) -> dict:
    """The whole pipeline for one problem set and its translations, in ONE nbgrader class:
    every command below grades all of them at once (the assignment-id glob ``<ps>*`` matches
    exactly the releases copied into ``source/``).  Returns ``{release: what its tests check}``."""
    releases = releases_of(english)
    course.mkdir(parents=True)
    shutil.copy(ASSIGNMENTS / "nbgrader_config.py", course)
    for ps_name in releases:
        shutil.copytree(ASSIGNMENTS / "source" / ps_name, course / "source" / ps_name)
    with open(course / "students.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "first_name", "last_name"])
        writer.writerows([s, s.title(), "Student"] for s in students_of(english))
    every = f"{english}*"
    nbgrader(course, "db", "student", "import", "students.csv")
    generate = nbgrader(course, "generate_assignment", every, "--force")

    for ps_name in releases:
        nb_name = f"{ps_name}.ipynb"
        source_nb = nbformat.read(course / "source" / ps_name / nb_name, as_version=4)
        release_nb = nbformat.read(course / "release" / ps_name / nb_name, as_version=4)
        ps = builder.RELEASES[ps_name]
        for student, nb in submissions(ps, source_nb, release_nb).items():
            if student not in students_of(ps_name):
                continue
            folder = course / "submitted" / student / ps_name
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / nb_name)
            (folder / "timestamp.txt").write_text("2026-11-26 06:00:00.000000 UTC")

    autograde = nbgrader(course, "autograde", every, "--force", f"--Execute.timeout={TIMEOUT}")
    nbgrader(course, "generate_feedback", every, "--force")
    nbgrader(course, "export")

    from nbgrader.api import Gradebook
    results = {}
    for ps_name in releases:
        ps = builder.RELEASES[ps_name]
        nb_name = f"{ps_name}.ipynb"
        scores = {}
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            for student in students_of(ps_name):
                nb = gb.find_submission_notebook(ps_name, ps_name, student)
                cells = {}
                for part in ps.parts:
                    grade = gb.find_grade(part.test_id, ps_name, ps_name, student)
                    cells[part.test_id] = grade.score
                scores[student] = {"total": nb.score, "code": nb.code_score, "cells": cells,
                                   "max": nb.max_score}
        validate_ok = nbgrader(course, "validate", *VALIDATE_GUARDS,
                               str(course / "source" / ps_name / nb_name), check=False)
        validate_invert = nbgrader(course, "validate", "--invert", *VALIDATE_GUARDS,
                                   str(course / "release" / ps_name / nb_name), check=False)
        results[ps_name] = {
            "course": str(course), "scores": scores,
            "generate_log": generate.stdout + generate.stderr,
            "autograde_log": autograde.stdout + autograde.stderr,
            "validate": [validate_ok.returncode, validate_ok.stdout + validate_ok.stderr],
            "validate_invert": [validate_invert.returncode,
                                validate_invert.stdout + validate_invert.stderr]}
    return results


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory) -> Path:
    """A directory every xdist worker of this run sees (the parent of the workers' temps)."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "nbgrader-course"
    shared.mkdir(exist_ok=True)
    return shared


_RESULTS: dict = {}


def pipeline(ps_name: str, shared: Path) -> dict:
    english = english_of(ps_name)
    if english not in _RESULTS:
        result_file = shared / f"{english}.json"
        with open(shared / f"{english}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)      # one worker runs the batch, the others wait
            if not result_file.exists():
                result_file.write_text(json.dumps(run_course(english, shared / english)))
        _RESULTS[english] = json.loads(result_file.read_text())
    return _RESULTS[english][ps_name]


@pytest.fixture(params=PS_NAMES)
def run(request, shared_dir):
    name = request.param
    return builder.RELEASES[name], pipeline(name, shared_dir)


def autograded_nb(run_result: dict, ps_name: str, student: str):
    path = Path(run_result["course"]) / "autograded" / student / ps_name / f"{ps_name}.ipynb"
    return nbformat.read(path, as_version=4)


def error_text(cell) -> str:
    return "\n".join("\n".join(o.get("traceback", [])) + o.get("evalue", "")
                     for o in cell.get("outputs", []) if o.get("output_type") == "error")


# ------------------------------------------------------------------ fast: the course itself
def test_committed_notebooks_are_built_from_the_builder():
    assert builder.main(["--check"]) == 0, "run python assignments/build_assignments.py"


@pytest.mark.parametrize("ps_name", PS_NAMES)
def test_notebook_metadata_is_consistent(ps_name):
    ps = builder.RELEASES[ps_name]
    nb = nbformat.read(ps.path(), as_version=4)
    nbformat.validate(nb)
    metas = [c.metadata["nbgrader"] for c in nb.cells]
    assert len({m["grade_id"] for m in metas}) == len(metas), "grade ids must be unique"
    for cell, meta in zip(nb.cells, metas):
        assert meta["schema_version"] == 3
        assert cell.outputs == [] if cell.cell_type == "code" else True
        if meta["solution"] and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
            assert not meta["locked"]
        if meta["grade"] and cell.cell_type == "code":
            assert meta["locked"] and meta["points"] > 0
            assert "### BEGIN HIDDEN TESTS" in cell.source and "verify_isolated" in cell.source
        if not meta["solution"]:
            assert meta["locked"], f"{meta['grade_id']}: instructions and tests are read-only"
    manual = [m for c, m in zip(nb.cells, metas) if c.cell_type == "markdown" and m["grade"]]
    assert manual and all(m["solution"] and m["points"] > 0 for m in manual)
    graded = [m["points"] for c, m in zip(nb.cells, metas) if c.cell_type == "code" and m["grade"]]
    assert sum(graded) == ps.auto_points >= 18
    assert sum(m["points"] for m in manual) == ps.manual_points == 2


def practised_after() -> dict:
    """``{problem set: {lesson numbers whose "Practise it" names it}}`` (not the welcome)."""
    lessons = {}
    for source in sorted((ROOT / "tools" / "lesson_sources").glob("[0-9][0-9]_*.txt")):
        number = int(source.name[:2])
        section = source.read_text(encoding="utf-8").split("## Practise it", 1)[-1].split("\n%%")[0]
        for name in PS_NAMES:
            if number and f"`{name}`" in section:
                lessons.setdefault(name, set()).add(number)
    return lessons


def lesson_numbers(text: str) -> set:
    """'01–05, 07' -> {1, 2, 3, 4, 5, 7}"""
    numbers = set()
    for item in text.split(","):
        first, _, last = item.strip().partition("–")
        numbers |= set(range(int(first), int(last or first) + 1))
    return numbers


def test_readme_problem_set_tables_match_the_builder_and_the_lessons():
    """The repository README's table (parts, points, lessons) and the guide's points per part."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = (ASSIGNMENTS / "README.md").read_text(encoding="utf-8")
    lessons = practised_after()
    for name, ps in builder.PROBLEM_SETS.items():
        row = re.search(rf"^\| `{name}` \| (.+) \| (\d+) \| ([0-9–, ]+) \|$", readme, re.M)
        assert row, f"README's problem-set table lacks a row for {name}"
        points = [int(n) for n in re.findall(r" (\d+)(?= ·|$)", row[1])]
        assert points == [p.points for p in ps.parts], f"README: the points of {name}'s parts"
        assert int(row[2]) == ps.manual_points
        assert lesson_numbers(row[3]) == lessons[name], f"README: the lessons that practise {name}"
        per_part = " + ".join(str(p.points) for p in ps.parts)
        assert f"`{name}` {per_part}" in " ".join(guide.split()), f"guide: points per part of {name}"
        assert re.search(rf"^\| `{name}` \| .+ \| {ps.auto_points} \| {ps.manual_points} \|$", guide, re.M)


def test_translated_releases_have_the_english_parts_in_chinese():
    """<ps>_zh: the same cells, tasks and points as <ps>, the same code (comments and strings
    aside), every instruction in Chinese, and bl.set_language("zh") before any other code."""
    import re
    assert builder.TRANSLATED, "no problem set is translated"
    for name, zh in builder.TRANSLATED.items():
        english = builder.PROBLEM_SETS[name.rsplit("_", 1)[0]]
        own = [c for c in zh.cells if c.id != "language"]
        assert [(c.kind, c.id, c.task, c.points, c.needs) for c in own] == [
            (c.kind, c.id, c.task, c.points, c.needs) for c in english.cells]
        assert [p.points for p in zh.parts] == [p.points for p in english.parts]
        for zh_cell, en_cell in zip(own, english.cells):
            if zh_cell.kind in builder.CODE_KINDS:
                assert builder.translations.same_code(en_cell.source, zh_cell.source), zh_cell.id
            if zh_cell.kind == "md":
                assert re.search(r"[\u4e00-\u9fff]", zh_cell.source), f"{name}: {zh_cell.id} is not in Chinese"
        first_code = next(c for c in zh.cells if c.kind != "md")
        assert first_code.id == "language" and 'bl.set_language("zh")' in first_code.source
        assert zh.title.startswith(f"习题集 {name[2]} — ")


def test_config_sets_what_the_course_needs():
    from traitlets.config import PyFileConfigLoader
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ASSIGNMENTS)).load_config()
    assert config.CourseDirectory.course_id == "backprop-lab"
    assert config.OverwriteCells.add_missing_cells is True
    assert 0 < config.Execute.timeout <= 60 and config.Execute.interrupt_on_timeout is True
    assert config.Exchange.path_includes_course is True


def test_widget_and_drawing_cells_skip_while_nbgrader_executes():
    for ps in builder.PROBLEM_SETS.values():
        for cell in ps.cells:
            if cell.kind == "demo":
                assert cell.source.splitlines()[1].startswith("if grading.interactive():"), cell.id


@pytest.mark.slow
def test_demo_cells_draw_for_a_person(monkeypatch):
    """Outside nbgrader the drawing/widget cells run and display (here: collected)."""
    import IPython.display
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    for ps in builder.PROBLEM_SETS.values():
        ns: dict = {}
        for cell in ps.cells:
            if cell.kind in ("setup", "answer", "demo"):
                exec(compile(cell.source, cell.id, "exec"), ns)
    kinds = {type(obj).__name__ for obj in shown}
    assert {"BackwardStepper", "RNNGradientExplorer"} <= kinds, kinds


# ------------------------------------------------------------------ the real pipeline
@pytest.mark.slow
def test_generate_assignment_strips_solutions_and_hidden_tests(run):
    ps, result = run
    release = nbformat.read(Path(result["course"]) / "release" / ps.name / f"{ps.name}.ipynb",
                            as_version=4)
    text = "\n".join(c.source for c in release.cells)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "verify_isolated" not in text
    assert text.count("raise NotImplementedError()") >= len(ps.parts)


@pytest.mark.slow
def test_source_as_submission_gets_every_autograded_point(run):
    ps, result = run
    full = result["scores"]["full"]
    assert full["code"] == ps.auto_points
    assert full["max"] == ps.auto_points + ps.manual_points
    assert all(full["cells"][p.test_id] == p.points for p in ps.parts)


@pytest.mark.slow
def test_untouched_release_scores_zero(run):
    ps, result = run
    assert result["scores"]["release"]["total"] == 0


@pytest.mark.slow
def test_one_part_right_scores_exactly_that_part(run):
    ps, result = run
    partial = result["scores"]["partial"]
    first = ps.parts[0]
    assert partial["total"] == first.points
    assert partial["cells"] == {p.test_id: (p.points if p.test_id == first.test_id else 0)
                                for p in ps.parts}


@pytest.mark.slow
def test_infinite_loop_is_stopped_by_the_timeout_and_the_rest_grades(run):
    ps, result = run
    needs_students(ps, "loop")
    looped = ps.parts[1]
    loop = result["scores"]["loop"]
    assert loop["cells"][looped.test_id] == 0
    assert loop["code"] == expected_code_score(ps, set(looped.answer_ids))
    nb = autograded_nb(result, ps.name, "loop")
    cell = cells_by_id(nb)[looped.answer_ids[0]]
    assert "CellTimeoutError" in error_text(cell) or "KeyboardInterrupt" in error_text(cell)


@pytest.mark.slow
def test_edited_test_cells_are_restored_and_gain_nothing(run):
    ps, result = run
    assert result["scores"]["edited"]["total"] == 0
    nb = cells_by_id(autograded_nb(result, ps.name, "edited"))
    for part in ps.parts:
        assert "grading.check(" in nb[part.test_id].source
        assert "### BEGIN HIDDEN TESTS" in nb[part.test_id].source
        assert error_text(nb[part.test_id])


@pytest.mark.slow
def test_deleted_test_cells_are_put_back_and_run(run):
    ps, result = run
    needs_students(ps, "deleted")
    p1, p2 = ps.parts[0], ps.parts[1]
    deleted = result["scores"]["deleted"]
    assert deleted["cells"][p1.test_id] == p1.points        # restored, ran, passed
    assert deleted["cells"][p2.test_id] == 0                # restored, ran, failed
    assert deleted["total"] == p1.points
    nb = cells_by_id(autograded_nb(result, ps.name, "deleted"))
    for part in (p1, p2):
        assert "missing from the submission" in nb[part.test_id].source
        assert nb[part.test_id].execution_count is not None
    assert error_text(nb[p2.test_id]) and not error_text(nb[p1.test_id])


@pytest.mark.slow
def test_monkeypatching_gains_no_points(run):
    ps, result = run
    needs_students(ps, "monkey")
    assert result["scores"]["monkey"]["total"] == 0
    nb = cells_by_id(autograded_nb(result, ps.name, "monkey"))
    for part in ps.parts:
        # the patched visible check passed silently; the hidden check failed -- at once in
        # the kernel when every hidden case raised (the stubs), else judged by the grader
        # outside the sandbox
        text = error_text(nb[part.test_id])
        assert ("hidden tests failed (judged by the grader, outside the notebook)" in text
                or "hidden tests failed: your code raised an error on every hidden case" in text)


@pytest.mark.slow
def test_switching_off_the_traceback_display_gains_nothing(run):
    """``showtraceback`` replaced: failing cells show no traceback, but the kernel still
    replies "error" — the executor records that error, so the parts score 0."""
    ps, result = run
    needs_students(ps, "silenced")
    assert result["scores"]["silenced"]["total"] == 0
    nb = cells_by_id(autograded_nb(result, ps.name, "silenced"))
    for part in ps.parts:
        assert error_text(nb[part.test_id]), part.test_id


@pytest.mark.slow
def test_the_library_as_answer_key_scores_exactly_the_honest_parts(run):
    ps, result = run
    needs_students(ps, "answerkey")
    cheated = answer_key_parts(ps)
    assert cheated
    scores = result["scores"]["answerkey"]
    broken = {part.answer_ids[-1] for part in cheated}
    assert scores["code"] == expected_code_score(ps, broken)
    nb = cells_by_id(autograded_nb(result, ps.name, "answerkey"))
    for part in cheated:
        assert scores["cells"][part.test_id] == 0
        if task_of(ps, part) != "ps3.train":
            assert "is backprop_lab's own backprop_lab." in error_text(nb[part.test_id])
        else:          # the visible case's labels pass visibly; the hidden data differ
            assert "test accuracy" in error_text(nb[part.test_id])


@pytest.mark.slow
def test_syntax_error_and_kernel_crash_do_not_stop_the_batch(run):
    ps, result = run
    needs_students(ps, "syntax", "crash")
    scores = result["scores"]
    assert set(scores) == set(STUDENTS)               # everyone graded in the one run
    broken = ps.parts[0]
    assert scores["syntax"]["cells"][broken.test_id] == 0
    assert scores["syntax"]["code"] == expected_code_score(ps, set(broken.answer_ids))
    crashed = ps.parts[2]
    crash = scores["crash"]
    assert crash["cells"][crashed.test_id] == 0          # the cell that killed the kernel
    assert crash["code"] == expected_code_score(ps, set(crashed.answer_ids))
    nb = cells_by_id(autograded_nb(result, ps.name, "crash"))
    assert "DeadKernelError" in error_text(nb[crashed.answer_ids[0]])


@pytest.mark.slow
def test_feedback_is_html_with_the_messages_but_not_the_hidden_code(run):
    ps, result = run
    feedback = Path(result["course"]) / "feedback"
    for student in students_of(ps.name):
        assert (feedback / student / ps.name / f"{ps.name}.html").exists(), student
    if "monkey" in students_of(ps.name):
        html = (feedback / "monkey" / ps.name / f"{ps.name}.html").read_text()
        # the hidden check's failure, whichever side gave it (see test_monkeypatching_...)
        assert "<html" in html and ("judged by the grader, outside the notebook" in html
                                    or "your code raised an error on every hidden case" in html)
    # the hidden test code is graded (it is in the autograded notebook) but not shown
    full = (feedback / "full" / ps.name / f"{ps.name}.html").read_text()
    graded = autograded_nb(result, ps.name, "full")
    assert "BEGIN HIDDEN TESTS" in "".join(c.source for c in graded.cells)
    assert "BEGIN HIDDEN TESTS" not in full and "_grading_module" not in full
    assert f"Score: {ps.auto_points:.1f} / {ps.auto_points + ps.manual_points:.1f}" in full
    # the grader judged the hidden tests outside the sandbox, in the release's language
    assert ("隐藏测试通过（由评分程序在笔记本之外判定）" if ps.name.endswith("_zh")
            else "hidden tests pass (judged by the grader, outside the notebook)") in full


@pytest.mark.slow
def test_export_gives_the_expected_csv(run):
    ps, result = run
    with open(Path(result["course"]) / "grades.csv", newline="") as f:
        every = list(csv.DictReader(f))
    # one row per student of the class and assignment (the translations are assignments of
    # the same class); a student who handed nothing in for this one has no timestamp and 0
    assert {row["assignment"] for row in every} == set(releases_of(english_of(ps.name)))
    rows = {row["student_id"]: row for row in every if row["assignment"] == ps.name}
    assert set(rows) == set(students_of(english_of(ps.name)))
    submitted = {student for student, row in rows.items() if row["timestamp"]}
    assert submitted == set(students_of(ps.name))
    for student in set(rows) - submitted:
        assert float(rows[student]["raw_score"]) == 0
    for student, score in result["scores"].items():
        row = rows[student]
        assert float(row["raw_score"]) == pytest.approx(score["total"])
        assert float(row["max_score"]) == ps.auto_points + ps.manual_points
    assert float(rows["full"]["raw_score"]) == ps.auto_points
    assert float(rows["partial"]["raw_score"]) == ps.parts[0].points
    assert float(rows["release"]["raw_score"]) == 0


@pytest.mark.slow
def test_validate_passes_the_solution_and_invert_confirms_the_release_fails(run):
    ps, result = run
    code, out = result["validate"]
    assert code == 0 and "Success! Your notebook passes all the tests." in out, out[-2000:]
    code, out = result["validate_invert"]
    assert code == 0 and "Success! The notebook does not pass any tests." in out, out[-2000:]
