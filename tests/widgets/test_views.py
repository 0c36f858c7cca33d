"""The StepThrough views, one by one, on Agg figures: every artist's data is checked against
numbers computed here from the trainer's weights and data (plain numpy), not read back from the view."""
import io
import warnings

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

import stepnn as sn
from stepnn.views import export, korean_font
from stepnn.views.boundary import BoundaryView, class_colors
from stepnn.views.curves import LearningCurveView, epoch_ends, nice_ceiling
from stepnn.views.heatmaps import ActivationHeatmaps, GradientHeatmaps
from stepnn.views.style import SIGN_CMAP
from stepnn.views.network import MAX_WIDTH, MIN_WIDTH, NEGATIVE, POSITIVE, NetworkView, stage
from stepnn.widgets.controller import guarded_step
from stepnn.widgets.stepthrough import VIEW_NAMES, StepThrough, build_views, view_figsize

def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


ACTIVATION = {"tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "linear": lambda z: z,
              "relu": lambda z: np.maximum(z, 0), "softmax": softmax}
PIXEL_TOLERANCE = 3  # of 255: blending rounding between a pasted bitmap and a drawn glyph


# ------------------------------------------------------------------------------------ helpers
def make_trainer(data="xor", hidden=(4, 2), activation="tanh", output="sigmoid", loss="binary_crossentropy",
                 n=None, one_hot=False, **kw) -> sn.Trainer:
    """A small trainer on one of the course's data sets."""
    X, y = sn.datasets.load(data) if data == "iris" else sn.datasets.load(data, **({"n": n} if n else {}))
    if one_hot:
        y = sn.datasets.to_one_hot(y)
    n_out = {"softmax": int(np.max(sn.datasets.to_labels(y) if one_hot else y)) + 1}.get(output, 1)
    sizes = [X.shape[1], *hidden, n_out]
    layers = [sn.Dense(a, b, activation=activation) for a, b in zip(sizes[:-2], sizes[1:-1])]
    model = sn.Sequential(layers + [sn.Dense(sizes[-2], sizes[-1], activation=output)], seed=0)
    kw.setdefault("learning_rate", 0.3)
    kw.setdefault("batch_size", 16)
    return sn.Trainer(model, X, y, loss=loss, **kw)


def agg_axes(n=1, size=(6, 4)):
    fig = Figure(figsize=size, dpi=60)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, n) if n > 1 else fig.add_subplot()
    return fig, axes


def numpy_forward(trainer_or_model, X):
    """Activations of every layer for X (n, n_in), computed here with numpy."""
    out, a = [], np.asarray(X, dtype=float)
    for layer in getattr(trainer_or_model, "model", trainer_or_model).layers:
        a = ACTIVATION[layer.activation.name](a @ layer.W + layer.b)
        out.append(a)
    return out


def phases(trainer, *names):
    for name in names:
        getattr(trainer, name)()


# ------------------------------------------------------------------------------ network view
def test_neurons_are_coloured_by_the_chosen_samples_activations():
    tr = make_trainer()
    fig, ax = agg_axes()
    view = NetworkView(ax, tr, sample=3)
    tr.forward()
    view.update(tr)
    row = tr.last_forward.indices[3]
    expected = np.concatenate([tr.X[row]] + [a[0] for a in numpy_forward(tr, tr.X[[row]])])
    np.testing.assert_allclose(view.neurons.get_array(), expected, rtol=1e-12)
    fig.canvas.draw()
    colours = matplotlib.colormaps[SIGN_CMAP]((np.clip(expected, -1, 1) + 1) / 2)
    np.testing.assert_allclose(view.neurons.get_facecolors(), colours, atol=1e-6)
    assert view.sample_text.get_text().endswith("#3")   # the Sample slider's number, not the row


def test_before_forward_only_the_inputs_have_values():
    tr = make_trainer()
    fig, ax = agg_axes()
    view = NetworkView(ax, tr)
    values = np.ma.filled(view.neurons.get_array().astype(float), np.nan)  # NaN comes back masked
    np.testing.assert_array_equal(values[:2], tr.X[0])
    assert np.isnan(values[2:]).all()
    assert stage(tr) == "start"
    np.testing.assert_array_equal(view.highlighted("start"), view.positions[:, 0] == 0)
    fig.canvas.draw()


def test_edges_follow_weights_then_gradients_then_the_change():
    tr = make_trainer()
    fig, ax = agg_axes()
    view = NetworkView(ax, tr)

    def check(values, shown):
        assert view.shown == shown
        widths = view.edges.get_linewidths()
        scale = np.abs(values) / np.abs(values).max()
        np.testing.assert_allclose(widths, MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * scale)
        colours = view.edges.get_colors()[:, :3]
        assert np.all(colours[values > 0] == matplotlib.colors.to_rgb(POSITIVE))
        assert np.all(colours[values < 0] == matplotlib.colors.to_rgb(NEGATIVE))

    before = [layer.W.copy() for layer in tr.model.layers]
    check(np.concatenate([w.ravel() for w in before]), "weights")
    phases(tr, "forward", "loss")
    view.update(tr)
    check(np.concatenate([w.ravel() for w in before]), "weights")
    np.testing.assert_array_equal(view.highlighted("loss"), view.positions[:, 0] == 3)
    tr.backward()
    view.update(tr)
    check(np.concatenate([g.ravel() for g in tr.last_backward.dW]), "gradients")
    tr.update()
    view.update(tr)
    after = [layer.W for layer in tr.model.layers]
    check(np.concatenate([(b - a).ravel() for a, b in zip(before, after)]), "change")
    assert "how W moved" in view.title.get_text()
    fig.canvas.draw()


def test_target_text_names_prediction_and_target_after_loss():
    tr = make_trainer()
    fig, ax = agg_axes()
    view = NetworkView(ax, tr, sample=0)
    phases(tr, "forward", "loss")
    view.update(tr)
    row = tr.last_forward.indices[0]
    p = numpy_forward(tr, tr.X[[row]])[-1][0, 0]
    assert view.caption.get_text() == "sample #: prediction / target"
    assert view.sample_text.get_text() == f"#0: {p:.3g} / {tr.y[row, 0]:.3g}"
    assert view.loss_text.get_text() == f"L = {tr.last_loss.value:.3f}"   # by the output, from Loss on


def test_sample_beyond_the_batch_is_clipped_to_the_last_row():
    tr = make_trainer(batch_size=4)
    fig, ax = agg_axes()
    view = NetworkView(ax, tr, sample=99)
    tr.forward()
    view.update(tr)
    row = tr.last_forward.indices[-1]
    np.testing.assert_allclose(view.neurons.get_array()[:2], tr.X[row])


# ----------------------------------------------------------------------------------- heatmaps
def test_activation_heatmaps_hold_z_and_a_of_the_batch():
    tr = make_trainer()
    fig, axes = agg_axes(6, (9, 3))
    view = ActivationHeatmaps(axes, tr)
    assert all(np.ma.getmaskarray(im.get_array()).all() for im in view.z_images)  # NaN: masked
    tr.forward()
    view.update(tr)
    x = tr.X[tr.last_forward.indices]
    a_prev = x
    for layer, zi, ai, a in zip(tr.model.layers, view.z_images, view.a_images, numpy_forward(tr, x)):
        np.testing.assert_allclose(zi.get_array(), a_prev @ layer.W + layer.b, rtol=1e-12)
        np.testing.assert_allclose(ai.get_array(), a, rtol=1e-12)
        a_prev = a
    assert view.a_images[0].get_clim() == (-1.0, 1.0)      # tanh's range
    assert view.a_images[2].get_clim() == (0.0, 1.0)       # sigmoid's range
    fig.canvas.draw()


def test_heatmaps_reshape_when_the_batch_size_changes_and_for_the_short_last_batch():
    tr = make_trainer(n=40, batch_size=16)
    fig, axes = agg_axes(6, (9, 3))
    view = ActivationHeatmaps(axes, tr)
    sizes, blank = [], []
    for _ in range(3):           # 40 = 16 + 16 + 8
        tr.forward()
        view.update(tr)
        z = view.z_images[0].get_array()
        sizes.append(z.shape[0])
        blank.append(int(np.ma.getmaskarray(z).all(axis=1).sum()))
        phases(tr, "loss", "backward", "update")
    assert sizes == [16, 16, 16] and blank == [0, 0, 8]     # the short batch: 8 rows, 8 blank
    np.testing.assert_allclose(view.z_images[0].get_array()[:8], tr.last_forward.z[0], rtol=1e-12)
    tr.set_batch_size(5)
    tr.forward()
    view.update(tr)
    im = view.z_images[1]
    assert im.get_array().shape == (5, 2) and im.axes is axes[2]
    assert im.get_coordinates()[[0, -1], [0, -1]].tolist() == [[-0.5, -0.5], [1.5, 4.5]]
    assert axes[2].get_xlim() == (-0.5, 1.5) and axes[2].get_ylim() == (4.5, -0.5)
    assert len(axes[2].collections) == 1          # the old mesh is gone
    fig.canvas.draw()


def test_gradient_heatmaps_hold_dW_and_its_norm():
    tr = make_trainer()
    fig, axes = agg_axes(3, (6, 3))
    view = GradientHeatmaps(axes, tr)
    assert [t.get_text() for t in view.titles] == [f"gradient of W{i}, size" for i in (1, 2, 3)]
    assert [t.get_text() for t in view.sizes] == ["–"] * 3      # not computed yet
    assert np.isnan(view.norms).all()
    phases(tr, "forward", "loss", "backward")
    view.update(tr)
    for i, (im, norm, dW) in enumerate(zip(view.images, view.norms, tr.last_backward.dW), 1):
        np.testing.assert_array_equal(im.get_array(), dW)
        assert norm == pytest.approx(np.sqrt(np.sum(dW ** 2)), rel=1e-12)
        m = nice_ceiling(np.abs(dW).max())
        assert im.get_clim() == (-m, m)
    assert view.titles[0].get_text() == "gradient of W1, size"    # the words stay in the background
    assert [t.get_text() for t in view.sizes] == [f"{norm:.2g}" for norm in view.norms]
    assert set(view.dynamic_artists()) == set(view.images) | set(view.sizes)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for title, size in zip(view.titles, view.sizes):   # the number follows its words on their line
        words, number = title.get_window_extent(renderer), size.get_window_extent(renderer)
        assert 0 < number.x0 - words.x1 < 10 and number.y0 == pytest.approx(words.y0, abs=1)


@pytest.mark.parametrize("fixed", [True, False])
def test_gradient_colour_scale_can_stay_fixed_across_steps(fixed):
    tr = make_trainer()
    fig, axes = agg_axes(3, (6, 3))
    view = GradientHeatmaps(axes, tr, fixed_scale=fixed)
    limits, sizes = [], []
    for _ in range(30):
        tr.step()
        phases(tr, "forward", "loss", "backward")
        view.update(tr)
        limits.append(view.images[0].get_clim()[1])
        sizes.append(nice_ceiling(np.abs(tr.last_backward.dW[0]).max()))
        phases(tr, "update")
    if fixed:   # it only grows: a shrinking gradient looks smaller
        assert limits == list(np.maximum.accumulate(sizes))
    else:
        assert limits == sizes


def test_views_refuse_the_wrong_number_of_axes():
    tr = make_trainer()
    fig, axes = agg_axes(2, (6, 3))
    with pytest.raises(ValueError, match="needs 6 axes; received 2"):
        ActivationHeatmaps(axes, tr)


# ------------------------------------------------------------------------------- loss curve
def test_learning_curve_follows_the_history_with_epoch_boundaries():
    tr = make_trainer(n=48, batch_size=16, validation_split=0.25)   # 36 training samples: 3 batches
    fig, ax = agg_axes()
    view = LearningCurveView(ax, tr)
    for _ in range(7):
        tr.step()
    view.update(tr)
    np.testing.assert_array_equal(view.line.get_ydata(), tr.history.losses)
    np.testing.assert_array_equal(view.line.get_xdata(), np.arange(1, 8))
    assert view.last_point.get_xdata().tolist() == [7]
    assert view.last_point.get_ydata().tolist() == [tr.history.losses[-1]]
    # epochs 1 and 3 shaded (light bands over every other epoch)
    bands = [(p.vertices[:, 0].min(), p.vertices[:, 0].max()) for p in view.bands.get_paths()]
    assert bands == [(0.5, 3.5)]     # two epochs done: the first one shaded, the second not
    np.testing.assert_array_equal(view.val_line.get_ydata(), [e.val_loss for e in tr.history.epochs])
    top = view.ax.get_ylim()[1]
    assert top >= tr.history.losses.max() and top == nice_ceiling(top)
    fig.canvas.draw()


def test_learning_curve_shows_the_first_iteration_as_a_dot():
    tr = make_trainer(n=48, batch_size=16)
    fig, ax = agg_axes()
    view = LearningCurveView(ax, tr)
    assert len(view.last_point.get_xdata()) == 0
    tr.step()
    view.update(tr)
    assert view.last_point.get_xdata().tolist() == [1]
    assert view.last_point.get_marker() == "o" and view.last_point.get_visible()


def test_epoch_ends_and_nice_ceiling():
    tr = make_trainer(n=20, batch_size=8)   # 3 iterations per epoch
    for _ in range(7):
        tr.step()
    np.testing.assert_array_equal(epoch_ends(tr.history), [3, 6])
    assert [nice_ceiling(v) for v in (0.7, 1.0, 1.3, 3, 7, 0.012)] == [1, 1, 2, 5, 10, 0.02]


# ------------------------------------------------------------------------------- boundary view
def cell_centres(view):
    x0, x1, y0, y1 = view.extent
    r = view.resolution
    xs = x0 + (np.arange(r) + 0.5) * (x1 - x0) / r
    ys = y0 + (np.arange(r) + 0.5) * (y1 - y0) / r
    return np.array([(x, y) for y in ys for x in xs])


def test_binary_boundary_shows_the_models_probability_and_the_half_contour():
    tr = make_trainer("circle", hidden=(6,), learning_rate=0.5)
    for _ in range(60):
        tr.step()
    tr.forward()
    fig, ax = agg_axes()
    view = BoundaryView(ax, tr, resolution=30)
    p = numpy_forward(tr, cell_centres(view))[-1][:, 0]
    np.testing.assert_allclose(view.image.get_array(), p.reshape(30, 30), rtol=1e-10)
    assert view.contour is not None
    vertices = np.concatenate([path.vertices for path in view.contour.get_paths()])
    on_line = numpy_forward(tr, vertices)[-1][:, 0]
    assert np.abs(on_line - 0.5).max() < 0.1
    np.testing.assert_array_equal(view.batch.get_xydata(), tr.X[tr.last_forward.indices])
    labels = tr.y[:, 0].astype(int)
    for k, points in enumerate(view.points):       # one Line2D of markers per class
        np.testing.assert_array_equal(points.get_xydata(), tr.X[labels == k])
    fig.canvas.draw()


def test_multiclass_boundary_colours_cells_by_argmax():
    tr = make_trainer("spiral", hidden=(8,), output="softmax", loss="categorical_crossentropy",
                      one_hot=True)
    for _ in range(20):
        tr.step()
    fig, ax = agg_axes()
    view = BoundaryView(ax, tr, resolution=20)
    probs = numpy_forward(tr, cell_centres(view))[-1]
    rgba = view.image.get_facecolor()
    np.testing.assert_allclose(rgba[:, :3], class_colors(2)[probs.argmax(axis=1)])
    assert np.all(np.diff(rgba[np.argsort(probs.max(axis=1)), 3]) >= -1e-12)  # surer = less pale
    fig.canvas.draw()


def test_one_feature_regression_draws_the_fitted_curve():
    tr = make_trainer("sine", hidden=(8,), output="linear", loss="mse", learning_rate=0.05)
    for _ in range(10):
        tr.step()
    tr.forward()
    fig, ax = agg_axes()
    view = BoundaryView(ax, tr)
    assert view.kind == "curve1d"
    x = view.curve.get_xdata()
    np.testing.assert_allclose(view.curve.get_ydata(), numpy_forward(tr, x[:, None])[-1][:, 0], rtol=1e-10)
    idx = tr.last_forward.indices
    np.testing.assert_array_equal(view.batch.get_xydata(), np.column_stack([tr.X[idx, 0], tr.y[idx, 0]]))
    fig.canvas.draw()


@pytest.mark.parametrize("lang, words", [("en", ("PC1", "PC2")), ("ko", ("제1 주성분", "제2 주성분"))])
def test_four_features_are_drawn_on_their_first_two_principal_components(lang, words):
    tr = make_trainer("iris", hidden=(5,), output="softmax", loss="categorical_crossentropy", one_hot=True)
    for _ in range(10):
        tr.step()
    tr.forward()
    fig, ax = agg_axes()
    view = BoundaryView(ax, tr, resolution=12, lang=lang)
    assert view.kind == "boundary2d"
    # the plane: the data's mean and its two leading principal directions, found here by eigh
    X = tr.X
    mean = X.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov(X - mean, rowvar=False))
    np.testing.assert_allclose(view.mean, mean, rtol=1e-12)
    for k in range(2):
        assert abs(view.basis[:, k] @ vectors[:, -1 - k]) == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(view.basis.T @ view.basis, np.eye(2), atol=1e-12)
    # each cell: the model's prediction at the plane point mapped back, other components at the mean
    centres = cell_centres(view)
    np.testing.assert_allclose(view.grid, mean + centres @ view.basis.T, rtol=1e-12)
    probs = numpy_forward(tr, view.grid)[-1]
    np.testing.assert_allclose(view.image.get_facecolor()[:, :3], class_colors(3)[probs.argmax(axis=1)])
    # the data at their projections, the batch ringed there too
    shown = np.vstack([line.get_xydata() for line in view.points])
    assert len(shown) == len(X)
    np.testing.assert_allclose(np.sort(shown, axis=0), np.sort((X - mean) @ view.basis, axis=0), atol=1e-12)
    np.testing.assert_allclose(view.batch.get_xydata(), (tr.last_forward.x - mean) @ view.basis, atol=1e-12)
    assert {t.get_text() for t in ax.texts} >= set(words)
    fig.canvas.draw()


# ------------------------------------------------------------------- every data set, every loss
DATASETS = [("circle", {}), ("xor", {}), ("gauss", {}), ("spiral", {}), ("moons", {}),
            ("linear", dict(output="linear", loss="mse")), ("sine", dict(output="linear", loss="mse")),
            ("iris", dict(output="softmax", loss="sparse_categorical_crossentropy"))]
PAIRINGS = [("sine", "linear", "mse", False), ("linear", "linear", "mae", False),
            ("moons", "sigmoid", "binary_crossentropy", False),
            ("iris", "softmax", "categorical_crossentropy", True),
            ("iris", "softmax", "sparse_categorical_crossentropy", False),
            ("iris", "softmax", "cee", True)]


def draw_all_views(tr, steps=3):
    fig = Figure(figsize=view_figsize(VIEW_NAMES, tr.model), dpi=50)
    FigureCanvasAgg(fig)
    views = build_views(fig, tr, VIEW_NAMES)
    for k in range(steps):
        for phase in ("forward", "loss", "backward", "update"):
            getattr(tr, phase)()
            for view in views.values():
                view.update(tr)
            if k == 0:
                fig.canvas.draw()
    fig.canvas.draw()
    return views


@pytest.mark.parametrize("name, options", DATASETS, ids=[d for d, _ in DATASETS])
def test_every_view_draws_for_every_data_set(name, options):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        views = draw_all_views(make_trainer(name, learning_rate=0.05, **options))
    assert set(views) == set(VIEW_NAMES)


@pytest.mark.parametrize("data, output, loss, one_hot", PAIRINGS, ids=[p[2] for p in PAIRINGS])
def test_every_view_draws_for_every_loss_and_output_pairing(data, output, loss, one_hot):
    tr = make_trainer(data, hidden=(5,), output=output, loss=loss, one_hot=one_hot, learning_rate=0.05)
    assert tr.loss_fn.name in sn.losses.fitting(output, tr.model.sizes[-1], tr.y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        draw_all_views(tr)


def test_views_draw_a_diverged_run_and_say_so():
    tr = make_trainer("linear", hidden=(4,), output="linear", loss="mse", learning_rate=10.0, batch_size=50)
    reasons = [guarded_step(tr) for _ in range(300)]
    assert "diverged" in reasons and tr.diverged and tr.next_phase == "backward"
    fig = Figure(figsize=view_figsize(VIEW_NAMES, tr.model), dpi=50)
    FigureCanvasAgg(fig)
    views = build_views(fig, tr, VIEW_NAMES)
    tr.backward()
    tr.update()          # the weights are now inf/NaN: the views must still draw
    for view in views.values():
        view.update(tr)
    fig.canvas.draw()
    assert "diverged" in views["network"].title.get_text()
    assert "diverged" in views["curves"].note.get_text()
    assert views["boundary"].note.get_text() == "diverged"


# ---------------------------------------------------------------------------------- Korean
def test_korean_views_draw_without_missing_glyphs():
    tr = make_trainer()
    fig = Figure(figsize=view_figsize(VIEW_NAMES, tr.model), dpi=50)
    FigureCanvasAgg(fig)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        views = build_views(fig, tr, VIEW_NAMES, lang="ko")
        phases(tr, "forward", "loss")
        for view in views.values():
            view.update(tr)
        fig.canvas.draw()
    assert views["network"].title.get_text().startswith("손실")


# ----------------------------------------------------------------------------------- export
def test_save_png_and_gif(tmp_path):
    fig, ax = agg_axes()
    (line,) = ax.plot([0, 1], [0, 0])
    png = export.save_png(fig, tmp_path / "a.png")
    with open(png, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    calls = []

    def frame(i):
        calls.append(i)
        line.set_ydata([0, i])
    gif = export.save_gif(tmp_path / "a.gif", fig, frame, n_frames=4, fps=5)
    assert calls == [0, 1, 2, 3]
    with Image.open(gif) as im:
        assert im.format == "GIF" and im.n_frames == 4


@pytest.mark.parametrize("kwargs, match", [(dict(path="a.mp4"), "must end in .gif"),
                                            (dict(n_frames=0), "n_frames"), (dict(fps=0), "fps"),
                                            (dict(fps=1e-9), "0.1 to 50"), (dict(fps=float("inf")), "0.1 to 50"),
                                            (dict(fps=60), "0.1 to 50")])
def test_save_gif_refuses_bad_input(tmp_path, kwargs, match):
    fig, _ = agg_axes()
    args = dict(path=tmp_path / "a.gif", fig=fig, frames=lambda i: None, n_frames=2, fps=5)
    args.update({k: (tmp_path / v if k == "path" else v) for k, v in kwargs.items()})
    with pytest.raises(ValueError, match=match):
        export.save_gif(**args)
    assert not (tmp_path / "a.gif").exists()


# --------------------------------------------------------------------------------- languages
@pytest.mark.parametrize("dashboard", ["StepThrough", "LossExplorer", "DescentExplorer", "OptimizerRace",
                                       "ChainRule"])
def test_a_korean_dashboard_keeps_matplotlibs_rcparams_and_misses_no_glyph(dashboard):
    import stepnn.widgets as W
    before = dict(matplotlib.rcParams)
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # "Glyph ... missing from font(s)" is a warning
        if dashboard == "StepThrough":
            board = W.StepThrough(make_trainer(), lang="ko", live=False, dpi=40)
            board.buttons["forward"].click()
            board.buttons["loss"].click()
        elif dashboard == "OptimizerRace":
            board = W.OptimizerRace("xor", lang="ko", live=False)
            board.buttons["step"].click()
        else:
            board = getattr(W, dashboard)(lang="ko", live=False)
        for fig in board.figures:
            fig.canvas.draw()
            fig.savefig(io.BytesIO(), format="png", dpi=30)   # the animated artists too
    assert board.errors == []
    assert dict(matplotlib.rcParams) == before
    texts = [t for fig in board.figures for t in fig.findobj(Text) if any("\uac00" <= c <= "\ud7a3" for c in
                                                                         t.get_text())]
    assert texts and all(korean_font() in t.get_fontfamily() for t in texts)


def test_every_word_comes_from_the_one_table():
    from stepnn.terms import LANGS, PHRASES, TERMS, phrase
    assert all(len(pair) == len(LANGS) and all(pair) for pair in {**TERMS, **PHRASES}.values())
    assert phrase("network.sample_caption", "ko") == "샘플 #: 예측값 / 실제값"
    assert phrase("curves.diverged", "en", v=1.5).startswith("diverged: loss = 1.5")
    with pytest.raises(KeyError, match="PHRASES"):
        phrase("no.such.phrase")
    import ast
    from pathlib import Path
    root = Path(sn.__file__).parent
    for path in list((root / "views").glob("*.py")) + list((root / "widgets").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        shown = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                 and isinstance(node.value, str) and id(node) not in docstrings]
        korean = [text for text in shown if any("\uac00" <= c <= "\ud7a3" for c in text)]
        assert korean == [], f"Korean words outside stepnn/terms.py, in {path.name}: {korean}"


def test_the_boundary_fits_new_data_in_place_and_says_when_it_cannot():
    # 4 inputs: the principal plane, the points and the grid follow the new data
    tr = make_trainer("iris", hidden=(4,), output="softmax", loss="sparse_categorical_crossentropy")
    fig, ax = agg_axes()
    view = BoundaryView(ax, tr, resolution=12)
    image, points = view.image, list(view.points)
    X, y = tr.X[:60] * 2.0, tr.y[:60]
    tr.set_data(X, y)
    assert view.set_data(tr) and view.image is image and view.points == points
    mean, basis = sn.views.boundary.principal_plane(X)
    np.testing.assert_allclose(view.basis, basis)
    shown = np.vstack([line.get_xydata() for line in view.points])
    np.testing.assert_allclose(np.sort(shown, axis=0), np.sort((X - mean) @ basis, axis=0))
    view.update(tr)
    np.testing.assert_allclose(view.image.get_facecolor(), view.class_image(tr.model.predict(view.grid)).reshape(-1, 4))
    # 1 input: the curve's grid and the points; 0/1 labels that become other targets: built again
    tr = make_trainer("sine", hidden=(8,), output="linear", loss="mse", learning_rate=0.05)
    fig, ax = agg_axes()
    view = BoundaryView(ax, tr)
    tr.set_data(tr.X * 3, tr.y)
    assert view.set_data(tr)
    np.testing.assert_array_equal(view.points[0].get_xdata(), tr.X[:, 0])
    assert view.grid[-1, 0] > tr.X[:, 0].max() and view.ax.get_xlim()[1] == view.grid[-1, 0]
    view.update(tr)
    np.testing.assert_allclose(view.curve.get_ydata(), tr.model.predict(view.grid)[:, 0])
    tr = make_trainer("circle", output="sigmoid", loss="mse")
    fig, ax = agg_axes()
    view = BoundaryView(ax, tr)
    tr.set_data(tr.X, tr.y * 0.5)
    assert not view.set_data(tr)


def test_bold_korean_text_finds_a_bold_hangul_face(caplog):
    """A bold label in a Korean figure draws with a bold Hangul face: matplotlib logs no
    "Failed to find font weight" on the way."""
    import logging
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from stepnn.views import localize
    fig = Figure(figsize=(3, 1), dpi=80)
    FigureCanvasAgg(fig)
    fig.text(0.1, 0.5, "손실 L = 0.669", fontweight="bold")
    localize(fig, "ko")
    with caplog.at_level(logging.WARNING, logger="matplotlib.font_manager"):
        fig.canvas.draw()
    assert not [r for r in caplog.records if "Failed to find font weight" in r.getMessage()]


# ------------------------------------------------------------------ long runs
def test_envelope_keeps_a_short_line_and_the_shape_of_a_long_one():
    from stepnn.views._base import envelope
    y = np.sin(np.arange(50) / 3.0)
    x, shown = envelope(y)
    np.testing.assert_array_equal(shown, y)
    np.testing.assert_array_equal(x, np.arange(1, 51))
    rng = np.random.default_rng(0)
    y = rng.normal(size=30_000)
    y[1234], y[20_000] = 50.0, -40.0              # spikes in the thinned part still show
    y[7777] = np.nan                              # a diverged moment stays a gap
    x, shown = envelope(y, most=1000)
    assert len(shown) <= 1000 and np.all(np.diff(x) > 0)
    assert 50.0 in shown and -40.0 in shown and np.isnan(shown).sum() == 1
    np.testing.assert_array_equal(shown[-250:], y[-250:])       # the last quarter exactly
    np.testing.assert_array_equal(x[-250:], np.arange(len(y) - 249, len(y) + 1))
    ends = np.arange(3, 3 * 5000 + 1, 3, dtype=float)           # own x: the epochs' ends
    x, shown = envelope(rng.normal(size=5000), ends, most=1000)
    assert len(shown) <= 1000 and set(x) <= set(ends) and x[-1] == ends[-1]


def test_thinned_keeps_the_start_and_the_recent_path():
    from stepnn.views._base import thinned
    path = np.cumsum(np.random.default_rng(1).normal(size=(9000, 2)), axis=0)
    shown = thinned(path, most=1000)
    assert len(shown) <= 1000
    np.testing.assert_array_equal(shown[0], path[0])
    np.testing.assert_array_equal(shown[-250:], path[-250:])
    short = path[:999]
    assert thinned(short, most=1000) is short


def test_a_long_run_draws_a_bounded_number_of_points():
    """After 12,000 iterations the loss curve and the descent path hand Agg at most MOST_POINTS
    points each (drawing every one made each Step several times slower), the latest exactly."""
    from stepnn.views._base import MOST_POINTS
    X, y = sn.datasets.gauss(n=64, seed=0)
    tr = sn.Trainer(sn.Sequential([sn.Dense(2, 3, activation="relu"), sn.Dense(3, 1, activation="sigmoid")],
                                  seed=0), X, y, loss="binary_crossentropy", learning_rate=0.1,
                    batch_size=16, seed=0)
    tr.fit(epochs=3000, verbose=False)
    board = StepThrough(tr, live=False)
    board.buttons["step"].click()
    curve, surface = board.views["curves"], board.views["surface"]
    losses = tr.history.losses
    assert len(losses) == 12_001
    assert len(curve.line.get_ydata()) <= MOST_POINTS < len(losses)
    assert curve.line.get_ydata()[-1] == losses[-1] and curve.line.get_xdata()[-1] == len(losses)
    coords = surface.path_coords()
    assert len(surface.path_line.get_xdata()) <= MOST_POINTS < len(coords)
    assert (surface.path_line.get_xdata()[0], surface.path_line.get_ydata()[0]) == tuple(coords[0])
    end = coords[-1]
    assert (surface.path_line.get_xdata()[-1], surface.path_line.get_ydata()[-1]) == tuple(end)
    assert not board.errors
