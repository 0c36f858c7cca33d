"""Numerics: no overflow at |z| = 1e4, exact saturation values, finite losses and gradients,
float64 everywhere, and no RuntimeWarning on the way."""
import warnings

import numpy as np
import pytest

import stepnn as sn
from stepnn import activations, losses
from stepnn.backprop import backward_pass

BIG = 1e4


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_sigmoid_saturates_exactly_without_overflow():
    z = np.array([-BIG, -800.0, -40.0, 0.0, 40.0, 800.0, BIG])
    a = activations.sigmoid(z)
    assert a[0] == 0.0 and a[1] == 0.0 and a[-1] == 1.0 and a[-2] == 1.0 and a[3] == 0.5
    assert 0.0 < a[2] < 1e-17 and a[4] == 1.0
    assert np.all(np.isfinite(a))


def test_softmax_saturates_exactly_without_overflow():
    a = activations.softmax(np.array([[BIG, -BIG, 0.0], [BIG, BIG, -BIG], [-BIG, -BIG, -BIG]]))
    np.testing.assert_array_equal(a, [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]])


def test_tanh_and_relu_family_at_big_inputs():
    z = np.array([-BIG, BIG])
    np.testing.assert_array_equal(activations.get("tanh").forward(z), [-1.0, 1.0])
    np.testing.assert_array_equal(activations.get("leaky_relu").forward(z), [-0.2 * BIG, BIG])


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softmax"])
def test_saturated_derivatives_are_finite(name):
    z = np.array([[-BIG, BIG, 0.0]])
    act = activations.get(name)
    g = act.backward(z, act.forward(z), np.ones_like(z))
    assert np.all(np.isfinite(g))


def _saturated(out, loss_name):
    """One sample per row with z = +-1e4 at the output, right and wrong answers."""
    if out == "sigmoid":
        z = np.array([[BIG], [-BIG], [BIG], [-BIG]])
        y = np.array([[1.0], [0.0], [0.0], [1.0]])
    else:
        z = np.array([[BIG, -BIG, 0.0], [-BIG, BIG, 0.0], [0.0, 0.0, BIG]])
        y = np.eye(3)[[0, 0, 2]]
        if loss_name == "sparse_categorical_crossentropy":
            y = y.argmax(axis=1)
    return z, y


@pytest.mark.parametrize("out, loss_name", [("sigmoid", "binary_crossentropy"),
                                            ("softmax", "categorical_crossentropy"),
                                            ("softmax", "sparse_categorical_crossentropy"),
                                            ("softmax", "cee"), ("sigmoid", "mean_squared_error")])
@pytest.mark.parametrize("fused", [True, False])
def test_losses_and_gradients_are_finite_at_saturation(out, loss_name, fused):
    z, y = _saturated(out, loss_name)
    k = z.shape[1]
    # a one-layer model with an identity kernel puts exactly these z at the output
    model = sn.Sequential([sn.Dense(k, k, out, weights=(np.eye(k), np.zeros(k)))])
    loss = losses.get(loss_name)
    y = loss.check_labels(y, k)
    fwd = model.forward(z)
    value = loss(y, fwd.a[-1])
    assert np.isfinite(value)
    if loss_name != "mean_squared_error":
        assert value <= -np.log(1e-7) + 1e-9  # a wrong certain answer costs at most -log(1e-7)
    rec = backward_pass(model.layers, fwd, y, loss, fused=fused)
    for g in rec.dz + rec.da + rec.dW + rec.db:
        assert np.all(np.isfinite(g))


@pytest.mark.parametrize("name", ["binary_crossentropy", "categorical_crossentropy",
                                  "sparse_categorical_crossentropy"])
def test_from_logits_is_finite_and_exact_at_big_logits(name):
    out = "sigmoid" if name == "binary_crossentropy" else "softmax"
    z, y = _saturated(out, name)
    loss = losses.get(name, from_logits=True)
    per = loss.per_sample(y, z)
    grad = loss.gradient(y, z)
    assert np.all(np.isfinite(per)) and np.all(np.isfinite(grad))
    if out == "sigmoid":
        np.testing.assert_allclose(per, [0.0, 0.0, BIG, BIG], atol=1e-12)
    else:
        np.testing.assert_allclose(per, [0.0, 2 * BIG, 0.0], rtol=1e-15, atol=1e-12)


def test_a_trainer_step_at_saturation_is_finite():
    X = np.array([[BIG, -BIG], [-BIG, BIG], [BIG, BIG]])
    y = np.array([0, 1, 1])
    model = sn.Sequential([sn.Dense(2, 3, "relu"), sn.Dense(3, 1, "sigmoid")], seed=0)
    tr = sn.Trainer(model, X, y, loss="binary_crossentropy", batch_size=3)
    tr.step()
    assert np.isfinite(tr.history.losses[0]) and np.isfinite(tr.history.grad_norms[0])
    assert np.all(np.isfinite(tr.model.get_flat()))
    assert not tr.diverged


def test_float64_everywhere():
    X = np.array([[0, 1], [1, 0], [2, 2], [1, 1]], dtype=np.int32)
    y = np.array([0, 1, 1, 0], dtype=np.int8)
    model = sn.Sequential([sn.Dense(2, 3, "relu"), sn.Dense(3, 1, "sigmoid")], seed=0)
    tr = sn.Trainer(model, X, y, loss="binary_crossentropy", batch_size=2)
    assert tr.X.dtype == np.float64 and tr.y.dtype == np.float64
    f, lo, b, u = tr.forward(), tr.loss(), tr.backward(), tr.update()
    arrays = [f.x, *f.z, *f.a, lo.per_sample, *b.dz, *b.da, *b.dW, *b.db, *u.old, *u.new, *u.delta,
              *model.get_weights(), tr.history.losses, tr.history.weights,
              model.predict(X.astype(np.float32))]
    assert all(a.dtype == np.float64 for a in arrays), [a.dtype for a in arrays]
    assert isinstance(lo.value, float) and isinstance(b.grad_norm, float)


def test_sparse_labels_are_integers():
    X = np.zeros((3, 2))
    tr = sn.Trainer(sn.Sequential([sn.Dense(2, 3, "softmax")]), X, [0.0, 2.0, 1.0],
                    loss="sparse_categorical_crossentropy")
    assert tr.y.dtype == np.int64 and tr.y.tolist() == [0, 2, 1]
