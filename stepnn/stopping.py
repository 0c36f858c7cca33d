"""Stopping criteria (학습 중지 기준): why a training run ended, and the accuracy it watches."""
from __future__ import annotations

import numpy as np

__all__ = ["StopReason", "accuracy", "CODES"]

CODES = ("max_epochs", "target_loss", "min_grad_norm", "early_stopping", "diverged", "interrupted")


class StopReason(str):
    """Which criterion stopped ``fit``: compares equal to its code (e.g. ``"diverged"``),
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
