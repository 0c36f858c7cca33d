"""Export: the file holds the format its name asks for; whole numbers of any integer type."""
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.backends.backend_agg import FigureCanvasAgg

from stepnn.views import export

MAGIC = {".png": b"\x89PNG", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".svg": b"<?xml",
         ".pdf": b"%PDF"}


def figure():
    fig = Figure(figsize=(2, 1.5), dpi=50)
    FigureCanvasAgg(fig)
    fig.add_subplot().plot([0, 1], [1, 0])
    return fig


@pytest.mark.parametrize("suffix", sorted(MAGIC))
def test_save_png_writes_the_format_the_name_asks_for(tmp_path, suffix):
    path = export.save_png(figure(), tmp_path / f"x{suffix.upper() if suffix == '.jpg' else suffix}")
    assert open(path, "rb").read(8).startswith(MAGIC[suffix])


@pytest.mark.parametrize("name", ["x.gif", "x.bmp", "x", "x.png.txt"])
def test_save_png_refuses_other_suffixes_and_writes_nothing(tmp_path, name):
    with pytest.raises(ValueError, match="must end in one of .png"):
        export.save_png(figure(), tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_save_gif_takes_numpy_whole_numbers(tmp_path):
    fig = figure()
    seen = []
    path = export.save_gif(tmp_path / "a.gif", fig, seen.append, n_frames=np.int64(3), fps=np.float32(4))
    assert seen == [0, 1, 2] and open(path, "rb").read(3) == b"GIF"
    for bad in (0, 2.0, True, np.float64(2)):
        with pytest.raises(ValueError, match="whole number"):
            export.save_gif(tmp_path / "b.gif", fig, seen.append, n_frames=bad)
    png = export.save_png(fig, tmp_path / "c.png", dpi=np.int64(40))
    assert open(png, "rb").read(4) == b"\x89PNG"
