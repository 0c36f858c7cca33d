"""OptimizerRace: several training runs from the same start on the same data, side by side, on one
loss surface and one loss chart: batch sizes (확률적 / 미니 배치 / 배치 경사 하강법) or optimizers.

    from stepnn.widgets.race import OptimizerRace
    OptimizerRace("xor", runs="batch")        # batch size 1 (stochastic) vs 16 vs N, the sgd rule
    OptimizerRace("xor", runs="optimizers")   # the sgd rule, with momentum, RMSprop, Adam

"SGD" names two things: batch size 1 (stochastic gradient descent, 확률적 경사 하강법) and ``sgd``, the
update rule w <- w - lr * gradient (torch.optim.SGD) that every batch size can use. The runs' names
keep them apart: "batch size 1 (stochastic)" and "sgd rule".

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
from ..terms import PHRASES, phrase
from ..trainer import Trainer
from ..views.style import MAX_WIDTH_PX, OKABE_ITO
from ..views.surface import DIRECTIONS, RaceSurfaceView
from .controller import Criteria, finish_epoch
from .descent import LOSS_CEILING, PlayFrames, log_limits, plain_log_ticks
from ._base import Dashboard, guarded
from .controls import refuse_no_choice, row

__all__ = ["OptimizerRace", "PRESETS", "run_specs"]

PRESETS = {
    "batch": [
        dict(name="batch size 1 (stochastic)", optimizer="sgd", learning_rate=0.1, batch_size=1),
        dict(name="batch size 16 (mini-batch)", optimizer="sgd", learning_rate=0.1, batch_size=16),
        dict(name="batch size N (full batch)", optimizer="sgd", learning_rate=0.1, batch_size=None),
    ],
    "optimizers": [
        dict(name="sgd rule", optimizer="sgd", learning_rate=0.1, batch_size=16),
        dict(name="sgd rule + momentum 0.9", optimizer="sgd", learning_rate=0.1, batch_size=16, momentum=0.9),
        dict(name="RMSprop", optimizer="rmsprop", learning_rate=0.01, batch_size=16),
        dict(name="Adam", optimizer="adam", learning_rate=0.01, batch_size=16),
    ],
}
CLASSIFICATION = ("circle", "xor", "gauss", "spiral", "moons")
REGRESSION = ("linear", "sine")
DATASETS = CLASSIFICATION + REGRESSION + ("iris",)
SPEC_KEYS = {"name", "optimizer", "learning_rate", "batch_size", "momentum", "nesterov"}
# one colour and one line style per run (Okabe-Ito; the styles tell runs apart without colour)
RUN_COLORS = (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["green"], OKABE_ITO["orange"],
              OKABE_ITO["sky_blue"], OKABE_ITO["purple"])
RUN_STYLES = ("-", "--", "-.", ":", "-", "--")
DPI = 100
FIGSIZE = (MAX_WIDTH_PX / DPI, 3.9)  # 832 x 390 px at scale 1; larger text makes it taller, not wider


def key_columns(names, text_px: float, width_px: float = MAX_WIDTH_PX) -> int:
    """How many of the runs' names fit side by side in one row of the key (at least 1): a glyph is
    about 0.6 text heights wide, a handle and the gaps about 5."""
    widest = max(len(n) for n in names) * 0.6 * text_px + 5 * text_px
    return max(1, min(len(names), int(0.95 * width_px // widest)))


def smooth(values, window: int) -> np.ndarray:
    """The running mean of ``values`` (m,) over the last ``window`` values (fewer at the start):
    each batch's loss jumps with the batch; its mean over a part of an epoch shows the trend."""
    values = np.asarray(values, dtype=np.float64)
    if window <= 1 or values.size == 0:
        return values
    sums = np.cumsum(np.concatenate([[0.0], values]))
    k = np.arange(1, values.size + 1)
    start = np.maximum(k - window, 0)
    return (sums[k] - sums[start]) / (k - start)


def run_specs(runs) -> list[dict]:
    """The runs as dicts: a preset name ("batch", "optimizers") or a list of dicts with keys
    name, optimizer, learning_rate, batch_size (None: the whole data set), momentum, nesterov."""
    if isinstance(runs, str):
        if runs not in PRESETS:
            raise ValueError(phrase("errors.widget.runs_preset", presets=tuple(PRESETS), runs=runs))
        return [dict(spec) for spec in PRESETS[runs]]
    specs = list(runs)
    if not 1 <= len(specs) <= len(RUN_COLORS):
        raise ValueError(phrase("errors.widget.runs_count", most=len(RUN_COLORS), n=len(specs)))
    out = []
    for k, spec in enumerate(specs):
        if not isinstance(spec, dict) or not set(spec) <= SPEC_KEYS:
            raise ValueError(phrase("errors.widget.run_keys", k=k, keys=sorted(SPEC_KEYS), spec=spec))
        out.append({"name": f"run {k + 1}", "optimizer": "sgd", "learning_rate": 0.1,
                    "batch_size": 16, **spec})
    return out


def _task(dataset: str, sizes):
    """Data, output activation and loss for a data set; default sizes per kind of problem."""
    if dataset not in DATASETS:
        raise ValueError(phrase("errors.widget.choice", name="dataset", choices=DATASETS, value=dataset))
    if dataset == "iris":
        X, y = datasets.iris()
        X = (X - X.mean(axis=0)) / X.std(axis=0)  # standardised: one learning rate suits every feature
        task = "softmax", "sparse_categorical_crossentropy", (4, 8, 3)
    else:
        X, y = datasets.load(dataset)
        task = (("linear", "mse", (1, 8, 1)) if dataset in REGRESSION
                else ("sigmoid", "binary_crossentropy", (2, 4, 1)))
    output, loss, default = task
    return X, y, output, loss, default if sizes is None else _checked_sizes(sizes, default, dataset)


def _checked_sizes(sizes, default: tuple, dataset: str) -> tuple:
    """``sizes`` as a tuple of whole numbers >= 1 that starts and ends as ``default`` does."""
    ok = (isinstance(sizes, (list, tuple)) and len(sizes) >= 2
          and all(isinstance(n, Integral) and not isinstance(n, bool) and n >= 1 for n in sizes)
          and sizes[0] == default[0] and sizes[-1] == default[-1])
    if not ok:
        raise ValueError(phrase("errors.widget.race_sizes", example=default, n_in=default[0],
                                n_out=default[-1], dataset=dataset, value=sizes))
    return tuple(int(n) for n in sizes)


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
        scale: presentation scale of every text (1 = laptop, 1.5 = projector).

    Attributes:
        trainers: one Trainer per run. specs: the runs' settings. epoch_losses: per run, the loss on
        all training data after each epoch (the start first).
        buttons ("step", "reset"), play, checkboxes (one per run: show/hide), preset, plane
        (dropdowns); surface_view (RaceSurfaceView), loss_ax, epoch_lines, batch_lines (each batch's
        loss, as a running mean over a fifth of an epoch), key (the figure's legend, below the
        plots), caption.
    """

    title_key = "OptimizerRace"

    def __init__(self, dataset: str = "xor", sizes=None, runs="optimizers", lang: "str | None" = None,
                 live: "bool | None" = None, activation: str = "tanh", seed: int = 0,
                 directions: str = "pca", max_epochs: int = 50, scale: float = 1.0):
        self.specs = run_specs(runs)
        self._custom = None if isinstance(runs, str) else [dict(spec) for spec in self.specs]
        self.X, self.y, self.output, self.loss_name, self.sizes = _task(dataset, sizes)
        if directions not in DIRECTIONS:
            raise ValueError(phrase("errors.widget.choice", lang, name="directions", choices=DIRECTIONS,
                                    value=directions))
        if isinstance(max_epochs, bool) or not isinstance(max_epochs, Integral) or max_epochs < 1:
            raise ValueError(phrase("errors.widget.whole_at_least_1", lang, name="max_epochs",
                                    value=max_epochs))
        super().__init__(lang, live, scale)
        self.dataset, self.activation, self.seed = dataset, activation, seed
        self.directions, self.max_epochs = directions, int(max_epochs)
        self._quiet = False
        self.trainers = self._make_trainers()
        self.figure, view = self.new_figure((FIGSIZE[0], FIGSIZE[1] * self.scale), dpi=DPI)
        self._build_controls(runs)
        self._build_views()
        self.widget = widgets.VBox([
            row([self.buttons["step"], self.play, self.buttons["reset"], self.preset, self.plane]),
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
        key = f"race.run.{spec['name']}"
        return self.p(key) if key in PHRASES else spec["name"]

    @property
    def names(self) -> list[str]:
        """The runs' names as the dashboard shows them, in its language (one per ``self.specs``)."""
        return [self._name(spec) for spec in self.specs]

    def _build_controls(self, runs) -> None:
        def button(key, label, action):
            b = widgets.Button(description=label, layout=widgets.Layout(width="auto"))
            b.add_class(f"stepnn-race-{key}")
            b.on_click(lambda _b: action())
            return b
        self.buttons = {"step": button("step", f"{self.t('step')} (1 {self.t('epoch')})", self.step),
                        "reset": button("reset", self.t("reset"), self.reset)}
        self.play = self._make_play("stepnn-race-play", interval=400)
        options = [(self.p(f"race.{p}"), p) for p in PRESETS]
        if not isinstance(runs, str):
            options.append((self.p("race.custom"), "custom"))
        self.preset = widgets.Dropdown(options=options, value=runs if isinstance(runs, str) else "custom",
                                       description=self.p("race.preset"))
        self.preset.add_class("stepnn-race-preset")
        self.preset.observe(self._on_preset, names="value")
        self.plane = widgets.Dropdown(options=[(self.p(f"race.{d}"), d) for d in DIRECTIONS],
                                      value=self.directions, description=self.p("race.plane"))
        self.plane.add_class("stepnn-race-plane")
        self.plane.observe(self._on_plane, names="value")
        self.run_boxes = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.caption = widgets.HTML()
        self.caption.add_class("stepnn-race-caption")

    def _build_views(self) -> None:
        """(Re)build the figure's two panels, its key and the run checkboxes for the current runs."""
        fig = self.figure
        fig.clear()
        fs = self.fs = self.font(dpi=DPI)
        names = [self._name(s) for s in self.specs]
        colors = [RUN_COLORS[k % len(RUN_COLORS)] for k in range(len(self.specs))]
        styles = [RUN_STYLES[k % len(RUN_STYLES)] for k in range(len(self.specs))]
        grid = fig.add_gridspec(1, 2, width_ratios=[1, 1])
        self.surface_view = RaceSurfaceView(fig.add_subplot(grid[0]), self.trainers, names, colors,
                                            directions=self.directions, lang=self.lang)
        for line, style in zip(self.surface_view.lines, styles):
            line.set_linestyle(style)
            line.set_linewidth(1.6)
        ax = self.loss_ax = fig.add_subplot(grid[1])
        self.epoch_lines = [ax.plot([], [], "o", ls=st, color=c, lw=2, ms=4, label=n)[0]
                            for c, st, n in zip(colors, styles, names)]
        self.batch_lines = [ax.plot([], [], "-", color=c, lw=0.8, alpha=0.35)[0] for c in colors]
        ax.set_yscale("log")
        plain_log_ticks(ax.yaxis)
        ax.set_xlabel(self.t("epoch"), fontsize=fs, labelpad=1)
        ax.set_title(self.p("race.curves"), fontsize=fs)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.grid(alpha=0.3)
        # the key below the plots: it covers no curve and no path
        ncol = key_columns(names, fs * DPI / 72)
        self.key = fig.legend(handles=self.epoch_lines, loc="lower center", ncol=ncol,
                              fontsize=fs, frameon=False, handlelength=2.4, columnspacing=1.2)
        self.checkboxes = []
        for k, name in enumerate(names):
            box = widgets.Checkbox(value=True, description=name, indent=False,
                                   layout=widgets.Layout(width="auto"))
            box.add_class("stepnn-race-run")
            box.observe(lambda change, k=k: self._on_checkbox(k, change["new"]), names="value")
            self.checkboxes.append(box)
        self.run_boxes.children = tuple(self.checkboxes)
        self._draw_curves()
        self._readable()
        self.localize()
        rows = -(-len(names) // ncol)
        fig.tight_layout(pad=0.6, w_pad=1.5, rect=(0, (1.6 * rows + 0.3) * fs / 72 / fig.get_figheight(), 1, 1))
        self.caption.value = self._caption()

    def _readable(self) -> None:
        """Every text of the figure at the dashboard's size (the surface view's titles and axis
        labels included, which it may set again at each update)."""
        for ax in (self.surface_view.ax, self.loss_ax):
            ax.tick_params(labelsize=self.fs)
            for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
                text.set_fontsize(self.fs)
        self.surface_view.note.set_fontsize(self.fs)

    def _caption(self) -> str:
        """What an epoch and an iteration are, said once; then, per batch size, how the samples
        split into iterations (runs with the same batch size share one line)."""
        groups: dict[int, list[str]] = {}
        for spec, t in zip(self.specs, self.trainers):
            groups.setdefault(t.batch_size, []).append(self._name(spec))
        rows = []
        n = len(self.X)
        for bs, names in groups.items():
            full, rest = divmod(n, bs)
            its = batching.iterations_per_epoch(n, bs, False)
            split = self.p("race.split", n=n, bs=bs, full=full, its=its, rest=f" + {rest}" if rest else "")
            rows.append(f"<li><b>{html.escape(', '.join(names))}</b>: {html.escape(split)}</li>")
        return f"{self.p('race.caption', n=n)}<ul>{''.join(rows)}</ul>"

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
        notes = [self.p("race.diverged", name=self._name(spec))
                 for spec, stopped in zip(self.specs, self.stopped) if stopped]
        self.show_info(" ".join([self.p("race.stepped", e=self.epochs)] + notes),
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
        self.show_info(self.p("race.reset"))

    @guarded
    def tick(self) -> None:
        """One Play frame: one Step; Play stops at ``max_epochs`` or when every run has stopped."""
        if self.epochs >= self.max_epochs or all(self.stopped):
            self._pause()
            self.show_info(self.p("race.limit", e=self.epochs), tone="warn")
            return
        self.step()

    @property
    def epochs(self) -> int:
        """Epochs done by the runs still going (all runs step together)."""
        return max(t.epoch for t in self.trainers)

    def _refresh(self) -> None:
        self.surface_view.update()
        self._readable()
        self._draw_curves()
        self.redraw()

    # ------------------------------------------------------------------- events
    @guarded
    def _on_checkbox(self, k: int, visible: bool) -> None:
        self.surface_view.set_visible(k, visible)
        self.epoch_lines[k].set_visible(visible)
        self.batch_lines[k].set_visible(visible)
        self.redraw()

    def _refused(self, control, change) -> bool:
        """A Dropdown set to None from code: put it back (its observer ignores that), say why."""
        self._quiet = True
        try:
            refused = refuse_no_choice(control, change, control.description, self.lang)
        finally:
            self._quiet = False
        if refused:
            self.show_info(refused, tone="error")
        return refused is not None

    @guarded
    def _on_preset(self, change) -> None:
        if self._quiet or self._refused(self.preset, change):
            return
        self._pause()
        self.specs = run_specs(self._custom if change["new"] == "custom" else change["new"])
        self.trainers = self._make_trainers()
        self._build_views()
        self.redraw()

    @guarded
    def _on_plane(self, change) -> None:
        if self._quiet or self._refused(self.plane, change):
            return
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
                          np.minimum(smooth(h.losses, per_epoch // 5), LOSS_CEILING))
            shown.append(values)
        ax.set_xlim(0, max(5, self.epochs))
        # limits from the losses on all data: a batch of one sample can have a loss near 0 or a
        # huge one, and would squash the curves that matter into a line
        limits = log_limits(np.concatenate(shown), margin=3.0)
        if limits is not None:
            ax.set_ylim(*limits)

    def describe(self) -> str:
        return self.stand_in(self.p("dashboard.race", title=self.title, dataset=self.dataset,
                                    names=", ".join(self.names), epoch=self.epochs))

