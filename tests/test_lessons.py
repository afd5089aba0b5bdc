"""The lessons: numbered, built from their sources, committed without outputs, listed in the
README, and each one runs top to bottom in a fresh kernel in under 60 s with no error and
nothing written to stderr (where Python's warnings go), its widgets constructed.
"""
from __future__ import annotations

import importlib.util
import re
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSON_DIR = ROOT / "lessons"
LESSONS = sorted(LESSON_DIR.glob("*.ipynb"))
EXPECTED_NUMBERS = [f"{n:02d}" for n in range(12)]
TIME_LIMIT = 60.0
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
PICTURE_MIMES = ("image/png", "image/svg+xml", WIDGET_MIME)

_spec = importlib.util.spec_from_file_location("build_lessons", ROOT / "tools" / "build_lessons.py")
build_lessons = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_lessons)


def _ids(paths):
    return [p.stem for p in paths]


def _code(nb) -> str:
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")


def _markdown(nb) -> str:
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


# ------------------------------------------------------------------ files and sources
def test_lessons_are_numbered_00_to_11():
    names = [p.name for p in LESSONS]
    assert [name[:2] for name in names] == EXPECTED_NUMBERS, names
    for name in names:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", name), name


def test_every_lesson_has_a_source_and_is_up_to_date():
    sources = build_lessons.sources()
    assert [s.stem for s in sources] == [p.stem for p in LESSONS]
    for source in sources:
        built = build_lessons.notebook_text(source)
        committed = build_lessons.target_for(source).read_text(encoding="utf-8")
        assert committed == built, (f"{source.name} and its notebook differ: run "
                                    f"python3 tools/build_lessons.py")


def test_builder_rejects_malformed_sources(tmp_path):
    with pytest.raises(ValueError, match="before the first cell marker"):
        build_lessons.parse("text\n%% md\n# title", "x.txt")
    with pytest.raises(ValueError, match="unknown cell marker"):
        build_lessons.parse("%% markdown\n# title", "x.txt")
    with pytest.raises(ValueError, match="empty code cell"):
        build_lessons.parse("%% md\n# title\n%% code\n\n", "x.txt")
    assert build_lessons.parse("%% md\n# t\n%% code\nx = 1\n", "x.txt") == [
        ("markdown", "# t"), ("code", "x = 1")]


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_committed_without_outputs(path):
    """nbstripout-style: no outputs, no execution counts, no saved widget state."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a code cell has outputs"
            assert cell.execution_count is None, f"{path.name}: a code cell has a count"
        assert "attachments" not in cell or not cell.attachments
    assert "widgets" not in nb.metadata, f"{path.name}: saved widget state in metadata"
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_lesson_has_goals_try_this_and_recap(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith(f"# Lesson {path.name[:2]} — ")
    assert "**Goals" in first.source
    text = _markdown(nb)
    assert "## Try this" in text and "## Recap" in text
    assert "backprop_lab" in _code(nb)


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_lesson_downloads_nothing(path):
    code = _code(build_lessons.notebook_for(
        ROOT / "tools" / "lesson_sources" / (path.stem + ".txt")))
    for forbidden in ("urllib", "requests", "urlopen", "http://", "https://", "wget", "curl",
                      "pip install", "fetch_openml", "load_dataset", "download"):
        assert forbidden not in code, f"{path.name} mentions {forbidden!r} in code"


def test_readme_lesson_index_matches_the_files():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = re.findall(r"\]\((lessons/\d\d_[a-z0-9_]+\.ipynb)\)", readme)
    assert linked == [f"lessons/{p.name}" for p in LESSONS]


def test_welcome_lesson_links_every_lesson():
    nb = nbformat.read(LESSON_DIR / "00_welcome.ipynb", as_version=4)
    linked = re.findall(r"\]\((\d\d_[a-z0-9_]+\.ipynb)\)", _markdown(nb))
    assert linked == [p.name for p in LESSONS[1:]]


# ------------------------------------------------------------------ running them
def _execute(path: Path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="python3", timeout=TIME_LIMIT, allow_errors=False,
                            resources={"metadata": {"path": str(LESSON_DIR)}})
    start = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - start


def _problems(nb) -> list[str]:
    problems = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            kind = output.output_type
            if kind == "error":
                problems.append(f"cell {index}: {output.ename}: {output.evalue}")
            elif kind == "stream" and output.name == "stderr":
                problems.append(f"cell {index} wrote to stderr: {output.text[:300]!r}")
            elif kind == "stream" and re.search(r"\w+Warning\b", output.text):
                problems.append(f"cell {index} printed a warning: {output.text[:300]!r}")
    return problems


def _mimes(nb) -> list[str]:
    return [mime for cell in nb.cells for output in cell.get("outputs", [])
            for mime in output.get("data", {})]


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_lesson_runs_clean_and_fast(path):
    nb, seconds = _execute(path)
    assert not _problems(nb), _problems(nb)
    assert seconds < TIME_LIMIT, f"{path.name} took {seconds:.1f} s"
    mimes = _mimes(nb)
    assert any(m in PICTURE_MIMES for m in mimes), f"{path.name} shows no picture or widget"
    uses_widgets = "widgets" in _code(nb)
    if uses_widgets:
        # every displayed widget comes out as a widget view: the constructors all ran
        displayed = sum(1 for cell in nb.cells if cell.cell_type == "code"
                        for output in cell.outputs if WIDGET_MIME in output.get("data", {}))
        assert displayed >= 1, f"{path.name} imports widgets but displays none"


def test_readme_links_and_pictures_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#?\s]+)\)", readme)
    local = [t for t in targets if not t.startswith(("http://", "https://"))]
    assert "docs/images/graph_explorer.png" in local and "assignments/README.md" in local
    missing = [t for t in local if not (ROOT / t).exists()]
    assert not missing, f"README links to missing files: {missing}"


def test_readme_has_exactly_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^python3 course\.py \w+", section, re.M)
    assert commands == ["python3 course.py lab", "python3 course.py test"]
