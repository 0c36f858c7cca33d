"""Links that open a lesson on Binder: a Markdown table with one row per lesson notebook.

Two kinds of link per lesson:

- Binder: builds this repository and opens the lesson in JupyterLab.
- nbgitpuller: starts an environment repository on Binder, then pulls the lessons from the
  content repository into it; the environment is built once and stays cached while lessons change.

Only the standard library is used, so ``stepnn links`` runs without numpy or Jupyter.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

BINDER = "https://mybinder.org/v2/gh"
BADGE = "https://mybinder.org/badge_logo.svg"
GITHUB = "https://github.com"
LESSONS_FOLDER = "notebooks"  # where the lessons live inside the repository

_REPO = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Repo:
    """A GitHub repository ``owner/name`` and the branch to use."""

    owner: str
    name: str
    branch: str = "main"

    def __repr__(self) -> str:
        return f"Repo('{self.owner}/{self.name}', branch='{self.branch}')"

    @property
    def slug(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class Lesson:
    """One lesson notebook: its file name without ``.ipynb`` and the title from its first heading."""

    name: str
    title: str

    def __repr__(self) -> str:
        return f"Lesson({self.name!r}, title={self.title!r})"

    @property
    def path(self) -> str:
        """Path of the notebook inside the repository, e.g. ``notebooks/00_training_loop.ipynb``."""
        return f"{LESSONS_FOLDER}/{self.name}.ipynb"


def parse_repo(text: str, branch: str = "main") -> Repo:
    """Read ``OWNER/NAME`` (as in ``github.com/OWNER/NAME``) into a Repo.

    Raises ValueError naming the expected form when ``text`` is anything else.
    """
    text = text.strip()
    if not _REPO.fullmatch(text) or text.endswith("/.") or text.split("/")[1] in (".", ".."):
        raise ValueError(
            f"expected a GitHub repository as OWNER/NAME, for example 'your-org/your-course'; "
            f"got {text!r}. Give only the owner and the name, not a URL."
        )
    if not branch.strip() or any(c.isspace() for c in branch):
        raise ValueError(f"expected a branch name without spaces, for example 'main'; got {branch!r}")
    owner, name = text.split("/")
    return Repo(owner, name, branch.strip())


def notebook_title(path: Path) -> str:
    """The text of the first Markdown heading in the notebook, or its file name if it has none."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        for line in text.splitlines():
            match = _HEADING.match(line)
            if match:
                return match.group(1)
    return Path(path).stem


def find_lessons(folder: Path) -> list[Lesson]:
    """Every ``*.ipynb`` directly in ``folder``, sorted by file name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no lessons folder at {folder}; pass --notebooks DIR")
    return [Lesson(p.stem, notebook_title(p)) for p in sorted(folder.glob("*.ipynb"))]


def binder_url(repo: Repo, lesson: Lesson) -> str:
    """Binder link that builds ``repo`` and opens ``lesson`` in JupyterLab."""
    urlpath = "lab/tree/" + quote(lesson.path, safe="/")
    return f"{BINDER}/{repo.slug}/{quote(repo.branch, safe='')}?urlpath={urlpath}"


def nbgitpuller_url(content: Repo, lesson: Lesson, environment: Repo) -> str:
    """Binder link that starts ``environment`` and pulls ``content`` into it with nbgitpuller.

    nbgitpuller clones into a folder named after the content repository, and its branch
    defaults to ``master``, so the branch is always given. The whole ``git-pull?...`` path is
    URL-encoded once more as the value of Binder's ``urlpath``.
    """
    pull = urlencode(
        {
            "repo": f"{GITHUB}/{content.slug}",
            "branch": content.branch,
            "urlpath": f"lab/tree/{content.name}/{lesson.path}",
        },
        quote_via=quote,
        safe="",
    )
    outer = urlencode({"urlpath": f"git-pull?{pull}"}, quote_via=quote, safe="")
    return f"{BINDER}/{environment.slug}/{quote(environment.branch, safe='')}?{outer}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def links_table(content: Repo, lessons: list[Lesson], environment: Repo | None = None) -> str:
    """Markdown table: lesson, title, Binder badge link, nbgitpuller link; one row per lesson."""
    environment = environment or content
    rows = [
        "| Lesson | Title | Binder | nbgitpuller |",
        "| --- | --- | --- | --- |",
    ]
    for lesson in lessons:
        badge = f"[![Binder]({BADGE})]({binder_url(content, lesson)})"
        pull = f"[open]({nbgitpuller_url(content, lesson, environment)})"
        rows.append(f"| `{lesson.name}` | {_cell(lesson.title)} | {badge} | {pull} |")
    return "\n".join(rows) + "\n"
