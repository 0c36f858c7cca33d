"""sn.gradcheck: agrees on correct backprop, catches a wrong derivative, leaves the model alone."""
import numpy as np
import pytest

import stepnn as sn
from stepnn.activations import Activation


def _data(seed=0, n=5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, rng.integers(0, 3, size=n)


@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropy", "mse"])
@pytest.mark.parametrize("fused", [True, False])
def test_correct_backprop_agrees(loss, fused):
    model = sn.Sequential([sn.Dense(3, 4, "tanh"), sn.Dense(4, 3, "softmax")], seed=1)
    X, y = _data()
    if loss == "mse":
        y = np.eye(3)[y]
    report = sn.gradcheck(model, X, y, loss=loss, fused=fused)
    assert report.ok and report.max_error < 1e-6
    assert report.names == ["W1", "b1", "W2", "b2"]
    assert report["W2"] == report.errors[2]
    assert [a.shape for a in report.analytic] == [w.shape for w in model.get_weights()]


def test_a_wrong_derivative_is_caught():
    wrong_tanh = Activation("tanh", np.tanh, lambda z, a, g: g * (1.0 - a), "a = tanh(z), wrong slope")
    model = sn.Sequential([sn.Dense(3, 4, wrong_tanh), sn.Dense(4, 1, "linear")], seed=1)
    X, _ = _data()
    report = sn.gradcheck(model, X, X[:, :1], loss="mse")
    assert not report.ok
    assert report["W1"] > 1e-3 and report["W2"] < 1e-6  # the error sits below the wrong node
    assert "DISAGREE" in repr(report) and "W1" in repr(report)


def test_model_weights_are_not_changed():
    model = sn.Sequential([sn.Dense(3, 2, "sigmoid")], seed=4)
    before = model.get_flat()
    X, _ = _data()
    sn.gradcheck(model, X, np.array([[0, 1]] * 5), loss="bce")
    np.testing.assert_array_equal(model.get_flat(), before)


def test_repr_reports_agreement_with_the_tolerance():
    model = sn.Sequential([sn.Dense(3, 1, "sigmoid")], seed=4)
    X, _ = _data()
    text = repr(sn.gradcheck(model, X, np.ones(5), loss="bce"))
    assert "agree" in text and "tolerance" in text and "b1" in text
