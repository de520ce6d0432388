"""briefgen.mail.addresses: strict address parsing, and header text that cannot inject."""

from __future__ import annotations

import pytest

from briefgen.mail import EmailFailed, Recipients, check_header_text, parse_address, parse_addresses


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
    found = parse_addresses([value], "--to")
    assert [(a.display_name, a.addr_spec) for a in found] == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("jane@example", "is not a valid email address"),
        ("jané@example.com", "is not a plain ASCII address"),
        ("jane@example.com,,bob@example.com", "is not a valid email address"),
        (" , ", "empty address"),
        ("Jane <jane@example.com", "is not a valid email address"),
        ('"Jane <jane@example.com>', "has an unbalanced quote in its name"),
    ],
)
def test_invalid_addresses_name_the_flag(value: str, message: str) -> None:
    with pytest.raises(EmailFailed, match=f"^--cc: .*{message}"):
        parse_addresses([value], "--cc")


def test_parse_address_wants_exactly_one() -> None:
    assert parse_address("Desk <desk@example.org>", "--from").addr_spec == "desk@example.org"
    with pytest.raises(EmailFailed, match=r"^--from: expected one address, found 2$"):
        parse_address("a@example.com, b@example.com", "--from")


@pytest.mark.parametrize("text", ["a\r\nBcc: x", "a\nb", "a\x00", "a\u2028b", "a\u2029b", "a\tb"])
def test_header_text_refuses_line_breaks_and_controls(text: str) -> None:
    with pytest.raises(EmailFailed, match=r"^--subject contains a line break or control"):
        check_header_text(text, "--subject")


def test_header_text_allows_ordinary_text() -> None:
    check_header_text("Brief: Zoë’s «weekly» — 1 March", "--subject")


def test_envelope_lists_each_address_once_in_order() -> None:
    recipients = Recipients(
        to=parse_addresses(["Jane <jane@example.com>, bob@example.com"], "--to"),
        cc=parse_addresses(["bob@example.com"], "--cc"),
        bcc=parse_addresses(["hidden@example.net"], "--bcc"),
    )
    assert recipients.envelope() == ("jane@example.com", "bob@example.com", "hidden@example.net")
