"""Every neuron's picture: what each unit computes over the input plane, as TensorFlow Playground
draws inside its nodes.

For a model with 2 inputs, each unit's activation a = f(z) is a function of the point (x1, x2);
evaluated on a coarse grid it is a small image, one per unit. All images come from one forward
pass of the whole grid (a batch of ny * nx points), so they cost about one prediction.
"""
from __future__ import annotations

import numpy as np

from .surface import _axis
from .terms import phrase

__all__ = ["unit_activations", "MAX_POINTS"]

MAX_POINTS = 256 * 256
"""Grid points at most (ny * nx): the pictures are small, and memory grows with points x units."""


def unit_activations(model, grid_x, grid_y) -> list[np.ndarray]:
    """Each unit's activation over the grid of input points (grid_x[i], grid_y[j]).

    Args:
        model: a Sequential whose first layer takes 2 inputs.
        grid_x: (nx,) the first input's values, e.g. ``np.linspace(-5, 5, 16)``.
        grid_y: (ny,) the second input's values.

    Returns:
        One array per layer, input side first: layer l's is ``(units_l, ny, nx)`` with
        ``[u, j, i]`` = unit u's activation at the point (grid_x[i], grid_y[j]). Row j = 0 is
        grid_y[0], so ``imshow(..., origin="lower")`` puts it at the bottom. The hidden layers'
        pictures are ``[:-1]``; the last array is the output layer's.
    """
    if model.sizes[0] != 2:
        raise ValueError(phrase("errors.neurons_inputs", n_in=model.sizes[0], sizes=model.sizes))
    gx, gy = _axis("grid_x", grid_x), _axis("grid_y", grid_y)
    if gx.size * gy.size > MAX_POINTS:
        raise ValueError(phrase("errors.neurons_grid", ny=gy.size, nx=gx.size, points=gx.size * gy.size,
                                most=MAX_POINTS))
    xx, yy = np.meshgrid(gx, gy)  # (ny, nx) each, row j at grid_y[j]
    record = model.forward(np.column_stack([xx.ravel(), yy.ravel()]))
    return [a.T.reshape(a.shape[1], gy.size, gx.size) for a in record.a]
