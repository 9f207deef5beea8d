"""``AsyncAppClient``: the 70 fleet management methods of the official SDK's ``AppClient``, plus conveniences.

The methods run over the generated raw client; the conveniences are the default location id, config and log
export, log paging and tailing, timeouts, retries of reads and typed errors.

This module is the single source of truth for the client surface: the blocking :class:`fleetwire.AppClient`
is generated from it by ``codegen/overlay.py`` (``python -m codegen``), so every public method here must keep
its parameters explicit (no ``*args``/``**kwargs``) and its docstring complete.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from . import export, logs
from ._convert import dict_to_struct
from ._logging import protect_library_logs
from ._retry import RetryPolicy, call_with_retry
from ._wire import app_pb, pkg_pb, services
from .errors import InvalidArgumentError
from .logs import LogsStream
from .models import (
    APIKeyAuthorization,
    Fragment,
    FragmentHistoryEntry,
    LogEntry,
    ResourceType,
    RobotPart,
    RobotPartHistoryEntry,
    Role,
    check_resource_type,
    check_role,
    robot_part_from_response,
)

if TYPE_CHECKING:  # the transport is loaded when a client is built or connects (see _wire)
    import ssl

    from grpclib.client import Channel

__all__ = ("DEFAULT_TIMEOUT", "ArgumentError", "AsyncAppClient")

DEFAULT_TIMEOUT = 30.0
"""Seconds a call may take unless the client or the call says otherwise."""

_GET_ROBOT_PART = "/viam.app.v1.AppService/GetRobotPart"
_GET_ROBOT_PART_LOGS = "/viam.app.v1.AppService/GetRobotPartLogs"

M = TypeVar("M")
R = TypeVar("R")


class ArgumentError(InvalidArgumentError, ValueError):
    """An argument the client rejects before making any call: a ``ValueError`` naming the argument.

    It is also an ``InvalidArgumentError``, hence a ``GRPCError``, so handlers written for the ``GRPCError``
    listed under ``Raises`` in the method docstrings catch it too.
    """

    def __init__(self, message: str) -> None:
        """Build the error from a message that names the argument."""
        super().__init__(None, message)


def _require_id(name: str, value: object) -> None:
    """Reject an id that is not a non-empty string, naming the parameter."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not value.strip():
        raise ArgumentError(f"{name} must not be empty")


def _require_text(name: str, value: object) -> None:
    """Reject a required text argument that is not a non-empty string (same rule as ids)."""
    _require_id(name, value)


def _check_log_levels(log_levels: object) -> None:
    """Reject ``log_levels`` unless it is a list (or tuple) of strings."""
    if isinstance(log_levels, str) or not isinstance(log_levels, (list, tuple)):
        raise TypeError(f"log_levels must be a list of str, got {type(log_levels).__name__}")
    for level in cast("list[object]", log_levels):
        if not isinstance(level, str):
            raise TypeError(f"log_levels must be a list of str, got an item of type {type(level).__name__}")


def _present(message: M | None, kind: Callable[[], M]) -> M:
    """Return a response's message field, or an empty message when the server left it unset."""
    return message if message is not None else kind()


def _authorization(
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


def _role_authorization(
    org_id: str, identity_id: str, role: object, resource_type: object, resource_id: str, *, prefix: str
) -> app_pb.Authorization:
    """Validate the arguments of a role change (names carry ``prefix``) and build its ``Authorization``."""
    _require_id("organization_id" if prefix else "org_id", org_id)
    _require_id(f"{prefix}identity_id", identity_id)
    _require_id(f"{prefix}resource_id", resource_id)
    return _authorization(
        org_id,
        identity_id,
        "",
        check_role(f"{prefix}role", role),
        check_resource_type(f"{prefix}resource_type", resource_type),
        resource_id,
    )


def _key_authorization(org_id: str, auth: object) -> app_pb.Authorization:
    """Build the ``Authorization`` of a new API key from an :class:`APIKeyAuthorization`."""
    if not isinstance(auth, APIKeyAuthorization):
        raise TypeError(f"authorizations must hold APIKeyAuthorization objects, got {type(auth).__name__}")
    _require_id("resource_id", auth.resource_id)
    return _authorization(org_id, "", "api-key", auth.role, auth.resource_type, auth.resource_id)


class AsyncAppClient:
    """Asyncio client for the fleet management RPCs of the app server.

    The methods, parameters, defaults and return shapes are those of the official SDK's async ``AppClient``, so
    code written for that client runs on this one. Build it from an open channel and call metadata, or let
    :meth:`connect` dial the server::

        async with await AsyncAppClient.connect(api_key="...", api_key_id="...", location_id="loc-1") as client:
            machines = await client.list_robots()

    Every method also takes a keyword-only ``timeout`` in seconds. Reads are retried on ``UNAVAILABLE`` with
    jittered exponential backoff, as ``retry`` says; writes are never retried. Id arguments must be non-empty
    strings: an empty one raises :class:`ArgumentError` and a non-string ``TypeError``, both before any call.
    ``raw`` reaches every AppService RPC.
    """

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

    @classmethod
    async def connect(
        cls,
        url: str | None = None,
        *,
        api_key: str | None = None,
        api_key_id: str | None = None,
        location_id: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        tls: bool | ssl.SSLContext | None = None,
    ) -> AsyncAppClient:
        """Dial the app server with an API key; the client returned owns (and closes) its channel.

        Args:
            url: The server as ``host:port`` (default ``app.viam.com:443``).
            api_key: The API key (default: the ``VIAM_API_KEY`` environment variable).
            api_key_id: The API key's id (default: the ``VIAM_API_KEY_ID`` environment variable).
            location_id: The location used when a method's ``location_id`` is omitted.
            timeout: The default deadline of every call in seconds; ``None`` for no deadline.
            tls: ``None`` uses TLS except for loopback hosts; ``True`` or ``False`` forces it on or off; an
                ``SSLContext`` is used as given.

        Returns:
            The connected client; close it with ``await client.close()``, or use it as ``async with client:``.

        Raises:
            ValueError: If the key or the key id is missing (the message names which), or ``url`` is not
                ``host:port``.
            UnauthenticatedError: If the server rejects the key.

        Example:
            ::

                client = await AsyncAppClient.connect("app.viam.com:443", api_key="...", api_key_id="...")

        """
        from ._connect import dial  # grpclib's client, ssl and the auth client: what connecting needs

        dialed = await dial(url, api_key=api_key, api_key_id=api_key_id, timeout=timeout, tls=tls)
        client = cls(dialed.channel, dialed.metadata, location_id, timeout=timeout)
        client._owns_channel = True
        return client

    async def close(self) -> None:
        """Close the channel if this client opened it (:meth:`connect`); idempotent."""
        if self._owns_channel:
            self._owns_channel = False
            self._channel.close()

    async def __aenter__(self) -> AsyncAppClient:
        """Return self; the client is closed on exit."""
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Close the client (see :meth:`close`)."""
        await self.close()

    def __repr__(self) -> str:
        """Show where the client points, never its credentials."""
        return (
            f"{type(self).__name__}(host={self._channel._host!r}, port={self._channel._port!r}, "  # pyright: ignore[reportPrivateUsage]
            f"location_id={self.location_id!r})"
        )

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

    async def _log_page(
        self,
        robot_part_id: str,
        filter: str | None,
        log_levels: list[str],
        page_token: str,
        page_size: int | None,
        timeout: float | None,
    ) -> bytes:
        """Fetch one page of logs as its wire bytes (filter and page token always set, as the official SDK sends them).

        The pager reads the next page token from the bytes and requests that page before decoding this one.
        """
        request = app_pb.GetRobotPartLogsRequest(
            id=robot_part_id, filter=filter or "", page_token=page_token, levels=list(log_levels), limit=page_size
        )
        rpc = functools.partial(self.raw.unary_unary_bytes, _GET_ROBOT_PART_LOGS)
        return await self._read(rpc, request, timeout)

    def _pager(
        self,
        robot_part_id: str,
        filter: str | None,
        log_levels: list[str],
        *,
        page_size: int | None,
        timeout: float | None,
    ) -> logs.LogPager:
        async def fetch(token: str) -> bytes:
            return await self._log_page(robot_part_id, filter, log_levels, token, page_size, timeout)

        return logs.LogPager(fetch)

    def iter_robot_part_logs(
        self,
        robot_part_id: str,
        filter: str | None = None,
        log_levels: list[str] = [],  # noqa: B006  # same default as get_robot_part_logs; never mutated
        *,
        num_log_entries: int = 0,
        page_size: int | None = None,
        timeout: float | None = None,
    ) -> LogsStream[LogEntry]:
        """Iterate over a machine part's logs page by page, holding only a page or two in memory.

        The next page is requested while the current one is read. To stop early, close the stream with
        ``await entries.close()`` or leave its ``async with ... as entries:`` block.

        Args:
            robot_part_id: The part's id.
            filter: Keep only entries whose message contains this text; ``None`` or ``""`` (the default) keeps all.
            log_levels: The levels to keep; the default empty list keeps every level.
            num_log_entries: Stop after this many entries; 0 (the default) reads them all.
            page_size: How many entries to ask the server for per page (default: the server's page size).
            timeout: Seconds each page request may take (default: the client's timeout).

        Returns:
            A stream of :class:`LogEntry`.

        Raises:
            ArgumentError: If ``num_log_entries`` is negative or ``page_size`` is not positive (raised before any
                call).
            TypeError: If ``log_levels`` is not a list of strings.

        Example:
            ::

                async with client.iter_robot_part_logs("part-1", log_levels=["error"]) as entries:
                    async for entry in entries:
                        print(entry.time, entry.message)

        """
        _require_id("robot_part_id", robot_part_id)
        _check_log_levels(log_levels)
        if num_log_entries < 0:
            raise ArgumentError("num_log_entries must be at least 0 (0 returns all logs)")
        if page_size is not None and page_size <= 0:
            raise ArgumentError("page_size must be positive")
        pager = self._pager(robot_part_id, filter, log_levels, page_size=page_size, timeout=timeout)
        return LogsStream(pager.chunks(limit=num_log_entries))

    async def get_user_id_by_email(
        self,
        email: str,
        *,
        timeout: float | None = None,
    ) -> str:
        """Look up a user's id from their email address.

        Args:
            email: The user's email address.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The user's id.

        Example:
            ::

                user_id = await client.get_user_id_by_email("ada@example.com")

        """
        _require_text("email", email)
        response = await self._read(self.raw.get_user_id_by_email, app_pb.GetUserIdByEmailRequest(email=email), timeout)
        return response.user_id

    async def create_organization(
        self,
        name: str,
        *,
        timeout: float | None = None,
    ) -> app_pb.Organization:
        """Create a new organization.

        Args:
            name: The new organization's name.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organization just created.

        Example:
            ::

                org = await client.create_organization("Test Bench")

        """
        response = await self._write(self.raw.create_organization, app_pb.CreateOrganizationRequest(name=name), timeout)
        return _present(response.organization, app_pb.Organization)

    async def list_organizations(
        self,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.Organization]:
        """List the organizations the caller is an authorized owner of.

        Args:
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organizations.

        Example:
            ::

                orgs = await client.list_organizations()

        """
        response = await self._read(self.raw.list_organizations, app_pb.ListOrganizationsRequest(), timeout)
        return list(response.organizations)

    async def get_organizations_with_access_to_location(
        self,
        location_id: str,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.OrganizationIdentity]:
        """List every organization that has access to a location.

        Args:
            location_id: The location's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organizations with access to the location.

        Example:
            ::

                orgs = await client.get_organizations_with_access_to_location("loc-1")

        """
        _require_id("location_id", location_id)
        request = app_pb.GetOrganizationsWithAccessToLocationRequest(location_id=location_id)
        response = await self._read(self.raw.get_organizations_with_access_to_location, request, timeout)
        return list(response.organization_identities)

    async def list_organizations_by_user(
        self,
        user_id: str,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.OrgDetails]:
        """List the organizations a user is a member of.

        Args:
            user_id: The user's id (see :meth:`get_user_id_by_email`).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The user's organizations.

        Example:
            ::

                orgs = await client.list_organizations_by_user("user-1")

        """
        _require_id("user_id", user_id)
        request = app_pb.ListOrganizationsByUserRequest(user_id=user_id)
        response = await self._read(self.raw.list_organizations_by_user, request, timeout)
        return list(response.orgs)

    async def get_organization(
        self,
        org_id: str,
        *,
        timeout: float | None = None,
    ) -> app_pb.Organization:
        """Fetch one organization: its id, name, public namespace and other details.

        Args:
            org_id: The organization's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organization.

        Raises:
            GRPCError: If ``org_id`` is invalid or the caller is not authorized for that organization.

        Example:
            ::

                org = await client.get_organization("org-1")

        """
        _require_id("org_id", org_id)
        request = app_pb.GetOrganizationRequest(organization_id=org_id)
        response = await self._read(self.raw.get_organization, request, timeout)
        return _present(response.organization, app_pb.Organization)

    async def get_organization_namespace_availability(
        self,
        public_namespace: str,
        *,
        timeout: float | None = None,
    ) -> bool:
        """Tell whether a public namespace is still free for an organization to take.

        Args:
            public_namespace: The namespace to check; namespaces hold only lowercase letters, digits and dashes.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            ``True`` when the namespace is available.

        Raises:
            GRPCError: If the namespace is not a valid one (the empty string, say).

        Example:
            ::

                free = await client.get_organization_namespace_availability(public_namespace="test-bench")

        """
        # An empty namespace is the server's to reject (documented as "raises GRPCError"), so no client-side check here.
        request = app_pb.GetOrganizationNamespaceAvailabilityRequest(public_namespace=public_namespace)
        response = await self._read(self.raw.get_organization_namespace_availability, request, timeout)
        return response.available

    async def update_organization(
        self,
        org_id: str,
        name: str | None = None,
        public_namespace: str | None = None,
        region: str | None = None,
        cid: str | None = None,
        *,
        timeout: float | None = None,
    ) -> app_pb.Organization:
        """Change an organization's details; only the fields passed are changed.

        Args:
            org_id: The id of the organization to change.
            name: A new name.
            public_namespace: A namespace for the organization; it can only be set while none is set yet.
            region: A new region.
            cid: A new CRM id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organization as it is after the change.

        Raises:
            GRPCError: If the organization already has a namespace, or the requested namespace is taken.

        Example:
            ::

                org = await client.update_organization(org_id="org-1", name="Test Bench", public_namespace="test-bench")

        """
        _require_id("org_id", org_id)
        request = app_pb.UpdateOrganizationRequest(
            organization_id=org_id, name=name, public_namespace=public_namespace, region=region, cid=cid
        )
        response = await self._write(self.raw.update_organization, request, timeout)
        return _present(response.organization, app_pb.Organization)

    async def delete_organization(
        self,
        org_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Delete an organization.

        Args:
            org_id: The id of the organization to delete.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Example:
            ::

                await client.delete_organization("org-1")

        """
        _require_id("org_id", org_id)
        await self._write(
            self.raw.delete_organization, app_pb.DeleteOrganizationRequest(organization_id=org_id), timeout
        )

    async def list_organization_members(
        self,
        org_id: str,
        *,
        timeout: float | None = None,
    ) -> tuple[list[app_pb.OrganizationMember], list[app_pb.OrganizationInvite]]:
        """List an organization's members and its pending invites.

        Args:
            org_id: The organization's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            A pair ``(members, invites)``: the list of members first, then the list of pending invites.

        Example:
            ::

                members, invites = await client.list_organization_members("org-1")

        """
        _require_id("org_id", org_id)
        request = app_pb.ListOrganizationMembersRequest(organization_id=org_id)
        response = await self._read(self.raw.list_organization_members, request, timeout)
        return list(response.members), list(response.invites)

    async def create_organization_invite(
        self,
        org_id: str,
        email: str,
        authorizations: list[app_pb.Authorization] | None = None,
        send_email_invite: bool = True,
        *,
        timeout: float | None = None,
    ) -> app_pb.OrganizationInvite:
        """Invite someone to an organization, by default with an email.

        Args:
            org_id: The id of the organization to invite to.
            email: The invitee's email address.
            authorizations: The authorizations the invite grants; when omitted the invitee becomes a full owner.
            send_email_invite: Whether to email the invite. With ``True`` (the default) the invitee gets the
                authorizations once they accept the email; with ``False`` they get them automatically the next time
                they log in with that email address.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The invite.

        Raises:
            GRPCError: If the email address is invalid, or its user is already a member of the organization.

        Example:
            ::

                invite = await client.create_organization_invite("org-1", "ada@example.com")

        """
        _require_id("org_id", org_id)
        _require_text("email", email)
        request = app_pb.CreateOrganizationInviteRequest(
            organization_id=org_id,
            email=email,
            authorizations=list(authorizations or []),
            send_email_invite=send_email_invite,
        )
        response = await self._write(self.raw.create_organization_invite, request, timeout)
        return _present(response.invite, app_pb.OrganizationInvite)

    async def update_organization_invite_authorizations(
        self,
        org_id: str,
        email: str,
        add_authorizations: list[app_pb.Authorization] | None = None,
        remove_authorizations: list[app_pb.Authorization] | None = None,
        *,
        timeout: float | None = None,
    ) -> app_pb.OrganizationInvite:
        """Add authorizations to, or remove them from, an invite that already exists.

        An invite holds at most one authorization per resource level (organization, location, machine) and always
        at least one authorization.

        Args:
            org_id: The id of the organization the invite is for.
            email: The email address the invite went to.
            add_authorizations: Authorizations to add to the invite.
            remove_authorizations: Authorizations to remove from the invite.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The invite after the change.

        Raises:
            GRPCError: If no authorization is given, or the change would leave an invalid set (removing the only
                authorization of an invite, for example).

        Example:
            ::

                from fleetwire_api.viam.app.v1 import Authorization

                grant = Authorization(
                    authorization_type="role",
                    authorization_id="location_operator",
                    resource_type="location",  # or "organization", "robot"
                    resource_id="loc-1",  # the id of that resource
                    identity_id="",
                    organization_id="org-1",
                    identity_type="",
                )
                invite = await client.update_organization_invite_authorizations(
                    org_id="org-1", email="ada@example.com", add_authorizations=[grant]
                )

        """
        _require_id("org_id", org_id)
        _require_text("email", email)
        request = app_pb.UpdateOrganizationInviteAuthorizationsRequest(
            organization_id=org_id,
            email=email,
            add_authorizations=list(add_authorizations or []),
            remove_authorizations=list(remove_authorizations or []),
        )
        response = await self._write(self.raw.update_organization_invite_authorizations, request, timeout)
        return _present(response.invite, app_pb.OrganizationInvite)

    async def delete_organization_member(
        self,
        org_id: str,
        user_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Remove a user from an organization.

        Args:
            org_id: The organization's id.
            user_id: The id of the member to remove.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Example:
            ::

                members, _ = await client.list_organization_members("org-1")
                await client.delete_organization_member(org_id="org-1", user_id=members[0].user_id)

        """
        _require_id("org_id", org_id)
        _require_id("user_id", user_id)
        request = app_pb.DeleteOrganizationMemberRequest(organization_id=org_id, user_id=user_id)
        await self._write(self.raw.delete_organization_member, request, timeout)

    async def delete_organization_invite(
        self,
        org_id: str,
        email: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Withdraw a pending invite to an organization.

        Args:
            org_id: The id of the organization the invite is for.
            email: The email address the invite went to.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If there is no pending invite for that email address.

        Example:
            ::

                await client.delete_organization_invite("org-1", "ada@example.com")

        """
        _require_id("org_id", org_id)
        _require_text("email", email)
        request = app_pb.DeleteOrganizationInviteRequest(organization_id=org_id, email=email)
        await self._write(self.raw.delete_organization_invite, request, timeout)

    async def resend_organization_invite(
        self,
        org_id: str,
        email: str,
        *,
        timeout: float | None = None,
    ) -> app_pb.OrganizationInvite:
        """Send the email of a pending organization invite again.

        Args:
            org_id: The id of the organization the invite is for.
            email: The email address the invite went to.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The invite that was sent again.

        Raises:
            GRPCError: If there is no pending invite for that email address.

        Example:
            ::

                invite = await client.resend_organization_invite("org-1", "ada@example.com")

        """
        _require_id("org_id", org_id)
        _require_text("email", email)
        request = app_pb.ResendOrganizationInviteRequest(organization_id=org_id, email=email)
        response = await self._write(self.raw.resend_organization_invite, request, timeout)
        return _present(response.invite, app_pb.OrganizationInvite)

    async def create_location(
        self,
        org_id: str,
        name: str,
        parent_location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> app_pb.Location:
        """Create a location in an organization, at the top level or inside another location.

        Args:
            org_id: The id of the organization to create the location in.
            name: The location's name.
            parent_location_id: The location to nest the new one in; when omitted it is a top-level location.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The location just created.

        Raises:
            GRPCError: If the name is invalid (the empty string, say) or the parent location id is (one that does
                not exist, say).

        Example:
            ::

                lab = await client.create_location(org_id="org-1", name="Lab", parent_location_id="loc-1")

        """
        _require_id("org_id", org_id)
        request = app_pb.CreateLocationRequest(organization_id=org_id, name=name, parent_location_id=parent_location_id)
        response = await self._write(self.raw.create_location, request, timeout)
        return _present(response.location, app_pb.Location)

    async def get_location(
        self,
        location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> app_pb.Location:
        """Fetch one location.

        Args:
            location_id: The location's id (default: the client's ``location_id``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The location.

        Raises:
            ArgumentError: If ``location_id`` is omitted and the client has no default location (raised before
                any call; it is an ``InvalidArgumentError`` too, hence a ``GRPCError``).
            GRPCError: If the location id is invalid.

        Example:
            ::

                location = await client.get_location(location_id="loc-1")

        """
        request = app_pb.GetLocationRequest(location_id=self._location("location_id", location_id))
        response = await self._read(self.raw.get_location, request, timeout)
        return _present(response.location, app_pb.Location)

    async def update_location(
        self,
        location_id: str,
        name: str | None = None,
        parent_location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> app_pb.Location:
        """Rename a location, move it under another parent, or both.

        Args:
            location_id: The id of the location to change (required).
            name: The new name; when omitted (or ``""``) the name is unchanged.
            parent_location_id: The id of the new parent location; when omitted, no new parent is assigned. Passing
                ``""`` together with ``name=""`` makes it a top-level location again (see the example).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The location as it is after the change.

        Raises:
            GRPCError: If the location id, the name or the parent location id is invalid.

        Example:
            ::

                # Move loc-2 under loc-1, keeping its name.
                moved = await client.update_location(location_id="loc-2", name="", parent_location_id="loc-1")
                # Rename it, keeping its parent.
                renamed = await client.update_location(location_id="loc-2", name="Workshop")
                # Make it a top-level location again.
                top = await client.update_location(location_id="loc-2", name="", parent_location_id="")

        """
        _require_id("location_id", location_id)
        request = app_pb.UpdateLocationRequest(
            location_id=location_id, name=name, parent_location_id=parent_location_id
        )
        response = await self._write(self.raw.update_location, request, timeout)
        return _present(response.location, app_pb.Location)

    async def delete_location(
        self,
        location_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Delete a location.

        Args:
            location_id: The id of the location to delete (required).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the location id is invalid.

        Example:
            ::

                await client.delete_location(location_id="loc-2")

        """
        _require_id("location_id", location_id)
        await self._write(self.raw.delete_location, app_pb.DeleteLocationRequest(location_id=location_id), timeout)

    async def list_locations(
        self,
        org_id: str,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.Location]:
        """List the locations of an organization.

        Args:
            org_id: The organization's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organization's locations.

        Example:
            ::

                locations = await client.list_locations("org-1")

        """
        _require_id("org_id", org_id)
        response = await self._read(
            self.raw.list_locations, app_pb.ListLocationsRequest(organization_id=org_id), timeout
        )
        return list(response.locations)

    async def share_location(
        self,
        organization_id: str,
        location_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Give another organization access to a location.

        Args:
            organization_id: The id of the organization to share the location with.
            location_id: The location's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Example:
            ::

                await client.share_location("org-2", "loc-1")

        """
        _require_id("organization_id", organization_id)
        _require_id("location_id", location_id)
        request = app_pb.ShareLocationRequest(location_id=location_id, organization_id=organization_id)
        await self._write(self.raw.share_location, request, timeout)

    async def unshare_location(
        self,
        organization_id: str,
        location_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Take back an organization's access to a shared location.

        Args:
            organization_id: The id of the organization the location is shared with.
            location_id: The location's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Example:
            ::

                await client.unshare_location("org-2", "loc-1")

        """
        _require_id("organization_id", organization_id)
        _require_id("location_id", location_id)
        request = app_pb.UnshareLocationRequest(location_id=location_id, organization_id=organization_id)
        await self._write(self.raw.unshare_location, request, timeout)

    async def location_auth(
        self,
        location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> app_pb.LocationAuth:
        """Fetch a location's ``LocationAuth``, which holds the location's secrets.

        Args:
            location_id: The location's id (default: the client's ``location_id``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The location's ``LocationAuth``, secrets included.

        Raises:
            ArgumentError: If ``location_id`` is omitted and the client has no default location (raised before
                any call; it is an ``InvalidArgumentError`` too, hence a ``GRPCError``).
            GRPCError: If the location id is invalid.

        Example:
            ::

                auth = await client.location_auth(location_id="loc-1")

        """
        request = app_pb.LocationAuthRequest(location_id=self._location("location_id", location_id))
        response = await self._read(self.raw.location_auth, request, timeout)
        return _present(response.auth, app_pb.LocationAuth)

    async def create_location_secret(
        self,
        location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> app_pb.LocationAuth:
        """Add a new secret to a location.

        Args:
            location_id: The location's id (default: the client's ``location_id``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The location's ``LocationAuth``, which now includes the new secret.

        Raises:
            ArgumentError: If ``location_id`` is omitted and the client has no default location (raised before
                any call; it is an ``InvalidArgumentError`` too, hence a ``GRPCError``).
            GRPCError: If the location id is invalid.

        Example:
            ::

                auth = await client.create_location_secret(location_id="loc-1")

        """
        request = app_pb.CreateLocationSecretRequest(location_id=self._location("location_id", location_id))
        response = await self._write(self.raw.create_location_secret, request, timeout)
        return _present(response.auth, app_pb.LocationAuth)

    async def delete_location_secret(
        self,
        secret_id: str,
        location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> None:
        """Remove one secret from a location.

        Args:
            secret_id: The id of the secret to remove.
            location_id: The location's id (default: the client's ``location_id``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            ArgumentError: If ``location_id`` is omitted and the client has no default location (raised before
                any call; it is an ``InvalidArgumentError`` too, hence a ``GRPCError``).
            GRPCError: If the location id or the secret id is invalid.

        Example:
            ::

                await client.delete_location_secret(secret_id="secret-1", location_id="loc-1")

        """
        _require_id("secret_id", secret_id)
        request = app_pb.DeleteLocationSecretRequest(
            location_id=self._location("location_id", location_id), secret_id=secret_id
        )
        await self._write(self.raw.delete_location_secret, request, timeout)

    async def get_robot(
        self,
        robot_id: str,
        *,
        timeout: float | None = None,
    ) -> app_pb.Robot:
        """Fetch one machine.

        Args:
            robot_id: The machine's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The machine.

        Raises:
            GRPCError: If the machine id is invalid.

        Example:
            ::

                machine = await client.get_robot(robot_id="machine-1")

        """
        _require_id("robot_id", robot_id)
        response = await self._read(self.raw.get_robot, app_pb.GetRobotRequest(id=robot_id), timeout)
        return _present(response.robot, app_pb.Robot)

    async def get_rover_rental_robots(
        self,
        org_id: str,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.RoverRentalRobot]:
        """List the rover rental machines of an organization.

        Args:
            org_id: The organization's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organization's rover rental machines.

        Example:
            ::

                rovers = await client.get_rover_rental_robots("org-1")

        """
        _require_id("org_id", org_id)
        request = app_pb.GetRoverRentalRobotsRequest(org_id=org_id)
        response = await self._read(self.raw.get_rover_rental_robots, request, timeout)
        return list(response.robots)

    async def get_robot_parts(
        self,
        robot_id: str,
        *,
        timeout: float | None = None,
    ) -> list[RobotPart]:
        """List the parts of a machine.

        Args:
            robot_id: The machine's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The machine's parts.

        Raises:
            GRPCError: If the machine id is invalid.

        Example:
            ::

                parts = await client.get_robot_parts(robot_id="machine-1")

        """
        _require_id("robot_id", robot_id)
        response = await self._read(self.raw.get_robot_parts, app_pb.GetRobotPartsRequest(robot_id=robot_id), timeout)
        return [RobotPart.from_proto(part) for part in response.parts]

    async def get_robot_part(
        self,
        robot_part_id: str,
        dest: str | None = None,
        indent: int = 4,
        *,
        timeout: float | None = None,
    ) -> RobotPart:
        """Fetch one machine part, optionally saving its config as a JSON file.

        Args:
            robot_part_id: The part's id.
            dest: A file path; when given, the part's config is written there as JSON.
            indent: The number of spaces per indent level of the JSON written to ``dest`` (default 4).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The machine part.

        Raises:
            ArgumentError: If ``indent`` is negative (raised before any call).
            GRPCError: If the part id is invalid.

        Example:
            ::

                part = await client.get_robot_part(robot_part_id="part-1", dest="part-1.json")

        """
        _require_id("robot_part_id", robot_part_id)
        if indent < 0:
            raise ArgumentError("indent must be at least 0")
        # The response's bytes, read straight into the wrapper: the config Struct becomes a dict without a detour.
        rpc = functools.partial(self.raw.unary_unary_bytes, _GET_ROBOT_PART)
        data = await self._read(rpc, app_pb.GetRobotPartRequest(id=robot_part_id), timeout)
        part, config_json = robot_part_from_response(data)
        if dest:
            # The server's config_json is the canonical config; fall back to the part's struct when it is empty.
            config = json.loads(config_json) if config_json else (part.robot_config or {})
            export.write_json(dest, config, indent=indent)
        return part

    async def get_robot_part_logs(
        self,
        robot_part_id: str,
        filter: str | None = None,
        dest: str | None = None,
        log_levels: list[str] = [],  # noqa: B006  # the official default; never mutated
        num_log_entries: int = 100,
        *,
        timeout: float | None = None,
    ) -> list[LogEntry]:
        """Fetch a machine part's logs, optionally saving them to a file.

        Pages are fetched until ``num_log_entries`` entries are collected or the logs run out; each next page is
        requested as soon as the current one's page token is read, so the server answers while the client decodes
        (never a page past ``num_log_entries``).

        Args:
            robot_part_id: The part's id.
            filter: Keep only entries whose message contains this text; ``None`` or ``""`` (the default) keeps all.
            dest: A file path; when given, the entries are written there as well (JSON Lines for a ``.jsonl`` or
                ``.ndjson`` path, text lines otherwise).
            log_levels: The levels to keep; the default empty list keeps every level.
            num_log_entries: How many entries to return at most (default 100); 0 returns all of them. Fewer come back
                when the part has fewer logs.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The log entries.

        Raises:
            ArgumentError: If ``num_log_entries`` is negative (raised before any call).
            TypeError: If ``log_levels`` is not a list of strings.
            GRPCError: If the part id is invalid.

        Example:
            ::

                entries = await client.get_robot_part_logs(robot_part_id="part-1", num_log_entries=20)

        """
        _require_id("robot_part_id", robot_part_id)
        _check_log_levels(log_levels)
        if num_log_entries < 0:
            raise ArgumentError("num_log_entries must be at least 0 (0 returns all logs)")
        # The next page is requested as soon as this one's token is read, never past num_log_entries.
        pager = self._pager(robot_part_id, filter, log_levels, page_size=None, timeout=timeout)
        entries = await pager.collect(limit=num_log_entries)
        if dest:
            export.write_logs(dest, entries)
        return entries

    async def tail_robot_part_logs(
        self,
        robot_part_id: str,
        errors_only: bool = True,
        filter: str | None = None,
        *,
        timeout: float | None = None,
    ) -> LogsStream[list[LogEntry]]:
        """Follow a machine part's logs live, as they are produced.

        Args:
            robot_part_id: The part's id.
            errors_only: Whether to receive only error entries (default ``True``).
            filter: Keep only entries whose message contains this text; ``None`` or ``""`` (the default) keeps all.
            timeout: Seconds the whole tail may last before it fails with ``DeadlineExceededError``; unlike other
                calls, the default is no deadline at all, so the tail runs until it is closed.

        Returns:
            A stream of batches (lists) of new log entries; close it to stop following.

        Example:
            ::

                stream = await client.tail_robot_part_logs(robot_part_id="part-1")
                batch = await stream.next()  # the next list of new entries
                await stream.close()

        """
        _require_id("robot_part_id", robot_part_id)
        request = app_pb.TailRobotPartLogsRequest(id=robot_part_id, errors_only=errors_only, filter=filter or "")
        # A live tail has no deadline unless the caller gives one: the client's default would cut it off.
        return LogsStream(logs.tail(self._streams.tail_robot_part_logs(request=request, timeout=timeout)))

    async def get_robot_part_history(
        self,
        robot_part_id: str,
        *,
        timeout: float | None = None,
    ) -> list[RobotPartHistoryEntry]:
        """List the recorded history of a machine part.

        Args:
            robot_part_id: The part's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The part's history entries.

        Raises:
            GRPCError: If the part id is invalid.

        Example:
            ::

                history = await client.get_robot_part_history(robot_part_id="part-1")

        """
        _require_id("robot_part_id", robot_part_id)
        request = app_pb.GetRobotPartHistoryRequest(id=robot_part_id)
        response = await self._read(self.raw.get_robot_part_history, request, timeout)
        return [RobotPartHistoryEntry.from_proto(entry) for entry in response.history]

    async def update_robot_part(
        self,
        robot_part_id: str,
        name: str,
        robot_config: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> RobotPart:
        """Rename a machine part and, optionally, replace its config.

        Args:
            robot_part_id: The part's id.
            name: The part's new name.
            robot_config: A new config, as a dictionary; when omitted (or empty) the config stays as it is.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The part as it is after the change.

        Raises:
            GRPCError: If the part id, the name or the config is invalid.

        Example:
            ::

                part = await client.update_robot_part(robot_part_id="part-1", name="arm-controller")

        """
        _require_id("robot_part_id", robot_part_id)
        request = app_pb.UpdateRobotPartRequest(
            id=robot_part_id, name=name, robot_config=dict_to_struct(robot_config) if robot_config else None
        )
        response = await self._write(self.raw.update_robot_part, request, timeout)
        return RobotPart.from_proto(_present(response.part, app_pb.RobotPart))

    async def new_robot_part(
        self,
        robot_id: str,
        part_name: str,
        *,
        timeout: float | None = None,
    ) -> str:
        """Add a new part to a machine.

        Args:
            robot_id: The machine's id.
            part_name: The new part's name.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The new part's id.

        Raises:
            GRPCError: If the machine id or the name is invalid.

        Example:
            ::

                part_id = await client.new_robot_part(robot_id="machine-1", part_name="camera-rig")

        """
        _require_id("robot_id", robot_id)
        request = app_pb.NewRobotPartRequest(robot_id=robot_id, part_name=part_name)
        response = await self._write(self.raw.new_robot_part, request, timeout)
        return response.part_id

    async def delete_robot_part(
        self,
        robot_part_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Delete a machine part.

        Args:
            robot_part_id: The id of the part to delete (required).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the part id is invalid.

        Example:
            ::

                await client.delete_robot_part(robot_part_id="part-2")

        """
        _require_id("robot_part_id", robot_part_id)
        await self._write(self.raw.delete_robot_part, app_pb.DeleteRobotPartRequest(part_id=robot_part_id), timeout)

    async def get_robot_api_keys(
        self,
        robot_id: str,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.ApiKeyWithAuthorizations]:
        """List the API keys of a machine.

        Args:
            robot_id: The machine's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The machine's API keys, each with its authorizations.

        Example:
            ::

                keys = await client.get_robot_api_keys(robot_id="machine-1")

        """
        _require_id("robot_id", robot_id)
        request = app_pb.GetRobotApiKeysRequest(robot_id=robot_id)
        response = await self._read(self.raw.get_robot_api_keys, request, timeout)
        return list(response.api_keys)

    async def mark_part_as_main(
        self,
        robot_part_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Make a part the main part of its machine.

        Args:
            robot_part_id: The part's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the part id is invalid.

        Example:
            ::

                await client.mark_part_as_main(robot_part_id="part-1")

        """
        _require_id("robot_part_id", robot_part_id)
        await self._write(self.raw.mark_part_as_main, app_pb.MarkPartAsMainRequest(part_id=robot_part_id), timeout)

    async def mark_part_for_restart(
        self,
        robot_part_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Ask for a machine part to be restarted.

        Args:
            robot_part_id: The part's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the part id is invalid.

        Example:
            ::

                await client.mark_part_for_restart(robot_part_id="part-1")

        """
        _require_id("robot_part_id", robot_part_id)
        request = app_pb.MarkPartForRestartRequest(part_id=robot_part_id)
        await self._write(self.raw.mark_part_for_restart, request, timeout)

    async def create_robot_part_secret(
        self,
        robot_part_id: str,
        *,
        timeout: float | None = None,
    ) -> RobotPart:
        """Add a new secret to a machine part.

        Args:
            robot_part_id: The part's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The part the secret was created for.

        Raises:
            GRPCError: If the part id is invalid.

        Example:
            ::

                part = await client.create_robot_part_secret(robot_part_id="part-1")

        """
        _require_id("robot_part_id", robot_part_id)
        request = app_pb.CreateRobotPartSecretRequest(part_id=robot_part_id)
        response = await self._write(self.raw.create_robot_part_secret, request, timeout)
        return RobotPart.from_proto(_present(response.part, app_pb.RobotPart))

    async def delete_robot_part_secret(
        self,
        robot_part_id: str,
        secret_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Remove one secret from a machine part.

        Args:
            robot_part_id: The part's id.
            secret_id: The id of the secret to remove.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the part id or the secret id is invalid.

        Example:
            ::

                await client.delete_robot_part_secret(robot_part_id="part-1", secret_id="secret-1")

        """
        _require_id("robot_part_id", robot_part_id)
        _require_id("secret_id", secret_id)
        request = app_pb.DeleteRobotPartSecretRequest(part_id=robot_part_id, secret_id=secret_id)
        await self._write(self.raw.delete_robot_part_secret, request, timeout)

    async def list_robots(
        self,
        location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.Robot]:
        """List the machines in a location.

        Args:
            location_id: The location's id (default: the client's ``location_id``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The location's machines.

        Raises:
            ArgumentError: If ``location_id`` is omitted and the client has no default location (raised before
                any call; it is an ``InvalidArgumentError`` too, hence a ``GRPCError``).
            GRPCError: If the location id is invalid.

        Example:
            ::

                machines = await client.list_robots(location_id="loc-1")

        """
        request = app_pb.ListRobotsRequest(location_id=self._location("location_id", location_id))
        response = await self._read(self.raw.list_robots, request, timeout)
        return list(response.robots)

    async def new_robot(
        self,
        name: str,
        location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> str:
        """Create a new machine in a location.

        Args:
            name: The new machine's name.
            location_id: The location to create it in (default: the client's ``location_id``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The new machine's id.

        Raises:
            ArgumentError: If ``location_id`` is omitted and the client has no default location (raised before
                any call; it is an ``InvalidArgumentError`` too, hence a ``GRPCError``).
            GRPCError: If the location id is invalid.

        Example:
            ::

                machine_id = await client.new_robot(name="rover-7", location_id="loc-1")

        """
        request = app_pb.NewRobotRequest(location=self._location("location_id", location_id), name=name)
        response = await self._write(self.raw.new_robot, request, timeout)
        return response.id

    async def update_robot(
        self,
        robot_id: str,
        name: str,
        location_id: str | None = None,
        *,
        timeout: float | None = None,
    ) -> app_pb.Robot:
        """Rename a machine.

        Args:
            robot_id: The machine's id.
            name: The machine's new name.
            location_id: The location the machine is in (default: the client's ``location_id``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The machine as it is after the change.

        Raises:
            ArgumentError: If ``location_id`` is omitted and the client has no default location (raised before
                any call; it is an ``InvalidArgumentError`` too, hence a ``GRPCError``).
            GRPCError: If the machine id, the name or the location id is invalid.

        Example:
            ::

                machine = await client.update_robot(robot_id="machine-1", name="rover-8", location_id="loc-1")

        """
        _require_id("robot_id", robot_id)
        request = app_pb.UpdateRobotRequest(id=robot_id, name=name, location=self._location("location_id", location_id))
        response = await self._write(self.raw.update_robot, request, timeout)
        return _present(response.robot, app_pb.Robot)

    async def delete_robot(
        self,
        robot_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Delete a machine.

        Args:
            robot_id: The id of the machine to delete.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the machine id is invalid.

        Example:
            ::

                await client.delete_robot(robot_id="machine-2")

        """
        _require_id("robot_id", robot_id)
        await self._write(self.raw.delete_robot, app_pb.DeleteRobotRequest(id=robot_id), timeout)

    async def list_fragments(
        self,
        org_id: str,
        show_public: bool = True,
        visibilities: list[Fragment.Visibility] | None = None,
        *,
        timeout: float | None = None,
    ) -> list[Fragment]:
        """List the fragments of an organization.

        Args:
            org_id: The organization's id.
            show_public: Deprecated, use ``visibilities``. ``True`` (the default) returns only public fragments,
                ``False`` only private ones.
            visibilities: The visibilities of the fragments to return; when empty, only public fragments are
                returned.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The fragments.

        Example:
            ::

                fragments = await client.list_fragments(org_id="org-1", visibilities=[])

        """
        _require_id("org_id", org_id)
        request = app_pb.ListFragmentsRequest(
            organization_id=org_id,
            fragment_visibility=[Fragment.Visibility(v).to_proto() for v in visibilities or []],
            show_public=show_public,
        )
        response = await self._read(self.raw.list_fragments, request, timeout)
        return [Fragment.from_proto(fragment) for fragment in response.fragments]

    async def get_fragment(
        self,
        fragment_id: str,
        *,
        timeout: float | None = None,
    ) -> Fragment:
        """Fetch one fragment.

        Args:
            fragment_id: The fragment's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The fragment.

        Raises:
            GRPCError: If the fragment id is invalid.

        Example:
            ::

                fragment = await client.get_fragment(fragment_id="frag-1")
                print(fragment.name, fragment.created_on)

        """
        _require_id("fragment_id", fragment_id)
        response = await self._read(self.raw.get_fragment, app_pb.GetFragmentRequest(id=fragment_id), timeout)
        return Fragment.from_proto(_present(response.fragment, app_pb.Fragment))

    async def create_fragment(
        self,
        org_id: str,
        name: str,
        config: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> Fragment:
        """Create a new private fragment in an organization.

        Args:
            org_id: The id of the organization that will own the fragment.
            name: The fragment's name.
            config: The fragment's config, as a dictionary; it can also be set later with :meth:`update_fragment`.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The fragment just created.

        Raises:
            GRPCError: If the name is invalid.

        Example:
            ::

                fragment = await client.create_fragment(org_id="org-1", name="camera-defaults")

        """
        _require_id("org_id", org_id)
        request = app_pb.CreateFragmentRequest(
            name=name, config=dict_to_struct(config) if config else None, organization_id=org_id
        )
        response = await self._write(self.raw.create_fragment, request, timeout)
        return Fragment.from_proto(_present(response.fragment, app_pb.Fragment))

    async def update_fragment(
        self,
        fragment_id: str,
        name: str,
        config: Mapping[str, Any] | None = None,
        public: bool | None = None,
        visibility: Fragment.Visibility | None = None,
        *,
        timeout: float | None = None,
    ) -> Fragment:
        """Rename a fragment and, optionally, replace its config and change its visibility.

        Args:
            fragment_id: The fragment's id.
            name: The fragment's new name.
            config: A new config, as a dictionary; when omitted the config stays as it is.
            public: Deprecated, use ``visibility``. Whether the fragment is public; when omitted the visibility
                stays as it is. New fragments are private.
            visibility: Who may see the fragment; when omitted the visibility stays as it is. New fragments are
                private.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The fragment as it is after the change.

        Raises:
            GRPCError: If the id, the name or the config is invalid.

        Example:
            ::

                fragment = await client.update_fragment(fragment_id="frag-1", name="camera-defaults-v2")

        """
        _require_id("fragment_id", fragment_id)
        request = app_pb.UpdateFragmentRequest(
            id=fragment_id,
            name=name,
            config=dict_to_struct(config) if config else None,
            public=public,
            visibility=Fragment.Visibility(visibility).to_proto() if visibility else None,
        )
        response = await self._write(self.raw.update_fragment, request, timeout)
        return Fragment.from_proto(_present(response.fragment, app_pb.Fragment))

    async def delete_fragment(
        self,
        fragment_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Delete a fragment.

        Args:
            fragment_id: The id of the fragment to delete.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            GRPCError: If the fragment id is invalid.

        Example:
            ::

                await client.delete_fragment(fragment_id="frag-2")

        """
        _require_id("fragment_id", fragment_id)
        await self._write(self.raw.delete_fragment, app_pb.DeleteFragmentRequest(id=fragment_id), timeout)

    async def get_fragment_history(
        self,
        id: str,
        page_token: str | None = "",
        page_limit: int | None = 10,
        *,
        timeout: float | None = None,
    ) -> list[FragmentHistoryEntry]:
        """Fetch one page of a fragment's edit history.

        Args:
            id: The fragment's id.
            page_token: The token of the page to fetch (default ``""``).
            page_limit: How many history entries to return at most (default 10).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The fragment's history entries.

        Raises:
            ArgumentError: If ``page_limit`` is negative (raised before any call).
            GRPCError: If the fragment id, the page token or the page limit is invalid.

        Example:
            ::

                history = await client.get_fragment_history(id="frag-1", page_token="", page_limit=5)

        """
        _require_id("id", id)
        if page_limit is not None and page_limit < 0:
            raise ArgumentError("page_limit must be at least 0")
        request = app_pb.GetFragmentHistoryRequest(id=id, page_token=page_token, page_limit=page_limit)
        response = await self._read(self.raw.get_fragment_history, request, timeout)
        return [FragmentHistoryEntry.from_proto(entry) for entry in response.history]

    async def add_role(
        self,
        org_id: str,
        identity_id: str,
        role: Role,
        resource_type: ResourceType,
        resource_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Grant a role on a resource to an identity, in an organization.

        Args:
            org_id: The id of the organization the role belongs to.
            identity_id: The id of the identity that receives the role (a user id, for example).
            role: The role, ``"owner"`` or ``"operator"``.
            resource_type: The kind of resource, ``"organization"``, ``"location"`` or ``"robot"``; it must match
                ``resource_id``.
            resource_id: The id of the organization, location or machine the role applies to.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            ValueError: If ``role`` or ``resource_type`` is not one of the accepted values (raised before any call).
            GRPCError: If the identity id, the role, the resource type or the resource id is invalid.

        Example:
            ::

                await client.add_role(
                    org_id="org-1", identity_id="user-1", role="operator", resource_type="location", resource_id="loc-1"
                )

        """
        authorization = _role_authorization(org_id, identity_id, role, resource_type, resource_id, prefix="")
        await self._write(self.raw.add_role, app_pb.AddRoleRequest(authorization=authorization), timeout)

    async def remove_role(
        self,
        org_id: str,
        identity_id: str,
        role: Role,
        resource_type: ResourceType,
        resource_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Take a role on a resource away from an identity, in an organization.

        Args:
            org_id: The id of the organization the role belongs to.
            identity_id: The id of the identity that holds the role (a user id, for example).
            role: The role, ``"owner"`` or ``"operator"``.
            resource_type: The kind of resource, ``"organization"``, ``"location"`` or ``"robot"``; it must match
                ``resource_id``.
            resource_id: The id of the organization, location or machine the role applies to.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            ValueError: If ``role`` or ``resource_type`` is not one of the accepted values (raised before any call).
            GRPCError: If the identity id, the role, the resource type or the resource id is invalid.

        Example:
            ::

                await client.remove_role(
                    org_id="org-1", identity_id="user-1", role="operator", resource_type="location", resource_id="loc-1"
                )

        """
        authorization = _role_authorization(org_id, identity_id, role, resource_type, resource_id, prefix="")
        await self._write(self.raw.remove_role, app_pb.RemoveRoleRequest(authorization=authorization), timeout)

    async def change_role(
        self,
        organization_id: str,
        old_identity_id: str,
        old_role: Role,
        old_resource_type: ResourceType,
        old_resource_id: str,
        new_identity_id: str,
        new_role: Role,
        new_resource_type: ResourceType,
        new_resource_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Replace one role with another.

        Args:
            organization_id: The id of the organization the roles belong to.
            old_identity_id: The id of the identity that holds the current role (a user id, for example).
            old_role: The current role, ``"owner"`` or ``"operator"``.
            old_resource_type: The kind of resource of the current role, ``"organization"``, ``"location"`` or
                ``"robot"``; it must match ``old_resource_id``.
            old_resource_id: The id of the organization, location or machine of the current role.
            new_identity_id: The id of the identity that receives the new role.
            new_role: The new role, ``"owner"`` or ``"operator"``.
            new_resource_type: The kind of resource of the new role; it must match ``new_resource_id``.
            new_resource_id: The id of the organization, location or machine of the new role.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Raises:
            ValueError: If a role or a resource type is not one of the accepted values (raised before any call).

        Example:
            ::

                await client.change_role(
                    organization_id="org-1",
                    old_identity_id="user-1",
                    old_role="operator",
                    old_resource_type="location",
                    old_resource_id="loc-1",
                    new_identity_id="user-1",
                    new_role="owner",
                    new_resource_type="organization",
                    new_resource_id="org-1",
                )

        """
        old = _role_authorization(
            organization_id, old_identity_id, old_role, old_resource_type, old_resource_id, prefix="old_"
        )
        new = _role_authorization(
            organization_id, new_identity_id, new_role, new_resource_type, new_resource_id, prefix="new_"
        )
        request = app_pb.ChangeRoleRequest(old_authorization=old, new_authorization=new)
        await self._write(self.raw.change_role, request, timeout)

    async def list_authorizations(
        self,
        org_id: str,
        resource_ids: list[str] | None = None,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.Authorization]:
        """List the authorizations on some or all resources of an organization.

        Args:
            org_id: The organization's id.
            resource_ids: The ids of the resources whose authorizations to list; when omitted, every resource of the
                organization.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The authorizations.

        Raises:
            GRPCError: If a resource id is invalid.

        Example:
            ::

                grants = await client.list_authorizations(org_id="org-1", resource_ids=["machine-1"])

        """
        _require_id("org_id", org_id)
        request = app_pb.ListAuthorizationsRequest(organization_id=org_id, resource_ids=list(resource_ids or []))
        response = await self._read(self.raw.list_authorizations, request, timeout)
        return list(response.authorizations)

    async def check_permissions(
        self,
        permissions: list[app_pb.AuthorizedPermissions],
        *,
        timeout: float | None = None,
    ) -> list[app_pb.AuthorizedPermissions]:
        """Find out which of some permissions the caller actually holds.

        Args:
            permissions: The permissions to check, each a resource with permission names such as
                ``"read_organization"`` or ``"control_robot"``.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The ``permissions`` given, with the ones the caller does not hold filtered out.

        Raises:
            ArgumentError: If ``permissions`` is empty (raised before any call; it is an ``InvalidArgumentError`` too,
                hence a ``GRPCError``).

        Example:
            ::

                from fleetwire_api.viam.app.v1 import AuthorizedPermissions

                wanted = [
                    AuthorizedPermissions(
                        resource_type="organization",
                        resource_id="org-1",
                        permissions=["control_robot", "read_robot_logs"],
                    )
                ]
                held = await client.check_permissions(wanted)

        """
        if not permissions:
            raise ArgumentError("permissions must not be empty")
        request = app_pb.CheckPermissionsRequest(permissions=list(permissions))
        response = await self._read(self.raw.check_permissions, request, timeout)
        return list(response.authorized_permissions)

    async def get_registry_item(
        self,
        item_id: str,
        *,
        timeout: float | None = None,
    ) -> app_pb.RegistryItem:
        """Fetch one registry item.

        Args:
            item_id: The item's id, ``namespace:name`` (``acme:lidar-driver``) or ``org-id:name``
                (``org-1:training-script``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The registry item.

        Example:
            ::

                item = await client.get_registry_item("acme:lidar-driver")

        """
        _require_id("item_id", item_id)
        # include_markdown_documentation=False is set explicitly, as the official SDK does: same bytes on the wire.
        request = app_pb.GetRegistryItemRequest(item_id=item_id, include_markdown_documentation=False)
        response = await self._read(self.raw.get_registry_item, request, timeout)
        return _present(response.item, app_pb.RegistryItem)

    async def create_registry_item(
        self,
        organization_id: str,
        name: str,
        type: pkg_pb.PackageType,
        *,
        timeout: float | None = None,
    ) -> None:
        """Create a registry item in an organization.

        Args:
            organization_id: The id of the organization to create the item in.
            name: The item's name, unique within the organization.
            type: The kind of package the item is.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Example:
            ::

                from fleetwire_api.viam.app.packages.v1 import PackageType

                await client.create_registry_item("org-1", "defect-detector", PackageType.ML_MODEL)

        """
        _require_id("organization_id", organization_id)
        request = app_pb.CreateRegistryItemRequest(organization_id=organization_id, name=name, type=type)
        await self._write(self.raw.create_registry_item, request, timeout)

    async def update_registry_item(
        self,
        item_id: str,
        type: pkg_pb.PackageType,
        description: str,
        visibility: app_pb.Visibility,
        *,
        timeout: float | None = None,
    ) -> None:
        """Change a registry item's type, description and visibility.

        Args:
            item_id: The item's id, ``namespace:name`` (``acme:lidar-driver``) or ``org-id:name``
                (``org-1:lidar-driver``).
            type: The kind of package the item is.
            description: The item's description.
            visibility: Who may see the item.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Example:
            ::

                from fleetwire_api.viam.app.packages.v1 import PackageType
                from fleetwire_api.viam.app.v1 import Visibility

                await client.update_registry_item(
                    "acme:trainer", PackageType.ML_TRAINING, "Retrains the defect detector.", Visibility.PUBLIC
                )

        """
        _require_id("item_id", item_id)
        request = app_pb.UpdateRegistryItemRequest(
            item_id=item_id, type=type, description=description, visibility=visibility
        )
        await self._write(self.raw.update_registry_item, request, timeout)

    async def list_registry_items(
        self,
        organization_id: str,
        types: list[pkg_pb.PackageType],
        visibilities: list[app_pb.Visibility],
        platforms: list[str],
        statuses: list[app_pb.RegistryItemStatus],
        search_term: str | None = None,
        page_token: str | None = None,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.RegistryItem]:
        """List registry items by organization, kind, visibility, platform and status.

        Args:
            organization_id: The organization whose items to list; ``""`` lists the public items of every
                organization.
            types: The kinds of package to include.
            visibilities: The visibilities to include.
            platforms: The platforms to include (``"linux/any"``, for example).
            statuses: The item statuses to include.
            search_term: Text to search the items for (default: no search).
            page_token: The token of the page to fetch (default: the first page).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The registry items.

        Example:
            ::

                from fleetwire_api.viam.app.packages.v1 import PackageType
                from fleetwire_api.viam.app.v1 import RegistryItemStatus, Visibility

                # The organization's own published, private training scripts.
                scripts = await client.list_registry_items(
                    organization_id="org-1",
                    types=[PackageType.ML_TRAINING],
                    visibilities=[Visibility.PRIVATE],
                    platforms=[""],
                    statuses=[RegistryItemStatus.PUBLISHED],
                )
                # Published public Linux modules of every organization.
                modules = await client.list_registry_items(
                    organization_id="",
                    types=[PackageType.MODULE],
                    visibilities=[Visibility.PUBLIC],
                    platforms=["linux/any"],
                    statuses=[RegistryItemStatus.PUBLISHED],
                )

        """
        # organization_id may be empty: that lists public items of every organization (as the fleet API documents).
        request = app_pb.ListRegistryItemsRequest(
            organization_id=organization_id,
            types=list(types),
            visibilities=list(visibilities),
            platforms=list(platforms),
            statuses=list(statuses),
            search_term=search_term if search_term is not None else "",
            page_token=page_token if page_token is not None else "",
        )
        response = await self._read(self.raw.list_registry_items, request, timeout)
        return list(response.items)

    async def delete_registry_item(
        self,
        item_id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Delete a registry item.

        Args:
            item_id: The item's id, ``namespace:name`` (``acme:lidar-driver``) or ``org-id:name``
                (``org-1:lidar-driver``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Example:
            ::

                await client.delete_registry_item("acme:lidar-driver")

        """
        _require_id("item_id", item_id)
        await self._write(self.raw.delete_registry_item, app_pb.DeleteRegistryItemRequest(item_id=item_id), timeout)

    async def create_module(
        self,
        org_id: str,
        name: str,
        *,
        timeout: float | None = None,
    ) -> tuple[str, str]:
        """Create a module in an organization.

        Args:
            org_id: The id of the organization to create the module in.
            name: The module's name, unique within the organization.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            A pair ``(module_id, url)``: the new module's id and its URL.

        Raises:
            GRPCError: If the name is invalid (the empty string, say).

        Example:
            ::

                module_id, url = await client.create_module(org_id="org-1", name="lidar-driver")

        """
        _require_id("org_id", org_id)
        request = app_pb.CreateModuleRequest(organization_id=org_id, name=name)
        response = await self._write(self.raw.create_module, request, timeout)
        return response.module_id, response.url

    async def update_module(
        self,
        module_id: str,
        url: str,
        description: str,
        models: list[app_pb.Model] | None,
        entrypoint: str,
        public: bool = False,
        *,
        timeout: float | None = None,
    ) -> str:
        """Set a module's documentation URL, description, models, entrypoint and visibility.

        Args:
            module_id: The module's id, ``namespace:name`` (``acme:lidar-driver``) or ``org-id:name``
                (``org-1:lidar-driver``).
            url: The URL of the module's documentation and code (not of the module itself).
            description: A short description of what the module is for.
            models: The models the module provides.
            entrypoint: The executable that starts the module.
            public: Whether the module is public; ``False`` (the default) makes it private.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The module's URL after the change.

        Raises:
            GRPCError: If the module id, the URL, the models or the organization id is invalid.

        Example:
            ::

                from fleetwire_api.viam.app.v1 import Model

                url = await client.update_module(
                    module_id="acme:lidar-driver",
                    url="https://example.com/lidar-driver",
                    description="Driver for the bench lidar.",
                    models=[Model(api="rdk:component:camera", model="acme:lidar-driver:bench")],
                    entrypoint="run.sh",
                )

        """
        _require_id("module_id", module_id)
        request = app_pb.UpdateModuleRequest(
            module_id=module_id,
            visibility=app_pb.Visibility.PUBLIC if public else app_pb.Visibility.PRIVATE,
            url=url,
            description=description,
            models=list(models or []),
            entrypoint=entrypoint,
        )
        response = await self._write(self.raw.update_module, request, timeout)
        return response.url

    async def upload_module_file(
        self,
        module_file_info: app_pb.ModuleFileInfo | None,
        file: bytes,
        *,
        timeout: float | None = None,
    ) -> str:
        """Upload a module file (a build of a module version for one platform).

        Args:
            module_file_info: What the file is: the module id, the version and the platform.
            file: The file's contents.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The URL of the uploaded file.

        Example:
            ::

                from fleetwire_api.viam.app.v1 import ModuleFileInfo

                info = ModuleFileInfo(module_id="acme:lidar-driver", version="0.2.0", platform="linux/arm64")
                with open("module.tar.gz", "rb") as archive:
                    url = await client.upload_module_file(module_file_info=info, file=archive.read())

        """
        # Client streaming: first the metadata, then the bytes, as two messages of the module_file oneof.
        requests = [
            app_pb.UploadModuleFileRequest(module_file_info=module_file_info),
            app_pb.UploadModuleFileRequest(file=file),
        ]
        response = await call_with_retry(
            lambda: self.raw.upload_module_file(requests, timeout=timeout), idempotent=False, policy=self.retry
        )
        return response.url

    async def get_module(
        self,
        module_id: str,
        *,
        timeout: float | None = None,
    ) -> app_pb.Module:
        """Fetch one module.

        Args:
            module_id: The module's id, ``namespace:name`` (``acme:lidar-driver``) or ``org-id:name``
                (``org-1:lidar-driver``).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The module.

        Raises:
            GRPCError: If the module id is invalid.

        Example:
            ::

                module = await client.get_module(module_id="acme:lidar-driver")

        """
        _require_id("module_id", module_id)
        response = await self._read(self.raw.get_module, app_pb.GetModuleRequest(module_id=module_id), timeout)
        return _present(response.module, app_pb.Module)

    async def list_modules(
        self,
        org_id: str,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.Module]:
        """List the modules of an organization.

        Args:
            org_id: The organization's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organization's modules.

        Example:
            ::

                modules = await client.list_modules("org-1")

        """
        _require_id("org_id", org_id)
        response = await self._read(self.raw.list_modules, app_pb.ListModulesRequest(organization_id=org_id), timeout)
        return list(response.modules)

    async def create_key(
        self,
        org_id: str,
        authorizations: list[APIKeyAuthorization],
        name: str | None = None,
        *,
        timeout: float | None = None,
    ) -> tuple[str, str]:
        """Create a new API key with the given authorizations.

        Args:
            org_id: The id of the organization the key belongs to.
            authorizations: What the key may do, one :class:`APIKeyAuthorization` per role on a resource.
            name: The key's name (default: the current date and time).
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            A pair ``(key, key_id)``: the new API key and its id.

        Raises:
            TypeError: If an item of ``authorizations`` is not an :class:`APIKeyAuthorization`.
            ArgumentError: If an authorization's ``resource_id`` is empty (raised before any call).
            GRPCError: If ``authorizations`` is empty.

        Example:
            ::

                from fleetwire import APIKeyAuthorization

                grant = APIKeyAuthorization(role="operator", resource_type="robot", resource_id="machine-1")
                key, key_id = await client.create_key(org_id="org-1", authorizations=[grant], name="ci-runner")

        """
        _require_id("org_id", org_id)
        pb_authorizations = [_key_authorization(org_id, auth) for auth in authorizations]
        request = app_pb.CreateKeyRequest(
            authorizations=pb_authorizations, name=name if name is not None else str(datetime.datetime.now())
        )
        response = await self._write(self.raw.create_key, request, timeout)
        return response.key, response.id

    async def delete_key(
        self,
        id: str,
        *,
        timeout: float | None = None,
    ) -> None:
        """Delete an API key.

        Args:
            id: The key's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Example:
            ::

                await client.delete_key("key-1")

        """
        _require_id("id", id)
        await self._write(self.raw.delete_key, app_pb.DeleteKeyRequest(id=id), timeout)

    async def create_key_from_existing_key_authorizations(
        self,
        id: str,
        *,
        timeout: float | None = None,
    ) -> tuple[str, str]:
        """Create a new API key with the same authorizations as an existing one.

        Args:
            id: The id of the key whose authorizations to copy.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            A pair ``(key, key_id)``: the new API key and its id.

        Example:
            ::

                key, key_id = await client.create_key_from_existing_key_authorizations(id="key-1")

        """
        _require_id("id", id)
        request = app_pb.CreateKeyFromExistingKeyAuthorizationsRequest(id=id)
        response = await self._write(self.raw.create_key_from_existing_key_authorizations, request, timeout)
        return response.key, response.id

    async def list_keys(
        self,
        org_id: str,
        *,
        timeout: float | None = None,
    ) -> list[app_pb.ApiKeyWithAuthorizations]:
        """List the API keys of an organization.

        Args:
            org_id: The organization's id.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            The organization's API keys, each with its authorizations.

        Example:
            ::

                keys = await client.list_keys(org_id="org-1")

        """
        _require_id("org_id", org_id)
        response = await self._read(self.raw.list_keys, app_pb.ListKeysRequest(org_id=org_id), timeout)
        return list(response.api_keys)

    async def rotate_key(
        self,
        id: str,
        *,
        timeout: float | None = None,
    ) -> tuple[str, str]:
        """Replace an API key with a new one.

        Args:
            id: The id of the key to rotate.
            timeout: Seconds before the call fails with ``DeadlineExceededError`` (default: the client's timeout).

        Returns:
            A pair ``(key, key_id)``: the new API key and its id.

        Example:
            ::

                key, key_id = await client.rotate_key("key-1")

        """
        _require_id("id", id)
        response = await self._write(self.raw.rotate_key, app_pb.RotateKeyRequest(id=id), timeout)
        return response.key, response.id
