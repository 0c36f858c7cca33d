"""History: one row of numbers per iteration and one entry per epoch, for loss curves and the
descent path; its memory does not grow with the weights of every iteration.

- Every iteration keeps its scalars (epoch, iteration, loss, gradient norm, learning rate, batch
  size, ...) and its batch's sample indices, however long the run: each epoch's order of the
  samples is kept once (int32), and an iteration's batch is the next samples of it.
- The descent path keeps the weights of at most ``PATH_BYTES`` worth of iterations: every
  iteration while it fits, then every 2nd, 4th, ... (the stride doubles when the path is full),
  plus always the current weights. Small nets keep every iteration of any lesson-sized run;
  nets with more than 512 weights keep every k-th from the start (``PATH_BYTES_PER_ITERATION``).

The History holds the whole recorded run, including iterations that undo stepped back over (so
that redo and goto can come back to them); it shows only the part up to where the trainer
stands. Every array handed out is a copy, safe to keep.
"""
from __future__ import annotations

import struct
from array import array
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from .model import flatten
from .terms import phrase

__all__ = ["IterationEntry", "EpochEntry", "Event", "History", "PATH_BYTES", "COLUMNS"]

PATH_BYTES = 8 * 2 ** 20  # the descent path's weight rows take at most this much memory
# ... and grow by about this much per iteration at most: a large net keeps every k-th iteration
# from the start (k a power of two). Copying a [64, 128, 10] net's 77 KB of weights into fresh
# memory at every iteration cost about 40% of a Trainer.step() in bench_core.
PATH_BYTES_PER_ITERATION = 4096

# The buffers' first sizes, doubled when full; memory is given to their rows only as they are
# written, so a lesson's run never copies them into bigger ones (growing the path from 64 rows
# cost the first 300 iterations of a small net about 0.5 % of their time).
FIRST_PATH_ROWS = 1024
FIRST_SAMPLES = 2 ** 14

# the numeric columns of ``History._numbers``, one row per iteration
_COLUMNS = ("epoch", "iteration", "global_iteration", "loss", "grad_norm", "learning_rate",
            "batch_size", "first_sample", "n_samples")
_WIDTH = len(_COLUMNS)
# a row packed as bytes: packing it and appending the bytes takes half the time of
# array.extend() with the numbers (about 0.5 % of a small net's Trainer.step())
_ROW = struct.Struct(f"{_WIDTH}d")
COLUMNS = _COLUMNS


@dataclass(frozen=True)
class IterationEntry:
    """One iteration: where it was, what it used, what it gave.

    ``weights`` is the flat weight vector (n_params,) after the update, or None when the descent
    path no longer holds that iteration (long runs of large nets keep every k-th one).
    """
    epoch: int
    iteration: int
    global_iteration: int
    indices: np.ndarray
    loss: float
    grad_norm: float
    learning_rate: float
    batch_size: int
    weights: "np.ndarray | None"

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
        return self._h._n

    def __getitem__(self, k):
        n = len(self)
        if isinstance(k, slice):
            return [self._h._entry(i) for i in range(*k.indices(n))]
        if isinstance(k, (str, bytes)):
            raise TypeError(phrase("errors.history_key", index=k))
        if not hasattr(k, "__index__"):
            raise TypeError(phrase("errors.history_key_type", index=k, kind=type(k).__name__))
        k = k.__index__()
        i = k + n if k < 0 else k
        if not 0 <= i < n:
            raise IndexError(phrase("errors.history_index", index=k, n=n))
        return self._h._entry(i)

    def __iter__(self) -> Iterator[IterationEntry]:
        return (self._h._entry(i) for i in range(len(self)))

    def __repr__(self) -> str:
        return f"<{len(self)} iterations; history.iterations[-1] is the latest>"


class History:
    """Everything a training run did, up to where the trainer stands.

    Args:
        initial_weights: the flat weight vector (n_params,) before the first iteration.
    """

    def __init__(self, initial_weights: np.ndarray):
        initial_weights = np.asarray(initial_weights, dtype=np.float64)
        # a flat array.array of float64 rows: appending a row costs a fraction of a numpy row
        # write (about 10% of a small net's Trainer.step() in bench_core)
        self._numbers = array("d")
        self._samples = np.empty(FIRST_SAMPLES, dtype=np.int32)  # every epoch's order in turn
        self._stored = 0  # iterations recorded (beyond _n: the redo tail)
        self._n = 0  # iterations shown: where the trainer stands
        self._epochs: list[EpochEntry] = []
        self._epoch_values = array("d")  # (loss, val_loss or NaN) of each epoch: a long run's
        # curve reads them at every Step, which a list of entries would make O(epochs) in Python
        self._events: list[Event] = []
        self._n_epochs = self._n_events = 0
        n_params = initial_weights.size
        self._path_capacity = max(16, PATH_BYTES // (8 * n_params))
        self._path = np.empty((min(self._path_capacity, FIRST_PATH_ROWS), n_params))
        self._path_at = np.zeros(len(self._path), dtype=np.int64)  # iteration of each row
        self._path[0] = initial_weights
        self._path_rows = 1
        self._stride = 1  # the path keeps the iterations that are multiples of this
        while self._stride * PATH_BYTES_PER_ITERATION < 8 * n_params:
            self._stride *= 2
        self._now = initial_weights  # the current weights (flat, or a list like get_weights())
        self._waiting: list = []  # (iteration, weights list) rows not yet copied into _path
        self._last_row = 0  # the iteration of the latest row, kept or waiting
        # rows wait to be copied 16 at a time: one join for many rows, and their arrays let go
        # soon enough that new weights reuse memory still in the cache (256 rows at a time cost
        # a small net's Trainer.step() about 1 % more)
        self._chunk = max(1, min(16, self._path_capacity // 4))
        self.iterations = Iterations(self)

    # ------------------------------------------------------------ recording
    def record_order(self, first_sample: int, order: np.ndarray) -> None:
        """An epoch's order of the samples (n,), drawn before its first batch; ``first_sample`` is
        the number of samples seen before the epoch. The epoch's batches take the order in turn,
        so the indices of every iteration are kept by this one copy per epoch (a copy per
        iteration cost about 1 % of a small net's step)."""
        end = first_sample + len(order)
        if end > len(self._samples):
            self._samples = _grown(self._samples, first_sample, end)
        self._samples[first_sample:end] = order

    def record_iteration(self, epoch: int, iteration: int, global_iteration: int,
                         first_sample: int, n_samples: int, loss: float, grad_norm: float,
                         learning_rate: float, batch_size: int,
                         params: Sequence[np.ndarray]) -> None:
        """Record iteration ``global_iteration`` (1, 2, ...); ``params`` are the weights after it,
        laid out as ``model.get_weights()`` (never modified afterwards); its batch is the
        ``n_samples`` samples after the first ``first_sample`` of the orders recorded
        (``record_order``). Recording an iteration again (a replay) rewrites the same numbers.
        The history then shows the run up to this iteration (as ``show`` would)."""
        row = _ROW.pack(epoch, iteration, global_iteration, loss, grad_norm, learning_rate,
                        batch_size, first_sample, n_samples)
        self._n, self._now = global_iteration, params
        if global_iteration > self._stored:
            self._numbers.frombytes(row)
            self._stored = global_iteration
        else:  # a replay rewrites an iteration already recorded
            at = (global_iteration - 1) * _WIDTH
            self._numbers[at:at + _WIDTH] = array("d", row)
        if global_iteration % self._stride == 0 and global_iteration > self._last_row:
            # copied into the path in chunks (``_flush``): a third of the cost of copying each
            # row on its own
            self._waiting.append((global_iteration, params))
            self._last_row = global_iteration
            if len(self._waiting) >= self._chunk:
                self._flush()

    def _flush(self) -> None:
        """Copy the waiting rows into the path."""
        waiting, self._waiting = self._waiting, []
        rows, m = self._path_rows, len(waiting)
        if not m:
            return
        if rows + m > self._path_capacity:  # thinning on the way: row by row
            for at, params in waiting:
                self._add_path_row(at, params)
            self._last_row = int(self._path_at[self._path_rows - 1])
            return
        if rows + m > len(self._path):
            size = min(max(2 * len(self._path), rows + m), self._path_capacity)
            self._path = _grown(self._path, rows, size)
            self._path_at = _grown(self._path_at, rows, size)
        # every waiting row's arrays as one run of bytes, straight into the rows: a quarter of
        # the cost of np.concatenate, which flattens them array by array (about 2 % of a small
        # net's Trainer.step()); arrays that are not C-contiguous go through np.concatenate
        width = self._path.shape[1]
        out = self._path.reshape(-1)[rows * width:(rows + m) * width]
        arrays = [p for _, params in waiting for p in params]
        try:
            joined = b"".join(arrays)
        except (TypeError, BufferError):  # an array that is not C-contiguous
            joined = b""
        if len(joined) == out.nbytes:
            out[:] = np.frombuffer(joined, dtype=np.float64)
        else:
            np.concatenate(arrays, axis=None, out=out)
        self._path_at[rows:rows + m] = [at for at, _ in waiting]
        self._path_rows = rows + m

    def _add_path_row(self, at: int, params) -> None:
        rows = self._path_rows
        if rows == len(self._path):
            if rows < self._path_capacity:
                size = min(2 * rows, self._path_capacity)
                self._path = _grown(self._path, rows, size)
                self._path_at = _grown(self._path_at, rows, size)
            else:  # full: keep every other row, and from now on every other iteration
                self._stride *= 2
                keep = np.flatnonzero(self._path_at[:rows] % self._stride == 0)
                self._path[:len(keep)] = self._path[keep]
                self._path_at[:len(keep)] = self._path_at[keep]
                self._path_rows = rows = len(keep)
                if at % self._stride:
                    return
        flatten(params, out=self._path[rows])
        self._path_at[rows] = at
        self._path_rows = rows + 1

    def record_epoch(self, entry: EpochEntry) -> None:
        """Record a finished epoch (entry.epoch = 1, 2, ...); the history then shows the run's
        epochs up to this one."""
        _put(self._epochs, entry.epoch - 1, entry)
        self._n_epochs = entry.epoch
        at = 2 * (entry.epoch - 1)
        values = (entry.loss, np.nan if entry.val_loss is None else entry.val_loss)
        if at < len(self._epoch_values):
            self._epoch_values[at:at + 2] = array("d", values)
        else:
            self._epoch_values.extend(values)

    def record_event(self, index: int, event: Event) -> None:
        """Record the ``index``-th event (0, 1, ...) of the run."""
        _put(self._events, index, event)

    def show(self, n_iterations: int, n_epochs: int, n_events: int, weights) -> None:
        """Show the run up to where the trainer stands; ``weights`` are its current weights
        (flat, or a list like ``model.get_weights()``, never modified afterwards)."""
        self._n, self._n_epochs, self._n_events, self._now = n_iterations, n_epochs, n_events, weights

    def forget_after(self) -> None:
        """Drop the recorded iterations, epochs and events beyond those shown (a new branch of
        the run starts here)."""
        self._flush()
        self._stored = self._n
        del self._numbers[self._n * _WIDTH:]
        del self._epochs[self._n_epochs:]
        del self._epoch_values[2 * self._n_epochs:]
        del self._events[self._n_events:]
        self._path_rows = max(1, int(np.searchsorted(self._path_at[:self._path_rows], self._n,
                                                     side="right")))
        self._last_row = int(self._path_at[self._path_rows - 1])

    # ------------------------------------------------------ saved sessions
    def parts(self) -> dict:
        """The run shown (up to where the trainer stands; the redo tail is left out) as plain
        parts, for a session file: ``numbers`` (n, 9) float64, one row per iteration (the columns
        ``COLUMNS``); ``samples`` (m,) int32, every batch's indices one after another; ``epochs``
        and ``events``, lists of EpochEntry and Event; ``path`` (k, n_params) and ``path_at``
        (k,) int64, the descent path's rows kept and their iterations; ``stride``."""
        self._flush()
        n = self._n
        numbers = np.frombuffer(self._numbers, dtype=np.float64).reshape(-1, _WIDTH)[:n].copy()
        used = int(numbers[-1, 7] + numbers[-1, 8]) if n else 0
        rows = max(1, int(np.searchsorted(self._path_at[:self._path_rows], n, side="right")))
        return dict(numbers=numbers, samples=self._samples[:used].copy(),
                    epochs=list(self._epochs[:self._n_epochs]), events=list(self._events[:self._n_events]),
                    path=self._path[:rows].copy(), path_at=self._path_at[:rows].copy(),
                    stride=self._stride)

    @classmethod
    def from_parts(cls, numbers, samples, epochs: list, events: list, path, path_at,
                   stride: int) -> "History":
        """The History that ``parts()`` described; a ValueError names what does not fit."""
        numbers = np.asarray(numbers, dtype=np.float64)
        path, path_at = np.asarray(path, dtype=np.float64), np.asarray(path_at)
        if numbers.ndim != 2 or numbers.shape[1] != _WIDTH:
            raise ValueError(phrase("errors.history_numbers_shape", width=_WIDTH, shape=numbers.shape))
        n = len(numbers)
        if path.ndim != 2 or len(path) < 1 or path_at.shape != (len(path),) \
                or path_at.dtype.kind not in "iu" or path_at[0] != 0 \
                or np.any(np.diff(path_at) <= 0) or path_at[-1] > n:
            raise ValueError(phrase("errors.history_path_rows"))
        if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1 or stride & (stride - 1):
            raise ValueError(phrase("errors.history_stride", stride=stride))
        if not np.array_equal(numbers[:, 2], np.arange(1, n + 1)):
            raise ValueError(phrase("errors.history_iterations_order"))
        used = int(numbers[-1, 7] + numbers[-1, 8]) if n else 0
        samples = np.asarray(samples)
        if samples.shape != (used,) or samples.dtype.kind not in "iu":
            raise ValueError(phrase("errors.history_samples", used=used, shape=samples.shape))
        history = cls(path[0])
        history._take_parts(numbers, samples.astype(np.int32), epochs, events, path,
                            path_at.astype(np.int64), stride)
        return history

    def _take_parts(self, numbers, samples, epochs, events, path, path_at, stride) -> None:
        if len(path) > self._path_capacity:
            raise ValueError(phrase("errors.history_path_capacity", rows=len(path), most=self._path_capacity))
        self._numbers = array("d", numbers.ravel().tolist())
        self._samples = _grown(samples, len(samples), max(len(samples), FIRST_SAMPLES))
        self._stored = self._n = len(numbers)
        self._epochs, self._events = list(epochs), list(events)
        self._epoch_values = array("d", [v for e in self._epochs for v in
                                         (e.loss, np.nan if e.val_loss is None else e.val_loss)])
        self._n_epochs, self._n_events = len(epochs), len(events)
        self._path, self._path_at, self._path_rows = path.copy(), path_at, len(path)
        self._stride = stride
        self._last_row = int(path_at[-1])

    # -------------------------------------------------------------- reading
    def _column(self, name: str) -> np.ndarray:
        table = np.frombuffer(self._numbers, dtype=np.float64).reshape(-1, _WIDTH)
        return table[:self._n, _COLUMNS.index(name)].copy()

    def _entry(self, i: int) -> IterationEntry:
        epoch, iteration, g, loss, grad_norm, lr, bs, first, b = \
            self._numbers[i * _WIDTH:(i + 1) * _WIDTH]
        start = int(first)
        indices = self._samples[start:start + int(b)].astype(np.int64)
        return IterationEntry(int(epoch), int(iteration), int(g), indices, float(loss),
                              float(grad_norm), float(lr), int(bs), self._weights_at(int(g)))

    def _weights_at(self, g: int) -> "np.ndarray | None":
        if g == self._n:
            return self._current()
        self._flush()
        rows = self._path_rows
        k = int(np.searchsorted(self._path_at[:rows], g))
        if k < rows and self._path_at[k] == g:
            return self._path[k].copy()
        return None

    def _current(self) -> np.ndarray:
        now = self._now
        return now.copy() if isinstance(now, np.ndarray) else flatten(now)

    def path(self) -> tuple[np.ndarray, np.ndarray]:
        """(iterations (m,), weights (m, n_params)): the descent path as kept, from the last start
        (the first weights, or the last weights set by hand) to the current weights. Bounded by
        ``PATH_BYTES`` however long the run."""
        start, since = None, 0
        for event in self.events:
            if event.what == "weights":
                start, since = event.new, event.global_iteration
        self._flush()
        rows = self._path_rows
        at = self._path_at[:rows]
        keep = np.flatnonzero((at >= since) & (at < self._n))
        iters = np.concatenate([at[keep], [self._n]])
        weights = np.vstack([self._path[keep], self._current()[None, :]])
        if start is not None:
            if iters[0] == since:
                weights[0] = start
            else:
                iters = np.concatenate([[since], iters])
                weights = np.vstack([start[None, :], weights])
        return iters, weights

    @property
    def weights(self) -> np.ndarray:
        """The descent path: flat weights (m, n_params), the start, then after each update kept
        (every update while the path fits in ``PATH_BYTES``; see ``path()`` for which ones).

        When the weights were set by hand during training, the path starts again from there.
        """
        return self.path()[1]

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
    def batch_sizes(self) -> np.ndarray:
        """Batch size per iteration, shape (n_iterations,) int."""
        return self._column("batch_size").astype(np.int64)

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
    def epochs(self) -> list[EpochEntry]:
        """The finished epochs, oldest first."""
        return self._epochs[:self._n_epochs]

    @property
    def events(self) -> list[Event]:
        """The setting changes and weights set by hand, oldest first."""
        return self._events[:self._n_events]

    @property
    def epoch_losses(self) -> np.ndarray:
        """Mean training loss of each finished epoch, shape (n_epochs,)."""
        return self._epoch_column(0)

    @property
    def val_losses(self) -> np.ndarray:
        """Validation loss of each finished epoch (NaN without validation data), (n_epochs,)."""
        return self._epoch_column(1)

    def _epoch_column(self, k: int) -> np.ndarray:
        n = self._n_epochs
        if not n:
            return np.zeros(0)
        return np.frombuffer(self._epoch_values, dtype=np.float64, count=2 * n)[k::2].copy()

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, k):
        """``history[k]`` is ``history.iterations[k]`` (an IterationEntry; a slice gives a list)."""
        return self.iterations[k]

    def __iter__(self) -> Iterator[IterationEntry]:
        return iter(self.iterations)

    def __repr__(self) -> str:
        last = f", last loss {self._numbers[(self._n - 1) * _WIDTH + 3]:.6g}" if self._n else ""
        return (f"History({self._n} iterations, {self._n_epochs} epochs, "
                f"{self._n_events} events{last})")


def _put(items: list, index: int, item) -> None:
    if index < len(items):
        items[index] = item
    else:
        items.append(item)


def _grown(buffer: np.ndarray, keep: int, need: int) -> np.ndarray:
    """A buffer with room for at least ``need`` rows (doubling), holding ``buffer[:keep]``."""
    size = max(len(buffer), 1)
    while size < need:
        size *= 2
    out = np.empty((size,) + buffer.shape[1:], dtype=buffer.dtype)
    out[:keep] = buffer[:keep]
    return out
