"""Checking a student's gradients against the engine, wire by wire, with the mistake named.

    c = make_circuit(level=1, seed=0)
    v = check_wire(c, "x", "-4")          # a Verdict: status 'right' / 'wrong' / 'empty' / 'unreadable'
    v.status, v.hint                      # ('wrong', 'the sign is flipped: ...')
    check_circuit(c, {"x": "-4", "q": "..."})   # {name: Verdict}, using every answer given

Answers may be numbers or text as typed (``-4``, ``−4``, ``0.25``, ``1/4``, ``-3e-1``); a
level-5 wire takes an array of entries after its shape (``2x3``, ``(2, 3)``, ``3``).
A number is right when ``|got - right| <= ATOL + RTOL (|got| + |right|)`` (0.005 and
0.005: about 1 % or half a hundredth), the comparison of :mod:`backprop_lab.mistakes` with
looser tolerances for answers typed by hand: 0.19 for 0.1875 is right, so is 0.06 for 0.0625.

The verdict never shows the right value (the drill's Solution button does that): a wrong
answer gets the recognised mistake's hint (:func:`backprop_lab.mistakes.wire_mistakes`),
or, when no classic mistake fits, a generic one (twice, half, zero) or a reminder of the rule.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..i18n import tr
from ..mistakes import Branch, all_close, close, generic_hint, shape_hint, wire_mistakes
from .circuits import Circuit, Wire

__all__ = ["AnswerError", "Verdict", "feedback_html", "parse_number", "parse_shape",
           "parse_entries", "is_close", "check_wire", "check_shape", "check_circuit", "branches", "ATOL", "RTOL",
           "RIGHT", "WRONG", "EMPTY", "UNREADABLE"]

ATOL, RTOL = 0.005, 0.005       # |got - right| <= ATOL + RTOL (|got| + |right|): about 1 %
RIGHT, WRONG, EMPTY, UNREADABLE = "right", "wrong", "empty", "unreadable"


class AnswerError(ValueError):
    """The text typed cannot be read as a number or a shape; the message says how to write it."""


# ------------------------------------------------------------------------ reading
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _clean(text: str) -> str:
    return (str(text).strip().replace("−", "-").replace("–", "-").replace("＋", "+")
            .replace(" ", "").replace(",", ".") if text is not None else "")


def parse_number(text) -> float:
    """A number typed by a student: ``-4``, ``−4`` (typographic minus), ``0.25``, ``.5``,
    ``1/4``, ``-3/2``, ``2e-3``.  Numbers pass through.  Raises :class:`AnswerError`."""
    if isinstance(text, (int, float, np.integer, np.floating)) and not isinstance(text, bool):
        value = float(text)
        if not np.isfinite(value):
            raise AnswerError(tr("{text} is not a finite number.", text=text))
        return value
    if not isinstance(text, str):
        raise AnswerError(tr("expected a number, got {kind}.", kind=type(text).__name__))
    cleaned = _clean(text)
    if cleaned.count("/") == 1:
        top, bottom = cleaned.split("/")
        if _NUMBER.match(top) and _NUMBER.match(bottom):
            if float(bottom) == 0:
                raise AnswerError(tr("{text!r} divides by zero.", text=text.strip()))
            return float(Fraction(top) / Fraction(bottom)) if "e" not in cleaned.lower() \
                else float(top) / float(bottom)
    elif _NUMBER.match(cleaned):
        return float(cleaned)
    raise AnswerError(tr("I could not read {text!r} as a number: type it like -4, 0.25 or 1/4.",
                         text=text.strip()))


def parse_shape(text) -> tuple:
    """A shape typed by a student: ``(2, 3)``, ``2x3``, ``2×3``, ``2 3``, ``3``, ``(3,)``;
    ``()`` or ``scalar`` for a single number.  Tuples pass through."""
    if isinstance(text, tuple):
        if all(isinstance(n, (int, np.integer)) and n > 0 for n in text):
            return tuple(int(n) for n in text)
        raise AnswerError(tr("a shape is a tuple of positive integers, got {text!r}.", text=text))
    if not isinstance(text, str):
        raise AnswerError(tr("expected a shape such as (2, 3), got {kind}.",
                             kind=type(text).__name__))
    cleaned = text.strip().lower()
    if cleaned in ("()", "scalar", "number", "a number", ""):
        if cleaned == "":
            raise AnswerError(tr("type a shape such as (2, 3), 2x3 or 3."))
        return ()
    parts = [p for p in re.split(r"[\s,x×*()\[\]]+", cleaned) if p]
    if parts and all(p.isdigit() and int(p) > 0 for p in parts):
        return tuple(int(p) for p in parts)
    raise AnswerError(tr("I could not read {text!r} as a shape: type it like (2, 3), 2x3 or 3.",
                         text=text.strip()))


def parse_entries(entries) -> np.ndarray:
    """An array (or nested lists) of numbers or typed texts, read entry by entry."""
    array = np.asarray(entries, dtype=object)
    if array.size == 0:
        raise AnswerError(tr("no entries given."))
    return np.vectorize(parse_number, otypes=[np.float64])(array)


def feedback_html(text: str) -> str:
    """A hint as HTML: escaped, with its ``*emphasis*`` (the shared hints are plain text,
    also printed by the graders) shown in italics instead of between asterisks."""
    return re.sub(r"\*([^*\s][^*]*?)\*", r"<em>\1</em>", html.escape(text))


def is_close(got, expected) -> bool:
    """Within the drill's tolerance, entry by entry (shapes must match): the one comparison
    of :mod:`backprop_lab.mistakes` with the tolerances of answers typed by hand."""
    return all_close(got, expected, rtol=RTOL, atol=ATOL)


# ------------------------------------------------------------------------ verdicts
@dataclass
class Verdict:
    """The check of one wire: ``status`` (right / wrong / empty / unreadable), ``text``
    (what the student reads), ``hint`` and ``mistake`` (the key of the recognised mistake,
    see ``MISTAKE_KEYS``), ``got`` (the number or array read), ``entries_right`` (arrays:
    which entries are right)."""

    name: str
    status: str
    text: str
    hint: str | None = None
    mistake: str | None = None
    got: object = None
    entries_right: object = field(default=None, repr=False)

    @property
    def right(self) -> bool:
        return self.status == RIGHT


def branches(circuit: Circuit, wire: Wire, answers: dict | None = None) -> list[Branch]:
    """The engine's record of every gate using ``wire``, with the student's answers for
    the gates' outputs (when they gave one they can be read) and the chain further along."""
    answers = answers or {}
    by_node = {id(w.node): w for w in circuit.wires}
    result = []
    for share in wire.shares:
        gate_node = share.gate
        chain = []
        node = gate_node
        while id(node) in by_node and len(by_node[id(node)].shares) == 1:
            nxt = by_node[id(node)].shares[0]
            chain.append((nxt.local, nxt.gate.gate.symbol, nxt.gate.name))
            node = nxt.gate
        result.append(Branch(
            gate=gate_node.gate, inputs=tuple(n.value for n in gate_node.inputs),
            index=share.index, upstream=share.upstream, local=share.local, share=share.value,
            output_name=gate_node.name or "the output",
            input_names=tuple(n.name or "" for n in gate_node.inputs),
            student_upstream=_readable(answers.get(gate_node.name), gate_node.value)
            if gate_node.name in answers else None,
            chain=tuple(chain)))
    return result


def _readable(answer, like):
    """The student's answer as a value shaped like ``like``, or None."""
    try:
        if isinstance(like, np.ndarray):
            array = np.asarray(answer, dtype=np.float64)
            return array if array.shape == like.shape else None
        return parse_number(answer)
    except (AnswerError, TypeError, ValueError):
        return None


def _rule(wire: Wire) -> str:
    if wire.fans_out:
        return tr("∂f/∂{name} sums what each of the {n} gates using {name} sends back: "
                  "upstream × local, for each, added up.", name=wire.name, n=len(wire.shares))
    return tr("∂f/∂{name} = upstream × local: the gradient arriving at the gate that uses "
              "{name}, times that gate's local gradient for {name}.", name=wire.name)


def _empty(name: str) -> Verdict:
    return Verdict(name, EMPTY, tr("no answer yet"))


def check_wire(circuit: Circuit, name: str, answer, answers: dict | None = None) -> Verdict:
    """Check one wire's gradient.  ``answer``: number, text, or (level 5) array of entries;
    ``answers``: the student's other answers, to recognise a mistake carried over from
    a wrong gradient further along."""
    wire = circuit.wire(name)
    expected = wire.gradient
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return _empty(name)
    try:
        if isinstance(expected, np.ndarray):
            got = parse_entries(answer)
        else:
            got = parse_number(answer)
    except AnswerError as error:
        return Verdict(name, UNREADABLE, str(error))
    except (TypeError, ValueError):
        return Verdict(name, UNREADABLE, tr("could not read the entries of ∂f/∂{name}.", name=name))
    if isinstance(expected, np.ndarray) and got.shape != expected.shape:
        return Verdict(name, WRONG, tr("∂f/∂{name} has shape {shape}, not the shape of {name}",
                                       name=name, shape=got.shape),
                       hint=shape_hint(got.shape, expected.shape, f"∂f/∂{name}"), got=got)
    if is_close(got, expected):
        return Verdict(name, RIGHT, tr("right"), got=got,
                       entries_right=np.ones(np.shape(expected), bool)
                       if isinstance(expected, np.ndarray) else None)
    entries = None
    if isinstance(expected, np.ndarray):
        entries = close(got, expected, RTOL, ATOL)
    others = {k: v for k, v in (answers or {}).items() if k != name}
    for mistake in wire_mistakes(expected, branches(circuit, wire, others), name=name):
        if is_close(mistake.value, expected):
            continue                      # this "mistake" gives the right answer here
        if is_close(got, mistake.value):
            return Verdict(name, WRONG, tr("not quite"), hint=mistake.hint, mistake=mistake.key,
                           got=got, entries_right=entries)
    generic = generic_hint(got, expected)
    if generic:
        return Verdict(name, WRONG, tr("not quite"), hint=generic, got=got, entries_right=entries)
    if isinstance(expected, np.ndarray) and not np.all(entries):
        wrong = int(entries.size - entries.sum())
        return Verdict(name, WRONG, tr("{wrong} of {n} entries are not right yet", wrong=wrong,
                                       n=entries.size),
                       hint=_rule(wire), got=got, entries_right=entries)
    return Verdict(name, WRONG, tr("not quite"), hint=_rule(wire), got=got, entries_right=entries)


def check_shape(circuit: Circuit, name: str, answer) -> Verdict:
    """Level 5, first step: the shape of ∂f/∂name."""
    wire = circuit.wire(name)
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return _empty(name)
    try:
        got = parse_shape(answer)
    except AnswerError as error:
        return Verdict(name, UNREADABLE, str(error))
    expected = wire.shape
    if got == expected:
        return Verdict(name, RIGHT, tr("right shape"), got=got)
    if len(got) == 2 and got == expected[::-1]:
        return Verdict(name, WRONG, tr("not quite"), hint=tr("that is the shape of {name}ᵀ:", name=name)
                       + " " + shape_hint(got, expected), mistake="shape_transposed", got=got)
    return Verdict(name, WRONG, tr("not quite"),
                   hint=tr("∂f/∂{name} has the same shape as {name} itself: f is one number, "
                           "and each entry of {name} gets its own partial derivative.", name=name),
                   mistake="shape_of_value", got=got)


def check_circuit(circuit: Circuit, answers: dict) -> dict:
    """Check every wire the circuit asks for: ``{name: Verdict}`` (missing answers: empty)."""
    return {w.name: check_wire(circuit, w.name, answers.get(w.name), answers)
            for w in circuit.wires}
