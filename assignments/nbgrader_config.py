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
# Every cell gets at most this many seconds; then the kernel is interrupted, the cell
# records a CellTimeoutError (the part scores 0) and the remaining cells still run.
# The slowest reference cell (training the two-layer network, twice) takes under 1 s.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
c.Execute.startup_timeout = 120                   # kernel start on a busy grading machine

# A cell that kills the kernel (os._exit, segfault, out of memory) must not make nbgrader
# give up on the whole notebook: this Execute restarts the kernel, replays the cells
# above, marks the cell as failed and goes on (the rest are nbgrader's defaults).
c.Autograde.autograde_preprocessors = [
    "backprop_lab.grading.executor.CrashTolerantExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
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
