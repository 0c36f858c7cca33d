"""Changing the data set and the validation split between iterations: a setting like any other."""
import numpy as np
import pytest

import stepnn as sn

from .helpers import binary_problem, binary_trainer


def test_set_data_between_iterations_applies_at_once_and_is_an_event():
    tr = binary_trainer(n=20, batch_size=6)
    tr.step()
    X, y = binary_problem(30, seed=5)
    tr.set_data(X, y, validation_split=0.2)
    assert tr.n_samples == 24 and len(tr.X_val) == 6
    np.testing.assert_array_equal(tr.X, X[:24])
    np.testing.assert_array_equal(tr.y_val[:, 0], y[24:])
    # the epoch that was under way on the old data ends there
    assert tr.epoch == 1 and tr.history.epochs[0].loss == tr.history.losses[0]
    event = tr.history.events[-1]
    assert event.what == "data" and event.old == "20 samples x 2 features"
    assert event.new == "24 samples x 2 features + 6 for validation"
    fwd = tr.forward()
    assert fwd.indices.max() < 24
    np.testing.assert_array_equal(fwd.x, X[fwd.indices])
    tr.undo(), tr.undo()
    assert tr.n_samples == 20 and tr.X_val is None and tr.epoch == 0


def test_set_data_mid_iteration_waits_for_the_next_forward():
    tr = binary_trainer(n=20, batch_size=6)
    tr.forward(), tr.loss()
    X, y = binary_problem(5, seed=1)
    tr.set_data(X, y)
    assert tr.n_samples == 20 and "data" in tr.pending
    tr.backward(), tr.update()
    assert tr.n_samples == 20
    tr.forward()
    assert tr.n_samples == 5 and tr.batch_size == 5  # the batch size fits the smaller set
    assert [e.what for e in tr.history.events] == ["data", "batch_size"]
    tr.goto(1)
    assert tr.n_samples == 20 and "data" in tr.pending


def test_a_batch_size_is_checked_against_the_data_set_that_will_be_in_force():
    tr = binary_trainer(n=20, batch_size=6)
    tr.forward()
    tr.set_data(*binary_problem(8, seed=1))
    with pytest.raises(ValueError, match="The data set has 8 samples"):
        tr.batch_size = 10
    tr.batch_size = 8
    assert tr.next_settings["batch_size"] == 8


@pytest.mark.parametrize("X, y, kwargs, error, match", [
    (np.zeros((5, 3)), np.zeros(5), {}, ValueError, "model's first layer \\(n_in\\) expects 2"),
    (np.zeros((5, 2)), np.zeros(4), {}, ValueError, "one target per sample"),
    (np.zeros((5, 2)), np.array([0, 1, 2, 0, 1]), {}, ValueError, "binary"),
    (np.zeros((5, 2)), np.zeros(5), {"validation_split": 1.5}, ValueError, "fraction in"),
    (np.zeros((5, 2)), np.zeros(5), {"validation_split": 0.9}, ValueError, "both parts"),
])
def test_bad_data_raises_and_changes_nothing(X, y, kwargs, error, match):
    tr = binary_trainer(n=20, batch_size=6)
    tr.step()
    events, pending = len(tr.history.events), tr.pending
    with pytest.raises(error, match=match):
        tr.set_data(X, y, **kwargs)
    assert len(tr.history.events) == events and tr.pending == pending and tr.n_samples == 20
    assert tr.undo() == "update"


def test_a_loss_change_is_checked_against_the_waiting_data():
    tr = binary_trainer(n=20, batch_size=6, loss="mse")
    tr.forward()
    rng = np.random.default_rng(0)
    tr.set_data(rng.normal(size=(10, 2)), rng.normal(size=10))  # real targets: fine for mse
    with pytest.raises(ValueError):
        tr.loss_fn = "binary_crossentropy"  # the waiting data has non-0/1 targets
    assert tr.next_settings["loss"] == "mean_squared_error"
