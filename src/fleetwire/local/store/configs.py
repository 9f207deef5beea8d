"""Config documents (machine part and fragment configs): validation and conversion between Struct and JSON text.

A config is a JSON object. It reaches the server as a ``google.protobuf.Struct`` or as JSON text and is stored
as compact JSON text, so reads can hand out either form without loss.

Converting a large config (Struct to dict to JSON text, with its checks) is pure Python CPU work, about 2 µs a
value: :func:`converted` runs it in a worker thread from :data:`LARGE_CONFIG_VALUES` values (or
:data:`LARGE_CONFIG_TEXT` characters of JSON text) on, so neither the event loop nor the database thread (which
every other call's queries wait for) carries it, and smaller configs stay inline where a thread hop would cost
more than the work.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

from fleetwire_api.google.protobuf import Struct

from .ids import invalid

__all__ = (
    "LARGE_CONFIG_TEXT",
    "LARGE_CONFIG_VALUES",
    "MAX_CONFIG_BYTES",
    "MAX_CONFIG_DEPTH",
    "config_from_struct",
    "config_from_text",
    "config_json",
    "converted",
    "dump_config",
    "new_config_json",
    "struct_of",
)

T = TypeVar("T")

MAX_CONFIG_BYTES = 2 * 1024 * 1024
"""Largest accepted config document (JSON text, UTF-8 bytes)."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


MAX_CONFIG_DEPTH = 64
"""Deepest accepted nesting of objects and lists in a config document."""


def _problem(value: Any) -> str | None:
    """Say what makes a decoded JSON value unfit to store (too deep, or a number that is not finite), if anything."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_CONFIG_DEPTH:
            return f"is nested more than {MAX_CONFIG_DEPTH} levels deep"
        if isinstance(item, float) and not math.isfinite(item):
            return "contains a number that is not finite"
        if isinstance(item, dict):
            pending.extend((child, depth + 1) for child in cast("dict[str, Any]", item).values())
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in cast("list[Any]", item))
    return None


def dump_config(config: dict[str, Any], field: str) -> str:
    """Compact JSON text of ``config``; ``INVALID_ARGUMENT`` naming ``field`` if too large, deep or not finite."""
    problem = _problem(config)
    if problem is not None:
        raise invalid(f"{field} {problem}")
    text = json.dumps(config, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    if len(text.encode()) > MAX_CONFIG_BYTES:
        raise invalid(f"{field} is larger than {MAX_CONFIG_BYTES} bytes")
    return text


def config_from_text(text: str, field: str) -> dict[str, Any]:
    """Parse JSON text that must hold an object; ``INVALID_ARGUMENT`` naming ``field`` otherwise."""
    if len(text) > MAX_CONFIG_BYTES:
        raise invalid(f"{field} is larger than {MAX_CONFIG_BYTES} bytes")
    try:
        value: object = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise invalid(f"{field} is not valid JSON") from exc
    if not isinstance(value, dict):
        raise invalid(f"{field} must be a JSON object")
    result: dict[str, Any] = value  # pyright: ignore[reportUnknownVariableType]
    return result


def config_from_struct(struct: Struct, field: str) -> dict[str, Any]:
    """Return the JSON object a Struct holds; ``INVALID_ARGUMENT`` naming ``field`` if it holds no valid value."""
    try:
        value: object = struct.to_dict()
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise invalid(f"{field} is not a valid config object") from exc
    if not isinstance(value, dict):
        raise invalid(f"{field} is not a valid config object")
    result: dict[str, Any] = value  # pyright: ignore[reportUnknownVariableType]
    return result


def struct_of(text: str) -> Struct:
    """Return the Struct form of stored config JSON text."""
    return Struct.from_dict(json.loads(text))


def config_json(config: Struct | str, field: str) -> str:
    """Return the JSON text stored for a config sent as a Struct or as JSON text (errors name ``field``)."""
    parsed = config_from_text(config, field) if isinstance(config, str) else config_from_struct(config, field)
    return dump_config(parsed, field)


LARGE_CONFIG_VALUES = 2_000
"""A Struct with at least this many values is converted in a worker thread (about 4 ms of work)."""

LARGE_CONFIG_TEXT = 64 * 1024
"""JSON text of at least this many characters is parsed and checked in a worker thread."""


def _is_large(value: Struct | str | None) -> bool:
    """Whether ``value`` holds at least :data:`LARGE_CONFIG_VALUES` values; looks at no more than that many."""
    if value is None:
        return False
    if isinstance(value, str):
        return len(value) >= LARGE_CONFIG_TEXT
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
    """``convert(value, field)``: inline for a small ``value``, in a worker thread for a large one (same errors)."""
    if _is_large(value):
        return await asyncio.to_thread(convert, value, field)
    return convert(value, field)


async def new_config_json(struct: Struct | None, text: str | None, struct_field: str, text_field: str) -> str | None:
    """Return the JSON text to store for a config sent as ``text`` (which wins when both are set) or ``struct``."""
    if text is not None:
        return await converted(config_json, text, text_field)
    if struct is not None:
        return await converted(config_json, struct, struct_field)
    return None
