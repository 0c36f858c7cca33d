"""What hostile values, odd clicks and long or diverging runs found in the dashboards: each is a
message in the dashboard's language, the control showing what is in force, nothing else changed."""
import numpy as np
import pytest

import stepnn as sn
from stepnn.widgets.chain_rule import ChainRule
from stepnn.widgets.loss_explorer import LossExplorer
from stepnn.widgets.race import OptimizerRace
from stepnn.widgets.stepthrough import StepThrough

from .test_views import make_trainer


# ------------------------------------------------------------ a choice set to None from code
def test_a_race_dropdown_set_to_none_is_refused_and_the_runs_and_figure_stay():
    race = OptimizerRace(live=False, lang="ko")
    race.buttons["step"].click()
    trainers, axes, epochs = race.trainers, list(race.figure.axes), race.epochs
    for control, shown in ((race.plane, "pca"), (race.preset, "optimizers")):
        control.value = None
        assert control.value == shown
        assert "None은(는) 선택지가 아닙니다" in race.message.value
        assert race.trainers is trainers and race.epochs == epochs == 1
        assert race.directions == "pca" and race.figure.axes == axes
    assert race.errors == []
    race.buttons["step"].click()
    assert race.epochs == 2 and race.errors == []


def test_the_chain_rules_loss_set_to_none_is_refused_and_the_steps_stay():
    board = ChainRule(live=False)
    board.forward_all()
    graph = board.graph
    board.loss_control.value = None
    assert board.loss_control.value == "mean_squared_error" and board.graph is graph
    assert "None is not one of the choices; it stays at MSE" in board.message.value
    assert board.errors == [] and graph.forward_done


@pytest.mark.parametrize("name", ["true_class", "one_hot"])
def test_the_loss_explorers_class_set_to_none_is_refused(name):
    board = LossExplorer("sparse_categorical_crossentropy" if name == "true_class" else "cee", live=False)
    value = board.point.value
    getattr(board, name).value = None
    assert board.true_class.value == board.one_hot.value == 1
    assert board.point.value == value and board.errors == []
    assert "None is not one of the choices" in board.message.value


@pytest.mark.parametrize("key", ["optimizer", "loss_function"])
def test_a_stepthrough_dropdown_set_to_none_says_so_plainly(key):
    board = StepThrough(make_trainer(), live=False, dpi=24, lang="ko")
    shown = board.controls[key].value
    board.controls[key].value = None
    assert board.controls[key].value == shown and board.errors == []
    assert "None은(는) 선택지가 아닙니다" in board.message.value


# ------------------------------------------------------------ exports from a Korean dashboard
@pytest.mark.parametrize("call, english", [
    (lambda board, tmp: board.save_png(tmp / "그림"), "the file name must end"),
    (lambda board, tmp: board.save_png(tmp / "그림.png", dpi=0), "dpi must be"),
    (lambda board, tmp: board.save_gif(tmp / "학습.png", iterations=2), "save_gif writes a GIF"),
    (lambda board, tmp: board.save_gif(tmp / "학습.gif", iterations=2, fps=-1), "fps must be"),
])
def test_a_korean_dashboards_export_errors_are_korean(tmp_path, call, english):
    board = StepThrough(make_trainer(), live=False, dpi=24, lang="ko")
    with pytest.raises(ValueError) as info:
        call(board, tmp_path)
    assert english not in str(info.value) and "받" in str(info.value), str(info.value)
    assert sn.get_language() == "en" and list(tmp_path.iterdir()) == []


def test_a_korean_descent_explorers_export_error_is_korean(tmp_path):
    from stepnn.widgets.descent import DescentExplorer
    board = DescentExplorer(live=False, lang="ko")
    with pytest.raises(ValueError, match="파일 이름은"):
        board.save_png(tmp_path / "descent.bmp")


# ------------------------------------------------------------ a diverging run's huge losses
def test_a_huge_finite_loss_is_written_short_everywhere_a_student_reads_it():
    """A full-batch regression run at learning rate 1 reaches losses near 1e222 while they are still
    finite: the epoch message and the diagram write them in scientific notation, not with hundreds
    of digits."""
    tr = make_trainer(data="sine", hidden=(4,), activation="relu", output="linear",
                      loss="mean_squared_error", learning_rate=1.0, batch_size=100)
    board = StepThrough(tr, live=False, dpi=24, max_epochs=None)
    for _ in range(10):
        board.buttons["epoch"].click()
        if tr.diverged or tr.history.epochs[-1].loss > 1e100:
            break
    loss = tr.history.epochs[-1].loss
    assert np.isfinite(loss), "the run went to inf before a huge finite loss: pick another seed"
    assert f"mean loss {loss:.4e}." in board.message.value
    assert board.views["network"].loss_text.get_text() == f"L = {tr.last_loss.value:.3e}"
    assert f"loss {tr.last_loss.value:.4e}" in board.status.value
    for text in (board.message.value, board.views["network"].loss_text.get_text(), board.status.value):
        assert len(text) < 400, text


def test_ordinary_losses_keep_their_fixed_decimals():
    from stepnn.views.style import loss_number
    assert loss_number(0.69314718) == "0.6931" and loss_number(123456.0, 3) == "123456.000"
    assert loss_number(3.5e233) == "3.5000e+233" and loss_number(float("inf")) == "inf"
    assert loss_number(float("nan"), 3) == "nan"


@pytest.mark.parametrize("lang, word", [("en", "does not exist"), ("ko", "폴더")])
def test_exports_into_a_missing_folder_or_onto_a_folder_say_so(tmp_path, lang, word):
    tr = make_trainer()
    board = StepThrough(tr, live=False, dpi=24, lang=lang)
    with pytest.raises(FileNotFoundError, match=word):
        board.save_png(tmp_path / "missing" / "figure.png")
    with pytest.raises(FileNotFoundError, match=word):
        board.save_gif(tmp_path / "missing" / "run.gif", iterations=1)
    (tmp_path / "shots.png").mkdir()
    with pytest.raises(IsADirectoryError, match="figure.png"):
        board.save_png(tmp_path / "shots.png")
    assert tr.global_iteration == 0          # the GIF refused before it trained a frame


@pytest.mark.parametrize("index", [1, -1, True, 0.0, "0", None])
def test_a_dashboards_figure_number_out_of_range_is_named(tmp_path, index):
    race = OptimizerRace(live=False, lang="ko")
    with pytest.raises(ValueError) as info:
        race.save_png(tmp_path / "race.png", index=index)
    assert "0~0(그림 1개)" in str(info.value) and repr(index) in str(info.value)
    assert not (tmp_path / "race.png").exists()
    assert race.save_png(tmp_path / "race.png", index=0) == str(tmp_path / "race.png")


@pytest.mark.parametrize("key", ["regularizer", "dataset", "point_class"])
def test_a_playground_choice_set_to_none_is_refused_plainly(key):
    board = StepThrough(make_trainer(), live=False)
    control = board.playground.controls[key]
    before, data = control.value, board.trainer.next_settings["data"]
    control.value = None
    assert control.value == before
    assert "None is not one of the choices" in board.message.value
    assert "Error" not in board.message.value
    assert board.trainer.next_settings["data"] is data and board.errors == []


@pytest.mark.parametrize("lang, words", [("en", "has no noise to change"), ("ko", "바꿀 노이즈가 없습니다")])
def test_noise_set_from_code_on_the_trainers_own_data_says_it_has_none(lang, words):
    board = StepThrough(make_trainer(), live=False, lang=lang)
    noise = board.playground.controls["noise"]
    assert noise.disabled
    data = board.trainer.next_settings["data"]
    noise.value = 20
    assert noise.value == 0 and words in board.message.value
    assert board.trainer.next_settings["data"] is data and board.errors == []
