"""StepThrough headless: click every button, move every control, and check the trainer, the
status line and the views against numbers computed here."""
import html
import re
import warnings

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent
from PIL import Image

import stepnn as sn
from stepnn.history import EpochEntry, History
from stepnn.widgets import ipympl_available
from stepnn.widgets.controller import Criteria, finish_epoch, phase_hint, run, status_text
from stepnn.widgets.stepthrough import OPTIMIZERS, VIEW_NAMES, StepThrough

from .test_views import make_trainer, numpy_forward

BUTTONS = ("forward", "loss", "backward", "update", "step", "epoch", "undo", "reset")
LOOP = ("forward", "loss", "backward", "update")
CONTROLS = ("learning_rate", "batch_size", "optimizer", "loss_function", "seed", "max_epochs",
            "target_loss", "patience", "sample", "speed")


@pytest.fixture
def board():
    return StepThrough(make_trainer(validation_split=0.2), live=False, dpi=40)


def bce(y, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def classes_of(widget):
    return set(widget._dom_classes)


# -------------------------------------------------------------------------- the widgets
def test_every_button_and_control_has_its_css_class(board):
    for name in BUTTONS:
        assert f"stepnn-{name}" in classes_of(board.buttons[name])
    assert "stepnn-play" in classes_of(board.play) and isinstance(board.play, widgets.Play)
    assert "stepnn-status" in classes_of(board.status)
    for name in CONTROLS:
        assert f"stepnn-{name.replace('_', '-')}" in classes_of(board.controls[name])
    assert isinstance(board.controls["learning_rate"], widgets.FloatLogSlider)
    lr = board.controls["learning_rate"]
    assert lr.base ** lr.min <= 1e-4 and lr.base ** lr.max >= 10
    batch = board.controls["batch_size"]
    assert (batch.min, batch.max) == (1, board.trainer.n_samples)
    assert [v for _, v in OPTIMIZERS] == ["sgd", "sgd+momentum", "rmsprop", "adagrad", "adam"]


def test_only_the_next_phase_is_enabled_and_the_others_say_why(board):
    for k, expected in enumerate(LOOP * 2):
        for phase in LOOP:
            button = board.buttons[phase]
            if phase == expected:
                assert not button.disabled and button.button_style == "primary"
            else:
                assert button.disabled and button.button_style == ""
                assert button.tooltip == phase_hint(expected)
        board.buttons[expected].click()
    assert phase_hint("backward") == "Next is Backward: the loop runs forward -> loss -> backward -> update"
    assert board.errors == []


def test_four_phase_clicks_make_iteration_one_with_its_loss(board):
    tr = board.trainer
    for phase in LOOP:
        board.buttons[phase].click()
    idx = tr.history.iterations[0].indices
    before = sn.Sequential([sn.Dense(2, 4, activation="tanh"), sn.Dense(4, 2, activation="tanh"),
                            sn.Dense(2, 1, activation="sigmoid")], seed=0)
    loss = bce(tr.y[idx], numpy_forward(before, tr.X[idx])[-1])
    assert re.search(r"\biteration 1/", board.status.value)
    assert f"loss {loss:.4f}" in board.status.value
    assert "global iteration 1" in board.status.value and f"samples seen {len(idx)}" in board.status.value
    assert html.escape(tr.explain()) in board.batch_mode.value
    assert board.errors == []


def test_a_disabled_phase_clicked_from_code_reports_a_phase_error_and_changes_nothing(board):
    board.buttons["backward"].click()
    assert len(board.errors) == 1 and "PhaseError" in board.errors[0]
    assert "PhaseError" in board.message.value and board.trainer.next_phase == "forward"


def test_step_and_epoch_buttons(board):
    tr = board.trainer
    board.buttons["forward"].click()
    board.buttons["step"].click()          # finishes the iteration begun by Forward
    assert tr.global_iteration == 1 and tr.next_phase == "forward"
    board.buttons["epoch"].click()
    assert tr.epoch == 1 and tr.iteration == 0 and tr.global_iteration == tr.iterations_per_epoch
    assert "Epoch 1 finished" in board.message.value
    assert board.errors == []


def test_epoch_stops_at_max_epochs_and_target_loss(board):
    tr = board.trainer
    board.controls["max_epochs"].value = 1
    board.buttons["epoch"].click()
    assert board.stop_reason == "max_epochs" and "Stopped: 1 epochs done" in board.message.value
    assert "stopped" not in board.status.value      # said once, in the message area
    assert "epochs done 1 " in board.status.value
    board.buttons["epoch"].click()         # the limit holds: nothing runs
    assert tr.epoch == 1 and "raise max epochs" in board.message.value
    board.controls["max_epochs"].value = 0  # off
    board.controls["target_loss"].value = 10.0
    board.buttons["epoch"].click()
    assert tr.epoch == 2 and board.stop_reason == "target_loss"
    assert board.criteria == Criteria(max_epochs=None, target_loss=10.0, patience=None)


def test_criteria_stop_on_patience_from_the_validation_history():
    class Stub:  # a trainer after len(val_losses) epochs of validation
        X_val = np.zeros((1, 2))

        def __init__(self, val_losses):
            self.epoch = len(val_losses)
            self.history = History(np.zeros(1))
            for e, v in enumerate(val_losses, 1):
                self.history.record_epoch(EpochEntry(e, 1.0, v))
            self.history.show(0, len(val_losses), 0, np.zeros(1))

    c = Criteria(patience=2)
    assert c.at_epoch_end(Stub([0.9, 0.8, 0.85])) is None
    assert c.at_epoch_end(Stub([0.9, 0.8, 0.85, 0.8])) == "early_stopping"   # equal is no better
    with pytest.raises(ValueError, match="patience"):
        Criteria(patience=0)


def test_play_ticks_run_iterations_and_stop_at_the_epoch_limit():
    tr = make_trainer(n=40, batch_size=8)        # 5 iterations per epoch
    board = StepThrough(tr, live=False, dpi=40, max_epochs=2)
    board.controls["speed"].value = 20
    assert board.play.interval == 100 and board.steps_per_tick == 2
    board.play.playing = True
    board.play.value += 1
    assert tr.global_iteration == 2
    while board.play.playing:
        board.play.value += 1
    assert tr.epoch == 2 and tr.global_iteration == 10 and board.stop_reason == "max_epochs"
    board.play.value += 1                        # a late frame after the stop does nothing
    assert tr.global_iteration == 10
    board.play.playing = True                    # the limit still holds: Play stops at once
    assert not board.play.playing and tr.global_iteration == 10
    assert board.errors == []


def test_pausing_play_by_hand_is_a_stop_reason(board):
    board.play.playing = True
    board.tick()
    board.play.playing = False
    assert board.stop_reason == "interrupted" and "Paused." in board.message.value


def test_undo_and_reset(board):
    tr = board.trainer
    start = tr.model.get_flat()
    for phase in LOOP:
        board.buttons[phase].click()
    board.buttons["undo"].click()
    assert tr.next_phase == "update" and "Undone: Update" in board.message.value
    board.controls["learning_rate"].value = 0.05
    board.buttons["undo"].click()                # undoes the setting: the slider follows
    assert board.controls["learning_rate"].value == pytest.approx(0.3)
    board.buttons["reset"].click()
    assert tr.global_iteration == 0 and tr.next_phase == "forward"
    np.testing.assert_array_equal(tr.model.get_flat(), start)
    assert board.buttons["undo"].disabled
    board.undo()
    assert "Nothing to undo" in board.message.value and board.errors == []


# ------------------------------------------------------------------------------ controls
def test_learning_rate_mid_iteration_waits_for_the_next_iteration(board):
    tr = board.trainer
    board.buttons["forward"].click()
    board.controls["learning_rate"].value = 0.05
    assert tr.learning_rate == 0.3 and "Takes effect at the next iteration" in board.message.value
    assert "from the next iteration: learning rate 0.05" in board.status.value
    board.buttons["step"].click()
    board.buttons["forward"].click()
    assert tr.learning_rate == 0.05
    event = tr.history.events[-1]
    assert (event.what, event.old, event.new) == ("learning_rate", 0.3, 0.05)


@pytest.mark.parametrize("size, words", [(1, "Stochastic GD (1 = 2^0)"), (16, "Mini-batch GD (16 = 2^4)"),
                                         (20, "Mini-batch GD (2^k: 16, 32)"), (160, "Full-batch GD")])
def test_batch_size_label_names_the_kind_of_descent(board, size, words):
    board.controls["batch_size"].value = size
    assert board.trainer.batch_size == size
    assert board.batch_mode.value.startswith(words)
    assert f"= {size} x" in board.batch_mode.value


@pytest.mark.parametrize("choice, kind, momentum", [
    ("sgd", sn.SGD, 0.0), ("sgd+momentum", sn.SGD, 0.9), ("rmsprop", sn.RMSprop, None),
    ("adagrad", sn.Adagrad, None), ("adam", sn.Adam, None)])
def test_optimizer_choice_keeps_the_learning_rate(board, choice, kind, momentum):
    board.controls["learning_rate"].value = 0.02
    board.controls["optimizer"].value = choice
    opt = board.trainer.optimizer
    assert type(opt) is kind and opt.learning_rate == pytest.approx(0.02)
    if momentum is not None:
        assert opt.momentum == momentum


def test_loss_choices_are_the_fitting_losses(board):
    tr = board.trainer
    assert list(board.controls["loss_function"].options) == sn.losses.fitting("sigmoid", 1, tr.y)
    board.controls["loss_function"].value = "mean_squared_error"
    assert tr.loss_fn.name == "mean_squared_error"
    multi = StepThrough(make_trainer("iris", hidden=(5,), output="softmax",
                                     loss="sparse_categorical_crossentropy"), live=False, dpi=40)
    assert list(multi.controls["loss_function"].options) == ["sparse_categorical_crossentropy"]


def test_seed_reinitialises_the_weights(board):
    tr = board.trainer
    board.buttons["step"].click()
    board.controls["learning_rate"].value = 0.1
    board.controls["seed"].value = 7
    fresh = sn.Sequential([sn.Dense(2, 4, activation="tanh"), sn.Dense(4, 2, activation="tanh"),
                           sn.Dense(2, 1, activation="sigmoid")], seed=7)
    np.testing.assert_array_equal(tr.model.get_flat(), fresh.get_flat())
    assert tr.global_iteration == 0 and tr.seed == 7 and tr.learning_rate == 0.1


def test_sample_control_chooses_the_neuron_values(board):
    board.buttons["forward"].click()
    board.controls["sample"].value = 5
    tr, net = board.trainer, board.views["network"]
    row = tr.last_forward.indices[5]
    np.testing.assert_allclose(net.neurons.get_array()[2:6], numpy_forward(tr, tr.X[[row]])[0][0])
    assert board.controls["sample"].max == 15


def test_patience_needs_validation_data():
    tr = make_trainer()
    board = StepThrough(tr, live=False, dpi=40)
    assert board.controls["patience"].disabled
    with pytest.raises(ValueError, match="validation"):
        StepThrough(tr, live=False, patience=3)


# ------------------------------------------------------------------------ divergence
def test_a_diverging_learning_rate_is_a_message_not_a_traceback():
    tr = make_trainer("linear", hidden=(4,), output="linear", loss="mse", batch_size=50)
    board = StepThrough(tr, live=False, dpi=40, max_epochs=None)
    board.controls["learning_rate"].value = 10.0
    board.play.playing = True
    for _ in range(300):
        if not board.play.playing:
            break
        board.play.value += 1
    assert not board.play.playing and board.stop_reason == "diverged"
    assert "Lower the learning rate" in board.message.value and "stepnn-error" not in board.message.value
    assert np.all(np.isfinite(tr.model.get_flat()))        # stopped before backward
    assert "diverged" in board.views["network"].title.get_text()
    assert "diverged" in board.views["curves"].note.get_text()
    board.buttons["step"].click()                           # still refuses, still no traceback
    board.buttons["backward"].click()                       # by hand it runs: NaN weights are drawn
    board.buttons["update"].click()
    assert board.errors == []


# ----------------------------------------------------------------------------- export
def test_save_png_of_one_view_is_a_crop(board, tmp_path):
    whole = Image.open(board.save_png(tmp_path / "all.png", dpi=50))
    for view in VIEW_NAMES:
        part = Image.open(board.save_png(tmp_path / f"{view}.png", view=view, dpi=50))
        assert part.width < whole.width and part.height < whole.height, view
    with pytest.raises(ValueError, match="view must be"):
        board.save_png(tmp_path / "x.png", view="nope")


def test_save_gif_trains_a_copy_and_leaves_the_live_trainer_alone(tmp_path):
    tr, twin = make_trainer(), make_trainer()
    board = StepThrough(tr, live=False, dpi=40)
    for t in (tr, twin):
        t.step()
        t.forward()
    state = (tr.model.get_flat(), tr.global_iteration, len(tr.history), tr.next_phase, tr.can_undo)
    path = board.save_gif(tmp_path / "train.gif", iterations=4, fps=5)
    with Image.open(path) as im:
        assert im.n_frames == 5
    assert (tr.global_iteration, len(tr.history), tr.next_phase, tr.can_undo) == state[1:]
    np.testing.assert_array_equal(tr.model.get_flat(), state[0])
    for t in (tr, twin):                                      # and it goes on exactly as without
        t.loss()
        t.backward()
        t.update()
        t.step()
    np.testing.assert_array_equal(tr.model.get_flat(), twin.model.get_flat())
    np.testing.assert_array_equal(tr.history.losses, twin.history.losses)
    one = board.save_gif(tmp_path / "net.gif", iterations=2, view="network")
    with Image.open(one) as im:
        assert im.n_frames == 3


# ------------------------------------------------------------------- modes and languages
def test_live_dashboard_builds_on_an_ipympl_canvas(require):
    if not ipympl_available():
        require("ipympl is not installed")
    board = StepThrough(make_trainer(), live=True)
    assert board.mode == "live"
    assert isinstance(board.figure.canvas, widgets.DOMWidget)
    assert board.figure.canvas in board.widget.children
    board.buttons["step"].click()
    assert board.errors == [] and board.trainer.global_iteration == 1


def test_korean_dashboard_has_no_missing_glyphs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        board = StepThrough(make_trainer(), lang="ko", live=False, dpi=40)
        for phase in LOOP:
            board.buttons[phase].click()
        board.snapshot()
    assert board.buttons["forward"].description == "순전파"
    assert "이터레이션 1/" in board.status.value and "다음: 순전파" in board.status.value
    assert board.buttons["backward"].tooltip.startswith("다음은 순전파")
    assert board.errors == []


def test_multiclass_iris_works_everywhere():
    tr = make_trainer("iris", hidden=(5,), output="softmax", loss="categorical_crossentropy", one_hot=True,
                      learning_rate=0.05)
    board = StepThrough(tr, live=False, dpi=40)
    for phase in LOOP:
        board.buttons[phase].click()
    board.buttons["epoch"].click()
    assert board.views["boundary"].kind == "boundary2d" and board.views["boundary"].basis.shape == (4, 2)
    assert set(board.controls["loss_function"].options) == {"categorical_crossentropy", "cee"}
    board.controls["loss_function"].value = "cee"
    board.buttons["step"].click()
    assert tr.loss_fn.name == "cee" and board.errors == []


def test_a_subset_of_views_and_bad_arguments():
    board = StepThrough(make_trainer(), live=False, views=("network", "curves"), dpi=40)
    assert list(board.views) == ["network", "curves"]
    with pytest.raises(TypeError, match="stepnn.Trainer"):
        StepThrough("not a trainer", live=False)
    with pytest.raises(ValueError, match="views must be"):
        StepThrough(make_trainer(), live=False, views=("network", "photos"))
    with pytest.raises(ValueError, match="surface must be"):
        StepThrough(make_trainer(), live=False, surface="random")


def test_the_loss_surface_on_the_pca_plane():
    board = StepThrough(make_trainer(), live=False, surface="pca", dpi=40)
    for _ in range(4):
        board.buttons["step"].click()
    assert board.views["surface"].directions == "pca" and board.errors == []


def test_notebook_stand_in_and_repr(board):
    bundle = board._repr_mimebundle_()
    assert bundle["text/plain"].startswith("StepThrough: network [2, 4, 2, 1]")
    assert bundle["image/png"]
    assert "next: forward" in repr(board)


def test_clicking_the_loss_surface_moves_two_weights_and_every_view_follows(board):
    surface = board.views["surface"]
    board.figure.canvas.draw()
    x, y = surface.ax.transData.transform((0.5, -0.25))
    event = MouseEvent("button_press_event", board.figure.canvas, x, y, button=1)
    board.figure.canvas.callbacks.process("button_press_event", event)
    tr = board.trainer
    assert tr.model.layers[0].W[0, 0] == pytest.approx(0.5, abs=0.05)
    assert tr.model.layers[0].W[0, 1] == pytest.approx(-0.25, abs=0.05)
    widths = board.views["network"].edges.get_linewidths()[:2]
    w = np.abs(tr.model.layers[0].W.ravel()[:2]) / max(np.abs(layer.W).max() for layer in tr.model.layers)
    np.testing.assert_allclose(widths, 0.4 + 4.1 * w)
    assert board.errors == []


# ------------------------------------------------------------------- controller helpers
def test_run_and_finish_epoch_without_widgets():
    tr = make_trainer(n=40, batch_size=8)
    assert run(tr, Criteria(), 3) is None and tr.global_iteration == 3
    assert finish_epoch(tr, Criteria()) is None and tr.epoch == 1 and tr.global_iteration == 5
    assert run(tr, Criteria(max_epochs=2), 100) == "max_epochs" and tr.global_iteration == 10
    line = status_text(tr)
    assert line.startswith("epochs done 2 · iteration 0/5 · global iteration 10 · samples seen 80 · loss ")


def test_the_history_slider_goes_to_any_moment_and_step_goes_on_from_there(board):
    tr = board.trainer
    for _ in range(6):
        board.buttons["step"].click()
    moment = board.controls["moment"]
    assert (moment.max, moment.value) == (6, 6)
    curve = board.views["curves"]
    losses = tr.history.losses
    weights_after_2 = tr.history.weights[2]
    moment.value = 2
    assert tr.global_iteration == 2 and moment.max == 6  # the later iterations wait for redo
    np.testing.assert_array_equal(tr.model.get_flat(), weights_after_2)
    np.testing.assert_array_equal(curve.line.get_ydata(), losses[:2])
    moment.value = 5
    assert tr.global_iteration == 5
    moment.value = 2
    board.buttons["step"].click()  # a new branch from iteration 2
    assert tr.global_iteration == 3 and (moment.max, moment.value) == (3, 3)
    assert tr.history.losses[2] == losses[2]  # the same iteration 3 as before
    assert board.errors == []
