"""NeuronTrainer: one click = one gradient-descent update of seed 001's neuron."""
import math

import pytest

from backprop_lab.widgets import NeuronTrainer
from backprop_lab.widgets.neuron import neuron_loss_graph


def test_starts_at_the_seed_neuron():
    t = NeuronTrainer()
    assert t.output == pytest.approx(0.7310585786300049, abs=1e-15)   # seed 001: 0.73
    s = t.output
    # dL/dw = 2(f - t)·σ'·x with σ' = f(1-f) = 0.19661...
    ddot = 2 * (s - 1.0) * s * (1 - s)
    assert t.gradients["w0"] == pytest.approx(ddot * -1.0, rel=1e-12)
    assert t.gradients["w1"] == pytest.approx(ddot * -2.0, rel=1e-12)
    assert t.gradients["w2"] == pytest.approx(ddot, rel=1e-12)
    assert t.history == [pytest.approx((s - 1.0) ** 2)]
    assert "σ" in t.circuit.svg


def test_one_click_is_one_update_and_loss_falls():
    t = NeuronTrainer(learning_rate=1.0)
    w_before, g = t.weights, dict(t.gradients)
    png = t.plot.value
    t.step_button.click()
    assert len(t.history) == 2
    for name in ("w0", "w1", "w2"):
        assert t.weights[name] == pytest.approx(w_before[name] - 1.0 * g[name], rel=1e-15)
    assert t.history[1] < t.history[0]
    assert t.plot.value != png and len(t.plot.ax.lines) == 1
    t.ten_button.click()
    assert len(t.history) == 12 and t.history[-1] < t.history[1]
    assert all(b <= a for a, b in zip(t.history, t.history[1:]))


def test_reset_and_target():
    t = NeuronTrainer()
    t.step(3)
    t.reset_button.click()
    assert len(t.history) == 1 and t.weights == {"w0": 2.0, "w1": -3.0, "w2": -3.0}
    t.target.value = 0.0
    assert t.loss == pytest.approx(0.7310585786300049 ** 2)
    t.lr.value = 10.0
    t.step(30)
    assert t.output < 0.2


def test_target_slider_resets_on_release_not_while_dragging():
    """A new target restarts training: dragging must not wipe the loss curve per tick."""
    trainer = NeuronTrainer()
    assert trainer.target.continuous_update is False


def test_bad_shapes():
    with pytest.raises(ValueError, match="3 weights and 2 inputs"):
        neuron_loss_graph(w=(1.0, 2.0), x=(1.0, 2.0))
    assert math.isclose(neuron_loss_graph(target=0.731).forward(), (0.7310585786300049 - 0.731) ** 2)
