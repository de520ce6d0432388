"""briefgen check [PROJECT]"""

from __future__ import annotations

import argparse
from typing import Any

from briefgen.build import prepare
from briefgen.check import all_cites
from briefgen.commands import add_project_argument
from briefgen.pdf import print_document
from briefgen.render import render_site


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "check", help="validate content, cites, quotes and templates; write nothing"
    )
    add_project_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    prepared = prepare(args.project)
    briefing = prepared.briefing
    # Rendering in memory finds template errors that only show with real data.
    render_site(briefing, prepared.env, prepared.theme, pdf_name=None)
    print_document(briefing, prepared.env, prepared.theme, prepared.project)
    cites = sum(1 for _ in all_cites(briefing))
    print(
        f"ok: {_count(len(briefing.articles), 'article')}, "
        f"{_count(len(briefing.issues), 'issue')}, "
        f"{_count(len(briefing.watch), 'checklist item')}, {_count(cites, 'cite')}"
    )
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
