"""Values: what the engine computes with, how inputs are checked, and how numbers are written.

The bottom of the package: every other module imports from here; this one imports only numpy.

* A **value** is a Python float or a float64 numpy array of any shape (``shape_of`` gives
  ``()`` for a float).  :func:`as_value` turns what a user typed into one, or says clearly
  why it cannot.
* **Input checks** -- each raises an error that names who asked (``owner``), what was
  given and what was expected:
  :func:`as_value` (engine values), :func:`as_array` (finite float64 arrays for layers),
  :func:`check_int`, :func:`check_real`, :func:`check_constant` (a gate's constant),
  :func:`check_choice`, :func:`require_numbers` (gate inputs), :func:`refuse_masked`,
  :func:`is_number`, :func:`all_finite`.
* **Writing values**: :func:`format_value` is the one formatter, used by drawings, widgets,
  error messages and step-by-step explanations alike: ``−0.197``, ``[1, −2, 3]``,
  ``3×4 [−5 … 6]``.  Text meant to be copied back into Python (error messages,
  ``BackwardStep.describe()``) asks for the plain minus sign (``minus="-"``).
"""
from __future__ import annotations

import math
from numbers import Real

import numpy as np

from .i18n.messages import tr

__all__ = ["shape_of", "is_number", "all_finite", "as_value", "as_array", "check_dout",
           "check_int", "check_real", "check_constant", "check_choice", "require_numbers",
           "refuse_masked", "format_value"]


# ------------------------------------------------------------------------- values
def shape_of(value) -> tuple:
    """Shape of a float (``()``) or of an array."""
    return value.shape if isinstance(value, np.ndarray) else ()


def is_number(value) -> bool:
    """A real number that is not a bool: int, float or a numpy integer/floating scalar."""
    if type(value) is float or type(value) is int:     # the common cases, without the ABC
        return True                                    # test (a bool's type is bool, not int)
    return isinstance(value, Real) and not isinstance(value, (bool, np.bool_))


def all_finite(value) -> bool:
    """True when a number, or every entry of an array, is finite (no NaN, no ±inf).

    One vectorized pass, then the "and" of its answers straight from numpy's C ufunc
    (``np.all`` goes through Python first, which costs more than the test on small arrays)."""
    if type(value) is float:
        return math.isfinite(value)
    return bool(np.logical_and.reduce(np.isfinite(value), axis=None))


def _float64_copy(value, owner: str, what: str | None = None) -> np.ndarray:
    """``value`` as a new float64 array, or a TypeError naming ``owner``: as_value's wording
    ("expected a number or a numpy array of numbers") when ``what`` is None, as_array's
    ("<what> must be a numpy array of numbers") otherwise."""
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        hint = (tr(" (True/False are not numbers here: write 1.0 or 0.0)")
                if isinstance(value, (bool, np.bool_)) else "")
        fields = dict(owner=owner, what=what, kind=type(value).__name__, value=value, hint=hint)
        raise TypeError(tr("{owner}: expected a number or a numpy array of numbers, got {kind} "
                           "{value!r}{hint}.", **fields) if what is None else
                        tr("{owner}: {what} must be a numpy array of numbers, got {kind} "
                           "{value!r}{hint}.", **fields))
    if type(value) is np.ndarray and value.dtype == np.float64:
        return value.copy()               # already float64: nothing to convert or refuse
    refuse_masked(value, owner)
    try:
        array = np.asarray(value)
    except Exception:  # ragged lists and the like
        array = None
    if array is not None and array.dtype == object:
        try:                          # Python ints beyond float64 (10**400) end up here
            return array.astype(np.float64)
        except OverflowError:
            raise ValueError(tr("{owner}: expected a number or a numpy array: a value is too "
                                "large for float64 (about ±1.8e308 at most).", owner=owner)
                             if what is None else
                             tr("{owner}: {what} must be a numpy array: a value is too large "
                                "for float64 (about ±1.8e308 at most).", owner=owner, what=what)
                             ) from None
        except (TypeError, ValueError):
            pass
    if array is None or not (np.issubdtype(array.dtype, np.integer)
                             or np.issubdtype(array.dtype, np.floating)):
        kind = type(value).__name__ if array is None else \
            tr("{kind} of dtype {dtype}", kind=type(value).__name__, dtype=array.dtype)
        raise TypeError(tr("{owner}: expected a number or a numpy array of real numbers, got "
                           "{kind}.", owner=owner, kind=kind) if what is None else
                        tr("{owner}: {what} must be a numpy array of real numbers, got {kind}.",
                           owner=owner, what=what, kind=kind))
    return array.astype(np.float64, copy=True)


def as_value(value, what: str = "var()"):
    """A number or array-like as the engine's value type: a float, or a float64 array.

    Errors start with ``what`` (e.g. ``"var('x')"``): bools, strings, None, Nodes, non-real
    dtypes, NaN and inf are refused.
    """
    if type(value) is float:                      # the common case, without numpy
        if not math.isfinite(value):
            raise ValueError(tr("{what}: value must be finite; got {value}.", what=what,
                                value=value))
        return value
    if hasattr(value, "gate") and hasattr(value, "inputs"):       # a graph Node
        raise TypeError(tr("{what}: expected a number or a numpy array, got a Node ({node!r}); "
                           "use the node directly in your expression.", what=what, node=value))
    if is_number(value):
        return _finite_float(value, what, "value")
    array = _float64_copy(value, what)
    if not all_finite(array):
        raise ValueError(tr("{what}: all values must be finite; got NaN or inf in an array of "
                            "shape {shape}.", what=what, shape=array.shape))
    return float(array) if array.ndim == 0 else array


def as_array(value, owner: str, what: str, copy: bool = False, ndim: int | None = None,
             shape: str = "") -> np.ndarray:
    """``value`` as a finite float64 array, or a clear error naming ``owner`` and ``what``.

    ``copy=True`` always returns a new array (for parameters: a layer updates them in
    place, so it must own them).  ``ndim``: the number of axes it must have, ``shape`` the
    words that say which (e.g. ``"(N, C, H, W)"``).
    """
    if type(value) is np.ndarray and value.dtype == np.float64:
        array = value.copy() if copy else value
    else:
        array = _float64_copy(value, owner, what)
    if not all_finite(array):
        raise ValueError(tr("{owner}: {what} contains NaN or inf (shape {shape}); every value "
                            "must be finite.", owner=owner, what=what, shape=array.shape))
    if ndim is not None and array.ndim != ndim:
        raise ValueError(tr("{owner}: {what} must have shape {expected}; got shape {shape}.",
                            owner=owner, what=what, expected=shape, shape=array.shape))
    return array


def check_dout(owner: str, dout, out_shape: tuple | None) -> np.ndarray:
    """A layer's upstream gradient: a finite array with the shape of the layer's output
    (``out_shape`` is None before forward has run: that is an error too)."""
    if (type(dout) is np.ndarray and dout.dtype == np.float64 and dout.shape == out_shape
            and all_finite(dout)):
        return dout                   # what layers pass each other: every check passed at once
    if out_shape is None:
        raise ValueError(tr("{owner}.backward() was called before forward(): call forward(x) "
                            "first so the layer can cache its input.", owner=owner))
    dout = as_array(dout, owner, tr("dout (the upstream gradient)"))
    if dout.shape != out_shape:
        raise ValueError(tr("{owner}.backward: dout has shape {shape} but forward returned shape "
                            "{out_shape}; the upstream gradient must have the output's shape.",
                            owner=owner, shape=dout.shape, out_shape=out_shape))
    return dout


def check_int(owner: str, name: str, value, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum``, or a ValueError naming the owner and the value.

    Python and numpy integers pass; bools, floats (even 2.0) and strings do not.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(tr("{owner}: {name} must be an integer >= {minimum}, got {value!r}.",
                            owner=owner, name=name, minimum=minimum, value=value))
    return int(value)


def check_real(owner: str, name: str, value, allow_zero: bool = False) -> float:
    """``value`` as a finite float > 0 (``allow_zero=True``: >= 0), or a ValueError naming
    the owner and the value (learning rates, clipping thresholds, noise levels ...)."""
    if not is_number(value) or not math.isfinite(value) or value < 0 \
            or (value == 0 and not allow_zero):
        raise ValueError(
            tr("{owner}: {name} must be a finite number >= 0, got {value!r}.", owner=owner,
               name=name, value=value) if allow_zero else
            tr("{owner}: {name} must be a positive finite number, got {value!r}.", owner=owner,
               name=name, value=value))
    return float(value)


def check_constant(owner: str, name: str, value) -> float:
    """A gate's constant (``x + c``, ``a * x``, ``x ** p``): a finite real number, not a
    bool, as a float -- or a clear error naming the owner and the value."""
    if not is_number(value):
        fields = dict(owner=owner, name=_term(name), kind=type(value).__name__, value=value)
        raise TypeError(tr("{owner}: {name} must be a number, got {kind} {value!r} (True/False "
                           "are not numbers here).", **fields)
                        if isinstance(value, (bool, np.bool_)) else
                        tr("{owner}: {name} must be a number, got {kind} {value!r}.", **fields))
    return _finite_float(value, owner, name)


def _finite_float(value, owner: str, name: str) -> float:
    """A real number as a finite float, or a ValueError "<owner>: <name> ..." (inf, NaN, or
    too large for float64, e.g. the int 10**400)."""
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(tr("{owner}: {name} is too large for float64 (about ±1.8e308 at most); "
                            "got an integer of {digits} digits.", owner=owner, name=_term(name),
                            digits=len(str(abs(int(value)))))) from None
    if not math.isfinite(number):
        raise ValueError(tr("{owner}: {name} must be finite; got {number}.", owner=owner,
                            name=_term(name), number=number))
    return number


def _term(name: str) -> str:
    """The words an error uses for a checked value (``"the factor a"``, the names the gates
    give their constants), in the notebook's language; other names are code and stay."""
    terms = {"value": tr("value"), "the constant c": tr("the constant c"),
             "the factor a": tr("the factor a"), "the exponent p": tr("the exponent p")}
    return terms.get(name, name)


def check_choice(owner: str, name: str, value, choices) -> str:
    """``value`` if it is one of ``choices``, else a ValueError listing them."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(tr("{owner}: unknown {name} {value!r}; choose one of {choices}.",
                            owner=owner, name=name, value=value, choices=list(choices)))
    return value


def require_numbers(owner: str, *values) -> None:
    """Gate inputs are floats or numpy arrays: a Python list would concatenate or repeat."""
    for value in values:
        if type(value) is not float and (isinstance(value, bool) or not isinstance(
                value, (float, int, np.ndarray, np.floating, np.integer))):
            raise TypeError(tr("{owner}: inputs must be numbers or numpy arrays, got {kind}; "
                               "convert it with np.asarray(...).", owner=owner,
                               kind=type(value).__name__))
        refuse_masked(value, owner)


def refuse_masked(value, owner: str) -> None:
    """A numpy masked array would lose its mask in every computation (the masked values
    would be used silently): a TypeError saying what to do instead."""
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(tr("{owner}: masked arrays are not supported (the engine would ignore "
                           "the mask and use the hidden values); pass value.filled(fill) or "
                           "value.compressed() instead.", owner=owner))


# ----------------------------------------------------------------- writing values
def format_value(value, precision: int = 3, minus: str = "−") -> str:
    """A short text for a number or an array, with ``precision`` significant digits.

    ``−0.197``, ``3``, ``1.2e+03``; arrays of up to four elements are listed
    (``[1, −2, 3]``), larger ones show shape and range (``3×4 [−1.2 … 2.1]``); ``None``
    gives ``""``.  ``minus="-"`` writes the plain minus sign instead of the typographic
    one (for text a student may copy back into Python).
    """
    if value is None:
        return ""
    if isinstance(value, np.ndarray):
        if value.size == 1:
            return _number(float(value.reshape(())), precision, minus)
        if value.ndim == 1 and value.size <= 4:
            return "[" + ", ".join(_number(float(v), precision, minus) for v in value) + "]"
        shape = "×".join(str(n) for n in value.shape)
        if value.size == 0:
            return f"{shape} (empty)"
        return (f"{shape} [{_number(float(value.min()), precision, minus)} … "
                f"{_number(float(value.max()), precision, minus)}]")
    return _number(float(value), precision, minus)


def _number(x: float, precision: int, minus: str) -> str:
    if x == 0:
        return "0"                     # also turns -0.0 into 0
    text = f"{x:.{precision}g}"
    return minus + text[1:] if text.startswith("-") else text
