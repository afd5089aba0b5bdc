"""The engine under bad input and failed passes: clear errors, and no half-updated state.

A backward that fails part-way (a student's gate raises, a gradient overflows) leaves every
node with what it held before the call -- the same rule as a failed ``Graph.forward`` -- so
no partial sum is ever read as a gradient.
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import backprop_lab as bl
from backprop_lab import gates as G


class FailingGate(G.ElementwiseGate):
    """Doubles its input; backward raises (a student's unfinished gate)."""

    symbol = "?"

    def forward(self, x):
        self.save(x)
        return 2.0 * x

    def local_gradients(self):
        raise NotImplementedError("write the local gradient of your gate")


def fan_out_with_a_failing_branch():
    """a feeds a multiply (×3, reached first backward) and a failing gate (reached last):
    the right da is 3 + 2 = 5; a half-done backward leaves 3 behind."""
    a = bl.var(1.0, name="a")
    b = bl.var(4.0, name="b")
    failing = bl.graph.apply(FailingGate(), a)
    f = (failing * b + a * 3.0).named("f")
    return f, a, b


# ------------------------------------------------------------ backward that fails part-way
def test_a_gate_raising_in_backward_leaves_no_partial_gradients():
    f, a, b = fan_out_with_a_failing_branch()
    g = bl.Graph(f)
    with pytest.raises(NotImplementedError, match="local gradient"):
        g.backward()
    assert g.gradients() == {"a": None, "b": None}          # not {'a': 3.0, 'b': 2.0}
    assert all(node.grad is None and node.sent is None for node in g.nodes)


def test_a_failed_backward_restores_the_gradients_of_the_previous_one():
    x = bl.var(2.0, name="x")
    y = bl.var(3.0, name="y")
    f = (x * y + x).named("f")
    g = bl.Graph(f)
    before = g.backward()
    sent = {id(node): node.sent for node in g.nodes}
    with pytest.raises(ValueError, match="seed has shape"):
        g.backward(seed=np.ones(3))
    assert g.gradients() == before == {"x": 4.0, "y": 2.0}
    assert all(node.sent is sent[id(node)] for node in g.nodes)


def test_non_finite_gradient_at_a_tiny_input_rolls_back():
    """log at s = 1e-320: the local gradient 1/s overflows; s.grad must not stay inf."""
    s = bl.var(1e-320, name="s")
    a = bl.var(1.0, name="a")
    f = bl.log(s) + a * 3.0 + a * 2.0
    with pytest.raises(ValueError, match=r"LogGate sent a non-finite gradient .* leaf 's'"):
        f.backward()
    assert s.grad is None and a.grad is None and f.grad is None
    assert bl.Graph(f).gradients() == {"s": None, "a": None}


def test_interrupting_backward_rolls_back_too():
    x = bl.var(2.0, name="x")
    f = x * x + x
    calls = []

    def interrupt(node):
        calls.append(node)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        bl.graph.backpropagate(bl.graph.topological_order(f), on_step=interrupt)
    assert calls and x.grad is None and f.grad is None


def test_backward_steps_that_fail_roll_back():
    f, a, b = fan_out_with_a_failing_branch()
    g = bl.Graph(f)
    with pytest.raises(NotImplementedError):
        list(g.backward_steps())
    assert g.gradients() == {"a": None, "b": None}


# ------------------------------------- non-finite gradients: who sent them, named precisely
class PassThrough(G.Gate):
    """y = x, written by a 'student' (not a built-in gate: every check runs at once)."""

    symbol = "id"

    def forward(self, x):
        self.save(x)
        return x

    def backward(self, upstream):
        return (upstream,)


def test_a_built_in_gate_sending_inf_to_a_student_gate_is_named():
    """The built-in gates' numbers are checked at the end of backward; a student's gate
    that receives one first still gets the error naming the built-in sender."""
    s = bl.var(1e-320, name="s")
    inner = bl.graph.apply(PassThrough(), s)
    f = bl.log(inner) + s * 2.0
    with pytest.raises(ValueError, match=r"LogGate sent a non-finite gradient .* PassThrough"):
        f.backward()
    assert s.grad is None and f.grad is None


def test_finite_branches_adding_up_to_inf_at_a_gate_are_reported_as_a_sum():
    x = bl.var(1e-10, name="x")
    big = bl.var(1e308, name="big")
    m = bl.relu(x * 1.0)
    f = m * big + m * big                  # each branch sends 1e308 to m: the sum is inf
    with pytest.raises(ValueError, match=r"gradients reaching ReLUGate from several branches "
                                         r"add up to a non-finite"):
        f.backward()
    assert x.grad is None and m.grad is None


def test_a_non_finite_gradient_is_reported_once_at_its_origin():
    """inf sent by a built-in gate flows on to further nodes; the error names the first."""
    x = bl.var(1e-200, name="x")
    f = (1 / (x * 1.0)) * 3.0               # 1/x sends -inf to the ×1 node, then on to x
    with pytest.raises(ValueError, match=r"ReciprocalGate sent a non-finite gradient .* "
                                         r"ScaleGate"):
        f.backward()


# --------------------------------------------------- the garbage collector during backward
def test_backward_pauses_the_collector_and_restores_it_however_it_ends():
    import gc
    seen = []
    x = bl.var(2.0, name="x")
    f = x * x + x
    bl.graph.backpropagate(bl.graph.topological_order(f), on_step=lambda n: seen.append(
        gc.isenabled()))
    assert seen and not any(seen) and gc.isenabled()
    with pytest.raises(KeyboardInterrupt):
        bl.graph.backpropagate(bl.graph.topological_order(f),
                               on_step=lambda node: (_ for _ in ()).throw(KeyboardInterrupt))
    assert gc.isenabled()
    gc.disable()                                   # the user's own choice is kept
    try:
        f.backward()
        assert not gc.isenabled()
        with bl.graph.PausedCollector():           # nested: the inner one changes nothing
            f.backward()
            assert not gc.isenabled()
    finally:
        gc.enable()
    assert x.grad == 5.0


def test_the_backward_algorithm_is_one_short_function():
    """What a student reads: backpropagate, docstring included, under 25 lines."""
    import inspect
    assert len(inspect.getsource(bl.graph.backpropagate).rstrip().splitlines()) < 25


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.floats(-3, 3), min_size=3, max_size=3),
       fail_at=st.integers(0, 5))
def test_any_failing_step_restores_every_node(values, fail_at):
    """Whichever gate fails, every node afterwards holds exactly what it held before."""
    x, y, z = (bl.var(v, name=n) for v, n in zip(values, "xyz"))
    f = bl.tanh(x * y + z) * x + bl.sigmoid(y) * z
    g = bl.Graph(f)
    g.backward()
    before = [(node.grad, node.sent) for node in g.nodes]
    gate_nodes = [node for node in g.nodes if node.gate is not None]
    victim = gate_nodes[fail_at % len(gate_nodes)]
    original = victim.gate.backward

    def broken(upstream):
        raise RuntimeError("broken gate")

    victim.gate.backward = broken
    try:
        with pytest.raises(RuntimeError, match="broken gate"):
            g.backward()
    finally:
        victim.gate.backward = original
    assert [(node.grad, node.sent) for node in g.nodes] == before


# ------------------------------------------------------------------ clear input errors
def test_an_integer_too_large_for_float64_is_a_clear_error():
    with pytest.raises(ValueError, match=r"var\(\): value is too large for float64.*401 digits"):
        bl.var(10 ** 400)
    with pytest.raises(ValueError, match=r"var\('x'\).*too large for float64"):
        bl.var([1, -10 ** 400], name="x")
    x = bl.var(1.0)
    with pytest.raises(ValueError, match="AddConstGate: the constant c is too large"):
        x + 10 ** 400
    with pytest.raises(ValueError, match="ScaleGate: the factor a is too large"):
        x * 10 ** 400
    with pytest.raises(ValueError, match="PowerGate: the exponent p is too large"):
        x ** 10 ** 400
    assert bl.var(10 ** 300).value == 1e300                  # large but representable: fine


@pytest.mark.parametrize("constant, message", [(math.inf, "must be finite"),
                                               (math.nan, "must be finite")])
def test_non_finite_constants_are_refused_at_the_gate(constant, message):
    x = bl.var(1.0)
    for make in (lambda: x + constant, lambda: x * constant, lambda: x ** constant):
        with pytest.raises(ValueError, match=message):
            make()


def test_masked_arrays_are_refused_not_silently_unmasked():
    masked = np.ma.masked_array([1.0, 2.0, 3.0], mask=[False, True, False])
    with pytest.raises(TypeError, match=r"var\(\): masked arrays are not supported.*filled"):
        bl.var(masked)
    x = bl.var(np.ones(3))
    with pytest.raises(TypeError, match="AddGate: masked arrays are not supported"):
        x + masked
    with pytest.raises(TypeError, match="MultiplyGate: masked arrays"):
        masked * x
    with pytest.raises(TypeError, match="MultiplyGate: masked arrays"):
        G.MultiplyGate().forward(masked, np.ones(3))
    with pytest.raises(TypeError, match="Affine: masked arrays"):
        bl.layers.Affine(np.ma.masked_array(np.ones((3, 2))), np.zeros(2))
    g = bl.Graph((bl.var(np.ones(3), name="w") * 2.0).sum())
    with pytest.raises(TypeError, match=r"Graph.forward\(w=...\): masked arrays"):
        g.forward(w=masked)
    assert g.leaf("w").value.tolist() == [1.0, 1.0, 1.0]          # unchanged
    assert bl.var(masked.filled(0.0)).value.tolist() == [1.0, 0.0, 3.0]


@pytest.mark.parametrize("make", [lambda x: x + True, lambda x: True + x, lambda x: x * False,
                                  lambda x: x - True, lambda x: x / True,
                                  lambda x: x + np.bool_(True)],
                         ids=["add", "radd", "mul", "sub", "div", "numpy-bool"])
def test_bools_are_refused_like_var_true(make):
    with pytest.raises(TypeError, match="True/False are not numbers"):
        bl.var(True)
    with pytest.raises(TypeError, match="True/False are not numbers|bool"):
        make(bl.var(2.0))


def test_power_of_a_bool_is_refused():
    x = bl.var(2.0)
    with pytest.raises(TypeError, match=r"x \*\* p needs a number p \(got bool\)"):
        x ** True
    with pytest.raises(TypeError, match="True/False are not numbers"):
        G.PowerGate(True)


def test_numpy_reductions_of_a_node_work_or_say_why_not():
    x = bl.var(np.arange(6.0).reshape(2, 3), name="x")
    total = np.sum(x)
    assert isinstance(total, bl.Node) and total.value == 15.0
    total.backward()
    assert np.array_equal(x.grad, np.ones((2, 3)))
    assert np.array_equal(np.sum(x, axis=0).value, [3.0, 5.0, 7.0])
    assert np.mean(x).value == 2.5 and np.mean(x, axis=1, keepdims=True).shape == (2, 1)
    assert np.sum(x, dtype=np.float64).value == 15.0
    with pytest.raises(TypeError, match=r"Node.sum\(\): dtype=.*float32.* not supported"):
        np.sum(x, dtype=np.float32)
    with pytest.raises(TypeError, match=r"Node.sum\(\): out=.* not supported"):
        np.sum(x, out=np.zeros(()))
    with pytest.raises(TypeError, match=r"Node.mean\(\): where=.* not supported"):
        np.mean(x, where=np.ones((2, 3), dtype=bool))


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.booleans(), st.text(max_size=3), st.none(),
                 st.integers(min_value=2 ** 1100, max_value=2 ** 1200),
                 st.sampled_from([math.inf, -math.inf, math.nan])))
def test_var_refuses_every_bad_value_with_a_message_naming_it(value):
    with pytest.raises((TypeError, ValueError)) as error:
        bl.var(value, name="v")
    message = str(error.value)
    assert message.startswith("var('v')") and type(error.value) in (TypeError, ValueError)
