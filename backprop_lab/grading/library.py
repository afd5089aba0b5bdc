"""The library is not an answer: backprop_lab's own reference code handed in scores 0.

The package holds a reference for most exercises (``bl.gates.MultiplyGate``,
``bl.layers.Affine``, ``bl.gradcheck.numerical_gradient``, ``bl.graph.Node`` ...).  Handing
one in — directly, by subclassing it and inheriting a graded method, or by copying one of
its methods into a class — is not a solution.  It is detected by where the code was
compiled (``co_filename`` inside this package); the abstract bases the exercises build on
(``Gate``, ``ElementwiseGate``, ``Layer``) stay allowed.  A hand-written function that merely
*calls* a reference is not detected here.
"""
from __future__ import annotations

import os

from ..i18n.messages import tr
from .task import LIBRARY_METHODS

__all__ = ["library_reference"]

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALLOWED_BASES = {("gates.py", "Gate"), ("gates.py", "ElementwiseGate"), ("layers.py", "Layer")}


def _code_of(obj):
    """The code object behind a function, method, partial, static/class method, or None."""
    for _ in range(10):                     # unwrap a few layers, never loop forever
        if isinstance(obj, (staticmethod, classmethod)) or hasattr(obj, "__func__"):
            obj = obj.__func__
        elif hasattr(obj, "func") and callable(getattr(obj, "func")):    # functools.partial
            obj = obj.func
        elif hasattr(obj, "__wrapped__"):
            obj = obj.__wrapped__
        else:
            break
    code = getattr(obj, "__code__", None)
    return code if hasattr(code, "co_filename") else None


def _library_code(code) -> str | None:
    """``'backprop_lab.<module>.<qualname>'`` when ``code`` was compiled from this package
    (and is not a method of an allowed base class), else None."""
    if code is None:
        return None
    filename = os.path.abspath(str(code.co_filename))
    try:
        inside = os.path.commonpath([filename, PACKAGE_DIR]) == PACKAGE_DIR
    except ValueError:                      # another drive (Windows)
        inside = False
    if not inside:
        return None
    relative = os.path.relpath(filename, PACKAGE_DIR).replace(os.sep, "/")
    qualname = getattr(code, "co_qualname", code.co_name)
    owner = qualname.rsplit(".", 1)[0] if "." in qualname else ""
    if (relative, owner) in ALLOWED_BASES:
        return None
    module = relative[:-3].replace("/", ".") if relative.endswith(".py") else relative
    return f"backprop_lab.{module}.{qualname}"


def library_reference(name: str, obj, methods=LIBRARY_METHODS) -> str | None:
    """A message when the student's ``obj`` is, or inherits one of ``methods`` from,
    backprop_lab's own code; None for the student's own code."""
    if isinstance(obj, type):
        for method in methods:
            owner = next((k for k in obj.__mro__ if method in vars(k)), None)
            if owner is None or owner is object:
                continue
            found = _library_code(_code_of(vars(owner)[method]))
            if found:
                return tr("{name}.{method} is backprop_lab's own {found}: the exercise is to "
                          "write it yourself, so this part scores 0. Subclass only the `Gate` "
                          "base class (or nothing) and write the methods in your own code.",
                          name=name, method=method, found=found)
        return None
    code = _code_of(obj)
    if code is None and callable(obj):
        return library_reference(name, type(obj), methods)          # a callable object
    found = _library_code(code)
    if found:
        return tr("{name} is backprop_lab's own {found}: the exercise is to write it "
                  "yourself, so this part scores 0.", name=name, found=found)
    return None
