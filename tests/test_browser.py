"""GraphExplorer in a real browser: JupyterLab headless + Playwright + Debian's Chromium.

Starts JupyterLab on a free loopback port, opens a notebook that shows a GraphExplorer,
runs it, moves the z slider with the keyboard and checks that the gradient labels of the
rendered SVG change.  A screenshot goes to ``test-artifacts/graph_explorer.png``.

Skips when Chromium or Playwright's Python package is missing, unless the environment
variable ``BACKPROP_LAB_REQUIRE_BROWSER=1`` is set (CI sets it): then it fails.
Chromium is ``$BACKPROP_LAB_CHROMIUM`` when set, else ``/usr/bin/chromium`` or on PATH.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
GRAD_COLOR = "#cf222e"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

NOTEBOOK_CELLS = [
    "import backprop_lab as bl\n"
    "from backprop_lab.widgets import GraphExplorer\n"
    "explorer = GraphExplorer(lambda x, y, z: (x + y) * z, x=-2, y=5, z=-4)\n"
    "explorer",
]


def find_chromium():
    if os.environ.get("BACKPROP_LAB_CHROMIUM"):
        candidates = [os.environ["BACKPROP_LAB_CHROMIUM"]]
    else:
        candidates = ["/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def need(condition, reason):
    if condition:
        return
    if os.environ.get("BACKPROP_LAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"BACKPROP_LAB_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_notebook(path: Path, sources=NOTEBOOK_CELLS) -> None:
    cells = [{"cell_type": "code", "execution_count": None, "id": f"cell{i}", "metadata": {},
              "outputs": [], "source": source} for i, source in enumerate(sources)]
    notebook = {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                            "language": "python"}}}
    path.write_text(json.dumps(notebook))


@pytest.fixture
def chromium():
    """The Chromium executable and Playwright's sync API, or skip (fail when required)."""
    executable = find_chromium()
    need(executable is not None, "Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "Playwright's Python package is not installed (pip install playwright)")
    return executable, sync_playwright


@pytest.fixture
def jupyterlab(tmp_path, chromium):
    """A JupyterLab server on a free loopback port, serving ``tmp_path``; yields its URL."""
    port, token = free_port(), "backprop-lab-test"
    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    env.update(JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_DATA_DIR=str(tmp_path / "data"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"))
    env.pop("JUPYTER_CONFIG_DIR", None)
    log = open(tmp_path / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={token}", "--allow-root",
         f"--ServerApp.root_dir={tmp_path}", "--ServerApp.port_retries=0",
         "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start:\n"
                                + (tmp_path / "jupyterlab.log").read_text()[-3000:])
                time.sleep(0.3)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def run_notebook(page, attempts: int = 3, widget: str = ".backprop-lab-graph-explorer") -> None:
    """Run all cells once the kernel is idle; retry if the widget does not appear."""
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    for attempt in range(attempts):
        page.wait_for_function(
            "() => /\\| Idle/.test(document.body.innerText)",     # the status bar's kernel state
            timeout=60_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        try:
            page.locator(widget).first.wait_for(timeout=30_000)
            return
        except Exception:
            if attempt == attempts - 1:
                raise


def gradient_labels(page):
    texts = page.locator(f".backprop-lab-graph-explorer svg text[fill='{GRAD_COLOR}']")
    return sorted(t.strip() for t in texts.all_text_contents())


def test_graph_explorer_slider_changes_gradients_in_chromium(tmp_path, chromium, jupyterlab):
    executable, sync_playwright = chromium
    base, token = jupyterlab
    write_notebook(tmp_path / "explorer.ipynb")
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900},
                                    device_scale_factor=2)
            page.goto(f"{base}/lab/tree/explorer.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            run_notebook(page)
            explorer = page.locator(".backprop-lab-graph-explorer")
            page.wait_for_selector(".backprop-lab-graph-explorer svg text", timeout=30_000)
            # the seed circuit of seed 004: dx = dy = dq = -4, dz = 3, df/df = 1
            assert gradient_labels(page) == sorted(["−4", "−4", "3", "−4", "1"])

            handles = page.locator(".backprop-lab-graph-explorer .widget-slider .noUi-handle")
            assert handles.count() == 3
            handles.nth(2).focus()                         # the z slider
            page.keyboard.press("ArrowRight")              # z: -4 -> -3.9
            page.wait_for_function(
                f"() => [...document.querySelectorAll(\".backprop-lab-graph-explorer svg "
                f"text[fill='{GRAD_COLOR}']\")].some(t => t.textContent.trim() === '−3.9')",
                timeout=30_000)
            assert gradient_labels(page) == sorted(["−3.9", "−3.9", "3", "−3.9", "1"])
            explorer.screenshot(path=str(ARTIFACTS / "graph_explorer.png"), timeout=20_000)
            page.screenshot(path=str(ARTIFACTS / "jupyterlab_graph_explorer.png"),
                            timeout=20_000)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "browser_failure.png"), timeout=20_000)
            outputs = page.locator(".jp-OutputArea").all_text_contents()
            raise AssertionError(f"browser test failed; screenshot in "
                                 f"{ARTIFACTS / 'browser_failure.png'}; cell outputs: {outputs}")
        finally:
            browser.close()
    assert (ARTIFACTS / "graph_explorer.png").stat().st_size > 5_000


OVERLAPS_JS = """() => {
  const boxes = [...document.querySelectorAll('svg text')]
    .map(t => ({text: t.textContent.trim(), box: t.getBBox()}));
  const clashes = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].box, b = boxes[j].box;
      if (a.x < b.x + b.width - 1 && b.x < a.x + a.width - 1 &&
          a.y < b.y + b.height - 2 && b.y < a.y + a.height - 2)
        clashes.push([boxes[i].text, boxes[j].text]);
    }
  return clashes;
}"""


def test_seed_circuits_labels_do_not_overlap(chromium):
    """In Chromium, no two labels of the seeds' circuits cover each other."""
    import backprop_lab as bl
    from test_render import seed_001_neuron, seed_004_circuit, staged_function

    executable, sync_playwright = chromium
    circuits = [seed_004_circuit(), seed_001_neuron(), staged_function()]
    for f in circuits:
        f.backward()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            for f in circuits:
                page.set_content(f"<html><body>{bl.render_svg(f, inline=True)}</body></html>")
                assert page.evaluate(OVERLAPS_JS) == [], f"labels overlap in {f!r}"
        finally:
            browser.close()


# ------------------------------------------------------------------ the gradient drill
DRILL = dict(level=1, seed=2)          # f = (x + y)·z: x into an add gate, z into a multiply
DRILL_CELLS = [
    "from backprop_lab.practice import GradientDrill\n"
    f"GradientDrill(level={DRILL['level']}, seed={DRILL['seed']})",
]
RIGHT_RGB, WRONG_RGB = "rgb(218, 251, 225)", "rgb(255, 235, 233)"


def test_gradient_drill_checks_typed_answers_in_chromium(tmp_path, chromium, jupyterlab):
    """Type one right and one wrong gradient, press Check, read the feedback shown."""
    from backprop_lab.practice import make_circuit

    executable, sync_playwright = chromium
    base, token = jupyterlab
    circuit = make_circuit(**DRILL)             # the same circuit the kernel draws
    right_name, wrong_name = "z", "x"
    right = f"{circuit.wire(right_name).gradient:g}"
    wrong = "1"                                 # the add gate's local gradient alone
    assert circuit.wire(wrong_name).gradient not in (1.0,)
    write_notebook(tmp_path / "drill.ipynb", DRILL_CELLS)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900},
                                    device_scale_factor=2)
            page.goto(f"{base}/lab/tree/drill.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            run_notebook(page, widget=".backprop-lab-gradient-drill")
            drill = page.locator(".backprop-lab-gradient-drill")
            page.wait_for_selector(".backprop-lab-gradient-drill svg text", timeout=30_000)
            drill.locator(f".backprop-lab-wire-{right_name} input").fill(right)
            drill.locator(f".backprop-lab-wire-{wrong_name} input").fill(wrong)
            drill.locator("button", has_text="Check").click()
            wrong_feedback = drill.locator(f".backprop-lab-wire-{wrong_name} .backprop-lab-feedback")
            wrong_feedback.locator(".backprop-lab-wrong").wait_for(timeout=30_000)
            assert "upstream gradient was not multiplied in" in wrong_feedback.inner_text()
            right_feedback = drill.locator(f".backprop-lab-wire-{right_name} .backprop-lab-feedback")
            assert right_feedback.inner_text().strip() == "✓ right"
            backgrounds = [drill.locator(f".backprop-lab-wire-{name} input").evaluate(
                "e => getComputedStyle(e).backgroundColor") for name in (right_name, wrong_name)]
            assert backgrounds == [RIGHT_RGB, WRONG_RGB]
            others = [n for n in circuit.names if n not in (right_name, wrong_name)]
            for name in others:
                text = drill.locator(f".backprop-lab-wire-{name} .backprop-lab-feedback").inner_text()
                assert text.strip() == "no answer yet"
            drill.screenshot(path=str(ARTIFACTS / "gradient_drill.png"), timeout=20_000)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "browser_failure_drill.png"), timeout=20_000)
            outputs = page.locator(".jp-OutputArea").all_text_contents()
            raise AssertionError(f"drill browser test failed; screenshot in "
                                 f"{ARTIFACTS / 'browser_failure_drill.png'}; outputs: {outputs}")
        finally:
            browser.close()
    assert (ARTIFACTS / "gradient_drill.png").stat().st_size > 5_000


# ------------------------------------------------------- a lesson: its drill and a question
LESSON_WITH_DRILL = "02_chain_rule.ipynb"     # the first lesson with a GradientDrill (level 1)


def test_lesson_drill_and_question_check_typed_answers_in_chromium(tmp_path, chromium,
                                                                    jupyterlab):
    """Open a real lesson, run it, and answer as a student: one right and one wrong gradient
    in its drill (a fresh random circuit, read back from the seed the drill shows), and a
    wrong prediction in its first checked question."""
    import html
    import re

    from backprop_lab.practice import check_wire, make_circuit
    from backprop_lab.practice.checking import feedback_html

    executable, sync_playwright = chromium
    base, token = jupyterlab
    shutil.copy(ROOT / "lessons" / LESSON_WITH_DRILL, tmp_path / LESSON_WITH_DRILL)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(f"{base}/lab/tree/{LESSON_WITH_DRILL}?token={token}")
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
            page.wait_for_function("() => /\\| Idle/.test(document.body.innerText)",
                                   timeout=60_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            drill = page.locator(".backprop-lab-gradient-drill")
            # a hang guard, not a time limit: the whole lesson runs before its drill
            drill.wait_for(state="attached", timeout=300_000)
            drill.evaluate("e => e.scrollIntoView()")      # off-screen cells are not painted
            drill.locator("svg text").first.wait_for(timeout=60_000)

            header = drill.inner_text()
            found = re.search(r"level (\d+):.*?\(circuit (\d+)\)", header, re.S)
            assert found, f"the drill does not show its level and circuit: {header[:200]!r}"
            circuit = make_circuit(int(found.group(1)), int(found.group(2)))
            assert circuit.formula in header               # the kernel drew the same circuit
            leaves = [w for w in circuit.wires if w.node.gate is None]
            right_wire = leaves[0]
            wrong_wire = next(w for w in leaves[1:] if w.gradient != 0)
            right, wrong = f"{right_wire.gradient:g}", f"{-wrong_wire.gradient:g}"
            typed = {name: "" for name in circuit.names}
            typed.update({right_wire.name: right, wrong_wire.name: wrong})
            expected = check_wire(circuit, wrong_wire.name, wrong, typed)
            assert expected.status == "wrong"

            drill.locator(f".backprop-lab-wire-{right_wire.name} input").fill(right)
            drill.locator(f".backprop-lab-wire-{wrong_wire.name} input").fill(wrong)
            drill.locator("button", has_text="Check").click()
            wrong_feedback = drill.locator(
                f".backprop-lab-wire-{wrong_wire.name} .backprop-lab-feedback")
            wrong_feedback.locator(".backprop-lab-wrong").wait_for(timeout=30_000)
            hint = feedback_html(expected.hint or expected.text)
            shown = html.unescape(re.sub(r"<[^>]+>", "", hint))         # as the page shows it
            assert shown in wrong_feedback.inner_text()
            right_feedback = drill.locator(
                f".backprop-lab-wire-{right_wire.name} .backprop-lab-feedback")
            assert right_feedback.inner_text().strip() == "✓ right"

            # the lesson's first checked question: ∂f/∂x of f = (x + y)·z is z = -4
            question = page.locator(".backprop-lab-question").first
            question.evaluate("e => e.scrollIntoView()")
            question.locator("input").fill("4")
            question.locator("button", has_text="Check").click()
            question.locator(".backprop-lab-wrong").wait_for(timeout=30_000)
            assert "sign is flipped" in question.inner_text()
            drill.evaluate("e => e.scrollIntoView()")
            drill.screenshot(path=str(ARTIFACTS / "lesson_gradient_drill.png"), timeout=20_000)
            question.locator("button", has_text="Show answer").click()
            question.locator(".backprop-lab-revealed").wait_for(timeout=30_000)
            assert re.search(r"answer: [−-]4\b", question.inner_text())
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "browser_failure_lesson.png"), timeout=20_000)
            outputs = page.locator(".jp-OutputArea").all_text_contents()
            raise AssertionError(f"lesson browser test failed; screenshot in "
                                 f"{ARTIFACTS / 'browser_failure_lesson.png'}; "
                                 f"outputs: {outputs[-5:]}")
        finally:
            browser.close()
