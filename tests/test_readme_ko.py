"""README.ko.md, the Korean README: the same two commands as README.md, a link each way, and
every lesson listed under its Korean title with a link to its Korean notebook."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"
README_KO = REPO_ROOT / "README.ko.md"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def first_code_block(path: Path) -> str:
    match = re.search(r"^```bash\n(.*?)^```", path.read_text(encoding="utf-8"), re.M | re.S)
    assert match, f"{path.name} has no bash block"
    return match.group(1)


def korean_title(name: str) -> str | None:
    """The Korean overlay's first heading without its English part in parentheses, e.g.
    "5강 · 옵티마이저"; None while the lesson has no overlay."""
    overlay = REPO_ROOT / "lessons" / "ko" / f"{name}.py"
    if not overlay.exists():
        return None
    heading = re.search(r"^# # (.+)$", overlay.read_text(encoding="utf-8"), re.M).group(1)
    return re.sub(r"\s*\([^()]*\)$", "", heading.strip())


def test_the_same_two_commands_first():
    commands = first_code_block(README)
    assert len(commands.splitlines()) == 2
    assert first_code_block(README_KO) == commands


def test_each_readme_links_the_other():
    head = README.read_text(encoding="utf-8").split("\n## ")[0]  # before the first section
    assert "[README.ko.md](README.ko.md)" in head
    head_ko = README_KO.read_text(encoding="utf-8").split("\n## ")[0]
    assert "[README.md](README.md)" in head_ko


LESSON_NAMES = sorted(path.stem for path in (REPO_ROOT / "lessons").glob("[0-9][0-9]_*.py"))


@pytest.mark.parametrize("name", LESSON_NAMES)
def test_every_lesson_listed_with_its_korean_title_and_notebook(name):
    links = dict((target, text) for text, target in
                 re.findall(r"\[([^\]]+)\]\((notebooks/ko/[^)]+\.ipynb)\)",
                            README_KO.read_text(encoding="utf-8")))
    target = f"notebooks/ko/{name}.ipynb"
    assert target in links, f"README.ko.md does not link {target}"
    assert HANGUL.search(links[target]), f"the link to {target} has no Korean title: {links[target]!r}"
    title = korean_title(name)
    if title is not None:  # the overlay's own heading is the title's one home
        assert links[target] == title


def test_mostly_korean_prose():
    text = README_KO.read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```|`[^`]*`|\([^)]*\)|\[[^\]]*\]\([^)]*\)", " ", text, flags=re.S)
    words = re.findall(r"[A-Za-z]+|[\uac00-\ud7a3]+", prose)
    korean = sum(bool(HANGUL.match(word)) for word in words)
    assert korean / len(words) > 0.8, f"only {korean} of {len(words)} words are Korean"
