"""Odd values typed into widgets: each is refused with a clear error that names the widget,
the slider, the value and what was expected, and leaves the widget as it was.

(A slider silently clamps what it gets: FloatSlider(value=100, max=5) shows 5, and before
these checks GraphExplorer.set(x=inf) widened its slider to infinity.)
"""
import math

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import backprop_lab as bl
from backprop_lab import i18n
from backprop_lab.widgets import (GatePatterns, GraphExplorer, NeuronTrainer,
                                  NumericalVsAnalytic, RNNGradientExplorer)
from backprop_lab.widgets import base, explorer as explorer_module


@pytest.fixture(autouse=True)
def matplotlib_settings_restored():
    """The Chinese cases add the CJK font to rcParams: only for the test that asks."""
    with matplotlib.rc_context():
        yield


def product_explorer(**options):
    return GraphExplorer(lambda x, y: x * y, x=1.0, y=2.0, **options)


def state(e: GraphExplorer) -> dict:
    """Everything a bad call must leave unchanged."""
    return {"controls": {name: (c.value, getattr(c, "min", None), getattr(c, "max", None))
                         for name, c in e.controls.items()},
            "value": e.value, "gradients": dict(e.gradients), "svg": e.svg,
            "status": e.status.value}


# ------------------------------------------------------------------ slider specs
@pytest.mark.parametrize("step", [0, 0.0, -0.1, math.nan, math.inf, "0.1", True, None])
def test_bad_steps_are_refused(step):
    with pytest.raises(ValueError, match=r"GraphExplorer: step must be a positive finite "
                                         r"number, got " + repr(step).replace("(", r"\(")):
        product_explorer(step=step)


@pytest.mark.parametrize("bounds", [("a", "b"), (0.0, 1.0, 2.0), (1.0,), (3.0, 1.0),
                                    (1.0, 1.0), (0.0, math.inf), (math.nan, 1.0), "ab",
                                    5.0, None, (True, 3.0)])
def test_bad_ranges_are_refused(bounds):
    with pytest.raises(ValueError, match=r"GraphExplorer: the range of 'x' must be two finite "
                                         r"numbers \(min, max\) with min < max, got "):
        product_explorer(ranges={"x": bounds})


def test_ranges_must_name_inputs_and_be_a_dict():
    with pytest.raises(ValueError, match=r"ranges names \['z'\].*inputs are \['x', 'y'\]"):
        product_explorer(ranges={"z": (0.0, 1.0)})
    with pytest.raises(TypeError, match="ranges must be a dict"):
        product_explorer(ranges=[(0.0, 1.0)])


def test_a_step_wider_than_the_range_is_refused():
    with pytest.raises(ValueError, match="step 5.0 is larger than the range of 'x'"):
        product_explorer(ranges={"x": (0.0, 2.0)}, step=5.0)


# ------------------------------------------------------------------ set(...)
@settings(max_examples=40, deadline=None)
@given(value=st.one_of(st.floats(allow_nan=True, allow_infinity=True).filter(
    lambda v: not (-5.0 <= v <= 5.0)), st.text(max_size=3), st.none(), st.booleans()))
def test_set_refuses_what_the_slider_cannot_hold_and_changes_nothing(value):
    e = product_explorer()
    before = state(e)
    with pytest.raises(ValueError, match=r"GraphExplorer.set: x must be a finite number from "
                                         r"-5 to 5 \(the slider's range\), got "):
        e.set(x=value)
    assert state(e) == before


def test_a_bad_value_among_good_ones_moves_no_slider():
    e = product_explorer()
    before = state(e)
    with pytest.raises(ValueError, match="y must be a finite number"):
        e.set(x=2.0, y=math.inf)
    assert state(e) == before
    e.set(x=2.0, y=3.0)
    assert e.value == 6.0 and e.controls["x"].max == 5.0


@settings(max_examples=30, deadline=None)
@given(value=st.floats(-5.0, 5.0))
def test_set_inside_the_range_updates(value):
    e = product_explorer()
    e.set(x=value)
    assert e.value == value * 2.0 and e.gradients["x"] == 2.0


def array_explorer():
    w = bl.var(np.array([1.0, 2.0, 3.0]), name="w")
    return GraphExplorer((w * 2.0).sum().named("f"))


@pytest.mark.parametrize("value, message", [
    (np.zeros(3_000_000), r"w expects an array of shape \(3,\), got shape \(3000000,\)"),
    ([1.0, 2.0], r"w expects an array of shape \(3,\), got shape \(2,\)"),
    ([1.0, math.nan, 2.0], r"w must hold finite numbers, got \[1.0, nan, 2.0\]"),
    ([1.0, math.inf, 2.0], r"w must hold finite numbers"),
    (["a", "b", "c"], r"w expects numbers"),
])
def test_set_refuses_bad_arrays(value, message):
    e = array_explorer()
    before = state(e)
    with pytest.raises(ValueError, match="GraphExplorer.set: " + message):
        e.set(w=value)
    assert state(e) == before


def test_a_huge_text_is_refused_by_its_size_before_parsing(monkeypatch):
    """3 million numbers typed (or pasted) into a text box for 3: refused at once, without
    parsing them (that took 22 s before)."""
    e = array_explorer()
    good_svg = e.svg

    def no_parsing(text):
        raise AssertionError("the text was parsed")
    monkeypatch.setattr(explorer_module.ast, "literal_eval", no_parsing)
    e.controls["w"].value = "[" + "0.0, " * 3_000_000 + "]"
    assert "w expects an array of shape (3,) (3 numbers), but the text is 15,000,002 " \
           "characters long" in e.error
    assert "Cannot evaluate" in e.status.value and e.svg == good_svg
    monkeypatch.undo()
    e.controls["w"].value = "[0.5, 1e-300, -2.25]"           # long numbers still fit
    assert e.error is None and e.gradients["w"].tolist() == [2.0, 2.0, 2.0]


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
def test_any_array_of_the_right_shape_fits_the_text_size_limit(shape):
    """The size check never refuses a real array: the longest float64 texts fit."""
    array = np.full(shape, -1.2345678901234567e-300)
    text = repr(array.tolist())
    base.check_text_size("GraphExplorer", "w", text, shape)


# ------------------------------------------------------------------ NumericalVsAnalytic
def test_x_where_the_gradient_overflows_the_plot_is_refused():
    """log at x = 1e-300: f' = 1e300; this crashed inside matplotlib (OverflowError)."""
    with pytest.raises(ValueError, match=r"NumericalVsAnalytic: at x = 1e-300, f = -691 and "
                                         r"f' = 1e\+300; beyond ±1e\+100"):
        NumericalVsAnalytic(bl.log, x=1e-300)
    widget = NumericalVsAnalytic(bl.log, x=1e-50)             # large but plottable
    assert widget.estimates["analytic"] == pytest.approx(1e50)


@pytest.mark.parametrize("h", [1e300, 10.0, 1e-14, 0.0, -1e-5, math.nan, math.inf, "1e-5"])
def test_h_outside_the_slider_is_refused_not_clamped(h):
    with pytest.raises(ValueError, match=r"NumericalVsAnalytic: h must be a finite number "
                                         r"from 1e-13 to 1 \(the slider's range\), got "):
        NumericalVsAnalytic(bl.sigmoid, x=0.5, h=h)


@pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf, "1", True])
def test_x_must_be_finite(x):
    with pytest.raises(ValueError, match="NumericalVsAnalytic: x must be a finite number"):
        NumericalVsAnalytic(bl.sigmoid, x=x)


def test_x_range_is_checked():
    with pytest.raises(ValueError, match="the range of 'x' must be two finite numbers"):
        NumericalVsAnalytic(bl.sigmoid, x=0.5, x_range=("a", "b"))
    with pytest.raises(ValueError, match=r"x must be a finite number from 1 to 2"):
        NumericalVsAnalytic(bl.sigmoid, x=0.5, x_range=(1.0, 2.0))


def test_h_inside_the_range_is_kept_exactly():
    widget = NumericalVsAnalytic(bl.sigmoid, x=0.5, h=1e-13)
    assert widget.h_slider.value == pytest.approx(1e-13)


# ------------------------------------------------------------------ the other widgets
@pytest.mark.parametrize("name, value", [("x", 100.0), ("y", math.nan), ("upstream", -6.0)])
def test_gate_patterns_refuses_values_its_sliders_would_clamp(name, value):
    with pytest.raises(ValueError, match=f"GatePatterns: {name} must be a finite number "
                                         f"from -5 to 5"):
        GatePatterns(**{name: value})


@pytest.mark.parametrize("options, message", [
    ({"learning_rate": 100.0}, "learning_rate must be a finite number from 0.01 to 31.6"),
    ({"learning_rate": 0.0}, "learning_rate must be"),
    ({"target": 1.5}, "target must be a finite number from 0 to 1"),
    ({"target": math.nan}, "target must be"),
])
def test_neuron_trainer_refuses_values_its_sliders_would_clamp(options, message):
    with pytest.raises(ValueError, match="NeuronTrainer: " + message):
        NeuronTrainer(**options)


# ------------------------------------------------------------------ both languages
def huge_text(e):
    e.controls["w"].value = "[" + "0.0, " * 100_000 + "]"
    return e.error


@pytest.mark.parametrize("call, english, chinese", [
    (lambda: product_explorer(step=0),
     "GraphExplorer: step must be a positive finite number, got 0.",
     "GraphExplorer：step 必须是有限的正数，实际得到 0。"),
    (lambda: product_explorer(ranges={"x": ("a", "b")}),
     "GraphExplorer: the range of 'x' must be two finite numbers (min, max) with min < max, "
     "got ('a', 'b').",
     "GraphExplorer：'x' 的范围必须是两个有限的数 (min, max)，且 min < max，实际得到 ('a', 'b')。"),
    (lambda: product_explorer().set(x=math.inf),
     "GraphExplorer.set: x must be a finite number from -5 to 5 (the slider's range), got inf.",
     "GraphExplorer.set：x 必须是 -5 到 5 之间的有限数（滑块的范围），实际得到 inf。"),
    (lambda: array_explorer().set(w=[1.0, 2.0]),
     "GraphExplorer.set: w expects an array of shape (3,), got shape (2,).",
     "GraphExplorer.set：w 需要形状为 (3,) 的数组，实际得到的形状是 (2,)。"),
    (lambda: NumericalVsAnalytic(bl.sigmoid, x=0.5, h=1e300),
     "NumericalVsAnalytic: h must be a finite number from 1e-13 to 1 (the slider's range), "
     "got 1e+300.",
     "NumericalVsAnalytic：h 必须是 1e-13 到 1 之间的有限数（滑块的范围），实际得到 1e+300。"),
    (lambda: NumericalVsAnalytic(bl.log, x=1e-300),
     "NumericalVsAnalytic: at x = 1e-300, f = -691 and f' = 1e+300; beyond ±1e+100 finite "
     "differences with h from 1e-13 to 1 have nothing meaningful to show: choose an x where f "
     "and its gradient are smaller.",
     "NumericalVsAnalytic：在 x = 1e-300 处，f = -691，f' = 1e+300；超过 ±1e+100 时，h 从 1e-13 到 1 "
     "的有限差分显示不出任何有意义的结果：请换一个 f 和它的梯度都更小的 x。"),
    (lambda: NumericalVsAnalytic(bl.sigmoid, x=math.nan),
     "NumericalVsAnalytic: x must be a finite number, got nan.",
     "NumericalVsAnalytic：x 必须是有限的数，实际得到 nan。"),
    (lambda: RNNGradientExplorer(activation="softplus"),
     "RNNGradientExplorer: unknown activation 'softplus'; choose one of "
     "['tanh', 'sigmoid', 'relu', 'identity'].",
     "RNNGradientExplorer：未知的 activation 'softplus'；请从 ['tanh', 'sigmoid', 'relu', "
     "'identity'] 中选择一个。"),
])
def test_errors_name_the_widget_the_value_and_the_expectation_in_both_languages(call, english,
                                                                                chinese):
    with pytest.raises(ValueError) as raised:
        call()
    assert str(raised.value) == english
    with i18n.language("zh"), pytest.raises(ValueError) as raised:
        call()
    assert str(raised.value) == chinese


def test_a_huge_text_is_refused_in_the_notebook_language():
    """The refusal shows under the widget (status line) in the language of the notebook."""
    e = array_explorer()
    assert huge_text(e).startswith("GraphExplorer: w expects an array of shape (3,) (3 numbers), "
                                   "but the text is 500,002 characters long")
    with i18n.language("zh"):
        e = array_explorer()
        assert huge_text(e) == ("GraphExplorer：w 需要一个形状为 (3,) 的数组（3 个数），但输入的文本有 "
                                "500,002 个字符（超过 168）；请输入 3 个数。")
        assert "此处无法求值：GraphExplorer：w 需要" in e.status.value
