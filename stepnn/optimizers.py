"""Optimizers (옵티마이저): how the weights step down the slope, given the gradients.

Each optimizer holds only its hyperparameters. Its ``step`` is pure: it takes the parameters,
their gradients and the optimizer's state (moments, step count) and returns new parameters and a
new state, leaving its inputs untouched, so a trainer can keep and restore old states exactly.

Update rules and default hyperparameters follow PyTorch's ``torch.optim`` (documented per class)
so results can be cross-checked against it. Keras' defaults differ: its learning rates (SGD 0.01,
RMSprop 0.001, Adagrad 0.001; here, as in torch, 1e-3, 0.01 and 0.01; Adam 1e-3 in both), and
RMSprop's decay (torch's alpha=0.99, Keras' rho=0.9).

"SGD" names two things in the course: stochastic gradient descent (확률적 경사 하강법), training
with batch size 1, and the plain update rule ``sgd`` (``SGD`` here, as in torch and Keras). An
optimizer is only the update rule; how many samples each step uses is the trainer's batch size.
"""
from __future__ import annotations

import numpy as np

from ._checks import check_flag, positive_float, unit_interval, unknown_name
from .terms import phrase

__all__ = ["Optimizer", "SGD", "RMSprop", "Adagrad", "Adam", "get", "NAMES"]


def _nonneg(name, value) -> float:
    return 0.0 if value == 0 else positive_float(name, value)


class Optimizer:
    """Base class: subclasses set ``name`` and implement ``_step``."""

    name = "optimizer"
    _fields: tuple[str, ...] = ()

    def __init__(self, learning_rate: float):
        self.learning_rate = positive_float("learning_rate", learning_rate)

    def step(self, params: list, grads: list, state: dict, learning_rate: "float | None" = None):
        """One update. Returns (new_params, new_state); ``state`` starts as ``{}``.

        Args:
            params: arrays [W1, b1, ...]; grads: matching dL/d(param) arrays.
            learning_rate: overrides ``self.learning_rate`` for this step.
        """
        lr = self.learning_rate if learning_rate is None else learning_rate
        t = state.get("t", 0) + 1
        if self.weight_decay:
            grads = [g + self.weight_decay * p for p, g in zip(params, grads)]
        return self._step(params, grads, state, lr, t)

    weight_decay = 0.0

    def hyperparameters(self) -> dict:
        return {k: getattr(self, k) for k in ("learning_rate",) + self._fields}

    def copy(self, **changes) -> "Optimizer":
        return type(self)(**{**self.hyperparameters(), **changes})

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """The plain update rule ``sgd`` (p <- p - lr g), optionally with momentum, as ``torch.optim.SGD``.

    The rule only: with batch size 1 the trainer does stochastic gradient descent (확률적 경사
    하강법), with a larger batch mini-batch or full-batch gradient descent, all with this rule.
    Without momentum: p <- p - lr g. With momentum m: buf <- g at the first step, then
    buf <- m buf + (1 - dampening) g; the step uses buf (or g + m buf with ``nesterov=True``).
    Defaults as torch: learning_rate=1e-3 (Keras: 0.01), momentum=0, dampening=0, nesterov=False,
    weight_decay=0.
    """

    name = "sgd"
    _fields = ("momentum", "nesterov", "dampening", "weight_decay")

    def __init__(self, learning_rate: float = 1e-3, momentum: float = 0.0, nesterov: bool = False,
                 dampening: float = 0.0, weight_decay: float = 0.0):
        super().__init__(learning_rate)
        self.momentum = unit_interval("momentum", momentum)
        self.dampening = unit_interval("dampening", dampening)
        self.weight_decay = _nonneg("weight_decay", weight_decay)
        self.nesterov = check_flag("nesterov", nesterov)
        if self.nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError(phrase("errors.nesterov", momentum=momentum, dampening=dampening))

    def _step(self, params, grads, state, lr, t):
        if not self.momentum:
            return [p - lr * g for p, g in zip(params, grads)], {"t": t}
        m = self.momentum
        bufs = (list(grads) if t == 1
                else [m * b + (1.0 - self.dampening) * g for b, g in zip(state["buf"], grads)])
        moves = [g + m * b for g, b in zip(grads, bufs)] if self.nesterov else bufs
        return [p - lr * d for p, d in zip(params, moves)], {"t": t, "buf": bufs}


class RMSprop(Optimizer):
    """RMSprop as ``torch.optim.RMSprop``: v <- alpha v + (1 - alpha) g^2; p <- p - lr g / (sqrt(v) + eps).

    ``centered`` subtracts the squared running mean of g under the root; ``momentum`` keeps a buffer
    buf <- momentum buf + g / (sqrt(v) + eps). Defaults as torch: learning_rate=0.01 (Keras: 0.001),
    alpha=0.99 (Keras calls it rho, default 0.9), eps=1e-8, momentum=0, centered=False,
    weight_decay=0.
    """

    name = "rmsprop"
    _fields = ("alpha", "eps", "momentum", "centered", "weight_decay")

    def __init__(self, learning_rate: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                 momentum: float = 0.0, centered: bool = False, weight_decay: float = 0.0):
        super().__init__(learning_rate)
        self.alpha = unit_interval("alpha", alpha)
        self.eps = positive_float("eps", eps)
        self.momentum = unit_interval("momentum", momentum)
        self.centered = check_flag("centered", centered)
        self.weight_decay = _nonneg("weight_decay", weight_decay)

    def _step(self, params, grads, state, lr, t):
        al = self.alpha
        zeros = [np.zeros_like(p) for p in params]
        v = [al * s + (1 - al) * g * g for s, g in zip(state.get("v", zeros), grads)]
        new_state = {"t": t, "v": v}
        if self.centered:
            mean = [al * s + (1 - al) * g for s, g in zip(state.get("g_avg", zeros), grads)]
            denom = [np.sqrt(s - m * m) + self.eps for s, m in zip(v, mean)]
            new_state["g_avg"] = mean
        else:
            denom = [np.sqrt(s) + self.eps for s in v]
        if self.momentum:
            moves = [self.momentum * b + g / d
                     for b, g, d in zip(state.get("buf", zeros), grads, denom)]
            new_state["buf"] = moves
        else:
            moves = [g / d for g, d in zip(grads, denom)]
        return [p - lr * d for p, d in zip(params, moves)], new_state


class Adagrad(Optimizer):
    """Adagrad as ``torch.optim.Adagrad``: s <- s + g^2; p <- p - lr_t g / (sqrt(s) + eps),
    lr_t = lr / (1 + (t - 1) lr_decay). Defaults as torch: learning_rate=0.01 (Keras: 0.001),
    lr_decay=0, initial_accumulator_value=0 (Keras: 0.1), eps=1e-10, weight_decay=0.
    """

    name = "adagrad"
    _fields = ("lr_decay", "initial_accumulator_value", "eps", "weight_decay")

    def __init__(self, learning_rate: float = 0.01, lr_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, weight_decay: float = 0.0):
        super().__init__(learning_rate)
        self.lr_decay = _nonneg("lr_decay", lr_decay)
        self.initial_accumulator_value = _nonneg("initial_accumulator_value",
                                                 initial_accumulator_value)
        self.eps = positive_float("eps", eps)
        self.weight_decay = _nonneg("weight_decay", weight_decay)

    def _step(self, params, grads, state, lr, t):
        start = [np.full_like(p, self.initial_accumulator_value) for p in params]
        s = [a + g * g for a, g in zip(state.get("sum", start), grads)]
        clr = lr / (1 + (t - 1) * self.lr_decay)
        new = [p - clr * g / (np.sqrt(a) + self.eps) for p, g, a in zip(params, grads, s)]
        return new, {"t": t, "sum": s}


class Adam(Optimizer):
    """Adam as ``torch.optim.Adam``: m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2;
    p <- p - lr m_hat / (sqrt(v_hat) + eps) with m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t).
    ``amsgrad`` uses the running maximum of v. Defaults as torch: learning_rate=1e-3 (as Keras),
    beta_1=0.9, beta_2=0.999, eps=1e-8 (Keras: 1e-7), amsgrad=False, weight_decay=0.
    """

    name = "adam"
    _fields = ("beta_1", "beta_2", "eps", "amsgrad", "weight_decay")

    def __init__(self, learning_rate: float = 1e-3, beta_1: float = 0.9, beta_2: float = 0.999,
                 eps: float = 1e-8, amsgrad: bool = False, weight_decay: float = 0.0):
        super().__init__(learning_rate)
        self.beta_1 = unit_interval("beta_1", beta_1)
        self.beta_2 = unit_interval("beta_2", beta_2)
        self.eps = positive_float("eps", eps)
        self.amsgrad = check_flag("amsgrad", amsgrad)
        self.weight_decay = _nonneg("weight_decay", weight_decay)

    def _step(self, params, grads, state, lr, t):
        b1, b2 = self.beta_1, self.beta_2
        zeros = [np.zeros_like(p) for p in params]
        m = [b1 * a + (1 - b1) * g for a, g in zip(state.get("m", zeros), grads)]
        v = [b2 * a + (1 - b2) * g * g for a, g in zip(state.get("v", zeros), grads)]
        new_state = {"t": t, "m": m, "v": v}
        if self.amsgrad:
            v = [np.maximum(a, b) for a, b in zip(state.get("v_max", zeros), v)]
            new_state["v_max"] = v
        bc1, bc2_root = 1 - b1 ** t, np.sqrt(1 - b2 ** t)
        new = [p - (lr / bc1) * a / (np.sqrt(s) / bc2_root + self.eps)
               for p, a, s in zip(params, m, v)]
        return new, new_state


_TABLE = {"sgd": SGD, "rmsprop": RMSprop, "adagrad": Adagrad, "adam": Adam}
NAMES: tuple[str, ...] = tuple(_TABLE)


def get(identifier: "str | Optimizer", learning_rate: "float | None" = None, **kwargs) -> Optimizer:
    """Resolve an optimizer name (with hyperparameters) or pass an Optimizer through (a copy with
    the hyperparameters given changed, when there are any).

    ``learning_rate`` (when given) overrides the optimizer's own. A hyperparameter the optimizer
    does not have is a TypeError naming the ones it has.
    """
    if isinstance(identifier, Optimizer):
        kind = type(identifier)
    elif isinstance(identifier, str) and identifier.lower() in _TABLE:
        kind = _TABLE[identifier.lower()]
    else:
        raise unknown_name("optimizer", identifier, NAMES)
    valid = ("learning_rate",) + kind._fields
    unknown = [key for key in kwargs if key not in valid]
    if unknown:
        raise TypeError(phrase("errors.optimizer_hyperparameter", optimizer=kind.__name__,
                               names=", ".join(map(repr, unknown)), valid=", ".join(valid)))
    if not isinstance(identifier, Optimizer):
        opt = kind(**kwargs)
    else:  # an Optimizer object, with any hyperparameters given changed
        opt = identifier.copy(**kwargs) if kwargs else identifier
    if learning_rate is not None:
        opt = opt.copy(learning_rate=positive_float("learning_rate", learning_rate))
    return opt
