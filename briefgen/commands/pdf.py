"""briefgen pdf [PROJECT] [-o FILE] [--force]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from briefgen.commands import add_project_argument, examples
from briefgen.errors import display_path

EXAMPLES = examples(
    ("briefgen pdf", "make site/briefing.pdf of the project here"),
    ("briefgen pdf ~/briefings/china -o ~/Desktop/china.pdf", "write it somewhere else"),
    ("briefgen pdf -o - | lpr", "print it without keeping a file"),
)


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "pdf",
        help="make the PDF briefing alone, into site/ as build does",
        description="Make the PDF briefing alone, without the pages: into PROJECT/site/, "
        "where `briefgen build` puts it, named by pdf.filename in briefing.yaml "
        "(briefing.pdf unless set). Laid out again only when something it shows changed.",
    )
    add_project_argument(parser)
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write the PDF; '-' for standard output "
        "(default: PROJECT/site/<pdf.filename>, where build writes it)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="lay out the PDF even when nothing changed (default: only when it did)",
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
