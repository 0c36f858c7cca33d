"""Checks at the boundary: every message says what was expected, what was received, how to fix it."""
from __future__ import annotations

import errno
import math
import os
from numbers import Integral, Real
from typing import Iterable

import numpy as np

from .terms import phrase


class MissingFileError(FileNotFoundError):
    """No file at a path a student gave: a FileNotFoundError (``errno``, ``filename``) whose
    message is the sentence alone, without "[Errno 2]" and the path repeated after it."""

    def __init__(self, message: str, path: str):
        super().__init__(errno.ENOENT, message, path)

    def __str__(self) -> str:
        return self.strerror


def check_seed(seed, optional: bool = False) -> "int | None":
    """A seed for numpy's generators: a whole number >= 0 (or None when ``optional``)."""
    if seed is None and optional:
        return None
    if isinstance(seed, bool) or not isinstance(seed, Integral):
        raise TypeError(phrase("errors.seed_type", seed=seed))
    if seed < 0:
        raise ValueError(phrase("errors.seed_negative", seed=seed))
    return int(seed)


def check_flag(name: str, value) -> bool:
    """A True/False option or setting (numpy's bool too) as a bool, or the TypeError: a string
    such as "False" would otherwise count as True."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(phrase("errors.flag", name=name, flag=value))
    return bool(value)


def unknown_name(kind: str, received, valid: Iterable[str]) -> ValueError:
    """The error for a name that is not in a table (Keras words: 'Could not interpret ...')."""
    return ValueError(phrase("errors.unknown_name", kind=phrase(f"errors.kind.{kind}"),
                             received=received, valid=", ".join(sorted(valid))))


def as_array(name: str, values) -> np.ndarray:
    """``np.asarray(values)``, or a clear ValueError for rows of different lengths."""
    try:
        return np.asarray(values)
    except ValueError as exc:
        raise ValueError(phrase("errors.labels_ragged", name=name, type=type(values).__name__,
                                exc=exc)) from None


def as_float_matrix(name: str, values, n_features: "int | None" = None,
                    owner: str = "first_layer") -> np.ndarray:
    """Return ``values`` as a float64 array of shape (n_samples, n_features), or raise.

    A 1-D array is taken as one feature per sample when ``n_features`` is 1. ``owner`` names
    what expects ``n_features`` columns: ``PHRASES["errors.owner." + owner]``.
    """
    kind = getattr(values, "dtype", as_array(name, values).dtype if isinstance(values, (list, tuple))
                   else None)
    if kind is not None and np.dtype(kind).kind in "cmMSUV":
        raise TypeError(phrase("errors.real_dtype", name=name, dtype=np.dtype(kind)))
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(phrase("errors.not_numeric", name=name, type=type(values).__name__,
                               exc=exc)) from None
    if arr.ndim == 1 and n_features == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise ValueError(phrase("errors.not_2d", name=name, shape=arr.shape))
    if arr.shape[0] == 0:
        raise ValueError(phrase("errors.empty", name=name, shape=arr.shape))
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(phrase("errors.n_columns", name=name, got=arr.shape[1], n=n_features,
                                owner=phrase(f"errors.owner.{owner}"), shape=arr.shape))
    check_finite(name, arr)
    return arr


def check_finite(name: str, arr: np.ndarray) -> None:
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(phrase("errors.not_finite", name=name, bad=bad))


def positive_float(name: str, value) -> float:
    """A strictly positive finite real number (a learning rate, an epsilon, ...)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(phrase("errors.positive_float", name=name, value=value))
    return float(value)


def non_negative_float(name: str, value) -> float:
    """A finite real number >= 0 (a penalty factor, where 0 turns the penalty off)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or value < 0:
        raise ValueError(phrase("errors.non_negative_float", name=name, value=value))
    return float(value)


def unit_interval(name: str, value, *, closed_low: bool = True) -> float:
    """A real number in [0, 1) (momentum, betas, decay rates)."""
    ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (0 <= value < 1) if closed_low else (0 < value < 1)
    if not ok:
        low = "[0" if closed_low else "(0"
        raise ValueError(phrase("errors.unit_interval", name=name, low=low, value=value))
    return float(value)


def positive_int(name: str, value, *, maximum: "int | None" = None, hint: str = "") -> int:
    """A whole number >= 1 (and <= maximum when given)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(phrase("errors.whole_number", name=name, value=value,
                               type=type(value).__name__, hint=hint))
    if value < 1 or (maximum is not None and value > maximum):
        key = "errors.whole_between" if maximum is not None else "errors.whole_at_least_1"
        raise ValueError(phrase(key, name=name, value=value, maximum=maximum, hint=hint))
    return int(value)


def targets(name: str, y, n: int, x_name: str) -> np.ndarray:
    """y as an array with one target per sample of its inputs (n of them), or a clear error."""
    if y is None:
        raise ValueError(phrase("errors.targets_missing", name=name, x_name=x_name, n=n))
    arr = as_array(name, y)
    if arr.ndim == 0 or len(arr) != n:
        got = (phrase("errors.targets_single") if arr.ndim == 0
               else phrase("errors.targets_samples", n=len(arr), shape=arr.shape))
        raise ValueError(phrase("errors.targets_count", name=name, x_name=x_name, n=n, got=got))
    if arr.dtype.kind in "cmMSUV":
        raise TypeError(phrase("errors.targets_dtype", name=name, dtype=arr.dtype))
    return arr


def save_target(path, example: str) -> str:
    """Where a file is written: ``path`` as an absolute path, or a clear error when its folder does
    not exist or the path is a folder (``example`` is a file name to suggest inside it)."""
    target = os.path.abspath(os.fspath(path))
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise FileNotFoundError(phrase("errors.session_folder_missing", path=str(path), folder=folder))
    if os.path.isdir(target):
        raise IsADirectoryError(phrase("errors.session_path_is_folder", path=str(path), example=example))
    return target
