"""briefgen.mail.compose: headers, the bodies from the theme's templates, the message."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from email.headerregistry import Address
from pathlib import Path

import pytest

from briefgen.build import Prepared, prepare
from briefgen.errors import BuildFailed
from briefgen.mail import EmailFailed, Recipients, parse_address, parse_addresses
from briefgen.mail.compose import (
    Bodies,
    Headers,
    compose,
    format_subject,
    plain,
    plain_first_sentence,
    render_bodies,
    resolve_headers,
    summary_lines,
)

HOSTILE = {
    "content/briefing.yaml": """\
        title: "Q&A <script>alert(1)</script>"
        edition: 2026-03-01
        summary: "Talks <b>stall</b> & resume."
        email:
          from: desk@example.org
        """,
}


def bodies_of(prepared: Prepared) -> Bodies:
    headers = resolve_headers(prepared.briefing.settings, None, None)
    return render_bodies(prepared.briefing, prepared.theme.env, headers)


# --- From and Subject -------------------------------------------------------------------


def test_default_subject_without_edition() -> None:
    assert format_subject("{title} — {edition}", "Weekly", None) == "Weekly"


def test_subject_placeholders_and_literal_braces() -> None:
    subject = format_subject("{{Weekly}} {title} ({edition})", "T", dt.date(2026, 1, 15))
    assert subject == "{Weekly} T (15 January 2026)"
    with pytest.raises(EmailFailed, match=re.escape("unknown placeholder '{date}'")):
        format_subject("{date}", "T", None)


def test_flags_win_over_briefing_yaml(project: Callable[..., Path]) -> None:
    settings = prepare(project(HOSTILE)).briefing.settings
    night = Address("Night desk", "night", "example.net")
    headers = resolve_headers(settings, night, "{title}!")
    assert headers == Headers(night, "Q&A <script>alert(1)</script>!")


def test_bad_subject_flag_is_an_email_failure(project: Callable[..., Path]) -> None:
    settings = prepare(project(HOSTILE)).briefing.settings
    with pytest.raises(EmailFailed, match="^" + re.escape("unknown placeholder '{date}'")):
        resolve_headers(settings, None, "{date}")


@pytest.mark.parametrize(
    ("email_yaml", "line", "col", "message"),
    [
        ("email:\n  from: desk at example.org\n", 4, 9, "email.from: 'desk at example.org'"),
        ("email:\n  from: d@example.org\n  subject: '{x}'\n", 5, 12, "placeholder '{x}'"),
        ("email:\n  subject: Hi\n", 4, 3, "no sender: set email.from"),
        ("", 1, 1, "no sender: set email.from"),
    ],
)
def test_settings_errors_point_at_briefing_yaml(
    project: Callable[..., Path], email_yaml: str, line: int, col: int, message: str
) -> None:
    root = project({"content/briefing.yaml": "title: T\nedition: 2026-03-01\n" + email_yaml})
    settings = prepare(root).briefing.settings
    with pytest.raises(BuildFailed) as failed:
        resolve_headers(settings, None, None)
    [diagnostic] = failed.value.diagnostics
    assert diagnostic.pos.path == root / "content" / "briefing.yaml"
    assert (diagnostic.pos.line, diagnostic.pos.col) == (line, col)
    assert message in diagnostic.message


# --- the bodies -------------------------------------------------------------------------


def test_user_text_is_escaped_in_html_and_raw_in_text(project: Callable[..., Path]) -> None:
    prepared = prepare(project(HOSTILE))
    headers = resolve_headers(prepared.briefing.settings, None, None)
    assert headers.subject == "Q&A <script>alert(1)</script> — 1 March 2026"
    bodies = render_bodies(prepared.briefing, prepared.theme.env, headers)
    html, text = bodies.html, bodies.text
    assert "<script>" not in html
    assert "<b>" not in html
    assert "Q&amp;A &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Talks &lt;b&gt;stall&lt;/b&gt; &amp; resume." in html
    assert "Q&A <script>alert(1)</script>" in text
    assert "Talks <b>stall</b> & resume." in text
    assert "&amp;" not in text
    assert "http" not in html + text  # no base_url: no links to a site


def test_project_templates_override_the_email(project: Callable[..., Path]) -> None:
    root = project(
        {
            "content/briefing.yaml": "title: T\nemail:\n  from: desk@example.org\n",
            "templates/email.txt": "Custom text for {{ settings.title }} & co\n",
        }
    )
    bodies = bodies_of(prepare(root))
    assert bodies.text == "Custom text for T & co\n"
    assert "<!DOCTYPE html>" in bodies.html  # the built-in HTML template still applies


def test_the_text_filters_stay_out_of_the_site_environment(project: Callable[..., Path]) -> None:
    prepared = prepare(project(HOSTILE))
    bodies_of(prepared)
    assert "plain" not in prepared.theme.env.filters
    assert prepared.theme.env.autoescape


def test_absolute_links_follow_base_url(project: Callable[..., Path]) -> None:
    yaml = "title: T\nbase_url: https://b.example.org/w/\nemail:\n  from: d@example.org\n"
    root = project(
        {
            "content/briefing.yaml": yaml,
            "templates/email.txt": "{{ absolute(urls.issue_page('talks')) }}\n",
        }
    )
    assert bodies_of(prepare(root)).text == "https://b.example.org/w/issues/talks/\n"


def test_plain_text_from_markdown() -> None:
    text = plain("A **bold** [link](https://example.org/a) and `code`.\n\n- one\n- two\n")
    assert text == "A bold link <https://example.org/a> and code.\n\n- one\n\n- two"
    first = plain_first_sentence("First *one*. Second one.")
    assert first == "First one."


# --- the message ------------------------------------------------------------------------


def test_compose_keeps_bcc_in_the_draft_and_attaches_the_pdf() -> None:
    headers = Headers(parse_address("Desk <desk@example.org>", "--from"), "Brief")
    recipients = Recipients(
        to=parse_addresses(["jane@example.com"], "--to"),
        bcc=parse_addresses(["hidden@example.net"], "--bcc"),
    )
    now = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    message = compose(headers, recipients, Bodies("<p>hi</p>", "hi\n"), b"%PDF-1.7", "b.pdf", now)
    assert message["From"] == "Desk <desk@example.org>"
    assert message["To"] == "jane@example.com"
    assert message["Cc"] is None
    assert message["Bcc"] == "hidden@example.net"
    assert message["Date"] == "Sun, 01 Mar 2026 09:30:00 +0000"
    assert message["Message-ID"].endswith("@example.org>")
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "b.pdf"
    assert attachment.get_content() == b"%PDF-1.7"
    assert message.as_bytes().isascii()  # quoted-printable bodies: 7-bit clean

    lines = summary_lines(message, "b.pdf", 3000)
    assert lines[:4] == [
        "From: Desk <desk@example.org>",
        "To: jane@example.com",
        "Bcc: hidden@example.net",
        "Subject: Brief",
    ]
    assert lines[4] == "Attachment: b.pdf (3 KB)"
    assert lines[5].startswith("Size: ")
