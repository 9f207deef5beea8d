"""Calls with request bytes chosen by the test: whatever a hostile client can put on the wire."""

from __future__ import annotations

from typing import Any

from grpclib.client import Channel
from grpclib.const import Cardinality, Status
from grpclib.encoding.base import CodecBase
from grpclib.exceptions import GRPCError, StreamTerminatedError


def varint(value: int) -> bytes:
    """``value`` as a protobuf varint (above 2**64: longer than any valid one)."""
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def field(number: int, payload: bytes) -> bytes:
    """A length-delimited field: key, length, ``payload``."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


class BytesCodec(CodecBase):
    """Sends ``bytes`` as the message body and hands back each response body undecoded."""

    @property
    def __content_subtype__(self) -> str:
        """Plain protobuf on the wire."""
        return "proto"

    def encode(self, message: Any, message_type: Any) -> bytes:
        """The body exactly as given."""
        return bytes(message)

    def decode(self, data: bytes, message_type: Any) -> bytes:
        """The response body as received."""
        return bytes(data)


def raw_channel(host: str, port: int) -> Channel:
    """A loopback channel that sends bodies as given."""
    return Channel(host, port, codec=BytesCodec())


async def raw_call(
    channel: Channel,
    path: str,
    body: bytes,
    *,
    metadata: dict[str, str] | None = None,
    streaming: bool = False,
    timeout: float = 10.0,
) -> tuple[Status, str, list[bytes]]:
    """Send ``body`` to ``path``; return the status, its message and the response bodies received.

    ``streaming``: a server-streaming RPC; its first answer (or its end) is all that is waited for, and a stream
    still open then is cancelled (reported as ``OK`` with what arrived).
    """
    cardinality = Cardinality.UNARY_STREAM if streaming else Cardinality.UNARY_UNARY
    replies: list[bytes] = []
    try:
        async with channel.request(path, cardinality, bytes, bytes, timeout=timeout, metadata=metadata) as stream:
            await stream.send_message(body, end=True)
            reply = await stream.recv_message()
            if reply is not None:
                replies.append(reply)
                if streaming:
                    await stream.cancel()
                    return Status.OK, "", replies
            if not streaming:
                await stream.recv_trailing_metadata()
    except GRPCError as exc:
        return exc.status, exc.message or "", replies
    except StreamTerminatedError as exc:
        return Status.CANCELLED, f"stream terminated: {exc}", replies
    return Status.OK, "", replies
