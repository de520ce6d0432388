"""Save-to-screen latency of `briefgen serve`, and of `mkdocs serve` on the same corpus.

    python benchmarks/bench_serve.py [--edits 10] [--articles 1000] [--no-pdf] [--mkdocs PATH]

Each server runs as its own process, as a user would run it. Headless Chromium
(Debian's /usr/bin/chromium, through Playwright) keeps one page open. Each edit
appends a unique sentence to one source file; the time runs from just before the
write until the page shows the sentence, taken inside the page on the first
animation frame that has it (so the browser's own parse and layout count).

Scenarios: the example project (this repository's content/: an article, an issue,
and the theme's style.css edited), a generated project of N articles (one article
edited, its page open), and, when mkdocs is found (on PATH or --mkdocs), `mkdocs
serve` on the same N articles written as Markdown docs. The build times briefgen
serve prints are summarised too. mkdocs is not a dependency of briefgen:

    python -m venv /tmp/mkdocs && /tmp/mkdocs/bin/pip install mkdocs
    python benchmarks/bench_serve.py --mkdocs /tmp/mkdocs/bin/mkdocs
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_build import PARAGRAPH, make_project
from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CSS = REPO / "themes" / "default" / "static" / "style.css"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Run on every animation frame until the page shows the marker; they return the
# wall-clock time (ms since the epoch) of that frame.
SHOWN_TEXT = """marker => document.body && document.body.innerText.includes(marker)
    && performance.timeOrigin + performance.now()"""
SHOWN_STYLE = """marker => getComputedStyle(document.documentElement)
    .getPropertyValue("--bench-marker").includes(marker)
    && performance.timeOrigin + performance.now()"""
SETTLE = 1.5
"""Seconds between edits: an editor's saves are seconds apart, not milliseconds."""


def append_paragraph(text: str, sentence: str) -> str:
    return text.rstrip("\n") + f"\n\n{sentence}\n"


def prefix_bottom_line(text: str, sentence: str) -> str:
    """Put the sentence first in a folded `bottom_line: >-` of an issue file."""
    return text.replace("bottom_line: >-\n", f"bottom_line: >-\n  {sentence}\n", 1)


def append_css_rule(text: str, sentence: str) -> str:
    return text + f'\n:root {{ --bench-marker: "{sentence}"; }}\n'


@dataclass(frozen=True)
class Scenario:
    name: str
    source: Path
    """The file edited."""
    page: str
    """The page kept open, relative to the server's root."""
    edit: Callable[[str, str], str] = append_paragraph
    """(original text, sentence) -> the text saved."""
    shown: str = SHOWN_TEXT


@dataclass(frozen=True)
class Result:
    name: str
    times: list[float]

    def line(self) -> str:
        ms = sorted(self.times)
        p90 = ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))]
        return (
            f"{self.name:<46} median {statistics.median(ms):6.0f} ms   p90 {p90:6.0f} ms   "
            f"min {ms[0]:5.0f}   max {ms[-1]:6.0f}   (n={len(ms)})"
        )


def measure(page: Page, base_url: str, scenario: Scenario, edits: int) -> Result:
    page.goto(base_url + scenario.page, wait_until="load")
    original = scenario.source.read_text(encoding="utf-8")
    times = []
    try:
        for k in range(edits):
            marker = f"Benchmark edit {k} {secrets.token_hex(3)}"
            text = scenario.edit(original, f"{marker}, said an analyst.")
            start = time.time() * 1000
            scenario.source.write_text(text, encoding="utf-8")
            shown = page.wait_for_function(
                scenario.shown, arg=marker, polling="raf", timeout=120_000
            )
            times.append(float(shown.json_value()) - start)
            time.sleep(SETTLE)
    finally:
        scenario.source.write_text(original, encoding="utf-8")
    return Result(scenario.name, times)


@dataclass
class Server:
    url: str = ""
    builds: list[float] = field(default_factory=list)
    """Build times the server printed (ms), the first build left out."""

    def read(self, lines: Iterable[str], started: threading.Event) -> None:
        for line in lines:
            if found := re.search(r"serving (http://\S+)", line):
                self.url = found[1]
                started.set()
            elif (found := re.match(r"built in (\d+) ms", line)) and self.url:
                self.builds.append(float(found[1]))
        started.set()


@contextmanager
def briefgen_serve(root: Path, *, with_pdf: bool) -> Iterator[Server]:
    command = [sys.executable, "-m", "briefgen", "serve", str(root), "--port", "0"]
    if not with_pdf:
        command.append("--no-pdf")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    server, started = Server(), threading.Event()
    reader = threading.Thread(target=server.read, args=(process.stdout, started))
    reader.start()
    try:
        started.wait(600)
        if not server.url:
            raise RuntimeError("briefgen serve did not start")
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)
        reader.join()


@contextmanager
def mkdocs_serve(mkdocs: str, root: Path) -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [mkdocs, "serve", "-f", str(root / "mkdocs.yml"), "-a", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(url, server)
        yield url
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(60)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(url: str, server: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("mkdocs serve exited")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("mkdocs serve did not start")


def make_mkdocs_project(root: Path, n: int) -> None:
    """The generated articles as MkDocs pages: the same text, one page each."""
    docs = root / "docs"
    docs.mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: Benchmark briefing\n")
    (docs / "index.md").write_text("# Benchmark briefing\n\nGenerated for timing.\n")
    issues = ("alpha", "beta", "gamma", "delta")
    for i in range(n):
        issue = issues[i % len(issues)]
        body = "\n\n".join(PARAGRAPH.format(topic=f"{issue} {i}") for _ in range(6))
        (docs / f"a{i:04d}.md").write_text(
            f"# Article {i} on {issue}\n\n## Section\n\n{body}\n\n- point one\n- point two\n"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--no-pdf", action="store_true", help="run briefgen serve --no-pdf")
    parser.add_argument("--mkdocs", default=shutil.which("mkdocs"), help="mkdocs executable")
    args = parser.parse_args()
    results: list[Result] = []
    builds: list[Result] = []
    pdf = not args.no_pdf
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        example = Path(tmp) / "example"
        shutil.copytree(REPO / "content", example / "content")
        content = example / "content"
        css = example / "themes" / "default" / "static" / "style.css"
        css.parent.mkdir(parents=True)
        shutil.copy(DEFAULT_CSS, css)
        with briefgen_serve(example, with_pdf=pdf) as server:
            for scenario in (
                Scenario(
                    "example: article edit, its page open",
                    content / "articles" / "trump-xi-takaichi-calls.txt",
                    "articles/trump-xi-takaichi-calls/",
                ),
                Scenario(
                    "example: issue edit, its page open",
                    content / "issues" / "trade.yaml",
                    "issues/trade/",
                    prefix_bottom_line,
                ),
                Scenario(
                    "example: theme CSS edit (the page reloads)",
                    css,
                    "issues/trade/",
                    append_css_rule,
                    SHOWN_STYLE,
                ),
            ):
                results.append(measure(page, server.url, scenario, args.edits))
                print(results[-1].line(), flush=True)
        builds.append(Result("example: server-side build", server.builds))

        big = Path(tmp) / "big"
        make_project(big, args.articles)
        with briefgen_serve(big, with_pdf=pdf) as server:
            source = big / "content" / "articles" / "a0001.md"
            name = f"{args.articles} articles: one article edit"
            scenario = Scenario(name, source, "articles/a0001/")
            results.append(measure(page, server.url, scenario, args.edits))
            print(results[-1].line(), flush=True)
        builds.append(Result(f"{args.articles} articles: server-side build", server.builds))

        if args.mkdocs:
            docs = Path(tmp) / "mkdocs"
            make_mkdocs_project(docs, args.articles)
            with mkdocs_serve(args.mkdocs, docs) as url:
                source = docs / "docs" / "a0001.md"
                name = f"mkdocs serve, {args.articles} pages: one page edit"
                results.append(measure(page, url, Scenario(name, source, "a0001/"), args.edits))
                print(results[-1].line(), flush=True)
        else:
            print("mkdocs not found: pass --mkdocs PATH to compare")
        browser.close()
    print(f"\nbriefgen serve{'' if pdf else ' --no-pdf'}, {os.cpu_count()} CPUs")
    for result in results:
        print(result.line())
    print("\nbuild times printed by briefgen serve (save to pages ready, before the browser):")
    for result in builds:
        print(result.line())


if __name__ == "__main__":
    main()
