"""The classic mistakes of a backward pass, as the wrong values they produce.

(Draft location: moves to ``backprop_lab/mistakes.py`` when that module lands, so that
grading recognises the same mistakes.)

A recogniser does not guess from the student's number: it *computes* the value each
classic mistake would give, and the checker compares the student's answer with those
values.  Everything here works on values the engine already has (a gate's cached inputs,
the upstream gradient, what the gate sent back); nothing here runs backward.

* :func:`gate_mistakes` -- one gate, one input: the wrong *shares* (what the gate would send
  back) of the mistakes typical of that gate: the multiply swap forgotten, max routed to
  the wrong input, ReLU's gate misread, σ' taken as σ, exp' as x, (1/x)' as 1/x, (x²)' as
  x, the constant of +c kept, the add gate taken for a multiply, a matrix product's
  transpose or order wrong.
* :func:`wire_mistakes` -- one wire (a value with one or more consumers): the wrong
  *totals*: each gate mistake above, the upstream not multiplied in, the local gradient
  left out, fan-out not summed, the upstream multiplied in twice, a link of the chain left
  out, the sign flipped, and an answer that follows correctly from a wrong answer upstream.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .. import gates as G

__all__ = ["Mistake", "Branch", "gate_mistakes", "wire_mistakes", "MISTAKE_KEYS"]

#: every mistake this module recognises: key -> what it is, in one line
MISTAKE_KEYS = {
    "follows_from_upstream": "right for the student's own (wrong) gradient further along: fix that one first",
    "multiply_swap": "multiply gate: the input's own value used instead of the other input's",
    "add_as_multiply": "add gate: the other input used as if it were a multiply gate",
    "max_wrong_route": "max gate: the gradient routed to the smaller input (or withheld from the larger)",
    "relu_gate": "ReLU: gradient passed where the input is ≤ 0, or blocked where it is > 0",
    "sigmoid_output": "σ: σ used as its local gradient instead of σ(1 − σ)",
    "sigmoid_one_minus": "σ: 1 − σ used as its local gradient instead of σ(1 − σ)",
    "exp_input": "exp: x used as its local gradient instead of exp(x)",
    "reciprocal_rule": "1/x: 1/x or −1/x used as its local gradient instead of −1/x²",
    "square_rule": "x²: x or x² used as its local gradient instead of 2x",
    "add_const_kept": "+c: the constant c used as the local gradient instead of 1",
    "scale_divided": "×a: divided by a instead of multiplied",
    "matmul_transpose": "matrix product: a factor not transposed, or the factors in the wrong order",
    "upstream_missing": "the upstream gradient not multiplied in (the local gradient alone)",
    "local_missing": "the local gradient left out (the upstream passed through unchanged)",
    "fan_out_not_summed": "a value used by several gates: only some of its branches counted",
    "chain_link_missing": "a link of the chain (the local gradient of a gate further along) left out",
    "upstream_twice": "the upstream gradient multiplied in twice",
    "value_given": "the forward value of the wire given instead of its gradient",
    "sign": "the sign flipped",
}


@dataclass(frozen=True)
class Mistake:
    """A classic mistake: ``key`` (see :data:`MISTAKE_KEYS`), the ``hint`` for the student
    and the ``value`` the mistake produces."""

    key: str
    hint: str
    value: object


@dataclass(frozen=True)
class Branch:
    """One consumer of a wire, as the engine recorded it in backward.

    ``gate``: the Gate object (its cache holds the inputs of forward); ``inputs``: the
    input values; ``index``: which input the wire is; ``upstream``: ∂f/∂(gate output);
    ``local``: the gate's local gradient for this input (None when not elementwise);
    ``share``: what the gate sent back to the wire; ``output_name``/``input_names``:
    labels for the hints; ``student_upstream``: the student's own answer for
    ∂f/∂(gate output), or None; ``chain``: the local gradients of the gates further along
    when the gate's output has a single consumer, each ``(local, gate symbol, name)``.
    """

    gate: object
    inputs: tuple
    index: int
    upstream: object
    local: object
    share: object
    output_name: str = "the gate's output"
    input_names: tuple = ()
    student_upstream: object = None
    chain: tuple = ()


def _name(branch: Branch, i: int) -> str:
    names = branch.input_names
    return names[i] if i < len(names) and names[i] else f"input {i + 1}"


def _fit(value, like):
    """``value`` with the shape of ``like``: summed over broadcast axes, or spread out."""
    shape = np.shape(like)
    value = np.asarray(value, dtype=np.float64)
    if value.shape != shape:
        value = (G.unbroadcast(value, shape) if value.ndim >= len(shape)
                 else np.broadcast_to(value, shape).copy())
    return float(value) if np.ndim(value) == 0 else value


def gate_mistakes(branch: Branch) -> list[Mistake]:
    """The wrong *shares* typical of this gate, for the wire ``branch.index``."""
    gate, i, up = branch.gate, branch.index, branch.upstream
    inputs = tuple(np.asarray(v, dtype=np.float64) if isinstance(v, np.ndarray) else v
                   for v in branch.inputs)
    me, out = _name(branch, i), branch.output_name
    found: list[Mistake] = []

    def add(key, hint, value):
        found.append(Mistake(key, hint, _fit(value, inputs[i])))

    if isinstance(gate, G.MultiplyGate) and len(inputs) == 2:
        other = _name(branch, 1 - i)
        add("multiply_swap",
            f"the multiply gate {out} swaps its inputs: ∂{out}/∂{me} is the *other* input "
            f"({other}), not {me} itself.", up * inputs[i])
    elif isinstance(gate, (G.AddGate, G.SubtractGate)) and len(inputs) == 2:
        add("add_as_multiply",
            f"{out} is an add gate: it passes the upstream gradient to both inputs unchanged "
            f"(local gradient 1); it is the multiply gate that swaps.", up * inputs[1 - i])
    elif isinstance(gate, G.MaxGate):
        x, y = inputs
        wins = (x >= y) if i == 0 else (y > x)
        larger = bool(np.all(wins))
        if larger:
            hint = (f"{me} is the larger input of the max gate {out}: max routes the whole "
                    f"upstream gradient to it (and 0 to the other).")
        else:
            hint = (f"{me} is the smaller input of the max gate {out}: max routes the gradient "
                    f"to the larger input only, so {me} gets 0 from it.")
        add("max_wrong_route", hint, up * (1.0 - wins))
    elif isinstance(gate, G.ReLUGate):
        (x,) = inputs
        passes = np.asarray(x > 0, dtype=np.float64)
        hint = ("ReLU passes the upstream gradient where its input is > 0 and blocks it (0) "
                "where the input is ≤ 0: look at the sign of each input of the ReLU.")
        if np.any(passes == 0):
            add("relu_gate", hint, up * np.ones_like(passes))      # passed everywhere
        add("relu_gate", hint, up * (1.0 - passes))                # passed exactly where blocked
    elif isinstance(gate, G.SigmoidGate):
        s = gate.out
        add("sigmoid_output", f"σ's local gradient is σ(1 − σ), not σ: with σ = {_num(s)} on "
            f"the wire {out}, multiply the upstream by σ·(1 − σ).", up * s)
        add("sigmoid_one_minus", "σ's local gradient is σ(1 − σ), not 1 − σ.", up * (1 - s))
    elif isinstance(gate, G.ExpGate):
        add("exp_input", f"exp's local gradient is exp({me}) itself, the value on the wire "
            f"{out} — not {me}.", up * inputs[0])
    elif isinstance(gate, G.ReciprocalGate):
        (x,) = inputs
        hint = f"the local gradient of 1/{me} is −1/{me}², not 1/{me} or −1/{me}."
        add("reciprocal_rule", hint, up / x)
        add("reciprocal_rule", hint, -up / x)
    elif isinstance(gate, G.PowerGate) and gate.p == 2:
        (x,) = inputs
        add("square_rule", f"the local gradient of {me}² is 2·{me}: the factor 2 is missing.",
            up * x)
        add("square_rule", f"the local gradient of {me}² is 2·{me}, not {me}² (the output).",
            up * x * x)
    elif isinstance(gate, G.AddConstGate) and gate.c not in (0.0, 1.0):
        add("add_const_kept", f"adding a constant does not change the slope: the local "
            f"gradient of {me} + c is 1, whatever c is.", up * gate.c)
    elif isinstance(gate, G.ScaleGate) and abs(gate.a) not in (0.0, 1.0):
        add("scale_divided", f"the local gradient of {_num(gate.a)}·{me} is {_num(gate.a)}: "
            f"multiply the upstream by it (not divide).", up / gate.a)
    elif isinstance(gate, G.MatMulGate):
        w, x = (v if v.ndim == 2 else (v[None, :] if k == 0 else v[:, None])
                for k, v in enumerate(inputs))
        d = np.asarray(up, dtype=np.float64).reshape(w.shape[0], x.shape[1])
        rule = ("d{0} = upstream · {1}ᵀ" if i == 0 else "d{0} = {1}ᵀ · upstream").format(
            me, _name(branch, 1 - i))
        hint = (f"{rule}: check the transpose and the order of the factors — the gradient "
                f"must have the shape of {me}, and only one product of the two gives it.")
        products = ((lambda: d @ x, lambda: x @ d, lambda: x.T @ d, lambda: x @ d.T,
                     lambda: x.T @ d.T) if i == 0 else
                    (lambda: w @ d, lambda: d @ w.T, lambda: d.T @ w, lambda: d.T @ w.T,
                     lambda: w.T @ d.T))
        target = inputs[i].shape
        for product in products:
            try:
                wrong = product()
            except ValueError:            # the factors do not even fit together
                continue
            if wrong.size == np.prod(target) and (wrong.shape == target or
                                                  (wrong.ndim == 2 and len(target) == 1)):
                found.append(Mistake("matmul_transpose", hint, wrong.reshape(target)))
    return found


def _num(value) -> str:
    if isinstance(value, np.ndarray):
        return "the values"
    return f"{value:.4g}".replace("-", "−")


def _close(a, b, atol: float, rtol: float) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    return bool(np.all(np.abs(a - b) <= np.maximum(atol, rtol * np.abs(b))))


def _trivial(value) -> bool:
    """1 everywhere (or nothing): multiplying by it changes nothing."""
    return value is None or bool(np.all(np.asarray(value) == 1.0))


def wire_mistakes(total, branches: list[Branch], name: str = "this value") -> list[Mistake]:
    """The wrong totals of the classic mistakes for one wire, most specific first.

    ``total``: the right ∂f/∂(wire), from the engine; ``branches``: one per gate using the
    wire (several when it fans out).  Mistakes whose value equals the right total are left
    out by the caller's comparison (it checks the right answer first).
    """
    found: list[Mistake] = []
    shares = [b.share for b in branches]

    def with_share(k, wrong_share):
        return sum(wrong_share if j == k else s for j, s in enumerate(shares))

    # 1. right, given the student's own gradient further along
    if any(b.student_upstream is not None for b in branches):
        theirs = 0.0
        usable = True
        for b in branches:
            up = b.upstream if b.student_upstream is None else b.student_upstream
            if b.local is None or np.shape(up) != np.shape(b.upstream):
                usable = False
                break
            theirs = theirs + _fit(np.asarray(up) * b.local, b.inputs[b.index])
        wrong_ups = [b.output_name for b in branches if b.student_upstream is not None
                     and not _close(b.student_upstream, b.upstream, 1e-9, 1e-9)]
        if usable and wrong_ups:
            found.append(Mistake(
                "follows_from_upstream",
                f"this follows correctly from your ∂f/∂{wrong_ups[0]}, but that one is wrong: "
                f"fix it first, then this one again.", theirs))
    # 2. fan-out: only some branches counted (each one right)
    if len(branches) > 1:
        users = ", ".join(b.output_name for b in branches)
        hint = (f"{name} is used {len(branches)} times (by {users}): its gradient is the *sum* "
                f"of what every branch sends back (the += of the chain rule), not one branch.")
        for size in range(1, len(branches)):
            for subset in combinations(range(len(branches)), size):
                found.append(Mistake("fan_out_not_summed", hint,
                                     sum(shares[j] for j in subset)))
    # 3. the mistakes typical of each gate
    for k, branch in enumerate(branches):
        for m in gate_mistakes(branch):
            found.append(Mistake(m.key, m.hint, with_share(k, m.value)))
    # 4. upstream not multiplied in / local gradient left out
    elementwise = all(b.local is not None and np.shape(b.local) in ((), np.shape(b.upstream))
                      for b in branches)
    if elementwise and not all(_trivial(b.upstream) for b in branches):
        wrong = sum(_fit(np.ones(np.shape(b.upstream)) * b.local, b.inputs[b.index])
                    for b in branches)
        ups = " and ".join(f"∂f/∂{b.output_name}" for b in branches)
        found.append(Mistake("upstream_missing",
                             f"looks like the upstream gradient was not multiplied in: "
                             f"∂f/∂{name} = upstream × local, and the upstream here is {ups}.",
                             wrong))
    if elementwise and not all(_trivial(b.local) for b in branches):
        wrong = sum(_fit(np.asarray(b.upstream) * np.ones(np.shape(b.local)),
                                 b.inputs[b.index]) for b in branches)
        kinds = sorted({type(b.gate).__name__.replace("Gate", "").lower() for b in branches
                        if not _trivial(b.local)})
        found.append(Mistake("local_missing",
                             f"the upstream gradient was passed through unchanged, as an add "
                             f"gate would: multiply it by the local gradient of the "
                             f"{' and '.join(kinds)} gate.", wrong))
    # 5. one branch: a link further along left out, or the upstream used twice
    if len(branches) == 1:
        b = branches[0]
        for local, symbol, out in b.chain:
            if isinstance(local, float) and local not in (0.0, 1.0, -1.0):
                found.append(Mistake(
                    "chain_link_missing",
                    f"a link of the chain is missing: between {name} and f the gradient also "
                    f"passes the {symbol} gate that computes {out}; multiply by its local "
                    f"gradient too.", total / local))
        if isinstance(b.upstream, float) and abs(b.upstream) not in (0.0, 1.0):
            found.append(Mistake("upstream_twice", "the upstream gradient was multiplied in "
                                 "twice: upstream × local, once.", total * b.upstream))
    # 6. the forward value (green) instead of the gradient (red)
    if branches:
        b = branches[0]
        value = b.inputs[b.index]
        found.append(Mistake("value_given", f"that is the forward value of {name} (green), "
                             f"not its gradient: ∂f/∂{name} says how much f changes when "
                             f"{name} moves.", value))
    # 7. the sign
    found.append(Mistake("sign", "the sign is flipped: check the sign of each local gradient "
                         "(and of the upstream).", -np.asarray(total) if isinstance(
                             total, np.ndarray) else -total))
    return found
