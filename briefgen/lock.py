"""One run at a time on a project: builds and PDF writes hold an fcntl lock.

The lock is a file in the project's cache folder; the kernel releases it when its
holder exits, however it exits (kill -9 included), so a stale lock cannot exist.
A second run waits for the first, saying so once.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

logger = logging.getLogger(__name__)


@contextmanager
def project_lock(cache_dir: Path) -> Iterator[None]:
    """Hold the project's lock for the duration; wait while another run holds it.

    A project whose cache folder cannot be written (a read-only checkout) is not
    locked: such a run changes nothing in the project for another run to trip over.
    """
    try:
        cache_dir.mkdir(exist_ok=True)
        fd = os.open(
            cache_dir / "lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666
        )
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            logger.warning(
                "waiting for another briefgen run on this project to finish (process %s)", holder
            )
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
