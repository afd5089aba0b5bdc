"""How long does the lesson suite take?

Runs ``tests/test_lessons.py`` the way the test command does (pytest-xdist, ``--workers``
processes, default 2) and prints, per lesson, the seconds its test took — one fresh kernel
that runs the lesson top to bottom and then carries out its automatable "Try this" prompts —
and in total: the wall time of the run and the CPU seconds it used (this process's children:
pytest, its workers and every kernel).  CPU seconds do not grow when other programs share the
machine; wall time does.

    .venv/bin/python benchmarks/bench_lessons.py [--workers 2] [--goal 180]

The goal (``--goal`` seconds of wall time, 3 minutes by default) is printed as met or not;
the exit status is 0 when the tests passed and the goal was met, 1 otherwise.
"""
import argparse
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers (default 2)")
    parser.add_argument("--goal", type=float, default=180.0, help="wall-time goal in seconds")
    args = parser.parse_args()

    command = [sys.executable, "-m", "pytest", str(ROOT / "tests" / "test_lessons.py"), "-q",
               "-n", str(args.workers), "--durations=0", "-p", "no:cacheprovider"]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime

    per_lesson = re.findall(r"^([\d.]+)s call .*test_lesson_runs_clean_then_try_this_prompts_work"
                            r"\[(\d\d_\w+)\]", result.stdout, re.M)
    print(f"lesson tests with {args.workers} workers (load average {load:.1f} at the start)")
    for seconds, lesson in sorted(per_lesson, key=lambda row: row[1]):
        print(f"  {lesson:<40} {float(seconds):6.1f} s")
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "(no output)"
    print(f"pytest: {summary}")
    print(f"total: {wall:.0f} s wall, {cpu:.0f} s CPU (pytest, workers and kernels)")
    met = result.returncode == 0 and wall < args.goal
    print(f"goal: under {args.goal:.0f} s wall -> {'goal met' if met else 'GOAL NOT MET'}")
    if result.returncode != 0:
        print(result.stdout[-3000:], file=sys.stderr)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
