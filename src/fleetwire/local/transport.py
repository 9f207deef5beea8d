"""How every call reaches a handler: checked before its body is read, its body bounded, its errors made statuses.

For each call, before any handler code runs:

1. the caller is authenticated from the headers alone (``authorization: Bearer <token>``; for the RobotService,
   a part ``secret`` may stand in for it: it must be a secret of some part, and the part the body names must be
   that one), so the body of a call without valid credentials is never read, let alone decoded;
2. the request's 5-byte message prefix is read and its declared length checked against the server's
   ``max_request_size``: a longer message is refused with ``RESOURCE_EXHAUSTED`` before its bytes are taken from
   the connection (HTTP/2 flow control then holds the sender to the connection window, 4 MiB);
3. the body is decoded by the specialized decoders, on the event loop when it is small; a large one (a 4 MiB
   message of small values takes about a second of CPU) is decoded by :func:`~fleetwire.local.offload.off_loop`,
   its Struct fields (configs, metadata) and log entries kept in wire form for the handler (see ``wire``).
   Any body that does not decode (a truncated varint, invalid UTF-8, a message nested too deeply...) is
   ``INVALID_ARGUMENT`` with a one-line reason, logged at most once per connection per second.

Whatever a handler raises becomes a status: storage errors are translated (see :func:`_translate`), and during
shutdown a cancelled call ends ``UNAVAILABLE``; anything else is logged and ends ``INTERNAL``, never ``UNKNOWN``.

grpclib has no hook for reading the request itself: a call's ``recv_message`` is replaced by :func:`_receive`,
which reads the frames through the same private stream grpclib's own ``recv_message`` uses (grpclib is pinned at
0.4.9, as for the write coalescing of ``fleetwire_api.services._runtime``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
import struct
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

from grpclib.const import Handler, Status
from grpclib.exceptions import GRPCError
from grpclib.protocol import Connection
from grpclib.server import Stream

from fleetwire_api.services._codec import decode_fast

from .offload import off_loop
from .wire import decode_large

__all__ = (
    "DEFAULT_MAX_REQUEST_SIZE",
    "SHUTTING_DOWN",
    "Authenticate",
    "GuardedService",
    "check_max_request_size",
)

_log = logging.getLogger("fleetwire.local")

DEFAULT_MAX_REQUEST_SIZE = 4 * 1024 * 1024
"""Largest request message accepted by default (4 MiB, what gRPC servers commonly allow)."""

_MIN_MAX_REQUEST_SIZE = 1024
_OFF_LOOP_FROM = 64 * 1024
"""Bodies from this size on are decoded off the event loop (a 64 KiB body decodes in a few milliseconds)."""

SHUTTING_DOWN = "the local fleet server is shutting down"

Authenticate = Callable[[Stream[Any, Any]], Awaitable[object]]
"""A service's check of a call's headers, run before its body is read; raises ``UNAUTHENTICATED``."""


def check_max_request_size(value: object) -> int:
    """Validate a ``max_request_size`` option: an int of at least 1 KiB (``TypeError``/``ValueError`` otherwise)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"max_request_size must be an int (bytes), not {type(value).__name__}")
    if value < _MIN_MAX_REQUEST_SIZE:
        raise ValueError(f"max_request_size must be at least {_MIN_MAX_REQUEST_SIZE} bytes, got {value}")
    return value


class _Malformed(GRPCError):
    """A request whose bytes are not a valid message of its type."""

    def __init__(self, reason: str) -> None:
        super().__init__(Status.INVALID_ARGUMENT, f"malformed request: {reason}")


def _decode(message_type: type[Any], body: bytes, decoder: Callable[[type[Any], bytes], Any] = decode_fast) -> Any:
    """Decode ``body`` with a specialized decoder alone; any failure is :class:`_Malformed`, on one line.

    The specialized decoders handle every valid encoding (packed or not, fields in any order, unknown fields) and
    decline only malformed input. The generic parser they fall back to on the client side is not used here: it
    recurses again into a deeply nested body for seconds, and it accepts some malformed input into values of the
    wrong type (an int where a message belongs, which re-encodes as that many zero bytes).
    """
    try:
        return decoder(message_type, body)
    except RecursionError:
        raise _Malformed("the message is nested too deeply") from None
    except UnicodeDecodeError as exc:
        raise _Malformed(f"a string field is not valid UTF-8 (byte {exc.start} of the string)") from None
    except Exception:  # truncated, a wrong wire type, a length past the end: the sender's error
        name = getattr(message_type, "__name__", "request")
        raise _Malformed(f"the bytes are not a valid {name} (truncated, a wrong wire type or a bad length)") from None


async def _receive(stream: Stream[Any, Any], limit: int) -> Any:
    """Read and decode the next request message of ``stream`` (``None`` at the end), at most ``limit`` bytes."""
    frames = stream._stream  # pyright: ignore[reportPrivateUsage] - grpclib's own recv_message reads it too
    try:
        prefix = await frames.recv_data(5)
    except AssertionError:  # grpclib's buffer: the stream ended inside the prefix
        raise _Malformed("the stream ended inside a message's 5-byte prefix") from None
    if not prefix:
        return None
    if prefix[0]:
        raise _Malformed("compressed messages are not supported")
    size = int.from_bytes(prefix[1:5], "big")
    if size > limit:
        raise GRPCError(
            Status.RESOURCE_EXHAUSTED, f"the request message is {size} bytes; this server accepts at most {limit}"
        )
    try:
        body = await frames.recv_data(size)
    except AssertionError:
        raise _Malformed(f"the stream ended before the message's {size} bytes") from None
    if size < _OFF_LOOP_FROM:
        return _decode(stream._recv_type, body)  # pyright: ignore[reportPrivateUsage]
    return await off_loop(_decode, stream._recv_type, body, decode_large)  # pyright: ignore[reportPrivateUsage]


_LOG_INTERVAL = 1.0
_last_logged: weakref.WeakKeyDictionary[Connection, float] = weakref.WeakKeyDictionary()


def _log_malformed(stream: Stream[Any, Any], path: str, error: GRPCError) -> None:
    """Log a refused request on one line, at most once per connection per second (anyone can send bad bytes)."""
    connection = stream._stream.connection  # pyright: ignore[reportPrivateUsage]
    moment = time.monotonic()
    last = _last_logged.get(connection)
    if last is not None and moment - last < _LOG_INTERVAL:
        return
    _last_logged[connection] = moment
    _log.warning("refused %s from %s: %s", path, stream.peer.addr(), error.message)


def _translate(exc: Exception) -> GRPCError | None:
    """Return the status a storage-level failure stands for, so none escapes as ``INTERNAL``."""
    if isinstance(exc, sqlite3.IntegrityError):
        text = str(exc)
        if "UNIQUE" in text:
            return GRPCError(Status.ALREADY_EXISTS, "a resource with these unique values already exists")
        if "FOREIGN KEY" in text:
            return GRPCError(
                Status.FAILED_PRECONDITION, "the resource is still referenced by, or refers to, another one"
            )
        return GRPCError(Status.INVALID_ARGUMENT, "the request violates a constraint of the resource")
    if isinstance(exc, OverflowError | struct.error):  # a number too large for its field's type
        return GRPCError(Status.INVALID_ARGUMENT, "a numeric field is out of range")
    if isinstance(exc, RecursionError):
        return GRPCError(Status.INVALID_ARGUMENT, "the request is nested too deeply")
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return GRPCError(Status.UNAVAILABLE, "the database is busy, retry")
    return None


def _guard(
    func: Callable[[Stream[Any, Any]], Awaitable[None]],
    path: str,
    authenticate: Authenticate | None,
    limit: int,
    closing: asyncio.Event,
) -> Callable[[Stream[Any, Any]], Awaitable[None]]:
    async def guarded(stream: Stream[Any, Any]) -> None:
        if closing.is_set():
            raise GRPCError(Status.UNAVAILABLE, SHUTTING_DOWN)
        try:
            if authenticate is not None:
                await authenticate(stream)
            stream.recv_message = functools.partial(_receive, stream, limit)
            await func(stream)
        except _Malformed as exc:
            _log_malformed(stream, path, exc)
            raise
        except GRPCError:
            raise
        except asyncio.CancelledError:
            # grpclib cancels running handlers on close and, for a cancelled task, sends nothing: a live tail would
            # wait forever. During shutdown, end the call with a status the client can act on instead.
            if closing.is_set():
                raise GRPCError(Status.UNAVAILABLE, SHUTTING_DOWN) from None
            raise
        except Exception as exc:
            translated = _translate(exc)
            if translated is None:
                _log.exception("unexpected error in %s", path)
                raise GRPCError(Status.INTERNAL, "the server failed to handle the call") from exc
            raise translated from exc

    return guarded


class GuardedService:
    """A servable wrapping every handler of ``service`` as this module describes.

    ``authenticate`` checks a call's headers before its body is read (``None``: the service needs no credentials,
    as the AuthService that hands them out); ``max_request_size`` bounds each request message.
    """

    def __init__(
        self, service: Any, *, authenticate: Authenticate | None, max_request_size: int, closing: asyncio.Event
    ) -> None:
        """Wrap ``service`` (any grpclib servable)."""
        self._service = service
        self._authenticate = authenticate
        self._limit = max_request_size
        self._closing = closing

    def __mapping__(self) -> dict[str, Handler]:
        """Return the service's handlers, each guarded."""
        mapping: Mapping[str, Handler] = self._service.__mapping__()
        guarded: dict[str, Handler] = {}
        for path, handler in mapping.items():
            func, cardinality, request_type, reply_type = cast("tuple[Any, Any, Any, Any]", handler)
            wrapped = _guard(func, path, self._authenticate, self._limit, self._closing)
            guarded[path] = Handler(wrapped, cardinality, request_type, reply_type)
        return guarded
