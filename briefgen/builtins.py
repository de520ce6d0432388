"""Where the built-in templates, the default theme and the starter project live."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _root() -> Path:
    return Path(str(files("briefgen") / "builtin"))


def templates_dir() -> Path:
    """The built-in site, print and email templates."""
    return _root() / "templates"


def themes_dir() -> Path:
    """The built-in themes, each a folder: default/ is the one every theme falls back on."""
    return _root() / "themes"


def starter_dir() -> Path:
    """The small project `briefgen init` copies."""
    return _root() / "starter"


def input_roots() -> tuple[Path, ...]:
    """Every built-in folder whose files can change a build's output."""
    return (templates_dir(), themes_dir())
