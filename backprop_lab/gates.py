"""Gates: the unit of local derivatives (the gate API of CS231n, as summarised by sunlianglong).

A gate is a tiny function with a memory::

    gate = MultiplyGate()
    z = gate.forward(3.0, -4.0)   # computes z = x * y and caches x, y
    dx, dy = gate.backward(2.0)   # upstream dL/dz = 2  ->  (dL/dx, dL/dy) = (2*y, 2*x)

``forward(*inputs)`` computes the output and caches what backward needs with
``self.save(...)``; ``backward(upstream)`` reads it back with ``self.saved()`` (which says
clearly when backward comes before forward), receives dL/d(output) and returns one
gradient per input, each with the shape of that input: *upstream x local gradient*.

Values are Python floats or float64 numpy arrays of any shape.  When a binary gate
broadcasts (``x`` of shape (3, 4) plus ``b`` of shape (4,)), backward sums the gradient
over the broadcast axes so that ``db`` has the shape of ``b`` again (:func:`unbroadcast`).

Every gate also knows

* ``symbol``: what the renderer draws in its circle (``+``, ``×``, ``max``, ``σ`` ...),
* ``local_gradients()``: d(output)/d(input) for each input, at the cached inputs
  (for matrix gates: the array that multiplies the upstream gradient),
* ``formulas``: one human-readable rule per input, e.g. ``"upstream · y"``.

Every elementwise gate (add, subtract, multiply, max, sigmoid, tanh, ReLU, exp, log, 1/x,
+c, ×a, x^p, sin, cos, identity) writes ``forward`` and ``local_gradients`` and inherits
one ``backward`` (:class:`ElementwiseGate`): the gradient for input i is
``upstream * local_gradients()[i]``, summed over broadcast axes.  Such a gate saves its
inputs first (backward un-broadcasts to their shapes), then anything else its local
gradients need (sigmoid, tanh, exp and 1/x save their output) -- except the gates whose
local gradients are constants (add, subtract, +c, ×a: :class:`ConstantSlopeGate`), which
keep only their inputs' shapes.  :class:`AddGate` and
:class:`MultiplyGate` also write their ``backward`` out for numbers -- the one-liners of
CS231n, add distributes and multiply swaps -- because the scalar engine runs them for
nearly every number, where the shared one costs four times as much; for arrays they hand
over to it (a test checks that both give the same gradients).  The gates whose local
gradient is not elementwise (:class:`MatMulGate`, :class:`SumGate`, :class:`TransposeGate`)
write their own ``backward``, and :class:`ReLUGate` does for arrays: CS231n's
``dout * (x > 0)``, the boolean mask multiplying directly instead of a float copy of it (the
array layers of an MLP run it at every step; the same test checks it).

To make your own gate, subclass :class:`Gate` (write ``forward`` and ``backward``) or
:class:`ElementwiseGate` (write ``forward`` and ``local_gradients``).
"""
from __future__ import annotations

import functools
import math

import numpy as np

from .i18n.messages import tr
from .values import all_finite, check_constant, format_value, require_numbers, shape_of

__all__ = [
    "Gate", "ElementwiseGate", "ConstantSlopeGate", "unbroadcast", "shape_of", "is_scalar",
    "AddGate", "SubtractGate", "MultiplyGate", "MaxGate",
    "SigmoidGate", "TanhGate", "ReLUGate", "ExpGate", "LogGate", "ReciprocalGate",
    "AddConstGate", "ScaleGate", "PowerGate", "SinGate", "CosGate", "IdentityGate",
    "MatMulGate", "SumGate", "TransposeGate", "BUILT_IN",
]

EXP_MAX = math.log(np.finfo(np.float64).max)  # exp(x) overflows float64 above ~709.78


# ----------------------------------------------------------------------------- helpers
def is_scalar(*values) -> bool:
    """True when every value is a Python float.

    The scalar engine (one node per number) runs on such values, and this is its one fast
    path: ``math`` instead of numpy, no shapes to check, nothing to un-broadcast.  Where
    the test runs for every number of a scalar graph (the binary gates' input check and
    the backward of add and multiply here, the value and gradient checks of
    ``backprop_lab.graph``) it is written out inline: there a function call would cost as
    much as the work it saves.
    """
    for value in values:
        if type(value) is not float:
            return False
    return True


def unbroadcast(grad, shape: tuple):
    """Sum ``grad`` over the axes that broadcasting added or stretched, so it has ``shape``.

    Broadcasting copies an input along some axes; in backward every copy sends a
    gradient back, and the copies' gradients add up (fan-out, the ``+=`` rule).
    A shape of ``()`` means the input was a plain float: the result is a float.
    """
    if not isinstance(grad, np.ndarray) or grad.shape == shape:
        return grad
    if shape == ():
        return float(grad.sum())
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


@functools.lru_cache(maxsize=1024)
def broadcast_shapes(*shapes: tuple) -> tuple:
    """``np.broadcast_shapes``, remembered: a layer's gates combine the same shapes at every
    step, and numpy's answer costs more than the rest of a small gate's work.  Shapes that
    do not broadcast raise numpy's ValueError, every time (errors are not remembered)."""
    return np.broadcast_shapes(*shapes)


def _broadcast_shape(values) -> tuple:
    """The shape of an elementwise gate's output: its inputs' shapes broadcast together."""
    shapes = [shape_of(v) for v in values]
    if all(shape == shapes[0] for shape in shapes):      # the common case, without numpy
        return shapes[0]
    return broadcast_shapes(*shapes)


class Gate:
    """Base class of every gate.  Subclass it to build your own.

    Write ``forward(self, *inputs)`` (compute, cache) and ``backward(self, upstream)``
    (return a tuple with one gradient per input).  Call ``self.save(...)`` in forward and
    ``self.saved()`` in backward: ``saved()`` raises a clear error when backward is
    called before forward.
    """

    # ``cache``: what forward saved (a tuple); unset until forward has run.  A slot, as are
    # the attributes of the built-in gates (their ``__slots__``): the scalar engine makes a
    # gate per number, and an object whose attributes are slots is smaller and quicker for
    # Python's garbage collector to scan.  Any other attribute still works (it goes into a
    # ``__dict__``, made only then); your subclass needs no ``__slots__``.
    __slots__ = ("cache", "__dict__", "__weakref__")
    symbol = "?"
    formulas: tuple = ()

    # -- caching: the one place a gate keeps what backward needs ----------------------
    def save(self, *values) -> None:
        """Cache the values backward will need (the inputs, and anything else)."""
        self.cache = values

    def saved(self) -> tuple:
        """The values cached by forward, or a ValueError if forward has not run yet."""
        try:
            return self.cache
        except AttributeError:
            raise ValueError(tr(
                "{gate}.backward() was called before forward(): call forward(...) first so "
                "the gate can cache its inputs.", gate=self.name)) from None

    @property
    def name(self) -> str:
        return type(self).__name__

    def __call__(self, *inputs):
        return self.forward(*inputs)

    def __repr__(self) -> str:
        return f"{self.name}()"

    # -- the API every gate implements ---------------------------------------------
    def forward(self, *inputs):  # pragma: no cover - abstract
        raise NotImplementedError(f"{self.name} must implement forward(*inputs)")

    def backward(self, upstream):  # pragma: no cover - abstract
        raise NotImplementedError(f"{self.name} must implement backward(upstream)")

    def local_gradients(self) -> tuple:
        """d(output)/d(input) per input at the cached inputs (None where not defined)."""
        return tuple(None for _ in self.saved())

    # -- checks shared by the built-in gates ----------------------------------------
    def _check_upstream(self, upstream, out_shape: tuple) -> None:
        """dL/d(output) must have the output's shape (numpy would broadcast it silently)."""
        if shape_of(upstream) != out_shape:
            raise ValueError(tr(
                "{gate}.backward: the upstream gradient has shape {shape} but forward returned "
                "shape {out_shape}; upstream is dL/d(output) and must have the output's shape.",
                gate=self.name, shape=shape_of(upstream), out_shape=out_shape))

    def _check_same_or_broadcast(self, x, y) -> None:
        """Inputs of a binary elementwise gate: numbers, or arrays whose shapes broadcast."""
        if type(x) is float and type(y) is float:     # is_scalar(x, y), written out: this
            return                                    # runs for every number of the scalar
        require_numbers(self.name, x, y)              # engine, where a call costs as much
        sx, sy = shape_of(x), shape_of(y)
        if sx == sy or sx == () or sy == ():
            return
        try:
            broadcast_shapes(sx, sy)
        except ValueError:
            raise ValueError(tr(
                "{gate}: cannot combine shapes {sx} and {sy}; elementwise gates need equal "
                "shapes or shapes that broadcast (trailing dimensions equal or 1).",
                gate=self.name, sx=sx, sy=sy)) from None


class ElementwiseGate(Gate):
    """A gate whose output element k depends only on input element(s) k.

    Backward is the chain rule, elementwise: for each input i,
    ``grad_i = unbroadcast(upstream * local_gradients()[i], shape of input i)``.
    ``forward`` must save the inputs first (``self.save(x, y, ...)``).
    """

    __slots__ = ()

    def backward(self, upstream):
        local = self.local_gradients()
        inputs = self.saved()[:len(local)]        # the inputs: forward saved them first
        if is_scalar(upstream, *inputs):          # floats: no shapes to check, nothing to
            return tuple([upstream * grad for grad in local])  # un-broadcast
        self._check_upstream(upstream, _broadcast_shape(inputs))
        return tuple([unbroadcast(upstream * grad, shape_of(x))
                      for grad, x in zip(local, inputs)])


_SHAPES_OF_NUMBERS = {0: (), 1: ((),), 2: ((), ())}


class ConstantSlopeGate(ElementwiseGate):
    """An elementwise gate whose local gradients are constants (add, subtract, +c, ×a).

    Backward needs no input values, only the inputs' shapes (to un-broadcast), so that is
    all forward keeps: ``self.save_shapes(x, ...)``.  An affine layer's bias add would
    otherwise hold on to the whole (batch, units) product until backward.
    """

    __slots__ = ()

    def save_shapes(self, *inputs) -> None:
        """Cache the inputs' shapes.  Numbers share one cached tuple: the scalar engine makes
        one of these gates per addition, and every new tuple is work for Python's garbage
        collector."""
        if is_scalar(*inputs) and len(inputs) <= 2:
            self.cache = _SHAPES_OF_NUMBERS[len(inputs)]
        else:
            self.save(*[shape_of(x) for x in inputs])

    def backward(self, upstream):
        """``unbroadcast(upstream, shape) * slope`` per input: with a constant slope the sum
        over the broadcast copies can come first (an affine layer's bias then costs one sum
        over the rows, not an (N, M) product too).  A slope of 1 passes the upstream on as
        it is, as CS231n's add gate does (``dx = dout``): the same array, no copy -- an
        affine layer's backward then copies nothing.  (The graph engine copies an array it
        would otherwise hand to two nodes, so no two gradients there share memory.)"""
        shapes = self.saved()
        local = self.local_gradients()
        if type(upstream) is float and not any(shapes):   # numbers: nothing to un-broadcast
            return tuple([upstream * grad for grad in local])
        self._check_upstream(upstream, broadcast_shapes(*shapes))
        summed = [unbroadcast(upstream, shape) for shape in shapes]
        return tuple([grad if slope == 1.0 else grad * slope for grad, slope in zip(summed, local)])


# ------------------------------------------------------------------- binary gates
class AddGate(ConstantSlopeGate):
    """z = x + y.  Local gradients dz/dx = 1, dz/dy = 1: add *distributes* the upstream."""

    __slots__ = ()

    symbol = "+"
    formulas = ("upstream · 1", "upstream · 1")

    def forward(self, x, y):
        self._check_same_or_broadcast(x, y)
        self.save_shapes(x, y)
        return x + y

    def local_gradients(self):
        return 1.0, 1.0

    def backward(self, upstream):
        """Add distributes: both inputs receive the upstream gradient (un-broadcast)."""
        if type(upstream) is float and self.saved() == ((), ()):
            return upstream, upstream
        return super().backward(upstream)


class SubtractGate(ConstantSlopeGate):
    """z = x - y.  Local gradients dz/dx = 1, dz/dy = -1."""

    __slots__ = ()

    symbol = "−"
    formulas = ("upstream · 1", "upstream · (−1)")

    def forward(self, x, y):
        self._check_same_or_broadcast(x, y)
        self.save_shapes(x, y)
        return x - y

    def local_gradients(self):
        return 1.0, -1.0


class MultiplyGate(ElementwiseGate):
    """z = x * y.  Local gradients dz/dx = y, dz/dy = x: multiply *swaps* its inputs."""

    __slots__ = ()

    symbol = "×"
    formulas = ("upstream · y", "upstream · x")

    def forward(self, x, y):
        self._check_same_or_broadcast(x, y)
        self.save(x, y)
        return x * y

    def local_gradients(self):
        x, y = self.saved()
        return y, x

    def backward(self, upstream):
        """Multiply swaps: x receives upstream · y, y receives upstream · x (un-broadcast)."""
        x, y = self.saved()
        if type(upstream) is float and type(x) is float and type(y) is float:
            return upstream * y, upstream * x
        return super().backward(upstream)


class MaxGate(ElementwiseGate):
    """z = max(x, y).  The max gate *routes*: the larger input gets the whole upstream.

    Local gradients: dz/dx = 1 where x >= y else 0; dz/dy = 1 where y > x else 0.
    At a tie the gradient goes to x only (max is not differentiable there; the
    sub-gradient we pick must not be counted twice).
    """

    __slots__ = ()

    symbol = "max"
    formulas = ("upstream if x ≥ y else 0", "upstream if y > x else 0")

    def forward(self, x, y):
        self._check_same_or_broadcast(x, y)
        self.save(x, y)
        if is_scalar(x, y):
            return x if x >= y else y
        return np.maximum(x, y)

    def local_gradients(self):
        x, y = self.saved()
        if is_scalar(x, y):
            return (1.0, 0.0) if x >= y else (0.0, 1.0)
        x_wins = np.asarray(x >= y, dtype=np.float64)
        return x_wins, 1.0 - x_wins


# -------------------------------------------------------------------- unary gates
class SigmoidGate(ElementwiseGate):
    """s = σ(x) = 1 / (1 + e^(−x)).  Local gradient ds/dx = σ(x)·(1 − σ(x)), from the output.

    Computed as ½(1 + tanh(x/2)), which equals σ(x) and never overflows.
    """

    __slots__ = ()

    symbol = "σ"
    formulas = ("upstream · σ(x)(1 − σ(x))",)

    def forward(self, x):
        s = 0.5 * (1.0 + (math.tanh(0.5 * x) if is_scalar(x) else np.tanh(0.5 * x)))
        self.save(x, s)
        return s

    def local_gradients(self):
        _, s = self.saved()
        return (s * (1.0 - s),)


class TanhGate(ElementwiseGate):
    """t = tanh(x).  Local gradient dt/dx = 1 − tanh(x)², from the output."""

    __slots__ = ()

    symbol = "tanh"
    formulas = ("upstream · (1 − tanh(x)²)",)

    def forward(self, x):
        t = math.tanh(x) if is_scalar(x) else np.tanh(x)
        self.save(x, t)
        return t

    def local_gradients(self):
        _, t = self.saved()
        return (1.0 - t * t,)


class ReLUGate(ElementwiseGate):
    """r = max(0, x).  Local gradient dr/dx = 1 where x > 0, else 0 (0 at the kink x = 0)."""

    __slots__ = ()

    symbol = "ReLU"
    formulas = ("upstream if x > 0 else 0",)

    def forward(self, x):
        self.save(x)
        if is_scalar(x):
            return x if x > 0.0 else 0.0
        return np.maximum(x, 0.0)

    def local_gradients(self):
        (x,) = self.saved()
        if is_scalar(x):
            return (1.0 if x > 0.0 else 0.0,)
        return (np.asarray(x > 0.0, dtype=np.float64),)

    def backward(self, upstream):
        """ReLU routes: the upstream gradient passes where x > 0 and is 0 elsewhere.  For an
        array that is CS231n's ``dout * (x > 0)``: the boolean mask multiplies directly (the
        same numbers as the shared backward, without a float copy of the mask)."""
        (x,) = self.saved()
        if not isinstance(x, np.ndarray):
            return super().backward(upstream)
        self._check_upstream(upstream, x.shape)
        return (upstream * (x > 0.0),)


class ExpGate(ElementwiseGate):
    """e = exp(x).  Local gradient de/dx = exp(x): its own output."""

    __slots__ = ()

    symbol = "exp"
    formulas = ("upstream · exp(x)",)

    def forward(self, x):
        if np.any(np.asarray(x) > EXP_MAX):
            raise ValueError(tr(
                "ExpGate: exp overflows float64 for inputs above {limit:.2f}; got max input "
                "{largest:g}.", limit=EXP_MAX, largest=np.max(x)))
        e = math.exp(x) if is_scalar(x) else np.exp(x)
        self.save(x, e)
        return e

    def local_gradients(self):
        _, e = self.saved()
        return (e,)


class LogGate(ElementwiseGate):
    """l = ln(x), defined for x > 0.  Local gradient dl/dx = 1/x."""

    __slots__ = ()

    symbol = "log"
    formulas = ("upstream · 1/x",)

    def forward(self, x):
        if np.any(np.asarray(x) <= 0):
            smallest = format_value(x if is_scalar(x) else np.min(x), 6, minus="-")
            raise ValueError(
                tr("LogGate: log needs positive inputs (x > 0); got {value}.", value=smallest)
                if is_scalar(x) else
                tr("LogGate: log needs positive inputs (x > 0); got min {value}.", value=smallest))
        self.save(x)
        return math.log(x) if is_scalar(x) else np.log(x)

    def local_gradients(self):
        (x,) = self.saved()
        return (1.0 / x,)


class ReciprocalGate(ElementwiseGate):
    """r = 1/x, defined for x ≠ 0.  Local gradient dr/dx = −1/x² = −r², from the output."""

    __slots__ = ()

    symbol = "1/x"
    formulas = ("upstream · (−1/x²)",)

    def forward(self, x):
        require_numbers(self.name, x)
        if np.any(np.asarray(x) == 0):
            raise ValueError(tr("ReciprocalGate: 1/x is undefined at x = 0; got an input equal "
                                "to 0."))
        r = 1.0 / x
        self.save(x, r)
        return r

    def local_gradients(self):
        _, r = self.saved()
        return (-(r * r),)


class AddConstGate(ConstantSlopeGate):
    """f_c(x) = c + x for a constant c.  Local gradient df/dx = 1."""

    __slots__ = ("c",)

    formulas = ("upstream · 1",)

    def __init__(self, c: float):
        self.c = check_constant(self.name, "the constant c", c)

    @property
    def symbol(self) -> str:
        return f"+{self.c:g}" if self.c >= 0 else f"−{-self.c:g}"

    def __repr__(self) -> str:
        return f"AddConstGate({self.c:g})"

    def forward(self, x):
        require_numbers(self.name, x)
        self.save_shapes(x)
        return self.c + x

    def local_gradients(self):
        return (1.0,)


class ScaleGate(ConstantSlopeGate):
    """f_a(x) = a·x for a constant a.  Local gradient df/dx = a."""

    __slots__ = ("a",)

    def __init__(self, a: float):
        self.a = check_constant(self.name, "the factor a", a)

    @property
    def symbol(self) -> str:
        return f"×{self.a:g}"

    @property
    def formulas(self):
        return (f"upstream · {self.a:g}",)

    def __repr__(self) -> str:
        return f"ScaleGate({self.a:g})"

    def forward(self, x):
        require_numbers(self.name, x)
        self.save_shapes(x)
        return self.a * x

    def local_gradients(self):
        return (self.a,)


_SUPERSCRIPT = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")


class PowerGate(ElementwiseGate):
    """y = x**p for a constant exponent p.  Local gradient dy/dx = p·x**(p−1)."""

    __slots__ = ("p",)

    def __init__(self, p: float):
        self.p = check_constant(self.name, "the exponent p", p)

    @property
    def symbol(self) -> str:
        p = f"{self.p:g}"
        return "x" + p.translate(_SUPERSCRIPT) if len(p) <= 3 else f"x^{p}"

    @property
    def formulas(self):
        return (f"upstream · {self.p:g}·x^{self.p - 1:g}",)

    def __repr__(self) -> str:
        return f"PowerGate({self.p:g})"

    def forward(self, x):
        require_numbers(self.name, x)
        if not self.p.is_integer() and np.any(np.asarray(x) < 0):
            raise ValueError(tr("PowerGate: x**{p:g} with a non-integer exponent needs x >= 0; "
                                "got a negative input.", p=self.p))
        if (self.p < 0 or 0 < self.p < 1) and np.any(np.asarray(x) == 0):
            raise ValueError(tr("PowerGate: x**{p:g} has no finite derivative at x = 0; got an "
                                "input equal to 0.", p=self.p))
        self.save(x)
        if is_scalar(x):
            try:
                return x ** self.p
            except OverflowError:
                raise ValueError(tr("PowerGate: x**{p:g} overflows float64 for x = {x:g}.",
                                    p=self.p, x=x)) from None
        with np.errstate(over="ignore"):     # an overflow becomes inf, reported just below
            out = x ** self.p
        if not all_finite(out):
            raise ValueError(tr("PowerGate: x**{p:g} overflows float64 for inputs up to "
                                "{largest:g} in magnitude.", p=self.p, largest=np.max(np.abs(x))))
        return out

    def local_gradients(self):
        (x,) = self.saved()
        if self.p == 0:
            return (0.0 * x,)                  # x**0 = 1 everywhere: its slope is 0
        return (self.p * x ** (self.p - 1.0),)


class SinGate(ElementwiseGate):
    """y = sin(x).  Local gradient dy/dx = cos(x)."""

    __slots__ = ()

    symbol = "sin"
    formulas = ("upstream · cos(x)",)

    def forward(self, x):
        self.save(x)
        return math.sin(x) if is_scalar(x) else np.sin(x)

    def local_gradients(self):
        (x,) = self.saved()
        return (math.cos(x) if is_scalar(x) else np.cos(x),)


class CosGate(ElementwiseGate):
    """y = cos(x).  Local gradient dy/dx = −sin(x)."""

    __slots__ = ()

    symbol = "cos"
    formulas = ("upstream · (−sin(x))",)

    def forward(self, x):
        self.save(x)
        return math.cos(x) if is_scalar(x) else np.cos(x)

    def local_gradients(self):
        (x,) = self.saved()
        return (-math.sin(x) if is_scalar(x) else -np.sin(x),)


class IdentityGate(ElementwiseGate):
    """y = x.  Local gradient dy/dx = 1 (a linear RNN uses it as its activation)."""

    __slots__ = ()

    symbol = "id"
    formulas = ("upstream · 1",)

    def forward(self, x):
        self.save(x)
        return x

    def local_gradients(self):
        return (1.0,)


# --------------------------------------------------------------- array gates
class MatMulGate(Gate):
    """D = W @ X (matrix product; 1-D operands are treated as a row or column vector).

    With W of shape (n, k), X of shape (k, m) and upstream dD of shape (n, m):
    ``dW = dD @ X.T`` (n, k) and ``dX = W.T @ dD`` (k, m).  Dimension analysis is enough
    to remember them: dW must have W's shape, and only one product of dD and X gives it.
    """

    __slots__ = ()

    symbol = "@"
    formulas = ("upstream @ Xᵀ", "Wᵀ @ upstream")

    def forward(self, w, x):
        w, x = np.asarray(w, dtype=np.float64), np.asarray(x, dtype=np.float64)
        if w.ndim == 0 or x.ndim == 0:
            raise ValueError(tr("MatMulGate: @ needs arrays with at least one dimension; got "
                                "shapes {w} and {x} (use * to multiply by a number).",
                                w=w.shape, x=x.shape))
        if w.ndim > 2 or x.ndim > 2:
            raise ValueError(tr("MatMulGate: @ supports 1-D and 2-D arrays; got shapes {w} and "
                                "{x} (reshape to 2-D first).", w=w.shape, x=x.shape))
        if w.shape[-1] != x.shape[0]:
            raise ValueError(tr(
                "MatMulGate: shapes {w} and {x} do not align for @: the left operand has "
                "{columns} columns but the right one has {rows} rows.",
                w=w.shape, x=x.shape, columns=w.shape[-1], rows=x.shape[0]))
        self.save(w, x)
        out = w @ x
        return float(out) if out.ndim == 0 else out

    def local_gradients(self):
        w, x = self.saved()
        return x, w

    def backward(self, upstream, wanted=(True, True)):
        """(dW, dX).  ``wanted``: which of the two to compute; the other is ``None`` (a
        layer that needs no gradient for its input skips a whole matrix product)."""
        w, x = self.saved()
        self._check_upstream(upstream, (*w.shape[:-1], *x.shape[1:]))   # the shape of w @ x
        w2 = w[None, :] if w.ndim == 1 else w          # a vector on the left is a row
        x2 = x[:, None] if x.ndim == 1 else x          # a vector on the right is a column
        up2 = np.asarray(upstream, dtype=np.float64).reshape(w2.shape[0], x2.shape[1])
        dw = (up2 @ x2.T).reshape(w.shape) if wanted[0] else None
        dx = (w2.T @ up2).reshape(x.shape) if wanted[1] else None
        return dw, dx


class SumGate(Gate):
    """s = sum(x) (over all elements, or over ``axis``).  Local gradient ds/dx_i = 1.

    Backward copies the upstream gradient back to every element that was summed.
    """

    __slots__ = ("axis", "keepdims")

    symbol = "Σ"
    formulas = ("upstream copied to every element",)

    def __init__(self, axis=None, keepdims: bool = False):
        self.axis = axis
        self.keepdims = keepdims

    def __repr__(self) -> str:
        return f"SumGate(axis={self.axis!r}, keepdims={self.keepdims})"

    def forward(self, x):
        if self.axis is not None:
            self._check_axes(np.ndim(x), shape_of(x))
        self.save(x)
        if self.axis is None and not self.keepdims:
            return float(np.sum(x))
        return np.sum(x, axis=self.axis, keepdims=self.keepdims)

    def _check_axes(self, ndim: int, shape: tuple) -> None:
        axes = (self.axis,) if isinstance(self.axis, int) else tuple(self.axis)
        in_range = all(isinstance(a, int) and -ndim <= a < ndim for a in axes)
        if not in_range or len({a % ndim for a in axes}) != len(axes):
            raise ValueError(tr("SumGate: axis={axis!r} is not valid for an input of shape "
                                "{shape}; give distinct axes between {low} and {high}.",
                                axis=self.axis, shape=shape, low=-ndim, high=ndim - 1))

    def local_gradients(self):
        (x,) = self.saved()
        return (np.ones_like(x) if isinstance(x, np.ndarray) else 1.0,)

    def backward(self, upstream):
        (x,) = self.saved()
        if not isinstance(x, np.ndarray):
            return (upstream,)
        self._check_upstream(upstream, np.sum(x, axis=self.axis, keepdims=self.keepdims).shape)
        if self.axis is not None and not self.keepdims:
            upstream = np.expand_dims(upstream, self.axis)
        grad = np.empty(x.shape)
        grad[...] = upstream                  # the upstream copied to every element summed
        return (grad,)


class TransposeGate(Gate):
    """y = xᵀ (axes reversed).  Backward transposes the upstream gradient back."""

    __slots__ = ()

    symbol = "ᵀ"
    formulas = ("upstreamᵀ",)

    def forward(self, x):
        self.save(x)
        return x.T if isinstance(x, np.ndarray) else x

    def local_gradients(self):
        return (1.0,)

    def backward(self, upstream):
        (x,) = self.saved()
        self._check_upstream(upstream, shape_of(x)[::-1])
        return (upstream.T if isinstance(upstream, np.ndarray) else upstream,)


#: The gates of this module.  Their ``backward`` returns one gradient per input with that
#: input's shape (the tests check each), so the engine only tests that what they send is
#: finite; a gate written elsewhere (a student's) gets every check.
BUILT_IN = frozenset({
    AddGate, SubtractGate, MultiplyGate, MaxGate, SigmoidGate, TanhGate, ReLUGate, ExpGate,
    LogGate, ReciprocalGate, AddConstGate, ScaleGate, PowerGate, SinGate, CosGate,
    IdentityGate, MatMulGate, SumGate, TransposeGate})
