"""A transport wrapper that sends everything a connection writes during one event-loop iteration in one go.

grpclib writes each HTTP/2 frame group as soon as h2 produces it: a unary answer is three writes (headers, data,
trailers), each one ``send`` system call and, on the other end, one wake-up and one ``recv``. Gathering the writes
of one loop iteration and sending them together at the start of the next costs no latency (the loop does not wait
in between) and cuts those calls to one per connection per iteration, however many answers are ready.
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ("CoalescingTransport",)


class CoalescingTransport(asyncio.Transport):
    """``transport``, with writes held until the next loop iteration and sent as one (see the module docstring)."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        """Wrap ``transport`` of a connection served by ``loop``."""
        super().__init__()
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes | bytearray | memoryview] = []
        self._pending_size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:  # pyright: ignore[reportIncompatibleMethodOverride]
        """Queue ``data``; it is sent, after what was queued before, at the next loop iteration."""
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(data)
        self._pending_size += len(data)

    def _flush(self) -> None:
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        self._pending_size = 0
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        """Send what is queued, then close (the wrapped transport sends its own buffer before closing)."""
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        """Drop what is queued and close at once."""
        self._pending.clear()
        self._pending_size = 0
        self._transport.abort()

    def is_closing(self) -> bool:
        """Whether the connection is closing or closed."""
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """Return the wrapped transport's extra info (``socket``, ``peername``, ...)."""
        return self._transport.get_extra_info(name, default)

    def get_write_buffer_size(self) -> int:
        """Bytes queued here and in the wrapped transport's buffer."""
        return self._pending_size + self._transport.get_write_buffer_size()

    def get_write_buffer_limits(self) -> tuple[int, int]:
        """Return the wrapped transport's flow-control limits."""
        return self._transport.get_write_buffer_limits()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        """Set the wrapped transport's flow-control limits."""
        self._transport.set_write_buffer_limits(high, low)

    def can_write_eof(self) -> bool:
        """Whether the wrapped transport can half-close."""
        return self._transport.can_write_eof()

    def write_eof(self) -> None:
        """Send what is queued, then half-close."""
        self._flush()
        self._transport.write_eof()

    def is_reading(self) -> bool:
        """Whether the wrapped transport is receiving."""
        return self._transport.is_reading()

    def pause_reading(self) -> None:
        """Stop receiving until :meth:`resume_reading`."""
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        """Receive again."""
        self._transport.resume_reading()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        """Hand the wrapped transport's events to ``protocol``."""
        self._transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        """Return the protocol receiving the wrapped transport's events."""
        return self._transport.get_protocol()
