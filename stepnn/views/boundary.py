"""What the model has learned, drawn over the data.

- 2 input features: the model's output over a grid (``model.predict``) as an image behind the
  data points. One output unit: its value (for 0/1 labels, the probability of class 1 and the
  0.5 contour: the decision boundary). Several output units: each grid cell takes the colour of
  its argmax class, paler where the model is less sure.
- 1 input feature and 1 output: the fitted curve over the data (regression).
- anything else: a sentence saying why there is no picture (e.g. iris has 4 features).

The current batch is ringed in black in both pictures. The output image is a ``GridImage`` and
the 0.5 contour one LineCollection of short segments (``level_segments``, marching squares): both
are quick to redraw.
"""
from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.collections import LineCollection

from ._base import View, add_text, add_title, bare_axes, paste_pixels, use_language
from .raster import grid_image

__all__ = ["BoundaryView", "class_colors", "level_segments"]

_TEXT = {
    "en": {"no_picture": "{title}:\ndrawn for 2 input features\n(or 1 for regression);\nthis data has {n}.",
           "diverged": "diverged"},
    "ko": {"no_picture": "{title}:\n입력 특성이 2개일 때 그립니다\n(회귀는 1개);\n이 데이터는 {n}개입니다.",
           "diverged": "발산"},
}
BINARY_CMAP = "RdBu_r"
_OUTPUT_CMAP = matplotlib.colormaps[BINARY_CMAP].with_extremes(bad="#dddddd")


def class_colors(k: int) -> np.ndarray:
    """RGB (k, 3) colours of classes 0..k-1 (class 0 blue and 1 red, as the binary colour map)."""
    base = [matplotlib.colormaps[BINARY_CMAP](0.15), matplotlib.colormaps[BINARY_CMAP](0.85)]
    base += [matplotlib.colormaps["tab10"](i) for i in (2, 4, 8, 5, 6, 7, 9, 3)]
    return np.array([base[i % len(base)][:3] for i in range(k)])


def _labels(trainer) -> np.ndarray:
    """Class index per training sample, (n,), from labels shaped for any classification loss."""
    y = np.asarray(trainer.y)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    return np.rint(y.reshape(-1)).astype(int)


class BoundaryView(View):
    """The decision boundary (2-D inputs), the fitted curve (1-D regression), or a note.

    Args:
        ax: the axes to draw on.
        trainer: the Trainer to show.
        resolution: grid points per axis for the 2-D picture (the curve uses 4 x as many).
        lang: "en" or "ko".

    Attributes:
        kind: "boundary2d", "curve1d" or "none".
        grid: the (resolution^2, 2) or (4 resolution, 1) inputs evaluated at every update.
        image: the output image (2-D), ``curve``: the fitted Line2D (1-D), ``points``: the data,
        ``batch``: the rings around the current batch, ``contour``: the 0.5 contour of a binary
        output (a LineCollection, empty where the output does not cross 0.5; None otherwise).
    """

    def __init__(self, ax, trainer, resolution: int = 40, lang: str = "en"):
        self.lang = lang
        use_language(lang)
        if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
            raise ValueError(f"resolution must be a whole number >= 2 (grid points per axis); "
                             f"received {resolution!r}.")
        self.ax = ax
        self.axes = [ax]
        self.resolution = resolution
        self._words = _TEXT.get(lang, _TEXT["en"])
        n_in, n_out = trainer.model.sizes[0], trainer.model.sizes[-1]
        self.contour = self.image = self.curve = self.points = self.batch = None
        bare_axes(ax, frame=n_in in (1, 2))
        add_title(ax, self.t("prediction") if (n_in, n_out) == (1, 1) else self.t("decision_boundary"))
        if n_in == 2:
            self.kind = "boundary2d"
            self._build_2d(trainer, n_out)
        elif n_in == 1 and n_out == 1:
            self.kind = "curve1d"
            self._build_1d(trainer)
        else:
            self.kind = "none"
            sentence = self._words["no_picture"].format(title=self.t("decision_boundary"), n=n_in)
            add_text(ax, 0.5, 0.5, sentence, ha="center", va="center", fontsize=8, color="#444444")
        self.note = add_text(ax, 0.02, 0.98, "", ha="left", va="top", fontsize=8, color="#b00020")
        self.update(trainer)

    def dynamic_artists(self) -> list:
        """The output (image or curve), the 0.5 contour, the batch rings and the note."""
        changing = [self.image, self.contour, self.curve, self.batch, self.note]
        return [a for a in changing if a is not None]

    # ------------------------------------------------------------ building
    def _build_2d(self, trainer, n_out: int) -> None:
        X = trainer.X
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = 0.08 * np.maximum(hi - lo, 1e-9)
        lo, hi = lo - pad, hi + pad
        gx, gy = np.linspace(lo[0], hi[0], self.resolution), np.linspace(lo[1], hi[1], self.resolution)
        self._xx, self._yy = np.meshgrid(gx, gy)
        self.grid = np.column_stack([self._xx.ravel(), self._yy.ravel()])
        dx, dy = gx[1] - gx[0], gy[1] - gy[0]  # the grid points are the centres of the image's cells
        extent = (gx[0] - dx / 2, gx[-1] + dx / 2, gy[0] - dy / 2, gy[-1] + dy / 2)
        r = self.resolution
        self.multiclass = n_out > 1
        self.binary = not self.multiclass and bool(np.isin(trainer.y, (0.0, 1.0)).all())
        if self.multiclass:
            self.image = grid_image(self.ax, np.ones((r, r, 4)), origin="lower", extent=extent,
                                    aspect="auto", interpolation="bilinear")
            self.colors = class_colors(n_out)
            point_colors = self.colors[_labels(trainer)]
        else:
            self.image = grid_image(self.ax, np.zeros((r, r)), origin="lower", extent=extent,
                                    aspect="auto", cmap=_OUTPUT_CMAP, vmin=0, vmax=1, alpha=0.75,
                                    interpolation="bilinear")
            self.colors = class_colors(2)
            point_colors = (self.colors[_labels(trainer)] if self.binary
                            else matplotlib.colormaps["viridis"](_normalise(trainer.y.reshape(-1)))[:, :3])
        self.points = paste_pixels(self.ax.scatter(X[:, 0], X[:, 1], c=point_colors, s=9,
                                                   edgecolors="white", linewidths=0.3, zorder=2))
        if self.binary:
            self.contour = LineCollection([], colors="black", linewidths=1.0, capstyle="round", zorder=2)
            self.ax.add_collection(self.contour, autolim=False)
        self.batch = self.ax.scatter([], [], s=30, facecolors="none", edgecolors="black",
                                     linewidths=0.9, zorder=3)
        self.ax.set_xlim(extent[0], extent[1])
        self.ax.set_ylim(extent[2], extent[3])

    def _build_1d(self, trainer) -> None:
        x, y = trainer.X[:, 0], np.asarray(trainer.y).reshape(-1)
        lo, hi = x.min(), x.max()
        pad = 0.05 * max(hi - lo, 1e-9)
        self.grid = np.linspace(lo - pad, hi + pad, 4 * self.resolution)[:, None]
        self.points = paste_pixels(self.ax.scatter(x, y, s=8, color="#7f8c8d", zorder=2))
        self.batch = self.ax.scatter([], [], s=28, facecolors="none", edgecolors="black",
                                     linewidths=0.9, zorder=3)
        (self.curve,) = self.ax.plot(self.grid[:, 0], np.zeros(len(self.grid)), color="#c0392b", lw=1.6,
                                     zorder=4)
        ylo, yhi = y.min(), y.max()
        ypad = 0.15 * max(yhi - ylo, 1e-9)
        self.ax.set_xlim(self.grid[0, 0], self.grid[-1, 0])
        self.ax.set_ylim(ylo - ypad, yhi + ypad)

    # -------------------------------------------------------------- update
    def output_grid(self, trainer) -> np.ndarray:
        """The model's output on ``grid``: (n_grid, n_out)."""
        return trainer.model.predict(self.grid)

    def update(self, trainer) -> None:
        self.note.set_text(self._words["diverged"] if trainer.diverged else "")
        if self.kind == "none":
            return
        out = self.output_grid(trainer)
        if self.kind == "boundary2d":
            self._update_2d(out)
        else:
            self.curve.set_ydata(out[:, 0])
        rec = trainer.last_forward
        if rec is None:
            self.batch.set_offsets(np.zeros((0, 2)))
        elif self.kind == "boundary2d":
            self.batch.set_offsets(rec.x)
        else:
            targets = np.asarray(trainer.y).reshape(-1)[rec.indices]
            self.batch.set_offsets(np.column_stack([rec.x[:, 0], targets]))

    def _update_2d(self, out: np.ndarray) -> None:
        r = self.resolution
        if self.multiclass:
            self.image.set_data(self.class_image(out))
            return
        values = out[:, 0].reshape(r, r)
        self.image.set_data(values)
        if not self.binary:
            finite = values[np.isfinite(values)]
            if finite.size:
                self.image.set_clim(finite.min(), max(finite.max(), finite.min() + 1e-9))
        if self.binary:
            self.contour.set_segments(self.half_contour(values))

    def half_contour(self, values: np.ndarray) -> np.ndarray:
        """Where the output ``values`` (r, r) on the grid cross 0.5: segments (n, 2, 2)."""
        if not (np.isfinite(values).all() and values.min() < 0.5 < values.max()):
            return np.zeros((0, 2, 2))
        return level_segments(self._xx[0], self._yy[:, 0], values, 0.5)

    def class_image(self, out: np.ndarray) -> np.ndarray:
        """RGBA (r, r, 4): the argmax class's colour, alpha 0.25 (unsure) to 0.85 (certain)."""
        r, k = self.resolution, out.shape[1]
        finite = np.isfinite(out).all(axis=1)
        scores = np.where(finite[:, None], out, 0.0)
        confidence = np.clip((scores.max(axis=1) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
        rgba = np.ones((len(out), 4))
        rgba[:, :3] = self.colors[scores.argmax(axis=1)]
        rgba[:, 3] = np.where(finite, 0.25 + 0.6 * confidence, 0.0)
        return rgba.reshape(r, r, 4)

    def __repr__(self) -> str:
        return f"BoundaryView(kind={self.kind!r}, resolution={self.resolution}, lang={self.lang!r})"


def _crossings(a: np.ndarray, b: np.ndarray, pa: np.ndarray, pb: np.ndarray, level: float):
    """Where the level crosses the edges from corners ``a`` to ``b`` (values) at points ``pa`` to
    ``pb`` ((..., 2)): the points (linear interpolation) and whether it crosses at all."""
    crosses = (a > level) != (b > level)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(crosses, (level - a) / (b - a), 0.0)
    return pa + t[..., None] * (pb - pa), crosses


def level_segments(xs: np.ndarray, ys: np.ndarray, values: np.ndarray, level: float) -> np.ndarray:
    """The line where ``values`` (len(ys), len(xs)) on the grid xs x ys cross ``level``, as
    segments (n, 2, 2), one or two per grid cell (marching squares, linear along the edges; a
    cell whose diagonal corners lie on the same side is split as its centre value says)."""
    X, Y = np.meshgrid(xs, ys)
    P = np.stack([X, Y], axis=-1)
    v00, v01, v10, v11 = values[:-1, :-1], values[:-1, 1:], values[1:, :-1], values[1:, 1:]
    p00, p01, p10, p11 = P[:-1, :-1], P[:-1, 1:], P[1:, :-1], P[1:, 1:]
    edges = [_crossings(v00, v01, p00, p01, level), _crossings(v01, v11, p01, p11, level),
             _crossings(v10, v11, p10, p11, level), _crossings(v00, v10, p00, p10, level)]
    points = np.stack([e[0] for e in edges], axis=2)             # (rows, cols, edge, 2)
    crosses = np.stack([e[1] for e in edges], axis=2)            # bottom, right, top, left
    count = crosses.sum(axis=2)
    two = count == 2
    order = np.argsort(~crosses[two], axis=1, kind="stable")[:, :2]
    pairs = np.take_along_axis(points[two], order[:, :, None], axis=1)
    saddle = count == 4
    centre_above = (v00 + v01 + v10 + v11)[saddle] / 4 > level
    cut_01 = centre_above != (v01[saddle] > level)   # the segments cut off corners 01 and 10
    p = points[saddle]
    first = np.where(cut_01[:, None, None], p[:, [0, 1]], p[:, [3, 0]])
    second = np.where(cut_01[:, None, None], p[:, [2, 3]], p[:, [1, 2]])
    return np.concatenate([pairs, first, second]).reshape(-1, 2, 2)


def _normalise(v: np.ndarray) -> np.ndarray:
    lo, hi = np.nanmin(v), np.nanmax(v)
    return (v - lo) / (hi - lo) if hi > lo else np.zeros_like(v)
