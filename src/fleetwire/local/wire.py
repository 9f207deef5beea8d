"""Messages the server handles in wire form: answers it sends already encoded, and large Structs it receives.

Log entries are stored as their encoded bytes. Decoding them into messages only to encode them again for the
answer costs far more than the query; an embedded message on the wire is just its tag, its length and its bytes,
so a page of logs can be assembled from the stored bytes directly. A handler that does this answers an
:class:`Encoded` value, declared as its reply type, and :class:`ServerCodec` sends those bytes as they are.

The other way, a large request's ``google.protobuf.Struct`` fields (configs, metadata) are cut out of its body before
it is decoded (:func:`decode_keeping_structs`) and handed to the handler as :class:`WireStruct` values, still in
wire form: the config is converted straight from those bytes to the JSON text it is stored as, and a tree of a
hundred thousand ``Value`` objects is never built for it (see :mod:`fleetwire.local.offload` for why that matters).
The entries of a large ``RobotService.Log`` push stay bytes too (:class:`WireLogRequest`), for the handler to turn
into rows off the event loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fleetwire_api.google.protobuf import Struct
from fleetwire_api.services import FastCodec
from fleetwire_api.services._codec import _skip, _varint, decode_fast  # pyright: ignore[reportPrivateUsage]
from fleetwire_api.viam.app.v1 import LogRequest

__all__ = (
    "Encoded",
    "ServerCodec",
    "WireLogRequest",
    "WireStruct",
    "decode_keeping_structs",
    "decode_large",
    "field_bytes",
    "field_header",
    "repeated_field",
)


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


def _varint_of(value: int) -> bytes:
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
    return _varint_of((number << 3) | 2) + _varint_of(length)


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


class WireStruct(Struct):
    """A ``google.protobuf.Struct`` as it came over the wire: ``encoded`` holds its bytes, not yet checked.

    Converting it to JSON text reads those bytes directly (``fleetwire.local.store.configs``). Anything else that
    reads its ``fields`` gets them decoded then, once, as from any Struct (a malformed encoding raises there).
    """

    def __init__(self, encoded: bytes) -> None:
        """Hold ``encoded``, the bytes of a Struct, undecoded."""
        self.encoded = encoded
        self._unknown_fields = b""

    def __getattr__(self, name: str) -> Any:
        """Decode the ``fields`` on first use (any other missing attribute is an ``AttributeError``)."""
        if name != "fields":
            raise AttributeError(name)
        fields = decode_fast(Struct, self.encoded).fields
        self.fields = fields
        return fields


_STRUCT_FIELDS: dict[type[Any], dict[int, str]] = {}


def _struct_fields(message_type: type[Any]) -> dict[int, str]:
    """Return the numbers and names of the singular top-level ``google.protobuf.Struct`` fields of ``message_type``."""
    found = _STRUCT_FIELDS.get(message_type)
    if found is None:
        meta = message_type._betterproto  # betterproto2's per-class field table
        found = {
            field.number: name
            for name, field in meta.meta_by_field_name.items()
            if not field.repeated and field.map_meta is None and meta.cls_by_field.get(name) is Struct
        }
        _STRUCT_FIELDS[message_type] = found
    return found


def decode_keeping_structs(message_type: type[Any], body: bytes) -> Any:
    """Decode ``body`` as ``message_type``, its top-level Struct fields left in wire form as :class:`WireStruct`.

    The rest of the message is decoded by the specialized decoder (which raises on malformed bytes, as for any
    request). A Struct field sent more than once is its last occurrence, as that decoder reads it.
    """
    numbers = _struct_fields(message_type)
    if not numbers:
        return decode_fast(message_type, body)
    kept: list[bytes] = []
    structs: dict[int, bytes] = {}
    run = pos = 0  # run: where the current stretch of kept fields began
    end = len(body)
    while pos < end:
        start = pos
        tag = body[pos]
        pos += 1
        if tag > 127:
            tag, pos = _varint(body, pos, tag)
        wire = tag & 7
        if wire not in (0, 1, 2, 5):  # groups, reserved wire types: the decoder judges the rest as it is
            pos = end
            break
        if wire == 2 and tag >> 3 in numbers:
            size = body[pos]
            pos += 1
            if size > 127:
                size, pos = _varint(body, pos, size)
            if pos + size > end:
                raise ValueError("a Struct field runs past the end of the message")
            kept.append(body[run:start])
            structs[tag >> 3] = body[pos : pos + size]
            pos = run = pos + size
        else:
            pos = _skip(body, pos, tag)
    if pos > end:
        raise ValueError("a field runs past the end of the message")
    kept.append(body[run:end])
    message = decode_fast(message_type, b"".join(kept))
    for number, encoded in structs.items():
        setattr(message, numbers[number], WireStruct(encoded))
    return message


class WireLogRequest(LogRequest):
    """A ``LogRequest`` whose entries are still in wire form: ``entries`` holds the bytes of each, not yet checked.

    Reading ``logs`` decodes them then (a malformed one raises there).
    """

    def __init__(self, part_id: str, entries: list[bytes]) -> None:
        """Hold the request's ``id`` and its entries' bytes."""
        self.id = part_id
        self.entries = entries
        self._unknown_fields = b""

    def __getattr__(self, name: str) -> Any:
        """Decode the ``logs`` on first use (any other missing attribute is an ``AttributeError``)."""
        if name != "logs":
            raise AttributeError(name)
        logs = decode_fast(LogRequest, b"".join(field_bytes(2, entry) for entry in self.entries)).logs
        self.logs = logs
        return logs


def _log_request(body: bytes) -> LogRequest:
    """Read a ``LogRequest`` (id = 1, repeated logs = 2) keeping its entries as bytes; anything else: decode it."""
    part_id = ""
    entries: list[bytes] = []
    pos, end = 0, len(body)
    while pos < end:
        tag = body[pos]
        if tag not in (0x0A, 0x12):  # another field or wire type: the decoder judges the whole
            return decode_fast(LogRequest, body)
        size = body[pos + 1]
        pos += 2
        if size > 127:
            size, pos = _varint(body, pos, size)
        if pos + size > end:
            raise ValueError("a field runs past the end of the message")
        if tag == 0x0A:
            part_id = body[pos : pos + size].decode()
        else:
            entries.append(body[pos : pos + size])
        pos += size
    return WireLogRequest(part_id, entries)


def decode_large(message_type: type[Any], body: bytes) -> Any:
    """Decode a large request body: its Struct fields as :class:`WireStruct`, a Log push's entries as bytes."""
    if message_type is LogRequest:
        return _log_request(body)
    return decode_keeping_structs(message_type, body)
