"""Machine part logs: the pager behind ``get_robot_part_logs``/``iter_robot_part_logs``, and the live tail.

Both hand out a :class:`LogsStream`, an async iterator that can be closed early; closing it cancels the page
being prefetched or the server stream being tailed, so nothing keeps running after the caller stops reading. The
other ``iter_*`` methods (history, registry items) hand out the same stream over the same pager.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fleetwire_api.services.codec import decode
from fleetwire_api.viam.app import v1 as app_pb

from ._paging import Pager
from ._retry import CALL_FAILURES, translate
from .models import LogEntry

if TYPE_CHECKING:
    pass

__all__ = ("LogPager", "LogsStream", "PageFetcher", "decode_page", "tail")

T = TypeVar("T")

PageFetcher = Callable[[str], Awaitable[bytes]]
"""Fetch one page: given a page token, return the ``GetRobotPartLogsResponse`` as its wire bytes."""


def decode_page(data: bytes) -> tuple[list[LogEntry], str]:
    """Decode one ``GetRobotPartLogsResponse``: its entries as :class:`LogEntry` wrappers, and its next page token.

    The usual layout is read straight into the wrappers; anything else takes the long way (the generic codec, then
    :meth:`LogEntry.from_proto`), which gives the same entries or raises the same error as any other decode.
    """
    # Imported with the first page, not with the package: it loads the (large) fast codec it shares.
    from fleetwire_api.services._codec_dicts import decode_log_page

    try:
        return decode_log_page(data, LogEntry)
    except Exception:
        response = decode(app_pb.GetRobotPartLogsResponse, data)
        return [LogEntry.from_proto(entry) for entry in response.logs], response.next_page_token


class LogsStream(AsyncIterator[T], Generic[T]):
    """An async iterator of log entries or batches that can be closed before it is exhausted.

    Use it with ``async for``, or ``await stream.next()``; ``await stream.aclose()`` (or ``async with``) ends it
    and releases the underlying call. Failures surface as the typed errors of :mod:`fleetwire.errors`.

    Awaiting a stream gives the stream itself, so both ``async with client.tail_robot_part_logs(...) as tail:`` and
    the official SDK's ``tail = await client.tail_robot_part_logs(...)`` work. No call starts before the first item
    is asked for.
    """

    def __init__(self, chunks: AsyncGenerator[list[T], None]) -> None:
        """Wrap the async generator that produces the items, a chunk (a list, e.g. one page) at a time."""
        self._source = chunks
        self._buffer: deque[T] = deque()

    def __aiter__(self) -> LogsStream[T]:
        """Return self: a stream can be iterated once."""
        return self

    async def __anext__(self) -> T:
        """Return the next item; ``StopAsyncIteration`` at the end."""
        if not self._buffer:
            self._buffer.extend(await self._next_source_chunk())
        return self._buffer.popleft()

    async def next_chunk(self) -> list[T]:
        """Return every item that is ready, waiting only when none is: at least one; ``StopAsyncIteration`` at the end.

        The blocking client crosses into the event loop once per chunk (a page of entries) instead of once per item.
        """
        if self._buffer:
            ready = list(self._buffer)
            self._buffer.clear()
            return ready
        return await self._next_source_chunk()

    async def _next_source_chunk(self) -> list[T]:
        try:
            while True:
                chunk = await self._source.__anext__()
                if chunk:
                    return chunk
        except CALL_FAILURES as exc:
            error = translate(exc)
            if error is None or error is exc:
                raise
            raise error from exc

    async def next(self) -> T:
        """Return the next item (the official SDK's spelling of ``__anext__``)."""
        return await self.__anext__()

    async def aclose(self) -> None:
        """Stop the stream and release its call; safe to call more than once."""
        await self._source.aclose()

    async def close(self) -> None:
        """Alias of :meth:`aclose`."""
        await self.aclose()

    async def __aenter__(self) -> LogsStream[T]:
        """Return self; the stream is closed on exit."""
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Close the stream."""
        await self.aclose()

    def __await__(self) -> Generator[Any, None, LogsStream[T]]:
        """Return the stream itself, at once (for code that awaits the method that hands it out)."""
        yield from ()
        return self


def scan_page(data: bytes) -> tuple[int, str] | None:
    """Count a ``GetRobotPartLogsResponse``'s entries and read its next page token, without decoding the entries.

    ``None`` when the page is not in the usual layout: it must then be decoded to know them.
    """
    from fleetwire_api.services._codec_dicts import scan_log_page

    return scan_log_page(data)


class LogPager(Pager[bytes, LogEntry]):
    """Follow ``page_token`` across ``GetRobotPartLogs`` pages, a page ahead (see :class:`~fleetwire._paging.Pager`).

    A page's next page token is read from its bytes before the page is decoded (:func:`scan_page`), so the next
    page is requested before this one is decoded (:func:`decode_page`).
    """

    def __init__(self, fetch: PageFetcher) -> None:
        """Page with ``fetch``."""
        super().__init__(fetch, decode_page, scan_page)


async def tail(
    responses: AsyncIterator[app_pb.TailRobotPartLogsResponse],
) -> AsyncGenerator[list[list[LogEntry]], None]:
    """Turn a ``TailRobotPartLogs`` response stream into batches of entries; an empty batch ends the tail.

    Each batch is a chunk of its own, so a live batch is handed over as soon as it arrives.
    """
    try:
        async for response in responses:
            if not response.logs:
                return  # the server's end-of-tail marker, as the official SDK reads it
            yield [[LogEntry.from_proto(entry) for entry in response.logs]]
    finally:
        close = getattr(responses, "aclose", None)
        if close is not None:
            await close()


def levels_ok(log_levels: Sequence[str]) -> bool:
    """Tell whether ``log_levels`` is a list of strings (the only shape the request field takes)."""
    return not isinstance(log_levels, str) and all(isinstance(level, str) for level in log_levels)  # pyright: ignore[reportUnnecessaryIsInstance]
