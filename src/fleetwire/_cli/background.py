"""A :class:`~fleetwire.local.LocalFleet` served from an event-loop thread this module owns.

``with LocalFleet()`` hides its loop; the demo (and the CLI tests) also need to wait, on that loop, for a live
tail to be subscribed before a machine pushes entries, so they run the fleet here instead.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from ..local import LocalFleet

__all__ = ("BackgroundFleet",)

T = TypeVar("T")


class BackgroundFleet:
    """Run a local fleet server in a thread: ``with BackgroundFleet(db) as bg: bg.fleet.address``."""

    def __init__(self, db: str | Path | None = None) -> None:
        """Describe the fleet (``db``: SQLite file, ``None`` for in-memory); it starts on ``with``."""
        self.fleet = LocalFleet(db)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fleetwire-demo-fleet", daemon=True)

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coroutine`` in the fleet's event loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def wait_for_tails(self, part_id: str, count: int, timeout: float = 30.0) -> None:
        """Wait until ``part_id`` has exactly ``count`` live ``TailRobotPartLogs`` subscribers."""
        self.run(self.fleet.context.logs.wait_for_subscribers(part_id, count), timeout)

    def __enter__(self) -> BackgroundFleet:
        """Start the loop thread and the server."""
        self._thread.start()
        try:
            self.run(self.fleet.start())
        except BaseException:
            self._halt()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop the server, then the loop thread."""
        try:
            self.run(self.fleet.stop())
        finally:
            self._halt()

    def _halt(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
