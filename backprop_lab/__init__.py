"""backprop_lab: learn backpropagation by building, drawing and poking computational graphs.

    import backprop_lab as bl
    x, y, z = bl.var(-2.0, name="x"), bl.var(5.0, name="y"), bl.var(-4.0, name="z")
    f = (x + y) * z
    f.backward()
    x.grad, y.grad, z.grad        # (-4.0, -4.0, 3.0)
    bl.draw(f)                    # the circuit, values in green, gradients in red
"""
from . import gates
from .graph import (BackwardStep, Graph, Node, constant, exp, log, maximum, relu, sigmoid,
                    tanh, topological_order, var)

__version__ = "0.1.0"

__all__ = ["gates", "var", "constant", "Node", "Graph", "BackwardStep", "topological_order",
           "sigmoid", "tanh", "relu", "exp", "log", "maximum"]
