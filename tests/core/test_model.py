"""Dense and Sequential: the forward pass by hand, the weights layout (Keras order), seeds."""
import math

import numpy as np
import pytest

import stepnn as sn


def _course_model(seed=0):
    return sn.Sequential([sn.Dense(2, 8, activation="relu"),
                          sn.Dense(8, 1, activation="sigmoid")], seed=seed)


def test_get_weights_order_and_shapes_are_keras():
    model = _course_model()
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(2, 8), (8,), (8, 1), (1,)]
    assert all(w.dtype == np.float64 for w in weights)
    assert model.sizes == [2, 8, 1]
    assert model.n_params == 2 * 8 + 8 + 8 + 1
    assert model.param_names == ["W1", "b1", "W2", "b2"]
    np.testing.assert_array_equal(weights[0], model.layers[0].W)
    np.testing.assert_array_equal(weights[3], model.layers[1].b)


def test_get_weights_returns_copies():
    model = _course_model()
    weights = model.get_weights()
    weights[0][0, 0] = 123.0
    assert model.layers[0].W[0, 0] != 123.0


def test_set_weights_round_trip_and_copies():
    model = _course_model()
    new = [np.full(s, float(i)) for i, s in enumerate(model.param_shapes)]
    model.set_weights(new)
    for w, n in zip(model.get_weights(), new):
        np.testing.assert_array_equal(w, n)
    new[0][0, 0] = -5.0
    assert model.layers[0].W[0, 0] == 0.0


def test_flat_vector_is_w1_b1_w2_b2_each_raveled_in_c_order():
    model = _course_model()
    W1, b1, W2, b2 = model.get_weights()
    np.testing.assert_array_equal(model.get_flat(),
                                  np.concatenate([W1.ravel(), b1, W2.ravel(), b2]))
    vec = np.arange(model.n_params, dtype=float)
    model.set_flat(vec)
    np.testing.assert_array_equal(model.layers[0].W, vec[:16].reshape(2, 8))
    np.testing.assert_array_equal(model.layers[0].b, vec[16:24])
    np.testing.assert_array_equal(model.layers[1].W, vec[24:32].reshape(8, 1))
    np.testing.assert_array_equal(model.layers[1].b, vec[32:])
    np.testing.assert_array_equal(model.get_flat(), vec)


def test_predict_and_forward_by_hand():
    W1 = np.array([[1.0, -1.0], [0.5, 2.0]])
    b1 = np.array([0.1, -0.2])
    W2 = np.array([[1.5], [-0.5]])
    b2 = np.array([0.25])
    model = sn.Sequential([sn.Dense(2, 2, "relu"), sn.Dense(2, 1, "sigmoid")])
    model.set_weights([W1, b1, W2, b2])
    x = [[1.0, 2.0], [-1.0, 0.5]]
    expected, zs1, zs2 = [], [], []
    for x1, x2 in x:  # scalar arithmetic, one unit at a time
        z1 = [x1 * W1[0, j] + x2 * W1[1, j] + b1[j] for j in range(2)]
        h = [max(v, 0.0) for v in z1]
        z2 = h[0] * W2[0, 0] + h[1] * W2[1, 0] + b2[0]
        zs1.append(z1)
        zs2.append([z2])
        expected.append([1 / (1 + math.exp(-z2))])
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-15)
    rec = model.forward(x)
    np.testing.assert_allclose(rec.z[0], zs1, rtol=1e-15)
    np.testing.assert_allclose(rec.z[1], zs2, rtol=1e-15)
    np.testing.assert_allclose(rec.a[0], np.maximum(zs1, 0), rtol=1e-15)
    np.testing.assert_array_equal(rec.prediction, rec.a[-1])
    np.testing.assert_array_equal(rec.x, x)
    assert rec.indices is None


def test_predict_returns_float64_for_any_numeric_input():
    model = _course_model()
    for X in ([[1, 2]], np.array([[1, 2]], dtype=np.float32), np.array([[1, 2]], dtype=np.int8)):
        out = model.predict(X)
        assert out.dtype == np.float64 and out.shape == (1, 1)


def test_same_seed_same_weights_other_seed_other_weights():
    np.testing.assert_array_equal(_course_model(3).get_flat(), _course_model(3).get_flat())
    assert not np.array_equal(_course_model(3).get_flat(), _course_model(4).get_flat())


def test_biases_start_at_zero_and_glorot_uniform_respects_its_limit():
    model = sn.Sequential([sn.Dense(30, 50), sn.Dense(50, 20)], seed=0)
    for layer in model.layers:
        limit = math.sqrt(6.0 / (layer.n_in + layer.n_out))
        assert np.all(np.abs(layer.W) <= limit)
        assert np.abs(layer.W).max() > 0.9 * limit  # fills the interval, not a narrower one
        np.testing.assert_array_equal(layer.b, 0.0)
        assert abs(layer.W.std() - limit / math.sqrt(3)) < 0.1 * limit  # std of U(-l, l)


def test_he_normal_is_truncated_at_two_standard_deviations():
    W = sn.Sequential([sn.Dense(100, 200, kernel_initializer="he_normal")], seed=0).layers[0].W
    std = math.sqrt(2.0 / 100)
    assert np.abs(W).max() <= 2 * std
    assert 0.8 * std < W.std() < std  # a normal truncated at 2 sigma has std 0.88 sigma


def test_explicit_weights_are_kept_by_the_seeded_initialisation():
    W, b = np.ones((2, 3)), np.arange(3.0)
    model = sn.Sequential([sn.Dense(2, 3, weights=(W, b))], seed=9)
    np.testing.assert_array_equal(model.layers[0].W, W)
    np.testing.assert_array_equal(model.layers[0].b, b)


def test_reprs_are_readable():
    model = _course_model()
    text = repr(model)
    assert "[2, 8, 1]" in text and "relu" in text and "sigmoid" in text and "33" in text
    assert repr(model.layers[0]) == "Dense(2 -> 8, activation='relu', params=24)"
    summary = model.summary()
    assert "total params: 33" in summary and "relu" in summary


@pytest.mark.parametrize("seed, kind", [("x", TypeError), (1.5, TypeError), (("a",), TypeError),
                                        (True, TypeError), (-1, ValueError)])
def test_a_bad_seed_is_refused_before_any_weight_changes(seed, kind):
    layer = sn.Dense(2, 3, weights=(np.ones((2, 3)), np.zeros(3)))
    with pytest.raises(kind, match="seed must be a whole number"):
        sn.Sequential([layer], seed=seed)
    np.testing.assert_array_equal(layer.W, np.ones((2, 3)))


def test_seed_none_gives_fresh_random_weights():
    a = sn.Sequential([sn.Dense(2, 3)], seed=None).get_flat()
    b = sn.Sequential([sn.Dense(2, 3)], seed=None).get_flat()
    assert not np.array_equal(a, b)
