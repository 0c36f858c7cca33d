"""Stopping criteria (학습 중지 기준): when a training run ends, and why.

One rule for every way of training: ``Trainer.fit`` and the dashboards' Epoch and Play buttons
all run iterations through ``guarded_step`` and ask the same ``Criteria`` at each epoch end.

A run diverges (발산) when
- the batch loss is inf or NaN (it stops before that batch's backward, so the weights stay finite);
- an update would make a weight inf or NaN (the update is undone);
- with a cross-entropy loss, whose clipping keeps the loss finite for ever: the weights exceed
  ``WEIGHT_LIMIT`` in size, or the loss is pinned at the clipping ceiling -log(1e-7) with a
  gradient of exactly 0 (every output saturated: training cannot move any more).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from .terms import phrase

__all__ = ["StopReason", "Criteria", "accuracy", "guarded_step", "run", "finish_epoch",
           "divergence", "CODES", "WEIGHT_LIMIT", "stop_word"]

CODES = ("max_epochs", "target_loss", "min_grad_norm", "early_stopping", "diverged", "interrupted")
WEIGHT_LIMIT = 1e6  # a classifier's weights beyond this have exploded
_CROSS_ENTROPY = ("binary_crossentropy", "categorical_crossentropy",
                  "sparse_categorical_crossentropy", "cee")
_CEILING = -math.log(1e-7)  # the largest per-sample cross-entropy after Keras' clipping


class StopReason(str):
    """Which criterion stopped a run: compares equal to its code (e.g. ``"diverged"``),
    and ``.message`` explains it with the numbers."""

    def __new__(cls, code: str, message: str = ""):
        if code not in CODES:
            raise ValueError(f"stop reason code must be one of {CODES}; received {code!r}.")
        obj = super().__new__(cls, code)
        obj.message = message
        return obj

    @property
    def code(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"StopReason({self.code!r}: {self.message})"


def stop_word(reason: str, lang: "str | None" = None) -> str:
    """The stop reason's code in ``lang``: the code itself in English ("diverged"), its Korean
    name in Korean ("발산")."""
    return phrase(f"core.stop.{reason}", lang)


def _optional(name: str, value, kind, minimum, strict: bool):
    if value is None:
        return None
    ok = isinstance(value, kind) and not isinstance(value, bool) and (
        value > minimum if strict else value >= minimum) and np.isfinite(value)
    if not ok:
        bound = f"> {minimum}" if strict else f">= {minimum}"
        raise ValueError(phrase("errors.stop_criterion", name=name, bound=bound, value=value))
    return value


@dataclass
class Criteria:
    """When a run stops, besides divergence (checked at every iteration).

    Attributes:
        max_epochs: stop once this many epochs are complete in total (None: no limit).
        target_loss: stop when an epoch's mean training loss is at or below it (None: off).
        min_grad_norm: stop when an iteration's gradient norm falls below it (None: off).
        patience: stop when the validation loss has not improved by more than ``min_delta`` for
            this many epochs (early stopping, as Keras' EarlyStopping; needs validation data;
            None: off).
        min_delta: the least decrease of the validation loss that counts as an improvement.
    """

    max_epochs: "int | None" = None
    target_loss: "float | None" = None
    patience: "int | None" = None
    min_grad_norm: "float | None" = None
    min_delta: float = 0.0

    def __post_init__(self):
        self.max_epochs = _optional("max_epochs", self.max_epochs, Integral, 0, strict=True)
        self.target_loss = _optional("target_loss", self.target_loss, Real, 0, strict=False)
        self.patience = _optional("patience", self.patience, Integral, 0, strict=True)
        self.min_grad_norm = _optional("min_grad_norm", self.min_grad_norm, Real, 0, strict=True)
        self.min_delta = _optional("min_delta", self.min_delta, Real, 0, strict=False)

    def check_trainer(self, trainer) -> None:
        """Raise when a criterion cannot work with this trainer (patience without validation data)."""
        if self.patience is not None and trainer.X_val is None:
            raise ValueError(phrase("errors.patience_no_validation"))

    def before_run(self, trainer) -> "StopReason | None":
        """A reason not to start at all: the epoch limit is already reached."""
        if self.max_epochs is not None and trainer.epoch >= self.max_epochs:
            return StopReason("max_epochs", phrase("fit.limit_reached", done=trainer.epoch,
                                                   limit=self.max_epochs))
        return None

    def after_iteration(self, trainer) -> "StopReason | None":
        """The gradient criterion, checked after every iteration."""
        if self.min_grad_norm is not None and trainer.last_backward is not None:
            norm = trainer.last_backward.grad_norm
            if norm < self.min_grad_norm:
                return StopReason("min_grad_norm", phrase("fit.grad_norm", norm=norm,
                                                          limit=self.min_grad_norm))
        return None

    def at_epoch_end(self, trainer) -> "StopReason | None":
        """The first criterion that holds now that an epoch has ended (None: keep going)."""
        h = trainer.history
        if not h.epochs:
            return None
        loss = h.epochs[-1].loss
        if self.target_loss is not None and loss <= self.target_loss:
            return StopReason("target_loss", phrase("fit.target_loss", loss=loss,
                                                    target=self.target_loss))
        if self.patience is not None and trainer.X_val is not None:
            waited, best = epochs_without_improvement(h.val_losses, self.min_delta)
            if waited >= self.patience:
                return StopReason("early_stopping", phrase("fit.early_stopping",
                                                           patience=self.patience, best=best))
        if self.max_epochs is not None and trainer.epoch >= self.max_epochs:
            return StopReason("max_epochs", phrase("fit.max_epochs", epochs=trainer.epoch))
        return None


def epochs_without_improvement(val_losses, min_delta: float = 0.0) -> tuple[int, float]:
    """(epochs since the validation loss last improved by more than ``min_delta``, best loss),
    Keras' EarlyStopping count over the whole run."""
    best, waited = np.inf, 0
    for loss in val_losses:
        if loss < best - min_delta:
            best, waited = loss, 0
        else:
            waited += 1
    return waited, best


def _advice(trainer) -> str:
    return phrase("fit.advice", lr=trainer.learning_rate)


def divergence(trainer) -> "StopReason | None":
    """A "diverged" StopReason when the last iteration's weights, gradients or loss show that
    the run diverged (see the module's rules), else None."""
    params = trainer.model.params
    if not all(np.isfinite(p).all() for p in params):
        return StopReason("diverged", phrase("fit.overflow", advice=_advice(trainer)))
    if trainer.loss_fn.name not in _CROSS_ENTROPY:
        return None
    size = max(max(abs(float(p.max())), abs(float(p.min()))) for p in params)
    if size > WEIGHT_LIMIT:
        return StopReason("diverged", phrase("fit.exploded", size=size, limit=WEIGHT_LIMIT,
                                             advice=_advice(trainer)))
    loss, backward = trainer.last_loss, trainer.last_backward
    if (backward is not None and backward.grad_norm == 0.0 and loss is not None
            and float(np.max(loss.per_sample)) >= _CEILING * (1 - 1e-9)):
        return StopReason("diverged", phrase("fit.ceiling", ceiling=_CEILING,
                                             advice=_advice(trainer)))
    return None


def guarded_step(trainer, criteria: "Criteria | None" = None) -> "StopReason | None":
    """Finish the current iteration (all its phases still due), as ``trainer.step()``, but stop
    before Backward when the batch loss is inf or NaN, so the weights stay finite; undo an update
    that makes the weights overflow; then check divergence and ``criteria.after_iteration``.

    Returns the StopReason when the run should stop, else None.
    """
    if trainer.next_phase == "forward":
        trainer.forward()
    if trainer.next_phase == "loss":
        trainer.loss()
    rec = trainer.last_loss
    if not rec.finite:
        return StopReason("diverged", phrase("fit.loss_not_finite", value=rec.value,
                                             epoch=trainer.epoch + 1,
                                             iteration=trainer.iteration + 1,
                                             advice=_advice(trainer)))
    trainer.step()
    reason = divergence(trainer)
    if reason is not None:
        if not all(np.isfinite(p).all() for p in trainer.model.params):
            trainer.undo()  # keep the weights finite
        return reason
    return None if criteria is None else criteria.after_iteration(trainer)


def run(trainer, criteria: Criteria, iterations: int) -> "StopReason | None":
    """Up to ``iterations`` guarded steps; stops early on divergence or when a criterion holds.
    Returns the StopReason, or None when all iterations ran."""
    for _ in range(iterations):
        epoch = trainer.epoch
        reason = guarded_step(trainer, criteria)
        if reason is None and trainer.epoch != epoch:
            reason = criteria.at_epoch_end(trainer)
        if reason is not None:
            return reason
    return None


def finish_epoch(trainer, criteria: Criteria) -> "StopReason | None":
    """Guarded steps until the current epoch ends; then the criteria are checked once."""
    epoch = trainer.epoch
    while trainer.epoch == epoch:
        reason = guarded_step(trainer, criteria)
        if reason is not None:
            return reason
    return criteria.at_epoch_end(trainer)


def accuracy(loss_fn, y, pred: np.ndarray) -> "float | None":
    """Fraction of correct predictions for classification losses; None for regression.

    Args:
        loss_fn: the Loss in use (decides how labels are read).
        y: labels as that loss expects them; pred: predictions (n, k).
    """
    name = loss_fn.name
    if name == "binary_crossentropy":
        threshold = 0.0 if loss_fn.from_logits else 0.5
        return float(np.mean((pred > threshold) == (y > 0.5)))
    if name in ("categorical_crossentropy", "cee"):
        return float(np.mean(pred.argmax(axis=-1) == y.argmax(axis=-1)))
    if name == "sparse_categorical_crossentropy":
        return float(np.mean(pred.argmax(axis=-1) == y))
    return None
