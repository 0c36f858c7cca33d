"""Epoch (에포크), batch size (배치 사이즈) and iteration (이터레이션).

An epoch is one pass over the data; an iteration is one forward-backward-update on one batch;
# of data = batch size x iterations (the last batch may be smaller, unless it is dropped).
"""
from __future__ import annotations

import math

import numpy as np

from .terms import phrase

__all__ = ["iterations_per_epoch", "mode_name", "explain", "epoch_order"]


def iterations_per_epoch(n_samples: int, batch_size: int, drop_last: bool = False) -> int:
    """ceil(N / batch_size), or floor(N / batch_size) when the smaller last batch is dropped."""
    return n_samples // batch_size if drop_last else math.ceil(n_samples / batch_size)


def mode_name(batch_size: int, n_samples: int) -> str:
    """"stochastic" (batch size 1), "full-batch" (batch size N) or "mini-batch" (in between)."""
    if batch_size == n_samples:
        return "full-batch"
    return "stochastic" if batch_size == 1 else "mini-batch"


def explain(n_samples: int, batch_size: int, drop_last: bool = False,
            lang: "str | None" = None) -> str:
    """One line: # of data = batch size x iterations, with the numbers of this run, in ``lang``
    (None: the language chosen by ``stepnn.set_language``)."""
    full, rest = divmod(n_samples, batch_size)
    its = iterations_per_epoch(n_samples, batch_size, drop_last)
    key = "batching.exact" if rest == 0 else "batching.dropped" if drop_last else "batching.last"
    return (phrase("batching.head", lang, n=n_samples)
            + phrase(key, lang, bs=batch_size, its=its, full=full, rest=rest, used=batch_size * its))


def epoch_order(rng: np.random.Generator, n_samples: int, shuffle: bool) -> np.ndarray:
    """The sample order for one epoch: a fresh permutation (sampling without replacement) or 0..N-1."""
    return rng.permutation(n_samples) if shuffle else np.arange(n_samples)
