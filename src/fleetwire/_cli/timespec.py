"""Parsing ``--since``: an ISO 8601 time, or a duration back from now such as ``90s``, ``15m``, ``2h`` or ``7d``."""

from __future__ import annotations

import argparse
import datetime
import re

__all__ = ("since",)

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def since(text: str, *, now: datetime.datetime | None = None) -> datetime.datetime:
    """Return the aware UTC time ``text`` names; a naive ISO time is taken as UTC (``argparse`` type)."""
    match = _DURATION.match(text.strip())
    if match:
        moment = now or datetime.datetime.now(datetime.timezone.utc)
        return moment - datetime.timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])
    try:
        parsed = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a time: {text!r} (use ISO 8601 like 2024-05-01T12:00:00Z, or a duration like 15m, 2h, 7d)"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed
