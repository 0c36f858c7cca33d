"""What every view shares: the update contract, quiet axes, figure-local fonts for Korean labels.

A view builds its artists once and changes only their data. It names the artists that change at
every update (``dynamic_artists``); an owner that blits (``stepnn.views.blit``) marks them
animated and draws them over a kept background, as matplotlib's guide to faster rendering with
blitting does. Anything else a view changes (limits, a static text, the loss surface) marks the
figure stale, which tells the owner to draw the whole figure. Dynamic artists lie above (higher
zorder than) the other artists of their axes that they overlap, so that a blitted frame equals a
full draw.
"""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np
from matplotlib import font_manager
from matplotlib.text import Text

from ..terms import phrase, resolve_language, term

__all__ = ["View", "korean_font", "use_language", "localize", "quiet_axes", "add_title",
           "add_number", "bare_axes", "readable"]


class View:
    """A picture of one aspect of training, drawn on axes it is given.

    Subclasses create all their artists in ``__init__`` and change only their data in
    ``update(trainer)`` (``set_data``, ``set_array``, ``set_offsets``, ``set_text``); they never
    call ``draw``: the owner of the figure redraws once after all views have updated.

    ``dynamic_artists()`` names the artists ``update`` changes at nearly every call, so that an
    owner that blits draws only those over its background.
    """

    lang = "en"

    def update(self, trainer) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def set_data(self, trainer) -> bool:
        """The trainer (same model) now trains on other data (``trainer.data``): fit what was
        built for the old data (limits, points, caches) in place; the next ``update`` draws the
        rest. Returns False when the view must be built again instead. Default: nothing to do
        (a view that reads the data only in ``update``)."""
        return True

    def dynamic_artists(self) -> list:
        """The artists ``update`` changes at nearly every call (drawn over the background by an
        owner that blits), in the order they are created; default: none."""
        return []

    def occasional_artists(self) -> list:
        """The artists ``update`` changes only at some calls (a sentence saying which phase ran, a
        setting's label), which lie apart from or below the dynamic ones: an owner that blits keeps
        them drawn in a second copy of its background and redraws them only when one changed
        (``stepnn.views.blit``); default: none."""
        return []

    def t(self, key: str) -> str:
        """The course term ``key`` in this view's language."""
        return term(key, self.lang)

    def p(self, key: str, **values) -> str:
        """The phrase ``key`` of ``stepnn.terms`` in this view's language, filled with ``values``."""
        return phrase(key, self.lang, **values)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lang={self.lang!r})"


# ------------------------------------------------------------------------------ fonts
@lru_cache(maxsize=1)
def korean_font() -> "str | None":
    """Register a Hangul font with matplotlib and return its family name (None if none found).

    Looks in the koreanize-matplotlib package (a dependency that ships NanumGothic), then among
    the system fonts (Debian's fonts-nanum).
    """
    spec = importlib.util.find_spec("koreanize_matplotlib")
    candidates = []
    if spec is not None and spec.submodule_search_locations:
        candidates.append(Path(list(spec.submodule_search_locations)[0]) / "fonts" / "NanumGothic.ttf")
    candidates += [Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")]
    for path in candidates:
        if path.is_file():
            for face in ("Bold", "ExtraBold", "Light"):   # bold Hangul finds its own face
                weighted = path.with_name(f"NanumGothic{face}.ttf")
                if weighted.is_file():
                    font_manager.fontManager.addfont(str(weighted))
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    return None


def use_language(lang: "str | None") -> str:
    """Check that matplotlib can draw ``lang``'s labels (for "ko": a Hangul font is found and
    registered); returns the language. Nothing global changes: views set the font of their own
    texts (``localize``)."""
    lang = resolve_language(lang)
    if lang == "ko" and korean_font() is None:
        raise RuntimeError(phrase("errors.font_missing", lang, what=phrase("errors.font_for.labels", lang)))
    return lang


def localize(artist, lang: "str | None" = None) -> None:
    """Give every text under ``artist`` (a figure or axes) a font that has ``lang``'s glyphs: for
    Korean, its own family followed by the Hangul font. Only those texts change, not matplotlib's
    rcParams; texts made later (tick labels) are numbers, which the first family draws."""
    if use_language(lang) != "ko":
        return
    hangul = korean_font()
    for text in artist.findobj(Text):
        family = list(text.get_fontfamily())
        if hangul not in family:
            text.set_fontfamily(family + [hangul])


def readable(fig, scale: float = 1.0) -> None:
    """Make every text of ``fig`` readable from the back row: at least ``MIN_TEXT_PX`` pixels
    tall on screen, then ``scale`` times larger (tick labels too, including those made later).
    Call it once, after the views are built."""
    from .style import MIN_TEXT_PX, check_scale, font_points
    scale = check_scale(scale)
    floor = font_points(MIN_TEXT_PX, fig.dpi)
    for text in fig.findobj(Text):
        text.set_fontsize(max(text.get_fontsize(), floor) * scale)
    for ax in fig.axes:
        ax.tick_params(labelsize=floor * scale)


def quiet_axes(ax, ticks: bool = False) -> None:
    """Strip what costs redraw time and says nothing in a diagram or a heatmap (tick labels)."""
    if not ticks:
        ax.set_xticks([])
        ax.set_yticks([])


def add_title(ax, text: str = "", fontsize: float = 9, pad: float = 8, loc: str = "center") -> Text:
    """A title ``pad`` points above the axes, at a fixed height (no search for room above tick
    labels at every draw); ``loc``: "center", "left" or "right", as ``Axes.set_title``."""
    return ax.set_title(text, fontsize=fontsize, pad=pad, y=1.0, loc=loc)


def add_number(ax, after: Text, text: str = "", gap: float = 3.0, **props) -> Text:
    """A short text that changes (a number) placed ``gap`` points right of the text ``after`` that
    does not (its words), on the same line, wherever ``after`` is drawn. A blitting owner then
    redraws only the number: Agg's text drawing costs per string and per character, and the words
    stay in the kept background. ``props``: the Text's properties (font size, colour)."""
    number = ax.annotate(text, xy=(1, 0), xycoords=after, xytext=(gap, 0), textcoords="offset points",
                         ha="left", va="bottom", annotation_clip=False, **props)
    number.set_in_layout(False)   # placed from the words' box, which a layout engine moves itself
    return number


def bare_axes(ax) -> None:
    """No ticks, no spines, no axis machinery: a diagram or a heatmap, drawn edge to edge."""
    quiet_axes(ax)
    ax.set_axis_off()


# ------------------------------------------------------------ long runs
# A line of 20,000 points costs Agg about 10 ms to draw at every Step (a path with markers
# more), which is what a student who trained a while and then steps on would wait for. Both
# helpers hand Agg at most ``MOST_POINTS``, drawn the same to the eye, and every point of the
# last quarter exactly (what a student watches move).
MOST_POINTS = 2000  # several points per pixel column of the widest axes


def envelope(y: np.ndarray, x: "np.ndarray | None" = None,
             most: int = MOST_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """The line through (x, y), both (n,), x increasing (default 1, 2, ..., n), as at most about
    ``most`` points that look the same: the older part in buckets of k consecutive points, each
    bucket kept as its lowest and its highest point (in their order), so spikes still show; the
    last ``most // 4`` exactly. Returns (x, y), both (m,), with m = n when n <= most."""
    n = len(y)
    x = np.arange(1, n + 1, dtype=np.float64) if x is None else np.asarray(x)
    if n <= most:
        return x, y
    recent = most // 4
    old = n - recent
    k = -(-old // ((most - recent) // 2))      # bucket size (ceil): at most that many buckets
    starts = np.arange(0, old, k)
    whole = old // k                           # buckets of k; the last one may be shorter
    lo = np.empty(len(starts), dtype=np.intp)
    hi = np.empty(len(starts), dtype=np.intp)
    buckets = y[:whole * k].reshape(whole, k)
    lo[:whole], hi[:whole] = np.argmin(buckets, axis=1), np.argmax(buckets, axis=1)
    if whole < len(starts):
        lo[whole], hi[whole] = np.argmin(y[whole * k:old]), np.argmax(y[whole * k:old])
    pairs = np.stack([np.minimum(lo, hi), np.maximum(lo, hi)], axis=1) + starts[:, None]
    keep = np.concatenate([pairs.ravel(), np.arange(old, n)])
    keep = keep[np.concatenate([[True], np.diff(keep) != 0])]   # a flat or NaN bucket: one point
    return x[keep], y[keep]


def thinned(points: np.ndarray, most: int = MOST_POINTS) -> np.ndarray:
    """The rows of ``points`` (n, 2), a path, as at most ``most`` rows: the first, every k-th
    of the older part and the last ``most // 4`` exactly (n <= most: all of them)."""
    n = len(points)
    if n <= most:
        return points
    recent = most // 4
    old = n - recent
    k = -(-old // (most - recent))
    return points[np.concatenate([np.arange(0, old, k), np.arange(old, n)])]

