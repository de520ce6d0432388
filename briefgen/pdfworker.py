"""The preview's PDF: laid out in the background, newest build first, one at a time.

WeasyPrint is pure Python and busy for seconds; in a thread it would hold the
interpreter lock for much of that time and slow down the page rebuilds the browser
waits for. So each layout runs in a child process (`python -m briefgen.pdfworker`,
at a lower CPU priority), and the thread here only renders the print HTML, compares
keys and collects results.

A build submits its Prepared briefing. After a short delay (so the browser's update
goes first, and a quick series of saves coalesces) the print document is made;
when its key equals the last PDF's, nothing is done. A layout still running for an
older key is superseded: its process is killed and the newest one started.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from briefgen.build import Prepared
from briefgen.errors import BuildFailed
from briefgen.pdf import PrintDocument, print_document

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


class PdfWorker:
    """Calls publish with each PdfMade or PdfFailed, from its own thread."""

    def __init__(self, publish: Callable[[PdfMade | PdfFailed], None], delay: float = DELAY):
        self._publish = publish
        self._delay = delay
        self._lock = threading.Lock()
        self._pending: Prepared | None = None
        self._due = 0.0
        self._stopping = False
        # Wakes the thread, which waits on the layout's pipe and this at once.
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._layout: _Layout | None = None
        self._done_key: str | None = None
        self._thread = threading.Thread(target=self._run, name="briefgen-pdf", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, prepared: Prepared) -> None:
        with self._lock:
            self._pending = prepared
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
                waiting_on: list[socket.socket | IO[bytes]] = [self._wake_reader]
                if self._layout is not None:
                    waiting_on.append(self._layout.output)
                ready, _, _ = select.select(waiting_on, [], [], self._time_to_due())
                if self._wake_reader in ready:
                    self._wake_reader.recv(4096)
                if self._layout is not None and self._layout.output in ready:
                    self._finish(self._layout)
                job = self._take_due_job()
                if job is not None and not self._stopping:
                    self._begin(job)
        finally:
            if self._layout is not None:
                self._layout.kill()

    def _time_to_due(self) -> float | None:
        with self._lock:
            if self._pending is None:
                return None
            return max(0.0, self._due - time.monotonic())

    def _take_due_job(self) -> Prepared | None:
        with self._lock:
            if self._pending is None or time.monotonic() < self._due:
                return None
            job, self._pending = self._pending, None
            return job

    def _begin(self, prepared: Prepared) -> None:
        name = prepared.briefing.settings.pdf.filename
        try:
            document = print_document(
                prepared.briefing, prepared.env, prepared.theme, prepared.project
            )
            key = document.key()
        except BuildFailed as failed:
            self._fail(name, str(failed))
            return
        except OSError as exc:  # a file went away while the key was taken; a save follows
            logger.info("PDF postponed: %s", exc)
            return
        if key == self._done_key:
            return
        if self._layout is not None:
            if self._layout.key == key:
                return
            self._layout.kill()  # superseded
        self._layout = _Layout.start(document, key, name)

    def _finish(self, layout: _Layout) -> None:
        self._layout = None
        outcome = layout.collect()
        if isinstance(outcome, bytes):
            self._done_key = layout.key
            seconds = time.monotonic() - layout.started
            self._publish(PdfMade(layout.name, outcome, seconds))
        else:
            self._fail(layout.name, outcome)

    def _fail(self, name: str, message: str) -> None:
        logger.error("the PDF could not be made:\n%s", message)
        self._publish(PdfFailed(name, message))


@dataclass(slots=True)
class _Layout:
    """One PDF layout running in a child process."""

    key: str
    name: str
    process: subprocess.Popen[bytes]
    started: float

    @classmethod
    def start(cls, document: PrintDocument, key: str, name: str) -> _Layout:
        # A session of its own: a Ctrl-C in a terminal goes to the whole foreground
        # process group, and only the server should get it (it then ends the layout).
        process = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,
            env={**os.environ, "PYTHONPATH": _import_path()},
        )
        assert process.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # collect() reports the failure
            process.stdin.write(pickle.dumps(document))
        process.stdin.close()
        return cls(key, name, process, time.monotonic())

    @property
    def output(self) -> IO[bytes]:
        """Where the result arrives."""
        assert self.process.stdout is not None
        return self.process.stdout

    def collect(self) -> bytes | str:
        """The PDF bytes, or why there are none."""
        with self.output:
            data = self.output.read()
        if self.process.wait() == 0 and data:
            outcome: bytes | str = pickle.loads(data)
            return outcome
        return f"the PDF process ended without a result (exit code {self.process.returncode})"

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.output.close()


def _import_path() -> str:
    """PYTHONPATH for a child that must import this very briefgen."""
    here = str(Path(__file__).resolve().parents[1])
    return os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)


def main() -> None:
    """The layout process: a pickled PrintDocument in, the PDF bytes (or why not) out."""
    with contextlib.suppress(OSError):
        os.nice(10)  # page rebuilds and the browser come first
    document: PrintDocument = pickle.load(sys.stdin.buffer)
    result = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray output from any library must not corrupt the result
    try:
        outcome: bytes | str = document.render()
    except BuildFailed as failed:
        outcome = str(failed)
    except Exception as exc:  # anything WeasyPrint raises is reported, not fatal
        outcome = f"{type(exc).__name__}: {exc}"
    with result, contextlib.suppress(BrokenPipeError):  # the server may be gone
        result.write(pickle.dumps(outcome))


if __name__ == "__main__":
    main()
