"""What keeps the PDF fast: what WeasyPrint is given to lay out, and how it is imported.

The layout itself is timed by benchmarks/bench_pdf.py; these tests hold the causes
found there, each of which once cost a tenth to a third of `briefgen pdf`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefgen.build import prepare, print_document

from .conftest import FIXTURES, REPO, write_files


class _Ids(HTMLParser):
    """For each element with an id: its tag, and how many elements it holds."""

    VOID = frozenset({"br", "img", "meta", "link", "col", "hr", "input", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, str | None]] = []
        self.held: dict[str, int] = {}
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for _, ident in self.open:
            if ident is not None:
                self.held[ident] += 1
        ident = dict(attrs).get("id")
        if ident is not None:
            self.held[ident] = 0
            self.tags[ident] = tag
        if tag not in self.VOID:
            self.open.append((tag, ident))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop()[0] == tag:
                break


@pytest.mark.parametrize("pdf_format", ["full", "brief"])
def test_link_targets_in_the_print_html_hold_no_subtree(pdf_format: str) -> None:
    """WeasyPrint shares a computed style between elements only when their parents
    share one, and an id is a style declaration of its own: an id on a section made
    every element in it compute its style afresh (the layout of 200 articles took a
    third longer). Targets sit on a heading, a number or a title instead."""
    html = print_document(prepare(REPO), pdf_format).html
    ids = _Ids()
    ids.feed(html)
    assert "src-1" in ids.held, "the notes link to the sources"
    if pdf_format == "full":
        assert {"contents", "watch", "timeline", "sources"} <= set(ids.held)
    big = {
        ident: held
        for ident, held in ids.held.items()
        if held > 3 and ident != "cover"  # the cover's target is the top of its page
    }
    assert big == {}


def test_uncited_articles_do_not_reach_the_layout(tmp_path: Path) -> None:
    """Articles no issue cites appear in the PDF only as a count; what WeasyPrint lays
    out is otherwise the same with 60 more of them."""
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "pdf-project", root)
    before = print_document(prepare(root), "full").html
    write_files(
        root,
        {
            f"content/articles/extra-{i:02d}.md": f"""\
            ---
            title: Background piece {i}
            source: Example Wire
            published: 2026-02-{i % 28 + 1:02d}
            url: https://news.example.org/background/{i}
            issues: [geneva]
            ---
            Background on the talks, number {i}, which no key point cites.
            """
            for i in range(60)
        },
    )
    after = print_document(prepare(root), "full").html
    count = re.compile(r"\d+ further articles? (is|are) in the collection")
    assert count.search(after) and count.search(after) != count.search(before)
    assert "Background piece" not in after
    assert count.sub("", after) == count.sub("", before)


@pytest.mark.skipif(sys.platform != "linux", reason="the library search is Linux's")
def test_weasyprint_is_imported_without_the_library_search() -> None:
    """cffi asks ctypes.util.find_library for each name of Pango, HarfBuzz and
    fontconfig it cannot open directly; on Linux that runs ldconfig, gcc and ld, about
    90 processes and a third of a second. briefgen's import runs none, and leaves
    find_library as it was."""
    probe = (
        "import ctypes.util, subprocess\n"
        "spawned = []\n"
        "real_init = subprocess.Popen.__init__\n"
        "def init(self, *args, **kwargs):\n"
        "    spawned.append(args[0] if args else kwargs.get('args'))\n"
        "    real_init(self, *args, **kwargs)\n"
        "subprocess.Popen.__init__ = init\n"
        "find_library = ctypes.util.find_library\n"
        "from briefgen.weasyimport import import_weasyprint\n"
        "import_weasyprint()\n"
        "import weasyprint\n"
        "print(len(spawned), ctypes.util.find_library is find_library)\n"
        "ctypes.util.find_library('libpango-1.0-0')\n"  # what WeasyPrint's own import does
        "print(len(spawned))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO
    )
    during, restored, plain = done.stdout.split()
    assert (during, restored) == ("0", "True")
    assert int(plain) > 0, "the plain search does spawn processes here, so the test is alive"
