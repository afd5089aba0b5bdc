"""The drill's checker: right answers accepted at the tolerance, and every classic mistake
recognised.  For each mistake the test computes, by hand from the circuit's values, the
wrong answer that mistake produces, types it, and asserts the hint."""
import numpy as np
import pytest

from backprop_lab import gates as G
from backprop_lab.practice import (MISTAKE_KEYS, AnswerError, check_circuit, check_shape,
                                   check_wire, make_circuit, parse_number, parse_shape)
from backprop_lab.practice.checking import is_close

SEEDS = range(120)


# ------------------------------------------------------------------------ reading answers
@pytest.mark.parametrize("text,value", [
    ("-4", -4.0), ("−4", -4.0), (" 0.25 ", 0.25), (".5", 0.5), ("1/4", 0.25), ("-3/2", -1.5),
    ("2e-3", 0.002), ("+3", 3.0), ("0,5", 0.5), (7, 7.0), (-0.5, -0.5),
])
def test_numbers_as_students_type_them(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["abc", "1/0", "--4", "4-", "", "1/2/3", "nan", True, None])
def test_unreadable_numbers_say_how_to_write_them(text):
    with pytest.raises(AnswerError):
        parse_number(text)


@pytest.mark.parametrize("text,shape", [
    ("(2, 3)", (2, 3)), ("2x3", (2, 3)), ("2×3", (2, 3)), ("2 3", (2, 3)), ("3", (3,)),
    ("(3,)", (3,)), ("[2, 2]", (2, 2)), ("()", ()), ("scalar", ()), ((2, 1), (2, 1)),
])
def test_shapes_as_students_type_them(text, shape):
    assert parse_shape(text) == shape


@pytest.mark.parametrize("text", ["two by three", "2x0", "", "(2, -3)", (2, 0)])
def test_unreadable_shapes(text):
    with pytest.raises(AnswerError):
        parse_shape(text)


# ----------------------------------------------------------------------- right answers
def test_right_answers_are_accepted_at_tolerance():
    c = make_circuit(2, 1, "sigmoid")                 # σ(x)·z with friendly σ
    x = c.wire("x").gradient
    assert check_wire(c, "x", f"{x:.10g}").right
    assert check_wire(c, "x", f"{x * 1.009:.10g}").right          # 0.9 % off: right
    assert not check_wire(c, "x", f"{x * 1.05 + 0.02:.10g}").right
    assert is_close(0.19, 0.1875) and is_close(0.06, 0.0625) and not is_close(0.2, 0.1875)
    for level in range(1, 5):
        for seed in range(8):
            c = make_circuit(level, seed)
            verdicts = check_circuit(c, {n: f"{g:.6g}" for n, g in c.answers.items()})
            assert all(v.right for v in verdicts.values()), (c, verdicts)


def test_empty_and_unreadable_boxes():
    c = make_circuit(1, 0)
    name = c.names[0]
    assert check_wire(c, name, "").status == "empty"
    assert check_wire(c, name, None).status == "empty"
    v = check_wire(c, name, "four")
    assert v.status == "unreadable" and "like -4, 0.25 or 1/4" in v.text
    verdicts = check_circuit(c, {})
    assert {v.status for v in verdicts.values()} == {"empty"}


def test_a_wrong_answer_never_shows_the_right_value():
    c = make_circuit(1, 3)
    for wire in c.wires:
        v = check_wire(c, wire.name, f"{wire.gradient + 17:g}")
        assert v.status == "wrong"
        shown = v.text + (v.hint or "")
        assert f"{wire.gradient:g}" not in shown.replace("−", "-").split() 
        assert v.hint                                   # at least the rule


# ------------------------------------------------------------------------ the mistakes
def upstream_of(c, share):
    """∂f/∂(gate output), read from the circuit: 1 at the output."""
    node = share.gate
    return 1.0 if node is c.output else c.wire(node.name).gradient


def classic_values(c, wire):
    """Hand-made values of the simplest mistakes, by key (to skip ambiguous cases)."""
    g = wire.gradient
    ups = [upstream_of(c, s) for s in wire.shares]
    values = {"right": g, "sign": -g, "value_given": wire.value, "local_missing": sum(ups)}
    if len(wire.shares) == 1:
        share = wire.shares[0]
        values["upstream_twice"] = g * ups[0]
        if ups[0] != 0:
            values["upstream_missing"] = g / ups[0]
        if isinstance(share.gate.gate, G.MultiplyGate):
            values["multiply_swap"] = ups[0] * wire.value
        if isinstance(share.gate.gate, G.AddGate):
            values["add_as_multiply"] = ups[0] * share.gate.inputs[1 - share.index].value
    return values


def unambiguous(wrong, others):
    return all(not is_close(wrong, o) for o in others)


def cases(level, kind, pick, key, same=()):
    """Every (circuit, wire name, wrong answer, extra answers) that ``pick`` makes,
    over many seeds, left out when the wrong value is also another mistake's (or right).
    ``same``: simpler mistakes that are the same thing here (not a reason to leave out)."""
    found = []
    for seed in SEEDS:
        c = make_circuit(level, seed, kind)
        for wire in c.wires:
            made = pick(c, wire)
            if made is None:
                continue
            wrong, others, extra = made if len(made) == 3 else (*made, {})
            simple = [v for k, v in classic_values(c, wire).items()
                      if k != key and k not in same]
            if unambiguous(wrong, simple + others):
                found.append((c, wire.name, wrong, extra))
    return found


def assert_recognised(found, key, *words):
    assert len(found) >= 3, f"too few cases for {key}: {len(found)}"
    for c, name, wrong, extra in found:
        text = wrong if isinstance(wrong, np.ndarray) else f"{wrong:.10g}"
        v = check_wire(c, name, text, extra)
        assert v.status == "wrong", (c, name, wrong)
        assert v.mistake == key, (c, name, wrong, v)
        for word in words:
            assert word in v.hint, (v.hint, word)


def single(c, wire, gate_type):
    if len(wire.shares) == 1 and isinstance(wire.shares[0].gate.gate, gate_type):
        return wire.shares[0]
    return None


def other_input(share):
    return share.gate.inputs[1 - share.index]


def multiply_share(c, wire):
    """The share of a wire that feeds one multiply gate (not as both of its inputs)."""
    share = single(c, wire, G.MultiplyGate)
    return None if share is None or other_input(share) is wire.node else share


def test_multiply_swap():
    def pick(c, wire):
        share = multiply_share(c, wire)
        if share is None:
            return None
        up = upstream_of(c, share)
        return up * wire.value, [other_input(share).value]     # own value, not the other's
    assert_recognised(cases(1, None, pick, "multiply_swap"), "multiply_swap", "swaps")


def test_add_taken_for_multiply():
    def pick(c, wire):
        share = single(c, wire, G.AddGate)
        if share is None:
            return None
        return upstream_of(c, share) * other_input(share).value, [1.0]
    assert_recognised(cases(1, None, pick, "add_as_multiply"), "add_as_multiply", "add gate", "unchanged")


def test_max_routed_to_the_wrong_input():
    def pick(c, wire):
        share = single(c, wire, G.MaxGate)
        if share is None:
            return None
        up, other = upstream_of(c, share), other_input(share).value
        wins = wire.value >= other if share.index == 0 else wire.value > other
        return (0.0 if wins else up), []
    # the smaller input getting the whole upstream *is* "passed through unchanged"
    found = cases(2, "max", pick, "max_wrong_route", same=("local_missing",))
    assert_recognised([f for f in found if f[2] == 0.0], "max_wrong_route", "larger input")
    assert_recognised([f for f in found if f[2] != 0.0], "max_wrong_route", "smaller input",
                      "gets 0")


def test_sigmoid_local_gradient_taken_as_sigma_or_one_minus_sigma():
    def as_sigma(c, wire):
        share = single(c, wire, G.SigmoidGate)
        if share is None:
            return None
        s = share.gate.value
        return upstream_of(c, share) * s, [upstream_of(c, share) * (1 - s)]

    def as_one_minus(c, wire):
        share = single(c, wire, G.SigmoidGate)
        if share is None:
            return None
        s = share.gate.value
        return upstream_of(c, share) * (1 - s), [upstream_of(c, share) * s]
    assert_recognised(cases(2, "sigmoid", as_sigma, "sigmoid_output"), "sigmoid_output", "σ(1 − σ), not σ")
    assert_recognised(cases(2, "sigmoid", as_one_minus, "sigmoid_one_minus"), "sigmoid_one_minus", "not 1 − σ")


def test_exp_local_gradient_taken_as_x():
    def pick(c, wire):
        share = single(c, wire, G.ExpGate)
        if share is None or wire.value == 0:
            return None
        return upstream_of(c, share) * wire.value, []
    assert_recognised(cases(2, "exp", pick, "exp_input"), "exp_input", "exp(x) itself")


def test_reciprocal_rule():
    def pick(c, wire):
        share = single(c, wire, G.ReciprocalGate)
        if share is None:
            return None
        return upstream_of(c, share) / wire.value, []          # 1/x instead of −1/x²
    assert_recognised(cases(2, "reciprocal", pick, "reciprocal_rule"), "reciprocal_rule", "−1/", "²")


def test_square_rule_factor_two_missing():
    def pick(c, wire):
        share = single(c, wire, G.PowerGate)
        if share is None or wire.value == 0:
            return None
        return upstream_of(c, share) * wire.value, []          # x instead of 2x
    assert_recognised(cases(2, "square", pick, "square_rule"), "square_rule", "factor 2 is missing")


def test_add_const_kept_in_the_derivative():
    def pick(c, wire):
        share = single(c, wire, G.AddConstGate)
        if share is None or share.gate.gate.c in (0.0, 1.0, -1.0):
            return None
        return upstream_of(c, share) * share.gate.gate.c, []
    assert_recognised(cases(2, "add_const", pick, "add_const_kept"), "add_const_kept", "whatever c is")


def test_scale_divided_instead_of_multiplied():
    def pick(c, wire):
        share = single(c, wire, G.ScaleGate)
        if share is None or abs(share.gate.gate.a) == 1:
            return None
        return upstream_of(c, share) / share.gate.gate.a, []
    assert_recognised(cases(2, "scale", pick, "scale_divided"), "scale_divided", "not divide")


def test_relu_passed_where_it_blocks():
    found = []
    for seed in SEEDS:
        c = make_circuit(5, seed, "relu_layer")
        relu = next(n for n in c.graph.nodes if isinstance(n.gate, G.ReLUGate))
        pre = relu.inputs[0]
        wrong = c.wire(relu.name).gradient * 1.0             # passed everywhere
        if not np.allclose(wrong, c.wire(pre.name).gradient):
            found.append((c, pre.name, wrong, {}))
    assert_recognised(found[:20], "relu_gate", "blocks it")


def test_upstream_not_multiplied_in():
    def pick(c, wire):
        share = multiply_share(c, wire)
        if share is None:
            return None
        if upstream_of(c, share) in (0.0, 1.0, -1.0):
            return None
        return other_input(share).value, [upstream_of(c, share) * wire.value]   # local alone
    assert_recognised(cases(1, None, pick, "upstream_missing"), "upstream_missing", "not multiplied in")


def test_local_gradient_left_out():
    def pick(c, wire):
        share = multiply_share(c, wire)
        if share is None:
            return None
        return upstream_of(c, share), [upstream_of(c, share) * wire.value, 1.0]  # passed through
    assert_recognised(cases(1, None, pick, "local_missing"), "local_missing", "passed through unchanged")


def branch_local(c, share):
    gate = share.gate.gate
    if isinstance(gate, G.AddGate):
        return 1.0
    if isinstance(gate, G.MultiplyGate):
        return other_input(share).value
    a, b = (n.value for n in share.gate.inputs)
    return float((a >= b) if share.index == 0 else (b > a))


def branch_share(c, share):
    """What one branch sends back, by hand from the gate's rule."""
    up, gate = upstream_of(c, share), share.gate.gate
    if isinstance(gate, G.AddGate):
        return up
    if isinstance(gate, G.MultiplyGate):
        return up * other_input(share).value
    if isinstance(gate, G.MaxGate):
        a, b = (n.value for n in share.gate.inputs)
        return up * ((a >= b) if share.index == 0 else (b > a))
    raise AssertionError(gate)


def test_fan_out_not_summed():
    def pick(c, wire):
        if not wire.fans_out:
            return None
        locals_ = sum(branch_local(c, s) for s in wire.shares)   # "upstream missing"
        return branch_share(c, wire.shares[0]), [locals_]        # only the first branch
    assert_recognised(cases(3, None, pick, "fan_out_not_summed"), "fan_out_not_summed", "sum", "used 2 times")


def test_chain_link_missing():
    """f = (x·z + y)⁻¹ staged: z → ×x → +y → 1/· → ×r: leaving out 1/t's −1/t² factor."""
    def pick(c, wire):
        share = single(c, wire, G.MultiplyGate)
        if share is None or wire.node.gate is not None:
            return None
        nxt = c.wire(share.gate.name) if share.gate is not c.output else None
        if nxt is None or len(nxt.shares) != 1 or not isinstance(nxt.shares[0].gate.gate, G.AddGate):
            return None
        add_out = c.wire(nxt.shares[0].gate.name)
        if len(add_out.shares) != 1 or not isinstance(add_out.shares[0].gate.gate,
                                                       G.ReciprocalGate):
            return None
        t = add_out.value
        local = -1.0 / t ** 2
        if local in (1.0, -1.0):
            return None
        return wire.gradient / local, [other_input(share).value,
                                       upstream_of(c, share)]
    assert_recognised(cases(4, "staged", pick, "chain_link_missing"), "chain_link_missing", "link of the chain",
                      "1/x gate")


def test_upstream_multiplied_in_twice():
    def pick(c, wire):
        share = multiply_share(c, wire)
        if share is None:
            return None
        up = upstream_of(c, share)
        if abs(up) in (0.0, 1.0):
            return None
        return wire.gradient * up, [up * wire.value, other_input(share).value]
    assert_recognised(cases(1, None, pick, "upstream_twice"), "upstream_twice", "twice")


def test_an_answer_that_follows_from_a_wrong_upstream():
    """The student got ∂f/∂q wrong; ∂f/∂x computed from it is called out as carried over."""
    found = []
    for seed in SEEDS:
        c = make_circuit(1, seed)
        for wire in c.wires:
            share = single(c, wire, G.AddGate)
            if share is None or share.gate is c.output:
                continue
            their_q = upstream_of(c, share) + 3.0               # wrong by 3
            found.append((c, wire.name, their_q, {share.gate.name: f"{their_q:g}"}))
    assert_recognised(found, "follows_from_upstream", "follows correctly from your ∂f/∂",
                      "fix it first")


def test_value_given_instead_of_gradient():
    def pick(c, wire):
        if wire.node.gate is None:
            return None
        return wire.value, [0.0]
    assert_recognised(cases(1, None, pick, "value_given"), "value_given", "forward value")


def test_sign_flipped():
    def pick(c, wire):
        g = wire.gradient
        if g == 0:
            return None
        others = []
        if len(wire.shares) == 1 and isinstance(wire.shares[0].gate.gate, G.MultiplyGate):
            others.append(upstream_of(c, wire.shares[0]) * wire.value)
        return -g, others
    found = []
    for c, name, wrong, extra in cases(1, None, pick, "sign"):
        found.append((c, name, wrong, extra))
    assert_recognised(found, "sign", "sign is flipped")


def test_matmul_transpose_and_order():
    found = []
    for seed in SEEDS:
        c = make_circuit(5, seed, "matmul")
        W, X = c.wire("W"), c.wire("X")
        if W.shape[0] != W.shape[1] or X.shape[1] != W.shape[0]:
            continue                                    # only square products fit by shape
        dD = c.wire(W.shares[0].gate.name).gradient
        wrong = X.value @ dD.T                         # (dD·Xᵀ)ᵀ: transposed
        if not np.allclose(wrong, W.gradient) and not np.allclose(wrong, -W.gradient):
            found.append((c, "W", wrong, {}))
    assert_recognised(found, "matmul_transpose", "transpose", "order")


def test_every_mistake_key_is_tested_here():
    import pathlib
    source = pathlib.Path(__file__).read_text()
    untested = [k for k in MISTAKE_KEYS if f'"{k}"' not in source]
    assert untested == []


def test_level_5_shapes():
    c = make_circuit(5, 0, "affine")
    W = c.wire("W")
    n, d = W.shape
    assert check_shape(c, "W", f"{n}x{d}").right
    assert check_shape(c, "W", f"({n}, {d})").right
    if n != d:
        v = check_shape(c, "W", f"{d}x{n}")
        assert v.mistake == "shape_transposed" and "transpose" in v.hint
    v = check_shape(c, "W", "7")
    assert v.mistake == "shape_of_value" and "same shape as W" in v.hint
    assert check_shape(c, "W", "2 by 3").status == "unreadable"
    entries = W.gradient.copy()
    assert check_wire(c, "W", entries.astype(str)).right
    entries[0, 0] += 5
    v = check_wire(c, "W", entries)
    assert v.status == "wrong" and v.entries_right.sum() == W.gradient.size - 1
    assert "1 of" in v.text
