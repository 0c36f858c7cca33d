"""Every lesson, English and Korean, runs in a real JupyterLab in Chromium, and lesson 00's
dashboard answers its buttons.

A lesson passes when "Run All" executes every cell without an error, no widget fails to display,
and (lesson 00) Forward, Loss, Backward, Update each change the status line and the figure.
A screenshot of each lesson goes to test-artifacts/screenshots/NAME.png (ko-NAME.png for the
Korean edition, notebooks/ko/).
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

RUN_TIMEOUT_MS = 300_000  # a lesson's "Run All", from the click to the last cell's result
STEP_TIMEOUT_MS = 30_000  # one dashboard button, from the click to the new status text
WIDGET_ERROR = "Error displaying widget"
BROKEN_WIDGET = ".jupyter-widgets-error-widget"  # ipywidgets' view of a widget that failed to render
STEPS = ("forward", "loss", "backward", "update")
# The status line after one step, in either language: "iteration 1/4" or "이터레이션 1/4".
ONE_ITERATION = re.compile(r"(?:\biteration|이터레이션)\s*1\b")
LOSS_NUMBER = re.compile(r"\d+\.\d+|\d(?:\.\d+)?e[-+]?\d+", re.IGNORECASE)

# The open notebook as the front end sees it: kernel status and, per non-empty code cell, the
# execution count and any error outputs. null until the notebook `path` is the current tab.
NOTEBOOK_STATE = """
(path) => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.context || panel.context.path !== path || !panel.content.model) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = [];
  const model = panel.content.model;
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    if (cell.type !== 'code') continue;
    const source = cell.toJSON().source;
    // JupyterLab does not send an empty cell to the kernel, so it never gets a count
    if (!(Array.isArray(source) ? source.join('') : source).trim()) continue;
    const tags = (cell.getMetadata ? cell.getMetadata('tags') : null) || [];
    const errors = [];
    for (let j = 0; j < cell.outputs.length; j++) {
      const output = cell.outputs.get(j).toJSON();
      if (output.output_type === 'error' && !tags.includes('raises-exception')) errors.push(`cell ${i}: ${output.ename}: ${output.evalue}`);
    }
    cells.push({index: i, count: cell.executionCount, errors});
  }
  return {ready: panel.sessionContext.isReady, kernel: kernel ? kernel.status : null, cells};
}
"""

OPEN_AND_IDLE = f"(path) => {{ const s = ({NOTEBOOK_STATE})(path); return !!s && s.ready && s.kernel === 'idle'; }}"
CLEARED = f"(path) => ({NOTEBOOK_STATE})(path).cells.every(c => c.count === null)"
RUN_FINISHED = f"""(path) => {{
  const s = ({NOTEBOOK_STATE})(path);
  if (!s || s.kernel !== 'idle') return false;
  return s.cells.every(c => c.count !== null) || s.cells.some(c => c.errors.length > 0);
}}"""

# Tracebacks shown on stderr in the current notebook (error outputs, and exceptions printed by
# a callback), and matplotlib's missing-glyph and font warnings (a figure that would show empty
# boxes for Hangul), except in cells tagged raises-exception, which show an error on purpose.
SHOWN_TRACEBACKS = """
() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.widgets) return [];
  const found = [];
  for (const cell of panel.content.widgets) {
    const tags = (cell.model.getMetadata ? cell.model.getMetadata('tags') : null) || [];
    if (tags.includes('raises-exception')) continue;
    for (const e of cell.node.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')) {
      const text = e.innerText;
      if (/Traceback \\(most recent call last\\)|^\\s*\\w+(Error|Exception): |missing from font|findfont: /m.test(text)) found.push(text);
    }
  }
  return found;
}
"""


def wait_for(page, predicate: str, arg, timeout_ms: int, what: str) -> None:
    """Poll ``predicate`` in the page until it is true; fail with ``what`` and the page's state."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(predicate, arg=arg, timeout=timeout_ms, polling=200)
    except PlaywrightTimeout:
        dialogs = page.locator(".jp-Dialog").all_inner_texts()
        state = page.evaluate(NOTEBOOK_STATE, arg) if isinstance(arg, str) else None
        pytest.fail(f"timed out after {timeout_ms / 1000:.0f} s waiting for {what}; "
                    f"notebook state: {state}; dialogs: {dialogs}; page errors: {page.console_errors}")


def assert_no_errors_shown(page, when: str) -> None:
    text = page.evaluate("document.body.innerText")
    assert WIDGET_ERROR not in text, f"{when}: a widget failed to display:\n" + "\n".join(
        line for line in text.splitlines() if WIDGET_ERROR in line)
    broken = page.locator(BROKEN_WIDGET)
    if broken.count():
        broken.first.click()  # the error view shows its JavaScript error when clicked
        pytest.fail(f"{when}: {broken.count()} widget(s) failed to render: {broken.first.inner_text()}")
    tracebacks = page.evaluate(SHOWN_TRACEBACKS)
    assert not tracebacks, f"{when}: error output in the notebook:\n" + "\n---\n".join(tracebacks)


def run_all_cells(page, server, path: str) -> None:
    """Open ``path``, clear stored outputs, run every cell, and wait until the run is over."""
    page.goto(f"{server.url}/lab/tree/{quote(path)}?reset")
    wait_for(page, OPEN_AND_IDLE, path, 120_000, f"{path} to open with an idle kernel")
    assert_no_errors_shown(page, "as opened, before running")
    page.evaluate("window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    wait_for(page, CLEARED, path, 10_000, "stored outputs to be cleared")
    # not awaited: the run is watched below, through the kernel status and execution counts
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    wait_for(page, RUN_FINISHED, path, RUN_TIMEOUT_MS, "every cell to finish")
    state = page.evaluate(NOTEBOOK_STATE, path)
    errors = [error for cell in state["cells"] for error in cell["errors"]]
    assert not errors, f"{path} raised:\n" + "\n".join(errors)
    assert all(cell["count"] is not None for cell in state["cells"]), state


def canvas_pixels(page) -> list[bytes]:
    """Pixels of every ipympl canvas in the page, from element screenshots."""
    from PIL import Image

    canvases = page.locator(".jupyter-matplotlib-figure canvas")
    images = []
    for i in range(canvases.count()):
        with Image.open(io.BytesIO(canvases.nth(i).screenshot())) as image:
            images.append(image.convert("RGB").tobytes())
    return images


def poll_canvases(page, done, what: str, timeout_s: float = STEP_TIMEOUT_MS / 1000) -> list[bytes]:
    """Screenshot the canvases until ``done(pixels)`` holds; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        pixels = canvas_pixels(page)
        if done(pixels):
            return pixels
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}")
        page.wait_for_timeout(250)  # polling interval, bounded by the deadline


def drawn(pixels: list[bytes]) -> bool:
    """At least one canvas, and each shows more than a blank fill."""
    return bool(pixels) and all(len(set(zip(p[0::3], p[1::3], p[2::3]))) > 1 for p in pixels)


def step_through_dashboard(page) -> str:
    """Click Forward, Loss, Backward, Update; return the final status text."""
    status = page.locator(".stepnn-status").first
    status.wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
    for step in STEPS:
        button = page.locator(f"button.stepnn-{step}").first
        before = status.inner_text()
        button.click(timeout=STEP_TIMEOUT_MS)
        wait_for(page, "([old]) => { const e = document.querySelector('.stepnn-status');"
                       " return !!e && e.innerText !== old; }",
                 [before], STEP_TIMEOUT_MS, f"the status line to change after {step}")
        assert_no_errors_shown(page, f"after clicking {step}")
    return status.inner_text()


def test_there_are_lessons_to_run(lessons, lessons_dir):
    assert lessons, f"no lessons (*.ipynb) in {lessons_dir}"


def test_both_editions_are_run(lessons, lessons_dir):
    english = [p.name for p in lessons if p.parent == lessons_dir]
    korean = [p.name for p in lessons if p.parent == lessons_dir / "ko"]
    assert korean == english, "every lesson in both editions: notebooks/ and notebooks/ko/"


def test_lesson_runs_in_jupyterlab(lesson_notebook: Path, lessons_dir, page, lab_server, screenshots_dir):
    lesson = lesson_notebook
    path = lesson.relative_to(lessons_dir).as_posix()  # "ko/00_training_loop.ipynb" for Korean
    started = time.perf_counter()
    try:
        run_all_cells(page, lab_server, path)
        assert_no_errors_shown(page, "after Run All")
        if lesson.name.startswith("00_"):
            classes = [f".stepnn-{step}" for step in STEPS] + [".stepnn-status"]
            missing = [c for c in classes if page.locator(c).count() == 0]
            assert not missing, f"the dashboard has no element with class {missing}"
            before = poll_canvases(page, drawn, "the ipympl figure to be drawn")
            final = step_through_dashboard(page)
            assert ONE_ITERATION.search(final), f"status after one step: {final!r}"
            assert LOSS_NUMBER.search(final), f"status after one step shows no loss value: {final!r}"
            poll_canvases(page, lambda now: len(now) == len(before) and now != before,
                          "the figure to change after Update")
    finally:
        page.screenshot(path=str(screenshots_dir / f"{path[:-len('.ipynb')].replace('/', '-')}.png"),
                        full_page=True)
    print(f"\n{path}: {time.perf_counter() - started:.1f} s in the browser")
