"""One module per command; each offers add_parser(subparsers), which sets args.run."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_project_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "project",
        nargs="?",
        type=Path,
        default=Path("."),
        help="the briefing project folder (default: the current folder)",
    )
