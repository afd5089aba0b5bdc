#!/usr/bin/env python3
"""Prepare a Linux machine for the backprop_lab class on JupyterHub (as root; safe to run again).

    python3 deploy/jupyterhub/prepare_machine.py deploy/jupyterhub/course.toml

Reads course.toml (see its comments) and creates what is missing, leaving what exists:

1. local accounts: the grader account, the instructors and the students (home folders that
   only their owner may read);
2. <prefix>/proxy: configurable-http-proxy from the npm registry, for the machine's Node.js
   (npm works in the background during step 3);
3. <prefix>/env: a Python environment (made from course.toml's `python`, which every account
   must be able to run) with this repository's backprop_lab and its `hub` extra (JupyterHub,
   nbgrader, JupyterLab);
4. the configuration: <prefix>/etc/{jupyterhub_config.py,course.toml}, the per-role Jupyter
   config folders <prefix>/etc/jupyter-roles/, the global nbgrader config in the environment
   (<prefix>/env/etc/jupyter/nbgrader_config.py) and the grader account's
   ~/.jupyter/nbgrader_config.py; <prefix>/state for the hub's database and secrets (root only);
5. the exchange <prefix>/exchange (drwxrwxrwt) and the course folder ~<grader>/<course id>/
   with the course's nbgrader_config.py and source/ from assignments/ (files already there
   are kept: the course folder is the instructors' from then on).

Then it prints the commands that set passwords and start the hub.  Only the standard library
is needed to run it (Python >= 3.11).
"""
from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ROLES = ("student", "instructor", "grader")
ACCOUNT_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
COURSE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
STARTED = time.monotonic()


class SetupError(Exception):
    """Something this machine or course.toml lacks; the message says what to do."""


# ------------------------------------------------------------------ course.toml
def load_course(path: Path) -> dict:
    """course.toml, checked: every problem is reported with the key it concerns."""
    try:
        course = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SetupError(f"cannot read {path}: {error}") from None
    for key in ("course_id", "prefix", "grader", "instructors", "students", "hub", "install"):
        if key not in course:
            raise SetupError(f"{path}: `{key}` is missing")
    course_id = course["course_id"]
    if not isinstance(course_id, str) or not COURSE_ID.match(course_id):
        raise SetupError(f"{path}: course_id {course_id!r} must be letters, digits, '.', '_', '-'")
    if course_id.isidentifier():
        raise SetupError(
            f"{path}: course_id {course_id!r} is a valid Python module name, so the folder "
            f"~/{course_id}/ that students fetch into would shadow an installed package of that "
            f"name for any Python started in their home folder; use a hyphen, e.g. "
            f"{course_id.replace('_', '-')!r} or '{course_id}-2026'")
    if not Path(course["prefix"]).is_absolute():
        raise SetupError(f"{path}: prefix {course['prefix']!r} must be an absolute path")
    people = [course["grader"], *course["instructors"], *course["students"]]
    for name in people:
        if not isinstance(name, str) or not ACCOUNT_NAME.match(name):
            raise SetupError(f"{path}: {name!r} is not a valid account name "
                             f"(lower-case letters, digits, '_' and '-', at most 32)")
    if len(set(people)) != len(people):
        raise SetupError(f"{path}: an account appears twice among grader, instructors, students")
    ports = {}
    for key in ("port", "hub_port", "proxy_api_port", "service_port"):
        port = course["hub"].get(key)
        if not isinstance(port, int) or not 0 < port < 65536:
            raise SetupError(f"{path}: hub.{key} = {port!r} is not a port number")
        ports[key] = port
    if len(set(ports.values())) != len(ports):
        raise SetupError(f"{path}: the hub's ports must differ, got {ports}")
    for key in ("python", "proxy"):
        if not isinstance(course["install"].get(key), str):
            raise SetupError(f"{path}: install.{key} is missing")
    return course


# ------------------------------------------------------------------ helpers
def say(text: str) -> None:
    """A line of the log, after the seconds since the start (where does the time go)."""
    print(f"[{time.monotonic() - STARTED:6.1f} s] {text}", flush=True)


def run(*cmd: str | Path, **kw) -> subprocess.CompletedProcess:
    say("+ " + " ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def account(name: str) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def chown_tree(path: Path, user: pwd.struct_passwd) -> None:
    for item in [path, *path.rglob("*")]:
        os.chown(item, user.pw_uid, user.pw_gid, follow_symlinks=False)


def install_file(source: Path, target: Path, mode: int = 0o644) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(mode)


# ------------------------------------------------------------------ the steps
def check_machine(course: dict) -> None:
    if os.name != "posix" or not hasattr(os, "geteuid"):
        raise SetupError("this script prepares a Linux machine")
    if os.geteuid() != 0:
        raise SetupError("run it as root: it creates accounts and folders owned by them")
    for tool in ("useradd", "runuser", "node", "npm"):
        if shutil.which(tool) is None:
            hint = " (Node.js >= 20 and npm)" if tool in ("node", "npm") else ""
            raise SetupError(f"`{tool}` is not on PATH{hint}")
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    if int(node.lstrip("v").split(".")[0] or 0) < 20:
        raise SetupError(f"configurable-http-proxy 5 needs Node.js >= 20; this is {node}")
    python = course["install"]["python"]
    probe = subprocess.run([python, "-c", "import sys, venv, ensurepip; "
                            "print(sys.version_info >= (3, 11))"], capture_output=True, text=True)
    if probe.stdout.strip() != "True":
        raise SetupError(f"install.python = {python} must be Python >= 3.11 with the venv module "
                         f"(Debian/Ubuntu: apt-get install python3-venv): {probe.stderr.strip()}")


def create_accounts(course: dict) -> None:
    """Every account of course.toml; a new one gets a home folder only its owner may read."""
    roles = ([(course["grader"], "grader")] + [(n, "instructor") for n in course["instructors"]]
             + [(n, "student") for n in course["students"]])
    for name, role in roles:
        if account(name) is None:
            run("useradd", "--create-home", "--shell", "/bin/bash",
                "--comment", f"{course['course_id']} {role}", name)
            Path(account(name).pw_dir).chmod(0o700)
        else:
            print(f"  account {name} exists", flush=True)
    # the course folder lives in the grader's home: nobody else may read it
    Path(account(course["grader"]).pw_dir).chmod(0o700)


def make_layout(course: dict) -> Path:
    prefix = Path(course["prefix"])
    for folder, mode in ((prefix, 0o755), (prefix / "etc", 0o755), (prefix / "state", 0o700),
                         (prefix / "exchange", 0o1777)):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(mode)
    return prefix


def install_environment(course: dict, prefix: Path, package: str) -> None:
    env = prefix / "env"
    python = course["install"]["python"]
    if not (env / "bin" / "python").exists():
        run(python, "-m", "venv", env)
    # every account runs this Python: check that it can (a Python under /root cannot)
    probe = subprocess.run(["runuser", "-u", course["grader"], "--", env / "bin" / "python",
                            "-c", "pass"], capture_output=True, text=True)
    if probe.returncode != 0:
        raise SetupError(f"the account {course['grader']} cannot run {env}/bin/python "
                         f"(made from {python}): {probe.stderr.strip()}; choose an "
                         f"install.python that every account may run, e.g. /usr/bin/python3")
    # pip compiles what it installs one file at a time; compileall uses every core.  (Compiled
    # here, as root, because the accounts that import these files may not write next to them.)
    run(env / "bin" / "python", "-m", "pip", "install", "--disable-pip-version-check",
        "--no-compile", f"{package}[hub]")
    site = subprocess.run([env / "bin" / "python", "-c", "import sysconfig; "
                           "print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # (some packages ship files that are not meant to compile: compileall reports, pip ignores;
    # the packages' own test suites, 11 % of the files, are never imported by a class)
    say(f"compiling {site}")
    subprocess.run([env / "bin" / "python", "-m", "compileall", "-q", "-j", "0",
                    "-x", r"[/\\]tests?[/\\]", site], stdout=subprocess.DEVNULL)


def start_proxy_install(course: dict, prefix: Path) -> subprocess.Popen | None:
    """npm installs the proxy in the background, while pip fills the environment (both wait
    mostly on the registries); None when that version is installed already."""
    spec = course["install"]["proxy"]
    name, _, version = spec.rpartition("@")
    installed = prefix / "proxy" / "node_modules" / name / "package.json"
    if installed.exists() and json.loads(installed.read_text()).get("version") == version:
        print(f"  {spec} is installed", flush=True)
        return None
    (prefix / "proxy").mkdir(exist_ok=True)
    cmd = ["npm", "install", "--prefix", str(prefix / "proxy"), "--no-fund", "--no-audit",
           "--omit=dev", spec]
    say("+ " + " ".join(cmd) + "  (in the background)")
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            stdin=subprocess.DEVNULL)


def finish_proxy_install(npm: subprocess.Popen | None) -> None:
    if npm is None:
        return
    output, _ = npm.communicate()
    print(output.rstrip(), flush=True)
    if npm.returncode != 0:
        raise subprocess.CalledProcessError(npm.returncode, npm.args)


def install_configuration(course: dict, prefix: Path, course_file: Path) -> None:
    etc = prefix / "etc"
    install_file(HERE / "jupyterhub_config.py", etc / "jupyterhub_config.py")
    install_file(course_file, etc / "course.toml")
    for role in ROLES:
        for source in sorted((HERE / "roles" / role).rglob("*.json")):
            install_file(source, etc / "jupyter-roles" / role / source.relative_to(HERE / "roles" / role))
    install_file(HERE / "nbgrader_config.py", prefix / "env" / "etc" / "jupyter" / "nbgrader_config.py")
    grader = account(course["grader"])
    jupyter_dir = Path(grader.pw_dir) / ".jupyter"
    install_file(HERE / "grader_nbgrader_config.py", jupyter_dir / "nbgrader_config.py")
    chown_tree(jupyter_dir, grader)


def install_course(course: dict, prefix: Path, assignments: Path) -> None:
    """~<grader>/<course id>/: the course's config and sources, keeping files already there."""
    grader = account(course["grader"])
    root = Path(grader.pw_dir) / course["course_id"]
    root.mkdir(exist_ok=True)
    sources = [assignments / "nbgrader_config.py",
               *sorted(p for p in (assignments / "source").rglob("*") if p.is_file()
                       and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts)]
    for source in sources:
        target = root / source.relative_to(assignments)
        if target.exists():
            continue
        install_file(source, target)
    chown_tree(root, grader)
    # the course id the course's own config sets must be the hub's (service and group names)
    check = subprocess.run(
        ["runuser", "-u", course["grader"], "--", prefix / "env" / "bin" / "python", "-c",
         "import sys; from traitlets.config import PyFileConfigLoader; "
         "print(PyFileConfigLoader('nbgrader_config.py', path=sys.argv[1]).load_config()"
         ".CourseDirectory.course_id)", root], capture_output=True, text=True)
    found = check.stdout.strip()
    if check.returncode != 0 or found != course["course_id"]:
        raise SetupError(f"{root}/nbgrader_config.py sets course_id {found!r} "
                         f"({check.stderr.strip()[-300:]}); course.toml says "
                         f"{course['course_id']!r}: make them agree")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("course", type=Path, help="the class: course.toml")
    parser.add_argument("--package", default=str(REPO),
                        help="what pip installs as backprop_lab (default: this repository)")
    parser.add_argument("--assignments", type=Path, default=REPO / "assignments",
                        help="the course material (default: this repository's assignments/)")
    args = parser.parse_args(argv)
    os.umask(0o022)
    try:
        course = load_course(args.course)
        check_machine(course)
        say("1. accounts")
        create_accounts(course)
        prefix = make_layout(course)
        say(f"2. the proxy {prefix / 'proxy'}")
        npm = start_proxy_install(course, prefix)
        try:
            say(f"3. the environment {prefix / 'env'}")
            install_environment(course, prefix, args.package)
            say("   the proxy (npm)")
            finish_proxy_install(npm)
        finally:
            if npm is not None and npm.poll() is None:     # pip failed: do not leave npm behind
                npm.kill()
                npm.wait()
        say("4. the configuration")
        install_configuration(course, prefix, args.course)
        say(f"5. the course folder of {course['grader']}")
        install_course(course, prefix, args.assignments)
    except SetupError as error:
        print(f"prepare_machine: {error}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(f"prepare_machine: {' '.join(map(str, error.cmd))} failed ({error.returncode})",
              file=sys.stderr)
        return 1
    say("done")
    people = " ".join([*course["instructors"], *course["students"]])
    print(f"\nReady. Give each person a password (the hub logs in with PAM):\n"
          f"    for u in {people}; do passwd $u; done\n"
          f"then start the hub as root:\n"
          f"    cd {prefix / 'state'} && {prefix / 'env' / 'bin' / 'jupyterhub'} "
          f"-f {prefix / 'etc' / 'jupyterhub_config.py'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
