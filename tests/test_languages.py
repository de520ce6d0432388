"""`lang` in briefing.yaml: page language, interface words and dates on the site, in the
PDF and in the email; right-to-left text in articles and summaries."""

from __future__ import annotations

import email
import email.policy
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.words import PHRASES, SHIPPED
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, FIXTURES, Result

GERMAN = FIXTURES / "german-project"


@pytest.fixture(scope="module")
def german_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from briefgen.cli import main

    root = tmp_path_factory.mktemp("de") / "project"
    shutil.copytree(GERMAN, root)
    assert main(["build", str(root), "--force"]) == 0
    return root


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_a_german_briefing_speaks_german_on_the_site(german_site: Path) -> None:
    index = (german_site / "site" / "index.html").read_text()
    assert '<html lang="de">' in index
    assert "Ausgabe vom <time" in index and ">24. November 2025</time>" in index
    for word in ("Überblick", "Worauf zu achten ist", "Chronik", "Quellen", "Themen"):
        assert f">{word}<" in index, word
    assert '<h2 id="bluf-title">Das Wichtigste</h2>' in index  # the project's own word
    assert "Fazit" not in index and "Bottom line" not in index
    assert "Die ganze Checkliste (1 Punkte)" in index
    issue = (german_site / "site/issues/hafenstreik/index.html").read_text()
    for word in ("Kernpunkte", "Positionen", "Offene Fragen", "Entspannend"):
        assert word in issue, word
    assert "Wahrscheinlich <span" in issue and "Mittel Konfidenz" in issue
    assert ">21. November 2025</time>" in issue


def test_a_german_briefing_speaks_german_in_the_pdf(german_site: Path) -> None:
    text = pdf_text(german_site / "site" / "briefing.pdf")
    for phrase in (
        "Inhalt", "So lesen Sie dieses Briefing", "Jedes Thema beginnt mit seinem Fazit.",
        "Kernpunkte", "Thema 1 von 1", "24. November 2025", "Wahrscheinlichkeit",
        "ausgeschlossen", "In der Checkliste:", "Seite 3 von 4",
    ):  # fmt: skip
        assert phrase.casefold() in text.casefold(), phrase
    for english in ("How to read", "Key points", "Issue 1 of", "Bottom line", "Page 3", "Source"):
        assert english.casefold() not in text.casefold(), english


def test_a_german_briefing_speaks_german_in_the_email(
    german_site: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    eml = tmp_path / "brief.eml"
    result = run("email", german_site, "--to", "leser@example.org", "--eml", eml)
    assert result.code == 0, result.err
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Lagebild Nordseehäfen — 24. November 2025"
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    plain = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert '<html lang="de">' in html and "Das Wichtigste" in html and "Themen" in html
    assert "Ausgabe vom 24. November 2025" in plain
    assert "DAS WICHTIGSTE" in plain and "WORAUF ZU ACHTEN IST" in plain
    assert "[entspannend]" in plain
    assert "Das ganze Briefing hängt an als briefing.pdf." in plain


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", ["L’essentiel", "Édition du", "24 novembre 2025", "Vue d’ensemble"]),
        ("es", ["Conclusión", "Edición del", "24 de noviembre de 2025", "Fuentes"]),
        ("de-AT", ["Fazit", "Ausgabe vom", "24. November 2025", "Überblick"]),
    ],
)
def test_french_spanish_and_regional_tags(
    lang: str, words: list[str], tmp_path: Path, run: Callable[..., Result]
) -> None:
    root = tmp_path / "project"
    shutil.copytree(GERMAN, root)
    settings = root / "content" / "briefing.yaml"
    text = settings.read_text().replace("lang: de\n", f"lang: {lang}\n")
    settings.write_text(text.replace("words:\n  Bottom line: Das Wichtigste\n", ""))
    assert run("build", root, "--no-pdf").code == 0
    index = (root / "site" / "index.html").read_text()
    assert f'<html lang="{lang}">' in index
    for word in words:
        assert word in index, word


def test_every_shipped_language_has_every_phrase() -> None:
    templates = Path(__file__).resolve().parents[1] / "templates"
    import re

    used = set()
    for path in templates.rglob("*"):
        if path.is_file():
            used |= set(re.findall(r't\("([^"]+)"', path.read_text()))
    assert used and used <= set(PHRASES)
    for lang in ("de", "fr", "es"):
        assert set(SHIPPED[lang]) == set(PHRASES), lang


def test_unknown_language_and_words_are_reported_with_positions(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    root = tmp_path / "project"
    shutil.copytree(GERMAN, root)
    settings = root / "content" / "briefing.yaml"
    text = settings.read_text().replace("lang: de\n", "lang: klingon\n")
    settings.write_text(text.replace("  Bottom line:", "  Botom line:"))
    result = run("check", root)
    assert result.code == 1
    assert "briefing.yaml:6:7: field 'lang' is 'klingon', which is not a language" in result.err
    assert "briefing.yaml:8:3: unknown key 'Botom line' in words (did you mean 'Bottom line'?)" in (
        result.err
    )


def test_right_to_left_text_reads_from_the_right_on_the_site_and_in_the_pdf(
    german_site: Path,
) -> None:
    from playwright.sync_api import sync_playwright

    page_path = german_site / "site/articles/stellungnahme-dubai/index.html"
    html = page_path.read_text()
    assert '<h1 dir="rtl">بيان شركات الشحن في دبي</h1>' in html
    assert '<p class="dek" dir="rtl">' in html
    assert '<p dir="rtl">تتابع شركات الشحن في دبي' in html
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1000, "height": 800})
        page.goto(page_path.as_uri())
        body = page.locator(".article-body p").first
        box, text_box = (
            body.bounding_box(),
            page.evaluate(
                """() => { const p = document.querySelector('.article-body p');
                       const r = document.createRange(); r.selectNodeContents(p);
                       const b = r.getBoundingClientRect();
                       return {left: b.left, right: b.right,
                               direction: getComputedStyle(p).direction}; }"""
            ),
        )
        browser.close()
    assert box is not None and text_box["direction"] == "rtl"
    # the short line hugs the right edge of its block, not the left
    assert abs(text_box["right"] - (box["x"] + box["width"])) < 2
    assert text_box["left"] - box["x"] > 100
    # In the PDF: the Arabic position's text block starts right of its column's start.
    pdf = german_site / "site" / "briefing.pdf"
    layout = subprocess.run(
        ["pdftotext", "-f", "3", "-l", "3", "-bbox-layout", str(pdf), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    import re

    found = re.findall(r'<line xMin="([\d.]+)"[^>]*xMax="([\d.]+)"[^>]*>(.*?)</line>', layout, re.S)
    lines = [(float(a), float(b), " ".join(re.findall(r">([^<]+)</word>", w))) for a, b, w in found]
    arabic = [(a, b) for a, b, words in lines if re.search("[\u0600-\u06ff]", words)]
    german = [(a, b) for a, b, words in lines if "Reedereien in Dubai" in words]
    assert arabic and german
    column_left = german[0][0]
    right_edges = [b for _a, b in arabic]
    assert max(right_edges) - min(right_edges) < 2  # both lines end at the right margin
    assert min(a for a, _b in arabic) > column_left  # and the short one starts further in
