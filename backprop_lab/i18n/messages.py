"""The language state of this kernel and :func:`tr`, the one way a sentence reaches a student
(the bottom of :mod:`backprop_lab.i18n`: every module may import it; the font and
``set_language`` sit above it in ``backprop_lab/i18n/__init__.py``).
"""
from __future__ import annotations

__all__ = ["LANGUAGES", "get_language", "tr", "catalog", "normalise"]

LANGUAGES = ("en", "zh")
_ALIASES = {"en": "en", "english": "en", "en-us": "en", "en-gb": "en",
            "zh": "zh", "zh-cn": "zh", "zh-hans": "zh", "zh-sg": "zh", "chinese": "zh", "中文": "zh"}

_current = "en"          # this kernel's language (module state: one per process, never on disk)


def normalise(name: str) -> str:
    """The language code ("en" or "zh") that ``name`` spells; a clear error otherwise."""
    if not isinstance(name, str):
        raise TypeError(tr("The language must be a string such as \"en\" or \"zh\", not {kind}.",
                           kind=type(name).__name__))
    code = _ALIASES.get(name.strip().lower().replace("_", "-"))
    if code is None:
        raise ValueError(tr("Unknown language {name!r}: choose \"en\" (English) or \"zh\" "
                            "(Simplified Chinese).", name=name))
    return code


def get_language() -> str:
    """This kernel's language code: "en" or "zh"."""
    return _current


def use(code: str) -> None:
    """Make ``code`` (already normalised) this kernel's language."""
    global _current
    _current = code


def catalog(code: str) -> dict:
    """The translations of one language: ``{English message: translated message}``."""
    code = normalise(code)
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
