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

from ._checks import as_float_matrix, check_finite
from .terms import phrase

__all__ = ["as_numbers", "predictions", "regression", "binary", "categorical", "sparse"]


def as_numbers(name: str, values) -> np.ndarray:
    """``values`` as a float64 array (True/False as 1/0), or a TypeError for text, complex numbers,
    dates and other things that are not real numbers."""
    try:
        arr = np.asarray(values)
    except ValueError as exc:  # rows of different lengths
        raise ValueError(f"{name} must be a rectangular array of numbers; received "
                         f"{type(values).__name__} that numpy cannot shape: {exc}") from None
    if arr.dtype.kind == "O":  # a list mixing types, or a pandas object column
        if any(isinstance(v, (str, bytes)) for v in arr.ravel()):
            arr = arr.astype(str)
        else:
            try:
                arr = arr.astype(np.float64)
            except (TypeError, ValueError):
                raise TypeError(f"{name} must hold numbers; received {type(values).__name__} with "
                                f"items such as {arr.ravel()[:3].tolist()}.") from None
    if arr.dtype.kind in "US":
        sample = np.unique(arr)[:4].tolist()
        raise TypeError(f"{name} must hold numbers; received text such as {sample}. Convert it "
                        f"first: y.astype(int) for digits like '0'/'1', or "
                        f"classes, y = np.unique(y, return_inverse=True) for class names.")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers; received dtype {arr.dtype} (complex "
                        f"numbers, dates and times are not labels). Convert it to numbers first.")
    return arr.astype(np.float64, copy=False)


def regression(name: str, y, n_out: int) -> np.ndarray:
    """Targets for MSE and MAE: real numbers, shape (n_samples, n_out), or (n_samples,) when the
    output layer has one unit."""
    y = as_numbers("y", y)
    if y.ndim == 1 and n_out != 1:
        raise ValueError(f"{name} expects y of shape (n_samples, {n_out}) to match the {n_out} output "
                         f"units; received shape {y.shape}. Reshape y or change the output layer.")
    return as_float_matrix("y", y, n_features=n_out, owner="output_units")


def binary(name: str, y, n_out: int) -> np.ndarray:
    """Labels for binary cross-entropy: 0/1 (or probabilities in [0, 1]), shape as ``regression``."""
    y = regression(name, y, n_out)
    if np.any((y < 0) | (y > 1)):
        found = np.unique(y)[:6]
        raise ValueError(f"{name} expects labels in [0, 1] (0/1 for two classes); received values "
                         f"{found.tolist()}. For several classes use sparse_categorical_crossentropy "
                         f"with a softmax output layer.")
    return y


def _one_unit_per_class(name: str, n_out: int) -> None:
    if n_out < 2:
        raise ValueError(f"{name} needs an output layer with one unit per class (at least 2); the model "
                         f"has {n_out}. Use binary_crossentropy with a sigmoid output for two classes.")


def categorical(name: str, y, n_out: int) -> np.ndarray:
    """One-hot labels (or probability rows) of shape (n_samples, n_out)."""
    y = as_numbers("y", y)
    if y.ndim == 1:
        raise ValueError(phrase("labels.not_one_hot", name=name, n_out=n_out, shape=y.shape))
    _one_unit_per_class(name, n_out)
    y = as_float_matrix("y", y, n_features=n_out)
    if np.any((y < 0) | (y > 1)) or not np.allclose(y.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError(f"{name} expects each row of y to be a probability distribution (one-hot: a "
                         f"single 1, the rest 0); received rows such as {y[0].tolist()}.")
    return y


def sparse(name: str, y, n_out: int) -> np.ndarray:
    """Class numbers 0..n_out-1, shape (n_samples,) or (n_samples, 1); returned as int64 (n_samples,)."""
    arr = as_numbers("y", y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(phrase("labels.not_class_numbers", name=name, shape=arr.shape))
    if arr.size == 0:
        raise ValueError("y is empty; a data set needs at least one sample.")
    check_finite("y", arr)
    if np.any(arr != np.round(arr)):
        raise ValueError(f"{name} expects whole-number class labels 0..{n_out - 1}; received "
                         f"non-integer values such as {arr[arr != np.round(arr)][:3].tolist()}.")
    _one_unit_per_class(name, n_out)
    if arr.min() < 0 or arr.max() >= n_out:
        raise ValueError(f"{name}: class index out of range: labels must be in 0..{n_out - 1} for "
                         f"{n_out} output units; received min {arr.min():g}, max {arr.max():g}.")
    return arr.astype(np.int64)


def predictions(name: str, y_pred, rescaled: bool = False) -> np.ndarray:
    """y_pred as a float64 array (n, k) ((n,) counts as one output), or an error for NaN or inf,
    and, when the loss rescales each row to sum to 1 (``rescaled``), for a row that sums to 0."""
    p = as_numbers("y_pred", y_pred)
    if p.ndim == 1:
        p = p.reshape(-1, 1)
    if p.ndim < 2 or p.shape[-2] == 0:
        raise ValueError(f"y_pred must have shape (n_samples, n_outputs); received {p.shape}.")
    finite = np.isfinite(p)
    if not finite.all():
        row = np.nonzero(~finite.all(axis=-1))[-1][0]
        raise ValueError(f"{name}: y_pred holds {p.size - finite.sum()} NaN or inf value(s), the "
                         f"first in row {row}, so its loss is not a number. Predictions go NaN when "
                         f"training diverges: lower the learning rate and start again, or check "
                         f"the code that made y_pred.")
    if rescaled:
        sums = p.sum(axis=-1)
        if not sums.all():
            row = np.nonzero(sums == 0)[-1][0]
            raise ValueError(f"{name} rescales each row of y_pred to sum to 1, but row {row} sums "
                             f"to 0 ({p[..., row, :].ravel()[:6].tolist()}). Give it probabilities "
                             f"(a softmax output), or raw scores with from_logits=True.")
    return p
