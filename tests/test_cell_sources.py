"""tools/cell_sources.py: the one ``%%`` parser of the lessons and the problem sets."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "assignments"))
import build_assignments as builder  # noqa: E402
from cell_sources import Kind, SourceError, parse  # noqa: E402

KINDS = (Kind("md", words=("id",)),
         Kind("tests", words=("id", "task"), options={"points": int, "needs": tuple},
              required=("points",), body=False))


def test_words_options_and_bodies():
    cells = parse("%% md intro\n# Title\n\ntext\n%% tests t1 ps1.x points=3 needs=a,b\n"
                  "%% md outro\nbye\n", "ps.txt", KINDS)
    assert [(c.kind, c.words, c.options, c.body, c.line) for c in cells] == [
        ("md", {"id": "intro"}, {}, "# Title\n\ntext", 1),
        ("tests", {"id": "t1", "task": "ps1.x"}, {"points": 3, "needs": ("a", "b")}, "", 5),
        ("md", {"id": "outro"}, {}, "bye", 6)]


@pytest.mark.parametrize("text, words", [
    ("%% md\nx", "ps.txt:1: '%% md' takes <id>; got []"),
    ("%% md a b\nx", "'%% md' takes <id>; got ['a', 'b']"),
    ("%% code a\nx", "ps.txt:1: unknown cell marker '%% code a' (kind 'code')"),
    ("%% tests t ps1.x\n", "ps.txt:1: '%% tests' needs points=..."),
    ("%% tests t ps1.x points=three\n", "option points='three' must be an integer"),
    ("%% tests t ps1.x points=1 points=2\n", "option 'points' given twice"),
    ("%% tests t ps1.x points=1 colour=red\n", "'%% tests' has no option 'colour' (options: needs, points)"),
    ("%% tests t points=1 ps1.x\n", "'ps1.x' after the options"),
    ("%% tests t ps1.x points=1\nprint(1)\n", "ps.txt:1: a '%% tests' cell has no text"),
    ("%% md a\n%% md b\nx", "ps.txt:1: an empty md cell"),
    ("hello\n%% md a\nx", "ps.txt:1: text before the first cell marker"),
    ("\n\n", "ps.txt: no cells"),
])
def test_mistakes_in_a_source_name_the_file_and_line(text, words):
    with pytest.raises(SourceError) as info:
        parse(text, "ps.txt", KINDS)
    assert words in str(info.value)


def test_the_problem_set_builder_checks_tasks_ids_and_needs(tmp_path):
    def build(text):
        (tmp_path / "ps9_x.txt").write_text(text)
        return builder.read("ps9_x", root=tmp_path)
    ps = build("%% md intro\n# Problem set 9 — x\n%% answer a1\nx = 1\n"
               "%% tests t1 ps1.fanout points=3\n%% written w points=2\nmodel answer\n")
    assert ps.title == "Problem set 9 — x" and (ps.auto_points, ps.manual_points) == (3, 2)
    assert [(p.answer_ids, p.test_id, p.points) for p in ps.parts] == [(("a1",), "t1", 3)]
    assert "verify_isolated('ps1.fanout', fanout_f=fanout_f)" in ps.cells[2].source
    with pytest.raises(ValueError, match="unknown grading task 'ps9.nothing'"):
        build("%% md intro\n# x\n%% tests t1 ps9.nothing points=3\n")
    with pytest.raises(ValueError, match=r"cell ids used twice: \['a'\]"):
        build("%% md a\n# x\n%% answer a\nx = 1\n")
    with pytest.raises(ValueError, match=r"t1 needs=\['a9'\]: no such answer cell"):
        build("%% md intro\n# x\n%% tests t1 ps1.fanout points=3 needs=a9\n")
