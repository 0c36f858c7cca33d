"""The feedback of one check: a record a student can print, shown as a coloured box in a notebook."""
from __future__ import annotations

import html
from dataclasses import dataclass

from ..terms import LANGS

__all__ = ["Result"]

_HEADINGS = {  # status -> (mark, English, Korean, border colour, background)
    "passed": ("✓", "Passed", "통과", "#2e7d32", "#e8f5e9"),
    "failed": ("✗", "Not yet", "아직 아닙니다", "#c62828", "#ffebee"),
    "not_written": ("…", "Not written yet", "아직 작성하지 않음", "#1565c0", "#e3f2fd"),
}
_LABELS = {  # (English, Korean)
    "hint": ("Hint", "힌트"),
    "traceback": ("Your code's traceback", "작성한 코드의 traceback"),
    "printed": ("What your function printed", "함수가 출력한 내용"),
}
_FONTS = ("-apple-system, 'Segoe UI', 'Noto Sans KR', 'Malgun Gothic', 'Apple SD Gothic Neo', "
          "NanumGothic, sans-serif")


@dataclass(frozen=True, repr=False)
class Result:
    """The outcome of ``stepnn.exercises.check``.

    Attributes:
        exercise: the exercise name.
        status: "passed", "failed" or "not_written" (the ``...`` is still there).
        message: what is right or wrong, specifically (the case, expected vs received).
        hint: a nudge, shown when the check did not pass.
        details: the student's own traceback, kept short ("" when nothing raised).
        printed: what the student's function printed while it was checked (cut short).
        lang: the language of the text, "en" or "ko".
    """
    exercise: str
    status: str
    message: str
    hint: str = ""
    details: str = ""
    printed: str = ""
    lang: str = "en"

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def _label(self, key: str) -> str:
        return _LABELS[key][LANGS.index(self.lang)]

    def _heading(self) -> tuple:
        mark, en, ko, border, background = _HEADINGS[self.status]
        return mark, (en, ko)[LANGS.index(self.lang)], border, background

    def _sections(self) -> list:
        """(label, text, preformatted) below the message."""
        out = []
        if self.details:
            out.append((self._label("traceback"), self.details, True))
        if self.printed:
            out.append((self._label("printed"), self.printed, True))
        if not self.passed and self.hint:
            out.append((self._label("hint"), self.hint, False))
        return out

    def __repr__(self) -> str:
        mark, heading, _, _ = self._heading()
        lines = [f"{mark} {self.exercise}: {heading}", self.message]
        for label, text, pre in self._sections():
            if pre:
                lines += [f"{label}:", "    " + text.replace("\n", "\n    ")]
            else:
                lines.append(f"{label}: {text}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        mark, heading, border, background = self._heading()
        esc = html.escape
        parts = [f'<div class="stepnn-exercise-result" style="border-left: 5px solid {border}; '
                 f'background: {background}; padding: 6px 12px; margin: 4px 0; '
                 f'font-family: {_FONTS}; color: #212121;">',
                 f'<div style="font-weight: bold; color: {border};">{mark} {esc(self.exercise)}: '
                 f'{esc(heading)}</div>',
                 f'<div style="white-space: pre-wrap;">{esc(self.message)}</div>']
        for label, text, pre in self._sections():
            if pre:
                parts.append(f'<div style="margin-top: 4px;"><b>{esc(label)}</b>'
                             f'<pre style="margin: 2px 0; font-size: 90%;">{esc(text)}</pre></div>')
            else:
                parts.append(f'<div style="margin-top: 4px;"><b>{esc(label)}:</b> {esc(text)}</div>')
        parts.append("</div>")
        return "".join(parts)
