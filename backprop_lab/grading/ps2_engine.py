"""Problem set 2 — build your own engine: the tasks of its test cells.

Students write a scalar ``Value`` class in the style of micrograd's ``engine.py`` (Andrej
Karpathy), with this course's ideas: every operation stores its *local* gradients
(``out.parents``, ``out.local_grads``), the topological order is built with an explicit
stack, ``backward()`` seeds 1 at the output and adds (``+=``) at fan-out; then forward mode
with dual numbers and a tiny MLP trained with it.  Every reference comes from
backprop_lab's engine; random cases come from seeds only the grader knows.

Parts (task ids): ``ps2.value_ops`` (2.1), ``ps2.topological_order`` (2.2),
``ps2.backward`` (2.3), ``ps2.expressions`` (2.4), ``ps2.dual_numbers`` (2.5),
``ps2.forward_mode`` (2.6), ``ps2.mlp`` (2.7).
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..graph import exp as engine_exp
from ..graph import relu as engine_relu
from ..i18n.messages import tr
from ..graph import tanh as engine_tanh
from ..mistakes import as_array, branches_overwritten, hint_text
from .data import xor_blobs
from .task import GradingError, Task, engine_gradients, rng_cases

__all__ = ["OPS", "ValueOpsTask", "TopologicalOrderTask", "BackwardTask", "ExpressionsTask",
           "DualNumbersTask", "ForwardModeTask", "MLPTask", "random_program",
           "TASKS"]

# the methods of the student's Value / Dual that must be their own (not backprop_lab's Node)
VALUE_METHODS = ("__init__", "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
                 "__truediv__", "__rtruediv__", "__pow__", "__neg__", "exp", "tanh", "relu",
                 "backward", "zero_grad")


# ------------------------------------------------------------------ the operations
@dataclass(frozen=True)
class Op:
    """One operation of the exercise: how the student's class and the engine write it.

    ``student(a[, b])`` works on the student's Value or Dual (operators and ``.exp()``
    ...); ``engine(a[, b])`` on backprop_lab's Nodes; ``ok(a[, b])`` says whether the
    operation is defined (and well conditioned) at these numbers."""

    label: str
    arity: int
    student: object
    engine: object
    ok: object = None

    def defined(self, *values) -> bool:
        return self.ok is None or bool(self.ok(*values))


def _away_from_zero(v, margin=0.3):
    return abs(v) > margin


OPS = (
    Op("a + b", 2, lambda a, b: a + b, lambda a, b: a + b),
    Op("a + 2", 1, lambda a: a + 2.0, lambda a: a + 2.0),
    Op("2 + a", 1, lambda a: 2.0 + a, lambda a: 2.0 + a),
    Op("a - b", 2, lambda a, b: a - b, lambda a, b: a - b),
    Op("2 - a", 1, lambda a: 2.0 - a, lambda a: 2.0 - a),
    Op("a * b", 2, lambda a, b: a * b, lambda a, b: a * b),
    Op("3 * a", 1, lambda a: 3.0 * a, lambda a: 3.0 * a),
    Op("a / b", 2, lambda a, b: a / b, lambda a, b: a / b, lambda a, b: _away_from_zero(b)),
    Op("2 / a", 1, lambda a: 2.0 / a, lambda a: 2.0 / a, _away_from_zero),
    Op("-a", 1, lambda a: -a, lambda a: -a),
    Op("a ** 3", 1, lambda a: a ** 3, lambda a: a ** 3),
    Op("a ** -1", 1, lambda a: a ** -1, lambda a: a ** -1, _away_from_zero),
    Op("a ** 0.5", 1, lambda a: a ** 0.5, lambda a: a ** 0.5, lambda a: a > 0.1),
    Op("a.exp()", 1, lambda a: a.exp(), lambda a: engine_exp(a), lambda a: abs(a) < 5),
    Op("a.tanh()", 1, lambda a: a.tanh(), lambda a: engine_tanh(a)),
    Op("a.relu()", 1, lambda a: a.relu(), lambda a: engine_relu(a)),
)


def _op_mistakes(op: Op, a: float, b: float) -> dict:
    """``{"d/da": [(hint, wrong local gradient)], "d/db": [...]}`` for one operation."""
    t = math.tanh(a)
    table = {
        "a - b": {"d/db": [(tr("subtraction: d(a − b)/db = −1."), 1.0)]},
        "2 - a": {"d/da": [(tr("subtraction: d(2 − a)/da = −1."), 1.0)]},
        "a * b": {"d/da": [(tr("the multiply gate swaps its inputs: d(a·b)/da = b."), a)],
                  "d/db": [(tr("the multiply gate swaps its inputs: d(a·b)/db = a."), b)]},
        "3 * a": {"d/da": [(tr("d(3a)/da = 3, the constant factor."), a)]},
        "a / b": {"d/da": [(tr("d(a/b)/da = 1/b."), b)],
                  "d/db": [(tr("d(a/b)/db = −a/b² (write a/b as a · b⁻¹)."), 1.0 / b if b else 0.0)]},
        "a ** 3": {"d/da": [(tr("the power rule: d(aⁿ)/da = n·aⁿ⁻¹; the factor n is missing."), a ** 2),
                            (tr("the power rule: d(aⁿ)/da = n·aⁿ⁻¹, not n·aⁿ."), 3 * a ** 3)]},
        "a.exp()": {"d/da": [(tr("d exp(a)/da = exp(a): the output itself."), a)]},
        "a.tanh()": {"d/da": [(tr("tanh's local gradient is 1 − t² with t = tanh(a), the *output*; "
                                  "not 1 − a²."), 1 - a * a),
                              (tr("tanh's local gradient is 1 − tanh(a)², not tanh(a)."), t)]},
        "a.relu()": {"d/da": [(tr("ReLU passes the gradient only where a > 0 (at a = 0 its local "
                                  "gradient is 0, as in the engine)."), 1.0)]},
    }
    return table.get(op.label, {})


def _local_gradient(out, operand, cls, label: str) -> float:
    """d out / d operand as the student's op stored it: the sum of ``out.local_grads`` over
    the entries of ``out.parents`` that *are* ``operand`` (``a * a`` lists a twice)."""
    if not isinstance(out, cls):
        raise GradingError(tr("{label} returned {kind}, not a {cls}: every operation returns a "
                              "new {cls}.", label=label, kind=type(out).__name__, cls=cls.__name__))
    parents = getattr(out, "parents", None)
    local = getattr(out, "local_grads", None)
    if parents is None or local is None:
        raise GradingError(tr("{label}: the result has no `parents` / `local_grads`: every "
                              "operation stores the Values it was computed from and "
                              "d(out)/d(each).", label=label))
    parents, local = tuple(parents), tuple(local)
    if len(parents) != len(local):
        raise GradingError(tr("{label}: {parents} parents but {local} local gradients: store "
                              "one local gradient per parent, in the same order.",
                              label=label, parents=len(parents), local=len(local)))
    if not any(p is operand for p in parents):
        raise GradingError(tr("{label}: the operand is not among `out.parents`: store the "
                              "Values the result was computed from (a Value made from a number "
                              "is a new parent, but a Value operand must be the object itself).",
                              label=label))
    total = 0.0
    for parent, gradient in zip(parents, local):
        if parent is operand:
            total = total + gradient
    return total


def _op_case(values: dict) -> list:
    return [op for op in OPS if op.defined(*[values[k] for k in "ab"[:op.arity]])]


def _engine_ops(i: dict):
    """``(op, operand names, value, {name: local gradient})`` from the engine, for every
    operation defined at the numbers of ``i``."""
    for op in _op_case(i):
        names = "ab"[:op.arity]
        value, grads = engine_gradients(op.engine, {k: i[k] for k in names})
        yield op, names, value, grads


def _value_op_cases(hidden: bool, seed: int) -> list:
    cases = [("a = 4, b = -2", {"a": 4.0, "b": -2.0}),
             ("a = -1.5, b = 0.5", {"a": -1.5, "b": 0.5})]
    if hidden:
        def make(r):
            return [(tr("random a, b ({k})", k=k), {"a": float(r.uniform(-2.5, 2.5)),
                                            "b": float(r.uniform(-2.5, 2.5))}) for k in range(3)]
        cases += rng_cases(seed, make)
        cases += [(tr("a = 0 (the kink of ReLU), b = 1"), {"a": 0.0, "b": 1.0})]
    return cases


class ValueOpsTask(Task):
    """Part 2.1: every operation computes its value and stores its local gradients."""

    id, student = "ps2.value_ops", ("Value",)
    graded_methods = VALUE_METHODS

    def cases(self, hidden):
        return _value_op_cases(hidden, 211)

    def run(self, student, i):
        Value = student["Value"]
        results = {}
        for op in _op_case(i):
            operands = [Value(i[k]) for k in "ab"[:op.arity]]
            out = op.student(*operands)
            grads = [_local_gradient(out, v, Value, op.label) for v in operands]
            results[f"{op.label}: value"] = getattr(out, "data", None)
            for name, g in zip("ab", grads):
                results[f"{op.label}: d/d{name}"] = g
        return results

    def expected(self, i):
        results = {}
        for op, names, value, grads in _engine_ops(i):
            results[f"{op.label}: value"] = value
            results.update({f"{op.label}: d/d{name}": grads[name] for name in names})
        return results

    def mistakes(self, i):
        found = {}
        for op in _op_case(i):
            for key, pairs in _op_mistakes(op, i["a"], i["b"]).items():
                found[f"{op.label}: {key}"] = pairs
        return found


# ------------------------------------------------------------------ the topological order
class GraderNode:
    """A node of a graph the grader builds: only ``parents`` (and a name for messages).
    ``topological_order`` must work with any object that has ``parents``."""

    __slots__ = ("name", "parents", "data", "grad")

    def __init__(self, name: str, parents=()):
        self.name, self.parents, self.data, self.grad = name, tuple(parents), 0.0, 0.0

    def __repr__(self) -> str:
        return f"node {self.name!r}"


def _graph_spec(kind: str, rng=None, size: int = 0) -> dict:
    """``{"names": [...], "parents": [[indices]...], "root": index}`` of a test graph."""
    if kind == "cs231n":          # f = (x + y) · z
        return {"names": ["x", "y", "z", "q = x + y", "f = q · z"],
                "parents": [[], [], [], [0, 1], [3, 2]], "root": 4}
    if kind == "paths":           # a long and a short path from a to the output
        return {"names": ["a", "b = 2a", "c = b²", "d = c + a", "unused = a + 1"],
                "parents": [[], [0], [1], [2, 0], [0]], "root": 3}
    if kind == "fanout":          # a used three times
        return {"names": ["a", "b", "c = a · b", "d = a + c", "e = d · a"],
                "parents": [[], [], [0, 1], [0, 2], [3, 0]], "root": 4}
    if kind == "chain":
        return {"names": ["x0"] + [f"x{k}" for k in range(1, size)],
                "parents": [[]] + [[k - 1] for k in range(1, size)], "root": size - 1}
    # a random DAG: every node after the first three picks 1 or 2 earlier nodes, mostly recent
    names, parents = ["l0", "l1", "l2"], [[], [], []]
    for k in range(3, size):
        count = int(rng.integers(1, 3))
        picks = sorted({int(max(0, k - rng.geometric(0.3))) for _ in range(count)})
        names.append(f"n{k}")
        parents.append(picks)
    return {"names": names, "parents": parents, "root": size - 1}


def _ancestors(spec: dict) -> set:
    seen, stack = {spec["root"]}, [spec["root"]]
    while stack:
        for p in spec["parents"][stack.pop()]:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


class TopologicalOrderTask(Task):
    """Part 2.2: any valid order is accepted — the property is checked, not one answer."""

    id, student = "ps2.topological_order", ("topological_order",)

    def cases(self, hidden):
        cases = [("f = (x + y) · z", {"graph": _graph_spec("cs231n")}),
                 (tr("a feeds d directly and through b and c (two paths of different length)"),
                  {"graph": _graph_spec("paths")}),
                 (tr("a used three times"), {"graph": _graph_spec("fanout")}),
                 (tr("a chain of {n:,} nodes", n=10_000), {"graph": _graph_spec("chain", size=10_000)})]
        if hidden:
            cases += rng_cases(221, lambda r: [
                (tr("a random graph of {n} nodes", n=n), {"graph": _graph_spec("random", r, n)})
                for n in (12, 60, 400)])
            cases += [(tr("a chain of {n:,} nodes", n=20_000), {"graph": _graph_spec("chain", size=20_000)})]
        return cases

    def run(self, student, i):
        spec = i["graph"]
        nodes = []
        for name, parents in zip(spec["names"], spec["parents"]):
            nodes.append(GraderNode(name, [nodes[p] for p in parents]))
        result = student["topological_order"](nodes[spec["root"]])
        if result is None or isinstance(result, (str, bytes)) or not hasattr(result, "__iter__"):
            raise GradingError(tr("topological_order must return a list of nodes; got {kind}.",
                                  kind=type(result).__name__))
        index = {id(node): k for k, node in enumerate(nodes)}
        return {"order": [float(index.get(id(item), -1)) for item in result]}

    def expected(self, i):
        return {}

    def failures(self, i, outputs):
        spec = i["graph"]
        names, parents = spec["names"], spec["parents"]
        order = as_array(outputs.get("order"))
        if order is None or order.ndim != 1 or not np.all(order == np.round(order)):
            return {"order": tr("topological_order must return a list of the graph's nodes.")}
        order = [int(k) for k in order]
        needed = _ancestors(spec)
        label = tr("the order of {n} nodes", n=len(needed))
        if -1 in order:
            return {"order": tr("{label}: it contains something that is not a node of the graph "
                                "(return the node objects themselves).", label=label)}
        if len(order) == 0:
            return {"order": tr("{label}: got an empty list.", label=label)}
        outside = [names[k] for k in order if k not in needed]
        if outside:
            return {"order": tr("{label}: it contains {name!r}, which the output does not "
                                "depend on: follow `parents` back from the output only.",
                                label=label, name=outside[0])}
        counts = Counter(order)
        twice = sorted(k for k, n in counts.items() if n > 1)
        if twice:
            return {"order": tr("{label}: {name!r} appears {count} times: remember the nodes "
                                "you have visited and list each once.",
                                label=label, name=names[twice[0]], count=counts[twice[0]])}
        missing = sorted(needed - set(order))
        if missing:
            return {"order": tr("{label}: {count} missing, e.g. {name!r}.",
                                label=label, count=len(missing), name=names[missing[0]])}
        position = {k: n for n, k in enumerate(order)}
        for k in order:
            late = [p for p in parents[k] if position[p] > position[k]]
            if late:
                reversed_ok = all(position[p] > position[c] for c in order for p in parents[c])
                hint = (tr("The order is reversed: list the inputs first and the output last.")
                        if reversed_ok else
                        tr("A node may be listed only after *all* its inputs (a post-order: "
                           "append a node when every parent is done)."))
                return {"order": tr("{label}: {name!r} comes before its input {parent!r}. {hint}",
                                    label=label, name=names[k], parent=names[late[0]], hint=hint)}
        return {}


# ------------------------------------------------------------------ backward
def _chain(x, n: int):
    for _ in range(n):
        x = x * 1.0001
    return x


def _three_uses(a, b, tanh, exp):
    return a * b + exp(a * 0.5) + tanh(a + 1.5)


class BackwardTask(Task):
    """Part 2.3: ``backward()`` seeds 1 and adds at fan-out; twice gives the same
    gradients; ``zero_grad()`` clears the graph; a 10,000-deep chain needs no recursion."""

    id, student = "ps2.backward", ("Value",)
    graded_methods = VALUE_METHODS

    def cases(self, hidden):
        cases = [(tr("f = (x + y) · z at x = -2, y = 5, z = -4 (CS231n)"),
                  {"kind": "circuit", "x": -2.0, "y": 5.0, "z": -4.0}),
                 (tr("a + a at a = 3"), {"kind": "a + a", "a": 3.0}),
                 (tr("a · a at a = 3"), {"kind": "a · a", "a": 3.0}),
                 (tr("a used by three gates: a·b + exp(a·0.5) + tanh(a + 1.5) at a = 0.5, b = -2"),
                  {"kind": "three uses", "a": 0.5, "b": -2.0}),
                 (tr("x · 1.0001, 10,000 times (d/dx = 1.0001¹⁰⁰⁰⁰ ≈ e)"),
                  {"kind": "chain", "x": 1.0, "n": 10_000})]
        if hidden:
            def make(r):
                u = [float(v) for v in r.uniform(-2, 2, size=6)]
                return [(tr("f = (x + y) · z at random x, y, z"),
                         {"kind": "circuit", "x": u[0], "y": u[1], "z": u[2]}),
                        (tr("a + a at random a"), {"kind": "a + a", "a": u[3]}),
                        (tr("a · a at random a"), {"kind": "a · a", "a": u[4]}),
                        (tr("a used by three gates, random a, b"), {"kind": "three uses",
                                                                    "a": u[5], "b": u[0]}),
                        (tr("a chain of {n:,} steps", n=12_000), {"kind": "chain", "x": u[1],
                                                                   "n": 12_000})]
            cases += rng_cases(231, make)
        return cases

    @staticmethod
    def _build(i, V, tanh, exp):
        kind = i["kind"]
        if kind == "circuit":
            leaves = {k: V(i[k]) for k in "xyz"}
            q = leaves["x"] + leaves["y"]
            return leaves, {"q": q}, q * leaves["z"]
        if kind == "a + a":
            a = V(i["a"])
            return {"a": a}, {}, a + a
        if kind == "a · a":
            a = V(i["a"])
            return {"a": a}, {}, a * a
        if kind == "three uses":
            leaves = {"a": V(i["a"]), "b": V(i["b"])}
            return leaves, {}, _three_uses(leaves["a"], leaves["b"], tanh, exp)
        x = V(i["x"])
        return {"x": x}, {}, _chain(x, i["n"])

    def run(self, student, i):
        Value = student["Value"]
        leaves, inner, out = self._build(i, Value, lambda v: v.tanh(), lambda v: v.exp())
        if not isinstance(out, Value):
            raise GradingError(tr("the expression gave {kind}, not a Value.",
                                  kind=type(out).__name__))
        out.backward()
        results = {"output's grad after backward()": out.grad}
        results.update({f"d{k}": v.grad for k, v in {**leaves, **inner}.items()})
        if i["kind"] == "circuit":
            out.backward()                                # twice: the same gradients
            results.update({f"d{k} after backward() twice": v.grad for k, v in leaves.items()})
            out.zero_grad()
            results["every grad after zero_grad()"] = [v.grad for v in (*leaves.values(),
                                                                        *inner.values(), out)]
        return results

    def expected(self, i):
        names = [k for k in ("x", "y", "z", "a", "b") if k in i]
        values = {k: i[k] for k in names}
        inner = {}

        def build(**leaves):
            nodes, found, out = self._build({**i, **{k: v for k, v in leaves.items()}},
                                            lambda v: v, engine_tanh, engine_exp)
            inner.update(found)
            return out
        _, grads = engine_gradients(build, values)
        results = {"output's grad after backward()": 1.0}
        results.update({f"d{k}": grads[k] for k in names})
        results.update({f"d{k}": node.grad for k, node in inner.items()})
        if i["kind"] == "circuit":
            results.update({f"d{k} after backward() twice": grads[k] for k in names})
            results["every grad after zero_grad()"] = np.zeros(len(names) + len(inner) + 1)
        return results

    def mistakes(self, i):
        kind = i["kind"]
        def overwritten(times):
            return tr("{name} is used {times}: its gradient is the sum over all its uses (+= in "
                      "backward, never =); a contribution was overwritten or lost.",
                      name="a", times=times)
        found = {"output's grad after backward()": [
            (tr("backward() seeds the output: set its grad to 1 before walking the order."), 0.0)]}
        if kind == "a + a":
            found["da"] = branches_overwritten([1.0, 1.0], overwritten(tr("twice")))
        elif kind == "a · a":
            found["da"] = branches_overwritten([i["a"], i["a"]], overwritten(tr("twice")))
        elif kind == "three uses":
            a, b = i["a"], i["b"]
            parts = [b, 0.5 * math.exp(0.5 * a), 1 - math.tanh(a + 1.5) ** 2]
            found["da"] = branches_overwritten(parts, overwritten(tr("three times")))
        elif kind == "circuit":
            twice = tr("backward() called twice must give the same gradients: start from zero "
                       "(zero_grad() on the graph) before seeding the output with 1; here the "
                       "second call added to what the first one left.")
            x, y, z = i["x"], i["y"], i["z"]
            once = {"dx": z, "dy": z, "dz": x + y}
            for k, g in once.items():
                found[f"{k} after backward() twice"] = [(twice, 2 * g), (twice, 3 * g)]
        return found

    def failures(self, i, outputs):
        found = super().failures(i, outputs)
        label = "every grad after zero_grad()"
        if label in found and hint_text("") not in found[label]:
            found[label] += hint_text(tr("zero_grad() sets the grad of *every* node of the graph "
                                         "to 0 (walk the topological order), the output and the "
                                         "leaves included."))
        return found


# ------------------------------------------------------------------ random expressions
# (label, arity, student form, engine form, defined at these numbers)
PROGRAM_OPS = tuple(op for op in OPS if op.label not in ("a ** 0.5",)) + (
    Op("a ** 2", 1, lambda a: a ** 2, lambda a: a ** 2),
)


def random_program(rng, n_leaves: int = 3, n_ops: int = 12) -> dict:
    """A random expression as straight-line code: ``{"leaves": [values], "steps":
    [(op label, operand indices)]}``; node k > n_leaves - 1 is step k - n_leaves.

    Operations are chosen so that every value stays in [-30, 30] and every operation is
    defined and well conditioned (checked on the numbers with plain float arithmetic, so
    the kernel and the judge draw the same program); operands are mostly recent nodes,
    and earlier nodes are reused (fan-out)."""
    by_label = {op.label: op for op in PROGRAM_OPS}
    values = [float(v) for v in rng.uniform(-1.5, 1.5, size=n_leaves)]
    steps = []
    while len(steps) < n_ops:
        op = PROGRAM_OPS[int(rng.integers(len(PROGRAM_OPS)))]
        picks = [int(max(0, len(values) - rng.geometric(0.45))) for _ in range(op.arity)]
        args = [values[k] for k in picks]
        if not op.defined(*args):
            continue
        value = float(op.student(*args) if op.label not in ("a.exp()", "a.tanh()", "a.relu()")
                      else {"a.exp()": math.exp, "a.tanh()": math.tanh,
                            "a.relu()": lambda v: max(v, 0.0)}[op.label](*args))
        if not (math.isfinite(value) and abs(value) <= 30.0):
            continue
        values.append(value)
        steps.append((op.label, picks))
    return {"leaves": values[:n_leaves], "steps": steps, "ops": by_label}


def _run_program(program: dict, leaves: list, engine: bool):
    """The program's output: the sum of every step no later step uses (so that every
    operation counts), on the student's Values/Duals or the engine's Nodes."""
    nodes, used = list(leaves), set()
    for label, picks in program["steps"]:
        op = program["ops"][label]
        nodes.append((op.engine if engine else op.student)(*[nodes[k] for k in picks]))
        used.update(picks)
    sinks = [k for k in range(len(leaves), len(nodes)) if k not in used]
    out = nodes[sinks[-1]]
    for k in reversed(sinks[:-1]):
        out = out + nodes[k]
    return out


def _engine_staged(x, y):
    def sigmoid(v):
        return 1.0 / (1.0 + engine_exp(-v))
    return (x + sigmoid(y)) / (sigmoid(x) + (x + y) ** 2)


def _neuron(x1, x2, w1, w2, b, tanh):
    return tanh(x1 * w1 + x2 * w2 + b)


class ExpressionsTask(Task):
    """Part 2.4: whole expressions — the student's ``staged`` and random programs — with the
    gradient of every input, against the engine."""

    id, student = "ps2.expressions", ("Value", "staged")
    graded_methods = VALUE_METHODS

    def cases(self, hidden):
        cases = [(tr("staged(x, y) = (x + σ(y)) / (σ(x) + (x + y)²) at x = 3, y = -4 (CS231n)"),
                  {"kind": "staged", "x": 3.0, "y": -4.0}),
                 (tr("micrograd's neuron: tanh(x1·w1 + x2·w2 + b) at x = [2, 0], w = [-3, 1], "
                     "b = 6.8813735870195432"),
                  {"kind": "neuron", "x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0,
                   "b": 6.8813735870195432})]
        if hidden:
            def make(r):
                points = [(tr("staged(x, y) at random x, y ({k})", k=k + 1),
                           {"kind": "staged", "x": float(r.uniform(-3, 3)),
                            "y": float(r.uniform(-3, 3))}) for k in range(2)]
                return points + [(tr("random expression {k} ({n} operations)", k=k + 1, n=n),
                                  {"kind": "program", "seed": int(r.integers(2 ** 31)), "n": n})
                                 for k, n in enumerate((10, 20, 40))]
            cases += rng_cases(241, make)
        return cases

    @staticmethod
    def _program(i) -> dict:
        return random_program(np.random.default_rng(i["seed"]), 3, i["n"])

    def _inputs(self, i) -> dict:
        if i["kind"] == "program":
            return {f"x{k}": v for k, v in enumerate(self._program(i)["leaves"])}
        return {k: v for k, v in i.items() if k != "kind"}

    def _build(self, i, leaves: dict, student: dict | None):
        """The expression on the student's Values (``student`` given) or the engine's Nodes."""
        if i["kind"] == "staged":
            return (student["staged"] if student else _engine_staged)(leaves["x"], leaves["y"])
        if i["kind"] == "neuron":
            return _neuron(*leaves.values(), (lambda v: v.tanh()) if student else engine_tanh)
        return _run_program(self._program(i), list(leaves.values()), engine=student is None)

    def run(self, student, i):
        Value = student["Value"]
        leaves = {k: Value(v) for k, v in self._inputs(i).items()}
        out = self._build(i, leaves, student)
        if not isinstance(out, Value):
            raise GradingError(tr("the expression gave {kind}, not a Value.",
                                  kind=type(out).__name__))
        out.backward()
        return {"f": out.data, **{f"d{k}": v.grad for k, v in leaves.items()}}

    def expected(self, i):
        value, grads = engine_gradients(lambda **leaves: self._build(i, leaves, None),
                                        self._inputs(i))
        return {"f": value, **{f"d{k}": g for k, g in grads.items()}}


# ------------------------------------------------------------------ forward mode
class DualNumbersTask(Task):
    """Part 2.5: each operation on dual numbers: value and tangent = Σ local · tangent."""

    id, student = "ps2.dual_numbers", ("Dual",)
    graded_methods = ("__init__", "__add__", "__radd__", "__sub__", "__rsub__", "__mul__",
                      "__rmul__", "__truediv__", "__rtruediv__", "__pow__", "__neg__", "exp",
                      "tanh", "relu")

    def cases(self, hidden):
        cases = [(tr("{case}, tangents a' = 1, b' = 0", case=d), {**v, "da": 1.0, "db": 0.0})
                 for d, v in _value_op_cases(False, 0)[:1]]
        cases += [(tr("a = -1.5, b = 0.5, tangents a' = 2, b' = -1"),
                   {"a": -1.5, "b": 0.5, "da": 2.0, "db": -1.0})]
        if hidden:
            cases += rng_cases(251, lambda r: [
                (tr("random a, b and tangents ({k})", k=k),
                 {"a": float(r.uniform(-2.5, 2.5)), "b": float(r.uniform(-2.5, 2.5)),
                  "da": float(r.normal()), "db": float(r.normal())}) for k in range(3)])
        return cases

    def run(self, student, i):
        Dual = student["Dual"]
        results = {}
        for op in _op_case(i):
            operands = [Dual(i[k], i["d" + k]) for k in "ab"[:op.arity]]
            out = op.student(*operands)
            if not isinstance(out, Dual):
                raise GradingError(tr("{op} returned {kind}, not a Dual.", op=op.label,
                                      kind=type(out).__name__))
            results[f"{op.label}: value"] = getattr(out, "value", None)
            results[f"{op.label}: tangent"] = getattr(out, "tangent", None)
        return results

    def expected(self, i):
        results = {}
        for op, names, value, grads in _engine_ops(i):
            results[f"{op.label}: value"] = value
            results[f"{op.label}: tangent"] = sum(grads[k] * i["d" + k] for k in names)
        return results

    def mistakes(self, i):
        found = {}
        for op, names, _, grads in _engine_ops(i):
            hint = tr("the tangent of {op} is Σ (local gradient × the operand's tangent): "
                      "multiply each local gradient by the tangent it belongs to.", op=op.label)
            pairs = [(hint, sum(grads[k] for k in names))]
            for key, wrong in _op_mistakes(op, i["a"], i["b"]).items():
                k = key[-1]
                pairs += [(text, sum((value if n == k else grads[n]) * i["d" + n] for n in names))
                          for text, value in wrong]
            found[f"{op.label}: tangent"] = pairs
        return found


class ForwardModeTask(Task):
    """Part 2.6: the gradient of f: Rⁿ → R by forward mode, one pass per input."""

    id, student = "ps2.forward_mode", ("forward_mode_gradient",)

    def cases(self, hidden):
        cases = [(tr("e = (a + b)·(b + 1) at a = 2, b = 1 (colah's example)"),
                  {"kind": "colah", "xs": [2.0, 1.0]})]
        if hidden:
            cases += rng_cases(261, lambda r: [
                (tr("a random expression of {n} inputs", n=n), {"kind": "program", "n": n,
                                                        "seed": int(r.integers(2 ** 31))})
                for n in (3, 5)])
        return cases

    @staticmethod
    def _program(i):
        return random_program(np.random.default_rng(i["seed"]), i["n"], 15)

    def _f(self, i, engine: bool):
        if i["kind"] == "colah":
            return lambda xs: (xs[0] + xs[1]) * (xs[1] + 1.0)
        program = self._program(i)
        return lambda xs: _run_program(program, list(xs), engine)

    def _xs(self, i):
        return i["xs"] if i["kind"] == "colah" else self._program(i)["leaves"]

    def run(self, student, i):
        f, calls = self._f(i, engine=False), []

        def counted(xs):
            calls.append(1)
            return f(list(xs))
        gradient = student["forward_mode_gradient"](counted, list(self._xs(i)))
        return {"gradient": gradient, "calls of f (passes)": len(calls)}

    def expected(self, i):
        xs = self._xs(i)
        names = {f"x{k}": v for k, v in enumerate(xs)}
        f = self._f(i, engine=True)
        _, grads = engine_gradients(lambda **leaves: f(list(leaves.values())), names)
        return {"gradient": np.array([grads[k] for k in names]), "calls of f (passes)": len(xs)}

    def mistakes(self, i):
        n = len(self._xs(i))
        return {"calls of f (passes)": [
            (tr("forward mode needs exactly one pass per input (seed that input's tangent with "
                "1, the others with 0); no extra pass is needed for anything else."), float(n + 1))]}


# ------------------------------------------------------------------ a tiny MLP
class MLPTask(Task):
    """Part 2.7: train the given MLP (your Value inside) to ≥ 85 % on held-out points (an
    untrained one scores about 50 %, the model solution 93–100 % over 40 random draws)."""

    id, student = "ps2.mlp", ("train_mlp",)
    target = 0.85

    def cases(self, hidden):
        if hidden:        # other data only (the visible case ran in the visible check)
            return rng_cases(271, lambda r: [(tr("XOR blobs drawn afresh"), {
                "train": int(r.integers(2 ** 31)), "test": int(r.integers(2 ** 31))})])
        return [(tr("XOR blobs: 24 training points, 40 held out"), {"train": 11, "test": 12})]

    def run(self, student, i):
        X, y = xor_blobs(i["train"])
        model = student["train_mlp"](X, y)
        if not hasattr(model, "predict"):
            raise GradingError(tr("train_mlp must return the trained model (an object with "
                                  ".predict(X)); got {kind}.", kind=type(model).__name__))
        return {"test predictions": model.predict(xor_blobs(i["test"], 10)[0])}

    def expected(self, i):
        return {"test predictions": xor_blobs(i["test"], 10)[1]}

    def failures(self, i, outputs):
        truth = xor_blobs(i["test"], 10)[1]
        pred = as_array(outputs.get("test predictions"))
        if pred is None or pred.shape != truth.shape:
            shape = None if pred is None else pred.shape
            return {"test predictions": tr("predict(X) must return one label (0 or 1) per row: "
                                           "shape {expected}, got {shape}.",
                                           expected=truth.shape, shape=shape)}
        accuracy = float(np.mean(pred == truth))
        if accuracy >= self.target:
            return {}
        return {"test predictions": tr(
            "held-out accuracy {accuracy:.0%} is below the target {target:.0%}. Hint: check "
            "that the loss goes down (print it every 10 steps); update every parameter with "
            "p.data -= lr * p.grad after backward(); try a larger learning rate or more steps.",
            accuracy=accuracy, target=self.target)}


TASKS = (ValueOpsTask(), TopologicalOrderTask(), BackwardTask(), ExpressionsTask(),
         DualNumbersTask(), ForwardModeTask(), MLPTask())
