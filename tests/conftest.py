"""Shared helpers: small projects written into tmp_path, and the CLI run in-process."""

from __future__ import annotations

import io
import os
import shutil
import struct
import textwrap
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefgen.cli import main

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Debian's Chromium as root, on a machine with no network: without the background
# flags it keeps trying (and failing) to reach Google's services.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run `briefgen ARGS` in-process and capture what it prints."""

    def _run(*args: str | os.PathLike[str]) -> Result:
        try:
            code = main([os.fspath(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _run


MINIMAL = {
    "content/briefing.yaml": """\
        title: Test briefing
        edition: 2026-03-01
        summary: The overall bottom line.
        """,
    "content/articles/alpha.md": """\
        ---
        title: Alpha report
        source: Test Wire
        published: 2026-02-27
        ---
        The minister said the talks were "slow but serious" on Monday.

        ## Details

        - first point
        - second point
        """,
    "content/issues/talks.yaml": """\
        title: The talks
        status: steady
        bottom_line: Talks continue. Nothing is settled.
        key_points:
          - text: Talks are slow.
            confidence: high
            sources:
              - article: alpha
                quote: slow but serious
        """,
    "content/watch.yaml": """\
        items:
          - title: Next round
            issue: talks
            sources: [alpha]
        """,
}


def tiny_png(rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid 1x1 PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00" + bytes(rgb))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def tiny_jpeg(rgb: tuple[int, int, int] = (30, 30, 200)) -> bytes:
    """A valid 2x2 JPEG of one colour."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2), rgb).save(out, "JPEG")
    return out.getvalue()


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Path]:
    """A minimal project in tmp_path/p, with files added or replaced as given."""

    def _make(files: dict[str, str | bytes] | None = None, drop: tuple[str, ...] = ()) -> Path:
        root = tmp_path / "p"
        merged = {k: v for k, v in MINIMAL.items() if k not in drop}
        merged.update(files or {})
        return write_files(root, merged)

    return _make


@pytest.fixture
def chdir_tmp(tmp_path: Path) -> Iterator[Path]:
    """Run with tmp_path as the working folder, so messages show short relative paths."""
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's example briefing, built once (pages and search index, no PDF) into
    a temp folder."""
    out = tmp_path_factory.mktemp("example") / "site"
    build = ["build", os.fspath(REPO), "--out", os.fspath(out), "--no-pdf", "--force", "--search"]
    assert main(build) == 0
    return out


@pytest.fixture(scope="session")
def second_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The second fixture project (another topic), built once."""
    root = tmp_path_factory.mktemp("second") / "project"
    shutil.copytree(FIXTURES / "second-project", root)
    assert main(["build", os.fspath(root), "--no-pdf"]) == 0
    return root / "site"


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Headless Debian Chromium, driven by Playwright, shared by the browser tests."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        yield launched
        launched.close()
