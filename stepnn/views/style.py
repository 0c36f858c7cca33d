"""The look every figure shares: one colour-blind-safe palette, the smallest text a student can
read from the back row, and the widest figure a notebook shows.

Colours come from the Okabe-Ito palette (safe for the common colour-vision deficiencies). Each
colour has one role; a figure never uses one colour for two meanings.
"""
from __future__ import annotations

import math
from numbers import Real

from ..terms import phrase

__all__ = ["OKABE_ITO", "ROLES", "SIGN_CMAP", "LEVEL_CMAP", "class_cmap", "text_px", "FONT_STACK", "MIN_TEXT_PX",
           "MAX_WIDTH_PX", "font_points", "check_scale", "loss_number"]

# Okabe & Ito, "Color Universal Design" (2008)
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}

# One meaning per colour, the same in every figure of the package.
ROLES = {
    "current": OKABE_ITO["orange"],       # what the last click changed (a panel's frame and title)
    "positive": OKABE_ITO["vermillion"],  # a positive weight, z or gradient (red end of SIGN_CMAP)
    "negative": OKABE_ITO["blue"],        # a negative one (blue end of SIGN_CMAP)
    "train": OKABE_ITO["black"],          # the training loss
    "validation": OKABE_ITO["purple"],    # the validation loss
    "best": OKABE_ITO["sky_blue"],        # the best validation epoch and the patience window
    "class0": OKABE_ITO["green"],         # samples of class 0 (and the region predicted 0)
    "class1": OKABE_ITO["yellow"],        # samples of class 1 (and the region predicted 1)
    "text": "#222222",                    # words and numbers
    "muted": "#888888",                   # what is there for reference only (epoch bands, grid)
}
SIGN_CMAP = "RdBu_r"   # diverging around 0: z, weights, gradients (blue < 0 < red; never a class)
LEVEL_CMAP = "Greys"   # sequential for an activation a in [0, 1] (white 0, black 1)

# The widgets' text: whatever Korean font the student's system has, else the browser's sans-serif.
FONT_STACK = "'Noto Sans KR', 'Malgun Gothic', 'Apple SD Gothic Neo', NanumGothic, sans-serif"

MIN_TEXT_PX = 12      # every text in a figure is at least this tall on screen
# The widest figure: JupyterLab's output is 848 px wide at 1280x800 with the file browser open and
# 844 px at 1024x768 with it closed (measured in Chromium); an ipympl figure adds 8 px of border.
MAX_WIDTH_PX = 832


def font_points(px: float, dpi: float, scale: float = 1.0) -> float:
    """The font size in points that shows as ``px`` pixels at ``dpi``, times ``scale``
    (points = pixels x 72 / dpi)."""
    return px * 72.0 / dpi * scale


def check_scale(scale) -> float:
    """A presentation scale (1 = laptop; 1.5 for a projector): a number in [0.5, 3]."""
    if isinstance(scale, bool) or not isinstance(scale, Real) or not 0.5 <= scale <= 3:
        raise ValueError(phrase("errors.view_scale", scale=scale))
    return float(scale)


def class_cmap():
    """The two-class colour map, ROLES["class0"] (0) to ROLES["class1"] (1), for predicted regions."""
    from matplotlib.colors import LinearSegmentedColormap
    return LinearSegmentedColormap.from_list("stepnn_class", [ROLES["class0"], "#FFFFFF", ROLES["class1"]])


def text_px(text) -> float:
    """How tall a matplotlib Text is on screen, in pixels: points x dpi / 72."""
    return text.get_fontsize() * text.figure.dpi / 72.0


LARGEST_FIXED = 1e6  # a number at least this large is written in scientific notation


def loss_number(value: float, decimals: int = 4) -> str:
    """A loss as a student reads it: ``decimals`` digits after the point ("0.6931"), in scientific
    notation from ``LARGEST_FIXED`` on ("3.8791e+233": a diverging run's loss would otherwise take
    hundreds of digits); "inf" and "nan" as they are."""
    value = float(value)
    if abs(value) < LARGEST_FIXED or not math.isfinite(value):
        return f"{value:.{decimals}f}"
    return f"{value:.{decimals}e}"
