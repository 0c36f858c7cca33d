"""The LossExplorer dashboard, headless: every loss and control, the curve, the tangent, clipping."""
import math
import warnings

import numpy as np
import pytest

from stepnn import losses
from stepnn.views.loss_curves import loss_point
from stepnn.widgets.loss_explorer import LossExplorer

from .readable import fits, small_texts, smallest_px

SAME = 1e-12
MAX_LOSS = -math.log(1e-7)  # 16.118...
ONE_OUTPUT = ["mean_squared_error", "mean_absolute_error", "binary_crossentropy"]
CATEGORICAL = ["cee", "categorical_crossentropy", "sparse_categorical_crossentropy"]
ALL = ONE_OUTPUT + CATEGORICAL


def tangent_slope(view) -> float:
    x, y = view.tangent.get_data()
    return (y[1] - y[0]) / (x[1] - x[0])


def labels_for(name: str, true_class: int):
    return np.array([true_class]) if name.startswith("sparse") else np.eye(3)[[true_class]]


def prediction_along(p: np.ndarray, true_class: int, q: float) -> np.ndarray:
    """The 3-class prediction with q on the true class, the others keeping their proportions."""
    others = [k for k in range(3) if k != true_class]
    rest = p[others].sum()
    out = np.empty(3)
    out[true_class] = q
    out[others] = (1 - q) * (p[others] / rest if rest > 0 else 0.5)
    return out[None, :]


@pytest.fixture(params=ALL)
def explorer(request):
    return LossExplorer(request.param, live=False)


def test_builds_static_with_the_controls_of_its_kind(explorer):
    assert explorer.mode == "static" and len(explorer.figures) == 1
    name = explorer.loss.name
    box = explorer.inputs.children[0]
    if name in ("mean_squared_error", "mean_absolute_error"):
        assert box.children == (explorer.prediction, explorer.target)
    elif name == "binary_crossentropy":
        assert box.children == (explorer.probability, explorer.label)
    else:
        assert all(s in box.children for s in explorer.scores)
        extra = explorer.inputs.children[1]
        assert extra is (explorer.true_class if name.startswith("sparse") else explorer.one_hot)
    assert explorer.message in explorer.widget.children
    assert "stepnn-loss-explorer-loss" in explorer.loss_control._dom_classes


def test_curve_is_the_loss_function_on_the_x_data(explorer):
    name, view = explorer.loss.name, explorer.curve_view
    fn = losses.get(name)
    xs, ys = view.line.get_data()
    p, t = explorer.point.y_pred[0], explorer.point.true_class
    for x, y in zip(xs[::10], ys[::10]):
        if name in CATEGORICAL:
            expected = fn(labels_for(name, t), prediction_along(p, t, x))
        else:
            expected = fn(explorer.point.y_true, [[x]])
        assert y == pytest.approx(expected, rel=SAME, abs=1e-15)
    mx, my = view.marker.get_data()
    assert my[0] == pytest.approx(explorer.point.value, rel=SAME)
    assert np.interp(mx[0], xs, ys) == pytest.approx(my[0], rel=1e-2, abs=1e-3)  # the point is on it


@pytest.mark.parametrize("p, y", [(0.7, 1.0), (0.2, 0.0), (0.35, 0.6)])
def test_binary_value_gradient_and_tangent(p, y):
    ex = LossExplorer("binary_crossentropy", live=False)
    ex.probability.value, ex.label.value = p, y
    value = -(y * math.log(p) + (1 - y) * math.log(1 - p))
    grad = -y / p + (1 - y) / (1 - p)
    assert ex.point.value == pytest.approx(value, rel=1e-9)
    assert ex.point.gradient[0, 0] == pytest.approx(grad, rel=1e-9)
    assert tangent_slope(ex.curve_view) == pytest.approx(grad, rel=1e-9)
    tx, ty = ex.curve_view.tangent.get_data()
    assert np.interp(p, tx, ty) == pytest.approx(value, rel=1e-9)  # it touches the curve at the point
    assert f"L = {value:.4f}" in ex.readout.value and f"{value:.4f}" in ex.curve_view.readout.get_text()


@pytest.mark.parametrize("name, rule", [
    ("mse", lambda p, y: 2 * (p - y)),
    ("mae", lambda p, y: float(np.sign(p - y))),
])
def test_regression_sliders_move_the_point_and_the_tangent(name, rule):
    ex = LossExplorer(name, live=False)
    for pred, target in [(0.5, 1.0), (-2.0, 1.5), (2.5, -1.0)]:
        ex.prediction.value, ex.target.value = pred, target
        assert ex.point.x == pred and ex.point.y_true[0, 0] == target
        assert tangent_slope(ex.curve_view) == pytest.approx(rule(pred, target), rel=1e-9)
        xs, ys = ex.curve_view.line.get_data()
        assert xs[0] == -3.0 and xs[-1] == 3.0
        assert ex.curve_view.ax.get_ylim()[1] >= ys.max()
    # no logarithm, nothing clipped: no clipping chart; the curve takes its room, the readout says why
    assert not ex.curve_view.cap.get_visible() and not ex.clip_view.ax.get_visible()
    assert ex.curve_view.ax.get_position().x1 == pytest.approx(ex._positions["alone"].x1)
    assert "nothing is clipped" in ex.readout.value


@pytest.mark.parametrize("name", CATEGORICAL)
def test_categorical_scores_are_normalised_and_the_tangent_is_dL_dq(name):
    ex = LossExplorer(name, live=False)
    for k, v in enumerate((0.6, 0.3, 0.9)):
        ex.scores[k].value = v
    p = np.array([0.6, 0.3, 0.9]) / 1.8
    np.testing.assert_allclose(ex.point.y_pred[0], p, rtol=SAME)
    t = ex.point.true_class
    assert t == 1
    assert ex.point.value == pytest.approx(-math.log(p[t]), rel=1e-9)
    # along the curve only q = p[true class] moves; -log q has slope -1/q
    assert tangent_slope(ex.curve_view) == pytest.approx(-1 / p[t], rel=1e-9)
    fn, h = losses.get(name), 1e-6
    up = fn(labels_for(name, t), prediction_along(p, t, p[t] + h))
    down = fn(labels_for(name, t), prediction_along(p, t, p[t] - h))
    assert ex.point.slope == pytest.approx((up - down) / (2 * h), rel=1e-6)
    assert ex.point.gradient.shape == (1, 3)


def test_cee_and_categorical_crossentropy_agree_on_a_normalised_prediction():
    cee, cce = LossExplorer("cee", live=False), LossExplorer("cce", live=False)
    for ex in (cee, cce):
        ex.scores[0].value = 0.9
        ex.one_hot.value = 2
    assert cee.point.value == pytest.approx(cce.point.value, rel=SAME)
    p = cee.point.y_pred
    same = f"CEE = {losses.cee(np.eye(3)[[2]], p):.4f} and categorical_crossentropy = {cce.point.value:.4f}"
    assert same in cee.readout.value
    # on the sliders' raw scores (0.9, 0.5, 0.3) the two part: only Keras divides by the sum 1.7
    assert f"CEE = {-math.log(0.3):.4f}" in cee.readout.value
    assert f"categorical_crossentropy = {-math.log(0.3 / 1.7):.4f}" in cee.readout.value


def test_true_class_controls_are_one_class():
    ex = LossExplorer("sparse_categorical_crossentropy", live=False)
    ex.true_class.value = 0
    assert ex.point.true_class == 0 and ex.one_hot.value == 0
    np.testing.assert_array_equal(ex.point.y_true, [0])
    ex.loss_control.value = "categorical_crossentropy"
    assert ex.inputs.children[1] is ex.one_hot and ex.point.true_class == 0
    ex.one_hot.value = 2
    np.testing.assert_array_equal(ex.point.y_true, [[0.0, 0.0, 1.0]])
    assert ex.true_class.value == 2


def test_clipping_gives_a_flat_region_and_a_finite_maximum():
    ex = LossExplorer("binary_crossentropy", live=False)
    ex.probability.value = 0.0
    assert ex.point.value == pytest.approx(MAX_LOSS, rel=1e-12)
    assert ex.point.gradient[0, 0] == 0.0 and tangent_slope(ex.curve_view) == 0.0
    assert ex.curve_view.ax.get_ylim()[1] > MAX_LOSS
    clip = ex.clip_view
    xs, clipped = clip.clipped.get_data()
    np.testing.assert_allclose(clipped, -np.log(np.clip(xs, 1e-7, 1 - 1e-7)), rtol=SAME)
    flat = xs < 1e-7
    assert flat.any() and np.all(clipped[flat] == pytest.approx(MAX_LOSS))
    ux, unclipped = clip.unclipped.get_data()
    np.testing.assert_allclose(unclipped, -np.log(ux), rtol=SAME)
    assert unclipped.max() > 20  # without clipping the loss keeps growing
    assert "16.118" in clip.max_text.get_text()
    # the clipped point says its gradient is 0, in the figure and in the readout
    assert ex.curve_view.clip_text.get_visible() and "gradient 0" in ex.curve_view.clip_text.get_text()
    assert "dL/dy_pred = 0<br>" in ex.readout.value and "gradient is 0" in ex.readout.value
    assert clip.span.get_x() == 1e-10
    assert clip.span.get_x() + clip.span.get_width() == pytest.approx(1e-7)  # the flat region
    mx, my = clip.marker.get_data()
    assert mx[0] == 1e-10 and my[0] == pytest.approx(MAX_LOSS)
    ex.label.value = 0.0  # now the correct answer is class 0, given probability 1 - p = 1
    mx, my = clip.marker.get_data()
    assert mx[0] == 1.0 and my[0] == pytest.approx(-math.log(1 - 1e-7), abs=1e-9)
    ex.probability.value = 1.0  # all on the wrong class: clipped at the other end, 1 - 1e-7
    assert ex.point.value == pytest.approx(-math.log(1 - (1 - 1e-7)), rel=1e-12)
    assert ex.point.value == pytest.approx(MAX_LOSS, rel=1e-8) and ex.point.gradient[0, 0] == 0.0


def test_zero_scores_are_a_clear_error_and_change_nothing():
    ex = LossExplorer("cee", live=False)
    ex.scores[0].value = ex.scores[1].value = 0.0
    before, picture = ex.point, ex.curve_view.line.get_ydata().copy()
    ex.scores[2].value = 0.0
    assert ex.point is before and ex.scores[2].value == 0.0
    np.testing.assert_array_equal(ex.curve_view.line.get_ydata(), picture)
    assert "scores are 0" in ex.message.value and ex.errors
    ex.scores[1].value = 0.5  # any positive score recovers
    assert ex.point.value == pytest.approx(0.0, abs=1e-6) and ex.message.value == ""


def test_each_loss_names_its_task():
    ex = LossExplorer(live=False)
    for _, name in ex.loss_control.options:
        ex.loss_control.value = name
        assert ex.loss.name == name and losses.get(name).task in ex.readout.value
        assert ex.errors == []


def test_switching_losses_and_set_loss():
    ex = LossExplorer("mse", live=False)
    ex.set_loss("bce")
    assert ex.loss_control.value == "binary_crossentropy" and ex.point.kind == "binary"
    assert ex.curve_view.line.get_data()[0][-1] == 1.0
    with pytest.raises(ValueError, match="Could not interpret loss identifier: 'hinge'"):
        ex.set_loss("hinge")
    assert ex.loss.name == "binary_crossentropy" and ex.point.kind == "binary"


def test_switch_refused_when_the_new_controls_are_invalid_keeps_everything():
    ex = LossExplorer("mse", live=False)
    for s in ex.scores:
        s.value = 0.0
    ex.loss_control.value = "cee"
    assert "scores are 0" in ex.message.value
    assert ex.loss.name == "mean_squared_error" and ex.loss_control.value == "mean_squared_error"


def test_korean_labels_have_every_glyph():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex = LossExplorer("sparse_categorical_crossentropy", lang="ko", live=False)
        ex.scores[0].value = 0.0
        ex.true_class.value = 0  # clipped: the true class got nothing
        for name in ("binary_crossentropy", "mean_squared_error"):
            ex.loss_control.value = name
        png = ex.snapshot()
    assert png.startswith(b"\x89PNG") and ex.errors == []
    assert ex.loss_control.description == "손실함수"
    assert "회귀" in ex.readout.value


def test_live_canvas_builds():
    from ipympl.backend_nbagg import Canvas

    ex = LossExplorer("bce", live=True)
    assert ex.mode == "live" and isinstance(ex.figures[0].canvas, Canvas)
    ex.probability.value = 0.3
    assert ex.point.x == 0.3 and ex.errors == []


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(loss="hinge"), ValueError, "Could not interpret loss identifier"),
    (dict(loss=losses.get("bce", from_logits=True)), ValueError, "without from_logits"),
    (dict(lang="fr"), ValueError, "lang must be one of"),
])
def test_bad_arguments_are_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        LossExplorer(live=False, **kwargs)


def test_loss_point_refuses_unnormalised_probabilities():
    with pytest.raises(ValueError, match="sum to 1"):
        loss_point("cee", np.eye(3)[[0]], [[0.5, 0.5, 0.5]])
    with pytest.raises(ValueError, match="one sample"):
        loss_point("mse", [[1.0], [2.0]], [[1.0], [2.0]])


def test_static_picture_for_notebooks():
    ex = LossExplorer("mae", live=False)
    bundle = ex._repr_mimebundle_()
    assert "mean_absolute_error" in bundle["text/plain"] and bundle["image/png"]


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("name", ["mse", "binary_crossentropy", "cee", "sparse_categorical_crossentropy"])
def test_every_text_is_readable_and_the_figure_fits_the_page(name, lang):
    ex = LossExplorer(name, live=False, lang=lang)
    fig = ex.figures[0]
    assert fits(fig)
    assert small_texts(fig) == []
    if name == "binary_crossentropy":
        ex.probability.value = 0.0  # the clipped note shows too
        assert ex.curve_view.clip_text.get_visible() and small_texts(fig) == []


def test_scale_makes_every_text_larger_and_is_checked():
    one, big = (LossExplorer("binary_crossentropy", live=False, scale=s) for s in (1, 1.5))
    assert smallest_px(big.figures[0]) == pytest.approx(1.5 * smallest_px(one.figures[0]))
    assert smallest_px(one.figures[0]) == pytest.approx(12)
    with pytest.raises(ValueError, match="scale"):
        LossExplorer(live=False, scale=0)


def test_a_single_output_gradient_is_a_plain_number():
    ex = LossExplorer("binary_crossentropy", live=False)
    assert "dL/dy_pred = -1.429" in ex.readout.value and "[" not in ex.readout.value.split("<br>")[1]
    assert ex.curve_view.slope_text.get_text() == "slope dL/dy_pred = -1.429"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_nan_on_any_slider_is_refused_and_nothing_changes(lang):
    ex = LossExplorer("binary_crossentropy", live=False, lang=lang)
    before = ex.point
    ex.probability.value = float("nan")
    assert ex.probability.value == 0.7 and ex.point.value == before.value and ex.errors == []
    assert ("finite number" if lang == "en" else "유한한 수") in ex.message.value
    ex.set_loss("cee")
    ex.scores[0].value = float("nan")
    assert ex.scores[0].value == 0.2 and np.all(np.isfinite(ex.point.y_pred))
    ex.set_loss("mse")
    ex.prediction.value = float("nan")
    assert ex.prediction.value == 0.5 and ex.point.x == 0.5


def test_the_loss_choices_speak_the_dashboards_language():
    ko = LossExplorer("cee", lang="ko", live=False)
    en = LossExplorer("cee", lang="en", live=False)
    assert ("CEE (교차 엔트로피 오차)", "cee") in ko.loss_control.options
    assert ("CEE (cross-entropy error)", "cee") in en.loss_control.options
    assert [v for _, v in ko.loss_control.options] == [v for _, v in en.loss_control.options]
    assert ko.loss_control.value == "cee"
