"""The lessons' own charts, with their labels in the chosen language.

Each function draws one figure a lesson shows (with pyplot, so the notebook displays it) and
returns it. ``lang`` None means the language chosen by ``stepnn.set_language``; Korean labels get
a Hangul font on their own texts only (``localize``), never through matplotlib's global settings.
"""
from __future__ import annotations

import numpy as np

from ..terms import phrase, resolve_language
from ._base import localize, use_language

__all__ = ["descent_paths", "batch_loss_curves", "early_stopping_curves"]


def _subplots(ncols: int, figsize: tuple, lang: "str | None"):
    import matplotlib.pyplot as plt  # only the lessons' charts need pyplot

    use_language(lang)
    return plt.subplots(1, ncols, figsize=figsize)


def _finish(fig, ax, xlabel: str, ylabel: str, lang: str):
    """Axis labels (phrase keys) and the legend, then a Hangul font for Korean texts."""
    ax.set_xlabel(phrase(xlabel, lang))
    ax.set_ylabel(phrase(ylabel, lang))
    ax.legend()
    localize(fig, lang)
    return fig


def descent_paths(grid, runs: dict, epochs: int, lang: "str | None" = None):
    """Lesson 5: the paths of stochastic, mini-batch and full-batch GD on the (w, b) loss surface
    (left) and the loss on all data after every update (right).

    Args:
        grid: a ``stepnn.surface.surface`` result over the (w, b) plane (alphas, betas, values).
        runs: mode name ("stochastic", "mini-batch", "full-batch") -> (path, losses): the weights
            (k + 1, 2) at the start and after each of k updates, and the loss on all data at each
            of them, shape (k + 1,).
        epochs: the epochs each run trained (the right chart's x axis).
    """
    lang = resolve_language(lang)
    fig, (left, right) = _subplots(2, (11, 3.6), lang)
    left.contour(grid.alphas, grid.betas, grid.values, levels=np.geomspace(0.1, 8, 12),
                 colors="0.75")
    for mode, (path, full) in runs.items():
        label = phrase(f"core.mode.{mode}", lang)
        left.plot(path[:, 0], path[:, 1], ".-", ms=3, lw=1, label=label)
        right.plot(np.linspace(0, epochs, len(full)), full, ".-", ms=3, lw=1, label=label)
    left.set_xlabel(phrase("lesson_plots.weight_w", lang))
    left.set_ylabel(phrase("lesson_plots.bias_b", lang))
    left.set_title(phrase("lesson_plots.paths", lang))
    left.legend()
    right.set_xlabel(phrase("lesson_plots.epochs", lang))
    right.set_ylabel(phrase("lesson_plots.loss_all_data", lang))
    right.set_title(phrase("lesson_plots.loss_every_update", lang))
    right.set_yscale("log")
    localize(fig, lang)
    return fig


def batch_loss_curves(curves: dict, epochs: int, lang: "str | None" = None):
    """Lesson 6: the batch losses of runs with different batch sizes, over the epochs.

    Args:
        curves: batch size -> the loss of every iteration's batch, shape (iterations,).
        epochs: the epochs each run trained (the x axis).
    """
    lang = resolve_language(lang)
    fig, ax = _subplots(1, (7, 3), lang)
    for b, losses in curves.items():
        ax.plot(np.linspace(0, epochs, len(losses)), losses, lw=1,
                label=phrase("lesson_plots.batch_size", lang, b=b))
    return _finish(fig, ax, "lesson_plots.epochs", "lesson_plots.batch_loss", lang)


def early_stopping_curves(train, val, best: int, stopped: int, lang: "str | None" = None):
    """Lesson 7: training and validation loss per epoch, the best validation epoch and the epoch
    early stopping stopped at.

    Args:
        train, val: the mean training loss and the validation loss of each epoch, shape (epochs,).
        best: the epoch (counted from 1) with the lowest validation loss.
        stopped: the epoch (counted from 1) at which early stopping stopped.
    """
    lang = resolve_language(lang)
    fig, ax = _subplots(1, (7, 3), lang)
    epochs = np.arange(1, len(val) + 1)
    ax.plot(epochs, train, label=phrase("lesson_plots.training_loss", lang))
    ax.plot(epochs, val, label=phrase("lesson_plots.validation_loss", lang))
    ax.axvline(best, color="0.6", ls=":", label=phrase("lesson_plots.best", lang, epoch=best))
    ax.axvline(stopped, color="tab:red", ls="--",
               label=phrase("lesson_plots.early_stopping", lang, epoch=stopped))
    return _finish(fig, ax, "lesson_plots.epoch", "lesson_plots.loss", lang)
