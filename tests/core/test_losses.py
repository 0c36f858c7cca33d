"""Loss functions: values hand-computed from the Keras definitions (including the clipped
extremes), from_logits forms, Keras names, and gradients (with their 1/N) against finite differences."""
import math

import numpy as np
import pytest

import stepnn as sn
from stepnn import activations, losses
from stepnn.activations import sigmoid, softmax

from .helpers import assert_gradients_close, central_difference, labels_for

EPS = 1e-7  # Keras' backend epsilon
LN = math.log
CANONICAL = ("mean_squared_error", "mean_absolute_error", "binary_crossentropy",
             "categorical_crossentropy", "sparse_categorical_crossentropy", "cee")
WITH_LOGITS = ("binary_crossentropy", "categorical_crossentropy",
               "sparse_categorical_crossentropy", "cee")


def test_epsilon_is_keras_epsilon():
    assert losses.EPSILON == EPS


# --- closed-form values ------------------------------------------------------------------------

def test_mse_and_mae_average_over_outputs_then_over_the_batch():
    y = [[1.0, 2.0], [0.0, -1.0]]
    p = [[1.5, 1.0], [0.5, -3.0]]
    mse = [(0.5 ** 2 + 1.0 ** 2) / 2, (0.5 ** 2 + 2.0 ** 2) / 2]
    mae = [(0.5 + 1.0) / 2, (0.5 + 2.0) / 2]
    np.testing.assert_allclose(losses.get("mse").per_sample(np.array(y), np.array(p)), mse)
    np.testing.assert_allclose(losses.get("mae").per_sample(np.array(y), np.array(p)), mae)
    assert losses.get("mse")(y, p) == pytest.approx(sum(mse) / 2, rel=1e-15)
    assert losses.get("mae")(y, p) == pytest.approx(sum(mae) / 2, rel=1e-15)


def test_binary_crossentropy_closed_form():
    y = [[1.0], [0.0], [1.0]]
    p = [[0.9], [0.2], [0.6]]
    expected = -(LN(0.9) + LN(0.8) + LN(0.6)) / 3
    assert losses.get("binary_crossentropy")(y, p) == pytest.approx(expected, rel=1e-14)
    # several outputs: Keras averages over them per sample
    per = losses.get("binary_crossentropy").per_sample(np.array([[1.0, 0.0]]), np.array([[0.7, 0.4]]))
    np.testing.assert_allclose(per, [-(LN(0.7) + LN(0.6)) / 2], rtol=1e-14)


def test_keras_argument_order_y_true_then_y_pred():
    bce = losses.get("binary_crossentropy")
    y_true, y_pred = [1, 0, 1], [0.9, 0.2, 0.6]
    expected = -(LN(0.9) + LN(0.8) + LN(0.6)) / 3
    assert bce(y_true, y_pred) == pytest.approx(expected, rel=1e-14)
    assert bce(y_pred, y_true) != pytest.approx(expected, rel=1e-3)


def test_categorical_crossentropy_closed_form_and_row_rescaling():
    y = [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    p = [[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]]
    expected = -(LN(0.7) + LN(0.5)) / 2
    assert losses.get("categorical_crossentropy")(y, p) == pytest.approx(expected, rel=1e-14)
    # Keras divides each row by its sum before the log
    assert losses.get("cce")([[0, 1, 0]], [[1.0, 3.0, 4.0]]) == pytest.approx(-LN(3 / 8), rel=1e-14)


def test_sparse_categorical_crossentropy_closed_form():
    p = [[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]]
    expected = -(LN(0.7) + LN(0.5)) / 2
    assert losses.get("sparse_categorical_crossentropy")([1, 0], p) == \
        pytest.approx(expected, rel=1e-14)
    assert losses.get("sparse_categorical_crossentropy")([[1], [0]], p) == \
        pytest.approx(expected, rel=1e-14)


def test_cee_is_minus_sum_y_log_p():
    y = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    p = [[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]]
    assert losses.get("cee")(y, p) == pytest.approx(-(LN(0.7) + LN(0.25)) / 2, rel=1e-14)


def _clipped_cases():
    lo, hi = EPS, 1.0 - EPS  # the clip range, as floats
    return [
        ("binary_crossentropy", [[1.0]], [[0.0]], -LN(lo)),
        ("binary_crossentropy", [[0.0]], [[1.0]], -LN(1.0 - hi)),
        ("binary_crossentropy", [[1.0]], [[1.0]], -LN(hi)),
        ("binary_crossentropy", [[0.0]], [[0.0]], -LN(1.0 - lo)),
        ("categorical_crossentropy", [[1.0, 0.0]], [[0.0, 1.0]], -LN(lo)),
        ("categorical_crossentropy", [[0.0, 1.0]], [[0.0, 1.0]], -LN(hi)),
        ("sparse_categorical_crossentropy", [0], [[0.0, 1.0]], -LN(lo)),
        ("sparse_categorical_crossentropy", [1], [[0.0, 1.0]], -LN(hi)),
        ("cee", [[1.0, 0.0]], [[0.0, 1.0]], -LN(lo)),
        ("cee", [[0.0, 1.0]], [[0.0, 1.0]], -LN(hi)),
    ]


@pytest.mark.parametrize("name, y, p, expected", _clipped_cases())
def test_clipped_extremes_give_the_keras_values(name, y, p, expected):
    value = losses.get(name)(y, p)
    assert value == pytest.approx(expected, rel=1e-12)
    assert math.isfinite(value)


def test_clipped_extremes_in_numbers():
    """p = 0 for the true class costs -log(1e-7) = 16.118..., not inf."""
    assert losses.get("bce")([[1.0]], [[0.0]]) == pytest.approx(16.11809565095832, rel=1e-12)
    assert losses.get("bce")([[0.0]], [[1.0]]) == pytest.approx(16.11809565095832, rel=1e-7)
    assert losses.get("bce")([[1.0]], [[1.0]]) == pytest.approx(1.0000000494736474e-07, rel=1e-6)


@pytest.mark.parametrize("name", ["binary_crossentropy", "categorical_crossentropy",
                                  "sparse_categorical_crossentropy", "cee"])
def test_gradient_is_zero_and_finite_where_clipped(name):
    """Where p was clipped the loss is flat (as Keras' clip), so its derivative there is 0."""
    loss = losses.get(name)
    if name == "binary_crossentropy":
        y, p = np.array([[1.0], [0.0]]), np.array([[0.0], [1.0]])
    else:
        y = np.array([[1.0, 0.0]]) if name != "sparse_categorical_crossentropy" else np.array([0])
        p = np.array([[0.0, 1.0]])
    g = loss.gradient(y, p)
    assert np.all(np.isfinite(g))
    np.testing.assert_array_equal(g, 0.0)


# --- relations between the losses -------------------------------------------------------------

def _logits(seed=0, n=5, k=3):
    rng = np.random.default_rng(seed)
    return rng.uniform(-3, 3, size=(n, k)), rng.integers(0, k, size=n)


def test_binary_from_logits_equals_probability_form():
    z, _ = _logits()
    y = (np.random.default_rng(1).random(z.shape) > 0.5).astype(float)
    with_logits = losses.get("binary_crossentropy", from_logits=True)
    assert with_logits(y, z) == pytest.approx(losses.binary_crossentropy(y, sigmoid(z)), rel=1e-12)
    np.testing.assert_allclose(with_logits.per_sample(y, z),
                               losses.get("binary_crossentropy").per_sample(y, sigmoid(z)), rtol=1e-12)


@pytest.mark.parametrize("name", ["categorical_crossentropy", "cee"])
def test_categorical_from_logits_equals_probability_form(name):
    z, labels = _logits()
    y = np.eye(3)[labels]
    with_logits = losses.get(name, from_logits=True)
    assert with_logits(y, z) == pytest.approx(losses.categorical_crossentropy(y, softmax(z)),
                                              rel=1e-12)


def test_sparse_from_logits_equals_probability_form():
    z, labels = _logits()
    with_logits = losses.get("sparse_categorical_crossentropy", from_logits=True)
    assert with_logits(labels, z) == pytest.approx(
        losses.sparse_categorical_crossentropy(labels, softmax(z)), rel=1e-12)


def test_from_logits_is_exact_at_large_logits():
    """No clipping with logits: a confidently wrong logit of 1e4 costs 1e4, not -log(1e-7)."""
    bce = losses.get("bce", from_logits=True)
    assert bce([[0.0]], [[1e4]]) == pytest.approx(1e4, rel=1e-12)
    assert bce([[1.0]], [[1e4]]) == 0.0
    cce = losses.get("cce", from_logits=True)
    assert cce([[0.0, 1.0]], [[1e4, 0.0]]) == pytest.approx(1e4, rel=1e-12)


def test_cee_equals_categorical_crossentropy_for_softmax_outputs():
    z, labels = _logits(seed=4, n=7, k=4)
    y, p = np.eye(4)[labels], softmax(z)
    np.testing.assert_allclose(losses.get("cee").per_sample(y, p),
                               losses.get("categorical_crossentropy").per_sample(y, p), rtol=1e-12)
    # dL/dp differ off the simplex (cce rescales each row), dL/dz through the softmax agree
    back = activations.get("softmax").backward
    np.testing.assert_allclose(back(z, p, losses.get("cee").gradient(y, p)),
                               back(z, p, losses.get("categorical_crossentropy").gradient(y, p)),
                               rtol=1e-9, atol=1e-15)


def test_sparse_equals_categorical_with_one_hot_labels():
    z, labels = _logits(seed=5, n=6, k=4)
    y, p = np.eye(4)[labels], softmax(z)
    sparse, cce = losses.get("sparse_categorical_crossentropy"), losses.get("categorical_crossentropy")
    np.testing.assert_allclose(sparse.per_sample(labels, p), cce.per_sample(y, p), rtol=1e-15)
    np.testing.assert_allclose(sparse.gradient(labels, p), cce.gradient(y, p), rtol=1e-15)
    np.testing.assert_allclose(sparse.fused_gradient(labels, p), cce.fused_gradient(y, p),
                               rtol=1e-15)


# --- names ------------------------------------------------------------------------------------

@pytest.mark.parametrize("alias, canonical", [
    ("mse", "mean_squared_error"), ("MSE", "mean_squared_error"),
    ("mean_squared_error", "mean_squared_error"), ("mae", "mean_absolute_error"),
    ("MAE", "mean_absolute_error"), ("mean_absolute_error", "mean_absolute_error"),
    ("bce", "binary_crossentropy"), ("binary_crossentropy", "binary_crossentropy"),
    ("cce", "categorical_crossentropy"), ("categorical_crossentropy", "categorical_crossentropy"),
    ("sparse_categorical_crossentropy", "sparse_categorical_crossentropy"),
    ("cee", "cee"), ("cross_entropy_error", "cee"),
])
def test_keras_names_and_aliases(alias, canonical):
    assert losses.get(alias).name == canonical


@pytest.mark.parametrize("bad", ["hinge", "", "binary-crossentropy", 42, None])
def test_unknown_loss_lists_the_valid_names(bad):
    with pytest.raises(ValueError) as info:
        losses.get(bad)
    message = str(info.value)
    assert "Could not interpret loss identifier" in message and repr(bad) in message
    for name in CANONICAL + ("mse", "bce"):
        assert name in message


def test_a_loss_object_passes_through_and_repr_names_it():
    mse = losses.get("mse")
    assert losses.get(mse) is mse
    assert "binary_crossentropy" in repr(losses.get("binary_crossentropy"))
    assert "from_logits=True" in repr(losses.get("cce", from_logits=True))


def test_fitting_names_the_losses_for_an_output_layer():
    y01 = np.array([0, 1, 1, 0])
    assert set(losses.fitting("sigmoid", 1, y01)) == {"mean_squared_error", "mean_absolute_error",
                                                      "binary_crossentropy"}
    assert losses.fitting("softmax", 3, np.array([0, 2, 1])) == ["sparse_categorical_crossentropy"]
    assert set(losses.fitting("softmax", 3, np.eye(3))) == {"categorical_crossentropy", "cee"}


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="3 samples.*2"):
        losses.get("mse")([1.0, 2.0, 3.0], [1.0, 2.0])


# --- shapes and gradients ---------------------------------------------------------------------

def _prediction(name, rng, shape, from_logits):
    if from_logits or name in ("mean_squared_error", "mean_absolute_error"):
        return rng.normal(size=shape)
    if name == "binary_crossentropy":
        return rng.uniform(0.05, 0.95, size=shape)
    return softmax(rng.normal(size=shape))


@pytest.mark.parametrize("name", CANONICAL)
def test_per_sample_and_gradient_accept_leading_axes(name):
    rng = np.random.default_rng(6)
    y = labels_for(name, rng, 5, 3)
    p = _prediction(name, rng, (4, 5, 3), False)
    loss = losses.get(name)
    per, grad = loss.per_sample(y, p), loss.gradient(y, p)
    assert per.shape == (4, 5) and grad.shape == (4, 5, 3)
    for i in range(4):
        np.testing.assert_allclose(per[i], loss.per_sample(y, p[i]), rtol=1e-15)
        np.testing.assert_allclose(grad[i], loss.gradient(y, p[i]), rtol=1e-15)


CASES = [(name, False) for name in CANONICAL] + [(name, True) for name in WITH_LOGITS]


@pytest.mark.parametrize("name, from_logits", CASES)
@pytest.mark.parametrize("n, k", [(1, 2), (4, 3), (7, 1)])
def test_gradient_of_the_batch_mean_against_finite_differences(name, from_logits, n, k):
    if k == 1 and name in ("categorical_crossentropy", "sparse_categorical_crossentropy", "cee"):
        k = 2
    rng = np.random.default_rng(n * 10 + k)
    y = labels_for(name, rng, n, k)
    p = _prediction(name, rng, (n, k), from_logits)
    if name == "mean_absolute_error":  # keep away from the kink at p = y
        p = np.where(np.abs(p - y) < 1e-3, y + 0.5, p)
    loss = losses.get(name, from_logits=from_logits)
    numeric = central_difference(lambda: float(np.mean(loss.per_sample(y, p))), p)
    assert_gradients_close(loss.gradient(y, p), numeric, f"{name} from_logits={from_logits}")


def test_gradient_carries_the_one_over_n():
    y = np.array([[1.0], [2.0], [3.0], [4.0]])
    p = y + 1.0
    np.testing.assert_allclose(losses.get("mse").gradient(y, p), 2.0 * 1.0 / 4)
    np.testing.assert_allclose(losses.get("mae").gradient(y, p), 1.0 / 4)

def test_sparse_categorical_crossentropy_equals_the_one_hot_computation_bit_for_bit():
    """The sparse loss and its fused gradient pick the true class directly; the numbers must be
    exactly those of categorical cross-entropy on one-hot rows, clipped and broken rows included."""
    rng = np.random.default_rng(0)
    sparse = losses.get("sparse_categorical_crossentropy")
    for trial in range(500):
        n, k = rng.integers(1, 9), rng.integers(2, 7)
        a = softmax(rng.normal(size=(n, k)) * rng.choice([0.1, 1.0, 30.0, 300.0]))
        if trial % 5 == 0:
            a[rng.integers(n), rng.integers(k)] = rng.choice([0.0, 1.0, np.nan, 1e-9, np.inf])
        if trial % 7 == 0:
            a[rng.integers(n)] = 0.0
        y = rng.integers(0, k, size=n)
        if trial % 3 == 0:
            y = y.reshape(-1, 1).astype(np.float64)
        one_hot = np.eye(k)[np.ravel(y).astype(int)]
        with np.errstate(all="ignore"):
            np.testing.assert_array_equal(sparse.per_sample(y, a), losses._cce(one_hot, a))
            np.testing.assert_array_equal(sparse.fused_gradient(y, a),
                                          losses._fused_softmax_ce(one_hot, a))


# --- against Keras' own definitions -----------------------------------------------------------
# Written out from Keras 3 (keras/src/losses/losses.py and keras/src/backend/numpy/nn.py): each
# loss function returns the per-sample values, the loss classes average them over the batch.

def keras_per_sample(name, y, p, from_logits=False):
    if name == "mean_squared_error":
        return np.mean(np.square(y - p), axis=-1)
    if name == "mean_absolute_error":
        return np.mean(np.abs(y - p), axis=-1)
    if name == "binary_crossentropy":
        if from_logits:  # tf.nn.sigmoid_cross_entropy_with_logits: max(z, 0) - z y + log(1 + e^-|z|)
            return np.mean(np.maximum(p, 0) - p * y + np.log1p(np.exp(-np.abs(p))), axis=-1)
        out = np.clip(p, EPS, 1.0 - EPS)
        return np.mean(-(y * np.log(out) + (1.0 - y) * np.log(1.0 - out)), axis=-1)
    if name == "sparse_categorical_crossentropy":
        y = np.eye(p.shape[-1])[np.ravel(y).astype(int)]
    if from_logits:
        log_prob = p - p.max(axis=-1, keepdims=True)
        log_prob = log_prob - np.log(np.exp(log_prob).sum(axis=-1, keepdims=True))
    else:
        log_prob = np.log(np.clip(p / np.sum(p, axis=-1, keepdims=True), EPS, 1.0 - EPS))
    return -np.sum(y * log_prob, axis=-1)


KERAS_NAMES = CANONICAL[:-1]  # cee is the course's, not Keras'
PUBLIC = {"mean_squared_error": (losses.mse, losses.mse_gradient),
          "mean_absolute_error": (losses.mae, losses.mae_gradient),
          "binary_crossentropy": (losses.binary_crossentropy, losses.binary_crossentropy_gradient),
          "categorical_crossentropy": (losses.categorical_crossentropy,
                                       losses.categorical_crossentropy_gradient),
          "sparse_categorical_crossentropy": (losses.sparse_categorical_crossentropy,
                                              losses.sparse_categorical_crossentropy_gradient),
          "cee": (losses.cee, losses.cee_gradient)}


def _with_extremes(name, p, rng):
    """Predictions with some entries at the clip's edges and beyond: 0, 1, 1e-9, 1 - 1e-9."""
    if name in ("mean_squared_error", "mean_absolute_error"):
        return p
    p = p.copy()
    for _ in range(3):
        p[rng.integers(len(p)), rng.integers(p.shape[1])] = rng.choice([0.0, 1.0, 1e-9, 1 - 1e-9])
    p[p.sum(axis=1) == 0, 0] = 1.0  # a row of zeros is not a prediction (see the errors below)
    return p


@pytest.mark.parametrize("name, from_logits", [case for case in CASES if case[0] in KERAS_NAMES])
def test_per_sample_and_batch_loss_equal_keras(name, from_logits):
    rng = np.random.default_rng(11)
    for n, k in [(1, 2), (6, 3), (9, 1)]:
        if k == 1 and "categorical" in name:
            k = 2
        y = labels_for(name, rng, n, k)
        p = _prediction(name, rng, (n, k), from_logits)
        if not from_logits:
            p = _with_extremes(name, p, rng)
        loss = losses.get(name, from_logits=from_logits)
        expected = keras_per_sample(name, y, p, from_logits)
        np.testing.assert_allclose(loss.per_sample(y, p), expected, rtol=1e-14, atol=0)
        value = PUBLIC[name][0](y, p, from_logits=from_logits) if from_logits else PUBLIC[name][0](y, p)
        assert value == pytest.approx(float(np.mean(expected)), rel=1e-14, abs=0)


@pytest.mark.parametrize("name, from_logits", CASES)
def test_public_gradient_functions_against_finite_differences(name, from_logits):
    value, gradient = PUBLIC[name]
    kwargs = dict(from_logits=True) if from_logits else {}
    rng = np.random.default_rng(21)
    k = 1 if name in ("mean_squared_error", "mean_absolute_error", "binary_crossentropy") else 3
    y = labels_for(name, rng, 5, k)
    p = _prediction(name, rng, (5, k), from_logits)
    if name == "mean_absolute_error":
        p = np.where(np.abs(p - y) < 1e-3, y + 0.5, p)
    numeric = central_difference(lambda: value(y, p, **kwargs), p)
    analytic = gradient(y, p, **kwargs)
    assert analytic.shape == p.shape
    assert_gradients_close(analytic, numeric, name)


@pytest.mark.parametrize("name", CANONICAL)
def test_public_functions_are_the_loss_objects_numbers(name):
    rng = np.random.default_rng(3)
    y, p = labels_for(name, rng, 4, 3), _prediction(name, rng, (4, 3), False)
    value, gradient = PUBLIC[name]
    loss = losses.get(name)
    assert value(y, p) == loss(y, p) == float(np.mean(loss.per_sample(loss.check_labels(y, 3), p)))
    np.testing.assert_array_equal(gradient(y, p), loss.gradient(loss.check_labels(y, 3), p))
    assert losses.get(value).name == name  # a public function resolves to its Loss


def test_keras_long_names_are_the_same_functions():
    assert losses.mean_squared_error is losses.mse and losses.mean_absolute_error is losses.mae


def test_clipping_stops_the_gradient_where_logits_keep_pushing():
    """Probabilities: p = 1 for a label 0 is clipped, the loss is flat there and the gradient 0.
    Logits: the same mistake (z = 50) gets the full push (sigmoid(z) - y) / N = 1."""
    assert losses.binary_crossentropy_gradient([[0.0]], [[1.0]])[0, 0] == 0.0
    assert losses.binary_crossentropy_gradient([[0.0]], [[50.0]], from_logits=True)[0, 0] == 1.0
    assert losses.binary_crossentropy([[0.0]], [[1.0]]) == pytest.approx(-LN(EPS), rel=1e-7)
    assert losses.binary_crossentropy([[0.0]], [[50.0]], from_logits=True) == pytest.approx(50.0)


# --- bad predictions: a clear error at the public functions, a quiet value inside training ----

@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name", CANONICAL)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_predictions_raise_a_clear_error(name, bad):
    rng = np.random.default_rng(0)
    y, p = labels_for(name, rng, 3, 2), _prediction(name, rng, (3, 2), False)
    p[1, 0] = bad
    value, gradient = PUBLIC[name]
    for call in (value, gradient, losses.get(name)):
        with pytest.raises(ValueError) as info:
            call(y, p)
        message = str(info.value)
        assert "NaN or inf" in message and "row 1" in message and "learning rate" in message


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name, y", [("categorical_crossentropy", [[1.0, 0.0], [0.0, 1.0]]),
                                     ("sparse_categorical_crossentropy", [0, 1])])
def test_a_row_that_sums_to_zero_is_refused_without_a_warning(name, y):
    p = [[0.3, 0.7], [0.0, 0.0]]  # e.g. a relu output: not probabilities
    value, gradient = PUBLIC[name]
    for call in (value, gradient):
        with pytest.raises(ValueError, match=r"row 1 sums to 0.*from_logits=True"):
            call(y, p)
    # the same scores as logits are fine; cee does not rescale, so it needs no sum
    assert np.isfinite(value(y, p, from_logits=True))
    assert np.isfinite(losses.cee([[1.0, 0.0], [0.0, 1.0]], p))


@pytest.mark.filterwarnings("error")
def test_huge_finite_predictions_give_inf_quietly():
    assert losses.mse([[0.0]], [[1e200]]) == np.inf


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name", CANONICAL)
def test_the_loss_phase_reports_a_diverged_prediction_as_a_value(name):
    """Inside training a NaN prediction is a teaching moment: the record holds NaN, nothing raises
    and nothing is printed."""
    rng = np.random.default_rng(1)
    loss = losses.get(name)
    y = loss.check_labels(labels_for(name, rng, 3, 2), 2)
    a = _prediction(name, rng, (3, 2), False)
    a[0] = np.nan
    if "categorical" in name:
        a[2] = 0.0  # a row that sums to zero as well
    forward = sn.ForwardRecord(np.zeros((3, 1)), None, [a], [a])
    record = losses.compute_loss(loss, y, forward)
    by_name = losses.compute_loss(name, y, forward)
    assert np.isnan(record.value) and not record.finite and np.isnan(record.per_sample[0])
    assert np.isnan(by_name.value) and record.name == by_name.name == loss.name
    assert "not finite" in repr(record)


# --- labels: bool and whole numbers everywhere, text nowhere ----------------------------------

def test_bool_labels_count_as_zero_and_one_for_binary_and_sparse():
    flags = np.array([True, False, True])
    p1 = np.array([[0.8], [0.3], [0.6]])
    assert losses.binary_crossentropy(flags, p1) == losses.binary_crossentropy([1, 0, 1], p1)
    p2 = np.array([[0.2, 0.8], [0.7, 0.3], [0.4, 0.6]])
    sparse = losses.sparse_categorical_crossentropy
    assert sparse(flags, p2) == sparse([1, 0, 1], p2) == sparse([1.0, 0.0, 1.0], p2)
    assert sparse(np.array([1, 0, 1], dtype=object), p2) == sparse([1, 0, 1], p2)
    assert "binary_crossentropy" in losses.fitting("sigmoid", 1, flags)
    assert losses.fitting("softmax", 2, flags) == ["sparse_categorical_crossentropy"]


@pytest.mark.parametrize("name, n_out", [("binary_crossentropy", 1),
                                         ("sparse_categorical_crossentropy", 2),
                                         ("mean_squared_error", 1), ("categorical_crossentropy", 2)])
@pytest.mark.parametrize("text", [np.array(["0", "1", "1"]), ["1", "0", "1"],
                                  np.array(["cat", "dog", "cat"], dtype=object)])
def test_text_labels_are_refused_alike_by_every_loss(name, n_out, text):
    if name == "categorical_crossentropy":
        text = np.stack([text, text], axis=1)
    with pytest.raises(TypeError) as info:
        losses.get(name).check_labels(text, n_out)
    message = str(info.value)
    assert "must hold numbers" in message and "text" in message and "astype(int)" in message


@pytest.mark.parametrize("name", ["binary_crossentropy", "sparse_categorical_crossentropy"])
def test_complex_labels_are_refused(name):
    with pytest.raises(TypeError, match="complex"):
        losses.get(name).check_labels(np.array([0, 1j]), 2 if "sparse" in name else 1)


@pytest.mark.parametrize("name, y, n_out, parts", [
    ("sparse_categorical_crossentropy", np.eye(3)[[0, 1, 2, 0]], 3,
     ["(4, 3)", "categorical_crossentropy", "to_labels"]),
    ("sparse_categorical_crossentropy", [0.0, 1.5], 3, ["whole-number", "1.5"]),
    ("sparse_categorical_crossentropy", [0, 3], 3, ["0..2", "max 3"]),
    ("binary_crossentropy", np.zeros((4, 2)), 1, ["(4, 2)", "(n_samples, 1)"]),
    ("binary_crossentropy", [0, 2], 1, ["[0, 1]", "[0.0, 2.0]", "sparse_categorical_crossentropy"]),
    ("categorical_crossentropy", [0, 1, 2], 3, ["one-hot", "(3,)", "to_one_hot"]),
])
def test_label_errors_name_the_shape_or_values_and_the_fix(name, y, n_out, parts):
    with pytest.raises(ValueError) as info:
        losses.get(name).check_labels(y, n_out)
    for part in parts:
        assert part in str(info.value), (part, str(info.value))


def test_ragged_or_missing_labels_get_a_clear_error():
    with pytest.raises(ValueError, match="rectangular array of numbers"):
        losses.get("mse").check_labels([[1.0, 2.0], [3.0]], 2)
    with pytest.raises(ValueError, match="rectangular array of numbers"):
        losses.binary_crossentropy([1, 0], [[0.5], [0.2, 0.1]])
    with pytest.raises(ValueError, match="1 NaN or inf"):
        losses.get("sparse_categorical_crossentropy").check_labels([0, None, 1], 2)
