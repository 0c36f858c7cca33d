"""Command line: ``stepnn links --repo OWNER/NAME`` prints Binder links for every lesson, in
English, in Korean or both (``--edition en|ko|all``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from stepnn import links
from stepnn.terms import phrase


def _repo_argument(text: str) -> str:
    try:
        links.parse_repo(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text.strip()


def build_parser() -> argparse.ArgumentParser:
    """The ``stepnn`` argument parser with its ``links`` command."""
    parser = argparse.ArgumentParser(prog="stepnn", description="Tools for the stepnn lessons.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    cmd = commands.add_parser(
        "links",
        help="print a Markdown table of Binder links, one row per lesson",
        description="Print a Markdown table with a Binder link and an nbgitpuller link per lesson.",
    )
    cmd.add_argument("--repo", required=True, type=_repo_argument, metavar="OWNER/NAME",
                     help="GitHub repository holding the lessons, e.g. your-org/your-course")
    cmd.add_argument("--branch", default="main", help="branch of --repo (default: main)")
    cmd.add_argument("--notebooks", default=links.LESSONS_FOLDER, type=Path, metavar="DIR",
                     help="local folder to read the lessons from (default: notebooks); "
                          "links always point at notebooks/ inside the repository")
    cmd.add_argument("--env-repo", type=_repo_argument, metavar="OWNER/NAME",
                     help="repository whose binder/ folder builds the environment for the "
                          "nbgitpuller links (default: --repo)")
    cmd.add_argument("--env-branch", help="branch of --env-repo (default: --branch)")
    cmd.add_argument("--edition", choices=links.EDITIONS + ("all",), default="all",
                     help="which edition's lessons: en (notebooks/), ko (notebooks/ko/) or all, "
                          "one table each (default: all)")
    return parser


def _error(message: str, code: int) -> int:
    print(f"stepnn links: error: {message}", file=sys.stderr)
    return code


def _links(args: argparse.Namespace) -> int:
    try:
        content = links.parse_repo(args.repo, args.branch)
        environment = links.parse_repo(args.env_repo or args.repo, args.env_branch or args.branch)
        lessons = links.find_lessons(args.notebooks)
    except (ValueError, FileNotFoundError) as error:
        return _error(str(error), 2)
    if not lessons:
        return _error(phrase("errors.links_no_lessons", folder=args.notebooks), 1)
    editions = links.EDITIONS if args.edition == "all" else (args.edition,)
    for edition in editions:
        if all(lesson.title_in(edition) is None for lesson in lessons):
            folder = links.local_folder(args.notebooks, edition)
            if args.edition != "all":
                return _error(phrase("errors.links_no_lessons", folder=folder), 1)
            print(f"stepnn links: {phrase('errors.links_edition_missing', edition=edition, folder=folder)}",
                  file=sys.stderr)
    sys.stdout.write(links.links_markdown(content, lessons, environment, editions))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``stepnn`` with ``argv`` (default: the command line); returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "links":
        return _links(args)
    parser.error(f"unknown command {args.command!r}")  # exits with code 2
    return 2
