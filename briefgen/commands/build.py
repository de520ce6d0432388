"""briefgen build [PROJECT] [--out DIR] [--no-pdf] [--search] [--strict] [--older-edition] ..."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from briefgen.commands import (
    add_base_url_argument,
    add_drafts_argument,
    add_project_argument,
    examples,
)
from briefgen.commands.report import add_diagnostic_options, show_warnings
from briefgen.errors import display_path

EXAMPLES = examples(
    ("briefgen build", "build ./site and ./site/briefing.pdf from the project here"),
    ("briefgen build ~/briefings/china --no-pdf", "the pages only, without the PDF"),
    ("briefgen build --search --force", "redo everything, with the search index"),
)


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "build", help="build the site and the PDF briefing into site/"
    )
    add_project_argument(parser)
    parser.add_argument("--out", type=Path, help="output folder (default: PROJECT/site)")
    parser.add_argument(
        "--no-pdf", action="store_true", help="skip the PDF briefing (default: make it)"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="redo everything, the PDF layout included, even when nothing changed "
        "(default: only what changed)",
    )
    parser.add_argument(
        "--search",
        action="store_true",
        help="make the search index (Pagefind) when the pages changed; `briefgen publish` "
        "makes it before uploading (default: keep an index that still matches the pages, "
        "remove one that does not)",
    )
    add_base_url_argument(parser)
    add_drafts_argument(parser)
    add_diagnostic_options(parser)
    parser.add_argument(
        "--older-edition",
        action="store_true",
        help="build and record an edition dated before the latest one in content/editions/, "
        "replacing that date's record if there is one (default: refuse to)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from briefgen.build import build
    from briefgen.commands.progress import StageProgress

    with StageProgress(sys.stderr) as progress:
        report = build(
            args.project,
            args.out,
            with_pdf=not args.no_pdf,
            use_manifest=True,
            force=args.force,
            base_url=args.base_url,
            drafts=args.drafts,
            progress=progress,
            strict=args.strict,
            record_edition=not args.drafts,  # a preview of drafts is no edition
            older_edition=args.older_edition,
            search=args.search,
        )
    if show_warnings(report.warnings, args.format, fold=True):
        return 0
    where = display_path(report.out_dir)
    if report.up_to_date:
        print(f"{where} is up to date ({report.timings['total'] * 1000:.0f} ms)")
        return 0
    print(
        f"built {where}: {report.pages} pages, {len(report.written)} written, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed "
        f"in {report.timings['total']:.2f} s"
    )
    if report.pdf == "skipped":
        print("skipped the PDF (--no-pdf)")
    else:
        took = f" in {report.timings['pdf']:.2f} s" if report.pdf == "built" else ""
        print(f"PDF {report.pdf}{took}")
    if report.search == "none":
        print("no search index: `briefgen publish` makes it, or `briefgen build --search`")
    if not (report.out_dir / "sitemap.xml").is_file():
        print("no sitemap.xml: a sitemap needs absolute URLs; set base_url or --base-url")
    return 0
