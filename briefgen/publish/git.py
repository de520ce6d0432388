"""Publish to a git branch (GitHub Pages and the like).

The site becomes one commit on top of the branch as the remote has it (history kept,
no force push), made in a scratch repository so the project need not be a git
repository. The push updates the branch in one step: readers see the old site or
the new one. Authentication is git's own (ssh agent, credential helpers).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from briefgen.publish.config import GitTarget, redact
from briefgen.publish.errors import PublishFailed
from briefgen.publish.site import BuiltSite
from briefgen.write import MARKER

_IDENTITY = ("-c", "user.name=briefgen", "-c", "user.email=briefgen@localhost")


@dataclass(frozen=True, slots=True)
class GitResult:
    changed: tuple[str, ...]
    """'A path', 'M path', 'D path' lines, as git names the changes."""
    commit: str | None
    """The new commit, None when nothing changed (or on a dry run)."""


def publish_git(site: BuiltSite, target: GitTarget, message: str, *, dry_run: bool) -> GitResult:
    with tempfile.TemporaryDirectory(prefix="briefgen-git-") as scratch:
        repo = Path(scratch)
        _git(repo, site.root, "init", "-q")
        ref = f"refs/heads/{target.branch}"
        exists = bool(_git(repo, site.root, "ls-remote", "--heads", "--", target.remote, ref))
        if exists:
            _git(repo, site.root, "fetch", "-q", "--depth=1", "--", target.remote, f"+{ref}:{ref}")
        _git(repo, site.root, "symbolic-ref", "HEAD", ref)
        _git(repo, site.root, "add", "-A", "--", ".")
        _git(repo, site.root, "rm", "-q", "--cached", "--ignore-unmatch", "--", MARKER)
        # GitHub Pages would otherwise run Jekyll, which drops folders starting with '_'.
        blob = _git(repo, site.root, "hash-object", "-w", "--stdin", stdin="")
        _git(repo, site.root, "update-index", "--add", "--cacheinfo", f"100644,{blob},.nojekyll")
        changes = _git(
            repo,
            site.root,
            "diff",
            "--cached",
            "--name-status",
            "--no-renames",
            *(["HEAD"] if exists else []),
        )
        changed = tuple(" ".join(line.split("\t", 1)) for line in changes.splitlines())
        if not exists:
            changed = tuple(f"A {p}" for p in _git(repo, site.root, "ls-files").splitlines())
        if dry_run or not changed:
            return GitResult(changed, None)
        _git(repo, site.root, *_IDENTITY, "commit", "-q", "-m", message)
        commit = _git(repo, site.root, "rev-parse", "HEAD")
        _git(repo, site.root, "push", "-q", "--", target.remote, f"{ref}:{ref}")
        return GitResult(changed, commit)


def _git(repo: Path, work_tree: Path, *args: str, stdin: str | None = None) -> str:
    env = {
        **os.environ,
        "GIT_DIR": os.fspath(repo / ".git"),
        "GIT_WORK_TREE": os.fspath(work_tree),
        "GIT_TERMINAL_PROMPT": "0",
    }
    if args[0] == "init":
        env.pop("GIT_DIR")
        env.pop("GIT_WORK_TREE")
        args = (*args, os.fspath(repo))
    try:
        done = subprocess.run(
            ["git", *args],
            env=env,
            cwd=work_tree,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise PublishFailed("publishing to git needs the git program on the PATH") from None
    if done.returncode != 0:
        said = redact(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "")
        raise PublishFailed(f"git {args[0]} failed: {said or f'exit status {done.returncode}'}")
    return done.stdout.strip()
