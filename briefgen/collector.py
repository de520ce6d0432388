"""Python's cyclic garbage collector paused around work that makes many live objects."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: for work that makes objects by the hundred
    thousand which all outlive it (a PDF layout, a store being read). The collector
    would walk them again and again, each batch setting it off, to free almost nothing;
    what cycles the work leaves are collected after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
