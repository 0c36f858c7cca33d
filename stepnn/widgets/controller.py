"""Running the loop for a dashboard: a guarded iteration, a run of iterations, and the stopping
criteria (학습 중지 기준) that end the Epoch and Play runs. No widgets here: pure functions of a
Trainer, so they are tested on their own.
"""
from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from .. import batching
from ..stopping import StopReason
from ..terms import phrase, term

__all__ = ["Criteria", "guarded_step", "run", "finish_epoch", "phase_hint", "status_text",
           "explain_data", "upcoming", "LOOP"]

LOOP = ("forward", "loss", "backward", "update")


def _word(key: str, lang: str) -> str:
    """A course term inside a sentence (lower case in English)."""
    word = term(key, lang)
    return word.lower() if lang == "en" else word


def phase_hint(next_phase: str, lang: str = "en") -> str:
    """Why a phase button is disabled: "Next is Backward: the loop runs forward -> loss -> ..."."""
    names = " -> ".join(_word(p, lang) for p in LOOP)
    return phrase("status.phase_hint", lang, phase=term(next_phase, lang), names=names)


def _optional(name: str, value, kind, minimum, strict: bool):
    if value is None:
        return None
    ok = isinstance(value, kind) and not isinstance(value, bool) and (
        value > minimum if strict else value >= minimum) and np.isfinite(value)
    if not ok:
        bound = f"> {minimum}" if strict else f">= {minimum}"
        raise ValueError(f"{name} must be None (off) or a number {bound}; received {value!r}.")
    return value


@dataclass
class Criteria:
    """When an Epoch or Play run stops, besides a diverging loss (checked at every epoch end).

    Attributes:
        max_epochs: stop once this many epochs are complete in total (None: no limit).
        target_loss: stop when an epoch's mean training loss is at or below it (None: off).
        patience: stop when the validation loss has not improved for this many epochs
            (early stopping; needs validation data; None: off).
    """

    max_epochs: "int | None" = None
    target_loss: "float | None" = None
    patience: "int | None" = None

    def __post_init__(self):
        self.max_epochs = _optional("max_epochs", self.max_epochs, Integral, 0, strict=True)
        self.target_loss = _optional("target_loss", self.target_loss, Real, 0, strict=False)
        self.patience = _optional("patience", self.patience, Integral, 0, strict=True)

    def before_run(self, trainer) -> "StopReason | None":
        """A reason not to start at all: the epoch limit is already reached."""
        if self.max_epochs is not None and trainer.epoch >= self.max_epochs:
            return StopReason("max_epochs", f"{trainer.epoch} epochs done, the limit is "
                                            f"{self.max_epochs}: raise max epochs to go on")
        return None

    def at_epoch_end(self, trainer) -> "StopReason | None":
        """The first criterion that holds now that an epoch has ended (None: keep going)."""
        h = trainer.history
        if not h.epochs:
            return None
        if self.max_epochs is not None and trainer.epoch >= self.max_epochs:
            return StopReason("max_epochs", f"{trainer.epoch} epoch(s) done")
        loss = h.epochs[-1].loss
        if self.target_loss is not None and loss <= self.target_loss:
            return StopReason("target_loss", f"epoch loss {loss:.4g} <= {self.target_loss:g}")
        if self.patience is not None and trainer.X_val is not None:
            val = h.val_losses
            finite = np.where(np.isfinite(val), val, np.inf)
            best = int(np.argmin(finite))
            if len(val) - 1 - best >= self.patience:
                return StopReason("early_stopping", f"no improvement of the validation loss for "
                                                    f"{self.patience} epochs (best {val[best]:.4g})")
        return None

    def __repr__(self) -> str:
        return (f"Criteria(max_epochs={self.max_epochs}, target_loss={self.target_loss}, "
                f"patience={self.patience})")


def _diverged(trainer) -> StopReason:
    rec = trainer.last_loss
    return StopReason("diverged", f"the loss became {rec.value} at epoch {trainer.epoch + 1}, "
                                  f"iteration {trainer.iteration + 1} with learning rate "
                                  f"{trainer.learning_rate:g}: the steps overshoot. Lower the "
                                  f"learning rate, then Undo or Reset")


def guarded_step(trainer) -> "StopReason | None":
    """Finish the current iteration (all its phases still due), as ``trainer.step()``, but stop
    before Backward when the batch loss is inf or NaN, so the weights stay finite.

    Returns a "diverged" StopReason when it stopped, else None.
    """
    if trainer.next_phase == "forward":
        trainer.forward()
    if trainer.next_phase == "loss":
        trainer.loss()
    if trainer.last_loss is not None and not trainer.last_loss.finite:
        return _diverged(trainer)
    trainer.step()
    return None


def run(trainer, criteria: Criteria, iterations: int) -> "StopReason | None":
    """Up to ``iterations`` guarded steps; stops early on divergence or when a criterion holds at
    an epoch end. Returns the StopReason, or None when all iterations ran."""
    for _ in range(iterations):
        epoch = trainer.epoch
        reason = guarded_step(trainer)
        if reason is None and trainer.epoch != epoch:
            reason = criteria.at_epoch_end(trainer)
        if reason is not None:
            return reason
    return None


def finish_epoch(trainer, criteria: Criteria) -> "StopReason | None":
    """Guarded steps until the current epoch ends; then the criteria are checked once."""
    epoch = trainer.epoch
    while trainer.epoch == epoch:
        reason = guarded_step(trainer)
        if reason is not None:
            return reason
    return criteria.at_epoch_end(trainer)


def explain_data(trainer, lang: str = "en") -> str:
    """# of data = batch size x iterations with the live numbers (``trainer.explain()`` in English)."""
    if lang != "ko":
        return trainer.explain()
    n, bs = trainer.n_samples, trainer.batch_size
    full, rest = divmod(n, bs)
    its = batching.iterations_per_epoch(n, bs, trainer.drop_last)
    line = phrase("status.data", lang, n=n, bs=bs, full=full)
    if rest == 0:
        return line
    return line + phrase("status.data_dropped" if trainer.drop_last else "status.data_last", lang,
                         rest=rest, its=its)


def upcoming(trainer) -> dict:
    """The settings the next iteration will use: the ones in force with the pending changes
    (``trainer.pending``) applied. Keys: optimizer (the object, its own learning rate aside),
    learning_rate, batch_size, loss (its name)."""
    pending = trainer.pending
    optimizer = pending.get("optimizer", trainer.optimizer)
    loss = pending.get("loss", pending.get("loss_fn", trainer.loss_fn))
    if isinstance(loss, tuple):  # (loss function, labels, validation labels)
        loss = loss[0]
    return dict(optimizer=optimizer, learning_rate=pending.get("learning_rate", optimizer.learning_rate),
                batch_size=pending.get("batch_size", trainer.batch_size), loss=loss.name)


def _pending_text(trainer, lang: str) -> str:
    """The settings that change at the next iteration, e.g. "learning rate 0.05, batch size 8"."""
    new = upcoming(trainer)
    now = dict(optimizer=trainer.optimizer, learning_rate=trainer.learning_rate,
               batch_size=trainer.batch_size, loss=trainer.loss_fn.name)
    parts = []
    if repr(new["optimizer"].copy(learning_rate=1.0)) != repr(now["optimizer"].copy(learning_rate=1.0)):
        parts.append(f"{_word('optimizer', lang)} {new['optimizer'].name}")
    if new["learning_rate"] != now["learning_rate"]:
        parts.append(f"{_word('learning_rate', lang)} {new['learning_rate']:g}")
    if new["batch_size"] != now["batch_size"]:
        parts.append(f"{_word('batch_size', lang)} {new['batch_size']}")
    if new["loss"] != now["loss"]:
        parts.append(f"{_word('loss_function', lang)} {new['loss']}")
    return ", ".join(parts)


def status_text(trainer, stop_reason: "StopReason | None" = None, lang: str = "en") -> str:
    """One status line: epoch, iteration within the epoch / per epoch, global iteration, samples
    seen, the batch loss, the next phase, # of data = batch size x iterations, pending changes and
    why the last run stopped."""
    def w(key: str) -> str:
        return phrase(f"status.{key}", lang)
    parts = [f"{_word('epoch', lang)} {trainer.epoch + 1}",
             f"{_word('iteration', lang)} {trainer.iteration}/{trainer.iterations_per_epoch}",
             f"{w('global_iteration')} {trainer.global_iteration}",
             f"{w('samples_seen')} {trainer.samples_seen}"]
    if trainer.last_loss is not None:
        parts.append(f"{_word('loss', lang)} {trainer.last_loss.value:.4f}")
    parts.append(f"{w('next')}: {_word(trainer.next_phase, lang)}")
    parts.append(explain_data(trainer, lang))
    pending = _pending_text(trainer, lang)
    if pending:
        parts.append(f"{w('pending')}: {pending}")
    if stop_reason is not None:
        parts.append(f"{w('stopped')}: {stop_reason.code} ({stop_reason.message})")
    return " | ".join(parts)
