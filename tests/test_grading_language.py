"""Grading feedback in the notebook's language: the visible checks of a Chinese release
(``<ps>_zh``, whose first cell is ``bl.set_language("zh")``) explain a wrong answer in Chinese
— the verdict, what is wrong where, and the hint — and say exactly the same as before in
English.  (Every message's translation is checked in tests/test_i18n.py.)"""
from __future__ import annotations

import re

import numpy as np
import pytest

from backprop_lab import grading, i18n, mistakes
from backprop_lab.gates import Gate

CJK = re.compile(r"[\u4e00-\u9fff]")


def reversed_order(root):
    """A wrong topological order: the output first (a pre-order walk)."""
    order, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            order.append(node)
            stack.extend(node.parents)
    return order


def variance_for_std(n_in, n_out, activation, rng):
    """He's variance handed to rng.normal as if it were the standard deviation."""
    return rng.normal(0.0, 2.0 / n_in, size=(n_in, n_out))


class MeanBiasAffine:
    """ps3 part 1 with db averaged over the batch instead of summed."""

    def __init__(self, W, b):
        self.W, self.b, self.params = W, b, {"W": W, "b": b}

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW, self.db = self.x.T @ dout, dout.mean(axis=0)
        return dout @ self.W.T


class SmallerWinsMax(Gate):
    """ps1 part 2 routing the gradient to the smaller input."""

    def forward(self, x, y):
        self.save(x, y)
        return np.maximum(x, y)

    def backward(self, upstream):
        x, y = self.saved()
        smaller = np.asarray(x < y, dtype=np.float64)
        return upstream * smaller, upstream * (1.0 - smaller)


def feedback(task_id: str, **student) -> str:
    with pytest.raises(AssertionError) as failed:
        grading.check(task_id, **student)
    return str(failed.value)


@pytest.mark.parametrize("task_id, student, english, chinese", [
    ("ps1.max_gate", {"MaxGate": SmallerWinsMax},
     "[x = 4, y = 2, upstream 2 (max routes to x)] dx: expected 2, got 0. Hint: the max gate "
     "routes the gradient to the *larger* input",
     "[x = 4，y = 2，上游梯度 2（max 路由给 x）] dx：应为 2，得到 0。 提示：取最大值门把梯度路由给*较大*的输入"),
    ("ps2.topological_order", {"topological_order": reversed_order},
     "The order is reversed: list the inputs first and the output last.",
     "顺序反了：输入在前，输出在最后。"),
    ("ps3.init", {"init_weights": variance_for_std},
     "Hint: rng.normal(0, s) takes the standard deviation s, not the variance",
     "提示：rng.normal(0, s) 接受的是标准差 s，而不是方差"),
    ("ps3.affine", {"Affine": MeanBiasAffine},
     "its gradient is the *sum* of their contributions over the batch",
     "它的梯度是各个样本的贡献在整个批量上（第 0 轴）的*和*"),
])
def test_a_wrong_answer_is_explained_in_the_notebook_language(task_id, student, english, chinese):
    with i18n.language("zh"):
        zh = feedback(task_id, **student)
    en = feedback(task_id, **student)
    assert zh.startswith(f"{task_id}：还没有全对。") and chinese in zh, zh
    assert en.startswith(f"{task_id}: not yet right.") and english in en, en
    assert not CJK.search(en)


def test_the_comparison_and_a_raising_answer_speak_the_notebook_language(capsys):
    with i18n.language("zh"):
        assert mistakes.compare("dx", np.array([1.0, 2.0]), np.array([1.0, 3.0])) == (
            "dx：下标 (1,) 处错了：应为 3，得到 2（2 个元素中有 1 个不同）。")

        def train_mlp(X, y):
            raise NotImplementedError()
        assert "你的代码抛出了 NotImplementedError" in feedback("ps2.mlp", train_mlp=train_mlp)

        def init_weights(n_in, n_out, activation, rng):
            return rng.normal(0.0, np.sqrt(2.0 / n_in if activation == "relu" else 2.0 / (n_in + n_out)),
                              size=(n_in, n_out))
        grading.check("ps3.init", init_weights=init_weights)
    assert capsys.readouterr().out.strip() == "ps3.init：示例全部通过。"
    assert mistakes.compare("dx", np.array([1.0, 2.0]), np.array([1.0, 3.0])) == (
        "dx: wrong at index (1,): expected 3, got 2 (1 of 2 entries differ).")


def test_the_cases_are_named_in_the_notebook_language():
    with i18n.language("zh"):
        zh = feedback("ps2.topological_order", topological_order=reversed_order)
    assert "[由 10,000 个节点组成的链] 10000 个节点的顺序：'x9999' 排在了它的输入 'x9998' 之前。" in zh, zh
    assert "[a chain of 10,000 nodes] the order of 10000 nodes: 'x9999' comes before its input 'x9998'." in (
        feedback("ps2.topological_order", topological_order=reversed_order))


def test_every_task_names_its_worded_cases_in_chinese():
    """Case names with English words (not only formulas and shapes) are translated, for the
    tasks of all five problem sets; the English names do not change."""
    from backprop_lab.grading import TASKS
    worded = re.compile(r"\b(?:random|stride|windows?|arrays?|tie|layer|scores|examples|chain|"
                        r"upstream|spirals|blobs|neuron|tangents|expression|graph|used)\b")
    english = {tid: [d for d, _ in task.cases(hidden=True)] for tid, task in TASKS.items()}
    with i18n.language("zh"):
        chinese = {tid: [d for d, _ in task.cases(hidden=True)] for tid, task in TASKS.items()}
    assert {tid: [d for d, _ in task.cases(hidden=True)] for tid, task in TASKS.items()} == english
    untranslated = [(tid, en) for tid in english for en, zh in zip(english[tid], chinese[tid])
                    if worded.search(en) and not CJK.search(zh)]
    assert not untranslated, untranslated


def test_the_graders_verdicts_on_hidden_tests_speak_the_release_language():
    """The hidden tests are judged by the grader outside the sandbox (no kernel): the
    release's locked language cell (restored by nbgrader before grading) says which language
    the verdicts and the hidden checks' messages are written in; the grader's own language
    is back afterwards."""
    import nbformat

    from backprop_lab.i18n.messages import get_language
    from backprop_lab.sandbox import verdicts

    cell = nbformat.v4.new_code_cell('import backprop_lab as bl\nbl.set_language("zh")   # 中文',
                                     metadata={"nbgrader": {"grade_id": "language",
                                                            "locked": True}})
    chinese = nbformat.v4.new_notebook(cells=[cell])
    assert verdicts.notebook_language(chinese) == "zh"
    assert verdicts.notebook_language(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('bl.set_language("zh")')])) == "en"   # not the release's cell
    with verdicts.speaking(verdicts.notebook_language(chinese)):
        passed = verdicts.Verdict("ps1.add", True).output()
        failed = verdicts.Verdict("ps1.add", False, ["第 1 个用例：错误"]).output()
    assert passed["text"] == "ps1.add：隐藏测试通过（由评分程序在笔记本之外判定）。\n"
    assert failed["evalue"].startswith("ps1.add：隐藏测试未通过（由评分程序在笔记本之外判定）。")
    assert "第 1 个用例：错误" in failed["evalue"]
    assert get_language() == "en"
    assert verdicts.Verdict("ps1.add", True).output()["text"] == (
        "ps1.add: hidden tests pass (judged by the grader, outside the notebook).\n")


def test_hidden_tests_judged_in_a_separate_process_speak_the_notebook_language():
    """Outside a grading sandbox (a student running the test cell) the hidden cases are
    judged in a separate Python process: the notebook's language goes with the request, so
    its messages are Chinese too (one process start, ~1 s)."""
    from backprop_lab.grading import GradingError
    from backprop_lab.grading.hidden import verify_isolated

    with i18n.language("zh"), pytest.raises(GradingError) as failed:
        verify_isolated("ps1.max_gate", MaxGate=SmallerWinsMax)
    text = str(failed.value)
    assert text.startswith("ps1.max_gate：隐藏测试（在一个单独的 Python 进程中检查）没有通过。"), text
    assert "提示：取最大值门把梯度路由给*较大*的输入" in text and "expected" not in text
