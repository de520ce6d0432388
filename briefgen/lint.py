"""Warnings: what a briefing that builds should still fix before it goes out.

Uncited claims (key judgments, key points, positions, timeline entries, checklist
items), checklist items past their date, dates after the edition, estimative
words that contradict the likelihood field, long bottom lines, articles nothing cites.
A warning does not fail a build; `--strict` makes every warning an error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from briefgen.errors import Diagnostic, SourcePos
from briefgen.model import LIKELIHOODS, Briefing, Cite
from briefgen.sentences import split_sentences

BOTTOM_LINE_WORDS = 60
"""A bottom line longer than this is not read in seconds: about two or three sentences."""
BOTTOM_LINE_SENTENCES = 4
"""The most the content contract allows ("two to four sentences")."""

# Words of estimative prose and the ICD 203 term each one means.
_ESTIMATIVE = {
    "almost no chance": "almost no chance",
    "remote chance": "almost no chance",
    "remote possibility": "almost no chance",
    "very unlikely": "very unlikely",
    "highly unlikely": "very unlikely",
    "highly improbable": "very unlikely",
    "unlikely": "unlikely",
    "improbable": "unlikely",
    "roughly even chance": "roughly even chance",
    "roughly even odds": "roughly even chance",
    "even chance": "roughly even chance",
    "likely": "likely",
    "probably": "likely",
    "probable": "likely",
    "very likely": "very likely",
    "highly likely": "very likely",
    "highly probable": "very likely",
    "almost certain": "almost certain",
    "almost certainly": "almost certain",
    "nearly certain": "almost certain",
    "virtually certain": "almost certain",
}
# Longest first, so "very likely" is read before "likely"; "more likely" compares and
# "not likely" negates, neither states a probability.
_ESTIMATIVE_WORDS = re.compile(
    r"(?<!\bmore )(?<!\bless )(?<!\bmost )(?<!\bleast )(?<!\bnot )(?<!\bas )\b("
    + "|".join(re.escape(w) for w in sorted(_ESTIMATIVE, key=len, reverse=True))
    + r")\b",
    re.I,
)


def lint(
    briefing: Briefing, today: dt.date, quiet: frozenset[Path] = frozenset()
) -> list[Diagnostic]:
    """Every warning about the briefing, except in files of quiet (those with errors,
    where a warning could only follow from an error already reported).

    Dates are judged against the edition date, or today without one.
    """
    edition = briefing.settings.edition or today
    found = [
        *_uncited_claims(briefing),
        *_overdue_items(briefing, edition),
        *_dates_after_edition(briefing, edition),
        *_estimative_words(briefing),
        *_long_bottom_lines(briefing),
        *_uncited_articles(briefing),
    ]
    kept = [w for w in found if w.pos is None or w.pos.path not in quiet]
    return sorted(
        kept, key=lambda w: (str(w.pos.path), w.pos.line, w.pos.col) if w.pos else ("", 0, 0)
    )


def _warning(pos: SourcePos, code: str, message: str) -> Diagnostic:
    return Diagnostic(pos, message, code, "warning")


def _uncited_claims(briefing: Briefing) -> Iterator[Diagnostic]:
    expected = "expected at least one cite under 'sources'"
    for judgment in briefing.settings.key_judgments:
        if not judgment.sources:
            yield _warning(
                judgment.pos, "uncited-claim", f"key judgment has no sources; {expected}"
            )
    for issue in briefing.issues:
        for point in issue.key_points:
            if not point.sources:
                yield _warning(point.pos, "uncited-claim", f"key point has no sources; {expected}")
        for position in issue.positions:
            if not position.sources:
                yield _warning(
                    position.pos,
                    "uncited-claim",
                    f"position of '{position.actor}' has no sources; {expected}",
                )
        for entry in issue.timeline:
            if not entry.sources:
                yield _warning(
                    entry.pos, "uncited-claim", f"timeline entry has no sources; {expected}"
                )
    for item in briefing.watch:
        if not item.sources:
            yield _warning(
                item.pos,
                "uncited-claim",
                f"checklist item '{item.title}' has no sources; {expected}",
            )


def _overdue_items(briefing: Briefing, edition: dt.date) -> Iterator[Diagnostic]:
    for item in briefing.watch:
        if item.status == "watching" and item.by is not None and item.by < edition:
            yield _warning(
                item.pos,
                "overdue-item",
                f"checklist item '{item.title}' was due by {item.by} and is still 'watching' "
                f"on {edition}; expected status 'triggered' or 'resolved', or a later 'by'",
            )


def _dates_after_edition(briefing: Briefing, edition: dt.date) -> Iterator[Diagnostic]:
    for issue in briefing.issues:
        for entry in issue.timeline:
            if entry.date > edition:
                yield _warning(
                    entry.pos,
                    "date-after-edition",
                    f"timeline date {entry.date} is after the edition date {edition}; "
                    "expected past events only (or a later edition)",
                )
    articles = {a.id: a for a in briefing.articles}
    first_cites: dict[str, Cite] = {}
    for cite in briefing.cites():
        first_cites.setdefault(cite.article, cite)
    for article_id, cite in first_cites.items():
        article = articles.get(article_id)
        if article is not None and article.published is not None and article.published > edition:
            yield _warning(
                cite.pos,
                "source-after-edition",
                f"cited article '{article_id}' was published {article.published}, after the "
                f"edition date {edition}; expected an edition on or after its sources",
            )


def _estimative_words(briefing: Briefing) -> Iterator[Diagnostic]:
    judged = [
        ("key judgment", j.text, j.likelihood, j.pos) for j in briefing.settings.key_judgments
    ]
    for issue in briefing.issues:
        judged += [("key point", p.text, p.likelihood, p.pos) for p in issue.key_points]
    terms = list(LIKELIHOODS)
    for what, text, likelihood, pos in judged:
        if likelihood is None:
            continue
        for match in _ESTIMATIVE_WORDS.finditer(text):
            meant = _ESTIMATIVE[match.group(1).lower()]
            if meant != likelihood:
                stronger = terms.index(meant) > terms.index(likelihood)
                yield _warning(
                    pos,
                    "estimative-words",
                    f"{what} says '{match.group(1)}' ({meant}, {LIKELIHOODS[meant]}) "
                    f"but its likelihood is '{likelihood}' ({LIKELIHOODS[likelihood]}); "
                    f"expected words that agree with it, or a "
                    f"{'higher' if stronger else 'lower'} likelihood",
                )
                break


def _long_bottom_lines(briefing: Briefing) -> Iterator[Diagnostic]:
    for issue in briefing.issues:
        words = len(issue.bottom_line.split())
        sentences = len(split_sentences(" ".join(issue.bottom_line.split())))
        if words > BOTTOM_LINE_WORDS:
            found = f"{words} words; expected at most {BOTTOM_LINE_WORDS}"
        elif sentences > BOTTOM_LINE_SENTENCES:
            found = f"{sentences} sentences; expected at most {BOTTOM_LINE_SENTENCES}"
        else:
            continue
        yield _warning(
            issue.bottom_line_pos or issue.pos,
            "long-bottom-line",
            f"bottom line of '{issue.id}' has {found}, so that it reads in seconds; "
            "details belong in the key points",
        )


def _uncited_articles(briefing: Briefing) -> Iterator[Diagnostic]:
    cited = {cite.article for cite in briefing.cites()}
    for article in briefing.articles:
        if article.id not in cited:
            yield _warning(
                article.pos,
                "uncited-article",
                f"article '{article.id}' is cited nowhere; expected a cite from an issue or "
                "the checklist, or the file removed",
            )
