"""backprop_lab: learn backpropagation by building, drawing and poking computational graphs.

    import backprop_lab as bl
    x, y, z = bl.var(-2.0, name="x"), bl.var(5.0, name="y"), bl.var(-4.0, name="z")
    f = (x + y) * z
    f.backward()
    x.grad, y.grad, z.grad        # (-4.0, -4.0, 3.0)
    bl.draw(f)                    # the circuit, values in green, gradients in red

Submodules are imported on first use (``bl.layers``, ``bl.draw``, ``bl.widgets`` ...), so
``import backprop_lab`` stays fast and does not load matplotlib or ipywidgets.
"""
import importlib

from . import gates
from .graph import (BackwardStep, Graph, Node, constant, exp, log, maximum, relu, sigmoid,
                    tanh, topological_order, var)

__version__ = "0.1.0"

_SUBMODULES = {"values", "gradcheck", "layers", "datasets", "modes", "render", "render_graphviz",
               "widgets", "conv", "rnn", "rnn_experiments", "practice", "grading", "i18n"}
_FROM_SUBMODULE = {"draw": "render", "render_svg": "render",
                   "numerical_gradient": "gradcheck", "rel_error": "gradcheck",
                   "set_language": "i18n", "get_language": "i18n"}

__all__ = ["gates", "var", "constant", "Node", "Graph", "BackwardStep", "topological_order",
           "sigmoid", "tanh", "relu", "exp", "log", "maximum",
           *sorted(_SUBMODULES), *sorted(_FROM_SUBMODULE)]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _FROM_SUBMODULE:
        module = importlib.import_module(f".{_FROM_SUBMODULE[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'backprop_lab' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
