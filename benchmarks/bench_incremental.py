"""Cold, cached, unchanged and edited builds of a generated N-article project.

    python benchmarks/bench_incremental.py [N ...]        (default 1000)

For each N, in new processes (`briefgen build --no-pdf`), the median of 3 runs of:

- cold: no output folder and no cache folder;
- cache only: the output folder deleted, the cache kept (as after switching branches);
- unchanged: nothing touched;
- body edit: one article's text changed (its page alone is rendered again);
- title edit: one article's title changed (its page, the sources list, its issue page);

with the CPU time of the build and its workers, and the peak memory of the whole
process tree (the sum of the resident sizes of the build and its workers, sampled every
20 ms; shared pages are counted in each process, so this overstates it). The machine's
load average is printed too: on a shared machine, compare ratios within one run.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import make_project

RUNS = 3


def tree_rss(pid: int) -> int:
    """Resident bytes of pid and its descendants (Linux /proc)."""
    total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{current}/task/{current}/children") as children:
                todo.extend(int(c) for c in children.read().split())
        except OSError:
            continue
    return total


def run(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (with workers) and peak tree memory of one build."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - start
    if process.returncode:
        raise SystemExit(f"build failed: {cmd}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak


def measure(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_project(root, n)
        build = [sys.executable, "-m", "briefgen", "build", str(root), "--no-pdf"]
        article = root / "content" / "articles" / f"a{n // 2:04d}.md"
        original = article.read_text()
        results: dict[str, list[tuple[float, float, int]]] = {}

        def scenario(name: str, before: object) -> None:
            for k in range(RUNS):
                if callable(before):
                    before(k)
                results.setdefault(name, []).append(run(build))

        def cold(_k: int) -> None:
            shutil.rmtree(root / "site", ignore_errors=True)
            shutil.rmtree(root / ".briefgen-cache", ignore_errors=True)

        def cache_only(_k: int) -> None:
            shutil.rmtree(root / "site", ignore_errors=True)

        def body(k: int) -> None:
            article.write_text(original + f"\nEdited for the benchmark, {k}.\n")

        def title(k: int) -> None:
            article.write_text(original.replace("title: Article", f"title: Retitled {k}", 1))

        scenario("cold", cold)
        scenario("cache only", cache_only)
        scenario("unchanged", None)
        scenario("body edit", body)
        scenario("title edit", title)
        print(f"N={n}  (load average {' '.join(f'{x:.1f}' for x in os.getloadavg())})")
        print(f"  {'build':<12} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}")
        for name, runs in results.items():
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            peak = max(r[2] for r in runs) / 2**20
            print(f"  {name:<12} {wall:8.2f} {cpu:8.2f} {peak:8.0f}")


def main() -> None:
    for n in [int(a) for a in sys.argv[1:]] or [1000]:
        measure(n)


if __name__ == "__main__":
    main()
