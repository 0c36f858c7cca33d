"""The lessons' exercises ship unsolved, and a solved edition built from the same sources passes
every check.

lessons/build.py finds an exercise as a function whose body is only ``...``, named like a
reference solution in lessons/solutions.py; ``--solved`` replaces each ``...`` by that solution's
body. These tests run the solved edition of every lesson with exercises in a fresh kernel and ask
``stepnn.exercises`` about every function the student would have written.
"""
from __future__ import annotations

import ast
import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def load_module(name: str, path: Path):
    """A module from a file outside the package (lessons/ is not installed)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


build = load_module("lesson_build", REPO_ROOT / "lessons" / "build.py")
ex = pytest.importorskip("stepnn.exercises")

LESSONS_WITH_EXERCISES = [p for p in build.lesson_sources() if build.exercises(build.read_lesson(p))]
RESULTS_MARKER = "CHECK RESULTS:"


def reference_solutions():
    return load_module("lesson_solutions", build.SOLUTIONS)


def all_exercises() -> list[str]:
    return [name for p in build.lesson_sources() for name in build.exercises(build.read_lesson(p))]


def test_lessons_01_to_06_have_exercises():
    assert [p.stem[:2] for p in LESSONS_WITH_EXERCISES] == ["01", "02", "03", "04", "05", "06"]


def test_every_exercise_has_one_solution_and_one_check():
    names = all_exercises()
    assert len(names) == len(set(names)), f"an exercise appears twice: {names}"
    assert set(names) == set(build.solutions()), "lessons/solutions.py and the lessons' exercises differ"
    assert set(names) <= set(ex.names())


@pytest.mark.parametrize("path", LESSONS_WITH_EXERCISES, ids=lambda p: p.stem)
def test_each_exercise_ships_with_dots_and_is_checked_in_the_next_cell(path: Path):
    cells = build.read_lesson(path)
    for index, cell in enumerate(cells):
        for name, _line, _indent in build._exercise_stubs(cell.source) if cell.kind == "code" else []:
            following = [c for c in cells[index + 1:] if c.kind == "code"][0].source
            assert f'ex.check("{name}", {name})' in following, f"{name} is not checked right after it"


@pytest.mark.parametrize("path", LESSONS_WITH_EXERCISES, ids=lambda p: p.stem)
def test_solving_replaces_only_the_dots(path: Path):
    cells = build.read_lesson(path)
    solved = build.solve(cells)
    assert len(solved) == len(cells)
    for before, after in zip(cells, solved):
        if before.kind == "markdown" or not build._exercise_stubs(before.source):
            assert after == before
            continue
        assert build._exercise_stubs(after.source) == []
        ast.parse(after.source)
        assert before.source.split("...")[0] == after.source[:len(before.source.split("...")[0])], \
            "the signature and docstring stay the student's"


@pytest.mark.parametrize("name", sorted(build.solutions()))
def test_reference_solution_passes_its_check(name: str):
    result = ex.check(name, getattr(reference_solutions(), name))
    assert result.passed, result.message


def test_an_unwritten_exercise_is_reported_without_an_error():
    def dense_forward(x, W, b):
        ...

    result = ex.check("dense_forward", dense_forward)
    assert not result.passed
    assert "not written yet" in result.message.lower()


def test_print_solutions_prints_every_solution(capsys):
    assert build.main(["--print-solutions"]) == 0
    out = capsys.readouterr().out
    for name in build.solutions():
        assert f"def {name}(" in out
    assert "\n    ...\n" not in out
    ast.parse(out)


def test_out_without_solved_is_refused(tmp_path):
    with pytest.raises(SystemExit):
        build.main(["--out", str(tmp_path), "06"])


@pytest.mark.parametrize("path", LESSONS_WITH_EXERCISES, ids=lambda p: p.stem)
def test_solved_edition_runs_and_every_check_passes(path: Path, tmp_path: Path):
    cells = build.solved_edition(tmp_path).transform(build.read_lesson(path))
    names = build.exercises(build.read_lesson(path))
    probe = ("import json\n"
             f"print({RESULTS_MARKER!r}, json.dumps({{name: bool(ex.check(name, globals()[name]).passed) "
             f"for name in {names!r}}}))")
    nb = build.to_notebook(cells + [build.Cell("code", probe)])
    build.execute(nb, tmp_path)  # raises on any cell that fails
    # a cell's output, whole: the kernel may send one print in more than one piece
    texts = ["".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                     for o in cell.outputs)
             for cell in nb.cells if cell.cell_type == "code"]
    assert not any("not written yet" in t.lower() for t in texts)
    line = [t for t in texts if RESULTS_MARKER in t][-1]
    results = json.loads(line.split(RESULTS_MARKER, 1)[1])
    assert results == {name: True for name in names}
