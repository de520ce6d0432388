"""The one Markdown renderer. Raw HTML is off and unsafe link schemes are refused."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it import __version__ as _markdown_it_version
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup

from briefgen.sentences import split_sentences

PARSER_VERSION: str = _markdown_it_version
"""Part of the key of a parsed article: another parser may render it otherwise."""


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # commonmark with html=False escapes any raw tag; markdown-it's default
    # validateLink refuses javascript:, vbscript:, file: and most data: URLs.
    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    parser.core.ruler.push("rtl_blocks", _mark_rtl_blocks)
    return parser


_BLOCK_OPENS = frozenset({"paragraph_open", "heading_open", "list_item_open", "th_open", "td_open"})


def _mark_rtl_blocks(state: StateCore) -> None:
    """A block whose text starts in a right-to-left script (Arabic, Hebrew ...) gets
    dir="rtl", so the browser and WeasyPrint lay it out from the right, whatever the
    page's language; other blocks are left as they are."""
    tokens = state.tokens
    for index in range(1, len(tokens)):
        inline, opener = tokens[index], tokens[index - 1]
        if inline.type != "inline" or not starts_right_to_left(inline.content):
            continue
        if opener.hidden and index >= 2 and tokens[index - 2].type == "list_item_open":
            opener = tokens[index - 2]  # a tight list's paragraph is not rendered
        if opener.type in _BLOCK_OPENS:
            opener.attrSet("dir", "rtl")


def starts_right_to_left(text: str) -> bool:
    """Whether the first letter with a direction in text is right-to-left."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL", "L"):
            return kind != "L"
    return False


def render_block(text: str) -> str:
    """Render Markdown paragraphs, lists and headings to HTML."""
    html: str = _parser().render(text)
    return html


def render_inline(text: str) -> Markup:
    """Render one line of Markdown (emphasis, links, code) without a paragraph."""
    return Markup(_parser().renderInline(text))


def render_markup(text: str) -> Markup:
    return Markup(render_block(text))


def render_markup_without_images(text: str) -> Markup:
    """render_markup, each image replaced by its alt text (the email loads nothing)."""
    parser = _parser()
    tokens = parser.parse(text)
    _images_to_text(tokens)
    return Markup(parser.renderer.render(tokens, parser.options, {}))


def first_sentence_without_images(text: str) -> Markup:
    """first_sentence, each image replaced by its alt text."""
    parser = _parser()
    tokens = parser.parseInline(_first_sentence_source(text))
    _images_to_text(tokens)
    return Markup(parser.renderer.render(tokens, parser.options, {}))


def _images_to_text(tokens: list[Token]) -> None:
    for token in tokens:
        if token.children:
            token.children = [
                Token("text", "", 0, content=child.content) if child.type == "image" else child
                for child in token.children
            ]


_HEADING = re.compile(r"<(/?)h([1-6])(?= dir=|>)")


def render_article(text: str) -> str:
    """Render an article body with its top heading level at h2, under the page's own h1."""
    html = render_block(text)
    levels = [int(m[2]) for m in _HEADING.finditer(html)]
    shift = 2 - min(levels, default=2)
    if not shift:
        return html
    return _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + shift, 6)}", html)


def first_sentence(text: str) -> Markup:
    """The first sentence of a Markdown paragraph, rendered inline: a one-line summary."""
    return render_inline(_first_sentence_source(text))


def _first_sentence_source(text: str) -> str:
    sentences = split_sentences(text)
    return " ".join(sentences[0].split()) if sentences else ""
