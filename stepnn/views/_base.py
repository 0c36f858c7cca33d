"""What every view shares: the update contract, quiet axes, and fonts for Korean labels."""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager

from ..terms import term

__all__ = ["View", "korean_font", "use_language", "quiet_axes"]


class View:
    """A picture of one aspect of training, drawn on axes it is given.

    Subclasses create all their artists in ``__init__`` and change only their data in
    ``update(trainer)`` (``set_data``, ``set_array``, ``set_offsets``, ``set_text``); they never
    call ``draw``: the owner of the figure redraws once after all views have updated.
    """

    lang = "en"

    def update(self, trainer) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def t(self, key: str) -> str:
        """The course term ``key`` in this view's language."""
        return term(key, self.lang)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lang={self.lang!r})"


@lru_cache(maxsize=1)
def korean_font() -> "str | None":
    """Register a Hangul font with matplotlib and return its family name (None if none found).

    Looks in the koreanize-matplotlib package (a dependency that ships NanumGothic), then among
    the system fonts (Debian's fonts-nanum).
    """
    spec = importlib.util.find_spec("koreanize_matplotlib")
    candidates = []
    if spec is not None and spec.submodule_search_locations:
        candidates.append(Path(list(spec.submodule_search_locations)[0]) / "fonts" / "NanumGothic.ttf")
    candidates += [Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")]
    for path in candidates:
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    return None


def use_language(lang: str) -> None:
    """Make matplotlib able to draw ``lang``'s labels (for "ko": a Hangul font, with DejaVu Sans
    kept first for Latin letters and digits, and a real minus sign)."""
    if lang == "ko":
        family = korean_font()
        if family is None:
            raise RuntimeError("No Hangul font found for Korean labels: install stepnn's dependency "
                               "koreanize-matplotlib (pip) or the Debian package fonts-nanum.")
        # a list of families: matplotlib falls back glyph by glyph from the first to the next
        matplotlib.rcParams["font.family"] = ["DejaVu Sans", family]
        matplotlib.rcParams["axes.unicode_minus"] = False


def quiet_axes(ax, ticks: bool = False) -> None:
    """Strip what costs redraw time and says nothing in a diagram or a heatmap (tick labels)."""
    if not ticks:
        ax.set_xticks([])
        ax.set_yticks([])
