"""What every dashboard shares: figures (live ipympl canvas or static PNG), one redraw per action
(by blitting for figures that ask for it, else ``draw_idle``), errors shown in plain words, a
static picture for notebooks opened before they run, export."""
from __future__ import annotations

import html
import io
import traceback
from functools import wraps
from numbers import Integral, Real
from typing import Callable, Iterable

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from ..terms import phrase, speaking, term
from ..views import localize, use_language
from ..views.blit import Blitter
from ..views.style import FONT_STACK, MIN_TEXT_PX, check_scale, font_points

__all__ = ["Dashboard", "ipympl_available", "guarded", "speaks", "dashboard_css"]


def dashboard_css(scale: float = 1.0) -> str:
    """The style block every dashboard carries: the Korean font stack for its labels, buttons and
    messages, text ``scale`` times the usual 13 px, and nothing wider than the output area."""
    size = round(13 * check_scale(scale), 1)
    return ("<style>"
            f".stepnn-dashboard, .stepnn-dashboard .widget-label, .stepnn-dashboard button, "
            f".stepnn-dashboard input, .stepnn-dashboard select, .stepnn-dashboard .widget-html-content, "
            f".stepnn-dashboard .widget-readout {{font-family: {FONT_STACK}; font-size: {size}px;}} "
            ".stepnn-dashboard {max-width: 100%;} "
            ".stepnn-dashboard .stepnn-status .widget-html-content {white-space: nowrap; overflow: hidden; "
            "text-overflow: ellipsis; height: 1.6em; line-height: 1.6em;}"
            "</style>")


MIN_DPI, MAX_DPI = 10, 600   # dots per inch a figure may be drawn at
MAX_FIGURE_PX = 8000          # pixels on each side of a figure, at most


def ipympl_available() -> bool:
    try:
        import ipympl.backend_nbagg  # noqa: F401
    except Exception:  # any import failure means: no live canvas here
        return False
    return True


def guarded(method: Callable) -> Callable:
    """Run a dashboard callback in the dashboard's language (the core's messages included); any
    exception is shown in the message area, never lost."""

    @wraps(method)
    def wrapper(self, *args, **kwargs):
        with speaking(self.lang):
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - every error must reach the student
                self.show_error(exc)
                return None

    return wrapper


def speaks(method: Callable) -> Callable:
    """Run a dashboard method a student calls from code (an export) in the dashboard's language:
    its errors, the core's and the views' included, are in it; they still reach the caller."""

    @wraps(method)
    def wrapper(self, *args, **kwargs):
        with speaking(self.lang):
            return method(self, *args, **kwargs)

    return wrapper


class Dashboard:
    """Base class: subclasses build views on ``self.new_figure(...)`` and lay out ``self.widget``.

    ``redraw()`` draws every figure once. A figure registered with ``blit(fig, dynamic)`` is
    redrawn by blitting (``stepnn.views.blit``): live, its canvas then sends the new pixels at
    once (no round trip through the browser); static, those pixels become the PNG. A blitted
    figure whose background changed is drawn in full (live: at once once the page has shown a
    draw, before that when the page asks). Other figures are drawn in full with
    ``canvas.draw_idle()`` (live: the page asks for the draw when it is ready).

    Args:
        lang: "en" (default) or "ko" for Korean labels.
        live: True for ipympl canvases, False for static PNG images; default: live when ipympl
            is installed. ``self.mode`` says which ("live" or "static").
        scale: the presentation scale, a number in [0.5, 3]: 1 for a laptop, 1.5 for a projector.
            Every text grows by it (figures: ``self.font(px)``; widgets: the CSS of ``self.css``).

    Assigning ``self.widget`` puts the dashboard's style block (``self.css``: the Korean font
    stack, the scaled text) first in it and gives it the class ``stepnn-dashboard``.
    """

    title_key = "Dashboard"  # its title is the phrase "dashboard.title.<title_key>" of stepnn.terms

    def __init__(self, lang: "str | None" = None, live: "bool | None" = None, scale: float = 1.0):
        self.scale = check_scale(scale)
        self.lang = use_language(lang)  # checks lang; None: the language of set_language
        self.css = widgets.HTML(value=dashboard_css(self.scale))
        self.css.add_class("stepnn-css")
        self.live = ipympl_available() if live is None else bool(live)
        self.mode = "live" if self.live else "static"
        self.message = widgets.HTML(value="")
        self.message.add_class("stepnn-message")
        self.errors: list[str] = []
        self.figures: list[Figure] = []
        self._images: dict[int, widgets.Image] = {}
        self.blitters: dict[int, Blitter] = {}
        self.widget: widgets.Widget = widgets.VBox([self.message])

    @property
    def widget(self) -> widgets.Widget:
        """The dashboard's box (its first child is the style block ``self.css``)."""
        return self._widget

    @widget.setter
    def widget(self, box: widgets.Widget) -> None:
        if isinstance(box, widgets.Box) and self.css not in box.children:
            box.children = (self.css,) + tuple(box.children)
        box.add_class("stepnn-dashboard")
        self._widget = box

    def font(self, px: float = MIN_TEXT_PX, dpi: float = 100) -> float:
        """The font size in points that shows as ``px`` pixels at ``dpi`` times the scale."""
        return font_points(px, dpi, self.scale)

    def t(self, key: str) -> str:
        return term(key, self.lang)

    def p(self, key: str, **values) -> str:
        """The phrase ``key`` of ``stepnn.terms`` in the dashboard's language."""
        return phrase(key, self.lang, **values)

    # ------------------------------------------------------------ figures
    def new_figure(self, figsize=(6, 4), dpi: int = 100) -> tuple[Figure, widgets.Widget]:
        """A figure and the widget that shows it (an ipympl canvas, or an Image when static).
        ``figsize`` (width, height) in inches and ``dpi`` are checked first: at most
        ``MAX_FIGURE_PX`` pixels a side, which a notebook can show and a Binder session hold."""
        figsize, dpi = self._checked_size(figsize, dpi)
        fig = Figure(figsize=figsize, dpi=dpi)
        if self.live:
            from ipympl.backend_nbagg import new_figure_manager_given_figure
            manager = new_figure_manager_given_figure(id(fig), fig)
            canvas = manager.canvas
            canvas.header_visible = False
            canvas.footer_visible = False
            canvas.toolbar_visible = False
            canvas.resizable = False
            canvas.capture_scroll = False
            view = canvas
        else:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            FigureCanvasAgg(fig)
            view = widgets.Image(format="png")
            self._images[id(fig)] = view
        self.figures.append(fig)
        return fig, view

    def _checked_dpi(self, dpi):
        """``dpi`` if it is a number from MIN_DPI to MAX_DPI, else a ValueError that says so."""
        if isinstance(dpi, bool) or not isinstance(dpi, Real) or not MIN_DPI <= dpi <= MAX_DPI:
            raise ValueError(self.p("errors.widget.dpi", low=MIN_DPI, high=MAX_DPI, value=dpi))
        return dpi

    def _checked_size(self, figsize, dpi) -> tuple[tuple[float, float], float]:
        dpi = self._checked_dpi(dpi)
        try:
            width, height = (float(v) for v in figsize)
        except (TypeError, ValueError):
            width = height = float("nan")
        if not (0 < width * dpi <= MAX_FIGURE_PX and 0 < height * dpi <= MAX_FIGURE_PX):
            raise ValueError(self.p("errors.widget.figsize", most=MAX_FIGURE_PX, dpi=dpi, value=figsize))
        return (width, height), float(dpi)

    def blit(self, fig: Figure, dynamic: Callable[[], Iterable],
             occasional: "Callable[[], Iterable] | None" = None) -> Blitter:
        """Redraw ``fig`` by blitting from now on: ``dynamic()`` names the artists that change
        between redraws, ``occasional()`` those that change only at some (see
        ``stepnn.views.blit``). Returns the Blitter."""
        blitter = self.blitters[id(fig)] = Blitter(fig, dynamic, occasional)
        return blitter

    def render(self, fig: Figure) -> None:
        """Bring ``fig``'s pixels up to date: a blit for a figure that blits (unless its background
        changed: a full draw, see ``Blitter.draw``), else a full draw with ``draw_idle`` (at once on
        Agg; live, when the page asks)."""
        blitter = self.blitters.get(id(fig))
        if blitter is not None:
            blitter.draw()
        else:
            fig.canvas.draw_idle()

    def localize(self) -> None:
        """Give every text of the dashboard's figures a font with the language's glyphs (figure
        by figure: matplotlib's rcParams stay as they are)."""
        for fig in self.figures:
            localize(fig, self.lang)

    def redraw(self) -> None:
        """Draw every figure once (live: the canvas sends its new image; static: a new PNG)."""
        for fig in self.figures:
            self.render(fig)
            if not self.live:
                self._images[id(fig)].value = self._buffer_png(fig)

    @staticmethod
    def _png(fig: Figure, dpi: "int | None" = None) -> bytes:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi or fig.dpi)
        return buf.getvalue()

    @staticmethod
    def _buffer_png(fig: Figure) -> bytes:
        """The canvas's current pixels as a PNG (no new draw), quickly compressed."""
        buf = io.BytesIO()
        Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).save(buf, format="png", compress_level=1)
        return buf.getvalue()

    # ------------------------------------------------------------- messages
    def show_error(self, exc: BaseException) -> None:
        """Put an exception in the message area in plain words; keep the details for the curious."""
        detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        self.errors.append(detail)
        self.message.value = (f"<div class='stepnn-error' style='color:#b00020;white-space:pre-wrap'><b>{type(exc).__name__}"
                              f"</b>: {html.escape(str(exc))}</div>")

    def show_info(self, text: str, tone: str = "info") -> None:
        color = {"info": "#1a5276", "warn": "#b9770e", "error": "#b00020"}[tone]
        self.message.value = f"<div style='color:{color}'>{html.escape(text)}</div>"

    # ---------------------------------------------------------------- export
    @speaks
    def save_png(self, path, index: int = 0, dpi: int = 150) -> str:
        """Save figure ``index`` of this dashboard for slides, in the format the file name asks for
        (.png, .jpg, .svg, .pdf; see ``stepnn.views.export.save_png``); returns the path."""
        from ..views.export import save_png
        count = len(self.figures)
        if isinstance(index, bool) or not isinstance(index, Integral) or not 0 <= index < count:
            raise ValueError(self.p("errors.widget.figure_index", last=count - 1, count=count,
                                    index=index))
        return save_png(self.figures[int(index)], path, dpi=dpi)

    def snapshot(self, dpi: int = 72) -> bytes:
        """PNG bytes of all the dashboard's figures stacked: the stand-in picture."""
        import numpy as np
        from matplotlib.image import imread

        images = [imread(io.BytesIO(self._png(f, dpi)), format="png") for f in self.figures]
        if not images:
            return b""
        width = max(im.shape[1] for im in images)
        padded = [np.pad(im, ((0, 0), (0, width - im.shape[1]), (0, 0)), constant_values=1.0)
                  for im in images]
        buf = io.BytesIO()
        from matplotlib.image import imsave
        imsave(buf, np.concatenate(padded, axis=0), format="png")
        return buf.getvalue()

    @property
    def title(self) -> str:
        """The dashboard's name and what it shows, in its language."""
        return self.p(f"dashboard.title.{self.title_key}")

    def stand_in(self, what: str) -> str:
        """``what`` the dashboard shows, then the sentence that asks to run the cell: the text that
        stands in for the dashboard where it cannot run, in its language."""
        return self.p("dashboard.stand_in", what=what, mode=self.p(f"dashboard.{self.mode}"))

    def describe(self) -> str:
        """One line naming the dashboard, in its language: its text/plain form in a notebook."""
        return self.stand_in(self.title)

    def _repr_mimebundle_(self, include=None, exclude=None):
        # The widget for a live kernel, plus a PNG and a sentence that stand in for it wherever
        # the widget cannot be shown (a notebook opened before it is run, a code host's preview).
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle = dict(bundle)
        bundle["text/plain"] = self.describe()
        png = self.snapshot()
        if png:
            import base64
            bundle["image/png"] = base64.b64encode(png).decode("ascii")
        return bundle

    def __repr__(self) -> str:
        return self.describe()
