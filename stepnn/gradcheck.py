"""Gradient check: backpropagation against central finite differences, in float64."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import losses, regularizers
from ._checks import as_float_matrix, check_flag, positive_float, targets
from .backprop import backward_pass
from .layers import dense_forward
from .model import Sequential, forward_pass
from .terms import phrase

__all__ = ["gradcheck", "GradcheckReport", "numerical_gradient"]

TOLERANCE = 1e-6  # max relative error accepted as "agrees"


@dataclass(repr=False)
class GradcheckReport:
    """Per parameter array (W1, b1, ...): the largest relative error between the two gradients.

    relative error = max |backprop - numeric| / (max |backprop| + max |numeric|), over the array,
    so entries that are nearly zero are judged against the array's scale, not against themselves.
    """
    names: list
    errors: list
    analytic: list
    numeric: list
    tolerance: float = TOLERANCE

    @property
    def max_error(self) -> float:
        return max(self.errors)

    @property
    def ok(self) -> bool:
        return self.max_error <= self.tolerance

    def __getitem__(self, name: str) -> float:
        return self.errors[self.names.index(name)]

    def __repr__(self) -> str:
        rows = [phrase("records.gradcheck_row", name=n, error=e) for n, e in zip(self.names, self.errors)]
        verdict = phrase("records.agree" if self.ok else "records.disagree")
        return "\n".join([phrase("records.gradcheck", verdict=verdict, tolerance=self.tolerance), *rows])


def numerical_gradient(f, params: list, eps: float = 1e-6) -> list:
    """Central differences (f(p + eps) - f(p - eps)) / (2 eps) for every entry of every array."""
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            keep = p[idx]
            p[idx] = keep + eps
            up = f()
            p[idx] = keep - eps
            down = f()
            p[idx] = keep
            g[idx] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


def gradcheck(model: Sequential, X, y, loss="mse", eps: float = 1e-6, fused: bool = True,
              tolerance: float = TOLERANCE) -> GradcheckReport:
    """Compare backprop's dL/dW, dL/db on (X, y) with central finite differences.

    Args:
        model: the network; its weights are not changed.
        X: inputs (n, n_in); y: targets as the loss expects.
        loss: loss name or Loss.
        eps: the finite-difference step.
        fused: take the fused output gradient where the loss allows it (as the Trainer).
        tolerance: the largest relative error that counts as agreeing.
    """
    if not isinstance(model, Sequential):
        raise TypeError(phrase("errors.model_type", type=type(model).__name__))
    loss_fn = losses.get(loss)
    X = as_float_matrix("X", X, n_features=model.sizes[0])
    y = loss_fn.check_labels(targets("y", y, len(X), "X"), model.sizes[-1])
    eps = positive_float("eps", eps)
    fused = check_flag("fused", fused)
    tolerance = positive_float("tolerance", tolerance)
    params = [p.copy() for p in model.params]
    layers = [_Layer(params[2 * i], params[2 * i + 1], layer.activation, layer.kernel_regularizer)
              for i, layer in enumerate(model.layers)]

    def f() -> float:  # the training loss: data loss plus the regularizers' penalty, as Keras
        data = float(np.mean(loss_fn.per_sample(y, forward_pass(layers, X, None).a[-1])))
        return data + regularizers.total_penalty(layers)

    analytic = backward_pass(layers, forward_pass(layers, X, None), y, loss_fn, fused).grads
    numeric = numerical_gradient(f, params, eps)
    errors = [float(np.max(np.abs(a - n)) / max(np.max(np.abs(a)) + np.max(np.abs(n)), 1e-12))
              for a, n in zip(analytic, numeric)]
    return GradcheckReport(model.param_names, errors, analytic, numeric, tolerance)


class _Layer:
    """A private copy of a Dense layer's weights, perturbed in place by the check."""

    def __init__(self, W, b, activation, kernel_regularizer=None):
        self.W, self.b, self.activation = W, b, activation
        self.kernel_regularizer = kernel_regularizer

    def forward(self, x):
        z = dense_forward(x, self.W, self.b)
        return z, self.activation.forward(z)
