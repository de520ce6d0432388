"""The output of four projects, file by file, against a reviewed copy in tests/golden/.

A change to the pipeline that changes what a reader gets shows here as a diff. When the
change is meant, regenerate and review the diff in git:

    BRIEFGEN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

Text outputs (pages, feed, sitemap, CSS) are kept whole; binary ones (fonts, images) by
their SHA-256 in MANIFEST; the PDF by its text as pdftotext lays it out.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from briefgen.cli import main
from tests.conftest import FIXTURES, REPO

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("BRIEFGEN_UPDATE_GOLDEN") == "1"
TEXT_SUFFIXES = (".html", ".xml", ".css", ".js", ".txt", ".svg")
PROJECTS = {
    "example": REPO,
    "second-project": FIXTURES / "second-project",
    "pdf-project": FIXTURES / "pdf-project",
    "german-project": FIXTURES / "german-project",
}


def built_tree(project: Path, work: Path) -> dict[str, bytes]:
    """Every file a build of project writes, as the golden tree keeps it."""
    root = work / "project"
    if project == REPO:
        root = REPO  # the repository is the example project: build it in place
    else:
        shutil.copytree(project, root)
    out = work / "site"
    assert main(["build", os.fspath(root), "--out", os.fspath(out), "--force"]) == 0
    tree: dict[str, bytes] = {}
    manifest: list[str] = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        data = path.read_bytes()
        if rel.startswith("pagefind/"):  # Pagefind's bytes vary with its version
            if rel == "pagefind/pagefind.js":
                manifest.append("pagefind/ (the search index: tests/test_search.py)")
            continue
        if rel.endswith(".pdf"):
            text = subprocess.run(
                ["pdftotext", "-layout", os.fspath(path), "-"],
                check=True,
                capture_output=True,
            ).stdout
            tree[rel + ".txt"] = text
            manifest.append(f"{rel} (text in {rel}.txt)")
        elif rel.endswith(TEXT_SUFFIXES):
            tree[rel] = data
            manifest.append(rel)
        else:
            manifest.append(f"{rel} sha256:{hashlib.sha256(data).hexdigest()}")
    tree["MANIFEST"] = ("\n".join(manifest) + "\n").encode()
    return tree


def golden_tree(name: str) -> dict[str, bytes]:
    folder = GOLDEN / name
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def write_golden(name: str, tree: dict[str, bytes]) -> None:
    folder = GOLDEN / name
    shutil.rmtree(folder, ignore_errors=True)
    for rel, data in tree.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_output_matches_the_reviewed_golden_tree(name: str, tmp_path: Path) -> None:
    tree = built_tree(PROJECTS[name], tmp_path)
    if UPDATE:
        write_golden(name, tree)
    golden = golden_tree(name)
    assert golden, f"no golden tree for {name}; run with BRIEFGEN_UPDATE_GOLDEN=1"
    assert sorted(tree) == sorted(golden), "the build writes other files than the golden tree"
    for rel, data in tree.items():
        if data != golden[rel]:
            diff = difflib.unified_diff(
                golden[rel].decode("utf-8", "replace").splitlines(),
                data.decode("utf-8", "replace").splitlines(),
                f"golden/{name}/{rel}",
                f"built/{rel}",
                lineterm="",
                n=2,
            )
            pytest.fail("\n".join(list(diff)[:60]))
    # Alive: the golden tree holds real pages, not an empty build.
    assert b"<h1" in golden["index.html"]
    assert any(rel.endswith(".pdf.txt") and len(golden[rel]) > 500 for rel in golden)
