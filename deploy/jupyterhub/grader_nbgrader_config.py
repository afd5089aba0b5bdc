"""nbgrader settings of the course's grader account: ~<grader>/.jupyter/nbgrader_config.py.

prepare_machine.py installs it; the grader service (the course's formgrader) and every
`nbgrader` command the grader account runs read it, whatever folder they start in.
"""
import os
import pwd
import sys
import tomllib
from pathlib import Path

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

# course.toml of the installation this account's environment belongs to (<prefix>/etc/)
course = tomllib.loads((Path(sys.prefix).parent / "etc" / "course.toml").read_text())
c.CourseDirectory.course_id = course["course_id"]
# the home folder of the account itself (not $HOME, which `sudo`/`runuser` may leave as root's)
home = Path(pwd.getpwuid(os.getuid()).pw_dir)
c.CourseDirectory.root = str(home / course["course_id"])
# The course's own settings travel with the course folder (assignments/nbgrader_config.py of
# the repository): per-cell timeout, crash-tolerant autograding, feedback without hidden tests.
load_subconfig("nbgrader_config.py", path=c.CourseDirectory.root)  # noqa: F821
