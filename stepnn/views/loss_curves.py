"""Views of one loss function (손실함수) at one point: its curve over the prediction with the
tangent whose slope is the gradient, and what clipping probabilities to [1e-7, 1 - 1e-7] does.

Every number comes from ``stepnn.losses``, the functions the trainer uses. A point is described by
``LossPoint``; ``loss_point`` computes one and ``curve`` evaluates the loss along the curve drawn
through it:
- one output (MSE, MAE, binary cross-entropy): the curve is the loss over the prediction y_pred;
- three classes (CEE, categorical and sparse categorical cross-entropy): the curve is the loss over
  q, the probability given to the true class, the other classes keeping their shares of 1 - q.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import losses
from ..terms import phrase
from ._base import View, localize, use_language
from .style import MIN_TEXT_PX, OKABE_ITO, font_points

__all__ = ["LossPoint", "loss_point", "curve", "along_true_class", "kind_of", "max_clipped_loss",
           "is_clipped", "LossCurveView", "ClippingView", "REGRESSION_RANGE", "vector_text",
           "number_text", "gradient_text", "COLORS"]

REGRESSION_RANGE = (-3.0, 3.0)  # predictions shown for MSE and MAE
KINDS = {"mean_squared_error": "regression", "mean_absolute_error": "regression",
         "binary_crossentropy": "binary", "categorical_crossentropy": "categorical",
         "sparse_categorical_crossentropy": "categorical", "cee": "categorical"}
PROBABILITY_YLIM = (-0.6, 18.0)
# one meaning per colour (Okabe-Ito): the loss, its tangent (the gradient), the current point,
# what clipping flattens (gradient 0), reference lines
COLORS = {"loss": OKABE_ITO["blue"], "tangent": OKABE_ITO["orange"], "point": OKABE_ITO["black"],
          "clipped": OKABE_ITO["vermillion"], "reference": "#888888"}

def _label(key: str, lang: str) -> str:
    return phrase(f"loss_views.{key}", lang)


def kind_of(loss: losses.Loss) -> str:
    """"regression", "binary" or "categorical": which curve and which controls fit ``loss``."""
    return KINDS[loss.name]


def is_clipped(point: "LossPoint") -> bool:
    """The probability given to the correct answer lies where clipping holds it (below 1e-7 or
    above 1 - 1e-7): the loss is flat there and its gradient is 0. Never for MSE and MAE."""
    p = ClippingView.correct_probability(point)
    return p is not None and not losses.EPSILON < p < 1.0 - losses.EPSILON


def max_clipped_loss() -> float:
    """-log(EPSILON): the largest value a clipped log term can reach (about 16.118)."""
    return float(-np.log(losses.EPSILON))


@dataclass(frozen=True, eq=False)
class LossPoint:
    """One evaluation of a loss at one sample.

    Attributes:
        loss: the Loss; kind: "regression", "binary" or "categorical".
        y_true: (1, k) targets, or (1,) integer class labels for the sparse loss.
        y_pred: (1, k) the prediction (probabilities summing to 1 for the categorical kinds).
        value: loss(y_true, y_pred); gradient: dL/dy_pred, (1, k).
        true_class: the index of the true class (categorical kinds), else None.
        x: where the point sits on its curve: y_pred itself (k = 1) or q = y_pred[true_class].
        slope: dL/dx along the curve: the tangent's slope.
    """
    loss: losses.Loss
    kind: str
    y_true: np.ndarray
    y_pred: np.ndarray
    value: float
    gradient: np.ndarray
    true_class: "int | None"
    x: float
    slope: float

    def __repr__(self) -> str:
        return (f"LossPoint({self.loss.name}: y_true={self.y_true.tolist()}, "
                f"y_pred={np.round(self.y_pred, 4).tolist()}, L={self.value:.6g}, "
                f"dL/dy_pred={np.round(self.gradient, 6).tolist()}, slope={self.slope:.6g})")


def _shares(y_pred: np.ndarray, true_class: int) -> np.ndarray:
    """How the other classes split 1 - q: their shares (k,), 0 for the true class."""
    rest = y_pred[0].astype(np.float64).copy()
    rest[true_class] = 0.0
    total = rest.sum()
    if total > 0:
        return rest / total
    share = np.full(rest.shape, 1.0 / (rest.size - 1))
    share[true_class] = 0.0
    return share


def along_true_class(y_pred: np.ndarray, true_class: int, qs) -> np.ndarray:
    """Predictions (m, 1, k) whose true class gets q (for each q in qs), the others their shares."""
    qs = np.asarray(qs, dtype=np.float64).reshape(-1, 1)
    one_hot = np.eye(y_pred.shape[-1])[true_class]
    return (qs * one_hot + (1.0 - qs) * _shares(y_pred, true_class))[:, None, :]


def loss_point(loss, y_true, y_pred) -> LossPoint:
    """Evaluate ``loss`` at one sample: y_pred (1, k) or (k,); y_true as the loss expects it.

    For the categorical kinds y_pred must be probabilities that sum to 1 (normalise scores first).
    """
    fn = losses.get(loss)
    kind = kind_of(fn)
    y_pred = np.atleast_2d(np.asarray(y_pred, dtype=np.float64))
    y_true = fn.check_labels(y_true, y_pred.shape[-1])
    if y_pred.shape[0] != 1:
        raise ValueError(phrase("errors.view_loss_point_shape", shape=y_pred.shape))
    if kind == "categorical" and not np.isclose(y_pred.sum(), 1.0):
        raise ValueError(phrase("errors.view_loss_point_sum", loss=fn.name, values=y_pred[0].tolist(),
                                total=y_pred.sum()))
    value = fn(y_true, y_pred)
    gradient = fn.gradient(y_true, y_pred)
    if kind == "categorical":
        true_class = int(y_true[0]) if y_true.ndim == 1 else int(np.argmax(y_true[0]))
        # dp/dq: the true class gains what the others give up, each in proportion to its share
        direction = np.eye(y_pred.shape[-1])[true_class] - _shares(y_pred, true_class)
        x, slope = float(y_pred[0, true_class]), float(gradient[0] @ direction)
    else:
        true_class, x, slope = None, float(y_pred[0, 0]), float(gradient[0, 0])
    return LossPoint(fn, kind, y_true, y_pred, value, gradient, true_class, x, slope)


def curve(point: LossPoint, xs) -> np.ndarray:
    """The loss along the point's curve at each x in ``xs`` (m,): shape (m,)."""
    xs = np.asarray(xs, dtype=np.float64)
    if point.kind == "categorical":
        preds = along_true_class(point.y_pred, point.true_class, xs)
    else:
        preds = xs.reshape(-1, 1, 1)
    return point.loss.per_sample(point.y_true, preds)[:, 0]


def _grid(kind: str) -> np.ndarray:
    if kind == "regression":
        return np.linspace(*REGRESSION_RANGE, 601)
    return np.linspace(0.0, 1.0, 1001)


class LossCurveView(View):
    """The loss over the prediction, the current point, and the tangent there (slope = gradient).

    Two short texts above the axes: the loss value, and the slope in the tangent's colour; where
    clipping holds the probability, a third says the gradient is 0.
    ``fontsize`` (points) is the size of every text (see ``stepnn.views.style.font_points``).
    """

    def __init__(self, ax, point: LossPoint, lang: "str | None" = None, fontsize: "float | None" = None):
        self.ax, self.lang = ax, use_language(lang)
        fs = self.fontsize = fontsize or font_points(MIN_TEXT_PX, ax.figure.dpi)
        self.line, = ax.plot([], [], color=COLORS["loss"], lw=2.2)
        self.tangent, = ax.plot([], [], color=COLORS["tangent"], lw=2.2, ls="--")
        self.marker, = ax.plot([], [], "o", color=COLORS["point"], ms=8, zorder=4)
        self.cap = ax.axhline(max_clipped_loss(), color=COLORS["reference"], lw=0.8, ls=":")
        # above the axes, where no curve runs: the value (left) and the slope (right, the tangent's
        # colour); in the middle of the axes, the clipped note (the curve is low there whenever
        # the point is clipped: it sits at the top of a tall chart)
        self.value_text = ax.text(0.0, 1.03, "", transform=ax.transAxes, va="bottom", fontsize=fs)
        self.slope_text = ax.text(1.0, 1.03, "", transform=ax.transAxes, va="bottom", ha="right",
                                  fontsize=fs, color=COLORS["tangent"])
        self.clip_text = ax.text(0.5, 0.55, _label("clipped_here", self.lang), transform=ax.transAxes,
                                 ha="center", va="center", fontsize=fs, color=COLORS["clipped"],
                                 bbox=dict(fc="white", ec=COLORS["clipped"], pad=3))
        self.readout = self.value_text  # the text that names the loss value
        ax.set_ylabel(self.t("loss"), fontsize=fs)
        ax.tick_params(labelsize=fs)
        ax.grid(alpha=0.3)
        self.update(point)
        localize(ax, self.lang)

    def update(self, point: LossPoint) -> None:
        xs = _grid(point.kind)
        ys = curve(point, xs)
        self.line.set_data(xs, ys)
        self.marker.set_data([point.x], [point.value])
        if point.kind == "regression":
            low, high = -0.05 * max(float(ys.max()), 1.0), 1.08 * max(float(ys.max()), 1.0)
        else:  # room for the point, up to the finite maximum -log(1e-7)
            low, high = PROBABILITY_YLIM[0], min(max(4.0, 1.2 * point.value), PROBABILITY_YLIM[1])
        half = min(0.2 * (xs[-1] - xs[0]), 0.3 * (high - low) / max(abs(point.slope), 1e-12))
        tx = np.array([point.x - half, point.x + half])
        self.tangent.set_data(tx, point.value + point.slope * (tx - point.x))
        self.cap.set_visible(point.kind != "regression")
        self.ax.set_xlim(xs[0], xs[-1])
        self.ax.set_ylim(low, high)
        self.ax.set_xlabel(_label("true_class_probability", self.lang) if point.kind == "categorical"
                           else self.t("prediction") + " y_pred", fontsize=self.fontsize)
        self.value_text.set_text(f"L = {point.value:.4f}")
        self.slope_text.set_text(_label("slope", self.lang).format(
            name="dL/dq" if point.kind == "categorical" else "dL/dy_pred", v=number_text(point.slope)))
        self.clip_text.set_visible(is_clipped(point))


def number_text(value: float) -> str:
    """A number with 4 significant digits, never -0: "-1.429"."""
    return f"{float(value) + 0.0:.4g}"


def vector_text(values) -> str:
    """[0.2, -1.5] with 4 significant digits (and no -0)."""
    return "[" + ", ".join(number_text(v) for v in values) + "]"


def gradient_text(point: LossPoint) -> str:
    """dL/dy_pred as a student writes it: a plain number for one output, a vector for several."""
    g = np.asarray(point.gradient)[0]
    return number_text(g[0]) if g.size == 1 else vector_text(g)


class ClippingView(View):
    """-log(p) against -log(clip(p, 1e-7, 1 - 1e-7)) on a log scale near p = 0: the flat region
    (gradient 0) and the finite maximum -log(1e-7), with the current point (the probability given
    to the correct answer). A loss without a logarithm (MSE, MAE) has nothing to show here: the
    owner hides these axes."""

    def __init__(self, ax, point: LossPoint, lang: "str | None" = None, fontsize: "float | None" = None):
        self.ax, self.lang = ax, use_language(lang)
        fs = self.fontsize = fontsize or font_points(MIN_TEXT_PX, ax.figure.dpi)
        ps = np.logspace(-10, 0, 400)
        clipped = losses.get("cee").per_sample(np.ones((1, 1)), ps.reshape(-1, 1, 1))[:, 0]
        top = max_clipped_loss()
        ax.set_xscale("log")
        self.span = ax.axvspan(1e-10, losses.EPSILON, color=COLORS["clipped"], alpha=0.15, lw=0)
        self.unclipped, = ax.plot(ps, -np.log(ps), color=COLORS["reference"], ls="--", lw=1.5,
                                  label=_label("unclipped", self.lang))
        self.clipped, = ax.plot(ps, clipped, color=COLORS["loss"], lw=2.2, label=_label("clipped", self.lang))
        ax.axhline(top, color=COLORS["reference"], lw=0.8, ls=":")
        self.flat_text = ax.text(10 ** -8.5, 4.0, _label("flat", self.lang), fontsize=fs,
                                 color=COLORS["clipped"], ha="center", va="bottom")
        self.max_text = ax.text(1e-4, top + 0.5, _label("max", self.lang).format(v=top), fontsize=fs,
                                va="bottom")
        self.marker, = ax.plot([], [], "o", color=COLORS["point"], ms=8, zorder=4)
        ax.set_xlim(3e-11, 3.0)  # room for the point at p = 0 (shown at 1e-10) and at p = 1
        ax.set_ylim(-0.6, 24.5)
        ax.set_xticks([1e-10, 1e-7, 1e-4, 1e-1], ["1e-10", "1e-7", "1e-4", "0.1"])  # plain text: no mathtext
        ax.set_yticks([0, 8, 16])
        ax.minorticks_off()
        ax.tick_params(labelsize=fs)
        ax.set_xlabel(_label("correct_p", self.lang), fontsize=fs)
        ax.set_title(_label("clip_title", self.lang), fontsize=fs)
        # upper right: where p is near 1 the loss is near 0, so no curve runs there
        ax.legend(loc="upper right", fontsize=fs, frameon=False, handlelength=1.6)
        self.update(point)
        localize(ax, self.lang)

    @staticmethod
    def correct_probability(point: LossPoint) -> "float | None":
        """The probability the prediction gives to the correct answer (None for regression)."""
        if point.kind == "categorical":
            return point.x
        if point.kind == "binary":
            return point.x if point.y_true[0, 0] >= 0.5 else 1.0 - point.x
        return None

    def update(self, point: LossPoint) -> None:
        p = self.correct_probability(point)
        if p is None:
            self.marker.set_data([], [])
            return
        shown = max(p, 1e-10)
        value = float(losses.get("cee").per_sample(np.ones((1, 1)), np.array([[[shown]]]))[0, 0])
        self.marker.set_data([shown], [value])
