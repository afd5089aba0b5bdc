"""ask / choose: predict-then-check questions, driven from Python as a test (or a student) would."""
import subprocess
import sys

import numpy as np
import pytest

import backprop_lab as bl
from backprop_lab.practice import (QUESTIONS, ask, choose, decode, encode, gradient,
                                   self_check)
from backprop_lab.practice.questions import RIGHT_BG, WRONG_BG


@pytest.fixture(autouse=True)
def fresh_registry():
    saved = list(QUESTIONS)
    QUESTIONS.clear()
    yield
    QUESTIONS[:] = saved


def seed_circuit():
    x, y, z = bl.var(-2.0, name="x"), bl.var(5.0, name="y"), bl.var(-4.0, name="z")
    q = (x + y).named("q")
    return x, y, z, q, (q * z).named("f")


def test_gradient_question_is_answered_by_the_engine_with_the_drills_hints():
    x, y, z, q, f = seed_circuit()
    question = ask(r"What is $\partial f/\partial x$?", gradient(f, x))
    assert x.grad is None                            # nothing computed before the check
    assert question.show_button.disabled
    v = question.submit("1")
    assert v.status == "wrong" and v.mistake == "upstream_missing"
    assert "not multiplied in" in question.feedback.value
    assert question.input.style.background == WRONG_BG
    assert not question.show_button.disabled         # Show answer after a try
    assert question.submit("4").mistake == "sign"
    v = question.submit("−4")
    assert v.status == "right" and question.input.style.background == RIGHT_BG
    assert "✓ right" in question.feedback.value
    assert question.show_answer() == "−4" and "answer: −4" in question.feedback.value
    assert question.tries == 3
    zq = ask("And $\\partial f/\\partial z$?", gradient(f, z))
    assert zq.submit("-4").mistake == "multiply_swap"       # z's own value... times 1
    assert zq.submit("3").status == "right"


def test_an_unnamed_output_is_called_f_in_the_hints():
    x, y = bl.var(4.0, name="x"), bl.var(-3.0, name="y")
    question = ask("?", gradient(x * y, x))
    v = question.submit("4")                         # x's own value: the swap forgotten
    assert v.mistake == "multiply_swap"
    assert "∂f/∂x is the <em>other</em> input" in question.feedback.value


def test_encoded_answers_number_shape_array():
    code = encode(-0.25)
    assert code.startswith("bl1:") and "0.25" not in code
    assert decode(code) == -0.25
    number = ask("a number", code, hint="think of σ(1 − σ)")
    assert number.kind == "number"
    assert number.submit("-1/4").status == "right"
    assert number.submit("-0.252").status == "right"         # within the tolerance
    assert number.submit("-0.26").status == "wrong"
    assert number.submit("0.3").hint == "think of σ(1 − σ)"
    shape = ask("the shape of dW", encode((2, 3)))
    assert shape.kind == "shape" and shape.submit("(2, 3)").status == "right"
    v = shape.submit("3x2")
    assert v.mistake == "shape_transposed" and "transpose" in v.hint
    array = ask("dW", encode([[1, -2], [0, 3]]))
    assert array.kind == "array"
    assert array.submit("[1 -2; 0 3]").status == "right"
    assert array.submit("1 -2; 0 4").status == "wrong"
    assert array.submit("-1 2; 0 -3").mistake == "sign"
    assert array.submit("1 2 3").status == "wrong"           # wrong shape: just wrong
    assert array.submit("1 2; 3").status == "unreadable"


def test_tolerance_and_unreadable_answers():
    question = ask("σ'(ln 3)", encode(0.1875))
    assert question.submit("0.19").status == "right"
    assert question.submit("0.2").status == "wrong"
    v = question.submit("zero point two")
    assert v.status == "unreadable" and "like -4, 0.25 or 1/4" in v.text
    assert question.tries == 2                                # unreadable does not count
    strict = ask("exact", encode(0.1875), tolerance=(1e-9, 0))
    assert strict.submit("0.19").status == "wrong"
    assert question.submit("").status == "empty"


def test_callable_answers_are_evaluated_when_checked():
    box = {"value": 1.0}
    question = ask("the value in the box", lambda: box["value"])
    box["value"] = 7.0
    assert question.submit("7").status == "right"


def test_choose_explains_each_option():
    question = choose("Which gate routes the whole gradient to one input?",
                      ["add", "max", "multiply"], answer=encode("max"),
                      explain={"add": "add distributes: both inputs get it all.",
                               "max": "only the larger input gets it."})
    assert question.kind == "choice" and question.input.value is None
    assert question.submit(None).status == "empty"
    v = question.submit("add")
    assert v.status == "wrong" and v.hint == "add distributes: both inputs get it all."
    v = question.submit("multiply")
    assert v.status == "wrong" and "try again, or Show answer" in question.feedback.value
    v = question.submit("max")
    assert v.status == "right" and "only the larger input" in v.text
    assert question.show_answer() == "max"


def test_explanations_can_be_encoded_too():
    why = {"add": "add distributes.", "max": "max routes."}
    code = encode(why)
    assert "distributes" not in code and decode(code) == why
    question = choose("Which gate routes?", ["add", "max"], answer=encode("max"), explain=code)
    assert question.submit("add").hint == "add distributes."
    assert "max routes" in question.submit("max").text
    with pytest.raises(ValueError, match="does not hold"):
        choose("?", ["a", "b"], answer=encode("a"), explain=encode("a"))


@pytest.mark.parametrize("kwargs,match", [
    (dict(options=["a"], answer=encode("a")), "at least two"),
    (dict(options=["a", "a"], answer=encode("a")), "at least two"),
    (dict(options=["a", "b"], answer="a"), "code made with"),
    (dict(options=["a", "b"], answer=encode("c")), "not one of the options"),
    (dict(options=["a", "b"], answer=encode("a"), explain={"z": "?"}), "not options"),
])
def test_choose_refuses_plain_or_impossible_answers(kwargs, match):
    with pytest.raises(ValueError, match=match):
        choose("?", **kwargs)


def test_codes_and_gradient_errors():
    with pytest.raises(ValueError, match="not an answer code"):
        decode("-4")
    with pytest.raises(ValueError, match="damaged"):
        decode("bl1:%%%")
    with pytest.raises(TypeError, match="both must be Nodes"):
        gradient(3.0, bl.var(1.0))
    x, y, z, q, f = seed_circuit()
    other = bl.var(1.0, name="w")
    question = ask("?", gradient(f, other))
    with pytest.raises(ValueError, match="not an input"):
        question.expected()
    with pytest.raises(ValueError, match="kind"):
        ask("?", encode(1.0), kind="essay")


def test_self_check_answers_every_question_and_reports_broken_ones():
    x, y, z, q, f = seed_circuit()
    ask("dx", gradient(f, x))
    ask("shape", encode((3,)))
    ask("array", encode([1.0, 2.0]))
    choose("gate?", ["add", "max"], answer=encode("max"))
    assert self_check() == []
    assert all(question.verdict.status == "right" for question in QUESTIONS)
    broken = choose("broken", ["a", "b"], answer=lambda: "c")     # the answer is no option
    problems = self_check([broken])
    assert problems and "broken" in problems[0]


def test_encode_command_line():
    run = lambda *args: subprocess.run([sys.executable, "-m", "backprop_lab.practice", *args],
                                       capture_output=True, text=True)
    out = run("encode", "--", "-4")
    assert out.returncode == 0 and decode(out.stdout.strip()) == -4.0
    assert decode(run("encode", "shape:2x3").stdout.strip()) == (2, 3)
    assert decode(run("encode", "text:max").stdout.strip()) == "max"
    assert run("decode", encode(0.5)).stdout.strip() == "0.5"
    assert decode(run("encode", 'json:{"a": "why"}').stdout.strip()) == {"a": "why"}
    assert run("encode", "json:{oops").returncode == 1
    bad = run("encode", "four")
    assert bad.returncode == 1 and "could not read" in bad.stderr
    assert run().returncode == 2
