"""The blocking side of the generated ``AppClient``: an event-loop thread per client, and blocking streams.

Every blocking call is handed to the client's own event loop through a :class:`LoopPortal`, so the client works
from any number of threads and from code that already runs an event loop (a notebook): only the portal's thread
ever touches the grpclib channel.
"""

from __future__ import annotations

import contextlib
import itertools
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

from ._wire import services
from .logs import LogsStream

if TYPE_CHECKING:
    from ._wire import LoopPortal

__all__ = ("BlockingStream", "start_portal")

T = TypeVar("T")

_numbers = itertools.count(1)


def start_portal() -> LoopPortal:
    """Start an event-loop thread for one client; ``close()`` on the portal stops the loop and joins the thread."""
    return services.LoopPortal(f"fleetwire-app-client-{next(_numbers)}")


class BlockingStream(Iterator[T], Generic[T]):
    """A plain iterator over a :class:`~fleetwire.logs.LogsStream`, driven through the client's portal.

    ``close()`` (or leaving a ``with`` block) closes the underlying stream and its call; breaking out of a
    ``for`` loop alone does not, so prefer ``with``.
    """

    def __init__(self, portal: LoopPortal, stream: LogsStream[T]) -> None:
        """Drive ``stream`` in the event loop of ``portal``."""
        self._portal = portal
        self._stream = stream
        self._ready: deque[T] = deque()  # items already fetched: one portal crossing per chunk, not per item
        self._closed = False

    def __iter__(self) -> BlockingStream[T]:
        """Return self."""
        return self

    def __next__(self) -> T:
        """Return the next item, waiting for it; ``StopIteration`` at the end or after ``close()``."""
        if self._ready:
            return self._ready.popleft()
        if self._closed:
            raise StopIteration
        try:
            self._ready.extend(self._portal.call(self._stream.next_chunk))
        except StopAsyncIteration:
            self._closed = True
            raise StopIteration from None
        return self._ready.popleft()

    def next(self) -> T:
        """Return the next item (the official SDK's ``next()``)."""
        return self.__next__()

    def close(self) -> None:
        """Close the stream and release its call; idempotent, and harmless after the client was closed."""
        if self._closed:
            return
        self._closed = True
        # A portal that already stopped (client closed first) cancelled the stream's call with its event loop.
        with contextlib.suppress(RuntimeError):
            self._portal.call(self._stream.aclose)

    def __enter__(self) -> BlockingStream[T]:
        """Return self; the stream is closed on exit."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the stream."""
        self.close()
