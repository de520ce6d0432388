"""The HTTP layer: what a request may name, what is answered, and the server itself.

Nothing here builds or watches: the server answers from a Site (the preview), which
says what a site path holds and when the site changed. The security properties live
here: request paths that could step outside the site are refused, only GET and HEAD
are answered, a loopback server answers only to loopback host names (against DNS
rebinding), and every answer says nosniff.
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import logging
import mimetypes
import socket
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import PurePosixPath
from typing import Any, Protocol
from urllib.parse import quote, unquote_to_bytes, urlsplit

from briefgen.errors import Diagnostic

logger = logging.getLogger(__name__)

EVENTS = "/_briefgen/events"
"""The Server-Sent Events stream; no site file can have this path."""
KEEPALIVE = 15.0
"""Seconds between comments on an idle event stream, so dead connections are noticed."""

Tokens = tuple[str, str]
"""The page token and the assets token: either changes when pages must update."""


class Site(Protocol):
    """What the server serves."""

    def answer(self, path: str) -> Response: ...

    def wait_for_tokens(self, seen: Tokens | None, timeout: float) -> Tokens | None:
        """The tokens once they differ from seen, or after timeout; None when stopping."""
        ...


class Served(Protocol):
    """A site's files and the mistakes of its latest build."""

    @property
    def files(self) -> Mapping[str, bytes]: ...
    @property
    def errors(self) -> tuple[Diagnostic, ...]: ...
    @property
    def pdf_name(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


# --- request paths ----------------------------------------------------------------------


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


def host_allowed(bind_host: str, header: str | None) -> bool:
    """Refuse DNS-rebinding: a loopback server answers only to loopback host names."""
    if header is None or not _is_loopback(bind_host):
        return True
    try:
        name = urlsplit("//" + header).hostname
    except ValueError:
        return False
    return name is not None and (_is_loopback(name) or name.endswith(".localhost"))


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() == "localhost"


# --- answers ----------------------------------------------------------------------------

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


def respond(site: Served, pdf: bytes | None, path: str, script: bytes) -> Response:
    """What to answer for a site path; pdf is the PDF at site.pdf_name, None until made."""
    files = site.files
    if path and path == site.pdf_name:
        return _pdf_response(pdf)
    key = path + "index.html" if path == "" or path.endswith("/") else path
    if key not in files and f"{path}/index.html" in files:
        return Response(301, b"", _TEXT, (("Location", "/" + quote(path) + "/"),))
    if site.errors and (key.endswith(".html") or key not in files):
        return Response(500, inject(error_page(site.errors), script), _HTML)
    if key in files:
        return _file_response(key, files[key], script)
    page = files.get("404.html")
    if page is None:
        return Response(404, b"Not found\n", _TEXT)
    return Response(404, inject(page, script), _HTML)


def _pdf_response(pdf: bytes | None) -> Response:
    if pdf is None:
        body = b"No PDF yet: it is being made, or it could not be made (see the terminal).\n"
        return Response(503, body, _TEXT, (("Retry-After", "2"),))
    return Response(200, pdf, "application/pdf")


def _file_response(path: str, data: bytes, script: bytes) -> Response:
    kind = content_type(path)
    if kind == _HTML:
        data = inject(data, script)
    return Response(200, data, kind)


# The stream sends "<page token> <assets token>" on connect and after each change.
# Comparing on every (re)connect means a change between page load and connect is not
# missed, and a restarted server (new tokens) reloads the page. The fetched page is
# swapped in only when its <head> and <html> are unchanged and its body has no scripts
# (they would not run); otherwise, and when the assets changed, the page reloads. The
# meta description is not part of that comparison (it follows the text: an article's
# may be its first lines) but is updated in place.
# Hidden tabs let go of their stream: browsers open six connections per host at most.
_RELOAD_SCRIPT = """<script data-briefgen-reload>/* briefgen serve: live reload */
(() => {
  document.currentScript.remove();
  let page = "%s";
  const assets = "%s";
  let source = null;
  let queue = Promise.resolve();
  const reload = () => { if (source) source.close(); location.reload(); };
  const described = (doc) => doc.head.querySelector('meta[name="description"]');
  const shell = (doc) => {
    const head = doc.head.cloneNode(true);
    head.querySelectorAll('meta[name="description"]').forEach((m) => m.remove());
    return doc.documentElement.cloneNode(false).outerHTML + head.innerHTML;
  };
  const update = async (next) => {
    const response = await fetch(location.href, { cache: "no-store" });
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    fresh.querySelectorAll("script[data-briefgen-reload]").forEach((s) => s.remove());
    if (shell(fresh) !== shell(document) || fresh.body.querySelector("script")) return reload();
    const [description, freshDescription] = [described(document), described(fresh)];
    if (!description !== !freshDescription) return reload();
    if (description) description.content = freshDescription.content;
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


def reload_script(tokens: Tokens) -> bytes:
    page_token, assets_token = tokens
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
    count = sum(1 for d in errors if d.severity == "error")  # warnings are listed, not counted
    summary = f"{count} error{'s' if count != 1 else ''}."
    listing = "\n".join(html.escape(str(d)) for d in errors)
    return _ERROR_PAGE.format(summary=summary, errors=listing).encode()


# --- the server -------------------------------------------------------------------------


class Server(ThreadingHTTPServer):
    """Serves a Site on host:port (port 0: a free one), one thread per connection."""

    daemon_threads = True
    block_on_close = False  # stopping does not wait for idle keep-alive connections
    request_queue_size = 64  # a browser opens several connections at once
    max_connections = 32
    """Open connections answered at once (a tab takes about 6, and one for reloads);
    one more gets 503 at once, so a flood of them cannot start a thread each."""

    def __init__(self, host: str, port: int, site: Site) -> None:
        self.host = host
        self.site = site
        self.address_family = _address_family(host)
        self._slots = threading.BoundedSemaphore(self.max_connections)
        super().__init__((host, port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            _refuse_busy(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # browsers drop connections on every reload
        logger.error("error while answering %s", client_address, exc_info=True)


def _refuse_busy(request: socket.socket) -> None:
    with contextlib.suppress(OSError):
        request.settimeout(1)
        request.sendall(
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Content-Length: 27\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
            b"Too many open connections.\n"
        )


def _address_family(host: str) -> socket.AddressFamily:
    try:
        return socket.getaddrinfo(host or None, 0, type=socket.SOCK_STREAM)[0][0]
    except OSError:
        return socket.AF_INET  # the bind will report the real problem


class _Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections end after this
    head_deadline = 30.0
    """Seconds a client has to send a whole request line and headers: a client sending a
    byte at a time (each within the idle timeout) must not hold its thread forever."""

    def handle_one_request(self) -> None:
        watchdog = threading.Timer(self.head_deadline, self._hang_up)
        watchdog.daemon = True
        self._watchdog = watchdog
        watchdog.start()
        try:
            super().handle_one_request()
        finally:
            watchdog.cancel()

    def _hang_up(self) -> None:
        with contextlib.suppress(OSError):  # already closed
            self.connection.shutdown(socket.SHUT_RDWR)

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self._watchdog.cancel()  # the head is in; an answer (the event stream) may last
        if not parsed:
            return False
        if self.command in ("GET", "HEAD"):
            return True
        self.close_connection = True  # the request body is never read
        allow = (("Allow", "GET, HEAD"),)
        self._send(Response(405, b"Only GET and HEAD are allowed.\n", _TEXT, allow))
        return False

    def do_GET(self) -> None:
        if not host_allowed(self.server.host, self.headers.get("Host")):
            self._send(Response(403, b"Unexpected Host header.\n", _TEXT))
            return
        if self.path.partition("?")[0] == EVENTS:
            self._stream_events()
            return
        try:
            path = site_path(self.path)
        except BadPath:
            self._send(Response(400, b"Bad path.\n", _TEXT))
            return
        self._send(self.server.site.answer(path))

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

    def _stream_events(self) -> None:
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command == "HEAD":
            return
        seen: Tokens | None = None
        while (tokens := self.server.site.wait_for_tokens(seen, KEEPALIVE)) is not None:
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
