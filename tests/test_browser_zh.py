"""A Chinese lesson in a real JupyterLab in Chromium: lessons/zh/02_chain_rule.ipynb runs, its
checked question shows its Chinese prompt and Chinese buttons in the widget, a right answer
typed in the browser is judged right — in Chinese — and the lesson's BackwardStepper shows
Chinese buttons and words.  (Chromium, JupyterLab and the page that
saves a screenshot on failure come from tests/browser_support.py, like tests/test_browser.py's;
it skips or fails the same way when Chromium is missing.)"""
from __future__ import annotations

import shutil

import pytest

from browser_support import (ARTIFACTS, KERNEL_IDLE, ROOT, chromium,  # noqa: F401 (fixtures)
                             jupyterlab, notebook_in_jupyterlab, run_notebook)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

LESSON = ROOT / "lessons" / "zh" / "02_chain_rule.ipynb"
PROMPT = "用链式法则"            # the first checked question of the Chinese lesson 02


def test_chinese_lesson_shows_chinese_text_in_a_widget(chromium, jupyterlab):
    shutil.copy(LESSON, jupyterlab.root / LESSON.name)
    with notebook_in_jupyterlab(chromium, jupyterlab, LESSON.name, "browser_failure_zh.png",
                                viewport={"width": 1200, "height": 900}) as page:
        run_notebook(page, widget=".backprop-lab-question")
        # the whole lesson has run (its last widget, the drill, is shown) and the kernel is
        # idle again: a click is answered at once, not after the cells still queued
        page.locator(".backprop-lab-gradient-drill").first.wait_for(timeout=180_000)
        page.wait_for_function(KERNEL_IDLE, timeout=180_000)
        question = page.locator(".backprop-lab-question", has_text=PROMPT).first
        question.wait_for(timeout=60_000)
        question.scroll_into_view_if_needed(timeout=30_000)   # off-screen cells render lazily
        assert PROMPT in question.text_content()
        question.locator("input").fill("-4")
        question.locator("button", has_text="检查").click()
        feedback = question.locator(".backprop-lab-feedback .backprop-lab-right")
        feedback.wait_for(timeout=60_000)
        assert "正确" in feedback.text_content()
        # a widget of backprop_lab.widgets, made in the Chinese kernel: Chinese buttons
        # and explanation (BackwardStepper of section 3)
        stepper = page.locator(".backprop-lab-backward-stepper").first
        stepper.scroll_into_view_if_needed(timeout=30_000)
        stepper.locator("button", has_text="前进").wait_for(timeout=60_000)
        assert "反向传播从" in stepper.text_content()
        question.screenshot(path=str(ARTIFACTS / "question_zh.png"), timeout=20_000)
