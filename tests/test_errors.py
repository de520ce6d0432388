"""Every class of content mistake: exact path:line:col, a clear message, exit 1, no traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result, tiny_png

ISSUE = "p/content/issues/talks.yaml"
ARTICLE = "p/content/articles/alpha.md"
WATCH = "p/content/watch.yaml"
SETTINGS = "p/content/briefing.yaml"

CASES: dict[str, tuple[dict[str, str | bytes], str]] = {
    "yaml syntax": (
        {"content/issues/talks.yaml": "title: The talks\nbottom_line: [unclosed\nstatus: steady\n"},
        f"{ISSUE}:2:14: the '[' opened here is never closed, or its items lack commas",
    ),
    "unknown key with suggestion": (
        {"content/issues/talks.yaml": "title: T\nbotom_line: x\nbottom_line: y\n"},
        f"{ISSUE}:2:1: unknown key 'botom_line' in issue (did you mean 'bottom_line'?)",
    ),
    "duplicate key": (
        {"content/issues/talks.yaml": "title: T\nbottom_line: y\ntitle: U\n"},
        f"{ISSUE}:3:1: duplicate key 'title' (first given on line 1)",
    ),
    "missing required field": (
        {"content/issues/talks.yaml": "title: T\nstatus: steady\n"},
        f"{ISSUE}:1:1: missing required field 'bottom_line' in issue",
    ),
    "wrong type": (
        {"content/issues/talks.yaml": "title: T\nbottom_line: y\nquestions: not a list\n"},
        f"{ISSUE}:3:12: field 'questions' must be a list, not text",
    ),
    "bad date": (
        {
            "content/issues/talks.yaml": (
                "title: T\nbottom_line: y\ntimeline:\n"
                "  - date: 2026-02-30\n    event: Something\n    sources: [alpha]\n"
            )
        },
        f"{ISSUE}:4:11: field 'date' is '2026-02-30', not a real date: February 2026 has 28 days",
    ),
    "month that does not exist": (
        {"content/articles/alpha.md": "---\ntitle: Alpha\npublished: 2026-13-01\n---\nText.\n"},
        f"{ARTICLE}:3:12: field 'published' is '2026-13-01', not a real date: there is no month 13",
    ),
    "bad status": (
        {"content/issues/talks.yaml": "title: T\nbottom_line: y\nstatus: escalated\n"},
        f"{ISSUE}:3:9: field 'status' is 'escalated' (did you mean 'escalating'?); "
        "expected one of: escalating, steady, easing",
    ),
    "bad confidence": (
        {
            "content/issues/talks.yaml": (
                "title: T\nbottom_line: y\nkey_points:\n  - text: x\n    confidence: certain\n"
            )
        },
        f"{ISSUE}:5:17: field 'confidence' is 'certain'; expected one of: high, moderate, low",
    ),
    "duplicate article id": (
        {"content/articles/beta.md": "---\ntitle: Beta\nid: alpha\n---\nText.\n"},
        "p/content/articles/beta.md:1:1: duplicate article id 'alpha' (also alpha.md)",
    ),
    "article id that does not start with a letter or digit": (
        {"content/articles/beta.md": "---\ntitle: Beta\nid: .hidden\n---\nText.\n"},
        "p/content/articles/beta.md:3:5: field 'id' is '.hidden'; "
        "an id must start with a letter or digit",
    ),
    "article id with characters an id cannot hold": (
        {"content/articles/beta.md": "---\ntitle: Beta\nid: a/b c\n---\nText.\n"},
        "p/content/articles/beta.md:3:5: field 'id' is 'a/b c'; an id may hold only "
        "ASCII letters, digits, '-', '_' and '.', not ' ', '/'",
    ),
    "article id that is the sources list's file name": (
        {"content/articles/beta.md": "---\ntitle: Beta\nid: index.html\n---\nText.\n"},
        "p/content/articles/beta.md:3:5: field 'id' is 'index.html'; an id must not end "
        "in '.html' or '.xml', as it names the folder of the article's page",
    ),
    "article file name that gives no usable id": (
        {"content/articles/index.html.md": "---\ntitle: Beta\n---\nText.\n"},
        "p/content/articles/index.html.md:1:1: file name 'index.html.md' does not give a "
        "usable id: an id must not end in '.html' or '.xml'",
    ),
    "unknown issue id in checklist": (
        {"content/watch.yaml": "items:\n  - title: X\n    issue: talk\n"},
        f"{WATCH}:3:12: checklist item names unknown issue 'talk' (did you mean 'talks'?)",
    ),
    "unknown issue id in article front matter": (
        {"content/articles/beta.md": "---\ntitle: Beta\nissues: [talks, tlaks]\n---\nText.\n"},
        "p/content/articles/beta.md:3:9: front matter 'issues' names unknown issue 'tlaks'",
    ),
    "cite to a missing article": (
        {"content/watch.yaml": "items:\n  - title: X\n    issue: talks\n    sources: [alpah]\n"},
        f"{WATCH}:4:15: cite to unknown article 'alpah' (did you mean 'alpha'?)",
    ),
    "quote not in the article": (
        {
            "content/issues/talks.yaml": (
                "title: T\nbottom_line: y\nkey_points:\n  - text: x\n    sources:\n"
                "      - article: alpha\n        quote: fast and serious\n"
            )
        },
        f"{ISSUE}:6:9: quote \"fast and serious\" does not occur in article 'alpha'",
    ),
    "quote that starts and ends inside words": (
        {
            "content/issues/talks.yaml": (
                "title: T\nbottom_line: y\nkey_points:\n  - text: x\n    sources:\n"
                "      - article: alpha\n        quote: low but seriou\n"
            )
        },
        f"{ISSUE}:6:9: quote \"low but seriou\" does not occur in article 'alpha'; "
        "expected its exact words",
    ),
    "image file that does not exist": (
        {
            "content/articles/alpha.md": "---\ntitle: A\n---\nText.\n\n"
            "See ![map](content/images/map.png).\n"
        },
        f"{ARTICLE}:6:12: image file 'content/images/map.png' not found; "
        "expected an image file at that path",
    ),
    "image path that climbs out of content/": (
        {
            "content/articles/alpha.md": "---\ntitle: A\n---\nText.\n\n"
            "![x](content/../../etc/passwd.png)\n"
        },
        f"{ARTICLE}:6:6: image path 'content/../../etc/passwd.png' contains '..'; "
        "expected a path from the project folder into content/, such as content/images/map.png",
    ),
    "image path written from the article's folder": (
        {
            "content/articles/alpha.md": "---\ntitle: A\n---\nText.\n\n![x](../images/map.png)\n",
            "content/images/map.png": tiny_png(),
        },
        f"{ARTICLE}:6:6: image path '../images/map.png' contains '..'; expected a path from "
        "the project folder: did you mean 'content/images/map.png'?",
    ),
    "image outside content/": (
        {"content/articles/alpha.md": "---\ntitle: A\n---\nText.\n\n![x](themes/logo.png)\n"},
        f"{ARTICLE}:6:6: image path 'themes/logo.png' is not inside content/; "
        "expected a path from the project folder into content/",
    ),
    "absolute image path": (
        {"content/articles/alpha.md": "---\ntitle: A\n---\nText.\n\n![x](/etc/x.png)\n"},
        f"{ARTICLE}:6:6: image path '/etc/x.png' is absolute;",
    ),
    "svg image": (
        {
            "content/articles/alpha.md": "---\ntitle: A\n---\nText.\n\n"
            "![x](content/images/a.svg)\n",
            "content/images/a.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
        },
        f"{ARTICLE}:6:6: image 'content/images/a.svg' is an SVG, which can run script when "
        "opened from the site; expected a raster image (.png, .jpg, .jpeg, .gif, .webp, .avif)",
    ),
    "image of an unsupported type": (
        {
            "content/articles/alpha.md": "---\ntitle: A\n---\nText.\n\n![x](content/notes.txt)\n",
            "content/notes.txt": "not an image\n",
        },
        f"{ARTICLE}:6:6: image 'content/notes.txt' is not a supported image type; expected a "
        "file ending in .png, .jpg, .jpeg, .gif, .webp, .avif",
    ),
    "image reference definition": (
        {"content/articles/alpha.md": "---\ntitle: A\n---\n![x][m]\n\n[m]: content/m.gif\n"},
        f"{ARTICLE}:6:6: image file 'content/m.gif' not found",
    ),
    "unclosed front matter": (
        {"content/articles/alpha.md": "---\ntitle: Alpha\n\nNo closing line.\n"},
        f"{ARTICLE}:1:1: front matter opened with '---' is never closed",
    ),
    "front matter field error has the file's line": (
        {"content/articles/alpha.md": "---\ntitle: Alpha\npublished: yesterday\n---\nText.\n"},
        f"{ARTICLE}:3:12: field 'published' must be a date YYYY-MM-DD, not 'yesterday'",
    ),
    "undecodable file": (
        {"content/articles/alpha.md": b"---\ntitle: Alpha\n---\nCaf\xe9 text.\n"},
        f"{ARTICLE}:4:4: byte 0xe9 is not UTF-8",
    ),
    "unknown settings key": (
        {"content/briefing.yaml": "title: T\nmarkings: SECRET\n"},
        f"{SETTINGS}:2:1: unknown key 'markings' in briefing.yaml (did you mean 'marking'?)",
    ),
    "bad page size": (
        {"content/briefing.yaml": "title: T\npdf:\n  page_size: A5\n"},
        f"{SETTINGS}:3:14: field 'page_size' is 'A5'; expected one of: A4, Letter",
    ),
    "javascript url in front matter": (
        {"content/articles/alpha.md": "---\ntitle: A\nurl: javascript:alert(1)\n---\nx\n"},
        f"{ARTICLE}:3:6: field 'url' is 'javascript:alert(1)'; expected an http:// or https:// URL",
    ),
    "template syntax error in an override": (
        {"templates/issue.html": "{% extends 'base.html' %}\n{% block content %}\n{% if x %}\n"},
        "p/templates/issue.html:3:1: template error: Unexpected end of template",
    ),
    "template error while rendering an override": (
        {
            "templates/sources.html": "{% extends 'base.html' %}\n{% block content %}\n"
            "<p>{{ briefing.nonexistent_field }}</p>\n{% endblock %}\n"
        },
        "p/templates/sources.html:3:1: template error:",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_mistake_is_reported_with_position(
    case: str,
    project: Callable[..., Path],
    run: Callable[..., Result],
    chdir_tmp: Path,
) -> None:
    files, expected = CASES[case]
    root = project(files)
    result = run("check", root)
    assert result.code == 1, result.err
    assert expected in result.err, result.err
    assert "Traceback" not in result.err
    # build fails the same way and writes nothing
    result = run("build", root, "--no-pdf")
    assert result.code == 1
    assert expected in result.err
    assert not (root / "site").exists()


def test_every_error_of_a_run_is_reported(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project(
        {
            "content/issues/talks.yaml": "title: T\nbottom_line: y\nstatus: hot\ncolour: red\n",
            "content/watch.yaml": "items:\n  - title: X\n    issue: nope\n",
            "content/articles/beta.md": "---\ntitle: [unclosed\n---\nx\n",
        }
    )
    result = run("check", root)
    assert result.code == 1
    lines = [line for line in result.err.splitlines() if ": " in line and line.startswith("p/")]
    assert len(lines) == 5, result.err
    assert "p/content/articles/alpha.md:1:1: warning: article 'alpha' is cited nowhere" in lines[0]
    assert f"{ISSUE}:3:9:" in result.err
    assert f"{ISSUE}:4:1:" in result.err
    assert f"{WATCH}:3:12:" in result.err
    assert "p/content/articles/beta.md:2:8: the '[' opened here is never closed" in result.err
    assert "4 errors, 1 warning; nothing written" in result.err


def only_errors(result: Result) -> list[str]:
    """The path:line:col lines of a failed run, without the closing count."""
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    return [line for line in result.err.splitlines() if not line.startswith("briefgen: ")]


@pytest.mark.parametrize(
    "file",
    ["content/issues/talks.yaml", "content/watch.yaml", "content/briefing.yaml"],
)
def test_yaml_syntax_error_is_the_only_error_of_its_file(
    file: str, project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project({file: "title: [unclosed\n"})
    errors = only_errors(run("check", root))
    assert len(errors) == 1, errors  # not also "must be a mapping of fields, not an empty file"
    assert errors[0].startswith(f"p/{file}:1:8: the '[' opened here is never closed"), errors


def test_empty_issue_file_is_still_reported(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project({"content/issues/talks.yaml": "# nothing yet\n"})
    assert only_errors(run("check", root)) == [
        f"{ISSUE}:1:1: an issue must be a mapping of fields, not an empty file"
    ]


@pytest.mark.parametrize("bad_id", [".hidden", "a b", "x.html", "[list]"])
def test_bad_article_id_is_the_only_error(
    bad_id: str, project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project({"content/articles/beta.md": f"---\ntitle: Beta\nid: {bad_id}\n---\nx\n"})
    errors = only_errors(run("check", root))
    assert len(errors) == 1, errors
    assert errors[0].startswith("p/content/articles/beta.md:3:5: field 'id' "), errors


def test_duplicate_id_of_md_and_txt_is_the_only_error(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project(
        {
            "content/articles/alpha.txt": "Alpha as clipped\n\nOther words entirely.\n",
            "content/issues/more.yaml": "title: M\nbottom_line: y\nkey_points:\n"
            "  - text: x\n    sources:\n      - {article: alpha, quote: other words entirely}\n",
        }
    )
    assert only_errors(run("check", root)) == [
        "p/content/articles/alpha.txt:1:1: duplicate article id 'alpha' (also alpha.md)"
    ]


def test_missing_briefing_yaml(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project(drop=("content/briefing.yaml",))
    result = run("build", root)
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "no briefing.yaml in p; expected one at the project root or in content/"
    )


def test_missing_theme(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project({"content/briefing.yaml": "title: T\ntheme: fancy\n"})
    result = run("check", root)
    assert result.code == 1
    assert f"{SETTINGS}:1:1: theme 'fancy' not found" in result.err


def test_usage_error_exits_2(run: Callable[..., Result]) -> None:
    assert run("build", "--no-such-flag").code == 2
    assert run("frobnicate").code == 2


def test_image_linked_out_of_content_is_refused(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    secret = chdir_tmp / "secret.png"
    secret.write_bytes(tiny_png())
    root = project(
        {
            "content/articles/alpha.md": "---\ntitle: A\n---\n"
            "![x](content/leak.png) slow but serious\n"
        }
    )
    (root / "content" / "leak.png").symlink_to(secret)
    assert only_errors(run("check", root)) == [
        f"{ARTICLE}:4:6: image 'content/leak.png' is a link to a file outside content/; "
        "expected a file in content/"
    ]
    assert run("build", root, "--no-pdf").code == 1
    assert not (root / "site").exists()


def test_each_bad_image_is_reported_once_and_quotes_are_still_checked(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project(
        {
            "content/articles/alpha.md": "---\ntitle: A\n---\n![x](content/gone.png)\n\n"
            "Again ![y](content/gone.png).\n",
            "content/watch.yaml": "items:\n  - title: X\n    issue: talks\n    sources:\n"
            "      - {article: alpha, quote: nowhere}\n",
        }
    )
    errors = only_errors(run("check", root))
    assert errors[0] == (
        f"{ARTICLE}:4:6: image file 'content/gone.png' not found; "
        "expected an image file at that path"
    )
    assert len(errors) == 3, errors  # with the talks quote and the watch quote
    assert any(e.startswith(f'{WATCH}:5:9: quote "nowhere"') for e in errors), errors


TEMPLATE_MISTAKES = {
    "unknown attribute of a variable": (
        "{{ site.nonexistent }}",
        "template error: 'site' has no attribute 'nonexistent'; it has: articles,",
    ),
    "unknown attribute of a loop variable": (
        "{% for i in briefing.issues %}{{ i.titel }}{% endfor %}",
        "template error: 'i' has no attribute 'titel'; it has: bottom_line,",
    ),
    "unknown variable": (
        "{{ isue.title }}",
        "template error: 'isue' is not defined here; defined here: LIKELIHOODS, briefing,",
    ),
    "unknown key": (
        "{{ site.articles['nope'] }}",
        "template error: 'site.articles' has no key 'nope'; its keys: alpha",
    ),
    "attribute of a text": (
        "{{ settings.title.size }}",
        "template error: 'settings.title' is a text, which has no attribute 'size'",
    ),
}


@pytest.mark.parametrize("case", TEMPLATE_MISTAKES, ids=list(TEMPLATE_MISTAKES))
def test_template_error_speaks_the_templates_terms(
    case: str, project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    expression, expected = TEMPLATE_MISTAKES[case]
    page = (
        "{% extends 'base.html' %}\n{% block content %}\n<p>"
        + expression
        + "</p>\n{% endblock %}\n"
    )
    root = project({"templates/sources.html": page})
    result = run("check", root)
    assert result.code == 1
    assert f"p/templates/sources.html:3:1: {expected}" in result.err, result.err
    for internal in ("SiteIndex", "Briefing", "object", "Undefined", "jinja", "Traceback"):
        assert internal not in result.err, result.err


def test_a_build_folds_many_warnings_of_one_kind_and_check_lists_them_all(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    """A year of clippings leaves thousands of articles nothing cites: a build shows a few
    and counts the rest; `check` shows every one."""
    extra = {
        f"content/articles/note-{n:02d}.md": f"---\ntitle: Note {n}\nsource: Wire\n---\nText {n}.\n"
        for n in range(14)
    }
    root = project(extra)
    built = run("build", root, "--no-pdf")
    assert built.code == 0, built.err
    shown = [line for line in built.err.splitlines() if "is cited nowhere" in line]
    assert len(shown) == 10
    folded = "warning: 4 more uncited-article warnings not shown; `briefgen check` lists every one"
    assert folded in built.err
    checked = run("check", root)
    assert checked.code == 0, checked.err
    listed = [line for line in checked.err.splitlines() if "is cited nowhere" in line]
    assert len(listed) == 14
    assert "not shown" not in checked.err
