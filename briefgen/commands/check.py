"""briefgen check [PROJECT]"""

from __future__ import annotations

import argparse
from typing import Any

from briefgen.commands import add_drafts_argument, add_project_argument


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "check", help="validate content, cites, quotes and templates; write nothing"
    )
    add_project_argument(parser)
    add_drafts_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from briefgen.build import check_only

    report = check_only(args.project, drafts=args.drafts)
    print(
        f"ok: {_count(report.articles, 'article')}, "
        f"{_count(report.issues, 'issue')}, "
        f"{_count(report.checklist_items, 'checklist item')}, {_count(report.cites, 'cite')}"
    )
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
