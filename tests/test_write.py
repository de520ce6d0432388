"""The output writer: all or nothing, and an unchanged file is never touched."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.errors import BuildFailed
from briefgen.listing import list_folder
from briefgen.write import (
    MARKER,
    THREADS_FROM,
    OutputFile,
    WriteReport,
    check_outputs,
    recover,
    replace_file,
    write_site,
)
from tests.conftest import Result

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


# --- a small change: made in place through a journal ---------------------------------------

PAGES = 40


def site_pages(edited: bool = False) -> list[OutputFile]:
    """A site of PAGES article pages; edited: one page changed, one gone, one new."""
    files = [OutputFile("index.html", b"home")] + [
        OutputFile(f"articles/a{n:02d}/index.html", f"page {n}".encode()) for n in range(PAGES)
    ]
    if edited:
        files[1] = OutputFile("articles/a00/index.html", b"page 0, edited")
        del files[2]
        files.append(OutputFile("articles/new/deep/index.html", b"a new page"))
    return files


def site_bytes(root: Path) -> dict[str, bytes]:
    return {rel: data for rel, (data, _, _) in snapshot(root).items()}


def as_dict(files: list[OutputFile]) -> dict[str, bytes]:
    return {f.path: f.data for f in files}


def test_a_small_change_is_made_in_place_and_the_rest_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site(site_pages(), out)
    before = snapshot(out)
    folder = out.stat().st_ino
    with (out / "articles/a00/index.html").open("rb") as reader:
        report = write_site(site_pages(edited=True), out)
        assert reader.read() == b"page 0"  # a reader mid-way sees the old file whole
    assert report.written == ("articles/a00/index.html", "articles/new/deep/index.html")
    assert report.removed == ("articles/a01/index.html",)
    after = snapshot(out)
    assert site_bytes(out) == as_dict(site_pages(edited=True))
    # the folder itself stays (a shell or a web server inside it sees the new site) and
    # every file the change does not concern keeps its inode and mtime
    assert out.stat().st_ino == folder
    kept = [rel for rel in after if rel != "articles/a00/index.html" and rel in before]
    assert len(kept) == PAGES - 1
    assert all(after[rel] == before[rel] for rel in kept)
    assert after["articles/a00/index.html"][1] != before["articles/a00/index.html"][1]
    assert not (out / "articles/a01").exists()
    assert leftovers(tmp_path) == []


def test_a_small_change_removes_every_folder_it_empties_and_keeps_the_rest(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    pages = [OutputFile(f"p{n}.html", b"page") for n in range(20)]
    write_site([*pages, OutputFile("a/b/c/deep.html", b"d"), OutputFile("a/x.html", b"x")], out)
    (out / "empty" / "inner").mkdir(parents=True)  # made by hand
    folder = out.stat().st_ino
    report = write_site([*pages, OutputFile("a/x.html", b"x"), OutputFile("n/new.html", b"n")], out)
    assert report.removed == ("a/b/c/deep.html",) and report.written == ("n/new.html",)
    assert out.stat().st_ino == folder  # made in place
    folders = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_dir())
    assert folders == ["a", "n"]


def test_a_small_change_replaces_a_link_in_the_old_output_and_never_writes_through_it(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside.html"
    outside.write_bytes(b"not the site's")
    out = tmp_path / "site"
    write_site(site_pages(), out)
    page = out / "articles/a03/index.html"
    page.unlink()
    page.symlink_to(outside)
    folder = out.stat().st_ino
    report = write_site(site_pages(), out)
    assert report.written == ("articles/a03/index.html",)
    assert out.stat().st_ino == folder  # made in place
    assert not page.is_symlink() and page.read_bytes() == b"page 3"
    assert outside.read_bytes() == b"not the site's"
    assert leftovers(tmp_path) == []


def test_an_edit_of_one_article_rewrites_its_page_in_place(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    reports = {
        f"content/articles/r{n:02d}.md": f"---\ntitle: Report {n}\n---\nText {n}.\n"
        for n in range(30)
    }
    root = project(reports)
    assert run("build", root, "--no-pdf").code == 0
    site = root / "site"
    before, folder = snapshot(site), site.stat().st_ino
    alpha = root / "content/articles/alpha.md"
    alpha.write_text(alpha.read_text() + "\nA late paragraph.\n")
    assert run("build", root, "--no-pdf").code == 0
    after = snapshot(site)
    assert b"A late paragraph." in after["articles/alpha/index.html"][0]
    assert after["articles/alpha/index.html"][1] != before["articles/alpha/index.html"][1]
    assert after["articles/r07/index.html"] == before["articles/r07/index.html"]
    assert after["assets/style.css"] == before["assets/style.css"]
    assert site.stat().st_ino == folder
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


def test_many_files_removed_and_few_written_are_still_a_small_change(tmp_path: Path) -> None:
    out = tmp_path / "site"
    bundle = [OutputFile(f"pagefind/fragment/f{n:03d}.pf", b"chunk") for n in range(200)]
    write_site([*site_pages(), *bundle], out)  # a site with its search index
    folder = out.stat().st_ino
    report = write_site(site_pages(), out)  # the index dropped, pages as they were
    assert len(report.removed) == 200 and report.written == ()
    assert out.stat().st_ino == folder  # made in place: pages keep inode and mtime
    assert not (out / "pagefind").exists()
    assert site_bytes(out) == as_dict(site_pages())
    assert leftovers(tmp_path) == []


def test_a_change_of_most_files_replaces_the_whole_tree_in_one_step(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site(site_pages(), out)
    folder = out.stat().st_ino
    everything = [OutputFile(f.path, f.data + b", edited") for f in site_pages()]
    report = write_site(everything, out)
    assert len(report.written) == PAGES + 1
    assert site_bytes(out) == as_dict(everything)
    assert out.stat().st_ino != folder  # swapped in whole: never a mix of the two builds
    assert leftovers(tmp_path) == []


KILLED_WRITE = """
import json, os, signal, sys
from pathlib import Path
from briefgen.write import OutputFile, write_site

files, out, at = json.loads(sys.argv[1])
count = 0

def watched(call):
    def step(*args, **kwargs):
        global count
        count += 1
        if count == at:
            paths = [a for a in args if isinstance(a, (str, os.PathLike))]
            print(call.__name__, *paths, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        return call(*args, **kwargs)
    return step

for name in ("mkdir", "rename", "replace", "unlink", "rmdir"):
    setattr(os, name, watched(getattr(os, name)))
write_site([OutputFile(path, data.encode()) for path, data in files], Path(out))
"""
"""write_site in its own process, killed by SIGKILL just before its n-th change to the
file system (a folder made, a rename, an unlink, a folder removed)."""


def killed_write(files: list[OutputFile], out: Path, at: int) -> subprocess.CompletedProcess[str]:
    plan = json.dumps([[[f.path, f.data.decode()] for f in files], os.fspath(out), at])
    return subprocess.run(
        [sys.executable, "-c", KILLED_WRITE, plan],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_write_killed_at_any_step_shows_each_file_old_or_new_and_recovery_completes_it(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    old, new = as_dict(site_pages()), as_dict(site_pages(edited=True))
    committed_at = None
    for at in itertools.count(1):
        write_site(site_pages(), out)
        killed = killed_write(site_pages(edited=True), out, at)
        if killed.returncode == 0:
            break
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        step = killed.stdout.strip()
        if step.startswith("rename") and step.endswith("/journal"):
            committed_at = at
        seen = site_bytes(out)
        assert all(data in (old.get(rel), new.get(rel)) for rel, data in seen.items()), step
        recover(out)  # what the next write does first
        want = new if committed_at is not None and at > committed_at else old
        assert site_bytes(out) == want, f"killed before: {step}"
        assert leftovers(tmp_path) == [], f"killed before: {step}"
    assert committed_at is not None, "the write never went through the journal"
    assert at - committed_at >= 6, "killed at too few steps after the commit"
    assert site_bytes(out) == new
    assert leftovers(tmp_path) == []


def killed_around_the_commit(tmp_path: Path, after: bool) -> tuple[Path, Path]:
    """The output and the staging folder of a write killed just before its commit, or
    just after it (before any step of the journal)."""
    out = tmp_path / "site"
    for at in itertools.count(1):
        write_site(site_pages(), out)  # completes or deletes what the last kill left
        killed = killed_write(site_pages(edited=True), out, at)
        assert killed.returncode == -signal.SIGKILL, "never committed"
        step = killed.stdout.strip()
        if step.startswith("rename") and step.endswith("/journal"):
            break
    if after:
        write_site(site_pages(), out)
        killed_write(site_pages(edited=True), out, at + 1)
    (staging,) = [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]
    return out, staging


def test_the_next_write_completes_a_killed_one_then_writes_its_own(tmp_path: Path) -> None:
    out, _ = killed_around_the_commit(tmp_path, after=True)
    assert site_bytes(out) == as_dict(site_pages())  # killed before any step of the journal
    third = [*site_pages(edited=True), OutputFile("articles/third/index.html", b"third")]
    report = write_site(third, out)
    assert report.written == ("articles/third/index.html",)  # the rest came from the journal
    assert site_bytes(out) == as_dict(third)
    assert leftovers(tmp_path) == []


def test_a_journal_the_user_made_impossible_is_dropped_and_the_write_still_makes_the_site(
    tmp_path: Path,
) -> None:
    out, _ = killed_around_the_commit(tmp_path, after=True)
    shutil.rmtree(out / "articles")  # deleted by hand after the crash
    write_site(site_pages(edited=True), out)
    assert site_bytes(out) == as_dict(site_pages(edited=True))
    assert leftovers(tmp_path) == []


def test_a_staging_folder_without_a_committed_journal_is_deleted(tmp_path: Path) -> None:
    out, staging = killed_around_the_commit(tmp_path, after=False)
    assert "journal" not in {p.name for p in staging.iterdir()}
    assert len(list(staging.iterdir())) == 3  # the two pages, and the journal not committed
    before = snapshot(out)
    recover(out)
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_a_journal_whose_paths_leave_the_output_is_not_applied(tmp_path: Path) -> None:
    out, staging = killed_around_the_commit(tmp_path, after=True)
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep me")
    journal = json.loads((staging / "journal").read_text())
    journal["remove"] = ["../outside.txt"]
    (staging / "journal").write_text(json.dumps(journal))
    before = snapshot(out)
    recover(out)
    assert outside.read_bytes() == b"keep me"
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


# --- a listing taken earlier: the output may have changed since ----------------------------


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "index.html").write_bytes(b"not the site's")
    return outside


def _link_a_folder_outside(out: Path, tmp_path: Path) -> None:
    shutil.rmtree(out / "articles/a00")
    (out / "articles/a00").symlink_to(_outside(tmp_path), target_is_directory=True)


def _link_the_articles_outside(out: Path, tmp_path: Path) -> None:
    shutil.rmtree(out / "articles")
    (out / "articles").symlink_to(_outside(tmp_path), target_is_directory=True)


def _delete_a_folder(out: Path, tmp_path: Path) -> None:
    shutil.rmtree(out / "articles")


def _file_where_a_folder_goes(out: Path, tmp_path: Path) -> None:
    (out / "articles/new").write_bytes(b"in the way")


def _folder_where_a_file_goes(out: Path, tmp_path: Path) -> None:
    (out / "articles/a00/index.html").unlink()
    (out / "articles/a00/index.html").mkdir()
    (out / "articles/a00/index.html/inner.html").write_bytes(b"in the way")


def _edit_a_page_it_leaves(out: Path, tmp_path: Path) -> None:
    (out / "articles/a05/index.html").write_bytes(b"edited by hand")


def _delete_a_file_it_removes(out: Path, tmp_path: Path) -> None:
    (out / "articles/a01/index.html").unlink()


@pytest.mark.parametrize(
    "change",
    [
        _link_a_folder_outside,
        _link_the_articles_outside,
        _delete_a_folder,
        _file_where_a_folder_goes,
        _folder_where_a_file_goes,
        _edit_a_page_it_leaves,
        _delete_a_file_it_removes,
    ],
)
def test_a_write_planned_from_an_older_listing_still_makes_the_site_and_writes_nothing_outside(
    tmp_path: Path, change: Callable[[Path, Path], None]
) -> None:
    out = tmp_path / "site"
    write_site(site_pages(), out)
    listing = list_folder(out)  # what the build listed before it loaded the content
    change(out, tmp_path)  # then the output was changed by hand
    report = write_site(site_pages(edited=True), out, listing=listing)
    assert site_bytes(out) == as_dict(site_pages(edited=True))
    assert not any(p.is_symlink() for p in out.rglob("*"))
    if (tmp_path / "outside").exists():
        assert [p.name for p in (tmp_path / "outside").iterdir()] == ["index.html"]
        assert (tmp_path / "outside/index.html").read_bytes() == b"not the site's"
    assert leftovers(tmp_path) == []
    # the stamps the write reports are those of the output as it now is
    assert report.stamps == list_folder(out).files


def test_a_kept_page_changed_after_the_listing_is_never_carried_as_a_link(tmp_path: Path) -> None:
    """A large change assembles a new tree: a kept page is hard-linked into it unread,
    but only while it is still a regular file; one made a link since is left out, and
    the stamps say so (the next build sees it missing and makes it again)."""
    out = tmp_path / "site"
    pages = site_pages()
    write_site(pages, out)
    listing = list_folder(out)
    kept = [f.path for f in pages[1:21]]
    page = out / "articles/a03/index.html"
    page.unlink()
    page.symlink_to(_outside(tmp_path) / "index.html")
    rewritten = [OutputFile(f.path, f.data + b", edited") for f in [pages[0], *pages[21:]]]
    report = write_site(rewritten, out, kept, listing)  # most files: a whole new tree
    assert not page.exists() and not page.is_symlink()
    assert "articles/a03/index.html" not in report.unchanged
    assert report.stamps == list_folder(out).files
    assert (tmp_path / "outside/index.html").read_bytes() == b"not the site's"
    expected = as_dict([*rewritten, *pages[1:21]])
    del expected["articles/a03/index.html"]
    assert site_bytes(out) == expected
    assert leftovers(tmp_path) == []


# --- a new tree of many files: written by a few threads --------------------------------------

MANY = THREADS_FROM * 3


def many_pages(version: int) -> list[OutputFile]:
    """More files than the writer makes alone, in folders of their own and shared ones."""
    return [OutputFile("index.html", f"home {version}".encode())] + [
        OutputFile(
            f"articles/a{n:04d}/index.html" if n % 3 else f"issues/i{n % 7}/p{n:04d}.html",
            f"page {n}, version {version}".encode(),
        )
        for n in range(MANY)
    ]


def test_a_new_tree_of_many_files_is_written_whole(tmp_path: Path) -> None:
    out = tmp_path / "site"
    report = write_site(many_pages(1), out)
    assert site_bytes(out) == as_dict(many_pages(1))
    assert len(report.written) == MANY + 1
    assert report.stamps == list_folder(out).files
    report = write_site(many_pages(2), out)  # every file changed: a whole new tree again
    assert site_bytes(out) == as_dict(many_pages(2))
    assert report.stamps == list_folder(out).files
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("where", [0, MANY // 2, MANY])
def test_a_file_that_cannot_be_written_among_many_fails_the_write_and_keeps_the_old_output(
    tmp_path: Path, where: int
) -> None:
    out = tmp_path / "site"
    write_site(many_pages(1), out)
    before = snapshot(out)
    files = many_pages(2)
    files.insert(where, OutputFile(f"articles/{TOO_LONG}", b"never written"))
    with pytest.raises(BuildFailed) as failed:
        write_site(files, out)
    (problem,) = failed.value.diagnostics
    assert problem.message.startswith("cannot write the output: File name too long")
    assert TOO_LONG in problem.message
    assert snapshot(out) == before  # same bytes, inodes and mtimes
    assert leftovers(tmp_path) == []


def test_a_first_write_of_many_files_that_fails_leaves_no_output(tmp_path: Path) -> None:
    out = tmp_path / "site"
    files = [*many_pages(1), OutputFile(f"issues/{TOO_LONG}", b"never written")]
    with pytest.raises(BuildFailed):
        write_site(files, out)
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_a_write_of_many_files_killed_at_any_step_leaves_the_old_output_whole(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    write_site(many_pages(1), out)
    folders = len({f.path.rpartition("/")[0] for f in many_pages(2)})
    for at in (1, 2, folders // 2, folders, folders + 1):  # folders made by the threads, the swap
        killed = killed_write(many_pages(2), out, at)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        assert site_bytes(out) == as_dict(many_pages(1)), killed.stdout
        recover(out)
        assert leftovers(tmp_path) == []
    write_site(many_pages(2), out)
    assert site_bytes(out) == as_dict(many_pages(2))
