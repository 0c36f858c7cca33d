"""The loss surface (손실 곡면) under the descent path: where gradient descent (경사하강법) walks.

``SurfaceView`` shows one trainer's path on one of two planes:
    - "weights": the true loss over two chosen weights, every other weight held where it is. The
      other weights move while training runs, so the surface is recomputed when they have moved
      and ``refresh_every`` iterations have passed since the last time (the title says when);
      ``refresh()`` recomputes it at once. Clicking on the plot moves the two weights there.
    - "pca": the plane of the path's two principal directions (Li et al. 2018), centred on the
      current weights; the title gives the share of the path's variance the plane explains, and a
      small plot compares the true loss along the path with the loss at its projection. The plane
      changes as the path grows, so the plane and the surface are recomputed every
      ``refresh_every`` iterations (and at once after an undo, a reset or a new start); in between
      the new points are projected on the plane drawn.
``RaceSurfaceView`` shows several runs from the same start on one plane (see ``OptimizerRace``).

Recomputing takes tens of milliseconds and changes the background (contours, limits, title): a
blitting dashboard draws its whole figure then. In between, an update only moves the
path, point and note (``dynamic_artists``).

The numbers come from ``stepnn.surface``; the views only draw them.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import surface as S
from .._checks import positive_int
from ..terms import phrase
from ._base import View, add_title, localize, quiet_axes, thinned, use_language
from .curves import nice_ceiling

__all__ = ["SurfaceView", "RaceSurfaceView", "DIRECTIONS", "RUN_COLORS"]

DIRECTIONS = ("weights", "pca")
RUN_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
N_LEVELS = 20          # filled contour levels between the lowest loss and the 95th percentile
MAX_SPAN = 1e6         # a window wider than this (in weight units) means the path ran away
PCA_MIN_ROWS = 3       # the start and two steps: fewer rows span no plane worth drawing

def _finite_rows(H: np.ndarray) -> np.ndarray:
    """The leading rows of a path that are finite (a diverged run ends in inf/NaN rows)."""
    bad = ~np.all(np.isfinite(H), axis=1)
    return H[:int(np.argmax(bad))] if bad.any() else H


def padded_window(coords: np.ndarray, pad: float = 0.25, min_half: float = 0.05):
    """((x0, x1), (y0, y1)) around points (m, 2): their box widened by ``pad`` of its size on each
    side, at least ``min_half`` either side of its centre."""
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    mid, half = (lo + hi) / 2, np.maximum((hi - lo) / 2 * (1 + 2 * pad), min_half)
    return tuple((float(m - h), float(m + h)) for m, h in zip(mid, half))


def contour_levels(values: np.ndarray) -> "np.ndarray | None":
    """Increasing levels from the lowest finite loss to its 95th percentile (None: nothing finite)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    low, high = float(finite.min()), float(np.percentile(finite, 95))
    if not high > low:
        high = low + max(abs(low) * 1e-6, 1e-12)
    return np.linspace(low, high, N_LEVELS + 1)


class _PlaneView(View):
    """What both surface views share: the filled contours, their lines and a note on the axes."""

    def __init__(self, ax, resolution: int, lang: str):
        self.lang = use_language(lang)
        self.ax = ax
        self.axes = [ax]
        self.resolution = positive_int("resolution", resolution)
        if self.resolution < 2:
            raise ValueError(phrase("errors.view_resolution_min", self.lang, resolution=resolution))
        self.surface: "S.Surface | None" = None
        self.contours: list = []
        self.levels: "np.ndarray | None" = None   # the colours' losses, fixed while the plane stays
        self._levels_plane = None
        self.title = add_title(ax, "", fontsize=8, pad=11)   # clear of the top tick label
        self.note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=9,
                            color="#b00020", zorder=10,
                            bbox=dict(boxstyle="round", fc="white", ec="none", alpha=0.8))
        self.note.set_visible(False)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(MaxNLocator(nbins=3))
        ax.tick_params(labelsize=8)
        localize(ax, self.lang)

    def show_note(self, text: str) -> None:
        """A message on the axes ("" hides it)."""
        self.note.set_text(text)
        self.note.set_visible(bool(text))

    def _grid(self, window) -> tuple[np.ndarray, np.ndarray]:
        (x0, x1), (y0, y1) = window
        return np.linspace(x0, x1, self.resolution), np.linspace(y0, y1, self.resolution)

    def _levels_for(self, values: np.ndarray, plane_key) -> "np.ndarray | None":
        """Contour levels for a surface on the plane ``plane_key``: the first surface's on a new
        plane, then kept, so that a colour means the same loss at every refresh. They are widened
        downwards when a refresh finds a lower loss than the lowest level, and chosen afresh only
        when the surface would use less than half of the colours (its loss sank far below, or rose
        above, the levels: one colour would fill the picture)."""
        fresh = contour_levels(values)
        if plane_key != self._levels_plane or self.levels is None or fresh is None:
            self.levels, self._levels_plane = fresh, plane_key
            return self.levels
        low, high = min(fresh[0], self.levels[0]), self.levels[-1]
        if fresh[-1] - low < 0.5 * (high - low) or fresh[0] >= high:
            self.levels = fresh
        elif low < self.levels[0]:
            self.levels = np.linspace(low, high, N_LEVELS + 1)
        return self.levels

    def _draw(self, surface: "S.Surface | None", plane_key=None) -> None:
        """Replace the contour sets (they cannot change their data in place) and fix the limits.
        ``plane_key`` names the plane: the colour levels stay while it is the same."""
        for cs in self.contours:
            cs.remove()
        self.contours = []
        self.surface = surface
        if surface is None:
            return
        levels = self._levels_for(surface.values, plane_key)
        if levels is not None:
            values = np.ma.masked_invalid(surface.values)
            self.contours = [
                self.ax.contourf(surface.alphas, surface.betas, values, levels=levels,
                                 cmap="viridis", extend="max", zorder=0),
                self.ax.contour(surface.alphas, surface.betas, values, levels=levels[::2],
                                colors="white", linewidths=0.4, alpha=0.6, zorder=1)]
        self.ax.set_xlim(surface.alphas[0], surface.alphas[-1])
        self.ax.set_ylim(surface.betas[0], surface.betas[-1])
        self.ax.set_xlabel(surface.plane.labels[0], labelpad=1)
        self.ax.set_ylabel(surface.plane.labels[1], labelpad=1)

    def _compute(self, trainer, plane: S.Plane, window) -> S.Surface:
        alphas, betas = self._grid(window)
        return S.surface(trainer.model, trainer.X, trainer.y, trainer.loss_fn, plane, alphas, betas)


class SurfaceView(_PlaneView):
    """The loss surface under one trainer's descent path, updated in place.

    Args:
        ax: the axes to draw on.
        trainer: the Trainer whose path (``trainer.history.weights``) is drawn; the surface is its
            loss on all its training data.
        directions: "weights" (two weights; the others held at their current values) or "pca"
            (the plane of the path's two principal directions).
        params: the two weights of "weights" mode, as flat indices or names like ("W1[0,0]",
            "W1[0,1]"); default: the first two weights of W1.
        resolution: grid points per axis (the surface has resolution**2 points).
        span: "weights" mode: half-width of the first window around the two weights' values
            (default: twice the larger of them, at least 2); the window grows when the path
            leaves it. "pca" mode: the window is the path's box, widened by ``span`` of its size
            on each side (default 0.25).
        lang: "en" or "ko".
        refresh_every: recompute the surface at most every this many iterations while training
            runs (it takes tens of ms; the path and the point move at every update).
        path_ax: "pca" mode: axes for the true loss along the path beside the loss at its
            projection (limits written at its corners, a key in coloured words); default: an
            inset in the lower right corner of ``ax``.
        on_pick: called as ``on_pick(view, weights)`` when a click picks weights (flat,
            (n_params,)); the dashboard's controller sets them (``controller.move_to``).

    Attributes:
        surface: the ``stepnn.surface.Surface`` drawn (None before there is one).
        contours: the filled contour set and the contour lines.
        path_line: the path (x, y = plane coordinates of ``trainer.history.weights``).
        start_marker, point: the start of the path and the current weights.
        note: a message on the axes (divergence, PCA needs more iterations, a click's outcome).
        true_line, plane_line: "pca" mode, in ``path_ax``: true loss and the loss at the
            projection, per row of the path; ``path_limits``: the texts at its corners ("x": the
            last iteration shown, "low", "high": the loss range).
    """

    def __init__(self, ax, trainer, directions: str = "weights", params=None, resolution: int = 41,
                 span: "float | None" = None, lang: "str | None" = None, refresh_every: int = 10,
                 path_ax=None, on_pick: "Callable | None" = None):
        if directions not in DIRECTIONS:
            raise ValueError(phrase("errors.widget.choice", lang, name="directions", choices=DIRECTIONS,
                                    value=directions))
        super().__init__(ax, resolution, lang)
        self.trainer = trainer
        self.directions = directions
        self.refresh_every = positive_int("refresh_every", refresh_every)
        if span is not None and not (np.isfinite(span) and span > 0):
            raise ValueError(phrase("errors.view_span", self.lang, span=span))
        self.span = span
        self.on_pick = on_pick
        self.plane: "S.Plane | None" = None
        self.window = None
        self._refreshed_at = None      # global iteration of the last recompute
        self._true_cache = _PathLosses()                 # true loss per row of the path
        self._plane_cache = (None, _PathLosses())        # (plane, loss at each row's projection)
        self.i, self.j = 0, 1
        (self.path_line,) = ax.plot([], [], "-o", color="#ff5a36", lw=1.2, ms=2.0, zorder=3)
        (self.start_marker,) = ax.plot([], [], "s", color="white", mec="black", ms=5, zorder=4)
        (self.point,) = ax.plot([], [], "o", color="#ff1f1f", mec="white", ms=7, zorder=5)
        self.path_ax = self.true_line = self.plane_line = self._limits_plane = None
        if directions == "pca":
            self._build_path_axes(path_ax)
        if directions == "weights":
            first = params if params is not None else (0, 1)
            self._set_indices(*first)
        self._cid = ax.figure.canvas.mpl_connect("button_press_event", self._on_click)
        self.refresh()

    # ------------------------------------------------------------------------ public
    def dynamic_artists(self) -> list:
        """The path, its ends and the note; in "pca" mode also the two lines of the path's losses.
        The contours, limits and titles change only when the surface is recomputed (or the path's
        loss chart rescales), which makes a blitting owner draw the whole figure."""
        changing = [self.path_line, self.start_marker, self.point, self.note]
        return changing + ([self.true_line, self.plane_line] if self.path_ax is not None else [])

    def update(self, trainer=None) -> None:
        """Follow the trainer: recompute the surface when it is stale, move the path and the point."""
        if trainer is not None and trainer is not self.trainer:  # another run: start afresh
            self.trainer = trainer
            self.window, self._refreshed_at, self._true_cache = None, None, _PathLosses()
            if max(self.i, self.j) >= trainer.model.n_params:
                self.i, self.j = 0, 1
        self._follow(force=False)

    def set_data(self, trainer) -> bool:
        """The trainer trains on other data: its losses differ, so the surface, the path's losses
        and the colour levels are computed afresh at the next ``update``."""
        self._refreshed_at, self._true_cache = None, _PathLosses()
        self._plane_cache, self._levels_plane = (None, _PathLosses()), None
        return True

    def refresh(self) -> None:
        """Recompute the surface now (and redraw the path on it)."""
        self._follow(force=True)

    def _follow(self, force: bool) -> None:
        H = self.trainer.history.weights
        diverged = bool(self.trainer.diverged) or not np.all(np.isfinite(H[-1]))
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # a run blowing up is drawn, not warned
                if not diverged and (force or self._stale(H)):
                    self._recompute(H)
                self._draw_path(H, diverged)
        except (ValueError, np.linalg.LinAlgError) as exc:  # shown, never raised into a redraw
            self.show_note(f"{type(exc).__name__}: {exc}")

    def set_params(self, i: "int | str", j: "int | str") -> None:
        """"weights" mode: show the loss over weights i and j (flat indices or names like "W1[0,1]")."""
        if self.directions != "weights":
            raise ValueError(phrase("errors.view_set_params", self.lang))
        self._set_indices(i, j)
        self.window = None
        self.refresh()

    @property
    def params(self) -> tuple[str, str]:
        """The names of the two weights of "weights" mode, e.g. ("W1[0,0]", "W1[0,1]")."""
        labels = S.param_labels(self.trainer.model)
        return labels[self.i], labels[self.j]

    def pick(self, x: float, y: float) -> "np.ndarray | None":
        """"weights" mode: the flat weights (n_params,) a click at (x, y) asks for, the current
        weights with the two shown set to x and y. The view changes nothing: it reports them as
        ``on_pick(view, weights)`` and the dashboard's controller acts on them. Returns None (and
        says why on the axes) when the current weights are not finite."""
        flat = self.trainer.model.get_flat()
        if not np.all(np.isfinite(flat)):
            self.show_note(self.p("surface.not_finite"))
            return None
        flat[self.i], flat[self.j] = x, y
        if self.on_pick is not None:
            self.on_pick(self, flat)
        return flat

    def disconnect(self) -> None:
        """Stop listening to mouse clicks."""
        self.ax.figure.canvas.mpl_disconnect(self._cid)

    def __repr__(self) -> str:
        what = f"{self.params[0]} x {self.params[1]}" if self.directions == "weights" else "pca"
        return (f"SurfaceView({what}, resolution={self.resolution}, refresh_every="
                f"{self.refresh_every}, surface={self.surface!r})")

    # --------------------------------------------------------------------- internals
    def _set_indices(self, i, j) -> None:
        model = self.trainer.model
        i, j = S.param_index(model, i), S.param_index(model, j)
        S.weight_directions(model, i, j)  # checks i != j
        self.i, self.j = i, j

    def _build_path_axes(self, path_ax) -> None:
        """The plot of the losses along the path: no tick labels (text is slow to redraw): its
        limits are written at its corners, and the key is coloured words, as in the loss curve."""
        self._own_inset = path_ax is None
        if path_ax is None:
            path_ax = self.ax.figure.add_axes(self._inset_bounds((1, 0)))
            path_ax.patch.set_alpha(0.85)
        self.path_ax = path_ax
        (self.true_line,) = path_ax.plot([], [], color="#222222", lw=1.0, label=self.p("surface.true"),
                                         zorder=3)
        (self.plane_line,) = path_ax.plot([], [], "--", color="#ff5a36", lw=1.0,
                                          label=self.p("surface.on_plane"), zorder=3)
        quiet_axes(path_ax)
        small = dict(transform=path_ax.transAxes, fontsize=7, color="#444444", zorder=2)  # under the lines
        self.path_limits = {"x": path_ax.text(1.0, -0.03, "", ha="right", va="top", **small),
                            "low": path_ax.text(-0.03, 0.0, "", ha="right", va="bottom", **small),
                            "high": path_ax.text(-0.03, 1.0, "", ha="right", va="top", **small)}
        path_ax.text(0.5, -0.03, self.p("surface.iteration"), ha="center", va="top", **small)
        first = path_ax.text(0.97, 0.94, self.true_line.get_label(), transform=path_ax.transAxes,
                             ha="right", va="top", fontsize=7, color=self.true_line.get_color(), zorder=2)
        # the second key just below the first, whatever the font size (it is placed from the
        # first's box when drawn)
        second = path_ax.annotate(self.plane_line.get_label(), xy=(1, 0), xycoords=first, xytext=(0, -1),
                                  textcoords="offset points", ha="right", va="top", fontsize=7,
                                  color=self.plane_line.get_color(), zorder=2, annotation_clip=False)
        second.set_in_layout(False)
        localize(path_ax, self.lang)

    def _inset_bounds(self, corner) -> list[float]:
        """Figure-fraction bounds of the inset in ``corner`` of the axes, (1, 0) = lower right."""
        box = self.ax.get_position()
        w, h = 0.36 * box.width, 0.27 * box.height
        # room inside the axes for the inset's own tick labels (left and below it)
        x = box.x0 + (box.width - w - 0.02 * box.width if corner[0] else 0.09 * box.width)
        y = box.y0 + (box.height - h - 0.03 * box.height if corner[1] else 0.1 * box.height)
        return [x, y, w, h]

    def _place_inset(self, coords: np.ndarray) -> None:
        """Put our inset in the corner of the window that the path crosses least."""
        if not self._own_inset or self.window is None or not len(coords):
            return
        (x0, x1), (y0, y1) = self.window
        fx, fy = (coords[:, 0] - x0) / (x1 - x0), (coords[:, 1] - y0) / (y1 - y0)
        weight = np.ones(len(coords))
        weight[[0, -1]] = len(coords)  # never hide the start or the current point
        corners = [(1, 0), (0, 0), (1, 1), (0, 1)]
        crossed = [np.sum(weight[((fx > 0.6) if cx else (fx < 0.4)) & ((fy > 0.67) if cy else (fy < 0.33))])
                   for cx, cy in corners]
        self.path_ax.set_position(self._inset_bounds(corners[int(np.argmin(crossed))]))

    def _stale(self, H: np.ndarray) -> bool:
        """Whether to recompute now: at once after a jump back in time (undo, reset) or a new start
        of the path; else at most every ``refresh_every`` iterations, and in "weights" mode only
        when the other weights moved or the point left the window."""
        it = self.trainer.global_iteration
        if self.plane is None or self._refreshed_at is None or it < self._refreshed_at:
            return True
        restarted = not np.array_equal(H[0], self._start)
        if self.directions == "pca":
            return restarted or it - self._refreshed_at >= self.refresh_every
        now = H[-1].copy()
        now[[self.i, self.j]] = 0.0
        others_moved = not np.array_equal(self.plane.center, now)
        if restarted and others_moved:
            return True
        if it - self._refreshed_at < self.refresh_every:
            return False
        (x0, x1), (y0, y1) = self.window
        inside = x0 <= H[-1, self.i] <= x1 and y0 <= H[-1, self.j] <= y1
        return others_moved or not inside

    def _recompute(self, H: np.ndarray) -> None:
        rows = _finite_rows(H)
        self._refreshed_at, self._start = self.trainer.global_iteration, H[0].copy()
        if self.directions == "weights":
            self.plane = S.weight_plane(self.trainer.model, self.i, self.j, weights=H[-1])
            self.window = self._weights_window(rows[:, [self.i, self.j]])
        else:
            if len(rows) < PCA_MIN_ROWS or np.all(rows == rows[0]):
                self.plane = self.window = None
                self._draw(None)
                return
            self.plane = S.pca_plane(rows)
            coords = self.plane.project(rows)
            self.window = padded_window(self._with_reach(coords), 0.25 if self.span is None else self.span,
                                        min_half=1e-3 * max(1.0, float(np.max(np.abs(rows[-1])))))
        self._draw(self._compute(self.trainer, self.plane, self.window), self._plane_key())

    def _plane_key(self) -> tuple:
        """What names the plane for its colours: the mode, the two weights and the path's start
        (a reset, or a new start picked on the surface, is a new plane; so is a new pair of
        weights; a refresh as the other weights move is not)."""
        return id(self.trainer), self.directions, self.i, self.j, self._start.tobytes()

    def _with_reach(self, coords: np.ndarray) -> np.ndarray:
        """The path's plane coordinates (m, 2) and the corners of a box around the current point
        with room for the steps until the next recompute (half of ``refresh_every`` median steps
        of the latest ten), so the point rarely leaves the window in between."""
        steps = np.linalg.norm(np.diff(coords[-11:], axis=0), axis=1)
        reach = 0.5 * self.refresh_every * float(np.median(steps)) if len(steps) else 0.0
        return np.vstack([coords, coords[-1] - reach, coords[-1] + reach])

    def _weights_window(self, coords: np.ndarray):
        """The first window around the current point; later the old one grown to hold the path."""
        if self.window is None:
            x, y = coords[-1]
            half = self.span if self.span is not None else max(2.0, 2 * abs(x), 2 * abs(y))
            return (x - half, x + half), (y - half, y + half)
        (x0, x1), (y0, y1) = self.window
        old_lo, old_hi = np.array([x0, y0]), np.array([x1, y1])
        lo, hi = np.minimum(coords.min(axis=0), old_lo), np.maximum(coords.max(axis=0), old_hi)
        if np.array_equal(lo, old_lo) and np.array_equal(hi, old_hi) or np.any(hi - lo > MAX_SPAN):
            return self.window
        pad = 0.1 * (hi - lo)  # grow only the sides the path crossed, with some room
        lo, hi = np.where(lo < old_lo, lo - pad, lo), np.where(hi > old_hi, hi + pad, hi)
        return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))

    def path_coords(self, H: "np.ndarray | None" = None) -> np.ndarray:
        """Plane coordinates (m, 2) of the finite part of the path (empty without a plane)."""
        H = self.trainer.history.weights if H is None else H
        rows = _finite_rows(H)
        if self.directions == "weights":
            return rows[:, [self.i, self.j]]
        if self.plane is None:
            return np.zeros((0, 2))
        return self.plane.project(rows)

    def _draw_path(self, H: np.ndarray, diverged: bool) -> None:
        coords = self.path_coords(H)
        shown = thinned(coords)
        self.path_line.set_data(shown[:, 0], shown[:, 1])
        self.start_marker.set_data(coords[:1, 0], coords[:1, 1])
        self.point.set_data(coords[-1:, 0], coords[-1:, 1])
        note = ""
        if diverged:
            note = self.p("surface.diverged")
        elif self.directions == "pca" and self.plane is None:
            note = self.p("surface.pca_wait", n=PCA_MIN_ROWS - 1)
        elif self.window is not None and len(coords):
            (x0, x1), (y0, y1) = self.window
            x, y = coords[-1]
            if not (x0 <= x <= x1 and y0 <= y <= y1):
                note = self.p("surface.left", n=(self._refreshed_at or 0) + self.refresh_every)
        self.show_note(note)
        self._set_title()
        if self.directions == "pca":
            self._place_inset(coords)
            self._draw_path_losses(H)

    def _set_title(self) -> None:
        surface = self.t("loss_surface")
        if self.directions == "weights":
            a, b = self.params
            it = self._refreshed_at if self._refreshed_at is not None else 0
            self.title.set_text(self.p("surface.weights_title", surface=surface, a=a, b=b, it=it,
                                                          k=self.refresh_every))
        elif self.plane is not None:
            r1, r2 = self.plane.explained
            self.title.set_text(self.p("surface.pca_title", surface=surface, r1=r1, r2=r2))
        else:
            self.title.set_text(surface)

    def _draw_path_losses(self, H: np.ndarray) -> None:
        rows = _finite_rows(H)
        if self.plane is None or len(rows) == 0:
            self.true_line.set_data([], [])
            self.plane_line.set_data([], [])
            return
        tr = self.trainer
        true = self._true_cache.losses(tr, rows)
        coords = self.plane.project(rows)
        if self._plane_cache[0] is not self.plane:
            self._plane_cache = (self.plane, _PathLosses())
        on_plane = self._plane_cache[1].losses(tr, self.plane.point(coords[:, 0], coords[:, 1]))
        x = np.arange(len(rows))
        self.true_line.set_data(x, true)
        self.plane_line.set_data(x, on_plane)
        both = np.concatenate([true, on_plane])
        both = both[np.isfinite(both)]
        if both.size:
            self._path_limits(len(rows) - 1, float(both.min()), float(both.max()))

    def _path_limits(self, last: int, low: float, high: float) -> None:
        """Limits of the path's loss chart in coarse steps (x: 10, 20, 50, 100, ... iterations; y:
        from one round number to another, a range that only grows while the plane stays), so they
        and the numbers at its corners rarely change: each change redraws the whole figure."""
        same_plane = self._limits_plane is not None and self._limits_plane[0] is self.plane
        if same_plane:   # grow, never shrink
            low, high = min(low, self._limits_plane[1]), max(high, self._limits_plane[2])
        self._limits_plane = (self.plane, low, high)
        xlim = (0, max(10.0, nice_ceiling(max(last, 1))))
        if self.path_ax.get_xlim() != xlim:
            self.path_ax.set_xlim(*xlim)
            self.path_limits["x"].set_text(f"{xlim[1]:g}")
        y0, y1 = self.path_ax.get_ylim()
        if same_plane and y0 <= low and high <= y1:
            return   # the losses still fit: the chart's range stays (new round numbers only when they leave it)
        pad = 0.25 * (high - low) or 0.25 * max(abs(high), 1e-12)
        ticks = MaxNLocator(nbins=2).tick_values(max(low - pad, 0.0) if low >= 0 else low - pad, high + pad)
        ylim = (float(ticks[0]), float(ticks[-1]))
        if (y0, y1) != ylim:
            self.path_ax.set_ylim(*ylim)
            self.path_limits["low"].set_text(f"{ylim[0]:.3g}")
            self.path_limits["high"].set_text(f"{ylim[1]:.3g}")

    def _on_click(self, event) -> None:
        if event.inaxes is not self.ax or event.button != 1 or self.directions != "weights" \
                or event.xdata is None or event.ydata is None:
            return
        try:
            self.pick(float(event.xdata), float(event.ydata))
        except Exception as exc:  # noqa: BLE001 - a click must never raise inside matplotlib
            self.show_note(f"{type(exc).__name__}: {exc}")


class _PathLosses:
    """The true loss of each row of a growing path, computed once per row (the path only grows,
    except after an undo or a reset, when the rows that changed are computed again)."""

    def __init__(self):
        self.rows = np.zeros((0, 0))
        self.values = np.zeros(0)

    def losses(self, trainer, rows: np.ndarray) -> np.ndarray:
        n = min(len(self.rows), len(rows))
        if n and self.rows.shape[1] == rows.shape[1]:
            same = np.all(self.rows[:n] == rows[:n], axis=1)
            n = int(np.argmin(same)) if not same.all() else n
        else:
            n = 0
        new = rows[n:]
        if len(new):
            extra = S.batch_losses(trainer.model, trainer.X, trainer.y, trainer.loss_fn, new)
            self.values = np.concatenate([self.values[:n], extra])
        else:
            self.values = self.values[:n]
        self.rows = rows.copy()
        return self.values


class RaceSurfaceView(_PlaneView):
    """Several runs from the same start on one plane, one colour per run.

    Args:
        ax: the axes to draw on.
        trainers: the runs (same architecture, same data, same loss, same starting weights).
        labels: a name per run; colors: a colour per run (default ``RUN_COLORS``).
        directions: "pca" (the plane of all runs' paths together, centred on the common start) or
            "weights" (two weights, every other weight held at its starting value).
        params: the two weights of "weights" mode (default: the first two weights of W1).
        resolution: grid points per axis. lang: "en" or "ko".

    Attributes:
        lines, points: per run, the path and the current point (Line2D).
        visible: per run, whether it is shown (``set_visible``).
    """

    def __init__(self, ax, trainers: Sequence, labels: Sequence[str], colors: "Sequence[str] | None" = None,
                 directions: str = "pca", params=None, resolution: int = 41, lang: "str | None" = None):
        if directions not in DIRECTIONS:
            raise ValueError(phrase("errors.widget.choice", lang, name="directions", choices=DIRECTIONS,
                                    value=directions))
        super().__init__(ax, resolution, lang)
        self.trainers = list(trainers)
        if len(labels) != len(self.trainers):
            raise ValueError(phrase("errors.view_labels", self.lang, runs=len(self.trainers), labels=len(labels)))
        colors = list(colors or RUN_COLORS)
        self.labels = list(labels)
        self.directions = directions
        model = self.trainers[0].model
        first = params if params is not None else (0, 1)
        self.i, self.j = (S.param_index(model, p) for p in first)
        S.weight_directions(model, self.i, self.j)
        self.plane: "S.Plane | None" = None
        self.visible = [True] * len(self.trainers)
        self.lines, self.points = [], []
        for k, label in enumerate(self.labels):
            color = colors[k % len(colors)]
            self.lines.append(ax.plot([], [], "-", color=color, lw=1.2, label=label, zorder=3)[0])
            self.points.append(ax.plot([], [], "o", color=color, mec="white", ms=7, zorder=5)[0])
        (self.start_marker,) = ax.plot([], [], "s", color="white", mec="black", ms=6, zorder=6)
        self.update()

    def set_visible(self, k: int, visible: bool) -> None:
        """Show or hide run k's path and point."""
        self.visible[k] = bool(visible)
        self.lines[k].set_visible(self.visible[k])
        self.points[k].set_visible(self.visible[k])

    def update(self, trainer=None) -> None:
        """Recompute the plane and the surface from every run's path, then move the paths."""
        paths = [t.history.weights for t in self.trainers]
        finite = [_finite_rows(H) for H in paths]
        start = paths[0][0]
        model = self.trainers[0].model
        if self.directions == "weights":
            self.plane = S.weight_plane(model, self.i, self.j, weights=start)
        else:
            rows = np.vstack(finite)
            moved = len(rows) >= PCA_MIN_ROWS and not np.all(rows == start)
            self.plane = S.pca_plane(rows, center=start) if moved else None
        coords = [self._coords(rows) for rows in finite]
        if self.plane is not None:
            everything = np.vstack([c for c in coords if len(c)])
            min_half = 1.0 if self.directions == "weights" else \
                1e-3 * max(1.0, float(np.max(np.abs(start))))
            window = padded_window(everything, 0.15, min_half)
            self._draw(self._compute(self.trainers[0], self.plane, window),
                       (self.directions, self.i, self.j, start.tobytes()))
        for line, point, c in zip(self.lines, self.points, coords):
            line.set_data(c[:, 0], c[:, 1])
            point.set_data(c[-1:, 0], c[-1:, 1])
        self.start_marker.set_data([coords[0][0, 0]] if len(coords[0]) else [],
                                   [coords[0][0, 1]] if len(coords[0]) else [])
        self._set_title()
        diverged = [lab for lab, t, H in zip(self.labels, self.trainers, paths)
                    if t.diverged or not np.all(np.isfinite(H[-1]))]
        if diverged:
            self.show_note(self.p("surface.diverged").split("\n")[0] + f": {', '.join(diverged)}")
        elif self.plane is None:
            self.show_note(self.p("surface.pca_wait", n=PCA_MIN_ROWS - 1))
        else:
            self.show_note("")

    def path_coords(self, k: int) -> np.ndarray:
        """Plane coordinates (m, 2) of run k's finite path."""
        return self._coords(_finite_rows(self.trainers[k].history.weights))

    def _coords(self, rows: np.ndarray) -> np.ndarray:
        if self.directions == "weights":
            return rows[:, [self.i, self.j]]
        if self.plane is None:
            return np.zeros((0, 2))
        return self.plane.project(rows)

    def _set_title(self) -> None:
        surface = self.t("loss_surface")
        if self.directions == "weights":
            labels = S.param_labels(self.trainers[0].model)
            self.title.set_text(self.p("surface.race_weights_title", surface=surface, a=labels[self.i],
                                                               b=labels[self.j]))
        elif self.plane is not None:
            r1, r2 = self.plane.explained
            self.title.set_text(self.p("surface.race_pca_title", surface=surface, r1=r1, r2=r2))
        else:
            self.title.set_text(surface)

    def __repr__(self) -> str:
        return f"RaceSurfaceView({self.directions}, runs={self.labels}, surface={self.surface!r})"
