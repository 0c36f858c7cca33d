"""What every view shares: the update contract, quiet axes, fonts for Korean labels, and text
that is quick to redraw.

Text is most of the time of an Agg redraw: laying out and rasterizing one short string takes
milliseconds, so views draw their words with one of two Text subclasses:

- ``CachedText`` for text that rarely changes (titles, labels, tick labels): each string is
  rasterized once and its pixels are pasted afterwards;
- ``GlyphText`` for text that changes at nearly every update (numbers): the string is assembled
  from cached bitmaps of its characters.

Data points that are drawn again at every redraw because they lie above something that
changes (a model's output) keep their pixels too (``paste_pixels``).
"""
from __future__ import annotations

import importlib.util
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import ScaledTranslation

from ..terms import term

__all__ = ["View", "korean_font", "use_language", "quiet_axes", "CachedText", "GlyphText", "cache_text",
           "add_text", "add_title", "bare_axes", "PastedCollection", "paste_pixels"]


class View:
    """A picture of one aspect of training, drawn on axes it is given.

    Subclasses create all their artists in ``__init__`` and change only their data in
    ``update(trainer)`` (``set_data``, ``set_array``, ``set_offsets``, ``set_text``); they never
    call ``draw``: the owner of the figure redraws once after all views have updated.

    ``dynamic_artists()`` names what ``update`` may change, so that an owner that blits (see
    ``stepnn.views.blit``) redraws only those; anything else a view changes (limits, a new artist)
    makes the owner draw the whole figure.
    """

    lang = "en"

    def update(self, trainer) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def dynamic_artists(self) -> list:
        """The artists (or whole axes) that ``update`` may change; default: all the view's axes."""
        return list(getattr(self, "axes", [getattr(self, "ax", None)]))

    def t(self, key: str) -> str:
        """The course term ``key`` in this view's language."""
        return term(key, self.lang)

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
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    return None


def use_language(lang: str) -> None:
    """Make matplotlib able to draw ``lang``'s labels (for "ko": a Hangul font, with DejaVu Sans
    kept first for Latin letters and digits, and a real minus sign)."""
    if lang == "ko":
        family = korean_font()
        if family is None:
            raise RuntimeError("No Hangul font found for Korean labels: install stepnn's dependency "
                               "koreanize-matplotlib (pip) or the Debian package fonts-nanum.")
        # a list of families: matplotlib falls back glyph by glyph from the first to the next
        matplotlib.rcParams["font.family"] = ["DejaVu Sans", family]
        matplotlib.rcParams["axes.unicode_minus"] = False


def quiet_axes(ax, ticks: bool = False) -> None:
    """Strip what costs redraw time and says nothing in a diagram or a heatmap (tick labels)."""
    if not ticks:
        ax.set_xticks([])
        ax.set_yticks([])


# ------------------------------------------------------------------------- pasted shapes
_SCRATCH: dict = {}  # (width, height, dpi) -> a RendererAgg to rasterize into, the latest size only


def _scratch_like(renderer) -> RendererAgg:
    """A cleared transparent renderer of ``renderer``'s size and resolution (the one of the
    latest size is kept)."""
    size = (int(renderer.width), int(renderer.height), renderer.dpi)
    scratch = _SCRATCH.get(size)
    if scratch is None:
        _SCRATCH.clear()
        scratch = _SCRATCH[size] = RendererAgg(*size)
    scratch.clear()
    return scratch


def _inked(scratch) -> tuple[int, int, np.ndarray]:
    """The smallest box of ``scratch`` holding every drawn pixel: (left, bottom, RGBA bottom row first)."""
    pixels = np.asarray(scratch.buffer_rgba())
    rows = np.flatnonzero(pixels[:, :, 3].any(axis=1))
    if rows.size == 0:
        return 0, 0, np.zeros((0, 0, 4), np.uint8)
    cols = np.flatnonzero(pixels[rows[0]:rows[-1] + 1, :, 3].any(axis=0))
    h = pixels.shape[0]
    crop = pixels[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    return int(cols[0]), int(h - 1 - rows[-1]), crop[::-1].copy()


def _paste(renderer, x0: int, y0: int, pixels: np.ndarray) -> None:
    if pixels.size:
        gc = renderer.new_gc()
        renderer.draw_image(gc, x0, y0, pixels)
        gc.restore()


def _matrix(transform) -> "bytes | None":
    return transform.get_matrix().tobytes() if transform.is_affine else None


def _look(artist) -> "tuple | None":
    """What a scatter's pixels depend on (None: a non-affine transform, draw it plainly)."""
    matrices = [_matrix(artist.get_transform()), _matrix(artist.get_offset_transform())]
    if None in matrices:
        return None
    parts = [np.asarray(artist.get_offsets()), artist.get_sizes(), artist.get_linewidths(),
             artist.get_facecolors(), artist.get_edgecolors(), [len(artist.get_paths())]]
    box = artist.get_clip_box() if artist.get_clip_on() else None
    return (*matrices, *(np.asarray(p, dtype=np.float64).tobytes() for p in parts),
            None if box is None else tuple(box.bounds), artist.get_alpha(), artist.get_zorder())


class PastedCollection(PathCollection):
    """A scatter that rarely changes: on an Agg canvas it is drawn once into a transparent canvas,
    its pixels are kept and pasted while its points, colours, place and the canvas stay the same
    (other renderers draw it plainly). For data points over something that changes (a model's
    output), which are drawn again at every redraw. ``paste_pixels`` makes a scatter one."""

    def draw(self, renderer) -> None:
        key = None
        if isinstance(renderer, RendererAgg) and self.get_visible():
            look = _look(self)
            key = None if look is None else (renderer.width, renderer.height, renderer.dpi, *look)
        if key is None:
            return super().draw(renderer)
        cached = self.__dict__.get("_pasted")
        if cached is None or cached[0] != key:
            scratch = _scratch_like(renderer)
            super().draw(scratch)
            cached = self.__dict__["_pasted"] = (key, *_inked(scratch))
        _paste(renderer, *cached[1:])
        self.stale = False


def paste_pixels(scatter: PathCollection) -> PastedCollection:
    """Make the PathCollection of ``ax.scatter`` a PastedCollection; returns it."""
    if type(scatter) is not PathCollection:
        raise TypeError(f"paste_pixels takes the PathCollection of ax.scatter; received "
                        f"{type(scatter).__name__}.")
    scatter.__class__ = PastedCollection
    return scatter


# -------------------------------------------------------------------------- cached text
class CachedText(Text):
    """A Text that, on an Agg canvas, rasterizes each (string, place, style, resolution) once and
    afterwards pastes those pixels. Other renderers (PDF, SVG) draw it as a plain Text.

    It keeps the bitmaps of its last ``_MAX_BITMAPS`` strings (a title that switches between a
    few sentences never rasterizes again). It is never clipped (make it with ``clip_on=False``),
    as titles and labels are not.
    """

    _MAX_BITMAPS = 16

    def _key(self, renderer) -> tuple:
        anchor = tuple(self.get_transform().transform(self.get_unitless_position()))
        patch = self.get_bbox_patch()
        box = None if patch is None else (str(patch.get_boxstyle()), tuple(patch.get_facecolor()),
                                          tuple(patch.get_edgecolor()), patch.get_alpha())
        return (self.get_text(), anchor, renderer.dpi, renderer.width, renderer.height,
                str(self.get_color()), hash(self.get_fontproperties()), self.get_rotation(),
                self.get_ha(), self.get_va(), self.get_alpha(), box)

    def _rasterize(self, renderer) -> tuple[int, int, np.ndarray]:
        scratch = _scratch_like(renderer)
        super().draw(scratch)
        if self.get_bbox_patch() is not None:   # the box reaches past the text's extent
            return _inked(scratch)
        box = self.get_window_extent(scratch).padded(3)
        w, h = int(renderer.width), int(renderer.height)
        x0, y0 = max(int(np.floor(box.x0)), 0), max(int(np.floor(box.y0)), 0)
        x1, y1 = min(int(np.ceil(box.x1)), w), min(int(np.ceil(box.y1)), h)
        pixels = np.asarray(scratch.buffer_rgba())[h - y1:h - y0, x0:x1]
        return x0, y0, pixels[::-1].copy()  # draw_image wants the bottom row first

    def draw(self, renderer) -> None:
        clipped = self.get_clip_on() and (self.get_clip_box() is not None or self.get_clip_path() is not None)
        if not isinstance(renderer, RendererAgg) or not self.get_visible() or self.get_text() == "" \
                or clipped:
            return super().draw(renderer)
        bitmaps = self.__dict__.get("_bitmaps")  # also for a Text made a CachedText later
        if not isinstance(bitmaps, OrderedDict):
            bitmaps = self.__dict__["_bitmaps"] = OrderedDict(bitmaps or {})
        key = self._key(renderer)
        bitmap = bitmaps.get(key)
        if bitmap is None:
            bitmap = bitmaps[key] = self._rasterize(renderer)
            while len(bitmaps) > self._MAX_BITMAPS:
                bitmaps.popitem(last=False)
        else:
            bitmaps.move_to_end(key)
        _paste(renderer, *bitmap)
        self._renderer = renderer
        self.stale = False


# --------------------------------------------------------------------------- glyph text
@dataclass(frozen=True)
class _Glyph:
    """One character: 1 - its coverage (bottom row first, float32: the share of the background
    left), where its lower left pixel sits relative to the pen on the baseline, and how far the
    pen moves after it (pixels)."""

    clear: np.ndarray
    left: int
    bottom: int
    advance: float


_GLYPHS: dict = {}          # (char, font key, dpi, antialiased) -> _Glyph
_LINE_METRICS: dict = {}    # (font key, dpi) -> (height, descent) of "lp", as matplotlib lays out a line


def _font_key(prop) -> tuple:
    return (tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(),
            prop.get_stretch(), prop.get_size_in_points(), prop.get_file())


def _advance(char: str, prop, dpi: float) -> "float | None":
    """The pen advance of ``char`` in pixels, from the first of ``prop``'s fonts that has it."""
    try:
        paths = font_manager.fontManager._find_fonts_by_props(prop)
    except Exception:  # noqa: BLE001 - an older or newer matplotlib: the first font only
        paths = [font_manager.findfont(prop)]
    for path in paths:
        font = font_manager.get_font(path)
        if font.get_char_index(ord(char)):
            font.set_size(prop.get_size_in_points(), dpi)
            return font.load_char(ord(char), flags=get_hinting_flag()).horiAdvance / 64
    return None


def _rasterize_glyph(char: str, prop, dpi: float, antialiased: bool) -> _Glyph:
    """Draw ``char`` alone, as matplotlib draws text, and keep its coverage (the alpha channel)."""
    size = prop.get_size_in_points() * dpi / 72
    side = int(4 * size) + 8
    origin = int(1.5 * size) + 2                       # the pen: pixels from the left and the bottom
    scratch = RendererAgg(side, side, dpi)
    gc = scratch.new_gc()
    gc.set_antialiased(antialiased)
    scratch.draw_text(gc, origin, side - origin, char, prop, 0)   # draw_text's y counts from the top
    gc.restore()
    alpha = np.asarray(scratch.buffer_rgba())[:, :, 3]
    rows, cols = np.nonzero(alpha)
    advance = _advance(char, prop, dpi)
    if rows.size == 0:                                 # a space
        return _Glyph(np.ones((0, 0), np.float32), 0, 0, advance or size / 3)
    r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    clear = 1 - alpha[r1 - 1:(r0 - 1 if r0 else None):-1, c0:c1].astype(np.float32) / 255
    if advance is None:
        advance = float(c1 - origin)
    return _Glyph(clear, int(c0 - origin), int((side - r1) - origin), advance)


class GlyphText(Text):
    """A Text for strings that change at nearly every update (a gradient's norm, a prediction).

    On an Agg canvas it is assembled from cached bitmaps of its characters (each rasterized once
    per font, size and resolution) and pasted as one image: a new string costs tens of
    microseconds instead of the milliseconds of a layout and a rasterization. Characters sit at
    their advances without kerning, so spacing may differ from a plain Text by about a pixel.
    Multi-line, rotated, math, wrapped or boxed text, and other renderers (PDF, SVG), are drawn
    as a plain Text.
    """

    def _plain(self, renderer) -> bool:
        text = self.get_text()
        return (not isinstance(renderer, RendererAgg) or "\n" in text or self.get_rotation() != 0
                or self.get_bbox_patch() is not None or self.get_usetex() or self.get_wrap()
                or self.get_path_effects() or self._preprocess_math(text)[1]
                or self.get_va() == "center_baseline")

    def draw(self, renderer) -> None:
        if not self.get_visible() or self.get_text() == "" or self._plain(renderer):
            return super().draw(renderer)
        x, y = self.get_transform().transform(self.get_unitless_position())
        if not (np.isfinite(x) and np.isfinite(y)):
            return
        image, left, bottom = self._image(renderer, x, y)
        if image.size:
            gc = renderer.new_gc()
            self._set_gc_clip(gc)
            renderer.draw_image(gc, left, bottom, image)
            gc.restore()
        self._renderer = renderer
        self.stale = False

    def _glyphs(self, renderer) -> list[_Glyph]:
        prop, dpi = self.get_fontproperties(), renderer.dpi
        aa = bool(getattr(self, "_antialiased", matplotlib.rcParams["text.antialiased"]))
        key = _font_key(prop)
        glyphs = []
        for char in self.get_text():
            glyph = _GLYPHS.get((char, key, dpi, aa))
            if glyph is None:
                glyph = _GLYPHS[(char, key, dpi, aa)] = _rasterize_glyph(char, prop, dpi, aa)
            glyphs.append(glyph)
        return glyphs

    def _baseline_origin(self, renderer, x: float, y: float, width: float) -> tuple[float, float]:
        """Where the pen starts, on the baseline, for this text's alignment (as matplotlib lays
        out one line: its height and descent are those of "lp")."""
        prop = self.get_fontproperties()
        key = (_font_key(prop), renderer.dpi)
        if key not in _LINE_METRICS:
            _, h, d = renderer.get_text_width_height_descent("lp", prop, ismath=False)
            _LINE_METRICS[key] = (h, d)
        h, d = _LINE_METRICS[key]
        dx = {"left": 0.0, "center": -width / 2, "right": -width}[self.get_ha()]
        dy = {"baseline": 0.0, "top": -(h - d), "bottom": d, "center": d - h / 2}[self.get_va()]
        return x + dx, y + dy

    def _image(self, renderer, x: float, y: float) -> tuple[np.ndarray, int, int]:
        """The string as RGBA (bottom row first) and the pixel of its lower left corner."""
        glyphs = self._glyphs(renderer)
        pens = np.concatenate([[0.0], np.cumsum([g.advance for g in glyphs])])
        x0, y0 = self._baseline_origin(renderer, x, y, float(pens[-1]))
        base = round(y0)
        inked = [(round(x0 + pen) + g.left, base + g.bottom, g) for pen, g in zip(pens, glyphs)
                 if g.clear.size]
        if not inked:
            return np.zeros((0, 0, 4), np.uint8), 0, 0
        left = min(gx for gx, _, _ in inked)
        bottom = min(gy for _, gy, _ in inked)
        width = max(gx + g.clear.shape[1] for gx, _, g in inked) - left
        height = max(gy + g.clear.shape[0] for _, gy, g in inked) - bottom
        clear = np.ones((height, width), np.float32)   # bottom row first
        for gx, gy, g in inked:
            h, w = g.clear.shape
            clear[gy - bottom:gy - bottom + h, gx - left:gx - left + w] *= g.clear
        r, g_, b, a = to_rgba(self.get_color(), self.get_alpha())
        image = np.empty((height, width, 4), np.uint8)
        image[..., :3] = np.round(np.array([r, g_, b]) * 255).astype(np.uint8)
        image[..., 3] = np.round((1 - clear) * a * 255).astype(np.uint8)
        return image, left, bottom


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
    """``ax.text`` as a CachedText (axes coordinates unless ``transform`` is given); a GlyphText
    when ``changing`` (a text that differs at nearly every update gains nothing from a cache of
    whole strings)."""
    kind = GlyphText if changing else CachedText
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


def bare_axes(ax, frame: bool = True) -> "Rectangle | None":
    """No ticks, no axis machinery, no spines: at most a thin frame (one rectangle instead of four
    spines, which cost more to draw than the heatmap inside them); returns the frame.

    The frame belongs to the figure and is drawn before every axes, twice as wide as it shows:
    what is drawn inside the axes covers its inner half. So a redraw of what changes inside the
    axes never draws the frame again (see ``stepnn.views.blit``).
    """
    quiet_axes(ax)
    ax.set_axis_off()
    if not frame:
        return None
    return ax.figure.add_artist(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, lw=1.2,
                                          edgecolor="#777777", clip_on=False, zorder=-1))
