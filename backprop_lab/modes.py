"""Forward mode (dual numbers) next to reverse mode (the graph engine), and what each costs.

Both modes apply the same chain rule to the same local derivatives — the gates' — in
opposite directions (the supplement of 反向传播算法, the Chinese translation of Karpathy's
CS231n notes "Backpropagation, Intuitions", after colah's "Calculus on Computational
Graphs"):

* **forward mode** pushes d(node)/d(x) for *one input x* from the inputs to the output,
  alongside the values.  A :class:`Dual` number ``a + a'ε`` (with ε² = 0) carries a
  value and its tangent; every operation computes its output value and
  ``tangent_out = Σ_i local_i · tangent_i``.  One pass gives the derivative with respect
  to the one input whose tangent was seeded with 1: f: Rⁿ → R needs **n passes**.
* **reverse mode** (backpropagation, ``Node.backward``) pulls d(output)/d(node) for
  *one output* from the output back to every input: ``grad_i += upstream · local_i``.
  One backward pass gives the derivative with respect to every input: **one pass**.

The example of the supplement, e = (a + b)·(b + 1) at a = 2, b = 1::

    colah_example().describe()      # forward mode: 2 passes, reverse mode: 1

Functions here (``sin``, ``cos``, ``exp``, ``log``, ``tanh``, ``sigmoid``, ``relu``,
``sqrt``) accept a Dual, a graph Node or a plain number or array, so one Python function
``f`` can run in either mode.  They handle the Dual themselves and hand everything else to
the graph's functions (``bl.exp`` and so on)::

    def f(xs):                                  # f: Rⁿ → R
        return sum(sin(x) * x for x in xs)
    gradient_forward(f, [1.0, 2.0])             # (gradient, passes=2)
    gradient_reverse(f, [1.0, 2.0])             # (gradient, passes=1)
    measure_costs(f, ns=[1, 10, 100])           # rows of passes and seconds per mode
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from . import gates as G
from .i18n.messages import tr
from . import graph
from .graph import Graph, Node, var
from .values import check_int, is_number

__all__ = ["Dual", "sin", "cos", "exp", "log", "tanh", "sigmoid", "relu", "sqrt",
           "derivative", "gradient_forward", "gradient_reverse", "ModeCost", "measure_costs",
           "costs_as_arrays", "plot_costs", "sum_of_products", "ModesExample", "colah_example"]


# ------------------------------------------------------------------ dual numbers
def _number(value, what: str) -> float:
    if not is_number(value):
        raise TypeError(tr("Dual: {what} must be a real number, got {kind} {value!r}.",
                           what=what, kind=type(value).__name__, value=value))
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(tr("Dual: {what} must be finite, got {value}.", what=what, value=value))
    return value


def _push(gate, *operands) -> "Dual":
    """Forward mode through one gate: value = gate.forward(values),
    tangent = Σ_i local_gradient_i · tangent_i (a Jacobian-vector product)."""
    duals = [x if isinstance(x, Dual) else Dual(_operand(x, gate.name), 0.0) for x in operands]
    value = gate.forward(*[d.value for d in duals])
    if not math.isfinite(value):
        shown = ", ".join(f"{d.value:g}" for d in duals)
        raise ValueError(tr("{gate} produced a non-finite value ({value}) from inputs ({shown}); "
                            "the result overflows float64.",
                            gate=gate.name, value=value, shown=shown))
    locals_ = gate.local_gradients()
    tangent = 0.0
    for local, d in zip(locals_, duals):
        if d.tangent != 0.0:
            tangent += local * d.tangent
    return Dual(value, tangent)


def _operand(x, gate_name: str) -> float:
    if isinstance(x, Node):
        raise TypeError(tr("{gate}: cannot mix a Dual (forward mode) with a graph Node (reverse "
                           "mode) in one expression.", gate=gate_name))
    if not is_number(x):
        raise TypeError(tr("{gate}: expected a Dual or a number, got {kind}.",
                           gate=gate_name, kind=type(x).__name__))
    return float(x)


class Dual:
    """A dual number ``value + tangent·ε`` with ε² = 0.

    (a + a'ε)(b + b'ε) = ab + (a'b + ab')ε: the ε part of any expression is its
    derivative.  Seed the input you differentiate by with tangent 1 (``Dual(x, 1.0)``),
    every other input with tangent 0; the result's ``tangent`` is d(result)/d(input).
    Every operation runs a gate forward and multiplies the gate's local gradients by
    the incoming tangents.
    """

    __slots__ = ("value", "tangent")

    def __init__(self, value, tangent=0.0):
        self.value = _number(value, "value")
        self.tangent = _number(tangent, "tangent")

    def __repr__(self) -> str:
        return f"Dual({self.value:g}, tangent={self.tangent:g})"

    def __eq__(self, other):
        if isinstance(other, Dual):
            return self.value == other.value and self.tangent == other.tangent
        return NotImplemented

    __hash__ = None

    def __add__(self, other):
        if is_number(other):
            return _push(G.AddConstGate(other), self)
        return _push(G.AddGate(), self, other)

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        if is_number(other):
            return _push(G.AddConstGate(-other), self)
        return _push(G.SubtractGate(), self, other)

    def __rsub__(self, other):
        return _push(G.AddConstGate(_operand(other, "SubtractGate")), -self)

    def __mul__(self, other):
        if is_number(other):
            return _push(G.ScaleGate(other), self)
        return _push(G.MultiplyGate(), self, other)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        if is_number(other):
            if other == 0:
                raise ValueError(tr("Dual: division by zero ({dual!r} / 0).", dual=self))
            return _push(G.ScaleGate(1.0 / other), self)
        return self * _push(G.ReciprocalGate(), other)

    def __rtruediv__(self, other):
        return _push(G.ReciprocalGate(), self) * other

    def __neg__(self):
        return _push(G.ScaleGate(-1.0), self)

    def __pos__(self):
        return self

    def __pow__(self, p):
        if isinstance(p, Dual):                  # x^y = exp(y · log x)
            return exp(p * log(self))
        return _push(G.PowerGate(_operand(p, "PowerGate")), self)

    def __rpow__(self, base):                    # c^x = exp(x · ln c), c > 0
        base = _operand(base, "PowerGate")
        if base <= 0:
            raise ValueError(tr("Dual: c ** x needs a positive base c, got {base:g}.", base=base))
        return exp(self * math.log(base))


# ---------------------------------------------- functions for Dual, Node or number
def _with_duals(gate_class, graph_function):
    """``graph_function`` (``bl.exp`` and friends: a Node gives a Node, a number or an
    array gives the value) extended to Dual numbers, which go forward through a
    ``gate_class`` gate.  Only the Dual case is decided here: Nodes, numbers, arrays and
    bad input all go to the graph's function, so both behave (and fail) the same way."""
    def function(x):
        if isinstance(x, Dual):
            return _push(gate_class(), x)
        return graph_function(x)
    name = graph_function.__name__
    function.__name__ = function.__qualname__ = name
    function.__wrapped__ = graph_function
    function.__doc__ = (f"{name}(x) for a Dual (forward mode, through a {gate_class.__name__}); "
                        f"a Node (reverse mode) or a number/array goes to the graph's "
                        f"{name}.\n\n{gate_class.__doc__}")
    return function


sin = _with_duals(G.SinGate, graph.sin)
cos = _with_duals(G.CosGate, graph.cos)
exp = _with_duals(G.ExpGate, graph.exp)
log = _with_duals(G.LogGate, graph.log)
tanh = _with_duals(G.TanhGate, graph.tanh)
sigmoid = _with_duals(G.SigmoidGate, graph.sigmoid)
relu = _with_duals(G.ReLUGate, graph.relu)


def sqrt(x):
    """sqrt(x) = x ** 0.5 (a PowerGate) for a Dual, a Node (x > 0) or a number (x ≥ 0)."""
    if isinstance(x, (Dual, Node)):
        return x ** 0.5
    if np.any(np.asarray(x) < 0):
        raise ValueError(tr("sqrt(): needs x >= 0, got {x!r}.", x=x))
    return np.sqrt(x) if isinstance(x, np.ndarray) else math.sqrt(x)


# ------------------------------------------------------------- the two gradients
def _inputs(xs, what: str) -> list[float]:
    values = np.asarray(xs, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(tr("{what}: xs must be a non-empty 1-D sequence of numbers (the n inputs "
                            "of f: Rⁿ → R); got shape {shape}.", what=what, shape=values.shape))
    return [float(v) for v in values]


def _depends_on_inputs(out, what: str, kind) -> bool:
    """True when f returned a ``kind`` (Dual or Node); False for a plain number (a constant
    f, whose gradient is 0); a clear error for anything else."""
    if isinstance(out, kind):
        return True
    if is_number(out):
        return False
    raise TypeError(tr("{what}: f must return one number built from its inputs (f: Rⁿ → R); got "
                       "{kind}.", what=what, kind=type(out).__name__))


def derivative(f, x: float) -> tuple[float, float]:
    """f(x) and f'(x) for f: R → R in one forward-mode pass: ``(value, derivative)``."""
    out = f(Dual(x, 1.0))
    if not _depends_on_inputs(out, "derivative", Dual):
        return float(out), 0.0
    return out.value, out.tangent


def gradient_forward(f, xs) -> tuple[np.ndarray, int]:
    """∇f at xs by forward mode: one pass per input, seeding that input's tangent with 1.

    ``f`` takes a list of n inputs and returns one number.  Returns ``(gradient, passes)``
    with passes = n.
    """
    values = _inputs(xs, "gradient_forward")
    n = len(values)
    grad = np.zeros(n)
    for i in range(n):
        duals = [Dual(v, 1.0 if j == i else 0.0) for j, v in enumerate(values)]
        out = f(duals)
        if _depends_on_inputs(out, "gradient_forward", Dual):
            grad[i] = out.tangent
    return grad, n


def gradient_reverse(f, xs) -> tuple[np.ndarray, int]:
    """∇f at xs by reverse mode: one forward pass building the graph, one backward pass.

    Returns ``(gradient, passes)`` with passes = 1 (backward passes, whatever n is).
    """
    values = _inputs(xs, "gradient_reverse")
    leaves = [var(v, name=f"x{i}") for i, v in enumerate(values)]
    out = f(leaves)
    if not _depends_on_inputs(out, "gradient_reverse", Node):
        return np.zeros(len(values)), 1
    out.backward()
    return np.array([0.0 if leaf.grad is None else float(leaf.grad) for leaf in leaves]), 1


# ---------------------------------------------------------------- measuring costs
def sum_of_products(xs):
    """The default f: Rⁿ → R for cost measurements: Σ_i sin(x_i)·x_(i+1 mod n) + tanh(x_i).

    5n gates (sin, ×, +, tanh, + per input), every input used three times (fan-out),
    smooth everywhere.
    """
    n = len(xs)
    total = 0.0
    for i in range(n):
        total = total + sin(xs[i]) * xs[(i + 1) % n] + tanh(xs[i])
    return total


@dataclass
class ModeCost:
    """Cost of the gradient of f: Rⁿ → R in each mode, for one n.

    ``*_passes``: sweeps over the whole computation that each mode needs to get all n
    partial derivatives (forward: n; reverse: 1 backward, after 1 forward to build the
    graph); ``gates``: gates in one evaluation of f; ``*_gate_evaluations``: gate
    forward/backward calls in total; ``*_seconds``: best time over the repeats.
    """

    n: int
    gates: int
    forward_passes: int
    reverse_passes: int
    forward_gate_evaluations: int
    reverse_gate_evaluations: int
    forward_seconds: float
    reverse_seconds: float
    max_difference: float = field(default=0.0)

    @property
    def speedup(self) -> float:
        """How many times faster reverse mode was than forward mode."""
        return self.forward_seconds / self.reverse_seconds


def _best_time(function, repeats: int, clock) -> float:
    best = math.inf
    for _ in range(repeats):
        start = clock()
        function()
        best = min(best, clock() - start)
    return best


def measure_costs(f=sum_of_products, ns=(1, 2, 4, 8, 16, 32, 64), repeats: int = 3,
                  seed: int = 0, clock=time.perf_counter) -> list[ModeCost]:
    """For each n in ``ns``: the passes, gate evaluations and wall time each mode needs for
    the full gradient of ``f`` at a random point of Rⁿ.  Also checks the two gradients agree
    (``max_difference``).  Forward mode grows like n × (cost of f), reverse mode like a
    constant × (cost of f): plot ``costs_as_arrays(rows)`` or call :func:`plot_costs`.

    Times are the best of ``repeats`` runs on ``clock`` (wall time by default; pass
    ``time.process_time`` for CPU time, which other programs on a busy machine do not
    inflate).
    """
    ns = list(ns)
    if not ns:
        raise ValueError(tr("measure_costs: ns must list positive input counts, got an empty list."))
    ns = [check_int("measure_costs", "every n in ns", n) for n in ns]
    repeats = check_int("measure_costs", "repeats", repeats)
    rng = np.random.default_rng(seed)
    rows = []
    for n in ns:
        xs = rng.uniform(-1.0, 1.0, n)
        g_forward, forward_passes = gradient_forward(f, xs)
        g_reverse, reverse_passes = gradient_reverse(f, xs)
        out = f([var(v) for v in xs])
        gates = sum(1 for node in Graph(out).nodes if node.gate is not None) if isinstance(
            out, Node) else 0
        rows.append(ModeCost(
            n=n, gates=gates, forward_passes=forward_passes, reverse_passes=reverse_passes,
            forward_gate_evaluations=forward_passes * gates,
            reverse_gate_evaluations=2 * gates,          # one forward + one backward per gate
            forward_seconds=_best_time(lambda: gradient_forward(f, xs), repeats, clock),
            reverse_seconds=_best_time(lambda: gradient_reverse(f, xs), repeats, clock),
            max_difference=float(np.max(np.abs(g_forward - g_reverse)))))
    return rows


def costs_as_arrays(rows: list[ModeCost]) -> dict[str, np.ndarray]:
    """The rows of :func:`measure_costs` as ``{column: array}``, ready for plotting."""
    names = ["n", "gates", "forward_passes", "reverse_passes", "forward_gate_evaluations",
             "reverse_gate_evaluations", "forward_seconds", "reverse_seconds", "max_difference"]
    table = {name: np.array([getattr(row, name) for row in rows]) for name in names}
    table["speedup"] = np.array([row.speedup for row in rows])
    return table


def plot_costs(rows: list[ModeCost], ax=None):
    """Passes and seconds per mode against n (log-log); returns the matplotlib Axes pair."""
    import matplotlib.pyplot as plt

    table = costs_as_arrays(rows)
    if ax is None:
        _, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    left, right = ax
    names = {"forward": tr("forward mode"), "reverse": tr("reverse mode")}
    for mode, colour in (("forward", "tab:blue"), ("reverse", "tab:red")):
        left.plot(table["n"], table[f"{mode}_passes"], "o-", color=colour, label=names[mode])
        right.plot(table["n"], table[f"{mode}_seconds"] * 1e3, "o-", color=colour,
                   label=names[mode])
    left.set(xscale="log", yscale="log", xlabel=tr("n (inputs of f)"), ylabel=tr("passes"),
             title=tr("passes for the whole gradient"))
    right.set(xscale="log", yscale="log", xlabel=tr("n (inputs of f)"),
              ylabel=tr("milliseconds"), title=tr("wall time for the whole gradient"))
    left.legend()
    right.legend()
    return left, right


# ------------------------------------------------- the supplement's example, both ways
@dataclass
class ModesExample:
    """e = (a + b)·(b + 1) with c = a + b, d = b + 1, e = c·d, differentiated both ways.

    ``forward_passes``: one dict per seeded input, {node: d(node)/d(input)} for every node
    (forward mode tracks how *one input* affects *every node*); ``reverse``:
    {node: de/d(node)} for every node from one backward pass (reverse mode tracks how
    *every node* affects *one output*).
    """

    a: float
    b: float
    values: dict
    forward_passes: dict
    reverse: dict

    @property
    def gradient_forward(self) -> dict:
        return {name: tangents["e"] for name, tangents in self.forward_passes.items()}

    @property
    def gradient_reverse(self) -> dict:
        return {name: self.reverse[name] for name in ("a", "b")}

    def describe(self) -> str:
        v = self.values
        lines = [tr("e = (a + b)·(b + 1) at a = {a:g}, b = {b:g}: c = a + b = {c:g}, "
                    "d = b + 1 = {d:g}, e = c·d = {e:g}", a=self.a, b=self.b, c=v["c"],
                    d=v["d"], e=v["e"]),
                 tr("forward mode: {passes} passes, one per input",
                    passes=len(self.forward_passes))]
        for name, t in self.forward_passes.items():
            lines.append("  " + tr("start ∂{name}/∂{name} = 1: ∂c/∂{name} = {c:g}, "
                                   "∂d/∂{name} = {d:g}, ∂e/∂{name} = {e:g}", name=name,
                                   c=t["c"], d=t["d"], e=t["e"]))
        r = self.reverse
        lines += [tr("reverse mode: 1 pass for both inputs"),
                  "  " + tr("start ∂e/∂e = 1: ∂e/∂c = {c:g}, ∂e/∂d = {d:g}, ∂e/∂a = {a:g}, "
                            "∂e/∂b = {b:g}", c=r["c"], d=r["d"], a=r["a"], b=r["b"])]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()


def colah_example(a: float = 2.0, b: float = 1.0) -> ModesExample:
    """The supplement's example: e = (a + b)·(b + 1), at a = 2, b = 1 by default
    (c = 3, d = 2, e = 6; ∂e/∂a = d = 2, ∂e/∂b = d + c = 5)."""
    def circuit(a, b):
        c = a + b
        d = b + 1
        return c, d, c * d

    forward_passes = {}
    for name in ("a", "b"):
        c, d, e = circuit(Dual(a, float(name == "a")), Dual(b, float(name == "b")))
        forward_passes[name] = {"a": float(name == "a"), "b": float(name == "b"),
                                "c": c.tangent, "d": d.tangent, "e": e.tangent}
    na, nb = var(a, name="a"), var(b, name="b")
    c, d, e = circuit(na, nb)
    e.backward()
    values = {"a": na.value, "b": nb.value, "c": c.value, "d": d.value, "e": e.value}
    reverse = {"e": e.grad, "c": c.grad, "d": d.grad, "a": na.grad, "b": nb.grad}
    return ModesExample(float(a), float(b), values, forward_passes, reverse)
