"""In-process fan-out of the log entries machines push to the live ``TailRobotPartLogs`` subscribers of a part.

Delivery policy (why it is safe for both sides):

- **No silent loss.** Each subscriber has its own bounded buffer, filled only with the entries that pass its own
  filter. A publisher that finds a buffer full *waits* for the subscriber to drain it (backpressure on the
  machine's ``RobotService.Log`` call), so a subscriber that keeps up receives every entry, in push order.
- **Bounded memory.** A subscriber that cannot make room within ``publish_timeout`` seconds is disconnected: its
  stream ends with ``RESOURCE_EXHAUSTED`` (after the entries already buffered), so it knows it fell behind
  instead of silently missing entries. The memory one subscriber can hold is at most ``capacity`` entries.
- **Order.** Publications to one part are serialized (one lock per part, held by the caller across the store
  write and the fan-out via :meth:`LogBus.publishing`), so every subscriber sees entries in the order they were
  stored, and a publication is never interleaved with another.

Beyond the buffer, what is in flight for a subscriber is bounded by HTTP/2 flow control (the transport stops
accepting a stream's messages once the client's window is full). That window is per connection too: a client that
stops reading a tail stalls its other calls on the same connection, so slow consumers should tail on their own.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncGenerator, Callable, Sequence

from grpclib.const import Status
from grpclib.exceptions import GRPCError

from fleetwire_api.viam.common.v1 import LogEntry

__all__ = ("DEFAULT_CAPACITY", "DEFAULT_PUBLISH_TIMEOUT", "LogBus", "Subscription")

DEFAULT_CAPACITY = 10_000
"""Entries one subscriber may have buffered before publishers wait for it."""

DEFAULT_PUBLISH_TIMEOUT = 5.0
"""Seconds a publisher waits for a full subscriber before disconnecting it."""

LogFilter = Callable[[LogEntry], bool]
"""A subscriber's filter: whether an entry is delivered to it."""


class Subscription:
    """One tail subscriber of one part: a bounded buffer of the entries that passed its filter."""

    def __init__(self, part_id: str, accepts: LogFilter, capacity: int) -> None:
        """Create an empty subscription; use :meth:`LogBus.subscribe` instead."""
        self.part_id = part_id
        self._accepts = accepts
        self._capacity = capacity
        self._buffer: deque[LogEntry] = deque()
        self._changed = asyncio.Condition()
        self._error: GRPCError | None = None
        self._ended = False

    @property
    def buffered(self) -> int:
        """How many entries wait to be read."""
        return len(self._buffer)

    async def next_batch(self, max_entries: int = 500) -> list[LogEntry]:
        """Wait for entries and take up to ``max_entries`` of them, oldest first.

        Returns an empty list once the subscription has ended normally (the part was deleted or the bus closed);
        raises the disconnect error (``RESOURCE_EXHAUSTED``) once a slow subscriber's buffered entries are read.
        """
        async with self._changed:
            await self._changed.wait_for(lambda: bool(self._buffer) or self._ended)
            if not self._buffer:
                if self._error is not None:
                    raise self._error
                return []
            count = min(max_entries, len(self._buffer))
            batch = [self._buffer.popleft() for _ in range(count)]
            self._changed.notify_all()
            return batch

    async def _offer(self, entries: Sequence[LogEntry], timeout: float) -> None:
        """Append the entries this subscriber accepts, waiting (at most ``timeout`` per wait) for room."""
        wanted = [entry for entry in entries if self._accepts(entry)]
        position = 0
        async with self._changed:
            while position < len(wanted) and not self._ended:
                if len(self._buffer) >= self._capacity:
                    try:
                        await asyncio.wait_for(
                            self._changed.wait_for(lambda: len(self._buffer) < self._capacity or self._ended),
                            timeout,
                        )
                    except asyncio.TimeoutError:
                        self._end_locked(
                            GRPCError(
                                Status.RESOURCE_EXHAUSTED,
                                "log tail disconnected: the subscriber fell behind by more than "
                                f"{self._capacity} entries",
                            )
                        )
                        return
                    continue
                room = self._capacity - len(self._buffer)
                self._buffer.extend(wanted[position : position + room])
                position += room
                self._changed.notify_all()

    async def revoke(self, error: GRPCError) -> None:
        """End at once with ``error``, dropping what is buffered: the subscriber may no longer read it."""
        async with self._changed:
            self._buffer.clear()
            self._end_locked(error)

    def _end_locked(self, error: GRPCError | None) -> None:
        self._ended = True
        self._error = error
        self._changed.notify_all()

    async def _end(self, error: GRPCError | None = None) -> None:
        async with self._changed:
            if not self._ended:
                self._end_locked(error)


class LogBus:
    """Fan-out of pushed log entries to the tail subscribers of each part (see the module docstring)."""

    def __init__(self, *, capacity: int = DEFAULT_CAPACITY, publish_timeout: float = DEFAULT_PUBLISH_TIMEOUT) -> None:
        """Create an empty bus; ``capacity`` bounds each subscriber's buffer, ``publish_timeout`` its lag."""
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.publish_timeout = publish_timeout
        self._subscribers: dict[str, set[Subscription]] = {}
        self._part_locks: dict[str, asyncio.Lock] = {}
        self._lock_users: dict[str, int] = {}
        self._watchers: set[asyncio.Event] = set()

    def subscriber_count(self, part_id: str) -> int:
        """How many live subscriptions ``part_id`` has."""
        return len(self._subscribers.get(part_id, ()))

    async def wait_for_subscribers(self, part_id: str, count: int) -> None:
        """Wait until ``part_id`` has exactly ``count`` live subscriptions (tests and tools use this to sync)."""
        while self.subscriber_count(part_id) != count:
            changed = asyncio.Event()
            self._watchers.add(changed)
            try:
                await changed.wait()
            finally:
                self._watchers.discard(changed)

    @contextlib.asynccontextmanager
    async def subscribe(self, part_id: str, accepts: LogFilter) -> AsyncGenerator[Subscription, None]:
        """Register a subscriber of ``part_id`` receiving the entries ``accepts`` lets through, until exit."""
        subscription = Subscription(part_id, accepts, self.capacity)
        self._subscribers.setdefault(part_id, set()).add(subscription)
        self._notify()
        try:
            yield subscription
        finally:
            # No await here: this may run from an async generator's finalizer after the call was cancelled.
            self._remove(subscription)
            self._notify()

    @contextlib.asynccontextmanager
    async def publishing(self, part_id: str) -> AsyncGenerator[None, None]:
        """Hold the part's publication lock: store and :meth:`publish` inside it to keep subscribers in order."""
        lock = self._part_locks.setdefault(part_id, asyncio.Lock())
        self._lock_users[part_id] = self._lock_users.get(part_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._lock_users[part_id] -= 1
            if self._lock_users[part_id] == 0:
                del self._lock_users[part_id]
                del self._part_locks[part_id]

    async def publish(self, part_id: str, entries: Sequence[LogEntry]) -> None:
        """Deliver ``entries`` (in order) to every subscriber of ``part_id``; waits for slow ones (bounded)."""
        subscribers = list(self._subscribers.get(part_id, ()))
        if not entries or not subscribers:
            return
        await asyncio.gather(*(sub._offer(entries, self.publish_timeout) for sub in subscribers))  # pyright: ignore[reportPrivateUsage]

    async def end_part(self, part_id: str) -> None:
        """End every subscription of ``part_id`` normally (the part is gone); their streams finish."""
        for subscription in list(self._subscribers.get(part_id, ())):
            await subscription._end()  # pyright: ignore[reportPrivateUsage]

    async def close(self) -> None:
        """End every subscription of every part (server shutdown)."""
        for part_id in list(self._subscribers):
            await self.end_part(part_id)

    def _remove(self, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(subscription.part_id)
        if subscribers is None:
            return
        subscribers.discard(subscription)
        if not subscribers:
            del self._subscribers[subscription.part_id]

    def _notify(self) -> None:
        for watcher in self._watchers:
            watcher.set()
