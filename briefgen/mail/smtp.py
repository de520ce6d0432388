"""Sending over SMTP: the server, TLS, login, and exactly which recipients were refused.

Log levels: info for each step of an SMTP conversation; nothing else.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Literal

from briefgen.mail.errors import EmailFailed

logger = logging.getLogger(__name__)

Security = Literal["plain", "starttls", "ssl"]
PasswordSource = Callable[[], str]
"""Asked for the password only when it is needed, right before connecting."""
DEFAULT_PORTS: dict[Security, int] = {"plain": 25, "starttls": 587, "ssl": 465}


@dataclass(frozen=True, slots=True)
class Server:
    host: str
    port: int
    security: Security = "plain"
    user: str | None = None
    cafile: Path | None = None
    """Trust only the certificate authorities in this file; None: the system store."""
    timeout: float = 30.0

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def parse_host_port(text: str) -> tuple[str, int | None]:
    """'HOST', 'HOST:PORT', '[IPv6]' or '[IPv6]:PORT'; raise ValueError when malformed."""
    match = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\](?::(\d+))?|([^\s:\[\]/]+)(?::(\d+))?", text)
    if match is None:
        raise ValueError(f"'{text}' is not HOST or HOST:PORT")
    host = match[1] or match[3]
    port_text = match[2] or match[4]
    port = int(port_text) if port_text else None
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"port {port} is out of range 1-65535")
    return host, port


@dataclass(frozen=True, slots=True)
class SendReport:
    accepted: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]
    """Each refused address with the server's reply."""


def check_server(server: Server) -> None:
    """Refuse settings that would leak the password, before any connection is made."""
    if server.user is not None and server.security == "plain" and not server.is_loopback:
        raise EmailFailed(
            f"--user needs --starttls or --ssl: refusing to send a password unencrypted to {server}"
        )
    if server.cafile is not None and not server.cafile.is_file():
        raise EmailFailed(f"CA file {server.cafile} not found")


def send(
    message: EmailMessage,
    envelope_from: str,
    recipients: Sequence[str],
    server: Server,
    password: PasswordSource | None = None,
) -> SendReport:
    """Send over SMTP; report exactly which recipients the server accepted.

    password is called only when server.user is set, before connecting.
    """
    check_server(server)
    secret = password() if server.user is not None and password is not None else None
    if server.user is not None and secret is None:
        raise EmailFailed("no password given for --user")
    client = _connect(server)
    try:
        _secure_and_login(client, server, secret)
        try:
            logger.info("sending to %d recipients", len(recipients))
            refused = client.send_message(message, envelope_from, list(recipients))
        except smtplib.SMTPRecipientsRefused as exc:
            raise EmailFailed(
                f"nothing sent: every recipient was refused: {_refusals(exc.recipients)}"
            ) from None
        except smtplib.SMTPSenderRefused as exc:
            raise EmailFailed(
                f"nothing sent: {server} refused the sender {envelope_from}: "
                f"{_reply(exc.smtp_code, exc.smtp_error)}"
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise EmailFailed(
                f"nothing sent: {server} refused the message: "
                f"{_reply(exc.smtp_code, exc.smtp_error)}"
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            # The server may or may not have taken the message: claim neither.
            raise EmailFailed(
                f"sending failed, delivery unknown: connection to {server} lost: {_why(exc)}"
            ) from None
    finally:
        _close(client)
    accepted = tuple(r for r in recipients if r not in refused)
    return SendReport(accepted, tuple((r, _reply(*refused[r])) for r in recipients if r in refused))


def tls_context(cafile: Path | None) -> ssl.SSLContext:
    """Verify the server's certificate and host name: system store, or only cafile."""
    try:
        return ssl.create_default_context(cafile=str(cafile) if cafile else None)
    except (OSError, ssl.SSLError) as exc:
        raise EmailFailed(f"cannot read CA file {cafile}: {_why(exc)}") from None


def _connect(server: Server) -> smtplib.SMTP:
    logger.info("connecting to %s (%s)", server, server.security)
    try:
        if server.security == "ssl":
            return smtplib.SMTP_SSL(
                server.host, server.port, timeout=server.timeout, context=tls_context(server.cafile)
            )
        return smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    except ssl.SSLError as exc:
        raise EmailFailed(_tls_failure(server, exc)) from None
    except socket.gaierror:
        raise EmailFailed(f"cannot reach SMTP server {server}: unknown host") from None
    except TimeoutError:
        raise EmailFailed(
            f"cannot reach SMTP server {server}: no answer in {server.timeout:g} s"
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise EmailFailed(
            f"SMTP server {server} refused the connection: {_reply(exc.smtp_code, exc.smtp_error)}"
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise EmailFailed(f"cannot reach SMTP server {server}: {_why(exc)}") from None


def _secure_and_login(client: smtplib.SMTP, server: Server, password: str | None) -> None:
    try:
        client.ehlo()
        if server.security == "starttls":
            if not client.has_extn("starttls"):
                raise EmailFailed(f"SMTP server {server} does not offer STARTTLS")
            client.starttls(context=tls_context(server.cafile))
            client.ehlo()
        if server.user is not None and password is not None:
            logger.info("logging in as %s", server.user)
            client.login(server.user, password)
    except ssl.SSLError as exc:
        raise EmailFailed(_tls_failure(server, exc)) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise EmailFailed(
            f"authentication failed for user '{server.user}' at {server}: "
            f"{_reply(exc.smtp_code, exc.smtp_error)}"
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise EmailFailed(
            f"SMTP server {server} does not offer login (AUTH) on this connection"
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise EmailFailed(
            f"SMTP server {server} refused: {_reply(exc.smtp_code, exc.smtp_error)}"
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise EmailFailed(f"connection to {server} failed: {_why(exc)}") from None


def _tls_failure(server: Server, exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        hint = "" if server.cafile else " (for a private CA, pass --cafile)"
        reason = f"certificate verify failed: {exc.verify_message}" if exc.verify_message else exc
        return f"TLS failure with {server}: {reason}{hint}"
    return f"TLS failure with {server}: {exc.reason or exc}"


def _close(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(f"{code} {text}".split())


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{addr} ({_reply(code, text)})" for addr, (code, text) in refused.items())


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
