"""Loss functions (손실함수) with Keras names and Keras semantics, and the loss phase.

Each loss is a public function for its value, ``mse(y_true, y_pred) -> float``, with its gradient
beside it, ``mse_gradient(y_true, y_pred) -> dL/dy_pred``. Both check what they are given and say
what is wrong. ``get(name)`` gives the same loss as a ``Loss``, the object the Trainer uses.

Conventions, for every loss:
- ``y_pred`` has shape (n, k): n samples of k outputs. ``Loss.per_sample`` and ``Loss.gradient``
  also take leading axes (..., n, k): the loss-surface engine evaluates many weights at once.
- Per sample, Keras averages over the k outputs for MSE, MAE and binary cross-entropy, and sums
  over the k classes for the categorical ones.
- The loss is the mean of the per-sample losses over the batch (Keras' "sum over batch size"),
  and a gradient is dL/dy_pred of that mean, so it carries the 1/N.
- Keras' functions of these names return the per-sample losses; these return their mean, the
  number Keras' loss classes and ``model.evaluate`` report. Per sample: ``get(name).per_sample``.

Clipping. Given probabilities, Keras clips them to [EPSILON, 1 - EPSILON] with EPSILON = 1e-7, so
log(0) never happens: a confidently wrong prediction costs at most -log(1e-7) = 16.12. stepnn does
the same. Where a probability was clipped the loss is flat, so its gradient there is 0: a
prediction that wrong gets no push from the loss at all.
Keras clips only when it is given probabilities. Given the raw scores z (``from_logits=True``) it
computes from them without clipping, and with its TensorFlow backend a model whose last layer is
sigmoid or softmax hands the loss those scores (kept with the output), so training there does not
clip either. (Its JAX and PyTorch backends clip a sigmoid or softmax output; its NumPy backend
even clips after from_logits.) stepnn clips whenever it is given probabilities, in the Trainer
too. Its ``from_logits=True`` is the exact log-sum-exp form, as in torch's BCEWithLogitsLoss and
CrossEntropyLoss: no clipping, and a confidently wrong prediction gets the full push (a - y) / N.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from . import labels
from ._checks import check_flag, unknown_name
from .activations import sigmoid, softmax
from .records import ForwardRecord, LossRecord
from .terms import phrase

__all__ = ["EPSILON", "QUIET", "Loss", "get", "NAMES", "fitting", "compute_loss", "raw_compute_loss",
           "mse", "mse_gradient", "mae", "mae_gradient", "mean_squared_error", "mean_absolute_error",
           "binary_crossentropy", "binary_crossentropy_gradient",
           "categorical_crossentropy", "categorical_crossentropy_gradient",
           "sparse_categorical_crossentropy", "sparse_categorical_crossentropy_gradient",
           "cee", "cee_gradient"]

EPSILON = 1e-7
# The training loop's floating-point settings: a run that blows up shows inf/NaN in its numbers
# (a teaching moment), not warnings.
QUIET = dict(over="ignore", invalid="ignore", divide="ignore")


# Speed notes, measured with Trainer.step on bench_core.py's nets (A/B, alternating runs):
# calling numpy's ufuncs directly instead of np.clip / np.mean, whose Python wrappers cost
# microseconds per call, and picking the true class directly in sparse cross-entropy.

def _clip(p):
    # np.clip's numbers (NaN stays NaN) without its wrapper: about 4 us less per call, 1-3% of a
    # step of the small sigmoid nets
    return np.minimum(np.maximum(p, EPSILON), 1.0 - EPSILON)


def _inside(p):
    """True where the probability was not clipped, False where it was (the loss is flat there)."""
    return (p > EPSILON) & (p < 1.0 - EPSILON)


def _mean_last(x):
    """Mean over the last axis: np.mean's own sum and division, without its wrapper (about
    10 us less per call, 6-10% of a step of the sigmoid nets)."""
    return np.add.reduce(x, axis=-1) / x.shape[-1]


# Each loss: its per-sample value and the gradient of the batch mean in plain numpy, on arrays
# already checked (what the Trainer calls), then the public function and its gradient, which check.

# --- mean squared error (평균 제곱 오차): regression -----------------------------------------

def _mse(y, p):
    return _mean_last((p - y) ** 2)


def _mse_grad(y, p):
    n, k = p.shape[-2:]
    return 2.0 * (p - y) / (n * k)


def mse(y_true, y_pred) -> float:
    """Mean squared error (평균 제곱 오차), Keras ``mean_squared_error``: the mean over the n
    samples and k outputs of (y_pred - y_true)^2. y_true, y_pred: (n, k), or (n,) if k = 1."""
    return _value("mean_squared_error", y_true, y_pred)


def mse_gradient(y_true, y_pred) -> np.ndarray:
    """dL/dy_pred of ``mse``: 2 (y_pred - y_true) / (n k), shape (n, k)."""
    return _gradient("mean_squared_error", y_true, y_pred)


# --- mean absolute error (평균 절대 오차): regression, robust to outliers ----------------------

def _mae(y, p):
    return _mean_last(np.abs(p - y))


def _mae_grad(y, p):
    n, k = p.shape[-2:]
    return np.sign(p - y) / (n * k)


def mae(y_true, y_pred) -> float:
    """Mean absolute error (평균 절대 오차), Keras ``mean_absolute_error``: the mean of
    |y_pred - y_true|. Shapes as ``mse``."""
    return _value("mean_absolute_error", y_true, y_pred)


def mae_gradient(y_true, y_pred) -> np.ndarray:
    """dL/dy_pred of ``mae``: sign(y_pred - y_true) / (n k), shape (n, k) (0 where they are equal)."""
    return _gradient("mean_absolute_error", y_true, y_pred)


mean_squared_error, mean_absolute_error = mse, mae  # Keras' long names

# --- binary cross-entropy (이진 교차 엔트로피): two classes, sigmoid output ------------------------

def _bce(y, p, from_logits=False):
    if from_logits:  # max(z, 0) - z y + log(1 + e^-|z|): never overflows
        z = p
        return _mean_last(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    c = _clip(p)
    return -_mean_last(y * np.log(c) + (1.0 - y) * np.log(1.0 - c))


def _bce_grad(y, p, from_logits=False):
    n, k = p.shape[-2:]
    if from_logits:
        return (sigmoid(p) - y) / (n * k)
    c = _clip(p)
    return np.where(_inside(p), (1.0 - y) / (1.0 - c) - y / c, 0.0) / (n * k)


def binary_crossentropy(y_true, y_pred, from_logits: bool = False) -> float:
    """Binary cross-entropy, Keras ``binary_crossentropy``: the mean over samples and outputs of
    -[y log p + (1 - y) log(1 - p)], p clipped to [1e-7, 1 - 1e-7]. y_true: labels 0/1, (n, k) or
    (n,); y_pred: probabilities (a sigmoid output), or raw scores z with ``from_logits=True``."""
    return _value("binary_crossentropy", y_true, y_pred, from_logits)


def binary_crossentropy_gradient(y_true, y_pred, from_logits: bool = False) -> np.ndarray:
    """dL/dy_pred of ``binary_crossentropy``, shape (n, k): ((1 - y)/(1 - p) - y/p) / (n k), and 0
    where p was clipped; with ``from_logits=True``, dL/dz = (sigmoid(z) - y) / (n k)."""
    return _gradient("binary_crossentropy", y_true, y_pred, from_logits)


def _fused_sigmoid_bce(y, a):
    """The fused rule for a sigmoid output a = sigmoid(z) under binary cross-entropy:

        dL/dz = dL/da * da/dz = ((1 - y)/(1 - a) - y/a) / (n k) * a (1 - a) = (a - y) / (n k).

    The two factors cancel to "prediction minus label", so a trainer takes dL/dz directly. Where a
    was clipped the loss is flat and dL/dz is 0, as the chain rule through the clip gives.
    """
    n, k = a.shape[-2:]
    return np.where(_inside(a), a - y, 0.0) / (n * k)


# --- categorical cross-entropy (교차 엔트로피): several classes, softmax output, one-hot labels -----

def _log_softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _cce(y, p, from_logits=False):
    if from_logits:
        return -np.sum(y * _log_softmax(p), axis=-1)
    q = p / p.sum(axis=-1, keepdims=True)  # Keras rescales each row to sum to 1 first
    return -np.sum(y * np.log(_clip(q)), axis=-1)


def _cce_grad(y, p, from_logits=False):
    n, _ = p.shape[-2:]
    if from_logits:
        return (softmax(p) * y.sum(axis=-1, keepdims=True) - y) / n
    s = p.sum(axis=-1, keepdims=True)
    q = p / s
    g_q = np.where(_inside(q), -y / _clip(q), 0.0)
    # q = p / sum(p): dq_k/dp_j = (delta_kj - q_k) / s
    return (g_q - np.sum(g_q * q, axis=-1, keepdims=True)) / s / n


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False) -> float:
    """Categorical cross-entropy, Keras ``categorical_crossentropy``: the mean over samples of
    -sum_k y_k log q_k, q = y_pred / sum(y_pred) (each row rescaled to sum to 1), clipped.
    y_true: one-hot rows (n, k); y_pred (n, k): probabilities (a softmax output), or raw scores
    with ``from_logits=True``."""
    return _value("categorical_crossentropy", y_true, y_pred, from_logits)


def categorical_crossentropy_gradient(y_true, y_pred, from_logits: bool = False) -> np.ndarray:
    """dL/dy_pred of ``categorical_crossentropy``, shape (n, k), through the rescaling and the
    clip (0 where q was clipped); with ``from_logits=True``, dL/dz = (softmax(z) - y) / n."""
    return _gradient("categorical_crossentropy", y_true, y_pred, from_logits)


def _fused_softmax_ce(y, a):
    """The fused rule for a softmax output a = softmax(z) under categorical cross-entropy:

        dL/dz_j = sum_k dL/da_k da_k/dz_j = sum_k (-y_k / a_k) a_k (delta_kj - a_j) / n
                = (a_j sum_k y_k - y_j) / n = (a_j - y_j) / n   for one-hot rows.

    Where a true class's a_k was clipped its term drops out (m = 'not clipped'), which gives
    (a sum(y m) - y m) / n; with no clipping that is the familiar (a - y) / n.
    """
    n, _ = a.shape[-2:]
    ym = y * _inside(a)
    return (a * ym.sum(axis=-1, keepdims=True) - ym) / n


# --- sparse categorical cross-entropy: the same, with class numbers as labels -------------------

def _one_hot(y, k: int) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim >= 1 and y.shape[-1:] == (1,):
        y = y[..., 0]
    return np.eye(k)[y.astype(np.int64)]


def _true_class(y, p):
    """(rows, labels) that pick each sample's true class out of p (n, k); None unless y holds
    one class label per row."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if p.ndim != 2 or y.shape != (p.shape[0],):
        return None
    return np.arange(p.shape[0]), y.astype(np.int64, copy=False)


def _sparse_cce(y, p, from_logits=False):
    # Picks -log(clip(q[true class])) directly instead of building one-hot rows: the numbers of
    # _cce on one-hot rows, bit for bit (see the tests), 25-30 us (6%) less per step of the
    # [64,128,10] softmax net, with _fused_sparse_softmax_ce.
    at = None if from_logits else _true_class(y, p)
    if at is not None:
        s = np.add.reduce(p, axis=-1)  # = p.sum(axis=-1) without its wrapper
        # every row sum finite and not 0 (else a row's q has NaN, and so has its loss): their
        # product is then finite and not 0, or it over- or underflowed and the slow way is taken;
        # one reduce instead of np.isfinite(s).all() and s.all(), about 5 us less per step
        check = float(np.multiply.reduce(s))
        if check != 0.0 and math.isfinite(check):
            return -np.log(_clip(p[at] / s))
    return _cce(_one_hot(y, p.shape[-1]), p, from_logits)


def _sparse_cce_grad(y, p, from_logits=False):
    return _cce_grad(_one_hot(y, p.shape[-1]), p, from_logits)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False) -> float:
    """Sparse categorical cross-entropy, Keras ``sparse_categorical_crossentropy``: the mean of
    -log q[true class], ``categorical_crossentropy`` with class numbers 0..k-1 (n,) as y_true."""
    return _value("sparse_categorical_crossentropy", y_true, y_pred, from_logits)


def sparse_categorical_crossentropy_gradient(y_true, y_pred, from_logits: bool = False) -> np.ndarray:
    """dL/dy_pred of ``sparse_categorical_crossentropy``, shape (n, k): that of
    ``categorical_crossentropy`` on the one-hot rows."""
    return _gradient("sparse_categorical_crossentropy", y_true, y_pred, from_logits)


def _fused_sparse_softmax_ce(y, a):
    """``_fused_softmax_ce`` for class numbers: (a m - onehot m) / n, m = 'true class not clipped'."""
    at = _true_class(y, a)
    if at is None:
        return _fused_softmax_ce(_one_hot(y, a.shape[-1]), a)
    m = _inside(a[at]).astype(np.float64)
    dz = a * m[:, None]
    dz[at] -= m
    return dz / a.shape[0]


# --- cross-entropy error (CEE, 교차 엔트로피 오차): the textbook form --------------------------

def _cee(y, p, from_logits=False):
    if from_logits:
        return _cce(y, p, True)
    return -np.sum(y * np.log(_clip(p)), axis=-1)


def _cee_grad(y, p, from_logits=False):
    if from_logits:
        return _cce_grad(y, p, True)
    n, _ = p.shape[-2:]
    return np.where(_inside(p), -y / _clip(p), 0.0) / n


def cee(y_true, y_pred, from_logits: bool = False) -> float:
    """Cross-entropy error (CEE, 교차 엔트로피 오차), the course's name: the mean over samples of
    -sum_k y_k log p_k, p clipped. The rows are not rescaled, so it equals
    ``categorical_crossentropy`` when each row of y_pred sums to 1 (a softmax output)."""
    return _value("cee", y_true, y_pred, from_logits)


def cee_gradient(y_true, y_pred, from_logits: bool = False) -> np.ndarray:
    """dL/dy_pred of ``cee``: -y / (p n), and 0 where p was clipped; shape (n, k)."""
    return _gradient("cee", y_true, y_pred, from_logits)


# --- the Loss object, and the names -------------------------------------------------------------

class Loss:
    """A loss function with its options: call it as ``loss(y_true, y_pred)`` (Keras order).

    ``per_sample``, ``gradient`` and ``fused_gradient`` take arrays already checked by
    ``check_labels`` and compute without checking, under the caller's floating-point settings:
    the Trainer calls them every iteration, and a diverged prediction gives inf/NaN, never an
    error. Calling the loss, like the public functions, checks its input first.

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
        self.from_logits = check_flag("from_logits", from_logits)
        self._per_sample = per_sample
        self._gradient = gradient
        self._check_labels = check_labels
        self._takes_logits = takes_logits
        self.fuses_with = None if self.from_logits else fuses_with
        self._fused = fused

    def per_sample(self, y_true, y_pred) -> np.ndarray:
        """Per-sample losses, shape (..., n) for y_pred of shape (..., n, k)."""
        if self._takes_logits:
            return self._per_sample(y_true, y_pred, self.from_logits)
        return self._per_sample(y_true, y_pred)

    def __call__(self, y_true, y_pred) -> float:
        """The batch loss, the mean of the per-sample losses (a float), after ``checked``."""
        y_true, y_pred = self.checked(y_true, y_pred)
        with np.errstate(**QUIET):  # huge finite inputs may give inf: a value, not a warning
            return float(np.mean(self.per_sample(y_true, y_pred)))

    def gradient(self, y_true, y_pred) -> np.ndarray:
        """dL/dy_pred of the batch-mean loss, shape of y_pred (includes the 1/N)."""
        if self._takes_logits:
            return self._gradient(y_true, y_pred, self.from_logits)
        return self._gradient(y_true, y_pred)

    def fused_gradient(self, y_true, a_out) -> np.ndarray:
        """dL/dz of the output layer when its activation is ``fuses_with``: the (a - y) / N rule."""
        if self.fuses_with is None:
            raise ValueError(phrase("errors.no_fused_gradient", name=self.name))
        return self._fused(y_true, a_out)

    def check_labels(self, y, n_outputs: int) -> np.ndarray:
        """Return y shaped for this loss and an output layer of ``n_outputs`` units, or raise."""
        return self._check_labels(self.name, y, n_outputs)

    def checked(self, y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
        """(y_true, y_pred (n, k)) as arrays this loss reads, or an error that says what is wrong."""
        y_pred = labels.predictions(self.name, y_pred, self.name in _RESCALED and not self.from_logits)
        y_true = self.check_labels(y_true, y_pred.shape[-1])
        if len(y_true) != y_pred.shape[-2]:
            raise ValueError(phrase("errors.true_pred_count", n_true=len(y_true),
                                    n_pred=y_pred.shape[-2]))
        return y_true, y_pred

    def __repr__(self) -> str:
        logits = ", from_logits=True" if self.from_logits else ""
        return f"Loss({self.name!r}{logits}: {self.task})"


_SPECS = {
    "mean_squared_error": dict(per_sample=_mse, gradient=_mse_grad, check_labels=labels.regression,
                               task="regression: mean of (y_pred - y)^2"),
    "mean_absolute_error": dict(per_sample=_mae, gradient=_mae_grad, check_labels=labels.regression,
                                task="regression, robust to outliers: mean of |y_pred - y|"),
    "binary_crossentropy": dict(
        per_sample=_bce, gradient=_bce_grad, check_labels=labels.binary, takes_logits=True,
        fuses_with="sigmoid", fused=_fused_sigmoid_bce,
        task="binary classification, sigmoid output, labels 0/1"),
    "categorical_crossentropy": dict(
        per_sample=_cce, gradient=_cce_grad, check_labels=labels.categorical, takes_logits=True,
        fuses_with="softmax", fused=_fused_softmax_ce,
        task="multi-class classification, softmax output, one-hot labels"),
    "sparse_categorical_crossentropy": dict(
        per_sample=_sparse_cce, gradient=_sparse_cce_grad, check_labels=labels.sparse,
        takes_logits=True, fuses_with="softmax", fused=_fused_sparse_softmax_ce,
        task="multi-class classification, softmax output, integer labels"),
    "cee": dict(
        per_sample=_cee, gradient=_cee_grad, check_labels=labels.categorical, takes_logits=True,
        fuses_with="softmax", fused=_fused_softmax_ce,
        task="cross-entropy error -sum(y log p): categorical cross-entropy by its textbook name"),
}

_RESCALED = ("categorical_crossentropy", "sparse_categorical_crossentropy")  # rows / their sum

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
# the public functions, so that get(losses.mse) works as get("mse") does
_FUNCTIONS = {mse: "mean_squared_error", mae: "mean_absolute_error",
              binary_crossentropy: "binary_crossentropy",
              categorical_crossentropy: "categorical_crossentropy",
              sparse_categorical_crossentropy: "sparse_categorical_crossentropy", cee: "cee"}


def get(identifier: "str | Loss | Callable", from_logits: bool = False) -> Loss:
    """The Loss for a Keras name or alias (``"mse"``, ``"bce"``, ...) or a public loss function
    (``losses.mse``); a Loss passes through unchanged."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _ALIASES:
        name = _ALIASES[identifier.lower()]
    elif any(identifier is function for function in _FUNCTIONS):
        name = _FUNCTIONS[identifier]
    else:
        raise unknown_name("loss", identifier, NAMES)
    return Loss(name, from_logits=from_logits, **_SPECS[name])


def _value(name: str, y_true, y_pred, from_logits: bool = False) -> float:
    return get(name, from_logits)(y_true, y_pred)


def _gradient(name: str, y_true, y_pred, from_logits: bool = False) -> np.ndarray:
    loss = get(name, from_logits)
    y_true, y_pred = loss.checked(y_true, y_pred)
    with np.errstate(**QUIET):
        return loss.gradient(y_true, y_pred)


def fitting(output_activation: str, n_outputs: int, y) -> list[str]:
    """Names of the losses that fit an output layer and a set of labels (canonical names only).

    Args:
        output_activation: the output layer's activation name.
        n_outputs: its number of units k.
        y: the labels, (n,) or (n, k).
    """
    names = []
    for name, spec in _SPECS.items():
        try:
            spec["check_labels"](name, y, n_outputs)
        except (ValueError, TypeError):
            continue
        fuses = spec.get("fuses_with")
        if fuses is None and output_activation in ("sigmoid", "softmax") and n_outputs > 1:
            continue
        if fuses is not None and fuses != output_activation:
            continue
        names.append(name)
    return names


# --- the loss phase of the training loop (손실) ---------------------------------------------------

def compute_loss(loss: "Loss | str", y: np.ndarray, forward: ForwardRecord,
                 penalty: float = 0.0) -> LossRecord:
    """Phase 2 of an iteration: the batch loss of ``forward``'s prediction a[-1] (b, k) against
    the labels y, (b, k) or (b,), already checked by ``loss.check_labels``.

    ``penalty`` is the regularizers' penalty at the weights that made ``forward``
    (``stepnn.regularizers.total_penalty(model.layers)``); as Keras, the reported loss is the
    data loss plus it.

    A diverged prediction gives an inf or NaN loss in the record, quietly: the record says so.
    """
    loss = get(loss)
    with np.errstate(**QUIET):
        return raw_compute_loss(loss, y, forward, float(penalty))


def raw_compute_loss(loss: Loss, y: np.ndarray, forward: ForwardRecord,
                     penalty: float = 0.0) -> LossRecord:
    """``compute_loss`` under the caller's floating-point settings: the Trainer sets them once
    per iteration, which saves an errstate (about 3 us) per phase."""
    per_sample = loss.per_sample(y, forward.a[-1])
    # = per_sample.mean() without its wrapper: 12-20 us (5-8%) less per step on every net
    data = float(np.add.reduce(per_sample, axis=None) / per_sample.size)
    value = data + penalty if penalty else data
    return LossRecord(value, per_sample, y, forward.a[-1], loss.name, penalty, data)
