"""Build the three nbgrader source notebooks from this one description.

    python assignments/build_assignments.py           # (re)write source/<ps>/<ps>.ipynb
    python assignments/build_assignments.py --check   # exit 1 if a committed notebook differs

Writing the notebooks from Python keeps the nbgrader metadata consistent: every cell
gets the right flags (``solution``, ``grade``, ``locked``, ``points``, ``grade_id``,
``schema_version`` 3) and a cell id equal to its grade id, so rebuilding gives the same
bytes.  Cell kinds:

* ``md``      read-only instructions (locked),
* ``setup``   read-only code (imports, given functions),
* ``answer``  code the student writes (``### BEGIN SOLUTION`` / ``### END SOLUTION``),
* ``tests``   an autograded test cell with points: visible checks with hints
              (``grading.check``) and ``### BEGIN HIDDEN TESTS`` checks judged in a
              separate Python process (``verify_isolated`` of a private copy of grading.py),
* ``written`` a manually graded written answer (markdown, points),
* ``demo``    read-only code that draws or plots only when a person runs it
              (``grading.interactive()`` is False while nbgrader executes).

``PROBLEM_SETS`` is also what the tests read to know each part's cells and points.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent


@dataclass
class Cell:
    kind: str            # md | setup | answer | tests | written | demo
    id: str
    source: str
    points: int = 0
    task: str = ""       # tests: the grading task id
    names: tuple = ()    # tests: the student names passed to the checks
    needs: tuple = ()    # tests: answer cells of earlier parts this part builds on


@dataclass
class Part:
    """One graded exercise: its answer cell(s) and its test cell."""

    answer_ids: tuple
    test_id: str
    points: int
    needs: tuple = ()

    def relies_on(self) -> set:
        """Every answer cell whose breakage makes this part fail."""
        return set(self.answer_ids) | set(self.needs)


@dataclass
class ProblemSet:
    name: str
    title: str
    cells: list = field(default_factory=list)

    @property
    def parts(self) -> list[Part]:
        parts, answers = [], []
        for cell in self.cells:
            if cell.kind == "answer":
                answers.append(cell.id)
            elif cell.kind == "tests":
                parts.append(Part(tuple(answers), cell.id, cell.points, cell.needs))
                answers = []
        return parts

    @property
    def auto_points(self) -> int:
        return sum(c.points for c in self.cells if c.kind == "tests")

    @property
    def manual_points(self) -> int:
        return sum(c.points for c in self.cells if c.kind == "written")

    def path(self, root: Path = HERE) -> Path:
        return root / "source" / self.name / f"{self.name}.ipynb"


# The hidden check does not trust anything the notebook can have replaced by assignment:
# not `grading`, not `backprop_lab.grading` (its `fresh`/`verify_isolated` attributes), not
# sys.modules["backprop_lab.grading"].  It finds the installed package with the import
# system's finders (which skip sys.modules) and executes grading.py from that file into a
# new, private module object.  (Python code in the same kernel can still rewrite importlib,
# subprocess or the files on disk: the limit stated in README.md.)
HIDDEN_LOADER = """\
import importlib.util as _importlib_util, os as _os, sys as _sys
_package = next(_s for _s in (_f.find_spec("backprop_lab", None) for _f in _sys.meta_path
                              if hasattr(_f, "find_spec")) if _s is not None)
_spec = _importlib_util.spec_from_file_location("backprop_lab._grading_private", _os.path.join(
    list(_package.submodule_search_locations)[0], "grading.py"))
_grading_module = _importlib_util.module_from_spec(_spec)
_spec.loader.exec_module(_grading_module)
"""


def tests(cell_id: str, task: str, names: tuple, points: int, needs: tuple = ()) -> Cell:
    args = ", ".join(f"{n}={n}" for n in names)
    source = (f"grading.check({task!r}, {args})\n"
              f"### BEGIN HIDDEN TESTS\n"
              + HIDDEN_LOADER +
              f"_grading_module.verify_isolated({task!r}, {args})\n"
              f"### END HIDDEN TESTS")
    return Cell("tests", cell_id, source, points, task, names, needs)


def md(cell_id, text):
    return Cell("md", cell_id, text.strip())


def setup(cell_id, code):
    return Cell("setup", cell_id, code.strip())


def answer(cell_id, code):
    return Cell("answer", cell_id, code.strip())


def demo(cell_id, code):
    return Cell("demo", cell_id, code.strip())


def written(cell_id, points, question, model_answer):
    return [md(cell_id + "_question", question),
            Cell("written", cell_id, "### BEGIN SOLUTION\n" + model_answer.strip()
                 + "\n### END SOLUTION", points)]


IMPORTS = """\
import math
import numpy as np
import backprop_lab as bl
from backprop_lab import grading
"""

# ====================================================================== problem set 1
PS1 = ProblemSet("ps1_gates", "Problem set 1 — gates and circuits")
PS1.cells = [
    md("intro", """
# Problem set 1 — gates and circuits

Backpropagation is the chain rule applied one gate at a time: every gate multiplies the
**upstream** gradient (dL/d its output) by its **local** gradient (d output / d input) and
hands the product to each input. In this problem set you write the backward pass of three
gates, run them inside `bl.Graph`, backpropagate seed 001's staged function by hand, and
handle fan-out (a value used twice).

* Write your code where it says `# YOUR CODE HERE` (delete the `raise NotImplementedError()`).
* Run the test cell under each exercise. A failing test tells you which result is wrong, at
  which index, and usually why. Hidden tests run again on other inputs when your work is graded.
* Do not edit or delete the test cells: they are restored from the instructor's copy when
  grading.
"""),
    setup("setup", IMPORTS + "from backprop_lab.gates import Gate\nfrom backprop_lab.graph import apply"),
    md("q1_text", """
## 1. The multiply gate (3 points)

`z = x · y`. The local gradients are dz/dx = y and dz/dy = x: the multiply gate **swaps** its
inputs and multiplies each by the upstream gradient. `forward` is given (it caches its inputs
with `self.save`); write `backward(upstream)` returning `(dx, dy)`. It must work for numbers
and for numpy arrays of the same shape.
"""),
    answer("q1_multiply", '''
class MultiplyGate(Gate):
    """z = x * y.  Local gradients: dz/dx = y, dz/dy = x."""

    symbol = "×"

    def forward(self, x, y):
        self.save(x, y)
        return x * y

    def backward(self, upstream):
        x, y = self.saved()
        ### BEGIN SOLUTION
        return upstream * y, upstream * x
        ### END SOLUTION
'''),
    tests("q1_tests", "ps1.multiply_gate", ("MultiplyGate",), 3),
    md("q2_text", """
## 2. The max gate (3 points)

`z = max(x, y)` **routes** the gradient: the larger input receives the whole upstream
gradient, the other one receives 0. At a tie (x == y) give it to `x` only — max is not
differentiable there and the gradient must not be counted twice. Inputs may be numbers or
arrays (elementwise max).
"""),
    answer("q2_max", '''
class MaxGate(Gate):
    """z = max(x, y).  Local gradients: 1 for the larger input (x at a tie), 0 for the other."""

    symbol = "max"

    def forward(self, x, y):
        self.save(x, y)
        return bl.maximum(x, y)

    def backward(self, upstream):
        x, y = self.saved()
        ### BEGIN SOLUTION
        x_wins = np.asarray(x >= y, dtype=np.float64)
        return upstream * x_wins, upstream * (1.0 - x_wins)
        ### END SOLUTION
'''),
    tests("q2_tests", "ps1.max_gate", ("MaxGate",), 3),
    md("q3_text", """
## 3. The sigmoid gate (3 points)

σ(x) = 1 / (1 + e^(−x)) has the local gradient dσ/dx = σ(x)·(1 − σ(x)): it only needs the
**output**, which `forward` caches in `self.out`. Return a tuple with one gradient, `(dx,)`.
"""),
    answer("q3_sigmoid", '''
class SigmoidGate(Gate):
    """s = σ(x).  Local gradient: ds/dx = σ(x)·(1 − σ(x)), from the cached output."""

    symbol = "σ"

    def forward(self, x):
        self.save(x)
        self.out = bl.sigmoid(x)
        return self.out

    def backward(self, upstream):
        ### BEGIN SOLUTION
        return (upstream * self.out * (1.0 - self.out),)
        ### END SOLUTION
'''),
    tests("q3_tests", "ps1.sigmoid_gate", ("SigmoidGate",), 3),
    md("q4_text", """
## 4. Your gates inside a graph (2 points)

`bl.graph.apply(gate, a, b)` runs any gate — yours too — as a node of the engine's graph, so
`bl.Graph` can backpropagate through it and `bl.draw` can draw it. Build seed 001's sigmoid
neuron f = σ(w0·x0 + w1·x1 + w2) with **your** `MultiplyGate` and `SigmoidGate` (the additions
may use `+`) and return its output node. At w = [2, −3, −3], x = [−1, −2] the seed finds
f = 0.73 and gradients dw = [−0.2, −0.39, 0.2], dx = [0.39, −0.59].
"""),
    answer("q4_neuron", '''
def neuron(w0, x0, w1, x1, w2):
    """The output Node of σ(w0·x0 + w1·x1 + w2), built with your gates."""
    ### BEGIN SOLUTION
    dot = apply(MultiplyGate(), w0, x0) + apply(MultiplyGate(), w1, x1) + w2
    return apply(SigmoidGate(), dot)
    ### END SOLUTION
'''),
    tests("q4_tests", "ps1.neuron_graph", ("neuron", "MultiplyGate", "SigmoidGate"), 2,
          needs=("q1_multiply", "q3_sigmoid")),
    demo("q4_draw", '''
# Draw your neuron: values in green above each wire, gradients in red below.
if grading.interactive():
    leaves = [bl.var(v, name=n) for v, n in zip([2.0, -1.0, -3.0, -2.0, -3.0],
                                                 ["w0", "x0", "w1", "x1", "w2"])]
    f = neuron(*leaves)
    print(bl.Graph(f).backward())
    grading.show(bl.draw, f)
    grading.show(bl.widgets.BackwardStepper, f)     # step through backward, gate by gate
'''),
    md("q5_text", """
## 5. Staged backpropagation by hand (4 points)

Seed 001 computes f(x, y) = (x + σ(y)) / (σ(x) + (x + y)²) in stages — `sigy`, `num`, `sigx`,
`xpy`, `xpysqr`, `den`, `invden`, `f` — and then walks the stages backwards, one line of
chain rule per stage. Write `staged_f(x, y)` returning `(f, dx, dy)` for numbers x, y, **by hand**
(plain Python/`math`, no engine). x and y are each used in more than one stage: their
gradients from every stage add up (`+=`).
"""),
    answer("q5_staged", '''
def staged_f(x, y):
    """f(x, y) = (x + σ(y)) / (σ(x) + (x + y)²) and its gradient (f, df/dx, df/dy)."""
    ### BEGIN SOLUTION
    sigy = 1.0 / (1 + math.exp(-y))
    num = x + sigy
    sigx = 1.0 / (1 + math.exp(-x))
    xpy = x + y
    xpysqr = xpy ** 2
    den = sigx + xpysqr
    invden = 1.0 / den
    f = num * invden
    dnum = invden
    dinvden = num
    dden = (-1.0 / den ** 2) * dinvden
    dsigx = dden
    dxpysqr = dden
    dxpy = 2 * xpy * dxpysqr
    dx = dxpy
    dy = dxpy
    dx += (1 - sigx) * sigx * dsigx
    dx += dnum
    dsigy = dnum
    dy += (1 - sigy) * sigy * dsigy
    return f, dx, dy
    ### END SOLUTION
'''),
    tests("q5_tests", "ps1.staged_backward", ("staged_f",), 4),
    md("q6_text", """
## 6. Fan-out (3 points)

In f(a, b) = a·b + max(a, b)·a the input `a` feeds three places and `b` two. Write
`fanout_f(a, b)` returning `(f, da, db)` by hand: forward in stages, then backward, adding
(`+=`) the gradient of every use. (At a tie a == b, max routes to `a`.)
"""),
    answer("q6_fanout", '''
def fanout_f(a, b):
    """f(a, b) = a·b + max(a, b)·a and (f, df/da, df/db)."""
    ### BEGIN SOLUTION
    q = a * b
    m = max(a, b)
    r = m * a
    f = q + r
    dq, dr = 1.0, 1.0
    da = b * dq
    db = a * dq
    dm = a * dr
    da += m * dr
    if a >= b:
        da += dm
    else:
        db += dm
    return f, da, db
    ### END SOLUTION
'''),
    tests("q6_tests", "ps1.fanout", ("fanout_f",), 3),
    *written("q7_written", 2, """
## 7. Written answer (2 points, graded by hand)

Seed 001 warns: multiply every input x_i of a linear classifier by 1000 and the gradient on
the weights becomes 1000 times larger. Explain why with the multiply gate's backward rule,
and say what this means for the learning rate and for preprocessing the data.
""", """
The weight gradient of a multiply gate w·x is upstream · x: the gate swaps its inputs, so the
weight's gradient is proportional to the input. Scaling every x by 1000 scales dL/dw by 1000,
so the same learning rate takes steps 1000 times larger (training diverges) unless it is
lowered by the same factor. Normalising the inputs (zero mean, unit variance) keeps the
gradients on a sensible scale and one learning rate works for all weights.
"""),
]

# ====================================================================== problem set 2
PS2 = ProblemSet("ps2_layers", "Problem set 2 — layers")
PS2.cells = [
    md("intro", """
# Problem set 2 — layers

A layer is a gate for whole arrays, with the API of seed 003: `forward(x)` caches what it needs,
`backward(dout)` returns `dx` and stores the parameter gradients as attributes (`dW`, `db`).
Here `x` holds one example per row: shape (N, D). You will write the affine layer, two
activations, softmax cross-entropy, a numerical gradient checker, and train a two-layer
network on spirals.

The same rules as before: code where it says `# YOUR CODE HERE`, run the tests, leave the test
cells alone.
"""),
    setup("setup", IMPORTS),
    md("q1_text", """
## 1. The affine layer (4 points)

out = x·W + b with x (N, D), W (D, M), b (M,). Seed 003's `backward` writes `np.dot(dout, W)`
and `np.dot(x, dout)` — the shapes do not even fit. Use dimension analysis: `dx` must have the
shape of `x`, `dW` the shape of `W`, and `db` the shape of `b` (b is added to every row, so
its gradient sums over the batch).
"""),
    answer("q1_affine", '''
class Affine:
    """out = x @ W + b.  dx = dout @ W.T, dW = x.T @ dout, db = dout summed over rows."""

    def __init__(self, W, b):
        self.W, self.b = W, b
        self.params = {"W": W, "b": b}
        self.x = self.dW = self.db = None

    def forward(self, x):
        ### BEGIN SOLUTION
        self.x = x
        return x @ self.W + self.b
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T
        ### END SOLUTION
'''),
    tests("q1_tests", "ps2.affine", ("Affine",), 4),
    md("q2_text", """
## 2. ReLU and sigmoid layers (3 points)

ReLU passes the upstream gradient where x > 0 and blocks it elsewhere (also at exactly 0).
The sigmoid layer multiplies it by σ(x)(1 − σ(x)), computed from the cached output.
"""),
    answer("q2_activations", '''
class ReLU:
    def forward(self, x):
        ### BEGIN SOLUTION
        self.mask = x > 0
        return np.where(self.mask, x, 0.0)
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        return dout * self.mask
        ### END SOLUTION


class Sigmoid:
    def forward(self, x):
        ### BEGIN SOLUTION
        self.out = 1.0 / (1.0 + np.exp(-x))
        return self.out
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        return dout * self.out * (1.0 - self.out)
        ### END SOLUTION
'''),
    tests("q2_tests", "ps2.activations", ("ReLU", "Sigmoid"), 3),
    md("q3_text", """
## 3. Softmax cross-entropy (4 points)

`softmax_cross_entropy(scores, y)` with scores (N, C) and integer labels y (N,) returns
`(loss, dscores)`: the mean over the batch of −log softmax(scores)[y], and its gradient
(p − onehot(y)) / N. Subtract each row's maximum before `exp` so large scores do not overflow.
"""),
    answer("q3_softmax", '''
def softmax_cross_entropy(scores, y):
    """Mean cross-entropy of softmax(scores) against labels y, and d loss / d scores."""
    ### BEGIN SOLUTION
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y].mean()
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1.0
    return loss, dscores / n
    ### END SOLUTION
'''),
    tests("q3_tests", "ps2.softmax_ce", ("softmax_cross_entropy",), 4),
    md("q4_text", """
## 4. A numerical gradient checker (3 points)

Write `numerical_gradient(f, x, h=1e-5)` for a scalar function f of a float64 array x: for
every entry, nudge it by ±h, take the centered difference (f(x+h) − f(x−h)) / 2h, and put the
entry back (seed 003 walks the entries with `np.nditer`). x must be unchanged afterwards.
"""),
    answer("q4_numgrad", '''
def numerical_gradient(f, x, h=1e-5):
    """Centered-difference gradient of the scalar function f at the float64 array x."""
    ### BEGIN SOLUTION
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        idx = it.multi_index
        old = x[idx]
        x[idx] = old + h
        f_plus = f(x)
        x[idx] = old - h
        f_minus = f(x)
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * h)
        it.iternext()
    return grad
    ### END SOLUTION
'''),
    tests("q4_tests", "ps2.numerical_gradient", ("numerical_gradient",), 3),
    demo("q4_use", '''
# Use your checker on your affine layer (relative errors around 1e-9 or smaller mean "right").
if grading.interactive():
    rng = np.random.default_rng(0)
    x, W, b, dout = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=(4, 2))
    layer = Affine(W, b)
    layer.forward(x)
    dx = layer.backward(dout)
    dx_num = numerical_gradient(lambda v: float(np.sum(layer.forward(v) * dout)), x.copy())
    print("rel error dx:", bl.rel_error(dx, dx_num))
'''),
    md("q5_text", """
## 5. Train a two-layer network (4 points)

`TwoLayerNet` (given) stacks Affine → ReLU → Affine. Write `train_two_layer(X, y)`: full-batch
gradient descent on your softmax cross-entropy — forward through the layers, backward in
reverse order, then update every parameter in place (`p -= lr * grad`). It must reach **at
least 90 % accuracy on held-out points** of the 3-class spirals below, in a few seconds.
"""),
    setup("q5_given", '''
class TwoLayerNet:
    """Affine(D → H) → ReLU → Affine(H → C); predict = argmax of the scores."""

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        rng = np.random.default_rng(seed)
        self.layers = [Affine(rng.normal(size=(n_in, n_hidden)), np.zeros(n_hidden)), ReLU(),
                       Affine(0.1 * rng.normal(size=(n_hidden, n_out)), np.zeros(n_out))]

    def scores(self, X):
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def predict(self, X):
        return np.argmax(self.scores(X), axis=1)


X_train, y_train, X_test, y_test = grading.spiral_split()
'''),
    answer("q5_train", '''
def train_two_layer(X, y, n_hidden=100, lr=1.0, steps=1500, seed=0):
    """Train a TwoLayerNet on (X, y) and return it."""
    ### BEGIN SOLUTION
    model = TwoLayerNet(X.shape[1], n_hidden, int(y.max()) + 1, seed)
    for _ in range(steps):
        _, dscores = softmax_cross_entropy(model.scores(X), y)
        grad = dscores
        for layer in reversed(model.layers):
            grad = layer.backward(grad)
        for layer in model.layers:
            for name, param in getattr(layer, "params", {}).items():
                param -= lr * getattr(layer, "d" + name)
    return model
    ### END SOLUTION
'''),
    tests("q5_tests", "ps2.train", ("train_two_layer",), 4,
          needs=("q1_affine", "q2_activations", "q3_softmax")),
    *written("q6_written", 2, """
## 6. Written answer (2 points, graded by hand)

You check a ReLU network with your numerical gradient checker. All relative errors are
around 1e-9, except one input where it is 1e-2. What is the likely cause, and why is it not a
bug in your backward pass? How would you make the check reliable?
""", """
A kink: for that input some ReLU's pre-activation lies within h of 0, so x+h and x−h fall on
different sides of the kink and the centered difference averages the two slopes (0 and 1),
while the analytic gradient uses one side. The backward pass is right; the numerical estimate
is not valid there. Check at points away from kinks (or with fewer data points / a smaller h),
or check that the mismatching entries are exactly those with |pre-activation| < h.
"""),
]

# ====================================================================== problem set 3
PS3 = ProblemSet("ps3_cnn_rnn", "Problem set 3 — CNN and RNN")
PS3.cells = [
    md("intro", """
# Problem set 3 — backprop in CNNs and RNNs

Seed 002: in a convolution each input feeds several outputs, so its gradient collects the
contributions of all of them — which is a *full convolution of the upstream gradient with the
kernel rotated by 180°*. In an RNN the same W is used at every step, so the gradient that
travels back through time is multiplied by (roughly) W again and again: it explodes when that
factor is above 1 and vanishes below. You will write both backward passes, clip gradients, and
measure the effect.
"""),
    setup("setup", IMPORTS + '''

def conv2d_forward(x, w):
    """out[i, j] = sum over a, b of x[i + a, j + b] * w[a, b]  ('valid', stride 1)."""
    hh, ww = w.shape
    out = np.zeros((x.shape[0] - hh + 1, x.shape[1] - ww + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + hh, j:j + ww] * w)
    return out


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    """h = tanh(x @ Wx + h_prev @ Wh + b); returns (h, cache) with cache = (x, h_prev, Wx, Wh, h)."""
    h = np.tanh(x @ Wx + h_prev @ Wh + b)
    return h, (x, h_prev, Wx, Wh, h)
'''),
    md("q1_text", """
## 1. Convolution backward (4 points)

Write `conv2d_backward(dout, x, w)` → `(dx, dw)` for `conv2d_forward` above (one channel,
stride 1). Go back over the forward loops: output (i, j) used the window
`x[i:i+hh, j:j+ww]` times `w`, so it sends `dout[i, j] * w` to that window of `dx` and
`dout[i, j] * window` to `dw`.
"""),
    answer("q1_conv", '''
def conv2d_backward(dout, x, w):
    """Gradients (dx, dw) of conv2d_forward for the upstream gradient dout."""
    ### BEGIN SOLUTION
    hh, ww = w.shape
    dx, dw = np.zeros_like(x), np.zeros_like(w)
    for i in range(dout.shape[0]):
        for j in range(dout.shape[1]):
            dx[i:i + hh, j:j + ww] += dout[i, j] * w
            dw += dout[i, j] * x[i:i + hh, j:j + ww]
    return dx, dw
    ### END SOLUTION
'''),
    tests("q1_tests", "ps3.conv_backward", ("conv2d_backward",), 4),
    md("q2_text", """
## 2. The rotated-kernel view (2 points)

Now compute the same `dx` without looping over outputs: pad `dout` with `hh − 1` rows and
`ww − 1` columns of zeros on every side, and run `conv2d_forward` on it with the kernel rotated
by 180° (`np.rot90(w, 2)`). Write `conv_dx_rotated(dout, w)`.
"""),
    answer("q2_rotated", '''
def conv_dx_rotated(dout, w):
    """dx as the full convolution of dout with the 180°-rotated kernel."""
    ### BEGIN SOLUTION
    hh, ww = w.shape
    padded = np.pad(dout, ((hh - 1, hh - 1), (ww - 1, ww - 1)))
    return conv2d_forward(padded, np.rot90(w, 2))
    ### END SOLUTION
'''),
    tests("q2_tests", "ps3.conv_rotated", ("conv_dx_rotated",), 2),
    md("q3_text", """
## 3. One RNN step backward (4 points)

For h = tanh(a), a = x·Wx + h_prev·Wh + b (x (N, D), h_prev (N, H)), write
`rnn_step_backward(dh, cache)` → `(dx, dh_prev, dWx, dWh, db)`. First da = dh · (1 − h²), then
the affine rules of problem set 2, twice.
"""),
    answer("q3_rnn_step", '''
def rnn_step_backward(dh, cache):
    """Backward of rnn_step_forward: (dx, dh_prev, dWx, dWh, db)."""
    x, h_prev, Wx, Wh, h = cache
    ### BEGIN SOLUTION
    da = dh * (1.0 - h ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)
    ### END SOLUTION
'''),
    tests("q3_tests", "ps3.rnn_step", ("rnn_step_backward",), 4),
    md("q4_text", """
## 4. Backpropagation through time (4 points)

The forward pass ran `rnn_step_forward` for t = 0 … T−1 and kept the caches. `dhs` (T, N, H)
holds the loss's gradient with respect to every hidden state directly. Write
`rnn_backward(dhs, caches)` → `(dxs, dh0, dWx, dWh, db)`: walk t from T−1 down to 0; the
gradient reaching h_t is `dhs[t]` **plus** what step t+1 sends back through `h_prev`; the
weights are shared by all steps, so their gradients add up over time.
"""),
    answer("q4_bptt", '''
def rnn_backward(dhs, caches):
    """BPTT over all steps: (dxs, dh0, dWx, dWh, db)."""
    ### BEGIN SOLUTION
    _, _, Wx, Wh, _ = caches[0]
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
    dxs = [None] * len(caches)
    dh_next = np.zeros_like(dhs[0])
    for t in reversed(range(len(caches))):
        dx, dh_next, dWx_t, dWh_t, db_t = rnn_step_backward(dhs[t] + dh_next, caches[t])
        dxs[t] = dx
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return np.stack(dxs), dh_next, dWx, dWh, db
    ### END SOLUTION
'''),
    tests("q4_tests", "ps3.bptt", ("rnn_backward",), 4, needs=("q3_rnn_step",)),
    md("q5_text", """
## 5. Gradient clipping (2 points)

Pascanu, Mikolov & Bengio (2013): when the global norm ‖g‖ = sqrt(Σ over all arrays of Σ g²)
exceeds `max_norm`, scale **every** gradient by max_norm / ‖g‖ (one factor for all arrays, so
the direction is kept). Write `clip_by_global_norm(grads, max_norm)` → `(clipped, norm)` with
`clipped` a list of new arrays and `norm` the global norm before clipping.
"""),
    answer("q5_clip", '''
def clip_by_global_norm(grads, max_norm):
    """Scale all gradients together so their global norm is at most max_norm."""
    ### BEGIN SOLUTION
    norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [g * scale for g in grads], norm
    ### END SOLUTION
'''),
    tests("q5_tests", "ps3.clipping", ("clip_by_global_norm",), 2),
    md("q6_text", """
## 6. Experiment: vanishing and exploding gradients (2 points)

Take a linear RNN, h_t = h_(t−1)·W, and a loss whose gradient at the last state h_T is `g`.
Write `gradient_norms(W, T, g)` returning the array [‖∂L/∂h_T‖, ‖∂L/∂h_(T−1)‖, …, ‖∂L/∂h_0‖]
(T + 1 numbers; each step back multiplies by Wᵀ), and `growth_rate(norms)`: exp of the slope
of a least-squares line through log(norms) against the step k — the factor per step back.
For W = ρ·Q with Q orthogonal the rate is exactly ρ. Then run the experiment cell and answer
question 7.
"""),
    answer("q6_norms", '''
def gradient_norms(W, T, g):
    """Norms of dL/dh_(T-k) for k = 0..T in the linear RNN h_t = h_(t-1) @ W."""
    ### BEGIN SOLUTION
    norms = [np.linalg.norm(g)]
    grad = g
    for _ in range(T):
        grad = grad @ W.T
        norms.append(np.linalg.norm(grad))
    return np.array(norms)
    ### END SOLUTION


def growth_rate(norms):
    """Factor per step back in time: exp(slope of log(norms) against k)."""
    ### BEGIN SOLUTION
    k = np.arange(len(norms))
    slope = np.polyfit(k, np.log(norms), 1)[0]
    return float(np.exp(slope))
    ### END SOLUTION
'''),
    tests("q6_tests", "ps3.vanishing", ("gradient_norms", "growth_rate"), 2),
    demo("q6_experiment", '''
# The experiment: gradient norm against steps back in time, for several spectral radii.
if grading.interactive():
    import matplotlib.pyplot as plt
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.normal(size=(16, 16)))
    g = rng.normal(size=16)
    fig, ax = plt.subplots(figsize=(6, 4))
    for rho in (0.5, 0.9, 1.0, 1.1, 1.5):
        norms = gradient_norms(rho * Q, 40, g)
        ax.semilogy(norms, label=f"ρ = {rho}: rate {growth_rate(norms):.3f}")
    ax.set_xlabel("steps back in time k")
    ax.set_ylabel("‖∂L/∂h(T−k)‖")
    ax.legend()
    plt.show()
    # the same live, with tanh and clipping: sliders for ρ, T, activation, threshold
    grading.show(bl.widgets.RNNGradientExplorer)
'''),
    *written("q7_written", 2, """
## 7. Written answer (2 points, graded by hand)

From your plot: how does the gradient norm behave for ρ < 1, ρ = 1 and ρ > 1 as k grows, and
why (use the backward rule of the matrix product)? Which of the two problems does gradient
clipping fix, and why can it not fix the other one?
""", """
Each step back multiplies the gradient by Wᵀ = ρ·Qᵀ, and Q keeps norms, so ‖∂L/∂h_(T−k)‖ =
ρ^k ‖g‖: it shrinks geometrically for ρ < 1 (vanishing), stays constant for ρ = 1 and grows
geometrically for ρ > 1 (exploding) — a straight line on the log plot with slope log ρ.
Clipping fixes exploding gradients: it caps the size of the update while keeping its
direction. It cannot fix vanishing gradients: a tiny gradient carries almost no information
about early steps, and rescaling cannot restore it; that needs a different architecture
(LSTM/GRU gating, orthogonal initialisation, skip connections).
"""),
]

PROBLEM_SETS = {ps.name: ps for ps in (PS1, PS2, PS3)}


# ====================================================================== notebook writing
def _metadata(cell: Cell) -> dict:
    grade = cell.kind in ("tests", "written")
    solution = cell.kind in ("answer", "written")
    meta = {"grade": grade, "grade_id": cell.id, "locked": not solution,
            "schema_version": 3, "solution": solution, "task": False}
    if grade:
        meta["points"] = cell.points
    if cell.kind == "demo" or cell.kind == "setup":
        meta["locked"] = True
    return {"nbgrader": meta}


def notebook(ps: ProblemSet) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for cell in ps.cells:
        markdown = cell.kind in ("md", "written")
        make = nbformat.v4.new_markdown_cell if markdown else nbformat.v4.new_code_cell
        nb_cell = make(cell.source, metadata=_metadata(cell))
        nb_cell.id = cell.id.replace("_", "-")
        nb.cells.append(nb_cell)
    nbformat.validate(nb)
    return nb


def render(ps: ProblemSet) -> str:
    return nbformat.writes(notebook(ps)) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for ps in PROBLEM_SETS.values():
        path = ps.path()
        text = render(ps)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path} ({ps.auto_points} autograded + {ps.manual_points} manual points)")
    if stale:
        print("out of date (run python assignments/build_assignments.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
