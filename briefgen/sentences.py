"""Splitting a paragraph into sentences, not at initials or common abbreviations."""

from __future__ import annotations

import re

_BREAK = re.compile(r"[.!?][\"'”’)]*(\s+)(?=[\"“‘(]?[A-Z0-9])")
# Tested only against the few characters before a break, so the split stays linear.
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|No|Jan|Feb|Aug|Sept?|Oct|Nov|Dec|"
    r"vs|etc|Inc|Ltd|Co))\.[\"'”’)]*$"
)
_LOOKBACK = 8


def split_sentences(text: str) -> list[str]:
    """The sentences of text, stripped; "The U.S. President spoke." stays one sentence."""
    sentences: list[str] = []
    start = 0
    for match in _BREAK.finditer(text):
        end = match.start(1)
        if _ABBREVIATION.search(text[max(start, end - _LOOKBACK) : end]):
            continue
        sentences.append(text[start:end])
        start = match.end()
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]
