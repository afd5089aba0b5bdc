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

from . import fonts, messages
from .messages import LANGUAGES, catalog, get_language, tr

__all__ = ["LANGUAGES", "set_language", "get_language", "language", "tr", "catalog"]


def set_language(name: str) -> str:
    """Use ``name`` ("en" or "zh"; "zh-CN", "zh_Hans", "English" ... are accepted) from now on,
    in this kernel.  Returns the language code.

    Chinese also makes matplotlib able to draw Chinese labels: the Noto Sans CJK SC font that
    the course installs is registered with matplotlib's font manager (in memory) and added
    after the default font, so Latin letters and digits look as they do in English plots.
    """
    code = messages.normalise(name)
    if code == "zh":
        fonts.use_cjk_font()
    messages.use(code)
    return code


@contextlib.contextmanager
def language(name: str) -> Iterator[str]:
    """``with language("zh"): ...`` — messages in that language inside the block only."""
    previous, code = get_language(), messages.normalise(name)
    if code == "zh":
        fonts.use_cjk_font()
    messages.use(code)
    try:
        yield code
    finally:
        messages.use(previous)
