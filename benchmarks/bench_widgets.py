"""How fast does the StepThrough dashboard answer a click?

The set-up: the xor data (200 points), a [2, 4, 2, 1] network (tanh, tanh, sigmoid), binary
cross-entropy, SGD, batch size 16, every view shown (network diagram, z/a heatmaps, dL/dW
heatmaps, loss curve, loss surface, decision boundary), Agg figures (no browser), dpi 80.

Measured in the same run, taking turns:

- dashboard, draw: ``buttons["step"].click()`` on a StepThrough (without the neuron pictures,
  maths panel closed) whose redraw brings the Agg
  pixels up to date exactly as a live dashboard does before its ipympl canvas sends them
  (``Dashboard.render``: matplotlib's blitting restores the kept background and draws the
  views' animated artists; after a change of limits or of the loss surface, a full draw): one
  iteration, every view updated in place, the figure's pixels current. Only the sending is left
  out;
- + pictures, maths: the same, with every hidden unit's picture in the network diagram
  (``neuron_pictures=True``, the default for 2 inputs) and the maths panel open
  (``show_maths=True``: the HTMLMath text of the last phase is built at every click);
- dashboard, PNG: the same click as "dashboard, draw" on a static StepThrough (``live=False``), whose redraw renders
  the same way, then encodes the pixels as a PNG for an Image widget;
- naive baseline: what a dashboard without reusable views would do per click: one iteration,
  then a new figure with the same views (no neuron pictures), drawn to PNG;
- reference plot: TESTING.md's yardstick (19 ms on an idle machine), to read how busy the
  machine was; the click time scaled by it is printed too.

The comparison runs twice: with every view, and without the loss surface (whose naive rebuild
also recomputes the surface, which favours the dashboard). It prints the median milliseconds
(and the mean, which includes the full draws after the loss surface was recomputed), the ratios
dashboard / baseline (target: at most 0.35) and the time of a click (target: at most
60 ms), for the dashboard with the pictures and the maths too, and what they add (the ratio
of its click to the plain one's); then the phase clicks (with the pictures and the maths) (Forward, Loss, Backward, Update: blitted like a Step), then
Play throughput: ``StepThrough.tick()`` at 10 iterations/s (one iteration per tick, every view
updating, the pixels brought up to date at every tick; target: at least 10 iterations per
second). The share of full draws among the redraws is printed too, and whether
the dashboard's last pixels equal those of a full draw of its figure.

Then a click that adds the student's own point on the decision boundary (the Playground row,
``_after_boundary_click``, inside the data's range, all views, neuron pictures on), against a
Step click on the same kind of dashboard and against the former way of showing a data change,
kept as the baseline: every view built again (``_build_views``) instead of fitting itself to
the new data (``View.set_data``). Target: a point costs at most ``TARGET_POINT_RATIO`` x the
rebuild. Its own run: ``--only-points``.

Last, Play at every speed its slider offers (1 to ``MAX_SPEED`` iterations/s): frames come as the
page's Play widget sends them (one every ``play.interval`` ms, whether or not the kernel is busy),
each one changes ``play.value`` as the page does, and a frame that arrives within half an
interval of the last tick's end is dropped, as a live dashboard drops the backlog of a slow tick;
``steps_per_tick`` adapts as it does in a notebook. Once it has settled (the time this takes is
printed), the iterations done per second of wall time are compared with the speed asked (target: at least 90 % of it at every
speed; otherwise the slider should stop at the fastest speed delivered). The image is not sent to
a browser here: the browser test measures that part (click to canvas).

This is a measurement, not a test: it always exits with status 0.
Run from the repository root:
``python benchmarks/bench_widgets.py [--clicks 40] [--ticks 60] [--speeds 1-30] [--play-seconds 3]
[--only-points]``.
"""
from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import stepnn as sn  # noqa: E402
from stepnn.widgets.stepthrough import (ADAPT_TICKS, MAX_SPEED, StepThrough, backlog_seconds, build_views,
                                        view_figsize)  # noqa: E402

TARGET_RATIO = 0.35
TARGET_MS = 60.0
TARGET_ITERATIONS_PER_SECOND = 10.0
TARGET_POINT_RATIO = 0.5  # a point added, shown in place, against every view built again
TARGET_PLAY_SHARE = 0.9   # Play delivers at least 90 % of the speed its slider asks
MAX_WARM_UP = 20.0        # seconds Play may take to settle before its rate is measured anyway
REFERENCE_IDLE_MS = 19.0  # TESTING.md: reuse figure + canvas.draw() of a 640x480 plot, idle machine
DPI = 80
VIEWS = ("network", "heatmaps", "gradients", "curves", "surface", "boundary")


def make_trainer() -> sn.Trainer:
    X, y = sn.datasets.xor()
    model = sn.Sequential([sn.Dense(2, 4, activation="tanh"), sn.Dense(4, 2, activation="tanh"),
                           sn.Dense(2, 1, activation="sigmoid")], seed=0)
    return sn.Trainer(model, X, y, loss="binary_crossentropy", optimizer="sgd", learning_rate=0.3,
                      batch_size=16, seed=0)


class DrawOnly(StepThrough):
    """A StepThrough whose redraw renders the Agg pixels as a live one does, minus the comm."""

    def redraw(self) -> None:
        for fig in self.figures:
            self.render(fig)


class Rebuilding(DrawOnly):
    """The baseline for a data change: every view built again for the new data."""

    def _show_data(self) -> None:
        self._build_views()


def compare_points(clicks: int) -> None:
    """Ms of a click that adds a point (shown in place, or every view rebuilt) and of a Step
    click, taking turns after a warm-up; printed with their ratios."""
    boards = {"Step click": DrawOnly(make_trainer(), live=False, dpi=DPI),
              "add a point": DrawOnly(make_trainer(), live=False, dpi=DPI),
              "old: rebuild": Rebuilding(make_trainer(), live=False, dpi=DPI)}
    rng = np.random.default_rng(0)
    spots = rng.uniform(-4.0, 4.0, size=(clicks + 3, 2))   # inside the xor data's range

    def adder(board):   # the boundary view in force (the rebuilding board makes a new one per click)
        spot = iter(spots)
        return lambda: board._after_boundary_click(board.views["boundary"], *next(spot))

    contenders = {"Step click": boards["Step click"].buttons["step"].click,
                  "add a point": adder(boards["add a point"]),
                  "old: rebuild": adder(boards["old: rebuild"])}
    for board in boards.values():
        board.step()
    for _ in range(3):   # warm-up
        for fn in contenders.values():
            fn()
    full = {name: board.blitter.full_draws for name, board in boards.items()}
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(clicks):
        for name, fn in contenders.items():
            times[name].append(time_ms(fn))
    median = {name: statistics.median(t) for name, t in times.items()}
    print("A click that adds an own point on the decision boundary, all views with the neuron pictures")
    print(f"{'':14}{'ms':>9}{'/ Step':>9}{'/ rebuild':>11}{'full draws':>12}")
    for name, board in boards.items():
        drawn = "-" if isinstance(board, Rebuilding) else board.blitter.full_draws - full[name]  # a new blitter per rebuild
        print(f"{name:14}{median[name]:9.1f}{median[name] / median['Step click']:9.2f}"
              f"{median[name] / median['old: rebuild']:11.2f}{drawn:>12}")
    ratio = median["add a point"] / median["old: rebuild"]
    print(f"add a point / rebuild: {ratio:.2f}: target <= {TARGET_POINT_RATIO} "
          f"{'met' if ratio <= TARGET_POINT_RATIO else 'NOT met'}; "
          f"{same_as_full_draw(boards['add a point'].figure)}")
    errors = [e for board in boards.values() for e in board.errors]
    if errors:
        print("errors during the run:", *errors, sep="\n")
    print()


def naive_click(trainer: sn.Trainer, views) -> bytes:
    """One iteration, then a new figure with the same views, drawn to PNG."""
    trainer.step()
    fig = Figure(figsize=view_figsize(views, trainer.model), dpi=DPI)
    FigureCanvasAgg(fig)
    build_views(fig, trainer, views, neuron_pictures=False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def time_ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def reference_figure() -> Figure:
    """TESTING.md's yardstick: one 640x480 line plot with default ticks, redrawn with
    ``canvas.draw()`` (about 19 ms on an idle machine of this kind). Timed beside the contenders,
    it says how busy the machine was during the run."""
    fig = Figure(figsize=(6.4, 4.8), dpi=100)
    FigureCanvasAgg(fig)
    fig.add_subplot().plot(range(100))
    return fig


def compare(views, clicks: int) -> tuple[dict[str, list[float]], str]:
    """Ms per click of the three contenders and the yardstick, taking turns after a warm-up; and
    how many of the timed draws of the dashboard were full draws."""
    drawn = DrawOnly(make_trainer(), live=False, dpi=DPI, views=views, neuron_pictures=False)
    extras = DrawOnly(make_trainer(), live=False, dpi=DPI, views=views, neuron_pictures=True,
                      show_maths=True)
    static = StepThrough(make_trainer(), live=False, dpi=DPI, views=views, neuron_pictures=False)
    naive_trainer = make_trainer()
    contenders = {"dashboard, draw": drawn.buttons["step"].click,
                  "+ pictures, maths": extras.buttons["step"].click,
                  "dashboard, PNG": static.buttons["step"].click,
                  "naive baseline": lambda: naive_click(naive_trainer, views),
                  "reference plot": reference_figure().canvas.draw}
    for _ in range(3):  # warm-up: fonts, caches
        for fn in contenders.values():
            fn()
    full_before = drawn.blitter.full_draws
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(clicks):
        for name, fn in contenders.items():
            times[name].append(time_ms(fn))
    if drawn.errors or static.errors or extras.errors:
        print("errors during the run:", *(drawn.errors + static.errors + extras.errors), sep="\n")
    pictures = extras.views["network"].pictures if "network" in views else None
    shown = (f"; with pictures and maths: {len(pictures.meshes)} pictures, recomputed "
             f"{pictures.recomputed} times, maths built {extras.maths.renders} times, "
             f"{same_as_full_draw(extras.figure)}" if pictures is not None else "")
    return times, (f"{drawn.blitter.full_draws - full_before} of the {clicks} timed draws were full "
                   f"draws; {same_as_full_draw(drawn.figure)}{shown}")


def same_as_full_draw(fig) -> str:
    """Whether the pixels the dashboard left equal those of a full draw of the same figure (a
    savefig draws every artist, the animated ones included)."""
    blitted = np.asarray(fig.canvas.buffer_rgba()).copy()
    buf = io.BytesIO()
    fig.savefig(buf, format="rgba", dpi=fig.dpi)
    full = np.frombuffer(buf.getvalue(), np.uint8).reshape(blitted.shape)
    differ = np.count_nonzero(np.any(blitted != full, axis=2))
    if differ:
        return f"{differ} pixels differ from a full draw"
    return "the last pixels equal a full draw's"


def report(title: str, times: dict[str, list[float]], note: str) -> None:
    median = {name: statistics.median(t) for name, t in times.items()}
    base, load = median["naive baseline"], median["reference plot"] / REFERENCE_IDLE_MS
    print(title)
    print(f"{'':18}{'ms':>9}{'/ baseline':>12}{'mean ms':>10}")
    for name, ms in median.items():
        print(f"{name:18}{ms:9.1f}{ms / base:12.2f}{statistics.fmean(times[name]):10.1f}")
    print(f"(dashboard: {note})")
    ms = median["dashboard, draw"]
    for name in ("dashboard, draw", "+ pictures, maths"):
        ms = median[name]
        print(f"{name}: ratio {ms / base:.2f}: target <= {TARGET_RATIO} "
              f"{'met' if ms / base <= TARGET_RATIO else 'NOT met'}; click {ms:.1f} ms: target <= "
              f"{TARGET_MS:.0f} ms {'met' if ms <= TARGET_MS else 'NOT met'}")
    print(f"the pictures and the maths make a click {median['+ pictures, maths'] / median['dashboard, draw']:.2f} "
          f"x as long as without them")
    ms = median["+ pictures, maths"]
    print(f"(the reference plot took {load:.1f} x its idle {REFERENCE_IDLE_MS:.0f} ms: scaled to an idle "
          f"machine the click would take about {ms / load:.0f} ms)\n")


def play_at(speed: int, seconds: float) -> tuple[float, int, "float | None", float]:
    """Play at ``speed`` iterations/s with frames paced as the page sends them (see the module's
    docstring); returns (iterations per second delivered once Play has settled, iterations per tick
    at the end, the rate the status line shows, the seconds Play took to settle). Settled: the
    iterations per tick unchanged for 2 x ``ADAPT_TICKS`` ticks (at most ``MAX_WARM_UP`` s)."""
    player = DrawOnly(make_trainer(), live=False, dpi=DPI)
    player.controls["max_epochs"].value = 0          # no limit: Play runs until paused
    player.controls["speed"].value = speed
    player.play.playing = True
    interval = player.play.interval / 1000
    measured = max(seconds, 5 * interval)
    clock = time.perf_counter
    start = next_frame = clock()
    tick_done, begin, first = -np.inf, None, None
    same, last = 0, player.steps_per_tick
    while True:
        now = clock()
        if now < next_frame:
            time.sleep(next_frame - now)             # the page's clock: the next frame is not due yet
            now = next_frame
        interval = player.play.interval / 1000       # read before each frame, as the page does
        next_frame += interval
        if begin is None and (same >= 2 * ADAPT_TICKS or now - start >= MAX_WARM_UP):
            begin, first = now, player.trainer.global_iteration
        if begin is not None and now - begin >= measured:
            break
        if now - tick_done < backlog_seconds(player.play.interval):   # the backlog of a slow tick: dropped
            continue
        player.play.value += 1                       # what the page's Play widget does
        tick_done = clock()
        same = same + 1 if player.steps_per_tick == last else 0
        last = player.steps_per_tick
    delivered = (player.trainer.global_iteration - first) / (clock() - begin)
    rate = player.rate
    player.play.playing = False
    if player.errors:
        print("errors during the run:", *player.errors, sep="\n")
    return delivered, player.steps_per_tick, rate, begin - start


def report_play(speeds, seconds: float) -> None:
    print(f"Play at each speed of the slider (1 to {MAX_SPEED}), all views, frames paced as the page "
          f"sends them; {seconds:g} s measured after a warm-up")
    print(f"{'asked/s':>8}{'delivered/s':>13}{'share':>8}{'its/tick':>10}{'status shows':>14}{'settled in s':>14}")
    short = []
    for speed in speeds:
        delivered, per_tick, shown, settle = play_at(speed, seconds)
        share = delivered / speed
        if share < TARGET_PLAY_SHARE:
            short.append(speed)
        print(f"{speed:8d}{delivered:13.1f}{share:8.0%}{per_tick:10d}"
              f"{'' if shown is None else f'{shown:.1f}':>14}{settle:14.1f}")
    kept = [s for s in speeds if s not in short]
    if not short:
        print(f"every speed delivered at >= {TARGET_PLAY_SHARE:.0%}: MAX_SPEED = {MAX_SPEED} keeps its promise\n")
    else:
        top = max((s for s in kept if s < min(short)), default=None)
        print(f"below {TARGET_PLAY_SHARE:.0%} at {short}: the slider should stop at {top} on this machine "
              f"(load average {os.getloadavg()[0]:.1f}; rerun on a quiet machine before changing MAX_SPEED)\n")


def speed_list(text: str) -> list[int]:
    """"1-30" or "1,5,30" as a list of speeds."""
    if "-" in text:
        lo, hi = (int(v) for v in text.split("-"))
        return list(range(lo, hi + 1))
    return [int(v) for v in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=40, help="timed clicks per contender")
    parser.add_argument("--ticks", type=int, default=60, help="Play ticks timed")
    parser.add_argument("--speeds", type=speed_list, default=list(range(1, MAX_SPEED + 1)),
                        help=f"Play speeds to measure, e.g. 1-{MAX_SPEED} (default) or 5,10,30")
    parser.add_argument("--play-seconds", type=float, default=3.0, help="seconds measured per speed")
    parser.add_argument("--only-play", action="store_true", help="measure only Play at each speed")
    parser.add_argument("--only-points", action="store_true", help="measure only the click that adds a point")
    args = parser.parse_args()
    if args.only_play:
        report_play(args.speeds, args.play_seconds)
        return
    if args.only_points:
        compare_points(args.clicks)
        return
    import matplotlib
    print(f"StepThrough click -> figure redrawn; xor, [2, 4, 2, 1]; python {platform.python_version()}, "
          f"matplotlib {matplotlib.__version__}, numpy {np.__version__}, {os.cpu_count()} cpu(s), load "
          f"average {os.getloadavg()[0]:.1f}; {args.clicks} clicks each, median\n")
    report(f"all views: {', '.join(VIEWS)}", *compare(VIEWS, args.clicks))
    without = tuple(v for v in VIEWS if v != "surface")
    report("without the loss surface (its naive rebuild recomputes the surface, which would flatter "
           "the ratio)", *compare(without, args.clicks))

    phases = DrawOnly(make_trainer(), live=False, dpi=DPI, show_maths=True)
    phase_times = []
    for turn in range(args.clicks // 4 + 2):
        for phase in ("forward", "loss", "backward", "update"):
            ms = time_ms(phases.buttons[phase].click)
            if turn >= 2:   # after a warm-up
                phase_times.append(ms)
    print(f"Phase clicks (forward, loss, backward, update), all views, pictures and maths: median "
          f"{statistics.median(phase_times):.1f} ms, mean {statistics.fmean(phase_times):.1f} ms\n")

    player = DrawOnly(make_trainer(), live=False, dpi=DPI)
    player.controls["speed"].value = 10
    player.controls["max_epochs"].value = 0
    player.tick()
    full_before = player.blitter.full_draws
    start = time.perf_counter()
    for _ in range(args.ticks):
        player.tick()
    elapsed = time.perf_counter() - start
    per_second = args.ticks * player.steps_per_tick / elapsed
    reference = reference_figure()
    load = statistics.median(time_ms(reference.canvas.draw) for _ in range(15)) / REFERENCE_IDLE_MS
    verdict = "met" if per_second >= TARGET_ITERATIONS_PER_SECOND else "NOT met"
    print(f"Play, all views: {args.ticks / elapsed:.1f} ticks/s x {player.steps_per_tick} iteration per "
          f"tick = {per_second:.1f} iterations/s, every view drawn at every tick: target >= "
          f"{TARGET_ITERATIONS_PER_SECOND:.0f} {verdict} ({player.blitter.full_draws - full_before} of the "
          f"{args.ticks} redraws were full draws)")
    print(f"(the reference plot then took {load:.1f} x its idle time: on an idle machine about "
          f"{per_second * load:.0f} iterations/s)")
    if player.errors:
        print("errors during the run:", *player.errors, sep="\n")
    print()
    compare_points(args.clicks)
    report_play(args.speeds, args.play_seconds)


if __name__ == "__main__":
    main()
