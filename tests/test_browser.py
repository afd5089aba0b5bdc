"""Widgets in a real browser: JupyterLab headless + Playwright + Debian's Chromium.

Starts JupyterLab on a free loopback port, opens a notebook that shows a GraphExplorer,
runs it, moves the z slider with the keyboard and checks that the gradient labels of the
rendered SVG change (screenshot: ``test-artifacts/graph_explorer.png``); the gradient drill
and a real lesson are answered by typing, as a student would.

Skips when Chromium or Playwright's Python package is missing, unless the environment
variable ``BACKPROP_LAB_REQUIRE_BROWSER=1`` is set (CI sets it): then it fails.  Finding
Chromium, JupyterLab and the page that saves a screenshot on failure: tests/browser_support.py.
"""
import shutil
from contextlib import contextmanager

import pytest

from browser_support import (ARTIFACTS, ROOT, chromium, chromium_page,  # noqa: F401 (fixtures)
                             jupyterlab, notebook_in_jupyterlab, run_all_cells, run_notebook,
                             write_notebook)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

GRAD_COLOR = "#cf222e"

NOTEBOOK_CELLS = [
    "import backprop_lab as bl\n"
    "from backprop_lab.widgets import GraphExplorer\n"
    "explorer = GraphExplorer(lambda x, y, z: (x + y) * z, x=-2, y=5, z=-4)\n"
    "explorer",
]


def gradient_labels(page):
    texts = page.locator(f".backprop-lab-graph-explorer svg text[fill='{GRAD_COLOR}']")
    return sorted(t.strip() for t in texts.all_text_contents())


@contextmanager
def widget_in_jupyterlab(chromium, jupyterlab, name: str, cells: list[str], widget: str,
                         failure: str, width: int):
    """A notebook ``name`` of ``cells`` open and run in JupyterLab, at twice the pixels for the
    screenshots; yields the page and the widget (a CSS selector) once its drawing shows."""
    write_notebook(jupyterlab.root / name, cells)
    with notebook_in_jupyterlab(chromium, jupyterlab, name, failure,
                                viewport={"width": width, "height": 900},
                                device_scale_factor=2) as page:
        run_notebook(page, widget=widget)
        page.wait_for_selector(f"{widget} svg text", timeout=30_000)
        yield page, page.locator(widget)


def test_graph_explorer_slider_changes_gradients_in_chromium(chromium, jupyterlab):
    with widget_in_jupyterlab(chromium, jupyterlab, "explorer.ipynb", NOTEBOOK_CELLS,
                              ".backprop-lab-graph-explorer", "browser_failure.png",
                              width=1400) as (page, explorer):
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
        page.screenshot(path=str(ARTIFACTS / "jupyterlab_graph_explorer.png"), timeout=20_000)
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

    circuits = [seed_004_circuit(), seed_001_neuron(), staged_function()]
    for f in circuits:
        f.backward()
    with chromium_page(chromium, "browser_failure_labels.png") as page:
        for f in circuits:
            page.set_content(f"<html><body>{bl.render_svg(f, inline=True)}</body></html>")
            assert page.evaluate(OVERLAPS_JS) == [], f"labels overlap in {f!r}"


# ------------------------------------------------------------------ the gradient drill
DRILL = dict(level=1, seed=2)          # f = (x + y)·z: x into an add gate, z into a multiply
DRILL_CELLS = [
    "from backprop_lab.practice import GradientDrill\n"
    f"GradientDrill(level={DRILL['level']}, seed={DRILL['seed']})",
]
RIGHT_RGB, WRONG_RGB = "rgb(218, 251, 225)", "rgb(255, 235, 233)"


def test_gradient_drill_checks_typed_answers_in_chromium(chromium, jupyterlab):
    """Type one right and one wrong gradient, press Check, read the feedback shown."""
    from backprop_lab.practice import make_circuit

    circuit = make_circuit(**DRILL)             # the same circuit the kernel draws
    right_name, wrong_name = "z", "x"
    right = f"{circuit.wire(right_name).gradient:g}"
    wrong = "1"                                 # the add gate's local gradient alone
    assert circuit.wire(wrong_name).gradient not in (1.0,)

    with widget_in_jupyterlab(chromium, jupyterlab, "drill.ipynb", DRILL_CELLS,
                              ".backprop-lab-gradient-drill", "browser_failure_drill.png",
                              width=1200) as (page, drill):
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
    assert (ARTIFACTS / "gradient_drill.png").stat().st_size > 5_000


# ------------------------------------------------------- a lesson: its drill and a question
LESSON_WITH_DRILL = "02_chain_rule.ipynb"     # the first lesson with a GradientDrill (level 1)


def test_lesson_drill_and_question_check_typed_answers_in_chromium(chromium, jupyterlab):
    """Open a real lesson, run it, and answer as a student: one right and one wrong gradient
    in its drill (a fresh random circuit, read back from the seed the drill shows), and a
    wrong prediction in its first checked question."""
    import html
    import re

    from backprop_lab.practice import check_wire, make_circuit
    from backprop_lab.practice.checking import feedback_html

    shutil.copy(ROOT / "lessons" / LESSON_WITH_DRILL, jupyterlab.root / LESSON_WITH_DRILL)

    with notebook_in_jupyterlab(chromium, jupyterlab, LESSON_WITH_DRILL,
                                "browser_failure_lesson.png",
                                viewport={"width": 1200, "height": 900}) as page:
        run_all_cells(page)
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
