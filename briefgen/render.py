"""Render the briefing to site pages; no clock, and no files but the theme's.

Templates come from the theme's Jinja environment (404.html inlines the theme's
style.css); the theme's static files and the articles' images are the build's to add.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from briefgen import urls
from briefgen.cache import Memo
from briefgen.errors import BuildFailed, Diagnostic
from briefgen.index import SiteIndex, merged_timeline, top_watch_items
from briefgen.model import Briefing
from briefgen.quotes import highlight
from briefgen.theme import Theme, template_diagnostic
from briefgen.write import OutputFile

# --- pages ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    template: str
    context: dict[str, object]
    key: object = None
    """When set, equal keys (under one theme and navigation) mean equal output."""


def pages(index: SiteIndex) -> Iterator[Page]:
    briefing = index.briefing
    yield Page(urls.INDEX, "index.html", {"title": briefing.settings.title})
    for issue in briefing.issues:
        yield Page(urls.issue_page(issue.id), "issue.html", {"title": issue.title, "issue": issue})
    for article in briefing.articles:
        quotes = index.quotes_of(article.id)
        backlinks = tuple(index.cited_in.get(article.id, ()))
        yield Page(
            urls.article_page(article.id),
            "article.html",
            {"title": article.title, "article": article, "quotes": quotes},
            key=(article, tuple(quotes), backlinks),
        )
    yield Page(urls.WATCH, "watch.html", {"title": "What to watch"})
    yield Page(urls.TIMELINE, "timeline.html", {"title": "Timeline"})
    yield Page(urls.SOURCES, "sources.html", {"title": "Sources"})
    yield Page(urls.NOT_FOUND, "404.html", {"title": "Page not found"})
    yield Page(urls.SEARCH, "search.html", {"title": "Search"})
    yield Page(urls.FEED, "feed.xml", {"title": briefing.settings.title})
    if briefing.settings.base_url:  # the sitemap protocol allows only absolute URLs
        yield Page(urls.SITEMAP, "sitemap.xml", {"title": briefing.settings.title})


def render_site(
    index: SiteIndex,
    theme: Theme,
    pdf_name: str | None,
    memo: Memo[bytes] | None = None,
) -> list[OutputFile]:
    """Render every page; raise BuildFailed naming every template error.

    memo keeps keyed pages between builds, so an edit re-renders only what it touches.
    """
    briefing = index.briefing
    all_pages = list(pages(index))
    feed_date = _feed_date(briefing)
    shared = {
        "briefing": briefing,
        "settings": briefing.settings,
        "site": index,
        "timeline": merged_timeline(briefing),
        "top_watch": top_watch_items(briefing),
        "pdf_name": pdf_name,
        "urls": urls,
        "feed_date": feed_date,
        "feed_updated": f"{feed_date.isoformat()}T00:00:00Z",
        "feed_id": _feed_id(briefing),
        "sitemap_paths": [
            p.path
            for p in all_pages
            if p.path.endswith(".html") and p.path not in (urls.NOT_FOUND, urls.SEARCH)
        ],
        "highlight": lambda html, quotes: Markup(highlight(html, quotes)),
        "inline_stylesheet": lambda: theme.inline_stylesheet(briefing.settings.base_url),
    }
    # Everything a keyed page shows besides its own inputs: the chrome around it.
    chrome = (
        theme.stamp,
        briefing.settings,
        tuple((i.id, i.title) for i in briefing.issues),
        bool(briefing.watch),
        pdf_name,
    )
    outputs: list[OutputFile] = []
    diagnostics: list[Diagnostic] = []
    templates: dict[str, jinja2.Template] = {}
    for page in all_pages:
        key = (chrome, page.key) if page.key is not None else None
        if memo is not None and key is not None:
            hit = memo.get(page.path, key)
            if hit is not None:
                outputs.append(OutputFile(page.path, hit))
                continue
        try:
            template = templates.get(page.template)
            if template is None:
                template = templates[page.template] = theme.env.get_template(page.template)
            text = template.render(
                shared, page=page.path, url=_linker(page.path, briefing), **page.context
            )
        except Exception as exc:  # any template failure is a user error
            diagnostics.append(template_diagnostic(exc))
            if len(diagnostics) > 20:
                break
            continue
        data = text.encode("utf-8")
        outputs.append(OutputFile(page.path, data))
        if memo is not None and key is not None:
            memo.put(page.path, key, data)
    if memo is not None:
        memo.keep_only(page.path for page in all_pages)  # pages gone with their article
    if diagnostics:
        raise BuildFailed(dict.fromkeys(diagnostics))
    return outputs


def _feed_date(briefing: Briefing) -> dt.date:
    """The feed's 'updated': the edition, else the newest dated source; never the clock."""
    dates = [a.published for a in briefing.articles if a.published]
    if briefing.settings.edition:
        return briefing.settings.edition
    return max(dates, default=dt.date(1970, 1, 1))


def _feed_id(briefing: Briefing) -> Callable[[str], str]:
    base = briefing.settings.base_url
    if base:
        return lambda key: f"{base}#{key}"
    seed = briefing.settings.title
    return lambda key: uuid.uuid5(uuid.NAMESPACE_URL, f"briefgen:{seed}:{key}").urn


def _linker(page: str, briefing: Briefing) -> Callable[[str], str]:
    base = briefing.settings.base_url
    if page in (urls.NOT_FOUND, urls.FEED, urls.SITEMAP) and base:
        return lambda target: urls.absolute(base, target) or target
    if page == urls.NOT_FOUND:
        # Hosts serve 404.html at any depth (/issues/nope/x), where relative links
        # break; root-relative ones resolve alike everywhere (see 404.html).
        return lambda target: "/" + target.removesuffix("index.html")
    return lambda target: urls.relative(page, target)
