"""Running the student's code safely: on fresh copies of the inputs, with its printing captured,
its exceptions caught (their traceback cut to the student's own frames), the inputs it changed
noted, and its result turned into float arrays, or the reason it cannot be."""
from __future__ import annotations

import contextlib
import copy
import io
import os
import sysconfig
import traceback
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .messages import Description, say

MAX_FRAMES = 3               # traceback frames of the student's code shown (the innermost ones)
MAX_PRINTED = 1000           # characters of the student's printing kept
MAX_PRINTED_LINES = 8        # lines of it kept


class Printed(io.StringIO):
    """Keeps the first MAX_PRINTED_LINES lines (MAX_PRINTED characters) the student's function
    prints, and counts them all."""

    lines = 0

    def write(self, text: str) -> int:
        room = MAX_PRINTED - self.tell()
        if room > 0 and self.lines < MAX_PRINTED_LINES:
            super().write(text[:room])
        self.lines += text.count("\n")
        return len(text)

    def summary(self, lang: str, tables: tuple) -> str:
        kept = [line if len(line) <= 100 else line[:97] + "..."
                for line in self.getvalue().splitlines()[:MAX_PRINTED_LINES]]
        if not kept:
            return ""
        if self.lines > len(kept):
            kept.append(say("printed_more", lang, tables, n=self.lines))
        return "\n".join(kept)


@dataclass
class Outcome:
    """What one call gave: usable parts, or the reason it is not usable."""
    parts: "tuple | None" = None     # float64 arrays, one per returned value
    raw: object = None               # what the function returned
    error: "BaseException | None" = None
    problem: "str | None" = None     # message key: why the result is not usable
    problem_fields: "dict | None" = None
    mutated: tuple = ()              # names of the arguments changed in place


def _quietly(fn: Callable, args: tuple, printed: "Printed | None" = None):
    with contextlib.ExitStack() as stack:
        stack.enter_context(np.errstate(all="ignore"))
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        if printed is not None:
            stack.enter_context(contextlib.redirect_stdout(printed))
            stack.enter_context(contextlib.redirect_stderr(printed))
        return fn(*args)


def _same(before, after) -> bool:
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.shape == after.shape
                and np.array_equal(before, after, equal_nan=before.dtype.kind == "f"))
    return True


def run(fn: Callable, args: tuple, params: tuple, outputs: tuple,
        printed: "Printed | None" = None, student: bool = True) -> Outcome:
    """Call ``fn`` on fresh copies of ``args``; never raises, except KeyboardInterrupt."""
    fresh = copy.deepcopy(args)
    try:
        raw = _quietly(fn, fresh, printed)
    except (Exception, SystemExit) as exc:  # the student's bug is feedback, not a crash
        return Outcome(error=exc)
    mutated = tuple(p for p, a, b in zip(params, args, fresh) if not _same(a, b))
    out = read_outputs(outputs, raw)
    out.mutated = mutated if student else ()
    return out


def describe_value(value, limit: int = 60) -> Description:
    """A few words about a value: its type and a short repr, or its shape (just its type when
    its own ``repr`` or ``len`` fails)."""
    kind = type(value).__name__
    try:
        if isinstance(value, np.ndarray):
            return Description("array", value.shape)
        if isinstance(value, (tuple, list)):
            return Description("list" if isinstance(value, list) else "tuple", len(value))
        text = " ".join(f"{kind} {value!r}".split())
    except Exception:
        return Description("other", words=kind)
    return Description("other", words=text if len(text) <= limit else text[:limit - 3] + "...")


def _blank(value) -> bool:
    """None or the ``...`` placeholder: not written yet."""
    return value is None or value is Ellipsis


def read_outputs(outputs: tuple, raw) -> Outcome:
    """What a student's function returned, ``raw``, read as the exercise's ``outputs`` (their
    names): an Outcome with one float64 array per output, or with the problem found (nothing
    returned, not a tuple of the right length, a part missing, not numbers: text, complex
    numbers, whose imaginary parts float64 would drop, or None among the numbers, which float64
    would turn into NaN)."""
    n = len(outputs)
    if _blank(raw) or (n > 1 and isinstance(raw, (tuple, list)) and all(map(_blank, raw))):
        return Outcome(raw=raw, problem="none_some")
    if n > 1:
        if not isinstance(raw, (tuple, list)) or len(raw) != n:
            return Outcome(raw=raw, problem="not_a_tuple",
                           problem_fields=dict(received=describe_value(raw)))
        items = tuple(raw)
    else:
        items = (raw,)
    parts = []
    for name, item in zip(outputs, items):
        if _blank(item):
            return Outcome(raw=raw, problem="none_part", problem_fields=dict(output=name))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                given = np.asarray(item)
                kind = given.dtype.kind
                nones = sum(v is None for v in given.flat) if kind == "O" else 0
                # float64 would drop imaginary parts and make None NaN, unseen; text is no number
                arr = given if kind in "cUSV" or nones else given.astype(np.float64, copy=False)
        except Exception:  # anything that cannot be read as numbers, whatever its own code raises
            arr = kind = None
        if kind == "c":
            return Outcome(raw=raw, problem="complex", problem_fields=dict(output=name))
        if arr is not None and nones:
            return Outcome(raw=raw, problem="none_inside",
                           problem_fields=dict(output=name, count=nones, size=arr.size))
        if arr is None or arr.dtype.kind != "f":
            return Outcome(raw=raw, problem="not_numbers",
                           problem_fields=dict(output=name, received=describe_value(item)))
        parts.append(arr)
    return Outcome(parts=tuple(parts), raw=raw)


def _library_dirs() -> tuple:
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the stepnn package
    dirs = {here, os.path.dirname(np.__file__)}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            dirs.add(path)
    return tuple(os.path.abspath(d) + os.sep for d in dirs)


def student_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` kept short: only the frames of the student's own code."""
    libs = _library_dirs()
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not os.path.abspath(f.filename).startswith(libs)]
    lines = traceback.format_list(frames[-MAX_FRAMES:])
    last = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if len(last) > 400:
        last = last[:397] + "..."
    return ("".join(lines) + last).rstrip()
