"""For a quote that is not in its article: the closest passage, and how it differs."""

from __future__ import annotations

import difflib
import re

from briefgen.quotes import normalize

_NOT_WORD = re.compile(r"[^\w]+")
_SLACK = 2
"""A passage may have this many words more or fewer than the quote."""
_CLOSE_ENOUGH = 0.6
_SHOWN = 90
_OUTER = ".,;:!?\"'()[] "


def quote_hint(quote: str, text: str) -> str | None:
    """How the closest passage of text (a reader's text, as quotes.TextIndex holds it)
    differs from quote, worded to follow "expected its exact words"; None when nothing
    in text is close."""
    words = normalize(quote).split()
    tokens = text.split()
    if not words or not tokens:
        return None
    n = len(words)
    keys = [_key(w) for w in words]
    token_keys = [_key(t) for t in tokens]
    one_word: tuple[int, int] | None = None
    for start in range(len(tokens) - n + 1):
        window = tokens[start : start + n]
        if token_keys[start : start + n] == keys:
            passage, needle = _trim(" ".join(window)), _trim(" ".join(words))
            in_case = _NOT_WORD.sub("", passage) != _NOT_WORD.sub("", needle)
            if passage.casefold() == needle.casefold():
                how = "only in case"
            else:
                how = "in punctuation and case" if in_case else "in punctuation"
            return f"the article has {_show(window)}, which differs {how}"
        if one_word is None:
            differing = [i for i in range(n) if token_keys[start + i] != keys[i]]
            if len(differing) == 1 and n > 1:
                one_word = (start, differing[0])
    if one_word is not None:
        start, i = one_word
        window = tokens[start : start + n]
        return (
            f"the article has {_show(window)}: one word differs, "
            f"'{_trim(words[i])}' / '{_trim(window[i])}'"
        )
    return _closest(keys, token_keys, tokens)


def _closest(keys: list[str], token_keys: list[str], tokens: list[str]) -> str | None:
    n = len(keys)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(keys)
    best, best_ratio = None, _CLOSE_ENOUGH
    for size in range(max(1, n - _SLACK), n + _SLACK + 1):
        for start in range(len(tokens) - size + 1):
            matcher.set_seq1(token_keys[start : start + size])
            if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = (start, size), ratio
    if best is None:
        return None
    start, size = best
    return f"the closest passage is {_show(tokens[start : start + size])}"


def _key(word: str) -> str:
    return _NOT_WORD.sub("", word.casefold())


def _trim(passage: str) -> str:
    return passage.strip(_OUTER)


def _show(words: list[str]) -> str:
    """The passage in typographic quotes (it may hold straight ones), without the
    comma or full stop that follows it."""
    shown = " ".join(words).rstrip(",;:.")
    return "“" + (shown if len(shown) <= _SHOWN else shown[: _SHOWN - 3] + "...") + "”"
