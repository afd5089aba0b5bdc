"""course.py: the README's two set-up commands (lab, test) and what they rely on."""
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def course():
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_unknown_command_prints_usage(course, capsys):
    assert course.main([]) == 2
    assert course.main(["deploy"]) == 2
    out = capsys.readouterr().out
    assert "python3 course.py lab" in out and "python3 course.py test" in out


def test_fingerprint_follows_pyproject(course, tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'a'\n")
    monkeypatch.setattr(course, "ROOT", tmp_path)
    first = course._fingerprint()
    assert course._fingerprint() == first                     # unchanged: no reinstall
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'b'\n")
    assert course._fingerprint() != first                     # changed: reinstall


def test_second_run_installs_nothing_until_pyproject_changes(course, tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'a'\n")
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")                  # the venv exists already
    monkeypatch.setattr(course, "ROOT", tmp_path)
    monkeypatch.setattr(course, "VENV", venv)
    monkeypatch.setattr(course, "PYTHON", venv / "bin" / "python")
    monkeypatch.setattr(course, "STAMP", venv / ".stamp")
    calls = []
    monkeypatch.setattr(course, "_run", lambda *cmd, **kw: calls.append(cmd))
    monkeypatch.setattr(course, "_venv_works", lambda: True)
    course.ensure_installed()                                 # first run: installs
    assert any("install" in map(str, cmd) for cmd in calls)
    calls.clear()
    course.ensure_installed()                                 # second run: nothing
    assert calls == []
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'b'\n")
    course.ensure_installed()                                 # dependencies changed
    assert any("-e" in map(str, cmd) for cmd in calls)


def test_venv_bin_is_first_on_path(course):
    env = course._venv_environment()
    assert env["PATH"].split(":")[0] == str(course.BIN)
    assert env["VIRTUAL_ENV"] == str(course.VENV)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 course.py test" in readme and "python3 course.py lab" in readme
    assert re.search(r"^exec python3 course\.py test\s*$", ci, re.M)


@pytest.mark.slow
def test_venv_without_ensurepip_falls_back_to_the_system_pip(course, tmp_path, monkeypatch):
    """Debian/Ubuntu without python3-venv: `python3 -m venv` leaves a venv with no pip and
    exits 1.  course.py must still end with a working venv (and a second run must not be
    fooled by the half-made one)."""
    import subprocess
    import sys
    venv = tmp_path / ".venv"
    monkeypatch.setattr(course, "VENV", venv)
    monkeypatch.setattr(course, "BIN", venv / "bin")
    monkeypatch.setattr(course, "PYTHON", venv / "bin" / "python")
    real = course._run

    def debian_venv(*cmd, **kw):
        if cmd[1:3] == ("-m", "venv") and "--without-pip" not in cmd:
            real(sys.executable, "-m", "venv", "--without-pip", cmd[3])
            raise subprocess.CalledProcessError(1, cmd)
        return real(*cmd, **kw)

    monkeypatch.setattr(course, "_run", debian_venv)
    course._make_venv()
    assert course._venv_works()
