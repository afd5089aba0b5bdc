"""backprop_lab.i18n: the language of a notebook (per kernel, never on disk) and the message
catalog — every ``tr(...)`` message of the package has its Chinese translation, with the same
fields, and the catalog holds nothing that the code no longer says."""
from __future__ import annotations

import ast
import functools
import os
import re
import string
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import backprop_lab as bl
from backprop_lab import i18n
from backprop_lab.i18n import tr
from backprop_lab.i18n.zh import MESSAGES as ZH

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "backprop_lab"
CJK = range(0x4E00, 0xA000)


@pytest.fixture(autouse=True)
def english_afterwards(monkeypatch):
    """Chinese without touching this process's matplotlib settings (tests/test_i18n_fonts.py
    checks the font in fresh interpreters); whatever a test did, the next starts in English."""
    from backprop_lab.i18n import fonts
    monkeypatch.setattr(fonts, "use_cjk_font", lambda: fonts.CJK_FAMILY)
    yield
    i18n.messages.use("en")


# ------------------------------------------------------------------ choosing the language
def test_english_is_the_default_and_the_public_names_exist():
    assert bl.get_language() == "en"
    assert bl.set_language is i18n.set_language and bl.get_language is i18n.get_language
    assert "set_language" in dir(bl)


@pytest.mark.parametrize("name, code", [("zh", "zh"), ("zh-CN", "zh"), ("zh_CN", "zh"), ("zh-Hans", "zh"),
                                        ("中文", "zh"), ("en", "en"), ("English", "en"), (" EN ", "en")])
def test_set_language_accepts_common_spellings(name, code):
    assert bl.set_language(name) == code
    assert bl.get_language() == code


def test_unknown_language_is_a_clear_error_in_the_current_language():
    with pytest.raises(ValueError, match=r"Unknown language 'fr'.*\"en\".*\"zh\""):
        bl.set_language("fr")
    bl.set_language("zh")
    with pytest.raises(ValueError, match="未知的语言 'fr'"):
        bl.set_language("fr")
    assert bl.get_language() == "zh"                 # a failed call changes nothing
    with pytest.raises(TypeError, match="NoneType"):
        bl.set_language(None)


def test_language_block_restores_the_previous_language_even_on_error():
    with i18n.language("zh"):
        assert bl.get_language() == "zh"
        with i18n.language("en"):
            assert bl.get_language() == "en"
        assert bl.get_language() == "zh"
    assert bl.get_language() == "en"
    with pytest.raises(RuntimeError), i18n.language("zh"):
        raise RuntimeError
    assert bl.get_language() == "en"


def test_each_kernel_has_its_own_language_and_nothing_is_written_to_disk(tmp_path):
    """Two processes (two notebooks' kernels): the one that chooses Chinese does not change
    the other, and choosing it (and drawing a Chinese plot) writes no file anywhere we look."""
    home, work, mpl = (tmp_path / name for name in ("home", "work", "mplconfig"))
    for folder in (home, work, mpl):
        folder.mkdir()
    env = dict(os.environ, HOME=str(home), MPLCONFIGDIR=str(mpl), MPLBACKEND="Agg")
    warm = "import matplotlib.pyplot"                    # matplotlib's own font cache, once
    subprocess.run([sys.executable, "-c", warm], cwd=work, env=env, check=True)
    before = sorted((p, p.stat().st_mtime_ns) for p in tmp_path.rglob("*"))
    script = textwrap.dedent("""
        import sys, backprop_lab as bl, matplotlib.pyplot as plt
        bl.set_language(sys.argv[1])
        fig, ax = plt.subplots(); ax.set_title("上游梯度"); fig.canvas.draw()
        print(bl.get_language())
    """)
    chinese = subprocess.Popen([sys.executable, "-c", script, "zh"], cwd=work, env=env,
                               stdout=subprocess.PIPE, text=True)
    other = subprocess.run([sys.executable, "-c", "import backprop_lab as bl; print(bl.get_language())"],
                           cwd=work, env=env, capture_output=True, text=True, check=True)
    assert chinese.communicate()[0].strip() == "zh" and chinese.returncode == 0
    assert other.stdout.strip() == "en"
    after = sorted((p, p.stat().st_mtime_ns) for p in tmp_path.rglob("*"))
    assert after == before


# ------------------------------------------------------------------ tr
def test_tr_is_english_by_default_and_chinese_after_set_language():
    message = "Unknown language {name!r}: choose \"en\" (English) or \"zh\" (Simplified Chinese)."
    assert tr(message, name="xx") == message.format(name="xx")
    bl.set_language("zh")
    assert tr(message, name="xx") == ZH[message].format(name="xx")
    assert tr("A message nobody translated: {n:.2f}", n=1.0) == "A message nobody translated: 1.00"
    assert tr("Braces {{ stay }} literal") == "Braces { stay } literal"


def test_catalog_of_english_is_empty_and_unknown_codes_are_refused():
    assert i18n.catalog("en") == {}
    assert i18n.catalog("zh") is ZH
    with pytest.raises(ValueError):
        i18n.catalog("de")


# ------------------------------------------------------------------ the catalog stays in step with the code
@functools.lru_cache(maxsize=1)
def _tr_calls():
    """Every tr(...) call in the package: (file:line, first argument node); parsed once."""
    calls = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (
                    (isinstance(node.func, ast.Name) and node.func.id == "tr")
                    or (isinstance(node.func, ast.Attribute) and node.func.attr == "tr")):
                calls.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.args[0] if node.args else None))
    return tuple(calls)


def _messages() -> dict:
    return {arg.value: where for where, arg in _tr_calls()
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}


def test_every_tr_message_is_a_literal_string():
    """The catalog is keyed by the English text: a computed message could never be found."""
    bad = [where for where, arg in _tr_calls()
           if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str))]
    assert not bad, f"tr() needs a string literal as its message (fields as keywords): {bad}"
    assert len(_messages()) >= 4


def test_every_message_has_a_chinese_translation():
    missing = [f"{where}: {message!r}" for message, where in _messages().items() if message not in ZH]
    assert not missing, ("messages without Chinese in backprop_lab/i18n/zh.py (add them, or ask "
                         "the zh engineer in LOG.md):\n" + "\n".join(missing))


def test_every_translation_belongs_to_a_message_of_the_code():
    stale = [message for message in ZH if message not in _messages()]
    assert not stale, f"translations whose English is no longer in the code: {stale}"


def _fields(template: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)


def test_translations_use_the_same_fields_and_are_chinese():
    for english, chinese in ZH.items():
        assert _fields(english) == _fields(chinese), (english, chinese)
        assert any(ord(ch) in CJK for ch in chinese), f"not Chinese: {chinese!r}"
        assert chinese.strip() == chinese and chinese != english


# ------------------------------------------------------------------ widgets in the notebook's language
def test_checked_question_and_drill_speak_the_notebook_language():
    """The same widgets, made in a Chinese notebook: Chinese buttons, verdicts and status;
    made in an English one: the English words the practice tests know."""
    from backprop_lab.practice import GradientDrill, ask
    from backprop_lab.practice.circuits import LEVELS
    from backprop_lab.practice.drill import level_text

    with i18n.language("zh"):
        question = ask("$f = xy$，$x = 4$、$y = -3$：$\\partial f/\\partial x$ 是多少？", -3.0)
        assert question.check_button.description == "检查"
        assert question.show_button.description == "显示答案"
        assert question.submit("-3").text == "正确"
        wrong = question.submit("4")
        assert wrong.text == "不太对" and "再试一次" in question.feedback.value
        drill = GradientDrill(level=1, seed=3)
        labels = [b.description for b in (drill.check_button, drill.step_button,
                                          drill.solution_button, drill.new_button)]
        assert labels == ["检查", "下一步", "答案", "新线路"]
        assert "梯度练习 —— 第 1 级" in drill.header.value and "加法与乘法" in drill.header.value
        verdicts = drill.check()
        assert {v.text for v in verdicts.values()} == {"还没有作答"}
        assert "本次：" in drill.status.value
    question = ask("What is 1 + 1?", 2.0)
    assert question.check_button.description == "Check" and question.submit("2").text == "right"
    for level, text in LEVELS.items():              # level_text mirrors the English LEVELS
        assert level_text(level) == text


def test_mistake_hints_speak_the_notebook_language():
    """The classic-mistake hints (drills, questions, visible checks) come out in Chinese in a
    Chinese notebook and unchanged in English."""
    from backprop_lab import gates, mistakes

    branch = mistakes.Branch(gate=gates.MultiplyGate(), inputs=(3.0, -4.0), index=0, upstream=2.0,
                             local=-4.0, share=-8.0)
    with i18n.language("zh"):
        hints = [m.hint for m in mistakes.wire_mistakes(-8.0, [branch], name="x")]
        assert any(h.startswith("乘法门") and "*另一个*输入" in h for h in hints)
        assert any("没有乘上上游梯度" in h for h in hints)
        assert mistakes.shape_hint((3, 2), (2, 3)) == "是不是忘了转置（或者把乘积的因子顺序写反了）？"
    hints = [m.hint for m in mistakes.wire_mistakes(-8.0, [branch], name="x")]
    assert any("swaps its inputs" in h for h in hints)


def test_backward_step_words_speak_the_notebook_language():
    """describe() of a backward step (printed by lessons 02 and 03 and the drill's Next step)."""
    x, y, z = bl.var(-2.0, name="x"), bl.var(5.0, name="y"), bl.var(-4.0, name="z")
    first = next(iter(bl.Graph((x + y) * z).backward_steps()))
    english = first.describe()
    assert english.splitlines()[0] == "MultiplyGate (×): upstream = 1"
    with i18n.language("zh"):
        chinese = first.describe()
    assert chinese.splitlines() == ["MultiplyGate（×）：上游梯度 = 1",
                                    "  → + 的输出: 上游梯度 · y = 1 × -4 = -4",
                                    "  → z: 上游梯度 · x = 1 × 3 = 3"]
    assert first.describe() == english


def test_the_engine_errors_students_meet_speak_the_notebook_language():
    """A gate's domain error (a widget passes it on under 此处无法求值), a shape mismatch of @
    and a non-finite gradient in backward: Chinese in a Chinese notebook, English unchanged."""
    def message(make) -> str:
        with pytest.raises((ValueError, TypeError)) as caught:
            make()
        return str(caught.value)

    def overflow():                      # the local gradient 1/s of log overflows at 1e-320
        bl.log(bl.var(1e-320, name="s")).backward()

    cases = {
        lambda: bl.log(bl.var(-1.0)):
            ("LogGate: log needs positive inputs (x > 0); got -1.",
             "LogGate：log 需要正的输入（x > 0）；得到 -1。"),
        lambda: bl.var(np.ones((2, 3))) @ bl.var(np.ones((2, 3))):
            ("MatMulGate: shapes (2, 3) and (2, 3) do not align for @: the left operand has 3 "
             "columns but the right one has 2 rows.",
             "MatMulGate：形状 (2, 3) 和 (2, 3) 无法做 @：左边的操作数有 3 列，右边的却有 2 行。"),
        lambda: bl.var(2.0) ** "p":
            ("x ** p needs a number p (got str); for a variable exponent write "
             "bl.exp(p * bl.log(x)).",
             "x ** p 需要一个数 p（得到的是 str）；指数是变量时请写 bl.exp(p * bl.log(x))。"),
    }
    for make, (english, chinese) in cases.items():
        assert message(make) == english
        with i18n.language("zh"):
            assert message(make) == chinese
    with i18n.language("zh"):
        text = message(overflow)
    assert text.startswith("反向传播：LogGate 向 叶子节点 's' 传回了非有限的梯度") and "溢出" in text
    assert message(overflow).startswith("backward: LogGate sent a non-finite gradient (NaN or "
                                        "inf) to leaf 's' (value ")


def test_the_package_figures_of_lessons_10_and_13_speak_the_notebook_language():
    """The figures lessons 10 and 13 draw with package functions (modes.plot_costs, the RNN
    gradient-norm, clipping, RNN-vs-LSTM and training plots): Chinese titles, axis labels and
    legends in a Chinese notebook, the English ones unchanged otherwise."""
    import matplotlib
    from matplotlib.figure import Figure

    from backprop_lab import modes, rnn_experiments as R

    def texts(axes):
        found = []
        for ax in axes:
            found += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
            if ax.get_legend() is not None:
                found += [t.get_text() for t in ax.get_legend().get_texts()]
        return [t for t in found if t]

    def figures():
        rows = modes.measure_costs(ns=(1, 2), repeats=1)
        costs = Figure().subplots(1, 2)
        modes.plot_costs(rows, ax=costs)
        runs = {"RNN": R.TrainingRun("RNN", losses=[0.5, 0.4], grad_norms=[1.0, 2.0],
                                     diverged_at=1),
                "LSTM, clipped at 1": R.TrainingRun("LSTM, clipped at 1", losses=[0.3, 0.2],
                                                    grad_norms=[1.0, 1.0])}
        return (texts(costs) + texts(R.plot_clipping(steps=6).axes)
                + texts(R.plot_rnn_vs_lstm(steps=6).axes) + texts(R.plot_training(runs).axes))

    english = figures()
    for expected in ("forward mode", "passes for the whole gradient", "clipping caps the update's length",
                     "threshold 1", "the cell state carries the gradient back", "LSTM, clipped at 1",
                     "RNN: blew up at iteration 1", "always answer 1: 1/6", "k, steps back in time"):
        assert expected in english, expected
    with matplotlib.rc_context(), i18n.language("zh"):
        chinese = figures()
    code_and_math = r"\$[^$]*\$|LSTM|identity|tanh"      # mathtext, names from the code
    words = [text for text in chinese if re.search(r"[A-Za-z]{4,}", re.sub(code_and_math, "", text))
             and not any(ord(ch) in CJK for ch in text)]
    assert not words, words
    assert "前向模式" in chinese and "LSTM，梯度裁剪阈值 1" in chinese
    assert "RNN：在第 1 次迭代时发散" in chinese
    run = R.TrainingRun("RNN", losses=[0.5, 0.25])
    assert repr(run) == "TrainingRun('RNN': 2 iterations, final loss 0.3750)"
    with i18n.language("zh"):
        assert repr(run) == "TrainingRun('RNN': 2 次迭代，最终损失 0.3750)"


def test_printed_reports_of_the_lessons_speak_the_notebook_language():
    """What lessons print from the package: the gradient-check table (lessons 04, 06, 09, 11)
    and the forward/reverse-mode walk-through (lesson 10); the drill's level-5 labels."""
    from backprop_lab import gates, modes
    from backprop_lab.gradcheck import check_gate
    from backprop_lab.practice import GradientDrill

    report = check_gate(gates.MultiplyGate(), 3.0, -4.0)
    english = str(report).splitlines()
    assert english[0] == "gradient check: MultiplyGate (threshold 1e-07)"
    assert english[1] == "  input    max rel error  result"
    assert english[2].startswith("  input 0 ") and english[2].endswith("  pass")
    assert english[-1] == "  all passed"
    walk = modes.colah_example().describe().splitlines()
    assert walk[1] == "forward mode: 2 passes, one per input"
    assert walk[-1] == "  start ∂e/∂e = 1: ∂e/∂c = 2, ∂e/∂d = 3, ∂e/∂a = 2, ∂e/∂b = 5"
    with i18n.language("zh"):
        chinese = str(report).splitlines()
        walk = modes.colah_example().describe().splitlines()
        drill = GradientDrill(level=5, seed=1)
    assert chinese[0] == "梯度检查：MultiplyGate（阈值 1e-07）"
    assert chinese[1].split() == ["输入", "最大相对误差", "结果"]
    assert chinese[2].split()[:2] == ["输入", "0"] and chinese[2].endswith("通过")
    assert chinese[-1] == "  全部通过" and report.errors.keys() == {"input 0", "input 1"}
    assert walk[1] == "前向模式：2 遍，每个输入一遍"
    assert walk[-1] == "  从 ∂e/∂e = 1 开始：∂e/∂c = 2，∂e/∂d = 3，∂e/∂a = 2，∂e/∂b = 5"
    boxes = [row.box.placeholder for row in drill.rows.values()]
    assert boxes and set(boxes) == {"形状，例如 2x3"}
    assert "常数" in drill.values.value or "形状 (" in drill.values.value
