"""Every neuron's picture: one forward pass over the grid gives each unit's activation image."""
import numpy as np
import pytest

import stepnn as sn
from stepnn.neurons import MAX_POINTS, unit_activations


def _model(seed=0):
    return sn.Sequential([sn.Dense(2, 3, "tanh"), sn.Dense(3, 4, "relu"),
                          sn.Dense(4, 1, "sigmoid")], seed=seed)


def test_shapes_one_image_per_unit():
    pictures = unit_activations(_model(), np.linspace(-1, 1, 5), np.linspace(-2, 2, 7))
    assert [p.shape for p in pictures] == [(3, 7, 5), (4, 7, 5), (1, 7, 5)]
    assert all(p.dtype == np.float64 for p in pictures)


def test_each_pixel_is_that_units_activation_at_that_point():
    model = _model(seed=3)
    gx, gy = np.array([-1.0, 0.0, 2.5]), np.array([-3.0, 0.5])
    pictures = unit_activations(model, gx, gy)
    W1, b1, W2, b2 = (p.copy() for p in model.params[:4])
    for j, y in enumerate(gy):
        for i, x in enumerate(gx):
            h1 = np.tanh(np.array([x, y]) @ W1 + b1)          # written out, not model.forward
            h2 = np.maximum(h1 @ W2 + b2, 0.0)
            np.testing.assert_allclose(pictures[0][:, j, i], h1, rtol=1e-13, atol=1e-15)
            np.testing.assert_allclose(pictures[1][:, j, i], h2, rtol=1e-13, atol=1e-15)
            out = model.predict(np.array([[x, y]]))[0]
            np.testing.assert_allclose(pictures[2][:, j, i], out, rtol=1e-13, atol=1e-15)


def test_a_unit_with_one_input_weight_varies_along_that_axis_only():
    W = np.array([[1.0, 0.0], [0.0, 1.0]])  # unit 0 sees x1 only, unit 1 sees x2 only
    model = sn.Sequential([sn.Dense(2, 2, "linear", weights=(W, np.zeros(2)))])
    gx, gy = np.linspace(0, 1, 4), np.linspace(5, 6, 3)
    first, second = unit_activations(model, gx, gy)[0]
    np.testing.assert_array_equal(first, np.tile(gx, (3, 1)))            # changes across columns
    np.testing.assert_array_equal(second, np.tile(gy[:, None], (1, 4)))  # changes across rows


def test_the_model_is_unchanged():
    model = _model()
    before = model.get_flat()
    unit_activations(model, np.linspace(-1, 1, 4), np.linspace(-1, 1, 4))
    np.testing.assert_array_equal(model.get_flat(), before)


def test_bad_input():
    with pytest.raises(ValueError, match="need a model with 2 inputs; this model takes 3"):
        unit_activations(sn.Sequential([sn.Dense(3, 1)]), [0, 1], [0, 1])
    with pytest.raises(ValueError, match="grid_y must be a 1-D array of at least 2"):
        unit_activations(_model(), [0, 1], [[0, 1]])
    with pytest.raises(ValueError, match="grid_x contains NaN"):
        unit_activations(_model(), [0, np.nan], [0, 1])
    side = int(np.sqrt(MAX_POINTS)) + 1
    with pytest.raises(ValueError, match=f"more than the {MAX_POINTS} allowed"):
        unit_activations(_model(), np.arange(side), np.arange(side))
