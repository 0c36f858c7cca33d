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

The loss at many points is computed at once: for G points, each layer's weights and bias are one
array [W^T | b] (G, n_out, n_in + 1) and the activations are kept transposed with a row of ones,
(G, n_units + 1, n_samples), so that one matrix product per point gives z = a W + b. Every point
gets the steps of setting its weights and calling ``model.predict`` (only the bias is added inside
the product rather than after it), so the losses agree with that point-by-point loop to rounding,
about 1e-15 relative. Points go through in chunks so that memory stays bounded (see
``MEMORY_BUDGET``); the numbers depend neither on the chunks nor on the threads.

The loss drawn is the loss being descended: when the model's layers have kernel regularizers,
each point's loss is its mean data loss plus the penalty of its kernels
(``stepnn.regularizers.flat_penalties``), as the training loss is.
"""
from __future__ import annotations

import queue
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from . import activations, losses, regularizers
from .activations import Activation
from ._checks import as_float_matrix, check_seed, positive_int
from .terms import phrase

__all__ = ["MEMORY_BUDGET", "MAX_GRID_POINTS", "WORKERS", "Plane", "Surface", "param_label", "param_labels",
           "param_index", "weight_directions", "random_directions", "pca_directions", "project",
           "batch_losses", "loss_grid", "weight_plane", "random_plane", "pca_plane", "surface",
           "path_losses"]

MEMORY_BUDGET = 2 ** 17
"""Floats in each array of a chunk, 2**17 floats = 1 MiB: its activations (points x (widest layer
+ 1) x samples) and each layer's weights with the bias (points x n_out x (n_in + 1)).

Each array of a chunk holds at most this many floats (more only when a single point needs more),
and the few arrays of a chunk are kept from one chunk to the next, so the extra memory stays at a
few MiB whatever the grid size. Why this size: per chunk numpy and BLAS pay a fixed cost per call,
which fewer, larger chunks share out, while arrays much larger than this no longer fit in the
processor's caches (measured here for a [2, 8, 8, 1] network on 200 samples: 40 to 100 points per
chunk were fastest, 10 points took 1.5 to 2 times as long and 1000 points twice as long)."""

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
            raise ValueError(phrase("errors.surface.weight_name", which=which, first=labels[0],
                                    second=labels[1], last=labels[-1]))
        return labels.index(key)
    return _check_index(model, which)


def _check_index(model, index) -> int:
    if isinstance(index, bool) or not isinstance(index, Integral):
        raise TypeError(phrase("errors.surface.index_type", index=index, type=type(index).__name__))
    if not 0 <= index < model.n_params:
        raise ValueError(phrase("errors.surface.index_range", index=index, n=model.n_params,
                                last=model.n_params - 1))
    return int(index)


# ------------------------------------------------------------------------------ directions

def weight_directions(model, i: "int | str", j: "int | str") -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors (n_params,) on two different weights i and j (flat indices or names)."""
    i, j = param_index(model, i), param_index(model, j)
    if i == j:
        raise ValueError(phrase("errors.surface.same_weights", name=param_label(model, i),
                                other=param_label(model, (i + 1) % model.n_params)))
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
        raise TypeError(phrase("errors.surface.seed", seed=seed))
    w = model.get_flat() if weights is None else _flat(model, "weights", weights)
    rng = np.random.default_rng(check_seed(seed))  # a clear error for a negative seed
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
        raise ValueError(phrase("errors.surface.pca_shape", shape=H.shape))
    if not np.all(np.isfinite(H)):
        raise ValueError(phrase("errors.surface.pca_not_finite"))
    M = H - H[-1]
    M = M - M.mean(axis=0)
    scale = float(np.max(np.abs(M)))
    if scale == 0.0 or not np.isfinite(scale):
        raise ValueError(phrase("errors.surface.pca_still" if scale == 0.0
                                else "errors.surface.pca_too_large"))
    _, s, vt = np.linalg.svd(M / scale, full_matrices=False)   # scaled: no overflow in s**2
    total = float(np.sum(s ** 2))
    if total == 0.0:
        raise ValueError(phrase("errors.surface.pca_still"))
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
        raise ValueError(phrase("errors.surface.project_shapes", path=np.shape(path), center=center.shape,
                                d1=d1.shape, d2=d2.shape))
    D = np.column_stack([d1, d2])
    if np.linalg.matrix_rank(D) < 2:
        raise ValueError(phrase("errors.surface.parallel"))
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
        (G,) the mean loss over the samples at each point, plus the kernels' penalty when the
        model's layers have regularizers (inf/NaN where the loss overflows).
    """
    x, y, loss_fn = _data(model, X, y, loss)
    P = np.asarray(weights, dtype=np.float64)
    if P.ndim == 1:
        P = P[None, :]
    if P.ndim != 2 or P.shape[1] != model.n_params:
        raise ValueError(phrase("errors.surface.weights_shape", n=model.n_params, shape=np.shape(weights)))
    varies = [bool(np.any(P[:, s] != P[:1, s])) for s in _layer_slices(model)]
    plan = _plan(model, x, y, loss_fn, P[0], varies)
    out = _run_chunks(plan, len(P), _chunk_size(model, len(x), chunk_size), workers,
                      lambda i, start, stop, workspace: P[start:stop, plan.layers[i].index])
    if _regularized(model):
        out += regularizers.flat_penalties(model.layers, P)
    return out


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
        raise ValueError(phrase("errors.surface.grid_too_large", rows=betas.size, columns=alphas.size,
                                most=MAX_GRID_POINTS))
    A, B = np.meshgrid(alphas, betas)
    A, B = A.ravel(), B.ravel()
    moving = (d1 != 0) | (d2 != 0)
    varies = [bool(np.any(moving[s])) for s in _layer_slices(model)]
    plan = _plan(model, x, y, loss_fn, center, varies)
    out = _run_chunks(plan, A.size, _chunk_size(model, len(x), chunk_size), workers,
                      _plane_weights(plan, center, d1, d2, A, B))
    if _regularized(model):
        step = max(1, MEMORY_BUDGET // model.n_params)
        for start in range(0, A.size, step):  # the points in chunks: memory stays bounded
            a, b = A[start:start + step, None], B[start:start + step, None]
            out[start:start + step] += regularizers.flat_penalties(model.layers,
                                                                   center + a * d1 + b * d2)
    return out.reshape(betas.size, alphas.size)


def _regularized(model) -> bool:
    return any(layer.kernel_regularizer is not None for layer in model.layers)


def _plane_weights(plan: "_Plan", center: np.ndarray, d1: np.ndarray, d2: np.ndarray,
                   A: np.ndarray, B: np.ndarray) -> Callable:
    """``weights(i, start, stop, workspace)``: [W^T | b] (stop - start, n_out, n_in + 1) of
    ``plan.layers[i]`` at the points ``center + A[k] d1 + B[k] d2``, k in start..stop-1, each
    number computed as that sum is (the same additions in the same order)."""
    parts = [None if layer.fixed is not None else (center[layer.index], d1[layer.index], d2[layer.index])
             for layer in plan.layers]

    def weights(i: int, start: int, stop: int, workspace: _Workspace) -> np.ndarray:
        c, u, v = parts[i]
        w = workspace.array(("weights", i), (stop - start,) + c.shape)
        t = workspace.array(("weights term", i), (stop - start,) + c.shape)
        np.multiply(A[start:stop, None, None], u, out=w)
        np.add(c, w, out=w)
        np.multiply(B[start:stop, None, None], v, out=t)
        return np.add(w, t, out=w)

    return weights


def _data(model, X, y, loss):
    loss_fn = losses.get(loss)
    x = as_float_matrix("X", X, n_features=model.sizes[0])
    y = loss_fn.check_labels(y, model.sizes[-1])
    if len(y) != len(x):
        raise ValueError(phrase("errors.surface.samples", n_y=len(y), n_x=len(x)))
    return x, y, loss_fn


def _layer_slices(model) -> list[slice]:
    """Per layer, the slice of the flat vector holding its W and b."""
    slices, start = [], 0
    for layer in model.layers:
        stop = start + layer.n_in * layer.n_out + layer.n_out
        slices.append(slice(start, stop))
        start = stop
    return slices


def _chunk_size(model, n_samples: int, chunk_size: "int | None") -> int:
    """Points per chunk: the given size, or as many as keep every array of a chunk within
    ``MEMORY_BUDGET`` floats: the activations (points, widest layer + 1, samples) and each layer's
    weights with its bias (points, n_out, n_in + 1)."""
    if chunk_size is not None:
        return positive_int("chunk_size", chunk_size)
    per_point = max([n_samples * (max(model.sizes) + 1)]
                    + [layer.n_out * (layer.n_in + 1) for layer in model.layers])
    return max(1, MEMORY_BUDGET // per_point)


# How a chunk of g points is computed. Activations are stored transposed, (g, units, samples), with
# a last row of ones, so that one matrix product per point, [W^T | b] (units_out, units_in + 1) times
# [a^T; 1] (units_in + 1, samples), gives z^T with its bias already added; numpy then runs a tight
# loop along the samples for every elementwise step. Arrays are reused from chunk to chunk.

_RELU, _TANH, _SIGMOID, _LINEAR = (activations.get(name) for name in ("relu", "tanh", "sigmoid", "linear"))
_ELEMENTWISE = tuple(activations.get(name) for name in activations.NAMES if name != "softmax")


@dataclass(frozen=True, eq=False)
class _Layer:
    """A layer of the plan.

    Attributes:
        activation: the layer's activation.
        index: (n_out, n_in + 1) positions in the flat weight vector: ``[j, i]`` holds W[i, j] and
            ``[j, n_in]`` holds b[j], so ``P[:, index]`` is [W^T | b] at every point, (g, n_out, n_in + 1).
        fixed: [W^T | b] (n_out, n_in + 1) when the layer is the same at every point, else None.
    """
    activation: Activation
    index: np.ndarray
    fixed: "np.ndarray | None"

    @property
    def n_out(self) -> int:
        return self.index.shape[0]


@dataclass(frozen=True, eq=False)
class _Plan:
    """What every chunk runs.

    Attributes:
        shared: (n_in + 1, n_samples) the activations entering ``layers[0]``, the same at every
            point, transposed, with a last row of ones.
        layers: the layers from the first one that changes across points (empty when none does).
        head: the output activation and the loss, ``head(z, workspace) -> (g,)`` mean losses from
            the output layer's z^T (g, n_out, n_samples).
        constant: the loss when no layer changes across points, else None.
    """
    shared: np.ndarray
    layers: "tuple[_Layer, ...]"
    head: Callable
    constant: "float | None"


class _Workspace:
    """Arrays kept from chunk to chunk, so that no chunk waits for fresh memory pages; one per thread."""

    def __init__(self):
        self._arrays: dict = {}

    def array(self, key, shape: tuple, ones_row: bool = False) -> np.ndarray:
        """An array of ``shape`` = (g, ...) for ``key``: the first g entries of the largest one so
        far. With ``ones_row``, ``[:, -1]`` holds ones (the bias row; keep it unchanged)."""
        arr = self._arrays.get(key)
        if arr is None or arr.shape[0] < shape[0] or arr.shape[1:] != tuple(shape[1:]):
            arr = np.zeros(shape)
            if ones_row:
                arr[:, -1] = 1.0
            self._arrays[key] = arr
        return arr[:shape[0]]


def _plan(model, x: np.ndarray, y, loss_fn: losses.Loss, base: np.ndarray, varies: list[bool]) -> _Plan:
    """Run x through the layers before the first one that changes across points (once for all
    points, as ``model.predict`` does) and plan the rest.

    Args:
        x: (n_samples, n_in) inputs; y: checked targets; base: (n_params,) one of the points.
        varies: per layer, whether its W or b changes across points.
    """
    first = varies.index(True) if True in varies else len(varies)
    layers = []
    for layer, moves, params in zip(model.layers, varies, _layer_slices(model)):
        flat = np.arange(params.start, params.stop)   # W (n_in n_out, C order), then b (n_out)
        index = np.empty((layer.n_out, layer.n_in + 1), dtype=np.intp)
        index[:, :-1] = flat[:-layer.n_out].reshape(layer.n_in, layer.n_out).T
        index[:, -1] = flat[-layer.n_out:]
        layers.append(_Layer(layer.activation, index, None if moves else base[index]))
    a = x
    with np.errstate(all="ignore"):
        for layer, params in zip(model.layers[:first], _layer_slices(model)):
            W = base[params][:-layer.n_out].reshape(layer.n_in, layer.n_out)
            a = layer.activation.forward(a @ W + base[params][-layer.n_out:])
        constant = float(_mean_loss(loss_fn, y, a)) if first == len(layers) else None
    shared = np.ones((a.shape[1] + 1, a.shape[0]))
    shared[:-1] = a.T
    return _Plan(shared, tuple(layers[first:]), _head(layers[-1].activation, loss_fn, y), constant)


def _run_chunks(plan: _Plan, n_points: int, chunk: int, workers: "int | None",
                weights: Callable) -> np.ndarray:
    """The (n_points,) losses, chunk by chunk on up to ``workers`` threads, where
    ``weights(i, start, stop, workspace)`` gives [W^T | b] (stop - start, n_out, n_in + 1) of
    ``plan.layers[i]`` at points start..stop-1 (may be in an array of ``workspace``)."""
    workers = WORKERS if workers is None else positive_int("workers", workers)
    out = np.empty(n_points)
    if plan.constant is not None:
        out[:] = plan.constant
        return out
    starts = range(0, n_points, chunk)
    spare: "queue.SimpleQueue[_Workspace]" = queue.SimpleQueue()

    def fill(start: int) -> None:
        try:
            workspace = spare.get_nowait()
        except queue.Empty:
            workspace = _Workspace()
        stop = min(start + chunk, n_points)
        out[start:stop] = _chunk_losses(plan, stop - start,
                                        lambda i: weights(i, start, stop, workspace), workspace)
        spare.put(workspace)

    if workers == 1 or len(starts) == 1:
        for start in starts:
            fill(start)
    else:
        with ThreadPoolExecutor(min(workers, len(starts))) as pool:
            list(pool.map(fill, starts))
    return out


def _chunk_losses(plan: _Plan, g: int, weights: Callable, workspace: _Workspace) -> np.ndarray:
    """The mean loss (g,) at each of g points, from the shared activations on.

    Args:
        weights: ``weights(i)`` gives [W^T | b] (g, n_out, n_in + 1) of ``plan.layers[i]``.

    Each point gets the operations ``model.predict`` applies to it: per layer a matrix product
    with its own W (here with b as one more row) and the activation, elementwise.
    """
    a = plan.shared
    n, last = a.shape[-1], len(plan.layers) - 1
    with np.errstate(all="ignore"):
        for i, layer in enumerate(plan.layers):
            w = layer.fixed if layer.fixed is not None else weights(i)
            if i == last:
                z = workspace.array("output", (g, layer.n_out, n))
                np.matmul(w, a, out=z)
                return plan.head(z, workspace)
            out = workspace.array(("hidden", i), (g, layer.n_out + 1, n), ones_row=True)
            np.matmul(w, a, out=out[:, :-1])
            a = _activate(layer.activation, out, workspace)
    raise ValueError("a plan needs at least one layer")


def _activate(activation: Activation, a: np.ndarray, workspace: _Workspace) -> np.ndarray:
    """Apply a hidden layer's activation in place to a (g, n_out + 1, n_samples) of z^T and its
    row of ones, which stays ones; returns a."""
    z = a[:, :-1]
    if activation is _RELU:  # max(z, 0) over the whole array: max(1, 0) keeps the ones
        np.maximum(a, workspace.array(("zeros", a.shape[1:]), a.shape), out=a)
    elif activation is _LINEAR:
        pass
    elif activation is _TANH:
        np.tanh(z, out=z)
    elif activation in _ELEMENTWISE:
        z[...] = activation.forward(z)
    else:  # acts along the units of a sample: give it (g, n_samples, n_out) as predict does
        z[...] = activation.forward(np.ascontiguousarray(z.transpose(0, 2, 1))).transpose(0, 2, 1)
    return a


def _head(activation: Activation, loss_fn: losses.Loss, y) -> Callable:
    """The output activation and the loss: ``head(z, workspace)`` maps the output layer's z^T
    (g, n_out, n_samples) to the (g,) mean losses."""
    if _fuses_sigmoid_bce(activation, loss_fn, y):
        not_y = 1.0 - y[:, 0]
        return lambda z, workspace: _sigmoid_bce_losses(z, not_y, workspace)

    def head(z: np.ndarray, workspace: _Workspace) -> np.ndarray:
        a = activation.forward(np.ascontiguousarray(z.transpose(0, 2, 1)))
        return _mean_loss(loss_fn, y, a)

    return head


def _fuses_sigmoid_bce(activation: Activation, loss_fn: losses.Loss, y) -> bool:
    """Whether ``_sigmoid_bce_losses`` gives this head's numbers: a sigmoid output of one unit,
    binary cross-entropy on probabilities, and labels y (n_samples, 1) that are all 0 or 1."""
    y = np.asarray(y)
    return (activation is _SIGMOID and loss_fn.name == "binary_crossentropy" and not loss_fn.from_logits
            and y.ndim == 2 and y.shape[1] == 1 and bool(np.all((y == 0) | (y == 1))))


def _mean_loss(loss_fn: losses.Loss, y, a: np.ndarray) -> np.ndarray:
    """The mean over the samples of the per-sample losses at outputs a (..., n_samples, n_out):
    shape (...,), e.g. (g,) for g points."""
    per_sample = loss_fn.per_sample(y, a)
    # the mean over the samples as np.mean computes it (same sum, same division), minus its overhead
    return np.add.reduce(per_sample, axis=-1) / per_sample.shape[-1]


def _sigmoid_bce_losses(z: np.ndarray, not_y: np.ndarray, workspace: _Workspace) -> np.ndarray:
    """Binary cross-entropy of a sigmoid output for labels 0 or 1, with the numbers of
    ``activations.sigmoid`` and ``losses.binary_crossentropy`` and half their work.

    Args:
        z: (g, 1, n_samples) the output layer's z^T; overwritten.
        not_y: (n_samples,) 1 - y.

    Returns:
        (g,) the mean loss. Per sample the loss is -(y log c + (1 - y) log(1 - c)) with c the
        clipped sigmoid; for y = 1 that is exactly -log c and for y = 0 exactly -log(1 - c),
        so one logarithm is taken, of |(1 - y) - c|.
    """
    g, _, n = z.shape
    z = z.reshape(g, n)
    c = workspace.array("c", (g, n))
    np.negative(z, out=z)
    np.exp(z, out=z)                                       # e^-z (inf below z = -709: c is 0)
    np.add(z, 1.0, out=z)
    np.divide(1.0, z, out=c)                               # sigmoid(z)
    np.maximum(c, losses.EPSILON, out=c)
    np.minimum(c, 1.0 - losses.EPSILON, out=c)
    np.subtract(not_y, c, out=c)
    np.abs(c, out=c)                                       # c where y = 1, 1 - c where y = 0
    np.log(c, out=c)
    return -np.add.reduce(c, axis=-1) / n


def _vector(name, value) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(phrase("errors.surface.flat_vector", name=name, shape=arr.shape))
    if not np.all(np.isfinite(arr)):
        raise ValueError(phrase("errors.surface.vector_not_finite", name=name))
    return arr


def _flat(model, name, value) -> np.ndarray:
    arr = _vector(name, value)
    if arr.shape != (model.n_params,):
        raise ValueError(phrase("errors.surface.flat_shape", name=name, n=model.n_params, shape=arr.shape))
    return arr


def _axis(name, values) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(phrase("errors.surface.axis_shape", name=name, shape=arr.shape))
    if not np.all(np.isfinite(arr)):
        raise ValueError(phrase("errors.surface.axis_not_finite", name=name))
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
