"""Watch a project's inputs and say when a burst of edits has settled.

One save is often many events: an editor may write a temporary file and rename it
over the original, move the original aside as a backup, or probe the folder with a
scratch file. Events on editor droppings are ignored, and the rest are debounced:
wait_for_change() returns once no relevant event arrived for `quiet` seconds, so
one save gives one rebuild. An event that ends a save (a file closed after writing,
unless the burst made it and it is no re-made original; or a file renamed into
place) needs only `saved` seconds: the browser waits for this.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import warnings
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch
from watchdog.observers.polling import PollingObserver

from briefgen.project import Project

logger = logging.getLogger(__name__)

QUIET = 0.03
"""Seconds without a relevant event before a burst of events counts as one change."""
SAVED = 0.005
"""The same after an event that ends a save: what else a save does follows at once."""
MAX_WAIT = 0.5
"""A steady stream of events (a checkout of many files) still yields a change this often."""
POLL_INTERVAL = 0.5
"""Seconds between two looks at every file, with --poll."""

# Only these reach the handler: reading a file, as every build does, raises "opened"
# and "closed_no_write" events, which are no changes; neither are a folder's "modified"
# (a file in it changed: already seen) or "attrib" (chmod, touch) events.
_CHANGES = [
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileClosedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]
_EDITOR_FILE = re.compile(
    r"""^\..+\.sw[a-z]$   # vim swap files: .name.swp, .swo, ...
      | ^\.\#             # emacs lock files
      | ^\#.*\#$          # emacs auto-save files
      | ~$                # backups (vim, emacs, gedit)
      | ^\d+$             # vim's write probe: 4913, 5036, ...
      | ___jb_(tmp|old)___$  # JetBrains safe-write files
    """,
    re.VERBOSE,
)


def is_editor_file(name: str) -> bool:
    """True for the swap, lock, backup and probe files editors write beside a file."""
    return bool(_EDITOR_FILE.search(name))


class ChangeWatcher:
    """A watchdog observer on a project's watched paths (content/, templates/, themes/...)."""

    def __init__(
        self,
        project: Project,
        *,
        quiet: float = QUIET,
        saved: float = SAVED,
        max_wait: float = MAX_WAIT,
        poll: bool = False,
    ):
        self.root = project.root
        # Also a briefing.yaml at the root when the settings are in content/: it may be
        # moved there (or a second one made) while the server runs.
        self.paths = tuple(
            dict.fromkeys((*project.watched_paths(), self.root / project.settings_file.name))
        )
        self.quiet = quiet
        self.saved = saved
        self.max_wait = max_wait
        # Polling (stat every file each interval) for where the kernel's notifications
        # never arrive: WSL's Windows drives, Docker volumes, network shares.
        self._observer = PollingObserver(timeout=POLL_INTERVAL) if poll else Observer()
        self._handler = _Handler(self)
        self._watches: dict[Path, ObservedWatch] = {}
        self._changed = threading.Condition()
        self._first: float | None = None
        """When the first event of the unsettled burst arrived."""
        self._due = 0.0
        """When the burst counts as settled, unless another event arrives."""
        self._made: set[str] = set()
        """Files the burst created: closing one (a temporary file) ends no save..."""
        self._gone: set[str] = set()
        """...unless the burst also removed it: an editor that moved the original aside."""
        self._stopped = False

    def start(self) -> None:
        # A recursive watch set up while folders are being made under it (themes/ and
        # themes/default/ in one save) can meet a folder twice: watchdog then warns
        # that it replaces the folder's callback with the same one, from its own
        # thread. Nothing is lost, and the warning would only alarm the user.
        warnings.filterwarnings(
            "ignore",
            message=r"Callback with id '.*' already exists for watch",
            category=RuntimeWarning,
            module=r"watchdog\.",
        )
        # The root itself is watched (not recursively) so that templates/ or themes/
        # made after the start, or a briefing.yaml moved to the root, are seen.
        self._observer.schedule(
            self._handler, os.fspath(self.root), recursive=False, event_filter=_CHANGES
        )
        for path in self.paths:
            self._refresh(path)
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join()
        with self._changed:
            self._stopped = True
            self._changed.notify_all()

    def wait_for_change(self) -> bool:
        """Block until inputs changed and the burst settled; False once stopped."""
        with self._changed:
            while self._first is None and not self._stopped:
                self._changed.wait()
            while not self._stopped and self._first is not None:
                due = min(self._due, self._first + self.max_wait)
                remaining = due - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            self._first = None
            self._made.clear()
            self._gone.clear()
            return not self._stopped

    def is_relevant(self, path: str) -> bool:
        target = Path(path)
        if is_editor_file(target.name):
            return False
        return any(target.is_relative_to(p) for p in self.paths)

    def on_event(self, event: FileSystemEvent) -> None:
        paths = [os.fsdecode(event.src_path), os.fsdecode(event.dest_path or "")]
        if not any(p and self.is_relevant(p) for p in paths):
            return
        for path in {Path(p) for p in paths if p}.intersection(self.paths):
            try:
                self._refresh(path)
            except OSError as exc:  # e.g. the system's limit on watched folders
                logger.error("cannot watch %s: %s", path, exc)
        with self._changed:
            now = time.monotonic()
            if self._first is None:
                self._first = now
            self._due = now + (self.saved if self._ends_a_save(event, *paths) else self.quiet)
            self._changed.notify_all()

    def _ends_a_save(self, event: FileSystemEvent, src: str, dest: str) -> bool:
        """Note what event made or removed; True if it is the last step of a save."""
        if isinstance(event, FileCreatedEvent):
            self._made.add(src)
        elif isinstance(event, FileDeletedEvent):
            self._gone.add(src)
        elif isinstance(event, FileMovedEvent):
            self._gone.add(src)
            return self.is_relevant(dest)
        elif isinstance(event, FileClosedEvent):
            return src not in self._made or src in self._gone
        return False

    def _refresh(self, path: Path) -> None:
        """Watch the path afresh (recursively) if it is a folder: it may be a new one.

        A watched file (briefing.yaml at the root) is seen through the root's watch.
        """
        watch = self._watches.pop(path, None)
        if watch is not None:
            self._observer.unschedule(watch)
        if path.is_dir():
            self._watches[path] = self._observer.schedule(
                self._handler, os.fspath(path), recursive=True, event_filter=_CHANGES
            )


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: ChangeWatcher) -> None:
        super().__init__()
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.watcher.on_event(event)
