"""briefgen import FILE... [PROJECT] [--title T] [--source S] [--url U] [--published DATE]
[--issues a,b] [--force]"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from briefgen.commands import examples
from briefgen.errors import display_path

EXAMPLES = examples(
    ("briefgen import clip.txt", "clean clip.txt into content/articles/ of the project here"),
    (
        "briefgen import a.txt b.txt ~/briefings/china --issues trade",
        "two clippings into another project, for issue 'trade'",
    ),
    (
        "briefgen import - --source Reuters --published 2026-02-01 < clip.txt",
        "from standard input, with what the text does not say",
    ),
)


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "import",
        usage="briefgen import FILE... [PROJECT] [--title T] [--source S] [--url U] "
        "[--published YYYY-MM-DD] [--issues ID,ID] [--force]",
        help="turn raw clippings into articles in content/articles/",
        description=(
            "Clean each clipping (a text file pasted from a web page, or a saved web page "
            "as HTML; '-' reads standard input) and write it as content/articles/<slug>.md "
            "with front matter. When the "
            "last argument is a folder holding content/, it is the project; otherwise the "
            "project is the current folder."
        ),
    )
    parser.add_argument("paths", nargs="+", metavar="FILE", help="clipping files, then PROJECT")
    parser.add_argument("--title", type=_title, help="the headline (default: found in the text)")
    parser.add_argument("--source", help="the outlet (default: from a 'Written by X for Y' line)")
    parser.add_argument("--url", type=_url, help="where the original lives (default: none)")
    parser.add_argument(
        "--published",
        type=_date,
        metavar="YYYY-MM-DD",
        help="publication date (default: found in the text, else none)",
    )
    parser.add_argument(
        "--issues",
        type=_issue_ids,
        default=(),
        metavar="ID,ID",
        help="issue ids, comma-separated (default: none)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an article of the same id (default: refuse to replace)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    files, project_dir = _split_paths(args.paths)
    if len(files) > 1 and (args.title or args.url):
        print("briefgen import: --title and --url name one article; give one FILE", file=sys.stderr)
        return 2
    from briefgen.importer import ImportOptions, import_clippings

    options = ImportOptions(
        title=args.title,
        source=args.source,
        url=args.url,
        published=args.published,
        issues=args.issues,
        force=args.force,
    )
    for imported in import_clippings(files, project_dir, options):
        verb = "unchanged" if imported.unchanged else "replaced" if imported.replaced else "wrote"
        print(f"{imported.clip_name}: {verb} {display_path(imported.path)}")
        print(f"  title: {_printable(imported.title)}")
        if imported.title_inferred:
            print(
                f"  note: the title was inferred from the {imported.title_inferred}; edit "
                "'title:' in the file, or import without this file and again with --title"
            )
        if imported.warning:
            print(f"  warning: {imported.warning}")
        for line in imported.removed:
            print(f"  removed line {line.line} ({line.reason}): {_printable(line.text)}")
    return 0


def _split_paths(paths: list[str]) -> tuple[list[str], Path]:
    last = Path(paths[-1])
    if len(paths) > 1 and (last / "content").is_dir():
        return paths[:-1], last
    return paths, Path(".")


def _printable(text: str) -> str:
    """Text from the web, safe for a terminal: no escape sequences."""
    return "".join(c if c.isprintable() else "\ufffd" for c in text)


def _title(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("the title is empty")
    return text.strip()


def _url(text: str) -> str:
    from briefgen.load import HTTP_URL

    if not HTTP_URL.match(text):
        raise argparse.ArgumentTypeError(f"'{text}' is not an http:// or https:// URL")
    return text


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; expected YYYY-MM-DD") from None


def _issue_ids(text: str) -> tuple[str, ...]:
    from briefgen.fields import SLUG

    ids = tuple(part.strip() for part in text.split(",") if part.strip())
    for issue_id in ids:
        if not SLUG.match(issue_id):
            raise argparse.ArgumentTypeError(f"'{issue_id}' is not an issue id")
    return ids
