"""JupyterHub for the backprop_lab class: one machine, local accounts, the nbgrader exchange.

Installed by prepare_machine.py as <prefix>/etc/jupyterhub_config.py, next to course.toml, which
holds every name, path and port (edit course.toml, not this file).  Start the hub as root:

    cd <prefix>/state && <prefix>/env/bin/jupyterhub -f <prefix>/etc/jupyterhub_config.py

What it sets up:
* people log in with their local account's password (PAM) and get their own JupyterLab, run
  as that account from the course environment <prefix>/env;
* the course's formgrader runs as a hub-managed service, named after the course id, as the
  grader account, in the course folder ~<grader>/<course id>/;
* hub groups: formgrade-<course id> (the instructors: may open the service) and
  nbgrader-<course id> (the students of course.toml: they see the course's assignments);
* every server gets JUPYTER_CONFIG_PATH=<prefix>/etc/jupyter-roles/<role>, which turns on the
  nbgrader extensions of that role (student, instructor, grader) and off the others; the
  grader service alone allows the formgrader to be framed by its own pages (JupyterHub >= 4.1
  sends "frame-ancestors 'none'" everywhere else).
"""
import pwd
import tomllib
from pathlib import Path

c = get_config()  # noqa: F821  (provided by traitlets when JupyterHub loads this file)

HERE = Path(__file__).resolve().parent
COURSE = tomllib.loads((HERE / "course.toml").read_text())
PREFIX = Path(COURSE["prefix"])
ENV_BIN = PREFIX / "env" / "bin"
ROLES = PREFIX / "etc" / "jupyter-roles"
STATE = PREFIX / "state"
HUB = COURSE["hub"]
COURSE_ID = COURSE["course_id"]
GRADER = COURSE["grader"]
INSTRUCTORS = list(COURSE["instructors"])
STUDENTS = list(COURSE["students"])
FORMGRADE = f"formgrade-{COURSE_ID}"      # nbgrader reads course ids from these group names
NBGRADER = f"nbgrader-{COURSE_ID}"
# servers find nbgrader, alembic (nbgrader runs it from PATH) and Python in the course environment
PATH = f"{ENV_BIN}:/usr/local/bin:/usr/bin:/bin"

# --- network: the proxy is public, everything else stays on loopback -------------------
c.JupyterHub.bind_url = f"http://{HUB['ip']}:{HUB['port']}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = HUB["hub_port"]
c.ConfigurableHTTPProxy.command = [str(PREFIX / "proxy" / "node_modules" / ".bin"
                                       / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{HUB['proxy_api_port']}"
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")

# --- state (root only: the cookie secret and the database hold credentials) ------------
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")

# --- who may log in ---------------------------------------------------------------------
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(INSTRUCTORS + STUDENTS)
c.Authenticator.allow_existing_users = False   # course.toml decides, not who was here before
c.Authenticator.admin_users = set()        # nobody needs the admin panel to run the class

# --- everyone's own server ----------------------------------------------------------------
def _role(spawner) -> str:
    """student or instructor: which nbgrader extensions this person's server gets."""
    return "instructor" if spawner.user.name in INSTRUCTORS else "student"


c.Spawner.cmd = [str(ENV_BIN / "jupyterhub-singleuser")]
# How long the hub waits for a new server to answer.  The hub starts the process, then polls
# the server's URL and lets its owner in at the first answer: the wait ends at readiness, this
# only bounds it.  A JupyterLab server with the nbgrader extensions spends ~6 s of CPU on
# imports before it listens; on a busy 2-core machine (load 15-20, measured by tests/test_hub.py)
# that took 22-40 s, and JupyterHub's default of 30 s gave up on servers about to answer (the
# student then sees "Spawn failed").  The price of a longer bound: a server that crashes while
# starting is reported only when the bound is over (the hub polls the URL, not the process).
c.Spawner.http_timeout = 120
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    "JUPYTER_CONFIG_PATH": lambda spawner: str(ROLES / _role(spawner)),
    "PATH": PATH,
}
# What a server's own token may do (the subset the owner holds): nbgrader's Assignments tab asks
# the hub for its owner's groups (= the courses), an instructor's Courses tab also asks for the
# course's service; the first two are JupyterHub's defaults.
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    "read:users:name!user",
    "read:users:groups!user",
    "list:services",
    f"read:services!service={COURSE_ID}",
]

# --- groups and roles ---------------------------------------------------------------------
c.JupyterHub.load_groups = {
    # the grader account is a hub user only so that nbgrader finds the course in its groups
    # (the formgrader lists the exchange as that account); it cannot log in
    FORMGRADE: {"users": INSTRUCTORS + [GRADER]},
    # the students of course.toml take the course: their Assignments tab lists its assignments.
    # (nbgrader's own `nbgrader db student add/import`, run in a terminal of the grader service,
    # adds students here too; the formgrader's "Add student" button does not.)
    NBGRADER: {"users": STUDENTS},
}
c.JupyterHub.load_roles = [
    {   # instructors open the course's formgrader and find it from their Courses tab
        "name": FORMGRADE,
        "groups": [FORMGRADE],
        "scopes": [f"access:services!service={COURSE_ID}", "list:services",
                   f"read:services!service={COURSE_ID}"],
    },
    {   # the grader service reads its own account's courses; `nbgrader db student add` in its
        # terminals puts new students into the course's group
        "name": f"{COURSE_ID}-service",
        "services": [COURSE_ID],
        "scopes": [f"read:users:name!user={GRADER}", f"read:users:groups!user={GRADER}",
                   "list:groups", f"read:groups!group={NBGRADER}", f"groups!group={NBGRADER}"],
    },
]

# --- the course's formgrader: a hub-managed service run as the grader account ------------
def _home(account: str) -> str:
    try:
        return pwd.getpwnam(account).pw_dir
    except KeyError:
        raise SystemExit(f"the grader account {account!r} of course.toml does not exist: "
                         f"run prepare_machine.py first") from None


c.JupyterHub.services = [{
    "name": COURSE_ID,                       # nbgrader links the course id to this service
    "url": f"http://127.0.0.1:{HUB['service_port']}",
    "command": [str(ENV_BIN / "jupyterhub-singleuser")],
    "user": GRADER,
    "cwd": _home(GRADER),
    "environment": {
        "JUPYTER_CONFIG_PATH": str(ROLES / "grader"),
        "JUPYTERHUB_DEFAULT_URL": "/lab",
        "PATH": PATH,
    },
    "oauth_no_confirm": True,                # part of the hub: no "authorize access?" page
    "display": False,                        # instructors reach it from Nbgrader > Courses
    # At start the hub waits for the service to answer and exits if it does not: the same
    # JupyterLab start-up as a student's server (see Spawner.http_timeout), and the default of
    # 30 s stopped the whole hub at load 15-20.  The hub also watches the service's process
    # and gives up at once when it exits, so this bound only matters for a service that hangs.
    "timeout": 180,                          # (JupyterHub >= 6.0)
}]
