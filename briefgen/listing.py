"""One walk of an output folder: every entry with its stamp, every folder with its size.

A build lists its output once: the manifest compares the stamps with the last build's,
the page records find each page's file among them, and the writer plans its change from
the same listing (and checks on disk, just before it acts, each place it will change).
Nothing is read and no symbolic link is followed: a link, a FIFO or a device is an entry
like a file, stamped by lstat, and marked as not a regular file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

Stamp = tuple[int, int]
"""mtime in nanoseconds and size in bytes, of the entry itself (lstat)."""


@dataclass(frozen=True, slots=True)
class Listing:
    files: dict[str, Stamp]
    """Every entry but folders, by its path relative to the listed folder ('/'
    separators), with its stamp."""
    irregular: frozenset[str]
    """The entries of files that are not regular files (links, FIFOs, devices)."""
    folders: dict[str, int]
    """Every folder below the listed one, and how many entries it holds."""

    def is_regular(self, path: str) -> bool:
        return path in self.files and path not in self.irregular


EMPTY = Listing({}, frozenset(), {})


def list_folder(root: Path) -> Listing:
    """The listing of root; empty when root does not exist. Raises OSError when a
    folder in it cannot be listed."""
    files: dict[str, Stamp] = {}
    irregular: set[str] = set()
    folders: dict[str, int] = {}
    top = os.fspath(root)
    skip = len(top) + 1
    stack = [top]  # strings only: a listing allocates nothing the garbage collector tracks
    while stack:
        folder = stack.pop()
        entries = 0
        try:
            found = os.scandir(folder)
        except FileNotFoundError:
            if folder == top:
                return EMPTY
            continue  # removed while listed: as if listed a moment later
        with found:
            for entry in found:
                entries += 1
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    entries -= 1
                    continue
                rel = entry.path[skip:]
                files[rel] = (st.st_mtime_ns, st.st_size)
                if not entry.is_file(follow_symlinks=False):
                    irregular.add(rel)
        if folder != top:
            folders[folder[skip:]] = entries
    return Listing(files, frozenset(irregular), folders)
