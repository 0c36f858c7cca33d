"""ChainRule: backpropagation (역전파) one node at a time on a 2-2-1 network, with the chain rule
(연쇄 법칙) written out at every node and every weight's gradient checked by finite differences.

    from stepnn.widgets.chain_rule import ChainRule
    ChainRule(seed=0)
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .._checks import positive_float
from ..chain import ComputationGraph
from ..terms import phrase
from ..trainer import PhaseError
from ..views.graph import GraphView, ParameterTableView, StepView
from ..views.style import MAX_WIDTH_PX
from ._base import Dashboard, guarded
from .controls import refuse_no_choice, row

__all__ = ["ChainRule", "LOSS_CHOICES", "LEARNING_RATES", "learning_rates"]

LOSS_CHOICES = (("MSE", "mean_squared_error"), ("binary_crossentropy", "binary_crossentropy"))
MAX_SEED = 10**6
WIDE = {"description_width": "initial"}  # show each control's whole label
DPI = 100
GRAPH_HEIGHT = 3.4   # inches at scale 1
ROW_EM = 1.6         # a table row, in text heights
STEP_LINES = 5       # the longest step: a node and the three weights into it, and a note
STEP_CHARS = 100     # about the longest equation line
# the learning rates the slider offers: 1-2-5 steps from 0.001 to 10 (the slider shows them exactly)
LEARNING_RATES = tuple(m * 10.0 ** e for e in range(-3, 1) for m in (1, 2, 5)) + (10.0,)


def learning_rates(lr: float) -> list[tuple[str, float]]:
    """The slider's options: ``LEARNING_RATES`` with ``lr`` among them, as (label, value) pairs."""
    values = sorted(set(LEARNING_RATES) | {lr})
    return [(f"{v:g}", v) for v in values]


class ChainRule(Dashboard):
    """The computation graph of a 2-2-1 sigmoid network on one sample, stepped by buttons.

    Args:
        lang: "en" or "ko".
        live: ipympl canvas (True) or static PNG (False); default: live when ipympl is installed.
        seed: which example (input, target, weights); whole number 0..1,000,000.
        loss: "mse" (default) or "binary_crossentropy".
        learning_rate: the Update button's learning rate (학습률), 0.001..10.
        scale: presentation scale of every text (1 = laptop, 1.5 = projector).

    Attributes:
        graph: the ``stepnn.chain.ComputationGraph`` the buttons drive.
        buttons: {"forward", "forward_all", "backward", "backward_all", "update", "reset",
        "new_example"} -> Button. learning_rate_control, seed_control, loss_control: the controls.
    """

    title_key = "ChainRule"

    def __init__(self, lang: "str | None" = None, live: "bool | None" = None, seed: int = 0, loss="mse",
                 learning_rate: float = 0.5, scale: float = 1.0):
        graph = ComputationGraph.example(seed, loss)  # checks seed and loss first
        lr = positive_float("learning_rate", learning_rate)
        if not 1e-3 <= lr <= 10:
            raise ValueError(phrase("errors.widget.slider_learning_rate", lang, value=learning_rate))
        if seed > MAX_SEED:
            raise ValueError(phrase("errors.widget.seed_range", lang, most=MAX_SEED, seed=seed))
        super().__init__(lang, live, scale)
        self.graph = graph
        # larger text (a projector's scale) takes more height, never more width: the table's two
        # groups of rows go one under the other, the equations wrap onto more lines, and each
        # weight's name stands over its value in the diagram
        text_in = self.scale * 12 / DPI            # one text height, in inches
        groups = 2 if self.scale <= 1.2 else 1
        columns = 0.96 * MAX_WIDTH_PX / (0.6 * 12 * self.scale)
        lines = STEP_LINES * int(np.ceil(STEP_CHARS / columns)) + 1.5
        heights = [GRAPH_HEIGHT * self.scale,
                   ParameterTableView.rows(len(graph.parameters), groups) * ROW_EM * text_in,
                   (lines * 1.35 + 1) * text_in]
        total = sum(heights)
        fig, view = self.new_figure((MAX_WIDTH_PX / DPI, total), dpi=DPI)
        fs = self.font(dpi=DPI)
        tops = [1 - sum(heights[:k]) / total for k in range(3)]  # each band's top, as a figure fraction
        band = [h / total for h in heights]
        self.graph_view = GraphView(fig.add_axes([0.0, tops[0] - band[0], 1.0, band[0]]), graph,
                                    self.lang, fontsize=fs, stacked=groups == 1)
        self.table_view = ParameterTableView(fig.add_axes([0.02, tops[1] - band[1], 0.96, band[1]]), graph,
                                             self.lang, fontsize=fs, groups=groups)
        self.step_view = StepView(fig.add_axes([0.02, tops[2] - band[2], 0.96, band[2] * 0.95]), graph,
                                  self.lang, fontsize=fs)
        self.views = [self.graph_view, self.table_view, self.step_view]
        actions = {"forward": self.forward_step, "forward_all": self.forward_all,
                   "backward": self.backward_step, "backward_all": self.backward_all,
                   "update": self.update, "reset": self.reset, "new_example": self.new_example}
        self.buttons = {}
        for name, action in actions.items():
            button = widgets.Button(description=self._text(name))
            button.add_class(f"stepnn-chain-{name.replace('_', '-')}")
            button.on_click(lambda _, act=action: act())
            self.buttons[name] = button
        # a selection of exact values: a slider of floats would land on 0.501 for 0.5, and could
        # be given NaN from code; this one takes only its options
        self.learning_rate_control = widgets.SelectionSlider(options=learning_rates(lr), value=lr,
                                                             description=self.t("learning_rate"),
                                                             continuous_update=False, style=WIDE)
        self.seed_control = widgets.BoundedIntText(value=seed, min=0, max=MAX_SEED,
                                                   description=self.t("seed"), style=WIDE)
        self.loss_control = widgets.ToggleButtons(options=LOSS_CHOICES, value=graph.loss.name,
                                                  description=self.t("loss_function"), style=WIDE)
        for control, name in ((self.learning_rate_control, "learning-rate"),
                              (self.seed_control, "seed"), (self.loss_control, "loss")):
            control.add_class(f"stepnn-chain-{name}")
        self.seed_control.observe(self._on_example, names="value")
        self.loss_control.observe(self._on_loss, names="value")
        b = self.buttons
        self.widget = widgets.VBox([
            row([b["forward"], b["forward_all"], b["backward"], b["backward_all"]]),
            row([self.learning_rate_control, b["update"], b["reset"]]),
            row([self.seed_control, b["new_example"], self.loss_control]),
            self.message, view])
        self.widget.add_class("stepnn-chain-rule")
        self.localize()
        self._show()

    def _text(self, key: str) -> str:
        return self.p(f"chain_rule.{key}")

    # ------------------------------------------------------------ controller
    def _show(self, note: str = "", tone: str = "info") -> None:
        """Update every view from the graph, then redraw once."""
        for view in self.views:
            view.update(self.graph)
        if note:
            self.show_info(note, tone)
        else:
            self.message.value = ""
        self.redraw()

    def _phase(self, step, action: str) -> None:
        """Run a graph step of ``action`` ("forward", "backward" or "update"); a step out of order
        is a note for the student, in the dashboard's language, not a failure."""
        try:
            step()
        except PhaseError:
            self._show(self._refusal(action), "warn")
            return
        self._show(self._status())

    def _refusal(self, action: str) -> str:
        """Why ``action`` cannot run now (the graph's own PhaseError says the same in English)."""
        g = self.graph
        if action == "forward":
            return self._text("forward_complete")
        if action == "backward" and not g.forward_done:
            return self._text("forward_first").format(done=len(g.forward_steps), total=len(g.forward_order),
                                                      next=g.next_forward)
        if action == "backward":
            return self._text("backward_complete")
        return self._text("backward_first").format(done=len(g.backward_steps), total=len(g.backward_order))

    def _status(self) -> str:
        g = self.graph
        if g.last_update is not None and not g.forward_steps:
            return self._text("updated").format(lr=g.last_update.learning_rate)
        if g.backward_done:
            return self._text("backward_done")
        if g.forward_done and not g.backward_steps:
            before = (self._text("before").format(loss=g.losses[-2])
                      if g.last_update is not None and len(g.losses) > 1 else "")
            return self._text("forward_done").format(loss=g.loss_value, before=before)
        return ""

    @guarded
    def forward_step(self) -> None:
        """Compute one more node's value."""
        self._phase(self.graph.forward_step, "forward")

    @guarded
    def forward_all(self) -> None:
        # one step first: when none is left, it says so
        self._phase(lambda: (self.graph.forward_step(), self.graph.forward()), "forward")

    @guarded
    def backward_step(self) -> None:
        """Move the gradient one node back (chain rule at that node)."""
        self._phase(self.graph.backward_step, "backward")

    @guarded
    def backward_all(self) -> None:
        self._phase(lambda: (self.graph.backward_step(), self.graph.backward()), "backward")

    @guarded
    def update(self) -> None:
        """w <- w - learning_rate x dL/dw for all 9 parameters."""
        self._phase(lambda: self.graph.update(self.learning_rate_control.value), "update")

    @guarded
    def reset(self) -> None:
        """Back to this example's first weights, nothing computed."""
        self.graph = ComputationGraph.example(self.seed_control.value, self.loss_control.value)
        self._show()

    @guarded
    def new_example(self) -> None:
        """The next seed: another input, target and set of weights."""
        # the seed control's observer rebuilds the graph
        self.seed_control.value = (self.seed_control.value + 1) % (MAX_SEED + 1)

    @guarded
    def _on_example(self, change) -> None:
        self.reset()

    @guarded
    def _on_loss(self, change) -> None:
        g = self.graph
        if change["new"] == g.loss.name:   # put back after a refusal: nothing new
            return
        refused = refuse_no_choice(self.loss_control, change, self.loss_control.description, self.lang)
        if refused:
            self.show_info(refused, tone="error")
            return
        # same sample, same (possibly updated) weights; only the loss at the end changes
        self.graph = ComputationGraph(g.x, g.y, g.weights, change["new"])
        self._show()

    def describe(self) -> str:
        g = self.graph
        return self.stand_in(self.p(
            "dashboard.chain_rule", title=self.title, seed=self.seed_control.value, loss=g.loss.name,
            forward=f"{len(g.forward_steps)}/{len(g.forward_order)}",
            backward=f"{len(g.backward_steps)}/{len(g.backward_order)}"))
