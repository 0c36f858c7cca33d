"""Time travel and memory: undo, goto, and how much a long run makes the process grow.

Measured in the same run:

- undo of the last phase (the recent window's snapshots make it a restore), median over many;
- ``goto`` to random iterations of a 10,000-iteration run of a [64, 128, 10] softmax net
  (2,048 samples, batch 64, Adam): restore the nearest checkpoint, replay the rest; median;
- for comparison, one ``Trainer.step()`` of that run (goto costs a few hundred of them at most);
- the growth of peak RSS (Linux's VmHWM, reset to the current RSS just before the run) over
  10,000 and 100,000
  iterations of that run with default settings, each in a fresh subprocess so that one run's
  memory does not hide another's. The budget: at most 100 MB and 300 MB.

Targets: undo <= 5 ms, goto <= 300 ms (medians); memory within the budget. A measurement, not a
test: it prints the figures and whether each target is met, and exits with status 0.

BLAS runs on one thread (``OPENBLAS_NUM_THREADS=1`` and the like, unless set): these matrices
are small, and on a busy machine threaded BLAS waits for cores (measured here: a 64x64 @ 64x128
product took 3 ms threaded under load, 0.1 ms on one thread).

Run from the repository root: ``python benchmarks/bench_history.py [--quick]`` (``--quick``
skips the 100,000-iteration run).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy is imported; children inherit it

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import stepnn as sn  # noqa: E402

UNDO_TARGET_MS = 5.0
GOTO_TARGET_MS = 300.0
BUDGET_MB = {10_000: 100.0, 100_000: 300.0}


def make_trainer() -> sn.Trainer:
    """The [64, 128, 10] softmax net on 2,048 samples, batch 64, Adam, default settings."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2048, 64))
    y = np.argmax(X @ rng.normal(size=(64, 10)) + rng.normal(size=(2048, 10)), axis=1)
    model = sn.Sequential([sn.Dense(64, 128, "relu"), sn.Dense(128, 10, "softmax")], seed=0)
    return sn.Trainer(model, X, y, loss="sparse_categorical_crossentropy", optimizer="adam",
                      batch_size=64)


def peak_rss_mb() -> float:
    """The process's peak RSS in MB: Linux's VmHWM (which ``reset_peak`` can lower to the current
    RSS), else ``getrusage``'s ``ru_maxrss``."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def reset_peak() -> None:
    """Start the peak RSS afresh from the current RSS (Linux: write 5 to /proc/self/clear_refs),
    so that a peak reached before the run (imports, warm-up) does not hide its growth."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


def memory_child(iterations: int) -> None:
    """Run in a subprocess: print the peak RSS growth of ``iterations`` steps as JSON."""
    tr = make_trainer()
    for _ in range(10):  # warm-up: lazy imports, BLAS buffers
        tr.step()
    tr.reset()
    reset_peak()
    before = peak_rss_mb()
    start = time.perf_counter()
    step = tr.step
    for _ in range(iterations):
        step()
    seconds = time.perf_counter() - start
    print(json.dumps({"growth_mb": peak_rss_mb() - before, "seconds": seconds}))


def memory_growth(iterations: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(iterations)], check=True,
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def time_undo(tr: sn.Trainer, repeats: int = 200) -> list[float]:
    """Milliseconds per undo of the last phase (then the phase is run again, not timed)."""
    times = []
    for _ in range(repeats):
        phase = tr.next_phase
        getattr(tr, phase)()
        start = time.perf_counter()
        tr.undo()
        times.append((time.perf_counter() - start) * 1e3)
        getattr(tr, phase)()
    return times


def time_goto(tr: sn.Trainer, repeats: int = 30, seed: int = 1) -> list[float]:
    rng = np.random.default_rng(seed)
    last = tr.recorded_iterations
    times = []
    for k in rng.integers(0, last + 1, size=repeats):
        start = time.perf_counter()
        tr.goto(int(k))
        times.append((time.perf_counter() - start) * 1e3)
        assert tr.global_iteration == k
    return times


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the 100,000-iteration run")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        memory_child(args.child)
        return 0
    load = os.getloadavg()[0]
    tr = make_trainer()
    start = time.perf_counter()
    for _ in range(10_000):
        tr.step()
    step_ms = (time.perf_counter() - start) / 10_000 * 1e3
    undo = time_undo(tr)
    goto = time_goto(tr)
    tr.goto(tr.recorded_iterations)
    lines = [f"stepnn time travel: [64,128,10] softmax, 2,048 samples, batch 64, Adam "
             f"(load average {load:.1f} on {len(os.sched_getaffinity(0))} CPU(s); timings under "
             f"load are noisy)",
             f"one Trainer.step(): {step_ms:.3f} ms (mean over 10,000)",
             f"undo of the last phase: median {statistics.median(undo):.3f} ms, max {max(undo):.3f} ms "
             f"(target <= {UNDO_TARGET_MS} ms: "
             f"{'met' if statistics.median(undo) <= UNDO_TARGET_MS else 'NOT met'})",
             f"goto to a random iteration of 10,000: median {statistics.median(goto):.1f} ms, "
             f"max {max(goto):.1f} ms = {statistics.median(goto) / step_ms:.0f} steps (target <= "
             f"{GOTO_TARGET_MS:g} ms: {'met' if statistics.median(goto) <= GOTO_TARGET_MS else 'NOT met'})",
             f"  {tr._timeline!r}"]
    for iterations in ([10_000] if args.quick else [10_000, 100_000]):
        m = memory_growth(iterations)
        budget = BUDGET_MB[iterations]
        lines.append(f"peak RSS growth over {iterations:,} iterations: {m['growth_mb']:.1f} MB in "
                     f"{m['seconds']:.0f} s (budget {budget:g} MB: "
                     f"{'met' if m['growth_mb'] <= budget else 'NOT met'})")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
