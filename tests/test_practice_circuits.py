"""The drill's circuit generator: every level and kind, reproducible, head-friendly, and its
answers are the engine's (checked here against centered numerical differences)."""
import math

import numpy as np
import pytest

from backprop_lab import gates as G
from backprop_lab.gradcheck import numerical_gradient
from backprop_lab.practice import KINDS, LEVELS, head_friendly, make_circuit
from backprop_lab.practice.circuits import _needed_values

SEEDS = range(12)
ALL_KINDS = [(level, kind) for level in LEVELS for kind in KINDS[level]]


def gate_types(circuit):
    return {type(n.gate) for n in circuit.graph.nodes if n.gate is not None}


def fingerprint(circuit):
    return (circuit.formula, tuple(circuit.equations),
            tuple((w.name, repr(np.asarray(w.value).tolist()), repr(np.asarray(w.gradient).tolist()))
                  for w in circuit.wires))


@pytest.mark.parametrize("level,kind", ALL_KINDS)
def test_every_kind_builds_reproducibly_with_friendly_numbers(level, kind):
    seen = set()
    for seed in SEEDS:
        c = make_circuit(level, seed, kind)
        assert (c.level, c.seed, c.kind) == (level, seed, kind)
        assert fingerprint(make_circuit(level, seed, kind)) == fingerprint(c)   # same seed
        assert c.output.name == "f" and c.formula.startswith("f = ")
        assert c.equations[-1].startswith("f = ") and len(c.equations) == len(
            [n for n in c.graph.nodes if n.gate is not None])
        names = c.names
        assert len(names) == len(set(names)) and "f" not in names
        for value in _needed_values(c):
            assert head_friendly(value), (c, value)
        seen.add(fingerprint(c))
    assert len(seen) >= 0.75 * len(SEEDS), f"{level}/{kind}: too few different circuits"


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_default_kind_cycles_with_the_seed(level):
    kinds = {make_circuit(level, seed).kind for seed in range(len(KINDS[level]))}
    assert kinds == set(KINDS[level])


def _numerical(circuit, wire):
    node = wire.node
    original = node.value

    def f_of(v):
        node.value = v
        for n in circuit.graph.nodes:
            if n.gate is not None:
                n.value = n.gate.forward(*[i.value for i in n.inputs])
        return float(circuit.output.value)

    try:
        return numerical_gradient(f_of, np.array(original, dtype=np.float64) if
                                  isinstance(original, np.ndarray) else original, h=1e-6)
    finally:
        f_of(original)


def _has_kink(circuit):
    """A max tie or a ReLU at 0: no derivative there, numerical differences disagree."""
    for n in circuit.graph.nodes:
        if isinstance(n.gate, G.MaxGate) and np.any(n.inputs[0].value == n.inputs[1].value):
            return True
        if isinstance(n.gate, G.ReLUGate) and np.any(n.inputs[0].value == 0):
            return True
    return False


@pytest.mark.parametrize("level,kind", ALL_KINDS)
def test_answers_match_numerical_gradients(level, kind):
    checked = 0
    for seed in range(6):
        c = make_circuit(level, seed, kind)
        if _has_kink(c):
            continue
        for wire in c.wires:
            if wire.node.gate is not None:
                continue                      # intermediates: covered through the leaves
            numeric = _numerical(c, wire)
            assert np.allclose(numeric, wire.gradient, atol=1e-5), (c, wire)
            checked += 1
    assert checked > 0


def test_level_1_is_add_and_multiply_only():
    for seed in SEEDS:
        c = make_circuit(1, seed)
        assert gate_types(c) <= {G.AddGate, G.MultiplyGate}
        assert G.MultiplyGate in gate_types(c) and G.AddGate in gate_types(c)
        assert all(float(v).is_integer() for v in _needed_values(c))


LEVEL_2_GATES = {"max": G.MaxGate, "sigmoid": G.SigmoidGate, "exp": G.ExpGate,
                 "reciprocal": G.ReciprocalGate, "add_const": G.AddConstGate,
                 "scale": G.ScaleGate, "square": G.PowerGate}


@pytest.mark.parametrize("kind", KINDS[2])
def test_level_2_has_its_gate_with_a_real_upstream(kind):
    for seed in SEEDS:
        c = make_circuit(2, seed, kind)
        special = [n for n in c.graph.nodes if isinstance(n.gate, LEVEL_2_GATES[kind])]
        assert special, c
        # the special gate's output is multiplied by z with |z| >= 2 on its way to f:
        # "upstream not multiplied in" gives a different number than the right one
        assert abs(c.wire("z").value) >= 2
        if kind == "sigmoid":
            assert any(special[0].value == pytest.approx(v) for v in (0.5, 0.8, 0.75, 0.2, 0.25))
        if kind == "exp":
            assert any(special[0].value == pytest.approx(v) for v in (1.0, 2.0, 4.0, 0.5))
        if kind == "square":
            assert special[0].gate.p == 2


@pytest.mark.parametrize("kind", KINDS[3])
def test_level_3_fans_out_with_branches_that_differ(kind):
    for seed in SEEDS:
        c = make_circuit(3, seed, kind)
        fanned = [w for w in c.wires if w.fans_out]
        assert fanned, c
        for wire in fanned:
            shares = [float(s.value) for s in wire.shares]
            assert all(s != 0 for s in shares)
            assert sum(shares) == pytest.approx(wire.gradient)       # += of the chain rule
            if kind != "same_gate":
                assert len(set(shares)) == len(shares)


def test_level_4_neurons_and_staged():
    neuron = make_circuit(4, 0, "neuron")
    assert {w.name for w in neuron.wires} >= {"w0", "x0", "w1", "x1", "b"}
    assert neuron.output.value == 0.5                       # the sum is 0: σ(0) = 1/2
    assert neuron.wire("w0").gradient == pytest.approx(0.25 * neuron.wire("x0").value)
    for seed in SEEDS:
        staged = make_circuit(4, seed, "staged")
        assert G.ReciprocalGate in gate_types(staged) and " / " in staged.formula
        assert any(w.fans_out for w in staged.wires)        # x is shared, as in CS231n
        loss = make_circuit(4, seed, "neuron_loss")
        assert isinstance(loss.output.gate, G.PowerGate)


@pytest.mark.parametrize("kind", KINDS[5])
def test_level_5_small_integer_matrices(kind):
    for seed in SEEDS:
        c = make_circuit(5, seed, kind)
        assert c.uses_arrays and G.MatMulGate in gate_types(c)
        assert isinstance(c.wire("W").gradient, np.ndarray)
        for wire in c.wires:
            assert np.shape(wire.gradient) == np.shape(wire.value)
            assert np.all(np.asarray(wire.gradient) == np.round(wire.gradient))   # integers
        G_leaf = [n for n in c.leaves if n.is_constant]
        assert [n.name for n in G_leaf] == ["G"] and len(np.unique(G_leaf[0].value)) > 1
        if kind == "relu_layer":
            pre = next(n for n in c.graph.nodes if isinstance(n.gate, G.ReLUGate)).inputs[0]
            assert np.any(pre.value > 0) and np.any(pre.value <= 0)


def test_wires_come_in_backward_order():
    c = make_circuit(1, 0)
    first_step_inputs = [n.name for n in c.steps[0].node.inputs]
    assert c.names[:len(first_step_inputs)] == first_step_inputs


def test_seedless_circuits_record_their_seed():
    c = make_circuit(2)
    assert fingerprint(make_circuit(2, c.seed)) == fingerprint(c)


def test_head_friendly():
    for ok in (0, -4, 0.25, 0.1875, 12.5, -0.0625, 64, [1, 2.5]):
        assert head_friendly(ok), ok
    for bad in (1 / 3, 1 / (1 + math.exp(-1)), 65, math.nan, [1, 0.12345], 1.23456):
        assert not head_friendly(bad), bad


@pytest.mark.parametrize("args,match", [
    ((0,), "level must be one of"), ((6,), "level must be one of"), (("2",), "level"),
    ((True,), "level"), ((1, -1), "seed must be a non-negative integer"),
    ((1, 2.5), "seed"), ((2, 0, "tanh"), "level 2 has the kinds"),
])
def test_bad_arguments_are_explained(args, match):
    with pytest.raises(ValueError, match=match):
        make_circuit(*args)


def test_wire_lookup_names_the_wires():
    c = make_circuit(1, 0)
    with pytest.raises(KeyError, match="its wires are"):
        c.wire("nope")
