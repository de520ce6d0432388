"""The briefing as an email: addresses checked, message composed, sent over SMTP.

Beside the pipeline: the command builds first, then hands this module the
prepared briefing and the PDF bytes. Nothing here prints or reads the terminal;
every failure a user can cause is an EmailFailed with a one-line message (or a
BuildFailed pointing into briefing.yaml or a template).

Log levels: info for each step of an SMTP conversation; nothing else.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import re
import smtplib
import socket
import ssl
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal

import jinja2

from briefgen import markdown, urls
from briefgen.build import Prepared
from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.index import top_watch_items
from briefgen.theme import long_date, template_diagnostic
from briefgen.yamlsrc import YMap, parse_yaml

logger = logging.getLogger(__name__)

HTML_TEMPLATE = "email.html"
TEXT_TEMPLATE = "email.txt"
TEXT_WIDTH = 72

Security = Literal["plain", "starttls", "ssl"]
PasswordSource = Callable[[], str]
"""Asked for the password only when it is needed, right before connecting."""
DEFAULT_PORTS: dict[Security, int] = {"plain": 25, "starttls": 587, "ssl": 465}


class EmailFailed(Exception):
    """A one-line reason the briefing could not be addressed, composed or sent."""


# --- addresses and header text ----------------------------------------------------------

# A dot-atom local part (no quoted local parts, no comments) and a host name with
# at least one dot: what mail servers accept without surprises, and what catches
# typos like "jane@example".
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDR_SPEC = re.compile(rf"({_LOCAL})@((?:{_LABEL}\.)+{_LABEL})")
_NAME_ADDR = re.compile(r"(?P<name>[^<>]*?)\s*<(?P<addr>[^<>]*)>")


def check_header_text(text: str, what: str) -> None:
    """Refuse line breaks and other control characters: they would start new headers."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            raise EmailFailed(
                f"{what} contains a line break or control character ({char!r}); "
                "refused, as it could inject mail headers"
            )


def parse_addresses(values: Iterable[str], what: str) -> tuple[Address, ...]:
    """Parse each value as one or more comma-separated addresses, strictly."""
    found: list[Address] = []
    for value in values:
        check_header_text(value, what)
        parts = _split_list(value)
        if not any(p.strip() for p in parts):
            raise EmailFailed(f"{what}: empty address")
        found.extend(_parse_one(part.strip(), what) for part in parts)
    return tuple(found)


def parse_address(value: str, what: str) -> Address:
    """Exactly one address, as for From."""
    found = parse_addresses([value], what)
    if len(found) != 1:
        raise EmailFailed(f"{what}: expected one address, found {len(found)}")
    return found[0]


def _split_list(value: str) -> list[str]:
    """Split on commas outside quoted names and angle brackets."""
    parts: list[str] = []
    current: list[str] = []
    quoted = bracketed = escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"' and not bracketed:
            quoted = not quoted
        elif char == "<" and not quoted:
            bracketed = True
        elif char == ">" and not quoted:
            bracketed = False
        elif char == "," and not quoted and not bracketed:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _parse_one(text: str, what: str) -> Address:
    expected = "expected name@example.org or 'Name <name@example.org>'"
    match = _NAME_ADDR.fullmatch(text)
    if match:
        name, addr = _unquote(match["name"].strip()), match["addr"].strip()
    else:
        name, addr = "", text
    spec = _ADDR_SPEC.fullmatch(addr)
    if spec is None:
        if not addr.isascii():
            raise EmailFailed(
                f"{what}: '{text}' is not a plain ASCII address; write the domain in its xn-- form"
            )
        raise EmailFailed(f"{what}: '{text}' is not a valid email address; {expected}")
    if '"' in name or "\\" in name:
        raise EmailFailed(f"{what}: '{text}' has an unbalanced quote in its name; {expected}")
    return Address(display_name=name, username=spec[1], domain=spec[2])


def _unquote(name: str) -> str:
    if len(name) >= 2 and name.startswith('"') and name.endswith('"'):
        return re.sub(r"\\(.)", r"\1", name[1:-1])
    return name


# --- From and Subject -------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_DANGLING = " \t—–-:|·,"


def format_subject(template: str, title: str, edition: dt.date | None) -> str:
    """Fill in {title} and {edition}; '{{' and '}}' are literal braces."""
    values = {"title": title, "edition": long_date(edition)}

    def fill(match: re.Match[str]) -> str:
        if match[0] in ("{{", "}}"):
            return match[0][0]
        name = match[1]
        if name not in values:
            raise EmailFailed(
                f"unknown placeholder '{{{name}}}' in the subject; "
                "expected {title} or {edition} (write '{{' for a literal brace)"
            )
        return values[name]

    subject = " ".join(_PLACEHOLDER.sub(fill, template).split())
    if edition is None and "{edition}" in template:
        subject = subject.strip(_DANGLING)  # "Title — " when there is no edition
    return subject


@dataclass(frozen=True, slots=True)
class Headers:
    sender: Address
    subject: str


def resolve_headers(prepared: Prepared, sender: str | None, subject: str | None) -> Headers:
    """From and Subject: the flags when given, else briefing.yaml (errors point at the line)."""
    settings = prepared.briefing.settings
    settings_file = prepared.project.settings_file

    def at(key: str) -> SourcePos:
        return _email_setting_pos(settings_file, key) or settings.pos

    if sender is not None:
        from_addr = parse_address(sender, "--from")
    elif settings.email.sender is None:
        raise BuildFailed(
            [
                Diagnostic(
                    at("from"),
                    "no sender: set email.from in briefing.yaml "
                    "(e.g. 'Analysis desk <desk@example.org>') or pass --from",
                )
            ]
        )
    else:
        try:
            from_addr = parse_address(settings.email.sender, "email.from")
        except EmailFailed as failed:
            raise BuildFailed([Diagnostic(at("from"), str(failed))]) from None
    try:
        what = "--subject" if subject is not None else "email.subject"
        template = subject if subject is not None else settings.email.subject
        check_header_text(template, what)
        text = format_subject(template, settings.title, settings.edition)
        check_header_text(text, f"the subject made from {what}")
    except EmailFailed as failed:
        if subject is not None:
            raise
        raise BuildFailed([Diagnostic(at("subject"), str(failed))]) from None
    if not text:
        raise EmailFailed("the subject is empty")
    return Headers(from_addr, text)


def _email_setting_pos(settings_file: Path, key: str) -> SourcePos | None:
    """Where email.<key> is written in briefing.yaml, for precise error positions."""
    try:
        node = parse_yaml(settings_file.read_text(encoding="utf-8"), settings_file, [])
    except (OSError, UnicodeDecodeError):
        return None
    email = node.values.get("email") if isinstance(node, YMap) else None
    if not isinstance(email, YMap):
        return None
    value = email.values.get(key)
    return value.pos if value is not None else email.pos


# --- the bodies -------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    """Rendered Markdown HTML to plain text: paragraphs, list items, link targets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.hrefs: list[str | None] = []
        self.link_text: list[str] = []
        self.prefix = ""

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(self.prefix + text)
        self.current = []
        self.prefix = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr"):
            self._flush()
            if tag == "li":
                self.prefix = "- "
        elif tag == "br":
            self.current.append(" ")
        elif tag == "a":
            self.hrefs.append(dict(attrs).get("href"))
            self.link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr"):
            self._flush()
        elif tag == "a" and self.hrefs:
            href = self.hrefs.pop()
            shown = "".join(self.link_text).strip()
            external = href is not None and re.match(r"(https?|mailto):", href) is not None
            if external and href is not None and href.removeprefix("mailto:") != shown:
                self.current.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        self.current.append(data)
        if self.hrefs:
            self.link_text.append(data)

    def text_blocks(self) -> list[str]:
        self._flush()
        return self.blocks


def html_to_text(fragment: str) -> list[str]:
    """The blocks of an HTML fragment as plain text, one string per paragraph or item."""
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    return parser.text_blocks()


def plain(text: str, width: int = TEXT_WIDTH) -> str:
    """Markdown to plain text, wrapped; list items keep a hanging indent."""
    out = []
    for block in html_to_text(markdown.render_block(text)):
        indent = "  " if block.startswith("- ") else ""
        out.append(
            textwrap.fill(
                block,
                width,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n\n".join(out)


def plain_first_sentence(text: str) -> str:
    """The first sentence of a Markdown paragraph as one line of plain text."""
    return " ".join(html_to_text(markdown.first_sentence(text)))


@dataclass(frozen=True, slots=True)
class Bodies:
    html: str
    """The HTML body, from the theme's email.html."""
    text: str
    """The plain-text alternative, from email.txt."""


def render_bodies(prepared: Prepared, headers: Headers) -> Bodies:
    """The HTML body and its plain-text alternative, from the theme's email templates."""
    briefing = prepared.briefing
    base = briefing.settings.base_url

    def absolute(target: str) -> str | None:
        return base + target.removesuffix("index.html") if base else None

    context = {
        "briefing": briefing,
        "settings": briefing.settings,
        "issues": briefing.issues,
        "top_watch": top_watch_items(briefing),
        "site_url": base,
        "absolute": absolute,
        "urls": urls,
        "pdf_name": briefing.settings.pdf.filename,
        "subject": headers.subject,
        "sender": headers.sender,
    }
    # An overlay with its own filter table: adding to env.filters would change the
    # environment the site build shares (overlays copy attributes shallowly).
    text_env = prepared.theme.env.overlay(autoescape=False, cache_size=0)
    text_env.filters = {
        **prepared.theme.env.filters,
        "plain": plain,
        "plain_first_sentence": plain_first_sentence,
    }
    return Bodies(
        html=_render(prepared.theme.env, HTML_TEMPLATE, context),
        text=_render(text_env, TEXT_TEMPLATE, context),
    )


def _render(env: jinja2.Environment, name: str, context: dict[str, object]) -> str:
    try:
        return env.get_template(name).render(context)
    except Exception as exc:  # any template failure is a user error in a template
        raise BuildFailed([template_diagnostic(exc)]) from None


# --- the message ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recipients:
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()

    def envelope(self) -> tuple[str, ...]:
        """Every address once, in the order given: To, then Cc, then Bcc."""
        return tuple(dict.fromkeys(a.addr_spec for a in (*self.to, *self.cc, *self.bcc)))


def compose(
    headers: Headers,
    recipients: Recipients,
    bodies: Bodies,
    pdf: bytes,
    pdf_name: str,
    now: dt.datetime | None = None,
) -> EmailMessage:
    """The whole message: text and HTML alternatives, and the PDF attached.

    Bcc stays in the message (a .eml is a draft for a mail client); smtplib
    removes it from what goes over the wire.
    """
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = headers.sender
    if recipients.to:
        message["To"] = recipients.to
    if recipients.cc:
        message["Cc"] = recipients.cc
    if recipients.bcc:
        message["Bcc"] = recipients.bcc
    message["Subject"] = headers.subject
    message["Date"] = format_datetime(now or dt.datetime.now().astimezone())
    message["Message-ID"] = make_msgid(domain=headers.sender.domain)
    # Quoted-printable keeps the message 7-bit clean: no reliance on 8BITMIME relays.
    message.set_content(bodies.text, cte="quoted-printable")
    message.add_alternative(bodies.html, subtype="html", cte="quoted-printable")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
    return message


# --- sending ----------------------------------------------------------------------------


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


def describe(message: EmailMessage) -> str:
    """'12 KB' style size of the message as sent."""
    return _size(len(message.as_bytes()))


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


def summary_lines(message: EmailMessage, pdf_name: str, pdf_size: int) -> list[str]:
    """What --dry-run shows: the headers that matter, the attachment and the size."""
    lines = [f"{name}: {message[name]}" for name in ("From", "To", "Cc", "Bcc") if message[name]]
    lines.append(f"Subject: {message['Subject']}")
    lines.append(f"Attachment: {pdf_name} ({_size(pdf_size)})")
    lines.append(f"Size: {describe(message)}")
    return lines
