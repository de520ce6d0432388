"""YAML with positions: every value knows its line and column, duplicate keys are mistakes."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from textwrap import dedent

import pytest

from briefgen.errors import Diagnostic
from briefgen.frontmatter import parse_front_matter
from briefgen.yamlsrc import YMap, YScalar, YSeq, YValue, parse_yaml

FILE = Path("content/issues/talks.yaml")


def parse(text: str, line_offset: int = 0) -> tuple[YValue | None, list[str]]:
    """The parsed document and its diagnostics as the user reads them."""
    diagnostics: list[Diagnostic] = []
    node = parse_yaml(text, FILE, diagnostics, line_offset)
    return node, [str(d) for d in diagnostics]


def test_every_value_knows_where_it_was_written() -> None:
    node, problems = parse(
        dedent("""\
            title: The talks
            key_points:
              - text: Talks are slow.
                sources: [alpha, beta]
            """)
    )
    assert problems == []
    assert isinstance(node, YMap)
    assert str(node.key_pos["key_points"]) == f"{FILE}:2:1"
    assert str(node.values["title"].pos) == f"{FILE}:1:8"
    points = node.values["key_points"]
    assert isinstance(points, YSeq)
    point = points.items[0]
    assert isinstance(point, YMap)
    assert str(point.pos) == f"{FILE}:3:5"
    sources = point.values["sources"]
    assert isinstance(sources, YSeq)
    assert [(item.value, str(item.pos)) for item in sources.items if isinstance(item, YScalar)] == [
        ("alpha", f"{FILE}:4:15"),
        ("beta", f"{FILE}:4:22"),
    ]


def test_columns_count_characters_not_bytes() -> None:
    node, _ = parse("sources: [é中, alpha]\n")
    assert isinstance(node, YMap)
    sources = node.values["sources"]
    assert isinstance(sources, YSeq)
    assert str(sources.items[1].pos) == f"{FILE}:1:15"


def test_values_keep_the_types_yaml_gives_them() -> None:
    node, _ = parse("edition: 2026-03-01\norder: 3\ndraft: false\nnote:\ntitle: '2026'\n")
    assert isinstance(node, YMap)
    values = {key: value.value for key, value in node.values.items() if isinstance(value, YScalar)}
    assert values == {
        "edition": dt.date(2026, 3, 1),
        "order": 3,
        "draft": False,
        "note": None,
        "title": "2026",
    }


def test_impossible_date_is_kept_as_its_text_for_the_field_to_report() -> None:
    node, problems = parse("edition: 2026-02-30\n")
    assert problems == []
    assert isinstance(node, YMap)
    assert node.values["edition"] == YScalar(
        "2026-02-30", node.values["edition"].pos, "tag:yaml.org,2002:timestamp", "2026-02-30"
    )


def test_duplicate_key_is_reported_where_it_is_repeated_and_the_first_value_kept() -> None:
    node, problems = parse("title: First\nstatus: steady\ntitle: Second\n")
    assert problems == [f"{FILE}:3:1: duplicate key 'title' (first given on line 1)"]
    assert isinstance(node, YMap)
    assert node.values["title"] == YScalar(
        "First", node.values["title"].pos, "tag:yaml.org,2002:str", "First"
    )


def test_duplicate_key_deep_inside_a_list_is_reported_too() -> None:
    _, problems = parse(
        dedent("""\
            key_points:
              - text: One
                confidence: high
                confidence: low
            """)
    )
    assert problems == [f"{FILE}:4:5: duplicate key 'confidence' (first given on line 3)"]


def test_duplicate_of_an_empty_key_is_still_a_duplicate() -> None:
    _, problems = parse("summary:\nsummary: Written twice.\n")
    assert problems == [f"{FILE}:2:1: duplicate key 'summary' (first given on line 1)"]


def test_a_key_that_is_not_a_plain_name_is_reported_and_the_rest_read() -> None:
    node, problems = parse("? [a, b]\n: 1\ntitle: Kept\n")
    assert problems == [f"{FILE}:1:3: a key must be a plain name"]
    assert isinstance(node, YMap)
    assert list(node.values) == ["title"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "title: Talks\nsources:\n  - alpha\n  - [beta\n",
            f"{FILE}:4:5: the '[' opened here is never closed, or its items lack commas; "
            "expected ',' between items and ']' at the end",
        ),
        (
            "title: Talks\n\tstatus: steady\n",
            f"{FILE}:2:1: a tab character; YAML indents with spaces only, replace it with spaces",
        ),
        (
            "a: &x 1\nb: *x\nc: *nope\n",
            f"{FILE}:3:4: aliases such as '*name' are not allowed; write the value out in full",
        ),
        (
            "title: One\n---\ntitle: Two\n",
            f"{FILE}:2:1: a second document ('---') in one file; expected one document: "
            "remove the '---' line, or move what follows into a file of its own",
        ),
    ],
)
def test_syntax_error_is_one_message_at_its_position(text: str, message: str) -> None:
    node, problems = parse(text)
    assert node is None
    assert problems == [message]


def test_line_offset_moves_every_position_by_the_lines_before_the_yaml() -> None:
    node, _ = parse("title: Alpha\n", line_offset=1)
    assert isinstance(node, YMap)
    assert str(node.values["title"].pos) == f"{FILE}:2:8"
    _, problems = parse("title: [Alpha\n", line_offset=1)
    assert [p.split(": ", 1)[0] for p in problems] == [f"{FILE}:2:8"]


def test_front_matter_mistakes_point_at_the_line_in_the_article_file() -> None:
    path = Path("content/articles/alpha.md")
    diagnostics: list[Diagnostic] = []
    node, body = parse_front_matter(
        "---\ntitle: Alpha\ntitle: Again\n---\nBody text.\n", path, diagnostics
    )
    assert body == "Body text.\n"
    assert isinstance(node, YMap)
    assert [str(d) for d in diagnostics] == [
        f"{path}:3:1: duplicate key 'title' (first given on line 2)"
    ]


def test_an_empty_document_is_nothing_and_no_mistake() -> None:
    assert parse("") == (None, [])
    assert parse("# only a comment\n") == (None, [])
    node, _ = parse("# a comment\ntitle: Talks\n")
    assert isinstance(node, YMap) and str(node.values["title"].pos) == f"{FILE}:2:8"


def test_python_tags_are_read_as_plain_data_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    node, problems = parse(
        f"a: !!python/object/apply:os.system ['touch {os.fspath(marker)}']\n"
        "b: !!python/name:os.system x\n"
    )
    assert problems == []
    assert isinstance(node, YMap)
    command = node.values["a"]
    assert isinstance(command, YSeq)
    assert [item.value for item in command.items if isinstance(item, YScalar)] == [
        f"touch {os.fspath(marker)}"
    ]
    name = node.values["b"]
    assert isinstance(name, YScalar) and name.value == "x"
    assert not marker.exists()


BILLION_LAUGHS = dedent("""\
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    title: [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    """)


def test_an_alias_bomb_is_refused_at_once_at_its_first_alias() -> None:
    assert len(BILLION_LAUGHS.encode()) < 400
    started = time.perf_counter()
    node, problems = parse(BILLION_LAUGHS)
    assert time.perf_counter() - started < 1
    assert node is None
    assert problems == [
        f"{FILE}:2:8: aliases such as '*a' are not allowed; write the value out in full"
    ]


def test_an_alias_inside_its_own_anchor_is_a_clear_error_not_a_recursion() -> None:
    node, problems = parse("title: T\nq: &q [*q]\n")
    assert node is None
    assert problems == [
        f"{FILE}:2:8: aliases such as '*q' are not allowed; write the value out in full"
    ]


def test_binary_data_is_refused_where_it_is_written() -> None:
    node, problems = parse("title: !!binary aGVsbG8=\nsource: Wire\n")
    assert problems == [f"{FILE}:1:8: binary data (!!binary) is not allowed; expected text"]
    assert isinstance(node, YMap)
    assert node.values["source"].value == "Wire"  # the rest is still read


@pytest.mark.parametrize(
    ("text", "where", "char"),
    [
        ('title: "bell \\a here"\n', "1:8", "0007"),
        ("title: T\nsummary: 'a\x1bb'\n", "2:12", "001B"),  # raw in the file
        ("title: T\nsummary: a\x07b\n", "2:11", "0007"),  # raw in the file
        ('questions: ["ok", "nul \\0"]\n', "1:19", "0000"),
    ],
)
def test_control_characters_in_text_are_refused_at_their_position(
    text: str, where: str, char: str
) -> None:
    _, problems = parse(text)
    assert problems == [
        f"{FILE}:{where}: control character U+{char} is not allowed"
        + (" in text; remove it" if "\\" in text else "; remove it")
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "title: T\nkey_points:\n  - text: a\n   sources: [x]\n",
            "4:4: this line's indentation does not fit the block that starts on line 3; "
            "expected it indented like the entries it belongs with (spaces only)",
        ),
        (
            "title: T\nkey_points:\n\t- text: a\n",
            "3:1: a tab character; YAML indents with spaces only, replace it with spaces",
        ),
        (
            'title: T\nbottom_line: "Talks resume\nstatus: steady\n',
            '2:14: the quote " opened here is never closed; expected a closing "',
        ),
        (
            "title: T\nbottom_line Talks resume.\nstatus: steady\n",
            "2:1: missing ':' after the key in 'bottom_line Talks resume.'; expected key: value",
        ),
        (
            "title: T\nkey_points:\n  - text Talks resume.\n    sources: [x]\n",
            "3:3: missing ':' after the key in 'text Talks resume.'; expected key: value",
        ),
        (
            "title: Talks: day two\n",
            "1:13: a ': ' inside a value; put the value in quotes, e.g. title: \"Talks: day two\"",
        ),
        (
            "title: T\nbottom_line: 'it's here'\n",
            "2:18: text after the closing quote '; a quote inside a quoted value ends it: "
            "write '' for ' inside '...', or put the value in the other kind of quotes",
        ),
        (
            "items:\n  - title: A\n    issue: t\n  -title: B\n",
            "4:3: a list entry needs a space after '-'; expected '- ' before the entry",
        ),
        (
            "title: T\n  bottom_line: x\n",
            "2:3: this line is indented more than line 1, which already has its value; "
            "expected it indented like the fields around it",
        ),
    ],
)
def test_yaml_mistakes_are_told_in_the_words_of_the_writer(text: str, message: str) -> None:
    node, problems = parse(text)
    assert node is None
    assert problems == [f"{FILE}:{message}"]
