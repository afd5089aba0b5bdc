"""BackwardStepper: buttons and Play move through the engine's backward steps."""
import re
from html import unescape

import pytest

import backprop_lab as bl
from backprop_lab import render
from backprop_lab.widgets import BackwardStepper


def red_texts(svg):
    return sorted(unescape(t).strip() for t in re.findall(
        r'<text[^>]*fill="' + render.GRAD_COLOR + r'"[^>]*>([^<]*)</text>', svg))


def seed_circuit():
    x, y, z = bl.var(-2.0, name="x"), bl.var(5.0, name="y"), bl.var(-4.0, name="z")
    return ((x + y).named("q") * z).named("f")


def test_steps_through_the_seed_circuit_with_buttons():
    s = BackwardStepper(seed_circuit())
    assert len(s.steps) == 2 and s.position == 0
    assert "seed" in s.text and red_texts(s.svg) == ["1"]
    assert s.back_button.disabled and not s.step_button.disabled
    s.step_button.click()                  # a button press runs its on_click handlers
    assert s.position == 1
    assert "MultiplyGate" in s.text and "q: upstream · y = 1 × -4 = -4" in s.text
    assert red_texts(s.svg) == sorted(["1", "−4", "3"])
    assert render.HIGHLIGHT_COLOR in s.svg
    s.step_button.click()
    assert s.position == 2 and s.step_button.disabled
    assert "AddGate" in s.text and "Done" in s.text
    assert red_texts(s.svg) == sorted(["1", "−4", "3", "−4", "−4"])
    s.back_button.click()
    assert s.position == 1 and red_texts(s.svg) == sorted(["1", "−4", "3"])
    s.reset_button.click()
    assert s.position == 0 and red_texts(s.svg) == ["1"]


def test_fan_out_step_says_plus_equals():
    x = bl.var(3.0, name="x")
    f = (x * x + x).named("f")          # x feeds two gates (and × twice)
    s = BackwardStepper(f)
    texts = []
    for _ in s.steps:
        s.step()
        texts.append(s.text)
    assert any("+= from another branch" in t for t in texts)
    assert bl.Graph(f).leaf("x").grad == 7.0                       # 2x + 1
    assert "∂/∂x = 7" in s.text


def test_play_widget_drives_the_position():
    s = BackwardStepper(seed_circuit(), interval_ms=500)
    assert s.play.max == 2 and s.play.interval == 500
    s.play.value = 2                       # what the Play button does each tick
    assert s.position == 2 and "Done" in s.text


def test_each_position_is_drawn_once(monkeypatch):
    s = BackwardStepper(seed_circuit())
    calls = []
    original = render.render_svg
    monkeypatch.setattr(render, "render_svg", lambda *a, **k: calls.append(1) or original(*a, **k))
    s.step(); s.back(); s.step(); s.step(); s.back()
    assert len(calls) == 2                  # positions 1 and 2; position 0 drawn at start


def test_array_seed_and_errors():
    w = bl.var([1.0, 2.0], name="w")
    s = BackwardStepper(w * 3.0, seed=[1.0, -1.0])
    s.step()
    assert bl.Graph(s.graph.output).leaf("w").grad.tolist() == [3.0, -3.0]
    with pytest.raises(TypeError, match="Node or a Graph"):
        BackwardStepper("f")
