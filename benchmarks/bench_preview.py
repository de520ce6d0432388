"""Save-to-screen latency of `briefgen serve` on the shared benchmark corpus, in Chromium.

    python benchmarks/bench_preview.py PROJECT [--saves 9] [--save write|rename|both]
        [--no-pdf] [--article ID]

PROJECT is a briefgen project, e.g. the one the shared harness lays out:

    python3 ../shared/bench/make_corpus.py 1000 /tmp/b/c1k
    python3 ../shared/bench/peers.py briefgen /tmp/b/c1k /tmp/b/p1k
    python benchmarks/bench_preview.py /tmp/b/p1k

`briefgen serve` runs as its own process (this interpreter, so PYTHONPATH picks the
briefgen measured), with the PDF unless --no-pdf, as a user runs it. Headless Debian
Chromium keeps the edited article's page open. Each save appends a sentence with a
unique marker, either by writing the file in place ("write") or as most editors do,
a temporary file renamed over it ("rename"). Timed from just before the save:

- event: when the page's own listener on the server's change stream hears of it
  (the server has the new pages);
- screen: the animation frame after the page's text first has the marker (fetch,
  parse and swap, or a whole reload, included). A MutationObserver notices it, so
  the measuring itself costs the browser nothing while the server builds (polling
  the page's text on every frame kept a core busy with layout on this 2-core
  machine, and slowed the build it measured).

Timestamps are the page's performance.timeOrigin + now() against the wall clock of
this process, on the same machine. Saves are SETTLE seconds apart, as an editor's
are. Prints medians, each save, the builds the server printed, and the load average.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

from bench_serve import CHROMIUM_ARGS, briefgen_serve
from playwright.sync_api import Page, sync_playwright

SETTLE = 2.0
"""Seconds between saves (the shared harness waits 2 s too)."""
# In every document of the tab (a reload makes a new one): the marker is kept in
# sessionStorage, and the frame that first shows it is noted in window.__shownAt.
WATCH = """(() => {
  const check = () => {
    const marker = sessionStorage.getItem("benchMarker");
    if (!marker || window.__shownAt || window.__framed || !document.body) return;
    if (!document.body.textContent.includes(marker)) return;
    window.__framed = true;
    requestAnimationFrame(() => { window.__shownAt = performance.timeOrigin + performance.now(); });
  };
  const all = { childList: true, subtree: true, characterData: true };
  new MutationObserver(check).observe(document, all);
})();"""
EXPECT = """marker => {
  sessionStorage.setItem("benchMarker", marker);
  window.__shownAt = 0;
  window.__framed = false;
}"""
LISTEN = """() => {
  window.__events = [];
  const source = new EventSource("/_briefgen/events");
  source.onmessage = () => window.__events.push(performance.timeOrigin + performance.now());
}"""


def save(path: Path, text: str, how: str) -> None:
    if how == "write":
        path.write_text(text, encoding="utf-8")
        return
    temp = path.with_name(f".{path.name}.{secrets.token_hex(3)}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def measure(page: Page, url: str, source: Path, how: str, saves: int) -> list[tuple[float, float]]:
    """(event ms, screen ms) for each save."""
    page.goto(url, wait_until="load")
    page.evaluate(LISTEN)
    page.wait_for_function("() => window.__events.length >= 1", timeout=30_000)
    original = source.read_text(encoding="utf-8")
    times = []
    try:
        for k in range(saves):
            marker = f"benchmarker{k}x{secrets.token_hex(4)}"
            text = original.rstrip("\n") + f"\n\nLive reload check: {marker}.\n"
            seen = page.evaluate("() => window.__events.length")
            page.evaluate(EXPECT, marker)
            start = time.time() * 1000
            save(source, text, how)
            shown = page.wait_for_function("() => window.__shownAt", polling=50, timeout=120_000)
            screen = float(shown.json_value()) - start
            events = page.evaluate("() => window.__events")
            event = events[seen] - start if len(events) > seen else float("nan")
            times.append((event, screen))
            print(f"  {how} #{k}: event {event:5.0f} ms   screen {screen:5.0f} ms", flush=True)
            time.sleep(SETTLE)
    finally:
        source.write_text(original, encoding="utf-8")
    return times


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--saves", type=int, default=9)
    parser.add_argument("--save", choices=("write", "rename", "both"), default="both")
    parser.add_argument("--no-pdf", action="store_true", help="run briefgen serve --no-pdf")
    parser.add_argument("--article", help="the article edited (default: the middle one)")
    args = parser.parse_args()
    articles = sorted((args.project / "content" / "articles").glob("*.md"))
    source = (
        args.project / "content" / "articles" / f"{args.article}.md"
        if args.article
        else articles[len(articles) // 2]
    )
    kinds = ("write", "rename") if args.save == "both" else (args.save,)
    print(f"{len(articles)} articles, editing {source.name}; load average {load()}")
    results: dict[str, list[tuple[float, float]]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        page.add_init_script(WATCH)
        with briefgen_serve(args.project, with_pdf=not args.no_pdf) as server:
            url = f"{server.url}articles/{source.stem}/"
            for how in kinds:
                results[how] = measure(page, url, source, how, args.saves)
        browser.close()
    print(
        f"\nbriefgen serve{' --no-pdf' if args.no_pdf else ''}, {len(articles)} articles, "
        f"{os.cpu_count()} CPUs, load average at the end {load()}"
    )
    for how, times in results.items():
        event = statistics.median(t[0] for t in times)
        screen = statistics.median(t[1] for t in times)
        print(
            f"{how:>7} saves: median event {event:5.0f} ms, screen {screen:5.0f} ms "
            f"(screen min {min(t[1] for t in times):.0f}, max {max(t[1] for t in times):.0f}, "
            f"n={len(times)})"
        )
    builds = server.builds
    if builds:
        print(f"server builds: median {statistics.median(builds):.0f} ms (n={len(builds)})")


if __name__ == "__main__":
    sys.exit(main())
