"""The pipeline end to end: pages, links, escaping, atomic output, other projects."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from briefgen.build import BuildCache, build
from briefgen.errors import BuildFailed
from briefgen.write import OutputFile, check_outputs
from tests.conftest import MINIMAL, REPO, Result, tiny_jpeg, tiny_png, write_files


def tree_state(root: Path) -> dict[str, tuple[str, int, int]]:
    """Every file under root with its hash, inode and mtime."""
    state = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            st = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            state[path.relative_to(root).as_posix()] = (digest, st.st_ino, st.st_mtime_ns)
    return state


EXPECTED_PAGES = [
    "index.html",
    "watch/index.html",
    "timeline/index.html",
    "articles/index.html",
    "feed.xml",
    "404.html",
    "assets/style.css",
]


def test_example_has_every_page(example_site: Path) -> None:
    for rel in EXPECTED_PAGES:
        assert (example_site / rel).is_file(), rel
    issues = sorted(p.stem for p in (REPO / "content" / "issues").glob("*.yaml"))
    assert len(issues) >= 3
    for issue in issues:
        assert (example_site / "issues" / issue / "index.html").is_file()
    articles = sorted((REPO / "content" / "articles").iterdir())
    assert len(articles) == 5
    for article in articles:
        assert (example_site / "articles" / article.stem / "index.html").is_file()


def test_front_page_shows_bottom_line_cards_checklist_and_sources(example_site: Path) -> None:
    html = (example_site / "index.html").read_text()
    assert "Bottom line" in html
    assert html.count('class="card"') >= 3
    assert re.search(r'class="badge status-(escalating|steady|easing)"', html)
    assert 'href="watch/index.html#' in html
    assert html.count('class="source-item"') == 5


def test_issue_page_cites_link_to_highlighted_quotes(example_site: Path) -> None:
    page = example_site / "issues" / "taiwan" / "index.html"
    html = page.read_text()
    for section in ("Bottom line", "Key points", "Positions", "Timeline", "Open questions"):
        assert section in html, section
    links = re.findall(r'href="\.\./\.\./articles/([^/]+)/index\.html#(q\d+)"', html)
    assert links, "no cite links to quoted passages"
    for article_id, anchor in links:
        target = (example_site / "articles" / article_id / "index.html").read_text()
        assert f'<mark id="{anchor}">' in target


def test_article_page_has_backlinks_and_rendered_structure(example_site: Path) -> None:
    html = (example_site / "articles" / "trump-xi-takaichi-calls" / "index.html").read_text()
    assert "Cited in" in html
    assert 'href="../../issues/taiwan/index.html"' in html
    assert "<h2>" in html  # clipping headings become headings
    assert "Photo:" not in html  # site chrome is gone
    assert "<mark" in html


def test_txt_clipping_is_cleaned(second_site: Path) -> None:
    html = (second_site / "articles" / "harbour-clip" / "index.html").read_text()
    assert "Loading..." not in html
    assert "Home &gt; Shipping" not in html
    assert "Photo: Harbour Archive" not in html
    body = html.split('class="article-body"', 1)[1]
    assert "Insurers raise premiums for ice-class voyages" not in body  # title not repeated
    assert "Brokers said operators with newer hulls were offered discounts." in body


def test_second_project_differs_from_the_example(second_site: Path) -> None:
    assert (second_site / "issues" / "northern-route" / "index.html").is_file()
    fisheries = (second_site / "issues" / "fisheries" / "index.html").read_text()
    assert "Positions" not in fisheries
    assert "What to watch" not in (second_site / "index.html").read_text()
    watch = (second_site / "watch" / "index.html").read_text()
    assert "No checklist items yet." in watch
    feed = (second_site / "feed.xml").read_text()
    assert "https://briefs.example.org/arctic/issues/fisheries/" in feed
    sitemap = (second_site / "sitemap.xml").read_text()
    assert "<loc>https://briefs.example.org/arctic/articles/harbour-clip/</loc>" in sitemap


def test_links_are_relative(example_site: Path) -> None:
    for page in example_site.rglob("*.html"):
        if page.name == "404.html":
            continue
        for href in re.findall(r'(?:href|src)="([^"]+)"', page.read_text()):
            assert not href.startswith("/"), (page, href)


class TagCollector(HTMLParser):
    """The real tags and attributes of a page, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    @classmethod
    def of(cls, html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
        parser = cls()
        parser.feed(html)
        return parser.tags


HOSTILE = """\
---
title: "<script>alert('title')</script> Hostile"
source: "<b onmouseover=alert(1)>Outlet</b>"
---
<script>alert('body')</script>

<img src=x onerror="alert(1)">

[click](javascript:alert(1)) and [data](data:text/html;base64,PHNjcmlwdD4=)
and [vb](vbscript:msgbox) and <a href="javascript:alert(2)">raw</a>

<iframe src="https://evil.example/"></iframe>

Quoted words here & there.
"""


def test_hostile_article_text_is_escaped(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project(
        {
            "content/articles/hostile.md": HOSTILE,
            "content/watch.yaml": (
                'items:\n  - title: "<script>x</script>"\n    issue: talks\n'
                "    why: '[go](javascript:alert(3)) <img src=x onerror=alert(4)>'\n"
                "    sources:\n      - article: hostile\n        quote: here & there\n"
            ),
        }
    )
    assert run("build", root, "--no-pdf").code == 0
    for page in (root / "site").rglob("*.html"):
        tags = TagCollector.of(page.read_text())
        # The theme's own: the search page's script, and no other.
        ours = ("script", [("src", "../assets/search.js"), ("defer", None)])
        tags = [t for t in tags if not (page.parent.name == "search" and t == ours)]
        assert not {"script", "iframe", "img", "b"} & {t for t, _ in tags}, page
        for tag, attrs in tags:
            for name, value in attrs:
                assert not name.startswith("on"), (page, tag, name)
                if name in ("href", "src"):
                    assert not re.match(r"\s*(javascript|vbscript|data):", value or "", re.I)
    article = (root / "site" / "articles" / "hostile" / "index.html").read_text()
    assert "&lt;script&gt;alert('body')&lt;/script&gt;" in article
    assert '<mark id="q1">here &amp; there</mark>' in article


def test_quote_is_found_and_highlighted_as_whole_words_only(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project(
        {
            "content/articles/ban.md": "---\ntitle: Ban\n---\nBananas and bans. The ban holds.\n",
            "content/watch.yaml": "items:\n  - title: X\n    issue: talks\n    sources:\n"
            "      - {article: ban, quote: ban}\n",
        }
    )
    assert run("build", root, "--no-pdf").code == 0
    article = (root / "site" / "articles" / "ban" / "index.html").read_text()
    assert '<p>Bananas and bans. The <mark id="q1">ban</mark> holds.</p>' in article


def test_failed_build_leaves_previous_site_intact(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project()
    assert run("build", root, "--no-pdf").code == 0
    before = tree_state(root / "site")
    (root / "content" / "issues" / "talks.yaml").write_text("title: [broken\n")
    assert run("build", root, "--no-pdf").code == 1
    assert tree_state(root / "site") == before
    assert not [p for p in root.iterdir() if p.name.startswith(".site")], "temp folders left"


def test_template_error_keeps_previous_site(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project()
    assert run("build", root, "--no-pdf").code == 0
    before = tree_state(root / "site")
    (root / "templates").mkdir()
    (root / "templates" / "watch.html").write_text("{{ undefined_name.x }}")
    result = run("build", root, "--no-pdf")
    assert result.code == 1
    assert "templates/watch.html:1:1: template error" in result.err
    assert tree_state(root / "site") == before


def test_rebuild_rewrites_only_changed_files_and_removes_leftovers(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project(
        {"content/articles/beta.md": "---\ntitle: Beta\npublished: 2026-01-01\n---\nOld text.\n"}
    )
    assert run("build", root, "--no-pdf").code == 0
    before = tree_state(root / "site")
    (root / "site" / "stale.html").write_text("left over")
    (root / "content" / "articles" / "alpha.md").write_text(
        (root / "content" / "articles" / "alpha.md").read_text() + "\nA new line.\n"
    )
    (root / "content" / "articles" / "beta.md").unlink()
    result = run("build", root, "--no-pdf")
    assert result.code == 0, result.err
    after = tree_state(root / "site")
    assert "stale.html" not in after
    assert "articles/beta/index.html" not in after
    assert not (root / "site" / "articles" / "beta").exists()
    assert after["articles/alpha/index.html"][0] != before["articles/alpha/index.html"][0]
    # untouched pages keep their inode and mtime: not rewritten
    assert after["issues/talks/index.html"] == before["issues/talks/index.html"]
    assert after["assets/style.css"] == before["assets/style.css"]


def test_unchanged_rebuild_is_skipped(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project()
    assert run("build", root, "--no-pdf").code == 0
    before = tree_state(root / "site")
    result = run("build", root, "--no-pdf")
    assert "is up to date" in result.out
    assert tree_state(root / "site") == before
    (root / "site" / "index.html").write_text("tampered")
    result = run("build", root, "--no-pdf")
    assert "is up to date" not in result.out
    assert "Test briefing" in (root / "site" / "index.html").read_text()


OWN = "expected a folder of its own, such as site/"
ALWAYS_BUILT = ("index.html", "404.html", "feed.xml", "sitemap.xml")


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("p", f"p:1:1: output folder is the project folder; {OWN}"),
        ("p/..", f"p/..:1:1: output folder holds the project; {OWN}"),
        ("p/content", f"p/content:1:1: output folder is content/; {OWN}"),
        ("p/content/articles", f"p/content/articles:1:1: output folder is inside content/; {OWN}"),
        ("p/templates", f"p/templates:1:1: output folder is templates/; {OWN}"),
        ("p/themes/x", f"p/themes/x:1:1: output folder is inside themes/; {OWN}"),
        ("p/.briefgen-cache", f"p/.briefgen-cache:1:1: output folder is .briefgen-cache/; {OWN}"),
        ("p/README.txt", "p/README.txt:1:1: output folder is a file; expected a folder"),
        (
            "p/notes",
            "p/notes:1:1: output folder holds files but no .briefgen-output marker, so they "
            "may not be briefgen's; expected a new or empty folder, or one this project was "
            "built into before (for the output of an older briefgen, delete the folder or "
            "create an empty .briefgen-output in it)",
        ),
        (
            "p/other-site",
            "p/other-site:1:1: output folder holds files but no .briefgen-output marker, so they "
            "may not be briefgen's; expected a new or empty folder, or one this project was "
            "built into before (for the output of an older briefgen, delete the folder or "
            "create an empty .briefgen-output in it)",
        ),
        (
            "p/linked-site",
            "p/linked-site:1:1: output folder is a symbolic link; expected a folder (give its "
            "real path with --out)",
        ),
    ],
)
def test_out_never_replaces_the_project_or_other_files(
    out: str,
    message: str,
    project: Callable[..., Path],
    run: Callable[..., Result],
    chdir_tmp: Path,
) -> None:
    root = project(
        {
            "README.txt": "keep\n",
            "notes/todo.txt": "x\n",
            # another generator's output looks like a briefgen site but has no marker
            **{f"other-site/{name}": "theirs\n" for name in ALWAYS_BUILT},
            "other-site/about/index.html": "theirs\n",
        }
    )
    (root / "linked-site").symlink_to(root / "notes")
    before = tree_state(chdir_tmp)
    result = run("build", root, "--no-pdf", "--out", out)
    assert result.code == 1
    assert result.err.splitlines() == [message, "briefgen: 1 error; nothing written"]
    assert tree_state(chdir_tmp) == before


def test_out_may_be_a_new_or_empty_folder_or_an_earlier_output(
    project: Callable[..., Path], run: Callable[..., Result], tmp_path: Path
) -> None:
    root = project()
    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "new", tmp_path / "empty"):
        assert run("build", root, "--no-pdf", "--out", out).code == 0
        (out / "stale.html").write_text("left over")
        result = run("build", root, "--no-pdf", "--out", out)
        assert result.code == 0, result.err
        assert "1 removed" in result.out
        assert not (out / "stale.html").exists()
    # a briefgen site built elsewhere (a committed docs/ folder on a fresh clone) is
    # recognised by the marker its writer leaves; lose it and it is not
    other = write_files(tmp_path / "other", MINIMAL)
    result = run("build", other, "--no-pdf", "--out", tmp_path / "new")
    assert result.code == 0, result.err
    (tmp_path / "new" / ".briefgen-output").unlink()
    result = run("build", root, "--no-pdf", "--out", tmp_path / "new", "--force")
    assert result.code == 0, result.err  # this project built it before
    (tmp_path / "new" / ".briefgen-output").unlink()
    third = write_files(tmp_path / "third", MINIMAL)
    result = run("build", third, "--no-pdf", "--out", tmp_path / "new")
    assert result.code == 1
    assert "output folder holds files but no .briefgen-output marker" in result.err


def test_incremental_build_equals_clean_build(project: Callable[..., Path], tmp_path: Path) -> None:
    root = project()
    cache = BuildCache()
    build(root, with_pdf=False, cache=cache)
    article = root / "content" / "articles" / "alpha.md"
    article.write_text(article.read_text().replace("Monday", "Tuesday"))
    build(root, with_pdf=False, cache=cache)
    clean = tmp_path / "clean"
    build(root, clean, with_pdf=False)
    incremental = {k: v[0] for k, v in tree_state(root / "site").items()}
    assert incremental == {k: v[0] for k, v in tree_state(clean).items()}
    assert "Tuesday" in (root / "site" / "articles" / "alpha" / "index.html").read_text()


IMAGES = {
    "content/articles/pic.md": "---\ntitle: Pic\n---\nA map:\n\n"
    "![the map](content/images/map.png)\n\n"
    "![same](./content/images/map.png) ![far](<content/images/far away.jpg>) "
    "![remote](https://example.com/c.png)\n",
    "content/images/map.png": tiny_png(),
    "content/images/far away.jpg": tiny_jpeg(),
}


def image_srcs(page: Path) -> list[str]:
    return [
        dict(attrs)["src"] or "" for tag, attrs in TagCollector.of(page.read_text()) if tag == "img"
    ]


def test_article_image_is_copied_and_its_src_resolves(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project(IMAGES)
    result = run("build", root, "--no-pdf")
    assert result.code == 0, result.err
    site = root / "site"
    page = site / "articles" / "pic" / "index.html"
    srcs = image_srcs(page)
    assert srcs == [
        "../../media/images/map.png",
        "../../media/images/map.png",
        "../../media/images/far%20away.jpg",
        "https://example.com/c.png",  # remote: left to the browser
    ]
    for src in srcs[:3]:
        target = (page.parent / unquote(src)).resolve()
        assert target.is_relative_to(site.resolve())
        assert target.read_bytes() == (root / "content" / "images" / target.name).read_bytes()
    assert sorted(p.relative_to(site).as_posix() for p in (site / "media").rglob("*.*")) == [
        "media/images/far away.jpg",
        "media/images/map.png",
    ]


def test_changed_image_is_copied_again_and_unchanged_one_is_not_rewritten(
    project: Callable[..., Path], tmp_path: Path
) -> None:
    root = project(IMAGES)
    cache = BuildCache()
    build(root, with_pdf=False, cache=cache)
    before = tree_state(root / "site")
    (root / "content" / "images" / "map.png").write_bytes(tiny_png((10, 200, 10)))
    report = build(root, with_pdf=False, cache=cache)
    assert report.written == ("media/images/map.png",)
    after = tree_state(root / "site")
    assert after["media/images/map.png"][0] != before["media/images/map.png"][0]
    assert (root / "site" / "media" / "images" / "map.png").read_bytes() == tiny_png((10, 200, 10))
    assert after["media/images/far away.jpg"] == before["media/images/far away.jpg"]
    # a one-off build notices the change as well, and equals a clean build
    (root / "content" / "images" / "map.png").write_bytes(tiny_png((1, 2, 3)))
    build(root, with_pdf=False, use_manifest=True)
    assert (root / "site" / "media" / "images" / "map.png").read_bytes() == tiny_png((1, 2, 3))
    build(root, tmp_path / "clean", with_pdf=False)
    clean = {k: v[0] for k, v in tree_state(tmp_path / "clean").items()}
    assert {k: v[0] for k, v in tree_state(root / "site").items()} == clean


def test_image_deleted_while_serving_fails_the_build(project: Callable[..., Path]) -> None:
    root = project(IMAGES)
    cache = BuildCache()
    build(root, with_pdf=False, cache=cache)
    (root / "content" / "images" / "map.png").unlink()
    with pytest.raises(BuildFailed) as failed:
        build(root, with_pdf=False, cache=cache)
    assert [(d.pos.line, d.pos.col, d.message) for d in failed.value.diagnostics] == [
        (
            6,
            12,
            "image file 'content/images/map.png' not found; expected an image file at that path",
        )
    ]
    assert (root / "site" / "media" / "images" / "map.png").is_file()  # previous site kept


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts


def test_build_makes_no_network_access(
    project: Callable[..., Path], run: Callable[..., Result], no_network: list[object]
) -> None:
    root = project(
        {"content/articles/pic.md": "---\ntitle: Pic\n---\n![chart](https://example.com/c.png)\n"}
    )
    assert run("build", root, "--no-pdf").code == 0
    assert no_network == []


def test_init_creates_a_project_that_builds(tmp_path: Path, run: Callable[..., Result]) -> None:
    target = tmp_path / "new"
    result = run("init", target)
    assert result.code == 0
    assert run("check", target).code == 0
    assert run("build", target, "--no-pdf").code == 0
    assert (target / "site" / "issues" / "example" / "index.html").is_file()
    assert run("init", target).code == 1  # never over an existing project


def test_init_refuses_a_file_and_a_folder_it_cannot_create(
    run: Callable[..., Result], chdir_tmp: Path
) -> None:
    (chdir_tmp / "afile").write_text("x")
    result = run("init", "afile")
    assert result.code == 1
    assert result.err.splitlines()[0] == "afile:1:1: is a file; expected a new or empty folder"
    result = run("init", "afile/new")
    assert result.code == 1
    assert result.err.splitlines()[0] == "afile/new:1:1: cannot create: Not a directory"
    assert (chdir_tmp / "afile").read_text() == "x"


def test_project_templates_override_builtin_file_by_file(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project(
        {
            "templates/404.html": "{% extends 'base.html' %}{% block content %}"
            "<h1>Lost at sea</h1>{% endblock %}",
            "themes/plain/static/style.css": "body { font-family: serif; }\n",
            "content/briefing.yaml": "title: Themed\ntheme: plain\n",
        }
    )
    assert run("build", root, "--no-pdf").code == 0
    assert "Lost at sea" in (root / "site" / "404.html").read_text()
    assert "Skip to content" in (root / "site" / "404.html").read_text()  # built-in base
    assert (root / "site" / "assets" / "style.css").read_text() == "body { font-family: serif; }\n"


def test_check_counts_in_singular_and_plural(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    result = run("check", project())
    assert result.out == "ok: 1 article, 1 issue, 1 checklist item, 2 cites\n"


def test_outputs_that_need_a_file_as_a_folder_are_refused(tmp_path: Path) -> None:
    files = [
        OutputFile("articles/index.html", b"list"),
        OutputFile("articles/index.html/index.html", b"page"),
    ]
    with pytest.raises(BuildFailed) as failed:
        check_outputs(files, tmp_path / "site")
    assert [d.message for d in failed.value.diagnostics] == [
        "output 'articles/index.html' is a file, but 'articles/index.html/index.html' "
        "needs it as a folder"
    ]


def test_python_dash_m_works(project: Callable[..., Path]) -> None:
    root = project()
    done = subprocess.run(
        [sys.executable, "-m", "briefgen", "check", os.fspath(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok:")
