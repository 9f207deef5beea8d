"""Assembly of the local fleet server: the AppService from its mixins, the RobotService, the AuthService."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import socket
import weakref
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from grpclib.const import Handler
from grpclib.protocol import H2Protocol
from grpclib.server import Server, Stream

from fleetwire_api.services import AppServiceBase
from fleetwire_api.services._runtime import coalesce_connection, serve_unary_unary

from .auth import authentication, cache, grants
from .bootstrap import Credentials, bootstrap
from .context import Context
from .services import app_settings, favorites, locations, machine_metadata, oauth_apps, organizations
from .services.app_settings import AppSettingsMixin
from .services.config_properties import ConfigPropertiesMixin
from .services.favorites import FavoritesMixin
from .services.fragments import SCHEMA as FRAGMENTS_SCHEMA
from .services.fragments import FragmentsMixin
from .services.keys import KeysMixin
from .services.locations import LocationsMixin
from .services.machine_metadata import MachineMetadataMixin
from .services.members import MembersMixin
from .services.oauth_apps import OAuthAppsMixin
from .services.organizations import OrganizationsMixin
from .services.registry import SCHEMA as REGISTRY_SCHEMA
from .services.registry import RegistryMixin
from .services.robot_service import LocalRobotService
from .services.robots import SCHEMA as ROBOTS_SCHEMA
from .services.robots import RobotsMixin
from .services.roles import RolesMixin
from .store.database import Store
from .transport import DEFAULT_MAX_REQUEST_SIZE, Authenticate, GuardedService
from .wire import Encoded, ServerCodec

__all__ = (
    "ADDED_COLUMNS",
    "SCHEMAS",
    "Credentials",
    "FleetServer",
    "LocalAppService",
    "bootstrap",
    "open_listener",
    "open_store",
    "start_server",
)

_log = logging.getLogger("fleetwire.local")

ADDED_COLUMNS = (("robot_parts", "config_wire", "BLOB"), ("fragments", "config_wire", "BLOB"))
"""Columns added to tables of earlier versions: the wire form of large configs (``store.configs.ConfigForms``)."""

SCHEMAS: tuple[str, ...] = (
    organizations.SCHEMA,
    locations.SCHEMA,
    authentication.SCHEMA,
    grants.SCHEMA,
    ROBOTS_SCHEMA,
    FRAGMENTS_SCHEMA,
    REGISTRY_SCHEMA,
    machine_metadata.SCHEMA,
    favorites.SCHEMA,
    app_settings.SCHEMA,
    oauth_apps.SCHEMA,
    cache.SCHEMA,
)
"""Every table of the server, in dependency order (core tables first, then the triggers watching them)."""

_BACKLOG = 512
_APP_SERVICE = "/viam.app.v1.AppService/"


class LocalAppService(
    OrganizationsMixin,
    MembersMixin,
    LocationsMixin,
    KeysMixin,
    RolesMixin,
    RobotsMixin,
    ConfigPropertiesMixin,
    MachineMetadataMixin,
    FavoritesMixin,
    FragmentsMixin,
    RegistryMixin,
    AppSettingsMixin,
    OAuthAppsMixin,
    AppServiceBase,
):
    """``viam.app.v1.AppService`` served from the local store; RPCs no mixin implements answer ``UNIMPLEMENTED``."""

    def __init__(self, ctx: Context) -> None:
        """Serve from ``ctx``."""
        self.ctx = ctx

    def __mapping__(self) -> dict[str, Handler]:
        """Return the generated handler table, with the busiest reads and updates in wire form.

        Their ``*_encoded`` methods answer the bytes their plain methods' responses encode to (see ``wire``).
        """
        mapping = super().__mapping__()
        encoded: dict[str, Callable[[Any, Stream[Any, Any]], Awaitable[Encoded]]] = {
            "GetRobotPartLogs": self.get_robot_part_logs_encoded,
            "ListRobots": self.list_robots_encoded,
            "GetRobotPart": self.get_robot_part_encoded,
            "GetRobotParts": self.get_robot_parts_encoded,
            "UpdateRobotPart": self.update_robot_part_encoded,
            "GetRobot": self.get_robot_encoded,
            "UpdateRobot": self.update_robot_encoded,
            "GetLocation": self.get_location_encoded,
        }
        for method, answer in encoded.items():
            generated = mapping[_APP_SERVICE + method]  # its request type stays; the reply is sent as it is
            mapping[_APP_SERVICE + method] = generated._replace(
                func=functools.partial(serve_unary_unary, answer), reply_type=Encoded
            )
        return mapping


def open_listener(host: str, port: int) -> socket.socket:
    """Return a listening TCP socket on ``host:port`` (port 0: a free one), IPv6 if ``host`` is an IPv6 address."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Say IPPROTO_TCP explicitly: asyncio enables TCP_NODELAY only on connections whose socket reports that protocol
    # (``socket.create_server`` leaves it 0), and without it every unary reply waits ~40 ms for Nagle + delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if os.name == "posix":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(_BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock


class FleetServer(Server):
    """A grpclib server that can shut down without leaving clients hanging: see :meth:`shutdown`."""

    def __init__(
        self,
        ctx: Context,
        *,
        max_request_size: int = DEFAULT_MAX_REQUEST_SIZE,
        token_lifetime: timedelta = authentication.TOKEN_LIFETIME,
    ) -> None:
        """Serve the AuthService, AppService and RobotService of ``ctx``, each call guarded (see ``transport``).

        ``token_lifetime``: how long the access tokens the AuthService hands out stay valid.
        """
        self.closing = asyncio.Event()
        robots = LocalRobotService(ctx)
        services: list[tuple[Any, Authenticate | None]] = [
            # It hands out the credentials the others check.
            (authentication.LocalAuthService(ctx, token_lifetime=token_lifetime), None),
            (LocalAppService(ctx), ctx.authenticate),
            (robots, robots.authenticate),
        ]
        guarded = [
            GuardedService(service, authenticate=check, max_request_size=max_request_size, closing=self.closing)
            for service, check in services
        ]
        super().__init__(guarded, codec=ServerCodec())
        self._protocols: weakref.WeakSet[H2Protocol] = weakref.WeakSet()

    def _protocol_factory(self) -> H2Protocol:
        # Remember every connection: grpclib's close() leaves accepted connections open, so a client would neither
        # learn that the server went away nor be stopped from sending calls to a closed store.
        # Every connection also sends the writes of one loop turn together (see CoalescingTransport).
        protocol = coalesce_connection(super()._protocol_factory())
        self._protocols.add(protocol)
        return protocol

    async def shutdown(self) -> None:
        """Refuse new calls, end running ones with ``UNAVAILABLE``, wait for them, then close every connection."""
        self.closing.set()
        self.close()
        await self.wait_closed()
        for protocol in list(self._protocols):
            connection = getattr(protocol, "connection", None)  # unset until the connection is made
            if connection is not None:
                connection.close()


async def open_store(db: str | Path | None) -> Store:
    """Open the server's database at ``db`` (``None``: in memory) with every table, watched by the auth cache."""
    return await Store.open(db, SCHEMAS, watch=cache.EPOCH_QUERY, added_columns=ADDED_COLUMNS)


async def start_server(
    ctx: Context,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    sock: socket.socket | None = None,
    max_request_size: int = DEFAULT_MAX_REQUEST_SIZE,
    token_lifetime: timedelta = authentication.TOKEN_LIFETIME,
) -> FleetServer:
    """Start serving AuthService, AppService and RobotService from ``ctx`` on ``sock`` (or a new ``host:port``).

    ``max_request_size``: the largest request message accepted, in bytes (larger: ``RESOURCE_EXHAUSTED``).
    ``token_lifetime``: how long an access token stays valid (default 7 days); an open log tail ends when its
    token expires.
    Stop it with ``await ctx.logs.close()`` then ``await server.shutdown()``, before closing the store.
    """
    server = FleetServer(ctx, max_request_size=max_request_size, token_lifetime=token_lifetime)
    await server.start(sock=sock if sock is not None else open_listener(host, port), backlog=_BACKLOG)
    return server
