"""Config documents (machine part and fragment configs): validation and conversion between Struct and JSON text.

A config is a JSON object. It reaches the server as a ``google.protobuf.Struct`` or as JSON text and is stored
as compact JSON text, so reads can hand out either form without loss.

Converting a large config (Struct to dict to JSON text, with its checks) is CPU work in proportion to its size:
:func:`converted` hands it to :func:`~fleetwire.local.offload.off_loop` from :data:`LARGE_CONFIG_VALUES` values (or
:data:`LARGE_CONFIG_TEXT` characters of JSON text) on, so neither the event loop nor the database thread (which
every other call's queries wait for) carries it, and smaller configs stay inline where a thread hop would cost
more than the work. A large one is parsed and written in plain Python (the standard library's pure-Python JSON
scanner and encoder, and a Struct's wire bytes read directly when it came as a
:class:`~fleetwire.local.wire.WireStruct`): the C versions would each hold the interpreter lock for the whole
document (about 35 ms at the 2 MiB limit), where plain Python lets the other calls in every few milliseconds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar, cast

from fleetwire_api.google.protobuf import Struct
from fleetwire_api.services._codec import decode_fast
from fleetwire_api.services._codec_dicts import decode_struct

from ..offload import off_loop, off_loop_if
from ..wire import WireStruct
from .documents import free_piecewise, json_text, parse_json, struct_wire
from .ids import invalid

__all__ = (
    "LARGE_CONFIG_TEXT",
    "LARGE_CONFIG_VALUES",
    "MAX_CONFIG_BYTES",
    "MAX_CONFIG_DEPTH",
    "ConfigForms",
    "config_forms",
    "config_from_struct",
    "config_from_text",
    "config_json",
    "converted",
    "dump_config",
    "forms_of",
    "is_large",
    "new_config",
    "stored_struct",
    "struct_for",
    "struct_of",
    "struct_value",
)

T = TypeVar("T")

MAX_CONFIG_BYTES = 2 * 1024 * 1024
"""Largest accepted config document (JSON text, UTF-8 bytes)."""


MAX_CONFIG_DEPTH = 64
"""Deepest accepted nesting of objects and lists in a config document."""


_DOUBLE_BITS = 1000
"""Integers this long or shorter are well inside a double's range (it ends near 2**1024)."""


def _fits_a_double(number: int) -> bool:
    try:
        float(number)
    except OverflowError:
        return False
    return True


def _problem(value: Any) -> str | None:
    """Say what makes a decoded JSON value unfit to store (too deep, or a number that is not finite), if anything."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_CONFIG_DEPTH:
            return f"is nested more than {MAX_CONFIG_DEPTH} levels deep"
        if isinstance(item, float) and not math.isfinite(item):
            return "contains a number that is not finite"
        if isinstance(item, int) and item.bit_length() > _DOUBLE_BITS and not _fits_a_double(item):
            return "contains a number too large for a Struct (a double)"
        if isinstance(item, dict):
            pending.extend((child, depth + 1) for child in cast("dict[str, Any]", item).values())
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in cast("list[Any]", item))
    return None


def dump_config(config: dict[str, Any], field: str, *, large: bool = False) -> str:
    """Compact JSON text of ``config``; ``INVALID_ARGUMENT`` naming ``field`` if too large, deep or not finite."""
    problem = _problem(config)
    if problem is not None:
        raise invalid(f"{field} {problem}")
    text = json_text(config, large=large)
    if len(text.encode()) > MAX_CONFIG_BYTES:
        raise invalid(f"{field} is larger than {MAX_CONFIG_BYTES} bytes")
    return text


def config_from_text(text: str, field: str) -> dict[str, Any]:
    """Parse JSON text that must hold an object; ``INVALID_ARGUMENT`` naming ``field`` otherwise."""
    if len(text) > MAX_CONFIG_BYTES:
        raise invalid(f"{field} is larger than {MAX_CONFIG_BYTES} bytes")
    try:
        value = parse_json(text, large=is_large(text))
    except RecursionError:  # hundreds of levels: the parsers' own limit, far past the config's
        raise invalid(f"{field} is nested more than {MAX_CONFIG_DEPTH} levels deep") from None
    except ValueError as exc:
        raise invalid(f"{field} is not valid JSON") from exc
    if not isinstance(value, dict):
        raise invalid(f"{field} must be a JSON object")
    result: dict[str, Any] = value  # pyright: ignore[reportUnknownVariableType]
    return result


def struct_value(struct: Struct) -> object:
    """Return the JSON value ``struct`` holds, read from its wire bytes when it is a :class:`WireStruct`.

    Raises ``ValueError`` for bytes that are not a Struct, and what ``Struct.to_dict`` raises for a Struct holding
    no valid value.
    """
    if not isinstance(struct, WireStruct):
        return struct.to_dict()
    try:
        return decode_struct(struct.encoded)  # the common layout, straight to the values
    except RecursionError:
        raise
    except Exception:  # an unusual layout, or bad bytes: decoding the long way tells which
        pass
    try:
        decoded = decode_fast(Struct, struct.encoded)
    except RecursionError:
        raise
    except Exception as exc:  # any failure to decode the sender's bytes is the same error
        raise ValueError("the bytes are not a valid Struct") from exc
    value = decoded.to_dict()
    free_piecewise(decoded)
    return value


def config_from_struct(struct: Struct, field: str) -> dict[str, Any]:
    """Return the JSON object a Struct holds; ``INVALID_ARGUMENT`` naming ``field`` if it holds no valid value."""
    try:
        value = struct_value(struct)
    except RecursionError:  # far deeper than the limit (the interpreter's own limit is about a thousand levels)
        raise invalid(f"{field} is nested more than {MAX_CONFIG_DEPTH} levels deep") from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise invalid(f"{field} is not a valid config object") from exc
    if not isinstance(value, dict):
        raise invalid(f"{field} is not a valid config object")
    result: dict[str, Any] = value  # pyright: ignore[reportUnknownVariableType]
    return result


def struct_of(text: str) -> Struct:
    """Return the Struct form of stored config JSON text."""
    return Struct.from_dict(json.loads(text))


def stored_struct(text: str, wire: bytes | None) -> Struct:
    """Return the Struct form of a stored config: its stored wire form when it has one (see :class:`ConfigForms`)."""
    return struct_of(text) if wire is None else WireStruct(wire)


def _wire_of_text(text: str) -> bytes:
    document = cast("dict[str, object]", parse_json(text, large=True))
    wire = struct_wire(document)
    free_piecewise(document)
    return wire


async def struct_for(text: str) -> Struct:
    """Return the Struct form of stored JSON text; a large one converted by :func:`off_loop`, kept in wire form."""
    if not is_large(text):
        return struct_of(text)
    return WireStruct(await off_loop(_wire_of_text, text))


def config_json(config: Struct | str, field: str) -> str:
    """Return the JSON text stored for a config sent as a Struct or as JSON text (errors name ``field``)."""
    return config_forms(config, field).text


class ConfigForms(NamedTuple):
    """A config as it is stored: its JSON text and, for a large one, the wire form of its Struct.

    Every answer carrying a config carries both forms. Keeping the wire form of a large config spares each answer
    its conversion from JSON text (a tree of a ``Value`` object per value, built and encoded); a small one is
    converted when needed, which costs less than storing it twice.
    """

    text: str
    wire: bytes | None


def config_forms(config: Struct | str, field: str) -> ConfigForms:
    """Return the forms stored for a config sent as a Struct or as JSON text (errors name ``field``)."""
    parsed = config_from_text(config, field) if isinstance(config, str) else config_from_struct(config, field)
    return forms_of(parsed, field, large=is_large(config))


def forms_of(config: dict[str, Any], field: str, *, large: bool) -> ConfigForms:
    """Return the forms stored for ``config`` (errors name ``field``); ``large``: with its wire form.

    A ``large`` config is emptied once converted (see :func:`~.documents.free_piecewise`): pass one of your own.
    """
    text = dump_config(config, field, large=large)
    if not large:
        return ConfigForms(text, None)
    wire = struct_wire(config)
    free_piecewise(config)
    return ConfigForms(text, wire)


LARGE_CONFIG_VALUES = 2_000
"""A Struct with at least this many values is converted in a worker thread (about 4 ms of work)."""

LARGE_CONFIG_TEXT = 64 * 1024
"""JSON text of at least this many characters is parsed and checked in a worker thread."""


def is_large(value: Struct | str | None) -> bool:
    """Whether ``value`` is large enough to be converted off the event loop.

    JSON text of :data:`LARGE_CONFIG_TEXT` characters, a Struct still in wire form (it came in a large request)
    or one of :data:`LARGE_CONFIG_VALUES` values (no more than that many are looked at).
    """
    if value is None:
        return False
    if isinstance(value, str):
        return len(value) >= LARGE_CONFIG_TEXT
    if isinstance(value, WireStruct):
        return True
    budget = LARGE_CONFIG_VALUES
    pending: list[Any] = [value.fields.values()]
    while pending:
        values = pending.pop()
        budget -= len(values)
        if budget <= 0:
            return True
        for item in values:
            if item.struct_value is not None:
                pending.append(item.struct_value.fields.values())
            elif item.list_value is not None:
                pending.append(item.list_value.values)
    return False


async def converted(convert: Callable[[Any, str], T], value: Struct | str | None, field: str) -> T:
    """``convert(value, field)``: inline for a small ``value``, :func:`off_loop` for a large one (same errors)."""
    return await off_loop_if(is_large(value), convert, value, field)


async def new_config(struct: Struct | None, text: str | None, struct_field: str, text_field: str) -> ConfigForms | None:
    """Return the forms to store for a config sent as ``text`` (which wins when both are set) or ``struct``."""
    if text is not None:
        return await converted(config_forms, text, text_field)
    if struct is not None:
        return await converted(config_forms, struct, struct_field)
    return None
