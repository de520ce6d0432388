"""The command line: parse arguments, run one command, turn failures into exit codes.

Exit status: 0 success, 1 content or build errors, 2 usage.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from types import ModuleType

from briefgen import __version__
from briefgen.commands import build, check, diff, email, import_, init, pdf, publish, serve
from briefgen.commands.report import show_failure
from briefgen.errors import BuildFailed

COMMANDS: tuple[ModuleType, ...] = (build, pdf, check, diff, serve, publish, import_, email, init)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefgen",
        description="Turn a folder of clippings and YAML summaries into a briefing site and PDF.",
    )
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s: %(message)s",
    )
    try:
        code: int = args.run(args)
    except BuildFailed as failed:
        show_failure(failed.diagnostics, getattr(args, "format", "text"))
        return 1
    except OSError as exc:  # a file or folder the user cannot read or write, however met
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"briefgen: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    return code
