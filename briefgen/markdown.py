"""The one Markdown renderer. Raw HTML is off and unsafe link schemes are refused."""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

from briefgen.sentences import split_sentences


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # commonmark with html=False escapes any raw tag; markdown-it's default
    # validateLink refuses javascript:, vbscript:, file: and most data: URLs.
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def render_block(text: str) -> str:
    """Render Markdown paragraphs, lists and headings to HTML."""
    html: str = _parser().render(text)
    return html


def render_inline(text: str) -> Markup:
    """Render one line of Markdown (emphasis, links, code) without a paragraph."""
    return Markup(_parser().renderInline(text))


def render_markup(text: str) -> Markup:
    return Markup(render_block(text))


_HEADING = re.compile(r"<(/?)h([1-6])>")


def render_article(text: str) -> str:
    """Render an article body with its top heading level at h2, under the page's own h1."""
    html = render_block(text)
    levels = [int(m[2]) for m in _HEADING.finditer(html)]
    shift = 2 - min(levels, default=2)
    if not shift:
        return html
    return _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + shift, 6)}>", html)


def first_sentence(text: str) -> Markup:
    """The first sentence of a Markdown paragraph, rendered inline: a one-line summary."""
    sentences = split_sentences(text)
    return render_inline(" ".join(sentences[0].split()) if sentences else "")
