"""Splitting a paragraph into sentences, not at initials or common abbreviations."""

from __future__ import annotations

import re

_BREAK = re.compile(r"[.!?][\"'”’)]*(\s+)(?=[\"“‘(]?[A-Z0-9])")
# Words that are shortened with a full stop and are followed by a name or a number, so
# the stop never ends a sentence: titles, ranks, places, months, Latin and the like.
_ABBREVIATED = """
    Mr Mrs Ms Mx Dr Prof Rev Hon Sr Jr St Sen Rep Gov Pres Amb Sec Gen Lt Col Maj Capt Cpt
    Cmdr Cdr Adm Brig Sgt Cpl Pvt Mt Ft Ave Blvd Rd Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct
    Nov Dec vs etc al cf approx Inc Ltd Co Corp Dept Univ
"""
_ABBREVIATIONS = frozenset(_ABBREVIATED.split())
# These precede a number ("No. 5", "Art. 51"); before a capital they end a sentence.
_BEFORE_NUMBERS = frozenset({"No", "Nos", "Nr", "Art", "Vol", "Fig", "Ch", "Sec", "pp", "p"})
_LAST_WORD = re.compile(r"([A-Za-z]+(?:\.[A-Za-z]+)*)\.[\"'”’)]*$")
_LOOKBACK = 24
_OPENERS = (" ", "\n", "\t", '"', "'", "“", "‘", "(")


def split_sentences(text: str) -> list[str]:
    """The sentences of text, stripped; "The U.S. President spoke." stays one sentence."""
    sentences: list[str] = []
    start = 0
    for match in _BREAK.finditer(text):
        end = match.start(1)
        if _is_abbreviation(text[max(start, end - _LOOKBACK) : end], text[match.end() :]):
            continue
        sentences.append(text[start:end])
        start = match.end()
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]


def _is_abbreviation(before: str, after: str) -> bool:
    """Whether the full stop at the end of before (quotes allowed after it) shortens a word.

    Only a few characters are looked at, so the split stays linear.
    """
    if before.rstrip("\"'”’)")[-1:] != ".":
        return False
    match = _LAST_WORD.search(before)
    if match is None or before[match.start() - 1 : match.start()] not in ("", *_OPENERS):
        return False
    word = match.group(1)
    if "." in word or len(word) == 1:  # U.S., e.g., i.e., initials such as J.
        return len(word) <= 7
    if word in _BEFORE_NUMBERS:
        return after[:1].isdigit()
    return word in _ABBREVIATIONS
