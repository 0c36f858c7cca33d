"""Every neuron's picture in the network diagram: each hidden unit's activation over the input
plane, equal to ``stepnn.neurons.unit_activations``, computed again only when the weights change,
on a fixed colour scale, small enough to fit and large enough to read."""
import numpy as np
import pytest
from matplotlib.collections import QuadMesh

from stepnn.neurons import unit_activations
from stepnn.views.neuron_pictures import MIN_SIDE_PX, RESOLUTION, plane_grid
from stepnn.views.style import LEVEL_CMAP, MAX_WIDTH_PX, SIGN_CMAP
from stepnn.widgets.stepthrough import StepThrough

from .test_views import make_trainer


def board_for(trainer=None, **kw):
    return StepThrough(trainer or make_trainer(), live=False, views=kw.pop("views", ("network",)), **kw)


def expected(trainer) -> list:
    return unit_activations(trainer.model, *plane_grid(trainer.X, RESOLUTION))


def assert_pictures_match(pictures, trainer):
    want = expected(trainer)
    assert len(pictures.meshes) == sum(trainer.model.sizes[1:-1])
    for mesh, (l, u) in zip(pictures.meshes, pictures.units):
        shown = np.ma.filled(mesh.get_array(), np.nan).reshape(want[l][u].shape)
        np.testing.assert_array_equal(shown, want[l][u])


def test_each_hidden_unit_shows_its_activation_over_the_input_plane():
    board = board_for()
    pictures = board.views["network"].pictures
    assert [(l, u) for l, u in pictures.units] == [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 1)]
    assert_pictures_match(pictures, board.trainer)
    for _ in range(3):
        board.step()
    assert_pictures_match(pictures, board.trainer)
    # the plane is the data's range: the first grid point lies left of and below every sample
    gx, gy = pictures.grid
    assert gx[0] < board.trainer.X[:, 0].min() and gx[-1] > board.trainer.X[:, 0].max()
    assert gy[0] < board.trainer.X[:, 1].min() and gy[-1] > board.trainer.X[:, 1].max()


def test_recomputed_only_when_the_weights_changed():
    board = board_for()
    pictures = board.views["network"].pictures
    start = pictures.recomputed
    first = [m.get_array().copy() for m in pictures.meshes]
    for phase in ("forward", "loss", "backward"):        # the weights do not change
        board.buttons[phase].click()
        assert pictures.recomputed == start, phase
    board.controls["sample"].value = 3                     # nor does the sample shown
    assert pictures.recomputed == start
    board.buttons["update"].click()
    assert pictures.recomputed == start + 1
    assert_pictures_match(pictures, board.trainer)
    assert any(not np.array_equal(m.get_array(), f) for m, f in zip(pictures.meshes, first))
    board.buttons["undo"].click()                           # back to the old weights
    assert pictures.recomputed == start + 2
    assert_pictures_match(pictures, board.trainer)
    board.step()
    board.step()
    board.controls["moment"].value = 0                     # goto the start
    assert all(np.array_equal(m.get_array(), f) for m, f in zip(pictures.meshes, first))
    board.buttons["reset"].click()
    assert_pictures_match(pictures, board.trainer)


@pytest.mark.parametrize("case", ["iris", "no_hidden_layer", "turned_off"])
def test_no_pictures_where_there_is_no_input_plane(case):
    if case == "iris":              # 4 inputs: no plane to draw on
        trainer = make_trainer("iris", hidden=(5,), output="softmax", loss="sparse_categorical_crossentropy")
    elif case == "no_hidden_layer":
        trainer = make_trainer(hidden=())
    else:
        trainer = make_trainer()
    board = board_for(trainer, neuron_pictures=case != "turned_off")
    network = board.views["network"]
    assert network.pictures is None
    assert not any(isinstance(c, QuadMesh) for c in network.ax.collections)
    board.step()
    assert board.errors == []


def test_colour_scale_fixed_by_the_activation():
    board = board_for(make_trainer(activation="tanh"))
    for mesh in board.views["network"].pictures.meshes:
        assert mesh.get_cmap().name.startswith(SIGN_CMAP) and mesh.get_clim() == (-1.0, 1.0)
    board = board_for(make_trainer(activation="sigmoid"))
    for mesh in board.views["network"].pictures.meshes:
        assert mesh.get_cmap().name.startswith(LEVEL_CMAP) and mesh.get_clim() == (0.0, 1.0)
    for _ in range(5):
        board.step()
    assert all(m.get_clim() == (0.0, 1.0) for m in board.views["network"].pictures.meshes)


def test_pictures_fit_in_the_diagram_readable_and_blitted():
    board = board_for(views=("network", "curves", "surface", "boundary"))
    network = board.views["network"]
    pictures = network.pictures
    assert pictures.side_px >= MIN_SIDE_PX
    board.figure.canvas.draw()
    frame = network.ax.get_window_extent()
    for mesh in pictures.meshes:
        box = mesh.get_window_extent()
        assert box.width >= MIN_SIDE_PX - 0.5 and abs(box.width - box.height) < 1.0
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    # every picture lies left of its own node, clear of it
    centres = network.ax.transData.transform(network.positions)
    hidden = centres[(network.positions[:, 0] > 0) & (network.positions[:, 0] < len(network.sizes) - 1)]
    for mesh, (x, y) in zip(pictures.meshes, hidden):
        box = mesh.get_window_extent()
        assert box.x1 < x and box.y0 < y < box.y1
    # the pictures are among the animated artists the blitter draws over its background
    animated = board.blitter.artists()
    assert all(mesh in animated and mesh.get_animated() for mesh in pictures.meshes)
    assert board.figure.get_figwidth() * board.figure.dpi <= MAX_WIDTH_PX


def test_too_many_units_to_read_gives_no_pictures():
    board = board_for(make_trainer(hidden=(40,)))
    assert board.views["network"].pictures.meshes == []
    board.step()
    assert board.errors == []


def test_a_diverging_run_keeps_its_pictures_and_raises_nothing():
    board = board_for(make_trainer(activation="linear", output="linear", loss="mse", learning_rate=10.0))
    for _ in range(6):
        board.step()
    assert board.trainer.diverged and board.errors == []
    assert_pictures_match(board.views["network"].pictures, board.trainer)
