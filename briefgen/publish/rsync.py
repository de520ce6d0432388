"""Publish to a folder on a server with rsync over SSH.

Two passes keep the site whole for readers: first every file but the pages (assets,
images, the PDF, the search index), then the pages with --delay-updates (changed
pages are renamed into place together at the end) and deletions last. The ssh
command, port and key come from the user's ssh configuration or $RSYNC_RSH.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from briefgen.publish.config import RsyncTarget
from briefgen.publish.errors import PublishFailed
from briefgen.publish.site import BuiltSite

_COMMON = ("--recursive", "--links", "--times", "--checksum", "--chmod=D755,F644", "--protect-args")


@dataclass(frozen=True, slots=True)
class RsyncResult:
    changed: tuple[str, ...]
    """'upload path' and 'delete path' lines."""


def publish_rsync(site: BuiltSite, target: RsyncTarget, *, dry_run: bool) -> RsyncResult:
    source = os.fspath(site.root) + "/"
    dest = target.destination.rstrip("/") + "/"
    first = ("--exclude=*.html", "--exclude=/.*") if not dry_run else ("--exclude=/.*",)
    changed = _rsync([*_COMMON, *first, *(["--dry-run"] if dry_run else [])], source, dest)
    if dry_run:
        deletions = _rsync([*_COMMON, "--dry-run", "--delete", "--exclude=/.*"], source, dest)
        return RsyncResult((*changed, *(c for c in deletions if c.startswith("delete "))))
    pages = _rsync(
        [*_COMMON, "--delay-updates", "--delete-delay", "--exclude=/.*", "--exclude=/.~tmp~/"],
        source,
        dest,
    )
    return RsyncResult((*changed, *pages))


def _rsync(options: list[str], source: str, dest: str) -> list[str]:
    command = ["rsync", *options, "--out-format=upload %n", "--", source, dest]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise PublishFailed("publishing with rsync needs the rsync program on the PATH") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        said = "; ".join(lines[-2:]) or f"exit status {done.returncode}"
        raise PublishFailed(f"rsync to {dest} failed: {said}")
    out: list[str] = []
    for line in done.stdout.splitlines():
        if line.startswith("deleting "):
            out.append("delete " + line.removeprefix("deleting "))
        elif line.startswith("upload ") and not line.endswith("/"):
            out.append(line)
    return out
