"""The on-disk store: values by content hash, appended records, never trusted."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.build import Previewer, build
from briefgen.errors import BuildFailed, SourcePos
from briefgen.load import _parser_fingerprint
from briefgen.model import Article, Cite
from briefgen.store import HashStore, keep_in_memory
from tests.conftest import REPO
from tests.test_incremental import GENERATED, Clock, cold_build, make_project, site_bytes
from tests.test_serve_preview import clean_build


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
    head = data.split(b"\n")
    head[5] = b"9" * 20  # an index longer than the file: not read at all
    file.write_bytes(b"\n".join(head))
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


# --- article bodies: left in the file until read, checked when read ---------------------


def article(n: int, body: str) -> Article:
    where = SourcePos(Path(f"/desk/content/articles/a{n}.md"))
    return Article(f"a{n}", f"Title {n}", None, None, None, None, (), None, body, where, where)


def body_of(n: int) -> str:
    return f"<p>Body {n}: " + "words " * 300 + "</p>"


def test_a_body_is_read_when_asked_for_and_a_damaged_one_made_again(tmp_path: Path) -> None:
    file = tmp_path / "s.store"
    store: HashStore[Article] = HashStore.open(file, "code-1")
    for n in range(5):
        store.put(f"k{n}", article(n, body_of(n)))
    store.save([])
    made_again: list[str] = []

    def recover(owner: Article) -> str:
        made_again.append(owner.id)
        return body_of(int(owner.id[1:]))

    opened: HashStore[Article] = HashStore.open(file, "code-1", recover)
    assert opened.get("k1") == article(1, body_of(1))  # equal: same fields, same digest
    # Damaged after the store was opened: its bodies were not read then.
    data = file.read_bytes()
    file.write_bytes(data.replace(b"Body 3: words", b"Body 3: WORDS"))
    first, third = opened.get("k1"), opened.get("k3")
    assert first is not None and third is not None
    assert first.body_html == body_of(1) and made_again == []
    assert third.body_html == body_of(3) and made_again == ["a3"]  # not the damaged words
    # To another process (a worker) an article goes with its body.
    sent = pickle.loads(pickle.dumps(opened.get("k4")))
    assert sent.body_html == body_of(4) and sent == article(4, body_of(4))


def test_a_body_reads_what_it_was_stored_as_after_the_store_is_appended_or_written_anew(
    tmp_path: Path,
) -> None:
    file = tmp_path / "s.store"
    store: HashStore[Article] = HashStore.open(file, "code-1")
    for n in range(5):
        store.put(f"k{n}", article(n, body_of(n)))
    store.save([])
    old: HashStore[Article] = HashStore.open(file, "code-1")
    earlier = [old.get(f"k{n}") for n in range(5)]
    appended: HashStore[Article] = HashStore.open(file, "code-1")
    appended.put("k5", article(5, body_of(5)))
    appended.save([])
    assert earlier[0] is not None and earlier[0].body_html == body_of(0)
    inode = file.stat().st_ino
    rewritten: HashStore[Article] = HashStore.open(file, "code-1")
    rewritten.get("k2")
    rewritten.put("big", article(9, "<p>" + "long " * 50_000 + "</p>"))  # outgrows the store
    rewritten.save([])
    assert file.stat().st_ino != inode  # written anew, over the old file's name
    assert [a.body_html if a else None for a in earlier[1:]] == [body_of(n) for n in range(1, 5)]
    again: HashStore[Article] = HashStore.open(file, "code-1")
    assert set(again.values) == {"k2", "big"}
    kept = again.get("k2")
    assert kept is not None and kept.body_html == body_of(2)  # copied into the new file


def test_the_previews_store_in_memory_keeps_its_bodies_readable(tmp_path: Path) -> None:
    file = tmp_path / "preview" / "s.store"
    keep_in_memory(file.parent)
    store: HashStore[Article] = HashStore.open(file, "code-1")
    for n in range(3):
        store.put(f"k{n}", article(n, body_of(n)))
    store.save([])
    read: HashStore[Article] = HashStore.open(file, "code-1")
    first = read.get("k0")
    assert first is not None and first.body_html == body_of(0)
    read.put("k3", article(3, body_of(3)))
    read.save([])  # appended: kept in memory as saved
    kept: HashStore[Article] = HashStore.open(file, "code-1")
    assert [a.body_html for a in map(kept.get, ["k1", "k3"]) if a] == [body_of(1), body_of(3)]
    # Another process writes the store anew: read again; what the preview holds still reads.
    fresh = tmp_path / "elsewhere.store"
    other: HashStore[Article] = HashStore.open(fresh, "code-1")
    other.put("k7", article(7, body_of(7)))
    other.save([])
    held = kept.get("k2")
    os.replace(fresh, file)
    after: HashStore[Article] = HashStore.open(file, "code-1")
    assert after.get("k2") is None and after.get("k7") == article(7, body_of(7))
    assert held is not None and held.body_html == body_of(2)


def test_damaged_bodies_in_the_store_build_what_a_cold_build_builds(tmp_path: Path) -> None:
    root = tmp_path / "desk"
    make_project(root)
    build(root, with_pdf=False, use_manifest=True)
    cache = root / ".briefgen-cache"
    store = cache / "articles.store"
    data = store.read_bytes()
    damaged = data.replace(b"opens it", b"OPENS IT")  # in the bodies only: the index is sound
    assert damaged != data and len(damaged) == len(data)
    store.write_bytes(damaged)
    assert len(HashStore.open(store, _parser_fingerprint()).values) > GENERATED
    shutil.rmtree(root / "site")  # every page made again, from the stored bodies...
    (cache / "quotes.store").unlink()  # ...and every quote looked for in them
    build(root, with_pdf=False, use_manifest=True)
    assert site_bytes(root / "site") == cold_build(root, tmp_path / "cold")
    assert "Marker gen-020 opens it" in (root / "site/articles/gen-020/index.html").read_text()


def test_the_preview_renders_stored_bodies_after_its_store_is_written_anew(
    tmp_path: Path,
) -> None:
    root = tmp_path / "desk"
    make_project(root)
    build(root, with_pdf=False, use_manifest=True)
    previewer = Previewer(root, with_pdf=False)
    previewer()  # the articles come from the store, their bodies unread
    store = root / ".briefgen-cache" / "articles.store"
    inode = store.stat().st_ino
    grown = root / "content" / "articles" / "gen-001.md"
    grown.write_text(grown.read_text() + "\n" + "A long added paragraph. " * 20_000 + "\n")
    previewer()
    assert store.stat().st_ino != inode  # the store outgrew itself: written anew
    settings = root / "content" / "briefing.yaml"
    settings.write_text(settings.read_text().replace("title: ", "title: Edited ", 1))
    built = previewer()  # every page shows the title: each article's body is read
    expected = clean_build(root, tmp_path / "clean")
    assert {f.path: f.data for f in built.files} == expected


def test_a_hostile_store_with_texts_cannot_run_code(tmp_path: Path) -> None:
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    file = tmp_path / "s.store"
    payload = pickle.dumps(({"x": Evil()}, {}))
    checksum = hashlib.sha256(payload).hexdigest()
    file.write_bytes(
        b"briefgen-store\n2\ncode-1\n"
        + f"{checksum}\n{0:020d}\n{len(payload):020d}\n".encode()
        + payload
    )
    assert HashStore.open(file, "code-1").values == {}
    assert not marker.exists()


@pytest.mark.parametrize("first_read", ["quote check", "render", "render in process"])
def test_a_damaged_body_of_a_file_edited_behind_its_stamp_fails_once_then_builds(
    tmp_path: Path, first_read: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored body is damaged and the file no longer matches the store's article (an
    edit that kept its size and time stamp): no page mixes the two. The build fails
    saying so, the store goes, and the next build is what a cold build makes. The body
    is first read by the quote check, or (its quotes known) by the page's render, in
    workers or, as in the preview (which never forks), in the build's own process."""
    if first_read == "render in process":
        monkeypatch.setattr("briefgen.pool.can_fork", lambda: False)
    root = tmp_path / "desk"
    make_project(root)
    clock = Clock()
    for path in (root / "content").rglob("*"):
        clock.touch(path)  # old stamps, which the store trusts
    build(root, with_pdf=False, use_manifest=True)
    cache = root / ".briefgen-cache"
    store = cache / "articles.store"
    store.write_bytes(store.read_bytes().replace(b"gen-020 opens it", b"gen-020 OPENS IT"))
    edited = root / "content" / "articles" / "gen-020.md"
    stamp = edited.stat()
    edited.write_text(edited.read_text().replace("gen-020 opens it.", "gen-020 opens it!"))
    os.utime(edited, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    shutil.rmtree(root / "site")
    if first_read == "quote check":
        (cache / "quotes.store").unlink()  # the quote cited from gen-020 is looked for again
    with pytest.raises(BuildFailed) as failed:
        build(root, with_pdf=False, use_manifest=True)
    assert [(d.pos and d.pos.path.name, d.message) for d in failed.value.diagnostics] == [
        (
            "gen-020.md",
            "the file changed while the site was built; expected it unchanged until the "
            "build ends: build again",
        )
    ]
    assert not store.exists()
    build(root, with_pdf=False, use_manifest=True)
    assert site_bytes(root / "site") == cold_build(root, tmp_path / "cold")
    assert "gen-020 opens it!" in (root / "site/articles/gen-020/index.html").read_text()
