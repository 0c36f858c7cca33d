"""Exercise of epoch (에포크), batch size (배치 사이즈) and iteration (이터레이션):
# of data = batch size x iterations."""
from __future__ import annotations

import math
from functools import lru_cache

from .. import batching
from .checker import Case, Exercise, Mistake

MESSAGES = {
    "iterations_per_epoch_signature": ("iterations_per_epoch(n_samples, batch_size, "
                                       "drop_last=False) returns the number of iterations in one "
                                       "epoch, an int",
                                       "iterations_per_epoch(n_samples, batch_size, "
                                       "drop_last=False)는 에포크 한 번의 이터레이션 수(int)를 반환"),
    "iterations_per_epoch_hint": ("100 samples in batches of 32: 32 + 32 + 32 + 4. How many "
                                  "batches is that, and how many when the smaller last batch is "
                                  "dropped (drop_last=True)?",
                                  "샘플 100개를 32개씩 나누면 32 + 32 + 32 + 4입니다. 배치가 몇 "
                                  "개일까요? 크기가 작은 마지막 배치를 버리면(drop_last=True) 몇 "
                                  "개일까요?"),
    "floor_not_ceil": ("Floor where ceil is meant: the smaller last batch is an iteration too. "
                       "Round up (math.ceil) unless drop_last is True.",
                       "올림(ceil)이어야 할 곳에 내림(floor)을 썼습니다. 크기가 작은 마지막 배치도 "
                       "이터레이션 한 번입니다. drop_last가 True가 아니면 올림(math.ceil)하세요."),
    "drop_last_ignored": ("drop_last is ignored: with drop_last=True the smaller last batch is "
                          "dropped, so round down (floor, n_samples // batch_size).",
                          "drop_last를 무시했습니다. drop_last=True이면 크기가 작은 마지막 배치를 "
                          "버리므로 내림(floor, n_samples // batch_size)하세요."),
    "drop_last_reversed": ("drop_last is the wrong way round: drop_last=True drops the smaller "
                           "last batch (floor); False keeps it (ceil).",
                           "drop_last가 반대로 되어 있습니다. drop_last=True는 작은 마지막 배치를 "
                           "버리고(floor), False는 남깁니다(ceil)."),
    "true_division": ("n_samples / batch_size is a fraction: an epoch has a whole number of "
                      "iterations. Round up with math.ceil (or down when drop_last=True).",
                      "n_samples / batch_size는 소수입니다. 에포크의 이터레이션 수는 정수입니다. "
                      "math.ceil로 올림하세요(drop_last=True이면 내림)."),
    "round_not_ceil": ("round() goes to the nearest whole number: 100 / 32 = 3.125 becomes 3, but "
                       "the 4 leftover samples still need an iteration. Use ceil.",
                       "round()는 가장 가까운 정수로 갑니다. 100 / 32 = 3.125는 3이 되지만, 남은 "
                       "샘플 4개도 이터레이션이 필요합니다. ceil을 쓰세요."),
    "plus_one": ("n_samples // batch_size + 1 counts one batch too many when the batch size "
                 "divides the data evenly (64 samples, batch 16: 4, not 5). Use ceil.",
                 "n_samples // batch_size + 1은 나누어떨어질 때 배치를 하나 더 셉니다(샘플 64개, "
                 "배치 16: 5가 아니라 4). ceil을 쓰세요."),
    "swapped_division": ("You divide batch_size by n_samples: iterations = n_samples / "
                         "batch_size, rounded.",
                         "batch_size를 n_samples로 나눴습니다. 이터레이션 = n_samples / "
                         "batch_size를 반올림이 아니라 올림(또는 내림)한 값입니다."),
    "iterations_multiply": ("You multiply: # of data = batch size x iterations, so the iterations "
                            "are n_samples divided by batch_size.",
                            "곱했습니다. 데이터 수 = 배치 사이즈 x 이터레이션이므로 이터레이션은 "
                            "n_samples를 batch_size로 나눈 값입니다."),
    "case_remainder": ("a smaller last batch", "크기가 작은 마지막 배치"),
    "case_divides": ("a batch size that divides the data", "나누어떨어지는 배치 사이즈"),
    "case_sgd": ("batch size 1", "배치 사이즈 1"),
    "case_batch_larger": ("a batch larger than the data", "데이터보다 큰 배치"),
}


@lru_cache(maxsize=None)
def _cases() -> list:
    return [Case("case_remainder", (100, 32)), Case("case_remainder", (100, 32, True)),
            Case("case_divides", (64, 16)), Case("case_divides", (64, 16, True)),
            Case("case_sgd", (10, 1)), Case("case_remainder", (60000, 128)),
            Case("case_batch_larger", (5, 8)), Case("case_batch_larger", (5, 8, True))]


def _by_drop_last(keep, drop):
    return lambda n, b, drop_last=False: drop(n, b) if drop_last else keep(n, b)


def _floor(n, b):
    return n // b


def _ceil(n, b):
    return math.ceil(n / b)


def _round(n, b):
    return round(n / b)


ITERATIONS_PER_EPOCH = Exercise(
    "iterations_per_epoch", ("n_samples", "batch_size", "drop_last"), ("iterations",), "int",
    batching.iterations_per_epoch, _cases,
    mistakes=(
        Mistake("floor_not_ceil", _by_drop_last(_floor, _floor)),
        Mistake("drop_last_ignored", _by_drop_last(_ceil, _ceil)),
        Mistake("drop_last_reversed", _by_drop_last(_floor, _ceil)),
        Mistake("true_division", _by_drop_last(lambda n, b: n / b, lambda n, b: n / b)),
        Mistake("true_division", _by_drop_last(lambda n, b: n / b, _floor)),
        Mistake("round_not_ceil", _by_drop_last(_round, _floor)),
        Mistake("round_not_ceil", _by_drop_last(_round, _round)),
        Mistake("plus_one", _by_drop_last(lambda n, b: n // b + 1, _floor)),
        Mistake("plus_one", _by_drop_last(lambda n, b: n // b + 1, lambda n, b: n // b + 1)),
        Mistake("iterations_multiply", lambda n, b, drop_last=False: n * b),
        Mistake("swapped_division", _by_drop_last(lambda n, b: _ceil(b, n), lambda n, b: _floor(b, n))),
    ),
    messages=MESSAGES)

EXERCISES = (ITERATIONS_PER_EPOCH,)
