"""StepThrough: the main dashboard. Run forward, loss, backward and update one at a time (or a
step, an epoch, or Play), change the settings between iterations, and watch every view move.

    import stepnn as sn
    from stepnn.widgets import StepThrough
    X, y = sn.datasets.xor()
    model = sn.Sequential([sn.Dense(2, 4, activation="tanh"), sn.Dense(4, 2, activation="tanh"),
                           sn.Dense(2, 1, activation="sigmoid")], seed=0)
    StepThrough(sn.Trainer(model, X, y, loss="binary_crossentropy", learning_rate=0.5, batch_size=16))

One controller: every button or control changes the trainer (or calls one of its phases), then
every view updates in place, then the figure is drawn once, by blitting: only the artists the
views name as changing are drawn over a kept background (``stepnn.views.blit``); when something
else changed (limits, the loss surface), the whole figure.
"""
from __future__ import annotations

import copy
from numbers import Integral
import html
import math
import statistics
import time
from collections import deque
from contextlib import contextmanager
from numbers import Real

from matplotlib.patches import Rectangle

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import batching, losses
from ..stopping import StopReason
from ..terms import phrase
from ..trainer import Trainer
from ..views.boundary import BoundaryView
from ..views.curves import LearningCurveView
from ..views import localize
from ..views._base import readable
from ..views.style import MAX_WIDTH_PX, ROLES, loss_number
from ..views.export import axes_bbox, save_gif, save_png
from ..views.heatmaps import ActivationHeatmaps, GradientHeatmaps
from ..views.network import NetworkView
from ..views.surface import DIRECTIONS as SURFACE_DIRECTIONS
from ..views.surface import SurfaceView
from ._base import Dashboard, guarded, speaks
from .maths_panel import MathsPanel
from .controller import (LOOP, Criteria, explain_data, finish_epoch, guarded_step, move_to,
                         phase_hint, run, status_text, stop_text, upcoming)
from .playground import PlaygroundActions, PlaygroundPanel
from .student import MARK, student_html, student_phases

__all__ = ["StepThrough", "VIEW_NAMES", "OPTIMIZERS", "build_views", "view_figsize"]

VIEW_NAMES = ("network", "heatmaps", "gradients", "curves", "surface", "boundary")
TOP_ROW = ("network", "curves", "surface", "boundary")  # two by two, in this order
TOP_HEIGHT_PX, HEAT_HEIGHT_PX = 300, 190  # the height of a row of views, at scale 1

OPTIMIZERS = (("SGD", "sgd"), ("SGD + momentum", "sgd+momentum"), ("RMSprop", "rmsprop"),
              ("Adagrad", "adagrad"), ("Adam", "adam"))
MOMENTUM = 0.9  # the momentum of the "sgd+momentum" choice (PyTorch examples' usual value)
LR_RANGE = (-4, 1)  # learning-rate slider: 10^-4 .. 10^1
MAX_SPEED = 30      # the Play speed slider's top, iterations/s (Play adapts to deliver it)
MAX_STEPS_PER_TICK = 60
MIN_INTERVAL_MS = 100   # Play's frames come at most 10 times a second
PLAY_AIM = 1.05         # Play paces itself for this share of the speed asked
FRAME_SHARE = 0.75      # Play keeps the kernel busy at most this share of the time (the page shows the frames)
ADAPT_TICKS = 5     # Play ticks measured before the iterations per tick change (a redraw that
                    # recomputes the loss surface is slower: one tick alone says little)
# the views a phase changes: their panels are framed in the "current" colour after its click
PHASE_VIEWS = {"forward": ("network", "heatmaps"), "loss": ("network", "curves"),
               "backward": ("network", "gradients"), "update": ("curves", "surface", "boundary")}

def optimizer_choice(optimizer) -> str:
    """The dropdown value for an optimizer object: "sgd+momentum" for SGD with momentum."""
    if optimizer.name == "sgd" and getattr(optimizer, "momentum", 0) > 0:
        return "sgd+momentum"
    return optimizer.name


class StepThrough(PlaygroundActions, Dashboard):
    """The training loop, one phase at a time, with every number drawn.

    Args:
        trainer: the ``stepnn.Trainer`` to drive (the dashboard changes it in place).
        lang: "en" or "ko" (labels in Korean, course terms).
        live: ipympl canvas (True) or static PNG (False); default: live when ipympl is installed.
        views: which views to show, a subset of ``VIEW_NAMES`` ("network", "heatmaps",
            "gradients", "curves", "surface", "boundary"); default: all.
        max_epochs, target_loss, patience: the stopping criteria of Epoch and Play runs (see
            ``controller.Criteria``); the controls change them later.
        surface: the loss surface's directions, "weights" (two weights) or "pca".
        figsize, dpi: the figure's size (inches; default: laid out for 832 px) and resolution.
        scale: the presentation scale (1 for a laptop, 1.5 for a projector): every text in the
            figure and the controls grows by it; the figure keeps its width.
        neuron_pictures: for a model with 2 inputs, the network diagram shows each hidden unit's
            activation over the input plane beside its node (nothing for other input sizes).
        show_maths: whether the maths panel under the figure starts open (its checkbox, "Show the
            maths", opens and closes it).

    Attributes:
        trainer, views (dict name -> View), figure, buttons (dict: forward, loss, backward,
        update, step, epoch, undo, reset), play (ipywidgets.Play), controls (dict), status (HTML,
        class ``stepnn-status``), student (HTML, class ``stepnn-student``: the student's own
        functions and their difference from the package's), message, criteria, stop_reason,
        errors, steps_per_tick, blitter (the figure's ``stepnn.views.blit.Blitter``), maths (the
        ``MathsPanel`` under the figure: the formula of the last phase with the sample's numbers), playground
        (``stepnn.widgets.playground.PlaygroundPanel``: regularizer, data set, noise, validation
        share, own points by clicking on the decision boundary, Save / Load; closed at first).

    ``replace_trainer(trainer)`` drives another trainer (Load and a data set the network cannot
    read do it); the views are rebuilt whenever the model changes. When only the data in force
    changes (a point added, another data set or validation share, undo across one), each view
    fits itself to it in place (``View.set_data``).
    """

    title_key = "StepThrough"

    def __init__(self, trainer: Trainer, lang: "str | None" = None, live: "bool | None" = None,
                 views=VIEW_NAMES, max_epochs: "int | None" = 100, target_loss: "float | None" = None,
                 patience: "int | None" = None, surface: str = "weights", figsize=None, dpi: int = 80,
                 scale: float = 1.0, neuron_pictures: bool = True, show_maths: bool = False):
        if not isinstance(trainer, Trainer):
            raise TypeError(phrase("errors.widget.needs_trainer", lang, what="StepThrough",
                                   type=type(trainer).__name__)
                            + phrase("errors.widget.create_trainer", lang))
        names = tuple(views)
        unknown = [n for n in names if n not in VIEW_NAMES]
        if unknown or not names:
            raise ValueError(phrase("errors.widget.views", lang, names=VIEW_NAMES, views=views))
        criteria = Criteria(max_epochs, target_loss, patience)
        if patience is not None and trainer.X_val is None:
            raise ValueError(phrase("errors.widget.patience", lang))
        if surface not in SURFACE_DIRECTIONS:
            raise ValueError(phrase("errors.widget.choice", lang, name="surface",
                                    choices=SURFACE_DIRECTIONS, value=surface))
        super().__init__(lang=lang, live=live, scale=scale)
        self.trainer = trainer
        self.criteria = criteria
        self.stop_reason: "StopReason | None" = None
        self.steps_per_tick = 1
        self._quiet = False
        self._tick_done = 0.0
        self._ticks: deque = deque(maxlen=20)   # (time, iterations) of the last Play ticks
        self._tick_costs: deque = deque(maxlen=ADAPT_TICKS)   # seconds each took, its redraw included
        self._adapted_at = -math.inf              # time of the last change of Play's pace
        self.rate: "float | None" = None        # iterations/s Play delivers (None: not playing)
        self.last_phase: "str | None" = None    # what the last click ran (its views are framed)
        self._view_names = names
        self._surface = surface
        self._pictures = bool(neuron_pictures)
        self._figsize = figsize
        if figsize is None:   # laid out for the dpi, once the dpi is known to be usable
            figsize = view_figsize(names, trainer.model, self._checked_dpi(dpi), self.scale)
        self.figure, canvas = self.new_figure(figsize, dpi)
        self.views: dict = {}
        self._build_views()
        self._build_controls()
        self.playground = PlaygroundPanel(self.lang, self._on_playground)
        self.student = widgets.HTML()  # the student's own functions, and their difference
        self.student.add_class("stepnn-student")
        self.mark_student_code()
        self.maths = MathsPanel(self.lang, shown=show_maths)
        self.widget = widgets.VBox([self._button_row(), self._settings_rows(), self.playground.widget,
                                    self.status, self.student, self.message, canvas, self.maths.widget])
        self.widget.add_class("stepnn-stepthrough")
        self.localize()
        self.refresh()

    def _w(self, key: str, **values) -> str:
        return self.p(f"stepthrough.{key}", **values)

    def _build_views(self) -> None:
        """(Re)build the views for the trainer's model and data on the cleared figure: at the start,
        and when the model changes (the views are laid out for it)."""
        tr, fig = self.trainer, self.figure
        for view in self.views.values():
            if hasattr(view, "disconnect"):
                view.disconnect()
        for ax in list(fig.axes):   # removing is cheaper than fig.clear(), which resets every axes first
            fig.delaxes(ax)
        if self._figsize is None:
            fig.set_size_inches(view_figsize(self._view_names, tr.model, fig.dpi, self.scale))
        self.views = build_views(fig, tr, self._view_names, self.lang, self._surface, self._after_surface_click,
                                 self._after_boundary_click, self._pictures, self.scale)
        finish_texts(fig, self.views, self.scale, self.lang)
        self.frames = self._build_frames()
        if "curves" in self.views:
            self.views["curves"].set_patience(self.criteria.patience)
        self.blitter = self.blit(fig, self._dynamic_artists, self._occasional_artists)
        self._shown_for = (tr.data, tr.model)

    def _show_data(self) -> None:
        """The same model trains on other data (a point added, another data set, undo across
        one): each view fits itself to it in place; built again only if one cannot."""
        fitted = [view.set_data(self.trainer) for view in self.views.values()]
        if all(fitted):
            self._shown_for = (self.trainer.data, self.trainer.model)
        else:
            self._build_views()

    def _dynamic_artists(self) -> list:
        """What the views may change at a refresh: the blitter redraws these over its background."""
        return list(self.frames.values()) + [artist for view in self.views.values()
                                             for artist in view.dynamic_artists()]

    def _occasional_artists(self) -> list:
        """What the views change only at some refreshes (the blitter keeps them drawn)."""
        return [artist for view in self.views.values() for artist in view.occasional_artists()]

    def _build_frames(self) -> dict:
        """A frame in the "current" colour around each view, shown after a click that changed it."""
        fig, frames = self.figure, {}
        # all in the axes drawn last, so that a full draw (savefig too) and a blit draw them last
        host = fig.axes[-1]
        w, h = fig.get_figwidth() * fig.dpi, fig.get_figheight() * fig.dpi
        renderer = fig.canvas.get_renderer()
        for name, view in self.views.items():
            axes = _axes_of(view)
            bars = [c.colorbar.ax for ax in axes for c in ax.collections if getattr(c, "colorbar", None)]
            boxes = [ax.get_position() for ax in axes + bars]
            # the titles too (a two-line title, or one wider than its axes, stays inside the frame)
            boxes += [ax.title.get_window_extent(renderer).transformed(fig.transFigure.inverted())
                      for ax in axes if ax.get_title()]
            x0, y0 = min(b.x0 for b in boxes) - 6 / w, min(b.y0 for b in boxes) - 6 / h
            x1, y1 = max(b.x1 for b in boxes) + 6 / w, max(b.y1 for b in boxes) + 4 / h
            frame = Rectangle((max(x0, 0.002), max(y0, 0.002)), min(x1, 0.998) - max(x0, 0.002),
                              min(y1, 0.998) - max(y0, 0.002), transform=fig.transFigure, fill=False,
                              edgecolor=ROLES["current"], linewidth=2.5, visible=False, zorder=20,
                              clip_on=False)
            host.add_patch(frame)
            frames[name] = frame
        return frames

    # ------------------------------------------------------------- controls
    def mark_student_code(self) -> None:
        """Mark with ✎ the phase buttons that run the trainer's student code, and only them."""
        marked = student_phases(self.trainer)
        for phase in LOOP:
            button = self.buttons[phase]
            button.description = button.description.removesuffix(MARK) + (
                MARK if phase in marked else "")

    def _button(self, key: str, label: str, tooltip: str, action) -> widgets.Button:
        button = widgets.Button(description=label, tooltip=tooltip,
                                layout=widgets.Layout(width="auto", min_width="72px"))
        button.add_class(f"stepnn-{key}")
        button.on_click(lambda _button: action())
        return button

    def _build_controls(self) -> None:
        tr, t, w = self.trainer, self.t, self._w
        self.buttons = {p: self._button(p, t(p), w(f"run_{p}"), lambda p=p: self.run_phase(p))
                        for p in LOOP}
        self.buttons["step"] = self._button("step", t("step"), w("step_tip"), self.step)
        self.buttons["epoch"] = self._button("epoch", t("epoch"), w("epoch_tip"), self.run_epoch)
        self.buttons["undo"] = self._button("undo", t("undo"), w("undo_tip"), self.undo)
        self.buttons["reset"] = self._button("reset", t("reset"), w("reset_tip"), self.reset)
        self.play = widgets.Play(value=0, min=0, max=10 ** 9, step=1, interval=200, show_repeat=False,
                                 description=t("play"), tooltip=f"{t('play')} / {t('pause')}")
        self.play.add_class("stepnn-play")
        style = {"description_width": "initial"}
        lr_exp = math.log10(tr.learning_rate)  # widen the slider for a rate outside 10^-4 .. 10
        lr_low, lr_high = min(LR_RANGE[0], math.floor(lr_exp)), max(LR_RANGE[1], math.ceil(lr_exp))
        n = tr.n_samples
        output = tr.model.layers[-1]
        fits = losses.fitting(output.activation.name, output.n_out, tr.y)
        if tr.loss_fn.name not in fits:
            fits.append(tr.loss_fn.name)
        self.controls = {
            "learning_rate": widgets.FloatLogSlider(value=tr.learning_rate, base=10, min=lr_low,
                                                    max=lr_high, step=0.05, readout_format=".4g",
                                                    description=t("learning_rate"),
                                                    continuous_update=False, style=style),
            "batch_size": widgets.IntSlider(value=tr.batch_size, min=1, max=n, description=t("batch_size"),
                                            continuous_update=False, style=style),
            "optimizer": widgets.Dropdown(options=OPTIMIZERS, value=optimizer_choice(tr.optimizer),
                                          description=t("optimizer"), style=style),
            "loss_function": widgets.Dropdown(options=fits, value=tr.loss_fn.name,
                                              description=t("loss_function"), style=style),
            "seed": widgets.BoundedIntText(value=tr.seed, min=0, max=2 ** 31 - 1, description=t("seed"),
                                           style=style, layout=widgets.Layout(width="150px")),
            "max_epochs": widgets.BoundedIntText(value=self.criteria.max_epochs or 0, min=0, max=10 ** 6,
                                                 description=w("max_epochs"), style=style,
                                                 layout=widgets.Layout(width="230px")),
            "target_loss": widgets.BoundedFloatText(value=self.criteria.target_loss or 0.0, min=0.0,
                                                    max=1e9, step=0.01, description=w("target_loss"),
                                                    style=style, layout=widgets.Layout(width="230px")),
            "patience": widgets.BoundedIntText(value=self.criteria.patience or 0, min=0, max=10 ** 4,
                                               description=w("patience"), style=style,
                                               disabled=tr.X_val is None,
                                               tooltip=w("no_validation") if tr.X_val is None else "",
                                               layout=widgets.Layout(width="200px")),
            "sample": widgets.IntSlider(value=0, min=0, max=max(tr.batch_size - 1, 0),
                                        description=w("sample"), style=style, continuous_update=False),
            "speed": widgets.IntSlider(value=5, min=1, max=MAX_SPEED, description=w("speed"), style=style,
                                       continuous_update=False, layout=widgets.Layout(width="260px")),
            "moment": widgets.IntSlider(value=0, min=0, max=0, description=w("moment"), style=style,
                                        tooltip=w("moment_tip"), continuous_update=False,
                                        layout=widgets.Layout(width="520px")),
        }
        for key, control in self.controls.items():
            control.add_class(f"stepnn-{key.replace('_', '-')}")
            control.observe(lambda change, key=key: self._on_control(key, change["new"]), names="value")
        self.batch_mode = widgets.HTML()
        self.batch_mode.add_class("stepnn-batch-mode")
        self.status = widgets.HTML()
        self.status.add_class("stepnn-status")
        self.play.observe(self._on_play_value, names="value")
        self.play.observe(self._on_playing, names="playing")
        self._set_speed(self.controls["speed"].value)

    def _button_row(self) -> widgets.Widget:
        b = self.buttons
        return widgets.HBox([b["forward"], b["loss"], b["backward"], b["update"], _gap(), b["step"],
                             b["epoch"], _gap(), self.play, self.controls["speed"], _gap(), b["undo"],
                             b["reset"]], layout=widgets.Layout(flex_flow="row wrap"))

    def _settings_rows(self) -> widgets.Widget:
        c = self.controls
        rows = [[c["learning_rate"], c["batch_size"], self.batch_mode],
                [c["optimizer"], c["loss_function"], c["seed"]],
                [c["max_epochs"], c["target_loss"], c["patience"], c["sample"]],
                [c["moment"]]]
        return widgets.VBox([widgets.HBox(r, layout=widgets.Layout(flex_flow="row wrap")) for r in rows])

    @contextmanager
    def _holding(self):
        """Set controls from code without running their handlers."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    # ------------------------------------------------------------- actions
    def _act(self, action):
        """The controller: run ``action`` (it changes the trainer), then refresh once, even if it failed."""
        self.message.value = ""
        self.last_phase = None
        try:
            return action()
        finally:
            self.refresh()

    @guarded
    def run_phase(self, phase: str) -> None:
        """Run one phase ("forward", "loss", "backward" or "update"); out of order: a PhaseError message."""
        if phase not in LOOP:
            raise ValueError(self.p("errors.widget.choice", name="phase", choices=LOOP, value=phase))

        def action():
            self.stop_reason = None
            getattr(self.trainer, phase)()
            self.last_phase = phase
            self._note_epoch_end(phase)
        self._act(action)

    @guarded
    def step(self) -> None:
        """One iteration (the phases still due); refuses to run Backward on an inf/NaN loss."""
        def action():
            epoch = self.trainer.epoch
            self.stop_reason = guarded_step(self.trainer)
            self.last_phase = "update"
            if self.trainer.epoch != epoch:
                self._note_epoch_end("update")
        self._act(action)

    @guarded
    def run_epoch(self) -> None:
        """Finish the current epoch; the stopping criteria are checked at its end."""
        def action():
            tr, criteria = self.trainer, self.criteria
            self.stop_reason = criteria.before_run(tr) or finish_epoch(tr, criteria)
            if self.stop_reason is None:
                self._note_epoch_end("update")
            else:
                self._pause(self.stop_reason)   # Play, if running, stops at the limit too
        self._act(action)

    @guarded
    def tick(self) -> None:
        """One Play tick: ``steps_per_tick`` iterations, then one redraw. Stops Play when a stopping
        criterion holds or the loss diverges. (The Play widget calls this on every frame; tests
        call it directly.)"""
        def action():
            start = self.trainer.global_iteration
            try:
                reason = self.criteria.before_run(self.trainer) or \
                    run(self.trainer, self.criteria, self.steps_per_tick)
            except Exception:
                self._pause(None)
                raise
            self._ticks.append((time.monotonic(), self.trainer.global_iteration - start))
            if reason is not None:
                self._pause(reason)
            else:
                self._adapt()
        begun = time.monotonic()
        try:
            self._act(action)
        finally:
            self._tick_done = time.monotonic()
            self._tick_costs.append(self._tick_done - begun)

    def _adapt(self) -> None:
        """Keep Play's promise: measure the iterations/s delivered over the last ticks (the status
        line shows it) and, when it is off the speed asked (below 95 % or above 120 %), pace Play
        again: as many frames as a tick's cost allows (at most 10/s, the kernel busy at most
        ``FRAME_SHARE`` of the time), each doing the iterations that make the speed asked, the
        frames spaced so that they make it and not more (frames lost while a slow tick ran are
        counted in). While the promise is kept, the pace changes only to smoother frames (fewer
        iterations each), when ticks got cheaper."""
        if len(self._ticks) < 3:
            return
        recent = list(self._ticks)[-ADAPT_TICKS:]
        (t0, _), (t1, _) = recent[0], recent[-1]
        if t1 <= t0:
            return
        self.rate = sum(n for _, n in recent[1:]) / (t1 - t0)   # what the status line shows
        since = [(t, n) for t, n in self._ticks if t > self._adapted_at]   # at this pace
        if len(since) < ADAPT_TICKS or not self._tick_costs or since[-1][0] <= since[0][0]:
            return                                    # too few ticks since the last change
        rate = sum(n for _, n in since[1:]) / (since[-1][0] - since[0][0])
        wanted, steps, interval = self.controls["speed"].value, self.steps_per_tick, self.play.interval
        affordable = min(1000 / MIN_INTERVAL_MS, FRAME_SHARE / max(statistics.fmean(self._tick_costs), 1e-6))
        came = rate / steps                                        # frames/s that got through
        kept = min(1.0, max(0.05, came / min(1000 / interval, affordable)))   # the share expected
        aim = PLAY_AIM * wanted   # a little above the speed asked: a slow tick now and then costs frames
        new_steps = min(MAX_STEPS_PER_TICK, max(1, math.ceil(aim / (affordable * kept) - 1e-9)))
        if 0.95 * wanted <= rate <= 1.2 * wanted and new_steps >= steps:
            return
        if new_steps != steps:
            new_interval = 1000 * new_steps * kept / aim
        else:   # the same iterations per frame: frames closer together or further apart
            new_interval = interval * rate / aim
        pace = (new_steps, max(MIN_INTERVAL_MS, round(new_interval)))
        if pace != (steps, interval):
            self.steps_per_tick, self.play.interval = pace   # the page reads the interval per frame
            self._adapted_at = t1

    @guarded
    def undo(self) -> None:
        """Step back one phase or one change of setting."""
        def action():
            self.stop_reason = None
            what = self.trainer.undo()
            self.show_info(self._w("undone", what=self.t(what)) if what else self._w("nothing_to_undo"))
        self._act(action)

    @guarded
    def reset(self) -> None:
        """Back to the first weights and epoch 0; the current settings stay."""
        def action():
            self._pause(None)
            self.stop_reason = None
            self.trainer.reset(keep_settings=True)
            self.show_info(self._w("reset_done", seed=self.trainer.seed))
        self._act(action)

    def _note_epoch_end(self, phase: str) -> None:
        h = self.trainer.history
        if phase == "update" and self.trainer.iteration == 0 and h.epochs:
            self.show_info(self._w("epoch_done", e=h.epochs[-1].epoch, loss=loss_number(h.epochs[-1].loss)))

    def _show_stop(self) -> None:
        r = self.stop_reason
        if r is not None and r != "diverged":
            self.show_info(stop_text(r, self.trainer, self.criteria, self.lang), tone="warn")

    def _pause(self, reason: "StopReason | None") -> None:
        """Stop Play from code (a criterion held, an error, a reset)."""
        if reason is not None:
            self.stop_reason = reason
            self._show_stop()
        with self._holding():
            self.play.playing = False

    # -------------------------------------------------------------- events
    @guarded
    def _on_control(self, key: str, value) -> None:
        if self._quiet:
            return
        if value is None or isinstance(value, Real) and not math.isfinite(value):
            self._refuse(key, value)
            return
        tr = self.trainer
        handlers = {
            "learning_rate": lambda: tr.set_learning_rate(value),
            "batch_size": lambda: tr.set_batch_size(value),
            "optimizer": lambda: self._set_optimizer(value),
            "loss_function": lambda: tr.set_loss(value),
            "seed": lambda: self._set_seed(value),
            "max_epochs": self._set_criteria, "target_loss": self._set_criteria,
            "patience": self._set_criteria,
            "sample": lambda: None,  # the network view reads it in refresh
            "speed": lambda: self._set_speed(value),
            "moment": lambda: self._go_to(value),
        }

        def action():
            handlers[key]()
            setting = key in ("learning_rate", "batch_size", "optimizer", "loss_function")
            if setting and tr.next_phase != "forward":
                self.show_info(self._w("pending", phase=self.t(tr.next_phase)))
        self._act(action)

    def _refuse(self, key: str, value) -> None:
        """A control set to NaN or inf (ipywidgets' bounds let it through), or a dropdown set to
        None, from code: put back the value in use and say so; nothing else changes."""
        self.refresh()   # the controls follow the trainer and the criteria again
        control = self.controls[key]
        if value is None:
            self.show_info(self.p("controls.no_choice", what=control.description, old=control.label),
                           tone="warn")
            return
        self.show_info(self._w("not_a_number", name=control.description, value=value, old=control.value),
                       tone="warn")

    def _go_to(self, iteration: int) -> None:
        """The history slider: stand where the run was after ``iteration`` iterations."""
        self._pause(None)
        self.stop_reason = None
        self.trainer.goto(iteration)

    def _set_optimizer(self, choice: str) -> None:
        lr = self.controls["learning_rate"].value
        if choice == "sgd+momentum":
            self.trainer.set_optimizer("sgd", learning_rate=lr, momentum=MOMENTUM)
        else:
            self.trainer.set_optimizer(choice, learning_rate=lr)

    def _set_seed(self, seed: int) -> None:
        self._pause(None)
        self.stop_reason = None
        self.trainer.reset(seed=seed, keep_settings=True)
        self.show_info(self._w("reset_done", seed=seed))

    def _set_criteria(self) -> None:
        c = self.controls
        self.criteria = Criteria(max_epochs=c["max_epochs"].value or None,
                                 target_loss=c["target_loss"].value or None,
                                 patience=c["patience"].value or None)
        if "curves" in self.views:
            self.views["curves"].set_patience(self.criteria.patience)

    def _set_speed(self, per_second: int) -> None:
        """Play at ``per_second`` iterations/s: frames at most 10/s, several iterations per frame
        above, spaced so that they make the speed; while playing, ``_adapt`` paces them again by
        what the ticks cost."""
        self.steps_per_tick, self.play.interval = play_pace(per_second, 1000 / MIN_INTERVAL_MS)
        self._ticks.clear()

    @guarded
    def _on_playing(self, change) -> None:
        if self._quiet:
            return
        self._ticks.clear()
        self.rate = None
        if change["new"]:
            def start():
                self.stop_reason = self.criteria.before_run(self.trainer)
                if self.stop_reason is not None:
                    self._pause(self.stop_reason)
            self._act(start)
        else:
            def pause():
                self.stop_reason = StopReason("interrupted", self._w("paused"))
                self._show_stop()
            self._act(pause)

    def _on_play_value(self, change) -> None:
        if self._quiet or not self.play.playing:
            return
        # A live front end keeps sending frames while a slow tick runs; drop the backlog.
        if self.live and time.monotonic() - self._tick_done < backlog_seconds(self.play.interval):
            return
        self.tick()

    @guarded
    def _after_surface_click(self, view, weights) -> None:
        """The loss surface picked two weights: set them (a new start of the path); every view
        follows."""
        def action():
            self.stop_reason = None
            if move_to(self.trainer, weights):
                view.show_note(view.p("surface.undone"))
        self._act(action)

    # -------------------------------------------------------------- refresh
    def refresh(self) -> None:
        """Controls follow the trainer, every view updates, the status line too; one redraw."""
        tr = self.trainer
        self._sync_controls()
        if self._shown_for[1] is not tr.model:
            self._build_views()
        elif self._shown_for[0] is not tr.data:
            self._show_data()
        for view in self.views.values():
            view.update(tr)
        self._update_buttons()
        for name, frame in self.frames.items():
            frame.set_visible(name in PHASE_VIEWS.get(self.last_phase, ()))
        rate = self.rate if self.play.playing else None
        self.status.value = f"<span>{html.escape(status_text(tr, None, self.lang, rate))}</span>"
        self.student.value = student_html(tr, self.lang)
        self.maths.update(tr, self.controls["sample"].value)
        if tr.diverged:
            rec = tr.last_loss
            value = rec.value if rec is not None else tr.history.iterations[-1].loss
            self.show_info(self._w("diverged", value=value, lr=tr.learning_rate), tone="error")
        self.redraw()

    def _sync_controls(self) -> None:
        tr, c = self.trainer, self.controls
        new = upcoming(tr)
        bs = new["batch_size"]
        batch = len(tr.last_forward.x) if tr.last_forward is not None else bs
        self.playground.sync(tr)
        output = tr.model.layers[-1]
        fit = losses.fitting(output.activation.name, output.n_out, new["data"].labels_for(tr.loss_fn, output.n_out)[0])
        with self._holding():
            c["batch_size"].max = new["data"].n
            if new["loss"] not in fit:
                fit.append(new["loss"])
            if list(c["loss_function"].options) != fit:
                c["loss_function"].options = fit
            c["patience"].disabled = new["data"].X_val is None
            c["learning_rate"].value = new["learning_rate"]
            c["batch_size"].value = bs
            c["optimizer"].value = optimizer_choice(new["optimizer"])
            c["loss_function"].value = new["loss"]
            c["seed"].value = tr.seed
            c["max_epochs"].value = self.criteria.max_epochs or 0
            c["target_loss"].value = self.criteria.target_loss or 0.0
            c["patience"].value = self.criteria.patience or 0
            c["sample"].max = max(batch - 1, 0)
            self._sync_moment(tr)
            if "network" in self.views:
                self.views["network"].sample = c["sample"].value
        self.batch_mode.value = html.escape(f"{_mode_label(bs, tr.n_samples, self.t)} · "
                                            f"{explain_data(tr, self.lang)}")

    def _sync_moment(self, tr: Trainer) -> None:
        """The history slider spans the iterations goto can reach; none yet (a session loaded
        mid-iteration, before its iteration ends): it shows where the run stands, disabled."""
        moment, first, last = self.controls["moment"], tr.first_iteration, tr.recorded_iterations
        reachable = first <= last
        low, high = (first, last) if reachable else (tr.global_iteration,) * 2
        if low > moment.max:     # ipywidgets refuses a min above the max: move the max first
            moment.max = high
            moment.min = low
        else:
            moment.min = low
            moment.max = high
        moment.value = tr.global_iteration
        moment.disabled = not reachable

    def _update_buttons(self) -> None:
        nxt = self.trainer.next_phase
        for phase in LOOP:
            button, on = self.buttons[phase], phase == nxt
            button.disabled = not on
            button.button_style = "primary" if on else ""
            button.tooltip = self._w(f"run_{phase}") if on else phase_hint(nxt, self.lang)
        self.buttons["undo"].disabled = not self.trainer.can_undo

    # --------------------------------------------------------------- export
    @speaks
    def save_png(self, path, view: str = "all", dpi: int = 150) -> str:
        """Save the whole figure ("all") or one view ("network", "heatmaps", "gradients",
        "curves", "surface", "boundary") as a PNG for slides; returns the path."""
        if view == "all":
            return save_png(self.figure, path, dpi=dpi)
        if view not in self.views:
            raise ValueError(self.p("errors.widget.view", names=tuple(self.views), view=view))
        return save_png(self.figure, path, dpi=dpi, bbox=axes_bbox(self.figure, _axes_of(self.views[view])))

    @speaks
    def save_gif(self, path, iterations: int = 20, fps: float = 4, view: str = "all",
                 dpi: "int | None" = None) -> str:
        """Save an animated GIF of training from the current state forward, one frame per iteration
        (frame 0 is the current state), for ``iterations`` iterations.

        It trains a copy of the trainer (``copy.deepcopy``) on a figure of its own: the live
        trainer, its history and this dashboard's figure are left exactly as they were. A
        diverging copy stops moving (the last frames repeat). Returns the path.
        """
        if isinstance(iterations, bool) or not isinstance(iterations, Integral) or iterations < 1:
            raise ValueError(self.p("errors.widget.whole_at_least_1", name="iterations",
                                    value=iterations))
        iterations = int(iterations)
        names = self._view_names if view == "all" else (view,)
        if view != "all" and view not in self.views:
            raise ValueError(self.p("errors.widget.view", names=tuple(self.views), view=view))
        trainer = copy.deepcopy(self.trainer)
        fig = Figure(figsize=view_figsize(names, trainer.model, self.figure.dpi, self.scale),
                     dpi=self.figure.dpi)
        FigureCanvasAgg(fig)
        views = build_views(fig, trainer, names, self.lang, self._surface, neuron_pictures=self._pictures,
                            scale=self.scale)
        finish_texts(fig, views, self.scale, self.lang)
        if "network" in views and "network" in self.views:
            views["network"].sample = self.views["network"].sample
        state = {"stopped": False}

        def frame(i: int) -> None:
            if i and not state["stopped"]:
                state["stopped"] = guarded_step(trainer) is not None
            for v in views.values():
                v.update(trainer)
        return save_gif(path, fig, frame, iterations + 1, fps=fps, dpi=dpi)

    # ------------------------------------------------------------------ text
    def describe(self) -> str:
        tr = self.trainer
        return self.stand_in(self.p("dashboard.stepthrough", sizes=tr.model.sizes, loss=tr.loss_fn.name,
                                    optimizer=tr.optimizer.name,
                                    status=status_text(tr, self.stop_reason, self.lang)))


# ------------------------------------------------------------------ figure layout
def view_figsize(names, model, dpi: float = 80, scale: float = 1.0) -> tuple[float, float]:
    """A figure size (inches) for the views ``names`` of ``model`` at ``dpi``: at most
    ``MAX_WIDTH_PX`` (832 px) wide, so that the dashboard fits JupyterLab's output area at
    1280x800 with the file browser open; the top views two by two, then a row of z/a heatmaps and
    a row of gradients. Heights grow with the presentation ``scale`` (text is larger)."""
    top = [n for n in TOP_ROW if n in names]
    heat, grad = "heatmaps" in names, "gradients" in names
    wide = len(top) > 1 or (heat and 2 * len(model.layers) > 3) or (grad and len(model.layers) > 2)
    width_px = MAX_WIDTH_PX if wide else 0.65 * MAX_WIDTH_PX
    rows = math.ceil(len(top) / 2) if wide else len(top)
    height_px = (rows * TOP_HEIGHT_PX + heat * HEAT_HEIGHT_PX + grad * HEAT_HEIGHT_PX) * scale + 10
    return width_px / dpi, height_px / dpi


def build_views(fig: Figure, trainer, names=VIEW_NAMES, lang: "str | None" = None, surface: str = "weights",
                on_surface_change=None, on_boundary_click=None, neuron_pictures: bool = True,
                scale: float = 1.0) -> dict:
    """Lay out the views ``names`` on ``fig`` and build them: the diagram (with each hidden
    unit's picture over the input plane, for 2 inputs and ``neuron_pictures``), the loss curve,
    the loss surface and the boundary two by two; below, the z/a heatmaps in a row and the
    gradient heatmaps in a row. ``scale``: the presentation scale the texts will have (see
    ``stepnn.views.readable``); the margins and the gaps between heatmaps grow with it.

    Returns {name: View} in the order of ``VIEW_NAMES``.
    """
    L = len(trainer.model.layers)
    top = [n for n in TOP_ROW if n in names]
    per_row = 2 if len(top) > 1 else 1
    top_rows = [top[i:i + per_row] for i in range(0, len(top), per_row)]
    rows = [("top", r) for r in top_rows]
    if "heatmaps" in names:
        rows.append(("heatmaps", ["heatmaps"] * 2 * L))
    if "gradients" in names:
        rows.append(("gradients", ["gradients"] * L))
    heights = [TOP_HEIGHT_PX if kind == "top" else HEAT_HEIGHT_PX for kind, _ in rows]
    fig_h = fig.get_figheight() * fig.dpi
    grid = fig.add_gridspec(len(rows), 1, height_ratios=heights, left=min(0.07 * scale, 0.14), right=0.94,
                            top=1 - 34 / fig_h, bottom=24 / fig_h, hspace=0.45)
    axes: dict = {}
    path_ax = None
    for r, (kind, row) in enumerate(rows):
        if kind == "top":
            cells = grid[r].subgridspec(1, per_row, wspace=0.3)
            for i, name in enumerate(row):
                if name == "surface" and surface == "pca":   # the losses along the path, below the plane
                    pair = cells[i].subgridspec(2, 1, height_ratios=[3, 1], hspace=0.45)
                    axes[name], path_ax = fig.add_subplot(pair[0]), fig.add_subplot(pair[1])
                else:
                    axes[name] = fig.add_subplot(cells[i])
        else:
            cells = grid[r].subgridspec(1, len(row), wspace=0.5 * scale)   # room for the colour bars' numbers
            axes[kind] = [fig.add_subplot(cells[i]) for i in range(len(row))]
    makers = {
        "network": lambda ax: NetworkView(ax, trainer, lang=lang, pictures=neuron_pictures),
        "heatmaps": lambda ax: ActivationHeatmaps(ax, trainer, lang=lang),
        "gradients": lambda ax: GradientHeatmaps(ax, trainer, lang=lang),
        "curves": lambda ax: LearningCurveView(ax, trainer, lang=lang),
        "surface": lambda ax: SurfaceView(ax, trainer, directions=surface, lang=lang, path_ax=path_ax,
                                          on_pick=on_surface_change),
        "boundary": lambda ax: BoundaryView(ax, trainer, lang=lang, on_click=on_boundary_click),
    }
    return {name: makers[name](axes[name]) for name in VIEW_NAMES if name in names}


def _axes_of(view) -> list:
    """The axes a view draws on (the loss surface: its axes and its inset, if any)."""
    axes = list(view.axes) if hasattr(view, "axes") else [view.ax]
    extra = getattr(view, "path_ax", None)
    return axes + ([extra] if extra is not None and extra not in axes else [])


def finish_texts(fig: Figure, views: dict, scale: float, lang: str) -> None:
    """Give the texts of views just built (``build_views``) their final size and font: at least
    12 px times ``scale``, with the language's glyphs; then the gradients' titles that no longer fit
    their cells take their short form."""
    readable(fig, scale)
    localize(fig, lang)
    if "gradients" in views:
        views["gradients"].fit_titles()


def backlog_seconds(interval_ms: int) -> float:
    """A Play frame that arrives this soon after a tick ended waited while the tick ran (the page
    sent it on time): the backlog of a slow tick, dropped. A frame sent after the tick arrives
    later than this, however slow the tick was."""
    return min(interval_ms / 2000, 0.025)


def play_pace(per_second: float, frames_per_second: float) -> tuple[int, int]:
    """(iterations per frame, milliseconds between frames) that deliver ``per_second``
    iterations/s when at most ``frames_per_second`` frames can be shown: the fewest iterations per
    frame, and frames paced so that they make the speed asked, not more."""
    frames = min(1000 / MIN_INTERVAL_MS, max(frames_per_second, 1e-9))
    steps = min(MAX_STEPS_PER_TICK, max(1, math.ceil(per_second / frames - 1e-9)))
    return steps, max(MIN_INTERVAL_MS, round(1000 * steps / per_second))


def _gap() -> widgets.Widget:
    return widgets.Box(layout=widgets.Layout(width="12px"))


def _mode_label(batch_size: int, n: int, t) -> str:
    """ "mini-batch GD (16 = 2^4)": which kind of gradient descent this batch size makes."""
    mode = batching.mode_name(batch_size, n)
    name = t({"stochastic": "sgd", "mini-batch": "mini_batch", "full-batch": "full_batch"}[mode])
    power = batch_size.bit_length() - 1
    if batch_size == 1 << power:
        return f"{name} ({batch_size} = 2^{power})"
    near = [p for p in (1 << power, 1 << (power + 1)) if p <= n]
    return f"{name} (2^k: {', '.join(map(str, near))})"
