"""Rules across files: cites resolve, quotes occur, issue ids exist and are unique."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.check import check
from briefgen.load import load
from briefgen.project import find_project

# Messages show p/content/... as a user running in tmp_path sees them.
pytestmark = pytest.mark.usefixtures("chdir_tmp")

ISSUE = "p/content/issues/talks.yaml"
ALPHA = """\
    ---
    title: Alpha report
    published: 2026-02-27
    ---
    The minister said the talks were “slow but
    serious” on Monday — and would resume in *ninety days*.
    """


def mistakes(root: Path) -> tuple[list[str], list[str]]:
    """What loading reports, and what the cross-file check then adds."""
    loaded = load(find_project(root))
    return (
        [str(d) for d in loaded.diagnostics],
        [str(d) for d in check(loaded.briefing, loaded.broken_ids)],
    )


def issue_citing(*sources: str) -> str:
    """talks.yaml with one key point citing sources (YAML flow entries)."""
    return (
        "title: The talks\n"
        "bottom_line: Talks continue.\n"
        "key_points:\n"
        "  - text: Talks are slow.\n"
        "    sources:\n" + "".join(f"      - {source}\n" for source in sources)
    )


def test_the_minimal_project_is_sound_and_its_quote_is_checked(
    project: Callable[..., Path],
) -> None:
    root = project()
    assert mistakes(root) == ([], [])
    talks = root / "content/issues/talks.yaml"
    talks.write_text(talks.read_text().replace("slow but serious", "slow and serious"))
    assert mistakes(root) == (
        [],
        [
            f"{ISSUE}:8:9: quote \"slow and serious\" does not occur in article 'alpha'; "
            'expected its exact words; the article has “"slow but serious"”: one word '
            "differs, 'and' / 'but'"
        ],
    )


def test_cite_to_unknown_article_names_the_closest_id(project: Callable[..., Path]) -> None:
    root = project({"content/issues/talks.yaml": issue_citing("alpah", "zulu")})
    assert mistakes(root)[1] == [
        f"{ISSUE}:6:9: cite to unknown article 'alpah' (did you mean 'alpha'?); "
        "expected the id of a file in content/articles/",
        f"{ISSUE}:7:9: cite to unknown article 'zulu'; "
        "expected the id of a file in content/articles/",
    ]


def test_quote_matches_across_line_breaks_curly_quotes_dashes_and_emphasis(
    project: Callable[..., Path],
) -> None:
    root = project(
        {
            "content/articles/alpha.md": ALPHA,
            "content/issues/talks.yaml": issue_citing(
                "{article: alpha, quote: 'slow but serious'}",
                "{article: alpha, quote: '\"slow but serious\" on Monday - and'}",
                "{article: alpha, quote: 'resume in ninety days'}",
                "{article: alpha, quote: 'in ninety da'}",
            ),
        }
    )
    assert mistakes(root) == (
        [],
        [
            f"{ISSUE}:9:9: quote \"in ninety da\" does not occur in article 'alpha'; "
            "expected its exact words; the article has “in ninety days”: one word differs, "
            "'da' / 'days'"
        ],
    )


def test_long_quote_is_shortened_in_the_message(project: Callable[..., Path]) -> None:
    quote = "The minister said the talks were slow but serious, on Tuesday, in Geneva."
    root = project(
        {"content/issues/talks.yaml": issue_citing(f"{{article: alpha, quote: '{quote}'}}")}
    )
    assert mistakes(root)[1] == [
        f"{ISSUE}:6:9: quote \"{quote[:57]}...\" does not occur in article 'alpha'; "
        "expected its exact words; the closest passage is “The minister said the talks "
        'were "slow but serious" on Monday”'
    ]


@pytest.mark.parametrize(
    ("quote", "hint"),
    [
        ("Slow But Serious", 'the article has “"slow but serious"”, which differs only in case'),
        (
            "talks were slow, but serious",
            'the article has “talks were "slow but serious"”, which differs in punctuation',
        ),
        (
            "The Talks were slow but serious",
            'the article has “the talks were "slow but serious"”, which differs in '
            "punctuation and case",
        ),
        (
            "the talks were slow but earnest",
            'the article has “the talks were "slow but serious"”: one word differs, '
            "'earnest' / 'serious'",
        ),
        ("bananas grow on trees in winter", None),
    ],
)
def test_a_quote_not_found_says_how_the_closest_passage_differs(
    quote: str, hint: str | None, project: Callable[..., Path]
) -> None:
    root = project(
        {"content/issues/talks.yaml": issue_citing(f"{{article: alpha, quote: '{quote}'}}")}
    )
    expected = (
        f"{ISSUE}:6:9: quote \"{quote}\" does not occur in article 'alpha'; "
        "expected its exact words"
    )
    assert mistakes(root)[1] == [expected + (f"; {hint}" if hint else "")]


def test_checklist_item_with_unknown_issue_lists_the_issues(project: Callable[..., Path]) -> None:
    root = project({"content/watch.yaml": "items:\n  - title: Next round\n    issue: talk\n"})
    assert mistakes(root)[1] == [
        "p/content/watch.yaml:3:12: checklist item names unknown issue 'talk' "
        "(did you mean 'talks'?); expected one of: talks"
    ]


def test_checklist_item_before_any_issue_says_there_are_none(
    project: Callable[..., Path],
) -> None:
    root = project(drop=("content/issues/talks.yaml",))
    assert mistakes(root)[1] == [
        "p/content/watch.yaml:3:12: checklist item names unknown issue 'talks'; "
        "expected one of: (no issues yet)"
    ]


def test_article_tagged_with_unknown_issue_is_reported_at_its_issues_line(
    project: Callable[..., Path],
) -> None:
    root = project(
        {"content/articles/beta.md": "---\ntitle: Beta\nissues: [talks, tlaks]\n---\nText.\n"}
    )
    assert mistakes(root)[1] == [
        "p/content/articles/beta.md:3:9: front matter 'issues' names unknown issue 'tlaks' "
        "(did you mean 'talks'?)"
    ]


def test_two_issue_files_with_one_id_are_reported(project: Callable[..., Path]) -> None:
    root = project({"content/issues/talks.yml": "title: Talks again\nbottom_line: Same id.\n"})
    assert mistakes(root)[1] == [
        "p/content/issues/talks.yml:1:1: duplicate issue id 'talks' (also talks.yaml)"
    ]


def test_cites_to_a_broken_file_are_not_reported_again(project: Callable[..., Path]) -> None:
    root = project(
        {
            "content/articles/alpha.md": "---\ntitle: [unclosed\n---\nText.\n",
            "content/issues/talks.yaml": issue_citing(
                "{article: alpha, quote: not in any article}", "zulu"
            ),
            "content/issues/trade.yaml": "title: [unclosed\n",
            "content/watch.yaml": "items:\n  - title: Tariffs\n    issue: trade\n",
        }
    )
    loading, checking = mistakes(root)
    assert [m.split(": ", 1)[0] for m in loading] == [
        "p/content/articles/alpha.md:2:8",
        "p/content/issues/trade.yaml:1:8",
    ]
    assert checking == [
        f"{ISSUE}:7:9: cite to unknown article 'zulu'; "
        "expected the id of a file in content/articles/"
    ]
