"""The lessons' own charts: labels in the chosen language, every Hangul glyph drawn with a
figure-local font, matplotlib's global settings untouched."""
from __future__ import annotations

import io
import logging
import re
import warnings

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import stepnn as sn  # noqa: E402
from stepnn.views import lesson_plots  # noqa: E402


def _descent_paths(lang):
    X, y = sn.datasets.linear(n=20, noise=0.3, seed=0)
    model = sn.Sequential([sn.Dense(1, 1, activation="linear", weights=([[0.0]], [0.0]))])
    plane = sn.surface.weight_plane(model, "W1[0,0]", "b1[0]")
    grid = sn.surface.surface(model, X, y, "mse", plane, np.linspace(-0.5, 3, 9),
                              np.linspace(-2, 0.5, 9))
    path = np.array([[0.0, 0.0], [0.5, -0.2], [1.0, -0.5]])
    runs = {"stochastic": (path, np.array([3.0, 2.0, 1.0])),
            "full-batch": (path[:2], np.array([3.0, 2.5]))}
    return lesson_plots.descent_paths(grid, runs, epochs=3, lang=lang)


@pytest.fixture(autouse=True)
def agg_pyplot():
    """pyplot on Agg for each test: another test in the same process may have made ipympl the
    pyplot backend, whose toolbar warns when warnings are errors."""
    previous = matplotlib.get_backend()
    plt.switch_backend("Agg")
    yield
    plt.close("all")
    plt.switch_backend(previous)


MAKERS = {
    "descent_paths": _descent_paths,
    "batch_loss_curves": lambda lang: lesson_plots.batch_loss_curves(
        {4: np.linspace(1, 0.2, 50), 64: np.linspace(1, 0.3, 5)}, epochs=20, lang=lang),
    "early_stopping_curves": lambda lang: lesson_plots.early_stopping_curves(
        np.linspace(1, 0.1, 30), np.linspace(1, 0.5, 30), best=12, stopped=22, lang=lang),
}


def _texts(fig) -> list:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


@pytest.mark.parametrize("name", MAKERS)
def test_korean_chart_draws_every_glyph_and_says_no_english_word(name, caplog):
    plain = {"font.family": ["sans-serif"], "font.sans-serif": ["DejaVu Sans"]}
    before = dict(matplotlib.rcParams)
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING, logger="matplotlib"), \
            matplotlib.rc_context(plain):
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" is a UserWarning
        fig = MAKERS[name]("ko")
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
    assert dict(matplotlib.rcParams) == before
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("matplotlib")]
    words = [t for t in _texts(fig) if re.search(r"[\uac00-\ud7a3]", t)]
    assert len(words) >= 3, _texts(fig)
    for text in _texts(fig):
        if text.startswith("$"):  # a tick label: a number in mathtext
            continue
        english = [w for w in re.findall(r"[A-Za-z]+", text) if w not in ("w", "b")]
        assert english == [], text


@pytest.mark.parametrize("name", MAKERS)
def test_chart_follows_the_chosen_language(name):
    sn.set_language("ko")
    try:
        fig = MAKERS[name](None)
    finally:
        sn.set_language("en")
    assert any(re.search(r"[\uac00-\ud7a3]", t) for t in _texts(fig))
    plt.close(fig)
    fig = MAKERS[name](None)
    assert not any(re.search(r"[\uac00-\ud7a3]", t) for t in _texts(fig))
    plt.close(fig)


def test_english_labels_are_the_lessons_words():
    fig = MAKERS["early_stopping_curves"]("en")
    texts = set(_texts(fig))
    plt.close(fig)
    assert {"training loss", "validation loss", "best validation, epoch 12",
            "early stopping, epoch 22", "epoch", "loss"} <= texts
    fig = MAKERS["descent_paths"]("en")
    texts = set(_texts(fig))
    plt.close(fig)
    assert {"weight w", "bias b", "paths on the loss surface", "loss after every update",
            "stochastic", "full-batch"} <= texts
