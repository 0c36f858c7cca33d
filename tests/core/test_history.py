"""History: one entry per iteration (with the weights after it) and one per epoch (with the
validation loss and accuracy), checked against the records and independent computations."""
import math

import numpy as np
import pytest

import stepnn as sn

from .helpers import binary_model, binary_problem, binary_trainer


def test_iteration_entries_repeat_the_records():
    tr = binary_trainer(n=10, batch_size=4, learning_rate=0.3)
    for g in range(1, 6):
        f, lo, b = tr.forward(), tr.loss(), tr.backward()
        tr.update()
        e = tr.history.iterations[-1]
        assert e.global_iteration == g
        assert e.epoch == (g - 1) // 3 + 1 and e.iteration == (g - 1) % 3 + 1
        np.testing.assert_array_equal(e.indices, f.indices)
        assert e.loss == lo.value and e.grad_norm == b.grad_norm
        assert e.learning_rate == 0.3 and e.batch_size == 4
        np.testing.assert_array_equal(e.weights, tr.model.get_flat())


def test_losses_and_weights_arrays():
    tr = binary_trainer(n=10, batch_size=4)
    start = tr.model.get_flat()
    after = []
    for _ in range(4):
        tr.step()
        after.append(tr.model.get_flat())
    assert tr.history.losses.shape == (4,) and tr.history.losses.dtype == np.float64
    np.testing.assert_array_equal(tr.history.losses, [e.loss for e in tr.history.iterations])
    W = tr.history.weights
    assert W.shape == (5, tr.model.n_params) and W.dtype == np.float64
    np.testing.assert_array_equal(W[0], start)
    np.testing.assert_array_equal(W[1:], np.array(after))
    assert len(tr.history) == 4


def test_epoch_loss_is_the_mean_over_the_epochs_samples():
    tr = binary_trainer(n=10, batch_size=4)
    per_sample = []
    while tr.epoch == 0:
        tr.forward()
        per_sample.append(tr.loss().per_sample)
        tr.step()
    (entry,) = tr.history.epochs
    assert entry.epoch == 1
    assert entry.loss == pytest.approx(np.concatenate(per_sample).mean(), rel=1e-14)
    assert entry.val_loss is None and entry.val_accuracy is None
    assert tr.history.epoch_losses.tolist() == [entry.loss]


def _bce(y, p):
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def test_validation_data_loss_and_accuracy_per_epoch():
    X, y = binary_problem(30)
    X_val, y_val = binary_problem(12, seed=5)
    tr = sn.Trainer(binary_model(), X, y, loss="binary_crossentropy", learning_rate=0.5,
                    batch_size=8, validation_data=(X_val, y_val))
    for epoch in (1, 2):
        while tr.epoch < epoch:
            tr.step()
        p = tr.model.predict(X_val)[:, 0]
        entry = tr.history.epochs[-1]
        assert entry.val_loss == pytest.approx(_bce(y_val, p), rel=1e-13)
        assert entry.val_accuracy == pytest.approx(np.mean((p > 0.5) == (y_val == 1)))
    assert tr.history.val_losses.shape == (2,)
    np.testing.assert_array_equal(tr.X_val, X_val)


@pytest.mark.parametrize("n, split", [(20, 0.25), (10, 0.2), (10, 0.25), (10, 0.15), (7, 0.5),
                                      (100, 0.3)])
def test_validation_split_takes_the_last_rows_as_keras(n, split):
    """Keras: split_at = floor(n * (1 - validation_split)); train on [:split_at], validate on
    the rest."""
    X, y = binary_problem(n)
    split_at = int(math.floor(n * (1.0 - split)))
    tr = sn.Trainer(binary_model(), X, y, loss="binary_crossentropy", validation_split=split,
                    batch_size=1)
    np.testing.assert_array_equal(tr.X, X[:split_at])
    np.testing.assert_array_equal(tr.X_val, X[split_at:])
    np.testing.assert_array_equal(tr.y_val[:, 0], y[split_at:])
    assert tr.n_samples == split_at


def test_validation_split_is_evaluated_each_epoch():
    X, y = binary_problem(20)
    tr = sn.Trainer(binary_model(), X, y, loss="bce", validation_split=0.25, batch_size=5,
                    learning_rate=0.5)
    while tr.epoch < 1:
        tr.step()
    p = tr.model.predict(X[15:])[:, 0]
    assert tr.history.epochs[0].val_loss == pytest.approx(_bce(y[15:], p), rel=1e-13)


def test_validation_accuracy_for_sparse_labels_and_none_for_regression():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 2)), rng.integers(0, 3, size=12)
    Xv, yv = rng.normal(size=(6, 2)), rng.integers(0, 3, size=6)
    model = sn.Sequential([sn.Dense(2, 3, "softmax")], seed=0)
    tr = sn.Trainer(model, X, y, loss="sparse_categorical_crossentropy", batch_size=12,
                    validation_data=(Xv, yv))
    tr.step()
    assert tr.history.epochs[0].val_accuracy == pytest.approx(
        np.mean(model.predict(Xv).argmax(axis=1) == yv))
    reg = sn.Trainer(sn.Sequential([sn.Dense(2, 1)]), X, X[:, 0], loss="mse", batch_size=12,
                     validation_data=(Xv, Xv[:, 0]))
    reg.step()
    entry = reg.history.epochs[0]
    assert entry.val_accuracy is None
    assert entry.val_loss == pytest.approx(np.mean((reg.model.predict(Xv)[:, 0] - Xv[:, 0]) ** 2))


def test_setting_changes_are_events():
    tr = binary_trainer(learning_rate=0.5, batch_size=4)
    tr.step()
    tr.set_learning_rate(0.1)
    tr.set_batch_size(5)
    events = tr.history.events
    assert [(e.what, e.old, e.new, e.global_iteration) for e in events] == \
        [("learning_rate", 0.5, 0.1, 1), ("batch_size", 4, 5, 1)]
    assert "learning_rate" in repr(events[0]) and "0.1" in repr(events[0])


def test_set_weights_starts_the_descent_path_again():
    tr = binary_trainer()
    tr.step()
    tr.step()
    new = np.linspace(-1, 1, tr.model.n_params)
    tr.set_flat(new)
    np.testing.assert_array_equal(tr.model.get_flat(), new)
    np.testing.assert_array_equal(tr.history.weights, [new])
    tr.step()
    assert tr.history.weights.shape == (2, tr.model.n_params)
    np.testing.assert_array_equal(tr.history.weights[0], new)
    assert len(tr.history.iterations) == 3  # the losses keep the whole run


def test_reprs_are_readable():
    tr = binary_trainer(n=10, batch_size=5)
    tr.step()
    tr.step()
    it, ep = tr.history.iterations[-1], tr.history.epochs[-1]
    assert "epoch 1" in repr(it) and "iteration 2" in repr(it) and f"{it.loss:.6g}" in repr(it)
    assert f"loss={ep.loss:.6g}" in repr(ep)
    assert "2 iterations" in repr(tr.history) and "1 epochs" in repr(tr.history)


def test_history_grows_past_its_first_buffer_and_hands_out_copies(monkeypatch):
    from stepnn import history
    monkeypatch.setattr(history, "FIRST_PATH_ROWS", 16)
    monkeypatch.setattr(history, "FIRST_SAMPLES", 8)
    tr = binary_trainer(n=10, batch_size=1)
    flats = [tr.model.get_flat()]
    batches = []
    for _ in range(40):  # beyond the 16 rows and the 8 samples the history starts with
        tr.step()
        flats.append(tr.model.get_flat())
        batches.append(tr.last_forward.indices)
    np.testing.assert_array_equal(tr.history.weights, np.array(flats))
    assert [e.indices.tolist() for e in tr.history.iterations] == [b.tolist() for b in batches]
    losses = tr.history.losses
    losses[:] = 0.0
    tr.history.weights[:] = 0.0
    assert tr.history.losses[0] != 0.0 and np.array_equal(tr.history.weights[-1], flats[-1])
    entries = tr.history.iterations
    assert len(entries) == 40 and entries[-1].global_iteration == 40
    assert [e.global_iteration for e in entries[2:5]] == [3, 4, 5]
    np.testing.assert_array_equal(tr.history.global_iterations, np.arange(1, 41))
    np.testing.assert_array_equal(tr.history.iteration_epochs, np.arange(40) // 10 + 1)
    np.testing.assert_array_equal(tr.history.iteration_numbers, np.arange(40) % 10 + 1)
    assert tr.history.learning_rates.tolist() == [tr.learning_rate] * 40
    with pytest.raises(IndexError, match="40 iterations"):
        entries[40]


def test_history_after_undo_and_new_steps_holds_the_new_run():
    tr = binary_trainer(n=10, batch_size=2, learning_rate=0.3)
    for _ in range(20):
        tr.step()
    kept = tr.history.weights
    for _ in range(4 * 3):
        tr.undo()
    tr.set_learning_rate(0.1)
    for _ in range(3):
        tr.step()
    W = tr.history.weights
    np.testing.assert_array_equal(W[:18], kept[:18])
    assert not np.array_equal(W[18:], kept[18:21])
    np.testing.assert_array_equal(W[-1], tr.model.get_flat())
    assert tr.history.learning_rates[-3:].tolist() == [0.1] * 3
    assert len(tr.history) == 20


def test_the_descent_path_is_thinned_to_a_bounded_size_and_holds_true_weights(monkeypatch):
    from stepnn import history
    monkeypatch.setattr(history, "PATH_BYTES", 1)  # the least: 16 rows
    tr = binary_trainer(n=10, batch_size=2)
    flats = [tr.model.get_flat()]
    for _ in range(200):
        tr.step()
        flats.append(tr.model.get_flat())
        iters, W = tr.history.path()
        assert len(W) <= 17 and iters[0] == 0 and iters[-1] == tr.global_iteration
        np.testing.assert_array_equal(W, np.array(flats)[iters])
    assert np.all(np.diff(iters[:-1]) == iters[1] - iters[0]) and iters[1] > 1  # every k-th
    entries = tr.history.iterations
    assert entries[-1].weights is not None and entries[2].weights is None
    assert len(tr.history.losses) == 200  # the scalars keep every iteration


def test_history_is_indexed_like_a_list_of_iterations():
    tr = binary_trainer()
    for _ in range(5):
        tr.step()
    h = tr.history
    assert h[0].loss == h.iterations[0].loss and h[-1].global_iteration == 5
    assert h[np.int64(2)].loss == h.iterations[2].loss
    assert [e.loss for e in h[1:3]] == [e.loss for e in h.iterations[1:3]]
    assert [entry.loss for entry in h] == list(h.losses)
    with pytest.raises(IndexError, match="5 iterations"):
        h[5]
    with pytest.raises(TypeError, match=r"history\.losses.*history\.epoch_losses"):
        h["loss"]        # Keras' history.history["loss"] habit: the message says where to look
    with pytest.raises(TypeError, match=r"received 1\.5 \(float\)"):
        h[1.5]
    with pytest.raises(TypeError, match=r"received 1\.0 \(float\)"):
        h.iterations[1.0]  # the same words on the sequence itself (was a bare slicing error)
    with pytest.raises(TypeError, match="not a dict"):
        h.iterations["loss"]
    assert h.iterations[np.int64(-1)].global_iteration == 5
    assert len(h) == 5


def test_the_descent_path_takes_weights_in_any_memory_layout():
    """Rows are copied into the path as raw bytes; weights that are not C-contiguous (a
    transposed array, a strided view) are copied element by element, with the same numbers."""
    from stepnn.history import History
    rng = np.random.default_rng(0)
    first = [rng.normal(size=(3, 2)), rng.normal(size=2)]
    h = History(np.concatenate([p.ravel() for p in first]))
    rows = []
    for g in range(1, 40):
        W = np.asfortranarray(rng.normal(size=(3, 2))) if g % 3 else rng.normal(size=(2, 3)).T
        b = rng.normal(size=4)[::2] if g % 2 else rng.normal(size=2)
        h.record_iteration(1, g, g, 0, 1, 0.5, 0.1, 0.1, 1, [W, b])
        rows.append(np.concatenate([W.ravel(), b]))
    h.show(39, 0, 0, [W, b])
    np.testing.assert_array_equal(h.weights[1:], np.array(rows))
