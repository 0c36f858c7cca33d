"""Exercises of gradient descent (경사하강법): the update rule of ``sgd`` and of momentum, as
``torch.optim.SGD`` computes them."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import optimizers
from .checker import Case, Exercise, Mistake

MESSAGES = {
    "sgd_update_signature": ("sgd_update(w, grad, learning_rate) returns the new weights "
                             "w - learning_rate * grad",
                             "sgd_update(w, grad, learning_rate)는 새 가중치 "
                             "w - learning_rate * grad를 반환"),
    "sgd_update_hint": ("The gradient points uphill, where the loss grows. Which way should the "
                        "weights move, and how far does the learning rate let them go?",
                        "기울기(gradient)는 손실이 커지는 오르막 방향을 가리킵니다. 가중치는 어느 "
                        "쪽으로 움직여야 하고, 학습률은 얼마나 멀리 가게 할까요?"),
    "momentum_update_signature": ("momentum_update(w, velocity, grad, learning_rate, momentum) "
                                  "returns (new w, new velocity): v = momentum * velocity + grad, "
                                  "w - learning_rate * v",
                                  "momentum_update(w, velocity, grad, learning_rate, momentum)는 "
                                  "(새 w, 새 velocity)를 반환: v = momentum * velocity + grad, "
                                  "w - learning_rate * v"),
    "momentum_update_hint": ("First the new velocity: the old one, shrunk by the momentum, plus "
                             "this gradient. Then step the weights against that velocity, scaled "
                             "by the learning rate. Return both.",
                             "먼저 새 velocity: 이전 velocity에 momentum을 곱해 줄이고 이번 기울기를 "
                             "더합니다. 그다음 가중치를 그 velocity의 반대 방향으로 학습률만큼 "
                             "옮깁니다. 둘 다 반환하세요."),
    "uphill": ("A step uphill (sign error): you add the gradient, so the loss grows. Move against "
               "it: w - learning_rate * grad.",
               "오르막으로 가는 스텝입니다(부호 오류). 기울기를 더하면 손실이 커집니다. 반대로 "
               "움직이세요: w - learning_rate * grad."),
    "forgot_lr": ("The learning rate is forgotten: you step by the whole gradient. Multiply it by "
                  "learning_rate.",
                  "학습률(learning rate)이 빠졌습니다. 기울기 전체만큼 움직였습니다. "
                  "learning_rate를 곱하세요."),
    "returned_step": ("You return the step, not the new weights: add it to w "
                      "(w - learning_rate * grad).",
                      "새 가중치가 아니라 움직인 양(스텝)을 반환했습니다. w에 반영하세요 "
                      "(w - learning_rate * grad)."),
    "sgd_no_grad": ("You subtract the learning rate alone: the step is the learning rate times "
                    "the gradient, w - learning_rate * grad.",
                    "학습률만 뺐습니다. 스텝은 학습률 곱하기 기울기입니다: "
                    "w - learning_rate * grad."),
    "velocity_sign": ("The velocity subtracts the gradient: in torch's rule it adds it, "
                      "v = momentum * velocity + grad, and the minus comes in the step "
                      "w - learning_rate * v.",
                      "velocity에서 기울기를 뺐습니다. torch 규칙에서는 더합니다: "
                      "v = momentum * velocity + grad. 마이너스는 스텝 w - learning_rate * v에서 "
                      "붙습니다."),
    "momentum_on_grad": ("The momentum multiplies the gradient; it should shrink the old velocity: "
                         "v = momentum * velocity + grad.",
                         "momentum을 기울기에 곱했습니다. momentum은 이전 velocity를 줄여야 합니다: "
                         "v = momentum * velocity + grad."),
    "lr_divides": ("You divide by the learning rate: multiply instead, w - learning_rate * grad.",
                   "학습률로 나눴습니다. 곱해야 합니다: w - learning_rate * grad."),
    "velocity_forgotten": ("The momentum forgets its velocity: your new velocity is just the "
                           "gradient. Keep the old one, shrunk: v = momentum * velocity + grad.",
                           "모멘텀이 velocity를 잊어버립니다. 새 velocity가 기울기뿐입니다. 이전 "
                           "velocity를 줄여서 유지하세요: v = momentum * velocity + grad."),
    "velocity_not_updated": ("The velocity is returned unchanged: add this step's gradient, "
                             "v = momentum * velocity + grad.",
                             "velocity를 바꾸지 않고 반환했습니다. 이번 기울기를 더하세요: "
                             "v = momentum * velocity + grad."),
    "momentum_not_applied": ("The old velocity is not multiplied by the momentum, so it never "
                             "fades: v = momentum * velocity + grad.",
                             "이전 velocity에 momentum을 곱하지 않아 줄어들지 않습니다: "
                             "v = momentum * velocity + grad."),
    "velocity_ema": ("You scale the gradient by (1 - momentum): the course follows "
                     "torch.optim.SGD, which adds it whole: v = momentum * velocity + grad.",
                     "기울기에 (1 - momentum)을 곱했습니다. 이 과정은 torch.optim.SGD를 따르며, "
                     "기울기를 그대로 더합니다: v = momentum * velocity + grad."),
    "step_uses_grad": ("The step forgets the velocity: it uses the gradient. Step with the new "
                       "velocity: w - learning_rate * v.",
                       "스텝이 velocity를 잊고 기울기를 씁니다. 새 velocity로 움직이세요: "
                       "w - learning_rate * v."),
    "step_uses_old_velocity": ("The step uses the old velocity: compute the new one first, then "
                               "w - learning_rate * v with it.",
                               "스텝에 이전 velocity를 썼습니다. 새 velocity를 먼저 구한 뒤 그것으로 "
                               "w - learning_rate * v를 계산하세요."),
    "keras_momentum": ("That is Keras' form of momentum (v = momentum * v - lr * grad, w + v). The "
                       "course follows torch.optim.SGD: v = momentum * velocity + grad, then "
                       "w - learning_rate * v.",
                       "Keras 방식의 모멘텀입니다(v = momentum * v - lr * grad, w + v). 이 과정은 "
                       "torch.optim.SGD를 따릅니다: v = momentum * velocity + grad, 그다음 "
                       "w - learning_rate * v."),
    "swapped_order": ("The two results are swapped: return (new w, new velocity), in this order.",
                      "두 결과의 순서가 바뀌었습니다. (새 w, 새 velocity) 순서로 반환하세요."),
    "case_matrix": ("a weight matrix", "가중치 행렬"),
    "case_first_step": ("the first step (velocity 0)", "첫 스텝 (velocity 0)"),
}


def sgd_update(w: np.ndarray, grad: np.ndarray, learning_rate: float) -> np.ndarray:
    """One plain gradient-descent step by the package's ``sgd`` optimizer: w - learning_rate grad."""
    new, _ = optimizers.SGD(learning_rate=learning_rate).step([w], [grad], {})
    return new[0]


def momentum_update(w: np.ndarray, velocity: np.ndarray, grad: np.ndarray, learning_rate: float,
                    momentum: float) -> tuple:
    """One momentum step by the package's ``sgd`` optimizer (torch.optim.SGD's rule):
    v = momentum velocity + grad, w - learning_rate v. Returns (new w, new velocity)."""
    opt = optimizers.SGD(learning_rate=learning_rate, momentum=momentum)
    new, state = opt.step([w], [grad], {"t": 1, "buf": [velocity]})  # a step after the first
    return new[0], state["buf"][0]


@lru_cache(maxsize=None)
def _sgd_cases() -> list:
    rng = np.random.default_rng(131)
    return [Case("case_matrix", (rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), 0.1)),
            Case("case_vector", (rng.normal(size=5), rng.normal(size=5), 0.01)),
            Case("case_large", (rng.normal(size=(2, 2)), 100 * rng.normal(size=(2, 2)), 0.5))]


SGD_UPDATE = Exercise(
    "sgd_update", ("w", "grad", "learning_rate"), ("w",), "array", sgd_update, _sgd_cases,
    mistakes=(
        Mistake("uphill", lambda w, g, lr: sgd_update(w, -g, lr)),
        Mistake("forgot_lr", lambda w, g, lr: sgd_update(w, g, 1.0)),
        Mistake("uphill", lambda w, g, lr: sgd_update(w, -g, 1.0)),
        Mistake("returned_step", lambda w, g, lr: -lr * g),
        Mistake("returned_step", lambda w, g, lr: lr * g),
        Mistake("lr_divides", lambda w, g, lr: sgd_update(w, g, 1.0 / lr)),
        Mistake("sgd_no_grad", lambda w, g, lr: w - lr),
    ),
    messages=MESSAGES)


@lru_cache(maxsize=None)
def _momentum_cases() -> list:
    rng = np.random.default_rng(132)

    def make(shape, lr, mu, first=False):
        v = np.zeros(shape) if first else rng.normal(size=shape)
        return rng.normal(size=shape), v, rng.normal(size=shape), lr, mu

    return [Case("case_matrix", make((3, 2), 0.1, 0.9)),
            Case("case_first_step", make(4, 0.05, 0.5, first=True)),
            Case("case_vector", make(5, 0.2, 0.8))]


W, V = 0, 1


def _wrong(part: int, wrong):
    """The reference's (new w, new velocity) with one of them computed the mistaken way."""
    def f(w, v, g, lr, mu):
        out = list(momentum_update(w, v, g, lr, mu))
        out[part] = wrong(w, v, g, lr, mu)
        return tuple(out)
    return f


def _keras_momentum(w, v, g, lr, mu):
    v = mu * v - lr * g
    return w + v, v


MOMENTUM_UPDATE = Exercise(
    "momentum_update", ("w", "velocity", "grad", "learning_rate", "momentum"), ("w", "velocity"),
    "array", momentum_update, _momentum_cases,
    mistakes=(
        Mistake("keras_momentum", _keras_momentum),
        Mistake("swapped_order", lambda *a: momentum_update(*a)[::-1]),
        Mistake("velocity_forgotten", _wrong(V, lambda w, v, g, lr, mu: g), V),
        Mistake("velocity_not_updated", _wrong(V, lambda w, v, g, lr, mu: v), V),
        Mistake("momentum_not_applied", _wrong(V, lambda w, v, g, lr, mu: v + g), V),
        Mistake("velocity_ema", _wrong(V, lambda w, v, g, lr, mu: mu * v + (1 - mu) * g), V),
        Mistake("velocity_sign", _wrong(V, lambda w, v, g, lr, mu: mu * v - g), V),
        Mistake("momentum_on_grad", _wrong(V, lambda w, v, g, lr, mu: v + mu * g), V),
        Mistake("step_uses_grad", _wrong(W, lambda w, v, g, lr, mu: sgd_update(w, g, lr)), W),
        Mistake("step_uses_old_velocity", _wrong(W, lambda w, v, g, lr, mu: sgd_update(w, v, lr)), W),
        Mistake("uphill", _wrong(W, lambda w, v, g, lr, mu: sgd_update(w, -(mu * v + g), lr)), W),
        Mistake("forgot_lr", _wrong(W, lambda w, v, g, lr, mu: sgd_update(w, mu * v + g, 1.0)), W),
        Mistake("velocity_sign", _wrong(W, lambda w, v, g, lr, mu: sgd_update(w, mu * v - g, lr)), W),
        Mistake("momentum_on_grad", _wrong(W, lambda w, v, g, lr, mu: sgd_update(w, v + mu * g, lr)),
                W),
    ),
    messages=MESSAGES)

EXERCISES = (SGD_UPDATE, MOMENTUM_UPDATE)
