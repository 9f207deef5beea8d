"""Canonical map-entry order for raw protobuf bytes, and nothing else.

The official SDK serializes with upb, whose map iteration order is randomized per process (serializing the same
`dict_to_struct(...)` in three fresh interpreters gave three different key orders), so two runs of the official SDK
itself do not send identical bytes for a request holding a map (every `google.protobuf.Struct` is one).
This walks the wire format with the descriptors of the pinned viam-sdk and sorts each run of consecutive entries of
one map field by their encoded bytes; field order, presence, packing and every other byte stay as they arrived.
"""

from __future__ import annotations

from typing import Any

WIRE_VARINT, WIRE_I64, WIRE_LEN, WIRE_I32 = 0, 1, 2, 5


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def canonical(buf: bytes, descriptor: Any) -> bytes:
    """`buf` (a message of type `descriptor`) with the entries of each map sorted, recursively."""
    chunks: list[tuple[int | None, bytes]] = []  # (map field number or None, encoded field)
    i = 0
    while i < len(buf):
        start = i
        tag, i = _varint(buf, i)
        number, wire_type = tag >> 3, tag & 7
        field = descriptor.fields_by_number.get(number)
        if wire_type == WIRE_VARINT:
            _, i = _varint(buf, i)
            chunks.append((None, buf[start:i]))
        elif wire_type == WIRE_I64:
            i += 8
            chunks.append((None, buf[start:i]))
        elif wire_type == WIRE_I32:
            i += 4
            chunks.append((None, buf[start:i]))
        elif wire_type == WIRE_LEN:
            size, body = _varint(buf, i)
            payload, i = buf[body : body + size], body + size
            if field is not None and field.message_type is not None:
                payload = canonical(payload, field.message_type)
                is_map = field.message_type.GetOptions().map_entry
                chunks.append(
                    (number if is_map else None, _encode_varint(tag) + _encode_varint(len(payload)) + payload)
                )
            else:
                chunks.append((None, buf[start:i]))
        else:
            raise ValueError(f"unsupported wire type {wire_type} at byte {start}")
    out: list[bytes] = []
    run: list[bytes] = []
    run_field: int | None = None
    for map_field, chunk in [*chunks, (None, b"")]:
        if map_field is not None and map_field == run_field:
            run.append(chunk)
            continue
        out.extend(sorted(run))
        run, run_field = ([chunk], map_field) if map_field is not None else ([], None)
        if map_field is None:
            out.append(chunk)
    return b"".join(out)


def has_map(descriptor: Any, seen: frozenset[str] = frozenset()) -> bool:
    """Whether a message of this type can hold a map anywhere inside it."""
    if descriptor.full_name in seen:
        return False
    seen = seen | {descriptor.full_name}
    for field in descriptor.fields:
        if field.message_type is not None and (
            field.message_type.GetOptions().map_entry or has_map(field.message_type, seen)
        ):
            return True
    return False


def request_descriptor(rpc: str) -> Any:
    from viam.gen.app.v1 import app_pb2

    return app_pb2.DESCRIPTOR.services_by_name["AppService"].methods_by_name[rpc].input_type
