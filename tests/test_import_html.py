"""`briefgen import page.html`: saved web pages, their article found by trafilatura."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from briefgen.sentences import split_sentences
from tests.conftest import FIXTURES, Result
from tests.test_import import split_article

PAGES = FIXTURES / "pages"


@pytest.fixture
def new_project(tmp_path: Path, run: Callable[..., Result]) -> Path:
    root = tmp_path / "brief"
    assert run("init", root).code == 0
    return root


def article_paragraphs(page: Path) -> list[str]:
    """The text of the page's article paragraphs, list items and headings, as a reader
    of the page sees them."""
    html = page.read_text(encoding="utf-8")
    article = html.split("<article>", 1)[1].split("</article>", 1)[0]
    article = re.sub(r"<aside.*?</aside>", "", article, flags=re.S)
    return [text for _tag, text in re.findall(r"<(p|li|h2)>(.*?)</\1>", article)]


@pytest.mark.parametrize(
    ("page", "slug", "fields", "chrome"),
    [
        (
            "en-port-strike.html",
            "felixstowe-port-strike-ends-after-three-days",
            {
                "title": "Felixstowe port strike ends after three days",
                "source": "The Harbour Gazette",
                "author": "Tom Hale",
                "url": "https://harbourgazette.example/business/2025/nov/24/felixstowe-strike-ends",
            },
            [
                "(cookie banner): We use cookies to give you the best experience.",
                "(player): Listen to this article 4 min",
                "(photo credit): Photograph: PA",
                "(related links): Most read",
                "(not part of the article): Why container ships keep getting bigger",
                "(copyright notice): © 2025 Harbour Gazette Ltd",
            ],
        ),
        (
            "de-hafenstreik.html",
            "hafenstreik-in-hamburg-beendet",
            {
                "title": "Hafenstreik in Hamburg beendet",
                "source": "Nordkurier",
                "author": "Anna Müller",
                "published": date(2025, 11, 24),
                "url": "https://nordkurier.example/wirtschaft/hafenstreik-beendet",
            },
            [
                "(cookie banner): Wir verwenden Cookies",
                "(cookie banner): Alle akzeptieren",
                "(photo credit): Foto: dpa",
                "(promotion): Lesen Sie auch: Warum die Containerschiffe immer größer werden",
                "(share prompt): Artikel teilen",
                "(not part of the article): Impressum",
            ],
        ),
    ],
)
def test_a_saved_page_imports_its_article_word_for_word_and_lists_the_rest(
    page: str,
    slug: str,
    fields: dict[str, object],
    chrome: list[str],
    new_project: Path,
    run: Callable[..., Result],
) -> None:
    result = run("import", PAGES / page, new_project)
    assert result.code == 0, result.err
    written, body = split_article(new_project / "content" / "articles" / f"{slug}.md")
    assert written == fields  # stated by the page; no date guessed from its text or URL
    assert "<" not in body
    checked = 0
    for paragraph in article_paragraphs(PAGES / page):
        for sentence in split_sentences(paragraph):
            assert sentence in body, f"lost or changed: {sentence!r}"
            checked += 1
    assert checked >= 8
    assert "## " in body  # the page's subheading stays a heading
    for line in chrome:
        assert re.search(rf"removed line \d+ {re.escape(line)}", result.out), line
    assert run("build", new_project, "--no-pdf").code == 0


def test_a_page_without_article_text_is_a_clear_error(
    new_project: Path, run: Callable[..., Result]
) -> None:
    before = sorted(p.name for p in (new_project / "content/articles").iterdir())
    result = run("import", PAGES / "no-article.html", new_project)
    assert result.code == 1
    assert "no-article.html:1:1: no article text found in this page" in result.err
    assert "Traceback" not in result.err
    assert sorted(p.name for p in (new_project / "content/articles").iterdir()) == before


def test_html_pasted_as_text_is_read_as_a_page_not_as_tags(
    new_project: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    saved = tmp_path / "saved-page.txt"  # a page saved with the wrong extension
    saved.write_bytes((PAGES / "en-port-strike.html").read_bytes())
    result = run("import", saved, new_project)
    assert result.code == 0, result.err
    assert "title: Felixstowe port strike ends after three days" in result.out
    assert "<!DOCTYPE" not in result.out.split("removed line", 1)[0]
