"""Finding cited quotes in rendered article text, and highlighting them.

A quote is matched against what a reader sees: the text of the rendered HTML,
as whole words, ignoring differences of white space, curly versus straight
quotes, and dash variants. Working on the rendered HTML lets the same index both
check a quote and wrap it in <mark>, even when it spans emphasis or links.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-", "\u00a0": " ", "\u202f": " ",
    }
)  # fmt: skip
_BLOCK_TAGS = re.compile(r"</?(p|li|h[1-6]|br|blockquote|ul|ol|pre|tr|td|th|hr|div)\b", re.I)
_TOKEN = re.compile(r"<[^>]*>|&[#a-zA-Z0-9]+;|[^<&]", re.S)
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u2fdf\u3040-\u30ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff]"
)  # Thai, Lao, Myanmar, Khmer, Chinese, Japanese kana


def normalize(text: str) -> str:
    """Fold quotes, dashes and runs of white space the way quote matching does."""
    return " ".join(text.translate(_FOLD).split())


@dataclass(frozen=True, slots=True)
class TextIndex:
    """The reader-visible text of an HTML fragment, folded, with a map back to HTML."""

    text: str
    spans: tuple[tuple[int, int] | None, ...]
    """For each character of text, its (start, end) in the HTML; None for a block gap."""

    @classmethod
    def of(cls, fragment: str) -> TextIndex:
        return _index_of(fragment)

    @classmethod
    def _build(cls, fragment: str) -> TextIndex:
        chars: list[str] = []
        spans: list[tuple[int, int] | None] = []
        for match in _TOKEN.finditer(fragment):
            token = match.group()
            if token.startswith("<"):
                if _BLOCK_TAGS.match(token):
                    chars.append(" ")
                    spans.append(None)
                continue
            char = html.unescape(token) if token.startswith("&") else token
            chars.append(char.translate(_FOLD))
            spans.append(match.span())
        text, kept = _collapse_space(chars, spans)
        return cls(text, kept)

    def find(self, quote: str) -> tuple[int, int] | None:
        """Where quote first occurs as whole words, or None: 'ninety da' is not in 'ninety days'."""
        needle = normalize(quote)
        if not needle:
            return None
        start = self.text.find(needle)
        while start >= 0:
            end = start + len(needle)
            if not _splits_word(self.text, start) and not _splits_word(self.text, end):
                return start, end
            start = self.text.find(needle, start + 1)
        return None


def _splits_word(text: str, at: int) -> bool:
    """Whether offset at falls between two letters or digits of one word."""
    return 0 < at < len(text) and _in_words(text[at - 1]) and _in_words(text[at])


def _in_words(char: str) -> bool:
    # Chinese, Japanese, Thai and the like put no spaces between words: no boundary to check.
    return char.isalnum() and not _UNSPACED.match(char)


@lru_cache(maxsize=4096)
def _index_of(fragment: str) -> TextIndex:
    # check and render both need the index of every quoted article: build it once.
    return TextIndex._build(fragment)


def _collapse_space(
    chars: list[str], spans: list[tuple[int, int] | None]
) -> tuple[str, tuple[tuple[int, int] | None, ...]]:
    out_chars: list[str] = []
    out_spans: list[tuple[int, int] | None] = []
    for char, span in zip(chars, spans, strict=True):
        if char.isspace():
            if not out_chars or out_chars[-1] == " ":
                continue
            char = " "
        out_chars.append(char)
        out_spans.append(span)
    while out_chars and out_chars[-1] == " ":
        out_chars.pop()
        out_spans.pop()
    return "".join(out_chars), tuple(out_spans)


def highlight(fragment: str, quotes: list[tuple[str, str]]) -> str:
    """Wrap each (anchor id, quote) found in fragment in <mark>; the first piece gets the id.

    A quote that crosses tags is marked piece by piece so the HTML stays well formed.
    """
    if not quotes:
        return fragment
    index = TextIndex.of(fragment)
    inserts: list[tuple[int, int, str]] = []  # (html offset, order, text)
    for anchor, quote in quotes:
        found = index.find(quote)
        if found is None:
            continue
        runs = _html_runs(index, *found)
        for n, (start, end) in enumerate(runs):
            opening = f'<mark id="{anchor}">' if n == 0 else "<mark>"
            inserts.append((start, 1, opening))
            inserts.append((end, 0, "</mark>"))
    if not inserts:
        return fragment
    inserts.sort(key=lambda item: (item[0], item[1]))
    pieces: list[str] = []
    last = 0
    for offset, _order, text in inserts:
        pieces.append(fragment[last:offset])
        pieces.append(text)
        last = offset
    pieces.append(fragment[last:])
    return "".join(pieces)


def _html_runs(index: TextIndex, start: int, end: int) -> list[tuple[int, int]]:
    """Split a text range into HTML ranges that hold no tag."""
    runs: list[tuple[int, int]] = []
    for span in index.spans[start:end]:
        if span is None:
            continue
        if runs and runs[-1][1] == span[0]:
            runs[-1] = (runs[-1][0], span[1])
        else:
            runs.append(span)
    return runs
