"""Importing WeasyPrint without the library search that costs up to a third of a second.

WeasyPrint opens Pango, HarfBuzz and fontconfig through cffi under every platform's name
for them ('libpango-1.0-0', 'pango-1.0', ..., 'libpango-1.0.so.0', 'libpango-1.0.dylib').
For each name that cffi cannot open as it is, cffi asks ctypes.util.find_library, which
on Linux runs ldconfig, then gcc and ld: about 90 processes for one import, 0.2 to 0.4 s
of a `briefgen pdf` that takes two. On Linux find_library can only answer a soname that
the dynamic loader would find by itself, and WeasyPrint's lists hold the Linux sonames,
so while WeasyPrint imports, find_library answers "not found" at once: the same libraries
load, from the same places.
"""

from __future__ import annotations

import ctypes.util
import importlib
import sys
import threading

_PATCH_LOCK = threading.Lock()


def import_weasyprint() -> None:
    """Import WeasyPrint (if not yet imported); raises what its import raises."""
    if "weasyprint" in sys.modules or sys.platform != "linux":
        importlib.import_module("weasyprint")
        return
    with _PATCH_LOCK:
        real = ctypes.util.find_library
        ctypes.util.find_library = _not_found
        try:
            importlib.import_module("weasyprint")
        finally:
            ctypes.util.find_library = real


def _not_found(name: str) -> None:
    return None
