"""`briefgen init` makes a project ready for git: a .gitignore and a sender to fill in."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from .conftest import Result


def test_new_project_keeps_built_files_out_of_git(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    root = tmp_path / "project"
    assert run("init", root).code == 0
    assert run("build", root, "--no-pdf").code == 0
    (root / "send-log.tsv").write_text("time\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", os.fspath(root)], check=True)
    status = subprocess.run(
        ["git", "-C", os.fspath(root), "status", "--porcelain", "--untracked-files=all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tracked = {line[3:] for line in status.splitlines()}
    assert ".gitignore" in tracked
    assert "content/briefing.yaml" in tracked
    assert "content/issues/example.yaml" in tracked
    assert not any(p.startswith(("site/", ".briefgen-cache/", "send-log")) for p in tracked)
    assert (root / "site" / "index.html").is_file()


def test_sender_placeholder_works_once_uncommented(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    root = tmp_path / "project"
    assert run("init", root).code == 0
    settings = root / "content" / "briefing.yaml"
    text = settings.read_text(encoding="utf-8")
    assert "# email:\n#   from: Analysis desk <desk@example.org>" in text
    settings.write_text(re.sub(r"^# (email:|  from:|  subject:)", r"\1", text, flags=re.M))
    result = run("email", root, "--to", "reader@example.org", "--dry-run")
    assert result.code == 0, result.err
    assert "From: Analysis desk <desk@example.org>" in result.out


def test_init_says_that_the_samples_recorded_edition_is_to_be_deleted_with_the_sample(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    root = tmp_path / "project"
    created = run("init", root)
    assert "delete that folder when you replace the sample" in created.out
    assert run("build", root, "--no-pdf").code == 0
    assert [p.name for p in (root / "content" / "editions").iterdir()] == ["2026-01-15.yaml"]
    assert "content/editions/" in (root / "content" / "briefing.yaml").read_text(encoding="utf-8")
