"""NumericalVsAnalytic: how good are finite differences, and which h should you pick?

    from backprop_lab.widgets import NumericalVsAnalytic
    import backprop_lab as bl
    NumericalVsAnalytic(lambda x: bl.sigmoid(x) * bl.exp(x), x=0.5)

The analytic gradient comes from the engine (forward + backward).  The numerical ones are

* one-sided  (f(x + h) − f(x)) / h,           error ≈ (h/2)·|f''|  +  ε|f|/h,
* centered   (f(x + h) − f(x − h)) / (2h),    error ≈ (h²/6)·|f'''| + ε|f|/h,

where ε ≈ 1e-16 is float64 rounding.  On a log–log plot the truncation part falls with
slope 1 (one-sided) or 2 (centered) as h shrinks, until rounding takes over and the error
grows again like 1/h: the best h is around 1e-8 for one-sided and 1e-5 for centered.
Slide h (and x) and watch the marker move along both curves.
"""
from __future__ import annotations

import inspect

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import LogLocator, NullLocator

from ..graph import Graph, Node, var
from ..i18n.messages import tr
from ..values import format_value
from .base import (FigureView, message_html, number_rows, slider_bounds, slider_value,
                   under_nbgrader)

__all__ = ["NumericalVsAnalytic", "difference_errors"]

H_LOG_RANGE = (-13, 0)                    # h from 1e-13 to 1
H_GRID = np.logspace(*H_LOG_RANGE, 66)
FLOOR = 1e-18          # a log axis cannot show an error of exactly 0
#: |f(x)| and |f'(x)| above this cannot be compared on the plot (its log axis would span
#: more than 10^300 and overflow); such an x is refused with a message.
LARGEST = 1e100


class _ScalarFunction:
    """f(x) and f'(x) of a graph with one input leaf, through the engine."""

    def __init__(self, graph: Graph, name: str, x: float):
        self.graph, self.name, self.x = graph, name, float(x)

    def value(self, x: float) -> float:
        out = self.graph.forward(**{self.name: x})
        if not isinstance(out, float):
            raise ValueError(tr("NumericalVsAnalytic: f must return a scalar, got an array of "
                                "shape {shape}.", shape=np.shape(out)))
        return out

    def gradient(self, x: float) -> float:
        fx = self.value(x)
        gradient = float(self.graph.backward()[self.name])
        if not abs(fx) <= LARGEST or not abs(gradient) <= LARGEST:
            raise OutOfPlotRange(tr(
                "NumericalVsAnalytic: at {name} = {x:.3g}, f = {fx:.3g} and f' = "
                "{gradient:.3g}; beyond ±{largest:.0e} finite differences with h from 1e-13 "
                "to 1 have nothing meaningful to show: choose an {name} where f and its "
                "gradient are smaller.", name=self.name, x=x, fx=fx, gradient=gradient,
                largest=LARGEST))
        return gradient


def difference_errors(function: _ScalarFunction, x: float, hs) -> tuple[np.ndarray, ...]:
    """(analytic, one-sided estimates, centered estimates) at ``x`` for every h in ``hs``.

    An h whose points leave the function's domain gives NaN.
    """
    analytic = function.gradient(x)
    fx = function.value(x)
    one_sided, centered = [], []
    for h in hs:
        plus, minus = _value_or_nan(function, x + h), _value_or_nan(function, x - h)
        one_sided.append((plus - fx) / h)
        centered.append((plus - minus) / (2 * h))
    function.value(x)                       # leave the graph at x
    return analytic, np.array(one_sided), np.array(centered)


def _value_or_nan(function: _ScalarFunction, x: float) -> float:
    try:
        return function.value(x)
    except ValueError:          # outside the domain (log of a negative number, ...)
        return float("nan")


class OutOfPlotRange(ValueError):
    """f or f' at x is too large to plot: refused when the widget is built."""


def _finite_x(x) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)) \
            or not np.isfinite(x):
        raise ValueError(tr("NumericalVsAnalytic: x must be a finite number, got {x!r}.", x=x))
    return float(x)


def _as_function(f, x, wrt) -> _ScalarFunction:
    if isinstance(f, (Node, Graph)):
        graph = f if isinstance(f, Graph) else Graph(f)
        names = graph.names
        if wrt is None:
            if len(names) != 1:
                raise ValueError(tr("NumericalVsAnalytic: the graph has leaves {names}; say "
                                    "which one to vary with wrt='name'.", names=names))
            wrt = names[0]
        graph.leaf(wrt)
        x = graph.leaf(wrt).value if x is None else _finite_x(x)
        return _ScalarFunction(graph, wrt, x)
    if not callable(f):
        raise TypeError(tr("NumericalVsAnalytic: expected a function of one input, a Node or "
                           "a Graph, got {kind}.", kind=type(f).__name__))
    parameters = list(inspect.signature(f).parameters)
    if len(parameters) != 1:
        raise TypeError(tr("NumericalVsAnalytic: the function must take exactly one input "
                           "(like lambda x: bl.sigmoid(x)); it takes {parameters}.",
                           parameters=parameters))
    name = parameters[0]
    x = 1.0 if x is None else _finite_x(x)
    output = f(var(x, name=name))
    if not isinstance(output, Node):
        raise TypeError(tr("NumericalVsAnalytic: the function returned {kind}, not a Node; "
                           "build it with backprop_lab operations (bl.exp, not math.exp).",
                           kind=type(output).__name__))
    return _ScalarFunction(Graph(output), name, x)


class NumericalVsAnalytic(widgets.VBox):
    """Slide h: one-sided and centered difference errors against the engine's gradient.

    ``f``: a function of one input built from backprop_lab operations, or a Node/Graph
    (``wrt`` names the leaf to vary); ``x``: the point; ``h``: the starting step.
    ``estimates`` holds the numbers of the current (x, h).
    """

    def __init__(self, f, *, x: float | None = None, h: float = 1e-5, wrt: str | None = None,
                 x_range: tuple[float, float] | None = None):
        owner = "NumericalVsAnalytic"
        h = slider_value(owner, "h", h, 10.0 ** H_LOG_RANGE[0], 10.0 ** H_LOG_RANGE[1])
        self.function = _as_function(f, x, wrt)
        x = self.function.x
        low, high = (slider_bounds(owner, "x", x_range) if x_range is not None
                     else (x - 3.0, x + 3.0))
        slider_value(owner, "x", x, low, high)
        try:
            self.function.gradient(x)     # too large: a clear error now, not a broken plot
        except OutOfPlotRange:
            raise
        except ValueError:
            pass                          # outside the domain: update_x says so below
        self.h_slider = widgets.FloatLogSlider(value=h, base=10, min=H_LOG_RANGE[0],
                                               max=H_LOG_RANGE[1], step=0.1,
                                               description="h", readout_format=".1e")
        # moving x recomputes both error curves (132 evaluations) and redraws: on release
        self.x_slider = widgets.FloatSlider(value=x, min=low, max=high, step=0.01,
                                            description=self.function.name,
                                            continuous_update=False)
        self.plot = FigureView(figsize=(6.0, 3.6))
        self.readout = widgets.HTML()
        self.estimates: dict = {}
        self.error = None
        self._setup_axes()
        self.h_slider.observe(lambda change: self.update_h(moving_only=True), names="value")
        self.x_slider.observe(lambda change: self.update_x(), names="value")
        super().__init__([widgets.HBox([self.x_slider, self.h_slider]),
                          widgets.HBox([self.plot, self.readout])])
        self.add_class("backprop-lab-numerical-vs-analytic")
        self.update_x()

    def _setup_axes(self) -> None:
        ax = self.plot.ax
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(tr("step h"))
        ax.set_ylabel(tr("|numerical − analytic|"))
        (self._one_line,) = ax.plot([], [], color="#0969da",
                                    label=tr("one-sided (f(x+h)−f(x))/h"))
        (self._centered_line,) = ax.plot([], [], color="#8250df",
                                         label=tr("centered (f(x+h)−f(x−h))/2h"))
        (self._one_dot,) = ax.plot([], [], "o", color="#0969da")
        (self._centered_dot,) = ax.plot([], [], "o", color="#8250df")
        ax.set_xlim(H_GRID[0], H_GRID[-1])
        # a few labelled decades and no minor ticks: tick labels are most of a redraw's cost
        ax.xaxis.set_major_locator(LogLocator(numticks=8))
        ax.yaxis.set_major_locator(LogLocator(numticks=7))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_minor_locator(NullLocator())
        self._h_line = ax.axvline(self.h_slider.value, color="#6e7781", linestyle=":")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="upper center", fontsize=8)
        self.plot.set_moving(self._h_line, self._one_dot, self._centered_dot)

    def update_x(self) -> None:
        """New x: recompute both error curves, then the marker."""
        try:
            self.function.gradient(self.x_slider.value)
        except ValueError as error:          # x outside the function's domain
            self.error = str(error)
            self.readout.value = message_html(tr("Cannot evaluate here: {error}", error=error),
                                              error=True)
            return
        self.error = None
        self.function.x = self.x_slider.value
        analytic, one, centered = difference_errors(self.function, self.function.x, H_GRID)
        self._analytic = analytic
        if not under_nbgrader():
            self._one_line.set_data(H_GRID, np.maximum(np.abs(one - analytic), FLOOR))
            self._centered_line.set_data(H_GRID, np.maximum(np.abs(centered - analytic), FLOOR))
            ax = self.plot.ax
            errors = np.abs(np.concatenate([one, centered]) - analytic)
            largest = max(errors[np.isfinite(errors)].max(initial=0.0), 1e-3)
            ax.set_ylim(FLOOR * 10, 10.0 ** min(np.ceil(np.log10(largest)), 150.0))
            ax.set_title(tr("x = {x:.3g}, analytic gradient {gradient}", x=self.function.x,
                            gradient=format_value(analytic, 6)), fontsize=10)
        self.update_h()

    def update_h(self, moving_only: bool = False) -> None:
        """New h: the two estimates at this h, the marker on the plot and the table.

        ``moving_only``: the curves did not change (only h did): redraw just the markers.
        """
        if self.error is not None:
            return
        h, x = self.h_slider.value, self.function.x
        analytic, (one,), (centered,) = difference_errors(self.function, x, [h])
        one, centered = float(one), float(centered)
        self.estimates = {"h": h, "analytic": analytic, "one_sided": one, "centered": centered,
                          "one_sided_error": abs(one - analytic),
                          "centered_error": abs(centered - analytic)}
        e = self.estimates
        self.readout.value = number_rows([
            ("h", f"{h:.1e}"),
            (tr("analytic (backprop)"), f"{analytic:.12g}"),
            (tr("one-sided"), f"{one:.12g}"),
            ("  " + tr("error"), f"{e['one_sided_error']:.2e}"),
            (tr("centered"), f"{centered:.12g}"),
            ("  " + tr("error"), f"{e['centered_error']:.2e}"),
        ], caption=tr("at this h"))
        if under_nbgrader():
            return
        self._h_line.set_xdata([h, h])
        self._one_dot.set_data([h], [max(e["one_sided_error"], FLOOR)])
        self._centered_dot.set_data([h], [max(e["centered_error"], FLOOR)])
        self.plot.refresh(moving_only=moving_only)
