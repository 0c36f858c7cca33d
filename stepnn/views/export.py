"""Figures for slides: an image of a figure (or part of it) in the format its name asks for (PNG,
JPEG, SVG, PDF), a GIF of a figure as it changes.

``save_gif`` uses matplotlib.animation's Pillow writer (Pillow is a dependency; no ffmpeg needed).
"""
from __future__ import annotations

from numbers import Integral, Real
from pathlib import Path
from typing import Callable

from matplotlib.animation import PillowWriter
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from .._checks import save_target
from ..terms import phrase

__all__ = ["save_png", "save_gif", "axes_bbox", "IMAGE_FORMATS", "image_format"]

# file suffix -> matplotlib's format name (JPEG through Pillow, a dependency)
IMAGE_FORMATS = {".png": "png", ".jpg": "jpg", ".jpeg": "jpg", ".svg": "svg", ".pdf": "pdf"}


def _figure(fig) -> Figure:
    if not isinstance(fig, Figure):
        raise TypeError(phrase("errors.export_figure", type=type(fig).__name__))
    return fig


def axes_bbox(fig: Figure, axes, pad: float = 0.05) -> Bbox:
    """The box (in inches) around ``axes`` with their titles and labels, for ``save_png(bbox=...)``."""
    renderer = fig.canvas.get_renderer()
    boxes = [ax.get_tightbbox(renderer) for ax in axes]
    return Bbox.union(boxes).transformed(fig.dpi_scale_trans.inverted()).padded(pad)


def image_format(path) -> str:
    """The image format ``path``'s suffix asks for ("png", "jpg", "svg" or "pdf"); a clear error for
    any other suffix, so that a file never holds bytes of another format than its name says."""
    suffix = Path(path).suffix.lower()
    if suffix not in IMAGE_FORMATS:
        raise ValueError(phrase("errors.export_suffix", formats=", ".join(IMAGE_FORMATS), path=str(path)))
    return IMAGE_FORMATS[suffix]


MIN_FPS, MAX_FPS = 0.1, 50  # a GIF's frame lasts a whole number of 1/100 s; browsers slow frames under 20 ms
MAX_EXPORT_DPI = 1200  # print quality; beyond it a slide-sized figure runs out of memory


def _dpi(dpi, fig: Figure) -> float:
    """The resolution to write at: ``dpi`` if given (a number in (0, MAX_EXPORT_DPI]), else the figure's."""
    if dpi is None:
        return float(fig.dpi)
    if isinstance(dpi, bool) or not isinstance(dpi, Real) or not 0 < dpi <= MAX_EXPORT_DPI:
        raise ValueError(phrase("errors.export_dpi", dpi=dpi, most=MAX_EXPORT_DPI))
    return float(dpi)


def save_png(fig: Figure, path, dpi: "float | None" = None, bbox: "Bbox | None" = None) -> str:
    """Write ``fig`` to ``path`` in the format its suffix names: .png (default for slides), .jpg or
    .jpeg, .svg, .pdf; any other suffix is refused. ``bbox`` (inches, see ``axes_bbox``) crops it.

    Returns the path as a string.
    """
    _figure(fig)
    fmt = image_format(path)
    save_target(path, "figure.png")
    fig.savefig(path, format=fmt, dpi=_dpi(dpi, fig), bbox_inches=bbox)
    return str(path)


def save_gif(path, fig: Figure, frames: Callable[[int], object], n_frames: int, fps: float = 5,
             dpi: "float | None" = None) -> str:
    """Write an animated GIF: for i in 0..n_frames-1, call ``frames(i)`` (it changes the figure's
    artists), then grab the figure. Returns the path as a string.

    Args:
        path: where to write; must end in ``.gif``.
        fig: the figure to film.
        frames: called once per frame, in order, with the frame number.
        n_frames: how many frames (>= 1).
        fps: frames per second, from ``MIN_FPS`` (0.1) to ``MAX_FPS`` (50).
    """
    _figure(fig)
    if Path(path).suffix.lower() != ".gif":
        raise ValueError(phrase("errors.export_gif_suffix", path=str(path)))
    if isinstance(n_frames, bool) or not isinstance(n_frames, Integral) or n_frames < 1:
        raise ValueError(phrase("errors.export_n_frames", n_frames=n_frames))
    if isinstance(fps, bool) or not isinstance(fps, Real) or not MIN_FPS <= fps <= MAX_FPS:
        raise ValueError(phrase("errors.export_fps", fps=fps, low=MIN_FPS, high=MAX_FPS,
                                shortest=1 / MAX_FPS, longest=round(1 / MIN_FPS)))
    if not callable(frames):
        raise TypeError(phrase("errors.export_frames", type=type(frames).__name__))
    save_target(path, "training.gif")
    dpi = _dpi(dpi, fig)
    n_frames = int(n_frames)
    writer = PillowWriter(fps=fps)
    with writer.saving(fig, str(path), dpi):
        for i in range(n_frames):
            frames(i)
            writer.grab_frame()
    return str(path)
