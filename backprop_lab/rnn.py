"""Backpropagation through time: why RNN gradients explode or vanish.

(As in "Yes you should listen to Andrej Karpathy, and understand back propagation",
Towards Data Science, and Pascanu, Mikolov & Bengio 2013.)

An RNN applies the *same* weights at every time step::

    a_t = x_t @ Wxh + h_{t−1} @ Whh + b          h_t = act(a_t)          (t = 1 .. T)

Backward walks the steps in reverse (backpropagation through time, BPTT).  The gradient
that reaches h_{t−1} is the one at h_t times the step's local Jacobian::

    ∂L/∂h_{t−1} = (∂L/∂h_t ⊙ act'(a_t)) @ Whhᵀ    (+ what the loss says about h_{t−1} directly)

so going k steps back multiplies by Whhᵀ (and by act') k times.  For a linear RNN with
``Whh = ρ·Q`` (Q orthogonal) every step scales the norm by exactly ρ:
``‖∂L/∂h_{T−k}‖ = ρ^k · ‖∂L/∂h_T‖``.  Above 1 it explodes, below 1 it vanishes.  For a
random Whh of spectral radius ρ the rate per step tends to ρ.  With an activation whose
slope is at most γ (tanh: γ = 1, sigmoid: γ = 1/4) each step multiplies the norm by at
most γ s₁, s₁ the largest singular value of Whh, so ``‖∂L/∂h_{T−k}‖ ≤ (γ s₁)^k ‖∂L/∂h_T‖``:
if s₁ < 1/γ the gradient is *guaranteed* to vanish (Pascanu, Mikolov & Bengio 2013).
Exploding is possible only above it.

What is here (the models and BPTT; the experiments and figures built on them are in
:mod:`backprop_lab.rnn_experiments`):

* :class:`VanillaRNN` and :class:`LSTM` with the layer API of ``backprop_lab.layers``
  (``params``, ``dWxh``, ``dWhh``, ``db``); ``forward(xs, h0)`` with xs (T, N, D) and h0
  (N, H) returns hs (T, N, H); ``backward(dhs)`` returns ``(dxs, dh0)`` and keeps
  ∂L/∂h_t of every step in ``.dh`` (the LSTM also ∂L/∂c_t in ``.dc``).  Each step's
  local derivatives come from gates (``MatMulGate``, ``AddGate``, ``TanhGate``,
  ``SigmoidGate``, ``MultiplyGate``, ``IdentityGate``); the loop over time in
  ``backward`` is BPTT.  :class:`LastStep` reads a sequence out at its end.
* :func:`recurrent_matrix` (orthogonal ρ·Q, or a random matrix with a chosen spectral
  radius or largest singular value), :func:`spectral_radius`,
  :func:`largest_singular_value`.
* :func:`gradient_norms`: ‖∂L/∂h_{T−k}‖ for k = 0 .. T when the loss looks at the last
  step only; :func:`fitted_rate`, :func:`theoretical_norms`.
* :func:`global_norm`, :func:`clip_by_global_norm` (Pascanu et al. 2013),
  :func:`clip_by_value`, :func:`clip_gradients` and :class:`ClippedSGD` for a model.
"""
from __future__ import annotations

import math

import numpy as np

from . import gates as G
from .i18n.messages import tr
from .layers import SGD, Layer, parameters
from .values import as_array, check_choice, check_int, check_real

__all__ = ["ACTIVATIONS", "ACTIVATION_SLOPE", "RecurrentAffine", "RNNStep", "LSTMStep",
           "VanillaRNN", "LSTM", "LastStep", "MATRIX_KINDS", "recurrent_matrix",
           "spectral_radius", "largest_singular_value", "gradient_norms", "fitted_rate",
           "theoretical_norms", "global_norm", "clip_by_global_norm", "clip_factor",
           "clip_by_value", "clip_gradients", "ClippedSGD"]


# ------------------------------------------------------------------------ activations
ACTIVATIONS = {"tanh": G.TanhGate, "sigmoid": G.SigmoidGate, "relu": G.ReLUGate,
               "identity": G.IdentityGate}
# γ = the largest slope of each activation: tanh' ≤ 1, σ' ≤ 1/4, ReLU' ≤ 1, identity' = 1
ACTIVATION_SLOPE = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0, "identity": 1.0}


# ------------------------------------------------------------------ one time step
class RecurrentAffine:
    """``a = x @ Wxh + h_prev @ Whh + b`` from two ``MatMulGate``s and two ``AddGate``s.

    Backward: ``dx = da @ Wxhᵀ``, ``dh_prev = da @ Whhᵀ``, ``dWxh = xᵀ @ da``,
    ``dWhh = h_prevᵀ @ da``, ``db = Σ_rows da`` — each from the gate that owns it.
    """

    def __init__(self):
        self.input_matmul = G.MatMulGate()
        self.recurrent_matmul = G.MatMulGate()
        self.add = G.AddGate()
        self.add_bias = G.AddGate()

    def forward(self, x, h_prev, Wxh, Whh, b):
        return self.add_bias.forward(
            self.add.forward(self.input_matmul.forward(x, Wxh),
                             self.recurrent_matmul.forward(h_prev, Whh)), b)

    def backward(self, da):
        """``(dx, dh_prev, dWxh, dWhh, db)`` for the upstream gradient ``da``."""
        dsum, db = self.add_bias.backward(da)
        dx_part, dh_part = self.add.backward(dsum)
        dx, dWxh = self.input_matmul.backward(dx_part)
        dh_prev, dWhh = self.recurrent_matmul.backward(dh_part)
        return dx, dh_prev, dWxh, dWhh, db


class RNNStep:
    """One step of a vanilla RNN: ``h = act(x @ Wxh + h_prev @ Whh + b)``."""

    def __init__(self, activation: str = "tanh"):
        self.affine = RecurrentAffine()
        self.act = ACTIVATIONS[activation]()

    def forward(self, x, h_prev, Wxh, Whh, b):
        return self.act.forward(self.affine.forward(x, h_prev, Wxh, Whh, b))

    def backward(self, dh):
        """``(dx, dh_prev, dWxh, dWhh, db)``: ``da = dh ⊙ act'(a)``, then the affine part."""
        (da,) = self.act.backward(dh)
        return self.affine.backward(da)


class LSTMStep:
    """One LSTM step (Hochreiter & Schmidhuber 1997, with a forget gate).

    ``a = x @ Wxh + h_prev @ Whh + b`` has 4H columns, split into the input, forget and
    output gates and the candidate: ``i, f, o = σ(a_i), σ(a_f), σ(a_o)``, ``g = tanh(a_g)``;
    ``c = f ⊙ c_prev + i ⊙ g`` and ``h = o ⊙ tanh(c)``.  One ``SigmoidGate`` squashes the
    first 3H columns (i, f, o side by side); the step keeps their values as ``i``, ``f``,
    ``o`` and ``g``.

    Backward through the cell state: ``∂L/∂c_prev = ∂L/∂c ⊙ f``.  No matrix and no
    squashing slope on that path, only the forget gate: with f near 1 the gradient
    travels many steps without vanishing (the constant error carousel).
    """

    def __init__(self):
        self.affine = RecurrentAffine()
        self.gates = G.SigmoidGate()        # i, f, o: σ of the first 3H columns of a
        self.candidate = G.TanhGate()       # g: tanh of the last H columns
        self.keep = G.MultiplyGate()        # f ⊙ c_prev
        self.write = G.MultiplyGate()       # i ⊙ g
        self.cell_add = G.AddGate()         # c = keep + write
        self.cell_tanh = G.TanhGate()
        self.emit = G.MultiplyGate()        # h = o ⊙ tanh(c)

    def forward(self, x, h_prev, c_prev, Wxh, Whh, b):
        a = self.affine.forward(x, h_prev, Wxh, Whh, b)
        H = a.shape[1] // 4
        ifo = self.gates.forward(a[:, :3 * H])
        i, f, o = self.i, self.f, self.o = ifo[:, :H], ifo[:, H:2 * H], ifo[:, 2 * H:]
        g = self.g = self.candidate.forward(a[:, 3 * H:])
        c = self.cell_add.forward(self.keep.forward(f, c_prev), self.write.forward(i, g))
        h = self.emit.forward(o, self.cell_tanh.forward(c))
        return h, c

    def backward(self, dh, dc_next):
        """``(dx, dh_prev, dc_prev, dWxh, dWhh, db, dc)``; dc: the total ∂L/∂c of this step."""
        do, dtanh_c = self.emit.backward(dh)
        (dc_through_h,) = self.cell_tanh.backward(dtanh_c)
        dc = dc_next + dc_through_h                     # c feeds h and the next cell: add
        dkeep, dwrite = self.cell_add.backward(dc)
        df, dc_prev = self.keep.backward(dkeep)
        di, dg = self.write.backward(dwrite)
        (da_ifo,) = self.gates.backward(np.concatenate([di, df, do], axis=1))
        (da_g,) = self.candidate.backward(dg)
        da = np.concatenate([da_ifo, da_g], axis=1)
        dx, dh_prev, dWxh, dWhh, db = self.affine.backward(da)
        return dx, dh_prev, dc_prev, dWxh, dWhh, db, dc


# --------------------------------------------------------------------- the layers
class _Recurrent(Layer):
    """What VanillaRNN and LSTM share: parameters Wxh (D, G·H), Whh (H, G·H), b (G·H,)
    (G = 1 for the RNN, 4 for the LSTM) and the checks of xs, h0 and dhs."""

    blocks = 1

    def __init__(self, Wxh, Whh, b):
        super().__init__()
        name, k = self.name, self.blocks
        Wxh = as_array(Wxh, name, "Wxh", copy=True)
        Whh = as_array(Whh, name, "Whh", copy=True)
        b = as_array(b, name, "b", copy=True)
        if Whh.ndim != 2 or Whh.shape[1] != k * Whh.shape[0]:
            need = "(H, H)" if k == 1 else f"(H, {k}·H)"
            raise ValueError(tr("{name}: Whh must have shape {need} for H hidden units; got "
                                "shape {shape}.", name=name, need=need, shape=Whh.shape))
        H = Whh.shape[0]
        if Wxh.ndim != 2 or Wxh.shape[1] != k * H:
            raise ValueError(tr("{name}: Wxh must have shape (D, {columns}) — inputs to "
                                "{times}H with H = {H} from Whh {Whh_shape}; got shape {shape}.",
                                name=name, columns=k * H, times="" if k == 1 else "4·", H=H,
                                Whh_shape=Whh.shape, shape=Wxh.shape))
        if b.shape != (k * H,):
            raise ValueError(tr("{name}: b must have shape ({columns},); got shape {shape}.",
                                name=name, columns=k * H, shape=b.shape))
        self.params = {"Wxh": Wxh, "Whh": Whh, "b": b}
        self.dWxh = self.dWhh = self.db = None
        self.steps = []
        self.dh = None

    @property
    def Wxh(self) -> np.ndarray:
        return self.params["Wxh"]

    @property
    def Whh(self) -> np.ndarray:
        return self.params["Whh"]

    @property
    def b(self) -> np.ndarray:
        return self.params["b"]

    @property
    def input_size(self) -> int:
        return self.Wxh.shape[0]

    @property
    def hidden_size(self) -> int:
        return self.Whh.shape[0]

    def _check_state(self, value, n: int, what: str) -> np.ndarray:
        H = self.hidden_size
        if value is None:
            return np.zeros((n, H))
        value = as_array(value, self.name, what)
        if value.shape != (n, H):
            raise ValueError(tr("{name}: {what} must have shape (N, H) = ({n}, {H}) for a batch "
                                "of {n}; got shape {shape}.", name=self.name, what=what, n=n, H=H,
                                shape=value.shape))
        return value

    def _check_inputs(self, xs, h0) -> tuple:
        xs = as_array(xs, self.name, "xs")
        if xs.ndim != 3 or xs.shape[0] == 0 or xs.shape[2] != self.input_size:
            raise ValueError(tr("{name}: xs must have shape (T, N, D) = (steps, batch, {D}) with "
                                "T >= 1; got shape {shape}.", name=self.name, D=self.input_size,
                                shape=xs.shape))
        return xs, self._check_state(h0, xs.shape[1], "h0")

    def _check_dhs(self, dhs) -> np.ndarray:
        if not self.steps:
            raise ValueError(tr("{name}.backward() was called before forward(): call "
                                "forward(xs, h0) first.", name=self.name))
        dhs = as_array(dhs, self.name, tr("dhs (the upstream gradients ∂L/∂h_t)"))
        if dhs.shape != self.out_shape:
            raise ValueError(tr("{name}.backward: dhs has shape {shape} but forward returned hs "
                                "of shape {out_shape}; give ∂L/∂h_t for every step (zeros where "
                                "the loss does not look).", name=self.name, shape=dhs.shape,
                                out_shape=self.out_shape))
        return dhs

    def __repr__(self) -> str:
        return f"{self.name}(D={self.input_size}, H={self.hidden_size})"


class VanillaRNN(_Recurrent):
    """``h_t = act(x_t @ Wxh + h_{t−1} @ Whh + b)`` over t = 1 .. T.

    Wxh (D, H), Whh (H, H), b (H,); activation ∈ tanh, sigmoid, relu, identity.
    ``forward(xs, h0=None)``: xs (T, N, D), h0 (N, H) (zeros if None) → hs (T, N, H),
    ``hs[t]`` being h_{t+1}.

    ``backward(dhs)``: dhs (T, N, H) holds what the loss says about each h_t directly.
    BPTT runs t = T .. 1: the total gradient at h_t is ``dhs[t] + (what step t+1 sent
    back)``; it is kept in ``self.dh[t]``; the step's gates turn it into dx_t, the
    gradient for h_{t−1} and this step's share of dWxh, dWhh, db, which are *summed*
    over the steps because the same weights are used at every step.
    Returns ``(dxs, dh0)``.
    """

    def __init__(self, Wxh, Whh, b, activation: str = "tanh"):
        super().__init__(Wxh, Whh, b)
        self.activation = check_choice("VanillaRNN", "activation", activation, ACTIVATIONS)

    @classmethod
    def create(cls, input_size: int, hidden_size: int, rho: float = 1.0,
               activation: str = "tanh", kind: str = "orthogonal", input_scale: float = None,
               seed: int = 0) -> "VanillaRNN":
        """An RNN whose Whh is ``recurrent_matrix(hidden_size, rho, kind)``; Wxh is
        N(0, input_scale²) (default 1/√D), b = 0."""
        rng = np.random.default_rng(seed)
        scale = 1.0 / math.sqrt(input_size) if input_scale is None else float(input_scale)
        Wxh = rng.standard_normal((input_size, hidden_size)) * scale
        Whh = recurrent_matrix(hidden_size, rho, kind=kind, seed=rng)
        return cls(Wxh, Whh, np.zeros(hidden_size), activation=activation)

    def __repr__(self) -> str:
        return (f"VanillaRNN(D={self.input_size}, H={self.hidden_size}, "
                f"activation={self.activation!r})")

    def forward(self, xs, h0=None):
        xs, h = self._check_inputs(xs, h0)
        self.steps = []
        hs = np.empty((xs.shape[0], xs.shape[1], self.hidden_size))
        for t in range(xs.shape[0]):
            step = RNNStep(self.activation)
            h = step.forward(xs[t], h, self.Wxh, self.Whh, self.b)
            self.steps.append(step)
            hs[t] = h
        self.out_shape = hs.shape
        return hs

    def backward(self, dhs):
        dhs = self._check_dhs(dhs)
        T, N, H = dhs.shape
        dxs = np.empty((T, N, self.input_size))
        self.dh = np.empty_like(dhs)
        self.dWxh = np.zeros_like(self.Wxh)
        self.dWhh = np.zeros_like(self.Whh)
        self.db = np.zeros_like(self.b)
        dh_from_next = np.zeros((N, H))
        for t in reversed(range(T)):                       # backpropagation through time
            self.dh[t] = dhs[t] + dh_from_next             # h_t feeds the loss and step t+1
            dxs[t], dh_from_next, dWxh, dWhh, db = self.steps[t].backward(self.dh[t])
            self.dWxh += dWxh                              # shared weights: sum over steps
            self.dWhh += dWhh
            self.db += db
        return dxs, dh_from_next


class LSTM(_Recurrent):
    """Long short-term memory: :class:`LSTMStep` over t = 1 .. T.

    Wxh (D, 4H), Whh (H, 4H), b (4H,) with the columns of the input, forget and output
    gates and the candidate, in that order.  ``forward(xs, h0=None, c0=None)`` → hs
    (T, N, H) (the cell states are in ``self.cs``); ``backward(dhs)`` → ``(dxs, dh0)``,
    with ``self.dh`` and ``self.dc`` (∂L/∂h_t, ∂L/∂c_t of every step) and ``self.dc0``.
    """

    blocks = 4

    @classmethod
    def create(cls, input_size: int, hidden_size: int, forget_bias: float = 1.0,
               seed: int = 0) -> "LSTM":
        """Weights N(0, 1/fan_in), biases 0 except the forget gate's (``forget_bias``: start
        by remembering, Gers et al. 2000)."""
        rng = np.random.default_rng(seed)
        H = hidden_size
        Wxh = rng.standard_normal((input_size, 4 * H)) / math.sqrt(input_size)
        Whh = rng.standard_normal((H, 4 * H)) / math.sqrt(H)
        b = np.zeros(4 * H)
        b[H:2 * H] = forget_bias
        return cls(Wxh, Whh, b)

    def forward(self, xs, h0=None, c0=None):
        xs, h = self._check_inputs(xs, h0)
        c = self._check_state(c0, xs.shape[1], "c0")
        self.steps = []
        T, N = xs.shape[:2]
        hs = np.empty((T, N, self.hidden_size))
        self.cs = np.empty_like(hs)
        for t in range(T):
            step = LSTMStep()
            h, c = step.forward(xs[t], h, c, self.Wxh, self.Whh, self.b)
            self.steps.append(step)
            hs[t], self.cs[t] = h, c
        self.out_shape = hs.shape
        return hs

    def backward(self, dhs):
        dhs = self._check_dhs(dhs)
        T, N, H = dhs.shape
        dxs = np.empty((T, N, self.input_size))
        self.dh = np.empty_like(dhs)
        self.dc = np.empty_like(dhs)
        self.dWxh = np.zeros_like(self.Wxh)
        self.dWhh = np.zeros_like(self.Whh)
        self.db = np.zeros_like(self.b)
        dh_from_next = np.zeros((N, H))
        dc_from_next = np.zeros((N, H))
        for t in reversed(range(T)):                       # BPTT through h and through c
            self.dh[t] = dhs[t] + dh_from_next
            (dxs[t], dh_from_next, dc_from_next, dWxh, dWhh, db,
             self.dc[t]) = self.steps[t].backward(self.dh[t], dc_from_next)
            self.dWxh += dWxh
            self.dWhh += dWhh
            self.db += db
        self.dc0 = dc_from_next
        return dxs, dh_from_next


class LastStep(Layer):
    """Keeps only the last hidden state: hs (T, N, H) → hs[-1] (N, H).

    Backward puts dout at the last step and zeros elsewhere (the loss looks at h_T only),
    so ``Sequential([rnn, LastStep(), Affine(W, b)])`` reads a sequence out at its end.
    """

    def forward(self, hs):
        hs = as_array(hs, "LastStep", "hs")
        if hs.ndim != 3:
            raise ValueError(tr("LastStep: hs must have shape (T, N, H); got shape {shape}.",
                                shape=hs.shape))
        self.in_shape = hs.shape
        self.out_shape = hs.shape[1:]
        return hs[-1]

    def backward(self, dout):
        if self.out_shape is None:
            raise ValueError(tr("LastStep.backward() was called before forward()."))
        dout = as_array(dout, "LastStep", "dout")
        if dout.shape != self.out_shape:
            raise ValueError(tr("LastStep.backward: dout has shape {shape}; expected "
                                "{out_shape}.", shape=dout.shape, out_shape=self.out_shape))
        dhs = np.zeros(self.in_shape)
        dhs[-1] = dout
        return dhs

    def __repr__(self) -> str:
        return "LastStep()"


# ---------------------------------------------------------- recurrent matrices
MATRIX_KINDS = ("orthogonal", "spectral_radius", "singular_value")


def recurrent_matrix(size: int, scale: float, kind: str = "orthogonal", seed=0) -> np.ndarray:
    """A random (size, size) matrix with a chosen scale.

    * ``"orthogonal"``: ρ·Q with Q orthogonal (QR of a Gaussian matrix).  Every
      eigenvalue has modulus ρ and every singular value is ρ, so ``‖v @ (ρQ)ᵀ‖ = ρ‖v‖``
      for every v: the norm changes by exactly ρ per step.
    * ``"spectral_radius"``: a Gaussian matrix scaled so its largest |eigenvalue| is ρ.
    * ``"singular_value"``: a Gaussian matrix scaled so its largest singular value is ρ.
    """
    size = check_int("recurrent_matrix", "size", size)
    scale = check_real("recurrent_matrix", "scale", scale, allow_zero=True)
    if kind not in MATRIX_KINDS:
        raise ValueError(tr("recurrent_matrix: unknown kind {kind!r}; choose one of {kinds}.",
                            kind=kind, kinds=list(MATRIX_KINDS)))
    gaussian = np.random.default_rng(seed).standard_normal((size, size))
    if kind == "orthogonal":
        q, r = np.linalg.qr(gaussian)
        q *= np.where(np.diag(r) < 0, -1.0, 1.0)      # a uniformly random orthogonal matrix
        return float(scale) * q
    current = spectral_radius(gaussian) if kind == "spectral_radius" else \
        largest_singular_value(gaussian)
    return gaussian * (float(scale) / current)


def spectral_radius(W) -> float:
    """max |λ| over the eigenvalues λ of a square matrix W."""
    return float(np.max(np.abs(np.linalg.eigvals(np.asarray(W, dtype=np.float64)))))


def largest_singular_value(W) -> float:
    """s₁(W) = max ‖v W‖ / ‖v‖, the most W can stretch a vector (its 2-norm)."""
    return float(np.linalg.norm(np.asarray(W, dtype=np.float64), 2))


# ------------------------------------------------------------ gradient norms in time
def gradient_norms(model, xs, h0=None, dh_last=None, seed: int = 0) -> np.ndarray:
    """‖∂L/∂h_{T−k}‖ for k = 0 .. T when the loss looks at the last hidden state only.

    Runs ``model.forward(xs, h0)`` and ``model.backward(dhs)`` with dhs zero except at
    the last step, where it is ``dh_last`` (default: a random direction of norm 1, from
    ``seed``).  Entry k of the result is the (Frobenius) norm of the gradient k steps
    back: entry 0 is ‖∂L/∂h_T‖, entry T is ‖∂L/∂h_0‖.
    """
    hs = model.forward(xs, h0)
    dhs = np.zeros_like(hs)
    if dh_last is None:
        direction = np.random.default_rng(seed).standard_normal(hs.shape[1:])
        dh_last = direction / np.linalg.norm(direction)
    dh_last = as_array(dh_last, "gradient_norms", "dh_last")
    if dh_last.shape != hs.shape[1:]:
        raise ValueError(tr("gradient_norms: dh_last must have shape (N, H) = {need}; got shape "
                            "{shape}.", need=hs.shape[1:], shape=dh_last.shape))
    dhs[-1] = dh_last
    _, dh0 = model.backward(dhs)
    norms = np.linalg.norm(model.dh.reshape(len(hs), -1), axis=1)[::-1]
    return np.append(norms, np.linalg.norm(dh0))


def fitted_rate(norms, skip: int = 0) -> float:
    """The rate per step r of a fit ``norms[k] ≈ C·r^k`` (least squares on log norms).

    ``skip`` ignores the first entries (a transient).  Zero norms are left out.
    """
    norms = np.asarray(norms, dtype=np.float64)
    k = np.arange(len(norms))[skip:]
    values = norms[skip:]
    keep = values > 0
    if keep.sum() < 2:
        raise ValueError(tr("fitted_rate: need at least two positive norms to fit a rate."))
    slope = np.polyfit(k[keep], np.log(values[keep]), 1)[0]
    return float(np.exp(slope))


def theoretical_norms(rate: float, steps: int, start: float = 1.0) -> np.ndarray:
    """``start · rate^k`` for k = 0 .. steps: the line the measured norms follow (or stay under)."""
    return start * float(rate) ** np.arange(steps + 1)


# ---------------------------------------------------------------------- clipping
def _arrays(grads) -> list:
    values = list(grads.values()) if isinstance(grads, dict) else list(grads)
    arrays = []
    for i, g in enumerate(values):
        if g is None:
            raise ValueError(tr("clipping: gradient {i} is None; run backward() first.", i=i))
        arrays.append(np.asarray(g, dtype=np.float64))
    return arrays


def _like(grads, arrays):
    return dict(zip(grads, arrays)) if isinstance(grads, dict) else arrays


def global_norm(grads) -> float:
    """√(Σ over every gradient array of its squared entries): all parameters as one vector."""
    return float(math.sqrt(sum(float(np.sum(g * g)) for g in _arrays(grads))))


def clip_by_global_norm(grads, max_norm: float):
    """Pascanu, Mikolov & Bengio (2013), algorithm 1: if ‖g‖ > max_norm, g ← g·max_norm/‖g‖.

    ``grads``: a dict {name: array} or a list of arrays (all parameters together form g).
    Returns ``(clipped, norm)``: new arrays in the same container, and ‖g‖ before
    clipping.  The direction of g is kept; only its length is capped.
    """
    max_norm = check_real("clip_by_global_norm", "max_norm", max_norm)
    arrays = _arrays(grads)
    norm = global_norm(arrays)
    factor = clip_factor(norm, max_norm)
    return _like(grads, [g * factor for g in arrays]), norm


def clip_factor(norm: float, max_norm: float) -> float:
    """What clipping by global norm multiplies every gradient by: ``max_norm / norm`` when
    ``norm > max_norm``, else 1 (so a zero gradient is left alone, never divided by)."""
    return max_norm / norm if norm > max_norm else 1.0


def clip_by_value(grads, limit: float):
    """Clip every entry to [−limit, limit] (Mikolov 2012).  Changes the direction of g."""
    limit = check_real("clip_by_value", "limit", limit)
    return _like(grads, [np.clip(g, -limit, limit) for g in _arrays(grads)])


def clip_gradients(model, max_norm: float) -> float:
    """Scale a model's parameter gradients (``d<name>``) in place to global norm ≤ max_norm.

    Works for a layer or a ``Sequential``; returns the norm before clipping.
    """
    grads = [grad for _, _, grad in parameters(model)]
    clipped, norm = clip_by_global_norm(grads, max_norm)
    for grad, new in zip(grads, clipped):
        grad[...] = new
    return norm


class ClippedSGD(SGD):
    """SGD that first clips the model's gradients by global norm (``max_norm``) or by value
    (``max_value``).  ``norms`` records ‖g‖ before clipping at every step."""

    def __init__(self, lr: float = 0.1, max_norm: float = None, max_value: float = None):
        super().__init__(lr)
        self.max_norm = None if max_norm is None else check_real("ClippedSGD", "max_norm",
                                                                      max_norm)
        self.max_value = None if max_value is None else check_real("ClippedSGD",
                                                                        "max_value", max_value)
        self.norms = []

    def __repr__(self) -> str:
        return f"ClippedSGD(lr={self.lr:g}, max_norm={self.max_norm}, max_value={self.max_value})"

    def step(self, model) -> None:
        grads = [grad for _, _, grad in parameters(model)]
        self.norms.append(global_norm(grads))
        if self.max_norm is not None:
            clip_gradients(model, self.max_norm)
        if self.max_value is not None:
            for grad in grads:
                np.clip(grad, -self.max_value, self.max_value, out=grad)
        super().step(model)
