"""briefgen check [PROJECT] [--strict] [--format text|json]"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from briefgen.commands import add_drafts_argument, add_project_argument, examples
from briefgen.commands.report import add_diagnostic_options, show_warnings

EXAMPLES = examples(
    ("briefgen check", "check the project in this folder"),
    ("briefgen check ~/briefings/china", "check another project"),
)


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "check", help="validate content, cites, quotes and templates; write nothing"
    )
    add_project_argument(parser)
    add_drafts_argument(parser)
    add_diagnostic_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from briefgen.build import check_only

    report = check_only(args.project, drafts=args.drafts, strict=args.strict)
    _check_sections(args.project)
    if show_warnings(report.warnings, args.format):
        return 0
    print(
        f"ok: {_count(report.articles, 'article')}, "
        f"{_count(report.issues, 'issue')}, "
        f"{_count(report.checklist_items, 'checklist item')}, {_count(report.cites, 'cite')}"
        + (f"; {_count(len(report.warnings), 'warning')}" if report.warnings else "")
    )
    return 0


def _check_sections(project_dir: Path) -> None:
    """What only publish and email read: publish: and mailing_lists: of briefing.yaml."""
    from briefgen.errors import BuildFailed, Diagnostic
    from briefgen.mail.lists import check_lists
    from briefgen.project import find_project
    from briefgen.publish import configured_target

    project = find_project(project_dir)
    diagnostics: list[Diagnostic] = []
    try:
        configured_target(project.settings_file)
    except BuildFailed as failed:
        diagnostics.extend(failed.diagnostics)
    try:
        check_lists(project)
    except BuildFailed as failed:
        diagnostics.extend(failed.diagnostics)
    if diagnostics:
        raise BuildFailed(diagnostics)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
