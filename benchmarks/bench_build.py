"""Time `briefgen build --no-pdf` on a generated N-article project.

    python benchmarks/bench_build.py [N]        (default 1000)

Reports a cold build (fresh output folder, new process), an unchanged rebuild
(new process, nothing touched), and a one-article edit, each the best of 3 runs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ISSUES = ("alpha", "beta", "gamma", "delta")
PARAGRAPH = (
    "Officials said the talks on {topic} were constructive but left the core dispute open. "
    "Analysts noted that the statement avoided any *firm* commitment and pointed to the "
    "next round, where negotiators will \u201ctest the limits of the truce\u201d again."
)


def make_project(root: Path, n: int) -> None:
    articles = root / "content" / "articles"
    issues = root / "content" / "issues"
    articles.mkdir(parents=True)
    issues.mkdir(parents=True)
    (root / "content" / "briefing.yaml").write_text(
        "title: Benchmark briefing\nedition: 2026-03-01\nsummary: Generated for timing.\n"
    )
    for i in range(n):
        issue = ISSUES[i % len(ISSUES)]
        body = "\n\n".join(PARAGRAPH.format(topic=f"{issue} {i}") for _ in range(6))
        (articles / f"a{i:04d}.md").write_text(
            f"---\ntitle: Article {i} on {issue}\nsource: Wire {i % 7}\n"
            f"published: 2026-02-{i % 28 + 1:02d}\nissues: [{issue}]\n---\n"
            f"## Section\n\n{body}\n\n- point one\n- point two\n"
        )
    for k, issue in enumerate(ISSUES):
        cited = [f"a{i:04d}" for i in range(k, min(n, 200), len(ISSUES))]
        points = "\n".join(
            f"  - text: Point {j}.\n    confidence: moderate\n    sources:\n"
            f"      - article: {aid}\n        quote: test the limits of the truce"
            for j, aid in enumerate(cited[:25])
        )
        (issues / f"{issue}.yaml").write_text(
            f"title: {issue.title()}\nstatus: steady\nbottom_line: Nothing decisive.\n"
            f"key_points:\n{points}\n"
        )


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_project(root, n)
        build = [sys.executable, "-m", "briefgen", "build", str(root), "--no-pdf"]
        cold = []
        for _ in range(3):
            shutil.rmtree(root / "site", ignore_errors=True)
            shutil.rmtree(root / ".briefgen-cache", ignore_errors=True)
            cold.append(timed(build))
        unchanged = [timed(build) for _ in range(3)]
        edited = []
        target = root / "content" / "articles" / "a0001.md"
        for k in range(3):
            target.write_text(target.read_text() + f"\nEdit {k}.\n")
            edited.append(timed(build))
        forced = [timed([*build, "--force"]) for _ in range(3)]
        print(f"articles: {n}")
        print(f"cold build:          {min(cold):.3f} s")
        print(f"unchanged rebuild:   {min(unchanged):.3f} s")
        print(f"one-article edit:    {min(edited):.3f} s")
        print(f"forced full rebuild: {min(forced):.3f} s (nothing changed, no skip)")


if __name__ == "__main__":
    main()
