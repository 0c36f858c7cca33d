"""The loss curve: the batch loss of every iteration, epoch boundaries, and per epoch the mean
training loss and (with validation data) the validation loss.

Limits move in coarse steps (the x range doubles, the y range snaps to 1, 2 or 5 x 10^k) and
are written at the axes' corners instead of tick labels (text is what an Agg redraw spends its
time on); the key is coloured words instead of a legend. A blitting owner redraws the curves
over its kept background; a change of limits redraws the whole figure. Epoch boundaries are one
LineCollection in axes-height coordinates, so they never depend on the y range.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.collections import LineCollection

from ._base import View, add_title, localize, quiet_axes, use_language

__all__ = ["LearningCurveView", "epoch_ends", "nice_ceiling"]

def nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 5 x 10^k that is >= x (x > 0); x itself near the float limit."""
    k = math.floor(math.log10(x))
    if k >= 307:
        return float(x)
    return next(m * 10.0 ** k for m in (1, 2, 5, 10) if m * 10.0 ** k >= x * (1 - 1e-12))


def epoch_ends(history) -> np.ndarray:
    """Global iteration number of the last iteration of every finished epoch, (n_epochs,)."""
    epochs = history.iteration_epochs
    n = len(history.epochs)
    if n == 0 or len(epochs) == 0:
        return np.zeros(0)
    globals_ = history.global_iterations
    last = np.searchsorted(epochs, np.arange(1, n + 1), side="right") - 1
    return globals_[last].astype(np.float64)


class LearningCurveView(View):
    """Loss per iteration (x = global iteration), epoch boundaries as vertical lines.

    Args:
        ax: the axes to draw on.
        trainer: the Trainer whose history is shown.
        lang: "en" or "ko".

    Attributes:
        line: batch loss per iteration (x 1..n, y ``history.losses``).
        last_point: the latest batch loss, a dot (a line of one point would not show).
        epoch_line: mean training loss per finished epoch, at the epoch's last iteration.
        val_line: validation loss per finished epoch (empty without validation data).
        boundaries: LineCollection, one vertical segment after each finished epoch.
    """

    def __init__(self, ax, trainer, lang: str = "en"):
        self.lang = use_language(lang)
        self.ax = ax
        self.axes = [ax]
        # above the spines (zorder 2.5), so a blitted frame draws them in a full draw's order
        self.boundaries = LineCollection([], colors="#999999", linewidths=0.6, linestyles=":",
                                         transform=ax.get_xaxis_transform(), zorder=3)
        ax.add_collection(self.boundaries)
        (self.line,) = ax.plot([], [], color="#1f77b4", lw=1.0, label=self.p("curves.batch"), zorder=3)
        (self.last_point,) = ax.plot([], [], "o", color="#1f77b4", ms=3, zorder=3)  # seen from iteration 1
        (self.epoch_line,) = ax.plot([], [], "o-", color="#2c3e50", ms=3, lw=1.0,
                                     label=self.p("curves.epoch"), zorder=3)
        (self.val_line,) = ax.plot([], [], "s--", color="#e67e22", ms=3, lw=1.0, label=self.p("curves.val"),
                                   zorder=3)
        self.note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                            color="#b00020", fontsize=9, zorder=4)
        add_title(ax, f"{self.t('loss')} / {self.t('iteration')}")
        quiet_axes(ax)
        small = dict(transform=ax.transAxes, fontsize=8, color="#444444")
        ax.text(-0.02, 0.0, "0", ha="right", va="bottom", **small)
        self.y_label = ax.text(-0.02, 1.0, "1", ha="right", va="top", **small)
        self.x_label = ax.text(1.0, -0.02, "10", ha="right", va="top", **small)
        key = [self.line, self.epoch_line] + ([self.val_line] if trainer.X_val is not None else [])
        for k, line in enumerate(key):
            ax.text(0.98, 0.97 - 0.09 * k, line.get_label(), transform=ax.transAxes, ha="right", va="top",
                    fontsize=8, color=line.get_color())
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 1)
        self.update(trainer)
        localize(ax, self.lang)

    def dynamic_artists(self) -> list:
        """The epoch boundaries, the curves, the latest point and the note."""
        return [self.boundaries, self.line, self.last_point, self.epoch_line, self.val_line, self.note]

    def update(self, trainer) -> None:
        h = trainer.history
        losses = h.losses
        x = np.arange(1, len(losses) + 1)
        self.line.set_data(x, losses)
        self.last_point.set_data(x[-1:], losses[-1:])
        ends = epoch_ends(h)
        self.epoch_line.set_data(ends, h.epoch_losses)
        if trainer.X_val is not None:
            self.val_line.set_data(ends, h.val_losses)
        self.boundaries.set_segments([((e + 0.5, 0.0), (e + 0.5, 1.0)) for e in ends])
        self._limits(len(losses), np.concatenate([losses, h.epoch_losses, h.val_losses]),
                     trainer.iterations_per_epoch)
        if trainer.diverged:
            last = trainer.last_loss.value if trainer.last_loss is not None else losses[-1]
            self.note.set_text(self.p("curves.diverged", v=last))
        else:
            self.note.set_text("")

    def _limits(self, n: int, values: np.ndarray, per_epoch: int) -> None:
        xmax = self.ax.get_xlim()[1]
        want = max(10, per_epoch)
        while want < n + 1:
            want *= 2
        if want != xmax:
            self.ax.set_xlim(0, want)
            self.x_label.set_text(f"{want}")
        finite = values[np.isfinite(values)]
        top = nice_ceiling(max(float(finite.max()) * 1.05, 1e-6)) if finite.size else 1.0
        if top != self.ax.get_ylim()[1]:
            self.ax.set_ylim(0, top)
            self.y_label.set_text(f"{top:g}")

    def __repr__(self) -> str:
        return f"LearningCurveView({len(self.line.get_xdata())} iterations, lang={self.lang!r})"
