"""How fast is the loss surface? A 101 x 101 grid against a per-point Python loop, in one run.

    python benchmarks/bench_surface.py            # prints a table and whether the targets hold
    python benchmarks/bench_surface.py --check    # exits 1 when a target does not hold

Set-up: the xor data set (200 samples), a [2, 8, 8, 1] network (relu hidden layers, sigmoid
output), binary cross-entropy, and random filter-normalised directions, so every layer's weights
change from point to point (the general case; a plane of two weights is cheaper and also timed).

Baseline: for each point, set the weights (``model.set_flat``), ``model.predict`` and the loss,
as a student's loop would. It is timed on every STRIDE-th point of the grid and scaled to the whole
grid (the loop's time per point does not depend on which points it visits). Its values are
compared with the grid's at those points. The grid and the loop take turns, several times; each
pair gives a ratio, and the median pair's ratio is the one judged (wall clock; CPU time too), so a
slow spell of the machine, which slows both of a pair, disturbs it less. Times shown are the best.

Targets: the grid in <= 0.5 s, and >= 20 times faster than the loop.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stepnn as sn  # noqa: E402
from stepnn import surface as S  # noqa: E402

GRID = 101
STRIDE = 10
TARGET_SECONDS = 0.5
TARGET_RATIO = 20.0


def best_of(repeats: int, fn, clock=time.perf_counter) -> float:
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return min(times)


def per_point_loop(model, X, y, loss, center, d1, d2, A, B) -> np.ndarray:
    """The baseline: one point at a time through the model's own predict."""
    loss_fn = sn.losses.get(loss)
    out = np.empty(len(A))
    for k, (a, b) in enumerate(zip(A, B)):
        model.set_flat(center + a * d1 + b * d2)
        out[k] = loss_fn(y, model.predict(X))
    model.set_flat(center)
    return out


def setup(hidden: str = "relu"):
    X, y = sn.datasets.xor(200, seed=0)
    model = sn.Sequential([sn.Dense(2, 8, hidden), sn.Dense(8, 8, hidden),
                           sn.Dense(8, 1, "sigmoid")], seed=0)
    return model, X, y


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call of ``fn``."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(model, X, y, d1, d2, repeats: int, **kw) -> tuple[float, np.ndarray]:
    center = model.get_flat()
    axis = np.linspace(-1.0, 1.0, GRID)
    grid = S.loss_grid(model, X, y, "bce", center, d1, d2, axis, axis, **kw)
    seconds = best_of(repeats, lambda: S.loss_grid(model, X, y, "bce", center, d1, d2, axis, axis, **kw))
    return seconds, grid


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a target does not hold")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)

    model, X, y = setup("relu")
    center = model.get_flat()
    d1, d2 = S.random_directions(model, seed=0)
    axis = np.linspace(-1.0, 1.0, GRID)
    A, B = (m.ravel() for m in np.meshgrid(axis, axis))
    subset = np.arange(0, A.size, STRIDE)

    axis_args = (model, X, y, "bce", center, d1, d2, axis, axis)
    grid = S.loss_grid(*axis_args)  # warm-up, and the values to compare
    loop_values = per_point_loop(model, X, y, "bce", center, d1, d2, A[subset], B[subset])
    # The grid and the loop take turns, so a slow spell of the machine hits both of a pair; each
    # pair gives a ratio and the median pair is reported. Wall clock and CPU time of this process.
    pairs = []
    for _ in range(args.repeats):
        grid_times = timed(lambda: S.loss_grid(*axis_args))
        loop_times = timed(lambda: per_point_loop(model, X, y, "bce", center, d1, d2, A[subset], B[subset]))
        pairs.append((grid_times, tuple(t * A.size / subset.size for t in loop_times)))
    ratios = sorted(loop[0] / grid[0] for grid, loop in pairs)
    cpu_ratios = sorted(loop[1] / grid[1] for grid, loop in pairs)
    ratio, cpu_ratio = float(np.median(ratios)), float(np.median(cpu_ratios))
    grid_s = min(grid[0] for grid, _ in pairs)
    loop_s = min(loop[0] for _, loop in pairs)
    grid_cpu, loop_cpu = min(g[1] for g, _ in pairs), min(lo[1] for _, lo in pairs)
    loop_subset_s = loop_s * subset.size / A.size
    max_diff = float(np.max(np.abs(loop_values - grid.ravel()[subset])))

    print(f"loss surface benchmark: {GRID} x {GRID} grid, [2, 8, 8, 1] relu/sigmoid, xor 200 samples, "
          f"binary cross-entropy, filter-normalised random directions")
    print(f"  threads (stepnn.surface.WORKERS): {S.WORKERS}; chunk: "
          f"{S._chunk_size(model, len(X), None)} points (MEMORY_BUDGET {S.MEMORY_BUDGET} floats)")
    print(f"  grid (loss_grid)              {grid_s * 1e3:9.1f} ms   ({grid_s / A.size * 1e6:.1f} us/point)")
    print(f"  per-point loop (baseline)     {loop_s * 1e3:9.1f} ms   (timed on {subset.size} of "
          f"{A.size} points, every {STRIDE}th, scaled; {loop_subset_s / subset.size * 1e6:.0f} us/point)")
    print(f"  ratio baseline / grid         {ratio:9.1f} x   (median of {len(ratios)} pairs; "
          f"lowest {ratios[0]:.1f} x, highest {ratios[-1]:.1f} x)")
    print(f"  max |grid - loop| on the subset: {max_diff:.3g}")
    print(f"  CPU time: grid {grid_cpu * 1e3:.1f} ms, loop {loop_cpu * 1e3:.1f} ms (best), ratio "
          f"{cpu_ratio:.1f} x (median pair; lowest {cpu_ratios[0]:.1f} x)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"  machine: {os.cpu_count()} cores, load average (1 min) {load:.2f} while measuring")

    rows = []
    two_s, _ = measure(model, X, y, d1, d2, args.repeats, workers=2)
    rows.append(("same, two threads (workers=2)", two_s))
    rows.append(("plane of two weights W1[0,0], W1[0,1]",
                 measure(model, X, y, *S.weight_directions(model, "W1[0,0]", "W1[0,1]"),
                         args.repeats)[0]))
    tanh_model = setup("tanh")[0]
    rows.append(("tanh hidden layers", measure(tanh_model, X, y, *S.random_directions(tanh_model, 0),
                                              args.repeats)[0]))
    small = np.linspace(-1.0, 1.0, 41)
    rows.append(("41 x 41 grid (SurfaceView's default)",
                 best_of(args.repeats, lambda: S.loss_grid(model, X, y, "bce", center, d1, d2, small, small))))
    print("  other cases (grid time, best of repeats):")
    for name, seconds in rows:
        print(f"    {name:<40}{seconds * 1e3:9.1f} ms")

    hold_time, hold_ratio = grid_s <= TARGET_SECONDS, ratio >= TARGET_RATIO
    print(f"target grid <= {TARGET_SECONDS} s: {'holds' if hold_time else 'DOES NOT HOLD'} "
          f"({grid_s:.3f} s)")
    print(f"target ratio >= {TARGET_RATIO:g}x: {'holds' if hold_ratio else 'DOES NOT HOLD'} "
          f"({ratio:.1f}x)")
    return 0 if (hold_time and hold_ratio) or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
