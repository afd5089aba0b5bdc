"""Drawings and widgets in a problem set cost nothing while nbgrader grades it.

nbgrader sets ``NBGRADER_EXECUTION`` while it validates or autogrades a notebook; the
notebooks' demo cells draw only when a person runs them.
"""
from __future__ import annotations

import os

__all__ = ["interactive", "show"]


def interactive() -> bool:
    """False while nbgrader validates or autogrades (it sets ``NBGRADER_EXECUTION``)."""
    return not os.environ.get("NBGRADER_EXECUTION")


def show(make, *args, **kwargs) -> None:
    """Display ``make(*args, **kwargs)`` (or ``make`` itself when it is not callable) —
    but do nothing, not even build it, while nbgrader executes the notebook."""
    if not interactive():
        return
    from IPython.display import display
    display(make(*args, **kwargs) if callable(make) else make)
