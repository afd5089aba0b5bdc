"""Predict-then-check questions: one number, one shape or one choice, checked on the spot.

    from backprop_lab import practice as bp
    x, y, z = bl.var(-2.0, name="x"), bl.var(5.0, name="y"), bl.var(-4.0, name="z")
    f = (x + y) * z
    bp.ask("What is $\\partial f/\\partial x$?", bp.gradient(f, x))   # the engine's answer
    bp.choose("Which gate routes the gradient to one input only?",
              ["add", "max", "multiply"], answer=bp.encode("max"))

The student types (or picks) an answer and presses **Check**: right or wrong, with a hint
on a wrong answer (the classic-mistake hints of the drill for a gradient, the author's
``hint`` or the chosen option's ``explain`` text otherwise).  **Show answer** becomes
available after the first try.

Where the answer comes from, so that it never stands in plain text in a notebook's source:

* :func:`gradient` -- ``gradient(f, x)``: the engine's ∂f/∂x, computed when the question
  is checked (so the question can come *before* the cell that runs backward);
* :func:`encode` -- any number, shape or option, written as an opaque code
  (``bl1:...``, reversible: the checker needs the number to apply a tolerance); lesson
  authors make codes with ``python -m backprop_lab.practice encode VALUE``;
* a callable -- evaluated when the question is checked.

Nothing waits for input: a question is a widget, so a notebook runs top to bottom
unattended.  Every question of the kernel is kept in :data:`QUESTIONS`, so a test can
answer them all from Python (:func:`self_check`).
"""
from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from ..i18n import tr
from ..graph import Graph, Node
from ..values import format_value
from ..mistakes import Branch, all_close, shape_hint, wire_mistakes
from .checking import (ATOL, RTOL, AnswerError, Verdict, feedback_html, is_close, parse_entries,
                       parse_number, parse_shape)

__all__ = ["Question", "ask", "choose", "gradient", "encode", "decode", "QUESTIONS",
           "self_check", "GradientAnswer"]

PREFIX = "bl1:"
QUESTIONS: list["Question"] = []
RIGHT_COLOR, WRONG_COLOR, MUTED_COLOR = "#1a7f37", "#cf222e", "#57606a"
RIGHT_BG, WRONG_BG = "#dafbe1", "#ffebe9"


# ------------------------------------------------------------------ hidden answers
def encode(value) -> str:
    """An opaque code for an answer (number, shape tuple, text option, list of numbers) or
    for the explanations of a multiple-choice question (a dict ``{option: why}``, which
    would otherwise give the answer away).

    Not encryption -- a curious student can decode it -- only a way to keep the answer
    out of plain sight in the notebook, so that reading ahead is not the same as
    answering."""
    if isinstance(value, dict):
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise TypeError("encode(dict): expected {option text: explanation text}.")
        payload = {"explain": value}
    elif isinstance(value, tuple):
        payload = {"shape": [int(n) for n in value]}
    elif isinstance(value, str):
        payload = {"text": value}
    elif isinstance(value, (list, np.ndarray)):
        payload = {"array": np.asarray(value, dtype=np.float64).tolist()}
    else:
        payload = {"number": float(parse_number(value))}
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    mixed = bytes(b ^ 0x5A for b in raw)
    return PREFIX + base64.urlsafe_b64encode(mixed).decode("ascii").rstrip("=")


def decode(code: str):
    """The answer inside a code made by :func:`encode`."""
    if not isinstance(code, str) or not code.startswith(PREFIX):
        raise ValueError(f"not an answer code (they start with {PREFIX!r}): {code!r}")
    body = code[len(PREFIX):]
    try:
        mixed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        payload = json.loads(bytes(b ^ 0x5A for b in mixed).decode("utf-8"))
    except ValueError:
        raise ValueError(f"this answer code is damaged: {code!r}") from None
    if "explain" in payload:
        return dict(payload["explain"])
    if "shape" in payload:
        return tuple(payload["shape"])
    if "text" in payload:
        return payload["text"]
    if "array" in payload:
        return np.asarray(payload["array"], dtype=np.float64)
    return payload["number"]


@dataclass
class GradientAnswer:
    """∂output/∂wrt, computed by the engine when asked (``value()``), with the engine's
    record of what each gate sent to ``wrt`` for the classic-mistake hints."""

    output: Node
    wrt: Node

    def value(self):
        graph = Graph(self.output)
        if not any(n is self.wrt for n in graph.nodes):
            raise ValueError(f"gradient(): {self.wrt!r} is not an input of {self.output!r}.")
        self._steps = list(graph.backward_steps())
        return self.wrt.grad

    def branches(self) -> list[Branch]:
        result = []
        for step in self._steps:
            for i, child in enumerate(step.node.inputs):
                if child is self.wrt:
                    result.append(Branch(
                        gate=step.node.gate, inputs=tuple(n.value for n in step.node.inputs),
                        index=i, upstream=step.upstream,
                        local=step.local[i] if i < len(step.local) else None,
                        share=step.node.sent[i], output_name=step.node.name or (
                            "f" if step.node is self.output else "its output"),
                        input_names=tuple(n.name or "" for n in step.node.inputs)))
        return result


def gradient(output: Node, wrt: Node) -> GradientAnswer:
    """The answer "∂output/∂wrt", left to the engine until the question is checked."""
    if not isinstance(output, Node) or not isinstance(wrt, Node):
        raise TypeError(f"gradient(output, wrt): both must be Nodes (bl.var values and "
                        f"expressions); got {type(output).__name__} and {type(wrt).__name__}.")
    return GradientAnswer(output, wrt)


# ------------------------------------------------------------------------ questions
class Question(widgets.VBox):
    """One checked question (made by :func:`ask` or :func:`choose`).

    ``kind``: ``"number"``, ``"shape"``, ``"array"`` or ``"choice"``; ``tries``: checks so
    far; ``verdict``: the last one; ``submit(value)`` types/picks an answer and checks it
    (what a test does).
    """

    def __init__(self, prompt: str, answer, *, kind: str, options=None, hint: str | None = None,
                 explain: dict | None = None, tolerance: tuple | None = None,
                 name: str | None = None):
        self.prompt, self.kind, self.hint, self._answer = prompt, kind, hint, answer
        self.options = list(options) if options is not None else None
        self.explain = dict(decode(explain) if isinstance(explain, str) else (explain or {}))
        self.atol, self.rtol = tolerance if tolerance is not None else (ATOL, RTOL)
        self.name = name or prompt
        self.tries = 0
        self.verdict: Verdict | None = None
        self.text = widgets.HTMLMath(f"<b>{tr('Predict.')}</b> {prompt}")
        if kind == "choice":
            self.input = widgets.RadioButtons(options=self.options, value=None,
                                              layout=widgets.Layout(width="auto"))
        else:
            placeholder = {"shape": tr("a shape, e.g. 2x3"), "array": tr("e.g. [1, -2; 3, 0]")}.get(
                kind, tr("a number"))
            self.input = widgets.Text(placeholder=placeholder,
                                      layout=widgets.Layout(width="180px"))
        self.input.add_class("backprop-lab-answer")
        self.check_button = widgets.Button(description=tr("Check"), button_style="primary",
                                           icon="check")
        self.show_button = widgets.Button(description=tr("Show answer"), icon="eye", disabled=True,
                                          tooltip=tr("available after a try"))
        self.check_button.on_click(lambda _: self.check())
        self.show_button.on_click(lambda _: self.show_answer())
        self.feedback = widgets.HTML()
        self.feedback.add_class("backprop-lab-feedback")
        row = widgets.HBox([self.input, self.check_button, self.show_button],
                           layout=widgets.Layout(align_items="center"))
        super().__init__([self.text, row, self.feedback],
                         layout=widgets.Layout(border="1px solid #d0d7de", padding="6px",
                                               margin="6px 0"))
        self.add_class("backprop-lab-question")
        QUESTIONS.append(self)

    # -- the answer -----------------------------------------------------------------
    def expected(self):
        """The right answer (decoded / computed by the engine now)."""
        answer = self._answer
        if isinstance(answer, GradientAnswer):
            return answer.value()
        if isinstance(answer, str) and answer.startswith(PREFIX):
            return decode(answer)
        if callable(answer):
            return answer()
        return answer

    def _judge(self, typed) -> Verdict:
        if typed is None or (isinstance(typed, str) and not typed.strip()):
            return Verdict(self.name, "empty", tr("type an answer first") if self.kind != "choice"
                           else tr("pick an answer first"))
        expected = self.expected()
        try:
            if self.kind == "choice":
                got = typed
                right = str(got) == str(expected)
            elif self.kind == "shape":
                got = parse_shape(typed)
                right = got == tuple(expected)
            elif self.kind == "array":
                got = _parse_array(typed)
                right = np.shape(got) == np.shape(expected) and self._close(got, expected)
            else:
                got = parse_number(typed)
                right = self._close(got, expected)
        except AnswerError as error:
            return Verdict(self.name, "unreadable", str(error))
        if right:
            note = self.explain.get(str(got)) if self.kind == "choice" else None
            return Verdict(self.name, "right", tr("right") + (f" — {note}" if note else ""), got=got)
        hint, key = self._hint_for(got, expected)
        return Verdict(self.name, "wrong", tr("not quite"), hint=hint, mistake=key, got=got)

    def _close(self, got, expected) -> bool:
        return all_close(got, expected, rtol=self.rtol, atol=self.atol)

    def _hint_for(self, got, expected):
        if self.kind == "choice" and str(got) in self.explain:
            return self.explain[str(got)], None
        if isinstance(self._answer, GradientAnswer) and self.kind == "number":
            name = self._answer.wrt.name or "x"
            for mistake in wire_mistakes(expected, self._answer.branches(), name=name):
                if not is_close(mistake.value, expected) and self._close(got, mistake.value):
                    return mistake.hint, mistake.key
        if self.kind == "shape" and len(got) == 2 and tuple(got) == tuple(expected)[::-1]:
            return shape_hint(got, expected), "shape_transposed"
        if self.kind in ("number", "array") and np.shape(got) == np.shape(expected) and \
                np.any(np.asarray(expected) != 0) and self._close(-np.asarray(got), expected):
            return tr("the sign is flipped."), "sign"
        return self.hint, None

    # -- the buttons --------------------------------------------------------------------
    def submit(self, value) -> Verdict:
        """Type or pick ``value`` and press Check (for tests and scripts)."""
        if self.kind == "choice":
            self.input.value = value
        else:
            self.input.value = "" if value is None else str(value)
        return self.check()

    def check(self) -> Verdict:
        verdict = self._judge(self.input.value)
        if verdict.status in ("right", "wrong"):
            self.tries += 1
            self.show_button.disabled = False
        self.verdict = verdict
        if verdict.status == "right":
            color, mark, background = RIGHT_COLOR, "✓", RIGHT_BG
        elif verdict.status == "wrong":
            color, mark, background = WRONG_COLOR, "✗", WRONG_BG
        else:
            color, mark, background = MUTED_COLOR, "?", ""
        text = f"{mark} {verdict.text}" + (f" — {verdict.hint}" if verdict.hint else "")
        if verdict.status == "wrong" and not verdict.hint:
            text += " — " + tr("try again, or Show answer.")
        self.feedback.value = (f"<span class='backprop-lab-{verdict.status}' "
                               f"style='color:{color}'>{feedback_html(text)}</span>")
        if self.kind != "choice":
            self.input.style.background = background
        return verdict

    def show_answer(self) -> str:
        """Reveal the answer (only after a try)."""
        if self.tries == 0:
            return ""
        expected = self.expected()
        if self.kind == "shape":
            text = str(tuple(expected))
        elif self.kind == "choice":
            text = str(expected)
        elif self.kind == "array":
            text = np.array2string(np.asarray(expected), precision=4)
        else:
            text = format_value(expected, 4)
        note = self.explain.get(str(expected), "") if self.kind == "choice" else ""
        self.feedback.value += (f"<div class='backprop-lab-revealed' style='color:{MUTED_COLOR}'>"
                                f"{tr('answer:')} {html.escape(text)}"
                                f"{html.escape(' — ' + note) if note else ''}</div>")
        return text


def _parse_array(typed) -> np.ndarray:
    """``[1, -2; 3, 0]`` (rows split by ;) or ``1 -2 3`` (a vector), or nested lists."""
    if not isinstance(typed, str):
        return parse_entries(typed)
    rows = [r for r in typed.strip().strip("[]").split(";")]
    cells = [[c for c in r.replace(",", " ").split() if c] for r in rows]
    if len(cells) == 1:
        return parse_entries(cells[0])
    if len({len(r) for r in cells}) != 1:
        raise AnswerError(tr("every row needs the same number of entries."))
    return parse_entries(cells)


def _kind_of(answer) -> str:
    value = answer
    if isinstance(answer, str) and answer.startswith(PREFIX):
        value = decode(answer)
    if isinstance(value, GradientAnswer) or callable(value):
        return "number"
    if isinstance(value, tuple):
        return "shape"
    if isinstance(value, np.ndarray) or isinstance(value, list):
        return "array"
    return "number"


def ask(prompt: str, answer, *, hint: str | None = None, kind: str | None = None,
        tolerance: tuple | None = None, name: str | None = None) -> Question:
    """A question with one number (or shape, or array) for an answer.

    ``prompt``: the question (``$...$`` for math); ``answer``: :func:`gradient`,
    an :func:`encode` code, a callable or a value; ``hint``: shown on a wrong answer
    when no classic mistake is recognised; ``kind``: ``"number"`` / ``"shape"`` /
    ``"array"`` (default: from the answer); ``tolerance``: ``(atol, rtol)``, by default
    the drill's.
    """
    kind = kind or _kind_of(answer)
    if kind not in ("number", "shape", "array"):
        raise ValueError(f"ask(kind=...): expected 'number', 'shape' or 'array', got {kind!r}.")
    return Question(prompt, answer, kind=kind, hint=hint, tolerance=tolerance, name=name)


def choose(prompt: str, options, answer, *, explain: dict | str | None = None,
           name: str | None = None) -> Question:
    """A multiple-choice question: ``options`` (texts), ``answer`` (an :func:`encode` code
    of the right option, or a callable), ``explain``: ``{option: why}`` shown when that
    option is picked (and for the right one, when it is revealed) -- in a lesson, as an
    :func:`encode` code too, since the explanations would give the answer away."""
    options = [str(o) for o in options]
    if len(options) < 2 or len(set(options)) != len(options):
        raise ValueError(f"choose(): give at least two different options, got {options!r}.")
    if isinstance(answer, str) and answer.startswith(PREFIX):
        if decode(answer) not in options:
            raise ValueError("choose(): the encoded answer is not one of the options.")
    elif not callable(answer):
        raise ValueError("choose(answer=...): give the right option as a code made with "
                         "encode(...) (so it does not stand in the notebook in plain text).")
    if isinstance(explain, str):
        explain = decode(explain)
        if not isinstance(explain, dict):
            raise ValueError("choose(explain=...): the code does not hold {option: why}.")
    unknown = set(explain or {}) - set(options)
    if unknown:
        raise ValueError(f"choose(explain=...): {sorted(unknown)} are not options.")
    return Question(prompt, answer, kind="choice", options=options, explain=explain, name=name)


# --------------------------------------------------------------------- for the tests
def _a_wrong_answer(question: Question):
    expected = question.expected()
    if question.kind == "choice":
        return next(o for o in question.options if o != str(expected))
    if question.kind == "shape":
        return "x".join(str(n + 1) for n in expected) or "2"
    if question.kind == "array":
        wrong = np.asarray(expected, dtype=np.float64) + 1.0
        return "; ".join(" ".join(f"{v:g}" for v in np.atleast_1d(row))
                         for row in np.atleast_2d(wrong)) if wrong.ndim == 2 else \
            " ".join(f"{v:g}" for v in wrong)
    return f"{float(expected) * 2 + 1:g}"


def _typed(question: Question, value):
    if question.kind == "shape":
        return "x".join(str(n) for n in value) if value else "()"
    if question.kind == "array":
        value = np.asarray(value)
        if value.ndim == 2:
            return "; ".join(" ".join(f"{v:.10g}" for v in row) for row in value)
        return " ".join(f"{v:.10g}" for v in np.ravel(value))
    if question.kind == "choice":
        return value
    return f"{float(value):.10g}"


def self_check(questions=None) -> list[str]:
    """Answer every question from Python, as a student would: first a wrong answer (it
    must be called wrong and get feedback), then the right one (it must be called
    right), then Show answer.  Returns the list of problems (empty: all is well).
    Lessons' tests run it in the lesson's own kernel after the last cell."""
    problems = []
    for question in list(QUESTIONS if questions is None else questions):
        try:
            wrong = question.submit(_a_wrong_answer(question))
            if wrong.status != "wrong" or "✗" not in question.feedback.value:
                problems.append(f"{question.name}: a wrong answer was judged {wrong.status}")
            right = question.submit(_typed(question, question.expected()))
            if right.status != "right":
                problems.append(f"{question.name}: the right answer was judged {right.status}"
                                f" ({right.text})")
            if not question.show_answer():
                problems.append(f"{question.name}: Show answer showed nothing")
        except Exception as error:   # a broken question must fail the lesson's test
            problems.append(f"{question.name}: {type(error).__name__}: {error}")
    return problems
