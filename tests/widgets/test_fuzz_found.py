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
