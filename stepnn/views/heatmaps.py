"""Heatmaps of one batch: z and a of every layer (samples x units), and the gradients dL/dW.

Each heatmap is one ``pcolormesh`` (a QuadMesh: one cell per number; a blitting owner redraws it
over its kept background) built once; ``update`` only swaps its array and colour limits. A mesh is made
again (new cells, new limits: a full draw) only when its array's shape changes: a new batch size.
The smaller last batch of an epoch keeps the rows of a full batch, the missing ones blank.
"""
from __future__ import annotations

import matplotlib
import numpy as np

from ..terms import phrase
from ._base import View, add_number, add_title, bare_axes, localize, use_language
from .curves import nice_ceiling
from .style import LEVEL_CMAP, SIGN_CMAP

__all__ = ["ActivationHeatmaps", "GradientHeatmaps", "max_abs", "set_image", "value_limits", "heatmap"]


# ---------------------------------------------------------------------------- heatmaps

# grey: not computed yet. Signed quantities (z, dL/dW) diverge around 0 (white); an activation
# in [0, 1] (sigmoid, softmax) is a level from white (0) to black (1).
CMAP = matplotlib.colormaps[SIGN_CMAP].with_extremes(bad="#eeeeee")
LEVELS = matplotlib.colormaps[LEVEL_CMAP].with_extremes(bad="#eeeeee")
TITLE = dict(fontsize=8, pad=8)  # room for descenders at 12 px: the blitted image lies under the title
NO_SIZE = "–"   # a gradient's size before Backward has run
WIDEST_SIZE = "2.2e+02"   # the widest size the titles write (two significant digits)


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


def heatmap(ax, rows: int, cols: int, clim=(-1.0, 1.0), cmap=CMAP):
    """A mesh of rows x cols cells on ``ax``, row 0 at the top, all blank (NaN), no edge lines."""
    mesh = ax.pcolormesh(np.arange(cols + 1) - 0.5, np.arange(rows + 1) - 0.5, _blank(rows, cols),
                         cmap=cmap, vmin=clim[0], vmax=clim[1], antialiased=False, edgecolors="none",
                         linewidth=0)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    return mesh


def set_image(mesh, array: np.ndarray):
    """Put ``array`` (rows, cols) in the heatmap ``mesh``; returns the mesh, a new one (in the
    old one's place, same colours) when the shape changed."""
    array = np.ma.masked_invalid(np.asarray(array, dtype=np.float64))
    if array.shape != mesh.get_array().shape:
        ax, clim, cmap, bar = mesh.axes, mesh.get_clim(), mesh.get_cmap(), mesh.colorbar
        mesh.remove()
        mesh = heatmap(ax, *array.shape, clim, cmap)
        if bar is not None:
            bar.update_normal(mesh)
    mesh.set_array(array)
    return mesh


def _blank(rows: int, cols: int) -> np.ndarray:
    return np.ma.masked_invalid(np.full((rows, cols), np.nan))


def _image(ax, rows: int, cols: int, clim=(-1.0, 1.0), cmap=CMAP, labels: "tuple | None" = None):
    """A heatmap with a slim colour bar (three ticks); ``labels``: (x label, y label) or None."""
    bare_axes(ax)
    mesh = heatmap(ax, rows, cols, clim, cmap)
    # shorter than the heatmap: the end ticks' numbers stay within its height, clear of the title
    bar = ax.figure.colorbar(mesh, ax=ax, fraction=0.12, pad=0.04, aspect=12, shrink=0.84)
    bar.outline.set_visible(False)
    bar.locator = matplotlib.ticker.LinearLocator(3)          # the two ends and the middle
    bar.formatter = matplotlib.ticker.FormatStrFormatter("%g")
    bar.update_ticks()
    if labels is not None:
        ax.set_axis_on()
        ax.spines[:].set_visible(False)
        ax.set_xlabel(labels[0], labelpad=2)
        ax.set_ylabel(labels[1], labelpad=4)  # clear of the heatmap, also rotated Hangul
    return mesh


def grown_limits(mesh, values, fixed: bool) -> tuple[float, float]:
    """Symmetric colour limits that hold ``values``: +-(1, 2 or 5 x 10^k). ``fixed``: they only
    grow, so a shrinking quantity looks smaller; else they follow the values (in the same steps)."""
    m = nice_ceiling(max_abs(values))
    if fixed:
        m = max(m, mesh.get_clim()[1])
    return -m, m


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
            raise ValueError(phrase("errors.view_axes", self.lang, view=type(self).__name__, needed=needed,
                                    got=len(self.axes)))
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

    def __init__(self, axes, trainer, lang: "str | None" = None):
        layers = self._setup(axes, trainer, lang)
        self.activations = [layer.activation.name for layer in layers]
        b = trainer.batch_size
        self.z_images, self.a_images = [], []
        labels = (self.p("heatmaps.unit"), self.p("heatmaps.sample"))
        for i, layer in enumerate(layers):
            a_lim = value_limits(np.zeros(1), self.activations[i])
            self.z_images.append(_image(self.axes[2 * i], b, layer.n_out, labels=labels if i == 0 else None))
            self.a_images.append(_image(self.axes[2 * i + 1], b, layer.n_out, a_lim,
                                        LEVELS if a_lim[0] == 0 else CMAP))
            add_title(self.axes[2 * i], f"z{i + 1}", **TITLE)
            add_title(self.axes[2 * i + 1], f"a{i + 1} ({self.activations[i]})", **TITLE)
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
            if rec is not None:
                _set_clim(zi, grown_limits(zi, z, fixed=True))
                if self.activations[i] not in ("sigmoid", "softmax", "tanh"):
                    _set_clim(ai, grown_limits(ai, a, fixed=True))

    def __repr__(self) -> str:
        return f"ActivationHeatmaps({len(self.z_images)} layers, z and a per batch, lang={self.lang!r})"


class GradientHeatmaps(_LayerHeatmaps):
    """Per layer, the gradient dL/dW (n_in, n_out) of the current batch, titled "gradient of W1,
    size 0.45" (the size is its norm, the square root of the sum of squares: ``norms``; "–" until
    Backward has run): the words are the static ``titles``, the number the text after them,
    ``sizes`` (only the number is redrawn at a step). Its
    colours run from -m (blue) through 0 (white) to +m (red), m = 1, 2 or 5 x 10^k. With
    ``fixed_scale`` (default) m only grows, so shrinking gradients look smaller; else m follows
    each step's largest |dL/dW|.

    Blank until Backward has run in the current iteration.

    Args:
        axes: n_layers axes, one per layer.
        trainer: the Trainer whose last backward record is shown.
        lang: "en" or "ko".
        fixed_scale: keep the colour scale across steps (it only grows).
    """

    def __init__(self, axes, trainer, lang: "str | None" = None, fixed_scale: bool = True):
        layers = self._setup(axes, trainer, lang)
        self.fixed_scale = bool(fixed_scale)
        self.images = [_image(ax, layer.n_in, layer.n_out, (-1e-3, 1e-3)) for ax, layer in zip(self.axes, layers)]
        # from the heatmap's left edge: the words and the number after them stay within the cell
        self.titles = [add_title(ax, self.p("heatmaps.gradient", i=i + 1), loc="left", **TITLE)
                       for i, ax in enumerate(self.axes)]
        self.sizes = [add_number(ax, title, NO_SIZE, fontsize=TITLE["fontsize"])
                      for ax, title in zip(self.axes, self.titles)]
        self.norms = [float("nan")] * len(self.axes)
        self.update(trainer)
        for ax in self.axes:
            localize(ax, self.lang)

    def dynamic_artists(self) -> list:
        """The heatmaps and the size after each title (it changes at every step; the title's
        words do not)."""
        return list(self.images) + list(self.sizes)

    def fit_titles(self) -> None:
        """Titles too wide for their cell (many layers in a row, a large presentation scale) say
        "dL/dW3, size" instead of "gradient of W3, size". Call it once the texts have their
        final size (after ``stepnn.views.readable``)."""
        fig = self.axes[0].figure
        renderer = fig.canvas.get_renderer()
        lefts = [ax.get_window_extent(renderer).x0 for ax in self.axes[1:]] + [fig.bbox.x1]
        for i, (title, size, right) in enumerate(zip(self.titles, self.sizes, lefts)):
            shown = size.get_text()
            size.set_text(WIDEST_SIZE)
            if size.get_window_extent(renderer).x1 > right - 4:
                title.set_text(self.p("heatmaps.gradient_short", i=i + 1))
            size.set_text(shown)

    def update(self, trainer) -> None:
        rec = trainer.last_backward
        for i, (im, size) in enumerate(zip(self.images, self.sizes)):
            if rec is None:
                layer = trainer.model.layers[i]
                self.images[i] = set_image(im, _blank(layer.n_in, layer.n_out))
                self.norms[i] = float("nan")
                size.set_text(NO_SIZE)
                continue
            dW = rec.dW[i]
            im = self.images[i] = set_image(im, dW)
            _set_clim(im, grown_limits(im, dW, self.fixed_scale))
            with np.errstate(over="ignore", invalid="ignore"):  # a diverged run's dW may be huge
                self.norms[i] = float(np.linalg.norm(dW))
            size.set_text(f"{self.norms[i]:.2g}")

    def __repr__(self) -> str:
        return f"GradientHeatmaps({len(self.images)} layers, dL/dW per batch, lang={self.lang!r})"
