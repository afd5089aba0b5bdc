"""backprop_lab.values: the finiteness test every layer runs on what it is given."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from backprop_lab.values import all_finite


@pytest.mark.parametrize("value, finite", [
    (1.5, True), (math.inf, False), (math.nan, False), (3, True), (np.float64(2.0), True),
    (np.float64(np.nan), False), (np.zeros(0), True), (np.array(7.0), True),
    (np.array(-np.inf), False), (np.array([1e200, -1e300]), True),     # huge is finite
    (np.array([1e200, np.nan]), False), (np.array([[1e308, 1.0], [-np.inf, 0.0]]), False),
    (np.arange(6), True), (np.array([1.0, np.inf], dtype=np.float32), False),
    (np.array([3e38, 1.0], dtype=np.float32), True),
])
def test_all_finite_cases(value, finite):
    assert all_finite(value) is finite


def test_all_finite_on_a_strided_view():
    a = np.ones((6, 8))
    a[1, 3] = np.nan
    assert all_finite(a[::2, ::2]) and all_finite(a.T[::3]) is False
    assert not all_finite(a[1::2, 1::2])


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=6),
                  elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_all_finite_agrees_with_numpy_entry_by_entry(array):
    expected = bool(np.isfinite(array).all())
    assert all_finite(array) is expected
    assert all_finite(np.asfortranarray(array)) is expected
