"""What a build keeps on disk for the next one: values keyed by the hash of their inputs.

A store is one file in the project's cache folder. It is a speed-up only, so it is
never trusted: a file written by another version of briefgen, for another project, cut
short or altered, is ignored whole and rebuilt; unpickling may only make the plain data
classes of the model, so a hostile file cannot run code.

Files are found by stamp (a stat) and their contents by hash: an edited file is read
and hashed once, an unedited one is not read at all, and a file that went away and
came back (a branch switched and back) is found by its hash.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar

from briefgen import __version__
from briefgen.collector import cycle_collection_paused

V = TypeVar("V")
_MAGIC = b"briefgen-store\n"
_FORMAT = 1
_RACY_NS = 2_000_000_000
"""A stamp this close to when it was taken may not show the next edit (file systems
keep mtimes at a tick's precision): such a file is hashed again next time."""
_ALLOWED_MODULES = ("briefgen.model", "briefgen.errors", "briefgen.load", "briefgen.check")
_ALLOWED = {("datetime", "date"), ("pathlib", "PosixPath"), ("pathlib", "WindowsPath")}
_KEEP_IN: set[Path] = set()
"""Folders whose stores this process keeps in memory (see keep_in_memory)."""
_KEPT: dict[tuple[Path, str], tuple[tuple[int, int, int, int], HashStore[Any]]] = {}
"""(file, fingerprint) -> the file's identity and the store as last read or written."""


def keep_in_memory(folder: Path) -> None:
    """Keep the stores in folder in memory once read or written, and open one from there
    while its file is the same (inode, size and time stamp): the preview opens them at
    every save, and reading a store whole takes longer than the rest of its build. A
    store another process wrote is read again."""
    _KEEP_IN.add(folder)


def code_fingerprint(*modules: str) -> str:
    """A digest of briefgen's version and the source of the given modules (file names
    under the briefgen package): a cache made by other code is foreign."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    for name in modules:
        digest.update(name.encode())
        digest.update((package / name).read_bytes())
    return digest.hexdigest()


def content_key(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if module in _ALLOWED_MODULES or (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not model data")


@dataclass(slots=True)
class HashStore(Generic[V]):
    """Values by key (a content hash), and the hash of each file by its stamp.

    The file holds a whole store, then records of what later builds added, each with its
    own checksum: a build that parsed one article appends it instead of writing every
    article again. When the records outgrow half the store it is written whole, keeping
    only what the last build used (and spare others, for the next branch switch).
    """

    file: Path
    fingerprint: str
    values: dict[str, V] = field(default_factory=dict)
    stamps: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    """path -> (mtime_ns, size, content hash) of files whose stamp was not racy."""
    used: set[str] = field(default_factory=set)
    added: dict[str, V] = field(default_factory=dict)
    restamped: dict[str, tuple[int, int, str] | None] = field(default_factory=dict)
    """Stamps set (or, as None, dropped) since the store was read."""
    base_size: int = 0
    """Bytes of the whole store at the start of the file; 0 when there is none."""
    records_size: int = 0

    @classmethod
    def open(cls, file: Path, fingerprint: str) -> HashStore[V]:
        kept = _KEPT.get((file, fingerprint)) if file.parent in _KEEP_IN else None
        if kept is not None and kept[0] == _identity(file):
            return kept[1]._copy()
        store: HashStore[V] = cls(file, fingerprint)
        try:
            with file.open("rb") as source:
                store._read(source)
        except OSError:
            pass
        store._keep()
        return store

    def _copy(self) -> HashStore[V]:
        """This store as it was read or saved (without what a build used or added)."""
        return HashStore(
            self.file,
            self.fingerprint,
            dict(self.values),
            dict(self.stamps),
            base_size=self.base_size,
            records_size=self.records_size,
        )

    def _keep(self) -> None:
        identity = _identity(self.file) if self.file.parent in _KEEP_IN else None
        if identity is not None:
            _KEPT[(self.file, self.fingerprint)] = (identity, self._copy())

    def _read(self, source: BinaryIO) -> None:
        """Read a store: checked, then unpickled, straight from the file (a large store
        is never held as bytes beside its values)."""
        head = [source.readline(200) for _ in range(5)]
        magic, fmt, stored_print, checksum, size = (line.rstrip(b"\n") for line in head)
        if (
            magic + b"\n" != _MAGIC
            or fmt != str(_FORMAT).encode()
            or stored_print != self.fingerprint.encode()
            or not size.isdigit()
        ):
            return
        start, length = source.tell(), int(size)
        if _file_digest(source, length) != checksum:
            return
        source.seek(start)
        loaded = _load(source)
        if not (isinstance(loaded, tuple) and len(loaded) == 2):
            return
        values, stamps = loaded
        if not (isinstance(values, dict) and isinstance(stamps, dict)):
            return
        self.values, self.stamps = values, stamps
        self.base_size = start + length
        source.seek(self.base_size)
        while True:  # records after the store, while sound
            record_head = source.read(_RECORD_HEAD)
            if len(record_head) < _RECORD_HEAD:
                break
            payload = source.read(int.from_bytes(record_head[:8], "big"))
            if hashlib.sha256(payload).hexdigest().encode() != record_head[8:]:
                break
            record = _load(io.BytesIO(payload))
            if not (isinstance(record, tuple) and len(record) == 2):
                break
            added, restamped = record
            if not (isinstance(added, dict) and isinstance(restamped, dict)):
                break
            self.values.update(added)
            for path, stamp in restamped.items():
                if stamp is None:
                    self.stamps.pop(path, None)
                else:
                    self.stamps[path] = stamp
            self.records_size += _RECORD_HEAD + len(payload)

    def known_hash(self, path: Path, stat: os.stat_result) -> str | None:
        """The content hash recorded for path, when its stamp is the recorded one."""
        hit = self.stamps.get(str(path))
        if hit is not None and hit[0] == stat.st_mtime_ns and hit[1] == stat.st_size:
            return hit[2]
        return None

    def note_hash(self, path: Path, stat: os.stat_result, digest: str) -> None:
        if time.time_ns() - stat.st_mtime_ns < _RACY_NS:
            self._restamp(str(path), None)
        else:
            self._restamp(str(path), (stat.st_mtime_ns, stat.st_size, digest))

    def _restamp(self, path: str, stamp: tuple[int, int, str] | None) -> None:
        if self.stamps.get(path) == stamp:
            return
        if stamp is None:
            del self.stamps[path]
        else:
            self.stamps[path] = stamp
        self.restamped[path] = stamp

    def get(self, key: str) -> V | None:
        value = self.values.get(key)
        if value is not None:
            self.used.add(key)
        return value

    def put(self, key: str, value: V) -> None:
        self.values[key] = value
        self.added[key] = value
        self.used.add(key)

    def save(self, paths: Iterable[Path], spare: int = 0) -> None:
        """Keep what this build added, and the stamps of paths only.

        Written whole (the values this build used, up to spare others) when there is no
        sound store yet or its records outgrew it; else appended as one record."""
        wanted = {str(p) for p in paths}
        for path in [p for p in self.stamps if p not in wanted]:
            self._restamp(path, None)
        if not self.added and not self.restamped:
            return
        record = pickle.dumps((self.added, self.restamped), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            if self.base_size and self.records_size + len(record) < self.base_size // 2:
                self._append(record)
            else:
                self._write_whole(spare)
            self._keep()
        except OSError:
            pass  # only a speed-up is lost
        self.added, self.restamped = {}, {}

    def _append(self, record: bytes) -> None:
        head = len(record).to_bytes(8, "big") + hashlib.sha256(record).hexdigest().encode()
        with self.file.open("r+b") as out:
            out.seek(self.base_size + self.records_size)  # over a damaged tail, if any
            out.write(head + record)
            out.truncate()
        self.records_size += len(head) + len(record)

    def _write_whole(self, spare: int) -> None:
        others = [k for k in self.values if k not in self.used][-spare:] if spare else []
        self.values = {k: self.values[k] for k in [*others, *self.used] if k in self.values}
        temp = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
        try:
            with temp.open("w+b") as out:
                head = _MAGIC + f"{_FORMAT}\n{self.fingerprint}\n".encode()
                out.write(head + b"0" * 64 + b"\n" + b"0" * 20 + b"\n")
                start = out.tell()
                writer = _HashingWriter(out)  # pickled straight to the file, hashed on the way
                pickle.dump((self.values, self.stamps), writer, protocol=pickle.HIGHEST_PROTOCOL)
                size = out.tell() - start
                out.seek(len(head))
                out.write(writer.digest.hexdigest().encode() + f"\n{size:020d}\n".encode())
            os.replace(temp, self.file)
        finally:
            temp.unlink(missing_ok=True)
        self.base_size, self.records_size = start + size, 0


def _identity(file: Path) -> tuple[int, int, int, int] | None:
    try:
        stat = file.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


class _HashingWriter:
    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.out.write(data)


def _file_digest(source: BinaryIO, length: int) -> bytes:
    """The hex SHA-256 of the next length bytes of source, read in pieces."""
    digest = hashlib.sha256()
    left = length
    while left > 0:
        piece = source.read(min(left, 1 << 20))
        if not piece:
            return b""
        digest.update(piece)
        left -= len(piece)
    return digest.hexdigest().encode()


_RECORD_HEAD = 8 + 64
"""A record's length (8 bytes) and the hex SHA-256 of its payload."""


def _load(source: BinaryIO) -> object:
    """The pickled object (model data only), or None when it is not sound.

    The collector is paused meanwhile: model data holds no cycles."""
    try:
        with cycle_collection_paused():
            return _ModelUnpickler(source).load()
    except Exception:  # any damage the checksum missed: ignore it
        return None
