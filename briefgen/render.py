"""Render the briefing to site pages; no clock, and no files but the theme's.

Templates come from the theme's Jinja environment (404.html inlines the theme's
style.css); the theme's static files and the articles' images are the build's to add.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass

from markupsafe import Markup

from briefgen import urls, words
from briefgen.cache import Memo
from briefgen.changes import NO_EDITIONS, Editions
from briefgen.errors import BuildFailed, Diagnostic
from briefgen.images import point_at_media
from briefgen.index import SiteIndex, merged_timeline, top_watch_items
from briefgen.model import Article, Briefing
from briefgen.pool import parallel_map
from briefgen.quotes import highlight
from briefgen.store import code_fingerprint, content_key
from briefgen.theme import Theme, template_diagnostic
from briefgen.write import OutputFile

RENDER_MODULES = (
    "render.py", "index.py", "quotes.py", "urls.py", "theme.py", "markdown.py", "changes.py",
    "images.py",
)  # fmt: skip
"""The code a page depends on besides its template: a page rendered by other code is stale."""

# --- pages ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    template: str
    context: dict[str, object]
    key: object = None
    """What the page shows besides the chrome: equal keys, equal output. None: the
    whole briefing (article bodies where a template names them)."""


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot hold, even as character references."""
NAV_ISSUES = 8
"""The navigation of every page names the first issues only (the front page lists them
all): with one link per issue on every page, a build would grow with the square of
the number of issues."""


def pages(index: SiteIndex, editions: Editions = NO_EDITIONS) -> Iterator[Page]:
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
    if editions.entries:
        yield Page(urls.EDITIONS, "editions.html", {"title": "Editions"})
    for edition in editions.entries:
        title = f"Edition of {words.long_date(edition.date, briefing.settings.lang)}"
        path = urls.edition_page(edition.date.isoformat())
        yield Page(path, "edition.html", {"title": title, "edition": edition})
    yield Page(urls.FEED, "feed.xml", {"title": briefing.settings.title})
    if briefing.settings.base_url:  # the sitemap protocol allows only absolute URLs
        yield Page(urls.SITEMAP, "sitemap.xml", {"title": briefing.settings.title})


def _lead(page: Page) -> dict[str, object]:
    """An article page's article_lead, what its description is cut from: the summary,
    else the body.

    Given to the page rather than read by base.html from the article, so that no template
    but article.html names the body: pages other than the article's do not show it, and
    an edit to a body re-renders its own page only (see _bodies_shown_beyond_articles)."""
    article = page.context.get("article")
    if not isinstance(article, Article):
        return {}
    lead = Markup.escape(article.summary) if article.summary else Markup(article.body_html)
    return {"article_lead": lead}


@dataclass(frozen=True, slots=True)
class RenderedSite:
    files: list[OutputFile]
    """The pages rendered by this build."""
    kept: tuple[str, ...]
    """Pages not rendered, because the file of the last build shows the same key."""
    keys: dict[str, str]
    """The key digest of every keyed page, rendered or kept."""


def render_site(
    index: SiteIndex,
    theme: Theme,
    pdf_name: str | None,
    memo: Memo[bytes] | None = None,
    on_disk: Callable[[str, str], bool] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    *,
    editions: Editions = NO_EDITIONS,
) -> RenderedSite:
    """Render every page; raise BuildFailed naming every template error.

    memo keeps keyed pages between builds, so an edit re-renders only what it touches;
    on_disk(path, digest) says whether the file of the last build shows that key, so a
    one-off build leaves it as it is. Pages are rendered on every core when many are due.
    """
    briefing = index.briefing
    all_pages = list(pages(index, editions))
    feed_date = _feed_date(briefing)
    shared = {
        "briefing": briefing,
        "settings": briefing.settings,
        "site": index,
        "timeline": merged_timeline(briefing),
        "top_watch": top_watch_items(briefing),
        "pdf_name": pdf_name,
        "urls": urls,
        "editions": editions,
        "changes": editions.changes,
        "nav_issues": briefing.issues[:NAV_ISSUES],
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
        tuple((i.id, i.title) for i in briefing.issues[:NAV_ISSUES]),
        len(briefing.issues),
        bool(briefing.watch),
        pdf_name,
        bool(editions.entries),
    )
    chrome_digest = content_key(code_fingerprint(*RENDER_MODULES), repr(chrome))
    # The other pages show the whole briefing, article bodies only where a template
    # names them: an edit to a body then re-renders its own page alone.
    bodies = _bodies_shown_beyond_articles(theme)
    site_key = ("site", content_key(_briefing_repr(briefing, bodies), repr(editions.entries)))
    outputs: list[OutputFile] = []
    kept: list[str] = []
    keys: dict[str, str] = {}
    due: list[tuple[Page, Hashable]] = []
    for page in all_pages:
        key = (chrome, page.key if page.key is not None else site_key)
        keys[page.path] = digest = _digest(chrome_digest, key[1])
        if on_disk is not None and on_disk(page.path, digest):
            kept.append(page.path)
            continue
        hit = memo.get(page.path, key) if memo is not None else None
        if hit is not None:
            outputs.append(OutputFile(page.path, hit))
            continue
        due.append((page, key))
    for name in dict.fromkeys(page.template for page, _key in due):
        with contextlib.suppress(Exception):  # errors are reported with each page
            theme.env.get_template(name)  # compiled once here, not in each worker
    global _JOB
    _JOB = _Job(theme, shared, briefing)
    try:
        results = parallel_map(
            _render_one,
            [page for page, _key in due],
            min_items=100,
            progress=progress,
            stage="render",
        )
    finally:
        _JOB = None
    diagnostics: list[Diagnostic] = []
    for (page, page_key), result in zip(due, results, strict=True):
        if isinstance(result, Diagnostic):
            diagnostics.append(result)
            continue
        outputs.append(OutputFile(page.path, result))
        if memo is not None:
            memo.put(page.path, page_key, result)
    if memo is not None:
        memo.keep_only(page.path for page in all_pages)  # pages gone with their article
    if diagnostics:
        raise BuildFailed(dict.fromkeys(diagnostics[:21]))
    return RenderedSite(outputs, tuple(kept), keys)


def _digest(chrome_digest: str, key: object) -> str:
    """A digest of a page key: equal digests, equal keys (repr shows every field)."""
    return content_key(chrome_digest, _stable_repr(key))


def _stable_repr(value: object) -> str:
    """repr(value), with each article shown by the digests it carries: quicker."""
    if isinstance(value, tuple):
        return "(" + ", ".join(_stable_repr(v) for v in value) + ")"
    if isinstance(value, Article):
        return _article_repr(value, body=True)
    return repr(value)


def _article_repr(article: Article, body: bool) -> str:
    """The article by the digest of its fields, and of its body when body."""
    if body:
        return f"Article({article.shown_digest}, {article.body_digest})"
    return f"Article({article.shown_digest})"


def _briefing_repr(briefing: Briefing, bodies: bool) -> str:
    return "\n".join(
        [
            repr((briefing.settings, briefing.issues, briefing.watch)),
            *(_article_repr(article, bodies) for article in briefing.articles),
        ]
    )


def _bodies_shown_beyond_articles(theme: Theme) -> bool:
    """Whether a template of the site, other than the article page's, names article bodies."""
    for folder in theme.template_dirs:
        for path in folder.rglob("*"):
            name = path.relative_to(folder).as_posix()
            if name == "article.html" or name.startswith(("print", "email")):
                continue
            try:
                if path.is_file() and "body_html" in path.read_text(errors="replace"):
                    return True
            except OSError:
                return True
    return False


@dataclass(frozen=True, slots=True)
class _Job:
    theme: Theme
    shared: dict[str, object]
    briefing: Briefing


_JOB: _Job | None = None
"""The render in progress: forked workers find it here, as the parent left it."""


def _render_one(page: Page) -> bytes | Diagnostic:
    job = _JOB
    assert job is not None
    try:
        template = job.theme.env.get_template(page.template)
        text = template.render(
            job.shared,
            page=page.path,
            url=_linker(page.path, job.briefing),
            **page.context,
            **_lead(page),
        )
    except BuildFailed as failed:  # an article body the store could not give back
        return failed.diagnostics[0]
    except Exception as exc:  # any template failure is a user error
        return template_diagnostic(exc)
    if page.path.endswith(".xml"):
        text = _NOT_XML.sub("\ufffd", text)  # no escape can carry these
    if page.path.endswith(".html") and page.path != urls.NOT_FOUND:
        text = point_at_media(text, page.path)  # images in summary, issue, checklist text
    return text.encode("utf-8")


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

    def urn(key: str) -> str:
        import uuid  # 10 ms to import, and only a feed rendered without base_url needs it

        return uuid.uuid5(uuid.NAMESPACE_URL, f"briefgen:{seed}:{key}").urn

    return urn


def _linker(page: str, briefing: Briefing) -> Callable[[str], str]:
    base = briefing.settings.base_url
    if page in (urls.NOT_FOUND, urls.FEED, urls.SITEMAP) and base:
        return lambda target: urls.absolute(base, target) or target
    if page == urls.NOT_FOUND:
        # Hosts serve 404.html at any depth (/issues/nope/x), where relative links
        # break; root-relative ones resolve alike everywhere (see 404.html).
        return lambda target: "/" + target.removesuffix("index.html")
    return lambda target: urls.relative(page, target)
