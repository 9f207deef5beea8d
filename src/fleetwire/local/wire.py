"""Answers the server sends already in wire form, and the codec that lets them through.

Log entries are stored as their encoded bytes. Decoding them into messages only to encode them again for the
answer costs far more than the query; an embedded message on the wire is just its tag, its length and its bytes,
so a page of logs can be assembled from the stored bytes directly. A handler that does this answers an
:class:`Encoded` value, declared as its reply type, and :class:`ServerCodec` sends those bytes as they are.
"""

from __future__ import annotations

from typing import Any

from fleetwire_api.services import FastCodec

__all__ = ("Encoded", "ServerCodec", "field_bytes")


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


def field_bytes(number: int, payload: bytes) -> bytes:
    """Encode a length-delimited field (an embedded message, a string or bytes): key, length, ``payload``."""
    length = len(payload)
    header = bytes(((number << 3) | 2, length)) if length < 0x80 and number < 16 else None
    if header is None:
        header = _varint((number << 3) | 2) + _varint(length)
    return header + payload
