"""The ChainRule dashboard, headless: every button and control, the graph's texts, the core's numbers."""
import warnings

import numpy as np
import pytest

import stepnn as sn
from stepnn.backprop import backward_pass
from stepnn.chain import ComputationGraph
from stepnn.widgets.chain_rule import LEARNING_RATES, ChainRule

from .readable import fits, rows_that_do_not_wrap, small_texts, smallest_px, visible_texts

FORWARD = ["z1[0]", "z1[1]", "a1[0]", "a1[1]", "z2[0]", "a2[0]", "L"]
SAME = 1e-12


@pytest.fixture
def dash():
    return ChainRule(live=False, seed=0)


def click(dash, name, times=1):
    for _ in range(times):
        dash.buttons[name].click()


def core_forward(weights, x):
    model = sn.Sequential([sn.Dense(2, 2, "sigmoid"), sn.Dense(2, 1, "sigmoid")])
    model.set_weights(weights)
    return model, model.forward(x)


def test_builds_static_with_every_control(dash):
    assert dash.mode == "static" and len(dash.figures) == 1
    assert set(dash.buttons) == {"forward", "forward_all", "backward", "backward_all", "update", "reset",
                                 "new_example"}
    classes = {c for b in dash.buttons.values() for c in b._dom_classes}
    assert "stepnn-chain-backward-all" in classes and "stepnn-chain-new-example" in classes
    assert "stepnn-chain-learning-rate" in dash.learning_rate_control._dom_classes
    assert dash.message in dash.widget.children
    assert "Chain rule" in dash.describe() and "forward 0/7" in dash.describe()


def test_forward_clicks_fill_node_texts_one_by_one_with_the_core_values(dash):
    g = dash.graph
    _, record = core_forward(g.weights, g.x)
    core = dict(zip(FORWARD, [*record.z[0][0], *record.a[0][0], record.z[1][0, 0], record.a[1][0, 0],
                              sn.losses.mse(g.y, record.a[1])]))
    texts = dash.graph_view.value_texts
    assert texts["x[0]"].get_text() == f"{g.x[0, 0]:.4g}"
    for i, name in enumerate(FORWARD):
        click(dash, "forward")
        assert dash.graph_view.current == name
        assert texts[name].get_text() == f"{core[name]:.4g}"
        for later in FORWARD[i + 1:]:
            assert texts[later].get_text() == ""
        assert name in dash.step_view.body.get_text()
    assert f"L = {core['L']:.4g}" in dash.message.value
    click(dash, "forward")  # one too many: a note, nothing breaks
    assert "forward pass is complete" in dash.message.value and dash.errors == []


def test_backward_before_forward_is_a_note_not_an_error(dash):
    click(dash, "backward")
    assert "run the forward pass first" in dash.message.value
    assert dash.errors == [] and dash.graph.backward_steps == []


def test_backward_clicks_walk_back_one_node_each_and_stop_at_the_inputs(dash):
    click(dash, "forward_all")
    g = dash.graph
    for i, name in enumerate(reversed(FORWARD)):
        click(dash, "backward")
        assert dash.graph_view.current == name
        assert len(g.backward_steps) == i + 1
        grad = g.node(name).grad
        assert dash.graph_view.grad_texts[name].get_text() == f"dL/d{name}\n{grad:.4g}"
        step = g.backward_steps[-1]
        if name != "L":  # "dL/dz2[0] = dL/da2[0] × ∂a2[0]/∂z2[0] = ... × ... = ..."
            body = dash.step_view.body.get_text()
            assert f"dL/d{name} = {step.upstream_name} × {step.local_name}" in body
            assert f"= {grad:.4g}" in body
    assert "Backward pass complete" in dash.message.value
    for name in ("x[0]", "x[1]"):
        assert dash.graph_view.grad_texts[name].get_text() == ""
    grads = g.gradients
    click(dash, "backward", 2)
    assert "stops at the inputs" in dash.message.value and dash.errors == []
    for a, b in zip(grads, dash.graph.gradients):
        np.testing.assert_array_equal(a, b)


def test_table_shows_backprop_beside_finite_differences_as_weights_complete(dash):
    click(dash, "forward_all")
    click(dash, "backward", 2)
    table = dash.table_view
    names = [p.name for p in dash.graph.parameters]
    assert all(row[2].get_text() == "" for row in table.cells)
    click(dash, "backward")  # z2[0]: W2 and b2 are complete
    numeric = dash.graph.numeric_gradients
    for row, p in zip(table.cells, dash.graph.parameters):
        if p.name.startswith(("W2", "b2")):
            w = dash.graph.weight_gradients[p.name]
            assert row[2].get_text() == f"{w.grad:.5g}"
            assert row[3].get_text() == f"{numeric[p.array][p.index]:.5g}"
            assert row[4].get_text() == "✓"
        else:
            assert row[2].get_text() == row[3].get_text() == ""
    click(dash, "backward_all")
    assert all(table.cells[names.index(n)][4].get_text() == "✓" for n in names)


def test_table_numbers_equal_the_core_backward_pass(dash):
    click(dash, "forward_all")
    click(dash, "backward_all")
    g = dash.graph
    model, record = core_forward(g.weights, g.x)
    core = backward_pass(model.layers, record, g.y, sn.losses.mse, fused=False).grads
    report = sn.gradcheck(model, g.x, g.y, loss="mse")
    for row, p in zip(dash.table_view.cells, g.parameters):
        assert float(row[2].get_text()) == pytest.approx(core[p.array][p.index], rel=1e-4)
        assert float(row[3].get_text()) == pytest.approx(report.numeric[p.array][p.index], rel=1e-4)
    for mine, theirs in zip(g.gradients, core):
        np.testing.assert_allclose(mine, theirs, rtol=SAME)


def test_update_applies_the_learning_rate_and_the_new_weights_show(dash):
    click(dash, "update")
    assert "finish the backward pass first" in dash.message.value and dash.errors == []
    click(dash, "forward_all")
    click(dash, "backward_all")
    dash.learning_rate_control.value = 0.1
    old, grads, before = dash.graph.weights, dash.graph.gradients, dash.graph.loss_value
    click(dash, "update")
    for o, gr, new in zip(old, grads, dash.graph.weights):
        np.testing.assert_allclose(new, o - 0.1 * gr, rtol=SAME, atol=1e-15)
    new_w = dash.graph.weights[0][1, 0]
    assert dash.graph_view.edge_labels["W1[1,0]"].get_text() == f"W1[1,0] = {new_w:.4g}"
    assert dash.table_view.cells[1][1].get_text() == f"{new_w:.4g}"
    assert "w ← w - 0.1 × dL/dw" in dash.message.value
    assert "0.1" in dash.step_view.title.get_text()
    click(dash, "forward_all")
    assert dash.graph.loss_value < before
    assert f"before the update: {before:.4g}" in dash.message.value


def test_reset_returns_to_the_first_weights(dash):
    first = dash.graph.weights
    click(dash, "forward_all")
    click(dash, "backward_all")
    click(dash, "update")
    click(dash, "reset")
    for a, b in zip(first, dash.graph.weights):
        np.testing.assert_array_equal(a, b)
    assert dash.graph.forward_steps == [] and dash.graph_view.current is None
    assert dash.graph_view.value_texts["L"].get_text() == ""


def test_new_example_and_seed_control(dash):
    click(dash, "new_example")
    assert dash.seed_control.value == 1
    expected = ComputationGraph.example(1)
    np.testing.assert_array_equal(dash.graph.weights[0], expected.weights[0])
    np.testing.assert_array_equal(dash.graph.x, expected.x)
    dash.seed_control.value = 9
    np.testing.assert_array_equal(dash.graph.weights[2], ComputationGraph.example(9).weights[2])
    assert dash.graph_view.value_texts["x[1]"].get_text() == f"{dash.graph.x[0, 1]:.4g}"
    dash.seed_control.value = -5  # the control is bounded: it clamps, nothing breaks
    assert dash.seed_control.value == 0 and dash.errors == []


def test_loss_control_keeps_weights_and_changes_the_loss(dash):
    click(dash, "forward_all")
    click(dash, "backward_all")
    click(dash, "update")
    weights = dash.graph.weights
    dash.loss_control.value = "binary_crossentropy"
    assert dash.graph.loss.name == "binary_crossentropy"
    for a, b in zip(weights, dash.graph.weights):
        np.testing.assert_array_equal(a, b)
    click(dash, "forward_all")
    click(dash, "backward_all")
    model, record = core_forward(dash.graph.weights, dash.graph.x)
    core = backward_pass(model.layers, record, dash.graph.y, sn.losses.binary_crossentropy, fused=True)
    for mine, theirs in zip(dash.graph.gradients, core.grads):
        np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-15)
    assert "shortcut: a2[0] - y" in dash.graph.backward_steps[2].note


def test_korean_labels_have_every_glyph():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dash = ChainRule(lang="ko", live=False, seed=3)
        click(dash, "forward_all")
        click(dash, "backward", 3)
        click(dash, "backward_all")
        click(dash, "update")
        png = dash.snapshot()
    assert png.startswith(b"\x89PNG")
    assert dash.buttons["forward"].description == "순전파 (노드 1개)"
    assert "가중치 갱신" in dash.step_view.title.get_text()
    assert dash.errors == []


def test_live_canvas_builds():
    from ipympl.backend_nbagg import Canvas

    dash = ChainRule(live=True)
    assert dash.mode == "live" and isinstance(dash.figures[0].canvas, Canvas)
    click(dash, "forward_all")
    click(dash, "backward")
    assert dash.graph.backward_steps and dash.errors == []


@pytest.mark.parametrize("kwargs, match", [
    (dict(seed=-1), "seed must be a whole number"),
    (dict(seed=10**7), r"seed must be a whole number in \[0, 1000000\]"),
    (dict(loss="categorical_crossentropy"), "ends in one sigmoid unit"),
    (dict(learning_rate=0), "learning_rate must be a positive"),
    (dict(learning_rate=100), r"learning_rate must be in \[0.001, 10\]"),
    (dict(lang="fr"), "lang must be one of"),
])
def test_bad_arguments_are_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ChainRule(live=False, **kwargs)


def test_static_picture_for_notebooks(dash):
    bundle = dash._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Chain rule") and bundle["image/png"]


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("loss", ["mse", "binary_crossentropy"])
def test_every_text_is_readable_and_inside_a_figure_that_fits(lang, loss):
    dash = ChainRule(live=False, lang=lang, loss=loss)
    fig = dash.figures[0]
    assert fits(fig)
    for clicks in ([], ["forward_all"], ["backward"] * 3, ["backward_all"], ["update"]):
        for name in clicks:
            click(dash, name)
        assert small_texts(fig) == []
        renderer = fig.canvas.get_renderer()
        width, height = fig.canvas.get_width_height()
        for text in visible_texts(fig):  # the gradient check's columns included: nothing cut off
            box = text.get_window_extent(renderer)
            assert box.x0 >= -1 and box.x1 <= width + 1 and box.y0 >= -1 and box.y1 <= height + 1, text
        if clicks == ["backward_all"]:  # the whole check shows: every row agrees
            assert all(row[4].get_text() == "✓" and row[3].get_text() for row in dash.table_view.cells)


def test_scale_makes_the_text_larger_and_the_figure_taller_not_wider():
    one, big = ChainRule(live=False), ChainRule(live=False, scale=1.5)
    assert smallest_px(one.figures[0]) == pytest.approx(12)
    assert smallest_px(big.figures[0]) == pytest.approx(18)
    assert big.figures[0].get_figwidth() == one.figures[0].get_figwidth()
    assert big.figures[0].get_figheight() >= 1.5 * one.figures[0].get_figheight()
    # larger text: the table's rows go one under the other, every text still inside the figure
    assert len({round(row[0].get_position()[0], 6) for row in big.table_view.cells}) == 1
    click(big, "forward_all")
    click(big, "backward_all")
    fig = big.figures[0]
    width, height = fig.canvas.get_width_height()
    for text in visible_texts(fig):
        box = text.get_window_extent(fig.canvas.get_renderer())
        assert box.x0 >= -1 and box.x1 <= width + 1 and box.y0 >= -1, text


def test_learning_rate_slider_keeps_exact_values_and_refuses_nan():
    dash = ChainRule(live=False)
    assert dash.learning_rate_control.value == 0.5 and dash.learning_rate_control.label == "0.5"
    assert 0.001 in LEARNING_RATES and 10.0 in LEARNING_RATES and 0.5 in LEARNING_RATES
    odd = ChainRule(live=False, learning_rate=0.3)  # not a 1-2-5 value: offered too
    assert odd.learning_rate_control.value == 0.3
    for bad in (float("nan"), float("inf"), 0.0):
        with pytest.raises(Exception):
            dash.learning_rate_control.value = bad
        assert dash.learning_rate_control.value == 0.5
    click(dash, "forward_all")
    click(dash, "backward_all")
    old, grads = dash.graph.weights, dash.graph.gradients
    click(dash, "update")
    np.testing.assert_allclose(dash.graph.weights[0], old[0] - 0.5 * grads[0], rtol=SAME)


def test_korean_steps_speak_korean():
    dash = ChainRule(live=False, lang="ko", loss="binary_crossentropy")
    click(dash, "forward_all")
    seen = []
    for _ in range(7):
        click(dash, "backward")
        seen.append(dash.step_view.body.get_text())
    text = "\n".join(seen)
    assert "수치 미분" in text and "손실은 자기 자신과" in text and "시그모이드" in text
    for english in ("finite", "agree", "shortcut", "start", "loss changes"):
        assert english not in text
    headers = [t.get_text() for t in visible_texts(dash.figures[0])]
    assert "수치 미분" in headers and "Finite\ndifference" not in headers


def test_steps_out_of_order_are_notes_in_the_dashboards_language():
    for lang, words in (("en", ("run the forward pass first", "finish the backward pass first",
                                "forward pass is complete", "stops at the inputs")),
                        ("ko", ("먼저 순전파를 하세요", "먼저 역전파를 끝내세요", "순전파가 끝났습니다",
                                "역전파가 끝났습니다"))):
        dash = ChainRule(live=False, lang=lang)
        seen = []
        for name in ("backward", "update", "forward_all", "forward", "backward_all", "backward"):
            click(dash, name)
            seen.append(dash.message.value)
        assert words[0] in seen[0] and words[1] in seen[1] and words[2] in seen[3] and words[3] in seen[5]
        assert dash.errors == []
        if lang == "ko":
            assert not any(english in " ".join(seen) for english in ("forward", "backward", "pass", "first"))


def test_rows_of_controls_wrap_in_a_narrow_output_area(dash):
    assert rows_that_do_not_wrap(dash.widget) == []
