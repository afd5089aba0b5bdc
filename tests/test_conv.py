"""Conv2D and MaxPool2D: numerical gradients, loop == vectorized, seed 002's dx two ways."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from backprop_lab import conv
from backprop_lab.gradcheck import check_layer, numerical_gradient, rel_error



def conv_layer(x_shape, n_filters, kernel, stride, pad, method, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((n_filters, x_shape[1], *kernel))
    b = rng.standard_normal(n_filters)
    return conv.Conv2D(W, b, stride=stride, pad=pad, method=method)


# ------------------------------------------------------------------- Conv2D gradients
@pytest.mark.parametrize("method", ["loop", "im2col"])
@pytest.mark.parametrize("stride,pad", [(1, 0), (2, 1), (3, 1), (1, 2)])
def test_conv2d_matches_numerical_gradients(method, stride, pad):
    x = np.random.default_rng(1).standard_normal((2, 3, 7, 6))
    layer = conv_layer(x.shape, 4, (3, 2), stride, pad, method)
    # the output is linear in x, W and b, so centered differences have no truncation
    # error at any h; a larger h only shrinks the round-off (~1e-16·|L|/h) that would
    # otherwise dominate rel_error on the occasional tiny gradient entry
    report = check_layer(layer, x, h=1e-2)
    assert report.passed, str(report)
    assert set(report.errors) == {"x", "W", "b"}
    assert layer.dW.shape == layer.W.shape and layer.db.shape == (4,)


def test_conv2d_forward_known_values():
    # one image, one channel, a 2x2 kernel of ones: each output is the sum of its window
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    layer = conv.Conv2D(np.ones((1, 1, 2, 2)), np.array([0.5]))
    out = layer.forward(x)
    np.testing.assert_array_equal(out[0, 0], [[8.5, 12.5], [20.5, 24.5]])
    dx = layer.backward(np.ones_like(out))
    # how many windows each pixel sits in: corners 1, edges 2, centre 4
    np.testing.assert_array_equal(dx[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    np.testing.assert_array_equal(layer.db, [4.0])
    np.testing.assert_array_equal(layer.dW[0, 0], [[8, 12], [20, 24]])


def test_conv2d_pixels_outside_every_window_get_zero_gradient():
    # 6 columns, 2-wide kernel, stride 4: windows at columns 0-1 and 4-5; columns 2, 3 unused
    for method in ("loop", "im2col"):
        layer = conv_layer((1, 1, 2, 6), 1, (2, 2), 4, 0, method)
        out = layer.forward(np.random.default_rng(2).standard_normal((1, 1, 2, 6)))
        assert out.shape == (1, 1, 1, 2)
        dx = layer.backward(np.ones_like(out))
        np.testing.assert_array_equal(dx[0, 0, :, 2:4], 0.0)
        assert np.all(dx[0, 0, :, [0, 1, 4, 5]] != 0.0)


def test_conv2d_output_shape_with_stride_and_padding():
    layer = conv_layer((2, 3, 8, 9), 5, (3, 3), 2, 1, "im2col")
    assert layer.forward(np.random.default_rng(3).standard_normal((2, 3, 8, 9))).shape == (2, 5, 4, 5)


@given(n=st.integers(1, 2), c=st.integers(1, 3), f=st.integers(1, 3),
       h=st.integers(1, 7), w=st.integers(1, 7), kh=st.integers(1, 3), kw=st.integers(1, 3),
       stride=st.integers(1, 3), pad=st.integers(0, 2), seed=st.integers(0, 2**16))
def test_conv2d_loop_and_im2col_agree(n, c, f, h, w, kh, kw, stride, pad, seed):
    assume(not (kh > h + 2 * pad or kw > w + 2 * pad))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w))
    loop = conv_layer(x.shape, f, (kh, kw), stride, pad, "loop", seed)
    fast = conv_layer(x.shape, f, (kh, kw), stride, pad, "im2col", seed)
    out_loop, out_fast = loop.forward(x), fast.forward(x)
    np.testing.assert_allclose(out_fast, out_loop, rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(out_loop.shape)
    np.testing.assert_allclose(fast.backward(dout), loop.backward(dout), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fast.dW, loop.dW, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fast.db, loop.db, rtol=1e-12, atol=1e-12)


@given(h=st.integers(2, 7), w=st.integers(2, 7), kh=st.integers(1, 3), kw=st.integers(1, 3),
       stride=st.integers(1, 3), pad=st.integers(0, 2), seed=st.integers(0, 2**16))
def test_conv2d_dx_is_full_convolution_with_rotated_kernel(h, w, kh, kw, stride, pad, seed):
    """Conv2D's dx equals Σ_f full-conv(dilated dout[n, f], rotate180(W[f, c])), un-padded."""
    assume(not (kh > h + 2 * pad or kw > w + 2 * pad))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 2, h, w))
    layer = conv_layer(x.shape, 3, (kh, kw), stride, pad, "im2col", seed)
    dout = rng.standard_normal(layer.forward(x).shape)
    dx = layer.backward(dout)
    padded = (h + 2 * pad, w + 2 * pad)
    expected = np.zeros((2, 2, *padded))
    for n in range(2):
        for c in range(2):
            for f in range(3):
                expected[n, c] += conv.input_gradient_full_convolution(
                    dout[n, f], layer.W[f, c], stride=stride, input_shape=padded)
    expected = expected[:, :, pad:pad + h, pad:pad + w]
    np.testing.assert_allclose(dx, expected, rtol=1e-12, atol=1e-12)


def test_conv2d_parameters_are_updated_in_place():
    layer = conv_layer((1, 1, 4, 4), 1, (2, 2), 1, 0, "im2col")
    W = layer.params["W"]
    W -= 1.0
    assert layer.W is W


def test_im2col_gradient_shapes_are_what_the_module_docstring_says():
    """The docstring's dimension analysis: the matmul gate's gradient for colsᵀ is
    W_rowsᵀ @ dout, shaped like colsᵀ (K, P) — it is dcolsᵀ, not dcols."""
    rng = np.random.default_rng(3)
    layer = conv.Conv2D(rng.standard_normal((2, 3, 2, 2)), np.zeros(2))   # F=2, K=3·2·2=12
    x = rng.standard_normal((2, 3, 4, 5))                                  # P = 2·3·4 = 24
    dout = rng.standard_normal(layer.forward(x).shape)
    layer.backward(dout)
    cols = conv.im2col(x, 2, 2, 1)
    w_rows = layer.W.reshape(2, -1)
    dout_rows = dout.transpose(1, 0, 2, 3).reshape(2, -1)
    dw_rows, d_cols_t = layer.matmul.backward(dout_rows)
    assert cols.shape == (24, 12) and d_cols_t.shape == (12, 24) == cols.T.shape
    np.testing.assert_allclose(d_cols_t, w_rows.T @ dout_rows, rtol=1e-12)
    np.testing.assert_allclose(d_cols_t.T, dout_rows.T @ w_rows, rtol=1e-12)
    np.testing.assert_allclose(dw_rows, dout_rows @ cols, rtol=1e-12)
    doc = " ".join(conv.__doc__.split())
    assert "dcolsᵀ = W_rowsᵀ @ dout" in doc and "dcols = doutᵀ @ W_rows" in doc
    assert "dcols = W_rowsᵀ @ dout" not in doc


def test_conv2d_copies_the_arrays_it_is_given():
    W, b = np.ones((2, 1, 2, 2)), np.zeros(2)
    first, second = conv.Conv2D(W, b), conv.Conv2D(W, b)
    assert not np.shares_memory(first.W, W) and not np.shares_memory(first.b, b)
    assert not np.shares_memory(first.W, second.W)
    first.params["W"] -= 1.0
    first.params["b"] += 2.0
    np.testing.assert_array_equal(W, np.ones((2, 1, 2, 2)))
    np.testing.assert_array_equal(second.b, np.zeros(2))
    assert conv.Conv2D(np.ones((1, 1, 2, 2), dtype=np.int64), [0]).W.dtype == np.float64


# ------------------------------------------------------------------ MaxPool2D gradients
@pytest.mark.parametrize("method", ["loop", "windows"])
@pytest.mark.parametrize("size,stride", [(2, 2), (3, 2), (2, 1), (3, 3)])
def test_maxpool_matches_numerical_gradients(method, size, stride):
    rng = np.random.default_rng(size * 10 + stride)
    x = rng.permutation(2 * 3 * 7 * 8).reshape(2, 3, 7, 8) * 0.1   # distinct values: no ties
    layer = conv.MaxPool2D(size, stride, method)
    # a positive upstream: where overlapping windows pick the same maximum their gradients
    # add up, and random signs could cancel to an entry too small for a relative check
    upstream = rng.uniform(0.5, 1.5, layer.forward(x).shape)
    report = check_layer(layer, x, upstream=upstream)
    assert report.passed, str(report)


def test_maxpool_routes_to_the_winner():
    x = np.array([[[[1.0, 3.0], [2.0, 0.0]]]])
    pool = conv.MaxPool2D()
    assert pool.forward(x)[0, 0, 0, 0] == 3.0
    np.testing.assert_array_equal(pool.backward(np.array([[[[5.0]]]]))[0, 0], [[0, 5], [0, 0]])


def test_maxpool_windows_backward_scatters_with_col2im(monkeypatch):
    """One scatter-add for both layers: the pooling backward hands its windows to col2im."""
    calls = []
    real_col2im = conv.col2im

    def counting_col2im(cols, padded_shape, kh, kw, stride):
        calls.append((cols.shape, padded_shape, kh, kw, stride))
        return real_col2im(cols, padded_shape, kh, kw, stride)

    monkeypatch.setattr(conv, "col2im", counting_col2im)
    x = np.random.default_rng(2).standard_normal((2, 3, 5, 5))
    pool = conv.MaxPool2D(3, 2)
    dout = np.arange(2 * 3 * 2 * 2, dtype=float).reshape(2, 3, 2, 2)
    pool.forward(x)
    dx = pool.backward(dout)
    assert calls == [((2 * 2 * 2, 3 * 9), (2, 3, 5, 5), 3, 3, 2)]
    loop = conv.MaxPool2D(3, 2, method="loop")
    loop.forward(x)
    np.testing.assert_array_equal(dx, loop.backward(dout))


def test_maxpool_tie_goes_to_the_first_entry_once():
    x = np.ones((1, 1, 2, 2))
    for method in ("loop", "windows"):
        pool = conv.MaxPool2D(method=method)
        pool.forward(x)
        np.testing.assert_array_equal(pool.backward(np.full((1, 1, 1, 1), 2.0))[0, 0],
                                      [[2, 0], [0, 0]])


@given(n=st.integers(1, 2), c=st.integers(1, 3), h=st.integers(1, 8), w=st.integers(1, 8),
       size=st.integers(1, 3), stride=st.integers(1, 3), ties=st.booleans(),
       seed=st.integers(0, 2**16))
def test_maxpool_loop_and_windows_agree(n, c, h, w, size, stride, ties, seed):
    assume(not (size > h or size > w))
    rng = np.random.default_rng(seed)
    shape = (n, c, h, w)
    x = rng.integers(0, 3, shape).astype(float) if ties else rng.standard_normal(shape)
    loop, fast = conv.MaxPool2D(size, stride, "loop"), conv.MaxPool2D(size, stride, "windows")
    out = loop.forward(x)
    np.testing.assert_array_equal(fast.forward(x), out)
    dout = rng.standard_normal(out.shape)
    np.testing.assert_allclose(fast.backward(dout), loop.backward(dout), rtol=1e-12, atol=1e-12)


# --------------------------------------------------- seed 002: dx two ways, written out
def test_seed_002_terms_for_3x3_input_and_2x2_kernel():
    terms = conv.input_gradient_terms((3, 3), (2, 2))
    assert terms["∂L/∂x1"] == "∂L/∂y1·w1"
    assert terms["∂L/∂x5"] == "∂L/∂y1·w4 + ∂L/∂y2·w3 + ∂L/∂y3·w2 + ∂L/∂y4·w1"
    assert terms["∂L/∂x9"] == "∂L/∂y4·w4"
    assert len(terms) == 9


def test_seed_002_numbers_both_ways():
    x = np.arange(1.0, 10.0).reshape(3, 3)           # x1..x9
    w = np.array([[1.0, 2.0], [3.0, 4.0]])           # w1..w4
    y = conv.correlate2d_valid(x, w)
    assert y[0, 0] == 1 * 1 + 2 * 2 + 4 * 3 + 5 * 4   # y1 = w1·x1 + w2·x2 + w3·x4 + w4·x5
    dy = np.array([[1.0, -1.0], [2.0, 0.5]])         # ∂L/∂y1..∂L/∂y4
    direct = conv.input_gradient_direct(dy, w)
    full = conv.input_gradient_full_convolution(dy, w)
    np.testing.assert_array_equal(direct, full)
    assert direct[0, 0] == 1.0 * 1                                      # ∂L/∂y1·w1
    assert direct[1, 1] == 1.0 * 4 + (-1.0) * 3 + 2.0 * 2 + 0.5 * 1    # x5's four terms
    example = conv.worked_example()
    np.testing.assert_array_equal(example.dx_direct, example.dx_full_convolution)
    np.testing.assert_array_equal(example.y, conv.correlate2d_valid(example.x, example.kernel))
    assert example.terms == conv.input_gradient_terms((3, 3), (2, 2))


@given(h=st.integers(1, 7), w=st.integers(1, 7), kh=st.integers(1, 4), kw=st.integers(1, 4),
       seed=st.integers(0, 2**16))
def test_direct_and_full_convolution_agree_with_numerical_gradient(h, w, kh, kw, seed):
    assume(not (kh > h or kw > w))
    rng = np.random.default_rng(seed)
    x, kernel = rng.standard_normal((h, w)), rng.standard_normal((kh, kw))
    dout = rng.standard_normal((h - kh + 1, w - kw + 1))
    def loss(v):
        return float(np.sum(conv.correlate2d_valid(v, kernel) * dout))

    numeric = numerical_gradient(loss, x, h=1e-2)      # linear in x: exact at any h
    direct = conv.input_gradient_direct(dout, kernel)
    assert rel_error(direct, numeric) < 1e-7
    np.testing.assert_allclose(conv.input_gradient_full_convolution(dout, kernel), direct,
                               rtol=1e-12, atol=1e-12)


@given(h=st.integers(1, 9), w=st.integers(1, 9), kh=st.integers(1, 3), kw=st.integers(1, 3),
       stride=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_both_ways_agree_with_stride(h, w, kh, kw, stride, seed):
    assume(not (kh > h or kw > w))
    rng = np.random.default_rng(seed)
    x, kernel = rng.standard_normal((h, w)), rng.standard_normal((kh, kw))
    y = conv.correlate2d_valid(x, kernel, stride)
    assert y.shape == (conv.output_size(h, kh, stride), conv.output_size(w, kw, stride))
    dout = rng.standard_normal(y.shape)
    direct = conv.input_gradient_direct(dout, kernel, stride, input_shape=(h, w))
    full = conv.input_gradient_full_convolution(dout, kernel, stride, input_shape=(h, w))
    np.testing.assert_allclose(full, direct, rtol=1e-12, atol=1e-12)
    # and both are the real gradient: <dout, y(x)> is linear in x, so this identity is exact
    assert np.sum(direct * x) == pytest.approx(np.sum(dout * y), rel=1e-12, abs=1e-12)


def test_dilate():
    np.testing.assert_array_equal(conv.dilate([[1.0, 2.0], [3.0, 4.0]], 2),
                                  [[1, 0, 2], [0, 0, 0], [3, 0, 4]])
    np.testing.assert_array_equal(conv.dilate([[5.0, 6.0]], 1), [[5.0, 6.0]])
    with pytest.raises(ValueError, match="dilate: dout must be a non-empty 2-D array"):
        conv.dilate(np.ones(3), 2)


def test_rotate180():
    np.testing.assert_array_equal(conv.rotate180([[1, 2], [3, 4]]), [[4, 3], [2, 1]])


# ------------------------------------------------------------------------- bad input
def test_conv2d_bad_shapes_get_clear_errors():
    W, b = np.ones((2, 3, 3, 3)), np.zeros(2)
    with pytest.raises(ValueError, match=r"Conv2D: W must have shape \(F, C, HH, WW\)"):
        conv.Conv2D(np.ones((3, 3)), b)
    with pytest.raises(ValueError, match=r"Conv2D: b must have shape \(2,\)"):
        conv.Conv2D(W, np.zeros(3))
    with pytest.raises(ValueError, match="stride must be an integer >= 1"):
        conv.Conv2D(W, b, stride=0)
    with pytest.raises(ValueError, match="pad must be an integer >= 0"):
        conv.Conv2D(W, b, pad=-1)
    with pytest.raises(ValueError, match="unknown method 'fft'"):
        conv.Conv2D(W, b, method="fft")
    layer = conv.Conv2D(W, b)
    with pytest.raises(ValueError, match=r"x has 2 channels .* W expects 3"):
        layer.forward(np.ones((1, 2, 5, 5)))
    with pytest.raises(ValueError, match=r"3×3 kernel is larger than the padded input 2×5"):
        layer.forward(np.ones((1, 3, 2, 5)))
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, H, W\)"):
        layer.forward(np.ones((3, 5, 5)))
    with pytest.raises(ValueError, match="before forward"):
        conv.Conv2D(W, b).backward(np.ones((1, 2, 3, 3)))
    layer.forward(np.ones((1, 3, 5, 5)))
    with pytest.raises(ValueError, match=r"dout has shape \(1, 2, 2, 2\) but forward returned"):
        layer.backward(np.ones((1, 2, 2, 2)))
    with pytest.raises(ValueError, match="NaN or inf"):
        layer.forward(np.full((1, 3, 5, 5), np.nan))


def test_maxpool_and_helpers_bad_input_get_clear_errors():
    with pytest.raises(ValueError, match="MaxPool2D: size must be an integer >= 1"):
        conv.MaxPool2D(size=0)
    with pytest.raises(ValueError, match=r"3×3 window does not fit in the 2×4 input"):
        conv.MaxPool2D(3).forward(np.ones((1, 1, 2, 4)))
    with pytest.raises(ValueError, match="input_gradient_direct: kernel must be a non-empty 2-D"):
        conv.input_gradient_direct(np.ones((2, 2)), np.ones((1, 2, 2)))
    with pytest.raises(ValueError, match="kernel .* is larger than x"):
        conv.correlate2d_valid(np.ones((2, 2)), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"an input of shape \(5, 5\) with a \(2, 2\) kernel "
                                         r"and stride 1 does not give an output of shape"):
        conv.input_gradient_full_convolution(np.ones((2, 2)), np.ones((2, 2)),
                                             input_shape=(5, 5))
    with pytest.raises(ValueError, match="input_gradient_direct: stride must be an integer"):
        conv.input_gradient_direct(np.ones((2, 2)), np.ones((2, 2)), stride=0)
    with pytest.raises(ValueError, match="input_gradient_terms"):
        conv.input_gradient_terms((2, 2), (3, 1))
