"""Publishing the built site: to a git branch, over rsync, or to S3-compatible storage.

publish() is the entry point: it refuses a site that is not the result of a
successful build of the content as it is now, then hands the files, in an order
that keeps the published site whole, to the target's module.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefgen.project import find_project
from briefgen.publish.config import (
    GitTarget,
    RsyncTarget,
    S3Target,
    Target,
    configured_target,
    git_target,
    redact,
    rsync_target,
    s3_target,
)
from briefgen.publish.errors import PublishFailed
from briefgen.publish.site import built_site

__all__ = [
    "GitTarget",
    "PublishFailed",
    "Published",
    "RsyncTarget",
    "S3Target",
    "Target",
    "configured_target",
    "git_target",
    "publish",
    "redact",
    "rsync_target",
    "s3_target",
]


@dataclass(frozen=True, slots=True)
class Published:
    target: Target
    files: int
    """Files in the site."""
    changes: tuple[str, ...]
    dry_run: bool


def publish(
    project_dir: Path, target: Target | None, site_dir: Path | None = None, *, dry_run: bool
) -> Published:
    """Publish the built site to target (default: `publish:` in briefing.yaml)."""
    project = find_project(project_dir)
    if target is None:
        target = configured_target(project.settings_file)
    if target is None:
        raise PublishFailed(
            "no publish target: give --git, --rsync or --s3, or set publish: in briefing.yaml"
        )
    site = built_site(project, site_dir)
    if isinstance(target, GitTarget):
        from briefgen.publish.git import publish_git

        message = f"Publish {project.root.name} with briefgen"
        changes = publish_git(site, target, message, dry_run=dry_run).changed
    elif isinstance(target, RsyncTarget):
        from briefgen.publish.rsync import publish_rsync

        changes = publish_rsync(site, target, dry_run=dry_run).changed
    else:
        from briefgen.publish.s3 import publish_s3

        changes = publish_s3(site, target, dry_run=dry_run).changed
    return Published(target, len(site.files), changes, dry_run)
