"""briefgen.serve.http: request paths, answers and the server's security, over real sockets."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from briefgen.errors import Diagnostic, SourcePos
from briefgen.serve.http import (
    EVENTS,
    BadPath,
    Server,
    _Handler,
    error_page,
    host_allowed,
    inject,
    site_path,
)
from briefgen.serve.preview import Preview
from tests.test_serve_preview import fetch, raw, started_previews


@pytest.fixture
def serve() -> Iterator[Callable[..., Preview]]:
    yield from started_previews()


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
    ("bind", "header", "allowed"),
    [
        ("127.0.0.1", "127.0.0.1:8000", True),
        ("127.0.0.1", "localhost", True),
        ("127.0.0.1", "[::1]:8000", True),
        ("127.0.0.1", "preview.localhost:8000", True),
        ("127.0.0.1", "evil.example", False),
        ("127.0.0.1", "127.0.0.1.evil.example", False),
        ("127.0.0.1", "[bad", False),
        ("::1", "evil.example", False),
        ("localhost", "evil.example", False),
        ("0.0.0.0", "evil.example", True),  # served to the network on purpose
        ("127.0.0.1", None, True),  # HTTP/1.0 has no Host header
    ],
)
def test_host_check_against_dns_rebinding(bind: str, header: str | None, allowed: bool) -> None:
    assert host_allowed(bind, header) is allowed


def test_the_script_goes_before_the_last_body_end_tag_and_errors_are_escaped() -> None:
    assert inject(b"<body>a</body>x</BODY>", b"S") == b"<body>a</body>xS</BODY>"
    assert inject(b"no body", b"S") == b"no bodyS"
    page = error_page((Diagnostic(SourcePos(Path("a.md"), 2, 3), "bad <i>"),))
    assert b"1 error." in page and b"a.md:2:3: bad &lt;i&gt;" in page


# --- over real sockets ------------------------------------------------------------------


def test_urls_statuses_and_headers(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    preview = serve(project())
    status, headers, _ = fetch(preview, "/articles/alpha")
    assert (status, headers["Location"]) == (301, "/articles/alpha/")
    status, headers, body = fetch(preview, "/articles/alpha/?utm=x")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"Alpha report" in body and headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
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


def test_a_client_sending_a_byte_at_a_time_is_cut_off(
    project: Callable[..., Path], serve: Callable[..., Preview], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_Handler, "head_deadline", 1.0)
    preview = serve(project())
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", preview.port), timeout=10) as sock:
        closed = False
        for byte in b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            time.sleep(0.1)
            if time.monotonic() - started > 5:
                break
        if not closed:
            sock.settimeout(3)
            assert sock.recv(100) == b""  # the server hung up
    assert time.monotonic() - started < 5
    assert fetch(preview, "/")[0] == 200  # and serves others as before


def test_connections_beyond_the_cap_get_503_and_the_rest_are_served(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    preview = serve(project())
    idle = [
        socket.create_connection(("127.0.0.1", preview.port), timeout=10)
        for _ in range(Server.max_connections)
    ]
    try:
        time.sleep(0.3)  # every one accepted and waiting for its request
        answer = raw(preview, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 503 ")
        assert answer.endswith(b"Too many open connections.\n")
    finally:
        for sock in idle:
            sock.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if fetch(preview, "/")[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.1)
    assert fetch(preview, "/")[0] == 200
