"""`briefgen serve --poll`: saves are found by looking at the files, not by inotify."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from watchdog.observers.polling import PollingObserver

from briefgen.build import Previewer
from briefgen.cli import make_parser
from briefgen.serve.preview import Preview
from tests.test_serve_preview import after_build, fetch


@pytest.fixture
def polling() -> Iterator[Callable[[Path], Preview]]:
    started: list[Preview] = []

    def _serve(root: Path) -> Preview:
        builder = Previewer(root, with_pdf=False)
        preview = Preview(builder, watch=builder.project, port=0, poll=True)
        started.append(preview)
        preview.start()
        return preview

    yield _serve
    for preview in started:
        preview.stop()


def test_poll_sees_edits_new_and_deleted_files(
    project: Callable[..., Path], polling: Callable[[Path], Preview]
) -> None:
    root = project()
    preview = polling(root)
    assert isinstance(preview._watcher._observer, PollingObserver)  # type: ignore[union-attr]
    article = root / "content" / "articles" / "alpha.md"
    after_build(
        preview,
        lambda: article.write_text(
            article.read_text(encoding="utf-8").replace("first point", "polled point"),
            encoding="utf-8",
        ),
    )
    assert b"polled point" in fetch(preview, "/articles/alpha/")[2]
    new = root / "content" / "articles" / "beta.md"
    after_build(preview, lambda: new.write_text("---\ntitle: Beta report\n---\nBeta text.\n"))
    assert fetch(preview, "/articles/beta/")[0] == 200
    after_build(preview, new.unlink)
    assert fetch(preview, "/articles/beta/")[0] == 404


def test_poll_is_an_option_of_serve() -> None:
    args = make_parser().parse_args(["serve", "--poll"])
    assert args.poll is True
    assert make_parser().parse_args(["serve"]).poll is False
