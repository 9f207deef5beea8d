"""Locations: nested, owned by one organization and shareable with others, each with its secrets."""

from __future__ import annotations

import json
import sqlite3

from grpclib.const import Status
from grpclib.exceptions import GRPCError

from fleetwire_api.services import codec
from fleetwire_api.viam.app import v1 as app

from ..auth.permissions import role_grants
from ..context import Caller, location_chain, roles_on
from ..store.configs import converted, struct_for
from ..store.ids import new_id, new_secret, not_found, now, require_id, require_name, require_text, to_iso
from ..store.location_rows import LOCATION_QUERY, auth_message, location_message, robot_count, secret_rows
from ..wire import Encoded, field_bytes
from .mixin import AnyStream, ServiceMixin
from .validate import metadata_json

__all__ = ("MAX_LOCATION_DEPTH", "SCHEMA", "LocationsMixin", "create_location_row")

SCHEMA = """
CREATE TABLE IF NOT EXISTS locations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations(id),
    parent_location_id TEXT REFERENCES locations(id),
    region TEXT NOT NULL DEFAULT '',
    metadata TEXT NOT NULL DEFAULT '{}',
    created_on TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS locations_org ON locations(org_id);
CREATE INDEX IF NOT EXISTS locations_parent ON locations(parent_location_id);
CREATE TABLE IF NOT EXISTS location_orgs (
    location_id TEXT NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    is_primary INTEGER NOT NULL,
    created_on TEXT NOT NULL,
    PRIMARY KEY (location_id, org_id)
);
CREATE INDEX IF NOT EXISTS location_orgs_org ON location_orgs(org_id);
CREATE TABLE IF NOT EXISTS location_secrets (
    id TEXT PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    created_on TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS location_secrets_location ON location_secrets(location_id);
"""
"""Tables of locations, their sharing with organizations, and their secrets."""

MAX_LOCATION_DEPTH = 8
"""How deep locations may nest (a top-level location has depth 1)."""

_MAX_SECRETS = 32


def create_location_row(conn: sqlite3.Connection, org_id: str, name: str, parent_location_id: str | None) -> str:
    """Insert a location of ``org_id`` (with one secret) inside the caller's transaction; return its id."""
    location_id = new_id()
    moment = to_iso(now())
    conn.execute(
        "INSERT INTO locations (id, name, org_id, parent_location_id, created_on) VALUES (?, ?, ?, ?, ?)",
        (location_id, name, org_id, parent_location_id, moment),
    )
    conn.execute(
        "INSERT INTO location_orgs (location_id, org_id, is_primary, created_on) VALUES (?, ?, 1, ?)",
        (location_id, org_id, moment),
    )
    conn.execute(
        "INSERT INTO location_secrets (id, location_id, secret, created_on) VALUES (?, ?, ?, ?)",
        (new_id(), location_id, new_secret(), moment),
    )
    return location_id


def _auth(conn: sqlite3.Connection, location_id: str) -> app.LocationAuth:
    return auth_message(location_id, secret_rows(conn, location_id))


def _locations(conn: sqlite3.Connection, location_ids: list[str]) -> list[app.Location]:
    """Return the wire form of the locations that exist among ``location_ids``, in that order, without secrets.

    Three queries whatever the number of locations (listings of large organizations stay cheap).
    """
    if not location_ids:
        return []
    wanted = json.dumps(location_ids)
    rows = {
        row["id"]: row
        for row in conn.execute(
            f"{LOCATION_QUERY} WHERE l.id IN (SELECT value FROM json_each(?))", (wanted,)
        ).fetchall()
    }
    orgs: dict[str, list[tuple[str, int]]] = {}
    for r in conn.execute(
        "SELECT location_id, org_id, is_primary FROM location_orgs "
        "WHERE location_id IN (SELECT value FROM json_each(?)) ORDER BY is_primary DESC, created_on, org_id",
        (wanted,),
    ).fetchall():
        orgs.setdefault(r["location_id"], []).append((r["org_id"], r["is_primary"]))
    counts = _robot_counts(conn, wanted)
    return [
        location_message(row, orgs.get(row["id"], []), counts.get(row["id"], 0))
        for row in (rows.get(lid) for lid in location_ids)
        if row is not None
    ]


def _robot_counts(conn: sqlite3.Connection, wanted_json: str) -> dict[str, int]:
    try:
        rows = conn.execute(
            "SELECT location_id, COUNT(*) AS n FROM robots WHERE location_id IN (SELECT value FROM json_each(?)) "
            "GROUP BY location_id",
            (wanted_json,),
        ).fetchall()
    except sqlite3.OperationalError:  # the machines tables are not installed
        return {}
    return {row["location_id"]: int(row["n"]) for row in rows}


def _location(conn: sqlite3.Connection, location_id: str, caller: Caller) -> app.Location:
    """Return the wire form of one location, with its secrets if ``caller`` may read them."""
    roles = roles_on(conn, caller.key_id, "location", location_id) or set[str]()
    return _location_with(conn, location_id, any(role_grants(role, "read_location_secret") for role in roles))


def _location_with(conn: sqlite3.Connection, location_id: str, secrets: bool) -> app.Location:
    """Return the wire form of one location, with its secrets if ``secrets``."""
    found = _locations(conn, [location_id])
    if not found:
        raise not_found(f"location {location_id} not found")
    location = found[0]
    if secrets:
        location.auth = _auth(conn, location_id)
    return location


def _check_parent(conn: sqlite3.Connection, org_id: str, parent_id: str, moving: str | None) -> None:
    """``parent_id`` must be a location of ``org_id``, not ``moving`` or below it, within the depth limit."""
    row = conn.execute("SELECT org_id FROM locations WHERE id = ?", (parent_id,)).fetchone()
    if row is None or row["org_id"] != org_id:  # another organization's location is not revealed
        raise not_found(f"parent_location_id: location {parent_id} not found in organization {org_id}")
    chain = location_chain(conn, parent_id)
    if moving is not None and moving in chain:
        raise GRPCError(Status.INVALID_ARGUMENT, "parent_location_id would make the location its own ancestor")
    subtree = _subtree_height(conn, moving) if moving is not None else 1
    if len(chain) + subtree > MAX_LOCATION_DEPTH:
        raise GRPCError(
            Status.FAILED_PRECONDITION, f"parent_location_id: locations nest at most {MAX_LOCATION_DEPTH} deep"
        )


def _subtree_height(conn: sqlite3.Connection, location_id: str) -> int:
    children = [
        r["id"]
        for r in conn.execute("SELECT id FROM locations WHERE parent_location_id = ?", (location_id,)).fetchall()
    ]
    return 1 + max((_subtree_height(conn, child) for child in children), default=0)


class LocationsMixin(ServiceMixin):
    """Locations, their sharing between organizations and their secrets."""

    async def create_location(
        self, request: app.CreateLocationRequest, stream: AnyStream
    ) -> app.CreateLocationResponse:
        """Create a location in ``organization_id``, optionally below ``parent_location_id``."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        name = require_name(request.name, "name")
        parent = require_id(request.parent_location_id, "parent_location_id") if request.parent_location_id else None
        await self.ctx.require(caller, "write_organization", "organization", org_id)

        def create(conn: sqlite3.Connection) -> app.Location:
            if parent is not None:
                _check_parent(conn, org_id, parent, None)
            return _location(conn, create_location_row(conn, org_id, name, parent), caller)

        return app.CreateLocationResponse(location=await self.ctx.store.write(create))

    async def get_location(self, request: app.GetLocationRequest, stream: AnyStream) -> app.GetLocationResponse:
        """One location by id."""
        return codec.decode(app.GetLocationResponse, await self.get_location_encoded(request, stream))

    async def get_location_encoded(self, request: app.GetLocationRequest, stream: AnyStream) -> Encoded:
        """:meth:`get_location`, answered in wire form from the memo of encoded locations (``LocationEncodings``)."""
        caller = await self.ctx.caller(stream)
        location_id = require_id(request.location_id, "location_id")
        await self.ctx.require(caller, "read_location", "location", location_id)
        # The context's cached roles answer this (the same roles_on a write-side _location reads in its transaction).
        secrets = await self.ctx.allowed(caller, "read_location_secret", "location", location_id)
        encodings = self.ctx.location_encodings

        def load(conn: sqlite3.Connection) -> Encoded:
            location = encodings.encode(conn, location_id, with_secrets=secrets)
            if location is None:
                raise not_found(f"location {location_id} not found")
            return Encoded(field_bytes(1, location))  # GetLocationResponse: location = 1.

        return await self.ctx.store.read(load)

    async def update_location(
        self, request: app.UpdateLocationRequest, stream: AnyStream
    ) -> app.UpdateLocationResponse:
        """Rename, move (``parent_location_id``; empty: to the top level) or change the region of a location."""
        caller = await self.ctx.caller(stream)
        location_id = require_id(request.location_id, "location_id")
        name = require_name(request.name, "name") if request.name else None  # "" keeps the name (documented)
        parent = request.parent_location_id
        if parent:
            parent = require_id(parent, "parent_location_id")
        region = require_text(request.region, "region", max_length=64) if request.region is not None else None
        await self.ctx.require(caller, "write_location", "location", location_id)
        if parent is not None:
            await self._require_parent_rights(caller, location_id, parent)

        def update(conn: sqlite3.Connection) -> app.Location:
            row = conn.execute("SELECT org_id FROM locations WHERE id = ?", (location_id,)).fetchone()
            if row is None:
                raise not_found(f"location {location_id} not found")
            if name is not None:
                conn.execute("UPDATE locations SET name = ? WHERE id = ?", (name, location_id))
            if parent is not None:
                if parent:
                    _check_parent(conn, row["org_id"], parent, location_id)
                conn.execute("UPDATE locations SET parent_location_id = ? WHERE id = ?", (parent or None, location_id))
            if region is not None:
                conn.execute("UPDATE locations SET region = ? WHERE id = ?", (region, location_id))
            return _location(conn, location_id, caller)

        return app.UpdateLocationResponse(location=await self.ctx.store.write(update))

    async def _require_parent_rights(self, caller: Caller, location_id: str, new_parent: str) -> None:
        """Require write rights where a moving location leaves and where it lands.

        A parent location is checked with ``write_location``; the top level of the organization (no parent) with
        ``write_organization``, as creating a location there is.
        """
        org_id = await self.ctx.org_of_location(location_id)
        old_parent = await self.ctx.store.read(
            lambda conn: conn.execute(
                "SELECT parent_location_id FROM locations WHERE id = ?", (location_id,)
            ).fetchone()["parent_location_id"]
        )
        if (old_parent or "") == new_parent:
            return
        for side in (old_parent or "", new_parent):
            if side:
                await self.ctx.require(caller, "write_location", "location", side)
            else:
                await self.ctx.require(caller, "write_organization", "organization", org_id)

    async def delete_location(
        self, request: app.DeleteLocationRequest, stream: AnyStream
    ) -> app.DeleteLocationResponse:
        """Delete an empty location (``FAILED_PRECONDITION`` while it holds machines or sub-locations)."""
        caller = await self.ctx.caller(stream)
        location_id = require_id(request.location_id, "location_id")
        await self.ctx.require(caller, "write_location", "location", location_id)

        def delete(conn: sqlite3.Connection) -> None:
            if robot_count(conn, location_id):
                raise GRPCError(Status.FAILED_PRECONDITION, "location_id: the location still holds machines")
            child = conn.execute("SELECT 1 FROM locations WHERE parent_location_id = ?", (location_id,)).fetchone()
            if child is not None:
                raise GRPCError(Status.FAILED_PRECONDITION, "location_id: the location still has sub-locations")
            conn.execute(
                "DELETE FROM authorizations WHERE resource_type = 'location' AND resource_id = ?", (location_id,)
            )
            if conn.execute("DELETE FROM locations WHERE id = ?", (location_id,)).rowcount == 0:
                raise not_found(f"location {location_id} not found")

        await self.ctx.store.write(delete)
        return app.DeleteLocationResponse()

    async def list_locations(self, request: app.ListLocationsRequest, stream: AnyStream) -> app.ListLocationsResponse:
        """Return the locations of an organization (its own and those shared with it) the caller may read."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        whole_org = await self.ctx.allowed(caller, "read_organization", "organization", org_id)

        def load(conn: sqlite3.Connection) -> list[app.Location]:
            ids = [
                r["location_id"]
                for r in conn.execute(
                    "SELECT lo.location_id FROM location_orgs lo JOIN locations l ON l.id = lo.location_id "
                    "WHERE lo.org_id = ? ORDER BY l.created_on, l.id",
                    (org_id,),
                ).fetchall()
            ]
            if not whole_org:
                ids = [
                    lid
                    for lid in ids
                    if any(
                        role_grants(r, "read_location") for r in roles_on(conn, caller.key_id, "location", lid) or ()
                    )
                ]
            return _locations(conn, ids)  # secrets are never listed in bulk; location_auth reads them

        locations = await self.ctx.store.read(load)
        if not whole_org and not locations:
            await self.ctx.require(caller, "read_organization", "organization", org_id)
        return app.ListLocationsResponse(locations=locations)

    async def share_location(self, request: app.ShareLocationRequest, stream: AnyStream) -> app.ShareLocationResponse:
        """Share a location with another organization, whose roles then cover it."""
        caller = await self.ctx.caller(stream)
        location_id = require_id(request.location_id, "location_id")
        org_id = require_id(request.organization_id, "organization_id")
        await self.ctx.require(caller, "read_location", "location", location_id)
        # Sharing extends every role of the other organization to the location: its owning organization decides.
        owner_org = await self.ctx.org_of_location(location_id)
        await self.ctx.require(caller, "write_organization", "organization", owner_org)

        def share(conn: sqlite3.Connection) -> None:
            if conn.execute("SELECT 1 FROM organizations WHERE id = ?", (org_id,)).fetchone() is None:
                raise not_found(f"organization_id: organization {org_id} not found")
            exists = conn.execute(
                "SELECT 1 FROM location_orgs WHERE location_id = ? AND org_id = ?", (location_id, org_id)
            ).fetchone()
            if exists is not None:
                raise GRPCError(Status.ALREADY_EXISTS, "organization_id: the location is already shared with it")
            conn.execute(
                "INSERT INTO location_orgs (location_id, org_id, is_primary, created_on) VALUES (?, ?, 0, ?)",
                (location_id, org_id, to_iso(now())),
            )

        await self.ctx.store.write(share)
        return app.ShareLocationResponse()

    async def unshare_location(
        self, request: app.UnshareLocationRequest, stream: AnyStream
    ) -> app.UnshareLocationResponse:
        """Stop sharing a location with an organization (never its owning organization)."""
        caller = await self.ctx.caller(stream)
        location_id = require_id(request.location_id, "location_id")
        org_id = require_id(request.organization_id, "organization_id")
        if not await self.ctx.allowed(caller, "write_organization", "organization", org_id):
            await self.ctx.require(caller, "write_location", "location", location_id)

        def unshare(conn: sqlite3.Connection) -> None:
            row = conn.execute(
                "SELECT is_primary FROM location_orgs WHERE location_id = ? AND org_id = ?", (location_id, org_id)
            ).fetchone()
            if row is None:
                raise not_found(f"organization_id: location {location_id} is not shared with {org_id}")
            if row["is_primary"]:
                raise GRPCError(
                    Status.FAILED_PRECONDITION,
                    "organization_id: cannot unshare a location from its owning organization",
                )
            conn.execute("DELETE FROM location_orgs WHERE location_id = ? AND org_id = ?", (location_id, org_id))

        await self.ctx.store.write(unshare)
        return app.UnshareLocationResponse()

    async def location_auth(self, request: app.LocationAuthRequest, stream: AnyStream) -> app.LocationAuthResponse:
        """Return the location's secrets."""
        caller = await self.ctx.caller(stream)
        location_id = require_id(request.location_id, "location_id")
        await self.ctx.require(caller, "read_location_secret", "location", location_id)
        return app.LocationAuthResponse(auth=await self.ctx.store.read(lambda conn: _auth(conn, location_id)))

    async def create_location_secret(
        self, request: app.CreateLocationSecretRequest, stream: AnyStream
    ) -> app.CreateLocationSecretResponse:
        """Add a secret to the location; answer the location's secrets."""
        caller = await self.ctx.caller(stream)
        location_id = require_id(request.location_id, "location_id")
        await self.ctx.require(caller, "write_location", "location", location_id)

        def create(conn: sqlite3.Connection) -> app.LocationAuth:
            count = conn.execute(
                "SELECT COUNT(*) FROM location_secrets WHERE location_id = ?", (location_id,)
            ).fetchone()
            if count[0] >= _MAX_SECRETS:
                raise GRPCError(
                    Status.FAILED_PRECONDITION, f"location_id: a location has at most {_MAX_SECRETS} secrets"
                )
            conn.execute(
                "INSERT INTO location_secrets (id, location_id, secret, created_on) VALUES (?, ?, ?, ?)",
                (new_id(), location_id, new_secret(), to_iso(now())),
            )
            return _auth(conn, location_id)

        return app.CreateLocationSecretResponse(auth=await self.ctx.store.write(create))

    async def delete_location_secret(
        self, request: app.DeleteLocationSecretRequest, stream: AnyStream
    ) -> app.DeleteLocationSecretResponse:
        """Remove one secret of the location."""
        caller = await self.ctx.caller(stream)
        location_id = require_id(request.location_id, "location_id")
        secret_id = require_id(request.secret_id, "secret_id")
        await self.ctx.require(caller, "write_location", "location", location_id)

        def delete(conn: sqlite3.Connection) -> None:
            cursor = conn.execute(
                "DELETE FROM location_secrets WHERE id = ? AND location_id = ?", (secret_id, location_id)
            )
            if cursor.rowcount == 0:
                raise not_found(f"secret_id: no such secret on location {location_id}")

        await self.ctx.store.write(delete)
        return app.DeleteLocationSecretResponse()

    async def get_location_metadata(
        self, request: app.GetLocationMetadataRequest, stream: AnyStream
    ) -> app.GetLocationMetadataResponse:
        """Return the location's user-defined metadata."""
        caller = await self.ctx.caller(stream)
        location_id = require_id(request.location_id, "location_id")
        await self.ctx.require(caller, "read_location", "location", location_id)
        row = await self.ctx.store.read(
            lambda conn: conn.execute("SELECT metadata FROM locations WHERE id = ?", (location_id,)).fetchone()
        )
        if row is None:
            raise not_found(f"location {location_id} not found")
        return app.GetLocationMetadataResponse(data=await struct_for(row["metadata"]))

    async def update_location_metadata(
        self, request: app.UpdateLocationMetadataRequest, stream: AnyStream
    ) -> app.UpdateLocationMetadataResponse:
        """Replace the location's user-defined metadata."""
        caller = await self.ctx.caller(stream)
        location_id = require_id(request.location_id, "location_id")
        text = await converted(metadata_json, request.data, "data")
        await self.ctx.require(caller, "write_location", "location", location_id)
        await self.ctx.store.write(
            lambda conn: conn.execute("UPDATE locations SET metadata = ? WHERE id = ?", (text, location_id))
        )
        return app.UpdateLocationMetadataResponse()
