"""briefgen email [PROJECT] --to ADDR... [--cc ADDR...] [--bcc ADDR...] [--eml FILE | --dry-run]"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefgen.commands import add_project_argument, examples
from briefgen.errors import display_path
from briefgen.write import not_a_regular_file, replace_file

if TYPE_CHECKING:  # briefgen.mail pulls in the pipeline, Jinja and smtplib: run() imports it
    from email.headerregistry import Address
    from email.message import EmailMessage

    from briefgen.mail import PasswordSource, Server

EXAMPLES = examples(
    ("briefgen email --to jane@example.org --dry-run", "show what would be sent, send nothing"),
    (
        "briefgen email ~/briefings/china --to jane@example.org --smtp mail.example.org --starttls",
        "send through a mail server",
    ),
    ("briefgen email --eml draft.eml", "write the message for a mail client"),
)

PASSWORD_ENV = "BRIEFGEN_SMTP_PASSWORD"
SEND_LOG = "send-log.tsv"
CAFILE_ENV = "BRIEFGEN_SMTP_CAFILE"


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "email",
        help="build what is out of date and send the briefing by email (or write it with --eml)",
        description=(
            "Build what is out of date, then send the briefing: a short HTML summary with a "
            "plain-text alternative and the PDF attached. The SMTP password comes only from "
            f"${PASSWORD_ENV} or, in a terminal, a prompt."
        ),
    )
    add_project_argument(parser)
    who = parser.add_argument_group("recipients and headers")
    for flag, what in (("--to", "To"), ("--cc", "Cc"), ("--bcc", "Bcc (hidden)")):
        who.add_argument(
            flag,
            nargs="+",
            action="extend",
            default=[],
            metavar="ADDR",
            help=f"{what} recipients: name@example.org or 'Name <name@example.org>'; "
            "repeat or separate with commas (default: none)",
        )
    lists = parser.add_argument_group(
        "mailing lists (each recipient gets a message addressed to them alone)"
    )
    lists.add_argument(
        "--list",
        dest="lists",
        action="append",
        default=[],
        metavar="NAME",
        help="a list named in mailing_lists of briefing.yaml; repeat for more (default: none)",
    )
    lists.add_argument(
        "--to-list",
        dest="list_files",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="a file of addresses, one a line ('#' starts a comment); repeat for more "
        "(default: none)",
    )
    lists.add_argument(
        "--log",
        type=Path,
        metavar="FILE",
        help=f"the send log, appended to (default: PROJECT/{SEND_LOG})",
    )
    who.add_argument(
        "--from",
        dest="sender",
        metavar="ADDR",
        help="sender (default: email.from in briefing.yaml)",
    )
    who.add_argument(
        "--subject",
        metavar="TEXT",
        help="subject; may use {title} and {edition} (default: email.subject in briefing.yaml)",
    )
    out = parser.add_argument_group("instead of sending").add_mutually_exclusive_group()
    out.add_argument(
        "--eml",
        metavar="FILE",
        help="write the message to FILE ('-' for standard output) for any mail client; "
        "send nothing (default: send)",
    )
    out.add_argument(
        "--dry-run",
        action="store_true",
        help="show recipients, subject and size; send nothing (default: send)",
    )
    smtp = parser.add_argument_group("SMTP server")
    smtp.add_argument(
        "--smtp",
        metavar="HOST[:PORT]",
        type=_host_port,
        default=("localhost", None),
        help="the mail server (default: localhost; port 25, or 587 with --starttls, "
        "465 with --ssl)",
    )
    security = smtp.add_mutually_exclusive_group()
    security.add_argument(
        "--starttls",
        dest="security",
        action="store_const",
        const="starttls",
        help="upgrade the connection with STARTTLS (default: plain SMTP)",
    )
    security.add_argument(
        "--ssl",
        dest="security",
        action="store_const",
        const="ssl",
        help="connect with TLS (default: plain SMTP)",
    )
    smtp.add_argument(
        "--user",
        metavar="NAME",
        help=f"log in as NAME; the password comes from ${PASSWORD_ENV} or a prompt "
        "(default: do not log in)",
    )
    smtp.add_argument(
        "--cafile",
        type=Path,
        metavar="FILE",
        help=f"trust only the CA certificates in FILE (default: ${CAFILE_ENV}, "
        "else the system's store)",
    )
    smtp.add_argument(
        "--timeout",
        type=_seconds,
        default=30.0,
        metavar="SECONDS",
        help="give up on a silent server after this long (default: 30)",
    )
    parser.set_defaults(run=run, security="plain", parser=parser)


def _host_port(text: str) -> tuple[str, int | None]:
    from briefgen.mail import parse_host_port

    try:
        return parse_host_port(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds from 0 to 3600")
    return value


def run(args: argparse.Namespace) -> int:
    from briefgen.mail import EmailFailed

    _take_trailing_project(args)
    one_by_one = bool(args.lists or args.list_files)
    if one_by_one and (args.cc or args.bcc or args.eml is not None):
        args.parser.error(
            "email: --cc, --bcc and --eml do not go with --list or --to-list: "
            "each list recipient gets a message of their own"
        )
    if not args.to and not one_by_one and args.eml is None:
        args.parser.error(
            "email: give recipients with --to, --list or --to-list "
            "(or use --eml FILE to write a draft)"
        )
    try:
        return _run_lists(args) if one_by_one else _run(args)
    except EmailFailed as failed:
        print(f"briefgen: {failed}", file=sys.stderr)
        return 1


def _take_trailing_project(args: argparse.Namespace) -> None:
    """Read `email --to A B PROJECT` as meant: --to takes every word after it, so a
    project folder written after the addresses lands among them. It is the project when
    it ends its list and no PROJECT came first; otherwise the right order is shown."""
    for values in (args.to, args.cc, args.bcc):
        folders = [v for v in values if "@" not in v and Path(v).is_dir()]
        if not folders:
            continue
        if folders == values[-1:] and args.project == Path("."):
            args.project = Path(values.pop())
            continue
        args.parser.error(
            f"'{folders[0]}' is a folder, not an address; write the project before the "
            "recipients: briefgen email PROJECT --to ADDR [ADDR ...]"
        )


def _run(args: argparse.Namespace) -> int:
    from briefgen import mail

    recipients = mail.Recipients(
        to=mail.parse_addresses(args.to, "--to"),
        cc=mail.parse_addresses(args.cc, "--cc"),
        bcc=mail.parse_addresses(args.bcc, "--bcc"),
    )
    sender = mail.parse_address(args.sender, "--from") if args.sender is not None else None
    if args.subject is not None:
        mail.check_header_text(args.subject, "--subject")
    server = _server(args)
    if args.eml is None and not args.dry_run:
        mail.check_server(server)
    elif args.eml not in (None, "-"):
        problem = not_a_regular_file(Path(args.eml))
        if problem is not None:  # said before the build, not after
            raise mail.EmailFailed(f"cannot write {args.eml}: {problem}; expected a file")

    delivery = mail.briefing_message(args.project, recipients, sender, args.subject)
    envelope = recipients.envelope()
    if args.dry_run:
        for line in delivery.summary_lines():
            print(line)
        print(f"would send to {len(envelope)} recipient{_s(envelope)} via {server}; sent nothing")
        return 0
    if args.eml is not None:
        return _write_eml(delivery.message, args.eml)

    sent = mail.send(
        delivery.message, delivery.headers.sender.addr_spec, envelope, server, _password(server)
    )
    if sent.refused:
        refused = "; ".join(f"{addr} ({reply})" for addr, reply in sent.refused)
        print(
            f"briefgen: sent only to {', '.join(sent.accepted)}; {server} refused {refused}",
            file=sys.stderr,
        )
        return 1
    print(
        f"sent '{delivery.headers.subject}' to {', '.join(sent.accepted)} via {server} "
        f"({mail.describe(delivery.message)})"
    )
    return 0


def _run_lists(args: argparse.Namespace) -> int:
    from briefgen import mail
    from briefgen.mail.each import send_each
    from briefgen.mail.lists import named_list, read_list_file
    from briefgen.project import find_project

    project = find_project(args.project)
    addresses = list(mail.parse_addresses(args.to, "--to"))
    for name in args.lists:
        addresses.extend(named_list(project, name))
    for file in args.list_files:
        addresses.extend(read_list_file(file))
    unique: dict[str, Address] = {}
    for address in addresses:  # once each, where first named
        unique.setdefault(address.addr_spec.lower(), address)
    recipients = tuple(unique.values())
    if not recipients:
        print("briefgen: the mailing lists hold no address; sent nothing", file=sys.stderr)
        return 1
    sender = mail.parse_address(args.sender, "--from") if args.sender is not None else None
    if args.subject is not None:
        mail.check_header_text(args.subject, "--subject")
    server = _server(args)
    if not args.dry_run:
        mail.check_server(server)
    delivery = mail.briefing_message(
        project.root, mail.Recipients(to=recipients[:1]), sender, args.subject
    )
    count = f"{len(recipients)} recipient{'s' if len(recipients) != 1 else ''}"
    if args.dry_run:
        for line in delivery.summary_lines():
            print(line)
        print(f"would send to {count} one by one via {server}; sent nothing")
        return 0
    log = args.log or project.root / SEND_LOG

    def progress(outcome: mail.Outcome) -> None:
        if outcome.sent:
            print(f"sent to {outcome.recipient}", flush=True)
        else:
            print(f"failed: {outcome.recipient}: {outcome.detail}", file=sys.stderr, flush=True)

    outcomes = send_each(
        delivery.message,
        recipients,
        server,
        _password(server),
        edition=delivery.edition,
        log=log,
        progress=progress,
    )
    failed = [o.recipient for o in outcomes if not o.sent]
    sent = len(outcomes) - len(failed)
    summary = (
        f"sent '{delivery.headers.subject}' to {sent} of {count} via {server}; "
        f"logged in {display_path(log.absolute())}"
    )
    if failed:
        print(f"briefgen: {summary}; {len(failed)} failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(summary)
    return 0


def _s(items: tuple[str, ...]) -> str:
    return "" if len(items) == 1 else "s"


def _server(args: argparse.Namespace) -> Server:
    from briefgen.mail import DEFAULT_PORTS, Server

    host, port = args.smtp
    cafile = args.cafile
    if cafile is None and os.environ.get(CAFILE_ENV):
        cafile = Path(os.environ[CAFILE_ENV])
    return Server(
        host=host,
        port=port or DEFAULT_PORTS[args.security],
        security=args.security,
        user=args.user,
        cafile=cafile,
        timeout=args.timeout,
    )


def _password(server: Server) -> PasswordSource | None:
    from briefgen.mail import EmailFailed

    if server.user is None:
        return None

    def ask() -> str:
        secret = os.environ.get(PASSWORD_ENV)
        if secret:
            return secret
        if not sys.stdin.isatty():
            raise EmailFailed(
                f"no password for --user {server.user}: set {PASSWORD_ENV} "
                "(or run in a terminal to be asked)"
            )
        return getpass.getpass(f"SMTP password for {server.user} at {server}: ")

    return ask


def _write_eml(message: EmailMessage, target: str) -> int:
    from briefgen.mail import EmailFailed, describe

    data = message.as_bytes()
    if target == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    path = Path(target)
    try:
        replace_file(path, data)
    except OSError as exc:
        raise EmailFailed(f"cannot write {target}: {exc.strerror or exc}") from None
    print(f"wrote {display_path(path.absolute())} ({describe(message)}); sent nothing")
    return 0
