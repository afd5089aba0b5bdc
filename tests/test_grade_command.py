"""``backprop-lab grade``: parallel sandboxes give exactly the gradebook of serial nbgrader.

ONE class of problem set 1 (on time: full, release, partial, a kernel crash; late: a full
solution past the due date with the "zero" penalty), copied into three course folders:

    serial     ``nbgrader autograde ps1_gates``                       (the reference)
    parallel   ``backprop-lab grade ps1_gates --jobs 2``
    resumed    ``backprop-lab grade ps1_gates --jobs 2``: one worker is killed while it
               grades, then Ctrl-C; a second run finishes the class

``nbgrader export`` and every grade, comment, flag, timestamp and late penalty must be the
same in all three.  The runs happen once (shared by xdist workers through a file lock).
"""
from __future__ import annotations

import copy
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ROOT / "assignments"
sys.path.insert(0, str(ASSIGNMENTS))
import build_assignments as builder  # noqa: E402

BIN = Path(sys.executable).parent
PS = "ps1_gates"
TIMEOUT = 10
DUE = "2026-11-26 06:00:00 UTC"
ON_TIME, LATE = "2026-11-26 05:00:00.000000 UTC", "2026-11-27 05:00:00.000000 UTC"


def sandbox_or_skip() -> None:
    from backprop_lab.sandbox import isolation
    try:
        isolation.probe()
    except isolation.SandboxUnavailable as error:
        if os.environ.get("BACKPROP_LAB_REQUIRE_SANDBOX"):
            raise
        pytest.skip(f"no sandbox on this machine: {error}")


def run(course: Path, *args, check=True, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run([str(BIN / args[0]), *args[1:]], cwd=course, capture_output=True,
                            text=True, timeout=1500, env=env, **kw)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def cells_by_id(nb) -> dict:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def make_class(template: Path) -> list[str]:
    template.mkdir(parents=True)
    config = (ASSIGNMENTS / "nbgrader_config.py").read_text()
    config += '\nc.LateSubmissionPlugin.penalty_method = "zero"\n'
    (template / "nbgrader_config.py").write_text(config)
    shutil.copytree(ASSIGNMENTS / "source" / PS, template / "source" / PS)
    run(template, "nbgrader", "db", "assignment", "add", PS, f"--duedate={DUE}")
    run(template, "nbgrader", "generate_assignment", PS, "--force")
    ps = builder.PROBLEM_SETS[PS]
    name = f"{PS}.ipynb"
    source = nbformat.read(template / "source" / PS / name, as_version=4)
    release = nbformat.read(template / "release" / PS / name, as_version=4)
    partial = copy.deepcopy(release)
    for cid in ps.parts[0].answer_ids:
        cells_by_id(partial)[cid].source = cells_by_id(source)[cid].source
    crash = copy.deepcopy(source)
    cells_by_id(crash)[ps.parts[2].answer_ids[0]].source += "\nimport os\nos._exit(1)\n"
    students = {"full": (source, ON_TIME), "release": (release, ON_TIME),
                "partial": (partial, ON_TIME), "crash": (crash, ON_TIME), "late": (source, LATE)}
    for student, (nb, stamp) in students.items():
        folder = template / "submitted" / student / PS
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / name)
        (folder / "timestamp.txt").write_text(stamp)
    return sorted(students)


def gradebook_dump(course: Path) -> dict:
    """Everything a grader sees, by student: scores, comments, flags, timestamps, penalties."""
    from nbgrader.api import Gradebook
    dump = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for submission in gb.assignment_submissions(PS):
            nbs = {}
            for nb in submission.notebooks:
                nbs[nb.name] = {
                    "flagged": nb.flagged,
                    "grades": sorted((g.name, g.auto_score, g.manual_score, g.extra_credit,
                                      g.needs_manual_grade) for g in nb.grades),
                    "comments": sorted((c.name, c.auto_comment, c.manual_comment)
                                       for c in nb.comments)}
            dump[submission.student.id] = {
                "timestamp": str(submission.timestamp), "score": submission.score,
                "late_penalty": submission.late_submission_penalty, "notebooks": nbs}
    return dump


def export(course: Path) -> str:
    run(course, "nbgrader", "export")
    return (course / "grades.csv").read_text()


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(c) for c in Path(f"/proc/{parent}/task/{task}/children").read_text().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


def name_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
    except OSError:
        return ""


def interrupted_run(course: Path) -> dict:
    """grade --jobs 2; SIGKILL a worker that is grading; Ctrl-C after the next student."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    process = subprocess.Popen([str(BIN / "backprop-lab"), "grade", PS, "--jobs", "2",
                                "--timeout", str(TIMEOUT)], cwd=course, env=env,
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                               start_new_session=True)
    lines: list = []
    reader = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)
    reader.start()
    killed, interrupted, after_kill = None, False, 0
    deadline = time.monotonic() + 1200
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
        results = [line for line in list(lines) if line.split()[:1] and line.split()[0] in
                   ("full", "release", "partial", "crash", "late")]
        if killed is None:           # a worker (a child of the command) running a sandbox
            workers = [w for w in _children(process.pid) if not name_of(w).endswith("bwrap")
                       and any(name_of(d).endswith("bwrap") for d in descendants(w))]
            if workers:            # killed as soon as its sandbox shows: often while bwrap
                killed = workers[0]          # is still building it (the race of 16:50)
                os.kill(killed, signal.SIGKILL)
                after_kill = len(results)
        elif not interrupted and len(results) > after_kill + 1:
            os.killpg(process.pid, signal.SIGINT)                 # Ctrl-C in a terminal
            interrupted = True
    process.wait(timeout=300)
    reader.join(10)
    return {"returncode": process.returncode, "killed": killed, "interrupted": interrupted,
            "output": "".join(lines),
            "left_behind": sandboxes_left_by([killed, process.pid] if killed else [process.pid])}


def sandbox_processes(graders) -> list[str]:
    """Live processes of the sandboxes the given grading processes started: their command
    lines hold the kernel's private folder, which is named after the grading process (the
    bwrap command binds it, the kernel is given its connection file in it)."""
    marks = [f"bpl-kernel-{pid}-".encode() for pid in graders]
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X") and any(mark in cmdline for mark in marks):
            text = cmdline.replace(b"\0", b" ")[:200].decode(errors="replace")
            found.append(f"{entry}: {text}")
    return found


def sandboxes_left_by(graders, guard: float = 120.0) -> list[str]:
    """The sandbox processes of ``graders`` still alive once they had time to die (a dead
    process's children get their kill signal at once; ``guard`` only bounds the wait on a
    busy machine)."""
    deadline = time.monotonic() + guard
    while sandbox_processes(graders) and time.monotonic() < deadline:
        time.sleep(0.2)
    return sandbox_processes(graders)


def scratch_folders(graders) -> list[str]:
    """Private kernel folders (copies of submissions, sockets, logs) of the given graders."""
    import tempfile
    return sorted(str(p) for pid in graders
                  for p in Path(tempfile.gettempdir()).glob(f"bpl-kernel-{pid}-*"))


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            found += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            pass
    return found


def run_everything(base: Path) -> dict:
    template = base / "template"
    students = make_class(template)
    courses = {name: base / name for name in ("serial", "parallel", "resumed", "formgrader")}
    for course in courses.values():
        shutil.copytree(template, course)
    result = {"students": students}
    started = time.monotonic()
    run(courses["serial"], "nbgrader", "autograde", PS, f"--Execute.timeout={TIMEOUT}")
    result["serial_seconds"] = time.monotonic() - started
    started = time.monotonic()
    parallel = run(courses["parallel"], "backprop-lab", "grade", PS, "--jobs", "2",
                   "--timeout", str(TIMEOUT))
    result["parallel_seconds"] = time.monotonic() - started
    result["parallel_output"] = parallel.stderr
    result["interrupted"] = interrupted_run(courses["resumed"])
    result["journal"] = json.loads((courses["resumed"] / ".backprop-lab-grade" / f"{PS}.json")
                                   .read_text())
    result["export_after_interrupt"] = run(courses["resumed"], "nbgrader", "export",
                                           check=False).returncode
    resumed = run(courses["resumed"], "backprop-lab", "grade", PS, "--jobs", "2",
                  "--timeout", str(TIMEOUT), check=False)
    result["resume_output"], result["resume_returncode"] = resumed.stderr, resumed.returncode
    killed = result["interrupted"]["killed"]         # its folder: removed by the next run
    result["killed_worker_folders"] = scratch_folders([killed]) if killed else []
    result["template"] = str(template)
    result["formgrader"] = formgrader_autograde(courses.pop("formgrader"), "crash")
    for name, course in courses.items():
        result[f"{name}_export"] = export(course)
        result[f"{name}_gradebook"] = gradebook_dump(course)
    return result


FORMGRADER = """
import asyncio, json, sys
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader
course, student = sys.argv[1], sys.argv[2]
config = PyFileConfigLoader("nbgrader_config.py", path=course).load_config()
api = NbGraderAPI(CourseDirectory(config=config, root=course), config=config)

async def button():        # the Formgrader's handler calls the API inside the server's loop
    return api.autograde("ps1_gates", student)
print(json.dumps(asyncio.run(button())))
"""


def formgrader_autograde(course: Path, student: str) -> dict:
    """What the Formgrader's autograde button does (NbGraderAPI.autograde in a running loop)."""
    done = run(course, "python", "-c", FORMGRADER, str(course), student)
    reply = json.loads(done.stdout.strip().splitlines()[-1])
    return {"success": reply["success"], "log": reply.get("log", "")[-3000:],
            "gradebook": gradebook_dump(course).get(student)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    sandbox_or_skip()
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "grade-command"
    shared.mkdir(exist_ok=True)
    result_file = shared / "result.json"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not result_file.exists():
            result_file.write_text(json.dumps(run_everything(shared / "courses"), default=str))
    return json.loads(result_file.read_text())


def export_rows(export: str) -> tuple:
    """The header and the sorted rows of an export: nbgrader export lists students in the
    order they entered the gradebook, and parallel workers (also in an interrupted run and
    the run that resumes it) add them in whatever order they happen to start."""
    header, *lines = export.splitlines()
    return header, sorted(lines)


@pytest.mark.slow
def test_parallel_grades_exactly_like_serial_nbgrader(graded):
    assert export_rows(graded["parallel_export"]) == export_rows(graded["serial_export"])
    assert graded["parallel_gradebook"] == graded["serial_gradebook"]
    serial = graded["serial_gradebook"]
    ps = builder.PROBLEM_SETS[PS]
    assert serial["full"]["score"] == ps.auto_points and serial["release"]["score"] == 0
    assert serial["late"]["late_penalty"] == ps.auto_points      # "zero": all points taken off
    assert serial["crash"]["score"] < ps.auto_points


@pytest.mark.slow
def test_progress_shows_every_student_with_the_score(graded):
    output = graded["parallel_output"]
    for student in graded["students"]:
        assert any(line.startswith(student) for line in output.splitlines()), output
    assert "full                 18/20  (autograded 18/18)" in output
    assert "late penalty 18" in output
    assert "5/5  elapsed" in output and "ETA" in output
    assert "done: 5 graded, 0 failed" in output


@pytest.mark.slow
def test_a_killed_worker_loses_only_its_student_and_ctrl_c_stops_cleanly(graded):
    run = graded["interrupted"]
    assert run["killed"], run["output"]
    assert run["interrupted"], run["output"]
    assert run["returncode"] == 130, run["output"]
    assert "the grading worker died" in run["output"]
    assert "stopped:" in run["output"] and "the next run grades them" in run["output"]
    assert graded["journal"], "the unfinished students are remembered"
    assert graded["export_after_interrupt"] == 0          # the gradebook stays usable
    # the worker was SIGKILLed the moment its sandbox appeared, mostly while bwrap was still
    # building it: bwrap's own --die-with-parent is set only after that (a sandbox and its
    # kernel outlived such a worker), so the grader sets it before bwrap even runs
    assert not run["left_behind"], run["left_behind"]
    assert not graded["killed_worker_folders"], "the next run removes a dead grader's folders"


@pytest.mark.slow
def test_the_next_run_finishes_the_class_with_the_same_grades(graded):
    assert graded["resume_returncode"] == 0, graded["resume_output"]
    assert "already graded" in graded["resume_output"]
    assert export_rows(graded["resumed_export"]) == export_rows(graded["serial_export"])
    assert graded["resumed_gradebook"] == graded["serial_gradebook"]


@pytest.mark.slow
def test_the_formgrader_button_grades_in_the_sandbox_too(graded):
    button = graded["formgrader"]
    assert button["success"], button["log"]
    assert button["gradebook"] == graded["serial_gradebook"]["crash"]
    assert "the kernel died at cell" in button["log"]        # the sandboxed executor's log


# ------------------------------------------------------------------ a grader that is killed
LOOPS = ("loop_a", "loop_b")
LOOP_TIMEOUT = 3           # the run that must finish stops each loop after 3 s
# The run that is killed lets a loop run longer than the test can last: both workers are
# still inside their notebooks when the kill comes, however slowly a busy machine starts
# their kernels (with 3 s, one worker could finish its student before the other's kernel
# had used the CPU that marks it busy, and the grader ended before it was killed).
KILLED_RUN_TIMEOUT = 900


def loop_course(template: Path, folder: Path) -> Path:
    """The class's course with two students instead, whose part 2 loops for ever."""
    shutil.copytree(template, folder, ignore=shutil.ignore_patterns("submitted"))
    loop = nbformat.read(folder / "source" / PS / f"{PS}.ipynb", as_version=4)
    cells_by_id(loop)[builder.PROBLEM_SETS[PS].parts[1].answer_ids[0]].source = \
        "while True:\n    pass\n"
    for student in LOOPS:
        target = folder / "submitted" / student / PS
        target.mkdir(parents=True)
        nbformat.write(loop, target / f"{PS}.ipynb")
        (target / "timestamp.txt").write_text(ON_TIME)
    return folder


def busy_kernels(graders) -> int:
    """Kernels of these graders that have run cells (more CPU than a kernel's start)."""
    busy = 0
    for line in sandbox_processes(graders):
        pid = int(line.split(":")[0])
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        busy += "ipykernel" in line and sum(map(int, fields[11:13])) > 1.5 * os.sysconf("SC_CLK_TCK")
    return busy


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c nbgrader autograde", "SIGKILL nbgrader autograde",
                                 "SIGKILL backprop-lab grade --jobs 2"])
def test_a_grader_killed_in_the_middle_of_a_notebook_leaves_no_sandbox_behind(graded,
                                                                              tmp_path, how):
    """Kill the grading process while its kernels run cells: no bwrap, kernel or worker of
    that run may remain (last session one bwrap and its kernel did, orphaned); a worker of
    ``backprop-lab grade`` dies with its parent (before, it went on grading) and the
    students it was grading are regraded by the next run."""
    course = loop_course(Path(graded["template"]), tmp_path / "course")
    if "nbgrader" in how:
        argv, wanted = ["nbgrader", "autograde", PS, "--student", LOOPS[0],
                        f"--Execute.timeout={KILLED_RUN_TIMEOUT}"], 1
    else:
        argv, wanted = ["backprop-lab", "grade", PS, "--jobs", "2",
                        "--timeout", str(KILLED_RUN_TIMEOUT)], 2
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    with open(tmp_path / "log", "w") as log:
        process = subprocess.Popen([str(BIN / argv[0]), *argv[1:]], cwd=course, env=env,
                                   stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 900
        graders = [process.pid]
        while busy_kernels(graders) < wanted:
            assert process.poll() is None and time.monotonic() < deadline, \
                (tmp_path / "log").read_text()[-3000:]
            time.sleep(0.2)
            if wanted > 1:                  # backprop-lab grade: its workers grade
                graders = [process.pid, *_children(process.pid)]
        workers = graders[1:]
        if how.startswith("ctrl-c"):
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.kill()
        process.wait(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
    left = sandboxes_left_by(graders)
    assert not left, left
    assert all(gone(w) for w in workers), workers
    if how.startswith("ctrl-c"):
        assert not scratch_folders(graders), "an interrupted grader removes its folders"
    if workers:
        assert not scratch_folders(workers), "a worker stopped by its parent's death cleans up"
        journal = json.loads((course / ".backprop-lab-grade" / f"{PS}.json").read_text())
        assert set(journal) == set(LOOPS), journal         # both were in the middle
        assert set(journal.values()) == {"running"}, journal
        again = run(course, "backprop-lab", "grade", PS, "--jobs", "2",
                    "--timeout", str(LOOP_TIMEOUT))
        assert f"done: {len(journal)} graded, 0 failed" in again.stderr, again.stderr
        assert json.loads((course / ".backprop-lab-grade" / f"{PS}.json").read_text()) == {}


def test_grade_refuses_outside_a_course_folder(tmp_path, monkeypatch, capsys):
    from backprop_lab.cli import main
    monkeypatch.chdir(tmp_path)
    assert main(["grade", "ps1_gates", "--jobs", "1"]) == 2
    assert "run it in the course folder" in capsys.readouterr().err


def test_grade_command_line(capsys):
    from backprop_lab.cli import main
    with pytest.raises(SystemExit):
        main(["grade", "ps1_gates", "--jobs", "0"])
    assert "--jobs must be at least 1" in capsys.readouterr().err


# ------------------------------------------------------------------ a busy machine
BUSY_LOOP = "import os, sys\nos.sched_setaffinity(0, {int(sys.argv[1])})\nwhile True:\n    pass\n"


@pytest.mark.slow
def test_a_full_solution_keeps_every_point_on_a_deliberately_busy_machine(tmp_path):
    """The full ps3_layers solution, graded while three busy loops share its one core.

    The grading (nbgrader, its workers, the sandboxes) is pinned to one core together with
    three processes that never stop computing, so every cell gets at most about a quarter of
    that core: the training part's test cell (about 2 s of CPU) then needs far more wall-clock
    seconds than its 6 s limit -- with a wall-clock limit it lost its 4 points, as an honest
    hand-in did on the loaded machine.  Cells are charged the CPU time their sandbox used,
    so every point is kept."""
    sandbox_or_skip()
    ps_name = "ps3_layers"
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ASSIGNMENTS / "nbgrader_config.py", course)
    shutil.copytree(ASSIGNMENTS / "source" / ps_name, course / "source" / ps_name)
    run(course, "nbgrader", "generate_assignment", ps_name, "--force")
    folder = course / "submitted" / "full" / ps_name
    folder.mkdir(parents=True)
    shutil.copy(course / "source" / ps_name / f"{ps_name}.ipynb", folder)
    core = min(os.sched_getaffinity(0))
    loops = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP, str(core)]) for _ in range(3)]
    try:
        graded = run(course, "backprop-lab", "grade", ps_name, "--jobs", "1", "--timeout", "6",
                     preexec_fn=lambda: os.sched_setaffinity(0, {core}))
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    from nbgrader.api import Gradebook
    ps = builder.PROBLEM_SETS[ps_name]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebook = gb.find_submission_notebook(ps_name, ps_name, "full")
        lost = {g.name: (g.auto_score, g.max_score) for g in notebook.grades
                if g.auto_score is not None and g.auto_score < g.max_score}
        assert notebook.code_score == ps.auto_points, (lost, graded.stderr[-3000:])
