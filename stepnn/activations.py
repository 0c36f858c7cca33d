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
    """Logistic sigmoid 1 / (1 + e^-z), element by element. For z below about -709, e^-z
    overflows to inf and 1 / (1 + inf) gives 0, the right value: quietly, no warning."""
    with np.errstate(over="ignore"):
        return _sigmoid(z)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # ``sigmoid`` for callers that already keep floating-point warnings quiet (the training loop):
    # the same numbers without an errstate (about 1.5 us). The formula as written (PyTorch's
    # too) is 4 numpy calls; the form e^-|z| split by the sign of z, which never overflows,
    # costs 7: written this way a step of bench_core's [2,8,8,1] net is about 9 % faster.
    return 1.0 / (1.0 + np.exp(-z))


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
        raw: the forward rule with the same numbers for callers that already keep numpy's
            floating-point warnings quiet (``np.errstate``), such as the training loop; default:
            ``forward``.
    """

    def __init__(self, name: str, forward: Callable, backward: Callable, formula: str,
                 raw: "Callable | None" = None):
        self.name = name
        self.forward = forward
        self.backward = backward
        self.formula = formula
        self.raw = raw or forward

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
                          "a = 1 / (1 + e^-z)", raw=_sigmoid),
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
