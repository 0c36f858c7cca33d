"""Blitting and the quick artists: a blitted figure must hold the very pixels of a full draw,
the blitter must draw in full whenever the background may have changed, and the quick text,
images and points must look like matplotlib's own."""
import io
import warnings

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from stepnn.views._base import GlyphText, PastedCollection, paste_pixels, use_language
from stepnn.views.blit import Blitter, draw_order
from stepnn.views.raster import GridImage, grid_image
from stepnn.widgets import ipympl_available
from stepnn.widgets.stepthrough import StepThrough

from .test_views import make_trainer


def pixels(fig) -> np.ndarray:
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def full_draw(fig) -> np.ndarray:
    FigureCanvasAgg.draw(fig.canvas)
    return pixels(fig)


def assert_same_as_full_draw(fig, what=""):
    blitted = pixels(fig)
    full = full_draw(fig)
    diff = np.abs(blitted.astype(int) - full.astype(int))
    assert diff.max() == 0, f"{what}: {np.count_nonzero(diff.max(axis=2))} pixels differ"


# ------------------------------------------------------------------------- the dashboard
ACTIONS = [("forward", {}), ("loss", {}), ("backward", {}), ("update", {})] + [("step", {})] * 14 + [
    ("undo", {}), ("control", dict(sample=5)), ("control", dict(batch_size=7)), ("step", {}),
    ("epoch", {}), ("forward", {}), ("undo", {}), ("reset", {}), ("step", {}), ("step", {}),
    ("control", dict(learning_rate=10.0)), ("step", {}), ("step", {}), ("step", {})]


def act(board, name, values):
    if name == "control":
        for key, value in values.items():
            board.controls[key].value = value
    else:
        board.buttons[name].click()


@pytest.mark.parametrize("surface, lang", [("weights", "en"), ("pca", "en"), ("weights", "ko")])
def test_every_redraw_of_the_dashboard_equals_a_full_draw(surface, lang):
    board = StepThrough(make_trainer(validation_split=0.2), live=False, dpi=50, surface=surface, lang=lang)
    for name, values in ACTIONS:
        act(board, name, values)
        assert_same_as_full_draw(board.figure, f"after {name} {values}")
    assert board.errors == []
    blitter = board.blitter
    assert blitter.blits > 2 * blitter.full_draws     # most redraws paste the background


@pytest.mark.parametrize("kind", ["regression", "multiclass"])
def test_other_pictures_blit_as_they_draw(kind):
    trainer = (make_trainer("sine", hidden=(8,), output="linear", loss="mse", learning_rate=0.05)
               if kind == "regression" else
               make_trainer("spiral", hidden=(8,), output="softmax", loss="categorical_crossentropy",
                            one_hot=True))
    board = StepThrough(trainer, live=False, dpi=40)
    for name in ("forward", "loss", "backward", "update", "step", "step", "epoch", "step"):
        board.buttons[name].click()
        assert_same_as_full_draw(board.figure, name)
    assert board.errors == [] and board.views["boundary"].kind == {"regression": "curve1d",
                                                                   "multiclass": "boundary2d"}[kind]


def test_a_step_redraws_only_what_changes():
    board = StepThrough(make_trainer(), live=False, dpi=50)
    board.buttons["step"].click()
    redrawn = {id(a) for a in board.blitter.redraw_list}
    surface = board.views["surface"]
    for static in surface.contours + [surface.ax.xaxis, surface.ax.yaxis]:
        assert id(static) not in redrawn
    for view in board.views.values():
        for artist in view.dynamic_artists():
            assert id(artist) in redrawn


def test_full_draws_come_with_the_loss_surface_recomputes():
    board = StepThrough(make_trainer(), live=False, dpi=50)
    surface = board.views["surface"]
    board.buttons["forward"].click()       # the first redraw draws everything (see StepThrough)
    recomputes = full = 0
    for _ in range(25):
        before, drawn = surface._refreshed_at, board.blitter.full_draws
        board.buttons["step"].click()
        recomputes += surface._refreshed_at != before
        full += board.blitter.full_draws != drawn
    assert recomputes == 2 and full == recomputes    # every 10 iterations, the other weights moved


def test_the_pca_plane_is_recomputed_every_k_iterations_and_the_path_projected_between():
    board = StepThrough(make_trainer(), live=False, dpi=50, surface="pca")
    view = board.views["surface"]
    assert view.plane is None
    planes = []
    for _ in range(23):
        board.buttons["step"].click()
        if view.plane is not None and view._refreshed_at not in planes:
            planes.append(view._refreshed_at)
    assert planes == [2, 12, 22]          # the first plane once the path spans one, then every 10
    plane = view.plane
    board.buttons["step"].click()
    assert view.plane is plane             # between recomputes: the same plane, the new point projected
    np.testing.assert_allclose(view.path_line.get_xydata(), plane.project(board.trainer.history.weights))


def test_the_static_picture_is_the_blitted_pixels():
    board = StepThrough(make_trainer(), live=False, dpi=40)
    board.buttons["step"].click()
    image = np.asarray(Image.open(io.BytesIO(board._images[id(board.figure)].value)))
    np.testing.assert_array_equal(image, pixels(board.figure))


def test_a_live_dashboard_blits_and_sends_the_new_pixels(require):
    if not ipympl_available():
        require("ipympl is not installed")
    board = StepThrough(make_trainer(), live=True, dpi=40)
    canvas = board.figure.canvas
    assert isinstance(canvas, widgets.DOMWidget)
    sent = []
    canvas.send = lambda content, buffers=None: sent.append(content)
    blits = board.blitter.blits
    board.buttons["forward"].click()  # no page view yet: it is asked to draw when it is ready
    assert board.blitter.blits == blits and [m["data"] for m in sent] == ['{"type": "draw"}']
    canvas._handle_message(canvas, {"type": "initialized"}, [])  # the page's view is up
    board.buttons["loss"].click()  # drawn here (a full draw: the canvas was resized) and sent
    assert '{"type": "binary"}' in [m["data"] for m in sent]
    blits = board.blitter.blits
    board.buttons["step"].click()
    assert board.blitter.blits == blits + 1 and board.errors == []
    sent = canvas._last_buff.view(np.uint8).reshape(*canvas._last_buff.shape, 4)
    np.testing.assert_array_equal(sent, pixels(board.figure))


# --------------------------------------------------------------------------- the blitter
def two_lines():
    fig = Figure(figsize=(4, 3), dpi=60)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    (static,) = ax.plot([0, 1], [0, 1], lw=3)
    (moving,) = ax.plot([0, 1], [1, 0], lw=3)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    return fig, ax, static, moving


def test_the_blitter_pastes_while_only_dynamic_artists_change():
    fig, ax, static, moving = two_lines()
    blitter = Blitter(fig, lambda: [moving])
    assert blitter.draw() is True                      # the first draw is a full one
    for y in (0.2, 0.5, 0.9):
        moving.set_ydata([y, 1 - y])
        assert blitter.draw() is False
        assert_same_as_full_draw(fig)
    assert (blitter.full_draws, blitter.blits) == (1, 3)
    assert blitter.redraw_list[0] is moving and static not in blitter.redraw_list


@pytest.mark.parametrize("change", ["limits", "static data", "static hidden", "new artist", "resize",
                                    "removed", "invalidate"])
def test_the_blitter_draws_in_full_when_the_background_may_have_changed(change):
    fig, ax, static, moving = two_lines()
    blitter = Blitter(fig, lambda: [moving])
    blitter.draw()
    changes = {"limits": lambda: ax.set_xlim(0, 2), "static data": lambda: static.set_ydata([0.5, 0.5]),
               "static hidden": lambda: static.set_visible(False),
               "new artist": lambda: ax.plot([0, 1], [0.5, 0.5]),
               "resize": lambda: fig.set_size_inches(5, 3), "removed": static.remove,
               "invalidate": blitter.invalidate}
    changes[change]()
    assert blitter.draw() is True
    assert_same_as_full_draw(fig, change)
    moving.set_ydata([0.3, 0.3])
    assert blitter.draw() is False
    assert_same_as_full_draw(fig, change)


def test_what_lies_above_a_dynamic_artist_is_drawn_again_above_it():
    fig, ax, static, moving = two_lines()
    static.set_zorder(5)                                       # the static line crosses over the moving one
    inset = fig.add_axes([0.4, 0.4, 0.3, 0.3])                 # and an axes over both
    inset.plot([0, 1], [0, 1])
    far = fig.add_axes([0.9, 0.9, 0.09, 0.09])
    far.set_axis_off()
    blitter = Blitter(fig, lambda: [moving])
    blitter.draw()
    redrawn = blitter.redraw_list
    assert redrawn.index(moving) < redrawn.index(static)
    assert inset.patch in redrawn and inset.lines[0] in redrawn and far not in redrawn
    for y in (0.1, 0.6):
        moving.set_ydata([y, 1 - y])
        blitter.draw()
        assert_same_as_full_draw(fig)


def test_draw_order_is_the_order_of_axes_draw():
    fig, ax, static, moving = two_lines()
    static.set_zorder(3)
    order = draw_order(ax)
    assert order[0] is ax.patch and order.index(moving) < order.index(static)
    ax.set_axis_off()
    assert ax.patch not in draw_order(ax) and ax.xaxis not in draw_order(ax)


# ------------------------------------------------------------------------------ glyph text
def ink(image: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    dark = 765 - image[..., :3].astype(int).sum(axis=2)
    where = np.argwhere(dark > 60)
    return where.min(axis=0), where.max(axis=0), float(dark.sum())


def text_figure(kind, text, ha="center", **kwargs):
    fig = Figure(figsize=(4, 1), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    x = {"left": 0.02, "center": 0.5, "right": 0.98}[ha]
    artist = kind(x, 0.5, text, transform=ax.transAxes, clip_on=False, fontsize=8, ha=ha, **kwargs)
    ax.add_artist(artist)
    return fig, artist


@pytest.mark.parametrize("text, ha, va", [("|dL/dW1| 0.056", "center", "baseline"),
                                          ("sample #141:  Prediction 0.351 / Target 1", "left", "top"),
                                          ("-12.5e-3", "right", "center"), ("y 0.5", "center", "bottom")])
def test_glyph_text_looks_like_text(text, ha, va):
    a, _ = text_figure(Text, text, ha=ha, va=va)
    b, _ = text_figure(GlyphText, text, ha=ha, va=va)
    (lo_a, hi_a, mass_a), (lo_b, hi_b, mass_b) = ink(full_draw(a)), ink(full_draw(b))
    assert np.abs(lo_a - lo_b).max() <= 2 and np.abs(hi_a - hi_b).max() <= 2
    assert mass_b == pytest.approx(mass_a, rel=0.05)


def test_glyph_text_draws_korean_and_falls_back_to_text_where_it_must():
    use_language("ko")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph warns
        a, _ = text_figure(Text, "샘플 #12:  예측값 0.5")
        b, glyph = text_figure(GlyphText, "샘플 #12:  예측값 0.5")
        (lo_a, hi_a, mass_a), (lo_b, hi_b, mass_b) = ink(full_draw(a)), ink(full_draw(b))
    assert mass_b == pytest.approx(mass_a, rel=0.05) and np.abs(lo_a - lo_b).max() <= 2
    for other in ("two\nlines", "$x^2$"):   # drawn as a plain Text
        glyph.set_text(other)
        plain, _ = text_figure(Text, other)
        np.testing.assert_array_equal(full_draw(b), full_draw(plain))
    b.savefig(io.BytesIO(), format="pdf")


# ---------------------------------------------------------------------- images and points
def image_figure(fast: bool, data, **kwargs):
    fig = Figure(figsize=(2, 2.5), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0.1, 0.1, 0.8, 0.8])
    ax.set_axis_off()
    image = grid_image(ax, data, **kwargs) if fast else ax.imshow(data, **kwargs)
    return fig, image


rng = np.random.default_rng(0)


@pytest.mark.parametrize("data, kwargs", [
    (rng.standard_normal((16, 4)),
     dict(cmap="coolwarm", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")),
    (np.where(rng.random((9, 3)) < 0.3, np.nan, rng.random((9, 3))),
     dict(cmap="coolwarm", aspect="auto", interpolation="nearest", vmin=0, vmax=1)),
    (rng.random((40, 40)), dict(origin="lower", extent=(-1.3, 1.2, -1.1, 1.4), cmap="RdBu_r", vmin=0, vmax=1,
                                alpha=0.75, aspect="auto", interpolation="bilinear")),
    (rng.random((12, 12, 4)), dict(origin="lower", aspect="auto", interpolation="bilinear")),
    (rng.random((5, 5)), dict(aspect="auto", interpolation="bicubic")),   # matplotlib's own way
])
def test_grid_images_look_like_matplotlibs(data, kwargs):
    plain, _ = image_figure(False, data, **kwargs)
    fast, image = image_figure(True, data, **kwargs)
    assert isinstance(image, GridImage)
    diff = np.abs(full_draw(plain).astype(int) - full_draw(fast).astype(int)).max(axis=2)
    assert diff.mean() < 1.0 and np.mean(diff > 8) < 0.015   # a row or column of edge pixels at most
    np.testing.assert_array_equal(image.get_array(), np.ma.masked_invalid(data))


def test_pasted_points_look_like_a_scatter_and_follow_their_data():
    xy, colours = rng.random((2, 50)), rng.random((50, 3))

    def figure(pasted):
        fig = Figure(figsize=(3, 3), dpi=60)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        points = ax.scatter(*xy, c=colours, s=20, edgecolors="white")
        return fig, ax, (paste_pixels(points) if pasted else points)

    fig, ax, points = figure(True)
    plain, plain_ax, plain_points = figure(False)
    assert isinstance(points, PastedCollection)
    diff = np.abs(full_draw(fig).astype(int) - full_draw(plain).astype(int))
    assert diff.max() <= 3
    key = points._pasted[0]
    full_draw(fig)
    assert points._pasted[0] == key                       # pasted, not drawn again
    points.set_offsets(points.get_offsets() * 0.5)
    plain_points.set_offsets(plain_points.get_offsets() * 0.5)
    assert np.abs(full_draw(fig).astype(int) - full_draw(plain).astype(int)).max() <= 3
    assert points._pasted[0] != key
    with pytest.raises(TypeError, match="PathCollection"):
        paste_pixels(ax.plot([0], [0])[0])


def test_cached_text_with_a_box_keeps_the_box_in_its_pixels():
    from stepnn.views._base import CachedText

    def figure(kind):
        fig = Figure(figsize=(3, 1), dpi=72)
        FigureCanvasAgg(fig)
        ax = fig.add_axes([0, 0, 1, 1])
        ax.imshow(np.linspace(0, 1, 12).reshape(3, 4), aspect="auto")
        ax.set_axis_off()
        ax.add_artist(kind(0.5, 0.5, "the path left the plot", transform=ax.transAxes, ha="center",
                           va="center", clip_on=False, bbox=dict(boxstyle="round", fc="white", ec="none",
                                                                 alpha=0.8)))
        return fig

    plain, cached = figure(Text), figure(CachedText)
    assert np.abs(full_draw(plain).astype(int) - full_draw(cached).astype(int)).max() <= 3
