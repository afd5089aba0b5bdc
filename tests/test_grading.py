"""backprop_lab.grading: tasks whose messages teach, references from the engine, isolated hidden checks.

(The comparison and the mistake hints themselves are tested in ``test_mistakes.py``.)

The reference solutions are the answer cells of the course's source notebooks (read from
``assignments/build_assignments.py``), executed here in-process: every task must accept
them, reject the untouched release stubs, and recognise the typical mistakes below.
"""
from __future__ import annotations

import builtins
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import backprop_lab.grading.judge  # noqa: F401  (the judge's module, patched below)
from backprop_lab import grading, mistakes
from backprop_lab.grading import GradingError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "assignments"))
import build_assignments as builder  # noqa: E402


# ------------------------------------------------------------------ the notebooks' code
def namespace(ps_name: str, *, release: bool = False) -> dict:
    """Run a problem set's setup and answer cells (the source, or release stubs)."""
    ns: dict = {}
    for cell in builder.PROBLEM_SETS[ps_name].cells:
        if cell.kind not in ("setup", "answer"):
            continue
        source = cell.source
        if release and cell.kind == "answer":
            source = re.sub(r"( *)### BEGIN SOLUTION\n.*?### END SOLUTION",
                            lambda m: f"{m.group(1)}# YOUR CODE HERE\n{m.group(1)}raise NotImplementedError()",
                            source, flags=re.S)
        exec(compile(source, cell.id, "exec"), ns)
    return ns


@pytest.fixture(scope="module")
def solutions():
    return {name: namespace(name) for name in builder.PROBLEM_SETS}


def task_cells():
    for ps in builder.PROBLEM_SETS.values():
        for cell in ps.cells:
            if cell.kind == "tests":
                yield pytest.param(ps.name, cell.task, cell.names, id=cell.task)


def student_code(ns: dict, names) -> dict:
    return {name: ns[name] for name in names}


def test_unknown_task_and_missing_names_are_clear_errors():
    with pytest.raises(ValueError, match="unknown task 'ps9.x'"):
        grading.check("ps9.x")
    with pytest.raises(ValueError, match=r"needs \['MultiplyGate'\]; missing \['MultiplyGate'\]"):
        grading.check("ps1.multiply_gate")


# ------------------------------------------------------------------ every task
@pytest.mark.parametrize("ps_name, task, names", list(task_cells()))
def test_reference_solution_passes_visible_and_isolated_checks(solutions, ps_name, task, names,
                                                               capsys):
    code = student_code(solutions[ps_name], names)
    grading.check(task, **code)
    grading.fresh().verify_isolated(task, **code)
    out = capsys.readouterr().out
    assert "the worked examples pass" in out and "hidden tests pass" in out


@pytest.mark.parametrize("ps_name, task, names", list(task_cells()))
def test_release_stubs_fail_both_checks(ps_name, task, names):
    code = student_code(namespace(ps_name, release=True), names)
    with pytest.raises(GradingError, match="NotImplementedError"):
        grading.check(task, **code)
    # every hidden case raised: failed at once, without spawning the judge
    with pytest.raises(GradingError, match="raised an error on every hidden case"):
        grading.verify_isolated(task, **code)


def test_every_task_is_used_by_exactly_one_test_cell():
    used = [cell.task for ps in builder.PROBLEM_SETS.values() for cell in ps.cells
            if cell.kind == "tests"]
    assert sorted(used) == sorted(grading.task_ids())


# ------------------------------------------------------------------ typical mistakes
def mistaken(solutions, ps_name, **replacements) -> dict:
    ns = dict(solutions[ps_name])
    ns.update(replacements)
    return ns


def failure(task, **code) -> str:
    with pytest.raises(GradingError) as info:
        grading.check(task, **code)
    return str(info.value)


def multiply_gate_with(backward, base=None):
    """A student's MultiplyGate: the given forward of the notebook, this ``backward``."""
    from backprop_lab.gates import Gate
    return type("MultiplyGate", (base or Gate,), {
        "forward": lambda self, x, y: (self.save(x, y), x * y)[1], "backward": backward})


def test_multiply_gate_without_upstream():
    def backward(self, upstream):
        x, y = self.saved()
        return y, x                               # the local gradients, upstream forgotten
    msg = failure("ps1.multiply_gate", MultiplyGate=multiply_gate_with(backward))
    assert "dx: expected 6, got 3. Hint: looks like the upstream gradient was not multiplied in" in msg


def test_max_gate_counting_a_tie_twice(solutions):
    Base = solutions["ps1_gates"]["MaxGate"]

    class MaxGate(Base):
        def backward(self, upstream):
            x, y = self.saved()
            return upstream * np.asarray(x >= y, float), upstream * np.asarray(y >= x, float)
    with pytest.raises(GradingError, match="at a tie"):
        grading.verify_isolated("ps1.max_gate", MaxGate=MaxGate)


def test_sigmoid_gate_using_sigma_instead_of_its_derivative(solutions):
    Base = solutions["ps1_gates"]["SigmoidGate"]

    class SigmoidGate(Base):
        def backward(self, upstream):
            return (upstream * self.out,)
    assert "not σ(x)" in failure("ps1.sigmoid_gate", SigmoidGate=SigmoidGate)


def test_neuron_must_use_the_students_gates(solutions):
    import backprop_lab as bl
    ns = solutions["ps1_gates"]
    msg = failure("ps1.neuron_graph", neuron=lambda w0, x0, w1, x1, w2: bl.sigmoid(w0 * x0 + w1 * x1 + w2),
                  MultiplyGate=ns["MultiplyGate"], SigmoidGate=ns["SigmoidGate"])
    assert "must build the graph with your MultiplyGate" in msg


def test_staged_backward_with_overwritten_branch(solutions):
    good = solutions["ps1_gates"]["staged_f"]

    def staged_f(x, y):
        f, dx, dy = good(x, y)
        sigx = 1 / (1 + np.exp(-x))
        num = x + 1 / (1 + np.exp(-y))
        den = sigx + (x + y) ** 2
        return f, dx - (1 / den), dy              # dropped the numerator's branch of x
    assert "branches were overwritten instead of added" in failure("ps1.staged_backward",
                                                                   staged_f=staged_f)


def test_fanout_losing_a_use(solutions):
    def fanout_f(a, b):
        f = a * b + max(a, b) * a
        return f, max(a, b) + (a if a >= b else 0.0), a + (a if b > a else 0.0)   # lost `b`
    assert "gradients of all its uses add up" in failure("ps1.fanout", fanout_f=fanout_f)


def test_affine_mistakes(solutions):
    Base = solutions["ps3_layers"]["Affine"]

    class TransposedDW(Base):
        def backward(self, dout):
            dx = super().backward(dout)
            self.dW = self.dW.T
            return dx

    class UnsummedDb(Base):
        def backward(self, dout):
            dx = super().backward(dout)
            self.db = dout
            return dx

    class MeanDb(Base):
        def backward(self, dout):
            dx = super().backward(dout)
            self.db = dout.mean(axis=0)
            return dx
    assert "shape (4, 3) should be (3, 4): did you forget a transpose" in failure(
        "ps3.affine", Affine=TransposedDW)
    assert "db: shape (2, 4) should be (4,): it is not summed over the batch" in failure(
        "ps3.affine", Affine=UnsummedDb)
    assert "its gradient is the *sum* of their contributions" in failure("ps3.affine", Affine=MeanDb)


def test_affine_backward_ignoring_dout_fails_the_visible_check():
    class IgnoresDout:
        def __init__(self, W, b):
            self.W, self.b = W, b

        def forward(self, x):
            self.x = x
            return x @ self.W + self.b

        def backward(self, dout):
            ones = np.ones_like(dout)
            self.dW, self.db = self.x.T @ ones, ones.sum(axis=0)
            return ones @ self.W.T
    msg = failure("ps3.affine", Affine=IgnoresDout)
    for label in ("dx", "dW", "db"):
        assert f"{label}: wrong at index" in msg
    assert "the upstream gradient (dout) was not multiplied in (dx = dout · Wᵀ)" in msg


def test_no_mean_loss_batch_hint_where_there_is_no_loss(solutions):
    """Affine and RNN get a given upstream dout, no mean loss: a factor equal to the batch
    size (2 in the worked examples) must not be explained by a loss's 1/N."""
    Base = solutions["ps3_layers"]["Affine"]

    class DoubleDx(Base):
        def backward(self, dout):
            return 2 * super().backward(dout)
    msg = failure("ps3.affine", Affine=DoubleDx)
    assert "batch size" not in msg and "mean" not in msg
    assert "exactly twice the right value" in msg
    step = solutions["ps4_cnn_rnn"]["rnn_step_backward"]

    def doubled(dh, cache):
        return tuple(2 * g for g in step(dh, cache))
    msg = failure("ps4.rnn_step", rnn_step_backward=doubled)
    assert "batch size" not in msg and "exactly twice the right value" in msg


def test_relu_passing_gradient_at_zero(solutions):
    ns = solutions["ps3_layers"]

    class ReLU(ns["ReLU"]):
        def backward(self, dout):
            return dout * (self.x_seen >= 0)

        def forward(self, x):
            self.x_seen = x
            return super().forward(x)
    assert "use the mask x > 0" in failure("ps3.activations", ReLU=ReLU, Sigmoid=ns["Sigmoid"])


def test_softmax_without_the_onehot(solutions):
    def softmax_cross_entropy(scores, y):
        shifted = scores - scores.max(axis=1, keepdims=True)
        p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        return -np.log(p[np.arange(len(y)), y]).mean(), p / len(y)
    assert "subtract 1 at the correct class" in failure("ps3.softmax_ce",
                                                        softmax_cross_entropy=softmax_cross_entropy)


def test_numerical_gradient_mistakes():
    def one_sided(f, x, h=1e-5):
        grad = np.zeros_like(x)
        fx = f(x)
        for idx in np.ndindex(x.shape):
            old = x[idx]
            x[idx] = old + h
            grad[idx] = (f(x) - fx) / h
            x[idx] = old
        return grad

    def not_restored(f, x, h=1e-5):
        grad = one_sided(f, x, h)
        x += 1.0
        return grad
    assert "centered one" in failure("ps3.numerical_gradient", numerical_gradient=one_sided)
    assert "x after the call (must be restored)" in failure("ps3.numerical_gradient",
                                                             numerical_gradient=not_restored)


def test_training_below_target(solutions):
    ns = solutions["ps3_layers"]

    def lazy(X, y):
        return ns["TwoLayerNet"](X.shape[1], 10, 3)        # never trained
    assert "below the target 90%" in failure("ps3.train", train_two_layer=lazy)


def test_conv_without_rotating_the_kernel(solutions):
    forward = solutions["ps4_cnn_rnn"]["conv2d_forward"]

    def conv_dx_rotated(dout, w):
        hh, ww = w.shape
        return forward(np.pad(dout, ((hh - 1, hh - 1), (ww - 1, ww - 1))), w)
    assert "rotated by 180°" in failure("ps4.conv_rotated", conv_dx_rotated=conv_dx_rotated)


def test_rnn_step_without_tanh_derivative():
    def rnn_step_backward(dh, cache):
        x, h_prev, Wx, Wh, h = cache
        return dh @ Wx.T, dh @ Wh.T, x.T @ dh, h_prev.T @ dh, dh.sum(0)
    assert "(1 − h²)" in failure("ps4.rnn_step", rnn_step_backward=rnn_step_backward)


def test_bptt_without_the_gradient_from_the_future(solutions):
    step = solutions["ps4_cnn_rnn"]["rnn_step_backward"]

    def rnn_backward(dhs, caches):
        dxs, dWx, dWh, db = [], 0, 0, 0
        for t in reversed(range(len(caches))):
            dx, dh_prev, a, b, c = step(dhs[t], caches[t])   # dh_prev never passed on
            dxs.insert(0, dx)
            dWx, dWh, db = dWx + a, dWh + b, db + c
        return np.stack(dxs), dh_prev, dWx, dWh, db
    assert "arriving at h_t from step t+1" in failure("ps4.bptt", rnn_backward=rnn_backward)


def test_clipping_each_array_separately():
    def clip_by_global_norm(grads, max_norm):
        norm = float(np.sqrt(sum((g * g).sum() for g in grads)))
        return [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads], norm
    assert "*global* norm" in failure("ps4.clipping", clip_by_global_norm=clip_by_global_norm)


def test_gradient_norms_in_the_wrong_order(solutions):
    ns = solutions["ps4_cnn_rnn"]
    msg = failure("ps4.vanishing", gradient_norms=lambda W, T, g: ns["gradient_norms"](W, T, g)[::-1],
                  growth_rate=ns["growth_rate"])
    assert "must run backwards from the last step" in msg


# ------------------------------------------------------------------ problem set 2: your own engine
def ps2_with(*edits) -> dict:
    """Problem set 2's solutions with ``(old, new)`` text edits: the mistake a student makes."""
    return solved_with("ps2_engine", *edits)


def solved_with(ps_name: str, *edits) -> dict:
    """A problem set's solutions with ``(old, new)`` text edits (each must match a cell)."""
    ns, applied = {}, set()
    for cell in builder.PROBLEM_SETS[ps_name].cells:
        if cell.kind in ("setup", "answer"):
            source = cell.source
            for old, new in edits:
                if old in source:
                    source, _ = source.replace(old, new), applied.add(old)
            exec(compile(source, cell.id, "exec"), ns)
    assert applied == {old for old, _ in edits}, "an edit matched no cell"
    return ns


def hidden_failure(task, **code) -> str:
    with pytest.raises(GradingError) as info:
        grading.verify_isolated(task, **code)
    return str(info.value)


@pytest.mark.parametrize("old, new, words", [
    ('(other.data, self.data), "×"', '(self.data, other.data), "×"', "swaps its inputs: d(a·b)/da = b"),
    ('(1.0 - t * t,), "tanh"', '(1.0 - self.data ** 2,), "tanh"', "not 1 − a²"),
    ('(n * self.data ** (n - 1),)', '(self.data ** (n - 1),)', "the factor n is missing"),
    ('(1.0, -1.0), "-"', '(1.0, 1.0), "-"', "d(a − b)/db = −1"),
    ('(self, other), (1.0, 1.0), "+"', '(), (), "+"', "the operand is not among `out.parents`"),
])
def test_value_ops_mistakes(old, new, words):
    assert words in failure("ps2.value_ops", Value=ps2_with((old, new))["Value"])


def test_relu_at_zero_is_a_hidden_case():
    ns = ps2_with(("1.0 if self.data > 0 else 0.0,), \"ReLU\"", "1.0 if self.data >= 0 else 0.0,), \"ReLU\""))
    grading.check("ps2.value_ops", Value=ns["Value"])
    assert "ReLU passes the gradient only where a > 0" in hidden_failure("ps2.value_ops", Value=ns["Value"])


def recursive_order(root):
    order, seen = [], set()

    def visit(node):
        if id(node) not in seen:
            seen.add(id(node))
            for parent in node.parents:
                visit(parent)
            order.append(node)
    visit(root)
    return order


def reversed_bfs(root):
    order, seen, queue = [], {id(root)}, [root]
    while queue:
        node = queue.pop(0)
        order.append(node)
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                queue.append(parent)
    return order[::-1]


def without_visited_set(root):
    order, stack = [], [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((parent, False) for parent in node.parents)
    return order


@pytest.mark.parametrize("order, words", [
    (recursive_order, "RecursionError: a function calls itself once per node"),
    (reversed_bfs, "comes before its input 'a'. A node may be listed only after *all* its inputs"),
    (lambda root: ps2_with()["topological_order"](root)[::-1], "The order is reversed"),
    (without_visited_set, "'a' appears 3 times: remember the nodes you have visited"),
    (lambda root: [root], "4 missing, e.g. 'x'"),
    (lambda root: None, "must return a list of nodes; got NoneType"),
])
def test_topological_order_mistakes(order, words):
    assert words in failure("ps2.topological_order", topological_order=order)


def test_any_valid_topological_order_is_accepted():
    """Visiting the parents in the other order gives another valid order (different from the
    model solution's on these graphs): the property is checked, not one answer."""
    def other_order(root):
        order, seen, stack = [], set(), [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in reversed(node.parents))
        return order
    solution = ps2_with()["topological_order"]
    cases = grading.TASKS["ps2.topological_order"].cases(hidden=False)
    differs = [grading.TASKS["ps2.topological_order"].run({"topological_order": f}, i)
               for f in (other_order, solution) for _, i in cases[:3]]
    assert differs[:3] != differs[3:]
    grading.check("ps2.topological_order", topological_order=other_order)
    grading.verify_isolated("ps2.topological_order", topological_order=other_order)


@pytest.mark.parametrize("old, new, words", [
    ("parent.grad += local * node.grad", "parent.grad = local * node.grad",
     "da: expected 2, got 1. Hint: a is used twice: its gradient is the sum over all its uses (+= in backward, never =)"),
    ("    for node in order:\n        node.grad = 0.0\n    self.grad = 1.0",
     "    self.grad = 1.0",
     "backward() called twice must give the same gradients"),
    ("    self.grad = 1.0\n    for node in reversed", "    for node in reversed",
     "backward() seeds the output: set its grad to 1"),
    ("    for node in topological_order(self):\n        node.grad = 0.0\n    ### END",
     "    self.grad = 0.0\n    ### END", "zero_grad() sets the grad of *every* node"),
])
def test_backward_mistakes(old, new, words):
    assert words in failure("ps2.backward", Value=ps2_with((old, new))["Value"])


def test_a_recursive_engine_fails_on_the_deep_chain():
    ns = ps2_with(("    order = topological_order(self)\n    for node in order:",
                   "    order = recursive(self)\n    for node in order:"))
    ns["recursive"] = recursive_order
    msg = failure("ps2.backward", Value=ns["Value"])
    assert "[x · 1.0001, 10,000 times" in msg and "RecursionError" in msg


def test_random_expressions_catch_an_operation_the_worked_examples_do_not_use():
    ns = ps2_with(('(1.0, -1.0), "-"', '(1.0, 1.0), "-"'))            # wrong d(a − b)/db
    grading.check("ps2.expressions", Value=ns["Value"], staged=ns["staged"])
    assert "random expression" in hidden_failure("ps2.expressions", Value=ns["Value"],
                                                 staged=ns["staged"])


def test_dual_product_rule_forgotten():
    ns = ps2_with(("other.value * self.tangent + self.value * other.tangent",
                   "self.tangent * other.tangent"))
    assert "a * b: tangent: expected" in failure("ps2.dual_numbers", Dual=ns["Dual"])


def test_forward_mode_counts_its_passes():
    ns = ps2_with()
    good = ns["forward_mode_gradient"]

    def one_pass_too_many(f, xs):
        f([ns["Dual"](x) for x in xs])                  # "for the value"
        return good(f, xs)
    msg = failure("ps2.forward_mode", forward_mode_gradient=one_pass_too_many)
    assert "calls of f (passes): expected 2, got 3" in msg and "one pass per input" in msg


def test_mlp_below_target():
    ns = ps2_with()
    msg = failure("ps2.mlp", train_mlp=lambda X, y: ns["MLP"](2, 4))       # never trained
    assert "below the target 85%" in msg


# ------------------------------------------------------------------ problem set 5: real CNN and LSTM layers
def ps5_with(*edits) -> dict:
    """Problem set 5's solutions with ``(old, new)`` text edits."""
    return solved_with("ps5_cnn_lstm", *edits)


def maxpool_backward_with(winners):
    """A max-pool backward that sends each window's gradient to ``winners(window)`` (a
    boolean mask), with += or =."""
    def backward(dout, x, size, stride, overwrite=False):
        dx = np.zeros_like(x)
        for n, c, i, j in np.ndindex(dout.shape):
            rows, cols = slice(i * stride, i * stride + size), slice(j * stride, j * stride + size)
            mask = winners(x[n, c, rows, cols])
            if overwrite:
                dx[n, c, rows, cols][mask] = dout[n, c, i, j]
            else:
                dx[n, c, rows, cols] += mask * dout[n, c, i, j]
        return dx
    return backward


def first_max(window):
    mask = np.zeros(window.shape, dtype=bool)
    mask[np.unravel_index(np.argmax(window), window.shape)] = True
    return mask


@pytest.mark.parametrize("backward, words", [
    (maxpool_backward_with(lambda w: w == w.max()), "only the *first* maximum of the window"),
    (lambda dout, x, size, stride: maxpool_backward_with(first_max)(dout, x, size, stride, True),
     "windows overlap: a pixel that is the maximum of several windows gets the sum"),
    (maxpool_backward_with(lambda w: np.ones(w.shape, dtype=bool)), "to the maximum only"),
])
def test_maxpool_mistakes(backward, words):
    assert words in failure("ps5.maxpool", maxpool_backward=backward)


@pytest.mark.parametrize("old, new, words", [
    ("return dx_pad[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]], dw, db",
     "return dx_pad, dw, db", "the shape of the *padded* input"),
    ("db = dout.sum(axis=(0, 2, 3))", "db = dout.sum(axis=(2, 3))[0]",
     "db[f] sums dout over the images *and* the positions"),
])
def test_conv_channels_mistakes(old, new, words):
    assert words in failure("ps5.conv_channels", conv_backward=ps5_with((old, new))["conv_backward"])


def test_strided_dx_without_dilation():
    ns = ps5_with(("np.pad(dilate(dout, stride), ((kh", "np.pad(dout, ((kh"))
    msg = failure("ps5.dilated", dilate=ns["dilate"], conv_dx_full=ns["conv_dx_full"])
    assert "put s − 1 zeros between the entries of dout" in msg


@pytest.mark.parametrize("old, new, words", [
    ("dc = dc_next + dh * o", "dc = dh * o", "c also goes on to the next step: add dc_next"),
    ("dh * o * (1.0 - tanh_c ** 2)", "dh * o", "multiply by tanh's local gradient 1 − tanh(c)²"),
    ("di * i * (1 - i), df * f * (1 - f), do * o * (1 - o),\n                         dg * (1 - g ** 2)",
     "di, df, do, dg", "σ(1 − σ) and 1 − g²"),
])
def test_lstm_step_mistakes(old, new, words):
    assert words in failure("ps5.lstm_step", lstm_step_backward=ps5_with((old, new))["lstm_step_backward"])


@pytest.mark.parametrize("old, new, words", [
    ("lstm_step_backward(dhs[t] + dh_next, dc_next,", "lstm_step_backward(dhs[t] + dh_next, 0 * dc_next,",
     "the cell state carries gradient back in time too"),
    ("lstm_step_backward(dhs[t] + dh_next, dc_next,", "lstm_step_backward(dhs[t], dc_next,",
     "the gradient arriving at h_t from step t+1"),
])
def test_lstm_bptt_mistakes(old, new, words):
    assert words in failure("ps5.lstm_bptt", lstm_backward=ps5_with((old, new))["lstm_backward"])


# ------------------------------------------------------------------ the isolated checks
@pytest.fixture
def wrong_multiply():
    return multiply_gate_with(lambda self, upstream: (0.0 * upstream, 0.0 * upstream))


def test_monkeypatching_the_kernel_does_not_fool_the_isolated_check(monkeypatch, wrong_multiply):
    monkeypatch.setattr(builtins, "abs", lambda v: 0)
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(np.testing, "assert_allclose", lambda *a, **k: None)
    monkeypatch.setattr(grading, "check", lambda *a, **k: None)
    monkeypatch.setattr(grading, "verify_isolated", lambda *a, **k: None)
    monkeypatch.setattr(grading.hidden, "verify_isolated", lambda *a, **k: None)
    monkeypatch.setattr(grading.hidden, "run_judge", lambda request: {"passed": True})
    monkeypatch.setattr(grading.judge, "judge", lambda request: {"passed": True})
    monkeypatch.setattr(grading.task.Task, "failures", lambda *a, **k: {})
    monkeypatch.setattr(mistakes, "compare", lambda *a, **k: None)
    grading.check("ps1.multiply_gate", MultiplyGate=wrong_multiply)        # the patched no-op
    with pytest.raises(AssertionError, match="separate Python process"):   # the copy's GradingError
        grading.fresh().verify_isolated("ps1.multiply_gate", MultiplyGate=wrong_multiply)


def test_correct_code_still_passes_with_patched_builtins(monkeypatch, solutions):
    monkeypatch.setattr(builtins, "abs", lambda v: 0)
    grading.fresh().verify_isolated("ps1.staged_backward",
                                    staged_f=solutions["ps1_gates"]["staged_f"])


def test_easier_inputs_in_the_kernel_do_not_fool_the_isolated_check(monkeypatch):
    """The reference process regenerates the cases: zeroing them in the kernel gains nothing."""
    fresh = grading.fresh()
    original = fresh.ps1_gates.MultiplyGateTask.cases

    def zero_cases(self, hidden):
        return [(d, {k: 0.0 * v for k, v in inputs.items()}) for d, inputs in original(self, hidden)]
    monkeypatch.setattr(fresh.ps1_gates.MultiplyGateTask, "cases", zero_cases)

    Zero = multiply_gate_with(lambda self, upstream: (0.0 * upstream, 0.0 * upstream))
    fresh.check("ps1.multiply_gate", MultiplyGate=Zero)                     # fooled locally
    with pytest.raises(AssertionError, match="hidden tests"):
        fresh.verify_isolated("ps1.multiply_gate", MultiplyGate=Zero)


def run_isolated(request: dict) -> dict:
    process = subprocess.run([sys.executable, *grading.ISOLATION_FLAGS, "-m", "backprop_lab.grading"],
                             input=json.dumps(request), capture_output=True, text=True, timeout=60)
    return json.loads(process.stdout.splitlines()[-1])


def test_isolated_process_rejects_missing_and_non_numeric_results():
    verdict = run_isolated({"task": "ps1.multiply_gate", "results": []})
    assert verdict["passed"] is False and "expected results for 3 cases" in verdict["messages"][0]
    junk = {"outputs": {"forward output": {"kind": "other", "type": "Fake"},
                        "dx": {"kind": "none"}, "dy": {"kind": "array", "shape": [], "data": [1.0]}},
            "error": None}
    verdict = run_isolated({"task": "ps1.multiply_gate", "results": [junk] * 3})
    assert verdict["passed"] is False
    text = "\n".join(verdict["messages"])
    assert "got Fake" in text and "dx: got None" in text
    # one message per wrong result: the non-numeric one is not also reported as None
    assert len(re.findall(r"forward output:", text)) == 3, text
    assert "forward output: got None" not in text


def test_isolated_process_reports_the_students_exception():
    failed = {"outputs": None, "error": "your code raised ZeroDivisionError: division by zero"}
    verdict = run_isolated({"task": "ps1.fanout", "results": [failed] * 5})
    assert verdict["passed"] is False and "ZeroDivisionError" in verdict["messages"][0]


def test_fresh_copy_ignores_reassigned_helpers(monkeypatch):
    monkeypatch.setattr(grading, "verify_isolated", lambda *a, **k: None)
    monkeypatch.setattr(grading.hidden, "run_judge", lambda request: {"passed": True})
    copy = grading.fresh()
    assert copy.verify_isolated is not grading.verify_isolated
    assert copy.hidden.run_judge is not grading.hidden.run_judge
    assert copy.__name__.startswith("backprop_lab._grading_private_")
    assert copy.hidden.__name__ == copy.__name__ + ".hidden"      # every submodule is private
    assert grading.fresh().__name__ != copy.__name__                # a new name every time


def test_private_copy_ignores_planted_sys_modules(monkeypatch):
    """A fake module planted under a private name cannot be predicted: the names are random."""
    import types
    monkeypatch.setitem(sys.modules, "backprop_lab._grading_private", types.SimpleNamespace())
    copy = grading.fresh()
    assert copy.registry.TASKS.keys() == grading.TASKS.keys()


# ------------------------------------------------------------------ display and nbgrader
def test_show_does_nothing_while_nbgrader_executes(monkeypatch):
    calls = []
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert grading.interactive() is False
    grading.show(lambda: calls.append("built"))
    assert calls == []
    monkeypatch.delenv("NBGRADER_EXECUTION")
    assert grading.interactive() is True
    grading.show(lambda: calls.append("built") or "drawing")
    assert calls == ["built"]


def test_importing_grading_does_not_import_nbgrader():
    code = "import sys, backprop_lab.grading; print('nbgrader' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_warnings_from_correct_code_do_not_reach_stderr(capsys):
    """nbgrader scores a test cell 0 when it writes to stderr: right results must not lose points."""
    import warnings

    def backward(self, upstream):
        warnings.warn("a harmless warning from the student's code")
        x, y = self.saved()
        return upstream * y, upstream * x
    gate = multiply_gate_with(backward)
    grading.check("ps1.multiply_gate", MultiplyGate=gate)
    grading.verify_isolated("ps1.multiply_gate", MultiplyGate=gate)
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------ numerical cross-check
def sigmoid_gate_with(forward_fn, local_fn):
    from backprop_lab.gates import Gate

    def forward(self, x):
        self.save(x)
        self.out = forward_fn(x)
        return self.out
    return type("SigmoidGate", (Gate,), {
        "forward": forward, "backward": lambda self, up: (up * local_fn(self.out),)})


def test_wrong_backward_is_told_apart_from_wrong_forward():
    import backprop_lab as bl
    wrong_backward = sigmoid_gate_with(bl.sigmoid, lambda s: s)                 # σ instead of σ(1-σ)
    wrong_forward = sigmoid_gate_with(bl.tanh, lambda t: 1.0 - t * t)          # tanh, consistently
    assert "does not match the numerical gradient of your own forward pass either: the " \
           "mistake is in backward" in failure("ps1.sigmoid_gate", SigmoidGate=wrong_backward)
    assert "does match the numerical gradient of *your* forward pass" in failure(
        "ps1.sigmoid_gate", SigmoidGate=wrong_forward)


def test_affine_backward_checked_against_its_own_forward(solutions):
    Base = solutions["ps3_layers"]["Affine"]

    class SwappedBackward(Base):
        def backward(self, dout):
            dx = super().backward(dout)
            self.db = 2 * self.db
            return dx
    msg = failure("ps3.affine", Affine=SwappedBackward)
    assert "db does not match the numerical gradient of your own forward pass either" in msg
    assert "dW does not match" not in msg                                        # dW is right


def test_conv_reference_forward_is_the_packages_correlation():
    from backprop_lab import conv
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(5, 6)), rng.normal(size=(3, 2))
    np.testing.assert_array_equal(grading.conv2d_valid(x, w), conv.correlate2d_valid(x, w))
    with pytest.raises(ValueError, match="correlate2d_valid: kernel"):   # the package's checks
        grading.conv2d_valid(x[:2], w)


def test_isolated_process_ignores_cwd_and_environment_but_keeps_user_site(tmp_path):
    """A ``pip install --user`` backprop_lab must be importable by the judge (``-I`` would
    disable user site-packages); the student's folder and PYTHON* variables must not."""
    code = "import sys; print(sys.flags.no_user_site, sys.flags.safe_path, sys.flags.ignore_environment)"
    out = subprocess.run([sys.executable, *grading.ISOLATION_FLAGS, "-c", code],
                         capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "True", "1"]
    fake = tmp_path / "backprop_lab" / "grading"     # a fake package in the student's folder
    fake.mkdir(parents=True)
    (fake.parent / "__init__.py").write_text("")
    (fake / "__init__.py").write_text("")
    (fake / "__main__.py").write_text('print(\'{"passed": true, "messages": []}\')')
    import os
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        with pytest.raises(GradingError, match="hidden tests"):
            grading.verify_isolated("ps1.multiply_gate", MultiplyGate=multiply_gate_with(
                lambda self, upstream: (0.0 * upstream, 0.0 * upstream)))
    finally:
        os.chdir(cwd)


def answer_key_attempts():
    import functools
    import types

    import backprop_lab as bl

    class MultiplyGate(bl.gates.MultiplyGate):
        pass

    class SigmoidGate(bl.gates.SigmoidGate):
        pass

    class CopiedBackward(bl.gates.Gate):             # own forward, the library's backward
        def forward(self, x, y):
            self.save(x, y)
            return x * y
        backward = bl.gates.MultiplyGate.backward
    return [
        ("ps1.multiply_gate", {"MultiplyGate": MultiplyGate}),
        ("ps1.multiply_gate", {"MultiplyGate": CopiedBackward}),
        ("ps1.sigmoid_gate", {"SigmoidGate": SigmoidGate}),
        ("ps3.numerical_gradient", {"numerical_gradient": bl.gradcheck.numerical_gradient}),
        ("ps3.numerical_gradient",
         {"numerical_gradient": functools.partial(bl.gradcheck.numerical_gradient, h=1e-5)}),
        ("ps3.affine", {"Affine": bl.layers.Affine}),
        ("ps3.activations", {"ReLU": bl.layers.ReLU, "Sigmoid": bl.layers.Sigmoid}),
        ("ps4.clipping", {"clip_by_global_norm": bl.rnn.clip_by_global_norm}),
        ("ps3.train", {"train_two_layer": lambda X, y: types.SimpleNamespace(
            predict=lambda X_test: grading.spiral_split(7)[3])}),
        ("ps2.value_ops", {"Value": bl.graph.Node}),
        ("ps2.backward", {"Value": type("Value", (bl.graph.Node,), {})}),
        ("ps2.topological_order", {"topological_order": bl.topological_order}),
        ("ps2.dual_numbers", {"Dual": bl.modes.Dual}),
        ("ps5.dilated", {"dilate": bl.conv.dilate, "conv_dx_full": bl.conv.input_gradient_full_convolution}),
    ]


@pytest.mark.parametrize("index", range(len(answer_key_attempts())))
def test_the_library_is_not_an_answer_key(index):
    task, code = answer_key_attempts()[index]
    if task != "ps3.train":      # the known labels of the visible case pass only visibly
        assert "is backprop_lab's own backprop_lab." in failure(task, **code)
    with pytest.raises(GradingError, match="hidden tests"):
        grading.verify_isolated(task, **code)


def test_the_gate_base_class_is_allowed(solutions):
    from backprop_lab.gates import ElementwiseGate

    class MultiplyGate(ElementwiseGate):          # the student's own local gradients
        def forward(self, x, y):
            self.save(x, y)
            return x * y

        def local_gradients(self):
            x, y = self.saved()
            return y, x
    grading.check("ps1.multiply_gate", MultiplyGate=MultiplyGate)
    grading.verify_isolated("ps1.multiply_gate", MultiplyGate=MultiplyGate)


def init_with(variance=None, *, shape=None, draw=None):
    """A student's init_weights: normal weights of ``variance(n_in, n_out)``, or ``draw``."""
    def init_weights(n_in, n_out, activation, rng):
        if draw is not None:
            return draw(n_in, n_out, rng)
        return rng.normal(0.0, np.sqrt(variance(n_in, n_out)), size=shape or (n_in, n_out))
    return init_weights


@pytest.mark.parametrize("init, words", [
    (init_with(draw=lambda n_in, n_out, rng: rng.standard_normal((n_in, n_out))),
     "that is the variance of a standard normal"),
    (init_with(lambda n_in, n_out: 1.0 / n_in), "ReLU zeroes half of it, so He doubles it"),
    (init_with(lambda n_in, n_out: (2.0 / n_in) ** 2), "takes the standard deviation s, not the variance"),
    (init_with(lambda n_in, n_out: 2.0 / n_in, shape=None, draw=lambda n_in, n_out, rng:
               rng.normal(0, np.sqrt(2 / n_in), (n_out, n_in))), "W is (n_in, n_out)"),
    (init_with(draw=lambda n_in, n_out, rng: np.zeros((n_in, n_out))), "stay equal forever"),
    (init_with(draw=lambda n_in, n_out, rng: np.repeat(rng.normal(0, np.sqrt(2 / n_in), (n_in, 1)), n_out, axis=1)),
     "W has 100 columns but only 1 distinct one —"),
    (init_with(draw=lambda n_in, n_out, rng: np.random.normal(0, np.sqrt(2 / n_in), (n_in, n_out))),
     "draw them with the generator `rng`"),
    (init_with(draw=lambda n_in, n_out, rng: np.random.default_rng(0).normal(0, np.sqrt(2 / n_in), (n_in, n_out))),
     "another seed gave the same weights"),
    (init_with(draw=lambda n_in, n_out, rng: 0.1 + rng.normal(0, np.sqrt(2 / n_in), (n_in, n_out))),
     "the weights must have mean 0"),
])
def test_init_mistakes(init, words):
    assert words in failure("ps3.init", init_weights=init)


def test_init_names_the_other_scale_and_what_depth_does_to_it():
    he_everywhere = init_with(lambda n_in, n_out: 2.0 / n_in)          # right for ReLU only
    msg = failure("ps3.init", init_weights=he_everywhere)
    assert "[a ReLU layer" not in msg and "[a tanh layer, 60 → 240]" in msg
    assert "2/n_in is He's scale, for ReLU" in msg and "after 20 layers" in msg
    xavier_for_relu = init_with(lambda n_in, n_out: 2.0 / (n_in + n_out))
    assert "Xavier's scale, for tanh" in failure("ps3.init", init_weights=xavier_for_relu)


def test_init_accepts_any_zero_mean_distribution_of_the_right_variance():
    def uniform(n_in, n_out, activation, rng):      # Var(U(-a, a)) = a²/3
        variance = 2.0 / n_in if activation == "relu" else 2.0 / (n_in + n_out)
        a = np.sqrt(3 * variance)
        return rng.uniform(-a, a, size=(n_in, n_out))
    grading.check("ps3.init", init_weights=uniform)
    grading.fresh().verify_isolated("ps3.init", init_weights=uniform)
