"""Compare a student's value with the right one, and recognise the mistake behind a wrong one.

One implementation for every place that checks a student: the autograded test cells
(:mod:`backprop_lab.grading`) and the gradient drills of the lessons (``backprop_lab.practice``).
It sits below both in the layering and imports only numpy and the graph's ``Node``::

    compare("dx", got, expected)                 # None when right, else a message
    compare("dW", got, expected, mistakes=[upstream_not_multiplied("dW = xᵀ · dout", x.T @ ones)])
    # -> "dW: wrong at index (1, 2): expected 0.5, got -0.5. Hint: the sign is flipped: ..."

A value is right when every entry satisfies ``|got - expected| <= ATOL + rtol (|got| + |expected|)``
(``RTOL`` = 1e-6 by default).  A wrong value is explained, in this order, by

1. its **shape** (:func:`shape_hint`): a missing transpose, a gradient not summed over the
   batch (or summed where every example needs its own), a number expected;
2. the **known mistakes** the caller lists: ``(hint, wrong value)`` pairs, the value that
   mistake would produce (:func:`recognise`); helpers build the common ones —
   :func:`upstream_not_multiplied`, :func:`branches_overwritten` (``=`` instead of ``+=`` at
   fan-out);
3. **generic** relations to the right value (:func:`generic_hint`): all zeros, the sign
   flipped, a factor equal to the batch size of a mean loss, a factor of 2 or ½.

The message names one wrong entry (index, expected, got), never the whole right answer.
"""
from __future__ import annotations

import numpy as np

from .graph import Node

__all__ = ["RTOL", "ATOL", "OpaqueResult", "as_array", "close", "all_close", "format_number",
           "compare", "shape_hint", "generic_hint", "recognise", "upstream_not_multiplied",
           "branches_overwritten", "subset_sums"]

RTOL = 1e-6
ATOL = 1e-8


class OpaqueResult:
    """A non-numeric result known only by the name of its type (e.g. what a student returned,
    after crossing a process boundary); :func:`compare` reports it as that type."""

    def __init__(self, type_name: str):
        self.type_name = str(type_name)

    def __repr__(self) -> str:
        return f"OpaqueResult({self.type_name!r})"


def as_array(value) -> np.ndarray | None:
    """``value`` as a float64 array (a number gives shape ``()``), or None when it is not
    numeric (None, bool, text, objects).  An engine :class:`~backprop_lab.graph.Node` counts
    as its value."""
    if isinstance(value, Node):
        value = value.value
    if isinstance(value, (bool, np.bool_, str, bytes, OpaqueResult)) or value is None:
        return None
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def close(got: np.ndarray, expected: np.ndarray, rtol: float = RTOL) -> np.ndarray:
    """Entry-wise ``|got - expected| <= ATOL + rtol (|got| + |expected|)`` (NaN is never close)."""
    with np.errstate(all="ignore"):
        return np.abs(got - expected) <= ATOL + rtol * (np.abs(got) + np.abs(expected))


def all_close(got, expected, rtol: float = RTOL) -> bool:
    """True when both are numeric, of one shape, and :func:`close` everywhere."""
    got, expected = as_array(got), as_array(expected)
    if got is None or expected is None or got.shape != expected.shape:
        return False
    return bool(np.all(close(got, expected, rtol)))


def format_number(value: float) -> str:
    """How a number appears in a message: 6 significant digits (``0.5``, ``-12``, ``1.5e-07``)."""
    return f"{value:.6g}"


# ---------------------------------------------------------------- the recognisers
def shape_hint(got: tuple, expected: tuple, label: str = "it") -> str:
    """Why a result of shape ``got`` may have come out instead of ``expected``."""
    got, expected = tuple(got), tuple(expected)
    if len(got) == 2 and got == expected[::-1]:
        return "did you forget a transpose (or put the factors of the product in the wrong order)?"
    if len(got) == len(expected) + 1 and got[1:] == expected:
        return ("it is not summed over the batch: a parameter is shared by every example, so "
                "its gradient adds up the contributions of all rows (sum over axis 0).")
    if len(got) + 1 == len(expected) and expected[1:] == got:
        return "it looks summed over the batch, but every example (row) needs its own gradient here."
    if expected == () and got != ():
        return f"{label} should be a single number."
    return ("the gradient of a value always has the shape of that value; check which arrays "
            "you multiplied.")


def generic_hint(got: np.ndarray, expected: np.ndarray, batch: int | None = None) -> str | None:
    """A hint from how ``got`` relates to ``expected`` as a whole (same shape): all zeros,
    the sign flipped, ×N or ÷N with ``batch`` = N the batch size of a *mean* loss, ×2 or ×½.
    None when no such relation holds."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if expected.size == 0 or not np.any(expected):
        return None
    if not np.any(got):
        return "it is all zeros: did you return the value you computed (or overwrite it with zeros)?"
    if np.all(close(got, -expected)):
        return "the sign is flipped: check the sign of the local gradient."
    if batch and batch > 1:           # before the factor-2 hints: the batch may be 2
        if np.all(close(got, batch * expected)):
            return (f"it is {batch}× too large — exactly the batch size: the loss is a mean "
                    f"over the {batch} examples, so its gradient carries a 1/{batch}.")
        if np.all(close(got, expected / batch)):
            return (f"it is {batch}× too small — exactly the batch size: a parameter's "
                    f"gradient sums over the examples (or the 1/{batch} of a mean loss is "
                    f"applied twice).")
    if np.all(close(got, 2.0 * expected)):
        return "it is exactly twice the right value: is a contribution counted twice, or a factor 2 too many?"
    if np.all(close(got, 0.5 * expected)):
        return "it is exactly half the right value: is a factor 2 (e.g. from x²) missing?"
    return None


def recognise(got, mistakes, rtol: float = RTOL) -> str | None:
    """The hint of the first ``(hint, wrong value)`` in ``mistakes`` that ``got`` equals."""
    for hint, wrong in mistakes:
        if all_close(got, wrong, rtol):
            return hint
    return None


def upstream_not_multiplied(rule: str, local_gradient, upstream: str = "") -> tuple[str, object]:
    """The known mistake "the local gradient was returned without the upstream factor":
    ``(hint, local_gradient)``.  ``rule`` is the right formula (``"dx = upstream · y"``),
    ``upstream`` the upstream gradient's name when it has one (``"dout"``)."""
    name = f" ({upstream})" if upstream else ""
    return (f"looks like the upstream gradient{name} was not multiplied in ({rule}).", local_gradient)


def subset_sums(parts: list) -> list:
    """Sums of every non-empty proper subset of ``parts``."""
    n = len(parts)
    return [sum(p for k, p in enumerate(parts) if mask >> k & 1) for mask in range(1, 2 ** n - 1)]


def branches_overwritten(parts: list, hint: str) -> list[tuple[str, object]]:
    """A value used by several gates gets the *sum* of their gradients (``+=``).  Given the
    contribution of each use, the known mistakes are the sums of every proper subset (some
    branches overwritten, ``=`` instead of ``+=``, or lost): ``[(hint, wrong value), ...]``."""
    return [(hint, value) for value in subset_sums(list(parts))]


# ---------------------------------------------------------------- the comparison
def compare(label: str, got, expected, *, mistakes=(), batch: int | None = None,
            rtol: float = RTOL) -> str | None:
    """None when ``got`` matches ``expected``; else one message for the student.

    ``mistakes``: ``(hint, wrong value)`` pairs — if ``got`` equals a known wrong value, its
    hint is given (before the generic hints).  ``batch``: the batch size of a mean loss, to
    recognise the 1/N mistakes.  The message names one wrong entry (index, expected, got),
    the one with the largest relative error, never the whole array.
    """
    expected = np.asarray(expected, dtype=np.float64)
    if got is None:
        return f"{label}: got None — did you forget to `return` it (or to store it on the object)?"
    array = as_array(got)
    if array is None:
        kind = got.type_name if isinstance(got, OpaqueResult) else type(got).__name__
        return f"{label}: expected a number or a numpy array, got {kind}."
    if array.shape != expected.shape:
        return (f"{label}: shape {array.shape} should be {expected.shape}: "
                + shape_hint(array.shape, expected.shape, label))
    if not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        where = f" at index {tuple(int(i) for i in bad)}" if array.ndim else ""
        return (f"{label}: contains NaN or inf{where}. An overflow? (e.g. exp of a large "
                f"number: subtract the maximum first.)")
    ok = close(array, expected, rtol)
    if np.all(ok):
        return None
    hint = recognise(array, mistakes, rtol) or generic_hint(array, expected, batch)
    if array.ndim == 0:
        message = (f"{label}: expected {format_number(float(expected))}, "
                   f"got {format_number(float(array))}.")
    else:
        # per entry, to name the worst index (gradcheck.rel_error is the same formula but
        # returns only the maximum, not where it is)
        with np.errstate(all="ignore"):
            err = np.abs(array - expected) / np.maximum(1e-8, np.abs(array) + np.abs(expected))
        index = np.unravel_index(int(np.argmax(np.where(ok, -1.0, err))), array.shape)
        index = tuple(int(i) for i in index)
        wrong = int(np.size(ok) - np.count_nonzero(ok))
        message = (f"{label}: wrong at index {index}: expected "
                   f"{format_number(float(expected[index]))}, got "
                   f"{format_number(float(array[index]))} ({wrong} of {array.size} entries differ).")
    return message + (f" Hint: {hint}" if hint else "")
