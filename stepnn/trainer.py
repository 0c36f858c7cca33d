"""The training loop, one phase at a time: forward -> loss -> backward -> update, repeated.

A Trainer owns a model, the data and the position in the epoch. Each phase is a method that
returns a record of what it computed. Phases run strictly in order; every phase and every change
of setting can be undone exactly, back to the start.
"""
from __future__ import annotations

from collections import deque
from numbers import Integral, Real

import numpy as np

from . import batching, losses, optimizers
from ._checks import as_float_matrix, positive_float, positive_int
from .backprop import QUIET, raw_backward_pass, raw_compute_loss
from .history import EpochEntry, Event, History
from .model import Sequential, raw_forward_pass
from .progress import ProgressBar
from .records import BackwardRecord, ForwardRecord, LossRecord, UpdateRecord
from .stopping import StopReason, accuracy

__all__ = ["Trainer", "PhaseError", "PHASES"]

PHASES = ("forward", "loss", "backward", "update")


class PhaseError(RuntimeError):
    """A phase was called out of order."""


# undo entries of loss() and backward(), which change nothing but their record and the phase
_LOSS_DONE = ("loss", None, None, None, None)
_BACKWARD_DONE = ("backward", None, None, None, None)


class _Replay:
    """What recomputes one iteration's forward, loss and backward records, bit for bit: the
    weights it used (``model.get_weights()`` layout), its batch, its loss and labels.

    Undo snapshots of older iterations let go of those records (they are the bulk of the memory
    an iteration leaves behind) and keep this instead; undo recomputes them when it gets there.
    """
    __slots__ = ("params", "indices", "loss_fn", "y", "fused", "_records")

    def __init__(self, params: list, indices: np.ndarray, loss_fn: losses.Loss, y: np.ndarray,
                 fused: bool):
        self.params, self.indices, self.loss_fn, self.y, self.fused = params, indices, loss_fn, y, fused
        self._records = None

    def records(self, model: Sequential, X: np.ndarray) -> tuple:
        """(forward, loss, backward) records, computed once and shared by every snapshot."""
        if self._records is None:
            layers = [_Weights(self.params[2 * i], self.params[2 * i + 1], layer.activation)
                      for i, layer in enumerate(model.layers)]
            with np.errstate(**QUIET):
                fwd = raw_forward_pass(layers, X[self.indices], self.indices)
                rec = raw_compute_loss(self.loss_fn, self.y[self.indices], fwd)
                bwd = raw_backward_pass(layers, fwd, rec.y_true, self.loss_fn, self.fused)
            self._records = (fwd, rec, bwd)
        return self._records


class _Weights:
    """A layer's weights at some past moment, for recomputing its records."""
    __slots__ = ("W", "b", "activation")

    def __init__(self, W: np.ndarray, b: np.ndarray, activation):
        self.W, self.b, self.activation = W, b, activation


class Trainer:
    """Trains a model on (X, y) one phase at a time.

    Args:
        model: the Sequential to train (its weights change in place).
        X: inputs, shape (n_samples, n_in).
        y: targets: (n_samples,) or (n_samples, k) as the loss expects (0/1 for binary
            cross-entropy, one-hot for categorical, integer classes for sparse categorical).
        loss: a Keras loss name (see ``stepnn.losses.NAMES``) or a Loss.
        optimizer: an optimizer name (``"sgd"``, ``"rmsprop"``, ``"adagrad"``, ``"adam"``) or an
            Optimizer object with its own hyperparameters.
        learning_rate: overrides the optimizer's learning rate (학습률) when given.
        batch_size: samples per iteration, 1..N; 1 is stochastic GD, N is full-batch GD.
            Default: min(32, N), as Keras.
        shuffle: draw a fresh order of the samples every epoch (without replacement).
        seed: seeds the shuffling.
        drop_last: skip the smaller last batch of each epoch.
        validation_data: (X_val, y_val) evaluated at the end of every epoch.
        validation_split: fraction of (X, y) held out for validation; as Keras, the last rows.
        fused: use the fused output gradient (a - y) / N where the loss and the output
            activation pair up; the numbers equal the chain rule's.
        from_logits: the loss reads raw scores z (use a linear output layer).
        max_undo: keep at most this many undo steps (oldest forgotten first); None keeps all,
            so undo can always go back to the start. Long runs with batch size 1 may want a cap.
    """

    def __init__(self, model: Sequential, X, y, loss="mse", optimizer="sgd",
                 learning_rate: "float | None" = None, batch_size: "int | None" = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False,
                 validation_data=None, validation_split: float = 0.0, fused: bool = True,
                 from_logits: bool = False, max_undo: "int | None" = None):
        if not isinstance(model, Sequential):
            raise TypeError(f"model must be a stepnn.Sequential; received {type(model).__name__}.")
        if isinstance(seed, bool) or not isinstance(seed, Integral):
            raise TypeError(f"seed must be a whole number, e.g. 0; received {seed!r}.")
        self.model = model
        n_out = model.sizes[-1]
        loss_fn = losses.get(loss, from_logits=from_logits)
        X = as_float_matrix("X", X, n_features=model.sizes[0])
        y_raw = np.asarray(y)
        if y_raw.ndim == 0 or len(y_raw) != len(X):
            got = "a single number" if y_raw.ndim == 0 else f"{len(y_raw)} samples"
            raise ValueError(f"y must hold one target per sample: X has {len(X)} samples (shape "
                             f"{X.shape}) but y has {got} (shape {y_raw.shape}).")
        if not isinstance(validation_split, Real) or not 0 <= validation_split < 1:
            raise ValueError(f"validation_split must be a fraction in [0, 1), e.g. 0.2; "
                             f"received {validation_split!r}.")
        if validation_split and validation_data is not None:
            raise ValueError("pass either validation_split or validation_data, not both.")
        if validation_split:
            split_at = int(np.floor(len(X) * (1.0 - validation_split)))  # Keras' rule
            if split_at < 1 or split_at >= len(X):
                raise ValueError(f"validation_split={validation_split} of {len(X)} samples leaves "
                                 f"{split_at} for training and {len(X) - split_at} for validation; "
                                 f"both parts need at least one sample.")
            validation_data = (X[split_at:], y_raw[split_at:])
            X, y_raw = X[:split_at], y_raw[:split_at]
        self.X, self._y_raw = X, y_raw
        self._val_raw = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a pair (X_val, y_val).")
            X_val = as_float_matrix("X_val", validation_data[0], n_features=model.sizes[0])
            if len(validation_data[1]) != len(X_val):
                raise ValueError(f"y_val has {len(validation_data[1])} samples but X_val has "
                                 f"{len(X_val)}.")
            self._val_raw = (X_val, np.asarray(validation_data[1]))
        y, y_val = self._labels_for(loss_fn)
        opt = optimizers.get(optimizer, learning_rate)
        n = len(X)
        bs = min(32, n) if batch_size is None else self._check_batch_size(batch_size, n)
        if max_undo is not None:
            positive_int("max_undo", max_undo)
        self.max_undo = max_undo
        self.shuffle, self.seed, self.drop_last, self.fused = bool(shuffle), int(seed), bool(drop_last), bool(fused)
        self._settings = dict(loss_fn=loss_fn, y=y, y_val=y_val, optimizer=opt, batch_size=bs)
        self._initial_weights = model.get_weights()
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self, seed: "int | None" = None, keep_settings: bool = False) -> None:
        """Back to the initial state: first weights, epoch 0, empty history, nothing to undo.

        Args:
            seed: re-initialize the model and the shuffling with this seed instead.
            keep_settings: keep the current learning rate, batch size, optimizer and loss.
        """
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, Integral):
                raise TypeError(f"seed must be a whole number; received {seed!r}.")
            self.seed = int(seed)
            rng = np.random.default_rng(self.seed)
            for layer in self.model.layers:
                layer.initialize(rng)
            self._initial_weights = self.model.get_weights()
        else:
            self.model.set_weights(self._initial_weights)
        settings = self._upcoming() if keep_settings and hasattr(self, "_s") else dict(self._settings)
        self._rng = np.random.default_rng(self.seed)
        self._s = dict(phase=0, epoch=0, iteration=0, global_iteration=0, samples_seen=0,
                       order=None, cursor=0, fwd=None, loss=None, bwd=None, upd=None,
                       replay=None, opt_state={}, stop_reason=None, epoch_loss_sum=0.0,
                       epoch_count=0, pending={}, **settings)
        self._undo: deque = deque(maxlen=self.max_undo)
        self._holding: list = []  # snapshots still holding their records, oldest first
        self.history = History(self.model.get_flat())

    def _upcoming(self) -> dict:
        """The settings the next iteration will use: current ones with pending changes applied."""
        return self._settings_after(self._s["pending"])

    def _settings_after(self, changes: dict) -> dict:
        """The settings (loss_fn, y, y_val, optimizer, batch_size) once ``changes`` are in force."""
        s = self._s
        out = {k: s[k] for k in ("loss_fn", "y", "y_val", "optimizer", "batch_size")}
        out["optimizer"] = changes.get("optimizer", out["optimizer"])
        if "learning_rate" in changes:
            out["optimizer"] = out["optimizer"].copy(learning_rate=changes["learning_rate"])
        out["batch_size"] = changes.get("batch_size", out["batch_size"])
        if "loss" in changes:
            out["loss_fn"], out["y"], out["y_val"] = changes["loss"]
        return out

    @property
    def next_settings(self) -> dict:
        """What the next iteration will use: learning_rate, batch_size, optimizer, loss (name)."""
        up = self._upcoming()
        return {"learning_rate": up["optimizer"].learning_rate, "batch_size": up["batch_size"],
                "optimizer": up["optimizer"], "loss": up["loss_fn"].name}

    def _push(self, action: str, params: "list | None" = None, rng: bool = False) -> None:
        state = self._s.copy()
        self._undo.append((action, state, params,
                           self._rng.bit_generator.state if rng else None, self.history.lengths()))
        if state["fwd"] is not None:
            self._holding.append(state)

    def _let_go(self) -> None:
        """Snapshots older than the last finished iteration drop their records (undo recomputes
        them), so a long run keeps only weights, optimizer state and counters per iteration."""
        keep = self._s["fwd"]
        holding = self._holding
        while holding and holding[0]["fwd"] is not keep:
            state = holding.pop(0)
            if state["bwd"] is not None:
                state["replay"].fused = state["bwd"].fused
            state["fwd"] = state["loss"] = state["bwd"] = None

    def undo(self) -> "str | None":
        """Rewind the last phase or setting change exactly; returns its name (None at the start)."""
        if not self._undo:
            return None
        action, state, params, rng_state, lengths = self._undo.pop()
        if state is None:  # loss() and backward() only fill their record and advance the phase
            s = self._s
            s["phase"] -= 1
            s["loss" if action == "loss" else "bwd"] = None
            return action
        if self._holding and self._holding[-1] is state:
            self._holding.pop()
        if state["fwd"] is None and state["replay"] is not None:
            fwd, rec, bwd = state["replay"].records(self.model, self.X)
            phase = state["phase"]
            state.update(fwd=fwd, loss=rec if phase != 1 else None,
                         bwd=bwd if phase in (0, 3) else None)
        self._s = state
        if params is not None:
            for i, layer in enumerate(self.model.layers):
                layer.W, layer.b = params[2 * i], params[2 * i + 1]
        if rng_state is not None:
            self._rng.bit_generator.state = rng_state
        self.history.truncate(lengths)
        return action

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    # ---------------------------------------------------------------- phases
    def _expect(self, phase: int) -> None:
        actual = self._s["phase"]
        if actual != phase:
            called, nxt = PHASES[phase], PHASES[actual]
            done = "was already run for this iteration" if phase < actual else "cannot run yet"
            raise PhaseError(
                f"{called}() {done}: the next phase is {nxt}(). Each iteration runs forward -> loss "
                f"-> backward -> update, once each (so gradients are never counted twice). Call "
                f"trainer.{nxt}(), or trainer.undo() to step back.")

    def forward(self) -> ForwardRecord:
        """Phase 1, forward propagation (순전파): draw the next batch and compute z and a per layer."""
        return self._run(0, self._forward)

    def loss(self) -> LossRecord:
        """Phase 2, the loss (손실) of the batch's prediction against its targets."""
        return self._run(1, self._loss)

    def backward(self) -> BackwardRecord:
        """Phase 3, backpropagation (역전파): dL/dz, dL/da, dL/dW, dL/db for every layer."""
        return self._run(2, self._backward)

    def update(self) -> UpdateRecord:
        """Phase 4, the optimizer moves every weight against its gradient (경사하강법)."""
        return self._run(3, self._update)

    def _run(self, phase: int, run):
        """Run one phase, if it is the one due next, with overflow giving inf/NaN quietly."""
        self._expect(phase)
        with np.errstate(**QUIET):
            return run()

    def step(self) -> UpdateRecord:
        """One iteration: the phases still due in this iteration, in order; returns the update."""
        s = self._s
        with np.errstate(**QUIET):
            if s["phase"] == 0:
                self._forward()
            if s["phase"] == 1:
                self._loss()
            if s["phase"] == 2:
                self._backward()
            return self._update()

    # The phases themselves; the public methods check the order and silence overflow warnings.
    def _forward(self) -> ForwardRecord:
        s = self._s
        next_bs = s["pending"].get("batch_size", s["batch_size"])
        self._push("forward", rng=s["order"] is None or self._no_batch_left(next_bs))
        if s["pending"]:
            self._apply(s["pending"])
            s["pending"] = {}
            if self._no_batch_left(s["batch_size"]):
                self._end_epoch()
        self._let_go()
        if s["order"] is None:
            s["order"] = batching.epoch_order(self._rng, len(self.X), self.shuffle)
        cursor = s["cursor"]
        idx = s["order"][cursor:cursor + s["batch_size"]]
        rec = raw_forward_pass(self.model.layers, self.X[idx], idx)
        s.update(fwd=rec, loss=None, bwd=None, upd=None, phase=1,
                 replay=_Replay(self.model.params, idx, s["loss_fn"], s["y"], self.fused))
        return rec

    def _loss(self) -> LossRecord:
        self._undo.append(_LOSS_DONE)
        s = self._s
        rec = raw_compute_loss(s["loss_fn"], s["y"][s["fwd"].indices], s["fwd"])
        s["loss"], s["phase"] = rec, 2
        return rec

    def _backward(self) -> BackwardRecord:
        self._undo.append(_BACKWARD_DONE)
        s = self._s
        rec = raw_backward_pass(self.model.layers, s["fwd"], s["loss"].y_true, s["loss_fn"], self.fused)
        s["bwd"], s["phase"] = rec, 3
        return rec

    def _update(self) -> UpdateRecord:
        old = self.model.params
        self._push("update", params=old)
        s = self._s
        opt = s["optimizer"]
        new, s["opt_state"] = opt.step(old, s["bwd"].grads, s["opt_state"])
        for i, layer in enumerate(self.model.layers):
            layer.W, layer.b = new[2 * i], new[2 * i + 1]
        rec = UpdateRecord(old, new, None, opt.learning_rate, opt.name)
        fwd = s["fwd"]
        b = len(fwd.indices)
        s["iteration"] += 1
        s["global_iteration"] += 1
        s["samples_seen"] += b
        s["cursor"] += b
        loss = s["loss"].value
        s["epoch_loss_sum"] += loss * b
        s["epoch_count"] += b
        self.history.append(s["epoch"] + 1, s["iteration"], s["global_iteration"], fwd.indices,
                            loss, s["bwd"].grad_norm, opt.learning_rate, s["batch_size"], new)
        s["upd"], s["phase"] = rec, 0
        if self._no_batch_left(s["batch_size"]):
            self._end_epoch()
        return rec

    def _no_batch_left(self, batch_size: int) -> bool:
        """Mid-epoch and nothing (or, with drop_last, no full batch) left to draw."""
        remaining = len(self.X) - self._s["cursor"]
        return self._s["order"] is not None and (
            remaining == 0 or (self.drop_last and remaining < batch_size))

    def _end_epoch(self) -> None:
        s = self._s
        s["epoch"] += 1
        val_loss = val_acc = None
        if self._val_raw is not None:
            pred = self.model.predict(self._val_raw[0])
            with np.errstate(**QUIET):
                val_loss = float(np.mean(s["loss_fn"].per_sample(s["y_val"], pred)))
            val_acc = accuracy(s["loss_fn"], s["y_val"], pred)
        self.history.epochs.append(EpochEntry(s["epoch"], s["epoch_loss_sum"] / s["epoch_count"],
                                              val_loss, val_acc))
        s.update(iteration=0, order=None, cursor=0, epoch_loss_sum=0.0, epoch_count=0)

    # -------------------------------------------------------------- settings
    def _labels_for(self, loss_fn: losses.Loss):
        n_out = self.model.sizes[-1]
        y = loss_fn.check_labels(self._y_raw, n_out)
        y_val = None if self._val_raw is None else loss_fn.check_labels(self._val_raw[1], n_out)
        return y, y_val

    @staticmethod
    def _check_batch_size(batch_size, n: int) -> int:
        return positive_int("batch_size", batch_size, maximum=n,
                            hint=f" The data set has {n} samples: 1 is stochastic GD, {n} is "
                                 f"full-batch GD, anything between is mini-batch.")

    def _change(self, **changes) -> None:
        """Apply now at an iteration boundary (with any changes still waiting from the last
        iteration, which come first); otherwise at the start of the next iteration."""
        self._push("settings")
        waiting = {**self._s["pending"], **changes}
        if "optimizer" in changes and "learning_rate" not in changes:
            waiting.pop("learning_rate", None)  # the new optimizer's rate replaces a waiting one
        if self._s["phase"] == 0:
            self._s["pending"] = {}
            self._apply(waiting)
            if self._no_batch_left(self._s["batch_size"]):
                self._end_epoch()
        else:
            self._s["pending"] = waiting

    def _apply(self, changes: dict) -> None:
        """Put changed settings in force, each one recorded as a history event."""
        s = self._s
        new = self._settings_after(changes)
        at = s["global_iteration"]
        events = self.history.events
        if "optimizer" in changes:
            events.append(Event(at, "optimizer", s["optimizer"], changes["optimizer"]))
            s["opt_state"] = {}  # a new optimizer starts without moments
        if "learning_rate" in changes:
            before = changes.get("optimizer", s["optimizer"]).learning_rate
            events.append(Event(at, "learning_rate", before, changes["learning_rate"]))
        if "batch_size" in changes:
            events.append(Event(at, "batch_size", s["batch_size"], new["batch_size"]))
        if "loss" in changes:
            events.append(Event(at, "loss", s["loss_fn"].name, new["loss_fn"].name))
        s.update(new)

    def set_learning_rate(self, learning_rate: float) -> None:
        """Change the learning rate (학습률); takes effect at the next iteration."""
        self._change(learning_rate=positive_float("learning_rate", learning_rate))

    def set_batch_size(self, batch_size: int) -> None:
        """Change the batch size (배치 사이즈), 1..N; takes effect at the next iteration."""
        self._change(batch_size=self._check_batch_size(batch_size, len(self.X)))

    def set_optimizer(self, optimizer, **hyperparameters) -> None:
        """Switch optimizer; its state (moments) starts afresh at the next iteration.

        A name keeps the current learning rate (unless ``learning_rate=`` is given);
        an Optimizer object brings its own.
        """
        if isinstance(optimizer, str):
            hyperparameters.setdefault("learning_rate", self._pending_learning_rate())
        lr = hyperparameters.pop("learning_rate", None)
        opt = optimizers.get(optimizer, lr, **hyperparameters)
        self._change(optimizer=opt)

    def _pending_learning_rate(self) -> float:
        pending = self._s["pending"]
        if "learning_rate" in pending:
            return pending["learning_rate"]
        return pending.get("optimizer", self._s["optimizer"]).learning_rate

    def set_loss(self, loss, from_logits: bool = False) -> None:
        """Switch loss function; the labels are checked against it first."""
        loss_fn = losses.get(loss, from_logits=from_logits)
        self._change(loss=(loss_fn, *self._labels_for(loss_fn)))

    def set_weights(self, weights) -> None:
        """Set the model's weights at an iteration boundary (a new start for the descent path)."""
        if self._s["phase"] != 0:
            raise PhaseError(f"weights can only be set between iterations; this iteration is at "
                             f"{PHASES[self._s['phase']]}(). Finish it (trainer.step()) or step back "
                             f"with trainer.undo() first.")
        old = self.model.get_flat()
        self._push("set_weights", params=self.model.params)
        try:
            self.model.set_weights(weights)
        except (TypeError, ValueError):
            self._undo.pop()
            raise
        self.history.events.append(Event(self._s["global_iteration"], "weights", old,
                                         self.model.get_flat()))

    def set_flat(self, vec) -> None:
        """``set_weights`` from one flat vector (n_params,)."""
        self.set_weights(self.model.unflatten(vec))

    # ------------------------------------------------------------------- fit
    def fit(self, epochs: int = 1, target_loss: "float | None" = None,
            min_grad_norm: "float | None" = None, patience: "int | None" = None,
            min_delta: float = 0.0, verbose: bool = True) -> StopReason:
        """Repeat iterations until a stopping criterion holds; returns why it stopped.

        Criteria (the first to hold wins):
            epochs: this many more epochs completed (an unfinished epoch counts as one).
            target_loss: an epoch's mean training loss is at or below it.
            min_grad_norm: an iteration's gradient norm falls below it.
            patience: the validation loss has not improved by more than ``min_delta`` for this
                many epochs (early stopping; needs validation data).
            a non-finite (inf/NaN) loss: the run diverged; it stops before that batch's
                backward, so the weights stay finite.
        ``verbose`` shows a progress bar (terminal or notebook).
        """
        epochs = positive_int("epochs", epochs)
        if target_loss is not None and not (isinstance(target_loss, Real) and np.isfinite(target_loss)):
            raise ValueError(f"target_loss must be a finite number; received {target_loss!r}.")
        if min_grad_norm is not None:
            positive_float("min_grad_norm", min_grad_norm)
        if patience is not None:
            positive_int("patience", patience)
            if self._val_raw is None:
                raise ValueError("patience (early stopping) watches the validation loss, but this "
                                 "trainer has no validation data. Create the Trainer with "
                                 "validation_split=0.2 or validation_data=(X_val, y_val).")
        goal = self._s["epoch"] + epochs
        bar = ProgressBar(epochs, enabled=verbose)
        best, since_best, reason = np.inf, 0, None
        try:
            while reason is None:
                epoch_before = self._s["epoch"]
                if self._s["phase"] >= 2 and not self._s["loss"].finite:
                    reason = StopReason("diverged", f"the loss of this batch is {self._s['loss'].value}; "
                                        f"undo, lower the learning rate, or reset")
                    break
                if self._s["phase"] <= 1:
                    if self._s["phase"] == 0:
                        self.forward()
                    rec = self.loss()
                    if not rec.finite:
                        reason = StopReason("diverged", f"the loss became {rec.value} at epoch "
                                            f"{self._s['epoch'] + 1}, iteration {self._s['iteration'] + 1}; "
                                            f"try a smaller learning rate")
                        break
                self.step()
                if not all(np.isfinite(p).all() for p in self._s["upd"].new):
                    self.undo()
                    reason = StopReason("diverged", "this update would make the weights overflow "
                                        "to inf; it was undone. Try a smaller learning rate")
                    break
                grad_norm = self._s["bwd"].grad_norm
                if min_grad_norm is not None and grad_norm < min_grad_norm:
                    reason = StopReason("min_grad_norm", f"gradient norm {grad_norm:.3g} < "
                                        f"{min_grad_norm:g}")
                if self._s["epoch"] == epoch_before:
                    continue
                entry = self.history.epochs[-1]
                bar.update(epochs - (goal - self._s["epoch"]), f"loss {entry.loss:.4f}"
                           + (f"  val_loss {entry.val_loss:.4f}" if entry.val_loss is not None else ""))
                if reason is not None:
                    break
                if target_loss is not None and entry.loss <= target_loss:
                    reason = StopReason("target_loss", f"epoch loss {entry.loss:.4g} <= {target_loss:g}")
                elif patience is not None:
                    if entry.val_loss is not None and entry.val_loss < best - min_delta:
                        best, since_best = entry.val_loss, 0
                    else:
                        since_best += 1
                    if since_best >= patience:
                        reason = StopReason("early_stopping", f"no improvement of the validation "
                                            f"loss for {patience} epochs (best {best:.4g})")
                if reason is None and self._s["epoch"] >= goal:
                    reason = StopReason("max_epochs", f"{epochs} epoch(s) done")
        except KeyboardInterrupt:
            reason = StopReason("interrupted", "stopped by hand; the trainer is consistent")
        self._s["stop_reason"] = reason
        bar.close(f"{bar.message}  stopped: {reason.code}")
        return reason

    # ------------------------------------------------------------ read only
    def evaluate(self, X=None, y=None) -> float:
        """The loss over a whole data set (default: all training data), with the current weights."""
        if X is None:
            X, y = self.X, self._s["y"]
        else:
            y = self._s["loss_fn"].check_labels(y, self.model.sizes[-1])
        pred = self.model.predict(X)
        with np.errstate(**QUIET):
            return float(np.mean(self._s["loss_fn"].per_sample(y, pred)))

    def explain(self) -> str:
        """# of data = batch size x iterations, with the live numbers."""
        return batching.explain(len(self.X), self._s["batch_size"], self.drop_last)

    def status(self) -> str:
        """One line for a status bar: where the loop is and the current loss."""
        s = self._s
        loss = "" if s["loss"] is None else f" | loss {s['loss'].value:.4f}"
        stop = "" if s["stop_reason"] is None else f" | stopped: {s['stop_reason'].code}"
        return (f"epoch {s['epoch'] + 1} | iteration {s['iteration']}/{self.iterations_per_epoch} "
                f"| global iteration {s['global_iteration']} | samples seen {s['samples_seen']}"
                f"{loss} | next: {self.next_phase}{stop}")

    next_phase = property(lambda self: PHASES[self._s["phase"]],
                          doc='"forward", "loss", "backward" or "update": what may run next.')
    epoch = property(lambda self: self._s["epoch"], doc="Completed epochs.")
    iteration = property(lambda self: self._s["iteration"],
                         doc="Completed iterations in the current epoch.")
    global_iteration = property(lambda self: self._s["global_iteration"])
    samples_seen = property(lambda self: self._s["samples_seen"])
    batch_size = property(lambda self: self._s["batch_size"])
    optimizer = property(lambda self: self._s["optimizer"])
    learning_rate = property(lambda self: self._s["optimizer"].learning_rate)
    loss_fn = property(lambda self: self._s["loss_fn"])
    y = property(lambda self: self._s["y"], doc="Targets, shaped for the loss.")
    stop_reason = property(lambda self: self._s["stop_reason"])
    last_forward = property(lambda self: self._s["fwd"])
    last_loss = property(lambda self: self._s["loss"])
    last_backward = property(lambda self: self._s["bwd"])
    last_update = property(lambda self: self._s["upd"])
    pending = property(lambda self: dict(self._s["pending"]),
                       doc="Changes waiting for the next iteration.")
    optimizer_state = property(lambda self: self._s["opt_state"])
    n_samples = property(lambda self: len(self.X))
    X_val = property(lambda self: None if self._val_raw is None else self._val_raw[0])
    y_val = property(lambda self: self._s["y_val"])

    @property
    def iterations_per_epoch(self) -> int:
        """ceil(N / batch_size) (floor with drop_last); mid-epoch, counts the batches still due."""
        s = self._s
        rest = len(self.X) - s["cursor"]
        return s["iteration"] + batching.iterations_per_epoch(rest, s["batch_size"], self.drop_last)

    @property
    def mode(self) -> str:
        return batching.mode_name(self._s["batch_size"], len(self.X))

    @property
    def diverged(self) -> bool:
        """True when the latest loss is inf or NaN."""
        rec = self._s["loss"]
        if rec is None and self.history.iterations:
            return not np.isfinite(self.history.losses[-1])
        return rec is not None and not rec.finite

    def __repr__(self) -> str:
        return (f"Trainer(sizes={self.model.sizes}, loss={self.loss_fn.name!r}, "
                f"optimizer={self.optimizer!r}, batch_size={self.batch_size} ({self.mode}), "
                f"N={len(self.X)}; {self.status()})")
