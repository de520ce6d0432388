"""briefgen serve [PROJECT] [--host 127.0.0.1] [--port 8000] [--open] [--no-pdf]"""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any

from briefgen.commands import (
    add_base_url_argument,
    add_drafts_argument,
    add_project_argument,
    examples,
)

EXAMPLES = examples(
    ("briefgen serve", "preview the project here at http://127.0.0.1:8000/"),
    ("briefgen serve ~/briefings/china --open", "and open it in a web browser"),
    ("briefgen serve --port 0 --no-pdf", "on any free port, without the PDF"),
)

if TYPE_CHECKING:  # run() imports them: `briefgen --help` needs no watchdog or HTTP server
    from briefgen.serve import BuildDone, Notice


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve", help="preview the site, rebuilding and reloading the browser on every save"
    )
    add_project_argument(parser)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: %(default)s, this computer only)",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=8000,
        help="port to listen on, 0 to 65535; 0 picks a free one (default: %(default)s)",
    )
    parser.add_argument(
        "--open", action="store_true", help="open the site in a web browser (default: off)"
    )
    parser.add_argument(
        "--no-pdf",
        action="store_true",
        help="do not make the PDF briefing; pages then have no PDF link (default: off)",
    )
    parser.add_argument(
        "--poll",
        action="store_true",
        help="look for changes by checking the files every half second, for folders where "
        "saves go unnoticed (WSL, Docker volumes, network shares) (default: off)",
    )
    add_base_url_argument(parser)
    add_drafts_argument(parser)
    parser.set_defaults(run=run)


def port_number(text: str) -> int:
    """The argparse type of --port: a TCP port number, 0 to 65535."""
    if not (text.isascii() and text.isdigit()) or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0 to 65535): {text!r}")
    return int(text)


def run(args: argparse.Namespace) -> int:
    from briefgen.build import Previewer
    from briefgen.serve import Preview

    builder = Previewer(
        args.project, with_pdf=not args.no_pdf, base_url=args.base_url, drafts=args.drafts
    )
    preview = Preview(
        builder,
        watch=builder.project,
        host=args.host,
        port=args.port,
        notify=report,
        poll=args.poll,
    )
    try:
        preview.listen()
    except OSError as exc:
        where = f"port {args.port} on {args.host}"
        if exc.errno == errno.EADDRINUSE:
            say(f"briefgen: {where} is in use; try --port 0 or another port", error=True)
        else:
            say(f"briefgen: cannot listen on {where}: {exc.strerror or exc}", error=True)
        return 1
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        preview.start()
        say(f"serving {preview.url}  (Ctrl-C to stop)")
        if args.open:
            # Some browsers (text ones) block until they exit.
            import webbrowser  # not on every command's start-up

            threading.Thread(target=webbrowser.open, args=(preview.url,), daemon=True).start()
        threading.Event().wait()
    except KeyboardInterrupt:
        say("stopping")
    except OSError as exc:  # e.g. the system's limit on watched folders
        say(f"briefgen: cannot watch the project's files: {exc}", error=True)
        return 1
    finally:
        preview.stop()
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def report(notice: Notice) -> None:
    from briefgen.serve import BuildDone, PdfMade

    if isinstance(notice, PdfMade):
        say(f"PDF {notice.name} made in {notice.seconds:.1f} s")
    elif isinstance(notice, BuildDone):
        _report_build(notice)
    # a PdfFailed is logged where it happens


def _report_build(done: BuildDone) -> None:
    took = f"{done.seconds * 1000:.0f} ms"
    errors = done.snapshot.errors
    if not errors:
        say(f"built in {took}: {done.changed} file{'s' if done.changed != 1 else ''} changed")
        return
    for diagnostic in errors:
        say(str(diagnostic), error=True)
    count = sum(1 for d in errors if d.severity == "error")  # warnings are listed, not counted
    say(
        f"briefgen: {count} error{'s' if count != 1 else ''}; the browser shows them "
        f"until the next good save ({took})",
        error=True,
    )


def say(line: str, *, error: bool = False) -> None:
    # Flushed at once: the output is often a pipe, read line by line.
    print(line, file=sys.stderr if error else sys.stdout, flush=True)
