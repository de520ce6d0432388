"""Time the PDF briefing for the example, a generated N-article project, and the same
project with U more articles that no issue cites.

    python benchmarks/bench_pdf.py [N [U]]        (default 200 2000)

For each project it reports a cold `briefgen pdf --force` in a new process (Python and
WeasyPrint start-up included; median of 5, with the project's .briefgen-cache kept and
deleted, its CPU time beside the wall time, and the machine's load), then, in this
process, where the time goes: loading, the print HTML (Jinja), WeasyPrint's parse,
layouts (two when the pull-back of a short last page runs) and writing, and the PDF's
pages and size. Uncited articles appear in the PDF only as a count, so the third
project's PDF should cost what the second's does, bar loading the articles.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from briefgen import pdf
from briefgen.build import prepare, print_document

REPO = Path(__file__).resolve().parents[1]
ISSUES = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta")
OUTLETS = ("Harbour Times", "Le Temps", "Example Wire", "Al-Ahram Weekly", "Nikkei Asia")
SENTENCE = (
    "Officials said the talks on {topic} were constructive but left the core dispute open, "
    "and analysts expect the next round to “test the limits of the truce” again."
)


def make_project(root: Path, n: int) -> None:
    """A briefing of n articles, six issues citing many of them, and a 24-item checklist."""
    articles = root / "content" / "articles"
    issues = root / "content" / "issues"
    articles.mkdir(parents=True)
    issues.mkdir(parents=True)
    (root / "content" / "briefing.yaml").write_text(
        "title: Benchmark briefing\nsubtitle: Generated for timing\nedition: 2026-03-01\n"
        "organization: Bench desk\nmarking: FOR TIMING ONLY\n"
        "summary: >-\n  Generated for timing. The talks continue; nothing is settled.\n"
    )
    start = dt.date(2025, 6, 1)
    for i in range(n):
        issue = ISSUES[i % len(ISSUES)]
        body = "\n\n".join(SENTENCE.format(topic=f"{issue} {i}") for _ in range(5))
        published = start + dt.timedelta(days=i % 270)
        (articles / f"a{i:04d}.md").write_text(
            f"---\ntitle: Report {i} on the {issue} talks\nsource: {OUTLETS[i % 5]}\n"
            f"author: Writer {i % 23}\npublished: {published.isoformat()}\n"
            f"url: https://news.example.org/{issue}/{i}\nissues: [{issue}]\n---\n{body}\n"
        )
    for k, issue in enumerate(ISSUES):
        own = [f"a{i:04d}" for i in range(k, n, len(ISSUES))]

        def cites(j: int, own: list[str] = own) -> str:
            picks = [own[(j * 3 + d) % len(own)] for d in range(3)]
            return "".join(
                f"\n      - article: {a}\n        quote: test the limits of the truce"
                for a in picks
            )

        points = "".join(
            f"\n  - text: >-\n      **Point {j}.** {SENTENCE.format(topic=issue)}"
            f"\n    likelihood: likely\n    confidence: moderate\n    sources:{cites(j)}"
            for j in range(8)
        )
        positions = "".join(
            f"\n  - actor: Capital {j}\n    stance: {SENTENCE.format(topic=issue)}"
            f"\n    sources:{cites(j + 8)}"
            for j in range(4)
        )
        timeline = "".join(
            f"\n  - date: {(start + dt.timedelta(days=20 * j + k)).isoformat()}"
            f"\n    event: Round {j} of the {issue} talks ends.\n    sources:{cites(j + 12)}"
            for j in range(10)
        )
        (issues / f"{issue}.yaml").write_text(
            f"title: The {issue} talks\nstatus: steady\norder: {k}\n"
            f"bottom_line: {SENTENCE.format(topic=issue)} Nothing is settled.\n"
            f"key_points:{points}\npositions:{positions}\ntimeline:{timeline}\n"
            "questions:\n  - Will the next round open on time?\n  - Who chairs it?\n"
        )
    items = "".join(
        f"\n  - title: Signpost {j} for {ISSUES[j % 6]}\n    issue: {ISSUES[j % 6]}"
        f"\n    why: {SENTENCE.format(topic='the signpost')}"
        "\n    signposts:\n      escalation: [Talks suspended, New sanctions]"
        "\n      deescalation: [A date for the next round]"
        f"\n    by: 2026-0{j % 9 + 1}-15\n    sources: [a{j:04d}]"
        for j in range(24)
    )
    (root / "content" / "watch.yaml").write_text(f"items:{items}\n")


def add_uncited(root: Path, count: int) -> None:
    """count more articles, tagged to an issue, that no key point, position, event or
    checklist item cites."""
    body = "\n\n".join(SENTENCE.format(topic="the background") for _ in range(8))
    articles = root / "content" / "articles"
    for i in range(count):
        (articles / f"u{i:05d}.md").write_text(
            f"---\ntitle: Background piece {i}\nsource: {OUTLETS[i % 5]}\n"
            f"published: 2025-{i % 12 + 1:02d}-{i % 28 + 1:02d}\n"
            f"url: https://news.example.org/background/{i}\n"
            f"issues: [{ISSUES[i % len(ISSUES)]}]\n---\n{body}\n"
        )


def cold_runs(root: Path, drop_cache: bool, runs: int = 5) -> str:
    """Median wall and CPU time of `briefgen pdf --force` in new processes."""
    cmd = [sys.executable, "-m", "briefgen", "pdf", str(root), "--force"]
    subprocess.run(cmd, check=True, capture_output=True)  # the OS's file cache is warm
    walls, cpus = [], []
    for _ in range(runs):
        if drop_cache:
            shutil.rmtree(root / ".briefgen-cache", ignore_errors=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        mark = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        walls.append(time.perf_counter() - mark)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return (
        f"{statistics.median(walls):.2f} s wall ({min(walls):.2f}–{max(walls):.2f}), "
        f"{statistics.median(cpus):.2f} s CPU"
    )


def where_the_time_goes(root: Path) -> dict[str, Any]:
    """One layout in this process, timed step by step (CPU time)."""
    from weasyprint import HTML
    from weasyprint.document import Document

    clock = time.process_time
    steps: dict[str, Any] = {}
    mark = clock()
    prepared = prepare(root)
    steps["load"] = clock() - mark
    mark = clock()
    document = print_document(prepared)
    steps["print HTML"] = clock() - mark
    layouts: list[float] = []
    real_render, real_write = HTML.render, Document.write_pdf

    def render(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = clock()
        try:
            return real_render(self, *args, **kwargs)
        finally:
            layouts.append(clock() - start)

    def write(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = clock()
        try:
            return real_write(self, *args, **kwargs)
        finally:
            steps["write"] = clock() - start

    HTML.render, Document.write_pdf = render, write  # type: ignore[method-assign]
    try:
        mark = clock()
        rendered = document.layout()
        whole = clock() - mark
    finally:
        HTML.render, Document.write_pdf = real_render, real_write  # type: ignore[method-assign]
    steps["layouts"] = layouts
    steps["rest"] = whole - sum(layouts) - steps["write"]
    steps["pages"] = rendered.pages
    steps["size"] = len(rendered.data)
    steps["articles"] = len(prepared.briefing.articles)
    steps["cited"] = len(pdf.PrintIndex.of(prepared.briefing).notes)
    return steps


def measure(label: str, root: Path) -> None:
    warm = cold_runs(root, drop_cache=False)
    cold = cold_runs(root, drop_cache=True)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    steps = where_the_time_goes(root)
    layouts = " + ".join(f"{t:.2f}" for t in steps["layouts"])
    print(f"{label}: {steps['articles']} articles, {steps['cited']} cited")
    print(f"  `briefgen pdf --force`, cache kept:    {warm}")
    print(f"  `briefgen pdf --force`, cache deleted: {cold}   (load {load})")
    print(
        f"  in process (CPU s): load {steps['load']:.2f}, print HTML "
        f"{steps['print HTML']:.2f}, WeasyPrint layout {layouts}, write {steps['write']:.2f},"
        f" parse and the rest {steps['rest']:.2f}"
    )
    print(f"  PDF: {steps['pages']} pages, {steps['size'] / 1024:.0f} KB")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    uncited = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    with tempfile.TemporaryDirectory() as tmp:
        example = Path(tmp) / "example"  # a copy: the cache is deleted between runs
        shutil.copytree(REPO / "content", example / "content")
        measure("example", example)
        generated = Path(tmp) / "generated"
        make_project(generated, n)
        measure("generated", generated)
        add_uncited(generated, uncited)
        measure(f"generated + {uncited} uncited", generated)


if __name__ == "__main__":
    main()
