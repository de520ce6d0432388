"""The recorded editions in content/editions/: read with positions, and recorded by a build.

One file per edition, content/editions/<YYYY-MM-DD>.yaml, committed with the content.
A build records its own edition (replacing that date's file); it never rewrites an older
one, and refuses to build an edition older than the latest recorded unless asked.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from briefgen.changes import Editions, history
from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.fields import Fields, slug_problem
from briefgen.model import CONFIDENCES, LIKELIHOODS, STATUSES, WATCH_STATUSES, Briefing
from briefgen.project import Project
from briefgen.snapshot import (
    FORMAT,
    IssueSnap,
    JudgmentSnap,
    PointSnap,
    PositionSnap,
    Snapshot,
    SourceSnap,
    WatchSnap,
    dump,
    snapshot_of,
)
from briefgen.write import replace_file
from briefgen.yamlsrc import YMap, YValue, parse_yaml, type_name

FOLDER = "editions"
SUFFIX = ".yaml"


def editions_dir(project: Project) -> Path:
    return project.content / FOLDER


def snapshot_path(project: Project, edition: dt.date) -> Path:
    return editions_dir(project) / f"{edition.isoformat()}{SUFFIX}"


def load_editions(project: Project, briefing: Briefing, diagnostics: list[Diagnostic]) -> Editions:
    """Every recorded edition and the content's own; mistakes in the files go to diagnostics."""
    recorded = read_snapshots(project, diagnostics)
    edition = briefing.settings.edition
    current = snapshot_of(briefing, edition) if edition is not None else None
    return history(recorded, current)


def read_snapshots(project: Project, diagnostics: list[Diagnostic]) -> list[Snapshot]:
    folder = editions_dir(project)
    if not folder.is_dir():
        return []
    out: list[Snapshot] = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        snapshot = read_snapshot(path, diagnostics)
        if snapshot is not None:
            out.append(snapshot)
    return out


def read_snapshot(path: Path, diagnostics: list[Diagnostic]) -> Snapshot | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        diagnostics.append(Diagnostic(SourcePos(path), f"cannot read the edition: {exc}"))
        return None
    reported = len(diagnostics)
    node = parse_yaml(text, path, diagnostics)
    if len(diagnostics) > reported:
        return None
    if not isinstance(node, YMap):
        found = type_name(node) if node is not None else "an empty file"
        where = node.pos if node is not None else SourcePos(path)
        diagnostics.append(
            Diagnostic(where, f"an edition must be a mapping of fields, not {found}")
        )
        return None
    f = Fields(
        node,
        ("format", "edition", "title", "key_judgments", "issues", "checklist", "sources"),
        diagnostics,
        "edition",
    )
    version = f.integer("format")
    if version is not None and version != FORMAT:
        f.error(f.pos("format"), f"field 'format' is {version}; expected {FORMAT}")
    edition = f.date("edition", required=True)
    if edition is not None and path.stem != edition.isoformat():
        f.error(
            f.pos("edition"),
            f"field 'edition' is {edition.isoformat()} but the file is named {path.name}; "
            f"expected {edition.isoformat()}{SUFFIX}",
        )
    title = f.text("title") or ""
    issues = _issues(f, diagnostics)
    checklist = tuple(
        w for w in (_watch(e, diagnostics) for e in _maps(f, "checklist", diagnostics)) if w
    )
    sources = tuple(
        s for s in (_source(e, diagnostics) for e in _maps(f, "sources", diagnostics)) if s
    )
    judgments = tuple(
        j for j in (_judgment(e, diagnostics) for e in _maps(f, "key_judgments", diagnostics)) if j
    )
    if len(diagnostics) > reported or edition is None:
        return None
    return Snapshot(edition, title, issues, checklist, sources, judgments, node.pos)


def _judgment(node: YMap, diagnostics: list[Diagnostic]) -> JudgmentSnap | None:
    f = Fields(node, ("issue", "text", "likelihood", "confidence"), diagnostics, "key judgment")
    issue = f.text("issue", required=True)
    text = f.text("text", required=True)
    likelihood = f.choice("likelihood", LIKELIHOODS)
    confidence = f.choice("confidence", CONFIDENCES)
    if issue is None or text is None:
        return None
    return JudgmentSnap(text, issue, likelihood, confidence)


def _maps(f: Fields, key: str, diagnostics: list[Diagnostic]) -> list[YMap]:
    out: list[YMap] = []
    for entry in f.items(key):
        if isinstance(entry, YMap):
            out.append(entry)
        else:
            diagnostics.append(
                Diagnostic(
                    entry.pos, f"each entry of '{key}' must be a mapping, not {type_name(entry)}"
                )
            )
    return out


def _issues(f: Fields, diagnostics: list[Diagnostic]) -> tuple[IssueSnap, ...]:
    node = f.mapping("issues")
    if node is None:
        return ()
    out: list[IssueSnap] = []
    for issue_id, value in node.values.items():
        problem = slug_problem(issue_id)
        if problem is not None:
            diagnostics.append(Diagnostic(node.key_pos[issue_id], f"an issue id {problem}"))
            continue
        issue = _issue(issue_id, value, diagnostics)
        if issue is not None:
            out.append(issue)
    return tuple(out)


def _issue(issue_id: str, node: YValue, diagnostics: list[Diagnostic]) -> IssueSnap | None:
    if not isinstance(node, YMap):
        diagnostics.append(
            Diagnostic(node.pos, f"issue '{issue_id}' must be a mapping, not {type_name(node)}")
        )
        return None
    f = Fields(
        node,
        ("title", "status", "bottom_line", "key_points", "positions"),
        diagnostics,
        "edition issue",
    )
    title = f.text("title", required=True)
    status = f.choice("status", STATUSES)
    bottom_line = f.text("bottom_line") or ""
    points = tuple(
        p for p in (_point(e, diagnostics) for e in _maps(f, "key_points", diagnostics)) if p
    )
    positions = tuple(
        p for p in (_position(e, diagnostics) for e in _maps(f, "positions", diagnostics)) if p
    )
    if title is None:
        return None
    return IssueSnap(issue_id, title, status, bottom_line, points, positions)


def _point(node: YMap, diagnostics: list[Diagnostic]) -> PointSnap | None:
    f = Fields(node, ("id", "text", "likelihood", "confidence"), diagnostics, "key point")
    text = f.text("text", required=True)
    point = PointSnap(
        f.text("id"),
        text or "",
        f.choice("likelihood", LIKELIHOODS),
        f.choice("confidence", CONFIDENCES),
    )
    return point if text is not None else None


def _position(node: YMap, diagnostics: list[Diagnostic]) -> PositionSnap | None:
    f = Fields(node, ("id", "actor", "stance"), diagnostics, "position")
    actor = f.text("actor", required=True)
    stance = f.text("stance") or ""
    return PositionSnap(f.text("id"), actor, stance) if actor is not None else None


def _watch(node: YMap, diagnostics: list[Diagnostic]) -> WatchSnap | None:
    f = Fields(node, ("id", "title", "issue", "status"), diagnostics, "checklist item")
    item_id = f.text("id", required=True)
    title = f.text("title", required=True)
    issue = f.text("issue", required=True)
    status = f.choice("status", WATCH_STATUSES) or "watching"
    if item_id is None or title is None or issue is None:
        return None
    return WatchSnap(item_id, title, issue, status)


def _source(node: YMap, diagnostics: list[Diagnostic]) -> SourceSnap | None:
    f = Fields(node, ("id", "title", "published"), diagnostics, "source")
    source_id = f.text("id", required=True)
    title = f.text("title", required=True)
    published = f.date("published")
    if source_id is None or title is None:
        return None
    return SourceSnap(source_id, title, published)


# --- recording ---------------------------------------------------------------------------


def check_order(editions: Editions, briefing: Briefing, allow_older: bool) -> None:
    """Refuse to build an edition older than the latest recorded, unless allowed."""
    current = editions.current
    if current is None or allow_older:
        return
    newer = [e for e in editions.entries if not e.current and e.date > current.date]
    if newer:
        latest = max(e.date for e in newer)
        raise BuildFailed(
            [
                Diagnostic(
                    briefing.settings.pos,
                    f"edition {current.date.isoformat()} is older than the latest recorded "
                    f"edition {latest.isoformat()} (content/editions/); expected a date after "
                    "it, or --older-edition to record an earlier edition on purpose",
                )
            ]
        )


def record(project: Project, editions: Editions) -> Path | None:
    """Write the current edition's snapshot; return its path when the file changed."""
    current = editions.current
    if current is None:
        return None
    path = snapshot_path(project, current.date)
    data = dump(current.snapshot).encode("utf-8")
    try:
        if path.is_file() and path.read_bytes() == data:
            return None
        path.parent.mkdir(exist_ok=True)
        replace_file(path, data)
    except OSError as exc:
        raise BuildFailed(
            [Diagnostic(SourcePos(path), f"cannot record the edition: {exc.strerror or exc}")]
        ) from exc
    return path
