"""A machine part's logs: one read, a paged iterator and a live tail."""

from __future__ import annotations

import datetime
import functools
from dataclasses import replace
from typing import cast

from .. import export, logs
from .._wire import app_pb
from ..logs import LogsStream
from ..models import LogEntry
from .args import enum_member, optional_datetime, optional_int, optional_text, require_bool, require_id, text_list
from .base import ClientBase

_GET_ROBOT_PART_LOGS = "/viam.app.v1.AppService/GetRobotPartLogs"


class PartLogMethods(ClientBase):
    """A machine part's logs: one read, a paged iterator and a live tail."""

    def _pager(self, request: app_pb.GetRobotPartLogsRequest, timeout: float | None) -> logs.LogPager:
        """Page through the logs ``request`` asks for; each page is fetched as its wire bytes.

        The pager reads the next page token from the bytes and requests that page before decoding this one.
        """
        rpc = functools.partial(self.raw.unary_unary_bytes, _GET_ROBOT_PART_LOGS)

        async def fetch(token: str) -> bytes:
            return await self._read(rpc, replace(request, page_token=token), timeout)

        return logs.LogPager(fetch)

    def iter_robot_part_logs(
        self,
        robot_part_id: str,
        filter: str | None = None,
        log_levels: list[str] = [],  # noqa: B006  # same default as get_robot_part_logs; never mutated
        *,
        num_log_entries: int = 0,
        page_size: int | None = None,
        start: datetime.datetime | None = None,
        end: datetime.datetime | None = None,
        order: int | None = None,
        range: str | None = None,
        timeout: float | None = None,
    ) -> LogsStream[LogEntry]:
        """Iterate over a machine part's logs page by page, holding only a page or two in memory.

        The next page is requested while the current one is read. To stop early, close the stream with
        ``await entries.close()`` or leave its ``async with ... as entries:`` block.

        Args:
            robot_part_id: The part's id.
            filter: Keep only entries whose message contains this text; ``None`` or ``""`` (the default) keeps all.
            log_levels: The levels to keep; the default empty list keeps every level.
            num_log_entries: Stop after this many entries; 0 (the default) reads them all.
            page_size: How many entries to ask the server for per page (default: the server's page size).
            start: Only entries at or after this time (default: no lower bound).
            end: Only entries at or before this time (default: no upper bound).
            order: ``LogOrder.ASCENDING`` (1) for oldest first, ``LogOrder.DESCENDING`` (2) for newest first; ``None``
                (the default) leaves it to the server (newest first).
            range: A time range the server understands (for example ``"1h"``); ``None`` sends none.
            timeout: Seconds each page request may take (default: the client's timeout).

        Returns:
            A stream of :class:`LogEntry`.

        Raises:
            ArgumentError: If ``num_log_entries`` is negative, ``page_size`` is not positive or ``order`` is not a
                ``LogOrder`` value (raised before any call).
            TypeError: If an argument has the wrong type (``log_levels`` not a list of strings, ...).

        Example:
            ::

                async with client.iter_robot_part_logs("part-1", log_levels=["error"]) as entries:
                    async for entry in entries:
                        print(entry.time, entry.message)

        """
        optional_int("num_log_entries", num_log_entries)
        optional_int("page_size", page_size, minimum=1)
        request = _logs_request(robot_part_id, filter, log_levels, start, end, order, range, page_size)
        return LogsStream(self._pager(request, timeout).chunks(limit=num_log_entries))

    async def get_robot_part_logs(
        self,
        robot_part_id: str,
        filter: str | None = None,
        dest: str | None = None,
        log_levels: list[str] = [],  # noqa: B006  # the official default; never mutated
        num_log_entries: int = 100,
        start: datetime.datetime | None = None,
        end: datetime.datetime | None = None,
        order: int | None = None,
        range: str | None = None,
        *,
        timeout: float | None = None,
    ) -> list[LogEntry]:
        """Fetch a machine part's logs, optionally saving them to a file.

        Pages are fetched until ``num_log_entries`` entries are collected or the logs run out; each next page is
        requested as soon as the current one's page token is read, so the server answers while the client decodes
        (never a page past ``num_log_entries``).

        Args:
            robot_part_id: The part's id.
            filter: Keep only entries whose message contains this text; ``None`` or ``""`` (the default) keeps all.
            dest: A file path; when given, the entries are written there as well (JSON Lines for a ``.jsonl`` or
                ``.ndjson`` path, text lines otherwise).
            log_levels: The levels to keep; the default empty list keeps every level.
            num_log_entries: How many entries to return at most (default 100); 0 returns all of them. Fewer come back
                when the part has fewer logs.
            start: Only entries at or after this time (default: no lower bound).
            end: Only entries at or before this time (default: no upper bound).
            order: ``LogOrder.ASCENDING`` (1) for oldest first, ``LogOrder.DESCENDING`` (2) for newest first; ``None``
                (the default) leaves it to the server (newest first).
            range: A time range the server understands (for example ``"1h"``); ``None`` sends none.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The log entries.

        Raises:
            ArgumentError: If ``num_log_entries`` is negative or ``order`` is not a ``LogOrder`` value (raised
                before any call).
            TypeError: If an argument has the wrong type (``log_levels`` not a list of strings, ...).
            GRPCError: If the part id is invalid.

        Example:
            ::

                entries = await client.get_robot_part_logs(robot_part_id="part-1", num_log_entries=20)

        """
        optional_int("num_log_entries", num_log_entries)
        optional_text("dest", dest)
        request = _logs_request(robot_part_id, filter, log_levels, start, end, order, range, None)
        # The next page is requested as soon as this one's token is read, never past num_log_entries.
        entries = await self._pager(request, timeout).collect(limit=num_log_entries)
        if dest:
            export.write_logs(dest, entries)
        return entries

    def tail_robot_part_logs(
        self,
        robot_part_id: str,
        errors_only: bool = True,
        filter: str | None = None,
        *,
        timeout: float | None = None,
    ) -> LogsStream[list[LogEntry]]:
        """Follow a machine part's logs live, as they are produced.

        Args:
            robot_part_id: The part's id.
            errors_only: Whether to receive only error entries (default ``True``).
            filter: Keep only entries whose message contains this text; ``None`` or ``""`` (the default) keeps all.
            timeout: Seconds the whole tail may last before it fails with ``DeadlineExceededError``; unlike other
                calls, the default is no deadline at all, so the tail runs until it is closed.

        Returns:
            A stream of batches (lists) of new log entries, opened when the first batch is asked for; close it to
            stop following, as leaving the example's block does.

        Example:
            ::

                async with client.tail_robot_part_logs(robot_part_id="part-1") as stream:
                    async for batch in stream:  # each batch: a list of new entries
                        print([entry.message for entry in batch])

        """
        require_id("robot_part_id", robot_part_id)
        require_bool("errors_only", errors_only)
        optional_text("filter", filter)
        request = app_pb.TailRobotPartLogsRequest(id=robot_part_id, errors_only=errors_only, filter=filter or "")
        # A live tail has no deadline unless the caller gives one: the client's default would cut it off.
        return LogsStream(logs.tail(self._streams.tail_robot_part_logs(request=request, timeout=timeout)))


def _logs_request(  # the query's parameters, checked in one place for both methods
    robot_part_id: object,
    filter: object,
    log_levels: object,
    start: object,
    end: object,
    order: object,
    range: object,
    page_size: int | None,
) -> app_pb.GetRobotPartLogsRequest:
    """Check a logs query and build its first request.

    The filter and the page token are always set, as the official SDK sends them; order and range only when given.
    """
    require_id("robot_part_id", robot_part_id)
    optional_text("filter", filter)
    levels = text_list("log_levels", log_levels)
    optional_datetime("start", start)
    optional_datetime("end", end)
    optional_text("range", range)
    return app_pb.GetRobotPartLogsRequest(
        id=cast("str", robot_part_id),
        filter=cast("str | None", filter) or "",
        page_token="",
        levels=levels,
        start=cast("datetime.datetime | None", start),
        end=cast("datetime.datetime | None", end),
        limit=page_size,
        order=_log_order(order),
        range=cast("str | None", range),
    )


def _log_order(order: object) -> app_pb.LogOrder | None:
    if order is None:
        return None
    if isinstance(order, bool) or not isinstance(order, int):
        raise TypeError(f"order must be a LogOrder (int) or None, got {type(order).__name__}")
    return enum_member("order", order, app_pb.LogOrder)
