"""JSON documents (configs, metadata) as plain Python values: parsed, written, encoded as a Struct, and freed.

Each operation has two ways. The usual one calls into C once for the whole document (``json.loads``,
``json.dumps``) and suits small documents. The ``large`` one, for a document of hundreds of KB, stays in plain
Python and calls into C for one value at a time, so a thread doing it lets the others in every few milliseconds:
a single C call over a whole 2 MiB document holds the interpreter lock for about 35 ms. The same goes for freeing a
tree of a hundred thousand objects, which CPython does in one uninterrupted cascade when the last reference to its
root goes: :func:`free_piecewise` empties it a container at a time instead.
"""

from __future__ import annotations

import json
import json.scanner
import struct
from collections.abc import Callable
from typing import Any, cast

import betterproto2

from ..wire import field_bytes

__all__ = ("free_piecewise", "json_text", "parse_json", "struct_wire")

_SEPARATORS = (",", ":")

# The standard library's pure-Python scanner (the one ``json`` uses when its C accelerator is missing); typeshed
# does not declare it.
_py_make_scanner = cast(
    "Callable[[json.JSONDecoder], Callable[[str, int], tuple[object, int]]]", vars(json.scanner)["py_make_scanner"]
)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(text: str, *, large: bool) -> object:
    """Parse JSON text as ``json.loads`` does, refusing ``NaN`` and the infinities (``ValueError``)."""
    if not large:
        return json.loads(text, parse_constant=_reject_constant)
    decoder = json.JSONDecoder(parse_constant=_reject_constant)
    decoder.scan_once = _py_make_scanner(decoder)  # pyright: ignore[reportAttributeAccessIssue]
    return decoder.decode(text)


def json_text(value: object, *, large: bool, ensure_ascii: bool = False) -> str:
    """Return the compact JSON text of ``value``, as ``json.dumps`` writes it (``ValueError`` if not finite)."""
    if not large:
        return json.dumps(value, separators=_SEPARATORS, ensure_ascii=ensure_ascii, allow_nan=False)
    # Not one-shot, so the encoder's pure-Python loop runs, calling into C for one string at a time.
    encoder = json.JSONEncoder(separators=_SEPARATORS, ensure_ascii=ensure_ascii, allow_nan=False)
    return "".join(encoder.iterencode(value))


_pack_double = struct.Struct("<d").pack


def _value_wire(value: object) -> bytes:
    """Return the wire form of the ``google.protobuf.Value`` that ``Value.from_dict(value)`` builds."""
    if isinstance(value, bool):
        return b"\x20\x01" if value else b"\x20\x00"  # bool_value = 4
    if isinstance(value, int | float):
        return b"\x11" + _pack_double(value)  # number_value = 2 (struct.error for an int past the double range)
    if isinstance(value, str):
        return field_bytes(3, value.encode())  # string_value = 3
    if isinstance(value, list):
        items = cast("list[object]", value)
        return field_bytes(6, b"".join(field_bytes(1, wire) for wire in map(_value_wire, items)))  # ListValue.values
    if isinstance(value, dict):
        return field_bytes(5, struct_wire(cast("dict[str, object]", value)))  # struct_value = 5
    if value is None:
        return b"\x08\x00"  # null_value = 1: NULL_VALUE
    raise ValueError(f"Unknown value type: {type(value)}")


def struct_wire(document: dict[str, object]) -> bytes:
    """Return the bytes of ``Struct.from_dict(document)``, written directly, without building the Struct.

    The same bytes the codec writes for that Struct (entries in the dict's order, each key then its value).
    """
    # fields = 1, a map: an entry per key, its key = 1 and its value = 2
    return b"".join(
        field_bytes(1, field_bytes(1, key.encode()) + field_bytes(2, _value_wire(value)))
        for key, value in document.items()
    )


def free_piecewise(document: object) -> None:
    """Empty a tree of dicts, lists and messages one at a time, so that no single free walks the whole of it.

    Call it with the only reference to the tree (the caller's own name for it may remain: the root is left empty);
    a message is emptied of its fields, so no one may use it afterwards.
    """
    pending: list[object] = [document]
    del document
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            mapping = cast("dict[str, object]", item)
            pending.extend(mapping.values())
            mapping.clear()
        elif isinstance(item, list):
            items = cast("list[object]", item)
            pending.extend(items)
            items.clear()
        elif isinstance(item, betterproto2.Message):
            fields = vars(item)
            pending.extend(fields.values())
            fields.clear()
