"""What random action sequences found: losses that do not fit the output layer, classifiers that
never diverged, warnings leaking from records, unclear errors for bad input."""
import warnings

import numpy as np
import pytest

import stepnn as sn

from .helpers import binary_problem, binary_trainer


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
