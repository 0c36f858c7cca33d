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
    hidden = unshown_tick_labels(fig)
    for ax in fig.axes:   # an axis label's ``axes`` is None: found through its hidden axes
        if not ax.get_visible():
            hidden.update(id(t) for t in ax.findobj(Text))
    texts = []
    for text in fig.findobj(Text):
        if not text.get_text().strip() or not text.get_visible() or id(text) in hidden:
            continue
        if text.axes is not None and not text.axes.get_visible():
            continue
        texts.append(text)
    return texts


def unshown_tick_labels(fig: Figure) -> set[int]:
    """ids of the tick labels a draw leaves out: those of ticks outside their axis's view (matplotlib
    keeps such Tick objects, with labels at stale places, but does not draw them)."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            eps = 1e-9 * max(hi - lo, 1e-300)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                loc = tick.get_loc()
                if loc is None or not lo - eps <= loc <= hi + eps:
                    hidden.update((id(tick.label1), id(tick.label2)))
    return hidden


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


def clipped_texts(fig: Figure) -> list[str]:
    """The visible texts that reach past the figure's edges (cut off on screen)."""
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    found = []
    for t in visible_texts(fig):
        e = t.get_window_extent(renderer)
        if e.x0 < box.x0 - 1 or e.x1 > box.x1 + 1 or e.y0 < box.y0 - 1 or e.y1 > box.y1 + 1:
            found.append(f"{t.get_text()!r} at x {e.x0:.0f}..{e.x1:.0f}, y {e.y0:.0f}..{e.y1:.0f} "
                         f"(figure {box.width:.0f} x {box.height:.0f})")
    return found


def overlapping_texts(fig: Figure) -> list[str]:
    """Pairs of visible texts whose boxes overlap by more than a pixel each way (one written over
    the other)."""
    renderer = fig.canvas.get_renderer()
    texts = visible_texts(fig)
    boxes = [t.get_window_extent(renderer) for t in texts]
    found = []
    for i, (a, ea) in enumerate(zip(texts, boxes)):
        for b, eb in zip(texts[i + 1:], boxes[i + 1:]):
            dx = min(ea.x1, eb.x1) - max(ea.x0, eb.x0)
            dy = min(ea.y1, eb.y1) - max(ea.y0, eb.y0)
            if dx > 1 and dy > 1:
                found.append(f"{a.get_text()!r} and {b.get_text()!r}")
    return found
