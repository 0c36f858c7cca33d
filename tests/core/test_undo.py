"""Undo rewinds every phase and setting exactly (weights, optimizer moments, shuffling, counters,
history), back to the start; reset() and seeds make runs repeatable."""
import numpy as np
import pytest

import stepnn as sn

from .helpers import assert_same_state, binary_model, binary_problem, binary_trainer, snapshot


def _adam_trainer(seed=0, **kwargs):
    return binary_trainer(n=10, batch_size=4, optimizer="adam", learning_rate=0.05, seed=seed,
                          **kwargs)


def _run(tr, n_iterations):
    for _ in range(n_iterations):
        tr.step()
    return tr


def _same_history(a, b):
    np.testing.assert_array_equal(a.history.losses, b.history.losses)
    np.testing.assert_array_equal(a.history.weights, b.history.weights)
    for ea, eb in zip(a.history.iterations, b.history.iterations):
        np.testing.assert_array_equal(ea.indices, eb.indices)
    assert [e.loss for e in a.history.epochs] == [e.loss for e in b.history.epochs]


def test_undo_rewinds_each_phase_exactly_and_redo_gives_the_same_numbers():
    tr = _adam_trainer()
    for _ in range(4 * 7):  # seven iterations: across two epoch boundaries
        phase = tr.next_phase
        before = snapshot(tr)
        first = getattr(tr, phase)()
        assert tr.undo() == phase
        assert_same_state(before, snapshot(tr))
        again = getattr(tr, phase)()
        if phase == "forward":
            np.testing.assert_array_equal(again.indices, first.indices)
            np.testing.assert_array_equal(again.a[-1], first.a[-1])
        elif phase == "loss":
            assert again.value == first.value
        elif phase == "backward":
            for g1, g2 in zip(again.grads, first.grads):
                np.testing.assert_array_equal(g1, g2)
        else:
            for w1, w2 in zip(again.new, first.new):
                np.testing.assert_array_equal(w1, w2)
    assert tr.global_iteration == 7 and tr.epoch == 2


def test_undo_restores_adam_moments():
    tr = _run(_adam_trainer(), 2)
    state = {k: [a.copy() for a in v] if isinstance(v, list) else v
             for k, v in tr.optimizer_state.items()}
    tr.step()
    assert tr.optimizer_state["t"] == 3
    assert tr.undo() == "update"
    assert tr.optimizer_state["t"] == 2
    for key in ("m", "v"):
        for a, b in zip(tr.optimizer_state[key], state[key]):
            np.testing.assert_array_equal(a, b)


def test_next_epochs_permutation_after_undo_equals_the_one_without_undo():
    plain = _run(_adam_trainer(), 3)  # epoch 1 done (10 samples in batches 4, 4, 2)
    assert plain.epoch == 1
    undone = _run(_adam_trainer(), 3)
    first_try = undone.forward().indices  # draws epoch 2's permutation
    undone.undo()
    undone.undo()  # and the last update of epoch 1
    undone.step()
    np.testing.assert_array_equal(undone.forward().indices, first_try)
    np.testing.assert_array_equal(plain.forward().indices, first_try)
    _run(plain, 6)
    _run(undone, 6)
    _same_history(plain, undone)


def test_undo_all_the_way_back_equals_a_fresh_trainer():
    tr = _adam_trainer()
    _run(tr, 5)
    tr.set_learning_rate(0.01)
    tr.set_batch_size(3)
    tr.forward()
    tr.set_optimizer("sgd")  # pending: waits for the next iteration
    tr.loss()
    tr.step()
    tr.set_flat(np.zeros(tr.model.n_params))
    tr.forward()
    names = []
    while tr.can_undo:
        names.append(tr.undo())
    assert tr.undo() is None
    assert names[0] == "forward" and names[-1] == "forward"
    fresh = _adam_trainer()
    assert_same_state(snapshot(fresh), snapshot(tr))
    _run(fresh, 8)
    _run(tr, 8)
    _same_history(fresh, tr)


def test_undo_of_setting_changes():
    tr = binary_trainer(learning_rate=0.5, batch_size=4)
    tr.step()
    before = snapshot(tr)
    tr.set_learning_rate(0.2)
    tr.set_batch_size(5)
    tr.set_loss("mse")
    assert (tr.learning_rate, tr.batch_size, tr.loss_fn.name) == (0.2, 5, "mean_squared_error")
    for _ in range(3):
        tr.undo()
    assert_same_state(before, snapshot(tr))
    tr.forward()
    before = snapshot(tr)
    tr.set_learning_rate(0.3)  # mid-iteration: pending
    assert tr.pending
    tr.undo()
    assert_same_state(before, snapshot(tr))


def test_undo_of_set_weights():
    tr = _run(binary_trainer(), 2)
    before = snapshot(tr)
    tr.set_weights([np.ones_like(w) for w in tr.model.get_weights()])
    assert tr.undo() == "set_weights"
    assert_same_state(before, snapshot(tr))


def test_reset_returns_to_the_start():
    tr = _adam_trainer()
    start = snapshot(tr)
    _run(tr, 6)
    tr.set_learning_rate(0.3)
    tr.forward()
    tr.reset()
    assert_same_state(start, snapshot(tr))
    assert not tr.can_undo and tr.undo() is None
    fresh = _adam_trainer()
    _run(fresh, 5)
    _run(tr, 5)
    _same_history(fresh, tr)


def test_reset_with_a_seed_is_a_new_start_from_that_seed():
    tr = _adam_trainer(seed=0)
    _run(tr, 3)
    tr.reset(seed=5)
    X, y = binary_problem(10)
    other = sn.Trainer(binary_model(seed=5), X, y, loss="binary_crossentropy", optimizer="adam",
                       learning_rate=0.05, batch_size=4, seed=5)
    np.testing.assert_array_equal(tr.model.get_flat(), other.model.get_flat())
    _run(tr, 4)
    _run(other, 4)
    _same_history(tr, other)


def test_reset_keep_settings():
    tr = _adam_trainer()
    tr.step()
    tr.set_learning_rate(0.2)
    tr.set_batch_size(2)
    tr.reset(keep_settings=True)
    assert (tr.learning_rate, tr.batch_size, tr.global_iteration) == (0.2, 2, 0)
    tr.reset()
    assert (tr.learning_rate, tr.batch_size) == (0.05, 4)


def test_same_seed_same_run_other_seed_other_run():
    a, b = _run(_adam_trainer(seed=1), 9), _run(_adam_trainer(seed=1), 9)
    _same_history(a, b)
    c = _run(_adam_trainer(seed=2), 9)
    assert not np.array_equal(a.history.losses, c.history.losses)
    assert not np.array_equal(a.history.iterations[0].indices, c.history.iterations[0].indices)


@pytest.mark.parametrize("shuffle", [True, False])
def test_fit_is_deterministic(shuffle):
    a = _adam_trainer(shuffle=shuffle)
    b = _adam_trainer(shuffle=shuffle)
    a.fit(epochs=3, verbose=False)
    b.fit(epochs=3, verbose=False)
    _same_history(a, b)


def test_max_undo_keeps_only_the_newest_steps_and_they_still_rewind_exactly():
    capped = _adam_trainer(max_undo=8)
    reference = _adam_trainer()
    _run(capped, 5)
    _run(reference, 3)
    undone = 0
    while capped.undo() is not None:
        undone += 1
    assert undone == 8  # two iterations of four phases: the oldest steps were forgotten
    assert capped.global_iteration == 3
    _same_history(capped, reference)
    np.testing.assert_array_equal(capped.model.get_flat(), reference.model.get_flat())


def test_max_undo_must_be_a_positive_whole_number():
    with pytest.raises((TypeError, ValueError), match="max_undo"):
        _adam_trainer(max_undo=0)


def test_reset_keeping_settings_keeps_the_changes_still_waiting_for_the_next_iteration():
    tr = _adam_trainer()
    tr.forward()
    tr.set_learning_rate(0.2)
    tr.set_batch_size(3)
    assert tr.next_settings["learning_rate"] == 0.2 and tr.next_settings["batch_size"] == 3
    assert tr.learning_rate == 0.05  # still the running iteration's
    tr.reset(keep_settings=True)
    assert (tr.learning_rate, tr.batch_size, tr.pending) == (0.2, 3, {})
    tr.reset()
    assert (tr.learning_rate, tr.batch_size) == (0.05, 4)
