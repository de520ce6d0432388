"""The briefing as plain, immutable data. No I/O happens here, but for the body of an
article from the store, read from the store's file when first asked for (storedtext.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from briefgen.errors import SourcePos
from briefgen.storedtext import NewText, StoredText

STATUSES = ("escalating", "steady", "easing")
CONFIDENCES = ("high", "moderate", "low")
WATCH_STATUSES = ("watching", "triggered", "resolved")
# ICD 203 estimative language, in order, with its probability ranges.
LIKELIHOODS: dict[str, str] = {
    "almost no chance": "1–5 %",
    "very unlikely": "5–20 %",
    "unlikely": "20–45 %",
    "roughly even chance": "45–55 %",
    "likely": "55–80 %",
    "very likely": "80–95 %",
    "almost certain": "95–99 %",
}
PAGE_SIZES = ("A4", "Letter")
PDF_FORMATS = ("full", "brief")
BOTTOM_LINE_WORDS = 60
"""A bottom line longer than this (about two sentences) deserves a warning."""


@dataclass(frozen=True, slots=True)
class Cite:
    """A reference to an article, optionally to exact words in it."""

    article: str
    quote: str | None
    pos: SourcePos


@dataclass(frozen=True, slots=True)
class KeyPoint:
    text: str
    """Markdown."""
    likelihood: str | None
    confidence: str | None
    sources: tuple[Cite, ...]
    pos: SourcePos
    time_frame: str | None = None
    """Over what period the likelihood holds, e.g. 'before the April visit'."""
    id: str | None = None
    """A stable name the author may give, kept from edition to edition."""


@dataclass(frozen=True, slots=True)
class KeyJudgment:
    """One sentence of the 30-second briefing, leading the front page and the PDF."""

    text: str
    """Markdown, one sentence."""
    issue: str
    likelihood: str | None
    confidence: str | None
    time_frame: str | None
    sources: tuple[Cite, ...]
    pos: SourcePos
    issue_pos: SourcePos


@dataclass(frozen=True, slots=True)
class Position:
    actor: str
    stance: str
    """Markdown."""
    sources: tuple[Cite, ...]
    pos: SourcePos
    id: str | None = None
    """Stable across editions; without it a position is matched by its actor."""


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    date: dt.date
    event: str
    """Markdown."""
    sources: tuple[Cite, ...]
    pos: SourcePos
    inferred: str | None = None
    """How the date was inferred when the sources do not give it whole; shown to readers."""


@dataclass(frozen=True, slots=True)
class Issue:
    id: str
    title: str
    status: str | None
    bottom_line: str
    """Markdown."""
    key_points: tuple[KeyPoint, ...]
    positions: tuple[Position, ...]
    timeline: tuple[TimelineEntry, ...]
    questions: tuple[str, ...]
    order: int | None
    pos: SourcePos
    draft: bool = False
    """Left out of a build without --drafts."""
    bottom_line_pos: SourcePos | None = None
    """Where the bottom line is written, for warnings about it."""

    def cites(self) -> Iterator[Cite]:
        """Every cite of the issue: key points, positions, then the timeline."""
        for point in self.key_points:
            yield from point.sources
        for position in self.positions:
            yield from position.sources
        for entry in self.timeline:
            yield from entry.sources


@dataclass(frozen=True, slots=True)
class WatchItem:
    id: str
    """Anchor on the checklist page: the item's own stable id, else made from its title."""
    title: str
    issue: str
    why: str | None
    escalation: tuple[str, ...]
    deescalation: tuple[str, ...]
    status: str
    by: dt.date | None
    sources: tuple[Cite, ...]
    pos: SourcePos
    issue_pos: SourcePos
    draft: bool = False
    """Left out of a build without --drafts."""
    indicator: str | None = None
    """What is measured, e.g. 'PLA aircraft entering Taiwan's ADIZ per day'."""
    threshold: str | None = None
    """The level that would change the assessment."""
    monitor: str | None = None
    """Where to look, e.g. a ministry's daily report."""
    outcomes: tuple[str, ...] = ()
    """For a pending decision: its possible outcomes (instead of, or besides, signposts)."""
    stable_id: str | None = None
    """The id the author gave, kept from edition to edition; it is also the anchor."""

    def overdue(self, today: dt.date | None) -> bool:
        """Past its by date and still watched, as of today (the edition date)."""
        return (
            self.status == "watching"
            and self.by is not None
            and today is not None
            and self.by < today
        )


@dataclass(frozen=True, slots=True)
class ArticleImage:
    """A local image in an article body: a file under content/, copied into the site."""

    name: str
    """Its path under content/, '/'-separated: content/images/a.png is 'images/a.png'."""
    file: Path
    """content/<name>; whether it is a file inside content/ is checked at every load."""
    pos: SourcePos
    """Where the article writes the image."""


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    source: str | None
    author: str | None
    published: dt.date | None
    url: str | None
    issues: tuple[str, ...]
    summary: str | None
    body_html: str = field(compare=False)
    """The body rendered to safe HTML (article text is untrusted). An article from the
    store reads it from the store's file when first asked for (see _Body)."""
    pos: SourcePos
    issues_pos: SourcePos
    """Where the front matter lists the issues, for errors about them."""
    images: tuple[ArticleImage, ...] = ()
    """The local images of the body, whose src body_html already points at in the site."""
    draft: bool = False
    """Left out of a build without --drafts."""
    short_name: str | None = None
    """How cite chips name the article; default: its outlet."""
    shown_digest: str = field(default="", init=False, repr=False, compare=False)
    """The SHA-256 of the repr of every field above but the body, made with the article
    (and kept with it in the store): a page's key shows the article by it and
    body_digest, so a build does not spell out thousands of articles again."""
    body_digest: str = field(default="", init=False, repr=False)
    """The SHA-256 of body_html, made with the article (and kept with it in the store):
    a page's key shows the body by it, and two articles are equal with equal digests."""

    def __post_init__(self) -> None:
        digest = hashlib.sha256(self.body_html.encode()).hexdigest()
        object.__setattr__(self, "body_digest", digest)
        shown = repr(tuple(getattr(self, name) for name in _SHOWN_FIELDS))
        object.__setattr__(self, "shown_digest", hashlib.sha256(shown.encode()).hexdigest())

    def __reduce__(self) -> tuple[Callable[..., Article], tuple[object, ...]]:
        """Pickled for another process (a worker): with the whole body."""
        values = _article_slots(self)
        values[_BODY_AT] = self.body_html
        return _article, tuple(values)

    def stored_form(self) -> tuple[Callable[..., Article], tuple[object, ...]]:
        """Pickled into a store: the body goes into the store's texts (see store.py), as
        it is (a StoredText is copied from its file unread), with its digest."""
        values = _article_slots(self)
        body = values[_BODY_AT]
        if not isinstance(body, StoredText):
            values[_BODY_AT] = NewText(str(body), self.body_digest)
        return _stored_article, tuple(values[:-1])


_FIELDS = [f.name for f in fields(Article)]
_BODY_AT = _FIELDS.index("body_html")
assert _FIELDS[-1] == "body_digest", "the stored form leaves it out, last"
_SHOWN_FIELDS = tuple(
    name for name in _FIELDS if name not in ("body_html", "shown_digest", "body_digest")
)
_BODY_SLOT = Article.__dict__["body_html"]
_SETTERS = tuple(Article.__dict__[name].__set__ for name in _FIELDS)
_GETTERS = tuple(Article.__dict__[name].__get__ for name in _FIELDS)


def _article_slots(article: Article) -> list[object]:
    """The values of the article's fields, in order, as held (the body may be unread)."""
    return [get(article) for get in _GETTERS]


class _Body:
    """Article.body_html: the text in the slot, or, when the slot holds a StoredText,
    the text read (and checked) from the store's file; kept in the slot once read."""

    def __get__(self, article: Article | None, owner: type | None = None) -> object:
        if article is None:
            return self
        value = _BODY_SLOT.__get__(article, owner)
        if type(value) is str:
            return value
        text = value.text(article)
        _BODY_SLOT.__set__(article, text)
        return text

    def __set__(self, article: Article, value: object) -> None:
        _BODY_SLOT.__set__(article, value)


Article.body_html = _Body()  # type: ignore[assignment,misc]  # over the slot (in _BODY_SLOT)


(
    _set_id, _set_title, _set_source, _set_author, _set_published, _set_url, _set_issues,
    _set_summary, _set_body, _set_pos, _set_issues_pos, _set_images, _set_draft,
    _set_short_name, _set_shown_digest, _set_digest,
) = _SETTERS  # fmt: skip


def _article(*values: Any) -> Article:
    """An Article from the values of its fields in order: nothing checked or hashed again.

    Each field is set by its own line, as dataclasses' __init__ does: this is most of the
    time a store's read takes, and a loop over the fields costs twice as much."""
    (
        id_, title, source, author, published, url, issues, summary, body, pos, issues_pos,
        images, draft, short_name, shown_digest, digest,
    ) = values  # fmt: skip
    article: Article = object.__new__(Article)
    _set_id(article, id_)
    _set_title(article, title)
    _set_source(article, source)
    _set_author(article, author)
    _set_published(article, published)
    _set_url(article, url)
    _set_issues(article, issues)
    _set_summary(article, summary)
    _set_body(article, body)
    _set_pos(article, pos)
    _set_issues_pos(article, issues_pos)
    _set_images(article, images)
    _set_draft(article, draft)
    _set_short_name(article, short_name)
    _set_shown_digest(article, shown_digest)
    _set_digest(article, digest)
    return article


def _stored_article(*values: object) -> Article:
    """An Article as a store pickled it (stored_form): its body still in the store's file."""
    body = values[_BODY_AT] if len(values) > _BODY_AT else None
    if not isinstance(body, StoredText):
        raise ValueError("an article in a store without its stored body")
    return _article(*values, body.digest)


@dataclass(frozen=True, slots=True)
class PdfSettings:
    page_size: str = "A4"
    filename: str = "briefing.pdf"
    format: str = "full"
    """'full' (every section) or 'brief' (two pages): the PDF build writes and email attaches."""


@dataclass(frozen=True, slots=True)
class EmailSettings:
    sender: str | None = None
    subject: str = "{title} — {edition}"
    sender_pos: SourcePos | None = None
    """Where email.from is written (else the email mapping); None without one."""
    subject_pos: SourcePos | None = None
    """Where email.subject is written (else the email mapping); None without one."""


@dataclass(frozen=True, slots=True)
class Settings:
    title: str
    subtitle: str | None
    edition: dt.date | None
    organization: str | None
    author: str | None
    marking: str | None
    base_url: str | None
    theme: str
    summary: str | None
    """Markdown: the overall bottom line."""
    pdf: PdfSettings
    email: EmailSettings
    pos: SourcePos
    lang: str = "en"
    """The language of the briefing: page language, interface words, dates."""
    words: tuple[tuple[str, str], ...] = ()
    """The project's own interface words: (English phrase, its replacement)."""
    key_judgments: tuple[KeyJudgment, ...] = ()
    """The 30-second briefing: three to five one-sentence judgments."""
    title_pos: SourcePos | None = None
    """Where title is written; None in stand-in settings."""


@dataclass(frozen=True, slots=True)
class Briefing:
    settings: Settings
    articles: tuple[Article, ...]
    """Newest first, undated last, then by title."""
    issues: tuple[Issue, ...]
    """In issue order."""
    watch: tuple[WatchItem, ...]

    def cites(self) -> Iterator[Cite]:
        """Every cite in the briefing: key judgments, the issues in order, the checklist."""
        for judgment in self.settings.key_judgments:
            yield from judgment.sources
        for issue in self.issues:
            yield from issue.cites()
        for item in self.watch:
            yield from item.sources
