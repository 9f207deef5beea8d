"""Machine part logs: the pager behind ``get_robot_part_logs``/``iter_robot_part_logs``, and the live tail.

Both hand out a :class:`LogsStream`, an async iterator that can be closed early; closing it cancels the page
being prefetched or the server stream being tailed, so nothing keeps running after the caller stops reading.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from grpclib.exceptions import GRPCError, StreamTerminatedError

from fleetwire_api.viam.app import v1 as app_pb

from ._retry import translate
from .models import LogEntry

__all__ = ("LogPager", "LogsStream", "PageFetcher", "tail")

T = TypeVar("T")

PageFetcher = Callable[[str], Awaitable[tuple[list[LogEntry], str]]]
"""Fetch one page: given a page token, return its entries and the next page token ("" after the last page)."""


class LogsStream(AsyncIterator[T], Generic[T]):
    """An async iterator of log entries or batches that can be closed before it is exhausted.

    Use it with ``async for``, or ``await stream.next()``; ``await stream.aclose()`` (or ``async with``) ends it
    and releases the underlying call. Failures surface as the typed errors of :mod:`fleetwire.errors`.
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
        except (GRPCError, asyncio.TimeoutError, StreamTerminatedError, OSError) as exc:
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


class LogPager:
    """Follow ``page_token`` across ``GetRobotPartLogs`` pages.

    With ``prefetch``, the request for page n+1 is in flight while the caller consumes page n, and at most those
    two pages are held in memory.
    """

    def __init__(self, fetch: PageFetcher, *, prefetch: bool) -> None:
        """Page with ``fetch``; ``prefetch`` requests the next page before the current one is consumed."""
        self._fetch = fetch
        self._prefetch = prefetch

    async def pages(self) -> AsyncGenerator[list[LogEntry], None]:
        """Yield each page's entries in order, until the server returns no next page token."""
        token = ""
        seen: set[str] = {token}
        pending: asyncio.Future[tuple[list[LogEntry], str]] | None = asyncio.ensure_future(self._fetch(token))
        try:
            while pending is not None:
                entries, next_token = await pending
                pending = None
                # A token seen before would make us loop forever over the same pages: treat it as the end.
                more = bool(next_token) and next_token not in seen
                seen.add(next_token)
                if more and self._prefetch:
                    pending = asyncio.ensure_future(self._fetch(next_token))
                yield entries
                if more and pending is None:
                    pending = asyncio.ensure_future(self._fetch(next_token))
        finally:
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(BaseException):
                    await pending

    async def chunks(self, limit: int = 0) -> AsyncGenerator[list[LogEntry], None]:
        """Yield the pages' entries, page by page, at most ``limit`` entries in all (0: all)."""
        left = limit
        pages = self.pages()
        try:
            async for page in pages:
                if limit:
                    page = page[:left]
                    left -= len(page)
                yield page
                if limit and not left:
                    return
        finally:
            await pages.aclose()

    async def entries(self, limit: int = 0) -> AsyncGenerator[LogEntry, None]:
        """Yield entries one by one, at most ``limit`` of them (0: all)."""
        chunks = self.chunks(limit)
        try:
            async for chunk in chunks:
                for entry in chunk:
                    yield entry
        finally:
            await chunks.aclose()


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
