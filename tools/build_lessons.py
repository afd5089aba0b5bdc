#!/usr/bin/env python3
"""Build the lesson notebooks (lessons/NN_name.ipynb) from their plain-text sources.

Each lesson is written in ``tools/lesson_sources/NN_name.txt`` as a sequence of cells:
a line ``%% md`` starts a markdown cell and a line ``%% code`` starts a code cell; the
lines that follow, up to the next marker, are the cell's text (the ``%%`` format of
``tools/cell_sources.py``, shared with the problem sets).  Text sources keep diffs
readable and the notebooks reproducible: the notebooks are always written with empty
outputs and fixed metadata, so building twice gives identical files.

    python3 tools/build_lessons.py           write every notebook
    python3 tools/build_lessons.py --check   exit 1 if a notebook differs from its source

``tests/test_lessons.py`` runs the same check, so a source edited without rebuilding
(or a notebook edited by hand) fails the tests.

Simplified Chinese: a source whose cells carry translations (``%% md zh`` right after each
``%% md``, and ``%% code zh`` after a code cell whose comments or printed strings change; see
``tools/translations.py``) is also built into ``lessons/zh/`` with the same file name.  The
Chinese notebook starts its code with ``bl.set_language("zh")`` (a generated cell), so hints,
widgets and plots speak Chinese too.  The English notebooks do not change when translations
are added.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cell_sources  # noqa: E402  (tools/cell_sources.py: the %% format shared with the assignments)
import translations  # noqa: E402  (tools/translations.py: English and Chinese cells of one source)
from cell_sources import Kind  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "tools" / "lesson_sources"
LESSONS = ROOT / "lessons"
LESSON_DIRS = {"en": LESSONS, "zh": LESSONS / "zh"}

KINDS = (Kind("md", translatable=True), Kind("code", translatable=True))
# The first code cell of every Chinese lesson (generated: the sources hold no such cell).
LANGUAGE_CELL = {"zh": 'import backprop_lab as bl\nbl.set_language("zh")   # 本笔记本使用中文：提示、控件和图表都显示中文'}
METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def parse(text: str, where: str, language: str = "en") -> list[tuple[str, str]]:
    """Split a lesson source into ``[(kind, text), ...]`` (kind: 'markdown' or 'code'), the
    cells of ``language`` ("en", or "zh" for a translated source)."""
    cells = translations.select(cell_sources.parse(text, where, KINDS), language)
    return [("markdown" if cell.kind == "md" else "code", cell.body) for cell in cells]


def is_translated(source: Path, language: str = "zh") -> bool:
    """True if ``source`` holds a translation into ``language`` (then it has a notebook in it)."""
    return translations.is_translated(
        cell_sources.parse(source.read_text(encoding="utf-8"), str(source), KINDS), language)


def notebook_for(source: Path, language: str = "en") -> nbformat.NotebookNode:
    """The notebook (outputs empty) that ``source`` describes, in ``language``."""
    nb = nbformat.v4.new_notebook(metadata=dict(METADATA))
    prefix = source.stem[:2] if language == "en" else f"{source.stem[:2]}-{language}"
    cells = parse(source.read_text(encoding="utf-8"), str(source), language)
    for index, (kind, body) in enumerate(cells):
        cell_id = f"{prefix}-{index:03d}"
        if kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(body, id=cell_id))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(body, id=cell_id))
    if language in LANGUAGE_CELL:
        first_code = next((i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"),
                          len(nb.cells))
        nb.cells.insert(first_code, nbformat.v4.new_code_cell(LANGUAGE_CELL[language],
                                                              id=f"{prefix}-language"))
    nbformat.validate(nb)
    return nb


def sources() -> list[Path]:
    return sorted(SOURCES.glob("[0-9][0-9]_*.txt"))


def notebook_text(source: Path, language: str = "en") -> str:
    return nbformat.writes(notebook_for(source, language)) + "\n"


def target_for(source: Path, language: str = "en") -> Path:
    return LESSON_DIRS[language] / (source.stem + ".ipynb")


def builds() -> list[tuple[Path, str]]:
    """Every (source, language) pair that has a notebook: English for all, Chinese for the
    translated sources."""
    return [(source, language) for source in sources() for language in LESSON_DIRS
            if language == "en" or is_translated(source, language)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; fail if a notebook is missing or out of date")
    args = parser.parse_args(argv)
    stale = []
    wanted = builds()
    for source, language in wanted:
        target, text = target_for(source, language), notebook_text(source, language)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(str(target.relative_to(LESSONS)))
        else:
            target.parent.mkdir(exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    # a translated notebook whose source lost its translation (or was renamed) goes away
    expected = {target_for(source, language) for source, language in wanted}
    translated_dirs = [folder for language, folder in LESSON_DIRS.items() if language != "en"]
    for folder in translated_dirs:
        for orphan in sorted(set(folder.glob("*.ipynb")) - expected):
            if args.check:
                stale.append(f"{orphan.relative_to(LESSONS)} (no translated source)")
            else:
                orphan.unlink()
                print(f"removed {orphan.relative_to(ROOT)}")
    if stale:
        print("out of date (run python3 tools/build_lessons.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
