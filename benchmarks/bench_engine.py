"""Benchmarks: our engine against a peer measured in the same run; prints ratios.

1. The scalar engine (one Node per number, ``bl.var``) against micrograd 0.1.0 on the same
   MLP forward + backward (same weights, same inputs, same loss).   Goal: ours faster.
2. The array engine (``bl.layers``) against PyTorch on CPU for one MLP training step
   (forward, loss, backward, SGD update), float64 in both.           Goal: within 2×.

    .venv/bin/python benchmarks/bench_engine.py            # both, default sizes
    .venv/bin/python benchmarks/bench_engine.py --quick    # smaller, for a smoke test

Each timing is the best of several repeats (``time.perf_counter``); the peers are run
interleaved with ours so that both see the same machine load.  Ratios > 1 mean ours is
slower.  micrograd: ``pip install micrograd==0.1.0`` (the ``bench`` extra); PyTorch:
``pip install torch==2.13.0`` (CPU build) — a part is skipped when its peer is missing.
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import random
import sys
import time

# One BLAS/OpenMP thread for numpy and PyTorch alike unless BENCH_THREADS says otherwise:
# the two libraries then use the same resources, and a machine shared with other work
# disturbs the ratio less.  Set before numpy is imported (BLAS reads it at load time).
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, str(THREADS))

import numpy as np                                              # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import backprop_lab as bl                                       # noqa: E402
from backprop_lab.layers import SGD, MSELoss, mlp               # noqa: E402


# With one thread, CPU time of this process (time other programs take on a shared machine
# does not count); with several, wall time (CPU time would add up the threads).
CLOCK = time.process_time if THREADS == 1 else time.perf_counter


def best_of(function, repeats: int) -> float:
    """Best time (``CLOCK``) over ``repeats`` calls.  The garbage collector stays on, as in
    real use, but starts each call empty."""
    best = math.inf
    for _ in range(repeats):
        gc.collect()
        start = CLOCK()
        function()
        best = min(best, CLOCK() - start)
    return best


def interleaved(functions: dict, repeats: int, rounds: int = 5) -> dict:
    """Best time of each function, alternating between them ``rounds`` times."""
    best = {name: math.inf for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            best[name] = min(best[name], best_of(function, repeats))
    return best


# ------------------------------------------------------------ 1. scalar engine vs micrograd
def scalar_weights(sizes, seed=0):
    """Per layer, per neuron: (list of input weights, bias) as floats, like micrograd's init."""
    rnd = random.Random(seed)
    return [[([rnd.uniform(-1, 1) for _ in range(n_in)], 0.0) for _ in range(n_out)]
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def scalar_data(n_samples, n_inputs, seed=1):
    rnd = random.Random(seed)
    X = [[rnd.uniform(-2, 2) for _ in range(n_inputs)] for _ in range(n_samples)]
    y = [rnd.choice([-1.0, 1.0]) for _ in range(n_samples)]
    return X, y


def ours_scalar_step(params, X, y):
    """Forward + backward of Σ (mlp(x) − y)² with one Node per number."""
    loss = 0.0
    last = len(params) - 1
    for x, target in zip(X, y):
        activations = x
        for i, layer in enumerate(params):
            outputs = []
            for weights, bias in layer:
                act = bias
                for w, a in zip(weights, activations):
                    act = act + w * a
                outputs.append(bl.relu(act) if i != last else act)
            activations = outputs
        loss = loss + (activations[0] - target) ** 2
    loss.backward()
    return loss


def micrograd_step(model, X, y):
    loss = 0.0
    for x, target in zip(X, y):
        loss = loss + (model(x) - target) ** 2
    model.zero_grad()
    loss.backward()
    return loss


def bench_scalar(sizes=(2, 16, 16, 1), n_samples=10, repeats=5):
    try:
        from micrograd.engine import Value
        from micrograd.nn import MLP
    except ImportError:
        print("micrograd is not installed (pip install micrograd==0.1.0): skipping part 1.")
        return None
    weights = scalar_weights(sizes)
    X, y = scalar_data(n_samples, sizes[0])
    ours = [[([bl.var(w) for w in ws], bl.var(b)) for ws, b in layer] for layer in weights]
    model = MLP(sizes[0], list(sizes[1:]))
    for layer, neurons in zip(model.layers, weights):
        for neuron, (ws, b) in zip(layer.neurons, neurons):
            neuron.w = [Value(w) for w in ws]
            neuron.b = Value(b)

    # same numbers first: loss and every gradient
    ours_loss = ours_scalar_step(ours, X, y)
    peer_loss = micrograd_step(model, X, y)
    ours_grads = [p.grad for layer in ours for ws, b in layer for p in [*ws, b]]
    peer_grads = [p.grad for p in model.parameters()]
    assert abs(ours_loss.value - peer_loss.data) <= 1e-9 * max(1.0, abs(peer_loss.data))
    np.testing.assert_allclose(ours_grads, peer_grads, rtol=1e-9, atol=1e-12)

    # ours, second way: build the graph once, then re-run it (what the widgets do)
    graph = bl.Graph(ours_loss)
    graph.forward()
    graph.backward()
    np.testing.assert_allclose([p.grad for layer in ours for ws, b in layer for p in [*ws, b]],
                               peer_grads, rtol=1e-9, atol=1e-12)

    def ours_rerun():
        graph.forward()
        graph.backward()

    times = interleaved({"rebuild": lambda: ours_scalar_step(ours, X, y),
                         "rerun": ours_rerun,
                         "micrograd": lambda: micrograd_step(model, X, y)}, repeats)
    rebuild = times["rebuild"] / times["micrograd"]
    rerun = times["rerun"] / times["micrograd"]
    print(f"[1] scalar MLP {list(sizes)}, {n_samples} samples, {len(graph)} nodes, "
          f"forward + backward (garbage collector on, as in real use)")
    print(f"    micrograd                                  {times['micrograd'] * 1e3:8.2f} ms")
    print(f"    ours, graph rebuilt every step (as micrograd) {times['rebuild'] * 1e3:5.2f} ms"
          f"   ratio {rebuild:.2f}")
    print(f"    ours, bl.Graph built once and re-run        {times['rerun'] * 1e3:6.2f} ms"
          f"   ratio {rerun:.2f}")
    return rebuild, rerun


# ---------------------------------------------------------- 2. array engine vs PyTorch
def bench_array(sizes=(784, 256, 128, 10), batch=128, lr=0.01, repeats=20):
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed (pip install torch==2.13.0): skipping part 2.")
        return None
    torch.set_num_threads(THREADS)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((batch, sizes[0]))
    Y = rng.standard_normal((batch, sizes[-1]))

    model, loss = mlp(list(sizes), activation="relu", seed=0), MSELoss()
    optimizer = SGD(lr)
    layers = []
    for affine in model.layers[::2]:
        linear = torch.nn.Linear(*affine.W.shape, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(affine.W.T.copy()))
            linear.bias.copy_(torch.from_numpy(affine.b.copy()))
        layers += [linear, torch.nn.ReLU()]
    net = torch.nn.Sequential(*layers[:-1])
    torch_optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    tX, tY = torch.from_numpy(X), torch.from_numpy(Y)

    def ours_step():
        value = loss.forward(model.forward(X), Y)
        model.backward(loss.backward())
        optimizer.step(model)
        return value

    def torch_step():
        torch_optimizer.zero_grad()
        value = torch.nn.functional.mse_loss(net(tX), tY)
        value.backward()
        torch_optimizer.step()
        return value.item()

    # same numbers first: a few steps give the same losses and weights
    for _ in range(3):
        a, b = ours_step(), torch_step()
        assert abs(a - b) <= 1e-9 * abs(b), (a, b)
    np.testing.assert_allclose(model.layers[0].W, net[0].weight.detach().numpy().T, rtol=1e-9,
                               atol=1e-12)

    times = interleaved({"ours": ours_step, "torch": torch_step}, repeats)
    ratio = times["ours"] / times["torch"]
    print(f"[2] array MLP {list(sizes)}, batch {batch}, float64, one SGD training step "
          f"(torch {torch.__version__}, {torch.get_num_threads()} threads)")
    print(f"    ours      {times['ours'] * 1e3:9.3f} ms")
    print(f"    torch     {times['torch'] * 1e3:9.3f} ms")
    print(f"    ratio ours/torch = {ratio:.2f}  ({'within 2x' if ratio <= 2 else 'MORE THAN 2x SLOWER'})")
    return ratio


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        r1 = bench_scalar(sizes=(2, 8, 1), n_samples=4, repeats=2)
        r2 = bench_array(sizes=(20, 16, 4), batch=16, repeats=3)
    else:
        r1 = bench_scalar()
        r2 = bench_array()
    failed = (r1 is not None and min(r1) >= 1.0) or (r2 is not None and r2 > 2.0)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
