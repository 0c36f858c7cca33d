"""StepThrough's Playground row headless: the regularizer, the data set, its noise and validation
share, the student's own points and Save / Load change the trainer as asked, undo and goto bring
trainer and controls back, and bad files become messages."""
import html

import matplotlib
import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent

import stepnn as sn
from stepnn.views.style import MAX_WIDTH_PX, MIN_TEXT_PX, text_px
from stepnn.widgets.controller import status_text
from stepnn.widgets.playground import RATES, classes_of, make_regularizer, regularizer_choice
from stepnn.widgets.stepthrough import StepThrough

from .test_readable import texts
from .test_views import make_trainer


@pytest.fixture
def board():
    return StepThrough(make_trainer(validation_split=0.2), live=False, dpi=40)


def controls(board):
    return board.playground.controls


def click(board, x, y, button=1):
    """A left click at data coordinates (x, y) of the decision boundary, through the canvas."""
    ax = board.views["boundary"].ax
    board.figure.canvas.draw()
    px, py = ax.transData.transform((x, y))
    event = MouseEvent("button_press_event", board.figure.canvas, px, py, button=button)
    board.figure.canvas.callbacks.process("button_press_event", event)


def shown(board):
    c = controls(board)
    return (c["regularizer"].value, c["rate"].value, c["dataset"].value, c["noise"].value,
            c["validation"].value)


# ------------------------------------------------------------------------ regularizer
def test_the_regularizer_control_sets_every_kernel_and_the_penalty_shows():
    board = StepThrough(make_trainer(), live=False, dpi=40)
    c = controls(board)
    assert c["regularizer"].value == "none" and c["rate"].disabled
    assert list(c["rate"].options) == list(RATES)
    c["rate"].value = 0.03
    c["regularizer"].value = "l2"
    tr = board.trainer
    assert tr.kernel_regularizer == sn.regularizers.L2(0.03)
    assert not c["rate"].disabled
    assert board.views["network"].reg_all.get_text() == "W1-W3: L2 0.03"
    tr.set_regularizer("l1", layer=0)       # from code, one layer: the labels follow per layer
    board.refresh()
    assert [t.get_text() for t in board.views["network"].reg_texts] == ["L1 0.01", "L2 0.03", "L2 0.03"]
    assert board.views["network"].reg_all.get_text() == ""
    assert c["regularizer"].value == "l1" and c["rate"].value == 0.01   # the first layer's
    c["regularizer"].value = "l2"
    c["rate"].value = 0.03
    kernels = [layer.W.copy() for layer in tr.model.layers]
    board.step()
    rec = tr.history.iterations[-1]
    expected = 0.03 * sum(float(np.sum(W ** 2)) for W in kernels)
    last = tr.last_loss
    assert last.penalty == pytest.approx(expected, rel=1e-12)
    assert last.value == pytest.approx(last.data_loss + last.penalty, rel=1e-12)
    assert f"(data {last.data_loss:.4f} + penalty {last.penalty:.4f})" in html.unescape(board.status.value)
    assert rec.loss == last.value
    c["regularizer"].value = "l1_l2"
    assert tr.kernel_regularizer == sn.regularizers.L1L2(0.03, 0.03)
    assert board.views["network"].reg_all.get_text() == "W1-W3: L1+L2 0.03"
    c["regularizer"].value = "none"
    assert tr.kernel_regularizer is None
    assert [t.get_text() for t in board.views["network"].reg_texts + [board.views["network"].reg_all]] == [""] * 4
    assert board.errors == []


def test_a_regularizer_chosen_mid_iteration_waits_and_undo_brings_the_control_back():
    board = StepThrough(make_trainer(), live=False, dpi=40)
    tr, c = board.trainer, controls(board)
    board.run_phase("forward")
    c["regularizer"].value = "l1"
    assert tr.kernel_regularizer is None                    # waits for the next iteration
    assert "regularizers" in tr.pending
    assert "Takes effect at the next iteration" in board.message.value
    assert "from the next iteration: regularization L1 0.01" in html.unescape(board.status.value)
    assert board.views["network"].reg_all.get_text() == ""
    board.step()                                           # finishes this iteration
    board.run_phase("forward")
    assert tr.kernel_regularizer == sn.regularizers.L1(0.01)
    assert board.views["network"].reg_all.get_text() == "W1-W3: L1 0.01"
    while tr.kernel_regularizer is not None or tr.pending:
        board.undo()
    assert c["regularizer"].value == "none" and board.views["network"].reg_all.get_text() == ""
    assert board.errors == []


def test_regularizer_choices_read_back():
    assert regularizer_choice((None, None)) == ("none", 0.0)
    for kind, rate in [("l1", 0.3), ("l2", 10.0), ("l1_l2", 0.001)]:
        assert regularizer_choice((None, make_regularizer(kind, rate))) == (kind, rate)
    with pytest.raises(ValueError, match="regularizer must be one of"):
        make_regularizer("l3", 0.1)


# ------------------------------------------------------------------------ data controls
def test_data_set_noise_and_validation_share_go_through_set_data(board):
    tr, c = board.trainer, controls(board)
    assert shown(board)[2:] == ("custom", 0, 20)           # the trainer's own data, 20 % held out
    c["dataset"].value = "circle"
    X, y = sn.datasets.circle(n=200, noise=0.0, seed=tr.seed)
    np.testing.assert_array_equal(tr.X, X[:160])
    np.testing.assert_array_equal(tr.X_val, X[160:])
    c["noise"].value = 30
    X, y = sn.datasets.circle(n=200, noise=0.3, seed=tr.seed)
    np.testing.assert_array_equal(tr.data.y, y[:160])
    c["validation"].value = 50
    assert (len(tr.X), len(tr.X_val)) == (100, 100)
    c["validation"].value = 0
    assert tr.X_val is None and c["validation"].value == 0
    assert controls(board)["noise"].value == 30
    assert board.controls["patience"].disabled
    events = [e.what for e in tr.history.events]
    assert events.count("data") == 4
    # the boundary view shows the new points (fitted in place to the data)
    pts = np.concatenate([line.get_xydata() for line in board.views["boundary"].points])
    assert len(pts) == 200
    assert board.errors == []


def test_undo_and_goto_bring_the_data_and_the_controls_back(board):
    tr, c = board.trainer, controls(board)
    original = tr.X.copy()
    board.step()
    c["dataset"].value = "moons"
    c["noise"].value = 10
    board.step()
    board.step()
    assert shown(board)[2:] == ("moons", 10, 20)
    moons = tr.X.copy()
    board.controls["moment"].value = 0                    # goto iteration 0: before the changes
    assert shown(board)[2:] == ("custom", 0, 20)
    np.testing.assert_array_equal(tr.X, original)
    assert len(np.concatenate([l.get_xydata() for l in board.views["boundary"].points])) == len(original)
    board.controls["moment"].value = 3
    assert shown(board)[2:] == ("moons", 10, 20)
    np.testing.assert_array_equal(tr.X, moons)
    while tr.global_iteration > 1 or tr.next_phase != "forward":   # undo the two iterations after the changes, phase by phase
        board.undo()
    assert shown(board)[2:] == ("moons", 10, 20)
    board.undo()   # the noise
    assert shown(board)[2:] == ("moons", 0, 20)
    board.undo()   # the data set
    assert shown(board)[2:] == ("custom", 0, 20)
    np.testing.assert_array_equal(tr.X, original)
    assert board.errors == []


def test_a_data_change_mid_iteration_waits_and_the_status_says_so(board):
    tr, c = board.trainer, controls(board)
    board.run_phase("forward")
    c["dataset"].value = "gauss"
    assert "data" in tr.pending
    assert c["dataset"].value == "gauss"                  # the controls show what comes next
    assert "from the next iteration: data set 160" in html.unescape(board.status.value)
    assert "from the next iteration: data set 160" in status_text(tr)
    board.step()
    board.run_phase("forward")
    X, _ = sn.datasets.gauss(n=200, seed=tr.seed)
    np.testing.assert_array_equal(tr.X, X[:160])
    assert board.errors == []


@pytest.mark.parametrize("name, sizes, activation, loss", [
    ("iris", [4, 4, 2, 3], "softmax", "sparse_categorical_crossentropy"),
    ("sine", [1, 4, 2, 1], "linear", "mean_squared_error")])
def test_a_data_set_the_network_cannot_read_gets_a_new_network_said_plainly(board, name, sizes, activation, loss):
    old = board.trainer
    controls(board)["regularizer"].value = "l2"
    controls(board)["dataset"].value = name
    tr = board.trainer
    assert tr is not old and tr.model.sizes == sizes
    assert tr.model.layers[-1].activation.name == activation and tr.loss_fn.name == loss
    assert [l.activation.name for l in tr.model.layers[:-1]] == ["tanh", "tanh"]
    assert tr.kernel_regularizer == sn.regularizers.L2(0.01)
    assert tr.learning_rate == old.learning_rate and tr.batch_size == old.batch_size
    assert "New network" in board.message.value and str(sizes) in board.message.value
    assert controls(board)["dataset"].value == name and controls(board)["validation"].value == 20
    assert board.views["network"].sizes == sizes
    assert board.controls["loss_function"].value == loss
    for _ in range(3):
        board.step()
    assert np.isfinite(tr.history.losses).all() and board.errors == []
    assert board.figure.canvas.get_width_height()[0] <= MAX_WIDTH_PX
    if name == "iris":
        # iris is shuffled: its validation rows hold more than one species
        assert len(set(tr.data.y_val.tolist())) == 3
        assert controls(board)["noise"].disabled and controls(board)["point_class"].disabled


# ------------------------------------------------------------------------ own points
def test_a_click_on_the_boundary_adds_a_point_of_the_chosen_class_and_clear_removes_them(board):
    tr, c = board.trainer, controls(board)
    n = len(tr.X)
    assert [v for _, v in c["point_class"].options] == [0, 1]
    c["point_class"].value = 0
    click(board, 0.25, 0.75)
    assert len(tr.X) == n + 1
    np.testing.assert_allclose(tr.X[0], [0.25, 0.75], atol=0.02)
    assert tr.data.y[0] == 0
    assert "Added a point of class 0" in board.message.value
    c["point_class"].value = 1
    click(board, 0.5, 0.5)
    assert len(tr.X) == n + 2 and tr.data.y[1] == 1
    assert c["validation"].value == 20 and len(tr.X_val) == 40  # own points are trained on
    assert board.playground.own.value == "my points: 2"
    assert not board.playground.buttons["clear"].disabled
    click(board, 0.5, 0.5, button=3)                       # only the left button adds
    assert len(tr.X) == n + 2
    board.playground.buttons["clear"].click()
    assert len(tr.X) == n and board.playground.buttons["clear"].disabled
    assert "Removed my 2 points" in board.message.value
    board.undo()                                           # the points are back
    assert len(tr.X) == n + 2 and board.playground.own.value == "my points: 2"
    assert board.errors == []


def test_own_points_stay_with_a_new_noise_only_through_their_data(board):
    c = controls(board)
    c["dataset"].value = "xor"
    click(board, 0.1, 0.1)
    assert board.playground.own.value == "my points: 1"
    c["validation"].value = 30                            # same source, another share
    assert board.playground.own.value == "my points: 1" and board.trainer.X[0][0] == pytest.approx(0.1, abs=0.05)
    assert board.errors == []


def test_a_click_where_no_point_can_go_says_why():
    board = StepThrough(make_trainer("sine", output="linear", loss="mse"), live=False, dpi=40)
    n = len(board.trainer.X)
    click(board, 0.0, 0.0)
    assert len(board.trainer.X) == n
    assert "Points are added on a decision boundary" in board.message.value
    assert board.errors == []


def test_the_boundary_view_only_reports_the_click():
    tr = make_trainer()
    board = StepThrough(tr, live=False, dpi=40)
    seen = []
    view = board.views["boundary"]
    view.on_click = lambda v, x, y: seen.append((v, round(x, 1), round(y, 1)))
    before = tr.X.copy()
    click(board, 0.5, 0.5)
    assert seen == [(view, 0.5, 0.5)]
    np.testing.assert_array_equal(tr.X, before)


def test_classes_of_targets():
    assert classes_of(np.array([0, 1, 1])) == [0, 1]
    assert classes_of(np.array([0, 2, 1])) == [0, 1, 2]
    assert classes_of(np.eye(3)) == [0, 1, 2]
    assert classes_of(np.array([0.5, 1.2])) is None


# ------------------------------------------------------------------------ save and load
def test_save_then_load_through_the_buttons_goes_on_bit_for_bit(board, tmp_path):
    path = str(tmp_path / "run.stepnn")
    controls(board)["regularizer"].value = "l2"
    controls(board)["dataset"].value = "circle"
    for _ in range(3):
        board.step()
    board.run_phase("forward")
    controls(board)["path"].value = path
    board.playground.buttons["save"].click()
    assert f"Saved to {path}" in html.unescape(board.message.value)
    for _ in range(4):
        board.step()
    expected = board.trainer.model.get_flat()
    losses = board.trainer.history.losses[-4:]
    original = board.trainer
    board.playground.buttons["load"].click()
    tr = board.trainer
    assert tr is not original and tr.global_iteration == 3 and tr.next_phase == "loss"
    assert "Loaded" in board.message.value
    assert board.views["network"].reg_all.get_text() == "W1-W3: L2 0.01"
    assert controls(board)["regularizer"].value == "l2" and controls(board)["validation"].value == 20
    moment = board.controls["moment"]    # saved mid-iteration: no iteration goto can reach yet
    assert tr.first_iteration == 4 and moment.disabled and moment.value == 3
    for _ in range(4):
        board.step()
    assert (moment.min, moment.max, moment.value, moment.disabled) == (4, 7, 7, False)
    moment.value = 5                      # the slider reaches back to the load point, no further
    assert tr.global_iteration == 5 and board.errors == []
    board.step(), board.step()
    np.testing.assert_array_equal(tr.model.get_flat(), expected)
    np.testing.assert_array_equal(tr.history.losses[-4:], losses)
    assert board.errors == []


@pytest.mark.parametrize("content", [b"\x00garbage" * 50, None], ids=["random-bytes", "missing"])
def test_a_bad_file_is_a_message_and_nothing_changes(board, tmp_path, content):
    path = tmp_path / "bad.stepnn"
    if content is not None:
        path.write_bytes(content)
    board.step()
    tr, flat = board.trainer, board.trainer.model.get_flat()
    controls(board)["path"].value = str(path)
    board.playground.buttons["load"].click()
    assert board.trainer is tr and tr.global_iteration == 1
    np.testing.assert_array_equal(tr.model.get_flat(), flat)
    assert "stepnn-error" in board.message.value and "Session" in board.message.value
    assert len(board.errors) == 1


# ------------------------------------------------------------------------ words and room
def test_korean_labels():
    board = StepThrough(make_trainer(validation_split=0.2), live=False, dpi=40, lang="ko")
    c, b = controls(board), board.playground.buttons
    words = [c["regularizer"].description, c["rate"].description, c["dataset"].description,
             c["noise"].description, c["validation"].description, c["point_class"].description,
             b["clear"].description, b["save"].description, b["load"].description,
             board.playground.widget.get_title(0)]
    assert words == ["규제", "규제 강도", "데이터셋", "노이즈 (%)", "검증 데이터 비율 (%)",
                     "클릭하면 추가할 클래스", "내 데이터 지우기", "저장", "불러오기",
                     "플레이그라운드: 규제, 데이터, 내 데이터, 저장"]
    assert dict(c["dataset"].options)["나선"] == "spiral"
    assert dict(c["regularizer"].options)["없음"] == "none"
    c["regularizer"].value = "l2"
    board.step()
    assert "(데이터 " in board.status.value and "+ 규제 " in board.status.value
    c["dataset"].value = "iris"
    assert "새 신경망 [4, 4, 2, 3]" in board.message.value


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_regularizer_labels_are_readable_and_the_figure_still_fits(lang):
    board = StepThrough(make_trainer(validation_split=0.2), live=False, lang=lang)
    controls(board)["regularizer"].value = "l1_l2"
    controls(board)["dataset"].value = "spiral"
    board.step()
    small = [(t.get_text(), round(text_px(t), 1)) for t in texts(board.figure) if text_px(t) < MIN_TEXT_PX - 1e-9]
    assert small == []
    assert board.figure.canvas.get_width_height()[0] <= MAX_WIDTH_PX
    assert board.playground.widget.selected_index is None     # closed: the default view is as before


# ------------------------------------------------------------- a data change, shown in place
def test_an_added_point_joins_its_class_markers_in_place_and_undo_takes_it_out(board):
    from stepnn.views.boundary import class_colors
    tr, c = board.trainer, controls(board)
    board.step()
    views = dict(board.views)
    view = views["boundary"]
    image, lines, limits = view.image, list(view.points), (view.ax.get_xlim(), view.ax.get_ylim())
    before = [line.get_xydata().copy() for line in lines]
    c["point_class"].value = 1
    click(board, 0.5, 0.5)
    assert len(tr.X) == len(before[0]) + len(before[1]) + 1
    assert all(board.views[name] is v for name, v in views.items())          # not rebuilt
    assert view.image is image and view.points == lines
    np.testing.assert_array_equal(view.points[0].get_xydata(), before[0])
    np.testing.assert_allclose(view.points[1].get_xydata()[0], [0.5, 0.5], atol=0.05)
    assert len(view.points[1].get_xydata()) == len(before[1]) + 1
    assert matplotlib.colors.to_rgb(view.points[1].get_markerfacecolor()) == tuple(class_colors(2)[1])
    assert (view.ax.get_xlim(), view.ax.get_ylim()) == limits              # inside the range: same grid
    board.undo()
    assert tr.data.X.shape[0] == len(before[0]) + len(before[1])
    for line, old in zip(view.points, before):
        np.testing.assert_array_equal(line.get_xydata(), old)
    assert all(board.views[name] is v for name, v in views.items())
    assert board.errors == []


def test_a_point_beyond_the_data_moves_the_grid_and_the_output_follows(board):
    tr, view = board.trainer, board.views["boundary"]
    board.step()
    x1, y1 = view.ax.get_xlim()[1], view.ax.get_ylim()[1]
    click(board, x1 - 0.01, y1 - 0.01)                 # in the margin: the data's range grows
    assert view is board.views["boundary"]
    assert view.ax.get_xlim()[1] > x1 and view.ax.get_ylim()[1] > y1
    x0, x1, y0, y1 = view.extent
    r = view.resolution
    # the mesh's cells 0..r lie on the new extent, and hold the model's output on the new grid
    np.testing.assert_allclose(view.image.get_transform().transform([(0, 0), (r, r)]),
                               view.ax.transData.transform([(x0, y0), (x1, y1)]), atol=1e-6)
    np.testing.assert_allclose(view.grid[[0, -1]], [[view._xx[0, 0], view._yy[0, 0]],
                                                     [view._xx[-1, -1], view._yy[-1, -1]]])
    assert view.grid[-1, 0] == pytest.approx(np.max(tr.X[:, 0]) + 0.08 * np.ptp(tr.X[:, 0]))
    np.testing.assert_allclose(view.image.get_array(), tr.model.predict(view.grid)[:, 0].reshape(r, r))
    assert board.errors == []


def test_a_data_change_for_the_same_model_keeps_the_views_and_a_new_model_rebuilds_them(board):
    tr, c = board.trainer, controls(board)
    views = dict(board.views)
    curves = views["curves"]
    assert curves.keys[1].get_visible()                           # validation data: its key shows
    c["dataset"].value = "moons"
    c["validation"].value = 0
    assert all(board.views[name] is v for name, v in views.items())
    assert not curves.keys[1].get_visible() and len(curves.val_line.get_xdata()) == 0
    surface = views["surface"]
    board.step()
    losses = surface.surface.values
    expected = sn.surface.surface(tr.model, tr.X, tr.y, tr.loss_fn, surface.plane,
                                  surface.surface.alphas, surface.surface.betas).values
    np.testing.assert_allclose(losses, expected)                   # the surface is the new data's
    c["validation"].value = 20
    assert curves.keys[1].get_visible() and board.views["curves"] is curves
    c["dataset"].value = "iris"                                    # 4 inputs, 3 classes: a new network
    assert board.trainer is not tr
    assert all(board.views[name] is not v for name, v in views.items())
    assert board.errors == []
