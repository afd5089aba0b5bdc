"""The errors students meet in the layers, the value checks and the drawings speak the
notebook's language.

Two guards:

* every site below is triggered in English and in Chinese: the Chinese message must be
  Chinese (CJK characters, not the English text) and the English one English -- so a
  message that loses its ``tr`` or its translation is caught where it is raised;
* a scan of the modules students call from lessons and problem sets: an error raised with
  an English literal or f-string instead of ``tr(...)`` fails the test, with its line, so
  a new error site cannot be added in English only (``tests/test_i18n.py`` then checks that
  every ``tr`` message has its Chinese).

Runs in about a second.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

import backprop_lab as bl
from backprop_lab import conv, i18n, layers, rnn, rnn_experiments, values

ROOT = Path(__file__).resolve().parent.parent
CJK = range(0x4E00, 0xA000)


@pytest.fixture(autouse=True)
def english_afterwards(monkeypatch):
    """Chinese messages without loading the CJK font into this process's matplotlib."""
    from backprop_lab.i18n import fonts
    monkeypatch.setattr(fonts, "use_cjk_font", lambda: fonts.CJK_FAMILY)
    yield
    i18n.messages.use("en")


def _affine():
    return layers.Affine(np.ones((3, 2)), np.zeros(2))


def _rnn():
    return rnn.VanillaRNN.create(2, 3)


def _sgd_without_gradient():
    layers.SGD(0.1).step(_affine())


def _sgd_overflow():
    layer = _affine()
    layer.dW, layer.db = np.full((3, 2), 1e308), np.zeros(2)
    layers.SGD(1e10).step(layer)


def _softmax(scores, targets):
    layers.SoftmaxCrossEntropy().forward(np.asarray(scores, dtype=float), targets)


def _masked():
    layers.ReLU().forward(np.ma.masked_array([1.0, 2.0], mask=[0, 1]))


class _GateReturning(bl.gates.Gate):
    """A student's gate whose backward returns ``sent`` (None, a list, a wrong shape ...)."""

    def __init__(self, sent=None, forward=1.0):
        super().__init__()
        self.sent, self.out = sent, forward

    def forward(self, x):
        return self.out

    def backward(self, upstream):
        return self.sent


def _backward_through(sent):
    x = bl.var(np.ones(2), name="x")
    bl.graph.apply(_GateReturning(sent, forward=np.ones(2)), x).sum().backward()


def _layer_without_gradient():
    class NoGradient(layers.ReLU):
        def __init__(self):
            super().__init__()
            self.params = {"w": np.ones(2)}
    from backprop_lab.gradcheck import check_layer
    check_layer(NoGradient(), np.ones(2))


#: (site, code that raises there)
SITES = [
    # values.py: what var(), constant(), gates and layers accept
    ("as_value: not finite", lambda: bl.var(float("nan"))),
    ("as_value: a Node", lambda: bl.var(bl.var(1.0))),
    ("as_value: a string", lambda: bl.var("3")),
    ("as_value: a bool", lambda: bl.var(np.bool_(True))),
    ("as_value: complex dtype", lambda: bl.var(np.ones(2, dtype=complex))),
    ("as_value: ragged list", lambda: bl.var([[1.0], [1.0, 2.0]])),
    ("as_value: huge int in a list", lambda: bl.var([10 ** 400])),
    ("as_value: huge int", lambda: bl.var(10 ** 400)),
    ("as_value: inf in an array", lambda: bl.var(np.array([1.0, np.inf]))),
    ("as_array: a string", lambda: layers.ReLU().forward("x")),
    ("as_array: object dtype", lambda: layers.ReLU().forward(np.array([{}, {}]))),
    ("as_array: huge int", lambda: layers.ReLU().forward([10 ** 400])),
    ("as_array: NaN", lambda: layers.ReLU().forward(np.array([np.nan]))),
    ("as_array: wrong ndim", lambda: conv.MaxPool2D().forward(np.ones((2, 2)))),
    ("refuse_masked", _masked),
    ("check_dout: before forward", lambda: layers.ReLU().backward(np.ones(2))),
    ("check_dout: shape", lambda: (lambda r: (r.forward(np.ones(2)), r.backward(np.ones(3))))(layers.ReLU())),
    ("check_int", lambda: conv.MaxPool2D(size=0)),
    ("check_real", lambda: layers.SGD(lr=-1.0)),
    ("check_constant: a bool", lambda: bl.gates.ScaleGate(True)),
    ("check_constant: a string", lambda: bl.gates.ScaleGate("2")),
    ("a gate's constant: a bool", lambda: bl.var(1.0) + True),
    ("check_constant: inf", lambda: bl.var(1.0) * float("inf")),
    ("check_choice", lambda: layers.mlp([2, 3], activation="softplus")),
    ("require_numbers", lambda: bl.gates.AddGate().forward([1.0], 2.0)),
    # layers.py
    ("Affine: W not 2-D", lambda: layers.Affine(np.ones(3), np.zeros(3))),
    ("Affine: b shape", lambda: layers.Affine(np.ones((3, 2)), np.zeros(3))),
    ("Affine: x 1-D", lambda: _affine().forward(np.ones(3))),
    ("Affine: x features per row", lambda: _affine().forward(np.ones((4, 5)))),
    ("Affine: x features per example", lambda: _affine().forward(np.ones((4, 2, 2)))),
    ("loss backward before forward", lambda: layers.MSELoss().backward()),
    ("loss backward: dout", lambda: (lambda m: (m.forward(np.ones(2), np.ones(2)), m.backward("1")))(layers.MSELoss())),
    ("MSELoss: shapes", lambda: layers.MSELoss().forward(np.ones(2), np.ones(3))),
    ("MSELoss: empty", lambda: layers.MSELoss().forward(np.ones(0), np.ones(0))),
    ("SoftmaxCrossEntropy: scores shape", lambda: _softmax(np.ones(3), [0])),
    ("SoftmaxCrossEntropy: float labels", lambda: _softmax(np.ones((2, 3)), np.array([0.5, 1.0]))),
    ("SoftmaxCrossEntropy: label count", lambda: _softmax(np.ones((2, 3)), np.array([0, 1, 2]))),
    ("SoftmaxCrossEntropy: label range", lambda: _softmax(np.ones((2, 3)), np.array([0, 3]))),
    ("SoftmaxCrossEntropy: targets shape", lambda: _softmax(np.ones((2, 3)), np.ones((2, 4)))),
    ("SoftmaxCrossEntropy: not distributions", lambda: _softmax(np.ones((2, 3)), np.ones((2, 3)))),
    ("Sequential: not a layer", lambda: layers.Sequential([_affine(), 3])),
    ("Sequential: a loss inside", lambda: layers.Sequential([_affine(), layers.MSELoss()])),
    ("parameters: no params", lambda: list(layers.parameters(3))),
    ("SGD: no gradient", _sgd_without_gradient),
    ("SGD: overflow", _sgd_overflow),
    ("mlp: sizes", lambda: layers.mlp([3])),
    ("train: shapes", lambda: layers.train(_affine(), layers.MSELoss(), np.ones((4, 3)), np.ones((5, 2)))),
    # conv.py
    ("Conv2D: W shape", lambda: conv.Conv2D(np.ones((2, 3)), np.zeros(2))),
    ("Conv2D: b shape", lambda: conv.Conv2D(np.ones((2, 1, 3, 3)), np.zeros(3))),
    ("Conv2D: x channels", lambda: conv.Conv2D(np.ones((2, 1, 3, 3)), np.zeros(2)).forward(np.ones((1, 2, 5, 5)))),
    ("Conv2D: kernel too large", lambda: conv.Conv2D(np.ones((2, 1, 3, 3)), np.zeros(2)).forward(np.ones((1, 1, 2, 2)))),
    ("Conv2D: x 2-D", lambda: conv.Conv2D(np.ones((2, 1, 3, 3)), np.zeros(2)).forward(np.ones((5, 5)))),
    ("MaxPool2D: window too large", lambda: conv.MaxPool2D(size=3).forward(np.ones((1, 1, 2, 2)))),
    ("plane not 2-D", lambda: conv.correlate2d_valid(np.ones(3), np.ones((1, 1)))),
    ("correlate2d_valid: kernel too large", lambda: conv.correlate2d_valid(np.ones((2, 2)), np.ones((3, 3)))),
    ("input gradient: shapes", lambda: conv.input_gradient_direct(np.ones((2, 2)), np.ones((2, 2)), input_shape=(5, 5))),
    ("input_gradient_terms", lambda: conv.input_gradient_terms((2, 2), (3, 3))),
    # rnn.py
    ("RNN: Whh shape", lambda: rnn.VanillaRNN(np.ones((2, 3)), np.ones((3, 2)), np.zeros(3))),
    ("RNN: Wxh shape", lambda: rnn.VanillaRNN(np.ones((2, 4)), np.ones((3, 3)), np.zeros(3))),
    ("RNN: b shape", lambda: rnn.VanillaRNN(np.ones((2, 3)), np.ones((3, 3)), np.zeros(2))),
    ("RNN: h0 shape", lambda: _rnn().forward(np.ones((4, 1, 2)), np.zeros((2, 3)))),
    ("RNN: xs shape", lambda: _rnn().forward(np.ones((4, 2)))),
    ("RNN: backward before forward", lambda: _rnn().backward(np.ones((4, 1, 3)))),
    ("RNN: dhs shape", lambda: (lambda r: (r.forward(np.ones((4, 1, 2))), r.backward(np.ones((3, 1, 3)))))(_rnn())),
    ("LastStep: hs shape", lambda: rnn.LastStep().forward(np.ones((2, 3)))),
    ("LastStep: backward before forward", lambda: rnn.LastStep().backward(np.ones((1, 3)))),
    ("LastStep: dout shape", lambda: (lambda s: (s.forward(np.ones((4, 1, 3))), s.backward(np.ones((1, 2)))))(rnn.LastStep())),
    ("recurrent_matrix: kind", lambda: rnn.recurrent_matrix(3, 1.0, kind="diagonal")),
    ("gradient_norms: dh_last", lambda: rnn.gradient_norms(_rnn(), np.ones((4, 1, 2)), dh_last=np.ones((1, 2)))),
    ("fitted_rate", lambda: rnn.fitted_rate([1.0])),
    ("clipping: a gradient is None", lambda: rnn.global_norm([np.ones(2), None])),
    ("train_adding_problem: model", lambda: rnn_experiments.train_adding_problem(models=("gru",))),
    # graph.py: nodes, graphs, what a student's gate returns
    ("Node: truth value", lambda: bool(bl.var(1.0))),
    ("Node.mean: empty", lambda: bl.var(np.ones(0)).mean()),
    ("Node.sum: out=", lambda: np.sum(bl.var(np.ones(2)), out=np.ones(()))),
    ("var: name", lambda: bl.var(1.0, name=3)),
    ("gate forward returns a string", lambda: bl.graph.apply(_GateReturning(forward="1"), bl.var(1.0))),
    ("gate backward returns a list of two", lambda: _backward_through([np.ones(2), np.ones(2)])),
    ("gate backward: None", lambda: _backward_through((None,))),
    ("gate backward: a string", lambda: _backward_through(("1",))),
    ("gate backward: shape", lambda: _backward_through((np.ones(3),))),
    ("Graph: not a node", lambda: bl.Graph(3.0)),
    ("Graph: two leaves named x", lambda: bl.Graph(bl.var(1.0, name="x") + bl.var(2.0, name="x"))),
    ("Graph.leaf: no such leaf", lambda: bl.Graph(bl.var(1.0, name="x") * 2.0).leaf("y")),
    ("Graph.forward: no such leaf", lambda: bl.Graph(bl.var(1.0, name="x") * 2.0).forward(y=1.0)),
    # gradcheck.py
    ("numerical_gradient: x", lambda: bl.gradcheck.numerical_gradient(lambda x: x, "1")),
    ("numerical_gradient: dtype", lambda: bl.gradcheck.numerical_gradient(lambda x: x.sum(), np.ones(2, dtype=np.float32))),
    ("numerical_gradient: not a scalar", lambda: bl.gradcheck.numerical_gradient(lambda x: x, np.ones(2))),
    ("rel_error: shapes", lambda: bl.gradcheck.rel_error(np.ones(2), np.ones(3))),
    ("check_gate: backward", lambda: bl.gradcheck.check_gate(_GateReturning(np.ones(1)), 1.0)),
    ("check_layer: no gradient", _layer_without_gradient),
    # modes.py: dual numbers and the forward/reverse comparison
    ("Dual: value", lambda: bl.modes.Dual("1")),
    ("Dual: not finite", lambda: bl.modes.Dual(float("inf"))),
    ("Dual: overflow", lambda: bl.modes.Dual(1e308) * bl.modes.Dual(1e308)),
    ("Dual with a Node", lambda: bl.modes.Dual(1.0) + bl.var(1.0)),
    ("Dual with a string", lambda: bl.modes.Dual(1.0) * "2"),
    ("Dual: division by zero", lambda: bl.modes.Dual(1.0) / 0),
    ("Dual: negative base", lambda: (-2.0) ** bl.modes.Dual(1.0)),
    ("modes.sqrt", lambda: bl.modes.sqrt(-1.0)),
    ("gradient_forward: xs", lambda: bl.modes.gradient_forward(sum, [])),
    ("gradient_forward: f", lambda: bl.modes.gradient_forward(lambda xs: "1", [1.0])),
    ("measure_costs: ns", lambda: bl.modes.measure_costs(ns=())),
    # datasets.py
    ("regression_target", lambda: bl.datasets.regression_target(np.ones(3))),
    ("minibatches: rows", lambda: next(bl.datasets.minibatches(np.ones((3, 1)), np.ones(2), 2))),
    ("minibatches: seed without shuffle", lambda: next(bl.datasets.minibatches(np.ones((3, 1)), np.ones(3), 2, seed=1, shuffle=False))),
    ("train_test_split: rows", lambda: bl.datasets.train_test_split(np.ones((3, 1)), np.ones(2))),
    ("train_test_split: fraction", lambda: bl.datasets.train_test_split(np.ones((3, 1)), np.ones(3), 1.5)),
    ("train_test_split: empty part", lambda: bl.datasets.train_test_split(np.ones((3, 1)), np.ones(3), 0.01)),
    # practice: what a student types into a drill or a checked question
    ("answer: inf", lambda: bl.practice.parse_number(float("inf"))),
    ("answer: not text", lambda: bl.practice.parse_number([1])),
    ("answer: 1/0", lambda: bl.practice.parse_number("1/0")),
    ("answer: unreadable number", lambda: bl.practice.parse_number("minus four")),
    ("answer: shape tuple", lambda: bl.practice.parse_shape((2, 0))),
    ("answer: shape not text", lambda: bl.practice.parse_shape(2)),
    ("answer: empty shape", lambda: bl.practice.parse_shape("")),
    ("answer: unreadable shape", lambda: bl.practice.parse_shape("two by three")),
    ("answer: no entries", lambda: bl.practice.checking.parse_entries([])),
]


def _message(make) -> str:
    with pytest.raises((ValueError, TypeError, KeyError)) as caught:
        make()
    return caught.value.args[0]


def _chinese(text: str) -> bool:
    return any(ord(ch) in CJK for ch in text)


@pytest.mark.parametrize("site, make", SITES, ids=[site for site, _ in SITES])
def test_each_error_speaks_the_notebook_language(site, make):
    english = _message(make)
    with i18n.language("zh"):
        chinese = _message(make)
    assert not _chinese(english), english
    assert _chinese(chinese) and chinese != english, (site, chinese)


def test_a_gates_constant_is_named_in_the_notebook_language():
    """The words for a gate's constant ("the factor a") are translated with the message."""
    with i18n.language("zh"):
        assert _message(lambda: bl.gates.ScaleGate(float("inf"))) == "ScaleGate：系数 a 必须是有限数；得到的是 inf。"
        assert _message(lambda: bl.gates.PowerGate("2")).startswith("PowerGate：指数 p 必须是一个数")


def test_the_sites_are_different_errors():
    """Each site raises its own message (a site list of copies would guard nothing)."""
    seen = {}
    for site, make in SITES:
        seen.setdefault(_message(make), []).append(site)
    assert {m: s for m, s in seen.items() if len(s) > 1} == {}


# ------------------------------------------------------------------ what else students read
def test_a_summarised_drawing_explains_itself_in_the_notebook_language():
    """render.draw's caption for a big graph (and for a value feeding many gates)."""
    x = bl.var(0.5, name="x")
    out = x
    for _ in range(12):
        out = out * x + 1.0
    english = bl.draw(out, max_nodes=8).summary
    with i18n.language("zh"):
        chinese = bl.draw(out, max_nodes=8).summary
    assert re.match(r"Summarised: the \d+ nodes nearest the output of \d+; ", english)
    assert re.search(r"^x feeds \d+ gates: ", english, re.M)
    assert _chinese(chinese) and "max_nodes=None" in chinese
    assert not any(word in chinese for word in ("Summarised", "feeds", "nodes nearest"))


def test_the_adding_problem_runs_are_labelled_in_the_notebook_language():
    """Lesson 13 prints the keys of train_adding_problem's result."""
    options = dict(quick=True, iterations=2, models=("rnn", "lstm+clip"))
    assert list(rnn_experiments.train_adding_problem(**options)) == ["RNN", "LSTM, clipped at 1"]
    with i18n.language("zh"):
        assert list(rnn_experiments.train_adding_problem(**options)) == ["RNN", "LSTM，梯度裁剪阈值 1"]


def test_a_rule_in_a_hint_names_the_upstream_gradient_in_the_notebook_language():
    from backprop_lab.mistakes import upstream_not_multiplied
    english, _ = upstream_not_multiplied("dx = upstream · y", 1.0)
    assert english == "looks like the upstream gradient was not multiplied in (dx = upstream · y)."
    with i18n.language("zh"):
        chinese, _ = upstream_not_multiplied("dx = upstream · y", 1.0)
    assert "dx = 上游梯度 · y" in chinese and "upstream" not in chinese


def test_the_graders_notes_and_findings_speak_the_notebook_language():
    """What the sandboxed executor writes into a cell it left out or interrupted, and the
    findings on a test cell whose hidden results are missing or forged (shown in the
    feedback), in the release's language."""
    from backprop_lab.sandbox import executor, verdicts

    def notes():
        return [executor._kernel_died(), executor._kernel_died(after=True), executor._forked(5),
                executor._stuck(),
                verdicts.judge_cell("ps1.add", [], "run", 1).problem,
                verdicts.judge_cell("ps1.add", [{}, {}], "run", 1).problem,
                verdicts.judge_cell("ps1.add", ["x"], "run", 1).problem,
                verdicts.judge_cell("ps1.add", [{"version": 1, "task": "ps1.mul"}], "run", 1).problem,
                verdicts.judge_cell("ps1.add", [{"version": 1, "task": "ps1.add", "run": "old"}],
                                    "run", 1).problem]
    english = notes()
    assert english[0] == executor.KERNEL_DIED and english[1] == executor.KERNEL_DIED_AFTER
    assert english[4].startswith("no hidden results were published")
    with verdicts.speaking("zh"):
        chinese = notes()
    assert all(_chinese(text) for text in chinese), chinese
    assert not any(_chinese(text) for text in english), english


# ------------------------------------------------------------------ no English-only error sites
#: modules whose errors students meet in lessons and problem sets
SCANNED = ["values.py", "graph.py", "gates.py", "layers.py", "conv.py", "rnn.py",
           "rnn_experiments.py", "gradcheck.py", "modes.py", "datasets.py", "practice/checking.py",
           "sandbox/verdicts.py", "grading/judge.py", "grading/hidden.py"]
#: errors that are not sentences for a student (Python's own protocols, programming errors
#: in a subclass)
EXEMPT = {"AttributeError", "NotImplementedError"}


def _english_raises(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
            continue
        name = getattr(node.exc.func, "id", getattr(node.exc.func, "attr", ""))
        message = node.exc.args[0]
        if name not in EXEMPT and (isinstance(message, ast.JoinedStr) or (
                isinstance(message, ast.Constant) and isinstance(message.value, str))):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_error_a_student_meets_is_english_only():
    found = [where for name in SCANNED for where in _english_raises(ROOT / "backprop_lab" / name)]
    assert not found, ("errors raised with an English text instead of tr(...) (see "
                       "backprop_lab/i18n/__init__.py):\n" + "\n".join(found))
