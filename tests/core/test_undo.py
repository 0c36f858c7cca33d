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


def _records(tr):
    """Deep copies of the values the current records show (forward z/a, loss, gradients)."""
    f, lo, b = tr.last_forward, tr.last_loss, tr.last_backward
    return (None if f is None else ([z.copy() for z in f.z], [a.copy() for a in f.a], f.indices.copy()),
            None if lo is None else (lo.value, lo.per_sample.copy()),
            None if b is None else ([g.copy() for g in b.grads], [d.copy() for d in b.dz], b.grad_norm))


def _same_records(expected, tr):
    actual = _records(tr)
    for want, got in zip(expected, actual):
        assert (want is None) == (got is None)
        if want is not None:
            assert _equal_nested(want, got)


def _equal_nested(a, b):
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_equal_nested(x, y) for x, y in zip(a, b))
    return np.array_equal(a, b)


@pytest.mark.parametrize("fused", [True, False])
def test_undo_far_back_shows_each_phases_records_again(fused):
    """Older iterations' records are let go and recomputed by undo: the same numbers, bit for bit,
    even where the loss was switched at an iteration boundary after they were computed."""
    tr = binary_trainer(n=10, batch_size=4, optimizer="adam", learning_rate=0.05, fused=fused)
    seen = []
    for i in range(4 * 6):
        getattr(tr, tr.next_phase)()
        seen.append(_records(tr))
        if i == 4 * 2 - 1:  # after the second iteration, at its boundary
            tr.set_loss("mse")
            seen.append(_records(tr))
    names = []
    while seen:
        _same_records(seen.pop(), tr)
        names.append(tr.undo())
    assert names[-1] == "forward" and tr.undo() is None
    assert tr.last_forward is None and tr.last_loss is None and tr.last_backward is None


def test_old_records_are_let_go_and_undo_brings_them_back_by_replay():
    import gc
    import weakref
    tr = binary_trainer(n=12, batch_size=4)
    first = tr.forward()
    ref = weakref.ref(first)
    values = [a.copy() for a in first.a]
    del first
    for _ in range(20):
        tr.step()
    first_loss = tr.history.losses[0]
    gc.collect()
    assert ref() is None  # 20 iterations later, beyond the recent window, nothing holds it
    for _ in range(4 * 20 - 1):
        tr.undo()
    assert tr.next_phase == "loss" and tr.global_iteration == 0
    for want, got in zip(values, tr.last_forward.a):
        np.testing.assert_array_equal(want, got)
    assert tr.loss().value == first_loss


def test_the_latest_records_are_restored_as_the_same_objects():
    tr = _run(binary_trainer(n=10, batch_size=4), 3)
    f, lo, b = tr.forward(), tr.loss(), tr.backward()
    tr.update()
    assert tr.undo() == "update"
    assert tr.last_forward is f and tr.last_loss is lo and tr.last_backward is b


def _observed(tr):
    """What a student can see, records' numbers included (not their identity)."""
    state = snapshot(tr)
    del state["last"]
    state["pending"] = repr(tr.pending)  # optimizer and loss objects: compared by what they show
    state["records"] = _records(tr)
    u = tr.last_update
    state["update"] = None if u is None else ([w.copy() for w in u.old], [w.copy() for w in u.new])
    return state


@pytest.mark.parametrize("seed", range(6))
def test_random_actions_then_undo_all_the_way_retraces_every_state(seed):
    """Random phases, steps, setting changes and weight settings; then undo, one action at a
    time, must pass back through every state seen on the way, records included."""
    rng = np.random.default_rng(seed)
    tr = binary_trainer(n=11, batch_size=3, optimizer="adam", learning_rate=0.05,
                        fused=bool(seed % 2), max_undo=None)
    seen = [_observed(tr)]
    for _ in range(60):
        action = rng.choice(["phase", "phase", "phase", "step", "lr", "batch", "loss", "weights",
                             "optimizer"])
        if action == "phase":
            getattr(tr, tr.next_phase)()
        elif action == "step":
            tr.step()
        elif action == "lr":
            tr.set_learning_rate(float(rng.choice([0.01, 0.1, 0.3])))
        elif action == "batch":
            tr.set_batch_size(int(rng.integers(1, 12)))
        elif action == "loss":
            tr.set_loss(str(rng.choice(["binary_crossentropy", "mse"])))
        elif action == "optimizer":
            tr.set_optimizer(str(rng.choice(["sgd", "adam", "rmsprop"])))
        elif tr.next_phase == "forward":
            tr.set_flat(rng.normal(size=tr.model.n_params))
        else:
            continue
        # step() is up to four undo steps: record the states in between as undo will see them
        seen.append(_observed(tr))
    targets = seen[::-1]
    state = targets.pop(0)
    while tr.can_undo:
        tr.undo()
        now = _observed(tr)
        if targets and all(_equal_state(targets[0], now, k) for k in targets[0]):
            targets.pop(0)
    assert not targets, f"{len(targets)} recorded states were never revisited by undo"
    assert_same_state(seen[0], now)


def _equal_state(a, b, key):
    from .helpers import _equal
    if key == "records":
        return all((x is None) == (y is None) and (x is None or _equal_nested(x, y))
                   for x, y in zip(a[key], b[key]))
    if key == "update":
        return (a[key] is None) == (b[key] is None) and (a[key] is None or _equal_nested(a[key], b[key]))
    return _equal(a[key], b[key])


def test_a_change_at_the_boundary_comes_after_the_ones_still_waiting():
    tr = binary_trainer(optimizer="adam", learning_rate=0.05)
    tr.forward()
    tr.set_optimizer("sgd", learning_rate=0.3)
    tr.set_learning_rate(0.01)  # both wait for the next iteration
    tr.step()
    waiting = snapshot(tr)
    assert tr.pending and tr.next_phase == "forward"
    tr.set_optimizer("rmsprop")  # at the boundary: keeps the waiting rate 0.01
    assert not tr.pending
    assert tr.optimizer.name == "rmsprop" and tr.learning_rate == 0.01
    tr.step()
    assert tr.history.iterations[-1].learning_rate == 0.01 and tr.optimizer.name == "rmsprop"
    for _ in range(5):
        tr.undo()
    assert_same_state(waiting, snapshot(tr), ignore=("pending",))
    assert list(tr.pending) == ["optimizer", "learning_rate"] and tr.pending["learning_rate"] == 0.01
