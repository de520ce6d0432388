"""What changed between two snapshots: matching by id, then by text; every kind of change."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from briefgen.changes import compare, history
from briefgen.snapshot import IssueSnap, PointSnap, PositionSnap, Snapshot, SourceSnap, WatchSnap

OLD, NEW = dt.date(2026, 3, 1), dt.date(2026, 3, 8)


def snap(
    date: dt.date,
    points: tuple[PointSnap, ...] = (),
    positions: tuple[PositionSnap, ...] = (),
    checklist: tuple[WatchSnap, ...] = (),
    sources: tuple[SourceSnap, ...] = (),
    issues: tuple[IssueSnap, ...] | None = None,
) -> Snapshot:
    talks = IssueSnap("talks", "The talks", "steady", "Talks go on.", points, positions)
    return Snapshot(date, "Brief", issues if issues is not None else (talks,), checklist, sources)


def kinds(old: Snapshot, new: Snapshot) -> list[tuple[str, str, str | None, str | None]]:
    changes = compare(old, new)
    return [(c.kind, c.text, c.old, c.new) for i in changes.issues for c in i.changes] + [
        (c.kind, c.text, c.old, c.new) for c in changes.sources
    ]


def test_a_reworded_point_with_the_same_id_is_one_change() -> None:
    old = snap(OLD, (PointSnap("pace", "Talks are slow.", None, None),))
    new = snap(NEW, (PointSnap("pace", "Talks have slowed.", None, None),))
    assert kinds(old, new) == [("reworded", "Talks have slowed.", "Talks are slow.", None)]


def test_without_an_id_a_reworded_point_is_dropped_and_added() -> None:
    old = snap(OLD, (PointSnap(None, "Talks are slow.", None, None),))
    new = snap(NEW, (PointSnap(None, "Talks have slowed.", None, None),))
    assert kinds(old, new) == [
        ("added", "Talks have slowed.", None, None),
        ("dropped", "Talks are slow.", None, None),
    ]


def test_text_matches_when_ids_first_appear_and_white_space_does_not_count() -> None:
    old = snap(OLD, (PointSnap(None, "Talks  are\nslow.", "likely", "low"),))
    new = snap(NEW, (PointSnap("pace", "Talks are slow.", "very likely", "low"),))
    assert kinds(old, new) == [("likelihood", "Talks are slow.", "likely", "very likely")]


def test_positions_match_by_actor_and_checklist_items_by_id() -> None:
    old = snap(
        OLD,
        positions=(PositionSnap(None, "Beijing", "Firm."), PositionSnap(None, "Tokyo", "Calm.")),
        checklist=(
            WatchSnap("visit", "The April visit", "talks", "watching"),
            WatchSnap("ban", "Seafood ban", "talks", "triggered"),
        ),
    )
    new = snap(
        NEW,
        positions=(PositionSnap(None, "Beijing", "Firmer."), PositionSnap(None, "Seoul", "Wary.")),
        checklist=(
            WatchSnap("visit", "Trump's April visit", "talks", "resolved"),
            WatchSnap("ban", "Seafood ban", "talks", "watching"),
        ),
    )
    assert kinds(old, new) == [
        ("position-revised", "Beijing", "Firm.", "Firmer."),
        ("position-added", "Seoul", None, "Wary."),
        ("position-dropped", "Tokyo", "Calm.", None),
        ("resolved", "Trump's April visit", "watching", "resolved"),
        ("checklist-status", "Seafood ban", "triggered", "watching"),
    ]


def test_new_and_dropped_issues_and_new_sources() -> None:
    talks = IssueSnap("talks", "The talks", "steady", "Go on.", (), ())
    border = IssueSnap("border", "The border", None, "Quiet.", (), ())
    old = snap(OLD, issues=(talks,), sources=(SourceSnap("a", "Alpha", None),))
    new = snap(
        NEW,
        issues=(border,),
        sources=(SourceSnap("a", "Alpha", None), SourceSnap("b", "Beta", NEW)),
    )
    assert kinds(old, new) == [
        ("issue-added", "The border", None, None),
        ("issue-dropped", "The talks", None, None),
        ("source-added", "Beta", None, None),
    ]


def test_unchanged_editions_have_no_changes_and_the_first_is_first() -> None:
    one = snap(OLD, (PointSnap("pace", "Talks are slow.", "likely", "high"),))
    same = snap(NEW, (PointSnap("pace", "Talks are slow.", "likely", "high"),))
    assert compare(one, same).empty
    assert compare(one, same).headline() == "No changes."
    assert compare(None, one).first
    editions = history([one], same)
    assert [e.date for e in editions.entries] == [NEW, OLD]
    assert editions.current is not None and editions.current.snapshot is same
    assert editions.entries[1].changes.first


def test_key_judgments_match_by_text_then_by_their_issue() -> None:
    from briefgen.snapshot import JudgmentSnap

    old = replace(
        snap(OLD),
        key_judgments=(
            JudgmentSnap("Talks stall before May.", "talks", "likely", "low"),
            JudgmentSnap("A deal is near.", "talks", "unlikely", "low"),
        ),
    )
    new = replace(
        snap(NEW),
        key_judgments=(
            JudgmentSnap("Talks stall before May.", "talks", "very likely", "moderate"),
        ),
    )
    assert kinds(old, new) == [
        ("likelihood", "Talks stall before May.", "likely", "very likely"),
        ("confidence", "Talks stall before May.", "low", "moderate"),
        ("judgment-dropped", "A deal is near.", None, None),
    ]
    reworded = replace(
        snap(NEW),
        key_judgments=(JudgmentSnap("Talks stall until June.", "talks", "likely", "low"),),
    )
    one = replace(snap(OLD), key_judgments=old.key_judgments[:1])
    assert kinds(one, reworded) == [
        ("judgment-reworded", "Talks stall until June.", "Talks stall before May.", None)
    ]
