"""Shared pytest set-up: hypothesis profiles, headless matplotlib, the grading sandbox."""
import os
import shutil

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

settings.register_profile("default", deadline=None, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", deadline=None, max_examples=60, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "default")

# Autograding runs every notebook in a bubblewrap sandbox. On a machine without bwrap the
# nbgrader pipeline tests still run, unsandboxed (--unsafe); the sandbox's own tests skip.
# CI installs bubblewrap and sets BACKPROP_LAB_REQUIRE_SANDBOX: there nothing is skipped.
if shutil.which("bwrap") is None and not os.environ.get("BACKPROP_LAB_REQUIRE_SANDBOX"):
    os.environ["BACKPROP_LAB_UNSAFE_GRADING"] = "1"


# Some test modules grade one shared batch (a class of submissions) and check it from many
# tests: the first test to need it runs the batch under a file lock, and every other test of
# that batch waits for it.  Spread over both pytest-xdist workers, the second worker would sit
# idle behind the lock for the whole batch; `course.py test` runs pytest with
# `--dist loadgroup`, and this puts all the tests of one batch into one group, so one worker
# grades the batch while the other goes on with the rest of the suite.
SHARED_BATCHES = {("test_assignments.py", "run"): "nbgrader-pipeline",
                  ("test_attacks.py", "batch"): "attack-batch",
                  ("test_grade_command.py", "graded"): "grade-command"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        for (module, fixture), group in SHARED_BATCHES.items():
            if item.path.name == module and fixture in getattr(item, "fixturenames", ()):
                params = getattr(getattr(item, "callspec", None), "params", {})
                name = f"{group}-{params[fixture]}" if fixture in params else group
                item.add_marker(pytest.mark.xdist_group(name))
