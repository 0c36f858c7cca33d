"""Heatmaps of one batch: z and a of every layer (samples x units), and the gradients dL/dW.

Each heatmap is one ``imshow`` built once; ``update`` only swaps its array and colour limits.
The image is re-shaped (new extent and limits) only when its array's shape changes: a new batch
size, or the smaller last batch of an epoch.

Also here, shared by the dashboard's views: ``CachedText``, text that keeps its pixels, because
laying out and rasterizing glyphs is most of the time of an Agg redraw.
"""
from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import ScaledTranslation

from ._base import View, quiet_axes, use_language

__all__ = ["ActivationHeatmaps", "GradientHeatmaps", "max_abs", "set_image", "value_limits",
           "CachedText", "add_text", "add_title", "bare_axes", "cache_text"]


# ------------------------------------------------------------------------- fast text
class CachedText(Text):
    """A Text that, on an Agg canvas, rasterizes each (string, place, style, resolution) once and
    afterwards pastes those pixels. Other renderers (PDF, SVG) draw it as a plain Text.

    It is never clipped (make it with ``clip_on=False``), as titles and labels are not.
    """

    _MAX_BITMAPS = 8
    _scratch: dict = {}  # (width, height, dpi) -> a RendererAgg to rasterize into, one at a time

    def _key(self, renderer) -> tuple:
        anchor = tuple(self.get_transform().transform(self.get_unitless_position()))
        return (self.get_text(), anchor, renderer.dpi, renderer.width, renderer.height,
                str(self.get_color()), hash(self.get_fontproperties()), self.get_rotation(),
                self.get_ha(), self.get_va(), self.get_alpha())

    def _rasterize(self, renderer) -> tuple[int, int, np.ndarray]:
        size = (int(renderer.width), int(renderer.height), renderer.dpi)
        scratch = CachedText._scratch.get(size)
        if scratch is None:
            CachedText._scratch = {size: RendererAgg(*size)}
            scratch = CachedText._scratch[size]
        scratch.clear()
        super().draw(scratch)
        box = self.get_window_extent(scratch).padded(3)
        w, h = size[:2]
        x0, y0 = max(int(np.floor(box.x0)), 0), max(int(np.floor(box.y0)), 0)
        x1, y1 = min(int(np.ceil(box.x1)), w), min(int(np.ceil(box.y1)), h)
        pixels = np.asarray(scratch.buffer_rgba())[h - y1:h - y0, x0:x1]
        return x0, y0, pixels[::-1].copy()  # draw_image wants the bottom row first

    def draw(self, renderer) -> None:
        clipped = self.get_clip_on() and (self.get_clip_box() is not None or self.get_clip_path() is not None)
        if not isinstance(renderer, RendererAgg) or not self.get_visible() or self.get_text() == "" \
                or clipped or self.get_bbox_patch() is not None:
            return super().draw(renderer)
        bitmaps = self.__dict__.setdefault("_bitmaps", {})  # also for a Text made a CachedText later
        key = self._key(renderer)
        bitmap = bitmaps.get(key)
        if bitmap is None:
            if len(bitmaps) >= self._MAX_BITMAPS:
                bitmaps.clear()
            bitmap = bitmaps[key] = self._rasterize(renderer)
        x0, y0, pixels = bitmap
        if pixels.size:
            gc = renderer.new_gc()
            renderer.draw_image(gc, x0, y0, pixels)
            gc.restore()
        self.stale = False


def cache_text(artist) -> int:
    """Make every plain Text under ``artist`` (a figure or axes: titles, labels, tick labels) a
    CachedText; returns how many it changed. For a view made by someone else: the figure's owner
    calls it after a draw, when the axes have made their tick labels."""
    plain = artist.findobj(lambda a: type(a) is Text)
    for text in plain:
        text.__class__ = CachedText
    return len(plain)


def add_text(ax, x: float, y: float, text: str, transform=None, changing: bool = False,
             **kwargs) -> Text:
    """``ax.text`` as a CachedText (axes coordinates unless ``transform`` is given); a plain Text
    when ``changing`` (a text that differs at nearly every update gains nothing from a cache)."""
    kind = Text if changing else CachedText
    artist = kind(x, y, text, transform=ax.transAxes if transform is None else transform,
                  clip_on=False, **kwargs)
    ax.add_artist(artist)
    return artist


def add_title(ax, text: str = "", fontsize: float = 9, pad: float = 3, changing: bool = False) -> Text:
    """A title ``pad`` points above the axes (``ax.title`` stays empty: at a fixed height it
    skips matplotlib's search for room above the tick labels, which costs more than an image)."""
    shift = ScaledTranslation(0, pad / 72, ax.figure.dpi_scale_trans)
    return add_text(ax, 0.5, 1.0, text, transform=ax.transAxes + shift, changing=changing,
                    ha="center", va="baseline", fontsize=fontsize)


def bare_axes(ax, frame: bool = True) -> None:
    """No ticks, no axis machinery, no spines: at most a thin frame (one rectangle instead of four
    spines, which cost more to draw than the heatmap inside them)."""
    quiet_axes(ax)
    ax.set_axis_off()
    if frame:
        ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, lw=0.6,
                               edgecolor="#777777", clip_on=False, zorder=5))


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
    return ax.imshow(_blank(rows, cols), cmap=CMAP, vmin=-1, vmax=1, aspect="auto",
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
        self.titles = [add_title(ax, "", **TITLE) for ax in self.axes]
        self.update(trainer)

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
