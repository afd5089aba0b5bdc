"""Problem set 3 — layers: the tasks of its test cells.

The Affine layer follows the API of the post "理解反向传播计算梯度" (understanding the
gradients of backpropagation, 2023) with the transposes its backward forgot; softmax
cross-entropy, a numerical gradient checker and training on spirals complete the set.
"""
from __future__ import annotations

import numpy as np

from ..graph import constant, exp, log, relu, sigmoid
from ..mistakes import as_array, upstream_not_multiplied
from .data import spiral_split
from .task import (GradingError, Task, engine_gradients, numerical_wrt, results_of, rng_cases,
                   salted)

__all__ = ["AffineTask", "ActivationTask", "SoftmaxTask", "NumericalGradientTask", "TrainingTask",
           "TASKS"]


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
        return numerical_wrt(lambda x, W, b: float(np.sum(Affine(W, b).forward(x) * dout)),
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
        return {"dx": [upstream_not_multiplied("dx = dout · Wᵀ", ones @ i["W"].T, "dout")],
                "dW": [upstream_not_multiplied("dW = xᵀ · dout", i["x"].T @ ones, "dout"),
                       (mean, i["x"].T @ i["dout"] / n)],
                "db": [upstream_not_multiplied("db = Σ over the batch of dout", ones.sum(axis=0), "dout"),
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
                return [("random (4, 5) with a zero", {"x": x, "dout": r.normal(size=(4, 5))})]
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
                            ("at x = 0 ReLU passes no gradient: use the mask x > 0, not x >= 0.",
                             dout * (x >= 0))],
                "Sigmoid dx": [upstream_not_multiplied("dx = dout · σ(1 − σ)", s * (1 - s), "dout"),
                               ("the local gradient is σ(x)·(1 − σ(x)), not σ(x).", dout * s)]}


class SoftmaxTask(Task):
    id, student = "ps3.softmax_ce", ("softmax_cross_entropy",)

    def cases(self, hidden):
        cases = [("2 examples, 3 classes", {"scores": np.array([[1.0, 2.0, 3.0], [1.0, -1.0, 0.0]]),
                                            "y": np.array([2, 0])})]
        if hidden:
            cases += rng_cases(203, lambda r: [
                ("random (6, 4) scores", {"scores": r.normal(size=(6, 4)), "y": r.integers(0, 4, 6)}),
                ("large scores (the max trick)", {"scores": 500 + 50 * r.normal(size=(3, 5)),
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
        return {"dscores": [("subtract 1 at the correct class: dscores = (p − onehot(y)) / N.", p / n)]}

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
        cases = [("f(x) = Σx³ + x₀₀·x₁₂ at x = [[1, 2, 3], [-1, 0, 0.5]]",
                  {"x": np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 0.5]])})]
        if hidden:
            cases += rng_cases(204, lambda r: [("random (3, 4)", {"x": r.normal(size=(3, 4))})])
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


class TrainingTask(Task):
    id, student = "ps3.train", ("train_two_layer",)
    target = 0.9

    def cases(self, hidden):
        cases = [("3-class spirals (100 points per class), 25 % held out", {"seed": 7})]
        if hidden:        # other data: predictions cannot be the visible case's known labels
            cases += [("3-class spirals drawn with another seed", {"seed": salted(2026)})]
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
        pred = as_array(outputs.get("test predictions"))
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


TASKS = (AffineTask(), ActivationTask(), SoftmaxTask(), NumericalGradientTask(), TrainingTask())
