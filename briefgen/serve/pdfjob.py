"""The preview's PDF: laid out in the background, newest build first, one at a time.

WeasyPrint is pure Python and busy for seconds; in a thread it would hold the
interpreter lock for much of that time and slow down the page rebuilds the browser
waits for. So each layout runs in a child process (`python -m briefgen.serve.pdfjob`,
at a lower CPU priority), and the thread here only renders the print HTML, compares
keys and collects results.

A build submits its PDF's name and how to make its print document. After a short
delay (so the browser's update goes first, and a quick series of saves coalesces)
the print document is made. A
layout still running for another key is superseded: its process is killed, also
when the new key is the last PDF's (an undo), whose PDF then stays. A layout is
started only when the key differs from both the last PDF's and the running one's.

The layout process gets the document as JSON on stdin and sends its result back
over a pipe of its own, so that nothing a library prints can corrupt it. A failure
of one job is published as PdfFailed; the thread keeps going for the next save.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from briefgen.errors import BuildFailed
from briefgen.pdf import PrintDocument

logger = logging.getLogger(__name__)

DELAY = 0.3
"""Seconds after a build before the PDF work starts."""


@dataclass(frozen=True, slots=True)
class PdfMade:
    name: str
    """The PDF's file name (pdf.filename in briefing.yaml)."""
    data: bytes
    seconds: float


@dataclass(frozen=True, slots=True)
class PdfFailed:
    name: str
    message: str


@dataclass(frozen=True, slots=True)
class _Job:
    name: str
    document: Callable[[], PrintDocument]
    """Renders the print HTML: slow, so it runs in the worker's thread."""


class PdfWorker:
    """Calls publish with each PdfMade or PdfFailed, from its own thread."""

    def __init__(self, publish: Callable[[PdfMade | PdfFailed], None], delay: float = DELAY):
        self._publish = publish
        self._delay = delay
        self._lock = threading.Lock()
        self._pending: _Job | None = None
        self._due = 0.0
        self._stopping = False
        # Wakes the thread, which waits on the layout's pipe and this at once.
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._layout: _Layout | None = None
        self._done_key: str | None = None
        self._thread = threading.Thread(target=self._run, name="briefgen-pdf", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, name: str, document: Callable[[], PrintDocument]) -> None:
        """Have the PDF called name laid out from document(), after the delay; a newer
        submission replaces this one, and nothing is laid out for the last PDF's key."""
        with self._lock:
            self._pending = _Job(name, document)
            self._due = time.monotonic() + self._delay
        self._wake()

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
        self._wake()
        if self._thread.is_alive():
            self._thread.join()
        self._wake_reader.close()
        self._wake_writer.close()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")

    def _run(self) -> None:
        try:
            while not self._stopping:
                try:
                    self._step()
                except Exception:  # a bug: logged, and the next save is laid out afresh
                    logger.exception("the PDF thread went wrong")
                    self._drop_layout()  # its pipe might be what went wrong
        finally:
            self._drop_layout()

    def _step(self) -> None:
        waiting_on: list[socket.socket | IO[bytes]] = [self._wake_reader]
        if self._layout is not None:
            waiting_on.append(self._layout.output)
        ready, _, _ = select.select(waiting_on, [], [], self._time_to_due())
        if self._wake_reader in ready:
            self._wake_reader.recv(4096)
        layout = self._layout
        if layout is not None and layout.output in ready:
            self._layout = None
            with self._reporting(layout.name):
                self._finish(layout)
        job = self._take_due_job()
        if job is not None and not self._stopping:
            with self._reporting(job.name):
                self._begin(job)

    def _time_to_due(self) -> float | None:
        with self._lock:
            if self._pending is None:
                return None
            return max(0.0, self._due - time.monotonic())

    def _take_due_job(self) -> _Job | None:
        with self._lock:
            if self._pending is None or time.monotonic() < self._due:
                return None
            job, self._pending = self._pending, None
            return job

    def _begin(self, job: _Job) -> None:
        try:
            document = job.document()
            key = document.key()
        except OSError as exc:  # a file went away while the key was taken; a save follows
            logger.info("PDF postponed: %s", exc)
            return
        if self._layout is not None and self._layout.key != key:
            self._drop_layout()  # superseded, also by an undo to the PDF already made
        if self._layout is None and key != self._done_key:
            self._layout = _Layout.start(document, key, job.name)

    def _finish(self, layout: _Layout) -> None:
        outcome = layout.collect()
        if isinstance(outcome, bytes):
            self._done_key = layout.key
            seconds = time.monotonic() - layout.started
            self._publish(PdfMade(layout.name, outcome, seconds))
        else:
            self._fail(layout.name, outcome)

    def _drop_layout(self) -> None:
        if self._layout is not None:
            self._layout.kill()
            self._layout = None

    @contextlib.contextmanager
    def _reporting(self, name: str) -> Iterator[None]:
        """Publish a failure of the work inside as a PdfFailed for the PDF called name."""
        try:
            yield
        except BuildFailed as failed:
            self._fail(name, str(failed))
        except Exception as exc:  # no process (too many, no memory), or a bug
            self._fail(name, f"{type(exc).__name__}: {exc}", exc)

    def _fail(self, name: str, message: str, exc: Exception | None = None) -> None:
        logger.error("the PDF could not be made:\n%s", message, exc_info=exc)
        self._publish(PdfFailed(name, message))


# The first byte of a layout's result: the PDF's bytes follow, or why there are none.
_PDF = b"P"
_WHY_NOT = b"E"


@dataclass(slots=True)
class _Layout:
    """One PDF layout running in a child process."""

    key: str
    name: str
    process: subprocess.Popen[bytes]
    output: IO[bytes]
    """Where the result arrives."""
    started: float

    @classmethod
    def start(cls, document: PrintDocument, key: str, name: str) -> _Layout:
        data = _encode(document)
        reader, writer = os.pipe()
        try:
            # A session of its own: a Ctrl-C in a terminal goes to the whole foreground
            # process group, and only the server should get it (it then ends the layout).
            # -P: the working folder is not put on sys.path, where it could shadow modules.
            process = subprocess.Popen(
                [sys.executable, "-P", "-m", __name__, str(writer)],
                stdin=subprocess.PIPE,
                stdout=2,  # output of any library goes where messages go, never in the result
                pass_fds=(writer,),
                start_new_session=True,
                env=_child_environment(),
            )
        except BaseException:
            os.close(reader)
            raise
        finally:
            os.close(writer)
        layout = cls(key, name, process, os.fdopen(reader, "rb"), time.monotonic())
        assert process.stdin is not None
        with contextlib.suppress(BrokenPipeError), process.stdin:  # collect() reports it
            process.stdin.write(data)
        return layout

    def collect(self) -> bytes | str:
        """The PDF bytes, or why there are none."""
        with self.output:
            data = self.output.read()
        code = self.process.wait()
        kind, payload = data[:1], data[1:]
        if code == 0 and kind == _PDF:
            return payload
        if code == 0 and kind == _WHY_NOT:
            return payload.decode("utf-8", "replace")
        return f"the PDF process ended without a result (exit code {code})"

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.output.close()


def _encode(document: PrintDocument) -> bytes:
    return json.dumps(
        {
            "html": document.html,
            "stylesheets": [os.fspath(p) for p in document.stylesheets],
            "base_dir": os.fspath(document.base_dir),
            "allowed_roots": [os.fspath(p) for p in document.allowed_roots],
        }
    ).encode()


def _decode(data: bytes) -> PrintDocument:
    fields = json.loads(data)
    return PrintDocument(
        html=fields["html"],
        stylesheets=tuple(Path(p) for p in fields["stylesheets"]),
        base_dir=Path(fields["base_dir"]),
        allowed_roots=tuple(Path(p) for p in fields["allowed_roots"]),
    )


_PACKAGE = Path(__file__).resolve().parents[1]
"""The briefgen package this module belongs to."""
_IS_THIS_BRIEFGEN = (
    "import importlib.util, os, sys; spec = importlib.util.find_spec('briefgen'); "
    "sys.exit(spec is None or os.path.realpath(spec.origin) != sys.argv[1])"
)


def _child_environment() -> dict[str, str]:
    """The environment of a layout process, which must import this very briefgen.

    An installed briefgen (a wheel, or an editable install) is found as it is. Only a
    source tree used in place (`python -m briefgen` in a checkout) goes on PYTHONPATH:
    its entries come before the standard library, so site-packages must never be one.
    """
    env = dict(os.environ)
    python_path = env.get("PYTHONPATH", "")
    if not _finds_this_briefgen(python_path):
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PACKAGE.parent), python_path) if p)
    return env


@functools.cache
def _finds_this_briefgen(python_path: str) -> bool:
    """True if `python -P` with this PYTHONPATH imports the briefgen of this file."""
    check = subprocess.run(
        [sys.executable, "-P", "-c", _IS_THIS_BRIEFGEN, str(_PACKAGE / "__init__.py")],
        env={**os.environ, "PYTHONPATH": python_path},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return check.returncode == 0


def main() -> None:
    """The layout process: a PrintDocument as JSON on stdin, the result to the fd in argv."""
    result = os.fdopen(int(sys.argv[1]), "wb")
    with contextlib.suppress(OSError):
        os.nice(10)  # page rebuilds and the browser come first
    document = _decode(sys.stdin.buffer.read())
    try:
        outcome = _PDF + document.layout().data
    except BuildFailed as failed:
        outcome = _WHY_NOT + _utf8(str(failed))
    except Exception as exc:  # anything WeasyPrint raises is reported, not fatal
        outcome = _WHY_NOT + _utf8(f"{type(exc).__name__}: {exc}")
    with contextlib.suppress(BrokenPipeError), result:  # the server may be gone
        result.write(outcome)


def _utf8(message: str) -> bytes:
    return message.encode("utf-8", "backslashreplace")  # paths may hold undecodable bytes


if __name__ == "__main__":
    main()
