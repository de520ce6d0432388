"""Where a briefing project keeps its files."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from briefgen import builtins
from briefgen.errors import BuildFailed, Diagnostic, SourcePos, display_path


@dataclass(frozen=True, slots=True)
class Project:
    root: Path
    settings_file: Path
    content: Path
    templates: Path
    themes: Path

    @property
    def articles(self) -> Path:
        return self.content / "articles"

    @property
    def issues(self) -> Path:
        return self.content / "issues"

    @property
    def watch_file(self) -> Path:
        return self.content / "watch.yaml"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".briefgen-cache"

    def watched_paths(self) -> tuple[Path, ...]:
        """The project's own files whose change can change the output."""
        paths = [self.content, self.templates, self.themes]
        if self.settings_file.parent == self.root:
            paths.append(self.settings_file)
        return tuple(paths)

    def input_paths(self) -> tuple[Path, ...]:
        """Everything whose change can change the output: the project's files and the
        built-in templates and themes."""
        return tuple(dict.fromkeys((*self.watched_paths(), *builtins.input_roots())))


def find_project(path: Path) -> Project:
    """Locate the project holding path: path itself or the nearest folder above it with a
    content/ folder, as git finds its repository; raise BuildFailed when there is none."""
    start = path.resolve()
    if not start.is_dir():
        problem = "is not a folder" if start.exists() else "does not exist"
        raise BuildFailed([Diagnostic(None, f"project folder {path} {problem}", "no-project")])
    root = next((p for p in (start, *start.parents) if (p / "content").is_dir()), None)
    if root is None:
        raise BuildFailed(
            [
                Diagnostic(
                    None,
                    f"no briefing project in {display_path(start)} or any folder above it; "
                    "expected a folder holding content/ (briefgen init DIR makes one)",
                    "no-project",
                )
            ]
        )
    content = root / "content"
    candidates = [p for p in (root / "briefing.yaml", content / "briefing.yaml") if p.is_file()]
    if not candidates:
        raise BuildFailed(
            [
                Diagnostic(
                    None,
                    f"no briefing.yaml in {display_path(root)}; "
                    "expected one at the project root or in content/",
                    "no-settings",
                )
            ]
        )
    if len(candidates) > 1:
        raise BuildFailed(
            [
                Diagnostic(
                    SourcePos(candidates[1]),
                    f"a second briefing.yaml beside {candidates[0]}; keep only one",
                    "second-settings",
                )
            ]
        )
    return Project(
        root=root,
        settings_file=candidates[0],
        content=content,
        templates=root / "templates",
        themes=root / "themes",
    )


GITIGNORE = """\
# Made by `briefgen build` from content/: never edited, made again at will.
/site/
/.briefgen-cache/
# The send log of `briefgen email --list`: your recipients' addresses.
/send-log.tsv
"""
"""The .gitignore of a new project (kept out of the starter folder, where git would
read it as briefgen's own)."""


def create_project(target: Path) -> None:
    """Copy the starter project into target, a new or empty folder; raise BuildFailed
    saying why when it cannot."""
    try:
        problem = _not_for_a_new_project(target)
        if problem is None:
            shutil.copytree(builtins.starter_dir(), target, dirs_exist_ok=True)
            (target / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    except OSError as exc:
        problem = f"cannot create: {exc.strerror or exc}"
    if problem is not None:
        raise BuildFailed([Diagnostic(SourcePos(target), problem)])


def _not_for_a_new_project(target: Path) -> str | None:
    """Why target cannot take a new project, or None when it can."""
    if not target.exists():
        return None
    if not target.is_dir():
        return "is a file; expected a new or empty folder"
    if any(target.iterdir()):
        return "folder is not empty; expected a new or empty folder"
    return None
