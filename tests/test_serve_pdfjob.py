"""briefgen.serve.pdfjob: layouts in a child process, superseded, skipped, and reported."""

from __future__ import annotations

import errno
import io
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen import build as build_module
from briefgen.build import Previewer, SiteBuild
from briefgen.serve import pdfjob
from briefgen.serve.pdfjob import PdfFailed, PdfMade, PdfWorker
from tests.conftest import REPO, write_files
from tests.test_serve_preview import WAIT, edit

PRINT_PAGE = "<!DOCTYPE html><html lang=en><head><title>PDF</title></head><body>{}</body></html>"


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


def submit(worker: PdfWorker, site: SiteBuild) -> None:
    """Submit a build's PDF, as the preview does."""
    assert site.pdf_name is not None
    worker.submit(site.pdf_name, site.print_document)


def pdf_text(result: PdfMade | PdfFailed) -> str:
    assert isinstance(result, PdfMade), result
    return str(PdfReader(io.BytesIO(result.data)).pages[0].extract_text())


def poll(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"still waiting: {what}"
        time.sleep(0.01)


def hold_gate(fifo: Path) -> int:
    """Open the FIFO for writing once a reader has it open; the reader waits until closed."""
    deadline = time.monotonic() + WAIT * 2
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:  # ENXIO: no reader yet
            assert exc.errno == errno.ENXIO and time.monotonic() < deadline, exc
            time.sleep(0.01)


def test_a_newer_pdf_supersedes_a_running_layout_and_an_unchanged_one_is_skipped(
    project: Callable[..., Path], pdf_worker: tuple[PdfWorker, Published]
) -> None:
    root = project()
    worker, published = pdf_worker
    submit(worker, Previewer(root)())
    poll(lambda: worker._layout is not None, "the first layout")
    assert not published.results
    edit(root / "content" / "briefing.yaml", "Test briefing", "Second edition")
    newer = Previewer(root)()
    submit(worker, newer)
    assert published.wait_for(1)
    submit(worker, newer)  # the same PDF again: nothing to do
    assert not published.wait_for(2, 2.0)
    (made,) = published.results
    assert "Second edition" in pdf_text(made)


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
    submit(worker, Previewer(root)())
    assert published.wait_for(1)
    write_files(root, {"templates/print.html": page_b})
    submit(worker, Previewer(root)())
    held = hold_gate(gate)  # B's layout is running
    write_files(root, {"templates/print.html": page_a})  # the undo
    submit(worker, Previewer(root)())
    poll(lambda: worker._pending is None, "the undo taken")
    os.close(held)  # a layout of B still running would now finish and be published
    poll(lambda: worker._layout is None, "no layout running")
    worker.stop()  # waits for the thread: nothing is published after this
    assert [pdf_text(r).splitlines()[0] for r in published.results] == ["Version A"]


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
    with caplog.at_level(logging.ERROR, logger="briefgen.serve.pdfjob"):
        submit(worker, Previewer(root)())
        assert published.wait_for(1)
    (failed,) = published.results
    assert isinstance(failed, PdfFailed) and str(failure) in failed.message
    assert f"the PDF could not be made:\n{type(failure).__name__}: {failure}" in caplog.text
    submit(worker, Previewer(root)())
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
    submit(worker, Previewer(root)())
    assert published.wait_for(1)
    assert "Test briefing" in pdf_text(published.results[0])


def test_the_layout_process_imports_this_very_briefgen(tmp_path: Path) -> None:
    """An installed briefgen (here: editable) is found as it is; a source tree used in
    place is put on the layout process's PYTHONPATH."""
    environment = pdfjob._child_environment()
    assert environment.get("PYTHONPATH") == os.environ.get("PYTHONPATH")
    source = tmp_path / "checkout"
    shutil.copytree(REPO / "briefgen", source / "briefgen")
    shown = subprocess.run(
        [
            sys.executable,
            "-P",
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); from briefgen.serve import pdfjob; "
            "print(pdfjob._child_environment()['PYTHONPATH'])",
            os.fspath(source),
        ],
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout == f"{source.resolve()}\n"
