"""The local fleet server: ``viam.app.v1.AppService`` on SQLite, in-process (``LocalFleet``) or ``fleetwire serve``.

Importing this package is light: the server modules load when :class:`LocalFleet` is first used.

Layout: ``auth/`` (authentication and authorization), ``store/`` (SQLite, rows, memos, ids, paging),
``services/`` (the RPC handlers); at the top, ``context`` (what every handler shares: the store, the log bus, the
caller's rights), ``transport`` (how a call is received: headers checked, size bounded, body decoded),
``wire`` (answers sent pre-encoded), ``bootstrap`` (first-run setup), ``server`` (assembly),
``fleet`` (:class:`LocalFleet`) and ``runner`` (``fleetwire serve``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .fleet import LocalFleet

__all__ = ("LocalFleet",)


def __getattr__(name: str) -> Any:
    """Load :class:`LocalFleet` on first access."""
    if name == "LocalFleet":
        from .fleet import LocalFleet

        return LocalFleet
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
