"""StepThrough's Playground row, as TensorFlow Playground has it and more: the regularizer (규제)
and its rate, the data set (데이터셋), its noise (노이즈) and validation share (검증 데이터 비율),
the student's own points (내 데이터) and Save / Load of the whole session.

The widgets only report what the student asked (``on_change(key, value)``); StepThrough, the one
controller, changes the trainer. The functions below are pure: which regularizer a choice means,
which data a choice builds (``DataSource``), whether it fits the model, and the fitting network
when it does not.

Where data came from: ``Trainer.set_data`` keeps arrays only, so each TrainingData this module
puts in force is remembered (weakly) with its DataSource; undo and goto bring back the
TrainingData object and, with it, what the controls show. Data from anywhere else shows as
"current data".
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, replace

import ipywidgets as widgets
import numpy as np

from .. import datasets, losses, regularizers
from ..layers import Dense
from ..model import Sequential
from ..sessions import load as load_session
from ..sessions import save as save_session
from ..terms import phrase, term
from ..trainer import Trainer
from ._base import guarded
from .controller import Criteria

__all__ = ["PlaygroundPanel", "PlaygroundActions", "DataSource", "DATASETS", "REGULARIZERS", "RATES", "make_regularizer",
           "regularizer_choice", "make_source", "source_of", "remember", "fits", "fitting_trainer",
           "classes_of"]

DATASETS = ("circle", "xor", "gauss", "spiral", "moons", "sine", "iris")
SAMPLES = {"sine": 100}   # the others: 200 (iris: its 150 flowers)
REGULARIZERS = ("none", "l1", "l2", "l1_l2")
RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)   # TensorFlow Playground's list
MAX_NOISE_PCT, MAX_VALIDATION_PCT = 50, 50


# ------------------------------------------------------------------ regularizer choice
def make_regularizer(kind: str, rate: float) -> "regularizers.Regularizer | None":
    """The regularizer a choice means: "none" -> None, "l1" -> L1(rate), "l2" -> L2(rate),
    "l1_l2" -> L1L2(rate, rate)."""
    if kind not in REGULARIZERS:
        raise ValueError(phrase("errors.widget.regularizer", choices=REGULARIZERS, kind=kind))
    rate = float(rate)
    return {"none": lambda: None, "l1": lambda: regularizers.L1(rate), "l2": lambda: regularizers.L2(rate),
            "l1_l2": lambda: regularizers.L1L2(rate, rate)}[kind]()


def regularizer_choice(regs) -> tuple[str, float]:
    """(kind, rate) the controls show for the per-layer regularizers ``regs``: the first layer's
    that has one (("none", 0.0) when none has)."""
    reg = next((r for r in regs if r is not None), None)
    if reg is None:
        return "none", 0.0
    config = reg.get_config()
    if isinstance(reg, regularizers.L1L2):
        return "l1_l2", config["l1"] or config["l2"]
    return ("l1", config["l1"]) if isinstance(reg, regularizers.L1) else ("l2", config["l2"])


# ------------------------------------------------------------------ data sources
@dataclass(frozen=True, eq=False)
class DataSource:
    """Where a data set came from: a course data set ``name`` with ``noise`` and ``seed`` (or
    "custom"), its rows X (n, n_in) and targets y (n,) or (n, k), and the student's own points
    own_X (m, n_in), own_y (m,) or (m, k), which come first (the validation share is cut from
    the end, so they are always trained on)."""
    name: str
    noise: "float | None"
    seed: int
    X: np.ndarray
    y: np.ndarray
    own_X: np.ndarray
    own_y: np.ndarray

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(X, y): the own points, then the data set's rows."""
        return np.concatenate([self.own_X, self.X]), np.concatenate([self.own_y, self.y])

    def split(self, share: float) -> dict:
        """Keyword arguments of ``Trainer.set_data`` (and ``Trainer``) holding out the last
        ``share`` of the data set's rows for validation (Keras' rule), the own points always in
        training: {"X": (n_train, n_in), "y": ..., "validation_data": (X_val, y_val) or None}."""
        n = len(self.X)
        cut = int(np.floor(n * (1.0 - share))) if share else n
        if share and not 1 <= cut < n:
            raise ValueError(phrase("errors.widget.validation_share", share=share, n=n, train=cut,
                                    val=n - cut))
        val = (self.X[cut:], self.y[cut:]) if share else None
        return {"X": np.concatenate([self.own_X, self.X[:cut]]),
                "y": np.concatenate([self.own_y, self.y[:cut]]), "validation_data": val}

    def with_point(self, x: float, y: float, label: int) -> "DataSource":
        """The same source plus one own point at (x, y) of class ``label``."""
        target = np.eye(self.y.shape[1])[label] if self.y.ndim == 2 else np.array([label], dtype=self.y.dtype)
        return replace(self, own_X=np.concatenate([self.own_X, [[float(x), float(y)]]]),
                       own_y=np.concatenate([self.own_y, target.reshape(1, *self.y.shape[1:])]))

    def cleared(self) -> "DataSource":
        """The same source without own points."""
        return replace(self, own_X=self.X[:0], own_y=self.y[:0])

    @property
    def n_own(self) -> int:
        return len(self.own_X)


_SOURCES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # TrainingData -> (DataSource, split)


def make_source(name: str, noise: float = 0.0, seed: int = 0) -> DataSource:
    """The course data set ``name`` (one of ``DATASETS``) with ``noise`` (0-0.5, the Playground's
    scale) drawn with ``seed``. Iris is shuffled with ``seed`` (its table is sorted by species,
    and the validation share is cut from the end)."""
    if name == "iris":
        X, y = datasets.iris()
        order = np.random.default_rng(seed).permutation(len(X))
        X, y, noise = X[order], y[order], None
    else:
        X, y = datasets.load(name, n=SAMPLES.get(name, 200), noise=noise, seed=seed)
    return DataSource(name, noise, seed, X, y, X[:0], y[:0])


def remember(data, source: DataSource, split: float) -> None:
    """Remember that the TrainingData ``data`` was built from ``source`` with ``split``."""
    _SOURCES[data] = (source, split)


def source_of(data, seed: int = 0) -> tuple[DataSource, float]:
    """(DataSource, validation share) of a TrainingData: the one it was built from here, else
    "custom" holding its rows (validation rows last)."""
    known = _SOURCES.get(data)
    if known is not None:
        return known
    X, y = data.X, data.y
    split = data.validation_split
    if data.X_val is not None:
        X, y = np.concatenate([X, data.X_val]), np.concatenate([y, data.y_val])
        split = split or round(len(data.X_val) / len(X), 2)
    return DataSource("custom", None, seed, X, y, X[:0], y[:0]), split


def classes_of(y: np.ndarray) -> "list[int] | None":
    """The classes of classification targets (0/1, integer classes or one-hot rows); None for
    regression targets."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return list(range(y.shape[1]))
    flat = y.reshape(-1)
    if flat.size and np.all(flat == np.round(flat)) and flat.min() >= 0 and flat.max() < 20:
        return list(range(int(flat.max()) + 1 if flat.max() >= 1 else 2))
    return None


def fits(trainer: Trainer, X: np.ndarray, y: np.ndarray) -> bool:
    """Whether (X, y) fits the trainer's model and the loss the next iteration uses: as many
    input features as the model has inputs, and labels that loss reads at this output layer."""
    model = trainer.model
    if X.shape[1] != model.sizes[0]:
        return False
    out = model.layers[-1]
    try:
        return trainer.next_settings["loss"] in losses.fitting(out.activation.name, out.n_out, y)
    except (TypeError, ValueError):
        return False


def fitting_trainer(trainer: Trainer, source: DataSource, split: float) -> Trainer:
    """A new Trainer for a data set that does not fit ``trainer``'s model: the same hidden layers
    (units, activations), regularizers, optimizer, learning rate, batch size, seeds and the
    student's functions (``use``), with as
    many inputs as the data has features and the output the task needs (regression: 1 linear
    unit and mean squared error; 2 classes: 1 sigmoid unit and binary cross-entropy; k classes:
    k softmax units and sparse categorical cross-entropy). Fresh weights."""
    X, y = source.arrays()
    classes = classes_of(y)
    data = source.split(split)
    if classes is None:
        out, loss = (1, "linear"), "mean_squared_error"
    elif len(classes) == 2 and np.ndim(y) == 1:
        out, loss = (1, "sigmoid"), "binary_crossentropy"
    else:
        out, loss = (len(classes), "softmax"), ("categorical_crossentropy" if np.ndim(y) == 2
                                                 else "sparse_categorical_crossentropy")
    old = trainer.model.layers
    shape = [(layer.n_out, layer.activation.name) for layer in old[:-1]] + [out]
    regs = trainer.next_settings["regularizers"]
    sizes = [X.shape[1]] + [n for n, _ in shape]
    layers = [Dense(a, b, activation=act, kernel_regularizer=reg)
              for a, b, (_, act), reg in zip(sizes, sizes[1:], shape, regs)]
    ns = trainer.next_settings
    new = Trainer(Sequential(layers, seed=trainer.model.seed), data["X"], data["y"], loss=loss,
                  optimizer=ns["optimizer"], batch_size=min(ns["batch_size"], len(data["X"])),
                  shuffle=trainer.shuffle, seed=trainer.seed, drop_last=trainer.drop_last,
                  validation_data=data["validation_data"], use=trainer.use)
    remember(new.data, source, split)
    return new


# ------------------------------------------------------------------ the widgets
class PlaygroundPanel:
    """The Playground row: an Accordion (closed at first) holding the regularizer, the data, the
    own points and Save / Load. ``on_change(key, value)`` is called with key "regularizer",
    "rate", "dataset", "noise", "validation", "clear", "save" or "load" (value: the control's
    value; for the buttons, the path in the File box).

    Attributes: controls (dict of the widgets above plus "point_class" and "path"), buttons
    (dict: clear, save, load), widget (the Accordion).
    """

    def __init__(self, lang: str, on_change):
        self.lang = lang
        self._on_change = on_change
        self._quiet = False
        self._custom, self._classes = False, [0, 1]
        p, t = self.p, lambda key: term(key, lang)
        style = {"description_width": "initial"}
        self.controls = {
            "regularizer": widgets.Dropdown(options=[(self.p(f"playground.reg.{k}"), k) for k in REGULARIZERS],
                                            value="none", description=t("regularization"), style=style,
                                            layout=widgets.Layout(width="220px")),
            "rate": widgets.SelectionSlider(options=list(RATES), value=0.01, description=p("playground.rate"),
                                            continuous_update=False, style=style,
                                            layout=widgets.Layout(width="300px")),
            "dataset": widgets.Dropdown(options=self._dataset_options(False), value=DATASETS[0],
                                        description=t("dataset"), style=style,
                                        layout=widgets.Layout(width="300px")),
            "noise": widgets.IntSlider(value=0, min=0, max=MAX_NOISE_PCT, step=5, description=p("playground.noise"),
                                       continuous_update=False, style=style, layout=widgets.Layout(width="260px")),
            "validation": widgets.IntSlider(value=0, min=0, max=MAX_VALIDATION_PCT, step=5,
                                            description=p("playground.validation"), continuous_update=False,
                                            style=style, layout=widgets.Layout(width="300px")),
            "point_class": widgets.ToggleButtons(options=[("0", 0), ("1", 1)], value=1,
                                                 description=p("playground.point_class"),
                                                 tooltip=p("playground.point_tip"), style={**style, "button_width": "40px"},
                                                 # ToggleButtons is a block: its label would sit above its buttons
                                                 layout=widgets.Layout(display="flex", flex_flow="row",
                                                                       align_items="center")),
            "path": widgets.Text(value="stepnn-session.stepnn", description=p("playground.path"), style=style,
                                 layout=widgets.Layout(width="330px")),
        }
        self.own = widgets.HTML()
        self.buttons = {key: widgets.Button(description=p(f"playground.{key}"), tooltip=p(f"playground.{key}_tip"),
                                            layout=widgets.Layout(width="auto", min_width="72px"))
                        for key in ("clear", "save", "load")}
        for key, control in self.controls.items():
            control.add_class(f"stepnn-{key.replace('_', '-')}")
            if key not in ("point_class", "path"):
                control.observe(lambda change, key=key: self._report(key, change["new"]), names="value")
        self.controls["point_class"].observe(self._keep_a_class, names="value")
        for key, button in self.buttons.items():
            button.add_class(f"stepnn-{key}")
            button.on_click(lambda _b, key=key: self._report(key, self.controls["path"].value))
        c, b = self.controls, self.buttons
        rows = [[c["regularizer"], c["rate"]], [c["dataset"], c["noise"], c["validation"]],
                [c["point_class"], b["clear"], self.own], [c["path"], b["save"], b["load"]]]
        box = widgets.VBox([widgets.HBox(r, layout=widgets.Layout(flex_flow="row wrap")) for r in rows])
        self.widget = widgets.Accordion(children=[box], selected_index=None)
        self.widget.set_title(0, p("playground.title"))
        self.widget.add_class("stepnn-playground")

    def p(self, key: str, **values) -> str:
        return phrase(key, self.lang, **values)

    def _dataset_options(self, custom: bool) -> list:
        names = DATASETS + (("custom",) if custom else ())
        return [(self.p(f"playground.data.{name}"), name) for name in names]

    def _keep_a_class(self, change) -> None:
        """The class toggle set to None from code: it goes back to its class; reported as
        ("point_class", None)."""
        owner = change["owner"]
        values = [o[1] if isinstance(o, tuple) else o for o in owner.options]
        if change["new"] is None and not self._quiet and change["old"] in values:
            self._quiet = True
            try:
                change["owner"].value = change["old"]
            finally:
                self._quiet = False
            self._report("point_class", None)

    def _report(self, key: str, value) -> None:
        if not self._quiet:
            self._on_change(key, value)

    def sync(self, trainer: Trainer) -> None:
        """Show what the next iteration uses: its regularizer and its data (read from the trainer,
        so undo, redo and goto bring the controls back too)."""
        ns = trainer.next_settings
        kind, rate = regularizer_choice(ns["regularizers"])
        source, split = source_of(ns["data"], trainer.seed)
        c = self.controls
        self._quiet = True
        try:
            c["regularizer"].value = kind
            if kind != "none":
                if rate not in c["rate"].options:
                    c["rate"].options = sorted(set(RATES) | {rate})
                c["rate"].value = rate
            c["rate"].disabled = kind == "none"
            custom = source.name == "custom"
            if custom != self._custom:
                self._custom = custom
                c["dataset"].options = self._dataset_options(custom)
            c["dataset"].value = source.name
            c["noise"].value = round(100 * (source.noise or 0.0))
            c["noise"].disabled = source.noise is None
            c["validation"].value = round(100 * split)
            classes = classes_of(source.y) if source.X.shape[1] == 2 else None
            if (classes or []) != self._classes:
                self._classes = classes or []
                c["point_class"].options = [(str(k), k) for k in self._classes]
            c["point_class"].disabled = not self._classes
            self.buttons["clear"].disabled = source.n_own == 0
            self.own.value = self.p("playground.own_count", n=source.n_own)
        finally:
            self._quiet = False


# ------------------------------------------------------------------ the controller's part
class PlaygroundActions:
    """What StepThrough (the one controller) does when the Playground row or a click on the
    decision boundary asks: change the trainer through its public setters (undo sees each
    change), or drive another trainer (a loaded session, a network built for new data).
    Uses the dashboard's ``trainer``, ``playground``, ``_act``, ``_build_views``, ``_pause``,
    ``mark_student_code``, ``show_info`` and its phrases."""

    @guarded
    def _on_playground(self, key: str, value) -> None:
        """The Playground row: regularizer, data, own points, save and load."""
        if value is None:   # a choice set to nothing from code: the controls show what is in force
            self.refresh()
            control = self.playground.controls[key]
            self.show_info(self.p("controls.no_choice", what=control.description, old=control.label),
                           tone="warn")
            return
        if key == "save":
            save_session(self.trainer, value)
            self.show_info(self._w_p("saved", path=value))
            return
        if key == "load":
            trainer = load_session(value)   # a bad file raises here: nothing has changed
            self.replace_trainer(trainer)
            self.show_info(self._w_p("loaded", path=value, sizes=trainer.model.sizes, i=trainer.global_iteration))
            return
        c = self.playground.controls
        tr = self.trainer
        if key == "noise":
            source, _ = source_of(tr.next_settings["data"], tr.seed)
            if source.noise is None:   # set from code: the slider is disabled for such data
                self.refresh()
                self.show_info(self._w_p("noise_fixed", name=self._w_p(f"data.{source.name}")), tone="warn")
                return

        def action():
            if key in ("regularizer", "rate"):
                tr.set_regularizer(make_regularizer(c["regularizer"].value, c["rate"].value))
            else:
                source, split = source_of(tr.next_settings["data"], tr.seed)
                if key == "clear":
                    n = source.n_own
                    self._put_data(source.cleared(), split)
                    self.show_info(self._w_p("cleared", n=n))
                    return
                if key in ("dataset", "noise") and value != "custom":
                    source = make_source(c["dataset"].value, c["noise"].value / 100, tr.seed)
                self._put_data(source, c["validation"].value / 100)
            if tr.next_phase != "forward" and self.trainer is tr:
                self.show_info(self._w("pending", phase=self.t(tr.next_phase)))
        self._act(action)

    def _w_p(self, key: str, **values) -> str:
        return self.p(f"playground.{key}", **values)

    def _put_data(self, source, split: float) -> None:
        """Train on ``source`` with ``split`` held out: through ``set_data`` (undo sees it) when it
        fits the model, else on a new network built for it (said in the message area)."""
        tr = self.trainer
        data = source.split(split)
        X = data["X"]
        if fits(tr, X, data["y"]):
            tr.set_data(**data)
            remember(tr.next_settings["data"], source, split)
            return
        new = fitting_trainer(tr, source, split)
        out = new.model.layers[-1]
        task = ("regression" if out.activation.name == "linear" else
                "binary" if out.n_out == 1 else "classes")
        self.replace_trainer(new)
        self.show_info(self._w_p("new_network", sizes=new.model.sizes, name=self._w_p(f"data.{source.name}"),
                                 n_in=X.shape[1], task=self._w_p(f"task.{task}", k=out.n_out),
                                 old=tr.model.sizes), tone="warn")

    def replace_trainer(self, trainer: Trainer) -> None:
        """Drive ``trainer`` from now on (a loaded session, a network built for new data): Play
        stops, the views are rebuilt for it, the controls follow it."""
        if not isinstance(trainer, Trainer):
            raise TypeError(self.p("errors.widget.needs_trainer", what="replace_trainer",
                                   type=type(trainer).__name__))
        self._pause(None)
        self.stop_reason = None
        self.trainer = trainer
        self.mark_student_code()  # a loaded session runs stepnn's own code
        if self.criteria.patience is not None and trainer.X_val is None:
            self.criteria = Criteria(self.criteria.max_epochs, self.criteria.target_loss, None)
        self._build_views()
        self.refresh()

    @guarded
    def _after_boundary_click(self, view, x: float, y: float) -> None:
        """A click on the decision boundary: add a point of the class the toggle shows."""
        label = self.playground.controls["point_class"].value
        tr = self.trainer

        def action():
            if view.kind != "boundary2d" or label is None:
                self.show_info(self._w_p("no_points_here"), tone="warn")
                return
            source, split = source_of(tr.next_settings["data"], tr.seed)
            self._put_data(source.with_point(x, y, label), split)
            self.show_info(self._w_p("point_added", c=label, x=x, y=y))
            if tr.next_phase != "forward":
                self.show_info(self._w("pending", phase=self.t(tr.next_phase)))
        self._act(action)
