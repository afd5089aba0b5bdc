"""Every gate: hand-derived values from the seeds, numerical gradients over random shapes, errors."""
import math

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st
from hypothesis.extra import numpy as hnp

from backprop_lab import gates as G
from backprop_lab.gradcheck import check_gate, numerical_gradient, rel_error

# ------------------------------------------------------------------ seed 001 by hand
def test_multiply_gate_swaps_inputs_seed001():
    # f(x, y) = xy at x=4, y=-3: f=-12, df/dx = y = -3, df/dy = x = 4
    gate = G.MultiplyGate()
    assert gate.forward(4.0, -3.0) == -12.0
    assert gate.backward(1.0) == (-3.0, 4.0)
    assert gate.local_gradients() == (-3.0, 4.0)


def test_multiply_gate_api_of_design_doc():
    gate = G.MultiplyGate()
    assert gate.forward(3.0, -4.0) == -12.0
    assert gate.backward(2.0) == (-8.0, 6.0)


def test_add_gate_distributes():
    gate = G.AddGate()
    assert gate.forward(-2.0, 5.0) == 3.0
    assert gate.backward(-4.0) == (-4.0, -4.0)


def test_add_gate_passes_the_upstream_on_as_cs231n_writes_it():
    # dx = dout, dy = dout: for equal shapes the upstream array itself, no copy; a broadcast
    # input gets the sum over the copied axes (a new array); a slope of -1 is a new array
    x, b, up = np.ones((3, 4)), np.zeros(4), np.arange(12.0).reshape(3, 4)
    add = G.AddGate()
    add.forward(x, x)
    dx, dy = add.backward(up)
    assert dx is up and dy is up
    add.forward(x, b)
    dx, db = add.backward(up)
    assert dx is up
    np.testing.assert_array_equal(db, [12.0, 15.0, 18.0, 21.0])
    sub = G.SubtractGate()
    sub.forward(x, x)
    dx, dy = sub.backward(up)
    assert dx is up and not np.shares_memory(dy, up)
    np.testing.assert_array_equal(dy, -up)


def test_max_gate_routes_seed001():
    # max(4, 2) = 4: only x gets the gradient
    gate = G.MaxGate()
    assert gate.forward(4.0, 2.0) == 4.0
    assert gate.backward(2.0) == (2.0, 0.0)
    assert gate.forward(-1.0, 2.0) == 2.0
    assert gate.backward(2.0) == (0.0, 2.0)


def test_max_gate_tie_sends_gradient_once():
    gate = G.MaxGate()
    gate.forward(np.array([1.0, 2.0]), np.array([1.0, 3.0]))
    dx, dy = gate.backward(np.array([5.0, 7.0]))
    np.testing.assert_array_equal(dx + dy, [5.0, 7.0])   # never counted twice
    np.testing.assert_array_equal(dx, [5.0, 0.0])


def test_sigmoid_gate_local_gradient_seed001():
    # sigma(1.0) = 0.73, local gradient (1 - 0.73) * 0.73 = 0.2
    gate = G.SigmoidGate()
    s = gate.forward(1.0)
    assert s == pytest.approx(1 / (1 + math.exp(-1)), abs=1e-15)
    (local,) = gate.local_gradients()
    assert local == pytest.approx(s * (1 - s), abs=1e-15)
    assert round(local, 2) == 0.20


def test_sigmoid_never_overflows():
    out = G.SigmoidGate().forward(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_array_equal(out, [0.0, 0.5, 1.0])


@pytest.mark.parametrize("gate, x, out, local", [
    (G.ReciprocalGate(), 1.37, 1 / 1.37, -1 / 1.37 ** 2),     # f(x) = 1/x  -> -1/x^2
    (G.AddConstGate(1.0), 0.37, 1.37, 1.0),                  # f_c(x) = c + x -> 1
    (G.ExpGate(), -1.0, math.exp(-1.0), math.exp(-1.0)),     # f(x) = e^x -> e^x
    (G.ScaleGate(-1.0), 1.0, -1.0, -1.0),                    # f_a(x) = a x -> a
    (G.TanhGate(), 0.5, math.tanh(0.5), 1 - math.tanh(0.5) ** 2),
    (G.ReLUGate(), -0.5, 0.0, 0.0),
    (G.ReLUGate(), 2.0, 2.0, 1.0),
    (G.LogGate(), 2.0, math.log(2.0), 0.5),
    (G.PowerGate(2), -1.0, 1.0, -2.0),                       # (x+y)^2 in the staged example
    (G.PowerGate(0.5), 4.0, 2.0, 0.25),
])
def test_unary_gates_seed001(gate, x, out, local):
    assert gate.forward(x) == pytest.approx(out, rel=1e-14)
    assert gate.local_gradients()[0] == pytest.approx(local, rel=1e-14)
    assert gate.backward(3.0)[0] == pytest.approx(3.0 * local, rel=1e-14)


def test_matmul_gate_dimension_analysis_seed001():
    rng = np.random.default_rng(0)
    W, X = rng.standard_normal((5, 10)), rng.standard_normal((10, 3))
    gate = G.MatMulGate()
    D = gate.forward(W, X)
    dD = rng.standard_normal(D.shape)
    dW, dX = gate.backward(dD)
    assert dW.shape == W.shape == (5, 10) and dX.shape == X.shape == (10, 3)
    np.testing.assert_allclose(dW, dD.dot(X.T))
    np.testing.assert_allclose(dX, W.T.dot(dD))


@pytest.mark.parametrize("wshape, xshape", [((3,), (3, 2)), ((2, 3), (3,)), ((4,), (4,))])
def test_matmul_gate_vectors(wshape, xshape):
    rng = np.random.default_rng(1)
    w, x = rng.standard_normal(wshape), rng.standard_normal(xshape)
    assert check_gate(G.MatMulGate(), w, x).passed


def test_sum_gate_with_axis_and_keepdims():
    x = np.arange(6.0).reshape(2, 3)
    for axis, keep in [(None, False), (0, False), (1, True), ((0, 1), False), (-1, False)]:
        gate = G.SumGate(axis, keep)
        np.testing.assert_allclose(gate.forward(x), np.sum(x, axis=axis, keepdims=keep))
        assert check_gate(gate, x).passed
    assert G.SumGate().forward(x) == 15.0 and isinstance(G.SumGate().forward(x), float)


def test_transpose_gate():
    x = np.arange(6.0).reshape(2, 3)
    gate = G.TransposeGate()
    assert gate.forward(x).shape == (3, 2)
    assert gate.backward(np.ones((3, 2))).__getitem__(0).shape == (2, 3)


def test_symbols():
    assert [g.symbol for g in (G.AddGate(), G.MultiplyGate(), G.MaxGate(), G.SigmoidGate(),
                               G.ExpGate(), G.ReciprocalGate(), G.MatMulGate(), G.SumGate())] == \
        ["+", "×", "max", "σ", "exp", "1/x", "@", "Σ"]
    assert G.AddConstGate(1).symbol == "+1" and G.AddConstGate(-2.5).symbol == "−2.5"
    assert G.ScaleGate(-1).symbol == "×-1"
    assert G.PowerGate(2).symbol == "x²" and G.PowerGate(-1).symbol == "x⁻¹"


def test_unbroadcast_sums_broadcast_axes():
    grad = np.ones((2, 3, 4))
    assert G.unbroadcast(grad, (4,)).shape == (4,)
    np.testing.assert_array_equal(G.unbroadcast(grad, (4,)), np.full(4, 6.0))
    np.testing.assert_array_equal(G.unbroadcast(grad, (3, 1)), np.full((3, 1), 8.0))
    assert G.unbroadcast(grad, ()) == 24.0


def test_multiply_gate_gradient_scales_with_data_seed001():
    # "multiply all inputs x_i by 1000 and the weights' gradient grows 1000 times"
    rng = np.random.default_rng(2)
    w, x = rng.standard_normal(5), rng.standard_normal(5)
    gate = G.MultiplyGate()
    gate.forward(w, x)
    dw_small, _ = gate.backward(np.ones(5))
    gate.forward(w, 1000 * x)
    dw_big, _ = gate.backward(np.ones(5))
    np.testing.assert_allclose(dw_big, 1000 * dw_small)


# ------------------------------------------------------ numerical gradients, random shapes
def _shapes():
    return hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast: the second drops leading axes and sets some to 1."""
    shape = draw(_shapes())
    keep = draw(st.integers(0, len(shape)))
    other = list(shape[len(shape) - keep:])
    for i in range(len(other)):
        if draw(st.booleans()):
            other[i] = 1
    if draw(st.booleans()):
        return shape, tuple(other)
    return tuple(other), shape


def _values(draw, shape, low, high):
    """Floats in [low, high] with |v| >= 0.1: a gradient that is tiny next to the round-off of
    finite differences (~1e-11) has a meaningless relative error, so keep values off zero."""
    elements = st.floats(low, high, allow_nan=False, allow_infinity=False).filter(
        lambda v: abs(v) >= 0.1)
    if shape == ():
        return draw(elements)
    return draw(hnp.arrays(np.float64, shape, elements=elements))


UNARY = {
    "sigmoid": (G.SigmoidGate, -4, 4),
    "tanh": (G.TanhGate, -2, 2),
    "relu": (G.ReLUGate, -3, 3),
    "exp": (G.ExpGate, -3, 3),
    "log": (G.LogGate, 0.1, 5),
    "reciprocal": (G.ReciprocalGate, 0.3, 3),
    "addconst": (lambda: G.AddConstGate(2.5), -3, 3),
    "scale": (lambda: G.ScaleGate(-1.5), -3, 3),
    "square": (lambda: G.PowerGate(2), -3, 3),
    "cube": (lambda: G.PowerGate(3), -2, 2),
    "sqrt": (lambda: G.PowerGate(0.5), 0.2, 4),
    "sum": (G.SumGate, -3, 3),
    "sum_axis0_keep": (lambda: G.SumGate(0, True), -3, 3),
    "transpose": (G.TransposeGate, -3, 3),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_gate_matches_numerical_gradient(name, data):
    make, low, high = UNARY[name]
    shape = data.draw(_shapes())
    if name == "sum_axis0_keep" and shape == ():
        shape = (3,)
    x = _values(data.draw, shape, low, high)
    report = check_gate(make(), x)
    assert report.passed, str(report)


BINARY = {"add": G.AddGate, "subtract": G.SubtractGate, "multiply": G.MultiplyGate,
          "max": G.MaxGate}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_gate_with_broadcasting_matches_numerical_gradient(name, data):
    sx, sy = data.draw(broadcast_pair())
    x = _values(data.draw, sx, -3, 3)
    y = _values(data.draw, sy, -3, 3)
    if name == "max":  # keep away from ties, where max has a kink
        assume(np.min(np.abs(np.subtract(x, y))) > 1e-2)
    report = check_gate(BINARY[name](), x, y)
    assert report.passed, str(report)
    out = BINARY[name]().forward(x, y)
    assert np.shape(out) == np.broadcast_shapes(np.shape(x), np.shape(y))


@given(n=st.integers(1, 4), k=st.integers(1, 4), m=st.integers(1, 4), seed=st.integers(0, 99))
def test_matmul_gate_matches_numerical_gradient(n, k, m, seed):
    rng = np.random.default_rng(seed)
    report = check_gate(G.MatMulGate(), rng.standard_normal((n, k)), rng.standard_normal((k, m)))
    assert report.passed, str(report)


@given(data=st.data())
def test_gradients_have_the_inputs_shapes(data):
    sx, sy = data.draw(broadcast_pair())
    gate = G.MultiplyGate()
    out = gate.forward(np.ones(sx) if sx else 1.0, np.ones(sy) if sy else 1.0)
    dx, dy = gate.backward(np.ones(np.shape(out)) if np.shape(out) else 1.0)
    assert np.shape(dx) == sx and np.shape(dy) == sy


WRITTEN_OUT = {"add": (G.AddGate, G.ConstantSlopeGate), "multiply": (G.MultiplyGate,
                                                                     G.ElementwiseGate),
               "relu": (G.ReLUGate, G.ElementwiseGate)}


@pytest.mark.parametrize("name", sorted(WRITTEN_OUT))
@given(data=st.data())
def test_a_backward_written_out_gives_the_shared_backwards_numbers(name, data):
    """Add and multiply (for numbers) and ReLU (for arrays, ``dout * (x > 0)``) write their
    backward out for speed: bit for bit the gradients of the rule they replace."""
    gate_class, shared = WRITTEN_OUT[name]
    shape = data.draw(_shapes())
    values = st.floats(-3, 3).map(lambda v: 0.0 if abs(v) < 0.5 else v)   # zeros and -0.0
    draw = (lambda: data.draw(values)) if shape == () else \
        (lambda: data.draw(hnp.arrays(np.float64, shape, elements=values)))
    gate = gate_class()
    out = gate.forward(*[draw() for _ in range(1 if name == "relu" else 2)])
    upstream = draw()
    for own, rule in zip(gate.backward(upstream), shared.backward(gate, upstream)):
        assert type(own) is type(rule)
        np.testing.assert_array_equal(own, rule)
        assert np.array_equal(np.signbit(own), np.signbit(rule))
    assert np.shape(out) == shape


# ------------------------------------------------------------------------- a student's gate
class Cube(G.ElementwiseGate):
    """y = x**3, local gradient 3x^2: a gate written the way a student would."""

    symbol = "x³"

    def forward(self, x):
        self.save(x)
        return x ** 3

    def local_gradients(self):
        (x,) = self.saved()
        return (3 * x ** 2,)


def test_student_subclass_of_gate():
    assert check_gate(Cube(), np.array([[-1.0, 0.5], [2.0, 3.0]])).passed


def test_plain_gate_subclass_with_own_backward():
    class Swap(G.Gate):
        def forward(self, x, y):
            self.save(x, y)
            return x * y

        def backward(self, upstream):
            x, y = self.saved()
            return upstream * y, upstream * x

    assert check_gate(Swap(), 1.5, -2.0).passed


# ------------------------------------------------------------------------------ errors
def test_backward_before_forward_is_a_clear_error():
    with pytest.raises(ValueError, match=r"MultiplyGate.backward\(\) was called before forward"):
        G.MultiplyGate().backward(1.0)
    with pytest.raises(ValueError, match="SigmoidGate.backward"):
        G.SigmoidGate().backward(1.0)


def test_matmul_shape_mismatch_names_gate_and_shapes():
    with pytest.raises(ValueError, match=r"MatMulGate: shapes \(2, 3\) and \(4, 5\) do not align"):
        G.MatMulGate().forward(np.ones((2, 3)), np.ones((4, 5)))
    with pytest.raises(ValueError, match="MatMulGate"):
        G.MatMulGate().forward(2.0, np.ones(3))


def test_elementwise_shape_mismatch_names_gate_and_shapes():
    with pytest.raises(ValueError, match=r"AddGate: cannot combine shapes \(3, 2\) and \(3,\)"):
        G.AddGate().forward(np.ones((3, 2)), np.ones(3))
    with pytest.raises(ValueError, match=r"MultiplyGate: cannot combine shapes \(2,\) and \(5,\)"):
        G.MultiplyGate().forward(np.ones(2), np.ones(5))


@pytest.mark.parametrize("gate, x, message", [
    (G.LogGate(), 0.0, "LogGate: log needs positive inputs"),
    (G.LogGate(), np.array([1.0, -2.0]), r"LogGate: log needs positive inputs.*min -2"),
    (G.ReciprocalGate(), 0.0, "ReciprocalGate: 1/x is undefined at x = 0"),
    (G.ExpGate(), 800.0, "ExpGate: exp overflows float64"),
    (G.PowerGate(0.5), -1.0, "PowerGate: .*needs x >= 0"),
    (G.PowerGate(-1), 0.0, "PowerGate: .*no finite derivative at x = 0"),
])
def test_invalid_inputs_are_clear_errors(gate, x, message):
    with pytest.raises(ValueError, match=message):
        gate.forward(x)


def test_numerical_gradient_agrees_with_local_gradient_everywhere_on_a_grid():
    for x in np.linspace(-3, 3, 13):
        gate = G.TanhGate()
        gate.forward(float(x))
        assert rel_error(gate.local_gradients()[0], numerical_gradient(math.tanh, float(x))) < 1e-7
