"""briefgen serve: a real watchdog observer, real edits, real sockets and real Chromium."""

from __future__ import annotations

import errno
import http.client
import io
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen import build as build_module
from briefgen import pdfworker
from briefgen.build import Previewer, build
from briefgen.cli import make_parser
from briefgen.pdfworker import PdfFailed, PdfMade, PdfWorker
from briefgen.serve import EVENTS, BadPath, Preview, site_path
from briefgen.watcher import is_editor_file
from tests.conftest import FIXTURES, REPO, Result, write_files

ARTICLE = "content/articles/alpha.md"
ISSUE = "content/issues/talks.yaml"
LOST_PAGE = "{% extends 'base.html' %}{% block content %}Lost{% endblock %}"
WAIT = 30.0
"""Generous: the machine may be busy; every wait polls and returns as soon as it can."""


@pytest.fixture
def serve() -> Iterator[Callable[..., Preview]]:
    """Start a Preview (port 0, no PDF unless asked); every one is stopped afterwards."""
    started: list[Preview] = []

    def _serve(root: Path, **options: object) -> Preview:
        options = {"port": 0, "with_pdf": False, **options}
        preview = Preview(root, **options)  # type: ignore[arg-type]
        preview.start()
        started.append(preview)
        return preview

    yield _serve
    for preview in started:
        preview.stop()


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


def poll(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"still waiting: {what}"
        time.sleep(0.01)


class Published:
    """Collects what a PdfWorker publishes, and waits for it."""

    def __init__(self) -> None:
        self.results: list[PdfMade | PdfFailed] = []
        self._arrived = threading.Condition()

    def __call__(self, result: PdfMade | PdfFailed) -> None:
        with self._arrived:
            self.results.append(result)
            self._arrived.notify_all()

    def wait_for(self, count: int, timeout: float = WAIT * 2) -> bool:
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.results) >= count, timeout)


@pytest.fixture
def pdf_worker() -> Iterator[tuple[PdfWorker, Published]]:
    """A started PdfWorker without delay, and what it publishes; stopped afterwards."""
    published = Published()
    worker = PdfWorker(published, delay=0)
    worker.start()
    yield worker, published
    worker.stop()


def pdf_text(result: PdfMade | PdfFailed) -> str:
    assert isinstance(result, PdfMade), result
    return str(PdfReader(io.BytesIO(result.data)).pages[0].extract_text())


def clean_build(root: Path, out: Path) -> dict[str, bytes]:
    build(root, out, with_pdf=False)
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


# --- pure parts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "path"),
    [
        ("/", ""),
        ("/issues/taiwan/", "issues/taiwan/"),
        ("/issues/taiwan?x=1#top", "issues/taiwan"),
        ("/assets/caf%C3%A9.css", "assets/café.css"),
    ],
)
def test_site_path_decodes(target: str, path: str) -> None:
    assert site_path(target) == path


@pytest.mark.parametrize(
    "target",
    [
        "/../etc/passwd",
        "/a/../../b",
        "/%2e%2e/x",
        "/%2E%2E/x",
        "/a%2fb",
        "/a%5cb",
        "/a\\b",
        "//etc/passwd",
        "/./index.html",
        "/a%00.html",
        "/a%0d%0aSet-Cookie:x",
        "/%c0%ae%c0%ae/x",
        "relative",
        "http://example.org/",
        "*",
    ],
)
def test_site_path_refuses_escapes(target: str) -> None:
    with pytest.raises(BadPath):
        site_path(target)


@pytest.mark.parametrize(
    ("name", "ignored"),
    [
        (".alpha.md.swp", True),
        (".alpha.md.swx", True),
        ("4913", True),
        ("alpha.md~", True),
        (".#alpha.md", True),
        ("#alpha.md#", True),
        ("alpha.md___jb_tmp___", True),
        ("alpha.md", False),
        (".hidden.md", False),
        ("2026.md", False),
        ("talks.yaml", False),
    ],
)
def test_editor_files_are_recognised(name: str, ignored: bool) -> None:
    assert is_editor_file(name) is ignored


def test_defaults_bind_loopback_only(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    args = make_parser().parse_args(["serve"])
    assert (args.host, args.port, args.open, args.no_pdf) == ("127.0.0.1", 8000, False, False)
    preview = serve(project(), host=args.host)
    assert preview.url == f"http://127.0.0.1:{preview.port}/"
    socket.create_connection(("127.0.0.1", preview.port), timeout=WAIT).close()
    with pytest.raises(ConnectionRefusedError):  # another loopback address: not listening
        socket.create_connection(("127.0.0.2", preview.port), timeout=WAIT).close()


# --- what is served ---------------------------------------------------------------------


def test_serves_exactly_what_build_writes(
    tmp_path: Path, example_site: Path, serve: Callable[..., Preview]
) -> None:
    root = tmp_path / "example"
    shutil.copytree(REPO / "content", root / "content")
    preview = serve(root)
    built = {p.relative_to(example_site).as_posix() for p in example_site.rglob("*") if p.is_file()}
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


def test_urls_statuses_and_headers(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    preview = serve(project())
    status, headers, _ = fetch(preview, "/articles/alpha")
    assert (status, headers["Location"]) == (301, "/articles/alpha/")
    status, headers, body = fetch(preview, "/articles/alpha/?utm=x")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"Alpha report" in body and headers["Cache-Control"] == "no-store"
    assert fetch(preview, "/")[2] == fetch(preview, "/index.html")[2]
    assert fetch(preview, "/assets/style.css")[1]["Content-Type"] == "text/css; charset=utf-8"
    status, headers, body = fetch(preview, "/feed.xml")
    assert headers["Content-Type"] == "application/xml; charset=utf-8"
    assert EVENTS.encode() not in body
    status, headers, body = fetch(preview, "/no/such/page")
    assert status == 404 and b"Page not found" in body and EVENTS.encode() in body
    status, headers, body = fetch(preview, "/briefing.pdf")
    assert status == 404  # no PDF in this preview, and pages do not link to one
    assert b"briefing.pdf" not in fetch(preview, "/")[2]
    status, headers, body = fetch(preview, "/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW"])
def test_only_get_and_head_are_answered(
    project: Callable[..., Path], serve: Callable[..., Preview], method: str
) -> None:
    preview = serve(project())
    status, headers, _ = fetch(preview, "/", method=method)
    assert status == 405 and headers["Allow"] == "GET, HEAD"


def test_traversal_probes_get_400_or_404_and_never_a_file(
    project: Callable[..., Path], serve: Callable[..., Preview], tmp_path: Path
) -> None:
    root = project()
    (tmp_path / "secret.txt").write_text("TOPSECRET\n")
    preview = serve(root)
    probes = [
        "/../../etc/passwd",
        "/../secret.txt",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/secret.txt",
        "/assets/..%2f..%2f..%2fsecret.txt",
        "/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/..\\..\\secret.txt",
        "/assets\\..\\..\\secret.txt",
        "//etc/passwd",
        "/etc/passwd",
        "/%252e%252e/secret.txt",
        "/index.html%00.css",
        "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
        "/content/briefing.yaml",
        "/.briefgen-cache/",
        "../secret.txt",
        "http://127.0.0.1/../../etc/passwd",
    ]
    for target in probes:
        request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        answer = raw(preview, request.encode())
        status = int(answer.split(b" ", 2)[1])
        assert status in (400, 404), (target, answer[:200])
        assert b"TOPSECRET" not in answer and b"root:" not in answer, target
        assert b"Test briefing\nedition" not in answer, target  # briefing.yaml's text


def test_foreign_host_names_are_refused(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    """A page on another site cannot read the preview through DNS rebinding."""
    preview = serve(project())
    for host, status in [("evil.example", 403), ("localhost", 200), ("127.0.0.1:1", 200)]:
        request = f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        answer = raw(preview, request.encode())
        assert int(answer.split(b" ", 2)[1]) == status, host


# --- watching and rebuilding ------------------------------------------------------------


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


def test_new_and_deleted_articles_come_and_go(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    root = project()
    preview = serve(root)
    new = root / "content" / "articles" / "beta.md"
    after_build(preview, lambda: new.write_text("---\ntitle: Beta report\n---\nBeta text.\n"))
    status, _, body = fetch(preview, "/articles/beta/")
    assert status == 200 and b"Beta text." in body
    after_build(preview, new.unlink)
    assert fetch(preview, "/articles/beta/")[0] == 404


def test_vim_style_save_gives_exactly_one_build(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    root = project()
    preview = serve(root)
    folder = root / "content" / "articles"
    article = folder / "alpha.md"
    text = article.read_text().replace("Monday", "Wednesday")

    def vim_save() -> None:
        (folder / "4913").write_text("")  # vim checks it may write here
        (folder / "4913").unlink()
        article.rename(folder / "alpha.md~")  # the backup
        article.write_text(text)
        (folder / "alpha.md~").unlink()

    count = after_build(preview, vim_save)
    assert no_build_after(preview, count)
    assert b"Wednesday" in fetch(preview, "/articles/alpha/")[2]


def test_write_then_rename_save_gives_exactly_one_build(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    root = project()
    preview = serve(root)
    issue = root / ISSUE
    temp = issue.with_name(".talks.yaml.tmp.12345")

    def atomic_save() -> None:
        temp.write_text(issue.read_text().replace("Nothing is settled.", "Much is settled."))
        os.replace(temp, issue)

    count = after_build(preview, atomic_save)
    assert no_build_after(preview, count)
    assert b"Much is settled." in fetch(preview, "/issues/talks/")[2]


def test_editor_droppings_cause_no_build(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    root = project()
    preview = serve(root)
    count = preview.snapshot.builds
    folder = root / "content" / "articles"
    for name in (".alpha.md.swp", ".#alpha.md", "4913", "alpha.md~"):
        (folder / name).write_text("scratch")
    (root / "README.txt").write_text("not an input")
    assert no_build_after(preview, count)


def test_settings_moved_to_the_root_are_still_watched(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    root = project()  # its settings are content/briefing.yaml
    preview = serve(root)
    after_build(
        preview, lambda: (root / "content" / "briefing.yaml").rename(root / "briefing.yaml")
    )
    edit(root / "briefing.yaml", "Test briefing", "Moved briefing")
    preview.wait_until(lambda: b"Moved briefing" in preview.snapshot.files["index.html"], WAIT)


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
    assert re.search(r"talks\.yaml:3:7: YAML syntax error", page.inner_text("#briefgen-errors"))
    issue.write_text(good)
    page.wait_for_function(
        "() => document.body.innerText.includes('Talks continue.')", timeout=WAIT * 1000
    )
    assert page.query_selector("#briefgen-errors") is None
    page.close()


# --- the PDF ----------------------------------------------------------------------------


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
    with caplog.at_level(logging.ERROR, logger="briefgen.pdfworker"):
        write_files(root, {"templates/print.html": "{{ no_such_variable }}"})
        preview.wait_until(lambda: "could not be made" in caplog.text, WAIT * 2)
    assert "print.html" in caplog.text
    assert fetch(preview, "/")[0] == 200
    assert fetch(preview, "/briefing.pdf")[2] == body  # the last good PDF


def test_a_newer_pdf_supersedes_a_running_layout_and_an_unchanged_one_is_skipped(
    project: Callable[..., Path], pdf_worker: tuple[PdfWorker, Published]
) -> None:
    root = project()
    worker, published = pdf_worker
    worker.submit(Previewer(root)())
    poll(lambda: worker._layout is not None, "the first layout")
    assert not published.results
    edit(root / "content" / "briefing.yaml", "Test briefing", "Second edition")
    newer = Previewer(root)()
    worker.submit(newer)
    assert published.wait_for(1)
    worker.submit(newer)  # the same PDF again: nothing to do
    assert not published.wait_for(2, 2.0)
    (made,) = published.results
    assert "Second edition" in pdf_text(made)


PRINT_PAGE = "<!DOCTYPE html><html lang=en><head><title>PDF</title></head><body>{}</body></html>"


def test_an_undo_during_a_layout_keeps_the_pdf_that_matches_the_pages(
    project: Callable[..., Path], pdf_worker: tuple[PdfWorker, Published]
) -> None:
    """PDF A is made; B is saved; the edit is undone while B is laid out: B never comes."""
    page_a = PRINT_PAGE.format("<p>Version A</p>")
    # B's layout reads a FIFO as a background image: it waits until the test lets it go.
    page_b = PRINT_PAGE.format('<p style="background: url(content/gate)">Version B</p>')
    root = project({"templates/print.html": page_a})
    gate = root / "content" / "gate"
    os.mkfifo(gate)  # not a regular file: the PDF's key skips it
    worker, published = pdf_worker
    worker.submit(Previewer(root)())
    assert published.wait_for(1)
    write_files(root, {"templates/print.html": page_b})
    worker.submit(Previewer(root)())
    held = hold_gate(gate)  # B's layout is running
    write_files(root, {"templates/print.html": page_a})  # the undo
    worker.submit(Previewer(root)())
    poll(lambda: worker._pending is None, "the undo taken")
    os.close(held)  # a layout of B still running would now finish and be published
    poll(lambda: worker._layout is None, "no layout running")
    worker.stop()  # waits for the thread: nothing is published after this
    assert [pdf_text(r).splitlines()[0] for r in published.results] == ["Version A"]


def hold_gate(fifo: Path) -> int:
    """Open the FIFO for writing once a reader has it open; the reader waits until closed."""
    deadline = time.monotonic() + WAIT * 2
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:  # ENXIO: no reader yet
            assert exc.errno == errno.ENXIO and time.monotonic() < deadline, exc
            time.sleep(0.01)


@pytest.mark.parametrize(
    ("target", "failure"),
    [
        ("print_document", RuntimeError("a bug in the print HTML")),
        ("Popen", OSError(errno.EAGAIN, "no more processes")),
    ],
)
def test_a_failed_job_is_published_and_the_next_one_still_gets_its_pdf(
    project: Callable[..., Path],
    pdf_worker: tuple[PdfWorker, Published],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    target: str,
    failure: Exception,
) -> None:
    module = build_module if target == "print_document" else subprocess
    real = getattr(module, target)
    calls: list[object] = []

    def fails_once(*args: object, **kwargs: object) -> object:
        calls.append(args)
        if len(calls) == 1:
            raise failure
        return real(*args, **kwargs)

    monkeypatch.setattr(module, target, fails_once)
    root = project()
    worker, published = pdf_worker
    with caplog.at_level(logging.ERROR, logger="briefgen.pdfworker"):
        worker.submit(Previewer(root)())
        assert published.wait_for(1)
    (failed,) = published.results
    assert isinstance(failed, PdfFailed) and str(failure) in failed.message
    assert f"the PDF could not be made:\n{type(failure).__name__}: {failure}" in caplog.text
    worker.submit(Previewer(root)())
    assert published.wait_for(2)
    assert "Test briefing" in pdf_text(published.results[1])


def test_the_layout_process_ignores_the_working_folder_and_output_at_start_up(
    project: Callable[..., Path],
    pdf_worker: tuple[PdfWorker, Published],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A module in the working folder cannot shadow one; a module printing on import
    (sitecustomize, from the user's PYTHONPATH) cannot corrupt the result."""
    root = project()
    write_files(tmp_path / "cwd", {"weasyprint.py": "raise ImportError('shadowed')\n"})
    write_files(tmp_path / "path", {"sitecustomize.py": "print('printed on import')\n"})
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setenv("PYTHONPATH", os.fspath(tmp_path / "path"))
    worker, published = pdf_worker
    worker.submit(Previewer(root)())
    assert published.wait_for(1)
    assert "Test briefing" in pdf_text(published.results[0])


def test_the_layout_process_imports_this_very_briefgen(tmp_path: Path) -> None:
    """An installed briefgen (here: editable) is found as it is; a source tree used in
    place is put on the layout process's PYTHONPATH."""
    environment = pdfworker._child_environment()
    assert environment.get("PYTHONPATH") == os.environ.get("PYTHONPATH")
    source = tmp_path / "checkout"
    shutil.copytree(REPO / "briefgen", source / "briefgen")
    shown = subprocess.run(
        [
            sys.executable,
            "-P",
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); from briefgen import pdfworker; "
            "print(pdfworker._child_environment()['PYTHONPATH'])",
            os.fspath(source),
        ],
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout == f"{source.resolve()}\n"


# --- the command line -------------------------------------------------------------------


def test_cli_serves_on_a_free_port_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(REPO / "content", root / "content")
    server = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "serve", os.fspath(root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = ""
        for line in server.stdout:
            if found := re.match(r"serving (http://127\.0\.0\.1:(\d+)/)", line):
                url, port = found[1], int(found[2])
                break
        assert url, "no 'serving http://...' line"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        conn.close()
        deadline = time.monotonic() + WAIT * 2
        while time.monotonic() < deadline:  # the PDF is made in the background
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
            conn.request("GET", "/briefing.pdf")
            response = conn.getresponse()
            data = response.read()
            conn.close()
            if response.status == 200:
                assert data.startswith(b"%PDF")
                break
            time.sleep(0.2)
        else:
            pytest.fail("no PDF served")
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=WAIT)
    assert server.returncode in (0, 130)
    assert "Traceback" not in err, err


@pytest.mark.parametrize("port", ["70000", "65536", "-1", "http"])
def test_a_port_out_of_range_is_a_usage_error(run: Callable[..., Result], port: str) -> None:
    result = run("serve", "--port", port)
    assert result.code == 2
    last = result.err.splitlines()[-1]
    assert (
        last == f"briefgen serve: error: argument --port: not a port number (0 to 65535): {port!r}"
    )
    assert "Traceback" not in result.err


def test_port_in_use_is_one_clear_line(project: Callable[..., Path]) -> None:
    root = project()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "briefgen", "serve", os.fspath(root), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=WAIT,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr == (
        f"briefgen: port {port} on 127.0.0.1 is in use; try --port 0 or another port\n"
    )
