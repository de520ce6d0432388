"""The command line itself: help texts with defaults and examples, and -v / -vv."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.cli import make_parser
from tests.conftest import REPO, Result

COMMANDS = ("build", "pdf", "check", "serve", "publish", "import", "email", "init")


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = make_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_ends_with_real_examples(command: str, run: Callable[..., Result]) -> None:
    result = run(command, "--help")
    assert result.code == 0
    help_text = result.out.rstrip()
    tail = help_text[help_text.rindex("\nexamples:\n") :].splitlines()[2:]
    invocations = [line.strip() for line in tail if line.startswith(f"  briefgen {command}")]
    assert 2 <= len(invocations) <= 3, help_text
    assert len(tail) == 2 * len(invocations)  # each with a line saying what it does
    for invocation in invocations:
        words = shlex.split(invocation.split(" < ")[0].split(" | ")[0])
        assert words[:2] == ["briefgen", command]
        args = make_parser().parse_args(words[1:])  # a usage error would exit
        assert args.command == command


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_states_its_default(command: str) -> None:
    parser = subparsers()[command]
    options = [a for a in parser._actions if a.option_strings and a.dest != "help"]
    missing = [a.option_strings[-1] for a in options if "default" not in (a.help or "")]
    assert not missing, f"briefgen {command}: no default in the help of {missing}"
    for action in parser._actions:
        if not action.option_strings and action.nargs == "?":
            assert "default" in (action.help or ""), action.dest


def test_serve_help_states_host_and_port(run: Callable[..., Result]) -> None:
    out = " ".join(run("serve", "--help").out.split())
    assert "(default: 127.0.0.1, this computer only)" in out
    assert "(default: 8000)" in out


def test_verbose_after_the_command(run: Callable[..., Result]) -> None:
    parser = make_parser()
    for argv in (["-v", "check"], ["check", "-v"], ["check", "--verbose"]):
        args = parser.parse_args(argv)
        assert args.verbose + args.verbose_after == 1, argv
    args = parser.parse_args(["-v", "build", "-v"])
    assert args.verbose + args.verbose_after == 2


CLIPPED = {
    "content/articles/clip.txt": (
        "Talks resume in Geneva\n\nShare this article\n\n"
        "Delegates met on Monday and agreed to meet again.\n"
    ),
}


@pytest.mark.timeout(300)
def test_verbose_shows_briefgens_progress_not_weasyprints_layout_log(
    project: Callable[..., Path],
) -> None:
    root = project(CLIPPED)

    def build(*flags: str) -> str:
        # From scratch each time: the cache would skip the parsing that logs removals.
        shutil.rmtree(root / ".briefgen-cache", ignore_errors=True)
        done = subprocess.run(
            [sys.executable, "-m", "briefgen", "build", os.fspath(root), "--force", *flags],
            capture_output=True,
            text=True,
            check=False,
            cwd=root,
            env={**os.environ, "PYTHONPATH": os.fspath(REPO)},
            timeout=240,
        )
        assert done.returncode == 0, done.stderr
        return done.stderr

    quiet, verbose, very = build(), build("-v"), build("-vv")
    assert "INFO: " not in quiet and "Share this article" not in quiet
    assert "INFO: " in verbose and "removed share prompt: Share this article" in verbose
    assert "Creating layout" not in verbose and "Step " not in verbose
    assert "removed share prompt: Share this article" in very
    assert "INFO: Step 5 - Creating layout - Page 1" in very  # WeasyPrint's own, asked for
    assert "entering " not in very  # markdown-it's rule tracing is for no one
