"""One table of output paths, and relative links between them."""

from __future__ import annotations

import posixpath

INDEX = "index.html"
WATCH = "watch/index.html"
TIMELINE = "timeline/index.html"
SOURCES = "articles/index.html"
FEED = "feed.xml"
SITEMAP = "sitemap.xml"
NOT_FOUND = "404.html"
ASSETS = "assets"


def issue_page(issue_id: str) -> str:
    return f"issues/{issue_id}/index.html"


def article_page(article_id: str) -> str:
    return f"articles/{article_id}/index.html"


def asset(name: str) -> str:
    return f"{ASSETS}/{name}"


def relative(from_page: str, target: str) -> str:
    """A link from one output file to another that works on any host and from disk."""
    fragment = ""
    if "#" in target:
        target, fragment = target.split("#", 1)
        fragment = "#" + fragment
    if not target:
        return fragment
    return posixpath.relpath(target, posixpath.dirname(from_page) or ".") + fragment
