"""An edition's judgments as compact data, and the text of its file in content/editions/.

A snapshot keeps what a later edition is compared with: per issue its title, status,
bottom line, key points (likelihood, confidence), positions; the checklist items with
their status; the sources cited. Timelines, open questions, quotes and article texts
are not kept: the articles stay in content/articles/ and git keeps the rest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import yaml

from briefgen.errors import SourcePos
from briefgen.model import Briefing, Issue

FORMAT = 1
"""The version of the snapshot format, written into every file."""

HEADER = (
    "# An edition of the briefing, recorded by `briefgen build` (format {format}).\n"
    "# Later editions are compared with it; `briefgen diff` shows the changes.\n"
)


@dataclass(frozen=True, slots=True)
class JudgmentSnap:
    """One of the briefing's key judgments (briefing.yaml)."""

    text: str
    """Markdown."""
    issue: str
    likelihood: str | None
    confidence: str | None


@dataclass(frozen=True, slots=True)
class PointSnap:
    id: str | None
    text: str
    """Markdown."""
    likelihood: str | None
    confidence: str | None


@dataclass(frozen=True, slots=True)
class PositionSnap:
    id: str | None
    actor: str
    stance: str
    """Markdown."""


@dataclass(frozen=True, slots=True)
class IssueSnap:
    id: str
    title: str
    status: str | None
    bottom_line: str
    """Markdown."""
    key_points: tuple[PointSnap, ...]
    positions: tuple[PositionSnap, ...]


@dataclass(frozen=True, slots=True)
class WatchSnap:
    id: str
    """The item's stable id, else the anchor made from its title."""
    title: str
    issue: str
    status: str


@dataclass(frozen=True, slots=True)
class SourceSnap:
    id: str
    title: str
    published: dt.date | None


@dataclass(frozen=True, slots=True)
class Snapshot:
    edition: dt.date
    title: str
    issues: tuple[IssueSnap, ...]
    checklist: tuple[WatchSnap, ...]
    sources: tuple[SourceSnap, ...]
    """Every article cited, in first-cited order."""
    key_judgments: tuple[JudgmentSnap, ...] = ()
    pos: SourcePos | None = None
    """The file it was read from; None for the content being built."""


def snapshot_of(briefing: Briefing, edition: dt.date) -> Snapshot:
    """The snapshot of the briefing as it is now."""
    articles = {a.id: a for a in briefing.articles}
    cited = dict.fromkeys(c.article for c in briefing.cites() if c.article in articles)
    return Snapshot(
        edition=edition,
        title=briefing.settings.title,
        issues=tuple(_issue(issue) for issue in briefing.issues),
        checklist=tuple(
            WatchSnap(item.id, item.title, item.issue, item.status) for item in briefing.watch
        ),
        sources=tuple(SourceSnap(a, articles[a].title, articles[a].published) for a in cited),
        key_judgments=tuple(
            JudgmentSnap(j.text, j.issue, j.likelihood, j.confidence)
            for j in briefing.settings.key_judgments
        ),
    )


def _issue(issue: Issue) -> IssueSnap:
    return IssueSnap(
        id=issue.id,
        title=issue.title,
        status=issue.status,
        bottom_line=issue.bottom_line,
        key_points=tuple(
            PointSnap(p.id, p.text, p.likelihood, p.confidence) for p in issue.key_points
        ),
        positions=tuple(PositionSnap(p.id, p.actor, p.stance) for p in issue.positions),
    )


def dump(snapshot: Snapshot) -> str:
    """The file text: YAML in a fixed order, one field a line, so diffs stay readable."""
    data: dict[str, object] = {
        "format": FORMAT,
        "edition": snapshot.edition,
        "title": snapshot.title,
        "issues": {issue.id: _issue_data(issue) for issue in snapshot.issues},
        "checklist": [
            {"id": w.id, "title": w.title, "issue": w.issue, "status": w.status}
            for w in snapshot.checklist
        ],
        "sources": [_source_data(s) for s in snapshot.sources],
    }
    if snapshot.key_judgments:  # after the title, as the briefing leads with them
        data = {
            **{k: data[k] for k in ("format", "edition", "title")},
            "key_judgments": [_judgment_data(j) for j in snapshot.key_judgments],
            **{k: v for k, v in data.items() if k not in ("format", "edition", "title")},
        }
    text = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=88,
        default_flow_style=False,
    )
    return HEADER.format(format=FORMAT) + text


class _Dumper(yaml.SafeDumper):
    """Long texts as folded blocks (no quotes to escape), lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = ">" if len(value) > 80 and value == value.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _issue_data(issue: IssueSnap) -> dict[str, object]:
    out: dict[str, object] = {"title": issue.title}
    if issue.status:
        out["status"] = issue.status
    out["bottom_line"] = _flat(issue.bottom_line)
    out["key_points"] = [_point_data(p) for p in issue.key_points]
    out["positions"] = [
        {**({"id": p.id} if p.id else {}), "actor": p.actor, "stance": _flat(p.stance)}
        for p in issue.positions
    ]
    return out


def _judgment_data(judgment: JudgmentSnap) -> dict[str, object]:
    out: dict[str, object] = {"issue": judgment.issue, "text": _flat(judgment.text)}
    if judgment.likelihood:
        out["likelihood"] = judgment.likelihood
    if judgment.confidence:
        out["confidence"] = judgment.confidence
    return out


def _point_data(point: PointSnap) -> dict[str, object]:
    out: dict[str, object] = {}
    if point.id:
        out["id"] = point.id
    out["text"] = _flat(point.text)
    if point.likelihood:
        out["likelihood"] = point.likelihood
    if point.confidence:
        out["confidence"] = point.confidence
    return out


def _source_data(source: SourceSnap) -> dict[str, object]:
    out: dict[str, object] = {"id": source.id, "title": source.title}
    if source.published:
        out["published"] = source.published
    return out


def _flat(text: str) -> str:
    """Folded YAML adds its own line breaks; paragraphs keep theirs."""
    return "\n\n".join(" ".join(part.split()) for part in text.strip().split("\n\n"))
