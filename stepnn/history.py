"""History: one entry per iteration and one per epoch, for loss curves and the descent path."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["IterationEntry", "EpochEntry", "Event", "History"]


@dataclass(frozen=True)
class IterationEntry:
    """One iteration: where it was, what it used, what it gave.

    ``weights`` is the flat weight vector (n_params,) after the update.
    """
    epoch: int
    iteration: int
    global_iteration: int
    indices: np.ndarray
    loss: float
    grad_norm: float
    learning_rate: float
    batch_size: int
    weights: np.ndarray

    def __repr__(self) -> str:
        return (f"IterationEntry(epoch {self.epoch}, iteration {self.iteration}, "
                f"global {self.global_iteration}: loss={self.loss:.6g}, |grad|={self.grad_norm:.4g}, "
                f"learning_rate={self.learning_rate:g}, batch_size={self.batch_size})")


@dataclass(frozen=True)
class EpochEntry:
    """One finished epoch: the mean training loss over its batches and, with validation data,
    the validation loss and accuracy (None when there is no validation data or no accuracy)."""
    epoch: int
    loss: float
    val_loss: "float | None" = None
    val_accuracy: "float | None" = None

    def __repr__(self) -> str:
        extra = f", val_loss={self.val_loss:.6g}" if self.val_loss is not None else ""
        extra += f", val_accuracy={self.val_accuracy:.4f}" if self.val_accuracy is not None else ""
        return f"EpochEntry(epoch {self.epoch}: loss={self.loss:.6g}{extra})"


@dataclass(frozen=True)
class Event:
    """A change made during training (learning rate, batch size, optimizer, loss, weights)."""
    global_iteration: int
    what: str
    old: object
    new: object

    def __repr__(self) -> str:
        def short(v):
            return f"array{np.shape(v)}" if isinstance(v, np.ndarray) else repr(v)
        return (f"Event(before iteration {self.global_iteration + 1}: {self.what} "
                f"{short(self.old)} -> {short(self.new)})")


class History:
    """Everything a training run did. ``weights`` starts with the initial weights."""

    def __init__(self, initial_weights: np.ndarray):
        self.iterations: list[IterationEntry] = []
        self.epochs: list[EpochEntry] = []
        self.events: list[Event] = []
        self._initial = initial_weights

    @property
    def losses(self) -> np.ndarray:
        """Batch loss per iteration, shape (n_iterations,)."""
        return np.array([e.loss for e in self.iterations], dtype=np.float64)

    @property
    def grad_norms(self) -> np.ndarray:
        return np.array([e.grad_norm for e in self.iterations], dtype=np.float64)

    @property
    def weights(self) -> np.ndarray:
        """The descent path: flat weights (m + 1, n_params), the start, then after each update.

        When the weights were set by hand during training, the path starts again from there:
        it holds the last start and the m iterations since.
        """
        start, since = self._initial, 0
        for event in self.events:
            if event.what == "weights":
                start, since = event.new, event.global_iteration
        return np.array([start] + [e.weights for e in self.iterations[since:]])

    @property
    def epoch_losses(self) -> np.ndarray:
        return np.array([e.loss for e in self.epochs], dtype=np.float64)

    @property
    def val_losses(self) -> np.ndarray:
        return np.array([np.nan if e.val_loss is None else e.val_loss for e in self.epochs])

    def lengths(self) -> tuple[int, int, int]:
        return len(self.iterations), len(self.epochs), len(self.events)

    def truncate(self, lengths: tuple[int, int, int]) -> None:
        """Forget everything after ``lengths`` (used by undo)."""
        del self.iterations[lengths[0]:]
        del self.epochs[lengths[1]:]
        del self.events[lengths[2]:]

    def __len__(self) -> int:
        return len(self.iterations)

    def __repr__(self) -> str:
        last = f", last loss {self.iterations[-1].loss:.6g}" if self.iterations else ""
        return (f"History({len(self.iterations)} iterations, {len(self.epochs)} epochs, "
                f"{len(self.events)} events{last})")
