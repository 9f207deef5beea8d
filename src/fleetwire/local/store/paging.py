"""Keyset-cursor helpers for the page tokens of logs, part history and fragment history."""

from __future__ import annotations

from typing import Any

from .ids import decode_page_token, invalid

__all__ = ("cursor_int", "history_page")

_INT64 = 2**63


def cursor_int(token: dict[str, Any], key: str) -> int | None:
    """Return ``token[key]`` if it is an integer SQLite can compare (64-bit, not a bool), else ``None``."""
    value = token.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not -_INT64 <= value < _INT64:
        return None
    return value


def history_page(
    page_limit: int | None, page_token: str | None, *, owner_key: str, owner_id: str, default: int, maximum: int
) -> tuple[int, int | None]:
    """Read a history request's paging: ``(entries per page, history seq to continue below, or None)``.

    A history token carries the seq of the last entry served (``"s"``) and the id of what the history belongs to
    (under ``owner_key``), so a token of one resource is refused for another.
    """
    if page_limit is not None and page_limit < 0:
        raise invalid("page_limit must not be negative")
    limit = min(page_limit or default, maximum)
    if not page_token:
        return limit, None
    token = decode_page_token(page_token, "page_token")
    seq = cursor_int(token, "s")
    if token.get(owner_key) != owner_id or seq is None:
        raise invalid("page_token does not belong to this resource")
    return limit, seq
