"""briefgen.mail.smtp against real SMTP servers on loopback (aiosmtpd), plain and TLS.

Certificates come from trustme at test time: a throwaway CA, so no key is committed.
The servers here also serve the end-to-end tests in test_email.py.
"""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from briefgen.mail import EmailFailed, Server, check_server, parse_host_port, send
from briefgen.mail.smtp import Security

USER, PASSWORD = "analyst", "correct horse battery"


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


def make_tls(folder: Path) -> Tls:
    """A throwaway CA in folder and a server certificate for 127.0.0.1, made by trustme."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(os.fspath(ca_file))
    return Tls(ca_file, context)


@dataclass
class Smtp:
    handler: Handler
    port: int

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@contextmanager
def smtp_servers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Smtp]]:
    """Start aiosmtpd servers on loopback, with no SMTP settings in the environment."""
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

    try:
        yield start
    finally:
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


# --- the layer on its own ---------------------------------------------------------------


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Smtp]]:
    with smtp_servers(monkeypatch) as start:
        yield start


def note() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "desk@example.org"
    message["Subject"] = "A note"
    message.set_content("Hello.\n")
    return message


def test_send_reports_accepted_and_refused(smtp_server: Callable[..., Smtp]) -> None:
    smtp = smtp_server(Handler(refuse=("gone@example.com",)))
    server = Server("127.0.0.1", smtp.port)
    sent = send(note(), "desk@example.org", ["jane@example.com", "gone@example.com"], server)
    assert sent.accepted == ("jane@example.com",)
    assert sent.refused == (("gone@example.com", "550 5.1.1 No such user here"),)
    [received] = smtp.handler.messages
    assert received.rcpt_tos == ["jane@example.com"]
    assert not received.tls


def test_password_is_asked_only_when_logging_in(smtp_server: Callable[..., Smtp], tls: Tls) -> None:
    asked: list[str] = []

    def password() -> str:
        asked.append("asked")
        return PASSWORD

    smtp = starttls_server(smtp_server, tls)
    server = Server("127.0.0.1", smtp.port, "starttls", user=USER, cafile=tls.ca_file)
    sent = send(note(), "desk@example.org", ["jane@example.com"], server, password)
    assert sent.accepted == ("jane@example.com",)
    assert asked == ["asked"]
    [received] = smtp.handler.messages
    assert received.tls
    assert received.login == USER.encode()


@pytest.mark.parametrize(
    ("host", "security", "allowed"),
    [
        ("localhost", "plain", True),
        ("127.0.0.1", "plain", True),
        ("::1", "plain", True),
        ("192.0.2.1", "plain", False),
        ("mail.example.org", "plain", False),
        ("mail.example.org", "starttls", True),
        ("mail.example.org", "ssl", True),
    ],
)
def test_a_password_goes_in_clear_text_only_to_loopback(
    host: str, security: Security, allowed: bool
) -> None:
    server = Server(host, 25, security, user=USER)
    if allowed:
        check_server(server)
    else:
        with pytest.raises(EmailFailed, match="--user needs --starttls or --ssl"):
            check_server(server)


def test_server_names_ipv6_hosts_in_brackets() -> None:
    assert str(Server("::1", 25)) == "[::1]:25"
    assert str(Server("mail.example.org", 587)) == "mail.example.org:587"


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
    assert parse_host_port(text) == expected
