"""GatePatterns: add distributes, max routes, multiply swaps, with the engine's numbers."""
import re
from html import unescape

from backprop_lab import render
from backprop_lab.widgets import GatePatterns


def red_texts(svg):
    return sorted(unescape(t).strip() for t in re.findall(
        r'<text[^>]*fill="' + render.GRAD_COLOR + r'"[^>]*>([^<]*)</text>', svg))


def test_three_patterns_with_default_numbers():
    p = GatePatterns(x=3.0, y=-1.0, upstream=2.0)
    assert p.gradients["add"] == {"x": 2.0, "y": 2.0}
    assert p.gradients["max"] == {"x": 2.0, "y": 0.0}
    assert p.gradients["multiply"] == {"x": -2.0, "y": 6.0}
    assert red_texts(p.circuits["add"].svg) == ["2", "2", "2"]
    assert red_texts(p.circuits["max"].svg) == ["0", "2", "2"]
    assert red_texts(p.circuits["multiply"].svg) == sorted(["2", "−2", "6"])
    assert "x is the larger input" in p.captions["max"]
    assert "2 · −1 = −2" in p.captions["multiply"]


def test_sliders_update_all_three():
    p = GatePatterns()
    p.y.value = 4.0
    assert p.gradients["max"] == {"x": 0.0, "y": 2.0}
    assert "y is the larger input" in p.captions["max"]
    p.upstream.value = -1.5
    assert p.gradients["add"] == {"x": -1.5, "y": -1.5}
    assert p.gradients["multiply"] == {"x": -6.0, "y": -4.5}
    assert red_texts(p.circuits["multiply"].svg) == sorted(["−1.5", "−6", "−4.5"])
    p.x.value = 4.0
    assert "tie" in p.captions["max"] and p.gradients["max"] == {"x": -1.5, "y": 0.0}
