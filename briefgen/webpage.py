"""A saved web page (HTML) to its article: the main text, the stated metadata, and the
text of the page that was left out, by an extraction library made for it (trafilatura).

Only what the page states is taken: its title, author, outlet, canonical address and
publication date from its markup, never a date found in the running text. The main
text goes on to the same clean-up as a pasted clipping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from briefgen.clipping import RemovedLine, chrome_reason

_HTML_START = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_BLOCKS = (
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "figcaption", "caption", "td", "th",
    "blockquote", "button", "a", "span", "div", "dt", "dd", "time", "label",
)  # fmt: skip


_SENTENCE_WORDS = 5
"""An article has at least one paragraph this long."""


class HtmlSupportMissing(Exception):
    """The optional HTML extra (trafilatura) is not installed."""


@dataclass(frozen=True, slots=True)
class Page:
    text: str
    """The main text, one paragraph per line with blank lines between."""
    title: str | None
    author: str | None
    source: str | None
    url: str | None
    published: date | None
    left_out: tuple[RemovedLine, ...]
    """Text of the page that is not in the main text, at its line in the HTML file."""


def looks_like_html(name: str, text: str) -> bool:
    return name.lower().endswith((".html", ".htm", ".xhtml")) or bool(
        _HTML_START.match(text[:4096])
    )


def read_page(html: str) -> Page | None:
    """The article of a saved page; None when the page holds no article text."""
    try:
        import trafilatura
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise HtmlSupportMissing(str(exc)) from None
    document = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_formatting=False,
        deduplicate=False,
        # the date from the page's markup only: no search of the running text
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if document is None:
        return None
    found = document if isinstance(document, dict) else document.as_dict()
    main_text = found.get("text")
    paragraphs = [" ".join(line.split()) for line in str(main_text or "").splitlines()]
    paragraphs = [p for p in paragraphs if p]
    if not any(len(p.split()) >= _SENTENCE_WORDS for p in paragraphs):
        return None  # menus and buttons, no running text
    return Page(
        text="\n\n".join(paragraphs) + "\n",
        title=_text(found.get("title")),
        author=_text(found.get("author")),
        source=_text(found.get("sitename")),
        url=_text(found.get("url")),
        published=_date(found.get("date")),
        left_out=_left_out(html, paragraphs),
    )


def _text(value: object) -> str | None:
    return " ".join(value.split()) or None if isinstance(value, str) else None


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _left_out(html: str, kept: list[str]) -> tuple[RemovedLine, ...]:
    """The page's visible text blocks that are in none of the kept paragraphs."""
    import lxml.html

    main = "\n".join(kept)
    tree = lxml.html.document_fromstring(html)
    for element in tree.iter("script", "style", "noscript", "template", "head"):
        element.drop_tree()
    left: list[RemovedLine] = []
    seen: set[str] = set()
    for element in tree.iter(*_BLOCKS):
        if any(child.tag in _BLOCKS for child in element.iterdescendants()):
            continue  # its text is reported with the smaller blocks inside it
        text = " ".join(element.text_content().split())
        if not text or text in main or text in seen:
            continue
        seen.add(text)
        reason = chrome_reason(text) or "not part of the article"
        left.append(RemovedLine(element.sourceline or 1, text, reason))
    return tuple(left)
