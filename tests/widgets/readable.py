"""What a student at the back of the room can read: every visible, non-empty text of a figure (tick
labels included) at least ``MIN_TEXT_PX`` pixels tall on screen, and figures no wider than a
notebook's output area."""
from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.text import Text

from stepnn.views.style import MAX_WIDTH_PX, MIN_TEXT_PX, text_px


def visible_texts(fig: Figure) -> list[Text]:
    """Every text a full draw shows: visible, non-empty, its axes visible (tick labels are made
    at draw time, so the figure is drawn first)."""
    fig.canvas.draw()
    texts = []
    for text in fig.findobj(Text):
        if not text.get_text().strip() or not text.get_visible():
            continue
        if text.axes is not None and not text.axes.get_visible():
            continue
        texts.append(text)
    return texts


def small_texts(fig: Figure, px: float = MIN_TEXT_PX) -> list[str]:
    """The visible texts smaller than ``px`` on screen, as 'text: size px' (empty when all are
    readable)."""
    return [f"{t.get_text()!r}: {text_px(t):.1f} px" for t in visible_texts(fig) if text_px(t) < px - 1e-6]


def smallest_px(fig: Figure) -> float:
    return min(text_px(t) for t in visible_texts(fig))


def width_px(fig: Figure) -> float:
    return fig.get_figwidth() * fig.dpi


def fits(fig: Figure) -> bool:
    """No wider than the output area at 1280x800 with the file browser open, and not tiny."""
    return 0.6 * MAX_WIDTH_PX <= width_px(fig) <= MAX_WIDTH_PX


def rows_that_do_not_wrap(widget) -> list:
    """The HBoxes under ``widget`` that would scroll sideways in a narrow output area instead of
    wrapping their controls onto the next line."""
    import ipywidgets as widgets
    found, todo = [], [widget]
    while todo:
        w = todo.pop()
        if isinstance(w, widgets.HBox) and w.layout.flex_flow != "row wrap":
            found.append(w)
        todo.extend(getattr(w, "children", ()))
    return found
