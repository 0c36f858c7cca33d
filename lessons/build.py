"""Build the lesson notebooks from their sources: lessons/NN_name.py -> notebooks/NN_name.ipynb.

    python lessons/build.py            # every lesson
    python lessons/build.py 00 03      # only lessons 00 and 03

A lesson source is a Python file in the percent format: ``# %% [markdown]`` starts a Markdown
cell (each of its lines commented with ``# ``) and ``# %%`` starts a code cell; cells are
separated by one blank line. The builder turns a source into a notebook, runs it top to bottom
in a fresh kernel (working folder notebooks/), and stores the outputs, so a lesson opened before
it is run already shows its numbers and a picture of each dashboard. Stored outputs lose the
widget views and the notebook its saved widget state: a widget without a live kernel cannot be
shown, and its picture (image/png) and one sentence (text/plain) stand in for it instead.

nbval re-runs the notebooks and compares their text outputs, so lessons print rounded numbers
from seeded runs. A cell whose output cannot be compared carries the marker alone on its line,
exactly ``# NBVAL_IGNORE_OUTPUT`` (nbval ignores a marker followed by anything else), and the
reason on the next line as ``# why: ...``. tests/test_lessons_source.py checks that every
notebook still equals its source; edit the source, never the notebook, then rebuild.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

LESSONS = Path(__file__).resolve().parent
ROOT = LESSONS.parent
NOTEBOOKS = ROOT / "notebooks"

MARKDOWN = "# %% [markdown]"
CODE = "# %%"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CELL_TIMEOUT = 120  # seconds per cell; a lesson as a whole should take well under 30 s

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}


@dataclass(frozen=True)
class Cell:
    """One notebook cell: ``kind`` is "markdown" or "code"; ``source`` its text."""

    kind: str
    source: str

    def __repr__(self) -> str:
        first = self.source.splitlines()[0] if self.source else ""
        return f"Cell({self.kind}, {first[:40]!r})"


def parse(text: str) -> list[Cell]:
    """Cells of a percent-format source, in order. Raises ValueError on anything else."""
    lines = text.splitlines()
    if not lines or lines[0] not in (MARKDOWN, CODE):
        raise ValueError(f"a lesson source must start with a cell marker ({MARKDOWN!r} or {CODE!r}); "
                         f"the first line is {lines[0] if lines else ''!r}.")
    cells: list[tuple[str, list[str]]] = []
    for number, line in enumerate(lines, 1):
        if line in (MARKDOWN, CODE):
            cells.append(("markdown" if line == MARKDOWN else "code", []))
        elif line.startswith("# %%"):
            raise ValueError(f"line {number}: unknown cell marker {line!r}; use {MARKDOWN!r} or {CODE!r}.")
        elif cells[-1][0] == "markdown" and line.strip():
            if not (line == "#" or line.startswith("# ")):
                raise ValueError(f"line {number}: a Markdown line must start with '# ' (or be '#'); "
                                 f"received {line!r}.")
            cells[-1][1].append(line[2:])
        else:
            cells[-1][1].append("" if cells[-1][0] == "markdown" and line.strip() == "" else line)
    return [Cell(kind, "\n".join(body).strip("\n")) for kind, body in cells]


def render(cells: list[Cell]) -> str:
    """The percent-format text of ``cells``: the inverse of ``parse`` for a canonical source."""
    parts = []
    for cell in cells:
        if cell.kind == "markdown":
            body = "\n".join("# " + line if line else "#" for line in cell.source.splitlines())
            parts.append(f"{MARKDOWN}\n{body}")
        else:
            parts.append(f"{CODE}\n{cell.source}")
    return "\n\n".join(parts) + "\n"


def read_lesson(path: Path) -> list[Cell]:
    """Parse a lesson source and insist on its canonical layout (so sources diff cleanly)."""
    text = path.read_text(encoding="utf-8")
    cells = parse(text)
    canonical = render(cells)
    if canonical != text:
        for number, (got, want) in enumerate(zip(text.splitlines() + [""], canonical.splitlines() + [""]), 1):
            if got != want:
                break
        raise ValueError(f"{path.name} line {number}: not in canonical percent format (one blank line "
                         f"between cells, none at their ends, '# ' before Markdown lines): expected "
                         f"{want!r}, found {got!r}.")
    return cells


def lesson_sources(selection: "list[str] | None" = None) -> list[Path]:
    """lessons/NN_*.py, sorted; ``selection`` keeps those whose number or name is listed."""
    paths = sorted(LESSONS.glob("[0-9][0-9]_*.py"))
    if not selection:
        return paths

    def named(path: Path, wanted: str) -> bool:
        return path.stem == wanted or path.stem[:2] == wanted.zfill(2)

    chosen = [p for p in paths if any(named(p, s) for s in selection)]
    unknown = [s for s in selection if not any(named(p, s) for p in paths)]
    if unknown:
        raise SystemExit(f"no lesson numbered or named {', '.join(unknown)}; "
                         f"the lessons are: {', '.join(p.stem for p in paths)}")
    return chosen


def to_notebook(cells: list[Cell]):
    """A fresh nbformat v4 notebook with the cells, a kernelspec and stable cell ids."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    for i, cell in enumerate(cells):
        make = nbformat.v4.new_markdown_cell if cell.kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(cell.source, id=f"cell-{i:02d}"))
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    return nb


def kernel_environment() -> dict:
    """The environment of the lesson kernel: this checkout's stepnn first on the path, and the
    notebook's own matplotlib backend (a test run's MPLBACKEND=Agg would hide inline figures)."""
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    return env


def execute(nb) -> None:
    """Run every cell in a fresh python3 kernel with notebooks/ as working folder."""
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name=KERNELSPEC["name"],
                            resources={"metadata": {"path": str(NOTEBOOKS)}}, record_timing=False)
    client.execute(env=kernel_environment())


def strip_widgets(nb) -> None:
    """Drop widget views from stored outputs and the saved widget state from the metadata.

    Each dashboard's display bundle also holds a PNG and a sentence; those are what a notebook
    shows until its kernel runs, instead of "Error displaying widget" or a bare "VBox(...)".
    """
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            data = output.get("data")
            if data is not None:
                data.pop(WIDGET_VIEW, None)
                if not data:
                    continue
            kept.append(output)
        cell.outputs = kept
        cell.metadata.pop("execution", None)


def build(path: Path) -> float:
    """Build one lesson; returns the seconds its cells took to run."""
    import nbformat

    nb = to_notebook(read_lesson(path))
    started = time.perf_counter()
    execute(nb)
    seconds = time.perf_counter() - started
    strip_widgets(nb)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)  # no interpreter version: same file everywhere
    nbformat.validate(nb)
    NOTEBOOKS.mkdir(exist_ok=True)
    nbformat.write(nb, str(NOTEBOOKS / f"{path.stem}.ipynb"))
    return seconds


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description="Build notebooks/NN_name.ipynb from lessons/NN_name.py "
                                                 "and run them to store their outputs.")
    parser.add_argument("lessons", nargs="*", help="lesson numbers or names (default: all)")
    args = parser.parse_args(argv)
    total = 0.0
    for path in lesson_sources(args.lessons):
        seconds = build(path)
        total += seconds
        print(f"{path.stem}: ran in {seconds:.1f} s -> notebooks/{path.stem}.ipynb", flush=True)
    print(f"total: {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
