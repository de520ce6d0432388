"""The one writer of the output folder: a reader sees the old build or the new, never a mix.

Every build assembles the whole output in a sibling folder, then trades places with
the output folder in one step (renameat2 RENAME_EXCHANGE), and deletes the old tree.
A file whose bytes did not change is hard-linked from the old tree, so it keeps its
inode and mtime. A crash at any instant leaves the old output or the new one, plus at
most a sibling work folder, which the next write deletes (recover()). Nothing is read
or written through a symbolic link found in the old output: only its regular files
are compared, and links, devices and FIFOs there are removed with the old tree.

The output folder carries a marker file (MARKER): the guard in briefgen.build lets a
build replace a folder that holds it, and no other folder with files in it.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from briefgen.errors import BuildFailed, Diagnostic, SourcePos

MARKER = ".briefgen-output"
MARKER_TEXT = b"This folder is written by briefgen; every build replaces all of it.\n"


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

    Only a regular file (or nothing) at path is replaced: a symbolic link, a device or
    a FIFO there raises OSError and stays as it was. The temporary file is created
    like any other (permissions from the umask).
    """
    problem = not_a_regular_file(path)
    if problem is not None:
        raise OSError(errno.EEXIST, f"{problem}; expected a regular file or a new name", str(path))
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def not_a_regular_file(path: Path) -> str | None:
    """What stands at path when it is neither missing nor a regular file."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if stat.S_ISDIR(mode):
        return "is a folder"
    if stat.S_ISFIFO(mode):
        return "is a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device"
    return "is not a regular file"


def write_site(files: list[OutputFile], out_dir: Path, kept: Iterable[str] = ()) -> WriteReport:
    """Make out_dir hold exactly files (and the marker), in one step; raise BuildFailed
    when it cannot, the previous output left as it was.

    kept: files of the last build that stay as they are, neither read nor removed (they
    are hard links in the new tree)."""
    check_outputs(files, out_dir)
    out_dir = out_dir.absolute()
    try:
        return _write_site(files, out_dir, frozenset(kept))
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise BuildFailed(
            [
                Diagnostic(
                    SourcePos(out_dir), f"cannot write the output: {exc.strerror or exc}{where}"
                )
            ]
        ) from None


def _write_site(files: list[OutputFile], out_dir: Path, kept: frozenset[str]) -> WriteReport:
    if os.path.islink(out_dir):
        raise BuildFailed(
            [Diagnostic(SourcePos(out_dir), "output folder is a symbolic link; expected a folder")]
        )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    recover(out_dir)
    old = _regular_files(out_dir) if out_dir.is_dir() else {}
    old_marker = old.pop(MARKER, None)
    carried = tuple(sorted(path for path in kept if path in old and old[path].is_regular))
    removed = tuple(sorted(set(old) - {f.path for f in files} - set(carried)))
    same = {f.path for f in files if f.path in old and _same_bytes(old[f.path], f.data)}
    written = tuple(f.path for f in files if f.path not in same)
    unchanged = tuple(f.path for f in files if f.path in same) + carried
    if not written and not removed and old_marker is not None and old_marker.is_regular:
        return WriteReport((), unchanged, ())
    staging = _sibling(out_dir, "new")
    try:
        _fill(staging, out_dir, [*files, OutputFile(MARKER, MARKER_TEXT)], same | {MARKER})
        _carry(staging, out_dir, carried)
        _keep_folder_access(staging, out_dir)
        if not out_dir.is_dir():
            os.rename(staging, out_dir)
            return WriteReport(written, unchanged, removed)
        if not _exchange(staging, out_dir):
            aside = _sibling(out_dir, "old", make=False)
            os.rename(out_dir, aside)  # a crash here is undone by recover()
            os.rename(staging, out_dir)
            staging = aside
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # the old tree, or a failed new one
    return WriteReport(written, unchanged, removed)


def _keep_folder_access(staging: Path, out_dir: Path) -> None:
    """Give the new tree the old folder's mode, owner and group: the swap replaces the
    folder itself, and a web root the user restricted (750, a web server's group, the
    setgid bit) must stay as they set it."""
    try:
        old = os.stat(out_dir, follow_symlinks=False)
    except FileNotFoundError:
        return
    with contextlib.suppress(PermissionError):  # a user may not give a folder away
        os.chown(staging, old.st_uid, old.st_gid)
    os.chmod(staging, stat.S_IMODE(old.st_mode))


def recover(out_dir: Path) -> None:
    """Undo what a write killed midway left: put back an output moved aside, delete
    work folders. Callers hold the project's lock (no other write is running)."""
    parent = out_dir.parent
    # Only names this module makes (work- was an earlier version's): never a folder
    # that merely starts alike.
    ours = re.compile(rf"\.{re.escape(out_dir.name)}\.(new|old|work)-[a-z0-9_]{{8}}")
    try:
        leftovers = sorted(p for p in parent.iterdir() if ours.fullmatch(p.name))
    except FileNotFoundError:
        return
    for path in leftovers:
        if not os.path.lexists(out_dir) and path.name.startswith(f".{out_dir.name}.old-"):
            os.rename(path, out_dir)
        elif path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _sibling(out_dir: Path, kind: str, *, make: bool = True) -> Path:
    path = out_dir.with_name(f".{out_dir.name}.{kind}-{secrets.token_hex(4)}")
    if make:
        try:
            os.mkdir(path)  # mode 777 less the umask, like any folder the user makes
        except OSError as exc:  # name the folder the user knows, not the work folder
            raise OSError(exc.errno, exc.strerror, str(out_dir.parent)) from None
    return path


@dataclass(frozen=True, slots=True)
class _OldFile:
    path: Path
    is_regular: bool
    size: int


def _regular_files(root: Path) -> dict[str, _OldFile]:
    """Every entry under root but folders, without following symbolic links."""
    found: dict[str, _OldFile] = {}
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append((Path(entry.path), rel + "/"))
                    continue
                st = entry.stat(follow_symlinks=False)
                found[rel] = _OldFile(Path(entry.path), stat.S_ISREG(st.st_mode), st.st_size)
    return found


def _same_bytes(old: _OldFile, data: bytes) -> bool:
    if not old.is_regular or old.size != len(data):
        return False
    try:
        fd = os.open(old.path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as stream:
            return stream.read(len(data) + 1) == data
    except OSError:
        return False


def _fill(root: Path, old_root: Path, files: list[OutputFile], reuse: set[str]) -> None:
    """Write files under root; those in reuse are hard links to the old tree's file."""
    made: set[Path] = {root}
    for f in files:
        target = root / f.path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if f.path in reuse:
            try:
                os.link(old_root / f.path, target, follow_symlinks=False)
                continue
            except OSError:
                pass  # a file system without hard links: write a copy
        target.write_bytes(f.data)


def _carry(root: Path, old_root: Path, paths: tuple[str, ...]) -> None:
    """Bring files of the old tree into the new one unread: hard links, else copies."""
    for rel in paths:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(old_root / rel, target, follow_symlinks=False)
        except OSError:
            shutil.copyfile(old_root / rel, target, follow_symlinks=False)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step; False where the system cannot (then nothing moved)."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))
