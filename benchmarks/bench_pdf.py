"""Time the PDF briefing for the example project and for a generated N-article project.

    python benchmarks/bench_pdf.py [N]        (default 200)

For each project it reports the print HTML (Jinja), the WeasyPrint layout and
write (best of 3, in one process), a cold `briefgen pdf --force` in a new process
(including Python and WeasyPrint start-up), an unchanged rebuild (the PDF is
reused, not laid out), and the PDF's pages and size.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from briefgen import pdf
from briefgen.build import BuildCache, build, prepare

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


def best(times: list[float]) -> str:
    return f"{min(times):.2f} s"


def measure(label: str, root: Path) -> None:
    prepared = prepare(root)
    html_times, layout_times = [], []
    rendered = None
    for _ in range(3):
        mark = time.perf_counter()
        document = pdf.print_document(prepared.index, prepared.theme, prepared.project)
        html_times.append(time.perf_counter() - mark)
        mark = time.perf_counter()
        rendered = document.layout()
        layout_times.append(time.perf_counter() - mark)
    assert rendered is not None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.pdf"
        cmd = [sys.executable, "-m", "briefgen", "pdf", str(root), "-o", str(out), "--force"]
        mark = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        cold = time.perf_counter() - mark
        cache = BuildCache()
        site = Path(tmp) / "site"
        build(root, site, cache=cache)
        report = build(root, site, cache=cache)
    print(f"{label}: {len(prepared.briefing.articles)} articles")
    print(f"  print HTML (Jinja):          {best(html_times)}")
    print(f"  WeasyPrint layout + write:   {best(layout_times)}")
    print(f"  cold `briefgen pdf --force`: {cold:.2f} s (new process)")
    print(f"  unchanged rebuild, PDF step: {report.timings['pdf']:.3f} s ({report.pdf})")
    print(f"  PDF: {rendered.pages} pages, {len(rendered.data) / 1024:.0f} KB")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    measure("example", REPO)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "generated"
        make_project(root, n)
        measure("generated", root)


if __name__ == "__main__":
    main()
