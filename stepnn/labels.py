"""Labels (정답) and predictions: what each loss expects of y_true and y_pred, checked where they
enter.

Every loss reads numbers. True/False counts as 1/0, everywhere. Text is refused, everywhere, even
"0" and "1": turning text into numbers is a step of preparing the data, and doing it on purpose
(``y.astype(int)``, or ``np.unique(y, return_inverse=True)`` for class names) shows what each
number means. Each check returns y shaped for its loss, or raises an error that says what was
expected, what was received and how to fix it.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_array, as_float_matrix, check_finite
from .terms import phrase

__all__ = ["as_numbers", "predictions", "regression", "binary", "categorical", "sparse"]


def as_numbers(name: str, values) -> np.ndarray:
    """``values`` as a float64 array (True/False as 1/0), or a TypeError for text, complex numbers,
    dates and other things that are not real numbers."""
    arr = as_array(name, values)
    if arr.dtype.kind == "O":  # a list mixing types, or a pandas object column
        if any(isinstance(v, (str, bytes)) for v in arr.ravel()):
            arr = arr.astype(str)
        else:
            try:
                arr = arr.astype(np.float64)
            except (TypeError, ValueError):
                raise TypeError(phrase("errors.labels_items", name=name, type=type(values).__name__,
                                       items=arr.ravel()[:3].tolist())) from None
    if arr.dtype.kind in "US":
        sample = np.unique(arr)[:4].tolist()
        raise TypeError(phrase("errors.labels_text", name=name, sample=sample))
    if arr.dtype.kind not in "biuf":
        raise TypeError(phrase("errors.labels_dtype", name=name, dtype=arr.dtype))
    return arr.astype(np.float64, copy=False)


def regression(name: str, y, n_out: int) -> np.ndarray:
    """Targets for MSE and MAE: real numbers, shape (n_samples, n_out), or (n_samples,) when the
    output layer has one unit."""
    y = as_numbers("y", y)
    if y.ndim == 1 and n_out != 1:
        raise ValueError(phrase("errors.labels_regression_shape", name=name, n_out=n_out,
                                shape=y.shape))
    return as_float_matrix("y", y, n_features=n_out, owner="output_units")


def binary(name: str, y, n_out: int) -> np.ndarray:
    """Labels for binary cross-entropy: 0/1 (or probabilities in [0, 1]), shape as ``regression``."""
    y = regression(name, y, n_out)
    if np.any((y < 0) | (y > 1)):
        found = np.unique(y)[:6]
        hint = phrase("errors.labels_minus_one") if found.tolist() == [-1.0, 1.0] else ""
        raise ValueError(phrase("errors.labels_binary", name=name, found=found.tolist(), hint=hint))
    return y


def _one_unit_per_class(name: str, n_out: int) -> None:
    if n_out < 2:
        raise ValueError(phrase("errors.labels_one_unit_per_class", name=name, n_out=n_out))


def categorical(name: str, y, n_out: int) -> np.ndarray:
    """One-hot labels (or probability rows) of shape (n_samples, n_out)."""
    y = as_numbers("y", y)
    if y.ndim == 1:
        raise ValueError(phrase("labels.not_one_hot", name=name, n_out=n_out, shape=y.shape))
    _one_unit_per_class(name, n_out)
    y = as_float_matrix("y", y, n_features=n_out, owner="output_units")
    if np.any((y < 0) | (y > 1)) or not np.allclose(y.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError(phrase("errors.labels_not_distribution", name=name, row=y[0].tolist()))
    return y


def sparse(name: str, y, n_out: int) -> np.ndarray:
    """Class numbers 0..n_out-1, shape (n_samples,) or (n_samples, 1); returned as int64 (n_samples,)."""
    arr = as_numbers("y", y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(phrase("labels.not_class_numbers", name=name, shape=arr.shape))
    if arr.size == 0:
        raise ValueError(phrase("errors.labels_empty"))
    check_finite("y", arr)
    if np.any(arr != np.round(arr)):
        raise ValueError(phrase("errors.labels_not_whole", name=name, last=n_out - 1,
                                values=arr[arr != np.round(arr)][:3].tolist()))
    _one_unit_per_class(name, n_out)
    low, high = arr.min(), arr.max()
    if low < 0 or high >= n_out:
        hint = phrase("errors.labels_from_one", n_out=n_out) if (low, high) == (1, n_out) else ""
        raise ValueError(phrase("errors.labels_out_of_range", name=name, last=n_out - 1,
                                n_out=n_out, low=low, high=high, hint=hint))
    return arr.astype(np.int64)


def predictions(name: str, y_pred, rescaled: bool = False) -> np.ndarray:
    """y_pred as a float64 array (n, k) ((n,) counts as one output), or an error for NaN or inf,
    and, when the loss rescales each row to sum to 1 (``rescaled``), for a row that sums to 0."""
    p = as_numbers("y_pred", y_pred)
    if p.ndim == 1:
        p = p.reshape(-1, 1)
    if p.ndim < 2 or p.shape[-2] == 0:
        raise ValueError(phrase("errors.pred_shape", shape=p.shape))
    finite = np.isfinite(p)
    if not finite.all():
        row = np.nonzero(~finite.all(axis=-1))[-1][0]
        raise ValueError(phrase("errors.pred_not_finite", name=name, bad=p.size - finite.sum(),
                                row=row))
    if rescaled:
        sums = p.sum(axis=-1)
        if not sums.all():
            row = np.nonzero(sums == 0)[-1][0]
            raise ValueError(phrase("errors.pred_zero_row", name=name, row=row,
                                    values=p[..., row, :].ravel()[:6].tolist()))
    return p
