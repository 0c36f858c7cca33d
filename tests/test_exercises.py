"""Exercises with a checker: correct solutions pass however they are written; each typical
mistake gets its own message; hostile student code (raising, None, lists, NaN, changed inputs,
printing) becomes feedback, never an exception; every message exists in English and Korean."""
import inspect
import math
import re
import subprocess
import sys

import numpy as np
import pytest

import stepnn as sn
from stepnn import exercises as ex
from stepnn.exercises import messages, running
from stepnn.exercises.result import _LABELS

from tests.core.helpers import central_difference

EPS = 1e-7  # Keras' clipping epsilon, as a student writes it


@pytest.fixture(autouse=True)
def english():
    """Every test starts and ends in English, whatever it set."""
    sn.set_language("en")
    yield
    sn.set_language("en")


# --- the students' solutions: several correct ways per exercise ------------------------------

def dense_forward_matmul(x, W, b):
    return x @ W + b


def dense_forward_dot(x, W, b):
    return np.dot(x, W) + b[np.newaxis, :]


def dense_forward_loops(x, W, b):  # the slow, explicit way
    z = np.zeros((x.shape[0], W.shape[1]))
    for n in range(x.shape[0]):
        for o in range(W.shape[1]):
            z[n, o] = sum(x[n, i] * W[i, o] for i in range(W.shape[0])) + b[o]
    return z


def relu_maximum(z):
    return np.maximum(z, 0)


def relu_where(z):
    return np.where(z > 0, z, 0.0)


def relu_mask(z):
    return z * (z > 0)


def relu_copy_then_assign(z):
    a = z.copy()
    a[a < 0] = 0
    return a


def sigmoid_plain(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_stable(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_tanh(z):
    return 0.5 * (1 + np.tanh(z / 2))


def softmax_keepdims(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_axis1_reshape(z):
    e = np.exp(z - np.max(z, axis=1).reshape(-1, 1))
    return e / np.sum(e, axis=1).reshape(-1, 1)


def softmax_logsumexp(z):
    m = z.max(axis=-1, keepdims=True)
    return np.exp(z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))


def relu_derivative_astype(z):
    return (z > 0).astype(float)


def relu_derivative_where(z):
    return np.where(z > 0, 1.0, 0.0)


def relu_derivative_bool(z):  # a boolean array is an array of 0s and 1s
    return z > 0


def relu_derivative_heaviside_1(z):  # 1 at z = 0: accepted, with a note
    return np.heaviside(z, 1.0)


def sigmoid_derivative_s(z):
    s = 1 / (1 + np.exp(-z))
    return s * (1 - s)


def sigmoid_derivative_exp(z):
    e = np.exp(-np.abs(z))
    return e / (1 + e) ** 2


def mse_mean(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2)


def mse_float(y_true, y_pred):
    d = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    return float((d * d).sum() / d.size)


def bce_clip(y_true, y_pred):
    p = np.clip(y_pred, EPS, 1 - EPS)
    return -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))


def bce_where(y_true, y_pred):
    p = np.minimum(np.maximum(y_pred, EPS), 1 - EPS)
    return float(-np.mean(np.where(y_true == 1, np.log(p), np.log(1 - p))))


def cce_onehot(y_true, y_pred):
    p = y_pred / y_pred.sum(axis=-1, keepdims=True)
    p = np.clip(p, EPS, 1 - EPS)
    return float(-np.mean(np.sum(y_true * np.log(p), axis=-1)))


def cce_clip_then_rescale(y_true, y_pred):  # the other order differs by about 1e-7
    p = np.clip(y_pred, EPS, 1 - EPS)
    p = p / p.sum(axis=1, keepdims=True)
    return float(-np.sum(y_true * np.log(p)) / len(y_true))


def scce_index(y_true, y_pred):
    p = np.clip(y_pred / y_pred.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
    return float(-np.mean(np.log(p[np.arange(len(y_true)), y_true])))


def scce_onehot(y_true, y_pred):
    onehot = np.eye(y_pred.shape[1])[y_true]
    return cce_onehot(onehot, y_pred)


def dense_backward_matmul(x, W, dz):
    return x.T @ dz, dz.sum(axis=0), dz @ W.T


def dense_backward_einsum(x, W, dz):
    return [np.einsum("ni,no->io", x, dz), np.sum(dz, 0), np.einsum("no,io->ni", dz, W)]


def sgd_update_minus(w, grad, learning_rate):
    return w - learning_rate * grad


def sgd_update_copy(w, grad, learning_rate):
    new = w.copy()
    new -= learning_rate * grad
    return new


def momentum_update_torch(w, velocity, grad, learning_rate, momentum):
    v = momentum * velocity + grad
    return w - learning_rate * v, v


def momentum_update_list(w, velocity, grad, learning_rate, momentum):
    v = velocity * momentum
    v = v + grad
    return [w - v * learning_rate, v]


def iterations_ceil(n_samples, batch_size, drop_last=False):
    if drop_last:
        return n_samples // batch_size
    return math.ceil(n_samples / batch_size)


def iterations_negative_floor(n_samples, batch_size, drop_last=False):
    return n_samples // batch_size if drop_last else -(-n_samples // batch_size)


def iterations_divmod(n_samples, batch_size, drop_last=False):
    full, rest = divmod(n_samples, batch_size)
    return full + (1 if rest and not drop_last else 0)


def iterations_int_ceil(n_samples, batch_size, drop_last=False):
    return int(np.floor(n_samples / batch_size) if drop_last else np.ceil(n_samples / batch_size))


SOLUTIONS = {
    "dense_forward": [dense_forward_matmul, dense_forward_dot, dense_forward_loops],
    "relu": [relu_maximum, relu_where, relu_mask, relu_copy_then_assign],
    "sigmoid": [sigmoid_plain, sigmoid_stable, sigmoid_tanh],
    "softmax": [softmax_keepdims, softmax_axis1_reshape, softmax_logsumexp],
    "relu_derivative": [relu_derivative_astype, relu_derivative_where, relu_derivative_bool,
                        relu_derivative_heaviside_1],
    "sigmoid_derivative": [sigmoid_derivative_s, sigmoid_derivative_exp],
    "mse": [mse_mean, mse_float],
    "binary_crossentropy": [bce_clip, bce_where],
    "categorical_crossentropy": [cce_onehot, cce_clip_then_rescale],
    "sparse_categorical_crossentropy": [scce_index, scce_onehot],
    "dense_backward": [dense_backward_matmul, dense_backward_einsum],
    "sgd_update": [sgd_update_minus, sgd_update_copy],
    "momentum_update": [momentum_update_torch, momentum_update_list],
    "iterations_per_epoch": [iterations_ceil, iterations_negative_floor, iterations_divmod,
                             iterations_int_ceil],
}
CORRECT = [(name, f) for name, fs in SOLUTIONS.items() for f in fs]


def test_names_are_the_issue_table():
    assert ex.names() == list(SOLUTIONS)


@pytest.mark.parametrize("name,solution", CORRECT, ids=[f.__name__ for _, f in CORRECT])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_correct_solution_passes(name, solution, lang):
    r = ex.check(name, solution, lang=lang)
    assert r.passed, repr(r)
    assert r.status == "passed" and r.details == ""
    assert ("works" in r.message) if lang == "en" else ("통과" in r.message)


def test_relu_derivative_at_zero_is_accepted_either_way_with_a_note():
    assert "Note" not in ex.check("relu_derivative", relu_derivative_astype).message
    r = ex.check("relu_derivative", relu_derivative_heaviside_1)
    assert r.passed and "z = 0" in r.message


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_the_reference_passes_its_own_check_and_has_the_students_signature(name):
    ref = ex.reference(name)
    assert ex.check(name, ref).passed
    exercise = checker_exercise(name)
    params = list(inspect.signature(ref).parameters)
    assert params[:len(exercise.params)] == list(exercise.params)


def checker_exercise(name):
    from stepnn.exercises import exercise
    return exercise(name)


def test_references_are_the_packages_own_functions():
    from stepnn import batching, layers
    assert ex.reference("dense_forward") is layers.dense_forward
    assert ex.reference("dense_backward") is layers.dense_backward
    assert ex.reference("iterations_per_epoch") is batching.iterations_per_epoch
    assert ex.reference("sigmoid") is sn.activations.sigmoid
    assert ex.reference("softmax") is sn.activations.softmax
    for name in ("mse", "binary_crossentropy", "categorical_crossentropy",
                 "sparse_categorical_crossentropy"):
        assert ex.reference(name) is getattr(sn.losses, name)


# --- the references themselves: derivatives against central finite differences ------------

def test_dense_backward_matches_finite_differences():
    rng = np.random.default_rng(7)
    x, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    target = rng.normal(size=(4, 2))

    def loss():  # L = sum(z * target), so dL/dz = target
        return float(np.sum(sn.layers.dense_forward(x, W, b) * target))

    dW, db, dx = sn.layers.dense_backward(x, W, target)
    for analytic, param in ((dW, W), (db, b), (dx, x)):
        np.testing.assert_allclose(analytic, central_difference(loss, param), rtol=1e-6, atol=1e-8)
    assert sn.layers.dense_backward(x, W, target, need_dx=False)[2] is None


@pytest.mark.parametrize("name,activation", [("relu_derivative", "relu"),
                                             ("sigmoid_derivative", "sigmoid")])
def test_derivative_references_match_finite_differences(name, activation):
    z = np.array([-3.0, -0.7, 0.2, 1.5, 4.0])  # away from ReLU's corner
    f = sn.activations.get(activation).forward
    numeric = np.array([(f(v + 1e-6) - f(v - 1e-6)) / 2e-6 for v in z])
    np.testing.assert_allclose(ex.reference(name)(z), numeric, rtol=1e-6, atol=1e-8)


def test_momentum_reference_is_torchs_rule_written_out():
    w, v, g = np.array([1.0, -2.0]), np.array([0.5, 0.25]), np.array([0.1, -0.3])
    new_w, new_v = ex.reference("momentum_update")(w, v, g, 0.1, 0.9)
    np.testing.assert_allclose(new_v, 0.9 * v + g)
    np.testing.assert_allclose(new_w, w - 0.1 * (0.9 * v + g))


def test_loss_references_follow_keras_clipping_and_rescaling():
    bce = ex.reference("binary_crossentropy")
    assert bce(np.array([[1.0]]), np.array([[0.0]])) == pytest.approx(-math.log(EPS))
    cce = ex.reference("categorical_crossentropy")
    assert cce(np.array([[0.0, 1.0]]), np.array([[2.0, 2.0]])) == pytest.approx(math.log(2))


# --- each typical mistake gets its own message -------------------------------------------------

def softmax_no_max(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_columns(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def bce_unclipped(y_true, y_pred):
    return -np.mean(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))


def cce_unclipped(y_true, y_pred):
    p = y_pred / y_pred.sum(axis=-1, keepdims=True)
    return -np.mean(np.sum(y_true * np.log(p), axis=-1))


def scce_unclipped(y_true, y_pred):
    p = y_pred / y_pred.sum(axis=-1, keepdims=True)
    return -np.mean(np.log(p[np.arange(len(y_true)), y_true]))


def momentum_without_velocity(w, velocity, grad, learning_rate, momentum):
    return w - learning_rate * grad, grad


# (exercise, the mistaken function, a phrase its message must hold)
MISTAKES = [
    ("dense_forward", lambda x, W, b: x @ W, "bias is missing"),
    ("dense_forward", lambda x, W, b: x @ W.T + b, "W is transposed"),
    ("dense_forward", lambda x, W, b: x @ W - b, "bias is subtracted"),
    ("relu", lambda z: np.max(z, 0), "np.maximum"),
    ("relu", lambda z: np.minimum(z, 0), "not min(z, 0)"),
    ("relu", lambda z: (z > 0) * 1.0, "ReLU's derivative"),
    ("sigmoid", lambda z: 1 / (1 + np.exp(z)), "Sign error"),
    ("sigmoid", lambda z: np.exp(z) / (1 + np.exp(z)), "overflows"),
    ("softmax", softmax_no_max, "without subtracting the max"),
    ("softmax", softmax_columns, "wrong axis"),
    ("softmax", lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=-1, keepdims=True),
     "max of the whole array"),
    ("softmax", lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(), "whole array (no axis)"),
    ("softmax", lambda z: np.exp(z - z.max(axis=1, keepdims=True))
     / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1), "keepdims=True is missing"),
    ("relu_derivative", relu_maximum, "not its derivative"),
    ("relu_derivative", np.ones_like, "derivative is missing"),
    ("relu_derivative", np.sign, "not -1"),
    ("sigmoid_derivative", sigmoid_plain, "not its derivative"),
    ("sigmoid_derivative", lambda z: z * (1 - z), "apply the sigmoid first"),
    ("sigmoid_derivative", lambda z: np.ones_like(z), "derivative is missing"),
    ("mse", lambda t, p: np.sum((t - p) ** 2), "sum over the samples where a mean is meant"),
    ("mse", lambda t, p: np.sum((t - p) ** 2) / len(t), "mean over the outputs too"),
    ("mse", lambda t, p: np.mean(np.abs(t - p)), "mean absolute error"),
    ("mse", lambda t, p: np.mean(t - p), "not squared"),
    ("mse", lambda t, p: np.sqrt(np.mean((t - p) ** 2)), "square root"),
    ("mse", lambda t, p: 0.5 * np.mean((t - p) ** 2), "1/2"),
    ("mse", lambda t, p: np.mean((t - p) ** 2, axis=-1), "one loss per sample"),
    ("binary_crossentropy", bce_unclipped, "log(0)"),
    ("binary_crossentropy", lambda t, p: -np.sum(t * np.log(np.clip(p, EPS, 1 - EPS))
                                                 + (1 - t) * np.log(1 - np.clip(p, EPS, 1 - EPS))),
     "sum over the samples where a mean is meant"),
    ("binary_crossentropy", lambda t, p: np.mean(t * np.log(np.clip(p, EPS, 1 - EPS))
                                                 + (1 - t) * np.log(1 - np.clip(p, EPS, 1 - EPS))),
     "minus sign is missing"),
    ("binary_crossentropy", lambda t, p: -np.mean(t * np.log(np.clip(p, EPS, 1 - EPS))),
     "(1 - y) log(1 - p)"),
    ("categorical_crossentropy", cce_unclipped, "No clipping"),
    ("categorical_crossentropy", lambda t, p: -np.mean(np.sum(
        t * np.log(np.clip(p, EPS, 1 - EPS)), axis=-1)), "not rescaled"),
    ("categorical_crossentropy", lambda t, p: -np.mean(np.sum(t * np.log(np.clip(
        p / p.sum(axis=0, keepdims=True), EPS, 1 - EPS)), axis=-1)), "wrong axis"),
    ("categorical_crossentropy", lambda t, p: -np.mean(t * np.log(np.clip(
        p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS))), "a mean where a sum is meant"),
    ("categorical_crossentropy", lambda t, p: -np.sum(t * np.log(np.clip(
        p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS))), "where a mean is meant"),
    ("sparse_categorical_crossentropy", scce_unclipped, "log(0)"),
    ("sparse_categorical_crossentropy", lambda t, p: -np.mean(np.log(np.clip(
        p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)[:, t])), "n x n block"),
    ("sparse_categorical_crossentropy", lambda t, p: -np.mean(np.log(np.clip(
        p, EPS, 1 - EPS)[np.arange(len(t)), t])), "not rescaled"),
    ("dense_backward", lambda x, W, dz: (x.T @ dz, dz.mean(axis=0), dz @ W.T),
     "db is a mean where a sum is meant"),
    ("dense_backward", lambda x, W, dz: (x.T @ dz / len(x), dz.sum(axis=0), dz @ W.T),
     "a mean where a sum is meant"),
    ("dense_backward", lambda x, W, dz: (dz.T @ x, dz.sum(axis=0), dz @ W.T), "dW is transposed"),
    ("dense_backward", lambda x, W, dz: (x.T @ dz, dz.sum(axis=0), dz @ W), "W^T"),
    ("dense_backward", lambda x, W, dz: (x.T @ dz, dz.sum(), dz @ W.T), "one value per unit"),
    ("dense_backward", lambda x, W, dz: (x.T @ dz, dz.sum(axis=1), dz @ W.T), "wrong axis"),
    ("sgd_update", lambda w, g, lr: w + lr * g, "uphill"),
    ("sgd_update", lambda w, g, lr: w - g, "learning rate is forgotten"),
    ("sgd_update", lambda w, g, lr: -lr * g, "not the new weights"),
    ("momentum_update", momentum_without_velocity, "forgets its velocity"),
    ("momentum_update", lambda w, v, g, lr, mu: (w - lr * (mu * v + g), v), "unchanged"),
    ("momentum_update", lambda w, v, g, lr, mu: (w + lr * (mu * v + g), mu * v + g), "uphill"),
    ("momentum_update", lambda w, v, g, lr, mu: (w - (mu * v + g), mu * v + g),
     "learning rate is forgotten"),
    ("momentum_update", lambda w, v, g, lr, mu: (w - lr * v, mu * v + g), "old velocity"),
    ("momentum_update", lambda w, v, g, lr, mu: (w + mu * v - lr * g, mu * v - lr * g), "Keras"),
    ("momentum_update", lambda w, v, g, lr, mu: momentum_update_torch(w, v, g, lr, mu)[::-1],
     "swapped"),
    ("iterations_per_epoch", lambda n, b, drop_last=False: n // b, "Floor where ceil is meant"),
    ("iterations_per_epoch", lambda n, b, drop_last=False: math.ceil(n / b), "drop_last is ignored"),
    ("iterations_per_epoch", lambda n, b, drop_last=False: n / b, "fraction"),
    ("iterations_per_epoch", lambda n, b, drop_last=False: n // b if drop_last else round(n / b),
     "round()"),
    ("iterations_per_epoch", lambda n, b, drop_last=False: n // b if drop_last else n // b + 1,
     "one batch too many"),
    ("iterations_per_epoch", lambda n, b, drop_last=False: float(iterations_ceil(n, b, drop_last)),
     "whole number (int)"),
]


@pytest.mark.parametrize("name,wrong,phrase", MISTAKES,
                         ids=[f"{n}-{p[:24]}" for n, _, p in MISTAKES])
def test_a_typical_mistake_gets_its_own_message(name, wrong, phrase):
    r = ex.check(name, wrong)
    assert not r.passed and r.status == "failed"
    assert phrase in r.message, repr(r)
    assert r.hint and r.hint in repr(r)


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_every_listed_mistake_is_recognised_by_its_own_message(name):
    """Each mistaken version in an exercise's list, checked as if a student wrote it, fails with
    its message (so no entry is shadowed by another or equal to the reference)."""
    exercise = checker_exercise(name)
    for mistake in exercise.mistakes:
        r = ex.check(name, mistake.function)
        expected = messages.say(mistake.key, "en", (exercise.messages,))
        assert not r.passed and expected in r.message, (mistake.key, repr(r))


def test_a_wrong_answer_matching_no_mistake_names_the_case_and_the_difference():
    r = ex.check("dense_forward", lambda x, W, b: 2 * (x @ W) + b)
    assert not r.passed
    assert "case 1 of 4" in r.message and "x (4, 3), W (3, 2), b (2,)" in r.message
    assert "Expected" in r.message and "received" in r.message and "largest difference" in r.message


def test_a_failure_on_the_clipping_case_says_to_clip():
    def bce_sklearn_eps(t, p):
        p = np.clip(p, 1e-15, 1 - 1e-15)
        return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    r = ex.check("binary_crossentropy", bce_sklearn_eps)
    assert not r.passed and "exactly 0 and 1" in r.message and "1e-7" in r.message


def test_several_wrong_parts_are_each_named():
    r = ex.check("dense_backward", lambda x, W, dz: (x.T @ dz / len(x), dz.mean(axis=0), dz @ W.T))
    assert "dW is divided by n" in r.message and "db is a mean" in r.message


# --- hostile student code never makes check raise ---------------------------------------------

def raises(*args):
    return helper_that_fails(args)


def helper_that_fails(args):
    raise RuntimeError("my own bug")


def returns_none(*args):
    ...


def returns_nan(*args):
    return np.full_like(np.asarray(args[0], dtype=float), np.nan)


def returns_string(*args):
    return "the answer"


def returns_dict(*args):
    return {"w": 1}


def returns_generator(*args):
    return (a for a in args)


def returns_ragged(*args):
    return [[1.0, 2.0], [3.0]]


def mutates_everything(*args):
    for a in args:
        if isinstance(a, np.ndarray):
            a[...] = 0
    return args[0]


def prints_a_lot(*args):
    for i in range(20000):
        print("debug", i, "x" * 50)
    return args[0]


def recurses(*args):
    return recurses(*args)


def takes_nothing():
    return 1.0


def raises_system_exit(*args):
    raise SystemExit(1)


HOSTILE = [raises, returns_none, returns_nan, returns_string, returns_dict, returns_generator,
           returns_ragged, mutates_everything, prints_a_lot, recurses, takes_nothing, raises_system_exit,
           42, "relu",
           np.array([1.0]), lambda *a: a, lambda *a: [a[0]] * 5, lambda *a: (None,) * 3,
           lambda *a: np.zeros((0,)), lambda *a: 1e308 * 10, lambda *a: -1, lambda *a: True]


@pytest.mark.parametrize("name", list(SOLUTIONS))
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_hostile_code_becomes_feedback(name, lang):
    for fn in HOSTILE:
        r = ex.check(name, fn, lang=lang)
        assert not r.passed, (getattr(fn, "__name__", fn), repr(r))
        assert r.message and repr(r) and r._repr_html_()


def test_the_students_own_traceback_is_kept_short():
    r = ex.check("relu", raises)
    assert "RuntimeError" in r.message and "case 1 of 4" in r.message
    assert "my own bug" in r.details and "helper_that_fails" in r.details
    assert "test_exercises.py" in r.details
    assert "stepnn" not in r.details and "numpy" not in r.details
    deep = ex.check("relu", recurses)
    assert "RecursionError" in deep.message and deep.details.count("File") <= running.MAX_FRAMES


def test_a_placeholder_body_says_not_written_yet_kindly():
    for name in ex.names():
        for placeholder in (returns_none, ..., None):
            r = ex.check(name, placeholder)
            assert r.status == "not_written" and not r.passed
            assert "not written yet" in r.message and "`...`" in r.message
            assert r.details == ""
    ko = ex.check("relu", returns_none, lang="ko")
    assert "아직 작성되지 않았습니다" in ko.message and "아직 작성하지 않음" in repr(ko)


def test_code_that_forgets_its_return_is_told_so_not_called_unwritten():
    def relu(z):
        a = np.maximum(z, 0)  # noqa: F841 - the typical slip: no `return a`

    def dense_backward(x, W, dz):
        dW, db, dx = x.T @ dz, dz.sum(axis=0), dz @ W.T  # noqa: F841

    for name, fn in (("relu", relu), ("dense_backward", dense_backward)):
        r = ex.check(name, fn)
        assert r.status == "failed" and "returned None on case 1" in r.message
        assert "`return`" in r.message and "not written" not in r.message
    ko = ex.check("relu", relu, lang="ko")
    assert ko.status == "failed" and "None을 반환했습니다" in ko.message
    assert "작성되지 않았습니다" not in ko.message

    def template(z):
        """The template's docstring."""
        ...

    def unfinished(z):
        a = ...
        return a

    for fn in (template, unfinished):  # the template, as the lesson gives it, is not written yet
        assert ex.check("relu", fn).status == "not_written"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_text_and_complex_numbers_are_not_the_answer(lang):
    as_text = ex.check("mse", lambda t, p: str(np.mean((t - p) ** 2)), lang=lang)
    assert as_text.status == "failed" and "str '" in as_text.message
    assert ("should be numbers" if lang == "en" else "숫자(배열 또는 float)여야") in as_text.message
    square_root = ex.check("relu", lambda z: np.sqrt(z.astype(complex)) ** 2 * (z > 0), lang=lang)
    assert square_root.status == "failed"
    assert ("holds complex numbers" if lang == "en" else "복소수") in square_root.message
    loss = ex.check("mse", lambda t, p: np.mean((t - p) ** 2) + 0j, lang=lang)
    assert loss.status == "failed"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_none_among_the_numbers_is_named_not_called_nan(lang):
    def relu_of(v):
        if v > 0:
            return v  # no else: None for v <= 0

    for fn in (lambda z: np.vectorize(relu_of)(z),
               lambda z: np.array([relu_of(v) for v in z.ravel()]).reshape(z.shape)):
        r = ex.check("relu", fn, lang=lang)
        assert r.status == "failed" and "NaN" not in r.message and "`return`" in r.message
        assert ("a has None in 7 of its 12 entries" if lang == "en"
                else "a의 원소 12개 중 7개가 None입니다") in r.message


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_float32_results_are_named_unless_their_numbers_are_exact(lang):
    words = "float32" if lang == "en" else "float32로 반환되어"
    for name, fn, output in (
            ("sigmoid", lambda z: 1 / (1 + np.exp(-z.astype(np.float32))), "a"),
            ("dense_backward", lambda x, W, dz: ((x.T @ dz).astype(np.float32), dz.sum(axis=0),
                                                 dz @ W.T), "dW"),
            ("mse", lambda t, p: np.float32(np.mean((t - p) ** 2)), "loss")):
        r = ex.check(name, fn, lang=lang)
        assert r.status == "failed" and words in r.message and r.message.startswith(output)
        assert "float64" in r.message
    exact = ex.check("relu_derivative", lambda z: (z > 0).astype(np.float32), lang=lang)
    assert exact.passed  # 0 and 1 are the same numbers in float64: the trainer shows no difference


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_row_sum_without_keepdims_that_breaks_the_shapes_is_explained(lang):
    r = ex.check("softmax", lambda z: np.exp(z) / np.exp(z).sum(axis=1), lang=lang)
    assert r.status == "failed" and "ValueError" in r.message and "keepdims=True" in r.message
    assert ("(n, 1)" in r.message) and ("lines up with the columns" if lang == "en"
                                        else "열에 맞춥니다") in r.message


def test_raise_not_implemented_counts_as_not_written():
    def placeholder(z):
        raise NotImplementedError

    assert ex.check("relu", placeholder).status == "not_written"


def test_printing_to_stderr_is_captured_too(capsys):
    def noisy(z):
        print("warning!", file=sys.stderr)
        return np.maximum(z, 0)

    r = ex.check("relu", noisy)
    assert r.passed and "warning!" in r.printed and capsys.readouterr().err == ""


def test_an_array_like_answer_is_accepted():
    assert ex.check("relu", lambda z: np.maximum(z, 0).tolist()).passed
    assert ex.check("dense_backward", lambda x, W, dz: [g.tolist() for g in
                                                        dense_backward_matmul(x, W, dz)]).passed
    assert ex.check("mse", lambda t, p: np.array([mse_mean(t, p)])).passed


def test_a_changed_input_fails_even_when_the_numbers_are_right():
    def relu_in_place(z):
        z[z < 0] = 0
        return z

    def sgd_in_place(w, grad, learning_rate):
        w -= learning_rate * grad
        return w

    for name, fn, arg in (("relu", relu_in_place, "z"), ("sgd_update", sgd_in_place, "w")):
        r = ex.check(name, fn)
        assert not r.passed and "in place" in r.message and f"input {arg}" in r.message
    assert ex.check("relu", relu_maximum).passed  # the cases were not changed for the next check


def test_a_wrong_shape_says_expected_and_received():
    r = ex.check("dense_forward", lambda x, W, b: (x @ W + b).T)
    assert "expected (4, 2), received (2, 4)" in r.message and "transposed" in r.message
    r = ex.check("mse", lambda t, p: (t - p) ** 2)
    assert "one number" in r.message


def test_wrong_parameters_and_non_callables_are_named():
    r = ex.check("iterations_per_epoch", lambda n, b: n // b)
    assert "takes (n, b)" in r.message and "drop_last" in r.message
    r = ex.check("relu", 42)
    assert "function itself" in r.message and "int 42" in r.message


def test_printing_is_captured_and_cut_short(capsys):
    r = ex.check("relu", prints_a_lot)
    assert capsys.readouterr().out == ""
    assert r.printed.count("\n") <= running.MAX_PRINTED_LINES and "lines in all" in r.printed


def test_unknown_exercise_is_the_callers_error():
    with pytest.raises(ValueError, match="dense_forward.*iterations_per_epoch"):
        ex.check("dense_forwards", dense_forward_matmul)
    with pytest.raises(ValueError, match="Unknown exercise"):
        ex.hint("nope")
    with pytest.raises(ValueError):
        ex.reference(None)


# --- language, determinism, display -----------------------------------------------------------

HANGUL = re.compile("[\uac00-\ud7a3]")
FIELD = re.compile(r"{(\w+)}")


def all_tables():
    from stepnn.exercises import backward, batching, forward, losses, updates
    return {"messages": messages.MESSAGES, "result": _LABELS,
            **{m.__name__: m.MESSAGES for m in (forward, backward, losses, updates, batching)}}


def test_every_message_has_english_and_korean_with_the_same_fields():
    for table_name, table in all_tables().items():
        for key, pair in table.items():
            assert len(pair) == 2, (table_name, key)
            en, ko = pair
            assert en.strip() and ko.strip(), (table_name, key)
            assert HANGUL.search(ko), (table_name, key, ko)
            assert sorted(FIELD.findall(en)) == sorted(FIELD.findall(ko)), (table_name, key)


def test_every_key_an_exercise_uses_is_in_its_table():
    for name in ex.names():
        exercise = checker_exercise(name)
        keys = {f"{name}_signature", f"{name}_hint", *(m.key for m in exercise.mistakes)}
        keys |= {c.label for c in exercise.cases()} | {c.note for c in exercise.cases() if c.note}
        keys |= {exercise.on_error} - {None}
        for key in keys:
            for lang in ("en", "ko"):
                assert messages.say(key, lang, (exercise.messages,))


def test_set_language_chooses_korean_and_lang_overrides_it():
    sn.set_language("ko")
    r = ex.check("dense_forward", lambda x, W, b: x @ W)
    assert "편향" in r.message and "힌트" in repr(r)
    assert HANGUL.search(ex.hint("dense_forward"))
    assert "bias" in ex.check("dense_forward", lambda x, W, b: x @ W, lang="en").message
    with pytest.raises(ValueError):
        ex.check("relu", relu_maximum, lang="fr")


def test_the_hint_is_a_nudge_not_the_answer():
    for name in ex.names():
        hint = ex.hint(name)
        assert hint and hint != ex.signature(name)
    assert "x @ W + b" not in ex.hint("dense_forward")


def test_checks_are_deterministic():
    wrong = lambda x, W, b: 2 * (x @ W) + b  # noqa: E731
    assert repr(ex.check("dense_forward", wrong)) == repr(ex.check("dense_forward", wrong))
    for name in ex.names():
        cases = checker_exercise(name).cases()
        assert cases is checker_exercise(name).cases()


def test_result_shows_as_a_coloured_box_with_the_hint_on_failure():
    good = ex.check("relu", relu_maximum)
    bad = ex.check("relu", lambda z: np.minimum(z, 0))
    assert repr(good).startswith("✓ relu: Passed") and "Hint" not in repr(good)
    assert repr(bad).startswith("✗ relu: Not yet") and "Hint: " in repr(bad)
    assert "#2e7d32" in good._repr_html_() and "#c62828" in bad._repr_html_()
    assert ex.hint("relu") in bad._repr_html_()
    html = ex.check("relu", raises)._repr_html_()
    assert "&lt;" not in html or "<pre" in html
    assert "<script" not in ex.check("relu", lambda z: "<script>")._repr_html_()


def test_the_exercises_are_numpy_only_and_reachable_from_the_package():
    code = ("import sys, stepnn.exercises, stepnn as sn; assert sn.exercises is stepnn.exercises; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('matplotlib', 'ipywidgets', 'IPython')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_note_on_an_error_comes_only_with_shape_and_type_errors():
    note = messages.say("elementwise_note", "en", ())
    assert note in ex.check("relu", lambda z: max(z, 0)).message
    assert note not in ex.check("relu", raises).message


class _Unreadable:
    """A value whose own code fails when numpy, len, repr or a comparison touches it."""

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array here")

    def __float__(self):
        raise RuntimeError("no float here")

    def __len__(self):
        raise RuntimeError("no length here")

    def __repr__(self):
        raise RuntimeError("no repr here")

    def __eq__(self, other):
        raise RuntimeError("no comparison here")


@pytest.mark.parametrize("name", ex.names())
def test_a_value_whose_own_code_fails_becomes_feedback(name):
    for lang in ("en", "ko"):
        result = ex.check(name, lambda *args: _Unreadable(), lang=lang)
        assert not result.passed and result.message, result


def test_what_was_received_is_described_in_the_messages_language():
    for answer, english, korean in [(lambda x, W, dz: [1, 2], "a list of 2 values", "값이 2개인 list"),
                                    (lambda x, W, dz: np.zeros(3), "an array of shape (3,)",
                                     "모양이 (3,)인 배열")]:
        assert english in ex.check("dense_backward", answer, lang="en").message
        message = ex.check("dense_backward", answer, lang="ko").message
        assert korean in message and "values" not in message and "shape" not in message, message
