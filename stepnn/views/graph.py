"""Views of a ``stepnn.chain.ComputationGraph``: the graph with its values and gradients, the step
just taken (the chain-rule equation with its numbers), and the parameters beside their
finite-difference check. Each view takes the graph in ``update(graph)``."""
from __future__ import annotations

from ..chain import ComputationGraph
from ..terms import phrase
from ._base import View, localize, quiet_axes, use_language

__all__ = ["GraphView", "StepView", "ParameterTableView", "NODE_POSITIONS", "label"]

# column per node kind and layer, row per unit: inputs | z1 a1 | z2 a2 | L
NODE_POSITIONS = {
    "x[0]": (0.0, 1.3), "x[1]": (0.0, -1.3),
    "z1[0]": (2.6, 1.3), "z1[1]": (2.6, -1.3), "a1[0]": (4.0, 1.3), "a1[1]": (4.0, -1.3),
    "z2[0]": (6.6, 0.0), "a2[0]": (8.0, 0.0), "L": (9.4, 0.0),
}
BIAS_POSITIONS = {"b1[0]": (1.9, 2.75), "b1[1]": (1.9, -2.75), "b2[0]": (5.9, 1.6)}
LABEL_AT = {1: 0.3, 2: 0.5}  # per layer, where along a slanted edge its weight is written (W1: before
                             # the edges cross)

COLORS = {"empty": "#ffffff", "forward": "#d5f5e3", "backward": "#fadbd8", "current": "#e67e22",
          "edge": "#7f8c8d", "grad": "#b03a2e", "ok": "#1e8449", "bad": "#b00020"}

def label(key: str, lang: str) -> str:
    """A phrase of these views in ``lang`` ("en" or "ko"): ``stepnn.terms.PHRASES["graph." + key]``."""
    return phrase(f"graph.{key}", lang)


def _fmt(v) -> str:
    return "" if v is None else f"{v:.4g}"


class GraphView(View):
    """The computation graph: nodes with their values (and dL/d node once known), weights on edges.

    The node of the last step is outlined; nodes with values are green, with gradients red.
    """

    def __init__(self, ax, graph: ComputationGraph, lang: str = "en"):
        self.ax, self.lang = ax, use_language(lang)
        quiet_axes(ax)
        ax.set_xlim(-0.8, 10.2)
        ax.set_ylim(-3.5, 3.4)
        for side in ax.spines.values():
            side.set_visible(False)
        self.names = list(NODE_POSITIONS)
        self.edge_labels, self.bias_labels = {}, {}
        for p in graph.parameters:
            end = NODE_POSITIONS[p.target]
            start = NODE_POSITIONS[p.source] if p.source else BIAS_POSITIONS[p.name]
            ax.plot([start[0], end[0]], [start[1], end[1]], color=COLORS["edge"], lw=1, zorder=1)
            if p.source is None:
                self.bias_labels[p.name] = ax.text(start[0], start[1] + (0.35 if start[1] > 0 else -0.35),
                                                   "", ha="center", va="center", fontsize=8)
                continue
            if start[1] == end[1]:  # level edge: above its middle
                at = ((start[0] + end[0]) / 2, start[1] + 0.22)
            else:
                f = LABEL_AT[p.array // 2 + 1]
                at = (start[0] + f * (end[0] - start[0]), start[1] + f * (end[1] - start[1]))
            self.edge_labels[p.name] = ax.text(*at, "", ha="center", va="center", fontsize=8, zorder=3,
                                               bbox=dict(fc="white", ec="none", pad=0.5))
        for a, b in (("z1[0]", "a1[0]"), ("z1[1]", "a1[1]"), ("z2[0]", "a2[0]"), ("a2[0]", "L")):
            (x0, y0), (x1, y1) = NODE_POSITIONS[a], NODE_POSITIONS[b]
            ax.plot([x0, x1], [y0, y1], color=COLORS["edge"], lw=1, zorder=1)
        bx, by = zip(*BIAS_POSITIONS.values())
        ax.scatter(bx, by, s=60, marker="s", color=COLORS["edge"], zorder=2)
        xs, ys = zip(*(NODE_POSITIONS[n] for n in self.names))
        self.nodes = ax.scatter(xs, ys, s=1700, facecolors=COLORS["empty"], edgecolors="black",
                                linewidths=1, zorder=2)
        self.value_texts, self.grad_texts = {}, {}
        for name, (x, y) in NODE_POSITIONS.items():
            ax.text(x, y + 0.14, name, ha="center", va="center", fontsize=8, zorder=4)
            self.value_texts[name] = ax.text(x, y - 0.16, "", ha="center", va="center", fontsize=9,
                                             zorder=4)
            self.grad_texts[name] = ax.text(x, y - 0.62, "", ha="center", va="top", fontsize=7,
                                            color=COLORS["grad"], zorder=4)
        for key, x in (("input_layer", 0.0), ("hidden_layer", 3.3), ("output_layer", 7.3), ("loss", 9.4)):
            ax.text(x, 3.2, self.t(key), ha="center", va="center", fontsize=9, color="#34495e")
        self.update(graph)
        localize(ax, self.lang)

    def update(self, graph: ComputationGraph) -> None:
        for p in graph.parameters:
            text = f"{p.name} = {graph.value_of(p):.4g}"
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
    """The step just taken, as an equation with its numbers (a chain-rule step: with its weights)."""

    def __init__(self, ax, graph: ComputationGraph, lang: str = "en"):
        self.ax, self.lang = ax, use_language(lang)
        quiet_axes(ax)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        self.title = ax.text(0.01, 0.92, "", ha="left", va="top", fontsize=11, color="#1a5276")
        self.body = ax.text(0.01, 0.72, "", ha="left", va="top", fontsize=8, family="DejaVu Sans Mono")
        self.update(graph)
        localize(ax, self.lang)

    def update(self, graph: ComputationGraph) -> None:
        if graph.backward_steps:
            done, total = len(graph.backward_steps), len(graph.backward_order)
            title, body = label("backward_step", self.lang), str(graph.backward_steps[-1])
        elif graph.forward_steps:
            done, total = len(graph.forward_steps), len(graph.forward_order)
            title, body = label("forward_step", self.lang), str(graph.forward_steps[-1])
        elif graph.last_update is not None:
            done = total = 0
            title = label("updated", self.lang).format(lr=graph.last_update.learning_rate,
                                                       loss=graph.losses[-1])
            body = ""
        else:
            done = total = 0
            title, body = label("start", self.lang), ""
        self.title.set_text(title.format(done=done, total=total))
        self.body.set_text(body)


class ParameterTableView(View):
    """Every weight and bias: its value, its backprop gradient and, beside it, finite differences."""

    COLUMNS = (("parameter", 0.03, "left"), ("value", 0.35, "right"), ("backprop", 0.61, "right"),
               ("finite_difference", 0.87, "right"), ("agree", 0.95, "center"))

    def __init__(self, ax, graph: ComputationGraph, lang: str = "en"):
        self.ax, self.lang = ax, use_language(lang)
        quiet_axes(ax)
        ax.set_xlim(0, 1)
        n = len(graph.parameters)
        ax.set_ylim(n + 1.0, -0.8)
        for key, x, ha in self.COLUMNS:
            ax.text(x, -0.1, label(key, self.lang), ha=ha, va="center", fontsize=8, color="#34495e")
        self.cells = [[ax.text(x, row + 1.3, "", ha=ha, va="center", fontsize=8,
                               family="DejaVu Sans Mono" if key != "agree" else None)
                       for key, x, ha in self.COLUMNS] for row in range(n)]
        for row, p in enumerate(graph.parameters):
            self.cells[row][0].set_text(p.name)
        self.update(graph)
        localize(ax, self.lang)

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
