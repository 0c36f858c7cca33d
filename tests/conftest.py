"""Fixtures for the unit tests: a headless matplotlib and a rule for missing tools."""

from __future__ import annotations

import os

# Before anything imports pyplot: figures in unit tests are drawn off screen.
os.environ["MPLBACKEND"] = "Agg"

from pathlib import Path  # noqa: E402
from typing import Callable, NoReturn  # noqa: E402

import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]


def running_in_ci() -> bool:
    """True when the environment variable CI says so (CI=true, as set by CI services)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing_tool(reason: str) -> NoReturn:
    """Stop a test that needs something this machine lacks.

    Skips with ``reason`` on a developer's machine; fails in CI (CI=true), where every tool the
    suite needs must be installed, so a missing one cannot turn the run green.
    """
    if running_in_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(f"{reason} (set CI=true to make this a failure)")


@pytest.fixture(scope="session")
def require() -> Callable[[str], NoReturn]:
    """The ``missing_tool`` rule as a fixture: ``require("chromium is not installed")``."""
    return missing_tool


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's root folder (where pyproject.toml is)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def lessons_dir() -> Path:
    """The folder of lessons under test: notebooks/, or STEPNN_LESSONS_DIR when set."""
    return lessons_folder()


def lessons_folder() -> Path:
    """notebooks/ of this repository, unless STEPNN_LESSONS_DIR points at another folder."""
    override = os.environ.get("STEPNN_LESSONS_DIR")
    return Path(override).resolve() if override else REPO_ROOT / "notebooks"


# The editions of the lessons: folder under the lessons folder ("" for English, the original).
EDITIONS = {"en": "", "ko": "ko"}


def lesson_paths() -> list[Path]:
    """Every lesson notebook of every edition (``*.ipynb`` directly in the lessons folder, then in
    its ko/ folder), sorted by name within each edition."""
    folder = lessons_folder()
    return [path for sub in EDITIONS.values() for path in sorted((folder / sub).glob("*.ipynb"))]


def lesson_id(path: Path) -> str:
    """"00_training_loop" for the English lesson, "ko/00_training_loop" for the Korean one."""
    return path.relative_to(lessons_folder()).with_suffix("").as_posix()


@pytest.fixture(scope="session")
def lessons() -> list[Path]:
    """Every lesson notebook of every edition, sorted by name within each."""
    return lesson_paths()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test with a ``lesson_notebook`` argument runs once per lesson and edition, with the
    lesson's path (ids ``00_training_loop`` and ``ko/00_training_loop``)."""
    if "lesson_notebook" in metafunc.fixturenames:
        paths = lesson_paths()
        metafunc.parametrize("lesson_notebook", paths, ids=[lesson_id(path) for path in paths])
