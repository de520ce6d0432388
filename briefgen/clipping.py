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
from datetime import date, datetime

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


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    text: str
    """White space collapsed, control characters removed."""
    indented: bool
    blank_before: bool


# --- site chrome ---------------------------------------------------------------------

# A short line: no sentence ends in it or at its end (initials like "A. B." may).
_SHORT = r"(?!.*[a-z]{2}[.!?]\s+[A-Z][a-z])(?!.*[a-z]{2}\.$)(?!.{151})\S.*$"
_CHROME: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("photo credit", re.compile(r"^(?:photo|image|picture|photograph|illustration)s?"
                                r"(?:\s+credit)?\s*[:|/©]\s*" + _SHORT,
                                re.I)),
    ("photo credit", re.compile(r"^\((?:photo|image|picture)s?\s+(?:by|credit|:)[^()]{0,100}\)$",
                                re.I)),
    ("photo credit", re.compile(r"^(?:getty images|reuters|ap photo|afp|epa)"
                                r"(?:\s*/\s*[\w .'-]{1,40})?$", re.I)),
    ("copyright notice", re.compile(r"^(?:©|\(c\)\s*(?:19|20)\d\d|copyright\s+(?:©\s*)?"
                                    r"(?:19|20)\d\d).{0,100}$", re.I)),
    ("loading placeholder", re.compile(r"^loading\s*(?:\.\.\.|…)?$", re.I)),
    ("comment prompt", re.compile(r"^(?:comments?\s*(?:\(\d+\))?|\d+\s+comments?|"
                                  r"leave a (?:comment|reply)|be the first to comment\W*|"
                                  r"(?:show|view|read) (?:all )?comments?(?:\s*\(\d+\))?)$",
                                  re.I)),
    ("sign-in prompt", re.compile(r"^(?:please\s+)?(?:sign|log)\s*in(?:\s+(?:to|or|and)\s+"
                                  r"[^.!?]{1,60})?[.!]?$", re.I)),
    ("subscription prompt", re.compile(r"^(?:subscribe\b.{0,80}|sign up (?:for|to)\b.{0,80}|"
                                       r"you have reached your (?:limit|maximum)\b.{0,100}|"
                                       r"click here to (?:subscribe|sign up|read more)\b.{0,60}|"
                                       r"get (?:our|the) [\w ]{0,30}newsletter\b.{0,60})$",
                                       re.I)),
    ("share prompt", re.compile(r"^(?:share(?: this(?: article| story| page)?)?"
                                r"(?: (?:on|via) [\w ]{1,20})?|tweet|email|print|"
                                r"copy link|follow us(?: on [\w ,&]{1,40})?)[.:]?$", re.I)),
    ("player", re.compile(r"^(?:listen to (?:this )?article(?:\s*\d+ min)?|"
                          r"\d+\s*(?:min|minute)s?(?: read| listen)|"
                          r"play(?: video| audio)?|watch(?: the)? video)$", re.I)),
    ("related links", re.compile(r"^(?:related (?:articles|stories|coverage|content|news)|"
                                 r"most (?:read|popular|viewed)|trending(?: now)?|"
                                 r"more (?:from|on) [\w ]{1,30}|tags?:.{0,120}|"
                                 r"topics?:.{0,120})$", re.I)),
    ("promotion", re.compile(r"^(?:also read|read also|read more|see also|related|"
                             r"recommended|must read)\b\s*[:|\-–—>»]\s*" + _SHORT, re.I)),
    ("advertisement", re.compile(r"^(?:advertisement|sponsored(?: content)?|ad)$", re.I)),
    ("standards notice", re.compile(r"^our standards: the thomson reuters trust principles\.?$",
                                    re.I)),
)  # fmt: skip
_BREADCRUMB_SEP = re.compile(r"\s+[>›»]\s+")
_BREADCRUMB_HOME = re.compile(r"^(?:home|start|main page)\s*[>›»/]", re.I)
_KICKERS = frozenset(
    {
        "analysis", "commentary", "comment", "opinion", "editorial", "explainer",
        "exclusive", "breaking", "feature", "features", "interview", "review",
        "perspective", "insight", "news", "world", "politics", "business", "live",
        "podcast", "video", "newsletter",
    }
)  # fmt: skip
"""Section labels ("Opinion") that pages print above the headline."""


def _chrome_reason(line: str) -> str | None:
    for reason, pattern in _CHROME:
        if pattern.match(line):
            return reason
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


def _find_title(kept: list[_Line], crumbs: list[str]) -> tuple[str | None, bool]:
    """The best headline and whether the page marks it as one beyond doubt.

    In order: a line repeated at the top, the breadcrumb's last item, a headline
    fused with the first paragraph (a shorter form of it follows), the first line
    when it reads like a headline, and last the first sentence.
    """
    top = [line.text for line in kept[:6] if any(c.isalnum() for c in line.text)]
    if not top:
        return None, False
    for index, line in enumerate(top):
        if _is_title_like(line) and any(_same(line, other) for other in top[index + 1 :]):
            return line, True
    if crumbs and _is_title_like(crumbs[-1]) and len(crumbs[-1].split()) >= 3:
        return crumbs[-1], True
    first = top[0]
    headline = _clean_title(split_sentences(first)[0])
    if any(_is_title_like(line) and _shorter_form(line, headline) for line in top[1:]):
        return headline, True
    if _is_title_like(first):
        return first, False
    return headline if any(c.isalnum() for c in headline) else None, False


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

_NAME = r"[A-Z][\w.'’\-]*(?:\s+(?:[A-Z][\w.'’\-]*|de|van|von|da|al|bin|la|le)){0,4}"
_BYLINE = re.compile(
    r"^(?i:written|reported|story|words)\s+by\s+(?P<author>[A-Z][\w.'’\- ]{1,60}?)"
    r"(?:\s+for\s+(?P<source>[A-Z][^,.;:]{1,80}?))?\s*(?:[,.;]|$)"
)
_BY_LINE = re.compile(
    rf"^By\s+(?P<author>{_NAME}(?:(?:,\s*|\s+and\s+){_NAME})*?)"
    r"(?:\s*[,|–—-]\s*(?P<source>[A-Z][\w.&'’ ]{1,40}))?\.?$"
)
_DATELINE = re.compile(
    r"^(?i:published|posted|first published)(?:\s+on)?\s*:?\s*(?P<date>[\w ,.\-]{6,30}?)"
    r"(?:\s*(?:at|,|\|)\s*\d{1,2}[:.]\d{2}.*)?$"
)
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%B %d %Y", "%d %b %Y", "%b %d, %Y")
_METADATA_LINE = re.compile(
    r"^(?:(?:By|Written by|Reported by|Reporting by|Editing by|Additional reporting by)\s"
    r"|(?:Published|Posted|Updated|First published|Last updated)\b"
    r"|(?:From|Sent|To|Cc|Subject|Date):\s)"
)


def _byline(lines: list[str]) -> tuple[str | None, str | None]:
    for line in lines:
        match = _BYLINE.match(line) or _BY_LINE.match(line)
        if match:
            found = match.groupdict()
            return found["author"].strip(), (found.get("source") or "").strip() or None
    return None, None


def _published(lines: list[str]) -> date | None:
    """A publication date, only from a line that says so ("Published: 24 November 2025")."""
    for line in lines:
        match = _DATELINE.match(line)
        if not match:
            continue
        text = match["date"].replace(".", "").strip(" ,")
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    return None


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
    if not (line[0].isupper() or line[0].isdigit() or line[0] in "“\"‘'"):
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
        reason = _chrome_reason(line.text)
        if reason is None and not kept and line.text.casefold() in _KICKERS:
            reason = "section label"
        if reason is None:
            kept.append(line)
            continue
        removed.append(RemovedLine(line.number, line.text, reason))
        if reason == "breadcrumb":
            crumbs = _breadcrumb_items(line.text)
    found, certain = _find_title(kept, crumbs)
    if title is None:
        title = found
    if title is not None:
        kept = _drop_title(kept, title, removed)
    if certain and found is not None and not _same(found, title or ""):
        kept = _drop_title(kept, found, removed)  # the page's own headline, whatever title wins
    paragraphs = _paragraphs(kept)
    edges = paragraphs[:4] + paragraphs[-4:]
    author, source = _byline(edges)
    return Clipping(
        title=title,
        markdown=_to_markdown(_blocks(paragraphs)),
        removed=tuple(sorted(removed, key=lambda r: r.line)),
        author=author,
        source=source,
        published=_published(edges),
    )


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
