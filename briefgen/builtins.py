"""Where the built-in templates, the default theme and the starter project live.

The built-ins are the top-level templates/ and themes/ of briefgen's source repository:
run from a checkout (an editable install, or PYTHONPATH pointing at it), the package
reads them there. A wheel carries them inside the package, as the data packages
briefgen._builtin_templates and briefgen._builtin_themes that pyproject.toml maps onto
those folders.

Every path is resolved: the repository is also a briefing project whose own templates/
and themes/ are these folders, and the theme code merges folders by path equality.
"""

from __future__ import annotations

import functools
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def _locate() -> tuple[Path, Path]:
    checkout = _PACKAGE.parent
    templates, themes = checkout / "templates", checkout / "themes"
    if (
        (checkout / "pyproject.toml").is_file()
        and templates.is_dir()
        and (themes / "default").is_dir()
    ):
        return templates.resolve(), themes.resolve()
    return (
        (_PACKAGE / "_builtin_templates").resolve(),
        (_PACKAGE / "_builtin_themes").resolve(),
    )


def templates_dir() -> Path:
    """The built-in site, print and email templates."""
    return _locate()[0]


def themes_dir() -> Path:
    """The built-in themes, each a folder: default/ is the one every theme falls back on."""
    return _locate()[1]


def starter_dir() -> Path:
    """The small project `briefgen init` copies."""
    return _PACKAGE / "starter"


def input_roots() -> tuple[Path, ...]:
    """Every built-in folder whose files can change a build's output."""
    return (templates_dir(), themes_dir())
