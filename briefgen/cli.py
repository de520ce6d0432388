"""The command line: parse arguments, run one command, turn failures into exit codes.

Exit status: 0 success, 1 content or build errors, 2 usage.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from briefgen import __version__
from briefgen.commands import (
    HelpFormatter,
    build,
    check,
    diff,
    email,
    import_,
    init,
    pdf,
    publish,
    serve,
)
from briefgen.commands.report import show_failure
from briefgen.errors import BuildFailed

COMMANDS: tuple[ModuleType, ...] = (build, pdf, check, diff, serve, publish, import_, email, init)
LIBRARY_LOGGERS = ("weasyprint", "fontTools")
"""Libraries whose info is chatter (a line per PDF page laid out): shown only with -vv."""
MUTE_LOGGERS = ("markdown_it",)
"""Libraries whose debug logs trace their own parsing rules: nothing for a user, ever."""
VERBOSE_HELP = (
    "show briefgen's progress; -vv also the libraries' debug logs, such as WeasyPrint's "
    "(default: warnings and errors only)"
)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefgen",
        description="Turn a folder of clippings and YAML summaries into a briefing site and PDF.",
    )
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help=VERBOSE_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    for command, subparser in zip(COMMANDS, sub.choices.values(), strict=True):
        subparser.epilog = command.EXAMPLES
        subparser.formatter_class = HelpFormatter
        # Global options work after the command too: `briefgen build -v`.
        subparser.add_argument(
            "-v",
            "--verbose",
            action="count",
            dest="verbose_after",
            default=0,
            help=VERBOSE_HELP,
        )
    return parser


def configure_logging(verbosity: int) -> None:
    """0: warnings and errors; 1: briefgen's progress too; 2 or more: everything."""
    levels = {0: logging.WARNING, 1: logging.INFO}
    logging.basicConfig(
        level=levels.get(verbosity, logging.DEBUG), format="%(levelname)s: %(message)s"
    )
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING if verbosity < 2 else logging.NOTSET)
    for name in MUTE_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


YOUNG_OBJECTS_PER_COLLECTION = 10_000
"""The cyclic collector's first threshold (Python's default: 700). A build makes objects
by the hundred thousand and keeps most of them to its end: at the default, collections
took a tenth of a one-article edit at 5,000 articles (40-60 ms), at this one 15 ms."""


def main(argv: Sequence[str] | None = None) -> int:
    gc.set_threshold(YOUNG_OBJECTS_PER_COLLECTION)
    parser = make_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose + args.verbose_after)
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


def entry() -> NoReturn:
    """The `briefgen` command (and `python -m briefgen`): main(), then exit without the
    interpreter's teardown, which frees every object of a loaded project one by one
    (25 ms at 1,000 articles, an eighth of a one-article edit). Every file a command
    opens is closed when main() returns; only the standard streams are left to flush."""
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone (`... | head`)
            stream.flush()
    os._exit(code)
