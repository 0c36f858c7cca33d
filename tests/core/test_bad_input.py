"""Bad input is stopped where it enters, with a message naming what was expected and what was
received, before anything changes."""
import numpy as np
import pytest

import stepnn as sn

from .helpers import assert_same_state, snapshot

rng = np.random.default_rng(0)
X = rng.normal(size=(8, 2))
Y01 = np.array([0, 1, 1, 0, 1, 0, 0, 1])
Y3 = np.array([0, 1, 2, 0, 1, 2, 0, 1])
NAN, INF = float("nan"), float("inf")


def _binary_model():
    return sn.Sequential([sn.Dense(2, 3, "relu"), sn.Dense(3, 1, "sigmoid")], seed=0)


def _softmax_model():
    return sn.Sequential([sn.Dense(2, 3, "softmax")], seed=0)


def _with(array, index, value):
    out = np.array(array, dtype=float)
    out[index] = value
    return out


# (what, model factory, trainer arguments, exception, substrings the message must contain)
CONSTRUCTION = [
    ("X with 3 features", _binary_model, dict(X=rng.normal(size=(8, 3)), y=Y01),
     ValueError, ["3 columns", "expects 2", "(8, 3)"]),
    ("X 1-D", _binary_model, dict(X=np.zeros(8), y=Y01), ValueError, ["2-D", "(8,)"]),
    ("y too short", _binary_model, dict(X=X, y=Y01[:5]), ValueError, ["5 samples", "8"]),
    ("y a single number", _binary_model, dict(X=X, y=1), (TypeError, ValueError), ["y", "8"]),
    ("one-hot for sparse", _softmax_model,
     dict(X=X, y=np.eye(3)[Y3], loss="sparse_categorical_crossentropy"),
     ValueError, ["integer class labels", "(8, 3)", "categorical_crossentropy"]),
    ("class index out of range", _softmax_model,
     dict(X=X, y=_with(Y3, 2, 3).astype(int), loss="sparse_categorical_crossentropy"),
     ValueError, ["out of range", "0..2", "3"]),
    ("negative class index", _softmax_model,
     dict(X=X, y=_with(Y3, 2, -1).astype(int), loss="sparse_categorical_crossentropy"),
     ValueError, ["out of range", "-1"]),
    ("non-integer class", _softmax_model,
     dict(X=X, y=_with(Y3, 2, 1.5), loss="sparse_categorical_crossentropy"),
     ValueError, ["whole-number", "1.5"]),
    ("label 2 for binary", _binary_model, dict(X=X, y=_with(Y01, 0, 2), loss="binary_crossentropy"),
     ValueError, ["[0, 1]", "2.0"]),
    ("integer labels for categorical", _softmax_model,
     dict(X=X, y=Y3, loss="categorical_crossentropy"), ValueError, ["one-hot", "(8,)"]),
    ("NaN in X", _binary_model, dict(X=_with(X, (1, 1), NAN), y=Y01), ValueError, ["X", "NaN"]),
    ("inf in X", _binary_model, dict(X=_with(X, (1, 0), INF), y=Y01), ValueError, ["X", "inf"]),
    ("NaN in y", _binary_model, dict(X=X, y=_with(Y01, 3, NAN)), ValueError, ["y", "NaN"]),
    ("inf in y (mse)", _binary_model, dict(X=X, y=_with(Y01, 3, INF), loss="mse"),
     ValueError, ["y", "inf"]),
    ("NaN in sparse y", _softmax_model,
     dict(X=X, y=_with(Y3, 0, NAN), loss="sparse_categorical_crossentropy"), ValueError, ["NaN"]),
    ("text in X", _binary_model, dict(X=[["a", "b"]] * 8, y=Y01), TypeError, ["numeric"]),
    ("empty data set", _binary_model, dict(X=np.zeros((0, 2)), y=np.zeros(0)),
     ValueError, ["empty", "(0, 2)"]),
    ("batch size 0", _binary_model, dict(X=X, y=Y01, batch_size=0), ValueError, ["batch_size", "0"]),
    ("batch size -3", _binary_model, dict(X=X, y=Y01, batch_size=-3), ValueError, ["-3"]),
    ("batch size 2.5", _binary_model, dict(X=X, y=Y01, batch_size=2.5), TypeError,
     ["whole number", "2.5"]),
    ("batch size '16'", _binary_model, dict(X=X, y=Y01, batch_size="16"), TypeError,
     ["whole number", "'16'"]),
    ("batch size True", _binary_model, dict(X=X, y=Y01, batch_size=True), TypeError,
     ["whole number", "True"]),
    ("batch size above N", _binary_model, dict(X=X, y=Y01, batch_size=9), ValueError,
     ["between 1 and 8", "9"]),
    ("learning rate 0", _binary_model, dict(X=X, y=Y01, learning_rate=0), ValueError,
     ["learning_rate", "positive", "0"]),
    ("learning rate -0.1", _binary_model, dict(X=X, y=Y01, learning_rate=-0.1), ValueError,
     ["-0.1"]),
    ("learning rate NaN", _binary_model, dict(X=X, y=Y01, learning_rate=NAN), ValueError, ["nan"]),
    ("learning rate inf", _binary_model, dict(X=X, y=Y01, learning_rate=INF), ValueError, ["inf"]),
    ("learning rate text", _binary_model, dict(X=X, y=Y01, learning_rate="0.1"),
     (TypeError, ValueError), ["learning_rate", "'0.1'"]),
    ("unknown loss", _binary_model, dict(X=X, y=Y01, loss="hinge"), ValueError,
     ["Could not interpret loss identifier", "'hinge'", "binary_crossentropy", "mse"]),
    ("unknown optimizer", _binary_model, dict(X=X, y=Y01, optimizer="adamw"), ValueError,
     ["Could not interpret optimizer identifier", "'adamw'", "adam", "sgd", "rmsprop", "adagrad"]),
    ("validation split 1", _binary_model, dict(X=X, y=Y01, validation_split=1.0), ValueError,
     ["validation_split", "1.0"]),
    ("validation data of the wrong width", _binary_model,
     dict(X=X, y=Y01, validation_data=(np.zeros((3, 4)), np.zeros(3))), ValueError,
     ["X_val", "expects 2"]),
    ("validation labels of the wrong length", _binary_model,
     dict(X=X, y=Y01, validation_data=(np.zeros((3, 2)), np.zeros(2))), ValueError,
     ["y_val", "2", "3"]),
    ("bad validation labels", _binary_model,
     dict(X=X, y=Y01, validation_data=(np.zeros((3, 2)), np.array([0, 2, 1]))), ValueError,
     ["[0, 1]"]),
    ("seed as text", _binary_model, dict(X=X, y=Y01, seed="0"), TypeError, ["seed", "'0'"]),
]


@pytest.mark.parametrize("case", CONSTRUCTION, ids=[c[0] for c in CONSTRUCTION])
def test_trainer_construction_refuses_bad_input(case):
    _, make_model, kwargs, error, parts = case
    model = make_model()
    before = model.get_flat()
    options = dict(loss="binary_crossentropy", batch_size=4)
    options.update(kwargs)
    with pytest.raises(error) as info:
        sn.Trainer(model, **options)
    for part in parts:
        assert part in str(info.value), (part, str(info.value))
    np.testing.assert_array_equal(model.get_flat(), before)


@pytest.mark.parametrize("make, parts", [
    (lambda: sn.Dense(2, 3, activation="gelu"),
     ["Could not interpret activation identifier", "'gelu'", "relu", "softmax", "leaky_relu"]),
    (lambda: sn.Dense(2, 3, kernel_initializer="zeros"), ["initializer", "'zeros'", "he_normal"]),
    (lambda: sn.Dense(0, 3), ["n_in", "0"]),
    (lambda: sn.Dense(2, 2.5), ["n_out", "2.5"]),
    (lambda: sn.Dense(2, 3, weights=(np.zeros((3, 2)), np.zeros(3))), ["(2, 3)", "(3, 2)"]),
    (lambda: sn.Sequential([sn.Dense(2, 3), sn.Dense(4, 1)]),
     ["do not chain", "3 units", "n_in=4"]),
    (lambda: sn.Sequential([]), ["at least one layer"]),
    (lambda: sn.Sequential([sn.Dense(2, 3), "relu"]), ["layer 1", "Dense", "str"]),
])
def test_model_construction_refuses_bad_input(make, parts):
    with pytest.raises((TypeError, ValueError)) as info:
        make()
    for part in parts:
        assert part in str(info.value), (part, str(info.value))


@pytest.mark.parametrize("weights, parts", [
    (lambda ws: ws[:3], ["expects 4 arrays", "W1, b1, W2, b2", "received 3"]),
    (lambda ws: ws + [np.zeros(1)], ["expects 4", "received 5"]),
    (lambda ws: [ws[0].T] + ws[1:], ["W1", "(2, 3)", "(3, 2)"]),
    (lambda ws: ws[:3] + [np.zeros((1, 1))], ["b2", "(1,)", "(1, 1)"]),
    (lambda ws: [ws[0], _with(ws[1], 0, NAN)] + ws[2:], ["b1", "NaN"]),
])
def test_set_weights_checks_count_shape_and_values_first(weights, parts):
    model = _binary_model()
    before = model.get_flat()
    with pytest.raises(ValueError) as info:
        model.set_weights(weights(model.get_weights()))
    for part in parts:
        assert part in str(info.value), (part, str(info.value))
    np.testing.assert_array_equal(model.get_flat(), before)


def test_predict_and_set_flat_refuse_wrong_shapes():
    model = _binary_model()
    with pytest.raises(ValueError, match=r"3 columns.*expects 2"):
        model.predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"\(13,\).*\(12,\)"):
        model.set_flat(np.zeros(12))


def _trainer():
    tr = sn.Trainer(_softmax_model(), X, Y3, loss="sparse_categorical_crossentropy",
                    optimizer="adam", learning_rate=0.01, batch_size=4)
    tr.step()
    return tr


SETTERS = [
    ("learning rate 0", lambda tr: tr.set_learning_rate(0), ["positive", "0"]),
    ("learning rate -1", lambda tr: tr.set_learning_rate(-1), ["-1"]),
    ("learning rate NaN", lambda tr: tr.set_learning_rate(NAN), ["nan"]),
    ("learning rate inf", lambda tr: tr.set_learning_rate(INF), ["inf"]),
    ("learning rate text", lambda tr: tr.set_learning_rate("0.1"), ["'0.1'"]),
    ("learning rate None", lambda tr: tr.set_learning_rate(None), ["None"]),
    ("batch size 0", lambda tr: tr.set_batch_size(0), ["between 1 and 8", "0"]),
    ("batch size 9", lambda tr: tr.set_batch_size(9), ["between 1 and 8", "9"]),
    ("batch size 2.5", lambda tr: tr.set_batch_size(2.5), ["whole number", "2.5"]),
    ("batch size '16'", lambda tr: tr.set_batch_size("16"), ["'16'"]),
    ("batch size True", lambda tr: tr.set_batch_size(True), ["True"]),
    ("unknown loss", lambda tr: tr.set_loss("hinge"), ["Could not interpret loss", "'hinge'"]),
    ("loss that does not fit the labels", lambda tr: tr.set_loss("categorical_crossentropy"),
     ["one-hot", "(8,)"]),
    ("binary loss for 3 classes", lambda tr: tr.set_loss("binary_crossentropy"), ["(n_samples, 3)"]),
    ("unknown optimizer", lambda tr: tr.set_optimizer("nadam"), ["'nadam'", "adam"]),
    ("bad momentum", lambda tr: tr.set_optimizer("sgd", momentum=2.0), ["momentum", "2.0"]),
    ("weights of the wrong count", lambda tr: tr.set_weights([np.zeros((2, 3))]),
     ["expects 2 arrays", "received 1"]),
    ("weights of the wrong shape", lambda tr: tr.set_weights([np.zeros((3, 3)), np.zeros(3)]),
     ["W1", "(2, 3)", "(3, 3)"]),
    ("flat weights of the wrong length", lambda tr: tr.set_flat(np.zeros(5)), ["(9,)", "(5,)"]),
    ("fit epochs 0", lambda tr: tr.fit(epochs=0, verbose=False), ["epochs", "0"]),
]


@pytest.mark.parametrize("mid_iteration", [False, True], ids=["boundary", "mid-iteration"])
@pytest.mark.parametrize("case", SETTERS, ids=[c[0] for c in SETTERS])
def test_bad_settings_leave_the_trainer_unchanged(case, mid_iteration):
    _, call, parts = case
    tr = _trainer()
    if mid_iteration:
        tr.forward()
    before = snapshot(tr)
    with pytest.raises((TypeError, ValueError, sn.PhaseError)) as info:
        call(tr)
    if not (mid_iteration and info.type is sn.PhaseError):  # set_weights mid-iteration
        for part in parts:
            assert part in str(info.value), (part, str(info.value))
    assert_same_state(before, snapshot(tr))
    assert tr.undo() == ("forward" if mid_iteration else "update")  # nothing was pushed


@pytest.mark.parametrize("maker", [sn.datasets.xor, sn.datasets.circle, sn.datasets.spiral,
                                   sn.datasets.moons, sn.datasets.gauss, sn.datasets.linear,
                                   sn.datasets.sine])
def test_a_data_set_too_large_for_memory_is_refused_before_anything_is_allocated(maker):
    for n in (10 ** 7, 10 ** 30):
        with pytest.raises(ValueError, match="at most 1,000,000"):
            maker(n)


@pytest.mark.parametrize("weights", [None, "W1", {"W1": 0}, 5])
def test_set_weights_of_something_not_a_list_of_arrays_says_what_it_takes(weights):
    model = sn.Sequential([sn.Dense(2, 3), sn.Dense(3, 1)], seed=0)
    before = model.get_flat()
    with pytest.raises(TypeError, match=r"a list of arrays like model\.get_weights\(\)"):
        model.set_weights(weights)
    np.testing.assert_array_equal(model.get_flat(), before)
