"""Typed fields: each mistake is one message at file:line:col saying what was expected."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefgen.errors import Diagnostic
from briefgen.fields import Fields, slug_problem
from briefgen.yamlsrc import YMap, YScalar, parse_yaml

FILE = Path("content/issues/talks.yaml")
ISSUE_KEYS = ("title", "status", "bottom_line", "key_points", "questions", "order", "edition")
STATUSES = ("escalating", "steady", "easing")


def read(text: str, allowed: tuple[str, ...] = ISSUE_KEYS) -> tuple[Fields, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    node = parse_yaml(text, FILE, diagnostics)
    assert isinstance(node, YMap) and diagnostics == []
    return Fields(node, allowed, diagnostics, "issue"), diagnostics


def messages(diagnostics: list[Diagnostic]) -> list[str]:
    return [str(d) for d in diagnostics]


def test_unknown_key_is_reported_at_the_key_with_a_suggestion_and_the_choices() -> None:
    _, diagnostics = read("title: Talks\nbotom_line: Slow.\n", ("title", "bottom_line"))
    assert messages(diagnostics) == [
        f"{FILE}:2:1: unknown key 'botom_line' in issue (did you mean 'bottom_line'?); "
        "expected one of: title, bottom_line"
    ]


def test_unknown_key_without_a_close_match_lists_the_choices_only() -> None:
    _, diagnostics = read("title: Talks\nzzz: 1\n", ("title",))
    assert messages(diagnostics) == [
        f"{FILE}:2:1: unknown key 'zzz' in issue; expected one of: title"
    ]


def test_missing_and_empty_required_fields_are_reported() -> None:
    f, diagnostics = read("status: steady\nbottom_line:\ntitle: '  '\n")
    assert f.text("bottom_line", required=True) is None
    assert f.text("title", required=True) == "  "
    assert f.text("questions") is None  # optional: no message
    assert messages(diagnostics) == [
        f"{FILE}:1:1: missing required field 'bottom_line' in issue",
        f"{FILE}:3:8: field 'title' must not be empty",
    ]


def test_unquoted_numbers_and_dates_are_still_text() -> None:
    f, diagnostics = read("title: 2026\nbottom_line: 2026-03-01\n")
    assert f.text("title") == "2026"
    assert f.text("bottom_line") == "2026-03-01"
    assert diagnostics == []


def test_text_takes_yes_no_and_on_as_written_whatever_yaml_1_1_says() -> None:
    f, diagnostics = read("title: NO\nbottom_line: yes\nstatus: on\nquestions: [1.10, Off]\n")
    assert (f.text("title"), f.text("bottom_line"), f.text("status")) == ("NO", "yes", "on")
    assert f.texts("questions") == ("1.10", "Off")
    assert diagnostics == []


def test_text_refuses_lists_and_mappings_naming_what_it_found() -> None:
    f, diagnostics = read("bottom_line: [a, b]\nstatus: {a: 1}\n")
    assert (f.text("bottom_line"), f.text("status")) == (None, None)
    assert messages(diagnostics) == [
        f"{FILE}:1:14: field 'bottom_line' must be text, not a list",
        f"{FILE}:2:9: field 'status' must be text, not a mapping",
    ]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-03-01", dt.date(2026, 3, 1)),
        ("'2026-03-01'", dt.date(2026, 3, 1)),
        ("2026-03-01 09:30:00", dt.date(2026, 3, 1)),
    ],
)
def test_dates_are_read_quoted_or_not_and_with_a_time(written: str, expected: dt.date) -> None:
    f, diagnostics = read(f"edition: {written}\n")
    assert f.date("edition") == expected
    assert diagnostics == []


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("2026-02-30", "February 2026 has 28 days"),
        ("'2026-02-30'", "February 2026 has 28 days"),
        ("2024-02-30", "February 2024 has 29 days"),
        ("2026-04-31", "April 2026 has 30 days"),
        ("2026-13-01", "there is no month 13"),
        ("2026-04-00", "there is no day 0"),
        ("0000-01-01", "there is no year 0"),
    ],
)
def test_impossible_date_says_why_it_is_no_day_of_the_calendar(written: str, why: str) -> None:
    f, diagnostics = read(f"edition: {written}\n")
    assert f.date("edition") is None
    shown = written.strip("'")
    assert messages(diagnostics) == [
        f"{FILE}:1:10: field 'edition' is '{shown}', not a real date: {why}"
    ]


@pytest.mark.parametrize(
    ("written", "shown"),
    [("March 1st", "March 1st"), ("20260301", "20260301"), ("[2026]", "a list")],
)
def test_date_in_another_form_asks_for_yyyy_mm_dd(written: str, shown: str) -> None:
    f, diagnostics = read(f"edition: {written}\n")
    assert f.date("edition") is None
    assert messages(diagnostics) == [
        f"{FILE}:1:10: field 'edition' must be a date YYYY-MM-DD, not '{shown}'"
    ]


def test_missing_required_date_is_reported() -> None:
    f, diagnostics = read("title: Talks\n")
    assert f.date("edition", required=True) is None
    assert messages(diagnostics) == [f"{FILE}:1:1: missing required field 'edition' in issue"]


def test_choice_suggests_the_closest_and_lists_all() -> None:
    f, diagnostics = read("status: steady\ntitle: steadyy\nbottom_line: 3\n")
    assert f.choice("status", STATUSES) == "steady"
    assert f.choice("title", STATUSES) is None
    assert f.choice("bottom_line", STATUSES) is None
    assert messages(diagnostics) == [
        f"{FILE}:2:8: field 'title' is 'steadyy' (did you mean 'steady'?); "
        "expected one of: escalating, steady, easing",
        f"{FILE}:3:14: field 'bottom_line' must be one of: escalating, steady, easing, "
        "not a number",
    ]


def test_integer_accepts_whole_numbers_only() -> None:
    f, diagnostics = read("order: 3\ntitle: true\nstatus: three\n")
    assert f.integer("order") == 3
    assert f.integer("title") is None
    assert f.integer("status") is None
    assert f.integer("questions") is None  # absent: no message
    assert messages(diagnostics) == [
        f"{FILE}:2:8: field 'title' must be a whole number, not true/false",
        f"{FILE}:3:9: field 'status' must be a whole number, not text",
    ]


def test_list_fields_report_a_single_value_and_each_bad_entry() -> None:
    f, diagnostics = read(
        "questions:\n  - Will talks resume?\n  - 42\n  - {a: b}\n  -\ntitle: One question?\n"
    )
    assert f.texts("questions") == ("Will talks resume?", "42")
    assert f.texts("title") == ()
    assert messages(diagnostics) == [
        f"{FILE}:4:5: each entry of 'questions' must be text, not a mapping",
        f"{FILE}:5:4: each entry of 'questions' must be text, not nothing",
        f"{FILE}:6:8: field 'title' must be a list, not text",
    ]


def test_a_list_of_texts_refuses_lists_inside_it() -> None:
    f, diagnostics = read("questions:\n  - Will talks resume?\n  - [a, b]\n  - no\n")
    assert f.texts("questions") == ("Will talks resume?", "no")
    assert messages(diagnostics) == [
        f"{FILE}:3:5: each entry of 'questions' must be text, not a list"
    ]


def test_mapping_field_must_hold_fields() -> None:
    f, diagnostics = read("key_points: {text: One}\ntitle: Talks\n")
    points = f.mapping("key_points")
    assert isinstance(points, YMap) and list(points.values) == ["text"]
    assert f.mapping("title") is None
    assert messages(diagnostics) == [
        f"{FILE}:2:8: field 'title' must be a mapping of fields, not text"
    ]


def test_position_of_a_field_falls_back_to_its_mapping() -> None:
    f, _ = read("title: Talks\nstatus: steady\n")
    assert str(f.pos("status")) == f"{FILE}:2:9"
    assert str(f.pos("questions")) == f"{FILE}:1:1"
    assert f.has("title") and not f.has("questions")


def test_an_empty_value_counts_as_not_given() -> None:
    f, _ = read("questions:\n")
    assert not f.has("questions")
    assert f.node.values["questions"] == YScalar(None, f.pos("questions"), "tag:yaml.org,2002:null")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("talks-2026_v1.2", None),
        ("", "must not be empty"),
        ("-talks", "must start with a letter or digit"),
        ("the talks", "may hold only ASCII letters, digits, '-', '_' and '.', not ' '"),
        ("a/b!", "may hold only ASCII letters, digits, '-', '_' and '.', not '!', '/'"),
        ("café", "may hold only ASCII letters, digits, '-', '_' and '.', not 'é'"),
    ],
)
def test_slug_problem_names_the_characters_an_id_may_not_hold(
    value: str, problem: str | None
) -> None:
    assert slug_problem(value) == problem
