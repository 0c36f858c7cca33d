"""What a dashboard shows of the student's own functions plugged into its trainer
(``Trainer(..., use={"dense_backward": fn})``): which phase runs them, and at each step their
largest difference from the package's own, highlighted beyond ``stepnn.student.TOLERANCE``.
No widgets here: pure functions of a Trainer, so they are tested on their own.
"""
from __future__ import annotations

import html

from ..student import ACCEPTED
from ..terms import phrase, term

__all__ = ["student_html", "MARK"]

MARK = " ✎"  # added to the label of a phase button that runs the student's code

_OK = "color:#1b5e20"
_FLAGGED = "color:#b00020;background:#ffebee;font-weight:bold;padding:0 4px"


def student_html(trainer, lang: "str | None" = None) -> str:
    """One line per student function the trainer runs: the phase that ran it and the largest
    difference from the reference in its latest record (red when beyond the tolerance), or why
    that phase ran without it (no layer needs it); "" when the trainer runs only the package's
    own code."""
    use = trainer.use
    if not use:
        return ""
    records = {"forward": trainer.last_forward, "backward": trainer.last_backward}
    lines = []
    for name in use:
        phase = ACCEPTED[name]
        record, word = records[phase], term(phase, lang)
        if record is None or name not in record.student:
            key = "student.not_yet" if record is None else _not_run(trainer, name)
            lines.append(f"<span>{html.escape(phrase(key, lang, phase=word, name=name))}</span>")
            continue
        text = phrase("student.difference", lang, phase=word, name=name,
                      diff=f"{record.student[name]:.3g}")
        if name in record.student_flagged:
            text += " ← " + phrase("student.differs", lang, name=name)
            lines.append(f"<span class='stepnn-student-differs' style='{_FLAGGED}'>"
                         f"{html.escape(text)}</span>")
        else:
            lines.append(f"<span style='{_OK}'>{html.escape(text)} ✓</span>")
    label = html.escape(phrase("student.label", lang))
    return f"<b>{MARK.strip()} {label}:</b> " + " | ".join(lines)


def _not_run(trainer, name: str) -> str:
    """Why the phase just run did not run the student's ``name``: the key of the phrase."""
    activation = name.removesuffix("_derivative")
    if any(layer.activation.name == activation for layer in trainer.model.layers):
        return "student.not_needed_fused"  # only the output layer has it, and a - y stands in
    return "student.not_needed"


def student_phases(trainer) -> set:
    """The phases that run the student's code."""
    return {ACCEPTED[name] for name in trainer.use}
