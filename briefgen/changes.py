"""What changed from one edition to the next, and the history of all editions.

Key points and positions are matched by their stable id when both editions give one,
then by their text (a position by its actor); checklist items by id, then by title.
A reworded point that keeps its id is one point reworded, not one dropped and one added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from briefgen import urls
from briefgen.snapshot import (
    IssueSnap,
    JudgmentSnap,
    PointSnap,
    PositionSnap,
    Snapshot,
    WatchSnap,
)

T = TypeVar("T")

LABELS = {
    "issue-added": "New issue",
    "issue-dropped": "Issue no longer covered",
    "judgment-reworded": "Key judgment reworded",
    "judgment-added": "New key judgment",
    "judgment-dropped": "Key judgment dropped",
    "status": "Status",
    "bottom-line": "Bottom line revised",
    "likelihood": "Likelihood",
    "confidence": "Confidence",
    "reworded": "Key point reworded",
    "added": "New key point",
    "dropped": "Key point dropped",
    "position-added": "New position",
    "position-dropped": "Position dropped",
    "position-revised": "Position revised",
    "triggered": "Checklist item triggered",
    "resolved": "Checklist item resolved",
    "checklist-status": "Checklist item",
    "checklist-added": "New checklist item",
    "checklist-dropped": "Checklist item dropped",
    "source-added": "New source",
}


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    """One of LABELS."""
    text: str
    """What changed, as Markdown: the key point, the actor, the item's or source's title."""
    old: str | None = None
    """The value before (a status, a likelihood, the earlier wording), when one moved."""
    new: str | None = None
    target: str | None = None
    """The output path (with #anchor) where the reader finds it now, if anywhere."""

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def about_text(self) -> bool:
        """The change is a judgment or key point, shown by its (first) sentence."""
        return self.kind in ("added", "dropped", "reworded") or self.kind.startswith("judgment-")

    @property
    def reworded(self) -> bool:
        return self.kind in ("reworded", "judgment-reworded")

    @property
    def moved(self) -> bool:
        """A value went from old to new (as opposed to a text that was added or dropped)."""
        return self.kind in ("status", "likelihood", "confidence") or self.kind in (
            "triggered",
            "resolved",
            "checklist-status",
        )


@dataclass(frozen=True, slots=True)
class IssueChanges:
    id: str
    title: str
    changes: tuple[Change, ...]


@dataclass(frozen=True, slots=True)
class Changes:
    """One edition against the one before it (previous None: the first edition)."""

    edition: dt.date
    previous: dt.date | None
    issues: tuple[IssueChanges, ...]
    """Only issues with a change, in the edition's issue order, dropped issues last."""
    sources: tuple[Change, ...]

    @property
    def first(self) -> bool:
        return self.previous is None

    @property
    def empty(self) -> bool:
        return not self.issues and not self.sources

    def count(self) -> int:
        return sum(len(i.changes) for i in self.issues) + len(self.sources)

    def of_issue(self, issue_id: str) -> tuple[Change, ...]:
        for issue in self.issues:
            if issue.id == issue_id:
                return issue.changes
        return ()

    def headline(self) -> str:
        """One line for lists: the status moves, then how many other changes."""
        if self.first:
            return "The first edition."
        if self.empty:
            return "No changes."
        moves = [
            f"{i.title}: {c.old or 'no status'} → {c.new or 'no status'}"
            for i in self.issues
            for c in i.changes
            if c.kind == "status"
        ]
        others = self.count() - len(moves)
        if others:
            other = " other" if moves else ""
            moves.append(f"{others}{other} change{'s' if others != 1 else ''}")
        return "; ".join(moves) + "."


def compare(old: Snapshot | None, new: Snapshot) -> Changes:
    """What changed from old to new; old None makes new the first edition."""
    if old is None:
        return Changes(new.edition, None, (), ())
    old_issues = {i.id: i for i in old.issues}
    new_ids = {i.id for i in new.issues}
    watch = _checklist_changes(old, new)
    judged = _judgment_changes(old, new)
    issues: list[IssueChanges] = []
    for issue in new.issues:
        before = old_issues.get(issue.id)
        if before is None:
            found = [Change("issue-added", issue.title, target=urls.issue_page(issue.id))]
        else:
            found = [
                *judged.get(issue.id, []),
                *_issue_changes(before, issue),
                *watch.get(issue.id, []),
            ]
        if found:
            issues.append(IssueChanges(issue.id, issue.title, tuple(found)))
    for issue in old.issues:
        if issue.id not in new_ids:
            dropped = Change("issue-dropped", issue.title)
            issues.append(IssueChanges(issue.id, issue.title, (dropped,)))
    known = {s.id for s in old.sources}
    sources = tuple(
        Change("source-added", s.title, target=urls.article_page(s.id))
        for s in new.sources
        if s.id not in known
    )
    return Changes(new.edition, old.edition, tuple(issues), sources)


def _issue_changes(old: IssueSnap, new: IssueSnap) -> list[Change]:
    page = urls.issue_page(new.id)
    out: list[Change] = []
    if old.status != new.status:
        out.append(Change("status", new.title, old.status, new.status, page))
    if _words(old.bottom_line) != _words(new.bottom_line):
        out.append(Change("bottom-line", new.bottom_line, old.bottom_line, None, page))
    pairs, added, dropped = match(old.key_points, new.key_points, _point_text)
    for before, after in pairs:
        if before.likelihood != after.likelihood:
            out.append(Change("likelihood", after.text, before.likelihood, after.likelihood, page))
        if before.confidence != after.confidence:
            out.append(Change("confidence", after.text, before.confidence, after.confidence, page))
    for before, after in pairs:
        if _words(before.text) != _words(after.text):
            out.append(Change("reworded", after.text, before.text, None, page))
    out.extend(Change("added", p.text, None, None, page) for p in added)
    out.extend(Change("dropped", p.text) for p in dropped)
    pos_pairs, pos_added, pos_dropped = match(old.positions, new.positions, _actor)
    for old_position, new_position in pos_pairs:
        if _words(old_position.stance) != _words(new_position.stance):
            stances = (old_position.stance, new_position.stance)
            out.append(Change("position-revised", new_position.actor, *stances, page))
    out.extend(Change("position-added", p.actor, None, p.stance, page) for p in pos_added)
    out.extend(Change("position-dropped", p.actor, p.stance) for p in pos_dropped)
    return out


def _checklist_changes(old: Snapshot, new: Snapshot) -> dict[str, list[Change]]:
    """Checklist changes by issue id, for issues in both editions."""
    both = {i.id for i in old.issues} & {i.id for i in new.issues}
    out: dict[str, list[Change]] = {}
    pairs, added, dropped = match(old.checklist, new.checklist, _title)
    for before, after in pairs:
        if before.status != after.status:
            kind = after.status if after.status in ("triggered", "resolved") else "checklist-status"
            change = Change(kind, after.title, before.status, after.status, _watch_target(after))
            out.setdefault(after.issue, []).append(change)
    for item in added:
        change = Change("checklist-added", item.title, None, item.status, _watch_target(item))
        out.setdefault(item.issue, []).append(change)
    for item in dropped:
        out.setdefault(item.issue, []).append(Change("checklist-dropped", item.title, item.status))
    return {issue: changes for issue, changes in out.items() if issue in both}


def _judgment_changes(old: Snapshot, new: Snapshot) -> dict[str, list[Change]]:
    """Key judgment changes by issue id. Judgments have no id: they match by text, and
    else an issue's one judgment in each edition is the same judgment reworded."""
    left = list(old.key_judgments)
    pairs: list[tuple[JudgmentSnap, JudgmentSnap]] = []
    unmatched: list[JudgmentSnap] = []
    for judgment in new.key_judgments:
        partner = _take(left, _same_judgment(_words(judgment.text)))
        if partner is None:
            unmatched.append(judgment)
        else:
            pairs.append((partner, judgment))
    added: list[JudgmentSnap] = []
    for judgment in unmatched:
        olds = [o for o in left if o.issue == judgment.issue]
        news = [n for n in unmatched if n.issue == judgment.issue]
        if len(olds) == 1 and len(news) == 1:
            left.remove(olds[0])
            pairs.append((olds[0], judgment))
        else:
            added.append(judgment)
    out: dict[str, list[Change]] = {}
    for before, after in pairs:
        found = out.setdefault(after.issue, [])
        page = urls.INDEX
        if before.likelihood != after.likelihood:
            found.append(
                Change("likelihood", after.text, before.likelihood, after.likelihood, page)
            )
        if before.confidence != after.confidence:
            found.append(
                Change("confidence", after.text, before.confidence, after.confidence, page)
            )
        if _words(before.text) != _words(after.text):
            found.append(Change("judgment-reworded", after.text, before.text, None, page))
    for judgment in added:
        out.setdefault(judgment.issue, []).append(
            Change("judgment-added", judgment.text, None, None, urls.INDEX)
        )
    for judgment in left:
        out.setdefault(judgment.issue, []).append(Change("judgment-dropped", judgment.text))
    return out


def _same_judgment(wanted: str) -> Callable[[JudgmentSnap], bool]:
    return lambda judgment: _words(judgment.text) == wanted


def _watch_target(item: WatchSnap) -> str:
    return f"{urls.WATCH}#{item.id}"


Item = TypeVar("Item", PointSnap, PositionSnap, WatchSnap)


def match(
    old: Sequence[Item], new: Sequence[Item], key: Callable[[Item], str]
) -> tuple[list[tuple[Item, Item]], list[Item], list[Item]]:
    """Pairs (old, new) matched by id, then by key; the new ones left; the old ones left."""
    pairs: list[tuple[Item, Item]] = []
    left = list(old)
    unmatched: list[Item] = []
    for item in new:
        partner = _take(left, _same_id(item.id)) if item.id is not None else None
        if partner is None:
            unmatched.append(item)
        else:
            pairs.append((partner, item))
    added: list[Item] = []
    for item in unmatched:
        partner = _take(left, _same_text(key, _words(key(item))))
        if partner is None:
            added.append(item)
        else:
            pairs.append((partner, item))
    order = {id(item): n for n, item in enumerate(new)}
    pairs.sort(key=lambda pair: order[id(pair[1])])
    return pairs, added, left


def _same_id(wanted: str) -> Callable[[Item], bool]:
    return lambda item: item.id == wanted


def _same_text(key: Callable[[Item], str], wanted: str) -> Callable[[Item], bool]:
    return lambda item: _words(key(item)) == wanted


def _take(items: list[T], wanted: Callable[[T], bool]) -> T | None:
    for n, item in enumerate(items):
        if wanted(item):
            return items.pop(n)
    return None


def _words(text: str) -> str:
    return " ".join(text.split())


def _point_text(point: PointSnap) -> str:
    return point.text


def _actor(position: PositionSnap) -> str:
    return position.actor


def _title(item: WatchSnap) -> str:
    return item.title


# --- the history --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Edition:
    snapshot: Snapshot
    changes: Changes
    """Against the edition before it."""
    current: bool
    """The edition being built from the content (else one read from content/editions/)."""

    @property
    def date(self) -> dt.date:
        return self.snapshot.edition


@dataclass(frozen=True, slots=True)
class Editions:
    """Every edition, newest first; the one being built among them when it has a date."""

    entries: tuple[Edition, ...] = ()

    @property
    def current(self) -> Edition | None:
        return next((e for e in self.entries if e.current), None)

    @property
    def changes(self) -> Changes | None:
        """What changed in the edition being built; None when it has no edition date."""
        current = self.current
        return current.changes if current is not None else None

    def get(self, date: dt.date) -> Edition | None:
        return next((e for e in self.entries if e.date == date), None)


NO_EDITIONS = Editions()
"""For a briefing without an edition date and no recorded editions."""


def history(recorded: Iterable[Snapshot], current: Snapshot | None) -> Editions:
    """All editions: those recorded, with the content's own in place of its date's file."""
    by_date = {s.edition: s for s in recorded}
    if current is not None:
        by_date[current.edition] = current
    ordered = sorted(by_date.values(), key=lambda s: s.edition)
    entries = [
        Edition(snap, compare(ordered[n - 1] if n else None, snap), snap is current)
        for n, snap in enumerate(ordered)
    ]
    return Editions(tuple(reversed(entries)))
