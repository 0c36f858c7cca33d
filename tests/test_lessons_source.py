"""The lesson notebooks are their sources, built and run, and read well before they are run.

notebooks/NN_name.ipynb is generated from lessons/NN_name.py by ``python lessons/build.py``.
These tests catch a notebook edited by hand (or a source changed without rebuilding), a
notebook that would open with a kernel-choice dialog, stored outputs that would show
"Error displaying widget" or a bare "VBox(...)" to a student, and lessons missing the parts
every lesson promises (goals, Korean terms, something to try, self-check answers).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
LESSONS = REPO_ROOT / "lessons"
NOTEBOOKS = REPO_ROOT / "notebooks"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
DASHBOARDS = ("StepThrough", "LossExplorer", "ChainRule", "DescentExplorer", "OptimizerRace")
DASHBOARD_CALL = re.compile(r"\b(" + "|".join(DASHBOARDS) + r")\(")
NBVAL_MARKERS = ("NBVAL_IGNORE_OUTPUT", "NBVAL_CHECK_OUTPUT", "NBVAL_RAISES_EXCEPTION", "NBVAL_SKIP")

# The course's lessons, in course order.
COURSE_LESSONS = [
    "00_training_loop", "01_forward_propagation", "02_loss_functions", "03_backpropagation",
    "04_gradient_descent", "05_optimizers", "06_batch_size_epochs_iterations",
    "07_stopping_criteria", "08_putting_it_together",
]

# The course's table of Korean terms (COURSE.md), spelled exactly as there.
KOREAN_TERMS = [
    ("forward propagation", "순전파"),
    ("backward propagation", "역전파"),
    ("loss function", "손실함수"),
    ("loss (error)", "손실"),
    ("gradient descent", "경사하강법"),
    ("stochastic gradient descent", "확률적 경사 하강법"),
    ("mini-batch gradient descent", "미니 배치 경사 하강법"),
    ("optimizer", "옵티마이저"),
    ("batch size", "배치 사이즈"),
    ("epoch", "에포크"),
    ("iteration", "이터레이션"),
    ("weight", "가중치"),
    ("bias", "편향"),
    ("activation function", "활성화 함수"),
    ("input layer / hidden layer / output layer", "입력층 / 은닉층 / 출력층"),
    ("partial derivative", "편미분"),
    ("chain rule", "연쇄 법칙"),
    ("learning rate", "학습률"),
    ("weighted sum", "가중합"),
    ("cost function", "비용 함수"),
    ("derivative", "도함수"),
    ("binary classification / multi-class classification", "이진 분류 / 다중 분류"),
    ("stopping criterion", "학습 중지 기준"),
]


def sources() -> list[Path]:
    return sorted(LESSONS.glob("[0-9][0-9]_*.py"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def as_percent_source(notebook: dict) -> str:
    """The notebook's cells written back in the lessons' percent format."""
    parts = []
    for cell in notebook["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            body = "\n".join("# " + line if line else "#" for line in text.split("\n"))
            parts.append("# %% [markdown]\n" + body)
        else:
            parts.append("# %%\n" + text)
    return "\n\n".join(parts) + "\n"


def markdown_text(path: Path) -> str:
    """All Markdown of a lesson source, lines joined, whitespace runs collapsed to one space."""
    lines, in_markdown = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            in_markdown = line == "# %% [markdown]"
        elif in_markdown:
            lines.append(line[2:])
    return re.sub(r"\s+", " ", " ".join(lines))


def outputs(notebook: dict):
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            yield index, cell, output


def output_texts(output: dict) -> list[str]:
    texts = ["".join(output["text"])] if "text" in output else []
    for key, value in output.get("data", {}).items():
        if key.startswith("text/"):
            texts.append(value if isinstance(value, str) else "".join(value))
    return texts


lesson_ids = [p.stem for p in sources()]
every_lesson = pytest.mark.parametrize("source", sources(), ids=lesson_ids)


def notebook_of(source: Path) -> dict:
    path = NOTEBOOKS / f"{source.stem}.ipynb"
    assert path.exists(), f"{path.name} is missing: run `python lessons/build.py {source.stem[:2]}`"
    return load(path)


def test_the_course_lessons_exist_in_order():
    assert [p.stem for p in sources()] == COURSE_LESSONS


def test_every_notebook_has_a_lesson_source():
    built = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    assert built == [p.stem for p in sources()], (
        "notebooks/ and lessons/ must hold the same lessons; a notebook is only ever built from "
        "lessons/NN_name.py")


@every_lesson
def test_notebook_cells_equal_the_lesson_source(source: Path):
    written = as_percent_source(notebook_of(source))
    expected = source.read_text(encoding="utf-8")
    if written != expected:
        for number, (got, want) in enumerate(zip(written.splitlines() + [""],
                                                 expected.splitlines() + [""]), 1):
            if got != want:
                break
        pytest.fail(f"notebooks/{source.stem}.ipynb has drifted from lessons/{source.name} at line "
                    f"{number}: notebook {got!r}, source {want!r}. Edit the source and run "
                    f"`python lessons/build.py {source.stem[:2]}`.")


@every_lesson
def test_notebook_has_a_kernelspec(source: Path):
    metadata = notebook_of(source)["metadata"]
    assert metadata.get("kernelspec", {}).get("name") == "python3"
    assert metadata["kernelspec"].get("language") == "python"
    assert metadata["kernelspec"].get("display_name")
    assert metadata.get("language_info", {}).get("name") == "python"


@every_lesson
def test_every_code_cell_was_run_in_order(source: Path):
    # nbval compares only cells that have an execution count: an unrun cell checks nothing.
    counts = [c.get("execution_count") for c in notebook_of(source)["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))


@every_lesson
def test_no_stored_output_shows_a_broken_widget(source: Path):
    notebook = notebook_of(source)
    assert "widgets" not in notebook["metadata"], "saved widget state would make a trusted " \
        "notebook show 'Error displaying widget: model not found'"
    for index, _cell, output in outputs(notebook):
        assert WIDGET_VIEW not in output.get("data", {}), f"cell {index} stores a widget view"
        for text in output_texts(output):
            assert "Error displaying widget" not in text, f"cell {index}: {text[:200]}"
            assert "VBox(" not in text and "HBox(" not in text, f"cell {index}: {text[:200]}"
        assert output.get("output_type") != "error", f"cell {index} stored an error"


@every_lesson
def test_every_dashboard_output_has_a_picture(source: Path):
    notebook = notebook_of(source)
    shown = 0
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code" or not DASHBOARD_CALL.search("".join(cell["source"])):
            continue
        displayed = [o for o in cell["outputs"] if o.get("output_type") in ("display_data", "execute_result")]
        if not displayed:
            continue  # a cell that builds a dashboard without showing it
        for output in displayed:
            assert "image/png" in output["data"], f"cell {index}: a dashboard output without a picture"
            assert output["data"].get("text/plain"), f"cell {index}: a dashboard output without text"
        shown += 1
    assert shown >= 1, f"{source.stem} shows no dashboard ({', '.join(DASHBOARDS)})"


@every_lesson
def test_nbval_markers_stand_alone_with_a_reason(source: Path):
    # nbval recognises a marker only when the comment is exactly the marker's name.
    lines = source.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if "NBVAL" not in line:
            continue
        assert line.strip() in {f"# {m}" for m in NBVAL_MARKERS}, (
            f"line {number}: {line!r}; nbval ignores a marker with anything else on its line")
        assert lines[number].startswith("# why: "), f"line {number + 1}: give the reason as '# why: ...'"


@every_lesson
def test_lesson_has_goals_things_to_try_and_folded_answers(source: Path):
    text = markdown_text(source)
    first_markdown = text[:1500]
    assert first_markdown.startswith("# Lesson "), "the first cell is the lesson's title"
    assert "**Goals.**" in first_markdown
    assert "## Try this" in text
    assert "## Self-check" in text
    answers = re.findall(r"<details><summary>.+?</summary>.+?</details>", text)
    assert len(answers) >= 2, "self-check questions with their answers folded away"
    assert "$" in text, "at least one formula"


def test_lesson_00_shows_the_course_terms_table():
    rows = {tuple(cell.strip() for cell in line.strip("| ").split("|"))
            for line in (LESSONS / "00_training_loop.py").read_text(encoding="utf-8").splitlines()
            for line in [line[2:]] if line.startswith("| ")}
    assert set(KOREAN_TERMS) <= rows


@pytest.mark.parametrize("english, korean", KOREAN_TERMS, ids=[k for _, k in KOREAN_TERMS])
def test_each_course_term_appears_beside_its_english_name(english: str, korean: str):
    text = " ".join(markdown_text(p) for p in sources()).lower()
    english = english.replace(" (error)", "")
    pairs = (zip(english.split(" / "), korean.split(" / ")) if " / " in english else [(english, korean)])
    for en, ko in pairs:
        assert f"{en} ({ko})" in text, f"no lesson writes '{en} ({ko})'"
