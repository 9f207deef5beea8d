"""API keys: create, list, rotate, copy and delete. A key's clear value is returned only when it is made."""

from __future__ import annotations

import sqlite3

from fleetwire_api.viam.app import v1 as app

from ..auth.authentication import insert_key
from ..auth.grants import Grant, grant, parse_authorization, require_resource_in_org
from ..context import Caller
from ..store.ids import from_iso, invalid, not_found, now, require_id, require_name, to_iso
from .mixin import AnyStream, ServiceMixin

__all__ = ("KeysMixin",)

_MAX_KEY_AUTHORIZATIONS = 100


def _key_org(conn: sqlite3.Connection, key_id: str) -> str:
    row = conn.execute("SELECT org_id FROM api_keys WHERE id = ?", (key_id,)).fetchone()
    if row is None:
        raise not_found(f"id: API key {key_id} not found")
    return str(row["org_id"])


def _key_grants(conn: sqlite3.Connection, key_id: str, org_id: str | None = None) -> list[Grant]:
    """Return the key's grants (only those recorded under ``org_id`` if given)."""
    rows = conn.execute(
        "SELECT org_id, identity_id, identity_type, role, resource_type, resource_id, created_on "
        "FROM authorizations WHERE identity_id = ? AND (? IS NULL OR org_id = ?) "
        "ORDER BY created_on, resource_type, resource_id",
        (key_id, org_id, org_id),
    ).fetchall()
    return [Grant(r[0], r[1], r[2], r[3], r[4], r[5], from_iso(r[6])) for r in rows]


def _copy_key(conn: sqlite3.Connection, key_id: str, caller: Caller, *, replace: bool) -> tuple[str, str]:
    """Copy ``key_id`` (name, organization, authorizations) into a new key; ``replace`` deletes the old one.

    A rotation (``replace``) keeps every grant of the key; a copy takes only the grants in the key's own
    organization (the one whose owner asked), so it cannot spread roles held in other organizations.
    """
    row = conn.execute("SELECT name, org_id FROM api_keys WHERE id = ?", (key_id,)).fetchone()
    if row is None:
        raise not_found(f"id: API key {key_id} not found")
    new_key_id, key = insert_key(conn, org_id=row["org_id"], user_id=caller.user_id, name=row["name"])
    for g in _key_grants(conn, key_id, None if replace else row["org_id"]):
        grant(conn, Grant(g.org_id, new_key_id, "api-key", g.role, g.resource_type, g.resource_id))
    if replace:
        _delete_key(conn, key_id)
    return new_key_id, key


def _delete_key(conn: sqlite3.Connection, key_id: str) -> None:
    conn.execute("DELETE FROM authorizations WHERE identity_id = ?", (key_id,))
    conn.execute("DELETE FROM api_keys WHERE id = ?", (key_id,))  # cascades to its access tokens


class KeysMixin(ServiceMixin):
    """API keys of an organization."""

    async def _require_key_admin(self, caller: Caller, key_id: str) -> str:
        org_id = await self.ctx.store.read(lambda conn: _key_org(conn, key_id))
        await self.ctx.require(caller, "write_organization", "organization", org_id)
        return org_id

    async def create_key(self, request: app.CreateKeyRequest, stream: AnyStream) -> app.CreateKeyResponse:
        """Create a key holding ``authorizations`` (all in one organization); answer its id and clear value."""
        caller = await self.ctx.caller(stream)
        if not request.authorizations:
            raise invalid("authorizations is required")
        if len(request.authorizations) > _MAX_KEY_AUTHORIZATIONS:
            raise invalid(f"authorizations has more than {_MAX_KEY_AUTHORIZATIONS} entries")
        name = require_name(request.name, "name") if request.name.strip() else to_iso(now())
        parsed: list[tuple[str, str, str]] = []
        org_ids: set[str] = set()
        for i, auth in enumerate(request.authorizations):
            parsed.append(parse_authorization(auth, f"authorizations[{i}]"))
            org_ids.add(require_id(auth.organization_id, f"authorizations[{i}].organization_id"))
        if len(org_ids) != 1:
            raise invalid("authorizations must all name the same organization_id")
        org_id = org_ids.pop()
        await self.ctx.require(caller, "write_organization", "organization", org_id)

        def create(conn: sqlite3.Connection) -> tuple[str, str]:
            for i, (_, rtype, rid) in enumerate(parsed):
                require_resource_in_org(conn, org_id, rtype, rid, f"authorizations[{i}].resource_id")
            key_id, key = insert_key(conn, org_id=org_id, user_id=caller.user_id, name=name)
            for role, rtype, rid in parsed:
                grant(conn, Grant(org_id, key_id, "api-key", role, rtype, rid))
            return key_id, key

        key_id, key = await self.ctx.store.write(create)
        return app.CreateKeyResponse(key=key, id=key_id)

    async def delete_key(self, request: app.DeleteKeyRequest, stream: AnyStream) -> app.DeleteKeyResponse:
        """Delete a key: it and every access token issued for it stop working at once."""
        caller = await self.ctx.caller(stream)
        key_id = require_id(request.id, "id")
        await self._require_key_admin(caller, key_id)

        def delete(conn: sqlite3.Connection) -> None:
            _key_org(conn, key_id)
            _delete_key(conn, key_id)

        await self.ctx.store.write(delete)
        return app.DeleteKeyResponse()

    async def rotate_key(self, request: app.RotateKeyRequest, stream: AnyStream) -> app.RotateKeyResponse:
        """Replace a key by a new one (new id and value, same name and authorizations); the old one stops working."""
        caller = await self.ctx.caller(stream)
        key_id = require_id(request.id, "id")
        await self._require_key_admin(caller, key_id)
        new_id, key = await self.ctx.store.write(lambda conn: _copy_key(conn, key_id, caller, replace=True))
        return app.RotateKeyResponse(id=new_id, key=key)

    async def create_key_from_existing_key_authorizations(
        self, request: app.CreateKeyFromExistingKeyAuthorizationsRequest, stream: AnyStream
    ) -> app.CreateKeyFromExistingKeyAuthorizationsResponse:
        """Return a new key with the same authorizations as key ``id``."""
        caller = await self.ctx.caller(stream)
        key_id = require_id(request.id, "id")
        await self._require_key_admin(caller, key_id)
        new_id, key = await self.ctx.store.write(lambda conn: _copy_key(conn, key_id, caller, replace=False))
        return app.CreateKeyFromExistingKeyAuthorizationsResponse(id=new_id, key=key)

    async def list_keys(self, request: app.ListKeysRequest, stream: AnyStream) -> app.ListKeysResponse:
        """Return the organization's keys with their authorizations (never their values)."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.org_id, "org_id")
        await self.ctx.require(caller, "read_organization", "organization", org_id)

        def load(conn: sqlite3.Connection) -> list[app.ApiKeyWithAuthorizations]:
            result: list[app.ApiKeyWithAuthorizations] = []
            for row in conn.execute(
                "SELECT id, name, created_on FROM api_keys WHERE org_id = ? ORDER BY created_on, id", (org_id,)
            ).fetchall():
                details = [
                    app.AuthorizationDetails(
                        authorization_type="role",
                        authorization_id=f"{g.resource_type}_{g.role}",
                        resource_type=g.resource_type,
                        resource_id=g.resource_id,
                        org_id=g.org_id,
                    )
                    for g in _key_grants(conn, row["id"], org_id)  # roles held elsewhere are not this org's business
                ]
                key = app.ApiKey(id=row["id"], key="", name=row["name"], created_on=from_iso(row["created_on"]))
                result.append(app.ApiKeyWithAuthorizations(api_key=key, authorizations=details))
            return result

        return app.ListKeysResponse(api_keys=await self.ctx.store.read(load))
