"""Problem set 3 — layers: the tasks of its test cells.

The Affine layer follows the API of the post "理解反向传播计算梯度" (understanding the
gradients of backpropagation, 2023) with the transposes its backward forgot; softmax
cross-entropy, a numerical gradient checker, training on spirals and the initial weights
(lesson 14: symmetry, variance scale) complete the set.
"""
from __future__ import annotations

import numpy as np

from ..graph import constant, exp, log, relu, sigmoid
from ..i18n.messages import tr
from ..mistakes import as_array, hint_text, upstream_not_multiplied
from ..values import format_value
from .data import spiral_split
from .task import (GradingError, Task, engine_gradients, numerical_wrt, results_of, rng_cases,
                   salted)

__all__ = ["AffineTask", "ActivationTask", "SoftmaxTask", "NumericalGradientTask", "TrainingTask",
           "InitTask", "TASKS"]


class AffineTask(Task):
    id, student = "ps3.affine", ("Affine",)

    def cases(self, hidden):
        x = np.array([[1.0, 2.0, -1.0], [0.5, -2.0, 3.0]])
        W = np.arange(12.0).reshape(3, 4) / 10 - 0.5
        # a dout that is not all ones: a backward that ignores it must fail here already
        dout = np.array([[1.0, -2.0, 0.5, 3.0], [2.0, 1.0, -1.0, 0.5]])
        cases = [("x (2, 3), W (3, 4), b (4,), dout (2, 4)",
                  {"x": x, "W": W, "b": np.array([0.1, -0.2, 0.3, 0.0]), "dout": dout})]
        if hidden:
            cases += rng_cases(201, lambda r: [
                (tr("random x (5, 4), W (4, 3)"), {"x": r.normal(size=(5, 4)), "W": r.normal(size=(4, 3)),
                                               "b": r.normal(size=3), "dout": r.normal(size=(5, 3))}),
                (tr("a batch of one, x (1, 6), W (6, 2)"), {"x": r.normal(size=(1, 6)), "W": r.normal(size=(6, 2)),
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
        return numerical_wrt(lambda x, W, b: float(np.sum(Affine(W, b).forward(x) * dout)),
                             {"x": i["x"], "W": i["W"], "b": i["b"]})

    def expected(self, i):
        out, grads = engine_gradients(lambda x, W, b: x @ W + b,
                                      {"x": i["x"], "W": i["W"], "b": i["b"]}, seed=i["dout"])
        return {"forward output": out, "dx": grads["x"], "dW": grads["W"], "db": grads["b"]}

    def mistakes(self, i):
        # no loss here (dout is given), so no "mean loss" batch hint: the mistakes are named
        n = i["x"].shape[0]
        mean = tr("a parameter is shared by every example: its gradient is the *sum* of their "
                  "contributions over the batch (axis 0), not the mean.")
        ones = np.ones_like(i["dout"])
        return {"dx": [upstream_not_multiplied("dx = dout · Wᵀ", ones @ i["W"].T, "dout")],
                "dW": [upstream_not_multiplied("dW = xᵀ · dout", i["x"].T @ ones, "dout"),
                       (mean, i["x"].T @ i["dout"] / n)],
                "db": [upstream_not_multiplied(tr("db = Σ over the batch of dout"), ones.sum(axis=0), "dout"),
                       (mean, i["dout"].mean(axis=0))]}


class ActivationTask(Task):
    id, student = "ps3.activations", ("ReLU", "Sigmoid")

    def cases(self, hidden):
        cases = [("x = [[-1, 0, 2]], dout = [[5, 5, 5]]",
                  {"x": np.array([[-1.0, 0.0, 2.0]]), "dout": np.full((1, 3), 5.0)})]
        if hidden:
            def make(r):
                x = r.normal(size=(4, 5))
                x[1, 2] = 0.0                 # the kink: ReLU passes no gradient at 0
                return [(tr("random (4, 5) with a zero"), {"x": x, "dout": r.normal(size=(4, 5))})]
            cases += rng_cases(202, make)
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
        grads = numerical_wrt(lambda x: float(np.sum(Sigmoid().forward(x) * dout)), {"x": i["x"]})
        return {"Sigmoid dx": grads["dx"]}

    def expected(self, i):
        out = {}
        for name, fn in (("ReLU", relu), ("Sigmoid", sigmoid)):
            value, grads = engine_gradients(lambda x: fn(x), {"x": i["x"]}, seed=i["dout"])
            out[f"{name} forward"], out[f"{name} dx"] = value, grads["x"]
        return out

    def mistakes(self, i):
        x, dout = i["x"], i["dout"]
        s = 0.5 * (1 + np.tanh(0.5 * x))
        return {"ReLU dx": [upstream_not_multiplied("dx = dout · [x > 0]", (x > 0) * 1.0, "dout"),
                            (tr("at x = 0 ReLU passes no gradient: use the mask x > 0, not x >= 0."),
                             dout * (x >= 0))],
                "Sigmoid dx": [upstream_not_multiplied("dx = dout · σ(1 − σ)", s * (1 - s), "dout"),
                               (tr("the local gradient is σ(x)·(1 − σ(x)), not σ(x)."), dout * s)]}


class SoftmaxTask(Task):
    id, student = "ps3.softmax_ce", ("softmax_cross_entropy",)

    def cases(self, hidden):
        cases = [(tr("2 examples, 3 classes"), {"scores": np.array([[1.0, 2.0, 3.0], [1.0, -1.0, 0.0]]),
                                            "y": np.array([2, 0])})]
        if hidden:
            cases += rng_cases(203, lambda r: [
                (tr("random (6, 4) scores"), {"scores": r.normal(size=(6, 4)), "y": r.integers(0, 4, 6)}),
                (tr("large scores (the max trick)"), {"scores": 500 + 50 * r.normal(size=(3, 5)),
                                                  "y": r.integers(0, 5, 3)})])
        return cases

    def run(self, student, i):
        loss, dscores = results_of(student["softmax_cross_entropy"](i["scores"], i["y"]),
                                   "softmax_cross_entropy(scores, y)", 2)
        return {"loss": loss, "dscores": dscores}

    def expected(self, i):
        n = i["scores"].shape[0]
        onehot = np.zeros_like(i["scores"])
        onehot[np.arange(len(i["y"])), i["y"]] = 1.0
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
        return {"dscores": [(tr("subtract 1 at the correct class: dscores = (p − onehot(y)) / N."),
                             p / n)]}

    def batch(self, i):
        return i["scores"].shape[0]


class NumericalGradientTask(Task):
    id, student = "ps3.numerical_gradient", ("numerical_gradient",)
    rtol = {"gradient": 1e-6, "x after the call (must be restored)": 0.0}

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
        cases = [(tr("f(x) = Σx³ + x₀₀·x₁₂ at x = [[1, 2, 3], [-1, 0, 0.5]]"),
                  {"x": np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 0.5]])})]
        if hidden:
            cases += rng_cases(204, lambda r: [(tr("random (3, 4)"), {"x": r.normal(size=(3, 4))})])
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
        return {"gradient": [(tr("that is the one-sided difference (f(x+h) − f(x)) / h: use the "
                                 "centered one, (f(x+h) − f(x−h)) / 2h."), one_sided)]}


class TrainingTask(Task):
    id, student = "ps3.train", ("train_two_layer",)
    target = 0.9

    def cases(self, hidden):
        cases = [(tr("3-class spirals (100 points per class), 25 % held out"), {"seed": 7})]
        if hidden:        # other data: predictions cannot be the visible case's known labels
            cases += [(tr("3-class spirals drawn with another seed"), {"seed": salted(2026)})]
        return cases

    def run(self, student, i):
        X_train, y_train, X_test, _ = spiral_split(i["seed"])
        model = student["train_two_layer"](X_train, y_train)
        if not hasattr(model, "predict"):
            raise GradingError(tr("train_two_layer must return the trained model (an object "
                                  "with .predict(X)); got {kind}.", kind=type(model).__name__))
        return {"test predictions": model.predict(X_test)}

    def expected(self, i):
        return {"test predictions": spiral_split(i["seed"])[3]}

    def judge(self, i, outputs):
        truth = spiral_split(i["seed"])[3]
        pred = as_array(outputs.get("test predictions"))
        if pred is None or pred.shape != truth.shape:
            shape = None if pred is None else pred.shape
            return [tr("predict(X_test) must return one integer label per row: shape {expected}, "
                       "got {shape}.", expected=truth.shape, shape=shape)]
        accuracy = float(np.mean(pred == truth))
        if accuracy >= self.target:
            return []
        return [tr("test accuracy {accuracy:.1%} is below the target {target:.0%}. Hint: check "
                   "your gradients first (the gradient checker), then the learning rate and the "
                   "number of iterations; a hidden layer of 50–100 ReLUs is enough.",
                   accuracy=accuracy, target=self.target)]


class InitTask(Task):
    """Initial weights: random (the symmetry between hidden units broken), with the variance
    that keeps the scale of the signal and of the gradient from layer to layer (lesson 14).

    Not a value comparison: any zero-mean distribution of the right variance passes, drawn
    with the generator handed in.  The sample variance of n weights spreads by about
    sqrt(2/n) (1–2 % here); the tolerance is 10 %.
    """
    id, student = "ps3.init", ("init_weights",)
    tolerance = 0.1
    depth = 20

    def cases(self, hidden):
        cases = [(tr("a ReLU layer, 200 → 100"), {"n_in": 200, "n_out": 100, "activation": "relu", "seed": 0}),
                 (tr("a tanh layer, 60 → 240"), {"n_in": 60, "n_out": 240, "activation": "tanh", "seed": 1})]
        if hidden:
            cases += rng_cases(205, lambda r: [
                (tr("a ReLU layer of other sizes"), {"n_in": int(r.integers(150, 300)), "n_out": int(r.integers(50, 100)),
                                                "activation": "relu", "seed": int(r.integers(2 ** 31))}),
                (tr("a tanh layer of other sizes"), {"n_in": int(r.integers(50, 100)), "n_out": int(r.integers(150, 300)),
                                                "activation": "tanh", "seed": int(r.integers(2 ** 31))})])
        return cases

    def run(self, student, i):
        def draw(seed):
            return student["init_weights"](i["n_in"], i["n_out"], i["activation"],
                                           np.random.default_rng(seed))
        W = as_array(draw(i["seed"]))
        if W is None:
            raise GradingError(tr("init_weights must return an array of weights; got something else."))
        again, other = as_array(draw(i["seed"])), as_array(draw(i["seed"] + 1))
        same_shape = (lambda V: V is not None and V.shape == W.shape)
        return {"W": W,
                "largest change drawn again from the same seed":
                    float(np.max(np.abs(again - W))) if same_shape(again) and W.size else np.inf,
                "largest change drawn from another seed":
                    float(np.max(np.abs(other - W))) if same_shape(other) and W.size else 0.0}

    @staticmethod
    def scales(i) -> dict:
        """The variances of the named initializations for this layer."""
        n_in, n_out = i["n_in"], i["n_out"]
        return {"he": 2.0 / n_in, "xavier": 2.0 / (n_in + n_out), "lecun": 1.0 / n_in}

    def target(self, i) -> float:
        return self.scales(i)["he" if i["activation"] == "relu" else "xavier"]

    def variance_hint(self, i, var: float) -> str:
        """What a wrong variance most likely comes from."""
        s, relu, target = self.scales(i), i["activation"] == "relu", self.target(i)
        known = [(1.0, tr("that is the variance of a standard normal: scale the draws by "
                          "the standard deviation you want (multiply by its square root).")),
                 (target ** 2, tr("rng.normal(0, s) takes the standard deviation s, not the "
                                  "variance: s = sqrt(variance)."))]
        if relu:
            known += [(s["lecun"], tr("1/n_in (LeCun) keeps the scale of a layer that passes "
                                      "its whole input; ReLU zeroes half of it, so He doubles it: "
                                      "2/n_in.")),
                      (s["xavier"], tr("2/(n_in + n_out) is Xavier's scale, for tanh; after a "
                                       "ReLU use He's 2/n_in."))]
        else:
            known += [(s["he"], tr("2/n_in is He's scale, for ReLU (which zeroes half of its "
                                   "input); tanh passes values near 0 unchanged: Xavier's "
                                   "2/(n_in + n_out).")),
                      (s["lecun"], tr("1/n_in (LeCun) keeps only the forward signal's scale; "
                                      "Xavier averages fan-in and fan-out: 2/(n_in + n_out)."))]
        for value, hint in known:
            if abs(var / value - 1) < self.tolerance:
                return hint_text(hint)
        return ""

    def failures(self, i, outputs):
        def fmt(x):
            return format_value(x, precision=4, minus="-")
        n_in, n_out, act = i["n_in"], i["n_out"], i["activation"]
        W = as_array(outputs.get("W"))
        if W is None or W.shape != (n_in, n_out):
            shape = None if W is None else W.shape
            message = tr("W: expected shape ({n_in}, {n_out}), got {shape}.", n_in=n_in,
                         n_out=n_out, shape=shape)
            if shape == (n_out, n_in):
                message += " " + tr("The layer computes x @ W with x of shape (N, n_in): W is "
                                    "(n_in, n_out).")
            return {"W": message}
        if not np.all(np.isfinite(W)):
            return {"W": tr("W holds inf or nan.")}
        columns = np.unique(W, axis=1).shape[1]
        if columns < n_out:
            distinct = (tr("W has {n_out} columns but only {columns} distinct ones", n_out=n_out,
                           columns=columns) if columns != 1 else
                        tr("W has {n_out} columns but only {columns} distinct one", n_out=n_out,
                           columns=columns))
            return {"symmetry": tr(
                "{distinct} — hidden units whose weights start equal compute the same value, get "
                "the same gradient and stay equal forever. Draw every weight at random.",
                distinct=distinct)}
        failures = {}
        target, var, mean = self.target(i), float(W.var()), float(W.mean())
        name = "He: 2/n_in" if act == "relu" else "Xavier: 2/(n_in + n_out)"
        if abs(var / target - 1) > self.tolerance:
            # the rho^k law: what this variance does to the signal through `depth` layers
            factor = var / target
            failures["variance"] = tr(
                "W: variance {var}, expected {target} ({name}, with n_in = {n_in}, n_out = {n_out}). "
                "Then each {act} layer multiplies the variance of the signal (and of the gradient) "
                "by {factor} times what the right scale gives: ×{total} after {depth} layers.",
                var=fmt(var), target=fmt(target), name=name, n_in=n_in, n_out=n_out, act=act,
                factor=fmt(factor), total=fmt(factor ** self.depth), depth=self.depth,
            ) + self.variance_hint(i, var)
        elif abs(mean) > 6 * np.sqrt(target / W.size):
            failures["mean"] = tr("W: mean {mean}; the weights must have mean 0.", mean=fmt(mean))
        again = outputs.get("largest change drawn again from the same seed")
        other = outputs.get("largest change drawn from another seed")
        if as_array(again) is None or float(as_array(again)) != 0.0:
            failures["same seed"] = tr(
                "the same seed gave other weights: draw them with the generator `rng` you are "
                "given (rng.normal, rng.standard_normal), not np.random's global one — a run "
                "must be reproducible.")
        elif as_array(other) is None or float(as_array(other)) == 0.0:
            failures["another seed"] = tr("another seed gave the same weights: they must be drawn "
                                          "at random, with `rng`.")
        return failures


TASKS = (AffineTask(), ActivationTask(), SoftmaxTask(), NumericalGradientTask(), TrainingTask(),
         InitTask())
