"""OptimizerRace, headless: same start, one epoch per Step for every run, losses per epoch, paths on
one plane, every control (checkboxes, presets, plane), a diverging run, Korean labels."""
import math
import warnings

import matplotlib
import numpy as np
import pytest

import stepnn as sn
from stepnn import surface as S
from stepnn.widgets import ipympl_available
from stepnn.widgets.race import PRESETS, RUN_COLORS, RUN_STYLES, OptimizerRace, run_specs, smooth

from .readable import fits, rows_that_do_not_wrap, small_texts, smallest_px

EXACT = 1e-12


@pytest.fixture(scope="module")
def batch_race():
    """The "batch" preset after two Steps (shared: a batch-size-1 epoch is 200 iterations)."""
    race = OptimizerRace("xor", runs="batch", live=False)
    race.buttons["step"].click()
    race.buttons["step"].click()
    return race


def full_loss(trainer, flat):
    """The loss on all training data at weights ``flat``, through a fresh model's predict."""
    model = sn.Sequential([sn.Dense(2, 4, "tanh"), sn.Dense(4, 1, "sigmoid")])
    model.set_flat(flat)
    return sn.losses.binary_crossentropy(trainer.y, model.predict(trainer.X))


def test_builds_static_with_every_control():
    race = OptimizerRace("xor", live=False)
    names = [s["name"] for s in PRESETS["optimizers"]]
    assert race.mode == "static" and len(race.trainers) == 4
    assert [b.description for b in race.checkboxes] == names
    assert all("stepnn-race-run" in b._dom_classes for b in race.checkboxes)
    classes = {c for w in (*race.buttons.values(), race.play, race.preset, race.plane) for c in w._dom_classes}
    assert {"stepnn-race-step", "stepnn-race-reset", "stepnn-race-play", "stepnn-race-preset",
            "stepnn-race-plane"} <= classes
    assert race.message in race.widget.children
    assert race.loss_ax.get_legend() is None  # the key is the figure's, below the plots
    assert [t.get_text() for t in race.key.get_texts()] == names
    assert names[:2] == ["sgd rule", "sgd rule + momentum 0.9"]
    opts = [t.optimizer for t in race.trainers]
    assert [o.name for o in opts] == ["sgd", "sgd", "rmsprop", "adam"] and opts[1].momentum == 0.9
    assert {t.batch_size for t in race.trainers} == {16}
    # the same start and the same shuffling for every run
    for t in race.trainers[1:]:
        np.testing.assert_array_equal(t.model.get_flat(), race.trainers[0].model.get_flat())
        assert t.seed == race.trainers[0].seed
    assert "xor, runs sgd rule, sgd rule + momentum 0.9, RMSprop, Adam, epoch 0" in race.describe()


def test_step_runs_one_epoch_of_every_run(batch_race):
    N = 200
    for t, size in zip(batch_race.trainers, (1, 16, N)):
        assert t.batch_size == size and t.epoch == 2 and t.iteration == 0
        assert len(t.history.iterations) == 2 * math.ceil(N / size)
        assert t.samples_seen == 2 * N
    assert "Epoch 2 done" in batch_race.message.value


def test_loss_chart_counts_epochs_and_shows_the_loss_on_all_data(batch_race):
    for t, line, thin, losses in zip(batch_race.trainers, batch_race.epoch_lines, batch_race.batch_lines,
                                     batch_race.epoch_losses):
        np.testing.assert_array_equal(line.get_xdata(), [0, 1, 2])
        H = t.history.weights
        per_epoch = math.ceil(200 / t.batch_size)
        ends = [0, per_epoch, 2 * per_epoch]      # rows of the path at the end of each epoch
        expected = [full_loss(t, H[k]) for k in ends]
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=EXACT)
        np.testing.assert_allclose(losses, expected, rtol=EXACT)
        x = thin.get_xdata()
        assert len(x) == 2 * per_epoch and x[-1] == pytest.approx(2.0) and x[per_epoch - 1] == pytest.approx(1.0)
        # each batch's loss as a running mean over a fifth of an epoch
        np.testing.assert_allclose(thin.get_ydata(), smooth(t.history.losses, per_epoch // 5))
    assert batch_race.loss_ax.get_xlim()[0] == 0
    # the limits follow the losses on all data, not one batch's extremes
    low, high = batch_race.loss_ax.get_ylim()
    every = np.concatenate(batch_race.epoch_losses)
    assert low == pytest.approx(every.min() / 3) and high == pytest.approx(every.max() * 3)


def test_paths_are_the_runs_histories_on_one_pca_plane(batch_race):
    view = batch_race.surface_view
    plane = view.plane
    start = batch_race.trainers[0].history.weights[0]
    np.testing.assert_array_equal(plane.center, start)
    rows = np.vstack([t.history.weights for t in batch_race.trainers])
    d1, d2, ratio = S.pca_directions(rows)
    np.testing.assert_allclose(plane.explained, ratio)
    for k, t in enumerate(batch_race.trainers):
        np.testing.assert_array_equal(view.lines[k].get_xydata(), plane.project(t.history.weights))
        np.testing.assert_array_equal(view.points[k].get_xydata(), plane.project(t.history.weights[-1:]))
    np.testing.assert_allclose(view.start_marker.get_xydata(), [[0.0, 0.0]], atol=1e-12)
    s = view.surface
    np.testing.assert_array_equal(s.values, S.loss_grid(t.model, t.X, t.y, t.loss_fn, plane.center, plane.d1,
                                                        plane.d2, s.alphas, s.betas))
    r1, r2 = plane.explained
    assert view.title.get_text() == f"Loss surface: PC1 {r1:.0%} + PC2 {r2:.0%}"


def test_caption_explains_epochs_and_iterations_per_run(batch_race):
    caption = batch_race.caption.value
    assert caption.count("An epoch is") == 1
    assert "200 samples = batch size 1 × 200 → iterations per epoch: 200" in caption
    assert "200 samples = batch size 16 × 12 + 8 → iterations per epoch: 13" in caption
    assert "200 samples = batch size 200 × 1 → iterations per epoch: 1" in caption
    # runs with one batch size share one line: nothing is said twice
    race = OptimizerRace("xor", live=False)
    assert race.caption.value.count("<li>") == 1 and race.caption.value.count("batch size 16") == 1
    assert "<b>sgd rule, sgd rule + momentum 0.9, RMSprop, Adam</b>" in race.caption.value


def test_checkboxes_hide_and_show_a_run():
    race = OptimizerRace("xor", live=False)
    race.buttons["step"].click()
    race.checkboxes[2].value = False
    view = race.surface_view
    assert not view.lines[2].get_visible() and not view.points[2].get_visible()
    assert not race.epoch_lines[2].get_visible() and not race.batch_lines[2].get_visible()
    assert view.lines[1].get_visible()
    race.checkboxes[2].value = True
    assert view.lines[2].get_visible() and race.epoch_lines[2].get_visible()
    assert race.errors == []


def test_preset_and_plane_controls_rebuild_the_race():
    race = OptimizerRace("xor", live=False)
    race.buttons["step"].click()
    race.preset.value = "batch"
    assert [t.batch_size for t in race.trainers] == [1, 16, 200]
    assert all(t.epoch == 0 for t in race.trainers) and len(race.checkboxes) == 3
    assert [line.get_label() for line in race.epoch_lines] == [s["name"] for s in PRESETS["batch"]]
    race.plane.value = "weights"
    view = race.surface_view
    assert view.directions == "weights" and "W1[0,0] × W1[0,1]" in view.title.get_text()
    start = race.trainers[0].history.weights[0]
    expected_center = start.copy()
    expected_center[[0, 1]] = 0
    np.testing.assert_array_equal(view.plane.center, expected_center)   # others at the start
    np.testing.assert_array_equal(view.lines[0].get_xydata(), race.trainers[0].history.weights[:, :2])
    assert race.errors == []


def test_reset_and_play_with_an_epoch_limit():
    race = OptimizerRace("xor", live=False, max_epochs=2)
    race.play.playing = True
    for k in range(1, 6):
        race.play.value = k
        if not race.play.playing:
            break
    assert race.epochs == 2 and not race.play.playing
    assert "max_epochs" in race.message.value
    race.buttons["reset"].click()
    assert race.epochs == 0 and all(len(t.history.weights) == 1 for t in race.trainers)
    assert all(len(losses) == 1 for losses in race.epoch_losses)
    assert race.surface_view.plane is None and "run at least" in race.surface_view.note.get_text()


def test_a_diverging_run_stops_while_the_others_go_on():
    runs = [dict(name="calm", learning_rate=0.01, batch_size=10),
            dict(name="wild", learning_rate=20.0, batch_size=10)]
    race = OptimizerRace("sine", runs=runs, live=False, activation="linear")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(4):
            race.buttons["step"].click()
        race.snapshot()
    assert race.stopped == [False, True] and race.errors == []
    assert race.trainers[0].epoch == 4 and "wild diverged" in race.message.value
    assert "diverged" in race.surface_view.note.get_text()
    assert race.preset.value == "custom"
    race.preset.value = "batch"
    race.preset.value = "custom"       # the runs given at the start come back, from the start
    assert [s["name"] for s in race.specs] == ["calm", "wild"] and race.epochs == 0


@pytest.mark.parametrize("runs, words", [("fast", "preset name"), ([], "1 to 6 runs"),
                                         ([dict(speed=1)], "keys among")])
def test_bad_runs_are_refused(runs, words):
    with pytest.raises(ValueError, match=words):
        run_specs(runs)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="dataset must be one of"):
        OptimizerRace("mnist", live=False)
    with pytest.raises(ValueError, match="directions"):
        OptimizerRace(live=False, directions="random")
    with pytest.raises(ValueError, match="max_epochs"):
        OptimizerRace(live=False, max_epochs=0)


def test_other_data_sets_pick_their_loss():
    race = OptimizerRace("iris", runs=[dict(name="adam", optimizer="adam", learning_rate=0.01)], live=False)
    t = race.trainers[0]
    assert t.loss_fn.name == "sparse_categorical_crossentropy" and t.model.sizes == [4, 8, 3]
    race.buttons["step"].click()
    assert t.epoch == 1 and race.epoch_losses[0][1] < race.epoch_losses[0][0]


def test_korean_labels_render_without_missing_glyphs():
    with warnings.catch_warnings(), matplotlib.rc_context():
        warnings.simplefilter("error")
        race = OptimizerRace("xor", runs="batch", lang="ko", live=False)
        race.snapshot()
    assert race.checkboxes[0].description == "배치 사이즈 1 (확률적 경사 하강법)"
    assert "에포크" in race.caption.value


def test_builds_live_with_an_ipympl_canvas(require):
    if not ipympl_available():
        require("ipympl is not installed")
    race = OptimizerRace("xor", live=True)
    assert race.mode == "live" and type(race.figures[0].canvas).__module__.startswith("ipympl")
    race.buttons["step"].click()
    assert all(t.epoch == 1 for t in race.trainers) and race.errors == []


def test_smooth_is_a_running_mean():
    np.testing.assert_allclose(smooth([1.0, 3.0, 5.0, 7.0], 2), [1.0, 2.0, 4.0, 6.0])
    np.testing.assert_array_equal(smooth([4.0, 2.0], 1), [4.0, 2.0])
    assert smooth([], 3).size == 0


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_text_is_readable_and_the_figure_fits(batch_race, lang):
    race = batch_race if lang == "en" else OptimizerRace("xor", live=False, lang="ko")
    fig = race.figures[0]
    assert fits(fig) and small_texts(fig) == []
    race.buttons["step"].click()
    assert small_texts(fig) == []
    big = OptimizerRace("xor", runs="batch", live=False, lang=lang, scale=1.5)
    assert smallest_px(big.figures[0]) == pytest.approx(18)
    fig = big.figures[0]
    fig.canvas.draw()
    key = big.key.get_window_extent()
    assert key.x0 >= 0 and key.x1 <= fig.canvas.get_width_height()[0]  # the key wraps, never cut off


def test_runs_differ_in_colour_and_line_style_and_the_key_covers_nothing():
    race = OptimizerRace("xor", live=False)
    styles = [line.get_linestyle() for line in race.epoch_lines]
    colors = [line.get_color() for line in race.epoch_lines]
    assert len(set(styles)) == 4 and len(set(colors)) == 4
    assert colors == list(RUN_COLORS[:4])
    assert [line.get_linestyle() for line in race.surface_view.lines] == styles
    fig = race.figures[0]
    fig.canvas.draw()
    key = race.key.get_window_extent()
    for ax in (race.loss_ax, race.surface_view.ax):
        assert key.y1 <= ax.get_window_extent().y0


def test_the_two_meanings_of_sgd_have_two_names():
    batch = [s["name"] for s in PRESETS["batch"]]
    rules = [s["name"] for s in PRESETS["optimizers"]]
    assert batch[0] == "batch size 1 (stochastic)" and "SGD" not in " ".join(batch + rules)
    assert rules[0] == "sgd rule"
    ko = OptimizerRace("xor", runs="batch", live=False, lang="ko")
    assert ko.checkboxes[0].description == "배치 사이즈 1 (확률적 경사 하강법)"
    assert "에포크는" in ko.caption.value and "samples" not in ko.caption.value


def test_rows_of_controls_wrap_in_a_narrow_output_area(batch_race):
    assert rows_that_do_not_wrap(batch_race.widget) == []
