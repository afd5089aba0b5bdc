"""Vectorized layers, losses, a Sequential container, SGD and training.

The layer API is the one of 理解反向传播计算梯度 (2023), the post on numerical gradients
and the Affine layer.

Every layer has the same small API::

    layer = Affine(W, b)          # parameters live in layer.params = {"W": W, "b": b}
    out = layer.forward(x)        # computes and caches what backward needs
    dx = layer.backward(dout)     # dL/dx; parameter gradients land in layer.dW, layer.db

Losses take the targets as well and return a number::

    loss = MSELoss()
    L = loss.forward(scores, targets)   # a float
    dscores = loss.backward()           # dL/dscores (dout = dL/dL = 1.0 by default)

No layer writes its own derivative formulas: each one runs gates (``backprop_lab.gates``)
forward and backward -- a chain of gates, whose backward is their backwards in reverse
order -- or, where a value feeds two gates (``SoftmaxCrossEntropy``), builds a small
``bl.Graph`` and lets the graph engine run backward.  ``Affine`` is a ``MatMulGate`` then
an ``AddGate``: the matmul gate gives ``dx = dout @ Wᵀ`` and ``dW = xᵀ @ dout``, the add
gate un-broadcasts ``b`` and so gives ``db = sum of dout over the rows``.

(That post's Affine writes ``dx = np.dot(dout, W)`` and ``dW = np.dot(x, dout)``: both
transposes are missing.  The shapes only line up when every dimension is equal, and even
then the gradients are wrong; the gradient check in the tests catches it.)

Shapes: x is (N, D) — N examples in rows, D features — or (N, d1, d2, ...), which
``Affine`` flattens to (N, d1·d2·...) like CS231n and un-flattens again in backward.
"""
from __future__ import annotations

import math

import numpy as np

from . import gates as G
from .datasets import minibatches
from .graph import Graph, constant, exp, log, var
from .i18n.messages import tr
from .values import (all_finite, as_array, check_choice, check_dout, check_int, check_real,
                     is_number)

__all__ = ["Layer", "Affine", "Linear", "ReLU", "Sigmoid", "Tanh", "MSELoss",
           "SoftmaxCrossEntropy", "Sequential", "SGD", "mlp", "train", "parameters"]


class Layer:
    """Base class: ``forward(x)``, ``backward(dout) -> dx``, ``params`` and ``d<name>`` grads.

    ``params`` maps a parameter's name to its float64 array; optimizers update those
    arrays *in place*, so ``layer.W is layer.params["W"]`` stays true.  Constructors
    copy the arrays they are given (float64): a layer owns its parameters, so training it
    never changes the caller's arrays or another layer built from the same array.  After backward
    the gradient of parameter ``name`` is the attribute ``d<name>`` (``dW``, ``db``).
    """

    # True for a layer whose backward takes ``input_grad=False``: it then computes only its
    # parameters' gradients (the first layer of a model, whose input is data) and returns None
    can_skip_input_grad = False

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.out_shape = None

    @property
    def name(self) -> str:
        return type(self).__name__

    @property
    def grads(self) -> dict:
        """``{parameter name: gradient}`` from the last backward (None before it)."""
        return {key: getattr(self, "d" + key, None) for key in self.params}

    def __call__(self, x):
        return self.forward(x)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k}={v.shape}" for k, v in self.params.items())
        return f"{self.name}({shapes})"


# ------------------------------------------------------------------------- Affine
class Affine(Layer):
    """out = x @ W + b.  W: (D, M), b: (M,), x: (N, D) (or (N, d1, d2, ...) flattened), out: (N, M).

    Backward (from a MatMulGate and an AddGate):
    ``dx = dout @ Wᵀ`` (N, D), ``dW = xᵀ @ dout`` (D, M), ``db = Σ_rows dout`` (M,).
    """

    can_skip_input_grad = True

    def __init__(self, W, b):
        super().__init__()
        W = as_array(W, "Affine", "W", copy=True)
        b = as_array(b, "Affine", "b", copy=True)
        if W.ndim != 2:
            raise ValueError(tr("Affine: W must be a 2-D array of shape (inputs, outputs); got "
                                "shape {shape}.", shape=W.shape))
        if b.shape != (W.shape[1],):
            raise ValueError(tr("Affine: b must have shape ({outputs},), one bias per output "
                                "column of W (W has shape {W_shape}); got shape {shape}.",
                                outputs=W.shape[1], W_shape=W.shape, shape=b.shape))
        self.params = {"W": W, "b": b}
        self.dW = None
        self.db = None
        self.matmul = G.MatMulGate()
        self.add = G.AddGate()
        self.x_shape = None

    @property
    def W(self) -> np.ndarray:
        return self.params["W"]

    @W.setter
    def W(self, value):
        self.params["W"] = as_array(value, "Affine", "W", copy=True)

    @property
    def b(self) -> np.ndarray:
        return self.params["b"]

    @b.setter
    def b(self, value):
        self.params["b"] = as_array(value, "Affine", "b", copy=True)

    def forward(self, x):
        x = as_array(x, "Affine", "x")
        W = self.params["W"]
        if x.ndim < 2:
            raise ValueError(tr("Affine: x must have shape (N, {inputs}) — one example per row "
                                "— got shape {shape}; for one example use x.reshape(1, -1).",
                                inputs=W.shape[0], shape=x.shape))
        rows = x.reshape(x.shape[0], -1)
        if rows.shape[1] != W.shape[0]:
            fields = dict(got=rows.shape[1], inputs=W.shape[0], W_shape=W.shape)
            raise ValueError(tr("Affine: x has {got} features per row but W expects {inputs} (W "
                                "has shape {W_shape}).", **fields) if x.ndim == 2 else
                             tr("Affine: x has {got} features per example (shape {example} "
                                "flattened) but W expects {inputs} (W has shape {W_shape}).",
                                example=x.shape[1:], **fields))
        self.x_shape = x.shape
        out = self.add.forward(self.matmul.forward(rows, W), self.params["b"])
        self.out_shape = out.shape
        return out

    def backward(self, dout, input_grad: bool = True):
        """dL/dx (shape of x); fills ``dW``, ``db``.  ``input_grad=False`` skips dL/dx (a
        first layer, whose input is data) and returns None."""
        dout = check_dout("Affine", dout, self.out_shape)
        dproduct, self.db = self.add.backward(dout)      # db: un-broadcast over the rows
        drows, self.dW = self.matmul.backward(dproduct, wanted=(input_grad, True))
        return drows.reshape(self.x_shape) if input_grad else None  # dx = dout @ Wᵀ, dW = xᵀ @ dout


Linear = Affine  # the illustrated MiniFlow post (反向传播-图解) calls it Linear


# -------------------------------------------------------------------- activations
class _Activation(Layer):
    """An elementwise layer: forward and backward of one gate (no parameters)."""

    gate_class = None

    def __init__(self):
        super().__init__()
        self.gate = self.gate_class()

    def forward(self, x):
        x = as_array(x, self.name, "x")
        out = self.gate.forward(x)
        self.out_shape = np.shape(out)
        return out

    def backward(self, dout):
        dout = check_dout(self.name, dout, self.out_shape)
        (dx,) = self.gate.backward(dout)
        return dx

    def __repr__(self) -> str:
        return f"{self.name}()"


class ReLU(_Activation):
    """out = max(0, x) elementwise.  dx = dout where x > 0, else 0 (a ReLUGate)."""

    gate_class = G.ReLUGate


class Sigmoid(_Activation):
    """out = σ(x) = 1/(1 + e^(−x)) elementwise.  dx = dout · σ(x)(1 − σ(x)) (SigmoidGate)."""

    gate_class = G.SigmoidGate


class Tanh(_Activation):
    """out = tanh(x) elementwise.  dx = dout · (1 − tanh(x)²) (a TanhGate)."""

    gate_class = G.TanhGate


ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}


# ------------------------------------------------------------------------- losses
class _Loss:
    """A loss: ``forward(scores, targets) -> float``; ``backward(dout=1.0) -> dscores``, that
    is dL/dscores times ``dout`` (the gradient of whatever uses the loss; 1.0 normally).

    After forward, ``graph`` is the loss as a ``bl.Graph`` (its leaf ``"scores"`` holds the
    scores): ``bl.draw(loss.graph.output)`` draws it as a circuit.
    """

    @property
    def name(self) -> str:
        return type(self).__name__

    def __call__(self, scores, targets):
        return self.forward(scores, targets)

    def __repr__(self) -> str:
        return f"{self.name}()"

    def backward(self, dout=1.0):
        """dL/dscores, times ``dout``: the graph engine's backward on ``graph``."""
        seed = self._seed(dout, ready=self.graph is not None)
        return self.graph.backward(seed=seed)["scores"]

    def _seed(self, dout, ready: bool) -> float:
        """``dout`` as the float backward starts from, or the error for a backward that came
        before forward (``ready`` False) or a ``dout`` that is not a finite number."""
        if not ready:
            raise ValueError(tr("{loss}.backward() was called before forward(): call "
                                "forward(scores, targets) first.", loss=self.name))
        if not is_number(dout) or not math.isfinite(dout):
            raise TypeError(tr("{loss}.backward: dout must be a finite number (the loss is a "
                               "scalar), got {dout!r}.", loss=self.name, dout=dout))
        return float(dout)


class MSELoss(_Loss):
    """L = mean((scores − targets)²) over every entry (N·M entries for (N, M) scores).

    Four gates in a row: SubtractGate → PowerGate(2) → SumGate → ScaleGate(1/(N·M)).  A
    chain has one path back, so backward runs the gates' backward in reverse order, as
    ``Affine`` runs its two, and gives dL/dscores = 2·(scores − targets) / (N·M).
    ``graph`` builds the same circuit as a ``bl.Graph`` when it is asked for (to draw it,
    or to step through its backward); a training step does not pay for one.
    """

    def __init__(self):
        self.subtract, self.square, self.total = G.SubtractGate(), G.PowerGate(2.0), G.SumGate()
        self.mean = None          # ScaleGate(1/(N·M)), for the number of entries of the scores
        self.inputs = None        # (scores, targets) of the last forward that succeeded
        self._graph = None

    def forward(self, scores, targets):
        self.inputs = self._graph = None              # until this forward has succeeded
        scores = as_array(scores, "MSELoss", "scores")
        targets = as_array(targets, "MSELoss", "targets")
        if scores.shape != targets.shape:
            if targets.ndim == 1 and scores.shape == (targets.shape[0], 1):
                targets = targets.reshape(-1, 1)      # a column of targets written as a vector
            else:
                raise ValueError(tr("MSELoss: scores have shape {scores} but targets have shape "
                                    "{targets}; they must be equal.", scores=scores.shape,
                                    targets=targets.shape))
        if scores.size == 0:
            raise ValueError(tr("MSELoss: scores are empty (shape {shape}); the mean needs at "
                                "least one entry.", shape=scores.shape))
        if self.mean is None or self.mean.a != 1.0 / scores.size:
            self.mean = G.ScaleGate(1.0 / scores.size)
        squares = self.square.forward(self.subtract.forward(scores, targets))
        value = self.mean.forward(self.total.forward(squares))
        self.inputs = (scores.copy(), targets.copy())
        return float(value)

    def backward(self, dout=1.0):
        seed = self._seed(dout, ready=self.inputs is not None)
        (dtotal,) = self.mean.backward(seed)
        (dsquares,) = self.total.backward(dtotal)
        (ddifference,) = self.square.backward(dsquares)
        dscores, _ = self.subtract.backward(ddifference)
        return dscores

    @property
    def graph(self):
        """The last forward's circuit as a ``bl.Graph`` (None before forward), built once."""
        if self._graph is None and self.inputs is not None:
            scores, targets = self.inputs
            self._graph = Graph(((var(scores, name="scores")
                                  - constant(targets, name="targets")) ** 2).mean())
        return self._graph


class SoftmaxCrossEntropy(_Loss):
    """Softmax then cross-entropy, averaged over the N rows of (N, C) class scores.

    ``targets``: N integer labels in [0, C), or an (N, C) array of one-hot (or any
    probability) rows.  With p = softmax(scores) per row:
    L = −(1/N) Σ_i Σ_c t_ic · log p_ic and dL/dscores = (p − t) / N.

    The graph computes log p stably as ``s − log Σ_c exp(s)`` with s = scores minus each
    row's max (a constant shift: softmax does not change when a row is shifted, so
    neither does its gradient).  ``probabilities`` holds p after forward.
    """

    def __init__(self):
        self.graph = None
        self.probabilities = None

    def forward(self, scores, targets):
        self.graph = self.probabilities = None        # until this forward has succeeded
        scores = as_array(scores, "SoftmaxCrossEntropy", "scores")
        if scores.ndim != 2 or scores.shape[0] == 0 or scores.shape[1] == 0:
            raise ValueError(tr("SoftmaxCrossEntropy: scores must have shape (N, C) with N >= 1 "
                                "examples and C >= 1 classes; got shape {shape}.",
                                shape=scores.shape))
        onehot = self._onehot(targets, scores.shape)
        n = scores.shape[0]
        s = var(scores, name="scores")
        shifted = s - constant(scores.max(axis=1, keepdims=True), name="row max")
        exps = exp(shifted)
        logprobs = shifted - log(exps.sum(axis=1, keepdims=True))
        loss = (logprobs * constant(onehot, name="targets")).sum() * (-1.0 / n)
        self.graph = Graph(loss)
        self.probabilities = np.exp(logprobs.value)
        return float(loss.value)

    @staticmethod
    def _onehot(targets, shape) -> np.ndarray:
        n, c = shape
        t = np.asarray(targets)
        if t.ndim == 1:
            if not np.issubdtype(t.dtype, np.integer):
                if not (np.issubdtype(t.dtype, np.floating) and np.all(t == np.round(t))):
                    raise TypeError(tr("SoftmaxCrossEntropy: a 1-D targets array must hold "
                                       "integer class labels; got dtype {dtype}.", dtype=t.dtype))
                t = t.astype(np.int64)
            if t.shape != (n,):
                raise ValueError(tr("SoftmaxCrossEntropy: got {labels} labels for {n} rows of "
                                    "scores (scores have shape {shape}).", labels=t.shape[0], n=n,
                                    shape=shape))
            if t.size and (t.min() < 0 or t.max() >= c):
                raise ValueError(tr("SoftmaxCrossEntropy: labels must lie in [0, {last}] for {c} "
                                    "classes; got labels from {low} to {high}.", last=c - 1, c=c,
                                    low=t.min(), high=t.max()))
            onehot = np.zeros(shape)
            onehot[np.arange(n), t] = 1.0
            return onehot
        t = as_array(t, "SoftmaxCrossEntropy", "targets")
        if t.shape != shape:
            raise ValueError(tr("SoftmaxCrossEntropy: targets must be N integer labels or an "
                                "(N, C) array like the scores {scores}; got shape {shape}.",
                                scores=shape, shape=t.shape))
        if np.any(t < 0) or not np.allclose(t.sum(axis=1), 1.0):
            raise ValueError(tr("SoftmaxCrossEntropy: each row of (N, C) targets must be a "
                                "probability distribution (non-negative, summing to 1)."))
        return t


# ----------------------------------------------------------------------- Sequential
class Sequential(Layer):
    """Layers applied one after another; backward runs them in reverse order.

    ``params`` names every parameter ``"<layer index>.<name>"`` (``"0.W"``, ``"2.b"``)
    and holds the layers' own arrays, so an optimizer stepping over ``model.params``
    updates the layers.  Gradients: ``model.grads`` (same keys), and ``getattr(model,
    "d0.W")`` like any layer (so ``gradcheck.check_layer`` works on a whole model).
    """

    def __init__(self, layers):
        self.layers = list(layers)            # (no Layer.__init__: params come from the layers)
        for i, layer in enumerate(self.layers):
            if not (callable(getattr(layer, "forward", None))
                    and callable(getattr(layer, "backward", None))):
                raise TypeError(tr("Sequential: item {i} ({kind}) is not a layer; a layer needs "
                                   "forward(x) and backward(dout) methods.", i=i,
                                   kind=type(layer).__name__))
            if isinstance(layer, _Loss):
                raise TypeError(tr("Sequential: item {i} is the loss {loss}; keep the loss "
                                   "outside the model and pass it to train().", i=i,
                                   loss=layer.name))

    @property
    def params(self) -> dict:
        return {f"{i}.{key}": value for i, layer in enumerate(self.layers)
                for key, value in getattr(layer, "params", {}).items()}

    def __getattr__(self, name):
        # d<index>.<param> → that layer's gradient (only called for missing attributes)
        if name.startswith("d") and "." in name:
            index, _, key = name[1:].partition(".")
            if index.isdigit() and int(index) < len(self.layers):
                layer = self.layers[int(index)]
                if key in getattr(layer, "params", {}):
                    return getattr(layer, "d" + key)
        raise AttributeError(f"Sequential has no attribute {name!r}")

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    can_skip_input_grad = True

    def backward(self, dout, input_grad: bool = True):
        """dL/dx through every layer in reverse order.  ``input_grad=False`` (the input is
        data, as in training): the first layer skips dL/dx if it can, and None is returned."""
        if not self.layers:
            return dout if input_grad else None
        for layer in self.layers[:0:-1]:
            dout = layer.backward(dout)
        first = self.layers[0]
        if input_grad:
            return first.backward(dout)
        if getattr(first, "can_skip_input_grad", False):
            return first.backward(dout, input_grad=False)
        first.backward(dout)
        return None

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, index):
        return self.layers[index]

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self) -> str:
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"Sequential([\n  {inner}\n])"


def parameters(model):
    """Yield ``(name, value, grad)`` for every parameter of a layer or Sequential model."""
    if isinstance(model, Sequential):          # the names of model.params, "<index>.<name>",
        for i, layer in enumerate(model.layers):   # each gradient read from its own layer
            for key, value in getattr(layer, "params", {}).items():
                yield f"{i}.{key}", value, getattr(layer, "d" + key, None)
        return
    params = getattr(model, "params", None)
    if params is None:
        raise TypeError(tr("{kind} has no params dict; expected a layer or a Sequential model.",
                           kind=type(model).__name__))
    for key, value in params.items():
        yield key, value, getattr(model, "d" + key, None)


# ----------------------------------------------------------------------- optimizer
class SGD:
    """Stochastic gradient descent: ``value -= lr · grad`` for every parameter, in place."""

    def __init__(self, lr: float = 0.1):
        self.lr = check_real("SGD", "the learning rate lr", lr)

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr:g})"

    def step(self, model) -> None:
        """Update ``model``'s parameters in place with the gradients of its last backward.

        Nothing is updated unless every parameter has a gradient; an update that makes a
        parameter inf or NaN is an error naming it (the first one)."""
        params = list(parameters(model))
        for key, value, grad in params:
            if grad is None:
                raise ValueError(tr("SGD.step: parameter {key!r} of {kind} has no gradient yet; "
                                    "call backward() before step().", key=key,
                                    kind=type(model).__name__))
        with np.errstate(over="ignore", invalid="ignore"):   # overflow: inf, reported below
            for key, value, grad in params:
                value -= self.lr * grad
        for key, value, grad in params:
            if not all_finite(value):
                raise ValueError(tr("SGD.step: parameter {key!r} of {kind} became inf or NaN "
                                    "(lr={lr:g}, largest |gradient| {largest:.3g}); the learning "
                                    "rate is probably too large, or the gradients exploded.",
                                    key=key, kind=type(model).__name__, lr=self.lr,
                                    largest=np.max(np.abs(grad))))


# --------------------------------------------------------------- building, training
def mlp(sizes, activation: str = "relu", seed: int = 0) -> Sequential:
    """A multi-layer perceptron: Affine layers of the given ``sizes`` with an activation
    between them (none after the last).  ``mlp([2, 16, 1], activation="sigmoid")`` is
    Affine(2→16) → Sigmoid → Affine(16→1).

    Weights are drawn N(0, gain/fan_in) (gain 2 for ReLU — He et al. — else 1), biases 0.
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(tr("mlp: sizes must list at least two positive integers (inputs, ..., "
                            "outputs), got {sizes!r}.", sizes=sizes))
    sizes = [check_int("mlp", f"sizes[{i}]", n) for i, n in enumerate(sizes)]
    check_choice("mlp", "activation", activation, sorted(ACTIVATIONS))
    rng = np.random.default_rng(seed)
    gain = 2.0 if activation == "relu" else 1.0
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        W = rng.standard_normal((fan_in, fan_out)) * math.sqrt(gain / fan_in)
        layers.append(Affine(W, np.zeros(fan_out)))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    return Sequential(layers)


def train(model, loss, X, y, *, lr: float = 0.1, epochs: int = 100, batch_size: int | None = None,
          optimizer=None, seed: int = 0) -> list[float]:
    """Train ``model`` on (X, y) with ``loss``; return the mean loss of every epoch.

    Each step: forward, loss, loss backward, model backward, optimizer step (``SGD(lr)``
    unless ``optimizer`` is given).  ``batch_size=None`` uses the whole set each step;
    otherwise the rows are shuffled every epoch (seeded) and cut into mini-batches.
    """
    X = as_array(X, "train", "X")
    y = np.asarray(y)
    if X.ndim < 2 or len(y) != len(X):
        raise ValueError(tr("train: X must have shape (N, ...) and y one target per row; got X "
                            "of shape {X_shape} and y of shape {y_shape}.", X_shape=X.shape,
                            y_shape=y.shape))
    epochs = check_int("train", "epochs", epochs)
    n = len(X)
    size = n if batch_size is None else check_int("train", "batch_size (or None)", batch_size)
    optimizer = SGD(lr) if optimizer is None else optimizer
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(epochs):
        if size >= n:                 # one batch of every row: the order does not matter
            batches = minibatches(X, y, size, shuffle=False)
        else:                         # a new order every epoch, drawn from train's own seed
            batches = minibatches(X, y, size, seed=int(rng.integers(2**32)))
        total = 0.0
        for X_batch, y_batch in batches:
            value = loss.forward(model.forward(X_batch), y_batch)
            dscores = loss.backward()
            if getattr(model, "can_skip_input_grad", False):
                model.backward(dscores, input_grad=False)    # no dL/dX: X is data
            else:
                model.backward(dscores)
            optimizer.step(model)
            total += value * len(X_batch)
        history.append(total / n)
    return history
