"""Forward mode (dual numbers) against reverse mode and against calculus; the cost measurements."""
import math
import time

import numpy as np
import pytest
from hypothesis import given, strategies as st

import backprop_lab as bl
from backprop_lab import modes as M
from backprop_lab.gradcheck import numerical_gradient

finite = st.floats(-3, 3, allow_nan=False)


# ------------------------------------------------------------------ seed 001's supplement
def test_colah_example_e_equals_a_plus_b_times_b_plus_1():
    ex = M.colah_example()
    assert ex.values == {"a": 2.0, "b": 1.0, "c": 3.0, "d": 2.0, "e": 6.0}
    # forward mode: one pass per input; each pass gives d(node)/d(that input) for every node
    assert len(ex.forward_passes) == 2
    assert ex.forward_passes["a"] == {"a": 1.0, "b": 0.0, "c": 1.0, "d": 0.0, "e": 2.0}
    assert ex.forward_passes["b"] == {"a": 0.0, "b": 1.0, "c": 1.0, "d": 1.0, "e": 5.0}
    # reverse mode: one pass gives de/d(node) for every node
    assert ex.reverse == {"e": 1.0, "c": 2.0, "d": 3.0, "a": 2.0, "b": 5.0}
    assert ex.gradient_forward == ex.gradient_reverse == {"a": 2.0, "b": 5.0}
    text = ex.describe()
    assert "forward mode: 2 passes" in text and "reverse mode: 1 pass" in text
    assert "∂e/∂b = 5" in text and str(ex) == text


@given(a=finite, b=finite)
def test_colah_example_anywhere(a, b):
    ex = M.colah_example(a, b)
    assert ex.values["e"] == (a + b) * (b + 1)
    assert ex.gradient_forward["a"] == ex.gradient_reverse["a"] == b + 1
    assert ex.gradient_forward["b"] == pytest.approx(a + 2 * b + 1, abs=1e-12)
    assert ex.gradient_reverse["b"] == pytest.approx(a + 2 * b + 1, abs=1e-12)


# -------------------------------------------------------------------------- Dual
def test_dual_arithmetic_rules():
    x = M.Dual(3.0, 1.0)
    assert (x + 2) == M.Dual(5.0, 1.0) and (2 + x) == M.Dual(5.0, 1.0)
    assert (x - 2) == M.Dual(1.0, 1.0) and (2 - x) == M.Dual(-1.0, -1.0)
    assert (x * 4) == M.Dual(12.0, 4.0) and (4 * x) == M.Dual(12.0, 4.0)
    assert (x * x) == M.Dual(9.0, 6.0)                       # (a + a'ε)² = a² + 2aa'ε
    assert (x / 2) == M.Dual(1.5, 0.5)
    assert (1 / x).tangent == pytest.approx(-1 / 9, rel=1e-15)
    assert (x ** 3) == M.Dual(27.0, 27.0)
    assert (-x) == M.Dual(-3.0, -1.0) and (+x) is x
    y = M.Dual(2.0, 0.0)                                     # a constant input
    assert (x * y) == M.Dual(6.0, 2.0) and (x / y).tangent == 0.5
    assert (x ** y).value == pytest.approx(9.0) and (x ** y).tangent == pytest.approx(6.0)
    assert (2 ** x).tangent == pytest.approx(8 * math.log(2))
    assert repr(x) == "Dual(3, tangent=1)"


@pytest.mark.parametrize("name, f, df", [
    ("sin", math.sin, math.cos),
    ("cos", math.cos, lambda v: -math.sin(v)),
    ("exp", math.exp, math.exp),
    ("tanh", math.tanh, lambda v: 1 - math.tanh(v) ** 2),
    ("sigmoid", lambda v: 1 / (1 + math.exp(-v)),
     lambda v: math.exp(-v) / (1 + math.exp(-v)) ** 2),
    ("relu", lambda v: max(v, 0.0), lambda v: 1.0 if v > 0 else 0.0),
])
@given(v=finite)
def test_dual_functions_follow_calculus(name, f, df, v):
    out = getattr(M, name)(M.Dual(v, 1.0))
    assert out.value == pytest.approx(f(v), rel=1e-14, abs=1e-15)
    assert out.tangent == pytest.approx(df(v), rel=1e-12, abs=1e-15)
    assert getattr(M, name)(v) == pytest.approx(f(v), rel=1e-14, abs=1e-15)   # plain numbers too


@given(v=st.floats(0.1, 10))
def test_log_and_sqrt(v):
    assert M.log(M.Dual(v, 1.0)).tangent == pytest.approx(1 / v, rel=1e-14)
    assert M.sqrt(M.Dual(v, 1.0)).tangent == pytest.approx(0.5 / math.sqrt(v), rel=1e-14)
    assert M.sqrt(v) == math.sqrt(v)


def _f1(x):
    return M.sin(x) * x ** 2 / (1 + M.exp(-x)) - 3 * M.sqrt(x * x + 1) + M.tanh(x * 0.5) * M.cos(x)


@given(v=finite)
def test_derivative_matches_numerical_and_reverse_mode(v):
    value, slope = M.derivative(_f1, v)
    assert value == pytest.approx(_f1(v), rel=1e-12, abs=1e-12)
    numeric = numerical_gradient(lambda t: _f1(t), v)
    assert abs(slope - numeric) < 1e-7 * max(1.0, abs(slope))
    (grad,), passes = M.gradient_reverse(lambda xs: _f1(xs[0]), [v])
    assert grad == pytest.approx(slope, rel=1e-12, abs=1e-12) and passes == 1


@given(xs=st.lists(finite, min_size=1, max_size=8))
def test_forward_and_reverse_gradients_agree_and_count_passes(xs):
    g_forward, passes_forward = M.gradient_forward(M.sum_of_products, xs)
    g_reverse, passes_reverse = M.gradient_reverse(M.sum_of_products, xs)
    assert passes_forward == len(xs) and passes_reverse == 1
    np.testing.assert_allclose(g_forward, g_reverse, rtol=1e-12, atol=1e-14)
    # against calculus: ∂/∂x_i [sin(x_i) x_(i+1) + tanh(x_i)] + ∂/∂x_i [sin(x_(i-1)) x_i]
    x = np.array(xs, dtype=float)
    expected = np.cos(x) * np.roll(x, -1) + np.sin(np.roll(x, 1)) + 1 - np.tanh(x) ** 2
    np.testing.assert_allclose(g_forward, expected, rtol=1e-12, atol=1e-12)


def test_constant_functions_have_zero_gradient():
    assert M.gradient_forward(lambda xs: 3.0, [1.0, 2.0])[0].tolist() == [0.0, 0.0]
    assert M.gradient_reverse(lambda xs: 3.0, [1.0, 2.0])[0].tolist() == [0.0, 0.0]
    assert M.derivative(lambda x: 2.0, 1.0) == (2.0, 0.0)
    # an input that f never uses gets 0 in both modes
    assert M.gradient_reverse(lambda xs: xs[0] * 2, [1.0, 5.0])[0].tolist() == [2.0, 0.0]
    assert M.gradient_forward(lambda xs: xs[0] * 2, [1.0, 5.0])[0].tolist() == [2.0, 0.0]


def test_functions_on_nodes_build_gates_that_pass_the_gradient_check():
    x = bl.var(0.7, name="x")
    y = M.sin(x) * M.cos(x)
    assert y.gate.name == "MultiplyGate" and y.inputs[0].gate.symbol == "sin"
    y.backward()
    assert x.grad == pytest.approx(math.cos(2 * 0.7), rel=1e-14)   # d/dx ½ sin 2x
    assert bl.gradcheck.check_gate(bl.gates.SinGate(), np.linspace(-3, 3, 7)).passed
    assert bl.gradcheck.check_gate(bl.gates.CosGate(), np.linspace(-3, 3, 7)).passed
    np.testing.assert_allclose(M.sin(np.array([0.0, 1.0])), np.sin([0.0, 1.0]))


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid", "relu"])
def test_functions_hand_nodes_and_numbers_to_the_graph_functions(name):
    """One dispatch for Node/number/array: the graph's.  modes adds only the Dual case."""
    mode_f, graph_f = getattr(M, name), getattr(bl, name)
    assert mode_f.__wrapped__ is graph_f and mode_f.__name__ == name
    for value in ([1.0, 2.0], np.array([1, 2]), 3, np.float64(0.5), [[0.5], [2.0]]):
        np.testing.assert_array_equal(mode_f(value), graph_f(value))
    node = mode_f(bl.var(np.array([0.5, 2.0])))
    assert isinstance(node, bl.graph.Node) and node.gate.name == graph_f(bl.var(1.0)).gate.name
    for bad in ("x", None, True, [1.0, "a"]):
        with pytest.raises(TypeError) as ours:
            mode_f(bad)
        with pytest.raises(TypeError) as theirs:
            graph_f(bad)
        assert str(ours.value) == str(theirs.value)
    dual = mode_f(M.Dual(0.5, 1.0))
    assert isinstance(dual, M.Dual) and dual.value == pytest.approx(float(graph_f(0.5)))


def test_sin_and_cos_take_lists_like_the_graph_functions():
    np.testing.assert_allclose(M.sin([0.0, 1.0]), np.sin([0.0, 1.0]), rtol=1e-15)
    np.testing.assert_allclose(M.cos(np.array([0, 2])), np.cos([0.0, 2.0]), rtol=1e-15)
    assert M.sin(2) == math.sin(2.0) and type(M.sin(2)) is float


# ------------------------------------------------------------------------ costs
def test_measure_costs_forward_mode_needs_n_passes_reverse_one():
    rows = M.measure_costs(ns=[1, 4, 32], repeats=3, clock=time.process_time)
    assert [r.n for r in rows] == [1, 4, 32]
    for r in rows:
        assert r.forward_passes == r.n and r.reverse_passes == 1
        assert r.gates == 5 * r.n               # per input: sin, ×, +, tanh, +
        assert r.forward_gate_evaluations == r.n * r.gates
        assert r.reverse_gate_evaluations == 2 * r.gates
        assert r.max_difference < 1e-12
        assert r.forward_seconds > 0 and r.reverse_seconds > 0
    assert rows[-1].speedup > 2                 # 32 passes against one: reverse mode wins
    table = M.costs_as_arrays(rows)
    np.testing.assert_array_equal(table["n"], [1, 4, 32])
    np.testing.assert_array_equal(table["forward_passes"], [1, 4, 32])
    np.testing.assert_array_equal(table["reverse_passes"], [1, 1, 1])
    assert table["speedup"].shape == (3,)


def test_plot_costs_draws_both_modes():
    import matplotlib.pyplot as plt

    rows = M.measure_costs(ns=[1, 2, 4], repeats=1)
    left, right = M.plot_costs(rows)
    assert [line.get_label() for line in left.get_lines()] == ["forward mode", "reverse mode"]
    np.testing.assert_array_equal(left.get_lines()[0].get_ydata(), [1, 2, 4])
    np.testing.assert_array_equal(left.get_lines()[1].get_ydata(), [1, 1, 1])
    assert right.get_yscale() == "log"
    plt.close("all")


# ------------------------------------------------------------------------ errors
def test_errors():
    with pytest.raises(TypeError, match="Dual: value must be a real number, got str"):
        M.Dual("1")
    with pytest.raises(ValueError, match="Dual: tangent must be finite"):
        M.Dual(1.0, math.inf)
    with pytest.raises(TypeError, match="cannot mix a Dual .* with a graph Node"):
        M.Dual(1.0) + bl.var(2.0)
    with pytest.raises(ValueError, match="LogGate: log needs positive inputs"):
        M.log(M.Dual(-1.0, 1.0))
    with pytest.raises(ValueError, match="ReciprocalGate: 1/x is undefined at x = 0"):
        1 / M.Dual(0.0, 1.0)
    with pytest.raises(ValueError, match="Dual: division by zero"):
        M.Dual(1.0) / 0
    with pytest.raises(ValueError, match="ExpGate: exp overflows"):
        M.exp(M.Dual(1000.0, 1.0))
    with pytest.raises(ValueError, match="c \\*\\* x needs a positive base"):
        (-2) ** M.Dual(1.0)
    with pytest.raises(TypeError, match="sin\\(\\): expected a number or a numpy array"):
        M.sin("x")
    with pytest.raises(ValueError, match="sqrt\\(\\): needs x >= 0"):
        M.sqrt(-1.0)
    with pytest.raises(ValueError, match="xs must be a non-empty 1-D sequence"):
        M.gradient_forward(M.sum_of_products, [])
    with pytest.raises(TypeError, match="f must return one number built from its inputs"):
        M.gradient_reverse(lambda xs: [x for x in xs], [1.0])
    with pytest.raises(ValueError, match="measure_costs: every n in ns must be an integer >= 1"):
        M.measure_costs(ns=[0])
    with pytest.raises(ValueError, match="measure_costs: ns must list positive input counts"):
        M.measure_costs(ns=[])
