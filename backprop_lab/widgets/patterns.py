"""GatePatterns: the three patterns of backward flow, side by side and live.

(As in CS231n's "Backpropagation, Intuitions" and sunlianglong's summary
神经网络与深度学习小结 (二).)

* add **distributes**: both inputs receive the upstream gradient unchanged;
* max **routes**: the larger input receives all of it, the other one 0;
* multiply **swaps**: each input receives the upstream times the *other* input.

Three circuits share the sliders x, y and the upstream gradient; every change runs the
engine's forward and backward (``Graph.backward(seed=upstream)``) on all three.
"""
from __future__ import annotations

import ipywidgets as widgets

from ..graph import Graph, maximum, var
from ..i18n.messages import tr
from ..values import format_value
from .base import CircuitView, message_html, slider_value

__all__ = ["GatePatterns"]


def _circuit(kind: str, x: float, y: float) -> Graph:
    a, b = var(x, name="x"), var(y, name="y")
    if kind == "add":
        out = a + b
    elif kind == "max":
        out = maximum(a, b)
    else:
        out = a * b
    return Graph(out.named("z"))


class GatePatterns(widgets.VBox):
    """Add distributes, max routes, multiply swaps: three live circuits, one set of sliders.

    ``x``, ``y``: the inputs; ``upstream``: dL/dz arriving at each gate's output.
    ``captions`` holds the sentence under each circuit, ``gradients`` the
    ``{"add": {"x": .., "y": ..}, "max": ..., "multiply": ...}`` of the last update.
    """

    KINDS = ("add", "max", "multiply")

    @staticmethod
    def title(kind: str) -> str:
        """The heading of one circuit, in the notebook's language."""
        return {"add": tr("add distributes"), "max": tr("max routes"),
                "multiply": tr("multiply swaps")}[kind]

    def __init__(self, x: float = 3.0, y: float = -1.0, upstream: float = 2.0,
                 precision: int = 3):
        x, y, upstream = (slider_value("GatePatterns", name, value, -5.0, 5.0)
                          for name, value in (("x", x), ("y", y), ("upstream", upstream)))
        self.precision = precision
        self.graphs = {kind: _circuit(kind, x, y) for kind in self.KINDS}
        self.x = widgets.FloatSlider(value=x, min=-5, max=5, step=0.1, description="x")
        self.y = widgets.FloatSlider(value=y, min=-5, max=5, step=0.1, description="y")
        self.upstream = widgets.FloatSlider(value=upstream, min=-5, max=5, step=0.1,
                                            description=tr("upstream"))
        self.circuits = {kind: CircuitView() for kind in self.KINDS}
        self.caption_widgets = {kind: widgets.HTML() for kind in self.KINDS}
        self.captions: dict[str, str] = {}
        self.gradients: dict[str, dict] = {}
        panels = [widgets.VBox([widgets.HTML(f"<b>{self.title(kind)}</b>"),
                                self.circuits[kind], self.caption_widgets[kind]],
                               layout=widgets.Layout(width="33%", min_width="240px"))
                  for kind in self.KINDS]
        for slider in (self.x, self.y, self.upstream):
            slider.observe(lambda change: self.update(), names="value")
        super().__init__([widgets.HBox([self.x, self.y, self.upstream]),
                          widgets.HBox(panels, layout=widgets.Layout(flex_flow="row wrap"))])
        self.add_class("backprop-lab-gate-patterns")
        self.update()

    def update(self) -> None:
        """Forward and backward through all three circuits; redraw; rewrite the captions."""
        x, y, g = self.x.value, self.y.value, self.upstream.value
        for kind, graph in self.graphs.items():
            graph.forward(x=x, y=y)
            self.gradients[kind] = graph.backward(seed=g)
            self.circuits[kind].show(graph, precision=self.precision, rankdir="LR")
            self.captions[kind] = self._caption(kind, x, y, g, self.gradients[kind])
            self.caption_widgets[kind].value = message_html(self.captions[kind])

    def _caption(self, kind, x, y, g, grads) -> str:
        f = lambda v: format_value(v, self.precision)  # noqa: E731 - a local shorthand
        if kind == "add":
            return tr("Local gradients are 1 and 1, so x and y both receive the upstream "
                      "{g}: dx = {dx}, dy = {dy}.", g=f(g), dx=f(grads["x"]), dy=f(grads["y"]))
        if kind == "max":
            winner, loser = ("x", "y") if x >= y else ("y", "x")
            tie = tr(" (a tie: by convention x wins)") if x == y else ""
            return tr("{winner} is the larger input{tie}, so it receives all of the upstream "
                      "{g}; {loser} receives 0: dx = {dx}, dy = {dy}.", winner=winner, tie=tie,
                      g=f(g), loser=loser, dx=f(grads["x"]), dy=f(grads["y"]))
        return tr("Each input receives the upstream times the other input: "
                  "dx = {g} · y = {g} · {y} = {dx}, dy = {g} · x = {g} · {x} = {dy}.",
                  g=f(g), x=f(x), y=f(y), dx=f(grads["x"]), dy=f(grads["y"]))
