"""Epoch (에포크), batch size (배치 사이즈) and iteration (이터레이션).

An epoch is one pass over the data; an iteration is one forward-backward-update on one batch;
# of data = batch size x iterations (the last batch may be smaller, unless it is dropped).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["iterations_per_epoch", "mode_name", "explain", "epoch_order"]


def iterations_per_epoch(n_samples: int, batch_size: int, drop_last: bool = False) -> int:
    """ceil(N / batch_size), or floor(N / batch_size) when the smaller last batch is dropped."""
    return n_samples // batch_size if drop_last else math.ceil(n_samples / batch_size)


def mode_name(batch_size: int, n_samples: int) -> str:
    """"stochastic" (batch size 1), "full-batch" (batch size N) or "mini-batch" (in between)."""
    if batch_size == n_samples:
        return "full-batch"
    return "stochastic" if batch_size == 1 else "mini-batch"


def explain(n_samples: int, batch_size: int, drop_last: bool = False) -> str:
    """One line: # of data = batch size x iterations, with the numbers of this run."""
    full, rest = divmod(n_samples, batch_size)
    its = iterations_per_epoch(n_samples, batch_size, drop_last)
    line = f"# of data = batch size x iterations: {n_samples} "
    if rest == 0:
        return line + f"= {batch_size} x {its}"
    if drop_last:
        return (line + f"-> {batch_size} x {its} = {batch_size * its} used per epoch "
                f"({rest} left over each epoch, drop_last=True)")
    return (line + f"= {batch_size} x {full} + {rest}, so {its} iterations per epoch "
            f"(the last batch has {rest} samples)")


def epoch_order(rng: np.random.Generator, n_samples: int, shuffle: bool) -> np.ndarray:
    """The sample order for one epoch: a fresh permutation (sampling without replacement) or 0..N-1."""
    return rng.permutation(n_samples) if shuffle else np.arange(n_samples)
