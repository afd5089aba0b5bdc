"""The package's layering: every import points down, and no private name crosses a module.

    i18n.messages → values → gates → graph → layers / modes / gradcheck → conv / rnn → rnn_experiments
    → render → widgets / mistakes → practice → grading → sandbox

(``datasets`` and ``render_graphviz`` need nothing above ``values``.)  A module may
import only modules of a lower floor, so there is no circle and no arrow back up.
The imports are read from the source (every ``import`` statement, also the ones inside
functions), so a lazy import counts as much as one at the top.  A new module must be
given its floor here.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "backprop_lab"

# floor of each module (a dotted name below backprop_lab); a name ending in "*" covers every
# module whose name starts with what comes before it (the longest such prefix wins)
FLOORS = {
    "values": 2, "i18n.zh": 0,
    "i18n.messages": 1, "i18n.fonts": 2, "i18n": 3,
    "gates": 3, "datasets": 3, "render_graphviz": 3,
    "graph": 4,
    "layers": 5, "modes": 5, "gradcheck": 5,
    "conv": 6, "rnn": 6,
    "rnn_experiments": 7,
    "render": 8,
    "widgets.base": 9, "mistakes": 9,
    "widgets.*": 10, "widgets": 11,
    "practice.circuits": 10, "practice.checking": 11,
    "practice.drill": 12, "practice.questions": 12,
    "practice": 13, "practice.__main__": 13,
    "grading.task": 14, "grading.data": 14, "grading.display": 14, "grading.executor": 14,
    "grading.loader": 14, "grading.protocol": 14,
    "grading.library": 15, "grading.ps*": 15,
    "grading.registry": 16, "grading.running": 16,
    "grading.hidden": 17, "grading.judge": 17, "grading.visible": 17,
    "grading.__main__": 18, "grading": 19,
    "grading.record": 14,
    "sandbox.isolation": 20, "sandbox.verdicts": 20, "sandbox.review": 20,
    "sandbox.kernel": 21, "sandbox.executor": 22, "sandbox.parallel": 23, "sandbox": 24,
    "cli": 25,
}
# known arrows up, each with its reason; remove an entry when its module is fixed
KNOWN_CIRCLES = {
}
FACE = ""          # backprop_lab/__init__.py: the public face may import anything


def floor(module: str) -> int:
    if module in FLOORS:
        return FLOORS[module]
    prefixes = [p for p in FLOORS if p.endswith("*") and module.startswith(p[:-1])]
    if prefixes:
        return FLOORS[max(prefixes, key=len)]
    raise AssertionError(f"backprop_lab.{module} has no floor in tests/test_layering.py: add "
                         f"it to FLOORS (the layering in DESIGN.md says where it belongs).")


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import of the package."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    package = [p for p in package if p]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "backprop_lab":
                target = node.module[len("backprop_lab"):].lstrip(".")
            else:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}" if target else alias.name
                if sub in known:              # `from . import gates`: the module itself
                    found.append((sub, [], node.lineno))
                else:
                    found.append((target, [alias.name], node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "backprop_lab":
                    found.append((alias.name[len("backprop_lab"):].lstrip("."), [], node.lineno))
    return found


KNOWN = modules()


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_every_import_points_down(name):
    if name == FACE:
        return
    mine = floor(name)
    for target, _, line in imports(name, KNOWN[name], KNOWN):
        if target == FACE:
            pytest.fail(f"backprop_lab/{KNOWN[name].relative_to(PACKAGE)}:{line} imports the "
                        f"package's face (backprop_lab/__init__.py); import the module instead.")
        assert target in KNOWN, f"{name}:{line} imports unknown module {target!r}"
        if (name, target) in KNOWN_CIRCLES:
            continue
        assert floor(target) < mine, (
            f"backprop_lab.{name} (floor {mine}) imports backprop_lab.{target} (floor "
            f"{floor(target)}) at line {line}: an arrow back up (or sideways) in the layering.")


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_no_private_name_crosses_a_module(name):
    for target, names, line in imports(name, KNOWN[name], KNOWN):
        private = [n for n in names if n.startswith("_") and not n.startswith("__")]
        assert not private, (f"backprop_lab.{name}:{line} imports private {private} from "
                             f"backprop_lab.{target}; make it public there or move it.")


def test_the_layering_test_reads_imports_right():
    """The reader itself: relative imports of every depth, modules versus names."""
    graph = [(t, n) for t, n, _ in imports("graph", KNOWN["graph"], KNOWN)]
    assert ("gates", []) in graph and ("values", ["as_value"]) in graph
    base = [t for t, _, _ in imports("widgets.base", KNOWN["widgets.base"], KNOWN)]
    assert "render" in base and "graph" in base
    assert floor("widgets.explorer") == 10 and floor("grading.ps9_new") == 15
    with pytest.raises(AssertionError, match="has no floor"):
        floor("somewhere_new")
