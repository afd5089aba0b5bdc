"""RNNGradientExplorer driven from Python: set .value, the numbers and the picture change."""
import math

import numpy as np
import pytest

from backprop_lab import rnn
from backprop_lab.widgets import RNNGradientExplorer
from backprop_lab.rnn_experiments import verdict

PNG = b"\x89PNG\r\n\x1a\n"


def test_starts_with_a_plot_and_the_linear_rate():
    w = RNNGradientExplorer(rho=1.05, steps=30)
    assert w.plot.value[:8] == PNG and w.plot.renders == 1
    assert w.curves.fitted_rate == pytest.approx(1.05, rel=1e-9)
    np.testing.assert_allclose(w.curves.norms, 1.05 ** np.arange(31), rtol=1e-9)
    assert "1.05" in w.readout.value and w.curves.verdict == "stable"


def test_sliders_change_numbers_plot_and_text():
    w = RNNGradientExplorer(rho=1.0, steps=40)
    first_png, first_text = w.plot.value, w.readout.value
    w.rho_slider.value = 1.3
    assert w.curves.verdict == "exploding"
    assert w.curves.norms[-1] == pytest.approx(1.3 ** 40, rel=1e-9)
    assert w.plot.value != first_png and w.readout.value != first_text
    assert w.plot.renders == 2
    measured = w.plot.ax.get_lines()[0].get_ydata()
    np.testing.assert_allclose(measured, w.curves.norms)         # the plot shows them
    w.steps_slider.value = 10
    assert len(w.curves.norms) == 11
    assert len(w.plot.ax.get_lines()[0].get_ydata()) == 11
    w.rho_slider.value = 0.6
    assert w.curves.verdict == "vanishing"
    assert len(w.plot.figure.axes) == 1 and len(w.plot.ax.get_lines()) == 2   # no stacking


def test_redraw_replaces_the_curves_without_rebuilding_the_axes():
    """ax.clear() rebuilt every tick at each update (the larger part of its cost)."""
    e = RNNGradientExplorer(rho=2.0)
    tick = e.plot.ax.xaxis.get_major_ticks()[0]
    e.rho_slider.value = 0.5
    assert e.plot.ax.xaxis.get_major_ticks()[0] is tick
    assert len(e.plot.ax.lines) == 2 and e.plot.ax.get_legend() is not None
    low, high = e.plot.ax.get_ylim()         # limits follow the new curves (0.5^40 ~ 1e-12)
    assert high < 10 and low < 1e-11
    assert {line.get_color() for line in e.plot.ax.lines} == {e.plot.ax.lines[0].get_color()}


def test_activation_switches_to_the_bound():
    w = RNNGradientExplorer(rho=0.9, steps=30)
    w.activation_dropdown.value = "tanh"
    n = w.curves
    assert n.activation == "tanh" and "bound" in n.theory_label
    assert n.rate == pytest.approx(0.9, rel=1e-12)                # γ s₁ with γ = 1, s₁ = ρ
    assert np.all(n.norms <= n.theory * (1 + 1e-9))
    w.activation_dropdown.value = "sigmoid"
    assert w.curves.rate == pytest.approx(0.25 * 0.9, rel=1e-12)
    assert "bound γ s₁" in w.readout.value


def test_clipping_caps_the_parameter_gradient_and_scales_every_step():
    w = RNNGradientExplorer(rho=1.3, steps=40, max_norm=1.0)
    assert w.max_norm_slider.disabled and w.curves.clip_factor is None
    w.clip_checkbox.value = True
    n = w.curves
    assert not w.max_norm_slider.disabled
    assert n.parameter_norm * n.clip_factor == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(n.clipped, n.norms * n.clip_factor)
    assert len(w.plot.ax.get_lines()) == 3 and "after clipping" in w.readout.value
    w.max_norm_slider.value = 10.0
    assert w.curves.parameter_norm * w.curves.clip_factor == pytest.approx(10.0,
                                                                                   rel=1e-9)


def test_under_nbgrader_numbers_without_drawing(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    w = RNNGradientExplorer(rho=1.2, steps=20)
    assert w.plot.renders == 0 and w.plot.value == b""
    assert w.curves.fitted_rate == pytest.approx(1.2, rel=1e-9)
    w.rho_slider.value = 0.5
    assert w.plot.renders == 0 and w.curves.verdict == "vanishing"


def test_verdict_thresholds():
    assert verdict(1.1, 40) == "exploding"
    assert verdict(0.9, 40) == "vanishing"
    assert verdict(1.0, 40) == "stable" and verdict(0.0, 5) == "vanishing"
    assert verdict(math.exp(math.log(10) / 40) * 0.999, 40) == "stable"


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        RNNGradientExplorer(activation="gelu")
    with pytest.raises(ValueError, match=r"steps must lie in \[2, 100\]"):
        RNNGradientExplorer(steps=500)
    for rho in (-1.0, 0.05, math.nan, math.inf, "1"):     # 0.05: the slider starts at 0.1
        with pytest.raises(ValueError, match=r"rho must be a finite number from 0.1 to 4"):
            RNNGradientExplorer(rho=rho)
    with pytest.raises(ValueError, match="unknown kind"):
        RNNGradientExplorer(kind="diagonal")
    with pytest.raises(ValueError, match="max_norm must be a finite number from 0.001 to 1000"):
        RNNGradientExplorer(max_norm=0.0)
    assert rnn.ACTIVATIONS        # the dropdown offers every activation of the module
    assert list(RNNGradientExplorer().activation_dropdown.options) == list(rnn.ACTIVATIONS)
