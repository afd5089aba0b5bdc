"""Problem set 1 — gates and circuits: the tasks of its test cells.

Worked examples from the CS231n notes "Backpropagation, Intuitions" (Karpathy): the
multiply gate, the sigmoid neuron w = [2, -3, -3], x = [-1, -2], and the staged
f(x, y) = (x + σ(y)) / (σ(x) + (x + y)²) at x = 3, y = -4.
"""
from __future__ import annotations

import math

import numpy as np

from .. import gates as G
from ..graph import Graph, Node, maximum, sigmoid, var
from ..i18n.messages import tr
from ..mistakes import branches_overwritten, upstream_not_multiplied
from .task import GradingError, Task, engine_gradients, numerical_wrt, results_of, rng_cases

__all__ = ["GateTask", "MultiplyGateTask", "MaxGateTask", "SigmoidGateTask", "NeuronTask",
           "StagedTask", "FanOutTask", "TASKS"]


class GateTask(Task):
    """A student's ``Gate`` subclass against the engine's gate of the same kind."""

    reference = G.Gate
    name = ""
    arg_names: tuple = ()

    @property
    def student(self):
        return (self.name,)

    def run(self, student, inputs):
        gate = student[self.name]()
        args = [inputs[k] for k in self.arg_names]
        out = gate.forward(*args)
        grads = results_of(gate.backward(inputs["upstream"]), f"{self.name}.backward", len(args))
        return {"forward output": out, **{f"d{k}": g for k, g in zip(self.arg_names, grads)}}

    def numerical(self, student, inputs):
        if self.reference is G.MaxGate:           # not differentiable at ties
            return {}
        cls, upstream = student[self.name], inputs["upstream"]
        return numerical_wrt(lambda **a: float(np.sum(cls().forward(*a.values()) * upstream)),
                             {k: inputs[k] for k in self.arg_names})

    def expected(self, inputs):
        gate = self.reference()
        args = [inputs[k] for k in self.arg_names]
        out = gate.forward(*args)
        grads = gate.backward(inputs["upstream"])
        return {"forward output": out, **{f"d{k}": g for k, g in zip(self.arg_names, grads)}}


class MultiplyGateTask(GateTask):
    id, name, reference, arg_names = "ps1.multiply_gate", "MultiplyGate", G.MultiplyGate, ("x", "y")

    def cases(self, hidden):
        cases = [(tr("x = -4, y = 3, upstream 2 (the multiply gate of CS231n's 'Backpropagation, "
                     "Intuitions')"), {"x": -4.0, "y": 3.0, "upstream": 2.0})]
        if hidden:
            cases += rng_cases(101, lambda r: [
                (tr("random numbers"), {"x": float(r.normal()), "y": float(r.normal()),
                                    "upstream": float(r.normal())}),
                (tr("random (3, 4) arrays"), {"x": r.normal(size=(3, 4)), "y": r.normal(size=(3, 4)),
                                          "upstream": r.normal(size=(3, 4))})])
        return cases

    def mistakes(self, i):
        x, y, up = i["x"], i["y"], i["upstream"]
        swap = tr("the multiply gate *swaps* its inputs: dx = upstream · y and dy = upstream · x.")
        return {"dx": [upstream_not_multiplied("dx = upstream · y", y * np.ones_like(up)), (swap, up * x)],
                "dy": [upstream_not_multiplied("dy = upstream · x", x * np.ones_like(up)), (swap, up * y)]}


class MaxGateTask(GateTask):
    id, name, reference, arg_names = "ps1.max_gate", "MaxGate", G.MaxGate, ("x", "y")

    def cases(self, hidden):
        cases = [(tr("x = 4, y = 2, upstream 2 (max routes to x)"), {"x": 4.0, "y": 2.0, "upstream": 2.0}),
                 (tr("x = -1, y = 5, upstream 3 (max routes to y)"), {"x": -1.0, "y": 5.0, "upstream": 3.0})]
        if hidden:
            def make(r):
                x, y = r.normal(size=(4, 3)), r.normal(size=(4, 3))
                y[0, 0] = x[0, 0]             # a tie: only x gets the gradient
                return [(tr("a tie, x = y = 1.5, upstream -2"), {"x": 1.5, "y": 1.5, "upstream": -2.0}),
                        (tr("random (4, 3) arrays with a tie"), {"x": x, "y": y,
                                                             "upstream": r.normal(size=(4, 3))})]
            cases += rng_cases(102, make)
        return cases

    def mistakes(self, i):
        x, y, up = np.asarray(i["x"]), np.asarray(i["y"]), np.asarray(i["upstream"])
        missing = tr("looks like the upstream gradient was not multiplied in (routed, but as 1).")
        smaller = tr("the max gate routes the gradient to the *larger* input, not the smaller one.")
        both = tr("only the larger input gets the gradient; the other one gets 0 (max routes).")
        tie = tr("at a tie (x == y) give the gradient to x only: counting it for both inputs "
                 "doubles it.")
        return {"dx": [(missing, (x >= y) * 1.0), (smaller, up * (x < y)), (both, up * np.ones_like(x))],
                "dy": [(missing, (y > x) * 1.0), (smaller, up * (y <= x)), (both, up * np.ones_like(y)),
                       (tie, up * (y >= x))]}


class SigmoidGateTask(GateTask):
    id, name, reference, arg_names = "ps1.sigmoid_gate", "SigmoidGate", G.SigmoidGate, ("x",)

    def cases(self, hidden):
        cases = [(tr("x = 0, upstream 1"), {"x": 0.0, "upstream": 1.0}),
                 (tr("x = 1, upstream 2 (the CS231n neuron: σ(1) = 0.73)"), {"x": 1.0, "upstream": 2.0})]
        if hidden:
            cases += rng_cases(103, lambda r: [
                (tr("random (5, 2) array"), {"x": r.uniform(-6, 6, size=(5, 2)),
                                         "upstream": r.normal(size=(5, 2))})])
        return cases

    def mistakes(self, i):
        x, up = np.asarray(i["x"]), np.asarray(i["upstream"])
        s = 0.5 * (1 + np.tanh(0.5 * x))
        return {"dx": [upstream_not_multiplied("dx = upstream · σ(1 − σ)", s * (1 - s)),
                       (tr("the local gradient is σ(x)·(1 − σ(x)), not σ(x)."), up * s),
                       (tr("the local gradient is σ(x)·(1 − σ(x)), not 1 − σ(x)."), up * (1 - s)),
                       (tr("σ(1 − σ) uses the *output* σ(x), not the input x."), up * x * (1 - x))]}


class NeuronTask(Task):
    id, student = "ps1.neuron_graph", ("neuron", "MultiplyGate", "SigmoidGate")
    names = ("w0", "x0", "w1", "x1", "w2")

    def cases(self, hidden):
        cases = [(tr("the CS231n neuron: w = [2, -3, -3], x = [-1, -2]"),
                  dict(zip(self.names, (2.0, -1.0, -3.0, -2.0, -3.0))))]
        if hidden:
            cases += rng_cases(104, lambda r: [
                (tr("random weights and inputs"), dict(zip(self.names, map(float, r.normal(size=5)))))])
        return cases

    def run(self, student, inputs):
        leaves = {k: var(v, name=k) for k, v in inputs.items()}
        out = student["neuron"](*leaves.values())
        if not isinstance(out, Node):
            raise GradingError(tr("neuron(...) must return the output Node of the graph, got "
                                  "{kind}.", kind=type(out).__name__))
        graph = Graph(out)
        used = {type(n.gate) for n in graph.nodes if n.gate is not None}
        for cls in ("MultiplyGate", "SigmoidGate"):
            if student[cls] not in used:
                raise GradingError(tr(
                    "neuron(...) must build the graph with your {cls} "
                    "(bl.graph.apply({cls}(), a, b) runs your gate inside the graph).", cls=cls))
        grads = graph.backward()
        return {"output": out.value, **{f"d{k}": grads.get(k) for k in self.names}}

    def expected(self, inputs):
        def build(w0, x0, w1, x1, w2):
            return sigmoid(w0 * x0 + w1 * x1 + w2)
        value, grads = engine_gradients(build, inputs)
        return {"output": value, **{f"d{k}": grads[k] for k in self.names}}


def _staged_f(x, y):
    return (x + sigmoid(y)) / (sigmoid(x) + (x + y) ** 2)


class StagedTask(Task):
    id, student = "ps1.staged_backward", ("staged_f",)

    def cases(self, hidden):
        cases = [(tr("x = 3, y = -4 (the staged example of CS231n's 'Backpropagation, Intuitions')"),
                  {"x": 3.0, "y": -4.0})]
        if hidden:
            cases += rng_cases(105, lambda r: [
                (tr("random point {k}", k=k), {"x": float(r.uniform(-3, 3)), "y": float(r.uniform(-3, 3))})
                for k in range(2)])
        return cases

    def run(self, student, inputs):
        f, dx, dy = results_of(student["staged_f"](inputs["x"], inputs["y"]), "staged_f(x, y)", 3)
        return {"f": f, "dx": dx, "dy": dy}

    def expected(self, inputs):
        value, grads = engine_gradients(_staged_f, inputs)
        return {"f": value, "dx": grads["x"], "dy": grads["y"]}

    def mistakes(self, i):
        x, y = i["x"], i["y"]
        sig = lambda v: 1.0 / (1.0 + math.exp(-v))      # noqa: E731
        sx, sy, xpy = sig(x), sig(y), x + y
        num, den = x + sy, sx + xpy ** 2
        dnum, dden = 1.0 / den, -num / den ** 2
        dxpy = 2 * xpy * dden
        x_hint = tr("some of x's branches were overwritten instead of added: x is used in the "
                    "numerator, in σ(x) and in x + y — use += for every branch after the first.")
        y_hint = tr("some of y's branches were overwritten instead of added: y is used in σ(y) "
                    "and in x + y — use += for every branch after the first.")
        return {"dx": branches_overwritten([dnum, sx * (1 - sx) * dden, dxpy], x_hint),
                "dy": branches_overwritten([sy * (1 - sy) * dnum, dxpy], y_hint)}


class FanOutTask(Task):
    id, student = "ps1.fanout", ("fanout_f",)

    def cases(self, hidden):
        cases = [("a = 2, b = -1", {"a": 2.0, "b": -1.0}), ("a = -1, b = 3", {"a": -1.0, "b": 3.0})]
        if hidden:
            cases += rng_cases(106, lambda r: [
                (tr("random point {k}", k=k), {"a": float(v[0]), "b": float(v[1])})
                for k, v in enumerate(r.uniform(-3, 3, size=(3, 2)))])
        return cases

    def run(self, student, inputs):
        f, da, db = results_of(student["fanout_f"](inputs["a"], inputs["b"]), "fanout_f(a, b)", 3)
        return {"f": f, "da": da, "db": db}

    def expected(self, inputs):
        value, grads = engine_gradients(lambda a, b: a * b + maximum(a, b) * a, inputs)
        return {"f": value, "da": grads["a"], "db": grads["b"]}

    def mistakes(self, i):
        a, b = i["a"], i["b"]
        def hint(name, times, uses):
            return tr("{name} is used {times} (in {uses}): the gradients of all its uses add up "
                      "(+=); one of them was lost.", name=name, times=times, uses=uses)
        return {"da": branches_overwritten(
                    [b, max(a, b), a * (a >= b)],
                    hint("a", tr("three times"), tr("a·b, in max(a, b) and as the factor of max"))),
                "db": branches_overwritten([a, a * (b > a)],
                                           hint("b", tr("twice"), tr("a·b and in max(a, b)")))}


TASKS = (MultiplyGateTask(), MaxGateTask(), SigmoidGateTask(), NeuronTask(), StagedTask(),
         FanOutTask())
