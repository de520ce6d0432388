"""Turning a raw clipping, pasted from a web page, into a title and clean Markdown.

Clippings are one paragraph per line (or hard-wrapped, from e-mail), with the page's
chrome mixed in: photo credits, breadcrumbs, share and sign-in prompts, "Also read"
links. The clean-up drops the chrome and the headline, finds the structure
(headings, lists, glued question-and-answer runs) and otherwise keeps every sentence
verbatim, escaped so that Markdown shows it as written.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date

from briefgen.chromerules import LANGUAGES
from briefgen.quotes import normalize
from briefgen.sentences import split_sentences


@dataclass(frozen=True, slots=True)
class RemovedLine:
    line: int
    """1-based line number in the text given to clean_clipping."""
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Clipping:
    title: str | None
    markdown: str
    removed: tuple[RemovedLine, ...]
    author: str | None = None
    source: str | None = None
    published: date | None = None
    title_inferred: str | None = None
    """Where the title was taken from ("first line", "first sentence") when the page did
    not mark one; None when it did or the title was given."""


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    text: str
    """White space collapsed, control characters removed."""
    indented: bool
    blank_before: bool


# --- site chrome ---------------------------------------------------------------------

_LOWER, _UPPER = "a-zß-öø-ÿ", "A-ZÀ-ÖØ-Þ"
# A short line: no sentence ends in it or at its end (initials like "A. B." may).
_SHORT = (
    rf"(?!.*[{_LOWER}]{{2}}[.!?]\s+[{_UPPER}][{_LOWER}])(?!.*[{_LOWER}]{{2}}\.$)(?!.{{151}})\S.*$"
)
_CHROME_REASONS = [reason for lang in LANGUAGES.values() for reason, _pattern in lang.lines]
# One pattern for all of them, a group for each: one match per line, not one per rule.
_CHROME = re.compile(
    "|".join(
        f"(?P<r{index}>^(?:{pattern.replace('{short}', _SHORT)})$)"
        for index, pattern in enumerate(
            pattern for lang in LANGUAGES.values() for _reason, pattern in lang.lines
        )
    ),
    re.I,
)
_BREADCRUMB_SEP = re.compile(r"\s+[>›»]\s+")
_BREADCRUMB_HOME = re.compile(
    "^(?:" + "|".join(w for lang in LANGUAGES.values() for w in lang.home_words) + r")\s*[>›»/]",
    re.I,
)
_KICKERS = frozenset().union(*(language.section_labels for language in LANGUAGES.values()))
"""Section labels ("Opinion") that pages print above the headline."""


def chrome_reason(line: str) -> str | None:
    """Why line is page chrome ("photo credit"), or None when it is not."""
    match = _CHROME.match(line)
    if match is not None and match.lastgroup is not None:
        return _CHROME_REASONS[int(match.lastgroup[1:])]
    if _breadcrumb_items(line):
        return "breadcrumb"
    return None


def _breadcrumb_items(line: str) -> list[str]:
    """The items of a breadcrumb line ("Home > Section > Headline"), or []."""
    parts = [p.strip() for p in _BREADCRUMB_SEP.split(line)]
    if len(parts) < 2 or any(not p or len(p) > 120 or p.endswith(".") for p in parts):
        return []
    if _BREADCRUMB_HOME.match(line) or (
        len(parts) >= 3 and all(len(p.split()) <= 12 for p in parts)
    ):
        return parts
    return []


# --- lines -------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\ufeff]")


def _lines(text: str) -> list[_Line]:
    """The non-empty lines, numbered as an editor numbers them."""
    lines: list[_Line] = []
    blank = True
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(raw_lines, start=1):
        # str.split() also splits at form feeds, \x85 and \u2028: they become spaces.
        cleaned = " ".join(_CONTROL.sub("", raw.replace("\t", " ")).split())
        if not cleaned:
            blank = True
            continue
        lines.append(_Line(number, cleaned, raw[:1] in (" ", "\t"), blank))
        blank = False
    return lines


# --- titles ------------------------------------------------------------------------------


def _same(a: str, b: str) -> bool:
    return normalize(a).casefold() == normalize(b).casefold()


def _shorter_form(line: str, title: str) -> bool:
    """Whether line is the start of a longer headline, as a page's H1 often is of its
    fuller SEO title."""
    return len(line.split()) >= 4 and normalize(title).casefold().startswith(
        normalize(line).casefold() + " "
    )


def _is_title_like(line: str) -> bool:
    return (
        len(line) <= 150
        and len(line.split()) <= 22
        and not line.endswith(".")
        and any(c.isalnum() for c in line)
    )


def _clean_title(sentence: str) -> str:
    return sentence.removesuffix(".").strip()


_CERTAIN, _FIRST_LINE, _FIRST_SENTENCE = "certain", "first line", "first sentence"
_TITLE_MIN, _TITLE_MAX, _TITLE_LIMIT = 40, 110, 150
"""An inferred title longer than _TITLE_MAX characters is cut at a clause boundary
between _TITLE_MIN and _TITLE_MAX characters, else at the first one before
_TITLE_LIMIT, else after a whole word."""
_CLAUSE_END = re.compile(r"(?:[,;:]|\s[–—]|\s-)(?=\s)")


def _find_title(kept: list[_Line], crumbs: list[str]) -> tuple[str | None, str]:
    """The best headline and how it was found: "certain" when the page marks it as one
    beyond doubt, else "first line" or "first sentence".

    In order: a line repeated at the top, the breadcrumb's last item, a headline
    fused with the first paragraph (a shorter form of it follows), the first line
    when it reads like a headline, and last the first sentence, cut to a readable length.
    """
    top = [line.text for line in kept[:6] if any(c.isalnum() for c in line.text)]
    if not top:
        return None, _FIRST_LINE
    for index, line in enumerate(top):
        if _is_title_like(line) and any(_same(line, other) for other in top[index + 1 :]):
            return line, _CERTAIN
    if crumbs and _is_title_like(crumbs[-1]) and len(crumbs[-1].split()) >= 3:
        return crumbs[-1], _CERTAIN
    first = top[0]
    headline = _clean_title(split_sentences(first)[0])
    if any(_is_title_like(line) and _shorter_form(line, headline) for line in top[1:]):
        return headline, _CERTAIN
    if _is_title_like(first):
        return first, _FIRST_LINE
    if not any(c.isalnum() for c in headline):
        return None, _FIRST_SENTENCE
    return short_title(headline), _FIRST_SENTENCE


def short_title(sentence: str) -> str:
    """A sentence cut to a title's length, at a clause boundary where one is near enough,
    else after a whole word, with an ellipsis."""
    if len(sentence) <= _TITLE_MAX:
        return sentence
    clauses = [m.start() for m in _CLAUSE_END.finditer(sentence, 0, _TITLE_LIMIT + 1)]
    clauses = [end for end in clauses if end >= _TITLE_MIN]
    if clauses:
        within = [end for end in clauses if end <= _TITLE_MAX]
        return sentence[: within[-1] if within else clauses[0]].rstrip()
    cut = sentence[:_TITLE_MAX].rsplit(" ", 1)[0].rstrip(" ,;:–—-")
    return cut + "…"


def _drop_title(kept: list[_Line], title: str, removed: list[RemovedLine]) -> list[_Line]:
    """Remove the headline and its repeats, including one fused with the first paragraph."""
    result: list[_Line] = []
    for position, line in enumerate(kept):
        if _same(line.text, title) or _same(_clean_title(line.text), title):
            removed.append(RemovedLine(line.number, line.text, "headline"))
            continue
        if position < 6 and _is_title_like(line.text) and _shorter_form(line.text, title):
            removed.append(RemovedLine(line.number, line.text, "short form of the headline"))
            continue
        if position == 0 and not result:
            sentences = split_sentences(line.text)
            if len(sentences) > 1 and _same(_clean_title(sentences[0]), title):
                reason = "headline fused with the first paragraph"
                removed.append(RemovedLine(line.number, sentences[0], reason))
                text = line.text[line.text.index(sentences[1]) :]
                result.append(_Line(line.number, text, line.indented, line.blank_before))
                continue
        result.append(line)
    return result


# --- bylines and dates ---------------------------------------------------------------------

_NAME = (
    rf"[{_UPPER}][\w.'’\-]*(?:\s+(?:[{_UPPER}][\w.'’\-]*|de|van|von|zu|da|del|du|des|al|bin"
    r"|la|le|y)){0,4}"
)
_BY_WORDS = "|".join(w for language in LANGUAGES.values() for w in language.byline_words)
_BYLINE = re.compile(
    r"^(?i:written|reported|story|words)\s+by\s+(?P<author>[A-Z][\w.'’\- ]{1,60}?)"
    r"(?:\s+for\s+(?P<source>[A-Z][^,.;:]{1,80}?))?\s*(?:[,.;]|$)"
)
_BY_LINE = re.compile(
    rf"^(?:{_BY_WORDS})\s+(?P<author>{_NAME}(?:(?:,\s*|\s+(?:and|und|et|y)\s+){_NAME})*?)"
    r"(?:\s*[,|–—-]\s*(?P<source>[A-Z][\w.&'’ ]{1,40}))?\.?$"
)
_DATE_LABEL = "|".join(label for language in LANGUAGES.values() for label in language.date_labels)
_DATELINE = re.compile(rf"^(?i:{_DATE_LABEL})\s*:?\s*(?P<date>.{{6,60}})$")
_BARE_DATE = re.compile(r"^(?=.*\b(?:19|20)\d\d\b)[\w ,./:\-–|()+]{6,60}$")
"""A line that may be nothing but a date ("Monday 24 November 2025 10.32 GMT")."""
_METADATA_LINE = re.compile(
    rf"^(?:(?:{_BY_WORDS}|Written by|Reported by|Reporting by|Editing by"
    r"|Additional reporting by)\s"
    rf"|(?i:{_DATE_LABEL})\b"
    r"|(?:From|Sent|To|Cc|Subject|Date):\s)"
)


@dataclass(frozen=True, slots=True)
class _Stated:
    """What the text states about itself in a byline or a date line, and those lines."""

    author: str | None = None
    source: str | None = None
    published: date | None = None
    lines: tuple[str, ...] = ()


def _byline(line: str) -> tuple[str, str | None] | None:
    match = _BYLINE.match(line) or _BY_LINE.match(line)
    if match is None or len(split_sentences(line)) > 1:
        return None
    found = match.groupdict()
    return found["author"].strip(), (found.get("source") or "").strip() or None


def _date_of(line: str) -> date | None:
    """The date of a date line: labelled ("Published: 24/11/2025"), or a line that is
    only a full date; never a date mentioned in a sentence."""
    labelled = _DATELINE.match(line)
    candidate = labelled["date"] if labelled else line if _BARE_DATE.match(line) else None
    if candidate is None or not any(c.isdigit() for c in candidate):
        return None
    return parse_date(candidate.strip(" ,.|"))


def parse_date(text: str) -> date | None:
    """A full date (day, month and year) in any of the chrome languages, day before month
    when both are numbers ("24/11/2025")."""
    import dateparser  # slow to import; only clippings that have a date line need it

    parsed = dateparser.parse(
        text,
        languages=list(LANGUAGES),
        settings={"STRICT_PARSING": True, "DATE_ORDER": "DMY", "PREFER_LOCALE_DATE_ORDER": False},
    )
    return parsed.date() if parsed is not None else None


def _stated(paragraphs: list[str]) -> _Stated:
    """Byline and date from the first and last paragraphs of the text."""
    author = source = published = None
    lines: list[str] = []
    for text in [*paragraphs[:4], *paragraphs[4:][-4:]]:
        if author is None and (by := _byline(text)) is not None:
            (author, source), lines = by, [*lines, text]
        elif published is None and (when := _date_of(text)) is not None:
            published, lines = when, [*lines, text]
    return _Stated(author, source, published, tuple(lines))


# --- paragraphs ------------------------------------------------------------------------------

_BULLET = re.compile(r"^[-•*–·▪●◦]\s+(?=\S)")
_NUMBERED = re.compile(r"^(\d{1,3})[.)]\s+(?=\S)")
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]»]*$")
_WRAP_MIN, _WRAP_MAX = 40, 100
"""Hard-wrapped text (e-mail, PDFs) has its longest lines within these widths."""


def _is_item(text: str) -> bool:
    return bool(_BULLET.match(text) or _NUMBERED.match(text))


def _wrap_width(lines: list[_Line]) -> int | None:
    """The width text was wrapped at, or None when lines are paragraphs.

    Wrapped text has no long lines, and some of its lines run close to the width
    without ending a sentence and go on in the next line.
    """
    width = max((len(line.text) for line in lines), default=0)
    if not _WRAP_MIN <= width <= _WRAP_MAX:
        return None
    runs_on = sum(
        1
        for line, following in itertools.pairwise(lines)
        if not following.blank_before
        and len(line.text) >= 0.7 * width
        and not _SENTENCE_END.search(line.text)
    )
    return width if runs_on >= 2 else None


def _paragraphs(lines: list[_Line]) -> list[str]:
    """Join the lines that continue a paragraph or a list item."""
    width = _wrap_width(lines)
    # Lines are gathered per paragraph and joined once: joining as they come would copy
    # a long paragraph again for every line (quadratic on hard-wrapped text).
    paragraphs: list[list[str]] = []
    for previous, line in zip([None, *lines], lines, strict=False):
        if previous is not None and _continues(paragraphs[-1][0], previous, line, width):
            paragraphs[-1].append(line.text)
        else:
            paragraphs.append([line.text])
    return [" ".join(parts) for parts in paragraphs]


def _continues(first_line: str, previous: _Line, line: _Line, width: int | None) -> bool:
    if line.blank_before or _is_item(line.text):
        return False
    if line.indented and _is_item(first_line):
        return True  # the wrapped rest of a list item
    if width is not None:
        return len(previous.text) >= 0.7 * width
    return line.text[0].islower() and not _SENTENCE_END.search(previous.text)


# --- Markdown ----------------------------------------------------------------------------

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LINE_START_SPECIAL = re.compile(r"^([#>+\-=*_])")
_NUMBER_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_GLUED_QA = re.compile(r"(?<=[a-z0-9’'”)]\?)(?=[A-Z“\"‘][a-z’']*[\s,.])")
_CLOSERS = "\"'”’)]»"
_FINAL_PUNCTUATION = re.compile(r"[.,;:]$")


def escape(text: str) -> str:
    """Escape text so that Markdown renders it exactly as written."""
    text = _ENTITY.sub("\\&", _INLINE_SPECIAL.sub(r"\\\1", text))
    text = _NUMBER_START.sub(r"\1\\\2", text)
    return _LINE_START_SPECIAL.sub(r"\\\1", text)


def _heading(level: int, text: str) -> str:
    # A closing run of '#' would be taken for the heading's optional closing sequence.
    escaped = escape(text)
    if escaped.endswith("#"):
        escaped = escaped[:-1] + "\\#"
    return f"{'#' * level} {escaped}"


@dataclass(frozen=True, slots=True)
class _Block:
    kind: str
    """'p', 'h', 'qa', 'ul' or 'ol'."""
    text: str
    number: int = 0


def _is_heading(line: str, next_line: str | None) -> bool:
    if next_line is None or len(line) > 100 or len(line.split()) > 16:
        return False
    if not (line[0].isupper() or line[0].isdigit() or line[0] in "“\"‘'¿¡«„"):
        return False
    if _METADATA_LINE.match(line):
        return False
    bare = line.rstrip(_CLOSERS)
    if bare.endswith("?"):
        return len(line) <= 80
    return not _FINAL_PUNCTUATION.search(bare) and not bare.endswith("!")


def _split_question(line: str) -> tuple[str, str] | None:
    """A glued "question?Answer" run, as FAQ widgets paste: (question, answer)."""
    match = _GLUED_QA.search(line)
    if match is None:
        return None
    question, answer = line[: match.start()], line[match.start() :]
    last_word = question.split()[-1]
    if len(question.split()) < 3 or len(question) > 200 or "/" in last_word or "=" in last_word:
        return None
    return question, answer


def _blocks(paragraphs: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    for index, text in enumerate(paragraphs):
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
        if bullet := _BULLET.match(text):
            blocks.append(_Block("ul", text[bullet.end() :]))
        elif numbered := _NUMBERED.match(text):
            blocks.append(_Block("ol", text[numbered.end() :], int(numbered[1])))
        elif qa := _split_question(text):
            blocks.extend((_Block("qa", qa[0]), _Block("p", qa[1])))
        elif _is_heading(text, following):
            blocks.append(_Block("h", text))
        else:
            blocks.append(_Block("p", text))
    return blocks


def _to_markdown(blocks: list[_Block]) -> str:
    chunks: list[str] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if block.kind == "ul":
            items = []
            while index < len(blocks) and blocks[index].kind == "ul":
                items.append(f"- {escape(blocks[index].text)}")
                index += 1
            chunks.append("\n".join(items))
            continue
        if block.kind == "ol":
            marker = f"{block.number}. "
            item = marker + escape(block.text)
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            # "1. Heading-like item" followed by one explaining paragraph: the
            # paragraph belongs to the item, so indent it under the marker.
            if following and following.kind == "p" and _is_title_like(block.text):
                item = f"{marker}**{escape(block.text)}**\n\n"
                item += " " * len(marker) + escape(following.text)
                index += 1
            chunks.append(item)
        elif block.kind == "h":
            chunks.append(_heading(2, block.text))
        elif block.kind == "qa":
            chunks.append(_heading(3, block.text))
        else:
            chunks.append(escape(block.text))
        index += 1
    return "\n\n".join(chunks) + "\n" if chunks else ""


# --- the clean-up -----------------------------------------------------------------------


def clean_clipping(text: str, *, title: str | None = None) -> Clipping:
    """Clean a pasted clipping; with no title given, find the best one in the text."""
    removed: list[RemovedLine] = []
    kept: list[_Line] = []
    crumbs: list[str] = []
    for line in _lines(text):
        reason = chrome_reason(line.text)
        if reason is None and not kept and line.text.casefold() in _KICKERS:
            reason = "section label"
        if reason is None:
            kept.append(line)
            continue
        removed.append(RemovedLine(line.number, line.text, reason))
        if reason == "breadcrumb":
            crumbs = _breadcrumb_items(line.text)
    found, how = _find_title(kept, crumbs)
    inferred = how if title is None and found is not None and how != _CERTAIN else None
    if title is None:
        title = found
        if how != _FIRST_SENTENCE and title is not None:
            kept = _drop_title(kept, title, removed)
    else:
        kept = _drop_title(kept, title, removed)
    if how == _CERTAIN and found is not None and not _same(found, title or ""):
        kept = _drop_title(kept, found, removed)  # the page's own headline, whatever title wins
    stated = _stated(_paragraphs(kept))
    kept = _drop_stated(kept, stated, removed)
    return Clipping(
        title=title,
        markdown=_to_markdown(_blocks(_paragraphs(kept))),
        removed=tuple(sorted(removed, key=lambda r: r.line)),
        author=stated.author,
        source=stated.source,
        published=stated.published,
        title_inferred=inferred,
    )


def _drop_stated(kept: list[_Line], stated: _Stated, removed: list[RemovedLine]) -> list[_Line]:
    """Remove the byline and date lines whose content went into the front matter."""
    result = []
    for line in kept:
        if line.text in stated.lines:
            what = "date line" if _date_of(line.text) else "byline"
            reason = f"{what}, in front matter"
            removed.append(RemovedLine(line.number, line.text, reason))
        else:
            result.append(line)
    return result


def decode_bytes(data: bytes) -> tuple[str, str | None]:
    """Decode a clipping: UTF-8 (or UTF-16 with a byte-order mark), else cp1252.

    Returns the text and, when it was not clean UTF-8, a warning that says how it was read.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            text = data.decode("utf-16", errors="replace")
            return text, "malformed UTF-16; undecodable bytes are shown as \ufffd"
    try:
        return data.decode("utf-8").removeprefix("\ufeff"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "not valid UTF-8; read as Windows-1252 (cp1252)"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "not valid UTF-8; read as Latin-1"
