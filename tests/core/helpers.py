"""Shared test tools: central finite differences, labels per loss, small problems, state snapshots.

Everything here is computed independently of the code under test where that is possible: the
finite differences only call forward rules (activation.forward, the loss value), never a
backward rule.
"""
from __future__ import annotations

import copy

import numpy as np

import stepnn as sn

# Central differences in float64: truncation error ~ FD_STEP**2, round-off ~ 1e-16 / FD_STEP.
FD_STEP = 1e-6
FD_RTOL = 1e-6  # relative tolerance between backprop and finite differences
FD_ATOL = 1e-8  # absolute floor, for entries whose gradient is (nearly) zero

# Loss names by the labels they read.
REGRESSION = ("mean_squared_error", "mean_absolute_error")
CATEGORICAL = ("categorical_crossentropy", "cee")


def central_difference(f, x: np.ndarray, h: float = FD_STEP) -> np.ndarray:
    """d f() / dx for every entry of ``x`` (perturbed in place and restored): (f(x+h) - f(x-h)) / 2h.

    Written out here on purpose, although stepnn.gradcheck has the same few lines: a check must
    not lean on the code it checks.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        keep = x[idx]
        x[idx] = keep + h
        up = f()
        x[idx] = keep - h
        down = f()
        x[idx] = keep
        grad[idx] = (up - down) / (2.0 * h)
    return grad


def assert_gradients_close(analytic, numeric, what: str = "") -> None:
    np.testing.assert_allclose(analytic, numeric, rtol=FD_RTOL, atol=FD_ATOL, err_msg=what)


def labels_for(loss_name: str, rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """Random targets of the kind ``loss_name`` reads: reals, 0/1, one-hot rows or class indices."""
    canonical = sn.losses.get(loss_name).name
    if canonical in REGRESSION:
        return rng.normal(size=(n, k))
    if canonical == "binary_crossentropy":
        return rng.integers(0, 2, size=(n, k)).astype(np.float64)
    classes = rng.integers(0, k, size=n)
    if canonical == "sparse_categorical_crossentropy":
        return classes
    return np.eye(k)[classes]


def binary_problem(n: int = 20, seed: int = 0):
    """A 2-feature, two-class problem: X (n, 2) float64, y (n,) int in {0, 1}."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return X, y


def binary_model(hidden: int = 4, seed: int = 0) -> sn.Sequential:
    return sn.Sequential([sn.Dense(2, hidden, activation="tanh"),
                          sn.Dense(hidden, 1, activation="sigmoid")], seed=seed)


def binary_trainer(n: int = 20, batch_size: int = 6, **kwargs) -> sn.Trainer:
    X, y = binary_problem(n)
    options = dict(loss="binary_crossentropy", optimizer="sgd", learning_rate=0.5,
                   batch_size=batch_size, shuffle=True, seed=0)
    options.update(kwargs)
    return sn.Trainer(binary_model(), X, y, **options)


def loss_through(layers, loss_fn, y, start: int, value: np.ndarray, kind: str) -> float:
    """The batch loss when layer ``start``'s z (kind "z") or a (kind "a") is replaced by ``value``,
    propagated through the layers above with their forward rules only."""
    a = layers[start].activation.forward(value) if kind == "z" else value
    for layer in layers[start + 1:]:
        a = layer.activation.forward(a @ layer.W + layer.b)
    return float(np.mean(loss_fn.per_sample(y, a)))


def set_field(table, keys, value) -> None:
    """Set the field at ``keys`` (a path through nested dicts and lists, e.g. a session file's
    meta) to ``value``; ``value=KeyError`` deletes the field."""
    for key in keys[:-1]:
        table = table[key]
    if value is KeyError:
        del table[keys[-1]]
    else:
        table[keys[-1]] = value


def _freeze(obj):
    """A deep copy of nested dicts / lists / arrays, for later comparison."""
    return copy.deepcopy(obj)


def _equal(a, b) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(map(_equal, a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b)
    return a == b


def snapshot(tr: sn.Trainer) -> dict:
    """Everything a student can observe about a trainer (its public state), deep-copied."""
    return _freeze(dict(
        weights=tr.model.get_flat(), next_phase=tr.next_phase, epoch=tr.epoch,
        iteration=tr.iteration, global_iteration=tr.global_iteration,
        samples_seen=tr.samples_seen, batch_size=tr.batch_size, learning_rate=tr.learning_rate,
        loss=tr.loss_fn.name, optimizer=repr(tr.optimizer), optimizer_state=tr.optimizer_state,
        pending=tr.pending, stop_reason=tr.stop_reason, can_undo=tr.can_undo,
        iterations_per_epoch=tr.iterations_per_epoch, mode=tr.mode, y=tr.y, X=tr.X,
        history_losses=tr.history.losses, history_weights=tr.history.weights,
        history_lengths=(len(tr.history.iterations), len(tr.history.epochs),
                         len(tr.history.events)),
        last=[None if r is None else id(r) for r in
              (tr.last_forward, tr.last_loss, tr.last_backward, tr.last_update)],
    ))


def assert_same_state(before: dict, after: dict, ignore: tuple = ()) -> None:
    """Every entry of two snapshots equal (``ignore`` names entries not compared)."""
    differ = [key for key in before if key not in ignore and not _equal(before[key], after[key])]
    assert not differ, f"trainer state changed in: {differ}"
