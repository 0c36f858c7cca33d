"""Records: what each step computed, to print, plot and compare. Arrays are never modified later."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .terms import phrase

__all__ = ["ForwardRecord", "LossRecord", "BackwardRecord", "UpdateRecord"]


def _arr(a: np.ndarray, n: int = 4) -> str:
    flat = np.asarray(a).ravel()
    body = np.array2string(flat[:n], precision=4, suppress_small=True, separator=", ")
    return body[:-1] + ", ...]" if flat.size > n else body


def _student_lines(record) -> list:
    """The student's functions a phase ran, with their largest difference from the reference."""
    return [f"  your {name}: largest difference from stepnn's own {diff:.3g}"
            + ("  <- differs" if name in record.student_flagged else "")
            for name, diff in record.student.items()]


@dataclass(repr=False, eq=False)
class ForwardRecord:
    """Forward propagation (순전파) of one batch.

    Attributes:
        x: the batch, shape (b, n_in).
        indices: the batch's row numbers in the training data, shape (b,), or None.
        z: per layer, the weighted sum z = x W + b, shape (b, n_out_l).
        a: per layer, the activation a = f(z), shape (b, n_out_l); ``a[-1]`` is the prediction.
        student: the student's functions this phase ran (``Trainer(use=...)``), each with the
            largest absolute difference of its results from the package's own ({} when none).
        student_flagged: the names in ``student`` whose difference is beyond the tolerance.
    """
    x: np.ndarray
    indices: "np.ndarray | None"
    z: list
    a: list
    student: dict = field(default_factory=dict)
    student_flagged: tuple = ()

    @property
    def prediction(self) -> np.ndarray:
        return self.a[-1]

    def __repr__(self) -> str:
        indices = ")" if self.indices is None else phrase("records.indices",
                                                          indices=_arr(self.indices, 6))
        lines = [phrase("records.forward_head", n=len(self.x), indices=indices)]
        for i, (z, a) in enumerate(zip(self.z, self.a), 1):
            source = "x" if i == 1 else f"a{i - 1}"
            lines.append(phrase("records.layer", i=i) + f"z{i} = {source} W{i} + b{i} {z.shape}: "
                         f"{_arr(z[0])}   a{i} = f(z{i}): {_arr(a[0])}")
        lines.append(phrase("records.first_sample"))
        return "\n".join(lines + _student_lines(self))


@dataclass(repr=False, eq=False)
class LossRecord:
    """The loss (손실) of one batch. ``float(record)`` is the batch loss.

    Attributes:
        value: the training loss, ``data_loss + penalty`` (float; inf or NaN when training
            diverged), as Keras adds the regularisation losses to the loss it reports.
        per_sample: each sample's data loss, shape (b,).
        y_true: the batch's labels; y_pred: the prediction, shape (b, k).
        name: the loss function's Keras name.
        penalty: the regularizers' penalty on the kernels (규제), 0.0 without regularizers.
        data_loss: the mean of ``per_sample`` (equal to ``value`` without regularizers).
    """
    value: float
    per_sample: np.ndarray
    y_true: np.ndarray
    y_pred: np.ndarray
    name: str
    penalty: float = 0.0
    data_loss: "float | None" = None

    def __post_init__(self):
        if self.data_loss is None:
            self.data_loss = self.value - self.penalty if self.penalty else self.value

    def __float__(self) -> float:
        return self.value

    @property
    def finite(self) -> bool:
        return bool(np.isfinite(self.value))

    def __repr__(self) -> str:
        warn = "" if self.finite else phrase("records.loss_diverged")
        parts = (phrase("records.loss_parts", data=self.data_loss, penalty=self.penalty)
                 if self.penalty else "")
        return phrase("records.loss", name=self.name, value=self.value, parts=parts,
                      n=len(self.per_sample), per_sample=_arr(self.per_sample), warn=warn)


class BackwardRecord:
    """Backpropagation (역전파): gradients per layer, output layer last.

    Attributes:
        dz: dL/dz per layer, shape (b, n_out_l).
        da: dL/da per layer, shape (b, n_out_l) (for the output layer: the loss's own derivative;
            with the fused rule it is not needed for the step, so it is computed when first read).
        dW: dL/dW per layer, shape (n_in_l, n_out_l) = a_prev^T dz.
        db: dL/db per layer, shape (n_out_l,) = sum of dz over the batch.
        grad_norm: L2 norm of all dW and db together.
        fused: True when the output layer used the fused rule dz = (a - y) / N.
        penalty_dW: per layer, the regularizer's part of dW (d penalty / dW, already added to
            dW), or None for a layer without regularizer; None when no layer has one.
        student, student_flagged: as in ForwardRecord: the student's functions this phase ran and
            their largest difference from the package's own.
    """

    def __init__(self, dz: list, da: list, dW: list, db: list, grad_norm: float, fused: bool,
                 output_da=None, penalty_dW: "list | None" = None):
        self.dz, self._da, self.dW, self.db = dz, da, dW, db
        self.grad_norm, self.fused, self.penalty_dW = grad_norm, fused, penalty_dW
        self._output_da = output_da  # (loss, y, a_out): dL/da of the output, when da[-1] is None
        self.student: dict = {}
        self.student_flagged: tuple = ()

    @property
    def da(self) -> list:
        if self._da[-1] is None:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                loss, y, a_out = self._output_da
                self._da[-1] = loss.gradient(y, a_out)
        return self._da

    @property
    def grads(self) -> list:
        """[dW1, db1, dW2, db2, ...], laid out like ``model.get_weights()``."""
        grads = [None] * (2 * len(self.dW))
        grads[0::2], grads[1::2] = self.dW, self.db
        return grads

    def __repr__(self) -> str:
        rule = phrase("records.fused" if self.fused else "records.chain")
        reg = "" if self.penalty_dW is None else phrase("records.penalty_grad")
        lines = [phrase("records.backward_head", norm=self.grad_norm, rule=rule, reg=reg)]
        for i in range(len(self.dW), 0, -1):
            lines.append(phrase("records.layer", i=i) + f"dL/dW{i} {self.dW[i - 1].shape}: {_arr(self.dW[i - 1])}   "
                         f"dL/db{i}: {_arr(self.db[i - 1])}")
        return "\n".join(lines + _student_lines(self))


class UpdateRecord:
    """One weight update (가중치 갱신): new = old + delta.

    Attributes:
        old, new, delta: lists laid out like ``model.get_weights()`` (delta = new - old,
            computed when first read).
        learning_rate: the learning rate (학습률) used.
        optimizer: the optimizer's name.
    """

    def __init__(self, old: list, new: list, delta: "list | None", learning_rate: float,
                 optimizer: str):
        self.old, self.new, self._delta = old, new, delta
        self.learning_rate, self.optimizer = learning_rate, optimizer

    @property
    def delta(self) -> list:
        if self._delta is None:
            with np.errstate(over="ignore", invalid="ignore"):
                self._delta = [b - a for a, b in zip(self.old, self.new)]
        return self._delta

    def __repr__(self) -> str:
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged update shows inf/NaN
            size = float(np.sqrt(sum(np.sum(d * d) for d in self.delta)))
        lines = [phrase("records.update_head", optimizer=self.optimizer, lr=self.learning_rate,
                        size=size)]
        for i in range(0, len(self.old), 2):
            lines.append(f"  W{i // 2 + 1}: {_arr(self.old[i])} -> {_arr(self.new[i])}")
        return "\n".join(lines)
