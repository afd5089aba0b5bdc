"""A whole class on a real JupyterHub, release to feedback, with deploy/jupyterhub/ as shipped.

The class in a box (one test, on loopback only):

1. prepare_machine.py, run as an instructor would with a course.toml of this run: real local
   accounts (an instructor, the grader account, three students, all named ``blh<run>-...``),
   the course environment made from /usr/bin/python3 with pip (most of the test's time), the
   npm configurable-http-proxy, the config files, the exchange and the course folder;
2. JupyterHub started from the installed jupyterhub_config.py, with the proxy and the course's
   grader service; everyone logs in with a password (PAM);
3. the instructor adds the students to the gradebook, generates and releases ps1 through the
   formgrader's REST API, authenticated as the instructor through the hub;
4. each student fetches ps1 through the REST endpoints the Assignments tab uses (as that
   student), checks that ``import backprop_lab`` still works from the home folder, solves it
   (one fully, one in part, one not at all), validates and submits; the third student does
   fetch and submit in headless Chromium (log in, Nbgrader > Assignment List, Fetch, Submit);
5. students cannot read each other's work, the course's source/, the gradebook or the
   exchange's inbound/feedback folders (PermissionError as that account), nor reach each
   other's servers or the grader service through the hub;
6. the instructor collects, grades with ``backprop-lab grade`` (sandboxed) as the grader account,
   generates and releases feedback; each student fetches feedback and finds their own score;
7. Chromium again: the instructor's Courses tab links to the course's formgrader, which opens
   inside the grader service's JupyterLab (its ``frame-ancestors 'self'`` header).

Every account, process and folder of the run is removed at the end, also on failure; a run
killed before that is cleaned up by the next one (its record names a dead pid).

Needs root, useradd/userdel/runuser/chpasswd, Node.js >= 20 with npm, a Python >= 3.11 with
venv that other accounts may run (/usr/bin/python3), network to PyPI and npm; Chromium and
Playwright for steps 4 (third student) and 7.  Skips with the reason when something is missing,
unless BACKPROP_LAB_REQUIRE_HUB=1 (CI sets it): then it fails.  Phase times, how long each
server took to start and the load are written to test-artifacts/hub_timings.txt, the logs are
copied to test-artifacts/hub-*.log.  Every wait ends at a readiness signal (the hub or a server
answers) or at once when the process waited for exits; the bounds are hang guards, longer than
the hub's own (see HUB_START_BOUND).
About 11-15 minutes on the 2-core machine at load average 13-24, 6-8 of them in
prepare_machine.py (pip); the run's folder goes to tmpfs (/dev/shm) when there is room, which
makes removing the environment's 40,000 files take seconds instead of minutes.
"""
from __future__ import annotations

import copy
import json
import os
import pwd
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "assignments"))
import build_assignments as builder  # noqa: E402
import browser_support  # noqa: E402
from browser_support import ARTIFACTS, chromium_page, find_chromium  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.hub]

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy" / "jupyterhub"
REQUIRE = "BACKPROP_LAB_REQUIRE_HUB"
SYSTEM_PYTHON = "/usr/bin/python3"
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"
RUN_PREFIX = "backprop-lab-hub-test-"          # <run folder>/<RUN_PREFIX>xxxx: one folder per run
HTTP_TIMEOUT = 180                              # one request (validate runs the notebook)
# Hang guards of the waits for a readiness signal (each wait ends at the signal, or at once when
# the process it waits for exits).  Longer than the hub's own bounds in jupyterhub_config.py
# (the grader service's "timeout" 180 s, Spawner.http_timeout 120 s) so that, when something
# does not start, the hub's verdict and its log are what the test reports.
HUB_START_BOUND = 300
SPAWN_BOUND = 240
PAGE = {"viewport": {"width": 1300, "height": 850}}     # the browser passes' window


# ------------------------------------------------------------------ what the machine must have
def need(condition: bool, reason: str) -> None:
    browser_support.need(condition, reason, required_by=REQUIRE)


def check_machine() -> None:
    need(sys.platform.startswith("linux"), "the hub test prepares a Linux machine")
    need(os.geteuid() == 0, "the hub test creates local accounts: run it as root")
    for tool in ("useradd", "userdel", "runuser", "chpasswd", "node", "npm"):
        need(shutil.which(tool) is not None, f"`{tool}` is not on PATH")
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout
    need(int(node.strip().lstrip("v").split(".")[0] or 0) >= 20,
         f"configurable-http-proxy 5 needs Node.js >= 20, found {node.strip()}")
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import sys, venv, ensurepip; "
                            "print(sys.version_info >= (3, 11))"], capture_output=True, text=True)
    need(probe.stdout.strip() == "True",
         f"{SYSTEM_PYTHON} must be Python >= 3.11 with venv (every account runs the course "
         f"environment made from it): {probe.stderr.strip()[-200:]}")


def chromium():
    """Chromium's path and Playwright's sync API, or None when either is missing."""
    executable = find_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    return (executable, sync_playwright) if executable else None


# ------------------------------------------------------------------ processes, ports, accounts
def free_ports(count: int) -> list[int]:
    """Loopback ports free now, below the kernel's ephemeral range (which port-0 binds use)."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports: list[int] = []
    while len(ports) < count:
        port = random.randrange(10_000, max(low, 10_001))
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        if port not in ports:
            ports.append(port)
    return ports


def pids_of(uids: set[int], marker: str) -> set[int]:
    """Processes run by one of ``uids`` or whose command line names ``marker`` (this run's folder)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            uid = int(next(line for line in (entry / "status").read_text().splitlines()
                           if line.startswith("Uid:")).split()[1])
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except (OSError, StopIteration):
            continue
        if (uid in uids or (marker and marker in cmdline)) and "Z" not in _state(int(entry.name)):
            found.add(int(entry.name))                   # (a zombie is gone, only unreaped)
    return found


def stop_processes(uids: set[int], marker: str, grace: float = 15) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds, each process of this run (by pid)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = pids_of(uids, marker)
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while pids and time.monotonic() < deadline:
            pids = {p for p in pids if "Z" not in _state(p)}
            time.sleep(0.2)
        if not pids_of(uids, marker):
            return


def _state(pid: int) -> str:
    """The State: line of /proc/PID/status ("Z" when the process is gone)."""
    try:
        return next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                    if line.startswith("State:"))
    except (OSError, StopIteration):
        return "Z"


def uid_of(name: str) -> int | None:
    try:
        return pwd.getpwnam(name).pw_uid
    except KeyError:
        return None


def remove_run(run: Path, accounts: list[str]) -> None:
    """Everything a run left: its processes, accounts with their home folders, its folder."""
    uids = {u for u in map(uid_of, accounts) if u is not None}
    start = time.monotonic()
    stop_processes(uids, str(run))
    print(f"  processes stopped in {time.monotonic() - start:.1f} s")
    for name in accounts:
        if uid_of(name) is None:
            continue
        home = pwd.getpwnam(name).pw_dir
        subprocess.run(["userdel", "--remove", name], capture_output=True)
        if uid_of(name) is not None:                     # still in use: force it
            subprocess.run(["userdel", "--force", "--remove", name], capture_output=True)
        if home.startswith("/home/") and Path(home).exists():
            shutil.rmtree(home, ignore_errors=True)
    print(f"  accounts removed after {time.monotonic() - start:.1f} s")
    shutil.rmtree(run, ignore_errors=True)
    print(f"  {run} removed after {time.monotonic() - start:.1f} s")


def run_folders() -> list[Path]:
    """Where a run's folder may go: RAM (tmpfs) first, the temporary folder otherwise.

    The course environment is ~40,000 files (~650 MB); on this machine's shared disk, deleting
    them took two minutes under load, on tmpfs about a second.
    """
    shm = Path("/dev/shm")
    folders = [Path(tempfile.gettempdir())]
    if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 3 * 2**30:
        folders.insert(0, shm)
    return folders


def remove_stale_runs() -> None:
    """Runs whose pytest process died before cleaning up (SIGKILL, a lost machine)."""
    for record in [r for folder in run_folders() for r in folder.glob(f"{RUN_PREFIX}*/run.json")]:
        try:
            data = json.loads(record.read_text())
            os.kill(data["pid"], 0)
            continue                                     # that run is still going
        except ProcessLookupError:
            remove_run(record.parent, data["accounts"])
        except (OSError, ValueError, KeyError):
            continue


# ------------------------------------------------------------------ the class of this run
@dataclass
class ClassInABox:
    run: Path
    tag: str
    course_id: str = ""
    ps: str = ""
    ports: dict = field(default_factory=dict)
    hub: subprocess.Popen | None = None
    timings: list = field(default_factory=list)

    def __post_init__(self):
        names = {"grader": "grader", "instructor": "teach", "full": "full", "partial": "part",
                 "blank": "blank"}
        self.accounts = {role: f"blh{self.tag}-{suffix}" for role, suffix in names.items()}
        self.passwords = {name: secrets.token_urlsafe(12) for name in self.accounts.values()}
        self.prefix = self.run / "srv"
        self.logs = self.run / "logs"

    # names
    def __getitem__(self, role: str) -> str:
        return self.accounts[role]

    @property
    def students(self) -> list[str]:
        return [self["full"], self["partial"], self["blank"]]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['port']}"

    @property
    def course_root(self) -> Path:
        return Path(pwd.getpwnam(self["grader"]).pw_dir) / self.course_id

    @property
    def exchange(self) -> Path:
        return self.prefix / "exchange" / self.course_id

    @contextmanager
    def phase(self, name: str):
        start = time.monotonic()
        try:
            yield
        except BaseException as error:
            if not isinstance(error, (pytest.skip.Exception, KeyboardInterrupt)):
                self.save_logs()
                raise AssertionError(f"hub test, phase '{name}': {error}\n--- hub log (end) ---\n"
                                     f"{self.log_tail('hub.log')}") from error
            raise
        finally:
            self.timings.append((name, time.monotonic() - start))

    def log_tail(self, name: str, chars: int | None = 6000) -> str:
        path = self.logs / name
        text = path.read_text(errors="replace") if path.exists() else "(no log)"
        return text[-chars:] if chars else text

    def save_logs(self) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        for log in self.logs.glob("*.log"):
            shutil.copyfile(log, ARTIFACTS / f"hub-{log.name}")

    def write_timings(self) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        total = sum(seconds for _, seconds in self.timings)
        lines = [f"{seconds:7.1f} s  {name}" for name, seconds in self.timings]
        # how long each server took to answer the hub (the load of the machine shows here)
        spawns = [f"{float(seconds):7.1f} s  (server of {name})" for name, seconds in
                  re.findall(r"User (\S+) took ([0-9.]+) seconds to start", self.log_tail("hub.log", None))]
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        (ARTIFACTS / "hub_timings.txt").write_text("\n".join(
            [*lines, f"{total:7.1f} s  total", *spawns, f"load average at the end: {load}"]) + "\n")


def course_toml(box: ClassInABox) -> str:
    shipped = tomllib.loads((DEPLOY / "course.toml").read_text())
    return "\n".join([
        f'course_id = "{shipped["course_id"]}"',
        f'prefix = "{box.prefix}"',
        f'grader = "{box["grader"]}"',
        f'instructors = ["{box["instructor"]}"]',
        "students = [" + ", ".join(f'"{s}"' for s in box.students) + "]",
        "[hub]",
        'ip = "127.0.0.1"',
        *(f"{key} = {port}" for key, port in box.ports.items()),
        "[install]",
        f'python = "{SYSTEM_PYTHON}"',
        f'proxy = "{shipped["install"]["proxy"]}"',
    ]) + "\n"


def hub_environment() -> dict:
    """The machine's environment without the test run's virtualenv and Jupyter settings.

    (The machine's own settings stay: on this one, Node.js needs NODE_EXTRA_CA_CERTS to reach
    the npm registry, and npm hung without it.)
    """
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "NBGRADER_EXECUTION")
           and not k.startswith(("JUPYTER", "PYTEST", "BACKPROP_LAB"))}
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep)
            if p and not p.startswith(sys.prefix)]
    env["PATH"] = os.pathsep.join(path or ["/usr/sbin", "/usr/bin", "/sbin", "/bin"])
    env.setdefault("LANG", "C.UTF-8")
    return env


@pytest.fixture
def box():
    """Prepared machine + running hub for one class; everything removed afterwards."""
    check_machine()
    remove_stale_runs()
    run = Path(tempfile.mkdtemp(prefix=RUN_PREFIX, dir=run_folders()[0]))
    run.chmod(0o755)                                     # the accounts reach <prefix> through it
    box = ClassInABox(run=run, tag=run.name[-6:].lower().replace("_", "x"))
    box.logs.mkdir()
    (run / "run.json").write_text(json.dumps({"pid": os.getpid(),
                                              "accounts": list(box.accounts.values())}))
    box.course_id = tomllib.loads((DEPLOY / "course.toml").read_text())["course_id"]
    try:
        with box.phase("prepare_machine.py (accounts, pip environment, npm proxy, files)"):
            box.ports = dict(zip(("port", "hub_port", "proxy_api_port", "service_port"),
                                 free_ports(4)))
            (run / "course.toml").write_text(course_toml(box))
            (run / "tmp").mkdir()                        # pip's build folders, next to the rest
            with open(box.logs / "prepare.log", "w") as log:
                result = subprocess.run(
                    [sys.executable, DEPLOY / "prepare_machine.py", run / "course.toml"],
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=1200,
                    env={**hub_environment(), "TMPDIR": str(run / "tmp")})
            assert result.returncode == 0, f"prepare_machine.py failed:\n{box.log_tail('prepare.log')}"
            chpasswd = "".join(f"{n}:{p}\n" for n, p in box.passwords.items() if n != box["grader"])
            subprocess.run(["chpasswd"], input=chpasswd, text=True, check=True)
        with box.phase("start JupyterHub, the proxy and the grader service"):
            log = open(box.logs / "hub.log", "w")
            box.hub = subprocess.Popen(
                [box.prefix / "env" / "bin" / "jupyterhub", "-f",
                 box.prefix / "etc" / "jupyterhub_config.py"],
                cwd=box.prefix / "state", stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, env=hub_environment(), start_new_session=True)
            wait_for(lambda: _hub_up(box), HUB_START_BOUND, "the hub to answer through the proxy")
        yield box
    finally:
        box.write_timings()
        start = time.monotonic()
        stop_hub(box)
        print(f"hub test cleanup: hub stopped after {time.monotonic() - start:.1f} s")
        box.save_logs()                                  # small; they say where the time went
        remove_run(run, list(box.accounts.values()))
        leftovers = [n for n in box.accounts.values() if uid_of(n) is not None]
        assert not leftovers, f"accounts left behind: {leftovers}"
        assert not run.exists(), f"{run} left behind"
        print(f"hub test cleanup: {time.monotonic() - start:.1f} s")


def stop_hub(box: ClassInABox) -> None:
    """The hub shuts down (it reaps its children); the servers it stops get SIGTERM from here.

    On SIGTERM the hub stops the grader service and each server with SIGINT and waits for
    them (10 s each); once it has started doing so (its log says so), SIGTERM ends them at
    once, and the hub no longer restarts a service that exits.
    """
    if box.hub is None or box.hub.poll() is not None:
        return
    box.hub.terminate()
    try:
        wait_for(lambda: box.hub.poll() is not None
                 or "Received signal SIGTERM" in (box.logs / "hub.log").read_text(errors="replace")[-20_000:],
                 30, "the hub to start its shutdown")
    finally:
        uids = {u for u in map(uid_of, box.accounts.values()) if u is not None}
        stop_processes(uids, "")
        try:
            box.hub.wait(timeout=60)
        except subprocess.TimeoutExpired:
            box.hub.kill()
            box.hub.wait()


def _hub_up(box: ClassInABox) -> bool:
    if box.hub.poll() is not None:
        raise AssertionError(f"the hub exited ({box.hub.returncode})")
    try:
        return requests.get(f"{box.url}/hub/api", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def wait_for(condition, seconds: float, what: str):
    """Poll ``condition`` until it returns something truthy (a bound, not a sleep)."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {seconds} s waiting for {what}")
        time.sleep(0.5)


# ------------------------------------------------------------------ people on the hub
class Person:
    """Someone logged in to the hub with their password, holding an API token of their own."""

    def __init__(self, box: ClassInABox, name: str):
        self.box, self.name = box, name
        session = requests.Session()
        session.get(f"{box.url}/hub/login", timeout=HTTP_TIMEOUT).raise_for_status()
        reply = session.post(f"{box.url}/hub/login",
                             data={"username": name, "password": box.passwords[name],
                                   "_xsrf": session.cookies.get("_xsrf")},
                             allow_redirects=False, timeout=HTTP_TIMEOUT)
        assert reply.status_code == 302 and "/login" not in reply.headers.get("location", ""), \
            f"{name} could not log in ({reply.status_code}): {reply.text[:300]}"
        reply = session.post(f"{box.url}/hub/api/users/{name}/tokens",
                             json={"note": "hub test", "expires_in": 3600},
                             headers={"X-XSRFToken": session.cookies.get("_xsrf")},
                             timeout=HTTP_TIMEOUT)
        assert reply.status_code == 201, f"token for {name}: {reply.status_code} {reply.text[:300]}"
        self.headers = {"Authorization": f"token {reply.json()['token']}"}

    def request(self, method: str, path: str, expect: int | None = 200, **kw) -> requests.Response:
        reply = requests.request(method, f"{self.box.url}{path}", headers=self.headers,
                                 timeout=HTTP_TIMEOUT, **kw)
        if expect is not None and reply.status_code != expect:
            raise AssertionError(f"{self.name}: {method} {path} -> {reply.status_code} "
                                 f"(expected {expect}): {reply.text[:1500]}")
        return reply

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw):
        return self.request("POST", path, **kw)

    # a student's own server and the nbgrader endpoints of the Assignments tab
    def start_server(self) -> None:
        self.post(f"/hub/api/users/{self.name}/server", expect=None)

    def server_ready(self) -> bool:
        """The hub's word: ready (it answered the hub), still starting, or gone."""
        server = self.get(f"/hub/api/users/{self.name}").json()["servers"].get("")
        if server is None:
            raise AssertionError(f"the hub gave up on the server of {self.name} (its log "
                                 f"below says why)")
        return bool(server["ready"])

    def wait_until_ready(self) -> None:
        wait_for(self.server_ready, SPAWN_BOUND, f"the server of {self.name}")

    def assignments(self, action: str = "", **data) -> list:
        path = f"/user/{self.name}/assignments" + (f"/{action}" if action else "")
        if action:
            reply = self.post(path, data={"course_id": self.box.course_id, **data}).json()
        else:
            reply = self.get(path, params={"course_id": self.box.course_id}).json()
        assert reply["success"], f"{self.name}: assignments {action or 'list'}: {reply}"
        return reply["value"]

    def contents(self, path: str, **kw):
        return self.get(f"/user/{self.name}/api/contents/{path}", **kw)

    def save_notebook(self, path: str, nb: dict) -> None:
        self.request("PUT", f"/user/{self.name}/api/contents/{path}",
                     json={"type": "notebook", "format": "json", "content": nb})

    def validate(self, path: str) -> dict:
        reply = self.post(f"/user/{self.name}/assignments/validate", data={"path": path}).json()
        assert reply["success"], f"{self.name}: validate {path}: {reply}"
        return reply["value"]

    # the instructor's formgrader, in the grader service
    def formgrader(self, method: str, path: str, **kw):
        return self.request(method, f"/services/{self.box.course_id}/formgrader/api/{path}", **kw)


def as_account(box: ClassInABox, role: str, code: str) -> dict:
    """Run Python ``code`` (which prints JSON) as that account, from its home folder."""
    name = box[role]
    result = subprocess.run(
        [RUNUSER, "-u", name, "--", box.prefix / "env" / "bin" / "python", "-c", code],
        cwd=pwd.getpwnam(name).pw_dir, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": pwd.getpwnam(name).pw_dir, "LANG": "C.UTF-8"})
    assert result.returncode == 0, f"as {name}: {result.stderr[-2000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])


PERMISSION_PROBE = """
import json, os, sys
results = {}
for label, kind, path in json.loads(sys.argv[1]):
    try:
        if kind == "list":
            os.listdir(path)
        else:
            open(path, "rb").close()
        results[label] = "allowed"
    except PermissionError:
        results[label] = "PermissionError"
    except OSError as error:
        results[label] = type(error).__name__
print(json.dumps(results))
"""


def probe_permissions(box: ClassInABox, role: str, targets: list[tuple]) -> dict:
    name = box[role]
    result = subprocess.run(
        [RUNUSER, "-u", name, "--", box.prefix / "env" / "bin" / "python", "-c",
         PERMISSION_PROBE, json.dumps([[a, b, str(c)] for a, b, c in targets])],
        capture_output=True, text=True, timeout=60, cwd="/")
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


# ------------------------------------------------------------------ the notebooks students hand in
def solved(release_nb: dict, source_nb, answer_ids: set | None) -> dict:
    """The fetched notebook with the solutions of ``answer_ids`` (None: all) pasted in."""
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source_nb.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    nb = copy.deepcopy(release_nb)
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in solutions and (answer_ids is None or grade_id in answer_ids):
            cell["source"] = solutions[grade_id]
    return nb


SCORE = re.compile(r"\(Score: ([0-9.]+) / ([0-9.]+)\)")


# ------------------------------------------------------------------ the test
def test_a_class_on_jupyterhub_from_release_to_feedback(box):
    box.ps = ps_name = next(iter(builder.PROBLEM_SETS))
    assert ps_name.startswith("ps1"), f"the first problem set is {ps_name}, not ps1"
    ps = builder.PROBLEM_SETS[ps_name]
    nb_path = f"{box.course_id}/{ps_name}/{ps_name}.ipynb"
    source_nb = nbformat.read(ROOT / "assignments" / "source" / ps_name / f"{ps_name}.ipynb",
                              as_version=4)
    part1 = ps.parts[0]
    expected = {box["full"]: ps.auto_points, box["partial"]: part1.points, box["blank"]: 0}
    browser = chromium()
    if browser is None and os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{REQUIRE}=1 but Chromium or Playwright is missing for the browser pass")

    with box.phase("the installation is the shipped files"):
        check_installed_files(box)

    with box.phase("log in (PAM), start the servers of two students and the instructor"):
        with ThreadPoolExecutor(4) as pool:           # everyone at once, as in a class
            names = [box["instructor"], *box.students]
            people = dict(zip(names, pool.map(lambda name: Person(box, name), names)))
            instructor = people[box["instructor"]]
            students = {name: people[name] for name in box.students}
            # the third student's server starts when they log in with Chromium; the
            # instructor's now, so that their browser pass finds it running
            starting = [students[box["full"]], students[box["partial"]], instructor]
            list(pool.map(Person.start_server, starting))
            list(pool.map(Person.wait_until_ready, starting))

    with box.phase("the instructor adds the students, generates and releases ps1"):
        for name in box.students:
            instructor.formgrader("PUT", f"student/{name}",
                                  json={"first_name": name, "last_name": "Student", "email": None})
        for action in ("assign", "release"):
            reply = instructor.formgrader("POST", f"assignment/{ps_name}/{action}").json()
            assert reply["success"], f"{action}: {reply}"
        assert (box.exchange / "outbound" / ps_name / f"{ps_name}.ipynb").exists()

    def hand_in(role: str, answers: set | None) -> None:
        student = students[box[role]]
        listed = student.assignments()
        assert [(a["assignment_id"], a["status"]) for a in listed] == [(ps_name, "released")]
        fetched = student.assignments("fetch", assignment_id=ps_name)
        assert any(a["status"] == "fetched" for a in fetched), fetched
        release_nb = student.contents(nb_path).json()["content"]
        student.save_notebook(nb_path, solved(release_nb, source_nb, answers))
        report = student.validate(nb_path)
        if role == "full":
            assert report == {}, f"the full solution does not validate: {report}"
        else:
            assert report.get("failed"), f"the partial solution validates: {report}"
        submitted = student.assignments("submit", assignment_id=ps_name)
        assert any(a["status"] == "submitted" for a in submitted), submitted

    with box.phase("two students fetch, solve, validate and submit through the REST API"):
        with ThreadPoolExecutor(2) as pool:            # side by side, each in their own server
            list(pool.map(hand_in, ["full", "partial"], [None, set(part1.answer_ids)]))

    with box.phase("fetching leaves `import backprop_lab` working in the home folder"):
        assert not box.course_id.isidentifier()
        found = as_account(box, "full", "import json, os, backprop_lab as bl; "
                           "print(json.dumps([os.listdir('.'), bl.var(2.0).value, bl.__file__]))")
        assert box.course_id in found[0] and found[1] == 2.0
        assert found[2].startswith(str(box.prefix / "env")), found

    with box.phase("the third student logs in, fetches and submits in Chromium"):
        blank = students[box["blank"]]
        if browser is not None:
            student_in_browser(box, browser, blank, ps_name)
        else:
            blank.start_server()
            blank.wait_until_ready()
            blank.assignments("fetch", assignment_id=ps_name)
            assert blank.validate(nb_path).get("failed")
            blank.assignments("submit", assignment_id=ps_name)

    with box.phase("students cannot read each other's work, the source or the gradebook"):
        check_privacy(box, students, ps_name, nb_path)

    with box.phase("collect, autograde (backprop-lab grade as the grader account), feedback"):
        reply = instructor.formgrader("POST", f"assignment/{ps_name}/collect").json()
        assert reply["success"], reply
        # the class in parallel sandboxes, as the grader account (bubblewrap with user
        # namespaces: no root involved)
        autograde = subprocess.run(
            [RUNUSER, "-l", box["grader"], "-c",
             f"export PATH={box.prefix}/env/bin:$PATH && cd ~/{box.course_id} && "
             f"backprop-lab grade {ps_name} --jobs 2"],
            capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
        (box.logs / "autograde.log").write_text(autograde.stdout + autograde.stderr)
        assert autograde.returncode == 0, f"autograde failed:\n{autograde.stderr[-3000:]}"
        assert "without a sandbox" not in autograde.stderr.lower(), autograde.stderr[-3000:]
        assert f"done: {len(box.students)} graded, 0 failed" in autograde.stderr, \
            autograde.stderr[-3000:]
        scores = {s["student"]: s for s in
                  instructor.formgrader("GET", f"submissions/{ps_name}").json()}
        assert {name: scores[name]["code_score"] for name in box.students} == expected
        for action in ("generate_feedback", "release_feedback"):
            reply = instructor.formgrader("POST", f"assignment/{ps_name}/{action}").json()
            assert reply["success"], f"{action}: {reply}"

    with box.phase("each student fetches their feedback and finds their own score"):
        manual = ps.manual_points
        for name, student in students.items():
            listed = student.assignments("fetch_feedback", assignment_id=ps_name)
            submission = next(a for a in listed if a["status"] == "submitted")["submissions"][-1]
            assert submission["has_local_feedback"], submission
            html = student.contents(f"{submission['local_feedback_path']}/{ps_name}.html",
                                    params={"format": "text"}).json()["content"]
            score, out_of = map(float, SCORE.search(html).groups())
            assert (score, out_of) == (expected[name], ps.auto_points + manual), name

    with box.phase("the instructor's Courses tab opens the formgrader in Chromium"):
        headers = instructor.formgrader("GET", "status").headers
        assert headers["Content-Security-Policy"] == "frame-ancestors 'self'"
        own = students[box["full"]].get(f"/user/{box['full']}/api/status").headers
        assert own["Content-Security-Policy"].startswith("frame-ancestors 'none'")
        if browser is not None:
            formgrader_in_browser(box, browser, ps_name)

    if browser is None:
        pytest.skip("the class ran through the REST API; Chromium or Playwright is missing for "
                    "the browser pass (student's Assignments tab, instructor's Formgrader)")


def check_installed_files(box: ClassInABox) -> None:
    """prepare_machine.py installed the shipped files unchanged, with safe permissions."""
    prefix, grader_home = box.prefix, Path(pwd.getpwnam(box["grader"]).pw_dir)
    shipped = {
        DEPLOY / "jupyterhub_config.py": prefix / "etc" / "jupyterhub_config.py",
        DEPLOY / "nbgrader_config.py": prefix / "env" / "etc" / "jupyter" / "nbgrader_config.py",
        DEPLOY / "grader_nbgrader_config.py": grader_home / ".jupyter" / "nbgrader_config.py",
        ROOT / "assignments" / "nbgrader_config.py": box.course_root / "nbgrader_config.py",
    }
    for role_file in (DEPLOY / "roles").rglob("*.json"):
        shipped[role_file] = prefix / "etc" / "jupyter-roles" / role_file.relative_to(DEPLOY / "roles")
    for source, installed in shipped.items():
        assert installed.read_bytes() == source.read_bytes(), f"{installed} differs from {source}"
    assert (prefix / "exchange").stat().st_mode & 0o7777 == 0o1777
    assert (prefix / "state").stat().st_mode & 0o777 == 0o700
    for name in box.accounts.values():
        assert Path(pwd.getpwnam(name).pw_dir).stat().st_mode & 0o077 == 0, f"home of {name}"


def check_privacy(box: ClassInABox, students: dict, ps_name: str, nb_path: str) -> None:
    full_home = Path(pwd.getpwnam(box["full"]).pw_dir)
    inbound = box.exchange / "inbound"
    full_submission = next(p for p in inbound.iterdir() if p.name.startswith(box["full"] + "+"))
    # nbgrader makes submitted files world-readable but keeps them in a folder nobody may list,
    # under a name ending in 12 characters from os.urandom: unguessable, so unreadable
    assert re.fullmatch(rf"{re.escape(box['full'])}\+{ps_name}\+[^+]+\+[A-Za-z0-9_-]{{12}}",
                        full_submission.name), full_submission.name
    targets = [
        ("another student's notebook", "read", full_home / nb_path),
        ("another student's home", "list", full_home),
        ("the exchange's inbound", "list", inbound),
        ("the course's source", "read", box.course_root / "source" / ps_name / f"{ps_name}.ipynb"),
        ("the gradebook", "read", box.course_root / "gradebook.db"),
        ("the grader's home", "list", box.course_root.parent),
    ]
    for path in (t[2] for t in targets):
        assert path.exists(), f"{path} should exist (the probe would prove nothing)"
    results = probe_permissions(box, "partial", targets)
    assert results == {label: "PermissionError" for label, _, _ in targets}, results
    # and through the hub: nobody else's server, not the grader service
    partial = students[box["partial"]]
    partial.get(f"/user/{box['full']}/api/contents/{nb_path}", expect=403)
    reply = partial.get(f"/services/{box.course_id}/formgrader/api/assignments", expect=None)
    assert reply.status_code in (403, 404) or "/hub/login" in reply.url, reply.status_code
    # a student's own server has no formgrader
    partial.get(f"/user/{box['partial']}/formgrader/api/status", expect=404)


# ------------------------------------------------------------------ the browser pass
def _login_in_browser(page, box: ClassInABox, name: str) -> None:
    page.goto(f"{box.url}/hub/login", timeout=60_000)
    page.fill("#username_input", name)
    page.fill("#password_input", box.passwords[name])
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{name}/lab**", timeout=SPAWN_BOUND * 1000)   # spawn + lab
    page.wait_for_selector(".lm-MenuBar-itemLabel:text-is('Nbgrader')", timeout=120_000)


def _open_nbgrader(page, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text=item).click()


def student_in_browser(box: ClassInABox, browser, student: Person, ps_name: str) -> None:
    with chromium_page(browser, "hub_student_failure.png", **PAGE) as page:
        _login_in_browser(page, box, student.name)
        _open_nbgrader(page, "Assignment List")
        page.locator("#released_assignments_list button", has_text="Fetch").click(timeout=120_000)
        submit = page.locator("#fetched_assignments_list button", has_text="Submit")
        submit.wait_for(timeout=120_000)
        # validate the untouched notebook (the list's Validate button does the same call)
        assert student.validate(f"{box.course_id}/{ps_name}/{ps_name}.ipynb").get("failed")
        submit.click()
        page.locator("#submitted_assignments_list", has_text=ps_name).wait_for(timeout=120_000)
        page.screenshot(path=str(ARTIFACTS / "hub_student_assignments.png"))
    assert any(a["status"] == "submitted" for a in student.assignments())


def formgrader_in_browser(box: ClassInABox, browser, ps_name: str) -> None:
    with chromium_page(browser, "hub_formgrader_failure.png", **PAGE) as page:
        _login_in_browser(page, box, box["instructor"])
        _open_nbgrader(page, "Course List")
        link = page.locator(".nbgrader-mainarea-widget a", has_text=box.course_id)
        link.wait_for(timeout=120_000)
        href = link.get_attribute("href")
        assert href.endswith(f"/services/{box.course_id}/lab?formgrader=true"), href
        page.goto(href, timeout=120_000)        # the link opens the service's JupyterLab
        frame = page.frame_locator("iframe").first
        frame.locator("text=Manage Assignments").first.wait_for(timeout=120_000)
        row = frame.locator("tr", has_text=ps_name).first
        row.wait_for(timeout=60_000)
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        assert "released" in cells and "3" in cells, cells      # status, # submissions
        page.screenshot(path=str(ARTIFACTS / "hub_formgrader.png"))


# ------------------------------------------------------------------ the shipped files, without a hub
def _prepare_module():
    import importlib.util
    spec = importlib.util.spec_from_file_location("prepare_machine", DEPLOY / "prepare_machine.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_course_toml_is_valid_and_agrees_with_the_course_config():
    from traitlets.config import PyFileConfigLoader
    course = _prepare_module().load_course(DEPLOY / "course.toml")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT / "assignments")).load_config()
    assert course["course_id"] == config.CourseDirectory.course_id == "backprop-lab"
    assert not course["course_id"].isidentifier()          # ~/<course id>/ can never be imported
    assert "db_url" not in config.CourseDirectory          # nbgrader's default: <root>/gradebook.db


@pytest.mark.parametrize("change, message", [
    ('course_id = "backprop_lab"', "valid Python module name"),
    ('grader = "Grader One"', "not a valid account name"),
    ('students = ["student1", "student1"]', "appears twice"),
    ('prefix = "srv/backprop-lab"', "absolute path"),
])
def test_prepare_machine_explains_a_bad_course_toml(tmp_path, change, message):
    prepare = _prepare_module()
    key = change.split(" = ")[0]
    lines = [change if line.startswith(f"{key} = ") else line
             for line in (DEPLOY / "course.toml").read_text().splitlines()]
    (tmp_path / "course.toml").write_text("\n".join(lines) + "\n")
    with pytest.raises(prepare.SetupError, match=message):
        prepare.load_course(tmp_path / "course.toml")


def test_every_role_gets_only_its_nbgrader_extensions():
    """nbgrader's table: students list and validate; instructors also see their courses;
    the grader service alone has the formgrader and the Create Assignment panel."""
    wanted = {"student": {"assignment_list", "validate_assignment"},
              "instructor": {"assignment_list", "validate_assignment", "course_list"},
              "grader": {"formgrader", "validate_assignment"}}
    lab = {"assignment_list": "assignment-list", "course_list": "course-list",
           "formgrader": "formgrader"}
    for role, extensions in wanted.items():
        server = json.loads((DEPLOY / "roles" / role / "jupyter_server_config.json").read_text())
        switches = server["ServerApp"]["jpserver_extensions"]
        assert {k.rsplit(".", 1)[1] for k, on in switches.items() if on} == extensions, role
        disabled = json.loads((DEPLOY / "roles" / role / "labconfig" / "page_config.json")
                              .read_text())["disabledExtensions"]
        for extension, plugin in lab.items():
            assert disabled.get(f"@jupyter/nbgrader:{plugin}", False) == (extension not in extensions)
        assert disabled.get("@jupyter/nbgrader:create-assignment", False) == (role != "grader")
        csp = server["ServerApp"].get("tornado_settings", {}).get("headers", {})
        assert csp == ({"Content-Security-Policy": "frame-ancestors 'self'"} if role == "grader"
                       else {})
