"""Shared pytest set-up: hypothesis profiles, headless matplotlib, the grading sandbox."""
import os
import shutil
import warnings

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
# grades the batch while the other goes on with the rest of the suite.  A module whose batch
# fixture is parametrized may name the batch of each parameter with `shared_batch_of(param)`
# (test_assignments: a problem set and its translations are graded in one class).
SHARED_BATCHES = {("test_grade_command.py", "graded"): "grade-command",
                  ("test_assignments.py", "run"): "nbgrader-pipeline",
                  ("test_attacks.py", "batch"): "attack-batch"}


def _batch(item) -> tuple:
    """(rank of its kind of batch, xdist group) for a test of a shared batch, else None."""
    for rank, ((module, fixture), group) in enumerate(SHARED_BATCHES.items()):
        if item.path.name == module and fixture in getattr(item, "fixturenames", ()):
            params = getattr(getattr(item, "callspec", None), "params", {})
            if fixture not in params:
                return rank, group
            batch_of = getattr(item.module, "shared_batch_of", lambda param: param)
            return rank, f"{group}-{batch_of(params[fixture])}"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Group the shared batches (above), and put the longest work first.

    Two workers finish together only if the work left at the end comes in small pieces:
    the shared batches (minutes each) first, in the order of SHARED_BATCHES, then the tests
    marked slow (seconds to minutes: notebooks, browser, hub, a fresh venv), then the quick
    ones; within each kind the collection order stays.  `--dist loadgroup` hands the work
    out in this order (`course.py test` switches off its reordering by group size).
    """
    keys = {}
    for index, item in enumerate(items):
        batch = _batch(item)
        if batch is not None:
            rank, group = batch
            item.add_marker(pytest.mark.xdist_group(group))
            keys[item] = (0, rank, index)
        else:
            keys[item] = (1 if item.get_closest_marker("slow") else 2, 0, index)
    items.sort(key=keys.__getitem__)
    yield          # pytest-xdist's hook appends `@group` to the id of each grouped test
    # Say so if it did not: pytest 9 no longer reads that id (pyproject pins pytest < 9), and
    # without the groups each batch's other tests wait for it on the second worker -- minutes
    # of CI lost, with every test still green.
    if getattr(config.option, "loadgroup", False):
        lost = [item.nodeid for item in items
                if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
        if lost:
            warnings.warn(pytest.PytestConfigWarning(
                f"--dist loadgroup: pytest-xdist left {len(lost)} grouped tests ungrouped "
                f"(e.g. {lost[0]}): this pytest/pytest-xdist pair ignores xdist_group."))
