"""Small synthetic data sets made in numpy: seeded, instant, no downloads.

    X, y = regression(n_samples=200, n_features=3)      # y: (N, 1) floats, for MSELoss
    X, y = spirals(n_per_class=100, n_classes=3)        # y: (N,) int labels, for softmax
    X, y = blobs(n_per_class=100, n_classes=3)
    X, y = xor()                                        # the 4 points no linear model separates

Every data-set function takes a ``seed`` and returns a :class:`Dataset` — a named tuple
``(X, y)`` — so the same call always gives the same numbers.  ``X`` is float64 of shape
(N, D), one example per row, like the layers expect.  :func:`minibatches` is the
exception: without a ``seed`` it shuffles anew at every call (one call per epoch).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .i18n.messages import tr
from .values import check_int, check_real

__all__ = ["Dataset", "regression", "regression_target", "spirals", "blobs", "xor",
           "minibatches", "train_test_split"]


class Dataset(NamedTuple):
    """Inputs ``X`` (N, D) float64 and targets ``y`` (float (N, 1) or int labels (N,))."""

    X: np.ndarray
    y: np.ndarray


def regression_target(X: np.ndarray) -> np.ndarray:
    """The smooth function the regression set samples (before scaling and noise):

    f(x) = Σ_j sin(1.5·x_j) + 0.3·(Σ_j x_j)² / D, one value per row of X (shape (N, 1)).
    For one feature this is the curve sin(1.5x) + 0.3x², easy to plot.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(tr("regression_target: X must have shape (N, D), got {shape}.",
                            shape=X.shape))
    d = X.shape[1]
    return (np.sin(1.5 * X).sum(axis=1) + 0.3 * X.sum(axis=1) ** 2 / d)[:, None]


def regression(n_samples: int = 200, n_features: int = 3, noise: float = 0.05,
               seed: int = 0) -> Dataset:
    """A regression set for MiniFlow's network (Linear → Sigmoid → Linear → MSE), from the
    illustrated post 反向传播-图解.

    X ~ N(0, 1) of shape (n_samples, n_features); y = standardized
    :func:`regression_target` (mean 0, variance 1) plus Gaussian noise of standard
    deviation ``noise``; y has shape (n_samples, 1).  Predicting the mean gives an MSE
    of about 1; the noise floor is ``noise²``.
    """
    n = check_int("regression", "n_samples", n_samples, 2)
    d = check_int("regression", "n_features", n_features)
    noise = check_real("regression", "noise", noise, allow_zero=True)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    target = regression_target(X)
    target = (target - target.mean()) / target.std()
    y = target + noise * rng.standard_normal((n, 1))
    return Dataset(X, y)


def spirals(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2,
            seed: int = 0) -> Dataset:
    """CS231n's spiral data: ``n_classes`` arms winding out from the origin in 2-D.

    Arm k has points at radius r ∈ [0, 1] and angle 4r + 2πk/K (plus noise on the
    angle).  No linear classifier separates them; a small MLP does.  y: int labels (N,).
    """
    n = check_int("spirals", "n_per_class", n_per_class)
    k = check_int("spirals", "n_classes", n_classes, 2)
    noise = check_real("spirals", "noise", noise, allow_zero=True)
    rng = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.0, 1.0, n), k)
    labels = np.repeat(np.arange(k), n)
    angle = 4.0 * radius + 2.0 * math.pi * labels / k + noise * rng.standard_normal(n * k)
    X = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    return Dataset(X, labels)


def blobs(n_per_class: int = 100, n_classes: int = 3, spread: float = 0.5,
          n_features: int = 2, seed: int = 0) -> Dataset:
    """Gaussian clusters: class k is centred on a point of the circle of radius 2 (first two
    features; the others are 0) with standard deviation ``spread``.  y: int labels (N,).
    Small ``spread``: linearly separable, a single Affine + softmax learns it."""
    n = check_int("blobs", "n_per_class", n_per_class)
    k = check_int("blobs", "n_classes", n_classes, 2)
    d = check_int("blobs", "n_features", n_features, 2)
    spread = check_real("blobs", "spread", spread, allow_zero=True)
    rng = np.random.default_rng(seed)
    angles = 2.0 * math.pi * np.arange(k) / k
    centers = np.zeros((k, d))
    centers[:, 0], centers[:, 1] = 2.0 * np.cos(angles), 2.0 * np.sin(angles)
    labels = np.repeat(np.arange(k), n)
    X = centers[labels] + spread * rng.standard_normal((n * k, d))
    return Dataset(X, labels)


def xor() -> Dataset:
    """The four XOR points (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0 (y as floats of shape (4, 1)).

    The classic set that needs a hidden layer: no line separates the two classes."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    return Dataset(X, y)


def minibatches(X, y, batch_size: int, seed: int | None = None, shuffle: bool = True):
    """Yield ``(X_batch, y_batch)`` pairs covering every row once; the last batch may be
    smaller.

    Order of the rows: a fresh random order at every call (``seed=None``, the default — so
    each epoch of a training loop sees the batches differently); the same random order
    every time for a given ``seed``; the rows in order with ``shuffle=False``.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(tr("minibatches: X has {rows} rows but y has {targets}.",
                            rows=len(X), targets=len(y)))
    size = check_int("minibatches", "batch_size", batch_size)
    if not shuffle and seed is not None:
        raise ValueError(tr("minibatches: seed={seed!r} picks a random order but shuffle=False "
                            "asks for the rows in order; give one or the other.", seed=seed))
    order = np.random.default_rng(seed).permutation(len(X)) if shuffle else np.arange(len(X))
    for start in range(0, len(X), size):
        rows = order[start:start + size]
        yield X[rows], y[rows]


def train_test_split(X, y, test_fraction: float = 0.25, seed: int = 0):
    """Shuffle (seeded) and split into ``(X_train, y_train, X_test, y_test)``."""
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(tr("train_test_split: X has {rows} rows but y has {targets}.",
                            rows=len(X), targets=len(y)))
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(tr("train_test_split: test_fraction must lie strictly between 0 and 1, "
                            "got {test_fraction!r}.", test_fraction=test_fraction))
    n_test = int(round(len(X) * test_fraction))
    if n_test == 0 or n_test == len(X):
        raise ValueError(tr("train_test_split: {rows} rows with test_fraction={test_fraction} "
                            "leaves an empty train or test part.",
                            rows=len(X), test_fraction=test_fraction))
    order = np.random.default_rng(seed).permutation(len(X))
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]
