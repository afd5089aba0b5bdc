"""What crosses from the student's kernel to the judge: the student's results as JSON.

Only numbers (as float64 arrays with their shape), ``None``, and the type name of anything
else — never objects, code or test inputs.
"""
from __future__ import annotations

import numpy as np

from ..graph import Node
from ..mistakes import OpaqueResult

__all__ = ["encode", "decode"]


def encode(value) -> dict:
    """One result as JSON-ready data."""
    if value is None:
        return {"kind": "none"}
    if isinstance(value, Node):
        value = value.value
    if isinstance(value, (bool, np.bool_, str, bytes)):
        return {"kind": "other", "type": type(value).__name__}
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return {"kind": "other", "type": type(value).__name__}
    return {"kind": "array", "shape": list(array.shape),
            "data": [float(v) for v in array.ravel().tolist()]}


def decode(item):
    """The value :func:`encode` described: an array, None, or an :class:`OpaqueResult`."""
    kind = item.get("kind") if isinstance(item, dict) else None
    if kind == "none":
        return None
    if kind == "array":
        try:
            data = np.array(item["data"], dtype=np.float64)
            return data.reshape(tuple(int(n) for n in item["shape"]))
        except (KeyError, TypeError, ValueError):
            return OpaqueResult("malformed array")
    return OpaqueResult(item.get("type", "?") if isinstance(item, dict) else "?")
