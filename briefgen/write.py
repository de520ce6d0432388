"""The one writer of the output folder: what a reader sees depends on the size of the change.

A small change (at most max(JOURNAL_FLOOR, a tenth of the site) files written, any
number removed: an edit, or a stale search index dropped) is made in place, through a
journal. The new files are written into a sibling staging folder; a journal of the
operations (make folders, rename each staged file onto its place, unlink files the
site no longer has, remove folders it no longer has) is committed there with one
rename; then it is applied. A reader sees each file whole, old or new, never
half-written. While the journal is applied (milliseconds for an edit: a few renames;
longer when many files are removed), some changed files may already be new while
others are still old, and a removed file may still be there. Every other file, and
the output folder itself, is left alone: same inode, same mtime. A crash before the
commit leaves the old output (and a staging folder, which the next write deletes); a
crash after it leaves that mix until the next write, which first completes the
journal (recover()): the output is then the new one, as if the build had finished.

Any other change (the first build, a large change, a folder that becomes a file or the
reverse, or a step that could fail once committed: a name too long, a folder not
writable or on another file system) assembles the whole output in a sibling folder,
then trades places with the output folder in one step (renameat2 RENAME_EXCHANGE) and
deletes the old tree: a reader sees the old build or the new, never a mix. A file
whose bytes did not change is hard-linked from the old tree, so it keeps its inode
and mtime. A crash at any instant leaves the old output or the new one, plus at most
a sibling work folder, which the next write deletes (recover()).

Only the files a build hands in are read, to compare bytes (the pages it kept are
neither read nor rewritten); the rest of the old output is listed (briefgen.listing),
not read. The build lists the output once, before it loads the content, and hands the
listing in: the output may have changed by hand since, so the writer plans from the
listing but checks on disk, just before it acts, each place its change goes through (a
place that no longer fits the plan makes it assemble a new tree instead), and a build
that finds a kept page gone leaves it to the next build, which sees the change in the
stamps and makes the page again. Nothing is read or written through a symbolic link
found in the old output: only its regular files are compared or kept, and links,
devices and FIFOs there are removed.

Creating files costs the disk a wait per file (0.02 to 1 ms each here): a new tree of
many files is written by a few threads, whose waits overlap.

The output folder carries a marker file (MARKER): the guard in briefgen.build lets a
build replace a folder that holds it, and no other folder with files in it.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import re
import secrets
import shutil
import stat
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TypeVar

from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.listing import EMPTY, Listing, Stamp, list_folder

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
    stamps: dict[str, Stamp] = field(default_factory=dict, compare=False, repr=False)
    """The stamp of every entry of the output after the write (as listing.list_folder
    would take them), from the listing and a stat of each file the write made."""


def check_outputs(files: Iterable[OutputFile], out_dir: Path) -> None:
    """Refuse two outputs with one path or one inside another, and paths leaving the site."""
    seen: set[str] = set()
    problems: list[Diagnostic] = []
    for f in files:
        if not (_plain(f.path) or _inside(f.path)) or "\\" in f.path:
            problems.append(
                Diagnostic(SourcePos(out_dir), f"output path '{f.path}' leaves the site")
            )
        elif f.path in seen:
            problems.append(Diagnostic(SourcePos(out_dir), f"two outputs claim '{f.path}'"))
        seen.add(f.path)
    for path in sorted(seen):
        # a site's paths are plain: their folders are found without a PurePosixPath each
        folders = (
            [*_parents(path), "."]
            if _plain(path)
            else [folder.as_posix() for folder in PurePosixPath(path).parents]
        )
        for folder in folders:
            if folder in seen:
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


def write_site(
    files: list[OutputFile],
    out_dir: Path,
    kept: Iterable[str] = (),
    listing: Listing | None = None,
) -> WriteReport:
    """Make out_dir hold exactly files (and the marker); raise BuildFailed when it
    cannot, the previous output left as it was.

    kept: files of the last build that stay as they are, neither read nor removed.
    listing: of out_dir, taken earlier by the caller (list_folder); else listed here."""
    check_outputs(files, out_dir)
    out_dir = out_dir.absolute()
    try:
        return _write_site(files, out_dir, frozenset(kept), listing)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise BuildFailed(
            [
                Diagnostic(
                    SourcePos(out_dir), f"cannot write the output: {exc.strerror or exc}{where}"
                )
            ]
        ) from None


def _write_site(
    files: list[OutputFile], out_dir: Path, kept: frozenset[str], listing: Listing | None
) -> WriteReport:
    if os.path.islink(out_dir):
        raise BuildFailed(
            [Diagnostic(SourcePos(out_dir), "output folder is a symbolic link; expected a folder")]
        )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    old = listing
    if recover(out_dir) or old is None:
        old = list_folder(out_dir) if out_dir.is_dir() else EMPTY
    old_marker = _is_regular_file(out_dir / MARKER)  # on disk: the listing may be older
    carried = tuple(sorted(path for path in kept if old.is_regular(path)))
    new_paths = {f.path for f in files}
    removed = tuple(sorted(old.files.keys() - new_paths - set(carried) - {MARKER}))
    same = {f.path for f in files if old.is_regular(f.path) and _same_bytes(out_dir, f)}
    changed = [f for f in files if f.path not in same]
    made = _change(out_dir, old, old_marker, files, changed, same, carried, removed)
    lost = set(made.lost)
    unchanged = tuple(f.path for f in files if f.path in same) + tuple(
        path for path in carried if path not in lost
    )
    written = tuple(f.path for f in changed)
    # what stayed keeps the stamp it was listed with: had it changed since, the next
    # build sees a stamp unlike the one recorded, and does the work again
    stamps = {path: old.files[path] for path in unchanged}
    stamps.update(_stamps_of(out_dir, (*written, *made.copied, MARKER)))
    return WriteReport(written, unchanged, removed, stamps)


@dataclass(frozen=True, slots=True)
class _Made:
    copied: Sequence[str] = ()
    """Unchanged files the write copied, where a hard link could not be made."""
    lost: Sequence[str] = ()
    """Kept files that were no longer regular files when the write came to them."""


def _change(
    out_dir: Path,
    old: Listing,
    old_marker: bool,
    files: list[OutputFile],
    changed: list[OutputFile],
    same: set[str],
    carried: tuple[str, ...],
    removed: tuple[str, ...],
) -> _Made:
    """Make the change in the way its size allows (see the module's docstring)."""
    if not changed and not removed and old_marker:
        return _Made()
    site_size = len(files) + len(carried) + 1
    if old_marker and len(changed) <= max(JOURNAL_FLOOR, site_size // 10):
        journal = _plan(out_dir, old, changed, removed)
        if journal is not None:
            _commit(out_dir, changed, journal)
            return _Made()
    return _swap(out_dir, files, same, carried)


def _is_regular_file(path: str | Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def _stamps_of(root: Path, paths: Iterable[str]) -> dict[str, Stamp]:
    """The stamps of the entries at paths under root that exist."""
    top = os.fspath(root)
    stamps: dict[str, Stamp] = {}
    for path in paths:
        try:
            st = os.lstat(os.path.join(top, path))
        except OSError:
            continue
        stamps[path] = (st.st_mtime_ns, st.st_size)
    return stamps


JOURNAL_FLOOR = 16
"""A change that writes up to this many files goes through the journal even on a small
site. The limit bounds how many files a reader may see half of the build changed while
the journal is applied; removals are not counted: a removed file is there or gone, and
removing costs the same in both ways (the swap deletes the old tree)."""
_JOURNAL = "journal"
_JOURNAL_FORMAT = "briefgen-journal-1"


@dataclass(frozen=True, slots=True)
class _Journal:
    """What turns the output into the new one, in the order it is done."""

    make_folders: tuple[str, ...]
    """Parents first."""
    replace: tuple[tuple[str, str], ...]
    """(staged file name, path in the output)."""
    remove: tuple[str, ...]
    remove_folders: tuple[str, ...]
    """Children first."""

    def dumps(self) -> bytes:
        return json.dumps(
            {
                "format": _JOURNAL_FORMAT,
                "make_folders": self.make_folders,
                "replace": self.replace,
                "remove": self.remove,
                "remove_folders": self.remove_folders,
            }
        ).encode()

    @staticmethod
    def loads(data: bytes) -> _Journal | None:
        """The journal in data; None for anything this version did not write whole,
        or whose paths would leave the output folder."""
        try:
            raw = json.loads(data)
        except ValueError:
            return None
        if not isinstance(raw, dict) or raw.get("format") != _JOURNAL_FORMAT:
            return None
        make, remove, gone = (_paths(raw.get(key)) for key in _PATH_LISTS)
        pairs = raw.get("replace")
        if make is None or remove is None or gone is None or not isinstance(pairs, list):
            return None
        replace = [(p[0], p[1]) for p in pairs if isinstance(p, list) and len(p) == 2]
        if len(replace) != len(pairs) or not all(
            _plain_name(name) and _inside(path) for name, path in replace
        ):
            return None
        return _Journal(make, tuple(replace), remove, gone)


_PATH_LISTS = ("make_folders", "remove", "remove_folders")


def _paths(value: object) -> tuple[str, ...] | None:
    """value as paths inside the output folder, or None."""
    if not isinstance(value, list) or not all(map(_inside, value)):
        return None
    return tuple(value)


def _inside(path: object) -> bool:
    """Whether path names a place inside the output folder (relative, no '..')."""
    if not isinstance(path, str):
        return False
    pure = PurePosixPath(path)
    return bool(pure.parts) and not pure.is_absolute() and ".." not in pure.parts


def _plain(path: str) -> bool:
    """Whether path is relative, in its one spelling: no empty, '.' or '..' part."""
    return bool(path) and not path.startswith("/") and not _ODD_PARTS & set(path.split("/"))


_ODD_PARTS = frozenset(("", ".", ".."))


def _plain_name(name: object) -> bool:
    """A staged file's name: a file right in the staging folder, not the journal."""
    return isinstance(name, str) and name not in ("", ".", "..", _JOURNAL) and "/" not in name


def _plan(
    out_dir: Path,
    old: Listing,
    changed: list[OutputFile],
    removed: tuple[str, ...],
) -> _Journal | None:
    """The journal that makes the old output the new one in place; None when a folder
    becomes a file or the reverse, or when a step could fail once committed (a name
    too long, a folder on another file system or not writable)."""
    make: dict[str, None] = {}
    for f in changed:
        if f.path in old.folders:
            return None
        for folder in reversed(_parents(f.path)):
            if folder in old.files:
                return None
            if folder not in old.folders:
                make[folder] = None
    journal = _Journal(
        tuple(make),
        tuple((str(n), f.path) for n, f in enumerate(changed)),
        removed,
        _folders_gone(old, removed, changed),
    )
    return journal if _can_apply(out_dir, journal) else None


def _parents(path: str) -> list[str]:
    """The folders path is in, innermost first, the output folder ('') left out."""
    found = []
    while "/" in path:
        path = path.rpartition("/")[0]
        found.append(path)
    return found


def _folders_gone(
    old: Listing, removed: tuple[str, ...], changed: list[OutputFile]
) -> tuple[str, ...]:
    """Folders of the old output that the new one does not have, children first: those
    left with nothing in them once removed is gone, and no new file goes into."""
    written_into = {folder for f in changed for folder in _parents(f.path)}
    left: dict[str, int] = {}
    gone: list[str] = []

    def leave(path: str) -> None:
        folder = path.rpartition("/")[0]
        while folder:  # up the tree while folders empty out
            left[folder] = left.get(folder, old.folders[folder]) - 1
            if left[folder] or folder in written_into:
                return
            gone.append(folder)
            folder = folder.rpartition("/")[0]

    for path in removed:
        leave(path)
    for folder, entries in old.folders.items():
        if not entries and folder not in written_into:
            gone.append(folder)
            leave(folder)
    return tuple(sorted(gone, key=lambda folder: (-folder.count("/"), folder)))


def _can_apply(out_dir: Path, journal: _Journal) -> bool:
    """Whether every step of journal can be done, checked on disk just before the
    commit: a step that fails after it leaves the output half changed until the next
    write, and the listing the journal was planned from may be older than the output."""
    try:
        device = os.lstat(out_dir.parent).st_dev  # where the staged files are
        name_max = os.pathconf(out_dir, "PC_NAME_MAX")
        root = len(os.fsencode(out_dir))
        replaced = [path for _, path in journal.replace]
        for path in (*journal.make_folders, *replaced):
            encoded = os.fsencode(path)
            if root + len(encoded) + 1 >= _PATH_MAX or any(
                len(part) > name_max for part in encoded.split(b"/")
            ):
                return False
        made = set(journal.make_folders)
        passed = {""}  # every folder a step goes into: each must be a real folder
        for path in (*made, *replaced, *journal.remove, *journal.remove_folders):
            passed.update(_parents(path))
        for folder in passed | made:
            st = _lstat(out_dir / folder)
            if st is None:
                if folder in made:
                    continue
                return False
            if (
                st.st_dev != device
                or not stat.S_ISDIR(st.st_mode)
                or not os.access(out_dir / folder, os.W_OK | os.X_OK, effective_ids=_EFFECTIVE_IDS)
            ):
                return False
        # a file goes, or goes away, where no folder stands; a folder goes away as one
        for path in (*replaced, *journal.remove):
            st = _lstat(out_dir / path)
            if st is not None and stat.S_ISDIR(st.st_mode):
                return False
        for folder in journal.remove_folders:
            st = _lstat(out_dir / folder)
            if st is not None and not stat.S_ISDIR(st.st_mode):
                return False
    except (OSError, UnicodeError):
        return False
    return True


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


_PATH_MAX = 4096
_EFFECTIVE_IDS = os.access in os.supports_effective_ids


def _commit(out_dir: Path, changed: list[OutputFile], journal: _Journal) -> None:
    """Stage changed, commit journal (one rename), apply it."""
    staging = _sibling(out_dir, "edit")
    try:
        names = (os.path.join(staging, name) for name, _ in journal.replace)
        staged = list(zip(names, changed, strict=True))
        _in_threads(lambda each: _write_new(each[0], each[1].data), staged)
        (staging / f"{_JOURNAL}.tmp").write_bytes(journal.dumps())
        os.rename(staging / f"{_JOURNAL}.tmp", staging / _JOURNAL)  # the commit point
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # From here on the change is made: a step that fails anyway is done again by the
    # next write's recover() (and this build reports the failure).
    _apply(out_dir, staging, journal, resuming=False)
    os.unlink(staging / _JOURNAL)
    os.rmdir(staging)


def _apply(out_dir: Path, staging: Path, journal: _Journal, *, resuming: bool) -> None:
    """Do every step of journal; resuming, skip those a killed write already did."""
    for folder in journal.make_folders:
        with contextlib.suppress(FileExistsError):
            os.mkdir(out_dir / folder)
    for name, path in journal.replace:
        if resuming and not os.path.lexists(staging / name):
            continue  # renamed before the crash
        os.rename(staging / name, out_dir / path)
    for path in journal.remove:
        (out_dir / path).unlink(missing_ok=True)
    for folder in journal.remove_folders:
        try:
            os.rmdir(out_dir / folder)
        except FileNotFoundError:
            pass
        except OSError as exc:  # something was put there meanwhile: the next write removes it
            if exc.errno != errno.ENOTEMPTY:
                raise


def _swap(
    out_dir: Path, files: list[OutputFile], same: set[str], carried: tuple[str, ...]
) -> _Made:
    """Assemble the whole new output beside out_dir, trade places in one step, delete
    the old tree."""
    staging = _sibling(out_dir, "new")
    try:
        made = _fill(staging, out_dir, [*files, OutputFile(MARKER, MARKER_TEXT)], same, carried)
        _keep_folder_access(staging, out_dir)
        if not out_dir.is_dir():
            os.rename(staging, out_dir)
            return made
        if not _exchange(staging, out_dir):
            aside = _sibling(out_dir, "old", make=False)
            os.rename(out_dir, aside)  # a crash here is undone by recover()
            os.rename(staging, out_dir)
            staging = aside
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # the old tree, or a failed new one
    return made


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


def recover(out_dir: Path) -> bool:
    """Finish or undo what a write killed midway left: complete a committed journal,
    put back an output moved aside, delete staging and work folders; whether there was
    any. Callers hold the project's lock (no other write is running)."""
    parent = out_dir.parent
    # Only names this module makes (work- was an earlier version's): never a folder
    # that merely starts alike.
    ours = re.compile(rf"\.{re.escape(out_dir.name)}\.(new|old|work|edit)-[a-z0-9_]{{8}}")
    try:
        leftovers = sorted(
            (path, found.group(1))
            for path in parent.iterdir()
            if (found := ours.fullmatch(path.name))
        )
    except FileNotFoundError:
        return False
    for path, kind in leftovers:
        if kind == "old" and not os.path.lexists(out_dir):
            os.rename(path, out_dir)
            continue
        if kind == "edit" and out_dir.is_dir() and not out_dir.is_symlink():
            journal = _committed(path)
            # A step that cannot be done again (the user deleted part of the output
            # since) is left: the write that follows compares every file it is handed,
            # and after a killed build the build hands in every page.
            with contextlib.suppress(OSError):
                if journal is not None:
                    _apply(out_dir, path, journal, resuming=True)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    return bool(leftovers)


def _committed(staging: Path) -> _Journal | None:
    """The journal committed in staging, or None when the write was killed before."""
    try:
        fd = os.open(staging / _JOURNAL, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as stream:
        return _Journal.loads(stream.read())


def _sibling(out_dir: Path, kind: str, *, make: bool = True) -> Path:
    path = out_dir.with_name(f".{out_dir.name}.{kind}-{secrets.token_hex(4)}")
    if make:
        try:
            os.mkdir(path)  # mode 777 less the umask, like any folder the user makes
        except OSError as exc:  # name the folder the user knows, not the work folder
            raise OSError(exc.errno, exc.strerror, str(out_dir.parent)) from None
    return path


def _same_bytes(root: Path, new: OutputFile) -> bool:
    """Whether the regular file at new.path under root holds new.data."""
    try:
        # not blocking: a FIFO put there since the listing must not hang the build
        fd = os.open(root / new.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(new.data):
            return False
        stream = os.fdopen(fd, "rb", closefd=False)  # a folder's fd cannot be opened so
        return stream.read(len(new.data) + 1) == new.data
    except OSError:
        return False
    finally:
        os.close(fd)


def _fill(
    root: Path, old_root: Path, files: list[OutputFile], same: set[str], carried: tuple[str, ...]
) -> _Made:
    """Make files under root, and the files of the old tree named in carried. Those in
    same and carried are hard links to the old tree's file (a copy where no link can be
    made); a carried path that is no longer a regular file is left out."""
    top, old_top = os.fspath(root), os.fspath(old_root)
    folders: dict[str, None] = {}
    for path in (*(f.path for f in files), *carried):
        folders.update(dict.fromkeys(_parents(path)))
    by_depth: dict[int, list[str]] = {}
    for folder in folders:
        by_depth.setdefault(folder.count("/"), []).append(folder)
    for depth in sorted(by_depth):  # parents first
        _in_threads(lambda folder: os.mkdir(os.path.join(top, folder)), by_depth[depth])

    def link(path: str) -> bool:
        """Whether the old tree's file at path could be hard-linked to its new place."""
        try:
            os.link(os.path.join(old_top, path), os.path.join(top, path), follow_symlinks=False)
        except OSError:
            return False
        return True

    def make(f: OutputFile) -> str | None:
        if f.path in same and link(f.path):
            return None
        _write_new(os.path.join(top, f.path), f.data)
        return f.path if f.path in same else None

    def carry(path: str) -> tuple[str, bool] | None:
        """Bring a file of the old tree over unread: a hard link, else a copy."""
        if not _is_regular_file(os.path.join(old_top, path)):  # changed since it was listed
            return path, False
        if link(path):
            return None
        try:
            shutil.copyfile(
                os.path.join(old_top, path), os.path.join(top, path), follow_symlinks=False
            )
        except FileNotFoundError:
            return path, False
        return path, True

    copied = [path for path in _in_threads(make, files) if path is not None]
    lost: list[str] = []
    for path, was_copied in filter(None, _in_threads(carry, carried)):
        (copied if was_copied else lost).append(path)
    return _Made(copied, lost)


def _write_new(path: str, data: bytes) -> None:
    """Write a file in a folder of the writer's own (nothing else is there)."""
    with open(path, "wb") as stream:
        stream.write(data)


T = TypeVar("T")
R = TypeVar("R")

THREADS = 4
"""Threads that write a new tree: they overlap the disk's wait for each new file (1,000
folders and files in a slow folder: 0.98 s alone, 0.66 s with four)."""
THREADS_FROM = 128
"""Fewer items than this are done by the calling thread alone."""


def _in_threads(work: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """work(item) for each item, in a few threads when there are many; what it
    returned, in order. The first failure stops the other threads, and its error is
    raised once every thread has stopped: nothing is still writing when the caller
    cleans up."""
    if len(items) < THREADS_FROM:
        return [work(item) for item in items]
    size = -(-len(items) // (THREADS * 4))  # a few batches per thread: they even out
    batches = [items[n : n + size] for n in range(0, len(items), size)]
    failed = threading.Event()

    def run(batch: Sequence[T]) -> list[R]:
        done = []
        for item in batch:
            if failed.is_set():
                break
            try:
                done.append(work(item))
            except BaseException:
                failed.set()
                raise
        return done

    from concurrent.futures import ThreadPoolExecutor  # 6 ms to import: only when used

    with ThreadPoolExecutor(THREADS, thread_name_prefix="briefgen-write") as pool:
        futures = [pool.submit(run, batch) for batch in batches]
    return [result for future in futures for result in future.result()]


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
