"""The maths panel under StepThrough: a checkbox shows the formula behind the phase just run,
filled in with the trainer's own numbers for the sample the Sample slider chose; in English and
Korean; nothing computed while it is closed."""
import re
from html import escape as html_escape
from html import unescape as html_unescape

import numpy as np
import pytest

import stepnn as sn
from stepnn import maths_text
from stepnn.maths_text import MAX_SHOWN, num, phase_maths
from stepnn.terms import phrase
from stepnn.widgets import maths_panel
from stepnn.widgets.stepthrough import StepThrough

from .test_views import make_trainer

FOUR_DIGITS = 6e-4   # relative: the panel shows 4 significant digits
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:\\times10\^\{-?\d+\})?")


def value(text: str) -> float:
    """A number as the panel writes it: 0.1234, -5, 1.5\\times10^{-5}."""
    mantissa, _, exponent = text.partition(r"\times10^{")
    return float(mantissa) * (10.0 ** int(exponent.rstrip("}")) if exponent else 1.0)


def shown(key: str, lang: str = "en", **values) -> str:
    """A phrase as the panel's HTML holds it (escaped)."""
    return html_escape(phrase(key, lang, **values))


def formulas(html: str) -> list:
    return [html_unescape(f) for f in re.findall(r"\$\$(.*?)\$\$", html)]


def line_with(html: str, start: str) -> str:
    found = [f for f in formulas(html) if f.startswith(start)]
    assert found, (start, formulas(html))
    return found[0]


def result(line: str) -> float:
    """The number after the last '=' of a formula."""
    return value(NUMBER.match(line.rsplit("=", 1)[1].strip()).group())


def results_vector(line: str) -> np.ndarray:
    """The entries of the last bmatrix of a formula."""
    body = line.rsplit(r"\begin{bmatrix}", 1)[1].split(r"\end{bmatrix}")[0]
    return np.array([value(c.strip()) for c in body.split("&") if c.strip() != r"\cdots"])


def close(shown, actual):
    np.testing.assert_allclose(shown, actual, rtol=FOUR_DIGITS, atol=1e-12)


def board_with_maths(trainer=None, **kw):
    board = StepThrough(trainer or make_trainer(), live=False, views=("network",), **kw)
    board.maths.checkbox.value = True
    return board


# ---------------------------------------------------------------------------- the phases
def test_forward_shows_z_and_a_of_every_layer_for_the_chosen_sample():
    board = board_with_maths()
    board.buttons["forward"].click()
    board.controls["sample"].value = 5
    html, rec = board.maths.html.value, board.trainer.last_forward
    for l in range(1, len(rec.z) + 1):
        close(results_vector(line_with(html, f"z^{{({l})}} =")), rec.z[l - 1][5])
        close(results_vector(line_with(html, f"a^{{({l})}} =")), rec.a[l - 1][5])
    # the first weighted sum term by term: x1 w11 + x2 w21 + b1
    line = line_with(html, "z^{(1)}_1 =")
    W, b, x = board.trainer.model.layers[0].W, board.trainer.model.layers[0].b, rec.x[5]
    for term in (x[0], W[0, 0], x[1], W[1, 0], b[0]):
        assert num(term, True) in line
    close(result(line), rec.z[0][5, 0])
    assert shown("maths.forward_head", s=5, row=int(rec.indices[5])) in html


def test_loss_shows_y_y_hat_the_sample_loss_and_the_batch_mean():
    board = board_with_maths()
    for p in ("forward", "loss"):
        board.buttons[p].click()
    board.controls["sample"].value = 2
    html, rec = board.maths.html.value, board.trainer.last_loss
    assert r"\log" in html and "L_{\\text{data}}" in html
    y_line = line_with(html, "y =")
    assert num(np.ravel(rec.y_true[2])[0]) in y_line and num(rec.y_pred[2, 0]) in y_line
    close(result(line_with(html, r"\ell = -\left[")), rec.per_sample[2])
    close(result(line_with(html, r"L_{\text{data}}")), rec.value)


def test_loss_with_a_regularizer_shows_the_penalty():
    trainer = make_trainer()
    trainer.kernel_regularizer = sn.regularizers.L2(0.05)
    board = board_with_maths(trainer)
    for p in ("forward", "loss"):
        board.buttons[p].click()
    rec = board.trainer.last_loss
    assert rec.penalty > 0
    line = line_with(board.maths.html.value, r"L = L_{\text{data}}")
    assert r"0.05\sum \left(W^{(1)}\right)^2" in line
    assert num(rec.data_loss) in line and num(rec.penalty) in line
    close(result(line), rec.value)
    board.buttons["backward"].click()
    html, bwd = board.maths.html.value, board.trainer.last_backward
    assert shown("maths.penalty_grad") in html
    sums = [f for f in formulas(html) if r"\sum_{n=1}" in f]
    i, j = np.unravel_index(np.argmax(np.abs(bwd.dW[-1])), bwd.dW[-1].shape)
    close(result(sums[0]), bwd.dW[-1][i, j])
    assert num(bwd.penalty_dW[-1][i, j], True) in sums[0]


@pytest.mark.parametrize("fused", [True, False])
def test_backward_shows_the_chain_rule_factors_of_one_weight(fused):
    board = board_with_maths(make_trainer(fused=fused))
    for p in ("forward", "loss", "backward"):
        board.buttons[p].click()
    board.controls["sample"].value = 4
    html, fwd, bwd = board.maths.html.value, board.trainer.last_forward, board.trainer.last_backward
    sums = [f for f in formulas(html) if r"\sum_{n=1}" in f]
    assert len(sums) == 2                                      # the output layer and the first
    for line, l in zip(sums, (3, 1)):
        dW = bwd.dW[l - 1]
        i, j = np.unravel_index(np.argmax(np.abs(dW)), dW.shape)
        assert f"w^{{({l})}}_{{{i + 1}{j + 1}}}" in line
        close(result(line), dW[i, j])
        a_prev = (fwd.x if l == 1 else fwd.a[l - 2])[4, i]
        product = [f for f in formulas(html) if f.startswith(r"\text{\#4}") and f"z^{{({l})}}" in f][0]
        assert num(bwd.dz[l - 1][4, j], True) in product and num(a_prev, True) in product
        close(result(product), bwd.dz[l - 1][4, j] * a_prev)
    if fused:
        assert r"\frac{\hat y_{1} - y_{1}}{N}" in html
    else:   # dL/da times f'(z): the sigmoid's a (1 - a)
        a = fwd.a[-1][4, 0]
        assert num(bwd.da[-1][4, 0], True) in html and num(a * (1 - a), True) in html


OPTIMIZERS = [("sgd", {}), ("sgd", dict(momentum=0.9)), ("rmsprop", {}), ("adagrad", {}), ("adam", {})]


@pytest.mark.parametrize("name, hyper", OPTIMIZERS, ids=["sgd", "momentum", "rmsprop", "adagrad", "adam"])
def test_update_shows_the_rule_for_the_weight_that_changed_most(name, hyper):
    trainer = make_trainer()
    trainer.set_optimizer(name, learning_rate=0.05, **hyper)
    board = board_with_maths(trainer)
    board.step()
    board.step()
    html, rec = board.maths.html.value, board.trainer.last_update
    sizes = [float(np.max(np.abs(d))) for d in rec.delta]
    k = int(np.argmax(sizes))
    index = np.unravel_index(np.argmax(np.abs(rec.delta[k])), rec.delta[k].shape)
    rule = [f for f in formulas(html) if r"\leftarrow" in f and "- \\eta" in f][0]
    close(result(rule), rec.new[k][index])
    assert num(rec.old[k][index]) in rule and num(0.05) in rule
    close(result(line_with(html, "g =")), board.trainer.last_backward.grads[k][index])
    key = "momentum" if hyper else name
    assert shown(f"maths.rule.{key}") in html
    state = board.trainer.optimizer_state
    if name == "sgd" and not hyper:    # w - eta g, recomputed from the numbers shown
        g = result(line_with(html, "g ="))
        close(rec.old[k][index] - 0.05 * g, rec.new[k][index])
    if hyper:
        close(result(line_with(html, r"v \leftarrow")[:line_with(html, r"v \leftarrow").index(r"\quad")]),
              state["buf"][k][index])
    if name == "adam":
        line = line_with(html, r"m \leftarrow")
        close(result(line.split(r",\quad")[0]), state["m"][k][index])
        close(result(line), state["v"][k][index])


# ---------------------------------------------------------------------------- the panel
def test_closed_by_default_and_nothing_computed_while_closed(monkeypatch):
    calls, real = [], maths_text.phase_maths

    def counting(*args):
        calls.append(args)
        return real(*args)
    monkeypatch.setattr(maths_panel.maths_text, "phase_maths", counting)
    board = StepThrough(make_trainer(), live=False, views=("network",))
    assert board.maths.checkbox.value is False
    assert board.maths.checkbox.description == "Show the maths"
    assert board.maths.widget in board.widget.children
    for p in ("forward", "loss", "backward", "update"):
        board.buttons[p].click()
    board.step()
    assert calls == [] and board.maths.renders == 0 and board.maths.html.value == ""
    assert board.maths.html.layout.display == "none"
    board.maths.checkbox.value = True                 # opening shows the last phase at once
    assert len(calls) == 1 and board.maths.renders == 1 and board.maths.html.layout.display is None


def test_every_click_undo_and_goto_update_the_panel():
    board = board_with_maths()
    expected_start = shown("maths.start")
    assert expected_start in board.maths.html.value
    seen = []
    for p in ("forward", "loss", "backward", "update"):
        before = board.maths.renders
        board.buttons[p].click()
        assert board.maths.html.value == phase_maths(board.trainer, board.controls["sample"].value, "en")
        assert board.maths.renders == before + 1
        seen.append(board.maths.html.value)
    assert len(set(seen)) == 4
    board.buttons["undo"].click()                      # back to after Backward
    assert board.maths.html.value == seen[2]
    board.step()
    board.step()
    board.controls["moment"].value = 1                 # goto: after the first iteration
    assert board.maths.html.value == seen[3]
    board.buttons["reset"].click()
    assert expected_start in board.maths.html.value


def test_korean():
    board = board_with_maths(lang="ko")
    assert board.maths.checkbox.description == "수식 보기"
    board.buttons["forward"].click()
    board.buttons["loss"].click()
    html = board.maths.html.value
    assert shown("maths.batch_mean", "ko", n=16) in html and "배치 손실" in html
    board.buttons["backward"].click()
    assert "연쇄 법칙" in board.maths.html.value
    board.buttons["update"].click()
    assert "규칙" in board.maths.html.value and "Rule" not in board.maths.html.value


def test_a_large_layer_is_cut():
    board = board_with_maths(make_trainer(hidden=(10,)))
    board.buttons["forward"].click()
    html = board.maths.html.value
    line = line_with(html, "a^{(1)} =")
    assert r"\cdots" in line and len(results_vector(line)) == MAX_SHOWN - 1
    close(results_vector(line), board.trainer.last_forward.a[0][0, :MAX_SHOWN - 1])
    assert r"\vdots" in line_with(html, r"a^{(1)}\,W^{(2)} + b^{(2)} =")   # W2 is 10 x 1: rows cut


def test_a_diverging_run_says_so_in_the_panel():
    board = board_with_maths(make_trainer(activation="linear", output="linear", loss="mse", learning_rate=10.0))
    for _ in range(30):
        if board.trainer.diverged:
            break
        board.step()
    assert board.trainer.diverged and board.errors == []
    assert shown("maths.diverged") in board.maths.html.value
    assert r"	ext{NaN}" in board.maths.html.value or r"\infty" in board.maths.html.value


def test_numbers_in_latex():
    assert num(0.123456) == "0.1235" and num(-2.5, True) == "(-2.5)" and num(2.5, True) == "2.5"
    assert num(1.5e-5) == r"1.5\times10^{-5}" and value(num(1.5e-5)) == pytest.approx(1.5e-5)
    assert num(float("nan")) == r"\text{NaN}" and num(float("-inf")) == r"-\infty"
