"""`briefgen publish` against real targets on this machine: a bare git repository, sshd
with rsync on loopback (a host key and a client key made by the test), and an
S3-compatible server (moto_server) on loopback."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from briefgen.cli import main
from briefgen.write import MARKER

from .conftest import Result
from .test_mail_smtp import free_port

SECRET = "s3cr3t-never-printed"


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A new `briefgen init` project, built without the PDF (quicker; publishing is
    the same with it)."""
    root = tmp_path / "project"
    assert main(["init", os.fspath(root)]) == 0
    (root / "content" / "articles" / "extra.md").write_text(
        "---\ntitle: An extra report\n---\nNothing cites it.\n", encoding="utf-8"
    )
    assert main(["build", os.fspath(root), "--no-pdf"]) == 0
    return root


def rebuild_with_change(root: Path) -> None:
    """Edit the issue's bottom line and drop the extra article, then build: pages
    change, one page goes away."""
    issue = root / "content" / "issues" / "example.yaml"
    issue.write_text(
        issue.read_text(encoding="utf-8").replace("ninety days", "ninety-one days"),
        encoding="utf-8",
    )
    (root / "content" / "articles" / "extra.md").unlink()
    assert main(["build", os.fspath(root), "--no-pdf"]) == 0
    assert not (root / "site" / "articles" / "extra" / "index.html").exists()


def site_files(root: Path) -> dict[str, bytes]:
    site = root / "site"
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in site.rglob("*")
        if p.is_file() and p.name != MARKER  # the output folder's mark is not published
    }


def changes(result: Result) -> list[str]:
    return [line for line in result.out.splitlines() if line.startswith(("upload ", "delete "))]


# --- what is refused ---------------------------------------------------------------------


def test_refuses_a_missing_a_stale_and_a_failed_site(
    built: Path, tmp_path: Path, run: Callable[..., Result]
) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", os.fspath(remote)], check=True)

    shutil.rmtree(built / "site")
    missing = run("publish", built, "--git", remote)
    assert missing.code == 1
    assert "no built site" in missing.err and "briefgen build" in missing.err

    assert main(["build", os.fspath(built), "--no-pdf"]) == 0
    issue = built / "content" / "issues" / "example.yaml"
    issue.write_text(issue.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    stale = run("publish", built, "--git", remote)
    assert stale.code == 1
    assert "not the result of a successful build" in stale.err
    assert "Traceback" not in stale.err

    issue.write_text("title: [unclosed\n", encoding="utf-8")
    assert run("build", built, "--no-pdf").code == 1  # the old site stays ...
    failed = run("publish", built, "--git", remote)
    assert failed.code == 1  # ... and is not published
    assert "not the result of a successful build" in failed.err
    heads = subprocess.run(
        ["git", "-C", os.fspath(remote), "for-each-ref"], capture_output=True, text=True
    )
    assert heads.stdout == ""  # nothing was pushed


def test_target_from_briefing_yaml_and_its_mistakes(
    built: Path, tmp_path: Path, run: Callable[..., Result]
) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", os.fspath(remote)], check=True)
    settings = built / "content" / "briefing.yaml"
    original = settings.read_text(encoding="utf-8")

    settings.write_text(original + "publish:\n  git: x\n  rsync: h:/p\n  brnch: y\n", "utf-8")
    wrong = run("publish", built)
    assert wrong.code == 1
    assert "briefing.yaml:" in wrong.err
    assert "unknown key 'brnch' in publish settings (did you mean 'branch'?)" in wrong.err
    assert "exactly one of git, rsync or s3" in wrong.err

    settings.write_text(original + f"publish:\n  git: {remote}\n  branch: pages\n", "utf-8")
    assert run("build", built, "--no-pdf").code == 0  # the build accepts the section
    done = run("publish", built)
    assert done.code == 0, done.err
    shown = subprocess.run(
        ["git", "-C", os.fspath(remote), "show", "pages:index.html"],
        capture_output=True,
        check=True,
    )
    assert shown.stdout == (built / "site" / "index.html").read_bytes()

    nothing = run("publish", tmp_path / "project")
    assert "is up to date" in nothing.out


def test_no_target_at_all(built: Path, run: Callable[..., Result]) -> None:
    result = run("publish", built)
    assert result.code == 1
    assert "no publish target: give --git, --rsync or --s3" in result.err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--s3", "http://bucket"], "expected s3://BUCKET[/PREFIX]"),
        (["--rsync", "-e sh:/x"], "expected [USER@]HOST:PATH"),
        (["--git", "--upload-pack=touch /tmp/x"], "is not a git remote"),
        (["--rsync", "h:/x", "--branch", "b"], "--branch goes with --git"),
    ],
)
def test_bad_targets_are_usage_errors(
    built: Path, run: Callable[..., Result], args: list[str], expected: str
) -> None:
    result = run("publish", built, *args)
    assert result.code == 2
    assert expected in result.err


# --- git --------------------------------------------------------------------------------


def git(remote: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", os.fspath(remote), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def test_git_branch_in_a_bare_repository(
    built: Path, tmp_path: Path, run: Callable[..., Result]
) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", os.fspath(remote)], check=True)

    dry = run("publish", built, "--git", remote, "--dry-run")
    assert dry.code == 0, dry.err
    assert "A index.html" in dry.out and "changed nothing" in dry.out
    assert git(remote, "for-each-ref") == ""

    first = run("publish", built, "--git", remote)
    assert first.code == 0, first.err
    published = set(git(remote, "ls-tree", "-r", "--name-only", "gh-pages").split())
    assert published == {*site_files(built), ".nojekyll"}
    for path, data in site_files(built).items():
        shown = subprocess.run(
            ["git", "-C", os.fspath(remote), "show", f"gh-pages:{path}"], capture_output=True
        )
        assert shown.stdout == data, path

    rebuild_with_change(built)
    second = run("publish", built, "--git", remote)
    assert second.code == 0, second.err
    assert "M issues/example/index.html" in second.out
    assert "D articles/extra/index.html" in second.out
    log = git(remote, "log", "--format=%s", "gh-pages").splitlines()
    assert len(log) == 2  # history kept: the new commit sits on the old one
    assert "articles/extra/index.html" not in git(
        remote, "ls-tree", "-r", "--name-only", "gh-pages"
    )

    again = run("publish", built, "--git", remote)
    assert "is up to date" in again.out
    assert len(git(remote, "log", "--format=%s", "gh-pages").splitlines()) == 2


def test_publish_makes_the_search_index_that_a_plain_build_leaves_out(
    built: Path, tmp_path: Path, run: Callable[..., Result]
) -> None:
    site = built / "site"
    assert not (site / "pagefind").exists()  # `build` alone makes none
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", os.fspath(remote)], check=True)

    first = run("publish", built, "--git", remote)
    assert first.code == 0, first.err
    published = set(git(remote, "ls-tree", "-r", "--name-only", "gh-pages").split())
    assert "pagefind/pagefind.js" in published
    assert any(p.startswith("pagefind/fragment/") for p in published)
    pages_before = {p: d for p, d in site_files(built).items() if not p.startswith("pagefind/")}

    same = run("build", built, "--no-pdf")  # nothing changed: the index still fits
    assert same.code == 0, same.err
    assert "no search index" not in same.out
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert {p: d for p, d in site_files(built).items() if not p.startswith("pagefind/")} == (
        pages_before
    )
    assert "is up to date" in run("publish", built, "--git", remote).out

    rebuild_with_change(built)  # pages changed: a stale index is removed, not shipped
    assert not (site / "pagefind").exists()
    second = run("publish", built, "--git", remote)
    assert second.code == 0, second.err
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert "M issues/example/index.html" in second.out
    assert any(line.startswith(("A pagefind/", "M pagefind/")) for line in second.out.splitlines())


def test_git_failure_hides_a_token_in_the_remote(built: Path, run: Callable[..., Result]) -> None:
    port = free_port()  # nothing listens there
    result = run("publish", built, "--git", f"http://user:{SECRET}@127.0.0.1:{port}/site.git")
    assert result.code == 1
    assert result.err.startswith("briefgen: git ")
    assert SECRET not in result.err + result.out


# --- rsync over ssh ----------------------------------------------------------------------


SSHD = "/usr/sbin/sshd"


def wait_for_port(port: int, process: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited: {log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{what} did not listen on port {port}")


@pytest.fixture
def sshd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """sshd on a high loopback port, as a child with its own host key and a client key
    made here; RSYNC_RSH tells rsync how to reach it. Yields the folder to publish to."""
    assert os.access(SSHD, os.X_OK), "sshd missing: apt-get install openssh-server"
    assert shutil.which("rsync"), "rsync missing: apt-get install rsync"
    keys = tmp_path / "ssh"
    keys.mkdir()
    for name in ("host_key", "client_key"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.fspath(keys / name)],
            check=True,
        )
    shutil.copy(keys / "client_key.pub", keys / "authorized_keys")
    port = free_port()
    (keys / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {keys / 'host_key'}\n"
        f"AuthorizedKeysFile {keys / 'authorized_keys'}\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
        "StrictModes no\nUsePAM no\nPidFile none\n",
        encoding="utf-8",
    )
    host_key = (keys / "host_key.pub").read_text(encoding="utf-8").split()
    (keys / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key[0]} {host_key[1]}\n")
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation
    log = keys / "sshd.log"
    with log.open("wb") as errors:
        server = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", os.fspath(keys / "sshd_config")], stderr=errors
        )
    try:
        wait_for_port(port, server, "sshd", log)
        monkeypatch.setenv(
            "RSYNC_RSH",
            f"ssh -p {port} -i {keys / 'client_key'} -o BatchMode=yes "
            f"-o StrictHostKeyChecking=yes -o UserKnownHostsFile={keys / 'known_hosts'}",
        )
        www = tmp_path / "www"
        www.mkdir()
        yield www
    finally:
        server.terminate()
        server.wait(10)


def test_rsync_over_ssh(built: Path, sshd: Path, run: Callable[..., Result]) -> None:
    destination = f"{getpass.getuser()}@127.0.0.1:{sshd}"
    (sshd / "left-over.html").write_text("old", encoding="utf-8")

    dry = run("publish", built, "--rsync", destination, "--dry-run")
    assert dry.code == 0, dry.err
    assert "upload index.html" in dry.out and "delete left-over.html" in dry.out
    assert sorted(p.name for p in sshd.iterdir()) == ["left-over.html"]

    first = run("publish", built, "--rsync", destination)
    assert first.code == 0, first.err
    served = {
        p.relative_to(sshd).as_posix(): p.read_bytes() for p in sshd.rglob("*") if p.is_file()
    }
    assert served == site_files(built)  # the left-over file is gone
    assert (sshd / "index.html").stat().st_mode & 0o777 == 0o644

    rebuild_with_change(built)
    second = run("publish", built, "--rsync", destination)
    assert second.code == 0, second.err
    assert "upload issues/example/index.html" in changes(second)
    assert "delete articles/extra/index.html" in changes(second)
    assert "upload articles/example-report/index.html" not in changes(second)  # unchanged
    served = {
        p.relative_to(sshd).as_posix(): p.read_bytes() for p in sshd.rglob("*") if p.is_file()
    }
    assert served == site_files(built)


def test_rsync_unreachable_host_fails_in_one_line(
    built: Path, sshd: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RSYNC_RSH", f"ssh -p {free_port()} -o BatchMode=yes")
    result = run("publish", built, "--rsync", f"127.0.0.1:{sshd}")
    assert result.code == 1
    assert result.err.startswith("briefgen: rsync to 127.0.0.1:")
    assert "Traceback" not in result.err


# --- S3 ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto_server on a loopback port: an S3 API that keeps objects in memory."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as errors:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    try:
        wait_for_port(port, server, "moto_server", log)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> object:
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key-id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.fspath(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.fspath(tmp_path / "none"))
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    name = f"briefing-{tmp_path.name.lower().replace('_', '-')}"[:60]
    client.create_bucket(Bucket=name)
    client.put_object(Bucket=name, Key="weekly/gone.html", Body=b"old page")
    client.put_object(Bucket=name, Key="elsewhere/keep.txt", Body=b"not ours")
    return client, name


def objects(client: object, name: str) -> dict[str, bytes]:
    found = client.list_objects_v2(Bucket=name)["Contents"]  # type: ignore[attr-defined]
    return {
        o["Key"]: client.get_object(Bucket=name, Key=o["Key"])["Body"].read()  # type: ignore[attr-defined]
        for o in found
    }


def test_s3_upload_changed_only_headers_order_and_deletes(
    built: Path, bucket: tuple[object, str], s3_endpoint: str, run: Callable[..., Result]
) -> None:
    client, name = bucket
    args = ("publish", built, "--s3", f"s3://{name}/weekly", "--endpoint-url", s3_endpoint)

    dry = run(*args, "--dry-run")
    assert dry.code == 0, dry.err
    assert "upload index.html (new)" in dry.out and "delete gone.html" in dry.out
    assert set(objects(client, name)) == {"weekly/gone.html", "elsewhere/keep.txt"}

    first = run(*args)
    assert first.code == 0, first.err
    lines = changes(first)
    # Files that pages link to first, pages after, the front page last, deletions last.
    kinds = [
        "delete" if line.startswith("delete") else line.split()[1].endswith(".html")
        for line in lines
    ]
    assert kinds == sorted(kinds, key=lambda k: {False: 0, True: 1, "delete": 2}[k])
    assert lines[-2] == "upload index.html (new)" and lines[-1] == "delete gone.html"
    stored = objects(client, name)
    expected = {f"weekly/{path}": data for path, data in site_files(built).items()}
    assert stored == {**expected, "elsewhere/keep.txt": b"not ours"}

    head = client.head_object(Bucket=name, Key="weekly/index.html")  # type: ignore[attr-defined]
    assert head["ContentType"] == "text/html; charset=utf-8"
    assert head["CacheControl"] == "no-cache"
    css = client.head_object(Bucket=name, Key="weekly/assets/style.css")  # type: ignore[attr-defined]
    assert css["ContentType"] == "text/css; charset=utf-8"
    assert css["CacheControl"] == "public, max-age=3600"
    feed = client.head_object(Bucket=name, Key="weekly/feed.xml")  # type: ignore[attr-defined]
    assert feed["ContentType"] == "application/atom+xml; charset=utf-8"

    rebuild_with_change(built)
    second = run(*args)
    assert second.code == 0, second.err
    changed = changes(second)
    assert "upload issues/example/index.html (changed)" in changed
    assert "delete articles/extra/index.html" in changed
    assert not any("assets/style.css" in line for line in changed)  # same bytes: not sent
    assert objects(client, name) == {
        **{f"weekly/{p}": d for p, d in site_files(built).items()},
        "elsewhere/keep.txt": b"not ours",
    }
    assert "is up to date" in run(*args).out
    for result in (dry, first, second):
        assert SECRET not in result.out + result.err


def test_s3_without_credentials(
    built: Path,
    bucket: tuple[object, str],
    s3_endpoint: str,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = run("publish", built, "--s3", f"s3://{bucket[1]}", "--endpoint-url", s3_endpoint)
    assert result.code == 1
    assert "no S3 credentials: set AWS_ACCESS_KEY_ID" in result.err


def test_s3_wrong_secret_is_not_printed(
    built: Path,
    bucket: tuple[object, str],
    s3_endpoint: str,
    run: Callable[..., Result],
) -> None:
    result = run(
        "publish", built, "--s3", "s3://no-such-bucket-here", "--endpoint-url", s3_endpoint
    )
    assert result.code == 1
    assert "S3 refused (NoSuchBucket)" in result.err
    assert SECRET not in result.err + result.out
