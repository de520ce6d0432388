"""`briefgen email` against real SMTP servers on loopback (aiosmtpd), plain and TLS.

Certificates come from trustme at test time: a throwaway CA, so no key is committed.
Every message a server receives is parsed with the email package and checked part
by part; the PDF attachment must be byte for byte the PDF the build wrote.
"""

from __future__ import annotations

import email
import email.policy
import os
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from briefgen import mail
from briefgen.build import prepare
from briefgen.cli import main

from .conftest import Result

SENDER = "Analysis desk <desk@example.org>"
BASE_URL = "https://briefs.example.org/weekly/"
PDF_NAME = "weekly-brief.pdf"
USER, PASSWORD = "analyst", "correct horse battery"


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


# --- real SMTP servers ------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool
    login: bytes | None


@dataclass
class Handler:
    """Records each message; refuses RCPT TO for the addresses in `refuse`."""

    refuse: tuple[str, ...] = ()
    messages: list[Received] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        self.messages.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.original_content,
                session.ssl is not None,
                login,
            )
        )
        return "250 Message accepted for delivery"


def check_login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    # handled=False: let aiosmtpd send the 235 or 535 reply itself.
    return AuthResult(success=ok, handled=False, auth_data=data)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Tls:
    ca_file: Path
    server_context: ssl.SSLContext


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    """A throwaway CA and a server certificate for 127.0.0.1, made by trustme."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_file = tmp_path_factory.mktemp("tls") / "ca.pem"
    ca.cert_pem.write_to_path(os.fspath(ca_file))
    return Tls(ca_file, context)


@dataclass
class Smtp:
    handler: Handler
    port: int

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Smtp]]:
    """Start aiosmtpd servers on loopback; stop them after the test."""
    for name in ("BRIEFGEN_SMTP_PASSWORD", "BRIEFGEN_SMTP_CAFILE"):
        monkeypatch.delenv(name, raising=False)
    controllers: list[Controller] = []

    def start(handler: Handler | None = None, **kwargs: Any) -> Smtp:
        handler = handler or Handler()
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        controllers.append(controller)
        return Smtp(handler, port)

    yield start
    for controller in controllers:
        controller.stop()


def starttls_server(start: Callable[..., Smtp], tls: Tls, handler: Handler | None = None) -> Smtp:
    """STARTTLS required, and AUTH required (offered only after STARTTLS)."""
    return start(
        handler,
        tls_context=tls.server_context,
        require_starttls=True,
        authenticator=check_login,
        auth_required=True,
    )


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

HOSTILE = {
    "content/briefing.yaml": """\
        title: "Q&A <script>alert(1)</script>"
        edition: 2026-03-01
        summary: "Talks <b>stall</b> & resume."
        email:
          from: desk@example.org
        """,
}


def test_user_text_is_escaped_in_html_and_raw_in_text(project: Callable[..., Path]) -> None:
    prepared = prepare(project(HOSTILE))
    headers = mail.resolve_headers(prepared, None, None)
    assert headers.subject == "Q&A <script>alert(1)</script> — 1 March 2026"
    bodies = mail.render_bodies(prepared, headers)
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
    prepared = prepare(root)
    bodies = mail.render_bodies(prepared, mail.resolve_headers(prepared, None, None))
    assert bodies.text == "Custom text for T & co\n"
    assert "<!DOCTYPE html>" in bodies.html  # the built-in HTML template still applies


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


def test_plain_text_from_markdown() -> None:
    text = mail.plain("A **bold** [link](https://example.org/a) and `code`.\n\n- one\n- two\n")
    assert text == "A bold link <https://example.org/a> and code.\n\n- one\n\n- two"
    first = mail.plain_first_sentence("First *one*. Second one.")
    assert first == "First one."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("jane@example.com", [("", "jane@example.com")]),
        ("Jane Doe <jane@example.com>", [("Jane Doe", "jane@example.com")]),
        ('"Doe, Jane" <jane@example.com>, bob@example.org', [
            ("Doe, Jane", "jane@example.com"), ("", "bob@example.org"),
        ]),
        ("<jane.doe+brief@mail.example.co.uk>", [("", "jane.doe+brief@mail.example.co.uk")]),
        ("Zoë Ørsted <zoe@example.com>", [("Zoë Ørsted", "zoe@example.com")]),
    ],
)  # fmt: skip
def test_parse_addresses(value: str, expected: list[tuple[str, str]]) -> None:
    found = mail.parse_addresses([value], "--to")
    assert [(a.display_name, a.addr_spec) for a in found] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail.example.org", ("mail.example.org", None)),
        ("mail.example.org:2525", ("mail.example.org", 2525)),
        ("[::1]:25", ("::1", 25)),
        ("127.0.0.1", ("127.0.0.1", None)),
    ],
)
def test_parse_host_port(text: str, expected: tuple[str, int | None]) -> None:
    assert mail.parse_host_port(text) == expected


def test_default_subject_without_edition() -> None:
    assert mail.format_subject("{title} — {edition}", "Weekly", None) == "Weekly"
