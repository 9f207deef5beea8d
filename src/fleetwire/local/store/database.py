"""SQLite state of the local fleet server, accessed from one dedicated worker thread.

Every read and write runs on a single thread that owns the connection, so the event loop never blocks on
SQLite and the connection is never shared between threads. A write is one transaction (``BEGIN IMMEDIATE`` ...
``COMMIT``; ``ROLLBACK`` on any exception) and its result is handed back only after the commit, so an
acknowledged write is durable (WAL + ``synchronous=FULL``) and a failed one leaves nothing half-written.

The hand-off between the loop and the thread is batched: the thread takes every job queued so far, runs them in
order, and wakes the loop once for the whole batch. Under load, one wake-up (a self-pipe write and a loop
iteration) serves many calls instead of one each, which is most of the cost of a fast query.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from .files import DatabaseClaim, claim_database

__all__ = ("Store",)

T = TypeVar("T")

_log = logging.getLogger("fleetwire.local")

_BUSY_TIMEOUT_MS = 30_000

_Job = tuple[Callable[[], Any], "asyncio.Future[Any]"]


def _stop() -> None:
    """Mark the last job :meth:`Store.close` queues: the thread closes the connection and exits after it."""


class Store:
    """The server's SQLite database: ``await read(fn)`` / ``await write(fn)`` run ``fn(conn)`` off the event loop."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        jobs: queue.SimpleQueue[_Job],
        thread: threading.Thread,
        path: str,
        watch: str | None,
        claim: DatabaseClaim | None = None,
    ) -> None:
        """Wrap an open connection owned by ``thread`` (fed from ``jobs``); use :meth:`open` instead."""
        self._conn = conn
        self._jobs = jobs
        self._thread = thread
        self._watch = watch
        self._claim = claim
        self._closed = False
        self._epoch_waiters: list[asyncio.Future[None]] = []
        self.path = path
        """The database file, or ``":memory:"``."""
        self.loose_files: tuple[str, ...] = claim.loose if claim is not None else ()
        """The database files found readable or writable by others at start, one line each (see ``files``)."""
        self.epoch = 0
        """The value of the ``watch`` query after the last committed write (0 without one): see :meth:`open`."""
        if watch is not None:
            self.epoch = int(conn.execute(watch).fetchone()[0])

    @classmethod
    async def open(
        cls,
        path: str | Path | None,
        schemas: Iterable[str] = (),
        *,
        watch: str | None = None,
        added_columns: Iterable[tuple[str, str, str]] = (),
    ) -> Store:
        """Open (creating if needed) the database at ``path`` (``None``: in memory) and apply ``schemas``.

        ``added_columns``: ``(table, column, declaration)`` of the columns the schemas gained after their tables were
        first created; a database made before has them added (``ALTER TABLE``), empty.

        ``watch``: a query returning one integer, run at the end of every write transaction; its value becomes
        :attr:`epoch`, so a cache of answers derived from the database can tell when it must forget them (the
        schemas keep the counter it reads up to date, with triggers).

        A file database is created mode 0600 and locked for this store until :meth:`close`
        (:class:`~fleetwire.local.store.files.DatabaseInUseError` if another server holds it).
        """
        target = ":memory:" if path is None else str(path)
        claim = claim_database(Path(path)) if path is not None else None
        for line in claim.loose if claim is not None else ():
            _log.warning("%s", line)  # reported, not changed: see ``files``
        scripts = list(schemas)
        additions = list(added_columns)
        jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        loop = asyncio.get_running_loop()
        opened: asyncio.Future[Store] = loop.create_future()

        def connect() -> sqlite3.Connection:
            conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
            try:
                conn.row_factory = sqlite3.Row
                conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
                if path is not None:
                    conn.execute("PRAGMA journal_mode = WAL")
                # FULL, not NORMAL: in WAL mode NORMAL already survives a crash of the process (kill -9), but
                # not a power loss or OS crash; the benchmarked in-memory store pays nothing for it either way.
                conn.execute("PRAGMA synchronous = FULL")
                conn.execute("PRAGMA foreign_keys = ON")
                for script in scripts:
                    conn.executescript(script)
                for table, column, declaration in additions:
                    if column not in {info[1] for info in conn.execute(f"PRAGMA table_info({table})")}:
                        conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
            except BaseException:
                conn.close()
                raise
            return conn

        def main() -> None:
            conn: sqlite3.Connection | None = None
            try:
                conn = connect()
                store = cls(conn, jobs, threading.current_thread(), target, watch, claim)
            except BaseException as exc:
                if conn is not None:
                    conn.close()  # handed to the opener, which re-raises it
                loop.call_soon_threadsafe(_settle, opened, None, exc)
                return
            loop.call_soon_threadsafe(_settle, opened, store, None)
            store._serve(loop)

        thread = threading.Thread(target=main, name="fleetwire-sqlite", daemon=True)
        thread.start()
        try:
            return await opened
        except BaseException:
            if claim is not None:
                claim.release()
            raise

    async def changed(self, since: int) -> None:
        """Return once :attr:`epoch` differs from ``since`` (at once if it already does)."""
        while self.epoch == since:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._epoch_waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in self._epoch_waiters:
                    self._epoch_waiters.remove(waiter)

    def _announce(self) -> None:
        """On the loop, after a write moved the epoch: wake every :meth:`changed` waiter."""
        waiters, self._epoch_waiters = self._epoch_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

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
            epoch = int(conn.execute(self._watch).fetchone()[0]) if self._watch is not None else 0
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        # Set before the result is handed back, so the caller (and anyone it answers) sees the new epoch.
        self.epoch = epoch
        return result

    def _run(self, call: Callable[[], T]) -> asyncio.Future[T]:
        if self._closed:
            raise RuntimeError("the store is closed")
        # A plain future, not shielded by anything: a cancelled caller (client hung up) cancels only its wait;
        # the thread still runs the job (finishing or rolling back the transaction) and drops its result.
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._jobs.put((call, future))
        return future

    def _serve(self, loop: asyncio.AbstractEventLoop) -> None:
        """Run queued jobs in order on the database thread, waking the loop once per batch, until :func:`_stop`."""
        jobs = self._jobs
        stop = False
        while not stop:
            batch = [jobs.get()]
            while not jobs.empty():
                batch.append(jobs.get_nowait())
            epoch = self.epoch
            done: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
            for call, future in batch:
                if call is _stop:
                    stop = True
                    self._conn.close()
                try:
                    done.append((future, call(), None))
                except BaseException as exc:  # every failure goes back to its caller
                    done.append((future, None, exc))
            try:
                loop.call_soon_threadsafe(_deliver, done, self._announce if self.epoch != epoch else None)
            except RuntimeError:  # the loop is closed: nobody is waiting any more
                return

    async def close(self) -> None:
        """Close the connection (checkpointing the WAL) and stop the database thread; idempotent."""
        if self._closed:
            return
        self._closed = True
        # Queued calls run first (the queue is FIFO); the thread closes the connection and exits after them.
        loop = asyncio.get_running_loop()
        stopped: asyncio.Future[None] = loop.create_future()
        self._jobs.put((_stop, stopped))
        await asyncio.shield(stopped)
        await loop.run_in_executor(None, self._thread.join)
        if self._claim is not None:
            self._claim.release()


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the caller stopped waiting
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _deliver(
    done: list[tuple[asyncio.Future[Any], Any, BaseException | None]], announce: Callable[[], None] | None
) -> None:
    """On the loop: hand every finished job of a batch its result, then wake epoch waiters if it moved."""
    for future, result, error in done:
        _settle(future, result, error)
    if announce is not None:
        announce()
