"""Backprop through convolutions and max pooling.

In a convolution every output looks at a small window of the input, and every input
sits in several windows.  Backward therefore *adds up* what the outputs send back to an
input (the ``+=`` of the multivariable chain rule).  The picture of "Yes you should listen
to Andrej Karpathy, and understand back propagation" (Towards Data Science): a 3×3 input
x1..x9 and a 2×2 kernel w1..w4 give a 2×2 output y1..y4 with

    y1 = w1·x1 + w2·x2 + w3·x4 + w4·x5          (and so on for y2, y3, y4)
    ∂L/∂x1 = ∂L/∂y1 · w1                        (x1 is only in y1's window)
    ∂L/∂x5 = ∂L/∂y1·w4 + ∂L/∂y2·w3 + ∂L/∂y3·w2 + ∂L/∂y4·w1   (x5 is in all four)

Collected for every input, this *is* a full convolution of the upstream gradient with the
kernel rotated by 180°: :func:`input_gradient_direct` and
:func:`input_gradient_full_convolution` compute dx both ways, and
:func:`input_gradient_terms` writes the sums out by name, so a lesson can show they agree.

Layers (the layer API of ``backprop_lab.layers``: ``forward(x)``, ``backward(dout) -> dx``,
``params``, gradients ``dW``, ``db``)::

    conv = Conv2D(W, b, stride=1, pad=0, method="im2col")   # or method="loop"
    pool = MaxPool2D(size=2, stride=2, method="windows")    # or method="loop"

Shapes: x (N, C, H, W); W (F, C, HH, WW); b (F,); output (N, F, H', W') with
``H' = (H + 2·pad − HH) // stride + 1`` (and the same for W').  As in PyTorch, rows or
columns that do not fill a last window are not used (their gradient is 0).

"Convolution" here means what deep learning means: the kernel slides over the input
without being flipped (mathematicians call that cross-correlation).

Each layer has two versions that compute the same numbers:

* ``"loop"``: one window at a time, written like the formulas above.  Slow, readable.
* ``"im2col"`` (Conv2D) / ``"windows"`` (MaxPool2D): every window copied into one row of
  a matrix, so the whole convolution is one matrix product done by a ``MatMulGate``:
  ``out = W_rows @ colsᵀ`` with W_rows (F, K), cols (P, K), out (F, P) — K = C·HH·WW
  numbers per window, P = N·H'·W' windows.  The gate's backward gives
  ``dW_rows = dout @ cols`` ((F, P) @ (P, K) = (F, K), W_rows' shape) and
  ``dcolsᵀ = W_rowsᵀ @ dout`` ((K, F) @ (F, P) = (K, P): the shape of colsᵀ, so
  ``dcols = doutᵀ @ W_rows``); ``col2im`` then adds every window's gradient (a row of
  dcols) back onto the input (the fan-out sum).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import gates as G
from .i18n.messages import tr
from .layers import Layer
from .values import as_array, check_choice, check_dout, check_int

__all__ = ["Conv2D", "MaxPool2D", "output_size", "im2col", "col2im", "rotate180",
           "conv2d_forward_loop", "conv2d_backward_loop",
           "maxpool_forward_loop", "maxpool_backward_loop",
           "correlate2d_valid", "dilate", "input_gradient_direct",
           "input_gradient_full_convolution",
           "input_gradient_terms", "ConvExample", "worked_example"]

CONV_METHODS = ("im2col", "loop")
POOL_METHODS = ("windows", "loop")


# --------------------------------------------------------------------------- helpers
def output_size(size: int, kernel: int, stride: int, pad: int = 0) -> int:
    """Number of window positions along one axis: ``(size + 2·pad − kernel) // stride + 1``."""
    return (size + 2 * pad - kernel) // stride + 1


def _check_images(layer: str, x) -> np.ndarray:
    return as_array(x, layer, "x", ndim=4, shape=tr("(N, C, H, W) — a batch of images with "
                                                    "channels — and for one grey image use "
                                                    "x.reshape(1, 1, H, W)"))


def _pad(x: np.ndarray, pad: int) -> np.ndarray:
    """Zero-pad the last two axes (height, width) by ``pad`` on every side."""
    if pad == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))


def _unpad(x: np.ndarray, pad: int) -> np.ndarray:
    return x if pad == 0 else x[:, :, pad:-pad, pad:-pad]


def rotate180(kernel) -> np.ndarray:
    """The kernel turned by 180° in its last two axes (flipped up-down and left-right)."""
    return np.asarray(kernel)[..., ::-1, ::-1]


# ---------------------------------------------------------------------- im2col, col2im
def im2col(x_padded: np.ndarray, kh: int, kw: int, stride: int) -> np.ndarray:
    """Every (kh × kw) window of every channel as one row: shape (N·H'·W', C·kh·kw).

    Row ``(n, i, j)`` (in that order) holds the window whose top-left corner is at
    ``(i·stride, j·stride)`` of image n, channels first, then kernel rows, then columns,
    matching ``W.reshape(F, C·kh·kw)``.
    """
    n, c, _, _ = x_padded.shape
    windows = sliding_window_view(x_padded, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    ho, wo = windows.shape[2], windows.shape[3]
    # (N, C, H', W', kh, kw) -> (N, H', W', C, kh, kw) -> rows
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c * kh * kw)


def col2im(cols: np.ndarray, padded_shape: tuple, kh: int, kw: int, stride: int) -> np.ndarray:
    """The adjoint of :func:`im2col`: add every row (a window's gradient) back to its place.

    An input pixel that sits in several windows receives the sum of their gradients.
    The loop runs over the kh·kw kernel offsets only; each pass adds one strided slice.
    """
    n, c, h, w = padded_shape
    ho, wo = output_size(h, kh, stride), output_size(w, kw, stride)
    windows = cols.reshape(n, ho, wo, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)  # N C kh kw H' W'
    dx = np.zeros(padded_shape)
    for a in range(kh):
        for b in range(kw):
            dx[:, :, a:a + stride * ho:stride, b:b + stride * wo:stride] += windows[:, :, a, b]
    return dx


# ------------------------------------------------------------------- the loop version
def conv2d_forward_loop(x, W, b, stride: int = 1, pad: int = 0) -> np.ndarray:
    """out[n, f, i, j] = Σ_{c,p,q} x_pad[n, c, i·s + p, j·s + q] · W[f, c, p, q] + b[f]."""
    x_pad = _pad(x, pad)
    n_img, _, h, w = x_pad.shape
    n_f, _, kh, kw = W.shape
    ho, wo = output_size(h, kh, stride), output_size(w, kw, stride)
    out = np.zeros((n_img, n_f, ho, wo))
    for n in range(n_img):
        for f in range(n_f):
            for i in range(ho):
                for j in range(wo):
                    window = x_pad[n, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
                    out[n, f, i, j] = np.sum(window * W[f]) + b[f]
    return out


def conv2d_backward_loop(dout, x, W, stride: int = 1, pad: int = 0):
    """Gradients of :func:`conv2d_forward_loop`, one window at a time: ``(dx, dW, db)``.

    For every output (n, f, i, j) with upstream g = dout[n, f, i, j]:

    * its window of x gets ``g · W[f]`` added (local gradient ∂out/∂window = W[f]);
      windows overlap, so an input collects the sum over all windows it is in;
    * ``dW[f]`` gets ``g · window`` added (∂out/∂W[f] = window): the kernel is shared by
      every position, so its gradient is a sum over positions (and images);
    * ``db[f]`` gets g (∂out/∂b[f] = 1).
    """
    x_pad = _pad(x, pad)
    n_img, _, ho, wo = dout.shape
    _, _, kh, kw = W.shape
    dx_pad = np.zeros_like(x_pad)
    dW = np.zeros_like(W)
    db = np.zeros(W.shape[0])
    for n in range(n_img):
        for f in range(W.shape[0]):
            for i in range(ho):
                for j in range(wo):
                    g = dout[n, f, i, j]
                    rows = slice(i * stride, i * stride + kh)
                    cols = slice(j * stride, j * stride + kw)
                    dx_pad[n, :, rows, cols] += g * W[f]
                    dW[f] += g * x_pad[n, :, rows, cols]
                    db[f] += g
    return _unpad(dx_pad, pad), dW, db


# ------------------------------------------------------------------------------ Conv2D
class Conv2D(Layer):
    """2-D convolution layer.  x (N, C, H, W), W (F, C, HH, WW), b (F,) → out (N, F, H', W').

    ``out[n, f] = Σ_c x_pad[n, c] ⋆ W[f, c] + b[f]`` (⋆: slide the kernel, no flip).

    Backward (both methods): ``db[f] = Σ_{n,i,j} dout[n, f, i, j]``;
    ``dW[f, c] = Σ_n x_pad[n, c] ⋆ dout[n, f]``;
    ``dx[n, c] = Σ_f full-convolution of dout[n, f] with rotate180(W[f, c])`` for stride 1
    (for larger strides the same with zeros between the entries of dout: :func:`dilate`).

    ``method="im2col"`` (default) runs the product through a ``MatMulGate`` and an
    ``AddGate`` (for b); ``method="loop"`` runs :func:`conv2d_forward_loop` and
    :func:`conv2d_backward_loop`.
    """

    def __init__(self, W, b, stride: int = 1, pad: int = 0, method: str = "im2col"):
        super().__init__()
        W = as_array(W, "Conv2D", "W", copy=True)
        b = as_array(b, "Conv2D", "b", copy=True)
        if W.ndim != 4:
            raise ValueError(tr("Conv2D: W must have shape (F, C, HH, WW) — F filters of C "
                                "channels — got shape {shape}.", shape=W.shape))
        if b.shape != (W.shape[0],):
            raise ValueError(tr("Conv2D: b must have shape ({filters},), one bias per filter (W "
                                "has shape {W_shape}); got shape {shape}.", filters=W.shape[0],
                                W_shape=W.shape, shape=b.shape))
        self.params = {"W": W, "b": b}
        self.stride = check_int("Conv2D", "stride", stride, 1)
        self.pad = check_int("Conv2D", "pad", pad, 0)
        self.method = check_choice("Conv2D", "method", method, CONV_METHODS)
        self.dW = None
        self.db = None
        self.matmul = G.MatMulGate()
        self.add = G.AddGate()
        self.x = None

    @property
    def W(self) -> np.ndarray:
        return self.params["W"]

    @property
    def b(self) -> np.ndarray:
        return self.params["b"]

    def __repr__(self) -> str:
        return (f"Conv2D(W={self.W.shape}, stride={self.stride}, pad={self.pad}, "
                f"method={self.method!r})")

    def output_shape(self, x_shape: tuple) -> tuple:
        """(N, F, H', W') for an input of shape (N, C, H, W), or a clear error."""
        n, c, h, w = x_shape
        f, wc, kh, kw = self.W.shape
        if c != wc:
            raise ValueError(tr("Conv2D: x has {c} channels (shape {x_shape}) but W expects {wc} "
                                "(W has shape {W_shape}).", c=c, x_shape=x_shape, wc=wc,
                                W_shape=self.W.shape))
        hp, wp = h + 2 * self.pad, w + 2 * self.pad
        if kh > hp or kw > wp:
            raise ValueError(tr("Conv2D: the {kh}×{kw} kernel is larger than the padded input "
                                "{hp}×{wp} (x has shape {x_shape}, pad={pad}).", kh=kh, kw=kw,
                                hp=hp, wp=wp, x_shape=x_shape, pad=self.pad))
        return n, f, output_size(h, kh, self.stride, self.pad), output_size(w, kw, self.stride,
                                                                             self.pad)

    def forward(self, x):
        x = _check_images("Conv2D", x)
        out_shape = self.output_shape(x.shape)
        self.x = x
        if self.method == "loop":
            out = conv2d_forward_loop(x, self.W, self.b, self.stride, self.pad)
        else:
            n, f, ho, wo = out_shape
            cols = im2col(_pad(x, self.pad), self.W.shape[2], self.W.shape[3], self.stride)
            w_rows = self.W.reshape(f, -1)                                   # (F, C·HH·WW)
            product = self.matmul.forward(w_rows, cols.T)                    # (F, N·H'·W')
            out = self.add.forward(product, self.b.reshape(f, 1))
            out = out.reshape(f, n, ho, wo).transpose(1, 0, 2, 3)
        self.out_shape = out.shape
        return out

    def backward(self, dout):
        dout = check_dout("Conv2D", dout, self.out_shape)
        if self.method == "loop":
            dx, self.dW, self.db = conv2d_backward_loop(dout, self.x, self.W, self.stride,
                                                        self.pad)
            return dx
        f = self.W.shape[0]
        dout_rows = dout.transpose(1, 0, 2, 3).reshape(f, -1)                # (F, N·H'·W')
        dproduct, db = self.add.backward(dout_rows)                          # db: sum per filter
        dw_rows, dcols_t = self.matmul.backward(dproduct)
        self.dW = dw_rows.reshape(self.W.shape)
        self.db = db.reshape(f)
        n, c, h, w = self.x.shape
        padded_shape = (n, c, h + 2 * self.pad, w + 2 * self.pad)
        dx_pad = col2im(dcols_t.T, padded_shape, self.W.shape[2], self.W.shape[3], self.stride)
        return _unpad(dx_pad, self.pad)


# ---------------------------------------------------------------------------- pooling
def maxpool_forward_loop(x, size: int, stride: int):
    """Max over every ``size × size`` window: ``(out, argmax)``.

    ``argmax[n, c, i, j]`` is the flat index (row·size + column) of the winner inside its
    window; at a tie the first one (row by row) wins, as in ``np.argmax``.
    """
    n_img, n_ch, h, w = x.shape
    ho, wo = output_size(h, size, stride), output_size(w, size, stride)
    out = np.zeros((n_img, n_ch, ho, wo))
    argmax = np.zeros((n_img, n_ch, ho, wo), dtype=np.int64)
    for n in range(n_img):
        for c in range(n_ch):
            for i in range(ho):
                for j in range(wo):
                    window = x[n, c, i * stride:i * stride + size, j * stride:j * stride + size]
                    k = int(np.argmax(window))
                    argmax[n, c, i, j] = k
                    out[n, c, i, j] = window.flat[k]
    return out, argmax


def maxpool_backward_loop(dout, argmax, x_shape: tuple, size: int, stride: int) -> np.ndarray:
    """Max routes (like ``MaxGate``): each window's upstream goes to its winner only.

    Windows may overlap (stride < size): a pixel that wins several windows gets the sum.
    """
    dx = np.zeros(x_shape)
    n_img, n_ch, ho, wo = dout.shape
    for n in range(n_img):
        for c in range(n_ch):
            for i in range(ho):
                for j in range(wo):
                    p, q = divmod(int(argmax[n, c, i, j]), size)
                    dx[n, c, i * stride + p, j * stride + q] += dout[n, c, i, j]
    return dx


class MaxPool2D(Layer):
    """Max pooling over ``size × size`` windows every ``stride`` pixels; no parameters.

    x (N, C, H, W) → out (N, C, H', W'), ``H' = (H − size) // stride + 1``.
    Local gradient: 1 for the largest entry of each window, 0 for the others, so backward
    routes ``dout`` to the winners (the first one at a tie) and adds where windows overlap.

    ``method="windows"`` (default) looks at all windows at once (a strided view of x)
    and in backward hands each window's gradient to :func:`col2im`, the same scatter-add
    as Conv2D's;
    ``method="loop"`` uses :func:`maxpool_forward_loop` / :func:`maxpool_backward_loop`.
    """

    def __init__(self, size: int = 2, stride: int = 2, method: str = "windows"):
        super().__init__()
        self.size = check_int("MaxPool2D", "size", size, 1)
        self.stride = check_int("MaxPool2D", "stride", stride, 1)
        self.method = check_choice("MaxPool2D", "method", method, POOL_METHODS)
        self.x_shape = None
        self.argmax = None

    def __repr__(self) -> str:
        return f"MaxPool2D(size={self.size}, stride={self.stride}, method={self.method!r})"

    def forward(self, x):
        x = _check_images("MaxPool2D", x)
        if x.shape[2] < self.size or x.shape[3] < self.size:
            raise ValueError(tr("MaxPool2D: the {size}×{size} window does not fit in the "
                                "{h}×{w} input (x has shape {shape}).", size=self.size,
                                h=x.shape[2], w=x.shape[3], shape=x.shape))
        self.x_shape = x.shape
        if self.method == "loop":
            out, self.argmax = maxpool_forward_loop(x, self.size, self.stride)
        else:
            windows = sliding_window_view(x, (self.size, self.size), axis=(2, 3))
            windows = windows[:, :, ::self.stride, ::self.stride]
            flat = windows.reshape(*windows.shape[:4], self.size * self.size)
            self.argmax = np.argmax(flat, axis=-1)
            out = np.take_along_axis(flat, self.argmax[..., None], axis=-1)[..., 0]
        self.out_shape = out.shape
        return out

    def backward(self, dout):
        dout = check_dout("MaxPool2D", dout, self.out_shape)
        if self.method == "loop":
            return maxpool_backward_loop(dout, self.argmax, self.x_shape, self.size, self.stride)
        # each window's gradient: dout at its winner, 0 elsewhere, laid out as im2col lays
        # out windows — (N, H', W', C, size²), i.e. one row per window (N·H'·W', C·size²)
        n, c, ho, wo = dout.shape
        window_grads = np.zeros((n, ho, wo, c, self.size * self.size))
        np.put_along_axis(window_grads, self.argmax.transpose(0, 2, 3, 1)[..., None],
                          dout.transpose(0, 2, 3, 1)[..., None], axis=-1)
        # col2im adds the rows back onto the input, summing where windows overlap
        cols = window_grads.reshape(n * ho * wo, c * self.size * self.size)
        return col2im(cols, self.x_shape, self.size, self.size, self.stride)


# ------------------------------------------- dx two ways: direct, and full convolution
def _check_plane(name: str, value, what: str) -> np.ndarray:
    array = as_array(value, name, what)
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(tr("{name}: {what} must be a non-empty 2-D array (one channel), got "
                            "shape {shape}.", name=name, what=what, shape=array.shape))
    return array


def correlate2d_valid(x, kernel, stride: int = 1) -> np.ndarray:
    """Slide ``kernel`` over ``x`` (no flip, no padding): the forward pass of one channel.

    ``y[i, j] = Σ_{p,q} x[i·s + p, j·s + q] · kernel[p, q]`` (s = stride), shape
    ((H − kh) // s + 1, (W − kw) // s + 1).
    """
    x = _check_plane("correlate2d_valid", x, "x")
    kernel = _check_plane("correlate2d_valid", kernel, "kernel")
    stride = check_int("correlate2d_valid", "stride", stride, 1)
    if kernel.shape[0] > x.shape[0] or kernel.shape[1] > x.shape[1]:
        raise ValueError(tr("correlate2d_valid: kernel {kernel} is larger than x {x}.",
                            kernel=kernel.shape, x=x.shape))
    windows = sliding_window_view(x, kernel.shape)[::stride, ::stride]
    return np.einsum("ijpq,pq->ij", windows, kernel)


def dilate(dout, stride: int) -> np.ndarray:
    """Put ``stride − 1`` zeros between neighbouring entries of a 2-D array.

    With stride s the outputs sit s pixels apart on the input; dilating dout puts each
    upstream gradient back at the position of its window, so that the stride-1 formula
    (full convolution with the rotated kernel) works for any stride.
    """
    dout = _check_plane("dilate", dout, "dout")
    stride = check_int("dilate", "stride", stride, 1)
    ho, wo = dout.shape
    spread = np.zeros(((ho - 1) * stride + 1, (wo - 1) * stride + 1))
    spread[::stride, ::stride] = dout
    return spread


def _input_shape(name: str, dout_shape: tuple, kernel_shape: tuple, stride: int,
                 input_shape) -> tuple:
    """The shape of x: given, or the smallest one whose windows give dout's shape."""
    smallest = tuple((o - 1) * stride + k for o, k in zip(dout_shape, kernel_shape))
    if input_shape is None:
        return smallest
    input_shape = tuple(int(n) for n in input_shape)
    if len(input_shape) != 2 or any(output_size(n, k, stride) != o for n, k, o in
                                    zip(input_shape, kernel_shape, dout_shape)):
        raise ValueError(tr("{name}: an input of shape {input_shape} with a {kernel_shape} "
                            "kernel and stride {stride} does not give an output of shape "
                            "{dout_shape}.", name=name, input_shape=input_shape,
                            kernel_shape=kernel_shape, stride=stride, dout_shape=dout_shape))
    return input_shape


def input_gradient_direct(dout, kernel, stride: int = 1, input_shape=None) -> np.ndarray:
    """dL/dx of ``y = correlate2d_valid(x, kernel, stride)`` by the chain rule, output by output.

    Output y[i, j] used x[i·s + p, j·s + q] with weight kernel[p, q], so it sends
    ``dout[i, j] · kernel[p, q]`` back to that input; each input adds up what it receives::

        dx[r, c] = Σ_{i,j} dout[i, j] · kernel[r − i·s, c − j·s]
                   (the sum runs over the windows that hold x[r, c])

    x has shape ((H' − 1)·s + kh, (W' − 1)·s + kw) for dout of shape (H', W'), or
    ``input_shape`` if given (pixels that no window reaches get 0).
    """
    dout = _check_plane("input_gradient_direct", dout, "dout")
    kernel = _check_plane("input_gradient_direct", kernel, "kernel")
    stride = check_int("input_gradient_direct", "stride", stride, 1)
    (ho, wo), (kh, kw) = dout.shape, kernel.shape
    dx = np.zeros(_input_shape("input_gradient_direct", dout.shape, kernel.shape, stride,
                               input_shape))
    for i in range(ho):
        for j in range(wo):
            dx[i * stride:i * stride + kh, j * stride:j * stride + kw] += dout[i, j] * kernel
    return dx


def input_gradient_full_convolution(dout, kernel, stride: int = 1,
                                    input_shape=None) -> np.ndarray:
    """The same dL/dx as a *full* convolution of dout with the kernel rotated by 180°.

    Pad dout with ``kh − 1`` rows and ``kw − 1`` columns of zeros on every side ("full":
    every position where kernel and dout overlap at least once), then slide the rotated
    kernel over it::

        dx = correlate2d_valid(pad(dout, kh − 1, kw − 1), rotate180(kernel))

    For stride s > 1, dout is first spread out by :func:`dilate` (s − 1 zeros between
    entries).
    ``input_shape``: as in :func:`input_gradient_direct`.
    """
    dout = _check_plane("input_gradient_full_convolution", dout, "dout")
    kernel = _check_plane("input_gradient_full_convolution", kernel, "kernel")
    stride = check_int("input_gradient_full_convolution", "stride", stride, 1)
    shape = _input_shape("input_gradient_full_convolution", dout.shape, kernel.shape, stride,
                         input_shape)
    kh, kw = kernel.shape
    padded = np.pad(dilate(dout, stride), ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    dx = correlate2d_valid(padded, rotate180(kernel))
    return np.pad(dx, ((0, shape[0] - dx.shape[0]), (0, shape[1] - dx.shape[1])))


def input_gradient_terms(input_shape: tuple, kernel_shape: tuple, x="x", y="y", w="w") -> dict:
    """The article's sums written out: ``{"∂L/∂x5": "∂L/∂y1·w4 + ∂L/∂y2·w3 + ..."}``.

    Inputs, outputs and kernel entries are numbered from 1, row by row, as in the article
    (x1..x9 for a 3×3 input, w1..w4 for a 2×2 kernel, y1..y4 for the 2×2 output).
    """
    (h, wd), (kh, kw) = tuple(input_shape), tuple(kernel_shape)
    if min(h, wd, kh, kw) < 1 or kh > h or kw > wd:
        raise ValueError(tr("input_gradient_terms: need a kernel {kernel_shape} no larger than "
                            "the input {input_shape}, all sizes >= 1.", kernel_shape=kernel_shape,
                            input_shape=input_shape))
    ho, wo = h - kh + 1, wd - kw + 1
    terms = {}
    for r in range(h):
        for s in range(wd):
            parts = []
            for i in range(max(0, r - kh + 1), min(ho, r + 1)):
                for j in range(max(0, s - kw + 1), min(wo, s + 1)):
                    k = (r - i) * kw + (s - j) + 1
                    parts.append(f"∂L/∂{y}{i * wo + j + 1}·{w}{k}")
            terms[f"∂L/∂{x}{r * wd + s + 1}"] = " + ".join(parts)
    return terms


@dataclass
class ConvExample:
    """The article's setting with numbers: x (3×3), kernel (2×2), y = the forward pass,
    dout (2×2, the upstream gradient), dL/dx computed directly and as a full convolution
    with the rotated kernel (they are equal), and ``terms``, the sums written out."""

    x: np.ndarray
    kernel: np.ndarray
    y: np.ndarray
    dout: np.ndarray
    dx_direct: np.ndarray
    dx_full_convolution: np.ndarray
    terms: dict


def worked_example(seed: int = 0) -> ConvExample:
    """The article's 3×3 input, 2×2 kernel and 2×2 upstream gradient, with small random
    integers (``seed``), worked through both ways: a :class:`ConvExample`."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, size=(3, 3)).astype(np.float64)
    kernel = rng.integers(-2, 3, size=(2, 2)).astype(np.float64)
    dout = rng.integers(-2, 3, size=(2, 2)).astype(np.float64)
    return ConvExample(x, kernel, correlate2d_valid(x, kernel), dout,
                       input_gradient_direct(dout, kernel),
                       input_gradient_full_convolution(dout, kernel),
                       input_gradient_terms((3, 3), (2, 2)))
