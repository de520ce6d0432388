"""briefgen.commands.serve: options, messages, exit codes, and what it imports."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from briefgen.cli import make_parser
from briefgen.serve.preview import Preview
from tests.conftest import REPO, Result
from tests.test_serve_preview import WAIT, started_previews


@pytest.fixture
def serve() -> Iterator[Callable[..., Preview]]:
    yield from started_previews()


def test_defaults_bind_loopback_only(
    project: Callable[..., Path], serve: Callable[..., Preview]
) -> None:
    args = make_parser().parse_args(["serve"])
    assert (args.host, args.port, args.open, args.no_pdf) == ("127.0.0.1", 8000, False, False)
    preview = serve(project(), host=args.host)
    assert preview.url == f"http://127.0.0.1:{preview.port}/"
    socket.create_connection(("127.0.0.1", preview.port), timeout=WAIT).close()
    with pytest.raises(ConnectionRefusedError):  # another loopback address: not listening
        socket.create_connection(("127.0.0.2", preview.port), timeout=WAIT).close()


def test_help_states_the_defaults(run: Callable[..., Result]) -> None:
    result = run("serve", "--help")
    text = " ".join(result.out.split())
    assert result.code == 0
    assert "(default: 127.0.0.1, this computer only)" in text and "(default: 8000)" in text


@pytest.mark.parametrize(
    "code",
    [
        "from briefgen.cli import make_parser; make_parser().format_help()",  # briefgen --help
        "import briefgen.serve.pdfjob",  # the layout process
    ],
)
def test_watchdog_and_the_http_server_are_imported_only_to_serve(code: str) -> None:
    imported = "import sys; print([m for m in ('watchdog', 'http.server') if m in sys.modules])"
    shown = subprocess.run(
        [sys.executable, "-P", "-c", f"{code}; {imported}"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout == "[]\n"


def _ctrl_c_as_in_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_cli_serves_on_a_free_port_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(REPO / "content", root / "content")
    server = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "serve", os.fspath(root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # as from a terminal: a suite started in the background by a shell has SIGINT
        # ignored, and the server would inherit that and never see the Ctrl-C
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    try:
        assert server.stdout is not None
        url = ""
        for line in server.stdout:
            if found := re.match(r"serving (http://127\.0\.0\.1:(\d+)/)", line):
                url, port = found[1], int(found[2])
                break
        assert url, "no 'serving http://...' line"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        conn.close()
        deadline = time.monotonic() + WAIT * 2
        while time.monotonic() < deadline:  # the PDF is made in the background
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
            conn.request("GET", "/briefing.pdf")
            response = conn.getresponse()
            data = response.read()
            conn.close()
            if response.status == 200:
                assert data.startswith(b"%PDF")
                break
            time.sleep(0.2)
        else:
            pytest.fail("no PDF served")
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=WAIT)
    assert server.returncode in (0, 130)
    assert "Traceback" not in err, err


@pytest.mark.parametrize("port", ["70000", "65536", "-1", "http"])
def test_a_port_out_of_range_is_a_usage_error(run: Callable[..., Result], port: str) -> None:
    result = run("serve", "--port", port)
    assert result.code == 2
    last = result.err.splitlines()[-1]
    assert (
        last == f"briefgen serve: error: argument --port: not a port number (0 to 65535): {port!r}"
    )
    assert "Traceback" not in result.err


def test_port_in_use_is_one_clear_line(project: Callable[..., Path]) -> None:
    root = project()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "briefgen", "serve", os.fspath(root), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=WAIT,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr == (
        f"briefgen: port {port} on 127.0.0.1 is in use; try --port 0 or another port\n"
    )
