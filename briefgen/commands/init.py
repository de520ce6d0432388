"""briefgen init DIR"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from briefgen.commands import examples
from briefgen.errors import display_path

EXAMPLES = examples(
    ("briefgen init my-briefing", "create the folder my-briefing with a working example"),
    ("briefgen init .", "turn this empty folder into a project"),
)


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "init", help="create a new briefing project with a small working example"
    )
    parser.add_argument("directory", type=Path, help="folder to create (may exist if empty)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from briefgen.project import create_project

    target: Path = args.directory
    create_project(target)
    where = display_path(target.absolute())
    print(f"created a briefing project in {where}")
    print(f"next: briefgen build {where}   (or: briefgen serve {where})")
    print(
        "a build records the sample's edition in content/editions/: delete that folder "
        "when you replace the sample with your own briefing"
    )
    return 0
