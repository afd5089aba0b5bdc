"""Grading a class: serial ``nbgrader autograde`` vs ``backprop-lab grade --jobs 1/2``.

    .venv/bin/python benchmarks/bench_grade.py              # 100 submissions of ps1_gates
    .venv/bin/python benchmarks/bench_grade.py -n 20        # a quicker look

One temporary course, N mixed submissions of problem set 1 (a fifth each: full solution,
untouched release, part 1 only, a kernel crash in part 3, an infinite loop in part 2),
graded from scratch (``--force``) four times, each in the same sandboxed pipeline:

    serial        nbgrader autograde                     (one notebook at a time)
    jobs 1        backprop-lab grade --jobs 1
    jobs 2        backprop-lab grade --jobs 2
    no sandbox    nbgrader autograde --SandboxedExecute.unsafe=True   (what the sandbox costs)

The class is graded in ``--rounds`` slices (students ``r00_*``, ``r01_*`` ...; default one per
20 submissions), every slice by all four in turn, each slice starting with the next one: the
load of a shared machine drifts by several points within minutes, and interleaving spreads
that drift over the four instead of handing it to whichever ran last.

Every run uses the same cell timeout (``--timeout``, 5 s: the loops wait for it).  The load
average is printed with each measurement: the machine is shared, and a busy one makes every
number worse -- run it again when ``uptime`` is low.  Goals (ratios in the same run):
serial / jobs 2 >= 1.7, and (serial - no sandbox) / N <= 0.5 s per notebook.
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
PS = "ps1_gates"
KINDS = ("full", "blank", "partial", "crash", "loop")


def command(course: Path, *args: str) -> float:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    started = time.perf_counter()
    done = subprocess.run([str(BIN / args[0]), *args[1:]], cwd=course, env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return seconds


def cells_by_id(nb) -> dict:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def make_course(folder: Path, n: int, rounds: int = 1) -> None:
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "assignments" / "nbgrader_config.py", folder)
    shutil.copytree(ROOT / "assignments" / "source" / PS, folder / "source" / PS)
    command(folder, "nbgrader", "generate_assignment", PS, "--force")
    name = f"{PS}.ipynb"
    source = nbformat.read(str(folder / "source" / PS / name), as_version=4)
    release = nbformat.read(str(folder / "release" / PS / name), as_version=4)
    parts = builder.PROBLEM_SETS[PS].parts
    partial = copy.deepcopy(release)
    for cid in parts[0].answer_ids:
        cells_by_id(partial)[cid].source = cells_by_id(source)[cid].source
    crash = copy.deepcopy(source)
    cells_by_id(crash)[parts[2].answer_ids[0]].source += "\nimport os\nos._exit(1)\n"
    loop = copy.deepcopy(source)
    cells_by_id(loop)[parts[1].answer_ids[0]].source = "while True:\n    pass\n"
    notebooks = {"full": source, "blank": release, "partial": partial, "crash": crash,
                 "loop": loop}
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        student = f"r{i * rounds // n:02d}_s{i:03d}_{kind}"
        target = folder / "submitted" / student / PS
        target.mkdir(parents=True)
        nbformat.write(notebooks[kind], target / name)
        (target / "timestamp.txt").write_text("2026-11-26 06:00:00.000000 UTC")


LOADS: list = []          # the 1-minute load average at the start and end of every measurement


def load() -> str:
    LOADS.append(os.getloadavg()[0])
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100, help="submissions (default 100)")
    parser.add_argument("--timeout", type=int, default=5, help="seconds per cell (default 5)")
    parser.add_argument("--rounds", type=int, default=0,
                        help="slices graded by every mode in turn (default: N / 20, at least 1)")
    args = parser.parse_args(argv)
    rounds = max(1, min(args.n, args.rounds or args.n // 20))
    runs = [("serial nbgrader autograde", ["nbgrader", "autograde", PS, "--force",
                                           f"--Execute.timeout={args.timeout}"]),
            ("backprop-lab grade --jobs 1", ["backprop-lab", "grade", PS, "--force", "--jobs", "1",
                                             "--timeout", str(args.timeout)]),
            ("backprop-lab grade --jobs 2", ["backprop-lab", "grade", PS, "--force", "--jobs", "2",
                                             "--timeout", str(args.timeout)]),
            ("serial, no sandbox (--unsafe)", ["nbgrader", "autograde", PS, "--force",
                                               f"--Execute.timeout={args.timeout}",
                                               "--SandboxedExecute.unsafe=True"])]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as scratch:
        course = Path(scratch) / "course"
        make_course(course, args.n, rounds)
        print(f"{args.n} submissions of {PS} ({', '.join(KINDS)}), cell timeout {args.timeout} s; "
              f"{os.cpu_count()} cores; {rounds} round(s), the modes in turn")
        times = {label: 0.0 for label, _ in runs}
        for round_ in range(rounds):
            for k in range(len(runs)):
                label, argv_run = runs[(round_ + k) % len(runs)]
                before = load()
                seconds = command(course, *argv_run, "--student", f"r{round_:02d}_*")
                times[label] += seconds
                print(f"round {round_ + 1}/{rounds}  {label:<32} {seconds:7.1f} s   "
                      f"[{before} -> {load()}]", flush=True)
        print()
        for label, _ in runs:
            print(f"{label:<32} {times[label]:8.1f} s  {times[label] / args.n:6.2f} s/notebook")
    serial = times[runs[0][0]]
    speedup1, speedup2 = serial / times[runs[1][0]], serial / times[runs[2][0]]
    cost = (serial - times[runs[3][0]]) / args.n
    print(f"\nserial / jobs 1 = {speedup1:.2f}x   serial / jobs 2 = {speedup2:.2f}x   (goal >= 1.7x)")
    print(f"sandbox cost = {cost:+.2f} s per notebook (serial sandboxed - serial unsafe; goal <= 0.5 s)")
    print(f"1-minute load average during the measurements: {min(LOADS):.1f}-{max(LOADS):.1f} "
          f"on {os.cpu_count()} cores (the machine must be quiet for these ratios to mean much); "
          f"whole benchmark {(time.perf_counter() - started) / 60:.0f} min")
    met = speedup2 >= 1.7 and cost <= 0.5
    print("goals met" if met else "GOALS NOT MET")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
