"""Numerical gradient checking: exact on quadratics, restores x, catches wrong backward passes."""
import numpy as np
import pytest

import backprop_lab as bl
from backprop_lab import gates as G
from backprop_lab.gradcheck import (GradCheckReport, check_gate, check_graph, check_layer,
                                    numerical_gradient, rel_error)


def test_numerical_gradient_of_a_quadratic_is_exact():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.5, -1.5])
    grad = numerical_gradient(lambda v: 0.5 * v @ A @ v, x)
    np.testing.assert_allclose(grad, A @ x, rtol=1e-9)


def test_numerical_gradient_restores_x_and_walks_every_index():
    x = np.arange(12.0).reshape(3, 2, 2)
    before = x.copy()
    seen = []

    def f(v):
        seen.append(v.copy())
        return float(np.sum(v ** 2))

    grad = numerical_gradient(f, x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(grad, 2 * before, atol=1e-6)
    assert len(seen) == 2 * x.size


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.ones(3)

    def f(v):
        if v[1] != 1.0:
            raise RuntimeError("boom")
        return float(v.sum())

    with pytest.raises(RuntimeError):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, np.ones(3))


def test_numerical_gradient_of_scalar_and_of_node():
    assert numerical_gradient(lambda v: v ** 3, 2.0) == pytest.approx(12.0, rel=1e-9)
    assert numerical_gradient(lambda v: bl.var(v) ** 3, 2.0) == pytest.approx(12.0, rel=1e-9)


def test_seed003_numerical_gradient_matches_affine_backward():
    # seed 003: F(x) = w2 (w1 x + b1) + b2 has dF/dw1 = w2 x
    x, w2, b1, b2 = 1.5, -2.0, 0.3, 0.7
    dw1 = numerical_gradient(lambda w1: w2 * (w1 * x + b1) + b2, 0.8)
    assert dw1 == pytest.approx(w2 * x, rel=1e-9)


def test_rel_error():
    assert rel_error(1.0, 1.0) == 0.0
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])) == pytest.approx(0.2 / 4.2)
    assert rel_error(0.0, 1e-12) == pytest.approx(1e-4)            # floor of 1e-8
    with pytest.raises(ValueError, match=r"shapes differ, \(2,\) vs \(3,\)"):
        rel_error(np.ones(2), np.ones(3))


def test_numerical_gradient_errors():
    with pytest.raises(ValueError, match=r"f must return a scalar.*shape \(2,\)"):
        numerical_gradient(lambda v: v * 2, np.ones(2))
    with pytest.raises(TypeError, match="dtype float64"):
        numerical_gradient(lambda v: float(v.sum()), np.ones(2, dtype=np.int64))
    with pytest.raises(TypeError, match="float or a numpy array"):
        numerical_gradient(lambda v: 0.0, [1.0, 2.0])


class ForgotUpstream(G.Gate):
    """A classic student bug: returns the local gradient without multiplying the upstream."""

    def forward(self, x, y):
        self.save(x, y)
        return x * y

    def backward(self, upstream):
        x, y = self.saved()
        return y, x


def test_check_gate_reports_a_wrong_backward():
    report = check_gate(ForgotUpstream(), np.array([1.0, 2.0]), np.array([3.0, -1.0]))
    assert not report.passed and not bool(report)
    text = str(report)
    assert "FAIL" in text and "ForgotUpstream" in text and "some gradients are wrong" in text
    good = check_gate(G.MultiplyGate(), np.array([1.0, 2.0]), np.array([3.0, -1.0]))
    assert good.passed and "all passed" in str(good) and good.max_error < 1e-9


class Linear:
    """A minimal layer in the layer API, used to test check_layer independently of layers.py."""

    def __init__(self, W, b, buggy=False):
        self.params = {"W": W, "b": b}
        self.buggy = buggy

    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, dout):
        W = self.params["W"]
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        if self.buggy:                 # seed 003's version: dx = dout . W (missing transpose)
            return np.dot(dout, W[: dout.shape[1], : self.x.shape[1]])
        return dout @ W.T


def test_check_layer_passes_a_correct_layer_and_fails_the_seed003_bug():
    rng = np.random.default_rng(0)
    W, b, x = rng.standard_normal((3, 3)), rng.standard_normal(3), rng.standard_normal((4, 3))
    report = check_layer(Linear(W, b), x)
    assert report.passed and set(report.errors) == {"x", "W", "b"}
    bad = check_layer(Linear(W.copy(), b.copy(), buggy=True), x)
    assert not bad.passed and bad.errors["x"] > 1e-3 and bad.errors["W"] < 1e-7


def test_check_graph_covers_every_named_leaf():
    x, y = bl.var(np.array([0.5, -1.0]), name="x"), bl.var(2.0, name="y")
    report = check_graph((bl.tanh(x) * y).sum())
    assert isinstance(report, GradCheckReport) and report.passed
    assert set(report.errors) == {"x", "y"}
    np.testing.assert_allclose(x.grad, (1 - np.tanh([0.5, -1.0]) ** 2) * 2.0)


def test_kink_makes_relu_check_fail_at_zero():
    # ReLU has a kink at 0: centered differences straddle it and give 0.5, backward says 0
    report = check_gate(G.ReLUGate(), np.array([0.0, 1.0]), upstream=np.ones(2))
    assert report.errors["input 0"] == pytest.approx(1.0)
    assert report.numeric["input 0"][0] == pytest.approx(0.5)


def test_check_layer_explains_a_missing_parameter_gradient():
    class Forgetful(Linear):
        def backward(self, dout):
            return dout @ self.params["W"].T          # forgot self.dW and self.db

    rng = np.random.default_rng(0)
    layer = Forgetful(rng.standard_normal((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"Forgetful.backward did not store the gradient of "
                                         r"parameter 'W'; set self.dW in backward"):
        check_layer(layer, rng.standard_normal((4, 3)))


def test_check_gate_needs_one_gradient_per_input():
    class Single(G.Gate):
        def forward(self, x, y):
            self.save(x, y)
            return x * y

        def backward(self, upstream):
            x, y = self.saved()
            return upstream * y

    with pytest.raises(ValueError, match=r"Single.backward must return one gradient per input \(2\)"):
        check_gate(Single(), 1.0, 2.0)
