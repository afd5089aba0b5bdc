"""Synthetic data sets: shapes, seeding, the properties each set promises, and errors."""
import math

import numpy as np
import pytest

from backprop_lab import datasets as D


def test_regression_shapes_scaling_and_noise_floor():
    X, y = D.regression(n_samples=500, n_features=4, noise=0.1, seed=3)
    assert X.shape == (500, 4) and y.shape == (500, 1)
    assert X.dtype == np.float64 and y.dtype == np.float64
    clean = D.regression_target(X)
    clean = (clean - clean.mean()) / clean.std()
    residual = y - clean
    assert residual.std() == pytest.approx(0.1, rel=0.15)             # the noise we asked for
    assert y.mean() == pytest.approx(0.0, abs=0.05) and y.var() == pytest.approx(1.01, rel=0.05)
    noiseless = D.regression(n_samples=50, n_features=2, noise=0.0, seed=1)
    assert noiseless.y.std() == pytest.approx(1.0, rel=1e-12)


def test_regression_target_is_the_documented_curve():
    x = np.array([[0.0], [1.0], [-2.0]])
    expected = np.sin(1.5 * x[:, 0]) + 0.3 * x[:, 0] ** 2
    np.testing.assert_allclose(D.regression_target(x)[:, 0], expected, rtol=1e-15)
    two = np.array([[1.0, 2.0]])
    expected = math.sin(1.5) + math.sin(3.0) + 0.3 * 9 / 2
    assert D.regression_target(two)[0, 0] == pytest.approx(expected)


@pytest.mark.parametrize("make", [D.regression, D.spirals, D.blobs])
def test_same_seed_same_data_other_seed_other_data(make):
    a, b, c = make(seed=5), make(seed=5), make(seed=6)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)
    X, y = a                                   # a Dataset unpacks like a tuple
    assert X is a.X and y is a.y


def test_spirals_classes_arms_and_radius():
    X, y = D.spirals(n_per_class=50, n_classes=4, noise=0.0, seed=0)
    assert X.shape == (200, 2) and y.shape == (200,) and y.dtype.kind == "i"
    assert np.bincount(y).tolist() == [50, 50, 50, 50]
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.max() == pytest.approx(1.0) and radius.min() == 0.0
    # without noise, each arm's outermost point sits at angle 4 + 2πk/K from the y axis
    for k in range(4):
        outer = X[y == k][-1]
        angle = 4.0 + 2 * math.pi * k / 4
        np.testing.assert_allclose(outer, [math.sin(angle), math.cos(angle)], atol=1e-12)


def test_spirals_are_not_linearly_separable_but_blobs_are():
    """A least-squares linear classifier (one-hot regression) on each set."""
    def linear_accuracy(X, y):
        A = np.column_stack([X, np.ones(len(X))])
        W, *_ = np.linalg.lstsq(A, np.eye(y.max() + 1)[y], rcond=None)
        return np.mean((A @ W).argmax(axis=1) == y)

    assert linear_accuracy(*D.spirals(seed=0)) < 0.6
    assert linear_accuracy(*D.blobs(spread=0.3, seed=0)) == 1.0


def test_blobs_centres_and_spread():
    X, y = D.blobs(n_per_class=400, n_classes=3, spread=0.5, n_features=3, seed=0)
    assert X.shape == (1200, 3)
    for k in range(3):
        angle = 2 * math.pi * k / 3
        np.testing.assert_allclose(X[y == k].mean(axis=0),
                                   [2 * math.cos(angle), 2 * math.sin(angle), 0.0], atol=0.08)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, rtol=0.1)


def test_xor():
    X, y = D.xor()
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y[:, 0].tolist() == [0, 1, 1, 0]
    assert (y[:, 0] == np.logical_xor(X[:, 0], X[:, 1])).all()


def test_minibatches_cover_every_row_once():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    batches = list(D.minibatches(X, y, 4, seed=1))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    rows = np.concatenate([b[1] for b in batches])
    assert sorted(rows.tolist()) == list(range(10)) and rows.tolist() != list(range(10))
    for xb, yb in batches:
        np.testing.assert_array_equal(xb, X[yb])          # X and y stay paired
    in_order = list(D.minibatches(X, y, 3, shuffle=False))
    assert np.concatenate([b[1] for b in in_order]).tolist() == list(range(10))


def test_minibatches_shuffle_anew_at_every_call_unless_seeded():
    X, y = np.zeros((30, 1)), np.arange(30)

    def order(**kwargs):
        return np.concatenate([b[1] for b in D.minibatches(X, y, 7, **kwargs)]).tolist()

    epochs = [order() for _ in range(3)]       # 30! orders: a repeat is practically impossible
    assert all(sorted(e) == list(range(30)) for e in epochs)
    assert epochs[0] != epochs[1] and epochs[1] != epochs[2] and epochs[0] != epochs[2]
    assert order(seed=5) == order(seed=5) != order(seed=6)
    assert order(shuffle=False) == list(range(30))
    with pytest.raises(ValueError, match="seed=5 picks a random order but shuffle=False"):
        order(seed=5, shuffle=False)


def test_train_test_split():
    X, y = D.blobs(n_per_class=10, n_classes=2, seed=0)
    X_train, y_train, X_test, y_test = D.train_test_split(X, y, test_fraction=0.25, seed=0)
    assert len(X_test) == 5 and len(X_train) == 15
    together = np.concatenate([X_train, X_test])
    assert sorted(map(tuple, together)) == sorted(map(tuple, X))


def test_errors():
    with pytest.raises(ValueError, match="regression: n_samples must be an integer >= 2, got 1"):
        D.regression(n_samples=1)
    with pytest.raises(ValueError, match="regression: noise must be a finite number >= 0"):
        D.regression(noise=-1)
    with pytest.raises(ValueError, match="spirals: n_classes must be an integer >= 2"):
        D.spirals(n_classes=1)
    with pytest.raises(ValueError, match="blobs: n_per_class must be an integer >= 1, got 2.5"):
        D.blobs(n_per_class=2.5)
    with pytest.raises(ValueError, match=r"regression_target: X must have shape \(N, D\)"):
        D.regression_target(np.ones(3))
    with pytest.raises(ValueError, match="minibatches: X has 3 rows but y has 2"):
        list(D.minibatches(np.ones((3, 1)), np.ones(2), 2))
    with pytest.raises(ValueError, match="test_fraction must lie strictly between 0 and 1"):
        D.train_test_split(np.ones((4, 1)), np.ones(4), test_fraction=1.0)
