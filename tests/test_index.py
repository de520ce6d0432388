"""The site index: quote anchors that land on highlighted words, backlinks, the timeline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from briefgen import urls
from briefgen.errors import SourcePos
from briefgen.index import Backlink, SiteIndex, merged_timeline, top_watch_items
from briefgen.model import (
    Article,
    Briefing,
    Cite,
    EmailSettings,
    Issue,
    KeyPoint,
    PdfSettings,
    Settings,
    TimelineEntry,
    WatchItem,
)
from briefgen.quotes import highlight

POS = SourcePos(Path("content/issues/talks.yaml"))
SETTINGS = Settings(
    "Test briefing", None, None, None, None, None, None, "default", None,
    PdfSettings(), EmailSettings(), POS,
)  # fmt: skip


def cite(article: str, quote: str | None = None) -> Cite:
    return Cite(article, quote, POS)


def article(article_id: str, body: str = "<p>Text.</p>", issues: tuple[str, ...] = ()) -> Article:
    return Article(
        article_id, article_id.title(), None, None, None, None, issues, None, body, POS, POS
    )


def issue(
    issue_id: str,
    cites: tuple[Cite, ...] = (),
    timeline: tuple[tuple[dt.date, str], ...] = (),
) -> Issue:
    return Issue(
        id=issue_id,
        title=issue_id.title(),
        status=None,
        bottom_line="",
        key_points=(KeyPoint("A point.", None, None, cites, POS),),
        positions=(),
        timeline=tuple(TimelineEntry(date, event, (), POS) for date, event in timeline),
        questions=(),
        order=None,
        pos=POS,
    )


def watch(
    title: str,
    status: str = "watching",
    by: dt.date | None = None,
    sources: tuple[Cite, ...] = (),
) -> WatchItem:
    anchor = title.lower().replace(" ", "-")
    return WatchItem(anchor, title, "talks", None, (), (), status, by, sources, POS, POS)


def briefing(
    articles: tuple[Article, ...] = (),
    issues: tuple[Issue, ...] = (),
    items: tuple[WatchItem, ...] = (),
) -> Briefing:
    return Briefing(SETTINGS, articles, issues, items)


ALPHA = article(
    "alpha",
    "<p>The minister said the talks were <em>slow but serious</em> on Monday.</p>"
    "<p>Talks resume in ninety days.</p>",
)


def test_each_quote_links_to_its_highlighted_words_on_the_article_page() -> None:
    index = SiteIndex.of(
        briefing(
            (ALPHA, article("beta", "<p>Ninety days is long.</p>")),
            (
                issue("talks", (cite("alpha", "slow but serious"), cite("beta", "Ninety days"))),
                issue("trade", (cite("alpha", "resume in ninety days"), cite("alpha"))),
            ),
        )
    )
    targets = [index.cite_target(c) for i in index.briefing.issues for c in i.cites()]
    assert targets == [
        "articles/alpha/index.html#q1",
        "articles/beta/index.html#q1",
        "articles/alpha/index.html#q2",
        "articles/alpha/index.html",
    ]
    page = highlight(ALPHA.body_html, index.quotes_of("alpha"))
    assert '<em><mark id="q1">slow but serious</mark></em>' in page
    assert '<mark id="q2">resume in ninety days</mark>' in page
    assert index.quotes_of("gamma") == []


def test_the_same_words_quoted_twice_share_one_anchor() -> None:
    index = SiteIndex.of(
        briefing(
            (ALPHA,),
            (issue("talks", (cite("alpha", "slow but serious"),)),),
            (watch("Next round", sources=(cite("alpha", "slow  but\nserious"),)),),
        )
    )
    assert index.quotes_of("alpha") == [("q1", "slow but serious")]
    assert index.cite_target(index.briefing.watch[0].sources[0]) == "articles/alpha/index.html#q1"


def test_an_article_lists_each_citing_issue_once_then_each_citing_checklist_item() -> None:
    index = SiteIndex.of(
        briefing(
            (ALPHA,),
            (issue("talks", (cite("alpha", "slow but serious"), cite("alpha"))),),
            (
                watch("Next round", sources=(cite("alpha"), cite("alpha", "on Monday"))),
                watch("Ceasefire"),
            ),
        )
    )
    assert index.cited_in["alpha"] == [
        Backlink("Issue: Talks", "issues/talks/index.html"),
        Backlink("Watch: Next round", "watch/index.html#next-round"),
    ]
    links = [urls.relative(urls.article_page("alpha"), b.target) for b in index.cited_in["alpha"]]
    assert links == ["../../issues/talks/index.html", "../../watch/index.html#next-round"]


def test_related_articles_are_the_cited_then_the_tagged_ones_without_repeats() -> None:
    tagged = article("tagged", issues=("talks",))
    both = article("both", issues=("talks",))
    other = article("other", issues=("trade",))
    index = SiteIndex.of(
        briefing(
            (tagged, both, other, ALPHA),
            (issue("talks", (cite("alpha"), cite("both"), cite("alpha"))), issue("trade")),
        )
    )
    assert [a.id for a in index.related["talks"]] == ["alpha", "both", "tagged"]
    assert [a.id for a in index.related["trade"]] == ["other"]


def test_note_numbers_follow_the_order_of_the_sources_list() -> None:
    index = SiteIndex.of(briefing((article("newest"), article("older"), ALPHA)))
    assert index.number == {"newest": 1, "older": 2, "alpha": 3}
    assert index.articles["older"].title == "Older"


def test_checklist_items_are_grouped_under_their_issue() -> None:
    items = (watch("Next round"), watch("Ceasefire"))
    index = SiteIndex.of(briefing((), (issue("talks"),), items))
    assert index.watch_by_issue == {"talks": list(items)}


def test_timeline_merges_every_issue_newest_first() -> None:
    rows = merged_timeline(
        briefing(
            (),
            (
                issue("talks", timeline=((dt.date(2026, 1, 5), "Talks open"),
                                         (dt.date(2026, 3, 1), "Round two"))),
                issue("trade", timeline=((dt.date(2026, 2, 10), "Tariffs"),
                                         (dt.date(2026, 3, 1), "Tariffs paused"))),
            ),
        )
    )  # fmt: skip
    assert [(r.date.isoformat(), r.event, r.issue.id) for r in rows] == [
        ("2026-03-01", "Round two", "talks"),
        ("2026-03-01", "Tariffs paused", "trade"),
        ("2026-02-10", "Tariffs", "trade"),
        ("2026-01-05", "Talks open", "talks"),
    ]


def test_top_checklist_items_are_triggered_then_nearest_horizon_and_resolved_last() -> None:
    items = (
        watch("Resolved soon", "resolved", dt.date(2026, 1, 1)),
        watch("Open ended"),
        watch("Far off", by=dt.date(2026, 12, 1)),
        watch("Soon", by=dt.date(2026, 4, 1)),
        watch("Fired", "triggered"),
        watch("Fired earlier", "triggered", dt.date(2026, 2, 1)),
    )
    top = top_watch_items(briefing(items=items), limit=6)
    assert [w.title for w in top] == [
        "Fired earlier",
        "Fired",
        "Soon",
        "Far off",
        "Open ended",
        "Resolved soon",
    ]
    assert [w.title for w in top_watch_items(briefing(items=items))] == [
        "Fired earlier",
        "Fired",
        "Soon",
        "Far off",
        "Open ended",
    ]
