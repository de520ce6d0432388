"""What a build keeps on disk for the next one: values keyed by the hash of their inputs.

A store is one file in the project's cache folder. It is a speed-up only, so it is
never trusted: a file written by another version of briefgen, for another project, cut
short or altered, is ignored whole and rebuilt; unpickling may only make the plain data
classes of the model, so a hostile file cannot run code.

Opening a store reads its index, not its texts (article bodies, most of its size): a
body is read from the file when something asks for it, and checked by its hash then
(storedtext.py), so a damaged one is made again rather than shown.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PosixPath
from typing import Any, BinaryIO, Generic, TypeVar

from briefgen import __version__
from briefgen.collector import cycle_collection_paused
from briefgen.storedtext import NewText, StoredText, TextFile

V = TypeVar("V")
_MAGIC = b"briefgen-store\n"
_FORMAT = 2
_RACY_NS = 2_000_000_000
"""A stamp this close to when it was taken may not show the next edit (file systems
keep mtimes at a tick's precision): such a file is hashed again next time."""
_ALLOWED_MODULES = ("briefgen.model", "briefgen.errors", "briefgen.load", "briefgen.check")
_ALLOWED = {
    ("datetime", "date"),
    ("pathlib", "PosixPath"),
    ("pathlib", "WindowsPath"),
    ("briefgen.store", "_child_path"),
}
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
    def __init__(self, source: BinaryIO, texts: TextFile) -> None:
        super().__init__(source)
        self.texts = texts

    def find_class(self, module: str, name: str) -> object:
        if module in _ALLOWED_MODULES or (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not model data")

    def persistent_load(self, pid: Any) -> StoredText:
        """A text in the file's texts, by where it lies and its hash; read when asked for
        (and then checked: a wrong offset, length or hash only fails the check)."""
        offset, length, digest = pid
        return StoredText(self.texts, offset, length, digest)


class _TextSink:
    """Where a store's texts are written as it is pickled, and the file offset of each."""

    def __init__(self, out: BinaryIO, offset: int) -> None:
        self.out = out
        self.offset = offset

    def write(self, data: bytes) -> int:
        self.out.write(data)
        self.offset += len(data)
        return self.offset - len(data)


class _StorePickler(pickle.Pickler):
    """Pickles values with their texts apart: a value with a stored_form method (an
    Article) is pickled by it, and each NewText or StoredText in it goes into the texts,
    the pickle holding where it lies and its hash."""

    def __init__(self, out: BinaryIO, texts: _TextSink) -> None:
        super().__init__(out, protocol=pickle.HIGHEST_PROTOCOL)
        self.texts = texts
        self.folders: dict[str, PosixPath] = {}

    def reducer_override(self, obj: object) -> Any:
        if type(obj) is PosixPath:
            # A path is its folder (one object for all the files in it) and its name:
            # made again, it is not parsed whole, which costs most of a store's read.
            folder = obj.parent
            if folder == obj:
                return NotImplemented
            return _child_path, (self.folders.setdefault(str(folder), folder), obj.name)
        stored_form = getattr(type(obj), "stored_form", None)
        return NotImplemented if stored_form is None else stored_form(obj)

    def persistent_id(self, obj: object) -> tuple[int, int, str] | None:
        if type(obj) is NewText:
            data = obj.text.encode()
        elif type(obj) is StoredText:
            data = obj.raw()  # copied unread: checked whenever it is read
        else:
            return None
        return self.texts.write(data), len(data), obj.digest


def _child_path(folder: PosixPath, name: str) -> PosixPath:
    return _CHILD(folder, name)


_CHILD: Callable[[PosixPath, str], PosixPath] = getattr(
    PosixPath, "_make_child_relpath", PosixPath.joinpath
)
"""pathlib's own way to a file in a folder, without parsing the folder's path again
(folder / name parses it whole, which would cost a fifth of a store's read)."""


def _dump(value: object, texts: _TextSink) -> bytes:
    index = io.BytesIO()
    _StorePickler(index, texts).dump(value)
    return index.getvalue()


@dataclass(slots=True)
class HashStore(Generic[V]):
    """Values by key (a content hash), and the hash of each file by its stamp.

    The file holds a whole store, then records of what later builds added, each with its
    own checksum: a build that parsed one article appends it instead of writing every
    article again. When the records outgrow half the store it is written whole, keeping
    only what the last build used (and spare others, for the next branch switch).

    A store and each record hold texts (article bodies), then an index: the pickled
    values, where each text is a StoredText, read from the file only when asked for. The
    index has a checksum, checked at every read; each text has its own hash, checked when
    it is read, and recover makes a damaged text again.
    """

    file: Path
    fingerprint: str
    recover: Callable[[Any], str] | None = None
    """Makes a stored text again from the object that holds it (see storedtext.py)."""
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
    def open(
        cls, file: Path, fingerprint: str, recover: Callable[[Any], str] | None = None
    ) -> HashStore[V]:
        kept = _KEPT.get((file, fingerprint)) if file.parent in _KEEP_IN else None
        if kept is not None and kept[0] == _identity(file):
            return kept[1]._copy()
        store: HashStore[V] = cls(file, fingerprint, recover)
        try:
            fd = os.open(file, os.O_RDONLY)
        except OSError:
            pass
        else:
            texts = TextFile(fd, recover)  # closes fd once no text of the store is left
            # The collector is paused meanwhile: model data holds no cycles.
            with open(fd, "rb", closefd=False) as source, cycle_collection_paused():
                store._read(source, texts)
        store._keep()
        return store

    def _copy(self) -> HashStore[V]:
        """This store as it was read or saved (without what a build used or added)."""
        return HashStore(
            self.file,
            self.fingerprint,
            self.recover,
            dict(self.values),
            dict(self.stamps),
            base_size=self.base_size,
            records_size=self.records_size,
        )

    def _keep(self) -> None:
        identity = _identity(self.file) if self.file.parent in _KEEP_IN else None
        if identity is not None:
            _KEPT[(self.file, self.fingerprint)] = (identity, self._copy())

    def _read(self, source: BinaryIO, texts: TextFile) -> None:
        """Read a store's index and its records' (checked, then unpickled); the texts
        stay in the file."""
        head = [source.readline(200) for _ in range(6)]
        magic, fmt, stored_print, checksum, texts_size, index_size = (
            line.rstrip(b"\n") for line in head
        )
        if (
            magic + b"\n" != _MAGIC
            or fmt != str(_FORMAT).encode()
            or stored_print != self.fingerprint.encode()
            or not texts_size.isdigit()
            or not index_size.isdigit()
        ):
            return
        end = os.fstat(source.fileno()).st_size
        index_at = source.tell() + int(texts_size)
        source.seek(index_at)
        loaded = _load(_checked(source, int(index_size), checksum, end), texts)
        if not (isinstance(loaded, tuple) and len(loaded) == 2):
            return
        values, stamps = loaded
        if not (isinstance(values, dict) and isinstance(stamps, dict)):
            return
        self.values, self.stamps = values, stamps
        self.base_size = index_at + int(index_size)
        source.seek(self.base_size)
        while True:  # records after the store, while sound
            record_head = source.read(_RECORD_HEAD)
            if len(record_head) < _RECORD_HEAD:
                break
            texts_length = int.from_bytes(record_head[:8], "big")
            index_length = int.from_bytes(record_head[8:16], "big")
            source.seek(texts_length, os.SEEK_CUR)
            record = _load(_checked(source, index_length, record_head[16:], end), texts)
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
            self.records_size += _RECORD_HEAD + texts_length + index_length

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
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            record = self._record() if self.base_size else None
            if record is not None and self.records_size + len(record) < self.base_size // 2:
                self._append(record)
            else:
                self._write_whole(spare)
            self._keep()
        except OSError:
            pass  # only a speed-up is lost
        self.added, self.restamped = {}, {}

    def _record(self) -> bytes:
        """What this build added, as a record to go at the end of the file."""
        sink = io.BytesIO()
        index = _dump(
            (self.added, self.restamped),
            _TextSink(sink, self.base_size + self.records_size + _RECORD_HEAD),
        )
        texts = sink.getvalue()
        head = len(texts).to_bytes(8, "big") + len(index).to_bytes(8, "big")
        return head + hashlib.sha256(index).hexdigest().encode() + texts + index

    def _append(self, record: bytes) -> None:
        with self.file.open("r+b") as out:
            out.seek(self.base_size + self.records_size)  # over a damaged tail, if any
            out.write(record)
            out.truncate()
        self.records_size += len(record)

    def _write_whole(self, spare: int) -> None:
        others = [k for k in self.values if k not in self.used][-spare:] if spare else []
        self.values = {k: self.values[k] for k in [*others, *self.used] if k in self.values}
        temp = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
        try:
            with temp.open("w+b") as out:
                head = _MAGIC + f"{_FORMAT}\n{self.fingerprint}\n".encode()
                out.write(head + b"0" * 64 + b"\n" + b"0" * 20 + b"\n" + b"0" * 20 + b"\n")
                start = out.tell()
                # The texts go straight to the file; the index (small) is written after.
                texts = _TextSink(out, start)
                index = _dump((self.values, self.stamps), texts)
                out.write(index)
                out.seek(len(head))
                out.write(
                    hashlib.sha256(index).hexdigest().encode()
                    + f"\n{texts.offset - start:020d}\n{len(index):020d}\n".encode()
                )
            os.replace(temp, self.file)
        finally:
            temp.unlink(missing_ok=True)
        self.base_size, self.records_size = texts.offset + len(index), 0


def _identity(file: Path) -> tuple[int, int, int, int] | None:
    try:
        stat = file.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


def _checked(source: BinaryIO, length: int, checksum: bytes, end: int) -> bytes:
    """The next length bytes of source when their hex SHA-256 is checksum, else b""
    (and without a read when they would go past end, the file's size)."""
    if source.tell() + length > end:
        return b""
    data = source.read(length)
    if len(data) != length or hashlib.sha256(data).hexdigest().encode() != checksum:
        return b""
    return data


_RECORD_HEAD = 8 + 8 + 64
"""The length of a record's texts and of its index (8 bytes each), and the hex SHA-256
of its index."""


def _load(index: bytes, texts: TextFile) -> object:
    """The pickled object (model data only), or None when it is not sound."""
    if not index:
        return None
    try:
        return _ModelUnpickler(io.BytesIO(index), texts).load()
    except Exception:  # any damage the checksum missed: ignore it
        return None
