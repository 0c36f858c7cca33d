"""The look every figure shares: one colour-blind-safe palette, the smallest text a student can
read from the back row, and the widest figure a notebook shows.

Colours come from the Okabe-Ito palette (safe for the common colour-vision deficiencies). Each
colour has one role; a figure never uses one colour for two meanings.
"""
from __future__ import annotations

from numbers import Real

__all__ = ["OKABE_ITO", "MIN_TEXT_PX", "MAX_WIDTH_PX", "font_points", "check_scale"]

# Okabe & Ito, "Color Universal Design" (2008)
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}

MIN_TEXT_PX = 12      # every text in a figure is at least this tall on screen
MAX_WIDTH_PX = 840    # fits JupyterLab's output area at 1280x800 with the file browser open


def font_points(px: float, dpi: float, scale: float = 1.0) -> float:
    """The font size in points that shows as ``px`` pixels at ``dpi``, times ``scale``
    (points = pixels x 72 / dpi)."""
    return px * 72.0 / dpi * scale


def check_scale(scale) -> float:
    """A presentation scale (1 = laptop; 1.5 for a projector): a number in [0.5, 3]."""
    if isinstance(scale, bool) or not isinstance(scale, Real) or not 0.5 <= scale <= 3:
        raise ValueError(f"scale must be a number from 0.5 to 3 (1 is the normal size, 1.5 makes "
                         f"everything larger for a projector); received {scale!r}.")
    return float(scale)
