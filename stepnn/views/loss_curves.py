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

__all__ = ["LossPoint", "loss_point", "curve", "along_true_class", "kind_of", "max_clipped_loss",
           "LossCurveView", "ClippingView", "REGRESSION_RANGE", "vector_text"]

REGRESSION_RANGE = (-3.0, 3.0)  # predictions shown for MSE and MAE
KINDS = {"mean_squared_error": "regression", "mean_absolute_error": "regression",
         "binary_crossentropy": "binary", "categorical_crossentropy": "categorical",
         "sparse_categorical_crossentropy": "categorical", "cee": "categorical"}
PROBABILITY_YLIM = (-0.6, 18.0)

def _label(key: str, lang: str) -> str:
    return phrase(f"loss_views.{key}", lang)


def kind_of(loss: losses.Loss) -> str:
    """"regression", "binary" or "categorical": which curve and which controls fit ``loss``."""
    return KINDS[loss.name]


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
        raise ValueError(f"loss_point evaluates one sample: y_pred must have shape (1, k); received "
                         f"{y_pred.shape}.")
    if kind == "categorical" and not np.isclose(y_pred.sum(), 1.0):
        raise ValueError(f"for {fn.name} the prediction must be probabilities that sum to 1; "
                         f"received {y_pred[0].tolist()} (sum {y_pred.sum():.4g}). Divide by the sum.")
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
    """The loss over the prediction, the current point, and the tangent there (slope = gradient)."""

    def __init__(self, ax, point: LossPoint, lang: str = "en"):
        self.ax, self.lang = ax, use_language(lang)
        self.line, = ax.plot([], [], color="#1f618d", lw=2)
        self.tangent, = ax.plot([], [], color="#e67e22", lw=1.8, ls="--")
        self.marker, = ax.plot([], [], "o", color="#b03a2e", ms=8, zorder=4)
        self.cap = ax.axhline(max_clipped_loss(), color="#7f8c8d", lw=0.8, ls=":")
        self.readout = ax.text(0.3, 0.97, "", transform=ax.transAxes, ha="left", va="top", fontsize=9,
                               bbox=dict(fc="white", ec="#d5d8dc", alpha=0.9))
        ax.set_ylabel(self.t("loss"))
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
                           else self.t("prediction") + " y_pred")
        slope = (f"dL/dy_pred = {vector_text(point.gradient[0])}" if point.kind != "categorical" else
                 f"dL/dy_pred = {vector_text(point.gradient[0])}\ndL/dq = {point.slope + 0.0:.4g}")
        tangent = _label("tangent_q" if point.kind == "categorical" else "tangent", self.lang)
        self.readout.set_text(f"{point.loss.name}\nL = {point.value:.4f}\n{slope}\n- - {tangent}")


def vector_text(values) -> str:
    """[0.2, -1.5] with 4 significant digits (and no -0)."""
    return "[" + ", ".join(f"{v + 0.0:.4g}" for v in values) + "]"


class ClippingView(View):
    """-log(p) against -log(clip(p, 1e-7, 1 - 1e-7)) on a log scale near p = 0: the flat region and
    the finite maximum -log(1e-7), with the current point (the probability given to the correct
    answer)."""

    def __init__(self, ax, point: LossPoint, lang: str = "en"):
        self.ax, self.lang = ax, use_language(lang)
        ps = np.logspace(-10, 0, 400)
        clipped = losses.get("cee").per_sample(np.ones((1, 1)), ps.reshape(-1, 1, 1))[:, 0]
        top = max_clipped_loss()
        ax.set_xscale("log")
        self.span = ax.axvspan(1e-10, losses.EPSILON, color="#f5b7b1", alpha=0.5)
        self.unclipped, = ax.plot(ps, -np.log(ps), color="#7f8c8d", ls="--", lw=1.2,
                                  label=_label("unclipped", self.lang))
        self.clipped, = ax.plot(ps, clipped, color="#1f618d", lw=2, label=_label("clipped", self.lang))
        ax.axhline(top, color="#7f8c8d", lw=0.8, ls=":")
        ax.text(3e-10, 2.0, _label("flat", self.lang), fontsize=8, color="#922b21", rotation=90, va="bottom")
        self.max_text = ax.text(1e-6, top + 0.6, _label("max", self.lang).format(v=top), fontsize=8)
        ax.text(4e-6, top - 0.8, _label("other_end", self.lang).format(v=top), fontsize=7, color="#566573",
                va="top")
        self.marker, = ax.plot([], [], "o", color="#b03a2e", ms=8, zorder=4)
        self.note = ax.text(0.5, 0.5, _label("no_log", self.lang), transform=ax.transAxes, ha="center",
                            va="center", fontsize=10, bbox=dict(fc="white", ec="#d5d8dc"))
        ax.set_xlim(1e-10, 1.0)
        ax.set_ylim(-0.6, 24.5)
        ax.set_xticks([1e-10, 1e-7, 1e-4, 1e-1], ["1e-10", "1e-7", "1e-4", "0.1"])  # plain text: no mathtext
        ax.minorticks_off()
        ax.set_xlabel(_label("correct_p", self.lang))
        ax.set_title(_label("clip_title", self.lang), fontsize=10)
        ax.legend(loc="upper right", fontsize=7)
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
        self.note.set_visible(p is None)
        if p is None:
            self.marker.set_data([], [])
            return
        shown = max(p, 1e-10)
        value = float(losses.get("cee").per_sample(np.ones((1, 1)), np.array([[[shown]]]))[0, 0])
        self.marker.set_data([shown], [value])
