"""How long does the lesson suite take?

Runs ``tests/test_lessons.py`` (English, ``lessons/``) and ``tests/test_lessons_zh.py``
(Simplified Chinese, ``lessons/zh/``) in one pytest run, the way the test command does
(pytest-xdist, ``--workers`` processes, default 2), and prints, per lesson and language, the
seconds its test took — one fresh kernel that runs the lesson top to bottom and then carries
out its checked questions and automatable "Try this" prompts — and in total: the wall time of
the run and the CPU seconds it used (this process's children: pytest, its workers and every
kernel).  CPU seconds do not grow when other programs share the machine; wall time does.

    .venv/bin/python benchmarks/bench_lessons.py [--language both|en|zh] [--workers 2] [--goal S]

The goal (``--goal`` seconds of wall time; by default 3 minutes for one language, 5 minutes
for both) is printed as met or not; the exit status is 0 when the tests passed and the goal
was met, 1 otherwise.
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
    parser.add_argument("--language", choices=("both", "en", "zh"), default="both",
                        help="which lesson suite(s) to run (default both)")
    parser.add_argument("--goal", type=float, default=None,
                        help="wall-time goal in seconds (default 180, or 300 for both)")
    args = parser.parse_args()
    if args.goal is None:
        args.goal = 300.0 if args.language == "both" else 180.0
    files = {"en": ["test_lessons.py"], "zh": ["test_lessons_zh.py"],
             "both": ["test_lessons.py", "test_lessons_zh.py"]}[args.language]

    command = [sys.executable, "-m", "pytest", *(str(ROOT / "tests" / f) for f in files), "-q",
               "-n", str(args.workers), "--durations=0", "-p", "no:cacheprovider"]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime

    per_lesson = re.findall(r"^([\d.]+)s call .*test_(lesson|chinese_lesson)_runs_clean_then_try_this"
                            r"_prompts_work\[(\d\d_\w+)\]", result.stdout, re.M)
    print(f"lesson tests ({args.language}) with {args.workers} workers "
          f"(load average {load:.1f} at the start)")
    totals = {}
    for seconds, kind, lesson in sorted(per_lesson, key=lambda row: (row[2], row[1])):
        language = "zh" if kind == "chinese_lesson" else "en"
        totals[language] = totals.get(language, 0.0) + float(seconds)
        print(f"  {lesson:<40} {language}  {float(seconds):6.1f} s")
    for language, seconds in sorted(totals.items()):
        print(f"sum of the {language} lessons' test times: {seconds:.0f} s")
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
