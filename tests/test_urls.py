"""Output paths and links between them: every relative link lands on its target."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from briefgen import urls

PAGES = [
    urls.INDEX,
    urls.WATCH,
    urls.TIMELINE,
    urls.SOURCES,
    urls.FEED,
    urls.NOT_FOUND,
    urls.issue_page("talks"),
    urls.issue_page("trade"),
    urls.article_page("alpha"),
    urls.article_page("beta.v2"),
]
TARGETS = [
    *PAGES,
    urls.asset("style.css"),
    urls.media("images/map.png"),
    urls.media("images/2026/march/chart.png"),
    f"{urls.WATCH}#next-round",
    urls.article_page("alpha") + "#q3",
]


def test_the_table_of_output_paths() -> None:
    assert urls.issue_page("talks") == "issues/talks/index.html"
    assert urls.article_page("alpha") == "articles/alpha/index.html"
    assert urls.asset("style.css") == "assets/style.css"
    assert urls.media("images/map.png") == "media/images/map.png"


@pytest.mark.parametrize("page", PAGES)
def test_every_link_from_a_page_resolves_to_its_target(page: str) -> None:
    site = "https://host.example/some/deep/folder/"
    for target in TARGETS:
        link = urls.relative(page, target)
        assert not link.startswith("/"), (page, target, link)
        assert urljoin(site + page, link) == site + target, (page, target, link)


@pytest.mark.parametrize(
    ("page", "target", "link"),
    [
        ("index.html", "issues/talks/index.html", "issues/talks/index.html"),
        (
            "issues/talks/index.html",
            "articles/alpha/index.html#q1",
            "../../articles/alpha/index.html#q1",
        ),
        ("issues/talks/index.html", "issues/trade/index.html", "../trade/index.html"),
        ("articles/alpha/index.html", "articles/index.html", "../index.html"),
        ("articles/index.html", "articles/alpha/index.html", "alpha/index.html"),
        ("articles/alpha/index.html", "media/images/map.png", "../../media/images/map.png"),
        ("watch/index.html", "watch/index.html#next-round", "index.html#next-round"),
        ("watch/index.html", "#next-round", "#next-round"),
        ("index.html", "index.html", "index.html"),
    ],
)
def test_links_are_as_short_as_the_folders_allow(page: str, target: str, link: str) -> None:
    assert urls.relative(page, target) == link


def test_absolute_urls_need_a_base_url() -> None:
    assert urls.absolute(None, urls.issue_page("talks")) is None
    assert urls.absolute("", urls.FEED) is None
    assert urls.absolute("https://x.example/", urls.FEED) == "https://x.example/feed.xml"


@pytest.mark.parametrize(
    ("target", "url"),
    [
        (urls.INDEX, "https://briefs.example.org/arctic/"),
        (urls.issue_page("talks"), "https://briefs.example.org/arctic/issues/talks/"),
        (urls.SOURCES, "https://briefs.example.org/arctic/articles/"),
        (urls.FEED, "https://briefs.example.org/arctic/feed.xml"),
        (urls.NOT_FOUND, "https://briefs.example.org/arctic/404.html"),
        (urls.media("images/map.png"), "https://briefs.example.org/arctic/media/images/map.png"),
    ],
)
def test_absolute_url_addresses_a_folder_page_by_its_folder(target: str, url: str) -> None:
    assert urls.absolute("https://briefs.example.org/arctic/", target) == url
