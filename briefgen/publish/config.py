"""Where to publish: a target from the command line or from `publish:` in briefing.yaml.

The section is read only by the commands that use it, with positions for every mistake.
Credentials never come from here: git and ssh use their own configuration and agents,
S3 the provider's environment variables or files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import BuildFailed, Diagnostic
from briefgen.fields import Fields
from briefgen.sections import settings_section
from briefgen.yamlsrc import YMap

DEFAULT_BRANCH = "gh-pages"
KINDS = ("git", "rsync", "s3")
PUBLISH_KEYS = (*KINDS, "branch", "endpoint_url", "region")
_S3_URL = re.compile(r"s3://(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/(?P<prefix>.*))?")
_RSYNC_DEST = re.compile(r"(?:[^@:/\s]+@)?[^@:/\s-][^@:/\s]*:\S*")
_BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


@dataclass(frozen=True, slots=True)
class GitTarget:
    remote: str
    branch: str = DEFAULT_BRANCH

    def __str__(self) -> str:
        return f"branch {self.branch} of {redact(self.remote)}"


@dataclass(frozen=True, slots=True)
class RsyncTarget:
    destination: str
    """[USER@]HOST:PATH"""

    def __str__(self) -> str:
        return self.destination


@dataclass(frozen=True, slots=True)
class S3Target:
    bucket: str
    prefix: str
    """'' or a key prefix ending in '/'."""
    endpoint_url: str | None = None
    region: str | None = None

    def __str__(self) -> str:
        where = f" at {redact(self.endpoint_url)}" if self.endpoint_url else ""
        return f"s3://{self.bucket}/{self.prefix}{where}"


Target = GitTarget | RsyncTarget | S3Target


def redact(url: str) -> str:
    """url without a password or token written into it (https://user:token@host/...)."""
    return re.sub(r"(?<=://)[^/@\s]+@", "***@", url)


def git_target(remote: str, branch: str | None) -> GitTarget:
    if not remote or remote.startswith("-"):
        raise ValueError(f"'{redact(remote)}' is not a git remote; expected a URL or a path")
    name = branch or DEFAULT_BRANCH
    if not _BRANCH.fullmatch(name) or ".." in name or name.endswith((".lock", "/")):
        raise ValueError(f"'{name}' is not a branch name; expected for example gh-pages")
    return GitTarget(remote, name)


def rsync_target(destination: str) -> RsyncTarget:
    if not _RSYNC_DEST.fullmatch(destination):
        raise ValueError(f"'{destination}' is not an rsync destination; expected [USER@]HOST:PATH")
    return RsyncTarget(destination)


def s3_target(url: str, endpoint_url: str | None, region: str | None) -> S3Target:
    match = _S3_URL.fullmatch(url)
    if match is None:
        raise ValueError(f"'{url}' is not an S3 location; expected s3://BUCKET[/PREFIX]")
    prefix = (match["prefix"] or "").strip("/")
    if endpoint_url is not None and not re.match(r"https?://", endpoint_url):
        raise ValueError(f"endpoint '{redact(endpoint_url)}' must be an http:// or https:// URL")
    return S3Target(match["bucket"], prefix + "/" if prefix else "", endpoint_url, region)


def configured_target(settings_file: Path) -> Target | None:
    """The target in `publish:` of briefing.yaml, None when there is none."""
    node = settings_section(settings_file, "publish")
    if node is None:
        return None
    diagnostics: list[Diagnostic] = []
    if not isinstance(node, YMap):
        raise BuildFailed([Diagnostic(node.pos, "field 'publish' must be a mapping of fields")])
    f = Fields(node, PUBLISH_KEYS, diagnostics, "publish settings")
    given = [kind for kind in KINDS if f.has(kind)]
    target: Target | None = None
    if len(given) != 1:
        f.error(node.pos, "publish settings need exactly one of git, rsync or s3")
    else:
        kind = given[0]
        value = f.text(kind) or ""
        try:
            if kind == "git":
                target = git_target(value, f.text("branch"))
            elif kind == "rsync":
                target = rsync_target(value)
            else:
                target = s3_target(value, f.text("endpoint_url"), f.text("region"))
        except ValueError as exc:
            f.error(f.pos(kind), str(exc))
    if diagnostics:
        raise BuildFailed(diagnostics)
    return target
