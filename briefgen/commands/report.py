"""How check and build show diagnostics: lines for people, or JSON for editors and CI."""

from __future__ import annotations

import argparse
import json
import sys
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


def show_warnings(warnings: Sequence[Diagnostic], fmt: str) -> bool:
    """Print the warnings of a run that succeeded; True when the output was JSON (and
    then the only thing to print)."""
    if fmt == "json":
        print(_document(warnings))
        return True
    if warnings:  # one write: a project of thousands of files may have as many warnings
        print("\n".join(map(str, warnings)), file=sys.stderr)
    return False


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
