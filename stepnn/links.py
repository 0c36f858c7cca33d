"""Links that open a lesson on Binder: a Markdown table with one row per lesson notebook.

Two kinds of link per lesson:

- Binder: builds this repository and opens the lesson in JupyterLab.
- nbgitpuller: starts an environment repository on Binder, then pulls the lessons from the
  content repository into it; the environment is built once and stays cached while lessons change.

Each lesson has an English edition in ``notebooks/`` and a Korean one in ``notebooks/ko/`` (same
file names); the table of an edition has its titles, taken from each notebook's first heading,
and its column names in that edition's language.

Only the standard library is used (and ``stepnn.terms``, the words in both languages, which is
standard library only too), so ``stepnn links`` runs without Jupyter.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from stepnn.terms import LANGS, phrase, term

BINDER = "https://mybinder.org/v2/gh"
BADGE = "https://mybinder.org/badge_logo.svg"
GITHUB = "https://github.com"
LESSONS_FOLDER = "notebooks"  # where the lessons live inside the repository
EDITIONS = LANGS  # "en": notebooks/, "ko": notebooks/ko/

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


def edition_folder(edition: str) -> str:
    """Folder of an edition's notebooks inside the repository: ``notebooks`` or ``notebooks/ko``."""
    if edition not in EDITIONS:
        raise ValueError(phrase("errors.links_edition", editions=", ".join(EDITIONS), edition=edition))
    return LESSONS_FOLDER if edition == EDITIONS[0] else f"{LESSONS_FOLDER}/{edition}"


@dataclass(frozen=True)
class Lesson:
    """One lesson: its file name without ``.ipynb`` and the title of each edition.

    ``title`` is the English notebook's first heading, ``title_ko`` the Korean one's; None where
    that edition has no notebook.
    """

    name: str
    title: str | None
    title_ko: str | None = None

    def __repr__(self) -> str:
        return f"Lesson({self.name!r}, title={self.title!r}, title_ko={self.title_ko!r})"

    def title_in(self, edition: str) -> str | None:
        """The title in ``edition`` ("en" or "ko"), or None if that edition has no notebook."""
        edition_folder(edition)  # an unknown edition is an error, not None
        return self.title_ko if edition == "ko" else self.title

    def path_in(self, edition: str) -> str:
        """Path of the edition's notebook in the repository, e.g. ``notebooks/ko/00_training_loop.ipynb``."""
        return f"{edition_folder(edition)}/{self.name}.ipynb"

    @property
    def path(self) -> str:
        """Path of the English notebook in the repository, e.g. ``notebooks/00_training_loop.ipynb``."""
        return self.path_in("en")


def parse_repo(text: str, branch: str = "main") -> Repo:
    """Read ``OWNER/NAME`` (as in ``github.com/OWNER/NAME``) into a Repo.

    Raises ValueError naming the expected form when ``text`` is anything else.
    """
    text = text.strip()
    if not _REPO.fullmatch(text) or text.endswith("/.") or text.split("/")[1] in (".", ".."):
        raise ValueError(phrase("errors.links_repo", text=text))
    if not branch.strip() or any(c.isspace() for c in branch):
        raise ValueError(phrase("errors.links_branch", branch=branch))
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


def local_folder(folder: Path, edition: str) -> Path:
    """Where ``edition``'s notebooks are when the English ones are in ``folder``: ``folder`` or ``folder/ko``."""
    return Path(folder) / Path(edition_folder(edition)).relative_to(LESSONS_FOLDER)


def find_lessons(folder: Path) -> list[Lesson]:
    """Every lesson in ``folder`` (English, ``*.ipynb``) or ``folder/ko`` (Korean), sorted by file name.

    A lesson found in only one edition has None as the other edition's title.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(phrase("errors.links_folder", folder=folder))
    titles: dict[str, dict[str, str]] = {}
    for edition in EDITIONS:
        for path in sorted(local_folder(folder, edition).glob("*.ipynb")):
            titles.setdefault(path.stem, {})[edition] = notebook_title(path)
    return [Lesson(name, found.get("en"), found.get("ko")) for name, found in sorted(titles.items())]


def binder_url(repo: Repo, lesson: Lesson, edition: str = "en") -> str:
    """Binder link that builds ``repo`` and opens ``lesson``'s ``edition`` in JupyterLab."""
    urlpath = "lab/tree/" + quote(lesson.path_in(edition), safe="/")
    return f"{BINDER}/{repo.slug}/{quote(repo.branch, safe='')}?urlpath={urlpath}"


def nbgitpuller_url(content: Repo, lesson: Lesson, environment: Repo, edition: str = "en") -> str:
    """Binder link that starts ``environment``, pulls ``content`` into it with nbgitpuller and
    opens ``lesson``'s ``edition``.

    nbgitpuller clones into a folder named after the content repository, and its branch
    defaults to ``master``, so the branch is always given. The whole ``git-pull?...`` path is
    URL-encoded once more as the value of Binder's ``urlpath``.
    """
    pull = urlencode(
        {
            "repo": f"{GITHUB}/{content.slug}",
            "branch": content.branch,
            "urlpath": f"lab/tree/{content.name}/{lesson.path_in(edition)}",
        },
        quote_via=quote,
        safe="",
    )
    outer = urlencode({"urlpath": f"git-pull?{pull}"}, quote_via=quote, safe="")
    return f"{BINDER}/{environment.slug}/{quote(environment.branch, safe='')}?{outer}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def links_table(content: Repo, lessons: list[Lesson], environment: Repo | None = None,
                edition: str = "en") -> str:
    """Markdown table of one edition: lesson, title, Binder badge link, nbgitpuller link.

    One row per lesson that has a notebook in ``edition``; column names in that edition's language.
    """
    environment = environment or content
    rows = [
        f"| {term('lesson', edition)} | {term('title', edition)} | Binder | nbgitpuller |",
        "| --- | --- | --- | --- |",
    ]
    for lesson in lessons:
        title = lesson.title_in(edition)
        if title is None:
            continue
        badge = f"[![Binder]({BADGE})]({binder_url(content, lesson, edition)})"
        pull = f"[{term('open', edition)}]({nbgitpuller_url(content, lesson, environment, edition)})"
        rows.append(f"| `{lesson.name}` | {_cell(title)} | {badge} | {pull} |")
    return "\n".join(rows) + "\n"


def links_markdown(content: Repo, lessons: list[Lesson], environment: Repo | None = None,
                   editions: tuple[str, ...] = EDITIONS) -> str:
    """One table per edition in ``editions`` that has lessons; with several, each under a heading
    naming its language ("## English", "## 한국어")."""
    shown = [e for e in editions if any(lesson.title_in(e) is not None for lesson in lessons)]
    if len(shown) == 1:
        return links_table(content, lessons, environment, shown[0])
    return "\n".join(f"## {term('language', e)}\n\n{links_table(content, lessons, environment, e)}"
                     for e in shown)
