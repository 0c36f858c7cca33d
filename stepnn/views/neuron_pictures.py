"""Every neuron's picture, inside the network diagram: beside each hidden unit, what it computes
over the input plane (TensorFlow Playground draws the same inside its nodes).

For a model with 2 inputs, unit u of a hidden layer is a function a_u(x1, x2); one forward pass of
a coarse grid of the data's range (``stepnn.neurons.unit_activations``) gives every unit's picture
at once. Each picture is a ``pcolormesh`` (a blitting owner may animate it: an animated
``AxesImage`` leaves ghosts before matplotlib 3.11) left of its node, x1 across and x2 upwards,
on a colour scale fixed by the layer's activation: sigmoid and softmax on [0, 1] (white to
black), any other from -1 (blue) through 0 (white) to 1 (red), as the nodes are coloured.

The pictures are computed again only when the weights (or the data) changed: Forward, Loss and
Backward leave them alone; Update, undo, goto and a reset replace the weight arrays.
"""
from __future__ import annotations

import matplotlib
import numpy as np

from ..neurons import unit_activations
from .boundary import plane_grid
from .style import LEVEL_CMAP, SIGN_CMAP

__all__ = ["NeuronPictures", "picture_scale", "plane_grid", "RESOLUTION", "MIN_SIDE_PX"]

RESOLUTION = 16   # grid points per axis: 256 points, about one small prediction per recompute
MIN_SIDE_PX = 10  # a picture smaller than this says nothing: the diagram is drawn without them
MAX_SIDE_PX = 44


def picture_scale(activation: str) -> tuple[str, float, float]:
    """(colour map, vmin, vmax) of a unit's picture, fixed by its activation's range."""
    if activation in ("sigmoid", "softmax"):
        return LEVEL_CMAP, 0.0, 1.0
    return SIGN_CMAP, -1.0, 1.0


class NeuronPictures:
    """The hidden units' pictures of a network diagram, one ``pcolormesh`` per unit.

    Args:
        ax: the diagram's axes (its limits already fixed).
        trainer: the Trainer whose model has 2 inputs.
        positions: (n_neurons, 2) the diagram's node centres (layer, y), inputs first.
        sizes: the model's layer sizes.
        node_px: a node's diameter on screen, in pixels (the picture keeps clear of it).
        resolution: grid points per axis.

    Attributes:
        meshes: the QuadMeshes, hidden layers in order, units top to bottom as the nodes
            (empty when a picture would be smaller than ``MIN_SIDE_PX``).
        units: per mesh, (layer index, unit index) of ``model.layers`` / ``a``.
        grid: (grid_x, grid_y) of the last recompute; ``recomputed``: how many recomputes.
    """

    def __init__(self, ax, trainer, positions: np.ndarray, sizes, node_px: float,
                 resolution: int = RESOLUTION):
        self.ax, self.resolution = ax, resolution
        self.recomputed = 0
        self._key: tuple = ()
        self.grid = None
        box = ax.get_window_extent()
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        px_x, px_y = box.width / (x1 - x0), box.height / (y1 - y0)  # pixels per data unit
        tallest = max(sizes)
        gap_px = 2.0 / max(tallest - 1, 1) * px_y     # between two nodes of the tallest layer
        side = min(0.8 * gap_px if tallest > 1 else MAX_SIDE_PX, 0.45 * px_x - node_px / 2, MAX_SIDE_PX)
        self.side_px = float(side)
        self.meshes, self.units = [], []
        if side < MIN_SIDE_PX:
            return
        w, h = side / px_x, side / px_y
        right = node_px / 2 / px_x + 2 / px_x     # 2 px clear of the node's ring
        layers = trainer.model.layers
        for l in range(1, len(sizes) - 1):
            cmap_name, vmin, vmax = picture_scale(layers[l - 1].activation.name)
            cmap = matplotlib.colormaps[cmap_name].with_extremes(bad="#e5e5e5")
            for u, (x, y) in enumerate(positions[positions[:, 0] == l]):
                xe = np.linspace(x - right - w, x - right, resolution + 1)
                ye = np.linspace(y - h / 2, y + h / 2, resolution + 1)
                mesh = ax.pcolormesh(xe, ye, np.zeros((resolution, resolution)), cmap=cmap, vmin=vmin,
                                     vmax=vmax, antialiased=False, zorder=1.5)
                self.meshes.append(mesh)
                self.units.append((l - 1, u))
        self.update(trainer)

    def artists(self) -> list:
        return list(self.meshes)

    def _weights_key(self, trainer) -> tuple:
        """What the pictures depend on: the weight arrays (replaced, never changed in place, by
        every update, undo, goto and reset) and the data."""
        return tuple(p for layer in trainer.model.layers for p in (layer.W, layer.b)) + (trainer.data,)

    def update(self, trainer) -> bool:
        """Recompute the pictures if the weights or the data changed; returns whether it did."""
        if not self.meshes:
            return False
        key = self._weights_key(trainer)
        if len(key) == len(self._key) and all(a is b for a, b in zip(key, self._key)):
            return False
        self._key = key
        self.grid = plane_grid(trainer.X, self.resolution)
        with np.errstate(over="ignore", invalid="ignore"):
            pictures = unit_activations(trainer.model, *self.grid)
        for mesh, (l, u) in zip(self.meshes, self.units):
            mesh.set_array(np.ma.masked_invalid(pictures[l][u]))
        self.recomputed += 1
        return True

    def __repr__(self) -> str:
        return (f"NeuronPictures({len(self.meshes)} pictures of {self.resolution}x{self.resolution}, "
                f"{self.side_px:.0f} px, recomputed {self.recomputed} times)")
