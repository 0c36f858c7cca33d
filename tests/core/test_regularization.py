"""Regularisation in training, Keras semantics: the loss phase reports data loss + penalty, the
backward phase's dW includes the penalty's gradient, the update follows, the epoch and validation
losses and evaluate include the penalty; a regularizer change is a setting like any other."""
import numpy as np
import pytest

import stepnn as sn
from stepnn import regularizers as reg

from .helpers import assert_gradients_close, binary_problem, central_difference


def _trainer(kernel_regularizer=None, **kwargs):
    X, y = binary_problem(20)
    model = sn.Sequential([sn.Dense(2, 4, "tanh", kernel_regularizer=kernel_regularizer),
                           sn.Dense(4, 1, "sigmoid", kernel_regularizer=kernel_regularizer)], seed=1)
    options = dict(loss="binary_crossentropy", optimizer="sgd", learning_rate=0.3, batch_size=6,
                   seed=0)
    options.update(kwargs)
    return sn.Trainer(model, X, y, **options)


def _keras_penalty(weights, l1=0.0, l2=0.0):
    """Keras' formulas, written out: sum over kernels of l1 * sum|W| + l2 * sum W^2."""
    kernels = weights[0::2]
    return sum(l1 * np.sum(np.abs(W)) + l2 * np.sum(W * W) for W in kernels)


def _data_loss(tr, W_list, idx):
    """Mean binary cross-entropy of the batch idx at weights W_list, by hand (Keras' clipping)."""
    a = tr.X[idx]
    for i, layer in enumerate(tr.model.layers):
        a = layer.activation.forward(a @ W_list[2 * i] + W_list[2 * i + 1])
    p = np.clip(a, 1e-7, 1 - 1e-7)
    y = tr.y[idx]
    return float(np.mean(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)), axis=-1)))


@pytest.mark.parametrize("which, l1, l2", [("l1", 0.01, 0.0), ("l2", 0.0, 0.01),
                                           ("l1_l2", 0.01, 0.01),
                                           (reg.L1L2(0.05, 0.2), 0.05, 0.2)])
def test_the_loss_record_is_data_loss_plus_keras_penalty(which, l1, l2):
    tr = _trainer(which)
    fwd = tr.forward()
    rec = tr.loss()
    weights = tr.model.get_weights()
    expected_penalty = _keras_penalty(weights, l1, l2)
    assert rec.penalty == pytest.approx(expected_penalty, rel=1e-13)
    assert rec.data_loss == pytest.approx(_data_loss(tr, weights, fwd.indices), rel=1e-12)
    assert rec.value == rec.data_loss + rec.penalty
    assert float(rec) == rec.value
    assert f"(data {rec.data_loss:.6g} + penalty {rec.penalty:.6g})" in repr(rec)


def test_without_regularizer_the_loss_is_the_data_loss():
    tr = _trainer(None)
    tr.forward()
    rec = tr.loss()
    assert rec.penalty == 0.0 and rec.value == rec.data_loss
    assert "penalty" not in repr(rec)


@pytest.mark.parametrize("which", ["l1", "l2", reg.L1L2(0.05, 0.2)])
def test_backward_dW_is_the_gradient_of_the_reported_loss(which):
    tr = _trainer(which)
    fwd = tr.forward()
    tr.loss()
    back = tr.backward()
    weights = [w.copy() for w in tr.model.get_weights()]
    reg_obj = reg.get(which)
    l1 = getattr(reg_obj, "l1", 0.0)
    l2 = getattr(reg_obj, "l2", 0.0)

    def reported():
        return _data_loss(tr, weights, fwd.indices) + _keras_penalty(weights, l1, l2)

    for i in range(len(tr.model.layers)):
        assert_gradients_close(back.dW[i], central_difference(reported, weights[2 * i]), f"dW{i + 1}")
        assert_gradients_close(back.db[i], central_difference(reported, weights[2 * i + 1]),
                               f"db{i + 1}")


def test_l1_gradient_at_exactly_zero_is_zero():
    tr = _trainer(reg.L1(0.5))
    weights = tr.model.get_weights()
    weights[0] = weights[0].copy()
    weights[0][0, :] = 0.0
    tr.set_weights(weights)
    tr.forward(), tr.loss()
    back = tr.backward()
    np.testing.assert_array_equal(back.penalty_dW[0][0], 0.0)
    np.testing.assert_array_equal(back.penalty_dW[0][1], 0.5 * np.sign(weights[0][1]))


def test_the_update_follows_the_regularized_gradient():
    plain, regd = _trainer(None), _trainer("l2")
    for tr in (plain, regd):
        tr.forward(), tr.loss()
    b_plain, b_reg = plain.backward(), regd.backward()
    u = regd.update()
    for i, W in enumerate(u.old[0::2]):
        np.testing.assert_allclose(b_reg.dW[i], b_plain.dW[i] + 2 * 0.01 * W, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(u.new[2 * i], W - 0.3 * b_reg.dW[i], rtol=1e-14, atol=1e-16)


def test_epoch_loss_validation_loss_and_evaluate_include_the_penalty():
    tr = _trainer("l2", validation_split=0.25, batch_size=5)
    batch_losses = []
    while tr.epoch == 0:
        tr.forward()
        batch_losses.append(tr.loss().value)
        tr.backward(), tr.update()
    entry = tr.history.epochs[0]
    assert entry.loss == pytest.approx(np.mean(batch_losses), rel=1e-12)  # equal batches of 5
    pen = _keras_penalty(tr.model.get_weights(), l2=0.01)
    pred = tr.model.predict(tr.X_val)
    data_val = float(np.mean(tr.loss_fn.per_sample(tr.y_val, pred)))
    assert entry.val_loss == pytest.approx(data_val + pen, rel=1e-12)
    data_train = float(np.mean(tr.loss_fn.per_sample(tr.y, tr.model.predict(tr.X))))
    assert tr.evaluate() == pytest.approx(data_train + pen, rel=1e-12)
    assert tr.penalty == pytest.approx(pen, rel=1e-13)


def test_gradcheck_agrees_with_a_regularized_model():
    tr = _trainer(reg.L1L2(0.03, 0.05))
    report = sn.gradcheck(tr.model, tr.X, tr.y, "binary_crossentropy")
    assert report.ok, report
    # and the checked loss is the training loss: its gradient differs from the data loss' one
    plain = sn.Sequential([sn.Dense(2, 4, "tanh"), sn.Dense(4, 1, "sigmoid")], seed=1)
    other = sn.gradcheck(plain, tr.X, tr.y, "binary_crossentropy")
    assert not np.allclose(report.analytic[0], other.analytic[0])


def test_the_surface_is_the_loss_being_descended():
    tr = _trainer("l1_l2")
    w = tr.model.get_flat()
    points = w + np.random.default_rng(0).normal(scale=0.3, size=(5, w.size))
    got = sn.surface.batch_losses(tr.model, tr.X, tr.y, tr.loss_fn, points)
    for p, value in zip(points, got):
        W = tr.model.unflatten(p)
        expected = _data_loss(tr, W, np.arange(len(tr.X))) + _keras_penalty(W, 0.01, 0.01)
        assert value == pytest.approx(expected, rel=1e-12)
    plane = sn.surface.random_plane(tr.model, seed=1)
    alphas, betas = np.linspace(-1, 1, 3), np.linspace(-1, 1, 4)
    grid = sn.surface.loss_grid(tr.model, tr.X, tr.y, tr.loss_fn, plane.center, plane.d1, plane.d2,
                                alphas, betas)
    at = np.array([[plane.point(a, b) for a in alphas] for b in betas]).reshape(-1, w.size)
    np.testing.assert_allclose(grid.ravel(), sn.surface.batch_losses(tr.model, tr.X, tr.y,
                                                                     tr.loss_fn, at), rtol=1e-12)


def test_a_regularizer_change_is_a_setting_with_the_pending_rule():
    tr = _trainer(None)
    tr.forward()
    tr.kernel_regularizer = "l2"  # mid-iteration: waits for the next forward
    assert tr.kernel_regularizer is None and tr.model.layers[0].kernel_regularizer is None
    assert tr.next_settings["regularizers"] == (reg.L2(0.01), reg.L2(0.01))
    tr.set_regularizer(reg.L1(0.1), layer=-1)  # joins the waiting change
    assert tr.next_settings["regularizers"] == (reg.L2(0.01), reg.L1(0.1))
    assert tr.loss().penalty == 0.0
    tr.backward(), tr.update()
    tr.forward()
    assert tr.kernel_regularizer == (reg.L2(0.01), reg.L1(0.1))
    assert [layer.kernel_regularizer for layer in tr.model.layers] == [reg.L2(0.01), reg.L1(0.1)]
    event = tr.history.events[-1]
    assert event.what == "regularizer" and event.old == (None, None)
    assert event.new == (reg.L2(0.01), reg.L1(0.1)) and event.global_iteration == 1
    assert tr.loss().penalty > 0
    tr.goto(1)  # before the forward that applied the change: waiting again, layers included
    assert tr.kernel_regularizer is None and tr.model.layers[1].kernel_regularizer is None
    assert tr.next_settings["regularizers"] == (reg.L2(0.01), reg.L1(0.1))
    assert tr.redo() == "forward"
    assert tr.model.layers[1].kernel_regularizer == reg.L1(0.1)


@pytest.mark.parametrize("value, layer, error, match", [
    ("l3", None, ValueError, "regularizer"),
    ("l2", 2, ValueError, "layer must be a layer index from 0 to 1"),
    ("l2", True, ValueError, "layer must be"),
    (reg.L2, None, ValueError, "regularizer"),
])
def test_bad_regularizer_changes_raise_and_change_nothing(value, layer, error, match):
    tr = _trainer(None)
    tr.step()
    before = (len(tr.history.events), tr.pending, tr.global_iteration)
    with pytest.raises(error, match=match):
        tr.set_regularizer(value, layer=layer)
    assert (len(tr.history.events), tr.pending, tr.global_iteration) == before
    assert tr.undo() == "update"
    assert tr.kernel_regularizer is None
