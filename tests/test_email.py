"""`briefgen email` end to end: the command against real SMTP servers on loopback.

The servers (aiosmtpd, with trustme certificates) come from test_mail_smtp.py. Every
message a server receives is parsed with the email package and checked part by part;
the PDF attachment must be byte for byte the PDF the build wrote.
"""

from __future__ import annotations

import email
import email.policy
import os
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

import briefgen.load
from briefgen.cli import main
from briefgen.load import Loaded
from briefgen.project import Project

from .conftest import Result
from .test_mail_smtp import (
    PASSWORD,
    USER,
    Handler,
    Smtp,
    Tls,
    check_login,
    free_port,
    make_tls,
    smtp_servers,
    starttls_server,
)

SENDER = "Analysis desk <desk@example.org>"
BASE_URL = "https://briefs.example.org/weekly/"
PDF_NAME = "weekly-brief.pdf"


# --- a built project --------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `briefgen init` project with email settings, built once with its PDF."""
    root = tmp_path_factory.mktemp("email") / "project"
    assert main(["init", os.fspath(root)]) == 0
    settings = root / "content" / "briefing.yaml"
    text = settings.read_text(encoding="utf-8").replace("briefing.pdf", PDF_NAME)
    text += f"base_url: {BASE_URL}\nemail:\n  from: {SENDER}\n"
    text += "  subject: 'Brief: {title}, {edition}'\n"
    settings.write_text(text, encoding="utf-8")
    assert main(["build", os.fspath(root)]) == 0
    assert (root / "site" / PDF_NAME).is_file()
    return root


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Smtp]]:
    with smtp_servers(monkeypatch) as start:
        yield start


def one_line_error(result: Result) -> str:
    """The single line a failure prints: no traceback, nothing sent or shown as sent."""
    assert result.code == 1, result
    assert "Traceback" not in result.err
    assert "sent '" not in result.out
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("briefgen: ")
    return lines[0]


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


# --- the message ------------------------------------------------------------------------


def check_message(message: EmailMessage, pdf: bytes) -> None:
    """The parts, the headers and the content of a briefing email."""
    assert message["From"] == SENDER
    assert message["Subject"] == "Brief: My briefing, 15 January 2026"
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Message-ID"].startswith("<")
    assert message["Message-ID"].endswith("@example.org>")

    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]

    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == PDF_NAME
    assert attachment.get_content() == pdf

    html = message.get_body(("html",))
    text = message.get_body(("plain",))
    assert html is not None and text is not None
    html_body, text_body = html.get_content(), text.get_content()
    for body in (html_body, text_body):
        assert "My briefing" in body
        assert "15 January 2026" in body
        assert "the overall bottom line a busy reader needs" in body  # briefing summary
        assert "The interim arrangement" in body  # the issue ...
        assert "steady" in body  # ... its status ...
        assert "The arrangement was extended for ninety days." in body  # ... its first sentence
        assert "Both sides want to avoid" not in body  # and only the first
        assert "Start of the joint review" in body  # top checklist item
        assert "14 April 2026" in body
        assert BASE_URL in body
        assert f"{BASE_URL}issues/example/" in body
        assert PDF_NAME in body
    # Mail clients drop <style> and linked CSS, and many block images.
    assert 'style="' in html_body
    for tag in ("<style", "<link", "<img", "<script"):
        assert tag not in html_body
    assert "<" not in text_body


# --- sending ----------------------------------------------------------------------------


def test_send_plain(
    built: Path, smtp_server: Callable[..., Smtp], run: Callable[..., Result]
) -> None:
    smtp = smtp_server()
    result = run(
        "email", built, "--smtp", smtp.address,
        "--to", "Jane Doe <jane@example.com>", "--to", "bob@example.com",
        "--cc", "carol@example.net, bob@example.com", "--bcc", "hidden@example.net",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.err == ""
    assert "sent 'Brief: My briefing, 15 January 2026' to jane@example.com, bob@example.com" in (
        result.out
    )
    [received] = smtp.handler.messages
    assert received.mail_from == "desk@example.org"
    assert received.rcpt_tos == [
        "jane@example.com",
        "bob@example.com",
        "carol@example.net",
        "hidden@example.net",
    ]
    message = parse(received.data)
    check_message(message, (built / "site" / PDF_NAME).read_bytes())
    assert message["To"] == "Jane Doe <jane@example.com>, bob@example.com"
    assert message["Cc"] == "carol@example.net, bob@example.com"
    assert message["Bcc"] is None  # Bcc recipients stay hidden
    assert "hidden@example.net" not in received.data.decode("ascii")


def test_send_starttls_with_login(
    built: Path,
    smtp_server: Callable[..., Smtp],
    tls: Tls,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp = starttls_server(smtp_server, tls)
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("BRIEFGEN_SMTP_CAFILE", os.fspath(tls.ca_file))
    result = run(
        "email", built, "--to", "jane@example.com",
        "--smtp", smtp.address, "--starttls", "--user", USER,
    )  # fmt: skip
    assert result.code == 0, result.err
    [received] = smtp.handler.messages
    assert received.tls
    assert received.login == USER.encode()
    check_message(parse(received.data), (built / "site" / PDF_NAME).read_bytes())
    assert PASSWORD not in result.out + result.err


def test_send_implicit_tls_with_cafile_flag(
    built: Path,
    smtp_server: Callable[..., Smtp],
    tls: Tls,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Implicit TLS: aiosmtpd only knows TLS it started itself, so AUTH may not demand it.
    smtp = smtp_server(
        ssl_context=tls.server_context, authenticator=check_login, auth_require_tls=False
    )
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
    result = run(
        "email", built, "--to", "jane@example.com", "--smtp", smtp.address,
        "--ssl", "--cafile", tls.ca_file, "--user", USER,
    )  # fmt: skip
    assert result.code == 0, result.err
    [received] = smtp.handler.messages
    assert received.login == USER.encode()
    check_message(parse(received.data), (built / "site" / PDF_NAME).read_bytes())


def test_flags_override_from_and_subject(
    built: Path, smtp_server: Callable[..., Smtp], run: Callable[..., Result]
) -> None:
    smtp = smtp_server()
    result = run(
        "email", built, "--smtp", smtp.address, "--to", "jane@example.com",
        "--from", "Night desk <night@example.net>",
        "--subject", "{{Weekly}} {title} ({edition})",
    )  # fmt: skip
    assert result.code == 0, result.err
    [received] = smtp.handler.messages
    message = parse(received.data)
    assert received.mail_from == "night@example.net"
    assert message["From"] == "Night desk <night@example.net>"
    assert message["Subject"] == "{Weekly} My briefing (15 January 2026)"
    assert message["Message-ID"].endswith("@example.net>")


def test_some_recipients_refused(
    built: Path, smtp_server: Callable[..., Smtp], run: Callable[..., Result]
) -> None:
    smtp = smtp_server(Handler(refuse=("nobody@example.com", "gone@example.com")))
    result = run(
        "email", built, "--smtp", smtp.address,
        "--to", "jane@example.com, nobody@example.com", "--cc", "gone@example.com",
        "--bcc", "hidden@example.net",
    )  # fmt: skip
    line = one_line_error(result)
    assert "sent only to jane@example.com, hidden@example.net;" in line
    assert "refused nobody@example.com (550 5.1.1 No such user here)" in line
    assert "gone@example.com (550 5.1.1 No such user here)" in line
    [received] = smtp.handler.messages
    assert received.rcpt_tos == ["jane@example.com", "hidden@example.net"]


def test_all_recipients_refused(
    built: Path, smtp_server: Callable[..., Smtp], run: Callable[..., Result]
) -> None:
    smtp = smtp_server(Handler(refuse=("nobody@example.com",)))
    result = run("email", built, "--smtp", smtp.address, "--to", "nobody@example.com")
    line = one_line_error(result)
    assert line.startswith("briefgen: nothing sent: every recipient was refused:")
    assert "nobody@example.com (550 5.1.1 No such user here)" in line
    assert smtp.handler.messages == []


def test_unreachable_server(built: Path, run: Callable[..., Result]) -> None:
    port = free_port()  # nothing listens there once the probe socket is closed
    result = run("email", built, "--smtp", f"127.0.0.1:{port}", "--to", "jane@example.com")
    line = one_line_error(result)
    assert line == f"briefgen: cannot reach SMTP server 127.0.0.1:{port}: connection refused"


@pytest.mark.parametrize("security", ["--starttls", "--ssl"])
def test_untrusted_certificate(
    built: Path,
    smtp_server: Callable[..., Smtp],
    tls: Tls,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    security: str,
) -> None:
    if security == "--ssl":
        smtp = smtp_server(ssl_context=tls.server_context)
    else:
        smtp = starttls_server(smtp_server, tls)
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
    result = run(
        "email", built, "--to", "jane@example.com", "--smtp", smtp.address, security,
        "--user", USER,
    )  # fmt: skip
    line = one_line_error(result)
    assert line.startswith(f"briefgen: TLS failure with {smtp.address}: certificate verify failed:")
    assert "--cafile" in line
    assert smtp.handler.messages == []


def test_authentication_failure(
    built: Path,
    smtp_server: Callable[..., Smtp],
    tls: Tls,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp = starttls_server(smtp_server, tls)
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", "wrong password")
    result = run(
        "email", built, "--to", "jane@example.com", "--smtp", smtp.address, "--starttls",
        "--cafile", tls.ca_file, "--user", USER,
    )  # fmt: skip
    line = one_line_error(result)
    assert line.startswith(f"briefgen: authentication failed for user '{USER}' at {smtp.address}")
    assert "535" in line
    assert "wrong password" not in result.out + result.err
    assert smtp.handler.messages == []


def test_starttls_not_offered(
    built: Path, smtp_server: Callable[..., Smtp], run: Callable[..., Result]
) -> None:
    smtp = smtp_server()  # plain only
    result = run("email", built, "--to", "jane@example.com", "--smtp", smtp.address, "--starttls")
    line = one_line_error(result)
    assert line == f"briefgen: SMTP server {smtp.address} does not offer STARTTLS"
    assert smtp.handler.messages == []


def test_missing_ca_file(built: Path, run: Callable[..., Result], tmp_path: Path) -> None:
    result = run(
        "email", built, "--to", "jane@example.com", "--smtp", f"127.0.0.1:{free_port()}",
        "--ssl", "--cafile", tmp_path / "nope.pem",
    )  # fmt: skip
    assert "nope.pem not found" in one_line_error(result)


def test_login_needs_a_password(
    built: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No BRIEFGEN_SMTP_PASSWORD and no terminal: an error before any connection."""
    monkeypatch.delenv("BRIEFGEN_SMTP_PASSWORD", raising=False)
    result = run(
        "email", built, "--to", "jane@example.com", "--smtp", f"127.0.0.1:{free_port()}",
        "--starttls", "--user", USER,
    )  # fmt: skip
    line = one_line_error(result)
    assert "set BRIEFGEN_SMTP_PASSWORD" in line


def test_no_password_over_plain_text(built: Path, run: Callable[..., Result]) -> None:
    result = run("email", built, "--to", "jane@example.com", "--smtp", "192.0.2.1", "--user", USER)
    line = one_line_error(result)
    assert "--user needs --starttls or --ssl" in line


# --- without sending --------------------------------------------------------------------


def test_eml_file(built: Path, tmp_path: Path, run: Callable[..., Result]) -> None:
    target = tmp_path / "briefing.eml"
    result = run(
        "email", built, "--eml", target, "--to", "jane@example.com", "--bcc", "hidden@example.net"
    )
    assert result.code == 0, result.err
    assert result.out.startswith("wrote ")
    assert "sent nothing" in result.out
    message = parse(target.read_bytes())
    check_message(message, (built / "site" / PDF_NAME).read_bytes())
    assert message["To"] == "jane@example.com"
    assert message["Bcc"] == "hidden@example.net"  # a draft keeps its Bcc


def test_eml_to_stdout_without_recipients(
    built: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["email", os.fspath(built), "--eml", "-"]) == 0
    message = parse(capsysbinary.readouterr().out)
    check_message(message, (built / "site" / PDF_NAME).read_bytes())
    assert message["To"] is None


def test_dry_run(built: Path, run: Callable[..., Result]) -> None:
    result = run(
        "email", built, "--dry-run", "--to", "Jane Doe <jane@example.com>",
        "--cc", "carol@example.net", "--bcc", "hidden@example.net",
        "--smtp", f"127.0.0.1:{free_port()}",
    )  # fmt: skip
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert "From: Analysis desk <desk@example.org>" in lines
    assert "To: Jane Doe <jane@example.com>" in lines
    assert "Cc: carol@example.net" in lines
    assert "Bcc: hidden@example.net" in lines
    assert "Subject: Brief: My briefing, 15 January 2026" in lines
    pdf_kb = (built / "site" / PDF_NAME).stat().st_size / 1024
    assert f"Attachment: {PDF_NAME} ({pdf_kb:.0f} KB)" in lines
    assert any(line.startswith("Size: ") and line.endswith(" KB") for line in lines)
    assert lines[-1].startswith("would send to 3 recipients via 127.0.0.1:")
    assert lines[-1].endswith("sent nothing")


def test_builds_what_is_out_of_date(
    tmp_path: Path, smtp_server: Callable[..., Smtp], run: Callable[..., Result]
) -> None:
    root = tmp_path / "fresh"
    assert main(["init", os.fspath(root)]) == 0
    smtp = smtp_server()
    result = run(
        "email", root, "--smtp", smtp.address, "--to", "jane@example.com", "--from", SENDER
    )
    assert result.code == 0, result.err
    pdf = (root / "site" / "briefing.pdf").read_bytes()
    [received] = smtp.handler.messages
    [attachment] = parse(received.data).iter_attachments()
    assert attachment.get_filename() == "briefing.pdf"
    assert attachment.get_content() == pdf


def test_prepares_the_project_once(
    tmp_path: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Headers, bodies and the build share one prepared project: one load of it."""
    root = tmp_path / "fresh"
    assert main(["init", os.fspath(root)]) == 0  # not built: the build has work to do
    loads: list[Path] = []
    real_load = briefgen.load.load

    # prepare() imports load when it runs, so this counts every prepare, however reached.
    def counting_load(project: Project, *args: Any, **kwargs: Any) -> Loaded:
        loads.append(project.root)
        return real_load(project, *args, **kwargs)

    monkeypatch.setattr(briefgen.load, "load", counting_load)
    target = tmp_path / "briefing.eml"
    result = run("email", root, "--eml", target, "--from", SENDER, "--to", "jane@example.com")
    assert result.code == 0, result.err
    assert loads == [root.absolute()]
    pdf = (root / "site" / "briefing.pdf").read_bytes()
    message = parse(target.read_bytes())
    assert message["From"] == SENDER
    assert message["To"] == "jane@example.com"
    [attachment] = message.iter_attachments()
    assert attachment.get_content() == pdf
    text = message.get_body(("plain",))
    assert text is not None and "The interim arrangement" in text.get_content()


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--to", "not-an-address"),
        ("--to", "jane@example"),
        ("--to", "jane doe@example.com"),
        ("--to", "@example.com"),
        ("--to", "jane@"),
        ("--to", "Jane <jane@example.com"),
        ("--to", "jané@example.com"),
        ("--to", "jane@example.com,,bob@example.com"),
        ("--cc", "jane@@example.com"),
        ("--bcc", "jane@example..com"),
        ("--from", "desk"),
        ("--from", "a@example.com, b@example.com"),
    ],
)
def test_invalid_address(built: Path, run: Callable[..., Result], flag: str, value: str) -> None:
    args = ["email", built, "--dry-run", flag, value]
    if flag != "--to":
        args += ["--to", "jane@example.com"]
    line = one_line_error(run(*args))
    assert line.startswith(f"briefgen: {flag}: ")


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--to", "jane@example.com\r\nBcc: spy@example.net"),
        ("--to", "Jane\n <jane@example.com>"),
        ("--cc", "jane@example.com\nSubject: spam"),
        ("--bcc", "jane@example.com\x00"),
        ("--from", "desk@example.org\r\nReply-To: spy@example.net"),
        ("--subject", "Briefing\r\nBcc: spy@example.net"),
        ("--subject", "Briefing\u2028Bcc: spy@example.net"),
        # RFC 2047 encoded words: Python 3.11.7 (no fix for CVE-2024-6923) would decode
        # them into a line break on the wire
        ("--subject", "=?utf-8?q?Briefing=0D=0ABcc:_spy@example.net?="),
        ("--subject", "Briefing =?utf-8?b?DQpCY2M6IHNweUBleGFtcGxlLm5ldA==?="),
        ("--from", '"=?utf-8?q?Desk=0ABcc:_spy@example.net?=" <desk@example.org>'),
        ("--to", "=?utf-8?q?Jane=0ABcc:_spy@example.net?= <jane@example.com>"),
    ],
)
def test_header_injection_in_flags(
    built: Path, smtp_server: Callable[..., Smtp], run: Callable[..., Result], flag: str, value: str
) -> None:
    smtp = smtp_server()
    args = ["email", built, "--smtp", smtp.address, flag, value]
    if flag != "--to":
        args += ["--to", "jane@example.com"]
    line = one_line_error(run(*args))
    assert line.startswith(f"briefgen: {flag} contains a line break or control character")
    assert smtp.handler.messages == []


@pytest.mark.parametrize(
    ("email_yaml", "line", "message"),
    [
        (
            '  from: "desk@example.org\\r\\nBcc: spy@example.net"\n',
            5,
            "email.from contains a line break",
        ),
        (
            '  from: desk@example.org\n  subject: "Brief\\nBcc: spy@example.net"\n',
            6,
            "email.subject contains a line break",
        ),
        ("  from: desk at example.org\n", 5, "email.from: 'desk at example.org' is not a valid"),
        (
            '  from: "=?utf-8?q?Desk=0ABcc:_spy@example.net?= <desk@example.org>"\n',
            5,
            "email.from contains a line break or control character ('\\n') in the encoded word",
        ),
        (
            '  subject: "=?utf-8?q?Brief=0ABcc:_spy@example.net?="\n  from: desk@example.org\n',
            5,
            "email.subject contains a line break or control character ('\\n') in the encoded",
        ),
        (
            "  from: desk@example.org\n  subject: '{title} {date}'\n",
            6,
            "unknown placeholder '{date}' in the subject",
        ),
    ],
)
def test_bad_email_settings_point_at_briefing_yaml(
    project: Callable[..., Path],
    chdir_tmp: Path,
    run: Callable[..., Result],
    email_yaml: str,
    line: int,
    message: str,
) -> None:
    root = project()
    settings = root / "content" / "briefing.yaml"
    with settings.open("a", encoding="utf-8") as f:
        f.write("email:\n" + email_yaml)
    result = run("email", root, "--dry-run", "--to", "jane@example.com")
    assert result.code == 1
    assert "Traceback" not in result.err
    first = result.err.splitlines()[0]
    assert first.startswith(f"p/content/briefing.yaml:{line}:")  # the line of the bad value
    assert message in first
    assert not (root / "site").exists()  # failed before building


def test_missing_sender_names_briefing_yaml(
    project: Callable[..., Path], chdir_tmp: Path, run: Callable[..., Result]
) -> None:
    result = run("email", project(), "--dry-run", "--to", "jane@example.com")
    assert result.code == 1
    first = result.err.splitlines()[0]
    assert first.startswith("p/content/briefing.yaml:")
    assert "set email.from in briefing.yaml" in first
    assert "--from" in first


@pytest.mark.parametrize(
    "args",
    [
        [],  # no --to, and neither --eml nor --dry-run
        ["--dry-run"],  # a dry run shows whom it would send to: it needs recipients too
        ["--dry-run", "--cc", "jane@example.com"],
        ["--to", "jane@example.com", "--starttls", "--ssl"],
        ["--to", "jane@example.com", "--smtp", "mail.example.org:99999"],
        ["--to", "jane@example.com", "--smtp", "mail example.org"],
        ["--to", "jane@example.com", "--eml", "x.eml", "--dry-run"],
        ["--to", "jane@example.com", "--timeout", "soon"],
    ],
)
def test_usage_errors(built: Path, run: Callable[..., Result], args: list[str]) -> None:
    result = run("email", built, *args)
    assert result.code == 2
    assert "usage:" in result.err


# --- the templates ----------------------------------------------------------------------


def test_template_error_points_at_the_template(
    project: Callable[..., Path], chdir_tmp: Path, run: Callable[..., Result]
) -> None:
    root = project(
        {
            "content/briefing.yaml": "title: T\nemail:\n  from: desk@example.org\n",
            "templates/email.html": "<p>{{ settings.no_such_field }}</p>\n",
        }
    )
    result = run("email", root, "--dry-run", "--to", "jane@example.com")
    assert result.code == 1
    assert result.err.startswith("p/templates/email.html:1:1: template error:")
    assert not (root / "site").exists()  # failed before building


def test_project_after_the_recipients(built: Path, run: Callable[..., Result]) -> None:
    """`--to A B PROJECT`: the natural order works; the folder is not read as an address."""
    result = run(
        "email", "--dry-run", "--to", "jane@example.com", "Bob <bob@example.net>", built,
        "--smtp", f"127.0.0.1:{free_port()}",
    )  # fmt: skip
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert "To: jane@example.com, Bob <bob@example.net>" in lines
    assert "Subject: Brief: My briefing, 15 January 2026" in lines  # the project's settings
    assert lines[-1].startswith("would send to 2 recipients")


def test_project_given_twice_shows_the_order(built: Path, run: Callable[..., Result]) -> None:
    result = run("email", built, "--dry-run", "--to", "jane@example.com", built)
    assert result.code == 2
    assert f"'{built}' is a folder, not an address" in result.err
    assert "briefgen email PROJECT --to ADDR [ADDR ...]" in result.err
    assert "Traceback" not in result.err
