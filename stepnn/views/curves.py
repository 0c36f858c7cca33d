"""The loss curve: the batch loss of every iteration, epoch boundaries, and per epoch the mean
training loss and (with validation data) the validation loss.

Limits move in coarse steps (the x range doubles, the y range snaps to 1, 2 or 5 x 10^k), so
the few tick labels are redrawn only then (text is what an Agg redraw spends its time on); the
key is coloured words instead of a legend. A blitting owner redraws the curves over its kept
background; a change of limits redraws the whole figure. Epochs are light bands in axes-height
coordinates, so they never depend on the y range.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.ticker import MaxNLocator

from ._base import View, add_title, envelope, localize, use_language
from .style import ROLES

__all__ = ["LearningCurveView", "epoch_ends", "epoch_bands", "nice_ceiling"]

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


FLOOR = 0.015  # bands stop just above the x axis's line (drawn over it, a blit would differ)


def epoch_bands(ends: np.ndarray, most: int = 12) -> list:
    """Light bands that mark epochs without piling up: every other group of ``k`` epochs, k
    chosen so that at most ``most`` bands show. Returns [(x0, x1), ...] in iterations."""
    if not len(ends):
        return []
    starts = np.concatenate([[0.0], ends[:-1]]) + 0.5
    k = 1
    while len(ends) / k > 2 * most:
        k *= 2
    groups = range(0, len(ends), k)
    return [(float(starts[g]), float(ends[min(g + k, len(ends)) - 1] + 0.5))
            for n, g in enumerate(groups) if n % 2 == 0]


class LearningCurveView(View):
    """Loss per iteration (x = global iteration), epochs as light alternating bands.

    Loss marks the batch loss at once (``pending``, a hollow circle at the next iteration) and
    Update fills it (it joins the curve). With validation data and ``patience`` set
    (``set_patience``), the best validation epoch is marked and the patience window after it
    shaded.

    Args:
        ax: the axes to draw on.
        trainer: the Trainer whose history is shown.
        lang: "en" or "ko".

    Attributes:
        line: batch loss per iteration (x 1..n, y ``history.losses``).
        last_point: the latest batch loss, a dot (a line of one point would not show).
        pending: the loss of the iteration under way, computed by Loss, before its Update.
        epoch_line: mean training loss per finished epoch, at the epoch's last iteration.
        val_line: validation loss per finished epoch (empty without validation data).
        keys: the texts naming the epoch line and the validation line (hidden without validation
        data).
        bands: PolyCollection, light bands over every other epoch (or group of epochs).
        best: the best validation epoch (a vertical line) and ``window``: the patience window.
    """

    def __init__(self, ax, trainer, lang: "str | None" = None):
        self.lang = use_language(lang)
        self.ax = ax
        self.axes = [ax]
        self.patience: "int | None" = None
        xaxis = ax.get_xaxis_transform()
        self.bands = PolyCollection([], facecolors=ROLES["muted"], alpha=0.15, edgecolors="none",
                                    transform=xaxis, zorder=0.5)
        ax.add_collection(self.bands)
        self.window = PolyCollection([], facecolors=ROLES["best"], alpha=0.15, edgecolors="none",
                                     transform=xaxis, zorder=0.6)
        ax.add_collection(self.window)
        (self.best,) = ax.plot([], [], color=ROLES["best"], lw=2.0, transform=xaxis, zorder=3)
        (self.line,) = ax.plot([], [], color=ROLES["train"], lw=1.0, alpha=0.6, label=self.p("curves.batch"),
                               zorder=3)
        (self.last_point,) = ax.plot([], [], "o", color=ROLES["train"], ms=5, zorder=3)
        (self.pending,) = ax.plot([], [], "o", color=ROLES["current"], mfc="white", mew=2.0, ms=9,
                                  zorder=4)
        (self.epoch_line,) = ax.plot([], [], "o-", color=ROLES["train"], ms=4, lw=2.0,
                                     label=self.p("curves.epoch"), zorder=3)
        (self.val_line,) = ax.plot([], [], "s--", color=ROLES["validation"], ms=4, lw=2.0,
                                   label=self.p("curves.val"), zorder=3)
        self.note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                            color=ROLES["positive"], fontsize=9, zorder=4)
        self.title = add_title(ax, self.t("loss"))
        ax.set_xlabel(self.t("iteration"), labelpad=1)
        self.x_label = ax.xaxis.label
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))   # iterations: whole numbers
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.spines[["top", "right"]].set_visible(False)
        self.keys = [ax.text(0.98, 0.97 - 0.12 * k, line.get_label(), transform=ax.transAxes, ha="right",
                             va="top", fontsize=8, color=line.get_color())
                     for k, line in enumerate([self.epoch_line, self.val_line])]
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 1)
        self.update(trainer)
        localize(ax, self.lang)

    def set_data(self, trainer) -> bool:
        """The validation line's key shows only while the trainer has validation data."""
        shown = trainer.X_val is not None
        if self.keys[1].get_visible() != shown:
            self.keys[1].set_visible(shown)
        return True

    def set_patience(self, patience: "int | None") -> None:
        """Mark the best validation epoch and the ``patience`` epochs after it (None: no marks)."""
        self.patience = patience

    def dynamic_artists(self) -> list:
        """The bands, the patience marks, the curves, the latest and pending points and the note."""
        return [self.bands, self.window, self.best, self.line, self.last_point, self.epoch_line,
                self.val_line, self.pending, self.note]

    def update(self, trainer) -> None:
        self.set_data(trainer)
        h = trainer.history
        losses = h.losses
        x, shown = envelope(losses)   # its last point is the last iteration's, exactly
        self.line.set_data(x, shown)
        self.last_point.set_data(x[-1:], shown[-1:])
        rec = trainer.last_loss
        waiting = rec is not None and trainer.last_update is None
        self.pending.set_data([len(losses) + 1] if waiting else [], [rec.value] if waiting else [])
        ends = epoch_ends(h)
        self.epoch_line.set_data(*envelope(h.epoch_losses, ends))
        if trainer.X_val is not None:
            self.val_line.set_data(*envelope(h.val_losses, ends))
        elif len(self.val_line.get_xdata()):
            self.val_line.set_data([], [])
        self.bands.set_verts([[(a, FLOOR), (b, FLOOR), (b, 1), (a, 1)] for a, b in epoch_bands(ends)])
        self._mark_best(ends, h.val_losses if trainer.X_val is not None else np.zeros(0))
        pending = [rec.value] if waiting else []
        self._limits(len(losses) + waiting, np.concatenate([losses, h.epoch_losses, h.val_losses, pending]),
                     trainer.iterations_per_epoch)
        if trainer.diverged:
            last = trainer.last_loss.value if trainer.last_loss is not None else losses[-1]
            self.note.set_text(self.p("curves.diverged", v=last))
        else:
            self.note.set_text("")

    def _mark_best(self, ends: np.ndarray, val: np.ndarray) -> None:
        finite = np.isfinite(val)
        if self.patience is None or not finite.any():
            self.best.set_data([], [])
            self.window.set_verts([])
            return
        b = int(np.nanargmin(np.where(finite, val, np.nan)))
        x = float(ends[b])
        self.best.set_data([x, x], [FLOOR, 1])
        last = min(b + self.patience, len(ends) - 1)
        right = float(ends[last]) if last > b else x
        per_epoch = float(ends[0]) if len(ends) else 1.0
        right = max(right, x + per_epoch * self.patience) if last < b + self.patience else right
        self.window.set_verts([[(x, FLOOR), (right, FLOOR), (right, 1), (x, 1)]])

    def _limits(self, n: int, values: np.ndarray, per_epoch: int) -> None:
        xmax = self.ax.get_xlim()[1]
        want = max(10, per_epoch)
        while want < n + 1:
            want *= 2
        if want != xmax:
            self.ax.set_xlim(0, want)
        finite = values[np.isfinite(values)]
        top = nice_ceiling(max(float(finite.max()) * 1.05, 1e-6)) if finite.size else 1.0
        if top != self.ax.get_ylim()[1]:
            self.ax.set_ylim(0, top)

    def __repr__(self) -> str:
        return f"LearningCurveView({len(self.line.get_xdata())} iterations, lang={self.lang!r})"
