"""A machine part's logs: one read, a paged iterator and a live tail."""

from __future__ import annotations

import functools

from .. import export, logs
from .._wire import app_pb
from ..errors import ArgumentError
from ..logs import LogsStream
from ..models import LogEntry
from .base import ClientBase, check_log_levels, require_id

_GET_ROBOT_PART_LOGS = "/viam.app.v1.AppService/GetRobotPartLogs"


class PartLogMethods(ClientBase):
    """A machine part's logs: one read, a paged iterator and a live tail."""

    async def _log_page(
        self,
        robot_part_id: str,
        filter: str | None,
        log_levels: list[str],
        page_token: str,
        page_size: int | None,
        timeout: float | None,
    ) -> bytes:
        """Fetch one page of logs as its wire bytes (filter and page token always set, as the official SDK sends them).

        The pager reads the next page token from the bytes and requests that page before decoding this one.
        """
        request = app_pb.GetRobotPartLogsRequest(
            id=robot_part_id, filter=filter or "", page_token=page_token, levels=list(log_levels), limit=page_size
        )
        rpc = functools.partial(self.raw.unary_unary_bytes, _GET_ROBOT_PART_LOGS)
        return await self._read(rpc, request, timeout)

    def _pager(
        self,
        robot_part_id: str,
        filter: str | None,
        log_levels: list[str],
        *,
        page_size: int | None,
        timeout: float | None,
    ) -> logs.LogPager:
        async def fetch(token: str) -> bytes:
            return await self._log_page(robot_part_id, filter, log_levels, token, page_size, timeout)

        return logs.LogPager(fetch)

    def iter_robot_part_logs(
        self,
        robot_part_id: str,
        filter: str | None = None,
        log_levels: list[str] = [],  # noqa: B006  # same default as get_robot_part_logs; never mutated
        *,
        num_log_entries: int = 0,
        page_size: int | None = None,
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
            timeout: Seconds each page request may take (default: the client's timeout).

        Returns:
            A stream of :class:`LogEntry`.

        Raises:
            ArgumentError: If ``num_log_entries`` is negative or ``page_size`` is not positive (raised before any
                call).
            TypeError: If ``log_levels`` is not a list of strings.

        Example:
            ::

                async with client.iter_robot_part_logs("part-1", log_levels=["error"]) as entries:
                    async for entry in entries:
                        print(entry.time, entry.message)

        """
        require_id("robot_part_id", robot_part_id)
        check_log_levels(log_levels)
        if num_log_entries < 0:
            raise ArgumentError("num_log_entries must be at least 0 (0 returns all logs)")
        if page_size is not None and page_size <= 0:
            raise ArgumentError("page_size must be positive")
        pager = self._pager(robot_part_id, filter, log_levels, page_size=page_size, timeout=timeout)
        return LogsStream(pager.chunks(limit=num_log_entries))

    async def get_robot_part_logs(
        self,
        robot_part_id: str,
        filter: str | None = None,
        dest: str | None = None,
        log_levels: list[str] = [],  # noqa: B006  # the official default; never mutated
        num_log_entries: int = 100,
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
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The log entries.

        Raises:
            ArgumentError: If ``num_log_entries`` is negative (raised before any call).
            TypeError: If ``log_levels`` is not a list of strings.
            GRPCError: If the part id is invalid.

        Example:
            ::

                entries = await client.get_robot_part_logs(robot_part_id="part-1", num_log_entries=20)

        """
        require_id("robot_part_id", robot_part_id)
        check_log_levels(log_levels)
        if num_log_entries < 0:
            raise ArgumentError("num_log_entries must be at least 0 (0 returns all logs)")
        # The next page is requested as soon as this one's token is read, never past num_log_entries.
        pager = self._pager(robot_part_id, filter, log_levels, page_size=None, timeout=timeout)
        entries = await pager.collect(limit=num_log_entries)
        if dest:
            export.write_logs(dest, entries)
        return entries

    async def tail_robot_part_logs(
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
            A stream of batches (lists) of new log entries; close it to stop following.

        Example:
            ::

                stream = await client.tail_robot_part_logs(robot_part_id="part-1")
                batch = await stream.next()  # the next list of new entries
                await stream.close()

        """
        require_id("robot_part_id", robot_part_id)
        request = app_pb.TailRobotPartLogsRequest(id=robot_part_id, errors_only=errors_only, filter=filter or "")
        # A live tail has no deadline unless the caller gives one: the client's default would cut it off.
        return LogsStream(logs.tail(self._streams.tail_robot_part_logs(request=request, timeout=timeout)))
