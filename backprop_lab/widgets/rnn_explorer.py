"""RNNGradientExplorer: exploding and vanishing gradients through time, live.

    from backprop_lab.widgets import RNNGradientExplorer
    RNNGradientExplorer()                       # linear RNN, Whh = ρ·Q, 40 steps
    RNNGradientExplorer(activation="tanh", rho=2.0)

Sliders set the spectral radius ρ of Whh, the sequence length T, the activation and the
clipping threshold.  On every change a fresh :class:`backprop_lab.rnn.VanillaRNN` (same
random Q and inputs, only scaled by ρ) runs forward and BPTT with a loss on the last
step; the plot shows ‖∂L/∂h_{T−k}‖ against k on a log scale with the theoretical line
(ρ^k for the linear RNN, the bound (γ s₁)^k otherwise) and, with clipping on, the curve
after clipping the parameter gradient to the threshold.  The table gives the fitted rate
per step, the theory, ‖∂L/∂h_0‖ / ‖∂L/∂h_T‖ and the parameter gradient's norm before and
after clipping.

Sliders update on release (``continuous_update=False``): one update is a forward and
backward pass of T steps (milliseconds) and one PNG render.  Under nbgrader
(``NBGRADER_EXECUTION`` set) the numbers are still computed, the drawing is skipped.
"""
from __future__ import annotations

import ipywidgets as widgets

from .. import rnn, rnn_experiments
from ..i18n.messages import tr
from ..values import check_choice
from .base import FigureView, number_rows, slider_value, under_nbgrader

__all__ = ["RNNGradientExplorer"]

CURVE_COLOR = "#0969da"     # one colour for every redraw (not the next of the cycle)


def verdict_text(verdict: str) -> str:
    """``curves.verdict`` ('exploding', 'vanishing', 'stable') in the notebook's language."""
    return {"exploding": tr("exploding"), "vanishing": tr("vanishing"),
            "stable": tr("stable")}.get(verdict, verdict)


class RNNGradientExplorer(widgets.VBox):
    """Sliders for ρ, T, activation and clipping; the gradient-norm plot redrawn in place.

    ``rho``: spectral radius of Whh (``kind="orthogonal"``: Whh = ρ·Q, every singular value
    ρ); ``steps``: sequence length T; ``activation``: tanh, sigmoid, relu or identity;
    ``max_norm``: clipping threshold (global norm of the parameter gradient), applied
    when ``clip`` is True; ``hidden``, ``kind``, ``input_scale``, ``seed``: the RNN.
    ``curves`` holds what the last update computed (a
    :class:`backprop_lab.rnn_experiments.GradientNormCurves`, with its ``verdict``).
    """

    def __init__(self, rho: float = 1.05, steps: int = 40, activation: str = "identity",
                 max_norm: float = 1.0, clip: bool = False, hidden: int = 32,
                 kind: str = "orthogonal", input_scale: float = 0.1, seed: int = 0,
                 max_steps: int = 100):
        check_choice("RNNGradientExplorer", "activation", activation, rnn.ACTIVATIONS)
        check_choice("RNNGradientExplorer", "kind", kind, rnn.MATRIX_KINDS)
        if not 2 <= steps <= max_steps:
            raise ValueError(tr("RNNGradientExplorer: steps must lie in [2, {max_steps}] "
                                "(max_steps), got {steps!r}.", max_steps=max_steps,
                                steps=steps))
        rho = slider_value("RNNGradientExplorer", "rho", rho, 0.1, 4.0)
        max_norm = slider_value("RNNGradientExplorer", "max_norm", max_norm, 1e-3, 1e3)
        self.hidden, self.kind, self.input_scale, self.seed = hidden, kind, input_scale, seed
        self.rho_slider = widgets.FloatSlider(value=rho, min=0.1, max=4.0, step=0.01,
                                              description=tr("ρ (spectral radius)"),
                                              continuous_update=False,
                                              style={"description_width": "initial"})
        self.steps_slider = widgets.IntSlider(value=steps, min=2, max=max_steps,
                                              description=tr("T (steps)"),
                                              continuous_update=False)
        self.activation_dropdown = widgets.Dropdown(options=list(rnn.ACTIVATIONS),
                                                    value=activation,
                                                    description=tr("activation"))
        self.clip_checkbox = widgets.Checkbox(value=clip, description=tr("clip by global norm"),
                                              indent=False)
        self.max_norm_slider = widgets.FloatLogSlider(value=max_norm, base=10, min=-3, max=3,
                                                      step=0.1, description=tr("threshold"),
                                                      readout_format=".2g",
                                                      continuous_update=False)
        self.plot = FigureView(figsize=(6.0, 3.8))
        self.readout = widgets.HTML()
        self.curves = None
        for control in (self.rho_slider, self.steps_slider, self.activation_dropdown,
                        self.clip_checkbox, self.max_norm_slider):
            control.observe(lambda change: self.update(), names="value")
        super().__init__([
            widgets.HBox([self.rho_slider, self.steps_slider, self.activation_dropdown]),
            widgets.HBox([self.clip_checkbox, self.max_norm_slider]),
            widgets.HBox([self.plot, self.readout]),
        ])
        self.add_class("backprop-lab-rnn-explorer")
        self.update()

    def update(self) -> None:
        """Recompute the norms for the current controls, then the table and the plot."""
        clip = self.clip_checkbox.value
        self.max_norm_slider.disabled = not clip
        steps = self.steps_slider.value
        curves = rnn_experiments.gradient_norm_curves(
            self.rho_slider.value, self.activation_dropdown.value, steps, self.hidden,
            self.kind, self.max_norm_slider.value if clip else None, self.input_scale,
            self.seed)
        self.curves = curves
        norms = curves.norms
        rows = [
            (tr("fitted rate per step"), f"{curves.fitted_rate:.4g}"),
            (tr("theory: ρ") if curves.activation == "identity" else tr("theory: bound γ s₁"),
             f"{curves.rate:.4g}"),
            ("‖∂L/∂h_0‖ / ‖∂L/∂h_T‖", f"{norms[-1] / norms[0]:.3e}"),
            (tr("verdict"), verdict_text(curves.verdict)),
            (tr("‖∂L/∂θ‖ (parameters)"), f"{curves.parameter_norm:.3e}"),
        ]
        if clip:
            rows.append((tr("after clipping"),
                         f"{curves.parameter_norm * curves.clip_factor:.3e}"))
            rows.append((tr("clip factor"), f"{curves.clip_factor:.3g}"))
        self.readout.value = number_rows(rows, caption=f"T = {steps}")
        if under_nbgrader():
            return
        ax = self.plot.ax
        # same figure and axes, new curves: remove the old ones rather than ax.clear(),
        # which rebuilds every tick and costs more than the whole rest of the redraw
        for line in list(ax.lines):
            line.remove()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        rnn_experiments.draw_curves(ax, curves, color=CURVE_COLOR)
        ax.relim()
        ax.autoscale_view()
        if clip:
            ax.set_title(tr("clipping scales all steps by {factor:.2g}",
                            factor=curves.clip_factor), fontsize=10)
        else:
            ax.set_title(tr("{activation} RNN, ρ = {rho:g}: {verdict}",
                            activation=curves.activation, rho=curves.rho,
                            verdict=verdict_text(curves.verdict)), fontsize=10)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8)
        self.plot.refresh()
