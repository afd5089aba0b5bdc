"""Benchmark: vectorized convolution and pooling against the loop versions (and PyTorch).

One forward + backward pass of ``Conv2D`` (``method="im2col"`` against ``method="loop"``)
and of ``MaxPool2D`` (``"windows"`` against ``"loop"``), same weights, same input, same
upstream gradient; the results are checked to agree before anything is timed.  If PyTorch
is importable, ``torch.nn.functional.conv2d`` / ``max_pool2d`` (float64, CPU, autograd)
run the same pass as a third column.

    .venv/bin/python benchmarks/bench_conv.py            # default sizes
    .venv/bin/python benchmarks/bench_conv.py --quick    # smaller, for a smoke test

Each timing is the best of several repeats (``timeit``, garbage collector paused); the
versions are timed one after another in the same run, so they see the same machine load.
numpy's BLAS and PyTorch both use one thread unless ``OMP_NUM_THREADS`` says otherwise.
Ratios are loop time / vectorized time (how much faster im2col is) and vectorized time /
PyTorch time (how much slower we are than PyTorch).
"""
from __future__ import annotations

import argparse
import os
import sys
import timeit

# One thread for BLAS (numpy) and for PyTorch: the cores are shared, and thread pools that
# wait for a busy core make timings jump by 10×.  Set OMP_NUM_THREADS to override.
THREADS = os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", THREADS)

import numpy as np                                               # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from backprop_lab.conv import Conv2D, MaxPool2D                  # noqa: E402

try:
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(int(THREADS))
except ImportError:                                              # PyTorch is optional
    torch = None


def best_time(function, repeats: int) -> float:
    """Best wall time of one call, over ``repeats`` calls."""
    return min(timeit.repeat(function, number=1, repeat=repeats))


def layer_pass(layer, x, dout):
    def run():
        layer.forward(x)
        return layer.backward(dout)
    return run


def torch_conv_pass(x, W, b, dout, stride, pad):
    xt = torch.tensor(x, requires_grad=True)
    Wt = torch.tensor(W, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    dt = torch.tensor(dout)

    def run():
        xt.grad = Wt.grad = bt.grad = None
        F.conv2d(xt, Wt, bt, stride=stride, padding=pad).backward(dt)
        return xt.grad
    return run


def torch_pool_pass(x, dout, size, stride):
    xt = torch.tensor(x, requires_grad=True)
    dt = torch.tensor(dout)

    def run():
        xt.grad = None
        F.max_pool2d(xt, size, stride).backward(dt)
        return xt.grad
    return run


def compare(name: str, loop_run, fast_run, torch_run, repeats: int, loop_repeats: int) -> None:
    np.testing.assert_allclose(fast_run(), loop_run(), rtol=1e-10, atol=1e-10)
    if torch_run is not None:
        np.testing.assert_allclose(torch_run().numpy(), fast_run(), rtol=1e-10, atol=1e-10)
    t_loop = best_time(loop_run, loop_repeats)
    t_fast = best_time(fast_run, repeats)
    line = (f"{name:<44} loop {t_loop * 1e3:9.2f} ms   vectorized {t_fast * 1e3:8.3f} ms   "
            f"loop/vectorized = {t_loop / t_fast:7.1f}×")
    if torch_run is not None:
        t_torch = best_time(torch_run, repeats)
        line += f"   torch {t_torch * 1e3:7.3f} ms   vectorized/torch = {t_fast / t_torch:5.2f}×"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    repeats, loop_repeats = (3, 1) if args.quick else (20, 3)
    conv_cases = [(2, 3, 8, 4, 3, 1, 1)] if args.quick else [
        (4, 3, 16, 8, 3, 1, 1),        # N, C, H=W, F, kernel, stride, pad
        (8, 8, 16, 16, 3, 2, 1),
        (8, 3, 32, 16, 5, 1, 2),
    ]
    peer = f"PyTorch {torch.__version__}" if torch else "PyTorch not installed: no torch column"
    print(f"forward + backward, float64, {THREADS} thread(s); {peer}")
    for n, c, size, f, k, stride, pad in conv_cases:
        x = rng.standard_normal((n, c, size, size))
        W = rng.standard_normal((f, c, k, k))
        b = rng.standard_normal(f)
        loop = Conv2D(W, b, stride, pad, method="loop")
        fast = Conv2D(W, b, stride, pad, method="im2col")
        dout = rng.standard_normal(fast.forward(x).shape)
        compare(f"Conv2D x{x.shape} W{W.shape} s={stride} p={pad}",
                layer_pass(loop, x, dout), layer_pass(fast, x, dout),
                torch_conv_pass(x, W, b, dout, stride, pad) if torch else None,
                repeats, loop_repeats)
    pool_cases = [(2, 3, 8, 2, 2)] if args.quick else [(8, 16, 32, 2, 2), (8, 16, 32, 3, 2)]
    for n, c, size, window, stride in pool_cases:
        x = rng.standard_normal((n, c, size, size))
        loop = MaxPool2D(window, stride, method="loop")
        fast = MaxPool2D(window, stride, method="windows")
        dout = rng.standard_normal(fast.forward(x).shape)
        compare(f"MaxPool2D x{x.shape} size={window} s={stride}",
                layer_pass(loop, x, dout), layer_pass(fast, x, dout),
                torch_pool_pass(x, dout, window, stride) if torch else None,
                repeats, loop_repeats)


if __name__ == "__main__":
    main()
