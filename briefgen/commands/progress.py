"""Progress per stage on a terminal, for a build that runs longer than a moment.

Nothing shows for the first `after` seconds, so a quick build prints only its summary;
after that, an interval timer (a signal, not a thread: the build forks its workers)
redraws the current stage and its count on one line, and each stage done keeps its
line with its time. On a pipe or a file nothing is drawn.
"""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType, TracebackType
from typing import TextIO


class StageProgress:
    def __init__(self, stream: TextIO, after: float = 2.0, every: float = 0.2) -> None:
        self.stream = stream
        self.after = after
        self.every = every
        self.enabled = (
            stream.isatty()
            and hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread()
        )
        self.stage = ""
        self.done = 0
        self.total = 0
        self.stage_start = time.monotonic()
        self.drawn_stage = ""
        self.visible = False
        self._previous: object = None

    def __enter__(self) -> StageProgress:
        if self.enabled:
            self._previous = signal.signal(signal.SIGALRM, self._tick)
            signal.setitimer(signal.ITIMER_REAL, self.after, self.every)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if not self.enabled:
            return
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self._previous)  # type: ignore[arg-type]
        if self.visible:
            self._write(self._line(finished=kind is None) + "\n")

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Told by the build as it goes (briefgen.build.Progress)."""
        if stage != self.stage:
            if self.visible and self.drawn_stage:
                self._write(self._line(finished=True) + "\n")
                self.drawn_stage = ""
            self.stage, self.stage_start = stage, time.monotonic()
        self.done, self.total = done, total

    def _tick(self, signum: int, frame: FrameType | None) -> None:
        self.visible = True
        if self.stage:
            self.drawn_stage = self.stage
            self._write(self._line(finished=False))

    def _line(self, finished: bool) -> str:
        count = f" {self.done:,}/{self.total:,}" if self.total else ""
        took = time.monotonic() - self.stage_start
        state = f"done in {took:.1f} s" if finished else f"{took:.1f} s"
        return f"\r\x1b[K{self.stage}{count} ({state})"

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, RuntimeError):  # a closed terminal, or a write the signal cut into
            pass
