"""``backprop-lab grade``: a whole class, N sandboxes at once, with progress.

Run in the course folder (where ``nbgrader_config.py`` is)::

    backprop-lab grade ps1_gates                 # every submitted student, one job per core
    backprop-lab grade ps1_gates --jobs 2        # two sandboxes at once
    backprop-lab grade ps1_gates --student alice --force

Each worker process grades one student at a time with nbgrader's own ``Autograde``
converter and the course's configuration -- exactly what ``nbgrader autograde ASSIGNMENT
--student ID`` does, so the gradebook ends up exactly as a serial run leaves it.  Only the
execution of the notebooks runs side by side: everything that touches ``gradebook.db`` is
done under one lock (``.backprop-lab-grade/gradebook.lock``), which
:class:`~backprop_lab.sandbox.executor.SandboxedExecute` releases while the kernel runs.

Resuming: before a student is graded the run writes "running" for them in
``.backprop-lab-grade/<assignment>.json`` and removes it when they are done.  A student
left "running" (Ctrl-C, a killed worker, a crash of the machine) or "failed" is regraded
by the next run; the others are skipped like nbgrader skips them (unless ``--force``).
Ctrl-C stops handing out students, stops the sandboxes of the ones being graded (their
database work is never cut in half: the lock is held until it is done) and exits.  If the
command itself dies (SIGKILL, a closed terminal), Linux sends its workers SIGTERM
(``PR_SET_PDEATHSIG``) and they stop the same way, their students left "running".
"""
from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import signal
import sys
import time
from multiprocessing.connection import wait
from pathlib import Path

STATE_DIR = ".backprop-lab-grade"
EXIT_STOPPED = 130


# ------------------------------------------------------------------ the lock of gradebook work
class GradebookLock:
    """An flock held while a worker touches the gradebook (released by the executor while
    the kernel runs).  The operating system releases it when a worker dies."""

    def __init__(self, path: Path):
        self._file = open(path, "a")       # noqa: SIM115 (held for the worker's life)
        self.held = False
        self.stopping = False

    def acquire(self) -> None:
        fcntl.flock(self._file, fcntl.LOCK_EX)
        self.held = True

    def release(self) -> None:
        self.held = False
        fcntl.flock(self._file, fcntl.LOCK_UN)
        if self.stopping:               # Ctrl-C arrived during gradebook work: done now
            _die()


def _die() -> None:
    from .kernel import kill_all_sandboxes
    kill_all_sandboxes()
    os._exit(3)


# ------------------------------------------------------------------ the worker
def _worker(conn, parent: int, course: str, assignment: str, nbgrader_args: list,
            unsafe: bool) -> None:
    """A worker process: grade the students the parent sends, one at a time.  It gets
    SIGTERM when the parent dies, however it dies (SIGKILL included): it stops like on the
    parent's Ctrl-C -- its sandboxes at once, gradebook work finished first -- and the
    student it was grading stays "running" in the journal, so the next run grades them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)        # the parent handles Ctrl-C
    os.chdir(course)
    if unsafe:
        os.environ["BACKPROP_LAB_UNSAFE_GRADING"] = "1"
    lock = GradebookLock(Path(course, STATE_DIR, "gradebook.lock"))

    def on_term(signum, frame):
        lock.stopping = True
        if not lock.held:               # in a kernel's run (or idle): stop right away
            _die()
    signal.signal(signal.SIGTERM, on_term)
    from .isolation import die_with_parent
    die_with_parent(signal.SIGTERM, parent)

    from nbgrader.apps import AutogradeApp
    from nbgrader.converters import Autograde
    from nbgrader.utils import capture_log

    from . import executor
    executor.EXECUTION_GATE = lock
    app = AutogradeApp()
    app.initialize([assignment, *nbgrader_args])
    for handler in list(app.log.handlers):     # the log goes to the student's log file
        app.log.removeHandler(handler)
    app.coursedir.assignment_id = assignment
    while True:
        student = conn.recv()
        if student is None:
            return
        started = time.monotonic()
        lock.acquire()
        try:
            app.coursedir.student_id = student
            converter = Autograde(coursedir=app.coursedir, parent=app)
            converter.force = True
            result = capture_log(converter)
            if result["success"]:
                try:
                    result.update(_scores(app.coursedir.db_url, assignment, student))
                except Exception as error:          # noqa: BLE001 (reported, not fatal)
                    result.update(success=False, reason=f"no grades in the gradebook: {error}")
        finally:
            lock.release()
        log_path = Path(course, STATE_DIR, "logs", assignment, f"{student}.log")
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_path.write_text(result.pop("log", "") + result.pop("error", ""))
        result.update(student=student, seconds=time.monotonic() - started, log_path=str(log_path))
        conn.send(result)


def _scores(db_url: str, assignment: str, student: str) -> dict:
    from nbgrader.api import Gradebook
    with Gradebook(db_url) as gb:
        submission = gb.find_submission(assignment, student)
        return {"score": submission.score, "max_score": submission.max_score,
                "code_score": submission.code_score, "max_code_score": submission.max_code_score,
                "flagged": any(nb.flagged for nb in submission.notebooks),
                "late_penalty": submission.late_submission_penalty}


# ------------------------------------------------------------------ the parent
class Journal:
    """Who is being graded / failed, per assignment, written atomically."""

    def __init__(self, folder: Path, assignment: str):
        self.path = folder / f"{assignment}.json"
        self.state = json.loads(self.path.read_text()) if self.path.exists() else {}

    def set(self, student: str, value: str | None) -> None:
        if value is None:
            self.state.pop(student, None)
        else:
            self.state[student] = value
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.state, indent=1, sort_keys=True))
        os.replace(temporary, self.path)


def submitted_students(course: Path, assignment: str, pattern: str = "*") -> list[str]:
    """Ids of the students with a submission of ``assignment`` (matching ``pattern``)."""
    import glob

    from nbgrader.coursedir import CourseDirectory
    coursedir = CourseDirectory(root=str(course))
    found = glob.glob(coursedir.format_path(coursedir.submitted_directory, pattern, assignment))
    return sorted(Path(p).parent.name for p in found if os.path.isdir(p))


def needs_grading(course: Path, assignment: str, student: str) -> bool:
    """nbgrader's own rule: not autograded yet, or submitted again since."""
    from nbgrader.coursedir import CourseDirectory
    coursedir = CourseDirectory(root=str(course))
    dest = coursedir.format_path(coursedir.autograded_directory, student, assignment)
    if not os.path.exists(dest):
        return True
    source = coursedir.format_path(coursedir.submitted_directory, student, assignment)
    new, old = coursedir.get_existing_timestamp(source), coursedir.get_existing_timestamp(dest)
    return new is not None and old is not None and new > old


class Progress:
    """One line per student, and a bar: done/total, elapsed, ETA."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.started = time.monotonic()
        self.tty = stream.isatty()

    def line(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r\033[K")
        self.stream.write(text + "\n")
        self.bar()

    def bar(self) -> None:
        elapsed = time.monotonic() - self.started
        eta = elapsed / self.done * (self.total - self.done) if self.done else None
        width = 30
        filled = int(width * self.done / self.total) if self.total else width
        text = (f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}  "
                f"elapsed {_clock(elapsed)}  ETA {_clock(eta) if eta is not None else '--:--'}")
        if self.tty:
            self.stream.write("\r\033[K" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


def describe(result: dict) -> str:
    student = result["student"]
    if not result.get("success"):
        reason = result.get("reason") or _last_error(result.get("log_path", ""))
        where = f"  (log: {result['log_path']})" if result.get("log_path") else ""
        return f"{student:<20} ERROR  {reason}{where}"
    text = (f"{student:<20} {result['score']:g}/{result['max_score']:g}  "
            f"(autograded {result['code_score']:g}/{result['max_code_score']:g})")
    if result.get("late_penalty"):
        text += f"  late penalty {result['late_penalty']:g}"
    if result.get("flagged"):
        text += "  FLAGGED for review"
    return text + f"  {result['seconds']:.1f} s"


def _last_error(log_file: str) -> str:
    try:
        lines = [line for line in Path(log_file).read_text().splitlines() if line.strip()]
    except OSError:
        return "see the log"
    errors = [line for line in lines if "Error" in line or "ERROR" in line]
    return (errors or lines or ["see the log"])[-1].strip()[:200]


def grade(assignment: str, *, jobs: int | None = None, student: str | None = None,
          force: bool = False, unsafe: bool = False, nbgrader_args: list = (),
          course: str | None = None, stream=sys.stderr) -> int:
    """Grade every submitted student of ``assignment``; returns the exit code."""
    course = Path(course or os.getcwd()).resolve()
    if not (course / "nbgrader_config.py").exists():
        print(f"backprop-lab grade: run it in the course folder (the one with "
              f"nbgrader_config.py); {course} has none.", file=stream)
        return 2
    if unsafe:
        print("WARNING: grading WITHOUT a sandbox (--unsafe): every submission runs with your "
              "rights and can change the gradebook, the course and the machine.", file=stream)
    else:
        from .isolation import SandboxUnavailable, graphviz_cache, probe
        try:
            probe()
        except SandboxUnavailable as error:
            print(f"backprop-lab grade: {error}", file=stream)
            return 2
        graphviz_cache(sys.executable)      # filled once here; the workers inherit it
    state = course / STATE_DIR
    state.mkdir(exist_ok=True)
    journal = Journal(state, assignment)
    students = submitted_students(course, assignment, student or "*")
    if not students:
        print(f"backprop-lab grade: no submissions of {assignment!r} in "
              f"{course / 'submitted'}" + (f" for {student!r}" if student else ""), file=stream)
        return 1
    todo = [s for s in students
            if force or s in journal.state or needs_grading(course, assignment, s)]
    skipped = len(students) - len(todo)
    if skipped:
        print(f"{skipped} student(s) already graded (use --force to grade them again)",
              file=stream)
    if not todo:
        return 0
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    print(f"grading {assignment}: {len(todo)} student(s), {jobs} at a time", file=stream)
    progress = Progress(len(todo), stream)
    progress.bar()
    runner = _Runner(course, assignment, list(nbgrader_args), unsafe, jobs)
    failures = 0
    pending = list(todo)
    try:
        while pending or runner.busy:
            for worker in runner.idle():
                if not pending:
                    break
                name = pending.pop(0)
                journal.set(name, "running")
                runner.send(worker, name)
            for result in runner.results():
                progress.done += 1
                if result.get("success"):
                    journal.set(result["student"], None)
                else:
                    failures += 1
                    journal.set(result["student"], "failed")
                progress.line(describe(result))
    except KeyboardInterrupt:
        runner.stop()
        progress.close()
        left = sorted(set(journal.state) & set(todo))
        print(f"stopped: {len(left)} student(s) not finished ({', '.join(left[:8])}"
              f"{' ...' if len(left) > 8 else ''}); the next run grades them.", file=stream)
        return EXIT_STOPPED
    finally:
        runner.close()
    progress.close()
    print(f"done: {len(todo) - failures} graded, {failures} failed, in "
          f"{_clock(time.monotonic() - progress.started)}", file=stream)
    return 1 if failures else 0


class _Runner:
    """The worker processes, restarted when one dies."""

    def __init__(self, course, assignment, nbgrader_args, unsafe, jobs):
        self.args = (str(course), assignment, nbgrader_args, unsafe)
        # fork: workers start at once with nbgrader already imported (this process has no
        # threads, event loops or ZeroMQ contexts to inherit); spawn where there is no fork
        import nbgrader.apps  # noqa: F401
        import nbgrader.converters  # noqa: F401
        from . import executor  # noqa: F401
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.workers = [self._spawn() for _ in range(jobs)]

    def _spawn(self) -> dict:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker, args=(child, os.getpid(), *self.args),
                                       daemon=True)
        process.start()
        child.close()
        return {"process": process, "conn": parent, "student": None}

    @property
    def busy(self) -> bool:
        return any(w["student"] for w in self.workers)

    def idle(self) -> list:
        return [w for w in self.workers if w["student"] is None]

    def send(self, worker: dict, student: str) -> None:
        worker["student"] = student
        worker["started"] = time.monotonic()
        worker["conn"].send(student)

    def results(self) -> list:
        busy = [w for w in self.workers if w["student"]]
        if not busy:
            return []
        ready = wait([w["conn"] for w in busy] + [w["process"].sentinel for w in busy],
                     timeout=1.0)
        out = []
        for worker in busy:
            if worker["conn"] in ready:
                try:
                    result = worker["conn"].recv()
                except (EOFError, OSError):
                    result = None
                if result is not None:
                    worker["student"] = None
                    out.append(result)
                    continue
            if worker["process"].sentinel in ready or not worker["process"].is_alive():
                code = worker["process"].exitcode
                out.append({"student": worker["student"], "success": False,
                            "reason": f"the grading worker died (exit code {code}); this "
                                      f"student is graded again by the next run",
                            "seconds": time.monotonic() - worker["started"]})
                self.workers[self.workers.index(worker)] = self._spawn()
        return out

    def stop(self) -> None:
        for worker in self.workers:
            if worker["process"].is_alive():
                worker["process"].terminate()          # SIGTERM: see GradebookLock
        deadline = time.monotonic() + 60
        for worker in self.workers:
            worker["process"].join(max(0.1, deadline - time.monotonic()))
            if worker["process"].is_alive():
                worker["process"].kill()

    def close(self) -> None:
        for worker in self.workers:
            try:
                if worker["process"].is_alive():
                    worker["conn"].send(None)
            except (OSError, BrokenPipeError):
                pass
        for worker in self.workers:
            worker["process"].join(10)
            if worker["process"].is_alive():
                worker["process"].kill()
