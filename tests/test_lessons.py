"""The lessons: numbered, built from their sources, committed without outputs, listed in the
README (with a Binder link each), credited to their sources, and each one runs top to bottom
in a fresh kernel with no error and nothing written to stderr (where Python's warnings go),
its widgets constructed.  Then, in the same kernel, every "Try this" prompt that a program can
carry out is carried out the way a student would — edit the cell and run it and every cell
below it, or type the new cell at the end — and must not fail either.
"""
from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSON_DIR = ROOT / "lessons"
LESSONS = sorted(LESSON_DIR.glob("*.ipynb"))
MIN_LESSONS = 14
CELL_TIMEOUT = 300        # seconds: a guard against a hung kernel, not a speed target
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
PICTURE_MIMES = ("image/png", "image/svg+xml", WIDGET_MIME)
BINDER = "https://mybinder.org/v2/gh/backprop-lab/backprop_lab/HEAD?urlpath=lab/tree/"
SOURCE_TITLES = ("反向传播算法", "反向传播-图解", "Yes you should listen to Andrej Karpathy, and understand back propagation",
                 "理解反向传播计算梯度", "神经网络与深度学习小结 (二)")

_spec = importlib.util.spec_from_file_location("build_lessons", ROOT / "tools" / "build_lessons.py")
build_lessons = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_lessons)


def edit(marker: str, old: str, new: str):
    """A prompt that changes the one code cell containing ``marker``: ``old`` becomes ``new``."""
    return ("edit", marker, old, new)


def new_cell(code: str):
    """A prompt that asks for a new cell at the end of the lesson."""
    return ("new", code)


# Every numbered "Try this" prompt of every lesson is either carried out here or listed in
# NOT_AUTOMATED with the reason.  test_every_try_this_prompt_is_accounted_for keeps it so.
TRY_THIS = {
    "00_welcome": {1: edit('x, y, z = bl.var(-2.0, name="x")', 'bl.var(-4.0, name="z")', 'bl.var(3.0, name="z")')},
    "01_derivatives": {
        1: edit('x = bl.var(4.0, name="x")', 'bl.var(4.0, name="x")', 'bl.var(-1.5, name="x")'),
        2: edit("f = bl.maximum(x, y)", 'bl.var(4.0, name="x"), bl.var(2.0, name="y")',
                'bl.var(3.0, name="x"), bl.var(3.0, name="y")'),
        3: edit("func, exact_derivative = sigma", "func, exact_derivative = sigma, lambda v: sigma(v) * (1 - sigma(v))",
                "func, exact_derivative = np.sin, np.cos"),
    },
    "02_chain_rule": {
        2: new_cell('p, q, r = bl.var(2.0, name="x"), bl.var(-1.0, name="y"), bl.var(4.0, name="z")\n'
                    'g = (p * q + r).named("f")\ng.backward()\nbl.draw(g)'),
        3: new_cell("print(b1.grad)\nassert b1.grad == (F.value - t) * w2.value"),
    },
    "03_gate_patterns": {
        1: edit('z, w = bl.var(2.0, name="z")', 'bl.var(-1.0, name="w")', 'bl.var(5.0, name="w")'),
        2: new_cell('x = bl.var(3.0, name="x")\nf = (x * x).named("f")\nf.backward()\n'
                    "for step in bl.Graph(f).backward_steps():\n    print(step.describe())\n"
                    "assert x.grad == 6.0"),
        3: new_cell("gate = gates.MaxGate()\nprint(gate.forward(1.0, 7.0), gate.backward(3.0))"),
    },
    "04_modularity": {
        1: edit("f = (1.0 / (1.0 + bl.exp(-1.0 * dot)))", 'bl.var(2.0, name="w0")', 'bl.var(20.0, name="w0")'),
        3: new_cell("class SquareGate(gates.ElementwiseGate):\n    def forward(self, x):\n        self.save(x)\n"
                    "        return x * x\n    def local_gradients(self):\n        (x,) = self.saved()\n"
                    "        return (2 * x,)\n\nprint(bl.gradcheck.check_gate(SquareGate(), np.array([-1.0, 0.5, 2.0])))"),
    },
    "05_staged_computation": {
        1: new_cell("dx_bug = (1) * dxpy\ndx_bug += ((1 - sigx) * sigx) * dsigx\ndx_bug = (1) * dnum   # = instead of +=\n"
                    "print(dx_bug, 'instead of', x.grad)"),
        2: edit("depths, batch_sizes = (2, 4, 8), (32, 64)", "(32, 64)", "(32, 64, 128)"),
    },
    "06_vectors_and_matrices": {
        1: edit("X = rng.standard_normal((10, 3))", "X = rng.standard_normal((10, 3))", "X = rng.standard_normal((10, 7))"),
        2: new_cell("class FixedAffine(PostAffine):\n    def backward(self, dout):\n        dx = dout @ self.W.T\n"
                    "        self.dW = self.x.T @ dout\n        self.db = dout.sum(axis=0)\n        return dx\n\n"
                    "report = bl.gradcheck.check_layer(FixedAffine(rng.standard_normal((3, 2)), np.zeros(2)), "
                    "rng.standard_normal((4, 3)))\nprint(report)\nassert report.passed"),
        3: new_cell('Xn, Wn = bl.var(rng.standard_normal((4, 5)), name="X"), bl.var(rng.standard_normal((5, 2)), name="W")\n'
                    "D = Xn @ Wn\ndD = rng.standard_normal(D.shape)\nD.backward(seed=dD)\n"
                    "assert np.allclose(Wn.grad, Xn.value.T @ dD) and np.allclose(Xn.grad, dD @ Wn.value.T)"),
    },
    "07_nodes_and_topological_order": {
        1: edit('a, b = bl.var(2.0, name="a")', 'a, b = bl.var(2.0, name="a"), bl.var(1.0, name="b")',
                'a, b = bl.var(-1.5, name="a"), bl.var(0.5, name="b")'),
        2: edit("depth = 30", "depth = 30", "depth = 60"),
        3: new_cell("print(W1.grad.shape, W1.shape)\nassert W1.grad.shape == W1.shape"),
    },
    "08_training_a_network": {
        1: new_cell("fit(learning_rate=1.0)\nfit(learning_rate=0.05);"),
        2: new_cell("fit(hidden_units=2);"),
        3: edit("for start in (0.5, 1.5, 5.0):", "(0.5, 1.5, 5.0)", "(0.5, 1.5, 3.5, 5.0)"),
    },
    "09_gradient_checking": {
        1: new_cell("class BrokenTanh(layers.Tanh):\n    def forward(self, x):\n        self.out = super().forward(x)\n"
                    "        return self.out\n\n    def backward(self, dout):\n        return dout * (1 - self.out)\n\n"
                    "report = gradcheck.check_layer(BrokenTanh(), rng.standard_normal((3, 4)))\nprint(report)\n"
                    "assert not report.passed"),
        2: edit("x = bl.var(np.array([2e-6, 0.5, -0.3])", "2e-6", "2e-4"),
    },
    "10_forward_vs_reverse_mode": {
        1: new_cell("print(modes.colah_example(a=-1.0, b=3.0))"),
        2: new_cell("value, slope = modes.derivative(lambda v: modes.exp(modes.sin(v)), 0.5)\n"
                    'x = bl.var(0.5, name="x")\nout = bl.exp(modes.sin(x))\nout.backward()\n'
                    "print(slope, x.grad)\nassert np.isclose(slope, x.grad)"),
        3: edit("lengths = (500, 1000, 2000)", "(500, 1000, 2000)", "(500, 2000, 4000)"),
    },
    "11_convolutions": {
        1: edit("g = np.array([[1.0, 2.0], [1.0, -1.0]])", "g = np.array([[1.0, 2.0], [1.0, -1.0]])", "g = np.ones((2, 2))"),
        2: new_cell("k5, dout3 = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))\n"
                    "corner = dout3[0, 0] * k5[0, 0]   # only the first window covers x[0, 0]\n"
                    "assert np.isclose(conv.input_gradient_full_convolution(dout3, k5)[0, 0], corner)"),
        3: edit("image = np.array([[[[1.0, 3.0, 2.0, 0.0]", "[[[[1.0, 3.0, 2.0, 0.0]", "[[[[1.0, 4.0, 2.0, 0.0]"),
        4: edit("stride = 2\n", "stride = 2\n", "stride = 3\n"),
    },
    "12_backprop_through_time": {
        1: edit('w = bl.var(0.9, name="w")', 'bl.var(0.9, name="w")', 'bl.var(1.5, name="w")'),
        2: edit("K = 10\n", "K = 10\n", "K = 20\n"),
        3: edit("window_sizes = (8, 2)", "(8, 2)", "(8, 4, 2)"),
    },
    "13_exploding_and_vanishing_gradients": {
        2: new_cell('model = rnn.VanillaRNN.create(input_size=4, hidden_size=32, rho=0.5, activation="identity", seed=0)\n'
                    "norms = rnn.gradient_norms(model, xs_batch)\nprint(norms[-1])\n"
                    "assert np.isclose(norms[-1], norms[0] * 0.5 ** 50)"),
        3: new_cell("print(norms_after_powers(np.array([[0.5, 4.0], [2.0, 0.5]]))[-1])"),
    },
    "14_initialization": {
        1: edit("start = 0.5", "start = 0.5", "start = 0.0"),
        2: edit("scales = (0.8, 1.0, 1.2)", "(0.8, 1.0, 1.2)", "(0.8, 1.0, 1.2, 1.5)"),
        3: new_cell('activation.value = "tanh"\nscale.value = 1.2'),
    },
    "15_leaky_abstraction": {
        1: new_cell("scale.value = 3.0"),
        2: edit("b_relu[[2, 5]] = -10.0", "-10.0", "-0.5"),
        3: new_cell("for rate in (lr / k ** 2, 3 * lr / k ** 2, 30 * lr / k ** 2):\n"
                    "    print(rate, train_linear(k * data.X, rate)[-1])"),
    },
}
NOT_AUTOMATED = {
    ("00_welcome", 2): "Tab completion in the editor",
    ("02_chain_rule", 1): "moving a slider by hand",
    ("04_modularity", 2): "clicking the trainer's button",
    ("05_staged_computation", 3): "a question about the table, no code",
    ("09_gradient_checking", 3): "moving a slider by hand",
    ("10_forward_vs_reverse_mode", 4): "moving a slider by hand",
    ("13_exploding_and_vanishing_gradients", 1): "moving a slider by hand",
    ("13_exploding_and_vanishing_gradients", 4): "half a minute of training: too slow for the suite",
}


def _ids(paths):
    return [p.stem for p in paths]


def _code(nb) -> str:
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")


def _markdown(nb) -> str:
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def _section(text: str, heading: str) -> str:
    return text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]


def _prompts(nb) -> list[int]:
    return [int(n) for n in re.findall(r"^(\d+)\. ", _section(_markdown(nb), "Try this"), re.M)]


# ------------------------------------------------------------------ files and sources
def test_lessons_are_numbered_from_00_without_gaps():
    names = [p.name for p in LESSONS]
    assert len(names) >= MIN_LESSONS, names
    assert [name[:2] for name in names] == [f"{n:02d}" for n in range(len(names))]
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
def test_lesson_has_goals_try_this_recap_and_practise(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith(f"# Lesson {path.name[:2]} — ")
    assert "**Goals" in first.source
    text = _markdown(nb)
    headings = re.findall(r"^## (Try this|Recap|Practise it)$", text, re.M)
    assert headings == ["Try this", "Recap", "Practise it"], headings
    assert "backprop_lab" in _code(nb)
    # the practice section names problem sets that exist in the course
    named = set(re.findall(r"`(ps\d_[a-z_]+)`", _section(text, "Practise it")))
    assert named, f"{path.name}: 'Practise it' names no problem set"
    missing = [ps for ps in named if not (ROOT / "assignments" / "source" / ps).is_dir()]
    assert not missing, f"{path.name} names problem sets that do not exist: {missing}"


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_lesson_downloads_nothing(path):
    code = _code(build_lessons.notebook_for(
        ROOT / "tools" / "lesson_sources" / (path.stem + ".txt")))
    for forbidden in ("urllib", "requests", "urlopen", "http://", "https://", "wget", "curl",
                      "pip install", "fetch_openml", "load_dataset", "download"):
        assert forbidden not in code, f"{path.name} mentions {forbidden!r} in code"


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_lesson_prose_speaks_the_students_language(path):
    """No internal names for the tutorials ("seed 001"), and the starting gradient of backward
    is not called a "seed" in the text (the API keyword `backward(seed=...)` may appear as code)."""
    nb = nbformat.read(path, as_version=4)
    everything = _markdown(nb) + "\n" + _code(nb)
    assert not re.search(r"seed\s*00\d", everything, re.I), f"{path.name} says 'seed 00N'"
    prose = re.sub(r"`[^`]*`", "", re.sub(r"```.*?```", "", _markdown(nb), flags=re.S))
    assert not re.search(r"\bseed", prose, re.I), f"{path.name} calls something a seed in its text"


def test_readme_course_map_matches_the_files_with_a_binder_link_each():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = re.findall(r"\]\((lessons/\d\d_[a-z0-9_]+\.ipynb)\)", readme)
    assert linked == [f"lessons/{p.name}" for p in LESSONS]
    binder = re.findall(re.escape(BINDER) + r"(lessons/\d\d_[a-z0-9_]+\.ipynb)\)", readme)
    assert binder[0] == "lessons/00_welcome.ipynb"                 # the badge
    assert binder[1:] == [f"lessons/{p.name}" for p in LESSONS]    # one per row of the map
    count = rf"\b({len(LESSONS)}|{_number_word(len(LESSONS))})\s+(short\s+)?lessons"
    assert re.search(count, readme, re.I), "the README's count of lessons is out of date"


def _number_word(n: int) -> str:
    words = {14: "fourteen", 15: "fifteen", 16: "sixteen", 17: "seventeen", 18: "eighteen"}
    return words.get(n, str(n))


def test_readme_names_every_source_by_title():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    credits = _section(readme, "Sources and credits")
    for title in SOURCE_TITLES:
        assert title in credits, f"README's Sources and credits lacks {title!r}"
    assert "sunlianglong" in credits and "Karpathy" in credits
    assert "towardsdatascience.com/back-propagation-721bfcc94e34" in credits
    assert not re.search(r"seed\s*00\d", readme, re.I)


def test_welcome_lesson_links_every_lesson_and_names_the_sources():
    nb = nbformat.read(LESSON_DIR / "00_welcome.ipynb", as_version=4)
    text = _markdown(nb)
    linked = re.findall(r"\]\((\d\d_[a-z0-9_]+\.ipynb)\)", text)
    assert linked == [p.name for p in LESSONS[1:]]
    for title in SOURCE_TITLES:
        assert title in text, title


def test_every_try_this_prompt_is_accounted_for():
    for path in LESSONS:
        prompts = _prompts(nbformat.read(path, as_version=4))
        assert prompts == list(range(1, len(prompts) + 1)) and prompts, path.name
        automated = set(TRY_THIS.get(path.stem, {}))
        skipped = {n for (stem, n) in NOT_AUTOMATED if stem == path.stem}
        assert not automated & skipped, path.name
        assert automated | skipped == set(prompts), (
            f"{path.name}: prompts {sorted(set(prompts) - automated - skipped)} are neither carried out "
            f"by TRY_THIS nor listed in NOT_AUTOMATED; stale entries: {sorted((automated | skipped) - set(prompts))}")


def test_every_automated_edit_targets_exactly_one_cell():
    for stem, prompts in TRY_THIS.items():
        nb = nbformat.read(LESSON_DIR / f"{stem}.ipynb", as_version=4)
        for number, prompt in prompts.items():
            if prompt[0] == "edit":
                _, marker, old, _ = prompt
                cells = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
                assert len(cells) == 1, f"{stem} prompt {number}: {len(cells)} cells contain {marker!r}"
                assert cells[0].source.count(old) == 1, f"{stem} prompt {number}: {old!r} not once in its cell"
            else:
                ast.parse(prompt[1])


# ------------------------------------------------------------------ running them
def _problems(cells) -> list[str]:
    problems = []
    for index, cell in cells:
        for output in cell.get("outputs", []):
            kind = output.output_type
            if kind == "error":
                problems.append(f"cell {index}: {output.ename}: {output.evalue}")
            elif kind == "stream" and output.name == "stderr":
                problems.append(f"cell {index} wrote to stderr: {output.text[:300]!r}")
            elif kind == "stream" and re.search(r"\w+Warning\b", output.text):
                problems.append(f"cell {index} printed a warning: {output.text[:300]!r}")
    return problems


def _try_this_runs(nb, stem: str):
    """The automated prompts of a lesson as (number, [cells to run, in order]).

    An edit runs the edited cell and every code cell below it; a new cell runs at the end.
    Edits come last cell first, so that each one runs on top of the lesson as written (the
    cells above the edited one were run once, unedited)."""
    stem_prompts = TRY_THIS.get(stem, {})
    code_cells = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    edits, news = [], []
    for number, prompt in stem_prompts.items():
        if prompt[0] == "edit":
            _, marker, old, new = prompt
            start = next(k for k, (_, c) in enumerate(code_cells) if marker in c.source)
            first = nbformat.v4.new_code_cell(code_cells[start][1].source.replace(old, new))
            rest = [nbformat.v4.new_code_cell(c.source) for _, c in code_cells[start + 1:]]
            edits.append((start, number, [first] + rest))
        else:
            news.append((number, [nbformat.v4.new_code_cell(prompt[1])]))
    return news + [(number, cells) for _, number, cells in sorted(edits, key=lambda e: -e[0])]


SELF_CHECK = ("import json\nfrom backprop_lab.practice import QUESTIONS, self_check\n"
              "print(json.dumps({'questions': len(QUESTIONS), 'problems': self_check()}))")

def self_check(client, nb) -> dict:
    """Run practice.self_check() in the lesson's kernel: {"questions": n, "problems": [...]}."""
    check = nbformat.v4.new_code_cell(SELF_CHECK)
    nb.cells.append(check)
    client.execute_cell(check, len(nb.cells) - 1)
    return json.loads("".join(o.get("text", "") for o in check.outputs
                              if o.output_type == "stream" and o.name == "stdout"))


# The test runs lessons in parallel (pytest-xdist) on a machine other programs share: a BLAS
# library that starts one thread per core in every kernel oversubscribes it, and a 64×100
# matrix product then costs ~100× its single-thread time.  One thread per kernel.
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def lesson_kernel(path: Path, monkeypatch):
    """Run every code cell of the lesson at `path` in a fresh kernel (one BLAS thread, the
    lesson's folder as working folder), check that no cell failed, and yield (nb, client)
    with the kernel still alive for what the test runs next."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    for name in ONE_THREAD:
        monkeypatch.setenv(name, "1")             # inherited by the kernel started below
    nb = nbformat.read(path, as_version=4)
    # The kernel's channels are Unix sockets in a folder of its own (ZeroMQ's ipc transport),
    # as the grading sandbox's kernels are.  Over TCP, jupyter_client picks five free ports
    # (binds port 0 and closes) and the kernel binds them seconds later, after its imports:
    # a kernel or server starting meanwhile in the other pytest worker may get one of them
    # from the OS, and then the lesson's kernel dies before it answers.
    sockets = tempfile.mkdtemp(prefix="lesson-kernel-")
    manager = KernelManager(kernel_name="python3", transport="ipc",
                            ip=os.path.join(sockets, "k"))
    # nbclient waits 4 s (iopub_timeout) after a cell's reply for the kernel's "idle" on the
    # IOPub channel, then drops whatever output has not come yet and goes on: on a busy machine
    # a picture or the self-check's printed report could go missing that way.  The wait here
    # ends when "idle" comes (the condition); the bounds are hang guards, and failing on them
    # beats losing output silently.
    client = NotebookClient(nb, km=manager, timeout=CELL_TIMEOUT, allow_errors=True,
                            startup_timeout=CELL_TIMEOUT, iopub_timeout=CELL_TIMEOUT,
                            raise_on_iopub_timeout=True,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, index)
            problems = _problems(enumerate(nb.cells))
            assert not problems, problems
            yield nb, client
    finally:
        shutil.rmtree(sockets, ignore_errors=True)


def replay_try_this(client, nb, path: Path, label: str) -> None:
    """Carry out each automated Try-this prompt of the lesson in its running kernel."""
    for number, cells in _try_this_runs(nb, path.stem):
        for cell in cells:
            nb.cells.append(cell)            # the client records each run cell in nb
            client.execute_cell(cell, len(nb.cells) - 1)
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert not errors, (f"{path.name}, {label} {number}: the cell "
                                f"{cell.source.splitlines()[0]!r}... failed with "
                                f"{errors[0].ename}: {errors[0].evalue}")


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_lesson_runs_clean_then_try_this_prompts_work(path, monkeypatch):
    with lesson_kernel(path, monkeypatch) as (nb, client):
        mimes = [mime for cell in nb.cells for output in cell.get("outputs", [])
                 for mime in output.get("data", {})]
        assert any(m in PICTURE_MIMES for m in mimes), f"{path.name} shows no picture or widget"
        if "widgets" in _code(nb):
            # every displayed widget comes out as a widget view: the constructors all ran
            assert WIDGET_MIME in mimes, f"{path.name} imports widgets but displays none"
        # every checked question of the lesson answered as a student would, the answers
        # supplied by the test: a wrong one (must be called wrong, with feedback), then the
        # right one (must be called right), then Show answer
        report = self_check(client, nb)
        assert report["questions"] >= 2 and report["problems"] == [], (path.name, report)

        replay_try_this(client, nb, path, "Try this")


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
