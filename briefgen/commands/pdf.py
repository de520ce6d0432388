"""briefgen pdf [PROJECT] [-o FILE] [--force]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from briefgen.commands import add_project_argument
from briefgen.errors import display_path


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "pdf", help="make the PDF briefing alone (default: PROJECT/<pdf.filename>)"
    )
    add_project_argument(parser)
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write the PDF; '-' for standard output "
        "(default: the project folder, named by pdf.filename in briefing.yaml)",
    )
    parser.add_argument(
        "--force", action="store_true", help="lay out the PDF even when nothing changed"
    )
    parser.add_argument(
        "--brief",
        action="store_const",
        const="brief",
        dest="pdf_format",
        help="the two-page brief (key judgments, issues, top checklist items, sources); "
        "default file: <pdf.filename>-brief.pdf unless pdf.format is brief",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from briefgen.build import pdf_bytes, pdf_only

    if args.output == "-":
        sys.stdout.buffer.write(pdf_bytes(args.project, args.pdf_format))
        sys.stdout.flush()
        return 0
    target = Path(args.output) if args.output else None
    written = pdf_only(args.project, target, force=args.force, pdf_format=args.pdf_format)
    where = display_path(written.path)
    if written.state == "up to date":
        print(f"{where} is up to date ({written.pages} pages)")
    else:
        print(
            f"wrote {where}: {written.pages} pages, {written.size / 1024:.0f} KB "
            f"in {written.seconds:.2f} s"
        )
    return 0
