"""The dashboards' own bad-argument errors follow the language: the dashboard's ``lang=`` when
given, else the one chosen by ``set_language``; English stays word for word as it was."""
from __future__ import annotations

import re

import numpy as np
import pytest
from matplotlib.figure import Figure

import stepnn as sn
from stepnn.chain import ComputationGraph
from stepnn.views import diagrams, export
from stepnn.views.boundary import BoundaryView
from stepnn.views.graph import ParameterTableView
from stepnn.views.heatmaps import ActivationHeatmaps
from stepnn.views.loss_curves import loss_point
from stepnn.views.style import check_scale
from stepnn.views.surface import RaceSurfaceView, SurfaceView
from stepnn.widgets.chain_rule import ChainRule
from stepnn.widgets.descent import DescentExplorer
from stepnn.widgets.playground import make_regularizer
from stepnn.widgets.race import OptimizerRace, run_specs
from stepnn.widgets.stepthrough import StepThrough

# (id, call(lang), value received as the message shows it, the English message)
BAD_CALLS = [
    ("stepthrough_trainer", lambda lang: StepThrough("net", lang=lang), "str",
     "StepThrough needs a stepnn.Trainer; received str. Create one with "
     "stepnn.Trainer(model, X, y, loss=...)."),
    ("race_dataset", lambda lang: OptimizerRace(dataset="circel", lang=lang), "'circel'",
     "dataset must be one of ('circle', 'xor', 'gauss', 'spiral', 'moons', 'linear', 'sine', "
     "'iris'); received 'circel'."),
    ("race_runs", lambda lang: run_specs("fast"), "'fast'",
     "runs must be a preset name ('batch', 'optimizers') or a list of dicts; received 'fast'."),
    ("race_epochs", lambda lang: OptimizerRace(max_epochs=0, lang=lang), "0",
     "max_epochs must be a whole number >= 1; received 0."),
    ("descent_problem", lambda lang: DescentExplorer(problem="cubic", lang=lang), "'cubic'",
     "problem must be one of ('quadratic', 'linear_regression'); received 'cubic'."),
    ("chain_rule_rate", lambda lang: ChainRule(learning_rate=50, lang=lang), "50",
     "learning_rate must be in [0.001, 10] (the slider's range), e.g. 0.5; received 50."),
    ("playground_regularizer", lambda lang: make_regularizer("l3", 0.01), "'l3'",
     "the regularizer must be one of ('none', 'l1', 'l2', 'l1_l2'); received 'l3'."),
    ("race_sizes", lambda lang: OptimizerRace(sizes=(2, 4), lang=lang), "(2, 4)",
     "sizes must be the units per layer, input first, e.g. (2, 4, 1): whole numbers >= 1, starting "
     "with 2 (the inputs of xor) and ending with 1; received (2, 4)."),
    ("race_seed", lambda lang: OptimizerRace(seed=-1, lang=lang), "-1",
     "seed must be a whole number >= 0 (numpy's generators need it), e.g. 0; received -1."),
    ("stepthrough_dpi", lambda lang: StepThrough(_trainer(), dpi=0, lang=lang), "0",
     "dpi must be a number from 10 to 600 (80 fits a notebook; 150 for a sharp saved picture); "
     "received 0."),
    ("stepthrough_figsize", lambda lang: StepThrough(_trainer(), figsize=(200, 200), lang=lang),
     "(200, 200)", "figsize must be (width, height) in inches, both > 0 and at most 8000 pixels at "
     "dpi 80, e.g. (10.4, 8); received (200, 200). Leave it out for the size that fits the page."),
]


def _error(call, lang, chosen="en") -> str:
    sn.set_language(chosen)
    try:
        with pytest.raises((TypeError, ValueError)) as info:
            call(lang)
        return str(info.value)
    finally:
        sn.set_language("en")


@pytest.mark.parametrize("name, call, received, english", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_dashboard_errors_follow_the_language(name, call, received, english):
    assert _error(call, None) == english
    korean = _error(call, None, chosen="ko")
    prose = re.sub(r"'[^']*'|\([^)]*\)|\S*[0-9_.=\[\]]\S*", " ", korean)
    english = [word for word in prose.split() if re.fullmatch(r"[A-Za-z]{2,}[,.;:]?", word)]
    assert re.search(r"[\uac00-\ud7a3]", korean) and english == [], (korean, english)
    assert received in korean


def test_the_dashboards_lang_argument_chooses_its_errors_language():
    korean = _error(lambda lang: StepThrough("net", lang=lang), "ko")
    assert "stepnn.Trainer가 필요한데" in korean
    assert _error(lambda lang: DescentExplorer(problem="cubic", lang=lang), "en", chosen="ko") == \
        "problem must be one of ('quadratic', 'linear_regression'); received 'cubic'."


def test_a_built_dashboards_errors_speak_its_language():
    board = DescentExplorer(lang="ko", live=False)
    with pytest.raises(ValueError) as info:
        board.restart([1.0])
    assert "시작점은 유한한 숫자 두 개" in str(info.value) and "array([1.])" in str(info.value)
    board = DescentExplorer(lang="en", live=False)
    with pytest.raises(ValueError, match=r"a start is two finite numbers \(w1, w2\); received "):
        board.restart([1.0])


def test_a_core_error_in_a_dashboard_speaks_the_dashboards_language():
    """The core's own messages (here a phase called out of order) follow the dashboard's
    ``lang=``, not the language chosen by ``set_language``, and that choice stays as it was."""
    X, y = sn.datasets.circle(40, seed=0)
    model = sn.Sequential([sn.Dense(2, 4, activation="relu"),
                           sn.Dense(4, 1, activation="sigmoid")], seed=0)
    for chosen, lang, expected in (("en", "ko", "아직 실행할 수 없습니다"),
                                   ("ko", "en", "cannot run yet")):
        sn.set_language(chosen)
        try:
            trainer = sn.Trainer(model, X, y, loss="binary_crossentropy", batch_size=8)
            dash = StepThrough(trainer, lang=lang, live=False)
            dash.run_phase("backward")
            assert "PhaseError" in dash.message.value and expected in dash.message.value
            assert sn.get_language() == chosen
            assert trainer.next_phase == "forward"
        finally:
            sn.set_language("en")


def _trainer() -> sn.Trainer:
    X, y = sn.datasets.circle(n=20, seed=0)
    model = sn.Sequential([sn.Dense(2, 3, activation="tanh"), sn.Dense(3, 1, activation="sigmoid")])
    return sn.Trainer(model, X, y, loss="binary_crossentropy")


def _ax():
    return Figure().subplots()


# The views' and the figure exports' own errors: (id, call(tmp folder), value received as the
# message shows it, the English message with the tmp folder written <tmp>)
VIEW_CALLS = [
    ("save_png_suffix", lambda tmp: export.save_png(Figure(), tmp / "fig.bmp"), "fig.bmp",
     "the file name must end in one of .png, .jpg, .jpeg, .svg, .pdf (the format is taken from "
     "it); received '<tmp>/fig.bmp'. Example: 'figure.png'."),
    ("save_png_dpi", lambda tmp: export.save_png(Figure(), tmp / "fig.png", dpi=0), "0",
     "dpi must be a number > 0 and at most 1200, e.g. 150; received 0."),
    ("save_png_dpi_huge", lambda tmp: export.save_png(Figure(), tmp / "fig.png", dpi=1e6), "1000000.0",
     "dpi must be a number > 0 and at most 1200, e.g. 150; received 1000000.0."),
    ("save_gif_dpi", lambda tmp: export.save_gif(tmp / "run.gif", Figure(), print, 2, dpi=-5), "-5",
     "dpi must be a number > 0 and at most 1200, e.g. 150; received -5."),
    ("save_png_figure", lambda tmp: export.save_png("fig", tmp / "fig.png"), "str",
     "expected a matplotlib Figure; received str."),
    ("save_gif_suffix", lambda tmp: export.save_gif(tmp / "run.png", Figure(), print, 2), "run.png",
     "save_gif writes a GIF: the path must end in .gif; received '<tmp>/run.png'."),
    ("save_gif_n_frames", lambda tmp: export.save_gif(tmp / "run.gif", Figure(), print, 0), "0",
     "n_frames must be a whole number >= 1; received 0."),
    ("save_gif_fps", lambda tmp: export.save_gif(tmp / "run.gif", Figure(), print, 2, fps=-1), "-1",
     "fps must be a number from 0.1 to 50, the frames per second of the GIF (a frame lasts 0.02 to 10 s), e.g. 5; received -1."),
    ("save_gif_frames", lambda tmp: export.save_gif(tmp / "run.gif", Figure(), "frames", 2), "str",
     "frames must be a function frames(i) that updates the figure; received str."),
    ("scale", lambda tmp: check_scale(5), "5",
     "scale must be a number from 0.5 to 3 (1 is the normal size, 1.5 makes everything larger for "
     "a projector); received 5."),
    ("diagram_too_big", lambda tmp: diagrams.network([(np.zeros((5, 1)), np.zeros(1))]), "[5, 1]",
     "a diagram with readable numbers has at most 4 layers of at most 4 units; received sizes "
     "[5, 1]."),
    ("diagram_timeline", lambda tmp: diagrams.epoch_timeline(epochs=5), "5",
     "a readable timeline shows at most 4 epochs and 64 samples in all; received 5 epochs of 10 "
     "samples."),
    ("diagram_save", lambda tmp: diagrams.epoch_timeline().save(tmp / "timeline.gif"),
     "timeline.gif", "a diagram is saved as .png or .svg; received the path "
     "PosixPath('<tmp>/timeline.gif')."),
    ("surface_directions", lambda tmp: SurfaceView(_ax(), _trainer(), directions="random"),
     "'random'", "directions must be one of ('weights', 'pca'); received 'random'."),
    ("surface_span", lambda tmp: SurfaceView(_ax(), _trainer(), span=-1.0), "-1.0",
     "span must be a positive number; received -1.0."),
    ("race_labels", lambda tmp: RaceSurfaceView(_ax(), [_trainer(), _trainer()], ["SGD"]), "1",
     "one label per run: 2 runs, 1 labels."),
    ("boundary_resolution", lambda tmp: BoundaryView(_ax(), _trainer(), resolution=1), "1",
     "resolution must be a whole number >= 2 (grid points per axis); received 1."),
    ("heatmaps_axes", lambda tmp: ActivationHeatmaps([_ax()], _trainer()), "1",
     "ActivationHeatmaps needs 4 axes; received 1. Create them with e.g. fig.subplots(1, 4)."),
    ("graph_groups", lambda tmp: ParameterTableView(_ax(), ComputationGraph.example(), groups=3), "3",
     "groups must be 1 (one column of rows) or 2 (side by side); received 3."),
    ("loss_point_rows", lambda tmp: loss_point("mse", [[1.0], [0.0]], [[0.5], [0.2]]), "(2, 1)",
     "loss_point evaluates one sample: y_pred must have shape (1, k); received (2, 1)."),
]


def _view_error(call, tmp, lang: str) -> str:
    sn.set_language(lang)
    try:
        with pytest.raises((TypeError, ValueError)) as info:
            call(tmp)
        return str(info.value).replace(str(tmp), "<tmp>")
    finally:
        sn.set_language("en")


@pytest.mark.parametrize("name, call, received, english", VIEW_CALLS, ids=[c[0] for c in VIEW_CALLS])
def test_view_and_export_errors_follow_the_language(tmp_path, name, call, received, english):
    assert _view_error(call, tmp_path, "en") == english
    korean = _view_error(call, tmp_path, "ko")
    prose = re.sub(r"'[^']*'|\w*\([^)]*\)|\S*[0-9_.=\[\]]\S*", " ", korean)  # a call f(i) is code
    words = [word for word in prose.split() if re.fullmatch(r"[A-Za-z]{2,}[,.;:]?", word)]
    assert re.search(r"[\uac00-\ud7a3]", korean) and words == [], (korean, words)
    assert received in korean
    assert not list(tmp_path.iterdir()), "a refused export wrote a file"
