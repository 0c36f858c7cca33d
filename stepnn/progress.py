"""A small progress bar for long runs: a text line in a terminal, an HTML bar in a notebook.

It needs neither tqdm nor ipywidgets: in a notebook it updates one display output in place.
The text it shows holds no timings, so a saved notebook's output is the same on every run.
"""
from __future__ import annotations

import sys
import time

from .terms import phrase

__all__ = ["ProgressBar"]


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None or "ipykernel" not in sys.modules:
        return False
    ip = shell.get_ipython()
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


class ProgressBar:
    """Shows ``done / total`` with a message; ``close()`` writes the final state.

    Args:
        total: the number of units (epochs) expected; None when unknown.
        enabled: False shows nothing at all.
        min_interval: seconds between two redraws (the final state is always drawn).
    """

    def __init__(self, total: "int | None", enabled: bool = True, min_interval: float = 0.1,
                 label: "str | None" = None):
        self.total, self.enabled = total, enabled
        self.label = phrase("fit.epoch") if label is None else label
        self.min_interval = min_interval
        self._last = 0.0
        self._handle = None
        self._notebook = enabled and _in_notebook()
        self.done, self.message = 0, ""

    def update(self, done: int, message: str = "", force: bool = False) -> None:
        self.done, self.message = done, message
        now = time.monotonic()
        if not self.enabled or (not force and now - self._last < self.min_interval):
            return
        self._last = now
        self._draw(final=False)

    def close(self, message: "str | None" = None) -> None:
        if message is not None:
            self.message = message
        if self.enabled:
            self._draw(final=True)

    def text(self, width: int = 30) -> str:
        if self.total:
            filled = int(width * min(self.done, self.total) / self.total)
            bar = "#" * filled + "." * (width - filled)
            head = f"[{bar}] {self.label} {self.done}/{self.total}"
        else:
            head = f"{self.label} {self.done}"
        return f"{head}  {self.message}".rstrip()

    def _html(self) -> str:
        total = self.total or max(self.done, 1)
        return (f"<progress value='{min(self.done, total)}' max='{total}' style='width:40%'>"
                f"</progress> <code>{self.text(0).split('] ', 1)[-1]}</code>")

    def _draw(self, final: bool) -> None:
        if self._notebook:
            from IPython.display import display  # only reached inside a notebook kernel
            bar = _Bar(self.text(), self._html())
            if self._handle is None:  # one output, updated in place
                self._handle = display(bar, display_id=True)
            else:
                self._handle.update(bar)
            return
        end = "\n" if final else ""
        sys.stderr.write("\r" + self.text() + end)
        sys.stderr.flush()

    def __repr__(self) -> str:
        return f"ProgressBar({self.text()})"


class _Bar:
    """A display object with both an HTML bar and a plain-text line."""

    def __init__(self, text: str, html: str):
        self._text, self._html = text, html

    def _repr_html_(self) -> str:
        return self._html

    def __repr__(self) -> str:
        return self._text
