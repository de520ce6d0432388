"""One table of output paths, and relative links between them."""

from __future__ import annotations

from functools import lru_cache

INDEX = "index.html"
WATCH = "watch/index.html"
TIMELINE = "timeline/index.html"
SOURCES = "articles/index.html"
FEED = "feed.xml"
SITEMAP = "sitemap.xml"
NOT_FOUND = "404.html"
SEARCH = "search/index.html"
EDITIONS = "editions/index.html"
ASSETS = "assets"
MEDIA = "media"
"""Images of the content, copied from content/: content/images/a.png is media/images/a.png."""


def issue_page(issue_id: str) -> str:
    return f"issues/{issue_id}/index.html"


def article_page(article_id: str) -> str:
    return f"articles/{article_id}/index.html"


def edition_page(edition: str) -> str:
    """The summary page of a past or present edition, by its date YYYY-MM-DD."""
    return f"editions/{edition}/index.html"


def asset(name: str) -> str:
    return f"{ASSETS}/{name}"


def media(name: str) -> str:
    """The output path of content/<name> (a '/'-separated path under content/)."""
    return f"{MEDIA}/{name}"


@lru_cache(maxsize=65536)
def relative(from_page: str, target: str) -> str:
    """A link from one output file to another that works on any host and from disk."""
    target, hash_, fragment = target.partition("#")
    if not target:
        return hash_ + fragment
    here = from_page.split("/")[:-1]
    there = target.split("/")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    ups = "../" * (len(here) - common)
    return ups + "/".join(there[common:]) + hash_ + fragment


def absolute(base_url: str | None, target: str) -> str | None:
    """The public URL of an output file, when the site's base_url (ending in '/') is set.

    A folder's index.html is addressed by the folder, as hosts serve it.
    """
    if not base_url:
        return None
    return base_url + target.removesuffix("index.html")
