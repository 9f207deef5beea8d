"""Per-server context shared by every handler: the store, the log bus, and who the caller is and may do.

Authorization model: an identity (an API key) holds ``owner`` or ``operator`` roles on organizations, locations and
machines (table ``authorizations``). A role on an organization covers every location the organization owns or that
is shared with it, and their machines; a role on a location covers its sub-locations and their machines. An owner
holds every permission, an operator the read/operate subset (see :mod:`fleetwire.local.auth.permissions`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import sqlite3
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from grpclib.const import Status
from grpclib.exceptions import GRPCError

from .auth.cache import EpochCache
from .auth.permissions import ALL_PERMISSIONS, RESOURCE_TYPES, role_grants
from .store.database import Store
from .store.ids import from_iso, is_id, now, to_iso
from .store.location_rows import LocationEncodings
from .store.robot_lists import RobotLists
from .store.robot_rows import PartEncodings, RobotEncodings, fetch_part

if TYPE_CHECKING:
    from .services.logbus import LogBus

__all__ = ("TOKEN_EXPIRY_TIMER", "Caller", "Context", "hash_token", "location_chain", "roles_on")

_MAX_LOCATION_DEPTH = 64
_REVOKED = (Status.UNAUTHENTICATED, Status.PERMISSION_DENIED)
_CALLER = "fleetwire_caller"
"""The attribute of a call's stream that holds its authenticated :class:`Caller`."""

TOKEN_EXPIRY_TIMER = "fleetwire-token-expiry"
"""The name of the task that ends an open call when its access token expires (see :meth:`Context.kept_authorized`)."""


@dataclass(frozen=True)
class Caller:
    """The authenticated identity of a call: the API key it used, the user that key belongs to, and until when."""

    key_id: str
    user_id: str
    user_email: str
    expires: datetime
    """When the call's access token expires (an aware UTC datetime)."""


def hash_token(token: str) -> str:
    """Return the stored form of an access token (tokens are random, so a plain SHA-256 is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def location_chain(conn: sqlite3.Connection, location_id: str) -> list[str]:
    """``location_id`` followed by its ancestors (nearest first); empty if the location does not exist."""
    chain: list[str] = []
    current: str | None = location_id
    while current is not None and current not in chain and len(chain) < _MAX_LOCATION_DEPTH:
        row = conn.execute("SELECT parent_location_id FROM locations WHERE id = ?", (current,)).fetchone()
        if row is None:
            break
        chain.append(current)
        current = row["parent_location_id"]
    return chain


def _orgs_of_locations(conn: sqlite3.Connection, location_ids: list[str]) -> set[str]:
    if not location_ids:
        return set()
    marks = ",".join("?" * len(location_ids))
    rows = conn.execute(f"SELECT org_id FROM location_orgs WHERE location_id IN ({marks})", location_ids)
    return {row["org_id"] for row in rows}


def _robot_location(conn: sqlite3.Connection, robot_id: str) -> str | None:
    try:
        row = conn.execute("SELECT location_id FROM robots WHERE id = ?", (robot_id,)).fetchone()
    except sqlite3.OperationalError:  # the machines tables are not installed
        return None
    return None if row is None else str(row["location_id"])


def _roles(
    conn: sqlite3.Connection, identity_id: str, resource_type: str, resource_ids: list[str] | set[str]
) -> set[str]:
    ids = list(resource_ids)
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT role FROM authorizations WHERE identity_id = ? AND resource_type = ? AND resource_id IN ({marks})",
        [identity_id, resource_type, *ids],
    )
    return {row["role"] for row in rows}


def roles_on(conn: sqlite3.Connection, identity_id: str, resource_type: str, resource_id: str) -> set[str] | None:
    """Return the roles ``identity_id`` holds on a resource, directly or via parents (``None``: no such resource)."""
    if resource_type == "organization":
        if conn.execute("SELECT 1 FROM organizations WHERE id = ?", (resource_id,)).fetchone() is None:
            return None
        return _roles(conn, identity_id, "organization", [resource_id])
    roles: set[str] = set()
    if resource_type == "robot":
        location_id = _robot_location(conn, resource_id)
        if location_id is None:
            return None
        roles |= _roles(conn, identity_id, "robot", [resource_id])
    elif resource_type == "location":
        location_id = resource_id
    else:
        return None
    chain = location_chain(conn, location_id)
    if not chain:
        return None
    roles |= _roles(conn, identity_id, "location", chain)
    roles |= _roles(conn, identity_id, "organization", _orgs_of_locations(conn, chain))
    return roles


class Context:
    """What every handler of one server shares: ``store``, ``logs``, and the authentication/authorization checks."""

    def __init__(self, store: Store, logs: LogBus) -> None:
        """Bind the context to an open store and the server's log bus."""
        self.store = store
        self.logs = logs
        # token digest -> its caller; (key id, resource type, id) -> roles held there
        self._tokens: EpochCache[str, Caller] = EpochCache()
        self._role_cache: EpochCache[tuple[str, str, str], frozenset[str]] = EpochCache()
        self._part_robots: EpochCache[str, str] = EpochCache()  # part id -> its machine, whose roles cover it
        self.robot_encodings = RobotEncodings()
        """Encoded ``Robot`` messages by their content, for ``ListRobots`` (used on the store thread)."""
        self.part_encodings = PartEncodings()
        """Encoded ``RobotPart`` messages by their content, for ``GetRobotPart(s)`` (used on the store thread)."""
        self.location_encodings = LocationEncodings()
        """Encoded ``Location`` messages by their content, for ``GetLocation`` (used on the store thread)."""
        self.robot_lists = RobotLists()
        """Each location's machines while ``robots`` is unchanged, for ``ListRobots`` (used on the store thread)."""

    async def caller(self, stream: Any) -> Caller:
        """Return the caller of ``stream``: the one :meth:`authenticate` found for it, or found now."""
        found: Caller | None = getattr(stream, _CALLER, None)
        return found if found is not None else await self.authenticate(stream)

    async def authenticate(self, stream: Any) -> Caller:
        """Check ``stream``'s ``authorization: Bearer <token>`` metadata now; return its caller, or UNAUTHENTICATED.

        The transport runs this on a call's headers before its body is read; the caller is kept on the stream for
        the handler's :meth:`caller`. A call that stays open runs it again when keys change (see
        :meth:`kept_authorized`).
        """
        metadata: Mapping[str, Any] | None = getattr(stream, "metadata", None)
        header = metadata.get("authorization") if metadata is not None else None
        if not isinstance(header, str) or not header:
            raise GRPCError(Status.UNAUTHENTICATED, "missing authorization metadata (expected 'Bearer <token>')")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise GRPCError(Status.UNAUTHENTICATED, "authorization metadata must be 'Bearer <token>'")
        caller = await self.caller_for_token(token)
        setattr(stream, _CALLER, caller)  # an attribute of ours on grpclib's stream object
        return caller

    async def caller_for_token(self, token: str) -> Caller:
        """Return the caller an access token stands for; ``UNAUTHENTICATED`` if it is unknown, revoked or expired."""
        digest = hash_token(token)
        moment = now()
        store = self.store
        cached = self._tokens.get(digest, store.epoch)
        if cached is not None and cached.expires > moment:  # datetimes: no formatting on the path every call takes
            return cached
        stamp = to_iso(moment)

        def look(conn: sqlite3.Connection) -> tuple[Caller | None, int]:
            row = conn.execute(
                "SELECT k.id AS key_id, u.id AS user_id, u.email AS email, t.expires_on AS expires_on "
                "FROM access_tokens t JOIN api_keys k ON k.id = t.key_id JOIN users u ON u.id = k.user_id "
                "WHERE t.token_hash = ? AND t.expires_on > ?",
                (digest, stamp),
            ).fetchone()
            if row is None:
                return None, store.epoch
            return Caller(row["key_id"], row["user_id"], row["email"], from_iso(row["expires_on"])), store.epoch

        found, read_epoch = await store.read(look)
        if found is None:
            raise GRPCError(Status.UNAUTHENTICATED, "the access token is invalid or expired")
        self._tokens.put(digest, found, read_epoch, store.epoch)
        return found

    async def roles(self, caller: Caller, resource_type: str, resource_id: str) -> frozenset[str] | None:
        """Return the roles ``caller`` holds on a resource, directly or via parents (``None``: no such resource)."""
        key = (caller.key_id, resource_type, resource_id.lower())
        store = self.store
        cached = self._role_cache.get(key, store.epoch)
        if cached is not None:
            return cached

        def look(conn: sqlite3.Connection) -> tuple[set[str] | None, int]:
            return roles_on(conn, key[0], key[1], key[2]), store.epoch

        roles, read_epoch = await store.read(look)
        if roles is None:
            return None
        held = frozenset(roles)
        self._role_cache.put(key, held, read_epoch, store.epoch)
        return held

    async def robot_of_part(self, part_id: str) -> str:
        """Return the machine ``part_id`` belongs to (a part never moves); ``NOT_FOUND`` if there is no such part."""
        store = self.store
        cached = self._part_robots.get(part_id, store.epoch)
        if cached is not None:
            return cached
        robot_id, read_epoch = await store.read(lambda conn: (str(fetch_part(conn, part_id)["robot_id"]), store.epoch))
        self._part_robots.put(part_id, robot_id, read_epoch, store.epoch)
        return robot_id

    async def require(self, caller: Caller, permission: str, resource_type: str, resource_id: str) -> None:
        """Raise unless ``caller`` holds ``permission`` on the resource.

        ``NOT_FOUND`` if the resource does not exist (or the id is malformed), ``PERMISSION_DENIED`` if it exists
        but the caller's roles do not grant ``permission``.
        """
        if permission not in ALL_PERMISSIONS or resource_type not in RESOURCE_TYPES:
            raise ValueError(f"unknown permission {permission!r} or resource type {resource_type!r}")
        if not is_id(resource_id):
            raise GRPCError(Status.NOT_FOUND, f"{resource_type} {resource_id!r} not found")
        roles = await self.roles(caller, resource_type, resource_id)
        if roles is None:
            raise GRPCError(Status.NOT_FOUND, f"{resource_type} {resource_id} not found")
        if not any(role_grants(role, permission) for role in roles):
            raise GRPCError(
                Status.PERMISSION_DENIED, f"permission {permission} denied on {resource_type} {resource_id}"
            )

    async def allowed(self, caller: Caller, permission: str, resource_type: str, resource_id: str) -> bool:
        """Whether ``caller`` holds ``permission`` on the resource (``False`` if it does not exist)."""
        if not is_id(resource_id) or resource_type not in RESOURCE_TYPES:
            return False
        roles = await self.roles(caller, resource_type, resource_id)
        return roles is not None and any(role_grants(role, permission) for role in roles)

    async def org_of_location(self, location_id: str) -> str:
        """Return the organization that owns ``location_id`` (its primary organization); ``NOT_FOUND`` if none."""

        def look(conn: sqlite3.Connection) -> str | None:
            row = conn.execute("SELECT org_id FROM locations WHERE id = ?", (location_id.lower(),)).fetchone()
            return None if row is None else str(row["org_id"])

        org_id = await self.store.read(look)
        if org_id is None:
            raise GRPCError(Status.NOT_FOUND, f"location {location_id} not found")
        return org_id

    async def org_of_robot(self, robot_id: str) -> str:
        """Return the organization that owns the location of ``robot_id``; ``NOT_FOUND`` if none."""

        def look(conn: sqlite3.Connection) -> str | None:
            location_id = _robot_location(conn, robot_id.lower())
            if location_id is None:
                return None
            row = conn.execute("SELECT org_id FROM locations WHERE id = ?", (location_id,)).fetchone()
            return None if row is None else str(row["org_id"])

        org_id = await self.store.read(look)
        if org_id is None:
            raise GRPCError(Status.NOT_FOUND, f"robot {robot_id} not found")
        return org_id

    @contextlib.asynccontextmanager
    async def kept_authorized(
        self,
        check: Callable[[], Awaitable[object]],
        revoke: Callable[[GRPCError], Awaitable[None]],
        *,
        expires: datetime | None = None,
    ) -> AsyncGenerator[None, None]:
        """Run ``check`` now (raising what it raises), then again after every change to keys, roles or shares.

        For calls that stay open (a live tail): the first ``UNAUTHENTICATED`` or ``PERMISSION_DENIED`` a later
        check raises is handed to ``revoke``, which ends the call with it. Other outcomes (the resource is gone)
        are left to the call's own ending. ``expires``: when the caller's access token expires; a timer armed for
        that moment hands ``revoke`` an ``UNAUTHENTICATED`` (nothing in the database changes when a token expires).
        """
        seen = self.store.epoch
        await check()
        watchers = [asyncio.create_task(self._recheck(check, revoke, seen))]
        if expires is not None:
            watchers.append(asyncio.create_task(_revoke_at(expires, revoke), name=TOKEN_EXPIRY_TIMER))
        try:
            yield
        finally:
            for watcher in watchers:  # no await: this may run from an async generator's finalizer
                watcher.cancel()

    async def _recheck(
        self, check: Callable[[], Awaitable[object]], revoke: Callable[[GRPCError], Awaitable[None]], seen: int
    ) -> None:
        store = self.store
        while True:
            await store.changed(seen)
            seen = store.epoch
            try:
                await check()
            except GRPCError as exc:
                if exc.status in _REVOKED:
                    await revoke(exc)
                    return

    async def visible_org_ids(self, caller: Caller) -> set[str]:
        """Organizations the caller holds a role in: on the organization, one of its locations or machines."""
        return await self.store.read(lambda conn: visible_orgs(conn, caller.key_id))


async def _revoke_at(expires: datetime, revoke: Callable[[GRPCError], Awaitable[None]]) -> None:
    """Sleep until ``expires`` (one timer, armed once), then end the call: its access token has expired."""
    await asyncio.sleep(max(0.0, (expires - now()).total_seconds()))
    await revoke(GRPCError(Status.UNAUTHENTICATED, "the access token expired"))


def visible_orgs(conn: sqlite3.Connection, identity_id: str) -> set[str]:
    """Organizations ``identity_id`` holds any role in (directly, or through a location or machine of theirs)."""
    orgs: set[str] = set()
    for row in conn.execute(
        "SELECT resource_type, resource_id FROM authorizations WHERE identity_id = ?", (identity_id,)
    ).fetchall():
        kind, rid = row["resource_type"], row["resource_id"]
        if kind == "organization":
            orgs.add(rid)
        elif kind == "location":
            orgs |= _orgs_of_locations(conn, location_chain(conn, rid))
        elif kind == "robot":
            location_id = _robot_location(conn, rid)
            if location_id is not None:
                orgs |= _orgs_of_locations(conn, location_chain(conn, location_id))
    if not orgs:
        return orgs
    existing: set[str] = {str(row["id"]) for row in conn.execute("SELECT id FROM organizations").fetchall()}
    return orgs & existing
