"""Stamps and caches: stale work is redone, and a bad cache file only costs time."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from briefgen.cache import (
    CacheFolder,
    Manifest,
    Memo,
    PdfRecord,
    PdfStamps,
    file_stamp,
    tree_stamps,
)
from briefgen.listing import list_folder

PDF = b"%PDF-1.7 three pages of briefing %%EOF"
PDF_SHA = hashlib.sha256(PDF).hexdigest()


def touch_later(path: Path) -> None:
    """Move path's mtime a second on, as an editor saving the same bytes would."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_file_stamp_changes_with_size_or_mtime_never_by_itself(tmp_path: Path) -> None:
    path = tmp_path / "alpha.md"
    path.write_text("text")
    stamp = file_stamp(path)
    assert file_stamp(path) == stamp
    touch_later(path)
    later = file_stamp(path)
    assert later != stamp and later[1] == stamp[1]
    path.write_text("longer text")
    assert file_stamp(path)[1] == len("longer text")


def test_tree_stamps_cover_nested_files_and_single_files_and_skip_missing_roots(
    tmp_path: Path,
) -> None:
    (tmp_path / "content/issues").mkdir(parents=True)
    (tmp_path / "content/issues/talks.yaml").write_text("title: Talks\n")
    (tmp_path / "content/watch.yaml").write_text("items: []\n")
    (tmp_path / "briefing.yaml").write_text("title: T\n")
    stamps = tree_stamps([tmp_path / "content", tmp_path / "briefing.yaml", tmp_path / "gone"])
    assert sorted(stamps) == sorted(
        os.fspath(tmp_path / rel)
        for rel in ("content/issues/talks.yaml", "content/watch.yaml", "briefing.yaml")
    )
    assert stamps[os.fspath(tmp_path / "briefing.yaml")] == list(
        file_stamp(tmp_path / "briefing.yaml")
    )


def test_memo_gives_a_value_back_only_while_its_stamp_holds() -> None:
    memo: Memo[str] = Memo()
    assert memo.put("alpha.md", (1, 10), "parsed alpha") == "parsed alpha"
    assert memo.get("alpha.md", (1, 10)) == "parsed alpha"
    assert memo.get("alpha.md", (2, 10)) is None
    assert memo.get("beta.md", (1, 10)) is None


def test_memo_forgets_what_the_last_build_no_longer_used() -> None:
    memo: Memo[str] = Memo()
    memo.put("alpha.md", 1, "alpha")
    memo.put("beta.md", 1, "beta")
    memo.keep_only(["beta.md"])
    assert memo.get("alpha.md", 1) is None
    assert memo.get("beta.md", 1) == "beta"


def test_cache_folder_keeps_one_file_per_output_and_purpose(tmp_path: Path) -> None:
    cache = CacheFolder(tmp_path / ".briefgen-cache")
    site, docs = tmp_path / "site", tmp_path / "docs"
    cache.write_json(site, "pdf.json", {"pages": 3})
    cache.write_json(docs, "pdf.json", {"pages": 5})
    cache.write_json(site, "manifest-site.json", ["site"])
    assert cache.read_json(site, "pdf.json") == {"pages": 3}
    assert cache.read_json(docs, "pdf.json") == {"pages": 5}
    assert cache.read_json(site, "manifest-site.json") == ["site"]
    assert len(list((tmp_path / ".briefgen-cache").iterdir())) == 3


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b""])
def test_corrupt_cache_file_reads_as_nothing(tmp_path: Path, content: bytes) -> None:
    cache = CacheFolder(tmp_path / ".briefgen-cache")
    cache.write_json(tmp_path / "site", "pdf.json", {"pages": 3})
    assert cache.read_json(tmp_path / "site", "pdf.json") == {"pages": 3}
    cache.path(tmp_path / "site", "pdf.json").write_bytes(content)
    assert cache.read_json(tmp_path / "site", "pdf.json") is None
    assert cache.read_json(tmp_path / "elsewhere", "pdf.json") is None  # never written


def test_cache_folder_that_cannot_be_made_costs_only_speed(tmp_path: Path) -> None:
    (tmp_path / ".briefgen-cache").write_text("a file where the cache folder must go")
    cache = CacheFolder(tmp_path / ".briefgen-cache")
    cache.write_json(tmp_path / "site", "pdf.json", {"pages": 3})  # no error
    assert cache.read_json(tmp_path / "site", "pdf.json") is None
    assert (tmp_path / ".briefgen-cache").read_text() == "a file where the cache folder must go"
    beside = CacheFolder(tmp_path / "cache")  # the same calls where a folder can be made
    beside.write_json(tmp_path / "site", "pdf.json", {"pages": 3})
    assert beside.read_json(tmp_path / "site", "pdf.json") == {"pages": 3}


# --- the manifest of a build ---------------------------------------------------------


@pytest.fixture
def built(tmp_path: Path) -> Manifest:
    """A project's inputs and an output folder, with the manifest saved after a build."""
    (tmp_path / "content/articles").mkdir(parents=True)
    (tmp_path / "content/articles/alpha.md").write_text("---\ntitle: Alpha\n---\nText.\n")
    (tmp_path / "briefing.yaml").write_text("title: T\n")
    (tmp_path / "site").mkdir()
    (tmp_path / "site/index.html").write_text("<h1>T</h1>")
    manifest = Manifest(
        CacheFolder(tmp_path / ".briefgen-cache"),
        (tmp_path / "content", tmp_path / "briefing.yaml"),
        tmp_path / "site",
        "site",
    )
    assert not manifest.is_current()  # never built
    save(manifest)
    assert manifest.is_current()
    return manifest


def save(manifest: Manifest) -> None:
    """Save the manifest as a build does after its write."""
    manifest.save(list_folder(manifest.out).files)


def next_build(manifest: Manifest) -> Manifest:
    """The manifest as the next build makes it: its inputs stamped anew."""
    return Manifest(manifest.cache, manifest.inputs, manifest.out, manifest.kind)


def test_manifest_is_stale_when_an_input_is_saved_again(built: Manifest) -> None:
    assert next_build(built).is_current()
    touch_later(built.inputs[0] / "articles/alpha.md")
    assert not next_build(built).is_current()


def test_manifest_is_stale_when_an_input_file_appears(built: Manifest) -> None:
    (built.inputs[0] / "articles/beta.md").write_text("---\ntitle: Beta\n---\n")
    assert not next_build(built).is_current()


def test_an_input_saved_during_a_build_is_built_by_the_next_one(tmp_path: Path) -> None:
    """The inputs are stamped before the build reads them, not when it ends."""
    (tmp_path / "content").mkdir()
    article = tmp_path / "content" / "alpha.md"
    article.write_text("first")
    (tmp_path / "site").mkdir()
    cache = CacheFolder(tmp_path / ".briefgen-cache")
    during = Manifest(cache, (tmp_path / "content",), tmp_path / "site", "site")
    touch_later(article)  # saved while the build runs
    save(during)
    after = Manifest(cache, (tmp_path / "content",), tmp_path / "site", "site")
    assert not after.is_current()
    save(after)
    assert Manifest(cache, (tmp_path / "content",), tmp_path / "site", "site").is_current()


@pytest.mark.parametrize("change", ["edit", "add", "delete"])
def test_manifest_is_stale_when_the_output_was_touched(built: Manifest, change: str) -> None:
    if change == "edit":
        (built.out / "index.html").write_text("<h1>tampered</h1>")
    elif change == "add":
        (built.out / "extra.html").write_text("")
    else:
        (built.out / "index.html").unlink()
    assert not built.is_current()


def test_manifest_of_another_kind_or_output_is_its_own(built: Manifest) -> None:
    with_pdf = Manifest(built.cache, built.inputs, built.out, "site+pdf")
    elsewhere = Manifest(built.cache, built.inputs, built.out.with_name("docs"), "site")
    assert not with_pdf.is_current()
    assert not elsewhere.is_current()


def test_manifest_from_another_briefgen_version_is_ignored(built: Manifest) -> None:
    path = built.cache.path(built.out, built.purpose)
    saved = json.loads(path.read_text())
    path.write_text(json.dumps({**saved, "version": "0.0.0-other"}))
    assert not built.is_current()
    save(built)
    assert built.is_current()


def test_corrupt_manifest_means_build_again(built: Manifest) -> None:
    built.cache.path(built.out, built.purpose).write_text('{"version": ')
    assert not built.is_current()


# --- the PDF: fresh when its key and its bytes are those of the last layout ----------


@pytest.fixture
def laid_out(tmp_path: Path) -> tuple[PdfStamps, Path]:
    """A PDF written to site/briefing.pdf and recorded under key 'k1'."""
    stamps = PdfStamps(CacheFolder(tmp_path / ".briefgen-cache"))
    target = tmp_path / "site" / "briefing.pdf"
    target.parent.mkdir()
    target.write_bytes(PDF)
    assert stamps.record(target, "k1", PDF, 3) == PdfRecord("k1", PDF_SHA, 3)
    assert stamps.fresh(target, "k1") is not None
    return stamps, target


def test_pdf_with_the_same_key_and_bytes_is_reused_with_its_page_count(
    laid_out: tuple[PdfStamps, Path],
) -> None:
    stamps, target = laid_out
    assert stamps.fresh(target, "k1") == (PDF, PdfRecord("k1", PDF_SHA, 3))


def test_pdf_is_laid_out_again_when_the_briefing_changed(
    laid_out: tuple[PdfStamps, Path],
) -> None:
    stamps, target = laid_out
    assert stamps.fresh(target, "k2") is None


def test_pdf_tampered_with_is_laid_out_again_even_at_the_same_size_and_mtime(
    laid_out: tuple[PdfStamps, Path],
) -> None:
    stamps, target = laid_out
    st = target.stat()
    target.write_bytes(PDF.replace(b"three", b"THREE"))
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert file_stamp(target) == (st.st_mtime_ns, st.st_size)
    assert stamps.fresh(target, "k1") is None


def test_pdf_deleted_or_moved_is_laid_out_again(
    laid_out: tuple[PdfStamps, Path], tmp_path: Path
) -> None:
    stamps, target = laid_out
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(PDF)
    assert stamps.fresh(copy, "k1") is None  # the record belongs to site/briefing.pdf
    target.unlink()
    assert stamps.fresh(target, "k1") is None


@pytest.mark.parametrize(
    "saved",
    [
        "not json",
        "[1, 2]",
        '{"key": "k1"}',
        '{"key": "k1", "sha256": "x", "pages": "three"}',
    ],
)
def test_pdf_record_that_is_corrupt_means_a_new_layout(
    laid_out: tuple[PdfStamps, Path], saved: str
) -> None:
    stamps, target = laid_out
    stamps.cache.path(target, PdfStamps.PURPOSE).write_text(saved)
    assert stamps.fresh(target, "k1") is None
    stamps.record(target, "k1", PDF, 3)
    assert stamps.fresh(target, "k1") is not None
