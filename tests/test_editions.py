"""Editions: each build records its edition; every surface shows what changed since the last.

Edition 1 is built, then the content changes in exactly these ways: a status, a
likelihood, a key point's wording (same id), one point added, one dropped, one checklist
item triggered. Edition 2 is built, and the front page and the issue page (in Chromium),
the PDF's text, the email received by a real SMTP server on loopback and `briefgen diff`
must show these changes and nothing else.
"""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from briefgen.cli import main

from .conftest import CHROMIUM, CHROMIUM_ARGS, Result, write_files
from .test_mail_smtp import smtp_servers

SETTINGS = """\
    title: Weekly brief
    edition: {edition}
    summary: The overall bottom line.
    email:
      from: "Desk <desk@example.org>"
    """
ARTICLE = """\
    ---
    title: Talks report
    published: 2026-02-27
    ---
    The minister said the talks were slow. Both sides blame each other.
    """
TALKS_1 = """\
    title: The talks
    status: steady
    order: 1
    bottom_line: Talks continue. Nothing is settled.
    key_points:
      - id: pace
        text: Talks are slow.
        confidence: high
        sources: [talks]
      - id: deal
        text: A deal before the summer.
        likelihood: unlikely
        confidence: moderate
      - text: Both sides blame each other.
    positions:
      - actor: The minister
        stance: Calls the talks slow but serious.
    """
TALKS_2 = """\
    title: The talks
    status: escalating
    order: 1
    bottom_line: Talks continue. Nothing is settled.
    key_points:
      - id: pace
        text: Talks have slowed further.
        confidence: high
        sources: [talks]
      - id: deal
        text: A deal before the summer.
        likelihood: likely
        confidence: moderate
      - text: A mediator has been proposed.
    positions:
      - actor: The minister
        stance: Calls the talks slow but serious.
    """
BORDER = """\
    title: The border
    status: easing
    order: 2
    bottom_line: Quiet for now.
    key_points:
      - text: Patrols are down.
        likelihood: likely
    """
WATCH = """\
    items:
      - title: Next round
        issue: talks
      - title: Walkout
        issue: talks
        status: {status}
      - title: Patrol numbers
        issue: border
    """

EXPECTED = [
    "Status steady → escalating",
    "Likelihood unlikely → likely: A deal before the summer.",
    "Key point reworded: Talks have slowed further.",
    "New key point: A mediator has been proposed.",
    "Key point dropped: Both sides blame each other.",
    "Checklist item triggered: Walkout (watching → triggered)",
]


def edition_files(edition: str, talks: str, walkout: str) -> dict[str, str | bytes]:
    return {
        "content/briefing.yaml": SETTINGS.format(edition=edition),
        "content/articles/talks.md": ARTICLE,
        "content/issues/talks.yaml": talks,
        "content/issues/border.yaml": BORDER,
        "content/watch.yaml": WATCH.format(status=walkout),
    }


@pytest.fixture(scope="module")
def two_editions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project built as edition 1, changed, and built again as edition 2 (with its PDF)."""
    root = tmp_path_factory.mktemp("editions") / "project"
    write_files(root, edition_files("2026-03-01", TALKS_1, "watching"))
    assert main(["build", os.fspath(root), "--no-pdf"]) == 0
    write_files(root, edition_files("2026-03-08", TALKS_2, "triggered"))
    assert main(["build", os.fspath(root)]) == 0
    return root


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for this module alone, closed when it ends: other modules start their own
    Playwright, which cannot run beside a session-long one."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        yield launched
        launched.close()


def squash(text: str) -> str:
    return " ".join(text.split())


# --- what is recorded --------------------------------------------------------------------


def test_each_edition_is_recorded_in_content(two_editions: Path) -> None:
    folder = two_editions / "content" / "editions"
    assert sorted(p.name for p in folder.iterdir()) == ["2026-03-01.yaml", "2026-03-08.yaml"]
    first = (folder / "2026-03-01.yaml").read_text(encoding="utf-8")
    assert "status: steady" in first
    assert "likelihood: unlikely" in first
    assert "id: pace" in first
    assert "Both sides blame each other." in first
    assert "status: escalating" in (folder / "2026-03-08.yaml").read_text(encoding="utf-8")


def test_rebuilding_an_edition_replaces_only_its_own_snapshot(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    root = write_files(tmp_path / "p", edition_files("2026-03-01", TALKS_1, "watching"))
    assert run("build", root, "--no-pdf").code == 0
    write_files(root, edition_files("2026-03-08", TALKS_1, "watching"))
    assert run("build", root, "--no-pdf").code == 0
    first = (root / "content/editions/2026-03-01.yaml").read_bytes()
    write_files(root, edition_files("2026-03-08", TALKS_2, "watching"))
    assert run("build", root, "--no-pdf").code == 0
    assert (root / "content/editions/2026-03-01.yaml").read_bytes() == first
    assert "status: escalating" in (root / "content/editions/2026-03-08.yaml").read_text("utf-8")
    assert len(list((root / "content/editions").iterdir())) == 2


def test_a_build_with_nothing_new_stays_up_to_date(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    root = write_files(tmp_path / "p", edition_files("2026-03-01", TALKS_1, "watching"))
    assert run("build", root, "--no-pdf").code == 0
    again = run("build", root, "--no-pdf")
    assert "is up to date" in again.out


def test_an_edition_older_than_the_latest_is_refused_without_the_flag(
    tmp_path: Path, run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = write_files(tmp_path / "p", edition_files("2026-03-08", TALKS_1, "watching"))
    assert run("build", root, "--no-pdf").code == 0
    write_files(root, edition_files("2026-03-01", TALKS_1, "watching"))
    refused = run("build", root, "--no-pdf")
    assert refused.code == 1
    assert refused.err.startswith(
        "p/content/briefing.yaml:1:1: edition 2026-03-01 is older than the latest recorded "
        "edition 2026-03-08"
    )
    assert "--older-edition" in refused.err
    assert not (root / "content/editions/2026-03-01.yaml").exists()
    allowed = run("build", root, "--no-pdf", "--older-edition")
    assert allowed.code == 0, allowed.err
    assert (root / "content/editions/2026-03-01.yaml").is_file()


@pytest.mark.parametrize(
    ("edit", "where", "message"),
    [
        (("status: steady", "status: stedy"), "9:13",
         "field 'status' is 'stedy' (did you mean 'steady'?)"),
        (("    title: The talks\n", "    title: The talks\n    colour: red\n"), "9:5",
         "unknown key 'colour' in edition issue"),
        (("edition: 2026-03-01", "edition: 2026-03-02"), "4:10",
         "field 'edition' is 2026-03-02 but the file is named 2026-03-01.yaml"),
    ],
)  # fmt: skip
def test_a_snapshot_edited_into_an_invalid_form_points_at_the_line(
    tmp_path: Path,
    run: Callable[..., Result],
    chdir_tmp: Path,
    edit: tuple[str, str],
    where: str,
    message: str,
) -> None:
    root = write_files(tmp_path / "p", edition_files("2026-03-01", TALKS_1, "watching"))
    assert run("build", root, "--no-pdf").code == 0
    snapshot = root / "content/editions/2026-03-01.yaml"
    text = snapshot.read_text(encoding="utf-8")
    assert edit[0] in text
    snapshot.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    write_files(root, edition_files("2026-03-08", TALKS_2, "watching"))
    result = run("build", root, "--no-pdf")
    assert result.code == 1
    assert result.err.startswith(f"p/content/editions/2026-03-01.yaml:{where}: {message}")
    assert "Traceback" not in result.err


# --- the site, in Chromium ---------------------------------------------------------------


def change_lines(page: Any, section: str) -> list[str]:
    items = page.locator(f"{section} .change-list > li")
    return [squash(items.nth(n).text_content().split("Was:")[0]) for n in range(items.count())]


def test_front_page_leads_with_exactly_the_changes(two_editions: Path, browser: Any) -> None:
    page = browser.new_page()
    page.goto((two_editions / "site" / "index.html").as_uri())
    block = page.locator("main .changes")
    assert block.locator("h2").text_content() == "Since 1 March 2026"
    assert [squash(t) for t in block.locator("h3").all_text_contents()] == ["The talks"]
    assert change_lines(page, "main .changes") == EXPECTED
    # it leads: before the issue cards
    order = page.evaluate(
        "[...document.querySelectorAll('main h2')].map(h => h.textContent.trim())"
    )
    assert order.index("Since 1 March 2026") < order.index("Issues")
    page.close()


def test_issue_pages_show_their_own_changes(two_editions: Path, browser: Any) -> None:
    page = browser.new_page()
    page.goto((two_editions / "site" / "issues" / "talks" / "index.html").as_uri())
    assert page.locator("main .changes h2").text_content() == "Since 1 March 2026"
    assert change_lines(page, "main .changes") == EXPECTED
    assert squash(page.locator(".change-reworded .change-was").text_content() or "") == (
        "Was: Talks are slow."
    )
    page.goto((two_editions / "site" / "issues" / "border" / "index.html").as_uri())
    assert squash(page.locator("main .changes").text_content() or "") == (
        "Since 1 March 2026 No change to this issue since the edition of 1 March 2026."
    )
    page.close()


def test_the_archive_lists_both_editions_and_its_links_work(
    two_editions: Path, browser: Any
) -> None:
    site = two_editions / "site"
    page = browser.new_page()
    page.goto((site / "editions" / "index.html").as_uri())
    entries = page.locator(".edition-entry")
    assert entries.count() == 2
    assert squash(entries.nth(0).text_content() or "") == (
        "8 March 2026 current edition The talks: steady → escalating; 5 other changes. "
        "Read this edition · PDF briefing"
    )
    assert squash(entries.nth(1).text_content() or "") == "1 March 2026 The first edition."
    assert entries.nth(0).get_by_role("link", name="PDF briefing").get_attribute("href") == (
        "../briefing.pdf"
    )
    entries.nth(1).get_by_role("link").first.click()
    assert page.url == (site / "editions" / "2026-03-01" / "index.html").as_uri()
    summary = squash(page.locator("main").text_content() or "")
    assert "This is the first edition of the briefing" in summary
    assert "Both sides blame each other." in summary
    assert "Unlikely (20–45 %)" in summary
    assert "Walkout Watching" in summary
    page.get_by_role("link", name="Talks report").click()
    assert page.url == (site / "articles" / "talks" / "index.html").as_uri()
    page.close()


def test_the_feed_has_one_entry_per_edition(two_editions: Path) -> None:
    feed = (two_editions / "site" / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<title>Edition of ") == 2
    assert 'href="editions/2026-03-08/index.html"' in feed
    assert "<summary>The talks: steady → escalating; 5 other changes.</summary>" in feed


def test_a_first_edition_says_so(tmp_path: Path, run: Callable[..., Result]) -> None:
    root = write_files(tmp_path / "p", edition_files("2026-03-01", TALKS_1, "watching"))
    assert run("build", root, "--no-pdf").code == 0
    html = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "This is the first edition of the briefing" in html
    result = run("diff", "--project", root)
    assert result.out == (
        "Edition of 1 March 2026 (the content now): the first edition; nothing to compare.\n"
    )


# --- the PDF -----------------------------------------------------------------------------


def test_pdf_has_a_what_changed_page_after_the_cover(two_editions: Path) -> None:
    pdf = two_editions / "site" / "briefing.pdf"
    page_two = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", "-enc", "UTF-8", os.fspath(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    lines = [squash(line) for line in page_two.splitlines() if line.strip()]
    # the running head (title, date) and the page number frame the page
    assert lines[:3] == ["Weekly brief", "8 March 2026", "What changed since 1 March 2026"]
    assert lines[-1].startswith("Page 2 of ")
    assert lines[3] == "The talks"
    end = lines.index("Contents")  # the contents follow on the same page
    rest = " ".join(line.removeprefix("• ") for line in lines[4:end])
    for line in EXPECTED:  # each change, in order, and nothing else
        assert rest.startswith(line), (line, rest)
        rest = rest.removeprefix(line).strip()
    assert rest == ""


# --- the email, through a real SMTP server ----------------------------------------------------


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    with smtp_servers(monkeypatch) as start:
        yield start


def test_the_email_opens_with_the_changes(
    two_editions: Path, smtp: Callable[..., Any], run: Callable[..., Result]
) -> None:
    server = smtp()
    result = run("email", two_editions, "--smtp", server.address, "--to", "reader@example.com")
    assert result.code == 0, result.err
    [received] = server.handler.messages
    message = email.message_from_bytes(received.data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    lines = [line for line in text.get_content().splitlines() if line.strip()]
    assert lines[:10] == [
        "Weekly brief",
        "Edition of 8 March 2026",
        "SINCE 1 MARCH 2026",
        "The talks",
        "- Status steady -> escalating",
        "- Likelihood unlikely -> likely: A deal before the summer.",
        "- Key point reworded: Talks have slowed further.",
        "- New key point: A mediator has been proposed.",
        "- Key point dropped: Both sides blame each other.",
        "- Checklist item triggered: Walkout (watching -> triggered)",
    ]
    assert lines[10] == "BOTTOM LINE"
    html_text = squash(html.get_content())
    assert "Since 1 March 2026" in html_text
    assert html_text.index("Since 1 March 2026") < html_text.index("Bottom line")


# --- briefgen diff -----------------------------------------------------------------------


def test_diff_prints_exactly_the_changes(two_editions: Path, run: Callable[..., Result]) -> None:
    expected = [
        "Since 1 March 2026, in the edition of 8 March 2026 (the content now):",
        "",
        "The talks",
        "  - Status: steady → escalating",
        "  - Likelihood: unlikely → likely: A deal before the summer.",
        "  - Key point reworded: Talks have slowed further.",
        "      was: Talks are slow.",
        "  - New key point: A mediator has been proposed.",
        "  - Key point dropped: Both sides blame each other.",
        "  - Checklist item triggered: Walkout (watching → triggered)",
    ]
    default = run("diff", "--project", two_editions)
    assert default.code == 0, default.err
    assert default.out.splitlines() == expected
    named = run("diff", "2026-03-01", "2026-03-08", "--project", two_editions)
    assert named.out.splitlines() == expected
    backwards = run("diff", "2026-03-08", "2026-03-01", "--project", two_editions)
    assert "  - Status: escalating → steady" in backwards.out.splitlines()
    missing = run("diff", "2026-01-01", "--project", two_editions)
    assert missing.code == 1
    assert "no edition 2026-01-01; expected one of: 2026-03-01, 2026-03-08" in missing.err


def test_a_stable_id_is_used_once_per_issue(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project(
        {
            "content/issues/talks.yaml": """\
                title: The talks
                bottom_line: Talks continue.
                key_points:
                  - id: pace
                    text: Talks are slow.
                  - id: pace
                    text: Talks are slower.
                """
        }
    )
    result = run("check", root)
    assert result.code == 1
    assert result.err.startswith(
        "p/content/issues/talks.yaml:6:5: id 'pace' is already used on line 4; expected a unique id"
    )


def test_the_archive_links_work_when_served_from_a_sub_path(
    two_editions: Path, browser: Any, tmp_path: Path
) -> None:
    import functools
    import http.server
    import threading

    (tmp_path / "pub").mkdir()
    (tmp_path / "pub" / "weekly").symlink_to(two_editions / "site")
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=os.fspath(tmp_path / "pub")
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/weekly/"
    try:
        page = browser.new_page()
        page.goto(base)
        page.locator("main .changes").get_by_role("link", name="All editions").click()
        assert page.url == base + "editions/index.html"
        page.get_by_role("link", name="1 March 2026").click()
        assert page.url == base + "editions/2026-03-01/index.html"
        assert page.locator("h1").text_content() == "Edition of 1 March 2026"
        page.get_by_role("link", name="Editions", exact=True).click()
        page.get_by_role("link", name="PDF briefing").first.click()
        assert page.url == base + "briefing.pdf"
        page.close()
    finally:
        server.shutdown()
        server.server_close()
