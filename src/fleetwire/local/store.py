"""SQLite state of the local fleet server, accessed from one dedicated worker thread.

Every read and write runs on a single thread that owns the connection, so the event loop never blocks on
SQLite and the connection is never shared between threads. A write is one transaction (``BEGIN IMMEDIATE`` ...
``COMMIT``; ``ROLLBACK`` on any exception) and its result is handed back only after the commit, so an
acknowledged write is durable (WAL + ``synchronous=FULL``) and a failed one leaves nothing half-written.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

__all__ = ("Store",)

T = TypeVar("T")

_BUSY_TIMEOUT_MS = 30_000


class Store:
    """The server's SQLite database: ``await read(fn)`` / ``await write(fn)`` run ``fn(conn)`` off the event loop."""

    def __init__(self, conn: sqlite3.Connection, executor: concurrent.futures.ThreadPoolExecutor, path: str) -> None:
        """Wrap an open connection owned by ``executor``'s single thread; use :meth:`open` instead."""
        self._conn = conn
        self._executor = executor
        self._closed = False
        self.path = path
        """The database file, or ``":memory:"``."""

    @classmethod
    async def open(cls, path: str | Path | None, schemas: Iterable[str] = ()) -> Store:
        """Open (creating if needed) the database at ``path`` (``None``: in memory) and apply ``schemas``."""
        target = ":memory:" if path is None else str(path)
        executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="fleetwire-sqlite")
        scripts = list(schemas)

        def connect() -> sqlite3.Connection:
            conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
            try:
                conn.row_factory = sqlite3.Row
                conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
                if path is not None:
                    conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
                conn.execute("PRAGMA foreign_keys = ON")
                for script in scripts:
                    conn.executescript(script)
            except BaseException:
                conn.close()
                raise
            return conn

        loop = asyncio.get_running_loop()
        try:
            conn = await loop.run_in_executor(executor, connect)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(conn, executor, target)

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn(conn)`` on the database thread and return its result (no transaction is opened)."""
        return await self._run(lambda: fn(self._conn))

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn(conn)`` in one transaction on the database thread; return its result after ``COMMIT``.

        Any exception raised by ``fn`` rolls the whole transaction back and propagates unchanged.
        """
        return await self._run(lambda: self._transaction(fn))

    def _transaction(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    async def _run(self, call: Callable[[], T]) -> T:
        if self._closed:
            raise RuntimeError("the store is closed")
        loop = asyncio.get_running_loop()
        # Shielded: a cancelled caller (client hung up) must not cancel the executor future; the thread
        # finishes or rolls back the transaction either way.
        future = loop.run_in_executor(self._executor, call)
        return await asyncio.shield(future)

    async def close(self) -> None:
        """Close the connection (checkpointing the WAL) and stop the database thread; idempotent."""
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        # Queued calls run first (the executor is FIFO); the thread is idle once the close has run.
        await loop.run_in_executor(self._executor, self._conn.close)
        self._executor.shutdown(wait=True)
