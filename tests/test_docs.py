"""The README documents every settings key and every command."""

from __future__ import annotations

import re

from briefgen.cli import COMMANDS, make_parser
from briefgen.load import ARTICLE_KEYS, ISSUE_KEYS, SETTINGS_KEYS, WATCH_KEYS
from tests.conftest import REPO

README = (REPO / "README.md").read_text()


def test_every_content_key_is_documented() -> None:
    for key in (*SETTINGS_KEYS, *ARTICLE_KEYS, *ISSUE_KEYS, *WATCH_KEYS):
        assert re.search(rf"`{key}|\b{key}:", README), key


def test_every_command_is_documented() -> None:
    parser = make_parser()
    assert len(COMMANDS) >= 3
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for name in subparsers.choices:  # type: ignore[union-attr]
        assert f"`briefgen {name}" in README, name
