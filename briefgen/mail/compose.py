"""The message: From and Subject, the bodies from the theme's email templates, the PDF.

Errors in briefing.yaml or a template are BuildFailed diagnostics pointing at the
line; errors in flags are EmailFailed.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid
from functools import partial
from html.parser import HTMLParser

import jinja2

from briefgen import markdown, urls
from briefgen.changes import Changes
from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.index import top_watch_items
from briefgen.mail.addresses import Recipients, check_header_text, parse_address
from briefgen.mail.errors import EmailFailed
from briefgen.model import Briefing, Settings
from briefgen.theme import template_diagnostic
from briefgen.words import long_date

HTML_TEMPLATE = "email.html"
TEXT_TEMPLATE = "email.txt"
TEXT_WIDTH = 72

# --- From and Subject -------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_DANGLING = " \t—–-:|·,"


@dataclass(frozen=True, slots=True)
class Headers:
    sender: Address
    subject: str


def format_subject(template: str, title: str, edition: dt.date | None, lang: str = "en") -> str:
    """Fill in {title} and {edition} (a date in lang); '{{' and '}}' are literal braces."""
    values = {"title": title, "edition": long_date(edition, lang)}

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


def resolve_headers(settings: Settings, sender: Address | None, subject: str | None) -> Headers:
    """From and Subject: the flags when given, else briefing.yaml (errors point at the line)."""
    email = settings.email

    def failed(pos: SourcePos | None, message: str) -> BuildFailed:
        return BuildFailed([Diagnostic(pos or settings.pos, message)])

    if sender is None:
        if email.sender is None:
            raise failed(
                email.sender_pos,
                "no sender: set email.from in briefing.yaml "
                "(e.g. 'Analysis desk <desk@example.org>') or pass --from",
            )
        try:
            sender = parse_address(email.sender, "email.from")
        except EmailFailed as exc:
            raise failed(email.sender_pos, str(exc)) from None
    try:
        check_header_text(settings.title, "title")
    except EmailFailed as exc:
        raise failed(settings.title_pos, str(exc)) from None
    try:
        what = "--subject" if subject is not None else "email.subject"
        template = subject if subject is not None else email.subject
        check_header_text(template, what)
        text = format_subject(template, settings.title, settings.edition, settings.lang)
        check_header_text(text, f"the subject made from {what}")
    except EmailFailed as exc:
        if subject is not None:
            raise
        raise failed(email.subject_pos, str(exc)) from None
    if not text:
        raise EmailFailed("the subject is empty")
    return Headers(sender, text)


# --- plain text -------------------------------------------------------------------------

_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr")


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
        if tag in _BLOCKS:
            self._flush()
            if tag == "li":
                self.prefix = "- "
        elif tag == "br":
            self.current.append(" ")
        elif tag == "a":
            self.hrefs.append(dict(attrs).get("href"))
            self.link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
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


# --- the bodies -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bodies:
    html: str
    """The HTML body, from the theme's email.html."""
    text: str
    """The plain-text alternative, from email.txt."""


def render_bodies(
    briefing: Briefing,
    env: jinja2.Environment,
    headers: Headers,
    changes: Changes | None = None,
) -> Bodies:
    """The HTML body and its plain-text alternative, from the theme's email templates."""
    base = briefing.settings.base_url
    context = {
        "briefing": briefing,
        "settings": briefing.settings,
        "issues": briefing.issues,
        "top_watch": top_watch_items(briefing),
        "site_url": base,
        "absolute": partial(urls.absolute, base),
        "urls": urls,
        "pdf_name": briefing.settings.pdf.filename,
        "subject": headers.subject,
        "sender": headers.sender,
        "changes": changes,
    }
    # An overlay with its own filter table: adding to env.filters would change the
    # environment the site build shares (overlays copy attributes shallowly).
    text_env = env.overlay(autoescape=False, cache_size=0)
    text_env.filters = {
        **env.filters,
        "plain": plain,
        "plain_first_sentence": plain_first_sentence,
    }
    # The HTML body loads nothing: an image in the text (a tracking pixel, say) becomes
    # its alt text.
    html_env = env.overlay(cache_size=0)
    html_env.filters = {
        **env.filters,
        "md": markdown.render_markup_without_images,
        "first_sentence": markdown.first_sentence_without_images,
    }
    return Bodies(
        html=_render(html_env, HTML_TEMPLATE, context),
        text=_render(text_env, TEXT_TEMPLATE, context),
    )


def _render(env: jinja2.Environment, name: str, context: dict[str, object]) -> str:
    try:
        return env.get_template(name).render(context)
    except Exception as exc:  # any template failure is a user error in a template
        raise BuildFailed([template_diagnostic(exc)]) from None


# --- the message ------------------------------------------------------------------------


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


def describe(message: EmailMessage) -> str:
    """'12 KB' style size of the message as sent."""
    return _size(len(message.as_bytes()))


def summary_lines(message: EmailMessage, pdf_name: str, pdf_size: int) -> list[str]:
    """What --dry-run shows: the headers that matter, the attachment and the size."""
    lines = [f"{name}: {message[name]}" for name in ("From", "To", "Cc", "Bcc") if message[name]]
    lines.append(f"Subject: {message['Subject']}")
    lines.append(f"Attachment: {pdf_name} ({_size(pdf_size)})")
    lines.append(f"Size: {describe(message)}")
    return lines


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"
