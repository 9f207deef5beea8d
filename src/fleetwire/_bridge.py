"""The blocking side of the generated ``AppClient``: an event-loop thread per client, and blocking streams.

Every blocking call is handed to the client's own event loop through a :class:`LoopPortal`, so the client works
from any number of threads and from code that already runs an event loop (a notebook): only the portal's thread
ever touches the grpclib channel.
"""

from __future__ import annotations

import contextlib
import itertools
import weakref
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._wire import services
from .errors import ClientClosedError
from .logs import LogsStream

if TYPE_CHECKING:
    from ._wire import LoopPortal

__all__ = ("BlockingStream", "release_when_dropped", "start_portal")

T = TypeVar("T")

_numbers = itertools.count(1)


def start_portal(kind: str = "app-client") -> LoopPortal:
    """Start an event-loop thread for one client; ``close()`` on the portal stops the loop and joins the thread.

    A call through the portal after that raises :class:`ClientClosedError`.
    """
    return services.LoopPortal(f"fleetwire-{kind}-{next(_numbers)}", closed_error=ClientClosedError)


def _release(portal: LoopPortal, close: Callable[[], Coroutine[Any, Any, object]]) -> None:
    """Run the async client's ``close`` in the portal's loop, then stop the loop."""
    try:
        if portal.in_loop_thread():
            # Only a garbage collection run in the loop thread gets here, where a blocking call would wait for itself.
            portal.loop.create_task(close())  # runs before the shutdown task, which close() queues after it
        else:
            with contextlib.suppress(ClientClosedError):  # the portal was closed directly
                portal.call(close)
    finally:
        portal.close()


def release_when_dropped(
    owner: object, portal: LoopPortal, close: Callable[[], Coroutine[Any, Any, object]]
) -> weakref.finalize[..., object]:
    """Close the connection and stop the thread of ``owner``'s portal when it is closed or garbage collected.

    Calling the returned finalizer releases them at once (``close()``); a blocking client dropped without
    ``close()`` releases them when it is collected, or at interpreter exit. ``close`` must not refer to ``owner``.
    """
    return weakref.finalize(owner, _release, portal, close)


class BlockingStream(Iterator[T], Generic[T]):
    """A plain iterator over a :class:`~fleetwire.logs.LogsStream`, driven through the client's portal.

    ``close()`` (or leaving a ``with`` block) closes the underlying stream and its call; breaking out of a
    ``for`` loop alone does not, so prefer ``with``.
    """

    def __init__(self, portal: LoopPortal, stream: LogsStream[T], *, owner: object = None) -> None:
        """Drive ``stream`` in the event loop of ``portal``; ``owner`` (the client) is kept alive while it is read."""
        self._portal = portal
        self._owner = owner  # a client released when collected must outlive its streams
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
