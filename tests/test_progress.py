"""Build progress: stages drawn on a terminal once a build runs long; nothing on a pipe."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from briefgen.build import build
from briefgen.commands.progress import StageProgress
from tests.test_incremental import make_project


def read_all(fd: int) -> str:
    os.set_blocking(fd, False)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except (BlockingIOError, OSError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode()


def build_with_progress(project: Path, after: float, terminal: bool) -> str:
    reader, writer = pty.openpty() if terminal else os.pipe()
    with open(writer, "w", closefd=True) as stream, StageProgress(stream, after, every=0.02) as p:
        build(project, with_pdf=False, use_manifest=True, progress=p)
    try:
        return read_all(reader)
    finally:
        os.close(reader)


def test_a_long_build_on_a_terminal_shows_each_stage(tmp_path: Path) -> None:
    make_project(tmp_path)
    shown = build_with_progress(tmp_path, after=0.01, terminal=True)
    lines = [line.rsplit("\r\x1b[K", 1)[-1] for line in shown.replace("\r\n", "\n").split("\n")]
    stages = [line.split(" ")[0] for line in lines if "done in" in line]
    assert "load" in stages and "write" in stages, shown
    assert stages.index("load") < stages.index("write")
    load = next(line for line in lines if line.startswith("load ") and "done in" in line)
    assert "/" in load  # how many articles of how many


def test_a_quick_build_on_a_terminal_shows_no_progress(tmp_path: Path) -> None:
    make_project(tmp_path)
    assert build_with_progress(tmp_path, after=30.0, terminal=True) == ""


def test_a_long_build_on_a_pipe_draws_nothing(tmp_path: Path) -> None:
    make_project(tmp_path)
    assert build_with_progress(tmp_path, after=0.01, terminal=False) == ""


def test_the_command_on_a_pipe_prints_its_summary_only(tmp_path: Path) -> None:
    make_project(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "briefgen", "build", str(tmp_path), "--no-pdf"],
        capture_output=True,
        text=True,
        check=True,
    )
    # the generated project draws content warnings (uncited articles, the rest of them
    # counted in one line), never progress
    lines = result.stderr.splitlines()
    assert lines[-1] == (
        "warning: 94 more uncited-article warnings not shown; `briefgen check` lists every one"
    )
    assert [line for line in lines[:-1] if ": warning: " not in line] == []
    assert sum("is cited nowhere" in line for line in lines) == 10
    assert result.stdout.startswith("built ") and "\r" not in result.stdout
    assert "\x1b" not in result.stdout and "done in" not in result.stdout
