"""Controls: a row of them that fits a narrow output area, and what a control accepts. ipywidgets
clamps a slider's value to its range, but NaN passes every comparison, so a NaN set from code would
reach the model; and a Dropdown or ToggleButtons takes None from code (nothing chosen), which no
option means. The dashboards refuse both here, put the control back and say why."""
from __future__ import annotations

import math
from numbers import Real

import ipywidgets as widgets

from ..terms import phrase

__all__ = ["refuse_non_finite", "refuse_no_choice", "row"]


def row(children) -> widgets.HBox:
    """Controls side by side, wrapping onto the next line where the output area is narrow (never a
    sideways scroll)."""
    return widgets.HBox(list(children), layout=widgets.Layout(flex_flow="row wrap"))


def refuse_non_finite(control, change, what: str, lang: "str | None" = None) -> "str | None":
    """If ``change["new"]`` is not a finite number, put ``control`` back to ``change["old"]`` and
    return the message to show in ``lang`` (what was expected, what was received); else None.

    The caller's observer runs again for the restored value: it must treat a change back to the
    value in use as nothing new.
    """
    new = change["new"]
    if isinstance(new, Real) and not isinstance(new, bool) and math.isfinite(new):
        return None
    control.value = change["old"]
    return phrase("controls.non_finite", lang, what=what, new=repr(new), old=f"{change['old']:g}")


def refuse_no_choice(control, change, what: str, lang: "str | None" = None) -> "str | None":
    """If ``change["new"]`` is None (a Dropdown or ToggleButtons set to nothing from code), put
    ``control`` back to ``change["old"]`` and return the message to show in ``lang``; else None.

    The caller's observer runs again for the restored value: it must treat a change back to the
    value in use as nothing new.
    """
    if change["new"] is not None:
        return None
    control.value = change["old"]
    return phrase("controls.no_choice", lang, what=what, old=control.label)
