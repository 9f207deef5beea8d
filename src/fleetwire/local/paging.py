"""Keyset-cursor helpers for the page tokens of logs, part history and fragment history."""

from __future__ import annotations

from typing import Any

__all__ = ("cursor_int",)

_INT64 = 2**63


def cursor_int(token: dict[str, Any], key: str) -> int | None:
    """Return ``token[key]`` if it is an integer SQLite can compare (64-bit, not a bool), else ``None``."""
    value = token.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not -_INT64 <= value < _INT64:
        return None
    return value
