"""Interactive widgets (ipywidgets 8) that make every idea of backprop something to poke.

    from backprop_lab.widgets import GraphExplorer
    GraphExplorer(lambda x, y, z: (x + y) * z, x=-2, y=5, z=-4)

* :class:`GraphExplorer` -- sliders for the inputs of an expression or function; the
  circuit, output and gradients update live.
* :class:`BackwardStepper` -- Step / Back / Play through backward, one gate at a time.
* :class:`GatePatterns` -- add distributes, max routes, multiply swaps, side by side.
* :class:`NumericalVsAnalytic` -- finite-difference error against the engine's gradient
  as h slides (log-log plot).
* :class:`NeuronTrainer` -- gradient descent on CS231n's sigmoid neuron, one click per
  update, loss plotted.
* :class:`RNNGradientExplorer` -- exploding and vanishing gradients through time.

Every widget runs the engine (``Graph.forward``, ``Graph.backward``,
``Graph.backward_steps``) and never its own backprop.

Every word a widget shows -- button and slider labels, legends, captions, plot titles and
axes, and its input errors -- is in the notebook's language: ``bl.set_language("zh")`` in the
first cell and the widgets made afterwards speak Chinese (labels are set when a widget is
made; captions follow the language of the moment).  Widget authors pass each sentence through
``backprop_lab.i18n.messages.tr`` and add its Chinese to ``backprop_lab/i18n/zh.py``;
``tests/widgets/test_widget_language.py`` finds English left in a Chinese widget.

For widget authors (``from backprop_lab.widgets.base import ...``):

* ``under_nbgrader()`` -- True while nbgrader validates or autogrades a notebook (it sets
  ``NBGRADER_EXECUTION``).  Skip drawing then, still compute the numbers tests check.
  ``@skip_when_grading`` makes a method a no-op in that case.
* ``CircuitView`` -- an ``ipywidgets.HTML``; ``view.show(graph, **draw_options)`` draws the
  circuit as inline SVG (``view.svg`` holds it), and skips the drawing under nbgrader.
* ``FigureView`` -- an ``ipywidgets.Image`` owning one matplotlib ``figure``/``ax`` (Agg,
  no pyplot); change the artists, then ``view.refresh()`` re-renders the PNG in place
  (no stacking of figures, works headless and without ipympl; skipped under nbgrader).
* ``number_rows(rows)`` / ``message_html(text, error=False)`` -- small HTML readouts.

Names are imported on first use, so ``import backprop_lab.widgets`` stays light.
"""
import importlib

_EXPORTS = {
    "GraphExplorer": "explorer",
    "BackwardStepper": "stepper",
    "GatePatterns": "patterns",
    "NumericalVsAnalytic": "numerical",
    "NeuronTrainer": "neuron",
    "RNNGradientExplorer": "rnn_explorer",
    "under_nbgrader": "base",
    "skip_when_grading": "base",
    "CircuitView": "base",
    "FigureView": "base",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'backprop_lab.widgets' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
