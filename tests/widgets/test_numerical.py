"""NumericalVsAnalytic: difference errors against the engine's gradient."""
import io
import math

import numpy as np
import pytest

import backprop_lab as bl
from backprop_lab.widgets import NumericalVsAnalytic


def f(x):
    return bl.sigmoid(x) * bl.exp(x)


def pixels(png: bytes) -> np.ndarray:
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def exact(x):
    s = 1 / (1 + math.exp(-x))
    return s * (1 - s) * math.exp(x) + s * math.exp(x)


def test_analytic_gradient_and_error_orders():
    w = NumericalVsAnalytic(f, x=0.5, h=1e-3)
    e = w.estimates
    assert e["analytic"] == pytest.approx(exact(0.5), rel=1e-14)
    assert 1e-4 < e["one_sided_error"] < 1e-2          # O(h)
    assert 1e-9 < e["centered_error"] < 1e-5           # O(h^2)
    w.h_slider.value = 1e-6
    assert w.estimates["h"] == pytest.approx(1e-6)
    assert w.estimates["one_sided_error"] < 1e-5
    assert w.estimates["centered_error"] < 1e-8
    w.h_slider.value = 1e-13                            # rounding dominates
    assert w.estimates["centered_error"] > 1e-6


def test_plot_updates_in_place():
    w = NumericalVsAnalytic(f, x=0.5)
    first, renders = w.plot.value, w.plot.renders
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    w.h_slider.value = 1e-2
    assert w.plot.renders == renders + 1 and w.plot.value != first
    assert len(w.plot.figure.axes) == 1 and len(w.plot.ax.lines) == 5    # reused, no stacking
    x, y = w._centered_dot.get_data()
    assert x[0] == pytest.approx(1e-2) and y[0] == pytest.approx(w.estimates["centered_error"])


def test_h_slider_redraws_only_the_markers_and_matches_a_full_redraw():
    w = NumericalVsAnalytic(f, x=0.5)
    calls = []
    w.plot.figure.canvas.draw = lambda draw=w.plot.figure.canvas.draw: (calls.append(1), draw())
    w.h_slider.value = 1e-3
    assert calls == []                       # no full layout for an h tick
    quick = pixels(w.plot.value)
    w.plot.refresh()
    assert calls == [1] and (quick == pixels(w.plot.value)).all()


def test_x_slider_moves_the_point():
    w = NumericalVsAnalytic(f, x=0.5)
    w.x_slider.value = -1.0
    assert w.estimates["analytic"] == pytest.approx(exact(-1.0), rel=1e-14)


def test_only_the_cheap_h_slider_updates_while_dragging():
    """x recomputes both curves (132 evaluations) and redraws: it updates on release."""
    nv = NumericalVsAnalytic(lambda x: bl.sigmoid(x) * bl.exp(x), x=0.5)
    assert nv.h_slider.continuous_update is True
    assert nv.x_slider.continuous_update is False


def test_node_input_and_domain_gaps():
    x = bl.var(0.5, name="x")
    w = NumericalVsAnalytic(bl.log(x), h=1e-4)
    assert w.estimates["analytic"] == pytest.approx(2.0)
    w.h_slider.value = 1.0                              # x - h < 0: outside log's domain
    assert np.isnan(w.estimates["centered"]) and not np.isnan(w.estimates["one_sided"])


def test_errors():
    with pytest.raises(TypeError, match="exactly one input"):
        NumericalVsAnalytic(lambda x, y: x * y)
    a, b = bl.var(1.0, name="a"), bl.var(2.0, name="b")
    with pytest.raises(ValueError, match="wrt="):
        NumericalVsAnalytic(a * b)
    assert NumericalVsAnalytic(a * b, wrt="b").estimates["analytic"] == 1.0
    with pytest.raises(TypeError, match="not a Node"):
        NumericalVsAnalytic(lambda x: 3.0)


def test_x_outside_the_domain_shows_the_error_and_recovers():
    w = NumericalVsAnalytic(lambda x: bl.log(x), x=1.0)
    w.x_slider.value = -0.5
    assert w.error is not None and "Cannot evaluate" in w.readout.value
    w.h_slider.value = 1e-3                       # nothing to compute until x is valid
    w.x_slider.value = 2.0
    assert w.error is None and w.estimates["analytic"] == pytest.approx(0.5)
    assert w.estimates["h"] == pytest.approx(1e-3)
