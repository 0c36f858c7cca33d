"""DescentExplorer: gradient descent (경사하강법) on a loss of two parameters, where every step can
be seen on the loss surface, and the learning rate (학습률) decides whether it gets there.

    from stepnn.widgets.descent import DescentExplorer
    DescentExplorer("quadratic")            # f(w1, w2) = w1^2 + 2 w2^2
    DescentExplorer("linear_regression")    # MSE of y = w x + b on stepnn.datasets.linear

Why some learning rates fail: near a minimum the loss is a bowl whose steepest curvature is λ_max,
the largest eigenvalue of its Hessian. A step w <- w - lr * gradient multiplies the distance to the
minimum along that direction by (1 - lr λ_max): below lr = 1/λ_max every step goes straight
downhill; between 1/λ_max and 2/λ_max it overshoots and zig-zags across the valley but still
converges; above 2/λ_max each step overshoots more than the last, and the path diverges. The
presets are computed from λ_max.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib import patheffects
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter

from .._checks import positive_float, positive_int
from ..problems import Bowl, LinearRegression, largest_curvature
from ..terms import phrase
from ..trainer import Trainer
from ..views.style import MAX_WIDTH_PX, OKABE_ITO
from .controller import guarded_step
from .controls import refuse_non_finite, row
from ._base import Dashboard, guarded

__all__ = ["DescentExplorer", "PlayFrames", "PROBLEMS", "PRESETS", "preset_rates", "log_limits",
           "plain_log_ticks", "LOSS_CEILING"]

PROBLEMS = ("quadratic", "linear_regression")
# learning rate = factor / λ_max, λ_max the largest eigenvalue of the Hessian
PRESETS = {"too small": 0.05, "good": 1.0, "too large": 1.8, "diverging": 2.2}
GRID = 61            # surface grid points per axis (the problems are cheap)
CONVERGED = 1e-8     # a gradient norm below this ends Play: the path has arrived
LOSS_CEILING = 1e12  # the loss chart stops here (a diverging loss only grows past it)
DPI = 100
FIGSIZE = (MAX_WIDTH_PX / DPI, 3.7)  # 832 x 370 px
ARROW_MAX = 0.2      # the -gradient arrow's length at the window's steepest point (share of its diagonal)
ZERO = 1e-9          # shown as 0: a coordinate or gradient this small next to the window's size
# one meaning per colour (Okabe-Ito): the path and the loss it had (vermillion), the -gradient
# (yellow), the next step (white over black), the minimum (white star)
COLORS = {"path": OKABE_ITO["vermillion"], "arrow": OKABE_ITO["yellow"], "next": "white", "minimum": "white"}


def shown_number(value: float, size: float = 1.0) -> str:
    """A number for a student: 4 significant digits; round-off next to ``size`` (below
    ``ZERO`` x size) is 0, and -0 is 0."""
    value = float(value)
    if np.isfinite(value) and abs(value) < ZERO * size:
        value = 0.0
    return f"{value + 0.0:.4g}"


def log_limits(values, margin: float = 2.0) -> "tuple[float, float] | None":
    """y limits of a log-scale loss chart: the positive finite values, a factor ``margin`` of room,
    at most ``LOSS_CEILING`` (None when there is nothing to show)."""
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return None
    return max(values.min() / margin, 1e-30), min(values.max(), LOSS_CEILING) * margin


def plain_log_ticks(axis) -> None:
    """Tick labels of a log axis as plain text ("0.001", "1e+06"), not mathtext ("10^-3"): quicker to
    draw, and no parsing (matplotlib before 3.10 warns with pyparsing 3.3 when it parses one)."""
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())


def preset_rates(problem) -> dict[str, float]:
    """The presets' learning rates, from λ_max = the largest eigenvalue of the problem's Hessian."""
    lam = largest_curvature(problem)
    return {name: factor / lam for name, factor in PRESETS.items()}


class PlayFrames:
    """Play for a dashboard: ``self.play`` (an ipywidgets.Play) calls ``self.tick()`` on every frame
    while it plays; ``_pause()`` stops it from code. Needs ``self._quiet`` (True: ignore frames)."""

    def _make_play(self, css_class: str, interval: int) -> widgets.Play:
        play = widgets.Play(value=0, min=0, max=10 ** 9, step=1, interval=interval, show_repeat=False,
                            description=self.t("play"))
        play.add_class(css_class)
        play.observe(self._on_play, names="value")
        return play

    def _on_play(self, change) -> None:
        if not self._quiet and self.play.playing:
            self.tick()

    def _pause(self) -> None:
        self._quiet = True
        try:
            self.play.playing = False
        finally:
            self._quiet = False


class DescentExplorer(PlayFrames, Dashboard):
    """Gradient descent on two parameters: the surface, the path, the gradient, the learning rate.

    Args:
        problem: "quadratic" (the bowl f = a w1^2 + b w2^2) or "linear_regression" (w, b of a
            Dense(1, 1) on ``stepnn.datasets.linear`` with MSE, trained by a full-batch Trainer).
        lang: "en" or "ko".
        live: ipympl canvas (True) or static PNG (False); default: live when ipympl is installed.
        scale: presentation scale of every text (1 = laptop, 1.5 = projector).
        a, b: the bowl's coefficients (quadratic only).
        learning_rate: the first learning rate; default the "good" preset.

    Attributes:
        problem: the ``Bowl`` or ``LinearRegression``.
        rates: the presets' learning rates (``preset_rates``).
        trainer: linear regression: the Trainer that takes the steps (None for the bowl).
        path: the points visited, (m + 1, 2), the start first; losses: the loss at each, (m + 1,).
        buttons: "step", "reset" and one per preset; play: the ipywidgets.Play driving steps;
        learning_rate: the log slider.
        surface_ax, loss_ax; contour, path_line, point, arrow (-gradient, its length in proportion
        to the gradient's, ``ARROW_MAX`` of the window's diagonal at its steepest point) and
        arrow_ends (its tail and head, or None at a zero gradient), next_line (where the next step
        lands), loss_line.
        diverged: True once the path left the plot with a growing loss, or the loss overflowed.
    """

    title_key = "DescentExplorer"

    def __init__(self, problem: str = "quadratic", lang: "str | None" = None, live: "bool | None" = None,
                 a: float = 1.0, b: float = 2.0, learning_rate: "float | None" = None,
                 scale: float = 1.0):
        if problem not in PROBLEMS:
            raise ValueError(phrase("errors.widget.choice", lang, name="problem", choices=PROBLEMS,
                                    value=problem))
        super().__init__(lang, live, scale)
        self.problem = Bowl(a, b) if problem == "quadratic" else LinearRegression()
        self.rates = preset_rates(self.problem)
        lr = self.rates["good"] if learning_rate is None else positive_float("learning_rate", learning_rate)
        self.trainer = None
        self.diverged = self.converged = False
        self._quiet = False
        self._build_controls(lr)
        fig, view = self.new_figure((FIGSIZE[0], FIGSIZE[1] * self.scale), dpi=DPI)  # larger text: taller
        self.figure = fig
        self._build_axes(fig)
        self.localize()
        self.restart(self.problem.start)
        self.widget = widgets.VBox([
            row([self.buttons["step"], self.play, self.buttons["reset"], self.learning_rate]),
            row([widgets.Label(self.p("descent.preset"))]
                         + [self.buttons[name] for name in PRESETS]),
            view, self.readout, self.explain, self.message])
        self.widget.add_class("stepnn-descent")

    # ------------------------------------------------------------------ building
    def _button(self, key: str, label: str, action) -> widgets.Button:
        button = widgets.Button(description=label, layout=widgets.Layout(width="auto"))
        button.add_class(f"stepnn-descent-{key.replace(' ', '-')}")
        button.on_click(lambda _b: action())
        return button

    def _build_controls(self, lr: float) -> None:
        self.buttons = {"step": self._button("step", self.t("step"), self.step),
                        "reset": self._button("reset", self.t("reset"), self.reset)}
        for name in PRESETS:
            self.buttons[name] = self._button(name, self.p(f"descent.{name}") + f" ({self.rates[name]:.3g})",
                                              lambda name=name: self.use_preset(name))
        low = min(np.log10(self.rates["too small"]) - 0.5, np.log10(lr))
        high = max(np.log10(self.rates["diverging"]) + 0.3, np.log10(lr))
        self.learning_rate = widgets.FloatLogSlider(
            value=lr, base=10, min=low, max=high, step=0.01, readout_format=".4g",
            description=self.t("learning_rate"), continuous_update=False,
            style={"description_width": "initial"})
        self.learning_rate.add_class("stepnn-descent-learning-rate")
        self.learning_rate.observe(self._on_learning_rate, names="value")
        self.play = self._make_play("stepnn-descent-play", interval=150)
        self.readout = widgets.HTML()
        self.readout.add_class("stepnn-descent-readout")
        lam = 1.0 / self.rates["good"]
        self.explain = widgets.HTML(
            f"<b>{html.escape(self.problem.formula())}</b> &mdash; " + self.p("descent.explain",
                L=lam, a=1 / lam, b=2 / lam, **{f"p{k}": r for k, r in enumerate(self.rates.values())}))
        self.explain.add_class("stepnn-descent-explain")

    def _build_axes(self, fig) -> None:
        fs = self.font(dpi=DPI)
        grid = fig.add_gridspec(1, 2, width_ratios=[1.35, 1])
        ax = self.surface_ax = fig.add_subplot(grid[0])
        (x0, x1), (y0, y1) = self.problem.window
        self.alphas, self.betas = np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID)
        self.values = self.problem.grid(self.alphas, self.betas)
        levels = np.quantile(self.values, np.linspace(0, 1, 22) ** 2)
        self.contour = ax.contourf(self.alphas, self.betas, self.values, levels=np.unique(levels),
                                   cmap="viridis", zorder=0)
        ax.contour(self.alphas, self.betas, self.values, levels=np.unique(levels)[::2], colors="white",
                   linewidths=0.4, alpha=0.6, zorder=1)
        ax.plot(*self.problem.minimum, "*", color=COLORS["minimum"], mec="black", ms=13, zorder=2)
        (self.path_line,) = ax.plot([], [], "-o", color=COLORS["path"], lw=1.6, ms=4, zorder=3)
        # white dashes edged in black: seen on the dark and the light end of the colour map
        (self.next_line,) = ax.plot([], [], ls=(0, (2.5, 1.5)), color=COLORS["next"], lw=2.2, zorder=3,
                                    label=self.p("descent.next"),
                                    path_effects=[patheffects.withStroke(linewidth=3.6, foreground="black")])
        (self.point,) = ax.plot([], [], "o", color=COLORS["path"], mec="white", ms=9, zorder=5)
        self.arrow = FancyArrowPatch((0, 0), (0, 0), arrowstyle="-|>", mutation_scale=16,
                                     color=COLORS["arrow"], lw=2.2, zorder=4, label=self.p("descent.arrow"))
        ax.add_patch(self.arrow)
        # the largest gradient in the window (at its corners and edges: the problems are bowls)
        rim = [(x, y) for x in (x0, (x0 + x1) / 2, x1) for y in (y0, (y0 + y1) / 2, y1)]
        self.steepest = max(float(np.hypot(*self.problem.gradient(np.array(w, dtype=float)))) for w in rim)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel(self.problem.labels[0], fontsize=fs, labelpad=1)
        ax.set_ylabel(self.problem.labels[1], fontsize=fs, labelpad=1)
        ax.tick_params(labelsize=fs)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.yaxis.set_major_locator(MaxNLocator(5, prune="lower"))  # never two labels in the lower left corner
        ax.set_title(self.p("descent.start"), fontsize=fs)
        self.loss_ax = fig.add_subplot(grid[1])
        (self.loss_line,) = self.loss_ax.plot([], [], "-o", color=COLORS["path"], ms=5, lw=1.4)
        self.loss_ax.set_yscale("log")
        plain_log_ticks(self.loss_ax.yaxis)
        self.loss_title = self.loss_ax.set_title(self.p("descent.loss_axis"), fontsize=fs)
        self.loss_ax.set_xlabel(self.t("step"), fontsize=fs, labelpad=1)
        self.loss_ax.tick_params(labelsize=fs)
        self.loss_ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        self.loss_ax.grid(alpha=0.3)
        # the key sits below the plots, where no start point can be clicked
        star = Line2D([], [], ls="none", marker="*", color=COLORS["minimum"], mec="black", ms=12,
                      label=self.p("descent.minimum"))
        arrow_key = Line2D([], [], color=COLORS["arrow"], lw=3, label=self.p("descent.arrow"))
        fig.legend(handles=[arrow_key, self.next_line, star], loc="lower left", ncol=3, fontsize=fs,
                   frameon=False, bbox_to_anchor=(0.0, 0.0), handlelength=2.2, columnspacing=1.2)
        self.localize()  # before the layout measures the texts
        fig.tight_layout(pad=0.4, w_pad=1.2, rect=(0, 1.9 * fs / 72 / fig.get_figheight(), 1, 1))
        fig.canvas.mpl_connect("button_press_event", self._on_click)

    # ----------------------------------------------------------------- actions
    def restart(self, start) -> None:
        """Start again from ``start`` (2,) with the current learning rate."""
        start = np.asarray(start, dtype=np.float64)
        if start.shape != (2,) or not np.all(np.isfinite(start)):
            raise ValueError(self.p("errors.widget.start", first=self.problem.labels[0],
                                    second=self.problem.labels[1], start=start))
        self.start = start.copy()
        self.path = [start.copy()]
        self.losses = [float(self.problem.loss(start)[0])]
        self.diverged = self.converged = False
        if isinstance(self.problem, LinearRegression):
            p = self.problem
            model = p.network(start)
            self.trainer = Trainer(model, p.X, p.y, loss="mse", optimizer="sgd",
                                   learning_rate=self.learning_rate.value, batch_size=len(p.X),
                                   shuffle=False)
        self.message.value = ""
        self._pause()
        self._show()

    def _advance(self) -> None:
        """One step of gradient descent: w <- w - lr * gradient."""
        w = self.path[-1]
        if self.trainer is not None:
            if guarded_step(self.trainer) is not None:   # the loss overflowed
                self.diverged = True
                return
            new = self.trainer.model.get_flat()
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                new = w - self.learning_rate.value * self.problem.gradient(w)
        self.path.append(new)
        self.losses.append(float(self.problem.loss(new)[0]))

    @guarded
    def step(self) -> None:
        """One step (refused once the loss is inf/NaN: Reset first)."""
        if not self._blown_up():
            self._advance()
        self._show()

    @guarded
    def run(self, steps: int) -> None:
        """``steps`` steps, then one redraw (stops early once the loss is inf/NaN)."""
        for _ in range(positive_int("steps", steps)):
            if self._blown_up():
                break
            self._advance()
        self._show()

    def _blown_up(self) -> bool:
        """The loss overflowed to inf/NaN: no step can follow."""
        return not np.isfinite(self.losses[-1]) or (self.trainer is not None and self.trainer.diverged)

    @guarded
    def reset(self) -> None:
        """Back to the start point, with the current learning rate."""
        self.restart(self.start)

    @guarded
    def use_preset(self, name: str) -> None:
        """Set the learning rate of preset ``name`` and start again from the start point."""
        if name not in PRESETS:
            raise ValueError(self.p("errors.widget.choice", name="preset", choices=tuple(PRESETS),
                                    value=name))
        self._quiet = True
        try:
            self.learning_rate.value = self.rates[name]
        finally:
            self._quiet = False
        self.restart(self.start)

    @guarded
    def tick(self) -> None:
        """One Play frame: one step; Play stops on divergence or convergence."""
        self.step()
        if self.diverged or self.converged:
            self._pause()

    # ------------------------------------------------------------------ events
    @guarded
    def _on_learning_rate(self, change) -> None:
        if self._quiet:
            return
        self._quiet = True
        try:
            refused = refuse_non_finite(self.learning_rate, change, self.t("learning_rate"), self.lang)
        finally:
            self._quiet = False
        if refused:  # NaN or inf from code: the slider, the trainer and the path stay as they were
            self.show_info(refused, tone="error")
            return
        if self.trainer is not None:
            self.trainer.set_learning_rate(change["new"])
        self._show()

    @guarded
    def _on_click(self, event) -> None:
        if event.inaxes is not self.surface_ax or event.button != 1 or event.xdata is None:
            return
        self.restart((event.xdata, event.ydata))
        self.show_info(self.p("descent.restart", x=event.xdata, y=event.ydata))

    # ----------------------------------------------------------------- drawing
    def _show(self) -> None:
        path = np.array(self.path)
        finite = path[np.all(np.isfinite(path), axis=1)]
        self.path_line.set_data(finite[:, 0], finite[:, 1])
        self.point.set_data(finite[-1:, 0], finite[-1:, 1])
        w, lr = finite[-1], self.learning_rate.value
        grad = self.problem.gradient(w)
        (x0, x1), (y0, y1) = self.problem.window
        norm = float(np.hypot(*grad)) if np.all(np.isfinite(grad)) else 0.0
        diagonal = float(np.hypot(x1 - x0, y1 - y0))
        if norm > 0:
            # in proportion to the gradient: long where the surface is steep, nothing at the minimum
            length = ARROW_MAX * diagonal * min(norm / self.steepest, 1.0)
            self.arrow_ends = (w.copy(), w - grad / norm * length)
            self.arrow.set_positions(*map(tuple, self.arrow_ends))
            self.arrow.set_visible(length > 0.02 * diagonal)  # a bare head would hide the minimum
            nxt = w - lr * grad
            self.next_line.set_data([w[0], nxt[0]], [w[1], nxt[1]])
        else:
            self.arrow_ends = None
            self.arrow.set_visible(False)
            self.next_line.set_data([], [])
        losses = np.array(self.losses)
        ok = np.isfinite(losses) & (losses > 0)
        steps = np.arange(len(losses))
        self.loss_line.set_data(steps[ok], np.minimum(losses[ok], LOSS_CEILING))
        self.loss_ax.set_xlim(-0.5, max(10, len(losses) - 1) + 0.5)  # room for the points at the ends
        limits = log_limits(losses)
        if limits is not None:
            self.loss_ax.set_ylim(*limits)
        loss_text = f"{self.losses[-1]:.4g}"
        # the loss chart shows the loss at once, step 0 included
        self.loss_title.set_text(f"{self.p('descent.loss_axis')}: {loss_text}")
        self._judge(w, norm)
        a, b = self.problem.labels
        size = diagonal
        self.readout.value = html.escape(self.p(
            "descent.readout", k=len(self.path) - 1, loss=loss_text, a=a, b=b, x=shown_number(w[0], size),
            y=shown_number(w[1], size), gx=shown_number(grad[0], size), gy=shown_number(grad[1], size)))
        self.redraw()

    def _judge(self, w, grad_norm: float) -> None:
        """Diverged (left the plot with a growing loss, or overflowed) or converged: say so."""
        (x0, x1), (y0, y1) = self.problem.window
        last, first = self.losses[-1], self.losses[0]
        outside = not (x0 <= self.path[-1][0] <= x1 and y0 <= self.path[-1][1] <= y1)
        if self._blown_up():
            self.diverged = True
            self.show_info(self.p("descent.blown_up", l1=last), tone="error")
        elif outside and last > first:
            self.diverged = True
            self.show_info(self.p("descent.diverged", l0=first, l1=last, lr=self.learning_rate.value,
                                                         b=2 * self.rates["good"]), tone="error")
        elif len(self.path) > 1 and grad_norm < CONVERGED:
            if not self.converged:
                self.converged = True
                self.show_info(self.p("descent.converged", k=len(self.path) - 1))

    def describe(self) -> str:
        return self.stand_in(self.p(
            "dashboard.descent", title=self.title, formula=self.problem.formula(),
            lr=self.learning_rate.value, step=len(self.path) - 1, loss=self.losses[-1]))
