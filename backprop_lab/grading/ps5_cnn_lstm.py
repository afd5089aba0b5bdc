"""Problem set 5 — real CNN and LSTM layers: the tasks of its test cells.

Max pooling with ties and overlapping windows, convolution with several input and output
channels, stride and padding, the dilated upstream gradient of a strided convolution, and
the LSTM: one step backward through its four gates and the cell state, then BPTT.

References: max pooling and the LSTM from the engine (scalar ``maximum`` folds; the LSTM
as a graph of matrix products, sigmoids and tanhs), the convolutions from centered
differences of a plain forward pass (exact up to rounding: convolution is linear).  The
known mistakes of the LSTM are computed with the same engine graph, changed the way the
mistake changes the math (a path cut, a slope left out).
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..gradcheck import numerical_gradient
from ..graph import constant, maximum, sigmoid, tanh, var
from ..i18n.messages import tr
from .data import conv2d_valid
from .task import GradingError, Task, engine_gradients, results_of, rng_cases

__all__ = ["MaxPoolTask", "ConvChannelsTask", "DilatedTask", "LSTMStepTask", "LSTMBPTTTask",
           "TASKS", "maxpool_forward", "conv_forward", "lstm_step_forward"]


# ------------------------------------------------------------------ max pooling
def _windows(shape: tuple, size: int, stride: int):
    """Every (n, c, i, j) output position and its window's (row, column) pixels, row by row."""
    n_img, n_ch, h, w = shape
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    for n in range(n_img):
        for c in range(n_ch):
            for i in range(ho):
                for j in range(wo):
                    pixels = [(i * stride + p, j * stride + q) for p in range(size)
                              for q in range(size)]
                    yield (n, c, i, j), pixels


def maxpool_forward(x: np.ndarray, size: int, stride: int) -> np.ndarray:
    """out[n, c, i, j] = max of the size × size window at (i·stride, j·stride)."""
    n_img, n_ch, h, w = x.shape
    out = np.zeros((n_img, n_ch, (h - size) // stride + 1, (w - size) // stride + 1))
    for (n, c, i, j), pixels in _windows(x.shape, size, stride):
        out[n, c, i, j] = max(x[n, c, r, s] for r, s in pixels)
    return out


def _maxpool_variant(i: dict, rule: str) -> np.ndarray:
    """dx of a mistaken max-pool backward: ``ties`` (every tied maximum gets the gradient),
    ``overwrite`` (= instead of +=), ``window`` (every pixel of the window)."""
    x, dout = i["x"], i["dout"]
    dx = np.zeros_like(x)
    for (n, c, a, b), pixels in _windows(x.shape, i["size"], i["stride"]):
        best = max(x[n, c, r, s] for r, s in pixels)
        winners = {"ties": [p for p in pixels if x[n, c][p] == best],
                   "overwrite": [next(p for p in pixels if x[n, c][p] == best)],
                   "window": pixels}[rule]
        for r, s in winners:
            if rule == "overwrite":
                dx[n, c, r, s] = dout[n, c, a, b]
            else:
                dx[n, c, r, s] += dout[n, c, a, b]
    return dx


class MaxPoolTask(Task):
    """Part 5.1: max pooling routes each window's gradient to its (first) maximum."""

    id, student = "ps5.maxpool", ("maxpool_backward",)

    def cases(self, hidden):
        x = np.array([[1.0, 3.0, 2.0, 2.0], [0.0, 3.0, 1.0, 0.0],
                      [4.0, 1.0, 0.5, 6.0], [2.0, 4.0, 6.0, 1.0]]).reshape(1, 1, 4, 4)
        cases = [(tr("x 4×4 with ties, 2×2 windows, stride 2"),
                  {"x": x, "dout": np.array([[1.0, -2.0], [3.0, 0.5]]).reshape(1, 1, 2, 2),
                   "size": 2, "stride": 2}),
                 (tr("the same x, overlapping 2×2 windows with stride 1"),
                  {"x": x, "dout": np.arange(1.0, 10.0).reshape(1, 1, 3, 3), "size": 2, "stride": 1})]
        if hidden:
            def make(r):
                ties = r.integers(0, 4, size=(2, 3, 6, 6)).astype(float)     # many ties
                other = r.normal(size=(1, 2, 7, 7))
                return [(tr("random (2, 3, 6, 6) with many ties, 3×3 windows, stride 1"),
                         {"x": ties, "dout": r.normal(size=(2, 3, 4, 4)), "size": 3, "stride": 1}),
                        (tr("random (1, 2, 7, 7), 3×3 windows, stride 2"),
                         {"x": other, "dout": r.normal(size=(1, 2, 3, 3)), "size": 3, "stride": 2})]
            cases += rng_cases(511, make)
        return cases

    def run(self, student, i):
        return {"dx": student["maxpool_backward"](i["dout"], i["x"], i["size"], i["stride"])}

    def expected(self, i):
        """From the engine: each window's max as a fold of ``maximum`` in row order (the
        max gate routes to its first input at a tie, so the first maximum wins)."""
        x, dout = i["x"], i["dout"]
        leaves = {idx: var(float(x[idx])) for idx in np.ndindex(x.shape)}
        loss = None
        for (n, c, a, b), pixels in _windows(x.shape, i["size"], i["stride"]):
            best = leaves[(n, c, *pixels[0])]
            for r, s in pixels[1:]:
                best = maximum(best, leaves[(n, c, r, s)])
            term = best * float(dout[n, c, a, b])
            loss = term if loss is None else loss + term
        loss.backward()
        dx = np.zeros_like(x)
        for idx, leaf in leaves.items():
            dx[idx] = 0.0 if leaf.grad is None else leaf.grad
        return {"dx": dx}

    def mistakes(self, i):
        return {"dx": [
            (tr("at a tie only the *first* maximum of the window (row by row, like np.argmax) gets "
             "the gradient; giving it to every tied pixel counts it twice."), _maxpool_variant(i, "ties")),
            (tr("windows overlap: a pixel that is the maximum of several windows gets the sum of "
             "their gradients (+=, not =)."), _maxpool_variant(i, "overwrite")),
            (tr("max routes the gradient to the maximum only; the other pixels of the window get 0."),
             _maxpool_variant(i, "window"))]}


# ------------------------------------------------------------------ convolution with channels
def conv_forward(x, w, b, stride: int, pad: int) -> np.ndarray:
    """out[n, f, i, j] = Σ_c,p,q x_pad[n, c, i·s + p, j·s + q] · w[f, c, p, q] + b[f]
    (every window at once: the task's reference differentiates it numerically)."""
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = sliding_window_view(x_pad, w.shape[2:], axis=(2, 3))[:, :, ::stride, ::stride]
    n, c, ho, wo, kh, kw = windows.shape
    rows = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c * kh * kw)
    out = rows @ w.reshape(w.shape[0], -1).T + b                       # (N·H'·W', F)
    return out.reshape(n, ho, wo, -1).transpose(0, 3, 1, 2)


class ConvChannelsTask(Task):
    """Part 5.2: convolution backward with channels, stride and padding."""

    id, student = "ps5.conv_channels", ("conv_backward",)

    def cases(self, hidden):
        def make(seed, x_shape, w_shape, stride, pad):
            r = np.random.default_rng(seed)
            x, w = r.normal(size=x_shape), r.normal(size=w_shape)
            out = conv_forward(x, w, np.zeros(w_shape[0]), stride, pad)
            return {"x": x, "w": w, "b": r.normal(size=w_shape[0]),
                    "dout": r.normal(size=out.shape), "stride": stride, "pad": pad}
        cases = [(tr("x (1, 2, 5, 5), w (3, 2, 3, 3), stride 1, pad 1"),
                  make(521, (1, 2, 5, 5), (3, 2, 3, 3), 1, 1)),
                 (tr("x (2, 2, 5, 5), w (2, 2, 3, 3), stride 2, pad 1"),
                  make(522, (2, 2, 5, 5), (2, 2, 3, 3), 2, 1))]
        if hidden:
            cases += rng_cases(523, lambda r: [
                (tr("random x (2, 3, 7, 6), w (4, 3, 3, 2), stride 2, pad 1"),
                 make(int(r.integers(2 ** 31)), (2, 3, 7, 6), (4, 3, 3, 2), 2, 1)),
                (tr("random x (3, 1, 6, 6), w (2, 1, 2, 2), stride 2, pad 0"),
                 make(int(r.integers(2 ** 31)), (3, 1, 6, 6), (2, 1, 2, 2), 2, 0))])
        return cases

    def run(self, student, i):
        dx, dw, db = results_of(student["conv_backward"](i["dout"], i["x"], i["w"], i["b"],
                                                         i["stride"], i["pad"]),
                                "conv_backward(dout, x, w, b, stride, pad)", 3)
        return {"dx": dx, "dw": dw, "db": db}

    def expected(self, i):
        """Centered differences of the plain forward pass (linear in x, w and b: exact up
        to rounding)."""
        x, w, b, dout, s, p = (i[k] for k in ("x", "w", "b", "dout", "stride", "pad"))

        def loss(**args):
            a = {"x": x, "w": w, "b": b, **args}
            return float(np.sum(conv_forward(a["x"], a["w"], a["b"], s, p) * dout))
        return {"dx": numerical_gradient(lambda v: loss(x=v), x.copy()),
                "dw": numerical_gradient(lambda v: loss(w=v), w.copy()),
                "db": numerical_gradient(lambda v: loss(b=v), b.copy())}

    def mistakes(self, i):
        dout = i["dout"]
        return {"db": [(tr("b[f] is added at every position of every image: db[f] sums dout over "
                        "the images *and* the positions (axes 0, 2 and 3)."),
                        dout.sum(axis=(2, 3))[0]),
                       (tr("db sums over the positions and the images, not their mean."),
                        dout.mean(axis=(0, 2, 3)))]}

    def failures(self, i, outputs):
        found = super().failures(i, outputs)
        dx = outputs.get("dx")
        padded = tuple(i["x"].shape[:2]) + tuple(n + 2 * i["pad"] for n in i["x"].shape[2:])
        if "dx" in found and i["pad"] and np.shape(dx) == padded:
            found["dx"] = tr("dx: shape {padded} is the shape of the *padded* input: the padding "
                             "is not part of x, so cut it off (dx_pad[:, :, p:-p, p:-p]).",
                             padded=padded)
        return found


# ------------------------------------------------------------------ the dilated upstream
class DilatedTask(Task):
    """Part 5.3: with stride s, dout dilated by s − 1 zeros makes the full-convolution
    formula work again."""

    id, student = "ps5.dilated", ("dilate", "conv_dx_full")

    def cases(self, hidden):
        def make(seed, x_shape, k_shape, stride):
            r = np.random.default_rng(seed)
            x, k = r.normal(size=x_shape), r.normal(size=k_shape)
            out = conv2d_valid(x, k) if stride == 1 else _strided(x, k, stride)
            return {"x_shape": np.array(x_shape), "w": k, "stride": stride,
                    "dout": r.normal(size=out.shape)}
        cases = [(tr("x 5×5, w 3×3, stride 2 (dout 2×2)"), make(531, (5, 5), (3, 3), 2))]
        if hidden:
            cases += rng_cases(532, lambda r: [
                (tr("random x 7×6, w 2×3, stride 2"), make(int(r.integers(2 ** 31)), (7, 6), (2, 3), 2)),
                (tr("random x 8×8, w 3×3, stride 3 (the last row and column are in no window)"),
                 make(int(r.integers(2 ** 31)), (8, 8), (3, 3), 3))])
        return cases

    def run(self, student, i):
        shape = tuple(int(n) for n in i["x_shape"])
        return {"dilate(dout, stride)": student["dilate"](i["dout"].copy(), i["stride"]),
                "dx": student["conv_dx_full"](i["dout"].copy(), i["w"].copy(), i["stride"], shape)}

    def expected(self, i):
        dout, s = i["dout"], i["stride"]
        spread = np.zeros(((dout.shape[0] - 1) * s + 1, (dout.shape[1] - 1) * s + 1))
        spread[::s, ::s] = dout
        x0 = np.zeros(tuple(int(n) for n in i["x_shape"]))
        dx = numerical_gradient(lambda v: float(np.sum(_strided(v, i["w"], s) * dout)), x0)
        return {"dilate(dout, stride)": spread, "dx": dx}

    def mistakes(self, i):
        shape = tuple(int(n) for n in i["x_shape"])
        kh, kw = i["w"].shape
        undilated = np.pad(i["dout"], ((kh - 1, kh - 1), (kw - 1, kw - 1)))
        dx = conv2d_valid(undilated, np.rot90(i["w"], 2))
        fitted = np.zeros(shape)
        rows, cols = min(shape[0], dx.shape[0]), min(shape[1], dx.shape[1])
        fitted[:rows, :cols] = dx[:rows, :cols]
        return {"dx": [(tr("with stride s, put s − 1 zeros between the entries of dout (dilate) "
                        "before the full convolution with the rotated kernel."), fitted)]}


def _strided(x: np.ndarray, w: np.ndarray, stride: int) -> np.ndarray:
    """One channel, stride s, no padding (the package's correlate2d_valid)."""
    from ..conv import correlate2d_valid
    return correlate2d_valid(x, w, stride)


# ------------------------------------------------------------------ the LSTM
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step in numpy: ``(h, c, cache)``; the 4H columns of a = x·Wx + h_prev·Wh + b
    are the input, forget and output gates and the candidate (i, f, o, g)."""
    a = x @ Wx + h_prev @ Wh + b
    H = h_prev.shape[1]
    i, f, o = (1.0 / (1.0 + np.exp(-a[:, k * H:(k + 1) * H])) for k in range(3))
    g = np.tanh(a[:, 3 * H:])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x, h_prev, c_prev, Wx, Wh, i, f, o, g, c)


def _blocks(a, H: int) -> list:
    """The four (N, H) column blocks of an (N, 4H) Node, as products with constant
    selection matrices (the engine has no slicing; this is the same linear map)."""
    blocks = []
    for k in range(4):
        select = np.zeros((4 * H, H))
        select[k * H:(k + 1) * H] = np.eye(H)
        blocks.append(a @ select)
    return blocks


def _no_slope(function, z):
    """``function(z)``'s value with local gradient 1: what backward computes when it leaves
    that function's derivative out."""
    return z + constant(function(z).value - z.value)


def _engine_step(x, h_prev, c_prev, Wx, Wh, b, H: int, mistake: str = ""):
    a_i, a_f, a_o, a_g = _blocks(x @ Wx + h_prev @ Wh + b, H)
    squash = (lambda z: _no_slope(sigmoid, z)) if mistake in ("gates", "sigmoids") else sigmoid
    i, f, o = squash(a_i), squash(a_f), squash(a_o)
    g = _no_slope(tanh, a_g) if mistake == "gates" else tanh(a_g)
    c = f * c_prev + i * g
    h = o * (_no_slope(tanh, c) if mistake == "tanh_c" else tanh(c))
    return h, c


def _lstm_case(seed: int, T: int, N: int, D: int, H: int) -> dict:
    r = np.random.default_rng(seed)
    return {"xs": r.normal(size=(T, N, D)), "h0": r.normal(size=(N, H)),
            "c0": r.normal(size=(N, H)), "Wx": 0.5 * r.normal(size=(D, 4 * H)),
            "Wh": 0.5 * r.normal(size=(H, 4 * H)), "b": 0.3 * r.normal(size=4 * H),
            "dhs": r.normal(size=(T, N, H)), "dc_last": r.normal(size=(N, H))}


def _lstm_gradients(i: dict, T: int, mistake: str = "", dc_last: bool = True) -> dict:
    """Engine gradients of L = Σ_t Σ h_t·dhs[t] (+ Σ c_T·dc_last) over the first T steps.
    ``mistake``: ``"gates"``/``"sigmoids"``/``"tanh_c"`` (slopes left out: of all four gate
    functions, of the three sigmoids, of tanh(c)), ``"no_dc_next"`` (dc_last
    ignored), ``"cut_c"``/``"cut_h"`` (no gradient from step t+1 through c / h)."""
    H = i["h0"].shape[1]
    names = ["h0", "c0", "Wx", "Wh", "b"] + [f"x{t}" for t in range(T)]
    values = {"h0": i["h0"], "c0": i["c0"], "Wx": i["Wx"], "Wh": i["Wh"], "b": i["b"],
              **{f"x{t}": i["xs"][t] for t in range(T)}}

    def build(h0, c0, Wx, Wh, b, **xs):
        h, c, loss = h0, c0, None
        for t in range(T):
            if t and mistake == "cut_c":
                c = constant(c.value)
            if t and mistake == "cut_h":
                h = constant(h.value)
            h, c = _engine_step(xs[f"x{t}"], h, c, Wx, Wh, b, H, mistake)
            term = (h * i["dhs"][t]).sum()
            loss = term if loss is None else loss + term
        if dc_last and mistake != "no_dc_next":
            loss = loss + (c * i["dc_last"]).sum()
        return loss
    _, grads = engine_gradients(build, {k: values[k] for k in names})
    return grads


_SLOPES = (tr("i, f and o are sigmoids of their columns of a and g a tanh: multiply by their local "
           "gradients, σ(1 − σ) and 1 − g², before the matrix products."))


class LSTMStepTask(Task):
    """Part 5.4: one LSTM step backward, through the four gates and the cell state."""

    id, student = "ps5.lstm_step", ("lstm_step_backward",)
    labels = ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db")
    dc_last = True                 # the loss reaches the last cell state directly (dc_next)
    hints = {                      # {mistake of the engine graph (_lstm_gradients): hint}
        "no_dc_next": tr("c also goes on to the next step: add dc_next to the gradient that "
                      "reaches c through h before going further back."),
        "tanh_c": tr("h = o ⊙ tanh(c): on the way from h to c multiply by tanh's local gradient "
                  "1 − tanh(c)²."),
        "gates": _SLOPES, "sigmoids": _SLOPES}

    def cases(self, hidden):
        cases = [("N = 2, D = 3, H = 2", _lstm_case(541, 1, 2, 3, 2))]
        if hidden:
            cases += rng_cases(542, lambda r: [
                (tr("random N = 3, D = 2, H = 4"), _lstm_case(int(r.integers(2 ** 31)), 1, 3, 2, 4))])
        return cases

    def run(self, student, i):
        _, _, cache = lstm_step_forward(i["xs"][0], i["h0"], i["c0"], i["Wx"], i["Wh"], i["b"])
        grads = results_of(student["lstm_step_backward"](i["dhs"][0].copy(), i["dc_last"].copy(),
                                                         cache),
                           "lstm_step_backward(dh, dc_next, cache)", 6)
        return dict(zip(self.labels, grads))

    @staticmethod
    def steps(i) -> int:
        return 1

    @staticmethod
    def _named(grads: dict) -> dict:
        return {"dx": grads["x0"], "dh_prev": grads["h0"], "dc_prev": grads["c0"],
                "dWx": grads["Wx"], "dWh": grads["Wh"], "db": grads["b"]}

    def expected(self, i):
        return self._named(_lstm_gradients(i, self.steps(i), dc_last=self.dc_last))

    def mistakes(self, i):
        found: dict = {}
        for mistake, hint in self.hints.items():
            gradients = _lstm_gradients(i, self.steps(i), mistake, self.dc_last)
            for label, value in self._named(gradients).items():
                found.setdefault(label, []).append((hint, value))
        return found


class LSTMBPTTTask(LSTMStepTask):
    """Part 5.5: BPTT through an LSTM: gradients arrive at each step through h *and* c."""

    id, student = "ps5.lstm_bptt", ("lstm_backward",)
    labels = ("dxs", "dh0", "dc0", "dWx", "dWh", "db")

    def cases(self, hidden):
        cases = [("T = 3, N = 2, D = 3, H = 2", _lstm_case(551, 3, 2, 3, 2))]
        if hidden:
            cases += rng_cases(552, lambda r: [
                (tr("random T = 5, N = 2, D = 2, H = 3"), _lstm_case(int(r.integers(2 ** 31)), 5, 2, 2, 3))])
        return cases

    @staticmethod
    def caches(i):
        caches, h, c = [], i["h0"], i["c0"]
        for x in i["xs"]:
            h, c, cache = lstm_step_forward(x, h, c, i["Wx"], i["Wh"], i["b"])
            caches.append(cache)
        return caches

    def run(self, student, i):
        grads = results_of(student["lstm_backward"](i["dhs"].copy(), self.caches(i)),
                           "lstm_backward(dhs, caches)", 6)
        return dict(zip(self.labels, grads))

    def _named(self, grads: dict) -> dict:
        T = len([k for k in grads if k.startswith("x")])
        return {"dxs": np.stack([grads[f"x{t}"] for t in range(T)]), "dh0": grads["h0"],
                "dc0": grads["c0"], "dWx": grads["Wx"], "dWh": grads["Wh"], "db": grads["b"]}

    dc_last = False

    @staticmethod
    def steps(i) -> int:
        return len(i["xs"])

    hints = {
        "cut_c": tr("the cell state carries gradient back in time too: pass dc_prev of step t+1 as "
                 "dc_next of step t (0 at the last step)."),
        "cut_h": tr("the gradient arriving at h_t from step t+1 (dh_prev of the later step) must be "
                 "added to dhs[t] before backpropagating step t.")}


TASKS = (MaxPoolTask(), ConvChannelsTask(), DilatedTask(), LSTMStepTask(), LSTMBPTTTask())
