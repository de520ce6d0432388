"""Drafts: articles, issues and checklist items marked `draft: true` stay out of a
build unless it is asked for them (`--drafts`).

What is left must stand on its own: a cite of a draft article from published text
is a mistake, named at the cite, rather than a dangling link.
"""

from __future__ import annotations

from dataclasses import replace

from briefgen.errors import Diagnostic
from briefgen.model import Briefing, Cite


def without_drafts(briefing: Briefing) -> tuple[Briefing, list[Diagnostic]]:
    """The briefing less its drafts, and the cites that point into them."""
    draft_articles = {a.id for a in briefing.articles if a.draft}
    draft_issues = {i.id for i in briefing.issues if i.draft}
    if not draft_articles and not draft_issues and not any(w.draft for w in briefing.watch):
        return briefing, []
    issues = tuple(i for i in briefing.issues if not i.draft)
    watch = tuple(w for w in briefing.watch if not w.draft and w.issue not in draft_issues)
    judgments = tuple(k for k in briefing.settings.key_judgments if k.issue not in draft_issues)
    articles = tuple(
        a
        if not set(a.issues) & draft_issues
        else replace(a, issues=tuple(i for i in a.issues if i not in draft_issues))
        for a in briefing.articles
        if not a.draft
    )
    cited: list[Cite] = [c for i in issues for c in i.cites()]
    cited += [c for w in watch for c in w.sources]
    cited += [c for k in judgments for c in k.sources]
    diagnostics = [
        Diagnostic(
            cite.pos,
            f"cites article '{cite.article}', which is a draft (draft: true); "
            "expected a published article (or build with --drafts)",
        )
        for cite in cited
        if cite.article in draft_articles
    ]
    settings = replace(briefing.settings, key_judgments=judgments)
    kept = replace(briefing, settings=settings, articles=articles, issues=issues, watch=watch)
    return kept, diagnostics
