"""One module per command; each offers add_parser(subparsers), which sets args.run."""

from __future__ import annotations

import argparse
import re
from pathlib import Path


class HelpFormatter(argparse.HelpFormatter):
    """argparse's, but the examples that end a command's help keep their lines."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith(EXAMPLES_HEADING):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


EXAMPLES_HEADING = "examples:"


def examples(*pairs: tuple[str, str]) -> str:
    """The end of a command's --help: real invocations, each with what it does."""
    lines = [f"  {command}\n      {what}" for command, what in pairs]
    return "\n".join([EXAMPLES_HEADING, *lines])


def add_project_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "project",
        nargs="?",
        type=Path,
        default=Path("."),
        help="the briefing project folder (default: the current folder)",
    )


def add_drafts_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--drafts",
        action="store_true",
        help="include articles, issues and checklist items marked draft: true (default: off)",
    )


def add_base_url_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-url",
        type=base_url,
        metavar="URL",
        help="the address the site is served at, instead of base_url in briefing.yaml "
        "(for example a staging copy; default: base_url in briefing.yaml)",
    )


def base_url(text: str) -> str:
    """The argparse type of --base-url: an http(s) URL, ending in '/' as base_url does."""
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", text):
        raise argparse.ArgumentTypeError(f"'{text}' is not an http:// or https:// URL")
    return text.rstrip("/") + "/"
