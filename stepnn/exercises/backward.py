"""Exercises of backpropagation (역전파): the activations' derivatives (도함수) and the chain rule
(연쇄 법칙) through a Dense layer."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import activations
from ..layers import dense_backward
from .checker import Case, Exercise, Mistake
from .forward import _elementwise_cases

_RELU = activations.get("relu")
_SIGMOID = activations.get("sigmoid")

MESSAGES = {
    # relu_derivative
    "relu_derivative_signature": ("relu_derivative(z) returns da/dz element by element: 1 where "
                                  "z > 0, else 0",
                                  "relu_derivative(z)는 원소마다 da/dz를 반환: z > 0이면 1, "
                                  "아니면 0"),
    "relu_derivative_hint": ("Draw ReLU: flat for negative z, a line of slope 1 for positive z. "
                             "Its derivative is the slope at each z. A comparison such as z > 0 "
                             "gives True/False element by element.",
                             "ReLU를 그려 보세요. 음수에서는 평평하고, 양수에서는 기울기 1인 "
                             "직선입니다. 도함수는 각 z에서의 기울기입니다. z > 0 같은 비교는 "
                             "원소마다 True/False를 줍니다."),
    "relu_is_activation": ("You return the activation itself, relu(z), not its derivative: the "
                           "slope is 1 where z > 0 and 0 elsewhere.",
                           "활성화 함수 relu(z) 자체를 반환했습니다. 도함수(derivative)가 "
                           "필요합니다: z > 0이면 기울기 1, 아니면 0."),
    "derivative_missing": ("The activation's derivative is missing: you return 1 everywhere, the "
                           "derivative of the linear activation a = z.",
                           "활성화 함수의 도함수(derivative)가 빠졌습니다. 모든 곳에서 1을 "
                           "반환했는데, 이것은 선형 활성화 a = z의 도함수입니다."),
    "relu_sign": ("For negative z ReLU is flat, so its derivative is 0 there, not -1 "
                  "(np.sign gives -1).",
                  "음수 z에서 ReLU는 평평하므로 도함수(derivative)는 -1이 아니라 0입니다"
                  "(np.sign은 -1을 줍니다)."),
    "relu_derivative_reversed": ("It is the wrong way round: 1 for negative z. ReLU rises where "
                                 "z > 0, so the derivative is 1 there and 0 elsewhere.",
                                 "반대로 되어 있습니다(음수 z에서 1). ReLU는 z > 0에서 증가하므로 "
                                 "그곳에서 도함수가 1이고, 나머지는 0입니다."),
    "relu_at_zero": ("Note: at exactly z = 0 yours gives 1; the package, like Keras and PyTorch, "
                     "uses 0. ReLU has no slope at its corner, so both are accepted.",
                     "참고: 정확히 z = 0에서 작성한 함수는 1을 줍니다. 패키지는 Keras, PyTorch처럼 "
                     "0을 씁니다. ReLU는 꺾이는 점에서 기울기가 없으므로 둘 다 인정합니다."),
    # sigmoid_derivative
    "sigmoid_derivative_signature": ("sigmoid_derivative(z) returns da/dz = s (1 - s) with "
                                     "s = sigmoid(z), element by element",
                                     "sigmoid_derivative(z)는 원소마다 da/dz = s (1 - s)를 반환 "
                                     "(s = sigmoid(z))"),
    "sigmoid_derivative_hint": ("The sigmoid's derivative can be written with the sigmoid itself: "
                                "compute s = sigmoid(z) first, then combine s with 1 - s.",
                                "sigmoid의 도함수는 sigmoid 자신으로 쓸 수 있습니다. 먼저 "
                                "s = sigmoid(z)를 계산하고, s와 1 - s를 조합하세요."),
    "sigmoid_is_activation": ("You return the activation itself, sigmoid(z), not its derivative "
                              "s (1 - s).",
                              "활성화 함수 sigmoid(z) 자체를 반환했습니다. 도함수(derivative) "
                              "s (1 - s)가 필요합니다."),
    "sigmoid_not_applied": ("You compute z (1 - z): apply the sigmoid first, s = sigmoid(z), then "
                            "return s (1 - s).",
                            "z (1 - z)를 계산했습니다. 먼저 sigmoid를 적용해 s = sigmoid(z)를 "
                            "구하고 s (1 - s)를 반환하세요."),
    "sigmoid_derivative_factors": ("The derivative is the product of two factors, s and 1 - s, "
                                   "with s = sigmoid(z): s (1 - s).",
                                   "도함수는 두 인수 s와 1 - s의 곱입니다(s = sigmoid(z)): "
                                   "s (1 - s)."),
    "sigmoid_derivative_sign": ("Your derivative is negative, s (s - 1); the sigmoid only rises, so "
                                "its derivative s (1 - s) is positive.",
                                "도함수가 음수 s (s - 1)입니다. sigmoid는 증가하기만 하므로 도함수 "
                                "s (1 - s)는 양수입니다."),
    # dense_backward
    "dense_backward_signature": ("dense_backward(x, W, dz) returns (dW, db, dx) with the shapes "
                                 "of W (i, o), b (o,) and x (n, i)",
                                 "dense_backward(x, W, dz)는 W (i, o), b (o,), x (n, i)와 같은 "
                                 "모양의 (dW, db, dx)를 반환"),
    "dense_backward_hint": ("Each gradient has the shape of what it belongs to: dW like W (i, o), "
                            "db like b (o,), dx like x (n, i). Which products of x (n, i), dz (n, o) "
                            "and W (i, o), transposed or not, give those shapes?",
                            "각 기울기는 해당 값과 모양이 같습니다: dW는 W (i, o), db는 b (o,), "
                            "dx는 x (n, i)와 같습니다. x (n, i), dz (n, o), W (i, o)를 (전치하거나 "
                            "그대로) 어떻게 곱하면 그 모양이 될까요?"),
    "dW_transposed": ("dW is transposed: dz^T x has the shape of W^T. dW = x^T dz (x.T @ dz), "
                      "shape (i, o).",
                      "dW가 전치(transpose)되었습니다. dz^T x는 W^T의 모양입니다. dW = x^T dz "
                      "(x.T @ dz), 모양 (i, o)."),
    "dW_mean": ("dW is divided by n: a mean where a sum is meant. dz already carries the 1/N of "
                "the mean loss, so dW = x^T dz sums over the batch.",
                "dW를 n으로 나눴습니다. 합(sum)이어야 할 곳에 평균(mean)을 썼습니다. dz에 이미 "
                "평균 손실의 1/N이 들어 있으므로 dW = x^T dz는 배치에 대해 더합니다."),
    "db_mean": ("db is a mean where a sum is meant: dz already carries the 1/N of the mean loss. "
                "Sum over the batch: dz.sum(axis=0).",
                "db에 합(sum) 대신 평균(mean)을 썼습니다. dz에 이미 평균 손실의 1/N이 들어 "
                "있습니다. 배치에 대해 더하세요: dz.sum(axis=0)."),
    "db_sum_all": ("db sums everything into one number: it needs one value per unit, so sum over "
                   "the batch axis only: dz.sum(axis=0), shape (o,).",
                   "db가 모든 값을 숫자 하나로 더했습니다. 유닛마다 값이 하나씩 있어야 하므로 배치 "
                   "축으로만 더하세요: dz.sum(axis=0), 모양 (o,)."),
    "db_axis": ("db sums over the wrong axis: over the units (axis=1). Sum over the samples: "
                "dz.sum(axis=0), shape (o,).",
                "db를 잘못된 축(axis)으로 더했습니다(유닛 축, axis=1). 샘플 축으로 더하세요: "
                "dz.sum(axis=0), 모양 (o,)."),
    "db_not_summed": ("db is dz itself: the bias is shared by every sample, so sum dz over the "
                      "batch: dz.sum(axis=0), shape (o,).",
                      "db가 dz 그대로입니다. 편향은 모든 샘플이 함께 쓰므로 dz를 배치에 대해 "
                      "더하세요: dz.sum(axis=0), 모양 (o,)."),
    "db_keepdims": ("db has shape (1, o): b has shape (o,), so sum without keepdims: "
                    "dz.sum(axis=0).",
                    "db의 모양이 (1, o)입니다. b의 모양은 (o,)이므로 keepdims 없이 더하세요: "
                    "dz.sum(axis=0)."),
    "dense_backward_order": ("The three gradients are in the wrong order: return (dW, db, dx).",
                             "세 기울기의 순서가 틀렸습니다. (dW, db, dx) 순서로 반환하세요."),
    "dense_backward_shapes": ("Shapes: x (n, i), W (i, o), dz (n, o); dW must be (i, o), db (o,), "
                              "dx (n, i). A matrix product needs the inner sizes to match: "
                              "transpose where they do not.",
                              "모양: x (n, i), W (i, o), dz (n, o); dW는 (i, o), db는 (o,), dx는 "
                              "(n, i)여야 합니다. 행렬 곱은 안쪽 크기가 같아야 합니다. 맞지 않으면 "
                              "전치(transpose)하세요."),
    "dx_W_not_transposed": ("dx uses W where W^T is meant: dx = dz W^T (dz @ W.T), shape (n, i).",
                            "dx에 W^T 대신 W를 썼습니다. dx = dz W^T (dz @ W.T), 모양 (n, i)."),
    "dx_transposed": ("dx is transposed: it has the shape of x, (n, i): dx = dz W^T.",
                      "dx가 전치(transpose)되었습니다. dx는 x와 같은 모양 (n, i)입니다: "
                      "dx = dz W^T."),
}


def _derivative(activation):
    def derivative(z: np.ndarray) -> np.ndarray:
        """da/dz element by element: the activation's backward rule with upstream gradient 1."""
        return activation.backward(z, activation.forward(z), np.ones_like(z))
    return derivative


relu_derivative = _derivative(_RELU)
sigmoid_derivative = _derivative(_SIGMOID)


def _relu_corner(args, got, expected):
    """At exactly z = 0 ReLU has no slope: any value in [0, 1] (a subgradient) is accepted."""
    z, mine, ref = args[0], got[0], expected[0]
    if mine.shape != ref.shape:
        return expected, None
    corner = (z == 0) & (mine >= 0) & (mine <= 1)
    if np.array_equal(mine[corner], ref[corner]):
        return expected, None
    ref = ref.copy()
    ref[corner] = mine[corner]
    return (ref,), "relu_at_zero"


RELU_DERIVATIVE = Exercise(
    "relu_derivative", ("z",), ("da/dz",), "array", relu_derivative, _elementwise_cases,
    mistakes=(
        Mistake("relu_is_activation", _RELU.forward),
        Mistake("derivative_missing", np.ones_like),
        Mistake("relu_sign", np.sign),
        Mistake("relu_derivative_reversed", lambda z: (z < 0) * 1.0),
        Mistake("relu_derivative_reversed", lambda z: (z <= 0) * 1.0),
    ),
    messages=MESSAGES, tolerate=_relu_corner, on_error="elementwise_note")

SIGMOID_DERIVATIVE = Exercise(
    "sigmoid_derivative", ("z",), ("da/dz",), "array", sigmoid_derivative, _elementwise_cases,
    mistakes=(
        Mistake("sigmoid_is_activation", _SIGMOID.forward),
        Mistake("sigmoid_not_applied", lambda z: z * (1.0 - z)),
        Mistake("derivative_missing", np.ones_like),
        Mistake("sigmoid_derivative_sign", lambda z: -sigmoid_derivative(z)),
        Mistake("sigmoid_derivative_factors", lambda z: 1.0 - _SIGMOID.forward(z)),
        Mistake("sigmoid_derivative_factors", lambda z: _SIGMOID.forward(z) ** 2),
        Mistake("sigmoid_derivative_factors",
                lambda z: _SIGMOID.forward(z) * (1.0 + _SIGMOID.forward(z))),
    ),
    messages=MESSAGES, on_error="elementwise_note")


@lru_cache(maxsize=None)
def _dense_cases() -> list:
    rng = np.random.default_rng(111)

    def make(n, i, o):  # dz of a mean loss carries 1/n
        return rng.normal(size=(n, i)), rng.normal(size=(i, o)), rng.normal(size=(n, o)) / n

    return [Case("case_non_square", make(4, 3, 2)), Case("case_batch_of_one", make(1, 3, 2)),
            Case("case_square", make(3, 3, 3)), Case("case_wide", make(5, 2, 4))]


def _replace(part: int, wrong):
    """The reference's (dW, db, dx) with one of them computed the mistaken way."""
    def f(x, W, dz):
        out = list(dense_backward(x, W, dz))
        out[part] = wrong(x, W, dz)
        return tuple(out)
    return f


def _pick(values: tuple, *order: int) -> tuple:
    return tuple(values[i] for i in order)


DW, DB, DX = 0, 1, 2

DENSE_BACKWARD = Exercise(
    "dense_backward", ("x", "W", "dz"), ("dW", "db", "dx"), "array", dense_backward, _dense_cases,
    mistakes=(
        Mistake("dense_backward_order", lambda x, W, dz: dense_backward(x, W, dz)[::-1]),
        Mistake("dense_backward_order", lambda x, W, dz: _pick(dense_backward(x, W, dz), 0, 2, 1)),
        Mistake("dW_transposed", _replace(DW, lambda x, W, dz: dz.T @ x), DW),
        Mistake("dW_mean", _replace(DW, lambda x, W, dz: x.T @ dz / len(x)), DW),
        Mistake("db_mean", _replace(DB, lambda x, W, dz: dz.mean(axis=0)), DB),
        Mistake("db_sum_all", _replace(DB, lambda x, W, dz: dz.sum()), DB),
        Mistake("db_axis", _replace(DB, lambda x, W, dz: dz.sum(axis=1)), DB),
        Mistake("db_not_summed", _replace(DB, lambda x, W, dz: dz), DB),
        Mistake("db_keepdims", _replace(DB, lambda x, W, dz: dz.sum(axis=0, keepdims=True)), DB),
        Mistake("dx_W_not_transposed", _replace(DX, lambda x, W, dz: dz @ W), DX),
        Mistake("dx_transposed", _replace(DX, lambda x, W, dz: W @ dz.T), DX),
    ),
    messages=MESSAGES, on_error="dense_backward_shapes")

EXERCISES = (RELU_DERIVATIVE, SIGMOID_DERIVATIVE, DENSE_BACKWARD)
