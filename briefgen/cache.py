"""Every stamp, manifest and memo of the build, on one definition of the inputs.

"Is this output stale?" has one answer here: an output is fresh when the stamps of
the inputs it was made from are equal to the stamps taken now. A stamp of a file is
its mtime and size (a stat, never a read); a stamp of a rendered page is the key of
what it shows. Caches are only speed-ups: a missing, corrupt or foreign cache file
is ignored and the work is done again.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from briefgen import __version__
from briefgen.listing import Stamp, list_folder

V = TypeVar("V")
FileStamp = Stamp
"""mtime in nanoseconds and size in bytes."""


def file_stamp(path: Path) -> FileStamp:
    st = path.stat()
    return (st.st_mtime_ns, st.st_size)


def tree_stamps(roots: Iterable[Path]) -> dict[str, list[int]]:
    """The stamp of every file under roots (a root may be a single file). Links to
    folders are not followed; a link to a file has the stamp of the file."""
    stamps: dict[str, list[int]] = {}

    def walk(folder: str) -> None:
        try:
            entries = os.scandir(folder)
        except OSError:
            return
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir():
                        if not entry.is_symlink():
                            walk(entry.path)
                        continue
                    st = entry.stat()
                except OSError:
                    continue
                stamps[entry.path] = [st.st_mtime_ns, st.st_size]

    for root in roots:
        if root.is_file():
            stamps[str(root)] = list(file_stamp(root))
        else:
            walk(os.fspath(root))
    return stamps


@dataclass(slots=True)
class Memo(Generic[V]):
    """Values kept between builds of one process, each valid while its stamp holds."""

    entries: dict[Hashable, tuple[Hashable, V]] = field(default_factory=dict)

    def get(self, key: Hashable, stamp: Hashable) -> V | None:
        hit = self.entries.get(key)
        return hit[1] if hit is not None and hit[0] == stamp else None

    def put(self, key: Hashable, stamp: Hashable, value: V) -> V:
        self.entries[key] = (stamp, value)
        return value

    def keep_only(self, keys: Iterable[Hashable]) -> None:
        """Forget every entry not named in keys (what the last build no longer used)."""
        wanted = set(keys)
        self.entries = {k: v for k, v in self.entries.items() if k in wanted}


class CacheFolder:
    """The project's cache folder: one small file per output folder and purpose."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, target: Path, purpose: str) -> Path:
        """The cache file for target, however target is spelt (relative, through a link)."""
        digest = hashlib.sha256(os.fsencode(target.resolve())).hexdigest()[:12]
        return self.folder / f"{digest}-{purpose}"

    def read_json(self, target: Path, purpose: str) -> object:
        try:
            return json.loads(self.path(target, purpose).read_text())
        except (OSError, ValueError):
            return None

    def write_json(self, target: Path, purpose: str, value: object) -> None:
        self.write_text(target, purpose, json.dumps(value))

    def write_text(self, target: Path, purpose: str, text: str) -> None:
        path = self.path(target, purpose)
        try:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
        except OSError:
            pass  # only a speed-up is lost


class Manifest:
    """Stamps of every input and output of the last successful build into one folder.

    A build that finds the manifest current has nothing to do. The inputs are stamped
    when the manifest is made, before the build reads them: a file saved while the
    build runs then differs from what is recorded, and the next build sees it. Only a
    digest of each set of stamps is kept: the stamps are only ever compared whole.
    """

    FORMAT = "briefgen-manifest-2"

    def __init__(
        self,
        cache: CacheFolder,
        inputs: tuple[Path, ...],
        out: Path,
        kind: str,
        options: dict[str, object] | None = None,
    ) -> None:
        self.cache = cache
        self.inputs = inputs
        self.out = out
        self.kind = kind
        self.options = options
        """What the build was asked for (build.BuildOptions), recorded with the stamps."""
        self.purpose = f"manifest-{kind}.json"
        self.input_stamps = tree_stamps(inputs)
        self._inputs_digest: str | None = None

    def saved_options(self) -> object:
        """The options recorded with the last save, as read back (unchecked)."""
        saved = self.cache.read_json(self.out, self.purpose)
        return saved.get("options") if isinstance(saved, dict) else None

    def restamp(self, path: Path) -> None:
        """Take the stamp of an input the build itself wrote (the edition's snapshot)."""
        self.input_stamps[str(path)] = list(file_stamp(path))
        self._inputs_digest = None

    def is_current(self, outputs: Mapping[str, Stamp] | None = None) -> bool:
        """Whether the inputs and the output folder are as the last save recorded them.

        outputs: the output folder's listing (listing.list_folder) when the caller has
        it; else the folder is listed here."""
        saved = self.cache.read_json(self.out, self.purpose)
        if not isinstance(saved, dict) or saved.get("format") != self.FORMAT:
            return False
        if outputs is None:
            try:
                outputs = list_folder(self.out).files
            except OSError:
                return False
        return bool(saved == self._record(outputs, saved.get("options")))

    def save(self, outputs: Mapping[str, Stamp]) -> None:
        """Record the stamps; outputs are those of the output folder after the build's
        write (write.WriteReport.stamps)."""
        self.cache.write_json(self.out, self.purpose, self._record(outputs, self.options))

    def _record(self, outputs: Mapping[str, Stamp], options: object) -> dict[str, object]:
        if self._inputs_digest is None:
            self._inputs_digest = stamps_digest(self.input_stamps)
        return {
            "format": self.FORMAT,
            "version": __version__,
            "inputs": self._inputs_digest,
            "outputs": stamps_digest(outputs),
            "options": options,  # the kind in the file's name already tells them apart
        }


def stamps_digest(stamps: Mapping[str, Sequence[int]]) -> str:
    """One digest of a set of stamps, whatever the order they were taken in."""
    # marshal's version 2 writes no back-references: equal values, equal bytes
    return hashlib.sha256(marshal.dumps(sorted(stamps.items()), 2)).hexdigest()


@dataclass(frozen=True, slots=True)
class PdfRecord:
    """What the last layout of a PDF file was made from, and what it wrote."""

    key: str
    sha256: str
    pages: int


class PdfStamps:
    """The one rule for a PDF on disk: fresh when its document key and its bytes are
    those of the last layout written there."""

    PURPOSE = "pdf.json"

    def __init__(self, cache: CacheFolder) -> None:
        self.cache = cache

    def fresh(self, target: Path, key: str) -> tuple[bytes, PdfRecord] | None:
        """The PDF at target and its record, when it is what key would lay out."""
        saved = self.cache.read_json(target, self.PURPOSE)
        if not isinstance(saved, dict) or saved.get("key") != key:
            return None
        if target.is_symlink() or not target.is_file():
            return None  # never read a FIFO (it would block) or through a link
        try:
            data = target.read_bytes()
            record = PdfRecord(str(saved["key"]), str(saved["sha256"]), int(saved["pages"]))
        except (OSError, KeyError, TypeError, ValueError):
            return None
        if hashlib.sha256(data).hexdigest() != record.sha256:
            return None
        return data, record

    def record(self, target: Path, key: str, data: bytes, pages: int) -> PdfRecord:
        record = PdfRecord(key, hashlib.sha256(data).hexdigest(), pages)
        self.cache.write_json(
            target, self.PURPOSE, {"key": key, "sha256": record.sha256, "pages": pages}
        )
        return record


class PageRecords:
    """The key each page of the last build into one folder was rendered from, and the
    stamp of the file written for it: a page whose key and file are unchanged is
    neither rendered nor written again."""

    PURPOSE = "pages.json"
    FORMAT = "briefgen-pages-2"

    def __init__(self, cache: CacheFolder, out: Path, stamps: Mapping[str, Stamp]) -> None:
        """stamps: those of the files in the output folder now (listing.list_folder)."""
        self.cache = cache
        self.out = out
        self.stamps = stamps
        saved = cache.read_json(out, self.PURPOSE)
        self.saved: dict[str, object] = (
            saved["pages"]
            if isinstance(saved, dict)
            and saved.get("format") == self.FORMAT
            and saved.get("version") == __version__
            and isinstance(saved.get("pages"), dict)
            else {}
        )

    def on_disk(self, page: str, digest: str) -> bool:
        """Whether the file of page in the output folder was written for digest."""
        saved = self.saved.get(page)
        if not isinstance(saved, list) or len(saved) != 3 or saved[0] != digest:
            return False
        stamp = self.stamps.get(page)
        return stamp is not None and stamp[0] == saved[1] and stamp[1] == saved[2]

    def record(self, keys: dict[str, str], stamps: Mapping[str, Stamp]) -> None:
        """Remember the key of each page now in the output folder; stamps are those of
        the output files after the write (write.WriteReport.stamps)."""
        pages = {
            page: [digest, *stamp]
            for page, digest in keys.items()
            if (stamp := stamps.get(page)) is not None
        }
        self.cache.write_json(
            self.out, self.PURPOSE, {"format": self.FORMAT, "version": __version__, "pages": pages}
        )

    def forget(self) -> None:
        """Before the output changes: a build that fails midway leaves no stale record."""
        if self.saved:
            self.cache.path(self.out, self.PURPOSE).unlink(missing_ok=True)
