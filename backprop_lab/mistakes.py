"""Compare a student's value with the right one, and recognise the mistake behind a wrong one.

One implementation for every place that checks a student: the autograded test cells
(:mod:`backprop_lab.grading`) and the gradient drills of the lessons (``backprop_lab.practice``).
It sits below both in the layering and imports only numpy, the gates and the graph's ``Node``::

    compare("dx", got, expected)                 # None when right, else a message
    compare("dW", got, expected, mistakes=[upstream_not_multiplied("dW = xᵀ · dout", x.T @ ones)])
    # -> "dW: wrong at index (1, 2): expected 0.5, got -0.5. Hint: the sign is flipped: ..."

A value is right when every entry satisfies ``|got - expected| <= ATOL + rtol (|got| + |expected|)``
(``RTOL`` = 1e-6 by default).  A wrong value is explained, in this order, by

1. its **shape** (:func:`shape_hint`): a missing transpose, a gradient not summed over the
   batch (or summed where every example needs its own), a number expected;
2. the **known mistakes** the caller lists: ``(hint, wrong value)`` pairs, the value that
   mistake would produce (:func:`recognise`); helpers build the common ones —
   :func:`upstream_not_multiplied`, :func:`branches_overwritten` (``=`` instead of ``+=`` at
   fan-out);
3. **generic** relations to the right value (:func:`generic_hint`): all zeros, the sign
   flipped, a factor equal to the batch size of a mean loss, a factor of 2 or ½.

The message names one wrong entry (index, expected, got), never the whole right answer.

For a backward pass checked wire by wire (the drills), :func:`wire_mistakes` lists the wrong
values of the classic mistakes of backprop itself (see the section at the end and
:data:`MISTAKE_KEYS`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .i18n import tr
from . import gates as G
from .graph import Node
from .values import format_value

__all__ = ["RTOL", "ATOL", "OpaqueResult", "as_array", "close", "all_close", "format_number",
           "compare", "shape_hint", "generic_hint", "recognise", "upstream_not_multiplied",
           "branches_overwritten", "subset_sums", "hint_text",
           "MISTAKE_KEYS", "Mistake", "Branch", "gate_mistakes", "wire_mistakes", "pairs"]

RTOL = 1e-6
ATOL = 1e-8


class OpaqueResult:
    """A non-numeric result known only by the name of its type (e.g. what a student returned,
    after crossing a process boundary); :func:`compare` reports it as that type."""

    def __init__(self, type_name: str):
        self.type_name = str(type_name)

    def __repr__(self) -> str:
        return f"OpaqueResult({self.type_name!r})"


def as_array(value) -> np.ndarray | None:
    """``value`` as a float64 array (a number gives shape ``()``), or None when it is not
    numeric (None, bool, text, objects).  An engine :class:`~backprop_lab.graph.Node` counts
    as its value."""
    if isinstance(value, Node):
        value = value.value
    if isinstance(value, (bool, np.bool_, str, bytes, OpaqueResult)) or value is None:
        return None
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def close(got: np.ndarray, expected: np.ndarray, rtol: float = RTOL,
          atol: float = ATOL) -> np.ndarray:
    """Entry-wise ``|got - expected| <= atol + rtol (|got| + |expected|)`` (NaN is never close).

    The defaults suit computed results (grading); answers typed by hand (the drills) use
    looser ones (``practice.checking.ATOL``/``RTOL``: 0.19 for 0.1875 is right)."""
    with np.errstate(all="ignore"):
        return np.abs(got - expected) <= atol + rtol * (np.abs(got) + np.abs(expected))


def all_close(got, expected, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """True when both are numeric, of one shape, and :func:`close` everywhere."""
    got, expected = as_array(got), as_array(expected)
    if got is None or expected is None or got.shape != expected.shape:
        return False
    return bool(np.all(close(got, expected, rtol, atol)))


def format_number(value: float) -> str:
    """How a number appears in a message: the package's one formatter
    (:func:`backprop_lab.values.format_value`) with 6 significant digits and the plain minus
    sign a student can copy back into Python (``0.5``, ``-12``, ``1.5e-07``)."""
    return format_value(float(value), precision=6, minus="-")


# ---------------------------------------------------------------- the recognisers
def shape_hint(got: tuple, expected: tuple, label: str = "it") -> str:
    """Why a result of shape ``got`` may have come out instead of ``expected``."""
    got, expected = tuple(got), tuple(expected)
    if len(got) == 2 and got == expected[::-1]:
        return tr("did you forget a transpose (or put the factors of the product in the wrong order)?")
    if len(got) == len(expected) + 1 and got[1:] == expected:
        return tr("it is not summed over the batch: a parameter is shared by every example, so "
                  "its gradient adds up the contributions of all rows (sum over axis 0).")
    if len(got) + 1 == len(expected) and expected[1:] == got:
        return tr("it looks summed over the batch, but every example (row) needs its own gradient here.")
    if expected == () and got != ():
        return tr("{label} should be a single number.", label=label)
    return tr("the gradient of a value always has the shape of that value; check which arrays "
              "you multiplied.")


def generic_hint(got: np.ndarray, expected: np.ndarray, batch: int | None = None) -> str | None:
    """A hint from how ``got`` relates to ``expected`` as a whole (same shape): all zeros,
    the sign flipped, ×N or ÷N with ``batch`` = N the batch size of a *mean* loss, ×2 or ×½.
    None when no such relation holds."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if expected.size == 0 or not np.any(expected):
        return None
    if not np.any(got):
        return tr("it is all zeros: did you return the value you computed (or overwrite it with zeros)?")
    if np.all(close(got, -expected)):
        return tr("the sign is flipped: check the sign of the local gradient.")
    if batch and batch > 1:           # before the factor-2 hints: the batch may be 2
        if np.all(close(got, batch * expected)):
            return tr("it is {batch}× too large — exactly the batch size: the loss is a mean "
                      "over the {batch} examples, so its gradient carries a 1/{batch}.", batch=batch)
        if np.all(close(got, expected / batch)):
            return tr("it is {batch}× too small — exactly the batch size: a parameter's "
                      "gradient sums over the examples (or the 1/{batch} of a mean loss is "
                      "applied twice).", batch=batch)
    if np.all(close(got, 2.0 * expected)):
        return tr("it is exactly twice the right value: is a contribution counted twice, or a factor 2 too many?")
    if np.all(close(got, 0.5 * expected)):
        return tr("it is exactly half the right value: is a factor 2 (e.g. from x²) missing?")
    return None


def recognise(got, mistakes, rtol: float = RTOL, atol: float = ATOL) -> str | None:
    """The hint of the first ``(hint, wrong value)`` in ``mistakes`` that ``got`` equals."""
    for hint, wrong in mistakes:
        if all_close(got, wrong, rtol, atol):
            return hint
    return None


def upstream_not_multiplied(rule: str, local_gradient, upstream: str = "") -> tuple[str, object]:
    """The known mistake "the local gradient was returned without the upstream factor":
    ``(hint, local_gradient)``.  ``rule`` is the right formula (``"dx = upstream · y"``),
    ``upstream`` the upstream gradient's name when it has one (``"dout"``).  The word
    "upstream" of a rule is written in the notebook's language (上游梯度 · y)."""
    rule = rule.replace("upstream", tr("upstream"))
    if upstream:
        return (tr("looks like the upstream gradient ({upstream}) was not multiplied in ({rule}).",
                   upstream=upstream, rule=rule), local_gradient)
    return tr("looks like the upstream gradient was not multiplied in ({rule}).", rule=rule), local_gradient


def subset_sums(parts: list) -> list:
    """Sums of every non-empty proper subset of ``parts``."""
    n = len(parts)
    return [sum(p for k, p in enumerate(parts) if mask >> k & 1) for mask in range(1, 2 ** n - 1)]


def branches_overwritten(parts: list, hint: str) -> list[tuple[str, object]]:
    """A value used by several gates gets the *sum* of their gradients (``+=``).  Given the
    contribution of each use, the known mistakes are the sums of every proper subset (some
    branches overwritten, ``=`` instead of ``+=``, or lost): ``[(hint, wrong value), ...]``."""
    return [(hint, value) for value in subset_sums(list(parts))]


# ---------------------------------------------------------------- the comparison
def compare(label: str, got, expected, *, mistakes=(), batch: int | None = None,
            rtol: float = RTOL) -> str | None:
    """None when ``got`` matches ``expected``; else one message for the student.

    ``mistakes``: ``(hint, wrong value)`` pairs — if ``got`` equals a known wrong value, its
    hint is given (before the generic hints).  ``batch``: the batch size of a mean loss, to
    recognise the 1/N mistakes.  The message names one wrong entry (index, expected, got),
    the one with the largest relative error, never the whole array.
    """
    expected = np.asarray(expected, dtype=np.float64)
    if got is None:
        return tr("{label}: got None — did you forget to `return` it (or to store it on the object)?",
                  label=label)
    array = as_array(got)
    if array is None:
        kind = got.type_name if isinstance(got, OpaqueResult) else type(got).__name__
        return tr("{label}: expected a number or a numpy array, got {kind}.", label=label, kind=kind)
    if array.shape != expected.shape:
        return tr("{label}: shape {got} should be {expected}: {hint}", label=label, got=array.shape,
                  expected=expected.shape, hint=shape_hint(array.shape, expected.shape, label))
    if not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        if array.ndim:
            return tr("{label}: contains NaN or inf at index {index}. An overflow? (e.g. exp of a "
                      "large number: subtract the maximum first.)", label=label,
                      index=tuple(int(i) for i in bad))
        return tr("{label}: contains NaN or inf. An overflow? (e.g. exp of a large number: "
                  "subtract the maximum first.)", label=label)
    ok = close(array, expected, rtol)
    if np.all(ok):
        return None
    hint = recognise(array, mistakes, rtol) or generic_hint(array, expected, batch)
    if array.ndim == 0:
        message = tr("{label}: expected {expected}, got {got}.", label=label,
                     expected=format_number(float(expected)), got=format_number(float(array)))
    else:
        # per entry, to name the worst index (gradcheck.rel_error is the same formula but
        # returns only the maximum, not where it is)
        with np.errstate(all="ignore"):
            err = np.abs(array - expected) / np.maximum(1e-8, np.abs(array) + np.abs(expected))
        index = np.unravel_index(int(np.argmax(np.where(ok, -1.0, err))), array.shape)
        index = tuple(int(i) for i in index)
        wrong = int(np.size(ok) - np.count_nonzero(ok))
        message = tr("{label}: wrong at index {index}: expected {expected}, got {got} ({wrong} of "
                     "{size} entries differ).", label=label, index=index,
                     expected=format_number(float(expected[index])),
                     got=format_number(float(array[index])), wrong=wrong, size=array.size)
    return message + (hint_text(hint) if hint else "")


def hint_text(hint: str) -> str:
    """`` Hint: <hint>`` in the notebook's language, to append to a message."""
    return " " + tr("Hint: {hint}", hint=hint)


# ======================================================= mistakes of a backward pass, wire by wire
# The gradient drills (backprop_lab.practice) check one wire at a time: ∂f/∂(value) for a
# value used by one or more gates.  These recognisers do not guess from the student's number:
# each one *computes* the value a classic mistake would give, from what the engine recorded in
# backward (a gate's inputs, the upstream gradient, what the gate sent back); nothing here runs
# backward.  Grading can list them too: ``pairs(gate_mistakes(branch))`` are (hint, value).
#
# * gate_mistakes(branch) -- one gate, one input: the wrong *shares* typical of that gate (the
#   multiply swap forgotten, max routed to the wrong input, ReLU's gate misread, σ' taken as σ
#   or 1 − σ, exp' as x, (1/x)' as 1/x, (x²)' as x, the constant of +c kept, ×a divided, the
#   add gate taken for a multiply, a matrix product's transpose or order wrong);
# * wire_mistakes(total, branches) -- one wire: the wrong *totals*, most specific first: an
#   answer that follows from a wrong gradient further along, fan-out not summed, each gate
#   mistake above, the upstream not multiplied in, the local gradient left out, a link of the
#   chain left out, the upstream multiplied in twice, the forward value given, the sign flipped.

#: every mistake :func:`wire_mistakes` recognises: key -> what it is, in one line
MISTAKE_KEYS = {
    "follows_from_upstream": "right for the student's own (wrong) gradient further along: "
                             "fix that one first",
    "multiply_swap": "multiply gate: the input's own value used instead of the other input's",
    "add_as_multiply": "add gate: the other input used as if it were a multiply gate",
    "max_wrong_route": "max gate: the gradient routed to the smaller input (or withheld from "
                       "the larger)",
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
            tr("the multiply gate {out} swaps its inputs: ∂{out}/∂{me} is the *other* input "
               "({other}), not {me} itself.", out=out, me=me, other=other), up * inputs[i])
    elif isinstance(gate, (G.AddGate, G.SubtractGate)) and len(inputs) == 2:
        add("add_as_multiply",
            tr("{out} is an add gate: it passes the upstream gradient to both inputs unchanged "
               "(local gradient 1); it is the multiply gate that swaps.", out=out), up * inputs[1 - i])
    elif isinstance(gate, G.MaxGate):
        x, y = inputs
        wins = (x >= y) if i == 0 else (y > x)
        larger = bool(np.all(wins))
        if larger:
            hint = tr("{me} is the larger input of the max gate {out}: max routes the whole "
                      "upstream gradient to it (and 0 to the other).", me=me, out=out)
        else:
            hint = tr("{me} is the smaller input of the max gate {out}: max routes the gradient "
                      "to the larger input only, so {me} gets 0 from it.", me=me, out=out)
        add("max_wrong_route", hint, up * (1.0 - wins))
    elif isinstance(gate, G.ReLUGate):
        (x,) = inputs
        passes = np.asarray(x > 0, dtype=np.float64)
        hint = tr("ReLU passes the upstream gradient where its input is > 0 and blocks it (0) "
                  "where the input is ≤ 0: look at the sign of each input of the ReLU.")
        if np.any(passes == 0):
            add("relu_gate", hint, up * np.ones_like(passes))      # passed everywhere
        add("relu_gate", hint, up * (1.0 - passes))                # passed exactly where blocked
    elif isinstance(gate, G.SigmoidGate):
        _, s = gate.saved()                # the sigmoid gate caches (x, σ(x))
        if np.ndim(s) == 0:
            hint = tr("σ's local gradient is σ(1 − σ), not σ: with σ = {s} on the wire {out}, "
                      "multiply the upstream by σ·(1 − σ).", s=format_number(s), out=out)
        else:
            hint = tr("σ's local gradient is σ(1 − σ), not σ: multiply the upstream by σ·(1 − σ).")
        add("sigmoid_output", hint, up * s)
        add("sigmoid_one_minus", tr("σ's local gradient is σ(1 − σ), not 1 − σ."), up * (1 - s))
    elif isinstance(gate, G.ExpGate):
        add("exp_input", tr("exp's local gradient is exp({me}) itself, the value on the wire "
                            "{out} — not {me}.", me=me, out=out), up * inputs[0])
    elif isinstance(gate, G.ReciprocalGate):
        (x,) = inputs
        hint = tr("the local gradient of 1/{me} is −1/{me}², not 1/{me} or −1/{me}.", me=me)
        add("reciprocal_rule", hint, up / x)
        add("reciprocal_rule", hint, -up / x)
    elif isinstance(gate, G.PowerGate) and gate.p == 2:
        (x,) = inputs
        add("square_rule", tr("the local gradient of {me}² is 2·{me}: the factor 2 is missing.",
                              me=me), up * x)
        add("square_rule", tr("the local gradient of {me}² is 2·{me}, not {me}² (the output).",
                              me=me), up * x * x)
    elif isinstance(gate, G.AddConstGate) and gate.c not in (0.0, 1.0):
        add("add_const_kept", tr("adding a constant does not change the slope: the local "
                                 "gradient of {me} + c is 1, whatever c is.", me=me), up * gate.c)
    elif isinstance(gate, G.ScaleGate) and abs(gate.a) not in (0.0, 1.0):
        a = format_number(gate.a)
        add("scale_divided", tr("the local gradient of {a}·{me} is {a}: multiply the upstream "
                                "by it (not divide).", a=a, me=me), up / gate.a)
    elif isinstance(gate, G.MatMulGate):
        w, x = (v if v.ndim == 2 else (v[None, :] if k == 0 else v[:, None])
                for k, v in enumerate(inputs))
        d = np.asarray(up, dtype=np.float64).reshape(w.shape[0], x.shape[1])
        rule = ("d{0} = upstream · {1}ᵀ" if i == 0 else "d{0} = {1}ᵀ · upstream").format(
            me, _name(branch, 1 - i))
        hint = tr("{rule}: check the transpose and the order of the factors — the gradient "
                  "must have the shape of {me}, and only one product of the two gives it.",
                  rule=rule, me=me)
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
                     and not all_close(b.student_upstream, b.upstream)]
        if usable and wrong_ups:
            found.append(Mistake(
                "follows_from_upstream",
                tr("this follows correctly from your ∂f/∂{wire}, but that one is wrong: "
                   "fix it first, then this one again.", wire=wrong_ups[0]), theirs))
    # 2. fan-out: only some branches counted (each one right)
    if len(branches) > 1:
        users = ", ".join(b.output_name for b in branches)
        hint = tr("{name} is used {n} times (by {users}): its gradient is the *sum* of what "
                  "every branch sends back (the += of the chain rule), not one branch.",
                  name=name, n=len(branches), users=users)
        for wrong in subset_sums(shares):
            found.append(Mistake("fan_out_not_summed", hint, wrong))
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
        ups = f" {tr('and')} ".join(f"∂f/∂{b.output_name}" for b in branches)
        found.append(Mistake("upstream_missing",
                             tr("looks like the upstream gradient was not multiplied in: "
                                "∂f/∂{name} = upstream × local, and the upstream here is {ups}.",
                                name=name, ups=ups),
                             wrong))
    if elementwise and not all(_trivial(b.local) for b in branches):
        wrong = sum(_fit(np.asarray(b.upstream) * np.ones(np.shape(b.local)), b.inputs[b.index])
                    for b in branches)
        kinds = sorted({type(b.gate).__name__.replace("Gate", "").lower() for b in branches
                        if not _trivial(b.local)})
        found.append(Mistake("local_missing",
                             tr("the upstream gradient was passed through unchanged, as an add "
                                "gate would: multiply it by the local gradient of the {kinds} "
                                "gate.", kinds=f" {tr('and')} ".join(kinds)), wrong))
    # 5. one branch: a link further along left out, or the upstream used twice
    if len(branches) == 1:
        b = branches[0]
        for local, symbol, out in b.chain:
            if isinstance(local, float) and local not in (0.0, 1.0, -1.0):
                found.append(Mistake(
                    "chain_link_missing",
                    tr("a link of the chain is missing: between {name} and f the gradient also "
                       "passes the {symbol} gate that computes {out}; multiply by its local "
                       "gradient too.", name=name, symbol=symbol, out=out), total / local))
        if isinstance(b.upstream, float) and abs(b.upstream) not in (0.0, 1.0):
            found.append(Mistake("upstream_twice", tr("the upstream gradient was multiplied in "
                                                      "twice: upstream × local, once."),
                                 total * b.upstream))
    # 6. the forward value (green) instead of the gradient (red)
    if branches:
        b = branches[0]
        value = b.inputs[b.index]
        found.append(Mistake("value_given", tr("that is the forward value of {name} (green), "
                                               "not its gradient: ∂f/∂{name} says how much f "
                                               "changes when {name} moves.", name=name), value))
    # 7. the sign
    found.append(Mistake("sign", tr("the sign is flipped: check the sign of each local gradient "
                            "(and of the upstream)."), -np.asarray(total) if isinstance(
                             total, np.ndarray) else -total))
    return found


def pairs(mistakes) -> list[tuple[str, object]]:
    """``[(hint, wrong value), ...]`` of :class:`Mistake` objects, for :func:`compare` and
    :func:`recognise`."""
    return [(m.hint, m.value) for m in mistakes]
