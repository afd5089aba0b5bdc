"""GradientDrill driven from Python: type answers, press the buttons, read colours and texts."""
import re
from html import unescape

import numpy as np
import pytest

from backprop_lab import render
from backprop_lab.practice import GradientDrill, Score
from backprop_lab.practice.drill import REVEALED_BG, RIGHT_BG, WRONG_BG


def red_texts(svg):
    return sorted(unescape(t).strip() for t in re.findall(
        r'<text[^>]*fill="' + render.GRAD_COLOR + r'"[^>]*>([^<]*)</text>', svg))


def feedback(drill, name):
    return unescape(re.sub(r"<[^>]+>", "", drill.rows[name].feedback.value))


@pytest.fixture
def score():
    return Score()


def test_right_answers_turn_green_and_count(score):
    drill = GradientDrill(level=1, seed=0, score=score)
    assert drill.circuit.formula in drill.formula.value
    assert set(drill.rows) == set(drill.circuit.names)
    assert red_texts(drill.svg) == ["1"]                 # only ∂f/∂f = 1, on the output wire
    for name, gradient in drill.circuit.answers.items():
        drill.answer(name, f"{gradient:g}")
    drill.check_button.click()
    for name in drill.rows:
        assert drill.rows[name].box.style.background == RIGHT_BG
        assert feedback(drill, name) == "✓ right"
    assert drill.solved and score.solved == 1 and score.streak == 1
    assert "All right" in drill.status.value and "solved 1 · streak 1" in drill.status.value
    drill.check()                                         # checking again counts nothing more
    assert score.solved == 1


def test_a_wrong_wire_turns_red_with_its_mistake(score):
    drill = GradientDrill(level=1, seed=2, score=score)    # f = (x + y)·z
    answers = drill.circuit.answers
    for name, gradient in answers.items():
        drill.answer(name, f"{gradient:g}")
    drill.answer("x", "1")                                # the local gradient of + alone
    verdicts = drill.check()
    assert verdicts["x"].mistake == "upstream_missing"
    assert drill.rows["x"].box.style.background == WRONG_BG
    assert feedback(drill, "x").startswith("✗ not quite — looks like the upstream gradient")
    assert all(drill.rows[n].box.style.background == RIGHT_BG for n in answers if n != "x")
    assert not drill.solved and score.solved == 0
    assert "Not all right yet" in drill.status.value
    drill.answer("x", f"{answers['x']:g}")
    drill.check()
    assert drill.solved and score.solved == 1 and score.streak == 1


def svg_texts(svg, colour):
    return sorted(unescape(t).strip() for t in re.findall(
        r'<text[^>]*fill="' + colour + r'"[^>]*>([^<]*)</text>', svg))


def test_checked_answers_are_written_on_their_wires(score):
    from backprop_lab.practice.drill import RIGHT_COLOR, WRONG_COLOR
    drill = GradientDrill(level=1, seed=2, score=score)    # f = (x + y)·z
    drill.answer("z", f"{drill.circuit.answers['z']:g}")
    drill.answer("x", "1")
    drill.check()
    assert "1 ✗" in svg_texts(drill.svg, WRONG_COLOR)
    assert f"{drill.circuit.answers['z']:g} ✓" in svg_texts(drill.svg, RIGHT_COLOR)
    drill.show_solution()                                 # the engine's numbers replace them
    assert not any("✓" in t or "✗" in t for t in re.findall(r">([^<]*)</text>", drill.svg))


def test_a_hint_shows_its_emphasis_in_italics_not_between_asterisks(score):
    drill = GradientDrill(level=1, seed=3, score=score)    # f = x·y + z
    x = drill.circuit.wire("x")
    drill.answer("x", f"{x.node.value:g}")                # the multiply gate's swap forgotten
    assert drill.check()["x"].mistake == "multiply_swap"
    shown = drill.rows["x"].feedback.value
    assert "<em>other</em>" in shown and "*" not in shown


def test_unreadable_and_empty_boxes(score):
    drill = GradientDrill(level=1, seed=0, score=score)
    first, second = drill.circuit.names[:2]
    drill.answer(first, "minus four")
    drill.check()
    assert feedback(drill, first).startswith("? I could not read 'minus four'")
    assert feedback(drill, second) == "no answer yet"
    assert not drill.solved


def test_next_step_reveals_one_gate_at_a_time_and_breaks_the_streak(score):
    score.streak = score.best = 3
    drill = GradientDrill(level=2, seed=1, score=score)  # σ(x)·z: two gates
    steps = drill.circuit.steps
    drill.step_button.click()
    assert drill.step == 1 and score.streak == 0 and score.best == 3
    assert "Step 1 of 2" in drill.explanation.value and steps[0].gate.name in drill.explanation.value
    first = {c.name for c in steps[0].node.inputs}        # the multiply gate's inputs
    for name in drill.rows:
        revealed = drill.rows[name].revealed
        assert revealed == (name in first), name
    assert drill.rows["z"].box.style.background == REVEALED_BG
    assert feedback(drill, "z").startswith("shown: ")
    assert render.HIGHLIGHT_COLOR in drill.svg and len(red_texts(drill.svg)) >= 3
    drill.next_step()
    assert drill.step == 2 and drill.step_button.disabled and drill.rows["x"].revealed
    # solving after help counts the circuit but not the streak
    for name, gradient in drill.circuit.answers.items():
        drill.answer(name, f"{gradient:g}")
    drill.check()
    assert score.solved == 1 and score.streak == 0


def test_solution_reveals_every_gradient(score):
    drill = GradientDrill(level=3, seed=0, score=score)
    drill.solution_button.click()
    assert all(row.revealed for row in drill.rows.values())
    assert drill.step_button.disabled
    assert render.HIGHLIGHT_COLOR not in drill.svg           # nothing "current" any more
    for name, gradient in drill.circuit.answers.items():
        assert f"shown: {render.format_value(gradient, 4)}" in feedback(drill, name)
    assert drill.explanation.value.count("Step ") == len(drill.circuit.steps)


def test_new_circuit_draws_another_of_the_same_level(score):
    drill = GradientDrill(level=4, seed=3, score=score)
    before = drill.circuit.formula, drill.circuit.seed
    drill.new_button.click()
    assert drill.circuit.level == 4 and (drill.circuit.formula, drill.circuit.seed) != before
    assert all(row.verdict is None for row in drill.rows.values())
    assert drill.explanation.value == "" and not drill.step_button.disabled
    drill.new_circuit(seed=3)
    assert (drill.circuit.formula, drill.circuit.seed) == before     # reproducible


def test_level_5_asks_the_shape_then_the_entries(score):
    drill = GradientDrill(level=5, seed=0, score=score)
    W = drill.circuit.wire("W")
    n, d = W.shape
    assert "W" in drill.values.value and "constant" in drill.values.value   # G in full
    drill.answer("W", f"{d}x{n + 1}")
    drill.check()
    assert drill.rows["W"].box.style.background == WRONG_BG
    assert "same shape as W" in feedback(drill, "W")
    drill.answer("W", f"{n}x{d}")
    drill.check()
    row = drill.rows["W"]
    assert row.shape_right and len(row.entries) == n * d and row.box.disabled
    assert "right shape" in feedback(drill, "W")
    wrong = W.gradient.copy()
    wrong[0, 0] -= 1
    drill.answer("W", None, entries=wrong)
    drill.check()
    colours = [e.style.background for e in row.entries]
    assert colours[0] == WRONG_BG and set(colours[1:]) <= {RIGHT_BG}
    drill.answer("W", None, entries=W.gradient)
    assert drill.check()["W"].right
    assert set(e.style.background for e in row.entries) == {RIGHT_BG}


def test_level_5_whole_circuit_by_hand(score):
    drill = GradientDrill(level=5, seed=4, score=score)
    for wire in drill.circuit.wires:
        shape = "x".join(map(str, wire.shape))
        drill.answer(wire.name, shape)
    drill.check()
    for wire in drill.circuit.wires:
        drill.answer(wire.name, None, entries=wire.gradient)
    drill.check()
    assert drill.solved and score.solved == 1


def test_session_score_is_shared_by_default():
    from backprop_lab.practice import SESSION
    a, b = GradientDrill(level=1, seed=0), GradientDrill(level=1, seed=1)
    assert a.score is SESSION and b.score is SESSION


def test_typing_into_an_unknown_wire_or_entries_too_early(score):
    drill = GradientDrill(level=5, seed=0, score=score)
    with pytest.raises(KeyError, match="its wires are"):
        drill.answer("nope", "1")
    with pytest.raises(ValueError, match="check the shape first"):
        drill.answer("W", None, entries=np.zeros(drill.circuit.wire("W").shape))


def test_bad_level_is_explained():
    with pytest.raises(ValueError, match="level must be one of"):
        GradientDrill(level=9)


def test_under_nbgrader_the_drawing_is_skipped_but_checking_works(monkeypatch, score):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    drill = GradientDrill(level=1, seed=0, score=score)
    assert drill.svg == ""
    for name, gradient in drill.circuit.answers.items():
        drill.answer(name, f"{gradient:g}")
    assert all(v.right for v in drill.check().values())


def test_asking_for_some_wires_only(score):
    drill = GradientDrill(level=1, seed=0, wires="inputs", score=score)
    leaves = [w.name for w in drill.circuit.wires if w.node.gate is None]
    assert list(drill.rows) == leaves
    for name in leaves:
        drill.answer(name, f"{drill.circuit.answers[name]:g}")
    drill.check()
    assert drill.solved and score.solved == 1
    chosen = GradientDrill(level=1, seed=0, wires=["x"], score=score)
    assert list(chosen.rows) == ["x"]
    with pytest.raises(ValueError, match="are not wires of"):
        GradientDrill(level=1, seed=0, wires=["nope"])
    with pytest.raises(ValueError, match="expected 'all', 'inputs'"):
        GradientDrill(level=1, seed=0, wires="some")
