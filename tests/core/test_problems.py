"""The toy problems of gradient descent: loss values in closed form, gradients against central
finite differences of the loss, Hessians against finite differences of the gradient."""
import numpy as np
import pytest

import stepnn as sn
from stepnn.problems import Bowl, LinearRegression, largest_curvature

from .helpers import FD_STEP, assert_gradients_close

HESSIAN_RTOL = 1e-6  # finite differences of an exact linear gradient: only round-off is left

PROBLEMS = [Bowl(), Bowl(3.0, 0.5), LinearRegression(), LinearRegression(n=30, noise=0.5, seed=3)]
POINTS = [np.array([0.7, -1.3]), np.array([-2.0, 0.25]), np.array([1e-3, 2.5])]


def _ids(problem):
    return repr(problem)


def numeric_gradient(problem, w: np.ndarray, h: float = FD_STEP) -> np.ndarray:
    """(L(w + h e_i) - L(w - h e_i)) / 2h, from the loss alone."""
    grad = np.zeros(2)
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        grad[i] = (problem.loss(w + e)[0] - problem.loss(w - e)[0]) / (2 * h)
    return grad


@pytest.mark.parametrize("problem", PROBLEMS, ids=_ids)
@pytest.mark.parametrize("w", POINTS, ids=str)
def test_gradient_against_central_differences(problem, w):
    assert_gradients_close(problem.gradient(w), numeric_gradient(problem, w), repr(problem))


@pytest.mark.parametrize("problem", PROBLEMS, ids=_ids)
def test_hessian_against_differences_of_the_gradient(problem):
    w, h = np.array([0.3, -0.8]), 1e-4
    numeric = np.column_stack([(problem.gradient(w + h * e) - problem.gradient(w - h * e)) / (2 * h)
                               for e in np.eye(2)])
    hessian = problem.hessian()
    assert hessian.shape == (2, 2)
    np.testing.assert_allclose(hessian, hessian.T)
    np.testing.assert_allclose(hessian, numeric, rtol=HESSIAN_RTOL, atol=1e-9)


@pytest.mark.parametrize("problem", PROBLEMS, ids=_ids)
def test_the_gradient_vanishes_at_the_minimum_and_the_loss_is_lowest_there(problem):
    np.testing.assert_allclose(problem.gradient(problem.minimum), 0.0, atol=1e-10)
    around = problem.minimum + np.random.default_rng(0).normal(scale=0.1, size=(20, 2))
    assert np.all(problem.loss(around) > problem.loss(problem.minimum)[0])


def test_bowl_in_closed_form():
    bowl = Bowl(3.0, 0.5)
    W = np.array([[1.0, 2.0], [-0.5, 0.0], [0.0, -4.0]])
    np.testing.assert_array_equal(bowl.loss(W), 3.0 * W[:, 0] ** 2 + 0.5 * W[:, 1] ** 2)
    np.testing.assert_array_equal(bowl.gradient(W[0]), [6.0, 2.0])
    np.testing.assert_array_equal(bowl.hessian(), np.diag([6.0, 1.0]))
    assert largest_curvature(bowl) == 6.0 and largest_curvature(Bowl()) == 4.0
    assert bowl.grid(np.array([0.0, 1.0, 2.0]), np.array([-1.0, 1.0])).shape == (2, 3)
    assert "λ_max=6" in repr(bowl)


def test_linear_regression_is_the_mse_of_a_line():
    problem = LinearRegression()
    X, y = sn.datasets.linear(100, 0.1, 0)
    W = np.array([[0.5, -0.2], [2.0, 1.0]])
    expected = [np.mean((w * X[:, 0] + b - y) ** 2) for w, b in W]
    np.testing.assert_allclose(problem.loss(W), expected, rtol=1e-12)
    x = X[:, 0]
    np.testing.assert_allclose(problem.hessian(), 2 / 100 * np.array([[x @ x, x.sum()], [x.sum(), 100]]),
                               rtol=1e-14)
    w, b = problem.minimum
    np.testing.assert_allclose((w, b), np.polyfit(x, y, 1), rtol=1e-10)
    assert np.isnan(problem.loss([[np.nan, 0.0], [np.inf, 1.0]])).all()
    alphas, betas = np.linspace(-1, 1, 4), np.linspace(0, 2, 3)
    A, B = np.meshgrid(alphas, betas)
    np.testing.assert_allclose(problem.grid(alphas, betas),
                               np.mean((A[..., None] * x + B[..., None] - y) ** 2, axis=-1), rtol=1e-12)


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf, True, "1"])
def test_bowl_refuses_a_coefficient_that_is_not_a_positive_number(bad):
    with pytest.raises(ValueError, match="coefficient a must be a positive number"):
        Bowl(a=bad)



@pytest.mark.parametrize("problem", [Bowl(), LinearRegression(n=20)],
                         ids=["bowl", "linear_regression"])
@pytest.mark.parametrize("call, error, words", [
    (lambda p: p.loss([1.0, 2.0, 3.0]), ValueError, ["W must be (m, 2) or (2,)", "(3,)"]),
    (lambda p: p.loss(np.zeros((4, 3))), ValueError, ["(4, 3)"]),
    (lambda p: p.loss("ab"), TypeError, ["W must be", "'ab'"]),
    (lambda p: p.gradient([1.0, 2.0, 3.0]), ValueError, ["w must be (2,)", "(3,)"]),
    (lambda p: p.gradient([[1.0, 2.0]]), ValueError, ["w must be (2,)", "(1, 2)"]),
    (lambda p: p.gradient("ab"), TypeError, ["w must be (2,)"]),
])
def test_points_of_the_wrong_shape_are_refused_not_cut_to_two(problem, call, error, words):
    with pytest.raises(error) as info:  # the bowl read the first two numbers of anything
        call(problem)
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    np.testing.assert_array_equal(problem.loss([[1.0, 2.0]]), problem.loss(np.array([1.0, 2.0])))
