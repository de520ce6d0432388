"""briefgen publish [PROJECT] [--git REMOTE [--branch B] | --rsync DEST | --s3 URL] [--dry-run]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from briefgen.commands import add_project_argument, examples

EXAMPLES = examples(
    ("briefgen publish", "to the target in publish: of briefing.yaml"),
    (
        "briefgen publish --git git@github.com:desk/briefing.git --dry-run",
        "show what a push to its gh-pages branch would change",
    ),
    ("briefgen publish ~/briefings/china --rsync web@example.org:/srv/www", "copy it by SSH"),
)


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "publish",
        help="upload the built site to a git branch, a server (rsync) or S3 storage",
        description=(
            "Publish the site `briefgen build` wrote, to the target given here or in "
            "publish: of briefing.yaml. A site older than its content is refused. "
            "Credentials come from git, ssh or the S3 provider's own configuration and "
            "environment, never from briefing.yaml."
        ),
    )
    add_project_argument(parser)
    where = parser.add_argument_group("target (default: publish: in briefing.yaml)")
    kind = where.add_mutually_exclusive_group()
    kind.add_argument(
        "--git",
        metavar="REMOTE",
        help="commit the site to a branch of this git remote and push (default: none)",
    )
    kind.add_argument(
        "--rsync",
        metavar="[USER@]HOST:PATH",
        help="copy the site with rsync over SSH (default: none)",
    )
    kind.add_argument(
        "--s3",
        metavar="s3://BUCKET[/PREFIX]",
        help="upload to S3-compatible storage (default: none)",
    )
    where.add_argument(
        "--branch", metavar="NAME", help="with --git: the branch (default: gh-pages)"
    )
    where.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="with --s3: a provider other than AWS (default: AWS, or the S3 configuration's)",
    )
    where.add_argument(
        "--region",
        metavar="NAME",
        help="with --s3: the bucket's region (default: the S3 configuration's)",
    )
    parser.add_argument(
        "--site", type=Path, metavar="DIR", help="the built site (default: PROJECT/site)"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="list what would change; change nothing (default: publish)",
    )
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    from briefgen.publish import PublishFailed, publish

    try:
        target = _target(args)
    except ValueError as exc:
        args.parser.error(str(exc))
    try:
        done = publish(args.project, target, args.site, dry_run=args.dry_run)
    except PublishFailed as failed:
        print(f"briefgen: {failed}", file=sys.stderr)
        return 1
    for change in done.changes:
        print(change)
    count = len(done.changes)
    if done.dry_run:
        print(
            f"would make {count} change{'s' if count != 1 else ''} to {done.target}; "
            "changed nothing (--dry-run)"
        )
    elif count:
        print(
            f"published {done.files} files to {done.target}: {count} "
            f"change{'s' if count != 1 else ''}"
        )
    else:
        print(f"{done.target} is up to date ({done.files} files)")
    return 0


def _target(args: argparse.Namespace) -> Any:
    from briefgen.publish import git_target, rsync_target, s3_target

    if args.branch and not args.git:
        raise ValueError("--branch goes with --git")
    if (args.endpoint_url or args.region) and not args.s3:
        raise ValueError("--endpoint-url and --region go with --s3")
    if args.git:
        return git_target(args.git, args.branch)
    if args.rsync:
        return rsync_target(args.rsync)
    if args.s3:
        return s3_target(args.s3, args.endpoint_url, args.region)
    return None
