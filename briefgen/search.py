"""The site's search index, made by Pagefind from the rendered pages.

Pagefind (a Rust binary shipped on PyPI as `pagefind[extended]`) indexes the parts of
pages marked `data-pagefind-body` (issues, articles, the checklist) into a bundle of
small compressed files that the browser fetches a few at a time while the reader
types: no server code, and it runs offline once loaded. The pages are indexed from
memory, before the build writes anything, so the index goes out with the pages it
describes, all or nothing.
"""

from __future__ import annotations

import importlib
import logging
import os
import subprocess
import tempfile
from pathlib import Path

from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.write import OutputFile

logger = logging.getLogger(__name__)

BUNDLE = "pagefind"
"""The folder of the index in the site: the search page loads BUNDLE/pagefind.js."""
_BINARIES = ("pagefind_bin_extended", "pagefind_bin")
_UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")
"""Pagefind's ready-made interfaces: the theme's search page has its own."""


def pagefind_binary() -> Path | None:
    """The Pagefind program of the installed PyPI package (extended: also Chinese and
    Japanese word segmentation), or None."""
    for name in _BINARIES:
        try:
            module = importlib.import_module(name)
            found = Path(module.get_executable())
        except (ImportError, FileNotFoundError, OSError):
            continue
        if found.is_file():
            return found
    return None


def search_files(files: list[OutputFile], project_root: Path) -> list[OutputFile]:
    """The search bundle for the pages among files; raises BuildFailed when Pagefind is
    missing or fails."""
    binary = pagefind_binary()
    if binary is None:
        raise BuildFailed(
            [
                Diagnostic(
                    SourcePos(project_root),
                    "the search index needs Pagefind: pip install 'pagefind[extended]'",
                )
            ]
        )
    with tempfile.TemporaryDirectory(prefix="briefgen-search-") as scratch:
        site, bundle = Path(scratch, "site"), Path(scratch, "bundle")
        for file in files:
            if file.path.endswith(".html") and b"data-pagefind-body" in file.data:
                target = site / file.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(file.data)
        done = subprocess.run(
            [
                os.fspath(binary),
                "--site",
                os.fspath(site),
                "--output-path",
                os.fspath(bundle),
                "--silent",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            reason = said[-1] if said else f"exit status {done.returncode}"
            raise BuildFailed(
                [
                    Diagnostic(
                        SourcePos(project_root),
                        f"Pagefind could not index the site: {reason}",
                    )
                ]
            )
        return [
            OutputFile(f"{BUNDLE}/{path.relative_to(bundle).as_posix()}", path.read_bytes())
            for path in sorted(bundle.rglob("*"))
            if path.is_file() and not path.name.startswith(_UNUSED)
        ]
