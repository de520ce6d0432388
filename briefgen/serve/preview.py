"""The preview: build, serve from memory, rebuild on every save, update the browser.

Preview is given a builder and the project to watch; it never builds by itself. The
site lives in memory as an immutable Snapshot that each build replaces whole, so a
request never sees half a build and nothing under site/ is touched. Every served
HTML page carries a script that listens for changes (see briefgen.serve.http); while
the build is broken, every page is an error page listing the mistakes.

Threads: the HTTP server (one per connection), the watcher's observer, one rebuild
thread, and, for builds with a PDF, the PDF thread, which has the PDF laid out in a
child process so that WeasyPrint never competes with a page rebuild for the
interpreter lock.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.serve.http import Response, Server, Tokens, reload_script, respond
from briefgen.serve.pdfjob import PdfFailed, PdfMade, PdfWorker
from briefgen.serve.watch import ChangeWatcher

if TYPE_CHECKING:
    from briefgen.pdf import PrintDocument
    from briefgen.project import Project
    from briefgen.write import OutputFile

logger = logging.getLogger(__name__)


class Built(Protocol):
    """One build of the site, as a builder returns it (briefgen.build.SiteBuild)."""

    @property
    def files(self) -> Iterable[OutputFile]:
        """Every site file but the PDF."""
        ...

    @property
    def pdf_name(self) -> str | None:
        """Where pages link to the PDF; None without one (nothing is laid out)."""
        ...

    def print_document(self) -> PrintDocument: ...


Builder = Callable[[], Built]
"""Builds the project as it is now; raises BuildFailed, or OSError if a file vanished."""


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


class Preview:
    """Serve what builder makes on host:port, and call it again on every save in watch.

    listen() binds the port, raising OSError when that fails; start() listens if
    need be, builds once and starts the threads; stop() ends whatever was started.
    Also a context manager. Builds with a pdf_name get their PDF laid out.
    """

    def __init__(
        self,
        builder: Builder,
        *,
        watch: Project,
        host: str = "127.0.0.1",
        port: int = 8000,
        notify: Callable[[Notice], None] | None = None,
        poll: bool = False,
    ) -> None:
        self.host = host
        self._poll = poll
        self.port = port
        self._builder = builder
        self._project = watch
        self._notify = notify or (lambda notice: None)
        self._token_prefix = secrets.token_hex(4)
        self._snapshot = Snapshot()
        self._pdf: PdfMade | None = None
        self._changed = threading.Condition()
        self._stopping = False
        self._http: Server | None = None
        self._serving = False
        self._watcher: ChangeWatcher | None = None
        self._pdf_worker: PdfWorker | None = None
        self._threads: list[threading.Thread] = []

    # lifecycle

    def listen(self) -> None:
        """Bind host:port (port 0: a free one); connections wait until start()."""
        self._http = Server(self.host, self.port, self)
        self.port = self._http.server_port

    def start(self) -> None:
        if self._http is None:
            self.listen()
        assert self._http is not None
        self._watcher = ChangeWatcher(self._project, poll=self._poll)
        self._watcher.start()
        self._build()
        self._spawn(self._http.serve_forever, "briefgen-http", 0.1)
        self._serving = True
        self._spawn(self._rebuild_loop, "briefgen-rebuild", self._watcher)

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._watcher is not None:
            self._watcher.stop()
        if self._serving and self._http is not None:
            self._http.shutdown()
        for thread in self._threads:
            thread.join()
        # Only now: a build still running when stop() began may have submitted a PDF.
        if self._pdf_worker is not None:
            self._pdf_worker.stop()
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

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Block until condition() holds after a build or a PDF; raise TimeoutError if not."""
        with self._changed:
            if not self._changed.wait_for(condition, timeout):
                raise TimeoutError(f"still waiting after {timeout} s")

    # what the HTTP server asks

    def answer(self, path: str) -> Response:
        snapshot, made = self._snapshot, self._pdf
        pdf = made.data if made is not None and made.name == snapshot.pdf_name else None
        return respond(snapshot, pdf, path, reload_script(self._tokens(snapshot)))

    def wait_for_tokens(self, seen: Tokens | None, timeout: float) -> Tokens | None:
        """The tokens once they differ from seen, or after timeout; None when stopping."""
        with self._changed:
            self._changed.wait_for(
                lambda: self._stopping or self._tokens(self._snapshot) != seen, timeout
            )
            return None if self._stopping else self._tokens(self._snapshot)

    def _tokens(self, snapshot: Snapshot) -> Tokens:
        prefix = self._token_prefix
        return f"{prefix}-{snapshot.version}", f"{prefix}-{snapshot.assets_version}"

    # building

    def _rebuild_loop(self, watcher: ChangeWatcher) -> None:
        while watcher.wait_for_change():
            self._build()

    def _build(self) -> None:
        start = time.perf_counter()
        old = self._snapshot
        site, new = self._render(old)
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
        if site is not None and site.pdf_name is not None:
            self._make_pdf(site.pdf_name, site)

    def _render(self, old: Snapshot) -> tuple[Built | None, Snapshot]:
        """A new snapshot from the project as it is now; errors keep the old files."""
        root = self._project.root
        try:
            site = self._builder()
        except BuildFailed as failed:
            return None, replace(old, errors=failed.diagnostics)
        except OSError as exc:  # a file went away mid-build; its removal is another event
            problem = Diagnostic(
                SourcePos(Path(exc.filename or root)), f"cannot read: {exc.strerror or exc}"
            )
            return None, replace(old, errors=(problem,))
        except Exception as exc:  # a bug: show it, and keep serving
            logger.exception("the build stopped unexpectedly")
            problem = Diagnostic(SourcePos(root), f"{type(exc).__name__}: {exc}")
            return None, replace(old, errors=(problem,))
        return site, Snapshot({f.path: f.data for f in site.files}, (), site.pdf_name)

    def _make_pdf(self, name: str, site: Built) -> None:
        # Builds run one at a time, and stop() stops the worker only after the last one.
        if self._pdf_worker is None:
            self._pdf_worker = PdfWorker(self._pdf_done)
            self._pdf_worker.start()
        self._pdf_worker.submit(name, site.print_document)

    def _pdf_done(self, result: PdfMade | PdfFailed) -> None:
        with self._changed:
            if isinstance(result, PdfMade):
                self._pdf = result
            self._changed.notify_all()
        self._notify(result)
