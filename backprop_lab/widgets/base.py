"""Pieces every widget shares: the nbgrader switch, a circuit view and an in-place figure.

* :func:`under_nbgrader` is True while nbgrader validates or autogrades a notebook (it sets
  the environment variable ``NBGRADER_EXECUTION``).  Nobody looks at pictures then, so
  widgets skip drawing (SVG layout, matplotlib) but still compute every number.
* :func:`skip_when_grading` turns a method into a no-op under nbgrader.
* :class:`CircuitView` is an ``ipywidgets.HTML`` that shows a graph's circuit as inline SVG.
* :class:`FigureView` is an ``ipywidgets.Image`` holding one persistent matplotlib figure
  (Agg backend, no pyplot): ``refresh()`` re-renders it to PNG in place, so plots update
  instead of stacking up, headless and in JupyterLab alike, with no extra extension.
"""
from __future__ import annotations

import functools
import html
import io
import math
import os

import ipywidgets as widgets

from .. import render
from ..graph import Graph
from ..i18n.messages import tr
from ..values import format_value, is_number

__all__ = ["NBGRADER_VARIABLE", "under_nbgrader", "skip_when_grading", "CircuitView",
           "FigureView", "number_rows", "message_html", "skipped_note",
           "slider_bounds", "slider_value", "check_text_size",
           "TEXT_CHARS_PER_NUMBER"]

NBGRADER_VARIABLE = "NBGRADER_EXECUTION"


def skipped_note() -> str:
    """What a circuit shows under nbgrader, in the notebook's language."""
    return ("<i style='color:#6e7781'>"
            + html.escape(tr("(drawing skipped: nbgrader is validating or grading this "
                             "notebook)")) + "</i>")


def under_nbgrader() -> bool:
    """True while nbgrader executes the notebook (validate, autograde): skip slow drawing."""
    return bool(os.environ.get(NBGRADER_VARIABLE))


def skip_when_grading(method):
    """Decorator: under nbgrader the method does nothing and returns None."""
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        if under_nbgrader():
            return None
        return method(*args, **kwargs)
    return wrapper


FIT_LIMIT = 60     # circuits up to this many nodes shrink to the width; bigger ones scroll


class CircuitView(widgets.HTML):
    """Shows the circuit of a graph (inline SVG); ``show(graph, **draw_options)`` redraws it.

    ``svg`` holds the last SVG text ("" when nothing is drawn, e.g. under nbgrader).
    ``fit``: shrink the picture to the available width (True), keep its size and scroll
    (False), or ``"auto"``: shrink circuits of up to ``FIT_LIMIT`` nodes, scroll bigger ones
    (whose labels would become too small to read).
    """

    def __init__(self, fit="auto", **kwargs):
        super().__init__(**kwargs)
        self.fit = fit
        self.svg = ""
        if not under_nbgrader():
            render.warm_up(background=True)

    def show(self, graph, **draw_options) -> None:
        """Draw ``graph`` (a Node or Graph) with :func:`backprop_lab.render.draw` options."""
        if under_nbgrader():
            self.svg = ""
            self.value = skipped_note()
            return
        self.svg = render.render_svg(graph, inline=True, **draw_options)
        fit = self.fit if self.fit != "auto" else _node_count(graph) <= FIT_LIMIT
        picture = (self.svg.replace("<svg ", "<svg style='max-width:100%;height:auto' ", 1)
                   if fit else self.svg)
        self.value = ("<div class='backprop-lab-circuit' style='overflow-x:auto;"
                      f"max-width:100%'>{picture}</div>")


def _node_count(graph) -> int:
    return len(graph.nodes) if hasattr(graph, "nodes") else len(Graph(graph).nodes)


# ------------------------------------------------------------------ checked slider specs
# A slider silently clamps what it is given (FloatSlider(value=100, max=5) shows 5) and
# accepts a step of 0 or an infinite range; these checks refuse such specs up front, with
# the widget, the slider, the value and what was expected in the message (in the
# notebook's language: every message goes through tr, its Chinese is in i18n/zh.py).

def slider_bounds(owner: str, name: str, bounds) -> tuple[float, float]:
    """A slider range ``(min, max)``: two finite numbers with min < max."""
    if isinstance(bounds, (str, bytes)) or not isinstance(bounds, (tuple, list)) \
            or len(bounds) != 2 or not all(is_number(b) and math.isfinite(b) for b in bounds) \
            or not bounds[0] < bounds[1]:
        raise ValueError(tr("{owner}: the range of {name!r} must be two finite numbers "
                            "(min, max) with min < max, got {bounds!r}.",
                            owner=owner, name=name, bounds=bounds))
    return float(bounds[0]), float(bounds[1])


def slider_value(owner: str, name: str, value, low: float, high: float) -> float:
    """A value for a slider over ``[low, high]``: a finite number inside the range (a slider
    would silently clamp anything else to an end)."""
    if not is_number(value) or not math.isfinite(value) or not low <= value <= high:
        raise ValueError(tr("{owner}: {name} must be a finite number from {low} to {high} "
                            "(the slider's range), got {value!r}.", owner=owner, name=name,
                            low=format_value(low, 6, "-"), high=format_value(high, 6, "-"),
                            value=value))
    return float(value)


TEXT_CHARS_PER_NUMBER = 32     # "-1.2345678901234567e-300, " is 26 characters


def check_text_size(owner: str, name: str, text: str, shape: tuple) -> None:
    """Refuse, before parsing it, a text far longer than an array of ``shape`` can need
    (parsing 3 million numbers takes tens of seconds only to find the shape is wrong)."""
    count = math.prod(shape)
    limit = TEXT_CHARS_PER_NUMBER * count + 8 * len(shape) + 64
    if len(text) > limit:
        raise ValueError(tr("{owner}: {name} expects an array of shape {shape} ({count:,} "
                            "numbers), but the text is {length:,} characters long (more than "
                            "{limit:,}); enter {count:,} numbers.", owner=owner, name=name,
                            shape=shape, count=count, length=len(text), limit=limit))


class FigureView(widgets.Image):
    """One matplotlib figure shown as a PNG image and redrawn in place by ``refresh()``.

    ``figure`` is a ``matplotlib.figure.Figure`` (Agg canvas, not registered with pyplot,
    so nothing else gets displayed); draw on ``figure``/``ax`` then call ``refresh()``.
    ``margins``: (left, right, bottom, top) around the axes in inches, fixed: room for tick
    labels, axis labels and a title.  Fixed margins rather than ``layout="constrained"``,
    which re-measures every text at each redraw and doubles the cost of a refresh.
    """

    def __init__(self, figsize=(5.0, 3.2), dpi: int = 100,
                 margins=(0.85, 0.15, 0.55, 0.35), **kwargs):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        width, height = figsize
        left, right, bottom, top = margins
        if left + right >= width or bottom + top >= height:
            raise ValueError(tr("FigureView: margins {margins} (inches) leave no room for the "
                                "axes in a figure of size {figsize}.", margins=margins,
                                figsize=figsize))
        super().__init__(format="png", **kwargs)
        self.figure = Figure(figsize=figsize, dpi=dpi)
        self.figure.subplots_adjust(left=left / width, right=1 - right / width,
                                    bottom=bottom / height, top=1 - top / height)
        FigureCanvasAgg(self.figure)
        self.ax = self.figure.add_subplot()
        self.renders = 0
        self._moving: list = []
        self._background = None      # the picture without the moving artists

    def set_moving(self, *artists) -> None:
        """Artists that move on their own (a marker following a slider): drawn on top of
        a saved picture of everything else by ``refresh(moving_only=True)``."""
        for artist in artists:
            artist.set_animated(True)        # the full draw leaves them out
        self._moving = list(artists)

    def refresh(self, moving_only: bool = False) -> None:
        """Render the figure to PNG into this widget (skipped under nbgrader).

        ``moving_only=True``: only the artists given to :meth:`set_moving` changed; paste
        them on the saved picture of the rest (no axes, ticks or text laid out again:
        a few milliseconds instead of tens).
        """
        if under_nbgrader():
            return
        canvas = self.figure.canvas
        if moving_only and self._background is not None:
            canvas.restore_region(self._background)
        else:
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        for artist in self._moving:
            artist.axes.draw_artist(artist)
        self.value = _png(canvas)
        self.renders += 1


def _png(canvas) -> bytes:
    """The Agg canvas's pixels as PNG bytes."""
    from PIL import Image

    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.save(buffer, format="png")
    return buffer.getvalue()


def number_rows(rows, caption: str = "") -> str:
    """An HTML table of (label, text) rows; labels and texts are escaped."""
    body = "".join(f"<tr><td style='padding:1px 10px 1px 0'>{html.escape(str(label))}</td>"
                   f"<td style='font-family:monospace'>{html.escape(str(text))}</td></tr>"
                   for label, text in rows)
    head = f"<caption style='text-align:left'><b>{html.escape(caption)}</b></caption>" \
        if caption else ""
    return f"<table class='backprop-lab-numbers'>{head}{body}</table>"


def message_html(text: str, error: bool = False) -> str:
    """A one-line message (red for errors), escaped."""
    color = render.GRAD_COLOR if error else "#57606a"
    return f"<div style='color:{color};white-space:pre-wrap'>{html.escape(text)}</div>"
