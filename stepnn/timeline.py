"""Time travel (undo, redo, goto) by checkpoints and deterministic replay.

Training is deterministic given the seed, so a run is fully described by its start and the
list of actions taken: the phases (forward, loss, backward, update), the setting changes and the
weights set by hand. To stand at any moment, a trainer restores a saved state at or before it and
re-runs the recorded actions from there.

Saved states (copies of the trainer's ``LoopState``, weights included) come in two kinds:

- the recent window: the ``RECENT`` states saved last (after a move, those far from where the
  trainer stands go), so that undo and redo nearby are instant: the full state (records
  included) before each action done on its own (a phase, a setting change), and the state
  before each ``step()`` from an iteration's start (its phases are one call, so one state).
  That one lets go of its records as soon as the step's forward is done: holding on to the last
  iteration's arrays would keep fresh memory in use at every step, where reusing memory still
  in the processor's cache is what makes a step fast (about 10 % of a [64,128,10] net's step in
  bench_core; letting go after the forward rather than at the end of the step, another 3-4 %).
  Like a checkpoint, it serves any moment after its iteration's forward, which rebuilds the
  records; an undo into a step replays at most three phases from it;
- checkpoints: the state at the start of every ``every``-th iteration, without records, for the
  whole run. When they take more than ``CHECKPOINT_BYTES`` the spacing doubles and every other
  one is dropped, so their memory stays bounded however long the run.

Doing a new action while standing in the past drops the actions after it (the redo tail), as
in any editor.
"""
from __future__ import annotations

from bisect import bisect_right, insort

import numpy as np

__all__ = ["Timeline", "RECENT", "CHECKPOINT_EVERY", "CHECKPOINT_BYTES"]

RECENT = 16  # saved states kept for undo and redo nearby (16 steps, or 4 iterations of phases)
CHECKPOINT_EVERY = 64  # iterations between checkpoints at the start of a run
CHECKPOINT_BYTES = 48 * 2 ** 20  # the checkpoints' arrays take at most about this much memory


class Timeline:
    """The actions of a run, where the trainer stands among them, and the saved states.

    Attributes:
        actions: the recorded actions, each a tuple (name, *arguments).
        at: how many of them are in force; the rest are the redo tail.
    """

    def __init__(self, start):
        self.actions: list[tuple] = []
        self.at = 0
        self.recent: dict = {}  # position -> (the state before the action there, light)
        self.checkpoints: dict = {0: start}  # position -> state without records; the start stays
        self._positions: list[int] = [0]  # checkpoint positions, sorted
        self.every = CHECKPOINT_EVERY
        self._bytes = 0
        self._sizes: dict[int, int] = {0: 0}  # bytes of arrays each checkpoint keeps alive
        self._starts: list[int] = []  # positions of the forward actions (iteration starts)
        self._ends: list[int] = []  # positions of the update actions (iteration ends)

    def passed(self, before, actions: tuple, light: bool = False) -> None:
        """The actions ``actions`` (a tuple of actions, done one after another from position
        ``at``) are done; ``before`` is the state before the first of them (``light``: without
        its records, which only a forward replayed from it rebuilds).

        Only that state is kept for the recent window: an undo to a moment between them
        replays from it (a few phases, well under a millisecond), so that ``step()``, four
        phases in one call, saves one state instead of four.
        """
        at = self.at
        end = at + len(actions)
        recorded, recent = self.actions, self.recent
        starts = actions[0][0] == "forward"
        if at == len(recorded):
            # several actions are the phases of one iteration, in order: a forward can only be
            # the first of them and an update only the last
            recorded.extend(actions)
            if starts:
                self._starts.append(at)
            if actions[-1][0] == "update":
                self._ends.append(end - 1)
        else:  # a replay: its state comes in last, as the newest
            recent.pop(at, None)
        recent[at] = (before, light)
        if len(recent) > RECENT:  # the oldest state goes: the first in
            del recent[next(iter(recent))]
        if (starts and before.global_iteration % self.every == 0
                and at not in self.checkpoints):  # iteration starts are where checkpoints go
            self._checkpoint(at, before)
        self.at = end

    def fork(self) -> None:
        """Drop the redo tail and every saved state after ``at``."""
        at = self.at
        del self.actions[at:]
        del self._starts[bisect_right(self._starts, at - 1):]
        del self._ends[bisect_right(self._ends, at - 1):]
        for p in [p for p in self.recent if p > at]:
            del self.recent[p]
        while self._positions and self._positions[-1] > at:
            self._drop(self._positions[-1])

    @property
    def n_updates(self) -> int:
        """Iterations recorded (completed), the redo tail included."""
        return len(self._ends)

    def iteration_start(self, k: int) -> int:
        """The position after k completed iterations: just before the (k + 1)-th forward, or the
        end of the recorded actions when there is none."""
        return self._starts[k] if k < len(self._starts) else len(self.actions)

    def start_for(self, target: int) -> tuple:
        """Where to replay from to reach ``target``: (position, saved state, light), or
        (at, None, False) to replay from the trainer's current state. Checkpoints and light recent
        states hold no records, so one is used only at or before the last forward before
        ``target`` (whose records the target shows); ``light`` says the state is one of those.
        The start (position 0) is whole: it serves every target."""
        last_forward = target - 1
        while last_forward >= 0 and self.actions[last_forward][0] != "forward":
            last_forward -= 1
        k = bisect_right(self._positions, last_forward)
        best = self._positions[k - 1] if k else 0
        snap, snap_light = self.checkpoints[best], best != 0
        for p, (s, light) in self.recent.items():
            if best < p <= (last_forward if light else target):
                best, snap, snap_light = p, s, light
        if best <= self.at <= target:
            return self.at, None, False
        return best, snap, snap_light

    def replayed_from_light(self, position: int) -> None:
        """A replay started at ``position`` from a state without records: the state it kept
        there in the recent window has none either, so it serves like a checkpoint."""
        if position in self.recent:
            self.recent[position] = (self.recent[position][0], True)

    def trim(self) -> None:
        """Let go of recent snapshots far from where the trainer stands."""
        at = self.at
        for p in [p for p in self.recent if abs(p - at) > RECENT]:
            del self.recent[p]

    def _checkpoint(self, at: int, before) -> None:
        state = before.copy()
        state.drop_records()
        self.checkpoints[at] = state
        insort(self._positions, at)
        self._sizes[at] = size = _nbytes(state.weights) + _nbytes(state.opt_state)
        self._bytes += size
        while self._bytes > CHECKPOINT_BYTES and len(self._positions) > 2:
            self.every *= 2
            for p in list(self._positions[1:]):  # the start (position 0) stays
                if self.checkpoints[p].global_iteration % self.every:
                    self._drop(p)

    def _drop(self, position: int) -> None:
        del self.checkpoints[position]
        self._bytes -= self._sizes.pop(position)
        self._positions.remove(position)

    def __repr__(self) -> str:
        return (f"Timeline({self.at} of {len(self.actions)} actions in force; "
                f"{len(self.recent)} recent snapshots, {len(self.checkpoints)} checkpoints "
                f"every {self.every} iterations)")


def _nbytes(obj) -> int:
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, dict):
        return sum(_nbytes(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(_nbytes(v) for v in obj)
    return 0
