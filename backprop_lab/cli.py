"""The ``backprop-lab`` command (a console entry point of the package).

    backprop-lab grade ASSIGNMENT [--jobs N] [--student ID] [--force] [--unsafe]

run in an nbgrader course folder: grades every submitted student in sandboxes, N at a
time (see :mod:`backprop_lab.sandbox.parallel`).
"""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="backprop-lab", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser(
        "grade", help="autograde a class in parallel sandboxes (in the course folder)",
        description="Autograde every submitted student of ASSIGNMENT, each notebook in its own "
                    "sandbox, N at a time; results go into the course's gradebook.db exactly as "
                    "`nbgrader autograde` writes them. Interrupted runs resume where they stopped.")
    grade.add_argument("assignment", metavar="ASSIGNMENT")
    grade.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                       help="sandboxes at once (default: the number of cores)")
    grade.add_argument("--student", metavar="ID", help="only this student (a glob pattern)")
    grade.add_argument("--force", action="store_true",
                       help="grade again students already graded")
    grade.add_argument("--unsafe", action="store_true",
                       help="no sandbox: only for submissions you trust (said in the feedback)")
    grade.add_argument("--timeout", type=int, default=None, metavar="S",
                       help="CPU seconds per cell (default: nbgrader_config.py)")
    args = parser.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    from .sandbox.parallel import grade as run
    extra = [f"--Execute.timeout={args.timeout}"] if args.timeout else []
    return run(args.assignment, jobs=args.jobs, student=args.student, force=args.force,
               unsafe=args.unsafe, nbgrader_args=extra)


if __name__ == "__main__":
    sys.exit(main())
