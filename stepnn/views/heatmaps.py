"""Heatmaps of one batch: z and a of every layer (samples x units), and the gradients dL/dW.

Each heatmap is one ``pcolormesh`` (a QuadMesh: one cell per number; a blitting owner redraws it
over its kept background) built once; ``update`` only swaps its array and colour limits. A mesh is made
again (new cells, new limits: a full draw) only when its array's shape changes: a new batch size.
The smaller last batch of an epoch keeps the rows of a full batch, the missing ones blank.
"""
from __future__ import annotations

import matplotlib
import numpy as np

from ._base import View, add_title, bare_axes, localize, use_language

__all__ = ["ActivationHeatmaps", "GradientHeatmaps", "max_abs", "set_image", "value_limits", "heatmap"]


# ---------------------------------------------------------------------------- heatmaps

CMAP = matplotlib.colormaps["coolwarm"].with_extremes(bad="#eeeeee")  # grey: not computed yet
TITLE = dict(fontsize=8, pad=2)


def max_abs(values, floor: float = 1e-12) -> float:
    """The largest finite |value| in ``values`` (any shape), at least ``floor``."""
    arr = np.abs(np.asarray(values, dtype=np.float64))
    arr = arr[np.isfinite(arr)]
    return max(float(arr.max()), floor) if arr.size else floor


def value_limits(values, activation: str = "linear") -> tuple[float, float]:
    """Colour limits for an array of z or a: the activation's own range where it has one
    (sigmoid and softmax [0, 1], tanh [-1, 1]), otherwise symmetric around 0 (so 0 is white)."""
    if activation in ("sigmoid", "softmax"):
        return 0.0, 1.0
    if activation == "tanh":
        return -1.0, 1.0
    m = max_abs(values)
    return -m, m


def heatmap(ax, rows: int, cols: int, clim=(-1.0, 1.0)):
    """A mesh of rows x cols cells on ``ax``, row 0 at the top, all blank (NaN)."""
    mesh = ax.pcolormesh(np.arange(cols + 1) - 0.5, np.arange(rows + 1) - 0.5, _blank(rows, cols),
                         cmap=CMAP, vmin=clim[0], vmax=clim[1], antialiased=False)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    return mesh


def set_image(mesh, array: np.ndarray):
    """Put ``array`` (rows, cols) in the heatmap ``mesh``; returns the mesh, a new one (in the
    old one's place, same colours) when the shape changed."""
    array = np.ma.masked_invalid(np.asarray(array, dtype=np.float64))
    if array.shape != mesh.get_array().shape:
        ax, clim = mesh.axes, mesh.get_clim()
        mesh.remove()
        mesh = heatmap(ax, *array.shape, clim)
    mesh.set_array(array)
    return mesh


def _blank(rows: int, cols: int) -> np.ndarray:
    return np.ma.masked_invalid(np.full((rows, cols), np.nan))


def _image(ax, rows: int, cols: int):
    bare_axes(ax)
    return heatmap(ax, rows, cols)


def _set_clim(mesh, limits) -> None:
    if mesh.get_clim() != tuple(limits):
        mesh.set_clim(*limits)


class _LayerHeatmaps(View):
    """Heatmaps drawn on a given number of axes per layer."""

    per_layer = 1

    @classmethod
    def n_axes(cls, model) -> int:
        """How many axes this view needs for ``model``."""
        return cls.per_layer * len(model.layers)

    def _setup(self, axes, trainer, lang: str) -> list:
        self.lang = use_language(lang)
        needed = self.n_axes(trainer.model)
        self.axes = list(np.ravel(axes))
        if len(self.axes) != needed:
            raise ValueError(f"{type(self).__name__} needs {needed} axes; received {len(self.axes)}. "
                             f"Create them with e.g. fig.subplots(1, {needed}).")
        return trainer.model.layers


class ActivationHeatmaps(_LayerHeatmaps):
    """Per layer, the weighted sums z = a_prev W + b and the activations a = f(z) of the batch.

    Each image has shape (batch, units): one row per sample of the current batch, one column per
    neuron; the short last batch of an epoch leaves its missing rows blank (masked). Before the first Forward of an iteration nothing is computed, and the images are blank.

    Args:
        axes: 2 * n_layers axes, in the order z1, a1, z2, a2, ... (see ``n_axes``).
        trainer: the Trainer whose last forward record is shown.
        lang: "en" or "ko".
    """

    per_layer = 2

    def __init__(self, axes, trainer, lang: str = "en"):
        layers = self._setup(axes, trainer, lang)
        self.activations = [layer.activation.name for layer in layers]
        b = trainer.batch_size
        self.z_images, self.a_images = [], []
        for i, layer in enumerate(layers):
            self.z_images.append(_image(self.axes[2 * i], b, layer.n_out))
            self.a_images.append(_image(self.axes[2 * i + 1], b, layer.n_out))
            add_title(self.axes[2 * i], f"z{i + 1}", **TITLE)
            add_title(self.axes[2 * i + 1], f"a{i + 1} {self.activations[i]}", **TITLE)
        self.update(trainer)
        for ax in self.axes:
            localize(ax, self.lang)

    def dynamic_artists(self) -> list:
        """The images (their titles do not change)."""
        return self.z_images + self.a_images

    def update(self, trainer) -> None:
        rec = trainer.last_forward
        for i, (zi, ai) in enumerate(zip(self.z_images, self.a_images)):
            if rec is None:
                n_out = trainer.model.layers[i].n_out
                z = a = _blank(trainer.batch_size, n_out)
            else:
                z, a = rec.z[i], rec.a[i]
                rows = max(len(z), trainer.batch_size)
                if len(z) < rows:   # the short last batch: its missing rows stay blank
                    z, a = (np.vstack([v, _blank(rows - len(v), v.shape[1])]) for v in (z, a))
            zi = self.z_images[i] = set_image(zi, z)
            ai = self.a_images[i] = set_image(ai, a)
            _set_clim(zi, value_limits(z))
            _set_clim(ai, value_limits(a, self.activations[i]))

    def __repr__(self) -> str:
        return f"ActivationHeatmaps({len(self.z_images)} layers, z and a per batch, lang={self.lang!r})"


class GradientHeatmaps(_LayerHeatmaps):
    """Per layer, the gradient dL/dW (n_in, n_out) of the current batch, titled "dL/dW1", ...; its
    colours run from -max|dL/dW| (blue) to +max|dL/dW| (red). The norm of each gradient (the
    square root of the sum of squares) is ``norms`` (a number that changes at every step costs a
    text drawn at every redraw).

    Blank until Backward has run in the current iteration.

    Args:
        axes: n_layers axes, one per layer.
        trainer: the Trainer whose last backward record is shown.
        lang: "en" or "ko".
    """

    def __init__(self, axes, trainer, lang: str = "en"):
        layers = self._setup(axes, trainer, lang)
        self.images = [_image(ax, layer.n_in, layer.n_out) for ax, layer in zip(self.axes, layers)]
        self.titles = [add_title(ax, f"dL/dW{i + 1}", **TITLE) for i, ax in enumerate(self.axes)]
        self.norms = [float("nan")] * len(self.axes)
        self.update(trainer)
        for ax in self.axes:
            localize(ax, self.lang)

    def dynamic_artists(self) -> list:
        """The heatmaps (their titles do not change)."""
        return list(self.images)

    def update(self, trainer) -> None:
        rec = trainer.last_backward
        for i, (im, title) in enumerate(zip(self.images, self.titles)):
            if rec is None:
                layer = trainer.model.layers[i]
                self.images[i] = set_image(im, _blank(layer.n_in, layer.n_out))
                self.norms[i] = float("nan")
                continue
            dW = rec.dW[i]
            im = self.images[i] = set_image(im, dW)
            m = max_abs(dW)
            _set_clim(im, (-m, m))
            with np.errstate(over="ignore", invalid="ignore"):  # a diverged run's dW may be huge
                self.norms[i] = float(np.linalg.norm(dW))

    def __repr__(self) -> str:
        return f"GradientHeatmaps({len(self.images)} layers, dL/dW per batch, lang={self.lang!r})"
