"""How long nbgrader takes to autograde our problem sets, per notebook.

    .venv/bin/python benchmarks/bench_autograde.py                 # every problem set, 30 submissions each
    .venv/bin/python benchmarks/bench_autograde.py ps1_gates -n 10

For each problem set: a temporary copy of the course, N students (a third submit the full
solution, a third the untouched release, a third one part solved), ONE
``nbgrader autograde`` run, wall time / N.  The peer, measured in the same run: the same
number of submissions of a one-cell assignment (``x = 1`` plus a trivial graded test), i.e.
what nbgrader itself costs per notebook (kernel start, database, files).  The ratio shows
what our notebooks and hidden checks add on top.
"""
from __future__ import annotations

import argparse
import copy
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "assignments"))
import build_assignments as builder  # noqa: E402

BIN = Path(sys.executable).parent


def nbgrader_cli(course: Path, *args: str) -> None:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"nbgrader {' '.join(args)} failed:\n{done.stderr[-3000:]}")


def baseline_source() -> nbformat.NotebookNode:
    """A minimal nbgrader assignment: one answer cell, one graded test cell."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                           "display_name": "Python 3"}})
    meta = {"schema_version": 3, "task": False}
    nb.cells = [
        nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", metadata={
            "nbgrader": {**meta, "grade": False, "solution": True, "locked": False,
                         "grade_id": "answer"}}),
        nbformat.v4.new_code_cell("assert x == 1", metadata={
            "nbgrader": {**meta, "grade": True, "solution": False, "locked": True,
                         "grade_id": "test", "points": 1}}),
    ]
    for cell in nb.cells:
        cell.id = cell.metadata["nbgrader"]["grade_id"]
    return nb


def grade_batch(workdir: Path, name: str, source_nb, n: int) -> float:
    """Seconds per notebook for one autograde run over n submissions."""
    course = workdir / name
    (course / "source" / name).mkdir(parents=True)
    shutil.copy(ROOT / "assignments" / "nbgrader_config.py", course)
    nbformat.write(source_nb, course / "source" / name / f"{name}.ipynb")
    students = [f"s{k:02d}" for k in range(n)]
    (course / "students.csv").write_text("id\n" + "\n".join(students) + "\n")
    nbgrader_cli(course, "db", "student", "import", "students.csv")
    nbgrader_cli(course, "generate_assignment", name, "--force")
    release_nb = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
    solved = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source_nb.cells}
    first_answer = next(c.metadata["nbgrader"]["grade_id"] for c in source_nb.cells
                        if c.metadata["nbgrader"]["solution"])
    for k, student in enumerate(students):
        if k % 3 == 0:
            nb = source_nb
        else:
            nb = copy.deepcopy(release_nb)
            if k % 3 == 2:                       # one part solved
                for cell in nb.cells:
                    if cell.metadata["nbgrader"]["grade_id"] == first_answer:
                        cell.source = solved[first_answer]
        folder = course / "submitted" / student / name
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{name}.ipynb")
    start = time.perf_counter()
    nbgrader_cli(course, "autograde", name, "--force")
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("problem_sets", nargs="*", default=list(builder.PROBLEM_SETS))
    parser.add_argument("-n", type=int, default=30, help="submissions per batch")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base = grade_batch(work, "baseline", baseline_source(), args.n)
        print(f"peer: one-cell assignment       {base:6.2f} s per notebook ({args.n} notebooks)")
        for name in args.problem_sets:
            ps = builder.PROBLEM_SETS[name]
            ours = grade_batch(work, name, builder.notebook(ps), args.n)
            print(f"{name:<32}{ours:6.2f} s per notebook ({args.n} notebooks)  "
                  f"ratio to peer {ours / base:4.2f}")


if __name__ == "__main__":
    main()
