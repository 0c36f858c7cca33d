"""StepThrough a class can read: it fits an 844 px output area, every text is at least 12 px on
screen, every click shows what it changed, and bad values set from code are refused."""
import math
import re

import numpy as np
import pytest
from matplotlib.text import Text

from stepnn.views.style import MAX_WIDTH_PX, MIN_TEXT_PX, ROLES, text_px
from stepnn.widgets.chain_rule import ChainRule
from stepnn.widgets.controller import LOOP
from stepnn.widgets.descent import DescentExplorer
from stepnn.widgets.loss_explorer import LossExplorer
from stepnn.widgets.race import OptimizerRace
from stepnn.widgets.stepthrough import VIEW_NAMES, StepThrough

from .readable import clipped_texts, overlapping_texts, small_texts
from .test_views import make_trainer

# the view combinations the lessons use (00 and 08: all; 01; 06 and 07)
LESSON_VIEWS = [VIEW_NAMES, ("network", "heatmaps"), ("curves", "boundary")]


def texts(fig) -> list:
    """Every visible, non-empty text of ``fig`` after a draw (tick labels included)."""
    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("views", LESSON_VIEWS, ids=["all", "network-heatmaps", "curves-boundary"])
def test_every_text_is_at_least_12_px_and_the_figure_fits_the_output_area(views, lang):
    board = StepThrough(make_trainer(validation_split=0.2), live=False, views=views, lang=lang,
                        patience=3)
    for action in ["forward", "loss", "backward", "update", "step", "epoch", "forward", "loss"]:
        board.run_phase(action) if action in LOOP else board.buttons[action].click()
        small = [(t.get_text(), round(text_px(t), 1)) for t in texts(board.figure) if text_px(t) < MIN_TEXT_PX - 1e-9]
        assert small == [], (action, small)
    width, height = board.figure.canvas.get_width_height()
    assert width <= MAX_WIDTH_PX and width >= 0.6 * MAX_WIDTH_PX   # fits, and is never tiny
    assert board.errors == []


def test_the_pca_surface_and_a_presentation_scale_keep_the_floor():
    board = StepThrough(make_trainer(), live=False, surface="pca", scale=1.5, dpi=60)
    for _ in range(4):
        board.step()
    sizes = [text_px(t) for t in texts(board.figure)]
    assert min(sizes) >= 1.5 * MIN_TEXT_PX - 1e-9
    assert board.figure.canvas.get_width_height()[0] <= MAX_WIDTH_PX
    assert "font-size: 19.5px" in board.css.value and "Noto Sans KR" in board.css.value
    assert board.widget.children[0] is board.css and "stepnn-dashboard" in board.widget._dom_classes
    with pytest.raises(ValueError, match="scale must be a number from 0.5 to 3"):
        StepThrough(make_trainer(), live=False, scale=10)


NETWORKS = {
    "one layer": dict(hidden=()),
    "three layers": dict(),
    "four layers": dict(hidden=(8, 8, 8)),
    "iris softmax": dict(data="iris", hidden=(8,), output="softmax", loss="sparse_categorical_crossentropy"),
    "sine regression": dict(data="sine", hidden=(6,), output="linear", loss="mean_squared_error"),
}


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("scale", [1.0, 1.5])
@pytest.mark.parametrize("surface", ["weights", "pca"])
@pytest.mark.parametrize("network", list(NETWORKS))
def test_stepthrough_cuts_off_and_overwrites_no_text_for_any_network_at_either_scale(network, surface, scale,
                                                                                     lang):
    """More layers mean more heatmaps in a row and a presentation scale larger text in the same
    832 px: the colour bars' numbers, the gradients' titles, the surface's labels and the path
    chart's key stay inside the figure and apart."""
    board = StepThrough(make_trainer(**NETWORKS[network]), live=False, surface=surface, scale=scale,
                        lang=lang)
    for _ in range(5):
        board.buttons["step"].click()
    fig = board.figure
    assert clipped_texts(fig) == []
    assert overlapping_texts(fig) == []
    assert small_texts(fig, MIN_TEXT_PX * scale) == []
    assert board.errors == []


@pytest.mark.parametrize("phase, framed", [("forward", {"network", "heatmaps"}),
                                           ("loss", {"network", "curves"}),
                                           ("backward", {"network", "gradients"}),
                                           ("update", {"curves", "surface", "boundary"})])
def test_each_phase_click_frames_the_views_it_changed(phase, framed):
    board = StepThrough(make_trainer(), live=False, dpi=40)
    for p in LOOP[:LOOP.index(phase) + 1]:
        board.buttons[p].click()
    shown = {name for name, frame in board.frames.items() if frame.get_visible()}
    assert shown == framed
    assert all(f.get_edgecolor()[:3] == pytest.approx((0.902, 0.624, 0.0), abs=1e-3) for f in board.frames.values())
    assert ROLES["current"] == "#E69F00"
    board.buttons["undo"].click()   # not a phase: no frame
    assert not any(frame.get_visible() for frame in board.frames.values())


def test_loss_marks_the_batch_loss_at_once_hollow_until_update():
    board = StepThrough(make_trainer(), live=False, dpi=40)
    curves, network = board.views["curves"], board.views["network"]
    board.buttons["forward"].click()
    assert len(curves.pending.get_xdata()) == 0 and network.loss_text.get_text() == ""
    board.buttons["loss"].click()
    value = board.trainer.last_loss.value
    assert list(curves.pending.get_xdata()) == [1] and list(curves.pending.get_ydata()) == [value]
    assert curves.pending.get_markerfacecolor() == "white"            # hollow
    assert network.loss_text.get_text() == f"L = {value:.3f}"
    assert curves.ax.get_ylim()[1] >= value                             # on the chart at once
    board.buttons["backward"].click()
    board.buttons["update"].click()
    assert len(curves.pending.get_xdata()) == 0                         # filled: on the curve now
    assert list(curves.last_point.get_ydata()) == [value]


def test_the_sample_number_is_the_sliders():
    board = StepThrough(make_trainer(), live=False, dpi=40)
    board.buttons["forward"].click()
    board.controls["sample"].value = 4
    assert board.views["network"].sample_text.get_text() == "#4"


@pytest.mark.parametrize("key", ["target_loss", "learning_rate"])
@pytest.mark.parametrize("bad", [math.nan, -math.nan])   # ipywidgets' bounds clamp inf, not NaN
def test_a_nan_set_from_code_is_refused_and_later_edits_work(key, bad):
    board = StepThrough(make_trainer(validation_split=0.2), live=False, dpi=40, max_epochs=5)
    before = board.controls[key].value
    board.controls[key].value = bad
    assert board.controls[key].value == before                       # put back
    assert "is not a number" in board.message.value
    assert board.errors == []
    board.controls["target_loss"].value = 0.5                         # later edits work
    board.controls["max_epochs"].value = 7
    assert board.criteria.target_loss == 0.5 and board.criteria.max_epochs == 7
    assert board.errors == []
    board.buttons["epoch"].click()
    assert board.errors == [] and board.trainer.epoch == 1


def test_korean_messages_have_no_english():
    board = StepThrough(make_trainer(validation_split=0.2), live=False, dpi=40, lang="ko", max_epochs=1)
    board.buttons["epoch"].click()
    board.buttons["epoch"].click()
    assert board.stop_reason == "max_epochs"
    def words(html):
        return re.sub(r"<[^>]*>", "", html)
    assert "중지" in words(board.message.value) and not re.search(r"[A-Za-z]", words(board.message.value))
    assert not re.search(r"[A-Za-z]{3,}", words(board.status.value))
    board.buttons["undo"].click()
    assert "되돌림" in words(board.message.value) and not re.search(r"[A-Za-z]{3,}", words(board.message.value))


def test_epoch_while_play_runs_stops_play_at_the_limit():
    board = StepThrough(make_trainer(), live=False, dpi=40, max_epochs=2)
    board.play.playing = True
    board.tick()
    board.buttons["epoch"].click()
    board.buttons["epoch"].click()
    assert board.stop_reason == "max_epochs" and not board.play.playing
    epoch = board.trainer.epoch
    board.tick()                   # a frame the page sent before it saw the pause: nothing runs
    assert board.trainer.epoch == epoch == 2 and board.trainer.iteration == 0


def test_play_sets_the_iterations_per_tick_its_frames_need(monkeypatch):
    from stepnn.widgets import stepthrough
    board = StepThrough(make_trainer(), live=False, dpi=40, max_epochs=None, views=("curves",))
    board.controls["speed"].value = 30
    assert board.play.interval == 100 and board.steps_per_tick == 3     # asked: 10 frames/s x 3
    now, cost = [0.0], [0.375]               # the clock Play reads; what a tick's redraw costs
    monkeypatch.setattr(stepthrough.time, "monotonic", lambda: now[0])
    real_refresh = board.refresh

    def slow_refresh():
        now[0] += cost[0]
        real_refresh()

    board.refresh = slow_refresh

    def frames(n):
        for _ in range(n):
            start = now[0]
            board.tick()
            now[0] = max(now[0], start + board.play.interval / 1000)   # the page's next frame

    board.play.playing = True
    frames(stepthrough.ADAPT_TICKS)          # 0.375 s a tick: 3 iterations each give 8/s
    assert board.rate == pytest.approx(8.0)
    assert re.search(r"8\.0 iterations/s", board.status.value)
    # 2 frames/s keep the kernel busy 75 % of the time: 16 iterations each make the 30/s (Play aims
    # 5 % above it: a slow tick now and then costs a frame)
    assert (board.steps_per_tick, board.play.interval) == (16, 508)
    frames(2 * stepthrough.ADAPT_TICKS)
    assert board.rate == pytest.approx(31.5, rel=0.01) and board.steps_per_tick == 16   # kept: no change
    cost[0] = 0.01                           # ticks got cheap: smoother frames, fewer iterations each
    frames(3 * stepthrough.ADAPT_TICKS)
    assert (board.steps_per_tick, board.play.interval) == (4, 127)   # at most 10 frames/s
    assert board.rate == pytest.approx(31.5, rel=0.01)
    board.play.playing = False
    assert "iterations/s" not in board.status.value


@pytest.mark.parametrize("speed", [5, 7, 15, 29])
def test_play_never_delivers_more_than_the_speed_asked(monkeypatch, speed):
    """Frames that keep their pace but take most of the kernel's time get more iterations each and
    come less often: the iterations per second stay those asked, not far above."""
    from stepnn.widgets import stepthrough
    board = StepThrough(make_trainer(), live=False, dpi=40, max_epochs=None, views=("curves",))
    board.controls["speed"].value = speed
    steps, interval = board.steps_per_tick, board.play.interval
    assert steps * 1000 / interval == pytest.approx(speed, rel=0.02)
    now = [0.0]
    monkeypatch.setattr(stepthrough.time, "monotonic", lambda: now[0])
    real_refresh = board.refresh

    def slow_refresh():              # each tick's redraw takes 0.3 s of kernel time
        now[0] += 0.3
        real_refresh()

    board.refresh = slow_refresh
    board.play.playing = True
    for _ in range(6 * stepthrough.ADAPT_TICKS):
        start = now[0]
        board.tick()
        now[0] = max(now[0], start + board.play.interval / 1000)   # the page's next frame
    steps, interval = board.steps_per_tick, board.play.interval
    assert speed <= steps * 1000 / interval <= 1.1 * speed   # the speed asked, 5 % above
    assert 1000 / interval <= stepthrough.FRAME_SHARE / 0.3 + 1e-9
    assert speed <= board.rate <= 1.1 * speed


def test_the_status_line_counts_epochs_done_after_a_stop():
    board = StepThrough(make_trainer(n=40, batch_size=20), live=False, dpi=40, max_epochs=3)
    for _ in range(4):
        board.buttons["epoch"].click()
    assert "epochs done 3 · iteration 0/2" in board.status.value
    assert board.message.value.count("Stopped") == 1 and "stopped" not in board.status.value


def test_patience_marks_the_best_validation_epoch_and_its_window():
    board = StepThrough(make_trainer(validation_split=0.2), live=False, dpi=40, patience=2,
                        views=("curves",))
    curves = board.views["curves"]
    assert len(curves.best.get_xdata()) == 0
    for _ in range(3):
        board.buttons["epoch"].click()
    h = board.trainer.history
    from stepnn.views.curves import epoch_ends
    best = epoch_ends(h)[int(np.argmin(h.val_losses))]
    assert list(curves.best.get_xdata()) == [best, best]
    (window,) = curves.window.get_paths()
    assert window.vertices[:, 0].min() == best and window.vertices[:, 0].max() > best
    board.controls["patience"].value = 0     # off: no marks
    assert len(curves.best.get_xdata()) == 0


def _chain_rule(lang, scale):
    board = ChainRule(seed=0, loss="binary_crossentropy", live=False, lang=lang, scale=scale)
    board.buttons["forward_all"].click()
    board.buttons["backward_all"].click()   # every gradient and its check written in the table
    return board


def _race(directions):
    def make(lang, scale):
        board = OptimizerRace(live=False, lang=lang, scale=scale, directions=directions)
        for _ in range(3):
            board.buttons["step"].click()
        return board
    return make


def _descent(problem):
    def make(lang, scale):
        board = DescentExplorer(problem, live=False, lang=lang, scale=scale)
        for _ in range(5):
            board.buttons["step"].click()
        return board
    return make


OTHER_DASHBOARDS = {
    "chain_rule": _chain_rule, "race_pca": _race("pca"), "race_weights": _race("weights"),
    "descent_quadratic": _descent("quadratic"), "descent_line": _descent("linear_regression"),
    "loss_explorer": lambda lang, scale: LossExplorer(loss="binary_crossentropy", live=False, lang=lang,
                                                      scale=scale),
}


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("scale", [1.0, 1.5])
@pytest.mark.parametrize("name", list(OTHER_DASHBOARDS))
def test_no_text_is_cut_off_or_written_over_another_at_either_scale(name, scale, lang):
    board = OTHER_DASHBOARDS[name](lang, scale)
    fig = board.figures[0]
    assert board.errors == []
    assert small_texts(fig, MIN_TEXT_PX * scale) == []
    assert clipped_texts(fig) == []
    assert overlapping_texts(fig) == []
    assert fig.canvas.get_width_height()[0] <= MAX_WIDTH_PX


EXTREME_POINTS = {
    "binary_crossentropy": [("probability", 0.0), ("probability", 1.0), ("label", 0.0)],
    "mse": [("prediction", -3.0), ("target", 3.0)],
    "mae": [("prediction", 3.0), ("target", -3.0)],
    "categorical_crossentropy": [("score", 0.0), ("score", 1.0)],
}


@pytest.mark.parametrize("scale", [1.0, 1.5])
@pytest.mark.parametrize("loss", list(EXTREME_POINTS))
def test_the_loss_explorer_cuts_off_nothing_at_its_extremes(loss, scale):
    """At a probability of 0 the loss is 16.1 and the tick labels widen ("17.5"); at a prediction
    of -3 the first tick label is "−3": the axis label stays inside the figure."""
    board = LossExplorer(loss=loss, live=False, scale=scale)
    fig = board.figures[0]
    for name, value in EXTREME_POINTS[loss]:
        control = board.scores[0] if name == "score" else getattr(board, name)
        control.value = value
        assert clipped_texts(fig) == [], (name, value)
        assert overlapping_texts(fig) == [], (name, value)
    assert board.errors == []
