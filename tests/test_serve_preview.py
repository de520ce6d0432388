"""briefgen.serve.preview: builds in, snapshots served, rebuilt on saves, the browser updated.

Also the helpers the other test_serve_* modules share: real projects, real watchdog,
real sockets.
"""

from __future__ import annotations

import http.client
import io
import logging
import re
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.build import Previewer, build
from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.pdf import PrintDocument
from briefgen.project import find_project
from briefgen.serve.http import EVENTS
from briefgen.serve.preview import Notice, Preview
from briefgen.write import MARKER, OutputFile
from tests.conftest import FIXTURES, REPO, write_files

ARTICLE = "content/articles/alpha.md"
ISSUE = "content/issues/talks.yaml"
LOST_PAGE = "{% extends 'base.html' %}{% block content %}Lost{% endblock %}"
WAIT = 30.0
"""Generous: the machine may be busy; every wait polls and returns as soon as it can."""


def started_previews() -> Iterator[Callable[..., Preview]]:
    """The serve fixture's body: start Previews of real projects (port 0, no PDF unless
    asked), as `briefgen serve` does; every one is stopped afterwards."""
    started: list[Preview] = []

    def _serve(root: Path, *, with_pdf: bool = False, host: str = "127.0.0.1") -> Preview:
        builder = Previewer(root, with_pdf=with_pdf)
        preview = Preview(builder, watch=builder.project, host=host, port=0)
        started.append(preview)
        preview.start()
        return preview

    yield _serve
    for preview in started:
        preview.stop()


@pytest.fixture
def serve() -> Iterator[Callable[..., Preview]]:
    yield from started_previews()


def fetch(preview: Preview, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=WAIT)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def raw(preview: Preview, request: bytes) -> bytes:
    """Send bytes as they are (no client-side normalisation) and read the whole answer."""
    with socket.create_connection(("127.0.0.1", preview.port), timeout=WAIT) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def without_script(page: bytes) -> bytes:
    return re.sub(rb"<script data-briefgen-reload>.*?</script>\n", b"", page, flags=re.S)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def after_build(preview: Preview, action: Callable[[], object]) -> int:
    """Run action (file edits) and wait for the build it causes; return the build count."""
    before = preview.snapshot.builds
    action()
    preview.wait_until(lambda: preview.snapshot.builds > before, WAIT)
    return preview.snapshot.builds


def no_build_after(preview: Preview, count: int, window: float = 1.0) -> bool:
    """True if no build beyond count starts within window (debounce is 0.03 s)."""
    try:
        preview.wait_until(lambda: preview.snapshot.builds > count, window)
    except TimeoutError:
        return True
    return False


def clean_build(root: Path, out: Path) -> dict[str, bytes]:
    build(root, out, with_pdf=False)
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file()
        and p.relative_to(out).parts[0] != "pagefind"  # not in the preview
        and p.name != MARKER
    }


# --- a stand-in builder -----------------------------------------------------------------


@dataclass(frozen=True)
class StandInBuild:
    files: tuple[OutputFile, ...]
    pdf_name: str | None = None
    document: PrintDocument | None = None

    def print_document(self) -> PrintDocument:
        assert self.document is not None, "a PDF was asked of a build without one"
        return self.document


class StandInBuilder:
    """Each call takes the next outcome: a build to return, or an exception to raise."""

    def __init__(self, *outcomes: StandInBuild | Exception) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0

    def __call__(self) -> StandInBuild:
        outcome = self.outcomes[min(self.calls, len(self.outcomes) - 1)]
        self.calls += 1
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def site(text: str) -> StandInBuild:
    page = f"<!DOCTYPE html><html><head><title>T</title></head><body>{text}</body></html>"
    return StandInBuild(
        (
            OutputFile("index.html", page.encode()),
            OutputFile("assets/style.css", b"body { color: red; }\n"),
            OutputFile("404.html", b"<html><body>Lost</body></html>"),
        )
    )


def test_serves_what_the_builder_returns_and_its_mistakes_until_a_good_build(
    project: Callable[..., Path], caplog: pytest.LogCaptureFixture
) -> None:
    root = project()
    bad = SourcePos(root / "content/issues/talks.yaml", 3, 7)
    builder = StandInBuilder(
        site("First pages"),
        BuildFailed([Diagnostic(bad, "unknown key '<b>x</b>'")]),
        FileNotFoundError(2, "No such file or directory", str(root / "content/gone.md")),
        RuntimeError("a bug in a stage"),
        site("First pages"),
    )
    notices: list[Notice] = []
    with Preview(builder, watch=find_project(root), port=0, notify=notices.append) as preview:
        assert builder.calls == 1
        status, _, body = fetch(preview, "/")
        assert status == 200 and b"First pages" in body and EVENTS.encode() in body
        first = without_script(body)
        assert fetch(preview, "/assets/style.css")[2] == b"body { color: red; }\n"
        assert fetch(preview, "/nowhere")[0] == 404

        article = root / ARTICLE
        after_build(preview, lambda: article.write_text("a save"))
        status, _, body = fetch(preview, "/")
        assert status == 500 and b"talks.yaml:3:7: unknown key" in body
        assert b"&#x27;&lt;b&gt;x&lt;/b&gt;&#x27;" in body and EVENTS.encode() in body
        assert fetch(preview, "/assets/style.css")[0] == 200  # the last good files stay

        after_build(preview, lambda: article.write_text("another save"))
        status, _, body = fetch(preview, "/")
        assert status == 500 and b"gone.md:1:1: cannot read: No such file" in body

        with caplog.at_level(logging.ERROR, logger="briefgen.serve.preview"):
            after_build(preview, lambda: article.write_text("a third save"))
        assert b"RuntimeError: a bug in a stage" in fetch(preview, "/")[2]
        assert "the build stopped unexpectedly" in caplog.text

        after_build(preview, lambda: article.write_text("a good save"))
        status, _, body = fetch(preview, "/")
        assert status == 200 and without_script(body) == first
        assert builder.calls == preview.snapshot.builds == 5
    assert [type(n).__name__ for n in notices] == ["BuildDone"] * 5
    assert preview.pdf is None


def test_a_build_with_a_pdf_name_gets_its_pdf_laid_out_and_served(
    project: Callable[..., Path],
) -> None:
    root = project()
    document = PrintDocument("<p>Stand-in PDF</p>", (), root, (root / "content",))
    builder = StandInBuilder(StandInBuild(site("Pages").files, "brief.pdf", document))
    with Preview(builder, watch=find_project(root), port=0) as preview:
        preview.wait_until(lambda: preview.pdf is not None, WAIT * 2)
        status, headers, body = fetch(preview, "/brief.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert "Stand-in PDF" in PdfReader(io.BytesIO(body)).pages[0].extract_text()
    assert builder.calls == 1


# --- a real project ---------------------------------------------------------------------


def test_serves_exactly_what_build_writes(
    tmp_path: Path, example_site: Path, serve: Callable[..., Preview]
) -> None:
    root = tmp_path / "example"
    shutil.copytree(REPO / "content", root / "content")
    preview = serve(root)
    built = {
        p.relative_to(example_site).as_posix()
        for p in example_site.rglob("*")
        if p.is_file() and "pagefind" not in p.parts  # the preview has no search index
    }
    built.remove(MARKER)  # the output folder's mark, not a page of the site
    assert set(preview.snapshot.files) == built
    for rel in sorted(built):
        status, _, body = fetch(preview, "/" + rel)
        assert status == 200, rel
        expected = (example_site / rel).read_bytes()
        if rel.endswith(".html"):
            assert body.count(EVENTS.encode()) == 1, rel
            assert without_script(body) == expected, rel
        else:
            assert body == expected, rel
    assert not (root / "site").exists()  # serve never writes the site


def test_edits_rebuild_incrementally_and_match_a_clean_build(
    tmp_path: Path, serve: Callable[..., Preview]
) -> None:
    root = tmp_path / "second"
    shutil.copytree(FIXTURES / "second-project", root)
    preview = serve(root)
    articles = root / "content" / "articles"
    first = sorted(articles.iterdir())[0]
    steps: list[Callable[[], object]] = [
        lambda: first.write_text(first.read_text() + "\nA sentence added in the preview.\n"),
        lambda: edit(root / "briefing.yaml", "title:", "title: Edited"),
        lambda: write_files(root, {"content/articles/new-one.md": "---\ntitle: New\n---\nText.\n"}),
        lambda: (articles / "new-one.md").rename(articles / "renamed.md"),
        lambda: write_files(root, {"templates/404.html": LOST_PAGE}),
        lambda: (articles / "renamed.md").unlink(),
        lambda: shutil.rmtree(root / "templates"),
    ]
    for step in steps:
        after_build(preview, step)
        assert preview.snapshot.errors == ()
    expected = clean_build(root, tmp_path / "clean")
    preview.wait_until(lambda: dict(preview.snapshot.files) == expected, WAIT)
    assert "renamed" not in " ".join(preview.snapshot.files)


def test_broken_yaml_shows_an_error_page_until_fixed(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    root = project()
    preview = serve(root)
    issue = root / ISSUE
    good = issue.read_text()
    after_build(preview, lambda: issue.write_text("title: T\n<b>x</b>: 1\nbottom_line: y\n"))
    for path in ("/", "/articles/alpha/", "/no/such/page"):
        status, _, body = fetch(preview, path)
        assert status == 500 and b"talks.yaml:2:1: unknown key" in body, path
        assert b"&#x27;&lt;b&gt;x&lt;/b&gt;&#x27;" in body and b"<b>x</b>" not in body
        assert EVENTS.encode() in body
    assert fetch(preview, "/assets/style.css")[0] == 200  # the last good files stay
    after_build(preview, lambda: issue.write_text(good))
    status, _, body = fetch(preview, "/")
    assert status == 200 and b"Test briefing" in body


def test_the_server_starts_with_a_broken_project(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    root = project({ISSUE: "title: T\nbottom_line: [unclosed\n"})
    preview = serve(root)
    status, _, body = fetch(preview, "/")
    assert status == 500 and b"talks.yaml:" in body


def test_pdf_is_made_in_the_background_and_failures_are_logged(
    project: Callable[..., Path],
    serve: Callable[..., Preview],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    root = project()
    preview = serve(root, with_pdf=True)
    preview.wait_until(lambda: preview.pdf is not None, WAIT * 2)
    status, headers, body = fetch(preview, "/briefing.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF")
    # The pages are those of a full `briefgen build`, which link to the PDF.
    site = tmp_path / "full"
    build(root, site)
    for rel, data in preview.snapshot.files.items():
        assert data == (site / rel).read_bytes(), rel
    assert b'href="briefing.pdf"' in preview.snapshot.files["index.html"]
    # A print template that fails at run time breaks the PDF only, never the pages.
    with caplog.at_level(logging.ERROR, logger="briefgen.serve.pdfjob"):
        write_files(root, {"templates/print.html": "{{ no_such_variable }}"})
        preview.wait_until(lambda: "could not be made" in caplog.text, WAIT * 2)
    assert "print.html" in caplog.text
    assert fetch(preview, "/")[0] == 200
    assert fetch(preview, "/briefing.pdf")[2] == body  # the last good PDF


def test_no_pdf_thread_for_builds_without_a_pdf(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    serve(project())
    assert not [t for t in threading.enumerate() if t.name == "briefgen-pdf"]


# --- the browser ------------------------------------------------------------------------


def test_open_page_updates_by_itself(
    project: Callable[..., Path], serve: Callable[..., Preview], browser
) -> None:  # type: ignore[no-untyped-def]
    root = project()
    preview = serve(root)
    page = browser.new_page()
    page.goto(preview.url + "articles/alpha/")
    page.evaluate("window.sameDocument = true")
    edit(root / ARTICLE, "on Monday.", "on Monday.\n\nA sentence written during the test.")
    page.wait_for_function(
        "() => document.body.innerText.includes('A sentence written during the test.')",
        timeout=WAIT * 1000,
    )
    assert page.evaluate("window.sameDocument") is True  # the body was swapped in
    # and the meta description, which here is the text's start, was updated in place
    description = page.evaluate("document.querySelector('meta[name=description]').content")
    assert "A sentence written during the test." in description

    # A stylesheet change (in a themes/ folder made after the start) reloads the page.
    write_files(root, {"themes/default/static/style.css": "body { color: rgb(1, 2, 3); }\n"})
    page.wait_for_function(
        "() => getComputedStyle(document.body).color === 'rgb(1, 2, 3)'", timeout=WAIT * 1000
    )
    assert page.evaluate("window.sameDocument") is None
    page.close()


def test_error_overlay_appears_in_the_browser_and_clears(
    project: Callable[..., Path], serve: Callable[..., Preview], browser
) -> None:  # type: ignore[no-untyped-def]
    root = project()
    preview = serve(root)
    page = browser.new_page()
    page.goto(preview.url)
    issue = root / ISSUE
    good = issue.read_text()
    issue.write_text("title: The talks\nbottom_line: [unclosed\nstatus: steady\n")
    page.wait_for_selector("#briefgen-errors", timeout=WAIT * 1000)
    shown = page.inner_text("#briefgen-errors")
    assert re.search(r"talks\.yaml:2:14: the '\[' opened here is never closed", shown)
    issue.write_text(good)
    page.wait_for_function(
        "() => document.body.innerText.includes('Talks continue.')", timeout=WAIT * 1000
    )
    assert page.query_selector("#briefgen-errors") is None
    page.close()
