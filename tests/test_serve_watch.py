"""briefgen.serve.watch: one rebuild per save, whatever the editor does, and only for inputs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from briefgen.serve.preview import Preview
from briefgen.serve.watch import is_editor_file
from tests.test_serve_preview import (
    ISSUE,
    WAIT,
    after_build,
    edit,
    fetch,
    no_build_after,
    started_previews,
)


@pytest.fixture
def serve() -> Iterator[Callable[..., Preview]]:
    yield from started_previews()


@pytest.mark.parametrize(
    ("name", "ignored"),
    [
        (".alpha.md.swp", True),
        (".alpha.md.swx", True),
        ("4913", True),
        ("alpha.md~", True),
        (".#alpha.md", True),
        ("#alpha.md#", True),
        ("alpha.md___jb_tmp___", True),
        ("alpha.md", False),
        (".hidden.md", False),
        ("2026.md", False),
        ("talks.yaml", False),
    ],
)
def test_editor_files_are_recognised(name: str, ignored: bool) -> None:
    assert is_editor_file(name) is ignored


def test_new_and_deleted_articles_come_and_go(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    root = project()
    preview = serve(root)
    new = root / "content" / "articles" / "beta.md"
    after_build(preview, lambda: new.write_text("---\ntitle: Beta report\n---\nBeta text.\n"))
    status, _, body = fetch(preview, "/articles/beta/")
    assert status == 200 and b"Beta text." in body
    after_build(preview, new.unlink)
    assert fetch(preview, "/articles/beta/")[0] == 404


def test_vim_style_save_gives_exactly_one_build(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    root = project()
    preview = serve(root)
    folder = root / "content" / "articles"
    article = folder / "alpha.md"
    text = article.read_text().replace("Monday", "Wednesday")

    def vim_save() -> None:
        (folder / "4913").write_text("")  # vim checks it may write here
        (folder / "4913").unlink()
        article.rename(folder / "alpha.md~")  # the backup
        article.write_text(text)
        (folder / "alpha.md~").unlink()

    count = after_build(preview, vim_save)
    assert no_build_after(preview, count)
    assert b"Wednesday" in fetch(preview, "/articles/alpha/")[2]


def test_write_then_rename_save_gives_exactly_one_build(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    root = project()
    preview = serve(root)
    issue = root / ISSUE
    temp = issue.with_name(".talks.yaml.tmp.12345")

    def atomic_save() -> None:
        temp.write_text(issue.read_text().replace("Nothing is settled.", "Much is settled."))
        os.replace(temp, issue)

    count = after_build(preview, atomic_save)
    assert no_build_after(preview, count)
    assert b"Much is settled." in fetch(preview, "/issues/talks/")[2]


def test_editor_droppings_cause_no_build(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    root = project()
    preview = serve(root)
    count = preview.snapshot.builds
    folder = root / "content" / "articles"
    for name in (".alpha.md.swp", ".#alpha.md", "4913", "alpha.md~"):
        (folder / name).write_text("scratch")
    (root / "README.txt").write_text("not an input")
    assert no_build_after(preview, count)


def test_settings_moved_to_the_root_are_still_watched(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    root = project()  # its settings are content/briefing.yaml
    preview = serve(root)
    after_build(
        preview, lambda: (root / "content" / "briefing.yaml").rename(root / "briefing.yaml")
    )
    edit(root / "briefing.yaml", "Test briefing", "Moved briefing")
    preview.wait_until(lambda: b"Moved briefing" in preview.snapshot.files["index.html"], WAIT)
