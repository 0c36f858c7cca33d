"""Small data sets for the lessons: TensorFlow-Playground-style 2-D problems, 1-D regression, iris.

Every generator is ``name(n, noise, seed) -> (X, y)``, deterministic per ``seed`` and returns
exactly ``n`` rows in shuffled order (so a tail taken as validation data holds both classes).
Classification: ``X`` float64 ``(n, 2)``, ``y`` int64 ``(n,)`` in {0, 1}. Regression: ``X``
float64 ``(n, 1)``, ``y`` float64 ``(n,)``.

Noise for ``circle``, ``xor``, ``gauss`` and ``spiral`` uses the Playground's scale: the
Playground's noise slider (0-50 %) divided by 100, so 0.0 is clean and 0.5 the Playground's
maximum; larger values are accepted and extrapolate. ``moons``, ``linear`` and ``sine`` use a
standard deviation instead (see each docstring).

A student's own data: ``from_csv(path, target="label") -> (X, y)`` (see ``stepnn.csv_data``).
"""
from __future__ import annotations

import functools
import importlib.resources
import numbers
from typing import Callable

import numpy as np

from ._checks import as_array, check_flag
from .csv_data import CSVFormatError, from_csv
from .terms import phrase

__all__ = ["circle", "xor", "gauss", "spiral", "moons", "linear", "sine", "iris",
           "iris_feature_names", "iris_class_names", "train_val_split", "to_one_hot",
           "to_labels", "load", "NAMES", "from_csv", "CSVFormatError"]

iris_feature_names: tuple[str, ...] = ("sepal length (cm)", "sepal width (cm)",
                                       "petal length (cm)", "petal width (cm)")
iris_class_names: tuple[str, ...] = ("setosa", "versicolor", "virginica")
Pair = tuple[np.ndarray, np.ndarray]  # (X, y)


MAX_SAMPLES = 1_000_000  # a generated data set's largest n (16 MB of inputs): far above a lesson's


def _check_int(value: object, name: str, minimum: int, maximum: "int | None" = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(phrase("errors.data_int_type", name=name, minimum=minimum, value=value,
                               type=type(value).__name__, example=max(minimum, 200)))
    if value < minimum:
        raise ValueError(phrase("errors.data_int_small", name=name, minimum=minimum, value=value))
    if maximum is not None and value > maximum:
        raise ValueError(phrase("errors.data_int_large", name=name, maximum=maximum, value=value))
    return int(value)


def _setup(n: int, noise: float, seed: int) -> tuple[int, float, np.random.Generator]:
    """Check the common arguments; return (n, noise, rng)."""
    n = _check_int(n, "n", 1, MAX_SAMPLES)
    seed = _check_int(seed, "seed", 0)
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(phrase("errors.noise_type", noise=noise, type=type(noise).__name__))
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(phrase("errors.noise_value", noise=noise))
    return n, float(noise), np.random.default_rng(seed)


def _finish(X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Pair:
    """Shuffle rows and fix dtypes: X float64 (n, 2), y int64 (n,)."""
    order = rng.permutation(len(y))
    return np.asarray(X, dtype=np.float64)[order], np.asarray(y, dtype=np.int64)[order]


def _split(n: int) -> tuple[int, int]:
    """Class sizes (class 0, class 1): n // 2 and the rest."""
    return n // 2, n - n // 2


def circle(n: int = 200, noise: float = 0.0, seed: int = 0) -> Pair:
    """Inner disk (class 1, radius < 2.5) vs outer ring (class 0, 3.5-5), Playground "Circle".

    X (n, 2) float64 in [-5, 5]^2, y (n,) int64; classification, needs a hidden layer.
    noise: each label is computed at the point moved by U(-5, 5) * noise per axis (as in the
    Playground), so noise flips labels near the boundary; the points themselves do not move.
    """
    n, noise, rng = _setup(n, noise, seed)
    n_out, n_in = _split(n)
    r = np.concatenate([rng.uniform(0, 2.5, n_in), rng.uniform(3.5, 5.0, n_out)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    moved = X + rng.uniform(-5, 5, (n, 2)) * noise
    return _finish(X, np.hypot(moved[:, 0], moved[:, 1]) < 2.5, rng)


def xor(n: int = 200, noise: float = 0.0, seed: int = 0) -> Pair:
    """Four quadrants, class 1 where x1 * x2 >= 0, Playground "Exclusive or".

    X (n, 2) float64, each coordinate |x| in [0.3, 5.3] (Playground's 0.3 padding off the axes),
    y (n,) int64; classification, needs a hidden layer. Classes are balanced exactly (n // 2 of
    class 0) when noise is 0. noise: the label is taken at the point moved by U(-5, 5) * noise.
    """
    n, noise, rng = _setup(n, noise, seed)
    n0, n1 = _split(n)
    sign_x = rng.choice([-1.0, 1.0], n)
    sign_y = sign_x * np.concatenate([-np.ones(n0), np.ones(n1)])
    X = np.column_stack([sign_x, sign_y]) * (rng.uniform(0, 5, (n, 2)) + 0.3)
    moved = X + rng.uniform(-5, 5, (n, 2)) * noise
    return _finish(X, moved[:, 0] * moved[:, 1] >= 0, rng)


def gauss(n: int = 200, noise: float = 0.0, seed: int = 0) -> Pair:
    """Two Gaussian blobs: class 1 around (2, 2), class 0 around (-2, -2), Playground "Gaussian".

    X (n, 2) float64, y (n,) int64; classification, linearly separable (one Dense layer suffices).
    noise: sets the variance per axis, 0.5 + 7 * noise (0.5 at noise 0, 4 at noise 0.5).
    """
    n, noise, rng = _setup(n, noise, seed)
    n0, n1 = _split(n)
    std = np.sqrt(0.5 + 7.0 * noise)
    X = np.concatenate([rng.normal(-2.0, std, (n0, 2)), rng.normal(2.0, std, (n1, 2))])
    return _finish(X, np.repeat([0, 1], [n0, n1]), rng)


def spiral(n: int = 200, noise: float = 0.0, seed: int = 0) -> Pair:
    """Two interleaved spirals (class 1, and class 0 turned by pi), Playground "Spiral".

    Point i of a class with m points: r = 5 i / m, t = 1.75 * 2 pi i / m (+ pi for class 0),
    x = (r sin t, r cos t). X (n, 2) float64 in about [-5, 5]^2, y (n,) int64; classification,
    the hardest of the four (deeper network, more epochs). noise: each coordinate moves by
    U(-1, 1) * noise. With noise 0 and even n, class 0 is class 1 reflected through the origin.
    """
    n, noise, rng = _setup(n, noise, seed)
    parts = []
    for label, m in enumerate(_split(n)):
        i = np.arange(m) / max(m, 1)
        r, t = 5 * i, 1.75 * 2 * np.pi * i + (np.pi if label == 0 else 0.0)
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
    X = np.concatenate(parts) + rng.uniform(-1, 1, (n, 2)) * noise
    return _finish(X, np.repeat([0, 1], _split(n)), rng)


def moons(n: int = 200, noise: float = 0.0, seed: int = 0) -> Pair:
    """Two interleaving half circles, as scikit-learn's ``make_moons``.

    Class 0: (cos s, sin s); class 1: (1 - cos s, 0.5 - sin s), s evenly spaced on [0, pi].
    X (n, 2) float64 in about [-1, 2] x [-0.5, 1], y (n,) int64; classification, needs a hidden
    layer. noise: standard deviation of Gaussian noise added to each coordinate (try 0.1-0.3).
    """
    n, noise, rng = _setup(n, noise, seed)
    n0, n1 = _split(n)
    s0, s1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    X = np.concatenate([np.column_stack([np.cos(s0), np.sin(s0)]),
                        np.column_stack([1 - np.cos(s1), 0.5 - np.sin(s1)])])
    X = X + rng.normal(0.0, noise, X.shape)
    return _finish(X, np.repeat([0, 1], [n0, n1]), rng)


def linear(n: int = 100, noise: float = 0.1, seed: int = 0, slope: float = 2.0,
           intercept: float = -1.0) -> Pair:
    """Points on a line, y = slope * x + intercept + N(0, noise^2), x ~ U(-1, 1).

    X (n, 1) float64, y (n,) float64; regression (mse loss, one linear Dense(1, 1) unit).
    noise: standard deviation of the Gaussian noise added to y.
    """
    n, noise, rng = _setup(n, noise, seed)
    for name, value, example in (("slope", slope, 2.0), ("intercept", intercept, -1.0)):
        number = not isinstance(value, bool) and isinstance(value, numbers.Real)
        if not number or not np.isfinite(value):
            raise (ValueError if number else TypeError)(
                phrase("errors.line_number", name=name, value=value, example=example))
    x = rng.uniform(-1.0, 1.0, n)
    return x[:, None], float(slope) * x + float(intercept) + rng.normal(0.0, noise, n)


def sine(n: int = 100, noise: float = 0.1, seed: int = 0) -> Pair:
    """One period of a sine, y = sin(x) + N(0, noise^2), x ~ U(-pi, pi).

    X (n, 1) float64, y (n,) float64; regression that needs a hidden layer (mse loss).
    noise: standard deviation of the Gaussian noise added to y.
    """
    n, noise, rng = _setup(n, noise, seed)
    x = rng.uniform(-np.pi, np.pi, n)
    return x[:, None], np.sin(x) + rng.normal(0.0, noise, n)


@functools.lru_cache(maxsize=1)
def _iris_table() -> np.ndarray:
    text = (importlib.resources.files("stepnn") / "data" / "iris.csv").read_text("utf-8")
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return np.loadtxt(rows[1:], delimiter=",", dtype=np.float64)  # rows[0] is the header


def iris() -> Pair:
    """Fisher's iris data: 150 flowers, 50 per species, in the order of Fisher's table.

    X (150, 4) float64, columns ``iris_feature_names`` (cm); y (150,) int64 in {0, 1, 2},
    names ``iris_class_names``. Multi-class classification (softmax output, categorical or
    sparse_categorical_crossentropy). Source: R. A. Fisher (1936), "The use of multiple
    measurements in taxonomic problems", Annals of Eugenics 7(2); UCI Machine Learning
    Repository, Iris data set. Rows 35 and 38 hold Fisher's values (4.9, 3.1, 1.5, 0.2 and
    4.9, 3.6, 1.4, 0.1), as in scikit-learn's and R's copies, not the UCI file's errata.
    """
    table = _iris_table()
    return table[:, :4].copy(), table[:, 4].astype(np.int64)


def _as_labels(labels: object) -> np.ndarray:
    """Integer class labels (n,) int64 from (n,) or (n, 1) whole, non-negative numbers."""
    arr = np.asarray(labels)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(phrase("errors.class_labels_shape", shape=arr.shape))
    whole = arr.dtype.kind in "biu" or (
        arr.dtype.kind == "f" and bool(np.all(np.isfinite(arr) & (arr == np.round(arr)))))
    if not whole:
        raise TypeError(phrase("errors.class_labels_whole", dtype=arr.dtype, values=arr[:3].tolist()))
    if arr.size and arr.min() < 0:
        raise ValueError(phrase("errors.class_labels_negative", low=arr.min()))
    return arr.astype(np.int64)


def to_one_hot(labels: object, n_classes: int | None = None) -> np.ndarray:
    """Class labels (n,) -> one-hot rows (n, k) float64; k = n_classes or max label + 1."""
    y = _as_labels(labels)
    needed = int(y.max()) + 1 if y.size else 0
    k = needed if n_classes is None else _check_int(n_classes, "n_classes", 1)
    if k < needed:
        raise ValueError(phrase("errors.n_classes_small", k=k, label=needed - 1, needed=needed))
    return np.eye(k, dtype=np.float64)[y]


def to_labels(one_hot_or_probs: object) -> np.ndarray:
    """Rows of one-hot vectors or class probabilities (n, k) -> labels (n,) int64 by argmax.

    A single column (n, 1) or a vector (n,) is read as the probability of class 1
    (a sigmoid output): label 1 where it is >= 0.5.
    """
    p = np.asarray(one_hot_or_probs, dtype=np.float64)
    if p.ndim == 1 or (p.ndim == 2 and p.shape[1] == 1):
        return (p.reshape(-1) >= 0.5).astype(np.int64)
    if p.ndim != 2:
        raise ValueError(phrase("errors.scores_shape", shape=p.shape))
    return np.argmax(p, axis=1).astype(np.int64)


def train_val_split(X: object, y: object, validation_fraction: float = 0.2, seed: int = 0,
                    shuffle: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split (n, ...) arrays into training and validation parts: (X_tr, y_tr, X_val, y_val).

    The validation part has round(n * validation_fraction) rows, at least 1 and at most n - 1.
    With shuffle=False it is the last rows, as Keras' ``validation_split`` takes them.
    """
    X, y = as_array("X", X), as_array("y", y)
    shuffle = check_flag("shuffle", shuffle)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(phrase("errors.split_rows", x_shape=X.shape, y_shape=y.shape))
    if isinstance(validation_fraction, bool) or not isinstance(validation_fraction, numbers.Real) \
            or not 0.0 < validation_fraction < 1.0:
        raise ValueError(phrase("errors.validation_fraction", value=validation_fraction))
    n = _check_int(len(X), phrase("errors.data_n_rows"), 2)
    n_val = min(max(int(round(n * validation_fraction)), 1), n - 1)
    order = (np.random.default_rng(_check_int(seed, "seed", 0)).permutation(n) if shuffle
             else np.arange(n))
    tr, val = order[:n - n_val], order[n - n_val:]
    return X[tr], y[tr], X[val], y[val]


NAMES: dict[str, Callable[..., Pair]] = {
    "circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral, "moons": moons,
    "linear": linear, "sine": sine, "iris": iris}


def load(name: str, **kw: object) -> Pair:
    """Build a data set by name, e.g. ``load("spiral", n=300, noise=0.1)``; see ``NAMES``."""
    key = name.strip().lower() if isinstance(name, str) else None
    if key not in NAMES:
        raise ValueError(phrase("errors.unknown_data_set", name=name, names=", ".join(NAMES)))
    return NAMES[key](**kw)
