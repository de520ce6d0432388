"""`briefgen email --list / --to-list`: one message per recipient through a real SMTP
server on loopback, failures that do not stop the rest, and the send log."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from briefgen.cli import main

from .conftest import Result
from .test_email import SENDER, parse
from .test_mail_smtp import Handler, Smtp, smtp_servers


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `briefgen init` project with a sender and two mailing lists, built once."""
    root = tmp_path_factory.mktemp("lists") / "project"
    assert main(["init", os.fspath(root)]) == 0
    settings = root / "content" / "briefing.yaml"
    text = settings.read_text(encoding="utf-8")
    text += f"email:\n  from: {SENDER}\n"
    text += (
        "mailing_lists:\n"
        "  team:\n"
        "    - Ana Analyst <ana@example.org>\n"
        "    - ben@example.org\n"
        "  board: lists/board.txt\n"
    )
    settings.write_text(text, encoding="utf-8")
    (root / "lists").mkdir()
    (root / "lists" / "board.txt").write_text(
        "# the board\nchair@example.net\n\n  Vice Chair <vice@example.net>\n", encoding="utf-8"
    )
    assert main(["build", os.fspath(root), "--no-pdf"]) == 0
    return root


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Smtp]]:
    with smtp_servers(monkeypatch) as start:
        yield start


def log_rows(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "time\tedition\tsubject\trecipient\tresult\tdetail"
    return [line.split("\t") for line in lines[1:]]


def test_each_recipient_gets_a_message_of_their_own(
    built: Path, smtp_server: Callable[..., Smtp], run: Callable[..., Result], tmp_path: Path
) -> None:
    smtp = smtp_server()
    extra = tmp_path / "extra.txt"
    extra.write_text("# one more\nextra@example.com\nben@example.org\n", encoding="utf-8")
    log = tmp_path / "sent.tsv"
    result = run(
        "email", built, "--smtp", smtp.address, "--list", "team", "--list", "board",
        "--to-list", extra, "--log", log,
    )  # fmt: skip
    assert result.code == 0, result.err
    everyone = [
        "ana@example.org",
        "ben@example.org",
        "chair@example.net",
        "vice@example.net",
        "extra@example.com",
    ]  # ben once, though on two lists
    assert [m.rcpt_tos for m in smtp.handler.messages] == [[a] for a in everyone]
    ids = set()
    for received, address in zip(smtp.handler.messages, everyone, strict=True):
        message = parse(received.data)
        assert message["To"].addresses[0].addr_spec == address
        assert len(message["To"].addresses) == 1  # nobody sees the list
        assert message["Cc"] is None and message["Bcc"] is None
        for other in everyone:
            assert other == address or other not in received.data.decode("ascii")
        ids.add(message["Message-ID"])
    assert len(ids) == len(everyone)
    assert "sent 'My briefing — 15 January 2026' to 5 of 5 recipients" in result.out
    rows = log_rows(log)
    assert [(r[1], r[3], r[4]) for r in rows] == [("2026-01-15", a, "sent") for a in everyone]


def test_a_failed_address_does_not_stop_the_rest(
    built: Path, smtp_server: Callable[..., Smtp], run: Callable[..., Result]
) -> None:
    smtp = smtp_server(Handler(refuse=("ben@example.org",)))
    result = run("email", built, "--smtp", smtp.address, "--list", "team", "--list", "board")
    assert result.code == 1
    assert [m.rcpt_tos for m in smtp.handler.messages] == [
        ["ana@example.org"],
        ["chair@example.net"],
        ["vice@example.net"],
    ]
    assert "failed: ben@example.org:" in result.err
    assert "550 5.1.1 No such user here" in result.err
    assert "to 3 of 4 recipients" in result.err and "1 failed: ben@example.org" in result.err
    assert "Traceback" not in result.err
    rows = log_rows(built / "send-log.tsv")  # the default log, in the project
    results = {r[3]: r[4] for r in rows[-4:]}
    assert results == {
        "ana@example.org": "sent",
        "ben@example.org": "failed",
        "chair@example.net": "sent",
        "vice@example.net": "sent",
    }


def test_list_mistakes_have_positions(
    built: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("ok@example.org\n\nnot an address\n", encoding="utf-8")
    result = run("email", built, "--to-list", bad, "--dry-run")
    assert result.code == 1
    assert f"{bad}:3:1: address: 'not an address' is not a valid email address" in result.err

    unknown = run("email", built, "--list", "teem", "--dry-run")
    assert unknown.code == 1
    assert "no mailing list 'teem' (did you mean 'team'?)" in unknown.err
    assert "briefing.yaml:" in unknown.err


def test_lists_refuse_cc_and_dry_run_counts(built: Path, run: Callable[..., Result]) -> None:
    mixed = run("email", built, "--list", "team", "--cc", "x@example.org")
    assert mixed.code == 2
    assert "each list recipient gets a message of their own" in mixed.err
    dry = run("email", built, "--list", "team", "--list", "board", "--dry-run")
    assert dry.code == 0, dry.err
    assert "would send to 4 recipients one by one" in dry.out


def test_check_reads_the_lists_and_the_publish_target(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    root = tmp_path / "project"
    assert run("init", root).code == 0
    settings = root / "content" / "briefing.yaml"
    start = len(settings.read_text(encoding="utf-8").splitlines())
    settings.write_text(
        settings.read_text(encoding="utf-8")
        + "mailing_lists:\n  team: [ana@example.org, 'not an address']\n  board: missing.txt\n"
        + "publish:\n  s3: http://bucket\n",
        encoding="utf-8",
    )
    result = run("check", root)
    assert result.code == 1
    assert (
        f"briefing.yaml:{start + 2}:27: address: 'not an address' is not a valid email address"
        in result.err
    )
    assert "missing.txt:1:1: cannot read the address list" in result.err
    assert f"briefing.yaml:{start + 5}:7: 'http://bucket' is not an S3 location" in result.err
