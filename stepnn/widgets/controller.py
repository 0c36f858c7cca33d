"""Running the loop for a dashboard: the status line, the phase hints and the pending settings.
The stopping criteria (학습 중지 기준) and the guarded iterations of the Epoch and Play runs are
``stepnn.stopping``'s, the same as ``Trainer.fit``'s. No widgets here: pure functions of a
Trainer, so they are tested on their own.
"""
from __future__ import annotations

import numpy as np

from .. import regularizers
from ..stopping import Criteria, StopReason, finish_epoch, guarded_step, run
from ..terms import phrase, resolve_language, term
from ..views.style import loss_number

__all__ = ["Criteria", "guarded_step", "run", "finish_epoch", "phase_hint", "status_text",
           "explain_data", "upcoming", "move_to", "stop_text", "LOOP"]

LOOP = ("forward", "loss", "backward", "update")


def _word(key: str, lang: str) -> str:
    """A course term inside a sentence (lower case in English)."""
    word = term(key, lang)
    return word.lower() if resolve_language(lang) == "en" else word


def phase_hint(next_phase: str, lang: "str | None" = None) -> str:
    """Why a phase button is disabled: "Next is Backward: the loop runs forward -> loss -> ..."."""
    names = " -> ".join(_word(p, lang) for p in LOOP)
    return phrase("status.phase_hint", lang, phase=term(next_phase, lang), names=names)




def explain_data(trainer, lang: "str | None" = None) -> str:
    """# of data = batch size x iterations with the live numbers, in ``lang``
    (``trainer.explain(lang)``: one home for the sentence)."""
    return trainer.explain(lang)


def move_to(trainer, weights) -> bool:
    """Set the weights a view picked (flat, (n_params,)) as a new start of the descent path;
    mid-iteration, the unfinished iteration is undone first. Returns True when it undid one."""
    undone = trainer.next_phase != "forward"
    while trainer.next_phase != "forward" and trainer.can_undo:
        trainer.undo()
    trainer.set_flat(weights)
    return undone


def upcoming(trainer) -> dict:
    """The settings the next iteration will use: ``trainer.next_settings`` (the one preview)."""
    return trainer.next_settings


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
    regs = new["regularizers"]
    if regs != tuple(layer.kernel_regularizer for layer in trainer.model.layers):
        labels = {regularizers.label(r) or phrase("playground.reg.none", lang) for r in regs}
        parts.append(f"{_word('regularization', lang)} {' / '.join(sorted(labels))}")
    if new["data"] is not trainer.data:
        parts.append(f"{_word('dataset', lang)} {new['data'].n}")
    return ", ".join(parts)


def status_text(trainer, stop_reason: "StopReason | None" = None, lang: "str | None" = None,
                rate: "float | None" = None) -> str:
    """One short status line: epochs done, iteration within the epoch / per epoch, global
    iteration, samples seen, the batch loss, the next phase, the settings pending, and while Play
    runs the iterations per second delivered (``rate``). ``stop_reason``: why the last run stopped,
    as its code (the dashboard says why in its message area, once)."""
    def w(key: str) -> str:
        return phrase(f"status.{key}", lang)
    parts = [f"{w('epochs_done')} {len(trainer.history.epochs)}",
             f"{_word('iteration', lang)} {trainer.iteration}/{trainer.iterations_per_epoch}",
             f"{w('global_iteration')} {trainer.global_iteration}",
             f"{w('samples_seen')} {trainer.samples_seen}"]
    if trainer.last_loss is not None:
        rec = trainer.last_loss
        parts.append(f"{_word('loss', lang)} {loss_number(rec.value)}")
        if rec.penalty:
            parts[-1] += " " + phrase("status.penalty", lang, data=loss_number(rec.data_loss),
                                           penalty=loss_number(rec.penalty))
    parts.append(f"{w('next')}: {_word(trainer.next_phase, lang)}")
    if rate is not None:
        parts.append(phrase("status.rate", lang, rate=rate))
    pending = _pending_text(trainer, lang)
    if pending:
        parts.append(f"{w('pending')}: {pending}")
    if stop_reason is not None:
        parts.append(f"{w('stopped')}: {stop_reason.code}")
    return " · ".join(parts)


def stop_text(reason: StopReason, trainer, criteria: Criteria, lang: "str | None" = None) -> str:
    """Why a run stopped, in ``lang``, with the numbers (the core's ``reason.message`` is English)."""
    from ..stopping import epochs_without_improvement
    h, code = trainer.history, reason.code
    values: dict = {}
    if code == "max_epochs":
        values = dict(epochs=len(h.epochs), limit=criteria.max_epochs)
    elif code == "target_loss":
        values = dict(loss=h.epochs[-1].loss if h.epochs else float("nan"), target=criteria.target_loss)
    elif code == "early_stopping":
        _, best = epochs_without_improvement(h.val_losses, criteria.min_delta)
        best_epoch = int(np.argmin(h.val_losses)) + 1 if len(h.val_losses) else 0
        values = dict(patience=criteria.patience, best=best, best_epoch=best_epoch)
    return phrase(f"stop.{code}", lang, **values)
