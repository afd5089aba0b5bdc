"""Draw a computational graph as a circuit: values in green above each wire, gradients in red.

    import backprop_lab as bl
    x, y, z = bl.var(-2.0, name="x"), bl.var(5.0, name="y"), bl.var(-4.0, name="z")
    f = ((x + y) * z).named("f")
    f.backward()
    bl.draw(f)              # a graphviz.Digraph; in Jupyter it displays as the circuit
    bl.render_svg(f)        # the same picture as SVG text

The picture follows the circuits of CS231n's "Backpropagation, Intuitions" (Karpathy) and
of sunlianglong's summary 神经网络与深度学习小结 (二):

* a leaf is its name at the start of a wire; a gate is a circle with its symbol
  (``+``, ``×``, ``max``, ``σ``, ``exp``, ``1/x``, ``+c``, ``×a``, ``x²``, ``@``, ``Σ`` ...);
  the output wire ends at the output's name (``out`` when it has none);
* wires are plain lines, without arrowheads, as in CS231n's circuits: the forward pass
  flows from left to right (top to bottom with ``rankdir="TB"``), the backward pass back;
* every wire carries the forward value of the node it leaves (green, the edge ``label``)
  and, once backward has run, the gradient that flows back along it (red, the edge's
  ``taillabel``).  When a node feeds several gates (fan-out), each wire shows its own
  branch's share ``upstream × local`` and the node shows the total (red, ``Σ ...``): the
  ``+=`` of the multivariable chain rule;
* an array shows its shape and a compact summary (``3×4 [-1.2 … 2.1]``), not every number.

The gradients drawn are the ones the engine recorded in its last backward (``node.grad``,
and ``node.sent`` for each wire's share): drawing never propagates gradients itself.

This module builds the DOT source (:func:`draw`); :mod:`backprop_lab.render_graphviz` runs
Graphviz on it -- the embedded WebAssembly build, or the system ``dot`` -- to make the SVG
(:func:`render_svg` does both steps).
"""
from __future__ import annotations

import functools
from collections import deque
from collections.abc import Iterable, Sequence

import graphviz
import numpy as np

from .graph import BackwardStep, Graph, Node
from .i18n.messages import tr
from .render_graphviz import (ENGINE_VARIABLE, RendererNotAvailable, RenderLimitExceeded,
                              available_engines, inline_svg, svg_from_dot, warm_up)
from .values import format_value

__all__ = ["draw", "render_svg", "format_value", "CircuitDigraph", "RendererNotAvailable",
           "available_engines", "warm_up", "inline_svg", "ENGINE_VARIABLE",
           "VALUE_COLOR", "GRAD_COLOR", "HIGHLIGHT_COLOR", "MAX_NODES", "MAX_FAN_OUT",
           "RenderLimitExceeded"]

VALUE_COLOR = "#1a7f37"       # forward values: green
GRAD_COLOR = "#cf222e"        # gradients: red
HIGHLIGHT_COLOR = "#e8890c"   # the gate of the current backward step: orange
HIGHLIGHT_FILL = "#fff1d6"
CONSTANT_COLOR = "#6e7781"
FONT = "Helvetica"            # Graphviz has built-in metrics for it: labels are sized right
#: A drawing shows at most this many nodes (the ones nearest the output); see draw().
MAX_NODES = 150
#: A node feeding more gates than this is drawn with a copy of its name at each gate.
MAX_FAN_OUT = 6
#: A drawing of at most this many DOT lines (nodes, wires and the 3 header lines: a chain
#: of 50 gates is 104) and characters is *small*: Graphviz lays it out in milliseconds (the
#: slowest of ~130 random circuits that small: 140 M WebAssembly instructions, a few tens of
#: ms), so the embedded Graphviz runs it without interruption checks, 10-20 % faster.
_SMALL_LINES = 110
_SMALL_CHARACTERS = 16_000


# ------------------------------------------------------------------------ drawing
class CircuitDigraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders through :func:`render_svg`.

    Jupyter displays it as SVG made by the embedded Graphviz (no system ``dot`` needed);
    ``.svg()`` returns that text, ``.pipe(format="svg")`` too, ``.save_svg(path)`` writes
    it to a file.  Every other use of the
    ``graphviz`` package's API (``.source``, ``.render`` to other formats, ...) is unchanged.
    """

    renderer_engine = "auto"
    #: the DOT source :func:`draw` made when the drawing is small (see ``_SMALL_LINES``):
    #: as long as the digraph still has this source, Graphviz may lay it out the quick way
    _small_source = None

    def svg(self, engine: str | None = None) -> str:
        """The SVG text of this graph (``engine``: ``"auto"``, ``"wasm"`` or ``"dot"``)."""
        return render_svg(self, engine=engine or self.renderer_engine)

    def save_svg(self, path, engine: str | None = None) -> str:
        """Write the SVG to ``path`` (no system Graphviz needed); returns the path."""
        with open(path, "w", encoding="utf-8") as file:
            file.write(self.svg(engine))
        return str(path)

    def _repr_image_svg_xml(self) -> str:
        return self.svg()

    def _repr_mimebundle_(self, include=None, exclude=None, **_):
        return {"image/svg+xml": self.svg()}

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False,
             *, engine=None, encoding=None):
        """Like ``graphviz.Digraph.pipe``; SVG output goes through :func:`render_svg`."""
        wants_svg = (format or self.format) == "svg"
        if wants_svg and renderer is None and formatter is None and neato_no_op is None \
                and (engine or self.engine) == "dot":
            text = self.svg()
            return text if encoding is not None else text.encode("utf-8")
        return super().pipe(format, renderer, formatter, neato_no_op, quiet,
                            engine=engine, encoding=encoding)


# DOT lines are written here rather than with Digraph.node()/.edge(): the same text, but
# those check their arguments and quote every value with regular expressions, which cost
# more than Graphviz's own layout of a small drawing.  Values repeat (shapes, colours,
# numbers), so each is quoted once.
_quote = functools.lru_cache(maxsize=4096)(graphviz.quoting.quote)


def _a_list(attrs: dict) -> str:
    """``label=... key=value ...`` as ``graphviz`` writes it: the label first, then the
    other attributes sorted by name, quoted where DOT needs it, None left out."""
    label = attrs.get("label")
    items = [] if label is None else [f"label={_quote(label)}"]
    items += [f"{_quote(key)}={_quote(value)}" for key, value in sorted(attrs.items())
              if key != "label" and value is not None]
    return " ".join(items)


def _add_node(dot: CircuitDigraph, name: str, **attrs) -> None:
    """``dot.node(name, **attrs)`` for one of our own node names (letters and digits), a
    node that is not a gate: sized by its label (the node defaults are a gate's)."""
    _add_node_line(dot, name, _a_list({"fixedsize": "false", **attrs}))


def _add_node_line(dot: CircuitDigraph, name: str, a_list: str) -> None:
    """A node whose attribute list is already written (a gate's, cached by symbol)."""
    dot.body.append(f"\t{name} [{a_list}]\n" if a_list else f"\t{name}\n")


def _add_edge(dot: CircuitDigraph, tail: str, head: str, **attrs) -> None:
    """``dot.edge(tail, head, **attrs)`` between two of our own node names."""
    _add_edge_line(dot, tail, head, _a_list(attrs))


def _add_edge_line(dot: CircuitDigraph, tail: str, head: str, a_list: str) -> None:
    """An edge whose attribute list is already written (a wire's, by :func:`_wire`)."""
    dot.body.append(f"\t{tail} -> {head} [{a_list}]\n" if a_list else f"\t{tail} -> {head}\n")


def _as_graph(node_or_graph, what: str) -> Graph:
    if isinstance(node_or_graph, Graph):
        return node_or_graph
    if isinstance(node_or_graph, Node):
        return Graph(node_or_graph)
    raise TypeError(f"{what}: expected a Node (e.g. the output of an expression) or a "
                    f"bl.Graph, got {type(node_or_graph).__name__}.")


def _highlighted_nodes(highlight) -> set[int]:
    """ids of the nodes to highlight: a Node, a BackwardStep, or an iterable of those."""
    if highlight is None:
        return set()
    if isinstance(highlight, (Node, BackwardStep)):
        highlight = [highlight]
    if not isinstance(highlight, Iterable):
        raise TypeError(f"draw(highlight=...): expected a Node, a BackwardStep or a list of "
                        f"them, got {type(highlight).__name__}.")
    ids = set()
    for item in highlight:
        if isinstance(item, BackwardStep):
            ids.add(id(item.node))
        elif isinstance(item, Node):
            ids.add(id(item))
        else:
            raise TypeError(f"draw(highlight=...): expected Nodes or BackwardSteps, got a "
                            f"{type(item).__name__}.")
    return ids


class _Gradients:
    """What the drawing shows as gradients: per node (its total) and per wire (its branch).

    From ``node.grad`` after a backward (``grads=True``), or from the BackwardSteps done so
    far (``grads=[step, ...]``: the state of a step-by-step backward).
    """

    def __init__(self, graph: Graph, grads):
        self.node: dict[int, object] = {}
        self.wire: dict[tuple[int, int], object] = {}      # (id(gate node), input index)
        if grads is False or grads is None:
            return
        if grads is True:
            self._from_nodes(graph)
        elif isinstance(grads, Sequence) and all(isinstance(s, BackwardStep) for s in grads):
            self._from_steps(graph, grads)
        else:
            raise TypeError(f"draw(grads=...): expected True, False or a list of BackwardSteps "
                            f"(from graph.backward_steps()), got {type(grads).__name__}.")

    def _from_nodes(self, graph: Graph) -> None:
        """Each wire carries its branch's share: what the gate sent back to input i in the
        last backward (``node.sent[i]``, upstream × local).  Not the input's ``.grad``:
        that is the total over all branches, and after a backward from a larger graph it
        includes branches not drawn.
        """
        for node in graph.nodes:
            if node.grad is not None:
                self.node[id(node)] = node.grad
            if node.sent is not None:
                for i, share in enumerate(node.sent):
                    self.wire[(id(node), i)] = share

    def _from_steps(self, graph: Graph, steps) -> None:
        output = graph.output
        seed = steps[0].upstream if steps else output.grad
        if seed is not None:
            self.node[id(output)] = seed
        for step in steps:
            for i, child in enumerate(step.node.inputs):
                self.wire[(id(step.node), i)] = step.received[i]
                self.node[id(child)] = step.totals[i]


def _consumer_counts(graph: Graph) -> dict[int, int]:
    counts = {id(node): 0 for node in graph.nodes}
    for node in graph.nodes:
        for child in node.inputs:
            counts[id(child)] += 1
    counts[id(graph.output)] += 1          # the output wire
    return counts


def draw(node_or_graph, *, grads=True, highlight=None, rankdir: str = "LR",
         precision: int = 3, output_name: str | None = None, title: str | None = None,
         size: str | None = None, wire_notes=None,
         max_nodes: int | None = MAX_NODES) -> CircuitDigraph:
    """The circuit of a graph as a ``graphviz.Digraph`` (it displays itself in Jupyter).

    ``node_or_graph``: the output Node of an expression, or a :class:`~backprop_lab.Graph`.
    ``grads``: ``True`` shows the gradients held by the nodes (after ``backward()``; none
    before), ``False`` hides them, a list of BackwardSteps shows the gradients known after
    those steps (see :class:`~backprop_lab.widgets.BackwardStepper`).
    ``highlight``: a Node, a BackwardStep or a list of them, drawn in orange with their
    input wires (the gate of the current backward step).
    ``rankdir``: ``"LR"`` (inputs on the left, like CS231n) or ``"TB"``.
    ``precision``: significant digits of the numbers; ``output_name``: the text at the end
    of the output wire (default: the output's name, else ``"out"``); ``title``: a caption;
    ``size``: Graphviz ``size`` attribute (e.g. ``"8,4"`` inches) to bound the picture.
    ``wire_notes``: ``{node: text}`` or ``{node: (text, colour)}``: the text replaces the
    red gradient on the wire leaving ``node`` (for a node that feeds several gates, the
    wire before it splits), e.g. a student's answer marked right or wrong by a drill.

    Big graphs are summarised so that a drawing stays quick (Graphviz's layout time grows
    much faster than the graph): only the ``max_nodes`` nodes nearest the output are drawn
    (default :data:`MAX_NODES`; ``None`` draws everything), each wire from an undrawn node
    starting at a ``⋯``; and a node that feeds more than :data:`MAX_FAN_OUT` gates gets a
    copy of its name at each gate instead of one long wire to every gate.  The caption says
    what was summarised, and so does the returned digraph's ``summary`` (``""`` when the
    drawing is complete).
    """
    graph = _as_graph(node_or_graph, "draw()")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw(rankdir=...): expected 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}.")
    if not isinstance(precision, int) or not 1 <= precision <= 12:
        raise ValueError(f"draw(precision=...): expected an int from 1 to 12, got {precision!r}.")
    if max_nodes is not None and (isinstance(max_nodes, bool) or not isinstance(max_nodes, int)
                                  or max_nodes < 1):
        raise ValueError(f"draw(max_nodes=...): expected a whole number of nodes >= 1 (or None "
                         f"to draw every node), got {max_nodes!r}.")
    gradients = _Gradients(graph, grads)
    notes = _wire_notes(graph, wire_notes)
    lit = _highlighted_nodes(highlight)
    consumers = _consumer_counts(graph)
    shown = _nodes_to_draw(graph, max_nodes)
    summary = []
    if len(shown) < len(graph.nodes):
        hidden = len(graph.nodes) - len(shown)
        summary.append(tr("Summarised: the {shown:,} nodes nearest the output of {total:,}; "
                          "each ⋯ is a wire from the {hidden:,} not drawn (draw(..., "
                          "max_nodes=None) draws all, slowly).", shown=len(shown),
                          total=len(graph.nodes), hidden=hidden))
    split = {id(node) for node in graph.nodes
             if id(node) in shown and consumers[id(node)] > MAX_FAN_OUT
             and not node.is_constant}

    dot = CircuitDigraph(name="circuit")
    dot.body.extend(_header_lines(rankdir, size))

    ids = {id(node): f"n{k}" for k, node in enumerate(graph.nodes)}
    tags = {}                              # what a split node's copies are called
    unnamed = 0
    for node in graph.nodes:
        key = id(node)
        if node.gate is None and not node.is_constant and node.name is None:
            unnamed += 1
        if key not in shown:
            continue
        name = ids[key]
        if node.gate is None:
            attrs = _leaf_attrs(node, precision, unnamed)
            _add_node(dot, name, **attrs)
        else:
            _add_node_line(dot, name, _gate_a_list(node.gate.symbol, key in lit))
        if key in split:
            # many consumers: a short wire (value, total gradient) to a note, and a copy
            # of the name at every gate it feeds (long wires to each gate would make
            # Graphviz's layout take seconds to minutes)
            tag = node.name or (attrs["label"] if node.gate is None else name)
            tags[key] = tag
            uses = consumers[key] - (node is graph.output)
            _add_node(dot, name + "j", label=tr("{tag} → {uses} gates", tag=tag, uses=uses),
                      shape="plaintext", fontcolor=CONSTANT_COLOR, fontsize="11")
            _add_edge_line(dot, name, name + "j", _wire(node, gradients.node.get(key), precision,
                                                        lit=False, note=notes.get(key)))
            summary.append(tr("{tag} feeds {uses} gates: each gate shows a copy of {tag} (its "
                              "wire's gradient in red; the total on {tag}'s own wire).", tag=tag,
                              uses=uses))
        elif consumers[key] > 1 and not node.is_constant:
            # fan-out: one wire (value, total gradient) to a junction where it splits
            _add_node(dot, name + "j", shape="point", width="0.07", color="#444444")
            _add_edge_line(dot, name, name + "j", _wire(node, gradients.node.get(key), precision,
                                                        lit=False, note=notes.get(key)))

    wire_grads = gradients.wire
    for node in graph.nodes:
        key = id(node)
        if node.gate is None or key not in shown:
            continue
        name, node_lit = ids[key], key in lit
        for i, child in enumerate(node.inputs):
            grad = wire_grads.get((key, i))
            child_key = id(child)
            if child_key not in shown:
                source = f"{name}h{i}"
                _add_node(dot, source, label="⋯", shape="plaintext", fontcolor=CONSTANT_COLOR)
                _add_edge_line(dot, source, name, _wire(child, grad, precision, lit=node_lit,
                                                        note=notes.get(child_key), dashed=True))
            elif child_key in split or (consumers[child_key] > 1 and not child.is_constant):
                # a wire from a copy of the name, or from the junction: its branch's gradient
                if child_key in split:
                    source = f"{ids[child_key]}c{name}_{i}"
                    _add_node(dot, source, label=tags[child_key], shape="plaintext",
                              fontcolor=CONSTANT_COLOR)
                else:
                    source = ids[child_key] + "j"
                attrs = {"label": "" if grad is None else f" {format_value(grad, precision)} ",
                         "fontcolor": GRAD_COLOR}
                if node_lit:
                    attrs.update(color=HIGHLIGHT_COLOR, penwidth="2.2")
                _add_edge(dot, source, name, **attrs)
            else:
                _add_edge_line(dot, ids[child_key], name, _wire(child, grad, precision,
                                                                lit=node_lit,
                                                                note=notes.get(child_key)))

    output = graph.output
    sink = output_name or output.name or "out"
    _add_node(dot, "output", label=sink, shape="plaintext")
    _add_edge_line(dot, ids[id(output)], "output",
                   _wire(output, gradients.node.get(id(output)), precision,
                         lit=id(output) in lit, named=False, note=notes.get(id(output))))
    dot.summary = "\n".join(summary)
    caption = "\n".join(([title] if title else []) + summary)
    if caption:
        dot.attr(label=caption, labelloc="t", fontsize="14" if not summary else "12",
                 labeljust="l" if summary else "c")
    if len(dot.body) <= _SMALL_LINES:
        source = dot.source
        if len(source) <= _SMALL_CHARACTERS:
            dot._small_source = source
    return dot


def _nodes_to_draw(graph: Graph, max_nodes: int | None) -> set[int]:
    """ids of the nodes a drawing shows: every node, or -- when that is more than
    ``max_nodes`` -- the nodes nearest the output (breadth-first over inputs), as many as
    fit when each wire from an undrawn node (a ``⋯`` in the picture) counts as one more.
    Visits only what it draws: a 100,000-node chain costs as little as a short one."""
    if max_nodes is None or len(graph.nodes) <= max_nodes:
        return {id(node) for node in graph.nodes}
    shown: set[int] = set()
    wires_in = {}                  # id(undrawn node) -> wires from it into drawn gates
    dangling = 0                   # sum of wires_in: the ⋯ in the picture
    queue = deque([graph.output])
    while queue:
        node = queue.popleft()
        if id(node) in shown:
            continue
        after = dangling - wires_in.get(id(node), 0) \
            + sum(1 for child in node.inputs if id(child) not in shown)
        if shown and len(shown) + 1 + after > max_nodes:
            break
        shown.add(id(node))
        wires_in.pop(id(node), None)
        dangling = after
        for child in node.inputs:
            if id(child) not in shown:
                wires_in[id(child)] = wires_in.get(id(child), 0) + 1
                queue.append(child)
    return shown


def _wire_notes(graph: Graph, wire_notes) -> dict[int, tuple[str, str]]:
    """``draw(wire_notes=...)`` checked: ``{id(node): (text, colour)}``."""
    if wire_notes is None:
        return {}
    if not isinstance(wire_notes, dict):
        raise TypeError(f"draw(wire_notes=...): expected a dict {{node: text}} or {{node: "
                        f"(text, colour)}}, got {type(wire_notes).__name__}.")
    in_graph = {id(node) for node in graph.nodes}
    notes = {}
    for node, note in wire_notes.items():
        if not isinstance(node, Node) or id(node) not in in_graph:
            raise ValueError(f"draw(wire_notes=...): the key {node!r} is not a node of this "
                             f"graph; use the Nodes of the expression being drawn.")
        text, colour = (note, GRAD_COLOR) if isinstance(note, str) else \
            (tuple(note) if isinstance(note, (tuple, list)) and len(note) == 2 else (None, None))
        if not isinstance(text, str) or not isinstance(colour, str):
            raise TypeError(f"draw(wire_notes=...): the note for {node!r} must be a text or a "
                            f"(text, colour) pair of strings, got {note!r}.")
        notes[id(node)] = (text, colour)
    return notes


@functools.lru_cache(maxsize=64)
def _header_lines(rankdir: str, size: str | None) -> tuple[str, ...]:
    """The graph, node and edge attribute lines every drawing starts with (written once
    per layout direction and size, by the ``graphviz`` package)."""
    dot = graphviz.Digraph()
    dot.attr(rankdir=rankdir, splines="spline", nodesep="0.45", ranksep="0.9",
             fontname=FONT, bgcolor="white", pad="0.15")
    if size:
        dot.attr(size=size)
    dot.attr("node", fixedsize="true", fontname=FONT, shape="circle")     # a gate
    dot.attr("edge", dir="none", fontname=FONT, fontsize="12", color="#444444",
             fontcolor=VALUE_COLOR, labelfontcolor=GRAD_COLOR, labelangle="-45",
             labeldistance="2.5")
    return tuple(dot.body)


def _leaf_attrs(node: Node, precision: int, unnamed: int) -> dict:
    """A leaf is its name (a constant: its value in a grey box); a leaf without a name is
    "input <unnamed>" (the count of unnamed inputs so far)."""
    if node.is_constant:
        return dict(label=format_value(node.value, precision), shape="box",
                    style="rounded", color=CONSTANT_COLOR, fontcolor=CONSTANT_COLOR,
                    fontsize="11", height="0.3")
    return dict(label=node.name or tr("input {i}", i=unnamed), shape="plaintext")


@functools.lru_cache(maxsize=256)
def _gate_a_list(symbol: str, lit: bool) -> str:
    """The DOT attributes of a gate: a circle with its symbol, orange when ``lit`` (the
    same for every gate with that symbol, so written once)."""
    attrs = dict(label=symbol,
                 width=str(round(max(0.5, 0.14 * len(symbol) + 0.2), 2)),
                 fontsize="16" if len(symbol) <= 2 else "12")
    if lit:
        attrs.update(color=HIGHLIGHT_COLOR, penwidth="2.5", style="filled",
                     fillcolor=HIGHLIGHT_FILL)
    return _a_list(attrs)


def _wire(child: Node, grad, precision: int, lit: bool, named: bool = True,
          note: tuple[str, str] | None = None, dashed: bool = False) -> str:
    """A wire's DOT attribute list: the value of ``child`` (green) and the gradient flowing
    back (red), or instead of the gradient a ``note`` (text, colour); ``dashed`` for a
    wire from an undrawn node."""
    value = format_value(child.value, precision)
    if named and child.gate is not None and child.name:
        value = f"{child.name} = {value}"
    if not (child.is_constant or note is not None or lit or dashed):     # most wires
        label = f"label={_quote(f' {value} ')}"
        return label if grad is None else \
            f"{label} taillabel={_quote(format_value(grad, precision))}"
    attrs = {"label": f" {value} "}
    if child.is_constant:
        attrs.update(label="", style="dashed", color=CONSTANT_COLOR)
    elif note is not None:
        attrs.update(taillabel=note[0], labelfontcolor=note[1])
    elif grad is not None:
        attrs["taillabel"] = format_value(grad, precision)
    if lit:
        attrs.update(color=HIGHLIGHT_COLOR, penwidth="2.2")
    if dashed:
        attrs["style"] = "dashed"
    return _a_list(attrs)


def render_svg(node_or_graph_or_digraph, *, engine: str | None = None, inline: bool = False,
               timeout: float | None = None, **draw_options) -> str:
    """SVG text of a circuit: from a Node or Graph (drawn with :func:`draw`, which takes
    ``draw_options``), a ``graphviz.Digraph``/``Graph``, or DOT source text.

    ``engine``: ``"wasm"`` (embedded Graphviz), ``"dot"`` (system Graphviz) or ``"auto"``
    (wasm, else dot; the default, or the environment variable ``BACKPROP_LAB_GRAPHVIZ``).
    ``inline=True`` drops the XML prologue so the SVG can be put inside HTML.
    ``timeout``: seconds Graphviz may take (default 30, or ``$BACKPROP_LAB_GRAPHVIZ_TIMEOUT``);
    past it, or past the embedded renderer's memory cap, :class:`RenderLimitExceeded` says
    what to do.  Ctrl-C / Jupyter's interrupt stops a drawing at once.
    Raises :class:`RendererNotAvailable`, saying what to install, when no renderer works.
    """
    subject = node_or_graph_or_digraph
    small = False
    if isinstance(subject, (Node, Graph)):
        digraph = draw(subject, **draw_options)
        small = digraph._small_source is not None
        source = digraph._small_source if small else digraph.source
    elif draw_options:
        raise TypeError(f"render_svg: options {sorted(draw_options)} are drawing options; "
                        f"they apply to a Node or Graph, not to a {type(subject).__name__}.")
    elif isinstance(subject, (graphviz.Digraph, graphviz.Graph)):
        source = subject.source
        small = source == getattr(subject, "_small_source", None)    # still as draw() made it
    elif isinstance(subject, str):
        source = subject
    else:
        raise TypeError(f"render_svg: expected a Node, a bl.Graph, a graphviz.Digraph or DOT "
                        f"source text, got {type(subject).__name__}.")
    svg = svg_from_dot(source, engine, timeout=timeout, small=small)
    return inline_svg(svg) if inline else svg
