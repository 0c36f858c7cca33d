"""Undo, redo and goto over the whole run: after any sequence of phases, moves and setting
changes, the trainer equals, bit for bit, a fresh trainer that did only the actions still in
force (weights, optimizer state, shuffling, history, phase, records)."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stepnn as sn

from .helpers import binary_problem, binary_trainer


def _trainer(**kwargs):
    options = dict(n=11, batch_size=3, optimizer="adam", learning_rate=0.05)
    options.update(kwargs)
    return binary_trainer(**options)


def _records(tr):
    f, lo, b, u = tr.last_forward, tr.last_loss, tr.last_backward, tr.last_update
    return (None if f is None else (f.indices, f.x, f.z, f.a),
            None if lo is None else (lo.value, lo.per_sample, lo.y_true, lo.data_loss, lo.penalty),
            None if b is None else (b.grads, b.dz, b.da, b.grad_norm, b.fused, b.penalty_dW),
            None if u is None else (u.old, u.new, u.learning_rate, u.optimizer))


def observed(tr) -> dict:
    """Everything undo, redo and goto must restore, as plain values."""
    h = tr.history
    s = tr.state
    return dict(
        weights=tr.model.get_weights(), phase=tr.next_phase,
        counters=(s.epoch, s.iteration, s.global_iteration, s.samples_seen, s.cursor,
                  s.epoch_loss_sum, s.epoch_count, s.n_events),
        order=s.order, rng=repr(s.rng_state), optimizer=repr(tr.optimizer),
        optimizer_state=tr.optimizer_state, batch_size=tr.batch_size, loss=tr.loss_fn.name,
        regularizers=repr(tr.state.regularizers), data=(tr.X, tr.state.data.y, tr.X_val, tr.y_val),
        layer_regularizers=repr([layer.kernel_regularizer for layer in tr.model.layers]),
        y=tr.y, pending=repr(tr.pending), records=_records(tr),
        losses=h.losses, grad_norms=h.grad_norms, learning_rates=h.learning_rates,
        batch_sizes=h.batch_sizes, epochs_of=h.iteration_epochs,
        indices=[e.indices for e in h.iterations], path=h.path(),
        epochs=[repr(e) for e in h.epochs], events=[repr(e) for e in h.events],
        next_settings=repr(tr.next_settings))


def _same(a, b, where="", close: bool = False) -> None:
    """a and b equal, bit for bit; ``close``: floats up to their last bits (rtol 1e-12)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for k in a:
            _same(a[k], b[k], f"{where}.{k}", close)
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]", close)
    elif close and isinstance(a, (np.ndarray, float)) and np.asarray(a).dtype.kind == "f":
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-15, err_msg=where)
    elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert np.array_equal(a, b, equal_nan=True), where  # bit for bit (NaN where NaN)
    else:
        assert a == b or (a != a and b != b), (where, a, b)


def do(tr, action) -> None:
    """One action of the log on a trainer, through the public API."""
    name = action[0]
    if name in sn.PHASES:
        getattr(tr, name)()
    elif name == "learning_rate":
        tr.learning_rate = action[1]
    elif name == "batch_size":
        tr.batch_size = action[1]
    elif name == "optimizer":
        tr.optimizer = action[1]
    elif name == "loss_fn":
        tr.loss_fn = action[1]
    elif name == "regularizer":
        if action[2] is None:
            tr.kernel_regularizer = action[1]
        else:
            tr.set_regularizer(action[1], layer=action[2])
    elif name == "data":
        _, n, seed, split = action
        X, y = binary_problem(n, seed)
        tr.set_data(X, y, validation_split=split)
    elif name == "weights":
        tr.set_flat(np.random.default_rng(action[1]).normal(size=tr.model.n_params))
    else:
        raise AssertionError(name)


def start_of(log: list, k: int) -> int:
    """Where goto(k) stands: before the (k + 1)-th forward of the log, or at its end."""
    starts = [i for i, a in enumerate(log) if a[0] == "forward"]
    return starts[k] if k < len(starts) else len(log)


MOVES = st.one_of(
    st.tuples(st.sampled_from(["phase", "phase", "phase", "step", "undo", "undo", "redo"])),
    st.tuples(st.just("goto"), st.floats(0, 1)),
    st.tuples(st.just("learning_rate"), st.sampled_from([0.01, 0.1, 0.5])),
    st.tuples(st.just("batch_size"), st.integers(1, 11)),
    st.tuples(st.just("optimizer"), st.sampled_from(["sgd", "adam", "rmsprop"])),
    st.tuples(st.just("loss_fn"), st.sampled_from(["binary_crossentropy", "mse"])),
    st.tuples(st.just("weights"), st.integers(0, 3)),
    st.tuples(st.just("regularizer"),
              st.sampled_from([None, "l1", "l2", "l1_l2", sn.regularizers.L1(0.3),
                               sn.regularizers.L2(0.2)]),
              st.sampled_from([None, 0, 1, -1])),
    st.tuples(st.just("data"), st.sampled_from([4, 11, 16]), st.integers(0, 2),
              st.sampled_from([0.0, 0.25])),
)


def play(tr, moves):
    """Apply random moves; return the log of actions and how many are in force."""
    log, at = [], 0
    for move in moves:
        kind = move[0]
        if kind == "undo":
            assert (tr.undo() is None) == (at == 0)
            at = max(at - 1, 0)
        elif kind == "redo":
            assert (tr.redo() is None) == (at == len(log))
            at = min(at + 1, len(log))
        elif kind == "goto":
            k = int(round(move[1] * tr.recorded_iterations))
            tr.goto(k)
            at = start_of(log, k)
        else:
            if kind == "weights" and tr.next_phase != "forward":
                continue
            if kind == "batch_size" and move[1] > tr.next_settings["data"].n:
                continue
            phases = ([tr.next_phase] if kind == "phase" else
                      list(sn.PHASES[sn.PHASES.index(tr.next_phase):]) if kind == "step" else [])
            actions = [(p,) for p in phases] or [move]
            for action in actions:
                do(tr, action)
                log, at = log[:at] + [action], at + 1
    return log, at


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moves=st.lists(MOVES, max_size=60), fused=st.booleans())
def test_any_moves_equal_a_fresh_trainer_doing_only_the_actions_in_force(moves, fused):
    tr = _trainer(fused=fused)
    log, at = play(tr, moves)
    fresh = _trainer(fused=fused)
    for action in log[:at]:
        do(fresh, action)
    _same(observed(fresh), observed(tr))
    assert tr.can_redo == (at < len(log))


def test_goto_anywhere_in_a_long_run_with_sparse_checkpoints(monkeypatch):
    """Checkpoints far apart (and thinned) still give every moment exactly."""
    from stepnn import timeline
    monkeypatch.setattr(timeline, "CHECKPOINT_EVERY", 8)
    monkeypatch.setattr(timeline, "RECENT", 6)
    monkeypatch.setattr(timeline, "CHECKPOINT_BYTES", 4000)
    tr = _trainer()
    for i in range(300):
        tr.step()
        if i == 150:
            tr.learning_rate = 0.2
            tr.forward()
            tr.batch_size = 4  # pending: applies at the next forward
    assert tr._timeline.every > 8  # the checkpoints were thinned
    fresh = _trainer()
    moments = {}
    for g in range(301):
        if g in (0, 37, 152, 299, 300):
            moments[g] = observed(fresh)
        if g < 300:
            fresh.step()
            if g == 150:
                fresh.learning_rate = 0.2
                moments[151] = observed(fresh)  # goto stands before the next forward
                fresh.forward()
                fresh.batch_size = 4
    for g in (299, 0, 152, 37, 151, 300, 37):
        tr.goto(g)
        _same(moments[g], observed(tr), f"goto({g})")
    tr.goto(37)
    tr.step()  # a new branch: the later iterations are dropped
    assert tr.recorded_iterations == 38 and not tr.can_redo


def test_goto_next_to_a_checkpoint_and_back_keeps_the_records(monkeypatch):
    """A replay from a state without records (a checkpoint, or a step's saved state) keeps
    that state in the recent window; going back to exactly that moment later must still show
    the records of the iteration before it."""
    from stepnn import timeline
    monkeypatch.setattr(timeline, "CHECKPOINT_EVERY", 4)
    tr = _trainer()
    fresh = _trainer()
    moments = [observed(fresh)]
    for _ in range(24):
        tr.step()
        fresh.step()
        moments.append(observed(fresh))
    for k in range(1, 21):
        for g in (k + 2, k, k + 1, k):
            tr.goto(g)
            _same(moments[g], observed(tr), f"goto({g}) on the way to {k}")
        assert tr.undo() == "update"
        tr.redo()
        _same(moments[k], observed(tr), f"undo and redo at {k}")


def test_undo_redo_and_goto_after_a_diverged_classifier():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])

    def make():
        model = sn.Sequential([sn.Dense(2, 4, "tanh"), sn.Dense(4, 1, "sigmoid")], seed=0)
        return sn.Trainer(model, X, y, loss="binary_crossentropy", learning_rate=1e12, batch_size=4)

    tr = make()
    reason = tr.fit(epochs=500, verbose=False)
    assert reason == "diverged" and "learning rate" in reason.message
    n = tr.global_iteration
    assert n < 500
    end = observed(tr)
    tr.goto(0)
    _same(observed(make()), observed(tr))
    tr.goto(n)
    _same(end, observed(tr))
    for _ in range(4 * n):
        tr.undo()
    while tr.redo() is not None:
        pass
    _same(end, observed(tr))


def test_goto_refuses_iterations_outside_the_run_and_changes_nothing():
    tr = _trainer()
    for _ in range(5):
        tr.step()
    before = observed(tr)
    for bad in (-1, 6, 2.5, "3", True):
        with pytest.raises(ValueError, match="from 0 .* to 5"):
            tr.goto(bad)
    _same(before, observed(tr))


def test_goto_keeps_the_changes_made_before_the_next_iteration():
    tr = _trainer()
    tr.step()
    tr.learning_rate = 0.3
    tr.step()
    tr.goto(1)
    assert tr.learning_rate == 0.3 and tr.global_iteration == 1 and tr.next_phase == "forward"
    tr.goto(0)
    assert tr.learning_rate == 0.05


def test_max_undo_limits_how_far_undo_goes():
    tr = _trainer(max_undo=3)
    tr.step()
    tr.step()
    assert [tr.undo() for _ in range(4)] == ["update", "backward", "loss", None]
    tr.goto(0)  # goto is not limited
    assert tr.global_iteration == 0


def test_the_state_prints_where_the_loop_stands():
    tr = _trainer()
    tr.step()
    tr.forward()
    tr.learning_rate = 0.2
    text = repr(tr.state)
    assert "global iteration 1" in text and "next phase loss" in text and "pending" in text
    assert "next: loss" in repr(tr)


@pytest.mark.parametrize("name, value, error", [
    ("learning_rate", -1.0, ValueError), ("learning_rate", "0.1", ValueError),
    ("batch_size", 0, ValueError), ("batch_size", 12, ValueError), ("batch_size", 2.5, TypeError),
    ("optimizer", "adamw", ValueError), ("loss_fn", "hinge", ValueError),
    ("loss_fn", "sparse_categorical_crossentropy", ValueError),
    ("shuffle", "no", TypeError), ("drop_last", 1, TypeError), ("fused", None, TypeError),
    ("seed", -1, ValueError), ("seed", "x", TypeError), ("max_undo", 0, ValueError),
    ("max_undo", 2.5, TypeError), ("loss", "mse", AttributeError),
    ("loss", sn.losses.get("mse"), AttributeError), ("lr", 0.1, AttributeError),
    ("learnig_rate", 0.1, AttributeError), ("batchsize", 8, AttributeError),
    ("criterion", "mse", AttributeError)])
def test_bad_assignments_raise_and_change_nothing(name, value, error):
    tr = _trainer()
    tr.step()
    tr.forward()
    before = observed(tr)
    with pytest.raises(error):
        setattr(tr, name, value)
    _same(before, observed(tr))
    assert not tr.can_redo


def test_assignment_follows_the_same_rule_as_set():
    a, b = _trainer(), _trainer()
    for tr in (a, b):
        tr.step()
        tr.forward()
    a.learning_rate, a.batch_size, a.optimizer = 0.2, 5, "sgd"
    b.set_learning_rate(0.2)
    b.set_batch_size(5)
    b.set_optimizer("sgd")
    assert a.learning_rate == 0.05 and a.next_settings["learning_rate"] == 0.2  # mid-iteration
    for tr in (a, b):
        tr.step()
        tr.step()
    _same(observed(a), observed(b))
    assert a.learning_rate == 0.2 and a.batch_size == 5 and a.optimizer.name == "sgd"


def test_an_interrupt_inside_an_update_leaves_no_half_update(monkeypatch):
    tr = _trainer()
    tr.step()
    tr.forward(), tr.loss(), tr.backward()
    before = observed(tr)
    real = sn.optimizers.Adam._step

    def interrupted(self, *args):
        real(self, *args)
        raise KeyboardInterrupt

    monkeypatch.setattr(sn.optimizers.Adam, "_step", interrupted)
    with pytest.raises(KeyboardInterrupt):
        tr.update()
    monkeypatch.setattr(sn.optimizers.Adam, "_step", real)
    _same(before, observed(tr))
    tr.update()
    reference = _trainer()
    reference.step()
    reference.step()
    _same(observed(reference), observed(tr))


@pytest.mark.parametrize("failing", ["forward", "loss", "backward", "update"])
def test_an_interrupt_inside_step_keeps_the_phases_before_it(monkeypatch, failing):
    """step() runs its phases as one call with one saved state; an interrupt in one of them
    leaves the trainer just before that phase, the phases before it done, as if each phase had
    been called alone, and undo, redo and goto still see the run exactly."""
    tr = _trainer()
    tr.step()
    reference = _trainer()
    reference.step()
    for phase in sn.trainer.PHASES[:sn.trainer.PHASES.index(failing)]:
        getattr(reference, phase)()
    real = getattr(sn.Trainer, "_" + failing)

    def interrupted(self):
        real(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(sn.Trainer, "_" + failing, interrupted)
    with pytest.raises(KeyboardInterrupt):
        tr.step()
    monkeypatch.setattr(sn.Trainer, "_" + failing, real)
    _same(observed(reference), observed(tr))
    tr.step()
    reference.step()
    _same(observed(reference), observed(tr))
    tr.undo(), reference.undo()
    _same(observed(reference), observed(tr))
    tr.goto(1), reference.goto(1)
    _same(observed(reference), observed(tr))


def test_undo_into_a_step_replays_its_phases_exactly():
    """step() keeps one saved state for its four phases: undoing into it replays from there."""
    stepped, phased = _trainer(), _trainer()
    for _ in range(3):
        stepped.step()
        for phase in sn.trainer.PHASES:
            getattr(phased, phase)()
    for _ in range(4 * 3):
        _same(observed(phased), observed(stepped))
        assert stepped.undo() == phased.undo()
    _same(observed(phased), observed(stepped))
    for _ in range(4 * 3):
        assert stepped.redo() == phased.redo()
        _same(observed(phased), observed(stepped))


def test_the_true_false_settings_are_settings_like_any_other():
    # shuffle, drop_last and fused: assigned mid-iteration they wait for the next forward, each
    # is a history event, and time travel over them is exact
    tr = _trainer()
    tr.step()
    tr.forward()
    tr.shuffle = False
    assert tr.shuffle is True and tr.next_settings["shuffle"] is False
    tr.step()
    assert tr.shuffle is True and tr.pending == {"shuffle": False}
    tr.step()  # its forward puts the change in force
    assert tr.shuffle is False and tr.history.events[-1].what == "shuffle"
    for _ in range(4):
        tr.step()
    tr.drop_last = True
    tr.fused = False
    for _ in range(7):
        tr.step()
    end = observed(tr)
    fresh = _trainer()
    fresh.step()
    fresh.forward()
    fresh.shuffle = False
    for _ in range(6):
        fresh.step()
    fresh.drop_last, fresh.fused = True, False
    for _ in range(7):
        fresh.step()
    _same(end, observed(fresh))
    tr.goto(2)
    assert tr.shuffle is True and tr.next_settings["shuffle"] is False
    tr.goto(3)
    assert (tr.shuffle, tr.drop_last, tr.fused) == (False, False, True)
    tr.goto(tr.recorded_iterations)
    _same(end, observed(tr))
    tr.reset()
    assert (tr.shuffle, tr.drop_last, tr.fused) == (True, False, True)


def test_a_name_a_student_reaches_for_says_which_setting_to_assign():
    tr = _trainer()
    tr.step()
    with pytest.raises(AttributeError, match=r"trainer\.loss_fn = 'mse'"):
        tr.loss = "mse"
    with pytest.raises(AttributeError, match=r"trainer\.learning_rate = "):
        tr.lr = 0.1
    tr.forward()
    assert tr.loss().value > 0  # the phase is still there
    tr.note = "mine"  # any other new name is the student's own
    assert tr.note == "mine"
    calls = []
    tr.step = lambda: calls.append(1)  # a function may stand in for a phase (a test's stand-in)
    tr.step()
    assert calls == [1]


def test_every_iteration_keeps_its_batch_when_a_new_branch_takes_more_of_an_epoch():
    """The history keeps each epoch's order of the samples once. With drop_last the next
    epoch's order is kept over the unused end of an epoch; going back into that epoch and taking
    more of it (smaller batches) still shows every iteration its own batch."""
    def trainer():
        return _trainer(n=11, batch_size=4, drop_last=True, optimizer="sgd")

    tr = trainer()
    for _ in range(3):  # epochs of 2 batches (3 samples unused): epoch 1, epoch 2's first batch
        tr.step()
    for phase in sn.PHASES:  # epoch 2's last batch phase by phase: undo keeps a whole state
        getattr(tr, phase)()
    tr.step()  # epoch 3: its order is kept over the unused end of epoch 2's
    while (tr.state.global_iteration, tr.next_phase) != (3, "forward"):
        tr.undo()
    tr.batch_size = 1  # the rest of epoch 2: 7 batches
    for _ in range(9):
        tr.step()
    fresh = trainer()
    for _ in range(3):
        fresh.step()
    fresh.batch_size = 1
    for _ in range(9):
        fresh.step()
    assert [len(e.indices) for e in tr.history.iterations] == [4, 4, 4] + [1] * 9
    _same(observed(fresh), observed(tr))
