"""The step machine: forward -> loss -> backward -> update, in order, once each; what each phase
returns, checked against independent computations."""
import numpy as np
import pytest

import stepnn as sn
from stepnn.activations import sigmoid

from .helpers import (assert_gradients_close, assert_same_state, binary_trainer, central_difference,
                      snapshot)

ORDER = ["forward", "loss", "backward", "update"]


def _advance(tr, n_phases):
    for _ in range(n_phases):
        getattr(tr, tr.next_phase)()


def test_next_phase_cycles_in_course_order():
    tr = binary_trainer()
    seen = []
    for _ in range(9):
        seen.append(tr.next_phase)
        getattr(tr, tr.next_phase)()
    assert seen == ORDER * 2 + ["forward"]
    assert tr.global_iteration == 2


@pytest.mark.parametrize("done, called", [(d, c) for d in range(4) for c in ORDER if c != ORDER[d]])
def test_out_of_order_raises_naming_the_expected_phase(done, called):
    tr = binary_trainer()
    tr.step()  # not at the very start, so "already run" is true for update()
    _advance(tr, done)
    expected = ORDER[done]
    before = snapshot(tr)
    with pytest.raises(sn.PhaseError) as info:
        getattr(tr, called)()
    message = str(info.value)
    assert f"the next phase is {expected}()" in message and f"{called}()" in message
    assert_same_state(before, snapshot(tr))


def test_update_before_any_iteration_does_not_claim_it_already_ran():
    tr = binary_trainer()
    with pytest.raises(sn.PhaseError) as info:
        tr.update()
    message = str(info.value)
    assert "the next phase is forward()" in message
    assert "already" not in message, message


def test_second_backward_raises_and_gradients_are_counted_once():
    tr = binary_trainer(optimizer="sgd", learning_rate=0.5)
    tr.forward()
    tr.loss()
    grads = [g.copy() for g in tr.backward().grads]
    old = tr.model.get_weights()
    with pytest.raises(sn.PhaseError, match="backward.*next phase is update"):
        tr.backward()
    for g, g0 in zip(tr.last_backward.grads, grads):
        np.testing.assert_array_equal(g, g0)
    tr.update()
    for new, w, g in zip(tr.model.get_weights(), old, grads):
        np.testing.assert_allclose(new, w - 0.5 * g, rtol=1e-15)


@pytest.mark.parametrize("done", range(4))
def test_step_completes_a_partial_iteration(done):
    tr = binary_trainer()
    _advance(tr, done)
    first = tr.last_forward
    rec = tr.step()
    assert isinstance(rec, sn.UpdateRecord)
    assert tr.global_iteration == 1 and tr.next_phase == "forward"
    if first is not None:  # the batch drawn before step() is the one it finished
        np.testing.assert_array_equal(tr.history.iterations[0].indices, first.indices)
    assert len(tr.history.iterations) == 1


def test_last_records_follow_the_iteration():
    tr = binary_trainer()
    assert [tr.last_forward, tr.last_loss, tr.last_backward, tr.last_update] == [None] * 4
    f = tr.forward()
    assert tr.last_forward is f and tr.last_loss is None
    lo = tr.loss()
    b = tr.backward()
    u = tr.update()
    assert (tr.last_forward, tr.last_loss, tr.last_backward, tr.last_update) == (f, lo, b, u)
    tr.forward()
    assert tr.last_loss is None and tr.last_backward is None and tr.last_update is None


def test_forward_record_is_the_batch_through_the_layers():
    tr = binary_trainer()
    W1, b1, W2, b2 = tr.model.get_weights()
    f = tr.forward()
    np.testing.assert_array_equal(f.x, tr.X[f.indices])
    assert f.indices.shape == (6,)
    np.testing.assert_allclose(f.z[0], f.x @ W1 + b1, rtol=1e-14)
    np.testing.assert_allclose(f.a[0], np.tanh(f.z[0]), rtol=1e-14)
    np.testing.assert_allclose(f.z[1], f.a[0] @ W2 + b2, rtol=1e-14)
    np.testing.assert_allclose(f.a[1], 1 / (1 + np.exp(-f.z[1])), rtol=1e-14)


def test_loss_record_is_the_loss_of_the_batch():
    tr = binary_trainer()
    f = tr.forward()
    rec = tr.loss()
    y = tr.y[f.indices]
    p = f.a[-1]
    per = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p), axis=1)
    np.testing.assert_allclose(rec.per_sample, per, rtol=1e-13)
    assert float(rec) == pytest.approx(per.mean(), rel=1e-13)
    np.testing.assert_array_equal(rec.y_true, y)
    assert rec.y_pred is p and rec.name == "binary_crossentropy"


def test_backward_record_against_finite_differences_of_the_batch_loss():
    tr = binary_trainer()
    f = tr.forward()
    tr.loss()
    rec = tr.backward()
    x, y = f.x, tr.y[f.indices]

    def batch_loss():
        h = np.tanh(x @ tr.model.layers[0].W + tr.model.layers[0].b)
        p = sigmoid(h @ tr.model.layers[1].W + tr.model.layers[1].b)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    params = tr.model.params
    for analytic, p in zip(rec.grads, params):
        assert_gradients_close(analytic, central_difference(batch_loss, p))
    assert rec.fused


def test_update_record_old_new_delta():
    tr = binary_trainer(learning_rate=0.25)
    old = tr.model.get_weights()
    _advance(tr, 3)
    grads = tr.last_backward.grads
    u = tr.update()
    assert u.learning_rate == 0.25 and u.optimizer == "sgd"
    for o, n, d, w0, w1, g in zip(u.old, u.new, u.delta, old, tr.model.get_weights(), grads):
        np.testing.assert_array_equal(o, w0)
        np.testing.assert_array_equal(n, w1)
        np.testing.assert_allclose(d, n - o, rtol=1e-15)
        np.testing.assert_allclose(d, -0.25 * g, rtol=1e-12, atol=1e-17)


def test_optimizer_state_is_carried_across_iterations():
    X, y = np.array([[0.0, 1.0], [1.0, -1.0], [2.0, 0.5]]), np.array([0, 1, 1])
    adam = sn.Adam(learning_rate=0.05)
    tr = sn.Trainer(sn.Sequential([sn.Dense(2, 1, "sigmoid")], seed=1), X, y,
                    loss="binary_crossentropy", optimizer=adam, batch_size=3, shuffle=False)
    params, state = tr.model.get_weights(), {}
    for _ in range(3):
        _advance(tr, 3)
        params, state = adam.step(params, tr.last_backward.grads, state)
        tr.update()
        for w, p in zip(tr.model.get_weights(), params):
            np.testing.assert_allclose(w, p, rtol=1e-15)
    assert tr.optimizer_state["t"] == 3


def test_setting_changes_mid_iteration_wait_for_the_next_forward():
    tr = binary_trainer(learning_rate=0.5)
    _advance(tr, 3)
    tr.set_learning_rate(0.1)
    assert tr.learning_rate == 0.5 and tr.pending != {}
    assert tr.update().learning_rate == 0.5
    tr.forward()
    assert tr.learning_rate == 0.1 and tr.pending == {}
    assert tr.step().learning_rate == 0.1


def test_set_weights_mid_iteration_is_a_phase_error():
    tr = binary_trainer()
    tr.forward()
    before = snapshot(tr)
    with pytest.raises(sn.PhaseError, match="between iterations"):
        tr.set_weights(tr.model.get_weights())
    assert_same_state(before, snapshot(tr))


def test_status_line_has_the_live_numbers():
    tr = binary_trainer(n=20, batch_size=6)
    assert tr.status() == ("epoch 1 | iteration 0/4 | global iteration 0 | samples seen 0 | "
                           "next: forward")
    tr.step()
    tr.forward()
    tr.loss()
    text = tr.status()
    assert text.startswith("epoch 1 | iteration 1/4 | global iteration 1 | samples seen 6 | loss ")
    assert f"{tr.last_loss.value:.4f}" in text and text.endswith("next: backward")


def test_trainer_repr_is_readable():
    text = repr(binary_trainer())
    for part in ("[2, 4, 1]", "binary_crossentropy", "SGD(", "batch_size=6", "mini-batch", "N=20"):
        assert part in text


def test_set_optimizer_by_name_keeps_the_learning_rate_and_starts_fresh_moments():
    tr = binary_trainer(optimizer="adam", learning_rate=0.05)
    tr.step()
    assert tr.optimizer_state["t"] == 1
    tr.set_optimizer("rmsprop")
    assert isinstance(tr.optimizer, sn.RMSprop) and tr.learning_rate == 0.05
    assert tr.optimizer_state == {}
    tr.set_optimizer(sn.SGD(learning_rate=0.2, momentum=0.9))
    assert tr.learning_rate == 0.2 and tr.optimizer.momentum == 0.9
    tr.set_optimizer("adam", learning_rate=0.001, amsgrad=True)
    assert tr.learning_rate == 0.001 and tr.optimizer.amsgrad
    tr.step()
    assert tr.optimizer_state["t"] == 1


def test_set_loss_reshapes_the_labels_for_the_new_loss():
    tr = binary_trainer()
    tr.set_loss("mse")
    assert tr.loss_fn.name == "mean_squared_error" and tr.y.shape == (20, 1)
    f = tr.forward()
    rec = tr.loss()
    assert rec.value == pytest.approx(np.mean((f.a[-1] - tr.y[f.indices]) ** 2), rel=1e-14)


def test_evaluate_is_the_loss_on_all_training_data():
    tr = binary_trainer()
    tr.step()
    p = tr.model.predict(tr.X)[:, 0]
    y = tr.y[:, 0]
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert tr.evaluate() == pytest.approx(expected, rel=1e-14)
    X2, y2 = tr.X[:5], y[:5].astype(int)
    assert tr.evaluate(X2, y2) == pytest.approx(
        -np.mean(y2 * np.log(p[:5]) + (1 - y2) * np.log(1 - p[:5])), rel=1e-14)
