"""Every mistake once, at its own position; warnings, --strict and --format json."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from briefgen.errors import Diagnostic
from briefgen.yamlsrc import parse_yaml
from tests.conftest import REPO, Result
from tests.test_yamlsrc import BILLION_LAUGHS

ISSUE = "p/content/issues/talks.yaml"
WATCH = "p/content/watch.yaml"


def lines(result: Result) -> list[str]:
    assert "Traceback" not in result.err
    return [line for line in result.err.splitlines() if not line.startswith("briefgen: ")]


def test_a_misspelt_key_hides_no_other_mistake_of_its_file_or_of_others(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project(
        {
            "content/issues/talks.yaml": (
                "title: The talks\nbotom_line: Slow.\nkey_points:\n  - text: Slow.\n"
                "    sources:\n      - zulu\n      - {article: alpha, quote: fast and loose}\n"
            ),
            "content/issues/shipping.yaml": "title: Shipping\nbottom_lines: Calm.\n",
            "content/watch.yaml": (
                "items:\n  - title: Ports\n    issue: shiping\n    sources: [alpha]\n"
            ),
        }
    )
    result = run("check", root)
    assert result.code == 1
    assert lines(result) == [
        "p/content/issues/shipping.yaml:2:1: unknown key 'bottom_lines' in issue "
        "(did you mean 'bottom_line'?); expected one of: title, status, bottom_line, "
        "key_points, positions, timeline, questions, order, draft",
        f"{ISSUE}:2:1: unknown key 'botom_line' in issue (did you mean 'bottom_line'?); "
        "expected one of: title, status, bottom_line, key_points, positions, timeline, "
        "questions, order, draft",
        f"{ISSUE}:6:9: cite to unknown article 'zulu'; expected the id of a file in "
        "content/articles/",
        f"{ISSUE}:7:9: quote \"fast and loose\" does not occur in article 'alpha'; "
        "expected its exact words",
        f"{WATCH}:3:12: checklist item names unknown issue 'shiping' (did you mean "
        "'shipping'?); expected one of: shipping, talks",
    ]


def test_a_missing_field_of_an_entry_hides_none_of_its_cites(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project(
        {
            "content/issues/talks.yaml": (
                "title: T\nbottom_line: B.\ntimeline:\n  - event: Talks.\n    sources: [zulu]\n"
                "positions:\n  - actor: A\n    sources: [yankee]\n"
            ),
            "content/watch.yaml": "items:\n  - issue: talks\n    sources: [xray]\n",
        }
    )
    errors = [line for line in lines(run("check", root)) if ": warning: " not in line]
    assert [line.split(": ", 1)[1] for line in errors] == [
        "missing required field 'date' in timeline entry",
        "cite to unknown article 'zulu'; expected the id of a file in content/articles/",
        "missing required field 'stance' in position",
        "cite to unknown article 'yankee'; expected the id of a file in content/articles/",
        "missing required field 'title' in checklist item",
        "cite to unknown article 'xray'; expected the id of a file in content/articles/",
    ]


@pytest.mark.parametrize("command", ["check", "build"])
def test_an_alias_bomb_is_refused_at_once_by_every_command(
    command: str, project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project({"content/issues/talks.yaml": BILLION_LAUGHS})
    started = time.perf_counter()
    result = run(command, root, *(["--no-pdf"] if command == "build" else []))
    assert time.perf_counter() - started < 10
    assert lines(result) == [
        f"{ISSUE}:2:8: aliases such as '*a' are not allowed; write the value out in full"
    ]


def test_an_alias_bomb_in_a_clipping_is_refused_by_import(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project()
    clip = chdir_tmp / "bomb.txt"
    clip.write_text("---\n" + BILLION_LAUGHS + "---\nHeadline\n\nText.\n", encoding="utf-8")
    started = time.perf_counter()
    result = run("import", clip, root)
    assert time.perf_counter() - started < 10
    assert result.code == 1
    assert "bomb.txt:3:8: aliases such as '*a' are not allowed" in result.err
    assert not (root / "content/articles/headline.md").exists()


def test_a_recursive_alias_is_a_clear_error(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project({"content/briefing.yaml": "title: T\nq: &q [*q]\n"})
    assert lines(run("check", root)) == [
        "p/content/briefing.yaml:2:8: aliases such as '*q' are not allowed; "
        "write the value out in full"
    ]


def test_binary_title_is_refused_not_shown_as_bytes(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project(
        {"content/articles/alpha.md": "---\ntitle: !!binary aGVsbG8=\n---\nslow but serious\n"}
    )
    assert lines(run("check", root)) == [
        "p/content/articles/alpha.md:2:8: binary data (!!binary) is not allowed; expected text"
    ]


def test_norway_is_an_actor_not_false(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project(
        {
            "content/issues/talks.yaml": (
                "title: The talks\nbottom_line: Talks go on.\npositions:\n"
                "  - actor: NO\n    stance: 'yes'\n    sources: [alpha]\n"
                "  - actor: on\n    stance: Off\n    sources: [alpha]\n"
            )
        }
    )
    assert run("build", root, "--no-pdf").code == 0
    page = (root / "site/issues/talks/index.html").read_text(encoding="utf-8")
    assert ">NO<" in page and ">on<" in page


def test_a_project_is_found_from_inside_it_like_git_does(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project()
    os.chdir(root / "content" / "issues")
    result = run("check")
    assert result.code == 0, result.err
    assert result.out.startswith("ok: 1 article, 1 issue")


def test_errors_that_concern_no_file_have_no_position(
    run: Callable[..., Result], chdir_tmp: Path
) -> None:
    assert lines(run("check", "/nonexistent")) == ["project folder /nonexistent does not exist"]
    (chdir_tmp / "empty").mkdir()
    assert lines(run("check", "empty")) == [
        "no briefing project in empty or any folder above it; expected a folder holding "
        "content/ (briefgen init DIR makes one)"
    ]


WARNED = {
    "content/issues/talks.yaml": """\
        title: The talks
        bottom_line: >-
          One two three four five six seven eight nine ten. One two three four five six
          seven eight nine ten. One two three four five six seven eight nine ten. One two
          three four five six seven eight nine ten. One two three four five six seven eight
          nine ten. One two three four five six seven eight nine ten. One more.
        key_points:
          - text: A deal is almost certainly coming.
            likelihood: likely
            sources: [alpha]
          - text: Nothing backs this.
        positions:
          - actor: Capital A
            stance: Wants more.
        timeline:
          - date: 2026-04-01
            event: A summit.
            sources: [alpha]
        """,
    "content/watch.yaml": """\
        items:
          - title: Next round
            issue: talks
            by: 2020-01-01
            sources: [alpha]
          - title: Port calls
            issue: talks
        """,
    "content/articles/beta.md": "---\ntitle: Beta\npublished: 2026-03-09\n---\nText.\n",
    "content/articles/gamma.md": "---\ntitle: Gamma\n---\nText.\n",
    "content/issues/later.yaml": (
        "title: Later\nbottom_line: Soon.\ntimeline:\n  - date: 2026-01-01\n"
        "    event: Old.\n    sources: [beta]\n"
    ),
}
EXPECTED_WARNINGS = [
    "p/content/articles/gamma.md:1:1: warning: article 'gamma' is cited nowhere; expected a "
    "cite from an issue or the checklist, or the file removed",
    "p/content/issues/later.yaml:6:15: warning: cited article 'beta' was published "
    "2026-03-09, after the edition date 2026-03-01; expected an edition on or after its "
    "sources",
    f"{ISSUE}:2:14: warning: bottom line of 'talks' has 62 words; expected at most 60, so "
    "that it reads in seconds; details belong in the key points",
    f"{ISSUE}:8:5: warning: key point says 'almost certainly' (almost certain, 95–99 %) but "
    "its likelihood is 'likely' (55–80 %); expected words that agree with it, or a higher "
    "likelihood",
    f"{ISSUE}:11:5: warning: key point has no sources; expected at least one cite under 'sources'",
    f"{ISSUE}:13:5: warning: position of 'Capital A' has no sources; expected at least one "
    "cite under 'sources'",
    f"{ISSUE}:16:5: warning: timeline date 2026-04-01 is after the edition date 2026-03-01; "
    "expected past events only (or a later edition)",
    f"{WATCH}:2:5: warning: checklist item 'Next round' was due by 2020-01-01 and is still "
    "'watching' on 2026-03-01; expected status 'triggered' or 'resolved', or a later 'by'",
    f"{WATCH}:6:5: warning: checklist item 'Port calls' has no sources; expected at least "
    "one cite under 'sources'",
]


def test_warnings_have_positions_and_do_not_fail_the_build(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project(WARNED)
    result = run("build", root, "--no-pdf")
    assert result.code == 0, result.err
    assert lines(result) == EXPECTED_WARNINGS
    assert (root / "site/index.html").is_file()
    checked = run("check", root)
    assert checked.code == 0
    assert checked.out.rstrip().endswith("; 9 warnings")


@pytest.mark.parametrize("command", ["check", "build"])
def test_strict_turns_every_warning_into_an_error(
    command: str, project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project(WARNED)
    result = run(command, root, "--strict", *(["--no-pdf"] if command == "build" else []))
    assert result.code == 1
    assert lines(result) == [line.replace(": warning: ", ": ") for line in EXPECTED_WARNINGS]
    assert result.err.splitlines()[-1] == "briefgen: 9 errors; nothing written"
    assert not (root / "site").exists()


def test_a_strict_build_is_not_skipped_because_a_lenient_one_was_up_to_date(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project(WARNED)
    assert run("build", root, "--no-pdf").code == 0
    assert run("build", root, "--no-pdf", "--strict").code == 1


def test_estimative_words_that_agree_or_compare_are_not_warned(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project(
        {
            "content/issues/talks.yaml": (
                "title: T\nbottom_line: B.\nkey_points:\n"
                "  - text: A deal is very likely, and more likely than last year.\n"
                "    likelihood: very likely\n    sources: [alpha]\n"
            )
        }
    )
    result = run("check", root)
    assert result.code == 0 and lines(result) == []


def test_json_lists_every_diagnostic_for_editors_and_ci(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project({**WARNED, "content/issues/later.yaml": "title: Later\nbotom_line: x\n"})
    result = run("check", root, "--format", "json")
    assert result.code == 1
    assert result.err == ""
    document = json.loads(result.out)
    assert document["ok"] is False
    assert document["errors"] == 1
    errors = [d for d in document["diagnostics"] if d["severity"] == "error"]
    assert errors == [
        {
            "path": "p/content/issues/later.yaml",
            "line": 2,
            "column": 1,
            "severity": "error",
            "code": "unknown-key",
            "message": "unknown key 'botom_line' in issue (did you mean 'bottom_line'?); expected "
            "one of: title, status, bottom_line, key_points, positions, timeline, questions, "
            "order, draft",
        }
    ]
    assert "uncited-claim" in {d["code"] for d in document["diagnostics"]}


def test_json_of_a_good_build_holds_its_warnings_and_nothing_else(
    project: Callable[..., Path], chdir_tmp: Path
) -> None:
    root = project(WARNED)
    env = {**os.environ, "PYTHONPATH": os.fspath(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "briefgen", "build", str(root), "--no-pdf", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert (document["ok"], document["errors"], document["warnings"]) == (True, 0, 9)
    assert json.loads(
        subprocess.run(
            [sys.executable, "-m", "briefgen", "check", "/nonexistent", "--format", "json"],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        ).stdout
    )["diagnostics"] == [
        {
            "path": None,
            "line": None,
            "column": None,
            "severity": "error",
            "code": "no-project",
            "message": "project folder /nonexistent does not exist",
        }
    ]


# --- docs/diagnostics.md is tested against the code ---------------------------------

DOCS = (REPO / "docs" / "diagnostics.md").read_text(encoding="utf-8")
EMITTERS = {"Diagnostic": (1, 2), "error": (1, 2), "_warning": (2, 1)}
"""Callables that make a diagnostic: (index of the message, index of the code)."""


def _pieces(node: ast.expr) -> list[str] | None:
    """The literal parts of a message expression, split where a value is filled in."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        out, current = [], ""
        for value in node.values:
            if isinstance(value, ast.Constant):
                current += str(value.value)
            else:
                out.append(current)
                current = ""
        return [*out, current]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _pieces(node.left), _pieces(node.right)
        if left is None or right is None:
            return left or right
        return [*left[:-1], left[-1] + right[0], *right[1:]]
    return None


def emitted() -> Iterator[tuple[str, int, list[str], str | None]]:
    """(module, line, literal parts of the message, code) of every diagnostic made with
    a message written out, in every module but the mail package (docs/email.md)."""
    for path in sorted((REPO / "briefgen").rglob("*.py")):
        if "mail" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name not in EMITTERS:
                continue
            at, code_at = EMITTERS[name]
            if len(node.args) <= at:
                continue
            pieces = _pieces(node.args[at])
            if pieces is None:
                continue
            code = node.args[code_at] if len(node.args) > code_at else None
            value = code.value if isinstance(code, ast.Constant) else None
            yield path.name, node.lineno, pieces, value if isinstance(value, str) else None


def test_the_docs_show_every_message_the_code_can_emit() -> None:
    missing = []
    found = 0
    for module, line, pieces, _code in emitted():
        longest = max(pieces, key=len).strip(" ;:'\"")
        if len(longest) < 6:
            continue
        found += 1
        if longest not in DOCS:
            missing.append(f"{module}:{line}: {longest!r}")
    assert found > 60
    assert missing == [], "add these messages to docs/diagnostics.md"


def test_the_docs_name_every_code_and_every_warning() -> None:
    codes = {code for *_, code in emitted() if code is not None}
    assert {"uncited-claim", "long-bottom-line", "quote-not-found", "yaml-alias"} <= codes
    assert sorted(c for c in codes if f"`{c}`" not in DOCS) == []


@pytest.mark.parametrize(
    "text",
    [
        "title: T\nkey_points:\n  - text: a\n   sources: [x]\n",
        "title: T\n\tstatus: steady\n",
        "title: 'Talks\nstatus: steady\n",
        "title: T\nbottom_line x\nstatus: s\n",
        "title: Talks: day two\n",
        "title: T\nbottom_line: 'it's here'\n",
        "items:\n  - title: A\n    issue: t\n  -title: B\n",
        "title: T\n  bottom_line: x\n",
        "sources: [alpha, beta\n",
        "title: One\n---\ntitle: Two\n",
        "a: &x 1\nb: *x\n",
        "title: !!binary aGVsbG8=\n",
        "title: a\x07\n",
        'title: "a\\x07"\n',
    ],
)
def test_the_docs_show_every_kind_of_yaml_mistake(text: str) -> None:
    diagnostics: list[Diagnostic] = []
    parse_yaml(text, Path("x.yaml"), diagnostics)
    assert len(diagnostics) == 1
    message = diagnostics[0].message
    first = re.split(r"'[^']*'|line \d+|U\+[0-9A-F]{4}|: [A-Za-z ]+$", message)[0]
    assert first.strip() in DOCS, message
    assert f"`{diagnostics[0].code}`" in DOCS


def test_an_article_with_a_misspelt_key_still_has_its_quotes_checked(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project(
        {
            "content/articles/alpha.md": (
                "---\ntitle: Alpha\nsoruce: Wire\n---\nThe talks were slow but serious.\n"
            ),
            "content/issues/talks.yaml": (
                "title: T\nbottom_line: B.\nkey_points:\n  - text: Slow.\n    sources:\n"
                "      - {article: alpha, quote: slow but serious}\n"
                "      - {article: alpha, quote: fast and loose}\n"
            ),
        }
    )
    assert lines(run("check", root)) == [
        "p/content/articles/alpha.md:3:1: unknown key 'soruce' in front matter (did you mean "
        "'source'?); expected one of: title, id, source, short_name, author, published, url, "
        "issues, summary, draft",
        f"{ISSUE}:7:9: quote \"fast and loose\" does not occur in article 'alpha'; expected "
        "its exact words",
    ]


def test_an_alias_bomb_does_not_hang_the_preview(
    project: Callable[..., Path], chdir_tmp: Path
) -> None:
    from briefgen.build import Previewer
    from briefgen.errors import BuildFailed

    root = project({"content/watch.yaml": BILLION_LAUGHS})
    started = time.perf_counter()
    with pytest.raises(BuildFailed) as failed:
        Previewer(root, with_pdf=False)()
    assert time.perf_counter() - started < 10
    assert [str(d) for d in failed.value.diagnostics] == [
        f"{WATCH}:2:8: aliases such as '*a' are not allowed; write the value out in full"
    ]


def test_import_keeps_norway_as_text(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project()
    clip = chdir_tmp / "oslo.txt"
    clip.write_text("---\nsource: NO\n---\nOslo talks resume\n\nText.\n", encoding="utf-8")
    assert run("import", clip, root).code == 0
    written = next((root / "content/articles").glob("oslo*.md")).read_text(encoding="utf-8")
    assert "source: 'NO'" in written


def test_the_preview_counts_errors_and_lists_warnings_as_warnings() -> None:
    from briefgen.errors import SourcePos
    from briefgen.serve.http import error_page

    page = error_page(
        (
            Diagnostic(SourcePos(Path("content/watch.yaml"), 3, 12), "unknown issue"),
            Diagnostic(
                SourcePos(Path("content/a.md")), "cited nowhere", "uncited-article", "warning"
            ),
        )
    ).decode()
    assert "1 error." in page
    assert "content/a.md:1:1: warning: cited nowhere" in page


def test_articles_named_like_numbers_or_yaml_booleans_can_be_cited(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project(
        {
            "content/articles/no.md": "---\ntitle: Norway report\n---\nText.\n",
            "content/articles/2026.md": "---\ntitle: The year\n---\nText.\n",
            "content/watch.yaml": (
                "items:\n  - title: Next round\n    issue: talks\n    sources: [no, 2026, alpha]\n"
            ),
        }
    )
    result = run("check", root)
    assert result.code == 0, result.err
    assert lines(result) == []


def test_key_judgments_are_warned_like_key_points(
    project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    root = project(
        {
            "content/briefing.yaml": (
                "title: T\nedition: 2026-03-01\nkey_judgments:\n"
                "  - text: Talks will almost certainly resume.\n    issue: talks\n"
                "    likelihood: unlikely\n    sources: [alpha]\n"
                "  - text: Nothing backs this.\n    issue: talks\n"
            )
        }
    )
    assert lines(run("check", root)) == [
        "p/content/briefing.yaml:4:5: warning: key judgment says 'almost certainly' (almost "
        "certain, 95–99 %) but its likelihood is 'unlikely' (20–45 %); expected words that "
        "agree with it, or a higher likelihood",
        "p/content/briefing.yaml:8:5: warning: key judgment has no sources; expected at least "
        "one cite under 'sources'",
    ]
