"""Config documents (machine part and fragment configs): validation and conversion between Struct and JSON text.

A config is a JSON object. It reaches the server as a ``google.protobuf.Struct`` or as JSON text and is stored
as compact JSON text, so reads can hand out either form without loss.
"""

from __future__ import annotations

import json
import math
from typing import Any, cast

from fleetwire_api.google.protobuf import Struct

from .ids import invalid

__all__ = ("MAX_CONFIG_BYTES", "MAX_CONFIG_DEPTH", "config_from_struct", "config_from_text", "dump_config", "struct_of")

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
