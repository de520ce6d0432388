"""Hostile inputs, crashes and concurrent runs: nothing lost, nothing leaked, no hang."""

from __future__ import annotations

import email.policy
import itertools
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from email.parser import BytesParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

from briefgen.quotes import TextIndex, highlight
from tests.conftest import MINIMAL, Result

SECRET = "TOP-SECRET-OUTSIDE-THE-PROJECT"


def briefgen(
    *args: str | os.PathLike[str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """briefgen in its own process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "briefgen", *map(os.fspath, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def site_text(site: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in sorted(site.rglob("*")) if p.is_file())


# --- files outside the project -----------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "text"),
    [
        ("content/articles/leak.md", f"---\ntitle: Leak\n---\n{SECRET}\n"),
        ("content/issues/leak.yaml", f"title: {SECRET}\nbottom_line: {SECRET}.\n"),
    ],
)
def test_a_link_to_a_file_outside_the_project_is_refused_not_read(
    rel: str,
    text: str,
    project: Callable[..., Path],
    run: Callable[..., Result],
    tmp_path: Path,
) -> None:
    root = project()
    outside = tmp_path / "outside.txt"
    outside.write_text(text)
    (root / rel).symlink_to(outside)
    result = run("build", root, "--no-pdf")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        f"{root / rel}:1:1: is a symbolic link to a file outside the project; "
        "expected a file of the project"
    )
    assert SECRET not in result.err
    assert not (root / "site").exists()


def test_a_link_to_a_file_inside_the_project_is_read(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project({"drafts/beta.md": "---\ntitle: Beta report\n---\nBeta text.\n"})
    (root / "content/articles/beta.md").symlink_to(root / "drafts/beta.md")
    result = run("build", root, "--no-pdf")
    assert result.code == 0, result.err
    assert "Beta text." in (root / "site/articles/beta/index.html").read_text()


@pytest.mark.parametrize("kind", ["symlink", "fifo", "device"])
def test_pdf_and_eml_targets_that_are_not_regular_files_are_left_alone(
    kind: str, project: Callable[..., Path], tmp_path: Path
) -> None:
    root = project()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    if kind == "symlink":
        target = tmp_path / "target"
        target.symlink_to(victim)
        what = "is a symbolic link"
    elif kind == "fifo":
        target = tmp_path / "target"
        os.mkfifo(target)
        what = "is a FIFO"
    else:
        target = Path("/dev/null")
        what = "is a device"
    before = os.lstat(target)
    pdf = briefgen("pdf", root, "-o", target, timeout=60)
    assert pdf.returncode == 1
    assert pdf.stderr.splitlines()[0].endswith(f"cannot write the PDF: {what}; expected a file")
    eml = briefgen("email", root, "--eml", target, timeout=60)
    assert eml.returncode == 1
    assert eml.stderr.strip() == f"briefgen: cannot write {target}: {what}; expected a file"
    after = os.lstat(target)
    assert (after.st_ino, stat.S_IFMT(after.st_mode)) == (
        before.st_ino,
        stat.S_IFMT(before.st_mode),
    )
    assert victim.read_text() == "keep me"


def test_site_is_readable_by_others_under_the_usual_umask(project: Callable[..., Path]) -> None:
    root = project()
    process = subprocess.run(
        [
            "sh",
            "-c",
            'umask 022 && exec "$0" -m briefgen build "$1" --no-pdf',
            sys.executable,
            root,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    site = root / "site"
    assert stat.S_IMODE(site.stat().st_mode) == 0o755
    assert stat.S_IMODE((site / "issues").stat().st_mode) == 0o755
    assert stat.S_IMODE((site / "index.html").stat().st_mode) == 0o644


# --- crashes and concurrent runs ---------------------------------------------------------


def _edition(root: Path, n: int) -> None:
    """Make every page of the next build say which build it is."""
    (root / "content/briefing.yaml").write_text(
        f"title: Build {n} briefing\nedition: 2026-03-01\nsummary: Build {n}.\n"
    )


def _builds_seen(site: Path) -> set[str]:
    seen = set()
    for page in site.rglob("*.html"):
        text = page.read_text()
        seen.update(f"Build {n} briefing" for n in range(50) if f"Build {n} briefing" in text)
    return seen


def test_kill_9_at_any_instant_leaves_the_old_site_or_the_new_and_the_next_run_recovers(
    project: Callable[..., Path], tmp_path: Path
) -> None:
    files = {
        f"content/issues/i{n:02d}.yaml": MINIMAL["content/issues/talks.yaml"] for n in range(30)
    }
    root = project(files)
    _edition(root, 0)
    assert briefgen("build", root, "--no-pdf").returncode == 0
    pages = sorted(p.relative_to(root / "site") for p in (root / "site").rglob("*.html"))
    rng = random.Random(16)
    started = time.monotonic()
    full = briefgen("build", root, "--no-pdf", "--force")
    took = time.monotonic() - started
    for n in range(1, 13):
        _edition(root, n)
        process = subprocess.Popen(
            [sys.executable, "-m", "briefgen", "build", root, "--no-pdf"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 1.0) * took)
        process.send_signal(signal.SIGKILL)
        process.wait()
        seen = _builds_seen(root / "site")
        assert len(seen) == 1, f"kill {n}: a mix of builds {seen}"
        assert (
            sorted(p.relative_to(root / "site") for p in (root / "site").rglob("*.html")) == pages
        )
    assert full.returncode == 0
    final = briefgen("build", root, "--no-pdf")
    assert final.returncode == 0, final.stderr
    assert _builds_seen(root / "site") == {"Build 12 briefing"}
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


KILLED_BUILD = """
import os, signal, sys
from briefgen.cli import main

site, at = sys.argv[1], int(sys.argv[2])
parent, name = os.path.split(site)
count = 0

def concerns_the_site(arg):
    if not isinstance(arg, (str, os.PathLike)):
        return False
    path = os.fspath(arg)
    return path == site or path.startswith((site + "/", os.path.join(parent, "." + name + ".")))

def watched(call):
    def step(*args, **kwargs):
        global count
        if any(concerns_the_site(arg) for arg in args[:2]):
            count += 1
            if count == at:
                print(call.__name__, *args[:2], flush=True)
                os.kill(os.getpid(), signal.SIGKILL)
        return call(*args, **kwargs)
    return step

for call in ("mkdir", "rename", "replace", "unlink", "rmdir"):
    setattr(os, call, watched(getattr(os, call)))
sys.exit(main(sys.argv[3:]))
"""
"""`briefgen ARGS` killed by SIGKILL just before its n-th change to the site or to a
folder beside it (a folder made, a rename, an unlink, a folder removed)."""


def _site_bytes(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_kill_9_during_a_small_change_leaves_each_page_old_or_new_and_the_next_run_finishes_it(
    project: Callable[..., Path], run: Callable[..., Result], tmp_path: Path
) -> None:
    reports = {
        f"content/articles/r{n:02d}.md": f"---\ntitle: Report {n}\n---\nText {n}.\n"
        for n in range(30)
    }
    root = project(reports)

    def make(version: int, where: Path) -> None:
        """Version 1 adds an article (a new folder, and the pages that list it change);
        going back removes its page and its folder."""
        late = where / "content/articles/late.md"
        if version:
            late.write_text("---\ntitle: Late\n---\nA late report.\n")
        else:
            late.unlink(missing_ok=True)

    cold = []
    for version in (0, 1):  # what a build of each version makes from nothing
        scratch = tmp_path / f"cold{version}"
        shutil.copytree(root / "content", scratch / "content")
        make(version, scratch)
        assert run("build", scratch, "--no-pdf").code == 0
        cold.append(_site_bytes(scratch / "site"))
    site = root / "site"
    assert run("build", root, "--no-pdf").code == 0
    now, committed_at = 0, None
    for at in itertools.count(1):
        make(1 - now, root)
        killed = subprocess.run(
            [sys.executable, "-c", KILLED_BUILD, site, str(at), "build", root, "--no-pdf"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if killed.returncode == 0:
            break
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        step = killed.stdout.strip()
        if step.startswith("rename") and step.endswith("/journal"):
            committed_at = at
        seen = _site_bytes(site)
        assert all(data in (cold[0].get(rel), cold[1].get(rel)) for rel, data in seen.items())
        if committed_at is None or at <= committed_at:
            assert seen == cold[now], f"killed before {step}"
        now = 1 - now
        after = run("build", root, "--no-pdf")
        assert after.code == 0, after.err
        assert _site_bytes(site) == cold[now], f"killed before {step}"
        assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []
        # the next run finished the journal before it built: nothing left for it to write
        finished = committed_at is not None and at > committed_at
        assert (" 0 written" in after.out) == finished, (step, after.out)
    assert committed_at is not None and at - committed_at >= 4
    assert _site_bytes(site) == cold[1 - now]


def test_two_builds_of_one_project_at_once_both_succeed_one_after_the_other(
    project: Callable[..., Path],
) -> None:
    files = {
        f"content/issues/i{n:02d}.yaml": MINIMAL["content/issues/talks.yaml"] for n in range(20)
    }
    root = project(files)
    command = [sys.executable, "-m", "briefgen", "build", root, "--no-pdf", "--force"]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    results = []
    for process in runs:
        out, err = process.communicate(timeout=120)
        results.append((process.returncode, out, err))
    assert [code for code, _, _ in results] == [0, 0, 0], results
    waited = [err for _, _, err in results if err]
    assert all(
        err.startswith("WARNING: waiting for another briefgen run on this project to finish")
        and len(err.splitlines()) == 1
        for err in waited
    ), waited
    assert "Traceback" not in "".join(err for _, _, err in results)
    assert len(list((root / "site/issues").iterdir())) == 21
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


# --- bounded cost --------------------------------------------------------------------------


def test_quote_index_of_a_long_article_costs_memory_in_proportion_to_its_size() -> None:
    paragraph = "<p>The minister spoke about <em>trade</em> and the port at length.</p>\n"
    fragment = paragraph * (2_000_000 // len(paragraph)) + "<p>nothing else was said</p>"
    tracemalloc.start()
    try:
        index = TextIndex.of(fragment)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the text itself is ~0.9 times the HTML; a map per character took 120 times more
    assert peak < 4 * len(fragment), f"{peak / len(fragment):.1f} bytes per byte of HTML"
    assert index.find("nothing else was said") is not None
    marked = highlight(fragment, [("q1", "nothing else was said")])
    assert marked.endswith('<p><mark id="q1">nothing else was said</mark></p>')


def test_navigation_names_the_first_issues_and_links_to_all_of_them(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    files = {
        f"content/issues/i{n:02d}.yaml": MINIMAL["content/issues/talks.yaml"].replace(
            "The talks", f"Issue {n:02d}"
        )
        for n in range(12)
    }
    root = project(files)
    assert run("build", root, "--no-pdf").code == 0
    page = (root / "site/articles/alpha/index.html").read_text()
    nav = page[page.index("<nav") : page.index("</nav>")]
    assert nav.count("../../issues/") == 8
    assert '<a href="../../index.html#issues-title">Issues (13)</a>' in nav
    front = (root / "site/index.html").read_text()
    assert all(f"Issue {n:02d}" in front for n in range(12))


# --- the feed and the email ----------------------------------------------------------------


def test_feed_summary_is_escaped_html_and_the_feed_well_formed(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project(
        {
            "content/issues/talks.yaml": MINIMAL["content/issues/talks.yaml"].replace(
                "bottom_line: Talks continue.",
                "bottom_line: <img src=x onerror=alert(1)> Talks continue.",
            )
        }
    )
    result = run("build", root, "--no-pdf")
    assert result.code == 0, result.err
    feed = ElementTree.parse(root / "site/feed.xml").getroot()  # well-formed
    atom = "{http://www.w3.org/2005/Atom}"
    entries = [
        e for e in feed.iter(f"{atom}entry") if e.findtext(f"{atom}title") == "The talks (steady)"
    ]
    assert len(entries) == 1
    entry = entries[0]
    summary = entry.find(f"{atom}summary")
    assert summary is not None and summary.get("type") == "html" and not list(summary)
    # the HTML a feed reader renders shows the tag as text: no element, no script
    assert "&lt;img src=x onerror=alert(1)&gt; Talks continue." in (summary.text or "")


def test_title_with_an_encoded_line_break_is_reported_at_the_title_line(
    project: Callable[..., Path], chdir_tmp: Path, run: Callable[..., Result]
) -> None:
    root = project(
        {
            "content/briefing.yaml": "title: Brief =?utf-8?q?x=0ABcc:_spy@example.net?=\n"
            "email:\n  from: desk@example.org\n"
        }
    )
    result = run("email", root, "--dry-run", "--to", "jane@example.com")
    assert result.code == 1
    assert result.err.splitlines()[0].startswith(
        "p/content/briefing.yaml:1:8: title contains a line break or control character"
    )


def test_html_email_loads_no_remote_image(
    project: Callable[..., Path], run: Callable[..., Result], tmp_path: Path
) -> None:
    root = project(
        {
            "content/issues/talks.yaml": MINIMAL["content/issues/talks.yaml"].replace(
                "bottom_line: Talks continue. Nothing is settled.",
                "bottom_line: '![pixel](https://tracker.example/p.gif) Talks continue. "
                "Nothing is settled.'",
            )
        }
    )
    eml = tmp_path / "draft.eml"
    result = run("email", root, "--eml", eml, "--from", "desk@example.org")
    assert result.code == 0, result.err
    message = BytesParser(policy=email.policy.default).parsebytes(eml.read_bytes())
    html = message.get_body(("html",))
    assert html is not None
    body = html.get_content()
    assert "pixel Talks continue." in body
    assert "<img" not in body and "tracker.example" not in body


# --- files the user cannot read or write ---------------------------------------------------


def _as_plain_user(*args: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
    """briefgen as root without the capabilities that skip file permissions: it then
    meets permissions as any other user would (the interpreter stays readable)."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("needs setpriv (util-linux) to drop the capabilities that bypass permissions")
    command = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]
    if os.geteuid() != 0:
        command = []
    return subprocess.run(
        [*command, sys.executable, "-m", "briefgen", *map(os.fspath, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("rel", "message"),
    [
        ("content/issues", "cannot read folder: Permission denied"),
        ("content/articles", "cannot read folder: Permission denied"),
        ("content/articles/alpha.md", "cannot read file: Permission denied"),
        ("templates", "cannot read folder: Permission denied"),
        ("templates/article.html", "cannot read template: Permission denied"),
    ],
)
def test_an_unreadable_folder_or_template_is_one_line_not_a_traceback(
    rel: str, message: str, project: Callable[..., Path], tmp_path: Path
) -> None:
    root = project({"templates/article.html": '{% extends "base.html" %}\n'})
    (root / rel).chmod(0)
    try:
        result = _as_plain_user("build", root, "--no-pdf", "--out", tmp_path / "out")
    finally:
        (root / rel).chmod(0o755)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{root / rel}:1:1: {message}",
        "briefgen: 1 error; nothing written",
    ]
    assert not (tmp_path / "out").exists()


def test_a_read_only_project_fails_its_rebuild_in_one_line_and_keeps_its_site(
    project: Callable[..., Path],
) -> None:
    root = project()
    assert briefgen("build", root, "--no-pdf").returncode == 0
    (root / "content/articles/alpha.md").write_text(
        (root / "content/articles/alpha.md").read_text() + "\nAn edit.\n"
    )
    before = site_text(root / "site")
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~0o222)
    try:
        result = _as_plain_user("build", root, "--no-pdf")
    finally:
        for path in [root, *root.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
    assert result.returncode == 1
    # one line, whichever write is refused first (the cache's records or the site)
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].endswith(
        ("Permission denied", f"cannot write the output: Permission denied ({root})")
    )
    assert len(result.stderr.splitlines()) <= 2
    assert site_text(root / "site") == before


@pytest.mark.parametrize("rel", ["themes/default/static/leak.txt", "templates/leak.html"])
def test_a_theme_file_linked_from_outside_is_refused_not_published(
    rel: str, project: Callable[..., Path], run: Callable[..., Result], tmp_path: Path
) -> None:
    root = project()
    outside = tmp_path / "outside.txt"
    outside.write_text(SECRET)
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).symlink_to(outside)
    result = run("build", root, "--no-pdf")
    assert result.code == 1
    assert result.err.splitlines() == [
        f"{root / rel}:1:1: is a symbolic link to a file outside its folder; "
        "expected a file of the theme",
        "briefgen: 1 error; nothing written",
    ]
    assert not (root / "site").exists()
