"""Client-side search (Pagefind) in Debian's Chromium: over HTTP at a sub-path, and
opened from disk, where the page must say that search needs a served site."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from briefgen.search import pagefind_binary


class QuietHost(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def hosted(example_site: Path) -> Iterator[str]:
    """The example site's parent folder on a loopback host: the site lives at /site/,
    as on a host that serves it from a sub-path."""
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHost, directory=str(example_site.parent))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/site/"
    finally:
        server.shutdown()
        server.server_close()


def test_pagefind_is_installed_and_the_build_writes_its_index(example_site: Path) -> None:
    assert pagefind_binary() is not None, "pip install 'pagefind[extended]'"
    bundle = example_site / "pagefind"
    assert (bundle / "pagefind.js").is_file()
    assert list(bundle.glob("index/*.pf_index"))
    assert not list(bundle.glob("pagefind-ui*"))  # the theme has its own interface
    assert 'role="search"' in (example_site / "index.html").read_text(encoding="utf-8")


def results(page: Any) -> list[tuple[str, str]]:
    page.wait_for_function("document.getElementById('search-status').textContent.includes('found')")
    links = page.locator("#search-results li a")
    return [
        (links.nth(i).inner_text(), links.nth(i).get_attribute("href") or "")
        for i in range(links.count())
    ]


def test_search_box_finds_articles_issues_and_checklist_items(browser: Any, hosted: str) -> None:
    page = browser.new_page()
    try:
        page.goto(hosted + "issues/taiwan/index.html")
        page.fill("#site-search-q", "hotlines")
        page.press("#site-search-q", "Enter")
        page.wait_for_url("**/site/search/index.html?q=hotlines")
        found = results(page)
        hrefs = [href for _, href in found]
        assert "/site/watch/" in hrefs  # a checklist item
        assert "/site/issues/taiwan/" in hrefs  # an issue
        assert any(href.startswith("/site/articles/") for href in hrefs)  # a source
        assert "/site/" not in hrefs and "/site/articles/" not in hrefs  # lists aren't indexed
        marks = page.locator("#search-results mark")
        assert marks.count() > 0 and marks.first.inner_text().lower() == "hotlines"
        assert page.locator("#search-results script, #search-results img").count() == 0

        page.fill("#search-page-q", "seafood")
        page.press("#search-page-q", "Enter")
        page.wait_for_function("location.search === '?q=seafood'")
        page.wait_for_function(
            "document.getElementById('search-status').textContent.includes('seafood')"
        )
        found = results(page)
        assert "/site/issues/japan-china/" in [href for _, href in found]
        page.locator("#search-results a", has_text=found[0][0]).first.click()
        page.wait_for_load_state()
        assert page.url.startswith(hosted)
        assert "Page not found" not in page.title()

        page.goto(hosted + "search/index.html?q=zzqxjv")
        page.wait_for_function(
            "document.getElementById('search-status').textContent.includes('Nothing found')"
        )
    finally:
        page.close()


def test_opened_from_disk_the_page_says_search_needs_a_server(
    browser: Any, example_site: Path
) -> None:
    page = browser.new_page()
    try:
        page.goto((example_site / "index.html").as_uri())
        page.fill("#site-search-q", "taiwan")
        page.press("#site-search-q", "Enter")
        page.wait_for_url("**/search/index.html?q=taiwan")
        status = page.locator("#search-status")
        status.wait_for()
        text = status.inner_text()
        assert "Search needs the site to be served over HTTP" in text
        assert page.locator("#site-search-q").input_value() == ""
        assert page.locator("#search-page-q").input_value() == "taiwan"
    finally:
        page.close()


def test_the_preview_says_it_has_no_index(browser: Any, project: Any) -> None:
    from tests.test_serve_preview import started_previews

    previews = started_previews()
    serve = next(previews)
    try:
        preview = serve(project())
        page = browser.new_page()
        try:
            page.goto(f"http://127.0.0.1:{preview.port}/search/index.html?q=talks")
            page.wait_for_function(
                "document.getElementById('search-status').textContent.includes('did not load')"
            )
            assert "“briefgen build --search”" in page.locator("#search-status").inner_text()
        finally:
            page.close()
    finally:
        next(previews, None)
