"""nbgrader's execute step, in a sandbox, with verdicts the kernel cannot forge.

:class:`SandboxedExecute` replaces ``nbgrader.preprocessors.Execute`` in
``assignments/nbgrader_config.py``, so ``nbgrader autograde``, the Formgrader's autograde
button and ``backprop-lab grade`` all use it.  For every notebook:

* **a sandbox** (:mod:`.isolation`): the kernel runs in bubblewrap with a private copy of
  the shipped files, read-only Python and package, no network, limits; processes a cell
  leaves behind are killed when it ends; everything is removed afterwards.
* **trusted verdicts** (:mod:`.verdicts`): each graded test cell's hidden results are taken
  out of its outputs and judged here, after the cell ran; no valid results -> 0, flagged.
* **honest work is never lost to the grader**:

  - a cell gets ``timeout`` seconds of **CPU time** (nbgrader's ``Execute.timeout``,
    counted over the sandbox's whole process tree from ``/proc``), so a slow, busy machine
    never costs an honest cell its points; the wall clock only guards against a cell that
    sleeps or waits forever (``hang_timeout``, by default ten times ``timeout``, at least
    5 minutes).  Over either limit the kernel is interrupted and the cell records a
    ``CellTimeoutError`` that says which limit (never fatal); a cell that ignores the
    interrupt is killed after ``interrupt_grace`` seconds, recorded the same way, and the
    notebook goes on in a new kernel that replays the cells above;
  - output is limited in bytes per cell and per notebook;
  - a kernel that dies does not take the notebook with it: the cell that killed it is found
    -- also when it died *after* that cell finished (``exit()``, a timer calling
    ``os._exit``) -- by replaying the cells above in a fresh kernel and waiting as long as
    the failed run lived; that cell alone records the error and is left out of later
    replays, a cell that only *happened* to be running when the kernel died (killed from
    outside) is run again, and grading goes on.  A cell that leaves a thread running (a
    timer) is the first suspect, and after the last cell the kernel is kept until the
    threads its cells started are over (``settle_timeout``), so a timer that fires after
    the notebook ran is caught as surely on a fast machine as on a slow one;
  - every new kernel is ready on both channels (shell reply *and* IOPub) before a cell is
    sent, and after a reply the executor waits for the cell's last output however busy the
    machine is (up to the cell's timeout), so no output is lost to a slow IOPub.

``--unsafe`` (``SandboxedExecute.unsafe = True`` or ``BACKPROP_LAB_UNSAFE_GRADING=1``) runs
the kernel without a sandbox -- the verdicts are still judged here -- and says so in the log
and in the notebook (and so in the feedback).
"""
from __future__ import annotations

import asyncio
import copy
import os
import secrets
import time
from queue import Empty

import nbformat
from jupyter_core.utils import run_sync
from nbclient.client import NotebookClient
from nbclient.exceptions import CellExecutionComplete
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Integer

from ..grading.task import SALT_VARIABLE
from ..i18n.messages import tr
from . import verdicts
from .isolation import Limits, SandboxUnavailable, probe
from .kernel import SandboxKernel, kernel_python



# ---- notes on cells left out, in the notebook's language (the run is inside
# verdicts.speaking); KERNEL_DIED ... below are their English texts
def _kernel_died(after: bool = False) -> str:
    return (tr("The kernel died after this cell finished (exit(), a timer or a thread calling "
               "os._exit ...). This cell is left out when the cells above later cells are run "
               "again, so the rest of the notebook is still graded.") if after else
            tr("The kernel died while running this cell (os._exit, a segfault, running out of "
               "memory ...). It was restarted and the cells above were run again, so the rest "
               "of the notebook is still graded."))


def _forked(n: int) -> str:
    return tr("This cell left {n} processes behind (a fork bomb?). They were killed, and the "
              "cell is left out when the cells above later cells are run again in a new "
              "kernel, so the rest of the notebook is still graded.", n=n)


def _stuck() -> str:
    return tr("This cell did not stop when it was interrupted after the time limit, so its "
              "kernel was stopped; a new kernel ran the cells above again and grading went on.")


KERNEL_DIED, KERNEL_DIED_AFTER = _kernel_died(), _kernel_died(after=True)
UNSAFE_NOTE = ("WARNING: this notebook was graded WITHOUT a sandbox (--unsafe): the "
               "submission ran with the grader's rights.\n")
ENV_UNSAFE = "BACKPROP_LAB_UNSAFE_GRADING"
#: set by ``backprop-lab grade`` workers: the gradebook lock, released while kernels run
EXECUTION_GATE = None


class _Outcome:
    """How one cell execution ended: ``ok``/``error`` (a reply), ``timeout`` (interrupted,
    then replied), ``stuck`` (ignored the interrupt), ``died`` (the kernel died),
    ``forked`` (left too many processes behind)."""

    def __init__(self, kind: str, reply=None, started: bool = False):
        self.kind, self.reply, self.started = kind, reply, started

    @property
    def finished(self) -> bool:
        return self.kind in ("ok", "error", "timeout")


class _Limit:
    """A limit a cell went over: ``kind`` "cpu" (its CPU time) or "wall" (the hang guard)."""

    def __init__(self, kind: str, seconds: float):
        self.kind, self.seconds = kind, seconds


class _Budget:
    """What one cell execution may use.  The cell is charged the CPU time of its kernel's
    whole process tree (the sandbox) since it was sent -- on a busy machine a cell gets less
    of a core and takes longer, but uses the same CPU time, so load never costs points.  The
    wall clock is only a much larger guard for a cell that sleeps or waits forever."""

    def __init__(self, kernel, cpu_limit: float | None, wall_limit: float | None):
        self.kernel, self.cpu_limit, self.wall_limit = kernel, cpu_limit, wall_limit
        self.cpu_start = kernel.cpu_seconds() if cpu_limit else None
        self.wall_start = time.monotonic()
        if cpu_limit and self.cpu_start is None:     # no /proc reading: the wall clock it is
            self.wall_limit = cpu_limit

    def exceeded(self) -> _Limit | None:
        if self.cpu_start is not None:
            used = self.kernel.cpu_seconds()
            if used is not None and used - self.cpu_start > self.cpu_limit:
                return _Limit("cpu", self.cpu_limit)
        if self.hung():
            return _Limit("wall", self.wall_limit)
        return None

    def hung(self) -> bool:
        return bool(self.wall_limit) and time.monotonic() - self.wall_start > self.wall_limit


class _Incarnation:
    """One kernel's life: which cells it ran, when, and when it died."""

    def __init__(self, kernel: SandboxKernel):
        self.kernel = kernel
        self.sent: dict[int, float] = {}          # cell index -> when it was sent
        self.order: list[int] = []
        self.current: int | None = None           # the cell being run
        self.current_started = False
        self.last_finished: int | None = None
        self.death: float | None = None
        self.threads = kernel.threads()           # the kernel's own threads, before any cell
        self.counted = self.threads               # its threads after the last cell
        self.starters: list[int] = []             # cells whose threads are still running
        self.exit_asked: int | None = None        # a cell whose reply asked to exit (exit())

    def sending(self, index: int) -> None:
        if not self.order and self.threads is None:   # not readable yet when it started
            self.threads = self.counted = self.kernel.threads()
        self.sent[index] = time.monotonic()
        self.order.append(index)
        self.current, self.current_started = index, False

    def finished(self, index: int) -> None:
        self.current, self.last_finished = None, index
        threads = self.kernel.threads()
        if threads is None or self.threads is None:
            return
        if threads <= self.threads:               # every thread a cell started is over
            self.starters.clear()
        elif not threads <= self.counted:         # this cell left a new thread running
            self.starters.append(index)
        self.counted = threads


class _NotebookRun:
    """What one notebook's grading keeps across kernels."""

    def __init__(self):
        self.final: set[int] = set()        # cells whose real run is over (outputs kept)
        self.killers: set[int] = set()      # cells left out of every later run
        self.innocent: set[int] = set()     # cells shown not to kill the kernel
        self.context: dict[int, set] = {}   # cell -> cells its real run's kernel ran before it
        self.deaths = 0
        self.records: dict[int, list] = {}
        self.flags: list[tuple[str, str]] = []
        self.run_id = secrets.token_hex(16)
        self.secret = secrets.token_bytes(32)      # signs the verdicts; never in a sandbox
        self.signatures: dict[str, str] = {}      # graded cell -> its passing verdict's
        self.salt = secrets.randbits(62)
        self.executed = 0
        self.timeouts: dict[int, _Limit] = {}      # cell -> the limit it went over
        self.kernels: list[SandboxKernel] = []     # every kernel started for this notebook


class SandboxedExecute(Execute):
    """nbgrader's ``Execute``, sandboxed, crash tolerant, with trusted hidden verdicts."""

    unsafe = Bool(False, help="Run kernels without a sandbox (only for trusted submissions); "
                  "also set by BACKPROP_LAB_UNSAFE_GRADING=1.").tag(config=True)
    memory_limit = Integer(Limits.memory, help="Address space of each process of a "
                           "submission, in bytes.").tag(config=True)
    process_limit = Integer(Limits.processes, help="Processes and threads a submission may "
                            "run at once.").tag(config=True)
    tmp_size = Integer(Limits.tmp_size, help="Size of each private tmpfs of a submission "
                       "(/tmp, home), in bytes.").tag(config=True)
    hang_timeout = Float(0.0, help="Wall-clock seconds after which a cell is interrupted "
                         "even if it uses little CPU (sleeping, waiting); 0: ten times "
                         "Execute.timeout, at least 300. Execute.timeout itself counts the "
                         "CPU time of the kernel's processes, so a busy machine costs no "
                         "points.").tag(config=True)
    interrupt_grace = Float(5.0, help="Seconds a timed-out cell gets to stop after the "
                            "interrupt before its kernel is killed.").tag(config=True)
    cell_output_limit = Integer(1 << 20, help="Bytes of output kept per cell.").tag(config=True)
    notebook_output_limit = Integer(8 << 20, help="Bytes of output kept per notebook."
                                    ).tag(config=True)
    max_kernel_deaths = Integer(12, help="Kernel deaths after which the rest of a notebook is "
                                "not run.").tag(config=True)
    settle_timeout = Float(5.0, help="After the last cell, seconds to wait at most while the "
                           "kernel runs more threads than it started with (a timer a cell "
                           "started may still kill it: its cell is then found and left out, "
                           "however fast the cells after it ran).").tag(config=True)
    stray_limit = Integer(32, help="Processes a cell may leave behind (they are killed when "
                          "it ends); more and the cell is left out like a crash."
                          ).tag(config=True)

    # ------------------------------------------------------------------ nbgrader entry
    def preprocess(self, nb, resources=None, km=None):
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self._unsafe = bool(self.unsafe or os.environ.get(ENV_UNSAFE) == "1")
        if self._unsafe:
            self.log.warning("grading WITHOUT a sandbox (--unsafe): %s runs with the grader's "
                             "rights", self._who())
        else:
            try:
                probe(self._kernel_python())
            except SandboxUnavailable as error:
                self.log.error("%s", error)
                raise
        self._run = _NotebookRun()
        gate = EXECUTION_GATE
        if gate is not None:
            gate.release()                 # other workers may use the gradebook meanwhile
        with verdicts.speaking(verdicts.notebook_language(self.nb)):
            try:
                run_sync(self._grade)()
            except BaseException:
                # Ctrl-C (nbgrader autograde), an error: the event loop stopped in the
                # middle of the run, so its own clean-up will never run -- do it here
                for kernel in self._run.kernels:
                    kernel.abandon()             # (nothing done to a stopped one)
                raise
            finally:
                if gate is not None:
                    gate.acquire()
            self._verify_verdicts()
        if self._unsafe:
            first = next((c for c in self.nb.cells if c.cell_type == "code"), None)
            if first is not None:
                first.outputs.insert(0, nbformat.v4.new_output("stream", name="stdout",
                                                               text=UNSAFE_NOTE))
        self.resources.setdefault("backprop_lab", {}).update(
            {"flags": list(self._run.flags), "unsafe": self._unsafe,
             "kernel_deaths": self._run.deaths})
        self.set_widgets_metadata()
        return self.nb, self.resources

    def _verify_verdicts(self) -> None:
        """After the run: every graded test cell with a hidden check holds an error, or a
        passing verdict this run signed for it; anything else scores 0 and is flagged."""
        for cell in self.nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            task = verdicts.hidden_task(cell.source) if meta.get("grade") else None
            if task is None or cell.cell_type != "code" or _has_error(cell):
                continue
            grade_id = meta.get("grade_id", "")
            if verdicts.attested(cell.outputs, self._run.signatures.get(grade_id),
                                 self._run.secret, self._run.run_id, grade_id, task):
                continue
            problem = tr("no verdict of this grading run is attached to the cell")
            cell.outputs.append(verdicts.Verdict(task, False, problem=problem).output())
            self._run.flags.append((grade_id, problem))
            self.log.warning("%s: %s: %s", self._who(), grade_id, problem)

    def _who(self) -> str:
        info = (self.resources or {}).get("nbgrader", {})
        return f"{info.get('student', '?')}/{info.get('assignment', '?')}/{info.get('notebook', '?')}"

    def _kernel_python(self) -> str:
        from jupyter_client.kernelspec import KernelSpecManager
        name = self.kernel_name or self.nb.metadata.get("kernelspec", {}).get("name") or "python3"
        return kernel_python(KernelSpecManager().get_kernel_spec(name).argv[0])

    # ------------------------------------------------------------------ kernels
    def _shipped_files(self) -> dict:
        """The files the release shipped (relative path -> file in the autograded folder,
        where nbgrader put the instructor's version): nothing else a student handed in."""
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.utils import find_all_files
        path = (self.resources.get("metadata") or {}).get("path") or ""
        info = self.resources.get("nbgrader") or {}
        assignment = info.get("assignment")
        if not path or not assignment:
            return {}
        coursedir = CourseDirectory(config=self.config)
        source = coursedir.format_path(coursedir.source_directory, ".", assignment)
        relatives = [os.path.relpath(f, source)
                     for f in find_all_files(source, coursedir.ignore + ["*.ipynb"])]
        submitted = coursedir.format_path(coursedir.submitted_directory, info.get("student", ""),
                                          assignment)
        for relative in self.config.Autograde.get("exclude_overwriting", {}).get(assignment, []):
            original = os.path.join(submitted, relative)      # the student's own version
            if os.path.isfile(original) and not os.path.islink(original) and \
                    os.path.realpath(original).startswith(os.path.realpath(submitted) + os.sep):
                relatives.append(relative)
        return {r: os.path.join(path, r) for r in relatives
                if os.path.isfile(os.path.join(path, r)) and not r.startswith("..")}

    def _forbidden(self) -> list[str]:
        """Folders never bound into a sandbox, whatever Python's paths say."""
        forbidden = [os.getcwd()]                  # nbgrader runs in the course root
        root = self.config.get("CourseDirectory", {}).get("root")
        if root:
            forbidden.append(str(root))
        exchange = self.config.get("Exchange", {}).get("root")
        if exchange:
            forbidden.append(str(exchange))
        return forbidden

    async def _start(self) -> _Incarnation:
        info = self.resources.get("nbgrader") or {}
        env = {verdicts.ENV_MODE: "record", verdicts.ENV_RUN: self._run.run_id,
               SALT_VARIABLE: str(self._run.salt),
               "NBGRADER_EXECUTION": os.environ.get("NBGRADER_EXECUTION", "autograde")}
        kernel = SandboxKernel(
            kernel_name=self.kernel_name or self.nb.metadata.get("kernelspec", {}).get("name")
            or "python3",
            name=info.get("assignment") or "work", shipped=self._shipped, env=env,
            limits=Limits(memory=self.memory_limit, processes=self.process_limit,
                          tmp_size=self.tmp_size),
            forbidden=self._forbidden(), unsafe=self._unsafe,
            extra_arguments=["--HistoryManager.hist_file=:memory:", *self.extra_arguments],
            log=self.log)
        self._run.kernels.append(kernel)
        await kernel.start(self.startup_timeout)
        self.km, self.kc = kernel.km, kernel.kc
        return _Incarnation(kernel)

    # ------------------------------------------------------------------ the notebook
    def _runnable(self, index: int) -> bool:
        cell = self.nb.cells[index]
        return cell.cell_type == "code" and bool(cell.source.strip()) and \
            index not in self._run.killers

    async def _grade(self) -> None:
        """Run the cells in order.  After a kernel is replaced, start again from the top:
        cells that already ran for real are replayed (outputs kept from their real run),
        cells left out are skipped, the others run for real."""
        self._shipped = self._shipped_files()
        self._nb_bytes = 0
        life = await self._start()
        try:
            index = 0
            while True:
                if index >= len(self.nb.cells):
                    if await self._settled(life):
                        return
                    await life.kernel.stop()
                    if self._run.deaths >= self.max_kernel_deaths:
                        self._give_up()
                        return
                    life, index = await self._recover(life)
                    continue
                if not self._runnable(index):
                    index += 1
                    continue
                outcome = await self._execute(life, index)
                if outcome.finished:
                    index += 1
                    continue
                await life.kernel.stop()
                if self._run.deaths >= self.max_kernel_deaths:
                    self._give_up()
                    return
                if outcome.kind in ("stuck", "forked"):
                    if outcome.kind == "stuck":
                        self._blame(index, _stuck(), timeout=True)
                    life, index = await self._start(), 0
                    continue
                life, index = await self._recover(life)
        finally:
            for kernel in self._run.kernels:     # a probe kernel too, if an error came
                if kernel.running:               # in the middle of a search
                    await kernel.stop()
            self.km = self.kc = None

    async def _execute(self, life: _Incarnation, index: int) -> _Outcome:
        """Run a cell for real (first time) or as a replay (outputs thrown away)."""
        real = index not in self._run.final
        cell = self.nb.cells[index]
        outcome = await self._run_cell(life, cell if real else copy.deepcopy(cell), index, real)
        if outcome.finished:
            life.finished(index)
            if _asks_to_exit(outcome.reply):
                life.exit_asked = index
            if real:
                self._finish(cell, index, outcome, life)
        else:
            life.death = time.monotonic()
            if outcome.kind == "died":
                self._run.deaths += 1
                self.log.warning("%s: the kernel died at cell %d", self._who(), index)
        removed = life.kernel.reap()
        if removed:
            self.log.warning("%s: killed %d process(es) left running by cell %d", self._who(),
                             removed, index)
        if removed > self.stray_limit and outcome.finished:
            # its dead children still count against the kernel's process limit: the kernel
            # could not even start a thread any more -- start afresh without this cell
            self._blame(index, _forked(removed), ename="ForkBombError")
            return _Outcome("forked", outcome.reply, True)
        return outcome

    async def _settled(self, life: _Incarnation) -> bool:
        """After the last cell: True once the kernel runs no thread beyond those it started
        with (or after ``settle_timeout``); False if it died meanwhile.  Without this wait, a
        timer calling ``os._exit`` a moment after its cell would kill the kernel only on a
        slow machine -- on a fast one the notebook would be over before it fired, and the
        score would depend on the machine."""
        start = time.monotonic()
        while True:
            if not await life.kernel.alive():
                life.current, life.death = None, time.monotonic()
                self._run.deaths += 1
                self.log.warning("%s: the kernel died after the last cell", self._who())
                return False
            threads = life.kernel.threads()         # None for an instant while it dies
            if life.threads is None or (threads is not None and threads <= life.threads):
                # (sets of thread ids: every thread running now was there before any cell)
                # -- or a kernel dying in os._exit: the calling thread leaves first, the
                # others a moment later, so only an answer proves that it lives on
                if await self._answers(life):
                    break
                continue
            if time.monotonic() > start + self.settle_timeout:
                self.log.warning("%s: the kernel still runs %s threads (%s at its start) "
                                 "%g s after the last cell; done", self._who(),
                                 len(threads or ()), len(life.threads), self.settle_timeout)
                break
            await asyncio.sleep(0.05)
        return True

    async def _answers(self, life: _Incarnation) -> bool:
        """True once the kernel answers a ``kernel_info`` request, False if it dies first.

        A process in ``os._exit`` (exit_group) has a kill pending on every thread and never
        answers, however its thread list looks while it dies.  The wait for an answer
        is long (the hang guard of a cell): an idle kernel answers in milliseconds, a dying
        one is seen dead within a moment, and a loaded machine only makes both slower."""
        kc = life.kernel.kc
        reply = asyncio.ensure_future(self._wait_reply(kc, kc.kernel_info()))
        guard = time.monotonic() + (self._hang_limit(None) or 300.0)
        try:
            while not reply.done():
                await asyncio.wait({reply}, timeout=0.05)
                if reply.done():
                    break
                if not await life.kernel.alive():
                    return False
                if time.monotonic() > guard:
                    self.log.warning("%s: the kernel neither answered nor died after the "
                                     "last cell; done", self._who())
                    break
            return True
        finally:
            if not reply.done():
                reply.cancel()

    # ------------------------------------------------------------------ deaths
    async def _recover(self, failed: _Incarnation):
        """Find the cell that killed ``failed``'s kernel and leave it out.

        The suspect is the cell that was running (or that had just finished, when the kernel
        died between cells).  A fresh kernel replays the cells above it and waits as long as
        the failed kernel lived after them: if it dies, the culprit is further up (a timer,
        a thread): suspect the cell it died at, and so on.  If it lives, the suspect runs
        and the kernel waits again: dies -> the suspect is the culprit; lives -> the suspect
        only happened to be running (killed from outside) and grading just goes on.
        Returns the kernel to go on with and the index of the next cell."""
        while True:
            suspect = self._suspect(failed)
            probe_life = await self._start()
            before = [i for i in range(suspect) if self._runnable(i)]
            alive = await self._replay_and_hold(probe_life, before, failed)
            if alive is None:                     # a replayed cell was left out: start over
                await probe_life.kernel.stop()
                return await self._start(), 0
            if alive:
                was_final = suspect in self._run.final
                outcome = await self._execute(probe_life, suspect)
                if outcome.kind == "forked":
                    await probe_life.kernel.stop()
                    return await self._start(), 0
                if outcome.finished and await self._hold(probe_life, failed, [suspect]):
                    self._run.innocent.add(suspect)
                    return probe_life, suspect + 1
                after = outcome.finished or outcome.reply is not None or was_final
                self._blame(suspect, _kernel_died(after),
                            timeout=outcome.kind == "stuck")
                await probe_life.kernel.stop()
                return await self._start(), 0
            await probe_life.kernel.stop()
            failed = probe_life
            if self._run.deaths >= self.max_kernel_deaths:
                self._give_up()
                return await self._start(), len(self.nb.cells)

    def _suspect(self, failed: _Incarnation) -> int:
        """The last cell that left a thread running (a timer) while the kernel ran on; else
        the cell that had just finished when the kernel died between cells, or before the
        next cell showed any sign of running *and* that cell's reply asked the kernel to
        exit (``exit()``); else the cell sent last.

        A cell sent but not seen running is still the first suspect: a cell that calls
        ``os._exit`` at once often takes its "busy" and ``execute_input`` messages with it
        (the kernel dies before its IOPub thread sends them), so "not seen running" says
        little.  Suspecting the cell before it instead cost a whole probe of an innocent
        cell and a second death of the kernel in about one crashing notebook in three.  A
        wrong suspect is never blamed: the probe replays the cells above it and waits as
        long as the failed kernel lived, so a killer above it (a signal, a timer without a
        thread) kills the probe first and becomes the next suspect; a starter of a harmless
        thread is shown innocent by its probe, and the search goes on."""
        current, previous = failed.current, failed.last_finished
        starter = next((i for i in reversed(failed.starters)
                        if i not in self._run.innocent and i not in self._run.killers), None)
        if starter is not None:
            return starter
        if current is None:
            if previous is None:
                raise RuntimeError("the kernel died before it ran any cell")
            return previous
        if not failed.current_started and previous is not None \
                and previous == failed.exit_asked and previous not in self._run.innocent:
            return previous
        return current

    async def _replay_and_hold(self, life: _Incarnation, cells: list, failed: _Incarnation):
        """True: the kernel lives on; False: it died; None: a cell was left out on the way
        (it hung or forked), so the run starts over."""
        for index in cells:
            outcome = await self._execute(life, index)
            if outcome.kind == "stuck":           # a replay that hangs: leave it out
                self._blame(index, _stuck(), timeout=True)
                return None
            if outcome.kind == "forked":
                return None
            if not outcome.finished:
                return False
        return await self._hold(life, failed, cells)

    async def _hold(self, life: _Incarnation, failed: _Incarnation, cells: list) -> bool:
        """Keep the kernel waiting as long as ``failed`` lived after each of ``cells`` was
        sent (plus a margin): a timer or thread started by one of them fires by then.
        False when the kernel died meanwhile."""
        need = 0.0
        for index in cells:
            if index in failed.sent and index in life.sent:
                lived = (failed.death or time.monotonic()) - failed.sent[index]
                need = max(need, lived - (time.monotonic() - life.sent[index]))
        # the margin covers a timer that fires late on a busy machine (its thread waits for
        # a core like everything else)
        deadline = time.monotonic() + need + max(3.0, 0.5 * need)
        while time.monotonic() < deadline:
            if not await life.kernel.alive():
                life.current = None
                life.death = time.monotonic()
                self._run.deaths += 1
                return False
            await asyncio.sleep(0.1)
        return True

    def _blame(self, index: int, message: str, *, timeout: bool = False,
               ename: str = "DeadKernelError") -> None:
        """Record on the cell why it was left out; it is never run again.  Cells that ran
        after it in a kernel it had run in (before that kernel died) run again without it,
        so the result does not depend on how soon the kernel died."""
        for later, before in list(self._run.context.items()):
            if later > index and index in before and later not in self._run.killers:
                self._run.final.discard(later)
                del self._run.context[later]
        cell = self.nb.cells[index]
        if index not in self._run.final:
            self._run.final.add(index)
            self._run.executed += 1
            cell.execution_count = self._run.executed
        name = "CellTimeoutError" if timeout else ename
        if timeout and not any(o.get("ename") == "CellTimeoutError" for o in cell.outputs):
            cell.outputs.append(self._timeout_output(index))
        cell.outputs.append(nbformat.v4.new_output("error", ename=name, evalue=message,
                                                   traceback=[f"{name}: {message}"]))
        self._run.killers.add(index)
        self.log.warning("%s: cell %d left out: %s", self._who(), index, message)

    def _give_up(self) -> None:
        text = tr("Not run: the kernel died {n} times in this notebook.", n=self._run.deaths)
        for index, cell in enumerate(self.nb.cells):
            if cell.cell_type == "code" and index not in self._run.final and cell.source.strip():
                cell.outputs.append(nbformat.v4.new_output(
                    "error", ename="DeadKernelError", evalue=text, traceback=[text]))
                self._run.final.add(index)
        self.log.error("%s: %s", self._who(), text)

    # ------------------------------------------------------------------ one cell
    def _timeout_output(self, index: int):
        configured = dict(self.error_on_timeout or {})
        if configured.get("evalue"):          # an instructor's own message (nbgrader's is empty)
            return nbformat.v4.new_output("error", **configured)
        limit = self._run.timeouts.get(index)
        if limit is None:
            text = tr("This cell went over its time limit and was interrupted.")
        elif limit.kind == "cpu":
            text = tr("This cell used more than {seconds:g} s of CPU time (the kernel and every "
                      "process it started, counted together) and was interrupted.",
                      seconds=limit.seconds)
        else:
            text = tr("This cell ran for more than {seconds:g} s of wall-clock time while using "
                      "little CPU (sleeping, or waiting for something that never came) and was "
                      "interrupted.", seconds=limit.seconds)
        return nbformat.v4.new_output("error", ename="CellTimeoutError", evalue=text,
                                      traceback=[f"CellTimeoutError: {text}"])

    def _hang_limit(self, cpu_limit: float | None) -> float | None:
        """Wall-clock seconds a cell may take: ``hang_timeout``, or by default ten times its
        CPU limit and at least five minutes."""
        if self.hang_timeout > 0:
            return self.hang_timeout
        return None if not cpu_limit else max(10.0 * cpu_limit, 300.0)

    async def _run_cell(self, life: _Incarnation, cell, index: int, real: bool) -> _Outcome:
        kc = life.kernel.kc
        cell.outputs = []
        if self.record_timing:
            cell.setdefault("metadata", {})["execution"] = {}
        self.clear_before_next_output = False
        self._capture = (index, real)
        self._cell_bytes, self._cut = 0, False
        if real:
            self._run.records[index] = []
        cpu_limit = self._get_timeout(cell)
        budget = _Budget(life.kernel, cpu_limit, self._hang_limit(cpu_limit))
        life.sending(index)
        msg_id = kc.execute(cell.source, store_history=real, stop_on_error=False)
        state = {"started": False, "idle": False}
        pump = asyncio.ensure_future(self._pump_iopub(kc, msg_id, cell, index, state, life))
        reply_task = asyncio.ensure_future(self._wait_reply(kc, msg_id))
        interrupted = None
        reply = None
        try:
            while True:
                await asyncio.wait({t for t in (pump, reply_task) if not t.done()} or {pump},
                                   timeout=0.2)
                if reply_task.done() and reply is None:
                    reply = reply_task.result()
                if pump.done() and pump.exception() is not None:
                    raise pump.exception()
                if reply is not None and pump.done():
                    if interrupted is not None:
                        return _Outcome("timeout", reply, True)
                    return _Outcome(reply["content"].get("status", "error") == "ok"
                                    and "ok" or "error", reply, True)
                if not await life.kernel.alive():
                    return _Outcome("died", reply, state["started"] or reply is not None)
                now = time.monotonic()
                if interrupted is None and reply is None:
                    over = budget.exceeded()
                    if over is not None:
                        self.log.warning("%s: cell %d went over %g s of %s time; interrupting",
                                         self._who(), index, over.seconds,
                                         "CPU" if over.kind == "cpu" else "wall-clock")
                        self._run.timeouts[index] = over
                        interrupted = now
                        await life.kernel.km.interrupt_kernel()
                elif interrupted is not None and now > interrupted + self.interrupt_grace:
                    return _Outcome("stuck", reply, True)
                elif interrupted is None and budget.hung():
                    # replied, but the last output never came: a kernel that misbehaves
                    return _Outcome("stuck", reply, True)
        finally:
            for task in (pump, reply_task):
                if not task.done():
                    task.cancel()
            self._capture = None

    async def _wait_reply(self, kc, msg_id: str):
        while True:
            msg = await self._receive(kc.shell_channel)
            if msg is not None and msg.get("parent_header", {}).get("msg_id") == msg_id:
                return msg

    async def _receive(self, channel):
        """The next message, or None for one that is not a valid message (a kernel can send
        anything: a wrong signature, garbage; it is skipped, never fatal)."""
        try:
            return await channel.get_msg(timeout=None)
        except Empty:
            return None
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
            self.log.warning("%s: skipped an invalid message from the kernel: %s", self._who(),
                             str(error)[:120])
            return None

    async def _pump_iopub(self, kc, msg_id, cell, index, state, life) -> None:
        while True:
            msg = await self._receive(kc.iopub_channel)
            if msg is None or msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg.get("msg_type")
            if kind == "execute_input" or (kind == "status" and
                                           msg["content"].get("execution_state") == "busy"):
                state["started"] = life.current_started = True
            try:
                self.process_message(msg, cell, index)
            except CellExecutionComplete:
                state["idle"] = True
                return
            except Exception as error:          # noqa: BLE001 (a malformed message)
                self.log.warning("%s: skipped a malformed %s message: %s", self._who(),
                                 msg.get("msg_type"), str(error)[:120])

    def _finish(self, cell, index: int, outcome: _Outcome, life: _Incarnation) -> None:
        """A real run of a cell ended: timeouts, nbgrader's reply check, hidden verdicts."""
        self._run.final.add(index)
        self._run.context[index] = set(life.order[:-1])
        self._run.executed += 1
        cell.execution_count = self._run.executed
        if outcome.kind == "timeout":
            cell.outputs.append(self._timeout_output(index))
        elif outcome.reply is not None:
            self.on_cell_executed(cell=cell, cell_index=index, execute_reply=outcome.reply)
        records = self._run.records.pop(index, [])
        meta = cell.metadata.get("nbgrader", {})
        task = verdicts.hidden_task(cell.source) if meta.get("grade") else None
        if task is None:
            return
        for output in cell.outputs:
            # nbgrader reads an execute_result of a test cell as its score (any value that is
            # not a number counts as full marks), before any error after it: the kernel's
            # results never score here, the verdict does
            if output.get("output_type") == "execute_result":
                output["output_type"] = "display_data"
                output.pop("execution_count", None)
        if _has_error(cell):
            return
        verdict = verdicts.judge_cell(task, records, self._run.run_id, self._run.salt)
        output = verdict.output()
        cell.outputs.append(output)
        if verdict.passed:
            self._run.signatures[meta.get("grade_id", "")] = verdicts.attest(
                output, self._run.secret, self._run.run_id, meta.get("grade_id", ""), task)
        if verdict.problem:
            self._run.flags.append((meta.get("grade_id", str(index)), verdict.problem))
            self.log.warning("%s: %s: %s", self._who(), meta.get("grade_id"), verdict.problem)

    # ------------------------------------------------------------------ outputs
    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        data = content.get("data") if isinstance(content, dict) else None
        if isinstance(data, dict) and verdicts.RECORD_MIME in data:
            capture = getattr(self, "_capture", None)
            if capture and capture[1] and capture[0] == cell_index:  # a real run of the cell
                self._run.records.setdefault(cell_index, []).append(data[verdicts.RECORD_MIME])
            return None                       # results are for the grader, never shown
        capture = getattr(self, "_capture", None)
        real = bool(capture and capture[1])
        size = _content_size(msg)
        room = self.cell_output_limit - self._cell_bytes
        if real:
            room = min(room, self.notebook_output_limit - self._nb_bytes)
        kept = None
        if size > room:
            if msg.get("msg_type") == "stream" and room > 0:
                content["text"] = content.get("text", "")[:room]
                self._count(room, real)
                kept = super().output(outs, msg, display_id, cell_index)
            if not self._cut:
                self._cut = True
                outs.append(nbformat.v4.new_output(       # stdout: stderr would score 0
                    "stream", name="stdout",
                    text="\n" + tr("[output cut: more than {cell} bytes in this cell or "
                                    "{notebook} in the notebook]", cell=self.cell_output_limit,
                                    notebook=self.notebook_output_limit) + "\n"))
            return kept
        self._count(size, real)
        return super().output(outs, msg, display_id, cell_index)

    def _count(self, size: int, real: bool) -> None:
        self._cell_bytes += size
        if real:
            self._nb_bytes += size


def _asks_to_exit(reply) -> bool:
    """The execute reply of a cell that called ``exit()``/``quit()`` (IPython's "ask_exit"
    payload): the kernel stops right after it."""
    content = (reply or {}).get("content") or {}
    payload = content.get("payload") if isinstance(content, dict) else None
    return isinstance(payload, list) and any(
        isinstance(item, dict) and item.get("source") == "ask_exit" for item in payload)


def _has_error(cell) -> bool:
    return any(o.get("output_type") == "error" for o in cell.get("outputs", []))


def _content_size(msg) -> int:
    content = msg.get("content", {})
    if msg.get("msg_type") == "stream":
        return len(content.get("text", ""))
    total = 0
    for key in ("data", "traceback", "evalue"):
        value = content.get(key)
        if isinstance(value, dict):
            total += sum(len(str(v)) for v in value.values())
        elif isinstance(value, list):
            total += sum(len(str(v)) for v in value)
        elif value:
            total += len(str(value))
    return total
