"""Layers: the seeds' worked examples exactly, numerical gradient checks over random shapes,
training that works, and the errors a student will meet."""
import math

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import backprop_lab as bl
from backprop_lab import datasets
from backprop_lab.gradcheck import check_layer, numerical_gradient, rel_error
from backprop_lab.layers import (SGD, Affine, Linear, MSELoss, ReLU, Sequential, Sigmoid,
                                 SoftmaxCrossEntropy, Tanh, mlp, parameters, train)

seeds = st.integers(0, 2**32 - 1)
dims = st.integers(1, 5)


def _upstream(rng, shape):
    """A random upstream gradient whose entries stay away from 0: an entry near 0 makes the
    true gradient tiny, and finite differences cannot resolve tiny numbers to 1e-7."""
    return rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


def _resolvable(*gradients, floor=2e-3):
    """Skip draws where a true gradient entry is nearly 0 (by cancellation in a sum): centered
    differences carry a round-off error of ~1e-10, so a rel_error below 1e-7 is only
    meaningful for entries larger than about 1e-3."""
    assume(all(np.min(np.abs(g)) > floor for g in gradients))


def _scalar(v):
    return np.array([[float(v)]])


# ------------------------------------------------------------- seed 003's affine chain
def test_seed003_affine_chain_dF_dw1_equals_w2_x():
    """F1 = w1·x + b1, F = w2·F1 + b2: ∂F/∂w1 = w2·x, ∂F/∂x = w2·w1 (seed 003)."""
    x, w1, b1, w2, b2 = 1.5, -2.0, 0.5, 3.0, -1.0
    first, second = Affine(_scalar(w1), np.array([b1])), Affine(_scalar(w2), np.array([b2]))
    F = second.forward(first.forward(_scalar(x)))
    assert F[0, 0] == w2 * (w1 * x + b1) + b2
    dx = first.backward(second.backward(np.ones((1, 1))))
    assert first.dW[0, 0] == w2 * x                      # the seed's answer: w2·x
    assert first.db[0] == w2
    assert second.dW[0, 0] == w1 * x + b1                # ∂F/∂w2 = F1
    assert second.db[0] == 1.0
    assert dx[0, 0] == w2 * w1


def test_seed003_squared_error_chain():
    """E = (y − t)²/2: ∂E/∂w2 = (y − t)·x2 (seed line B), ∂E/∂x2 = (y − t)·w2 (line A)."""
    x, w1, b1, w2, b2, t = 0.5, 2.0, -1.0, -3.0, 0.25, 4.0
    first, second = Affine(_scalar(w1), np.array([b1])), Affine(_scalar(w2), np.array([b2]))
    x2 = first.forward(_scalar(x))
    y = second.forward(x2)
    loss = MSELoss()
    E = 0.5 * loss.forward(y, _scalar(t))                # mean over one entry = (y − t)²
    assert E == (y[0, 0] - t) ** 2 / 2
    dy = loss.backward(0.5)                              # dE/dy = ½ · 2(y − t) = y − t
    assert dy[0, 0] == y[0, 0] - t
    dx2 = second.backward(dy)
    assert second.dW[0, 0] == (y[0, 0] - t) * x2[0, 0]
    assert dx2[0, 0] == (y[0, 0] - t) * w2
    first.backward(dx2)
    assert first.dW[0, 0] == pytest.approx((y[0, 0] - t) * w2 * x, rel=1e-15)


class SeedAffine:
    """Seed 003's Affine, verbatim: its backward forgets both transposes."""

    def __init__(self, W, b):
        self.W, self.b = W, b
        self.params = {"W": W, "b": b}
        self.x = self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W)         # A (should be dout @ W.T)
        self.dW = np.dot(self.x, dout)    # B (should be x.T @ dout)
        self.db = np.sum(dout, axis=0)
        return dx


def test_seed003_affine_fails_the_gradient_check_and_ours_passes():
    rng = np.random.default_rng(3)
    W, b, x = rng.standard_normal((3, 3)), rng.standard_normal(3), rng.standard_normal((3, 3))
    seed_report = check_layer(SeedAffine(W.copy(), b.copy()), x)
    assert not seed_report.passed
    assert seed_report.errors["x"] > 1e-2 and seed_report.errors["W"] > 1e-2
    assert seed_report.errors["b"] < 1e-7                 # only db was right
    ours = check_layer(Affine(W.copy(), b.copy()), x)
    assert ours.passed, str(ours)
    # with non-square shapes the seed's products do not even line up
    seed = SeedAffine(rng.standard_normal((3, 4)), rng.standard_normal(4))
    seed.forward(rng.standard_normal((5, 3)))
    with pytest.raises(ValueError):
        seed.backward(np.ones((5, 4)))


# ------------------------------------------------------------ seed 000's Linear node
def test_seed000_linear_node_gradients_exactly():
    """MiniFlow: dX = grad_cost · Wᵀ, dW = Xᵀ · grad_cost, db = Σ_rows grad_cost."""
    rng = np.random.default_rng(0)
    X, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    grad_cost = rng.standard_normal((4, 2))
    layer = Linear(W, b)
    assert Linear is Affine
    np.testing.assert_array_equal(layer.forward(X), np.dot(X, W) + b)
    dX = layer.backward(grad_cost)
    np.testing.assert_array_equal(dX, np.dot(grad_cost, W.T))
    np.testing.assert_array_equal(layer.dW, np.dot(X.T, grad_cost))
    np.testing.assert_array_equal(layer.db, np.sum(grad_cost, axis=0, keepdims=False))
    assert layer.dW.shape == W.shape and layer.db.shape == b.shape and dX.shape == X.shape


# --------------------------------------------------------- numerical gradient checks
@given(n=dims, d=dims, m=dims, seed=seeds)
def test_affine_matches_numerical_gradients(n, d, m, seed):
    rng = np.random.default_rng(seed)
    layer = Affine(rng.standard_normal((d, m)), rng.standard_normal(m))
    report = check_layer(layer, rng.standard_normal((n, d)), upstream=_upstream(rng, (n, m)))
    _resolvable(*report.analytic.values())
    assert report.passed, str(report)
    assert report.analytic["x"].shape == (n, d)


@given(n=dims, shape=st.lists(st.integers(1, 3), min_size=2, max_size=3), m=dims, seed=seeds)
def test_affine_flattens_extra_dimensions(n, shape, m, seed):
    rng = np.random.default_rng(seed)
    d = int(np.prod(shape))
    layer = Affine(rng.standard_normal((d, m)), rng.standard_normal(m))
    x = rng.standard_normal((n, *shape))
    np.testing.assert_allclose(layer.forward(x), x.reshape(n, d) @ layer.W + layer.b)
    report = check_layer(layer, x, upstream=_upstream(rng, (n, m)))
    _resolvable(*report.analytic.values())
    assert report.passed, str(report)
    assert report.analytic["x"].shape == x.shape


@pytest.mark.parametrize("layer_class, reference", [
    (ReLU, lambda x: np.maximum(0, x)),
    (Sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    (Tanh, np.tanh),
])
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), seed=seeds)
def test_activations_match_numerical_gradients(layer_class, reference, shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, shape)             # beyond ±4 tanh saturates: finite differences of
    x[np.abs(x) < 1e-3] = 0.5                 # a flat curve lose digits; and ReLU's kink avoided
    layer = layer_class()
    np.testing.assert_allclose(layer.forward(x), reference(x), rtol=1e-12, atol=1e-15)
    report = check_layer(layer, x, upstream=_upstream(rng, x.shape))
    assert report.passed, str(report)
    assert layer.params == {} and layer.grads == {}


def test_activation_local_gradients_by_hand():
    x = np.array([[-2.0, 0.0, 3.0]])
    dout = np.array([[1.0, 2.0, 3.0]])
    relu = ReLU()
    relu.forward(x)
    np.testing.assert_array_equal(relu.backward(dout), [[0.0, 0.0, 3.0]])
    sig = Sigmoid()
    s = sig.forward(x)
    np.testing.assert_allclose(sig.backward(dout), dout * s * (1 - s), rtol=1e-15)
    assert sig.forward(np.array([[1.0]]))[0, 0] == pytest.approx(0.7310585786300049, abs=1e-15)
    tanh = Tanh()
    t = tanh.forward(x)
    np.testing.assert_allclose(tanh.backward(dout), dout * (1 - t ** 2), rtol=1e-15)


@given(n=dims, m=dims, seed=seeds)
def test_mse_loss_matches_numerical_gradient(n, m, seed):
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal((n, m))
    targets = scores - _upstream(rng, (n, m))   # scores − targets away from 0 (tiny gradients)
    loss = MSELoss()
    value = loss.forward(scores, targets)
    assert value == pytest.approx(np.mean((scores - targets) ** 2), rel=1e-13)
    dout = float(rng.uniform(0.5, 2.0))
    dscores = loss.backward(dout)
    np.testing.assert_allclose(dscores, dout * 2 * (scores - targets) / (n * m), rtol=1e-12)
    numeric = numerical_gradient(lambda s: dout * loss.forward(s, targets), scores.copy())
    assert rel_error(dscores, numeric) < 1e-7


def test_mse_loss_graph_is_the_circuit_of_the_last_forward():
    rng = np.random.default_rng(3)
    loss = MSELoss()
    assert loss.graph is None
    for shape in ((4, 2), (4, 2), (3, 1)):
        scores, targets = rng.standard_normal(shape), rng.standard_normal(shape)
        value = loss.forward(scores, targets)
        assert value == pytest.approx(np.mean((scores - targets) ** 2), rel=1e-14)
        dscores = loss.backward(0.5)
        np.testing.assert_allclose(dscores, (scores - targets) / scores.size, rtol=1e-14)
        graph = loss.graph                        # built when asked, once per forward
        assert graph is loss.graph and graph.value == pytest.approx(value, rel=1e-15)
        assert [n.gate.symbol for n in graph.nodes if n.gate] == ["−", "x²", "Σ",
                                                                  f"×{1 / scores.size:g}"]
        np.testing.assert_allclose(graph.backward(seed=0.5)["scores"], dscores, rtol=1e-14)
    targets[:] = 0.0                              # the loss kept its own copy of its inputs
    loss._graph = None
    np.testing.assert_array_equal(loss.graph.leaf("scores").value, scores)
    assert loss.graph.value == pytest.approx(value, rel=1e-15)


def test_a_failed_softmax_cross_entropy_forward_leaves_no_stale_backward():
    ce = SoftmaxCrossEntropy()
    ce.forward(np.zeros((2, 3)), [0, 1])
    with pytest.raises(ValueError, match="got 3 labels for 2 rows"):
        ce.forward(np.zeros((2, 3)), [0, 1, 2])
    with pytest.raises(ValueError, match=r"SoftmaxCrossEntropy.backward\(\) was called before"):
        ce.backward()
    assert ce.graph is None and ce.probabilities is None


def test_a_failed_mse_forward_leaves_no_stale_backward():
    loss = MSELoss()
    loss.forward(np.full((3, 1), 2.0), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="PowerGate: x\\*\\*2 overflows float64"):
        loss.forward(np.full((3, 1), 1e200), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"MSELoss.backward\(\) was called before forward"):
        loss.backward()
    assert loss.graph is None
    loss.forward(np.ones((3, 1)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="MSELoss: scores have shape"):
        loss.forward(np.ones((3, 1)), np.zeros((1, 3)))             # a bad input, caught early
    with pytest.raises(ValueError, match=r"MSELoss.backward\(\) was called before forward"):
        loss.backward()
    assert loss.forward(np.full((3, 1), 2.0), np.zeros((3, 1))) == 4.0
    np.testing.assert_allclose(loss.backward(), np.full((3, 1), 4.0 / 3))


@given(n=dims, c=st.integers(1, 6), seed=seeds, soft=st.booleans())
def test_softmax_cross_entropy_matches_numerical_gradient(n, c, seed, soft):
    rng = np.random.default_rng(seed)
    scores = rng.uniform(-2, 2, (n, c))       # a very confident row has gradients ~1e-6 that
    if soft:                                  # finite differences cannot resolve to 1e-7
        # probability rows as targets
        targets = rng.uniform(0.1, 1.0, (n, c))
        targets /= targets.sum(axis=1, keepdims=True)
    else:
        targets = rng.integers(0, c, n)
    onehot = targets if soft else np.eye(c)[targets]
    loss = SoftmaxCrossEntropy()
    value = loss.forward(scores, targets)
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert value == pytest.approx(-np.sum(onehot * np.log(p)) / n, rel=1e-12, abs=1e-14)
    np.testing.assert_allclose(loss.probabilities, p, rtol=1e-12, atol=1e-300)
    dscores = loss.backward()
    np.testing.assert_allclose(dscores, (p - onehot) / n, rtol=1e-10, atol=1e-15)
    numeric = numerical_gradient(lambda s: loss.forward(s, targets), scores.copy())
    _resolvable(dscores)
    assert rel_error(dscores, numeric) < 1e-7


def test_softmax_cross_entropy_values_by_hand_and_stability():
    loss = SoftmaxCrossEntropy()
    assert loss.forward(np.zeros((2, 4)), [0, 3]) == pytest.approx(math.log(4), rel=1e-15)
    # huge scores: the row-max shift keeps exp finite
    big = np.array([[1000.0, 0.0, -1000.0]])
    assert loss.forward(big, [0]) == pytest.approx(0.0, abs=1e-300)
    assert loss.forward(big, [1]) == pytest.approx(1000.0, rel=1e-15)
    np.testing.assert_allclose(loss.backward(), [[1.0, -1.0, 0.0]], atol=1e-300)
    # float labels that are whole numbers are accepted
    assert loss.forward(np.zeros((2, 4)), np.array([1.0, 2.0])) == pytest.approx(math.log(4))


@given(seed=seeds, activation=st.sampled_from(["relu", "sigmoid", "tanh"]))
def test_sequential_model_matches_numerical_gradients(seed, activation):
    rng = np.random.default_rng(seed)
    model = mlp([3, 4, 2], activation=activation, seed=seed)
    x = rng.standard_normal((4, 3))
    report = check_layer(model, x, upstream=_upstream(rng, (4, 2)))
    _resolvable(*report.analytic.values())
    assert report.max_error < 1e-7 or activation == "relu", str(report)
    if activation == "relu":                  # a hidden unit exactly at the kink is measure-zero,
        assert report.max_error < 1e-5, str(report)   # but one near it may blur the estimate
    assert set(report.errors) == {"x", "0.W", "0.b", "2.W", "2.b"}


# ---------------------------------------------------------- params, SGD, Sequential
def test_params_are_the_layers_own_arrays_and_sgd_updates_them_in_place():
    W, b = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -0.5])
    layer = Affine(W, b)
    assert layer.W is layer.params["W"] and layer.b is layer.params["b"]
    assert not np.shares_memory(layer.W, W) and not np.shares_memory(layer.b, b)
    W_param = layer.W
    layer.forward(np.array([[1.0, 1.0]]))
    layer.backward(np.array([[1.0, 2.0]]))
    np.testing.assert_array_equal(layer.dW, [[1.0, 2.0], [1.0, 2.0]])
    np.testing.assert_array_equal(layer.db, [1.0, 2.0])
    assert set(layer.grads) == {"W", "b"} and layer.grads["W"] is layer.dW
    SGD(lr=0.5).step(layer)
    assert layer.W is W_param                                    # updated in place
    np.testing.assert_array_equal(layer.W, [[0.5, 1.0], [2.5, 3.0]])
    np.testing.assert_array_equal(layer.b, [0.0, -1.5])
    np.testing.assert_array_equal(W, [[1.0, 2.0], [3.0, 4.0]])   # the caller's arrays did not
    np.testing.assert_array_equal(b, [0.5, -0.5])
    new_W = np.zeros((2, 2))
    layer.W = new_W                                              # the setter copies too
    SGD(lr=0.5).step(layer)
    np.testing.assert_array_equal(new_W, np.zeros((2, 2)))


def test_layers_built_from_one_array_do_not_share_it():
    """The reviewer's case: one bias array for two Affine layers trained once each."""
    rng = np.random.default_rng(0)
    b = np.zeros(3)
    model = Sequential([Affine(rng.standard_normal((3, 3)), b), ReLU(),
                        Affine(rng.standard_normal((3, 3)), b)])
    assert not np.shares_memory(model.params["0.b"], model.params["2.b"])
    X, y = rng.standard_normal((8, 3)), rng.standard_normal((8, 3))
    loss = MSELoss()
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    db0, db2 = model.grads["0.b"].copy(), model.grads["2.b"].copy()
    SGD(lr=0.1).step(model)
    np.testing.assert_array_equal(b, np.zeros(3))
    np.testing.assert_allclose(model.params["0.b"], -0.1 * db0, rtol=1e-15)   # each bias got
    np.testing.assert_allclose(model.params["2.b"], -0.1 * db2, rtol=1e-15)   # one update
    int_W = np.ones((3, 3), dtype=np.int64)
    layer = Affine(int_W, b)
    assert layer.W.dtype == np.float64 and layer.b is not b


def test_sequential_names_params_and_grads_by_layer_index():
    model = mlp([2, 3, 1], activation="tanh", seed=1)
    assert [type(layer).__name__ for layer in model] == ["Affine", "Tanh", "Affine"]
    assert list(model.params) == ["0.W", "0.b", "2.W", "2.b"]
    assert model.params["0.W"] is model[0].W
    assert model.params["0.W"].shape == (2, 3) and model.params["2.b"].shape == (1,)
    np.testing.assert_array_equal(model.params["0.b"], np.zeros(3))
    x = np.array([[0.5, -1.0], [1.0, 2.0]])
    out = model.forward(x)
    np.testing.assert_allclose(out, np.tanh(x @ model[0].W + model[0].b) @ model[2].W + model[2].b)
    dx = model.backward(np.ones_like(out))
    assert dx.shape == x.shape
    assert getattr(model, "d2.W") is model[2].dW
    names = [name for name, value, grad in parameters(model)]
    assert names == ["0.W", "0.b", "2.W", "2.b"]
    before = model[0].W.copy()
    SGD(0.1).step(model)
    np.testing.assert_allclose(model[0].W, before - 0.1 * model[0].dW)
    with pytest.raises(AttributeError):
        model.d5  # noqa: B018
    assert "Tanh()" in repr(model) and len(model) == 3


def test_mlp_initialization_is_seeded_and_scaled():
    a, b = mlp([100, 50, 10], seed=7), mlp([100, 50, 10], seed=7)
    np.testing.assert_array_equal(a[0].W, b[0].W)
    assert not np.array_equal(a[0].W, mlp([100, 50, 10], seed=8)[0].W)
    assert a[0].W.std() == pytest.approx(math.sqrt(2 / 100), rel=0.05)     # He for ReLU
    assert mlp([100, 10], activation="tanh")[0].W.std() == pytest.approx(0.1, rel=0.05)


# ---------------------------------------------------------------------- training
def test_miniflow_network_trains_loss_falls_by_more_than_90_percent():
    """Seed 000: Linear → Sigmoid → Linear → MSE, trained by SGD on a regression set."""
    X, y = datasets.regression(n_samples=200, n_features=3, seed=0)
    model = Sequential([Linear(*_init(3, 16, 0)), Sigmoid(), Linear(*_init(16, 1, 1))])
    loss = MSELoss()
    before = loss.forward(model.forward(X), y)
    history = train(model, loss, X, y, lr=0.2, epochs=200, batch_size=20, seed=0)
    after = loss.forward(model.forward(X), y)
    assert len(history) == 200
    assert after < 0.1 * before, (before, after)
    assert history[-1] < 0.1 * history[0]


def _init(fan_in, fan_out, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((fan_in, fan_out)) / math.sqrt(fan_in), np.zeros(fan_out)


def test_spirals_are_learned_by_a_relu_mlp_with_softmax():
    X, y = datasets.spirals(n_per_class=100, n_classes=3, seed=0)
    model, loss = mlp([2, 64, 3], activation="relu", seed=0), SoftmaxCrossEntropy()
    history = train(model, loss, X, y, lr=1.0, epochs=300)
    loss.forward(model.forward(X), y)
    accuracy = np.mean(loss.probabilities.argmax(axis=1) == y)
    assert history[-1] < 0.15 * history[0]
    assert accuracy > 0.95


def test_training_is_reproducible_and_full_batch_by_default():
    X, y = datasets.xor()
    runs = [train(mlp([2, 8, 1], "tanh", seed=1), MSELoss(), X, y, lr=0.2, epochs=50)
            for _ in range(2)]
    assert runs[0] == runs[1]
    model = mlp([2, 8, 1], "tanh", seed=1)
    history = train(model, MSELoss(), X, y, lr=0.2, epochs=500)
    assert history[-1] < 1e-3
    np.testing.assert_allclose(model.forward(X), y, atol=0.05)


# ------------------------------------------------------------------------- errors
def test_affine_errors_name_the_layer_and_shapes():
    layer = Affine(np.ones((3, 4)), np.zeros(4))
    with pytest.raises(ValueError, match=r"Affine: x has 5 features per row but W expects 3 "
                                         r"\(W has shape \(3, 4\)\)"):
        layer.forward(np.ones((2, 5)))
    with pytest.raises(ValueError, match=r"Affine: x has 4 features per example"):
        layer.forward(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match=r"Affine: x must have shape \(N, 3\).*got shape \(3,\)"):
        layer.forward(np.ones(3))
    with pytest.raises(ValueError, match=r"Affine: b must have shape \(4,\).*got shape \(3,\)"):
        Affine(np.ones((3, 4)), np.zeros(3))
    with pytest.raises(ValueError, match=r"Affine: W must be a 2-D array.*\(3,\)"):
        Affine(np.ones(3), np.zeros(3))
    with pytest.raises(TypeError, match="Affine: W must be a numpy array"):
        Affine("weights", np.zeros(3))
    with pytest.raises(ValueError, match="Affine: x contains NaN or inf"):
        layer.forward(np.array([[1.0, np.nan, 0.0]]))


@pytest.mark.parametrize("layer", [Affine(np.ones((2, 2)), np.zeros(2)), ReLU(), Sigmoid(), Tanh()])
def test_backward_before_forward_and_wrong_dout_shape(layer):
    name = type(layer).__name__
    with pytest.raises(ValueError, match=rf"{name}.backward\(\) was called before forward"):
        layer.backward(np.ones((1, 2)))
    layer.forward(np.ones((3, 2)))
    with pytest.raises(ValueError, match=rf"{name}.backward: dout has shape \(2, 3\) but forward "
                                         r"returned shape \(3, 2\)"):
        layer.backward(np.ones((2, 3)))


def test_loss_errors():
    mse, ce = MSELoss(), SoftmaxCrossEntropy()
    with pytest.raises(ValueError, match=r"MSELoss.backward\(\) was called before forward"):
        mse.backward()
    with pytest.raises(ValueError, match=r"SoftmaxCrossEntropy.backward\(\) was called before "
                                         r"forward"):
        ce.backward()
    with pytest.raises(ValueError, match=r"MSELoss: scores have shape \(2, 3\) but targets have "
                                         r"shape \(3, 2\)"):
        mse.forward(np.ones((2, 3)), np.ones((3, 2)))
    assert mse.forward(np.ones((3, 1)), np.zeros(3)) == 1.0          # a target vector is a column
    with pytest.raises(TypeError, match="MSELoss.backward: dout must be a finite number"):
        mse.backward(np.ones(3))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\] for 3 classes; got labels "
                                         r"from 0 to 3"):
        ce.forward(np.zeros((2, 3)), [0, 3])
    with pytest.raises(ValueError, match="got 3 labels for 2 rows"):
        ce.forward(np.zeros((2, 3)), [0, 1, 2])
    with pytest.raises(TypeError, match="integer class labels; got dtype float64"):
        ce.forward(np.zeros((2, 3)), [0.5, 1.0])
    with pytest.raises(ValueError, match=r"scores must have shape \(N, C\)"):
        ce.forward(np.zeros(3), [0])
    with pytest.raises(ValueError, match="probability distribution"):
        ce.forward(np.zeros((1, 2)), np.array([[0.5, 0.6]]))
    with pytest.raises(ValueError, match=r"targets must be N integer labels or an \(N, C\) array"):
        ce.forward(np.zeros((2, 3)), np.zeros((2, 2)))


def test_model_and_optimizer_errors():
    with pytest.raises(ValueError, match="SGD: the learning rate lr must be a positive finite number, got -0.1"):
        SGD(lr=-0.1)
    with pytest.raises(ValueError, match=r"SGD.step: parameter 'W' of Affine has no gradient yet"):
        SGD(0.1).step(Affine(np.ones((2, 2)), np.zeros(2)))
    with pytest.raises(TypeError, match="SGD|no params"):
        SGD(0.1).step(object())
    with pytest.raises(TypeError, match=r"Sequential: item 1 \(str\) is not a layer"):
        Sequential([ReLU(), "tanh"])
    with pytest.raises(TypeError, match="keep the loss outside the model"):
        Sequential([ReLU(), MSELoss()])
    with pytest.raises(ValueError, match="mlp: unknown activation 'gelu'"):
        mlp([2, 2], activation="gelu")
    with pytest.raises(ValueError, match="mlp: sizes must list at least two positive integers"):
        mlp([2])
    X, y = datasets.xor()
    with pytest.raises(ValueError, match="train: X must have shape"):
        train(mlp([2, 1]), MSELoss(), X, y[:3])
    with pytest.raises(ValueError, match="train: epochs must be an integer >= 1, got 0"):
        train(mlp([2, 1]), MSELoss(), X, y, epochs=0)
    with pytest.raises(ValueError, match=r"SGD.step: parameter '0.W' of Sequential became "
                                         r"inf or NaN \(lr=1e\+300.*learning rate"):
        train(mlp([2, 1]), MSELoss(), X * 1e10, y, lr=1e300, epochs=5)


@pytest.mark.parametrize("call, message", [
    (lambda: train(mlp([2, 1]), MSELoss(), *datasets.xor(), epochs=True),
     "train: epochs must be an integer >= 1, got True"),
    (lambda: train(mlp([2, 1]), MSELoss(), *datasets.xor(), batch_size=2.5),
     r"train: batch_size \(or None\) must be an integer >= 1, got 2.5"),
    (lambda: mlp([2, 0, 1]), r"mlp: sizes\[1\] must be an integer >= 1, got 0"),
    (lambda: SGD(lr=math.inf), "SGD: the learning rate lr must be a positive finite number"),
    (lambda: datasets.blobs(n_per_class=True), "blobs: n_per_class must be an integer >= 1"),
    (lambda: datasets.regression(noise=-1.0), "regression: noise must be a finite number >= 0"),
    (lambda: bl.conv.MaxPool2D(size=2.0), "MaxPool2D: size must be an integer >= 1, got 2.0"),
    (lambda: bl.rnn.recurrent_matrix(True, 1.0), "recurrent_matrix: size must be an integer >= 1"),
    (lambda: bl.rnn.recurrent_matrix(2, -1.0),
     "recurrent_matrix: scale must be a finite number >= 0"),
    (lambda: bl.rnn_experiments.adding_problem(0, 5), "adding_problem: n must be an integer >= 1, got 0"),
    (lambda: bl.rnn.ClippedSGD(0.1, max_norm=0.0),
     "ClippedSGD: max_norm must be a positive finite number, got 0.0"),
    (lambda: bl.modes.measure_costs(ns=[2, 1.5]),
     "measure_costs: every n in ns must be an integer >= 1, got 1.5"),
])
def test_one_validator_for_integers_and_positive_numbers(call, message):
    """Every module checks counts and positive numbers with the same two helpers, so the
    same mistake gets the same message everywhere (bools and floats are not counts)."""
    with pytest.raises(ValueError, match=message):
        call()


def test_integer_and_number_checks_live_in_values_only():
    from backprop_lab import conv, layers, modes, rnn, rnn_experiments, values
    for module in (layers, conv, rnn, rnn_experiments, datasets, modes):
        assert module.check_int is values.check_int
    for module in (layers, rnn, rnn_experiments, datasets):
        assert module.check_real is values.check_real
    assert values.check_int("x", "n", np.int64(3)) == 3 and values.check_real("x", "r", 0.0,
                                                                              True) == 0.0
    history = train(mlp([2, 1]), MSELoss(), *datasets.xor(), epochs=np.int64(2))
    assert len(history) == 2
    rows = bl.modes.measure_costs(ns=np.array([1, 2]), repeats=np.int64(1))
    assert [row.n for row in rows] == [1, 2]


def test_layers_are_reachable_from_the_package():
    assert bl.layers.Affine is Affine and bl.datasets.regression is datasets.regression


def test_losses_are_small_graphs_built_from_gates():
    scores = np.array([[1.0, 2.0], [0.5, -1.0]])
    mse = MSELoss()
    mse.forward(scores, np.zeros((2, 2)))
    np.testing.assert_array_equal(mse.graph.leaf("scores").value, scores)
    symbols = [node.gate.symbol for node in mse.graph.nodes if node.gate is not None]
    assert symbols == ["−", "x²", "Σ", "×0.25"]
    ce = SoftmaxCrossEntropy()
    assert ce.probabilities is None
    ce.forward(scores, [1, 0])
    gates = {node.gate.name for node in ce.graph.nodes if node.gate is not None}
    assert {"ExpGate", "LogGate", "SumGate", "SubtractGate", "MultiplyGate"} <= gates
    np.testing.assert_allclose(ce.probabilities.sum(axis=1), 1.0, rtol=1e-15)


def test_train_uses_a_given_optimizer_and_minibatches():
    class CountingSGD(SGD):
        steps = 0

        def step(self, model):
            CountingSGD.steps += 1
            super().step(model)

    X, y = datasets.regression(n_samples=50, n_features=2, seed=1)
    history = train(mlp([2, 4, 1], "tanh"), MSELoss(), X, y, epochs=3, batch_size=20,
                    optimizer=CountingSGD(0.05))
    assert CountingSGD.steps == 3 * 3                 # 50 rows in batches of 20: 3 per epoch
    assert len(history) == 3 and all(np.isfinite(history))
    again = train(mlp([2, 4, 1], "tanh"), MSELoss(), X, y, epochs=3, batch_size=20, lr=0.05)
    assert again == history                           # mini-batch orders come from train's seed
    other = train(mlp([2, 4, 1], "tanh"), MSELoss(), X, y, epochs=3, batch_size=20, lr=0.05,
                  seed=1)
    assert other != history
