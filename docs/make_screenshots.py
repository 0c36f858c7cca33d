"""Pictures of every dashboard after a few clicks, for the README: docs/NAME.png.

Each dashboard is built as a lesson builds it, clicked as a student would, and its figure saved
with ``save_png`` at the dashboard's own resolution, so the picture has the pixels (and the text
sizes) a student sees in JupyterLab. The widgets around the figure (buttons, sliders) are drawn by
the browser and are not in these pictures; the browser test's screenshots
(test-artifacts/screenshots/) show whole lessons.

Run from the repository root: ``python docs/make_screenshots.py [--lang ko]``; it prints the files
it wrote.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import stepnn as sn  # noqa: E402
from stepnn.widgets.chain_rule import ChainRule  # noqa: E402
from stepnn.widgets.descent import DescentExplorer  # noqa: E402
from stepnn.widgets.loss_explorer import LossExplorer  # noqa: E402
from stepnn.widgets.race import OptimizerRace  # noqa: E402
from stepnn.widgets.stepthrough import StepThrough  # noqa: E402


def step_through(lang: str) -> StepThrough:
    """Lesson 00's dashboard after an epoch, a step and the first three phases of the next
    iteration (the gradients just computed are drawn)."""
    X, y = sn.datasets.xor(n=200, noise=0.1, seed=0)
    model = sn.Sequential([sn.Dense(2, 4, activation="tanh"), sn.Dense(4, 1, activation="sigmoid")], seed=0)
    board = StepThrough(sn.Trainer(model, X, y, loss="binary_crossentropy", learning_rate=0.5, batch_size=16,
                                   seed=0, validation_split=0.2), live=False, lang=lang, patience=3)
    board.buttons["epoch"].click()
    board.buttons["step"].click()
    for phase in ("forward", "loss", "backward"):
        board.buttons[phase].click()
    return board


def iris_step_through(lang: str) -> StepThrough:
    """Lesson 08's dashboard (4 inputs: the decision boundary on the first two principal
    components) after three epochs and the first three phases of the next iteration."""
    X, y = sn.datasets.load("iris")
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    model = sn.Sequential([sn.Dense(4, 8, activation="relu"), sn.Dense(8, 3, activation="softmax")], seed=0)
    board = StepThrough(sn.Trainer(model, X, y, loss="sparse_categorical_crossentropy", optimizer="adam",
                                   learning_rate=0.01, batch_size=16, seed=0), live=False, lang=lang)
    for _ in range(3):
        board.buttons["epoch"].click()
    for phase in ("forward", "loss", "backward"):
        board.buttons[phase].click()
    return board


def loss_explorer(lang: str) -> LossExplorer:
    """Binary cross-entropy with the label 1 and p slid down to 0.2."""
    board = LossExplorer(loss="binary_crossentropy", live=False, lang=lang)
    board.probability.value = 0.2
    return board


def descent(lang: str) -> DescentExplorer:
    """The quadratic bowl after eight steps."""
    board = DescentExplorer("quadratic", live=False, lang=lang)
    for _ in range(8):
        board.buttons["step"].click()
    return board


def race(lang: str) -> OptimizerRace:
    """SGD, momentum, RMSprop and Adam after five epochs."""
    board = OptimizerRace(live=False, lang=lang)
    for _ in range(5):
        board.buttons["step"].click()
    return board


def chain_rule(lang: str) -> ChainRule:
    """A forward pass, then two steps of backpropagation."""
    board = ChainRule(seed=0, loss="binary_crossentropy", live=False, lang=lang)
    board.buttons["forward_all"].click()
    board.buttons["backward"].click()
    board.buttons["backward"].click()
    return board


DASHBOARDS = {"stepthrough": step_through, "stepthrough_iris": iris_step_through,
              "loss_explorer": loss_explorer, "descent_explorer": descent, "optimizer_race": race,
              "chain_rule": chain_rule}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=sn.terms.LANGS, default="en")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    suffix = "" if args.lang == "en" else f"_{args.lang}"
    for name, make in DASHBOARDS.items():
        board = make(args.lang)
        if board.errors:
            raise SystemExit(f"{name}: the dashboard reported errors:\n" + "\n".join(board.errors))
        fig = board.figures[0]
        path = board.save_png(args.out / f"{name}{suffix}.png", dpi=fig.dpi)
        width, height = fig.canvas.get_width_height()
        print(f"{path}: {width} x {height} px")


if __name__ == "__main__":
    main()
