"""What every page's <head> tells browsers and search engines: its icon and a description."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from tests.conftest import REPO, Result, tiny_png
from tests.test_build import TagCollector


def head_of(page: Path) -> dict[str, dict[str, str]]:
    """The page's <meta name=...> and <link rel=...> attributes, by name or rel."""
    found: dict[str, dict[str, str]] = {}
    for tag, attrs in TagCollector.of(page.read_text(encoding="utf-8")):
        values = {k: v or "" for k, v in attrs}
        if tag == "meta" and "name" in values:
            found[values["name"]] = values
        if tag == "link" and "rel" in values:
            found[values["rel"]] = values
    return found


def test_every_page_has_a_description_and_the_themes_icon(example_site: Path) -> None:
    pages = sorted(example_site.rglob("*.html"))
    assert len(pages) >= 12
    descriptions = {}
    for page in pages:
        head = head_of(page)
        description = head["description"]["content"]
        assert 50 <= len(description) <= 205, (page, description)  # truncate(200), leeway 5
        assert "<" not in description and "**" not in description, description  # plain text
        descriptions[page.relative_to(example_site).as_posix()] = description
        icon = head["icon"]
        assert icon["type"] == "image/svg+xml"
        if page.name != "404.html":  # 404.html links from the site's root
            target = (page.parent / icon["href"]).resolve()
            assert target == (example_site / "assets" / "favicon.svg").resolve()
    assert (example_site / "assets" / "favicon.svg").read_text().startswith("<svg")
    # the front page says the overall bottom line, an issue page its own
    content = REPO / "content"
    summary = yaml.safe_load((content / "briefing.yaml").read_text(encoding="utf-8"))["summary"]
    taiwan = yaml.safe_load((content / "issues" / "taiwan.yaml").read_text(encoding="utf-8"))
    assert descriptions["index.html"][:40] == " ".join(summary.split())[:40]
    assert descriptions["issues/taiwan/index.html"][:40] == taiwan["bottom_line"][:40]
    assert descriptions["issues/taiwan/index.html"] != descriptions["index.html"]


def test_a_themes_own_icon_replaces_the_default(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project(
        {
            "content/briefing.yaml": "title: T\ntheme: house\nsummary: The **short** answer.\n",
            "themes/house/static/favicon.png": tiny_png(),
        }
    )
    assert run("build", root, "--no-pdf").code == 0
    head = head_of(root / "site" / "issues" / "talks" / "index.html")
    assert head["icon"] == {"rel": "icon", "href": "../../assets/favicon.png", "type": "image/png"}
    assert (root / "site" / "assets" / "favicon.png").read_bytes() == tiny_png()
    assert head["description"]["content"] == "Talks continue. Nothing is settled."
    assert head_of(root / "site" / "index.html")["description"]["content"] == "The short answer."
