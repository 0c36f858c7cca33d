"""StepThrough's Playground row and maths panel, used through the real widgets in JupyterLab in
Chromium, in English and in Korean.

The test writes a small notebook (a StepThrough on a 2-D data set) into the folder the test's
JupyterLab serves, runs it, and then, as a student would: opens the Playground row, picks the L2
regularizer and a larger rate (drop-down, then the rate slider's handle moved with the arrow key),
another data set, more noise and a validation share (sliders), clicks the decision-boundary
panel of the ipympl canvas to add two points of each class toggle, clears them, ticks "Show the
maths" (MathJax must typeset the formulas: ``mjx-container`` inside ``.stepnn-maths``, no ``$$``
left, no ``mjx-merror``), clicks Forward and then Step (the maths changes), clicks Save and Load
(a session file in the notebook's folder). What each control did is read back from the kernel
(the trainer's next settings and data), not from the page. At 1280x800 with the file browser
open nothing may be wider than its output area; no error may show (message area, tracebacks,
broken widgets, page errors, console errors). Screenshots: test-artifacts/screenshots/
playground-LANG-1280x800.png (the window) and playground-LANG-maths.png (scrolled down to the maths).
"""

from __future__ import annotations

import json

import pytest

from test_lessons_browser import (WINDOWS, assert_no_errors_shown, assert_outputs_fit, drawn, poll, poll_canvases,
                                  run_all_cells, set_window)

pytestmark = pytest.mark.browser

ACTION_TIMEOUT_S = 30  # one control, from the interaction to the trainer's new setting
SESSION_FILE = "stepnn-session.stepnn"  # the File box's default, in the notebook's folder

NOTEBOOK_SOURCE = """\
import json
import stepnn as sn
from stepnn.widgets.playground import regularizer_choice, source_of
from stepnn.widgets.stepthrough import StepThrough
sn.set_language({lang!r})

X, y = sn.datasets.load("circle", n=200, noise=0.0, seed=0)
net = sn.Sequential([sn.Dense(2, 4, activation="tanh"), sn.Dense(4, 1, activation="sigmoid")], seed=0)
trainer = sn.Trainer(net, X, y, loss="binary_crossentropy", learning_rate=0.3, batch_size=16)
board = StepThrough(trainer, views=("network", "curves", "boundary"))

def probe():
    tr = board.trainer
    source, split = source_of(tr.next_settings["data"], tr.seed)
    ax, fig = board.views["boundary"].ax, board.figure
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    spots = [(x0 + 0.3 * (x1 - x0), y0 + 0.35 * (y1 - y0)), (x0 + 0.7 * (x1 - x0), y0 + 0.6 * (y1 - y0))]
    pixels = [ax.transData.transform(spot) for spot in spots]
    print(json.dumps({{
        "regularizer": regularizer_choice(tr.next_settings["regularizers"]),
        "dataset": source.name, "noise": source.noise, "split": split,
        "own": source.own_X.tolist(), "own_y": source.own_y.tolist(),
        "spots": spots, "span": [x1 - x0, y1 - y0],
        "fractions": [[float(u / fig.bbox.width), float(1 - v / fig.bbox.height)] for u, v in pixels],
        "iteration": tr.global_iteration, "errors": board.errors}}))

board.widget
"""

# Run ``code`` in the open notebook's kernel (not in a cell: nothing lands in the notebook);
# returns what it printed, or the error's name and value.
KERNEL_RUN = """
async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, silent: false, store_history: false});
  let out = '';
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream') out += msg.content.text;
    if (msg.header.msg_type === 'error') out += `KERNEL ERROR ${msg.content.ename}: ${msg.content.evalue}`;
  };
  await future.done;
  return out;
}
"""

# The maths panel as the page shows it: typeset formulas, MathJax error nodes, its text.
MATHS_STATE = """
() => {
  const panel = document.querySelector('.stepnn-stepthrough .stepnn-maths');
  if (!panel) return null;
  return {formulas: panel.querySelectorAll('mjx-container').length,
          errors: panel.querySelectorAll('mjx-merror').length,
          text: panel.innerText, visible: panel.getBoundingClientRect().height > 0};
}
"""


def write_notebook(folder, lang: str) -> str:
    """Write playground-LANG.ipynb into ``folder``; returns its name."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(NOTEBOOK_SOURCE.format(lang=lang))]
    name = f"playground-{lang}.ipynb"
    nbformat.write(nb, str(folder / name))
    return name


def probe(page) -> dict:
    out = page.evaluate(KERNEL_RUN, "probe()")
    assert "KERNEL ERROR" not in out, out
    return json.loads(out.strip().splitlines()[-1])


def until(page, done, what: str) -> dict:
    """Probe the kernel until ``done(state)`` holds; fail after ``ACTION_TIMEOUT_S``."""
    return poll(page, lambda: probe(page), done, what, ACTION_TIMEOUT_S)


def message(page) -> str:
    return page.locator(".stepnn-stepthrough .stepnn-message").first.inner_text()


def assert_no_message_error(page, when: str) -> None:
    errors = page.locator(".stepnn-stepthrough .stepnn-message .stepnn-error")
    assert errors.count() == 0, f"{when}: the message area shows an error: {errors.first.inner_text()!r}"


def press_slider(page, css: str, presses: int) -> None:
    """Move a slider's handle ``presses`` steps to the right with the keyboard, as a student can."""
    handle = page.locator(f".stepnn-stepthrough {css} .noUi-handle").first
    page.wait_for_function(f"() => {{ const s = document.querySelector('.stepnn-stepthrough {css} .noUi-target');"
                           " return !!s && !s.hasAttribute('disabled'); }", timeout=ACTION_TIMEOUT_S * 1000)
    handle.focus()
    for _ in range(presses):
        handle.press("ArrowRight")


def click_boundary(page, fraction: list[float]) -> None:
    """A left click on the figure at ``fraction`` (x from the left, y from the top, 0-1)."""
    canvas = page.locator(".stepnn-stepthrough .jupyter-matplotlib-figure canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0, f"the figure's canvas has no size: {box}"
    page.mouse.click(box["x"] + fraction[0] * box["width"], box["y"] + fraction[1] * box["height"])


def wait_maths(page, check, what: str) -> dict:
    """Read the maths panel until ``check(state)`` holds; fail after ``ACTION_TIMEOUT_S``."""
    return poll(page, lambda: page.evaluate(MATHS_STATE), lambda m: bool(m) and bool(check(m)), what,
                ACTION_TIMEOUT_S)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_playground_and_maths_in_jupyterlab(lang, page, lab_server, screenshots_dir):
    console_errors = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    path = write_notebook(lab_server.root_dir, lang)
    session_file = lab_server.root_dir / SESSION_FILE
    session_file.unlink(missing_ok=True)
    window = WINDOWS[0]  # 1280x800, file browser open
    shot = screenshots_dir / f"playground-{lang}-{window.width}x{window.height}.png"
    try:
        run_all_cells(page, lab_server, path, window)
        assert_no_errors_shown(page, "after Run All")
        poll_canvases(page, drawn, "the ipympl figure to be drawn")
        start = probe(page)
        assert start["regularizer"] == ["none", 0.0] and start["errors"] == [], start

        # the Playground row, closed at first
        page.locator(".stepnn-playground .jupyter-widget-Collapse-header").first.click()
        page.locator(".stepnn-regularizer select").first.wait_for(state="visible", timeout=ACTION_TIMEOUT_S * 1000)

        # regularizer L2 (third choice), then the rate one step up the list: 0.01 -> 0.03
        page.locator(".stepnn-regularizer select").first.select_option(index=2)
        until(page, lambda s: s["regularizer"] == ["l2", 0.01], "the L2 regularizer at rate 0.01")
        press_slider(page, ".stepnn-rate", 1)
        until(page, lambda s: s["regularizer"] == ["l2", 0.03], "the rate 0.03")

        # another data set, 10 % noise, 20 % held out for validation
        page.locator(".stepnn-dataset select").first.select_option(index=1)   # xor
        until(page, lambda s: s["dataset"] == "xor", "the xor data set")
        press_slider(page, ".stepnn-noise", 2)
        until(page, lambda s: s["dataset"] == "xor" and abs(s["noise"] - 0.10) < 1e-9, "10 % noise")
        press_slider(page, ".stepnn-validation", 4)
        state = until(page, lambda s: abs(s["split"] - 0.20) < 1e-9, "a validation share of 20 %")
        assert state["dataset"] == "xor" and state["regularizer"] == ["l2", 0.03], state
        assert_no_message_error(page, "after the Playground controls")

        # own points: one of class 1 (the toggle's first value), one of class 0
        click_boundary(page, state["fractions"][0])
        until(page, lambda s: len(s["own"]) == 1, "a point added by a click on the boundary")
        page.locator(".stepnn-point-class button").first.click()   # class 0
        click_boundary(page, state["fractions"][1])
        added = until(page, lambda s: len(s["own"]) == 2, "a second point")
        assert added["own_y"] == [1.0, 0.0], added
        for (x, y), (sx, sy) in zip(added["own"], state["spots"]):
            assert abs(x - sx) < 0.03 * state["span"][0] and abs(y - sy) < 0.03 * state["span"][1], \
                f"a click at {(sx, sy)} added a point at {(x, y)}"
        page.locator("button.stepnn-clear").first.click()
        until(page, lambda s: s["own"] == [], "Clear my points to remove them")
        assert_no_message_error(page, "after adding and clearing points")

        # the maths: ticked, then Forward (formulas), then Step (other formulas)
        page.locator(".stepnn-maths-toggle input[type=checkbox]").first.check()
        wait_maths(page, lambda m: m["visible"] and m["text"].strip(), "the maths panel to show its text")
        page.locator("button.stepnn-forward").first.click()
        forward = wait_maths(page, lambda m: m["formulas"] > 0, "MathJax to typeset the forward maths")
        assert_outputs_fit(page, window)   # the widest maths: a layer's z = x W + b with its numbers
        after = probe(page)
        page.locator("button.stepnn-step").first.click()
        until(page, lambda s: s["iteration"] == after["iteration"] + 1, "Step to finish the iteration")
        stepped = wait_maths(page, lambda m: m["formulas"] > 0 and m["text"] != forward["text"],
                             "the maths to change after Step")
        for maths in (forward, stepped):
            assert maths["errors"] == 0, f"MathJax could not typeset: {maths['text'][:500]}"
            assert "$$" not in maths["text"], f"untypeset LaTeX left: {maths['text'][:500]}"

        # Save, then Load, in the notebook's folder
        before = message(page)
        page.locator("button.stepnn-save").first.click()
        page.wait_for_function("([old]) => document.querySelector('.stepnn-stepthrough .stepnn-message').innerText !== old",
                               arg=[before], timeout=ACTION_TIMEOUT_S * 1000)
        assert_no_message_error(page, "after Save")
        assert session_file.is_file(), f"Save wrote no {session_file}"
        saved = message(page)
        page.locator("button.stepnn-load").first.click()
        page.wait_for_function("([old]) => document.querySelector('.stepnn-stepthrough .stepnn-message').innerText !== old",
                               arg=[saved], timeout=ACTION_TIMEOUT_S * 1000)
        assert_no_message_error(page, "after Load")
        loaded = probe(page)
        assert loaded["errors"] == [] and loaded["iteration"] == after["iteration"] + 1, loaded
        assert loaded["regularizer"] == ["l2", 0.03], loaded

        set_window(page, window)
        # the class toggle's label beside its buttons, not above them
        rows = page.evaluate("() => [...document.querySelector('.stepnn-stepthrough .stepnn-point-class').children]"
                             ".map(e => Math.round(e.getBoundingClientRect().top))")
        assert max(rows) - min(rows) < 10, f"the class toggle's label and buttons start at y = {rows}"
        widths = assert_outputs_fit(page, window)
        assert_no_errors_shown(page, "at the end")
        page.screenshot(path=str(shot), full_page=True)
        # the window scrolled down to the maths panel (a page's screenshot shows only the window)
        page.locator(".stepnn-stepthrough .stepnn-maths").first.scroll_into_view_if_needed()
        page.screenshot(path=str(shot.with_name(f"playground-{lang}-maths.png")))
    except BaseException:
        page.screenshot(path=str(shot), full_page=True)
        raise
    assert not page.console_errors, f"page errors: {page.console_errors}"
    assert not console_errors, "console errors:\n" + "\n".join(console_errors)
    print(f"\n{path}: outputs {sorted(widths)} px wide at {window}; last message {message(page)!r}")
