"""The dashboards' own bad-argument errors follow the language: the dashboard's ``lang=`` when
given, else the one chosen by ``set_language``; English stays word for word as it was."""
from __future__ import annotations

import re

import pytest

import stepnn as sn
from stepnn.widgets.chain_rule import ChainRule
from stepnn.widgets.descent import DescentExplorer
from stepnn.widgets.playground import make_regularizer
from stepnn.widgets.race import OptimizerRace, run_specs
from stepnn.widgets.stepthrough import StepThrough

# (id, call(lang), value received as the message shows it, the English message)
BAD_CALLS = [
    ("stepthrough_trainer", lambda lang: StepThrough("net", lang=lang), "str",
     "StepThrough needs a stepnn.Trainer; received str. Create one with "
     "stepnn.Trainer(model, X, y, loss=...)."),
    ("race_dataset", lambda lang: OptimizerRace(dataset="circel", lang=lang), "'circel'",
     "dataset must be one of ('circle', 'xor', 'gauss', 'spiral', 'moons', 'linear', 'sine', "
     "'iris'); received 'circel'."),
    ("race_runs", lambda lang: run_specs("fast"), "'fast'",
     "runs must be a preset name ('batch', 'optimizers') or a list of dicts; received 'fast'."),
    ("race_epochs", lambda lang: OptimizerRace(max_epochs=0, lang=lang), "0",
     "max_epochs must be a whole number >= 1; received 0."),
    ("descent_problem", lambda lang: DescentExplorer(problem="cubic", lang=lang), "'cubic'",
     "problem must be one of ('quadratic', 'linear_regression'); received 'cubic'."),
    ("chain_rule_rate", lambda lang: ChainRule(learning_rate=50, lang=lang), "50",
     "learning_rate must be in [0.001, 10] (the slider's range), e.g. 0.5; received 50."),
    ("playground_regularizer", lambda lang: make_regularizer("l3", 0.01), "'l3'",
     "the regularizer must be one of ('none', 'l1', 'l2', 'l1_l2'); received 'l3'."),
]


def _error(call, lang, chosen="en") -> str:
    sn.set_language(chosen)
    try:
        with pytest.raises((TypeError, ValueError)) as info:
            call(lang)
        return str(info.value)
    finally:
        sn.set_language("en")


@pytest.mark.parametrize("name, call, received, english", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_dashboard_errors_follow_the_language(name, call, received, english):
    assert _error(call, None) == english
    korean = _error(call, None, chosen="ko")
    prose = re.sub(r"'[^']*'|\([^)]*\)|\S*[0-9_.=\[\]]\S*", " ", korean)
    english = [word for word in prose.split() if re.fullmatch(r"[A-Za-z]{2,}[,.;:]?", word)]
    assert re.search(r"[\uac00-\ud7a3]", korean) and english == [], (korean, english)
    assert received in korean


def test_the_dashboards_lang_argument_chooses_its_errors_language():
    korean = _error(lambda lang: StepThrough("net", lang=lang), "ko")
    assert "stepnn.Trainer가 필요한데" in korean
    assert _error(lambda lang: DescentExplorer(problem="cubic", lang=lang), "en", chosen="ko") == \
        "problem must be one of ('quadratic', 'linear_regression'); received 'cubic'."


def test_a_built_dashboards_errors_speak_its_language():
    board = DescentExplorer(lang="ko", live=False)
    with pytest.raises(ValueError) as info:
        board.restart([1.0])
    assert "시작점은 유한한 숫자 두 개" in str(info.value) and "array([1.])" in str(info.value)
    board = DescentExplorer(lang="en", live=False)
    with pytest.raises(ValueError, match=r"a start is two finite numbers \(w1, w2\); received "):
        board.restart([1.0])


def test_a_core_error_in_a_dashboard_speaks_the_dashboards_language():
    """The core's own messages (here a phase called out of order) follow the dashboard's
    ``lang=``, not the language chosen by ``set_language``, and that choice stays as it was."""
    X, y = sn.datasets.circle(40, seed=0)
    model = sn.Sequential([sn.Dense(2, 4, activation="relu"),
                           sn.Dense(4, 1, activation="sigmoid")], seed=0)
    for chosen, lang, expected in (("en", "ko", "아직 실행할 수 없습니다"),
                                   ("ko", "en", "cannot run yet")):
        sn.set_language(chosen)
        try:
            trainer = sn.Trainer(model, X, y, loss="binary_crossentropy", batch_size=8)
            dash = StepThrough(trainer, lang=lang, live=False)
            dash.run_phase("backward")
            assert "PhaseError" in dash.message.value and expected in dash.message.value
            assert sn.get_language() == chosen
            assert trainer.next_phase == "forward"
        finally:
            sn.set_language("en")
