"""The loss-surface engine on random architectures: every activation in every position and every
loss (with and without logits) against a point-by-point loop, the fused sigmoid + binary
cross-entropy head against the generic one bit for bit, chunks, threads and memory."""
import numpy as np
import pytest

import stepnn as sn
from stepnn import activations, losses
from stepnn import surface as S
from test_surface import per_point_loop as loop_grid  # the point-by-point reference

EXACT = 1e-12   # the engine runs each point's own steps (the bias inside the product): rounding only


def loop_points(model, X, y, loss, points):
    loss_fn = losses.get(loss)
    keep = model.get_flat()
    out = []
    for w in points:
        model.set_flat(w)
        out.append(loss_fn(y, model.predict(X)))
    model.set_flat(keep)
    return np.array(out)


def random_model(sizes, hidden, output, seed):
    acts = [hidden] * (len(sizes) - 2) + [output]
    return sn.Sequential([sn.Dense(n_in, n_out, act) for n_in, n_out, act in zip(sizes, sizes[1:], acts)],
                         seed=seed)


def labels_for(name, from_logits, k, n, rng):
    """(output activation, k, y) that fit a loss."""
    canonical = losses.get(name).name
    if canonical in ("mean_squared_error", "mean_absolute_error"):
        return ("tanh" if canonical == "mean_squared_error" else "linear"), k, rng.normal(size=(n, k))
    if canonical == "binary_crossentropy":
        return ("linear" if from_logits else "sigmoid"), 1, rng.integers(0, 2, size=(n, 1)).astype(float)
    if canonical == "sparse_categorical_crossentropy":
        return ("linear" if from_logits else "softmax"), k, rng.integers(0, k, size=n)
    return ("linear" if from_logits else "softmax"), k, np.eye(k)[rng.integers(0, k, size=n)]


def check_all_ways(model, X, y, loss, seed, alphas=np.linspace(-3, 3, 6), betas=np.linspace(-2, 2.5, 5)):
    """loss_grid (several chunk sizes, one and two threads) and batch_losses against the loop."""
    rng = np.random.default_rng(seed)
    center = model.get_flat()
    planes = [S.random_directions(model, seed=seed), tuple(rng.normal(size=(2, model.n_params)))]
    for d1, d2 in planes:
        expected = loop_grid(model, X, y, loss, center, d1, d2, alphas, betas)
        reference = S.loss_grid(model, X, y, loss, center, d1, d2, alphas, betas)
        np.testing.assert_allclose(reference, expected, rtol=EXACT, atol=0)
        for chunk, workers in [(1, 1), (7, 1), (7, 2), (None, 2)]:
            np.testing.assert_array_equal(
                S.loss_grid(model, X, y, loss, center, d1, d2, alphas, betas, chunk, workers), reference)
    points = center + rng.normal(size=(9, model.n_params))
    np.testing.assert_allclose(S.batch_losses(model, X, y, loss, points, chunk_size=4),
                               loop_points(model, X, y, loss, points), rtol=EXACT, atol=0)


# ------------------------------------------------------------------ against the loop

@pytest.mark.parametrize("output", activations.NAMES)
@pytest.mark.parametrize("hidden", activations.NAMES)
def test_every_activation_in_every_position_matches_the_loop(hidden, output):
    seed = activations.NAMES.index(hidden) * 10 + activations.NAMES.index(output)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(37, 3))
    y = rng.normal(size=(37, 2))
    model = random_model([3, 5, 4, 2], hidden, output, seed)
    check_all_ways(model, X, y, "mse", seed)


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("name", losses.NAMES)
def test_every_loss_matches_the_loop(name, from_logits):
    seed = losses.NAMES.index(name) + 50 * from_logits
    rng = np.random.default_rng(seed)
    output, k, y = labels_for(name, from_logits, 3, 41, rng)
    X = rng.normal(size=(41, 2))
    model = random_model([2, 6, k], "relu", output, seed)
    check_all_ways(model, X, y, losses.get(name, from_logits=from_logits), seed)


@pytest.mark.parametrize("y_kind", ["binary", "soft", "two outputs", "one class"])
def test_sigmoid_binary_crossentropy_in_all_its_forms_matches_the_loop(y_kind):
    rng = np.random.default_rng(3)
    n = 33
    y = {"binary": rng.integers(0, 2, size=(n, 1)).astype(float),
         "soft": rng.uniform(0, 1, size=(n, 1)),
         "two outputs": rng.integers(0, 2, size=(n, 2)).astype(float),
         "one class": np.ones((n, 1))}[y_kind]
    X = rng.normal(size=(n, 2))
    model = random_model([2, 8, 8, y.shape[1]], "relu", "sigmoid", 4)
    # wide axes: far out the sigmoid saturates and the probabilities are clipped
    check_all_ways(model, X, y, "bce", 5, np.linspace(-40, 40, 7), np.linspace(-25, 30, 6))


@pytest.mark.parametrize("moving", ["first layer only", "middle layer only", "last layer only",
                                    "one weight each"])
def test_planes_that_move_some_layers_only_match_the_loop(moving):
    rng = np.random.default_rng(8)
    X, y = rng.normal(size=(29, 3)), rng.integers(0, 2, size=(29, 1)).astype(float)
    model = random_model([3, 6, 5, 1], "tanh", "sigmoid", 9)
    slices = S._layer_slices(model)
    d1, d2 = rng.normal(size=(2, model.n_params))
    if moving == "one weight each":
        d1, d2 = S.weight_directions(model, "W1[2,3]", "b3[0]")
    else:
        keep = slices[{"first layer only": 0, "middle layer only": 1, "last layer only": 2}[moving]]
        mask = np.zeros(model.n_params, dtype=bool)
        mask[keep] = True
        d1, d2 = np.where(mask, d1, 0.0), np.where(mask, d2, 0.0)
    center = model.get_flat()
    alphas, betas = np.linspace(-2, 2, 5), np.linspace(-1, 3, 4)
    np.testing.assert_allclose(S.loss_grid(model, X, y, "bce", center, d1, d2, alphas, betas, chunk_size=3),
                               loop_grid(model, X, y, "bce", center, d1, d2, alphas, betas),
                               rtol=EXACT, atol=0)


def test_a_plane_that_moves_nothing_gives_the_loss_at_its_centre_everywhere():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(20, 2)), rng.integers(0, 3, size=20)
    model = random_model([2, 4, 3], "relu", "softmax", 1)
    zero = np.zeros(model.n_params)
    grid = S.loss_grid(model, X, y, "scce", model.get_flat(), zero, zero, [0.0, 1.0], [0.0, 1.0, 2.0])
    expected = loop_points(model, X, y, "scce", [model.get_flat()])[0]
    np.testing.assert_array_equal(grid, np.full((3, 2), expected))


# ------------------------------------------------------- the fused head, bit for bit

def test_fused_sigmoid_bce_head_gives_the_generic_numbers_bit_for_bit():
    rng = np.random.default_rng(0)
    n = 64
    y = rng.integers(0, 2, size=(n, 1)).astype(float)
    special = [0.0, -0.0, 1e-300, -1e-300, 16.1, -16.1, 17.0, -17.0, 36.0, -36.0, 40.0, -40.0,
               709.0, -709.0, 1e300, -1e300, np.inf, -np.inf, np.nan]
    z = rng.normal(scale=20, size=(5, 1, n))
    z[0, 0, :len(special)] = special
    z[1, 0, -len(special):] = special[::-1]
    z[2] *= 1e-3
    sigmoid, bce = activations.get("sigmoid"), losses.get("bce")
    with np.errstate(all="ignore"):
        got = S._head(sigmoid, bce, y)(z.copy(), S._Workspace())
        per_point = np.array([np.mean(bce.per_sample(y, sigmoid(zp.T))) for zp in z])  # no checks: NaN stays
        mean_loss = S._mean_loss(bce, y, sigmoid(np.ascontiguousarray(z.transpose(0, 2, 1))))
    np.testing.assert_array_equal(got, per_point)
    np.testing.assert_array_equal(got, mean_loss)
    assert np.isnan(got[:2]).all() and np.isfinite(got[2:]).all()


def test_fused_head_is_used_only_where_it_is_exact():
    y01 = np.array([[0.0], [1.0], [1.0]])
    sigmoid = activations.get("sigmoid")
    fused = S._fuses_sigmoid_bce

    assert fused(sigmoid, losses.get("bce"), y01)
    assert not fused(sigmoid, losses.get("bce"), np.array([[0.0], [0.5], [1.0]]))     # soft labels
    assert not fused(sigmoid, losses.get("bce"), np.hstack([y01, y01]))              # two outputs
    assert not fused(sigmoid, losses.get("bce", from_logits=True), y01)
    assert not fused(activations.get("tanh"), losses.get("bce"), y01)
    assert not fused(sigmoid, losses.get("mse"), y01)


# ---------------------------------------------------------------- chunks and memory

def test_chunks_respect_the_budget_for_weights_as_well_as_activations():
    wide = random_model([40, 64, 64, 1], "relu", "sigmoid", 0)   # few samples, many weights
    chunk = S._chunk_size(wide, 3, None)
    assert chunk * 64 * 41 <= S.MEMORY_BUDGET and chunk * 3 * 65 <= S.MEMORY_BUDGET
    narrow = random_model([2, 8, 8, 1], "relu", "sigmoid", 0)
    assert S._chunk_size(narrow, 200, None) == S.MEMORY_BUDGET // (200 * 9)
    assert S._chunk_size(narrow, 10 ** 7, None) == 1        # one point needs more: one at a time
    assert S._chunk_size(narrow, 200, 13) == 13


def test_workspace_reuses_its_arrays_and_keeps_the_ones_row():
    ws = S._Workspace()
    a = ws.array("h", (5, 3, 4), ones_row=True)
    assert np.all(a[:, -1] == 1.0)
    a[:, :-1] = 7.0
    b = ws.array("h", (2, 3, 4), ones_row=True)            # a smaller chunk: the same memory
    assert np.shares_memory(a, b) and b.shape == (2, 3, 4) and np.all(b[:, -1] == 1.0)
    c = ws.array("h", (6, 3, 4), ones_row=True)            # a larger one: new memory
    assert not np.shares_memory(a, c) and np.all(c[:, -1] == 1.0)
