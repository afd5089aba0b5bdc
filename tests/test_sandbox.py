"""backprop_lab.sandbox: the bubblewrap sandbox, the executor, trusted verdicts, review.

The executor tests run ``SandboxedExecute`` directly on small notebooks (a real kernel in a
real sandbox each time, no nbgrader course); the whole pipeline with deliberate students
is tests/test_attacks.py.  Without bubblewrap these tests fail with what to install when
``BACKPROP_LAB_REQUIRE_SANDBOX`` is set (CI), and are skipped otherwise.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from backprop_lab.sandbox import isolation, review, verdicts
from backprop_lab.sandbox.isolation import Limits, Sandbox, SandboxUnavailable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "assignments"))
import build_assignments as builder  # noqa: E402


def sandbox_or_skip():
    try:
        return isolation.probe(sys.executable)
    except SandboxUnavailable as error:
        if os.environ.get("BACKPROP_LAB_REQUIRE_SANDBOX"):
            raise
        pytest.skip(f"no sandbox on this machine: {error}")


needs_sandbox = pytest.fixture(sandbox_or_skip)


# ------------------------------------------------------------------ isolation
def run_in_sandbox(tmp_path, code: str, env: dict = None,
                   lifeline: int | None = None) -> subprocess.CompletedProcess:
    mode = sandbox_or_skip()
    work, ipc = tmp_path / "work", tmp_path / "ipc"
    work.mkdir()
    ipc.mkdir()
    (work / "shipped.txt").write_text("data the release shipped")
    slot = isolation.UidSlot() if mode == "root" else None     # a user id of its own
    try:
        if slot:
            for path in (work, work / "shipped.txt", ipc):
                os.chown(path, slot.uid, slot.uid)
        box = Sandbox(layout=isolation.python_layout(sys.executable), mode=mode,
                      workdir=str(work), name="ps1", ipc_dir=str(ipc), env=env or {},
                      limits=Limits(processes=40), uid=slot.uid if slot else None,
                      forbidden=[str(ROOT / "assignments")], lifeline=lifeline)
        return subprocess.run(box.command([sys.executable, "-c", code]), capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL,
                              pass_fds=() if lifeline is None else (lifeline,))
    finally:
        if slot:
            slot.release()


def test_the_sandbox_sees_only_what_a_submission_needs(tmp_path):
    import backprop_lab
    package = os.path.dirname(backprop_lab.__file__)
    code = f"""
import os, socket, json
report = {{"uid": os.getuid(), "cwd": os.getcwd(), "files": sorted(os.listdir(".")),
          "course": os.path.exists({str(ROOT / "assignments")!r}),
          "home": os.environ["HOME"], "secret": os.environ.get("GRADER_SECRET")}}
for target in ({os.path.join(package, "__init__.py")!r}, {sys.prefix + "/zz.pth"!r}):
    try:
        open(target, "a").close()
        report[target] = "written"
    except OSError as error:
        report[target] = error.errno
try:
    socket.create_connection(("127.0.0.1", 22), timeout=2)
    report["network"] = "connected"
except OSError as error:
    report["network"] = type(error).__name__
open("/tmp/scratch", "w").write("private")
open(os.path.expanduser("~/note"), "w").write("private")
import backprop_lab
print(json.dumps(report))
"""
    os.environ["GRADER_SECRET"] = "do-not-leak"
    try:
        done = run_in_sandbox(tmp_path, code)
    finally:
        del os.environ["GRADER_SECRET"]
    assert done.returncode == 0, done.stderr
    import json
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["uid"] != 0
    assert report["cwd"] == "/home/student/ps1" and report["files"] == ["shipped.txt"]
    assert report["course"] is False and report["secret"] is None
    assert report[os.path.join(package, "__init__.py")] in (13, 30)    # EACCES or EROFS
    assert report[sys.prefix + "/zz.pth"] in (13, 30)                 # EACCES or EROFS
    assert report["network"] != "connected"
    assert not (tmp_path / "work" / "scratch").exists()


@pytest.mark.parametrize("grader", ["alive", "gone"])
def test_a_sandbox_whose_grader_is_gone_never_starts_its_kernel(tmp_path, grader):
    """The launcher starts the kernel only while the grader holds the other end of the
    lifeline pipe: a grader that died while bwrap was building the sandbox (before bwrap
    ties its process 1 to its own life) must not leave a kernel running for good."""
    inside, outside = os.pipe()
    try:
        if grader == "gone":
            os.close(outside)
        done = run_in_sandbox(tmp_path, "print('kernel started')", lifeline=inside)
    finally:
        os.close(inside)
        if grader == "alive":
            os.close(outside)
    if grader == "alive":
        assert done.returncode == 0 and "kernel started" in done.stdout, done.stderr
    else:
        assert done.returncode == 70 and "kernel started" not in done.stdout, done.stderr


def test_a_process_started_for_a_grader_dies_with_the_thread_that_started_it():
    """``die_with_this_thread`` (bwrap and unsafe kernels are started with it): Linux kills
    the child when the starting thread ends -- whatever way the grader ends."""
    started = {}

    def start():
        started["process"] = subprocess.Popen(
            ["sleep", "600"], preexec_fn=isolation.die_with_this_thread())
    thread = threading.Thread(target=start)
    thread.start()
    thread.join()
    process = started["process"]
    try:
        assert process.wait(timeout=60) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()


def test_limits_stop_a_fork_bomb_and_a_memory_hog(tmp_path):
    code = """
import os
children = 0
try:
    for _ in range(500):
        if os.fork() == 0:
            import time; time.sleep(30); os._exit(0)
        children += 1
except OSError:
    pass
print("children", children)
try:
    block = bytearray(6 << 30)
    print("allocated")
except MemoryError:
    print("memory refused")
"""
    done = run_in_sandbox(tmp_path, code)
    assert done.returncode == 0, done.stderr
    children = int(re.search(r"children (\d+)", done.stdout).group(1))
    assert children < 60 and "memory refused" in done.stdout, done.stdout


def test_readonly_paths_never_expose_the_course():
    layout = {"base_prefix": "/usr", "base_exec_prefix": "/usr", "prefix": "/opt/venv",
              "exec_prefix": "/opt/venv", "executable": "/usr/bin/python3", "python": "/usr/bin/python3",
              "package": [str(ROOT / "backprop_lab")],
              "path": [str(ROOT), "/opt/venv/lib/python3/site-packages", "/", ""]}
    paths = isolation.readonly_paths(layout, [str(ROOT / "assignments")])
    assert str(ROOT / "backprop_lab") in paths
    assert str(ROOT) not in paths and "/" not in paths      # they contain the course


def test_without_bubblewrap_grading_refuses_and_says_what_to_install(monkeypatch):
    monkeypatch.setattr(isolation, "bwrap_path", lambda: None)
    monkeypatch.setattr(isolation, "_PROBED", {})
    with pytest.raises(SandboxUnavailable, match=r"apt-get install bubblewrap.*--unsafe"):
        isolation.probe(sys.executable)
    from backprop_lab.sandbox.executor import SandboxedExecute
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    with pytest.raises(SandboxUnavailable):
        SandboxedExecute().preprocess(nb, {"metadata": {"path": "."}})


# ------------------------------------------------------------------ the executor
def execute(tmp_path, sources: list, *, timeout: int = 30, **traits) -> list:
    from backprop_lab.sandbox.executor import SandboxedExecute
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    SandboxedExecute(timeout=timeout, **traits).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    return nb.cells


def stdout_of(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")


def enames(cell) -> list:
    return [o.get("ename") for o in cell.outputs if o.get("output_type") == "error"]


@pytest.mark.slow
def test_second_kernel_crash_replays_without_the_first_crashing_cell(needs_sandbox, tmp_path):
    """Each new kernel is ready on the shell *and* IOPub channels before a cell is sent,
    so the replay never loses output to a slow IOPub (this was flaky under load)."""
    crash = "import os\nos._exit(1)"
    cells = execute(tmp_path, ["a = 1", crash, "b = 2", crash, "print(a, b)"])
    for index in (1, 3):
        assert enames(cells[index]) == ["DeadKernelError"]
    assert stdout_of(cells[4]) == "1 2\n", cells[4].outputs        # state kept after 2 crashes


@pytest.mark.slow
def test_an_error_reply_without_traceback_output_still_fails_the_cell(needs_sandbox, tmp_path):
    """``showtraceback`` switched off: no error output is displayed, but the kernel replies
    "error"; the executor records that reply on the cell."""
    from nbgrader.utils import determine_grade
    cells = execute(tmp_path, ["get_ipython().showtraceback = lambda *args, **kwargs: None",
                               "raise AssertionError('hidden test failed')"])
    cells[1].metadata["nbgrader"] = {"grade": True, "solution": False, "points": 3,
                                     "grade_id": "t", "schema_version": 3, "locked": True}
    assert [(o.ename, o.evalue) for o in cells[1].outputs] == [("AssertionError", "hidden test failed")]
    assert determine_grade(cells[1], None) == (0, 3.0)


@pytest.mark.slow
def test_a_kernel_dying_after_its_cell_finished_blames_that_cell_only(needs_sandbox, tmp_path):
    cells = execute(tmp_path, [
        "a = 1",
        "b = 2\nexit()",                                                       # dies after
        "import threading, os\nc = 3\nthreading.Timer(0.5, os._exit, (1,)).start()",  # later
        "import time\ntime.sleep(1.5)\nprint(a)",
        "print(a, b if 'b' in dir() else 'no b', c if 'c' in dir() else 'no c')"])
    assert "after this cell finished" in cells[1].outputs[-1]["evalue"]
    assert "after this cell finished" in cells[2].outputs[-1]["evalue"]
    assert enames(cells[3]) == [] and stdout_of(cells[3]) == "1\n"
    assert stdout_of(cells[4]) == "1 no b no c\n"    # the others ran again without them


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.05, 0.3, 1.0, 2.0])
def test_a_timer_killing_the_kernel_is_blamed_however_fast_the_cells_after_it_run(
        needs_sandbox, tmp_path, delay):
    """A timer calling ``os._exit`` some time after its cell: the kernel dies during a later
    cell, between cells, or after the last one (the CI once graded such a notebook to the
    end before the timer fired, and the part kept its points). Whatever the delay and the
    machine's speed, the timer's cell is the one left out, and only it."""
    from backprop_lab.sandbox.executor import KERNEL_DIED, KERNEL_DIED_AFTER
    cells = execute(tmp_path, [
        "a = 1",
        f"b = 2\nimport os, threading\nthreading.Timer({delay}, os._exit, (1,)).start()",
        "c = 3",
        "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3:\n    pass",
        "print(a, 'b' in dir(), c)"])
    assert enames(cells[1]) == ["DeadKernelError"]
    # a 0.05 s timer may fire before the cell's reply is out: then it died "while running"
    assert cells[1].outputs[-1]["evalue"] in (KERNEL_DIED_AFTER, KERNEL_DIED)
    assert [enames(cells[i]) for i in (0, 2, 3, 4)] == [[], [], [], []]
    assert stdout_of(cells[4]) == "1 False 3\n"


@pytest.mark.slow
def test_sandboxed_kernels_load_the_compiled_graphviz_from_a_read_only_cache(needs_sandbox,
                                                                            tmp_path):
    """The sandbox's home is new for every kernel; the compiled embedded Graphviz comes
    from a folder filled once on the grader's side, which no kernel can write."""
    cells = execute(tmp_path, [
        "import os, time\nfrom backprop_lab import render_graphviz as rg\n"
        "t = time.process_time()\nprint(rg._embedded_graphviz().load, os.listdir(rg.cache_directory()))",
        # the sandbox limits the address space: drawing works there too (it did not with
        # wasmtime's default 4 GiB memory reservation)
        "import backprop_lab as bl\nx = bl.var(2.0, name='x')\n"
        "print('<svg' in rg.svg_from_dot(bl.draw(x * x).source, 'wasm'))",
        "import os\ntry:\n    open(os.path.join(os.environ['BACKPROP_LAB_CACHE_DIR'], 'x'), 'w')\n"
        "except OSError as error:\n    print(type(error).__name__, error.errno)"])
    loaded, files = stdout_of(cells[0]).split(" ", 1)
    assert loaded == "cache" and "-epoch-reserve1g.cwasm" in files, cells[0].outputs
    assert stdout_of(cells[1]) == "True\n", cells[1].outputs
    assert stdout_of(cells[2]) == "OSError 30\n"           # EROFS: read-only


def _fresh_cache_process(monkeypatch, tmp_path):
    """A grading process of its own (nothing probed yet), its cache folder and /tmp in
    tmp_path: what it leaves in /tmp is its own, whatever else runs on the machine."""
    import tempfile
    monkeypatch.setenv("BACKPROP_LAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(isolation, "_PROBED", {})
    (tmp_path / "tmp").mkdir(exist_ok=True)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))


@pytest.mark.slow
def test_the_compiled_graphviz_of_the_sandboxes_is_kept_in_one_folder_per_user(monkeypatch,
                                                                              tmp_path):
    """Every grading process used to copy it into a new /tmp/bpl-graphviz-* folder, and one
    was left behind per run; now one folder per user, filled by the first run, checked (not
    rewritten) by the next ones, repaired when its file is broken, and nothing in /tmp."""
    _fresh_cache_process(monkeypatch, tmp_path)
    folder = isolation.graphviz_cache(sys.executable)
    assert folder == str(tmp_path / "cache" / "sandbox")
    files = os.listdir(folder)
    assert len(files) == 1 and files[0].endswith("-epoch-reserve1g.cwasm"), files
    compiled = Path(folder, files[0])
    assert (os.stat(folder).st_mode & 0o777, compiled.stat().st_mode & 0o777) == (0o755, 0o644)
    kept = compiled.stat()

    _fresh_cache_process(monkeypatch, tmp_path)             # the next grading run
    assert isolation.graphviz_cache(sys.executable) == folder
    again = compiled.stat()
    assert (again.st_ino, again.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)

    compiled.write_bytes(compiled.read_bytes()[:1000])      # a broken file: replaced
    _fresh_cache_process(monkeypatch, tmp_path)
    assert isolation.graphviz_cache(sys.executable) == folder
    assert compiled.stat().st_size == kept.st_size and os.listdir(folder) == files
    assert os.listdir(tmp_path / "tmp") == []


def test_the_sandbox_cache_holds_every_compiled_graphviz_its_kernels_load(monkeypatch,
                                                                         tmp_path):
    """Kernels allowed 8 GiB of address space or more draw small circuits with a second
    compiled copy of the embedded Graphviz (without interruption checks): the folder gets
    both, so that no sandboxed kernel compiles one (the default 4 GiB: one copy, above)."""
    import shutil
    from backprop_lab import render_graphviz
    grader = [path for path in render_graphviz.load_modules() if path.exists()]
    _fresh_cache_process(monkeypatch, tmp_path)
    (tmp_path / "cache").mkdir(mode=0o700)
    for path in grader:                              # the grader's cache: copied, not compiled
        shutil.copyfile(path, tmp_path / "cache" / path.name)
    folder = isolation.graphviz_cache(sys.executable, memory=16 << 30)
    assert folder == str(tmp_path / "cache" / "sandbox")
    assert sorted(name.rsplit("-", 1)[1] for name in os.listdir(folder)) == [
        "epoch.cwasm", "plain.cwasm"]


def test_a_cache_folder_others_could_write_is_not_used(monkeypatch, tmp_path):
    """Its files run as machine code in every sandbox: a folder writable by others, or a
    symbolic link, is refused (grading then fills a temporary folder, removed at exit)."""
    monkeypatch.setenv("BACKPROP_LAB_CACHE_DIR", str(tmp_path / "cache"))
    assert isolation.sandbox_cache_folder() == str(tmp_path / "cache" / "sandbox")
    os.chmod(tmp_path / "cache" / "sandbox", 0o777)
    assert isolation.sandbox_cache_folder() is None
    os.rmdir(tmp_path / "cache" / "sandbox")
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", tmp_path / "cache" / "sandbox")
    assert isolation.sandbox_cache_folder() is None


def test_the_cell_sent_last_is_the_first_suspect_when_the_kernel_dies():
    """A cell calling ``os._exit`` at once often takes its "busy" message with it: "not seen
    running" must not shift the blame to the cell before (that cost a probe of an innocent
    cell and a second death in a third of the crashing notebooks) -- unless that cell's
    reply asked the kernel to exit (``exit()``).  A thread left running comes first."""
    from backprop_lab.sandbox.executor import SandboxedExecute, _Incarnation, _NotebookRun

    def died(current, started, last, exit_asked=None, starters=()):
        life = _Incarnation.__new__(_Incarnation)
        life.current, life.current_started, life.last_finished = current, started, last
        life.exit_asked, life.starters = exit_asked, list(starters)
        return life

    executor = SandboxedExecute()
    executor._run = _NotebookRun()
    assert executor._suspect(died(9, True, 7)) == 9
    assert executor._suspect(died(9, False, 7)) == 9
    assert executor._suspect(died(9, False, 7, exit_asked=7)) == 7
    assert executor._suspect(died(9, True, 7, exit_asked=7)) == 9
    assert executor._suspect(died(None, False, 7)) == 7
    assert executor._suspect(died(9, True, 7, starters=[3])) == 3
    executor._run.innocent.add(7)
    assert executor._suspect(died(9, False, 7, exit_asked=7)) == 9


@pytest.mark.slow
def test_a_loop_deaf_to_interrupts_is_stopped_and_the_rest_graded(needs_sandbox, tmp_path):
    deaf = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "while True:\n    pass")
    swallow = ("while True:\n    try:\n        while True:\n            pass\n"
               "    except KeyboardInterrupt:\n        pass")
    cells = execute(tmp_path, ["a = 1", "while True:\n    pass", deaf, swallow, "print(a)"],
                    timeout=3)
    # the plain loop is interrupted (KeyboardInterrupt; on a very busy machine perhaps stopped
    # like the deaf one): either way its cell records a CellTimeoutError
    assert "CellTimeoutError" in enames(cells[1])
    assert enames(cells[2]) == ["CellTimeoutError", "CellTimeoutError"]
    assert "did not stop when it was interrupted" in cells[2].outputs[-1]["evalue"]
    # swallowing KeyboardInterrupt: stopped the same way (unless an interrupt happens to land
    # between its two loops, when it ends like the plain loop)
    assert enames(cells[3])[-1] == "CellTimeoutError"
    assert stdout_of(cells[4]) == "1\n"


@pytest.mark.slow
def test_a_cell_is_charged_its_cpu_time_not_the_wall_clock(needs_sandbox, tmp_path):
    """Waiting costs a cell nothing (it is how a busy machine looks to a cell: little CPU
    for a long time); computing past the limit stops it, with a message that says so."""
    cells = execute(tmp_path, ["import time\ntime.sleep(4)\nprint('slept')",
                               "while True:\n    pass", "print('after')"], timeout=2)
    assert enames(cells[0]) == [] and stdout_of(cells[0]) == "slept\n"
    assert "CellTimeoutError" in enames(cells[1])
    timeout = next(o for o in cells[1].outputs if o.get("ename") == "CellTimeoutError")
    assert "more than 2 s of CPU time" in timeout["evalue"]
    assert stdout_of(cells[2]) == "after\n"


@pytest.mark.slow
def test_a_cell_that_waits_forever_is_stopped_by_the_wall_clock_guard(needs_sandbox, tmp_path):
    cells = execute(tmp_path, ["import time\ntime.sleep(10 ** 6)", "print('after')"],
                    timeout=30, hang_timeout=3)
    timeout = next(o for o in cells[0].outputs if o.get("ename") == "CellTimeoutError")
    assert "more than 3 s of wall-clock time while using little CPU" in timeout["evalue"]
    assert stdout_of(cells[1]) == "after\n"


@pytest.mark.slow
def test_a_cell_killed_from_outside_just_runs_again(needs_sandbox, tmp_path):
    """The kernel killed by something else (the OOM killer, an administrator) while a cell
    ran: that cell is not blamed -- it runs again in a new kernel and keeps its points."""
    marker = b"kill-the-kernel-now"
    killed = []

    def kill_the_kernel_once():
        deadline = time.monotonic() + 120
        while not killed and time.monotonic() < deadline:
            time.sleep(0.2)
            tree = {pid: cmdline(pid) for pid in descendants(os.getpid())}
            if any(marker in line for line in tree.values()):      # the cell is running
                for pid, line in tree.items():
                    if line.split(b"\0")[1:3] == [b"-m", b"ipykernel_launcher"]:   # the kernel
                        os.kill(pid, signal.SIGKILL)
                        killed.append(pid)
                        return

    killer = threading.Thread(target=kill_the_kernel_once, daemon=True)
    killer.start()
    cells = execute(tmp_path, [
        "a = 1",
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)  # {marker.decode()}'])\n"
        "time.sleep(3)\nprint(a)"])
    killer.join()
    assert killed, "the test could not find the kernel"
    assert enames(cells[1]) == [] and stdout_of(cells[1]) == "1\n"


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def descendants(pid: int) -> list:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in os.listdir(f"/proc/{parent}/task") if os.path.exists(f"/proc/{parent}") else []:
            try:
                children = Path(f"/proc/{parent}/task/{task}/children").read_text().split()
            except OSError:
                continue
            found += [int(c) for c in children]
            todo += [int(c) for c in children]
    return found


@pytest.mark.slow
def test_processes_left_running_by_a_cell_are_killed_when_it_ends(needs_sandbox, tmp_path):
    cells = execute(tmp_path, [
        "import subprocess, sys\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'],"
        " start_new_session=True)",
        "import time\ntime.sleep(0.5)\nprint(child.poll())"])
    assert stdout_of(cells[1]) == "-9\n"


@pytest.mark.slow
def test_output_is_limited_in_bytes(needs_sandbox, tmp_path):
    cells = execute(tmp_path, ["print('x' * 5_000_000)", "for i in range(3000):\n    print('y' * 1000)",
                               "print('still here')"], cell_output_limit=100_000,
                    notebook_output_limit=150_000)
    sizes = [sum(len(o.get("text", "")) for o in c.outputs) for c in cells]
    assert sizes[0] < 100_300 and sizes[1] < 50_300
    assert "[output cut" in stdout_of(cells[0]) and "[output cut" in stdout_of(cells[1])
    assert stdout_of(cells[2]) == "" or "[output cut" in stdout_of(cells[2])


@pytest.mark.slow
def test_unsafe_runs_without_a_sandbox_and_says_so(tmp_path):
    cells = execute(tmp_path, ["import os\nprint(os.getuid() == %d)" % os.getuid()], unsafe=True)
    assert "WITHOUT a sandbox" in cells[0].outputs[0]["text"]
    assert stdout_of(cells[0]).endswith("\nTrue\n")           # the note comes first


# ------------------------------------------------------------------ trusted verdicts
def test_the_task_of_a_test_cell_comes_from_its_hidden_section():
    source = builder.PROBLEM_SETS["ps1_gates"].cells
    test = next(c for c in source if c.kind == "tests")
    assert verdicts.hidden_task(test.source) == test.task
    assert verdicts.hidden_task("grading.check('ps1.max_gate', MaxGate=MaxGate)") is None


@pytest.mark.parametrize("records, problem", [
    ([], "no hidden results"),
    ([{}, {}], "2 hidden results"),
    (["junk"], "malformed"),
    ([{"version": 1, "task": "ps1.max_gate", "run": "r1", "results": []}], "not for this cell"),
    ([{"version": 1, "task": "ps1.multiply_gate", "run": "r0", "results": []}], "another grading run"),
    ([{"version": 1, "task": "ps1.multiply_gate", "run": "r1", "results": "x"}], "malformed"),
])
def test_invalid_hidden_results_score_zero_with_a_reason(records, problem):
    verdict = verdicts.judge_cell("ps1.multiply_gate", records, "r1", salt=5)
    assert not verdict.passed and problem in verdict.problem
    output = verdict.output()
    assert output.output_type == "error" and "flagged for review" in output.evalue


def test_after_the_run_every_graded_cell_needs_an_error_or_its_signed_verdict():
    from backprop_lab.sandbox.executor import SandboxedExecute, _NotebookRun
    source = ("grading.check('ps1.multiply_gate', MultiplyGate=MultiplyGate)\n"
              "_grading_module.verify_isolated('ps1.multiply_gate', MultiplyGate=MultiplyGate)")
    meta = {"nbgrader": {"grade": True, "solution": False, "locked": True, "points": 3,
                         "grade_id": "q1_tests", "schema_version": 3}}
    executor = SandboxedExecute()
    executor._run = _NotebookRun()
    executor.resources = {}
    lookalike = verdicts.Verdict("ps1.multiply_gate", True).output()     # printed by a kernel
    signed = verdicts.Verdict("ps1.multiply_gate", True).output()
    executor._run.signatures["q1_tests"] = verdicts.attest(
        signed, executor._run.secret, executor._run.run_id, "q1_tests", "ps1.multiply_gate")
    executor.nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(source, metadata=meta, outputs=[lookalike]),
        nbformat.v4.new_code_cell(source, metadata=meta, outputs=[signed])])
    executor.nb.cells[0].metadata["nbgrader"]["grade_id"] = "q1_other"
    executor._verify_verdicts()
    first, second = executor.nb.cells
    assert first.outputs[-1]["ename"] == "HiddenTestsMissing"
    assert executor._run.flags == [("q1_other", "no verdict of this grading run is attached to the cell")]
    assert second.outputs == [signed]


def test_hidden_cases_are_drawn_afresh_for_every_salt():
    from backprop_lab.grading import TASKS
    from backprop_lab.grading.task import hidden_salt
    task = TASKS["ps1.multiply_gate"]
    fixed = task.cases(hidden=True)
    with hidden_salt(11):
        first = task.cases(hidden=True)
    with hidden_salt(12):
        second = task.cases(hidden=True)
    assert first[0] == fixed[0]                               # the worked example stays
    assert first[-1][1]["x"].tolist() != fixed[-1][1]["x"].tolist() != second[-1][1]["x"].tolist()


def solution_namespaces() -> dict:
    spaces = {}
    for name, ps in builder.PROBLEM_SETS.items():
        ns: dict = {}
        for cell in ps.cells:
            if cell.kind in ("setup", "answer"):
                exec(compile(cell.source, f"{name}:{cell.id}", "exec"), ns)
        spaces[name] = ns
    return spaces


SALTS = {"ps2.topological_order": 2, "ps2.backward": 2, "ps2.mlp": 10, "ps3.train": 3}


@pytest.mark.slow
def test_the_reference_solutions_pass_the_hidden_cases_of_any_run():
    """Fresh hidden cases per run must never fail an honest student: the solutions pass
    under many salts (the slow tasks under a few; the trainings reach their accuracy on
    freshly drawn data)."""
    from backprop_lab.grading.hidden import collect_results
    from backprop_lab.grading.task import hidden_salt
    spaces = solution_namespaces()
    for ps_name, ps in builder.PROBLEM_SETS.items():
        for cell in (c for c in ps.cells if c.kind == "tests"):
            code = {name: spaces[ps_name][name] for name in cell.names}
            salts = range(1, SALTS.get(cell.task, 20) + 1)
            for salt in salts:
                with hidden_salt(salt * 7919):
                    request = collect_results(cell.task, **code)
                messages = verdicts.judge_results(cell.task, request["results"], salt * 7919)
                assert messages == [], (cell.task, salt, messages)


# ------------------------------------------------------------------ review
STUB = '''class MultiplyGate(Gate):
    def forward(self, x, y):
        self.save(x, y)
        return bl.sigmoid(x) * y

    def backward(self, upstream):
        # YOUR CODE HERE
        raise NotImplementedError()'''


def test_review_flags_the_library_reference_with_its_line():
    answer = STUB.replace("        # YOUR CODE HERE\n        raise NotImplementedError()",
                          "        x, y = self.saved()\n"
                          "        ref = bl.gates.MultiplyGate()\n"
                          "        ref.forward(x, y)\n"
                          "        return ref.backward(upstream)")
    cells = [("setup", "import backprop_lab as bl\nfrom backprop_lab.gates import Gate", False),
             ("q1", answer, True)]
    findings = review.review_cells(cells, {"q1": STUB})
    assert [(f.cell, f.line, f.name, f.kind) for f in findings] == [
        ("q1", 8, "backprop_lab.gates.MultiplyGate", "library")]
    assert "line 8" in findings[0].message()


def test_review_accepts_honest_code_and_the_given_lines():
    answer = STUB.replace("        # YOUR CODE HERE\n        raise NotImplementedError()",
                          "        x, y = self.saved()\n        return upstream * y, upstream * x")
    cells = [("setup", "import backprop_lab as bl\nfrom backprop_lab.gates import Gate\n"
              "from backprop_lab.graph import apply", False),
             ("q1", answer, True), ("q2", "def neuron(a, b):\n    return apply(MultiplyGate(), a, b)", True)]
    assert review.review_cells(cells, {"q1": STUB, "q2": ""}) == []


@pytest.mark.parametrize("code, name", [
    ("get_ipython().input_transformers_cleanup.append(f)", "get_ipython"),
    ("import sys as s\ns.settrace(f)", "sys.settrace"),
    ("from backprop_lab.grading import TASKS", "backprop_lab.grading.TASKS"),
    ("import backprop_lab.grading.hidden", "backprop_lab.grading.hidden"),
    ("exec(code)", "exec"),
    ("x = bl.var(1.0)\nx.backward()", "backprop_lab.var"),
    ("import ctypes", "ctypes"),
])
def test_review_flags_what_reaches_into_the_grading(code, name):
    cells = [("setup", "import backprop_lab as bl", False), ("q1", code, True)]
    assert name in [f.name for f in review.review_cells(cells, {"q1": ""})]
