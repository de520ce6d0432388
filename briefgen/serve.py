"""The preview server: build, serve from memory, rebuild on every save, update the browser.

The site lives in memory as an immutable Snapshot that each build replaces whole, so
a request never sees half a build and nothing under site/ is touched. Every served
HTML page carries a small script that listens to /_briefgen/events (Server-Sent
Events). When the site changes, the page fetches itself again and swaps in the new
<body>, which keeps the scroll position and is much quicker than a reload; when
anything else changed (the <head>, the theme's files), it reloads. While the build is
broken, every page is an error page listing the mistakes, with the same script.

Threads: the HTTP server (one per connection), the watcher's observer, one rebuild
thread, and the PDF thread, which has the PDF laid out in a child process so that
WeasyPrint never competes with a page rebuild for the interpreter lock.
"""

from __future__ import annotations

import html
import ipaddress
import logging
import mimetypes
import secrets
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote_to_bytes, urlsplit

from briefgen.build import Previewer, SiteBuild
from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.pdfworker import PdfFailed, PdfMade, PdfWorker
from briefgen.project import find_project
from briefgen.watcher import ChangeWatcher

logger = logging.getLogger(__name__)

EVENTS = "/_briefgen/events"
"""The Server-Sent Events stream; no site file can have this path."""
KEEPALIVE = 15.0
"""Seconds between comments on an idle event stream, so dead connections are noticed."""


# --- what is served ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The site as served: the last good build and the mistakes of the latest one."""

    files: Mapping[str, bytes] = field(default_factory=dict)
    """Output path -> bytes, as `briefgen build` would write them, without the PDF."""
    errors: tuple[Diagnostic, ...] = ()
    """While there are any, every page is the error page."""
    pdf_name: str | None = None
    """Where the PDF is served, when it is made."""
    builds: int = 0
    """How many builds ran, good or bad."""
    version: int = 0
    """Goes up exactly when what a browser shows changes."""
    assets_version: int = 0
    """Goes up when a file that pages use but do not contain (CSS, images) changes."""


@dataclass(frozen=True, slots=True)
class BuildDone:
    """Reported after every build."""

    snapshot: Snapshot
    changed: int
    """Files whose bytes changed, appeared or went away."""
    seconds: float


Notice = BuildDone | PdfMade | PdfFailed


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


_HTML = "text/html; charset=utf-8"
_TEXT = "text/plain; charset=utf-8"
_TYPES = {
    ".html": _HTML,
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": _TEXT,
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".pdf": "application/pdf",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}


def content_type(path: str) -> str:
    suffix = PurePosixPath(path).suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


class BadPath(ValueError):
    """A request path that could name something outside the site."""


def site_path(target: str) -> str:
    """The site path a request target names (without query and leading '/').

    Refuses, rather than normalises, anything that could step outside the site:
    dot segments (also percent-encoded), encoded slashes and backslashes, NUL and
    other control characters, empty segments, and targets that are not a path.
    """
    path = target.partition("?")[0].partition("#")[0]
    lowered = path.lower()
    if not path.startswith("/") or "\\" in path or any(s in lowered for s in ("%2f", "%5c")):
        raise BadPath(target)
    try:
        decoded = unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise BadPath(target) from None
    parts = decoded[1:].split("/")
    if any(p in (".", "..") for p in parts) or "" in parts[:-1]:
        raise BadPath(target)
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in decoded):
        raise BadPath(target)
    return decoded[1:]


def respond(snapshot: Snapshot, pdf: PdfMade | None, path: str, script: bytes) -> Response:
    """What to answer for a site path, given the current snapshot and PDF."""
    files = snapshot.files
    if path and path == snapshot.pdf_name:
        return _pdf_response(pdf, path)
    key = path + "index.html" if path == "" or path.endswith("/") else path
    if key not in files and f"{path}/index.html" in files:
        return Response(301, b"", _TEXT, (("Location", "/" + quote(path) + "/"),))
    if snapshot.errors and (key.endswith(".html") or key not in files):
        return Response(500, inject(error_page(snapshot.errors), script), _HTML)
    if key in files:
        return _file_response(key, files[key], script)
    page = files.get("404.html")
    if page is None:
        return Response(404, b"Not found\n", _TEXT)
    return Response(404, inject(page, script), _HTML)


def _pdf_response(pdf: PdfMade | None, path: str) -> Response:
    if pdf is None or pdf.name != path:
        body = b"No PDF yet: it is being made, or it could not be made (see the terminal).\n"
        return Response(503, body, _TEXT, (("Retry-After", "2"),))
    return Response(200, pdf.data, "application/pdf")


def _file_response(path: str, data: bytes, script: bytes) -> Response:
    kind = content_type(path)
    if kind == _HTML:
        data = inject(data, script)
    return Response(200, data, kind)


# The stream sends "<page token> <assets token>" on connect and after each change.
# Comparing on every (re)connect means a change between page load and connect is not
# missed, and a restarted server (new tokens) reloads the page. The fetched page is
# swapped in only when its <head> and <html> are unchanged and its body has no scripts
# (they would not run); otherwise, and when the assets changed, the page reloads.
# Hidden tabs let go of their stream: browsers open six connections per host at most.
_RELOAD_SCRIPT = """<script data-briefgen-reload>/* briefgen serve: live reload */
(() => {
  document.currentScript.remove();
  let page = "%s";
  const assets = "%s";
  let source = null;
  let queue = Promise.resolve();
  const reload = () => { if (source) source.close(); location.reload(); };
  const shell = (doc) => doc.documentElement.cloneNode(false).outerHTML + doc.head.innerHTML;
  const update = async (next) => {
    const response = await fetch(location.href, { cache: "no-store" });
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    fresh.querySelectorAll("script[data-briefgen-reload]").forEach((s) => s.remove());
    if (shell(fresh) !== shell(document) || fresh.body.querySelector("script")) return reload();
    if (fresh.body.innerHTML !== document.body.innerHTML) document.body.replaceWith(fresh.body);
    page = next;
  };
  const receive = (event) => {
    const [next, nextAssets] = event.data.split(" ");
    if (nextAssets !== assets) return reload();
    queue = queue.then(() => (next === page ? null : update(next))).catch(reload);
  };
  const listen = () => {
    if (document.hidden) { if (source) { source.close(); source = null; } return; }
    if (!source) { source = new EventSource("%s"); source.onmessage = receive; }
  };
  document.addEventListener("visibilitychange", listen);
  listen();
})();
</script>
"""


def reload_script(page_token: str, assets_token: str) -> bytes:
    return (_RELOAD_SCRIPT % (page_token, assets_token, EVENTS)).encode()


def inject(page: bytes, script: bytes) -> bytes:
    """The page with the script before its last </body> (or at the end)."""
    at = page.lower().rfind(b"</body>")
    if at < 0:
        return page + script
    return page[:at] + script + page[at:]


_ERROR_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed · briefgen</title>
<style>
body {{ margin: 0; background: #1d1f21; color: #e8e8e8;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }}
main {{ max-width: 64rem; margin: 3rem auto; padding: 0 1.25rem; }}
h1 {{ color: #ff8a80; font-size: 1.5rem; }}
pre {{ background: #000; border-left: 4px solid #ff5252; padding: 1rem;
  white-space: pre-wrap; overflow-wrap: anywhere; font: 14px/1.6 ui-monospace, monospace; }}
</style>
</head>
<body>
<main>
<h1>The briefing does not build</h1>
<p>{summary} Fix the file and save: this page reloads by itself.</p>
<pre id="briefgen-errors">{errors}</pre>
</main>
</body>
</html>
"""


def error_page(errors: tuple[Diagnostic, ...]) -> bytes:
    count = len(errors)
    summary = f"{count} error{'s' if count != 1 else ''}."
    listing = "\n".join(html.escape(str(d)) for d in errors)
    return _ERROR_PAGE.format(summary=summary, errors=listing).encode()


# --- the preview ------------------------------------------------------------------------


class Preview:
    """Build the project, serve it on host:port, and rebuild it on every save.

    listen() binds the port, raising OSError when that fails; start() listens if
    need be, builds once and starts the threads; stop() ends whatever was started.
    Also a context manager.
    """

    def __init__(
        self,
        project_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        with_pdf: bool = True,
        notify: Callable[[Notice], None] | None = None,
    ) -> None:
        self.project = find_project(project_dir)
        self.host = host
        self.port = port
        self.with_pdf = with_pdf
        self.token_prefix = secrets.token_hex(4)
        self._notify = notify or (lambda notice: None)
        self._builder = Previewer(self.project.root, with_pdf=with_pdf)
        self._snapshot = Snapshot()
        self._pdf: PdfMade | None = None
        self._changed = threading.Condition()
        self._stopping = False
        self._http: _Server | None = None
        self._serving = False
        self._watcher: ChangeWatcher | None = None
        self._pdf_worker: PdfWorker | None = None
        self._threads: list[threading.Thread] = []

    # lifecycle

    def listen(self) -> None:
        """Bind host:port (port 0: a free one); connections wait until start()."""
        self._http = _Server((self.host, self.port), self)
        self.port = self._http.server_address[1]

    def start(self) -> None:
        if self._http is None:
            self.listen()
        assert self._http is not None
        self._watcher = ChangeWatcher(self.project)
        self._watcher.start()
        if self.with_pdf:
            self._pdf_worker = PdfWorker(self._pdf_done)
            self._pdf_worker.start()
        self._build()
        self._spawn(self._http.serve_forever, "briefgen-http", 0.1)
        self._serving = True
        self._spawn(self._rebuild_loop, "briefgen-rebuild", self._watcher)

    def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        if self._pdf_worker is not None:
            self._pdf_worker.stop()
        if self._serving and self._http is not None:
            self._http.shutdown()
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        for thread in self._threads:
            thread.join()
        if self._http is not None:
            self._http.server_close()

    def __enter__(self) -> Preview:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _spawn(self, target: Callable[..., object], name: str, *args: object) -> None:
        thread = threading.Thread(target=target, name=name, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    # state

    @property
    def url(self) -> str:
        host = self.host
        if host in ("", "0.0.0.0", "::"):
            host = "localhost"
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def pdf(self) -> PdfMade | None:
        return self._pdf

    def tokens(self, snapshot: Snapshot) -> tuple[str, str]:
        """The page and assets tokens of a snapshot, as the event stream sends them."""
        prefix = self.token_prefix
        return f"{prefix}-{snapshot.version}", f"{prefix}-{snapshot.assets_version}"

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Block until condition() holds after a build or a PDF; raise TimeoutError if not."""
        with self._changed:
            if not self._changed.wait_for(condition, timeout):
                raise TimeoutError(f"still waiting after {timeout} s")

    def wait_for_tokens(
        self, seen: tuple[str, str] | None, timeout: float
    ) -> tuple[str, str] | None:
        """The tokens once they differ from seen, or after timeout; None when stopping."""
        with self._changed:
            self._changed.wait_for(
                lambda: self._stopping or self.tokens(self._snapshot) != seen, timeout
            )
            return None if self._stopping else self.tokens(self._snapshot)

    def answer(self, path: str) -> Response:
        snapshot = self._snapshot
        return respond(snapshot, self._pdf, path, reload_script(*self.tokens(snapshot)))

    def host_allowed(self, header: str | None) -> bool:
        """Refuse DNS-rebinding: a loopback server answers only to loopback host names."""
        if header is None or not _is_loopback(self.host):
            return True
        try:
            name = urlsplit("//" + header).hostname
        except ValueError:
            return False
        return name is not None and (_is_loopback(name) or name.endswith(".localhost"))

    # building

    def _rebuild_loop(self, watcher: ChangeWatcher) -> None:
        while watcher.wait_for_change():
            self._build()

    def _build(self) -> None:
        start = time.perf_counter()
        old = self._snapshot
        prepared, new = self._render(old)
        changed = [
            p for p in old.files.keys() | new.files.keys() if old.files.get(p) != new.files.get(p)
        ]
        shown = bool(changed) or (new.errors, new.pdf_name) != (old.errors, old.pdf_name)
        assets = any(not p.endswith((".html", ".xml")) for p in changed)
        new = replace(
            new,
            builds=old.builds + 1,
            version=old.version + int(shown),
            assets_version=old.assets_version + int(assets),
        )
        with self._changed:
            self._snapshot = new
            self._changed.notify_all()
        self._notify(BuildDone(new, len(changed), time.perf_counter() - start))
        if prepared is not None and self._pdf_worker is not None:
            self._pdf_worker.submit(prepared)

    def _render(self, old: Snapshot) -> tuple[SiteBuild | None, Snapshot]:
        """A new snapshot from the project as it is now; errors keep the old files."""
        try:
            site = self._builder()
        except BuildFailed as failed:
            return None, replace(old, errors=failed.diagnostics)
        except OSError as exc:  # a file went away mid-build; its removal is another event
            where = SourcePos(Path(exc.filename or self.project.root))
            problem = Diagnostic(where, f"cannot read: {exc.strerror or exc}")
            return None, replace(old, errors=(problem,))
        except Exception as exc:  # a bug: show it, and keep serving
            logger.exception("the build stopped unexpectedly")
            problem = Diagnostic(SourcePos(self.project.root), f"{type(exc).__name__}: {exc}")
            return None, replace(old, errors=(problem,))
        return site, Snapshot({f.path: f.data for f in site.files}, (), site.pdf_name)

    def _pdf_done(self, result: PdfMade | PdfFailed) -> None:
        with self._changed:
            if isinstance(result, PdfMade):
                self._pdf = result
            self._changed.notify_all()
        self._notify(result)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() == "localhost"


# --- HTTP -------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # a browser opens several connections at once

    def __init__(self, address: tuple[str, int], preview: Preview) -> None:
        self.preview = preview
        self.address_family = _address_family(address[0])
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # browsers drop connections on every reload
        logger.error("error while answering %s", client_address, exc_info=True)


def _address_family(host: str) -> socket.AddressFamily:
    try:
        return socket.getaddrinfo(host or None, 0, type=socket.SOCK_STREAM)[0][0]
    except OSError:
        return socket.AF_INET  # the bind will report the real problem


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections end after this

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.command in ("GET", "HEAD"):
            return True
        self.close_connection = True  # the request body is never read
        allow = (("Allow", "GET, HEAD"),)
        self._send(Response(405, b"Only GET and HEAD are allowed.\n", _TEXT, allow))
        return False

    def do_GET(self) -> None:
        preview = self.server.preview
        if not preview.host_allowed(self.headers.get("Host")):
            self._send(Response(403, b"Unexpected Host header.\n", _TEXT))
            return
        if self.path.partition("?")[0] == EVENTS:
            self._stream_events(preview)
            return
        try:
            path = site_path(self.path)
        except BadPath:
            self._send(Response(400, b"Bad path.\n", _TEXT))
            return
        self._send(preview.answer(path))

    do_HEAD = do_GET

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _stream_events(self, preview: Preview) -> None:
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command == "HEAD":
            return
        seen: tuple[str, str] | None = None
        while (tokens := preview.wait_for_tokens(seen, KEEPALIVE)) is not None:
            if tokens == seen:
                message = ": keepalive\n\n"
            else:
                message = f"retry: 1000\ndata: {' '.join(tokens)}\n\n"
            try:
                self.wfile.write(message.encode())
            except OSError:
                return  # the page went away
            seen = tokens

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)
