"""GraphExplorer: move an input, watch every value and every gradient of the circuit change.

    from backprop_lab.widgets import GraphExplorer
    GraphExplorer(lambda x, y, z: (x + y) * z, x=-2, y=5, z=-4)   # a function of named inputs
    GraphExplorer(f)                                              # an expression (Node) or Graph

One slider per named scalar leaf (a text box for an array leaf, e.g. ``[1, 2, 3]``).  On
every change the engine runs ``Graph.forward`` and ``Graph.backward`` and the circuit is
redrawn: values in green, gradients in red; below it the output and each gradient
df/dleaf.  Inputs that make the function undefined (``log`` of a negative number, ...) show
the engine's error and keep the last good picture.

How fast: one update is the engine's forward + backward (well under 1 ms at these sizes),
the DOT text and the Graphviz layout, which dominates.  A typical 50-node graph (a chain,
or a few tanh units) takes about 10-15 ms of CPU with the embedded Graphviz.  Inputs that
fan out to many gates used to lay out much more slowly (in f = tanh(f·y + x) repeated 16
times, x and y each feed 16 gates: 140-330 ms, every long wire from their junction a chain
of virtual nodes for Graphviz to place); the drawing now gives a node that feeds more than
``render.MAX_FAN_OUT`` gates a copy at each gate, and that graph lays out like any other.
Big graphs are drawn summarised (``render.MAX_NODES``).  Still, when one update takes longer
than ``SLOW_UPDATE_SECONDS`` (the first one, made while the widget is built, included), the
sliders switch to ``continuous_update=False`` and redraw when let go instead of at every
tick of a drag; graphs over ``CONTINUOUS_LIMIT`` nodes do so from the start.
``benchmarks/bench_widgets.py`` prints both numbers.

Bad input is refused with a message that names the slider: a step that is not a positive
number, a range that is not two finite numbers (min < max), a value for ``set`` outside its
slider's range or not finite, a text for an array leaf far longer than its shape needs
(refused before it is parsed).
"""
from __future__ import annotations

import ast
import inspect
import time

import ipywidgets as widgets
import numpy as np

from .. import render
from ..graph import Graph, Node, var
from ..i18n.messages import tr
from ..render import GRAD_COLOR, VALUE_COLOR
from ..values import check_real, format_value
from .base import (CircuitView, check_text_size, message_html, number_rows, slider_bounds,
                   slider_value, under_nbgrader)

__all__ = ["GraphExplorer", "graph_from_function", "slider_range", "legend"]


def legend() -> str:
    """The colour key under the numbers, in the notebook's language."""
    return (f"<div style='font-size:12px;margin-top:4px'>"
            f"<span style='color:{VALUE_COLOR}'>{tr('green: values (forward)')}</span> · "
            f"<span style='color:{GRAD_COLOR}'>{tr('red: gradients (backward)')}</span></div>")

CONTINUOUS_LIMIT = 100     # graphs above this many nodes update on release, not while dragging
SLOW_UPDATE_SECONDS = 0.1  # an update slower than this also switches to update-on-release


def graph_from_function(function, values: dict) -> Graph:
    """Build the graph of ``function(x, y, ...)``: one named leaf per parameter.

    A parameter's starting value is ``values[name]``, else its default, else 1.0.
    """
    if not callable(function):
        raise TypeError(tr("GraphExplorer: expected a Node, a Graph or a function, got "
                           "{kind}.", kind=type(function).__name__))
    parameters = inspect.signature(function).parameters.values()
    names = []
    for p in parameters:
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            raise TypeError(tr("GraphExplorer: the function's inputs must be plain named "
                               "parameters (like lambda x, y: ...); {parameter} is not.",
                               parameter=p))
        names.append(p.name)
    if not names:
        raise TypeError(tr("GraphExplorer: the function takes no inputs; give it named "
                           "parameters, e.g. lambda x, y: x * y."))
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise ValueError(tr("GraphExplorer: {unknown} are not inputs of the function; its "
                            "inputs are {names}.", unknown=unknown, names=names))
    defaults = {p.name: p.default for p in parameters if p.default is not p.empty}
    leaves = [var(values.get(name, defaults.get(name, 1.0)), name=name) for name in names]
    output = function(*leaves)
    if not isinstance(output, Node):
        raise TypeError(tr(
            "GraphExplorer: the function returned {kind} {output!r}, not a Node. Build it "
            "from its inputs with backprop_lab operations (+ - * / ** @, bl.exp, bl.sigmoid, "
            "... rather than math.exp or numpy functions).", kind=type(output).__name__,
            output=output))
    if output.name is None:
        name = getattr(function, "__name__", "")
        output.name = name if name.isidentifier() else "f"       # a lambda's output is f
    return Graph(output)


def slider_range(value: float) -> tuple[float, float]:
    """A symmetric slider range around 0 that holds ``value`` with room to spare."""
    bound = 5.0
    while abs(value) > 0.5 * bound:
        bound *= 2.0
    return -bound, bound


class GraphExplorer(widgets.VBox):
    """An interactive circuit: sliders for the inputs, the drawing, the output and gradients.

    ``expression``: a Node, a :class:`~backprop_lab.Graph`, or a function of named inputs
    (``lambda x, y, z: (x + y) * z``).  Keyword arguments set starting values by name.
    ``ranges``: ``{name: (min, max)}`` for sliders; ``step``: slider step (0.1);
    ``precision``: digits shown; ``rankdir``: ``"LR"`` or ``"TB"``.

    From Python: ``explorer.set(x=1.5)`` moves sliders; ``explorer.value`` is the output,
    ``explorer.gradients`` the ``{name: gradient}`` dict, ``explorer.svg`` the drawing.
    """

    def __init__(self, expression, /, *, ranges: dict | None = None, step: float = 0.1,
                 precision: int = 3, rankdir: str = "LR", **values):
        if isinstance(expression, Node):
            self.graph = Graph(expression)
        elif isinstance(expression, Graph):
            self.graph = expression
        else:
            self.graph = graph_from_function(expression, values)
            values = {}
        # sliders in the function's parameter order (else the graph's leaf order)
        order = (list(inspect.signature(expression).parameters)
                 if callable(expression) and not isinstance(expression, (Node, Graph))
                 else self.graph.names)
        if not self.graph.names:
            raise ValueError(tr("GraphExplorer: the graph has no named leaves to vary; make "
                                "its inputs with bl.var(value, name='x')."))
        step = check_real("GraphExplorer", "step", step)
        ranges = self._checked_ranges(ranges)
        if values:
            self.graph.forward(**values)
        self.precision = precision
        self.rankdir = rankdir
        self.controls = {name: self._control(name, ranges.get(name), step)
                         for name in order if name in self.graph.names}
        self.circuit = CircuitView()
        self.readout = widgets.HTML()
        self.status = widgets.HTML()
        self.value = None
        self.gradients: dict = {}
        self.error = None
        self._holding = False
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        controls_box = widgets.VBox(list(self.controls.values()),
                                    layout=widgets.Layout(min_width="300px"))
        super().__init__([widgets.HBox([controls_box, self.readout]), self.circuit,
                          self.status])
        self.add_class("backprop-lab-graph-explorer")
        self.update()

    # -- controls --------------------------------------------------------------------
    def _checked_ranges(self, ranges) -> dict:
        if ranges is None:
            return {}
        if not isinstance(ranges, dict):
            raise TypeError(tr("GraphExplorer: ranges must be a dict {{name: (min, max)}}, "
                               "got {kind}.", kind=type(ranges).__name__))
        unknown = sorted(set(ranges) - set(self.graph.names))
        if unknown:
            raise ValueError(tr("GraphExplorer: ranges names {unknown}, which are not inputs; "
                                "inputs are {names}.", unknown=unknown, names=self.graph.names))
        return {name: slider_bounds("GraphExplorer", name, bounds)
                for name, bounds in ranges.items()}

    def _control(self, name: str, bounds, step: float):
        value = self.graph.leaf(name).value
        continuous = len(self.graph.nodes) <= CONTINUOUS_LIMIT
        if isinstance(value, np.ndarray):
            return widgets.Text(value=_array_text(value), description=name,
                                continuous_update=False,
                                layout=widgets.Layout(width="360px"))
        low, high = bounds if bounds is not None else slider_range(value)
        if not low <= value <= high:
            raise ValueError(tr("GraphExplorer: range {bounds} for {name!r} does not hold its "
                                "value {value}.", bounds=(low, high), name=name, value=value))
        if bounds is not None and step > high - low:
            raise ValueError(tr("GraphExplorer: step {step!r} is larger than the range of "
                                "{name!r} {bounds}: the slider could not move.", step=step,
                                name=name, bounds=(low, high)))
        return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=name,
                                   continuous_update=continuous, readout_format=".2f")

    def _read(self, name: str):
        control = self.controls[name]
        if isinstance(control, widgets.FloatSlider):
            return control.value
        shape = self.graph.leaf(name).shape
        check_text_size("GraphExplorer", name, control.value, shape)
        try:
            array = np.array(ast.literal_eval(control.value), dtype=np.float64)
        except (ValueError, SyntaxError, TypeError):
            raise ValueError(tr("{name}: could not read {text!r} as numbers; write them like "
                                "{example}.", name=name, text=control.value,
                                example=_array_text(np.zeros(shape)))) from None
        if array.shape != shape:
            raise ValueError(tr("{name}: expected an array of shape {shape}, got shape "
                                "{given}.", name=name, shape=shape, given=array.shape))
        return array

    def set(self, **values) -> None:
        """Move controls by leaf name (one update at the end).

        Every value is checked before any control moves: a slider takes a finite number
        inside its range (build the explorer with ``ranges={name: (min, max)}`` for a wider
        one), a text box an array of its leaf's shape with finite numbers.  A bad value
        raises ValueError and leaves the widget as it was.
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(tr("GraphExplorer.set: no input named {unknown}; inputs are "
                                "{names}.", unknown=unknown, names=list(self.controls)))
        texts = {name: self._checked(name, value) for name, value in values.items()}
        self._holding = True
        try:
            for name, value in texts.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        self.update()

    def _checked(self, name: str, value):
        """What control ``name`` will hold for ``value``, or a ValueError saying why not."""
        control = self.controls[name]
        if isinstance(control, widgets.FloatSlider):
            return slider_value("GraphExplorer.set", name, value, control.min, control.max)
        shape = self.graph.leaf(name).shape
        given = value.shape if isinstance(value, np.ndarray) else np.shape(value)
        if given != shape:
            raise ValueError(tr("GraphExplorer.set: {name} expects an array of shape {shape}, "
                                "got shape {given}.", name=name, shape=shape, given=given))
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(tr("GraphExplorer.set: {name} expects numbers, got {value!r}.",
                                name=name, value=value)) from None
        if not np.all(np.isfinite(array)):
            raise ValueError(tr("GraphExplorer.set: {name} must hold finite numbers, got "
                                "{text}.", name=name, text=_array_text(array)))
        return _array_text(array)

    def _on_change(self, change) -> None:
        if not self._holding:
            self.update()

    # -- the one update: engine forward + backward, then draw ---------------------------
    def update(self) -> None:
        """Forward and backward through the engine with the controls' values; redraw.

        If one update takes longer than ``SLOW_UPDATE_SECONDS``, sliders stop updating
        while being dragged and update when released (slow work never runs per tick).
        The clock starts after the embedded Graphviz is compiled: in a fresh kernel the
        first update would otherwise wait for the background warm-up (~0.6 s, once per
        process) and count that wait as the graph's cost.
        """
        if not under_nbgrader():
            render.warm_up()             # returns at once when already compiled
        start = time.perf_counter()
        self._update()
        if time.perf_counter() - start > SLOW_UPDATE_SECONDS:
            for control in self.controls.values():
                control.continuous_update = False

    def _update(self) -> None:
        try:
            values = {name: self._read(name) for name in self.controls}
            self.value = self.graph.forward(**values)
            gradients = self.graph.backward()
            self.gradients = {name: gradients[name] for name in self.controls}
        except (ValueError, TypeError) as error:
            self.error = str(error)
            self.status.value = message_html(tr("Cannot evaluate here: {error}", error=error),
                                             error=True)
            return
        try:
            self.circuit.show(self.graph, rankdir=self.rankdir, precision=self.precision)
        except render.RenderLimitExceeded as error:        # the numbers below still update
            self.error = None
            self.status.value = message_html(tr("Drawing stopped: {error}", error=error),
                                             error=True)
        else:
            self.error = None
            self.status.value = ""
        output = self.graph.output.name or "f"
        rows = [(output, format_value(self.value, self.precision))]
        rows += [(f"∂{output}/∂{name}", format_value(grad, self.precision))
                 for name, grad in self.gradients.items()]
        self.readout.value = number_rows(rows) + legend()

    @property
    def svg(self) -> str:
        """The SVG text of the current drawing."""
        return self.circuit.svg


def _array_text(array: np.ndarray) -> str:
    return repr(np.round(array, 6).tolist())

