"""A Jupyter kernel started inside a sandbox and driven from outside.

The kernel speaks ZeroMQ over ``ipc`` (Unix socket files in a private folder bound into
the sandbox), so it needs no network.  :class:`SandboxKernel` owns everything one kernel
uses on the grader's side -- the connection folder, the private working folder, the
unprivileged user id -- and removes all of it when the kernel is stopped: nothing a
submission wrote survives.

Readiness after a start is *both* channels: :meth:`SandboxKernel.start` returns only once a
``kernel_info`` reply came back on the shell channel *and* an IOPub message arrived, so the
first cell's output cannot be lost to a subscription that is not yet connected.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from queue import Empty

import zmq
import zmq.asyncio
from jupyter_client.manager import AsyncKernelManager

from .isolation import (Limits, Sandbox, UidSlot, die_with_this_thread, graphviz_cache,
                        kernel_threads, probe, python_layout, reap_strays, thread_ids,
                        tree_cpu_seconds, zombie_children)

#: the largest single message accepted from a kernel (a bigger one drops the connection)
MAX_MESSAGE_BYTES = 64 << 20
#: the thread settings a kernel without a sandbox gets (a sandbox sets the same)
UNSAFE_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
#: the sandboxes of this process that are running (see kill_all_sandboxes)
_RUNNING: set = set()
#: the private folders of kernels: SCRATCH_PREFIX + the grader's process id + "-" + random
SCRATCH_PREFIX = "bpl-kernel-"
_SWEPT: list = []


def kill_all_sandboxes() -> None:
    """Kill every sandbox this process started and remove their folders, at once and
    without an event loop (a grading worker told to stop)."""
    for kernel in list(_RUNNING):
        kernel.abandon()


def _scratch_folder() -> str:
    """A new private folder for one kernel (its working folder, sockets, log), named after
    this process.  The first call in a process removes the folders of graders that are
    gone (killed before they could clean up: SIGKILL, a crash of the machine)."""
    if not _SWEPT:
        _SWEPT.append(True)
        base = tempfile.gettempdir()
        for name in os.listdir(base):
            if not name.startswith(SCRATCH_PREFIX):
                continue
            owner = name[len(SCRATCH_PREFIX):].split("-", 1)[0]
            if not owner.isdigit():
                continue
            path = os.path.join(base, name)
            try:
                if os.lstat(path).st_uid != os.getuid() or not os.path.isdir(path) \
                        or os.path.islink(path):
                    continue
                os.kill(int(owner), 0)
            except ProcessLookupError:                # its grader is gone
                shutil.rmtree(path, ignore_errors=True)
            except OSError:                           # alive (or not ours to judge)
                pass
    return tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")


def kernel_python(argv0: str) -> str:
    """The interpreter a kernel spec's ``argv[0]`` means (jupyter_client's own rule: a bare
    ``python`` is the grader's Python), as an absolute path."""
    major, minor = sys.version_info[:2]
    if argv0 in {"python", f"python{major}", f"python{major}.{minor}"}:
        return sys.executable
    return shutil.which(argv0) or argv0


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the kernel command inside ``self.sandbox`` (when set); interrupts by message,
    since a signal to the process group would hit bwrap rather than the kernel.

    The process started (bwrap, or the kernel itself without a sandbox) is killed by Linux
    when the thread that started it ends -- set before it runs (see
    :func:`~.isolation.die_with_this_thread`): a grader that is killed takes its sandboxes
    with it, however early in their start."""

    sandbox: Sandbox | None = None
    owner_uid: int | None = None
    log_path: str | None = None

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if self.sandbox is None:
            return cmd
        return self.sandbox.command([kernel_python(cmd[0]), *cmd[1:]])

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self.owner_uid is not None:         # the unprivileged kernel must read its keys
            os.chown(self.connection_file, self.owner_uid, self.owner_uid)
        kw["stdin"] = subprocess.DEVNULL
        kw["stdout"] = subprocess.DEVNULL
        kw["preexec_fn"] = die_with_this_thread()
        if self.sandbox is not None and self.sandbox.lifeline >= 0:
            kw["pass_fds"] = (self.sandbox.lifeline,)
        if self.log_path:
            kw["stderr"] = open(self.log_path, "ab")     # noqa: SIM115 (closed by Popen's owner)
        return await super()._async_launch_kernel(kernel_cmd, **kw)


class SandboxKernel:
    """One kernel (one sandbox unless ``unsafe``) for one notebook run.

    ``shipped`` maps relative paths to host files copied into the private working folder
    (the files the release shipped); ``env`` is added to the sandbox's environment.
    """

    def __init__(self, *, kernel_name: str, name: str, shipped: dict, env: dict,
                 limits: Limits, forbidden: list[str], unsafe: bool = False,
                 extra_arguments: list[str] = (), log=None):
        self.kernel_name, self.name, self.unsafe = kernel_name, name, unsafe
        self.shipped, self.env, self.limits, self.forbidden = shipped, env, limits, forbidden
        self.extra_arguments, self.log = list(extra_arguments), log
        self.km: SandboxedKernelManager | None = None
        self.kc = None
        self._scratch = None
        self._slot = None
        self._lifeline = None          # the write end of the sandbox's lifeline pipe

    # ------------------------------------------------------------------ life cycle
    async def start(self, startup_timeout: float) -> None:
        _RUNNING.add(self)                 # from here on, stop() or abandon() clean up
        self._scratch = _scratch_folder()
        ipc_dir = os.path.join(self._scratch, "ipc")
        workdir = os.path.join(self._scratch, "work")
        os.mkdir(ipc_dir, 0o700)
        os.mkdir(workdir, 0o700)
        for relative, source in self.shipped.items():
            target = os.path.join(workdir, relative)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(source, target)
        km = SandboxedKernelManager(kernel_name=self.kernel_name, transport="ipc",
                                    ip=os.path.join(ipc_dir, "k"),
                                    connection_file=os.path.join(ipc_dir, "kernel.json"))
        km.log_path = os.path.join(self._scratch, "kernel.log")
        kwargs = {}
        if not self.unsafe:
            python = kernel_python(km.kernel_spec.argv[0])
            mode = probe(python)
            uid = None
            if mode == "root":
                self._slot = UidSlot()
                uid = self._slot.uid
                for path in (ipc_dir, workdir):
                    for root, dirs, files in os.walk(path):
                        for entry in [root, *(os.path.join(root, f) for f in files)]:
                            os.chown(entry, uid, uid)
                km.owner_uid = uid
            layout, cache = python_layout(python), graphviz_cache(python, self.limits.memory)
            inside, self._lifeline = os.pipe()     # neither end inherited by anything else
            km.sandbox = Sandbox(layout=layout, mode=mode, workdir=workdir, name=self.name,
                                 ipc_dir=ipc_dir, env=self.env, limits=self.limits, uid=uid,
                                 forbidden=self.forbidden, cache=cache, lifeline=inside)
            km.kernel_spec.interrupt_mode = "message"
        else:
            kwargs["cwd"] = workdir
            # one thread per numerical library, as in a sandbox (kernels run side by side)
            kwargs["env"] = {**os.environ, **UNSAFE_THREADS, **self.env}
        self.km = km
        try:
            await km.start_kernel(extra_arguments=self.extra_arguments, **kwargs)
        finally:
            if km.sandbox is not None:             # bwrap has its copy
                os.close(km.sandbox.lifeline)
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        self.kc = km.client(context=context)
        self.kc.start_channels()
        try:
            await self._ready(startup_timeout)
        except RuntimeError as error:
            detail = self.kernel_log()
            await self.stop()
            raise RuntimeError(f"the kernel did not start: {error}"
                               + (f"\n{detail}" if detail else "")) from None
        self.kc.allow_stdin = False

    async def _ready(self, timeout: float) -> None:
        """Wait until the kernel answers ``kernel_info`` on the shell channel and an IOPub
        message has arrived (the subscription is connected).  jupyter_client's
        ``wait_for_ready`` does the same, then waits for 0.2 s of IOPub silence to throw
        away what the start sent: 0.2 s of nothing per kernel here, since the executor only
        ever reads the messages of its own requests."""
        deadline = time.monotonic() + timeout
        while True:
            self.kc.kernel_info()
            try:
                reply = await self.kc.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply.get("msg_type") == "kernel_info_reply":
                try:
                    await self.kc.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass                      # not subscribed yet: ask again
                else:
                    adapt = getattr(self.kc, "_handle_kernel_info_reply", None)
                    if adapt is not None:     # (the protocol version, as jupyter_client does)
                        adapt(reply)
                    return
            if not await self.alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    async def stop(self) -> None:
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km is not None and self.km.has_kernel:
                await self._kill()
                await self.km.shutdown_kernel(now=True)
        except Exception as error:                  # the kernel may be long gone
            if self.log:
                self.log.debug("stopping the kernel: %s", error)
        finally:
            _RUNNING.discard(self)
            if self.kc is not None:
                self.kc.context.destroy(linger=0)
            self.kc = None
            if self._slot is not None:
                self._slot.release()
                self._slot = None
            self._remove_folders()

    async def _kill(self) -> None:
        """SIGKILL the sandbox (bwrap leads its own session; without a sandbox, the kernel
        does) and wait until it is gone, checking often: jupyter_client's shutdown, which
        follows, then finds it dead at once instead of sleeping 0.1 s between checks."""
        process = getattr(self.km.provisioner, "process", None)
        if process is None or process.poll() is not None or not self._kill_sandbox():
            return
        pause, deadline = 0.002, time.monotonic() + 5
        while process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(pause)
            pause = min(2 * pause, 0.05)

    def _kill_sandbox(self) -> bool:
        """SIGKILL the kernel's process group: bwrap leads its own session (without a
        sandbox, the kernel does).  False when there was no process to signal."""
        pid = self.pid
        if not pid:
            return False
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            return False
        return True

    def _remove_folders(self) -> None:
        """Remove the kernel's private folders; close the grader's end of the lifeline."""
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
        if self._lifeline is not None:
            os.close(self._lifeline)
            self._lifeline = None

    def abandon(self) -> None:
        """:meth:`stop` for a grader that is being interrupted or is dying (no event loop to
        wait in): SIGKILL the sandbox (bwrap leads its own session; without a sandbox, the
        kernel does), remove its folders.  The user id is given back when this process
        ends (the next sandbox given that id checks that none of its processes is left).
        Does nothing to a kernel already stopped (its process id may be another's now)."""
        if not self.running:
            return
        _RUNNING.discard(self)
        self._kill_sandbox()
        try:
            if self.kc is not None:
                self.kc.stop_channels()
                self.kc.context.destroy(linger=0)
        except Exception:                           # noqa: BLE001 (the process is ending)
            pass
        self.km = self.kc = None          # nothing left for stop() to wait for
        self._remove_folders()

    # ------------------------------------------------------------------ state
    @property
    def running(self) -> bool:
        """Started and not stopped yet (whether or not the kernel still lives)."""
        return self in _RUNNING

    async def alive(self) -> bool:
        return self.km is not None and await self.km.is_alive()

    @property
    def pid(self) -> int | None:
        provisioner = getattr(self.km, "provisioner", None)
        return getattr(provisioner, "pid", None)

    def cpu_seconds(self) -> float | None:
        """CPU seconds the kernel and every process it started (the whole sandbox) used so
        far; None when that cannot be read."""
        pid = self.pid
        return None if pid is None else tree_cpu_seconds(pid)

    def threads(self) -> frozenset | None:
        """The ids of the threads the kernel process runs (a timer a cell started is one);
        None when the kernel is gone."""
        pid = self.pid
        if pid is None:
            return None
        return thread_ids(pid) if self.unsafe else kernel_threads(pid)

    def reap(self) -> int:
        """Kill processes the cells left running in the sandbox (not the kernel); returns
        how many were left behind, the killed ones and the kernel's uncollected dead ones."""
        if self.unsafe or self.pid is None:
            return 0
        return max(reap_strays(self.pid), zombie_children(self.pid))

    def kernel_log(self) -> str:
        path = self.km.log_path if self.km else None
        if not path or not os.path.exists(path):
            return ""
        with open(path, "rb") as f:
            f.seek(max(0, os.path.getsize(path) - 2000))
            return f.read().decode(errors="replace").strip()
