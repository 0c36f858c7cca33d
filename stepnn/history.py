"""History: one entry per iteration and one per epoch, for loss curves and the descent path.

Reading a loss curve or the descent path costs one copy however long the run: the columns are
filled in as they are read. ``history.iterations[k]`` gives one iteration as an
``IterationEntry`` when asked. Every array handed out is a copy, safe to keep.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from .model import flatten

__all__ = ["IterationEntry", "EpochEntry", "Event", "History"]

# the numeric columns, in the order of ``History._numbers``' columns
_NUMBER_COLUMNS = ("epoch", "iteration", "global_iteration", "loss", "grad_norm",
                   "learning_rate", "batch_size")


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


class Iterations(Sequence):
    """The iterations of a History as a read-only sequence of ``IterationEntry``.

    ``len``, indexing (``[-1]`` is the latest), slicing and iteration work as on a list.
    """

    def __init__(self, history: "History"):
        self._h = history

    def __len__(self) -> int:
        return len(self._h._entries)

    def __getitem__(self, k):
        n = len(self)
        if isinstance(k, slice):
            return [self._entry(i) for i in range(*k.indices(n))]
        i = k + n if k < 0 else k
        if not 0 <= i < n:
            raise IndexError(f"iteration index {k} out of range: the history has {n} iterations.")
        return self._entry(i)

    def __iter__(self) -> Iterator[IterationEntry]:
        return (self._entry(i) for i in range(len(self)))

    def _entry(self, i: int) -> IterationEntry:
        epoch, iteration, global_iteration, loss, grad_norm, learning_rate, batch_size, indices, \
            params = self._h._entries[i]
        return IterationEntry(epoch, iteration, global_iteration, indices, loss, grad_norm,
                              learning_rate, batch_size, flatten(params))

    def __repr__(self) -> str:
        return f"<{len(self)} iterations; history.iterations[-1] is the latest>"


class History:
    """Everything a training run did. ``weights`` starts with the initial weights.

    Each iteration is kept as one tuple (its numbers, its batch, the weight arrays after it,
    which are never modified); the columns and the flat descent path are filled in when read.

    Args:
        initial_weights: the flat weight vector (n_params,) before the first iteration.
    """

    def __init__(self, initial_weights: np.ndarray):
        initial_weights = np.asarray(initial_weights, dtype=np.float64)
        self._entries: list[tuple] = []
        self._numbers = np.empty((16, len(_NUMBER_COLUMNS)))
        self._numbers_done = 0  # rows of _numbers filled from _entries
        self._weights = np.empty((17, initial_weights.size))  # row 0: the start
        self._weights[0] = initial_weights
        self._weights_done = 0  # iterations whose row of _weights is filled
        self.iterations = Iterations(self)
        self.epochs: list[EpochEntry] = []
        self.events: list[Event] = []

    def append(self, epoch: int, iteration: int, global_iteration: int, indices: np.ndarray,
               loss: float, grad_norm: float, learning_rate: float, batch_size: int,
               params: Sequence[np.ndarray]) -> None:
        """Record one iteration; ``params`` are the weights after it, laid out as
        ``model.get_weights()``, and must never be modified afterwards."""
        self._entries.append((epoch, iteration, global_iteration, loss, grad_norm, learning_rate,
                              batch_size, indices, params))

    def _column(self, name: str) -> np.ndarray:
        n = len(self._entries)
        if self._numbers_done < n:
            if n > len(self._numbers):
                self._numbers = _grown(self._numbers, self._numbers_done, n)
            done = self._numbers_done
            self._numbers[done:n] = [e[:7] for e in self._entries[done:n]]
            self._numbers_done = n
        return self._numbers[:n, _NUMBER_COLUMNS.index(name)].copy()

    def _path(self) -> np.ndarray:
        """Flat weights (n + 1, n_params): the start, then after each iteration (a view)."""
        n = len(self._entries)
        if self._weights_done < n:
            if n + 1 > len(self._weights):
                self._weights = _grown(self._weights, self._weights_done + 1, n + 1)
            for i in range(self._weights_done, n):
                flatten(self._entries[i][8], out=self._weights[i + 1])
            self._weights_done = n
        return self._weights[:n + 1]

    @property
    def losses(self) -> np.ndarray:
        """Batch loss per iteration, shape (n_iterations,)."""
        return self._column("loss")

    @property
    def grad_norms(self) -> np.ndarray:
        """Gradient norm per iteration, shape (n_iterations,)."""
        return self._column("grad_norm")

    @property
    def learning_rates(self) -> np.ndarray:
        """Learning rate per iteration, shape (n_iterations,)."""
        return self._column("learning_rate")

    @property
    def iteration_epochs(self) -> np.ndarray:
        """The epoch (1, 2, ...) each iteration belonged to, shape (n_iterations,) int."""
        return self._column("epoch").astype(np.int64)

    @property
    def iteration_numbers(self) -> np.ndarray:
        """Each iteration's number within its epoch (1, 2, ...), shape (n_iterations,) int."""
        return self._column("iteration").astype(np.int64)

    @property
    def global_iterations(self) -> np.ndarray:
        """The global iteration number (1, 2, ...) of each iteration, shape (n_iterations,) int."""
        return self._column("global_iteration").astype(np.int64)

    @property
    def weights(self) -> np.ndarray:
        """The descent path: flat weights (m + 1, n_params), the start, then after each update.

        When the weights were set by hand during training, the path starts again from there:
        it holds the last start and the m iterations since.
        """
        start, since = None, 0
        for event in self.events:
            if event.what == "weights":
                start, since = event.new, event.global_iteration
        path = self._path()
        if start is None:
            return path.copy()
        return np.vstack([start[None, :], path[since + 1:]])

    @property
    def epoch_losses(self) -> np.ndarray:
        return np.array([e.loss for e in self.epochs], dtype=np.float64)

    @property
    def val_losses(self) -> np.ndarray:
        return np.array([np.nan if e.val_loss is None else e.val_loss for e in self.epochs])

    def lengths(self) -> tuple[int, int, int]:
        return len(self._entries), len(self.epochs), len(self.events)

    def truncate(self, lengths: tuple[int, int, int]) -> None:
        """Forget everything after ``lengths`` (used by undo)."""
        n = lengths[0]
        del self._entries[n:]
        self._numbers_done = min(self._numbers_done, n)
        self._weights_done = min(self._weights_done, n)
        del self.epochs[lengths[1]:]
        del self.events[lengths[2]:]

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        last = f", last loss {self._entries[-1][3]:.6g}" if self._entries else ""
        return (f"History({len(self._entries)} iterations, {len(self.epochs)} epochs, "
                f"{len(self.events)} events{last})")


def _grown(buffer: np.ndarray, keep: int, need: int) -> np.ndarray:
    """A buffer with room for at least ``need`` rows (doubling), holding ``buffer[:keep]``."""
    size = len(buffer)
    while size < need:
        size *= 2
    out = np.empty((size,) + buffer.shape[1:])
    out[:keep] = buffer[:keep]
    return out
