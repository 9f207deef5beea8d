"""Run the local fleet server in the foreground until told to stop (the engine of ``fleetwire serve``)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import signal
import socket
import sys
import tempfile
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .bootstrap import DEFAULT_EMAIL, bootstrap
from .context import Context
from .server import open_listener, open_store, start_server
from .services.logbus import LogBus
from .transport import DEFAULT_MAX_REQUEST_SIZE

__all__ = ("ServeOptions", "serve", "write_credentials")


@dataclass(frozen=True)
class ServeOptions:
    """What ``fleetwire serve`` was asked for."""

    db: Path | None
    host: str = "127.0.0.1"
    port: int = 8080
    credentials: Path | None = None
    new_key: bool = False
    email: str = DEFAULT_EMAIL
    max_request_size: int = DEFAULT_MAX_REQUEST_SIZE


def write_credentials(path: Path, url: str, api_key_id: str, api_key: str) -> None:
    """Write ``{"url", "api_key_id", "api_key"}`` to ``path`` atomically, readable by the owner only (0600)."""
    path = path.expanduser()
    directory = path.parent if str(path.parent) else Path()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"url": url, "api_key_id": api_key_id, "api_key": api_key}, out, indent=2)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


async def serve(options: ServeOptions, out: TextIO = sys.stdout) -> None:
    """Serve until SIGINT or SIGTERM, printing how to connect once; return after a clean shutdown.

    The port is bound before the database is opened: a busy port must not leave behind a freshly bootstrapped
    database whose key was never shown.
    """
    with open_listener(options.host, options.port) as sock:  # closed here if anything below fails before serving
        await _serve_on(sock, options, out)


async def _serve_on(sock: socket.socket, options: ServeOptions, out: TextIO) -> None:
    store = await open_store(options.db)
    try:
        want_key = options.new_key or options.credentials is not None
        creds = await bootstrap(store, email=options.email, new_key=want_key)
        ctx = Context(store, LogBus())
        port = int(sock.getsockname()[1])
        server = await start_server(ctx, sock=sock, max_request_size=options.max_request_size)
        # What start-up built (modules, generated classes) lives as long as the process: keep it out of the cyclic
        # collector's full passes, which hold the interpreter in whatever thread runs them. A large request's
        # objects then trigger passes over themselves alone (about 20 ms, not 50, of loop stall for a 400 KB config).
        gc.freeze()
        try:
            host = f"[{options.host}]" if ":" in options.host else options.host
            address = f"{host}:{port}"
            if options.credentials is not None and creds.api_key_id and creds.api_key:
                write_credentials(options.credentials, address, creds.api_key_id, creds.api_key)
            with _stop_signals() as stop:  # installed before announcing, so an early Ctrl-C is not lost
                _announce(
                    out, options, address, creds.api_key_id, creds.api_key, creds.organization_id, creds.location_id
                )
                await stop.wait()
            out.write("fleetwire: stopping\n")
            out.flush()
        finally:
            await ctx.logs.close()
            await server.shutdown()
    finally:
        await store.close()


def _announce(
    out: TextIO,
    options: ServeOptions,
    address: str,
    key_id: str | None,
    key: str | None,
    org_id: str,
    location_id: str,
) -> None:
    lines = [
        f"fleetwire local fleet server listening on {address}",
        f"  database:        {options.db if options.db is not None else 'in memory (lost on exit)'}",
        f"  organization id: {org_id}",
        f"  location id:     {location_id}",
    ]
    if key_id and key:
        lines += [f"  API key id:      {key_id}", f"  API key:         {key}   (shown once; stored hashed)"]
    else:
        lines += ["  API keys:        unchanged (use the key you were given; --new-key mints a fresh owner key)"]
    if options.credentials is not None and key:
        lines.append(f"  credentials:     {options.credentials} (mode 0600)")
    lines.append("Press Ctrl-C to stop.")
    out.write("\n".join(lines) + "\n")
    out.flush()


@contextlib.contextmanager
def _stop_signals() -> Generator[asyncio.Event, None, None]:
    """Yield an event set by SIGINT or SIGTERM while the block runs (where the platform supports it)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError):  # not the main thread, or a platform without it
            pass
    try:
        yield stop
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
