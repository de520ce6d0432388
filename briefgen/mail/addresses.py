"""Addresses and header text from flags and briefing.yaml, parsed strictly."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.headerregistry import Address

from briefgen.mail.errors import EmailFailed

# A dot-atom local part (no quoted local parts, no comments) and a host name with
# at least one dot: what mail servers accept without surprises, and what catches
# typos like "jane@example".
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDR_SPEC = re.compile(rf"({_LOCAL})@((?:{_LABEL}\.)+{_LABEL})")
_NAME_ADDR = re.compile(r"(?P<name>[^<>]*?)\s*<(?P<addr>[^<>]*)>")
_EXPECTED = "expected name@example.org or 'Name <name@example.org>'"


@dataclass(frozen=True, slots=True)
class Recipients:
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()

    def envelope(self) -> tuple[str, ...]:
        """Every address once, in the order given: To, then Cc, then Bcc."""
        return tuple(dict.fromkeys(a.addr_spec for a in (*self.to, *self.cc, *self.bcc)))


def check_header_text(text: str, what: str) -> None:
    """Refuse line breaks and other control characters: they would start new headers.

    So too in RFC 2047 encoded words (=?utf-8?q?...?=): Python's email package decodes
    them when it folds a header, and before the fix for CVE-2024-6923 (3.11.7, for one)
    writes a decoded line break as is. This check does not depend on the patch level.
    """
    _refuse_controls(text, what, "")
    for word in _ENCODED_WORD.findall(text):
        try:
            decoded = str(make_header(decode_header(word)))
        except (HeaderParseError, LookupError, UnicodeError, ValueError):
            raise EmailFailed(
                f"{what} contains a malformed encoded word '{word}'; write the text itself"
            ) from None
        _refuse_controls(decoded, what, f" in the encoded word '{word}'")


_ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[^?\s]*\?[^?\s]*\?=")


def _refuse_controls(text: str, what: str, where: str) -> None:
    for char in text:
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            raise EmailFailed(
                f"{what} contains a line break or control character ({char!r}){where}; "
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
        raise EmailFailed(f"{what}: '{text}' is not a valid email address; {_EXPECTED}")
    if '"' in name or "\\" in name:
        raise EmailFailed(f"{what}: '{text}' has an unbalanced quote in its name; {_EXPECTED}")
    return Address(display_name=name, username=spec[1], domain=spec[2])


def _unquote(name: str) -> str:
    if len(name) >= 2 and name.startswith('"') and name.endswith('"'):
        return re.sub(r"\\(.)", r"\1", name[1:-1])
    return name
