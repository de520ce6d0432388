"""The PDF briefing, inspected as a reader's tools see it: pypdf and poppler on the real file."""

from __future__ import annotations

import html as htmllib
import logging
import os
import re
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from contextlib import chdir
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from briefgen import builtins, pdf
from briefgen.build import BuildCache, build, prepare
from briefgen.cli import main
from briefgen.model import Briefing

from .conftest import FIXTURES, REPO, Result, write_files

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


@dataclass
class BuiltPdf:
    path: Path
    briefing: Briefing
    logs: list[logging.LogRecord]
    reader: PdfReader
    pages: list[str]
    """pdftotext of each page."""
    html: str
    """The print HTML the PDF was made from."""

    @property
    def flat(self) -> list[str]:
        """Each page's text, squashed as by _squash()."""
        return [_squash(page) for page in self.pages]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _build_pdf(project: Path, out: Path) -> BuiltPdf:
    """Build project (site and PDF) into out, recording everything WeasyPrint and briefgen log."""
    handler = _Collect()
    loggers = [logging.getLogger("weasyprint"), logging.getLogger("briefgen")]
    for log in loggers:
        log.addHandler(handler)
    try:
        assert main(["build", os.fspath(project), "--out", os.fspath(out), "--force"]) == 0
    finally:
        for log in loggers:
            log.removeHandler(handler)
    prepared = prepare(project)
    briefing = prepared.briefing
    html = pdf.print_document(prepared.index, prepared.theme, prepared.project).html
    path = out / briefing.settings.pdf.filename
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", os.fspath(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pages = text.split("\f")[:-1]
    return BuiltPdf(path, briefing, handler.records, PdfReader(path), pages, html)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> BuiltPdf:
    """The repository's example briefing, built with its PDF."""
    return _build_pdf(REPO, tmp_path_factory.mktemp("example-pdf") / "site")


@pytest.fixture(scope="module")
def glyphs(tmp_path_factory: pytest.TempPathFactory) -> BuiltPdf:
    """tests/fixtures/pdf-project: CJK, Arabic, accents, Letter paper, all checklist states."""
    root = tmp_path_factory.mktemp("glyphs") / "project"
    shutil.copytree(FIXTURES / "pdf-project", root)
    return _build_pdf(root, root / "site")


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, in order."""
    out: list[tuple[int, str, int]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                page = reader.get_destination_page_number(item)
                out.append((depth, str(item.title), page))

    walk(reader.outline, 0)
    return out


def _links(reader: PdfReader, page_index: int) -> list[dict[str, Any]]:
    annots = reader.pages[page_index].get("/Annots") or []
    return [a.get_object() for a in annots if a.get_object().get("/Subtype") == "/Link"]


def _dest_page(reader: PdfReader, link: dict[str, Any]) -> int | None:
    name = link.get("/Dest")
    if name is None:
        return None
    return reader.get_destination_page_number(reader.named_destinations[str(name)])


def _fonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", os.fspath(path)], check=True, capture_output=True, text=True)
    rows = out.stdout.splitlines()[2:]
    # name, type words..., encoding, emb, sub, uni, object, id: read from the right.
    return [row.split() for row in rows if row.strip()]


def _squash(text: str) -> str:
    """Text without white space (letter-spacing adds some) or hyphens: pdftotext drops a
    hyphen that ends a line, as in "rare-" / "earth"."""
    return "".join(text.split()).replace("-", "")


# --- the example briefing -------------------------------------------------------------


def test_example_is_a4_and_small_enough_to_email(example: BuiltPdf) -> None:
    assert example.briefing.settings.pdf.page_size == "A4"
    for page in example.reader.pages:
        box = page.mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=0.5)
    assert example.path.stat().st_size < 1_000_000
    # cover, contents, at least a page per issue, checklist, timeline, sources
    assert len(example.reader.pages) >= len(example.briefing.issues) + 5


def test_example_weasyprint_logged_no_warnings(example: BuiltPdf) -> None:
    noisy = [r for r in example.logs if r.levelno >= logging.WARNING]
    assert noisy == [], [r.getMessage() for r in noisy]


def _shown_characters(html: str) -> set[str]:
    """Every non-ASCII, non-space character of the print HTML's text."""
    body = html[html.index("<body") :]
    text = htmllib.unescape(re.sub(r"<[^>]*>", " ", body))
    return {c for c in text if ord(c) > 0x7F and not c.isspace()}


def test_example_renders_every_character(example: BuiltPdf) -> None:
    text = "".join(example.pages)
    assert "\ufffd" not in text
    shown = _shown_characters(example.html)
    assert {"–", "—"} <= shown
    missing = {c for c in shown if c not in text}
    assert not missing, sorted(f"U+{ord(c):04X}" for c in missing)


def test_example_sections_in_order(example: BuiltPdf) -> None:
    briefing = example.briefing
    settings = briefing.settings
    flat = [page.lower() for page in example.flat]  # headings are set in capitals

    def squash(text: str) -> str:
        return _squash(text).lower()

    assert squash(settings.title) in flat[0]
    # the cover leads with the key judgments; the overall bottom line opens the contents
    assert "keyjudgments" in flat[0]
    for judgment in settings.key_judgments:
        assert squash(judgment.text)[:60] in flat[0]
    assert settings.summary is not None
    # after the cover, "What changed" (its own page when it is long), then the contents
    assert "whatchanged" in flat[1]
    at = next(n for n, page in enumerate(flat) if "overallbottomline" in page)
    assert at <= 2 and "contents" in flat[at]
    assert squash(settings.summary.split(".")[0]) in flat[at]

    def first_page(marker: str, start: int = 0) -> int:
        for n in range(start, len(flat)):
            if marker in flat[n]:
                return n
        raise AssertionError(f"{marker!r} not found after page {start + 1}")

    page = 2
    for number, issue in enumerate(briefing.issues, start=1):
        page = first_page(f"issue{number}of{len(briefing.issues)}", page)
        assert squash(issue.title) in flat[page]
        assert "bottomline" in flat[page]
        assert squash(issue.bottom_line.split(".")[0]) in flat[page]
        section = "".join(flat[page : page + 6])
        wanted = {
            "keypoints": issue.key_points,
            "positions": issue.positions,
            "timeline": issue.timeline,
            "openquestions": issue.questions,
        }
        for heading, present in wanted.items():
            if present:
                assert heading in section, (issue.title, heading)
        for position in issue.positions:
            assert squash(position.actor) in section
        for question in issue.questions:
            assert squash(question)[:40] in section
        for point in issue.key_points:
            if point.confidence:
                assert "confidence" + point.confidence in section
            if point.likelihood:
                assert "likelihood" + squash(point.likelihood) in section
    watch = first_page("whattowatch", page)
    back = "".join(flat[watch:])
    for item in briefing.watch:
        assert squash(item.title) in back, item.title
    # the back matter in order: checklist, merged timeline, sources
    timeline = back.index("eventsfromallissues")
    sources = back.index("thenotesinthetextpointtothislist")
    assert back.index(squash(briefing.watch[-1].title)) < timeline < sources
    for note in pdf.PrintIndex.of(briefing).notes:
        assert squash(note.article.title) in back[sources:]


def test_example_header_and_footer_on_every_page_but_the_cover(example: BuiltPdf) -> None:
    settings = example.briefing.settings
    total = len(example.pages)
    assert settings.edition is not None and settings.marking
    edition = f"{settings.edition.day}{settings.edition:%B%Y}"
    assert f"Page1of{total}" not in example.flat[0]
    for number, page in enumerate(example.flat[1:], start=2):
        assert _squash(settings.title) in page, number
        assert edition in page, number
        assert page.count(_squash(settings.marking)) >= 2, number  # head and foot
        assert f"Page{number}of{total}" in page, number


def test_example_metadata(example: BuiltPdf) -> None:
    settings = example.briefing.settings
    info = example.reader.metadata
    assert info is not None
    assert settings.title in str(info.title)
    assert str(info.author) == (settings.author or settings.organization)
    assert settings.edition is not None
    assert str(info["/CreationDate"]).startswith(f"D:{settings.edition:%Y%m%d}")
    assert str(example.reader.trailer["/Root"]["/Lang"]) == "en"
    pdfinfo = subprocess.run(
        ["pdfinfo", os.fspath(example.path)], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"^Tagged:\s+yes", pdfinfo, re.MULTILINE)


def test_example_fonts_embedded_and_subset(example: BuiltPdf) -> None:
    fonts = _fonts(example.path)
    assert fonts
    for row in fonts:
        emb, sub, uni = row[-5], row[-4], row[-3]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        assert re.match(r"[A-Z]{6}\+Noto-", row[0]), row


def test_example_outline_mirrors_the_sections(example: BuiltPdf) -> None:
    briefing = example.briefing
    outline = _outline(example.reader)
    top = [title for depth, title, _ in outline if depth == 0]
    assert top == [
        "Cover",
        "Contents",
        *(issue.title for issue in briefing.issues),
        "What to watch",
        "Timeline",
        "Sources",
    ]
    pages = [page for _, _, page in outline]
    assert pages == sorted(pages)  # bookmarks follow the page order
    for issue in briefing.issues:
        at = next(i for i, (d, t, _) in enumerate(outline) if d == 0 and t == issue.title)
        children = []
        for depth, title, _ in outline[at + 1 :]:
            if depth == 0:
                break
            children.append(title)
        assert children[:2] == ["Bottom line", "Key points"]
        assert ("Positions" in children) == bool(issue.positions)
        assert ("Open questions" in children) == bool(issue.questions)


def test_example_contents_and_notes_link_inside_the_pdf(example: BuiltPdf) -> None:
    reader = example.reader
    outline = {title: page for depth, title, page in _outline(reader) if depth == 0}
    # the contents follow the "What changed" page
    at = next(n for n, page in enumerate(example.pages) if "Contents" in page)
    toc_targets = {_dest_page(reader, link) for link in _links(reader, at)}
    for issue in example.briefing.issues:
        assert outline[issue.title] in toc_targets
    assert {outline["What to watch"], outline["Timeline"], outline["Sources"]} <= toc_targets
    # the printed page numbers in the contents are the real ones
    contents = example.pages[at]
    for issue in example.briefing.issues:
        match = re.search(re.escape(issue.title) + r"[^\n]*?\.{3,}\s*(\d+)", contents)
        assert match, issue.title
        assert int(match[1]) == outline[issue.title] + 1
    # note markers on an issue page jump to the Sources list
    first_issue = outline[example.briefing.issues[0].title]
    notes = [
        link
        for link in _links(reader, first_issue)
        if str(link.get("/Dest", "")).startswith("src-")
    ]
    assert notes
    for link in notes:
        page = _dest_page(reader, link)
        assert page is not None and page >= outline["Sources"]


# --- glyphs, paper, links out ---------------------------------------------------------


def test_cjk_arabic_and_accents_render_with_embedded_fonts(glyphs: BuiltPdf) -> None:
    noisy = [r for r in glyphs.logs if r.levelno >= logging.WARNING]
    assert noisy == [], [r.getMessage() for r in noisy]  # no .notdef glyph was drawn
    text = "".join(glyphs.pages)
    assert "\ufffd" not in text
    missing = {c for c in _shown_characters(glyphs.html) if c not in text}
    assert not missing, sorted(f"U+{ord(c):04X}" for c in missing)
    for word in ("王毅", "李明", "新华社", "Zoë Ångström", "Dupré-Łukasiewicz", "Kraków"):
        assert word in text, word
    assert "co\u2011operation" in text  # the non-breaking hyphen survives
    assert "“Geneva track”" in text
    names = [row[0] for row in _fonts(glyphs.path)]
    assert any("CJK" in name for name in names), names
    assert any("Arabic" in name for name in names), names
    for row in _fonts(glyphs.path):
        assert (row[-5], row[-4]) == ("yes", "yes"), row


def test_letter_paper_when_asked(glyphs: BuiltPdf) -> None:
    assert glyphs.path.name == "cafe.pdf"
    marking = glyphs.briefing.settings.marking
    assert marking is not None
    assert glyphs.flat[0].count(_squash(marking)) == 2  # the cover's foot is on the page too
    for page in glyphs.reader.pages:
        box = page.mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(LETTER, abs=0.5)


def test_checklist_has_a_box_per_item_with_status_and_horizon(glyphs: BuiltPdf) -> None:
    page = next(p for p in glyphs.pages if "What to watch" in p and "A box is ticked" in p)
    for box, status in (("☐", "watching"), ("☒", "triggered"), ("☑", "resolved")):
        assert page.count(box) == sum(i.status == status for i in glyphs.briefing.watch)
        assert box in glyphs.pages[1]  # the legend
    assert "20 April 2026" in page and "31 March 2026" in page
    assert "TRIGGERED" in page and "RESOLVED" in page
    assert "Signs of escalation".upper() in page.upper()


def test_sources_list_outlet_author_date_url_and_clickable_urls(glyphs: BuiltPdf) -> None:
    text = "".join(glyphs.flat)
    sources = text[text.index("Thenotesinthetextpointtothislist") :]
    assert "LeTemps" in sources and "Renée" in sources and "12March2026" in sources
    assert "https://www.example.org/geneve/talks?id=1&lang=fr" in sources
    # numbered in order of first citation; the uncited article is counted, not listed
    assert sources.index("Genevatalksendwithoutatext") < sources.index("Desknotes")
    assert "Backgroundontherivercommission" not in sources
    assert "1furtherarticleisinthecollection" in sources
    uris = {
        str(link["/A"]["/URI"])
        for n in range(len(glyphs.reader.pages))
        for link in _links(glyphs.reader, n)
        if "/A" in link and "/URI" in link["/A"]
    }
    assert "https://www.example.org/geneve/talks?id=1&lang=fr" in uris
    assert "https://briefs.example.org/cafe/articles/" in uris


def test_likelihood_legend_only_when_a_likelihood_is_used(
    glyphs: BuiltPdf, project: Callable[..., Path]
) -> None:
    assert "Directive203" in glyphs.flat[1]
    assert "roughlyevenchance" in glyphs.flat[1] and "45–55%" in glyphs.flat[1]
    root = project()  # the minimal project uses no likelihood
    prepared = prepare(root)
    document = pdf.print_document(prepared.index, prepared.theme, prepared.project)
    assert "Directive 203" not in document.html


@pytest.mark.parametrize("kind", ["starter", "bare"])
def test_small_briefings_render_cleanly(kind: str, tmp_path: Path) -> None:
    root = tmp_path / "p"
    if kind == "starter":
        assert main(["init", os.fspath(root)]) == 0
    else:
        write_files(root, {"content/briefing.yaml": "title: Bare\n"})
    built = _build_pdf(root, root / "site")
    noisy = [r for r in built.logs if r.levelno >= logging.WARNING]
    assert noisy == [], [r.getMessage() for r in noisy]
    assert "Contents" in built.pages[1]
    if kind == "bare":
        assert len(built.pages) == 2
        assert "How to read" not in built.pages[1]  # nothing to explain


# --- no network -----------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP socket on 127.0.0.1 that nothing should ever connect to."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    try:
        yield server
    finally:
        server.close()


def _assert_no_connection(server: socket.socket) -> None:
    with pytest.raises(TimeoutError):
        conn, _ = server.accept()
        conn.close()


def test_remote_images_are_left_out_never_fetched(
    project: Callable[..., Path],
    listener: socket.socket,
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = listener.getsockname()[1]
    image = f"http://127.0.0.1:{port}/map.png"
    root = project(
        {
            "content/issues/talks.yaml": f"""\
                title: The talks
                status: steady
                bottom_line: "Talks continue. ![a map of the region]({image})"
                key_points:
                  - text: "Talks are slow. ![chart](https://example.com/a.png)"
                    sources: [alpha]
                """,
            "content/articles/alpha.md": f"""\
                ---
                title: Alpha report
                ---
                The minister said the talks were "slow but serious". ![x]({image})
                """,
        }
    )
    with caplog.at_level(logging.WARNING), chdir(root):
        assert main(["build", os.fspath(root), "--force"]) == 0
    _assert_no_connection(listener)
    messages = [r.getMessage() for r in caplog.records if r.name == "briefgen.pdf"]
    assert any(
        m.startswith("content/issues/talks.yaml:") and image in m and "left out of the PDF" in m
        for m in messages
    ), messages
    assert len(messages) == 2  # once per image, though the bottom line is shown twice
    assert any("https://example.com/a.png" in m for m in messages), messages
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]
    text = subprocess.run(
        ["pdftotext", os.fspath(root / "site" / "briefing.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "[image: a map of the region]" in text


def test_theme_urls_outside_the_project_are_refused(
    project: Callable[..., Path],
    listener: socket.socket,
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = listener.getsockname()[1]
    root = project(
        {
            "themes/default/print/print.css": f"""\
                @import url("http://127.0.0.1:{port}/extra.css");
                body {{ background: url("file:///etc/hostname"); }}
                h1 {{ background: url("https://127.0.0.1:{port}/x.png"); }}
                """,
        }
    )
    with caplog.at_level(logging.WARNING):
        assert main(["build", os.fspath(root), "--force"]) == 0
    _assert_no_connection(listener)
    refused = " ".join(r.getMessage() for r in caplog.records if r.name == "briefgen.pdf")
    assert f"http://127.0.0.1:{port}/extra.css" in refused
    assert "file:///etc/hostname" in refused


def test_fetcher_allows_only_data_and_files_under_the_roots(tmp_path: Path) -> None:
    root = tmp_path / "content"
    root.mkdir()
    inside = root / "map.png"
    inside.write_bytes(b"x")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (root / "link.txt").symlink_to(outside)
    roots = (root,)
    assert pdf.is_allowed(inside.as_uri(), roots)
    assert pdf.is_allowed("data:image/png;base64,iVBORw0KGgo=", roots)
    for url in (
        outside.as_uri(),
        (root / "link.txt").as_uri(),  # a symlink pointing out of the roots
        (root / ".." / "secret.txt").as_uri(),
        "file://elsewhere" + inside.as_posix(),
        "http://127.0.0.1/map.png",
        "https://example.com/map.png",
        "ftp://example.com/map.png",
    ):
        assert not pdf.is_allowed(url, roots), url
    fetcher = pdf.make_fetcher(roots)
    with pytest.raises(ValueError):
        fetcher.fetch(outside.as_uri())
    response = fetcher.fetch(inside.as_uri())
    try:
        assert response.read() == b"x"
    finally:
        response.close()


def test_local_images_in_content_are_embedded(
    project: Callable[..., Path], caplog: pytest.LogCaptureFixture
) -> None:
    from PIL import Image

    root = project(
        {
            "content/issues/talks.yaml": """\
                title: The talks
                bottom_line: "Talks continue. ![map](content/map.png) ![far](https://x.org/a.png)"
                """,
        }
    )
    Image.new("RGB", (40, 20), (200, 30, 30)).save(root / "content" / "map.png")
    with caplog.at_level(logging.WARNING):
        assert main(["pdf", os.fspath(root)]) == 0
    assert [r.getMessage().split(": ", 1)[1] for r in caplog.records] == [
        "image https://x.org/a.png left out of the PDF: "
        "the PDF uses only the project's own files, never the network"
    ]
    listing = subprocess.run(
        ["pdfimages", "-list", os.fspath(root / "site" / "briefing.pdf")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    assert rows and all(row[2:5] == ["image", "40", "20"] for row in rows), listing


# --- the command, the build, failures -------------------------------------------------


def test_pdf_command_writes_where_build_does_and_skips_unchanged(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project()
    result = run("pdf", root)
    assert result.code == 0, result.err
    assert "site/briefing.pdf" in result.out and "pages" in result.out
    target = root / "site" / "briefing.pdf"
    assert not (root / "briefing.pdf").exists()
    assert target.read_bytes().startswith(b"%PDF-")
    mtime = target.stat().st_mtime_ns
    again = run("pdf", root)
    assert again.code == 0 and "up to date" in again.out
    assert target.stat().st_mtime_ns == mtime
    target.write_bytes(b"tampered")  # a changed output is made again
    assert "wrote" in run("pdf", root).out
    assert target.read_bytes().startswith(b"%PDF-")
    other = root / "out" / "copy.pdf"
    other.parent.mkdir()
    assert run("pdf", root, "-o", other).code == 0
    assert other.read_bytes().startswith(b"%PDF-")
    assert "wrote" in run("pdf", root, "-o", other, "--force").out
    assert not list(root.glob(".*.tmp")) and not list(other.parent.glob(".*.tmp"))


def test_pdf_command_to_stdout(
    project: Callable[..., Path], capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    root = project()
    assert main(["pdf", os.fspath(root), "-o", "-"]) == 0
    out = capfdbinary.readouterr().out
    assert out.startswith(b"%PDF-") and out.rstrip().endswith(b"%%EOF")


def test_pdf_command_reports_unwritable_target(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project()
    result = run("pdf", root, "-o", root / "missing-folder" / "x.pdf")
    assert result.code == 1
    assert "x.pdf" in result.err and "cannot write the PDF" in result.err


def test_unchanged_briefing_reuses_the_pdf_and_print_css_counts(
    project: Callable[..., Path],
) -> None:
    root = project({"themes/default/print/print.css": "body { color: black; }\n"})
    cache = BuildCache()
    assert build(root, cache=cache).pdf == "built"
    assert build(root, cache=cache).pdf == "reused"
    assert build(root, root / "other-site").pdf == "built"
    (root / "themes/default/print/print.css").write_text("body { color: navy; }\n")
    assert build(root, cache=cache).pdf == "built"


def test_print_stylesheet_comes_from_the_theme(project: Callable[..., Path]) -> None:
    root = project()
    prepared = prepare(root)
    document = pdf.print_document(prepared.index, prepared.theme, prepared.project)
    builtin = builtins.themes_dir() / "default" / "print"
    assert document.stylesheets == (builtin / "print.css",)
    assert builtin in document.allowed_roots
    # the print folder stays out of the published assets
    files = {f.path for f in prepared.theme.static_files()}
    assert not any("print.css" in f for f in files)


def test_template_error_in_print_html_fails_build_and_keeps_site(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project()
    assert run("build", root, "--force").code == 0
    before = (root / "site" / "briefing.pdf").read_bytes()
    write_files(root, {"templates/print/cover.html": "<h1>{{ settings.titel }}</h1>\n"})
    result = run("build", root, "--force")
    assert result.code == 1
    assert "cover.html:1:1: template error" in result.err
    assert "titel" in result.err
    assert (root / "site" / "briefing.pdf").read_bytes() == before


def test_weasyprint_failure_fails_build_with_a_clear_message(
    project: Callable[..., Path], run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import weasyprint

    root = project()
    assert run("build", root, "--no-pdf").code == 0
    index = (root / "site" / "index.html").read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("cairo exploded")

    monkeypatch.setattr(weasyprint.HTML, "render", broken)
    result = run("build", root, "--force")
    assert result.code == 1
    assert "the PDF could not be made: RuntimeError: cairo exploded" in result.err
    assert "Traceback" not in result.err
    assert (root / "site" / "index.html").read_bytes() == index
    assert not (root / "site" / "briefing.pdf").exists()
