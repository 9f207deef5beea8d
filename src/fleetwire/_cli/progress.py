"""A progress line on stderr for long work, drawn only when stderr is a terminal (never in pipes or tests)."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

__all__ = ("Progress",)

_WIDTH = 30
_REDRAW_EVERY_S = 0.1
_DELAY_S = 0.5


class Progress:
    """Count items of long work: ``with Progress("logs", total=1000) as bar: bar.advance(100)``.

    With a known ``total`` it draws a bar, otherwise a running count. Nothing is written unless ``stream`` is a
    TTY, so output captured by a script stays clean, nor before the work has lasted ``delay`` seconds, so quick
    work shows no flicker. The line is cleared when the block ends.
    """

    def __init__(
        self, label: str, total: int | None = None, *, stream: TextIO | None = None, delay: float = _DELAY_S
    ) -> None:
        """Describe the work: a ``label`` and, if known, the ``total`` number of items."""
        self.label = label
        self.total = total or None
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._active = self._stream.isatty()
        self._show_from = time.monotonic() + delay
        self._drawn_at = 0.0

    def advance(self, count: int = 1) -> None:
        """Record ``count`` more items done and redraw (at most ten times a second)."""
        self.done += count
        now = time.monotonic()
        if self._active and now >= self._show_from and now - self._drawn_at >= _REDRAW_EVERY_S:
            self._drawn_at = now
            self._draw()

    def _draw(self) -> None:
        if self.total:
            filled = min(_WIDTH, _WIDTH * self.done // self.total)
            bar = "#" * filled + "-" * (_WIDTH - filled)
            text = f"{self.label} [{bar}] {self.done}/{self.total}"
        else:
            text = f"{self.label}: {self.done}"
        self._stream.write("\r" + text + "\x1b[K")
        self._stream.flush()

    def __enter__(self) -> Progress:
        """Start (nothing is drawn until the first :meth:`advance`)."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Clear the progress line."""
        if self._active and self._drawn_at:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
