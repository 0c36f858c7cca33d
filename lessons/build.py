"""Build the lesson notebooks from their sources: lessons/NN_name.py -> notebooks/NN_name.ipynb.

    python lessons/build.py                      # every lesson -> notebooks/
    python lessons/build.py 00 03                # only lessons 00 and 03
    python lessons/build.py --solved [--out DIR]  # the solved edition -> build/solved/ (or DIR)
    python lessons/build.py --print-solutions     # the exercises' reference solutions, for instructors

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

Exercises. A code cell that defines a function whose body is only ``...`` (after an optional
docstring), named like a function of lessons/solutions.py, is an exercise: the student replaces
the ``...``. The solved edition is built from the same sources with each such ``...`` replaced by
the body of the reference solution (tests/test_solved_lessons.py runs it and expects every check
to pass); it is written outside notebooks/ and never committed.

Editions. What differs between builds of the same sources is an ``Edition``: where its notebooks
go and how it changes the cells (today: solving the exercises). An edition in another language
will share the code cells and swap the Markdown cells.
"""
from __future__ import annotations

import argparse
import ast
import os
import textwrap
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

LESSONS = Path(__file__).resolve().parent
ROOT = LESSONS.parent
NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = LESSONS / "solutions.py"
SOLVED = ROOT / "build" / "solved"

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


# ------------------------------------------------------------------------------- exercises
def solutions() -> dict[str, str]:
    """The reference solutions: exercise name -> the body of its function in lessons/solutions.py
    (without its docstring), dedented."""
    text = SOLUTIONS.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            found[node.name] = textwrap.dedent("\n".join(lines[body[0].lineno - 1:node.end_lineno]))
    return found


def _exercise_stubs(source: str) -> list[tuple[str, int, int]]:
    """(name, line, indent) of each function in ``source`` whose body is only ``...`` (after
    an optional docstring): ``line`` is the 1-based line of that ``...``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    stubs = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            if (len(body) == 1 and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant) and body[0].value.value is Ellipsis):
                stubs.append((node.name, body[0].lineno, body[0].col_offset))
    return stubs


def exercises(cells: list[Cell]) -> list[str]:
    """The names of the exercises in a lesson's cells, in order."""
    known = solutions()
    return [name for cell in cells if cell.kind == "code"
            for name, _, _ in _exercise_stubs(cell.source) if name in known]


def solve(cells: list[Cell]) -> list[Cell]:
    """The cells with every exercise's ``...`` replaced by its reference solution."""
    known = solutions()
    solved = []
    for cell in cells:
        stubs = [s for s in _exercise_stubs(cell.source) if s[0] in known] if cell.kind == "code" else []
        lines = cell.source.split("\n")
        for name, line, indent in sorted(stubs, key=lambda s: -s[1]):
            lines[line - 1:line] = textwrap.indent(known[name], " " * indent).split("\n")
        solved.append(Cell(cell.kind, "\n".join(lines)) if stubs else cell)
    return solved


def print_solutions(paths: list[Path]) -> None:
    """Print each lesson's exercises with their reference solutions, in course order."""
    known = solutions()
    for path in paths:
        cells = read_lesson(path)
        names = exercises(cells)
        if not names:
            continue
        print(f"# ===== {path.stem}")
        for cell in solve(cells):
            if cell.kind == "code" and any(f"def {name}(" in cell.source for name in names):
                print(cell.source, end="\n\n")


@dataclass(frozen=True)
class Edition:
    """One build of the lessons: ``out`` is its folder, ``transform`` what it does to the cells."""

    name: str
    out: Path
    transform: Callable[[list[Cell]], list[Cell]] = lambda cells: cells

    def __repr__(self) -> str:
        return f"Edition({self.name!r}, out={str(self.out)!r})"


def student_edition() -> Edition:
    return Edition("student", NOTEBOOKS)


def solved_edition(out: "Path | None" = None) -> Edition:
    return Edition("solved", Path(out) if out else SOLVED, solve)


# ----------------------------------------------------------------------------- notebooks
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


def execute(nb, folder: Path = NOTEBOOKS) -> None:
    """Run every cell in a fresh python3 kernel with ``folder`` as working folder."""
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name=KERNELSPEC["name"],
                            resources={"metadata": {"path": str(folder)}}, record_timing=False)
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


def build(path: Path, edition: "Edition | None" = None) -> float:
    """Build one lesson into ``edition.out`` (default: notebooks/); returns the seconds its cells
    took to run."""
    import nbformat

    edition = edition or student_edition()
    nb = to_notebook(edition.transform(read_lesson(path)))
    edition.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    execute(nb, edition.out)
    seconds = time.perf_counter() - started
    strip_widgets(nb)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)  # no interpreter version: same file everywhere
    nbformat.validate(nb)
    nbformat.write(nb, str(edition.out / f"{path.stem}.ipynb"))
    return seconds


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description="Build notebooks/NN_name.ipynb from lessons/NN_name.py "
                                                 "and run them to store their outputs.")
    parser.add_argument("lessons", nargs="*", help="lesson numbers or names (default: all)")
    parser.add_argument("--solved", action="store_true",
                        help="build the solved edition (every exercise filled in with its reference "
                             "solution) into build/solved/ or --out")
    parser.add_argument("--out", type=Path, help="folder of the solved edition (default build/solved)")
    parser.add_argument("--print-solutions", action="store_true",
                        help="print the exercises with their reference solutions and exit")
    args = parser.parse_args(argv)
    paths = lesson_sources(args.lessons)
    if args.print_solutions:
        print_solutions(paths)
        return 0
    if args.out and not args.solved:
        parser.error("--out is for the solved edition: add --solved (notebooks/ is the student's)")
    edition = solved_edition(args.out) if args.solved else student_edition()
    total = 0.0
    for path in paths:
        seconds = build(path, edition)
        total += seconds
        target = edition.out / f"{path.stem}.ipynb"
        shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
        print(f"{path.stem}: ran in {seconds:.1f} s -> {shown}", flush=True)
    print(f"total: {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
