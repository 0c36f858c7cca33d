"""The network as a diagram: neurons as circles, connections as lines, for one sample of the batch.

Neurons are one scatter (a PathCollection) coloured by their value for the chosen sample: the
input x, then a = f(z) of each layer, on a fixed scale from -1 (blue) through 0 (white) to 1 (red);
larger values take the end colours. Connections are one LineCollection: colour by sign (red
positive, blue negative), width by magnitude (the largest shown is 4.5 points wide).

What the picture shows follows the phase the loop has just run (``stage``):

==========  =====================================  =====================  =========================
stage       neurons                                connections            highlighted (ringed)
==========  =====================================  =====================  =========================
start       x of the sample; other layers grey     the weights W          the input layer
forward     x and every layer's a for the sample   the weights W          every layer (all computed)
loss        as forward, plus prediction vs target  the weights W          the output layer
backward    as forward                             the gradients dL/dW    every layer
update      as forward (the values that gave dW)   the change new W - old every layer
==========  =====================================  =====================  =========================

Biases are not drawn (they belong to a neuron, not to a connection).

With ``pictures=True`` and a model of 2 inputs, each hidden unit also shows its picture: its
activation over the input plane, left of its node (``stepnn.views.neuron_pictures``).
"""
from __future__ import annotations

import matplotlib
import matplotlib.transforms
import numpy as np
from matplotlib.collections import LineCollection

from ..maths_text import stage
from ..regularizers import label as regularizer_label
from ._base import View, bare_axes, localize, use_language
from .heatmaps import max_abs
from .neuron_pictures import NeuronPictures
from .style import ROLES, SIGN_CMAP, loss_number

__all__ = ["NetworkView", "stage", "STAGES", "edge_widths", "edge_colors", "regularizer_label"]

STAGES = ("start", "forward", "loss", "backward", "update")
POSITIVE, NEGATIVE, NEUTRAL = ROLES["positive"], ROLES["negative"], "#bbbbbb"
HIGHLIGHT, PLAIN = ROLES["current"], "#555555"
MIN_WIDTH, MAX_WIDTH = 0.4, 4.5
MAX_LABELLED_NEURONS = 24  # above this, values are never printed on the neurons (text is slow)

def edge_widths(values: np.ndarray) -> np.ndarray:
    """Line widths (points) proportional to |value|: MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) |v| / max|v|."""
    mag = np.nan_to_num(np.abs(values), nan=0.0, posinf=0.0)
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * mag / max_abs(values)


def edge_colors(values: np.ndarray) -> np.ndarray:
    """RGBA (n, 4): red for positive, blue for negative, grey for zero or not finite."""
    rgba = {c: matplotlib.colors.to_rgba(c, 0.85) for c in (POSITIVE, NEGATIVE, NEUTRAL)}
    out = np.empty((len(values), 4))
    out[:] = rgba[NEUTRAL]
    finite = np.isfinite(values)
    out[finite & (values > 0)] = rgba[POSITIVE]
    out[finite & (values < 0)] = rgba[NEGATIVE]
    return out


def _column(n: int, tallest: int) -> np.ndarray:
    """y positions of n neurons, centred, spaced as in the tallest layer."""
    step = 2.0 / max(tallest - 1, 1)
    return (np.arange(n)[::-1] - (n - 1) / 2) * step


class NetworkView(View):
    """Neurons coloured by their value for one sample, connections by weight, gradient or change.

    Args:
        ax: the axes to draw on.
        trainer: the Trainer to show.
        sample: which sample of the batch to show (0 = the first row of the batch).
        show_values: print each neuron's value on it (small networks only; text costs redraw time).
        lang: "en" or "ko".
        pictures: beside each hidden unit, its activation over the input plane (models with 2
            inputs and a hidden layer only; ignored otherwise).

    Attributes:
        neurons: the PathCollection; ``get_array()`` holds the values shown (n_neurons,), in layer
            order (inputs first), NaN where nothing is computed yet.
        edges: the LineCollection; one segment per weight, in the order W1.ravel(), W2.ravel(), ...
        shown: what the connections show: "weights", "gradients" or "change".
        pictures: the hidden units' pictures (a ``NeuronPictures``), or None.
    """

    def __init__(self, ax, trainer, sample: int = 0, show_values: bool = False, lang: "str | None" = None,
                 pictures: bool = False):
        self.lang = use_language(lang)
        self.ax = ax
        self.axes = [ax]
        self.sample = sample
        sizes = trainer.model.sizes
        self.sizes = sizes
        tallest = max(sizes)
        columns = [_column(n, tallest) for n in sizes]
        self.positions = np.array([(layer, y) for layer, ys in enumerate(columns) for y in ys])
        segments = [((l, y0), (l + 1, y1)) for l in range(len(sizes) - 1)
                    for y0 in columns[l] for y1 in columns[l + 1]]
        bare_axes(ax)
        ax.set_xlim(-0.4, len(sizes) - 0.6)
        ax.set_ylim(-2.0, 2.75)  # room above the neurons for the phase and the sample, below for the layers' names
        self.edges = LineCollection(segments, linewidths=MIN_WIDTH, colors=NEUTRAL, zorder=1)
        ax.add_collection(self.edges)
        cmap = matplotlib.colormaps[SIGN_CMAP].with_extremes(bad="#e5e5e5")
        area = max(60.0, min(500.0, 2400.0 / tallest))   # points^2
        self.neurons = ax.scatter(self.positions[:, 0], self.positions[:, 1],
                                  s=area, c=np.zeros(len(self.positions)),
                                  cmap=cmap, vmin=-1, vmax=1, edgecolors=PLAIN, linewidths=1.0, zorder=2)
        self.pictures = None
        if pictures and sizes[0] == 2 and len(sizes) > 2:
            node_px = (np.sqrt(area) + 2.0) * ax.figure.dpi / 72.0   # the disc and its ring
            self.pictures = NeuronPictures(ax, trainer, self.positions, sizes, node_px)
        names = ["input_layer"] + ["hidden_layer"] * (len(sizes) - 2) + ["output_layer"]
        for l, name in enumerate(names):
            ax.text(l, -1.97, self.t(name).replace(" ", "\n"), ha="center", va="bottom", fontsize=8,
                    color="#444444", linespacing=1.0,
                    zorder=0.5)   # static texts lie below everything that changes
        self.labels = []
        if show_values and len(self.positions) <= MAX_LABELLED_NEURONS:
            self.labels = [ax.text(x, y, "", ha="center", va="center", fontsize=7, zorder=3)
                           for x, y in self.positions]
        # What the phase just run shows: one of six sentences, inside the axes and clipped to them
        # (redrawn at every blit, it must not reach into the neighbouring axes)
        self.title = ax.text(0.5, 0.99, "", transform=ax.transAxes, fontsize=9, ha="center", va="top",
                             clip_on=True, zorder=3)
        # the sample shown, then prediction and target: the words stay (the caption), the numbers
        # below them change at every update (a text drawn at every redraw costs per character)
        self.caption = ax.text(0.5, 0.91, self.p("network.sample_caption"), transform=ax.transAxes,
                               fontsize=8, ha="center", va="top", color="#444444", zorder=0.5)
        self.sample_text = ax.text(0.5, 0.84, "", transform=ax.transAxes, fontsize=8, ha="center",
                                   va="top", clip_on=True, zorder=3)
        # the batch loss, by the output layer, from Loss on
        out_top = float(columns[-1].max())
        self.loss_text = ax.text(len(sizes) - 1, out_top + 0.3, "", ha="center", va="bottom", fontsize=9,
                                 color=HIGHLIGHT, fontweight="bold", clip_on=True, zorder=3)
        # the regularizer each W carries, above the connections it penalises (empty without one);
        # one line for all when every W carries the same
        # (between the sample's line and the top neurons: x in data, y in axes coordinates)
        between = matplotlib.transforms.blended_transform_factory(ax.transData, ax.transAxes)
        self.reg_texts = [ax.text(l + 0.5, 0.755, "", transform=between, ha="center", va="center",
                                  fontsize=8, color=PLAIN, clip_on=True, zorder=3)
                          for l in range(len(sizes) - 1)]
        self.reg_all = ax.text((len(sizes) - 1) / 2, 0.755, "", transform=between, ha="center",
                               va="center", fontsize=8, color=PLAIN, clip_on=True, zorder=3)
        self._rings = tuple(np.array(matplotlib.colors.to_rgba(c)) for c in (HIGHLIGHT, PLAIN))
        self.shown = "weights"
        self.update(trainer)
        localize(ax, self.lang)

    def dynamic_artists(self) -> list:
        """Connections, neurons, the sample's line and the batch loss (and the values, if shown)."""
        pictures = self.pictures.artists() if self.pictures is not None else []
        return [self.edges, *pictures, self.neurons, *self.labels, self.sample_text, self.loss_text]

    def occasional_artists(self) -> list:
        """The title, which says what the phase just run shows, and the regularizers' labels: they
        change at a phase click or a new setting, not at every step (so that a phase click is a
        blit, and a step does not draw them again). They lie above the neurons and connections."""
        return [self.title, *self.reg_texts, self.reg_all]

    # ----------------------------------------------------------------- data
    def _sample_position(self, trainer) -> int:
        rec = trainer.last_forward
        b = len(rec.x) if rec is not None else trainer.batch_size
        return int(min(max(self.sample, 0), b - 1))

    def neuron_values(self, trainer) -> np.ndarray:
        """What the neurons show, (n_neurons,): x of the sample, then a of every layer.

        Before the iteration's Forward the batch is not drawn yet: the inputs show training row
        ``sample`` and the other layers are NaN (grey)."""
        rec = trainer.last_forward
        if rec is None:
            rest = np.full(sum(self.sizes[1:]), np.nan)
            return np.concatenate([trainer.X[min(self.sample, len(trainer.X) - 1)], rest])
        s = self._sample_position(trainer)
        return np.concatenate([rec.x[s]] + [a[s] for a in rec.a])

    def edge_values(self, trainer) -> np.ndarray:
        """What the connections show, flat over W1, W2, ...: weights, gradients or the change."""
        st = stage(trainer)
        if st == "update":
            self.shown = "change"
            parts = trainer.last_update.delta[0::2]
        elif st == "backward":
            self.shown = "gradients"
            parts = trainer.last_backward.dW
        else:
            self.shown = "weights"
            parts = [layer.W for layer in trainer.model.layers]
        return np.concatenate([np.ravel(p) for p in parts])

    def highlighted(self, st: str) -> np.ndarray:
        """Which neurons are ringed at stage ``st``: (n_neurons,) bool (see the module's table)."""
        layer_of = self.positions[:, 0]
        if st == "start":
            return layer_of == 0
        if st == "loss":
            return layer_of == len(self.sizes) - 1
        return np.ones(len(layer_of), dtype=bool)

    # --------------------------------------------------------------- update
    def update(self, trainer) -> None:
        st = stage(trainer)
        if self.pictures is not None:
            self.pictures.update(trainer)
        values = self.neuron_values(trainer)
        self.neurons.set_array(values)
        ring = self.highlighted(st)
        self.neurons.set_edgecolors(np.where(ring[:, None], self._rings[0], self._rings[1]))
        self.neurons.set_linewidths(np.where(ring, 2.0, 1.0))
        for label, v in zip(self.labels, values):
            label.set_text("" if not np.isfinite(v) else f"{v:.2f}")
        edges = self.edge_values(trainer)
        self.edges.set_linewidths(edge_widths(edges))
        self.edges.set_colors(edge_colors(edges))
        self.title.set_text(self.p("network.diverged" if trainer.diverged else f"network.{st}"))
        rec = trainer.last_forward
        # the sample's position in the batch: the number the Sample slider shows
        line = "" if rec is None else f"#{self._sample_position(trainer)}"
        loss = trainer.last_loss
        self.loss_text.set_text("" if loss is None else f"L = {loss_number(loss.value, 3)}")
        if st in ("loss", "backward", "update"):
            line += f": {self._target(trainer)}"
        self.sample_text.set_text(line)
        self.show_regularizers(trainer)

    def show_regularizers(self, trainer) -> None:
        """Label each W with its regularizer in force ("L2 0.01"; nothing without one), or all of
        them at once ("W1-W3: L2 0.01") when they carry the same."""
        labels = [regularizer_label(layer.kernel_regularizer) for layer in trainer.model.layers]
        same = len(labels) > 1 and len(set(labels)) == 1
        self.reg_all.set_text(f"W1-W{len(labels)}: {labels[0]}" if same and labels[0] else "")
        for text, label in zip(self.reg_texts, labels):
            text.set_text("" if same else label)

    def _target(self, trainer) -> str:
        """ "0.351 / 1": the prediction and the target of the sample (for several outputs, the
        predicted class and the true class), as the caption above says."""
        rec = trainer.last_loss
        if rec is None:
            return ""
        s = self._sample_position(trainer)
        y = np.ravel(rec.y_true[s]) if np.ndim(rec.y_true) > 1 else np.array([rec.y_true[s]])
        pred = np.ravel(rec.y_pred[s])
        if len(pred) == 1:
            shown_pred, shown_y = f"{pred[0]:.3g}", f"{y[0]:.3g}"
        else:
            shown_pred = f"{int(np.nanargmax(pred)) if np.isfinite(pred).any() else '?'}"
            shown_y = f"{int(np.argmax(y)) if len(y) > 1 else int(y[0])}"
        return f"{shown_pred} / {shown_y}"

    def __repr__(self) -> str:
        pictures = "" if self.pictures is None else f", {len(self.pictures.meshes)} unit pictures"
        return (f"NetworkView(sizes={self.sizes}, sample={self.sample}, shows {self.shown}{pictures}, "
                f"lang={self.lang!r})")
