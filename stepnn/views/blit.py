"""Blitting: keep a figure's Agg pixels current by drawing only what changes.

A full redraw of a dashboard's figure costs tens of milliseconds, most of it for what does not
change between two clicks: axes, tick labels, titles, the loss surface's filled contours.
``Blitter`` draws the figure once without the artists that change and keeps those pixels (the
*background*); every later draw pastes the background and draws the changing artists on top.

Which artists are drawn on top (the *redraw list*), in the order a full draw uses:

- every artist the owner names as dynamic, with every artist of the same axes drawn after it
  (so whatever a full draw puts above a dynamic artist is put above it again);
- whole axes named as dynamic, and whole axes drawn later than a dynamic artist that reach into
  its area (an inset over a plot).

The pixels equal those of a full draw. The background is drawn again (a full draw) whenever it
may have changed: the canvas size or resolution, an axes' position or view limits (where the
background shows them), an artist added or removed, or a background artist changed (it turns
``stale``, its visibility or its text changed). Views name their dynamic artists in
``View.dynamic_artists()``; a dynamic artist that grows beyond the area measured at the last
full draw (a longer text) into another axes drawn later is the one case the pixels may differ.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from matplotlib.transforms import Bbox

__all__ = ["Blitter", "draw_order"]

REACH_INCHES = 0.5   # how far beyond its box an axes may draw (labels, titles): the quick overlap test
BLEED = 2            # pixels: antialiased edges reach past an artist's box


@dataclass
class _Plan:
    """What a full draw decided: the redraw list and what to check before pasting the background."""

    dynamic: frozenset
    redraw: list
    background: list                              # background artists to watch
    axes: list                                    # (axes, limits matter) for the geometry check
    state: list = field(default_factory=list)     # per background artist: (stale, visible, text)
    geometry: list = field(default_factory=list)  # per axes: (bbox, limits or None, children ids)
    figure_children: tuple = ()


def _ids(artists) -> tuple:
    return tuple(map(id, artists))


def _text(artist) -> "str | None":
    return artist.get_text() if isinstance(artist, Text) else None


def _overlap(a: Bbox, b: Bbox) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def draw_order(ax) -> "list | None":
    """The artists ``ax.draw`` draws, in its order (the patch first, then by zorder); None when
    that order cannot be reproduced artist by artist (rasterized layers, 3-D axes)."""
    if ax.get_rasterization_zorder() is not None or hasattr(ax, "zaxis"):
        return None
    artists = ax.get_children()
    artists.remove(ax.patch)
    framed = ax.axison and ax.get_frame_on()
    hidden = set()
    if not framed:
        hidden.update(map(id, ax.spines.values()))
    if not ax.axison:
        hidden.update((id(ax.xaxis), id(ax.yaxis)))
    artists = sorted((a for a in artists if id(a) not in hidden and not a.get_animated()),
                     key=lambda a: a.get_zorder())
    return ([ax.patch] if framed else []) + artists


def _figure_order(fig) -> list:
    """The figure's children in the order ``Figure.draw`` draws them (the patch aside)."""
    return sorted((a for a in fig.get_children() if a is not fig.patch and not a.get_animated()),
                  key=lambda a: a.get_zorder())


def _unclipped(artist) -> bool:
    return not artist.get_clip_on() or (artist.get_clip_box() is None and artist.get_clip_path() is None)


def _area(ax, artists, renderer) -> Bbox:
    """Where ``artists`` of ``ax`` draw: the axes' box (clipped artists) and the boxes of the
    unclipped ones (texts above the axes, legends)."""
    boxes = [ax.bbox]
    for artist in artists:
        if _unclipped(artist) and artist.get_visible():
            box = artist.get_tightbbox(renderer)
            if box is not None and box.width >= 0 and box.height >= 0:
                boxes.append(box)
    return Bbox.union(boxes).padded(BLEED)


def _first_touching(ax, artists: list, dirty: list, renderer, reach: float) -> "int | None":
    """The index of the first of ``artists`` (background artists of ``ax``) that may overlap the
    areas ``dirty``, or None: a quick test on the axes' box widened by ``reach`` pixels first."""
    if not dirty or not any(_overlap(ax.bbox.padded(reach), d) for d in dirty):
        return None
    for i, artist in enumerate(artists):
        if not artist.get_visible():
            continue
        box = artist.get_tightbbox(renderer) if _unclipped(artist) else ax.bbox
        if box is not None and any(_overlap(box.padded(BLEED), d) for d in dirty):
            return i
    return None


def _plan(fig, dynamic: list, renderer) -> _Plan:
    """Split the figure into the redraw list and the background (see the module)."""
    ids = frozenset(map(id, dynamic))
    reach = REACH_INCHES * fig.dpi
    plan = _Plan(ids, [], [fig.patch], [])
    dirty: list = []
    for top in _figure_order(fig):
        if not isinstance(top, Axes):
            box = top.get_tightbbox(renderer) if dirty or id(top) in ids else None
            if id(top) in ids or (box is not None and any(_overlap(box.padded(BLEED), d) for d in dirty)):
                plan.redraw.append(top)
                dirty.append(box.padded(BLEED) if box is not None else fig.bbox)
            else:
                plan.background.append(top)
            continue
        order = draw_order(top)
        if order is None or id(top) in ids:
            plan.redraw.append(top)
            plan.axes.append((top, None))
            dirty.append(top.bbox.padded(reach))
            continue
        first = next((i for i, a in enumerate(order) if id(a) in ids), len(order))
        touching = _first_touching(top, order[:first], dirty, renderer, reach)
        first = first if touching is None else touching
        if first == len(order):
            plan.background.append(top)
            plan.axes.append((top, True))
            continue
        plan.redraw.extend(order[first:])
        plan.background.extend(order[:first])
        plan.axes.append((top, bool(order[:first])))
        dirty.append(_area(top, order[first:], renderer))
    return plan


def _geometry(ax, limits: "bool | None") -> tuple:
    """What of ``ax`` the background depends on: its box, its view limits (if they show in the
    background), its children (None for axes redrawn whole)."""
    return (ax.bbox.bounds, ax.viewLim.bounds if limits else None,
            None if limits is None else _ids(ax.get_children()))


def _record(plan: _Plan, fig) -> None:
    """Note the state of the background right after a full draw."""
    plan.state = [(a.stale, a.get_visible(), _text(a)) for a in plan.background]
    plan.geometry = [_geometry(ax, limits) for ax, limits in plan.axes]
    plan.figure_children = _ids(fig.get_children())


def _still_valid(plan: _Plan, fig) -> bool:
    """Whether the background drawn for ``plan`` is still what a full draw would give."""
    if _ids(fig.get_children()) != plan.figure_children:
        return False
    for (ax, limits), old in zip(plan.axes, plan.geometry):
        if _geometry(ax, limits) != old:
            return False
    for artist, (stale, visible, text) in zip(plan.background, plan.state):
        if (artist.stale and not stale) or artist.get_visible() != visible or _text(artist) != text:
            return False
    return True


class Blitter:
    """Keeps the Agg pixels of ``figure`` current, drawing only the artists that change.

    Args:
        figure: a figure on an Agg canvas (``FigureCanvasAgg`` or a subclass such as ipympl's);
            on any other canvas ``draw`` is a plain ``canvas.draw()``.
        dynamic: returns the artists (or whole axes) that may have changed since the last draw;
            called at every draw.

    Attributes:
        full_draws, blits: how many draws drew everything, and how many pasted the background.
    """

    def __init__(self, figure, dynamic: Callable[[], Iterable]):
        self.figure = figure
        self.dynamic = dynamic
        self.full_draws = 0
        self.blits = 0
        self._plan: "_Plan | None" = None
        self._background = None
        self._renderer = None

    def draw(self) -> bool:
        """Bring the canvas's pixels up to date; returns True when it drew everything."""
        canvas = self.figure.canvas
        if not isinstance(canvas, FigureCanvasAgg):
            canvas.draw()
            return True
        dynamic = [a for a in self.dynamic() if a is not None]
        renderer = canvas.get_renderer()
        plan = self._plan
        if plan is None or renderer is not self._renderer or plan.dynamic != frozenset(map(id, dynamic)) \
                or not _still_valid(plan, self.figure):
            self._draw_all(dynamic)
            return True
        try:
            renderer.restore_region(self._background)
            for artist in plan.redraw:
                artist.draw(renderer)
        except Exception:
            self.invalidate()   # whatever failed, the next draw starts from a full one
            raise
        self.blits += 1
        return False

    def invalidate(self) -> None:
        """Make the next draw a full draw."""
        self._plan = None

    @property
    def redraw_list(self) -> list:
        """The artists the last plan draws over the background (empty before the first draw)."""
        return list(self._plan.redraw) if self._plan is not None else []

    def _draw_all(self, dynamic: list) -> None:
        """Draw the background (everything but the redraw list), keep it, then the redraw list."""
        canvas = self.figure.canvas
        self._plan = None
        plan = _plan(self.figure, dynamic, canvas.get_renderer())
        hidden = [(artist, artist.get_animated()) for artist in plan.redraw]
        for artist, _ in hidden:
            artist.set_animated(True)
        try:
            FigureCanvasAgg.draw(canvas)   # the Agg draw alone: a live canvas sends nothing yet
        finally:
            for artist, animated in hidden:
                artist.set_animated(animated)
        renderer = canvas.get_renderer()
        self._background = renderer.copy_from_bbox(self.figure.bbox)
        for artist in plan.redraw:
            artist.draw(renderer)
        _record(plan, self.figure)
        self._plan, self._renderer = plan, renderer
        self.full_draws += 1
