"""`draft: true` keeps articles, issues and checklist items out of a build; --drafts
brings them in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .conftest import Result

DRAFTS = {
    "content/articles/beta.md": """\
        ---
        title: Beta draft report
        draft: true
        issues: [talks]
        ---
        Not ready yet.
        """,
    "content/issues/sanctions.yaml": """\
        title: Sanctions in draft
        draft: true
        bottom_line: Unsettled.
        """,
    "content/watch.yaml": """\
        items:
          - title: Next round
            issue: talks
            sources: [alpha]
          - title: Secret meeting
            issue: talks
            draft: true
          - title: Asset freeze
            issue: sanctions
        """,
}


def site_text(root: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (root / "site").rglob("*.html"))


def test_drafts_stay_out_unless_asked_for(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project(DRAFTS)
    result = run("build", root, "--no-pdf", "--search")
    assert result.code == 0, result.err
    site = root / "site"
    assert not (site / "articles" / "beta").exists()
    assert not (site / "issues" / "sanctions").exists()
    text = site_text(root)
    for hidden in ("Beta draft report", "Sanctions in draft", "Secret meeting", "Asset freeze"):
        assert hidden not in text, hidden
    assert "Next round" in (site / "watch" / "index.html").read_text(encoding="utf-8")
    assert "Beta draft" not in (site / "feed.xml").read_text(encoding="utf-8")
    assert "Not ready yet" not in (site / "pagefind" / "pagefind-entry.json").read_text()

    with_drafts = run("build", root, "--no-pdf", "--drafts")
    assert with_drafts.code == 0, with_drafts.err
    assert (site / "articles" / "beta" / "index.html").is_file()
    assert (site / "issues" / "sanctions" / "index.html").is_file()
    text = site_text(root)
    for shown in ("Beta draft report", "Sanctions in draft", "Secret meeting", "Asset freeze"):
        assert shown in text, shown

    again = run("build", root, "--no-pdf")  # and out again
    assert "up to date" not in again.out
    assert not (site / "articles" / "beta").exists()
    assert run("check", root).out.startswith("ok: 1 article, 1 issue, 1 checklist item")
    assert run("check", root, "--drafts").out.startswith("ok: 2 articles, 2 issues, 3 checklist")


def test_a_cite_of_a_draft_article_is_an_error_at_the_cite(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project(
        {
            "content/articles/alpha.md": "---\ntitle: Alpha report\ndraft: true\n---\n"
            'The minister said the talks were "slow but serious" on Monday.\n'
        }
    )
    result = run("build", root, "--no-pdf")
    assert result.code == 1
    assert (
        "content/issues/talks.yaml:8:9: cites article 'alpha', which is a draft (draft: true)"
        in result.err
    )
    assert "content/watch.yaml:4:15: cites article 'alpha', which is a draft" in result.err
    assert "unknown article" not in result.err  # said once, as a draft
    assert not (root / "site").exists()
    assert run("build", root, "--no-pdf", "--drafts").code == 0


def test_draft_must_be_true_or_false(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project(
        {"content/issues/talks.yaml": "title: T\nbottom_line: B.\ndraft: [soon]\n"}, drop=()
    )
    result = run("check", root)
    assert result.code == 1
    assert "content/issues/talks.yaml:3:8: field 'draft' must be true or false, not a list" in (
        result.err
    )
