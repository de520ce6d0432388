"""How check and build show diagnostics: lines for people, or JSON for editors and CI."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence

from briefgen.errors import Diagnostic


def add_diagnostic_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings (uncited claims, stale dates, ...) as errors (default: off)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: path:line:col: message lines; json: one JSON document on standard output "
        "(default: %(default)s)",
    )


FOLD_AFTER = 10
"""A build shows at most this many warnings of one kind, then how many more there are:
a year of clippings may hold thousands of articles nothing cites, and a build's output
must stay readable. `briefgen check` (and --format json) lists every one."""


def show_warnings(warnings: Sequence[Diagnostic], fmt: str, *, fold: bool = False) -> bool:
    """Print the warnings of a run that succeeded; True when the output was JSON (and
    then the only thing to print). fold: show FOLD_AFTER of each kind, then a count."""
    if fmt == "json":
        print(_document(warnings))
        return True
    shown = _folded(warnings) if fold else list(map(str, warnings))
    if shown:  # one write: a project of thousands of files may have as many warnings
        print("\n".join(shown), file=sys.stderr)
    return False


def _folded(warnings: Sequence[Diagnostic]) -> list[str]:
    seen: Counter[str] = Counter()
    lines = []
    for warning in warnings:
        seen[warning.code] += 1
        if seen[warning.code] <= FOLD_AFTER:
            lines.append(str(warning))
    for code, count in seen.items():
        if count > FOLD_AFTER:
            more = count - FOLD_AFTER
            lines.append(
                f"warning: {more} more {code} {'warning' if more == 1 else 'warnings'} "
                "not shown; `briefgen check` lists every one"
            )
    return lines


def show_failure(diagnostics: Sequence[Diagnostic], fmt: str) -> None:
    """Print the mistakes of a run that failed."""
    if fmt == "json":
        print(_document(diagnostics))
        return
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    counted = _count(errors, "error") + (f", {_count(warnings, 'warning')}" if warnings else "")
    print(f"briefgen: {counted}; nothing written", file=sys.stderr)


def _document(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    return json.dumps(
        {
            "ok": errors == 0,
            "errors": errors,
            "warnings": len(diagnostics) - errors,
            "diagnostics": [d.as_json() for d in diagnostics],
        },
        ensure_ascii=False,
        indent=2,
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
