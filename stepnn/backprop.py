"""Backpropagation (역전파) as a pure function of a forward record.

The chain rule (연쇄 법칙), layer by layer from the output back to the input:
    dL/dz_l = f_l'(z_l) * dL/da_l              (local derivative x upstream gradient)
    dL/dW_l = a_{l-1}^T dL/dz_l,  dL/db_l = sum over the batch of dL/dz_l
    dL/da_{l-1} = dL/dz_l W_l^T                 (the upstream gradient of the layer below)
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from .layers import Dense
from .losses import QUIET, Loss, get
from .records import BackwardRecord, ForwardRecord

__all__ = ["backward_pass"]


def backward_pass(layers: Sequence[Dense], forward: ForwardRecord, y: np.ndarray, loss: "Loss | str",
                  fused: bool = True) -> BackwardRecord:
    """Gradients of the batch-mean loss for every layer, by the chain rule.

    A layer with a ``kernel_regularizer`` adds its penalty's gradient to dL/dW (the training
    loss is the data loss plus the penalties, as Keras); ``record.penalty_dW`` keeps that part.

    Args:
        layers: the model's layers, whose weights produced ``forward``.
        forward: the forward record of the batch x (b, n_in).
        y: the batch's labels, shaped as the loss expects.
        loss: the loss: a Loss, a name such as "bce", or a public loss function.
        fused: when the output activation is the loss's partner (sigmoid + binary cross-entropy,
            softmax + categorical cross-entropy), take dL/dz = (a - y) / N directly; otherwise (or
            with ``fused=False``) go through dL/da and the activation's own derivative. Both give
            the same numbers.
    """
    loss = get(loss)
    with np.errstate(**QUIET):
        return raw_backward_pass(layers, forward, y, loss, fused)


def _own_local(layer, z, a, da):
    """The chain rule through a layer's activation, by the layer's own backward rule."""
    return layer.activation.backward(z, a, da)


def raw_backward_pass(layers: Sequence[Dense], forward: ForwardRecord, y: np.ndarray, loss: Loss,
                      fused: bool = True, dense=None, local=None,
                      regularized: bool = True) -> BackwardRecord:
    """``backward_pass`` under the caller's floating-point error settings. ``dense(x, W, dz)`` is
    the chain rule through each z = xW + b (default: ``stepnn.layers.dense_backward``) and
    ``local(layer, z, a, da)`` through each activation (default: the layer's own backward
    rule); a student's own functions may stand in (``stepnn.student``). ``regularized=False``
    says that no layer has a kernel regularizer (the caller knows), which skips looking for
    them."""
    own = local is None
    if own:
        local = _own_local
    n_layers = len(layers)
    dz, da = [None] * n_layers, [None] * n_layers
    dW, db = [None] * n_layers, [None] * n_layers
    out = layers[-1].activation
    a, z = forward.a, forward.z
    use_fused = fused and loss.fuses_with == out.name
    if use_fused:  # dL/da of the output is not needed for the step: computed when read
        dz[-1] = loss.fused_gradient(y, a[-1])
    else:
        da[-1] = loss.gradient(y, a[-1])
        dz[-1] = local(layers[-1], z[-1], a[-1], da[-1])
    for i in range(n_layers - 1, 0, -1):
        if dense is None:  # dense_backward written out, one Python call fewer: see raw_forward_pass
            d = dz[i]
            dW[i], db[i], dx = a[i - 1].T @ d, np.add.reduce(d, axis=0), d @ layers[i].W.T
        else:
            dW[i], db[i], dx = dense(a[i - 1], layers[i].W, dz[i], need_dx=True)
        da[i - 1] = dx
        if own:
            dz[i - 1] = layers[i - 1].activation.backward(z[i - 1], a[i - 1], dx)
        else:
            dz[i - 1] = local(layers[i - 1], z[i - 1], a[i - 1], dx)
    if dense is None:
        dW[0], db[0] = forward.x.T @ dz[0], np.add.reduce(dz[0], axis=0)
    else:
        dW[0], db[0], _ = dense(forward.x, layers[0].W, dz[0], need_dx=False)
    penalty_dW = None
    if regularized:
        for i, layer in enumerate(layers):
            reg = getattr(layer, "kernel_regularizer", None)
            if reg is not None:
                if penalty_dW is None:
                    penalty_dW = [None] * n_layers
                penalty_dW[i] = reg.gradient(layer.W)
                dW[i] = dW[i] + penalty_dW[i]
    norm = math.sqrt(sum([float(np.vdot(g, g)) for g in dW + db]))
    return BackwardRecord(dz, da, dW, db, norm, use_fused, output_da=(loss, y, a[-1]),
                          penalty_dW=penalty_dW)
