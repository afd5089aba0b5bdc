"""How long does one slider move take in GraphExplorer for a 50-node graph?

One update = what a slider change triggers: engine forward + backward, the DOT source
(``bl.draw``), the layout to SVG, and the widget's HTML value.  We time it with the
embedded Graphviz (WebAssembly through wasmtime) and, when installed, with the system
``dot`` program, in the same run, and print the parts and the ratio.

    .venv/bin/python benchmarks/bench_widgets.py [--nodes 50] [--repeats 40]

The design goal is well under 100 ms per update.  Also printed: a fan-out-heavy 50-node
graph (the slow case, which updates on release) and one line per widget of the lessons.
"""
import argparse
import os
import shutil
import statistics
import time

import backprop_lab as bl
from backprop_lab import render, render_graphviz
from backprop_lab.widgets import GraphExplorer
from backprop_lab.widgets import explorer as explorer_module


def build(nodes: int):
    """A small two-input neuron network (tanh units) with about ``nodes`` nodes."""
    x0, x1 = bl.var(0.5, name="x0"), bl.var(-1.5, name="x1")
    leaves = [x0, x1]
    total = None
    unit = 0
    while True:
        w0, w1 = bl.var(0.3 + 0.1 * unit, name=f"a{unit}"), bl.var(-0.2 * unit, name=f"b{unit}")
        h = bl.tanh(w0 * x0 + w1 * x1)
        total = h if total is None else total + h
        unit += 1
        if len(bl.Graph(total).nodes) >= nodes - 1:
            break
    out = (total * total).named("L")
    return bl.Graph(out), leaves


def median_ms(function, repeats: int) -> float:
    """Median wall time of ``function``; the renderer's SVG cache is emptied before each
    call so that Graphviz really runs (a slider moved back to a value would hit it)."""
    times = []
    for _ in range(repeats):
        render_graphviz.clear_svg_cache()
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args()

    graph, _ = build(args.nodes)
    print(f"graph: {len(graph.nodes)} nodes, {len(graph.leaves)} leaves")
    start = time.perf_counter()
    render.warm_up()
    print(f"embedded Graphviz first compile (warm-up): {(time.perf_counter() - start) * 1000:.0f} ms")

    explorer = GraphExplorer(graph)
    slider = explorer.controls["x0"]
    values = [-1.0, 1.0]
    counter = {"i": 0}

    def move_slider():
        counter["i"] += 1
        slider.value = values[counter["i"] % 2] + 0.01 * (counter["i"] % 7)

    def engine_only():
        graph.forward(x0=0.25)
        graph.backward()

    source = bl.draw(graph).source
    parts = {
        "engine forward + backward": median_ms(engine_only, args.repeats),
        "draw (DOT source)": median_ms(lambda: bl.draw(graph), args.repeats),
        "layout, embedded Graphviz (wasm)": median_ms(
            lambda: render.render_svg(source, engine="wasm"), args.repeats),
    }
    has_dot = shutil.which("dot") is not None
    if has_dot:
        parts["layout, system dot"] = median_ms(lambda: render.render_svg(source, engine="dot"),
                                                args.repeats)
    for name, ms in parts.items():
        print(f"  {name:36s} {ms:8.2f} ms")

    os.environ.pop(render.ENGINE_VARIABLE, None)          # default engine: auto = wasm
    wasm_update = median_ms(move_slider, args.repeats)
    print(f"slider change -> new SVG (GraphExplorer, wasm): {wasm_update:.1f} ms per update "
          f"({1000 / wasm_update:.0f} updates/s)")
    if has_dot:
        os.environ[render.ENGINE_VARIABLE] = "dot"
        dot_update = median_ms(move_slider, args.repeats)
        del os.environ[render.ENGINE_VARIABLE]
        print(f"slider change -> new SVG (GraphExplorer, system dot): {dot_update:.1f} ms per "
              f"update")
        print(f"ratio system dot / wasm per update: {dot_update / wasm_update:.2f}x")
    else:
        print("system dot not installed: no comparison (apt-get install graphviz)")
    print("goal: well under 100 ms per update ->", "OK" if wasm_update < 100 else "TOO SLOW")
    fan_out(args.repeats, has_dot)
    every_widget(args.repeats)


def fan_out(repeats: int, has_dot: bool) -> None:
    """The case that was slow: 50 nodes where x and y each feed 16 gates (f = tanh(f·y + x),
    16 times).  Long wires from two junctions made the layout 140-330 ms; since a node
    feeding more than ``render.MAX_FAN_OUT`` gates is drawn with a copy at each gate, it
    lays out like any 50-node graph.  Goal: a slider update under 50 ms."""
    x, y = bl.var(0.5, name="x"), bl.var(-0.3, name="y")
    f = x
    for _ in range(16):
        f = bl.tanh(f * y + x)
    graph = bl.Graph(f.named("f"))
    graph.backward()
    source = bl.draw(graph).source
    repeats = max(3, repeats // 4)
    wasm = median_ms(lambda: render.render_svg(source, engine="wasm"), repeats)
    print(f"\nfan-out-heavy graph: {len(graph.nodes)} nodes, x and y feed 16 gates each")
    print(f"  {'layout, embedded Graphviz (wasm)':36s} {wasm:8.1f} ms")
    if has_dot:
        dot = median_ms(lambda: render.render_svg(source, engine="dot"), repeats)
        print(f"  {'layout, system dot':36s} {dot:8.1f} ms")
    explorer = GraphExplorer(graph)
    counter = {"i": 0}

    def move_x():
        counter["i"] += 1
        explorer.controls["x"].value = 0.5 + 0.01 * (counter["i"] % 50)
    update = median_ms(move_x, repeats)
    print(f"  {'slider change -> new SVG (wasm)':36s} {update:8.1f} ms "
          f"(goal < 50 ms: {'OK' if update < 50 else 'NOT MET'})")
    mode = ("update on release" if not explorer.controls["x"].continuous_update
            else "updates while dragging")
    print(f"  GraphExplorer on this graph: {mode} (switches when an update takes over "
          f"{explorer_module.SLOW_UPDATE_SECONDS * 1000:.0f} ms)")


def every_widget(repeats: int) -> None:
    """One line per widget of the lessons, at the lessons' sizes: what one control change
    costs (the handler, drawing included).  Controls marked "on release" update when the
    slider is let go (continuous_update=False), the others at every tick of a drag."""
    from backprop_lab.widgets import (BackwardStepper, GatePatterns, NeuronTrainer,
                                      NumericalVsAnalytic, RNNGradientExplorer)

    def cycling(control, values):
        state = {"i": 0}

        def move():
            state["i"] += 1
            control.value = values[state["i"] % len(values)]
        return move

    seed = GraphExplorer(lambda x, y, z: (x + y) * z, x=-2, y=5, z=-4)
    numerical = NumericalVsAnalytic(lambda x: bl.sigmoid(x) * bl.exp(x), x=0.5)
    trainer = NeuronTrainer()
    patterns = GatePatterns()
    w0, x0, w1, x1, w2 = (bl.var(v, name=n) for v, n in
                          [(2.0, "w0"), (-1.0, "x0"), (-3.0, "w1"), (-2.0, "x1"), (-3.0, "w2")])
    stepper = BackwardStepper(bl.sigmoid(w0 * x0 + w1 * x1 + w2))
    rnn = RNNGradientExplorer()
    cases = [
        ("GraphExplorer (f = (x + y)z) x slider", seed.controls["x"],
         [-2.0, -1.5, -1.0, -0.5]),
        ("NumericalVsAnalytic h slider", numerical.h_slider, [1e-3, 1e-5, 1e-7, 1e-9]),
        ("NumericalVsAnalytic x slider", numerical.x_slider, [0.5, 0.7, 0.9, 1.1]),
        ("NeuronTrainer target slider", trainer.target, [1.0, 0.8, 0.6, 0.4]),
        ("GatePatterns x slider", patterns.x, [1.0, 2.0, 3.0, -1.0]),
        ("BackwardStepper step slider", stepper.slider,
         list(range(stepper.slider.max + 1))),
        ("RNNGradientExplorer rho slider", rnn.rho_slider, [0.8, 1.0, 1.05, 1.2]),
    ]
    print("\nper widget (median of one control change):")
    for name, control, values in cases:
        mode = "while dragging" if control.continuous_update else "on release"
        ms = median_ms(cycling(control, values), repeats)
        print(f"  {name:36s} {ms:8.1f} ms  ({mode})")
    ms = median_ms(lambda: trainer.step(), repeats)
    print(f"  {'NeuronTrainer Step button':36s} {ms:8.1f} ms  (one click)")


if __name__ == "__main__":
    main()
