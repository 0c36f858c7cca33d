"""The loss surface: the engine (stepnn.surface) against a point-by-point loop, the directions, the
projection, and the SurfaceView drawn from a trainer."""
import tracemalloc
import warnings

import matplotlib
import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent
from matplotlib.figure import Figure
from matplotlib.backends.backend_agg import FigureCanvasAgg

import stepnn as sn
from stepnn import surface as S

EXACT = 1e-12       # the grid runs each point's own steps (bias inside the product), so values agree to rounding
COORDS = 1e-10      # plane coordinates recovered by least squares


def per_point_loop(model, X, y, loss, center, d1, d2, alphas, betas):
    """The reference: set the weights at every grid point, predict, take the loss (model restored)."""
    loss_fn = sn.losses.get(loss)
    keep = model.get_flat()
    out = np.empty((len(betas), len(alphas)))
    for r, b in enumerate(betas):
        for c, a in enumerate(alphas):
            model.set_flat(center + a * d1 + b * d2)
            out[r, c] = loss_fn(y, model.predict(X))
    model.set_flat(keep)
    return out


def loss_at(model, X, y, loss, w):
    keep = model.get_flat()
    model.set_flat(w)
    value = sn.losses.get(loss)(y, model.predict(X))
    model.set_flat(keep)
    return value


# name: (data, layers, loss)
CASES = {
    "relu-sigmoid-bce": (lambda: sn.datasets.xor(60, seed=1),
                         lambda: [sn.Dense(2, 8, "relu"), sn.Dense(8, 8, "relu"), sn.Dense(8, 1, "sigmoid")],
                         "binary_crossentropy"),
    "tanh-sigmoid-bce": (lambda: sn.datasets.circle(50, seed=2),
                         lambda: [sn.Dense(2, 5, "tanh"), sn.Dense(5, 1, "sigmoid")], "bce"),
    "softmax-sparse-cce": (lambda: sn.datasets.iris(),
                           lambda: [sn.Dense(4, 6, "leaky_relu"), sn.Dense(6, 3, "softmax")],
                           "sparse_categorical_crossentropy"),
    "softmax-cce-onehot": (lambda: (sn.datasets.iris()[0], sn.datasets.to_one_hot(sn.datasets.iris()[1], 3)),
                           lambda: [sn.Dense(4, 3, "softmax")], "categorical_crossentropy"),
    "sigmoid-linear-mse": (lambda: sn.datasets.sine(40, seed=3),
                           lambda: [sn.Dense(1, 6, "sigmoid"), sn.Dense(6, 1, "linear")], "mse"),
    "tanh-linear-mae": (lambda: sn.datasets.sine(40, seed=4),
                        lambda: [sn.Dense(1, 4, "tanh"), sn.Dense(4, 4, "relu"), sn.Dense(4, 1)], "mae"),
}


def build(case, seed=0):
    data, layers, loss = CASES[case]
    X, y = data()
    return sn.Sequential(layers(), seed=seed), X, y, loss


def directions_of(kind, model):
    if kind == "random":
        return S.random_directions(model, seed=5)
    if kind == "first-two":
        return S.weight_directions(model, 0, 1)
    if kind == "output-layer":  # only the last layer moves: the earlier ones are shared by every point
        return S.weight_directions(model, model.n_params - 1, model.n_params - 2)
    rng = np.random.default_rng(7)  # "dense": two arbitrary directions, every weight moves
    return rng.normal(size=model.n_params), rng.normal(size=model.n_params)


# ----------------------------------------------------------------------------- the engine

@pytest.mark.parametrize("kind", ["random", "first-two", "output-layer", "dense"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_grid_equals_the_point_by_point_loop(case, kind):
    model, X, y, loss = build(case)
    d1, d2 = directions_of(kind, model)
    center = model.get_flat()
    alphas, betas = np.linspace(-1.5, 2.0, 6), np.linspace(-1.0, 1.0, 5)
    grid = S.loss_grid(model, X, y, loss, center, d1, d2, alphas, betas)
    assert grid.shape == (5, 6)
    np.testing.assert_allclose(grid, per_point_loop(model, X, y, loss, center, d1, d2, alphas, betas),
                               rtol=EXACT, atol=0)
    np.testing.assert_array_equal(model.get_flat(), center)  # the model is left as it was


def test_chunk_size_and_threads_do_not_change_the_numbers():
    model, X, y, loss = build("relu-sigmoid-bce")
    d1, d2 = S.random_directions(model, seed=1)
    axis = np.linspace(-1, 1, 23)
    args = (model, X, y, loss, model.get_flat(), d1, d2, axis, axis)
    reference = S.loss_grid(*args, chunk_size=1, workers=1)
    for chunk, workers in [(7, 1), (7, 2), (100, 3), (10 ** 6, 2), (None, None)]:
        np.testing.assert_array_equal(S.loss_grid(*args, chunk_size=chunk, workers=workers), reference)


def test_chunks_bound_the_memory_in_use():
    model, X, y, loss = build("relu-sigmoid-bce")
    X = np.repeat(X, 4, axis=0)[:200]
    y = np.repeat(y, 4)[:200]
    d1, d2 = S.random_directions(model, seed=1)
    axis = np.linspace(-1, 1, 101)
    chunk = S._chunk_size(model, len(X), None)
    assert chunk * len(X) * max(model.sizes) <= S.MEMORY_BUDGET
    unchunked = axis.size ** 2 * len(X) * max(model.sizes) * 8  # bytes of one activation array
    tracemalloc.start()
    S.loss_grid(model, X, y, loss, model.get_flat(), d1, d2, axis, axis)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # a few arrays of one chunk per thread, plus the (n_points,) results: far below one full array
    assert peak < 16 * S.MEMORY_BUDGET * 8 * S.WORKERS + 4 * axis.size ** 2 * 8 < unchunked / 4


def test_batch_losses_equal_the_loop_at_any_points():
    model, X, y, loss = build("softmax-sparse-cce")
    rng = np.random.default_rng(3)
    points = model.get_flat() + 0.5 * rng.normal(size=(9, model.n_params))
    points[4] = points[3]  # repeated rows are fine
    expected = [loss_at(model, X, y, loss, w) for w in points]
    np.testing.assert_allclose(S.batch_losses(model, X, y, loss, points), expected, rtol=EXACT, atol=0)
    same_first_layer = points.copy()
    same_first_layer[:, :model.layers[0].W.size + model.layers[0].b.size] = points[0, :30]
    expected = [loss_at(model, X, y, loss, w) for w in same_first_layer]
    np.testing.assert_allclose(S.batch_losses(model, X, y, loss, same_first_layer, chunk_size=2), expected,
                               rtol=EXACT, atol=0)


def test_huge_weights_give_inf_or_large_losses_not_errors():
    model, X, y, loss = build("sigmoid-linear-mse")
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no overflow warnings either
        output_bias = model.n_params - 1   # a linear output: its bias is the prediction's offset
        grid = S.loss_grid(model, X, y, loss, model.get_flat(),
                           *S.weight_directions(model, output_bias, output_bias - 1),
                           [1e150, 2e150], [1e150, 3e200])
    assert grid.shape == (2, 2)
    assert np.all(~np.isfinite(grid) | (grid > 1e100))


# --------------------------------------------------------------------------- directions

def test_weight_names_and_indices():
    model = sn.Sequential([sn.Dense(2, 3, "relu"), sn.Dense(3, 1, "sigmoid")])
    labels = S.param_labels(model)
    assert len(labels) == model.n_params == 13
    assert labels[:4] == ["W1[0,0]", "W1[0,1]", "W1[0,2]", "W1[1,0]"]
    assert labels[6:9] == ["b1[0]", "b1[1]", "b1[2]"] and labels[-1] == "b2[0]"
    assert S.param_label(model, 1) == "W1[0,1]"
    assert S.param_index(model, "W2[2,0]") == 11 and S.param_index(model, " b2[0] ") == 12
    # the names follow model.get_flat(): entry W1[1,2] is layers[0].W[1, 2]
    assert model.get_flat()[S.param_index(model, "W1[1,2]")] == model.layers[0].W[1, 2]


def test_weight_directions_are_unit_vectors_and_plane_puts_the_weights_exactly_there():
    model = sn.Sequential([sn.Dense(2, 3, "relu"), sn.Dense(3, 1, "sigmoid")], seed=4)
    d1, d2 = S.weight_directions(model, "W1[0,2]", 7)
    assert d1.sum() == d2.sum() == 1 and d1[2] == 1 and d2[7] == 1
    plane = S.weight_plane(model, 2, 7)
    w = plane.point(0.3, -1.7)
    expected = model.get_flat()
    expected[[2, 7]] = 0.3, -1.7
    np.testing.assert_array_equal(w, expected)
    assert plane.labels == ("W1[0,2]", "b1[1]") and "weights" in repr(plane)


@pytest.mark.parametrize("i, j, error, words", [
    (0, 0, ValueError, "must differ"),
    (0, 13, ValueError, "out of range"),
    (-1, 2, ValueError, "out of range"),
    (1.5, 2, TypeError, "whole number"),
    ("W3[0,0]", 1, ValueError, "no weight named"),
])
def test_bad_weight_choices_are_refused(i, j, error, words):
    model = sn.Sequential([sn.Dense(2, 3, "relu"), sn.Dense(3, 1, "sigmoid")])
    with pytest.raises(error, match=words):
        S.weight_directions(model, i, j)


@pytest.mark.parametrize("seed, error, words", [
    (-1, ValueError, "seed must be a whole number >= 0"),  # was numpy's own words
    (1.5, TypeError, "seed must be a whole number"),
])
def test_bad_seeds_for_random_directions_are_refused_in_the_package_words(seed, error, words):
    model = sn.Sequential([sn.Dense(2, 3, "relu"), sn.Dense(3, 1, "sigmoid")])
    with pytest.raises(error, match=words):
        S.random_directions(model, seed=seed)


def test_random_directions_are_filter_normalised():
    model = sn.Sequential([sn.Dense(2, 8, "relu"), sn.Dense(8, 8, "relu"), sn.Dense(8, 1, "sigmoid")], seed=3)
    d1, d2 = S.random_directions(model, seed=11)
    for d in (d1, d2):
        parts = model.unflatten(d)
        for layer, (dW, db) in zip(model.layers, zip(parts[::2], parts[1::2])):
            np.testing.assert_allclose(np.linalg.norm(dW, axis=0), np.linalg.norm(layer.W, axis=0), rtol=1e-12)
            assert np.all(db == 0)
    again = S.random_directions(model, seed=11)
    np.testing.assert_array_equal(again[0], d1)
    assert not np.allclose(S.random_directions(model, seed=12)[0], d1)
    assert not np.allclose(d1, d2)
    plane = S.random_plane(model, seed=11)
    np.testing.assert_array_equal(plane.center, model.get_flat())


def test_projection_recovers_known_coordinates():
    rng = np.random.default_rng(0)
    center = rng.normal(size=20)
    d1, d2 = rng.normal(size=20), rng.normal(size=20)   # not orthogonal, not unit
    coords = rng.uniform(-3, 3, size=(15, 2))
    path = center + coords[:, :1] * d1 + coords[:, 1:] * d2
    np.testing.assert_allclose(S.project(path, center, d1, d2), coords, atol=COORDS)
    # a component orthogonal to the plane does not move the least-squares coordinates
    basis = np.linalg.qr(np.column_stack([d1, d2, rng.normal(size=20)]))[0]
    off = path + 5.0 * basis[:, 2]
    np.testing.assert_allclose(S.project(off, center, d1, d2), coords, atol=COORDS)
    with pytest.raises(ValueError, match="parallel"):
        S.project(path, center, d1, 2 * d1)
    with pytest.raises(ValueError, match="same n_params"):
        S.project(path[:, :5], center, d1, d2)


def test_pca_of_a_path_in_a_known_plane():
    rng = np.random.default_rng(1)
    u, v = np.linalg.qr(rng.normal(size=(12, 2)))[0].T
    a, b = rng.normal(size=30) * 3, rng.normal(size=30)
    H = 0.5 + a[:, None] * u + b[:, None] * v
    d1, d2, ratio = S.pca_directions(H)
    assert np.isclose(ratio.sum(), 1.0) and ratio[0] >= ratio[1] >= 0
    np.testing.assert_allclose([d1 @ d1, d2 @ d2, d1 @ d2], [1, 0 + 1, 0], atol=1e-12)
    plane = S.pca_plane(H)
    np.testing.assert_array_equal(plane.center, H[-1])
    back = plane.point(*plane.project(H).T)
    np.testing.assert_allclose(back, H, atol=1e-10)        # the plane holds the whole path


def test_pca_ratios_match_the_covariance_eigenvalues_of_a_training_path():
    model = sn.Sequential([sn.Dense(2, 4, "tanh"), sn.Dense(4, 1, "sigmoid")], seed=0)
    X, y = sn.datasets.xor(100, seed=0)
    tr = sn.Trainer(model, X, y, loss="bce", learning_rate=0.3, batch_size=10)
    for _ in range(40):
        tr.step()
    H = tr.history.weights
    d1, d2, ratio = S.pca_directions(H)
    eig = np.sort(np.linalg.eigvalsh(np.cov((H - H[-1]).T)))[::-1]
    np.testing.assert_allclose(ratio, eig[:2] / eig.sum(), rtol=1e-9)
    assert np.all((0 <= ratio) & (ratio <= 1)) and ratio.sum() <= 1
    for d in (d1, d2):
        assert d[np.argmax(np.abs(d))] > 0   # the sign convention


@pytest.mark.parametrize("rows, words", [(np.zeros((1, 5)), "at least 2 rows"),
                                         (np.ones((4, 5)), "does not move"),
                                         (np.array([[0.0, 1.0], [np.nan, 2.0], [1, 1]]), "NaN or inf")])
def test_pca_refuses_paths_without_a_plane(rows, words):
    with pytest.raises(ValueError, match=words):
        S.pca_directions(rows)


def test_path_losses_true_and_on_plane():
    model, X, y, loss = build("tanh-sigmoid-bce")
    tr = sn.Trainer(model, X, y, loss=loss, learning_rate=0.5, batch_size=10)
    for _ in range(12):
        tr.step()
    H = tr.history.weights
    plane = S.pca_plane(H)
    coords, true, on_plane = S.path_losses(model, X, y, loss, plane, H)
    np.testing.assert_allclose(true, [loss_at(model, X, y, loss, w) for w in H], rtol=EXACT, atol=0)
    expected = [loss_at(model, X, y, loss, plane.point(a, b)) for a, b in coords]
    np.testing.assert_allclose(on_plane, expected, rtol=EXACT, atol=0)
    # the final weights are the plane's centre, so there the two agree exactly
    assert true[-1] == on_plane[-1] and np.allclose(coords[-1], 0, atol=COORDS)


@pytest.mark.parametrize("alphas, betas, words", [
    ([0.0], [0.0, 1.0], "at least 2"),
    (np.zeros((2, 2)), [0.0, 1.0], "1-D"),
    ([0.0, np.nan], [0.0, 1.0], "NaN or inf"),
    (np.linspace(0, 1, 1001), np.linspace(0, 1, 1001), "too large"),
])
def test_bad_grids_are_refused(alphas, betas, words):
    model, X, y, loss = build("tanh-sigmoid-bce")
    d1, d2 = S.weight_directions(model, 0, 1)
    with pytest.raises(ValueError, match=words):
        S.loss_grid(model, X, y, loss, model.get_flat(), d1, d2, alphas, betas)


def test_bad_vectors_data_and_chunks_are_refused():
    model, X, y, loss = build("tanh-sigmoid-bce")
    d1, d2 = S.weight_directions(model, 0, 1)
    c, axis = model.get_flat(), [0.0, 1.0]
    with pytest.raises(ValueError, match=r"shape \(21,\)"):
        S.loss_grid(model, X, y, loss, c[:-1], d1, d2, axis, axis)
    bad = c.copy()
    bad[3] = np.inf
    with pytest.raises(ValueError, match="NaN or inf"):
        S.loss_grid(model, X, y, loss, bad, d1, d2, axis, axis)
    with pytest.raises(ValueError, match="must match"):
        S.loss_grid(model, X, y[:-1], loss, c, d1, d2, axis, axis)
    with pytest.raises(ValueError, match="chunk_size"):
        S.loss_grid(model, X, y, loss, c, d1, d2, axis, axis, chunk_size=0)
    with pytest.raises(ValueError, match="Could not interpret loss"):
        S.loss_grid(model, X, y, "hinge", c, d1, d2, axis, axis)
    with pytest.raises(ValueError, match=r"\(n_points, 21\)"):
        S.batch_losses(model, X, y, loss, np.zeros((3, 4)))


def test_surface_record_and_repr():
    model, X, y, loss = build("tanh-sigmoid-bce")
    plane = S.weight_plane(model, 0, 1)
    alphas, betas = np.linspace(-2, 2, 9), np.linspace(-3, 3, 7)
    surf = S.surface(model, X, y, loss, plane, alphas, betas)
    np.testing.assert_array_equal(surf.values, S.loss_grid(model, X, y, loss, plane.center, plane.d1,
                                                            plane.d2, alphas, betas))
    a, b, low = surf.minimum
    r, c = np.unravel_index(np.argmin(surf.values), surf.values.shape)
    assert (a, b, low) == (alphas[c], betas[r], surf.values[r, c])
    text = repr(surf)
    assert "7 x 9 grid" in text and "W1[0,0] in [-2, 2]" in text


# ----------------------------------------------------------------------------- the view

def xor_trainer(lr=0.3, batch_size=10, seed=0):
    X, y = sn.datasets.xor(80, seed=0)
    model = sn.Sequential([sn.Dense(2, 3, "tanh"), sn.Dense(3, 1, "sigmoid")], seed=seed)
    return sn.Trainer(model, X, y, loss="binary_crossentropy", learning_rate=lr, batch_size=batch_size)


def new_axes(figsize=(5, 4)):
    fig = Figure(figsize=figsize, dpi=80)
    FigureCanvasAgg(fig)
    return fig, fig.add_axes([0.12, 0.12, 0.8, 0.72])


def click(ax, x, y, button=1):
    fig = ax.figure
    fig.canvas.draw()
    px, py = ax.transData.transform((x, y))
    event = MouseEvent("button_press_event", fig.canvas, px, py, button=button)
    fig.canvas.callbacks.process("button_press_event", event)


def pixel_width(ax):
    """The size of one pixel in data units along x and y."""
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([(0, 0), (1, 1)])
    return abs(x1 - x0), abs(y1 - y0)


def grid_of(view, trainer):
    """The loss over the view's plane and grid, computed here from the plane's own vectors."""
    s = view.surface
    return S.loss_grid(trainer.model, trainer.X, trainer.y, trainer.loss_fn, s.plane.center, s.plane.d1,
                       s.plane.d2, s.alphas, s.betas)


def test_weights_view_draws_the_loss_over_two_weights_and_the_path():
    from stepnn.views.surface import SurfaceView
    tr = xor_trainer()
    fig, ax = new_axes()
    view = SurfaceView(ax, tr, params=("W1[0,0]", "W2[1,0]"), resolution=15)
    i, j = S.param_index(tr.model, "W1[0,0]"), S.param_index(tr.model, "W2[1,0]")
    s = view.surface
    assert s.values.shape == (15, 15) and view.params == ("W1[0,0]", "W2[1,0]")
    # the surface is the loss over the two weights, the others at their current values
    start = tr.model.get_flat()
    w = start.copy()
    w[[i, j]] = s.alphas[4], s.betas[9]
    assert s.values[9, 4] == pytest.approx(loss_at(tr.model, tr.X, tr.y, tr.loss_fn, w), rel=EXACT)
    np.testing.assert_array_equal(s.values, grid_of(view, tr))
    filled = view.contours[0]   # drawn from these very values
    assert (filled.zmin, filled.zmax) == (s.values.min(), s.values.max())
    assert filled.levels[0] == s.values.min()
    assert ax.get_xlim() == (s.alphas[0], s.alphas[-1]) and ax.get_ylim() == (s.betas[0], s.betas[-1])
    for _ in range(5):
        tr.step()
        view.update(tr)
    H = tr.history.weights
    np.testing.assert_array_equal(view.path_line.get_xydata(), H[:, [i, j]])
    np.testing.assert_array_equal(view.point.get_xydata(), H[-1:, [i, j]])
    np.testing.assert_array_equal(view.start_marker.get_xydata(), H[:1, [i, j]])
    assert "W1[0,0] × W2[1,0]" in view.title.get_text() and "the other weights as after iteration" in view.title.get_text()


def test_weights_view_recomputes_every_k_iterations_when_the_other_weights_moved():
    from stepnn.views.surface import SurfaceView
    tr = xor_trainer()
    fig, ax = new_axes()
    view = SurfaceView(ax, tr, resolution=9, refresh_every=3)
    first = view.surface
    for _ in range(2):
        tr.step()
        view.update(tr)
    assert view.surface is first and "iteration 0" in view.title.get_text()
    tr.step()
    view.update(tr)
    assert view.surface is not first and "iteration 3" in view.title.get_text()
    others = tr.model.get_flat()
    others[[0, 1]] = 0.0
    np.testing.assert_array_equal(view.plane.center, others)   # the other weights as they are now
    np.testing.assert_array_equal(view.surface.values, grid_of(view, tr))
    kept = view.surface
    view.refresh()                                   # on demand
    assert view.surface is not kept
    tr.reset()
    view.update(tr)                                  # went back in time: recomputed at once
    assert view._refreshed_at == 0 and len(view.path_line.get_xdata()) == 1


def test_the_colours_keep_their_losses_while_the_plane_stays():
    from stepnn.views.surface import SurfaceView, contour_levels
    tr = xor_trainer()
    fig, ax = new_axes()
    view = SurfaceView(ax, tr, resolution=9, refresh_every=3)
    first = view.contours[0].levels.copy()
    np.testing.assert_array_equal(first, contour_levels(view.surface.values))
    refreshes = 0
    for _ in range(12):
        before = view.surface
        tr.step()
        view.update(tr)
        refreshes += view.surface is not before
        own = contour_levels(view.surface.values)     # what this refresh alone would choose
        drawn = view.contours[0].levels
        assert drawn[-1] == first[-1]                 # the top colour: the same loss as at first
        assert drawn[0] == min(first[0], drawn[0]) and drawn[0] <= own[0]   # only ever widened down
    assert refreshes >= 3 and not np.array_equal(own, first)   # the refreshes alone would differ
    view.set_params("W1[1,0]", "W2[0,0]")                       # another plane: its own colours
    np.testing.assert_array_equal(view.contours[0].levels, contour_levels(view.surface.values))


def test_the_colours_are_chosen_afresh_only_when_the_loss_sank_out_of_them():
    from stepnn.views.surface import SurfaceView, contour_levels
    fig, ax = new_axes()
    view = SurfaceView(ax, xor_trainer(), resolution=5)
    key = ("a plane",)
    first = view._levels_for(np.linspace(1.0, 3.0, 100), key).copy()
    kept = view._levels_for(np.linspace(1.5, 2.5, 100), key)              # uses most of the colours
    np.testing.assert_array_equal(kept, first)
    lower = view._levels_for(np.linspace(0.5, 2.5, 100), key)             # a lower loss: widened down
    assert lower[0] == 0.5 and lower[-1] == first[-1]
    sunk = np.linspace(0.1, 0.3, 100)                                      # far below: afresh
    np.testing.assert_array_equal(view._levels_for(sunk, key), contour_levels(sunk))


def test_a_new_start_or_another_trainer_recomputes_at_once():
    from stepnn.views.surface import SurfaceView
    tr = xor_trainer()
    fig, ax = new_axes()
    view = SurfaceView(ax, tr, resolution=7, refresh_every=50)
    tr.reset(seed=5)                 # new starting weights, still at iteration 0
    view.update(tr)
    others = tr.model.get_flat()
    others[[0, 1]] = 0.0
    np.testing.assert_array_equal(view.plane.center, others)
    np.testing.assert_array_equal(view.surface.values, grid_of(view, tr))
    bigger = sn.Trainer(sn.Sequential([sn.Dense(2, 6, "relu"), sn.Dense(6, 1, "sigmoid")], seed=1),
                        tr.X, tr.y, loss="bce")
    view.update(bigger)
    assert view.trainer is bigger and view.plane.center.shape == (bigger.model.n_params,)
    np.testing.assert_array_equal(view.surface.values, grid_of(view, bigger))


def test_a_click_reports_the_weights_and_the_controller_moves_there():
    from stepnn.views.surface import SurfaceView
    from stepnn.widgets.controller import move_to
    tr = xor_trainer()
    fig, ax = new_axes()
    calls = []

    def on_pick(view, weights):
        before = tr.model.get_flat()
        calls.append(view)
        assert tr.model.get_flat().tolist() == before.tolist()  # the view changed nothing
        move_to(tr, weights)
        view.update(tr)

    view = SurfaceView(ax, tr, params=(1, 4), resolution=9, on_pick=on_pick)
    for _ in range(3):
        tr.step()
        view.update(tr)
    others = tr.model.get_flat()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    x, y = x0 + 0.3 * (x1 - x0), y0 + 0.8 * (y1 - y0)
    click(ax, x, y)
    w = tr.model.get_flat()
    px, py = pixel_width(ax)
    assert abs(w[1] - x) <= px and abs(w[4] - y) <= py
    np.testing.assert_array_equal(np.delete(w, [1, 4]), np.delete(others, [1, 4]))
    assert calls == [view]
    # the path starts again at the clicked point
    np.testing.assert_array_equal(view.path_line.get_xydata(), [[w[1], w[4]]])
    click(ax, x, y, button=3)          # right button: nothing
    click(ax, x1 + 10 * (x1 - x0), y)  # outside the axes: nothing
    assert len(calls) == 1


def test_moving_mid_iteration_undoes_back_to_the_iteration_boundary():
    from stepnn.views.surface import SurfaceView
    from stepnn.widgets.controller import move_to
    tr = xor_trainer()
    fig, ax = new_axes()
    picked = []
    view = SurfaceView(ax, tr, resolution=9, on_pick=lambda v, w: picked.append(w))
    tr.step()
    boundary = tr.model.get_flat()
    tr.forward()
    tr.loss()
    tr.backward()
    assert tr.next_phase == "update"
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    click(ax, (x0 + x1) / 2, (y0 + y1) / 2)
    assert tr.next_phase == "update"  # the view only reported the weights
    assert move_to(tr, picked[0])
    assert tr.next_phase == "forward" and tr.global_iteration == 1
    w = tr.model.get_flat()
    np.testing.assert_array_equal(w[2:], boundary[2:])
    assert abs(w[0] - (x0 + x1) / 2) <= pixel_width(ax)[0]


def test_set_params_switches_the_two_weights():
    from stepnn.views.surface import SurfaceView
    tr = xor_trainer()
    fig, ax = new_axes()
    view = SurfaceView(ax, tr, resolution=7)
    assert view.params == ("W1[0,0]", "W1[0,1]")
    view.set_params("b1[2]", "W2[0,0]")
    assert view.params == ("b1[2]", "W2[0,0]") and ax.get_xlabel() == "b1[2]"
    np.testing.assert_array_equal(view.surface.values, grid_of(view, tr))
    with pytest.raises(ValueError, match="must differ"):
        view.set_params(3, 3)
    assert view.params == ("b1[2]", "W2[0,0]")
    with pytest.raises(ValueError, match="directions"):
        SurfaceView(ax, tr, directions="random")


def test_pca_view_waits_for_a_path_then_shows_the_plane_and_the_path_losses():
    from stepnn.views.surface import SurfaceView
    tr = xor_trainer()
    fig, ax = new_axes()
    view = SurfaceView(ax, tr, directions="pca", resolution=11, refresh_every=4)
    assert view.surface is None and "run at least 2 iterations" in view.note.get_text()
    for _ in range(6):
        tr.step()
        view.update(tr)
    H = tr.history.weights
    plane = view.plane
    assert view.surface is not None and not view.note.get_visible()
    np.testing.assert_array_equal(view.path_line.get_xydata(), plane.project(H))
    np.testing.assert_array_equal(view.surface.values, grid_of(view, tr))
    r1, r2 = plane.explained
    assert f"PC1 {r1:.0%} + PC2 {r2:.0%}" in view.title.get_text()
    # first plane at iteration 2 (3 rows), recomputed 4 iterations later: the path up to iteration 6
    assert view._refreshed_at == 6
    d1, d2, ratio = S.pca_directions(H[:7])
    np.testing.assert_allclose(plane.explained, ratio)
    true = [loss_at(tr.model, tr.X, tr.y, tr.loss_fn, w) for w in H]
    np.testing.assert_allclose(view.true_line.get_ydata(), true, rtol=EXACT)
    on_plane = [loss_at(tr.model, tr.X, tr.y, tr.loss_fn, plane.point(a, b)) for a, b in plane.project(H)]
    np.testing.assert_allclose(view.plane_line.get_ydata(), on_plane, rtol=EXACT)
    np.testing.assert_array_equal(view.true_line.get_xdata(), np.arange(len(H)))


def diverging_trainer():
    X, y = sn.datasets.sine(40, seed=0)
    model = sn.Sequential([sn.Dense(1, 4, "linear"), sn.Dense(4, 1, "linear")], seed=0)
    tr = sn.Trainer(model, X, y, loss="mse", learning_rate=5.0, batch_size=40)
    return tr


@pytest.mark.parametrize("directions", ["weights", "pca"])
def test_a_diverging_run_is_a_message_not_a_crash(directions):
    from stepnn.views.surface import SurfaceView
    tr = diverging_trainer()
    fig, ax = new_axes()
    view = SurfaceView(ax, tr, directions=directions, resolution=7, refresh_every=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(60):
            tr.step()
            view.update(tr)
            if tr.diverged:
                break
        assert tr.diverged and not np.all(np.isfinite(tr.model.get_flat()))
        for _ in range(2):  # past the divergence: NaN weights everywhere
            tr.step()
            view.update(tr)
        fig.canvas.draw()
    assert view.note.get_visible() and "diverged" in view.note.get_text()
    assert np.all(np.isfinite(view.path_line.get_xydata()))
    (x0, x1), (y0, y1) = view.window if view.window is not None else ((0, 1), (0, 1))
    assert np.all(np.isfinite([x0, x1, y0, y1]))
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    click(ax, (x0 + x1) / 2, (y0 + y1) / 2)        # clicking cannot make NaN weights finite
    assert view.note.get_visible()


def test_korean_labels_render_without_missing_glyphs():
    from stepnn.views import use_language
    from stepnn.views.surface import SurfaceView
    tr = xor_trainer()
    with warnings.catch_warnings(), matplotlib.rc_context():
        warnings.simplefilter("error")
        use_language("ko")
        for directions in ("weights", "pca"):
            fig, ax = new_axes()
            view = SurfaceView(ax, tr, directions=directions, resolution=7, lang="ko")
            if directions == "pca":
                for _ in range(3):
                    tr.step()
                view.update(tr)
            fig.canvas.draw()
            assert "손실 곡면" in view.title.get_text()
        view.show_note(view.p("surface.diverged"))
        fig.canvas.draw()


def test_pca_path_chart_keeps_its_range_while_the_losses_fit_in_it():
    """The path's loss chart changes its y range (which redraws the whole figure) only when a
    loss leaves it, while the plane stays; the range always holds every loss shown."""
    from stepnn.views.surface import SurfaceView
    tr = xor_trainer()
    fig, ax = new_axes()
    view = SurfaceView(ax, tr, directions="pca", resolution=11, refresh_every=50)
    changes = 0
    for _ in range(30):
        tr.step()
        before = view.path_ax.get_ylim()
        plane = view.plane
        view.update(tr)
        losses = np.concatenate([view.true_line.get_ydata(), view.plane_line.get_ydata()])
        if not len(losses):   # no plane yet
            continue
        low, high = view.path_ax.get_ylim()
        assert low <= losses.min() and losses.max() <= high
        if plane is not None and plane is view.plane and view.path_ax.get_ylim() != before:
            changes += 1
            assert not (before[0] <= losses.min() and losses.max() <= before[1])   # only when left
    assert changes <= 5
