"""A Chinese lesson in a real JupyterLab in Chromium: lessons/zh/02_chain_rule.ipynb runs, its
checked question shows its Chinese prompt and Chinese buttons in the widget, a right answer
typed in the browser is judged right — in Chinese — and the lesson's BackwardStepper shows
Chinese buttons and words.  (The JupyterLab/Chromium fixtures are those
of tests/test_browser.py; it skips or fails the same way when Chromium is missing.)"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from test_browser import ARTIFACTS, CHROMIUM_ARGS, chromium, jupyterlab, run_notebook  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "lessons" / "zh" / "02_chain_rule.ipynb"
PROMPT = "用链式法则"            # the first checked question of the Chinese lesson 02


def test_chinese_lesson_shows_chinese_text_in_a_widget(tmp_path, chromium, jupyterlab):  # noqa: F811
    executable, sync_playwright = chromium
    base, token = jupyterlab
    shutil.copy(LESSON, tmp_path / LESSON.name)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(f"{base}/lab/tree/{LESSON.name}?token={token}")
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            run_notebook(page, widget=".backprop-lab-question")
            # the whole lesson has run (its last widget, the drill, is shown) and the kernel is
            # idle again: a click is answered at once, not after the cells still queued
            page.locator(".backprop-lab-gradient-drill").first.wait_for(timeout=180_000)
            page.wait_for_function("() => /\\| Idle/.test(document.body.innerText)",
                                   timeout=180_000)
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
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "browser_failure_zh.png"), timeout=20_000)
            outputs = page.locator(".jp-OutputArea").all_text_contents()
            raise AssertionError(f"Chinese lesson browser test failed; screenshot in "
                                 f"{ARTIFACTS / 'browser_failure_zh.png'}; outputs: {outputs[:20]}")
        finally:
            browser.close()
