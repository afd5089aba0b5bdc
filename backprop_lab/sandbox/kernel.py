"""A Jupyter kernel started inside a sandbox and driven from outside.

The kernel speaks ZeroMQ over ``ipc`` (Unix socket files in a private folder bound into
the sandbox), so it needs no network.  :class:`SandboxKernel` owns everything one kernel
uses on the grader's side -- the connection folder, the private working folder, the
unprivileged user id -- and removes all of it when the kernel is stopped: nothing a
submission wrote survives.

Readiness after a start is *both* channels: ``wait_for_ready`` returns only once a
``kernel_info`` reply came back on the shell channel *and* an IOPub message arrived, so the
first cell's output cannot be lost to a subscription that is not yet connected.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile

import zmq
import zmq.asyncio
from jupyter_client.manager import AsyncKernelManager

from .isolation import (Limits, Sandbox, UidSlot, graphviz_cache, kernel_threads, probe,
                        python_layout, reap_strays, thread_ids, tree_cpu_seconds,
                        zombie_children)

#: the largest single message accepted from a kernel (a bigger one drops the connection)
MAX_MESSAGE_BYTES = 64 << 20
#: the thread settings a kernel without a sandbox gets (a sandbox sets the same)
UNSAFE_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
#: the sandboxes of this process that are running (see kill_all_sandboxes)
_RUNNING: set = set()


def kill_all_sandboxes() -> None:
    """SIGKILL every sandbox this process started (a grading worker told to stop)."""
    for kernel in list(_RUNNING):
        pid = kernel.pid
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)     # bwrap leads its own session
            except OSError:
                pass


def kernel_python(argv0: str) -> str:
    """The interpreter a kernel spec's ``argv[0]`` means (jupyter_client's own rule: a bare
    ``python`` is the grader's Python), as an absolute path."""
    major, minor = sys.version_info[:2]
    if argv0 in {"python", f"python{major}", f"python{major}.{minor}"}:
        return sys.executable
    return shutil.which(argv0) or argv0


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the kernel command inside ``self.sandbox`` (when set); interrupts by message,
    since a signal to the process group would hit bwrap rather than the kernel."""

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

    # ------------------------------------------------------------------ life cycle
    async def start(self, startup_timeout: float) -> None:
        self._scratch = tempfile.mkdtemp(prefix="bpl-kernel-")
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
            km.sandbox = Sandbox(layout=python_layout(python), mode=mode, workdir=workdir,
                                 name=self.name, ipc_dir=ipc_dir, env=self.env,
                                 limits=self.limits, uid=uid, forbidden=self.forbidden,
                                 cache=graphviz_cache(python, self.limits.memory))
            km.kernel_spec.interrupt_mode = "message"
        else:
            kwargs["cwd"] = workdir
            # one thread per numerical library, as in a sandbox (kernels run side by side)
            kwargs["env"] = {**os.environ, **UNSAFE_THREADS, **self.env}
        self.km = km
        _RUNNING.add(self)
        await km.start_kernel(extra_arguments=self.extra_arguments, **kwargs)
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        self.kc = km.client(context=context)
        self.kc.start_channels()
        try:
            await self.kc.wait_for_ready(timeout=startup_timeout)
        except RuntimeError as error:
            detail = self.kernel_log()
            await self.stop()
            raise RuntimeError(f"the kernel did not start: {error}"
                               + (f"\n{detail}" if detail else "")) from None
        self.kc.allow_stdin = False

    async def stop(self) -> None:
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km is not None and self.km.has_kernel:
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
            if self._scratch:
                shutil.rmtree(self._scratch, ignore_errors=True)
                self._scratch = None

    # ------------------------------------------------------------------ state
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
