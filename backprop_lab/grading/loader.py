"""Load the whole ``grading`` subpackage again, privately, from its files.

The hidden section of every test cell does not trust anything the student's kernel can
have replaced by assignment — not ``grading``, not ``backprop_lab.grading`` or its
submodules' attributes, not ``sys.modules["backprop_lab.grading..."]``.  It finds the
installed package with the import system's finders (which skip ``sys.modules``), executes
*this file* into a new module, and calls :func:`load_private`: every module of the
subpackage is executed again from its file under a new, unpredictable package name
(``backprop_lab._grading_private_<random>``), so nothing the notebook reassigned earlier
is reachable from the copy.  The engine modules (``backprop_lab.graph`` ...) are shared
with the kernel: the student's code runs with them.

This file must stay importable on its own (no relative imports): the notebooks execute it
directly.
"""
import importlib.util
import os
import secrets
import sys

__all__ = ["GRADING_DIR", "load_private"]

GRADING_DIR = os.path.dirname(os.path.abspath(__file__))


def load_private(directory: str = GRADING_DIR):
    """A new private copy of the grading subpackage in ``directory`` (its ``__init__`` and,
    through it, every submodule), executed from the files."""
    name = f"backprop_lab._grading_private_{secrets.token_hex(8)}"
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(directory, "__init__.py"), submodule_search_locations=[directory])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module       # relative imports inside the copy resolve through it
    try:
        spec.loader.exec_module(module)
    except BaseException:
        for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            del sys.modules[key]
        raise
    return module
