"""The base of every method group of ``AsyncAppClient``: the connection, call helpers and shared argument checks.

``AsyncAppClient`` composes one class per resource group (``organizations``, ``locations``, ``machines``, ...),
each a subclass of :class:`ClientBase`; the groups only add methods, so a call goes straight from the method to
the raw client, with no layer in between.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

from .._logging import protect_library_logs
from .._retry import RetryPolicy, call_with_retry
from .._wire import app_pb, services
from ..errors import ArgumentError, ClientClosedError
from ..models import APIKeyAuthorization, ResourceType, Role, check_resource_type, check_role
from .args import require_id, require_instance

if TYPE_CHECKING:  # the transport is loaded when a client is built or connects (see _wire)
    from grpclib.client import Channel

    from fleetwire_api.services._runtime import Stub

__all__ = (
    "DEFAULT_TIMEOUT",
    "ClientBase",
    "authorization",
    "key_authorization",
    "present",
    "refuse_calls",
    "role_authorization",
)

DEFAULT_TIMEOUT = 30.0
"""Seconds a call may take unless the client or the call says otherwise."""

M = TypeVar("M")
R = TypeVar("R")


def present(message: M | None, kind: Callable[[], M]) -> M:
    """Return a response's message field, or an empty message when the server left it unset."""
    return message if message is not None else kind()


def authorization(
    org_id: str, identity_id: str, identity_type: str, role: Role, resource_type: ResourceType, resource_id: str
) -> app_pb.Authorization:
    """Build the wire ``Authorization`` for a role on a resource, as the official SDK does."""
    return app_pb.Authorization(
        authorization_type="role",
        authorization_id=f"{resource_type}_{role}",
        resource_type=resource_type,
        resource_id=resource_id,
        identity_id=identity_id,
        organization_id=org_id,
        identity_type=identity_type,
    )


def role_authorization(
    org_id: str, identity_id: str, role: object, resource_type: object, resource_id: str, *, prefix: str
) -> app_pb.Authorization:
    """Validate the arguments of a role change (names carry ``prefix``) and build its ``Authorization``."""
    require_id("organization_id" if prefix else "org_id", org_id)
    require_id(f"{prefix}identity_id", identity_id)
    require_id(f"{prefix}resource_id", resource_id)
    return authorization(
        org_id,
        identity_id,
        "",
        check_role(f"{prefix}role", role),
        check_resource_type(f"{prefix}resource_type", resource_type),
        resource_id,
    )


def key_authorization(org_id: str, auth: object, name: str = "authorizations") -> app_pb.Authorization:
    """Build the ``Authorization`` of a new API key from an :class:`APIKeyAuthorization` (``name`` in errors)."""
    checked = require_instance(name, auth, APIKeyAuthorization)
    require_id(f"{name}.resource_id", checked.resource_id)
    return authorization(org_id, "", "api-key", checked.role, checked.resource_type, checked.resource_id)


class _ClosedChannel:
    """Stands in for the channel of a closed client: a call raises :class:`ClientClosedError`, sending nothing.

    grpclib would otherwise dial again on the next call, reopening the connection its owner closed.
    """

    def request(self, *args: object, **kwargs: object) -> NoReturn:
        """Refuse the call."""
        raise ClientClosedError()

    def close(self) -> None:
        """Nothing to close."""


def refuse_calls(*clients: Stub) -> None:
    """Make every later call of these raw clients raise :class:`ClientClosedError` (their channel was closed)."""
    for client in clients:
        client.channel = cast("Channel", _ClosedChannel())


class ClientBase:
    """The connection every method group uses: the channel, call metadata, default location, timeout and retries."""

    def __init__(
        self,
        channel: Channel,
        metadata: Mapping[str, str],
        location_id: str | None = None,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        """Wrap an open channel; ``metadata`` goes with every call.

        Args:
            channel: An open grpclib channel to the app server; this client never closes it.
            metadata: Call metadata, for example ``{"authorization": "Bearer <token>"}``.
            location_id: The location used when a method's ``location_id`` is omitted.
            timeout: The default deadline of every call in seconds; ``None`` for no deadline.
            retry: How reads are retried on ``UNAVAILABLE`` (default: a :class:`RetryPolicy` with its defaults).

        Raises:
            ArgumentError: If ``timeout`` is zero or negative.

        """
        if timeout is not None and timeout <= 0:
            raise ArgumentError("timeout must be positive (or None for no deadline)")
        protect_library_logs()  # the bearer token in metadata would otherwise reach hpack's DEBUG log lines
        self._channel = channel
        self._metadata = dict(metadata)
        self._owns_channel = False
        self.location_id = location_id or None
        """The default location id (``None`` when not set)."""
        self.timeout = timeout
        """The default deadline of every call, in seconds."""
        self.retry = retry if retry is not None else RetryPolicy()
        """The retry policy of idempotent reads."""
        self.raw = services.AppServiceAsyncClient(channel, timeout=timeout, metadata=self._metadata)
        """The generated raw client: every ``viam.app.v1.AppService`` RPC, with the client's metadata and timeout."""
        # Streams (the live tail) must not inherit the default deadline, which would cut them off.
        self._streams = services.AppServiceAsyncClient(channel, timeout=None, metadata=self._metadata)

    def _location(self, name: str, location_id: str | None) -> str:
        """Return ``location_id``, else the client's default; ``ValueError`` naming ``name`` if neither is set."""
        if location_id is not None and not isinstance(location_id, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"{name} must be a str, got {type(location_id).__name__}")
        chosen = location_id or self.location_id
        if not chosen:
            raise ArgumentError(f"{name} is required: pass {name}= or create the client with a location_id")
        return chosen

    # Plain functions handing back call_with_retry's coroutine: the caller awaits it directly, one coroutine frame
    # fewer for every step of every call.
    def _read(self, rpc: Callable[..., Awaitable[R]], request: Any, timeout: float | None) -> Awaitable[R]:
        """Call an idempotent RPC: ``UNAVAILABLE`` is retried per the client's policy."""
        return call_with_retry(lambda: rpc(request=request, timeout=timeout), idempotent=True, policy=self.retry)

    def _write(self, rpc: Callable[..., Awaitable[R]], request: Any, timeout: float | None) -> Awaitable[R]:
        """Call an RPC that changes state: never retried, since a lost reply may hide an applied write."""
        return call_with_retry(lambda: rpc(request=request, timeout=timeout), idempotent=False, policy=self.retry)
