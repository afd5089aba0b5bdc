"""The language of this notebook: English (``"en"``, the default) or Simplified Chinese (``"zh"``).

    import backprop_lab as bl
    bl.set_language("zh")      # in the first cell of a notebook: hints, widgets, plots in Chinese
    bl.get_language()          # 'zh'

The choice lives in this kernel's memory only: nothing is written to disk, and another
notebook (another kernel, another process) keeps its own language.  A process started from
this one (the isolated grading judge, for instance) does not inherit it either: pass
``get_language()`` along explicitly.

Messages.  Every sentence a student reads goes through :func:`tr`; its English text is the
key and the Chinese catalog (:mod:`backprop_lab.i18n.zh`) maps it to the translation::

    raise ValueError(f"{name}: expected {n} inputs, got {got}.")               # before
    raise ValueError(tr("{name}: expected {n} inputs, got {got}.", name=name, n=n, got=got))

Moving a message into the catalog is that one line; the translation is added to
``backprop_lab/i18n/zh.py`` (``tests/test_i18n.py`` lists every ``tr`` message without one,
and every translation whose English no longer exists, so the two languages cannot drift apart
silently).  Fields use :meth:`str.format` syntax, format specs included (``{x:.3g}``), and a
translation must use exactly the fields of its English message.  A message with no Chinese
yet is shown in English.
"""
from __future__ import annotations

import contextlib
from typing import Iterator

__all__ = ["LANGUAGES", "set_language", "get_language", "language", "tr", "catalog"]

LANGUAGES = ("en", "zh")
_ALIASES = {"en": "en", "english": "en", "en-us": "en", "en-gb": "en",
            "zh": "zh", "zh-cn": "zh", "zh-hans": "zh", "zh-sg": "zh", "chinese": "zh", "中文": "zh"}

_current = "en"          # this kernel's language (module state: one per process, never on disk)


def _normalise(name: str) -> str:
    if not isinstance(name, str):
        raise TypeError(tr("The language must be a string such as \"en\" or \"zh\", not {kind}.",
                           kind=type(name).__name__))
    code = _ALIASES.get(name.strip().lower().replace("_", "-"))
    if code is None:
        raise ValueError(tr("Unknown language {name!r}: choose \"en\" (English) or \"zh\" "
                            "(Simplified Chinese).", name=name))
    return code


def set_language(name: str) -> str:
    """Use ``name`` ("en" or "zh"; "zh-CN", "zh_Hans", "English" ... are accepted) from now on,
    in this kernel.  Returns the language code.

    Chinese also makes matplotlib able to draw Chinese labels: the Noto Sans CJK SC font that
    the course installs is registered with matplotlib's font manager (in memory) and added
    after the default font, so Latin letters and digits look as they do in English plots.
    """
    global _current
    code = _normalise(name)
    if code == "zh":
        from . import fonts
        fonts.use_cjk_font()
    _current = code
    return code


def get_language() -> str:
    """This kernel's language code: "en" or "zh"."""
    return _current


@contextlib.contextmanager
def language(name: str) -> Iterator[str]:
    """``with language("zh"): ...`` — messages in that language inside the block only."""
    global _current
    previous, _current = _current, _normalise(name)
    if _current == "zh":
        from . import fonts
        fonts.use_cjk_font()
    try:
        yield _current
    finally:
        _current = previous


def catalog(code: str) -> dict:
    """The translations of one language: ``{English message: translated message}``."""
    code = _normalise(code)
    if code == "en":
        return {}
    from .zh import MESSAGES
    return MESSAGES


def tr(message: str, /, **fields) -> str:
    """``message`` in this kernel's language, its ``{fields}`` filled in.

    ``message`` is the English text (a :meth:`str.format` template); the translation comes
    from the catalog of the current language, and English is used where none exists.  Write a
    literal brace as ``{{`` or ``}}``.
    """
    template = catalog(_current).get(message, message) if _current != "en" else message
    return template.format(**fields)
