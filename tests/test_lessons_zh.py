"""The Chinese lessons (lessons/zh/): built from the same sources as the English ones, every
markdown block translated, the same code as the English notebook (only comments and strings
differ), the same structure (goals, 动手试试, 小结, 练一练), and each one runs top to bottom in a
fresh kernel exactly like the English lessons (tests/test_lessons.py): no error, nothing on
stderr, no warning (a Chinese plot label without its font would warn "Glyph ... missing"), and
its automatable "Try this" prompts carried out.  README.zh-CN.md: the two set-up commands, the
Chinese course map, the Binder badge."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from test_lessons import (LESSONS, PICTURE_MIMES, WIDGET_MIME, _code, _markdown, _section,
                          build_lessons, self_check, lesson_kernel, replay_try_this)

ROOT = Path(__file__).resolve().parent.parent
ZH_DIR = ROOT / "lessons" / "zh"
ZH_LESSONS = sorted(ZH_DIR.glob("*.ipynb"))
TRANSLATED = [source for source in build_lessons.sources() if build_lessons.is_translated(source)]
BINDER = "https://mybinder.org/v2/gh/backprop-lab/backprop_lab/HEAD?urlpath=lab/tree/"
CJK = re.compile(r"[\u4e00-\u9fff]")
HEADINGS = ["动手试试", "小结", "练一练"]        # "Try this", "Recap", "Practise it" (the glossary's)


def _ids(paths):
    return [p.stem for p in paths]


def _english(path: Path):
    return nbformat.read(ROOT / "lessons" / path.name, as_version=4)


def _own_cells(nb, kind):
    """The cells of ``kind`` that come from the source (not the generated set_language cell)."""
    return [cell for cell in nb.cells if cell.cell_type == kind and not cell.id.endswith("-language")]


# ------------------------------------------------------------------ built from the sources
def test_a_chinese_notebook_exists_exactly_for_each_translated_source_and_is_up_to_date():
    assert [p.stem for p in ZH_LESSONS] == [s.stem for s in TRANSLATED]
    for source in TRANSLATED:
        built = build_lessons.notebook_text(source, "zh")
        committed = build_lessons.target_for(source, "zh").read_text(encoding="utf-8")
        assert committed == built, f"{source.name}: run python3 tools/build_lessons.py"


@pytest.mark.parametrize("path", ZH_LESSONS, ids=_ids(ZH_LESSONS))
def test_same_code_as_the_english_lesson_and_every_block_translated(path):
    nb, english = nbformat.read(path, as_version=4), _english(path)
    first = nb.cells[[c.cell_type for c in nb.cells].index("code")]
    assert first.source.startswith('import backprop_lab as bl\nbl.set_language("zh")')
    code, english_code = _own_cells(nb, "code"), _own_cells(english, "code")
    assert len(code) == len(english_code)
    for zh_cell, en_cell in zip(code, english_code):
        assert build_lessons.translations.same_code(en_cell.source, zh_cell.source), zh_cell.source
    markdown, english_markdown = _own_cells(nb, "markdown"), _own_cells(english, "markdown")
    assert len(markdown) == len(english_markdown)
    for zh_cell, en_cell in zip(markdown, english_markdown):
        assert CJK.search(zh_cell.source) or not re.search(r"[A-Za-z]{4}", en_cell.source), (
            f"{path.name}: a markdown block is not in Chinese: {zh_cell.source[:80]!r}")


@pytest.mark.parametrize("path", ZH_LESSONS, ids=_ids(ZH_LESSONS))
def test_same_structure_goals_try_this_recap_practise(path):
    nb, english = nbformat.read(path, as_version=4), _english(path)
    assert nb.cells[0].source.startswith(f"# 第 {path.name[:2]} 课 — ")
    assert re.search(r"\*\*[^*\n]*目标", nb.cells[0].source), "the first cell states the goals (**目标。**)"
    text = _markdown(nb)
    assert re.findall(r"^## (.+)$", text, re.M)[-3:] == HEADINGS
    prompts = re.findall(r"^(\d+)\. ", _section(text, "动手试试"), re.M)
    english_prompts = re.findall(r"^(\d+)\. ", _section(_markdown(english), "Try this"), re.M)
    assert prompts == english_prompts, "the Chinese lesson numbers its prompts like the English one"
    named = set(re.findall(r"`(ps\d_[a-z_]+)`", _section(text, "练一练")))
    english_named = set(re.findall(r"`(ps\d_[a-z_]+)`", _section(_markdown(english), "Practise it")))
    # the Chinese lesson sends its students to the Chinese releases of the same parts
    assert named == {f"{ps}_zh" for ps in english_named}, named
    for target in re.findall(r"\]\(([^)#\s]+)\)", text):
        if not target.startswith(("http://", "https://")):
            assert (path.parent / target).exists(), f"{path.name} links to a missing {target}"


def test_translations_leave_the_english_notebook_unchanged(tmp_path):
    plain = re.sub(r"^%% (md|code) zh\n.*?(?=^%% |\Z)", "", SAMPLE, flags=re.S | re.M)
    assert "zh" not in plain and "%% code" in plain
    with_zh, without_zh = tmp_path / "00_a.txt", tmp_path / "00_b.txt"
    with_zh.write_text(SAMPLE, encoding="utf-8")
    without_zh.write_text(plain, encoding="utf-8")
    assert build_lessons.notebook_text(with_zh) == build_lessons.notebook_text(without_zh)
    assert build_lessons.is_translated(with_zh) and not build_lessons.is_translated(without_zh)


@pytest.mark.parametrize("text, error", [
    ("%% md zh\n中文", "must follow the English '%% md'"),
    ("%% md\na\n%% code zh\nx = 1", "must follow the English '%% code'"),
    ("%% md\na\n%% md zh\n甲\n%% md zh\n乙", "a second '%% md zh'"),
    ("%% md\na\n%% md zh\n甲\n%% md\nb\n%% code\nx = 1", "x.txt:5: this '%% md' cell has no '%% md zh'"),
    ("%% code\nx = 1  # one\n%% code zh\nx = 2  # 二", "not the same code"),
    ("%% md fr\na", "optionally a language"),
])
def test_builder_rejects_broken_translations_naming_the_line(text, error):
    with pytest.raises(ValueError, match=re.escape(error)):
        build_lessons.parse(text, "x.txt", "zh")


def test_code_may_differ_only_in_comments_and_string_literals():
    same = build_lessons.translations.same_code
    assert same('print("gradient:", g)  # upstream', "print('梯度：', g)\n# 上游\n")
    assert same('print(f"{x:.2f} and {y}")', 'print(f"{x:.2f} 与 {y}")')
    assert same("%timeit f(1)\nx = 1", "%timeit f(1)\nx = 1  # 一")
    assert not same("x = 1", "x = 2")
    assert not same('print("a", g)', 'print("a", g, h)')
    assert not same("%timeit f(1)", "%timeit f(2)")
    assert build_lessons.parse("%% md\na\n%% md zh\n甲\n%% code\nx = 1", "x.txt", "zh") == [
        ("markdown", "甲"), ("code", "x = 1")]


# ------------------------------------------------------------------ running them
def run_lesson(path: Path, monkeypatch) -> list:
    """Run a Chinese lesson like tests/test_lessons.py runs an English one; returns the outputs."""
    with lesson_kernel(path, monkeypatch) as (nb, client):
        outputs = [output for cell in nb.cells for output in cell.get("outputs", [])]
        if "bl.practice.ask" in _code(nb) or "bl.practice.choose" in _code(nb):
            # the Chinese questions answered like the English ones (wrong, right, Show answer)
            report = self_check(client, nb)
            assert report["questions"] >= 2 and report["problems"] == [], (path.name, report)
        replay_try_this(client, nb, path, "动手试试")
    return outputs


def _shown_text(outputs) -> str:
    parts = []
    for output in outputs:
        parts.append(output.get("text", ""))
        for mime, data in output.get("data", {}).items():
            if mime.startswith("text/"):
                parts.append(data if isinstance(data, str) else "".join(data))
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("path", ZH_LESSONS, ids=_ids(ZH_LESSONS))
def test_chinese_lesson_runs_clean_then_try_this_prompts_work(path, monkeypatch):
    outputs = run_lesson(path, monkeypatch)
    mimes = [mime for output in outputs for mime in output.get("data", {})]
    assert any(m in PICTURE_MIMES for m in mimes), f"{path.name} shows no picture or widget"
    if "widgets" in _code(nbformat.read(path, as_version=4)):
        assert WIDGET_MIME in mimes


SAMPLE = '''%% md
# Lesson 00 — Sample
%% md zh
# 第 00 课 — 示例
%% code
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(3, 2))
ax.set_title("upstream gradient")          # the plot's title
print("language:", bl.get_language())
%% code zh
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(3, 2))
ax.set_title("上游梯度")                    # 图的标题
print("语言：", bl.get_language())
'''


@pytest.mark.slow
def test_the_harness_runs_a_translated_lesson_in_chinese(tmp_path, monkeypatch):
    """The builder and the runner together, on a small translated source: the Chinese notebook
    sets its language, prints Chinese and draws a Chinese title without a glyph warning."""
    source = tmp_path / "00_sample.txt"
    source.write_text(SAMPLE, encoding="utf-8")
    english = nbformat.reads(build_lessons.notebook_text(source), as_version=4)
    assert "上游" not in _code(english) and "set_language" not in _code(english)
    notebook = tmp_path / "zh" / "00_sample.ipynb"
    notebook.parent.mkdir()
    notebook.write_text(build_lessons.notebook_text(source, "zh"), encoding="utf-8")
    shown = _shown_text(run_lesson(notebook, monkeypatch))
    assert "语言： zh" in shown


# ------------------------------------------------------------------ README.zh-CN.md
README = ROOT / "README.zh-CN.md"


def test_readme_zh_has_exactly_the_two_setup_commands():
    section = README.read_text(encoding="utf-8").split("## 安装", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^python3 course\.py \w+", section, re.M) == [
        "python3 course.py lab", "python3 course.py test"]


def test_readme_zh_course_map_lists_every_lesson_in_chinese_where_translated():
    """Each row links the Chinese notebook, or (not translated yet) the English one marked （英文）."""
    text = README.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d\d) \| \[([^\]]+)\]\((lessons/[^)]+)\)(（英文）)? ?\|", text, re.M)
    assert [row[0] for row in rows] == [p.name[:2] for p in LESSONS]
    for (number, title, link, english_mark), lesson in zip(rows, LESSONS):
        assert CJK.search(title), title
        translated = (ZH_DIR / lesson.name).exists()
        assert link == (f"lessons/zh/{lesson.name}" if translated else f"lessons/{lesson.name}")
        assert bool(english_mark) == (not translated), f"row {number}: （英文） mark"
        assert (ROOT / link).exists()


def test_readme_zh_badge_opens_the_chinese_welcome_lesson_and_links_resolve():
    text = README.read_text(encoding="utf-8")
    badge = re.search(r"\]\((https://mybinder\.org/v2/gh/[^)]*)\)", text).group(1)
    welcome = "lessons/zh/00_welcome.ipynb" if (ZH_DIR / "00_welcome.ipynb").exists() else "lessons/00_welcome.ipynb"
    assert badge == BINDER + welcome
    local = [t for t in re.findall(r"\]\(([^)#?\s]+)\)", text) if not t.startswith(("http://", "https://"))]
    assert "docs/glossary.zh-CN.md" in local and "README.md" in local
    assert not [t for t in local if not (ROOT / t).exists()]
    assert "README.zh-CN.md" in (ROOT / "README.md").read_text(encoding="utf-8")
