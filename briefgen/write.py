"""The one writer of the output folder: all or nothing, unchanged files untouched.

Nothing in the output folder changes until every new file is safely on disk:
- a first build assembles the whole tree in a sibling folder and renames it in;
- a rebuild writes only the files whose bytes changed into a staging folder
  beside the output, then moves them into place. Each replaced file is first
  moved aside, so an error while moving puts every file back as it was.
A failed build therefore leaves the previous output exactly as it was, and an
unchanged file keeps its inode and mtime.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from briefgen.errors import BuildFailed, Diagnostic, SourcePos


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: str
    """Relative to the output folder, with '/' separators."""
    data: bytes


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def check_outputs(files: Iterable[OutputFile], out_dir: Path) -> None:
    """Refuse two outputs with one path or one inside another, and paths leaving the site."""
    seen: set[str] = set()
    problems: list[Diagnostic] = []
    for f in files:
        rel = PurePosixPath(f.path)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts or "\\" in f.path:
            problems.append(
                Diagnostic(SourcePos(out_dir), f"output path '{f.path}' leaves the site")
            )
        elif f.path in seen:
            problems.append(Diagnostic(SourcePos(out_dir), f"two outputs claim '{f.path}'"))
        seen.add(f.path)
    for path in sorted(seen):
        for folder in PurePosixPath(path).parents:
            if folder.as_posix() in seen:
                problems.append(
                    Diagnostic(
                        SourcePos(out_dir),
                        f"output '{folder}' is a file, but '{path}' needs it as a folder",
                    )
                )
    if problems:
        raise BuildFailed(problems)


def replace_file(path: Path, data: bytes) -> None:
    """Write one file in one step: a reader sees the old bytes or the new, never half.

    The temporary file is created like any other (permissions from the umask).
    """
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_site(files: list[OutputFile], out_dir: Path, kept: Iterable[str] = ()) -> WriteReport:
    """kept: files of the last build that stay as they are, neither read nor removed."""
    check_outputs(files, out_dir)
    out_dir = out_dir.absolute()
    if not out_dir.is_dir():
        return _write_fresh(files, out_dir)
    return _update(files, out_dir, frozenset(kept))


def _write_fresh(files: list[OutputFile], out_dir: Path) -> WriteReport:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        _write_all(staging, [(f.path, f.data) for f in files])
        os.rename(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteReport(tuple(f.path for f in files), (), ())


def _update(files: list[OutputFile], out_dir: Path, kept: frozenset[str]) -> WriteReport:
    old_files = _existing_files(out_dir)
    changed = [
        f for f in files if f.path not in old_files or not _same_bytes(out_dir / f.path, f.data)
    ]
    changed_paths = {f.path for f in changed}
    unchanged = tuple(f.path for f in files if f.path not in changed_paths) + tuple(
        sorted(kept & old_files)
    )
    removed = sorted(old_files - {f.path for f in files} - kept)
    if not changed and not removed:
        return WriteReport((), unchanged, ())
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.work-", dir=out_dir.parent))
    try:
        staged = work / "new"
        aside = work / "old"
        _write_all(staged, [(f.path, f.data) for f in changed])
        _commit(out_dir, staged, aside, [f.path for f in changed], removed)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _prune_empty_dirs(out_dir, removed)
    return WriteReport(tuple(f.path for f in changed), unchanged, tuple(removed))


def _commit(
    out_dir: Path, staged: Path, aside: Path, changed: list[str], removed: list[str]
) -> None:
    """Move staged files into place; on any error, put back what was moved."""
    moved_aside: list[str] = []
    placed: list[str] = []
    try:
        # Everything old goes aside first: a removed file may stand where a new
        # file needs a folder (notes, then notes/a.html).
        for rel in [*changed, *removed]:
            target = out_dir / rel
            if os.path.lexists(target):
                (aside / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, aside / rel)
                moved_aside.append(rel)
        for rel in changed:
            target = out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged / rel, target)
            placed.append(rel)
    except BaseException:
        for rel in placed:
            (out_dir / rel).unlink()
        _prune_empty_dirs(out_dir, placed)  # a folder made where an old file stood
        for rel in moved_aside:
            (out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(aside / rel, out_dir / rel)
        raise


def _write_all(root: Path, items: list[tuple[str, bytes]]) -> None:
    made: set[Path] = set()
    for rel, data in items:
        target = root / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(data)


def _existing_files(out_dir: Path) -> set[str]:
    return {
        os.path.relpath(os.path.join(root, name), out_dir).replace(os.sep, "/")
        for root, _dirs, names in os.walk(out_dir)
        for name in names
    }


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _prune_empty_dirs(out_dir: Path, removed: list[str]) -> None:
    for rel in removed:
        parent = (out_dir / rel).parent
        while parent != out_dir:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
