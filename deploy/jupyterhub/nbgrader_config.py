"""Global nbgrader settings of the backprop_lab hub, for every account.

prepare_machine.py installs this file as <prefix>/env/etc/jupyter/nbgrader_config.py: in the
course environment's own Jupyter config folder, so every server, kernel and `nbgrader` command
run from <prefix>/env reads it (also `sudo -u ACCOUNT <prefix>/env/bin/nbgrader ...` from a
shell), and nothing else on the machine does.
"""
import sys
from pathlib import Path

from nbgrader.auth import JupyterHubAuthPlugin

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

# The exchange that release/fetch/submit/collect/feedback go through: <prefix>/exchange
# (drwxrwxrwt: everyone may create files, nobody may delete another's).
c.Exchange.root = str(Path(sys.prefix).parent / "exchange")
# Each course keeps its files in <exchange>/<course id>/, so one hub can serve several courses;
# instructors and students must agree on this.
c.Exchange.path_includes_course = True
# Which courses a student takes, and who may open a course's formgrader, come from the hub's
# groups nbgrader-<course id> and formgrade-<course id>.
c.Authenticator.plugin_class = JupyterHubAuthPlugin
