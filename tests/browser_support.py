"""Chromium for the browser tests: find it, open a page that explains its own failure, JupyterLab.

Used by tests/test_browser.py and tests/test_browser_zh.py (a notebook in a real JupyterLab)
and tests/test_hub.py (JupyterLab on a JupyterHub).  The fixtures ``chromium`` and
``jupyterlab`` are imported by the test modules that use them.

Chromium is ``$BACKPROP_LAB_CHROMIUM`` when set, else ``/usr/bin/chromium`` or on PATH.  The
fixtures skip when Chromium or Playwright's Python package is missing, unless
``BACKPROP_LAB_REQUIRE_BROWSER=1`` (CI sets it): then they fail.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
REQUIRE_BROWSER = "BACKPROP_LAB_REQUIRE_BROWSER"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def find_chromium() -> str | None:
    if os.environ.get("BACKPROP_LAB_CHROMIUM"):
        candidates = [os.environ["BACKPROP_LAB_CHROMIUM"]]
    else:
        candidates = ["/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def need(condition: bool, reason: str, required_by: str = REQUIRE_BROWSER) -> None:
    """Skip for ``reason`` unless ``condition`` — or fail, when the variable ``required_by`` is
    1 (CI sets it: there a missing browser or hub is an error, not a skip)."""
    if condition:
        return
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{required_by}=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    """The Chromium executable and Playwright's sync API, or skip (fail when required)."""
    executable = find_chromium()
    need(executable is not None, "Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "Playwright's Python package is not installed (pip install playwright)")
    return executable, sync_playwright


@contextmanager
def chromium_page(chromium, failure: str, details=None, **page_options):
    """A page of a fresh headless Chromium, closed afterwards.

    When the block fails, the page is saved as ``test-artifacts/<failure>`` and the error says
    so, followed by ``details(page)`` (e.g. what the notebook's cells printed).
    ``page_options`` go to Playwright's ``new_page`` (viewport, device_scale_factor).
    """
    executable, sync_playwright = chromium
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(**page_options)
            try:
                yield page
            except Exception as error:
                raise AssertionError(f"{error}\n{_what_the_page_showed(page, failure, details)}") \
                    from error
        finally:
            browser.close()


def _what_the_page_showed(page, failure: str, details) -> str:
    notes = []
    try:
        page.screenshot(path=str(ARTIFACTS / failure), timeout=20_000)
        notes.append(f"screenshot of the page: {ARTIFACTS / failure}")
    except Exception as error:                      # a crashed page: say so, keep the real error
        notes.append(f"no screenshot ({type(error).__name__}: {str(error)[:200]})")
    if details is not None:
        try:
            notes.append(str(details(page)))
        except Exception as error:
            notes.append(f"({details.__name__} failed: {type(error).__name__})")
    return "\n".join(notes)


# ------------------------------------------------------------------ JupyterLab
@dataclass
class JupyterLab:
    url: str
    token: str
    root: Path                                       # the folder it serves


PORT_TAKEN = "could not be started because"          # jupyter_server's message, then exit 1


def _start_jupyterlab(root: Path, token: str, env: dict, log_path: Path):
    """Start JupyterLab on a port the OS picks; return (process, url) once it answers, or
    (process, None) when it exited because that port was taken before it could listen.

    The server picks the port itself (--port=0: bind to port 0, read the port, listen on it
    when its loop starts) and writes it to jpserver-<pid>.json in its runtime folder.  A port
    picked here and passed on would stay free for the whole start-up -- JupyterLab spends
    ~6 s of CPU on imports first, up to a minute on a busy machine -- while every kernel
    started meanwhile binds ports of the same ephemeral range."""
    runtime = Path(env["JUPYTER_RUNTIME_DIR"])
    for old in runtime.glob("jpserver-*"):
        old.unlink()
    with open(log_path, "a") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--port=0",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={token}", "--allow-root",
             f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
             "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    # The wait ends when the server answers, or at once when it exits.  The bound is a hang
    # guard: JupyterLab spends ~6 s of CPU on imports before it listens, which took up to
    # 57 s at load 22 on the 2-core test machine.
    deadline = time.monotonic() + 180
    url = None
    while True:
        if url is None:
            for info in runtime.glob("jpserver-*.json"):
                try:
                    url = f"http://127.0.0.1:{json.loads(info.read_text())['port']}"
                except (OSError, ValueError, KeyError):
                    pass                                    # being written: read it again
        if url is not None:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5)
                return server, url
            except OSError:
                pass
        if server.poll() is not None:
            if PORT_TAKEN in log_path.read_text():
                return server, None
            pytest.fail(f"JupyterLab did not start:\n{log_path.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"JupyterLab did not answer in 180 s:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)


def _stop(server) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory, chromium):
    """One JupyterLab server for the tests of a module (each opens its own notebook, with its
    own kernel), on a loopback port it picks itself."""
    root = tmp_path_factory.mktemp("jupyterlab")
    token = "backprop-lab-test"
    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    env.update(JUPYTER_RUNTIME_DIR=str(root / ".runtime"), JUPYTER_DATA_DIR=str(root / ".data"),
               JUPYTERLAB_WORKSPACES_DIR=str(root / ".workspaces"))
    env.pop("JUPYTER_CONFIG_DIR", None)
    log_path = root.parent / f"{root.name}.log"
    # Between finding its port and listening on it (a fraction of a second) another process
    # may take the port: then the server says so and exits, and a new one picks another.
    for _attempt in range(3):
        server, url = _start_jupyterlab(root, token, env, log_path)
        if url is not None:
            break
    else:
        pytest.fail(f"JupyterLab found no free port 3 times:\n{log_path.read_text()[-3000:]}")
    try:
        yield JupyterLab(url, token, root)
    finally:
        _stop(server)


def write_notebook(path: Path, sources: list[str]) -> None:
    """A notebook of code cells, without outputs, for the Python 3 kernel."""
    cells = [{"cell_type": "code", "execution_count": None, "id": f"cell{i}", "metadata": {},
              "outputs": [], "source": source} for i, source in enumerate(sources)]
    notebook = {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                            "language": "python"}}}
    path.write_text(json.dumps(notebook))


def cell_outputs(page, last: int = 20) -> str:
    outputs = page.locator(".jp-OutputArea").all_text_contents()
    return f"the last {min(last, len(outputs))} of {len(outputs)} cell outputs: {outputs[-last:]}"


@contextmanager
def notebook_in_jupyterlab(chromium, jupyterlab, name: str, failure: str, **page_options):
    """The notebook ``name`` (a file in ``jupyterlab.root``) open in JupyterLab.

    Each call opens a workspace of its own: the server is shared by the tests of a module, and
    JupyterLab's default workspace would reopen the notebooks of the tests before as tabs.
    On failure: a screenshot ``test-artifacts/<failure>`` and the cells' outputs in the error.
    """
    workspace = f"test-{uuid.uuid4().hex[:12]}"
    with chromium_page(chromium, failure, details=cell_outputs, **page_options) as page:
        page.goto(f"{jupyterlab.url}/lab/workspaces/{workspace}/tree/{name}"
                  f"?token={jupyterlab.token}")
        page.wait_for_selector(".jp-Notebook", timeout=60_000)
        page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
        yield page


KERNEL_IDLE = "() => /\\| Idle/.test(document.body.innerText)"     # the status bar's kernel state
# the first code cell's prompt shows [*] (queued or running) or its number once a run started
RUN_STARTED = ("() => /\\[(\\*|\\d+)\\]/.test(document.querySelector("
               "'.jp-Notebook .jp-CodeCell .jp-InputPrompt')?.textContent || '')")


def run_all_cells(page, idle_timeout: float = 60_000) -> None:
    """Run every cell of the open notebook, once its kernel is idle -- exactly once.

    The command is given again only if no run started (the first code cell's prompt still
    shows no [*] or number after 10 s: JupyterLab was not ready for it).  Giving it again
    after a run started would queue the whole notebook a second time: on a busy machine the
    widgets of the first run were then replaced under the test's hands and a click waited
    behind the second run's cells."""
    page.wait_for_function(KERNEL_IDLE, timeout=idle_timeout)
    for attempt in range(3):
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        try:
            page.wait_for_function(RUN_STARTED, timeout=10_000)
            return
        except Exception:
            if attempt == 2:
                raise


def run_notebook(page, widget: str) -> None:
    """Run all cells once and wait until ``widget`` (a CSS selector) shows.  The bound is a
    hang guard: the cells before the widget (imports, a lesson's first sections) took tens of
    seconds at load 20."""
    run_all_cells(page)
    page.locator(widget).first.wait_for(timeout=300_000)
