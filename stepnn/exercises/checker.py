"""How an exercise is checked.

The student's function runs on a few fixed cases (fixed seeds), each on fresh copies of its
inputs, with its printing captured and its exceptions caught. Its results are compared with the
package's own implementation. When they differ, the checker looks for the typical mistake they
match (a known mistaken version of the function that gives the same numbers on every case); when
none matches, it names the first case that differs, with shapes, expected vs received and the
largest difference. Student code never makes ``check`` raise.
"""
from __future__ import annotations

import dis
import inspect
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .messages import say
from .result import Result
from .running import Outcome, Printed, describe_value, run as _run, student_traceback

__all__ = ["Case", "Mistake", "Exercise", "check_function", "differs", "unfit_parameters",
           "blank_body", "RTOL", "ATOL"]

RTOL, ATOL = 1e-5, 1e-8      # float64 answers written differently agree far closer than this


@dataclass(frozen=True)
class Case:
    """One call of the student's function.

    Args:
        label: message key naming the case ("a batch of one").
        args: the arguments, in the student's order; never passed themselves (copies are).
        note: message key added to the feedback when this case is the one that fails.
    """
    label: str
    args: tuple
    note: "str | None" = None


@dataclass(frozen=True)
class Mistake:
    """A typical mistake: a mistaken version of the function, and the message that names it.

    ``part`` is the index of the one returned value it gets wrong (for functions that return
    several, e.g. db of (dW, db, dx)); None compares everything it returns.
    """
    key: str
    function: Callable
    part: "int | None" = None


@dataclass(frozen=True)
class Exercise:
    """An exercise: the student's function's parameters and results, its reference, its cases.

    Args:
        name: the exercise name, e.g. "dense_forward".
        params: the parameter names, e.g. ("x", "W", "b").
        outputs: names of the returned values, e.g. ("dW", "db", "dx"); one name for one value.
        kind: "array", "number" (one float) or "int".
        reference: the package's own implementation, with the student's signature.
        cases: builds the cases (fixed seeds).
        mistakes: the typical mistakes, most specific first.
        messages: key -> (English, Korean): "<name>_signature", "<name>_hint", the mistakes'
            messages and the case labels and notes.
        on_error: message key added when the student's function raises TypeError or ValueError
            (what numpy raises for shapes that do not fit and for arrays given to scalar code).
        tolerate: (args, student parts, expected parts) -> (expected parts, note key or None),
            for answers that are as right as the reference's (e.g. ReLU's slope at exactly 0).
    """
    name: str
    params: tuple
    outputs: tuple
    kind: str
    reference: Callable
    cases: Callable
    mistakes: tuple = ()
    messages: "dict | None" = None
    on_error: "str | None" = None
    tolerate: "Callable | None" = None


def run(ex: Exercise, fn: Callable, case: Case, printed: "Printed | None" = None,
        student: bool = True) -> Outcome:
    """Call ``fn`` on the case (copies of its arguments); never raises for the student's code."""
    return _run(fn, case.args, ex.params, ex.outputs, printed, student)


def unfit_parameters(fn: Callable, n: int) -> "tuple | None":
    """The parameter names of ``fn`` when it cannot be called with ``n`` arguments by position;
    None when it can, or when it does not say (some builtins)."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    try:
        sig.bind(*range(n))
    except TypeError:
        return tuple(sig.parameters)
    return None


_NOTHING = {"RESUME", "NOP", "CACHE", "RETURN_VALUE", "RETURN_CONST", "LOAD_CONST"}


def blank_body(fn: Callable) -> bool:
    """True when ``fn``'s body does nothing: only a docstring, ``...`` or ``pass`` (the template
    of an exercise); True too when it is not Python code that can be read."""
    try:
        code = fn.__code__
        steps = list(dis.get_instructions(code))
    except Exception:  # a builtin, a callable object: nothing to read
        return True
    return all(s.opname in _NOTHING and (s.opname not in ("LOAD_CONST", "RETURN_CONST")
                                         or s.argval is None or s.argval is Ellipsis)
               for s in steps)


# --- comparing -------------------------------------------------------------------------------

def _as_kind(arr: np.ndarray, kind: str) -> np.ndarray:
    return arr.reshape(()) if kind in ("number", "int") and arr.size == 1 else arr


def differs(student: np.ndarray, expected: np.ndarray, kind: str) -> "str | None":
    """None when they agree; else "shape", "not_finite" or "values"."""
    student, expected = _as_kind(student, kind), _as_kind(expected, kind)
    if student.shape != expected.shape:
        return "shape"
    if np.allclose(student, expected, rtol=RTOL, atol=ATOL, equal_nan=True):
        return None
    if not np.all(np.isfinite(student)) and np.all(np.isfinite(expected)):
        return "not_finite"
    return "values"


def _agrees(a: Outcome, b: Outcome, kind: str, part: "int | None") -> bool:
    """Two outcomes agree: both unusable in the same way, or both usable with the same numbers."""
    if a.parts is None or b.parts is None:
        return a.parts is None and b.parts is None and (a.error is None) == (b.error is None) \
            and a.problem == b.problem
    picks = range(len(a.parts)) if part is None else (part,)
    return all(differs(a.parts[i], b.parts[i], kind) is None for i in picks)


def _brief(arr: np.ndarray) -> str:
    if arr.ndim == 0:
        return f"{float(arr):.6g}"
    return np.array2string(arr, precision=4, threshold=8, edgeitems=2, max_line_width=60,
                           suppress_small=True).replace("\n", "")


def _largest_difference(a: np.ndarray, b: np.ndarray) -> str:
    with np.errstate(all="ignore"):
        return f"{float(np.max(np.abs(a - b))):.3g}"  # NaN anywhere shows as nan


def describe_inputs(ex: Exercise, case: Case) -> str:
    bits = []
    for p, a in zip(ex.params, case.args):
        bits.append(f"{p} {a.shape}" if isinstance(a, np.ndarray) else f"{p}={a!r}")
    return ", ".join(bits)


# --- judging -------------------------------------------------------------------------------

class _Judge:
    """Builds the feedback for one student's function on one exercise, in one language."""

    def __init__(self, ex: Exercise, fn: Callable, lang: str):
        self.ex, self.fn, self.lang = ex, fn, lang
        self.printed = Printed()
        self.details = ""

    def say(self, key: str, **fields) -> str:
        return say(key, self.lang, (self.ex.messages,), **{"name": self.ex.name, **fields})

    def result(self, status: str, message: str) -> Result:
        printed = self.printed.summary(self.lang, (self.ex.messages,))
        hint = self.say(f"{self.ex.name}_hint")
        return Result(self.ex.name, status, message, hint, self.details, printed, self.lang)

    def fail(self, message: str) -> Result:
        return self.result("failed", message)

    def not_written(self) -> Result:
        signature = self.say(f"{self.ex.name}_signature")
        return self.result("not_written", self.say("not_written", signature=signature))

    # the steps, in order
    def judge(self) -> Result:
        ex, fn = self.ex, self.fn
        if fn is None or fn is Ellipsis:
            return self.not_written()
        if not callable(fn):
            return self.fail(self.say("not_callable", received=describe_value(fn)))
        self.cases = ex.cases()
        wrong_params = self.wrong_parameters()
        if wrong_params:
            return self.fail(wrong_params)
        self.got = [run(ex, fn, c, self.printed) for c in self.cases]
        forgot_return = all(o.error is None and o.raw is None for o in self.got) \
            and not blank_body(fn)  # code that computes and returns nothing: told so below
        if not forgot_return and all(o.problem == "none_some" or isinstance(
                o.error, NotImplementedError) for o in self.got):
            return self.not_written()  # the placeholder: `...`, `pass`, `raise NotImplementedError`
        self.expected = [run(ex, ex.reference, c, student=False) for c in self.cases]
        note = self.compare()
        mutated = sorted({p for o in self.got for p in o.mutated}, key=ex.params.index)
        also = self.say("mutated", args=", ".join(mutated)) if mutated else ""
        if not self.wrong:
            if mutated:
                return self.fail(also)
            if ex.kind == "int":
                not_int = self.not_int()
                if not_int:
                    return self.fail(not_int)
            else:
                low = self.low_precision()
                if low:
                    return self.fail(low)
            labels = ", ".join(dict.fromkeys(self.say(c.label) for c in self.cases))
            message = self.say("passed", n=len(self.cases), cases=labels)
            return self.result("passed", message + (" " + self.say(note) if note else ""))
        message = self.mistake() or self.first_failure()
        if also:
            message += "\n" + self.say("also", message=also)
        return self.fail(message)

    def wrong_parameters(self) -> "str | None":
        for n in sorted({len(c.args) for c in self.cases}):
            theirs = unfit_parameters(self.fn, n)
            if theirs is not None:
                ours = ", ".join(self.ex.params[:n])
                return self.say("wrong_parameters", theirs=", ".join(theirs), ours=ours)
        return None

    def compare(self) -> "str | None":
        """Fill self.wrong, {case index: [wrong part index, ...], or None when unusable};
        return the key of a note for a tolerated answer, if any."""
        self.wrong, self.targets, note = {}, [], None
        for i, (case, got, exp) in enumerate(zip(self.cases, self.got, self.expected)):
            target = exp.parts
            if got.parts is not None and self.ex.tolerate is not None:
                target, n = self.ex.tolerate(case.args, got.parts, target)
                note = note or n
            self.targets.append(target)
            if got.parts is None:
                self.wrong[i] = None
                continue
            bad = [k for k, (s, e) in enumerate(zip(got.parts, target))
                   if differs(s, e, self.ex.kind)]
            if bad:
                self.wrong[i] = bad
        return note

    def not_int(self) -> "str | None":
        for got in self.got:
            raw = got.raw
            if isinstance(raw, np.ndarray) and raw.ndim == 0:
                raw = raw[()]
            if isinstance(raw, bool) or not isinstance(raw, (int, np.integer)):
                return self.say("not_int", output=self.ex.outputs[0], received=repr(raw),
                                type=type(raw).__name__)
        return None

    def low_precision(self) -> "str | None":
        """The message for a result in a float type shorter than float64 (float32, float16)
        whose numbers are not the reference's: close enough for the cases, but not the trainer's
        float64 numbers (0 and 1, say, are exact in any float)."""
        n = len(self.ex.outputs)
        for got, target in zip(self.got, self.targets):
            items = got.raw if n > 1 else (got.raw,)
            for output, item, part, want in zip(self.ex.outputs, items, got.parts, target):
                dtype = getattr(item, "dtype", None)
                if isinstance(dtype, np.dtype) and dtype.kind == "f" and dtype.itemsize < 8 \
                        and not np.array_equal(_as_kind(part, self.ex.kind), want):
                    return self.say("low_precision", output=output, dtype=dtype.name,
                                    digits=np.finfo(dtype).precision)
        return None

    def mistake(self) -> "str | None":
        """The message of the typical mistake the student's results match, if any."""
        found, parts_named = [], set()
        for m in self.ex.mistakes:
            if m.part is not None and (m.part in parts_named or not self._part_wrong(m.part)):
                continue
            theirs = [run(self.ex, m.function, c, student=False) for c in self.cases]
            if any(not _agrees(g, t, self.ex.kind, m.part) for g, t in zip(self.got, theirs)):
                continue
            if not any(g.parts is not None for g in self.got):
                continue  # failing everywhere matches too easily
            if m.part is None:
                return self.say(m.key)
            if self.say(m.key) not in found:
                found.append(self.say(m.key))
            parts_named.add(m.part)
        if not found:
            return None
        rest = [k for k in range(len(self.ex.outputs)) if k not in parts_named
                and any(bad is not None and k in bad for bad in self.wrong.values())]
        if rest:
            found.append(self.first_failure(rest[0]))
        return "\n".join(found)

    def _part_wrong(self, part: int) -> bool:
        return any(bad is None or part in bad for bad in self.wrong.values())

    def first_failure(self, part: "int | None" = None) -> str:
        """What went wrong on the first case that fails (for ``part`` only, when given)."""
        if part is None:
            i = next(iter(self.wrong))
        else:  # a case where that part came back, if there is one
            i = next((i for i, bad in self.wrong.items() if bad is not None and part in bad),
                     next(iter(self.wrong)))
        case, got = self.cases[i], self.got[i]
        where = self.say("where", i=i + 1, n=len(self.cases), label=self.say(case.label),
                         inputs=describe_inputs(self.ex, case))
        lines = []
        if got.error is not None:
            self.details = student_traceback(got.error)
            lines.append(self.say("raised", case=where, error=type(got.error).__name__))
            if self.ex.on_error and isinstance(got.error, (TypeError, ValueError)):
                lines.append(self.say(self.ex.on_error))  # arrays of the wrong shape or kind
        elif got.parts is None:
            lines.append(self.say(got.problem, case=where, n=len(self.ex.outputs),
                                  outputs=", ".join(self.ex.outputs), **(got.problem_fields or {})))
        else:
            k = self.wrong[i][0] if part is None else part
            lines.append(self.part_failure(where, got.parts[k], self.targets[i][k],
                                           self.ex.outputs[k]))
            if case.note:
                lines.append(self.say(case.note))
        return "\n".join(lines)

    def part_failure(self, where: str, got: np.ndarray, want: np.ndarray, output: str) -> str:
        kind = self.ex.kind
        reason = differs(got, want, kind)
        got, want = _as_kind(got, kind), _as_kind(want, kind)
        if reason == "shape":
            if kind != "array" and want.shape == ():
                return self.say("one_number", output=output, case=where, received=got.shape)
            text = self.say("shape", output=output, case=where, expected=want.shape,
                            received=got.shape)
            if got.ndim == 2 and got.shape == want.shape[::-1]:
                text += " " + self.say("shape_transposed")
            return text
        detail = self.say("detail", expected=_brief(want), received=_brief(got),
                          diff=_largest_difference(got, want))
        return self.say(reason, output=output, case=where) + " " + detail


def check_function(ex: Exercise, fn, lang: str) -> Result:
    """Check the student's ``fn`` against exercise ``ex``; feedback in ``lang``."""
    return _Judge(ex, fn, lang).judge()
