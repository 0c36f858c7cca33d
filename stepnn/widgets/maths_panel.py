"""The maths beside the views: a checkbox that shows, under a dashboard, the formula behind the
phase just run, filled in with the numbers of the chosen sample (``stepnn.maths_text``), as an
ipywidgets ``HTMLMath`` (MathJax typesets it; JupyterLab ships MathJax).

While the box is unchecked nothing is computed: ``update`` only remembers what to show.
"""
from __future__ import annotations

import ipywidgets as widgets

from .. import maths_text
from ..terms import phrase, resolve_language

__all__ = ["MathsPanel"]


class MathsPanel:
    """A "Show the maths" checkbox and, while it is checked, the maths of the last phase.

    Args:
        lang: "en" or "ko" (None: the language chosen by ``stepnn.set_language``).
        shown: whether the box starts checked.

    Attributes:
        checkbox: the ``widgets.Checkbox`` (class ``stepnn-maths-toggle``).
        html: the ``widgets.HTMLMath`` (class ``stepnn-maths``), hidden while unchecked.
        widget: both, in a VBox.
        renders: how many times the maths was built (it is not while the box is unchecked).
    """

    def __init__(self, lang: "str | None" = None, shown: bool = False):
        self.lang = resolve_language(lang)
        self.checkbox = widgets.Checkbox(value=bool(shown), description=phrase("maths.checkbox", self.lang),
                                         indent=False, layout=widgets.Layout(width="auto"))
        self.checkbox.add_class("stepnn-maths-toggle")
        self.html = widgets.HTMLMath(value="", layout=widgets.Layout(overflow="auto", max_width="100%"))
        self.html.add_class("stepnn-maths")
        self.widget = widgets.VBox([self.checkbox, self.html])
        self.renders = 0
        self._source = None   # (trainer, sample) of the last update
        self.checkbox.observe(lambda change: self._show(), names="value")
        self._show()

    @property
    def shown(self) -> bool:
        return bool(self.checkbox.value)

    def update(self, trainer, sample: int = 0) -> None:
        """Show the maths of ``trainer``'s last phase for sample ``sample`` of the batch (when the
        box is checked; otherwise remember them for when it is)."""
        self._source = (trainer, int(sample))
        if self.shown:
            self._render()

    def _show(self) -> None:
        self.html.layout.display = None if self.shown else "none"
        if self.shown and self._source is not None:
            self._render()
        elif not self.shown:
            self.html.value = ""

    def _render(self) -> None:
        trainer, sample = self._source
        self.html.value = maths_text.phase_maths(trainer, sample, self.lang)
        self.renders += 1

    def __repr__(self) -> str:
        return f"MathsPanel(shown={self.shown}, lang={self.lang!r}, renders={self.renders})"
