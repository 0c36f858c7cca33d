"""Build the lesson notebooks from their sources: lessons/NN_name.py -> notebooks/NN_name.ipynb
(English) and, with the Korean overlay lessons/ko/NN_name.py, notebooks/ko/NN_name.ipynb (Korean).

    python lessons/build.py                      # every lesson, both editions
    python lessons/build.py 00 03                # only lessons 00 and 03, both editions
    python lessons/build.py --lang ko 03         # only the Korean edition of lesson 03
    python lessons/build.py --check              # check the Korean overlays against the sources, no run
    python lessons/build.py --solved [--out DIR]  # the solved edition -> build/solved/ (or DIR)
    python lessons/build.py --solved --lang ko    # its Korean edition -> build/solved/ko/
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
go, its language and how it changes the cells (solving the exercises). The code of a lesson exists
once, in English; its Korean edition swaps the Markdown cells and the code comments for those of
the overlay lessons/ko/NN_name.py (format below) and the language of the lesson's
one setup line ``sn.set_language("en")`` for ``"ko"``, so dashboards, figures and the checker's
messages speak Korean too.

The overlay lessons/ko/NN_name.py, in the same percent format: one ``# %% [markdown]`` cell for
each Markdown cell of the English source, in order, then one ``# %% [comments]`` cell of pairs

    # en: the English comment, as it stands after "# " in the code
    # ko: 그 주석의 한국어

one pair for every distinct comment of the code cells (markers such as ``# NBVAL_IGNORE_OUTPUT``
and ``# noqa`` stay as they are). The build stops with the overlay's file name and what is wrong
when an overlay is missing, has another number of Markdown cells, or lacks (or keeps an unused)
comment translation.
"""
from __future__ import annotations

import argparse
import ast
import io
import os
import re
import textwrap
import sys
import time
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

LESSONS = Path(__file__).resolve().parent
ROOT = LESSONS.parent
NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = LESSONS / "solutions.py"
SOLVED = ROOT / "build" / "solved"
OVERLAYS = {"ko": LESSONS / "ko"}  # language -> folder of its overlays
LANGUAGES = ("en", "ko")

MARKDOWN = "# %% [markdown]"
CODE = "# %%"
COMMENTS = "# %% [comments]"
# The one line of every lesson's first code cell that sets the language of dashboards and messages.
LANGUAGE_LINE = 'sn.set_language("{}")'
# Comments that are instructions to tools, not text for students: never translated.
TOOL_COMMENT = re.compile(r"(NBVAL_[A-Z_]+|noqa\b.*|type: .*|pragma\b.*|fmt: .*)")
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


# ------------------------------------------------------------------------------ languages
class OverlayError(ValueError):
    """A language overlay that does not fit its English source."""


@dataclass(frozen=True)
class Overlay:
    """A lesson in another language: its Markdown cells, in order, and its comment translations
    (English comment text -> translated text)."""

    path: Path
    markdown: list[str]
    comments: dict[str, str]

    def __repr__(self) -> str:
        return (f"Overlay({self.path.name!r}, {len(self.markdown)} markdown cells, "
                f"{len(self.comments)} comments)")


def overlay_path(source: Path, lang: str) -> Path:
    """lessons/<lang>/NN_name.py, the overlay of lessons/NN_name.py."""
    return OVERLAYS[lang] / source.name


def read_overlay(path: Path) -> Overlay:
    """Parse an overlay: Markdown cells, then one ``# %% [comments]`` cell of en/ko pairs."""
    if not path.exists():
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        raise OverlayError(f"{shown} is missing: the edition in another language of lessons/{path.name} "
                           f"needs it (its format is in the docstring of lessons/build.py).")
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if lines.count(COMMENTS) != 1:
        raise OverlayError(f"{path.name}: needs exactly one {COMMENTS!r} cell, the last one; "
                           f"found {lines.count(COMMENTS)}.")
    at = lines.index(COMMENTS)
    try:
        cells = parse("\n".join(lines[:at]))
    except ValueError as error:
        raise OverlayError(f"{path.name}: {error}") from None
    code = [c for c in cells if c.kind != "markdown"]
    if code:
        raise OverlayError(f"{path.name}: an overlay holds only Markdown cells before {COMMENTS!r} "
                           f"(code comes from the English source); found a code cell {code[0]!r}.")
    comments: dict[str, str] = {}
    english = None
    for number, line in enumerate(lines[at + 1:], at + 2):
        if not line.strip():
            continue
        if line.startswith("# en: ") and english is None:
            english = line[len("# en: "):].strip()
        elif line.startswith("# ko: ") and english is not None:
            if english in comments and comments[english] != line[len("# ko: "):].strip():
                raise OverlayError(f"{path.name} line {number}: {english!r} is translated twice, "
                                   f"differently.")
            comments[english], english = line[len("# ko: "):].strip(), None
        else:
            want = "'# en: ...'" if english is None else "'# ko: ...'"
            raise OverlayError(f"{path.name} line {number}: expected {want} in the {COMMENTS} cell; "
                               f"found {line!r}.")
    if english is not None:
        raise OverlayError(f"{path.name}: the last '# en: {english}' has no '# ko: ...' line.")
    return Overlay(path, [c.source for c in cells], comments)


def comment_tokens(code: str) -> list[tuple[int, int, str]]:
    """(line, column, text after "#" without its leading space) of every comment in ``code``,
    found by Python's tokenizer (a "#" inside a string is not a comment); 1-based lines."""
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.COMMENT:
                found.append((token.start[0], token.start[1], token.string[1:].strip()))
    except (tokenize.TokenError, SyntaxError, IndentationError) as error:
        raise OverlayError(f"cannot read the comments of a code cell ({error}):\n{code}") from None
    return found


def translatable(comment: str) -> bool:
    """Whether a comment is text for students (not a marker such as NBVAL_IGNORE_OUTPUT)."""
    return bool(comment) and not TOOL_COMMENT.fullmatch(comment)


def source_comments(cells: list[Cell]) -> list[str]:
    """The distinct translatable comments of the code cells, in order of appearance."""
    seen: dict[str, None] = {}
    for cell in cells:
        if cell.kind == "code":
            for _, _, text in comment_tokens(cell.source):
                if translatable(text):
                    seen.setdefault(text)
    return list(seen)


def swap_comments(code: str, comments: dict[str, str]) -> str:
    """``code`` with each translatable comment replaced by its translation."""
    lines = code.split("\n")
    for row, col, text in reversed(comment_tokens(code)):
        if translatable(text):
            lines[row - 1] = lines[row - 1][:col] + "# " + comments[text]
    return "\n".join(lines)


def set_language_line(cells: list[Cell], lang: str) -> list[Cell]:
    """The cells with the setup line of the first code cell switched to ``lang``."""
    code = [i for i, c in enumerate(cells) if c.kind == "code"]
    english = LANGUAGE_LINE.format("en")
    if not code or english not in cells[code[0]].source.split("\n"):
        raise OverlayError(f"the first code cell of a lesson must hold the line {english} (on its "
                           f"own), which the {lang!r} edition switches to {LANGUAGE_LINE.format(lang)}.")
    cells = list(cells)
    first = cells[code[0]]
    lines = [LANGUAGE_LINE.format(lang) if line == english else line for line in first.source.split("\n")]
    cells[code[0]] = Cell("code", "\n".join(lines))
    return cells


def localize(cells: list[Cell], overlay: Overlay, lang: str) -> list[Cell]:
    """The English cells in the overlay's language: its Markdown in place of each Markdown cell,
    its comments in the code, and the setup line set to ``lang``. Raises OverlayError when the
    overlay does not fit the source."""
    name = overlay.path.name
    markdown = [c for c in cells if c.kind == "markdown"]
    if len(markdown) != len(overlay.markdown):
        raise OverlayError(f"{name}: the English source has {len(markdown)} Markdown cells, the overlay "
                           f"{len(overlay.markdown)}; write one overlay cell for each, in order.")
    wanted = source_comments(cells)
    missing = [c for c in wanted if c not in overlay.comments]
    if missing:
        pairs = "\n".join(f"# en: {c}\n# ko: ..." for c in missing)
        raise OverlayError(f"{name}: {len(missing)} code comment(s) have no translation; add to its "
                           f"{COMMENTS} cell:\n{pairs}")
    unused = [c for c in overlay.comments if c not in wanted]
    if unused:
        raise OverlayError(f"{name}: translations of comments the code no longer has (remove them or "
                           f"match the English exactly): {unused}")
    texts = iter(overlay.markdown)
    out = [Cell("markdown", next(texts)) if c.kind == "markdown"
           else Cell("code", swap_comments(c.source, overlay.comments)) for c in cells]
    return set_language_line(out, lang)


# -------------------------------------------------------------------------------- editions
@dataclass(frozen=True)
class Edition:
    """One build of the lessons: ``out`` is its folder, ``lang`` its language ("en" is the sources'
    own), ``transform`` what it then does to the cells."""

    name: str
    out: Path
    transform: Callable[[list[Cell]], list[Cell]] = lambda cells: cells
    lang: str = "en"

    def __repr__(self) -> str:
        return f"Edition({self.name!r}, lang={self.lang!r}, out={str(self.out)!r})"

    def cells(self, source: Path) -> list[Cell]:
        """The cells of lesson ``source`` in this edition."""
        cells = read_lesson(source)
        if self.lang != "en":
            cells = localize(cells, read_overlay(overlay_path(source, self.lang)), self.lang)
        return self.transform(cells)


def student_edition(lang: str = "en") -> Edition:
    """notebooks/ (English) or notebooks/<lang>/."""
    return Edition("student", NOTEBOOKS if lang == "en" else NOTEBOOKS / lang, lang=lang)


def solved_edition(out: "Path | None" = None, lang: str = "en") -> Edition:
    """build/solved/ (or ``out``); another language goes to its subfolder <lang>/."""
    folder = Path(out) if out else SOLVED
    return Edition("solved", folder if lang == "en" else folder / lang, solve, lang)


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
    nb = to_notebook(edition.cells(path))
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
                                                 "and notebooks/ko/NN_name.ipynb with the Korean overlay "
                                                 "lessons/ko/NN_name.py, and run them to store their outputs.")
    parser.add_argument("lessons", nargs="*", help="lesson numbers or names (default: all)")
    parser.add_argument("--solved", action="store_true",
                        help="build the solved edition (every exercise filled in with its reference "
                             "solution) into build/solved/ or --out")
    parser.add_argument("--out", type=Path, help="folder of the solved edition (default build/solved)")
    parser.add_argument("--print-solutions", action="store_true",
                        help="print the exercises with their reference solutions and exit")
    parser.add_argument("--lang", choices=LANGUAGES + ("all",), default=None,
                        help="which edition: en (notebooks/), ko (notebooks/ko/) or all (default: all; "
                             "with --solved: en)")
    parser.add_argument("--check", action="store_true",
                        help="only check that every overlay fits its source (no notebook is run)")
    args = parser.parse_args(argv)
    paths = lesson_sources(args.lessons)
    if args.print_solutions:
        print_solutions(paths)
        return 0
    if args.out and not args.solved:
        parser.error("--out is for the solved edition: add --solved (notebooks/ is the student's)")
    chosen = args.lang or ("en" if args.solved else "all")
    langs = LANGUAGES if chosen == "all" else (chosen,)
    editions = [solved_edition(args.out, lang) if args.solved else student_edition(lang) for lang in langs]
    try:  # every overlay is checked before anything runs
        for edition in editions:
            for path in paths:
                edition.cells(path)
    except OverlayError as error:
        print(f"build.py: {error}", file=sys.stderr)
        return 1
    if args.check:
        print(f"{len(paths)} lesson(s) fit their overlays: {', '.join(langs)}")
        return 0
    total = 0.0
    for edition in editions:
        for path in paths:
            seconds = build(path, edition)
            total += seconds
            target = edition.out / f"{path.stem}.ipynb"
            shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
            print(f"{path.stem} [{edition.lang}]: ran in {seconds:.1f} s -> {shown}", flush=True)
    print(f"total: {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
