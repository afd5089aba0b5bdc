"""backprop_lab.mistakes: one comparison and the hints recognised from a wrong value.

Shared by the autograded test cells (grading) and the lessons' drills (practice).
"""
from __future__ import annotations

import re

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import backprop_lab as bl
from backprop_lab.mistakes import (OpaqueResult, as_array, branches_overwritten, compare,
                                   generic_hint, recognise, shape_hint, upstream_not_multiplied)


def test_equal_values_pass():
    assert compare("dx", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12])) is None
    assert compare("f", 0.5, 0.5) is None


def test_wrong_entry_message_names_the_index_expected_and_got():
    expected = np.arange(12.0).reshape(3, 4)
    got = expected.copy()
    got[1, 2] = 99.0
    msg = compare("dW", got, expected)
    assert "dW: wrong at index (1, 2): expected 6, got 99 (1 of 12 entries differ)." in msg


def test_message_never_prints_the_whole_reference():
    rng = np.random.default_rng(0)
    expected = rng.normal(size=(10, 10))
    msg = compare("dW", rng.normal(size=(10, 10)), expected)
    numbers = re.findall(r"-?\d+\.\d+", msg)
    assert len(numbers) <= 2


@pytest.mark.parametrize("got_shape, expected_shape, words", [
    ((3, 2), (2, 3), "shape (3, 2) should be (2, 3): did you forget a transpose"),
    ((5, 4), (4,), "not summed over the batch"),
    ((4,), (5, 4), "summed over the batch, but every example"),
    ((2, 2), (), "should be a single number"),
])
def test_shape_hints(got_shape, expected_shape, words):
    assert words in compare("g", np.ones(got_shape), np.ones(expected_shape))


@pytest.mark.parametrize("factor, words", [
    (-1.0, "the sign is flipped"),
    (2.0, "exactly twice"),
    (0.5, "exactly half"),
    (0.0, "all zeros"),
    (8.0, "8× too large — exactly the batch size"),
    (1 / 8, "8× too small"),
])
def test_value_hints(factor, words):
    expected = np.random.default_rng(1).normal(size=(8, 3))
    assert words in compare("dscores", factor * expected, expected, batch=8)


shapes = st.lists(st.integers(1, 5), min_size=0, max_size=3).map(tuple)
finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@given(hnp.arrays(np.float64, shapes, elements=finite))
def test_any_array_matches_itself(expected):
    assert compare("x", expected.copy(), expected) is None


@given(hnp.arrays(np.float64, shapes, elements=st.floats(0.1, 10) | st.floats(-10, -0.1)),
       st.sampled_from([-1.0, 2.0, 0.5, 1.01, 0.0]))
def test_any_scaled_array_is_reported_at_a_real_index(expected, factor):
    msg = compare("x", factor * expected, expected)
    assert msg is not None
    if expected.ndim:
        index = tuple(int(i) for i in re.search(r"index \(([\d, ]*)\)", msg).group(1)
                      .replace(" ", "").split(",") if i)
        assert np.all(np.array(index) < np.array(expected.shape))


@given(st.integers(1, 6), st.integers(1, 6))
def test_any_transposed_matrix_gets_the_transpose_hint(n, m):
    assume(n != m)
    msg = compare("dW", np.ones((m, n)), np.ones((n, m)))
    assert f"shape ({m}, {n}) should be ({n}, {m}): did you forget a transpose" in msg


def test_known_mistake_hint_wins_over_generic_hints():
    expected = np.array([1.0, 2.0])
    msg = compare("dx", np.array([3.0, 4.0]), expected,
                  mistakes=[("forgot upstream", np.array([3.0, 4.0]))])
    assert msg.endswith("Hint: forgot upstream")


@pytest.mark.parametrize("got, words", [
    (None, "got None — did you forget to `return` it"),
    ("abc", "expected a number or a numpy array, got str"),
    (np.array([1.0, np.nan]), "contains NaN or inf at index (1,)"),
])
def test_bad_results(got, words):
    assert words in compare("dx", got, np.array([1.0, 2.0]))


def test_an_opaque_result_is_reported_by_its_type_name():
    assert compare("dx", OpaqueResult("Fake"), np.ones(2)) == (
        "dx: expected a number or a numpy array, got Fake.")


def test_a_node_counts_as_its_value():
    assert compare("f", bl.var(2.0) * 3.0, 6.0) is None
    np.testing.assert_array_equal(as_array(bl.var(np.ones(3))), np.ones(3))
    assert as_array(True) is None and as_array("1.0") is None


def test_upstream_not_multiplied_is_a_known_mistake():
    y, up = np.array([1.0, -2.0]), np.array([3.0, 0.5])
    mistake = upstream_not_multiplied("dx = upstream · y", y)
    msg = compare("dx", y, up * y, mistakes=[mistake])
    assert msg.endswith("Hint: looks like the upstream gradient was not multiplied in "
                        "(dx = upstream · y).")
    assert "the upstream gradient (dout) was" in upstream_not_multiplied("r", y, "dout")[0]


@given(st.lists(st.floats(-5, 5).filter(lambda v: abs(v) > 0.1), min_size=2, max_size=4))
def test_every_lost_branch_is_recognised_and_the_full_sum_is_not(parts):
    """``=`` instead of ``+=`` at fan-out keeps only some branches: each such sum gets the hint."""
    assume(all(abs(sum(parts) - s) > 1e-3 for s in
               [sum(p for k, p in enumerate(parts) if m >> k & 1) for m in range(1, 2 ** len(parts) - 1)]))
    known = branches_overwritten(parts, "use +=")
    assert len(known) == 2 ** len(parts) - 2
    for k in range(len(parts)):
        assert recognise(parts[k], known) == "use +="
    assert recognise(sum(parts), known) is None


def test_generic_hints_need_a_relation_to_the_whole_value():
    expected = np.array([1.0, -2.0, 3.0])
    assert generic_hint(np.array([1.0, 2.0, 3.0]), expected) is None       # one sign only
    assert generic_hint(np.zeros(3), np.zeros(3)) is None                   # nothing to relate to
    assert "sign is flipped" in generic_hint(-expected, expected)
    assert shape_hint((2, 2), (), "f") == "f should be a single number."
