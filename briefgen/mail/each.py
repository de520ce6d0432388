"""One message per recipient, for mailing lists: nobody sees who else received it.

Each recipient gets the briefing addressed to them alone, with a Message-ID of its
own. A recipient that fails does not stop the others. Every attempt is appended to
the send log at once (a tab-separated file), so an interrupted run still says who
received which edition.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from briefgen.mail.errors import EmailFailed
from briefgen.mail.smtp import PasswordSource, Server, send

LOG_HEADER = "time\tedition\tsubject\trecipient\tresult\tdetail\n"


@dataclass(frozen=True, slots=True)
class Outcome:
    recipient: str
    sent: bool
    detail: str
    """The server's refusal or the failure; '' when sent."""


def send_each(
    message: EmailMessage,
    recipients: Sequence[Address],
    server: Server,
    password: PasswordSource | None,
    *,
    edition: str,
    log: Path,
    progress: Callable[[Outcome], None] = lambda outcome: None,
) -> tuple[Outcome, ...]:
    """Send message to each recipient alone (the caller removes duplicates); record
    each attempt in log."""
    sender = message["From"].addresses[0]
    remembered = _once(password)
    outcomes: list[Outcome] = []
    for recipient in recipients:
        single = copy.deepcopy(message)
        for header in ("To", "Cc", "Bcc", "Message-ID"):
            del single[header]
        single["To"] = recipient
        single["Message-ID"] = make_msgid(domain=sender.domain)
        try:
            report = send(single, sender.addr_spec, [recipient.addr_spec], server, remembered)
            outcome = (
                Outcome(recipient.addr_spec, True, "")
                if report.accepted
                else Outcome(recipient.addr_spec, False, "; ".join(r for _, r in report.refused))
            )
        except EmailFailed as failed:
            outcome = Outcome(recipient.addr_spec, False, str(failed))
        _append(log, edition, str(message["Subject"]), outcome)
        outcomes.append(outcome)
        progress(outcome)
    return tuple(outcomes)


def _once(password: PasswordSource | None) -> PasswordSource | None:
    """The password asked for (or read) once for the whole run."""
    if password is None:
        return None
    kept: list[str] = []

    def ask() -> str:
        if not kept:
            kept.append(password())
        return kept[0]

    return ask


def _append(log: Path, edition: str, subject: str, outcome: Outcome) -> None:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    fields = (
        now,
        edition,
        subject,
        outcome.recipient,
        "sent" if outcome.sent else "failed",
        outcome.detail,
    )
    line = "\t".join(" ".join(f.split()) for f in fields) + "\n"
    try:
        new = not log.exists() or log.stat().st_size == 0
        with log.open("a", encoding="utf-8") as out:
            if new:
                out.write(LOG_HEADER)
            out.write(line)
    except OSError as exc:
        raise EmailFailed(f"cannot write the send log {log}: {exc.strerror or exc}") from None
