"""`stepnn links`: a Markdown table of Binder and nbgitpuller links, one row per lesson."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest

from stepnn import links
from stepnn.cli import main

LINK = re.compile(r"\]\((https://[^)\s]+)\)")


@pytest.fixture
def notebooks(tmp_path: Path) -> Path:
    """Two tiny lessons, written out of order; one has no heading at all."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    second = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("Some words first.\n\n## 역전파 | backward ##\n\n# later"),
    ])
    first = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('no heading')")])
    nbformat.write(second, folder / "01_backward.ipynb")
    nbformat.write(first, folder / "00_loop.ipynb")
    (folder / ".ipynb_checkpoints").mkdir()
    nbformat.write(first, folder / ".ipynb_checkpoints" / "00_loop-checkpoint.ipynb")
    (folder / "notes.txt").write_text("not a lesson")
    return folder


def table_rows(markdown: str) -> list[list[str]]:
    """Cells of each body row of a Markdown table (header and separator dropped)."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    assert lines[0].split("|")[1].strip() == "Lesson"
    assert set(lines[1].replace("|", "").split()) == {"---"}
    return [re.split(r"(?<!\\)\|", line)[1:-1] for line in lines[2:]]


def run_links(capsys, *args: str) -> str:
    code = main(["links", *args])
    out = capsys.readouterr().out
    assert code == 0
    return out


def test_one_row_per_lesson_sorted_with_titles(notebooks, capsys):
    rows = table_rows(run_links(capsys, "--repo", "acme/course", "--notebooks", str(notebooks)))
    assert [row[0].strip() for row in rows] == ["`00_loop`", "`01_backward`"]
    # no heading: the file name; otherwise the first heading, with its pipe escaped
    assert rows[0][1].strip() == "00_loop"
    assert rows[1][1].strip() == "역전파 \\| backward"


def test_binder_link_opens_the_lesson_in_jupyterlab(notebooks, capsys):
    out = run_links(capsys, "--repo", "acme/course", "--branch", "spring-2025",
                    "--notebooks", str(notebooks))
    for row, name in zip(table_rows(out), ["00_loop", "01_backward"]):
        badge_image, binder = LINK.findall(row[2])
        assert badge_image == "https://mybinder.org/badge_logo.svg"
        url = urlsplit(binder)
        assert (url.scheme, url.netloc) == ("https", "mybinder.org")
        assert url.path == "/v2/gh/acme/course/spring-2025"
        assert parse_qs(url.query, strict_parsing=True) == {
            "urlpath": [f"lab/tree/notebooks/{name}.ipynb"]}


def test_nbgitpuller_link_pulls_the_content_repo_into_the_environment(notebooks, capsys):
    out = run_links(capsys, "--repo", "acme/course", "--env-repo", "acme/course-env",
                    "--notebooks", str(notebooks))
    for row, name in zip(table_rows(out), ["00_loop", "01_backward"]):
        (pull,) = LINK.findall(row[3])
        url = urlsplit(pull)
        assert (url.scheme, url.netloc) == ("https", "mybinder.org")
        assert url.path == "/v2/gh/acme/course-env/main"
        # the inner query is encoded: Binder sees a single parameter
        assert "&" not in url.query and url.query.startswith("urlpath=")
        (urlpath,) = parse_qs(url.query, strict_parsing=True)["urlpath"]
        inner = urlsplit(urlpath)
        assert inner.path == "git-pull"
        assert parse_qs(inner.query, strict_parsing=True) == {
            "repo": ["https://github.com/acme/course"],
            "branch": ["main"],  # nbgitpuller would default to master
            "urlpath": [f"lab/tree/course/notebooks/{name}.ipynb"],
        }


def test_environment_repo_defaults_to_the_content_repo(notebooks, capsys):
    out = run_links(capsys, "--repo", "acme/course", "--branch", "dev", "--notebooks", str(notebooks))
    (pull,) = LINK.findall(table_rows(out)[0][3])
    assert urlsplit(pull).path == "/v2/gh/acme/course/dev"
    inner = urlsplit(parse_qs(urlsplit(pull).query)["urlpath"][0])
    assert parse_qs(inner.query)["branch"] == ["dev"]


def test_lesson_names_with_spaces_are_encoded(tmp_path, capsys):
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "02 my lesson.ipynb")
    (row,) = table_rows(run_links(capsys, "--repo", "a/b", "--notebooks", str(tmp_path)))
    binder = LINK.findall(row[2])[1]
    assert " " not in binder
    assert parse_qs(urlsplit(binder).query)["urlpath"] == ["lab/tree/notebooks/02 my lesson.ipynb"]


@pytest.mark.parametrize("bad", ["course", "https://github.com/acme/course", "acme/course/extra",
                                 "acme/", "/course", "ac me/course", ""])
def test_bad_repo_is_a_usage_error(bad, notebooks, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["links", "--repo", bad, "--notebooks", str(notebooks)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "OWNER/NAME" in err and repr(bad.strip()) in err


def test_bad_env_repo_is_a_usage_error(notebooks, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["links", "--repo", "a/b", "--env-repo", "env", "--notebooks", str(notebooks)])
    assert exit_info.value.code == 2
    assert "OWNER/NAME" in capsys.readouterr().err


def test_missing_folder_and_empty_folder(tmp_path, capsys):
    assert main(["links", "--repo", "a/b", "--notebooks", str(tmp_path / "nowhere")]) == 2
    assert "no lessons folder" in capsys.readouterr().err
    assert main(["links", "--repo", "a/b", "--notebooks", str(tmp_path)]) == 1
    assert "no *.ipynb lessons" in capsys.readouterr().err


def test_python_dash_m_stepnn(notebooks):
    result = subprocess.run(
        [sys.executable, "-m", "stepnn", "links", "--repo", "acme/course", "--notebooks", str(notebooks)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(table_rows(result.stdout)) == 2
    bad = subprocess.run([sys.executable, "-m", "stepnn", "links", "--repo", "nope"],
                         capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2
    assert "OWNER/NAME" in bad.stderr


def test_reprs_name_what_they_hold():
    repo = links.parse_repo("acme/course", "dev")
    assert repr(repo) == "Repo('acme/course', branch='dev')"
    assert "00_loop" in repr(links.Lesson("00_loop", "The loop"))
