"""Activation functions: forward values from their closed forms, backward rules against
central finite differences of the forward rule, on arrays of any shape."""
import math
import warnings

import numpy as np
import pytest

from stepnn import activations

from .helpers import assert_gradients_close, central_difference

NAMES = ("linear", "relu", "leaky_relu", "sigmoid", "tanh", "softmax")
ELEMENTWISE = {
    "linear": lambda z: z,
    "relu": lambda z: max(z, 0.0),
    "leaky_relu": lambda z: z if z > 0 else 0.2 * z,  # Keras 3 default negative_slope=0.2
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
    "tanh": math.tanh,
}
POINTS = [-3.0, -0.7, -0.01, 0.02, 0.5, 2.5]


def test_names_are_the_keras_names():
    assert set(activations.NAMES) == set(NAMES)
    for name in NAMES:
        assert activations.get(name).name == name
        assert activations.get(name.upper()).name == name


def test_none_means_linear_and_objects_pass_through():
    assert activations.get(None).name == "linear"
    relu = activations.get("relu")
    assert activations.get(relu) is relu


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError) as info:
        activations.get("gelu")
    message = str(info.value)
    assert "Could not interpret activation identifier" in message and "'gelu'" in message
    for name in NAMES:
        assert name in message


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_elementwise_forward_matches_closed_form(name):
    z = np.array(POINTS)
    expected = [ELEMENTWISE[name](v) for v in POINTS]
    np.testing.assert_allclose(activations.get(name).forward(z), expected, rtol=1e-15, atol=0)


def test_softmax_forward_matches_closed_form():
    z = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 0.5]])
    for row, out in zip(z, activations.get("softmax").forward(z)):
        e = [math.exp(v) for v in row]
        np.testing.assert_allclose(out, [v / sum(e) for v in e], rtol=1e-14)


def test_softmax_is_shift_invariant_and_a_distribution_on_the_last_axis():
    z = np.random.default_rng(1).normal(size=(2, 3, 5))
    a = activations.softmax(z)
    np.testing.assert_allclose(a.sum(axis=-1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(activations.softmax(z + 100.0), a, rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(5,), (4, 3), (2, 3, 4)])
def test_forward_keeps_any_leading_shape(name, shape):
    z = np.random.default_rng(2).normal(size=shape)
    act = activations.get(name)
    a = act.forward(z)
    assert a.shape == shape and a.dtype == np.float64
    if name != "softmax":  # elementwise: the same number whatever the array around it
        np.testing.assert_array_equal(a.ravel(), [act.forward(np.array(v)) for v in z.ravel()])
    else:
        np.testing.assert_allclose(a.reshape(-1, shape[-1]),
                                   activations.softmax(z.reshape(-1, shape[-1])), rtol=1e-15)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(6,), (3, 4), (2, 2, 5)])
def test_backward_is_the_chain_rule_against_finite_differences(name, shape):
    """backward(z, a, dL/da) = dL/dz for L = sum(g * f(z)), whose gradient is known only numerically."""
    rng = np.random.default_rng(3)
    z = rng.normal(size=shape)
    z[np.abs(z) < 1e-3] = 0.5  # relu and leaky_relu have a kink at 0
    g = rng.normal(size=shape)
    act = activations.get(name)
    analytic = act.backward(z, act.forward(z), g)
    numeric = central_difference(lambda: float(np.sum(g * act.forward(z))), z)
    assert analytic.shape == shape
    assert_gradients_close(analytic, numeric, name)


def test_relu_family_derivative_at_known_points():
    z = np.array([-2.0, 3.0])
    ones = np.ones(2)
    np.testing.assert_array_equal(activations.get("relu").backward(z, None, ones), [0.0, 1.0])
    np.testing.assert_array_equal(activations.get("leaky_relu").backward(z, None, ones), [0.2, 1.0])


def test_sigmoid_and_tanh_derivatives_from_their_outputs():
    z = np.array([-1.0, 0.0, 2.0])
    s = np.array([1 / (1 + math.exp(1)), 0.5, 1 / (1 + math.exp(-2))])
    np.testing.assert_allclose(activations.get("sigmoid").backward(z, s, np.ones(3)), s * (1 - s))
    t = np.tanh(z)
    np.testing.assert_allclose(activations.get("tanh").backward(z, t, np.ones(3)), 1 - t * t)


def test_softmax_backward_is_the_jacobian_product():
    z = np.array([0.3, -1.2, 2.0])
    a = activations.softmax(z)
    jacobian = np.diag(a) - np.outer(a, a)
    g = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(activations.get("softmax").backward(z, a, g), jacobian @ g,
                               rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("name", NAMES)
def test_repr_shows_name_and_formula(name):
    text = repr(activations.get(name))
    assert name in text and "a =" in text.replace("a_k =", "a =")


def test_sigmoid_is_exact_and_quiet_at_the_extremes():
    z = np.array([-1000.0, -745.0, -709.0, -40.0, -20.0, 0.0, 20.0, 40.0, 1000.0, -np.inf, np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")           # no overflow warning leaks
        s = activations.sigmoid(z)
        by_rule = activations.get("sigmoid").forward(z)
    expected = [1.0 / (1.0 + math.exp(-v)) if v > -709.5 else 0.0 for v in z]
    np.testing.assert_allclose(s, expected, rtol=1e-15, atol=0)  # relative: tiny values too
    np.testing.assert_array_equal(by_rule, s)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[-2] == 0.0


def test_each_rule_s_raw_form_gives_the_forward_numbers_bit_for_bit():
    z = np.random.default_rng(0).normal(scale=30.0, size=(64, 5))
    for name in NAMES:
        act = activations.get(name)
        with np.errstate(all="ignore"):
            raw = act.raw(z)
        np.testing.assert_array_equal(raw, act.forward(z))
