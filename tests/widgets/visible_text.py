"""What a student reads on a widget: every label, button, caption, readout and plot text.

``visible_texts(widget)`` walks the widget tree and returns ``[(where, text), ...]``:
descriptions, tooltips and placeholders of controls, the text of HTML/Label widgets (tags
stripped; the SVG circuit drawings left out: their labels are the graph's names and
numbers), option labels, and the texts of every matplotlib figure shown (titles, axis
labels, legend entries).  ``SCENARIOS`` builds each widget of ``backprop_lab.widgets`` in a
few states (after a step, with an error showing, ...) so that the language tests see the
texts that only appear then.
"""
from __future__ import annotations

from html import unescape
from html.parser import HTMLParser

import ipywidgets as widgets

import backprop_lab as bl
from backprop_lab.widgets import (BackwardStepper, GatePatterns, GraphExplorer, NeuronTrainer,
                                  NumericalVsAnalytic, RNNGradientExplorer)
from backprop_lab.widgets.base import CircuitView, FigureView


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        if _readable(data):
            self.parts.append(data.strip())


def _readable(text: str) -> bool:
    """Not empty once blanks and zero-width spaces (ipywidgets' placeholder) are removed."""
    return bool(text.replace("\u200b", "").strip())


def html_text(markup: str) -> list[str]:
    parser = _Text()
    parser.feed(markup)
    return [unescape(part) for part in parser.parts]


def _figure_texts(figure) -> list[str]:
    texts = []
    for ax in figure.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        legend = ax.get_legend()
        if legend is not None:
            texts += [t.get_text() for t in legend.get_texts()]
    texts += [t.get_text() for t in figure.texts]
    return [t for t in texts if _readable(t)]


def visible_texts(widget, where: str = "") -> list[tuple[str, str]]:
    """``[(path, text)]`` of everything readable on ``widget`` and its children."""
    found = []
    name = f"{where}/{type(widget).__name__}"
    for attribute in ("description", "tooltip", "placeholder"):
        value = getattr(widget, attribute, None)
        if isinstance(value, str) and _readable(value):
            found.append((f"{name}.{attribute}", value))
    if isinstance(widget, CircuitView):
        if not widget.svg:
            found += [(f"{name}.value", text) for text in html_text(widget.value)]
    elif isinstance(widget, (widgets.HTML, widgets.Label, widgets.HTMLMath)):
        found += [(f"{name}.value", text) for text in html_text(widget.value)]
    if isinstance(widget, FigureView):
        found += [(f"{name}.figure", text) for text in _figure_texts(widget.figure)]
    labels = getattr(widget, "_options_labels", None)
    if labels:
        found += [(f"{name}.options", label) for label in labels]
    for index, child in enumerate(getattr(widget, "children", ())):
        found += visible_texts(child, f"{name}[{index}]")
    return found


def _explorer_with_error():
    explorer = GraphExplorer(lambda x: bl.log(x), x=1.0)
    explorer.set(x=-1.0)
    return explorer


def _array_explorer():
    import numpy as np
    return GraphExplorer(lambda W, x: (W @ x).sum(), W=np.array([[1.0, 2.0], [-1.0, 0.0]]),
                         x=np.array([1.0, -2.0]))


def _stepper(position):
    def build():
        x, y, z = bl.var(-2.0, name="x"), bl.var(5.0, name="y"), bl.var(-4.0, name="z")
        stepper = BackwardStepper(((x + y) * z + x).named("f"))
        stepper.slider.value = position if position >= 0 else stepper.slider.max
        return stepper
    return build


def _patterns_tie():
    return GatePatterns(x=1.0, y=1.0)


def _trainer_after_steps():
    trainer = NeuronTrainer()
    trainer.step(3)
    return trainer


def _numerical_outside_domain():
    widget = NumericalVsAnalytic(lambda x: bl.log(x), x=0.5)
    widget.x_slider.value = -1.0
    return widget


def _rnn_clipped():
    return RNNGradientExplorer(rho=1.5, steps=30, activation="tanh", clip=True)


SCENARIOS = {
    "GraphExplorer": lambda: GraphExplorer(lambda x, y, z: (x + y) * z, x=-2, y=5, z=-4),
    "GraphExplorer, array inputs": _array_explorer,
    "GraphExplorer, input outside the domain": _explorer_with_error,
    "BackwardStepper, start": _stepper(0),
    "BackwardStepper, middle": _stepper(2),
    "BackwardStepper, end": _stepper(-1),
    "GatePatterns": lambda: GatePatterns(),
    "GatePatterns, a tie": _patterns_tie,
    "NumericalVsAnalytic": lambda: NumericalVsAnalytic(lambda x: bl.sigmoid(x), x=1.0),
    "NumericalVsAnalytic, outside the domain": _numerical_outside_domain,
    "NeuronTrainer, after 3 steps": _trainer_after_steps,
    "RNNGradientExplorer": lambda: RNNGradientExplorer(),
    "RNNGradientExplorer, vanishing": lambda: RNNGradientExplorer(rho=0.5),
    "RNNGradientExplorer, tanh clipped": _rnn_clipped,
}


def scenario_texts() -> dict[str, list[list[str]]]:
    """``{scenario: [[path, text], ...]}`` in the current language."""
    return {name: [[path, text] for path, text in visible_texts(build())]
            for name, build in SCENARIOS.items()}
