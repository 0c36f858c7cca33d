"""Pictures that come before the code in the lessons: the training loop as a cycle, a small
network with its weights written on the edges, the computation graph of lesson 3's tiny network,
and an epoch cut into batches on a timeline.

Each function draws a new figure and returns a ``Diagram``: a notebook shows its PNG and a
one-sentence text (the same on every machine, so nbval can compare it). Words come from
``stepnn.terms`` and the table below, in the language ``lang`` (None: the one chosen by
``stepnn.set_language``). Sizes: at most ``MAX_WIDTH`` inches wide at ``DPI``, so a picture fits
a 1280 px laptop's output area unscaled, with text of at least ``FONT_SIZE`` points (16 px).
"""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.text import Text

from ..terms import PHRASES, phrase, resolve_language, term
from ._base import korean_font

__all__ = ["Diagram", "training_loop", "network", "chain_graph", "epoch_timeline",
           "DPI", "FONT_SIZE", "MAX_WIDTH"]

DPI = 100
FONT_SIZE = 12       # points: 16.7 px at DPI 100
SMALL = 12           # the smallest text in any diagram, also >= 12 px when scaled to 592 px
MAX_WIDTH = 7.0      # inches: 700 px

BLUE, RED, GREY, INK = "#1f77b4", "#d62728", "#9a9a9a", "#222222"


class Diagram:
    """A finished picture: ``figure`` (a matplotlib Figure), ``description`` (one sentence).

    In a notebook it shows as a PNG; ``save(path)`` writes PNG or SVG (by the file's suffix).
    """

    def __init__(self, figure: Figure, description: str, lang: str):
        self.figure, self.description, self.lang = figure, description, lang
        if lang == "ko":
            _hangul(figure)

    def to_bytes(self, fmt: str = "png") -> bytes:
        """The picture encoded as ``fmt`` ("png" or "svg")."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format=fmt, dpi=DPI)
        return buffer.getvalue()

    def save(self, path) -> None:
        """Write the picture to ``path`` (.png or .svg)."""
        fmt = str(path).rsplit(".", 1)[-1].lower()
        if fmt not in ("png", "svg"):
            raise ValueError(phrase("errors.diagram_save", self.lang, path=path))
        with open(path, "wb") as handle:
            handle.write(self.to_bytes(fmt))

    def _repr_png_(self) -> bytes:
        return self.to_bytes("png")

    def __repr__(self) -> str:
        return self.description


@lru_cache(maxsize=1)
def _hangul_family() -> str:
    """The Hangul font's family name, with the other weights beside the regular file registered
    too (NanumGothicBold.ttf is 600, NanumGothicExtraBold.ttf 700): bold text then finds its
    weight instead of logging "Failed to find font weight bold"."""
    hangul = korean_font()
    if hangul is None:
        raise RuntimeError(phrase("errors.font_missing", what=phrase("errors.font_for.diagrams")))
    regular = Path(font_manager.findfont(font_manager.FontProperties(family=hangul)))
    for face in sorted(regular.parent.glob(regular.stem + "?*" + regular.suffix)):
        font_manager.fontManager.addfont(str(face))
    return hangul


def _hangul(figure: Figure) -> None:
    """Give every text of ``figure`` the Hangul font after its own family: matplotlib falls back
    to it glyph by glyph, so Latin letters, digits and symbols keep DejaVu Sans. A text's font is
    fixed when the text is made, so this sets it on the texts themselves (nothing global changes)."""
    hangul = _hangul_family()
    for text in figure.findobj(Text):
        family = list(text.get_fontfamily())
        if hangul not in family:
            text.set_fontfamily(family + [hangul])


def _words(lang: "str | None") -> tuple[str, dict]:
    """The language, and the diagrams' words in it (``diagrams.*`` in ``stepnn.terms.PHRASES``)."""
    lang = resolve_language(lang)
    return lang, {key.split(".", 1)[1]: phrase(key, lang) for key in PHRASES
                  if key.startswith("diagrams.")}


def _canvas(width: float, height: float, xlim, ylim):
    """A figure with one bare axes filling it, in data units ``xlim`` x ``ylim``, equal aspect."""
    if width > MAX_WIDTH:
        raise ValueError(f"a diagram is at most {MAX_WIDTH} inches wide; received {width}.")
    fig = Figure(figsize=(width, height), dpi=DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig, ax


def _arrow(ax, start, end, color=INK, rad=0.0, width=1.6):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=16, lw=width,
                                 color=color, connectionstyle=f"arc3,rad={rad}",
                                 shrinkA=0, shrinkB=0))


def _box(ax, center, text, width, height, color, size=FONT_SIZE):
    x, y = center
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.02,rounding_size=0.15", fc="white",
                                ec=color, lw=2))
    ax.text(x, y, text, ha="center", va="center", fontsize=size, color=INK)


# ------------------------------------------------------------------ lesson 0: the loop
def training_loop(lang: "str | None" = None) -> Diagram:
    """The five steps as a cycle: forward -> loss -> backward -> update, and repeat."""
    lang, w = _words(lang)
    fig, ax = _canvas(6.8, 4.4, (-3.75, 3.75), (-2.4, 2.4))
    boxes = [((0, 1.65), w["loop_forward"].format(forward=term("forward", lang))),
             ((2.3, 0), w["loop_loss"].format(loss=term("loss", lang))),
             ((0, -1.65), w["loop_backward"].format(backward=term("backward", lang))),
             ((-2.3, 0), w["loop_update"].format(update=term("update", lang)))]
    colors = [BLUE, "#ff7f0e", RED, "#2ca02c"]
    for (center, text), color in zip(boxes, colors):
        _box(ax, center, text, 2.6 if center[0] else 3.0, 0.95, color)
    # clockwise arrows from box to box, around the middle
    _arrow(ax, (1.55, 1.45), (2.45, 0.55), rad=-0.25)
    _arrow(ax, (2.45, -0.55), (1.55, -1.45), rad=-0.25)
    _arrow(ax, (-1.55, -1.45), (-2.45, -0.55), rad=-0.25)
    _arrow(ax, (-2.45, 0.55), (-1.55, 1.45), rad=-0.25)
    ax.text(0, 0, w["loop_repeat"], ha="center", va="center", fontsize=FONT_SIZE, color=GREY,
            style="italic")
    return Diagram(fig, w["loop_repr"], lang)


# ------------------------------------------------------------ lesson 1: a small network
def network(layers, lang: "str | None" = None, activations=None) -> Diagram:
    """A small dense network with each weight written on its edge and each bias under its unit.

    Args:
        layers: a list of (W, b) per layer, W of shape (n_in, n_out) and b of shape (n_out,);
            at most 4 units in any layer, so every number stays readable.
        activations: optional names per layer ("relu", "sigmoid", ...), written in the units.
    """
    lang, w = _words(lang)
    weights = [(np.atleast_2d(np.asarray(W, dtype=float)), np.atleast_1d(np.asarray(b, dtype=float)))
               for W, b in layers]
    sizes = [weights[0][0].shape[0]] + [W.shape[1] for W, _ in weights]
    for k, (W, b) in enumerate(weights):
        if W.shape[0] != sizes[k] or b.shape != (W.shape[1],):
            raise ValueError(phrase("errors.diagram_layer_shapes", lang, k=k + 1, n_in=sizes[k],
                                    w_shape=W.shape, b_shape=b.shape))
    if max(sizes) > 4 or len(sizes) > 4:
        raise ValueError(phrase("errors.diagram_too_big", lang, sizes=sizes))
    gap, step = 3.2, 1.5
    xs = [gap * k for k in range(len(sizes))]
    ys = [[step * ((n - 1) / 2 - i) for i in range(n)] for n in sizes]
    top = step * (max(sizes) - 1) / 2
    fig, ax = _canvas(min(MAX_WIDTH, 2.1 * len(sizes)), 1.1 * max(sizes) + 1.2,
                      (-0.9, xs[-1] + 0.9), (-top - 1.5, top + 0.8))
    for k, (W, _) in enumerate(weights):
        for i, y0 in enumerate(ys[k]):
            for j, y1 in enumerate(ys[k + 1]):
                ax.plot([xs[k], xs[k + 1]], [y0, y1], color=BLUE if W[i, j] >= 0 else RED,
                        lw=1 + 1.5 * min(abs(W[i, j]), 1.0), zorder=1)
                t = 0.68
                ax.text(xs[k] + t * (xs[k + 1] - xs[k]), y1 + (1 - t) * (y0 - y1), f"{W[i, j]:g}",
                        ha="center", va="center", fontsize=SMALL, zorder=3,
                        bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none"))
    names = [term("input_layer", lang), term("hidden_layer", lang), term("output_layer", lang)]
    for k, (x, column) in enumerate(zip(xs, ys)):
        for i, y in enumerate(column):
            ax.add_patch(Circle((x, y), 0.42, fc="white", ec=INK, lw=1.5, zorder=2))
            label = f"x{i + 1}" if k == 0 else (activations[k - 1] if activations else f"{k},{i + 1}")
            ax.text(x, y, label, ha="center", va="center", fontsize=SMALL, zorder=4)
            if k > 0:
                ax.text(x, y - 0.62, w["bias"].format(b=weights[k - 1][1][i]), ha="center",
                        va="top", fontsize=SMALL, color=GREY, zorder=4)
        name = names[0] if k == 0 else names[2] if k == len(xs) - 1 else names[1]
        ax.text(x, -top - 1.25, name, ha="center", va="center", fontsize=FONT_SIZE, weight="bold")
    return Diagram(fig, w["network_repr"].format(sizes="-".join(map(str, sizes))), lang)


# --------------------------------------------------- lesson 3: the tiny network's graph
def chain_graph(lang: "str | None" = None) -> Diagram:
    """The computation graph of lesson 3's tiny network, forward values left to right (black)
    and local derivatives right to left (red): z1 = w1 x + b1, a1 = sigma(z1),
    z2 = w2 a1 + b2, L = (z2 - y)^2."""
    lang, w = _words(lang)
    fig, ax = _canvas(MAX_WIDTH, 3.6, (-0.2, 13.8), (-3.6, 3.6))
    half = 1.35
    nodes = [(1.4, "z₁ = w₁x + b₁"), (5.0, "a₁ = σ(z₁)"), (8.6, "z₂ = w₂a₁ + b₂"), (12.2, "L = (z₂ − y)²")]
    for x, text in nodes:
        _box(ax, (x, 0), text, 2 * half, 0.95, INK)
    for (x0, _), (x1, _) in zip(nodes, nodes[1:]):
        _arrow(ax, (x0 + half + 0.1, 0.2), (x1 - half - 0.1, 0.2))
    # backward arrows below, right to left, each labelled with its local derivative
    locals_ = ["∂a₁/∂z₁\n= a₁(1 − a₁)", "∂z₂/∂a₁\n= w₂", "∂L/∂z₂\n= 2(z₂ − y)"]
    for (x0, _), (x1, _), text in zip(nodes, nodes[1:], locals_):
        _arrow(ax, (x1 - half - 0.1, -0.25), (x0 + half + 0.1, -0.25), color=RED)
        ax.text((x0 + x1) / 2, -1.25, text, ha="center", va="center", fontsize=SMALL, color=RED)
    for x, names, local in [(1.4, ("x", "w₁", "b₁"), "∂z₁/∂w₁ = x"), (8.6, ("a₁", "w₂", "b₂"), "∂z₂/∂w₂ = a₁")]:
        for dx, name in zip((-0.9, 0.0, 0.9), names):
            if name == "a₁":
                continue
            ax.text(x + dx, 2.2, name, ha="center", va="center", fontsize=FONT_SIZE)
            _arrow(ax, (x + dx, 1.9), (x + dx * 0.6, 0.55), width=1.2)
        ax.text(x, -2.55, local, ha="center", va="center", fontsize=SMALL, color=RED)
    ax.text(0.0, 3.2, w["graph_forward"], ha="left", va="center", fontsize=FONT_SIZE)
    ax.text(0.0, -3.3, w["graph_backward"], ha="left", va="center", fontsize=FONT_SIZE, color=RED)
    return Diagram(fig, w["graph_repr"], lang)


# ---------------------------------------------------- lesson 6: an epoch cut into batches
def epoch_timeline(n_samples: int = 10, batch_size: int = 4, epochs: int = 2,
                   drop_last: bool = False, lang: "str | None" = None) -> Diagram:
    """``epochs`` passes over ``n_samples`` samples on one timeline, each cut into batches of
    ``batch_size``: one box per iteration, the last batch smaller (or dropped, greyed)."""
    lang, w = _words(lang)
    for name, value in (("n_samples", n_samples), ("batch_size", batch_size), ("epochs", epochs)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(phrase("errors.diagram_positive", lang, name=name, value=value))
    if epochs * n_samples > 64 or epochs > 4:
        raise ValueError(phrase("errors.diagram_timeline", lang, epochs=epochs, n_samples=n_samples))
    full, rest = divmod(n_samples, batch_size)
    k = full if drop_last or rest == 0 else full + 1
    length, gap = 12.0, 0.5
    unit = (length - (epochs - 1) * gap) / (epochs * n_samples)
    fig, ax = _canvas(MAX_WIDTH, 1.9, (-0.2, length + 0.2), (-1.4, 1.6))
    x = 0.0
    iteration = 0
    for e in range(epochs):
        start = x
        for i in range(full + (1 if rest else 0)):
            n = batch_size if i < full else rest
            dropped = i >= full and drop_last
            iteration += 0 if dropped else 1
            ax.add_patch(Rectangle((x, 0), n * unit, 0.8, fc="#eeeeee" if dropped else "#cfe3f3",
                                   ec=GREY if dropped else BLUE, lw=1.5))
            label = w["timeline_dropped"] if dropped else w["timeline_iteration"].format(i=iteration)
            ax.text(x + n * unit / 2, 0.4, label, ha="center", va="center", fontsize=SMALL,
                    rotation=0 if n * unit >= 0.85 else 90, color=GREY if dropped else INK)
            ax.text(x + n * unit / 2, -0.3, str(n), ha="center", va="center", fontsize=SMALL,
                    color=GREY)
            x += n * unit
        ax.plot([start, x], [1.05, 1.05], color=INK, lw=1.5)
        for end in (start, x):
            ax.plot([end, end], [0.95, 1.15], color=INK, lw=1.5)
        ax.text((start + x) / 2, 1.35, w["timeline_epoch"].format(epoch=term("epoch", lang), k=e + 1)
                + " · " + w["timeline_samples"].format(n=n_samples), ha="center", va="center",
                fontsize=FONT_SIZE)
        x += gap
    extra = (w["timeline_drop"] if drop_last else w["timeline_rest"]).format(r=rest) if rest else ""
    ax.text(0, -1.05, w["timeline_caption"].format(n=n_samples, b=batch_size, full=full, rest=extra),
            ha="left", va="center", fontsize=FONT_SIZE)
    return Diagram(fig, w["timeline_repr"].format(epochs=epochs, n=n_samples, b=batch_size, k=k),
                   lang)

