"""Toy problems for gradient descent (경사하강법): a loss of two parameters with its gradient and its
Hessian, small enough to draw as a surface and to reason about exactly.

Near a minimum every loss looks like a bowl whose steepest curvature is λ_max, the largest
eigenvalue of its Hessian. A step w <- w - lr * gradient multiplies the distance to the minimum
along that direction by (1 - lr λ_max): below lr = 1/λ_max it goes straight downhill, between
1/λ_max and 2/λ_max it zig-zags but converges, above 2/λ_max it diverges.

Each problem has:
    loss(W): the loss at m points W (m, 2) -> (m,).
    gradient(w): (dL/dw1, dL/dw2) at one point w (2,) -> (2,).
    hessian(): the matrix of second derivatives, (2, 2) (both problems are quadratic, so it is
        the same everywhere).
    grid(alphas, betas): the loss over a grid, (n_beta, n_alpha), for a surface plot.
    minimum (2,), start (2,), window ((w1_lo, w1_hi), (w2_lo, w2_hi)), labels (the two names),
    name, formula().
"""
from __future__ import annotations

from numbers import Real

import numpy as np

from . import datasets, surface
from .backprop import backward_pass
from .layers import Dense
from .model import Sequential, forward_pass
from .terms import phrase

__all__ = ["Bowl", "LinearRegression", "largest_curvature"]


def largest_curvature(problem: "Bowl | LinearRegression") -> float:
    """λ_max: the largest eigenvalue of the problem's Hessian."""
    return float(np.max(np.linalg.eigvalsh(problem.hessian())))


def _points(W, name: str = "W", one: bool = False) -> np.ndarray:
    """W as points (m, 2) float64 (one point (2,) counts as m = 1), or a clear error; with
    ``one``, exactly one point, returned as (2,)."""
    expected = "(2,)" if one else "(m, 2) or (2,)"
    try:
        arr = np.asarray(W, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(phrase("errors.problem_points", name=name, expected=expected,
                               received=f"{W!r:.40}")) from None
    points = arr.reshape(1, -1) if arr.ndim == 1 else arr
    if points.ndim != 2 or points.shape[1] != 2 or (one and arr.ndim != 1):
        raise ValueError(phrase("errors.problem_points", name=name, expected=expected,
                                received=f"shape {arr.shape}"))
    return points[0] if one else points


class Bowl:
    """The quadratic bowl f(w1, w2) = a w1^2 + b w2^2, minimum 0 at the origin.

    Its gradient is (2a w1, 2b w2) and its Hessian diag(2a, 2b), so λ_max = 2 max(a, b);
    with a = 1, b = 2, λ_max = 4.
    """

    name = "quadratic"
    labels = ("w1", "w2")

    def __init__(self, a: float = 1.0, b: float = 2.0):
        for key, value in (("a", a), ("b", b)):
            if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value) \
                    or value <= 0:
                raise ValueError(phrase("errors.problem_bowl", field=key, value=value))
        self.a, self.b = float(a), float(b)
        self.minimum = np.zeros(2)
        self.start = np.array([-2.5, 1.5])
        self.window = ((-3.0, 3.0), (-3.0, 3.0))

    def loss(self, W) -> np.ndarray:
        """f at points W (m, 2), or one point (2,) -> (m,)."""
        W = _points(W)
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging path gives inf, quietly
            return self.a * W[:, 0] ** 2 + self.b * W[:, 1] ** 2

    def gradient(self, w) -> np.ndarray:
        """(2a w1, 2b w2) at w (2,) -> (2,)."""
        w = _points(w, "w", one=True)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.array([2 * self.a * w[0], 2 * self.b * w[1]])

    def hessian(self) -> np.ndarray:
        """diag(2a, 2b), (2, 2)."""
        return np.diag([2 * self.a, 2 * self.b])

    def grid(self, alphas, betas) -> np.ndarray:
        """f over the grid w1 = alphas (n_alpha,), w2 = betas (n_beta,) -> (n_beta, n_alpha)."""
        A, B = np.meshgrid(alphas, betas)
        return self.a * A ** 2 + self.b * B ** 2

    def formula(self) -> str:
        a, b = ("" if c == 1 else f"{c:g} " for c in (self.a, self.b))
        return f"f(w1, w2) = {a}w1² + {b}w2²"

    def __repr__(self) -> str:
        return f"Bowl({self.formula()}, λ_max={largest_curvature(self):g})"


class LinearRegression:
    """The MSE of the line y_pred = w x + b on ``stepnn.datasets.linear``: a Dense(1, 1) network
    whose weight and bias are the two parameters (w, b).

    L(w, b) = (1/n) sum_i (w x_i + b - y_i)^2, so its Hessian is (2/n) [[sum x^2, sum x], [sum x, n]]
    and its minimum is the least-squares line.

    Attributes:
        X: the inputs, (n, 1); y: the targets, (n,).
        model: a Dense(1, 1) network at ``start``, for the loss surface.
    """

    name = "linear_regression"
    labels = ("w", "b")

    def __init__(self, n: int = 100, noise: float = 0.1, seed: int = 0):
        self.X, self.y = datasets.linear(n, noise, seed)
        design = np.column_stack([self.X[:, 0], np.ones(len(self.X))])
        self.minimum = np.linalg.lstsq(design, self.y, rcond=None)[0]
        self.start = np.array([-1.0, 2.0])
        self.window = tuple((float(m - 3.5), float(m + 3.5)) for m in self.minimum)
        self.model = self.network(self.start)

    @staticmethod
    def network(w) -> Sequential:
        """Dense(1, 1), linear, with weight w[0] and bias w[1]."""
        return Sequential([Dense(1, 1, weights=([[w[0]]], [w[1]]))])

    def loss(self, W) -> np.ndarray:
        """The MSE at points W (m, 2), or one point (2,) -> (m,), on the core's forward pass;
        NaN where a point is not finite."""
        W = _points(W)
        finite = np.all(np.isfinite(W), axis=1)
        out = np.full(len(W), np.nan)
        if finite.any():
            out[finite] = surface.batch_losses(self.model, self.X, self.y, "mse", W[finite])
        return out

    def gradient(self, w) -> np.ndarray:
        """(dL/dw, dL/db) at w (2,) -> (2,), by the core's backpropagation."""
        model = self.network(_points(w, "w", one=True))
        y = self.y.reshape(-1, 1)
        grads = backward_pass(model.layers, forward_pass(model.layers, self.X, None), y, "mse")
        return np.array([grads.dW[0][0, 0], grads.db[0][0]])

    def hessian(self) -> np.ndarray:
        """(2/n) [[sum x^2, sum x], [sum x, n]], (2, 2)."""
        x = self.X[:, 0]
        n = len(x)
        return 2.0 / n * np.array([[x @ x, x.sum()], [x.sum(), n]])

    def grid(self, alphas, betas) -> np.ndarray:
        """The MSE over the grid w = alphas (n_alpha,), b = betas (n_beta,) -> (n_beta, n_alpha)."""
        d1, d2 = surface.weight_directions(self.model, 0, 1)
        return surface.loss_grid(self.model, self.X, self.y, "mse", np.zeros(2), d1, d2, alphas, betas)

    def formula(self) -> str:
        return "L(w, b) = mean((w x + b - y)²)"

    def __repr__(self) -> str:
        return (f"LinearRegression(n={len(self.X)}, minimum at w={self.minimum[0]:.3f}, "
                f"b={self.minimum[1]:.3f}, λ_max={largest_curvature(self):.4g})")
