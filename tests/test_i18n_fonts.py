"""Chinese plot labels: the CJK font comes from pip (noto-cjk-sans-otc, SIL OFL 1.1) and is
registered with matplotlib in memory when a notebook chooses Chinese.  Each check runs in a
fresh interpreter, like a new kernel, so matplotlib's settings of this process stay as they are."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

RENDER = textwrap.dedent("""
    import json, sys, warnings
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import backprop_lab as bl
    if sys.argv[1] != "none":
        bl.set_language(sys.argv[1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot([-2.0, 1.0], label="上游梯度 × 局部梯度")
        ax.set_title("反向传播：梯度 ∂f/∂x = −4")
        ax.set_xlabel("时间步 k"); ax.legend()
        fig.savefig(sys.argv[2], dpi=50)
    print(json.dumps({"warnings": [str(w.message) for w in caught],
                      "family": list(matplotlib.rcParams["font.family"])}))
""")


def _render(language: str, tmp_path: Path) -> dict:
    env = dict(os.environ, MPLBACKEND="Agg")
    out = subprocess.run([sys.executable, "-c", RENDER, language, str(tmp_path / "plot.png")],
                         capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_chinese_labels_render_without_missing_glyphs(tmp_path):
    result = _render("zh", tmp_path)
    assert not [w for w in result["warnings"] if "missing from font" in w], result["warnings"]
    assert result["family"][-1] == "Noto Sans CJK SC"
    assert (tmp_path / "plot.png").stat().st_size > 1000


def test_without_the_chinese_setting_matplotlib_warns_about_missing_glyphs(tmp_path):
    """The check above can fail: the same plot in an English kernel falls back to boxes."""
    result = _render("none", tmp_path)
    assert any("missing from font" in w for w in result["warnings"])


def test_use_cjk_font_is_idempotent_and_keeps_latin_in_the_default_font():
    script = ("import matplotlib, backprop_lab.i18n.fonts as f\n"
              "f.use_cjk_font(); f.use_cjk_font()\n"
              "names = [e.name for e in matplotlib.font_manager.fontManager.ttflist]\n"
              "print(names.count('Noto Sans CJK SC'), matplotlib.rcParams['font.family'])")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1 ['sans-serif', 'Noto Sans CJK SC']"


def test_the_font_package_carries_the_open_font_licence():
    dist = metadata.distribution("noto-cjk-sans-otc")
    assert dist.metadata["License-Expression"] == "OFL-1.1"
    licence = next(f for f in dist.files if f.name == "LICENSE")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence.read_text()
    from backprop_lab.i18n.fonts import font_path
    path = font_path()
    assert path.suffix == ".ttc" and 15e6 < path.stat().st_size < 25e6
    from matplotlib.ft2font import FT2Font
    faces = [FT2Font(str(path), face_index=i).family_name for i in range(FT2Font(str(path)).num_faces)]
    assert "Noto Sans CJK SC" in faces


def test_a_missing_font_package_is_a_clear_error(monkeypatch):
    from backprop_lab.i18n import fonts
    monkeypatch.setitem(sys.modules, "noto_cjk_sans_otc", None)     # import fails
    with pytest.raises(ImportError, match="noto-cjk-sans-otc.*python3 course.py lab"):
        fonts.font_path()
