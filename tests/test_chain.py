"""The computation graph of stepnn.chain: forward values, the chain rule node by node, the
finite-difference check, the update, and the core's own numbers for the same network."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stepnn as sn
from stepnn.backprop import backward_pass
from stepnn.chain import ComputationGraph
from stepnn.gradcheck import numerical_gradient
from stepnn.model import forward_pass
from stepnn.trainer import PhaseError

SAME = 1e-12          # relative tolerance for "the same float64 computation, maybe reordered"
FUSED = 1e-9          # the fused (a - y) shortcut against the chain through sigmoid'
LOSSES = ["mse", "mae", "binary_crossentropy"]
FORWARD = ["z1[0]", "z1[1]", "a1[0]", "a1[1]", "z2[0]", "a2[0]", "L"]


def core_model(graph: ComputationGraph) -> sn.Sequential:
    """The same network as the graph, built from the core's layers."""
    model = sn.Sequential([sn.Dense(2, 2, "sigmoid"), sn.Dense(2, 1, "sigmoid")])
    model.set_weights(graph.weights)
    return model


def done(graph: ComputationGraph) -> ComputationGraph:
    graph.forward()
    graph.backward()
    return graph


# --- forward ---------------------------------------------------------------------------------

def test_forward_fills_one_node_per_step_in_topological_order():
    g = ComputationGraph.example(0)
    assert [n.name for n in g.nodes if n.value is not None] == ["x[0]", "x[1]"]
    for i, name in enumerate(FORWARD):
        assert g.next_forward == name
        step = g.forward_step()
        assert step.node == name
        filled = [n.name for n in g.nodes if n.value is not None]
        assert filled == ["x[0]", "x[1]"] + FORWARD[:i + 1]
    assert g.forward_done and g.next_forward is None


def test_forward_values_by_hand():
    x, W1, b1 = np.array([0.5, -1.0]), np.array([[0.1, 0.2], [0.3, -0.4]]), np.array([0.05, -0.05])
    W2, b2 = np.array([[0.7], [-0.6]]), np.array([0.2])
    g = ComputationGraph(x, 1.0, [W1, b1, W2, b2], loss="mse")
    g.forward()
    z1 = [0.5 * 0.1 + -1.0 * 0.3 + 0.05, 0.5 * 0.2 + -1.0 * -0.4 - 0.05]
    a1 = [1 / (1 + np.exp(-z)) for z in z1]
    z2 = a1[0] * 0.7 + a1[1] * -0.6 + 0.2
    a2 = 1 / (1 + np.exp(-z2))
    expected = dict(zip(FORWARD, z1 + a1 + [z2, a2, (a2 - 1.0) ** 2]))
    for name, value in expected.items():
        assert g.node(name).value == pytest.approx(value, rel=SAME)
    assert g.loss_value == pytest.approx((a2 - 1.0) ** 2, rel=SAME)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_forward_values_equal_the_core_model(loss, seed):
    g = ComputationGraph.example(seed, loss)
    g.forward()
    record = core_model(g).forward(g.x)
    np.testing.assert_allclose([g.node(f"z1[{j}]").value for j in range(2)], record.z[0][0], rtol=SAME)
    np.testing.assert_allclose([g.node(f"a1[{j}]").value for j in range(2)], record.a[0][0], rtol=SAME)
    assert g.node("a2[0]").value == pytest.approx(record.a[1][0, 0], rel=SAME)
    assert g.loss_value == pytest.approx(sn.losses.get(loss)(g.y, record.a[1]), rel=SAME)


# --- backward ---------------------------------------------------------------------------------

def test_backward_goes_node_by_node_in_reverse_and_stops_at_the_inputs():
    g = ComputationGraph.example(2)
    with pytest.raises(PhaseError, match="forward pass first"):
        g.backward_step()
    g.forward()
    for name in reversed(FORWARD):
        assert g.next_backward == name
        step = g.backward_step()
        assert step.node == name and g.node(name).grad == step.grad
        # the chain rule only ever reads a gradient that is already known
        if step.upstream_name:
            assert g.node(step.upstream_name[len("dL/d"):]).grad is not None
    assert g.backward_done and g.next_backward is None
    assert g.node("x[0]").grad is None and g.node("x[1]").grad is None
    grads = g.gradients
    with pytest.raises(PhaseError, match="backward pass is complete.*stops at the inputs"):
        g.backward_step()
    # a second backward does not add the gradients up again
    for before, after in zip(grads, g.gradients):
        np.testing.assert_array_equal(before, after)
    assert len(g.backward_steps) == len(FORWARD)


def test_each_step_is_upstream_times_local():
    g = done(ComputationGraph.example(4, "binary_crossentropy"))
    for step in g.backward_steps[1:]:
        assert step.grad == pytest.approx(step.upstream * step.local, rel=SAME)
        for w in step.weights:
            assert w.upstream == step.grad
            assert w.grad == pytest.approx(w.upstream * w.local, rel=SAME)


def test_local_derivatives_by_their_rules():
    g = done(ComputationGraph.example(5, "mse"))
    steps = {s.node: s for s in g.backward_steps}
    a2, y = g.node("a2[0]").value, g.y[0, 0]
    assert steps["a2[0]"].local == pytest.approx(2 * (a2 - y), rel=SAME)
    assert steps["z2[0]"].local == pytest.approx(a2 * (1 - a2), rel=SAME)
    assert steps["a1[1]"].local == g.weights[2][1, 0]
    a1 = g.node("a1[0]").value
    assert steps["z1[0]"].local == pytest.approx(a1 * (1 - a1), rel=SAME)
    local = {w.name: w.local for s in g.backward_steps for w in s.weights}
    assert local["W1[1,0]"] == g.x[0, 1] and local["W2[0,0]"] == a1 and local["b1[1]"] == 1.0
    bce = done(ComputationGraph(g.x, y, g.weights, "binary_crossentropy"))
    bce_steps = {s.node: s for s in bce.backward_steps}
    assert bce_steps["a2[0]"].local == pytest.approx(-y / a2 + (1 - y) / (1 - a2), rel=SAME)


def test_weight_gradients_are_complete_when_their_weighted_sum_is():
    g = ComputationGraph.example(1)
    g.forward()
    completed = []
    for _ in FORWARD:
        step = g.backward_step()
        completed.append((step.node, sorted(w.name for w in step.weights)))
    assert completed == [("L", []), ("a2[0]", []), ("z2[0]", ["W2[0,0]", "W2[1,0]", "b2[0]"]),
                         ("a1[1]", []), ("a1[0]", []), ("z1[1]", ["W1[0,1]", "W1[1,1]", "b1[1]"]),
                         ("z1[0]", ["W1[0,0]", "W1[1,0]", "b1[0]"])]


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("seed", [0, 3, 11])
def test_gradients_equal_the_core_backward_pass(loss, seed):
    g = done(ComputationGraph.example(seed, loss))
    model, loss_fn = core_model(g), sn.losses.get(loss)
    record = model.forward(g.x)
    through_chain = backward_pass(model.layers, record, g.y, loss_fn, fused=False)
    for mine, core in zip(g.gradients, through_chain.grads):
        np.testing.assert_allclose(mine, core, rtol=SAME, atol=0)
    shortcut = backward_pass(model.layers, record, g.y, loss_fn, fused=True)  # the trainer's default
    for mine, core in zip(g.gradients, shortcut.grads):
        np.testing.assert_allclose(mine, core, rtol=FUSED, atol=1e-15)
    hidden = [g.node(f"z1[{j}]").grad for j in range(2)]
    np.testing.assert_allclose(hidden, through_chain.dz[0][0], rtol=SAME)


@pytest.mark.parametrize("loss", LOSSES)
def test_finite_differences_equal_the_core_numerical_gradient(loss):
    g = done(ComputationGraph.example(6, loss))
    model, loss_fn = core_model(g), sn.losses.get(loss)
    params = model.get_weights()
    layers = [sn.Dense(2, 2, "sigmoid", weights=(params[0], params[1])),
              sn.Dense(2, 1, "sigmoid", weights=(params[2], params[3]))]
    perturbed = [layers[0].W, layers[0].b, layers[1].W, layers[1].b]

    def f():
        return float(np.mean(loss_fn.per_sample(g.y, forward_pass(layers, g.x, None).a[-1])))

    numeric = numerical_gradient(f, perturbed)
    for mine, core in zip(g.numeric_gradients, numeric):
        np.testing.assert_allclose(mine, core, rtol=SAME, atol=1e-15)
    report = sn.gradcheck(model, g.x, g.y, loss=loss)
    assert report.ok
    for mine, core in zip(g.numeric_gradients, report.numeric):
        np.testing.assert_allclose(mine, core, rtol=SAME, atol=1e-15)
    shown = {w.name: w for w in g.weight_gradients.values()}
    assert len(shown) == 9 and all(w.agrees for w in shown.values())
    assert shown["W1[1,0]"].numeric == g.numeric_gradients[0][1, 0]


@settings(max_examples=40, deadline=None)
@given(x=st.lists(st.floats(-2, 2), min_size=2, max_size=2),
       flat=st.lists(st.floats(-2, 2), min_size=9, max_size=9),
       y=st.sampled_from([0.0, 1.0]), loss=st.sampled_from(["mse", "binary_crossentropy"]))
def test_any_weights_give_the_core_gradients(x, flat, y, loss):
    model = sn.Sequential([sn.Dense(2, 2, "sigmoid"), sn.Dense(2, 1, "sigmoid")])
    model.set_flat(np.array(flat))
    g = done(ComputationGraph(x, y, model.get_weights(), loss))
    X = np.array([x])
    core = backward_pass(model.layers, model.forward(X), g.y, sn.losses.get(loss), fused=False)
    for mine, theirs in zip(g.gradients, core.grads):
        np.testing.assert_allclose(mine, theirs, rtol=SAME, atol=1e-300)


# --- update, clear, determinism ---------------------------------------------------------------

def test_update_moves_every_weight_against_its_gradient_and_lowers_the_loss():
    for seed in range(8):
        g = done(ComputationGraph.example(seed))
        old, grads, before = g.weights, g.gradients, g.loss_value
        record = g.update(0.1)
        for o, gr, new in zip(old, grads, g.weights):
            np.testing.assert_allclose(new, o - 0.1 * gr, rtol=SAME, atol=1e-15)
        assert record.learning_rate == 0.1 and record.optimizer == "sgd"
        assert not g.forward_steps and not g.backward_steps and g.loss_value is None
        assert g.forward() < before


def test_update_needs_a_complete_backward_pass_and_leaves_weights_alone():
    g = ComputationGraph.example(0)
    g.forward()
    g.backward_step()
    before = g.weights
    with pytest.raises(PhaseError, match="finish the backward pass first"):
        g.update(0.5)
    with pytest.raises(ValueError, match="learning_rate must be a positive"):
        done(ComputationGraph.example(0)).update(-1)
    for a, b in zip(before, g.weights):
        np.testing.assert_array_equal(a, b)


def test_forward_after_the_end_is_a_phase_error():
    g = ComputationGraph.example(0)
    g.forward()
    with pytest.raises(PhaseError, match="forward pass is complete"):
        g.forward_step()


def test_same_seed_same_example_other_seed_other_example():
    a, b, c = (ComputationGraph.example(s) for s in (3, 3, 4))
    for p, q in zip(a.weights, b.weights):
        np.testing.assert_array_equal(p, q)
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.weights[0], c.weights[0])
    assert all(np.array_equal(np.round(w, 2), w) for w in a.weights)  # followable by hand


# --- printing ---------------------------------------------------------------------------------

def test_repr_prints_the_node_table_and_the_steps_so_far():
    g = ComputationGraph.example(0)
    assert "no chain-rule steps yet" in repr(g) and "z1[0]" in repr(g)
    g.forward()
    for _ in range(3):
        g.backward_step()
    text = repr(g)
    a2 = g.node("a2[0]")
    assert f"{a2.value:.4g}" in text and f"{a2.grad:.4g}" in text
    assert "dL/dz2[0] = dL/da2[0] × ∂a2[0]/∂z2[0]" in text
    assert "dL/dW2[1,0]" in text and "finite difference" in text
    assert "dL/da1[1]" not in text  # not done yet
    assert "next: a1[1]" in text
    step = g.backward_steps[2]
    assert f"{step.upstream:.4g}" in str(step).replace("(", "").replace(")", "")


def test_binary_crossentropy_step_mentions_the_fused_shortcut():
    g = done(ComputationGraph.example(0, "bce"))
    z2 = next(s for s in g.backward_steps if s.node == "z2[0]")
    a2, y = g.node("a2[0]").value, g.y[0, 0]
    assert f"{a2 - y:.4g}" in z2.note and z2.grad == pytest.approx(a2 - y, rel=FUSED)


# --- bad input ------------------------------------------------------------------------------

W = [np.zeros((2, 2)), np.zeros(2), np.zeros((2, 1)), np.zeros(1)]


@pytest.mark.parametrize("kwargs, match", [
    (dict(x=[1.0, 2.0, 3.0]), "3 columns per sample"),
    (dict(x=[[1.0, 2.0], [3.0, 4.0]]), "one sample of 2 inputs"),
    (dict(x=["a", "b"]), "must hold real numbers"),
    (dict(y=[1.0, 0.0]), "one target number"),
    (dict(y="one"), "one target number"),
    (dict(y=2.0, loss="binary_crossentropy"), r"labels in \[0, 1\]"),
    (dict(weights=W[:3]), "received 3 array"),
    (dict(weights=[np.zeros((2, 3))] + W[1:]), r"W1 must have shape \(2, 2\)"),
    (dict(loss="categorical_crossentropy"), "ends in one sigmoid unit"),
    (dict(loss="hinge"), "Could not interpret loss identifier"),
])
def test_bad_input_is_a_clear_error(kwargs, match):
    args = dict(x=[0.1, 0.2], y=1.0, weights=W, loss="mse") | kwargs
    with pytest.raises((ValueError, TypeError), match=match):
        ComputationGraph(**args)


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0"])
def test_bad_seed(seed):
    with pytest.raises(ValueError, match="seed must be a whole number >= 0"):
        ComputationGraph.example(seed)


def test_unknown_node_name():
    with pytest.raises(KeyError, match="no node 'z3'"):
        ComputationGraph.example(0).node("z3")
