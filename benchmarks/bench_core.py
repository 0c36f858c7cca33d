"""How much does watching cost? Microseconds per ``Trainer.step()`` beside the same maths by hand.

For each network below, one training iteration (forward -> loss -> backward -> update) is timed
three ways in the same run:

- ``Trainer.step()`` with the Trainer's default settings (shuffle, fused output gradient,
  history and undo kept);
- the fastest honest hand-written numpy loop doing the same maths (ufuncs called directly, without
  the Python wrappers of np.clip, np.mean and ndarray.sum): a fresh shuffled order every epoch and batches
  taken by fancy indexing, relu hidden layers, the same output activation (the stable sigmoid
  written as 0.5 (1 + tanh(z / 2)), the fastest numpy form), the same Keras loss
  (probabilities clipped to [1e-7, 1 - 1e-7]) with the same fused output gradient and its Keras
  clip mask (zero where the probability was clipped), the chain
  rule back to the first layer, plain SGD, and a per-iteration history of the loss and the
  gradient norm (two floats, what a student needs for a loss curve);
- PyTorch, when it is installed: the same network in float64, the same batches, the equivalent
  loss on the logits (``BCEWithLogitsLoss`` / ``CrossEntropyLoss``), ``torch.optim.SGD``, and the
  same two floats kept per iteration; timed with torch's own thread count and again on one
  thread (on a busy machine torch's threaded loss kernels can wait milliseconds for a core).

Each runner starts from the same weights and the same shuffling seed, so all three compute the
same numbers; the table shows how far apart their losses end up as proof of that.

Timing: ``time.perf_counter`` (and the process's CPU time, ``time.process_time``, which
time spent waiting for a busy CPU does not count) around whole runs of a few epochs (the epochs wrap, the last
batch of an epoch may be smaller), after a warm-up run; every repeat starts from the initial
state, the Trainer and the numpy loop take turns (torch is timed after them), and the table
shows the median over the repeats. The ratio is the median over the turns of Trainer / numpy
loop within one turn: a slow spell of the machine slows both runs of a turn, so it cancels out.
The machine's environment is used as it is (BLAS threads, the garbage collector).

This is a measurement, not a test: it prints the ratio Trainer / numpy loop and whether the
target (at most 1.3) is met, and always exits with status 0.

Run from the repository root: ``python benchmarks/bench_core.py [--repeats 15] [--epochs 4]``.
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import stepnn as sn  # noqa: E402

try:
    import torch
except ImportError:  # torch is optional: the comparison column is left out
    torch = None

TARGET_RATIO = 1.3
LEARNING_RATE = 0.1
SEED = 0
EPSILON = sn.losses.EPSILON

# A runner is (reset, run): reset() puts it back at the initial state (not timed); run(steps)
# trains for that many iterations (timed) and returns (losses (steps,), grad_norms (steps,),
# final weights [W1, b1, ...]).
Result = tuple[np.ndarray, np.ndarray, list]
Runner = tuple[Callable[[], None], Callable[[int], Result]]


@dataclass(frozen=True)
class Case:
    """One network to time.

    Attributes:
        sizes: units per layer, input first, e.g. [2, 8, 8, 1].
        output: the output activation, ``"sigmoid"`` (binary cross-entropy, labels (n, 1) 0/1)
            or ``"softmax"`` (sparse categorical cross-entropy, labels (n,) ints).
        batch_size: samples per iteration.
        n_samples: size of the training set.
    """
    sizes: tuple
    output: str
    batch_size: int
    n_samples: int

    @property
    def loss(self) -> str:
        return "binary_crossentropy" if self.output == "sigmoid" else "sparse_categorical_crossentropy"

    @property
    def activations(self) -> list[str]:
        return ["relu"] * (len(self.sizes) - 2) + [self.output]

    @property
    def label(self) -> str:
        return f"[{','.join(map(str, self.sizes))}] b={self.batch_size}"

    @property
    def iterations_per_epoch(self) -> int:
        return math.ceil(self.n_samples / self.batch_size)


CASES = (
    Case((2, 8, 8, 1), "sigmoid", 16, 1000),
    Case((2, 64, 64, 1), "sigmoid", 32, 1000),
    Case((64, 128, 10), "softmax", 64, 2048),
)


def make_data(case: Case) -> tuple[np.ndarray, np.ndarray]:
    """X (N, n_in) float64 and y: (N, 1) 0/1 floats for a sigmoid output (the 2-D circle data),
    (N,) ints for softmax (Gaussian inputs labelled by a random linear teacher)."""
    if case.output == "sigmoid":
        X, y = sn.datasets.circle(case.n_samples, noise=0.1, seed=SEED)
        return X, y.reshape(-1, 1).astype(np.float64)
    rng = np.random.default_rng(SEED)
    X = rng.normal(size=(case.n_samples, case.sizes[0]))
    teacher = rng.normal(size=(case.sizes[0], case.sizes[-1]))
    return X, np.argmax(X @ teacher + rng.normal(size=(case.n_samples, case.sizes[-1])), axis=1)


def make_model(case: Case) -> sn.Sequential:
    layers = [sn.Dense(n_in, n_out, activation=act)
              for n_in, n_out, act in zip(case.sizes, case.sizes[1:], case.activations)]
    return sn.Sequential(layers, seed=SEED)


# ---------------------------------------------------------------- the three runners
def trainer_runner(case: Case, X: np.ndarray, y: np.ndarray) -> Runner:
    """``Trainer.step()`` with default settings (history and undo kept)."""
    tr = sn.Trainer(make_model(case), X, y, loss=case.loss, optimizer="sgd",
                    learning_rate=LEARNING_RATE, batch_size=case.batch_size, seed=SEED)

    def run(steps: int) -> Result:
        step = tr.step
        for _ in range(steps):
            step()
        return tr.history.losses, tr.history.grad_norms, tr.model.get_weights()

    return tr.reset, run


# The numpy loop calls ufuncs and their reduce methods directly, not np.clip, np.mean or
# ndarray.sum / .max: those Python wrappers cost microseconds per call (np.clip about 10 us here),
# together about a quarter of the [2,8,8,1] net's loop. The numbers are the same, bit for bit.
_sum, _max = np.add.reduce, np.maximum.reduce


def _clip(p: np.ndarray) -> np.ndarray:
    return np.minimum(np.maximum(p, EPSILON), 1.0 - EPSILON)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # stable (tanh never overflows) and the fastest form


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - _max(z, axis=1, keepdims=True))
    return e / _sum(e, axis=1, keepdims=True)


def _bce_and_fused_grad(a: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """a, y (b, k) -> binary cross-entropy per sample (b,), Keras clipping, and dL/dz = (a - y) / (b k) unclipped."""
    b, k = a.shape
    c = _clip(a)
    per_sample = -(_sum(y * np.log(c) + (1.0 - y) * np.log(1.0 - c), axis=1) / k)
    dz = (a - y) * ((a > EPSILON) & (a < 1.0 - EPSILON)) / (b * k)  # the Keras clip mask
    return per_sample, dz


def _sparse_cce_and_fused_grad(a: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """a (b, k), integer y (b,) -> sparse categorical cross-entropy per sample (b,), Keras rescaling and clipping, and
    dL/dz = (a - onehot(y)) / b where the true class's probability was not clipped."""
    b = len(a)
    rows = np.arange(b)
    p_true = a[rows, y]
    per_sample = -np.log(_clip(p_true / _sum(a, axis=1)))
    inside = ((p_true > EPSILON) & (p_true < 1.0 - EPSILON)).astype(np.float64)
    dz = a * inside[:, None]
    dz[rows, y] -= inside
    return per_sample, dz / b


def numpy_runner(case: Case, X: np.ndarray, y: np.ndarray) -> Runner:
    """The same training, written out by hand as a student would after the lesson."""
    initial = make_model(case).get_weights()
    output = _sigmoid if case.output == "sigmoid" else _softmax
    loss_and_grad = _bce_and_fused_grad if case.output == "sigmoid" else _sparse_cce_and_fused_grad
    n, bs, lr = len(X), case.batch_size, LEARNING_RATE
    state = {}

    def reset() -> None:
        state["W"] = [w.copy() for w in initial[0::2]]
        state["b"] = [b.copy() for b in initial[1::2]]

    def run(steps: int) -> Result:
        W, b = state["W"], state["b"]
        n_layers = len(W)
        rng = np.random.default_rng(SEED)
        losses, grad_norms = [], []
        order, cursor = rng.permutation(n), 0
        for _ in range(steps):
            if cursor >= n:
                order, cursor = rng.permutation(n), 0
            idx = order[cursor:cursor + bs]
            cursor += bs
            x, t = X[idx], y[idx]
            # forward
            a = [x]
            zs = []
            for i in range(n_layers):
                z = a[-1] @ W[i] + b[i]
                zs.append(z)
                a.append(np.maximum(z, 0.0) if i < n_layers - 1 else output(z))
            # loss
            per_sample, dz = loss_and_grad(a[-1], t)
            loss = float(_sum(per_sample) / per_sample.size)
            # backward
            dW, db = [None] * n_layers, [None] * n_layers
            for i in range(n_layers - 1, -1, -1):
                dW[i] = a[i].T @ dz
                db[i] = _sum(dz, axis=0)
                if i > 0:
                    dz = (dz @ W[i].T) * (zs[i - 1] > 0)
            grad_norm = math.sqrt(sum([float(np.vdot(g, g)) for g in dW + db]))
            # update
            for i in range(n_layers):
                W[i] -= lr * dW[i]
                b[i] -= lr * db[i]
            losses.append(loss)
            grad_norms.append(grad_norm)
        weights = [p for pair in zip(W, b) for p in pair]
        return np.array(losses), np.array(grad_norms), weights

    return reset, run


def torch_runner(case: Case, X: np.ndarray, y: np.ndarray) -> Runner:
    """The same training in PyTorch (float64, logits losses, torch.optim.SGD)."""
    initial = make_model(case).get_weights()
    modules = []
    for i, (n_in, n_out) in enumerate(zip(case.sizes, case.sizes[1:])):
        modules.append(torch.nn.Linear(n_in, n_out, dtype=torch.float64))
        if i < len(case.sizes) - 2:
            modules.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*modules)
    linears = [m for m in modules if isinstance(m, torch.nn.Linear)]
    criterion = (torch.nn.BCEWithLogitsLoss() if case.output == "sigmoid"
                 else torch.nn.CrossEntropyLoss())
    X_t = torch.from_numpy(X)
    y_t = torch.from_numpy(y)
    params = list(net.parameters())
    n, bs = len(X), case.batch_size
    state = {}

    def reset() -> None:
        with torch.no_grad():
            for layer, W, b in zip(linears, initial[0::2], initial[1::2]):
                layer.weight.copy_(torch.from_numpy(W.T))
                layer.bias.copy_(torch.from_numpy(b))
        state["opt"] = torch.optim.SGD(params, lr=LEARNING_RATE)

    def run(steps: int) -> Result:
        opt = state["opt"]
        rng = np.random.default_rng(SEED)
        losses, grad_norms = [], []
        order, cursor = torch.from_numpy(rng.permutation(n)), 0
        for _ in range(steps):
            if cursor >= n:
                order, cursor = torch.from_numpy(rng.permutation(n)), 0
            idx = order[cursor:cursor + bs]
            cursor += bs
            opt.zero_grad()
            loss = criterion(net(X_t[idx]), y_t[idx])
            loss.backward()
            norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad)
                                                         for p in params]))
            opt.step()
            losses.append(loss.item())
            grad_norms.append(norm.item())
        weights = [t.detach().numpy().copy() for layer in linears
                   for t in (layer.weight.T, layer.bias)]
        return np.array(losses), np.array(grad_norms), weights

    return reset, run


# ---------------------------------------------------------------------- timing
@dataclass
class Timing:
    """One runner's timed repeats (microseconds per iteration: wall clock, and CPU time of the
    process) and its last run's result."""
    name: str
    per_step_us: list
    result: "Result | None" = None
    cpu_us: list = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.per_step_us)

    @property
    def best(self) -> float:
        return min(self.per_step_us)


def time_case(case: Case, repeats: int, epochs: int) -> dict[str, Timing]:
    """Per-iteration times of each runner, ``repeats`` timed runs each.

    The Trainer and the numpy loop take turns (which goes first alternates); torch is timed
    after them, so its worker threads never run while the other two are being timed.
    """
    X, y = make_data(case)
    runners = {"trainer": trainer_runner(case, X, y), "numpy": numpy_runner(case, X, y)}
    if torch is not None:
        runners["torch"] = torch_runner(case, X, y)
    steps = epochs * case.iterations_per_epoch + case.iterations_per_epoch // 2
    timings = {name: Timing(name, []) for name in runners}

    def timed(name: str) -> None:
        reset, run = runners[name]
        reset()
        gc.collect()
        time.sleep(0.005)  # let BLAS / OpenMP worker threads of the previous run go idle
        start, cpu = time.perf_counter(), time.process_time()
        result = run(steps)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        timings[name].per_step_us.append(elapsed / steps * 1e6)
        timings[name].cpu_us.append(cpu / steps * 1e6)
        timings[name].result = result

    for reset, run in runners.values():  # warm-up: caches, lazy imports, BLAS buffers
        reset()
        run(case.iterations_per_epoch)
    for r in range(repeats):
        for name in (("trainer", "numpy") if r % 2 == 0 else ("numpy", "trainer")):
            timed(name)
    for _ in range(repeats if torch is not None else 0):
        timed("torch")
    if torch is not None:  # torch again on one thread, like the small numpy matrix products
        threads = torch.get_num_threads()
        runners["torch 1 thread"] = runners["torch"]
        timings["torch 1 thread"] = Timing("torch 1 thread", [])
        torch.set_num_threads(1)
        try:
            for _ in range(repeats):
                timed("torch 1 thread")
        finally:
            torch.set_num_threads(threads)
    return timings


def paired_ratio(trainer: Timing, numpy_loop: Timing, cpu: bool = False) -> float:
    """The median over the repeats of Trainer / numpy loop, each pair timed in the same turn, so
    that a slow spell of the machine, which slows both of a pair, cancels out; ``cpu``: of the CPU
    times, which other processes on the machine disturb less."""
    a, b = (trainer.cpu_us, numpy_loop.cpu_us) if cpu else (trainer.per_step_us, numpy_loop.per_step_us)
    return statistics.median(t / n for t, n in zip(a, b))


def max_difference(a: Result, b: Result) -> float:
    """Largest absolute difference between two runs' losses, gradient norms and final weights."""
    losses = np.max(np.abs(a[0] - b[0]))
    norms = np.max(np.abs(a[1] - b[1]))
    weights = max(float(np.max(np.abs(p - q))) for p, q in zip(a[2], b[2]))
    return float(max(losses, norms, weights))


def environment() -> str:
    """Versions, BLAS and CPUs: what the numbers depend on."""
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    line = (f"Python {platform.python_version()}, numpy {np.__version__} "
            f"({blas.get('name', '?')} {blas.get('version', '')}), {platform.machine()}, "
            f"{len(os.sched_getaffinity(0))} CPU(s) available")
    if torch is not None:
        line += f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
    else:
        line += ", torch not installed (no torch column)"
    return line


def load_note(before: float, after: float) -> str:
    """The machine's load average around the run: other work on the CPUs makes timings noisy."""
    cpus = len(os.sched_getaffinity(0))
    busy = max(before, after) > cpus - 0.5
    return (f"load average {before:.1f} before, {after:.1f} after the run on {cpus} CPU(s)"
            + ("; other processes were running, so expect noise (the best-repeat ratios below "
               "suffer least from it)" if busy else ""))


def report(results: list[tuple[Case, dict[str, Timing]]], repeats: int, epochs: int,
           load: str) -> str:
    lines = ["stepnn core: microseconds per training iteration "
             f"(median of {repeats} repeats, each {epochs}.5 epochs from the initial weights); "
             "ratio: the median of Trainer / numpy loop over the turns they took together "
             "(wall clock; CPU ratio: the same of the process's CPU times)",
             environment(), load, ""]
    head = (f"{'case':<18}{'Trainer.step':>13}{'numpy loop':>12}{'ratio':>7}{'CPU ratio':>10}  "
            f"{'target <= ' + str(TARGET_RATIO):<16}")
    if torch is not None:
        head += f"{'torch':>9}{'torch 1 thread':>16}"
    lines += [head, "-" * len(head)]
    for case, t in results:
        ratio = paired_ratio(t["trainer"], t["numpy"])
        cpu_ratio = paired_ratio(t["trainer"], t["numpy"], cpu=True)
        row = (f"{case.label:<18}{t['trainer'].median:>13.1f}{t['numpy'].median:>12.1f}{ratio:>7.2f}"
               f"{cpu_ratio:>10.2f}  "
               f"{'target met' if ratio <= TARGET_RATIO else 'target NOT met':<16}")
        if torch is not None:
            row += f"{t['torch'].median:>9.1f}{t['torch 1 thread'].median:>16.1f}"
        lines.append(row)
    lines += ["", "networks (SGD, learning rate "
              f"{LEARNING_RATE}, fused output gradient (a - y) / N):"]
    lines += [f"  {case.label:<18}{', '.join(case.activations)}; {case.loss}; N = {case.n_samples}"
              for case, _ in results]
    lines += ["", "best single repeat (us/iteration), its Trainer / numpy ratio, and agreement of the "
              "numbers (max |difference| of losses, gradient norms and final weights from the Trainer's):"]
    for case, t in results:
        parts = [f"{name} {timing.best:.1f}" for name, timing in t.items()]
        agree = [f"{name} {max_difference(t['trainer'].result, timing.result):.1e}"
                 for name, timing in t.items() if name not in ("trainer", "torch 1 thread")]
        lines.append(f"  {case.label:<18}{', '.join(parts)} (ratio "
                     f"{t['trainer'].best / t['numpy'].best:.2f}); difference: {', '.join(agree)}")
    if torch is not None:
        lines += ["", "torch: the logits losses BCEWithLogitsLoss / CrossEntropyLoss (equal to the "
                  "clipped Keras losses unless a probability reaches 1e-7); 'torch 1 thread' is the "
                  "same run after torch.set_num_threads(1)."]
    return "\n".join(lines)


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed runs per runner (median)")
    parser.add_argument("--epochs", type=int, default=4, help="whole epochs per timed run (+ half)")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.epochs < 1:
        parser.error(f"--repeats and --epochs must be at least 1; received {args.repeats} and "
                     f"{args.epochs}.")
    before = os.getloadavg()[0]
    results = [(case, time_case(case, args.repeats, args.epochs)) for case in CASES]
    print(report(results, args.repeats, args.epochs, load_note(before, os.getloadavg()[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
