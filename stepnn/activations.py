"""Activation functions (활성화 함수): a = f(z), and the backward rule beside each forward rule.

Every activation works on arrays of any shape. All are elementwise except ``softmax``, which
acts along the last axis (the units of one sample).

``backward(z, a, grad_a)`` is the chain rule at one node: it takes the upstream gradient
dL/da and returns dL/dz = dL/da * da/dz (for softmax, the full Jacobian-vector product).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._checks import unknown_name

__all__ = ["Activation", "get", "NAMES", "sigmoid", "softmax"]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic sigmoid 1 / (1 + e^-z), stable for |z| up to 1e4 and beyond (no overflow)."""
    e = np.exp(-np.abs(z))
    # 1 / (1 + e) where z >= 0, e / (1 + e) below: one division for both (one numpy call less)
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis; the row maximum is subtracted first so large z cannot overflow."""
    # the ufuncs' reduce instead of z.max / e.sum: the same numbers without their Python
    # wrappers, about 4 us less per call (1-2 % of a step of bench_core's softmax net)
    e = np.exp(z - np.maximum.reduce(z, axis=-1, keepdims=True))
    return e / np.add.reduce(e, axis=-1, keepdims=True)


class Activation:
    """An activation function with its forward rule and its backward (chain-rule) rule.

    Args:
        name: Keras name, e.g. ``"relu"``.
        forward: ``z -> a``, any shape.
        backward: ``(z, a, grad_a) -> grad_z``, all of the shape of ``z``.
        formula: the rule in words, shown in ``repr``.
    """

    def __init__(self, name: str, forward: Callable, backward: Callable, formula: str):
        self.name = name
        self.forward = forward
        self.backward = backward
        self.formula = formula

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.forward(z)

    def __repr__(self) -> str:
        return f"Activation({self.name!r}: {self.formula})"


def _softmax_backward(z, a, grad_a):
    # Jacobian of softmax is diag(a) - a a^T; its product with grad_a, row by row.
    return a * (grad_a - np.sum(grad_a * a, axis=-1, keepdims=True))


LEAKY_RELU_SLOPE = 0.2  # Keras 3's default negative_slope for leaky_relu

_TABLE = {
    "linear": Activation("linear", lambda z: z, lambda z, a, g: g, "a = z"),
    "relu": Activation("relu", lambda z: np.maximum(z, 0.0),
                       lambda z, a, g: g * (z > 0), "a = max(z, 0)"),
    "leaky_relu": Activation(
        "leaky_relu",
        lambda z: np.where(z > 0, z, LEAKY_RELU_SLOPE * z),
        lambda z, a, g: g * np.where(z > 0, 1.0, LEAKY_RELU_SLOPE),
        f"a = z if z > 0 else {LEAKY_RELU_SLOPE} z"),
    "sigmoid": Activation("sigmoid", sigmoid, lambda z, a, g: g * a * (1.0 - a),
                          "a = 1 / (1 + e^-z)"),
    "tanh": Activation("tanh", np.tanh, lambda z, a, g: g * (1.0 - a * a), "a = tanh(z)"),
    "softmax": Activation("softmax", softmax, _softmax_backward,
                          "a_k = e^z_k / sum_j e^z_j"),
}
NAMES: tuple[str, ...] = tuple(_TABLE)


def get(identifier: "str | Activation | None") -> Activation:
    """Resolve an activation by Keras name (``None`` means ``"linear"``) or pass one through."""
    if identifier is None:
        return _TABLE["linear"]
    if isinstance(identifier, Activation):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _TABLE:
        return _TABLE[identifier.lower()]
    raise unknown_name("activation", identifier, NAMES)
