"""What the model has learned, drawn over the data.

- 2 input features: the model's output over a grid (``model.predict``) as an image behind the
  data points. One output unit: its value (for 0/1 labels, the probability of class 1 and the
  0.5 contour: the decision boundary). Several output units: each grid cell takes the colour of
  its argmax class, paler where the model is less sure.
- more than 2 input features (iris has 4): the same picture on the plane of the inputs' first two
  principal components (PC1, PC2): each point of the plane is mapped back to an input through the
  principal directions, the other components held at the data's mean, and the model predicts
  there; the data points are shown at their projections.
- 1 input feature and 1 output: the fitted curve over the data (regression).
- anything else (1 feature with several outputs): a sentence saying why there is no picture.

When the trainer's data changes (the same model), ``set_data`` fits the picture in place: the
points move, and the grid, the mesh (placed on the plane by a transform) and the limits follow
the data's range only if it changed.

The current batch is ringed in black in both pictures. The output is a ``pcolormesh`` (one cell per
grid point) and the 0.5 contour a LineCollection whose lines contourpy (matplotlib's own contouring
library) finds at each update; the data points lie above the output, so a blitting owner redraws
them with it (``dynamic_artists``).
"""
from __future__ import annotations

import contourpy
import matplotlib
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.transforms import Affine2D

from ..terms import phrase
from ._base import View, add_title, bare_axes, localize, use_language
from .style import OKABE_ITO, ROLES, class_cmap

PAD = 0.08   # the plane shown: the data's range and 8% more on each side

__all__ = ["BoundaryView", "class_colors", "level_lines", "principal_plane", "plane_grid"]

_OUTPUT_CMAP = class_cmap().with_extremes(bad="#dddddd")


def class_colors(k: int) -> np.ndarray:
    """RGB (k, 3) colours of classes 0..k-1: class 0 and 1 the package's class colours (never the
    red and blue of a sign), then the other Okabe-Ito colours."""
    base = [ROLES["class0"], ROLES["class1"]] + [OKABE_ITO[c] for c in ("sky_blue", "purple", "orange")]
    base = [matplotlib.colors.to_rgba(c) for c in base]
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
        on_click: called as ``on_click(view, x, y)`` when a left click lands on the axes (data
            coordinates); the dashboard's controller acts on it (e.g. adds a point). The view
            changes nothing.

    Attributes:
        kind: "boundary2d" (also for more than 2 inputs, on the PCA plane), "curve1d" or "none".
        grid: the (resolution^2, n_inputs) or (4 resolution, 1) inputs evaluated when the weights
            (or the grid) changed; ``extent``: (x0, x1, y0, y1) of the 2-D picture.
        mean, basis: more than 2 inputs: the data's mean (n_inputs,) and its first two principal
            directions (n_inputs, 2), orthonormal columns; None otherwise.
        image: the output mesh (2-D), ``curve``: the fitted Line2D (1-D), ``points``: the data
        (one Line2D of markers per class: markers draw much faster than a scatter of coloured
        points), ``batch``: the rings around the current batch (a Line2D of markers),
        ``contour``: the 0.5 contour of a binary output (a LineCollection, empty where the output
        does not cross 0.5; None otherwise).
    """

    def __init__(self, ax, trainer, resolution: int = 40, lang: "str | None" = None, on_click=None):
        self.lang = use_language(lang)
        if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
            raise ValueError(phrase("errors.view_resolution", self.lang, resolution=resolution))
        self.ax = ax
        self.axes = [ax]
        self.resolution = resolution
        n_in, n_out = trainer.model.sizes[0], trainer.model.sizes[-1]
        self.contour = self.image = self.curve = self.points = self.batch = None
        self._drawn_for = None   # the weights the output was last computed for
        self.mean = self.basis = None
        bare_axes(ax)
        add_title(ax, self.t("prediction") if (n_in, n_out) == (1, 1) else self.t("decision_boundary"))
        if n_in >= 2:
            self.kind = "boundary2d"
            if n_in > 2:
                self.mean, self.basis = principal_plane(trainer.X)
                for x, y, key, rotation in [(0.5, 0.015, "pc1", 0), (0.015, 0.5, "pc2", 90)]:
                    ax.text(x, y, self.t(key), transform=ax.transAxes, rotation=rotation, fontsize=9,
                            ha="center" if rotation == 0 else "left", va="bottom" if rotation == 0 else "center",
                            color=ROLES["text"], zorder=6,
                            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.7))
            self._build_2d(trainer, n_out)
        elif n_in == 1 and n_out == 1:
            self.kind = "curve1d"
            self._build_1d(trainer)
        else:
            self.kind = "none"
            sentence = self.p("boundary.no_picture", title=self.t("decision_boundary"), n=n_in)
            ax.text(0.5, 0.5, sentence, transform=ax.transAxes, ha="center", va="center", fontsize=9,
                    color="#444444")
        self.note = ax.text(0.02, 0.98, "", transform=ax.transAxes, ha="left", va="top", fontsize=9,
                            color="#b00020", zorder=6)
        self._data = trainer.data
        self.on_click = on_click
        self._cid = ax.figure.canvas.mpl_connect("button_press_event", self._on_press)
        self.update(trainer)
        localize(ax, self.lang)

    def _on_press(self, event) -> None:
        if event.inaxes is not self.ax or event.button != 1 or event.xdata is None \
                or event.ydata is None or self.on_click is None:
            return
        self.on_click(self, float(event.xdata), float(event.ydata))

    def disconnect(self) -> None:
        """Stop listening to mouse clicks."""
        self.ax.figure.canvas.mpl_disconnect(self._cid)

    def dynamic_artists(self) -> list:
        """The output (mesh or curve), the data points above the mesh, the 0.5 contour, the batch
        rings and the note."""
        points = self.points if self.kind == "boundary2d" else []
        changing = [self.image, *points, self.contour, self.curve, self.batch, self.note]
        return [a for a in changing if a is not None]

    # ------------------------------------------------------------ building
    def plane_coords(self, X: np.ndarray) -> np.ndarray:
        """Where inputs (m, n_inputs) show in the picture (m, 2): themselves for 2 inputs, else
        their coordinates on the first two principal components."""
        X = np.asarray(X, dtype=float)
        return X if self.basis is None else (X - self.mean) @ self.basis

    def _build_2d(self, trainer, n_out: int) -> None:
        r = self.resolution
        self.multiclass = n_out > 1
        self.binary = not self.multiclass and bool(np.isin(trainer.y, (0.0, 1.0)).all())
        # the mesh is built once on cells 0..r and placed on the data's plane by a transform
        # (``_cells``), which follows the data when it changes
        self._cells = Affine2D()
        edges = np.arange(r + 1.0)
        mesh = dict(antialiased=False, zorder=1, transform=self._cells + self.ax.transData)
        if self.multiclass:
            # colours per cell (set_facecolor): the class's colour, paler where the model is unsure
            self.image = self.ax.pcolormesh(edges, edges, np.zeros((r, r)), **mesh)
            self.image.set_array(None)
            self.colors = class_colors(n_out)
        else:
            self.image = self.ax.pcolormesh(edges, edges, np.zeros((r, r)), cmap=_OUTPUT_CMAP, vmin=0, vmax=1,
                                            alpha=0.75, **mesh)
            self.colors = class_colors(2)
        self.points = self._points()
        if self.binary:
            self.contour = LineCollection([], colors="black", linewidths=1.0, capstyle="round", zorder=3)
            self.ax.add_collection(self.contour, autolim=False)
        (self.batch,) = self.ax.plot([], [], "o", ms=5.5, mfc="none", mec="black", mew=0.9, zorder=4)
        self.extent = None
        self._place_2d(trainer)

    def _place_2d(self, trainer) -> None:
        """Fit the plane, the grid, the mesh and the limits to the data's range; the points to the
        data. The grid (and the output on it) changes only when the range or the plane does."""
        if self.basis is not None:
            self.mean, self.basis = principal_plane(trainer.X)
        X = self.plane_coords(trainer.X)
        gx, gy = plane_grid(X, self.resolution)
        dx, dy = gx[1] - gx[0], gy[1] - gy[0]  # the grid points are the centres of the mesh's cells
        extent = (gx[0] - dx / 2, gx[-1] + dx / 2, gy[0] - dy / 2, gy[-1] + dy / 2)
        if extent != self.extent or self.basis is not None:
            self._xx, self._yy = np.meshgrid(gx, gy)
            plane = np.column_stack([self._xx.ravel(), self._yy.ravel()])
            self.grid = plane if self.basis is None else self.mean + plane @ self.basis.T
            self._drawn_for = None   # the output must be computed on the new grid
        if extent != self.extent:
            self.extent = extent
            r = self.resolution
            self._cells.clear().scale((extent[1] - extent[0]) / r, (extent[3] - extent[2]) / r)
            self._cells.translate(extent[0], extent[2])
            self.ax.set_xlim(extent[0], extent[1])
            self.ax.set_ylim(extent[2], extent[3])
        groups = self._groups(trainer)
        for k, line in enumerate(self.points):
            rows = groups == k
            line.set_data(X[rows, 0], X[rows, 1])

    def _build_1d(self, trainer) -> None:
        self.points = self.ax.plot([], [], "o", ms=2.8, color="#7f8c8d", mew=0, zorder=2)
        (self.batch,) = self.ax.plot([], [], "o", ms=5.3, mfc="none", mec="black", mew=0.9, zorder=3)
        (self.curve,) = self.ax.plot([], [], color="#c0392b", lw=1.6, zorder=4)
        self._place_1d(trainer)

    def _place_1d(self, trainer) -> None:
        """Fit the grid, the curve's x and the limits to the data; the points to the data."""
        x, y = trainer.X[:, 0], np.asarray(trainer.y).reshape(-1)
        lo, hi = x.min(), x.max()
        pad = 0.05 * max(hi - lo, 1e-9)
        self.grid = np.linspace(lo - pad, hi + pad, 4 * self.resolution)[:, None]
        self._drawn_for = None
        self.points[0].set_data(x, y)
        self.curve.set_data(self.grid[:, 0], np.zeros(len(self.grid)))
        ylo, yhi = y.min(), y.max()
        ypad = 0.15 * max(yhi - ylo, 1e-9)
        self.ax.set_xlim(self.grid[0, 0], self.grid[-1, 0])
        self.ax.set_ylim(ylo - ypad, yhi + ypad)

    def set_data(self, trainer) -> bool:
        """Show the trainer's new data (the same model): the points, and the grid and limits if
        the data's range changed; the output follows at the next ``update``. Returns False when
        the picture must be built again instead (0/1 labels became other targets, or back)."""
        if trainer.data is self._data:
            return True
        if self.kind == "boundary2d" and not self.multiclass \
                and bool(np.isin(trainer.y, (0.0, 1.0)).all()) != self.binary:
            return False
        self._data = trainer.data
        if self.kind == "boundary2d":
            self._place_2d(trainer)
        elif self.kind == "curve1d":
            self._place_1d(trainer)
        return True

    def _points(self) -> list:
        """The data points over the output, one Line2D of markers per class (0/1 labels, several
        outputs) or per fifth of the target's range (regression: five viridis colours), empty
        until ``_place_2d`` fills them (``_groups``)."""
        if self.multiclass or self.binary:
            colors = self.colors
        else:
            colors = matplotlib.colormaps["viridis"](np.linspace(0.1, 0.9, 5))[:, :3]
        return [self.ax.plot([], [], "o", ms=4.5, mfc=c, mec="#333333", mew=0.5, zorder=2)[0] for c in colors]

    def _groups(self, trainer) -> np.ndarray:
        """Which of ``points`` each training sample joins, (n,)."""
        if self.multiclass or self.binary:
            return _labels(trainer)
        return np.minimum((_normalise(trainer.y.reshape(-1)) * 5).astype(int), 4)

    # -------------------------------------------------------------- update
    def output_grid(self, trainer) -> np.ndarray:
        """The model's output on ``grid``: (n_grid, n_out)."""
        return trainer.model.predict(self.grid)

    def update(self, trainer) -> None:
        self.note.set_text(self.p("boundary.diverged") if trainer.diverged else "")
        if self.kind == "none":
            return
        if trainer.data is not self._data:   # an owner calls set_data first, to rebuild if it says so
            self.set_data(trainer)
        weights = trainer.model.get_flat()
        if not np.array_equal(weights, self._drawn_for, equal_nan=True):  # the model's output changed
            self._drawn_for = weights
            out = self.output_grid(trainer)
            if self.kind == "boundary2d":
                self._update_2d(out)
            else:
                self.curve.set_ydata(out[:, 0])
        rec = trainer.last_forward
        if rec is None:
            self.batch.set_data([], [])
        elif self.kind == "boundary2d":
            shown = self.plane_coords(rec.x)
            self.batch.set_data(shown[:, 0], shown[:, 1])
        else:
            targets = np.asarray(trainer.y).reshape(-1)[rec.indices]
            self.batch.set_data(rec.x[:, 0], targets)

    def _update_2d(self, out: np.ndarray) -> None:
        r = self.resolution
        if self.multiclass:
            self.image.set_facecolor(self.class_image(out).reshape(-1, 4))
            return
        values = out[:, 0].reshape(r, r)
        self.image.set_array(np.ma.masked_invalid(values))
        if not self.binary:
            finite = values[np.isfinite(values)]
            if finite.size:
                self.image.set_clim(finite.min(), max(finite.max(), finite.min() + 1e-9))
        if self.binary:
            self.contour.set_segments(self.half_contour(values))

    def half_contour(self, values: np.ndarray) -> list:
        """Where the output ``values`` (r, r) on the grid cross 0.5: a list of lines (m, 2)."""
        if not (np.isfinite(values).all() and values.min() < 0.5 < values.max()):
            return []
        return level_lines(self._xx[0], self._yy[:, 0], values, 0.5)

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


def plane_grid(X: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """(grid_x, grid_y), each (resolution,): the range of the 2 input features of X (n, 2), with
    ``PAD`` of it added on each side."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = PAD * np.maximum(hi - lo, 1e-9)
    lo, hi = lo - pad, hi + pad
    return np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)


def principal_plane(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean (n_features,) of inputs ``X`` (n, n_features) and their first two principal
    directions (n_features, 2): orthonormal columns, PC1 first, each signed so that its largest
    entry is positive (the same picture on every machine)."""
    X = np.asarray(X, dtype=float)
    mean = X.mean(axis=0)
    _, _, vt = np.linalg.svd(X - mean, full_matrices=False)
    basis = vt[:2].T.copy()
    for k in range(2):
        if basis[np.argmax(np.abs(basis[:, k])), k] < 0:
            basis[:, k] *= -1
    return mean, basis


def level_lines(xs: np.ndarray, ys: np.ndarray, values: np.ndarray, level: float) -> list:
    """The lines where ``values`` (len(ys), len(xs)) on the grid xs x ys cross ``level``: a list of
    (m, 2) arrays of points, found by contourpy (as ``ax.contour`` does)."""
    generator = contourpy.contour_generator(xs, ys, values, line_type="Separate")
    return [np.asarray(line) for line in generator.lines(level)]


def _normalise(v: np.ndarray) -> np.ndarray:
    lo, hi = np.nanmin(v), np.nanmax(v)
    return (v - lo) / (hi - lo) if hi > lo else np.zeros_like(v)
