"""One source, two languages: pick the English or the Chinese version of a parsed ``%%`` source.

A source holds each translatable cell in English, followed directly by its translation::

    %% md
    ## The chain rule
    %% md zh
    ## 链式法则
    %% code
    print("upstream gradient:", dq)      # the gradient flowing in
    %% code zh
    print("上游梯度：", dq)               # 流入的梯度

Markdown cells must all be translated (a lesson is either wholly translated or not at all);
a code cell needs a translation only where its comments or printed strings differ, and then
the two versions must be the same program once comments and string literals are set aside
(:func:`same_code`), so the notebooks of the two languages can never compute different
things.  Both builders (``tools/build_lessons.py`` and the problem sets') use :func:`select`.
"""
from __future__ import annotations

import io
import sys
import tokenize
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cell_sources import SourceCell, SourceError  # noqa: E402

__all__ = ["select", "is_translated", "same_code", "code_tokens", "MUST_TRANSLATE"]

MUST_TRANSLATE = ("md",)        # kinds whose every cell needs a translation in a translated source


def is_translated(cells: list[SourceCell], language: str = "zh") -> bool:
    """True if the source has at least one cell in ``language``."""
    return any(cell.language == language for cell in cells)


def select(cells: list[SourceCell], language: str, must_translate=MUST_TRANSLATE,
           code_kinds=("code",)) -> list[SourceCell]:
    """The cells of the ``language`` version, in order.

    English (``"en"``) drops every translation.  Another language replaces each cell by the
    translation that follows it; a cell of a kind in ``must_translate`` without one, a
    translation with no English cell of its kind right before it, two translations of one cell,
    and a translation of a ``code_kinds`` cell that is not the same program are
    :class:`SourceError` s naming the file and line.
    """
    chosen: list[SourceCell] = []
    english: SourceCell | None = None        # the last English cell, while it may get a translation
    translated_previous = False
    for cell in cells:
        if cell.language == "en":
            if english is not None and language != "en" and not translated_previous:
                _require_translation(english, language, must_translate)
            english, translated_previous = cell, False
            chosen.append(cell)
            continue
        at = f"{cell.where}:{cell.line}"
        if english is None or english.kind != cell.kind:
            raise SourceError(f"{at}: '%% {cell.kind} {cell.language}' must follow the English "
                              f"'%% {cell.kind}' cell it translates.")
        if translated_previous:
            raise SourceError(f"{at}: a second '%% {cell.kind} {cell.language}' for the cell at "
                              f"line {english.line}.")
        if cell.kind in code_kinds and not same_code(english.body, cell.body):
            raise SourceError(f"{at}: this '%% {cell.kind} {cell.language}' is not the same code as the "
                              f"English cell at line {english.line}: only comments and string "
                              f"literals may differ.")
        translated_previous = True
        if cell.language == language:
            chosen[-1] = replace(cell, words=english.words, options=english.options)
    if english is not None and language != "en" and not translated_previous:
        _require_translation(english, language, must_translate)
    return chosen


def _require_translation(cell: SourceCell, language: str, must_translate) -> None:
    if cell.kind in must_translate:
        raise SourceError(f"{cell.where}:{cell.line}: this '%% {cell.kind}' cell has no "
                          f"'%% {cell.kind} {language}' translation after it.")


def code_tokens(code: str) -> list[tuple[int, str]]:
    """The tokens of ``code`` without comments, with every string literal replaced by ``""``
    (an f-string counts as one literal) and without layout-only tokens."""
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
    fstring = tuple(getattr(tokenize, name) for name in ("FSTRING_START", "FSTRING_MIDDLE",
                                                        "FSTRING_END") if hasattr(tokenize, name))
    tokens, depth = [], 0
    for token in tokenize.generate_tokens(io.StringIO(code + "\n").readline):
        if fstring and token.type == fstring[0]:
            if depth == 0:
                tokens.append((tokenize.STRING, '""'))
            depth += 1
        elif fstring and token.type == fstring[2]:
            depth -= 1
        elif depth or token.type in skip:
            continue
        elif token.type == tokenize.STRING:
            tokens.append((tokenize.STRING, '""'))
        else:
            tokens.append((token.type, token.string))
    return tokens


def same_code(english: str, translated: str) -> bool:
    """True if the two cells differ at most in comments and string literals.

    IPython magics (lines starting with ``%`` or ``!``) are compared as they are."""
    def split(code: str) -> tuple[list[str], str]:
        magics = [line.strip() for line in code.splitlines() if line.lstrip().startswith(("%", "!"))]
        python = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                           for line in code.splitlines())
        return magics, python

    (magics_a, code_a), (magics_b, code_b) = split(english), split(translated)
    try:
        return magics_a == magics_b and code_tokens(code_a) == code_tokens(code_b)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return english == translated
