"""DescentExplorer, headless: every button and control, the path against the closed form of
gradient descent, the presets' promises (converge, zig-zag, diverge), clicks on the surface."""
import warnings

import matplotlib
import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent

import stepnn as sn
from stepnn.widgets import ipympl_available
from stepnn.problems import Bowl, LinearRegression
from stepnn.widgets.descent import PRESETS, DescentExplorer, preset_rates

from .readable import fits, rows_that_do_not_wrap, small_texts, smallest_px

STEPS = 40


def click(dash, name, times=1):
    for _ in range(times):
        dash.buttons[name].click()


def bowl_path(start, lr, steps, a=1.0, b=2.0):
    """Gradient descent on a w1^2 + b w2^2 in closed form: each coordinate scales by (1 - 2 lr c)."""
    k = np.arange(steps + 1)[:, None]
    return np.asarray(start) * (1 - 2 * lr * np.array([a, b])) ** k


def linear_curvature(X):
    """The largest eigenvalue of the MSE Hessian of y = w x + b: (2/n) [[sum x^2, sum x], [sum x, n]]."""
    x = X[:, 0]
    return np.linalg.eigvalsh(2 / len(x) * np.array([[x @ x, x.sum()], [x.sum(), len(x)]])).max()


@pytest.fixture
def bowl():
    return DescentExplorer("quadratic", live=False)


def test_builds_static_with_every_control(bowl):
    assert bowl.mode == "static" and len(bowl.figures) == 1
    assert set(bowl.buttons) == {"step", "reset", *PRESETS}
    classes = {c for b in bowl.buttons.values() for c in b._dom_classes}
    assert {"stepnn-descent-step", "stepnn-descent-reset", "stepnn-descent-too-small",
            "stepnn-descent-diverging"} <= classes
    assert "stepnn-descent-learning-rate" in bowl.learning_rate._dom_classes
    assert "stepnn-descent-play" in bowl.play._dom_classes
    assert bowl.message in bowl.widget.children
    # λ_max, not L (L is the loss)
    assert "λ_max = 4" in bowl.explain.value and "2/λ_max = 0.5" in bowl.explain.value
    assert "L = " not in bowl.explain.value
    assert "f(w1, w2) = w1² + 2 w2²" in bowl.describe()


def test_the_problems_are_the_cores():
    import stepnn.widgets.descent as descent
    assert isinstance(DescentExplorer("quadratic", live=False).problem, Bowl)
    assert descent.LinearRegression is LinearRegression and "Bowl" not in descent.__all__


def test_presets_come_from_the_largest_hessian_eigenvalue():
    # the bowl w1^2 + 2 w2^2: Hessian diag(2, 4), L = 4
    assert preset_rates(Bowl()) == pytest.approx({n: f / 4 for n, f in PRESETS.items()})
    assert preset_rates(Bowl(3.0, 0.5)) == pytest.approx({n: f / 6 for n, f in PRESETS.items()})
    problem = LinearRegression()
    X, _ = sn.datasets.linear(100, 0.1, 0)
    L = linear_curvature(X)
    assert preset_rates(problem) == pytest.approx({n: f / L for n, f in PRESETS.items()})
    assert PRESETS["good"] <= 1 < PRESETS["too large"] < 2 < PRESETS["diverging"]


def test_the_surface_is_the_loss_over_the_window(bowl):
    A, B = np.meshgrid(bowl.alphas, bowl.betas)
    np.testing.assert_allclose(bowl.values, A ** 2 + 2 * B ** 2, rtol=1e-12)
    assert (bowl.alphas[0], bowl.alphas[-1]) == bowl.surface_ax.get_xlim()
    dash = DescentExplorer("linear_regression", live=False)
    X, y = sn.datasets.linear(100, 0.1, 0)
    w, b = np.meshgrid(dash.alphas, dash.betas)
    mse = np.mean((w[..., None] * X[:, 0] + b[..., None] - y) ** 2, axis=-1)
    np.testing.assert_allclose(dash.values, mse, rtol=1e-12)


def test_steps_follow_the_closed_form_of_gradient_descent(bowl):
    click(bowl, "step", 5)
    np.testing.assert_allclose(bowl.path, bowl_path(bowl.problem.start, 0.25, 5), rtol=1e-12)
    np.testing.assert_allclose(bowl.losses, [w1 ** 2 + 2 * w2 ** 2 for w1, w2 in bowl.path], rtol=1e-12)
    np.testing.assert_allclose(bowl.path_line.get_xydata(), bowl.path)
    np.testing.assert_allclose(bowl.point.get_xydata(), bowl.path[-1:])
    np.testing.assert_allclose(bowl.loss_line.get_ydata(), bowl.losses)
    assert "step 5" in bowl.readout.value


def test_the_arrow_points_down_the_gradient_and_the_dotted_line_to_the_next_point(bowl):
    bowl.learning_rate.value = 0.1
    click(bowl, "step", 2)
    w = bowl.path[-1]
    gradient = np.array([2 * w[0], 4 * w[1]])
    tail, head = bowl.arrow_ends
    np.testing.assert_allclose(tail, w)
    direction = np.array(head) - np.array(tail)
    np.testing.assert_allclose(direction / np.linalg.norm(direction), -gradient / np.linalg.norm(gradient))
    np.testing.assert_allclose(bowl.next_line.get_xydata(), [w, w - 0.1 * gradient])


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_does_what_its_name_says(bowl, name):
    click(bowl, "step", 3)
    click(bowl, name)  # sets the learning rate and starts again from the start
    assert bowl.learning_rate.value == pytest.approx(PRESETS[name] / 4)
    assert len(bowl.path) == 1
    click(bowl, "step", 2)
    bowl.run(STEPS - 2)
    path, first, last = np.array(bowl.path), bowl.losses[0], bowl.losses[-1]
    np.testing.assert_allclose(path, bowl_path(bowl.problem.start, PRESETS[name] / 4, STEPS), rtol=1e-10)
    if name == "too small":      # still far from the minimum after 40 steps
        assert 0.5 < last < first and not bowl.converged and not bowl.diverged
    elif name == "good":         # straight down: w2 reaches 0 in one step, w1 halves each step
        assert last < 1e-20 and bowl.converged and "converged after" in bowl.message.value
        assert np.all(np.diff(bowl.losses) <= 0)
    elif name == "too large":    # converges, zig-zagging across the valley
        assert last < 1e-3 and not bowl.diverged
        assert np.all(np.sign(path[1:-1, 1]) != np.sign(path[2:, 1]))
    else:                        # every step overshoots more: the path leaves the plot
        assert last > 1e5 * first and bowl.diverged
        assert "diverged" in bowl.message.value and bowl.errors == []


def play(dash, frames):
    """Press Play and send up to ``frames`` frames, as the front end would; stops when Play stops."""
    dash.play.playing = True
    for k in range(1, frames + 1):
        dash.play.value = k
        if not dash.play.playing:
            break


def test_play_steps_and_stops_on_divergence(bowl):
    click(bowl, "diverging")
    play(bowl, 30)
    assert bowl.diverged and not bowl.play.playing
    steps = len(bowl.path) - 1
    bowl.play.value += 1            # no longer playing: frames do nothing
    assert len(bowl.path) - 1 == steps
    click(bowl, "reset")
    assert len(bowl.path) == 1 and not bowl.diverged and bowl.message.value == ""


def test_play_stops_when_converged(bowl):
    click(bowl, "good")
    bowl.restart((1e-6, 1e-6))      # near the minimum: a few frames to arrive
    play(bowl, 200)
    assert bowl.converged and not bowl.play.playing
    assert np.hypot(*bowl.problem.gradient(bowl.path[-1])) < 1e-8


def test_the_slider_changes_the_next_steps(bowl):
    click(bowl, "step", 2)
    bowl.learning_rate.value = 0.05
    click(bowl, "step", 3)
    expected = bowl_path(bowl_path(bowl.problem.start, 0.25, 2)[-1], 0.05, 3)
    np.testing.assert_allclose(bowl.path[2:], expected, rtol=1e-12)


def test_clicking_the_surface_sets_the_start(bowl):
    click(bowl, "step", 4)
    ax = bowl.surface_ax
    bowl.figures[0].canvas.draw()
    x, y = 1.2, -2.1
    px, py = ax.transData.transform((x, y))
    event = MouseEvent("button_press_event", bowl.figures[0].canvas, px, py, button=1)
    bowl.figures[0].canvas.callbacks.process("button_press_event", event)
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([(0, 0), (1, 1)])
    assert len(bowl.path) == 1
    assert abs(bowl.start[0] - x) <= abs(x1 - x0) and abs(bowl.start[1] - y) <= abs(y1 - y0)
    click(bowl, "step")
    np.testing.assert_allclose(bowl.path, bowl_path(bowl.start, 0.25, 1))
    click(bowl, "reset")                # Reset keeps the clicked start
    np.testing.assert_allclose(bowl.path, [bowl.start])


def test_linear_regression_uses_a_full_batch_trainer_and_finds_the_least_squares_line():
    dash = DescentExplorer("linear_regression", live=False)
    X, y = sn.datasets.linear(100, 0.1, 0)
    slope, intercept = np.polyfit(X[:, 0], y, 1)
    click(dash, "step")
    dash.run(59)
    tr = dash.trainer
    assert tr.batch_size == 100 and tr.mode == "full-batch"
    np.testing.assert_allclose(dash.path, tr.history.weights)
    np.testing.assert_allclose(dash.path[-1], [slope, intercept], atol=1e-6)
    # the loss at each point is the MSE of that line
    w, b = dash.path[7]
    assert dash.losses[7] == pytest.approx(np.mean((w * X[:, 0] + b - y) ** 2), rel=1e-12)
    # the gradient comes from the core's backpropagation: compare with the formula
    w, b = 0.3, -0.4
    residual = w * X[:, 0] + b - y
    np.testing.assert_allclose(dash.problem.gradient((w, b)),
                               [2 * np.mean(residual * X[:, 0]), 2 * np.mean(residual)], rtol=1e-12)


def test_linear_regression_diverging_preset_diverges_and_stays_an_info():
    dash = DescentExplorer("linear_regression", live=False)
    click(dash, "diverging")
    assert dash.trainer.learning_rate == pytest.approx(2.2 / linear_curvature(dash.problem.X))
    dash.run(STEPS)
    assert dash.diverged and dash.losses[-1] > 1e3 * dash.losses[0]
    assert "diverged" in dash.message.value and dash.errors == []
    click(dash, "good")
    dash.run(STEPS)
    assert not dash.diverged and dash.losses[-1] < 0.02


def test_overflow_is_reported_and_further_steps_are_refused():
    dash = DescentExplorer("quadratic", live=False, learning_rate=50.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dash.run(200)
    assert not np.isfinite(dash.losses[-1]) and dash.diverged
    steps = len(dash.path)
    click(dash, "step")
    assert len(dash.path) == steps and "diverged" in dash.message.value and dash.errors == []
    assert np.all(np.isfinite(dash.path_line.get_xydata()))


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="problem must be one of"):
        DescentExplorer("cubic", live=False)
    with pytest.raises(ValueError, match="learning_rate"):
        DescentExplorer(live=False, learning_rate=-1)
    with pytest.raises(ValueError, match="coefficient a"):
        DescentExplorer(live=False, a=0)


def test_korean_labels_render_without_missing_glyphs():
    with warnings.catch_warnings(), matplotlib.rc_context():
        warnings.simplefilter("error")
        dash = DescentExplorer("linear_regression", lang="ko", live=False)
        click(dash, "diverging")
        dash.run(10)
        dash.snapshot()
    assert "학습률" in dash.learning_rate.description and "발산" in dash.message.value


def test_builds_live_with_an_ipympl_canvas(require):
    if not ipympl_available():
        require("ipympl is not installed")
    dash = DescentExplorer("quadratic", live=True)
    assert dash.mode == "live" and type(dash.figures[0].canvas).__module__.startswith("ipympl")
    click(dash, "step")
    assert len(dash.path) == 2 and dash.errors == []


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("problem", ["quadratic", "linear_regression"])
def test_every_text_is_readable_and_the_figure_fits(problem, lang):
    dash = DescentExplorer(problem, live=False, lang=lang)
    fig = dash.figures[0]
    assert fits(fig) and small_texts(fig) == []
    dash.run(6)
    assert small_texts(fig) == []
    big = DescentExplorer(problem, live=False, lang=lang, scale=1.5)
    assert smallest_px(big.figures[0]) == pytest.approx(1.5 * smallest_px(fig)) == pytest.approx(18)


def test_no_key_inside_the_surface_so_a_start_near_a_corner_stays_visible(bowl):
    assert bowl.surface_ax.get_legend() is None and bowl.figures[0].legends
    fig = bowl.figures[0]
    fig.canvas.draw()
    key = fig.legends[0].get_window_extent()
    surface = bowl.surface_ax.get_window_extent()
    assert key.y1 <= surface.y0  # below the plots, never over a point of the surface
    px, py = bowl.surface_ax.transData.transform((2.8, 2.8))
    event = MouseEvent("button_press_event", fig.canvas, px, py, button=1)
    fig.canvas.callbacks.process("button_press_event", event)
    np.testing.assert_allclose(bowl.start, [2.8, 2.8], atol=0.02)


def test_the_arrow_grows_with_the_gradient_and_vanishes_at_the_minimum(bowl):
    lengths = []
    for start in ([2.5, 2.5], [1.0, 1.0], [0.1, 0.05]):
        bowl.restart(start)
        tail, head = bowl.arrow_ends
        lengths.append(np.linalg.norm(np.subtract(head, tail)))
    assert lengths[0] > lengths[1] > lengths[2] > 0
    diagonal = np.hypot(6, 6)
    assert lengths[0] <= 0.2 * diagonal + 1e-12
    assert not bowl.arrow.get_visible()  # near the minimum: no arrowhead over the star
    # the next-step line is drawn thick, white over a black edge, on every colour of the map
    assert bowl.next_line.get_linewidth() >= 2 and bowl.next_line.get_path_effects()


def test_round_off_is_printed_as_zero_and_the_loss_chart_shows_step_0(bowl):
    bowl.restart([-2.5e-8 * 1e-3, 1e-12])
    assert "(0, 0)" in bowl.readout.value and "e-" not in bowl.readout.value.split("·")[2]
    fresh = DescentExplorer(live=False)
    x, y = fresh.loss_line.get_data()
    assert list(x) == [0] and y[0] == pytest.approx(10.75)
    low, high = fresh.loss_ax.get_xlim()
    assert low < 0 < high and "10.75" in fresh.loss_title.get_text()


def test_a_nan_learning_rate_from_code_is_refused_and_reset_still_works():
    # ipywidgets clamps inf to the slider's ends; NaN passes every comparison and gets past the clamp
    bad = float("nan")
    dash = DescentExplorer("linear_regression", live=False)
    lr = dash.learning_rate.value
    click(dash, "step", 3)
    dash.learning_rate.value = bad
    assert dash.learning_rate.value == lr and dash.trainer.learning_rate == lr
    assert "finite number" in dash.message.value and dash.errors == []
    click(dash, "reset")
    assert len(dash.path) == 1 and dash.trainer.learning_rate == lr and dash.trainer.iteration == 0
    click(dash, "step", 3)
    np.testing.assert_allclose(dash.path[1], dash.trainer.history.weights[1])
    ko = DescentExplorer(live=False, lang="ko")
    ko.learning_rate.value = bad
    assert "유한한 수" in ko.message.value and "finite" not in ko.message.value


def test_rows_of_controls_wrap_in_a_narrow_output_area(bowl):
    assert rows_that_do_not_wrap(bowl.widget) == []
