"""Positions in source files, user-facing diagnostics and the exception that carries them."""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class SourcePos:
    """A place in a source file; line and col are 1-based."""

    path: Path
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.col}"

    def __reduce__(self) -> tuple[type[SourcePos], tuple[Path, int, int]]:
        # Made again by its constructor: the generic way of a frozen, slotted dataclass
        # costs three times as much, and a store holds thousands.
        return SourcePos, (self.path, self.line, self.col)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One user mistake (or, as a warning, a doubt): where it is and what is wrong."""

    pos: SourcePos | None
    """None when the mistake concerns no file (a project folder that does not exist)."""
    message: str
    code: str = "error"
    """A stable name for the kind of mistake, for editors and CI (docs/diagnostics.md)."""
    severity: str = "error"
    """'error' fails the build; 'warning' does not, unless --strict."""

    def __reduce__(self) -> tuple[type[Diagnostic], tuple[SourcePos | None, str, str, str]]:
        return Diagnostic, (self.pos, self.message, self.code, self.severity)

    def __str__(self) -> str:
        label = "warning: " if self.severity == "warning" else ""
        where = f"{self.pos}: " if self.pos is not None else ""
        return f"{where}{label}{self.message}"

    def as_json(self) -> dict[str, object]:
        """The diagnostic as --format json gives it."""
        return {
            "path": display_path(self.pos.path) if self.pos else None,
            "line": self.pos.line if self.pos else None,
            "column": self.pos.col if self.pos else None,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


class BuildFailed(Exception):
    """Raised with every diagnostic found; the CLI prints them and exits 1."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics, key=_sort_key))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def _sort_key(d: Diagnostic) -> tuple[str, int, int]:
    if d.pos is None:
        return ("", 0, 0)
    return (str(d.pos.path), d.pos.line, d.pos.col)


def display_path(path: Path) -> str:
    """Show a path relative to the working folder when it lies inside it."""
    try:
        return os.fspath(path.relative_to(_folder(os.getcwd())))
    except ValueError:
        return os.fspath(path)


@functools.lru_cache(maxsize=4)
def _folder(name: str) -> Path:
    return Path(name)  # made once: a run may show a path for each of thousands of files


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """Return ' (did you mean 'x'?)' for a close option, else ''."""
    matches = close_matches(word, options)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def close_matches(word: str, options: Iterable[str]) -> list[str]:
    """The option did_you_mean() suggests for word, as a list of at most one."""
    return difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
