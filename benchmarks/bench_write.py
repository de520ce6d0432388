"""Time the writer making a whole new output (a cold build's write) alone and with threads.

    python benchmarks/bench_write.py SITE [REPS]        (default 5)

Reads every file of a built site (SITE, e.g. PROJECT/site) into memory, then writes
them into a fresh folder beside it REPS times with one thread and REPS times with the
writer's threads, in turns, and prints the medians. Creating files is what the write
waits for; how long depends on the folder and on what was deleted just before, so the
two ways are measured in turns, in the same place.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

from briefgen import write
from briefgen.write import MARKER, OutputFile, write_site


def main() -> None:
    site = Path(sys.argv[1]).absolute()
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    files = [
        OutputFile(path.relative_to(site).as_posix(), path.read_bytes())
        for path in sorted(site.rglob("*"))
        if path.is_file() and not path.is_symlink() and path.name != MARKER
    ]
    target = site.with_name(f"{site.name}-bench-write")
    threads = write.THREADS
    times: dict[int, list[float]] = {1: [], threads: []}
    for _ in range(reps):
        for count in times:
            shutil.rmtree(target, ignore_errors=True)
            os.sync()  # as after deleting a site: the deletes reach the disk first
            write.THREADS = count
            start = time.perf_counter()
            write_site(files, target)
            times[count].append(time.perf_counter() - start)
    shutil.rmtree(target, ignore_errors=True)
    print(f"{len(files)} files")
    for count, took in times.items():
        runs = ", ".join(f"{t:.3f}" for t in sorted(took))
        print(f"{count} thread(s): median {statistics.median(took):.3f} s ({runs})")


if __name__ == "__main__":
    main()
