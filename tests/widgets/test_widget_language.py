"""Every widget of backprop_lab.widgets speaks the notebook's language (issue 16): made after
``bl.set_language("zh")`` its buttons, slider labels, legends, captions, readouts and plot
texts are Chinese; made in an English notebook they are exactly what they were before the
translation (``english_texts.json``, recorded from the untranslated widgets)."""
from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import matplotlib
import pytest

from backprop_lab import i18n
from visible_text import SCENARIOS, scenario_texts, visible_texts

ENGLISH = Path(__file__).with_name("english_texts.json")
CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z]{3,}")
MATH = re.compile(r"\$[^$]*\$")        # matplotlib mathtext: $\|\partial L / \partial h\|$
# Words a Chinese widget may show as they are: names from the student's code and Python
# (gate classes, activation names the student passes as activation="tanh", functions) and
# the acronym of the course glossary's term 循环神经网络 (none of them prose).
CODE_WORDS = {"tanh", "sigmoid", "relu", "identity", "exp", "log", "max"}
GATE_CLASS = re.compile(r"^[A-Z][A-Za-z]*Gate$")


@pytest.fixture(autouse=True)
def english_afterwards():
    """The Chinese font goes into matplotlib's rcParams only inside the test (rc_context)."""
    with matplotlib.rc_context():
        yield
    i18n.messages.use("en")


def english_words(text: str) -> list[str]:
    return [word for word in WORD.findall(MATH.sub("", text))
            if word not in CODE_WORDS and not GATE_CLASS.match(word)]


def engine_message(widget) -> str:
    """The engine's own error a widget passes on (``widget.error``): the gates' messages are
    the engine's (not the widgets') and stay English for now."""
    return getattr(widget, "error", None) or ""


def test_english_widgets_are_byte_identical_to_before_the_translation():
    recorded = json.loads(ENGLISH.read_text(encoding="utf-8"))
    assert list(recorded) == list(SCENARIOS)
    now = scenario_texts()
    for name in SCENARIOS:
        assert now[name] == recorded[name], name


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_chinese_widgets_show_no_english_text(scenario):
    """Each text a student reads holds Chinese unless it is only symbols and numbers
    (x, ∂f/∂x, −12, ρ = 1.5 ...), and no English word is left in any of them.  Drawing the
    Chinese plot texts needs no glyph that the course's CJK font lacks."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        i18n.set_language("zh")
        widget = SCENARIOS[scenario]()
        texts = visible_texts(widget)
    problems = []
    for path, text in texts:
        shown = text.replace(engine_message(widget), "")
        words = english_words(shown)
        if words and not CJK.search(shown):
            problems.append(f"{path}: no Chinese in {text!r}")
        elif words:
            problems.append(f"{path}: English words {words} in {text!r}")
    assert not problems, "\n".join(problems)
    assert sum(bool(CJK.search(text)) for _, text in texts) >= 2, texts
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert not missing, missing


def test_the_language_is_read_when_the_widget_is_made_and_each_widget_keeps_its_own():
    """A widget made in Chinese stays Chinese after the notebook switches back (its labels
    are set when it is built; later updates use the language of the moment)."""
    from backprop_lab.widgets import GatePatterns, NeuronTrainer

    i18n.set_language("zh")
    chinese = NeuronTrainer(show_circuit=False)
    i18n.set_language("en")
    english = NeuronTrainer(show_circuit=False)
    assert chinese.step_button.description == "一步（更新 1 次）"
    assert english.step_button.description == "Step (1 update)"
    assert chinese.plot.ax.get_xlabel() == "更新次数" and english.plot.ax.get_xlabel() == "update"
    patterns = GatePatterns()
    assert patterns.upstream.description == "upstream"
    assert "receives all of the upstream" in patterns.captions["max"]
    with i18n.language("zh"):
        patterns.y.value = 4.0
    assert "y 是较大的输入" in patterns.captions["max"]


def test_the_english_record_covers_every_widget():
    from backprop_lab import widgets
    shown = {path.split("/")[1].split("[")[0] for rows in
             json.loads(ENGLISH.read_text(encoding="utf-8")).values() for path, _ in rows}
    made = {name for name in widgets.__all__ if name[0].isupper()} - {"CircuitView", "FigureView"}
    assert made <= shown, made - shown
