"""OptimizerRace: several training runs from the same start on the same data, side by side, on one
loss surface and one loss chart: batch sizes (확률적 / 미니 배치 / 배치 경사 하강법) or optimizers.

    from stepnn.widgets.race import OptimizerRace
    OptimizerRace("xor", runs="batch")        # batch size 1 vs 16 vs N, plain SGD
    OptimizerRace("xor", runs="optimizers")   # SGD, SGD + momentum, RMSprop, Adam

Step runs one epoch (에포크) of every run, not one iteration (이터레이션): a run with batch size 1
takes N iterations per epoch and a full-batch run one, so after each Step every run has seen every
sample once and the runs compare fairly. For the same reason the loss chart counts epochs.
"""
from __future__ import annotations

import html
from numbers import Integral

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import batching, datasets, optimizers
from ..layers import Dense
from ..model import Sequential
from ..trainer import Trainer
from ..views.surface import DIRECTIONS, RUN_COLORS, RaceSurfaceView
from .controller import Criteria, explain_data, finish_epoch
from .descent import LOSS_CEILING, PlayFrames, log_limits
from ._base import Dashboard, guarded

__all__ = ["OptimizerRace", "PRESETS", "run_specs"]

PRESETS = {
    "batch": [
        dict(name="batch size 1 (SGD)", optimizer="sgd", learning_rate=0.1, batch_size=1),
        dict(name="batch size 16 (mini-batch)", optimizer="sgd", learning_rate=0.1, batch_size=16),
        dict(name="batch size N (full batch)", optimizer="sgd", learning_rate=0.1, batch_size=None),
    ],
    "optimizers": [
        dict(name="SGD", optimizer="sgd", learning_rate=0.1, batch_size=16),
        dict(name="SGD + momentum 0.9", optimizer="sgd", learning_rate=0.1, batch_size=16, momentum=0.9),
        dict(name="RMSprop", optimizer="rmsprop", learning_rate=0.01, batch_size=16),
        dict(name="Adam", optimizer="adam", learning_rate=0.01, batch_size=16),
    ],
}
NAMES_KO = {"batch size 1 (SGD)": "배치 사이즈 1 (확률적 경사 하강법)",
            "batch size 16 (mini-batch)": "배치 사이즈 16 (미니 배치)",
            "batch size N (full batch)": "배치 사이즈 N (배치 경사 하강법)"}
CLASSIFICATION = ("circle", "xor", "gauss", "spiral", "moons")
REGRESSION = ("linear", "sine")
DATASETS = CLASSIFICATION + REGRESSION + ("iris",)
SPEC_KEYS = {"name", "optimizer", "learning_rate", "batch_size", "momentum", "nesterov"}

_WORDS = {
    "en": {
        "preset": "Runs", "plane": "Plane", "pca": "PCA of all paths", "weights": "two weights",
        "batch": "batch sizes", "optimizers": "optimizers",
        "curves": "loss on all data per epoch (thin: each batch's loss)",
        "caption": ("An epoch is one pass over all {n} samples; an iteration is one forward, loss, backward "
                    "and update on one batch; # of data = batch size × iterations. Step runs one epoch of "
                    "every run, and the loss chart counts epochs, so at the same x every run has seen the "
                    "same samples, however many iterations that took:"),
        "stepped": "Epoch {e} done.", "reset": "Every run is back at the common start.",
        "diverged": "{name} diverged (loss inf/NaN): it stops here; the others go on.",
        "limit": "Stopped at {e} epochs (max_epochs).",
    },
    "ko": {
        "preset": "실행", "plane": "평면", "pca": "모든 경로의 PCA", "weights": "가중치 두 개",
        "batch": "배치 사이즈", "optimizers": "옵티마이저",
        "curves": "에포크마다 전체 데이터의 손실 (가는 선: 배치마다의 손실)",
        "caption": ("에포크는 데이터 {n}개 전체를 한 번 보는 것이고, 이터레이션은 배치 하나로 순전파, 손실, 역전파, "
                    "가중치 갱신을 한 번 하는 것입니다. 데이터 수 = 배치 사이즈 × 이터레이션. 한 스텝은 모든 실행을 "
                    "한 에포크씩 진행하고 손실 그래프의 가로축은 에포크이므로, 같은 x에서는 이터레이션 수와 "
                    "상관없이 모든 실행이 같은 샘플을 본 것입니다:"),
        "stepped": "에포크 {e} 완료.", "reset": "모든 실행이 같은 시작점으로 돌아갔습니다.",
        "diverged": "{name}: 발산 (손실 inf/NaN): 여기서 멈추고 나머지는 계속합니다.",
        "limit": "{e} 에포크에서 멈춤 (max_epochs).",
    },
}


def run_specs(runs) -> list[dict]:
    """The runs as dicts: a preset name ("batch", "optimizers") or a list of dicts with keys
    name, optimizer, learning_rate, batch_size (None: the whole data set), momentum, nesterov."""
    if isinstance(runs, str):
        if runs not in PRESETS:
            raise ValueError(f"runs must be a preset name {tuple(PRESETS)} or a list of dicts; "
                             f"received {runs!r}.")
        return [dict(spec) for spec in PRESETS[runs]]
    specs = list(runs)
    if not 1 <= len(specs) <= len(RUN_COLORS):
        raise ValueError(f"a race needs 1 to {len(RUN_COLORS)} runs; received {len(specs)}.")
    out = []
    for k, spec in enumerate(specs):
        if not isinstance(spec, dict) or not set(spec) <= SPEC_KEYS:
            raise ValueError(f"run {k} must be a dict with keys among {sorted(SPEC_KEYS)}; "
                             f"received {spec!r}.")
        out.append({"name": f"run {k + 1}", "optimizer": "sgd", "learning_rate": 0.1,
                    "batch_size": 16, **spec})
    return out


def _task(dataset: str, sizes):
    """Data, output activation and loss for a data set; default sizes per kind of problem."""
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}; received {dataset!r}.")
    if dataset == "iris":
        X, y = datasets.iris()
        X = (X - X.mean(axis=0)) / X.std(axis=0)  # standardised: one learning rate suits every feature
        return X, y, "softmax", "sparse_categorical_crossentropy", sizes or (4, 8, 3)
    X, y = datasets.load(dataset)
    if dataset in REGRESSION:
        return X, y, "linear", "mse", sizes or (1, 8, 1)
    return X, y, "sigmoid", "binary_crossentropy", sizes or (2, 4, 1)


class OptimizerRace(PlayFrames, Dashboard):
    """The same data, the same start, several runs: their paths on one surface, their losses side by side.

    Args:
        dataset: "xor" (default), "circle", "gauss", "spiral", "moons" (binary, sigmoid + binary
            cross-entropy), "linear", "sine" (regression, MSE) or "iris" (softmax + sparse
            categorical cross-entropy).
        sizes: units per layer, input first, e.g. (2, 4, 1); default fits the data set.
        runs: "optimizers" (SGD, SGD + momentum, RMSprop, Adam, all batch size 16), "batch"
            (plain SGD with batch size 1, 16 and N), or a list of dicts (see ``run_specs``).
        lang: "en" or "ko". live: ipympl canvas (True) or static PNG (False).
        activation: the hidden layers' activation. seed: the starting weights and the shuffling,
            the same for every run.
        directions: the surface's plane, "pca" (of all paths together) or "weights".
        max_epochs: Play stops here (a run with batch size 1 keeps every step: memory grows).

    Attributes:
        trainers: one Trainer per run. specs: the runs' settings. epoch_losses: per run, the loss on
        all training data after each epoch (the start first).
        buttons ("step", "reset"), play, checkboxes (one per run: show/hide), preset, plane
        (dropdowns); surface_view (RaceSurfaceView), loss_ax, epoch_lines, batch_lines, caption.
    """

    title = "Optimizer race: several runs from the same start"

    def __init__(self, dataset: str = "xor", sizes=None, runs="optimizers", lang: str = "en",
                 live: "bool | None" = None, activation: str = "tanh", seed: int = 0,
                 directions: str = "pca", max_epochs: int = 50):
        self.specs = run_specs(runs)
        self._custom = None if isinstance(runs, str) else [dict(spec) for spec in self.specs]
        self.X, self.y, self.output, self.loss_name, self.sizes = _task(dataset, sizes)
        if directions not in DIRECTIONS:
            raise ValueError(f"directions must be one of {DIRECTIONS}; received {directions!r}.")
        if isinstance(max_epochs, bool) or not isinstance(max_epochs, Integral) or max_epochs < 1:
            raise ValueError(f"max_epochs must be a whole number >= 1; received {max_epochs!r}.")
        super().__init__(lang, live)
        self.words = _WORDS["ko" if lang == "ko" else "en"]
        self.dataset, self.activation, self.seed = dataset, activation, seed
        self.directions, self.max_epochs = directions, int(max_epochs)
        self._quiet = False
        self.trainers = self._make_trainers()
        self.figure, view = self.new_figure((11, 4.4), dpi=80)
        self._build_controls(runs)
        self._build_views()
        self.widget = widgets.VBox([
            widgets.HBox([self.buttons["step"], self.play, self.buttons["reset"], self.preset, self.plane]),
            self.run_boxes, view, self.caption, self.message])
        self.widget.add_class("stepnn-race")
        self.redraw()

    # ------------------------------------------------------------------ building
    def _make_trainers(self) -> list[Trainer]:
        trainers = []
        for spec in self.specs:
            layers = [Dense(a, b, self.activation) for a, b in zip(self.sizes[:-2], self.sizes[1:-1])]
            layers.append(Dense(self.sizes[-2], self.sizes[-1], self.output))
            model = Sequential(layers, seed=self.seed)
            extra = {k: spec[k] for k in ("momentum", "nesterov") if k in spec}
            opt = optimizers.get(spec["optimizer"], spec["learning_rate"], **extra)
            batch = spec["batch_size"] or len(self.X)
            # a race never steps back: one undo step keeps a long batch-size-1 run's memory flat
            trainers.append(Trainer(model, self.X, self.y, loss=self.loss_name, optimizer=opt,
                                    batch_size=batch, seed=self.seed, max_undo=1))
        self.epoch_losses = [[t.evaluate()] for t in trainers]
        self.stopped = [False] * len(trainers)
        return trainers

    def _name(self, spec) -> str:
        return NAMES_KO.get(spec["name"], spec["name"]) if self.lang == "ko" else spec["name"]

    def _build_controls(self, runs) -> None:
        def button(key, label, action):
            b = widgets.Button(description=label, layout=widgets.Layout(width="auto"))
            b.add_class(f"stepnn-race-{key}")
            b.on_click(lambda _b: action())
            return b
        self.buttons = {"step": button("step", f"{self.t('step')} (1 {self.t('epoch')})", self.step),
                        "reset": button("reset", self.t("reset"), self.reset)}
        self.play = self._make_play("stepnn-race-play", interval=400)
        options = [(self.words[p], p) for p in PRESETS]
        if not isinstance(runs, str):
            options.append(("custom", "custom"))
        self.preset = widgets.Dropdown(options=options, value=runs if isinstance(runs, str) else "custom",
                                       description=self.words["preset"])
        self.preset.add_class("stepnn-race-preset")
        self.preset.observe(self._on_preset, names="value")
        self.plane = widgets.Dropdown(options=[(self.words[d], d) for d in DIRECTIONS],
                                      value=self.directions, description=self.words["plane"])
        self.plane.add_class("stepnn-race-plane")
        self.plane.observe(self._on_plane, names="value")
        self.run_boxes = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.caption = widgets.HTML()
        self.caption.add_class("stepnn-race-caption")

    def _build_views(self) -> None:
        """(Re)build the figure's two panels and the run checkboxes for the current runs."""
        fig = self.figure
        fig.clear()
        names = [self._name(s) for s in self.specs]
        colors = [RUN_COLORS[k % len(RUN_COLORS)] for k in range(len(self.specs))]
        self.surface_view = RaceSurfaceView(fig.add_axes([0.05, 0.11, 0.42, 0.78]), self.trainers, names,
                                            colors, directions=self.directions, lang=self.lang)
        ax = self.loss_ax = fig.add_axes([0.56, 0.11, 0.42, 0.78])
        self.epoch_lines = [ax.plot([], [], "o-", color=c, lw=1.6, ms=3, label=n)[0]
                            for c, n in zip(colors, names)]
        self.batch_lines = [ax.plot([], [], "-", color=c, lw=0.6, alpha=0.3)[0] for c in colors]
        ax.set_yscale("log")
        ax.set_xlabel(self.t("epoch"), fontsize=9, fontfamily=self.surface_view.family)
        ax.set_title(self.words["curves"], fontsize=9, fontfamily=self.surface_view.family)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.tick_params(labelsize=8)
        ax.legend(loc="upper right", prop=dict(size=7, family=self.surface_view.family), framealpha=0.8)
        self.checkboxes = []
        for k, name in enumerate(names):
            box = widgets.Checkbox(value=True, description=name, indent=False,
                                   layout=widgets.Layout(width="auto"))
            box.add_class("stepnn-race-run")
            box.observe(lambda change, k=k: self._on_checkbox(k, change["new"]), names="value")
            self.checkboxes.append(box)
        self.run_boxes.children = tuple(self.checkboxes)
        self._draw_curves()
        self.caption.value = self._caption()

    def _caption(self) -> str:
        rows = "".join(f"<li><b>{html.escape(self._name(s))}</b>: {html.escape(explain_data(t, self.lang))}</li>"
                       for s, t in zip(self.specs, self.trainers))
        return f"{self.words['caption'].format(n=len(self.X))}<ul>{rows}</ul>"

    # ------------------------------------------------------------------ actions
    @guarded
    def step(self) -> None:
        """One epoch of every run that has not diverged; then every view, one redraw."""
        for k, tr in enumerate(self.trainers):
            if self.stopped[k]:
                continue
            if finish_epoch(tr, Criteria()) == "diverged":
                self.stopped[k] = True
            else:
                self.epoch_losses[k].append(tr.evaluate())
        self._refresh()
        notes = [self.words["diverged"].format(name=self._name(spec))
                 for spec, stopped in zip(self.specs, self.stopped) if stopped]
        self.show_info(" ".join([self.words["stepped"].format(e=self.epochs)] + notes),
                       tone="warn" if notes else "info")

    @guarded
    def reset(self) -> None:
        """Every run back to the common start (epoch 0)."""
        self._pause()
        for tr in self.trainers:
            tr.reset()
        self.epoch_losses = [[t.evaluate()] for t in self.trainers]
        self.stopped = [False] * len(self.trainers)
        self._refresh()
        self.show_info(self.words["reset"])

    @guarded
    def tick(self) -> None:
        """One Play frame: one Step; Play stops at ``max_epochs`` or when every run has stopped."""
        if self.epochs >= self.max_epochs or all(self.stopped):
            self._pause()
            self.show_info(self.words["limit"].format(e=self.epochs), tone="warn")
            return
        self.step()

    @property
    def epochs(self) -> int:
        """Epochs done by the runs still going (all runs step together)."""
        return max(t.epoch for t in self.trainers)

    def _refresh(self) -> None:
        self.surface_view.update()
        self._draw_curves()
        self.redraw()

    # ------------------------------------------------------------------- events
    @guarded
    def _on_checkbox(self, k: int, visible: bool) -> None:
        self.surface_view.set_visible(k, visible)
        self.epoch_lines[k].set_visible(visible)
        self.batch_lines[k].set_visible(visible)
        self.redraw()

    @guarded
    def _on_preset(self, change) -> None:
        self._pause()
        self.specs = run_specs(self._custom if change["new"] == "custom" else change["new"])
        self.trainers = self._make_trainers()
        self._build_views()
        self.redraw()

    @guarded
    def _on_plane(self, change) -> None:
        self.directions = change["new"]
        self._build_views()
        self.redraw()

    # ------------------------------------------------------------------ drawing
    def _draw_curves(self) -> None:
        ax, shown = self.loss_ax, []
        for tr, losses, line, thin in zip(self.trainers, self.epoch_losses, self.epoch_lines,
                                          self.batch_lines):
            values = np.array(losses)
            line.set_data(np.arange(len(values)), np.minimum(values, LOSS_CEILING))
            # iteration i of epoch e ends at x = (e - 1) + i / (iterations per epoch): the batch size
            # of a run never changes here, so neither does its number of iterations per epoch
            h = tr.history
            per_epoch = batching.iterations_per_epoch(tr.n_samples, tr.batch_size, tr.drop_last)
            thin.set_data(h.iteration_epochs - 1 + h.iteration_numbers / per_epoch,
                          np.minimum(h.losses, LOSS_CEILING))
            shown += [values, tr.history.losses]
        ax.set_xlim(0, max(5, self.epochs))
        limits = log_limits(np.concatenate(shown), margin=1.5)
        if limits is not None:
            ax.set_ylim(*limits)

    def describe(self) -> str:
        names = ", ".join(self._name(s) for s in self.specs)
        return (f"{self.title}: {self.dataset}, runs {names}, epoch {self.epochs} ({self.mode} figures). "
                f"Run this cell in Jupyter to use the dashboard.")

