"""Exercises with a checker: the student writes a step of training, the checker says what is right
or wrong, specifically.

    from stepnn import exercises as ex
    ex.names()                                  # the exercise names
    r = ex.check("dense_forward", my_dense_forward)
    r.passed, r.message                         # bool, what is right or wrong
    r                                           # a green / red box in a notebook
    ex.hint("dense_forward")                    # a nudge, not the answer
    ex.reference("dense_forward")               # the package's own function, same signature

Each check runs the student's function on a few fixed cases (a batch of one, large logits,
probabilities of exactly 0 and 1, non-square weights, ...) and compares it with the package's own
implementation (``stepnn.layers``, ``stepnn.activations``, ``stepnn.losses``,
``stepnn.optimizers``, ``stepnn.batching``). Feedback and hints come in English and Korean
(``stepnn.set_language`` or ``lang=``).
"""
from __future__ import annotations

from typing import Callable

from ..terms import phrase, resolve_language
from . import backward, batching, forward, losses, updates
from .checker import Exercise, check_function
from .messages import say
from .result import Result

__all__ = ["names", "exercise", "check", "hint", "reference", "signature", "Result"]

_EXERCISES: dict[str, Exercise] = {
    e.name: e for module in (forward, backward, losses, updates, batching) for e in module.EXERCISES}
_ORDER = ("dense_forward", "relu", "sigmoid", "softmax", "relu_derivative", "sigmoid_derivative",
          "mse", "binary_crossentropy", "categorical_crossentropy",
          "sparse_categorical_crossentropy", "dense_backward", "sgd_update", "momentum_update",
          "iterations_per_epoch")


def names() -> list[str]:
    """The exercise names, in the order of the course."""
    return list(_ORDER)


def exercise(name) -> Exercise:
    """The exercise called ``name`` (one of ``names()``): its cases, reference and messages.
    An unknown name raises a ValueError that lists the exercises."""
    if isinstance(name, str) and name in _EXERCISES:
        return _EXERCISES[name]
    raise ValueError(phrase("errors.unknown_exercise", name=name, names=", ".join(_ORDER)))


def check(name: str, function: Callable, lang: "str | None" = None) -> Result:
    """Run the student's ``function`` on the exercise's cases and say what is right or wrong.

    Never raises because of the student's code (an exception, None, a wrong shape, a list, NaN,
    a changed input: each becomes feedback). An unknown ``name`` raises ValueError.

    Args:
        name: one of ``names()``.
        function: the student's function, with the exercise's signature (``signature(name)``).
        lang: "en" or "ko"; None uses the language chosen by ``stepnn.set_language``.
    """
    return check_function(exercise(name), function, resolve_language(lang))


def hint(name: str, lang: "str | None" = None) -> str:
    """A nudge for exercise ``name``, not the answer."""
    return say(f"{name}_hint", resolve_language(lang), (exercise(name).messages,))


def signature(name: str, lang: "str | None" = None) -> str:
    """What the student's function takes and returns, in words."""
    return say(f"{name}_signature", resolve_language(lang), (exercise(name).messages,))


def reference(name: str) -> Callable:
    """The package's own implementation of exercise ``name``, with the student's signature:
    what a student's function stands in for when it is plugged into training."""
    return exercise(name).reference
