"""Exercises of forward propagation (순전파): the weighted sum z = x W + b and the activations."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import activations
from ..layers import dense_forward
from .checker import Case, Exercise, Mistake

_relu = activations.get("relu").forward
_softmax = activations.softmax

MESSAGES = {
    # dense_forward
    "dense_forward_signature": ("dense_forward(x, W, b) returns z = x W + b of shape (n, o)",
                        "dense_forward(x, W, b)는 모양 (n, o)인 z = x W + b를 반환"),
    "dense_forward_hint": ("Each row of x is one sample. Which matrix product of x (n, i) and "
                   "W (i, o) gives one row of o weighted sums per sample? And what is added to every row?",
                   "x의 각 행이 샘플 하나입니다. x (n, i)와 W (i, o)의 어떤 행렬 곱이 샘플마다 "
                   "가중합 o개를 한 행으로 줄까요? 그리고 모든 행에 무엇을 더해야 할까요?"),
    "forgot_bias": ("The bias is missing: you return x W, but z = x W + b. Add b (shape (o,)); "
                    "numpy adds it to every row.",
                    "편향(bias)이 빠졌습니다. x W만 반환했는데 z = x W + b입니다. b (모양 (o,))를 "
                    "더하세요. numpy가 모든 행에 더해 줍니다."),
    "bias_sign": ("The bias is subtracted: z = x W + b adds it.",
                  "편향을 빼고 있습니다. z = x W + b처럼 더해야 합니다."),
    "bias_multiplied": ("The bias is multiplied: z = x W + b adds it.",
                        "편향을 곱하고 있습니다. z = x W + b처럼 더해야 합니다."),
    "transposed_W": ("W is transposed: you use x W^T (W.T), which only works when W is square. "
                     "W has shape (i, o), so x @ W is already (n, o).",
                     "W를 전치(transpose)해서 x W^T (W.T)를 쓰고 있습니다. 이것은 W가 정사각형일 "
                     "때만 동작합니다. W의 모양이 (i, o)이므로 x @ W가 이미 (n, o)입니다."),
    "product_order": ("The matrix product is in the wrong order: W @ x. Each sample is a row of x, "
                      "so z = x @ W, shape (n, o).",
                      "행렬 곱의 순서가 바뀌었습니다(W @ x). 샘플 하나가 x의 한 행이므로 "
                      "z = x @ W, 모양 (n, o)입니다."),
    "elementwise_product": ("x * W multiplies element by element: the weighted sum is the matrix "
                            "product x @ W (np.dot(x, W)).",
                            "x * W는 원소끼리 곱합니다. 가중합은 행렬 곱 x @ W "
                            "(np.dot(x, W))입니다."),
    "dense_shapes": ("Shapes: x is (n, i), W is (i, o), b is (o,); x @ W is (n, o), one row per "
                     "sample, then b is added to every row.",
                     "모양: x는 (n, i), W는 (i, o), b는 (o,)입니다. x @ W는 샘플마다 한 행인 "
                     "(n, o)이고, 여기에 b를 모든 행에 더합니다."),
    # relu
    "relu_signature": ("relu(z) returns max(z, 0) element by element, same shape as z",
                       "relu(z)는 원소마다 max(z, 0)을 z와 같은 모양으로 반환"),
    "relu_hint": ("ReLU keeps positive values and turns negative ones into 0, element by element. "
                  "Which numpy function takes the larger of two values element by element?",
                  "ReLU는 원소마다 양수는 그대로, 음수는 0으로 바꿉니다. 두 값 중 큰 값을 원소마다 "
                  "고르는 numpy 함수는 무엇일까요?"),
    "relu_np_max": ("np.max(z, 0) is a reduction: it takes the largest value along axis 0 and "
                    "returns a smaller array. ReLU compares each element with 0: np.maximum(z, 0).",
                    "np.max(z, 0)은 축(axis) 0을 따라 가장 큰 값을 고르는 축소 연산이라 더 작은 "
                    "배열을 돌려줍니다. ReLU는 원소마다 0과 비교합니다: np.maximum(z, 0)."),
    "relu_minimum": ("You keep the negative values and zero the positive ones: ReLU is max(z, 0), "
                     "not min(z, 0).",
                     "음수를 남기고 양수를 0으로 만들었습니다. ReLU는 min(z, 0)이 아니라 "
                     "max(z, 0)입니다."),
    "relu_is_derivative": ("You return 1 for positive z and 0 otherwise: that is ReLU's "
                           "derivative. ReLU itself keeps the positive values: max(z, 0).",
                           "양수에서 1, 나머지에서 0을 반환했습니다. 이것은 ReLU의 도함수입니다. "
                           "ReLU 자체는 양수 값을 그대로 둡니다: max(z, 0)."),
    "relu_leaky": ("Negative values are scaled down, not set to 0: that is leaky ReLU. ReLU is "
                   "max(z, 0).",
                   "음수를 0으로 만들지 않고 작게 줄였습니다. 그것은 leaky ReLU입니다. ReLU는 "
                   "max(z, 0)입니다."),
    "relu_identity": ("You return z unchanged: ReLU sets the negative values to 0, max(z, 0).",
                      "z를 그대로 반환했습니다. ReLU는 음수 값을 0으로 바꿉니다: max(z, 0)."),
    "relu_abs": ("You return |z|: negative values must become 0, not positive.",
                 "|z|를 반환했습니다. 음수는 양수가 아니라 0이 되어야 합니다."),
    # sigmoid
    "sigmoid_signature": ("sigmoid(z) returns 1 / (1 + e^-z) element by element",
                          "sigmoid(z)는 원소마다 1 / (1 + e^-z)를 반환"),
    "sigmoid_hint": ("sigmoid(z) = 1 / (1 + e^(-z)): large positive z gives almost 1, large "
                     "negative z almost 0. np.exp works element by element.",
                     "sigmoid(z) = 1 / (1 + e^(-z)): 큰 양수 z는 거의 1, 큰 음수 z는 거의 0이 "
                     "됩니다. np.exp는 원소마다 계산합니다."),
    "sigmoid_sign": ("Sign error in the exponent: you compute 1 / (1 + e^z), which is "
                     "sigmoid(-z). Use e^(-z): np.exp(-z).",
                     "지수의 부호가 틀렸습니다. 1 / (1 + e^z)는 sigmoid(-z)입니다. e^(-z), "
                     "즉 np.exp(-z)를 쓰세요."),
    "sigmoid_is_tanh": ("That is tanh, which goes from -1 to 1; the sigmoid goes from 0 to 1: "
                        "1 / (1 + e^-z).",
                        "그것은 -1에서 1 사이의 tanh입니다. sigmoid는 0에서 1 사이입니다: "
                        "1 / (1 + e^-z)."),
    "sigmoid_overflow": ("e^z / (1 + e^z) overflows for large z: e^1000 is inf and inf / inf is "
                         "NaN. Use 1 / (1 + np.exp(-z)), which gives 1 there.",
                         "e^z / (1 + e^z)는 큰 z에서 오버플로(overflow)합니다. e^1000은 inf이고 "
                         "inf / inf는 NaN입니다. 1 / (1 + np.exp(-z))를 쓰면 1이 나옵니다."),
    # softmax
    "softmax_signature": ("softmax(z) returns, for each row (the last axis), e^z divided by the "
                          "row's sum of e^z",
                          "softmax(z)는 행(마지막 축)마다 e^z를 그 행의 e^z 합으로 나눈 값을 반환"),
    "softmax_hint": ("Each row is one sample and must become probabilities that sum to 1. "
                     "Subtract each row's maximum first (z.max(axis=-1, keepdims=True)) so np.exp "
                     "cannot overflow; it does not change the result.",
                     "각 행이 샘플 하나이고, 합이 1인 확률이 되어야 합니다. 먼저 각 행의 최댓값"
                     "(z.max(axis=-1, keepdims=True))을 빼면 np.exp가 오버플로하지 않고, 결과는 "
                     "그대로입니다."),
    "softmax_no_exp": ("e^z is missing: you divide z by its sum. Softmax divides e^z by the row's "
                       "sum of e^z, so every output is positive.",
                       "e^z가 빠졌습니다. z를 그 합으로 나눴습니다. softmax는 e^z를 그 행의 e^z 합으로 "
                       "나누므로 모든 출력이 양수입니다."),
    "softmax_is_sigmoid": ("That is the sigmoid of each value on its own: softmax divides e^z by "
                           "the sum of e^z over the row, so each row sums to 1.",
                           "각 값에 따로 sigmoid를 적용했습니다. softmax는 e^z를 그 행의 e^z 합으로 "
                           "나누므로 각 행의 합이 1입니다."),
    "softmax_overflow": ("Overflow: without subtracting the max, np.exp(1000) is inf and inf / inf "
                         "is NaN. Subtract each row's maximum before np.exp: "
                         "np.exp(z - z.max(axis=-1, keepdims=True)). The result is the same.",
                         "오버플로(overflow): 최댓값(max)을 빼지 않으면 np.exp(1000)은 inf이고 "
                         "inf / inf는 NaN입니다. np.exp 전에 각 행의 최댓값을 빼세요: "
                         "np.exp(z - z.max(axis=-1, keepdims=True)). 결과는 같습니다."),
    "softmax_global_max": ("You subtract the max of the whole array, not of each row: a row far "
                           "below it underflows to 0 / 0 = NaN. Use z.max(axis=-1, keepdims=True).",
                           "배열 전체의 최댓값(max)을 빼고 있습니다. 행마다 빼야 합니다. 그보다 훨씬 "
                           "작은 행은 0 / 0 = NaN이 됩니다. z.max(axis=-1, keepdims=True)를 쓰세요."),
    "softmax_axis0": ("Normalising over the wrong axis: your columns sum to 1, but each row (one "
                      "sample) must. Sum over the last axis: axis=-1, keepdims=True.",
                      "잘못된 축(axis)으로 정규화했습니다. 열의 합이 1이 되었지만, 샘플 하나인 각 "
                      "행의 합이 1이어야 합니다. 마지막 축으로 더하세요: axis=-1, keepdims=True."),
    "softmax_whole_sum": ("You divide by the sum over the whole array (no axis): each row must "
                          "sum to 1 on its own. Use .sum(axis=-1, keepdims=True).",
                          "배열 전체의 합으로 나눴습니다(axis 없음). 행마다 합이 1이어야 합니다. "
                          ".sum(axis=-1, keepdims=True)를 쓰세요."),
    "softmax_shapes": ("Shapes: z is (n, k); a sum or max over axis=-1 is (n,), which numpy lines up "
                       "with the columns of z, not its rows. Keep the axis with keepdims=True, "
                       "giving (n, 1).",
                       "모양: z는 (n, k)입니다. axis=-1로 더하거나 max를 구하면 (n,)이 되는데, numpy는 "
                       "이것을 z의 행이 아니라 열에 맞춥니다. keepdims=True로 축을 남겨 (n, 1)로 만드세요."),
    "softmax_keepdims": ("keepdims=True is missing: a row sum of shape (n,) does not line up with "
                         "z (n, k) (numpy matches it against the columns). Use "
                         ".sum(axis=-1, keepdims=True) and .max(axis=-1, keepdims=True).",
                         "keepdims=True가 빠졌습니다. 모양 (n,)인 행의 합은 z (n, k)와 맞지 않습니다"
                         "(numpy는 열에 맞춥니다). .sum(axis=-1, keepdims=True)와 "
                         ".max(axis=-1, keepdims=True)를 쓰세요."),
    "overflow_note": ("This case has large logits (about ±1000): np.exp(1000) overflows to inf. "
                      "Subtract each row's maximum before np.exp; the result does not change.",
                      "이 경우는 로짓(logit)이 아주 큽니다(약 ±1000). np.exp(1000)은 inf로 "
                      "오버플로합니다. np.exp 전에 각 행의 최댓값을 빼세요. 결과는 바뀌지 않습니다."),
    "case_square_z": ("as many samples as classes", "샘플 수와 클래스 수가 같은 z"),
    "case_logits": ("large logits", "아주 큰 로짓"),
}


# --- dense_forward ----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _dense_cases() -> list:
    rng = np.random.default_rng(101)

    def make(n, i, o):
        return rng.normal(size=(n, i)), rng.normal(size=(i, o)), rng.normal(size=o)

    return [Case("case_non_square", make(4, 3, 2)), Case("case_batch_of_one", make(1, 3, 2)),
            Case("case_square", make(3, 3, 3)), Case("case_wide", make(5, 2, 4))]


DENSE_FORWARD = Exercise(
    "dense_forward", ("x", "W", "b"), ("z",), "array", dense_forward, _dense_cases,
    mistakes=(
        Mistake("forgot_bias", lambda x, W, b: dense_forward(x, W, 0 * b)),
        Mistake("transposed_W", lambda x, W, b: dense_forward(x, W.T, b)),
        Mistake("bias_sign", lambda x, W, b: dense_forward(x, W, -b)),
        Mistake("bias_multiplied", lambda x, W, b: dense_forward(x, W, 0 * b) * b),
        Mistake("product_order", lambda x, W, b: W @ x + b),
        Mistake("elementwise_product", lambda x, W, b: x * W + b),
    ),
    messages=MESSAGES,
    on_error="dense_shapes")


# --- activations: relu, sigmoid, softmax ---------------------------------------------------------

@lru_cache(maxsize=None)
def _elementwise_cases() -> list:
    rng = np.random.default_rng(102)
    small = rng.normal(scale=2.0, size=(4, 3))
    small[0, 0] = small[2, 1] = 0.0  # exactly 0: where ReLU bends
    large = np.array([[-1000.0, -50.0, 0.5, 50.0], [1000.0, 30.0, -30.0, -0.5]])
    return [Case("case_small", (small,)), Case("case_batch_of_one", (rng.normal(size=(1, 5)),)),
            Case("case_vector", (rng.normal(size=6),)),
            Case("case_large", (large,), note="large_note")]


def _exp_over_sum(shift, axis):
    """A softmax written with a given max shift and normalising axis (for the mistaken versions)."""
    def f(z):
        e = np.exp(z - shift(z))
        return e / e.sum(axis=axis, keepdims=axis is not None)
    return f


def _no_shift(z):
    return 0.0


RELU = Exercise(
    "relu", ("z",), ("a",), "array", _relu, _elementwise_cases,
    mistakes=(
        Mistake("relu_np_max", lambda z: np.max(z, 0)),
        Mistake("relu_minimum", lambda z: np.minimum(z, 0.0)),
        Mistake("relu_is_derivative", lambda z: (z > 0) * 1.0),
        Mistake("relu_abs", np.abs),
        Mistake("relu_identity", lambda z: z),
        Mistake("relu_leaky", lambda z: np.maximum(z, 0.01 * z)),
        Mistake("relu_leaky", lambda z: np.where(z > 0, z, 0.01 * z)),
    ),
    messages=MESSAGES, on_error="elementwise_note")

SIGMOID = Exercise(
    "sigmoid", ("z",), ("a",), "array", activations.sigmoid, _elementwise_cases,
    mistakes=(
        Mistake("sigmoid_sign", lambda z: activations.sigmoid(-z)),
        Mistake("sigmoid_overflow", lambda z: np.exp(z) / (1.0 + np.exp(z))),
        Mistake("sigmoid_is_tanh", np.tanh),
    ),
    messages=MESSAGES, on_error="elementwise_note")


@lru_cache(maxsize=None)
def _softmax_cases() -> list:
    rng = np.random.default_rng(103)
    logits = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0],
                       [3.0, 1.0, 0.2]])
    return [Case("case_small", (rng.normal(size=(4, 3)),)),
            Case("case_batch_of_one", (rng.normal(size=(1, 5)),)),
            Case("case_square_z", (rng.normal(scale=2.0, size=(3, 3)),)),
            Case("case_logits", (logits,), note="overflow_note")]


def _exp(z):
    return np.exp(z - z.max(axis=-1, keepdims=True))


SOFTMAX = Exercise(
    "softmax", ("z",), ("a",), "array", _softmax, _softmax_cases,
    mistakes=(
        Mistake("softmax_overflow", _exp_over_sum(_no_shift, -1)),
        Mistake("softmax_global_max", _exp_over_sum(np.max, -1)),
        Mistake("softmax_axis0", lambda z: _softmax(z.T).T),
        Mistake("softmax_axis0", _exp_over_sum(_no_shift, 0)),
        Mistake("softmax_axis0", _exp_over_sum(np.max, 0)),
        Mistake("softmax_whole_sum", _exp_over_sum(np.max, None)),
        Mistake("softmax_whole_sum", _exp_over_sum(_no_shift, None)),
        Mistake("softmax_keepdims", lambda z: _exp(z) / _exp(z).sum(axis=-1)),
        Mistake("softmax_no_exp", lambda z: z / z.sum(axis=-1, keepdims=True)),
        Mistake("softmax_is_sigmoid", activations.sigmoid),
        Mistake("softmax_keepdims", _exp_over_sum(lambda v: v.max(axis=-1), -1)),
    ),
    messages=MESSAGES, on_error="softmax_shapes")

EXERCISES = (DENSE_FORWARD, RELU, SIGMOID, SOFTMAX)
