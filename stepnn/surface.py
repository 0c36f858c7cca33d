"""The loss surface (손실 곡면): the loss over a plane through weight space, and the descent path on it.

A network with P parameters has a loss over a P-dimensional space; a picture shows a plane of it.
A plane is a centre c and two directions d1, d2, all flat weight vectors (n_params,) in the order
of ``model.get_flat()``; its point (alpha, beta) is the weight vector ``c + alpha d1 + beta d2``.

Three ways to choose the directions:
    - two chosen weights (``weight_plane``): d1, d2 are unit vectors on weights i and j, and the
      centre has those two weights at 0, so (alpha, beta) are the two weights' own values and
      every other weight stays where it is;
    - random filter-normalised directions (``random_plane``, Li et al. 2018, "Visualizing the
      Loss Landscape of Neural Nets"): Gaussian directions rescaled so that each output unit's
      column of each W has the norm of that column of the weights;
    - trajectory PCA (``pca_plane``): the two principal directions of a descent path, with the
      share of the path's variance they explain.

The loss at many points is computed at once: for G points, each layer's W has shape
(G, n_in, n_out) and the activations (G, n_samples, n_units), so the numbers are exactly those of
setting the weights point by point and calling ``model.predict`` (the same matrix products run
per point). Points go through in chunks so that memory stays bounded (see ``MEMORY_BUDGET``).
"""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from . import losses
from ._checks import as_float_matrix, positive_int

__all__ = ["MEMORY_BUDGET", "MAX_GRID_POINTS", "WORKERS", "Plane", "Surface", "param_label", "param_labels",
           "param_index", "weight_directions", "random_directions", "pca_directions", "project",
           "batch_losses", "loss_grid", "weight_plane", "random_plane", "pca_plane", "surface",
           "path_losses"]

MEMORY_BUDGET = 2 ** 14
"""Floats in one chunk's activations (points x samples x widest layer): 2**14 floats = 128 KiB.

Each intermediate array of a chunk holds at most this many floats (more only when a single point
needs more), so the extra memory stays at a few MiB whatever the grid size. Why this small: the
arrays stay in the processor's cache, and below glibc's 128 KiB threshold for serving memory with
fresh pages (measured here: arrays of 250 KiB and more made the grid 2 to 4 times slower, the time
going to page faults)."""

WORKERS = 1
"""Default number of threads that evaluate chunks side by side (numpy releases the interpreter lock
inside its array loops). Each chunk is computed alone, so the numbers do not depend on it; the
memory in use is that many chunks at a time. One by default: a second thread made a 2-core machine
busy with other programs slower (the chunks then fight for the cores and their caches); on an idle
machine ``workers=2`` is up to twice as fast."""

MAX_GRID_POINTS = 1_000_000
"""Largest grid ``loss_grid`` accepts (e.g. 1001 x 1001); a bigger one would run for minutes."""


# --------------------------------------------------------------------------- naming weights

def param_labels(model) -> list[str]:
    """Names of every entry of the flat weight vector, e.g. ``["W1[0,0]", ..., "b1[0]", ...]``."""
    labels = []
    for name, shape in zip(model.param_names, model.param_shapes):
        labels += [f"{name}[{','.join(map(str, idx))}]" for idx in np.ndindex(*shape)]
    return labels


def param_label(model, index: int) -> str:
    """The name of flat weight ``index``, e.g. ``param_label(model, 1) == "W1[0,1]"``."""
    return param_labels(model)[_check_index(model, index)]


def param_index(model, which: "int | str") -> int:
    """The flat index of a weight given as an index or a name like ``"W1[0,1]"`` or ``"b2[0]"``."""
    if isinstance(which, str):
        labels = param_labels(model)
        key = re.sub(r"\s+", "", which)
        if key not in labels:
            raise ValueError(f"no weight named {which!r} in this model; names look like "
                             f"{labels[0]!r}, {labels[1]!r} ... {labels[-1]!r} "
                             f"(layer number from 1, row = input unit, column = output unit).")
        return labels.index(key)
    return _check_index(model, which)


def _check_index(model, index) -> int:
    if isinstance(index, bool) or not isinstance(index, Integral):
        raise TypeError(f"a weight index must be a whole number or a name like 'W1[0,1]'; "
                        f"received {index!r} ({type(index).__name__}).")
    if not 0 <= index < model.n_params:
        raise ValueError(f"weight index {index} is out of range: this model has {model.n_params} "
                         f"weights, indices 0..{model.n_params - 1} (see stepnn.surface.param_labels).")
    return int(index)


# ------------------------------------------------------------------------------ directions

def weight_directions(model, i: "int | str", j: "int | str") -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors (n_params,) on two different weights i and j (flat indices or names)."""
    i, j = param_index(model, i), param_index(model, j)
    if i == j:
        raise ValueError(f"the two weights must differ; received {param_label(model, i)} twice. "
                         f"Pick another second weight, e.g. {param_label(model, (i + 1) % model.n_params)}.")
    d1, d2 = np.zeros(model.n_params), np.zeros(model.n_params)
    d1[i] = d2[j] = 1.0
    return d1, d2


def random_directions(model, seed: int = 0, weights=None) -> tuple[np.ndarray, np.ndarray]:
    """Two random filter-normalised directions (n_params,), as Li et al. 2018.

    Each direction is drawn from N(0, 1); then, in each W (n_in, n_out), column k (the incoming
    weights of output unit k, the "filter" of a dense layer) is rescaled to the norm of column k of
    the weights, so a step of 1 along the direction changes every unit by as much as its weights
    are large. Biases get direction 0 (Li et al. leave biases out), so the plane moves the kernels
    only. A weight column of norm 0 gets a zero direction column.

    Args:
        seed: the same seed gives the same directions.
        weights: flat weights (n_params,) to normalise against; default ``model.get_flat()``.
    """
    if isinstance(seed, bool) or not isinstance(seed, Integral):
        raise TypeError(f"seed must be a whole number, e.g. 0; received {seed!r}.")
    w = model.get_flat() if weights is None else _flat(model, "weights", weights)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(2):
        parts = []
        for W, b in zip(*[iter(model.unflatten(w))] * 2):
            d = rng.standard_normal(W.shape)
            scale = np.linalg.norm(W, axis=0) / np.linalg.norm(d, axis=0)
            parts += [(d * scale).ravel(), np.zeros_like(b)]
        out.append(np.concatenate(parts))
    return out[0], out[1]


def pca_directions(weights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two principal directions of a descent path and the share of variance they explain.

    Args:
        weights: the path, (m, n_params) with m >= 2, e.g. ``trainer.history.weights``; rows of
            several runs may be stacked.

    Returns:
        (d1, d2, ratio): orthonormal directions (n_params,) and ``ratio`` (2,), the explained
        variance ratio of each, in [0, 1] with sum <= 1. As in Li et al.'s code (sklearn's PCA),
        the rows are centred first; the differences to the final weights, ``weights - weights[-1]``,
        have the same principal axes. Signs are fixed so each direction's largest entry is positive.
    """
    H = np.asarray(weights, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] < 2 or H.shape[1] < 2:
        raise ValueError(f"PCA of a path needs weights of shape (m, n_params) with at least 2 rows "
                         f"(the start and one step) and 2 parameters; received shape {H.shape}. "
                         f"Run a few iterations first.")
    if not np.all(np.isfinite(H)):
        raise ValueError("the path contains NaN or inf weights (the run diverged); PCA needs "
                         "finite weights. Reset and use a smaller learning rate.")
    M = H - H[-1]
    M = M - M.mean(axis=0)
    scale = float(np.max(np.abs(M)))
    if scale == 0.0 or not np.isfinite(scale):
        raise ValueError("the path does not move (every row is the same), so it spans no plane. "
                         "Run a few iterations first." if scale == 0.0 else
                         "the path's weights are too large to analyse (the run diverged).")
    _, s, vt = np.linalg.svd(M / scale, full_matrices=False)   # scaled: no overflow in s**2
    total = float(np.sum(s ** 2))
    if total == 0.0:
        raise ValueError("the path does not move (every row is the same), so it spans no plane. "
                         "Run a few iterations first.")
    ratio = s[:2] ** 2 / total
    dirs = []
    for v in vt[:2]:
        dirs.append(v if v[np.argmax(np.abs(v))] > 0 else -v)
    return dirs[0], dirs[1], ratio


def project(path, center, d1, d2) -> np.ndarray:
    """Least-squares coordinates (m, 2) of each row of ``path`` (m, n_params) on the plane.

    Row k is approximated by ``center + a_k d1 + b_k d2``; exact when it lies on the plane.
    """
    center, d1, d2 = (_vector(name, v) for name, v in (("center", center), ("d1", d1), ("d2", d2)))
    P = np.asarray(path, dtype=np.float64)
    if P.ndim == 1:
        P = P[None, :]
    if P.ndim != 2 or P.shape[1] != center.size or d1.size != center.size or d2.size != center.size:
        raise ValueError(f"project needs path (m, n_params) and center, d1, d2 (n_params,) of the "
                         f"same n_params; received path {np.shape(path)}, center {center.shape}, "
                         f"d1 {d1.shape}, d2 {d2.shape}.")
    D = np.column_stack([d1, d2])
    if np.linalg.matrix_rank(D) < 2:
        raise ValueError("d1 and d2 are parallel (or zero), so they span no plane; choose two "
                         "independent directions.")
    coords, *_ = np.linalg.lstsq(D, (P - center).T, rcond=None)
    return coords.T


# ---------------------------------------------------------------------------- the loss engine

def batch_losses(model, X, y, loss, weights, chunk_size: "int | None" = None,
                 workers: "int | None" = None) -> np.ndarray:
    """The loss on (X, y) at each of many flat weight vectors, without touching the model.

    Args:
        model: gives the architecture (layer sizes and activations) only.
        X: inputs (n_samples, n_in); y: targets as the loss expects.
        loss: a loss name or Loss.
        weights: (G, n_params) flat weight vectors.
        chunk_size: points per chunk; default from ``MEMORY_BUDGET``.
        workers: threads; default ``WORKERS``.

    Returns:
        (G,) the mean loss over the samples at each point (inf/NaN where the loss overflows).
    """
    x, y, loss_fn = _data(model, X, y, loss)
    P = np.asarray(weights, dtype=np.float64)
    if P.ndim == 1:
        P = P[None, :]
    if P.ndim != 2 or P.shape[1] != model.n_params:
        raise ValueError(f"weights must have shape (n_points, {model.n_params}) for this model; "
                         f"received {np.shape(weights)}.")
    varies = [bool(np.any(P[:, s] != P[:1, s])) for s in _layer_slices(model)]
    shared, plan = _prepare(model, x, P[0], varies)
    return _run_chunks(len(P), _chunk_size(model, len(x), chunk_size), workers,
                       lambda start, stop: _chunk_losses(plan, shared, y, loss_fn, P[start:stop]))


def loss_grid(model, X, y, loss, center, d1, d2, alphas, betas,
              chunk_size: "int | None" = None, workers: "int | None" = None) -> np.ndarray:
    """The loss over a grid on the plane ``center + alpha d1 + beta d2``.

    Args:
        center, d1, d2: flat vectors (n_params,).
        alphas: (n_alpha,) grid coordinates along d1; betas: (n_beta,) along d2; at least 2 each.
        chunk_size: grid points per chunk; workers: threads (the result depends on neither).

    Returns:
        (n_beta, n_alpha): row r, column c is the loss at ``center + alphas[c] d1 + betas[r] d2``
        (rows follow betas, as ``contourf(alphas, betas, values)`` expects).
    """
    x, y, loss_fn = _data(model, X, y, loss)
    center, d1, d2 = (_flat(model, n, v) for n, v in (("center", center), ("d1", d1), ("d2", d2)))
    alphas, betas = _axis("alphas", alphas), _axis("betas", betas)
    if alphas.size * betas.size > MAX_GRID_POINTS:
        raise ValueError(f"a grid of {betas.size} x {alphas.size} points is too large (at most "
                         f"{MAX_GRID_POINTS:,}); use fewer points, e.g. 101 x 101.")
    A, B = np.meshgrid(alphas, betas)
    A, B = A.ravel(), B.ravel()
    moving = (d1 != 0) | (d2 != 0)
    varies = [bool(np.any(moving[s])) for s in _layer_slices(model)]
    shared, plan = _prepare(model, x, center, varies)

    def chunk_losses(start, stop):
        with np.errstate(all="ignore"):
            P = center + A[start:stop, None] * d1 + B[start:stop, None] * d2
        return _chunk_losses(plan, shared, y, loss_fn, P)

    out = _run_chunks(A.size, _chunk_size(model, len(x), chunk_size), workers, chunk_losses)
    return out.reshape(betas.size, alphas.size)


def _run_chunks(n_points: int, chunk: int, workers, chunk_losses) -> np.ndarray:
    """Fill a (n_points,) array chunk by chunk, ``chunk_losses(start, stop) -> (stop - start,)``,
    on up to ``workers`` threads."""
    workers = WORKERS if workers is None else positive_int("workers", workers)
    out = np.empty(n_points)
    starts = range(0, n_points, chunk)

    def fill(start):
        out[start:start + chunk] = chunk_losses(start, min(start + chunk, n_points))

    if workers == 1 or len(starts) == 1:
        for start in starts:
            fill(start)
    else:
        with ThreadPoolExecutor(min(workers, len(starts))) as pool:
            list(pool.map(fill, starts))
    return out


def _data(model, X, y, loss):
    loss_fn = losses.get(loss)
    x = as_float_matrix("X", X, n_features=model.sizes[0])
    y = loss_fn.check_labels(y, model.sizes[-1])
    if len(y) != len(x):
        raise ValueError(f"y has {len(y)} samples but X has {len(x)}; they must match.")
    return x, y, loss_fn


def _layer_slices(model) -> list[slice]:
    """Per layer, the slice of the flat vector holding its W and b."""
    slices, start = [], 0
    for layer in model.layers:
        stop = start + layer.n_in * layer.n_out + layer.n_out
        slices.append(slice(start, stop))
        start = stop
    return slices


def _chunk_size(model, n_samples: int, chunk_size) -> int:
    if chunk_size is not None:
        return positive_int("chunk_size", chunk_size)
    return max(1, MEMORY_BUDGET // (n_samples * max(model.sizes)))


def _prepare(model, x, base, varies):
    """Run x through the layers before the first one that changes across points (once for all
    points) and plan the rest: per layer (activation, W slice, b slice, W shape, fixed), where
    ``fixed`` is the layer's (W, b) taken from ``base`` when it is the same at every point."""
    plan, start = [], 0
    for layer, moves in zip(model.layers, varies):
        cut = start + layer.n_in * layer.n_out
        stop = cut + layer.n_out
        shape = (layer.n_in, layer.n_out)
        fixed = None if moves else (base[start:cut].reshape(shape), base[cut:stop])
        plan.append((layer.activation, slice(start, cut), slice(cut, stop), shape, fixed))
        start = stop
    first = varies.index(True) if True in varies else len(varies)
    a = x
    with np.errstate(all="ignore"):
        for activation, _, _, _, (W, b) in plan[:first]:
            a = activation.forward(a @ W + b)
    return a, plan[first:]


def _chunk_losses(plan, shared, y, loss_fn, P) -> np.ndarray:
    """Loss at each row of P (g, n_params), from the shared activations through the planned layers.

    Every point gets the same operations as ``model.predict`` would apply to it: z = a W + b with
    its own W (g, n_in, n_out) and b, one matrix product per point, then the activation.
    """
    a, g = shared, len(P)
    with np.errstate(all="ignore"):
        for activation, w_slice, b_slice, shape, fixed in plan:
            if fixed is None:
                z = a @ P[:, w_slice].reshape((g,) + shape)
                # b repeated to (g, n, n_out) first: adding it broadcast is twice as slow
                z += np.repeat(P[:, None, b_slice], z.shape[-2], axis=1)
            else:
                z = a @ fixed[0]
                z += fixed[1]
            a = activation.forward(z)
        if a.ndim == 2:  # nothing changes across points
            a = np.broadcast_to(a, (g,) + a.shape)
        per_sample = loss_fn.per_sample(y, a)
        # the mean over the samples as np.mean computes it (same sum, same division), minus its overhead
        return np.add.reduce(per_sample, axis=-1) / per_sample.shape[-1]


def _vector(name, value) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a flat vector (n_params,); received shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf (a diverged run?); it must be finite.")
    return arr


def _flat(model, name, value) -> np.ndarray:
    arr = _vector(name, value)
    if arr.shape != (model.n_params,):
        raise ValueError(f"{name} must have shape ({model.n_params},) for this model (its flat "
                         f"weight vector, as model.get_flat()); received {arr.shape}.")
    return arr


def _axis(name, values) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(f"{name} must be a 1-D array of at least 2 grid coordinates, e.g. "
                         f"np.linspace(-1, 1, 41); received shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf; grid coordinates must be finite.")
    return arr


# ------------------------------------------------------------------------- planes, surfaces

@dataclass(frozen=True, repr=False, eq=False)
class Plane:
    """A plane through weight space: the point (alpha, beta) is ``center + alpha d1 + beta d2``.

    Attributes:
        center, d1, d2: flat vectors (n_params,).
        kind: "weights", "random", "pca" or "custom".
        labels: axis labels (the two weights' names, or "PC1"/"PC2", ...).
        explained: for "pca", the explained variance ratio (2,) of d1 and d2; else None.
    """
    center: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    kind: str = "custom"
    labels: tuple[str, str] = ("alpha", "beta")
    explained: "np.ndarray | None" = None

    def point(self, alpha, beta) -> np.ndarray:
        """Flat weights at (alpha, beta); arrays of coordinates give (..., n_params)."""
        alpha, beta = np.asarray(alpha, dtype=np.float64), np.asarray(beta, dtype=np.float64)
        return self.center + alpha[..., None] * self.d1 + beta[..., None] * self.d2

    def project(self, path) -> np.ndarray:
        """Coordinates (m, 2) of the rows of ``path`` (m, n_params); see ``project``."""
        return project(path, self.center, self.d1, self.d2)

    def __repr__(self) -> str:
        extra = ""
        if self.explained is not None:
            extra = f", explained variance {self.explained[0]:.1%} + {self.explained[1]:.1%}"
        return (f"Plane({self.kind}: {self.labels[0]} x {self.labels[1]}, "
                f"n_params={self.center.size}{extra})")


@dataclass(frozen=True, repr=False, eq=False)
class Surface:
    """The loss over a grid of a plane: ``values[r, c]`` at ``plane.point(alphas[c], betas[r])``."""
    plane: Plane
    alphas: np.ndarray
    betas: np.ndarray
    values: np.ndarray

    @property
    def minimum(self) -> tuple[float, float, float]:
        """(alpha, beta, loss) of the lowest finite grid value."""
        v = np.where(np.isfinite(self.values), self.values, np.inf)
        r, c = np.unravel_index(np.argmin(v), v.shape)
        return float(self.alphas[c]), float(self.betas[r]), float(self.values[r, c])

    def __repr__(self) -> str:
        finite = self.values[np.isfinite(self.values)]
        rng = f"loss {finite.min():.4g}..{finite.max():.4g}" if finite.size else "no finite loss"
        return (f"Surface({self.plane.kind}: {self.betas.size} x {self.alphas.size} grid, "
                f"{self.plane.labels[0]} in [{self.alphas[0]:.3g}, {self.alphas[-1]:.3g}], "
                f"{self.plane.labels[1]} in [{self.betas[0]:.3g}, {self.betas[-1]:.3g}], {rng})")


def weight_plane(model, i: "int | str", j: "int | str", weights=None) -> Plane:
    """The plane of two weights: (alpha, beta) are the values of weights i and j, the others stay
    at ``weights`` (default: the model's current weights)."""
    d1, d2 = weight_directions(model, i, j)
    center = model.get_flat() if weights is None else _flat(model, "weights", weights)
    center = np.where((d1 + d2) != 0, 0.0, center)
    names = param_labels(model)
    return Plane(center, d1, d2, "weights", (names[int(np.argmax(d1))], names[int(np.argmax(d2))]))


def random_plane(model, seed: int = 0, weights=None) -> Plane:
    """Filter-normalised random directions around ``weights`` (default: the current weights)."""
    center = model.get_flat() if weights is None else _flat(model, "weights", weights)
    d1, d2 = random_directions(model, seed, center)
    return Plane(center, d1, d2, "random", ("d1", "d2"))


def pca_plane(weights, center=None) -> Plane:
    """The plane of a path's two principal directions, centred on ``center`` (default: the
    path's last row, the final weights, as Li et al.)."""
    d1, d2, ratio = pca_directions(weights)
    H = np.asarray(weights, dtype=np.float64)
    c = H[-1].copy() if center is None else _vector("center", center)
    return Plane(c, d1, d2, "pca", ("PC1", "PC2"), ratio)


def surface(model, X, y, loss, plane: Plane, alphas, betas,
            chunk_size: "int | None" = None, workers: "int | None" = None) -> Surface:
    """``loss_grid`` over ``plane``, kept with its plane and axes."""
    values = loss_grid(model, X, y, loss, plane.center, plane.d1, plane.d2, alphas, betas,
                       chunk_size, workers)
    return Surface(plane, np.asarray(alphas, dtype=np.float64).copy(),
                   np.asarray(betas, dtype=np.float64).copy(), values)


def path_losses(model, X, y, loss, plane: Plane, path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The true loss along a path beside the loss at its projection on ``plane``.

    Returns:
        (coords (m, 2), true (m,), on_plane (m,)): each row's plane coordinates, the loss at the
        row's own weights, and the loss at ``plane.point(*coords)``. Where the two differ, the
        path runs off the plane and the picture of the surface under it is approximate.
    """
    path = np.asarray(path, dtype=np.float64)
    coords = plane.project(path)
    true = batch_losses(model, X, y, loss, path)
    on_plane = batch_losses(model, X, y, loss, plane.point(coords[:, 0], coords[:, 1]))
    return coords, true, on_plane
