"""GradientDrill: fill in the gradient on every wire of a random circuit, and get told.

    from backprop_lab.practice import GradientDrill
    GradientDrill(level=3, seed=7)     # the same circuit every time for the same seed

The circuit is drawn with its forward values (green); below it, one box per wire for
∂f/∂(wire).  **Check** colours each box green (right) or red (wrong), writes the answer on
its wire in the drawing (✓ green, ✗ red) and names the mistake when it is a classic one (sign flipped, upstream not multiplied in, the multiply
gate's swap, max routed to the wrong input, fan-out not summed ...).  **Next step**
reveals one gate's backward at a time (upstream × local, from the engine's own
``Graph.backward_steps``), **Solution** reveals them all, **New circuit** draws another
one of the same level.  Level 5 asks for the *shape* of each gradient first, then its
entries.

The drill keeps a count of circuits solved and a streak (circuits solved in a row without
Next step or Solution) for the whole session: :data:`SESSION`, shared by every drill in the
kernel.

Every widget is an attribute, so a test (or a curious student) can drive it from Python:
``drill.answer("x", "-4")``, ``drill.check()``, ``drill.rows["x"].feedback.value``.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from ..i18n import tr
from ..values import format_value
from ..widgets.base import CircuitView
from .checking import (EMPTY, RIGHT, UNREADABLE, WRONG, Verdict, check_shape, check_wire,
                       feedback_html)
from .circuits import LEVELS, Circuit, Wire, make_circuit

__all__ = ["GradientDrill", "Score", "SESSION", "RIGHT_BG", "WRONG_BG", "REVEALED_BG"]

RIGHT_BG = "#dafbe1"       # a right answer's box: light green
WRONG_BG = "#ffebe9"       # a wrong one: light red
REVEALED_BG = "#eaeef2"    # shown by Next step / Solution: grey
RIGHT_COLOR = "#1a7f37"
WRONG_COLOR = "#cf222e"
MUTED_COLOR = "#57606a"


@dataclass
class Score:
    """Circuits solved and the streak, for a session (all drills in one kernel)."""

    solved: int = 0
    streak: int = 0
    best: int = 0
    checks: int = 0

    def record(self, on_your_own: bool) -> None:
        self.solved += 1
        self.streak = self.streak + 1 if on_your_own else 0
        self.best = max(self.best, self.streak)

    def broken(self) -> None:
        self.streak = 0

    def text(self) -> str:
        return tr("solved {solved} · streak {streak} (best {best})", solved=self.solved,
                  streak=self.streak, best=self.best)


SESSION = Score()


def _grad_label(name: str) -> str:
    return f"∂f/∂{name} ="


def level_text(level: int) -> str:
    """``LEVELS[level]`` in the notebook's language."""
    return {1: tr("add and multiply"), 2: tr("max, σ, exp, 1/x, +c, ×a, x²"),
            3: tr("fan-out: a value used twice"), 4: tr("a neuron and staged expressions"),
            5: tr("vectors and matrices")}[level]


class WireRow(widgets.HBox):
    """One wire's answer: a box (level 5: a shape box, then a grid of entry boxes) and
    the feedback next to it."""

    def __init__(self, wire: Wire):
        self.wire = wire
        self.arrays = isinstance(wire.gradient, np.ndarray)
        label = html.escape(_grad_label(wire.name))
        self.label = widgets.HTML(f"<span style='font-size:14px'>{label}</span>",
                                  layout=widgets.Layout(width="70px", flex="0 0 auto"))
        self.box = widgets.Text(placeholder=tr("shape, e.g. 2x3") if self.arrays else "?",
                                layout=widgets.Layout(width="120px" if self.arrays else "90px",
                                                      flex="0 0 auto"))
        self.box.add_class("backprop-lab-answer")
        self.entries: list[widgets.Text] = []
        self.grid = widgets.GridBox([], layout=widgets.Layout(display="none"))
        self.feedback = widgets.HTML(layout=widgets.Layout(flex="1 1 auto"))
        self.feedback.add_class("backprop-lab-feedback")
        self.shape_right = False
        self.verdict: Verdict | None = None
        self.revealed = False
        parts = [self.label, self.box] + ([self.grid] if self.arrays else []) + [self.feedback]
        super().__init__(parts, layout=widgets.Layout(align_items="center"))
        self.add_class("backprop-lab-wire")
        self.add_class(f"backprop-lab-wire-{wire.name}")

    # -- what the student typed -------------------------------------------------
    def open_entries(self) -> None:
        """Level 5: the shape is right, show one box per entry."""
        if self.entries:
            return
        shape = self.wire.shape
        rows, cols = (shape + (1,))[:2] if len(shape) == 1 else shape
        self.entries = [widgets.Text(placeholder="?", layout=widgets.Layout(width="52px"))
                        for _ in range(rows * cols)]
        for entry in self.entries:
            entry.add_class("backprop-lab-entry")
        self.grid.children = self.entries
        self.grid.layout = widgets.Layout(display="grid",
                                          grid_template_columns=f"repeat({cols}, 56px)",
                                          grid_gap="2px", margin="0 8px")
        self.shape_right = True
        self.box.disabled = True

    def entry_values(self):
        shape = self.wire.shape
        texts = [e.value for e in self.entries]
        if not any(t.strip() for t in texts):
            return None
        return np.array(texts, dtype=object).reshape(shape)

    def answer(self):
        """What to check: the typed text (scalars), the entries (level 5), or None."""
        if not self.arrays:
            return self.box.value
        return self.entry_values() if self.shape_right else None

    # -- showing a verdict ------------------------------------------------------
    def show(self, verdict: Verdict) -> None:
        self.verdict = verdict
        if verdict.status == RIGHT:
            color, background, mark = RIGHT_COLOR, RIGHT_BG, "✓ " + tr("right")
        elif verdict.status == WRONG:
            color, background, mark = WRONG_COLOR, WRONG_BG, f"✗ {verdict.text}"
        elif verdict.status == UNREADABLE:
            color, background, mark = WRONG_COLOR, "", f"? {verdict.text}"
        else:
            color, background, mark = MUTED_COLOR, "", verdict.text
        text = mark + (f" — {verdict.hint}" if verdict.hint else "")
        self.feedback.value = (f"<span class='backprop-lab-{verdict.status}' "
                               f"style='color:{color};white-space:normal'>{feedback_html(text)}</span>")
        if self.arrays and self.shape_right and verdict.entries_right is not None:
            for entry, ok in zip(self.entries, np.ravel(verdict.entries_right)):
                entry.style.background = RIGHT_BG if ok else WRONG_BG
        else:
            self.box.style.background = background

    def reveal(self, precision: int) -> None:
        """Show the engine's gradient in the feedback (grey): no credit for this wire."""
        self.revealed = True
        value = self.wire.gradient
        text = (tr("shape {shape}: {value}", shape=self.wire.shape,
                   value=np.array2string(np.asarray(value), precision=precision))
                if self.arrays else format_value(value, precision))
        self.feedback.value = (f"<span class='backprop-lab-revealed' style='color:{MUTED_COLOR}'>"
                               f"{html.escape(tr('shown: {text}', text=text))}</span>")
        if not (self.verdict and self.verdict.right):
            self.box.style.background = REVEALED_BG


class GradientDrill(widgets.VBox):
    """A random circuit to backpropagate by hand, checked wire by wire.

    ``level``: 1 (add and multiply) to 5 (vectors and matrices), see :data:`LEVELS`;
    ``seed``: the circuit (None: a fresh one); ``kind``: a family within the level;
    ``wires``: which gradients to ask for: ``"all"`` (every wire), ``"inputs"`` (the
    leaves only) or a list of wire names; ``precision``: significant digits of the numbers
    drawn.
    ``circuit`` is the current :class:`Circuit`, ``rows`` the answer rows by wire name,
    ``verdicts`` the last check, ``step`` how many gates Next step has revealed.
    """

    def __init__(self, level: int = 1, seed: int | None = None, *, kind: str | None = None,
                 wires="all", precision: int = 4, score: Score | None = None):
        if level not in LEVELS:
            raise ValueError(f"GradientDrill: level must be one of {sorted(LEVELS)} "
                             f"({'; '.join(f'{k}: {v}' for k, v in LEVELS.items())}); got {level!r}.")
        if not (wires in ("all", "inputs") or (isinstance(wires, (list, tuple)) and wires
                                                and all(isinstance(w, str) for w in wires))):
            raise ValueError(f"GradientDrill(wires=...): expected 'all', 'inputs' or a list of "
                             f"wire names, got {wires!r}.")
        self.level, self.kind, self.precision, self.wires = level, kind, precision, wires
        self.score = SESSION if score is None else score
        self.header = widgets.HTML()
        self.formula = widgets.HTML()
        self.circuit_view = CircuitView()
        self.values = widgets.HTML()
        self.answers_box = widgets.VBox()
        self.check_button = widgets.Button(description=tr("Check"), button_style="primary",
                                           icon="check", tooltip=tr("check every answer"))
        self.step_button = widgets.Button(description=tr("Next step"), icon="step-forward",
                                          tooltip=tr("reveal one gate's backward: upstream × local"))
        self.solution_button = widgets.Button(description=tr("Solution"), icon="eye",
                                              tooltip=tr("reveal every gradient"))
        self.new_button = widgets.Button(description=tr("New circuit"), icon="refresh",
                                         tooltip=tr("another level-{level} circuit", level=level))
        for button, action in ((self.check_button, self.check),
                               (self.step_button, self.next_step),
                               (self.solution_button, self.show_solution),
                               (self.new_button, self.new_circuit)):
            button.on_click(lambda _, action=action: action())
        self.explanation = widgets.HTML()
        self.status = widgets.HTML()
        buttons = widgets.HBox([self.check_button, self.step_button, self.solution_button,
                                self.new_button])
        super().__init__([self.header, self.formula, self.circuit_view, self.values,
                          self.answers_box, buttons, self.status, self.explanation])
        self.add_class("backprop-lab-gradient-drill")
        self.new_circuit(seed)

    # -- a circuit ------------------------------------------------------------------
    def new_circuit(self, seed: int | None = None) -> Circuit:
        """Draw a new circuit of this level (``seed``: which one; None: a fresh one)."""
        self.circuit = make_circuit(self.level, seed, self.kind)
        self.step = 0
        self.counted = False          # solved and scored already
        self.helped = False           # Next step or Solution used on this circuit
        self.solution_shown = False
        self.verdicts: dict[str, Verdict] = {}
        self.rows = {wire.name: WireRow(wire) for wire in self._asked(self.circuit)}
        self.answers_box.children = list(self.rows.values())
        self.header.value = (f"<b>{tr('Gradient drill — level {level}:', level=self.level)}</b> "
                             f"{html.escape(level_text(self.level))} "
                             f"<span style='color:{MUTED_COLOR}'>"
                             f"{tr('(circuit {seed})', seed=self.circuit.seed)}</span>")
        shapes = " " + tr("First its shape, then its entries.") if self.circuit.uses_arrays else ""
        self.formula.value = (
            f"<div style='font-size:15px'><b>{html.escape(self.circuit.formula)}</b>"
            f"<span style='color:{MUTED_COLOR}'> &nbsp; {tr('gates:')} "
            f"{html.escape(', '.join(self.circuit.equations))}</span></div>"
            f"<div style='color:{MUTED_COLOR}'>"
            f"{tr('Fill in the gradient of f on every wire, working back from f (where ∂f/∂f = 1), then press Check.')}"
            f"{shapes}</div>")
        self.values.value = self._values_html()
        self.explanation.value = ""
        self._draw()
        self._update_status()
        return self.circuit

    def _asked(self, circuit: Circuit) -> list[Wire]:
        if self.wires == "all":
            return circuit.wires
        if self.wires == "inputs":
            return [w for w in circuit.wires if w.node.gate is None]
        unknown = [n for n in self.wires if n not in circuit.names]
        if unknown:
            raise ValueError(f"GradientDrill(wires=...): {unknown} are not wires of "
                             f"{circuit.formula}; its wires are {circuit.names}.")
        return [circuit.wire(n) for n in self.wires]

    def _values_html(self) -> str:
        """Level 5: every matrix and vector in full (the drawing shows only a summary)."""
        if not self.circuit.uses_arrays:
            return ""
        tables = []
        for leaf in self.circuit.leaves:
            value = np.atleast_2d(leaf.value)
            if np.ndim(leaf.value) == 1:
                value = value.T                      # a vector is a column
            rows = "".join("<tr>" + "".join(
                f"<td style='padding:1px 6px;text-align:right'>{format_value(v, self.precision)}</td>"
                for v in row) + "</tr>" for row in value)
            what = tr("constant") if leaf.is_constant else tr("shape {shape}", shape=leaf.shape)
            tables.append(f"<div style='display:inline-block;margin-right:18px'>"
                          f"<b>{html.escape(leaf.name)}</b> <span style='color:{MUTED_COLOR}'>"
                          f"({what})</span><table style='border-left:1px solid #444;"
                          f"border-right:1px solid #444'>{rows}</table></div>")
        return "<div>" + "".join(tables) + "</div>"

    def _draw(self) -> None:
        """The circuit with the gradients revealed so far; the last revealed gate in orange."""
        steps = self.circuit.steps[:self.step]
        current = steps[-1] if steps and not self.solution_shown else None
        self.circuit_view.show(self.circuit.graph, grads=steps, precision=self.precision,
                               highlight=current, wire_notes=self._wire_notes())

    def _wire_notes(self) -> dict:
        """The student's checked answers on their wires, ✓ green or ✗ red (a wire whose
        gradient Next step or Solution revealed shows the engine's number instead)."""
        notes = {}
        for row in self.rows.values():
            verdict = row.verdict
            if row.revealed or verdict is None or verdict.status not in (RIGHT, WRONG):
                continue
            mark, colour = ("✓", RIGHT_COLOR) if verdict.right else ("✗", WRONG_COLOR)
            typed = "" if row.arrays else format_value(verdict.got, self.precision) + " "
            notes[row.wire.node] = (typed + mark, colour)
        return notes

    # -- typing (for tests and scripts) --------------------------------------------
    def answer(self, name: str, value, entries=None) -> None:
        """Type ``value`` into the box of wire ``name`` (level 5: ``value`` is the shape;
        ``entries``, when given after a right shape, fill the entry boxes)."""
        if name not in self.rows:
            raise KeyError(f"this drill has no wire named {name!r}; its wires are "
                           f"{list(self.rows)}.")
        row = self.rows[name]
        if not row.arrays:
            row.box.value = str(value)
            return
        if value is not None and not row.shape_right:
            row.box.value = str(value)
        if entries is not None:
            if not row.entries:
                raise ValueError(f"the entries of ∂f/∂{name} open once its shape is checked "
                                 f"right; check the shape first.")
            for entry, text in zip(row.entries, np.ravel(np.asarray(entries, dtype=object))):
                entry.value = str(text)

    def typed(self) -> dict:
        """What the student typed, by wire (readable or not)."""
        return {name: row.answer() for name, row in self.rows.items()}

    # -- the buttons ------------------------------------------------------------------
    def check(self) -> dict:
        """Check every answer typed; returns ``{name: Verdict}`` and colours the boxes."""
        typed = self.typed()
        verdicts = {}
        for name, row in self.rows.items():
            if row.arrays and not row.shape_right:
                verdict = check_shape(self.circuit, name, row.box.value)
                if verdict.right:
                    row.open_entries()
                    verdict = Verdict(name, EMPTY, tr("right shape — now the entries"))
                    row.box.style.background = RIGHT_BG
            else:
                verdict = check_wire(self.circuit, name, typed[name],
                                     {k: v for k, v in typed.items() if v is not None})
            row.show(verdict)
            verdicts[name] = verdict
        self.verdicts = verdicts
        self.score.checks += 1
        self._draw()                                   # the answers, marked, on the wires
        if verdicts and any(v.status == WRONG for v in verdicts.values()):
            self._update_status(tr("Not all right yet: read the hints, fix, and Check again."))
        elif self.solved and not self.counted:
            self.counted = True
            self.score.record(on_your_own=not self.helped)
            self._update_status(tr("All right — well done! New circuit for another one."))
        else:
            self._update_status()
        return verdicts

    @property
    def solved(self) -> bool:
        """Every wire has been checked right."""
        return all(row.verdict is not None and row.verdict.right for row in self.rows.values())

    def next_step(self) -> None:
        """Reveal the next gate's backward (from the output back): upstream × local."""
        steps = self.circuit.steps
        if self.step >= len(steps):
            return
        self._helped()
        self.step += 1
        step = steps[self.step - 1]
        for row in self.rows.values():
            # a wire is complete once every gate using it has sent its share back
            users = [k for k, s in enumerate(steps)
                     if any(child is row.wire.node for child in s.node.inputs)]
            if not row.revealed and users and max(users) < self.step:
                row.reveal(self.precision)
        lines = [tr("Step {step} of {steps}: {words}", step=self.step, steps=len(steps), words=step.describe())]
        self.explanation.value = (f"<pre style='font-size:13px;line-height:1.4'>"
                                  f"{html.escape(chr(10).join(lines))}</pre>")
        self._draw()
        self.step_button.disabled = self.step >= len(steps)

    def show_solution(self) -> None:
        """Reveal every gradient (and every step's words)."""
        self._helped()
        self.step = len(self.circuit.steps)
        self.solution_shown = True
        for row in self.rows.values():
            row.reveal(self.precision)
        text = "\n\n".join(tr("Step {step}: {words}", step=k + 1, words=s.describe())
                           for k, s in enumerate(self.circuit.steps))
        self.explanation.value = (f"<pre style='font-size:13px;line-height:1.4'>"
                                  f"{html.escape(text)}</pre>")
        self._draw()
        self.step_button.disabled = True

    def _helped(self) -> None:
        if not self.helped and not self.counted:
            self.helped = True
            self.score.broken()
            self._update_status()

    def _update_status(self, message: str = "") -> None:
        self.step_button.disabled = self.step >= len(self.circuit.steps)
        note = f"{html.escape(message)} &nbsp; " if message else ""
        self.status.value = (f"<div>{note}<span style='color:{MUTED_COLOR}'>{tr('This session:')} "
                             f"{html.escape(self.score.text())}</span></div>")

    @property
    def svg(self) -> str:
        return self.circuit_view.svg
