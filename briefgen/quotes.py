"""Finding cited quotes in rendered article text, and highlighting them.

A quote is matched against what a reader sees: the text of the rendered HTML,
as whole words, ignoring differences of white space, curly versus straight
quotes, and dash variants. Working on the rendered HTML lets the same index both
check a quote and wrap it in <mark>, even when it spans emphasis or links.
"""

from __future__ import annotations

import html
import re
from array import array
from bisect import bisect_left, bisect_right
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
_TOKEN = re.compile(r"<[^>]*>|&[#a-zA-Z0-9]+;|[^<&]+", re.S)
_SPACES = re.compile(r"\s+")
_LONG_SPACES = re.compile(r"\s{2,}")
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u2fdf\u3040-\u30ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff]"
)  # Thai, Lao, Myanmar, Khmer, Chinese, Japanese kana


def normalize(text: str) -> str:
    """Fold quotes, dashes and runs of white space the way quote matching does."""
    return " ".join(text.translate(_FOLD).split())


@dataclass(frozen=True, slots=True)
class TextIndex:
    """The reader-visible text of an HTML fragment, folded, with a map back to HTML.

    The map is kept as runs, not per character, so its size grows with the number of
    tags, entities and collapsed spaces, never with the length of the text: a run
    starting at text offset starts[i] maps to the HTML from html_starts[i] on, one
    character each when widths[i] is 1; otherwise its single character came from an
    entity widths[i] long; html_starts[i] is -1 for a gap between blocks.
    """

    text: str
    starts: array[int]
    html_starts: array[int]
    widths: array[int]

    @classmethod
    def of(cls, fragment: str) -> TextIndex:
        return _index_of(fragment)

    def span(self, at: int) -> tuple[int, int] | None:
        """Where the character at text offset at comes from in the HTML; None for a gap."""
        run = bisect_right(self.starts, at) - 1
        start, width = self.html_starts[run], self.widths[run]
        if start < 0:
            return None
        if width != 1:
            return start, start + width
        offset = start + at - self.starts[run]
        return offset, offset + 1

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


class _IndexBuilder:
    """Collapses white space as it goes: a run of it becomes one space, kept at the
    place of its first character; none at the start or the end."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0
        self.ends_in_space = True  # nothing yet: leading space is dropped
        self.starts = array("q")
        self.html_starts = array("q")
        self.widths = array("q")

    def _run(self, html_start: int, width: int) -> None:
        last = len(self.starts) - 1
        if (
            width == 1
            and last >= 0
            and self.widths[last] == 1
            and self.html_starts[last] >= 0
            and self.html_starts[last] + self.length - self.starts[last] == html_start
        ):
            return  # continues the last run
        self.starts.append(self.length)
        self.html_starts.append(html_start)
        self.widths.append(width)

    def _emit(self, chars: str, html_start: int, width: int) -> None:
        self._run(html_start, width)
        self._append(chars)
        self.ends_in_space = chars[-1] == " "

    def text(self, run: str, html_start: int) -> None:
        """Plain text from the HTML (folded, no tags or entities), in one piece."""
        at = len(run) - len(run.lstrip()) if self.ends_in_space else 0
        if at == len(run):
            return
        body = run[at:]
        html_start += at
        base = self.length
        self._run(html_start, 1)
        removed = 0
        for spaces in _LONG_SPACES.finditer(body):
            # the one space kept continues the run; what follows starts a new one
            removed += spaces.end() - spaces.start() - 1
            if spaces.end() < len(body):
                self.starts.append(base + spaces.end() - removed)
                self.html_starts.append(html_start + spaces.end())
                self.widths.append(1)
        collapsed = _SPACES.sub(" ", body)
        self._append(collapsed)
        self.ends_in_space = collapsed[-1] == " "

    def _append(self, chars: str) -> None:
        self.pieces.append(chars)
        self.length += len(chars)
        if len(self.pieces) >= 4096:  # one string per thousands of small ones
            self.pieces[:] = ["".join(self.pieces)]

    def char(self, char: str, span: tuple[int, int] | None) -> None:
        """One character from an entity (span) or a gap between blocks (None)."""
        if char.isspace():
            if self.ends_in_space:
                return
            char = " "
        if span is None:
            self._emit(char, -1, 0)
        else:
            self._emit(char, span[0], span[1] - span[0])

    def index(self) -> TextIndex:
        text = "".join(self.pieces).rstrip(" ")
        kept = bisect_left(self.starts, len(text)) if text else 0
        for runs in (self.starts, self.html_starts, self.widths):
            del runs[kept:]  # in place: a copy would double the map for a moment
        return TextIndex(text, self.starts, self.html_starts, self.widths)


def _build_index(fragment: str) -> TextIndex:
    builder = _IndexBuilder()
    for match in _TOKEN.finditer(fragment):
        token = match.group()
        if token.startswith("<"):
            if _BLOCK_TAGS.match(token):
                builder.char(" ", None)
        elif token.startswith("&"):
            for char in html.unescape(token).translate(_FOLD):
                builder.char(char, match.span())
        else:
            builder.text(token.translate(_FOLD), match.start())
    return builder.index()


def _splits_word(text: str, at: int) -> bool:
    """Whether offset at falls between two letters or digits of one word."""
    return 0 < at < len(text) and _in_words(text[at - 1]) and _in_words(text[at])


def _in_words(char: str) -> bool:
    # Chinese, Japanese, Thai and the like put no spaces between words: no boundary to check.
    return char.isalnum() and not _UNSPACED.match(char)


@lru_cache(maxsize=4096)
def _index_of(fragment: str) -> TextIndex:
    # check and render both need the index of every quoted article: build it once.
    return _build_index(fragment)


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
    last: tuple[int, int] | None = None
    for at in range(start, end):
        span = index.span(at)
        if span is None or span == last:  # the characters of one entity share its span
            continue
        last = span
        if runs and runs[-1][1] == span[0]:
            runs[-1] = (runs[-1][0], span[1])
        else:
            runs.append(span)
    return runs
