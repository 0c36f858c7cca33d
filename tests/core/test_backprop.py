"""Backpropagation: every gradient of the batch loss (dL/dW, dL/db, and dL/da, dL/dz per layer)
against central finite differences, for every hidden activation and every output activation x
loss pair; and the fused output gradient (a - y) / N against the chain rule taken apart."""
import numpy as np
import pytest

import stepnn as sn
from stepnn import losses
from stepnn.backprop import backward_pass
from stepnn.losses import compute_loss
from stepnn.model import forward_pass

from .helpers import assert_gradients_close, central_difference, labels_for, loss_through

HIDDEN = ("linear", "relu", "leaky_relu", "sigmoid", "tanh", "softmax")
# (output activation, loss, from_logits, fewest output units that make sense)
PAIRS = [(out, "mean_squared_error", False, 1) for out in HIDDEN] + \
        [(out, "mean_absolute_error", False, 1) for out in HIDDEN] + [
    ("sigmoid", "binary_crossentropy", False, 1),
    ("softmax", "binary_crossentropy", False, 2),
    ("linear", "binary_crossentropy", True, 1),
    ("tanh", "binary_crossentropy", True, 1),
    ("softmax", "categorical_crossentropy", False, 2),
    ("sigmoid", "categorical_crossentropy", False, 2),
    ("linear", "categorical_crossentropy", True, 2),
    ("softmax", "sparse_categorical_crossentropy", False, 2),
    ("sigmoid", "sparse_categorical_crossentropy", False, 2),
    ("linear", "sparse_categorical_crossentropy", True, 2),
    ("softmax", "cee", False, 2),
    ("sigmoid", "cee", False, 2),
    ("linear", "cee", True, 2),
]
KINK = 1e-4  # relu/leaky_relu at z = 0 and mae at p = y have no derivative; stay this far away


def _problem(hidden, out, loss_name, from_logits, min_k, seed):
    """A random network 1-2 hidden layers deep with random widths, data and labels, drawn again
    until no z of a relu-like unit and no mae residual sits within KINK of its kink."""
    for attempt in range(50):
        rng = np.random.default_rng(1000 * seed + attempt)
        depth = int(rng.integers(1, 3))
        sizes = [int(rng.integers(1, 5))] + [int(rng.integers(1, 6)) for _ in range(depth)] + \
                [int(rng.integers(min_k, min_k + 3))]
        acts = [hidden] * depth + [out]
        model = sn.Sequential([sn.Dense(a, b, activation=f) for a, b, f in
                               zip(sizes, sizes[1:], acts)], seed=int(rng.integers(1000)))
        n = int(rng.integers(1, 7))
        X = rng.normal(size=(n, sizes[0]))
        y = labels_for(loss_name, rng, n, sizes[-1])
        fwd = model.forward(X)
        kinks = [z for z, f in zip(fwd.z, acts) if f in ("relu", "leaky_relu")]
        if loss_name == "mean_absolute_error":
            kinks.append(fwd.a[-1] - y)
        if all(np.all(np.abs(k) > KINK) for k in kinks):
            return model, X, y, losses.get(loss_name, from_logits=from_logits)
    raise AssertionError("no problem away from the kinks was found")


def _ids(pair):
    out, loss, logits, _ = pair
    return f"{out}-{loss}" + ("-logits" if logits else "")


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("pair", PAIRS, ids=_ids)
@pytest.mark.parametrize("fused", [True, False], ids=["fused", "chain"])
def test_every_gradient_against_finite_differences(hidden, pair, fused):
    out, loss_name, from_logits, min_k = pair
    seed = HIDDEN.index(hidden) * 100 + PAIRS.index(pair)
    model, X, y, loss = _problem(hidden, out, loss_name, from_logits, min_k, seed)
    y = loss.check_labels(y, model.sizes[-1])
    layers = model.layers
    fwd = forward_pass(layers, X, None)
    rec = backward_pass(layers, fwd, y, loss, fused=fused)

    def batch_loss():
        return float(np.mean(loss.per_sample(y, forward_pass(layers, X, None).a[-1])))

    for i, layer in enumerate(layers, 1):  # weights and biases, perturbed in place
        assert_gradients_close(rec.dW[i - 1], central_difference(batch_loss, layer.W), f"dL/dW{i}")
        assert_gradients_close(rec.db[i - 1], central_difference(batch_loss, layer.b), f"dL/db{i}")
    for i in range(len(layers)):  # every layer's z and a, perturbed in a copy
        for kind, analytic, values in (("z", rec.dz, fwd.z), ("a", rec.da, fwd.a)):
            v = values[i].copy()
            numeric = central_difference(lambda: loss_through(layers, loss, y, i, v, kind), v)
            assert_gradients_close(analytic[i], numeric, f"dL/d{kind}{i + 1}")


@pytest.mark.parametrize("hidden", ["relu", "tanh"])
def test_backward_record_shapes_and_the_chain_rule_formulas(hidden):
    model = sn.Sequential([sn.Dense(3, 5, hidden), sn.Dense(5, 4, hidden),
                           sn.Dense(4, 2, "softmax")], seed=1)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 2, size=6)
    fwd = model.forward(X)
    rec = backward_pass(model.layers, fwd, y, losses.sparse_categorical_crossentropy)
    for i, layer in enumerate(model.layers):
        assert rec.dW[i].shape == layer.W.shape and rec.db[i].shape == layer.b.shape
        assert rec.dz[i].shape == fwd.z[i].shape and rec.da[i].shape == fwd.a[i].shape
        a_prev = X if i == 0 else fwd.a[i - 1]
        np.testing.assert_allclose(rec.dW[i], a_prev.T @ rec.dz[i], rtol=1e-14)
        np.testing.assert_allclose(rec.db[i], rec.dz[i].sum(axis=0), rtol=1e-14)
        if i > 0:
            np.testing.assert_allclose(rec.da[i - 1], rec.dz[i] @ layer.W.T, rtol=1e-14)
    flat = np.concatenate([g.ravel() for g in rec.grads])
    assert rec.grad_norm == pytest.approx(float(np.sqrt(np.sum(flat ** 2))), rel=1e-14)
    assert [g.shape for g in rec.grads] == [w.shape for w in model.get_weights()]


def test_compute_loss_record_matches_the_loss_function():
    model = sn.Sequential([sn.Dense(2, 3, "tanh"), sn.Dense(3, 1, "sigmoid")], seed=2)
    X, y = np.array([[0.5, -1.0], [2.0, 0.1], [-0.3, 0.3]]), np.array([[1.0], [0.0], [1.0]])
    fwd = model.forward(X)
    rec = compute_loss(losses.binary_crossentropy, y, fwd)
    p = fwd.a[-1][:, 0]
    per = -(y[:, 0] * np.log(p) + (1 - y[:, 0]) * np.log(1 - p))
    np.testing.assert_allclose(rec.per_sample, per, rtol=1e-14)
    assert float(rec) == rec.value == pytest.approx(per.mean(), rel=1e-14)


# --- the fused output gradient ----------------------------------------------------------------

FUSED = [("sigmoid", "binary_crossentropy"), ("softmax", "categorical_crossentropy"),
         ("softmax", "sparse_categorical_crossentropy"), ("softmax", "cee")]


def _saturating_problem(out, loss_name, scale):
    """Output z of about +-scale: at scale 30 some outputs are exactly 0 or 1 (clipped), some not."""
    rng = np.random.default_rng(7)
    k = 1 if out == "sigmoid" else 3
    n = 8
    W2 = rng.normal(size=(4, k)) * scale
    model = sn.Sequential([sn.Dense(2, 4, "tanh"), sn.Dense(4, k, out, weights=(W2, np.zeros(k)))],
                          seed=3)
    X = rng.normal(size=(n, 2))
    y = losses.get(loss_name).check_labels(labels_for(loss_name, rng, n, k), k)
    return model, X, y, losses.get(loss_name)


@pytest.mark.parametrize("out, loss_name", FUSED)
@pytest.mark.parametrize("scale", [0.5, 30.0, 1e4])
def test_fused_gradient_equals_the_chain_taken_apart(out, loss_name, scale):
    model, X, y, loss = _saturating_problem(out, loss_name, scale)
    fwd = model.forward(X)
    fused = backward_pass(model.layers, fwd, y, loss, fused=True)
    chain = backward_pass(model.layers, fwd, y, loss, fused=False)
    assert fused.fused and not chain.fused
    for name in ("dz", "da", "dW", "db"):
        for f, c in zip(getattr(fused, name), getattr(chain, name)):
            assert np.all(np.isfinite(f))
            np.testing.assert_allclose(f, c, rtol=1e-10, atol=1e-15, err_msg=name)
    if scale > 1:  # the extremes were reached: some outputs are clipped
        a = fwd.a[-1]
        assert np.any((a <= 1e-7) | (a >= 1 - 1e-7))


@pytest.mark.parametrize("out, loss_name", FUSED)
def test_fused_gradient_is_a_minus_y_over_n_where_not_clipped(out, loss_name):
    model, X, y, loss = _saturating_problem(out, loss_name, 30.0)
    fwd = model.forward(X)
    a = fwd.a[-1]
    onehot = np.eye(a.shape[1])[y] if y.ndim == 1 else y
    n, k = a.shape
    per_output = n * k if out == "sigmoid" else n  # bce averages over the k outputs too
    expected = (a - onehot) / per_output
    # a row whose true-class probability was clipped is flat: its gradient is 0
    clipped = (a <= 1e-7) | (a >= 1 - 1e-7)
    flat = clipped if out == "sigmoid" else np.any(clipped & (onehot > 0), axis=1, keepdims=True)
    expected = np.where(flat, 0.0, expected)
    np.testing.assert_allclose(loss.fused_gradient(y, a), expected, rtol=1e-12, atol=1e-18)
    assert np.any(flat) and not np.all(flat)


def test_fused_rule_is_used_only_for_its_partner_activation():
    X, y = np.zeros((2, 2)), np.array([[1.0], [0.0]])
    for out, expected in (("sigmoid", True), ("tanh", False)):
        model = sn.Sequential([sn.Dense(2, 1, out)], seed=0)
        fwd = model.forward(X)
        assert backward_pass(model.layers, fwd, y, losses.binary_crossentropy).fused is expected
    with pytest.raises(ValueError, match="no fused gradient"):
        losses.get("mse").fused_gradient(y, y)
    assert losses.get("bce", from_logits=True).fuses_with is None
