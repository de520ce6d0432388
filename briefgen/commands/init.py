"""briefgen init DIR"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from briefgen.errors import BuildFailed, Diagnostic, SourcePos, display_path
from briefgen.render import builtin_dir


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "init", help="create a new briefing project with a small working example"
    )
    parser.add_argument("directory", type=Path, help="folder to create (may exist if empty)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    target: Path = args.directory
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BuildFailed(
            [Diagnostic(SourcePos(target), "folder is not empty; expected a new or empty folder")]
        )
    shutil.copytree(builtin_dir() / "starter", target, dirs_exist_ok=True)
    where = display_path(target.absolute())
    print(f"created a briefing project in {where}")
    print(f"next: briefgen build {where}   (or: briefgen serve {where})")
    return 0
