"""Rules that span files: every cite resolves, every quote occurs, every issue id exists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from briefgen.errors import Diagnostic, did_you_mean
from briefgen.model import Article, Briefing
from briefgen.quotes import TextIndex
from briefgen.store import HashStore, code_fingerprint, content_key


def open_quote_store(cache_dir: Path) -> HashStore[bool]:
    """Whether a quote occurs in an article's text, by the hash of both (the text's is
    the article's body_digest), kept between builds."""
    return HashStore.open(cache_dir / "quotes.store", code_fingerprint("quotes.py"))


def check(
    briefing: Briefing,
    broken_ids: frozenset[str] = frozenset(),
    known: HashStore[bool] | None = None,
) -> list[Diagnostic]:
    """Return every cross-file mistake; an empty list means the briefing is sound.

    Ids in broken_ids belong to files that failed to load and were reported already;
    known holds the answers of earlier quote checks.
    """
    articles = {a.id: a for a in briefing.articles}
    issue_ids = [i.id for i in briefing.issues]
    diagnostics: list[Diagnostic] = []
    indexes: dict[str, TextIndex] = {}

    seen_issues: dict[str, str] = {}
    for issue in briefing.issues:
        if issue.id in seen_issues:
            diagnostics.append(
                Diagnostic(
                    issue.pos,
                    f"duplicate issue id '{issue.id}' (also {seen_issues[issue.id]})",
                    "duplicate-id",
                )
            )
        seen_issues[issue.id] = issue.pos.path.name

    for cite in briefing.cites():
        article = articles.get(cite.article)
        if cite.article in broken_ids:
            continue
        if article is None:
            diagnostics.append(
                Diagnostic(
                    cite.pos,
                    f"cite to unknown article '{cite.article}'"
                    f"{did_you_mean(cite.article, articles)}; expected the id of a file "
                    "in content/articles/",
                    "unknown-article",
                )
            )
            continue
        if cite.quote is None:
            continue
        key = content_key(article.body_digest, cite.quote)  # no body read for a known answer
        occurs = known.get(key) if known is not None else None
        if occurs is None:
            index = indexes.get(article.id)
            if index is None:
                index = indexes[article.id] = TextIndex.of(article.body_html)
            occurs = index.find(cite.quote) is not None
            if known is not None:
                known.put(key, occurs)
        if not occurs:
            shown = cite.quote if len(cite.quote) <= 60 else cite.quote[:57] + "..."
            # a known answer may come from the store: the text is indexed only now
            from briefgen.quotehint import quote_hint  # only for a quote not found

            hint = quote_hint(cite.quote, TextIndex.of(article.body_html).text)
            diagnostics.append(
                Diagnostic(
                    cite.pos,
                    f"quote \"{shown}\" does not occur in article '{article.id}'; "
                    "expected its exact words" + (f"; {hint}" if hint else ""),
                    "quote-not-found",
                )
            )

    named = [("checklist item", w.issue, w.issue_pos) for w in briefing.watch]
    named += [("key judgment", k.issue, k.issue_pos) for k in briefing.settings.key_judgments]
    for what, issue_id, issue_pos in named:
        if issue_id and issue_id not in seen_issues and issue_id not in broken_ids:
            diagnostics.append(
                Diagnostic(
                    issue_pos,
                    f"{what} names unknown issue '{issue_id}'"
                    f"{did_you_mean(issue_id, issue_ids)}; expected one of: "
                    + (", ".join(issue_ids) or "(no issues yet)"),
                    "unknown-issue",
                )
            )
    for article in briefing.articles:
        diagnostics.extend(_article_issue_ids(article, [*issue_ids, *broken_ids]))
    return diagnostics


def _article_issue_ids(article: Article, issue_ids: list[str]) -> Iterator[Diagnostic]:
    for issue_id in article.issues:
        if issue_id not in issue_ids:
            yield Diagnostic(
                article.issues_pos,
                f"front matter 'issues' names unknown issue '{issue_id}'"
                f"{did_you_mean(issue_id, issue_ids)}",
                "unknown-issue",
            )
