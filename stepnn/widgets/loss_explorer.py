"""LossExplorer: pick a loss function (손실함수), move the prediction and the label, and watch the
loss, its gradient dL/dy_pred, the tangent on the loss curve, and the clipping near 0 and 1.

    from stepnn.widgets.loss_explorer import LossExplorer
    LossExplorer("binary_crossentropy")
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .. import losses
from ..terms import phrase
from ..views.loss_curves import (PROBABILITY_YLIM, REGRESSION_RANGE, ClippingView, LossCurveView, LossPoint, gradient_text,
                                 kind_of, loss_point, number_text, vector_text)
from ..views.style import MAX_WIDTH_PX, MIN_TEXT_PX
from ._base import Dashboard, guarded
from .controls import refuse_no_choice, refuse_non_finite

__all__ = ["LossExplorer", "LOSS_OPTIONS"]

LOSS_OPTIONS = (("MSE (mean_squared_error)", "mean_squared_error"),
                ("MAE (mean_absolute_error)", "mean_absolute_error"),
                ("binary_crossentropy", "binary_crossentropy"),
                ("CEE (cross-entropy error)", "cee"),
                ("categorical_crossentropy", "categorical_crossentropy"),
                ("sparse_categorical_crossentropy", "sparse_categorical_crossentropy"))
N_CLASSES = 3
START_SCORES = (0.2, 0.5, 0.3)
WIDE = {"description_width": "initial"}  # show each control's whole label
DPI = 100
FIGSIZE = (MAX_WIDTH_PX / DPI, 3.4)  # inches: 832 x 340 px, the width of a notebook's output area


def _check_loss(loss) -> losses.Loss:
    fn = losses.get(loss)
    if fn.from_logits:
        raise ValueError(phrase("errors.widget.probabilities_only", fn=fn))
    return fn


class LossExplorer(Dashboard):
    """One loss function at one sample: value, gradient, curve with tangent, clipping.

    Args:
        loss: a Keras loss name or alias: "mse", "mae", "binary_crossentropy", "cee",
            "categorical_crossentropy", "sparse_categorical_crossentropy" (or their aliases).
        lang: "en" or "ko".
        live: ipympl canvas (True) or static PNG (False); default: live when ipympl is installed.
        scale: presentation scale of the figure's text (1 = laptop, 1.5 = projector).

    Attributes:
        point: the current ``LossPoint`` (value, gradient, slope of the tangent).
        loss_control: the loss dropdown. prediction, target: MSE/MAE sliders. probability, label:
        binary sliders. scores: the three class-score sliders. true_class: the class dropdown
        (sparse labels). one_hot: the class as a one-hot vector (categorical, CEE).
    """

    title_key = "LossExplorer"

    def __init__(self, loss="mse", lang: "str | None" = None, live: "bool | None" = None, scale: float = 1.0):
        fn = _check_loss(loss)
        super().__init__(lang, live, scale)
        self.loss = fn
        options = [(self.p("loss_explorer.cee_option"), name) if name == "cee" else (label, name)
                   for label, name in LOSS_OPTIONS]   # the one label in words, in the student's language
        self.loss_control = widgets.Dropdown(options=options, value=fn.name,
                                             description=self.t("loss_function"), style=WIDE)
        self.prediction = self._slider(0.5, *REGRESSION_RANGE, 0.01, self.t("prediction"), "prediction")
        self.target = self._slider(1.0, *REGRESSION_RANGE, 0.01, self.t("target"), "target")
        self.probability = self._slider(0.7, 0.0, 1.0, 0.001, "p", "probability")
        self.label = self._slider(1.0, 0.0, 1.0, 0.05, self._text("label"), "label")
        self.scores = [self._slider(v, 0.0, 1.0, 0.01, f"s{k}", f"score-{k}")
                       for k, v in enumerate(START_SCORES)]
        self.true_class = widgets.Dropdown(options=list(range(N_CLASSES)), value=1,
                                           description=self._text("true_class"), style=WIDE)
        self.one_hot = widgets.ToggleButtons(
            options=[(str(np.eye(N_CLASSES, dtype=int)[k].tolist()), k) for k in range(N_CLASSES)],
            value=1, description=self._text("one_hot"), style=WIDE)
        self.loss_control.add_class("stepnn-loss-explorer-loss")
        self.true_class.add_class("stepnn-loss-explorer-true-class")
        self.one_hot.add_class("stepnn-loss-explorer-one-hot")
        self._boxes = {
            "regression": widgets.VBox([self.prediction, self.target]),
            "binary": widgets.VBox([self.probability, self.label]),
            "categorical": widgets.VBox([widgets.HTML(self._text("scores")), *self.scores]),
        }
        self.inputs = widgets.VBox()
        fig, view = self.new_figure((FIGSIZE[0], FIGSIZE[1] * self.scale), dpi=DPI)  # larger text: taller
        self.point = self._read_point(fn)
        fs = self.font(MIN_TEXT_PX, DPI)
        grid = fig.add_gridspec(1, 2, width_ratios=[1.45, 1])
        self.curve_view = LossCurveView(fig.add_subplot(grid[0]), self.point, self.lang, fontsize=fs)
        self.clip_view = ClippingView(fig.add_subplot(grid[1]), self.point, self.lang, fontsize=fs)
        self.views = [self.curve_view, self.clip_view]
        self.localize()
        # laid out once, for these font sizes (no layout at each redraw), with the curve's widest
        # tick labels in place: a loss near 16 ("17.5") and a prediction of -3 ("−3")
        self.curve_view.ax.set_xlim(*REGRESSION_RANGE)
        self.curve_view.ax.set_ylim(*PROBABILITY_YLIM)
        fig.tight_layout(pad=0.4, w_pad=1.5)
        # MSE and MAE take no logarithm: the curve takes the clipping chart's room
        beside, right = self.curve_view.ax.get_position(), self.clip_view.ax.get_position()
        self._positions = {"beside": beside, "alone": beside.from_extents(beside.x0, beside.y0,
                                                                          right.x1, beside.y1)}
        self.readout = widgets.HTML()
        self.readout.add_class("stepnn-loss-explorer-readout")
        self.loss_control.observe(self._on_loss, names="value")
        for control in (self.prediction, self.target, self.probability, self.label, *self.scores):
            control.observe(self._on_control, names="value")
        self.true_class.observe(self._on_class, names="value")
        self.one_hot.observe(self._on_class, names="value")
        self.widget = widgets.VBox([self.loss_control, self.inputs, view, self.readout, self.message])
        self.widget.add_class("stepnn-loss-explorer")
        self._arrange()
        self._show()

    # ---------------------------------------------------------------- helpers
    def _text(self, key: str) -> str:
        return self.p(f"loss_explorer.{key}")

    def _slider(self, value, low, high, step, description, name) -> widgets.FloatSlider:
        slider = widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                                     readout_format=".3f", continuous_update=self.live,
                                     style=WIDE)
        slider.add_class(f"stepnn-loss-explorer-{name}")
        return slider

    def _arrange(self) -> None:
        kind = kind_of(self.loss)
        extra = ([] if kind != "categorical" else
                 [self.true_class if self.loss.name == "sparse_categorical_crossentropy" else self.one_hot])
        self.inputs.children = (self._boxes[kind], *extra)
        self.clip_view.ax.set_visible(kind != "regression")
        self.curve_view.ax.set_position(self._positions["alone" if kind == "regression" else "beside"])

    def _read_point(self, fn: losses.Loss) -> LossPoint:
        """The point the controls describe, for loss ``fn``."""
        kind = kind_of(fn)
        if kind == "regression":
            return loss_point(fn, [[self.target.value]], [[self.prediction.value]])
        if kind == "binary":
            return loss_point(fn, [[self.label.value]], [[self.probability.value]])
        scores = np.array([s.value for s in self.scores])
        if scores.sum() <= 0:
            raise ValueError(self._text("zero_scores").format(k=N_CLASSES))
        t = self.true_class.value
        y = np.array([t]) if fn.name == "sparse_categorical_crossentropy" else np.eye(N_CLASSES)[[t]]
        return loss_point(fn, y, scores[None, :] / scores.sum())

    # ------------------------------------------------------------ controller
    def set_loss(self, loss) -> None:
        """Switch to another loss function (name or alias); the controls follow its kind."""
        fn = _check_loss(loss)
        self.point, self.loss = self._read_point(fn), fn
        self.loss_control.value = fn.name  # its handler sees the loss already set
        self._arrange()
        self._show()

    @guarded
    def _on_loss(self, change) -> None:
        if change["new"] == self.loss.name:
            return
        refused = refuse_no_choice(self.loss_control, change, self.loss_control.description, self.lang)
        if refused:
            self.show_info(refused, tone="error")
            return
        try:
            self.set_loss(change["new"])
        except Exception:
            self.loss_control.value = self.loss.name  # keep showing the loss the views show
            raise

    @guarded
    def _on_class(self, change) -> None:
        refused = refuse_no_choice(change["owner"], change, change["owner"].description, self.lang)
        if refused:  # None from code: the control goes back (and refreshes), the message says why
            self.show_info(refused, tone="error")
            return
        # the dropdown (sparse) and the one-hot buttons (categorical) are one true class: the
        # first change moves the other control, whose own change then refreshes once
        if self.true_class.value != self.one_hot.value:
            self.true_class.value = self.one_hot.value = change["new"]
            return
        self.refresh()

    def _on_control(self, change) -> None:
        refused = refuse_non_finite(change["owner"], change, change["owner"].description, self.lang)
        if refused:  # NaN from code: the slider goes back (and refreshes), the message says why
            self.show_info(refused, tone="error")
            return
        self.refresh()

    @guarded
    def refresh(self) -> None:
        """Read the controls, update every view, redraw once."""
        self.point = self._read_point(self.loss)
        self._show()

    def _show(self) -> None:
        for view in self.views:
            view.update(self.point)
        self.readout.value = self._readout()
        self.message.value = ""
        self.redraw()

    def _readout(self) -> str:
        p = self.point
        task = self.p(f"loss_explorer.task.{p.loss.name}")
        lines = [f"<b>{html.escape(p.loss.name)}</b> &mdash; {self._text('task')}: {html.escape(task)}",
                 f"L = {p.value:.4f} &nbsp; dL/dy_pred = {gradient_text(p)}"]
        if p.kind == "regression":
            lines.append(self._text("no_log"))
        else:
            lines.append(self._text("clip_note"))
        if p.kind == "categorical":
            scores = np.array([[s.value for s in self.scores]])
            one_hot = np.eye(N_CLASSES)[[p.true_class]]
            lines.append(f"p = {vector_text(p.y_pred[0])} &nbsp; dL/dq = {number_text(p.slope)}")
            lines.append(self._text("same").format(cee=losses.cee(one_hot, p.y_pred),
                                                   cce=losses.categorical_crossentropy(one_hot, p.y_pred)))
            if not np.isclose(scores.sum(), 1.0):
                lines.append(self._text("raw").format(total=scores.sum(), cee=losses.cee(one_hot, scores),
                                                      cce=losses.categorical_crossentropy(one_hot, scores)))
        return "<br>".join(lines)

    def describe(self) -> str:
        return self.stand_in(self.p("dashboard.loss_explorer", title=self.title,
                                    loss=self.point.loss.name, value=self.point.value))
