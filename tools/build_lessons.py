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
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cell_sources  # noqa: E402  (tools/cell_sources.py: the %% format shared with the assignments)
from cell_sources import Kind  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "tools" / "lesson_sources"
LESSONS = ROOT / "lessons"

KINDS = (Kind("md"), Kind("code"))
METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def parse(text: str, where: str) -> list[tuple[str, str]]:
    """Split a lesson source into ``[(kind, text), ...]`` (kind: 'markdown' or 'code')."""
    return [("markdown" if cell.kind == "md" else "code", cell.body)
            for cell in cell_sources.parse(text, where, KINDS)]


def notebook_for(source: Path) -> nbformat.NotebookNode:
    """The notebook (outputs empty) that ``source`` describes."""
    nb = nbformat.v4.new_notebook(metadata=dict(METADATA))
    for index, (kind, body) in enumerate(parse(source.read_text(encoding="utf-8"), str(source))):
        cell_id = f"{source.stem[:2]}-{index:03d}"
        if kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(body, id=cell_id))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(body, id=cell_id))
    nbformat.validate(nb)
    return nb


def sources() -> list[Path]:
    return sorted(SOURCES.glob("[0-9][0-9]_*.txt"))


def notebook_text(source: Path) -> str:
    return nbformat.writes(notebook_for(source)) + "\n"


def target_for(source: Path) -> Path:
    return LESSONS / (source.stem + ".ipynb")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; fail if a notebook is missing or out of date")
    args = parser.parse_args(argv)
    stale = []
    for source in sources():
        target, text = target_for(source), notebook_text(source)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(target.name)
        else:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    if stale:
        print("out of date (run python3 tools/build_lessons.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
