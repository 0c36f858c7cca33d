"""Views of a ``stepnn.chain.ComputationGraph``: the graph with its values and gradients, the step
just taken (the chain-rule equation with its numbers), and the parameters beside their
finite-difference check. Each view takes the graph in ``update(graph)``."""
from __future__ import annotations

import textwrap

import numpy as np

from ..chain import ComputationGraph
from ..terms import phrase
from ._base import View, localize, quiet_axes, use_language
from .style import MIN_TEXT_PX, OKABE_ITO, font_points

__all__ = ["GraphView", "StepView", "ParameterTableView", "NODE_POSITIONS", "label"]

# column per node kind and layer, row per unit: inputs | z1 a1 | z2 a2 | L
NODE_POSITIONS = {
    "x[0]": (0.0, 1.3), "x[1]": (0.0, -1.3),
    "z1[0]": (2.6, 1.3), "z1[1]": (2.6, -1.3), "a1[0]": (4.0, 1.3), "a1[1]": (4.0, -1.3),
    "z2[0]": (6.6, 0.0), "a2[0]": (8.0, 0.0), "L": (9.4, 0.0),
}
BIAS_POSITIONS = {"b1[0]": (1.9, 2.6), "b1[1]": (1.9, -2.75), "b2[0]": (5.9, 1.8)}
LABEL_AT = {1: 0.3, 2: 0.5}  # per layer, where along a slanted edge its weight is written (W1: before
                             # the edges cross)

# one meaning per colour (Okabe-Ito): blue the forward pass (values), vermillion the backward pass
# (gradients), orange what the last click changed, purple a gradient check that fails
COLORS = {"empty": "#ffffff", "forward": "#cce3f0", "backward": "#f6d2bd", "current": OKABE_ITO["orange"],
          "edge": "#888888", "grad": OKABE_ITO["vermillion"], "ok": OKABE_ITO["black"],
          "bad": OKABE_ITO["purple"], "text": "#222222"}
MONO = "DejaVu Sans Mono"

def label(key: str, lang: str) -> str:
    """A phrase of these views in ``lang`` ("en" or "ko"): ``stepnn.terms.PHRASES["graph." + key]``."""
    return phrase(f"graph.{key}", lang)


def _fmt(v) -> str:
    return "" if v is None else f"{v:.4g}"


def _factor(v: float) -> str:
    """A number as a factor of a product: negatives in parentheses."""
    return f"({v:.4g})" if v < 0 else f"{v:.4g}"


def _size(ax, fontsize: "float | None") -> float:
    """The views' text size in points: ``fontsize``, or the smallest readable text at the figure's dpi."""
    return fontsize or font_points(MIN_TEXT_PX, ax.figure.dpi)


class GraphView(View):
    """The computation graph: nodes with their values (and dL/d node once known), weights on edges.

    The node of the last step is outlined in orange; nodes with values are blue, with gradients
    vermillion. ``fontsize`` (points): the size of every text (default: 12 px on screen).
    """

    def __init__(self, ax, graph: ComputationGraph, lang: "str | None" = None, fontsize: "float | None" = None,
                 stacked: bool = False):
        self.ax, self.lang = ax, use_language(lang)
        fs = self.fontsize = _size(ax, fontsize)
        self.stacked = bool(stacked)   # each weight's name over its value: narrower, for large text
        quiet_axes(ax)
        ax.set_xlim(-0.7, 10.1)
        ax.set_ylim(-3.55, 3.6)
        for side in ax.spines.values():
            side.set_visible(False)
        self.names = list(NODE_POSITIONS)
        self.edge_labels, self.bias_labels = {}, {}
        for p in graph.parameters:
            end = NODE_POSITIONS[p.target]
            start = NODE_POSITIONS[p.source] if p.source else BIAS_POSITIONS[p.name]
            ax.plot([start[0], end[0]], [start[1], end[1]], color=COLORS["edge"], lw=1, zorder=1)
            if p.source is None:  # beside its square, away from the edge
                self.bias_labels[p.name] = ax.text(start[0] - 0.2, start[1], "", ha="right", va="center",
                                                   fontsize=fs, linespacing=1.0)
                continue
            va = "center"
            if start[1] == end[1] and not self.stacked:  # level edge: above its middle
                at = ((start[0] + end[0]) / 2, start[1] + 0.3)
            elif start[1] == end[1]:   # two lines: on the side away from the slanted edges' labels
                below = start[1] < 0
                at = ((start[0] + end[0]) / 2, start[1] + (-0.12 if below else 0.12))
                va = "top" if below else "bottom"
            else:
                f = LABEL_AT[p.array // 2 + 1]
                at = (start[0] + f * (end[0] - start[0]), start[1] + f * (end[1] - start[1]))
            self.edge_labels[p.name] = ax.text(*at, "", ha="center", va=va, fontsize=fs, zorder=3,
                                               linespacing=1.0, bbox=dict(fc="white", ec="none", pad=0.5))
        for a, b in (("z1[0]", "a1[0]"), ("z1[1]", "a1[1]"), ("z2[0]", "a2[0]"), ("a2[0]", "L")):
            (x0, y0), (x1, y1) = NODE_POSITIONS[a], NODE_POSITIONS[b]
            ax.plot([x0, x1], [y0, y1], color=COLORS["edge"], lw=1, zorder=1)
        bx, by = zip(*BIAS_POSITIONS.values())
        ax.scatter(bx, by, s=(0.8 * fs) ** 2, marker="s", color=COLORS["edge"], zorder=2)
        xs, ys = zip(*(NODE_POSITIONS[n] for n in self.names))
        self.nodes = ax.scatter(xs, ys, s=(4.9 * fs) ** 2, facecolors=COLORS["empty"], edgecolors="black",
                                linewidths=1, zorder=2)
        self.value_texts, self.grad_texts = {}, {}
        for name, (x, y) in NODE_POSITIONS.items():
            ax.text(x, y + 0.2, name, ha="center", va="center", fontsize=fs, zorder=4)
            self.value_texts[name] = ax.text(x, y - 0.2, "", ha="center", va="center", fontsize=fs,
                                             weight="bold", zorder=4)
            self.grad_texts[name] = ax.text(x, y - 0.62, "", ha="center", va="top", fontsize=fs,
                                            color=COLORS["grad"], zorder=4, linespacing=1.1)
        for key, x in (("input_layer", 0.0), ("hidden_layer", 3.3), ("output_layer", 7.3), ("loss", 9.4)):
            ax.text(x, 3.3, self.t(key), ha="center", va="center", fontsize=fs, color=COLORS["text"])
        self.update(graph)
        localize(ax, self.lang)

    def update(self, graph: ComputationGraph) -> None:
        for p in graph.parameters:
            joint = "\n" if self.stacked else " = "
            text = f"{p.name}{joint}{graph.value_of(p):.4g}"
            (self.bias_labels if p.source is None else self.edge_labels)[p.name].set_text(text)
        faces, edges, widths = [], [], []
        current = (graph.backward_steps[-1].node if graph.backward_steps
                   else graph.forward_steps[-1].node if graph.forward_steps else None)
        for name in self.names:
            node = graph.node(name)
            self.value_texts[name].set_text(_fmt(node.value))
            self.grad_texts[name].set_text("" if node.grad is None else f"dL/d{name}\n{node.grad:.4g}")
            faces.append(COLORS["backward"] if node.grad is not None
                         else COLORS["forward"] if node.value is not None and node.kind != "input"
                         else COLORS["empty"])
            edges.append(COLORS["current"] if name == current else "black")
            widths.append(3.5 if name == current else 1.0)
        self.nodes.set_facecolors(faces)
        self.nodes.set_edgecolors(edges)
        self.nodes.set_linewidths(widths)
        self.current = current


class StepView(View):
    """The step just taken, as an equation with its numbers (a chain-rule step: with its weights and
    their finite-difference check), in the view's language, wrapped to the axes' width."""

    def __init__(self, ax, graph: ComputationGraph, lang: "str | None" = None, fontsize: "float | None" = None):
        self.ax, self.lang = ax, use_language(lang)
        fs = self.fontsize = _size(ax, fontsize)
        quiet_axes(ax)
        for side in ax.spines.values():
            side.set_visible(False)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        self.title = ax.text(0.0, 1.0, "", ha="left", va="top", fontsize=fs, color=COLORS["current"])
        self.body = ax.text(0.0, 0.78, "", ha="left", va="top", fontsize=fs, family=MONO, linespacing=1.25)
        # characters of the monospaced font per line (a glyph is 0.6 em wide)
        width_px = ax.get_position().width * ax.figure.get_figwidth() * ax.figure.dpi
        self.columns = max(30, int(width_px / (0.6 * fs * ax.figure.dpi / 72)) - 1)
        self.update(graph)
        localize(ax, self.lang)

    def lines(self, graph: ComputationGraph) -> list[str]:
        """The last step's equation lines (before wrapping)."""
        if graph.backward_steps:
            step = graph.backward_steps[-1]
            if not step.upstream_name:
                return [label("start_line", self.lang).format(node=step.node, v=step.grad)]
            lines = [f"dL/d{step.node} = {step.upstream_name} × {step.local_name} = {_factor(step.upstream)}"
                     f" × {_factor(step.local)} = {step.grad:.4g}   [{step.local_name} = {step.local_rule}]"]
            if step.note:  # the sigmoid + binary cross-entropy shortcut at z2[0]
                lines.append(label("shortcut", self.lang).format(
                    v=graph.node("a2[0]").value - float(graph.y[0, 0])))
            for w in step.weights:
                target = w.upstream_name[len("dL/d"):]
                check = label("check_ok" if w.agrees else "check_bad", self.lang).format(v=w.numeric)
                lines.append(f"dL/d{w.name} = {w.upstream_name} × ∂{target}/∂{w.name} = {_factor(w.upstream)}"
                             f" × {_factor(w.local)} = {w.grad:.4g}   {check}")
            return lines
        if graph.forward_steps:
            return [str(graph.forward_steps[-1])]
        return []

    def update(self, graph: ComputationGraph) -> None:
        if graph.backward_steps:
            done, total = len(graph.backward_steps), len(graph.backward_order)
            title = label("backward_step", self.lang)
        elif graph.forward_steps:
            done, total = len(graph.forward_steps), len(graph.forward_order)
            title = label("forward_step", self.lang)
        elif graph.last_update is not None:
            done = total = 0
            title = label("updated", self.lang).format(lr=graph.last_update.learning_rate,
                                                       loss=graph.losses[-1])
        else:
            done = total = 0
            title = label("start", self.lang)
        self.title.set_text(title.format(done=done, total=total))
        wrapped = [textwrap.fill(line, self.columns, subsequent_indent="    ") for line in self.lines(graph)]
        self.body.set_text("\n".join(wrapped))


class ParameterTableView(View):
    """Every weight and bias: its value, its backprop gradient and, beside it, finite differences.

    Two groups of rows side by side (W1 and b1; W2 and b2), or one (``groups=1``: room for larger
    text), under one title. ``cells[row]`` are the
    texts of parameter ``row`` (graph.parameters order): name, value, backprop, finite difference,
    agree.
    """

    COLUMNS = (("parameter", 0.01, "left"), ("value", 0.30, "right"), ("backprop", 0.58, "right"),
               ("finite_difference", 0.85, "right"), ("agree", 0.93, "center"))
    GROUP = 6  # rows in the left group: W1 and b1

    def __init__(self, ax, graph: ComputationGraph, lang: "str | None" = None, fontsize: "float | None" = None,
                 groups: int = 2):
        self.ax, self.lang = ax, use_language(lang)
        fs = self.fontsize = _size(ax, fontsize)
        if groups not in (1, 2):
            raise ValueError(phrase("errors.view_groups", self.lang, groups=groups))
        quiet_axes(ax)
        for side in ax.spines.values():
            side.set_visible(False)
        ax.set_xlim(0, 1)
        n = len(graph.parameters)
        group = self.GROUP if groups == 2 else n
        ax.set_ylim(self.rows(n, groups) - 1.9, -1.9)
        ax.text(0.0, -1.5, label("check_title", self.lang), ha="left", va="center", fontsize=fs,
                color=COLORS["text"])
        width = 1.0 / groups
        for offset in np.arange(groups) * width:
            for key, x, ha in self.COLUMNS:
                ax.text(offset + width * x, -0.5, label(key, self.lang), ha=ha, va="center", fontsize=fs,
                        color=COLORS["text"])
            ax.plot([offset, offset + 0.96 * width], [-0.05, -0.05], color=COLORS["edge"], lw=0.8)
        self.cells = []
        for row in range(n):
            offset, y = (0.0, row + 0.5) if row < group else (0.5, row - group + 0.5)
            self.cells.append([ax.text(offset + width * x, y, "", ha=ha, va="center", fontsize=fs,
                                       family=MONO if key not in ("agree", "parameter") else None)
                               for key, x, ha in self.COLUMNS])
        for row, p in enumerate(graph.parameters):
            self.cells[row][0].set_text(p.name)
        self.update(graph)
        localize(ax, self.lang)

    @classmethod
    def rows(cls, n: int, groups: int = 2) -> float:
        """The table's height in rows (title and headers included) for ``n`` parameters."""
        return (max(cls.GROUP, n - cls.GROUP) if groups == 2 else n) + 2.5

    def update(self, graph: ComputationGraph) -> None:
        fresh = {w.name for w in graph.backward_steps[-1].weights} if graph.backward_steps else set()
        for row, p in enumerate(graph.parameters):
            _, value, grad, numeric, agree = self.cells[row]
            value.set_text(f"{graph.value_of(p):.4g}")
            w = graph.weight_gradients.get(p.name)
            grad.set_text("" if w is None else f"{w.grad:.5g}")
            numeric.set_text("" if w is None else f"{w.numeric:.5g}")
            agree.set_text("" if w is None else "✓" if w.agrees else "✗")
            agree.set_color(COLORS["ok"] if w is None or w.agrees else COLORS["bad"])
            color = COLORS["current"] if p.name in fresh else "black"
            for cell in (grad, numeric):
                cell.set_color(color)
