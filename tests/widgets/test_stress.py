"""500 random clicks and control changes on a StepThrough (fixed seed): after every one, the
trainer's counters, its history, the status line, the buttons and the views must agree."""
import numpy as np

from stepnn.views.style import loss_number
from stepnn.widgets.controller import upcoming
from stepnn.widgets.stepthrough import OPTIMIZERS, StepThrough

from .test_views import make_trainer

N_ACTIONS = 500
SEED = 20240601
LOOP = ("forward", "loss", "backward", "update")
LEARNING_RATES = (1e-3, 0.03, 0.1, 0.3, 1.0)
DIVERGING = 10.0   # reaches an infinite loss on this problem after about 120 iterations


def check_consistent(board, expected_errors: int, what: str) -> None:
    tr = board.trainer
    its = tr.history.iterations
    assert tr.global_iteration == len(its), what
    assert tr.samples_seen == sum(len(e.indices) for e in its), what
    assert all(len(e.indices) <= e.batch_size for e in its), what
    assert 0 <= tr.iteration < tr.iterations_per_epoch, what
    assert len(tr.history.epochs) == tr.epoch, what
    status = board.status.value
    assert (f"epochs done {tr.epoch} · iteration {tr.iteration}/{tr.iterations_per_epoch} · "
            f"global iteration {tr.global_iteration} · samples seen {tr.samples_seen}") in status, what
    if tr.last_loss is not None:
        assert f"loss {loss_number(tr.last_loss.value)}" in status, what
    assert f"next: {tr.next_phase}" in status, what
    assert "stopped" not in status, what     # why a run stopped is said once, in the message area
    enabled = [p for p in LOOP if not board.buttons[p].disabled]
    assert enabled == [tr.next_phase], what
    new = upcoming(tr)
    assert board.controls["batch_size"].value == new["batch_size"], what
    assert np.isclose(board.controls["learning_rate"].value, new["learning_rate"]), what
    assert board.controls["loss_function"].value == new["loss"], what
    np.testing.assert_array_equal(board.views["curves"].line.get_ydata(), tr.history.losses, err_msg=what)
    assert len(board.errors) == expected_errors, (what, board.errors[expected_errors:])
    assert all("PhaseError" in e for e in board.errors), what


def test_random_actions_keep_counters_history_status_and_views_consistent():
    rng = np.random.default_rng(SEED)
    # relu and a linear output: nothing bounds the loss, so a large learning rate reaches inf
    tr = make_trainer(n=48, batch_size=8, validation_split=0.25, activation="relu", output="linear",
                      loss="mean_squared_error", learning_rate=0.03)      # 36 training samples
    board = StepThrough(tr, live=False, dpi=24, max_epochs=None)
    c = board.controls
    expected_errors, seen, diverged = 0, set(), False

    def phase():
        nonlocal expected_errors
        name = str(rng.choice(LOOP))
        expected_errors += name != tr.next_phase    # a disabled button clicked from code
        board.buttons[name].click()
        return name

    def play():
        board.play.playing = True
        for _ in range(int(rng.integers(1, 5))):
            board.play.value += 1
        if rng.random() < 0.7:
            board.play.playing = False
        return "play"

    def diverge():
        """Learning rate 10, batch size 1, no stopping criteria: Epoch until the run stops."""
        c["learning_rate"].value = DIVERGING
        c["batch_size"].value = 1
        for name in ("max_epochs", "target_loss", "patience"):
            c[name].value = 0
        for clicks in range(1, 21):
            board.buttons["epoch"].click()
            if board.stop_reason is not None:
                break
        return f"{board.stop_reason!r} after {clicks} epoch clicks"

    actions = {
        "diverge": diverge,
        "phase": phase,
        "step": lambda: board.buttons["step"].click(),
        "epoch": lambda: board.buttons["epoch"].click(),
        "play": play,
        "tick": board.tick,
        "undo": lambda: board.buttons["undo"].click(),
        "reset": lambda: board.buttons["reset"].click(),
        "learning_rate": lambda: setattr(c["learning_rate"], "value", float(rng.choice(LEARNING_RATES))),
        "batch_size": lambda: setattr(c["batch_size"], "value", int(rng.integers(1, tr.n_samples + 1))),
        "optimizer": lambda: setattr(c["optimizer"], "value", str(rng.choice([v for _, v in OPTIMIZERS]))),
        "loss_function": lambda: setattr(c["loss_function"], "value",
                                         str(rng.choice(c["loss_function"].options))),
        "seed": lambda: setattr(c["seed"], "value", int(rng.integers(0, 4))),
        "sample": lambda: setattr(c["sample"], "value", int(rng.integers(0, c["sample"].max + 1))),
        "speed": lambda: setattr(c["speed"], "value", int(rng.integers(1, 31))),
        "criteria": lambda: (setattr(c["max_epochs"], "value", int(rng.choice([0, 0, tr.epoch + 1]))),
                             setattr(c["target_loss"], "value", float(rng.choice([0.0, 0.0, 0.5]))),
                             setattr(c["patience"], "value", int(rng.choice([0, 1, 2])))),
    }
    names = list(actions)
    weights = np.array([0.2, 8, 4, 1, 2, 2, 3, 1, 2, 2, 1, 1, 1, 1, 1, 1], dtype=float)
    for k in range(N_ACTIONS):
        name = str(rng.choice(names, p=weights / weights.sum()))
        detail = actions[name]()
        seen.add(name)
        diverged |= bool(tr.diverged)
        check_consistent(board, expected_errors, f"action {k}: {name} {detail!r}")
    assert seen == set(names)
    assert diverged, "the run never diverged: the diverging learning rate path was not exercised"
