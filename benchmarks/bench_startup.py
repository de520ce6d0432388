"""Start-up cost: `briefgen --help`, and a build with nothing to do at N articles.

    python benchmarks/bench_startup.py [N]        (default 1000)

Each figure is the median of 9 runs of a new process (whole-process wall time).
Targets: --help under 100 ms; the no-op build of 1,000 articles under 150 ms. Also
lists which heavy modules a no-op build imports (it should import none of them).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import make_project

HEAVY = ("weasyprint", "jinja2", "markdown_it", "yaml", "watchdog", "smtplib", "http.server")
RUNS = 9


def median_time(cmd: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def imported_heavy(args: list[str]) -> list[str]:
    probe = (
        "import sys; from briefgen.cli import main; code = main(sys.argv[1:]); "
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *args], check=True, capture_output=True, text=True
    )
    return out.stdout.split("\n")[-2].split()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    python = [sys.executable, "-m", "briefgen"]
    baseline = median_time([sys.executable, "-c", "pass"])
    help_time = median_time([*python, "--help"])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_project(root, n)
        build = [*python, "build", str(root), "--no-pdf"]
        subprocess.run(build, check=True, capture_output=True)
        noop = median_time(build)
        heavy = imported_heavy(["build", str(root), "--no-pdf"])
    print(f"python -c pass:              {baseline * 1000:6.0f} ms (the interpreter alone)")
    print(f"briefgen --help:             {help_time * 1000:6.0f} ms (target < 100 ms)")
    print(f"no-op build, {n} articles: {noop * 1000:6.0f} ms (target < 150 ms at 1,000)")
    print(f"heavy modules a no-op build imports: {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
