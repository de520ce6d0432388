"""briefgen serve, in layers; each module has one job and knows only those below it.

- preview: Preview builds with the builder it is given, keeps the site in memory as
  a Snapshot, rebuilds when the watcher says so, and reports each build and PDF;
- http: what a request may name and what is answered, the reload script, the error
  page, and the HTTP server, which asks the Preview for every answer;
- watch: the change watcher, one change per save however the editor saves;
- pdfjob: the PDF, laid out in a child process (`python -m briefgen.serve.pdfjob`).

The command (briefgen.commands.serve) gives the Preview its builder, and prints.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefgen.serve.pdfjob import PdfMade
    from briefgen.serve.preview import BuildDone, Notice, Preview

__all__ = ["BuildDone", "Notice", "PdfMade", "Preview"]

# Imported on first use: the layout process imports this package before pdfjob, and
# needs neither watchdog nor the HTTP server.
_MODULES = {"BuildDone": "preview", "Notice": "preview", "PdfMade": "pdfjob", "Preview": "preview"}


def __getattr__(name: str) -> object:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
