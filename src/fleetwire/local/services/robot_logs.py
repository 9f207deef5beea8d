"""Machine part logs: storage, paged queries (``GetRobotPartLogs``) and live tails (``TailRobotPartLogs``).

Entries are stored once per push, in one batch insert, with the part, time, level and message in indexed columns
and the whole entry as its wire bytes, so a query never rebuilds an entry field by field. Pages run over the
``(part_id, time_us, seq)`` index with a keyset cursor, so paging never skips or repeats an entry even while new
entries arrive.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, cast

from grpclib.server import Stream

from fleetwire_api.services import codec
from fleetwire_api.viam.app.v1 import (
    GetRobotPartLogsRequest,
    GetRobotPartLogsResponse,
    LogOrder,
    TailRobotPartLogsRequest,
    TailRobotPartLogsResponse,
)
from fleetwire_api.viam.common.v1 import LogEntry

from ..store.ids import decode_page_token, encode_page_token, invalid, now, require_id, require_text
from ..store.paging import cursor_int
from ..wire import Encoded, field_bytes, repeated_field
from .logbus import LogFilter

if TYPE_CHECKING:
    from ..context import Context

__all__ = (
    "DEFAULT_PAGE_SIZE",
    "ERROR_LEVELS",
    "MAX_ENTRIES_PER_PUSH",
    "MAX_PAGE_SIZE",
    "MAX_RANGE_SECONDS",
    "SCHEMA",
    "LogQuery",
    "LogRow",
    "PartLogsMixin",
    "insert_log_rows",
    "insert_logs",
    "log_filter",
    "log_rows",
    "page_bytes",
    "parse_range",
    "query_logs",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS robot_part_logs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    part_id TEXT NOT NULL REFERENCES robot_parts(id) ON DELETE CASCADE,
    time_us INTEGER NOT NULL,
    level TEXT NOT NULL,
    message TEXT NOT NULL,
    entry BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS robot_part_logs_part_time ON robot_part_logs(part_id, time_us, seq);
"""
"""The log table and its (part, time) index."""

ERROR_LEVELS = frozenset({"error", "dpanic", "panic", "fatal", "critical"})
"""Levels ``errors_only`` keeps (compared case-insensitively)."""

DEFAULT_PAGE_SIZE = 100
"""Entries per ``GetRobotPartLogs`` page when the request sets no ``limit``."""

MAX_PAGE_SIZE = 1000
"""Largest page a request's ``limit`` may ask for."""

MAX_ENTRIES_PER_PUSH = 10_000
"""Most entries one ``RobotService.Log`` call may carry."""

_MAX_LEVELS = 32
_ROWS_PER_INSERT = 199  # 5 parameters a row, within SQLite's oldest default limit of 999 per statement
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _micros(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_DURATION = re.compile(r"(?:[0-9]{1,9}[smhdw])+")
_DURATION_PART = re.compile(r"([0-9]+)([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}
MAX_RANGE_SECONDS = 100 * 366 * 86_400
"""Longest accepted ``range`` (about a century)."""


def parse_range(text: str) -> int:
    """Return the length in microseconds of a ``range`` duration; ``INVALID_ARGUMENT`` if it is not one.

    A duration is one or more ``<whole number><unit>`` groups, unit ``s``, ``m``, ``h``, ``d`` or ``w``
    (seconds to weeks), e.g. ``10m``, ``36h``, ``1d12h``; at most :data:`MAX_RANGE_SECONDS`.
    """
    if len(text) > 64 or not _DURATION.fullmatch(text):
        raise invalid(f"range {text[:64]!r} is not a duration such as 10m, 10h or 10d (units s, m, h, d, w)")
    seconds = sum(int(count) * _UNIT_SECONDS[unit] for count, unit in _DURATION_PART.findall(text))
    if seconds == 0 or seconds > MAX_RANGE_SECONDS:
        raise invalid(f"range {text!r} must be longer than 0 and at most {MAX_RANGE_SECONDS // 86_400} days")
    return seconds * 1_000_000


def _window(request: GetRobotPartLogsRequest, token: dict[str, Any] | None) -> tuple[int | None, int | None, bool]:
    """Return ``(start_us, end_us, from_now)`` of a request; ``from_now``: a ``range`` that ends at the call's time.

    ``range`` resolves against whichever of ``start`` and ``end`` is set; with neither, it is the span ending now,
    fixed by the first page: the following pages carry it in their token, so they page over the same window.
    """
    start_us = None if request.start is None else _micros(request.start)
    end_us = None if request.end is None else _micros(request.end)
    if not request.range:
        return start_us, end_us, False
    span = parse_range(request.range)
    if start_us is not None and end_us is not None:
        raise invalid("range cannot be used with both start and end")
    if start_us is not None:
        return start_us, start_us + span, False
    if end_us is not None:
        return end_us - span, end_us, False
    window = None if token is None else token.get("w")
    if isinstance(window, list) and len(cast("list[Any]", window)) == 2:
        first, last = cast("list[Any]", window)
        if isinstance(first, int) and isinstance(last, int) and last - first == span:
            return first, last, True
    if token is not None:
        raise invalid("page_token does not belong to this query")
    end_us = _micros(now())
    return end_us - span, end_us, True


def log_filter(errors_only: bool, text: str) -> LogFilter:
    """Build the per-subscriber filter of a tail: error levels only, and/or messages containing ``text``."""

    def accepts(entry: LogEntry) -> bool:
        if errors_only and entry.level.lower() not in ERROR_LEVELS:
            return False
        return text in entry.message

    return accepts


LogRow = tuple[str, int, str, str, bytes]
"""A ``robot_part_logs`` row to insert: part id, time (µs), level (lower case), message, the encoded entry."""


def log_rows(part_id: str, entries: Sequence[LogEntry], received: datetime) -> list[LogRow]:
    """Return the rows storing ``entries`` for ``part_id``; an entry without a time is given ``received``.

    The entries get the time they are stored with (a naive one is taken as UTC), as the live tails receive them.
    """
    rows: list[LogRow] = []
    for entry in entries:
        if entry.time is None:
            entry.time = received
        elif entry.time.tzinfo is None:
            entry.time = entry.time.replace(tzinfo=timezone.utc)
        rows.append((part_id, _micros(entry.time), entry.level.lower(), entry.message, codec.encode(entry)))
    return rows


def insert_log_rows(conn: sqlite3.Connection, rows: Sequence[LogRow]) -> None:
    """Store ``rows`` (from :func:`log_rows`) in one batch. Runs on the store thread."""
    # Multi-row INSERTs rather than executemany: one statement step per chunk instead of one per entry, and sqlite3
    # lets go of the GIL around every step, which the store thread must then win back from the busy event loop.
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        conn.execute(
            "INSERT INTO robot_part_logs (part_id, time_us, level, message, entry) VALUES "
            + ",".join(["(?, ?, ?, ?, ?)"] * len(chunk)),
            [value for row in chunk for value in row],
        )


def insert_logs(conn: sqlite3.Connection, part_id: str, entries: Sequence[LogEntry]) -> Sequence[LogEntry]:
    """Store ``entries`` for ``part_id`` in one batch (see :func:`log_rows`); return them as stored, in order.

    Runs on the store thread.
    """
    insert_log_rows(conn, log_rows(part_id, entries, now()))
    return entries


@dataclass(frozen=True)
class LogQuery:
    """A validated ``GetRobotPartLogs`` request."""

    part_id: str
    levels: frozenset[str]
    text: str
    start_us: int | None
    end_us: int | None
    ascending: bool
    limit: int
    after: tuple[int, int] | None
    matches_nothing: bool = False
    from_now: bool = False
    """The window is a ``range`` ending at the first page's time: the page tokens carry it (see ``_window``)."""

    @classmethod
    def parse(cls, request: GetRobotPartLogsRequest) -> LogQuery:
        """Validate ``request``; ``INVALID_ARGUMENT`` naming the offending field."""
        part_id = require_id(request.id, "id")
        if len(request.levels) > _MAX_LEVELS:
            raise invalid(f"levels has more than {_MAX_LEVELS} entries")
        levels = {require_text(level, "levels", max_length=32).strip().lower() for level in request.levels}
        levels.discard("")
        matches_nothing = False
        if request.errors_only:
            matches_nothing = bool(levels) and not levels & ERROR_LEVELS  # only non-error levels asked for
            levels = (levels & ERROR_LEVELS) if levels else set(ERROR_LEVELS)
        order = LogOrder.UNSPECIFIED if request.order is None else request.order
        if int(order) not in (0, 1, 2):
            raise invalid("order is not a valid LogOrder")
        ascending = order == LogOrder.ASCENDING
        limit = DEFAULT_PAGE_SIZE if not request.limit else request.limit
        if limit < 0:
            raise invalid("limit must not be negative")
        token = decode_page_token(request.page_token, "page_token") if request.page_token else None
        start_us, end_us, from_now = _window(request, token)
        if start_us is not None and end_us is not None and start_us > end_us:
            raise invalid("start is after end")
        after = None
        if token is not None:
            cursor_time, cursor_seq = cursor_int(token, "t"), cursor_int(token, "s")
            if token.get("p") != part_id or token.get("a") != ascending or cursor_time is None or cursor_seq is None:
                raise invalid("page_token does not belong to this query")
            after = (cursor_time, cursor_seq)
        return cls(
            part_id=part_id,
            levels=frozenset(levels),
            text=require_text(request.filter or "", "filter", max_length=4096),
            start_us=start_us,
            end_us=end_us,
            ascending=ascending,
            limit=min(limit, MAX_PAGE_SIZE),
            after=after,
            matches_nothing=matches_nothing,
            from_now=from_now,
        )


def query_logs(conn: sqlite3.Connection, query: LogQuery) -> tuple[list[bytes], str]:
    """One page of entries matching ``query``, as stored (encoded), and the token of the next page ("" if none).

    Runs on the store thread.
    """
    if query.matches_nothing:
        return [], ""
    clauses = ["part_id = ?"]
    params: list[object] = [query.part_id]
    if query.levels:
        clauses.append(f"level IN ({','.join('?' * len(query.levels))})")
        params.extend(sorted(query.levels))
    if query.text:
        clauses.append("instr(message, ?) > 0")
        params.append(query.text)
    if query.start_us is not None:
        clauses.append("time_us >= ?")
        params.append(query.start_us)
    if query.end_us is not None:
        clauses.append("time_us <= ?")
        params.append(query.end_us)
    if query.after is not None:
        clauses.append("(time_us, seq) > (?, ?)" if query.ascending else "(time_us, seq) < (?, ?)")
        params.extend(query.after)
    direction = "ASC" if query.ascending else "DESC"
    # Plain tuples rather than the connection's sqlite3.Row: a page is up to a thousand rows, read by position.
    cursor = conn.cursor()
    cursor.row_factory = None
    rows: list[tuple[bytes, int, int]] = cursor.execute(
        f"SELECT entry, time_us, seq FROM robot_part_logs WHERE {' AND '.join(clauses)} "
        f"ORDER BY time_us {direction}, seq {direction} LIMIT ?",
        [*params, query.limit + 1],
    ).fetchall()
    more = len(rows) > query.limit
    if more:
        del rows[query.limit :]
    entries = [row[0] for row in rows]
    token = ""
    if more and rows:
        _, time_us, seq = rows[-1]
        position: dict[str, Any] = {"p": query.part_id, "a": query.ascending, "t": int(time_us), "s": int(seq)}
        if query.from_now:
            position["w"] = [query.start_us, query.end_us]
        token = encode_page_token(position)
    return entries, token


def page_bytes(conn: sqlite3.Connection, query: LogQuery) -> Encoded:
    """Return the encoded ``GetRobotPartLogsResponse`` of one page (see :func:`query_logs`); on the store thread.

    Fields: logs = 1 (repeated LogEntry, each the stored bytes), next_page_token = 2 (left out when empty).
    """
    entries, token = query_logs(conn, query)
    return Encoded(repeated_field(1, entries, field_bytes(2, token.encode()) if token else b""))


class PartLogsMixin:
    """``GetRobotPartLogs`` and ``TailRobotPartLogs`` of the AppService."""

    ctx: Context

    async def get_robot_part_logs(
        self,
        request: GetRobotPartLogsRequest,
        stream: Stream[GetRobotPartLogsRequest, GetRobotPartLogsResponse],
    ) -> GetRobotPartLogsResponse:
        """One page of a part's logs, newest first unless ``order`` asks otherwise."""
        return codec.decode(GetRobotPartLogsResponse, await self.get_robot_part_logs_encoded(request, stream))

    async def get_robot_part_logs_encoded(self, request: GetRobotPartLogsRequest, stream: Stream[Any, Any]) -> Encoded:
        """:meth:`get_robot_part_logs`, answered in wire form: the page is assembled from the stored entries.

        The server serves ``GetRobotPartLogs`` with this (see ``LocalAppService.__mapping__``): the same bytes as
        encoding the decoded entries, without decoding and re-encoding each one.
        """
        caller = await self.ctx.caller(stream)
        query = LogQuery.parse(request)
        robot_id = await self.ctx.robot_of_part(query.part_id)
        await self.ctx.require(caller, "read_robot_logs", "robot", robot_id)
        return await self.ctx.store.read(lambda conn: page_bytes(conn, query))

    async def tail_robot_part_logs(
        self,
        request: TailRobotPartLogsRequest,
        stream: Stream[TailRobotPartLogsRequest, TailRobotPartLogsResponse],
    ) -> AsyncIterator[TailRobotPartLogsResponse]:
        """Stream the entries pushed to the part from now on, filtered for this subscriber, until it hangs up.

        The caller's right to read the part's logs is checked again whenever keys, roles or shares change: a
        revoked caller's tail ends with ``UNAUTHENTICATED`` or ``PERMISSION_DENIED``; so does one whose access
        token expires (``UNAUTHENTICATED``, at that moment).
        """
        part_id = require_id(request.id, "id")
        text = require_text(request.filter or "", "filter", max_length=4096)
        ctx = self.ctx

        async def check() -> None:
            caller = await ctx.authenticate(stream)  # the token again, not the one checked when the call began
            await ctx.require(caller, "read_robot_logs", "robot", await ctx.robot_of_part(part_id))

        expires = (await ctx.caller(stream)).expires
        async with (
            ctx.logs.subscribe(part_id, log_filter(request.errors_only, text)) as subscription,
            ctx.kept_authorized(check, subscription.revoke, expires=expires),
        ):
            # The part may have been deleted between the check and the subscription; then end at once.
            exists = await ctx.store.read(
                lambda conn: conn.execute("SELECT 1 FROM robot_parts WHERE id = ?", (part_id,)).fetchone() is not None
            )
            while exists:
                batch = await subscription.next_batch()
                if not batch:
                    return
                yield TailRobotPartLogsResponse(logs=batch)
