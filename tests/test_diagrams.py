"""The lessons' pictures: drawn by code, readable at the size a laptop shows them, in either
language's words."""
from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.text import Text
from PIL import Image

from stepnn.views import diagrams

MIN_TEXT_PX = 12
NARROWEST_OUTPUT_PX = 592   # a 1024 px window with the file browser open

W1 = np.array([[0.5, -0.3, 0.8], [0.2, 0.9, -0.4]])
b1 = np.array([0.1, 0.0, -0.2])
W2 = np.array([[0.7], [-0.5], [0.3]])
b2 = np.array([0.25])

MAKERS = {
    "training_loop": lambda lang: diagrams.training_loop(lang=lang),
    "network": lambda lang: diagrams.network([(W1, b1), (W2, b2)], lang=lang, activations=["ReLU", "σ"]),
    "chain_graph": lambda lang: diagrams.chain_graph(lang=lang),
    "epoch_timeline": lambda lang: diagrams.epoch_timeline(10, 4, 2, lang=lang),
}


def texts(diagram) -> list[Text]:
    return [t for t in diagram.figure.findobj(Text) if t.get_text().strip()]


@pytest.mark.parametrize("name", MAKERS)
def test_diagram_is_a_png_of_readable_text(name):
    diagram = MAKERS[name]("en")
    png = Image.open(io.BytesIO(diagram._repr_png_()))
    assert png.width <= diagrams.MAX_WIDTH * diagrams.DPI
    scale = min(1.0, NARROWEST_OUTPUT_PX / png.width)
    for text in texts(diagram):
        px = text.get_fontsize() * diagrams.DPI / 72 * scale
        assert px >= MIN_TEXT_PX, f"{text.get_text()!r} is {px:.1f} px"
    assert repr(diagram).startswith("Diagram: ")


@pytest.mark.parametrize("name", MAKERS)
def test_diagram_speaks_korean_when_asked(name):
    english = {t.get_text() for t in texts(MAKERS[name]("en"))}
    korean = {t.get_text() for t in texts(MAKERS[name]("ko"))}
    assert any(any("\uac00" <= ch <= "\ud7a3" for ch in t) for t in korean)
    assert english != korean
    assert repr(MAKERS[name]("ko")).startswith("그림: ")


def test_network_writes_every_weight_and_bias():
    words = {t.get_text() for t in texts(MAKERS["network"]("en"))}
    for value in list(W1.ravel()) + list(W2.ravel()):
        assert f"{value:g}" in words
    for value in list(b1) + list(b2):
        assert f"b = {value:g}" in words


def test_network_refuses_layers_that_do_not_chain():
    with pytest.raises(ValueError, match="W must be"):
        diagrams.network([(W1, b1), (W2.T, b2)])


@pytest.mark.parametrize("n, batch, drop_last, boxes", [(12, 4, False, 3), (10, 4, False, 3),
                                                          (10, 4, True, 2)])
def test_timeline_has_one_box_per_iteration(n, batch, drop_last, boxes):
    words = [t.get_text() for t in texts(diagrams.epoch_timeline(n, batch, 2, drop_last=drop_last))]
    iterations = [w for w in words if w.startswith("it. ")]
    assert iterations == [f"it. {i}" for i in range(1, 2 * boxes + 1)]
    assert words.count("dropped") == (2 if drop_last and n % batch else 0)


def test_timeline_refuses_bad_sizes():
    with pytest.raises(ValueError, match="batch_size"):
        diagrams.epoch_timeline(10, 0)


def test_save_writes_png_and_svg(tmp_path):
    diagram = diagrams.training_loop()
    diagram.save(tmp_path / "loop.png")
    diagram.save(tmp_path / "loop.svg")
    assert (tmp_path / "loop.png").read_bytes()[:4] == b"\x89PNG"
    assert b"<svg" in (tmp_path / "loop.svg").read_bytes()[:400]
    with pytest.raises(ValueError, match=".png or .svg"):
        diagram.save(tmp_path / "loop.jpg")
