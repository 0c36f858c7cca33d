"""Regularizers (규제): a penalty on large weights, added to the loss, as Keras' kernel regularizers.

    L1(l1):      penalty = l1 * sum(|W|)       gradient = l1 * sign(W)   (0 where W is exactly 0)
    L2(l2):      penalty = l2 * sum(W ** 2)    gradient = 2 * l2 * W
    L1L2(l1, l2): both terms added.

The penalty is on a Dense layer's kernel W only (never the bias), summed over its entries, not
divided by the batch size: the training loss is the batch-mean data loss plus every layer's
penalty, as Keras adds ``model.losses`` to the loss. Each term is a pure function of W and its
factor; the classes only hold the factors.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ._checks import non_negative_float, unknown_name
from .terms import phrase

__all__ = ["Regularizer", "L1", "L2", "L1L2", "get", "serialize", "label", "NAMES", "total_penalty", "flat_penalties", "kernel_gradients",
           "l1_penalty", "l1_gradient", "l2_penalty", "l2_gradient"]


# --- the two terms: penalty and gradient side by side ------------------------------------------

def l1_penalty(W: np.ndarray, l1: float, axis: "int | None" = None):
    """l1 * sum(|W|) over every entry of W (any shape), or along ``axis``."""
    return l1 * np.sum(np.abs(W), axis=axis)


def l1_gradient(W: np.ndarray, l1: float) -> np.ndarray:
    """d/dW of l1 * sum(|W|) = l1 * sign(W), shape of W; 0 where W == 0 (as autograd takes it)."""
    return l1 * np.sign(W)


def l2_penalty(W: np.ndarray, l2: float, axis: "int | None" = None):
    """l2 * sum(W ** 2) over every entry of W (no 1/2 in front, as Keras), or along ``axis``."""
    return l2 * np.sum(np.square(W), axis=axis)


def l2_gradient(W: np.ndarray, l2: float) -> np.ndarray:
    """d/dW of l2 * sum(W ** 2) = 2 * l2 * W, shape of W."""
    return 2.0 * l2 * W


_TERMS = {"l1": (l1_penalty, l1_gradient), "l2": (l2_penalty, l2_gradient)}


# --- the classes: which terms, with which factors ----------------------------------------------

class Regularizer:
    """Base class: a subclass names its factors in ``_fields`` (a subset of "l1", "l2").

    A factor of 0 leaves its term out, as Keras' L1L2 does.
    """

    _fields: tuple[str, ...] = ()

    def _set(self, **factors) -> None:
        for field, value in factors.items():
            setattr(self, field, non_negative_float(f"{type(self).__name__} {field}", value))

    def _terms(self):
        return [(_TERMS[f], getattr(self, f)) for f in self._fields if getattr(self, f)]

    def penalty(self, W: np.ndarray) -> float:
        """The penalty of a kernel W (n_in, n_out): a float >= 0."""
        W = np.asarray(W, dtype=np.float64)
        return float(sum(term(W, factor) for (term, _), factor in self._terms()))

    def penalties(self, rows: np.ndarray) -> np.ndarray:
        """The penalty of many kernels at once: rows (G, k), each a raveled kernel -> (G,)."""
        rows = np.asarray(rows, dtype=np.float64)
        return sum((term(rows, factor, axis=-1) for (term, _), factor in self._terms()),
                   np.zeros(rows.shape[:-1]))

    def gradient(self, W: np.ndarray) -> np.ndarray:
        """d penalty / dW, a float64 array shaped like W."""
        W = np.asarray(W, dtype=np.float64)
        grad = np.zeros_like(W)
        for (_, term_gradient), factor in self._terms():
            grad = grad + term_gradient(W, factor)
        return grad

    __call__ = penalty  # Keras calls a regularizer on the kernel to get its penalty

    def get_config(self) -> dict:
        """The factors, e.g. ``{"l1": 0.01}``; ``type(r)(**r.get_config())`` rebuilds it."""
        return {f: getattr(self, f) for f in self._fields}

    @property
    def formula(self) -> str:
        """The penalty written out, e.g. ``0.01 * sum(|W|) + 0.01 * sum(W^2)``."""
        parts = {"l1": "sum(|W|)", "l2": "sum(W^2)"}
        return " + ".join(f"{getattr(self, f):g} * {parts[f]}" for f in self._fields)

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.get_config() == self.get_config()

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self.get_config().items())))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1(Regularizer):
    """L1 penalty l1 * sum(|W|): pushes weights to exactly zero (sparse weights).

    ``l1`` is a finite number >= 0; default 0.01, as Keras (None also means 0.01).
    """

    _fields = ("l1",)

    def __init__(self, l1: float = 0.01):
        self._set(l1=0.01 if l1 is None else l1)


class L2(Regularizer):
    """L2 penalty l2 * sum(W^2) (weight decay): keeps every weight small.

    ``l2`` is a finite number >= 0; default 0.01, as Keras (None also means 0.01).
    """

    _fields = ("l2",)

    def __init__(self, l2: float = 0.01):
        self._set(l2=0.01 if l2 is None else l2)


class L1L2(Regularizer):
    """Both penalties, l1 * sum(|W|) + l2 * sum(W^2). Defaults 0.0 each, as Keras' class
    (the string ``"l1_l2"`` means 0.01 each); None means 0.0."""

    _fields = ("l1", "l2")

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self._set(l1=0.0 if l1 is None else l1, l2=0.0 if l2 is None else l2)


_CLASSES = {cls.__name__: cls for cls in (L1, L2, L1L2)}
_TABLE = {"l1": L1, "l2": L2, "l1_l2": lambda: L1L2(l1=0.01, l2=0.01)}
NAMES: tuple[str, ...] = tuple(_TABLE)


def get(identifier: "str | Regularizer | dict | None") -> "Regularizer | None":
    """Resolve a regularizer as Keras does.

    None -> None (no penalty); a Regularizer passes through; ``"l1"`` -> L1(0.01),
    ``"l2"`` -> L2(0.01), ``"l1_l2"`` -> L1L2(l1=0.01, l2=0.01); a Keras-style config
    ``{"class_name": "L2", "config": {"l2": 0.1}}`` -> L2(0.1).
    """
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str) and identifier.strip().lower() in _TABLE:
        return _TABLE[identifier.strip().lower()]()
    if isinstance(identifier, dict) and set(identifier) == {"class_name", "config"} \
            and identifier["class_name"] in _CLASSES and isinstance(identifier["config"], dict):
        cls = _CLASSES[identifier["class_name"]]
        unknown = set(identifier["config"]) - set(cls._fields)
        if unknown:
            raise ValueError(phrase("errors.regularizer_factors", cls=cls.__name__,
                                    fields=", ".join(cls._fields),
                                    unknown=", ".join(sorted(map(str, unknown)))))
        return cls(**identifier["config"])
    raise unknown_name("regularizer", identifier, NAMES)


def serialize(regularizer: "Regularizer | None") -> "dict | None":
    """The Keras-style config that ``get`` reads back: ``{"class_name": ..., "config": ...}``."""
    if regularizer is None:
        return None
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}


# --- a model's layers --------------------------------------------------------------------------

def total_penalty(layers: Sequence) -> float:
    """The sum of every layer's kernel penalty (0.0 when no layer has a regularizer).

    ``layers``: objects with ``W`` (n_in, n_out) and ``kernel_regularizer`` (a Regularizer or None),
    such as ``model.layers``.
    """
    return float(sum(layer.kernel_regularizer.penalty(layer.W) for layer in layers
                     if layer.kernel_regularizer is not None))


def flat_penalties(layers: Sequence, weights) -> np.ndarray:
    """The total penalty at each of G flat weight vectors: weights (G, n_params) -> (G,).

    The vectors are laid out as ``model.get_flat()`` (W1, b1, W2, b2, ..., each C-raveled): the
    points of a loss surface or a descent path, whose loss then includes the penalty as the
    training loss does. A single vector (n_params,) gives shape (1,).
    """
    w = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    n_params = sum(layer.W.size + layer.b.size for layer in layers)
    if w.ndim != 2 or w.shape[1] != n_params:
        raise ValueError(phrase("errors.penalty_weights_shape", n=n_params, shape=np.shape(weights)))
    out, start = np.zeros(len(w)), 0
    for layer in layers:
        if layer.kernel_regularizer is not None:
            out += layer.kernel_regularizer.penalties(w[:, start:start + layer.W.size])
        start += layer.W.size + layer.b.size
    return out


def kernel_gradients(layers: Sequence) -> list[np.ndarray]:
    """Per layer, d(total penalty)/dW, shaped like its W (n_in, n_out); zeros without a regularizer.

    Added to the data loss' dL/dW of the same layer, it gives the gradient of the training loss.
    """
    return [np.zeros_like(layer.W, dtype=np.float64) if layer.kernel_regularizer is None
            else layer.kernel_regularizer.gradient(layer.W) for layer in layers]


def label(reg: "Regularizer | None") -> str:
    """A kernel regularizer in a few characters: "L2 0.01", "L1 0.001", "L1+L2 0.01" (equal
    factors) or "L1 0.01+L2 0.1"; "" for None."""
    if reg is None:
        return ""
    parts = [(name.upper(), value) for name, value in reg.get_config().items() if value or len(reg.get_config()) == 1]
    if len(parts) == 2 and parts[0][1] == parts[1][1]:
        return f"L1+L2 {parts[0][1]:g}"
    return "+".join(f"{name} {value:g}" for name, value in parts) or "L1+L2 0"
