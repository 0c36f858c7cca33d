"""fit(): each stopping criterion stops at the iteration or epoch an independent reading of the
history says it should; divergence stops cleanly; the progress bar prints only when asked."""
import warnings

import numpy as np
import pytest

import stepnn as sn

from .helpers import assert_same_state, binary_trainer, snapshot


def _overfitting_trainer(seed=0):
    """12 random labels to memorise; the validation loss rises from the first epoch on."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 2)), rng.integers(0, 2, 12)
    Xv, yv = rng.normal(size=(30, 2)), rng.integers(0, 2, 30)
    model = sn.Sequential([sn.Dense(2, 16, "relu"), sn.Dense(16, 1, "sigmoid")], seed=0)
    return sn.Trainer(model, X, y, loss="binary_crossentropy", optimizer="adam",
                      learning_rate=0.05, batch_size=4, validation_data=(Xv, yv), seed=seed)


def test_max_epochs():
    tr = binary_trainer(n=20, batch_size=6)
    reason = tr.fit(epochs=3, verbose=False)
    assert reason == "max_epochs" and isinstance(reason, sn.StopReason)
    assert tr.stop_reason == reason and reason.code == "max_epochs" and "3" in reason.message
    assert tr.epoch == 3 and tr.global_iteration == 12 and len(tr.history.epochs) == 3
    assert tr.fit(epochs=2, verbose=False) == "max_epochs"
    assert tr.epoch == 5 and tr.next_phase == "forward"


def test_an_unfinished_epoch_counts_as_one():
    tr = binary_trainer(n=20, batch_size=6)
    tr.step()
    tr.forward()
    tr.fit(epochs=1, verbose=False)
    assert tr.epoch == 1 and tr.iteration == 0 and tr.global_iteration == 4


def test_target_loss_stops_at_the_first_epoch_at_or_below_it():
    reference = binary_trainer(n=20, batch_size=5, learning_rate=1.0)
    reference.fit(epochs=30, verbose=False)
    losses = reference.history.epoch_losses
    target = float(np.quantile(losses, 0.3))
    expected_epochs = int(np.argmax(losses <= target)) + 1
    assert 1 < expected_epochs < 30
    tr = binary_trainer(n=20, batch_size=5, learning_rate=1.0)
    reason = tr.fit(epochs=30, target_loss=target, verbose=False)
    assert reason == "target_loss" and tr.epoch == expected_epochs
    assert tr.history.epochs[-1].loss <= target < min(e.loss for e in tr.history.epochs[:-1])


def test_min_grad_norm_stops_at_the_first_small_gradient():
    reference = binary_trainer(n=20, batch_size=5, learning_rate=1.0)
    reference.fit(epochs=10, verbose=False)
    norms = reference.history.grad_norms
    threshold = float(np.quantile(norms, 0.2))
    expected = int(np.argmax(norms < threshold)) + 1
    assert 1 < expected < len(norms)
    tr = binary_trainer(n=20, batch_size=5, learning_rate=1.0)
    reason = tr.fit(epochs=10, min_grad_norm=threshold, verbose=False)
    assert reason == "min_grad_norm" and tr.global_iteration == expected
    assert tr.next_phase == "forward"


def _early_stopping_epoch(val_losses, patience, min_delta=0.0):
    """Keras' EarlyStopping rule, on a finished run's validation losses."""
    best, wait = np.inf, 0
    for epoch, loss in enumerate(val_losses, 1):
        if loss < best - min_delta:
            best, wait = loss, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch
    return None


@pytest.mark.parametrize("patience, min_delta", [(1, 0.0), (3, 0.0), (2, 10.0)])
def test_early_stopping_with_patience(patience, min_delta):
    reference = _overfitting_trainer()
    reference.fit(epochs=40, verbose=False)
    expected = _early_stopping_epoch(reference.history.val_losses, patience, min_delta)
    assert expected is not None and expected < 40
    tr = _overfitting_trainer()
    reason = tr.fit(epochs=40, patience=patience, min_delta=min_delta, verbose=False)
    assert reason == "early_stopping" and tr.epoch == expected
    assert "validation" in reason.message


def test_patience_needs_validation_data():
    tr = binary_trainer()
    before = snapshot(tr)
    with pytest.raises(ValueError, match="validation_split"):
        tr.fit(epochs=3, patience=2, verbose=False)
    assert_same_state(before, snapshot(tr))


@pytest.mark.parametrize("kwargs", [dict(epochs=0), dict(epochs=2.5), dict(epochs="3"),
                                    dict(target_loss=float("nan")), dict(target_loss="0.1"),
                                    dict(min_grad_norm=-1.0), dict(min_grad_norm=0.0),
                                    dict(patience=0)])
def test_bad_fit_arguments_change_nothing(kwargs):
    tr = _overfitting_trainer()
    before = snapshot(tr)
    with pytest.raises((TypeError, ValueError)):
        tr.fit(verbose=False, **{"epochs": 2, **kwargs})
    assert_same_state(before, snapshot(tr))


def _huge_lr_trainer(lr, scale, hidden=True):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2)) * scale
    y = X @ np.array([1.0, -2.0]) / scale
    layers = [sn.Dense(2, 4, "tanh"), sn.Dense(4, 1)] if hidden else [sn.Dense(2, 1)]
    model = sn.Sequential(layers, seed=0)
    return sn.Trainer(model, X, y, loss="mse", optimizer="sgd", learning_rate=lr, batch_size=5)


@pytest.mark.parametrize("lr, scale, hidden", [(50.0, 1.0, True), (1e6, 1.0, True),
                                               (1e3, 1e3, True), (10.0, 1.0, False)])
def test_divergence_stops_cleanly(lr, scale, hidden):
    tr = _huge_lr_trainer(lr, scale, hidden)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning (overflow, invalid value) may leak
        reason = tr.fit(epochs=50, verbose=False)
    assert reason == "diverged" and tr.diverged
    assert "learning rate" in reason.message
    assert not np.isfinite(tr.last_loss.value)
    _assert_finite_weights(tr)


@pytest.mark.parametrize("lr, hidden", [(1e307, True), (1e306, False)])
def test_an_absurd_learning_rate_still_leaves_finite_weights(lr, hidden):
    """Here the first update itself overflows (lr x gradient > 1e308), before any loss is inf."""
    tr = _huge_lr_trainer(lr, 1e3, hidden)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reason = tr.fit(epochs=50, verbose=False)
    assert reason == "diverged"
    _assert_finite_weights(tr)


def _assert_finite_weights(tr):
    for w in tr.model.get_weights():
        assert np.all(np.isfinite(w)), "the weights must stay finite after a divergence"
    assert all(np.all(np.isfinite(e.weights)) for e in tr.history.iterations)


def test_a_healthy_run_is_not_diverged():
    tr = binary_trainer()
    tr.fit(epochs=2, verbose=False)
    assert not tr.diverged


def test_keyboard_interrupt_stops_with_a_consistent_trainer():
    tr = binary_trainer(n=20, batch_size=5)
    real_step, calls = tr.step, []

    def interrupted_step():
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_step()

    tr.step = interrupted_step
    reason = tr.fit(epochs=5, verbose=False)
    assert reason == "interrupted"
    del tr.step
    tr.step()  # the trainer goes on from where it was
    assert tr.global_iteration == 3


def test_progress_bar_prints_in_a_terminal(capfd):
    binary_trainer(n=20, batch_size=5).fit(epochs=3, verbose=True)
    out, err = capfd.readouterr()
    text = out + err
    assert "epoch 3/3" in text and "stopped: max_epochs" in text and "loss" in text


def test_verbose_false_prints_nothing(capfd):
    tr = binary_trainer(n=20, batch_size=5)
    tr.fit(epochs=3, verbose=False)
    _huge_lr_trainer(1e6, 1.0).fit(epochs=3, verbose=False)
    assert capfd.readouterr() == ("", "")


def test_stop_reason_codes():
    assert sn.StopReason("diverged", "why") == "diverged"
    assert "why" in repr(sn.StopReason("diverged", "why"))
    with pytest.raises(ValueError, match="max_epochs"):
        sn.StopReason("tired")


@pytest.mark.parametrize("verbose, shown", [(True, True), (False, False), (0, False), (1, True),
                                            (2, True), ("auto", True)])
def test_fit_takes_keras_verbose_values(verbose, shown, capsys):
    tr = binary_trainer()
    tr.fit(epochs=1, verbose=verbose)
    shown_text = capsys.readouterr()
    assert bool((shown_text.out + shown_text.err).strip()) == shown


@pytest.mark.parametrize("verbose", ["yes", 3, -1, None, 0.5])
def test_fit_refuses_another_verbose_and_changes_nothing(verbose):
    tr = binary_trainer()
    tr.step()
    before = snapshot(tr)
    with pytest.raises(ValueError, match="verbose must be True"):
        tr.fit(epochs=1, verbose=verbose)
    assert_same_state(before, snapshot(tr))
