"""Problem set 4 — backprop in CNNs and RNNs: the tasks of its test cells.

The convolution's dx as the full convolution with the 180°-rotated kernel, and gradients
that explode or vanish through time, follow the Towards Data Science article "Yes you
should listen to Andrej Karpathy, and understand back propagation".
"""
from __future__ import annotations

import math

import numpy as np

from ..gradcheck import numerical_gradient
from ..graph import tanh, var
from ..i18n.messages import tr
from .data import conv2d_valid
from .task import GradingError, Task, engine_gradients, results_of, rng_cases, salted

__all__ = ["ConvTask", "RotatedConvTask", "RNNStepTask", "BPTTTask", "ClippingTask",
           "VanishingTask", "TASKS"]


def _full_correlate(d: np.ndarray, k: np.ndarray) -> np.ndarray:
    hh, ww = k.shape
    padded = np.pad(d, ((hh - 1, hh - 1), (ww - 1, ww - 1)))
    return conv2d_valid(padded, k)


class ConvTask(Task):
    id, student = "ps4.conv_backward", ("conv2d_backward",)

    def cases(self, hidden):
        cases = [(tr("x 3×3 (1..9), w 2×2, dout 2×2 (the article's example)"),
                  {"x": np.arange(1.0, 10.0).reshape(3, 3), "w": np.array([[1.0, 2.0], [3.0, 4.0]]),
                   "dout": np.array([[1.0, -1.0], [2.0, 0.5]])})]
        if hidden:
            cases += rng_cases(301, lambda r: [
                (tr("random x 5×6, w 3×2"), {"x": r.normal(size=(5, 6)), "w": r.normal(size=(3, 2)),
                                         "dout": r.normal(size=(3, 5))})])
        return cases

    def run(self, student, i):
        dx, dw = results_of(student["conv2d_backward"](i["dout"], i["x"], i["w"]),
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
        return {"dx": [(tr("dx is the *full* convolution of dout with the kernel rotated by 180° "
                        "(np.rot90(w, 2)); the kernel was not rotated."),
                        _full_correlate(i["dout"], i["w"]))]}


class RotatedConvTask(ConvTask):
    id, student = "ps4.conv_rotated", ("conv_dx_rotated",)

    def run(self, student, i):
        return {"dx": student["conv_dx_rotated"](i["dout"], i["w"])}

    def expected(self, i):
        return {"dx": self.reference(i)[0]}


def _rnn_step(x, h_prev, Wx, Wh, b):
    return tanh(x @ Wx + h_prev @ Wh + b)


class RNNStepTask(Task):
    id, student = "ps4.rnn_step", ("rnn_step_backward",)
    labels = ("dx", "dh_prev", "dWx", "dWh", "db")

    def cases(self, hidden):
        def make(seed, n, d, h):
            r = np.random.default_rng(seed)
            return {"x": r.normal(size=(n, d)), "h_prev": r.normal(size=(n, h)),
                    "Wx": 0.5 * r.normal(size=(d, h)), "Wh": 0.5 * r.normal(size=(h, h)),
                    "b": 0.1 * r.normal(size=h), "dh": r.normal(size=(n, h))}
        cases = [("N = 2, D = 3, H = 4", make(302, 2, 3, 4))]
        if hidden:
            cases += [("N = 4, D = 5, H = 3", make(salted(303), 4, 5, 3))]
        return cases

    @staticmethod
    def cache(i):
        h = np.tanh(i["x"] @ i["Wx"] + i["h_prev"] @ i["Wh"] + i["b"])
        return (i["x"], i["h_prev"], i["Wx"], i["Wh"], h)

    def run(self, student, i):
        grads = results_of(student["rnn_step_backward"](i["dh"], self.cache(i)),
                           "rnn_step_backward(dh, cache)", 5)
        return dict(zip(self.labels, grads))

    def expected(self, i):
        names = ("x", "h_prev", "Wx", "Wh", "b")
        _, grads = engine_gradients(_rnn_step, {k: i[k] for k in names}, seed=i["dh"])
        return {f"d{k}": grads[k] for k in names}

    def mistakes(self, i):
        x, hp, Wx, Wh = i["x"], i["h_prev"], i["Wx"], i["Wh"]
        da = i["dh"]        # the mistake: tanh's local gradient (1 - h²) left out
        hint = tr("multiply by tanh's local gradient (1 − h²) before the matrix products.")
        return {"dx": [(hint, da @ Wx.T)], "dh_prev": [(hint, da @ Wh.T)],
                "dWx": [(hint, x.T @ da)], "dWh": [(hint, hp.T @ da)], "db": [(hint, da.sum(0))]}


class BPTTTask(RNNStepTask):
    id, student = "ps4.bptt", ("rnn_backward",)
    labels = ("dxs", "dh0", "dWx", "dWh", "db")

    def cases(self, hidden):
        def make(seed, t, n, d, h):
            r = np.random.default_rng(seed)
            return {"xs": r.normal(size=(t, n, d)), "h0": r.normal(size=(n, h)),
                    "Wx": 0.5 * r.normal(size=(d, h)), "Wh": 0.5 * r.normal(size=(h, h)),
                    "b": 0.1 * r.normal(size=h), "dhs": r.normal(size=(t, n, h))}
        cases = [("T = 3, N = 2, D = 3, H = 4", make(304, 3, 2, 3, 4))]
        if hidden:
            cases += [("T = 5, N = 3, D = 2, H = 3", make(salted(305), 5, 3, 2, 3))]
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
        grads = results_of(student["rnn_backward"](i["dhs"].copy(), self.caches(i)),
                           "rnn_backward(dhs, caches)", 5)
        return dict(zip(self.labels, grads))

    def expected(self, i):
        T = len(i["xs"])
        values = {"h0": i["h0"], "Wx": i["Wx"], "Wh": i["Wh"], "b": i["b"],
                  **{f"x{t}": i["xs"][t] for t in range(T)}}

        def build(h0, Wx, Wh, b, **xs):
            h, loss = h0, None
            for t in range(T):
                h = _rnn_step(xs[f"x{t}"], h, Wx, Wh, b)
                term = (h * i["dhs"][t]).sum()
                loss = term if loss is None else loss + term
            return loss
        _, grads = engine_gradients(build, values)
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
        hint = (tr("the gradient arriving at h_t from step t+1 (dh_prev of the later step) must be "
                "added to dhs[t] before backpropagating step t."))
        return {"dxs": [(hint, np.stack(dxs))], **{k: [(hint, v)] for k, v in sums.items()}}


class ClippingTask(Task):
    id, student = "ps4.clipping", ("clip_by_global_norm",)

    def cases(self, hidden):
        cases = [(tr("grads [3, 4] and [12], max_norm 6.5 (norm 13 → halved)"),
                  {"grads": [np.array([3.0, 4.0]), np.array([12.0])], "max_norm": 6.5})]
        if hidden:
            def make(r):
                grads = [r.normal(size=(3, 2)), r.normal(size=4), r.normal(size=(2, 2, 2))]
                return [(tr("three arrays, norm above the threshold"), {"grads": grads, "max_norm": 1.0}),
                        (tr("three arrays, norm below the threshold (unchanged)"),
                         {"grads": [g.copy() for g in grads], "max_norm": 100.0})]
            cases += rng_cases(306, make)
        return cases

    def run(self, student, i):
        clipped, norm = results_of(student["clip_by_global_norm"]([g.copy() for g in i["grads"]],
                                                                  i["max_norm"]),
                                   "clip_by_global_norm(grads, max_norm)", 2)
        if not isinstance(clipped, (list, tuple)) or len(clipped) != len(i["grads"]):
            raise GradingError(tr("clip_by_global_norm must return (list of clipped arrays, "
                               "global norm), one array per input gradient."))
        return {"global norm": norm, **{f"clipped[{k}]": g for k, g in enumerate(clipped)}}

    def expected(self, i):
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in i["grads"]))
        scale = min(1.0, i["max_norm"] / norm)
        return {"global norm": norm, **{f"clipped[{k}]": g * scale for k, g in enumerate(i["grads"])}}

    def mistakes(self, i):
        per_array = [g * min(1.0, i["max_norm"] / np.linalg.norm(g)) for g in i["grads"]]
        hint = (tr("clip by the *global* norm of all gradients together (one scale factor for "
                "all arrays), not each array by its own norm."))
        return {f"clipped[{k}]": [(hint, g)] for k, g in enumerate(per_array)}


def _orthogonal(rng, n: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.normal(size=(n, n)))
    return q * np.sign(np.diag(r))


class VanishingTask(Task):
    id, student = "ps4.vanishing", ("gradient_norms", "growth_rate")
    rtol = {"growth rate": 1e-2}

    def cases(self, hidden):
        def make(seed, rho, T, H=6):
            r = np.random.default_rng(seed)
            return {"W": rho * _orthogonal(r, H), "T": T, "g": r.normal(size=H), "rho": rho}
        cases = [("W = 0.9·Q, T = 10", make(307, 0.9, 10))]
        if hidden:
            cases += [("W = 1.1·Q, T = 20", make(salted(308), 1.1, 20)),
                      ("W = 0.5·Q, T = 15", make(salted(309), 0.5, 15))]
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
        return {"norms": [(tr("the norms must run backwards from the last step: norms[0] is "
                           "‖∂L/∂h_T‖, norms[k] is ‖∂L/∂h_(T−k)‖."),
                           self.expected(i)["norms"][::-1])]}


TASKS = (ConvTask(), RotatedConvTask(), RNNStepTask(), BPTTTask(), ClippingTask(), VanishingTask())
