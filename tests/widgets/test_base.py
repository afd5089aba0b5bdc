"""Shared widget pieces: the nbgrader switch, CircuitView, FigureView, lazy exports."""
import pytest

import backprop_lab as bl
from backprop_lab import widgets as bw
from backprop_lab.widgets.base import (CircuitView, FigureView, message_html, number_rows,
                                       skip_when_grading, under_nbgrader)


def circuit():
    x, y = bl.var(3.0, name="x"), bl.var(-1.0, name="y")
    return (x * y).named("f")


def test_under_nbgrader_follows_the_variable(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert under_nbgrader() is False
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    assert under_nbgrader() is True

    calls = []

    @skip_when_grading
    def draw_something(value):
        calls.append(value)
        return value
    assert draw_something(1) is None and calls == []
    monkeypatch.delenv("NBGRADER_EXECUTION")
    assert draw_something(2) == 2 and calls == [2]


def test_circuit_view_draws_inline_svg():
    view = CircuitView()
    view.show(circuit(), grads=False)
    assert view.svg.startswith("<svg") and view.svg[4:] in view.value
    assert ">×<" in view.svg


def test_figure_view_refreshes_one_png_in_place():
    view = FigureView(figsize=(2, 2))
    (line,) = view.ax.plot([0, 1], [0, 1])
    view.refresh()
    first = view.value
    line.set_ydata([1, 0])
    view.refresh()
    assert view.renders == 2 and view.value != first and view.value[:4] == b"\x89PNG"
    assert len(view.figure.axes) == 1


def test_figure_view_has_fixed_margins_not_a_layout_engine():
    """Constrained layout re-measures every text at each refresh (twice the cost)."""
    view = FigureView(figsize=(5.0, 2.5), margins=(1.0, 0.25, 0.5, 0.5))
    assert view.figure.get_layout_engine() is None
    left, bottom, width, height = view.ax.get_position().bounds
    assert (left, bottom) == pytest.approx((0.2, 0.2))
    assert (left + width, bottom + height) == pytest.approx((0.95, 0.8))
    with pytest.raises(ValueError, match="margins"):
        FigureView(figsize=(1.0, 1.0), margins=(0.6, 0.5, 0.1, 0.1))


def pixels(png: bytes):
    import io

    import numpy as np
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_refresh_of_moving_artists_only_gives_the_full_picture():
    view = FigureView(figsize=(3, 2))
    view.ax.plot([0, 1, 2], [0, 1, 4])
    view.ax.set_title("a curve and a marker")
    (marker,) = view.ax.plot([1], [1], "o", color="red")
    view.set_moving(marker)
    view.refresh()
    before = pixels(view.value)
    marker.set_data([2], [4])
    view.refresh(moving_only=True)           # pasted on the saved background
    quick = pixels(view.value)
    view.refresh()                           # everything laid out again
    assert view.renders == 3
    assert (quick == pixels(view.value)).all() and not (quick == before).all()


def test_every_plotting_widget_uses_the_shared_fixed_margins():
    for widget in (bw.NumericalVsAnalytic(lambda x: bl.exp(x)), bw.NeuronTrainer(),
                   bw.RNNGradientExplorer()):
        assert widget.plot.figure.get_layout_engine() is None, type(widget).__name__
        assert widget.plot.value[:4] == b"\x89PNG"


def test_every_widget_computes_but_does_not_draw_under_nbgrader(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    stepper = bw.BackwardStepper(circuit())
    stepper.step()
    assert stepper.svg == "" and "MultiplyGate" in stepper.text
    patterns = bw.GatePatterns()
    assert patterns.gradients["multiply"] == {"x": -2.0, "y": 6.0}
    assert all(view.svg == "" for view in patterns.circuits.values())
    numerical = bw.NumericalVsAnalytic(lambda x: x * x, x=3.0, h=1e-4)
    assert numerical.estimates["analytic"] == 6.0 and numerical.plot.renders == 0
    trainer = bw.NeuronTrainer()
    trainer.step(2)
    assert len(trainer.history) == 3 and trainer.plot.renders == 0 and trainer.circuit.svg == ""


def test_readout_helpers_escape():
    assert "&lt;b&gt;" in number_rows([("<b>", 1)])
    assert "&lt;" in message_html("a < b", error=True)


def test_lazy_exports():
    assert bw.GraphExplorer.__name__ == "GraphExplorer"
    assert bw.under_nbgrader is under_nbgrader
    assert "RNNGradientExplorer" in dir(bw)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        bw.Nope


def test_circuit_view_fits_small_circuits_and_scrolls_big_ones():
    small = CircuitView()
    small.show(circuit())
    assert "max-width:100%;height:auto" in small.value
    h = bl.var(0.1, name="x")
    for _ in range(40):
        h = bl.tanh(h) * 1.5
    big = CircuitView()
    big.show(h)
    assert "height:auto" not in big.value and "overflow-x:auto" in big.value
    forced = CircuitView(fit=True)
    forced.show(h)
    assert "height:auto" in forced.value
