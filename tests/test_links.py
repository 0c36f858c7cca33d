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


def table_rows(markdown: str, first_column: str = "Lesson") -> list[list[str]]:
    """Cells of each body row of a Markdown table (header and separator dropped)."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    assert lines[0].split("|")[1].strip() == first_column
    assert set(lines[1].replace("|", "").split()) == {"---"}
    return [re.split(r"(?<!\\)\|", line)[1:-1] for line in lines[2:]]


def tables_by_heading(markdown: str) -> dict[str, str]:
    """The text under each ``## heading`` of the output."""
    parts = re.split(r"^## (.+)$", markdown, flags=re.M)
    assert not parts[0].strip(), f"text before the first heading: {parts[0]!r}"
    return dict(zip(parts[1::2], parts[2::2]))


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


@pytest.fixture
def both_editions(notebooks: Path) -> Path:
    """The two lessons of ``notebooks`` in Korean too, in notebooks/ko, plus a Korean-only one."""
    korean = notebooks / "ko"
    korean.mkdir()
    for name, heading in [("00_loop", "0강 · 학습 루프"), ("01_backward", "1강 · 역전파(Backward)"),
                          ("02_only_korean", "2강 · 한국어판에만 있는 강의")]:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {heading}\n\n본문")])
        nbformat.write(nb, korean / f"{name}.ipynb")
    return notebooks


def test_both_editions_by_default_each_under_its_language(both_editions, capsys):
    tables = tables_by_heading(run_links(capsys, "--repo", "acme/course", "--notebooks",
                                         str(both_editions)))
    assert list(tables) == ["English", "한국어"]
    english = table_rows(tables["English"])
    assert [row[0].strip() for row in english] == ["`00_loop`", "`01_backward`"]
    korean = table_rows(tables["한국어"], first_column="강의")
    assert [(row[0].strip(), row[1].strip()) for row in korean] == [
        ("`00_loop`", "0강 · 학습 루프"), ("`01_backward`", "1강 · 역전파(Backward)"),
        ("`02_only_korean`", "2강 · 한국어판에만 있는 강의")]
    assert all(row[3].strip().startswith("[열기](") for row in korean)
    assert all(row[3].strip().startswith("[open](") for row in english)


def test_korean_links_open_the_korean_notebooks(both_editions, capsys):
    out = run_links(capsys, "--repo", "acme/course", "--env-repo", "acme/course-env",
                    "--notebooks", str(both_editions), "--edition", "ko")
    rows = table_rows(out, first_column="강의")
    assert "##" not in out and len(rows) == 3
    for row, name in zip(rows, ["00_loop", "01_backward", "02_only_korean"]):
        binder = urlsplit(LINK.findall(row[2])[1])
        assert binder.path == "/v2/gh/acme/course/main"
        assert parse_qs(binder.query) == {"urlpath": [f"lab/tree/notebooks/ko/{name}.ipynb"]}
        (pull,) = LINK.findall(row[3])
        assert urlsplit(pull).path == "/v2/gh/acme/course-env/main"
        inner = urlsplit(parse_qs(urlsplit(pull).query)["urlpath"][0])
        assert parse_qs(inner.query)["urlpath"] == [f"lab/tree/course/notebooks/ko/{name}.ipynb"]


def test_edition_en_prints_only_the_english_table(both_editions, capsys):
    out = run_links(capsys, "--repo", "acme/course", "--notebooks", str(both_editions),
                    "--edition", "en")
    assert "##" not in out and "notebooks/ko" not in out and "notebooks%252Fko" not in out
    assert [row[0].strip() for row in table_rows(out)] == ["`00_loop`", "`01_backward`"]


def test_no_korean_lessons(notebooks, capsys):
    # all: the English table alone, and a note on stderr
    out = run_links(capsys, "--repo", "a/b", "--notebooks", str(notebooks))
    assert len(table_rows(out)) == 2 and "##" not in out
    assert main(["links", "--repo", "a/b", "--notebooks", str(notebooks)]) == 0
    assert "no ko lessons in" in capsys.readouterr().err
    # ko asked for by name: an error naming the folder
    assert main(["links", "--repo", "a/b", "--notebooks", str(notebooks), "--edition", "ko"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and str(notebooks / "ko") in captured.err


def test_bad_edition_is_a_usage_error(notebooks, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["links", "--repo", "a/b", "--notebooks", str(notebooks), "--edition", "kr"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "'kr'" in err and "en" in err and "ko" in err and "all" in err


def test_one_lesson_list_holds_both_titles(both_editions):
    lessons = links.find_lessons(both_editions)
    assert lessons == [links.Lesson("00_loop", "00_loop", "0강 · 학습 루프"),
                       links.Lesson("01_backward", "역전파 | backward", "1강 · 역전파(Backward)"),
                       links.Lesson("02_only_korean", None, "2강 · 한국어판에만 있는 강의")]
    assert lessons[1].path_in("ko") == "notebooks/ko/01_backward.ipynb"
    assert lessons[1].path == lessons[1].path_in("en") == "notebooks/01_backward.ipynb"
    assert "title_ko='0강 · 학습 루프'" in repr(lessons[0])
    with pytest.raises(ValueError, match="one of en, ko.*'fr'"):
        lessons[0].title_in("fr")
