"""A font for Chinese labels in matplotlib, installed with pip (no system fonts, no apt-get).

The font is Noto Sans CJK SC (Regular), by Adobe and Google, under the SIL Open Font License
1.1, from the PyPI package ``noto-cjk-sans-otc``: the official Noto Sans CJK OpenType
collection (one file, 19 MB, with the SC, TC, HK, JP and KR faces; the licence text is in the
package's ``licenses/LICENSE`` and in the font's own name table).  Matplotlib >= 3.11 reads
every face of a collection, so the Simplified Chinese face is found by its family name.

:func:`use_cjk_font` registers the file with matplotlib's font manager (in memory, for this
process: matplotlib's installation and its font cache are not changed) and puts
``Noto Sans CJK SC`` after the fonts already in ``rcParams["font.family"]``: matplotlib falls
back glyph by glyph, so Latin letters, digits and the minus sign keep the default font and
Chinese characters come from Noto.
"""
from __future__ import annotations

from pathlib import Path

from .messages import tr

CJK_FAMILY = "Noto Sans CJK SC"


def font_path() -> Path:
    """The font file (an OpenType collection) that the ``noto-cjk-sans-otc`` package installed."""
    try:
        import noto_cjk_sans_otc
    except ImportError:
        raise ImportError(tr("Chinese labels need the font package noto-cjk-sans-otc, which "
                             "backprop_lab installs: run `python3 course.py lab` again, or "
                             "`pip install noto-cjk-sans-otc`.")) from None
    return Path(str(noto_cjk_sans_otc.FONT_PATH))


def use_cjk_font() -> str:
    """Make matplotlib draw Chinese text with :data:`CJK_FAMILY`; returns the family name.

    Safe to call many times: the file is registered once, and the family is added to
    ``font.family`` only if it is not there yet.
    """
    import matplotlib
    from matplotlib import font_manager

    manager = font_manager.fontManager
    if CJK_FAMILY not in {entry.name for entry in manager.ttflist}:
        manager.addfont(str(font_path()))
        if CJK_FAMILY not in {entry.name for entry in manager.ttflist}:
            raise RuntimeError(tr("matplotlib {version} did not find the face {family!r} in "
                                  "{path}; Chinese labels need matplotlib >= 3.11, which reads "
                                  "font collections.", version=matplotlib.__version__,
                                  family=CJK_FAMILY, path=str(font_path())))
    families = list(matplotlib.rcParams["font.family"])
    if CJK_FAMILY not in families:
        matplotlib.rcParams["font.family"] = families + [CJK_FAMILY]
    return CJK_FAMILY
