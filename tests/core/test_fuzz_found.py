"""What random action sequences and hostile inputs found: losses that do not fit the output layer,
classifiers that never diverged, warnings leaking from records, unclear errors for bad input,
text where True/False was meant, hyperparameters dropped or misspelt, labels numbered from 1."""
import warnings

import numpy as np
import pytest

import stepnn as sn

from .helpers import assert_same_state, binary_problem, binary_trainer, snapshot


def _multiclass(output: str, units: int = 3):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2))
    return sn.Sequential([sn.Dense(2, 4, "tanh"), sn.Dense(4, units, output)], seed=0), X, \
        rng.integers(0, units, size=12)


@pytest.mark.parametrize("output, loss, fitting_word", [
    ("relu", "sparse_categorical_crossentropy", "softmax"),
    ("linear", "sparse_categorical_crossentropy", "from_logits=True"),
    ("softmax", "binary_crossentropy", "sigmoid")])
def test_a_loss_that_does_not_fit_the_output_layer_is_refused_with_a_fitting_choice(
        output, loss, fitting_word):
    model, X, y = _multiclass(output)
    if loss == "binary_crossentropy":
        y = np.eye(3)[y]
    with pytest.raises(ValueError, match="does not fit") as info:
        sn.Trainer(model, X, y, loss=loss)
    assert fitting_word in str(info.value) and output in str(info.value)


def test_switching_to_a_loss_that_does_not_fit_is_refused_and_changes_nothing():
    model, X, y = _multiclass("sigmoid")
    tr = sn.Trainer(model, X, np.eye(3)[y], loss="binary_crossentropy", batch_size=4)
    tr.step()
    with pytest.raises(ValueError, match="does not fit"):
        tr.loss_fn = "categorical_crossentropy"
    assert tr.loss_fn.name == "binary_crossentropy" and not tr.pending
    assert tr.undo() == "update"


def test_a_linear_output_with_from_logits_fits():
    model, X, y = _multiclass("linear")
    tr = sn.Trainer(model, X, y, loss="sparse_categorical_crossentropy", from_logits=True)
    tr.step()
    assert np.isfinite(tr.history.losses[0])


def _xor_classifier(lr):
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 3)
    y = np.array([0, 1, 1, 0] * 3)
    model = sn.Sequential([sn.Dense(2, 4, "tanh"), sn.Dense(4, 1, "sigmoid")], seed=0)
    return sn.Trainer(model, X, y, loss="binary_crossentropy", learning_rate=lr, batch_size=4)


@pytest.mark.parametrize("lr", [1e3, 1e6, 1e12])
def test_a_classifier_with_a_far_too_large_learning_rate_diverges(lr):
    tr = _xor_classifier(lr)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reason = tr.fit(epochs=300, verbose=False)
        text = repr(tr.last_update) + repr(tr.last_loss) + repr(tr)
    assert reason == "diverged", reason
    assert "learning rate" in reason.message
    assert any(word in reason.message for word in ("exploded", "pinned", "overflow"))
    assert all(np.isfinite(w).all() for w in tr.model.get_weights())
    assert "UpdateRecord" in text


def test_a_healthy_classifier_does_not_diverge():
    tr = _xor_classifier(0.5)
    assert tr.fit(epochs=30, verbose=False) == "max_epochs"


def test_dashboard_runs_stop_on_the_same_divergence_rule_as_fit():
    from stepnn import stopping
    a, b = _xor_classifier(1e12), _xor_classifier(1e12)
    by_fit = a.fit(epochs=300, verbose=False)
    by_run = stopping.run(b, stopping.Criteria(max_epochs=300), 10 ** 6)
    assert by_fit == by_run == "diverged" and by_fit.message == by_run.message
    assert a.global_iteration == b.global_iteration


def test_early_stopping_counts_the_same_in_fit_and_in_the_dashboard_criteria():
    from stepnn.stopping import Criteria, epochs_without_improvement
    assert epochs_without_improvement([0.9, 0.8, 0.85, 0.8]) == (2, 0.8)  # equal is no better
    assert epochs_without_improvement([1.0, 0.95, 0.9], min_delta=0.1) == (2, 1.0)
    with pytest.raises(ValueError, match="min_delta"):
        Criteria(min_delta=float("nan"))


def test_update_record_repr_after_overflow_is_quiet():
    old = [np.array([1e308])]
    rec = sn.UpdateRecord(old, [np.array([-1e308])], None, 1.0, "sgd")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "inf" in repr(rec)


X, Y = binary_problem(10)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(seed=-1), ValueError, ["seed", ">= 0", "-1"]),
    (dict(validation_data=(X, None)), ValueError, ["y_val", "None"]),
    (dict(shuffle="no"), TypeError, ["shuffle", "True or False", "'no'"]),
    (dict(X=X.astype(complex)), TypeError, ["real numbers", "complex"]),
    (dict(X=np.zeros((10, 2), dtype="datetime64[s]")), TypeError, ["real numbers", "datetime64"]),
])
def test_bad_trainer_arguments_get_clear_errors(kwargs, error, words):
    options = dict(X=X, y=Y, loss="binary_crossentropy")
    options.update(kwargs)
    model = sn.Sequential([sn.Dense(2, 3, "tanh"), sn.Dense(3, 1, "sigmoid")])
    with pytest.raises(error) as info:
        sn.Trainer(model, **options)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


@pytest.mark.parametrize("call, words", [
    (lambda tr: tr.evaluate(X, Y[:4]), ["one target per sample", "10", "4"]),
    (lambda tr: tr.fit(target_loss=-1, verbose=False), ["target_loss", ">= 0"]),
    (lambda tr: tr.fit(min_delta=float("nan"), verbose=False), ["min_delta", "nan"]),
])
def test_bad_calls_on_a_live_trainer_get_clear_errors_and_change_nothing(call, words):
    tr = binary_trainer(n=10, batch_size=4)
    tr.step()
    before = (tr.model.get_flat(), tr.global_iteration, tr.can_redo)
    with pytest.raises(ValueError) as info:
        call(tr)
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    after = (tr.model.get_flat(), tr.global_iteration, tr.can_redo)
    assert np.array_equal(before[0], after[0]) and before[1:] == after[1:]


@pytest.mark.parametrize("make, name", [
    (lambda: sn.SGD(0.1, momentum=0.9, nesterov="False"), "nesterov"),
    (lambda: sn.RMSprop(centered="no"), "centered"),
    (lambda: sn.Adam(amsgrad=1), "amsgrad"),
    (lambda: sn.losses.get("mse", from_logits="False"), "from_logits"),
    (lambda: sn.losses.binary_crossentropy([1.0], [0.5], from_logits="no"), "from_logits"),
])
def test_text_or_numbers_for_a_true_false_option_are_refused_not_read_as_true(make, name):
    with pytest.raises(TypeError) as info:  # bool("False") is True: the option would be on
        make()
    assert f"{name} must be True or False" in str(info.value)


@pytest.mark.parametrize("call, error, words", [
    (lambda tr: tr.set_optimizer("sgd", momentum=0.9, nesterov="False"), TypeError,
     ["nesterov", "True or False", "'False'"]),
    (lambda tr: tr.set_loss("binary_crossentropy", from_logits="no"), TypeError,
     ["from_logits", "True or False", "'no'"]),
    (lambda tr: tr.reset(keep_settings="yes"), TypeError, ["keep_settings", "True or False"]),
    (lambda tr: tr.set_optimizer("adam", betas=(0.9, 0.99)), TypeError,
     ["Adam got an unexpected keyword argument 'betas'", "beta_1, beta_2"]),
    (lambda tr: tr.set_optimizer("sgd", lr=0.1), TypeError,
     ["SGD got an unexpected keyword argument 'lr'", "learning_rate, momentum"]),
    (lambda tr: tr.set_optimizer(sn.SGD(0.1), mometum=0.9), TypeError,
     ["SGD got an unexpected keyword argument 'mometum'", "momentum"]),
])
def test_bad_switches_get_clear_errors_and_change_nothing(call, error, words):
    tr = binary_trainer(n=10, batch_size=4)
    tr.step()
    tr.forward()
    before = snapshot(tr)
    with pytest.raises(error) as info:
        call(tr)
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    assert_same_state(before, snapshot(tr))


def test_hyperparameters_given_with_an_optimizer_object_are_applied_not_dropped():
    tr = binary_trainer(n=10, batch_size=4)
    tr.set_optimizer(sn.SGD(0.1), momentum=0.9)
    assert tr.optimizer.momentum == 0.9 and tr.learning_rate == 0.1
    mine = sn.Adam(0.01)
    assert sn.optimizers.get(mine) is mine  # nothing to change: the object itself


@pytest.mark.parametrize("loss, y, words", [
    ("sparse_categorical_crossentropy", [1, 2, 3, 1, 2, 3], ["0..2", "max 3", "from 1 to 3", "y - 1"]),
    ("binary_crossentropy", [-1, 1, 1, -1, 1, -1], ["[-1.0, 1.0]", "(y + 1) / 2"]),
])
def test_labels_off_by_a_common_convention_get_the_conversion(loss, y, words):
    units, out = (3, "softmax") if loss.startswith("sparse") else (1, "sigmoid")
    model = sn.Sequential([sn.Dense(2, units, out)], seed=0)
    with pytest.raises(ValueError) as info:
        sn.Trainer(model, np.zeros((6, 2)), np.array(y), loss=loss)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_labels_just_out_of_range_get_no_conversion_hint():
    with pytest.raises(ValueError) as info:
        sn.losses.get("sparse_categorical_crossentropy").check_labels([0, 3], 3)
    assert "y - 1" not in str(info.value)


def test_one_hot_labels_of_the_wrong_width_name_the_output_layer():
    model = sn.Sequential([sn.Dense(2, 3, "softmax")], seed=0)
    with pytest.raises(ValueError) as info:
        sn.Trainer(model, np.zeros((4, 2)), np.eye(4), loss="categorical_crossentropy")
    assert "output layer's units expects 3" in str(info.value)
    assert "first layer" not in str(info.value)


@pytest.mark.parametrize("X, y, name", [
    ([[1.0, 2.0], [3.0]] * 3, [0, 1] * 3, "X"),
    (np.zeros((6, 2)), [[0], [1, 0]] * 3, "y"),
])
def test_rows_of_different_lengths_are_refused_in_the_package_words(X, y, name):
    with pytest.raises(ValueError) as info:
        sn.Trainer(sn.Sequential([sn.Dense(2, 1, "sigmoid")]), X, y, loss="binary_crossentropy")
    assert str(info.value).startswith(f"{name} must be a rectangular array of numbers: make every row")


def test_changing_the_arrays_given_afterwards_changes_nothing_the_trainer_learns_from():
    X, y = binary_problem(12)
    X, y = X.copy(), y.astype(float)
    X_val, y_val = X[:4].copy(), y[:4].copy()
    tr = sn.Trainer(sn.Sequential([sn.Dense(2, 1, "sigmoid")], seed=0), X, y,
                    loss="binary_crossentropy", batch_size=4, validation_data=(X_val, y_val))
    tr.fit(epochs=2, verbose=False)
    losses, epochs = tr.history.losses, [e.val_loss for e in tr.history.epochs]
    X -= X.mean(axis=0)  # a student normalizes the data after building the trainer
    X *= 10.0
    y[:] = 1.0 - y
    X_val[:] = 0.0
    tr.goto(0)
    tr.fit(epochs=2, verbose=False)
    np.testing.assert_array_equal(tr.history.losses, losses)
    assert [e.val_loss for e in tr.history.epochs] == epochs
    with pytest.raises(ValueError, match="read-only"):
        tr.X[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        tr.y[0] = 1.0


def test_one_dense_object_twice_in_a_model_is_refused():
    hidden = sn.Dense(4, 4, "tanh")
    with pytest.raises(ValueError) as info:  # [Dense(4, 4)] * 2: the same object twice
        sn.Sequential([sn.Dense(2, 4, "tanh"), hidden, hidden, sn.Dense(4, 1, "sigmoid")])
    assert "layer 2 is the same Dense object as layer 1" in str(info.value)
    assert "a new Dense for each layer" in str(info.value)
    sn.Sequential([sn.Dense(2, 4, "tanh")] + [sn.Dense(4, 4, "tanh") for _ in range(2)]
                  + [sn.Dense(4, 1, "sigmoid")])


@pytest.mark.parametrize("change, error, words", [
    (dict(model="model"), TypeError, ["model must be a stepnn.Sequential", "str"]),
    (dict(y=np.zeros(3)), ValueError, ["one target per sample", "6 samples", "3 samples"]),
    (dict(y=None), ValueError, ["y is missing"]),
    (dict(fused="no"), TypeError, ["fused must be True or False"]),
    (dict(tolerance=float("nan")), ValueError, ["tolerance", "nan"]),
])
def test_gradcheck_refuses_bad_arguments_clearly(change, error, words):
    X, y = binary_problem(6)
    model = sn.Sequential([sn.Dense(2, 1, "sigmoid")], seed=0)
    before = model.get_flat()
    options = dict(model=model, X=X, y=y, loss="binary_crossentropy")
    options.update(change)
    with pytest.raises(error) as info:
        sn.gradcheck(**options)
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    np.testing.assert_array_equal(model.get_flat(), before)


def test_undo_and_goto_do_not_print_a_students_prints_again(capsys):
    """Undo, redo and goto replay the run, the student's own functions included; what those
    print was printed when they first ran, and is not printed again by each replay."""
    X, y = sn.datasets.gauss(n=32, seed=0)

    def dense_forward(x, W, b):
        print("my forward", x.shape)
        return x @ W + b

    tr = sn.Trainer(sn.Sequential([sn.Dense(2, 1, activation="sigmoid")], seed=0), X, y,
                    loss="binary_crossentropy", batch_size=16, use={"dense_forward": dense_forward})
    for _ in range(3):
        tr.step()
    assert capsys.readouterr().out.count("my forward") == 3
    weights = tr.model.get_flat()
    tr.undo(), tr.goto(0), tr.goto(3), tr.undo(), tr.redo()
    assert capsys.readouterr().out == ""
    assert np.array_equal(tr.model.get_flat(), weights)
    tr.step()
    assert capsys.readouterr().out == "my forward (16, 2)\n"
