"""The briefing as an email, in layers: addresses, then the message, then SMTP.

briefing_message() is the one entry point that runs the pipeline: it prepares the
project once, renders the email before the build writes anything, builds what is
out of date and composes the message with the PDF attached. Nothing here prints or
reads the terminal; every failure a user can cause is an EmailFailed with a one-line
message, or a BuildFailed pointing into briefing.yaml or a template.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

from briefgen import build as pipeline
from briefgen.errors import display_path
from briefgen.mail.addresses import Recipients, check_header_text, parse_address, parse_addresses
from briefgen.mail.compose import Headers, compose, describe, render_bodies, resolve_headers
from briefgen.mail.compose import summary_lines as _summary_lines
from briefgen.mail.each import Outcome
from briefgen.mail.errors import EmailFailed
from briefgen.mail.smtp import (
    DEFAULT_PORTS,
    PasswordSource,
    Server,
    check_server,
    parse_host_port,
    send,
)

__all__ = [
    "DEFAULT_PORTS",
    "Delivery",
    "EmailFailed",
    "Outcome",
    "PasswordSource",
    "Recipients",
    "Server",
    "briefing_message",
    "check_header_text",
    "check_server",
    "describe",
    "parse_address",
    "parse_addresses",
    "parse_host_port",
    "send",
]


@dataclass(frozen=True, slots=True)
class Delivery:
    """A composed briefing email, ready to send or write."""

    message: EmailMessage
    headers: Headers
    pdf_name: str
    pdf_size: int
    edition: str
    """The edition date (ISO), or 'undated': what the send log records."""

    def summary_lines(self) -> list[str]:
        """What --dry-run shows: the headers that matter, the attachment and the size."""
        return _summary_lines(self.message, self.pdf_name, self.pdf_size)


def briefing_message(
    project_dir: Path,
    recipients: Recipients,
    sender: Address | None = None,
    subject: str | None = None,
) -> Delivery:
    """Build what is out of date and compose the briefing email with its PDF.

    sender and subject override email.from and email.subject in briefing.yaml.
    """
    prepared = pipeline.prepare(project_dir)
    headers = resolve_headers(prepared.briefing.settings, sender, subject)
    # Rendered before building, so a template error leaves the output untouched.
    bodies = render_bodies(
        prepared.briefing, prepared.theme.env, headers, prepared.editions.changes
    )
    report = pipeline.build(project_dir, prepared=prepared, use_manifest=True)
    pdf_path = report.out_dir / prepared.briefing.settings.pdf.filename
    try:
        pdf = pdf_path.read_bytes()
    except OSError as exc:
        raise EmailFailed(f"cannot read the PDF {display_path(pdf_path)}: {exc}") from None
    message = compose(headers, recipients, bodies, pdf, pdf_path.name)
    edition = prepared.briefing.settings.edition
    label = edition.isoformat() if edition else "undated"
    return Delivery(message, headers, pdf_path.name, len(pdf), label)
