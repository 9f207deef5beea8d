"""Answers the server sends already in wire form, and the codec that lets them through.

Log entries are stored as their encoded bytes. Decoding them into messages only to encode them again for the
answer costs far more than the query; an embedded message on the wire is just its tag, its length and its bytes,
so a page of logs can be assembled from the stored bytes directly. A handler that does this answers an
:class:`Encoded` value, declared as its reply type, and :class:`ServerCodec` sends those bytes as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fleetwire_api.services import FastCodec

__all__ = ("Encoded", "ServerCodec", "field_bytes", "field_header", "repeated_field")


class Encoded(bytes):
    """A whole message, already serialized; the reply type of a handler that answers in wire form."""


class ServerCodec(FastCodec):
    """:class:`FastCodec`, sending :class:`Encoded` answers unchanged."""

    def encode(self, message: Any, message_type: Any) -> bytes:
        """Serialize ``message`` as :class:`FastCodec` does; an :class:`Encoded` one is sent as it is."""
        if message_type is Encoded:
            if not isinstance(message, Encoded):
                raise TypeError(f"Message must be of type {Encoded!r}, not {type(message)!r}")
            return message
        return super().encode(message, message_type)


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def field_header(number: int, length: int) -> bytes:
    """Return the key and length that open a length-delimited field ``number`` whose payload is ``length`` bytes."""
    if length < 0x80 and number < 16:
        return bytes(((number << 3) | 2, length))
    return _varint((number << 3) | 2) + _varint(length)


def field_bytes(number: int, payload: bytes) -> bytes:
    """Encode a length-delimited field (an embedded message, a string or bytes): key, length, ``payload``."""
    return field_header(number, len(payload)) + payload


_SHORT_HEADERS = [bytes((0x0A, length)) for length in range(0x80)]  # field 1 with a one-byte length


def repeated_field(number: int, payloads: Iterable[bytes], tail: bytes = b"") -> bytes:
    """Encode ``payloads`` as a repeated length-delimited field ``number``, followed by ``tail``, in one object.

    The same bytes as joining :func:`field_bytes` of each payload, then ``tail``.

    A page of log entries is assembled with this, so the usual headers (field 1; payloads under 16 KiB, whose
    length takes one or two bytes) are built inline and every payload is copied once, into the result.
    """
    parts: list[bytes] = []
    append = parts.append
    if number == 1:
        short = _SHORT_HEADERS
        for payload in payloads:
            length = len(payload)
            if length < 0x80:
                append(short[length])
            elif length < 0x4000:
                append(bytes((0x0A, 0x80 | (length & 0x7F), length >> 7)))
            else:
                append(field_header(1, length))
            append(payload)
    else:
        for payload in payloads:
            append(field_header(number, len(payload)))
            append(payload)
    append(tail)
    return b"".join(parts)
