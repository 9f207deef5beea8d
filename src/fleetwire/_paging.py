"""Follow a paginated RPC's page tokens one page ahead, holding at most two pages.

The pager behind ``get_robot_part_logs`` and every ``iter_*`` method of the clients (part logs, part history,
fragment history, registry items): each RPC supplies how to fetch a page for a token, and how to read a page's
items and next token; the paging, the fetch-ahead and the early stop are written once, here.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    import asyncio

__all__ = ("Pager",)

P = TypeVar("P")
T = TypeVar("T")


async def _let_it_leave() -> None:
    """Let a request just started reach the wire before the loop is kept busy decoding.

    Two turns of the event loop: one for the call to write its request (grpclib does it without waiting on an open
    connection), one for the coalescing transport to send what was written.
    """
    import asyncio  # here and below, where it is used: a running event loop has imported it already

    await asyncio.sleep(0)
    await asyncio.sleep(0)


class Pager(Generic[P, T]):
    """Follow ``page_token`` across the pages of one query, a page ahead.

    ``fetch(token)`` returns a page (a response, or its wire bytes); ``read(page)`` its items and next page token;
    ``scan(page)``, when given, the item count and next token without converting the items (``None`` when it cannot
    tell). The next page, when needed (there is a new token and the limit is not reached with this page), is
    requested as soon as its token is known, so the server answers while this page is converted and consumed. The
    requests are those of fetching one page after the other, and at most two pages are held: the one being consumed
    and the one in flight. A token seen before ends the paging (a server repeating itself would loop forever).
    """

    def __init__(
        self,
        fetch: Callable[[str], Awaitable[P]],
        read: Callable[[P], tuple[list[T], str]],
        scan: Callable[[P], tuple[int, str] | None] | None = None,
        *,
        first_token: str = "",
    ) -> None:
        """Page with ``fetch``, starting at ``first_token`` (the first page by default)."""
        self._fetch = fetch
        self._read = read
        self._scan = scan
        self._first_token = first_token

    async def chunks(self, limit: int = 0) -> AsyncGenerator[list[T], None]:
        """Yield the pages' items, page by page, at most ``limit`` items in all (0: all)."""
        import asyncio

        left = limit
        seen: set[str] = {"", self._first_token}
        pending: asyncio.Future[P] | None = asyncio.ensure_future(self._fetch(self._first_token))
        try:
            while pending is not None:
                page = await pending
                pending = None
                scanned = self._scan(page) if self._scan is not None else None
                if scanned is not None:
                    count, next_token = scanned
                    pending = self._request_next(next_token, seen, wanted=not limit or count < left)
                    if pending is not None:
                        await _let_it_leave()
                items, next_token = self._read(page)
                if scanned is None:  # the token is known only now
                    pending = self._request_next(next_token, seen, wanted=not limit or len(items) < left)
                if limit:
                    items = items[:left]
                    left -= len(items)
                yield items
        finally:
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(BaseException):
                    await pending

    def _request_next(self, token: str, seen: set[str], *, wanted: bool) -> asyncio.Future[P] | None:
        """Request the page at ``token`` if there is one and more items are ``wanted``; ``None`` otherwise."""
        import asyncio

        more = bool(token) and token not in seen
        seen.add(token)
        return asyncio.ensure_future(self._fetch(token)) if more and wanted else None

    async def collect(self, limit: int = 0) -> list[T]:
        """Return every item, at most ``limit`` of them (0: all), a page at a time into one list."""
        collected: list[T] = []
        async with contextlib.aclosing(self.chunks(limit)) as chunks:
            async for chunk in chunks:
                collected += chunk
        return collected
