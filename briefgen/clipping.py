"""Turning a raw clipping, pasted from a web page, into a title and clean Markdown.

Clippings are one paragraph per line, with the page's chrome mixed in: photo
credits, breadcrumbs, comment prompts, "Also read" links. The clean-up drops
the chrome and the repeated headline, finds the structure (headings, lists,
glued question-and-answer runs) and otherwise keeps every sentence verbatim,
escaped so that Markdown shows it as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from briefgen.quotes import normalize


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


# --- site chrome ---------------------------------------------------------------------

_CHROME: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("photo credit", re.compile(r"^(?:photo|image|picture|photograph|illustration)s?"
                                r"(?:\s+credit)?\s*[:|/©]", re.I)),
    ("photo credit", re.compile(r"^(?:©|\(c\)|copyright\b).{0,80}$", re.I)),
    ("loading placeholder", re.compile(r"^loading\s*(?:\.\.\.|…)?$", re.I)),
    ("comment prompt", re.compile(r"^(?:comments?\s*(?:\(\d+\))?|\d+\s+comments?|"
                                  r"leave a (?:comment|reply)|be the first to comment\W*|"
                                  r"show comments|view comments)$", re.I)),
    ("sign-in prompt", re.compile(r"^(?:please\s+)?(?:sign|log)\s*in\b.{0,60}$", re.I)),
    ("promotion", re.compile(r"^(?:also read|read also|read more|see also|related|"
                             r"recommended|must read)\b\s*[:|\-–—>»]", re.I)),
    ("advertisement", re.compile(r"^(?:advertisement|sponsored|share this(?: article)?)$", re.I)),
)  # fmt: skip
_BREADCRUMB_SEP = re.compile(r"\s+[>›»]\s+")
_BREADCRUMB_HOME = re.compile(r"^(?:home|start|main page)\s*[>›»/]", re.I)


def _chrome_reason(line: str) -> str | None:
    for reason, pattern in _CHROME:
        if pattern.match(line):
            return reason
    if _breadcrumb_items(line):
        return "breadcrumb"
    return None


def _breadcrumb_items(line: str) -> list[str]:
    """The items of a breadcrumb line ("Home > Section > Headline"), or []."""
    parts = _BREADCRUMB_SEP.split(line)
    if _BREADCRUMB_HOME.match(line) and len(parts) >= 2:
        return [p.strip() for p in parts]
    if len(parts) >= 3 and all(0 < len(p) <= 120 for p in parts):
        return [p.strip() for p in parts]
    return []


# --- sentences and titles ------------------------------------------------------------

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|No|Jan|Feb|Aug|"
                           r"Sept?|Oct|Nov|Dec|vs|etc|Inc|Ltd|Co))\.$")  # fmt: skip
_FINAL_PUNCTUATION = re.compile(r"[.,;:]$")
_CLOSERS = "\"'”’)]»"


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, not at initials or common abbreviations."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        candidate = text[start : match.start()].rstrip(_CLOSERS)
        if _ABBREVIATION.search(candidate):
            continue
        sentences.append(text[start : match.start()])
        start = match.end()
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]


def _same(a: str, b: str) -> bool:
    return normalize(a).casefold() == normalize(b).casefold()


def _shorter_form(line: str, title: str) -> bool:
    """Whether line is the start of a longer headline, as a page's H1 often is of its
    fuller SEO title."""
    return len(line.split()) >= 4 and normalize(title).casefold().startswith(
        normalize(line).casefold() + " "
    )


def _is_title_like(line: str) -> bool:
    return len(line) <= 150 and len(line.split()) <= 22 and not line.endswith(".")


def _clean_title(sentence: str) -> str:
    return sentence.removesuffix(".").strip()


# --- bylines ---------------------------------------------------------------------------

_BYLINE = re.compile(
    r"^(?i:written|reported|story|words)\s+by\s+(?P<author>[A-Z][\w.'’\- ]{1,60}?)"
    r"(?:\s+for\s+(?P<source>[A-Z][^,.;:]{1,80}?))?\s*(?:[,.;]|$)"
)
_BY_LINE = re.compile(r"^By\s+(?P<author>[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,3})$")


def _byline(lines: list[str]) -> tuple[str | None, str | None]:
    for line in lines:
        match = _BYLINE.match(line) or _BY_LINE.match(line)
        if match:
            found = match.groupdict()
            return found["author"].strip(), (found.get("source") or "").strip() or None
    return None, None


_DATELINE = re.compile(
    r"^(?i:published|posted|first published)(?:\s+on)?\s*:?\s*(?P<date>[\w ,.\-]{6,30}?)"
    r"(?:\s*(?:at|,|\|)\s*\d{1,2}[:.]\d{2}.*)?$"
)
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%B %d %Y", "%d %b %Y", "%b %d, %Y")


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


# --- Markdown ----------------------------------------------------------------------------

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_LINE_START_SPECIAL = re.compile(r"^([#>+\-=*_])")
_NUMBER_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_BULLET = re.compile(r"^[-•*–·▪●◦]\s+(?=\S)")
_NUMBERED = re.compile(r"^(\d{1,3})[.)]\s+(?=\S)")
_GLUED_QA = re.compile(r"(?<=[a-z0-9’'”)]\?)(?=[A-Z“\"‘])")


def escape(text: str) -> str:
    """Escape text so that Markdown renders it exactly as written."""
    text = _ENTITY.sub("\\&", _INLINE_SPECIAL.sub(r"\\\1", text))
    text = _NUMBER_START.sub(r"\1\\\2", text)
    return _LINE_START_SPECIAL.sub(r"\\\1", text)


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
    bare = line.rstrip(_CLOSERS)
    if bare.endswith("?"):
        return len(line) <= 80
    return not _FINAL_PUNCTUATION.search(bare) and not bare.endswith("!")


def _blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    for index, line in enumerate(lines):
        next_line = lines[index + 1] if index + 1 < len(lines) else None
        if bullet := _BULLET.match(line):
            blocks.append(_Block("ul", line[bullet.end() :]))
        elif numbered := _NUMBERED.match(line):
            blocks.append(_Block("ol", line[numbered.end() :], int(numbered[1])))
        elif len(parts := _GLUED_QA.split(line, maxsplit=1)) == 2:
            blocks.extend((_Block("qa", parts[0]), _Block("p", parts[1])))
        elif _is_heading(line, next_line):
            blocks.append(_Block("h", line))
        else:
            blocks.append(_Block("p", line))
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
            chunks.append(f"## {escape(block.text)}")
        elif block.kind == "qa":
            chunks.append(f"### {escape(block.text)}")
        else:
            chunks.append(escape(block.text))
        index += 1
    return "\n\n".join(chunks) + "\n" if chunks else ""


# --- the clean-up -----------------------------------------------------------------------


def clean_clipping(text: str, *, title: str | None = None) -> Clipping:
    """Clean a pasted clipping; with no title given, find the best one in the text."""
    numbered = [
        (number, " ".join(raw.split()))
        for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1)
    ]
    numbered = [(number, line) for number, line in numbered if line]
    removed: list[RemovedLine] = []
    kept: list[tuple[int, str]] = []
    crumbs: list[str] = []
    for number, line in numbered:
        reason = _chrome_reason(line)
        if reason is None:
            kept.append((number, line))
            continue
        removed.append(RemovedLine(number, line, reason))
        if reason == "breadcrumb":
            crumbs = _breadcrumb_items(line)
    found, certain = _find_title(kept, crumbs)
    if title is None:
        title = found
    if title is not None:
        kept = _drop_title(kept, title, removed)
    if certain and found is not None and not _same(found, title or ""):
        kept = _drop_title(kept, found, removed)  # the page's own headline, whatever title wins
    kept = _join_wrapped(kept)
    lines = [line for _number, line in kept]
    edges = lines[:4] + lines[-4:]
    author, source = _byline(edges)
    return Clipping(
        title=title,
        markdown=_to_markdown(_blocks(lines)),
        removed=tuple(sorted(removed, key=lambda r: r.line)),
        author=author,
        source=source,
        published=_published(edges),
    )


def _find_title(kept: list[tuple[int, str]], crumbs: list[str]) -> tuple[str | None, bool]:
    """The best headline and whether the page marks it as one beyond doubt.

    In order: a line repeated at the top, the breadcrumb's last item, a line that
    starts the first paragraph (a headline fused with it), the first line when it
    reads like a headline, and last the first sentence.
    """
    if not kept:
        return None, False
    top = [line for _number, line in kept[:6]]
    for index, line in enumerate(top):
        if _is_title_like(line) and any(_same(line, other) for other in top[index + 1 :]):
            return line, True
    if crumbs and _is_title_like(crumbs[-1]):
        return crumbs[-1], True
    first = top[0]
    headline = _clean_title(split_sentences(first)[0])
    for line in top[1:]:
        if _is_title_like(line) and _shorter_form(line, headline):
            return headline, True
    if _is_title_like(first):
        return first, False
    return _clean_title(split_sentences(first)[0]), False


def _drop_title(
    kept: list[tuple[int, str]], title: str, removed: list[RemovedLine]
) -> list[tuple[int, str]]:
    """Remove the headline and its repeats, including one fused with the first paragraph."""
    result: list[tuple[int, str]] = []
    for position, (number, line) in enumerate(kept):
        if _same(line, title) or _same(_clean_title(line), title):
            removed.append(RemovedLine(number, line, "headline"))
            continue
        if position < 6 and _is_title_like(line) and _shorter_form(line, title):
            removed.append(RemovedLine(number, line, "short form of the headline"))
            continue
        folded_line, folded_title = normalize(line).casefold(), normalize(title).casefold()
        after = folded_line[len(folded_title) : len(folded_title) + 1]
        fused = folded_line.startswith(folded_title) and after != "" and not after.isalnum()
        if position == 0 and fused and len(title.split()) >= 4:
            sentences = split_sentences(line)
            headline, rest = sentences[0], " ".join(sentences[1:])
            removed.append(RemovedLine(number, headline, "headline fused with the first paragraph"))
            if rest:
                result.append((number, rest))
            continue
        result.append((number, line))
    return result


def _join_wrapped(kept: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join hard-wrapped lines: a line continues the previous one when it starts in
    lower case and the previous one did not end a sentence."""
    joined: list[tuple[int, str]] = []
    for number, line in kept:
        if (
            joined
            and line[0].islower()
            and not _BULLET.match(line)
            and not re.search(r"[.!?:;][" + _CLOSERS + r"]*$", joined[-1][1])
            and not _BULLET.match(joined[-1][1])
        ):
            joined[-1] = (joined[-1][0], f"{joined[-1][1]} {line}")
            continue
        joined.append((number, line))
    return joined


_ENCODINGS = (("utf-8", None), ("cp1252", "Windows-1252 (cp1252)"), ("latin-1", "Latin-1"))


def decode_bytes(data: bytes) -> tuple[str, str | None]:
    """Decode a clipping: UTF-8 (or UTF-16 with a byte-order mark), else cp1252.

    Returns the text and, when it was not UTF-8, a warning that says how it was read.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), None
    for encoding, name in _ENCODINGS:
        try:
            text = data.decode(encoding).removeprefix("\ufeff")
        except UnicodeDecodeError:
            continue
        warning = None if name is None else f"not valid UTF-8; read as {name}"
        return text, warning
    raise AssertionError("latin-1 decodes any bytes")
