"""Data and plain forward passes the problem sets share with their tasks."""
from __future__ import annotations

import numpy as np

__all__ = ["spiral_split", "xor_blobs", "conv2d_valid"]


def spiral_split(seed: int = 7):
    """The data of the training task of problem set 3: 3-class spirals, 75 % train /
    25 % test (``X_train, y_train, X_test, y_test``)."""
    from ..datasets import spirals, train_test_split
    X, y = spirals(n_per_class=100, n_classes=3, noise=0.2, seed=seed)
    return train_test_split(X, y, test_fraction=0.25, seed=seed)


def xor_blobs(seed: int, n_per_blob: int = 6):
    """The data of the MLP task of problem set 2: XOR-like points in 2-D — four Gaussian blobs
    on the axes at distance 2, opposite blobs share a label (0 or 1), so no line separates
    the classes.  ``(X, y)`` with X (4·n_per_blob, 2) and integer labels y."""
    from ..datasets import blobs
    X, labels = blobs(n_per_class=n_per_blob, n_classes=4, spread=0.45, seed=seed)
    return X, (labels % 2).astype(np.int64)


def conv2d_valid(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """out[i, j] = Σ_ab x[i+a, j+b] · w[a, b]: the package's one 'valid' cross-correlation
    (``conv.correlate2d_valid``, stride 1).  Only the *forward* pass is shared with the
    course's engine; the reference gradients of the conv tasks are centered differences of
    it, independent of the package's conv backward."""
    from ..conv import correlate2d_valid
    return correlate2d_valid(x, w)
