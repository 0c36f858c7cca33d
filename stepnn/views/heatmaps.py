"""Heatmaps of one batch: z and a of every layer (samples x units), and the gradients dL/dW.

Each heatmap is one image (a ``GridImage``: quick to redraw) built once; ``update`` only swaps
its array and colour limits. The image is re-shaped (new extent and limits) only when its
array's shape changes: a new batch size, or the smaller last batch of an epoch.
"""
from __future__ import annotations

import matplotlib
import numpy as np

from ._base import View, add_title, bare_axes, use_language
from .raster import grid_image

__all__ = ["ActivationHeatmaps", "GradientHeatmaps", "max_abs", "set_image", "value_limits"]


# ---------------------------------------------------------------------------- heatmaps

CMAP = matplotlib.colormaps["coolwarm"].with_extremes(bad="#eeeeee")  # grey: not computed yet
TITLE = dict(fontsize=7, pad=2)


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


def set_image(im, array: np.ndarray) -> None:
    """Put ``array`` (rows, cols) in the image ``im``; re-shape the image only if the shape changed."""
    array = np.asarray(array, dtype=np.float64)
    if array.shape != im.get_array().shape:
        rows, cols = array.shape
        im.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
        im.axes.set_xlim(-0.5, cols - 0.5)
        im.axes.set_ylim(rows - 0.5, -0.5)
    im.set_data(array)


def _blank(rows: int, cols: int) -> np.ndarray:
    return np.full((rows, cols), np.nan)


def _image(ax, rows: int, cols: int):
    bare_axes(ax)
    return grid_image(ax, _blank(rows, cols), cmap=CMAP, vmin=-1, vmax=1, aspect="auto",
                      interpolation="nearest", interpolation_stage="rgba")


class _LayerHeatmaps(View):
    """Heatmaps drawn on a given number of axes per layer."""

    per_layer = 1

    @classmethod
    def n_axes(cls, model) -> int:
        """How many axes this view needs for ``model``."""
        return cls.per_layer * len(model.layers)

    def _setup(self, axes, trainer, lang: str) -> list:
        self.lang = lang
        use_language(lang)
        needed = self.n_axes(trainer.model)
        self.axes = list(np.ravel(axes))
        if len(self.axes) != needed:
            raise ValueError(f"{type(self).__name__} needs {needed} axes; received {len(self.axes)}. "
                             f"Create them with e.g. fig.subplots(1, {needed}).")
        return trainer.model.layers


class ActivationHeatmaps(_LayerHeatmaps):
    """Per layer, the weighted sums z = a_prev W + b and the activations a = f(z) of the batch.

    Each image has shape (batch, units): one row per sample of the current batch, one column per
    neuron. Before the first Forward of an iteration nothing is computed, and the images are blank.

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
            set_image(zi, z)
            set_image(ai, a)
            zi.set_clim(*value_limits(z))
            ai.set_clim(*value_limits(a, self.activations[i]))

    def __repr__(self) -> str:
        return f"ActivationHeatmaps({len(self.z_images)} layers, z and a per batch, lang={self.lang!r})"


class GradientHeatmaps(_LayerHeatmaps):
    """Per layer, the gradient dL/dW (n_in, n_out) of the current batch, its norm in the title
    ("|dL/dW1| 0.061": the square root of the sum of squares).

    Blank until Backward has run in the current iteration.

    Args:
        axes: n_layers axes, one per layer.
        trainer: the Trainer whose last backward record is shown.
        lang: "en" or "ko".
    """

    def __init__(self, axes, trainer, lang: str = "en"):
        layers = self._setup(axes, trainer, lang)
        self.images = [_image(ax, layer.n_in, layer.n_out) for ax, layer in zip(self.axes, layers)]
        self.titles = [add_title(ax, "", changing=True, **TITLE) for ax in self.axes]  # the norm changes
        self.update(trainer)

    def dynamic_artists(self) -> list:
        """The images and their titles (the norms)."""
        return self.images + self.titles

    def update(self, trainer) -> None:
        rec = trainer.last_backward
        for i, (im, title) in enumerate(zip(self.images, self.titles)):
            if rec is None:
                layer = trainer.model.layers[i]
                set_image(im, _blank(layer.n_in, layer.n_out))
                title.set_text(f"dL/dW{i + 1}")
                continue
            dW = rec.dW[i]
            set_image(im, dW)
            m = max_abs(dW)
            im.set_clim(-m, m)
            with np.errstate(over="ignore", invalid="ignore"):  # a diverged run's dW may be huge
                norm = np.linalg.norm(dW)
            title.set_text(f"|dL/dW{i + 1}| {norm:.2g}")

    def __repr__(self) -> str:
        return f"GradientHeatmaps({len(self.images)} layers, dL/dW per batch, lang={self.lang!r})"
