"""Practice that checks the student: gradient drills and predict-then-check questions.

    from backprop_lab import practice as bp
    bp.GradientDrill(level=3, seed=7)        # a random circuit: fill in every gradient, Check
    bp.ask("What is $\\partial f/\\partial x$?", bp.gradient(f, x))
    bp.choose("Which gate routes?", ["add", "max", "multiply"], answer=bp.encode("max"))

* :class:`GradientDrill` (``drill``) -- random circuits by level (1 add/multiply, 2 max, σ,
  exp, 1/x, +c, ×a, x², 3 fan-out, 4 neurons and staged expressions, 5 vectors and
  matrices), checked wire by wire with the classic mistake named; Next step, Solution,
  New circuit; a session score and streak.
* :func:`make_circuit` (``circuits``) -- the generator behind it: head-friendly numbers,
  reproducible from a seed, every answer computed by the engine.
* :func:`check_wire`, :func:`check_circuit` (``checking``) -- the checker, usable without
  widgets; the mistakes it recognises are listed in ``MISTAKE_KEYS`` (they live in
  :mod:`backprop_lab.mistakes`, shared with grading).
* :func:`ask`, :func:`choose`, :func:`gradient`, :func:`encode` (``questions``) -- checked
  questions for the lessons; :func:`self_check` answers every question of the kernel from
  Python (the lessons' tests use it).

``python -m backprop_lab.practice encode VALUE`` prints the code of an answer for a lesson.
"""
from .checking import (AnswerError, Verdict, check_circuit, check_shape, check_wire,
                       parse_number, parse_shape)
from .circuits import KINDS, LEVELS, Circuit, Share, Wire, head_friendly, make_circuit
from .drill import SESSION, GradientDrill, Score
from .questions import QUESTIONS, Question, ask, choose, decode, encode, gradient, self_check
from ..mistakes import MISTAKE_KEYS, Mistake

__all__ = ["GradientDrill", "Score", "SESSION", "make_circuit", "Circuit", "Wire", "Share",
           "LEVELS", "KINDS", "head_friendly", "check_wire", "check_shape", "check_circuit",
           "Verdict", "AnswerError", "parse_number", "parse_shape", "MISTAKE_KEYS", "Mistake",
           "ask", "choose", "gradient", "encode", "decode", "Question", "QUESTIONS",
           "self_check"]
