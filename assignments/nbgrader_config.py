"""nbgrader configuration of the backprop_lab course.

Run every ``nbgrader`` command from this directory (it is the course root).  On a
JupyterHub, this file goes into the grader account's course folder and the exchange
settings live elsewhere: see deploy/jupyterhub/ and README.md ("On JupyterHub").
"""
c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

# --- the course -------------------------------------------------------------------
# Not a Python module name (a hyphen): on JupyterHub students fetch into ~/<course id>/, and a
# folder ~/backprop_lab/ would shadow the installed package there.  The gradebook is nbgrader's
# default, <course root>/gradebook.db, wherever nbgrader is started.
c.CourseDirectory.course_id = "backprop-lab"

# --- release: what replaces the solutions ------------------------------------------
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# --- autograding -------------------------------------------------------------------
# Every cell gets at most this many seconds of CPU time (the sandbox's processes counted
# together, so a busy grading machine costs no points); then the kernel is interrupted,
# the cell records a CellTimeoutError (the part scores 0) and the remaining cells still
# run. A cell that sleeps or waits is stopped by the wall clock only after ten times this
# (at least 5 minutes: --SandboxedExecute.hang_timeout). The slowest reference cell
# (ps3's training test, two trainings) uses about 3 s of CPU.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
c.Execute.startup_timeout = 120                   # kernel start on a busy grading machine

# `nbgrader validate` (the instructor checking source/ and release/ notebooks here) runs
# them with nbgrader's plain Execute -- the instructor's own notebooks, no sandbox -- where
# `timeout` is WALL-CLOCK seconds per cell and a cell whose last output comes more than
# `iopub_timeout` seconds after its reply fails ("Timeout waiting for IOPub output", 4 s by
# default). On a busy machine an honest cell would fail validation (ps3's training cell,
# ~3 s of CPU, took 7-12 s of wall time at load 5-8), so validation gets autograde's hang
# guard instead: stuck cells are still stopped, slow ones are not failed. Only validate's
# Execute reads these (its parent is the Validator); autograding keeps the CPU-time limit
# above, and `--Execute.timeout` on an autograde command line still sets it.
c.Validator.Execute.timeout = 300
c.Validator.Execute.iopub_timeout = 300

# Every submission runs in its own sandbox (bubblewrap: private copy of the shipped files,
# read-only Python and package, no network, no course folder, limits), and each graded
# test cell's hidden results are judged here, outside the sandbox, after the cell ran
# (missing or invalid results score 0 and flag the notebook). A cell that kills the kernel
# or ignores the interrupt does not lose the notebook: the cell is found, left out, and
# the others are graded. Without bubblewrap grading refuses and says what to install;
# `--SandboxedExecute.unsafe=True` (or `backprop-lab grade --unsafe`) overrides that.
# FlagForReview (after SaveAutoGrades) flags submissions whose own code calls the library's
# reference implementations or reaches into the grading machinery, with the line.
c.Autograde.autograde_preprocessors = [
    "backprop_lab.sandbox.SandboxedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "backprop_lab.sandbox.FlagForReview",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# A test cell a student deleted is put back (from the gradebook) and run, never
# silently skipped; edited test cells are overwritten anyway (checksums).
c.OverwriteCells.add_missing_cells = True

# Feedback shows students each hidden test's message (which result, which index, a hint)
# but never the hidden test code.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
]

# --- the exchange (JupyterHub) -----------------------------------------------------
# With several courses on one hub, keep each course's files apart in the exchange.
c.Exchange.path_includes_course = True
