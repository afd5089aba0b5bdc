"""BackwardStepper: walk through backward one gate at a time.

    from backprop_lab.widgets import BackwardStepper
    BackwardStepper(f)          # f: the output Node, or a Graph

The engine's ``Graph.backward_steps()`` gives one record per gate, from the output back to
the leaves.  Position 0 is the start (only the seed dL/dL = 1 on the output wire); position
k shows the circuit after k steps, with the k-th gate highlighted, only the gradients known
so far, and the step in words: ``upstream × local = what each input receives``, with
``+=`` when a gradient meets one that arrived earlier from another branch.

Step / Back / Reset buttons move one position; the Play button (``ipywidgets.Play``) plays
the steps like a film.
"""
from __future__ import annotations

import html

import ipywidgets as widgets

from ..graph import Graph, Node
from ..i18n.messages import tr
from ..values import format_value
from .base import CircuitView

__all__ = ["BackwardStepper"]


class BackwardStepper(widgets.VBox):
    """Step / Back / Play through the backward pass of a graph.

    ``graph_or_node``: a Node or Graph; ``seed``: dL/d(output) (1.0 for a scalar output);
    ``interval_ms``: time per step when playing.  ``steps`` holds the engine's
    BackwardStep records; ``position`` (0 … len(steps)) is where you are; ``text`` is the
    explanation shown; ``svg`` the current drawing.
    """

    def __init__(self, graph_or_node, *, seed=None, precision: int = 3, rankdir: str = "LR",
                 interval_ms: int = 1500):
        if isinstance(graph_or_node, Node):
            graph_or_node = Graph(graph_or_node)
        if not isinstance(graph_or_node, Graph):
            raise TypeError(tr("BackwardStepper: expected a Node or a Graph, got {kind}.",
                               kind=type(graph_or_node).__name__))
        self.graph = graph_or_node
        self.steps = list(self.graph.backward_steps(seed))
        self.precision = precision
        self.rankdir = rankdir
        self._drawings: dict[int, tuple[str, str]] = {}   # position -> (svg, html)
        count = len(self.steps)
        self.slider = widgets.IntSlider(value=0, min=0, max=count, description=tr("step"),
                                        continuous_update=True)
        self.play = widgets.Play(value=0, min=0, max=count, step=1, interval=interval_ms,
                                 description=tr("Play"))
        widgets.link((self.play, "value"), (self.slider, "value"))
        self.back_button = widgets.Button(description=tr("Back"), icon="step-backward",
                                          tooltip=tr("one step back"))
        self.step_button = widgets.Button(description=tr("Step"), icon="step-forward",
                                          tooltip=tr("one gate further"), button_style="primary")
        self.reset_button = widgets.Button(description=tr("Reset"), icon="undo",
                                           tooltip=tr("back to the seed"))
        self.back_button.on_click(lambda _: self.back())
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())
        self.circuit = CircuitView()
        self.explanation = widgets.HTML()
        self.text = ""
        self.slider.observe(lambda change: self._show(change["new"]), names="value")
        buttons = widgets.HBox([self.reset_button, self.back_button, self.step_button,
                                self.play, self.slider])
        super().__init__([buttons, self.circuit, self.explanation])
        self.add_class("backprop-lab-backward-stepper")
        self._show(0)

    # -- moving --------------------------------------------------------------------
    @property
    def position(self) -> int:
        return self.slider.value

    def step(self) -> None:
        """One gate further (does nothing at the end)."""
        self.slider.value = min(self.slider.value + 1, self.slider.max)

    def back(self) -> None:
        """One gate back (does nothing at the start)."""
        self.slider.value = max(self.slider.value - 1, 0)

    def reset(self) -> None:
        self.play.playing = False
        self.slider.value = 0

    # -- showing -------------------------------------------------------------------
    def explain(self, position: int) -> str:
        """The words for a position: the seed, one step, or the final gradients."""
        count = len(self.steps)
        output = self.graph.output.name or tr("the output")
        seed = self.steps[0].upstream if self.steps else self.graph.output.grad
        if position == 0:
            return tr("Backward starts at {output}: its gradient with respect to itself is "
                      "{seed} (the seed).\nPress Step to send it back through the {count} "
                      "gates, one at a time.", output=output,
                      seed=format_value(seed, self.precision), count=count)
        step = self.steps[position - 1]
        lines = [tr("Step {step} of {steps}: {words}", step=position, steps=count,
                    words=step.describe())]
        if position == count:
            leaves = ", ".join(f"∂/∂{leaf.name} = {format_value(leaf.grad, self.precision)}"
                               for leaf in self.graph.leaves if leaf.name)
            lines.append(tr("Done: every gradient has arrived. {gradients}", gradients=leaves))
        return "\n".join(lines)

    def _show(self, position: int) -> None:
        self.text = self.explain(position)
        self.explanation.value = (f"<pre style='font-size:13px;line-height:1.4'>"
                                  f"{html.escape(self.text)}</pre>")
        self.back_button.disabled = position == 0
        self.step_button.disabled = position == len(self.steps)
        if position in self._drawings:          # each position is drawn once
            self.circuit.svg, self.circuit.value = self._drawings[position]
            return
        self.circuit.show(self.graph, grads=self.steps[:position],
                          highlight=self.steps[position - 1] if position else None,
                          precision=self.precision, rankdir=self.rankdir)
        self._drawings[position] = (self.circuit.svg, self.circuit.value)

    @property
    def svg(self) -> str:
        """The SVG text of the current drawing."""
        return self.circuit.svg
