"""Blitting, as matplotlib's guide "Faster rendering by using blitting" does it.

A full redraw of a dashboard's figure costs tens of milliseconds, most of it for what does not
change between two clicks: axes, tick labels, titles, the loss surface's filled contours. The
artists that do change (the views' ``dynamic_artists``) are marked *animated*
(``set_animated(True)``): a full draw leaves them out.
``Blitter`` keeps a copy of the figure's pixels after each full draw (the *background*, taken on
the canvas's ``draw_event``), and each later frame restores it, draws the animated artists over
it (``Figure.draw_artist``) and sends the result (``canvas.blit``).

When does a frame need a full draw? When something outside the animated artists changed: a
changed limit, text or artist makes the figure ``stale`` (animated artists do not: matplotlib
keeps their changes from marking the figure stale). Until the canvas has drawn once, the blitter
asks for the full draw with ``canvas.draw_idle()``: on Agg that draws at once; on an ipympl
canvas the page asks the kernel for the draw when it is ready, so pixels are never sent before
the page's view is up (it only blits after a ``draw_event``). Once the canvas has drawn, the page
is up: a full draw is then made at once with ``canvas.draw()``, which on ipympl sends its pixels
right away instead of a request the page would answer with the same draw (a round trip saved).

Some animated artists change only at some frames: a sentence that says which phase ran, a label
of a setting (a view's ``occasional_artists``). Drawing text is what a frame costs most (Agg
draws it glyph by glyph), so the blitter keeps a second copy: the background with these drawn
over it (the *midground*). A frame restores the midground and draws only the other animated
artists; when one of the occasional artists changed (matplotlib marks a changed artist
``stale``), the frame starts from the background and draws them first, and the midground is
taken again. They are drawn before the other animated artists, so they must lie apart from or
below those.

The pixels equal those of a full draw of the same figure as long as every animated artist lies
above the non-animated artists it overlaps (a higher zorder in its axes), which the views ensure,
and no image (``AxesImage``) is animated: before matplotlib 3.11 ``Axes.draw`` draws animated
images too (matplotlib issue 18985). Views draw changing grids with ``pcolormesh`` instead.
"""
from __future__ import annotations

from typing import Callable, Iterable

from matplotlib.backends.backend_agg import FigureCanvasAgg

__all__ = ["Blitter"]


class Blitter:
    """Keeps the pixels of ``figure`` current, drawing only its animated artists at most frames.

    Args:
        figure: a figure on an Agg canvas (``FigureCanvasAgg`` or a subclass such as ipympl's,
            which blits although it does not claim ``supports_blit``); on any other canvas
            ``draw`` always asks for a full draw.
        dynamic: returns the artists that may have changed since the last draw; they are marked
            animated, and drawn over the background in the order of their zorder (those of one
            axes together, the axes in the figure's order).
        occasional: returns the animated artists that change only at some frames (kept drawn in
            the midground, redrawn when one of them changed); they lie apart from or below the
            ``dynamic`` ones. Default: none.

    Attributes:
        full_draws, blits: how many full draws the canvas made (its ``draw_event``s) and how many
        frames were blitted over the background; midgrounds: how many times the occasional
        artists were drawn (after a full draw, or a frame where one of them changed).
    """

    def __init__(self, figure, dynamic: Callable[[], Iterable],
                 occasional: "Callable[[], Iterable] | None" = None):
        self.figure = figure
        self.dynamic = dynamic
        self.occasional = occasional or (lambda: [])
        self.full_draws = 0
        self.blits = 0
        self.midgrounds = 0
        self.background = None
        self.midground = None
        self.canvas = figure.canvas
        self.cid = self.canvas.mpl_connect("draw_event", self.on_draw)
        self.artists()
        self.occasional_artists()

    def artists(self) -> list:
        """The dynamic artists, marked animated, in the order they are drawn. An artist newly
        marked (a view made a new one) was part of the background: the next draw is a full one."""
        return self._animated(self.dynamic())

    def occasional_artists(self) -> list:
        """The occasional artists, marked animated, in the order they are drawn (as ``artists``)."""
        return self._animated(self.occasional())

    def _animated(self, artists: Iterable) -> list:
        artists = [a for a in artists if a is not None]
        for artist in artists:
            if not artist.get_animated():
                artist.set_animated(True)
                self.background = None
        rank = {id(ax): i for i, ax in enumerate(self.figure.axes)}
        return sorted(artists, key=lambda a: (rank.get(id(a.axes), -1), a.get_zorder()))

    def on_draw(self, event) -> None:
        """After a full draw: keep the background, then draw the animated artists over it."""
        if event is not None and event.canvas is not self.canvas:
            return
        if self.canvas.is_saving() or not isinstance(self.canvas, FigureCanvasAgg):
            return   # savefig draws everything, at its own size: not a background
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        self.full_draws += 1
        self._draw_midground(self.occasional_artists())
        self._draw_animated(self.artists())

    def _draw_midground(self, occasional: list) -> None:
        """Draw the occasional artists over the pixels (the background) and keep the result."""
        for artist in occasional:
            self.figure.draw_artist(artist)
            artist.stale = False      # drawn as it is now (also when empty or hidden)
        self.midground = self.canvas.copy_from_bbox(self.figure.bbox)
        self.midgrounds += 1

    def _draw_animated(self, artists: list) -> None:
        for artist in artists:
            self.figure.draw_artist(artist)

    def invalidate(self) -> None:
        """Make the next draw a full draw."""
        self.background = None
        self.midground = None

    def draw(self) -> bool:
        """Bring the canvas's pixels up to date; returns True when it drew in full (or asked the
        page for a full draw, before the canvas's first draw)."""
        canvas = self.canvas
        if canvas is not self.figure.canvas:       # the figure moved to another canvas
            canvas.mpl_disconnect(self.cid)
            self.canvas = canvas = self.figure.canvas
            self.cid = canvas.mpl_connect("draw_event", self.on_draw)
            self.invalidate()
        artists, occasional = self.artists(), self.occasional_artists()
        if self.background is None or self.figure.stale or not isinstance(canvas, FigureCanvasAgg):
            if self.full_draws and isinstance(canvas, FigureCanvasAgg):
                canvas.draw()         # the page has shown a draw: it is up, no need to ask it
            else:
                canvas.draw_idle()
            return True
        if self.midground is None or any(artist.stale for artist in occasional):
            canvas.restore_region(self.background)
            self._draw_midground(occasional)
        else:
            canvas.restore_region(self.midground)
        self._draw_animated(artists)
        canvas.blit(self.figure.bbox)
        self.blits += 1
        return False
