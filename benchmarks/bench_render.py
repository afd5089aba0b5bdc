"""How long does drawing a circuit take, against graph size and fan-out?

Prints the drawing-time curve of ``bl.render_svg`` (the DOT from ``bl.draw`` + the layout by
the embedded Graphviz) for three shapes of graph at growing sizes:

* **chain**: ``x`` through n alternating ×1.01 / tanh gates (depth n, no fan-out);
* **tree**: a balanced tree of + and × gates over n/2 leaves (depth log n);
* **fan-out**: one ``x`` into n/3 products ``x·cᵢ``, summed by a chain of + gates -- the
  case that took 28-38 s at 300 nodes and crashed at 1,500 before drawings were summarised.

Each size is drawn the default way (big graphs summarised: at most ``MAX_NODES`` nodes, a
node feeding more than ``MAX_FAN_OUT`` gates drawn as copies at each gate) and, up to
``--full-up-to`` nodes, completely (``max_nodes=None`` and no copies: the way every graph
was drawn before), with a time limit (``--limit`` seconds) so that the curve ends instead of
hanging.  Also printed: the first drawing of a new kernel with an empty compiled-module cache
(Graphviz compiled to machine code) and with the cache filled, in fresh processes.

    .venv/bin/python benchmarks/bench_render.py            # ~1-2 min on 2 shared cores
    .venv/bin/python benchmarks/bench_render.py --quick    # small sizes, a smoke test

Times are CPU seconds of this process (``time.process_time``, the Graphviz worker thread
included), which other programs on a shared machine do not inflate; the median of
``--repeats`` drawings, each of a fresh graph, with the SVG cache cleared.  Goals: every
default drawing under 2 s, the 50-node drawing under 10 ms, a new kernel's first drawing
several times cheaper with the cache, and every *small* drawing (the ones Graphviz runs
without interruption checks, see ``render_graphviz``) far below a second: the slowest of
random circuits that small (many crossings) is printed.
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from unittest import mock

import backprop_lab as bl
from backprop_lab import render, render_graphviz


def chain(n: int):
    x = bl.var(0.5, name="x")
    node = x
    for i in range(n - 1):
        node = bl.tanh(node) if i % 2 else node * 1.01
    return node


def tree(n: int):
    level = [bl.var(0.01 * i, name=f"x{i}") for i in range((n + 1) // 2)]
    while len(level) > 1:
        pairs = [(level[i] * level[i + 1]) if (i // 2) % 2 else (level[i] + level[i + 1])
                 for i in range(0, len(level) - 1, 2)]
        level = pairs + level[len(level) - len(level) % 2:]
    return level[0]


def fan_out(n: int):
    x = bl.var(1.5, name="x")
    total = None
    for i in range(max(1, n // 3)):
        term = x * bl.var(0.1 * i, name=f"c{i}")
        total = term if total is None else total + term
    return total


SHAPES = {"chain": chain, "tree": tree, "fan-out": fan_out}


def random_circuit(n: int, seed: int, span: int):
    """n nodes: each gate multiplies (or adds, then tanh) one of the last few nodes and
    one of the last ``span`` -- long spans give the layout many crossings to untangle."""
    rnd = random.Random(seed)
    nodes = [bl.var(0.1 * i + 0.3, name=f"x{i}") for i in range(4)]
    while len(nodes) < n:
        a = rnd.choice(nodes[-3:])
        b = rnd.choice([m for m in nodes[max(0, len(nodes) - span):] if m is not a])
        nodes.append(a * b if rnd.random() < 0.5 else bl.tanh(a + b))
    nodes[-1].backward()
    return nodes[-1]


def slowest_small_drawing() -> tuple[float, int, str]:
    """The drawings laid out without interruption checks are the ones draw() marks small:
    the slowest of random circuits that small (CPU seconds, how many, which)."""
    worst, count = (0.0, ""), 0
    for n in (20, 30, 40, 50):
        for span in (3, 8, 30, 80):
            for seed in range(3):
                digraph = render.draw(random_circuit(n, seed, span))
                if digraph._small_source is None:
                    continue
                count += 1
                seconds = cpu_seconds(lambda: render.render_svg(digraph, engine="wasm"), 1)
                worst = max(worst, (seconds, f"{n} nodes, span {span}, seed {seed}"))
    return worst[0], count, worst[1]


def cpu_seconds(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        render_graphviz.clear_svg_cache()
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return statistics.median(times)


def draw_once(shape, n: int, full: bool, limit: float):
    out = SHAPES[shape](n)
    out.backward()
    if not full:
        return lambda: render.render_svg(out, engine="wasm", timeout=limit)

    def complete():
        with mock.patch.object(render, "MAX_FAN_OUT", 10**9):
            return render.render_svg(out, engine="wasm", timeout=limit, max_nodes=None)
    return complete


def curve(sizes, repeats: int, full_up_to: int, limit: float) -> float:
    print(f"{'shape':8s} {'nodes':>6s} {'drawn':>6s} {'default (s)':>12s} "
          f"{'complete (s)':>13s}  summary")
    worst = 0.0
    for shape in SHAPES:
        for n in sizes:
            out = SHAPES[shape](n)
            out.backward()
            digraph = render.draw(out)
            drawn = len(render._nodes_to_draw(bl.Graph(out), render.MAX_NODES))
            default = cpu_seconds(draw_once(shape, n, False, limit), repeats)
            worst = max(worst, default)
            complete = "-"
            if n <= full_up_to:
                try:
                    complete = f"{cpu_seconds(draw_once(shape, n, True, limit), 1):.3f}"
                except render.RenderLimitExceeded:
                    complete = f"> {limit:g} (stopped)"
            note = digraph.summary.split("\n")[0][:60] if digraph.summary else "complete"
            print(f"{shape:8s} {len(bl.Graph(out).nodes):6d} {drawn:6d} "
                  f"{default:12.3f} {complete:>13s}  {note}", flush=True)
    return worst


def first_drawing(cache: str | None) -> float:
    """CPU seconds a new Python process spends on import + its first drawing."""
    code = ("import time, backprop_lab as bl; from backprop_lab import render;"
            "x = bl.var(1.0, name='x'); f = (x * x).named('f'); f.backward();"
            "render.render_svg(f, engine='wasm');"
            "import resource; r = resource.getrusage(resource.RUSAGE_SELF);"
            "print(r.ru_utime + r.ru_stime)")
    env = dict(os.environ)
    env[render_graphviz.CACHE_VARIABLE] = cache
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True)
    return float(result.stdout.strip())


def startup() -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        compiled = first_drawing(folder)           # empty: compiles and fills the cache
        cached = statistics.median(first_drawing(folder) for _ in range(3))
    return compiled, cached


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--full-up-to", type=int, default=300,
                        help="also draw complete graphs up to this many nodes")
    parser.add_argument("--limit", type=float, default=20.0,
                        help="seconds a complete drawing may take before it is stopped")
    args = parser.parse_args()
    sizes = [10, 50, 150] if args.quick else [10, 50, 100, 150, 300, 1500, 5000]
    full_up_to = min(args.full_up_to, 50) if args.quick else args.full_up_to

    render.warm_up()
    print("load average (1, 5, 15 min) at the start: %.2f %.2f %.2f" % os.getloadavg())
    print(f"MAX_NODES = {render.MAX_NODES}, MAX_FAN_OUT = {render.MAX_FAN_OUT}; "
          f"CPU seconds per drawing (median of {args.repeats})\n")
    worst = curve(sizes, args.repeats, full_up_to, args.limit)

    out = chain(50)
    out.backward()
    fifty = cpu_seconds(lambda: render.render_svg(out, engine="wasm"), 10 * args.repeats)
    digraph = render.draw(out)
    building = cpu_seconds(lambda: render.draw(out), 10 * args.repeats)
    layout = cpu_seconds(lambda: digraph.svg("wasm"), 10 * args.repeats)
    checked = cpu_seconds(lambda: render_graphviz.svg_from_dot(digraph.source, "wasm"),
                          10 * args.repeats)
    slowest, small, which = slowest_small_drawing()
    compiled, cached = startup()
    print(f"\n50-node chain, one drawing: {fifty * 1000:.1f} ms (a new drawing: the DOT is "
          f"built and Graphviz lays it out, nothing reused; of which building the DOT "
          f"{building * 1000:.1f} ms, Graphviz {layout * 1000:.1f} ms, medians measured apart; "
          f"a small drawing: Graphviz compiled without interruption checks -- with them "
          f"{checked * 1000:.1f} ms)")
    print(f"small drawings (no interruption checks): the slowest of {small} random circuits "
          f"that small took {slowest * 1000:.1f} ms ({which})")
    print(f"new process, import + first drawing: {compiled:.2f} s compiling Graphviz, "
          f"{cached:.2f} s from the compiled-module cache "
          f"(ratio cached / compiled {cached / compiled:.2f})")
    goals = {"every default drawing < 2 s": worst < 2.0,
             "50-node drawing < 10 ms": fifty < 0.010,
             "small drawings (not interruptible halfway) < 0.25 s": slowest < 0.25,
             "cache makes the first drawing >= 3x cheaper": compiled >= 3 * cached}
    print("load average (1, 5, 15 min) at the end: %.2f %.2f %.2f" % os.getloadavg())
    for goal, met in goals.items():
        print(f"  {goal}: {'OK' if met else 'NOT MET'}")
    print("goals met" if all(goals.values()) else "GOALS NOT MET")
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
