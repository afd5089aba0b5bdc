"""nbgrader's execute step, made to survive a cell that kills the kernel.

Configured in ``assignments/nbgrader_config.py`` as the first autograde preprocessor::

    c.Autograde.autograde_preprocessors = ["backprop_lab.grading.executor.CrashTolerantExecute", ...]

This module imports nbgrader; nothing a student's notebook imports loads it
(``backprop_lab.grading.CrashTolerantExecute`` is resolved lazily).
"""
from __future__ import annotations

import copy

import nbformat
from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from nbgrader.preprocessors import Execute

__all__ = ["CrashTolerantExecute", "KERNEL_DIED"]

KERNEL_DIED = ("The kernel died while running this cell (os._exit, a segfault, running out "
               "of memory ...). It was restarted and the cells above were run again, so the "
               "rest of the notebook is still graded.")


class CrashTolerantExecute(Execute):
    """nbgrader's ``Execute`` preprocessor, except that a cell that kills the kernel does
    not abort the notebook: the cell gets an error output (its part scores 0), a new
    kernel replays the code cells above it (leaving out cells that crashed before, so a
    second crash keeps the state) and execution goes on with the next cell."""

    def preprocess(self, nb, resources=None, km=None):
        self._crashed = set()          # indices of the cells that killed the kernel
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self.log.warning("cell %d killed the kernel; restarting and replaying", index)
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename="DeadKernelError", evalue=KERNEL_DIED,
                traceback=[f"DeadKernelError: {KERNEL_DIED}"]))
            self._crashed.add(index)
            self._restart_and_replay(index)
            return cell, self.resources

    def _restart_and_replay(self, index):
        run_sync(self.km.restart_kernel)(now=True)
        self.wait_for_reply(self.kc.kernel_info())
        for i, earlier in enumerate(self.nb.cells[:index]):
            # a cell that killed the kernel once would kill it again: leave it out
            if earlier.cell_type != "code" or i in self._crashed:
                continue
            try:      # on a copy: the graded outputs of the first run are kept
                self.execute_cell(copy.deepcopy(earlier), i, store_history=False)
            except DeadKernelError:
                run_sync(self.km.restart_kernel)(now=True)
                self.wait_for_reply(self.kc.kernel_info())
            finally:  # nbclient stores the executed cell at its index: put ours back
                self.nb.cells[i] = earlier
