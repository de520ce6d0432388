"""The 30-second briefing: key judgments first, checklist items a desk can act on, one
numbering of sources with named chips, the brief PDF and a full PDF without near-empty
pages. Built for real; pages read as HTML, in Chromium, and PDFs through poppler."""

from __future__ import annotations

import html as htmllib
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.cli import main

from .conftest import CHROMIUM, CHROMIUM_ARGS, REPO, Result

MM = 72 / 25.4

KEY_JUDGMENTS = """\
    title: Test briefing
    edition: 2026-03-01
    summary: The overall bottom line.
    key_judgments:
      - text: Talks are likely to go on until the summer.
        issue: talks
        likelihood: likely
        confidence: moderate
        time_frame: to the end of June 2026
        sources:
          - article: alpha
            quote: slow but serious
          - alpha
    """

WATCH = """\
    items:
      - id: next-round
        title: Next round
        issue: talks
        by: 2026-02-15
        indicator: Dates announced by either side
        threshold: No date by mid-February
        monitor: The ministry's daily briefing
        sources: [alpha]
      - title: Cabinet decision on the offer
        issue: talks
        by: 2026-05-01
        outcomes:
          - The offer is accepted
          - The offer is rejected
        sources: [beta]
    """

BETA = """\
    ---
    title: Beta analysis
    short_name: Beta
    ---
    The cabinet will weigh the offer.
    """


def _page(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def _text(html: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def built(project: Callable[..., Path]) -> Path:
    root = project(
        {
            "content/briefing.yaml": KEY_JUDGMENTS,
            "content/watch.yaml": WATCH,
            "content/articles/beta.md": BETA,
        }
    )
    assert main(["build", os.fspath(root), "--no-pdf"]) == 0
    return root / "site"


# --- key judgments -----------------------------------------------------------------------


def test_front_page_leads_with_key_judgments(built: Path) -> None:
    index = _page(built, "index.html")
    text = _text(index)
    judgment = text.index("Talks are likely to go on until the summer.")
    assert judgment < text.index("Issues at a glance") < text.index("Bottom line")
    assert "Likely (55–80 %)" in text
    assert "to the end of June 2026" in text
    assert "moderate confidence" in text
    # the judgment names its issue and its cite, one chip for two cites of one source
    meta = index[index.index('class="kj-meta"') :]
    meta = meta[: meta.index("</p>")]
    assert 'href="issues/talks/index.html"' in meta
    assert len(re.findall(r'class="cite[ "]', meta)) == 1
    assert "Test Wire" in _text(meta)


def test_issue_cards_show_whole_bottom_line_trend_and_checklist_state(built: Path) -> None:
    card = _page(built, "index.html").split('class="card"')[1]
    text = _text(card)
    assert "Talks continue. Nothing is settled." in text  # not only the first sentence
    assert "Steady" in text
    assert "1 overdue" in text and "1 watching" in text


@pytest.mark.parametrize(
    ("judgments", "message"),
    [
        (
            "[" + ", ".join(["{text: A., issue: talks}"] * 6) + "]",
            "'key_judgments' holds 6 items; expected at most 5",
        ),
        ("[{text: A., issue: tlaks}]", "key judgment names unknown issue 'tlaks'"),
        (
            "[{text: A., issue: talks, sources: [{article: alpha, quote: not there}]}]",
            "quote \"not there\" does not occur in article 'alpha'",
        ),
        ("[{text: A., issue: talks, likelihood: probable}]", "field 'likelihood' is 'probable'"),
    ],
)
def test_key_judgment_mistakes(
    project: Callable[..., Path], run: Callable[..., Result], judgments: str, message: str
) -> None:
    root = project(
        {"content/briefing.yaml": f"title: T\nkey_judgments: {judgments}\n"},
    )
    result = run("check", root)
    assert result.code == 1
    assert message in result.err
    assert re.search(r"briefing\.yaml:\d+:\d+: ", result.err)


# --- the checklist ----------------------------------------------------------------------


def test_checklist_item_fields_and_overdue_on_the_page(built: Path) -> None:
    watch = _page(built, "watch/index.html")
    item = watch[watch.index('id="next-round"') :]
    item = item[: item.index("</article>")]
    text = _text(item)
    assert "Overdue since 15 February 2026" in text  # the edition is 1 March 2026
    assert "Indicator Dates announced by either side" in text
    assert "Threshold No date by mid-February" in text
    assert "Where to look The ministry's daily briefing" in text
    decision = _text(watch[watch.index("Cabinet decision") :])
    assert "By 1 May 2026" in decision
    assert "Possible outcomes The offer is accepted The offer is rejected" in decision


def test_duplicate_checklist_id_is_an_error(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project(
        {
            "content/watch.yaml": """\
                items:
                  - {id: a, title: One, issue: talks}
                  - {id: a, title: Two, issue: talks}
                """
        }
    )
    result = run("check", root)
    assert result.code == 1
    assert "watch.yaml:3:" in result.err and "duplicate checklist item id 'a'" in result.err


# --- sources ----------------------------------------------------------------------------


def test_one_numbering_on_site_and_in_pdf(project: Callable[..., Path], tmp_path: Path) -> None:
    root = project(
        {
            "content/briefing.yaml": KEY_JUDGMENTS,
            "content/watch.yaml": WATCH,
            "content/articles/beta.md": BETA,
            # newest, but cited only by the checklist: numbered after alpha on both
            "content/articles/gamma.md": "---\ntitle: Gamma\npublished: 2026-02-28\n---\nText.\n",
        }
    )
    assert main(["build", os.fspath(root)]) == 0
    site = root / "site"
    sources = _text(_page(site, "articles/index.html"))
    assert (
        sources.index("1 Alpha report")
        < sources.index("2 Beta analysis")
        < sources.index("3 Gamma")
    )
    watch = _page(site, "watch/index.html")
    assert re.search(r'cite-num">2</span> <span class="cite-name">Beta<', watch)
    pdf_text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", os.fspath(site / "briefing.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    listed = " ".join(pdf_text[pdf_text.rindex("Sources") :].split())
    assert "1 Alpha report. Test Wire · 27 February 2026." in listed, listed
    assert listed.index("Alpha report") < listed.index("Beta analysis. CITED IN")
    assert "Gamma" not in listed  # cited nowhere: counted, not listed
    # unknown fields are said once, under the list, not on every line
    said_once = "publication date for source 2; outlet for source 2; author for all."
    assert f"Not recorded in the clippings: {said_once}" in listed


# --- the PDFs ---------------------------------------------------------------------------


def _fills(pdf: Path, margin_mm: tuple[float, float] = (22, 19)) -> list[float]:
    """How far down the body area each page's text reaches (0 to 1)."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", os.fspath(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    fills = []
    for page in xml.split("<page ")[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))  # type: ignore[union-attr]
        top, bottom = margin_mm[0] * MM, height - margin_mm[1] * MM
        ys = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page)]
        body = [y for y in ys if top < y < bottom]
        fills.append((max(body) - top) / (bottom - top) if body else 0.0)
    return fills


@pytest.fixture(scope="module")
def example_pdfs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("example30")
    full, brief = out / "full.pdf", out / "brief.pdf"
    assert main(["pdf", os.fspath(REPO), "-o", os.fspath(full), "--force"]) == 0
    assert main(["pdf", os.fspath(REPO), "--brief", "-o", os.fspath(brief), "--force"]) == 0
    return full, brief


def test_example_full_pdf_has_no_near_empty_page(example_pdfs: tuple[Path, Path]) -> None:
    fills = _fills(example_pdfs[0])
    assert len(fills) > 10
    thin = {n: f"{fill:.0%}" for n, fill in enumerate(fills[1:], start=2) if fill < 1 / 3}
    assert not thin, thin


def test_example_brief_pdf_is_two_pages_with_judgments_issues_checklist_sources(
    example_pdfs: tuple[Path, Path],
) -> None:
    brief = example_pdfs[1]
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", os.fspath(brief), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert text.count("\f") <= 2
    flat = re.sub(r"\s+", "", text).lower()  # headings are letter-spaced capitals
    at = 0
    for heading in ("keyjudgments", "issues", "whattowatch", "sources"):
        at = flat.index(heading, at)
    assert "overduesince31january2026" in flat  # the example's rare-earth licences
    assert "japan–chinadispute" in flat and "ukraineandchina–russiaties" in flat


def test_pdf_format_brief_in_settings_is_what_build_writes(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project(
        {
            "content/briefing.yaml": KEY_JUDGMENTS.replace(
                "summary:", "pdf: {format: brief}\n    summary:"
            )
        }
    )
    assert run("build", root).code == 0
    text = subprocess.run(
        ["pdftotext", os.fspath(root / "site" / "briefing.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "BRIEF" in text and "Contents" not in text
    # briefgen pdf --brief with a full default writes beside it, not over it
    root2 = project({"content/briefing.yaml": KEY_JUDGMENTS})
    full = root2 / "site" / "briefing.pdf"
    before = full.read_bytes() if full.exists() else None
    result = run("pdf", root2, "--brief")
    assert result.code == 0, result.err
    assert (root2 / "site" / "briefing-brief.pdf").is_file()  # where build writes PDFs
    assert (full.read_bytes() if full.exists() else None) == before


# --- the example, as a reader sees it ------------------------------------------------------


def test_example_front_page_above_the_fold(example_site: Path) -> None:
    # Its own Playwright, closed at the end: a session-wide one would stay running and
    # break tests that start theirs.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        boxes = {}
        for width, height in ((1280, 800), (390, 844)):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto((example_site / "index.html").as_uri())
            boxes[width] = [
                page.locator(".key-judgments li").last.bounding_box(),
                page.locator(".glance li").last.bounding_box(),
                page.locator(".watch-short .horizon").nth(2).bounding_box(),
            ]
            page.close()
        browser.close()
    for width, limit in ((1280, 800), (390, 2 * 844)):  # a laptop's screen, two phone screens
        for box in boxes[width]:
            assert box is not None
            assert box["y"] + box["height"] <= limit, (width, box)


def test_example_inferred_dates_are_shown(example_site: Path) -> None:
    taiwan = _text(_page(example_site, "issues/taiwan/index.html"))
    assert 'Date inferred: the source says "February 4" without a year' in taiwan
    timeline = _text(_page(example_site, "timeline/index.html"))
    assert "Date inferred:" in timeline


def test_short_last_page_is_pulled_back(tmp_path: Path) -> None:
    """A layout whose last page would hold a few lines is laid out again with the
    stylesheet's html[data-pull-back] rules, and the shorter result is kept."""
    from briefgen.pdf import PrintDocument

    tight = "html[data-pull-back] p { margin: 0 0 2mm; }"
    base = "@page { size: A4; margin: 20mm; } p { margin: 0 0 6mm; font-size: 11pt; }"
    html = "<html><body>" + "".join(f"<p>Paragraph {n}.</p>" for n in range(70)) + "</body>"
    pages = {}
    for name, rules in (("plain", base), ("pull-back", base + tight)):
        sheet = tmp_path / f"{name}.css"
        sheet.write_text(rules, encoding="utf-8")
        rendered = PrintDocument(html, (sheet,), tmp_path, (tmp_path,)).layout()
        out = tmp_path / f"{name}.pdf"
        out.write_bytes(rendered.data)
        pages[name] = (rendered.pages, _fills(out, margin_mm=(20, 20)))
    plain_count, plain_fills = pages["plain"]
    pulled_count, pulled_fills = pages["pull-back"]
    assert plain_fills[-1] < 1 / 3  # without the rules, a short tail stays
    assert pulled_count < plain_count
    assert min(pulled_fills) >= 1 / 3


def test_email_attaches_the_format_the_settings_choose(
    project: Callable[..., Path], run: Callable[..., Result], tmp_path: Path
) -> None:
    from email import message_from_bytes, policy

    brief = KEY_JUDGMENTS.replace("summary:", "pdf: {format: brief}\n    summary:")
    root = project({"content/briefing.yaml": brief})
    eml = tmp_path / "brief.eml"
    result = run("email", root, "--eml", eml, "--from", "desk@example.org", "--to", "a@example.org")
    assert result.code == 0, result.err
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    attachment = next(part for part in message.iter_attachments())  # type: ignore[attr-defined]
    pdf = tmp_path / "attached.pdf"
    pdf.write_bytes(attachment.get_content())
    text = subprocess.run(["pdftotext", os.fspath(pdf), "-"], capture_output=True, text=True).stdout
    assert "BRIEF" in text and "Contents" not in text
    assert text.count("\f") <= 2


def test_example_is_written_for_thirty_seconds() -> None:
    """The example keeps to the limits the docs give: bottom lines of at most
    BOTTOM_LINE_WORDS words and two sentences, three to five one-sentence key judgments
    with a likelihood and a time frame, a by date on every checklist item."""
    from briefgen.build import prepare
    from briefgen.model import BOTTOM_LINE_WORDS
    from briefgen.sentences import split_sentences

    briefing = prepare(REPO).briefing
    for issue in briefing.issues:
        assert len(issue.bottom_line.split()) <= BOTTOM_LINE_WORDS, issue.id
        assert len(split_sentences(issue.bottom_line)) <= 2, issue.id
    judgments = briefing.settings.key_judgments
    assert 3 <= len(judgments) <= 5
    for judgment in judgments:
        assert len(split_sentences(judgment.text)) == 1, judgment.text
        assert judgment.likelihood and judgment.time_frame and judgment.sources
    assert all(item.by for item in briefing.watch)
    assert not [item.title for item in briefing.watch if item.status == "triggered"]


def test_key_judgments_follow_drafts(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    """A judgment on a draft issue stays out with it; one citing a draft article is an
    error at the cite, as for any published text."""
    draft_issue = "title: Later\nbottom_line: Not yet.\ndraft: true\n"
    settings = """\
        title: Test briefing
        key_judgments:
          - {text: Talks go on., issue: talks, sources: [beta]}
          - {text: Later things happen., issue: later}
        """
    root = project(
        {
            "content/briefing.yaml": settings,
            "content/issues/later.yaml": draft_issue,
            "content/articles/beta.md": BETA.replace(
                "---\n    The", "draft: true\n    ---\n    The"
            ),
        }
    )
    result = run("check", root)
    assert result.code == 1
    assert "cites article 'beta', which is a draft" in result.err
    assert "later" not in result.err  # the draft issue's judgment left out, not an error
    assert run("check", root, "--drafts").code == 0
