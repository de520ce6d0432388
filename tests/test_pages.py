"""Single pages as a reader meets them: the not-found page and the merged timeline."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result


def links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]*)"', html)


def test_not_found_page_is_self_contained_with_root_links(example_site: Path) -> None:
    page = (example_site / "404.html").read_text()
    style = (example_site / "assets" / "style.css").read_text()
    assert 'rel="stylesheet"' not in page
    assert style.strip() in page  # the theme's stylesheet, inlined
    found = [link for link in links(page) if link != "#main"]
    assert "/" in found and "/articles/" in found and "/issues/taiwan/" in found
    assert all(link.startswith("/") and not link.startswith("//") for link in found), found
    assert "shorten the address" in page  # says where its links lead


def test_not_found_page_links_to_base_url_when_set(second_site: Path) -> None:
    page = (second_site / "404.html").read_text()
    base = "https://briefs.example.org/arctic/"
    found = [link for link in links(page) if link != "#main"]
    assert base in found and f"{base}issues/fisheries/" in found
    assert all(link.startswith(base) for link in found), found
    assert 'rel="stylesheet"' not in page and "<style>" in page
    assert "shorten the address" not in page


THEMED_CSS = """\
body { background: url(img/dot.svg) repeat; }
@font-face { font-family: Big; src: url("fonts/big.woff2") format("woff2"); }
.a { background: url('https://cdn.example.org/x.png'); }
.b { background: url(data:image/gif;base64,R0lGODlhAQABAAAAACw=); }
.c { background: url(../../../../etc/hostname); }
.d::after { content: "</style><script>alert(1)</script>"; }
"""
DOT = b'<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>'


def test_not_found_page_resolves_the_theme_stylesheets_urls(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    files: dict[str, str | bytes] = {
        "themes/t/static/style.css": THEMED_CSS,
        "themes/t/static/img/dot.svg": DOT,
        "themes/t/static/fonts/big.woff2": b"\0" * 40_000,
        "content/briefing.yaml": "title: Themed\ntheme: t\n",
    }
    root = project(files)
    assert run("build", root, "--no-pdf").code == 0
    page = (root / "site" / "404.html").read_text()
    assert f'url("data:image/svg+xml;base64,{base64.b64encode(DOT).decode()}")' in page
    assert 'url("/assets/fonts/big.woff2")' in page  # too big to embed
    assert "url('https://cdn.example.org/x.png')" in page
    assert "url(data:image/gif;base64,R0lGODlhAQABAAAAACw=)" in page
    assert "url(../../../../etc/hostname)" in page  # left alone, never read
    assert "</style><script>" not in page and page.count("</style>") == 1

    files["content/briefing.yaml"] = "title: Themed\ntheme: t\nbase_url: https://ex.org/b/\n"
    root = project(files)
    assert run("build", root, "--no-pdf").code == 0
    page = (root / "site" / "404.html").read_text()
    assert 'url("https://ex.org/b/assets/img/dot.svg")' in page
    assert 'url("https://ex.org/b/assets/fonts/big.woff2")' in page


TWO_ISSUES = {
    "content/issues/talks.yaml": """\
        title: The talks
        bottom_line: Talks continue.
        timeline:
          - date: 2026-02-20
            event: First round opens.
            sources: [alpha]
          - date: 2026-02-27
            event: Second round opens.
            sources: [alpha]
        """,
    "content/issues/border.yaml": """\
        title: The border
        bottom_line: Quiet.
        timeline:
          - date: 2026-02-20
            event: Patrols resume.
            sources: [alpha]
        """,
}


def test_merged_timeline_shows_each_date_once_newest_first(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project(TWO_ISSUES)
    assert run("build", root, "--no-pdf").code == 0
    page = (root / "site" / "timeline" / "index.html").read_text()
    main = page[page.index("<main") : page.index("</main>")]
    assert "Newest first; each issue page lists its own events oldest first." in main
    assert main.count('datetime="2026-02-20"') == 1
    assert main.count("20 February 2026") == 1
    days = main.split('<li class="day">')[1:]
    assert len(days) == 2
    assert (
        '<h2 class="day-date"><time datetime="2026-02-27">27 February 2026</time></h2>' in days[0]
    )
    assert "Second round opens." in days[0] and "Patrols resume." not in days[0]
    assert "First round opens." in days[1] and "Patrols resume." in days[1]
    assert days[1].count('<li class="event">') == 2
    # Each issue page keeps its own events oldest first.
    issue = (root / "site" / "issues" / "talks" / "index.html").read_text()
    assert issue.index("First round opens.") < issue.index("Second round opens.")
