"""How an exercise is checked.

The student's function runs on a few fixed cases (fixed seeds), each on fresh copies of its
inputs, with its printing captured and its exceptions caught. Its results are compared with the
package's own implementation. When they differ, the checker looks for the typical mistake they
match (a known mistaken version of the function that gives the same numbers on every case); when
none matches, it names the first case that differs, with shapes, expected vs received and the
largest difference. Student code never makes ``check`` raise.
"""
from __future__ import annotations

import contextlib
import copy
import inspect
import io
import os
import sysconfig
import traceback
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..terms import LANGS
from .result import Result

RTOL, ATOL = 1e-5, 1e-8      # float64 answers written differently agree far closer than this
MAX_FRAMES = 3               # traceback frames of the student's code shown (the innermost ones)
MAX_PRINTED = 1000           # characters of the student's printing kept
MAX_PRINTED_LINES = 8        # lines of it kept


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
        on_error: message key added when the student's function raises.
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


# --- the messages every exercise shares: key -> (English, Korean) ----------------------------

MESSAGES = {
    "passed": ("{name} works: it gives the same results as the package's own {name} on all "
               "{n} cases ({cases}).",
               "{name} 통과: {n}가지 경우({cases}) 모두 패키지의 {name}와 같은 결과를 냅니다."),
    "not_written": ("{name} is not written yet. Replace the `...` with your code ({signature}) "
                    "and run this check again.",
                    "{name}는 아직 작성되지 않았습니다. `...` 자리에 코드를 써 넣고({signature}) "
                    "이 확인을 다시 실행해 보세요."),
    "not_callable": ("check needs your function itself, e.g. check(\"{name}\", my_{name}); "
                     "received {received}.",
                     "check에는 함수 자체를 넘겨야 합니다. 예: check(\"{name}\", my_{name}). "
                     "받은 값: {received}."),
    "wrong_parameters": ("Your function takes ({theirs}), but it is called as {name}({ours}). "
                         "Give it these parameters.",
                         "작성한 함수의 매개변수는 ({theirs})인데, 이 연습은 {name}({ours})로 "
                         "호출합니다. 매개변수를 맞춰 주세요."),
    "raised": ("Your {name} raised {error} on {case}.",
               "{case}에서 작성한 {name}가 {error} 오류를 냈습니다."),
    "none_some": ("Your {name} returned None on {case}: does every path end with a `return`?",
                  "{case}에서 {name}가 None을 반환했습니다. 모든 경로가 `return`으로 끝나나요?"),
    "none_part": ("{output} is None or `...` on {case}: is it still to be written?",
                  "{case}에서 {output}가 None 또는 `...`입니다. 아직 작성하지 않았나요?"),
    "not_a_tuple": ("{name} should return {n} values, ({outputs}); received {received}.",
                    "{name}는 값 {n}개 ({outputs})를 반환해야 합니다. 받은 값: {received}."),
    "not_numbers": ("{output} should be numbers (an array or a float); received {received}.",
                    "{output}는 숫자(배열 또는 float)여야 합니다. 받은 값: {received}."),
    "shape": ("{output} has the wrong shape on {case}: expected {expected}, received {received}.",
              "{case}에서 {output}의 모양(shape)이 다릅니다: 기대 {expected}, 받은 값 {received}."),
    "shape_transposed": ("It looks transposed: check the order of the matrix product.",
                         "전치된 것 같습니다. 행렬 곱의 순서를 확인해 보세요."),
    "one_number": ("{output} should be one number (a float); received an array of shape "
                   "{received} on {case}.",
                   "{output}는 숫자 하나(float)여야 하는데, {case}에서 모양이 {received}인 배열을 "
                   "받았습니다."),
    "not_finite": ("{output} contains NaN or inf on {case}, where the answer is finite.",
                   "{case}에서 {output}에 NaN 또는 inf가 있습니다. 정답은 유한한 값입니다."),
    "values": ("{output} is wrong on {case}.", "{case}에서 {output}의 값이 다릅니다."),
    "detail": ("Expected {expected}, received {received}; largest difference {diff}.",
               "기대한 값 {expected}, 받은 값 {received}; 가장 큰 차이 {diff}."),
    "not_int": ("{output} should be a whole number (int); received {received} ({type}). "
                "Return an int, e.g. int(...).",
                "{output}는 정수(int)여야 합니다. 받은 값: {received} ({type}). "
                "int(...)로 감싸서 반환하세요."),
    "mutated": ("Your function changed its input {args} in place, so the caller's arrays change "
                "too. Build a new array instead (e.g. w - learning_rate * grad, np.maximum(z, 0)) "
                "or work on a copy (z = z.copy()).",
                "작성한 함수가 입력 {args}를 제자리에서(in place) 바꿨습니다. 호출한 쪽의 배열도 "
                "함께 바뀝니다. 새 배열을 만들거나(예: w - learning_rate * grad, "
                "np.maximum(z, 0)) 복사본(z = z.copy())으로 작업하세요."),
    "where": ("case {i} of {n} ({label}; {inputs})", "{n}가지 중 {i}번째 경우({label}; {inputs})"),
    "printed_more": ("... ({n} lines in all)", "... (모두 {n}줄)"),
    "also": ("Also: {message}", "그리고: {message}"),
    # case labels shared by several exercises
    "case_small": ("a small batch", "작은 배치"),
    "case_batch_of_one": ("a batch of one", "샘플 하나짜리 배치"),
    "case_non_square": ("a non-square W", "정사각형이 아닌 W"),
    "case_square": ("a square W", "정사각형 W"),
    "case_large": ("large values", "아주 큰 값"),
    "case_vector": ("a 1-D vector", "1차원 벡터"),
    "case_zero_one": ("probabilities of exactly 0 and 1", "정확히 0과 1인 확률"),
    "case_wide": ("more units than inputs", "입력보다 유닛이 많은 층"),
    # notes shared by several exercises
    "elementwise_note": ("numpy works on a whole array element by element (np.maximum, np.where, "
                         "np.exp); Python's max, math.exp and `if` take one number at a time.",
                         "numpy 함수(np.maximum, np.where, np.exp)는 배열 전체를 원소마다 "
                         "계산합니다. 파이썬의 max, math.exp, `if`는 숫자 하나씩만 다룹니다."),
    "large_note": ("This case has large values (about ±1000): if you use np.exp, e^1000 overflows "
                   "to inf, and inf / inf is NaN.",
                   "이 경우는 값이 아주 큽니다(약 ±1000). np.exp를 쓴다면 e^1000은 inf로 "
                   "오버플로하고, inf / inf는 NaN입니다."),
}


def say(key: str, lang: str, tables: tuple, **fields) -> str:
    """The message ``key`` in ``lang``, looked up in ``tables`` then in the shared table."""
    for table in tables + (MESSAGES,):
        if table and key in table:
            return table[key][LANGS.index(lang)].format(**fields)
    raise KeyError(key)


# --- running the student's code ----------------------------------------------------------

class _Printed(io.StringIO):
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


def _quietly(fn: Callable, args: tuple, printed: "_Printed | None" = None):
    with contextlib.ExitStack() as stack:
        stack.enter_context(np.errstate(all="ignore"))
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        if printed is not None:
            stack.enter_context(contextlib.redirect_stdout(printed))
        return fn(*args)


def _same(before, after) -> bool:
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.shape == after.shape
                and np.array_equal(before, after, equal_nan=before.dtype.kind == "f"))
    return True


def run(ex: Exercise, fn: Callable, case: Case, printed: "_Printed | None" = None,
        student: bool = True) -> Outcome:
    """Call ``fn`` on fresh copies of the case's arguments; never raises (except KeyboardInterrupt)."""
    args = copy.deepcopy(case.args)
    try:
        raw = _quietly(fn, args, printed)
    except Exception as exc:  # the student's bug is feedback, not a crash
        return Outcome(error=exc)
    mutated = tuple(p for p, a, b in zip(ex.params, case.args, args) if not _same(a, b))
    out = _parts(ex, raw)
    out.mutated = mutated if student else ()
    return out


def _short(value, limit: int = 60) -> str:
    """A few words about a value: its type and a short repr, or its shape."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} values"
    text = " ".join(f"{type(value).__name__} {value!r}".split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _blank(value) -> bool:
    """None or the ``...`` placeholder: not written yet."""
    return value is None or value is Ellipsis


def _parts(ex: Exercise, raw) -> Outcome:
    n = len(ex.outputs)
    if _blank(raw) or (n > 1 and isinstance(raw, (tuple, list)) and all(map(_blank, raw))):
        return Outcome(raw=raw, problem="none_some")
    if n > 1:
        if not isinstance(raw, (tuple, list)) or len(raw) != n:
            return Outcome(raw=raw, problem="not_a_tuple",
                           problem_fields=dict(received=_short(raw)))
        items = tuple(raw)
    else:
        items = (raw,)
    parts = []
    for name, item in zip(ex.outputs, items):
        if _blank(item):
            return Outcome(raw=raw, problem="none_part", problem_fields=dict(output=name))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                arr = np.asarray(item, dtype=np.float64)
        except (TypeError, ValueError):
            return Outcome(raw=raw, problem="not_numbers",
                           problem_fields=dict(output=name, received=_short(item)))
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
        self.printed = _Printed()
        self.details = ""

    def say(self, key: str, **fields) -> str:
        return say(key, self.lang, (self.ex.messages,), **{"name": self.ex.name, **fields})

    def result(self, status: str, message: str) -> Result:
        printed = self.printed.summary(self.lang, (self.ex.messages,))
        return Result(self.ex.name, status, message, self.say(f"{self.ex.name}_hint"), self.details,
                      printed, self.lang)

    def fail(self, message: str) -> Result:
        return self.result("failed", message)

    # the steps, in order
    def judge(self) -> Result:
        ex, fn = self.ex, self.fn
        if fn is None or fn is Ellipsis:
            return self.result("not_written", self.say("not_written", signature=self.say(f"{ex.name}_signature")))
        if not callable(fn):
            return self.fail(self.say("not_callable", received=_short(fn)))
        self.cases = ex.cases()
        wrong_params = self.wrong_parameters()
        if wrong_params:
            return self.fail(wrong_params)
        self.got = [run(ex, fn, c, self.printed) for c in self.cases]
        if all(o.problem == "none_some" for o in self.got):
            return self.result("not_written", self.say("not_written", signature=self.say(f"{ex.name}_signature")))
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
            labels = ", ".join(dict.fromkeys(self.say(c.label) for c in self.cases))
            message = self.say("passed", n=len(self.cases), cases=labels)
            return self.result("passed", message + (" " + self.say(note) if note else ""))
        message = self.mistake() or self.first_failure()
        if also:
            message += "\n" + self.say("also", message=also)
        return self.fail(message)

    def wrong_parameters(self) -> "str | None":
        try:
            sig = inspect.signature(self.fn)
        except (TypeError, ValueError):  # some builtins do not say
            return None
        for n in sorted({len(c.args) for c in self.cases}):
            try:
                sig.bind(*range(n))
            except TypeError:
                ours = ", ".join(self.ex.params[:n])
                return self.say("wrong_parameters", theirs=", ".join(sig.parameters), ours=ours)
        return None

    def compare(self) -> "str | None":
        """Fills self.wrong: {case index: [part index, ...] or None (unusable)}; returns a note key."""
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
            bad = [k for k, (s, e) in enumerate(zip(got.parts, target)) if differs(s, e, self.ex.kind)]
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
            if self.ex.on_error:
                lines.append(self.say(self.ex.on_error))
        elif got.parts is None:
            lines.append(self.say(got.problem, case=where, n=len(self.ex.outputs),
                                  outputs=", ".join(self.ex.outputs), **(got.problem_fields or {})))
        else:
            k = self.wrong[i][0] if part is None else part
            lines.append(self.part_failure(where, got.parts[k], self.targets[i][k], self.ex.outputs[k]))
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
