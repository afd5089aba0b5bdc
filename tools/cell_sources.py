"""The ``%%`` cell-source format: the plain text the lessons and the problem sets are written in.

A source file is a sequence of cells.  A line that starts with ``%%`` is a cell marker (header),
the lines after it (up to the next marker) are the cell's text::

    %% md intro
    # Problem set 1 — gates and circuits
    %% answer q1_multiply
    class MultiplyGate(Gate):
        ...
    %% tests q1_tests ps1.multiply_gate points=3 needs=q1_multiply,q3_sigmoid

A header is ``%% <kind>``, then the kind's positional words (an id, a task ...), then
``key=value`` options.  Each builder declares its kinds (:class:`Kind`): which words and
options they take and whether they have a body; anything else is an error that names the
file and line.  ``tools/build_lessons.py`` and ``assignments/build_assignments.py`` both use
:func:`parse`.

Translations: a kind declared ``translatable`` also takes a language code as its last word
(``%% md zh`` after ``%% md``, ``%% code zh`` after ``%% code``); the cell's ``language`` is
that code, or ``"en"`` when there is none.  The builders pair each translation with the cell
before it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Kind", "SourceCell", "SourceError", "TRANSLATIONS", "parse"]

TRANSLATIONS = ("zh",)     # language codes a translatable cell may carry (English has none)


class SourceError(ValueError):
    """A source file that does not follow the format; the message names the file and line."""


@dataclass(frozen=True)
class Kind:
    """What a header of this kind looks like.

    ``words``: names of the positional words, all required (``("id", "task")``).
    ``options``: ``{name: type}`` of the allowed ``key=value`` options; ``int``, ``str`` or
    ``tuple`` (comma-separated words).  ``required``: options that must be given.
    ``body``: True if the cell must have text, False if it must have none.
    ``translatable``: the header may end with a language code of :data:`TRANSLATIONS`.
    """

    name: str
    words: tuple = ()
    options: dict = field(default_factory=dict)
    required: tuple = ()
    body: bool = True
    translatable: bool = False


@dataclass(frozen=True)
class SourceCell:
    """One parsed cell: its kind, positional words by name, options, text and where it is."""

    kind: str
    words: dict
    options: dict
    body: str
    where: str
    line: int
    language: str = "en"


def _option(kind: Kind, key: str, text: str, at: str):
    convert = kind.options[key]
    if convert is int:
        try:
            return int(text)
        except ValueError:
            raise SourceError(f"{at}: option {key}={text!r} must be an integer.") from None
    if convert is tuple:
        return tuple(part for part in text.split(",") if part)
    return text


def _header(line: str, kinds: dict, at: str) -> tuple[Kind, dict, dict, str]:
    tokens = line[2:].split()
    if not tokens or tokens[0] not in kinds:
        got = tokens[0] if tokens else "(nothing)"
        raise SourceError(f"{at}: unknown cell marker {line.strip()!r} (kind {got!r}); "
                          f"use one of {sorted(kinds)}.")
    kind = kinds[tokens[0]]
    words, options = [], {}
    for token in tokens[1:]:
        if "=" in token:
            key, _, value = token.partition("=")
            if key not in kind.options:
                allowed = ", ".join(sorted(kind.options)) or "none"
                raise SourceError(f"{at}: '%% {kind.name}' has no option {key!r} (options: {allowed}).")
            if key in options:
                raise SourceError(f"{at}: option {key!r} given twice.")
            options[key] = _option(kind, key, value, at)
        elif options:
            raise SourceError(f"{at}: {token!r} after the options; write the words first.")
        else:
            words.append(token)
    language = "en"
    if kind.translatable and len(words) == len(kind.words) + 1 and words[-1] in TRANSLATIONS:
        language = words.pop()
    if len(words) != len(kind.words):
        expected = " ".join(f"<{w}>" for w in kind.words) or "no words"
        if kind.translatable:
            expected += " and optionally a language (" + ", ".join(TRANSLATIONS) + ")"
        raise SourceError(f"{at}: '%% {kind.name}' takes {expected}; got {words}.")
    missing = [key for key in kind.required if key not in options]
    if missing:
        raise SourceError(f"{at}: '%% {kind.name}' needs " + ", ".join(f"{k}=..." for k in missing) + ".")
    return kind, dict(zip(kind.words, words)), options, language


def parse(text: str, where: str, kinds) -> list[SourceCell]:
    """Split a source into cells.  ``kinds``: the :class:`Kind` s this file may use."""
    kinds = {kind.name: kind for kind in kinds}
    found: list[tuple[Kind, dict, dict, str, int, list]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("%%"):
            found.append((*_header(line, kinds, f"{where}:{number}"), number, []))
        elif not found:
            if line.strip():
                raise SourceError(f"{where}:{number}: text before the first cell marker; start "
                                  f"the file with a marker such as '%% {next(iter(kinds))}'.")
        else:
            found[-1][5].append(line)
    cells = []
    for kind, words, options, language, number, lines in found:
        body = "\n".join(lines).strip("\n")
        at = f"{where}:{number}"
        if kind.body and not body.strip():
            raise SourceError(f"{at}: an empty {kind.name} cell; remove the extra marker.")
        if not kind.body and body.strip():
            raise SourceError(f"{at}: a '%% {kind.name}' cell has no text (it is generated); "
                              f"move the text into a cell of its own.")
        cells.append(SourceCell(kind.name, words, options, body, where, number, language))
    if not cells:
        raise SourceError(f"{where}: no cells.")
    return cells
