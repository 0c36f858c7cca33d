"""Weight initializers: how the weights (가중치) start. Biases (편향) start at zero.

Each initializer maps ``(n_in, n_out, rng)`` to a kernel of shape ``(n_in, n_out)``.
"""
from __future__ import annotations

import numpy as np

from ._checks import unknown_name

__all__ = ["glorot_uniform", "he_normal", "small_random", "get", "NAMES"]


def glorot_uniform(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """Uniform on [-limit, limit], limit = sqrt(6 / (n_in + n_out)): Keras' default for Dense."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def he_normal(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """Normal with std sqrt(2 / n_in), truncated at two standard deviations as in Keras; suits relu."""
    std = np.sqrt(2.0 / n_in)
    w = rng.standard_normal((n_in, n_out))
    bad = np.abs(w) > 2.0
    while bad.any():  # redraw the tail, as a truncated normal does
        w[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(w) > 2.0
    return std * w


def small_random(n_in: int, n_out: int, rng: np.random.Generator, scale: float = 0.01) -> np.ndarray:
    """Normal with std 0.01: the textbook start; deep networks learn slowly from it."""
    return scale * rng.standard_normal((n_in, n_out))


_TABLE = {"glorot_uniform": glorot_uniform, "he_normal": he_normal, "small_random": small_random}
NAMES: tuple[str, ...] = tuple(_TABLE)


def get(identifier):
    """Resolve an initializer name, or pass a callable ``(n_in, n_out, rng) -> array`` through."""
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _TABLE:
        return _TABLE[identifier.lower()]
    raise unknown_name("initializer", identifier, NAMES)
