"""The student's own code, plugged into training: ``Trainer(..., use={"dense_backward": fn})``.

The trainer then runs the student's function where it would run its own, and trains with what
the student's function returns. On the same inputs it also runs the package's own function (the
reference, ``stepnn.exercises.reference``), and the record of the phase keeps the largest
absolute difference between the two, over every layer and every returned array:
``record.student == {"dense_backward": 2.2e-16}``. A difference above ``TOLERANCE`` (relative to
the size of the reference's numbers) is listed in ``record.student_flagged``: the dashboards
highlight it. Wrong code is not refused: it trains, and the difference shows where it goes wrong.

A function that cannot take the exercise's parameters is refused when plugged in (a TypeError
naming its parameters and the call). A student's function that raises, returns None, a wrong
shape, NaN, text or complex numbers stops the phase with a ``StudentCodeError`` that names the
function, the layer and what it returned; the trainer's state stays as it was (the phase did not
happen), and keeps the function it was given: the fixed function goes into a new Trainer. Replays
(undo, redo, goto) run the student's function again, so they stay exact as long as it is
deterministic.

The student's function is always called on copies of the trainer's arrays: changing its inputs
in place cannot change the run.
"""
from __future__ import annotations

import warnings
from typing import Callable

import numpy as np

from . import exercises
from .exercises import exercise as _exercise
from .exercises.checker import unfit_parameters
from .exercises.messages import say
from .exercises.running import Outcome, student_traceback
from .exercises.running import read_outputs as parts_of  # the checker's own reading of a result
from .terms import phrase, resolve_language

__all__ = ["ACCEPTED", "TOLERANCE", "StudentCodeError", "check_use", "Plug"]

ACCEPTED = {"dense_forward": "forward", "relu": "forward", "sigmoid": "forward", "softmax": "forward",
            "dense_backward": "backward", "relu_derivative": "backward",
            "sigmoid_derivative": "backward"}
"""The functions a student may plug in, and the phase that runs each. An activation runs for the
layers that have it; its derivative times dL/da gives dL/dz (the fused output rule of a
cross-entropy loss needs neither)."""

TOLERANCE = 1e-9
"""Largest difference from the reference, relative to its largest number (at least 1), that
counts as the same result (float64 code written differently agrees far closer)."""


class StudentCodeError(RuntimeError):
    """A student's function plugged into a Trainer failed; the phase did not happen."""


def check_use(use, layers=()) -> dict:
    """``use`` checked: a dict {name: function} with names from ``ACCEPTED``, each taking the
    exercise's parameters (``stepnn.exercises.signature(name)``); None gives {}.

    Each function is checked with ``stepnn.exercises.check`` once; one that does not pass is
    still used (the records show how far its results are from the reference), with a warning.
    An activation (or its derivative) that none of ``layers`` has would never run: a warning
    says so.
    """
    if use is None:
        return {}
    if not isinstance(use, dict):
        raise TypeError(phrase("student.use_not_dict", received=type(use).__name__))
    accepted = ", ".join(ACCEPTED)
    for name, fn in use.items():
        if name not in ACCEPTED:
            raise ValueError(phrase("student.use_unknown", name=repr(name), accepted=accepted))
        if not callable(fn):
            raise TypeError(phrase("student.use_not_callable", name=repr(name), bare=name,
                                   kind=type(fn).__name__, value=f"{fn!r:.60}"))
        params = _exercise(name).params
        theirs = unfit_parameters(fn, len(params))
        if theirs is not None:  # every call would fail: refused now, not at each phase
            raise TypeError(phrase("student.use_parameters", name=repr(name), bare=name,
                                   theirs=", ".join(theirs), ours=", ".join(params)))
    present = {layer.activation.name for layer in layers}
    for name in use:
        activation = name.removesuffix("_derivative")
        if layers and not name.startswith("dense_") and activation not in present:
            warnings.warn(phrase("student.unused", name=name, activation=activation,
                                 present=", ".join(sorted(present))), UserWarning, stacklevel=3)
    for name, fn in use.items():
        result = exercises.check(name, fn)
        if not result.passed:
            first = result.message.splitlines()[0] if result.message else ""
            warnings.warn(phrase("student.unchecked", name=name, message=first),
                          UserWarning, stacklevel=3)
    return dict(use)


class Plug:
    """The student's functions during one phase: runs each one and its reference on the same
    inputs, keeps the largest difference, and fails clearly on an unusable result.

    Args:
        use: {name: the student's function}, checked by ``check_use``.
        phase: the phase running, "forward" or "backward".
        layers: the model's layers (to name the layer a failure happened in).
    """

    def __init__(self, use: dict, phase: str, layers):
        self.use, self.phase, self.layers = use, phase, layers
        self.differences: dict = {}
        self.scales: dict = {}

    def function(self, name: str, own: Callable) -> Callable:
        """The student's ``name`` with the signature of the package's ``own``, or ``own`` itself
        when the student did not plug it in."""
        if name not in self.use or ACCEPTED[name] != self.phase:
            return own

        def plugged(*args, **_options):  # the package's own options (need_dx) do not apply
            return self.call(name, args, self._layer(args[1]))
        return plugged

    def _layer(self, W: np.ndarray) -> int:
        return next((i for i, layer in enumerate(self.layers, 1) if layer.W is W), 0)

    def activate(self, layer, z: np.ndarray) -> np.ndarray:
        """a = f(z) for ``layer``: the student's activation of that name, or the layer's own."""
        name = layer.activation.name
        if name in self.use and ACCEPTED[name] == self.phase:
            return self.call(name, (z,), self.layers.index(layer) + 1)
        return layer.activation.forward(z)

    def local(self, layer, z: np.ndarray, a: np.ndarray, da: np.ndarray) -> np.ndarray:
        """dL/dz = da/dz * dL/da for ``layer``: the student's derivative, or the layer's own rule."""
        name = f"{layer.activation.name}_derivative"
        if name in self.use and ACCEPTED[name] == self.phase:
            return self.call(name, (z,), self.layers.index(layer) + 1) * da
        return layer.activation.backward(z, a, da)

    def call(self, name: str, args: tuple, layer: int):
        """Run the student's ``name`` on ``args`` (copies) for layer number ``layer``, compare
        with the reference; return the student's result, as the package's function would."""
        ex = _exercise(name)
        lang = resolve_language(None)
        where = phrase("student.where", lang, layer=layer, phase=f"{self.phase}()")
        out = _run(self.use[name], args, ex.outputs)
        expected = ex.reference(*args)
        expected = expected if len(ex.outputs) > 1 else (expected,)

        def fail(key: str, tables=(), details: str = "", **fields) -> StudentCodeError:
            lines = [say(key, lang, tables, name=name, case=where, n=len(ex.outputs),
                         outputs=", ".join(ex.outputs), **fields)]
            if details:
                lines.append(details)
            lines.append(phrase("student.not_run", lang, name=name, phase=f"{self.phase}()"))
            return StudentCodeError("\n".join(lines))

        if out.error is not None:
            note = (say(ex.on_error, lang, (ex.messages,)) + "\n"
                    if ex.on_error and isinstance(out.error, (TypeError, ValueError)) else "")
            raise fail("raised", details=note + student_traceback(out.error),
                       error=type(out.error).__name__) from None
        if out.parts is None:
            raise fail(out.problem, **(out.problem_fields or {}))
        parts = []
        with np.errstate(all="ignore"):
            for output, got, want in zip(ex.outputs, out.parts, expected):
                if got.shape != want.shape:
                    transposed = got.ndim == 2 and got.shape == want.shape[::-1]
                    raise fail("shape", details=say("shape_transposed", lang, ()) if transposed
                               else "", output=output, expected=want.shape, received=got.shape)
                if not np.all(np.isfinite(got[np.isfinite(want)])):
                    raise fail("not_finite", output=output)
                gap = np.abs(got - want)
                gap = gap[np.isfinite(gap)]
                finite = np.abs(want[np.isfinite(want)])
                self.differences[name] = max(self.differences.get(name, 0.0),
                                             float(gap.max()) if gap.size else 0.0)
                self.scales[name] = max(self.scales.get(name, 0.0),
                                        float(finite.max()) if finite.size else 0.0)
                parts.append(got)
        return tuple(parts) if len(parts) > 1 else parts[0]

    def mark(self, record) -> None:
        """Write the differences into the phase's record (``student`` and ``student_flagged``)."""
        record.student = dict(self.differences)
        record.student_flagged = tuple(n for n, d in self.differences.items()
                                       if d > TOLERANCE * max(1.0, self.scales[n]))


def _run(fn: Callable, args: tuple, outputs: tuple) -> Outcome:
    """Call the student's ``fn`` on copies of ``args`` (so it cannot change the trainer's arrays);
    its exception or its result as float arrays, or why they are unusable. The checker's own
    runner does more (captured printing, inputs compared after the call), which costs more than
    a phase of a small network."""
    fresh = tuple(np.array(a, copy=True) for a in args)
    try:
        raw = fn(*fresh)
    except (Exception, SystemExit) as exc:  # the student's bug (or exit()) is feedback, not a crash
        return Outcome(error=exc)
    return parts_of(outputs, raw)
