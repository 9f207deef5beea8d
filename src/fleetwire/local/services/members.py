"""Members and invites of an organization (no email is sent by the local server)."""

from __future__ import annotations

import json
import sqlite3

from grpclib.const import Status
from grpclib.exceptions import GRPCError

from fleetwire_api.viam.app import v1 as app

from ..auth.grants import parse_authorization, require_resource_in_org
from ..store.ids import from_iso, not_found, now, require_id, to_iso
from .mixin import AnyStream, ServiceMixin
from .validate import require_email

__all__ = ("MembersMixin",)

_MAX_INVITE_AUTHORIZATIONS = 100


def _invite(org_id: str, row: sqlite3.Row) -> app.OrganizationInvite:
    auths = [
        app.Authorization(
            authorization_type="role",
            authorization_id=f"{rtype}_{role}",
            resource_type=rtype,
            resource_id=rid,
            organization_id=org_id,
            identity_type="user",
        )
        for role, rtype, rid in json.loads(row["authorizations"])
    ]
    return app.OrganizationInvite(
        organization_id=org_id, email=row["email"], created_on=from_iso(row["created_on"]), authorizations=auths
    )


def _load_invite(conn: sqlite3.Connection, org_id: str, email: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM org_invites WHERE org_id = ? AND email = ?", (org_id, email)).fetchone()
    if row is None:
        raise not_found(f"email: no pending invite for this address in organization {org_id}")
    return row


def _invite_grants(
    conn: sqlite3.Connection, org_id: str, auths: list[app.Authorization], field: str
) -> list[tuple[str, str, str]]:
    if len(auths) > _MAX_INVITE_AUTHORIZATIONS:
        raise GRPCError(Status.INVALID_ARGUMENT, f"{field} has more than {_MAX_INVITE_AUTHORIZATIONS} entries")
    parsed: list[tuple[str, str, str]] = []
    for i, auth in enumerate(auths):
        role, rtype, rid = parse_authorization(auth, f"{field}[{i}]")
        if auth.organization_id and auth.organization_id.lower() != org_id:
            raise GRPCError(Status.INVALID_ARGUMENT, f"{field}[{i}].organization_id must be {org_id}")
        require_resource_in_org(conn, org_id, rtype, rid, f"{field}[{i}].resource_id")
        if (role, rtype, rid) not in parsed:
            parsed.append((role, rtype, rid))
    return parsed


class MembersMixin(ServiceMixin):
    """Members of an organization and its pending invites."""

    async def list_organization_members(
        self, request: app.ListOrganizationMembersRequest, stream: AnyStream
    ) -> app.ListOrganizationMembersResponse:
        """Return the organization's members and pending invites."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        await self.ctx.require(caller, "read_organization", "organization", org_id)

        def load(conn: sqlite3.Connection) -> app.ListOrganizationMembersResponse:
            members = [
                app.OrganizationMember(user_id=row["id"], emails=[row["email"]], date_added=from_iso(row["added"]))
                for row in conn.execute(
                    "SELECT u.id, u.email, m.created_on AS added FROM org_members m JOIN users u ON u.id = m.user_id "
                    "WHERE m.org_id = ? ORDER BY m.created_on, u.id",
                    (org_id,),
                ).fetchall()
            ]
            invites = [
                _invite(org_id, row)
                for row in conn.execute(
                    "SELECT * FROM org_invites WHERE org_id = ? ORDER BY created_on, email", (org_id,)
                ).fetchall()
            ]
            return app.ListOrganizationMembersResponse(organization_id=org_id, members=members, invites=invites)

        return await self.ctx.store.read(load)

    async def create_organization_invite(
        self, request: app.CreateOrganizationInviteRequest, stream: AnyStream
    ) -> app.CreateOrganizationInviteResponse:
        """Invite ``email`` with ``authorizations`` (default: owner of the organization). No email is sent locally."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        email = require_email(request.email, "email")
        await self.ctx.require(caller, "write_organization", "organization", org_id)

        def create(conn: sqlite3.Connection) -> app.OrganizationInvite:
            grants = _invite_grants(conn, org_id, request.authorizations, "authorizations") or [
                ("owner", "organization", org_id)
            ]
            member = conn.execute(
                "SELECT 1 FROM org_members m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? AND u.email = ?",
                (org_id, email),
            ).fetchone()
            if member is not None:
                raise GRPCError(Status.ALREADY_EXISTS, "email: this user is already a member of the organization")
            exists = conn.execute(
                "SELECT 1 FROM org_invites WHERE org_id = ? AND email = ?", (org_id, email)
            ).fetchone()
            if exists is not None:
                raise GRPCError(Status.ALREADY_EXISTS, "email: an invite for this address is already pending")
            conn.execute(
                "INSERT INTO org_invites (org_id, email, authorizations, created_on) VALUES (?, ?, ?, ?)",
                (org_id, email, json.dumps(grants), to_iso(now())),
            )
            return _invite(org_id, _load_invite(conn, org_id, email))

        return app.CreateOrganizationInviteResponse(invite=await self.ctx.store.write(create))

    async def update_organization_invite_authorizations(
        self, request: app.UpdateOrganizationInviteAuthorizationsRequest, stream: AnyStream
    ) -> app.UpdateOrganizationInviteAuthorizationsResponse:
        """Add and remove authorizations of a pending invite."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        email = require_email(request.email, "email")
        await self.ctx.require(caller, "write_organization", "organization", org_id)

        if not request.add_authorizations and not request.remove_authorizations:
            raise GRPCError(Status.INVALID_ARGUMENT, "add_authorizations or remove_authorizations is required")

        def update(conn: sqlite3.Connection) -> app.OrganizationInvite:
            row = _load_invite(conn, org_id, email)
            current = [tuple(entry) for entry in json.loads(row["authorizations"])]
            added = _invite_grants(conn, org_id, request.add_authorizations, "add_authorizations")
            removed = [
                parse_authorization(auth, f"remove_authorizations[{i}]")
                for i, auth in enumerate(request.remove_authorizations)
            ]
            for i, entry in enumerate(removed):
                if entry not in current:
                    raise GRPCError(
                        Status.FAILED_PRECONDITION, f"remove_authorizations[{i}] is not an authorization of the invite"
                    )
            result = [entry for entry in current if entry not in removed]
            result += [entry for entry in added if entry not in result]
            if not result:
                raise GRPCError(
                    Status.FAILED_PRECONDITION, "remove_authorizations would leave the invite with no authorization"
                )
            conn.execute(
                "UPDATE org_invites SET authorizations = ? WHERE org_id = ? AND email = ?",
                (json.dumps(result), org_id, email),
            )
            return _invite(org_id, _load_invite(conn, org_id, email))

        return app.UpdateOrganizationInviteAuthorizationsResponse(invite=await self.ctx.store.write(update))

    async def delete_organization_member(
        self, request: app.DeleteOrganizationMemberRequest, stream: AnyStream
    ) -> app.DeleteOrganizationMemberResponse:
        """Remove a member and every role they held in the organization (never the last member)."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        user_id = require_id(request.user_id, "user_id")
        await self.ctx.require(caller, "write_organization", "organization", org_id)

        def delete(conn: sqlite3.Connection) -> None:
            if (
                conn.execute("SELECT 1 FROM org_members WHERE org_id = ? AND user_id = ?", (org_id, user_id)).fetchone()
                is None
            ):
                raise not_found(f"user_id: user {user_id} is not a member of organization {org_id}")
            count = conn.execute("SELECT COUNT(*) FROM org_members WHERE org_id = ?", (org_id,)).fetchone()[0]
            if count <= 1:
                raise GRPCError(Status.FAILED_PRECONDITION, "user_id: cannot remove the last member of an organization")
            conn.execute("DELETE FROM org_members WHERE org_id = ? AND user_id = ?", (org_id, user_id))
            conn.execute("DELETE FROM authorizations WHERE org_id = ? AND identity_id = ?", (org_id, user_id))

        await self.ctx.store.write(delete)
        return app.DeleteOrganizationMemberResponse()

    async def delete_organization_invite(
        self, request: app.DeleteOrganizationInviteRequest, stream: AnyStream
    ) -> app.DeleteOrganizationInviteResponse:
        """Withdraw a pending invite."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        email = require_email(request.email, "email")
        await self.ctx.require(caller, "write_organization", "organization", org_id)

        def delete(conn: sqlite3.Connection) -> None:
            _load_invite(conn, org_id, email)
            conn.execute("DELETE FROM org_invites WHERE org_id = ? AND email = ?", (org_id, email))

        await self.ctx.store.write(delete)
        return app.DeleteOrganizationInviteResponse()

    async def resend_organization_invite(
        self, request: app.ResendOrganizationInviteRequest, stream: AnyStream
    ) -> app.ResendOrganizationInviteResponse:
        """Return the pending invite (the local server sends no email)."""
        caller = await self.ctx.caller(stream)
        org_id = require_id(request.organization_id, "organization_id")
        email = require_email(request.email, "email")
        await self.ctx.require(caller, "write_organization", "organization", org_id)
        invite = await self.ctx.store.read(lambda conn: _invite(org_id, _load_invite(conn, org_id, email)))
        return app.ResendOrganizationInviteResponse(invite=invite)
