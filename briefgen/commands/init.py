"""briefgen init DIR"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from briefgen.errors import BuildFailed, Diagnostic, SourcePos, display_path


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "init", help="create a new briefing project with a small working example"
    )
    parser.add_argument("directory", type=Path, help="folder to create (may exist if empty)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from briefgen.builtins import starter_dir

    target: Path = args.directory
    try:
        problem = _problem(target)
        if problem is None:
            shutil.copytree(starter_dir(), target, dirs_exist_ok=True)
    except OSError as exc:
        problem = f"cannot create: {exc.strerror or exc}"
    if problem is not None:
        raise BuildFailed([Diagnostic(SourcePos(target), problem)])
    where = display_path(target.absolute())
    print(f"created a briefing project in {where}")
    print(f"next: briefgen build {where}   (or: briefgen serve {where})")
    return 0


def _problem(target: Path) -> str | None:
    """Why target cannot take a new project, or None when it can."""
    if not target.exists():
        return None
    if not target.is_dir():
        return "is a file; expected a new or empty folder"
    if any(target.iterdir()):
        return "folder is not empty; expected a new or empty folder"
    return None
