"""NeuronTrainer: gradient descent on the sigmoid neuron of CS231n, one click per update.

The neuron is f = σ(w0·x0 + w1·x1 + w2) with the numbers of CS231n's "Backpropagation,
Intuitions" (Karpathy): w = [2, −3, −3],
x = [−1, −2] (f = 0.731).  To *train* it we need a loss: the squared error
L = (f − t)² against a target t.  Each click of Step

1. runs forward and backward through the engine (``Graph.forward``, ``Graph.backward``),
2. moves each weight against its gradient: w ← w − η · ∂L/∂w (x stays: it is data),

and the loss curve grows by one point.  The circuit shows the current weights with their
gradients, so you can see *why* each weight moves the way it does.
"""
from __future__ import annotations

import ipywidgets as widgets

from ..graph import Graph, sigmoid, var
from ..i18n.messages import tr
from ..values import format_value
from .base import CircuitView, FigureView, number_rows, slider_value

__all__ = ["NeuronTrainer", "neuron_loss_graph"]

WEIGHTS = ("w0", "w1", "w2")


def neuron_loss_graph(w=(2.0, -3.0, -3.0), x=(-1.0, -2.0), target: float = 1.0) -> Graph:
    """The graph of L = (σ(w0·x0 + w1·x1 + w2) − t)², leaves named w0 w1 w2 x0 x1."""
    if len(w) != 3 or len(x) != 2:
        raise ValueError(tr("NeuronTrainer: expected 3 weights and 2 inputs (CS231n's "
                            "neuron), got {weights} weights and {inputs} inputs.",
                            weights=len(w), inputs=len(x)))
    w0, w1, w2 = (var(v, name=n) for v, n in zip(w, WEIGHTS))
    x0, x1 = var(x[0], name="x0"), var(x[1], name="x1")
    f = sigmoid(w0 * x0 + w1 * x1 + w2).named("f")
    return Graph(((f - float(target)) ** 2).named("L"))


class NeuronTrainer(widgets.VBox):
    """A gradient-descent stepper for the sigmoid neuron: Step = one update; loss plotted.

    ``w``, ``x``: starting weights and inputs; ``target``: what f should output;
    ``learning_rate``: η.  ``history`` is the list of losses (one per update, starting with
    the loss before any update); ``weights`` the current ``{w0, w1, w2}``.
    """

    def __init__(self, w=(2.0, -3.0, -3.0), x=(-1.0, -2.0), target: float = 1.0,
                 learning_rate: float = 1.0, show_circuit: bool = True):
        self.start_w, self.x = tuple(float(v) for v in w), tuple(float(v) for v in x)
        learning_rate = slider_value("NeuronTrainer", "learning_rate", learning_rate,
                                     10.0 ** -2, 10.0 ** 1.5)
        target = slider_value("NeuronTrainer", "target", target, 0.0, 1.0)
        self.lr = widgets.FloatLogSlider(value=learning_rate, base=10, min=-2, max=1.5,
                                         step=0.05, description=tr("η (rate)"))
        # a new target restarts training (reset): on release, not at every tick of a drag
        self.target = widgets.FloatSlider(value=target, min=0.0, max=1.0, step=0.05,
                                          description=tr("target t"),
                                          continuous_update=False)
        self.step_button = widgets.Button(description=tr("Step (1 update)"),
                                          button_style="primary")
        self.ten_button = widgets.Button(description=tr("10 steps"))
        self.reset_button = widgets.Button(description=tr("Reset"))
        self.step_button.on_click(lambda _: self.step())
        self.ten_button.on_click(lambda _: self.step(10))
        self.reset_button.on_click(lambda _: self.reset())
        self.target.observe(lambda change: self.reset(), names="value")
        self.show_circuit = show_circuit
        self.circuit = CircuitView()
        self.plot = FigureView(figsize=(4.8, 3.0))
        self.readout = widgets.HTML()
        (self._loss_line,) = self.plot.ax.plot([], [], "o-", color="#cf222e", markersize=3)
        self.plot.ax.set_xlabel(tr("update"))
        self.plot.ax.set_ylabel(tr("loss L = (f − t)²"))
        self.plot.ax.grid(True, alpha=0.3)
        super().__init__([
            widgets.HBox([self.step_button, self.ten_button, self.reset_button, self.lr,
                          self.target]),
            self.circuit,
            widgets.HBox([self.plot, self.readout]),
        ])
        self.add_class("backprop-lab-neuron-trainer")
        self.reset()

    def reset(self) -> None:
        """Back to the starting weights (and the current target); clears the loss curve."""
        self.graph = neuron_loss_graph(self.start_w, self.x, self.target.value)
        self._f = next(node for node in self.graph.nodes if node.name == "f")
        self.loss = self.graph.forward()
        self.gradients = self.graph.backward()
        self.history = [self.loss]
        self._show()

    @property
    def weights(self) -> dict:
        return {name: self.graph.leaf(name).value for name in WEIGHTS}

    @property
    def output(self) -> float:
        """The neuron's output f = σ(w·x + b)."""
        return self._f.value

    def step(self, count: int = 1) -> None:
        """``count`` gradient-descent updates w ← w − η ∂L/∂w, each with a fresh backward."""
        for _ in range(count):
            new = {name: value - self.lr.value * self.gradients[name]
                   for name, value in self.weights.items()}
            self.loss = self.graph.forward(**new)
            self.gradients = self.graph.backward()
            self.history.append(self.loss)
        self._show()

    def _show(self) -> None:
        if self.show_circuit:
            self.circuit.show(self.graph, precision=3)
        self._loss_line.set_data(range(len(self.history)), self.history)
        ax = self.plot.ax
        ax.set_xlim(-0.5, max(10, len(self.history)) - 0.5)
        ax.set_ylim(0, max(self.history) * 1.1 + 1e-12)
        ax.set_title(tr("after {updates} updates: L = {loss:.4g}", updates=len(self.history) - 1,
                        loss=self.loss), fontsize=10)
        self.plot.refresh()
        rows = [(tr("updates"), len(self.history) - 1), ("f", format_value(self.output, 4)),
                (tr("target t"), format_value(self.target.value, 4)),
                (tr("loss L"), format_value(self.loss, 4))]
        rows += [(f"{name}  (∂L/∂{name})",
                  f"{format_value(value, 4)}  ({format_value(self.gradients[name], 3)})")
                 for name, value in self.weights.items()]
        self.readout.value = number_rows(rows, caption=tr("the neuron now"))
