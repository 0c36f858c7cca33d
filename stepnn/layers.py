"""The Dense layer: weighted sum (가중합) plus bias, then the activation: z = x W + b, a = f(z)."""
from __future__ import annotations

import numpy as np

from . import activations, initializers, regularizers
from ._checks import positive_int
from .terms import phrase

__all__ = ["Dense", "dense_forward", "dense_backward"]


def dense_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The weighted sum plus bias, z = x W + b.

    x (n, n_in), W (n_in, n_out), b (n_out,) -> z (n, n_out).
    """
    return x @ W + b


def dense_backward(x: np.ndarray, W: np.ndarray, dz: np.ndarray, need_dx: bool = True):
    """The chain rule through z = x W + b, given dz = dL/dz (n, n_out), which already holds the 1/N.

    Returns (dW, db, dx): dW = x^T dz (n_in, n_out), db = dz summed over the batch (n_out,),
    dx = dz W^T (n, n_in), the upstream gradient of the layer below (None when ``need_dx`` is
    False: the input layer's data does not learn).
    """
    db = np.add.reduce(dz, axis=0)  # = dz.sum(axis=0), without its Python wrapper
    return x.T @ dz, db, (dz @ W.T if need_dx else None)


class Dense:
    """A fully connected layer.

    Args:
        n_in: inputs per sample (the previous layer's units, or the number of features).
        n_out: units in this layer.
        activation: a Keras activation name (see ``stepnn.activations.NAMES``) or an Activation.
        kernel_initializer: ``"glorot_uniform"`` (Keras' default), ``"he_normal"``,
            ``"small_random"`` or a callable ``(n_in, n_out, rng) -> (n_in, n_out) array``.
        weights: explicit ``(W, b)`` with W ``(n_in, n_out)`` and b ``(n_out,)``; overrides the initializer.
        kernel_regularizer: a penalty on W added to the loss: ``"l1"``, ``"l2"``, ``"l1_l2"``,
            a ``stepnn.regularizers`` object such as ``L2(0.001)``, or None (Keras' default).

    Attributes:
        W: kernel, shape ``(n_in, n_out)``. b: bias, shape ``(n_out,)``.
        kernel_regularizer: the Regularizer on W, or None.
    """

    def __init__(self, n_in: int, n_out: int, activation="linear",
                 kernel_initializer="glorot_uniform", weights=None, name: "str | None" = None,
                 kernel_regularizer=None):
        self.n_in = positive_int("Dense n_in", n_in)
        self.n_out = positive_int("Dense n_out", n_out)
        self.activation = activations.get(activation)
        self.initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.name = name
        self.W = np.zeros((self.n_in, self.n_out))
        self.b = np.zeros(self.n_out)
        self._explicit = weights is not None
        if weights is not None:
            if not isinstance(weights, (tuple, list)) or len(weights) != 2:
                raise ValueError(phrase("errors.dense_weights_pair", n_in=self.n_in, n_out=self.n_out,
                                        type=type(weights).__name__,
                                        length=len(weights) if hasattr(weights, "__len__") else "?"))
            self.W, self.b = (check_param(f"{self.label} {p}", w, s)
                              for p, w, s in zip("Wb", weights, self.shapes))

    @property
    def shapes(self) -> tuple[tuple[int, int], tuple[int]]:
        return (self.n_in, self.n_out), (self.n_out,)

    @property
    def explicit_weights(self) -> bool:
        """True when the layer was given its weights (``weights=``): ``initialize`` keeps them."""
        return self._explicit

    @property
    def label(self) -> str:
        return self.name or "Dense"

    def initialize(self, rng: np.random.Generator) -> None:
        """Draw a fresh kernel from the initializer (explicit weights are kept); bias to zero."""
        if not self._explicit:
            self.W = check_param(f"{self.label} W", self.initializer(self.n_in, self.n_out, rng),
                                 self.shapes[0])
            self.b = np.zeros(self.n_out)

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x ``(n, n_in)`` -> (z, a), both ``(n, n_out)``."""
        z = dense_forward(x, self.W, self.b)
        return z, self.activation.forward(z)

    def __repr__(self) -> str:
        extra = ("" if self.kernel_regularizer is None
                 else f", kernel_regularizer={self.kernel_regularizer!r}")
        return (f"Dense({self.n_in} -> {self.n_out}, activation={self.activation.name!r}, "
                f"params={self.W.size + self.b.size}{extra})")


def check_param(name: str, value, shape: tuple) -> np.ndarray:
    """A finite float64 array of exactly ``shape``, or a clear error."""
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(phrase("errors.param_numbers", name=name, shape=shape,
                               type=type(value).__name__)) from None
    if arr.shape != tuple(shape):
        raise ValueError(phrase("errors.param_shape", name=name, shape=tuple(shape), got=arr.shape))
    if not np.all(np.isfinite(arr)):
        raise ValueError(phrase("errors.param_not_finite", name=name))
    return arr
