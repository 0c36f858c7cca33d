"""Every lesson, English and Korean, runs in a real JupyterLab in Chromium, and lesson 00's
dashboard answers its buttons.

A lesson passes when "Run All" executes every cell without an error, no widget fails to display,
every output fits its output area in the windows students have (1280x800 with the file browser
open, then 1024x768 with it closed: nothing wider than the area, no sideways scrolling), and
(lesson 00) Forward, Loss, Backward, Update each change the status line and the figure, and Step
changes the canvas; the click-to-canvas time of Step is printed (run with -s to see it).
A screenshot of each lesson in each window goes to test-artifacts/screenshots/NAME-WxH.png
(ko-NAME-WxH.png for the Korean edition, notebooks/ko/).
"""

from __future__ import annotations

import io
import re
import statistics
import time
from dataclasses import dataclass
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
LATENCY_CLICKS = 9        # Step clicks timed from the click to the first changed canvas pixel
LATENCY_TARGET_MS = 100   # the median a student should get (printed, not asserted: timing is noisy)


@dataclass(frozen=True)
class Window:
    """A student's browser window: its size and whether JupyterLab's file browser (the left
    sidebar) is open."""

    width: int
    height: int
    file_browser: bool

    @property
    def viewport(self) -> dict[str, int]:
        return {"width": self.width, "height": self.height}

    def __str__(self) -> str:
        return f"{self.width}x{self.height}, file browser {'open' if self.file_browser else 'closed'}"


# The windows every lesson's outputs must fit (TESTING.md: output areas of about 848 and 900 px).
WINDOWS = (Window(1280, 800, file_browser=True), Window(1024, 768, file_browser=False))


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


# Anything in an output wider than its output area: for each output area of the notebook, every
# element inside each output (the output itself, widget boxes, canvases, images, text) whose right
# edge passes the area's right edge, and any output area or output that scrolls sideways.
# Returns the problems found (at most 20) and the outputs' widths (the area less its prompt).
OVERFLOWS = """
() => {
  const found = [];
  const widths = new Set();
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel && panel.content ? panel.content.widgets : [];
  const name = (e) => e.tagName.toLowerCase() + [...e.classList].map(c => '.' + c).join('');
  cells.forEach((cell, index) => {
    for (const area of cell.node.querySelectorAll('.jp-OutputArea')) {
      const box = area.getBoundingClientRect();
      if (box.width === 0) continue;
      if (area.scrollWidth > area.clientWidth + 1)
        found.push(`cell ${index}: its output area scrolls sideways (scrollWidth ${area.scrollWidth} > clientWidth ${area.clientWidth})`);
      for (const output of area.querySelectorAll('.jp-OutputArea-output')) {
        widths.add(Math.round(output.getBoundingClientRect().width));
        if (output.scrollWidth > output.clientWidth + 1)
          found.push(`cell ${index}: ${name(output)} scrolls sideways (scrollWidth ${output.scrollWidth} > clientWidth ${output.clientWidth})`);
        for (const e of [output, ...output.querySelectorAll('*')]) {
          const r = e.getBoundingClientRect();
          if (r.width === 0 || r.height === 0) continue;
          if (r.right > box.right + 1)
            found.push(`cell ${index}: ${name(e)} (${Math.round(r.width)} px wide) ends ${Math.round(r.right - box.right)} px past its output area (${Math.round(box.width)} px)`);
        }
      }
    }
  });
  return {found: found.slice(0, 20), count: found.length, widths: [...widths]};
}
"""

# Resolves once the notebook's width has not changed for 10 animation frames (layout settled).
SETTLED = """
async () => {
  const width = () => { const n = document.querySelector('.jp-Notebook'); return n ? n.getBoundingClientRect().width : 0; };
  let last = -1, same = 0;
  for (let i = 0; i < 600 && same < 10; i++) {
    await new Promise(resolve => requestAnimationFrame(resolve));
    const now = width();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}
"""

# Click StepThrough's Step button ``n`` times; for each click, the milliseconds from the click to
# the first animation frame whose canvas pixels differ (null if none within ``timeoutMs``). Before
# each click, waits until the kernel is idle and the pixels have stood still for 10 frames.
STEP_LATENCIES = """
async ([n, timeoutMs]) => {
  const root = document.querySelector('.stepnn-stepthrough');
  const button = root.querySelector('button.stepnn-step');
  const canvases = [...root.querySelectorAll('.jupyter-matplotlib-figure canvas')].filter(c => c.width > 0 && c.height > 0);
  // each canvas is copied at a quarter of its size into a small canvas, whose pixels are hashed:
  // reading back the whole canvas at every frame would itself add tens of ms to what is measured
  // (a Step click changes whole panels, which a quarter-size copy still shows)
  const small = canvases.map(c => {
    const copy = document.createElement('canvas');
    copy.width = Math.max(1, Math.floor(c.width / 4));
    copy.height = Math.max(1, Math.floor(c.height / 4));
    return [c, copy.getContext('2d', {willReadFrequently: true})];
  });
  const hash = () => {
    let h = 0;
    for (const [canvas, context] of small) {
      const w = context.canvas.width, ht = context.canvas.height;
      context.clearRect(0, 0, w, ht);
      context.drawImage(canvas, 0, 0, w, ht);
      const pixels = new Uint32Array(context.getImageData(0, 0, w, ht).data.buffer);
      for (let i = 0; i < pixels.length; i++) h = (Math.imul(h, 31) + pixels[i]) | 0;
    }
    return h;
  };
  const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
  const idle = () => {
    const session = window.jupyterapp.shell.currentWidget.sessionContext.session;
    return !!session && !!session.kernel && session.kernel.status === 'idle';
  };
  const settle = async () => {
    const start = performance.now();
    let last = hash(), same = 0;
    while ((same < 10 || !idle()) && performance.now() - start < timeoutMs) {
      await frame();
      const now = hash();
      same = now === last ? same + 1 : 0;
      last = now;
    }
    return last;
  };
  // the canvas changes only when a figure's image arrives from the kernel (a comm message with a
  // binary buffer), so the pixels are read only from then on: reading them at every frame while
  // the kernel draws would take processor time from the kernel on a small machine
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  let imageAt = null;
  const onMessage = (_, msg) => {
    if (imageAt === null && msg.header.msg_type === 'comm_msg' && msg.buffers && msg.buffers.length) {
      imageAt = performance.now();
    }
  };
  kernel.iopubMessage.connect(onMessage);
  const latencies = [], images = [];
  try {
    for (let i = 0; i < n; i++) {
      const before = await settle();
      imageAt = null;
      const start = performance.now();
      button.click();
      let latency = null;
      while (performance.now() - start < timeoutMs) {
        await frame();
        if (imageAt !== null && hash() !== before) { latency = performance.now() - start; break; }
      }
      latencies.push(latency);
      images.push(imageAt === null ? null : imageAt - start);
    }
  } finally {
    kernel.iopubMessage.disconnect(onMessage);
  }
  return {latencies, images, canvases: canvases.length};
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


def set_window(page, window: Window) -> float:
    """Resize the page to ``window``, open or close the file browser, and wait for the layout to
    settle; returns the notebook's width in pixels."""
    page.set_viewport_size(window.viewport)
    if window.file_browser:
        page.evaluate("window.jupyterapp.commands.execute('filebrowser:activate')")
        page.evaluate("window.jupyterapp.shell.expandLeft()")
    else:
        page.evaluate("window.jupyterapp.shell.collapseLeft()")
    assert page.evaluate("window.jupyterapp.shell.leftCollapsed") is not window.file_browser, str(window)
    return page.evaluate(SETTLED)


def assert_outputs_fit(page, window: Window) -> list[int]:
    """Fail when anything in an output is wider than its output area; returns the outputs' widths."""
    result = page.evaluate(OVERFLOWS)
    assert not result["found"], (f"{result['count']} output(s) wider than their output area at {window}:\n"
                                 + "\n".join(result["found"]))
    return result["widths"]


def step_latencies(page) -> list[float]:
    """Click Step ``LATENCY_CLICKS`` times; the click-to-canvas milliseconds of each click."""
    result = page.evaluate(STEP_LATENCIES, [LATENCY_CLICKS, STEP_TIMEOUT_MS])
    assert result["canvases"] > 0, "StepThrough shows no canvas"
    missed = [i for i, ms in enumerate(result["latencies"]) if ms is None]
    assert not missed, f"Step click(s) {missed} did not change the canvas within {STEP_TIMEOUT_MS / 1000:.0f} s"
    images = [ms for ms in result["images"] if ms is not None]
    if images:
        print(f"\nStep click to the figure's image arriving from the kernel: median "
              f"{statistics.median(images):.0f} ms")
    return result["latencies"]


def run_all_cells(page, server, path: str, window: "Window | None" = None) -> None:
    """Open ``path`` (in ``window``, if given), clear stored outputs, run every cell, and wait
    until the run is over."""
    page.goto(f"{server.url}/lab/tree/{quote(path)}?reset")
    wait_for(page, OPEN_AND_IDLE, path, 120_000, f"{path} to open with an idle kernel")
    if window is not None:
        set_window(page, window)
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


def poll(page, read, done, what: str, timeout_s: float = STEP_TIMEOUT_MS / 1000, show_last: bool = True):
    """Call ``read()`` until ``done(value)`` holds and return that value; fail after ``timeout_s``
    with ``what`` (and the last value read, if ``show_last``)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            last = f"; last: {value}" if show_last else ""
            pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}{last}")
        page.wait_for_timeout(250)  # polling interval, bounded by the deadline


def poll_canvases(page, done, what: str, timeout_s: float = STEP_TIMEOUT_MS / 1000) -> list[bytes]:
    """Screenshot the canvases until ``done(pixels)`` holds; fail after ``timeout_s``."""
    return poll(page, lambda: canvas_pixels(page), done, what, timeout_s, show_last=False)


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
    window = WINDOWS[0]
    try:
        run_all_cells(page, lab_server, path, window)
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
            latencies = step_latencies(page)
            assert_no_errors_shown(page, "after clicking Step")
            print(f"\n{path}: Step click to canvas: median {statistics.median(latencies):.0f} ms "
                  f"(target <= {LATENCY_TARGET_MS} ms), min {min(latencies):.0f}, max {max(latencies):.0f}, "
                  f"{len(latencies)} clicks")
        widths = []
        for window in WINDOWS:
            if window is not WINDOWS[0]:
                set_window(page, window)
            widths.append(assert_outputs_fit(page, window))
            page.screenshot(path=str(screenshot_path(screenshots_dir, path, window)), full_page=True)
    except BaseException:
        page.screenshot(path=str(screenshot_path(screenshots_dir, path, window)), full_page=True)
        raise
    print(f"\n{path}: {time.perf_counter() - started:.1f} s in the browser; outputs "
          + ", ".join(f"{sorted(w)} px wide at {window}" for window, w in zip(WINDOWS, widths)))


def screenshot_path(folder: Path, path: str, window: Window) -> Path:
    """test-artifacts/screenshots/ko-00_training_loop-1280x800.png for ko/00_training_loop.ipynb."""
    return folder / f"{path[:-len('.ipynb')].replace('/', '-')}-{window.width}x{window.height}.png"
