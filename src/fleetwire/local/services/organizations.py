"""Users and organizations: the organization RPCs of the local AppService (members and invites: ``members.py``)."""

from __future__ import annotations

import sqlite3

from grpclib.const import Status
from grpclib.exceptions import GRPCError

from fleetwire_api.services import codec
from fleetwire_api.viam.app import v1 as app

from ..auth.grants import Grant, grant
from ..context import Caller
from ..store.configs import converted, struct_for
from ..store.ids import from_iso, invalid, new_id, not_found, now, require_id, require_name, require_text, to_iso
from .mixin import AnyStream, ServiceMixin
from .validate import metadata_json, require_email, require_namespace

__all__ = ("SCHEMA", "OrganizationsMixin", "create_organization_row", "create_user")

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    created_on TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    public_namespace TEXT UNIQUE,
    region TEXT NOT NULL DEFAULT '',
    cid TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_on TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS org_members (
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_on TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE TABLE IF NOT EXISTS org_default_fragments (
    org_id TEXT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    fragments BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS org_invites (
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    authorizations TEXT NOT NULL,
    created_on TEXT NOT NULL,
    PRIMARY KEY (org_id, email)
);
"""
"""Tables of users, organizations (with their default fragments), memberships and pending invites."""

_ORG_QUERY = (
    "SELECT o.*, d.fragments AS default_fragments FROM organizations o "
    "LEFT JOIN org_default_fragments d ON d.org_id = o.id"
)
_MAX_DEFAULT_FRAGMENTS = 100
# Fragments everyone may import (FragmentVisibility PUBLIC, PUBLIC_UNLISTED); private ones only their organization.
_IMPORTABLE_BY_ALL = (2, 3)


def create_user(conn: sqlite3.Connection, email: str) -> str:
    """Insert a user with ``email`` (inside the caller's transaction) and return its id."""
    user_id = new_id()
    conn.execute("INSERT INTO users (id, email, created_on) VALUES (?, ?, ?)", (user_id, email, to_iso(now())))
    return user_id


def create_organization_row(conn: sqlite3.Connection, name: str, owner: Caller | str, key_id: str | None = None) -> str:
    """Insert an organization whose owner is the user (and, if given, the API key ``key_id``); return its id."""
    org_id = new_id()
    user_id = owner.user_id if isinstance(owner, Caller) else owner
    moment = to_iso(now())
    conn.execute("INSERT INTO organizations (id, name, created_on) VALUES (?, ?, ?)", (org_id, name, moment))
    conn.execute("INSERT INTO org_members (org_id, user_id, created_on) VALUES (?, ?, ?)", (org_id, user_id, moment))
    grant(conn, Grant(org_id, user_id, "user", "owner", "organization", org_id))
    if key_id is not None:
        grant(conn, Grant(org_id, key_id, "api-key", "owner", "organization", org_id))
    return org_id


def _organization(row: sqlite3.Row) -> app.Organization:
    return app.Organization(
        id=row["id"],
        name=row["name"],
        created_on=from_iso(row["created_on"]),
        public_namespace=row["public_namespace"] or "",
        default_region=row["region"],
        cid=row["cid"],
        default_fragments=None
        if row["default_fragments"] is None
        else codec.decode(app.FragmentImportList, row["default_fragments"]),
    )


def _load_org(conn: sqlite3.Connection, org_id: str) -> app.Organization:
    row = conn.execute(f"{_ORG_QUERY} WHERE o.id = ?", (org_id,)).fetchone()
    if row is None:
        raise not_found(f"organization {org_id} not found")
    return _organization(row)


class OrganizationsMixin(ServiceMixin):
    """Users and organizations."""

    async def get_user_id_by_email(
        self, request: app.GetUserIdByEmailRequest, stream: AnyStream
    ) -> app.GetUserIdByEmailResponse:
        """Return the id of the user with ``email``; ``NOT_FOUND`` if there is none."""
        await self.ctx.caller(stream)
        email = require_email(request.email, "email")
        row = await self.ctx.store.read(
            lambda conn: conn.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()
        )
        if row is None:
            raise not_found("email: no user with this address")
        return app.GetUserIdByEmailResponse(user_id=row["id"])

    async def create_organization(
        self, request: app.CreateOrganizationRequest, stream: AnyStream
    ) -> app.CreateOrganizationResponse:
        """Create an organization owned by the calling user and key.

        Only a key that owns an organization may create one: a key scoped to a location or a machine (or an
        operator) must not mint itself an organization, where it would hold every role.
        """
        caller = await self.ctx.caller(stream)
        name = require_name(request.name, "name")

        def create(conn: sqlite3.Connection) -> app.Organization:
            owns = conn.execute(
                "SELECT 1 FROM authorizations WHERE identity_id = ? AND resource_type = 'organization' "
                "AND role = 'owner' LIMIT 1",
                (caller.key_id,),
            ).fetchone()
            if owns is None:
                raise GRPCError(
                    Status.PERMISSION_DENIED, "only a key with the owner role on an organization may create one"
                )
            return _load_org(conn, create_organization_row(conn, name, caller, caller.key_id))

        return app.CreateOrganizationResponse(organization=await self.ctx.store.write(create))

    async def list_organizations(
        self, request: app.ListOrganizationsRequest, stream: AnyStream
    ) -> app.ListOrganizationsResponse:
        """Return the organizations the caller holds a role in, oldest first."""
        caller = await self.ctx.caller(stream)
        org_ids = await self.ctx.visible_org_ids(caller)

        def load(conn: sqlite3.Connection) -> list[app.Organization]:
            marks = ",".join("?" * len(org_ids))
            rows = conn.execute(
                f"{_ORG_QUERY} WHERE o.id IN ({marks}) ORDER BY o.created_on, o.id", list(org_ids)
            ).fetchall()
            return [_organization(row) for row in rows]

        return app.ListOrganizationsResponse(organizations=await self.ctx.store.read(load) if org_ids else [])

    async def get_organizations_with_access_to_location(
        self, request: app.GetOrganizationsWithAccessToLocationRequest, stream: AnyStream
    ) -> app.GetOrganizationsWithAccessToLocationResponse:
        """Return the organizations that own or share ``location_id``."""
        caller = await self.ctx.caller(stream)
        location_id = require_id(request.location_id, "location_id")
        await self.ctx.require(caller, "read_location", "location", location_id)

        def load(conn: sqlite3.Connection) -> list[app.OrganizationIdentity]:
            rows = conn.execute(
                "SELECT o.id, o.name FROM location_orgs lo JOIN organizations o ON o.id = lo.org_id "
                "WHERE lo.location_id = ? ORDER BY lo.is_primary DESC, o.created_on, o.id",
                (location_id,),
            ).fetchall()
            return [app.OrganizationIdentity(id=row["id"], name=row["name"]) for row in rows]

        return app.GetOrganizationsWithAccessToLocationResponse(organization_identities=await self.ctx.store.read(load))

    async def list_organizations_by_user(
        self, request: app.ListOrganizationsByUserRequest, stream: AnyStream
    ) -> app.ListOrganizationsByUserResponse:
        """Return the organizations ``user_id`` is a member of (limited to those the caller can see)."""
        caller = await self.ctx.caller(stream)
        user_id = require_id(request.user_id, "user_id")
        visible = await self.ctx.visible_org_ids(caller)

        def load(conn: sqlite3.Connection) -> list[app.OrgDetails]:
            if conn.execute("SELECT 1 FROM users WHERE id = ?", (user_id,)).fetchone() is None:
                raise not_found(f"user_id: user {user_id} not found")
            rows = conn.execute(
                "SELECT o.* FROM org_members m JOIN organizations o ON o.id = m.org_id WHERE m.user_id = ? "
                "ORDER BY o.created_on, o.id",
                (user_id,),
            ).fetchall()
            return [
                app.OrgDetails(
                    org_id=row["id"], org_name=row["name"], org_cid=row["cid"], public_namespace=row["public_namespace"]
                )
                for row in rows
                if row["id"] in visible  # a key sees only the organizations it holds a role in
            ]

        return app.ListOrganizationsByUserResponse(orgs=await self.ctx.store.read(load))

    async def get_organization(
        self, request: app.GetOrganizationRequest, stream: AnyStream
    ) -> app.GetOrganizationResponse:
        """One organization by id."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        await self.ctx.require(caller, "read_organization", "organization", org_id)
        return app.GetOrganizationResponse(organization=await self.ctx.store.read(lambda conn: _load_org(conn, org_id)))

    async def get_organization_namespace_availability(
        self, request: app.GetOrganizationNamespaceAvailabilityRequest, stream: AnyStream
    ) -> app.GetOrganizationNamespaceAvailabilityResponse:
        """Whether ``public_namespace`` is free to claim."""
        await self.ctx.caller(stream)
        namespace = require_namespace(request.public_namespace, "public_namespace")
        row = await self.ctx.store.read(
            lambda conn: conn.execute("SELECT 1 FROM organizations WHERE public_namespace = ?", (namespace,)).fetchone()
        )
        return app.GetOrganizationNamespaceAvailabilityResponse(available=row is None)

    async def update_organization(
        self, request: app.UpdateOrganizationRequest, stream: AnyStream
    ) -> app.UpdateOrganizationResponse:
        """Change the fields that are set: name, public namespace (only while unset), region, cid, default fragments.

        ``default_fragments`` replaces the list (empty: none); each must be a fragment of the organization or a
        public or unlisted one (``NOT_FOUND`` naming it otherwise).
        """
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        await self.ctx.require(caller, "write_organization", "organization", org_id)
        changes: dict[str, str] = {}
        if request.name is not None:
            changes["name"] = require_name(request.name, "name")
        if request.public_namespace is not None:
            changes["public_namespace"] = require_namespace(request.public_namespace, "public_namespace")
        if request.region is not None:
            changes["region"] = require_text(request.region, "region", max_length=64)
        if request.cid is not None:
            changes["cid"] = require_text(request.cid, "cid", max_length=200)
        defaults = request.default_fragments
        if defaults is not None and len(defaults.fragments) > _MAX_DEFAULT_FRAGMENTS:
            raise invalid(f"default_fragments has more than {_MAX_DEFAULT_FRAGMENTS} fragments")
        for index, imported in enumerate(defaults.fragments if defaults is not None else ()):
            require_id(imported.fragment_id, f"default_fragments.fragments[{index}].fragment_id")
            require_text(imported.version, f"default_fragments.fragments[{index}].version", max_length=64)

        def update(conn: sqlite3.Connection) -> app.Organization:
            current = _load_org(conn, org_id)
            namespace = changes.get("public_namespace")
            if namespace is not None and current.public_namespace not in ("", namespace):
                raise GRPCError(
                    Status.FAILED_PRECONDITION, "public_namespace is already set for this organization (set once)"
                )
            _set_org_fields(conn, org_id, changes)
            if defaults is not None:
                _set_default_fragments(conn, org_id, defaults)
            return _load_org(conn, org_id)

        return app.UpdateOrganizationResponse(organization=await self.ctx.store.write(update))

    async def update_organization_namespace(
        self, request: app.UpdateOrganizationNamespaceRequest, stream: AnyStream
    ) -> app.UpdateOrganizationNamespaceResponse:
        """Claim ``new_public_namespace`` for the organization."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        namespace = require_namespace(request.new_public_namespace, "new_public_namespace")
        await self.ctx.require(caller, "write_organization", "organization", org_id)

        def update(conn: sqlite3.Connection) -> app.Organization:
            _set_org_fields(conn, org_id, {"public_namespace": namespace})
            return _load_org(conn, org_id)

        return app.UpdateOrganizationNamespaceResponse(organization=await self.ctx.store.write(update))

    async def delete_organization(
        self, request: app.DeleteOrganizationRequest, stream: AnyStream
    ) -> app.DeleteOrganizationResponse:
        """Delete an organization with its locations, keys, members and invites.

        ``FAILED_PRECONDITION`` while one of its own locations still holds machines.
        """
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        await self.ctx.require(caller, "write_organization", "organization", org_id)

        def delete(conn: sqlite3.Connection) -> None:
            owned = [r["id"] for r in conn.execute("SELECT id FROM locations WHERE org_id = ?", (org_id,)).fetchall()]
            if owned and _has_machines(conn, owned):
                raise GRPCError(
                    Status.FAILED_PRECONDITION, "organization_id: the organization's locations still hold machines"
                )
            # Children first: delete deepest locations before their parents.
            for location_id in sorted(owned, key=lambda lid: -_depth(conn, lid)):
                conn.execute("DELETE FROM authorizations WHERE resource_id = ?", (location_id,))
                conn.execute("DELETE FROM locations WHERE id = ?", (location_id,))
            conn.execute("DELETE FROM authorizations WHERE resource_id = ? OR org_id = ?", (org_id, org_id))
            conn.execute("DELETE FROM organizations WHERE id = ?", (org_id,))

        await self.ctx.store.write(delete)
        return app.DeleteOrganizationResponse()

    async def get_organization_metadata(
        self, request: app.GetOrganizationMetadataRequest, stream: AnyStream
    ) -> app.GetOrganizationMetadataResponse:
        """Return the organization's user-defined metadata."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        await self.ctx.require(caller, "read_organization", "organization", org_id)
        row = await self.ctx.store.read(
            lambda conn: conn.execute("SELECT metadata FROM organizations WHERE id = ?", (org_id,)).fetchone()
        )
        if row is None:
            raise not_found(f"organization {org_id} not found")
        return app.GetOrganizationMetadataResponse(data=await struct_for(row["metadata"]))

    async def update_organization_metadata(
        self, request: app.UpdateOrganizationMetadataRequest, stream: AnyStream
    ) -> app.UpdateOrganizationMetadataResponse:
        """Replace the organization's user-defined metadata."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        text = await converted(metadata_json, request.data, "data")
        await self.ctx.require(caller, "write_organization", "organization", org_id)
        await self.ctx.store.write(
            lambda conn: conn.execute("UPDATE organizations SET metadata = ? WHERE id = ?", (text, org_id))
        )
        return app.UpdateOrganizationMetadataResponse()


def _set_org_fields(conn: sqlite3.Connection, org_id: str, changes: dict[str, str]) -> None:
    if conn.execute("SELECT 1 FROM organizations WHERE id = ?", (org_id,)).fetchone() is None:
        raise not_found(f"organization {org_id} not found")
    namespace = changes.get("public_namespace")
    if namespace is not None:
        taken = conn.execute(
            "SELECT 1 FROM organizations WHERE public_namespace = ? AND id != ?", (namespace, org_id)
        ).fetchone()
        if taken is not None:
            raise GRPCError(Status.ALREADY_EXISTS, "public_namespace is already taken")
    for column, value in changes.items():  # column names come from this module, never from the request
        conn.execute(f"UPDATE organizations SET {column} = ? WHERE id = ?", (value, org_id))


def _set_default_fragments(conn: sqlite3.Connection, org_id: str, defaults: app.FragmentImportList) -> None:
    """Replace the organization's default fragments, each checked to be one it may import."""
    for index, imported in enumerate(defaults.fragments):
        fragment_id = imported.fragment_id.lower()
        try:
            row = conn.execute("SELECT org_id, visibility FROM fragments WHERE id = ?", (fragment_id,)).fetchone()
        except sqlite3.OperationalError:  # the fragments tables are not installed
            row = None
        if row is None or (row["org_id"] != org_id and row["visibility"] not in _IMPORTABLE_BY_ALL):
            raise not_found(f"default_fragments.fragments[{index}].fragment_id: fragment {fragment_id} not found")
        imported.fragment_id = fragment_id
    conn.execute("DELETE FROM org_default_fragments WHERE org_id = ?", (org_id,))
    if defaults.fragments:
        conn.execute(
            "INSERT INTO org_default_fragments (org_id, fragments) VALUES (?, ?)", (org_id, codec.encode(defaults))
        )


def _has_machines(conn: sqlite3.Connection, location_ids: list[str]) -> bool:
    marks = ",".join("?" * len(location_ids))
    try:
        row = conn.execute(f"SELECT 1 FROM robots WHERE location_id IN ({marks}) LIMIT 1", location_ids).fetchone()
    except sqlite3.OperationalError:  # the machines tables are not installed
        return False
    return row is not None


def _depth(conn: sqlite3.Connection, location_id: str) -> int:
    depth = 0
    current: str | None = location_id
    while current is not None and depth < 64:
        row = conn.execute("SELECT parent_location_id FROM locations WHERE id = ?", (current,)).fetchone()
        current = None if row is None else row["parent_location_id"]
        depth += 1
    return depth
