"""Roles: add, remove, change and list authorizations, and ``check_permissions``."""

from __future__ import annotations

import sqlite3

from grpclib.const import Status
from grpclib.exceptions import GRPCError

from fleetwire_api.viam.app import v1 as app

from ..auth.grants import (
    Grant,
    delete_grant,
    grant,
    grants_of_org,
    identity_type_of,
    parse_authorization,
    require_resource_in_org,
    resource_in_org,
    to_message,
)
from ..auth.permissions import ALL_PERMISSIONS, RESOURCE_TYPES, role_grants
from ..context import Caller, roles_on
from ..store.ids import invalid, is_id, not_found, now, require_id, to_iso
from .mixin import AnyStream, ServiceMixin

__all__ = ("RolesMixin",)

_MAX_CHECKS = 1000
_MAX_RESOURCE_IDS = 1000


def _parse_grant(auth: app.Authorization | None, field: str) -> Grant:
    """Return a fully validated grant from an ``Authorization`` message (identity and organization included)."""
    role, rtype, rid = parse_authorization(auth, field)
    assert auth is not None  # parse_authorization rejected None
    org_id = require_id(auth.organization_id, f"{field}.organization_id")
    identity_id = require_id(auth.identity_id, f"{field}.identity_id")
    return Grant(org_id, identity_id, auth.identity_type, role, rtype, rid)


def _check_grant(conn: sqlite3.Connection, g: Grant, field: str) -> Grant:
    """Resolve the identity type and check the resource belongs to the organization."""
    identity_type = identity_type_of(conn, g.identity_id)
    if identity_type is None:
        raise not_found(f"{field}.identity_id: no user or API key {g.identity_id}")
    if g.identity_type not in ("", identity_type):
        raise invalid(f"{field}.identity_type must be {identity_type!r} for this identity")
    require_resource_in_org(conn, g.org_id, g.resource_type, g.resource_id, f"{field}.resource_id")
    return Grant(g.org_id, g.identity_id, identity_type, g.role, g.resource_type, g.resource_id)


def _add(conn: sqlite3.Connection, g: Grant, field: str) -> None:
    checked = _check_grant(conn, g, field)
    if not grant(conn, checked):
        raise GRPCError(Status.ALREADY_EXISTS, f"{field}: the identity already holds this role")
    if checked.identity_type == "user":
        conn.execute(
            "INSERT OR IGNORE INTO org_members (org_id, user_id, created_on) VALUES (?, ?, ?)",
            (checked.org_id, checked.identity_id, to_iso(now())),
        )


def _remove(conn: sqlite3.Connection, g: Grant, field: str) -> None:
    if not delete_grant(conn, g):
        raise not_found(f"{field}: the identity does not hold this role")
    _ensure_owner_left(conn, g, field)


class RolesMixin(ServiceMixin):
    """Role authorizations on organizations, locations and machines."""

    async def _require_admin(self, caller: Caller, org_id: str) -> None:
        await self.ctx.require(caller, "write_organization", "organization", org_id)

    async def add_role(self, request: app.AddRoleRequest, stream: AnyStream) -> app.AddRoleResponse:
        """Grant a role on a resource of the organization to a user or API key."""
        caller = await self.ctx.caller(stream)
        g = _parse_grant(request.authorization, "authorization")
        await self._require_admin(caller, g.org_id)
        await self.ctx.store.write(lambda conn: _add(conn, g, "authorization"))
        return app.AddRoleResponse()

    async def remove_role(self, request: app.RemoveRoleRequest, stream: AnyStream) -> app.RemoveRoleResponse:
        """Revoke a role (an organization always keeps one owner)."""
        caller = await self.ctx.caller(stream)
        g = _parse_grant(request.authorization, "authorization")
        await self._require_admin(caller, g.org_id)
        await self.ctx.store.write(lambda conn: _remove(conn, g, "authorization"))
        return app.RemoveRoleResponse()

    async def change_role(self, request: app.ChangeRoleRequest, stream: AnyStream) -> app.ChangeRoleResponse:
        """Replace ``old_authorization`` by ``new_authorization`` in one step."""
        caller = await self.ctx.caller(stream)
        old = _parse_grant(request.old_authorization, "old_authorization")
        new = _parse_grant(request.new_authorization, "new_authorization")
        await self._require_admin(caller, old.org_id)
        if new.org_id != old.org_id:
            await self._require_admin(caller, new.org_id)

        def change(conn: sqlite3.Connection) -> None:
            checked = _check_grant(conn, new, "new_authorization")
            if not delete_grant(conn, old):
                raise not_found("old_authorization: the identity does not hold this role")
            grant(conn, checked)
            _ensure_owner_left(conn, old, "old_authorization")

        await self.ctx.store.write(change)
        return app.ChangeRoleResponse()

    async def list_authorizations(
        self, request: app.ListAuthorizationsRequest, stream: AnyStream
    ) -> app.ListAuthorizationsResponse:
        """Return the organization's authorizations, optionally only those on ``resource_ids``.

        Each of ``resource_ids`` must be the organization, or one of its (or shared) locations or their machines:
        ``NOT_FOUND`` naming the first that is not.
        """
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        if len(request.resource_ids) > _MAX_RESOURCE_IDS:
            raise invalid(f"resource_ids has more than {_MAX_RESOURCE_IDS} entries")
        resource_ids = [require_id(rid, f"resource_ids[{i}]") for i, rid in enumerate(request.resource_ids)]
        await self.ctx.require(caller, "read_organization", "organization", org_id)

        def load(conn: sqlite3.Connection) -> list[Grant]:
            for index, rid in enumerate(resource_ids):
                if not any(resource_in_org(conn, org_id, kind, rid) for kind in RESOURCE_TYPES):
                    raise not_found(f"resource_ids[{index}]: no resource {rid} in organization {org_id}")
            return grants_of_org(conn, org_id, resource_ids or None)

        grants = await self.ctx.store.read(load)
        return app.ListAuthorizationsResponse(authorizations=[to_message(g) for g in grants])

    async def check_permissions(
        self, request: app.CheckPermissionsRequest, stream: AnyStream
    ) -> app.CheckPermissionsResponse:
        """Echo ``permissions`` keeping, per resource, only the permission strings the caller holds."""
        caller = await self.ctx.caller(stream)
        if not request.permissions:
            raise invalid("permissions is required")
        if len(request.permissions) > _MAX_CHECKS:
            raise invalid(f"permissions has more than {_MAX_CHECKS} entries")
        for i, entry in enumerate(request.permissions):
            if entry.resource_type not in RESOURCE_TYPES:
                raise invalid(f"permissions[{i}].resource_type must be one of {', '.join(RESOURCE_TYPES)}")
            if len(entry.permissions) > len(ALL_PERMISSIONS) * 4:
                raise invalid(f"permissions[{i}].permissions has too many entries")

        def check(conn: sqlite3.Connection) -> list[app.AuthorizedPermissions]:
            result: list[app.AuthorizedPermissions] = []
            for entry in request.permissions:
                rid = entry.resource_id.lower()
                roles = roles_on(conn, caller.key_id, entry.resource_type, rid) if is_id(rid) else None
                held = [p for p in entry.permissions if any(role_grants(r, p) for r in roles or ())]
                result.append(
                    app.AuthorizedPermissions(
                        resource_type=entry.resource_type, resource_id=entry.resource_id, permissions=held
                    )
                )
            return result

        return app.CheckPermissionsResponse(authorized_permissions=await self.ctx.store.read(check))


def _ensure_owner_left(conn: sqlite3.Connection, removed: Grant, field: str) -> None:
    """After ``removed`` is gone, the organization must still have an owner (else the transaction rolls back)."""
    if removed.resource_type != "organization" or removed.role != "owner":
        return
    left = conn.execute(
        "SELECT 1 FROM authorizations WHERE org_id = ? AND resource_type = 'organization' AND resource_id = ? "
        "AND role = 'owner' LIMIT 1",
        (removed.org_id, removed.resource_id),
    ).fetchone()
    if left is None:
        raise GRPCError(Status.FAILED_PRECONDITION, f"{field}: an organization must keep at least one owner")
