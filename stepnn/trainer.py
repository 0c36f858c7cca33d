"""The training loop, one phase at a time: forward -> loss -> backward -> update, repeated.

A Trainer owns a model, the data and where the loop stands (``trainer.state``, a LoopState).
Each phase is a method that returns a record of what it computed. Phases run strictly in order.

Time travel: every phase, setting change and weight setting is an action on a timeline
(``stepnn.timeline``). ``undo()`` and ``redo()`` move one action back or forward, ``goto(k)``
stands where the run was after k iterations; each move is exact, bit for bit, because training
is deterministic and is replayed from a saved state.
"""
from __future__ import annotations

import difflib
import io
from contextlib import nullcontext, redirect_stdout
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np

from . import batching, losses, optimizers, regularizers, stopping, student
from ._checks import as_float_matrix, check_flag, check_seed, positive_float, positive_int, targets
from .backprop import raw_backward_pass
from .history import EpochEntry, Event, History
from .layers import dense_backward, dense_forward
from .losses import QUIET, raw_compute_loss
from .model import Sequential, flatten, raw_forward_pass
from .progress import ProgressBar
from .records import BackwardRecord, ForwardRecord, LossRecord, UpdateRecord
from .stopping import StopReason, accuracy, stop_word
from .terms import phrase
from .timeline import Timeline

__all__ = ["Trainer", "LoopState", "PhaseError", "PHASES", "TrainingData", "make_data"]

PHASES = ("forward", "loss", "backward", "update")
_STEP = [tuple((p,) for p in PHASES[i:]) for i in range(4)]  # the actions step() does, by phase
SETTINGS = ("learning_rate", "batch_size", "optimizer", "loss", "regularizers", "data", "shuffle",
            "drop_last", "fused")
FLAGS = ("shuffle", "drop_last", "fused")  # the settings that are True or False


class PhaseError(RuntimeError):
    """A phase was called out of order."""


@dataclass(repr=False, eq=False)
class LoopState:
    """Where the training loop stands, its weights and the settings in force: everything undo,
    redo and goto restore."""

    loss_fn: losses.Loss
    """The loss function in force."""
    y: np.ndarray
    """The training targets, shaped for ``loss_fn``."""
    y_val: "np.ndarray | None"
    """The validation targets shaped for ``loss_fn`` (None without validation data)."""
    optimizer: optimizers.Optimizer
    """The optimizer in force, with its learning rate."""
    batch_size: int
    """Samples per iteration."""
    regularizers: tuple
    """Per layer, the kernel regularizer in force (a ``stepnn.regularizers.Regularizer`` or None);
    the layers' ``kernel_regularizer`` hold the same."""
    data: "TrainingData"
    """The training and validation data in force (their targets as given)."""
    rng_state: dict
    """The shuffling generator's state, before the next epoch's order is drawn."""
    weights: list
    """The weights [W1, b1, W2, b2, ...], the same arrays as the model's layers hold."""
    shuffle: bool = True
    """Whether each epoch draws a fresh order of the samples."""
    drop_last: bool = False
    """Whether each epoch skips its smaller last batch."""
    fused: bool = True
    """Whether backward takes the fused output gradient (a - y) / N where the loss allows it."""
    pending: dict = field(default_factory=dict)
    """Setting changes made mid-iteration; they apply at the next forward() (see Trainer)."""
    phase: int = 0
    """The phase that runs next: 0 forward, 1 loss, 2 backward, 3 update."""
    epoch: int = 0
    """Completed epochs."""
    iteration: int = 0
    """Completed iterations in the current epoch."""
    global_iteration: int = 0
    """Completed iterations since the start."""
    samples_seen: int = 0
    """Samples used by the completed iterations."""
    order: "np.ndarray | None" = None
    """This epoch's order of the samples (None until the epoch's first forward)."""
    cursor: int = 0
    """How many samples of ``order`` this epoch has used."""
    opt_state: dict = field(default_factory=dict)
    """The optimizer's moments and step count."""
    epoch_loss_sum: float = 0.0
    """Sum of batch loss x batch size over this epoch's iterations."""
    epoch_count: int = 0
    """Samples in this epoch's iterations so far."""
    n_events: int = 0
    """Setting changes and weight settings so far (``history.events``)."""
    forward: "ForwardRecord | None" = None
    """The latest forward record (None before the first forward)."""
    loss: "LossRecord | None" = None
    """The latest loss record (None until this iteration's loss ran)."""
    backward: "BackwardRecord | None" = None
    """The latest backward record (None until this iteration's backward ran)."""
    update: "UpdateRecord | None" = None
    """The latest update record (None until an iteration ended)."""

    def copy(self) -> "LoopState":
        """A shallow copy (arrays and records are never modified in place, so they are shared)."""
        new = object.__new__(LoopState)
        new.__dict__ = self.__dict__.copy()  # a third of the cost of update() into an empty dict
        return new

    def drop_records(self) -> None:
        """Let go of the four records (a saved state that a replay rebuilds them for)."""
        self.forward = self.loss = self.backward = self.update = None

    def __repr__(self) -> str:
        pending = phrase("core.loop_state_pending", pending=self.pending) if self.pending else ""
        regs = phrase("core.loop_state_regularizers", regs=self.regularizers) if any(self.regularizers) else ""
        return phrase("core.loop_state", epoch=self.epoch, iteration=self.iteration,
                      global_iteration=self.global_iteration, samples=self.samples_seen,
                      phase=phrase(f"core.phase.{PHASES[self.phase]}"), optimizer=self.optimizer,
                      batch_size=self.batch_size, loss=self.loss_fn.name + regs, pending=pending)


class Trainer:
    """Trains a model on (X, y) one phase at a time.

    Args:
        model: the Sequential to train (its weights change).
        X: inputs, shape (n_samples, n_in).
        y: targets: (n_samples,) or (n_samples, k) as the loss expects (0/1 for binary
            cross-entropy, one-hot for categorical, integer classes for sparse categorical).
        loss: a Keras loss name (see ``stepnn.losses.NAMES``) or a Loss. It must fit the output
            layer (``stepnn.losses.fitting``): e.g. sigmoid + binary cross-entropy.
        optimizer: an optimizer name (``"sgd"``, ``"rmsprop"``, ``"adagrad"``, ``"adam"``) or an
            Optimizer object with its own hyperparameters.
        learning_rate: overrides the optimizer's learning rate (학습률) when given.
        batch_size: samples per iteration, 1..N; 1 is stochastic GD, N is full-batch GD.
            Default: min(32, N), as Keras.
        shuffle: draw a fresh order of the samples every epoch (without replacement).
        seed: seeds the shuffling (a whole number >= 0).
        drop_last: skip the smaller last batch of each epoch.
        validation_data: (X_val, y_val) evaluated at the end of every epoch.
        validation_split: fraction of (X, y) held out for validation; as Keras, the last rows.
        fused: use the fused output gradient (a - y) / N where the loss and the output
            activation pair up; the numbers equal the chain rule's.
        from_logits: the loss reads raw scores z (use a linear output layer).
        max_undo: how many of the latest actions ``undo()`` may step back over (None: all, back
            to the start). It limits undo only (``goto`` reaches any iteration); memory is
            bounded either way.
        use: your own functions in place of the package's, e.g.
            ``use={"dense_backward": dense_backward}``. The names (``stepnn.student.ACCEPTED``):
            "dense_forward", "relu", "sigmoid" and "softmax", run by forward() (an activation for
            the layers that have it); "dense_backward", "relu_derivative" and
            "sigmoid_derivative", run by backward(). Training goes on with what your functions
            return; each record's ``student`` field gives their largest difference from the
            package's own (see ``stepnn.student``).

    Attributes:
        state: where the loop stands (a LoopState: phase, epoch, iteration, settings, records,
            weights); ``print(trainer)`` shows it in one line.
        history: the run's History (loss per iteration, epochs, events, the descent path).
        stop_reason: why the last ``fit`` stopped.

    Settings are plain attributes: ``trainer.learning_rate = 0.01``, ``trainer.batch_size = 32``,
    ``trainer.optimizer = "adam"``, ``trainer.loss_fn = "mse"`` (``trainer.loss`` is the loss
    phase), ``trainer.kernel_regularizer = "l2"`` (every layer; ``set_regularizer(reg, layer=i)``
    for one), ``trainer.shuffle``, ``trainer.drop_last`` and ``trainer.fused`` (True or False).
    ``set_data(X, y, validation_split=...)`` changes the data. Each is checked on
    assignment (a bad value raises and changes nothing) and, like the ``set_*`` methods, applies
    at once between iterations or, mid-iteration, at the next forward(); undo, redo and goto
    see it. A name that only looks like a setting (``trainer.lr``, ``trainer.loss = "mse"``) is
    refused with the name to use. ``seed`` and ``max_undo`` are checked too; they change what
    ``reset()`` starts from and how far ``undo()`` reaches.

    A run is saved with ``stepnn.save(trainer, path)`` and continued with ``stepnn.load(path)``
    (see ``stepnn.sessions``).
    """

    def __init__(self, model: Sequential, X, y, loss="mse", optimizer="sgd",
                 learning_rate: "float | None" = None, batch_size: "int | None" = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False,
                 validation_data=None, validation_split: float = 0.0, fused: bool = True,
                 from_logits: bool = False, max_undo: "int | None" = None, use: "dict | None" = None):
        if not isinstance(model, Sequential):
            raise TypeError(phrase("errors.model_type", type=type(model).__name__))
        seed = check_seed(seed)
        shuffle, drop_last, fused, from_logits = (
            check_flag(name, flag) for name, flag in (("shuffle", shuffle), ("drop_last", drop_last),
                                                        ("fused", fused), ("from_logits", from_logits)))
        self.max_undo = max_undo
        self._use = student.check_use(use, model.layers)
        self.model = model
        loss_fn = losses.get(loss, from_logits=from_logits)
        data = make_data(X, y, model.sizes[0], validation_split, validation_data)
        y, y_val = data.labels_for(loss_fn, model.sizes[-1])
        self.check_fit(loss_fn, data)
        opt = optimizers.get(optimizer, learning_rate)
        n = data.n
        bs = min(32, n) if batch_size is None else self._check_batch_size(batch_size, n)
        self._seed = seed
        self._initial_settings = dict(
            loss_fn=loss_fn, y=y, y_val=y_val, optimizer=opt, batch_size=bs,
            regularizers=tuple(layer.kernel_regularizer for layer in model.layers), data=data,
            shuffle=shuffle, drop_last=drop_last, fused=fused)
        self._initial_weights = model.get_weights()
        self._generator = np.random.default_rng(self.seed)
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self, seed: "int | None" = None, keep_settings: bool = False) -> None:
        """Back to the initial state: first weights, epoch 0, empty history, nothing to undo.

        Args:
            seed: re-initialize the model and the shuffling with this seed instead.
            keep_settings: keep the settings the next iteration would use (pending changes
                included) instead of the initial ones.
        """
        keep_settings = check_flag("keep_settings", keep_settings)
        if seed is not None:
            self.seed = seed
            rng = np.random.default_rng(self.seed)
            for layer in self.model.layers:
                layer.initialize(rng)
            self._initial_weights = self.model.get_weights()
        else:
            self.model.set_weights(self._initial_weights)
        settings = dict(self._initial_settings)
        if keep_settings and hasattr(self, "state"):
            settings = {k: getattr(self.state, k) for k in settings}
            settings.update(self._settings_after(self.state.pending))
        self.state = LoopState(rng_state=np.random.default_rng(self.seed).bit_generator.state,
                               weights=self.model.params, **settings)
        self._put_regularizers(self.state.regularizers)
        self.stop_reason: "StopReason | None" = None
        """Why the last ``fit`` stopped (None after any other action or move)."""
        self.history = History(self.model.get_flat())
        self._timeline = Timeline(self.state.copy())
        # (completed iterations where the timeline starts, the first one goto reaches): (0, 0)
        # but for a trainer loaded from a session file (``stepnn.load``)
        self._loaded_at = (0, 0)

    def resume(self, state: LoopState, history: History, initial_data: "TrainingData") -> None:
        """Stand at a moment read from a session file (``stepnn.load``): its state and history,
        and the data the run started with (for ``reset``); the timeline starts there, so undo
        and goto reach back to that moment, not before."""
        self._initial_settings["data"] = initial_data
        self.history = history
        self._restore(state)
        self._timeline = Timeline(state.copy())
        self._loaded_at = (state.global_iteration, state.global_iteration + (1 if state.phase else 0))

    @property
    def initial_settings(self) -> dict:
        """The settings the run started with (what ``reset()`` goes back to): loss_fn, y, y_val
        (targets shaped for the loss), optimizer, batch_size, regularizers (per layer), data."""
        return dict(self._initial_settings)

    @property
    def initial_weights(self) -> list:
        """Copies of the weights the run started with, laid out as ``model.get_weights()``."""
        return [w.copy() for w in self._initial_weights]

    def _restore(self, saved: LoopState) -> None:
        """Stand where ``saved`` (a state kept by the timeline) stood. Its epoch's order goes back
        into the history: iterations after a redo tail dropped may take more of it."""
        self.state = s = saved.copy()
        self._put_layers(s.weights)
        self._put_regularizers(s.regularizers)
        if s.order is not None:
            self.history.record_order(s.samples_seen - s.cursor, s.order)
        self._show()

    def _put_layers(self, weights: list) -> None:
        arrays = iter(weights)  # W1, b1, W2, b2, ...
        for layer in self.model.layers:
            layer.W, layer.b = next(arrays), next(arrays)

    def _put_regularizers(self, regs: tuple) -> None:
        for layer, reg in zip(self.model.layers, regs):
            layer.kernel_regularizer = reg
        self._regularized = any(regs)  # read by every loss and backward phase

    def _show(self) -> None:
        """Let the history show the run up to here."""
        s = self.state
        self.history.show(s.global_iteration, s.epoch, s.n_events, s.weights)

    # ----------------------------------------------------------- time travel
    @np.errstate(**QUIET)  # as a decorator: about 0.4 us less per call than a with block
    def _act(self, *actions: tuple):
        """Do new actions here (the redo tail, if any, is dropped first); returns the last one's
        result. Overflow gives inf/NaN quietly (one errstate for all: it costs microseconds).

        Each action commits whole or not at all. Several actions in one call (``step()``'s
        phases) share one saved state, the one before the first: on an exception (Ctrl-C
        included) that state comes back and the actions completed before it are replayed, so
        the trainer stands just before the one that failed, as if each had been called alone.

        A whole iteration's saved state lets go of its records once the iteration's forward is
        done (see ``stepnn.timeline``): the last iteration's arrays are freed, as in a
        hand-written loop, and the new ones reuse their memory; a replay from the state
        rebuilds them."""
        timeline = self._timeline
        if timeline.at < len(timeline.actions):
            timeline.fork()
            self.history.forget_after()
        if self.stop_reason is not None:
            self.stop_reason = None
        if len(actions) == 1:
            return self._advance(actions[0])
        before = self.state.copy()
        light = before.phase == 0
        done = 0
        try:
            if light:  # a whole iteration: its phases written out (about 1 % of a small net's step)
                self._forward()
                done = 1
                before.drop_records()  # the forward is done, and a replay from here redoes it
                self._loss()
                done = 2
                self._backward()
                done = 3
                out = self._update()
                done = 4
            else:
                for action in actions:   # the rest of an iteration's phases
                    out = getattr(self, _PHASE_METHOD[action[0]])()
                    done += 1
        except BaseException:
            at = timeline.at
            self._restore(before)
            for action in actions[:done]:
                self._advance(action)
            if light and done:   # the state kept before the forward has no records
                timeline.replayed_from_light(at)
            raise
        timeline.passed(before, actions, light)
        return out

    def _advance(self, action: tuple):
        """Do the action due at the timeline's position (new, or replayed). It commits whole or
        not at all: on any exception, Ctrl-C included, the state before it comes back."""
        before = self.state.copy()
        try:
            phase = _PHASE_METHOD.get(action[0])
            out = getattr(self, phase)() if phase else _DO[action[0]](self, action)
        except BaseException:
            self._restore(before)
            raise
        self._timeline.passed(before, (action,))
        return out

    def _seek(self, target: int) -> None:
        """Stand after ``target`` actions: restore the nearest saved state, replay the rest.
        What a student's own functions (``use=``) print is not printed again by the replay."""
        timeline = self._timeline
        position, saved, light = timeline.start_for(target)
        if saved is not None:
            self._restore(saved)
            timeline.at = position
        quiet = redirect_stdout(_SILENT) if self._use else nullcontext()
        with np.errstate(**QUIET), quiet:
            while timeline.at < target:
                self._advance(timeline.actions[timeline.at])
        if light:
            timeline.replayed_from_light(position)
        timeline.trim()
        self.stop_reason = None

    def undo(self) -> "str | None":
        """Step back over the last action (a phase, a setting change, a weight setting), exactly;
        returns its name ("forward", ..., "settings", "set_weights"), or None at the start."""
        if not self.can_undo:
            return None
        at = self._timeline.at
        name = self._timeline.actions[at - 1][0]
        self._seek(at - 1)
        return name

    def redo(self) -> "str | None":
        """Do again the action undo stepped back over last; returns its name, or None when there
        is nothing to redo."""
        timeline = self._timeline
        if timeline.at == len(timeline.actions):
            return None
        name = timeline.actions[timeline.at][0]
        self._seek(timeline.at + 1)
        return name

    def goto(self, iteration: int) -> None:
        """Stand where the run was after ``iteration`` completed iterations (0: the start), with
        the setting changes made before the next one in force. Any recorded iteration can be
        reached, also ones undone (until a new action drops them). Stepping from there goes on
        from that moment."""
        last, first = self.recorded_iterations, self.first_iteration
        if isinstance(iteration, bool) or not isinstance(iteration, Integral) \
                or not first <= iteration <= last:
            if last < first:
                raise ValueError(phrase("errors.goto_loaded_mid"))
            if first and isinstance(iteration, Integral) and 0 <= iteration < first:
                mid = phrase("errors.goto_mid") if first > self._loaded_at[0] else ""
                raise ValueError(phrase("errors.goto_before_load", saved=self._loaded_at[0], mid=mid,
                                        first=first, last=last, iteration=iteration))
            where = phrase("errors.goto_first_loaded" if first else "errors.goto_start")
            raise ValueError(phrase("errors.goto_range", first=first, where=where, last=last,
                                    iteration=iteration))
        self._seek(self._timeline.iteration_start(int(iteration) - first))

    @property
    def can_undo(self) -> bool:
        """Whether undo() can step back (not at the start, nor ``max_undo`` actions back)."""
        timeline = self._timeline
        floor = 0 if self.max_undo is None else len(timeline.actions) - self.max_undo
        return timeline.at > max(floor, 0)

    @property
    def can_redo(self) -> bool:
        return self._timeline.at < len(self._timeline.actions)

    @property
    def first_iteration(self) -> int:
        """The first iteration ``goto`` can reach: 0, or for a trainer loaded from a session the
        saved iteration (the next one when it was saved mid-iteration)."""
        return self._loaded_at[1]

    @property
    def recorded_iterations(self) -> int:
        """Iterations recorded in the run, including those undone and not yet dropped."""
        return self._loaded_at[0] + self._timeline.n_updates

    # ---------------------------------------------------------------- phases
    def _expect(self, phase: int) -> None:
        actual = self.state.phase
        if actual != phase:
            key = "core.phase_done" if phase < actual else "core.phase_early"
            raise PhaseError(phrase(key, called=PHASES[phase], next=PHASES[actual]))

    def forward(self) -> ForwardRecord:
        """Phase 1, forward propagation (순전파): draw the next batch and compute z and a per layer."""
        self._expect(0)
        return self._act(("forward",))

    def loss(self) -> LossRecord:
        """Phase 2, the loss (손실) of the batch's prediction against its targets."""
        self._expect(1)
        return self._act(("loss",))

    def backward(self) -> BackwardRecord:
        """Phase 3, backpropagation (역전파): dL/dz, dL/da, dL/dW, dL/db for every layer."""
        self._expect(2)
        return self._act(("backward",))

    def update(self) -> UpdateRecord:
        """Phase 4, the optimizer moves every weight against its gradient (경사하강법)."""
        self._expect(3)
        return self._act(("update",))

    def step(self) -> UpdateRecord:
        """One iteration: the phases still due in this iteration, in order; returns the update."""
        return self._act(*_STEP[self.state.phase])

    # The phases themselves, run by _act and _advance under np.errstate(QUIET).
    def _forward(self) -> ForwardRecord:
        s = self.state
        s.forward = s.loss = s.backward = s.update = None   # freed before the new arrays come
        if s.pending:
            changes, s.pending = s.pending, {}
            self._apply(changes)
            if self._no_batch_left():
                self._end_epoch()
            self._show()
        X = s.data.X
        if s.order is None:
            generator = self._generator
            generator.bit_generator.state = s.rng_state
            s.order = batching.epoch_order(generator, len(X), s.shuffle)
            s.rng_state = generator.bit_generator.state
            self.history.record_order(s.samples_seen, s.order)
        cursor = s.cursor
        idx = s.order[cursor:cursor + s.batch_size]
        layers = self.model.layers
        if self._use:
            plug = student.Plug(self._use, "forward", layers)
            rec = raw_forward_pass(layers, X[idx], idx, plug.function("dense_forward", dense_forward),
                                   plug.activate)
            plug.mark(rec)
        else:
            rec = raw_forward_pass(layers, X[idx], idx)
        s.forward, s.phase = rec, 1
        return rec

    def _loss(self) -> LossRecord:
        s = self.state
        penalty = regularizers.total_penalty(self.model.layers) if self._regularized else 0.0
        forward = s.forward
        rec = raw_compute_loss(s.loss_fn, s.y[forward.indices], forward, penalty)
        s.loss, s.phase = rec, 2
        return rec

    def _backward(self) -> BackwardRecord:
        s = self.state
        layers = self.model.layers
        regularized = self._regularized
        if self._use:
            plug = student.Plug(self._use, "backward", layers)
            rec = raw_backward_pass(layers, s.forward, s.loss.y_true, s.loss_fn, s.fused,
                                    plug.function("dense_backward", dense_backward), plug.local,
                                    regularized=regularized)
            plug.mark(rec)
        else:
            rec = raw_backward_pass(layers, s.forward, s.loss.y_true, s.loss_fn, s.fused,
                                    regularized=regularized)
        s.backward, s.phase = rec, 3
        return rec

    def _update(self) -> UpdateRecord:
        s = self.state
        old = s.weights
        opt = s.optimizer
        backward = s.backward
        new, s.opt_state = opt.step(old, backward.grads, s.opt_state)
        s.weights = new
        self._put_layers(new)
        lr = opt.learning_rate
        rec = UpdateRecord(old, new, None, lr, opt.name)
        b = len(s.forward.indices)
        loss = s.loss.value
        g = s.global_iteration + 1
        self.history.record_iteration(s.epoch + 1, s.iteration + 1, g, s.samples_seen, b, loss,
                                      backward.grad_norm, lr, s.batch_size, new)
        s.iteration += 1
        s.global_iteration = g
        s.samples_seen += b
        s.cursor += b
        s.epoch_loss_sum += loss * b
        s.epoch_count += b
        s.update, s.phase = rec, 0
        if self._no_batch_left():
            self._end_epoch()
        return rec  # the history shows what it recorded: no _show() needed

    def _no_batch_left(self) -> bool:
        """Mid-epoch and nothing (or, with drop_last, no full batch) left to draw."""
        s = self.state
        if s.order is None:
            return False
        remaining = len(s.order) - s.cursor
        return remaining == 0 or (s.drop_last and remaining < s.batch_size)

    def _end_epoch(self) -> None:
        s = self.state
        s.epoch += 1
        val_loss = val_acc = None
        if self._val_raw is not None:
            pred = self.model.predict(self._val_raw[0])
            val_loss = float(np.mean(s.loss_fn.per_sample(s.y_val, pred))) + self.penalty
            val_acc = accuracy(s.loss_fn, s.y_val, pred)
        self.history.record_epoch(EpochEntry(s.epoch, s.epoch_loss_sum / s.epoch_count,
                                             val_loss, val_acc))
        s.iteration, s.order, s.cursor, s.epoch_loss_sum, s.epoch_count = 0, None, 0, 0.0, 0

    # -------------------------------------------------------------- settings
    # The rule, in one place: a setting change applies at once between iterations (after any
    # changes still waiting, which come first); mid-iteration it waits in ``state.pending`` and
    # applies at the next forward(). ``next_settings`` previews the result.
    def _change(self, changes: dict) -> None:
        s = self.state
        waiting = {**s.pending, **changes}
        if "optimizer" in changes and "learning_rate" not in changes:
            waiting.pop("learning_rate", None)  # the new optimizer's rate replaces a waiting one
        if s.phase == 0:
            s.pending = {}
            self._apply(waiting)
            if self._no_batch_left():
                self._end_epoch()
            self._show()
        else:
            s.pending = waiting

    def _settings_after(self, changes: dict) -> dict:
        """The settings (loss_fn, y, y_val, optimizer, batch_size, regularizers) once ``changes``
        are in force."""
        s = self.state
        data = changes.get("data", s.data)
        out = dict(loss_fn=changes.get("loss", s.loss_fn), y=s.y, y_val=s.y_val,
                   optimizer=changes.get("optimizer", s.optimizer),
                   batch_size=min(changes.get("batch_size", s.batch_size), data.n),
                   regularizers=changes.get("regularizers", s.regularizers), data=data,
                   **{flag: changes.get(flag, getattr(s, flag)) for flag in FLAGS})
        if "learning_rate" in changes:
            out["optimizer"] = out["optimizer"].copy(learning_rate=changes["learning_rate"])
        if "loss" in changes or "data" in changes:
            out["y"], out["y_val"] = data.labels_for(out["loss_fn"], self.model.sizes[-1])
        return out

    def _apply(self, changes: dict) -> None:
        """Put changed settings in force, each one recorded as a history event."""
        s = self.state
        new = self._settings_after(changes)
        events = []
        if "data" in changes:
            if s.order is not None:  # the epoch's order was of the old data: the epoch ends here
                self._end_epoch()
            events.append(("data", s.data.summary, new["data"].summary))
        if "optimizer" in changes:
            events.append(("optimizer", s.optimizer, changes["optimizer"]))
            s.opt_state = {}  # a new optimizer starts without moments
        if "learning_rate" in changes:
            before = changes.get("optimizer", s.optimizer).learning_rate
            events.append(("learning_rate", before, changes["learning_rate"]))
        if "batch_size" in changes or new["batch_size"] != s.batch_size:
            events.append(("batch_size", s.batch_size, new["batch_size"]))
        if "loss" in changes:
            events.append(("loss", s.loss_fn.name, new["loss_fn"].name))
        if "regularizers" in changes:
            events.append(("regularizer", s.regularizers, new["regularizers"]))
            self._put_regularizers(new["regularizers"])
        events += [(flag, getattr(s, flag), new[flag]) for flag in FLAGS if flag in changes]
        for what, old, value in events:
            self.history.record_event(s.n_events, Event(s.global_iteration, what, old, value))
            s.n_events += 1
        for key, value in new.items():
            setattr(s, key, value)

    @property
    def next_settings(self) -> dict:
        """What the next iteration will use: optimizer (the object), learning_rate, batch_size,
        loss (its name), regularizers (per layer, a Regularizer or None), data (a TrainingData),
        shuffle, drop_last, fused. The one preview of the settings, for code and dashboards
        alike."""
        up = self._settings_after(self.state.pending)
        return {"optimizer": up["optimizer"], "learning_rate": up["optimizer"].learning_rate,
                "batch_size": up["batch_size"], "loss": up["loss_fn"].name,
                "regularizers": up["regularizers"], "data": up["data"],
                **{flag: up[flag] for flag in FLAGS}}

    def check_fit(self, loss_fn: losses.Loss, data: "TrainingData") -> None:
        """Refuse a loss that does not fit the output layer (e.g. relu + cross-entropy gives NaN,
        linear + cross-entropy without from_logits sits at the clipping ceiling): a ValueError
        that names a fitting choice. ``data``'s targets tell which losses would fit."""
        out = self.model.layers[-1].activation.name
        n_out = self.model.sizes[-1]
        if loss_fn.from_logits:
            if out != "linear" and losses.get(loss_fn.name).fuses_with is not None:
                raise ValueError(phrase("errors.from_logits_output", out=out))
            return
        if loss_fn.fuses_with in (None, out):
            return  # regression losses read any output; cross-entropy needs its partner
        try:
            fits = losses.fitting(out, n_out, data.y)
        except (TypeError, ValueError):
            fits = []
        choice = (phrase("errors.loss_use", losses=" or ".join(repr(f) for f in fits)) if fits
                  else phrase("errors.loss_other"))
        raise ValueError(phrase("errors.loss_output", loss=loss_fn.name, out=out, n_out=n_out,
                                partner=loss_fn.fuses_with, choice=choice))

    @staticmethod
    def _check_batch_size(batch_size, n: int) -> int:
        return positive_int("batch_size", batch_size, maximum=n,
                            hint=phrase("errors.batch_size_hint", n=n))

    def set_learning_rate(self, learning_rate: float) -> None:
        """Change the learning rate (학습률); same as ``trainer.learning_rate = ...``."""
        self._act(("settings", {"learning_rate": positive_float("learning_rate", learning_rate)}))

    def set_batch_size(self, batch_size: int) -> None:
        """Change the batch size (배치 사이즈), 1..N; same as ``trainer.batch_size = ...``."""
        n = self._settings_after(self.state.pending)["data"].n
        self._act(("settings", {"batch_size": self._check_batch_size(batch_size, n)}))

    def set_optimizer(self, optimizer, **hyperparameters) -> None:
        """Switch optimizer; its state (moments) starts afresh. Same as ``trainer.optimizer = ...``.

        A name keeps the current learning rate (unless ``learning_rate=`` is given);
        an Optimizer object brings its own.
        """
        if isinstance(optimizer, str):
            hyperparameters.setdefault("learning_rate", self.next_settings["learning_rate"])
        lr = hyperparameters.pop("learning_rate", None)
        self._act(("settings", {"optimizer": optimizers.get(optimizer, lr, **hyperparameters)}))

    def set_loss(self, loss, from_logits: bool = False) -> None:
        """Switch loss function; it must fit the output layer and the labels are checked against
        it first. Same as ``trainer.loss_fn = ...``."""
        loss_fn = losses.get(loss, from_logits=from_logits)
        data = self._settings_after(self.state.pending)["data"]
        data.labels_for(loss_fn, self.model.sizes[-1])
        self.check_fit(loss_fn, data)
        self._act(("settings", {"loss": loss_fn}))

    def set_data(self, X, y, validation_split: float = 0.0, validation_data=None) -> None:
        """Train on another data set (X, y) from here on, as a setting change: at once between
        iterations, else at the next forward(); undo, redo and goto see it.

        Args:
            X: inputs (n_samples, n_in), n_in the model's input size.
            y: targets (n_samples,) or (n_samples, k), as the loss in force expects.
            validation_split: the fraction of (X, y) held out for validation (the last rows, as
                Keras); or ``validation_data=(X_val, y_val)``; neither: no validation.

        A change in the middle of an epoch ends that epoch (its order was drawn for the old
        data); a batch size larger than the new data set becomes the data set's size.
        """
        data = make_data(X, y, self.model.sizes[0], validation_split, validation_data)
        data.labels_for(self._settings_after(self.state.pending)["loss_fn"], self.model.sizes[-1])
        self._act(("settings", {"data": data}))

    def set_regularizer(self, regularizer, layer: "int | None" = None) -> None:
        """Put a kernel regularizer (규제) on one layer's W, or on every layer's (``layer=None``).

        Args:
            regularizer: ``"l1"``, ``"l2"``, ``"l1_l2"`` (Keras' factors 0.01), a
                ``stepnn.regularizers`` object such as ``L2(0.001)``, or None to remove it.
            layer: the layer's index, 0 for the first Dense layer (negative counts from the end).

        The training loss becomes the batch's data loss plus every kernel's penalty, as Keras.
        Same rule as every setting: at once between iterations, else at the next forward().
        ``trainer.kernel_regularizer = "l2"`` is ``set_regularizer("l2")``.
        """
        reg = regularizers.get(regularizer)
        regs = list(self.next_settings["regularizers"])
        if layer is None:
            regs = [reg] * len(regs)
        else:
            n = len(regs)
            if isinstance(layer, bool) or not isinstance(layer, Integral) or not -n <= layer < n:
                raise ValueError(phrase("errors.layer_index", last=n - 1, layer=layer))
            regs[int(layer)] = reg
        self._act(("settings", {"regularizers": tuple(regs)}))

    def set_weights(self, weights) -> None:
        """Set the model's weights at an iteration boundary (a new start for the descent path)."""
        if self.state.phase != 0:
            raise PhaseError(phrase("core.set_weights_mid", phase=PHASES[self.state.phase]))
        self._act(("set_weights", self.model.check_weights(weights)))

    def set_flat(self, vec) -> None:
        """``set_weights`` from one flat vector (n_params,)."""
        self.set_weights(self.model.unflatten(vec))

    def _put_weights(self, weights: list) -> None:
        s = self.state
        old = flatten(s.weights)
        s.weights = weights
        self._put_layers(weights)
        self.history.record_event(s.n_events, Event(s.global_iteration, "weights", old,
                                                    flatten(weights)))
        s.n_events += 1
        self._show()

    # settings as plain attributes
    learning_rate = property(lambda self: self.state.optimizer.learning_rate,
                             lambda self, value: self.set_learning_rate(value),
                             doc="The learning rate in force; assign to change it.")
    batch_size = property(lambda self: self.state.batch_size,
                          lambda self, value: self.set_batch_size(value),
                          doc="The batch size in force; assign to change it.")
    optimizer = property(lambda self: self.state.optimizer,
                         lambda self, value: self.set_optimizer(value),
                         doc="The optimizer in force; assign a name or an Optimizer to change it.")
    loss_fn = property(lambda self: self.state.loss_fn,
                       lambda self, value: self.set_loss(value),
                       doc="The loss function in force; assign a name or a Loss to change it "
                           "(``trainer.loss()`` is the loss phase).")

    shuffle = property(lambda self: self.state.shuffle,
                       lambda self, value: self._set_flag("shuffle", value),
                       doc="Whether each epoch draws a fresh order of the samples (from the next "
                           "epoch on); assign True or False to change it.")
    drop_last = property(lambda self: self.state.drop_last,
                         lambda self, value: self._set_flag("drop_last", value),
                         doc="Whether each epoch skips its smaller last batch; assign True or "
                             "False to change it.")
    fused = property(lambda self: self.state.fused,
                     lambda self, value: self._set_flag("fused", value),
                     doc="Whether backward takes the fused output gradient (a - y) / N where the "
                         "loss and the output pair up (the same numbers as the chain rule); "
                         "assign True or False to change it.")

    def _set_flag(self, name: str, value) -> None:
        """A True/False setting (shuffle, drop_last, fused), by the rule of every setting."""
        self._act(("settings", {name: check_flag(name, value)}))

    @property
    def seed(self) -> int:
        """The seed of the shuffling: ``reset()`` starts from it (``reset(seed=...)`` also
        draws new initial weights with it). Assigning one changes what ``reset()`` uses; the
        run standing now keeps its own order."""
        return self._seed

    @seed.setter
    def seed(self, value) -> None:
        self._seed = check_seed(value)

    @property
    def max_undo(self) -> "int | None":
        """How many of the latest actions ``undo()`` may step back over (None: all)."""
        return self._max_undo

    @max_undo.setter
    def max_undo(self, value) -> None:
        self._max_undo = None if value is None else positive_int("max_undo", value)

    def __setattr__(self, name: str, value) -> None:
        # A name that only looks like a setting would otherwise become a new attribute that
        # nothing reads (``trainer.lr = 0.1`` changes nothing), and ``trainer.loss = "mse"``
        # would hide the loss phase: both are refused, naming the setting meant.
        if name not in _KNOWN and not name.startswith("_"):
            meant = _setting_meant(name, value)
            if meant is not None:
                raise AttributeError(meant)
        object.__setattr__(self, name, value)

    @property
    def kernel_regularizer(self) -> "regularizers.Regularizer | None":
        """The regularizer in force when every layer has the same one (else a tuple per layer);
        assign ``"l1"``, ``"l2"``, ``"l1_l2"``, a Regularizer or None to put it on every layer."""
        regs = self.state.regularizers
        return regs[0] if all(r == regs[0] for r in regs) else regs

    @kernel_regularizer.setter
    def kernel_regularizer(self, value) -> None:
        self.set_regularizer(value)

    @property
    def penalty(self) -> float:
        """The regularizers' penalty at the current weights (0.0 without regularizers)."""
        return regularizers.total_penalty(self.model.layers)

    # ------------------------------------------------------------------- fit
    def fit(self, epochs: int = 1, target_loss: "float | None" = None,
            min_grad_norm: "float | None" = None, patience: "int | None" = None,
            min_delta: float = 0.0, verbose: "bool | int | str" = True) -> StopReason:
        """Repeat iterations until a stopping criterion holds; returns why it stopped.

        The criteria are ``stepnn.stopping.Criteria`` (the same rule as the dashboards' Play):
            epochs: this many more epochs completed (an unfinished epoch counts as one).
            target_loss: an epoch's mean training loss is at or below it.
            min_grad_norm: an iteration's gradient norm falls below it.
            patience: the validation loss has not improved by more than ``min_delta`` for this
                many epochs (early stopping; needs validation data).
            divergence: a non-finite loss (it stops before that batch's backward, so the weights
                stay finite), non-finite or exploding weights, or a loss pinned at the clipping
                ceiling.
        ``verbose`` shows a progress bar (terminal or notebook): True or False; Keras' 0, 1, 2 and
        "auto" are understood too (0 is silent).
        """
        epochs = positive_int("epochs", epochs)
        verbose = _check_verbose(verbose)
        criteria = stopping.Criteria(max_epochs=self.state.epoch + epochs, target_loss=target_loss,
                                     min_grad_norm=min_grad_norm, patience=patience,
                                     min_delta=min_delta)
        criteria.check_trainer(self)
        bar = ProgressBar(epochs, enabled=verbose)
        reason = None
        try:
            while reason is None:
                epoch_before = self.state.epoch
                reason = stopping.guarded_step(self, criteria)
                if self.state.epoch == epoch_before:
                    continue
                entry = self.history.epochs[-1]
                bar.update(epochs - (criteria.max_epochs - self.state.epoch),
                           phrase("fit.loss", loss=entry.loss) + ("" if entry.val_loss is None else
                                                               phrase("fit.val_loss", loss=entry.val_loss)))
                if reason is None:
                    reason = criteria.at_epoch_end(self)
        except KeyboardInterrupt:
            reason = StopReason("interrupted", phrase("fit.interrupted"))
        self.stop_reason = reason
        bar.close(bar.message + phrase("fit.stopped", code=stop_word(reason)))
        return reason

    # ------------------------------------------------------------ read only
    def evaluate(self, X=None, y=None) -> float:
        """The loss over a whole data set (default: all training data), with the current weights:
        the mean data loss plus the regularizers' penalty, as Keras' ``evaluate``."""
        s = self.state
        if X is None:
            if y is not None:
                raise ValueError(phrase("errors.evaluate_y_only"))
            X, y = self.X, s.y
        else:
            X = as_float_matrix("X", X, n_features=self.model.sizes[0])
            if y is None:
                raise ValueError(phrase("errors.evaluate_x_only"))
            y = s.loss_fn.check_labels(targets("y", y, len(X), "X"), self.model.sizes[-1])
        pred = self.model.predict(X)
        with np.errstate(**QUIET):
            return float(np.mean(s.loss_fn.per_sample(y, pred))) + self.penalty

    def explain(self, lang: "str | None" = None) -> str:
        """# of data = batch size x iterations, with the live numbers, in ``lang`` (None: the
        language chosen by ``stepnn.set_language``)."""
        return batching.explain(len(self.X), self.state.batch_size, self.state.drop_last, lang)

    def status(self, lang: "str | None" = None) -> str:
        """One line for a status bar: where the loop is and the current loss, in ``lang`` (None:
        the language chosen by ``stepnn.set_language``)."""
        s = self.state
        loss = "" if s.loss is None else phrase("core.status_loss", lang, value=s.loss.value)
        stop = ("" if self.stop_reason is None else
                phrase("core.status_stopped", lang, code=stop_word(self.stop_reason, lang)))
        return phrase("core.status", lang, epoch=s.epoch + 1, iteration=s.iteration,
                      per_epoch=self.iterations_per_epoch, global_iteration=s.global_iteration,
                      samples=s.samples_seen, loss=loss, stop=stop,
                      phase=phrase(f"core.phase.{self.next_phase}", lang))

    next_phase = property(lambda self: PHASES[self.state.phase],
                          doc='"forward", "loss", "backward" or "update": what may run next.')
    epoch = property(lambda self: self.state.epoch, doc="Completed epochs.")
    iteration = property(lambda self: self.state.iteration,
                         doc="Completed iterations in the current epoch.")
    global_iteration = property(lambda self: self.state.global_iteration,
                                doc="Completed iterations since the start.")
    samples_seen = property(lambda self: self.state.samples_seen)
    y = property(lambda self: self.state.y, doc="Targets, shaped for the loss.")
    last_forward = property(lambda self: self.state.forward)
    last_loss = property(lambda self: self.state.loss)
    last_backward = property(lambda self: self.state.backward)
    last_update = property(lambda self: self.state.update)
    pending = property(lambda self: dict(self.state.pending),
                       doc="Changes waiting for the next iteration.")
    optimizer_state = property(lambda self: self.state.opt_state)
    use = property(lambda self: dict(self._use),
                   doc="Your functions the trainer runs in place of its own ({} when none).")
    n_samples = property(lambda self: len(self.X))
    X = property(lambda self: self.state.data.X, doc="The training inputs in force (n, n_in).")
    X_val = property(lambda self: self.state.data.X_val,
                     doc="The validation inputs in force (n_val, n_in), or None.")
    data = property(lambda self: self.state.data, doc="The data in force, a TrainingData.")
    _val_raw = property(lambda self: None if self.state.data.X_val is None
                        else (self.state.data.X_val, self.state.data.y_val))
    y_val = property(lambda self: self.state.y_val)

    @property
    def iterations_per_epoch(self) -> int:
        """ceil(N / batch_size) (floor with drop_last); mid-epoch, counts the batches still due."""
        s = self.state
        rest = len(self.X) - s.cursor
        return s.iteration + batching.iterations_per_epoch(rest, s.batch_size, s.drop_last)

    @property
    def mode(self) -> str:
        return batching.mode_name(self.state.batch_size, len(self.X))

    @property
    def diverged(self) -> bool:
        """True when the latest loss is inf or NaN."""
        rec = self.state.loss
        if rec is None and self.history.iterations:
            return not np.isfinite(self.history.iterations[-1].loss)
        return rec is not None and not rec.finite

    def __repr__(self) -> str:
        return phrase("core.repr", sizes=self.model.sizes, loss=self.loss_fn.name,
                      optimizer=self.optimizer, batch_size=self.batch_size,
                      mode=phrase(f"core.mode.{self.mode}"), n=len(self.X), status=self.status())


# Assignable names of a Trainer (its settings), and the names students reach for instead.
ASSIGNABLE = ("learning_rate", "batch_size", "optimizer", "loss_fn", "kernel_regularizer",
              "shuffle", "drop_last", "fused", "seed", "max_undo")
_ALIASES = {"lr": "learning_rate", "learningrate": "learning_rate", "eta": "learning_rate",
            "alpha": "learning_rate", "step_size": "learning_rate", "batch": "batch_size",
            "batchsize": "batch_size", "bs": "batch_size", "mini_batch_size": "batch_size",
            "minibatch_size": "batch_size", "opt": "optimizer", "optim": "optimizer",
            "loss_function": "loss_fn", "criterion": "loss_fn", "cost": "loss_fn",
            "regularizer": "kernel_regularizer", "kernel_regulariser": "kernel_regularizer",
            "regularization": "kernel_regularizer", "l2": "kernel_regularizer"}


class _Silent(io.TextIOBase):
    """A text stream that keeps nothing: where a replay's prints go."""

    def write(self, text: str) -> int:
        return len(text)


_SILENT = _Silent()


def _setting_meant(name: str, value) -> "str | None":
    """The message for assigning ``name`` on a Trainer when a setting was surely meant (the loss
    phase's name given a loss, a known other name or a near miss of a setting), else None."""
    if name == "loss":
        if callable(value) and not isinstance(value, (str, losses.Loss)):
            return None  # a function standing in for the phase (a test's stand-in, say)
        return phrase("errors.assign_loss_phase", value=value)
    key = name.lower()
    meant = _ALIASES.get(key) or next(iter(difflib.get_close_matches(key, ASSIGNABLE, 1, 0.8)), None)
    if meant is None:
        return None
    return phrase("errors.assign_unknown_setting", name=name, meant=meant,
                  settings=", ".join(ASSIGNABLE))


# What each action does, by its name, to the trainer (self): a phase takes no argument; action[1]
# is the argument of a setting change or of a weight setting.
_PHASE_METHOD = {name: "_" + name for name in PHASES}
_DO = {"settings": lambda self, action: self._change(action[1]),
       "set_weights": lambda self, action: self._put_weights(action[1])}


@dataclass(frozen=True, eq=False, repr=False)
class TrainingData:
    """The data a Trainer learns from, as given (targets not yet shaped for a loss).

    Attributes:
        X: training inputs (n, n_in); y: their targets (n,) or (n, k).
        X_val: validation inputs (n_val, n_in) or None; y_val: their targets or None.
        validation_split: the fraction held out when the data was split (0.0 otherwise).
    """
    X: np.ndarray
    y: np.ndarray
    X_val: "np.ndarray | None" = None
    y_val: "np.ndarray | None" = None
    validation_split: float = 0.0
    _labels: dict = field(default_factory=dict)  # loss name -> (y, y_val) shaped for it

    @property
    def n(self) -> int:
        return len(self.X)

    @property
    def summary(self) -> str:
        """E.g. "160 samples x 2 features + 40 for validation"."""
        val = "" if self.X_val is None else f" + {len(self.X_val)} for validation"
        return f"{self.n} samples x {self.X.shape[1]} features{val}"

    def labels_for(self, loss_fn: losses.Loss, n_out: int) -> tuple:
        """(y, y_val) shaped for ``loss_fn`` (checked by it: a clear error if they do not fit);
        made once per loss name, so that switching losses back and forth does not keep a copy of
        the labels per switch in the timeline."""
        cache = self._labels
        if loss_fn.name not in cache:
            y = loss_fn.check_labels(self.y, n_out)
            y_val = None if self.X_val is None else loss_fn.check_labels(self.y_val, n_out)
            for shaped in (y, y_val):
                if shaped is not None:
                    shaped.flags.writeable = False
            cache[loss_fn.name] = (y, y_val)
        return cache[loss_fn.name]

    def __repr__(self) -> str:
        return f"TrainingData({self.summary})"


def make_data(X, y, n_in: int, validation_split: float = 0.0, validation_data=None) -> TrainingData:
    """Check (X, y) against a model with ``n_in`` inputs and split off the validation part."""
    X = _kept(as_float_matrix("X", X, n_features=n_in), X)
    y_raw = _kept(targets("y", y, len(X), "X"), y)
    if isinstance(validation_split, bool) or not isinstance(validation_split, Real) \
            or not 0 <= validation_split < 1:
        raise ValueError(phrase("errors.validation_split", value=validation_split))
    if validation_split and validation_data is not None:
        raise ValueError(phrase("errors.validation_both"))
    if validation_split:
        split_at = int(np.floor(len(X) * (1.0 - validation_split)))  # Keras' rule
        if split_at < 1 or split_at >= len(X):
            raise ValueError(phrase("errors.validation_too_small", split=validation_split, n=len(X),
                                    train=split_at, val=len(X) - split_at))
        validation_data = (X[split_at:], y_raw[split_at:])
        X, y_raw = X[:split_at], y_raw[:split_at]
    if validation_data is None:
        return TrainingData(X, y_raw)
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise ValueError(phrase("errors.validation_pair"))
    X_val = _kept(as_float_matrix("X_val", validation_data[0], n_features=n_in), validation_data[0])
    y_val = _kept(targets("y_val", validation_data[1], len(X_val), "X_val"), validation_data[1])
    return TrainingData(X, y_raw, X_val, y_val, float(validation_split))


def _kept(arr: np.ndarray, given) -> np.ndarray:
    """A read-only copy of data given to a trainer: changing the array passed in afterwards (an
    in-place ``X -= X.mean(axis=0)``, say) does not change what the trainer learns from, so undo,
    redo and goto stay exact. ``arr`` is ``given`` checked; when checking already made a fresh
    array (from a list, or another dtype), nobody else holds it and it is not copied again."""
    kept = np.array(arr) if arr is given or not arr.flags.owndata else arr
    kept.flags.writeable = False
    return kept


def _check_verbose(verbose) -> bool:
    """fit's ``verbose``: a bool, or Keras' 0, 1, 2 or "auto"."""
    if isinstance(verbose, (bool, np.bool_)):
        return bool(verbose)
    if isinstance(verbose, (int, np.integer)) and verbose in (0, 1, 2):
        return bool(verbose)
    if isinstance(verbose, str) and verbose == "auto":
        return True
    raise ValueError(phrase("errors.verbose", received=verbose))


# Names a Trainer sets on itself (its attributes): assigning them is never refused.
_KNOWN = frozenset(("state", "model", "history", "stop_reason") + ASSIGNABLE)
