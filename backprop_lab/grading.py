"""What the autograded test cells of the course call: checks with feedback that teaches.

Two kinds of check, used together in every test cell of ``assignments/``:

``check(task_id, **student_code)``  (visible tests)
    Runs the student's functions/classes on the worked examples of the seeds, in the
    notebook's own kernel, and compares every result with the engine's reference.  On a
    mismatch it raises :class:`GradingError` saying *which* result, *which index*,
    expected vs got, and a hint: "looks like the upstream gradient was not multiplied
    in", "shape (3, 2) should be (2, 3): did you forget a transpose?", sign flipped,
    factor of 2, summed vs not summed over the batch, a branch overwritten instead of
    added (``+=``) ...  Only the one wrong entry is shown, never a whole reference array.
    For gates and layers, a wrong gradient is also compared with the centered numerical
    gradient of the student's *own* forward pass (:func:`consistency_notes`), which tells
    a wrong backward from a wrong forward.

``verify_isolated(task_id, **student_code)``  (hidden tests)
    Runs the student's code on fresh random cases in the kernel, then sends *only the
    student's results* (as JSON) to a separate Python process started with ``-E -P``
    (no PYTHON* variables, no current directory on ``sys.path``; user site-packages stay).  That process
    regenerates the cases itself, computes the reference with the engine, compares, and
    answers with a verdict.  Whatever the student patched in the kernel —
    ``builtins.abs``, ``numpy.allclose``, this module's helpers — does not exist there, and
    the test inputs cannot be swapped for easier ones because the reference process does
    not receive them.  Hidden test cells do not look this module up by name: they find
    the installed package with the import system's finders (which skip ``sys.modules``)
    and execute this file into a new private module (``HIDDEN_LOADER`` in
    ``assignments/build_assignments.py``), so reassigning ``grading.fresh``,
    ``grading.verify_isolated`` or ``sys.modules["backprop_lab.grading"]`` changes nothing.

Student code that *is* the package's own reference (``bl.layers.Affine``, a subclass of
``bl.gates.MultiplyGate`` inheriting its methods, ``bl.gradcheck.numerical_gradient``) is
refused before it runs (:func:`_library_reference`).

Every reference gradient comes from the one engine (``bl.Graph`` / ``bl.gates``), or, for
the convolution, from centered numerical differences of a plain forward pass; the
tolerance is ``|got - expected| <= 1e-8 + 1e-6 (|got| + |expected|)`` per entry.

Limits (told honestly in ``assignments/README.md``): test cells run in the student's
kernel, so a student who deliberately rewrites the machinery the hidden tests rely on
(``importlib``, ``subprocess``, ``json``, the installed files) can still cheat; nbgrader offers no
sandbox.  These checks stop the cheap tricks and every accidental pass.

:func:`show` displays a drawing or widget unless nbgrader is executing the notebook
(``NBGRADER_EXECUTION`` set), so grading never waits for rendering.

``CrashTolerantExecute`` (imported lazily, configured in ``assignments/nbgrader_config.py``)
is nbgrader's executor made to survive a cell that kills the kernel.

The tasks (``TASKS``, one per test cell): ``ps1.multiply_gate``, ``ps1.max_gate``,
``ps1.sigmoid_gate``, ``ps1.neuron_graph``, ``ps1.staged_backward``, ``ps1.fanout``,
``ps2.affine``, ``ps2.activations``, ``ps2.softmax_ce``, ``ps2.numerical_gradient``,
``ps2.train``, ``ps3.conv_backward``, ``ps3.conv_rotated``, ``ps3.rnn_step``, ``ps3.bptt``,
``ps3.clipping``, ``ps3.vanishing``.
"""
from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
import warnings

import numpy as np

from . import gates as G
from .gradcheck import numerical_gradient
from .graph import Graph, Node, constant, var

__all__ = ["GradingError", "compare", "check", "verify_isolated", "fresh", "show", "interactive",
           "TASKS", "task_ids", "spiral_split", "conv2d_valid"]

RTOL = 1e-6
ATOL = 1e-8
MAX_MESSAGES = 6


class GradingError(AssertionError):
    """A test did not pass; the message is written for the student."""


# ============================================================== comparing one result
def _to_array(value):
    """float64 array of a number/array, or None when it is not numeric."""
    if isinstance(value, Node):
        value = value.value
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        return None
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array


def _close(got: np.ndarray, expected: np.ndarray, rtol: float = RTOL) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.abs(got - expected) <= ATOL + rtol * (np.abs(got) + np.abs(expected))


def _all_close(got, expected, rtol: float = RTOL) -> bool:
    got, expected = _to_array(got), _to_array(expected)
    if got is None or expected is None or got.shape != expected.shape:
        return False
    return bool(np.all(_close(got, expected, rtol)))


def _shape_hint(got: tuple, expected: tuple, label: str) -> str:
    if len(got) == 2 and got == expected[::-1]:
        return f"did you forget a transpose (or put the factors of the product in the wrong order)?"
    if len(got) == len(expected) + 1 and got[1:] == expected:
        return (f"it is not summed over the batch: a parameter is shared by every example, so "
                f"its gradient adds up the contributions of all rows (sum over axis 0).")
    if len(got) + 1 == len(expected) and expected[1:] == got:
        return ("it looks summed over the batch, but every example (row) needs its own "
                "gradient here.")
    if expected == () and got != ():
        return f"{label} should be a single number."
    return (f"the gradient of a value always has the shape of that value; check which arrays "
            f"you multiplied.")


def _generic_hints(got: np.ndarray, expected: np.ndarray, batch: int | None) -> str | None:
    if not np.any(expected) or expected.size == 0:
        return None
    if not np.any(got):
        return ("it is all zeros: did you return the value you computed (or overwrite it "
                "with zeros)?")
    if np.all(_close(got, -expected)):
        return "the sign is flipped: check the sign of the local gradient."
    if batch and batch > 1:           # before the factor-2 hints: the batch may be 2
        if np.all(_close(got, batch * expected)):
            return (f"it is {batch}× too large — exactly the batch size: the loss is a mean "
                    f"over the {batch} examples, so its gradient carries a 1/{batch}.")
        if np.all(_close(got, expected / batch)):
            return (f"it is {batch}× too small — exactly the batch size: a parameter's "
                    f"gradient sums over the examples (or the 1/{batch} of a mean loss is "
                    f"applied twice).")
    if np.all(_close(got, 2.0 * expected)):
        return ("it is exactly twice the right value: is a contribution counted twice, "
                "or a factor 2 too many?")
    if np.all(_close(got, 0.5 * expected)):
        return "it is exactly half the right value: is a factor 2 (e.g. from x²) missing?"
    return None


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def compare(label: str, got, expected, *, mistakes=(), batch: int | None = None,
            rtol: float = RTOL) -> str | None:
    """None when ``got`` matches ``expected``; else a message for the student.

    ``mistakes``: ``(hint, wrong_value)`` pairs — if ``got`` equals a known wrong value,
    its hint is given.  ``batch``: the batch size, to recognise sum-vs-mean mistakes.
    The message names one wrong entry (index, expected, got), never the whole array.
    """
    expected = np.asarray(expected, dtype=np.float64)
    if got is None:
        return (f"{label}: got None — did you forget to `return` it (or to store it on the "
                f"object)?")
    array = _to_array(got)
    if array is None:
        kind = got.type_name if isinstance(got, _Opaque) else type(got).__name__
        return f"{label}: expected a number or a numpy array, got {kind}."
    if array.shape != expected.shape:
        return (f"{label}: shape {array.shape} should be {expected.shape}: "
                + _shape_hint(array.shape, expected.shape, label))
    if not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        where = f" at index {tuple(int(i) for i in bad)}" if array.ndim else ""
        return (f"{label}: contains NaN or inf{where}. An overflow? (e.g. exp of a large "
                f"number: subtract the maximum first.)")
    ok = _close(array, expected, rtol)
    if np.all(ok):
        return None
    hint = None
    for text, wrong in mistakes:
        if _all_close(array, wrong, rtol):
            hint = text
            break
    if hint is None:
        hint = _generic_hints(array, expected, batch)
    if array.ndim == 0:
        message = f"{label}: expected {_fmt(float(expected))}, got {_fmt(float(array))}."
    else:
        # per entry (to name the worst index): gradcheck.rel_error is the same formula but
        # returns only the maximum, not where it is
        with np.errstate(all="ignore"):
            err = np.abs(array - expected) / np.maximum(1e-8, np.abs(array) + np.abs(expected))
        index = np.unravel_index(int(np.argmax(np.where(ok, -1.0, err))), array.shape)
        index = tuple(int(i) for i in index)
        wrong = int(np.size(ok) - np.count_nonzero(ok))
        message = (f"{label}: wrong at index {index}: expected {_fmt(float(expected[index]))}, "
                   f"got {_fmt(float(array[index]))} ({wrong} of {array.size} entries differ).")
    return message + (f" Hint: {hint}" if hint else "")


# ============================================================== engine references
def engine_gradients(build, values: dict, seed=None):
    """Forward ``build(**leaves)`` with the engine and backpropagate.

    Returns ``(output value, {name: gradient})``; a leaf the output does not use gets zeros.
    """
    leaves = {name: var(value, name=name) for name, value in values.items()}
    out = build(**leaves)
    out.backward(seed)
    grads = {name: (leaf.grad if leaf.grad is not None else np.zeros_like(np.asarray(leaf.value)))
             for name, leaf in leaves.items()}
    return out.value, grads


def conv2d_valid(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """out[i, j] = Σ_ab x[i+a, j+b] · w[a, b]: the package's one 'valid' cross-correlation
    (``conv.correlate2d_valid``, stride 1).  Only the *forward* pass is shared with the
    course's engine; the reference gradients of the conv tasks are centered differences of
    it, independent of the package's conv backward."""
    from .conv import correlate2d_valid
    return correlate2d_valid(x, w)


def spiral_split(seed: int = 7):
    """The data of problem set 2's training task: 3-class spirals, 75 % train / 25 % test."""
    from .datasets import spirals, train_test_split
    X, y = spirals(n_per_class=100, n_classes=3, noise=0.2, seed=seed)
    return train_test_split(X, y, test_fraction=0.25, seed=seed)


# ============================================================== tasks
class Task:
    """One graded exercise: cases, how to run the student's code, the reference.

    ``cases(hidden)`` returns ``[(description, inputs)]``: the seeds' worked examples
    (visible) and seeded random cases (hidden).  ``run(student, inputs)`` calls the
    student's code and returns ``{label: value}``; ``expected(inputs)`` the engine's
    ``{label: value}``; ``mistakes(inputs)`` ``{label: [(hint, wrong value)]}``.
    """

    id = ""
    student: tuple = ()
    rtol = RTOL

    def cases(self, hidden: bool) -> list:
        raise NotImplementedError

    def run(self, student: dict, inputs: dict) -> dict:
        raise NotImplementedError

    def expected(self, inputs: dict) -> dict:
        raise NotImplementedError

    def mistakes(self, inputs: dict) -> dict:
        return {}

    def failures(self, inputs: dict, outputs: dict) -> dict:
        """``{label: message}`` for every wrong result (empty when all are right)."""
        expected = self.expected(inputs)
        mistakes = self.mistakes(inputs)
        batch = self.batch(inputs)
        failures = {}
        for label, value in expected.items():
            if label not in outputs:
                failures[label] = f"{label}: missing from your results."
                continue
            rtol = self.rtol if not isinstance(self.rtol, dict) else self.rtol.get(label, RTOL)
            msg = compare(label, outputs[label], value, mistakes=mistakes.get(label, ()),
                          batch=batch, rtol=rtol)
            if msg:
                failures[label] = msg
        return failures

    def judge(self, inputs: dict, outputs: dict) -> list[str]:
        """Messages for every wrong result (empty when all are right)."""
        return list(self.failures(inputs, outputs).values())

    def batch(self, inputs: dict) -> int | None:
        """The batch size *of a mean loss* (its 1/N is what the batch hints explain); only
        tasks whose result is such a loss (softmax cross-entropy) define it."""
        return None

    def numerical(self, student: dict, inputs: dict) -> dict:
        """``{gradient label: centered differences of the student's own forward}`` where
        that is well defined (smooth gates and layers); empty otherwise."""
        return {}


def _numerical_wrt(loss_of_args, args: dict) -> dict:
    """``{"d<name>": numerical gradient}`` of ``loss_of_args(**args)`` for every argument."""
    grads = {}
    for name, value in args.items():
        def loss(v, name=name):
            return loss_of_args(**{**args, name: v})
        start = value.copy() if isinstance(value, np.ndarray) else float(value)
        grads[f"d{name}"] = numerical_gradient(loss, start)
    return grads


def consistency_notes(task: Task, student: dict, inputs: dict, outputs: dict) -> list[str]:
    """For each wrong gradient: does it at least match the numerical gradient of the
    student's own forward?  That tells a wrong backward from a wrong forward."""
    failing = task.failures(inputs, outputs)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            numeric = task.numerical(student, _copy(inputs))
    except Exception:             # the student's forward fails: the messages say so already
        return []
    notes = []
    for label, value in numeric.items():
        got = _to_array(outputs.get(label))
        if label not in failing or got is None or got.shape != np.shape(value):
            continue
        if np.all(_close(got, np.asarray(value), 1e-5)):
            notes.append(f"{label} does match the numerical gradient of *your* forward pass, so "
                         f"backward is consistent with it: look for the mistake in forward.")
        else:
            notes.append(f"{label} does not match the numerical gradient of your own forward "
                         f"pass either: the mistake is in backward.")
    return notes


def _copy(inputs: dict) -> dict:
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}


def _pair(result, what: str, n: int) -> tuple:
    if not isinstance(result, (tuple, list)) or len(result) != n:
        raise GradingError(f"{what} must return a tuple of {n} values; got "
                           f"{type(result).__name__}"
                           + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
                           + ".")
    return tuple(result)


# ---------------------------------------------------------------- problem set 1
class GateTask(Task):
    """A student's ``Gate`` subclass against the engine's gate of the same kind."""

    reference = G.Gate
    name = ""

    @property
    def student(self):
        return (self.name,)

    def run(self, student, inputs):
        gate = student[self.name]()
        args = [inputs[k] for k in self.arg_names]
        out = gate.forward(*args)
        grads = _pair(gate.backward(inputs["upstream"]), f"{self.name}.backward", len(args))
        return {"forward output": out,
                **{f"d{k}": g for k, g in zip(self.arg_names, grads)}}

    def numerical(self, student, inputs):
        if self.reference is G.MaxGate:           # not differentiable at ties
            return {}
        cls, upstream = student[self.name], inputs["upstream"]
        return _numerical_wrt(lambda **a: float(np.sum(cls().forward(*a.values()) * upstream)),
                              {k: inputs[k] for k in self.arg_names})

    def expected(self, inputs):
        gate = self.reference()
        args = [inputs[k] for k in self.arg_names]
        out = gate.forward(*args)
        grads = gate.backward(inputs["upstream"])
        return {"forward output": out, **{f"d{k}": g for k, g in zip(self.arg_names, grads)}}


def _rng_cases(seed: int, make) -> list:
    rng = np.random.default_rng(seed)
    return make(rng)


class MultiplyGateTask(GateTask):
    id, name, reference, arg_names = "ps1.multiply_gate", "MultiplyGate", G.MultiplyGate, ("x", "y")

    def cases(self, hidden):
        cases = [("x = -4, y = 3, upstream 2 (seed 001's multiply gate)",
                  {"x": -4.0, "y": 3.0, "upstream": 2.0})]
        if hidden:
            cases += _rng_cases(101, lambda r: [
                ("random numbers", {"x": float(r.normal()), "y": float(r.normal()),
                                    "upstream": float(r.normal())}),
                ("random (3, 4) arrays", {"x": r.normal(size=(3, 4)), "y": r.normal(size=(3, 4)),
                                          "upstream": r.normal(size=(3, 4))})])
        return cases

    def mistakes(self, i):
        x, y, up = i["x"], i["y"], i["upstream"]
        missing = "looks like the upstream gradient was not multiplied in ({} = upstream · {})."
        swap = "the multiply gate *swaps* its inputs: dx = upstream · y and dy = upstream · x."
        return {"dx": [(missing.format("dx", "y"), y * np.ones_like(up)), (swap, up * x)],
                "dy": [(missing.format("dy", "x"), x * np.ones_like(up)), (swap, up * y)]}


class MaxGateTask(GateTask):
    id, name, reference, arg_names = "ps1.max_gate", "MaxGate", G.MaxGate, ("x", "y")

    def cases(self, hidden):
        cases = [("x = 4, y = 2, upstream 2 (max routes to x)", {"x": 4.0, "y": 2.0, "upstream": 2.0}),
                 ("x = -1, y = 5, upstream 3 (max routes to y)", {"x": -1.0, "y": 5.0, "upstream": 3.0})]
        if hidden:
            def make(r):
                x, y = r.normal(size=(4, 3)), r.normal(size=(4, 3))
                y[0, 0] = x[0, 0]             # a tie: only x gets the gradient
                return [("a tie, x = y = 1.5, upstream -2", {"x": 1.5, "y": 1.5, "upstream": -2.0}),
                        ("random (4, 3) arrays with a tie", {"x": x, "y": y,
                                                             "upstream": r.normal(size=(4, 3))})]
            cases += _rng_cases(102, make)
        return cases

    def mistakes(self, i):
        x, y, up = np.asarray(i["x"]), np.asarray(i["y"]), np.asarray(i["upstream"])
        missing = "looks like the upstream gradient was not multiplied in (routed, but as 1)."
        smaller = "the max gate routes the gradient to the *larger* input, not the smaller one."
        both = "only the larger input gets the gradient; the other one gets 0 (max routes)."
        tie = ("at a tie (x == y) give the gradient to x only: counting it for both inputs "
               "doubles it.")
        return {"dx": [(missing, (x >= y) * 1.0), (smaller, up * (x < y)), (both, up * np.ones_like(x))],
                "dy": [(missing, (y > x) * 1.0), (smaller, up * (y <= x)), (both, up * np.ones_like(y)),
                       (tie, up * (y >= x))]}


class SigmoidGateTask(GateTask):
    id, name, reference, arg_names = "ps1.sigmoid_gate", "SigmoidGate", G.SigmoidGate, ("x",)

    def cases(self, hidden):
        cases = [("x = 0, upstream 1", {"x": 0.0, "upstream": 1.0}),
                 ("x = 1, upstream 2 (seed 001's neuron: σ(1) = 0.73)", {"x": 1.0, "upstream": 2.0})]
        if hidden:
            cases += _rng_cases(103, lambda r: [
                ("random (5, 2) array", {"x": r.uniform(-6, 6, size=(5, 2)),
                                         "upstream": r.normal(size=(5, 2))})])
        return cases

    def mistakes(self, i):
        x, up = np.asarray(i["x"]), np.asarray(i["upstream"])
        s = 0.5 * (1 + np.tanh(0.5 * x))
        return {"dx": [("looks like the upstream gradient was not multiplied in (dx = upstream · σ(1 − σ)).",
                        s * (1 - s)),
                       ("the local gradient is σ(x)·(1 − σ(x)), not σ(x).", up * s),
                       ("the local gradient is σ(x)·(1 − σ(x)), not 1 − σ(x).", up * (1 - s)),
                       ("σ(1 − σ) uses the *output* σ(x), not the input x.", up * x * (1 - x))]}


class NeuronTask(Task):
    id, student = "ps1.neuron_graph", ("neuron", "MultiplyGate", "SigmoidGate")
    names = ("w0", "x0", "w1", "x1", "w2")

    def cases(self, hidden):
        cases = [("seed 001's neuron: w = [2, -3, -3], x = [-1, -2]",
                  dict(zip(self.names, (2.0, -1.0, -3.0, -2.0, -3.0))))]
        if hidden:
            cases += _rng_cases(104, lambda r: [
                ("random weights and inputs", dict(zip(self.names, map(float, r.normal(size=5)))))])
        return cases

    def run(self, student, inputs):
        leaves = {k: var(v, name=k) for k, v in inputs.items()}
        out = student["neuron"](*leaves.values())
        if not isinstance(out, Node):
            raise GradingError(f"neuron(...) must return the output Node of the graph, got "
                               f"{type(out).__name__}.")
        graph = Graph(out)
        used = {type(n.gate) for n in graph.nodes if n.gate is not None}
        for cls in ("MultiplyGate", "SigmoidGate"):
            if student[cls] not in used:
                raise GradingError(
                    f"neuron(...) must build the graph with your {cls} "
                    f"(bl.graph.apply({cls}(), a, b) runs your gate inside the graph).")
        grads = graph.backward()
        return {"output": out.value, **{f"d{k}": grads.get(k) for k in self.names}}

    def expected(self, inputs):
        def build(w0, x0, w1, x1, w2):
            from .graph import sigmoid
            return sigmoid(w0 * x0 + w1 * x1 + w2)
        value, grads = engine_gradients(build, inputs)
        return {"output": value, **{f"d{k}": grads[k] for k in self.names}}


def _staged_f(x, y):
    from .graph import sigmoid
    return (x + sigmoid(y)) / (sigmoid(x) + (x + y) ** 2)


def _subset_sums(parts: list) -> list:
    """Sums of every non-empty proper subset of ``parts`` (the 'a branch was overwritten' values)."""
    sums = []
    n = len(parts)
    for mask in range(1, 2 ** n - 1):
        sums.append(sum(p for k, p in enumerate(parts) if mask >> k & 1))
    return sums


class StagedTask(Task):
    id, student = "ps1.staged_backward", ("staged_f",)
    overwrite = ("some of x's branches were overwritten instead of added: x is used in the "
                 "numerator, in σ(x) and in x + y — use += for every branch after the first.")

    def cases(self, hidden):
        cases = [("x = 3, y = -4 (seed 001)", {"x": 3.0, "y": -4.0})]
        if hidden:
            cases += _rng_cases(105, lambda r: [
                (f"random point {k}", {"x": float(r.uniform(-3, 3)), "y": float(r.uniform(-3, 3))})
                for k in range(2)])
        return cases

    def run(self, student, inputs):
        f, dx, dy = _pair(student["staged_f"](inputs["x"], inputs["y"]), "staged_f(x, y)", 3)
        return {"f": f, "dx": dx, "dy": dy}

    def expected(self, inputs):
        value, grads = engine_gradients(_staged_f, inputs)
        return {"f": value, "dx": grads["x"], "dy": grads["y"]}

    def mistakes(self, i):
        x, y = i["x"], i["y"]
        sig = lambda v: 1.0 / (1.0 + math.exp(-v))
        sx, sy, xpy = sig(x), sig(y), x + y
        num, den = x + sy, sx + xpy ** 2
        dnum, dden = 1.0 / den, -num / den ** 2
        dxpy = 2 * xpy * dden
        x_parts = [dnum, sx * (1 - sx) * dden, dxpy]
        y_parts = [sy * (1 - sy) * dnum, dxpy]
        y_hint = self.overwrite.replace("x is used in the numerator, in σ(x) and in x + y",
                                        "y is used in σ(y) and in x + y")
        return {"dx": [(self.overwrite, v) for v in _subset_sums(x_parts)],
                "dy": [(y_hint, v) for v in _subset_sums(y_parts)]}


class FanOutTask(Task):
    id, student = "ps1.fanout", ("fanout_f",)

    def cases(self, hidden):
        cases = [("a = 2, b = -1", {"a": 2.0, "b": -1.0}), ("a = -1, b = 3", {"a": -1.0, "b": 3.0})]
        if hidden:
            cases += _rng_cases(106, lambda r: [
                (f"random point {k}", {"a": float(v[0]), "b": float(v[1])})
                for k, v in enumerate(r.uniform(-3, 3, size=(3, 2)))])
        return cases

    def run(self, student, inputs):
        f, da, db = _pair(student["fanout_f"](inputs["a"], inputs["b"]), "fanout_f(a, b)", 3)
        return {"f": f, "da": da, "db": db}

    def expected(self, inputs):
        from .graph import maximum
        value, grads = engine_gradients(lambda a, b: a * b + maximum(a, b) * a, inputs)
        return {"f": value, "da": grads["a"], "db": grads["b"]}

    def mistakes(self, i):
        a, b = i["a"], i["b"]
        hint = ("a is used three times (in a·b, in max(a, b) and as the factor of max): the "
                "gradients of all its uses add up (+=); one of them was lost.")
        return {"da": [(hint, v) for v in _subset_sums([b, max(a, b), a * (a >= b)])],
                "db": [(hint.replace("a is used three times (in a·b, in max(a, b) and as the "
                                     "factor of max)", "b is used twice (in a·b and in max(a, b))"), v)
                       for v in _subset_sums([a, a * (b > a)])]}


# ---------------------------------------------------------------- problem set 2
class AffineTask(Task):
    id, student = "ps2.affine", ("Affine",)

    def cases(self, hidden):
        x = np.array([[1.0, 2.0, -1.0], [0.5, -2.0, 3.0]])
        W = np.arange(12.0).reshape(3, 4) / 10 - 0.5
        # a dout that is not all ones: a backward that ignores it must fail here already
        dout = np.array([[1.0, -2.0, 0.5, 3.0], [2.0, 1.0, -1.0, 0.5]])
        cases = [("x (2, 3), W (3, 4), b (4,), dout (2, 4)",
                  {"x": x, "W": W, "b": np.array([0.1, -0.2, 0.3, 0.0]), "dout": dout})]
        if hidden:
            cases += _rng_cases(201, lambda r: [
                ("random x (5, 4), W (4, 3)", {"x": r.normal(size=(5, 4)), "W": r.normal(size=(4, 3)),
                                               "b": r.normal(size=3), "dout": r.normal(size=(5, 3))}),
                ("a batch of one, x (1, 6), W (6, 2)", {"x": r.normal(size=(1, 6)), "W": r.normal(size=(6, 2)),
                                                        "b": r.normal(size=2), "dout": r.normal(size=(1, 2))})])
        return cases

    def run(self, student, i):
        layer = student["Affine"](i["W"], i["b"])
        out = layer.forward(i["x"])
        dx = layer.backward(i["dout"])
        return {"forward output": out, "dx": dx, "dW": getattr(layer, "dW", None),
                "db": getattr(layer, "db", None)}

    def numerical(self, student, i):
        Affine, dout = student["Affine"], i["dout"]
        return _numerical_wrt(lambda x, W, b: float(np.sum(Affine(W, b).forward(x) * dout)),
                              {"x": i["x"], "W": i["W"], "b": i["b"]})

    def expected(self, i):
        out, grads = engine_gradients(lambda x, W, b: x @ W + b,
                                      {"x": i["x"], "W": i["W"], "b": i["b"]}, seed=i["dout"])
        return {"forward output": out, "dx": grads["x"], "dW": grads["W"], "db": grads["b"]}

    def mistakes(self, i):
        # no loss here (dout is given), so no "mean loss" batch hint: the mistakes are named
        n = i["x"].shape[0]
        mean = ("a parameter is shared by every example: its gradient is the *sum* of their "
                "contributions over the batch (axis 0), not the mean.")
        ones = np.ones_like(i["dout"])
        missing = "looks like the upstream gradient (dout) was not multiplied in ({})."
        return {"dx": [(missing.format("dx = dout · Wᵀ"), ones @ i["W"].T)],
                "dW": [(missing.format("dW = xᵀ · dout"), i["x"].T @ ones),
                       (mean, i["x"].T @ i["dout"] / n)],
                "db": [(missing.format("db = Σ over the batch of dout"), ones.sum(axis=0)),
                       (mean, i["dout"].mean(axis=0))]}


class ActivationTask(Task):
    id, student = "ps2.activations", ("ReLU", "Sigmoid")

    def cases(self, hidden):
        cases = [("x = [[-1, 0, 2]], dout = [[5, 5, 5]]",
                  {"x": np.array([[-1.0, 0.0, 2.0]]), "dout": np.full((1, 3), 5.0)})]
        if hidden:
            def make(r):
                x = r.normal(size=(4, 5))
                x[1, 2] = 0.0                 # the kink: ReLU passes no gradient at 0
                return [("random (4, 5) with a zero", {"x": x, "dout": r.normal(size=(4, 5))})]
            cases += _rng_cases(202, make)
        return cases

    def run(self, student, i):
        results = {}
        for name in self.student:
            layer = student[name]()
            results[f"{name} forward"] = layer.forward(i["x"])
            results[f"{name} dx"] = layer.backward(i["dout"])
        return results

    def numerical(self, student, i):          # ReLU has a kink at 0: sigmoid only
        Sigmoid, dout = student["Sigmoid"], i["dout"]
        grads = _numerical_wrt(lambda x: float(np.sum(Sigmoid().forward(x) * dout)), {"x": i["x"]})
        return {"Sigmoid dx": grads["dx"]}

    def expected(self, i):
        from .graph import relu, sigmoid
        out = {}
        for name, fn in (("ReLU", relu), ("Sigmoid", sigmoid)):
            value, grads = engine_gradients(lambda x: fn(x), {"x": i["x"]}, seed=i["dout"])
            out[f"{name} forward"], out[f"{name} dx"] = value, grads["x"]
        return out

    def mistakes(self, i):
        x, dout = i["x"], i["dout"]
        s = 0.5 * (1 + np.tanh(0.5 * x))
        missing = "looks like the upstream gradient (dout) was not multiplied in."
        return {"ReLU dx": [(missing, (x > 0) * 1.0),
                            ("at x = 0 ReLU passes no gradient: use the mask x > 0, not x >= 0.",
                             dout * (x >= 0))],
                "Sigmoid dx": [(missing, s * (1 - s)),
                               ("the local gradient is σ(x)·(1 − σ(x)), not σ(x).", dout * s)]}


class SoftmaxTask(Task):
    id, student = "ps2.softmax_ce", ("softmax_cross_entropy",)

    def cases(self, hidden):
        cases = [("2 examples, 3 classes", {"scores": np.array([[1.0, 2.0, 3.0], [1.0, -1.0, 0.0]]),
                                            "y": np.array([2, 0])})]
        if hidden:
            cases += _rng_cases(203, lambda r: [
                ("random (6, 4) scores", {"scores": r.normal(size=(6, 4)), "y": r.integers(0, 4, 6)}),
                ("large scores (the max trick)", {"scores": 500 + 50 * r.normal(size=(3, 5)),
                                                  "y": r.integers(0, 5, 3)})])
        return cases

    def run(self, student, i):
        loss, dscores = _pair(student["softmax_cross_entropy"](i["scores"], i["y"]),
                              "softmax_cross_entropy(scores, y)", 2)
        return {"loss": loss, "dscores": dscores}

    @staticmethod
    def _onehot(i):
        onehot = np.zeros_like(i["scores"])
        onehot[np.arange(len(i["y"])), i["y"]] = 1.0
        return onehot

    def expected(self, i):
        from .graph import exp, log
        n = i["scores"].shape[0]
        onehot = self._onehot(i)
        shift = constant(np.max(i["scores"], axis=1, keepdims=True))

        def build(s):
            z = s - shift
            log_probs = z - log(exp(z).sum(axis=1, keepdims=True))
            return -(log_probs * onehot).sum() * (1.0 / n)
        loss, grads = engine_gradients(build, {"s": i["scores"]})
        return {"loss": loss, "dscores": grads["s"]}

    def mistakes(self, i):
        s = i["scores"] - i["scores"].max(axis=1, keepdims=True)
        p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
        n = len(i["y"])
        return {"dscores": [("subtract 1 at the correct class: dscores = (p − onehot(y)) / N.", p / n)]}

    def batch(self, i):
        return i["scores"].shape[0]


class NumericalGradientTask(Task):
    id, student = "ps2.numerical_gradient", ("numerical_gradient",)

    @staticmethod
    def f(x):
        return float(np.sum(x ** 3) + x[0, 0] * x[-1, -1])

    @staticmethod
    def grad(x):
        g = 3 * x ** 2
        g[0, 0] += x[-1, -1]
        g[-1, -1] += x[0, 0]
        return g

    def cases(self, hidden):
        cases = [("f(x) = Σx³ + x₀₀·x₁₂ at x = [[1, 2, 3], [-1, 0, 0.5]]",
                  {"x": np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 0.5]])})]
        if hidden:
            cases += _rng_cases(204, lambda r: [("random (3, 4)", {"x": r.normal(size=(3, 4))})])
        return cases

    def run(self, student, i):
        x = i["x"].copy()
        grad = student["numerical_gradient"](self.f, x)
        return {"gradient": grad, "x after the call (must be restored)": x}

    def expected(self, i):
        return {"gradient": self.grad(i["x"]), "x after the call (must be restored)": i["x"]}

    def mistakes(self, i):
        x, h = i["x"], 1e-5
        one_sided = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            plus = x.copy()
            plus[idx] += h
            one_sided[idx] = (self.f(plus) - self.f(x)) / h
        return {"gradient": [("that is the one-sided difference (f(x+h) − f(x)) / h: use the "
                              "centered one, (f(x+h) − f(x−h)) / 2h.", one_sided)]}

    rtol = {"gradient": 1e-6, "x after the call (must be restored)": 0.0}


class TrainingTask(Task):
    id, student = "ps2.train", ("train_two_layer",)
    target = 0.9

    def cases(self, hidden):
        cases = [("3-class spirals (100 points per class), 25 % held out", {"seed": 7})]
        if hidden:        # other data: predictions cannot be the visible case's known labels
            cases += [("3-class spirals drawn with another seed", {"seed": 2026})]
        return cases

    def run(self, student, i):
        X_train, y_train, X_test, _ = spiral_split(i["seed"])
        model = student["train_two_layer"](X_train, y_train)
        if not hasattr(model, "predict"):
            raise GradingError("train_two_layer must return the trained model (an object with "
                               f".predict(X)); got {type(model).__name__}.")
        return {"test predictions": model.predict(X_test)}

    def expected(self, i):
        return {"test predictions": spiral_split(i["seed"])[3]}

    def judge(self, i, outputs):
        truth = spiral_split(i["seed"])[3]
        pred = _to_array(outputs.get("test predictions"))
        if pred is None or pred.shape != truth.shape:
            shape = None if pred is None else pred.shape
            return [f"predict(X_test) must return one integer label per row: shape {truth.shape}, "
                    f"got {shape}."]
        accuracy = float(np.mean(pred == truth))
        if accuracy >= self.target:
            return []
        return [f"test accuracy {accuracy:.1%} is below the target {self.target:.0%}. Hint: "
                f"check your gradients first (the gradient checker), then the learning rate "
                f"and the number of iterations; a hidden layer of 50–100 ReLUs is enough."]


# ---------------------------------------------------------------- problem set 3
def _full_correlate(d: np.ndarray, k: np.ndarray) -> np.ndarray:
    hh, ww = k.shape
    padded = np.pad(d, ((hh - 1, hh - 1), (ww - 1, ww - 1)))
    return conv2d_valid(padded, k)


class ConvTask(Task):
    id, student = "ps3.conv_backward", ("conv2d_backward",)

    def cases(self, hidden):
        cases = [("seed 002: x 3×3 (1..9), w 2×2, dout 2×2",
                  {"x": np.arange(1.0, 10.0).reshape(3, 3), "w": np.array([[1.0, 2.0], [3.0, 4.0]]),
                   "dout": np.array([[1.0, -1.0], [2.0, 0.5]])})]
        if hidden:
            cases += _rng_cases(301, lambda r: [
                ("random x 5×6, w 3×2", {"x": r.normal(size=(5, 6)), "w": r.normal(size=(3, 2)),
                                         "dout": r.normal(size=(3, 5))})])
        return cases

    def run(self, student, i):
        dx, dw = _pair(student["conv2d_backward"](i["dout"], i["x"], i["w"]),
                       "conv2d_backward(dout, x, w)", 2)
        return {"dx": dx, "dw": dw}

    @staticmethod
    def reference(i):
        """Centered differences of the plain forward pass (exact up to rounding: conv is linear)."""
        x, w, dout = i["x"].copy(), i["w"].copy(), i["dout"]
        dx = numerical_gradient(lambda v: float(np.sum(conv2d_valid(v, w) * dout)), x)
        dw = numerical_gradient(lambda v: float(np.sum(conv2d_valid(x, v) * dout)), w)
        return dx, dw

    def expected(self, i):
        dx, dw = self.reference(i)
        return {"dx": dx, "dw": dw}

    def mistakes(self, i):
        return {"dx": [("dx is the *full* convolution of dout with the kernel rotated by 180° "
                        "(np.rot90(w, 2)); the kernel was not rotated.",
                        _full_correlate(i["dout"], i["w"]))]}

    rtol = 1e-6


class RotatedConvTask(ConvTask):
    id, student = "ps3.conv_rotated", ("conv_dx_rotated",)

    def run(self, student, i):
        return {"dx": student["conv_dx_rotated"](i["dout"], i["w"])}

    def expected(self, i):
        return {"dx": self.reference(i)[0]}


def _rnn_step(x, h_prev, Wx, Wh, b):
    from .graph import tanh
    return tanh(x @ Wx + h_prev @ Wh + b)


class RNNStepTask(Task):
    id, student = "ps3.rnn_step", ("rnn_step_backward",)
    labels = ("dx", "dh_prev", "dWx", "dWh", "db")

    def cases(self, hidden):
        def make(seed, n, d, h):
            r = np.random.default_rng(seed)
            return {"x": r.normal(size=(n, d)), "h_prev": r.normal(size=(n, h)),
                    "Wx": 0.5 * r.normal(size=(d, h)), "Wh": 0.5 * r.normal(size=(h, h)),
                    "b": 0.1 * r.normal(size=h), "dh": r.normal(size=(n, h))}
        cases = [("N = 2, D = 3, H = 4", make(302, 2, 3, 4))]
        if hidden:
            cases += [("N = 4, D = 5, H = 3", make(303, 4, 5, 3))]
        return cases

    @staticmethod
    def cache(i):
        h = np.tanh(i["x"] @ i["Wx"] + i["h_prev"] @ i["Wh"] + i["b"])
        return (i["x"], i["h_prev"], i["Wx"], i["Wh"], h)

    def run(self, student, i):
        grads = _pair(student["rnn_step_backward"](i["dh"], self.cache(i)),
                      "rnn_step_backward(dh, cache)", 5)
        return dict(zip(self.labels, grads))

    def expected(self, i):
        names = ("x", "h_prev", "Wx", "Wh", "b")
        _, grads = engine_gradients(_rnn_step, {k: i[k] for k in names}, seed=i["dh"])
        return {f"d{k}": grads[k] for k in names}

    def mistakes(self, i):
        x, hp, Wx, Wh, _, = i["x"], i["h_prev"], i["Wx"], i["Wh"], i["b"]
        da = i["dh"]        # the mistake: tanh's local gradient (1 - h²) left out
        hint = "multiply by tanh's local gradient (1 − h²) before the matrix products."
        return {"dx": [(hint, da @ Wx.T)], "dh_prev": [(hint, da @ Wh.T)],
                "dWx": [(hint, x.T @ da)], "dWh": [(hint, hp.T @ da)], "db": [(hint, da.sum(0))]}


class BPTTTask(RNNStepTask):
    id, student = "ps3.bptt", ("rnn_backward",)
    labels = ("dxs", "dh0", "dWx", "dWh", "db")

    def cases(self, hidden):
        def make(seed, t, n, d, h):
            r = np.random.default_rng(seed)
            return {"xs": r.normal(size=(t, n, d)), "h0": r.normal(size=(n, h)),
                    "Wx": 0.5 * r.normal(size=(d, h)), "Wh": 0.5 * r.normal(size=(h, h)),
                    "b": 0.1 * r.normal(size=h), "dhs": r.normal(size=(t, n, h))}
        cases = [("T = 3, N = 2, D = 3, H = 4", make(304, 3, 2, 3, 4))]
        if hidden:
            cases += [("T = 5, N = 3, D = 2, H = 3", make(305, 5, 3, 2, 3))]
        return cases

    @staticmethod
    def caches(i):
        caches, h = [], i["h0"]
        for x in i["xs"]:
            h_next = np.tanh(x @ i["Wx"] + h @ i["Wh"] + i["b"])
            caches.append((x, h, i["Wx"], i["Wh"], h_next))
            h = h_next
        return caches

    def run(self, student, i):
        grads = _pair(student["rnn_backward"](i["dhs"].copy(), self.caches(i)),
                      "rnn_backward(dhs, caches)", 5)
        return dict(zip(self.labels, grads))

    def expected(self, i):
        T = len(i["xs"])
        names = ["h0", "Wx", "Wh", "b"] + [f"x{t}" for t in range(T)]
        values = {"h0": i["h0"], "Wx": i["Wx"], "Wh": i["Wh"], "b": i["b"],
                  **{f"x{t}": i["xs"][t] for t in range(T)}}

        def build(h0, Wx, Wh, b, **xs):
            h, loss = h0, None
            for t in range(T):
                h = _rnn_step(xs[f"x{t}"], h, Wx, Wh, b)
                term = (h * i["dhs"][t]).sum()
                loss = term if loss is None else loss + term
            return loss
        _, grads = engine_gradients(build, {k: values[k] for k in names})
        return {"dxs": np.stack([grads[f"x{t}"] for t in range(T)]), "dh0": grads["h0"],
                "dWx": grads["Wx"], "dWh": grads["Wh"], "db": grads["b"]}

    def mistakes(self, i):
        # the mistake: each step backpropagates only its own dhs[t], not what comes from t+1
        step = RNNStepTask()
        sums = {"dWx": 0.0, "dWh": 0.0, "db": 0.0}
        dxs = []
        for t, cache in enumerate(self.caches(i)):
            x, h_prev, Wx, Wh, _ = cache
            g = step.expected({"x": x, "h_prev": h_prev, "Wx": Wx, "Wh": Wh, "b": i["b"],
                               "dh": i["dhs"][t]})
            dxs.append(g["dx"])
            for k in sums:
                sums[k] = sums[k] + g[k]
        hint = ("the gradient arriving at h_t from step t+1 (dh_prev of the later step) must be "
                "added to dhs[t] before backpropagating step t.")
        return {"dxs": [(hint, np.stack(dxs))], **{k: [(hint, v)] for k, v in sums.items()}}


class ClippingTask(Task):
    id, student = "ps3.clipping", ("clip_by_global_norm",)

    def cases(self, hidden):
        cases = [("grads [3, 4] and [12], max_norm 6.5 (norm 13 → halved)",
                  {"grads": [np.array([3.0, 4.0]), np.array([12.0])], "max_norm": 6.5})]
        if hidden:
            def make(r):
                grads = [r.normal(size=(3, 2)), r.normal(size=4), r.normal(size=(2, 2, 2))]
                return [("three arrays, norm above the threshold", {"grads": grads, "max_norm": 1.0}),
                        ("three arrays, norm below the threshold (unchanged)",
                         {"grads": [g.copy() for g in grads], "max_norm": 100.0})]
            cases += _rng_cases(306, make)
        return cases

    def run(self, student, i):
        clipped, norm = _pair(student["clip_by_global_norm"]([g.copy() for g in i["grads"]],
                                                             i["max_norm"]),
                              "clip_by_global_norm(grads, max_norm)", 2)
        if not isinstance(clipped, (list, tuple)) or len(clipped) != len(i["grads"]):
            raise GradingError("clip_by_global_norm must return (list of clipped arrays, "
                               "global norm), one array per input gradient.")
        return {"global norm": norm, **{f"clipped[{k}]": g for k, g in enumerate(clipped)}}

    def expected(self, i):
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in i["grads"]))
        scale = min(1.0, i["max_norm"] / norm)
        return {"global norm": norm, **{f"clipped[{k}]": g * scale for k, g in enumerate(i["grads"])}}

    def mistakes(self, i):
        per_array = [g * min(1.0, i["max_norm"] / np.linalg.norm(g)) for g in i["grads"]]
        hint = ("clip by the *global* norm of all gradients together (one scale factor for "
                "all arrays), not each array by its own norm.")
        return {f"clipped[{k}]": [(hint, g)] for k, g in enumerate(per_array)}


def _orthogonal(rng, n: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.normal(size=(n, n)))
    return q * np.sign(np.diag(r))


class VanishingTask(Task):
    id, student = "ps3.vanishing", ("gradient_norms", "growth_rate")
    rtol = {"growth rate": 1e-2}

    def cases(self, hidden):
        def make(seed, rho, T, H=6):
            r = np.random.default_rng(seed)
            return {"W": rho * _orthogonal(r, H), "T": T, "g": r.normal(size=H), "rho": rho}
        cases = [("W = 0.9·Q, T = 10", make(307, 0.9, 10))]
        if hidden:
            cases += [("W = 1.1·Q, T = 20", make(308, 1.1, 20)), ("W = 0.5·Q, T = 15", make(309, 0.5, 15))]
        return cases

    def run(self, student, i):
        norms = student["gradient_norms"](i["W"].copy(), i["T"], i["g"].copy())
        rate = student["growth_rate"](np.asarray(norms, dtype=np.float64).copy())
        return {"norms": norms, "growth rate": rate}

    def expected(self, i):
        T = i["T"]
        h0 = var(np.zeros(i["W"].shape[0]), name="h0")
        hs = [h0]
        for _ in range(T):
            hs.append(hs[-1] @ i["W"])             # linear RNN, row-vector convention
        hs[-1].backward(seed=i["g"])
        norms = np.array([np.linalg.norm(hs[T - k].grad) for k in range(T + 1)])
        return {"norms": norms, "growth rate": i["rho"]}

    def mistakes(self, i):
        return {"norms": [("the norms must run backwards from the last step: norms[0] is "
                           "‖∂L/∂h_T‖, norms[k] is ‖∂L/∂h_(T−k)‖.",
                           self.expected(i)["norms"][::-1])]}


TASKS: dict[str, Task] = {task.id: task for task in (
    MultiplyGateTask(), MaxGateTask(), SigmoidGateTask(), NeuronTask(), StagedTask(), FanOutTask(),
    AffineTask(), ActivationTask(), SoftmaxTask(), NumericalGradientTask(), TrainingTask(),
    ConvTask(), RotatedConvTask(), RNNStepTask(), BPTTTask(), ClippingTask(), VanishingTask())}


def task_ids() -> list[str]:
    return list(TASKS)


def _task(task_id: str) -> Task:
    try:
        return TASKS[task_id]
    except KeyError:
        raise ValueError(f"grading: unknown task {task_id!r}; known tasks: {task_ids()}.") from None


def _student(task: Task, given: dict) -> dict:
    missing = [name for name in task.student if name not in given]
    if missing:
        raise ValueError(f"grading: task {task.id!r} needs {list(task.student)}; missing {missing}.")
    return given


# ---------------------------------------------------------------- the library is not an answer
# The package contains a reference for most exercises (bl.gates.MultiplyGate, bl.layers.Affine,
# bl.gradcheck.numerical_gradient ...).  Handing one in — directly, by subclassing it, or by
# copying one of its methods into a class — is not a solution.  Detected by where the code
# was compiled (``co_filename`` inside this package); the abstract bases the exercises build
# on stay allowed.  A hand-written wrapper that *calls* a reference is not detected.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_ALLOWED_BASES = {("gates.py", "Gate"), ("gates.py", "ElementwiseGate"), ("layers.py", "Layer")}


def _code_of(obj):
    """The code object behind a function, method, partial, static/class method, or None."""
    for _ in range(10):                     # unwrap a few layers, never loop forever
        if isinstance(obj, (staticmethod, classmethod)) or hasattr(obj, "__func__"):
            obj = obj.__func__
        elif hasattr(obj, "func") and callable(getattr(obj, "func")):    # functools.partial
            obj = obj.func
        elif hasattr(obj, "__wrapped__"):
            obj = obj.__wrapped__
        else:
            break
    code = getattr(obj, "__code__", None)
    return code if hasattr(code, "co_filename") else None


def _library_code(code) -> str | None:
    """``'<file>: <qualname>'`` when ``code`` was compiled from this package (not an allowed
    base class's method), else None."""
    if code is None:
        return None
    filename = os.path.abspath(str(code.co_filename))
    if os.path.dirname(filename) != _PACKAGE_DIR:
        return None
    qualname = getattr(code, "co_qualname", code.co_name)
    owner = qualname.rsplit(".", 1)[0] if "." in qualname else ""
    if (os.path.basename(filename), owner) in _ALLOWED_BASES:
        return None
    return f"backprop_lab.{os.path.basename(filename)[:-3]}.{qualname}"


_GRADED_METHODS = ("__init__", "__call__", "forward", "backward", "local_gradients", "predict")


def _library_reference(name: str, obj) -> str | None:
    """A message when the student's ``obj`` is, or inherits a graded method from,
    backprop_lab's own reference code; None for the student's own code."""
    if isinstance(obj, type):
        for method in _GRADED_METHODS:
            owner = next((k for k in obj.__mro__ if method in vars(k)), None)
            if owner is None or owner is object:
                continue
            found = _library_code(_code_of(vars(owner)[method]))
            if found:
                return (f"{name}.{method} is backprop_lab's own {found}: the exercise is to "
                        f"write it yourself, so this part scores 0. Subclass only the `Gate` "
                        f"base class (or nothing) and write the methods in your own code.")
        return None
    code = _code_of(obj)
    if code is None and callable(obj):
        return _library_reference(name, type(obj))          # a callable object
    found = _library_code(code)
    if found:
        return (f"{name} is backprop_lab's own {found}: the exercise is to write it "
                f"yourself, so this part scores 0.")
    return None


def _run_case(task: Task, student: dict, inputs: dict):
    """(outputs, None) or (None, message) when the student's code raised."""
    for name in task.student:
        problem = _library_reference(name, student[name])
        if problem:
            return None, problem
    try:
        # a warning printed on stderr would make nbgrader score the test cell 0 even when
        # the results are right: results are judged, not warnings
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return task.run(student, _copy(inputs)), None
    except GradingError as error:
        return None, str(error)
    except Exception as error:                       # the student's code failed: report it
        if isinstance(error, NotImplementedError):
            return None, ("your code raised NotImplementedError: write your solution where it "
                          "says `# YOUR CODE HERE` and delete the `raise NotImplementedError()`.")
        detail = f": {error}" if str(error) else ""
        return None, f"your code raised {type(error).__name__}{detail}"


def _judge_case(task: Task, description: str, inputs: dict, outputs, error) -> list[str]:
    if error is not None:
        return [f"[{description}] {error}"]
    with np.errstate(all="ignore"):
        return [f"[{description}] {m}" for m in task.judge(inputs, outputs)]


def _report(header: str, messages: list[str]) -> str:
    shown = messages[:MAX_MESSAGES]
    more = len(messages) - len(shown)
    return (header + "\n  " + "\n  ".join(shown)
            + (f"\n  ... and {more} more." if more else ""))


# ============================================================== visible checks
def check(task_id: str, **student) -> None:
    """Visible test: the worked examples, in this kernel, with hints.  Raises GradingError."""
    task = _task(task_id)
    student = _student(task, student)
    messages = []
    for description, inputs in task.cases(hidden=False):
        outputs, error = _run_case(task, student, inputs)
        found = _judge_case(task, description, inputs, outputs, error)
        if found and error is None:
            found += [f"[{description}] {note}"
                      for note in consistency_notes(task, student, inputs, outputs)]
        messages += found
    if messages:
        raise GradingError(_report(f"{task_id}: not yet right.", messages))
    print(f"{task_id}: the worked examples pass.")


# ============================================================== isolated (hidden) checks
def _encode(value):
    if isinstance(value, Node):
        value = value.value
    if value is None:
        return {"kind": "none"}
    array = _to_array(value)
    if array is None:
        return {"kind": "other", "type": type(value).__name__}
    return {"kind": "array", "shape": list(array.shape),
            "data": [float(v) for v in array.ravel().tolist()]}


def _decode(item):
    kind = item.get("kind") if isinstance(item, dict) else None
    if kind == "none":
        return None
    if kind == "array":
        data = np.array(item["data"], dtype=np.float64)
        return data.reshape(tuple(int(n) for n in item["shape"]))
    return _Opaque(item.get("type", "?") if isinstance(item, dict) else "?")


class _Opaque:
    """A non-numeric result the student returned (only its type name crosses over)."""

    def __init__(self, type_name: str):
        self.type_name = type_name


# The separate judge: ``-E`` ignores PYTHON* variables (PYTHONPATH, PYTHONSTARTUP ...) and
# ``-P`` keeps the current directory (the student's folder) off ``sys.path``.  Not ``-I``:
# that also disables user site-packages, where ``pip install --user`` puts backprop_lab.
ISOLATION_FLAGS = ("-E", "-P")


def verify_isolated(task_id: str, **student) -> None:
    """Hidden test: run the student's code here, judge it in a separate ``python -E -P``.

    Raises GradingError unless the separate process answers exactly ``"passed": true``.
    """
    task = _task(task_id)
    student = _student(task, student)
    results = []
    for _description, inputs in task.cases(hidden=True):
        outputs, error = _run_case(task, student, inputs)
        encoded = None if outputs is None else {k: _encode(v) for k, v in outputs.items()}
        results.append({"outputs": encoded, "error": error})
    payload = json.dumps({"task": task_id, "results": results})
    process = subprocess.run([sys.executable, *ISOLATION_FLAGS, "-m", "backprop_lab.grading"],
                             input=payload, capture_output=True, text=True, timeout=120)
    lines = process.stdout.strip().splitlines()
    try:
        verdict = json.loads(lines[-1]) if lines else None
    except ValueError:
        verdict = None
    if not isinstance(verdict, dict) or process.returncode != 0:
        raise GradingError(f"{task_id}: the hidden check could not run (exit code "
                           f"{process.returncode}): {process.stderr.strip()[-500:]}")
    if verdict.get("passed") is not True:
        raise GradingError(_report(
            f"{task_id}: hidden tests (checked in a separate Python process) failed.",
            list(verdict.get("messages") or ["no verdict"])))
    print(f"{task_id}: hidden tests pass.")


def _isolated_main() -> None:
    """Entry point of the separate process: JSON in on stdin, verdict out on stdout."""
    request = json.loads(sys.stdin.read())
    task = _task(request["task"])
    cases = task.cases(hidden=True)
    results = request.get("results") or []
    messages = []
    if len(results) != len(cases):
        messages.append(f"expected results for {len(cases)} cases, got {len(results)}.")
    else:
        for (description, inputs), result in zip(cases, results):
            outputs = result.get("outputs")
            decoded = None if outputs is None else {k: _decode(v) for k, v in outputs.items()}
            messages += _judge_case(task, description, inputs, decoded,
                                    None if decoded is not None else str(result.get("error")))
    print(json.dumps({"passed": not messages, "messages": messages}))


def fresh():
    """A new copy of this module, loaded again from its file.

    Attributes the notebook reassigned on ``backprop_lab.grading`` do not exist in the copy.
    (The notebooks' hidden cells load the copy inline instead, since a student can replace
    this function itself.)
    """
    spec = importlib.util.spec_from_file_location("backprop_lab._grading_fresh", _THIS_FILE,
                                                  submodule_search_locations=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "backprop_lab"
    spec.loader.exec_module(module)
    return module


_THIS_FILE = os.path.abspath(__file__)


# ============================================================== display
def interactive() -> bool:
    """False while nbgrader validates or autogrades (it sets ``NBGRADER_EXECUTION``)."""
    return not os.environ.get("NBGRADER_EXECUTION")


def show(make, *args, **kwargs) -> None:
    """Display ``make(*args, **kwargs)`` (or ``make`` itself when it is not callable) —
    but do nothing, not even build it, while nbgrader executes the notebook."""
    if not interactive():
        return
    from IPython.display import display
    display(make(*args, **kwargs) if callable(make) else make)


# ============================================================== nbgrader: kernel crashes
KERNEL_DIED = ("The kernel died while running this cell (os._exit, a segfault, running out "
               "of memory ...). It was restarted and the cells above were run again, so the "
               "rest of the notebook is still graded.")


def _crash_tolerant_execute():
    """nbgrader's ``Execute`` preprocessor, except that a cell that kills the kernel does
    not abort the notebook: the cell gets an error output (its part scores 0), a new
    kernel replays the code cells above it, and execution goes on with the next cell.

    Configured in ``assignments/nbgrader_config.py`` as the first autograde preprocessor
    (``backprop_lab.grading.CrashTolerantExecute``); defined lazily so that importing this
    module in a student's notebook does not import nbgrader.
    """
    import copy

    import nbformat
    from jupyter_core.utils import run_sync
    from nbclient.exceptions import DeadKernelError
    from nbgrader.preprocessors import Execute

    class CrashTolerantExecute(Execute):
        __doc__ = _crash_tolerant_execute.__doc__

        def preprocess(self, nb, resources=None, km=None):
            self._crashed = set()          # indices of the cells that killed the kernel
            return super().preprocess(nb, resources, km)

        def preprocess_cell(self, cell, resources, index):
            try:
                return super().preprocess_cell(cell, resources, index)
            except DeadKernelError:
                self.log.warning("cell %d killed the kernel; restarting and replaying", index)
                cell.outputs.append(nbformat.v4.new_output(
                    "error", ename="DeadKernelError", evalue=KERNEL_DIED,
                    traceback=[f"DeadKernelError: {KERNEL_DIED}"]))
                self._crashed.add(index)
                self._restart_and_replay(index)
                return cell, self.resources

        def _restart_and_replay(self, index):
            run_sync(self.km.restart_kernel)(now=True)
            self.wait_for_reply(self.kc.kernel_info())
            for i, earlier in enumerate(self.nb.cells[:index]):
                # a cell that killed the kernel once would kill it again: leave it out
                if earlier.cell_type != "code" or i in self._crashed:
                    continue
                try:      # on a copy: the graded outputs of the first run are kept
                    self.execute_cell(copy.deepcopy(earlier), i, store_history=False)
                except DeadKernelError:
                    run_sync(self.km.restart_kernel)(now=True)
                    self.wait_for_reply(self.kc.kernel_info())
                finally:  # nbclient stores the executed cell at its index: put ours back
                    self.nb.cells[i] = earlier

    CrashTolerantExecute.__module__ = __name__
    return CrashTolerantExecute


def __getattr__(name):
    if name == "CrashTolerantExecute":
        cls = _crash_tolerant_execute()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    _isolated_main()
