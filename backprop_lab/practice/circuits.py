"""Random circuits for gradient drills: small, head-friendly, reproducible from a seed.

    from backprop_lab.practice import make_circuit
    c = make_circuit(level=3, seed=7)
    c.formula                 # 'f = (x·y + x)·z'
    c.equations               # ['q = x·y', 'r = q + x', 'f = r·z']: one gate each
    [w.name for w in c.wires] # the wires whose gradient the student fills in
    c.wire("x").gradient      # ∂f/∂x, computed by the engine (bl.Graph backward)

Levels (:data:`LEVELS`):

1. add and multiply;
2. one of max, σ, exp, 1/x, +c, ×a, x² inside an add/multiply circuit;
3. fan-out: a value used twice (its gradient is the *sum* of its branches);
4. a sigmoid neuron, a neuron with a squared-error loss, and staged expressions with a
   division and a shared variable, like the staged example of the CS231n notes;
5. vectors and matrices: ``f = Σ G∘(W·x + b)`` and relatives, small integer matrices; the
   student gives the shape of each gradient, then its entries.

Every number the student needs is head-friendly: integers, halves, quarters, or short
decimals (σ and exp get inputs such as ln 4, where σ = 0.8 and exp = 4).  A generator draws
structure and values from ``numpy.random.default_rng((level, seed))``, runs the engine, and
draws again (from the same stream, so still reproducible) until every value and gradient
the student needs is friendly (:func:`head_friendly`).

A circuit's answers are never computed here: the engine runs backward once
(``Graph.backward_steps``), which fills every node's ``.grad`` and records on each gate node
what it sent to each of its inputs (``node.sent``, read into ``Wire.shares``).  The checker
and the "Next step" button read these.
"""
from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field

import numpy as np

from ..graph import BackwardStep, Graph, Node, constant, maximum, relu, sigmoid, var
from .. import gates as G

__all__ = ["LEVELS", "KINDS", "Circuit", "Wire", "Share", "make_circuit", "head_friendly"]

LEVELS = {
    1: "add and multiply",
    2: "max, σ, exp, 1/x, +c, ×a, x²",
    3: "fan-out: a value used twice",
    4: "a neuron and staged expressions",
    5: "vectors and matrices",
}

#: the circuit kinds each level draws from (``make_circuit(level, kind=...)`` picks one)
KINDS = {
    1: ("add_multiply",),
    2: ("max", "sigmoid", "exp", "reciprocal", "add_const", "scale", "square"),
    3: ("leaf_twice", "same_gate", "intermediate_twice"),
    4: ("neuron", "neuron_loss", "staged"),
    5: ("matmul", "affine", "relu_layer"),
}

MAX_ATTEMPTS = 500
LARGEST = 64.0          # no value or gradient the student needs is larger than this

# inputs of σ and exp whose outputs (and so local gradients) are friendly:
# σ(0) = 0.5, σ(ln 4) = 0.8, σ(ln 3) = 0.75, σ(-ln 4) = 0.2, σ(-ln 3) = 0.25
SIGMOID_INPUTS = (0.0, math.log(4), math.log(3), -math.log(4), -math.log(3))
# exp(0) = 1, exp(ln 2) = 2, exp(ln 4) = 4, exp(-ln 2) = 0.5
EXP_INPUTS = (0.0, math.log(2), math.log(4), -math.log(2))
RECIPROCAL_INPUTS = (1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 4.0, -4.0)
SCALES = (2.0, 3.0, -2.0, -1.0, 0.5, -3.0)


def head_friendly(value, largest: float = LARGEST) -> bool:
    """True when every entry of ``value`` can be worked with in the head: at most
    ``largest`` in size and a multiple of 1/10,000 with at most 4 significant digits
    (-4, 0.25, 0.1875, 12.5 are friendly; 0.7311 from σ(1) and 1/3 are not)."""
    for v in np.ravel(np.asarray(value, dtype=np.float64)):
        v = float(v)
        if not math.isfinite(v) or abs(v) > largest:
            return False
        scaled = v * 10_000
        if abs(scaled - round(scaled)) > 1e-6:
            return False
        digits = str(abs(int(round(scaled)))).rstrip("0")
        if len(digits) > 4:
            return False
    return True


# ------------------------------------------------------------------ what a drill shows
@dataclass(frozen=True)
class Share:
    """What one gate sent back to one of its inputs, as the engine recorded it.

    ``gate``: the gate's output node; ``index``: which input; ``upstream``: ∂f/∂(gate
    output); ``local``: the gate's local gradient for that input; ``value``: the share
    itself (upstream × local, un-broadcast).
    """

    gate: Node
    index: int
    upstream: object
    local: object
    value: object


@dataclass
class Wire:
    """The wire leaving ``node``: the student gives ∂f/∂node (``gradient``).

    ``shares``: what each gate using the node sent back (one entry unless the node fans
    out: then ``gradient`` is their sum).
    """

    name: str
    node: Node
    shares: list = field(default_factory=list)

    @property
    def gradient(self):
        return self.node.grad

    @property
    def value(self):
        return self.node.value

    @property
    def shape(self) -> tuple:
        return self.node.shape

    @property
    def fans_out(self) -> bool:
        return len(self.shares) > 1

    def __repr__(self) -> str:
        return f"Wire({self.name!r}, value={self.node.value!r}, gradient={self.gradient!r})"


@dataclass
class Circuit:
    """A drill's circuit: the engine's graph plus the words and wires to ask about.

    ``output``: the output Node (named ``f``); ``graph``: ``bl.Graph(output)`` after one
    backward; ``steps``: the engine's BackwardStep records, output first; ``wires``: the
    wires to fill in (every non-constant node but the output); ``equations``: one line per
    gate (``q = x + y``); ``formula``: the whole expression on one line; ``constants``:
    named constant leaves (level 5: the upstream matrix G).
    """

    level: int
    seed: int
    kind: str
    output: Node
    graph: Graph
    steps: list
    wires: list
    equations: list
    formula: str

    def wire(self, name: str) -> Wire:
        for wire in self.wires:
            if wire.name == name:
                return wire
        raise KeyError(f"this circuit has no wire named {name!r}; its wires are "
                       f"{[w.name for w in self.wires]}.")

    @property
    def names(self) -> list[str]:
        return [wire.name for wire in self.wires]

    @property
    def answers(self) -> dict:
        """{wire name: ∂f/∂wire}, from the engine."""
        return {wire.name: wire.gradient for wire in self.wires}

    @property
    def leaves(self) -> list[Node]:
        """Every leaf in drawing order, constants included (their values are shown)."""
        return [n for n in self.graph.nodes if n.gate is None]

    @property
    def uses_arrays(self) -> bool:
        return any(isinstance(n.value, np.ndarray) for n in self.graph.nodes)

    def __repr__(self) -> str:
        return f"Circuit(level={self.level}, seed={self.seed}, kind={self.kind!r}: {self.formula})"


# --------------------------------------------------------------------- the builder
_OUTPUT = "f"
_INTERMEDIATE = "qrstupmnkhgabcde"
_PRECEDENCE = {"leaf": 9, "call": 9, "power": 8, "mul": 6, "add": 4}


class _Builder:
    """Builds a circuit with the engine's operators, naming every gate's output
    (``q``, ``r``, ``s`` ...) and writing one equation per gate and the whole formula."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.equations: list[tuple[Node, str]] = []
        self.text: dict[int, tuple[str, int]] = {}       # id(node) -> (formula, precedence)
        self._next = 0

    # -- leaves ------------------------------------------------------------------
    def leaf(self, name: str, value) -> Node:
        node = var(value, name=name)
        self.text[id(node)] = (name, _PRECEDENCE["leaf"])
        return node

    def constant(self, name: str, value) -> Node:
        node = constant(value, name=name)
        self.text[id(node)] = (name, _PRECEDENCE["leaf"])
        return node

    def integer(self, low: int = -5, high: int = 5, nonzero: bool = True) -> float:
        choices = [v for v in range(low, high + 1) if v or not nonzero]
        return float(self.rng.choice(choices))

    def pick(self, options):
        return options[int(self.rng.integers(len(options)))]

    # -- gates -------------------------------------------------------------------
    def _named(self, node: Node, equation: str, formula: str, precedence: str) -> Node:
        name = _INTERMEDIATE[self._next]
        self._next += 1
        node.name = name
        self.equations.append((node, equation))
        self.text[id(node)] = (formula, _PRECEDENCE[precedence])
        return node

    def _name(self, node: Node) -> str:
        return node.name

    def _operand(self, node: Node, at_least: int, right: bool = False) -> str:
        formula, precedence = self.text[id(node)]
        if precedence < at_least or (right and precedence == at_least and at_least < 9):
            return f"({formula})"
        return formula

    def add(self, a: Node, b: Node) -> Node:
        return self._named(a + b, f"{a.name} + {b.name}",
                           f"{self._operand(a, 4)} + {self._operand(b, 4, right=True)}", "add")

    def mul(self, a: Node, b: Node) -> Node:
        return self._named(a * b, f"{a.name}·{b.name}",
                           f"{self._operand(a, 6)}·{self._operand(b, 6, right=True)}", "mul")

    def maximum(self, a: Node, b: Node) -> Node:
        fa, fb = self.text[id(a)][0], self.text[id(b)][0]
        return self._named(maximum(a, b), f"max({a.name}, {b.name})", f"max({fa}, {fb})", "call")

    def sigmoid(self, a: Node) -> Node:
        return self._named(sigmoid(a), f"σ({a.name})", f"σ({self.text[id(a)][0]})", "call")

    def exp(self, a: Node) -> Node:
        from ..graph import exp
        return self._named(exp(a), f"exp({a.name})", f"exp({self.text[id(a)][0]})", "call")

    def relu(self, a: Node) -> Node:
        return self._named(relu(a), f"ReLU({a.name})", f"ReLU({self.text[id(a)][0]})", "call")

    def reciprocal(self, a: Node) -> Node:
        from ..graph import apply
        return self._named(apply(G.ReciprocalGate(), a), f"1/{a.name}",
                           f"1/{self._operand(a, 9)}", "mul")

    def divide(self, a: Node, b: Node) -> Node:
        """a / b as the engine builds it: a · (1/b), two gates, each with its own name."""
        inverse = self.reciprocal(b)
        node = a * inverse
        formula = f"{self._operand(a, 6)} / {self._operand(b, 9)}"
        return self._named(node, f"{a.name}·{inverse.name}", formula, "mul")

    def add_const(self, a: Node, c: float) -> Node:
        sign = "+" if c >= 0 else "−"
        return self._named(a + c, f"{a.name} {sign} {abs(c):g}",
                           f"{self._operand(a, 4)} {sign} {abs(c):g}", "add")

    def scale(self, a: Node, k: float) -> Node:
        text = f"{k:g}".replace("-", "−")
        return self._named(k * a, f"{text}·{a.name}", f"{text}·{self._operand(a, 6, right=True)}",
                           "mul")

    def square(self, a: Node) -> Node:
        return self._named(a ** 2, f"{a.name}²", f"{self._operand(a, 9)}²", "power")

    def matmul(self, a: Node, b: Node) -> Node:
        return self._named(a @ b, f"{a.name}·{b.name}",
                           f"{self._operand(a, 6)}·{self._operand(b, 6, right=True)}", "mul")

    def hadamard(self, a: Node, b: Node) -> Node:
        return self._named(a * b, f"{a.name}∘{b.name}",
                           f"{self._operand(a, 6)}∘{self._operand(b, 6, right=True)}", "mul")

    def total(self, a: Node) -> Node:
        return self._named(a.sum(), f"Σ {a.name}", f"Σ {self._operand(a, 9)}", "call")

    # -- the end -------------------------------------------------------------------
    def finish(self, output: Node) -> tuple[Node, list[str], str]:
        """Rename the output ``f``; return it, the equations and the formula."""
        output.name = _OUTPUT
        equations = []
        for node, text in self.equations:
            equations.append(f"{node.name} = {text}")
        return output, equations, f"{_OUTPUT} = {self.text[id(output)][0]}"


# --------------------------------------------------------------- level 1: + and ×
def _combine(b: _Builder, items: list, ops: list) -> Node:
    """Join neighbouring items with the given binary ops (in a random order) until one is left."""
    items = list(items)
    for op in ops:
        k = int(b.rng.integers(len(items) - 1))
        items[k:k + 2] = [op(items[k], items[k + 1])]
    return items[0]


def _leaves(b: _Builder, names: str, low: int = -5, high: int = 5) -> list[Node]:
    return [b.leaf(name, b.integer(low, high)) for name in names]


def _add_multiply(b: _Builder) -> Node:
    count = b.pick((3, 3, 4))
    leaves = _leaves(b, "xyzw"[:count])
    ops = [b.add, b.mul] + [b.pick((b.add, b.mul)) for _ in range(count - 3)]
    b.rng.shuffle(ops)
    return _combine(b, leaves, ops)


# ------------------------------------------------------------ level 2: one special gate
def _special(b: _Builder, kind: str) -> Node:
    """The special gate of level 2 applied to friendly inputs."""
    if kind == "sigmoid":
        return b.sigmoid(b.leaf("x", b.pick(SIGMOID_INPUTS[1:] + SIGMOID_INPUTS)))
    if kind == "exp":
        return b.exp(b.leaf("x", b.pick(EXP_INPUTS)))
    if kind == "max":
        x, y = b.leaf("x", b.integer()), b.leaf("y", b.integer())
        if b.pick((True, False)):
            return b.maximum(x, y)
        return b.maximum(b.mul(x, y), b.leaf("w", b.integer()))
    if kind == "reciprocal":
        if b.pick((True, False)):
            return b.reciprocal(b.leaf("x", b.pick(RECIPROCAL_INPUTS)))
        return b.reciprocal(b.add(*_leaves(b, "xy")))
    if kind == "add_const":
        inner = b.pick((lambda: b.leaf("x", b.integer()), lambda: b.mul(*_leaves(b, "xy"))))()
        return b.add_const(inner, b.integer(-3, 3))
    if kind == "scale":
        inner = b.pick((lambda: b.leaf("x", b.integer()), lambda: b.add(*_leaves(b, "xy"))))()
        return b.scale(inner, b.pick(SCALES))
    if kind == "square":
        inner = b.pick((lambda: b.leaf("x", b.integer(-4, 4)),
                        lambda: b.add(*_leaves(b, "xy", -3, 3))))()
        return b.square(inner)
    raise ValueError(f"unknown level-2 kind {kind!r}; expected one of {KINDS[2]}.")


def _one_special(b: _Builder, kind: str) -> Node:
    g = _special(b, kind)
    z = b.leaf("z", b.pick((-3.0, -2.0, 2.0, 3.0, 4.0, -4.0)))   # |z| >= 2: a real upstream
    shape = b.pick(("times", "plus_times", "times_plus"))
    if shape == "times":
        return b.mul(g, z)
    if shape == "plus_times":
        return b.mul(b.add(g, b.leaf("v", b.integer())), z)
    return b.add(b.mul(g, z), b.leaf("v", b.integer()))


# -------------------------------------------------------------------- level 3: fan-out
def _fan_out(b: _Builder, kind: str) -> Node:
    ops3 = lambda: [b.pick((b.add, b.mul, b.mul, b.maximum)) for _ in range(2)]
    if kind == "leaf_twice":           # x feeds two different gates
        x, y, z = _leaves(b, "xyz", -4, 4)
        order = b.pick(([x, y, x], [y, x, z, x], [x, y, z, x], [x, y, x, z]))
        ops = [b.add, b.mul] + ([b.pick((b.add, b.mul))] if len(order) == 4 else [])
        b.rng.shuffle(ops)
        ops = ops if b.rng.random() < 0.7 else ops3() + ops[2:]
        return _combine(b, order, ops)
    if kind == "same_gate":            # x·x or x + x inside a bigger circuit
        x, y = _leaves(b, "xy", -4, 4)
        twice = b.pick((b.mul, b.add))(x, x)
        return b.pick((b.mul, b.add))(b.pick((b.mul, b.add))(twice, y), x) \
            if b.pick((True, False)) else b.mul(twice, y)
    if kind == "intermediate_twice":   # q = x ∘ y feeds two gates
        x, y, z = _leaves(b, "xyz", -3, 3)
        q = b.pick((b.add, b.mul))(x, y)
        first = b.pick((b.add, b.mul, b.maximum))(q, z)
        return b.pick((b.add, b.mul))(first, q)
    raise ValueError(f"unknown level-3 kind {kind!r}; expected one of {KINDS[3]}.")


# ------------------------------------------------------- level 4: neurons and stages
def _neuron_sum(b: _Builder, zero: bool) -> Node:
    """s = w0·x0 + w1·x1 + b with small integers (s = 0 when ``zero``: σ(0) = 0.5)."""
    w0, x0, w1, x1 = (b.integer(-3, 3) for _ in range(4))
    bias = -(w0 * x0 + w1 * x1) if zero else b.integer(-3, 3)
    leaves = [b.leaf("w0", w0), b.leaf("x0", x0), b.leaf("w1", w1), b.leaf("x1", x1),
              b.leaf("b", bias)]
    p0, p1 = b.mul(leaves[0], leaves[1]), b.mul(leaves[2], leaves[3])
    return b.add(b.add(p0, p1), leaves[4])


def _level4(b: _Builder, kind: str) -> Node:
    if kind == "neuron":               # σ(w0·x0 + w1·x1 + b), as in the CS231n notes
        return b.sigmoid(_neuron_sum(b, zero=True))
    if kind == "neuron_loss":          # (a − t)² for a ReLU or σ neuron, target t
        if b.pick((True, False)):
            a, target = b.sigmoid(_neuron_sum(b, zero=True)), b.pick((0.0, 1.0))
        else:
            a, target = b.relu(_neuron_sum(b, zero=False)), b.integer(-2, 2, nonzero=False)
        return b.square(b.add_const(a, -target) if target else a)
    if kind == "staged":               # a numerator and a denominator sharing x
        x, y, z = b.leaf("x", b.integer(-3, 3)), b.leaf("y", b.integer(-3, 3)), \
            b.leaf("z", b.integer(-3, 3))
        numerator = b.pick((lambda: b.mul(x, y), lambda: b.add(x, y),
                            lambda: b.maximum(x, y)))()
        if b.pick((True, False)):
            numerator = b.square(numerator)
        denominator = b.pick((lambda: b.add(b.square(x), z), lambda: b.add(b.mul(x, z), y),
                              lambda: b.add_const(b.mul(x, z), b.integer(-3, 3))))()
        return b.divide(numerator, denominator)
    raise ValueError(f"unknown level-4 kind {kind!r}; expected one of {KINDS[4]}.")


# -------------------------------------------------------- level 5: vectors and matrices
def _matrix(b: _Builder, shape) -> np.ndarray:
    """Small integers, zero now and then (one draw in eight)."""
    return b.rng.choice((-2.0, -1.0, -1.0, 1.0, 1.0, 2.0, 3.0, 0.0), size=shape)


def _level5(b: _Builder, kind: str) -> Node:
    n, d = b.pick(((2, 2), (2, 3), (3, 2)))
    W = b.leaf("W", _matrix(b, (n, d)))
    if kind == "matmul":               # f = Σ G∘(W·X) with X a matrix
        m = b.pick((1, 2))
        X = b.leaf("X", _matrix(b, (d, m)))
        D = b.matmul(W, X)
    else:                              # W·x + b with a vector x
        x = b.leaf("x", _matrix(b, (d,)))
        D = b.add(b.matmul(W, x), b.leaf("b", _matrix(b, (n,))))
        if kind == "relu_layer":
            if np.all(D.value > 0) or np.all(D.value <= 0):
                raise ValueError("ReLU should pass some entries and block others")
            D = b.relu(D)
        elif kind != "affine":
            raise ValueError(f"unknown level-5 kind {kind!r}; expected one of {KINDS[5]}.")
    upstream = b.constant("G", _matrix(b, D.shape))
    if len(np.unique(upstream.value)) < 2:
        raise ValueError("an upstream G that is the same everywhere teaches little")
    return b.total(b.hadamard(upstream, D))


# ---------------------------------------------------------------------- the front door
def _build(level: int, kind: str, b: _Builder) -> Node:
    if level == 1:
        return _add_multiply(b)
    if level == 2:
        return _one_special(b, kind)
    if level == 3:
        return _fan_out(b, kind)
    if level == 4:
        return _level4(b, kind)
    return _level5(b, kind)


def _needed_values(circuit: Circuit) -> list:
    """The numbers the student works with: every gate output (σ's and exp's too: their
    local gradient is made of the output) and every gradient.  The *inputs* of σ and
    exp (ln 4 = 1.386...) are shown but never needed."""
    needed = []
    for node in circuit.graph.nodes:
        feeds_only_exp = node.gate is None and node.name and all(
            isinstance(s.gate.gate, (G.SigmoidGate, G.ExpGate))
            for w in circuit.wires if w.node is node for s in w.shares)
        if not feeds_only_exp:
            needed.append(node.value)
        if node.grad is not None and not node.is_constant:
            needed.append(node.grad)
    return needed


def _acceptable(circuit: Circuit) -> bool:
    if not all(head_friendly(v) for v in _needed_values(circuit)):
        return False
    for wire in circuit.wires:
        # a fan-out whose branches send 0 (or, from two different gates, the same
        # amount) cannot show that the branches add up
        if wire.fans_out and circuit.level == 3:
            values = [float(np.sum(s.value)) for s in wire.shares]
            gates = {id(s.gate) for s in wire.shares}
            if any(v == 0 for v in values) or (len(gates) > 1 and len(set(values)) < len(values)):
                return False
    # every circuit teaches something: at least one gradient is neither 0 nor ±1
    return any(not np.all(np.isin(np.abs(np.asarray(w.gradient)), (0.0, 1.0)))
               for w in circuit.wires)


def _record(level: int, seed: int, kind: str, b: _Builder, output: Node) -> Circuit:
    output, equations, formula = b.finish(output)
    graph = Graph(output)
    steps: list[BackwardStep] = list(graph.backward_steps())   # the engine's one backward
    wires: dict[int, Wire] = {}        # in the order backward reaches them
    for step in steps:
        for i, child in enumerate(step.node.inputs):
            if not child.is_constant:
                wires.setdefault(id(child), Wire(child.name, child))
                local = step.local[i] if i < len(step.local) else None
                wires[id(child)].shares.append(                 # what the gate sent it
                    Share(step.node, i, step.upstream, local, step.node.sent[i]))
    return Circuit(level, seed, kind, output, graph, steps, list(wires.values()), equations,
                   formula)


def make_circuit(level: int = 1, seed: int | None = None, kind: str | None = None) -> Circuit:
    """A random circuit of the given level (1-5), the same one for the same ``seed``.

    ``kind`` chooses the family within the level (see :data:`KINDS`; by default the seed
    chooses).  ``seed=None`` draws a fresh seed, kept in ``circuit.seed``.
    """
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or level not in LEVELS:
        raise ValueError(f"make_circuit: level must be one of {sorted(LEVELS)} "
                         f"({'; '.join(f'{k}: {v}' for k, v in LEVELS.items())}); got {level!r}.")
    level = int(level)
    if seed is None:
        seed = secrets.randbelow(10**6)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"make_circuit: seed must be a non-negative integer, got {seed!r}.")
    seed = int(seed)
    if kind is not None and kind not in KINDS[level]:
        raise ValueError(f"make_circuit: level {level} has the kinds {list(KINDS[level])}; "
                         f"got kind={kind!r}.")
    rng = np.random.default_rng((level, seed))
    chosen = kind or KINDS[level][seed % len(KINDS[level])]
    for _ in range(MAX_ATTEMPTS):
        b = _Builder(rng)
        try:
            output = _build(level, chosen, b)
        except ValueError:             # e.g. 1/0: draw again
            continue
        circuit = _record(level, seed, chosen, b, output)
        if _acceptable(circuit):
            return circuit
    raise RuntimeError(f"make_circuit: no friendly level-{level} {chosen!r} circuit in "
                       f"{MAX_ATTEMPTS} draws for seed {seed}; this is a bug, please report it.")
