"""RNN experiments and figures: gradient norms through time, clipping, the adding problem.

Built on the models and BPTT of :mod:`backprop_lab.rnn`; every figure is a matplotlib
``Figure`` (no pyplot, safe under Agg).

* :func:`gradient_norm_curves` -- the numbers behind a gradient-norm plot, as a
  :class:`GradientNormCurves` (measured norms, the theory line, clipping), and
  :func:`draw_curves` / :func:`draw_gradient_norms` to draw them on an axes;
* :func:`plot_gradient_norms`, :func:`plot_clipping`, :func:`plot_rnn_vs_lstm`;
* :func:`adding_problem` (Hochreiter & Schmidhuber 1997) and
  :func:`train_adding_problem`, a long-dependency task where the unclipped RNN's loss
  spikes, clipping keeps it stable and the LSTM solves it (:class:`TrainingRun` per
  model), drawn by :func:`plot_training`.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .i18n.messages import tr
from .layers import Affine, MSELoss, Sequential
from .rnn import (ACTIVATION_SLOPE, ACTIVATIONS, LSTM, ClippedSGD, LastStep, VanillaRNN,
                  clip_factor, fitted_rate, global_norm, gradient_norms,
                  largest_singular_value, theoretical_norms)
from .values import check_choice, check_int, check_real

__all__ = ["adding_problem", "TrainingRun", "train_adding_problem", "ADDING_BASELINE",
           "DEFAULT_RHOS", "GradientNormCurves", "verdict", "gradient_norm_curves",
           "draw_curves", "draw_gradient_norms", "plot_gradient_norms", "plot_clipping",
           "plot_rnn_vs_lstm", "plot_training"]


# ------------------------------------------------------------- the training demo
def adding_problem(n: int, steps: int, seed=0):
    """The adding problem (Hochreiter & Schmidhuber 1997): remember two numbers for a long time.

    Each of the n sequences has ``steps`` time steps with two inputs: a random number in
    [0, 1) and a marker that is 1 at exactly two steps (one in each half) and 0
    elsewhere.  The target is the sum of the two marked numbers.  Returns xs (steps, n, 2)
    and y (n, 1).  Always answering 1 (the mean) gives a mean squared error of 1/6; to do
    better the network must carry the first number across ~steps/2 steps.
    """
    steps = check_int("adding_problem", "steps", steps, 2)
    n = check_int("adding_problem", "n", n)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, (steps, n))
    markers = np.zeros((steps, n))
    columns = np.arange(n)
    markers[rng.integers(0, steps // 2, n), columns] = 1.0
    markers[rng.integers(steps // 2, steps, n), columns] = 1.0
    xs = np.stack([values, markers], axis=2)
    return xs, (values * markers).sum(axis=0)[:, None]


ADDING_BASELINE = 1.0 / 6.0       # MSE of always predicting the mean sum, 1
DIVERGED = 1e100                  # |prediction| above this counts as blown up


@dataclass
class TrainingRun:
    """What one model did on the adding problem.

    ``losses``: the training MSE of every iteration (each on a fresh batch);
    ``grad_norms``: the global gradient norm before clipping; ``diverged_at``: the
    iteration whose predictions overflowed (training stopped there), or None.
    """

    label: str
    losses: list = field(default_factory=list)
    grad_norms: list = field(default_factory=list)
    diverged_at: int | None = None
    seconds: float = 0.0

    @property
    def final_loss(self) -> float:
        """Mean loss of the last 100 iterations (inf if the run diverged)."""
        if self.diverged_at is not None or not self.losses:
            return math.inf
        return float(np.mean(self.losses[-100:]))

    def __repr__(self) -> str:
        """Printed by lesson 13, so in the notebook's language."""
        end = (tr("{iterations} iterations, diverged at iteration {iteration}",
                  iterations=len(self.losses), iteration=self.diverged_at)
               if self.diverged_at is not None else
               tr("{iterations} iterations, final loss {loss:.4f}", iterations=len(self.losses),
                  loss=self.final_loss))
        return f"TrainingRun({self.label!r}: {end})"


def _sequence_model(cell: str, hidden: int, rng) -> Sequential:
    if cell == "lstm":
        recurrent = LSTM.create(2, hidden, seed=rng)
    else:
        recurrent = VanillaRNN.create(2, hidden, rho=1.0, activation="tanh", seed=rng)
    readout = Affine(rng.standard_normal((hidden, 1)) / math.sqrt(hidden), np.zeros(1))
    return Sequential([recurrent, LastStep(), readout])


def train_adding_problem(steps: int = 30, iterations: int = 1200, batch: int = 32,
                         hidden: int = 16, lr: float = 0.5, max_norm: float = 1.0,
                         seed: int = 0, quick: bool = False,
                         models=("rnn", "rnn+clip", "lstm+clip")) -> dict:
    """Train small models on :func:`adding_problem` with plain SGD; return {label: TrainingRun}
    (labels ``"RNN"``, ``"RNN, clipped at 1"`` ... in the notebook's language).

    ``models`` picks among ``"rnn"``, ``"rnn+clip"``, ``"lstm"``, ``"lstm+clip"`` (tanh RNN
    with orthogonal Whh, or LSTM; ``+clip``: gradients clipped to global norm
    ``max_norm``).  Every model sees the same batches (``seed``).  With the defaults
    (about 10 s on an idle core): the unclipped RNN blows up, the clipped RNN stays stable but
    stalls at the baseline 1/6 (clipping caps exploding gradients, it cannot bring back
    vanished ones), and the clipped LSTM learns the task.  ``quick=True`` shrinks it
    (steps 20, 300 iterations) for tests and lessons that must run in a couple of seconds.
    """
    if quick:
        steps, iterations = min(steps, 20), min(iterations, 300)
    known = ("rnn", "rnn+clip", "lstm", "lstm+clip")
    for name in models:
        if name not in known:
            raise ValueError(tr("train_adding_problem: unknown model {name!r}; choose from "
                                "{known}.", name=name, known=list(known)))
    # the keys, printed by lesson 13, in the notebook's language (as the legend shows them)
    threshold = f"{max_norm:g}"
    labels = {"rnn": "RNN", "rnn+clip": tr("{cell}, clipped at {max_norm}", cell="RNN",
                                            max_norm=threshold),
              "lstm": "LSTM", "lstm+clip": tr("{cell}, clipped at {max_norm}", cell="LSTM",
                                              max_norm=threshold)}
    runs = {}
    for name in models:
        cell, clipped = name.split("+")[0], name.endswith("+clip")
        data_rng = np.random.default_rng(seed)
        model = _sequence_model(cell, hidden, np.random.default_rng(seed + 1))
        optimizer = ClippedSGD(lr, max_norm=max_norm if clipped else None)
        loss = MSELoss()
        run = TrainingRun(labels[name])
        start = time.perf_counter()
        for i in range(iterations):
            xs, y = adding_problem(batch, steps, data_rng)
            scores = model.forward(xs)
            if not np.all(np.abs(scores) < DIVERGED):
                run.diverged_at = i
                break
            run.losses.append(loss.forward(scores, y))
            model.backward(loss.backward())
            optimizer.step(model)
        run.grad_norms = optimizer.norms
        run.seconds = time.perf_counter() - start
        runs[labels[name]] = run
    return runs


# ------------------------------------------------------------------------ figures
NORM_LABEL = r"$\|\partial L / \partial h_{T-k}\|$"
# spectral radii that show vanishing, the edge and exploding for each activation
DEFAULT_RHOS = {"identity": (0.8, 0.95, 1.0, 1.05, 1.2), "tanh": (0.8, 1.0, 1.5, 2.0, 3.0),
                "relu": (0.8, 1.0, 1.2, 1.5, 2.0), "sigmoid": (1.0, 2.0, 4.0, 6.0, 8.0)}


def _figure(ncols: int = 1, width: float = 5.0, height: float = 3.4):
    """A matplotlib Figure not registered with pyplot (works under Agg, no window)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * ncols, height), layout="constrained")
    return fig, [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]


def _demo_inputs(steps: int, batch: int, size: int, seed: int):
    return np.random.default_rng(seed).standard_normal((steps, batch, size))


@dataclass
class GradientNormCurves:
    """The numbers behind a gradient-norm plot (:func:`gradient_norm_curves`).

    ``k`` (0 .. steps) and ``norms`` (‖∂L/∂h_{T−k}‖, loss on the last step);
    ``rate`` and ``theory`` (``norms[0]·rate^k``): rate = ρ for a linear RNN — exact for
    ``kind="orthogonal"``, the limit for ``"spectral_radius"`` — else the bound γ s₁
    (s₁ = largest singular value of Whh, γ = largest slope of the activation): the norms
    stay under it; ``theory_label`` names it; ``fitted_rate`` (see
    :func:`~backprop_lab.rnn.fitted_rate`); ``parameter_norm``: the global norm of dWxh,
    dWhh, db.  With clipping: ``clip_factor`` (max_norm / parameter_norm when the norm is
    above max_norm, else 1) and ``clipped`` = norms · clip_factor — clipping the
    parameter gradient is the same as starting BPTT from a scaled ∂L/∂h_T, so every step
    is scaled by that one factor; without clipping both are None.
    """

    rho: float
    activation: str
    k: np.ndarray
    norms: np.ndarray
    rate: float
    theory: np.ndarray
    theory_label: str
    fitted_rate: float
    parameter_norm: float
    clip_factor: float | None = None
    clipped: np.ndarray | None = None

    @property
    def steps(self) -> int:
        return len(self.k) - 1

    @property
    def verdict(self) -> str:
        """'exploding', 'vanishing' or 'stable' (see :func:`verdict`)."""
        return verdict(self.fitted_rate, self.steps)


def verdict(fitted_rate: float, steps: int) -> str:
    """'exploding', 'vanishing' or 'stable' from the fitted rate per step over ``steps``.

    Over T steps the gradient changes by about rate^T: beyond ×10 or ÷10 we call it
    exploding or vanishing.
    """
    change = fitted_rate ** steps if fitted_rate > 0 else 0.0
    if change > 10.0:
        return "exploding"
    if change < 0.1:
        return "vanishing"
    return "stable"


def gradient_norm_curves(rho: float, activation: str = "tanh", steps: int = 50,
                         hidden: int = 32, kind: str = "orthogonal", max_norm: float = None,
                         input_scale: float = 0.1, seed: int = 0) -> GradientNormCurves:
    """Gradient norms through time for one RNN made by ``VanillaRNN.create``, with the
    theory line and (given ``max_norm``) the curve after clipping: a
    :class:`GradientNormCurves`."""
    check_choice("gradient_norm_curves", "activation", activation, ACTIVATIONS)
    model = VanillaRNN.create(4, hidden, rho, activation, kind=kind, input_scale=input_scale,
                              seed=seed)
    norms = gradient_norms(model, _demo_inputs(steps, 1, 4, seed), seed=seed)
    if activation == "identity" and kind != "singular_value":
        rate = float(rho)
        theory_label = (tr("ρ^k = {rho:g}^k (exact)", rho=rho) if kind == "orthogonal"
                        else tr("ρ^k = {rho:g}^k (limit)", rho=rho))
    else:
        rate = ACTIVATION_SLOPE[activation] * largest_singular_value(model.Whh)
        theory_label = tr("bound (γ s₁)^k = {rate:.3g}^k", rate=rate)
    curves = GradientNormCurves(
        rho=float(rho), activation=activation, k=np.arange(steps + 1), norms=norms,
        rate=rate, theory=theoretical_norms(rate, steps, norms[0]), theory_label=theory_label,
        fitted_rate=fitted_rate(norms) if np.count_nonzero(norms) > 1 else 0.0,
        parameter_norm=global_norm(model.grads))
    if max_norm is not None:
        max_norm = check_real("gradient_norm_curves", "max_norm", max_norm)
        curves.clip_factor = clip_factor(curves.parameter_norm, max_norm)
        curves.clipped = norms * curves.clip_factor
    return curves


def draw_curves(ax, curves: GradientNormCurves, color=None) -> None:
    """Draw :class:`GradientNormCurves` on ``ax``: measured (solid), theory (dashed),
    clipped (dotted, if present); log scale."""
    k, tiny = curves.k, 1e-300
    line, = ax.semilogy(k, np.maximum(curves.norms, tiny), lw=2, color=color,
                        label=f"{curves.activation}, ρ = {curves.rho:g}")
    ax.semilogy(k, np.maximum(curves.theory, tiny), ls="--", lw=1, color=line.get_color(),
                label=curves.theory_label)
    if curves.clipped is not None:
        ax.semilogy(k, np.maximum(curves.clipped, tiny), lw=2, ls=":",
                    color=line.get_color(),
                    label=tr("clipped (×{factor:.2g})", factor=curves.clip_factor))
    ax.set_xlabel(tr("k, steps back in time"))
    ax.set_ylabel(NORM_LABEL)


def draw_gradient_norms(ax, rho: float, activation: str = "tanh", steps: int = 50,
                        hidden: int = 32, kind: str = "orthogonal", max_norm: float = None,
                        input_scale: float = 0.1, seed: int = 0,
                        color=None) -> GradientNormCurves:
    """Compute :func:`gradient_norm_curves` and draw them on ``ax``; returns the numbers."""
    curves = gradient_norm_curves(rho, activation, steps, hidden, kind, max_norm, input_scale,
                                  seed)
    draw_curves(ax, curves, color)
    return curves


def plot_gradient_norms(rhos=None, activations=("identity", "tanh"), steps: int = 50,
                        hidden: int = 32, kind: str = "orthogonal", max_norm: float = None,
                        seed: int = 0):
    """Gradient norm against steps back, one panel per activation, one curve per ρ.

    Returns a matplotlib Figure.  Dashed: the theory (ρ^k for the linear RNN, the bound
    (γ s₁)^k otherwise).  ``max_norm``: add the curves after clipping.  ``rhos=None`` uses
    :data:`DEFAULT_RHOS`: a saturating activation needs ρ well above 1 before its
    gradients can explode at all.
    """
    for activation in activations:
        check_choice("plot_gradient_norms", "activation", activation, ACTIVATIONS)
    fig, axes = _figure(len(activations))
    for ax, activation in zip(axes, activations):
        for rho in (DEFAULT_RHOS[activation] if rhos is None else rhos):
            draw_gradient_norms(ax, rho, activation, steps, hidden, kind, max_norm, seed=seed)
        ax.set_title(f"{activation}: Whh = ρ·Q" if kind == "orthogonal"
                     else tr("{activation}: Whh with {kind} ρ", activation=activation,
                             kind=kind.replace("_", " ")))
        ax.legend(fontsize=7, ncol=2)
    return fig


def plot_clipping(rho: float = 1.2, activation: str = "identity", steps: int = 50,
                  max_norm: float = 1.0, hidden: int = 32, seed: int = 0):
    """Clipping by global norm, two panels (a Figure).

    Left: ‖∂L/∂h_{T−k}‖ before and after clipping: the same curve moved down — clipping
    rescales every step by one factor, so it tames the size of an exploding gradient but
    leaves the ratio between far and near steps (vanishing) unchanged.
    Right: the parameter gradient's global norm against the sequence length T, without
    clipping (grows like ρ^T) and with it (never above ``max_norm``).
    """
    fig, (left, right) = _figure(2)
    draw_gradient_norms(left, rho, activation, steps, hidden, max_norm=max_norm, seed=seed)
    left.set_title(tr("{activation}, ρ = {rho:g}: every step scaled alike",
                      activation=activation, rho=rho))
    left.legend(fontsize=7)
    lengths = np.unique(np.linspace(1, steps, min(steps, 25)).astype(int))
    model = VanillaRNN.create(4, hidden, rho, activation, input_scale=0.1, seed=seed)
    xs = _demo_inputs(steps, 1, 4, seed)
    raw = []
    for T in lengths:
        gradient_norms(model, xs[:T], seed=seed)
        raw.append(global_norm(model.grads))
    raw = np.array(raw)
    right.semilogy(lengths, raw, lw=2, label=tr("‖∂L/∂θ‖ without clipping"))
    right.semilogy(lengths, np.minimum(raw, max_norm), lw=2, label=tr("after clipping"))
    right.axhline(max_norm, color="gray", ls="--", lw=1,
                  label=tr("threshold {max_norm:g}", max_norm=max_norm))
    right.set_xlabel(tr("sequence length T"))
    right.set_ylabel(tr("global norm of (dWxh, dWhh, db)"))
    right.set_title(tr("clipping caps the update's length"))
    right.legend(fontsize=7)
    return fig


def plot_rnn_vs_lstm(steps: int = 50, hidden: int = 32, forget_bias: float = 3.0,
                     seed: int = 0):
    """Vanilla tanh RNN (Whh orthogonal, ρ = 1) against an LSTM, both untrained (a Figure).

    The LSTM's cell-state path multiplies the gradient only by the forget gate at each
    step (``forget_bias`` sets it near σ(bias); 3 → about 0.95), so ∂L/∂c_{T−k} and with it
    ∂L/∂h_{T−k} decay far slower than the RNN's, which shrinks by tanh' and Whh every step.
    """
    fig, (ax,) = _figure(1, width=6.0)
    xs = _demo_inputs(steps, 1, 4, seed)
    k = np.arange(steps + 1)
    vanilla = VanillaRNN.create(4, hidden, 1.0, "tanh", input_scale=1.0, seed=seed)
    ax.semilogy(k, gradient_norms(vanilla, xs, seed=seed), lw=2,
                label=tr("vanilla RNN ‖∂L/∂h‖"))
    lstm = LSTM.create(4, hidden, forget_bias=forget_bias, seed=seed)
    lstm_norms = gradient_norms(lstm, xs, seed=seed)
    ax.semilogy(k, lstm_norms, lw=2, label=tr("LSTM ‖∂L/∂h‖"))
    cell = np.linalg.norm(lstm.dc.reshape(steps, -1), axis=1)[::-1]
    ax.semilogy(k[:-1], cell, lw=2, ls="--", label=tr("LSTM ‖∂L/∂c‖"))
    forget = float(np.mean([step.f for step in lstm.steps]))
    ax.semilogy(k, theoretical_norms(forget, steps, cell[0]), color="gray", ls=":", lw=1,
                label=tr("mean forget gate^k = {forget:.2f}^k", forget=forget))
    ax.set_xlabel(tr("k, steps back in time"))
    ax.set_ylabel(tr("gradient norm"))
    ax.set_title(tr("the cell state carries the gradient back"))
    ax.legend(fontsize=8)
    return fig


def _run_label(label: str) -> str:
    """A run's label (``"RNN, clipped at 1"``, the key of :func:`train_adding_problem`'s
    result) as the legend shows it, in the notebook's language (runs made in English and
    drawn in Chinese too)."""
    cell, _, clip = label.partition(", clipped at ")
    return tr("{cell}, clipped at {max_norm}", cell=cell, max_norm=clip) if clip else label


def plot_training(runs: dict, loss_top: float = 10.0, norm_top: float = 1e4):
    """Loss curves and gradient norms of :func:`train_adding_problem`'s runs (a Figure).

    Curves (moving averages of 25 iterations) are cut at ``loss_top`` and ``norm_top``
    so that a run that blows up does not flatten the others; an × marks where it did.
    """
    fig, (left, right) = _figure(2)
    lowest = ADDING_BASELINE
    for label, run in runs.items():
        losses = np.asarray(run.losses)
        window = max(1, min(25, len(losses) // 10))
        smooth = np.convolve(losses, np.ones(window) / window, mode="valid") if len(losses) \
            else losses
        if len(smooth):
            lowest = min(lowest, float(smooth.min()))
        line, = left.semilogy(np.arange(len(smooth)) + window - 1, smooth, lw=1.5,
                              label=_run_label(label))
        if run.diverged_at is not None:
            left.plot([run.diverged_at], [loss_top], marker="x", ms=10, mew=2, ls="none",
                      color=line.get_color(), clip_on=False,
                      label=tr("{label}: blew up at iteration {iteration}",
                               label=_run_label(label), iteration=run.diverged_at))
        right.semilogy(run.grad_norms, lw=0.8, color=line.get_color(), label=_run_label(label))
    left.set_ylim(lowest / 2, loss_top)
    right.set_ylim(top=norm_top)
    left.axhline(ADDING_BASELINE, color="gray", ls="--", lw=1,
                 label=tr("always answer 1: 1/6"))
    left.set_xlabel(tr("iteration"))
    left.set_ylabel(tr("mean squared error"))
    left.set_title(tr("adding problem"))
    left.legend(fontsize=7)
    right.set_xlabel(tr("iteration"))
    right.set_ylabel(tr("‖∂L/∂θ‖ before clipping"))
    right.set_title(tr("gradient norm"))
    right.legend(fontsize=7)
    return fig
