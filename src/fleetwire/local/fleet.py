"""``LocalFleet``: the local fleet server in-process, as an async or a blocking context manager."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from pathlib import Path
from types import TracebackType

from .auth.authentication import TOKEN_LIFETIME, check_token_lifetime
from .bootstrap import DEFAULT_EMAIL, Credentials, bootstrap
from .context import Context
from .server import FleetServer, open_listener, open_store, start_server
from .services.logbus import LogBus
from .transport import DEFAULT_MAX_REQUEST_SIZE, check_max_request_size

__all__ = ("LocalFleet",)


class LocalFleet:
    """A fleet server on loopback backed by SQLite (``db``: a file path, or ``None`` for a fresh in-memory database).

    ``async with LocalFleet() as fleet:`` runs it in the current event loop; ``with LocalFleet() as fleet:`` runs it
    in a thread of its own. Once started it describes how to connect: ``address`` ("127.0.0.1:PORT"), ``api_key_id``
    and ``api_key`` (an owner key of ``organization_id``; a fresh one is minted on every start), ``location_id``,
    ``user_id`` and ``user_email``.
    """

    def __init__(
        self,
        db: str | Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        email: str = DEFAULT_EMAIL,
        max_request_size: int = DEFAULT_MAX_REQUEST_SIZE,
        token_lifetime: timedelta = TOKEN_LIFETIME,
    ) -> None:
        """Describe the fleet; nothing runs until it is entered (or :meth:`start` is awaited).

        ``max_request_size``: the largest request message the server accepts, in bytes (default 4 MiB); a larger
        one is refused with ``RESOURCE_EXHAUSTED`` before it is read. ``token_lifetime``: how long an access token
        the server hands out stays valid (default 7 days; a positive ``timedelta``); calls with an expired token
        are ``UNAUTHENTICATED``, and an open log tail ends at the moment its token expires.
        """
        self.db = db
        self.host = host
        self.port = port
        self.max_request_size = check_max_request_size(max_request_size)
        self.token_lifetime = check_token_lifetime(token_lifetime)
        self._email = email
        self._credentials: Credentials | None = None
        self._ctx: Context | None = None
        self._server: FleetServer | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        """Where the fleet serves (never its key)."""
        state = f"address={self.address!r}" if self._server is not None else "stopped"
        return f"LocalFleet(db={self.db!r}, {state})"

    def _started(self) -> Credentials:
        if self._credentials is None:
            raise RuntimeError("the LocalFleet is not running; enter it with `with` or `async with` first")
        return self._credentials

    @property
    def address(self) -> str:
        """``host:port`` the server listens on."""
        self._started()
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def api_key_id(self) -> str:
        """Id of the owner API key minted at start."""
        key_id = self._started().api_key_id
        assert key_id is not None  # LocalFleet always mints a key
        return key_id

    @property
    def api_key(self) -> str:
        """The owner API key minted at start (keep it secret)."""
        key = self._started().api_key
        assert key is not None
        return key

    @property
    def organization_id(self) -> str:
        """The bootstrap organization."""
        return self._started().organization_id

    @property
    def location_id(self) -> str:
        """The bootstrap location (in :attr:`organization_id`)."""
        return self._started().location_id

    @property
    def user_id(self) -> str:
        """The bootstrap user, owner of :attr:`organization_id`."""
        return self._started().user_id

    @property
    def user_email(self) -> str:
        """Email of the bootstrap user."""
        return self._started().user_email

    @property
    def context(self) -> Context:
        """The server's context (store and log bus), for tests that look behind the API."""
        if self._ctx is None:
            raise RuntimeError("the LocalFleet is not running")
        return self._ctx

    def credentials(self) -> dict[str, str]:
        """``{"url", "api_key_id", "api_key"}``: what a client needs to connect."""
        return {"url": self.address, "api_key_id": self.api_key_id, "api_key": self.api_key}

    async def start(self) -> None:
        """Open the database, bootstrap it, and start serving in the running event loop."""
        if self._server is not None:
            raise RuntimeError("the LocalFleet is already running")
        store = await open_store(self.db)
        try:
            credentials = await bootstrap(store, email=self._email, new_key=True)
            ctx = Context(store, LogBus())
            sock = open_listener(self.host, self.port)
            try:
                server = await start_server(
                    ctx, sock=sock, max_request_size=self.max_request_size, token_lifetime=self.token_lifetime
                )
            except BaseException:
                sock.close()
                raise
        except BaseException:
            await store.close()
            raise
        self.port = int(sock.getsockname()[1])
        self._credentials, self._ctx, self._server = credentials, ctx, server

    async def stop(self) -> None:
        """Stop serving (ending live log tails), and close the database; idempotent."""
        server, ctx = self._server, self._ctx
        self._server = None
        if server is None or ctx is None:
            return
        await ctx.logs.close()
        await server.shutdown()
        await ctx.store.close()
        self._ctx = None

    async def __aenter__(self) -> LocalFleet:
        """Start in the current event loop."""
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop."""
        await self.stop()

    def __enter__(self) -> LocalFleet:
        """Start in a new thread running its own event loop."""
        if self._thread is not None:
            raise RuntimeError("the LocalFleet is already running")
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="fleetwire-local-fleet", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.start(), loop).result()
        except BaseException:
            self._halt(loop, thread)
            raise
        self._loop, self._thread = loop, thread
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop the server and its thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._loop = self._thread = None
        try:
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result()
        finally:
            self._halt(loop, thread)

    @staticmethod
    def _halt(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
