"""The practice inside the lessons (English and translated), read from the notebooks (no
kernel needed):

* every lesson asks 2–4 checked questions (``ask`` / ``choose``);
* no answer stands in plain text: each answer is the engine's (``gradient(f, x)``), an
  encoded code (``"bl1:..."``) or a function evaluated at check time, every encoded
  choice is one of the options, and a choice's explanations are encoded too;
* every lesson from the chain-rule lesson on has a ``GradientDrill`` of a valid level.

That the questions *work* (a wrong answer is called wrong with feedback, the right one
right) is checked in the lesson's own kernel by tests/test_lessons.py, which runs
``backprop_lab.practice.self_check()`` after the last cell.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from backprop_lab.practice import LEVELS, decode

ROOT = Path(__file__).resolve().parent.parent
# the English lessons and their translations (lessons/<language>/NN_name.ipynb)
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb")) + \
    sorted((ROOT / "lessons").glob("*/[0-9][0-9]_*.ipynb"))
IDS = [str(p.relative_to(ROOT / "lessons").with_suffix("")) for p in LESSONS]
CHAIN_RULE = next((p for p in LESSONS if "chain_rule" in p.stem), None)


def _code(path: Path) -> str:
    import nbformat
    nb = nbformat.read(path, as_version=4)
    lines = [line for cell in nb.cells if cell.cell_type == "code"
             for line in cell.source.splitlines() + [""]
             if not line.lstrip().startswith(("%", "!"))]       # IPython magics
    return "\n".join(lines)


def _calls(tree, names):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in names:
                yield name, node


def _answer_argument(name, call):
    keywords = {k.arg: k.value for k in call.keywords}
    if "answer" in keywords:
        return keywords["answer"]
    position = 1 if name == "ask" else 2
    return call.args[position] if len(call.args) > position else None


def _hidden(node) -> bool:
    """The engine's gradient, an encoded code, or a function: not the answer in plain text."""
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name == "gradient"          # encode("-4") in the source would show the answer
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.startswith("bl1:")
    return isinstance(node, (ast.Lambda, ast.Name, ast.Attribute))


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lesson_has_two_to_four_checked_questions_with_hidden_answers(path):
    tree = ast.parse(_code(path))
    calls = list(_calls(tree, {"ask", "choose"}))
    assert 2 <= len(calls) <= 4, f"{path.name}: {len(calls)} checked questions (want 2-4)"
    for name, call in calls:
        answer = _answer_argument(name, call)
        assert answer is not None, f"{path.name}:{call.lineno}: {name}() without an answer"
        assert _hidden(answer), (
            f"{path.name}:{call.lineno}: the answer of {name}() stands in plain text "
            f"({ast.unparse(answer)}); use gradient(f, x), an encode() code or a function")
        explain = {k.arg: k.value for k in call.keywords}.get("explain")
        assert explain is None or (isinstance(explain, ast.Constant)
                                   and str(explain.value).startswith("bl1:")), (
            f"{path.name}:{call.lineno}: choose(explain=...) in plain text gives the answer "
            f"away; encode it")
        if name == "choose" and isinstance(answer, ast.Constant):
            options = ast.literal_eval(call.args[1]) if len(call.args) > 1 else None
            assert options is None or decode(answer.value) in options, (
                f"{path.name}:{call.lineno}: the encoded answer is not one of the options")


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_lessons_from_the_chain_rule_on_have_a_drill(path):
    if CHAIN_RULE is None or path.name < CHAIN_RULE.name:
        pytest.skip("before the chain-rule lesson: questions only")
    calls = list(_calls(ast.parse(_code(path)), {"GradientDrill"}))
    assert calls, f"{path.name} has no GradientDrill"
    for _, call in calls:
        keywords = {k.arg: k.value for k in call.keywords}
        level = keywords.get("level") or (call.args[0] if call.args else None)
        assert isinstance(level, ast.Constant) and level.value in LEVELS, (
            f"{path.name}:{call.lineno}: GradientDrill needs level= one of {sorted(LEVELS)}")
