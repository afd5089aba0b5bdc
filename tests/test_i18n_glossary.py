"""The glossary (docs/glossary.zh-CN.md) is the one list of Chinese terms, and every Chinese text
in the repository uses its terms: a variant it rules out ("不用") anywhere — a lesson, a lesson
source, the message catalog, README.zh-CN.md, a problem set — is reported with file and line."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import cell_sources  # noqa: E402  (the %% format: which language codes a header may end with)

GLOSSARY = ROOT / "docs" / "glossary.zh-CN.md"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Folders that hold no text of ours (or only test data: tests may spell a variant on purpose).
SKIP_DIRS = {".git", ".venv", "tests", "node_modules", "__pycache__", "test-artifacts",
             "backprop_lab.egg-info", ".pytest_cache", ".hypothesis"}
TEXT_SUFFIXES = {".py", ".txt", ".md", ".ipynb", ".json", ".toml", ".cfg", ".yaml", ".yml", ".sh", ""}
# The terms issue 16 names: the glossary must settle each of them.
REQUIRED = ("反向传播", "前向传播", "计算图", "梯度", "上游梯度", "局部梯度", "门", "加法门", "乘法门",
            "取最大值门", "链式法则", "节点", "数值梯度", "前向模式", "反向模式")


def _table_text() -> str:
    return GLOSSARY.read_text(encoding="utf-8").split("\n## ", 1)[0]


def quotations() -> list[str]:
    """Phrases quoted verbatim from a tutorial: allowed as they are (section "Quotations")."""
    section = GLOSSARY.read_text(encoding="utf-8").split("## 引文 · Quotations", 1)[1]
    return [line[2:].split(" (", 1)[0].strip() for line in section.splitlines() if line.startswith("- ")]


def glossary() -> list[dict]:
    """The rows of the glossary table: English, Chinese term, variants not to use, note."""
    rows = []
    for line in _table_text().splitlines():
        if not line.startswith("| ") or line.startswith("| English") or set(line) <= set("|- "):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == 4, f"glossary row with {len(cells)} columns: {line}"
        english, chinese, avoid, note = cells
        rows.append({"english": english, "chinese": chinese, "note": note,
                     "avoid": [v.strip() for v in avoid.split("、") if v.strip()]})
    return rows


def variants() -> dict:
    """{variant: the glossary term to use instead}."""
    return {variant: row["chinese"] for row in glossary() for variant in row["avoid"]}


def chinese_files() -> list[Path]:
    """Every text file of the repository with Chinese in it (but the glossary and tests/)."""
    files = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            if path.suffix not in TEXT_SUFFIXES or path == GLOSSARY or path.stat().st_size > 5_000_000:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            if CJK.search(text):
                files.append(path)
    return files


def misuses(text: str, where: str) -> list[str]:
    found = []
    table, quoted = variants(), quotations()
    for number, line in enumerate(text.splitlines(), start=1):
        for phrase in quoted:
            line = line.replace(phrase, "")
        for variant, term in table.items():
            if variant in line:
                found.append(f"{where}:{number}: {variant!r} — the glossary term is {term!r}")
    return found


# ------------------------------------------------------------------ the glossary itself
def test_glossary_settles_the_issue_terms_once_each():
    rows = glossary()
    assert len(rows) >= 60
    english = [row["english"] for row in rows]
    assert len(english) == len(set(english)), "an English term listed twice"
    terms = {row["chinese"] for row in rows}
    for term in REQUIRED:
        assert term in terms, f"the glossary has no row for {term}"


def test_every_row_is_complete_and_no_term_contains_a_ruled_out_variant():
    table = variants()
    for row in glossary():
        assert row["english"] and row["chinese"] and row["note"], row
        for variant, term in table.items():
            assert variant not in row["chinese"], (
                f"the term {row['chinese']!r} contains {variant!r}, which the row of {term!r} rules out")
        assert not set(row["avoid"]) & {row["chinese"]}


def test_the_notes_credit_tutorials_by_title_never_by_file_number():
    text = GLOSSARY.read_text(encoding="utf-8")
    assert not re.search(r"seed\s*00\d|\b00\d_", text, re.I)
    for title in ("反向传播算法", "反向传播-图解", "是的，你应该听安德烈·卡帕西的，并且理解反向传播",
                  "理解反向传播计算梯度", "神经网络与深度学习小结 (二)"):
        assert title in text


# ------------------------------------------------------------------ every Chinese text follows it
def test_the_check_finds_a_variant():
    """The scan below can fail: a sentence with ruled-out words is reported, line by line."""
    assert "正向传播求梯度法" in quotations()
    found = misuses("第一行没问题：反向传播，原文的正向传播求梯度法。\n这里写了后向传播和本地梯度。", "example.md")
    assert found == ["example.md:2: '后向传播' — the glossary term is '反向传播'",
                     "example.md:2: '本地梯度' — the glossary term is '局部梯度'"]


def test_every_chinese_text_in_the_repository_uses_the_glossary_terms():
    files = chinese_files()
    assert any(path.parent.name == "i18n" for path in files), "the message catalog was not scanned"
    problems = []
    for path in files:
        problems += misuses(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", ["README.zh-CN.md", "backprop_lab/i18n/zh.py"])
def test_the_chinese_documents_are_scanned(name):
    assert ROOT / name in chinese_files()


# ------------------------------------------------------------------ each translated block, term by term
# English terms whose glossary translation a translated block must contain whenever its English
# block names the term (the core vocabulary of the course: a block that says "chain rule" in
# English says 链式法则 in Chinese, never a paraphrase).  The Chinese comes from the glossary.
PAIRED = ("backpropagation", "chain rule", "computational graph", "upstream gradient",
          "local gradient", "numerical gradient", "forward mode", "reverse mode", "gradient",
          "gate", "node", "topological order", "learning rate")
SOURCE_DIRS = (ROOT / "tools" / "lesson_sources", ROOT / "assignments" / "problem_sets")
CODE_KINDS = ("code", "setup", "answer", "demo")   # code cells of the lessons and problem sets


def translated_pairs(text: str, where: str) -> list[tuple[int, str, str]]:
    """``(line, English, Chinese)`` for every translated prose cell of a ``%%`` source (its
    header ends with a language code) and the English cell right before it.  Code cells are
    left out: their names (``gate``, ``node`` ...) are Python, not prose.  Lesson and
    problem-set sources share the format (tools/cell_sources.py)."""
    cells = []                                   # [kind, language, line, body lines]
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("%%"):
            words = line[2:].split() or [""]
            translated = len(words) > 1 and words[-1] in cell_sources.TRANSLATIONS
            cells.append([words[0], words[-1] if translated else "en", number, []])
        elif cells:
            cells[-1][3].append(line)
    pairs, english = [], None
    for kind, language, number, body in cells:
        if language == "en":
            english = "\n".join(body)
        elif english is not None and kind not in CODE_KINDS:
            pairs.append((number, english, "\n".join(body)))
    return pairs


def term_gaps(english: str, chinese: str, where: str) -> list[str]:
    terms = {row["english"]: row["chinese"] for row in glossary()}
    english = re.sub(r"\[[^\]]*\]\([^)]*\)", "", english)     # linked titles stay in English
    gaps = []
    for term in PAIRED:
        stem = "backprop" if term == "backpropagation" else term
        if re.search(rf"\b{re.escape(stem)}", english, re.I) and terms[term] not in chinese:
            gaps.append(f"{where}: the English says {term!r}, the translation lacks {terms[term]!r}")
    return gaps


def test_paired_terms_are_rows_of_the_glossary():
    english = {row["english"] for row in glossary()}
    assert set(PAIRED) <= english, set(PAIRED) - english


def test_the_pair_check_finds_a_paraphrase():
    text = ("%% md\nThe chain rule multiplies the upstream gradient.\n%% md zh\n"
            "链式法则把上游的梯度相乘。\n%% code\nx = gate(1)\n%% code zh\nx = gate(1)  # 一\n")
    pairs = translated_pairs(text, "x.txt")
    assert [line for line, _, _ in pairs] == [3]
    assert term_gaps(pairs[0][1], pairs[0][2], "x.txt:3") == [
        "x.txt:3: the English says 'upstream gradient', the translation lacks '上游梯度'"]


def test_every_translated_block_uses_the_glossary_term_where_its_english_does():
    problems = []
    for folder in SOURCE_DIRS:
        for source in sorted(folder.glob("*.txt")):
            text = source.read_text(encoding="utf-8")
            for line, english, chinese in translated_pairs(text, source.name):
                problems += term_gaps(english, chinese, f"{source.relative_to(ROOT)}:{line}")
    assert not problems, "\n".join(problems)
