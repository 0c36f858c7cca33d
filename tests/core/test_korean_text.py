"""The core's printouts speak the chosen language: status, explain, repr, records, stop reasons,
PhaseError, the progress bar, gradcheck. English stays as it was; Korean has no English words
outside identifiers, numbers and symbols."""
from __future__ import annotations

import re

import numpy as np
import pytest

import stepnn as sn
from stepnn.progress import ProgressBar

from .helpers import binary_model, binary_problem

# Words a Korean line may hold: code the student types or reads in code (names of functions,
# arguments, losses, optimizers, layers), and the numbers' own words.
IDENTIFIERS = {
    "Trainer", "LoopState", "ForwardRecord", "LossRecord", "BackwardRecord", "UpdateRecord",
    "GradcheckReport", "StopReason", "sizes", "loss", "optimizer", "batch_size", "drop_last",
    "True", "False", "N", "sgd", "forward", "backward", "update", "trainer", "step", "undo", "SGD",
    "learning_rate", "lr", "binary_crossentropy", "mean_squared_error", "inf", "nan", "NaN",
    "log", "x", "f", "a", "y", "z", "W", "w", "b", "sqrt", "n", "dL", "dW", "db", "e", "max_epochs",
    "target_loss", "min_grad_norm", "early_stopping", "momentum", "nesterov", "dampening",
    # symbols and names the lessons print beside their Korean words (X, dL/dz, ReLU, stepnn...)
    "X", "L", "T", "p", "da", "dz", "dw", "dp", "ReLU", "softmax", "linear", "stepnn", "MSE", "cm",
    # the dashboards' names (class names the student types) and the program that runs them
    "StepThrough", "ChainRule", "DescentExplorer", "LossExplorer", "OptimizerRace", "Jupyter",
    # the argument use= of a Trainer, the Python types its errors name, the functions it accepts
    "use", "dict", "list", "int", "relu", "sigmoid", "softmax", "d",
}


def english_words(text: str) -> list:
    """The words of ``text`` written in Latin letters that are not identifiers: what a Korean
    student would have to read in English. Identifiers with digits or underscores (z1, dL/dW2,
    val_loss) count as code."""
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)
    return [w for w in words if w not in IDENTIFIERS and not re.search(r"[0-9_]", w)]


def has_hangul(text: str) -> bool:
    return re.search(r"[\uac00-\ud7a3]", text) is not None


def _trainer(**kwargs):
    X, y = binary_problem(n=20)
    return sn.Trainer(binary_model(), X, y, loss="binary_crossentropy", optimizer="sgd",
                      learning_rate=0.1, batch_size=8, **kwargs)


def _phase_error(phase) -> str:
    with pytest.raises(sn.PhaseError) as info:
        phase()
    return str(info.value)


def printouts(lang: str) -> dict:
    """Every text the core prints in a lesson's normal use, in ``lang`` (set globally)."""
    sn.set_language(lang)
    try:
        out = {}
        t = _trainer()
        out["status_start"] = t.status()
        out["phase_early"] = _phase_error(t.backward)
        out["forward"] = repr(t.forward())
        out["phase_done"] = _phase_error(t.forward)
        out["loss"] = repr(t.loss())
        out["backward"] = repr(t.backward())
        with pytest.raises(sn.PhaseError) as info:
            t.set_weights(t.model.get_weights())
        out["set_weights_mid"] = str(info.value)
        out["update"] = repr(t.update())
        out["status"] = t.status()
        out["state"] = repr(t.state)
        out["explain"] = t.explain()
        out["explain_exact"] = sn.batching.explain(16, 8)
        out["explain_dropped"] = sn.batching.explain(20, 8, drop_last=True)
        reason = t.fit(epochs=2, verbose=False)
        out["max_epochs"] = reason.message
        out["trainer"] = repr(t)
        out["target_loss"] = _trainer().fit(epochs=50, target_loss=10.0, verbose=False).message
        out["min_grad_norm"] = _trainer().fit(epochs=5, min_grad_norm=1e3, verbose=False).message
        early = _trainer(validation_split=0.2)
        early.learning_rate = 1e-9
        out["early_stopping"] = early.fit(epochs=30, patience=2, min_delta=1.0, verbose=False).message
        big = _trainer()
        big.learning_rate = 1e12
        diverged = big.fit(epochs=20, verbose=False)
        out["diverged"] = diverged.message
        out["status_stopped"] = big.status()
        X, y = binary_problem(n=20)
        line = sn.Trainer(sn.Sequential([sn.Dense(2, 1, activation="linear")]), X, y * 1e3,
                          loss="mse", learning_rate=1e3, batch_size=20)
        out["loss_not_finite"] = line.fit(epochs=50, verbose=False).message
        X, y = binary_problem(n=6)
        out["gradcheck"] = repr(sn.gradcheck(binary_model(), X, y[:, None],
                                             loss="binary_crossentropy"))
        bar = ProgressBar(3, enabled=False)
        bar.update(2, "")
        out["bar"] = bar.text(10)
        return out
    finally:
        sn.set_language("en")


def test_korean_printouts_have_no_english_words():
    texts = printouts("ko")
    for name, text in texts.items():
        assert has_hangul(text), (name, text)
        assert english_words(text) == [], (name, text, english_words(text))


def test_the_helper_finds_english_words():
    assert english_words("에포크 1 | loss 0.5 | 다음: forward") == []
    assert english_words("epoch 1 | samples seen 3") == ["epoch", "samples", "seen"]


def test_english_printouts_are_unchanged():
    texts = printouts("en")
    assert texts["status_start"] == ("epoch 1 | iteration 0/3 | global iteration 0 | samples seen 0 "
                                     "| next: forward")
    assert texts["phase_early"] == (
        "backward() cannot run yet: the next phase is forward(). Each iteration runs forward -> "
        "loss -> backward -> update, once each (so gradients are never counted twice). Call "
        "trainer.forward(), or trainer.undo() to step back.")
    assert texts["explain"] == ("# of data = batch size x iterations: 20 = 8 x 2 + 4, so 3 "
                                "iterations per epoch (the last batch has 4 samples)")
    assert texts["explain_dropped"] == ("# of data = batch size x iterations: 20 -> 8 x 2 = 16 used "
                                        "per epoch (4 left over each epoch, drop_last=True)")
    assert texts["max_epochs"] == "2 epoch(s) done"
    assert texts["forward"].startswith("ForwardRecord(batch of 8 sample(s), indices [")
    assert texts["forward"].endswith("  (values shown for the first sample of the batch)")
    assert "\n  layer 1: z1 = x W1 + b1 (8, 4): " in texts["forward"]
    assert re.fullmatch(r"LossRecord\(binary_crossentropy = [0-9.]+ over 8 sample\(s\); "
                        r"per sample \[.*\]\)", texts["loss"])
    assert texts["backward"].startswith("BackwardRecord(|grad| = ")
    assert "; output layer: fused (a - y)/N)\n  layer 2: dL/dW2 (4, 1): " in texts["backward"]
    assert texts["update"].startswith("UpdateRecord(sgd, learning_rate=0.1, |change| = ")
    assert texts["status_stopped"].endswith("| next: forward | stopped: diverged")
    assert texts["diverged"].endswith(" with learning rate 1e+12: the steps overshoot. Lower the "
                                      "learning rate, then undo, go back in the history, or reset")
    assert texts["phase_done"].startswith("forward() was already run for this iteration: the next "
                                          "phase is loss(). ")
    assert texts["loss_not_finite"].startswith("the loss became inf at epoch ")
    assert texts["gradcheck"].startswith("GradcheckReport(backprop and finite differences agree, "
                                         "tolerance 1e-06)\n  W1   max relative error ")
    assert texts["bar"] == "[######....] epoch 2/3"


def test_korean_status_names_the_phase_and_stop_reason():
    texts = printouts("ko")
    assert texts["status_start"] == ("에포크 1 | 이터레이션 0/3 | 전체 이터레이션 0 | 처리한 샘플 수 0 "
                                     "| 다음: 순전파")
    assert texts["status_stopped"].endswith("| 중지: 발산")
    assert texts["explain"].startswith("데이터 수 = 배치 사이즈 x 이터레이션: 20 = 8 x 2 + 4")


def test_lang_argument_overrides_the_chosen_language():
    t = _trainer()
    sn.set_language("ko")
    try:
        assert t.status(lang="en").startswith("epoch 1 |")
        assert t.explain(lang="en").startswith("# of data")
    finally:
        sn.set_language("en")
    assert t.status(lang="ko").startswith("에포크 1 |")


def test_stop_reason_still_compares_equal_to_its_code_in_korean():
    sn.set_language("ko")
    try:
        reason = _trainer().fit(epochs=1, verbose=False)
    finally:
        sn.set_language("en")
    assert reason == "max_epochs" and reason.code == "max_epochs"
    assert reason.message == "에포크 1번 완료"


AREAS = ("core.", "records.", "fit.", "batching.", "lesson_plots.", "lessons.", "dashboard.", "model.",
         "chain.")


def test_every_korean_phrase_of_the_core_and_lessons_is_korean():
    checked = 0
    for key, (english, korean) in sn.terms.PHRASES.items():
        if not key.startswith(AREAS) or key.startswith(("core.repr", "batching.exact")):
            continue  # the Trainer's repr is code; "= 8 x 2" holds only numbers
        fields = re.findall(r"\{(\w+)[^}]*\}", english)
        assert sorted(set(re.findall(r"\{(\w+)[^}]*\}", korean))) == sorted(set(fields)), key
        words = english_words(re.sub(r"\{[^}]*\}", "", korean))
        assert has_hangul(korean) and words == [], (key, korean, words)
        checked += 1
    assert checked > 50


def test_say_prints_the_lesson_line_in_the_chosen_language(capsys):
    sn.say("by_hand", value=0.7362)
    sn.set_language("ko")
    try:
        sn.say("by_hand", value=0.7362)
        label = sn.words("rate_verdict", lr=0.3, verdict=sn.words("good"))
    finally:
        sn.set_language("en")
    assert capsys.readouterr().out == "by hand: 0.7362\n손으로 계산: 0.7362\n"
    assert label == "학습률 0.3: 적당함"
    assert sn.words("rate_verdict", lr=0.3, verdict=sn.words("good")) == "learning rate 0.3: good"
    with pytest.raises(KeyError, match="no phrase 'lessons.no_such_line'"):
        sn.say("no_such_line")


def test_every_mode_of_a_trainer_has_its_lesson_word():
    for batch_size, n in [(1, 10), (4, 10), (10, 10)]:
        mode = sn.batching.mode_name(batch_size, n)
        assert has_hangul(sn.words(mode, lang="ko")) and sn.words(mode, lang="en") == mode


def test_model_summary_and_graph_table_follow_the_language():
    from stepnn.chain import ComputationGraph
    from stepnn.terms import display_width

    model = binary_model()
    assert model.summary().splitlines()[0] == "layer    units  activation  params"
    korean = model.summary(lang="ko").splitlines()
    assert korean[0].startswith("층") and korean[-1] == f"매개변수 합계: {model.n_params}"
    graph = ComputationGraph.example(seed=0, loss="binary_crossentropy")
    graph.forward()
    rows = graph.table(lang="ko").splitlines()
    assert "가중합" in rows[3] and english_words(" ".join(rows)) == []
    # columns line up in a fixed-width font: Hangul takes two columns
    assert len({display_width(row) for row in rows[1:]}) == 1
    assert display_width("가중합 w") == 8


@pytest.mark.parametrize("use, error", [([1], TypeError), ({"dense_fwd": print}, ValueError),
                                        ({"dense_backward": 3}, TypeError)],
                         ids=["not a dict", "unknown name", "not a function"])
def test_use_errors_speak_the_chosen_language(use, error):
    X, y = binary_problem(n=20)
    for lang in ("en", "ko"):
        sn.set_language(lang)
        try:
            with pytest.raises(error) as info:
                sn.Trainer(binary_model(), X, y, loss="binary_crossentropy", use=use)
        finally:
            sn.set_language("en")
        text = str(info.value)
        assert "use" in text
        if lang == "ko":
            assert has_hangul(text) and english_words(re.sub(r"'[^']*'|[{][^}]*[}]", "", text)) == [], text
        else:
            assert not has_hangul(text)
