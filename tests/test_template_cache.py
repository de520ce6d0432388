"""Compiled templates are kept in the user's own cache folder, never the project's: a
project may come from anyone, and compiled templates are code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefgen.build import build
from briefgen.errors import BuildFailed
from tests.conftest import REPO


def make_project(root: Path) -> None:
    shutil.copytree(REPO / "content", root / "content")


def test_compiled_templates_go_to_the_users_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    root = tmp_path / "desk"
    make_project(root)
    build(root, with_pdf=False)
    compiled = list(cache_home.glob("briefgen/jinja-*/*.cache"))
    assert len(compiled) >= 10  # the site's templates, the print and email ones
    folder = compiled[0].parent
    assert folder.stat().st_mode & 0o077 == 0  # the user's alone
    assert not [p for p in (root / ".briefgen-cache").rglob("*") if "jinja" in p.name]

    # a template edited after it was compiled is compiled again: the key is its source
    override = root / "templates" / "base.html"
    override.parent.mkdir()
    base = (REPO / "templates" / "base.html").read_text()
    override.write_text(base.replace("</footer>", "<p>Night desk</p></footer>", 1))
    build(root, with_pdf=False)
    assert "Night desk" in (root / "site" / "index.html").read_text()
    override.write_text(base.replace("</footer>", "<p>Day desk</p></footer>", 1))
    build(root, with_pdf=False, force=True)
    page = (root / "site" / "index.html").read_text()
    assert "Day desk" in page and "Night desk" not in page


def test_a_syntax_error_is_reported_when_the_template_was_compiled_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefgen.errors import BuildFailed

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = tmp_path / "desk"
    make_project(root)
    build(root, with_pdf=False)
    override = root / "templates" / "watch.html"
    override.parent.mkdir()
    override.write_text((REPO / "templates" / "watch.html").read_text() + "{% if %}\n")
    with pytest.raises(BuildFailed) as failed:
        build(root, with_pdf=False)
    errors = [d for d in failed.value.diagnostics if d.severity == "error"]
    assert [(str(d.pos.path), d.pos.line) for d in errors if d.pos] == [
        (str(override), override.read_text().count("\n"))
    ]


@pytest.mark.parametrize("spoiled", ["a file", "open to all", "relative"])
def test_a_cache_folder_that_cannot_be_used_only_costs_the_compile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spoiled: str
) -> None:
    cache_home = tmp_path / "xdg"
    if spoiled == "a file":
        cache_home.write_text("not a folder")
        monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    elif spoiled == "open to all":
        (cache_home / "briefgen").mkdir(parents=True)
        cache_home.joinpath("briefgen").chmod(0o777)
        monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
        monkeypatch.chdir(tmp_path)
    root = tmp_path / "desk"
    make_project(root)
    report = build(root, with_pdf=False)
    assert report.pages > 10
    assert (root / "site" / "index.html").read_text().startswith("<!DOCTYPE html>")
    if spoiled == "relative":
        assert not (tmp_path / "relative").exists()
    if spoiled == "open to all":
        assert not list(cache_home.glob("briefgen/jinja-*/*"))


def test_a_template_broken_after_a_clean_build_is_still_reported(tmp_path: Path) -> None:
    """A build whose templates compiled cleanly before compiles only those it renders; a
    template changed since, even one no page uses, is compiled again and its mistake
    named."""
    root = tmp_path / "desk"
    make_project(root)
    unused = root / "templates" / "notes.html"
    unused.parent.mkdir()
    unused.write_text("<p>{{ settings.title }}</p>\n")
    build(root, with_pdf=False)
    build(root, with_pdf=False)  # the templates are as they were: nothing to compile
    unused.write_text("<p>{{ settings.title }}</p>\n{% if %}\n")
    with pytest.raises(BuildFailed) as failed:
        build(root, with_pdf=False)
    errors = [d for d in failed.value.diagnostics if d.severity == "error"]
    assert [str(d.pos) for d in errors] == [f"{unused}:2:1"]
