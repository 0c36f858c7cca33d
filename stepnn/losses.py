"""Loss functions (손실함수) with Keras names and Keras semantics.

Conventions, for every loss:
- ``y_pred`` has shape ``(..., n, k)``: n samples of k outputs, with optional leading axes
  (the loss-surface engine evaluates many weight settings at once).
- ``per_sample`` returns ``(..., n)``: Keras averages over the k outputs for MSE, MAE and binary
  cross-entropy, and sums over the k classes for the categorical ones.
- The loss is the mean of the per-sample losses over the batch (Keras' "sum over batch size").
- ``gradient`` returns dL/dy_pred of that mean, so it carries the 1/N.
- Probabilities are clipped to [EPSILON, 1 - EPSILON] with EPSILON = 1e-7, as Keras does; where a
  value was clipped, the loss is flat, so its gradient there is 0.
- ``from_logits=True`` takes raw scores z instead of probabilities and uses the exact, stable
  log-sum-exp form (no clipping), as ``torch.nn.BCEWithLogitsLoss`` / ``CrossEntropyLoss`` do.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._checks import as_float_matrix, check_finite, unknown_name
from .activations import sigmoid, softmax

__all__ = ["EPSILON", "Loss", "get", "NAMES", "fitting", "mse", "mae", "binary_crossentropy",
           "categorical_crossentropy", "sparse_categorical_crossentropy", "cee"]

EPSILON = 1e-7


def _clip(p):
    # minimum(maximum(...)) gives np.clip's numbers (NaN stays NaN) without its Python wrapper
    return np.minimum(np.maximum(p, EPSILON), 1.0 - EPSILON)


def _inside(p):
    """1 where the probability was not clipped, 0 where it was (the loss is flat there)."""
    return (p > EPSILON) & (p < 1.0 - EPSILON)


def _n_k(p):
    return p.shape[-2], p.shape[-1]


def _mean_last(x):
    """Mean over the last axis: np.mean's own sum and division, without its Python wrapper."""
    return np.add.reduce(x, axis=-1) / x.shape[-1]


def _one_hot(labels, k: int) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim >= 1 and labels.shape[-1:] == (1,):
        labels = labels[..., 0]
    return np.eye(k)[labels.astype(np.int64)]


# --- the pure functions: per-sample loss and gradient of the batch mean -------------------

def _mse(y, p):
    return _mean_last((p - y) ** 2)


def _mse_grad(y, p):
    n, k = _n_k(p)
    return 2.0 * (p - y) / (n * k)


def _mae(y, p):
    return _mean_last(np.abs(p - y))


def _mae_grad(y, p):
    n, k = _n_k(p)
    return np.sign(p - y) / (n * k)


def _bce(y, p, from_logits=False):
    if from_logits:  # max(z, 0) - z y + log(1 + e^-|z|): never overflows
        z = p
        return _mean_last(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    c = _clip(p)
    return -_mean_last(y * np.log(c) + (1.0 - y) * np.log(1.0 - c))


def _bce_grad(y, p, from_logits=False):
    n, k = _n_k(p)
    if from_logits:
        return (sigmoid(p) - y) / (n * k)
    c = _clip(p)
    return np.where(_inside(p), (1.0 - y) / (1.0 - c) - y / c, 0.0) / (n * k)  # b - a == -a + b


def _log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _cce(y, p, from_logits=False):
    if from_logits:
        return -np.sum(y * _log_softmax(p), axis=-1)
    q = p / p.sum(axis=-1, keepdims=True)  # Keras rescales each row to sum to 1 first
    return -np.sum(y * np.log(_clip(q)), axis=-1)


def _cce_grad(y, p, from_logits=False):
    n, _ = _n_k(p)
    if from_logits:
        return (softmax(p) * y.sum(axis=-1, keepdims=True) - y) / n
    s = p.sum(axis=-1, keepdims=True)
    q = p / s
    g_q = np.where(_inside(q), -y / _clip(q), 0.0)
    # q = p / sum(p): dq_k/dp_j = (delta_kj - q_k) / s
    return (g_q - np.sum(g_q * q, axis=-1, keepdims=True)) / s / n


def _cee(y, p, from_logits=False):
    if from_logits:
        return _cce(y, p, True)
    return -np.sum(y * np.log(_clip(p)), axis=-1)


def _cee_grad(y, p, from_logits=False):
    if from_logits:
        return _cce_grad(y, p, True)
    n, _ = _n_k(p)
    return np.where(_inside(p), -y / _clip(p), 0.0) / n


def _sparse(fn):
    def wrapped(y, p, from_logits=False):
        return fn(_one_hot(y, p.shape[-1]), p, from_logits)
    return wrapped


def _true_class(y, p):
    """(rows, labels) that pick each sample's true class out of p (n, k); None unless y holds
    one class label per row."""
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if p.ndim != 2 or labels.shape != (p.shape[0],):
        return None
    return np.arange(p.shape[0]), labels.astype(np.int64, copy=False)


def _sparse_cce(y, p, from_logits=False):
    """Sparse categorical cross-entropy without building one-hot rows: -log(clip(q[true class])),
    q = p / sum(p). The same numbers as categorical cross-entropy on one-hot labels."""
    at = None if from_logits else _true_class(y, p)
    if at is not None:
        s = p.sum(axis=-1)
        if np.isfinite(s).all() and s.all():  # else a row's q has NaN, and so has its loss
            return -np.log(_clip(p[at] / s))
    return _cce(_one_hot(y, p.shape[-1]), p, from_logits)


def _fused_sparse_softmax_ce(y, a):
    """``_fused_softmax_ce`` for integer labels: a m - onehot m, over n; m = 'true class not clipped'."""
    at = _true_class(y, a)
    if at is None:
        return _fused_softmax_ce(_one_hot(y, a.shape[-1]), a)
    m = _inside(a[at]).astype(np.float64)
    dz = a * m[:, None]
    dz[at] -= m
    return dz / a.shape[0]


# --- fused gradients: loss and output activation taken as one node --------------------------

def _fused_sigmoid_bce(y, a):
    """dL/dz for sigmoid + binary cross-entropy: (a - y) / (n k) where a was not clipped."""
    n, k = _n_k(a)
    return np.where(_inside(a), a - y, 0.0) / (n * k)


def _fused_softmax_ce(y, a):
    """dL/dz for softmax + categorical cross-entropy: (a sum(y m) - y m) / n, m = 'not clipped'.

    With one-hot labels and no clipping this is the familiar (a - y) / n.
    """
    n, _ = _n_k(a)
    ym = y * _inside(a)
    return (a * ym.sum(axis=-1, keepdims=True) - ym) / n


# --- label checks: what each loss expects of y --------------------------------------------

def _labels_regression(name, y, n_out):
    if np.ndim(y) == 1 and n_out != 1:
        raise ValueError(f"{name} expects y of shape (n_samples, {n_out}) to match the {n_out} output "
                         f"units; received shape {np.shape(y)}. Reshape y or change the output layer.")
    return as_float_matrix("y", y, n_features=n_out, owner="the output layer's units")


def _labels_binary(name, y, n_out):
    y = _labels_regression(name, y, n_out)
    if np.any((y < 0) | (y > 1)):
        found = np.unique(y)[:6]
        raise ValueError(f"{name} expects labels in [0, 1] (0/1 for two classes); received values "
                         f"{found.tolist()}. For several classes use sparse_categorical_crossentropy "
                         f"with a softmax output layer.")
    return y


def _labels_categorical(name, y, n_out):
    if np.ndim(y) == 1:
        raise ValueError(f"{name} expects one-hot labels of shape (n_samples, {n_out}); received "
                         f"integer labels of shape {np.shape(y)}. Use sparse_categorical_crossentropy, "
                         f"or convert with stepnn.datasets.to_one_hot(y, {n_out}).")
    if n_out < 2:
        raise ValueError(f"{name} needs an output layer with one unit per class (at least 2); the model "
                         f"has {n_out}. Use binary_crossentropy with a sigmoid output for two classes.")
    y = as_float_matrix("y", y, n_features=n_out)
    if np.any((y < 0) | (y > 1)) or not np.allclose(y.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError(f"{name} expects each row of y to be a probability distribution (one-hot: a "
                         f"single 1, the rest 0); received rows such as {y[0].tolist()}.")
    return y


def _labels_sparse(name, y, n_out):
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} expects integer class labels of shape (n_samples,); received shape "
                         f"{arr.shape} (one-hot labels?). Use categorical_crossentropy, or convert with "
                         f"stepnn.datasets.to_labels(y).")
    if arr.size == 0:
        raise ValueError("y is empty; a data set needs at least one sample.")
    if not np.issubdtype(arr.dtype, np.number) or arr.dtype == bool:
        raise TypeError(f"{name} expects integer class labels; received dtype {arr.dtype}.")
    check_finite("y", arr.astype(np.float64))
    if np.any(arr != np.round(arr)):
        raise ValueError(f"{name} expects whole-number class labels 0..{n_out - 1}; received "
                         f"non-integer values such as {arr[arr != np.round(arr)][:3].tolist()}.")
    if n_out < 2:
        raise ValueError(f"{name} needs an output layer with one unit per class (at least 2); the model "
                         f"has {n_out}. Use binary_crossentropy with a sigmoid output for two classes.")
    if arr.min() < 0 or arr.max() >= n_out:
        raise ValueError(f"{name}: class index out of range: labels must be in 0..{n_out - 1} for "
                         f"{n_out} output units; received min {arr.min():g}, max {arr.max():g}.")
    return arr.astype(np.int64)


class Loss:
    """A loss function with its options: call it as ``loss(y_true, y_pred)`` (Keras order).

    Attributes:
        name: the Keras name.
        task: which problems it fits.
        from_logits: whether ``y_pred`` holds raw scores instead of probabilities.
        fuses_with: the output activation whose gradient combines with this loss into (a - y) / N.
    """

    def __init__(self, name: str, per_sample: Callable, gradient: Callable, *, task: str,
                 check_labels: Callable, from_logits: bool = False, fuses_with: "str | None" = None,
                 fused: "Callable | None" = None, takes_logits: bool = False):
        self.name = name
        self.task = task
        self.from_logits = bool(from_logits)
        self._per_sample = per_sample
        self._gradient = gradient
        self._check_labels = check_labels
        self._takes_logits = takes_logits
        self.fuses_with = None if from_logits else fuses_with
        self._fused = fused

    def per_sample(self, y_true, y_pred) -> np.ndarray:
        """Per-sample losses, shape (..., n) for y_pred of shape (..., n, k)."""
        if self._takes_logits:
            return self._per_sample(y_true, y_pred, self.from_logits)
        return self._per_sample(y_true, y_pred)

    def __call__(self, y_true, y_pred) -> float:
        """The batch loss: the mean of the per-sample losses (a float)."""
        y_true, y_pred = self._coerce(y_true, y_pred)
        return float(np.mean(self.per_sample(y_true, y_pred)))

    def gradient(self, y_true, y_pred) -> np.ndarray:
        """dL/dy_pred of the batch-mean loss, shape of y_pred (includes the 1/N)."""
        if self._takes_logits:
            return self._gradient(y_true, y_pred, self.from_logits)
        return self._gradient(y_true, y_pred)

    def fused_gradient(self, y_true, a_out) -> np.ndarray:
        """dL/dz of the output layer when its activation is ``fuses_with``: the (a - y) / N rule."""
        if self.fuses_with is None:
            raise ValueError(f"{self.name} has no fused gradient; use the chain rule: "
                             f"activation.backward(z, a, loss.gradient(y, a)).")
        return self._fused(y_true, a_out)

    def check_labels(self, y, n_outputs: int):
        """Return y shaped for this loss and an output layer of ``n_outputs`` units, or raise."""
        return self._check_labels(self.name, y, n_outputs)

    def _coerce(self, y_true, y_pred):
        y_pred = np.asarray(y_pred, dtype=np.float64)
        if y_pred.ndim == 1:
            y_pred = y_pred.reshape(-1, 1)
        y_true = self.check_labels(y_true, y_pred.shape[-1])
        if len(y_true) != y_pred.shape[-2]:
            raise ValueError(f"y_true has {len(y_true)} samples but y_pred has {y_pred.shape[-2]}; "
                             f"they must match.")
        return y_true, y_pred

    def __repr__(self) -> str:
        logits = ", from_logits=True" if self.from_logits else ""
        return f"Loss({self.name!r}{logits}: {self.task})"


def _make(name, from_logits=False) -> Loss:
    spec = _SPECS[name]
    return Loss(name, from_logits=from_logits, **spec)


_SPECS = {
    "mean_squared_error": dict(per_sample=_mse, gradient=_mse_grad, check_labels=_labels_regression,
                               task="regression: mean of (y_pred - y)^2"),
    "mean_absolute_error": dict(per_sample=_mae, gradient=_mae_grad, check_labels=_labels_regression,
                                task="regression, robust to outliers: mean of |y_pred - y|"),
    "binary_crossentropy": dict(
        per_sample=_bce, gradient=_bce_grad, check_labels=_labels_binary, takes_logits=True,
        fuses_with="sigmoid", fused=_fused_sigmoid_bce,
        task="binary classification, sigmoid output, labels 0/1"),
    "categorical_crossentropy": dict(
        per_sample=_cce, gradient=_cce_grad, check_labels=_labels_categorical, takes_logits=True,
        fuses_with="softmax", fused=_fused_softmax_ce,
        task="multi-class classification, softmax output, one-hot labels"),
    "sparse_categorical_crossentropy": dict(
        per_sample=_sparse_cce, gradient=_sparse(_cce_grad), check_labels=_labels_sparse,
        takes_logits=True, fuses_with="softmax", fused=_fused_sparse_softmax_ce,
        task="multi-class classification, softmax output, integer labels"),
    "cee": dict(
        per_sample=_cee, gradient=_cee_grad, check_labels=_labels_categorical, takes_logits=True,
        fuses_with="softmax", fused=_fused_softmax_ce,
        task="cross-entropy error -sum(y log p): categorical cross-entropy by its textbook name"),
}

_ALIASES = {
    "mse": "mean_squared_error", "mean_squared_error": "mean_squared_error",
    "mae": "mean_absolute_error", "mean_absolute_error": "mean_absolute_error",
    "binary_crossentropy": "binary_crossentropy", "bce": "binary_crossentropy",
    "categorical_crossentropy": "categorical_crossentropy", "cce": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "scce": "sparse_categorical_crossentropy",
    "cee": "cee", "cross_entropy_error": "cee",
}
NAMES: tuple[str, ...] = tuple(_ALIASES)


def get(identifier: "str | Loss", from_logits: bool = False) -> Loss:
    """Resolve a loss by Keras name or alias (``"mse"``, ``"bce"``, ...) or pass a Loss through."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _ALIASES:
        return _make(_ALIASES[identifier.lower()], from_logits)
    raise unknown_name("loss", identifier, NAMES)


def fitting(output_activation: str, n_outputs: int, y) -> list[str]:
    """Names of the losses that fit an output layer and a set of labels (canonical names only).

    Args:
        output_activation: the output layer's activation name.
        n_outputs: its number of units k.
        y: the labels, (n,) or (n, k).
    """
    names = []
    for name in _SPECS:
        try:
            _make(name).check_labels(y, n_outputs)
        except (ValueError, TypeError):
            continue
        fuses = _SPECS[name].get("fuses_with")
        if fuses is None and output_activation in ("sigmoid", "softmax") and n_outputs > 1:
            continue
        if fuses is not None and fuses != output_activation:
            continue
        names.append(name)
    return names


mse = _make("mean_squared_error")
mae = _make("mean_absolute_error")
binary_crossentropy = _make("binary_crossentropy")
categorical_crossentropy = _make("categorical_crossentropy")
sparse_categorical_crossentropy = _make("sparse_categorical_crossentropy")
cee = _make("cee")
