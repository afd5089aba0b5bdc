"""How long does one slider move take in GraphExplorer for a 50-node graph?

One update = what a slider change triggers: engine forward + backward, the DOT source
(``bl.draw``), the layout to SVG, and the widget's HTML value.  We time it with the
embedded Graphviz (WebAssembly through wasmtime) and, when installed, with the system
``dot`` program, in the same run, and print the parts and the ratio.

    .venv/bin/python benchmarks/bench_widgets.py [--nodes 50] [--repeats 40]

The design goal is well under 100 ms per update.
"""
import argparse
import os
import shutil
import statistics
import time

import backprop_lab as bl
from backprop_lab import render
from backprop_lab.widgets import GraphExplorer


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
    times = []
    for _ in range(repeats):
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


if __name__ == "__main__":
    main()
