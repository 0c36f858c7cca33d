"""Regularizers: Keras' penalties and names, gradients by central differences, the model helpers."""
import math

import numpy as np
import pytest

import stepnn as sn
from core.helpers import assert_gradients_close, central_difference
from stepnn import regularizers as reg
from stepnn.backprop import backward_pass
from stepnn.losses import compute_loss

W_SMALL = np.array([[1.0, -2.0, 0.0], [0.5, 3.0, -0.25]])  # sum|W| = 6.75, sum W^2 = 14.3125


def _kernel(seed=0, shape=(3, 4)):
    """A random kernel whose entries stay farther than the FD step from 0 (where |W| has a kink)."""
    W = np.random.default_rng(seed).normal(size=shape)
    return np.where(np.abs(W) < 1e-3, 0.5, W)


# --- the penalty, as Keras computes it ------------------------------------------------------

@pytest.mark.parametrize("regularizer, expected", [
    (reg.L1(0.01), 0.01 * 6.75),
    (reg.L2(0.01), 0.01 * 14.3125),
    (reg.L1L2(l1=0.02, l2=0.3), 0.02 * 6.75 + 0.3 * 14.3125),
    (reg.L1L2(l2=0.3), 0.3 * 14.3125),
    (reg.L1L2(), 0.0),
], ids=repr)
def test_penalty_is_lambda_times_sum(regularizer, expected):
    assert regularizer.penalty(W_SMALL) == pytest.approx(expected, rel=1e-15)
    assert regularizer(W_SMALL) == regularizer.penalty(W_SMALL)  # called like Keras' regularizer
    assert isinstance(regularizer.penalty(W_SMALL), float)


def test_keras_docstring_examples():
    # keras.regularizers: L2(2.) on ones((5, 5)) is 50.0; L1(0.01) on a ones kernel (5, 5) is 0.25
    assert reg.L2(2.0).penalty(np.ones((5, 5))) == 50.0
    assert reg.L1(0.01).penalty(np.ones((5, 5))) == pytest.approx(0.25, rel=1e-15)


def test_penalty_matches_the_formula_written_out():
    W = _kernel(3, (4, 5))
    l1, l2 = 0.013, 0.07
    by_hand = sum(l1 * abs(w) + l2 * w * w for w in W.ravel().tolist())
    assert reg.L1L2(l1, l2).penalty(W) == pytest.approx(by_hand, rel=1e-12)


# --- the gradient, side by side -------------------------------------------------------------

@pytest.mark.parametrize("regularizer", [reg.L1(0.01), reg.L2(0.01), reg.L1L2(0.05, 0.2),
                                         reg.L1L2(l1=0.3)], ids=repr)
@pytest.mark.parametrize("seed", [0, 1])
def test_gradient_matches_central_differences(regularizer, seed):
    W = _kernel(seed)
    numeric = central_difference(lambda: regularizer.penalty(W), W)
    grad = regularizer.gradient(W)
    assert grad.shape == W.shape and grad.dtype == np.float64
    assert_gradients_close(grad, numeric, repr(regularizer))


def test_gradient_formulas():
    np.testing.assert_array_equal(reg.L1(0.5).gradient(W_SMALL), 0.5 * np.sign(W_SMALL))
    np.testing.assert_array_equal(reg.L2(0.5).gradient(W_SMALL), W_SMALL)  # 2 * 0.5 * W


def test_l1_gradient_at_exactly_zero_is_zero():
    W = np.array([[0.0, -0.0, 2.0]])
    np.testing.assert_array_equal(reg.L1(0.1).gradient(W), [[0.0, 0.0, 0.1]])
    np.testing.assert_array_equal(reg.L1L2(0.1, 0.1).gradient(W), [[0.0, 0.0, 0.1 + 0.4]])


def test_a_zero_factor_gives_nothing():
    W = _kernel()
    for r in (reg.L1(0.0), reg.L2(0.0), reg.L1L2(0.0, 0.0)):
        assert r.penalty(W) == 0.0
        np.testing.assert_array_equal(r.gradient(W), np.zeros_like(W))


def test_the_kernel_is_not_changed():
    W = _kernel()
    keep = W.copy()
    r = reg.L1L2(0.1, 0.1)
    r.penalty(W)
    r.gradient(W)[...] = 7.0
    np.testing.assert_array_equal(W, keep)


# --- names, defaults, bad factors ------------------------------------------------------------

def test_strings_mean_keras_defaults():
    assert reg.get("l1") == reg.L1(0.01)
    assert reg.get("l2") == reg.L2(0.01)
    assert reg.get("l1_l2") == reg.L1L2(l1=0.01, l2=0.01)
    assert reg.get(" L2 ") == reg.L2(0.01)
    assert reg.get(None) is None
    r = reg.L2(0.5)
    assert reg.get(r) is r


def test_class_defaults_as_keras():
    assert (reg.L1().l1, reg.L2().l2) == (0.01, 0.01)
    assert (reg.L1L2().l1, reg.L1L2().l2) == (0.0, 0.0)
    assert reg.L1(None).l1 == 0.01 and reg.L1L2(None, None).get_config() == {"l1": 0.0, "l2": 0.0}


@pytest.mark.parametrize("bad", ["l3", "L1L2x", 0.01, ["l1"], {"class_name": "L9", "config": {}}])
def test_unknown_identifier(bad):
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier") as info:
        reg.get(bad)
    assert "l1, l1_l2, l2" in str(info.value)


@pytest.mark.parametrize("make, bad", [(reg.L1, -0.1), (reg.L2, math.nan), (reg.L2, math.inf),
                                       (reg.L1, True), (reg.L2, "0.1"), (reg.L1, [0.1])])
def test_bad_factor(make, bad):
    field = make._fields[0]
    with pytest.raises(ValueError, match=rf"{make.__name__} {field} must be a finite number >= 0") as info:
        make(bad)
    assert repr(bad) in str(info.value)
    with pytest.raises(ValueError, match=rf"L1L2 {field} must be"):
        reg.L1L2(**{field: bad})


def test_numpy_numbers_are_accepted():
    assert reg.L2(np.float32(0.5)).l2 == 0.5 and reg.L1(np.int64(1)).l1 == 1.0


def test_config_round_trip_and_repr():
    for r in (reg.L1(0.003), reg.L2(0.1), reg.L1L2(0.01, 0.02)):
        assert reg.get(reg.serialize(r)) == r
        assert type(r)(**r.get_config()) == r
        assert eval(repr(r), vars(reg)) == r  # the repr is the constructor call
    assert reg.serialize(None) is None
    assert repr(reg.L1L2(0.01, 0.02)) == "L1L2(l1=0.01, l2=0.02)"
    assert reg.L1L2(0.01, 0.02).formula == "0.01 * sum(|W|) + 0.02 * sum(W^2)"
    assert reg.L1(0.5) != reg.L1L2(l1=0.5) and len({reg.L2(0.1), reg.L2(0.1)}) == 1
    with pytest.raises(ValueError, match="L2 takes the factors l2; received also l1"):
        reg.get({"class_name": "L2", "config": {"l1": 0.1}})


# --- on a Dense layer and a model ------------------------------------------------------------

def test_dense_takes_a_kernel_regularizer():
    assert sn.Dense(2, 3).kernel_regularizer is None
    layer = sn.Dense(2, 3, activation="relu", kernel_regularizer="l2")
    assert layer.kernel_regularizer == reg.L2(0.01)
    assert repr(layer).endswith("kernel_regularizer=L2(l2=0.01))")
    r = reg.L1(0.2)
    assert sn.Dense(2, 3, kernel_regularizer=r).kernel_regularizer is r
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: 'l2_l1'"):
        sn.Dense(2, 3, kernel_regularizer="l2_l1")


def _model(seed=0):
    return sn.Sequential([sn.Dense(2, 4, "tanh", kernel_regularizer=reg.L1L2(0.01, 0.02)),
                          sn.Dense(4, 3, "relu"),
                          sn.Dense(3, 1, "sigmoid", kernel_regularizer=reg.L2(0.1))], seed=seed)


def test_total_penalty_sums_the_kernels_only():
    model = _model()
    first, _, last = model.layers
    expected = (0.01 * np.abs(first.W).sum() + 0.02 * (first.W ** 2).sum()
                + 0.1 * (last.W ** 2).sum())
    assert reg.total_penalty(model.layers) == pytest.approx(expected, rel=1e-14)
    last.b = last.b + 5.0  # the bias is never penalised
    assert reg.total_penalty(model.layers) == pytest.approx(expected, rel=1e-14)
    assert reg.total_penalty(sn.Sequential([sn.Dense(2, 1)]).layers) == 0.0


def test_kernel_gradients_match_central_differences():
    model = _model(seed=2)
    grads = reg.kernel_gradients(model.layers)
    assert [g.shape for g in grads] == [layer.W.shape for layer in model.layers]
    np.testing.assert_array_equal(grads[1], np.zeros((4, 3)))
    for layer, grad in zip(model.layers, grads):
        numeric = central_difference(lambda: reg.total_penalty(model.layers), layer.W)
        assert_gradients_close(grad, numeric, layer.label)


@pytest.mark.parametrize("fused", [True, False])
def test_backward_pass_gives_the_training_loss_gradient(fused):
    # L = mean data loss + total penalty; backprop's dW includes the penalty's gradient, db not
    model = _model(seed=3)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(7, 2)), rng.integers(0, 2, size=(7, 1)).astype(np.float64)
    loss = sn.losses.get("binary_crossentropy")

    def training_loss():
        return compute_loss(loss, y, model.forward(X), reg.total_penalty(model.layers)).value

    rec = backward_pass(model.layers, model.forward(X), y, loss, fused=fused)
    for layer, dW, db, g, part in zip(model.layers, rec.dW, rec.db, reg.kernel_gradients(model.layers),
                                      rec.penalty_dW):
        assert_gradients_close(dW, central_difference(training_loss, layer.W), layer.label)
        assert_gradients_close(db, central_difference(training_loss, layer.b), layer.label)
        if layer.kernel_regularizer is None:
            assert part is None
        else:
            np.testing.assert_array_equal(part, g)
    assert "includes the penalty" in repr(rec)
    plain = sn.Sequential([sn.Dense(2, 1)])
    assert backward_pass(plain.layers, plain.forward(X), y[:, 0], "mse").penalty_dW is None


def test_flat_penalties_of_many_weight_vectors():
    model = _model(seed=4)
    rng = np.random.default_rng(1)
    points = model.get_flat() + rng.normal(size=(6, model.n_params))
    expected = []
    for p in points:
        model.set_flat(p)
        expected.append(reg.total_penalty(model.layers))
    np.testing.assert_allclose(reg.flat_penalties(model.layers, points), expected, rtol=1e-13)
    assert reg.flat_penalties(model.layers, points[0]).shape == (1,)
    assert reg.L2(0.5).penalties(np.ones((3, 4))).tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(ValueError, match=rf"weights must have shape \(G, {model.n_params}\)"):
        reg.flat_penalties(model.layers, points[:, 1:])


def test_repr_keeps_every_digit():
    r = reg.L1L2(l1=0.0123456789012345, l2=1e-12)
    assert eval(repr(r), vars(reg)) == r
