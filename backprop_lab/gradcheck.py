"""Numerical gradient checking: trust backward only after it agrees with finite differences.

(As in 理解反向传播计算梯度, 2023, and CS231n.)

    numerical_gradient(f, x, h=1e-5)   centered differences (f(x+h) - f(x-h)) / 2h, every entry
    rel_error(a, b)                    max |a - b| / max(1e-8, |a| + |b|)
    check_gate(gate, *inputs)          a gate's backward against numerical gradients
    check_layer(layer, x)              a layer's dx and parameter gradients likewise
    check_graph(output)                every named leaf of a graph likewise

The checks return a :class:`GradCheckReport`: per input the max relative error and
whether it passes the threshold; ``print(report)`` gives a readable table and
``bool(report)`` is True when everything passed.

Rules of thumb (CS231n): in float64 with h = 1e-5, rel_error < 1e-7 means the gradient is
right; 1e-7 .. 1e-4 look closer (kinks such as ReLU at 0, or max ties, give errors here);
above 1e-4 something is usually wrong.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .graph import Graph
from .i18n.messages import tr

__all__ = ["numerical_gradient", "rel_error", "GradCheckReport", "check_gate", "check_layer",
           "check_graph", "DEFAULT_THRESHOLD"]

DEFAULT_THRESHOLD = 1e-7


def numerical_gradient(f, x, h: float = 1e-5):
    """Centered-difference gradient of a scalar function ``f`` at ``x``.

    ``x`` is a float or a float64 array; for an array each entry is nudged in place by
    ±h (walking it with ``np.nditer``) and restored afterwards, so ``f``
    may read ``x`` directly.  Returns a float for a float ``x``, else an array shaped
    like ``x``.  Cost: 2 evaluations of ``f`` per entry of ``x``.
    """
    if isinstance(x, (int, float, np.floating, np.integer)) and not isinstance(x, bool):
        x = float(x)
        return (_scalar(f(x + h), "f(x + h)") - _scalar(f(x - h), "f(x - h)")) / (2 * h)
    if not isinstance(x, np.ndarray):
        raise TypeError(tr("numerical_gradient: x must be a float or a numpy array, got {kind}.",
                           kind=type(x).__name__))
    if x.dtype != np.float64:
        raise TypeError(tr("numerical_gradient: x must have dtype float64 so that x ± h is exact "
                           "enough, got {dtype}; use x.astype(np.float64).", dtype=x.dtype))
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        idx = it.multi_index
        old = x[idx]
        try:
            x[idx] = old + h
            f_plus = _scalar(f(x), "f(x + h)")
            x[idx] = old - h
            f_minus = _scalar(f(x), "f(x - h)")
        finally:
            x[idx] = old                      # restore the entry, whatever happened
        grad[idx] = (f_plus - f_minus) / (2 * h)
        it.iternext()
    return grad


def _scalar(value, what: str) -> float:
    value = getattr(value, "value", value)       # accept a Node as well
    array = np.asarray(value, dtype=np.float64)
    if array.size != 1:
        raise ValueError(tr("numerical_gradient: f must return a scalar, but {what} has shape "
                            "{shape}; reduce it (e.g. sum of output * upstream).",
                            what=what, shape=array.shape))
    return float(array.reshape(()))


def rel_error(a, b) -> float:
    """Max relative error ``|a - b| / max(1e-8, |a| + |b|)`` over all entries."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(tr("rel_error: shapes differ, {a} vs {b}.", a=a.shape, b=b.shape))
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


@dataclass
class GradCheckReport:
    """Per checked input: max relative error between analytic and numerical gradients."""

    title: str
    threshold: float
    errors: dict = field(default_factory=dict)     # input name -> max rel_error
    analytic: dict = field(default_factory=dict)   # input name -> analytic gradient
    numeric: dict = field(default_factory=dict)    # input name -> numerical gradient

    def add(self, name: str, analytic, numeric) -> None:
        self.analytic[name] = analytic
        self.numeric[name] = numeric
        self.errors[name] = rel_error(analytic, numeric)

    @property
    def passed(self) -> bool:
        return all(err < self.threshold for err in self.errors.values())

    def __bool__(self) -> bool:
        return self.passed

    @property
    def max_error(self) -> float:
        return max(self.errors.values(), default=0.0)

    def __str__(self) -> str:
        names = {name: _shown(name) for name in self.errors}
        width = max([len(n) for n in names.values()] + [5])
        lines = [tr("gradient check: {title} (threshold {threshold:.0e})", title=self.title,
                    threshold=self.threshold),
                 f"  {tr('input'):<{width}}  {tr('max rel error')}  {tr('result')}"]
        for name, err in self.errors.items():
            verdict = tr("pass") if err < self.threshold else tr("FAIL")
            lines.append(f"  {names[name]:<{width}}  {err:13.2e}  {verdict}")
        lines.append("  " + (tr("all passed") if self.passed else tr("some gradients are wrong")))
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle):  # IPython shows the table
        printer.text(str(self))


def _shown(name: str) -> str:
    """A row's name as the table shows it: ``input 0`` (the key :func:`check_gate` files a
    gate's input under) in the notebook's language; parameter and leaf names as they are."""
    kind, _, number = name.partition(" ")
    if kind == "input" and number.isdigit():
        return tr("input {i}", i=number)
    if kind == "leaf" and number.isdigit():
        return tr("leaf {i}", i=number)
    return name


def _upstream_like(value, rng):
    return float(rng.standard_normal()) if np.ndim(value) == 0 else rng.standard_normal(np.shape(value))


def check_gate(gate, *inputs, upstream=None, h: float = 1e-5, threshold: float = DEFAULT_THRESHOLD,
               seed: int = 0) -> GradCheckReport:
    """Check ``gate.backward`` against numerical gradients at ``inputs``.

    Uses the scalar loss L = sum(gate.forward(*inputs) * upstream) with a random upstream,
    so that backward(upstream) must equal dL/d(input) for every input.
    """
    rng = np.random.default_rng(seed)
    inputs = [np.array(v, dtype=np.float64) if np.ndim(v) else float(v) for v in inputs]
    out = gate.forward(*inputs)
    if upstream is None:
        upstream = _upstream_like(out, rng)
    analytic = gate.backward(upstream)
    if not isinstance(analytic, (tuple, list)) or len(analytic) != len(inputs):
        raise ValueError(tr("check_gate: {gate}.backward must return one gradient per input ({n}),"
                            " as a tuple; got {kind}.",
                            gate=type(gate).__name__, n=len(inputs), kind=type(analytic).__name__))
    report = GradCheckReport(f"{type(gate).__name__}", threshold)
    for i, x in enumerate(inputs):
        def loss(xi, i=i):
            args = list(inputs)
            args[i] = xi
            return float(np.sum(gate.forward(*args) * upstream))
        report.add(f"input {i}", analytic[i], numerical_gradient(loss, x, h))
    gate.forward(*inputs)          # leave the gate's cache at the checked point
    return report


def check_layer(layer, x, *, upstream=None, h: float = 1e-5, threshold: float = DEFAULT_THRESHOLD,
                seed: int = 0) -> GradCheckReport:
    """Check a layer's ``backward``: dx and every parameter gradient (``layer.params``).

    The layer needs ``forward(x)``, ``backward(dout) -> dx``, and for parameters a dict
    ``layer.params`` {name: array} whose gradients ``backward`` stores as ``layer.d<name>``.
    """
    rng = np.random.default_rng(seed)
    x = np.array(x, dtype=np.float64)
    out = layer.forward(x)
    if upstream is None:
        upstream = _upstream_like(out, rng)
    dx = layer.backward(upstream)
    report = GradCheckReport(type(layer).__name__, threshold)
    analytic = {"x": dx}
    params = dict(getattr(layer, "params", {}) or {})
    for name in params:
        grad = getattr(layer, "d" + name, None)
        if grad is None:
            raise ValueError(tr("check_layer: {layer}.backward did not store the gradient of "
                                "parameter {name!r}; set self.d{name} in backward.",
                                layer=type(layer).__name__, name=name))
        analytic[name] = np.array(grad, dtype=np.float64, copy=True)

    def loss(_):
        return float(np.sum(layer.forward(x) * upstream))

    report.add("x", analytic["x"], numerical_gradient(loss, x, h))
    for name, value in params.items():
        report.add(name, analytic[name], numerical_gradient(loss, value, h))
    layer.forward(x)
    layer.backward(upstream)       # leave the layer as the check found it (grads included)
    return report


def check_graph(output, *, h: float = 1e-5, threshold: float = DEFAULT_THRESHOLD
                ) -> GradCheckReport:
    """Check every variable leaf of the graph ending at ``output`` (a Node)."""
    graph = Graph(output)
    rng = np.random.default_rng(0)
    upstream = _upstream_like(output.value, rng) if np.ndim(output.value) else 1.0
    graph.backward(seed=upstream)
    report = GradCheckReport("graph", threshold)
    analytic = [(leaf, leaf.grad) for leaf in graph.leaves]
    for i, (leaf, grad) in enumerate(analytic):
        def loss(value, leaf=leaf):
            saved = leaf.value
            leaf.value = value
            try:
                graph.forward()
                return float(np.sum(np.asarray(output.value) * upstream))
            finally:
                leaf.value = saved
        start = leaf.value if isinstance(leaf.value, float) else leaf.value.copy()
        report.add(leaf.name or f"leaf {i}", grad, numerical_gradient(loss, start, h))
    graph.forward()
    graph.backward(seed=upstream)
    return report
