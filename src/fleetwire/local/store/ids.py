"""Ids, timestamps, page tokens and input validation shared by every handler of the local fleet server."""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import string
import uuid
from datetime import datetime, timezone
from typing import Any, cast

from grpclib.const import Status
from grpclib.exceptions import GRPCError

__all__ = (
    "MAX_NAME_LENGTH",
    "MAX_TEXT_LENGTH",
    "SECRET_ALPHABET",
    "SECRET_LENGTH",
    "decode_page_token",
    "encode_page_token",
    "from_iso",
    "invalid",
    "is_id",
    "new_id",
    "new_secret",
    "not_found",
    "now",
    "require_id",
    "require_name",
    "require_text",
    "to_iso",
)

MAX_NAME_LENGTH = 200
"""Longest accepted name (organization, location, machine, part, key, fragment ...)."""

MAX_TEXT_LENGTH = 64 * 1024
"""Longest accepted free-text field (descriptions, emails, namespaces are far shorter)."""


def new_id() -> str:
    """Return a fresh id, formatted like the service's: a random UUID string."""
    return str(uuid.uuid4())


SECRET_ALPHABET = string.ascii_lowercase + string.digits
"""Characters of every secret: letters and digits only, so a secret never reads as a command-line flag."""

SECRET_LENGTH = 32
"""Length of every secret; 32 characters of 36 carry about 165 bits."""


def new_secret() -> str:
    """Return a fresh random secret (API key, location or part secret): 32 lowercase letters and digits."""
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


_CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_id(value: str) -> bool:
    """Whether ``value`` is a canonical UUID string (any case), the form every id of this server has."""
    return len(value) == 36 and _CANONICAL_UUID.fullmatch(value) is not None


def now() -> datetime:
    """Return the current time as an aware UTC datetime (microsecond precision, as stored)."""
    return datetime.now(timezone.utc)


def to_iso(moment: datetime) -> str:
    """Store form of a timestamp: ISO 8601 in UTC, sortable as text."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_iso(text: str) -> datetime:
    """Parse the store form written by :func:`to_iso` back into an aware UTC datetime."""
    if len(text) == 27 and text[10] == "T" and text[-1] == "Z":
        # The form to_iso writes: fromisoformat reads it several times faster than strptime.
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=timezone.utc)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def invalid(message: str) -> GRPCError:
    """Return an ``INVALID_ARGUMENT`` error; ``message`` names the field."""
    return GRPCError(Status.INVALID_ARGUMENT, message)


def not_found(message: str) -> GRPCError:
    """Return a ``NOT_FOUND`` error; ``message`` names the resource."""
    return GRPCError(Status.NOT_FOUND, message)


def require_id(value: str, field: str) -> str:
    """Return ``value`` if it is a well-formed id, else raise ``INVALID_ARGUMENT`` naming ``field``."""
    if not value:
        raise invalid(f"{field} is required")
    if not is_id(value):
        raise invalid(f"{field} is not a valid id")
    return value.lower()


def require_name(value: str, field: str, *, max_length: int = MAX_NAME_LENGTH) -> str:
    """Return ``value`` stripped if it is a non-empty name of at most ``max_length`` characters."""
    name = value.strip()
    if not name:
        raise invalid(f"{field} is required")
    if len(name) > max_length:
        raise invalid(f"{field} is longer than {max_length} characters")
    if any(ord(ch) < 32 for ch in name):
        raise invalid(f"{field} contains control characters")
    return name


def require_text(value: str, field: str, *, max_length: int = MAX_TEXT_LENGTH) -> str:
    """Return ``value`` (may be empty) if it is at most ``max_length`` characters long."""
    if len(value) > max_length:
        raise invalid(f"{field} is longer than {max_length} characters")
    return value


def encode_page_token(obj: dict[str, Any]) -> str:
    """Return an opaque page token carrying ``obj`` (url-safe base64 of compact JSON)."""
    raw = json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_page_token(token: str, field_name: str) -> dict[str, Any]:
    """Return the object inside a token made by :func:`encode_page_token`; anything else is ``INVALID_ARGUMENT``."""
    if len(token) > 4096:
        raise invalid(f"{field_name} is not a valid page token")
    try:
        padded = token + "=" * (-len(token) % 4)
        decoded: object = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise invalid(f"{field_name} is not a valid page token") from exc
    if not isinstance(decoded, dict):
        raise invalid(f"{field_name} is not a valid page token")
    items = cast("dict[Any, Any]", decoded).items()
    return {str(key): value for key, value in items}
