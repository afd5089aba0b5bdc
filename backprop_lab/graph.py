"""The computational graph: Nodes built by operators, and the one backward algorithm.

    x, y, z = var(-2.0, name="x"), var(5.0, name="y"), var(-4.0, name="z")
    f = (x + y) * z        # every operator runs a gate forward and returns a new Node
    f.backward()           # reverse topological order: upstream x local, summed at fan-out
    x.grad, y.grad, z.grad # (-4.0, -4.0, 3.0)

A :class:`Node` holds a value (float or float64 array), the gate that produced it and
its input nodes.  Leaves (made by :func:`var`) have no gate.  Numbers mixed with nodes
become constant gates (``x + 1`` is an ``AddConstGate(1)``, ``3 * x`` a ``ScaleGate(3)``),
arrays mixed with nodes become constant leaves (``is_constant``, never reported as
gradients).

:func:`backpropagate` is the backward algorithm, and the only place gradients are
propagated (read it first: it is short):

1. order the nodes topologically (inputs before outputs, :func:`topological_order`) with
   an explicit stack, so a chain of 100,000 nodes needs no recursion;
2. reset every ``.grad`` to ``None`` and start the output with dL/dL = 1;
3. walk the nodes from the output backwards; each gate turns its upstream gradient into
   one gradient per input (``gate.backward``), and an input used by several gates gets
   the *sum* of what they send (the ``+=`` of the multivariable chain rule).

Each gate node records what it sent back to each of its inputs in ``node.sent`` (the
share that flows along each wire), so drawings and drills read the gradients of the
last backward instead of computing them again.  Because of step 2, calling
``backward()`` twice gives the same gradients twice (it does not accumulate across
calls the way PyTorch's ``.grad`` does).
"""
from __future__ import annotations

import gc
import math
import sys
from dataclasses import dataclass
from math import isfinite
from typing import Iterator

import numpy as np

from . import gates as G
from .i18n.messages import tr
from .gates import BUILT_IN, is_scalar
from .values import all_finite, as_value, format_value, is_number, shape_of

__all__ = ["Node", "Graph", "BackwardStep", "var", "constant", "apply", "topological_order",
           "backpropagate", "RollBack", "sigmoid", "tanh", "relu", "exp", "log", "sin", "cos", "maximum"]


def _text(value) -> str:
    """A value in messages and explanations: 4 significant digits, plain minus sign."""
    return format_value(value, 4, minus="-")


# ----------------------------------------------------------------------- nodes
class Node:
    """A value in the graph: a leaf (``gate is None``) or the output of a gate.

    Attributes: ``value`` (float or float64 array), ``grad`` (dL/dvalue after backward,
    else ``None``), ``gate``, ``inputs`` (tuple of Nodes), ``sent`` (after backward: the
    gradients the gate sent back, one per input — what flows along each input wire),
    ``name`` (optional label), ``is_constant`` (a constant leaf: its gradient is computed
    but not reported).
    """

    __slots__ = ("value", "grad", "gate", "inputs", "sent", "name", "is_constant",
                 "__weakref__")
    __array_ufunc__ = None  # numpy defers: array * node calls Node.__rmul__

    def __init__(self, value, gate=None, inputs=(), name=None, is_constant=False):
        self.value = value
        self.grad = None
        self.gate = gate
        self.inputs = inputs
        self.sent = None
        self.name = name
        self.is_constant = is_constant

    # -- description -----------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return shape_of(self.value)

    @property
    def is_leaf(self) -> bool:
        return self.gate is None

    def named(self, name: str) -> "Node":
        """Give this node a label (shown by the renderer); returns the node itself."""
        self.name = name
        return self

    def __repr__(self) -> str:
        what = "leaf" if self.gate is None else self.gate.name
        label = f" {self.name!r}" if self.name else ""
        grad = "" if self.grad is None else f", grad={_text(self.grad)}"
        return f"Node{label}({what}, value={_text(self.value)}{grad})"

    def __bool__(self):
        raise TypeError(tr("A Node has no truth value; compare node.value instead."))

    # -- operators: each one applies a gate -----------------------------------------
    def __add__(self, other):
        if type(other) is not Node and is_number(other):
            return apply(G.AddConstGate(other), self)
        return apply(G.AddGate(), self, other)

    def __radd__(self, other):
        if type(other) is not Node and is_number(other):
            return apply(G.AddConstGate(other), self)
        return apply(G.AddGate(), other, self)

    def __sub__(self, other):
        if type(other) is not Node and is_number(other):
            return apply(G.AddConstGate(-other), self)
        return apply(G.SubtractGate(), self, other)

    def __rsub__(self, other):
        if type(other) is not Node and is_number(other):   # c - x = c + (-1)·x
            return apply(G.AddConstGate(other), -self)
        return apply(G.SubtractGate(), other, self)

    def __mul__(self, other):
        if type(other) is not Node and is_number(other):
            return apply(G.ScaleGate(other), self)
        return apply(G.MultiplyGate(), self, other)

    def __rmul__(self, other):
        if type(other) is not Node and is_number(other):
            return apply(G.ScaleGate(other), self)
        return apply(G.MultiplyGate(), other, self)

    def __truediv__(self, other):
        if type(other) is not Node and is_number(other):
            if other == 0:
                raise ValueError(tr("division by zero: {node!r} / 0", node=self))
            return apply(G.ScaleGate(1.0 / other), self)
        return self * apply(G.ReciprocalGate(), other)   # x / y = x · (1/y)

    def __rtruediv__(self, other):
        inverse = apply(G.ReciprocalGate(), self)
        if type(other) is not Node and is_number(other):
            return inverse if other == 1 else apply(G.ScaleGate(other), inverse)
        return apply(G.MultiplyGate(), other, inverse)

    def __pow__(self, p):
        if not is_number(p):
            raise TypeError(tr("x ** p needs a number p (got {kind}); for a variable exponent "
                               "write bl.exp(p * bl.log(x)).", kind=type(p).__name__))
        return apply(G.PowerGate(p), self)

    def __rpow__(self, base):
        raise TypeError(tr("c ** node is not supported; write bl.exp(node * math.log(c))."))

    def __neg__(self):
        return apply(G.ScaleGate(-1.0), self)

    def __matmul__(self, other):
        return apply(G.MatMulGate(), self, other)

    def __rmatmul__(self, other):
        return apply(G.MatMulGate(), other, self)

    def sum(self, axis=None, keepdims=False, **numpy_arguments):
        """Sum of all elements (or along ``axis``): a SumGate.  ``np.sum(node)`` works too."""
        _numpy_reduction("sum", numpy_arguments)
        return apply(G.SumGate(axis, keepdims), self)

    def mean(self, axis=None, keepdims=False, **numpy_arguments):
        """Mean = sum / count: a SumGate followed by a ScaleGate(1/count).  ``np.mean(node)``
        works too."""
        _numpy_reduction("mean", numpy_arguments)
        total = self.sum(axis, keepdims)          # the SumGate checks the axes
        count = int(np.size(self.value)) // max(1, int(np.size(total.value)))
        if count == 0:
            raise ValueError(tr("mean() of an empty array (shape {shape}) is undefined.",
                                shape=self.shape))
        return total * (1.0 / count)

    @property
    def T(self):
        return apply(G.TransposeGate(), self)

    # -- backward -----------------------------------------------------------------
    def backward(self, seed=None) -> None:
        """Fill ``.grad`` of every node this one depends on with d(self)/d(node).

        ``seed`` is d(loss)/d(self); it defaults to 1.0 for a scalar node.  A node
        holding an array needs an explicit seed of the same shape.
        """
        backpropagate(topological_order(self), seed)


def _numpy_reduction(name: str, arguments: dict) -> None:
    """``np.sum(node)`` calls ``node.sum(axis=None, dtype=None, out=None)``: accept what
    changes nothing, refuse the rest clearly (the engine always makes a new float64 Node)."""
    for key, value in arguments.items():
        if key == "out" and value is None:
            continue
        if key == "dtype" and (value is None or np.dtype(value) == np.float64):
            continue
        shown = (tr("an array of shape {shape}", shape=value.shape)
                 if isinstance(value, np.ndarray) else repr(value))
        raise TypeError(tr("Node.{name}(): {key}={shown} is not supported; the engine computes in "
                           "float64 and returns a new Node (use node.{name}(axis=..., "
                           "keepdims=...)).", name=name, key=key, shown=shown))


def var(value, name: str | None = None) -> Node:
    """A leaf of the graph: an input or a parameter whose gradient you want.

    ``value`` is a number or an array-like of real numbers (stored as float64).
    """
    if name is not None and not isinstance(name, str):
        raise TypeError(tr("var(): name must be a string, got {kind}.", kind=type(name).__name__))
    return Node(as_value(value, f"var({name!r})" if name else "var()"), name=name)


def constant(value, name: str | None = None) -> Node:
    """A constant leaf: takes part in forward, its gradient is not reported."""
    return Node(as_value(value, "constant()"), name=name, is_constant=True)


def apply(gate, *operands) -> Node:
    """Run ``gate.forward`` on the operands' values and return the output Node.

    Operands that are not Nodes (numbers, arrays) become constant leaves.
    """
    inputs = operands
    for operand in operands:
        if not isinstance(operand, Node):
            inputs = tuple(_as_node(o, gate) for o in operands)
            break
    return Node(forward_value(gate, inputs), gate, inputs)


def _as_node(operand, gate) -> Node:
    if isinstance(operand, Node):
        return operand
    return Node(as_value(operand, gate.name), is_constant=True)


def forward_value(gate, inputs) -> float | np.ndarray:
    """``gate.forward`` on the input nodes' values, checked: a finite float or array."""
    if len(inputs) == 2:              # spelled out for the common cases: the scalar engine
        value = gate.forward(inputs[0].value, inputs[1].value)      # runs this per number
    elif len(inputs) == 1:
        value = gate.forward(inputs[0].value)
    else:
        value = gate.forward(*[node.value for node in inputs])
    if type(value) is float and isfinite(value):    # is_scalar(value), written out
        return value
    if not isinstance(value, np.ndarray):
        if not is_number(value):
            raise TypeError(tr("{gate}.forward returned {kind}; a gate must return a float or "
                               "a numpy array.", gate=gate.name, kind=type(value).__name__))
        value = float(value)          # e.g. np.exp(1.0) in a student's gate: a numpy scalar
    if not all_finite(value):
        shown = ", ".join(_text(node.value) for node in inputs)
        raise ValueError(tr("{gate} produced a non-finite value (inf or NaN) from inputs "
                            "({shown}); the result overflows float64.", gate=gate.name,
                            shown=shown))
    return value


# -------------------------------------------------------------- functions on nodes
def _on_nodes(gate_class, name: str):
    """``name(x)``: a ``gate_class`` gate applied to a Node (gives a Node), or to a number or
    array (gives the value)."""
    def function(x):
        if isinstance(x, Node):
            return apply(gate_class(), x)
        return gate_class().forward(as_value(x, f"{name}()"))
    function.__name__ = function.__qualname__ = name
    function.__doc__ = (f"{name}(x): applies a {gate_class.__name__} to a Node (returns a "
                        f"Node) or to a number/array (returns the value).\n\n"
                        + (gate_class.__doc__ or ""))
    return function


sigmoid = _on_nodes(G.SigmoidGate, "sigmoid")
tanh = _on_nodes(G.TanhGate, "tanh")
relu = _on_nodes(G.ReLUGate, "relu")
exp = _on_nodes(G.ExpGate, "exp")
log = _on_nodes(G.LogGate, "log")
sin = _on_nodes(G.SinGate, "sin")
cos = _on_nodes(G.CosGate, "cos")


def maximum(x, y):
    """Elementwise max(x, y) through a MaxGate: the gradient is routed to the larger input."""
    if isinstance(x, Node) or isinstance(y, Node):
        return apply(G.MaxGate(), x, y)
    return G.MaxGate().forward(as_value(x, "maximum()"), as_value(y, "maximum()"))


# ------------------------------------------------------------ the backward algorithm
def topological_order(output: Node) -> list[Node]:
    """Every node ``output`` depends on, inputs before the nodes that use them.

    Depth-first search with an explicit stack (no recursion): a node is put back on the
    stack above its unvisited inputs, marked; when it comes off again, all of its inputs
    are in ``order``, and it follows them.
    """
    order: list[Node] = []
    visited: set[Node] = set()
    stack = [(output, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            for child in reversed(node.inputs):       # the first input comes off first
                if child not in visited:
                    stack.append((child, False))
    return order


def backpropagate(order: list[Node], seed=None, on_step=None) -> None:
    """The backward algorithm on ``order`` (the nodes in topological order, output last);
    ``on_step(node)``, if given, runs after each gate's step.  A failed step puts back what
    every node held (:class:`RollBack`); the cyclic GC waits (:class:`PausedCollector`)."""
    with RollBack(order), PausedCollector():
        for node in order:
            node.grad = None
        output = order[-1]
        output.grad = start_gradient(output, seed)      # dL/dL = 1
        for node in reversed(order):                    # a node's users all come first
            if node.gate is None:
                continue                                # a leaf: nothing further back
            sent = node.gate.backward(node.grad)        # upstream × local, one per input
            if type(node.grad) is not float or type(node.gate) not in BUILT_IN:
                sent = checked_gradients(node, sent, order)   # built-in, numbers: at the end
            node.sent = sent
            for child, grad in zip(node.inputs, sent):
                if child.grad is None:
                    child.grad = grad
                else:                                   # fan-out: the branches add up
                    child.grad = child.grad + grad
            if on_step is not None:
                on_step(node)
        check_totals(order)                             # every gradient finite


class RollBack:
    """``with RollBack(nodes):`` -- if the block raises (a gate's backward failed, a gradient
    was NaN or inf, the user interrupted), every node gets back the ``grad`` and ``sent``
    it held before, so no half-finished backward is left looking valid: the same rule as a
    failed ``Graph.forward``.  The error itself goes on."""

    __slots__ = ("nodes", "grads", "sent")

    def __init__(self, nodes: list[Node]):
        self.nodes = nodes
        self.grads = [node.grad for node in nodes]    # two flat lists: no object per node
        self.sent = [node.sent for node in nodes]

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is not None:
            for node, grad, sent in zip(self.nodes, self.grads, self.sent):
                node.grad, node.sent = grad, sent


class PausedCollector:
    """``with PausedCollector():`` -- Python's cyclic garbage collector does not run inside
    the block (``gc.disable()``, and ``gc.enable()`` again when the block ends, however it ends).

    Why: backward allocates a tuple per gate (what it sent), so on a scalar graph of
    thousands of nodes the collector would start again and again, each time scanning the
    whole graph, which backward keeps alive anyway and which holds no reference cycle: in
    the training-loop benchmark that scanning took about a third of backward's time.

    Safe by construction: if the collector was already off (your own ``gc.disable()``, or
    a backward inside another one), it is left exactly as it was; reference counting still
    frees memory the moment it is unused, and whatever cycles a custom gate creates are
    collected after the block.  The switch is process-wide: other threads get no cyclic
    collection while a backward runs, and a ``gc.disable()`` called from *inside* the
    block (in a gate's backward or an ``on_step`` callback) is undone when it ends.
    """

    __slots__ = ("paused",)

    def __enter__(self):
        self.paused = gc.isenabled()
        if self.paused:
            gc.disable()
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if self.paused:
            gc.enable()


def start_gradient(output: Node, seed):
    """dL/d(output) where backward starts: ``seed``, or 1.0 for a scalar output."""
    if seed is None:
        if isinstance(output.value, np.ndarray) and output.value.size != 1:
            raise ValueError(tr(
                "backward() seeds dL/dL = 1.0 only for a scalar output, but this output has "
                "shape {shape}. Reduce it first (e.g. .sum() or .mean()), or pass seed=an "
                "array of shape {shape}.", shape=output.value.shape))
        return np.ones_like(output.value) if isinstance(output.value, np.ndarray) else 1.0
    seed = as_value(seed, "backward(seed=...)")
    if shape_of(seed) != output.shape:
        raise ValueError(tr("backward(seed=...): the seed has shape {seed} but the output has "
                            "shape {shape}; they must match.", seed=shape_of(seed),
                            shape=output.shape))
    return seed


def checked_gradients(node: Node, sent, order: list[Node]) -> tuple:
    """What ``node.gate.backward`` returned, checked where it was produced.

    One gradient per input, each a float or an array shaped like its input, finite,
    owning its memory; and what reached this gate (``order``: the graph, to say who sent
    it) finite too.  Any problem is an error naming the gate, the input and what was
    expected.  Not called for a built-in gate (:data:`gates.BUILT_IN`, whose gradients
    have the right number and shapes) that received a number: the scalar engine runs
    those for every number, and :func:`check_totals` tests what they sent at the end.
    """
    check_total(node, order)
    if type(sent) is not tuple or len(sent) != len(node.inputs):
        sent = _as_tuple(node, sent)
    return tuple(_checked_gradient(node, index, grad, sent) for index, grad in enumerate(sent))


_LARGEST = sys.float_info.max          # the finite floats: from _SMALLEST to _LARGEST
_SMALLEST = -_LARGEST


def check_totals(order: list[Node]) -> None:
    """Every gradient, once backward is done: finite.  A number by two comparisons (the
    built-in gates' numbers were not checked one by one), an array at a leaf (a gate's
    array was checked when it arrived there).  If one is not, the error names the first
    node backward reached with it and, where one gate sent it, that gate."""
    for node in order:
        grad = node.grad
        if type(grad) is float and _SMALLEST <= grad <= _LARGEST or grad is None:
            continue
        if type(grad) is float or node.gate is None and not all_finite(grad):
            for first in reversed(order):                # backward's order: the origin
                check_total(first, order)


def check_total(receiver: Node, order: list[Node]) -> None:
    """A clear error if the gradient that reached ``receiver`` holds NaN or inf: naming the
    gate that sent it, or, when every branch was finite, saying that their sum is not."""
    grad = receiver.grad
    if type(grad) is float and _SMALLEST <= grad <= _LARGEST:
        return
    if not all_finite(grad):
        for user in order:
            for child, sent in zip(user.inputs, user.sent or ()):
                if child is receiver and not all_finite(sent):
                    _check_finite(receiver, sent, sender=user)
        _check_finite(receiver, grad)


def _as_tuple(node: Node, sent) -> tuple:
    """``sent`` as a tuple of one gradient per input (a list is fine), or a clear error."""
    if isinstance(sent, (tuple, list)) and len(sent) == len(node.inputs):
        return tuple(sent)
    n = len(node.inputs)
    got = (tr("{n} gradients", n=len(sent)) if isinstance(sent, (tuple, list))
           else tr("a single {kind}", kind=type(sent).__name__))
    fields = dict(gate=node.gate.name, got=got, n=n)
    raise ValueError(tr("{gate}.backward returned {got} for {n} input; return a tuple with one "
                        "gradient per input, e.g. `return (dx,)` or `return dx, dy`.", **fields)
                     if n == 1 else
                     tr("{gate}.backward returned {got} for {n} inputs; return a tuple with one "
                        "gradient per input, e.g. `return (dx,)` or `return dx, dy`.", **fields))


def _checked_gradient(node: Node, index: int, grad, sent):
    """The full check of one gradient a gate sent (arrays, numpy scalars, and errors)."""
    child = node.inputs[index]
    if grad is None:
        raise ValueError(tr("{gate}.backward, input {index}: the gradient is None; return "
                            "dL/d(input), an array shaped like the input (zeros if the input "
                            "does not matter).", gate=node.gate.name, index=index))
    if not (isinstance(grad, np.ndarray) or is_number(grad)):
        raise TypeError(tr("{gate}.backward, input {index}: the gradient is a {kind}; expected a "
                           "number or a numpy array.", gate=node.gate.name, index=index,
                           kind=type(grad).__name__))
    if shape_of(grad) != child.shape:
        raise ValueError(tr("{gate}.backward, input {index}: the gradient has shape {shape} but "
                            "the input has shape {input_shape}; a gradient has the shape of what "
                            "it is the gradient of.", gate=node.gate.name, index=index,
                            shape=shape_of(grad), input_shape=child.shape))
    _check_finite(child, grad, sender=node)
    if not isinstance(grad, np.ndarray):
        return float(grad)
    # the same array handed on twice (add passes its upstream through) would make two
    # .grad attributes share memory: an in-place edit of one would change the other
    if grad is node.grad or sum(g is grad for g in sent) > 1:
        return grad.copy()
    return grad


def _check_finite(receiver: Node, grad, sender: Node | None = None) -> None:
    """A clear error if ``grad`` (sent to ``receiver`` by ``sender``, or the total of
    several branches when ``sender`` is None) holds NaN or inf."""
    if all_finite(grad):
        return
    where = (receiver.gate.name if receiver.gate is not None
             else tr("leaf {name!r}", name=receiver.name))
    how = (tr("{sender} sent a non-finite gradient (NaN or inf) to {where}",
              sender=sender.gate.name, where=where) if sender is not None else
           tr("the gradients reaching {where} from several branches add up to a non-finite "
              "gradient (NaN or inf)", where=where))
    raise ValueError(tr(
        "backward: {how} (value {value}). Check for overflow upstream, e.g. exp of a large "
        "number, 1/x near 0 or a learning rate that is too large.",
        how=how, value=_text(receiver.value)))


# ------------------------------------------------------------ step-by-step records
@dataclass
class BackwardStep:
    """One gate's share of backward, for step-through teaching.

    ``node``: the gate's output node; ``upstream``: dL/d(node); ``local``: the gate's
    local gradients; ``received``: what each input receives (upstream × local);
    ``accumulated``: for each input, True when it already held a gradient from another
    branch, so this one was *added* (``+=``); ``totals``: each input's gradient after
    this step.
    """

    index: int
    node: Node
    upstream: object
    local: tuple
    received: tuple
    accumulated: tuple
    totals: tuple

    @property
    def inputs(self) -> tuple:
        return self.node.inputs

    @property
    def gate(self):
        return self.node.gate

    def describe(self) -> str:
        """'upstream × local = received' for each input, one line each."""
        lines = [tr("{gate} ({symbol}): upstream = {value}", gate=self.gate.name,
                    symbol=self.gate.symbol, value=_text(self.upstream))]
        formulas = tuple(self.gate.formulas) or ("upstream · local",) * len(self.received)
        for i, (child, got, acc, total) in enumerate(
                zip(self.inputs, self.received, self.accumulated, self.totals)):
            who = child.name or (tr("input {i}", i=i) if child.gate is None
                                 else tr("{symbol} output", symbol=child.gate.symbol))
            local = self.local[i] if i < len(self.local) else None
            local_txt = _text(local) if isinstance(local, (float, np.ndarray)) else "-"
            formula = formulas[i] if i < len(formulas) else "upstream · local"
            # the gates' formulas ("upstream · y") speak of the upstream gradient by that word
            formula = formula.replace("upstream", tr("upstream")).replace("local", tr("local"))
            line = f"  → {who}: {formula} = {_text(self.upstream)} × {local_txt} = {_text(got)}"
            if acc:
                line += "   " + tr("(+= from another branch: total {total})", total=_text(total))
            lines.append(line)
        return "\n".join(lines)


class StepRecorder:
    """An ``on_step`` callback for :func:`backpropagate` that keeps a :class:`BackwardStep`
    per gate in ``steps``."""

    def __init__(self):
        self.steps: list[BackwardStep] = []
        self._reached: set[int] = set()      # ids of the nodes a gradient has reached

    def __call__(self, node: Node) -> None:
        accumulated = []
        for child in node.inputs:            # x * x: the second input is a +=
            accumulated.append(id(child) in self._reached)
            self._reached.add(id(child))
        self.steps.append(BackwardStep(
            len(self.steps), node, node.grad, tuple(node.gate.local_gradients()), node.sent,
            tuple(accumulated), tuple(child.grad for child in node.inputs)))


# ------------------------------------------------------------------------ Graph
class Graph:
    """Every node that ``output`` depends on, with forward and backward by leaf name.

    ``nodes``: topological order, leaves first; ``leaves``: the variable leaves (not
    constants), in that order; ``forward(**values)`` re-runs every gate with new leaf
    values; ``backward()`` returns ``{leaf name: gradient}``; ``backward_steps()``
    gives one :class:`BackwardStep` per gate.
    """

    def __init__(self, output: Node):
        if not isinstance(output, Node):
            raise TypeError(tr("Graph() needs the output Node of an expression, got {kind}.",
                               kind=type(output).__name__))
        self.output = output
        self.nodes = topological_order(output)
        self.leaves = [n for n in self.nodes if n.gate is None and not n.is_constant]
        self._by_name: dict[str, Node] = {}
        for leaf in self.leaves:
            if leaf.name is None:
                continue
            if leaf.name in self._by_name:
                raise ValueError(tr("Graph: two different leaves are both named {name!r}; give "
                                    "each var a unique name.", name=leaf.name))
            self._by_name[leaf.name] = leaf

    def __repr__(self) -> str:
        gates = sum(1 for n in self.nodes if n.gate is not None)
        return (f"Graph({len(self.nodes)} nodes: {len(self.leaves)} leaves "
                f"{sorted(self._by_name)}, {gates} gates; output {_text(self.output.value)})")

    def __len__(self) -> int:
        return len(self.nodes)

    @property
    def names(self) -> list[str]:
        """Names of the named variable leaves, in topological order."""
        return [leaf.name for leaf in self.leaves if leaf.name is not None]

    def leaf(self, name: str) -> Node:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(tr("this graph has no leaf named {name!r}; its leaves are {names}.",
                              name=name, names=self.names)) from None

    def forward(self, **values):
        """Set leaves by name (``g.forward(x=3.0)``), re-run every gate, return the output value.

        Gradients computed before are cleared (they belong to the old values).
        """
        new = {}
        for name, value in values.items():
            if name not in self._by_name:
                raise ValueError(tr("Graph.forward: no leaf named {name!r}; the leaves are "
                                    "{names}.", name=name, names=self.names))
            new[name] = as_value(value, f"Graph.forward({name}=...)")
        old = {name: self._by_name[name].value for name in new}
        for name, value in new.items():
            self._by_name[name].value = value
        try:
            self._run_gates()
        except Exception:
            # a gate refused the new values (log of a negative number, a shape mismatch...):
            # put the old values back and re-run, so no node is left half-updated
            for name, value in old.items():
                self._by_name[name].value = value
            self._run_gates()
            raise
        return self.output.value

    def _run_gates(self) -> None:
        for node in self.nodes:
            node.grad = node.sent = None
            if node.gate is not None:
                node.value = forward_value(node.gate, node.inputs)

    @property
    def value(self):
        return self.output.value

    def backward(self, seed=None) -> dict:
        """Run backward from the output; return ``{leaf name: gradient}`` for named leaves."""
        backpropagate(self.nodes, seed)
        return self.gradients()

    def backward_steps(self, seed=None) -> Iterator[BackwardStep]:
        """Like backward, recording each gate's step: one :class:`BackwardStep` per gate,
        from the output back to the leaves."""
        recorder = StepRecorder()
        backpropagate(self.nodes, seed, on_step=recorder)
        return iter(recorder.steps)

    def gradients(self) -> dict:
        """``{leaf name: gradient}`` from the last backward (None before it)."""
        return {name: leaf.grad for name, leaf in self._by_name.items()}
