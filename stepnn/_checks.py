"""Checks at the boundary: every message says what was expected, what was received, how to fix it."""
from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Iterable

import numpy as np


def unknown_name(kind: str, received, valid: Iterable[str]) -> ValueError:
    """The error for a name that is not in a table (Keras words: 'Could not interpret ...')."""
    return ValueError(
        f"Could not interpret {kind} identifier: {received!r}. "
        f"Expected one of: {', '.join(sorted(valid))}.")


def as_float_matrix(name: str, values, n_features: "int | None" = None,
                    owner: str = "the model's first layer (n_in)") -> np.ndarray:
    """Return ``values`` as a float64 array of shape (n_samples, n_features), or raise.

    A 1-D array is taken as one feature per sample when ``n_features`` is 1.
    """
    kind = getattr(values, "dtype", np.asarray(values).dtype if isinstance(values, (list, tuple))
                   else None)
    if kind is not None and np.dtype(kind).kind in "cmMSUV":
        raise TypeError(f"{name} must hold real numbers (float or int); received dtype "
                        f"{np.dtype(kind)}. Convert it first, e.g. {name}.real or numeric columns.")
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric (an array of numbers); received "
                        f"{type(values).__name__} that numpy cannot turn into numbers: {exc}") from None
    if arr.ndim == 1 and n_features == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D with shape (n_samples, n_features); received shape "
                         f"{arr.shape}. Reshape it, e.g. {name}.reshape(-1, 1) for a single feature.")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); a data set needs at least one sample.")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(f"{name} has {arr.shape[1]} columns per sample, but {owner} expects "
                         f"{n_features}. Received shape {arr.shape}; expected (n_samples, {n_features}). "
                         f"Change the model or pass data with {n_features} columns.")
    check_finite(name, arr)
    return arr


def check_finite(name: str, arr: np.ndarray) -> None:
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or inf value(s); every value must be a finite "
                         f"number. Remove or impute those entries first.")


def positive_float(name: str, value) -> float:
    """A strictly positive finite real number (a learning rate, an epsilon, ...)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, e.g. 0.01; received {value!r}.")
    return float(value)


def non_negative_float(name: str, value) -> float:
    """A finite real number >= 0 (a penalty factor, where 0 turns the penalty off)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, e.g. 0.01 (0 turns it off); "
                         f"received {value!r}.")
    return float(value)


def unit_interval(name: str, value, *, closed_low: bool = True) -> float:
    """A real number in [0, 1) (momentum, betas, decay rates)."""
    ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (0 <= value < 1) if closed_low else (0 < value < 1)
    if not ok:
        low = "[0" if closed_low else "(0"
        raise ValueError(f"{name} must be a number in {low}, 1); received {value!r}.")
    return float(value)


def positive_int(name: str, value, *, maximum: "int | None" = None, hint: str = "") -> int:
    """A whole number >= 1 (and <= maximum when given)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be a whole number; received {value!r} "
                        f"({type(value).__name__}).{hint}")
    if value < 1 or (maximum is not None and value > maximum):
        bound = f"between 1 and {maximum}" if maximum is not None else "at least 1"
        raise ValueError(f"{name} must be {bound}; received {value}.{hint}")
    return int(value)
