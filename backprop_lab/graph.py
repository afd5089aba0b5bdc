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

Backward (:func:`backpropagate`) is the only place gradients are propagated:

1. order the nodes topologically (inputs before outputs) with an explicit stack,
   so a chain of 100,000 nodes needs no recursion;
2. reset every ``.grad`` to ``None`` and seed the output with dL/dL = 1;
3. walk the nodes from the output backwards; each gate turns its upstream gradient into
   one gradient per input (``gate.backward``), and an input used by several gates gets
   the *sum* of what they send (the ``+=`` of the multivariable chain rule).

Because of step 2, calling ``backward()`` twice gives the same gradients twice (it does
not accumulate across calls the way PyTorch's ``.grad`` does).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Iterator

import numpy as np

from . import gates as G

__all__ = ["Node", "Graph", "BackwardStep", "var", "constant", "topological_order",
           "backpropagate", "sigmoid", "tanh", "relu", "exp", "log", "maximum"]


# --------------------------------------------------------------------- values
def as_value(value, what: str = "var()"):
    """Turn a number or array-like into the engine's value type (float or float64 array)."""
    if type(value) is float:
        if not math.isfinite(value):
            raise ValueError(f"{what}: value must be finite; got {value}.")
        return value
    if isinstance(value, Node):
        raise TypeError(f"{what}: expected a number or a numpy array, got a Node "
                        f"({value!r}); use the node directly in your expression.")
    if isinstance(value, (bool, np.bool_)) or isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{what}: expected a number or a numpy array of numbers, "
                        f"got {type(value).__name__} {value!r}.")
    if isinstance(value, Real):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"{what}: value must be finite; got {value}.")
        return value
    try:
        array = np.asarray(value)
    except Exception:  # ragged lists and the like
        array = None
    if array is None or not (np.issubdtype(array.dtype, np.integer)
                             or np.issubdtype(array.dtype, np.floating)):
        kind = type(value).__name__ if array is None else f"{type(value).__name__} of dtype {array.dtype}"
        raise TypeError(f"{what}: expected a number or a numpy array of real numbers, got {kind}.")
    array = array.astype(np.float64, copy=True)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what}: all values must be finite; got NaN or inf in an array "
                         f"of shape {array.shape}.")
    return float(array) if array.ndim == 0 else array


def _describe(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else f"array{value.shape}"


# ----------------------------------------------------------------------- nodes
class Node:
    """A value in the graph: a leaf (``gate is None``) or the output of a gate.

    Attributes: ``value`` (float or float64 array), ``grad`` (dL/dvalue after backward,
    else ``None``), ``gate``, ``inputs`` (tuple of Nodes), ``name`` (optional label),
    ``is_constant`` (a constant leaf: its gradient is computed but not reported).
    """

    __slots__ = ("value", "grad", "gate", "inputs", "name", "is_constant", "__weakref__")
    __array_ufunc__ = None  # numpy defers: array * node calls Node.__rmul__

    def __init__(self, value, gate=None, inputs=(), name=None, is_constant=False):
        self.value = value
        self.grad = None
        self.gate = gate
        self.inputs = inputs
        self.name = name
        self.is_constant = is_constant

    # -- description -----------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return G.shape_of(self.value)

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
        grad = "" if self.grad is None else f", grad={_describe(self.grad)}"
        return f"Node{label}({what}, value={_describe(self.value)}{grad})"

    def __bool__(self):
        raise TypeError("A Node has no truth value; compare node.value instead.")

    # -- operators: each one applies a gate -----------------------------------------
    def __add__(self, other):
        if type(other) is not Node and isinstance(other, Real):
            return apply(G.AddConstGate(other), self)
        return apply(G.AddGate(), self, other)

    def __radd__(self, other):
        if type(other) is not Node and isinstance(other, Real):
            return apply(G.AddConstGate(other), self)
        return apply(G.AddGate(), other, self)

    def __sub__(self, other):
        if type(other) is not Node and isinstance(other, Real):
            return apply(G.AddConstGate(-other), self)
        return apply(G.SubtractGate(), self, other)

    def __rsub__(self, other):
        if type(other) is not Node and isinstance(other, Real):   # c - x = c + (-1)·x
            return apply(G.AddConstGate(other), -self)
        return apply(G.SubtractGate(), other, self)

    def __mul__(self, other):
        if type(other) is not Node and isinstance(other, Real):
            return apply(G.ScaleGate(other), self)
        return apply(G.MultiplyGate(), self, other)

    def __rmul__(self, other):
        if type(other) is not Node and isinstance(other, Real):
            return apply(G.ScaleGate(other), self)
        return apply(G.MultiplyGate(), other, self)

    def __truediv__(self, other):
        if type(other) is not Node and isinstance(other, Real):
            if other == 0:
                raise ValueError(f"division by zero: {self!r} / 0")
            return apply(G.ScaleGate(1.0 / other), self)
        return self * apply(G.ReciprocalGate(), other)   # x / y = x · (1/y)

    def __rtruediv__(self, other):
        inverse = apply(G.ReciprocalGate(), self)
        if type(other) is not Node and isinstance(other, Real):
            return inverse if other == 1 else apply(G.ScaleGate(other), inverse)
        return apply(G.MultiplyGate(), other, inverse)

    def __pow__(self, p):
        if isinstance(p, Node) or not isinstance(p, Real):
            raise TypeError(f"x ** p needs a number p (got {type(p).__name__}); for a "
                            f"variable exponent write bl.exp(p * bl.log(x)).")
        return apply(G.PowerGate(p), self)

    def __rpow__(self, base):
        raise TypeError("c ** node is not supported; write bl.exp(node * math.log(c)).")

    def __neg__(self):
        return apply(G.ScaleGate(-1.0), self)

    def __matmul__(self, other):
        return apply(G.MatMulGate(), self, other)

    def __rmatmul__(self, other):
        return apply(G.MatMulGate(), other, self)

    def sum(self, axis=None, keepdims=False):
        """Sum of all elements (or along ``axis``): a SumGate."""
        return apply(G.SumGate(axis, keepdims), self)

    def mean(self, axis=None, keepdims=False):
        """Mean = sum / count: a SumGate followed by a ScaleGate(1/count)."""
        total = self.sum(axis, keepdims)          # the SumGate checks the axes
        count = int(np.size(self.value)) // max(1, int(np.size(total.value)))
        if count == 0:
            raise ValueError(f"mean() of an empty array (shape {self.shape}) is undefined.")
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
        backpropagate(topological_order(self), self, seed)


def var(value, name: str | None = None) -> Node:
    """A leaf of the graph: an input or a parameter whose gradient you want.

    ``value`` is a number or an array-like of real numbers (stored as float64).
    """
    if name is not None and not isinstance(name, str):
        raise TypeError(f"var(): name must be a string, got {type(name).__name__}.")
    return Node(as_value(value, f"var({name!r})" if name else "var()"), name=name)


def constant(value, name: str | None = None) -> Node:
    """A constant leaf: takes part in forward, its gradient is not reported."""
    return Node(as_value(value, "constant()"), name=name, is_constant=True)


def _as_node(operand, gate) -> Node:
    if isinstance(operand, Node):
        return operand
    try:
        return constant(operand)
    except TypeError:
        raise TypeError(f"{gate.name}: cannot use {type(operand).__name__} {operand!r} as an "
                        f"input; expected a Node, a number or a numpy array.") from None


def apply(gate, *operands) -> Node:
    """Run ``gate.forward`` on the operands' values and return the output Node."""
    inputs = operands
    for operand in operands:
        if not isinstance(operand, Node):     # numbers and arrays become constant leaves
            inputs = tuple(_as_node(o, gate) for o in operands)
            break
    return Node(_checked_forward(gate, inputs), gate, inputs)


def _checked_forward(gate, inputs):
    """``gate.forward`` on the inputs' values; a non-finite result is an error, not a value."""
    if len(inputs) == 2:              # spelled out for the common cases: the scalar engine
        value = gate.forward(inputs[0].value, inputs[1].value)   # runs this per number
    elif len(inputs) == 1:
        value = gate.forward(inputs[0].value)
    else:
        value = gate.forward(*[n.value for n in inputs])
    if type(value) is not float and isinstance(value, (np.floating, np.integer, int)):
        value = float(value)          # e.g. np.exp(1.0) in a student's gate: a numpy scalar
    if type(value) is float:
        if math.isfinite(value):
            return value
    elif isinstance(value, np.ndarray):
        if np.all(np.isfinite(value)):
            return value
    else:
        raise TypeError(f"{gate.name}.forward returned {type(value).__name__}; a gate must "
                        f"return a float or a numpy array.")
    shown = ", ".join(_describe(n.value) for n in inputs)
    raise ValueError(f"{gate.name} produced a non-finite value (inf or NaN) from inputs "
                     f"({shown}); the result overflows float64.")


# -------------------------------------------------------------- functions on nodes
def _unary(gate_class, symbol_name):
    def function(x):
        if isinstance(x, Node):
            return apply(gate_class(), x)
        return gate_class().forward(as_value(x, f"{symbol_name}()"))
    function.__name__ = symbol_name
    function.__doc__ = (f"{symbol_name}(x): applies a {gate_class.__name__} to a Node "
                        f"(returns a Node) or to a number/array (returns the value).\n\n"
                        + (gate_class.__doc__ or ""))
    return function


sigmoid = _unary(G.SigmoidGate, "sigmoid")
tanh = _unary(G.TanhGate, "tanh")
relu = _unary(G.ReLUGate, "relu")
exp = _unary(G.ExpGate, "exp")
log = _unary(G.LogGate, "log")


def maximum(x, y):
    """Elementwise max(x, y) through a MaxGate: the gradient is routed to the larger input."""
    if isinstance(x, Node) or isinstance(y, Node):
        return apply(G.MaxGate(), x, y)
    return G.MaxGate().forward(as_value(x, "maximum()"), as_value(y, "maximum()"))


# ------------------------------------------------------------ the backward algorithm
def topological_order(output: Node) -> list[Node]:
    """Every node ``output`` depends on, inputs before the nodes that use them.

    Depth-first search with an explicit stack (no recursion): a node is appended
    after all of its inputs have been appended.
    """
    order: list[Node] = []
    visited: set = set()
    stack = [(output, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for parent in node.inputs:
            if parent not in visited:
                stack.append((parent, False))
    return order


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
        lines = [f"{self.gate.name} ({self.gate.symbol}): upstream = {_describe(self.upstream)}"]
        formulas = tuple(self.gate.formulas) or ("upstream · local",) * len(self.received)
        for i, (child, got, acc, total) in enumerate(
                zip(self.inputs, self.received, self.accumulated, self.totals)):
            who = child.name or (f"input {i}" if child.gate is None else f"{child.gate.symbol} output")
            local = self.local[i] if i < len(self.local) else None
            local_txt = _describe(local) if isinstance(local, (float, np.ndarray)) else "-"
            formula = formulas[i] if i < len(formulas) else "upstream · local"
            line = (f"  → {who}: {formula} = {_describe(self.upstream)} × {local_txt} "
                    f"= {_describe(got)}")
            if acc:
                line += f"   (+= from another branch: total {_describe(total)})"
            lines.append(line)
        return "\n".join(lines)


def _seed_for(output: Node, seed):
    if seed is None:
        if isinstance(output.value, np.ndarray) and output.value.size != 1:
            raise ValueError(
                f"backward() seeds dL/dL = 1.0 only for a scalar output, but this output has "
                f"shape {output.value.shape}. Reduce it first (e.g. .sum() or .mean()), or "
                f"pass seed=an array of shape {output.value.shape}.")
        return np.ones_like(output.value) if isinstance(output.value, np.ndarray) else 1.0
    seed = as_value(seed, "backward(seed=...)")
    if G.shape_of(seed) != output.shape:
        raise ValueError(f"backward(seed=...): the seed has shape {G.shape_of(seed)} but the "
                         f"output has shape {output.shape}; they must match.")
    return seed


def _check_gradient(node: Node, grad) -> None:
    if type(grad) is float:
        finite = math.isfinite(grad)
    else:
        finite = bool(np.all(np.isfinite(grad)))
    if not finite:
        where = node.gate.name if node.gate is not None else f"leaf {node.name!r}"
        raise ValueError(
            f"backward: a non-finite gradient (NaN or inf) reached {where} "
            f"(value {_describe(node.value)}). Check for overflow upstream, e.g. exp of a large "
            f"number, 1/x near 0 or a learning rate that is too large.")
    if G.shape_of(grad) != node.shape:
        raise ValueError(
            f"backward: {node.gate.name if node.gate else 'a leaf'} received a gradient of shape "
            f"{G.shape_of(grad)} but its value has shape {node.shape}.")


def _wrong_count(node: Node, received) -> None:
    gate, n = node.gate, len(node.inputs)
    got = (f"{len(received)} gradients" if isinstance(received, (tuple, list))
           else f"a single {type(received).__name__}")
    raise ValueError(f"{gate.name}.backward returned {got} for {n} input"
                     f"{'s' if n != 1 else ''}; return a tuple with one gradient per input, "
                     f"e.g. `return (dx,)` or `return dx, dy`.")


def _checked_input_gradient(node: Node, child: Node, grad, upstream, received):
    """The gradient a gate sent to one of its inputs: present, shaped like it, own memory."""
    index = next(i for i, (c, g) in enumerate(zip(node.inputs, received))
                 if c is child and g is grad)
    where = f"{node.gate.name}.backward, input {index}"
    if grad is None:
        raise ValueError(f"{where}: the gradient is None; return dL/d(input), an array shaped "
                         f"like the input (zeros if the input does not matter).")
    if not isinstance(grad, (float, int, np.ndarray, np.floating, np.integer)) or \
            isinstance(grad, bool):
        raise TypeError(f"{where}: the gradient is a {type(grad).__name__}; expected a number "
                        f"or a numpy array.")
    if G.shape_of(grad) != child.shape:
        raise ValueError(f"{where}: the gradient has shape {G.shape_of(grad)} but the input has "
                         f"shape {child.shape}; a gradient has the shape of what it is the "
                         f"gradient of.")
    if isinstance(grad, np.ndarray):
        # the same array object handed on twice (add passes its upstream through) would make
        # two .grad attributes share memory: an in-place edit of one would change the other
        if grad is upstream or sum(g is grad for g in received) > 1:
            return grad.copy()
        return grad
    return float(grad)


def backpropagate(nodes: list[Node], output: Node, seed=None, record: bool = False
                  ) -> Iterator[BackwardStep | None]:
    """The backward algorithm.  ``nodes`` must be in topological order and end at ``output``.

    With ``record=False`` it runs to completion and returns None.  With ``record=True``
    it returns a generator yielding one :class:`BackwardStep` per gate as it goes.
    """
    steps = _backprop_steps(nodes, output, seed, record)
    if record:
        return steps
    for _ in steps:
        pass
    return None


def _backprop_steps(nodes, output, seed, record):
    seed = _seed_for(output, seed)
    for node in nodes:
        node.grad = None
    output.grad = seed
    index = 0
    for node in reversed(nodes):
        gate = node.gate
        if gate is None:              # a leaf: every node using it came later in `nodes`, so
            if node.grad is not None:     # its gradient is complete; check it once
                _check_gradient(node, node.grad)
            continue
        upstream = node.grad
        if upstream is None:          # not on a path to the output (cannot happen for a
            continue                  # Graph's own nodes, but keeps the loop safe)
        if not (type(upstream) is float and type(node.value) is float
                and math.isfinite(upstream)):   # scalars are checked inline (it is faster);
            _check_gradient(node, upstream)     # arrays, and any problem, get the full check
        received = gate.backward(upstream)
        inputs = node.inputs
        if type(received) not in (tuple, list) or len(received) != len(inputs):
            _wrong_count(node, received)
        accumulated = [] if record else None    # for the record: which inputs got a +=
        for child, grad in zip(inputs, received):
            if type(grad) is not float or type(child.value) is not float:   # floats: fine
                grad = _checked_input_gradient(node, child, grad, upstream, received)
            if record:
                accumulated.append(child.grad is not None)
            if child.grad is None:
                child.grad = grad
            else:                     # fan-out: gradients from several branches add up
                child.grad = child.grad + grad
        if record:
            yield BackwardStep(index, node, upstream, tuple(gate.local_gradients()),
                               tuple(received), tuple(accumulated),
                               tuple(child.grad for child in node.inputs))
        index += 1


# ------------------------------------------------------------------------ Graph
class Graph:
    """Every node that ``output`` depends on, with forward and backward by leaf name.

    ``nodes``: topological order, leaves first; ``leaves``: the variable leaves (not
    constants), in that order; ``forward(**values)`` re-runs every gate with new leaf
    values; ``backward()`` returns ``{leaf name: gradient}``; ``backward_steps()``
    yields one :class:`BackwardStep` per gate.
    """

    def __init__(self, output: Node):
        if not isinstance(output, Node):
            raise TypeError(f"Graph() needs the output Node of an expression, got "
                            f"{type(output).__name__}.")
        self.output = output
        self.nodes = topological_order(output)
        self.leaves = [n for n in self.nodes if n.gate is None and not n.is_constant]
        self._by_name: dict[str, Node] = {}
        for leaf in self.leaves:
            if leaf.name is None:
                continue
            if leaf.name in self._by_name:
                raise ValueError(f"Graph: two different leaves are both named {leaf.name!r}; "
                                 f"give each var a unique name.")
            self._by_name[leaf.name] = leaf

    def __repr__(self) -> str:
        gates = sum(1 for n in self.nodes if n.gate is not None)
        return (f"Graph({len(self.nodes)} nodes: {len(self.leaves)} leaves "
                f"{sorted(self._by_name)}, {gates} gates; output {_describe(self.output.value)})")

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
            raise KeyError(f"this graph has no leaf named {name!r}; its leaves are "
                           f"{self.names}.") from None

    def forward(self, **values):
        """Set leaves by name (``g.forward(x=3.0)``), re-run every gate, return the output value.

        Gradients computed before are cleared (they belong to the old values).
        """
        new = {}
        for name, value in values.items():
            if name not in self._by_name:
                raise ValueError(f"Graph.forward: no leaf named {name!r}; the leaves are "
                                 f"{self.names}.")
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
            node.grad = None
            if node.gate is not None:
                node.value = _checked_forward(node.gate, node.inputs)

    @property
    def value(self):
        return self.output.value

    def backward(self, seed=None) -> dict:
        """Run backward from the output; return ``{leaf name: gradient}`` for named leaves."""
        backpropagate(self.nodes, self.output, seed)
        return self.gradients()

    def backward_steps(self, seed=None) -> Iterator[BackwardStep]:
        """Like backward, one gate at a time: yields a :class:`BackwardStep` per gate,
        from the output back to the leaves."""
        return backpropagate(self.nodes, self.output, seed, record=True)

    def gradients(self) -> dict:
        """``{leaf name: gradient}`` from the last backward (None before it)."""
        return {name: leaf.grad for name, leaf in self._by_name.items()}
