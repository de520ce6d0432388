"""The on-disk store: values by content hash, appended records, never trusted."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from briefgen.errors import SourcePos
from briefgen.model import Cite
from briefgen.store import HashStore, keep_in_memory
from tests.conftest import REPO


def cite(n: int) -> Cite:
    return Cite(f"a{n}", f"quote {n} " + "x" * 2000, SourcePos(Path(f"/p/{n}.yaml"), n, 1))


def test_values_and_stamps_come_back(tmp_path: Path) -> None:
    file = tmp_path / "s.store"
    article = tmp_path / "a.md"
    article.write_text("text")
    os.utime(article, ns=(10**18, 10**18))  # an old stamp: trusted
    store: HashStore[object] = HashStore.open(file, "code-1")
    for n in range(20):
        store.put(f"k{n}", cite(n))
    store.put("date", dt.date(2026, 3, 1))
    store.note_hash(article, article.stat(), "hash-of-a")
    store.save([article])
    again: HashStore[object] = HashStore.open(file, "code-1")
    assert again.get("k7") == cite(7)
    assert again.get("date") == dt.date(2026, 3, 1)
    assert again.known_hash(article, article.stat()) == "hash-of-a"
    article.write_text("edited")
    assert again.known_hash(article, article.stat()) is None


def test_a_small_addition_is_appended_and_a_damaged_record_dropped(tmp_path: Path) -> None:
    file = tmp_path / "s.store"
    store: HashStore[object] = HashStore.open(file, "code-1")
    for n in range(20):
        store.put(f"k{n}", cite(n))
    store.save([])
    whole = file.read_bytes()
    later: HashStore[object] = HashStore.open(file, "code-1")
    later.put("k99", cite(99))
    later.save([])
    grown = file.read_bytes()
    assert grown.startswith(whole) and len(grown) < len(whole) * 1.5  # appended, not rewritten
    assert HashStore.open(file, "code-1").get("k99") == cite(99)
    file.write_bytes(grown[:-10])  # the record cut short: the store before it stands
    cut: HashStore[object] = HashStore.open(file, "code-1")
    assert cut.get("k99") is None and cut.get("k3") == cite(3)
    cut.put("k98", cite(98))
    cut.save([])  # written over the damaged tail
    mended: HashStore[object] = HashStore.open(file, "code-1")
    assert mended.get("k98") == cite(98) and mended.get("k3") == cite(3)


def test_a_store_of_other_code_or_damaged_is_empty(tmp_path: Path) -> None:
    file = tmp_path / "s.store"
    store: HashStore[object] = HashStore.open(file, "code-1")
    store.put("k1", cite(1))
    store.save([])
    assert HashStore.open(file, "code-2").values == {}  # another version of briefgen
    data = file.read_bytes()
    file.write_bytes(data.replace(b"quote 1", b"quote 2"))
    assert HashStore.open(file, "code-1").values == {}  # the checksum fails
    file.write_bytes(data[:40])
    assert HashStore.open(file, "code-1").values == {}
    file.write_bytes(b"\x00" * 100)
    assert HashStore.open(file, "code-1").values == {}


def test_the_previews_store_is_kept_in_memory_until_another_process_writes_it(
    tmp_path: Path,
) -> None:
    kept, read = tmp_path / "preview" / "s.store", tmp_path / "other" / "s.store"
    keep_in_memory(kept.parent)
    for file in (kept, read):
        store: HashStore[object] = HashStore.open(file, "code-1")
        store.put("k1", cite(1))
        store.save([])
        stamp = file.stat()
        # Altered in place, keeping size and time stamp: only a read would notice.
        file.write_bytes(file.read_bytes().replace(b"quote 1", b"quote 2"))
        os.utime(file, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert HashStore.open(kept, "code-1").get("k1") == cite(1)  # what it wrote itself
    assert HashStore.open(read, "code-1").values == {}  # read, and refused
    # A build in another process appends to the store (it reads it first: sound)...
    kept.write_bytes(kept.read_bytes().replace(b"quote 2", b"quote 1"))
    append = (
        "import sys; from pathlib import Path; from briefgen.store import HashStore; "
        "from tests.test_store import cite; s = HashStore.open(Path(sys.argv[1]), 'code-1'); "
        "s.put('k2', cite(2)); s.save([])"
    )
    subprocess.run([sys.executable, "-c", append, os.fspath(kept)], check=True, cwd=REPO)
    assert HashStore.open(kept, "code-1").get("k2") == cite(2)
    # ...or writes it anew.
    fresh = tmp_path / "elsewhere.store"
    written: HashStore[object] = HashStore.open(fresh, "code-1")
    written.put("k3", cite(3))
    written.save([])
    os.replace(fresh, kept)
    again: HashStore[object] = HashStore.open(kept, "code-1")
    assert again.get("k3") == cite(3) and again.get("k2") is None
