"""What pages need besides the model, derived from the briefing.

The site index (lookups, quote anchors, backlinks, note numbers), the merged timeline
and the checklist items that come first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from briefgen import urls
from briefgen.model import Article, Briefing, Cite, Issue, WatchItem
from briefgen.numbering import source_numbers
from briefgen.quotes import normalize


@dataclass(frozen=True, slots=True)
class Backlink:
    label: str
    target: str
    """Output path with optional #anchor."""


@dataclass(slots=True)
class SiteIndex:
    """Lookups derived from the briefing once, shared by all pages."""

    briefing: Briefing
    articles: dict[str, Article] = field(default_factory=dict)
    issues: dict[str, Issue] = field(default_factory=dict)
    quote_anchors: dict[tuple[str, str], str] = field(default_factory=dict)
    quotes_by_article: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    cited_in: dict[str, list[Backlink]] = field(default_factory=dict)
    related: dict[str, list[Article]] = field(default_factory=dict)
    watch_by_issue: dict[str, list[WatchItem]] = field(default_factory=dict)
    number: dict[str, int] = field(default_factory=dict)
    """Each article's note number, the same on the site and in the PDF (numbering.py)."""

    @classmethod
    def of(cls, briefing: Briefing) -> SiteIndex:
        index = cls(briefing)
        index.articles = {a.id: a for a in briefing.articles}
        index.issues = {i.id: i for i in briefing.issues}
        index.number = source_numbers(briefing)
        counters: dict[str, int] = {}
        for cite in briefing.cites():
            if cite.quote is None:
                continue
            key = (cite.article, normalize(cite.quote))
            if key not in index.quote_anchors:
                counters[cite.article] = counters.get(cite.article, 0) + 1
                anchor = f"q{counters[cite.article]}"
                index.quote_anchors[key] = anchor
                index.quotes_by_article.setdefault(cite.article, []).append((anchor, cite.quote))
        for issue in briefing.issues:
            cited = list(issue.cites())
            ids = dict.fromkeys(c.article for c in cited)
            ids.update(dict.fromkeys(a.id for a in briefing.articles if issue.id in a.issues))
            index.related[issue.id] = [index.articles[i] for i in ids if i in index.articles]
            for article_id in dict.fromkeys(c.article for c in cited):
                index.cited_in.setdefault(article_id, []).append(
                    Backlink(f"Issue: {issue.title}", urls.issue_page(issue.id))
                )
        for item in briefing.watch:
            index.watch_by_issue.setdefault(item.issue, []).append(item)
            for article_id in dict.fromkeys(c.article for c in item.sources):
                index.cited_in.setdefault(article_id, []).append(
                    Backlink(f"Watch: {item.title}", f"{urls.WATCH}#{item.id}")
                )
        return index

    def cite_target(self, cite: Cite) -> str:
        target = urls.article_page(cite.article)
        if cite.quote is not None:
            target += "#" + self.quote_anchors[(cite.article, normalize(cite.quote))]
        return target

    def numbers_of(self, articles: list[Article]) -> list[int]:
        return sorted(self.number[a.id] for a in articles)

    def by_number(self) -> list[Article]:
        """Every article in the order of its number."""
        return sorted(self.briefing.articles, key=lambda a: self.number[a.id])

    def checklist_state(self, issue_id: str) -> dict[str, int]:
        """How many of the issue's checklist items are overdue, triggered, watching, resolved."""
        today = self.briefing.settings.edition
        counts: dict[str, int] = {}
        for item in self.watch_by_issue.get(issue_id, []):
            state = "overdue" if item.overdue(today) else item.status
            counts[state] = counts.get(state, 0) + 1
        order = ("overdue", "triggered", "watching", "resolved")
        return {state: counts[state] for state in order if state in counts}

    def quotes_of(self, article_id: str) -> list[tuple[str, str]]:
        return self.quotes_by_article.get(article_id, [])


@dataclass(frozen=True, slots=True)
class TimelineRow:
    date: dt.date
    event: str
    issue: Issue
    sources: tuple[Cite, ...]
    inferred: str | None = None
    """How the date was inferred, when it was."""


def merged_timeline(briefing: Briefing) -> list[TimelineRow]:
    rows = [
        TimelineRow(entry.date, entry.event, issue, entry.sources, entry.inferred)
        for issue in briefing.issues
        for entry in issue.timeline
    ]
    return sorted(rows, key=lambda r: r.date, reverse=True)


def top_watch_items(briefing: Briefing, limit: int = 5) -> list[WatchItem]:
    """Triggered items first, then the nearest horizon; resolved ones last."""
    rank = {"triggered": 0, "watching": 1, "resolved": 2}
    return sorted(
        briefing.watch,
        key=lambda w: (rank[w.status], w.by is None, w.by or dt.date.min),
    )[:limit]
