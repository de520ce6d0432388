"""The one writer of the output folder: all or nothing, unchanged files untouched.

A new tree is assembled in a sibling folder: files whose bytes did not change
are hard-linked from the current output (so their inode and mtime survive),
changed ones are written. The new tree then replaces the old one in a single
rename-exchange, so a reader or a failed build never sees a half-written site.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.render import OutputFile


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def check_outputs(files: Iterable[OutputFile], out_dir: Path) -> None:
    """Refuse two outputs with one path, and paths that would leave the output folder."""
    seen: set[str] = set()
    problems: list[Diagnostic] = []
    for f in files:
        rel = PurePosixPath(f.path)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            problems.append(Diagnostic(SourcePos(out_dir), f"output path '{f.path}' leaves the site"))
        elif f.path in seen:
            problems.append(Diagnostic(SourcePos(out_dir), f"two outputs claim '{f.path}'"))
        seen.add(f.path)
    if problems:
        raise BuildFailed(problems)


def write_site(files: list[OutputFile], out_dir: Path) -> WriteReport:
    check_outputs(files, out_dir)
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    old_files = _existing_files(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    written: list[str] = []
    unchanged: list[str] = []
    try:
        made_dirs: set[Path] = set()
        for f in files:
            target = staging / f.path
            if target.parent not in made_dirs:
                target.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(target.parent)
            old = out_dir / f.path
            if f.path in old_files and _same_bytes(old, f.data):
                try:
                    os.link(old, target)
                    unchanged.append(f.path)
                    continue
                except OSError:
                    pass  # e.g. a file system without hard links: write a copy
            target.write_bytes(f.data)
            written.append(f.path)
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)  # now holds the previous output
    removed = sorted(old_files - {f.path for f in files})
    return WriteReport(tuple(written), tuple(unchanged), tuple(removed))


def _existing_files(out_dir: Path) -> set[str]:
    if not out_dir.is_dir():
        return set()
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


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _swap(staging: Path, out_dir: Path) -> None:
    """Put staging at out_dir; afterwards staging holds the old output (if any)."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if _rename_exchange(staging, out_dir):
        return
    # No renameat2 (not Linux, or an old kernel): two renames, with a short gap.
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    old.rmdir()
    os.rename(out_dir, old)
    os.rename(staging, out_dir)
    os.rename(old, staging)


@lru_cache(maxsize=1)
def _renameat2() -> Callable[..., int] | None:
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return None
    return getattr(ctypes.CDLL(libc_name, use_errno=True), "renameat2", None)


def _rename_exchange(a: Path, b: Path) -> bool:
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))

