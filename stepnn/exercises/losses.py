"""Exercises of loss functions (손실함수), with Keras semantics: one number, the mean over the
samples; probabilities clipped to [1e-7, 1 - 1e-7]; for the categorical losses, each row of
y_pred rescaled to sum to 1 first."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import losses
from ..activations import softmax
from .checker import Case, Exercise, Mistake

MESSAGES = {
    "mse_signature": ("mse(y_true, y_pred) returns one float: the mean of (y_pred - y_true)^2",
                      "mse(y_true, y_pred)는 float 하나를 반환: (y_pred - y_true)^2의 평균"),
    "mse_hint": ("Square each difference between prediction and target, then average them all: "
                 "the result is one number.",
                 "예측값과 실제값의 차이를 각각 제곱한 뒤 모두 평균 내세요. 결과는 숫자 하나입니다."),
    "binary_crossentropy_signature": (
        "binary_crossentropy(y_true, y_pred) returns one float: the mean of "
        "-(y log p + (1 - y) log(1 - p)), p = y_pred clipped to [1e-7, 1 - 1e-7]",
        "binary_crossentropy(y_true, y_pred)는 float 하나를 반환: "
        "-(y log p + (1 - y) log(1 - p))의 평균, p는 [1e-7, 1 - 1e-7]로 자른 y_pred"),
    "binary_crossentropy_hint": (
        "Clip the probabilities first (np.clip(y_pred, 1e-7, 1 - 1e-7)) so log never sees 0. "
        "A label 1 is scored by log p, a label 0 by log(1 - p); average over the samples and "
        "mind the sign: a loss is positive.",
        "먼저 확률을 자르세요(np.clip(y_pred, 1e-7, 1 - 1e-7)). 그래야 log에 0이 들어가지 "
        "않습니다. 정답 1은 log p로, 정답 0은 log(1 - p)로 평가합니다. 샘플에 대해 평균 내고 "
        "부호에 주의하세요. 손실은 양수입니다."),
    "categorical_crossentropy_signature": (
        "categorical_crossentropy(y_true, y_pred) returns one float: y_true one-hot (n, k); rows "
        "of y_pred rescaled to sum to 1, clipped, then the mean over samples of -sum(y log p)",
        "categorical_crossentropy(y_true, y_pred)는 float 하나를 반환: y_true는 원-핫 (n, k), "
        "y_pred의 각 행을 합이 1이 되게 나누고 자른 뒤, 샘플에 대한 -sum(y log p)의 평균"),
    "categorical_crossentropy_hint": (
        "Three steps, as Keras does: divide each row of y_pred by its sum "
        "(axis=-1, keepdims=True); clip to [1e-7, 1 - 1e-7]; then sum -y log p over the classes "
        "and average over the samples.",
        "Keras처럼 세 단계입니다. y_pred의 각 행을 그 행의 합(axis=-1, keepdims=True)으로 "
        "나누고, [1e-7, 1 - 1e-7]로 자른 뒤, 클래스에 대해 -y log p를 더하고 샘플에 대해 "
        "평균 내세요."),
    "sparse_categorical_crossentropy_signature": (
        "sparse_categorical_crossentropy(y_true, y_pred) returns one float: y_true holds class "
        "numbers (n,); the mean over samples of -log of the true class's probability (rows "
        "rescaled to sum to 1, then clipped)",
        "sparse_categorical_crossentropy(y_true, y_pred)는 float 하나를 반환: y_true는 클래스 "
        "번호 (n,); 정답 클래스 확률의 -log를 샘플에 대해 평균 (각 행을 합이 1이 되게 나누고 "
        "자른 뒤)"),
    "sparse_categorical_crossentropy_hint": (
        "Rescale each row of y_pred to sum to 1 and clip it, as for categorical_crossentropy. "
        "Then pick one probability per row, the true class's: y_pred[np.arange(n), y_true].",
        "categorical_crossentropy처럼 y_pred의 각 행을 합이 1이 되게 나누고 자르세요. 그다음 "
        "행마다 정답 클래스의 확률 하나를 고르세요: y_pred[np.arange(n), y_true]."),
    # mistakes
    "sum_not_mean": ("You sum over the samples where a mean is meant: the loss is the mean over "
                     "the samples (np.mean), so it does not grow with the batch size.",
                     "샘플에 대해 평균(mean) 대신 합(sum)을 구했습니다. 손실은 샘플에 대한 "
                     "평균(np.mean)이라서 배치 사이즈가 커져도 커지지 않습니다."),
    "per_sample": ("You return one loss per sample (an array); the loss is one number, their mean "
                   "over the samples.",
                   "샘플마다 손실 하나씩(배열)을 반환했습니다. 손실은 숫자 하나, 즉 샘플에 대한 "
                   "평균입니다."),
    "minus_missing": ("The minus sign is missing: log p is negative for p < 1, so the loss is "
                      "-log p, a positive number.",
                      "마이너스 부호가 빠졌습니다. p < 1이면 log p는 음수이므로 손실은 양수인 "
                      "-log p입니다."),
    "no_clipping": ("No clipping, so log(0) appears: a probability of exactly 0 (or 1) gives "
                    "log(0) = -inf and a NaN or inf loss. Clip first: "
                    "np.clip(p, 1e-7, 1 - 1e-7), as Keras does.",
                    "확률을 자르지(clip) 않아서 log(0)이 나옵니다. 확률이 정확히 0(또는 1)이면 "
                    "log(0) = -inf가 되어 손실이 NaN 또는 inf가 됩니다. Keras처럼 먼저 자르세요: "
                    "np.clip(p, 1e-7, 1 - 1e-7)."),
    "clip_note": ("This case has probabilities of exactly 0 and 1: clip y_pred to "
                  "[1e-7, 1 - 1e-7] (Keras' epsilon) before the log, so log(0) never appears.",
                  "이 경우에는 정확히 0과 1인 확률이 있습니다. log를 취하기 전에 y_pred를 "
                  "[1e-7, 1 - 1e-7]로 자르세요(Keras의 epsilon). 그러면 log(0)이 나오지 않습니다."),
    "mse_sum_outputs": ("You sum over the outputs: Keras' MSE is the mean over the outputs too, "
                        "the mean of all the squared differences.",
                        "출력에 대해 합(sum)을 구했습니다. Keras의 MSE는 출력에 대해서도 평균이라서 "
                        "제곱한 차이 전체의 평균입니다."),
    "mse_no_square": ("The differences are not squared: positive and negative errors cancel. "
                      "Square them: (y_pred - y_true) ** 2.",
                      "차이를 제곱하지 않아서 양수와 음수 오차가 서로 상쇄됩니다. 제곱하세요: "
                      "(y_pred - y_true) ** 2."),
    "mse_is_mae": ("You average |y_pred - y_true|: that is the mean absolute error. MSE squares "
                   "the differences.",
                   "|y_pred - y_true|의 평균은 평균 절대 오차(MAE)입니다. MSE는 차이를 "
                   "제곱합니다."),
    "mse_is_rmse": ("You take the square root: that is the root mean squared error. MSE has no "
                    "square root.",
                    "제곱근을 취했습니다. 그것은 RMSE입니다. MSE에는 제곱근이 없습니다."),
    "mse_half": ("You multiply by 1/2 (the textbook's sum-of-squares convention): Keras' MSE is "
                 "the plain mean of the squared differences.",
                 "1/2을 곱했습니다(교과서의 오차제곱합 관례). Keras의 MSE는 제곱한 차이의 "
                 "평균 그대로입니다."),
    "mse_square_of_mean": ("You square the mean difference: positive and negative errors cancel "
                           "first. Square each difference, then take the mean.",
                           "차이의 평균을 제곱했습니다. 양수와 음수 오차가 먼저 상쇄됩니다. 차이를 "
                           "각각 제곱한 뒤 평균 내세요."),
    "natural_log": ("Use the natural logarithm, np.log (base e), as Keras does; np.log10 and "
                    "np.log2 change the loss by a constant factor.",
                    "Keras처럼 자연로그 np.log(밑 e)를 쓰세요. np.log10과 np.log2는 손실을 일정한 "
                    "배수만큼 바꿉니다."),
    "swapped_arguments": ("The arguments are swapped: the order is (y_true, y_pred), targets "
                          "first, as in Keras.",
                          "인자의 순서가 바뀌었습니다. Keras처럼 (y_true, y_pred), 즉 실제값이 "
                          "먼저입니다."),
    "bce_term_sign": ("The (1 - y) log(1 - p) term has the wrong sign: both terms are added "
                      "inside, -(y log p + (1 - y) log(1 - p)).",
                      "(1 - y) log(1 - p) 항의 부호가 틀렸습니다. 두 항을 더한 뒤 마이너스를 "
                      "붙입니다: -(y log p + (1 - y) log(1 - p))."),
    "cce_sum_axis": ("You sum over the samples (axis=0) and average over the classes: sum "
                     "-y log p over the classes (axis=-1), then average over the samples.",
                     "샘플 축(axis=0)으로 더하고 클래스에 대해 평균을 냈습니다. 클래스 축"
                     "(axis=-1)으로 -y log p를 더한 뒤 샘플에 대해 평균 내세요."),
    "sparse_row_index": ("y_pred[y_true] picks whole rows (one per label), not one probability per "
                         "sample. Use y_pred[np.arange(n), y_true].",
                         "y_pred[y_true]는 (정답마다) 행 전체를 고릅니다. 샘플마다 확률 하나가 "
                         "아닙니다. y_pred[np.arange(n), y_true]를 쓰세요."),
    "bce_one_term": ("Only the y log p term is there: samples with label 0 add nothing. Add "
                     "(1 - y) log(1 - p).",
                     "y log p 항만 있어서 정답이 0인 샘플은 손실에 아무것도 더하지 않습니다. "
                     "(1 - y) log(1 - p)를 더하세요."),
    "no_rescale": ("The rows of y_pred are not rescaled: Keras divides each row by its sum first "
                   "(y_pred / y_pred.sum(axis=-1, keepdims=True)), so rows that do not sum to 1 "
                   "still give probabilities.",
                   "y_pred의 행을 다시 나누지 않았습니다. Keras는 먼저 각 행을 그 합으로 "
                   "나눕니다(y_pred / y_pred.sum(axis=-1, keepdims=True)). 그래서 합이 1이 아닌 "
                   "행도 확률이 됩니다."),
    "rescale_note": ("In this case the rows of y_pred do not sum to 1: rescale each row by its sum "
                     "first (axis=-1, keepdims=True), as Keras does.",
                     "이 경우 y_pred의 행의 합이 1이 아닙니다. Keras처럼 먼저 각 행을 그 합으로 "
                     "나누세요(axis=-1, keepdims=True)."),
    "rescale_axis": ("Normalising over the wrong axis: you divide by the column sums; each row (one "
                     "sample) must sum to 1: y_pred.sum(axis=-1, keepdims=True).",
                     "잘못된 축(axis)으로 정규화했습니다. 열의 합으로 나눴는데, 샘플 하나인 각 행의 "
                     "합이 1이 되어야 합니다: y_pred.sum(axis=-1, keepdims=True)."),
    "cce_mean_classes": ("You average over the classes too: a mean where a sum is meant. Sum "
                         "-y log p over the classes (axis=-1), then take the mean over the samples.",
                         "클래스에 대해서도 평균(mean)을 냈습니다. 합(sum)이어야 합니다. 클래스에 "
                         "대해 -y log p를 더하고(axis=-1), 샘플에 대해 평균 내세요."),
    "sparse_fancy_index": ("y_pred[:, y_true] picks an n x n block (every row at every label), not "
                           "one probability per sample. Use y_pred[np.arange(n), y_true].",
                           "y_pred[:, y_true]는 n x n 블록(모든 행의 모든 정답 열)을 고릅니다. "
                           "샘플마다 확률 하나가 아닙니다. y_pred[np.arange(n), y_true]를 쓰세요."),
    # case labels
    "case_regression": ("one output per sample", "샘플마다 출력 하나"),
    "case_outputs": ("three outputs per sample", "샘플마다 출력 셋"),
    "case_binary": ("labels 0 and 1", "정답 0과 1"),
    "case_softmax": ("softmax outputs", "softmax 출력"),
    "case_unnormalised": ("rows that do not sum to 1", "합이 1이 아닌 행"),
}


def _keras(name: str):
    """The package's loss ``name`` as a student's function: (y_true, y_pred) -> float."""
    loss = losses.get(name)

    def f(y_true, y_pred) -> float:
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred, dtype=np.float64)
        if y_pred.ndim == 1:  # one output per sample
            y_true, y_pred = y_true.reshape(-1, 1), y_pred.reshape(-1, 1)
        return float(np.mean(loss.per_sample(y_true, y_pred)))
    f.__name__ = f.__qualname__ = name
    return f


mse = _keras("mse")
binary_crossentropy = _keras("binary_crossentropy")
categorical_crossentropy = _keras("categorical_crossentropy")
sparse_categorical_crossentropy = _keras("sparse_categorical_crossentropy")


def _per_sample(name: str):
    loss = losses.get(name)
    return lambda y, p: loss.per_sample(*((y, p) if p.ndim == 2 else (y[:, None], p[:, None])))


def _common(name: str) -> tuple:
    """The mistakes every loss can have, made from the package's own loss."""
    per_sample, ref = _per_sample(name), _keras(name)
    return (Mistake("sum_not_mean", lambda y, p: per_sample(y, p).sum()),
            Mistake("per_sample", per_sample),
            Mistake("minus_missing", lambda y, p: -ref(y, p)))


# --- cases (fixed seeds) -------------------------------------------------------------------

@lru_cache(maxsize=None)
def _regression_cases() -> list:
    rng = np.random.default_rng(121)

    def make(*shape):
        y = rng.normal(size=shape)
        return y, y + rng.normal(scale=0.5, size=shape)

    return [Case("case_regression", make(5, 1)), Case("case_outputs", make(4, 3)),
            Case("case_batch_of_one", make(1, 1)), Case("case_vector", make(6))]


@lru_cache(maxsize=None)
def _binary_cases() -> list:
    rng = np.random.default_rng(122)

    def make(*shape):
        return (rng.integers(0, 2, size=shape).astype(np.float64),
                rng.uniform(0.05, 0.95, size=shape))

    exact = (np.array([[0.0], [1.0], [1.0], [0.0]]), np.array([[0.0], [1.0], [0.0], [1.0]]))
    return [Case("case_binary", make(6, 1)), Case("case_batch_of_one", make(1, 1)),
            Case("case_zero_one", exact, note="clip_note"), Case("case_vector", make(5))]


def _categorical_pairs() -> list:
    """(label, one-hot y, y_pred, note) for the categorical cases."""
    rng = np.random.default_rng(123)

    def onehot(labels, k):
        return np.eye(k)[labels]

    labels4 = np.array([0, 2, 1, 2])
    exact = np.eye(3)  # confident: right on rows 0 and 2, wrong on row 1
    return [("case_softmax", onehot(labels4, 3), softmax(rng.normal(size=(4, 3))), None),
            ("case_batch_of_one", onehot(np.array([3]), 4), softmax(rng.normal(size=(1, 4))), None),
            ("case_unnormalised", onehot(np.array([1, 0, 2]), 3), rng.uniform(0.1, 1.0, (3, 3)),
             "rescale_note"),
            ("case_zero_one", onehot(np.array([0, 2, 2]), 3), exact, "clip_note")]


@lru_cache(maxsize=None)
def _categorical_cases() -> list:
    return [Case(label, (y, p), note) for label, y, p, note in _categorical_pairs()]


@lru_cache(maxsize=None)
def _sparse_cases() -> list:
    return [Case(label, (y.argmax(axis=1), p), note) for label, y, p, note in _categorical_pairs()]


# --- mistaken cross-entropies ----------------------------------------------------------------

def _clip(p):
    return np.clip(p, losses.EPSILON, 1 - losses.EPSILON)


def _unclipped_bce(y, p):
    with np.errstate(all="ignore"):
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _cross_entropy(rescale_axis=-1, clip=True, reduce=np.mean, sparse=False, pick="index"):
    """-log of the true class's probability, computed with the given choices (mistaken ones).

    ``pick``: "index" takes q[row, label]; "multiply" sums one-hot * log q over the classes
    (0 * log 0 = NaN without clipping); "fancy" takes q[:, labels], an n x n block; "rows"
    takes q[labels], whole rows; "columns" sums over the samples and averages over the classes.
    """
    def f(y, p):
        q = p / p.sum(axis=rescale_axis, keepdims=True) if rescale_axis is not None else p
        if clip:
            q = np.clip(q, losses.EPSILON, 1 - losses.EPSILON)
        labels = y if sparse else y.argmax(axis=-1)
        with np.errstate(all="ignore"):
            if pick == "fancy":
                return float(np.mean(-np.log(q[:, labels])))
            if pick == "rows":
                return float(np.mean(-np.log(q[labels])))
            if pick == "columns":  # sum over the samples, mean over the classes
                return float(np.mean(-np.sum(np.eye(p.shape[-1])[labels] * np.log(q), axis=0)))
            if pick == "multiply":
                per_sample = -np.sum(np.eye(p.shape[-1])[labels] * np.log(q), axis=-1)
            else:
                per_sample = -np.log(q[np.arange(len(q)), labels])
            return float(reduce(per_sample))
    return f


def _categorical_mistakes(sparse: bool) -> tuple:
    ce = lambda **kw: _cross_entropy(sparse=sparse, **kw)  # noqa: E731
    out = [Mistake("no_clipping", ce(clip=False, rescale_axis=r, pick=pick))
           for r in (-1, None) for pick in ("index", "multiply")]
    out += [Mistake("no_rescale", ce(rescale_axis=None)),
            Mistake("rescale_axis", ce(rescale_axis=0))]
    if sparse:
        out += [Mistake("sparse_fancy_index", ce(pick="fancy")),
                Mistake("sparse_fancy_index", ce(pick="fancy", rescale_axis=None)),
                Mistake("sparse_row_index", ce(pick="rows")),
                Mistake("sparse_row_index", ce(pick="rows", rescale_axis=None))]
    else:
        ref = _keras("categorical_crossentropy")
        out += [Mistake("cce_mean_classes", lambda y, p: ce()(y, p) / y.shape[-1]),
                Mistake("cce_sum_axis", ce(pick="columns")),
                Mistake("cce_sum_axis", ce(pick="columns", rescale_axis=None)),
                Mistake("natural_log", lambda y, p: ref(y, p) / np.log(10)),
                Mistake("natural_log", lambda y, p: ref(y, p) / np.log(2)),
                Mistake("swapped_arguments", lambda y, p: ref(p, y))]
    return tuple(out)


def _exercise(name, cases, mistakes) -> Exercise:
    return Exercise(name, ("y_true", "y_pred"), ("loss",), "number", _keras(name), cases,
                    mistakes=tuple(mistakes) + _common(name), messages=MESSAGES)


MSE = _exercise("mse", _regression_cases, (
    Mistake("mse_sum_outputs", lambda y, p: float(np.sum((p - y) ** 2) / len(y))),
    Mistake("mse_sum_outputs", lambda y, p: float(np.mean(np.sum((p - y) ** 2, axis=-1)))),
    Mistake("mse_no_square", lambda y, p: float(np.mean(p - y))),
    Mistake("mse_no_square", lambda y, p: float(np.mean(y - p))),
    Mistake("mse_is_mae", lambda y, p: float(np.mean(np.abs(p - y)))),
    Mistake("mse_is_rmse", lambda y, p: float(np.sqrt(mse(y, p)))),
    Mistake("mse_half", lambda y, p: 0.5 * mse(y, p)),
    Mistake("mse_square_of_mean", lambda y, p: float(np.mean(p - y) ** 2)),
    Mistake("sum_not_mean", lambda y, p: float(np.sum((p - y) ** 2))),
    Mistake("sum_not_mean", lambda y, p: 0.5 * float(np.sum((p - y) ** 2))),
    Mistake("per_sample", lambda y, p: np.mean((p - y) ** 2, axis=-1)),
))

BINARY_CROSSENTROPY = _exercise("binary_crossentropy", _binary_cases, (
    Mistake("no_clipping", _unclipped_bce),
    Mistake("no_clipping", lambda y, p: float(-np.mean(np.log(np.where(y == 1, p, 1 - p))))),
    Mistake("bce_one_term", lambda y, p: float(-np.mean(y * np.log(_clip(p))))),
    Mistake("bce_term_sign", lambda y, p: float(-np.mean(y * np.log(_clip(p))
                                                         - (1 - y) * np.log(1 - _clip(p))))),
    Mistake("natural_log", lambda y, p: binary_crossentropy(y, p) / np.log(10)),
    Mistake("natural_log", lambda y, p: binary_crossentropy(y, p) / np.log(2)),
    Mistake("swapped_arguments", lambda y, p: binary_crossentropy(p, y)),
))

CATEGORICAL_CROSSENTROPY = _exercise("categorical_crossentropy", _categorical_cases,
                                     _categorical_mistakes(sparse=False))
SPARSE_CATEGORICAL_CROSSENTROPY = _exercise("sparse_categorical_crossentropy", _sparse_cases,
                                            _categorical_mistakes(sparse=True))

EXERCISES = (MSE, BINARY_CROSSENTROPY, CATEGORICAL_CROSSENTROPY, SPARSE_CATEGORICAL_CROSSENTROPY)
