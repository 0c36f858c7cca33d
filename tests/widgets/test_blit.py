"""Blitting, as matplotlib documents it: a blitted frame must hold the very pixels of a full draw
of the same figure (on the oldest matplotlib the package declares and on the newest), and the
blitter must draw in full whenever something besides the animated artists changed."""
import io

import ipywidgets as widgets
import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from PIL import Image

from stepnn.views.blit import Blitter
from stepnn.widgets import ipympl_available
from stepnn.widgets.stepthrough import StepThrough

from .test_views import make_trainer


def pixels(fig) -> np.ndarray:
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def full_draw(fig) -> np.ndarray:
    """The pixels of a full draw of ``fig``, the animated artists included (savefig draws them),
    leaving the canvas and the blitter's background as they were. savefig sets the figure's dpi
    and colour and puts them back, which marks it stale: what it was before is restored, so the
    comparison does not change the next frame into a full draw."""
    stale = fig.stale
    buf = io.BytesIO()
    fig.savefig(buf, format="rgba", dpi=fig.dpi)
    fig.stale = stale
    width, height = fig.canvas.get_width_height()
    return np.frombuffer(buf.getvalue(), np.uint8).reshape(height, width, 4)


def assert_same_as_full_draw(fig, what=""):
    blitted = pixels(fig)
    full = full_draw(fig)
    diff = np.abs(blitted.astype(int) - full.astype(int))
    assert diff.max() == 0, (f"{what}: {np.count_nonzero(diff.max(axis=2))} pixels differ by up to "
                             f"{diff.max()} (matplotlib {matplotlib.__version__})")


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
    blitter, blits = board.blitter, []
    for name, values in ACTIONS:
        before = blitter.blits
        act(board, name, values)
        blits.append(blitter.blits - before)
        assert_same_as_full_draw(board.figure, f"after {name} {values}")
    assert board.errors == []
    # a run of steps mostly blits (full draws: new limits, a new surface; on the PCA plane also the
    # first few steps, while the path's loss chart finds its range)
    assert sum(blits[4:18]) >= (10 if surface == "weights" else 4)


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


def test_a_step_blits_the_views_dynamic_artists_over_the_background():
    board = StepThrough(make_trainer(), live=False, dpi=50)
    for _ in range(5):    # the heatmaps' colour scales find their range (a new range: a full draw)
        board.buttons["step"].click()
    blits = board.blitter.blits
    board.buttons["step"].click()
    assert board.blitter.blits == blits + 1
    animated = {id(a) for a in board.blitter.artists()}
    surface = board.views["surface"]
    for static in surface.contours + [surface.title, board.views["curves"].x_label]:
        assert id(static) not in animated and not static.get_animated()
    for view in board.views.values():
        for artist in view.dynamic_artists():
            assert id(artist) in animated


def test_a_step_keeps_the_phase_sentence_drawn_and_a_phase_click_draws_it_again():
    board = StepThrough(make_trainer(), live=False, dpi=50)
    for _ in range(5):
        board.buttons["step"].click()
    network = board.views["network"]
    occasional = {id(a) for a in board.blitter.occasional_artists()}
    assert occasional == {id(a) for a in network.occasional_artists()} and network.title.get_animated()
    assert not occasional & {id(a) for a in board.blitter.artists()}
    blits, midgrounds = board.blitter.blits, board.blitter.midgrounds
    board.buttons["step"].click()            # the same sentence ("Update: ..."): not drawn again
    assert (board.blitter.blits, board.blitter.midgrounds) == (blits + 1, midgrounds)
    assert_same_as_full_draw(board.figure, "a step over the kept sentence")
    board.buttons["forward"].click()         # another sentence: drawn once, and kept
    assert board.blitter.midgrounds == midgrounds + 1 and "Forward" in network.title.get_text()
    assert_same_as_full_draw(board.figure, "forward")
    board.controls["sample"].value = 3       # the sentence stays
    assert board.blitter.midgrounds == midgrounds + 1
    assert_same_as_full_draw(board.figure, "another sample")


def test_full_draws_come_only_with_a_new_surface_or_new_limits():
    board = StepThrough(make_trainer(), live=False, dpi=50)
    surface, curves = board.views["surface"], board.views["curves"]
    board.buttons["step"].click()
    expected = full = 0
    def scales():   # the heatmaps' colour scales (they grow in steps of 1, 2, 5 x 10^k)
        return [m.get_clim() for m in board.views["heatmaps"].z_images + board.views["gradients"].images]

    for _ in range(25):
        before, limits, drawn = surface._refreshed_at, curves.ax.get_xlim(), board.blitter.full_draws
        clims = scales()
        board.buttons["step"].click()
        changed = surface._refreshed_at != before or curves.ax.get_xlim() != limits or scales() != clims
        expected += changed
        full += board.blitter.full_draws - drawn
        assert (board.blitter.full_draws != drawn) == changed
    assert 3 <= expected <= 8 and full == expected   # surface: every 10 iterations; x range: 13, 26


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


def sent_image(data, fig) -> np.ndarray:
    """An image a live canvas sent: a PNG (older matplotlib) or the raw RGBA buffer (newer)."""
    data = bytes(data)
    if data.startswith(b"\x89PNG"):
        return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))
    width, height = fig.canvas.get_width_height()
    return np.frombuffer(data, np.uint8).reshape(height, width, 4)


def test_a_live_dashboard_waits_for_the_page_then_blits_and_sends_the_new_pixels(require):
    if not ipympl_available():
        require("ipympl is not installed")
    board = StepThrough(make_trainer(), live=True, dpi=40)
    canvas = board.figure.canvas
    assert isinstance(canvas, widgets.DOMWidget)
    canvas.set_image_mode("full")      # every image sent whole, so it can be compared below
    sent = []
    canvas.send = lambda content, buffers=None: sent.append((content["data"], buffers))
    for _ in range(5):                 # no page yet: only requests to draw, no pixels
        board.buttons["step"].click()
    assert {data for data, _ in sent} == {'{"type": "draw"}'} and board.blitter.blits == 0
    canvas.handle_event({"type": "draw"})   # the page is up and asks for the draw (webagg protocol)
    assert board.blitter.full_draws == 1 and '{"type": "binary"}' in [data for data, _ in sent]
    sent.clear()
    board.buttons["step"].click()      # blitted at once and sent, no round trip through the page
    assert board.blitter.blits == 1 and board.errors == []
    binary = [buffers[0] for data, buffers in sent if data == '{"type": "binary"}']
    assert len(binary) == 1
    np.testing.assert_array_equal(sent_image(binary[0], board.figure), pixels(board.figure))
    assert_same_as_full_draw(board.figure, "live")
    sent.clear()
    board.blitter.invalidate()         # a full draw, once the page is up: drawn and sent at once
    board.buttons["step"].click()
    assert board.blitter.full_draws == 2 and [data for data, _ in sent] == ['{"type": "binary"}']
    np.testing.assert_array_equal(sent_image(sent[0][1][0], board.figure), pixels(board.figure))
    assert_same_as_full_draw(board.figure, "live, drawn in full")


def test_no_dashboard_animates_an_image():
    # before matplotlib 3.11, Axes.draw draws animated images into the background (matplotlib
    # issue 18985): the views draw changing grids as meshes instead
    board = StepThrough(make_trainer(), live=False, dpi=30)
    board.buttons["step"].click()
    animated = board.blitter.artists()
    assert animated and not any(isinstance(a, AxesImage) for a in animated)
    assert all(a.get_animated() for a in animated)


# --------------------------------------------------------------------------- the blitter
def two_lines():
    fig = Figure(figsize=(4, 3), dpi=60)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    (static,) = ax.plot([0, 1], [0, 1], lw=3)
    (moving,) = ax.plot([0, 1], [1, 0], lw=3, zorder=3)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    return fig, ax, static, moving


def test_the_blitter_blits_while_only_dynamic_artists_change():
    fig, ax, static, moving = two_lines()
    blitter = Blitter(fig, lambda: [moving])
    assert moving.get_animated() and not static.get_animated()
    assert blitter.draw() is True                      # the first draw is a full one
    for y in (0.2, 0.5, 0.9):
        moving.set_ydata([y, 1 - y])
        assert blitter.draw() is False
        assert_same_as_full_draw(fig)
    assert (blitter.full_draws, blitter.blits) == (1, 3)


def test_occasional_artists_are_drawn_again_only_when_one_changed():
    fig, ax, static, moving = two_lines()
    label = ax.text(0.05, 0.9, "first", zorder=0.5)     # apart from the moving line
    hidden = ax.text(0.55, 0.9, "", zorder=0.5)
    blitter = Blitter(fig, lambda: [moving], occasional=lambda: [label, hidden])
    assert label.get_animated() and hidden.get_animated()
    assert blitter.draw() is True                  # the first draw is a full one, the labels kept
    assert (blitter.full_draws, blitter.midgrounds) == (1, 1)
    drawn = []
    draw = label.draw
    label.draw = lambda renderer: (drawn.append(label.get_text()), draw(renderer))[1]
    for y in (0.2, 0.5):
        moving.set_ydata([y, 1 - y])
        assert blitter.draw() is False and drawn == []       # (the comparison's savefig draws it)
        assert_same_as_full_draw(fig, f"moving {y}")
        drawn.clear()
    assert blitter.midgrounds == 1
    label.set_text("second")
    moving.set_ydata([0.7, 0.3])
    assert blitter.draw() is False and drawn == ["second"] and blitter.midgrounds == 2
    assert_same_as_full_draw(fig, "a new label")
    hidden.set_text("shown")                 # a text made visible, then empty again
    assert blitter.draw() is False and blitter.midgrounds == 3
    assert_same_as_full_draw(fig, "shown")
    hidden.set_text("")
    blitter.draw()
    moving.set_ydata([0.1, 0.9])
    assert blitter.draw() is False and blitter.midgrounds == 4   # an empty text is not stale for ever
    assert_same_as_full_draw(fig, "hidden again")


@pytest.mark.parametrize("change", ["limits", "static data", "static hidden", "new artist", "resize",
                                    "removed", "invalidate", "new dynamic artist"])
def test_the_blitter_draws_in_full_when_the_background_changed(change):
    fig, ax, static, moving = two_lines()
    extra = []
    blitter = Blitter(fig, lambda: [moving, *extra])
    blitter.draw()
    changes = {"limits": lambda: ax.set_xlim(0, 2), "static data": lambda: static.set_ydata([0.5, 0.5]),
               "static hidden": lambda: static.set_visible(False),
               "new artist": lambda: ax.plot([0, 1], [0.5, 0.5]),
               "resize": lambda: fig.set_size_inches(5, 3), "removed": static.remove,
               "invalidate": blitter.invalidate,
               "new dynamic artist": lambda: extra.append(ax.plot([0, 1], [0.3, 0.3], zorder=4)[0])}
    changes[change]()
    assert blitter.draw() is True
    assert_same_as_full_draw(fig, change)
    moving.set_ydata([0.3, 0.3])
    assert blitter.draw() is False
    assert_same_as_full_draw(fig, change)


def test_saving_the_figure_keeps_the_background():
    fig, ax, static, moving = two_lines()
    blitter = Blitter(fig, lambda: [moving])
    blitter.draw()
    fig.savefig(io.BytesIO(), format="png", dpi=30)   # another size: not a background
    assert blitter.full_draws == 1
    moving.set_ydata([0.4, 0.6])
    blitter.draw()        # savefig marks the figure stale: a full draw, or a blit, must be right
    assert_same_as_full_draw(fig, "after savefig")
    moving.set_ydata([0.1, 0.9])
    assert blitter.draw() is False
    assert_same_as_full_draw(fig, "the next frame")


@pytest.mark.parametrize("surface", ["weights", "pca"])
def test_frames_after_an_added_point_and_its_undo_equal_a_full_draw(surface):
    from .test_playground_ui import click
    board = StepThrough(make_trainer(validation_split=0.2), live=False, dpi=50, surface=surface)
    for _ in range(3):
        board.buttons["step"].click()
    board.playground.controls["point_class"].value = 1
    view = board.views["boundary"]
    x1, y1 = view.ax.get_xlim()[1], view.ax.get_ylim()[1]
    for what, do in [("a point inside the range", lambda: click(board, 0.5, 0.5)),
                     ("a step", lambda: board.buttons["step"].click()),
                     ("a point that widens the range", lambda: click(board, x1 - 0.01, y1 - 0.01)),
                     ("a step", lambda: board.buttons["step"].click()),
                     ("undo", lambda: board.buttons["undo"].click()),
                     ("undo of the point", lambda: board.buttons["undo"].click()),
                     ("a step", lambda: board.buttons["step"].click())]:
        do()
        assert_same_as_full_draw(board.figure, f"after {what}")
    assert board.views["boundary"] is view and board.errors == []
