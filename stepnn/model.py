"""Sequential: layers that chain, input layer (입력층) -> hidden layers (은닉층) -> output layer (출력층)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Sequence

import numpy as np

from ._checks import as_float_matrix, check_seed
from .layers import Dense, check_param
from .records import ForwardRecord
from .terms import phrase

__all__ = ["Sequential", "flatten"]


class Sequential:
    """A stack of Dense layers; each one's n_out must equal the next one's n_in.

    Args:
        layers: the Dense layers, input side first.
        seed: seeds the initializers, so the same seed gives the same starting weights.
    """

    def __init__(self, layers: Sequence[Dense], seed: "int | None" = 0):
        seed = check_seed(seed, optional=True)
        if isinstance(layers, (Dense, str, dict)) or not hasattr(layers, "__iter__"):
            raise TypeError(phrase("errors.layers_not_list", type=type(layers).__name__))
        layers = list(layers)
        if not layers:
            raise ValueError(phrase("errors.no_layers"))
        for i, layer in enumerate(layers):
            if not isinstance(layer, Dense):
                raise TypeError(phrase("errors.layer_type", i=i, type=type(layer).__name__))
        first = {}  # each layer object's first position
        for j, layer in enumerate(layers):
            i = first.setdefault(id(layer), j)
            if i != j:
                raise ValueError(phrase("errors.layer_repeated", i=i, j=j, n_in=layer.n_in,
                                        n_out=layer.n_out))
        for i, (a, b) in enumerate(zip(layers, layers[1:])):
            if a.n_out != b.n_in:
                raise ValueError(phrase("errors.layers_chain", i=i, j=i + 1, n_out=a.n_out,
                                        n_in=b.n_in, next_out=b.n_out))
        self.layers = layers
        self.seed = seed
        rng = np.random.default_rng(seed)
        for layer in layers:
            layer.initialize(rng)

    @property
    def sizes(self) -> list[int]:
        """Units per layer, input first, e.g. [2, 8, 1]."""
        return [self.layers[0].n_in] + [layer.n_out for layer in self.layers]

    @property
    def param_names(self) -> list[str]:
        """["W1", "b1", "W2", "b2", ...] in Keras order."""
        return [f"{p}{i}" for i in range(1, len(self.layers) + 1) for p in "Wb"]

    @property
    def param_shapes(self) -> list[tuple]:
        return [s for layer in self.layers for s in layer.shapes]

    @property
    def n_params(self) -> int:
        return sum(int(np.prod(s)) for s in self.param_shapes)

    @property
    def params(self) -> list[np.ndarray]:
        """The live parameter arrays [W1, b1, ...] (not copies; never modify them in place)."""
        return [p for layer in self.layers for p in (layer.W, layer.b)]

    def get_weights(self) -> list[np.ndarray]:
        """Copies of [W1 (n_in, n_1), b1 (n_1,), W2, b2, ...], Keras order and shapes."""
        return [p.copy() for p in self.params]

    def check_weights(self, weights: Sequence) -> list[np.ndarray]:
        """Float64 copies of a list like ``get_weights()``, or a clear error on a wrong count,
        shape or a non-finite value."""
        if isinstance(weights, np.ndarray):
            weights = [weights]
        elif isinstance(weights, (str, bytes, dict)) or not isinstance(weights, Iterable):
            raise TypeError(phrase("errors.weights_type", got=f"{weights!r:.60} ({type(weights).__name__})"))
        else:
            weights = list(weights)
        names, shapes = self.param_names, self.param_shapes
        if len(weights) != len(shapes):
            raise ValueError(phrase("errors.weights_count", n=len(shapes), names=", ".join(names),
                                    got=len(weights)))
        return [check_param(n, w, s) for n, w, s in zip(names, weights, shapes)]

    def set_weights(self, weights: Sequence) -> None:
        """Set every parameter from a list like ``get_weights()``; counts and shapes are checked first."""
        checked = self.check_weights(weights)
        for i, layer in enumerate(self.layers):
            layer.W, layer.b = checked[2 * i], checked[2 * i + 1]

    def get_flat(self) -> np.ndarray:
        """All parameters as one vector (n_params,), in the order W1, b1, W2, b2 (each C-raveled)."""
        return flatten(self.params)

    def unflatten(self, vec) -> list[np.ndarray]:
        """Split a (n_params,) vector into arrays shaped like ``get_weights()``."""
        vec = np.asarray(vec, dtype=np.float64)
        if vec.shape != (self.n_params,):
            raise ValueError(phrase("errors.flat_shape", n=self.n_params, shape=vec.shape))
        out, start = [], 0
        for shape in self.param_shapes:
            size = int(np.prod(shape))
            out.append(vec[start:start + size].reshape(shape).copy())
            start += size
        return out

    def set_flat(self, vec) -> None:
        self.set_weights(self.unflatten(vec))

    def forward(self, X) -> ForwardRecord:
        """Forward propagation (순전파) of X (n, n_in), keeping z and a of every layer."""
        x = as_float_matrix("X", X, n_features=self.layers[0].n_in)
        return forward_pass(self.layers, x, None)

    def predict(self, X) -> np.ndarray:
        """The output layer's activations for X (n, n_in): shape (n, n_out). Nothing is recorded."""
        a = as_float_matrix("X", X, n_features=self.layers[0].n_in)
        with np.errstate(over="ignore", invalid="ignore"):
            for layer in self.layers:
                a = layer.forward(a)[1]
        return a

    def summary(self, lang: "str | None" = None) -> str:
        """The layers as a table: units, activation and parameters of each, then the total; in
        ``lang`` (None: the language chosen by ``stepnn.set_language``)."""
        lines = [phrase("model.summary_head", lang)]
        for i, layer in enumerate(self.layers, 1):
            lines.append(f"{'Dense ' + str(i):<8}{layer.n_out:>6}{layer.activation.name:>12}"
                         f"{layer.W.size + layer.b.size:>8}")
        lines.append(phrase("model.summary_total", lang, n=self.n_params))
        return "\n".join(lines)

    def __repr__(self) -> str:
        acts = ", ".join(layer.activation.name for layer in self.layers)
        return (f"Sequential(sizes={self.sizes}, activations=[{acts}], params={self.n_params}, "
                f"seed={self.seed})")


def flatten(params: Sequence[np.ndarray], out: "np.ndarray | None" = None) -> np.ndarray:
    """Arrays laid out as ``get_weights()`` as one vector (n_params,), each C-raveled; written
    into ``out`` when given."""
    return np.concatenate([p.ravel() for p in params], out=out)


def forward_pass(layers: Sequence[Dense], x: np.ndarray, indices) -> ForwardRecord:
    """Run x (b, n_in) through the layers; return every z and a. Overflow gives inf, not a warning.

    ``layers`` may be any objects with ``W`` (n_in, n_out), ``b`` (n_out,) and ``activation``.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return raw_forward_pass(layers, x, indices)


def raw_forward_pass(layers: Sequence[Dense], x: np.ndarray, indices,
                     dense=None, activate=None) -> ForwardRecord:
    """``forward_pass`` under the caller's floating-point error settings. ``dense(x, W, b)``
    computes each weighted sum (default: ``stepnn.layers.dense_forward``'s z = x W + b) and
    ``activate(layer, z)`` each activation (default: the layer's own); a student's own functions
    may stand in (``stepnn.student``)."""
    zs, as_ = [], []
    a = x
    for layer in layers:
        # the default written out, one Python call fewer: about 1 % of a small net's step
        z = a @ layer.W + layer.b if dense is None else dense(a, layer.W, layer.b)
        # an activation's raw rule leaves warnings to the caller's errstate
        a = layer.activation.raw(z) if activate is None else activate(layer, z)
        zs.append(z)
        as_.append(a)
    return ForwardRecord(x, indices, zs, as_)
