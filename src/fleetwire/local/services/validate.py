"""Validation of the structured inputs of the core RPCs: emails, namespaces, metadata structs."""

from __future__ import annotations

import re
from typing import Any

from fleetwire_api.google.protobuf import Struct

from ..store.configs import is_large, struct_value
from ..store.documents import free_piecewise, json_text
from ..store.ids import invalid

__all__ = ("MAX_METADATA_BYTES", "metadata_json", "require_email", "require_namespace")

MAX_METADATA_BYTES = 256 * 1024
"""Largest accepted metadata document (JSON-encoded)."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NAMESPACE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def require_email(value: str, field: str) -> str:
    """Return ``value`` normalized (stripped, lower case) if it looks like an email address."""
    email = value.strip().lower()
    if not email:
        raise invalid(f"{field} is required")
    if len(email) > 254 or not _EMAIL.match(email):
        raise invalid(f"{field} is not a valid email address")
    return email


def require_namespace(value: str, field: str) -> str:
    """Return ``value`` if it is a valid public namespace (lower-case letters, digits and inner dashes, <= 63)."""
    if not value:
        raise invalid(f"{field} is required")
    if not _NAMESPACE.match(value):
        raise invalid(f"{field} must be 1-63 lower-case letters, digits or inner dashes")
    return value


def metadata_json(data: Struct | None, field: str) -> str:
    """Return the JSON text stored for a metadata ``Struct``; ``INVALID_ARGUMENT`` naming ``field`` if too large."""
    try:
        doc: Any = {} if data is None else struct_value(data)
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. a Value with no kind set, or absurd nesting
        raise invalid(f"{field} is not a valid struct") from exc
    large = is_large(data)
    text = json_text(doc, large=large, ensure_ascii=True) if _finite(doc) else None
    if large:
        free_piecewise(doc)
    if text is None:
        raise invalid(f"{field} contains a non-finite number")
    if len(text.encode()) > MAX_METADATA_BYTES:
        raise invalid(f"{field} is larger than {MAX_METADATA_BYTES} bytes")
    return text


def _finite(value: object) -> bool:
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    if isinstance(value, list):
        return all(_finite(v) for v in value)  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    return True
