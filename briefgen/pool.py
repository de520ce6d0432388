"""Work spread over the machine's cores, for the stages that do the same thing many times.

Workers are forked, so they start in a few milliseconds with everything the parent has
loaded (the theme, the site index) and receive only the items. A process that runs
threads (the preview server) never forks: it works alone, as does a small job.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    import multiprocessing  # imported by the builds that fork only: an edit build does not

    return (
        cores() > 1
        and threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
    )


def parallel_map(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    min_items: int = 64,
    progress: Callable[[str, int, int], None] | None = None,
    stage: str = "",
) -> list[R]:
    """[fn(item) for item in items], in order, on every core when there are enough items.

    fn must be a module-level function; its results travel back pickled. progress is
    told (stage, done, len(items)) as results come in.
    """
    total = len(items)
    step = max(1, total // 50)
    results: list[R] = []
    if total < min_items or not can_fork():
        for item in items:
            results.append(fn(item))
            if progress is not None and len(results) % step == 0:
                progress(stage, len(results), total)
        return results
    import multiprocessing

    workers = min(cores(), total)
    chunk = max(1, min(step, total // (workers * 8)))
    gc.freeze()  # the workers' collector then leaves the parent's objects (and pages) be
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for result in pool.imap(fn, items, chunksize=chunk):
                results.append(result)
                if progress is not None and len(results) % step == 0:
                    progress(stage, len(results), total)
    finally:
        gc.unfreeze()
    return results
