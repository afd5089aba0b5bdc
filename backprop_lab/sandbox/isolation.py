"""One kernel, one bubblewrap sandbox: what a submission can see, write and use.

`bubblewrap <https://github.com/containers/bubblewrap>`_ (``bwrap``, Debian package
``bubblewrap``) builds the sandbox from Linux namespaces: a new mount namespace that
contains only what is bound into it, new PID, IPC, UTS and network namespaces (no network
at all, not even to the grader's machine), and ``--die-with-parent`` so nothing outlives
the grader.  Inside:

* read-only: ``/usr`` (and the ``/bin``, ``/lib`` links), the Python installation, the
  virtual environment and the ``backprop_lab`` package (found by asking the kernel's
  Python, so editable and ``--user`` installs work), a few files of ``/etc``;
* writable, private and empty at start: ``/tmp`` and the home folder (size-limited
  tmpfs), the working folder holding a *copy* of the files the release shipped;
* the kernel's connection folder (ZeroMQ ``ipc`` socket files, one folder per kernel):
  the grader talks to the kernel through these, with no network involved.

Not there: the course folder (gradebook, ``source/``, other students, the exchange), the
grader's home, its environment variables.

**Grading as root** (CI, a grading server): ``bwrap`` runs privileged, and a small launcher
inside drops to an unprivileged user id of its own (one per sandbox, from
:data:`UID_BASE`), so that the submission has no capabilities, owns none of the bound
files and has its own process count.  **As a normal user** ``bwrap`` uses unprivileged
user namespaces and the kernel keeps that user's id.

Resource limits (:class:`Limits`, ``setrlimit`` in the launcher): address space per
process, processes and threads, file size, open files, CPU seconds; the tmpfs mounts have
a size.  Processes a cell leaves behind are killed when it ends (:func:`reap_strays`).
:func:`tree_cpu_seconds` is what a cell is charged for: the CPU time of the sandbox's
process tree (a busy machine slows a cell down, but does not make it use more CPU).
"""
from __future__ import annotations

import ctypes
import fcntl
import functools
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = (
    "Install bubblewrap, the sandbox every submission runs in: "
    "`sudo apt-get install bubblewrap` (Debian/Ubuntu), `sudo dnf install bubblewrap` "
    "(Fedora/RHEL) or `sudo pacman -S bubblewrap` (Arch). As a normal user it also needs "
    "unprivileged user namespaces (`sudo sysctl -w kernel.unprivileged_userns_clone=1` on "
    "older Debian; on Ubuntu 24.04 allow bwrap in AppArmor), or grade as root. "
    "To grade without a sandbox anyway -- only submissions you trust -- pass --unsafe "
    "(`backprop-lab grade ... --unsafe`, or `nbgrader autograde ... "
    "--SandboxedExecute.unsafe=True`).")

#: first user id given to sandboxes when grading as root (one id per running sandbox)
UID_BASE = 1_800_000_000
UID_SLOTS = 4096
HOME = "/home/student"
#: where a sandbox sees the compiled embedded Graphviz (read-only, see graphviz_cache)
CACHE_INSIDE = "/var/cache/backprop-lab"


class SandboxUnavailable(RuntimeError):
    """No sandbox can be built on this machine; the message says what to install."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox (``setrlimit`` in the launcher; per process, except
    ``processes``, which counts every process and thread of the sandbox's user)."""

    memory: int = 4 << 30           # address space of each process (RLIMIT_AS), bytes
    processes: int = 128            # processes + threads (RLIMIT_NPROC)
    file_size: int = 64 << 20       # largest file a submission can write (RLIMIT_FSIZE)
    open_files: int = 1024          # RLIMIT_NOFILE
    cpu_seconds: int = 1800         # CPU time of each process (RLIMIT_CPU)
    tmp_size: int = 256 << 20       # each private tmpfs (/tmp, the home folder), bytes

    def rlimits(self, extra_processes: int = 0) -> dict:
        return {"RLIMIT_AS": self.memory, "RLIMIT_NPROC": self.processes + extra_processes,
                "RLIMIT_FSIZE": self.file_size, "RLIMIT_NOFILE": self.open_files,
                "RLIMIT_CPU": self.cpu_seconds, "RLIMIT_CORE": 0}


# Runs inside the sandbox, before the kernel: the lifeline, limits, then (as root) the
# unprivileged id.  After setresuid to a non-zero id the process has no capabilities left.
# The lifeline is the read end of a pipe whose only write end the grader holds: closed means
# the grader is gone -- it died while bwrap was building the sandbox, before bwrap's own
# process 1 could tie its life to bwrap's (--die-with-parent is set by each bwrap process
# for itself, after its set-up) -- and a kernel nobody will ever stop must not start.
LAUNCHER = """\
import json, os, resource, select, sys
limits, uid, cwd, lifeline = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
if lifeline >= 0:
    watch = select.poll()
    watch.register(lifeline, select.POLLIN)
    if watch.poll(0):
        os._exit(70)
    os.close(lifeline)
for name, value in limits.items():
    resource.setrlimit(getattr(resource, name), (value, value))
if uid >= 0:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
os.chdir(cwd)
os.execv(sys.argv[6], sys.argv[6:])
"""

#: prctl(2) option: the signal a process gets when the thread that started it ends
PR_SET_PDEATHSIG = 1
try:
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
    _PRCTL.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
    _PRCTL.restype = ctypes.c_int
except (OSError, AttributeError):          # not Linux: no such setting
    _PRCTL = None


def die_with_parent(signum: int, parent: int) -> bool:
    """Have Linux send ``signum`` to this process when the thread that started it ends
    (``prctl(PR_SET_PDEATHSIG)``), and end this process at once if ``parent`` (the id of
    the process that started it) is already gone: the setting only covers a parent that
    ends after it is made.  False where the setting does not exist."""
    if _PRCTL is None or _PRCTL(PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
        return False
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return True


def die_with_this_thread(signum: int = signal.SIGKILL):
    """A ``preexec_fn`` for :class:`subprocess.Popen`: the child is sent ``signum`` when
    the calling thread ends -- set in the child *before* it runs its program, so there is
    no moment in which the caller can die unnoticed.  ``bwrap --die-with-parent`` alone
    leaves one: bwrap sets it only after building its namespaces, and a grader killed
    meanwhile left a sandbox (and its kernel) running for good."""
    return functools.partial(die_with_parent, signum, os.getpid())

_PROBED: dict = {}


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def python_layout(python: str) -> dict:
    """What the kernel's Python needs to see: its prefixes, ``sys.path`` and the folder of
    the ``backprop_lab`` package (asked from that Python itself, cached).

    On the way, the package's bytecode is brought up to date (``compileall``, what importing
    it outside a sandbox does anyway): a sandbox sees the package read-only, so a module
    whose ``.pyc`` is missing or stale -- one that only kernels import, in a fresh checkout
    or after an update -- would be compiled again by every kernel."""
    key = ("layout", python)
    if key not in _PROBED:
        script = ("import compileall, importlib.util, json, os, site, sys\n"
                  "spec = importlib.util.find_spec('backprop_lab')\n"
                  "for folder in (spec.submodule_search_locations if spec else []):\n"
                  "    try:\n"
                  "        compileall.compile_dir(folder, quiet=2)\n"
                  "    except OSError:\n"
                  "        pass\n"
                  "print(json.dumps({'prefix': sys.prefix, 'base_prefix': sys.base_prefix,\n"
                  "  'exec_prefix': sys.exec_prefix, 'base_exec_prefix': sys.base_exec_prefix,\n"
                  "  'executable': os.path.realpath(sys.executable), 'path': sys.path,\n"
                  "  'user_base': site.getuserbase(), 'user_site': site.getusersitepackages(),\n"
                  "  'package': list(spec.submodule_search_locations) if spec else []}))\n")
        done = subprocess.run([python, "-E", "-c", script], capture_output=True, text=True,
                              cwd=tempfile.gettempdir(), timeout=120)
        if done.returncode != 0:
            raise SandboxUnavailable(f"cannot run the kernel's Python {python}: "
                                     f"{done.stderr.strip()[-500:]}")
        layout = json.loads(done.stdout.strip().splitlines()[-1])
        layout["python"] = python           # as invoked: a venv is found from this path
        _PROBED[key] = layout
    return _PROBED[key]


# run by the kernel's Python on the grader's side: makes sure the folder given holds a good
# copy of the compiled embedded Graphviz for this Python -- kept from an earlier run, else
# copied from the grader's own cache (compiled and stored there first if missing), else
# compiled into a private folder next to it -- written under a temporary name and renamed
# into place (graders running side by side never see half a file), readable by everyone
_FILL_CACHE = """
import os, resource, shutil, sys, tempfile
from pathlib import Path
limit = int(sys.argv[2])          # the kernels' address-space limit: wasmtime's settings, and
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))   # so the file's name, depend on it
from backprop_lab import render_graphviz as rg
folder = Path(sys.argv[1])
wasm = rg._wasm_file().read_bytes()
owns = [rg.cache_path(wasm, interruptible) for interruptible in rg._kinds()]  # what kernels load

def good(path):                       # the loader's own check of a cache file
    return not path.is_symlink() and path.is_file() and rg._cached_payload(path) is not None

missing = [own for own in owns if not good(folder / own.name)]
if missing:
    if not all(good(own) for own in missing):
        rg.load_modules()             # compiled, and stored in the grader's cache if it can
    private = Path(tempfile.mkdtemp(dir=folder, prefix=".fill-"))
    try:
        if all(good(own) for own in missing):
            for own in missing:
                shutil.copyfile(own, private / own.name)
        else:                         # the grader's cache cannot be written: compile here
            os.environ[rg.CACHE_VARIABLE] = str(private)
            rg._embedded.clear()
            rg.load_modules()
        for own in missing:
            os.chmod(private / own.name, 0o644)
            os.replace(private / own.name, folder / own.name)
    finally:
        shutil.rmtree(private, ignore_errors=True)
"""


def sandbox_cache_folder() -> str | None:
    """The grader's folder of compiled embedded Graphviz for sandboxes: one per user, kept
    from run to run (``sandbox/`` in ``render_graphviz.cache_directory()``, so
    ``~/.cache/backprop_lab/sandbox`` by default).  It must be a real folder (no symbolic
    link), belong to this user and be writable by nobody else; it is made readable by
    everyone (a sandbox of a root grader runs as another user).  None when that cannot be
    had (no writable home, say)."""
    from ..render_graphviz import cache_directory
    try:
        base = cache_directory()
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder = base / "sandbox"
        try:
            folder.mkdir(mode=0o755)
        except FileExistsError:
            pass
        status = os.lstat(folder)
        if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid() \
                or status.st_mode & 0o022:
            return None
        if status.st_mode & 0o555 != 0o555:
            os.chmod(folder, 0o755)
        return str(folder)
    except (OSError, RuntimeError, KeyError):     # no home folder
        return None


def graphviz_cache(python: str, memory: int = 4 << 30) -> str | None:
    """A folder holding the compiled embedded Graphviz for ``python``'s wasmtime, checked
    once per grading process on the trusted side: bound read-only into every sandbox (at
    :data:`CACHE_INSIDE`, ``BACKPROP_LAB_CACHE_DIR``), so a kernel that draws loads it
    instead of compiling Graphviz again (about 3 s of CPU per kernel: a sandbox's home is
    new each time).  It is :func:`sandbox_cache_folder`, kept between runs (the first run
    fills it, later ones only check the file); where there is none, a temporary folder
    removed when the process exits.  The folder and file belong to the grader (root, or the
    grading user in user-namespace mode) and nobody else can write them -- the kernel's
    loader trusts nothing else -- and no sandbox can write them either.  None when it
    cannot be made (no wasmtime, say): kernels then compile, as before.  ``memory``: the
    kernels' address-space limit (the compiled code differs below 8 GiB, see
    ``render_graphviz.engine_settings``), applied to the process that fills the folder."""
    key = ("graphviz-cache", python, memory)
    if key not in _PROBED:
        folder = sandbox_cache_folder()
        temporary = folder is None
        if temporary:
            folder = tempfile.mkdtemp(prefix="bpl-graphviz-")
            os.chmod(folder, 0o755)
        try:
            done = subprocess.run([python, "-E", "-c", _FILL_CACHE, folder, str(memory)],
                                  timeout=300, capture_output=True, text=True, cwd=folder)
            ok = done.returncode == 0 and any(n.endswith(".cwasm") for n in os.listdir(folder))
        except (OSError, subprocess.SubprocessError):
            ok = False
        if temporary and ok:
            import atexit
            atexit.register(shutil.rmtree, folder, True)
        elif temporary:
            shutil.rmtree(folder, ignore_errors=True)
        _PROBED[key] = folder if ok else None
    return _PROBED[key]


def _is_inside(path: str, folder: str) -> bool:
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def readonly_paths(layout: dict, forbidden: list[str]) -> list[str]:
    """Folders and files to bind read-only: the Python installation, the environment, the
    package.  A path that contains a forbidden folder (the course) is never bound: of an
    editable install whose checkout holds the course, only the package folder is."""
    wanted = [layout["base_prefix"], layout["base_exec_prefix"], layout["prefix"],
              layout["exec_prefix"], os.path.dirname(layout["executable"]),
              os.path.dirname(os.path.abspath(layout.get("python", layout["executable"]))),
              *layout["package"], *layout["path"]]
    keep = []
    for path in wanted:
        if not path or not os.path.isabs(path) or not os.path.exists(path):
            continue
        real = os.path.realpath(path)
        if any(_is_inside(f, real) for f in forbidden):
            continue                           # e.g. a checkout that holds the course
        if _is_inside(real, "/usr"):
            continue                           # bound as a whole
        keep.append(real)
    keep.sort(key=len)
    result = []
    for path in keep:
        if not any(_is_inside(path, outer) for outer in result):
            result.append(path)
    return result


def probe(python: str | None = None) -> str:
    """``"root"`` (privileged bwrap, unprivileged id inside) or ``"user"`` (bwrap with user
    namespaces); raises :class:`SandboxUnavailable` with what to install.  Cached."""
    python = python or sys.executable
    key = ("mode", python)
    if key in _PROBED:
        return _PROBED[key]
    if bwrap_path() is None:
        raise SandboxUnavailable("bwrap (bubblewrap) was not found on PATH. " + INSTALL_HINT)
    mode = "root" if os.geteuid() == 0 else "user"
    layout = python_layout(python)
    with tempfile.TemporaryDirectory(prefix="bpl-probe-") as scratch:
        os.chmod(scratch, 0o755)
        sandbox = Sandbox(layout=layout, mode=mode, workdir=scratch, name="probe",
                          ipc_dir=scratch, env={}, limits=Limits(), uid=UID_BASE + UID_SLOTS)
        # found, not imported (importing them costs a second of CPU on a grading machine
        # for nothing: a kernel that cannot import them says so when it starts)
        check = ("import os, importlib.util as u; "
                 "assert u.find_spec('backprop_lab') and u.find_spec('ipykernel'), 'missing'; "
                 "assert os.getuid() != 0, 'still root'; print('sandbox-ok')")
        done = subprocess.run(sandbox.command([python, "-c", check]),
                              capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL)
    if done.returncode != 0 or "sandbox-ok" not in done.stdout:
        raise SandboxUnavailable(
            f"bwrap is installed but could not start a sandbox ({mode} mode): "
            f"{(done.stderr or done.stdout).strip()[-600:]}\n" + INSTALL_HINT)
    _PROBED[key] = mode
    return mode


class UidSlot:
    """An unprivileged user id no other running sandbox uses (a locked file per id), so that
    the process limit counts this sandbox only."""

    folder = "/run/backprop-lab-sandbox"

    def __init__(self):
        os.makedirs(self.folder, mode=0o700, exist_ok=True)
        self._file = None
        for slot in range(UID_SLOTS):
            handle = open(os.path.join(self.folder, f"uid-{slot}.lock"), "w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            if _processes_of(UID_BASE + slot):   # a killed holder's sandbox still dying
                handle.close()
                continue
            self._file, self.uid = handle, UID_BASE + slot
            return
        raise SandboxUnavailable(f"all {UID_SLOTS} sandbox user ids are in use")

    def release(self) -> None:
        """Give the id back once no process of it is left (a killed sandbox takes a moment
        to die, and its processes would count against the next sandbox's limit)."""
        if self._file is None:
            return
        deadline = time.monotonic() + 30
        while _processes_of(self.uid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _processes_of(self.uid):       # still there: never hand this id out again now
            return
        self._file.close()
        self._file = None


def _processes_of(uid: int) -> int:
    """How many processes run with this real user id."""
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count


def _user_process_count() -> int:
    """Processes and threads of this user now (RLIMIT_NPROC counts them all)."""
    uid, count = os.getuid(), 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            count += int(fields.get("Threads", "1"))
    return count


class Sandbox:
    """The ``bwrap`` command line of one kernel.

    ``workdir`` (host folder, private copy of the shipped files) appears read-write as
    ``/home/student/<name>``, the kernel's working folder; ``ipc_dir`` appears at its own
    path (the ZeroMQ socket files); ``uid`` is the unprivileged id in root mode;
    ``lifeline`` the read end of the grader's lifeline pipe (see :data:`LAUNCHER`; it must
    be passed on to bwrap, ``pass_fds``), or None.
    """

    def __init__(self, *, layout: dict, mode: str, workdir: str, name: str, ipc_dir: str,
                 env: dict, limits: Limits, uid: int | None, forbidden: list[str] = (),
                 cache: str | None = None, lifeline: int | None = None):
        self.layout, self.mode, self.limits, self.cache = layout, mode, limits, cache
        self.lifeline = -1 if lifeline is None else lifeline
        self.workdir, self.ipc_dir, self.env = workdir, ipc_dir, env
        self.inside = f"{HOME}/{name}"
        self.uid = uid if mode == "root" else -1
        self.readonly = readonly_paths(layout, list(forbidden))

    def _system(self) -> list[str]:
        args = ["--ro-bind", "/usr", "/usr"]
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            path = "/" + name
            if os.path.islink(path):
                args += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                args += ["--ro-bind", path, path]
        for path in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime"):
            if os.path.exists(path):
                args += ["--ro-bind", path, path]
        return args

    def _folders(self, paths) -> list[str]:
        """``--dir`` every missing parent with mode 0755 (bwrap would make them 0700 when
        it runs as root, and the unprivileged user could not walk through)."""
        made, args = {"/", "/usr", "/tmp", "/proc", "/dev", "/etc", HOME}, []
        for path in paths:
            parents = []
            parent = os.path.dirname(path)
            while parent not in made and parent != "/":
                parents.append(parent)
                parent = os.path.dirname(parent)
            for folder in reversed(parents):
                args += ["--perms", "0755", "--dir", folder]
                made.add(folder)
        return args

    def command(self, argv: list[str], *, launcher_python: str | None = None) -> list[str]:
        """``bwrap ... -- python -c LAUNCHER limits uid cwd lifeline -- argv`` (the launcher
        changes into the working folder once it is the unprivileged user, who owns it)."""
        uid = self.uid
        extra = _user_process_count() if self.mode == "user" else 0
        args = [bwrap_path() or "bwrap", "--die-with-parent", "--new-session",
                "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--unshare-cgroup-try", "--hostname", "sandbox"]
        if self.mode == "user":
            args += ["--unshare-user"]
        else:
            args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        args += ["--proc", "/proc", "--dev", "/dev",
                 "--perms", "1777", "--size", str(self.limits.tmp_size), "--tmpfs", "/tmp"]
        args += self._system()
        args += ["--perms", "0755", "--dir", "/home",
                 "--perms", "1777", "--size", str(self.limits.tmp_size), "--tmpfs", HOME]
        binds = [*self.readonly, self.ipc_dir] + ([CACHE_INSIDE] if self.cache else [])
        args += self._folders(binds)
        for path in self.readonly:
            args += ["--ro-bind", path, path]
        if self.cache:
            args += ["--ro-bind", self.cache, CACHE_INSIDE]
        args += ["--bind", self.ipc_dir, self.ipc_dir, "--bind", self.workdir, self.inside,
                 "--chdir", "/", "--clearenv"]
        for key, value in self.environment().items():
            args += ["--setenv", key, value]
        python = launcher_python or self.layout["python"]
        limits = json.dumps(self.limits.rlimits(extra))
        return [*args, "--", python, "-I", "-S", "-c", LAUNCHER, limits, str(uid), self.inside,
                str(self.lifeline), "--", *argv]

    def environment(self) -> dict:
        prefix_bin = os.path.join(self.layout["prefix"], "bin")
        env = {"HOME": HOME, "USER": "student", "LOGNAME": "student", "TMPDIR": "/tmp",
               "PATH": f"{prefix_bin}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
               "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
               # one thread per numerical library: sandboxes run side by side, one per core
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        if self.layout["prefix"] != self.layout["base_prefix"]:
            env["VIRTUAL_ENV"] = self.layout["prefix"]
        if any(_is_inside(p, self.layout["user_site"]) or p == self.layout["user_site"]
               for p in self.readonly):
            env["PYTHONUSERBASE"] = self.layout["user_base"]
        if self.cache:
            env["BACKPROP_LAB_CACHE_DIR"] = CACHE_INSIDE
        env.update(self.env)
        return env


def zombie_children(bwrap_pid: int) -> int:
    """Dead children the kernel has not collected (they still count against its process
    limit: many of them leave the kernel unable to start a thread)."""
    init = _children(bwrap_pid)
    kernels = [pid for pid in (_children(init[0]) if init else []) if _inner_pid(pid) == 2]
    return sum(_is_zombie(pid) for pid in _children(kernels[0])) if kernels else 0


def reap_strays(bwrap_pid: int) -> int:
    """Kill every process of the sandbox except its init and the kernel; returns how many.

    Inside the PID namespace every process descends from bwrap's init (orphans are
    re-parented to it); the kernel is the namespace's process 2."""
    killed = 0
    for _ in range(50):                   # a fork bomb may keep forking while we kill
        init = _children(bwrap_pid)
        if not init:
            return killed
        strays = [pid for pid in _descendants(init[0])
                   if _inner_pid(pid) != 2 and not _is_zombie(pid)]
        if not strays:
            return killed
        for pid in strays:
            try:
                os.kill(pid, 9)
                killed += 1
            except OSError:
                pass
    return killed


def kernel_threads(bwrap_pid: int) -> frozenset | None:
    """The thread ids of the sandbox's kernel (its namespace's process 2) now; None when
    it is gone."""
    for pid in _descendants(bwrap_pid):
        if _inner_pid(pid) == 2:
            return thread_ids(pid)
    return None


def thread_ids(pid: int) -> frozenset | None:
    """The ids of ``pid``'s threads (ids, not a count: a thread that ended and a new one
    must not look like no change); None when it is gone."""
    try:
        return frozenset(map(int, os.listdir(f"/proc/{pid}/task"))) if not _is_zombie(pid) \
            else None
    except (OSError, ValueError):
        return None


_TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system, every thread) used so far by ``pid`` and every process
    below it, including the children they already collected (``cutime``/``cstime``);
    None when ``pid`` is gone.

    Processes are read parents first, so a child collected while we read is counted once
    (in its parent) or not at all for this reading -- never twice; readings only dip for
    an instant, they never run ahead of the real use."""
    total = 0
    for one in (pid, *_descendants(pid)):
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            if one == pid:
                return None
            continue
        total += sum(int(x) for x in fields[11:15])      # utime stime cutime cstime
    return total / _TICKS


def _children(pid: int) -> list[int]:
    found = set()
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    for task in tasks:
        try:
            found.update(int(p) for p in Path(f"/proc/{pid}/task/{task}/children").read_text().split())
        except OSError:
            pass
    return sorted(found)


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for child in _children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def _is_zombie(pid: int) -> bool:
    """Dead, waiting for its parent to collect it (killing it again changes nothing)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True


def _inner_pid(pid: int) -> int | None:
    """The process's id in the innermost PID namespace (the sandbox's)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("NSpid:"):
                return int(line.split()[-1])
    except (OSError, ValueError):
        pass
    return None
