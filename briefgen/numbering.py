"""One numbering of the sources for the site and the PDF, and the names cite chips show.

A source's number is its place in the order a reader meets it: the key judgments, then
the issues in issue order (key points, positions, the timeline oldest first), then the
checklist by issue; articles that nothing cites follow, newest first. The site and the
PDF both use it, so "3" names one article everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator

from briefgen.model import Article, Briefing, Cite

_TITLE_WORDS = 4


def reading_order(briefing: Briefing) -> Iterator[tuple[str, Cite]]:
    """Every cite with the place it sits ('key-judgments', 'issue-<id>', 'watch'), in
    the order a reader meets them."""
    for judgment in briefing.settings.key_judgments:
        for cite in judgment.sources:
            yield "key-judgments", cite
    for issue in briefing.issues:
        place = f"issue-{issue.id}"
        for point in issue.key_points:
            for cite in point.sources:
                yield place, cite
        for position in issue.positions:
            for cite in position.sources:
                yield place, cite
        for entry in sorted(issue.timeline, key=lambda e: e.date):
            for cite in entry.sources:
                yield place, cite
    for issue in briefing.issues:
        for item in briefing.watch:
            if item.issue == issue.id:
                for cite in item.sources:
                    yield "watch", cite


def source_numbers(briefing: Briefing) -> dict[str, int]:
    """Article id -> its number: cited articles first, in reading order, then the rest."""
    known = {a.id for a in briefing.articles}
    order = dict.fromkeys(c.article for _place, c in reading_order(briefing) if c.article in known)
    order.update(dict.fromkeys(a.id for a in briefing.articles))
    return {article_id: n for n, article_id in enumerate(order, start=1)}


def chip_name(article: Article) -> str:
    """What a cite chip calls the article: its short name, its outlet, or its title's first
    words."""
    if article.short_name:
        return article.short_name
    if article.source:
        return article.source
    words = article.title.split()
    return " ".join(words[:_TITLE_WORDS]) + ("…" if len(words) > _TITLE_WORDS else "")


def distinct_articles(cites: tuple[Cite, ...] | list[Cite]) -> list[Cite]:
    """The first cite of each article: two cites of one source in one claim make one chip."""
    seen: dict[str, Cite] = {}
    for cite in cites:
        seen.setdefault(cite.article, cite)
    return list(seen.values())
