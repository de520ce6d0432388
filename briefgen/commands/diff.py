"""briefgen diff [OLD [NEW]] [--project DIR]"""

from __future__ import annotations

import argparse
import datetime as dt
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen.commands import examples

if TYPE_CHECKING:
    from briefgen.changes import Change, Changes, Editions
    from briefgen.snapshot import Snapshot

WIDTH = 88


EXAMPLES = examples(
    ("briefgen diff", "what changed since the last edition"),
    ("briefgen diff 2026-01-15 2026-02-01", "between two recorded editions"),
    ("briefgen diff --project ~/briefings/china", "for another project"),
)


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "diff",
        help="what changed between two editions (default: the last one and the content now)",
        description=(
            "Print what changed between two editions: statuses, likelihood and confidence, "
            "key points, positions, checklist items and sources. OLD and NEW are edition "
            "dates (YYYY-MM-DD) recorded in content/editions/; NEW defaults to the content "
            "as it is now, OLD to the edition before it."
        ),
    )
    parser.add_argument(
        "old",
        nargs="?",
        type=_date,
        metavar="OLD",
        help="the earlier edition (default: the one before NEW)",
    )
    parser.add_argument(
        "new",
        nargs="?",
        type=_date,
        metavar="NEW",
        help="the later edition (default: the content now)",
    )
    parser.add_argument(
        "--project",
        type=Path,
        default=Path("."),
        help="the briefing project folder (default: the current folder)",
    )
    parser.set_defaults(run=run)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def run(args: argparse.Namespace) -> int:
    from briefgen.build import prepare
    from briefgen.changes import compare
    from briefgen.errors import BuildFailed, Diagnostic, SourcePos

    prepared = prepare(args.project)
    editions = prepared.editions
    current = editions.current.snapshot if editions.current is not None else None
    new = _pick(editions, args.new) if args.new else current
    if new is None:
        where = SourcePos(prepared.briefing.settings.pos.path)
        raise BuildFailed([Diagnostic(where, _missing(editions, args.new))])
    if args.old is not None:
        old = _pick(editions, args.old)
        if old is None:
            raise BuildFailed([Diagnostic(SourcePos(args.project), _missing(editions, args.old))])
    else:
        earlier = [e.snapshot for e in editions.entries if e.date < new.edition]
        old = earlier[0] if earlier else None
    lang = prepared.briefing.settings.lang
    for line in format_changes(compare(old, new), new is current, lang):
        print(line)
    return 0


def _pick(editions: Editions, date: dt.date) -> Snapshot | None:
    edition = editions.get(date)
    return edition.snapshot if edition is not None else None


def _missing(editions: Editions, date: dt.date | None) -> str:
    known = ", ".join(e.date.isoformat() for e in reversed(editions.entries)) or "none"
    if date is None:
        return "the briefing has no 'edition' date; expected one to compare with, or give NEW"
    return f"no edition {date.isoformat()}; expected one of: {known}"


def format_changes(changes: Changes, is_current: bool, lang: str = "en") -> list[str]:
    """The changes as terminal lines, wrapped, one group per issue."""
    from briefgen.words import long_date as date_in

    def long_date(date: dt.date) -> str:
        return date_in(date, lang)

    now = " (the content now)" if is_current else ""
    if changes.previous is None:
        return [
            f"Edition of {long_date(changes.edition)}{now}: the first edition; nothing to compare."
        ]
    lines = [
        f"Since {long_date(changes.previous)}, in the edition of {long_date(changes.edition)}{now}:"
    ]
    if changes.empty:
        return [*lines, "", "No changes."]
    for group in changes.issues:
        lines += ["", group.title]
        for change in group.changes:
            lines += _wrap(describe(change), "  - ", "    ")
            if change.reworded and change.old:
                lines += _wrap("was: " + _plain(change.old), "      ", "      ")
    if changes.sources:
        lines += ["", "New sources"]
        for change in changes.sources:
            lines += _wrap(change.text, "  - ", "    ")
    return lines


def describe(change: Change) -> str:
    """One change in words: its label, what moved from what to what, and its subject."""
    if change.kind == "status":
        return f"{change.label}: {change.old or 'no status'} → {change.new or 'no status'}"
    if change.kind in ("likelihood", "confidence"):
        return (
            f"{change.label}: {change.old or 'none'} → {change.new or 'none'}: "
            f"{_plain(change.text)}"
        )
    if change.moved:
        return f"{change.label}: {change.text} ({change.old} → {change.new})"
    if change.kind == "bottom-line":
        return change.label
    return f"{change.label}: {_plain(change.text)}"


def _plain(markdown_text: str) -> str:
    from briefgen.mail.compose import plain

    return " ".join(plain(markdown_text, width=10_000).split())


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    ) or [first.rstrip()]
