"""The output writer: all or nothing, and an unchanged file is never touched."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from briefgen.errors import BuildFailed
from briefgen.write import (
    MARKER,
    OutputFile,
    WriteReport,
    check_outputs,
    replace_file,
    write_site,
)

TOO_LONG = "x" * 300 + ".html"
"""A name no file system accepts (the limit is 255 bytes): a write that fails as root too."""


def snapshot(root: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under root with its bytes, inode and mtime."""
    return {
        path.relative_to(root).as_posix(): (
            path.read_bytes(),
            path.stat().st_ino,
            path.stat().st_mtime_ns,
        )
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != MARKER
    }


def leftovers(parent: Path) -> list[str]:
    """Staging and work folders the writer left beside the output."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_first_build_writes_every_file_and_no_staging_folder(tmp_path: Path) -> None:
    out = tmp_path / "site"
    report = write_site(
        [OutputFile("index.html", b"home"), OutputFile("issues/talks/index.html", b"talks")], out
    )
    assert report == WriteReport(("index.html", "issues/talks/index.html"), (), ())
    assert {rel: data for rel, (data, _, _) in snapshot(out).items()} == {
        "index.html": b"home",
        "issues/talks/index.html": b"talks",
    }
    assert leftovers(tmp_path) == []


def test_first_build_creates_missing_parent_folders(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "er" / "site"
    write_site([OutputFile("index.html", b"home")], out)
    assert (out / "index.html").read_bytes() == b"home"


def test_rebuild_rewrites_only_changed_files_and_keeps_inode_and_mtime_of_the_rest(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    write_site([OutputFile("index.html", b"home"), OutputFile("assets/style.css", b"body {}")], out)
    before = snapshot(out)
    report = write_site(
        [
            OutputFile("index.html", b"home, edited"),
            OutputFile("assets/style.css", b"body {}"),
            OutputFile("watch/index.html", b"new page"),
        ],
        out,
    )
    assert report == WriteReport(("index.html", "watch/index.html"), ("assets/style.css",), ())
    after = snapshot(out)
    assert after["assets/style.css"] == before["assets/style.css"]
    assert after["index.html"][0] == b"home, edited"
    assert after["watch/index.html"][0] == b"new page"
    assert leftovers(tmp_path) == []


def test_rebuild_of_same_size_but_different_bytes_is_written(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([OutputFile("index.html", b"aaaa")], out)
    report = write_site([OutputFile("index.html", b"bbbb")], out)
    assert report.written == ("index.html",)
    assert (out / "index.html").read_bytes() == b"bbbb"


def test_rebuild_removes_files_no_longer_built_and_their_empty_folders(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site(
        [
            OutputFile("index.html", b"home"),
            OutputFile("articles/beta/index.html", b"beta"),
            OutputFile("articles/alpha/index.html", b"alpha"),
        ],
        out,
    )
    (out / "stray.html").write_bytes(b"put here by hand")
    report = write_site(
        [OutputFile("index.html", b"home"), OutputFile("articles/alpha/index.html", b"alpha")], out
    )
    assert report.removed == ("articles/beta/index.html", "stray.html")
    assert report.written == ()
    assert sorted(snapshot(out)) == ["articles/alpha/index.html", "index.html"]
    assert not (out / "articles" / "beta").exists()
    assert (out / "articles").is_dir()


def test_nothing_changed_touches_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    files = [OutputFile("index.html", b"home"), OutputFile("feed.xml", b"<feed/>")]
    write_site(files, out)
    before = snapshot(out)
    folder_mtime = out.stat().st_mtime_ns
    report = write_site(files, out)
    assert report == WriteReport((), ("index.html", "feed.xml"), ())
    assert snapshot(out) == before
    assert out.stat().st_mtime_ns == folder_mtime
    assert leftovers(tmp_path) == []


def test_a_folder_of_the_last_build_may_become_a_file(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([OutputFile("index.html", b"home"), OutputFile("notes/a.html", b"a")], out)
    report = write_site(
        [OutputFile("index.html", b"home"), OutputFile("notes", b"now a file")], out
    )
    assert report.removed == ("notes/a.html",)
    assert (out / "notes").read_bytes() == b"now a file"


def test_a_file_of_the_last_build_may_become_a_folder(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([OutputFile("index.html", b"home"), OutputFile("notes", b"a file")], out)
    report = write_site(
        [OutputFile("index.html", b"home"), OutputFile("notes/a.html", b"now in a folder")], out
    )
    assert report.removed == ("notes",)
    assert (out / "notes" / "a.html").read_bytes() == b"now in a folder"


def test_failed_first_build_leaves_no_site_and_no_staging_folder(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with pytest.raises(BuildFailed, match="cannot write the output: File name too long"):
        write_site([OutputFile("index.html", b"home"), OutputFile(TOO_LONG, b"x")], out)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_failed_rebuild_leaves_the_previous_output_exactly_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site(
        [OutputFile("index.html", b"home"), OutputFile("articles/beta/index.html", b"beta")], out
    )
    before = snapshot(out)
    with pytest.raises(BuildFailed, match="cannot write the output: File name too long"):
        write_site([OutputFile("index.html", b"home, edited"), OutputFile(TOO_LONG, b"x")], out)
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_a_link_inside_the_old_output_is_removed_never_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index.html").write_bytes(b"not the site's")
    (outside / "keep.txt").write_bytes(b"keep")
    out = tmp_path / "site"
    write_site([OutputFile("index.html", b"home")], out)
    (out / "index.html").unlink()
    (out / "index.html").symlink_to(outside / "index.html")
    (out / "articles").symlink_to(outside)
    report = write_site(
        [OutputFile("index.html", b"home"), OutputFile("articles/a.html", b"a")], out
    )
    assert report.written == ("index.html", "articles/a.html")
    assert report.removed == ("articles",)  # the link itself, not what it points to
    assert not (out / "index.html").is_symlink() and not (out / "articles").is_symlink()
    assert (out / "index.html").read_bytes() == b"home"
    assert sorted(p.name for p in outside.iterdir()) == ["index.html", "keep.txt"]
    assert (outside / "index.html").read_bytes() == b"not the site's"


def test_an_output_folder_that_is_a_link_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_bytes(b"keep")
    out = tmp_path / "site"
    out.symlink_to(elsewhere)
    with pytest.raises(BuildFailed) as failed:
        write_site([OutputFile("index.html", b"home")], out)
    assert [str(d) for d in failed.value.diagnostics] == [
        f"{out}:1:1: output folder is a symbolic link; expected a folder"
    ]
    assert sorted(p.name for p in elsewhere.iterdir()) == ["precious.txt"]


def test_output_folder_and_files_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_site(
            [OutputFile("index.html", b"home"), OutputFile("a/b.html", b"b")], tmp_path / "s"
        )
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "s").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "s" / "a").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "s" / "index.html").stat().st_mode) == 0o644


def test_a_rebuild_keeps_the_mode_and_group_the_user_gave_the_output_folder(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    write_site([OutputFile("index.html", b"home")], out)
    os.chmod(out, 0o2750)
    os.chown(out, -1, 1)  # a web server's group, say (gid 1 exists on Debian: daemon)
    write_site([OutputFile("index.html", b"home, edited")], out)
    assert (out / "index.html").read_bytes() == b"home, edited"
    assert stat.S_IMODE(out.stat().st_mode) == 0o2750
    assert out.stat().st_gid == 1


def test_every_output_carries_the_marker(tmp_path: Path) -> None:
    write_site([OutputFile("index.html", b"home")], tmp_path / "site")
    assert (tmp_path / "site" / MARKER).read_text().startswith("This folder is written by briefgen")


def test_work_folders_of_a_killed_write_are_cleared_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([OutputFile("index.html", b"home")], out)
    (tmp_path / ".site.new-0123dead").mkdir()
    (tmp_path / ".site.new-0123dead" / "index.html").write_bytes(b"half")
    (tmp_path / ".site.new-mine").mkdir()  # a name alike, not ours: kept
    write_site([OutputFile("index.html", b"home")], out)
    assert leftovers(tmp_path) == [".site.new-mine"]


def test_an_output_moved_aside_by_a_killed_write_is_put_back(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([OutputFile("index.html", b"home"), OutputFile("old.html", b"o")], out)
    out.rename(tmp_path / ".site.old-0123dead")  # killed between the two renames of a swap
    report = write_site([OutputFile("index.html", b"home")], out)
    assert report.removed == ("old.html",) and report.unchanged == ("index.html",)
    assert leftovers(tmp_path) == []


def test_replace_file_swaps_the_whole_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "briefing.pdf"
    target.write_bytes(b"old bytes")
    with target.open("rb") as reader:
        replace_file(target, b"new bytes")
        assert reader.read() == b"old bytes"  # a reader mid-way sees the old file whole
    assert target.read_bytes() == b"new bytes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["briefing.pdf"]


def test_replace_file_that_fails_leaves_the_target_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "briefing.pdf"
    target.mkdir()
    (target / "kept.txt").write_text("kept")
    with pytest.raises(OSError, match="is a folder"):
        replace_file(target, b"%PDF-")
    assert (target / "kept.txt").read_text() == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["briefing.pdf"]


@pytest.mark.parametrize(
    "path", ["../outside.html", "/etc/passwd", "issues/../../x.html", "issues\\talks.html", ""]
)
def test_output_path_that_leaves_the_site_is_refused_before_anything_is_written(
    path: str, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    with pytest.raises(BuildFailed) as failed:
        write_site([OutputFile("index.html", b"home"), OutputFile(path, b"x")], out)
    assert [str(d) for d in failed.value.diagnostics] == [
        f"{out}:1:1: output path '{path}' leaves the site"
    ]
    assert list(tmp_path.iterdir()) == []


def test_every_clash_of_outputs_is_reported_at_once(tmp_path: Path) -> None:
    files = [
        OutputFile("index.html", b"one"),
        OutputFile("index.html", b"two"),
        OutputFile("media", b"a file"),
        OutputFile("media/map.png", b"png"),
    ]
    with pytest.raises(BuildFailed) as failed:
        check_outputs(files, tmp_path / "site")
    assert [d.message for d in failed.value.diagnostics] == [
        "two outputs claim 'index.html'",
        "output 'media' is a file, but 'media/map.png' needs it as a folder",
    ]
    check_outputs(files[1:2] + files[3:], tmp_path / "site")  # without the clashes: fine
