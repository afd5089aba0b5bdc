"""RNN and LSTM: BPTT vs numerical gradients, gradient norms in time, clipping, demos."""
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st
from matplotlib.figure import Figure

from backprop_lab import rnn, rnn_experiments
from backprop_lab.gradcheck import numerical_gradient, rel_error
from backprop_lab.layers import Affine, MSELoss, Sequential


def random_model(cell, D, H, activation="tanh", seed=0):
    rng = np.random.default_rng(seed)
    if cell == "lstm":
        model = rnn.LSTM.create(D, H, seed=seed)
    else:
        model = rnn.VanillaRNN.create(D, H, 0.9, activation, kind="spectral_radius", seed=seed)
    model.b[...] = 0.3 * rng.standard_normal(model.b.shape)
    return model


def scaled_error(a, b) -> float:
    """max |a − b| over the entries, relative to the largest |a| + |b|."""
    return float(np.max(np.abs(a - b)) / max(1e-300, np.max(np.abs(a) + np.abs(b))))


def bptt_errors(model, T, N, seed=0, c0=False, scaled=False):
    """Max relative error of every BPTT gradient against centered differences
    (with ``scaled``: pairs of that and :func:`scaled_error`)."""
    rng = np.random.default_rng(seed + 100)
    D, H = model.input_size, model.hidden_size
    xs, h0 = rng.standard_normal((T, N, D)), rng.standard_normal((N, H))
    extra = {"c0": rng.standard_normal((N, H))} if c0 else {}
    dhs = rng.standard_normal((T, N, H))

    def loss(_):
        return float(np.sum(model.forward(xs, h0, **extra) * dhs))

    model.forward(xs, h0, **extra)
    dxs, dh0 = model.backward(dhs)
    analytic = {"xs": dxs, "h0": dh0, **{k: getattr(model, "d" + k).copy() for k in model.params}}
    if c0:
        analytic["c0"] = model.dc0
    inputs = {"xs": xs, "h0": h0, **model.params, **extra}
    numeric = {name: numerical_gradient(loss, inputs[name]) for name in analytic}
    if scaled:
        return {name: (rel_error(analytic[name], numeric[name]),
                       scaled_error(analytic[name], numeric[name]),
                       float(np.max(np.abs(analytic[name])))) for name in analytic}
    return {name: rel_error(analytic[name], numeric[name]) for name in analytic}


# ------------------------------------------------------------------ BPTT is right
@pytest.mark.parametrize("activation", list(rnn.ACTIVATIONS))
def test_vanilla_rnn_bptt_matches_numerical_gradients(activation):
    errors = bptt_errors(random_model("rnn", 4, 5, activation), T=6, N=3)
    assert set(errors) == {"xs", "h0", "Wxh", "Whh", "b"}
    assert max(errors.values()) < 1e-7, errors


def test_lstm_bptt_matches_numerical_gradients_including_the_cell_state():
    errors = bptt_errors(random_model("lstm", 3, 4), T=6, N=2, c0=True)
    assert set(errors) == {"xs", "h0", "c0", "Wxh", "Whh", "b"}
    assert max(errors.values()) < 1e-7, errors


@settings(max_examples=12)
@given(cell=st.sampled_from(["rnn", "lstm"]), T=st.integers(1, 5), N=st.integers(1, 3),
       D=st.integers(1, 4), H=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_bptt_matches_numerical_gradients_over_random_shapes(cell, T, N, D, H, seed):
    # Centered differences carry round-off of about 1e-16·|loss|/h ≈ 1e-10 here, whatever
    # the size of the entry: relative to each entry, a draw whose gradient has an entry
    # near 0 (by cancellation) fails however right backward is, so the bar is relative to
    # the array's largest entry: within 1e-7 of it (a wrong gradient is off by ~1).  A draw
    # whose hidden units saturate (a recurrent matrix scaled to spectral radius 0.9 can
    # still have entries of 10 and more: tanh then gives exactly ±1) has gradients of ~1e-13
    # that differences cannot resolve at all (cell="rnn", T=1, N=1, D=2, H=2, seed=326):
    # draws whose largest entry is below 1e-2 are skipped, as in the graph tests.
    errors = bptt_errors(random_model(cell, D, H, seed=seed), T, N, seed, scaled=True)
    assume(min(largest for _, _, largest in errors.values()) > 1e-2)
    assert max(scaled for _, scaled, _ in errors.values()) < 1e-7, errors


def test_backward_keeps_dl_dh_of_every_step():
    # linear RNN, loss on the last step only: ∂L/∂h_t = ∂L/∂h_T · (Whhᵀ)^(T−1−t)
    model = rnn.VanillaRNN.create(2, 4, 0.9, "identity", kind="spectral_radius", seed=3)
    rng = np.random.default_rng(0)
    hs = model.forward(rng.standard_normal((6, 2, 2)))
    dhs = np.zeros_like(hs)
    dhs[-1] = rng.standard_normal((2, 4))
    _, dh0 = model.backward(dhs)
    expected = dhs[-1]
    for t in reversed(range(6)):
        np.testing.assert_allclose(model.dh[t], expected, rtol=1e-12, atol=1e-14)
        expected = expected @ model.Whh.T
    np.testing.assert_allclose(dh0, expected, rtol=1e-12, atol=1e-14)


def test_dh_adds_the_loss_at_each_step_to_what_comes_back_in_time():
    model = random_model("rnn", 3, 4)
    rng = np.random.default_rng(1)
    model.forward(rng.standard_normal((4, 2, 3)))
    dhs = rng.standard_normal((4, 2, 4))
    model.backward(dhs)
    np.testing.assert_array_equal(model.dh[-1], dhs[-1])       # nothing comes after the last
    step = model.steps[2]
    _, dh_prev, *_ = step.backward(model.dh[2])
    np.testing.assert_allclose(model.dh[1], dhs[1] + dh_prev, rtol=1e-12)


def test_lstm_cell_gradient_flows_through_the_forget_gate():
    model = rnn.LSTM.create(2, 3, seed=0)
    rng = np.random.default_rng(0)
    hs = model.forward(rng.standard_normal((5, 1, 2)))
    dhs = np.zeros_like(hs)
    dhs[-1] = 1.0
    model.backward(dhs)
    # below the last step: ∂L/∂c_t = ∂L/∂c_{t+1} ⊙ f_{t+1} + what arrives through h_t
    for t in range(4):
        through_h = model.dh[t] * model.steps[t].o * (1 - np.tanh(model.cs[t]) ** 2)
        np.testing.assert_allclose(model.dc[t], model.dc[t + 1] * model.steps[t + 1].f + through_h,
                                   rtol=1e-12)


def test_rnn_in_a_sequential_model_matches_numerical_gradients():
    rng = np.random.default_rng(0)
    model = Sequential([random_model("lstm", 2, 3), rnn.LastStep(),
                        Affine(rng.standard_normal((3, 1)), np.zeros(1))])
    xs, y = rnn_experiments.adding_problem(4, 5, seed=1)
    loss = MSELoss()
    loss.forward(model.forward(xs), y)
    model.backward(loss.backward())
    for key, value in model.params.items():
        numeric = numerical_gradient(lambda _: loss.forward(model.forward(xs), y), value)
        assert rel_error(getattr(model, "d" + key), numeric) < 1e-7, key


# ------------------------------------------------- exploding and vanishing in numbers
@pytest.mark.parametrize("rho", [0.5, 0.9, 1.1, 1.5])
def test_linear_rnn_gradient_norm_follows_rho_to_the_k(rho):
    model = rnn.VanillaRNN.create(3, 16, rho, "identity", kind="orthogonal", seed=1)
    xs = np.random.default_rng(2).standard_normal((40, 2, 3))
    norms = rnn.gradient_norms(model, xs)
    assert len(norms) == 41 and norms[0] == pytest.approx(1.0)
    slope = np.polyfit(np.arange(41), np.log(norms), 1)[0]
    assert abs(slope - math.log(rho)) <= 0.01 * abs(math.log(rho))
    np.testing.assert_allclose(norms, rho ** np.arange(41), rtol=1e-10)   # exactly ρ^k
    assert rnn.fitted_rate(norms) == pytest.approx(rho, rel=1e-10)


@pytest.mark.parametrize("rho", [0.9, 1.2])
def test_random_matrix_rate_tends_to_the_spectral_radius(rho):
    model = rnn.VanillaRNN.create(2, 24, rho, "identity", kind="spectral_radius", seed=5)
    assert rnn.spectral_radius(model.Whh) == pytest.approx(rho, rel=1e-12)
    norms = rnn.gradient_norms(model, np.zeros((300, 1, 2)))
    assert rnn.fitted_rate(norms, skip=100) == pytest.approx(rho, rel=0.02)


@settings(max_examples=20)
@given(sigma=st.floats(0.3, 0.99), activation=st.sampled_from(["tanh", "sigmoid", "relu"]),
       seed=st.integers(0, 2**16))
def test_vanishing_is_guaranteed_below_the_pascanu_bound(sigma, activation, seed):
    """‖∂L/∂h_{T−k}‖ ≤ (γ s₁)^k ‖∂L/∂h_T‖ when s₁ = largest singular value of Whh."""
    model = rnn.VanillaRNN.create(3, 8, sigma, activation, kind="singular_value", seed=seed)
    assert rnn.largest_singular_value(model.Whh) == pytest.approx(sigma, rel=1e-12)
    norms = rnn.gradient_norms(model, np.random.default_rng(seed).standard_normal((30, 2, 3)),
                               seed=seed)
    bound = rnn.theoretical_norms(rnn.ACTIVATION_SLOPE[activation] * sigma, 30, norms[0])
    assert np.all(norms <= bound * (1 + 1e-9))
    assert norms[-1] < norms[0]


def test_tanh_gradients_explode_only_above_one():
    xs = np.random.default_rng(0).standard_normal((50, 1, 4)) * 0.1
    rates = {rho: rnn.fitted_rate(rnn.gradient_norms(
        rnn.VanillaRNN.create(4, 32, rho, "tanh", input_scale=1.0, seed=0), xs))
        for rho in (0.8, 3.0)}
    assert rates[0.8] < 0.8 and rates[3.0] > 1.1


def test_lstm_keeps_gradients_alive_longer_than_a_vanilla_rnn():
    xs = np.random.default_rng(0).standard_normal((50, 1, 4))
    vanilla = rnn.gradient_norms(rnn.VanillaRNN.create(4, 16, 1.0, "tanh", input_scale=1.0), xs)
    lstm = rnn.gradient_norms(rnn.LSTM.create(4, 16, forget_bias=3.0), xs)
    assert lstm[-1] / lstm[0] > 1e6 * vanilla[-1] / vanilla[0]


def test_gradient_norms_with_a_given_last_gradient():
    model = rnn.VanillaRNN.create(2, 3, 2.0, "identity")
    norms = rnn.gradient_norms(model, np.zeros((3, 1, 2)), dh_last=np.array([[3.0, 4.0, 0.0]]))
    np.testing.assert_allclose(norms, [5.0, 10.0, 20.0, 40.0], rtol=1e-12)


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_recurrent_layers_copy_the_arrays_they_are_given(cell):
    H = 3
    k = 1 if cell == "rnn" else 4
    Wxh, Whh, b = np.ones((2, k * H)), np.eye(H).repeat(k, axis=1) * 0.5, np.zeros(k * H)
    make = rnn.VanillaRNN if cell == "rnn" else rnn.LSTM
    first, second = make(Wxh, Whh, b), make(Wxh, Whh, b)
    for name, given in (("Wxh", Wxh), ("Whh", Whh), ("b", b)):
        assert not np.shares_memory(first.params[name], given)
        assert not np.shares_memory(first.params[name], second.params[name])
    model = Sequential([first, rnn.LastStep(), Affine(np.ones((H, 1)), np.zeros(1))])
    xs = np.random.default_rng(0).standard_normal((4, 2, 2))
    loss = MSELoss()
    loss.forward(model.forward(xs), np.ones((2, 1)))
    model.backward(loss.backward())
    rnn.ClippedSGD(0.1).step(model)
    assert not np.array_equal(first.b, b)                     # the layer's own b moved
    np.testing.assert_array_equal(b, np.zeros(k * H))          # the caller's did not
    np.testing.assert_array_equal(second.b, np.zeros(k * H))
    np.testing.assert_array_equal(Wxh, np.ones((2, k * H)))


@pytest.mark.parametrize("kind", rnn.MATRIX_KINDS)
def test_recurrent_matrix_has_the_chosen_scale(kind):
    W = rnn.recurrent_matrix(20, 1.3, kind=kind, seed=4)
    assert W.shape == (20, 20)
    if kind == "orthogonal":
        np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 1.3, rtol=1e-12)
        np.testing.assert_allclose(np.abs(np.linalg.eigvals(W)), 1.3, rtol=1e-10)
    elif kind == "spectral_radius":
        assert rnn.spectral_radius(W) == pytest.approx(1.3, rel=1e-12)
    else:
        assert rnn.largest_singular_value(W) == pytest.approx(1.3, rel=1e-12)
    np.testing.assert_array_equal(W, rnn.recurrent_matrix(20, 1.3, kind=kind, seed=4))


# ----------------------------------------------------------------------- clipping
@given(shapes=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4)), min_size=1, max_size=4),
       scale=st.floats(1e-3, 1e3), max_norm=st.floats(0.01, 10.0), seed=st.integers(0, 2**16))
def test_clip_by_global_norm_caps_the_norm_exactly(shapes, scale, max_norm, seed):
    rng = np.random.default_rng(seed)
    grads = {f"g{i}": rng.standard_normal(shape) * scale for i, shape in enumerate(shapes)}
    clipped, norm = rnn.clip_by_global_norm(grads, max_norm)
    assert norm == pytest.approx(math.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    assert list(clipped) == list(grads)
    if norm > max_norm:
        assert rnn.global_norm(clipped) == pytest.approx(max_norm, rel=1e-12)
        factor = max_norm / norm
        for key in grads:                                   # same direction, shorter
            np.testing.assert_allclose(clipped[key], grads[key] * factor, rtol=1e-12)
    else:
        for key in grads:
            np.testing.assert_array_equal(clipped[key], grads[key])


def test_clip_by_value_and_lists():
    clipped = rnn.clip_by_value([np.array([-3.0, 0.5, 2.0])], 1.0)
    np.testing.assert_array_equal(clipped[0], [-1.0, 0.5, 1.0])
    out, norm = rnn.clip_by_global_norm([np.array([3.0]), np.array([4.0])], 1.0)
    assert norm == 5.0 and isinstance(out, list)
    np.testing.assert_allclose(np.concatenate(out), [0.6, 0.8])


def test_clip_gradients_in_place_and_clipped_sgd():
    model = random_model("rnn", 2, 3)
    model.forward(np.ones((4, 1, 2)))
    model.backward(np.full((4, 1, 3), 100.0))
    before = {k: v.copy() for k, v in model.params.items()}
    grads = {k: getattr(model, "d" + k).copy() for k in model.params}
    norm = rnn.clip_gradients(model, 0.5)
    assert norm == pytest.approx(rnn.global_norm(grads))
    assert rnn.global_norm(model.grads) == pytest.approx(0.5, rel=1e-12)
    model.backward(np.full((4, 1, 3), 100.0))
    sgd = rnn.ClippedSGD(lr=0.1, max_norm=0.5)
    sgd.step(model)
    assert sgd.norms == [pytest.approx(norm)]
    step = np.sqrt(sum(np.sum((model.params[k] - before[k]) ** 2) for k in before))
    assert step == pytest.approx(0.1 * 0.5, rel=1e-10)
    by_value = rnn.ClippedSGD(lr=1.0, max_value=0.01)
    model.backward(np.full((4, 1, 3), 100.0))
    start = model.Whh.copy()
    by_value.step(model)
    assert np.max(np.abs(model.Whh - start)) <= 0.01 + 1e-15


# ------------------------------------------------------------------ training demo
def test_adding_problem_targets():
    xs, y = rnn_experiments.adding_problem(50, 10, seed=0)
    assert xs.shape == (10, 50, 2) and y.shape == (50, 1)
    assert np.all(xs[:, :, 1].sum(axis=0) == 2)
    assert np.all(xs[:5, :, 1].sum(axis=0) == 1)                # one marker in each half
    np.testing.assert_allclose(y[:, 0], (xs[:, :, 0] * xs[:, :, 1]).sum(axis=0))


def test_quick_training_unclipped_rnn_blows_up_clipped_runs_stay_finite():
    runs = rnn_experiments.train_adding_problem(quick=True)
    plain, clipped, lstm = runs.values()
    assert plain.diverged_at is not None and plain.final_loss == math.inf
    for run in (clipped, lstm):
        assert run.diverged_at is None and len(run.losses) == 300
        assert run.final_loss < 0.25 and max(run.losses[50:]) < 1.0   # no spikes after warm-up
    again = rnn_experiments.train_adding_problem(quick=True, models=("rnn+clip",))
    assert list(again.values())[0].losses == clipped.losses          # fixed seed
    fig = rnn_experiments.plot_training(runs)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert "blew up" in " ".join(t.get_text() for t in fig.axes[0].get_legend().get_texts())


@pytest.mark.slow
def test_full_training_demo_lstm_learns_what_the_rnn_cannot():
    runs = rnn_experiments.train_adding_problem()
    plain, clipped, lstm = runs.values()
    assert plain.diverged_at is not None
    assert clipped.final_loss > 0.15                       # stalls near the baseline 1/6
    assert lstm.final_loss < 0.05                          # solves the task
    # its time is printed by benchmarks/bench_engine.py, not asserted here


# ------------------------------------------------------------------------ figures
def test_gradient_norm_figures():
    fig = rnn_experiments.plot_gradient_norms(rhos=(0.9, 1.1), activations=("identity", "tanh"), steps=10,
                                  hidden=8)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert len(fig.axes[0].get_lines()) == 4                    # measured + theory per ρ
    measured, theory = fig.axes[0].get_lines()[:2]
    np.testing.assert_allclose(measured.get_ydata(), theory.get_ydata(), rtol=1e-10)
    fig = rnn_experiments.plot_clipping(rho=1.5, steps=12, max_norm=1.0, hidden=8)
    assert len(fig.axes) == 2
    raw, after = fig.axes[1].get_lines()[:2]
    assert raw.get_ydata().max() > 1.0 and after.get_ydata().max() <= 1.0
    fig = rnn_experiments.plot_rnn_vs_lstm(steps=10, hidden=8)
    assert len(fig.axes[0].get_lines()) == 4


@pytest.mark.parametrize("kind,label", [("orthogonal", "(exact)"), ("spectral_radius", "(limit)"),
                                        ("singular_value", "bound")])
def test_theory_line_says_what_it_is(kind, label):
    result = rnn_experiments.gradient_norm_curves(0.9, "identity", steps=30, hidden=8, kind=kind)
    assert label in result.theory_label and result.rate == pytest.approx(0.9, rel=1e-12)
    if kind == "orthogonal":                         # ρ^k exactly
        np.testing.assert_allclose(result.norms, result.theory, rtol=1e-10)
    elif kind == "singular_value":                   # σ^k bounds every step
        assert np.all(result.norms <= result.theory * (1 + 1e-9))


def test_clipping_a_zero_gradient_leaves_it_alone():
    """With zero inputs a ReLU RNN gets zero gradients: no division by the zero norm."""
    result = rnn_experiments.gradient_norm_curves(1.0, "relu", steps=3, max_norm=1.0,
                                                  input_scale=0.0)
    assert result.parameter_norm == 0.0
    assert result.clip_factor == 1.0
    np.testing.assert_array_equal(result.clipped, result.norms)
    clipped, norm = rnn.clip_by_global_norm([np.zeros(3)], 1.0)
    assert norm == 0.0 and np.array_equal(clipped[0], np.zeros(3))
    assert rnn.clip_factor(0.0, 1.0) == 1.0 and rnn.clip_factor(4.0, 1.0) == 0.25


def test_draw_gradient_norms_clipping_scales_every_step_alike():
    fig = Figure()
    ax = fig.add_subplot()
    result = rnn_experiments.draw_gradient_norms(ax, 1.3, "identity", steps=20, hidden=8,
                                                 max_norm=0.1)
    assert result.clip_factor < 1
    np.testing.assert_allclose(result.clipped / result.norms, result.clip_factor)


# ---------------------------------------------------------------------- bad input
def test_bad_shapes_get_clear_errors():
    with pytest.raises(ValueError, match=r"VanillaRNN: Whh must have shape \(H, H\)"):
        rnn.VanillaRNN(np.ones((2, 3)), np.ones((3, 4)), np.zeros(3))
    with pytest.raises(ValueError, match=r"VanillaRNN: Wxh must have shape \(D, 3\)"):
        rnn.VanillaRNN(np.ones((2, 4)), np.ones((3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"b must have shape \(3,\)"):
        rnn.VanillaRNN(np.ones((2, 3)), np.ones((3, 3)), np.zeros(4))
    with pytest.raises(ValueError, match=r"LSTM: Whh must have shape \(H, 4·H\)"):
        rnn.LSTM(np.ones((2, 12)), np.ones((3, 3)), np.zeros(12))
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        rnn.VanillaRNN(np.ones((2, 3)), np.ones((3, 3)), np.zeros(3), activation="softplus")
    model = rnn.VanillaRNN(np.ones((2, 3)), np.eye(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"xs must have shape \(T, N, D\) = \(steps, batch, 2\)"):
        model.forward(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"xs must have shape .* got shape \(4, 1, 5\)"):
        model.forward(np.ones((4, 1, 5)))
    with pytest.raises(ValueError, match=r"h0 must have shape \(N, H\) = \(1, 3\)"):
        model.forward(np.ones((4, 1, 2)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="before forward"):
        model.backward(np.ones((4, 1, 3)))
    model.forward(np.ones((4, 1, 2)))
    with pytest.raises(ValueError, match=r"dhs has shape \(3, 1, 3\) but forward returned"):
        model.backward(np.ones((3, 1, 3)))
    with pytest.raises(ValueError, match=r"dh_last must have shape \(N, H\) = \(1, 3\)"):
        rnn.gradient_norms(model, np.ones((4, 1, 2)), dh_last=np.ones(3))
    with pytest.raises(ValueError, match=r"LSTM: c0 must have shape \(N, H\)"):
        rnn.LSTM.create(2, 3).forward(np.ones((2, 1, 2)), c0=np.ones((1, 4)))


def test_bad_helper_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="unknown kind 'random'"):
        rnn.recurrent_matrix(3, 1.0, kind="random")
    with pytest.raises(ValueError, match="recurrent_matrix: size must be an integer >= 1, got 0"):
        rnn.recurrent_matrix(0, 1.0)
    with pytest.raises(ValueError, match="max_norm must be a positive finite number"):
        rnn.clip_by_global_norm([np.ones(2)], 0.0)
    with pytest.raises(ValueError, match="limit must be a positive finite number"):
        rnn.clip_by_value([np.ones(2)], -1)
    with pytest.raises(ValueError, match="gradient 0 is None; run backward"):
        rnn.clip_gradients(rnn.VanillaRNN.create(1, 2), 1.0)
    with pytest.raises(ValueError, match="unknown model 'gru'"):
        rnn_experiments.train_adding_problem(models=("gru",))
    with pytest.raises(ValueError, match="steps must be an integer >= 2"):
        rnn_experiments.adding_problem(3, 1)
    with pytest.raises(ValueError, match="need at least two positive norms"):
        rnn.fitted_rate([1.0])
    with pytest.raises(ValueError, match="plot_gradient_norms: unknown activation"):
        rnn_experiments.plot_gradient_norms(activations=("swish",))
