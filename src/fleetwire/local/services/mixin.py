"""The base every AppService mixin of the local fleet server builds on."""

from __future__ import annotations

from typing import Any

from grpclib.server import Stream

from ..context import Context

__all__ = ("AnyStream", "ServiceMixin")

AnyStream = Stream[Any, Any]
"""The grpclib server stream handed to a handler (its ``metadata`` carries the bearer token)."""


class ServiceMixin:
    """Gives handlers ``self.ctx``: the server's :class:`~fleetwire.local.context.Context`."""

    ctx: Context
