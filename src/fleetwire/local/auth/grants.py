"""Storage of role authorizations (who holds which role on which resource) and their validation."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from grpclib.const import Status
from grpclib.exceptions import GRPCError

from fleetwire_api.viam.app import v1 as app

from ..context import location_chain
from ..store.ids import from_iso, invalid, is_id, now, to_iso
from .permissions import RESOURCE_TYPES, ROLES

__all__ = (
    "SCHEMA",
    "Grant",
    "delete_grant",
    "grant",
    "grants_of_org",
    "identity_type_of",
    "parse_authorization",
    "resource_in_org",
    "to_message",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS authorizations (
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    identity_id TEXT NOT NULL,
    identity_type TEXT NOT NULL,
    role TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    created_on TEXT NOT NULL,
    PRIMARY KEY (org_id, identity_id, role, resource_type, resource_id)
);
CREATE INDEX IF NOT EXISTS authorizations_identity ON authorizations(identity_id, resource_type, resource_id);
CREATE INDEX IF NOT EXISTS authorizations_resource ON authorizations(resource_id);
"""
"""The table of role authorizations."""


@dataclass(frozen=True)
class Grant:
    """One role authorization: ``identity`` holds ``role`` on a resource, recorded under ``org_id``."""

    org_id: str
    identity_id: str
    identity_type: str
    role: str
    resource_type: str
    resource_id: str
    created_on: datetime | None = None


def to_message(grant: Grant) -> app.Authorization:
    """Return the wire form of a grant, as the service spells it (``authorization_id`` = ``<resource type>_<role>``)."""
    return app.Authorization(
        authorization_type="role",
        authorization_id=f"{grant.resource_type}_{grant.role}",
        resource_type=grant.resource_type,
        resource_id=grant.resource_id,
        identity_id=grant.identity_id,
        organization_id=grant.org_id,
        identity_type=grant.identity_type,
    )


def grant(conn: sqlite3.Connection, g: Grant) -> bool:
    """Record ``g`` (inside the caller's transaction); ``False`` if it was already there."""
    cursor = conn.execute(
        "INSERT OR IGNORE INTO authorizations "
        "(org_id, identity_id, identity_type, role, resource_type, resource_id, created_on) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (g.org_id, g.identity_id, g.identity_type, g.role, g.resource_type, g.resource_id, to_iso(now())),
    )
    return cursor.rowcount > 0


def delete_grant(conn: sqlite3.Connection, g: Grant) -> bool:
    """Remove ``g``; ``False`` if there was no such grant."""
    cursor = conn.execute(
        "DELETE FROM authorizations WHERE org_id = ? AND identity_id = ? AND role = ? AND resource_type = ? "
        "AND resource_id = ?",
        (g.org_id, g.identity_id, g.role, g.resource_type, g.resource_id),
    )
    return cursor.rowcount > 0


def grants_of_org(conn: sqlite3.Connection, org_id: str, resource_ids: list[str] | None = None) -> list[Grant]:
    """Grants recorded under ``org_id``, optionally only those on ``resource_ids``."""
    sql = (
        "SELECT org_id, identity_id, identity_type, role, resource_type, resource_id, created_on "
        "FROM authorizations WHERE org_id = ?"
    )
    params: list[str] = [org_id]
    if resource_ids:
        sql += f" AND resource_id IN ({','.join('?' * len(resource_ids))})"
        params += resource_ids
    sql += " ORDER BY created_on, identity_id, resource_type, resource_id, role"
    return [Grant(r[0], r[1], r[2], r[3], r[4], r[5], from_iso(r[6])) for r in conn.execute(sql, params).fetchall()]


def identity_type_of(conn: sqlite3.Connection, identity_id: str) -> str | None:
    """``"user"`` or ``"api-key"`` for a known identity, else ``None``."""
    if conn.execute("SELECT 1 FROM users WHERE id = ?", (identity_id,)).fetchone() is not None:
        return "user"
    if conn.execute("SELECT 1 FROM api_keys WHERE id = ?", (identity_id,)).fetchone() is not None:
        return "api-key"
    return None


def resource_in_org(conn: sqlite3.Connection, org_id: str, resource_type: str, resource_id: str) -> bool:
    """Whether the resource exists and belongs to (or is shared with) ``org_id``."""
    if resource_type == "organization":
        return resource_id == org_id and (
            conn.execute("SELECT 1 FROM organizations WHERE id = ?", (org_id,)).fetchone() is not None
        )
    location_id = resource_id
    if resource_type == "robot":
        try:
            row = conn.execute("SELECT location_id FROM robots WHERE id = ?", (resource_id,)).fetchone()
        except sqlite3.OperationalError:
            return False
        if row is None:
            return False
        location_id = str(row["location_id"])
    chain = location_chain(conn, location_id)
    if not chain:
        return False
    marks = ",".join("?" * len(chain))
    found = conn.execute(
        f"SELECT 1 FROM location_orgs WHERE org_id = ? AND location_id IN ({marks})", [org_id, *chain]
    ).fetchone()
    return found is not None


def parse_authorization(auth: app.Authorization | None, field: str) -> tuple[str, str, str]:
    """Validate the role part of an ``Authorization`` message; return ``(role, resource_type, resource_id)``.

    ``role`` is read from ``authorization_id`` (``<resource type>_<role>``, as the official SDK sends it).
    Raises ``INVALID_ARGUMENT`` naming the offending sub-field of ``field``.
    """
    if auth is None:
        raise invalid(f"{field} is required")
    if auth.authorization_type not in ("", "role"):
        raise invalid(f"{field}.authorization_type must be 'role'")
    if auth.resource_type not in RESOURCE_TYPES:
        raise invalid(f"{field}.resource_type must be one of {', '.join(RESOURCE_TYPES)}")
    prefix = f"{auth.resource_type}_"
    role = auth.authorization_id[len(prefix) :] if auth.authorization_id.startswith(prefix) else ""
    if role not in ROLES:
        allowed = ", ".join(prefix + r for r in ROLES)
        raise invalid(f"{field}.authorization_id must be one of {allowed}")
    if not auth.resource_id:
        raise invalid(f"{field}.resource_id is required")
    if not is_id(auth.resource_id):
        raise invalid(f"{field}.resource_id is not a valid id")
    return role, auth.resource_type, auth.resource_id.lower()


def require_resource_in_org(
    conn: sqlite3.Connection, org_id: str, resource_type: str, resource_id: str, field: str
) -> None:
    """``NOT_FOUND`` naming ``field`` unless the resource exists within ``org_id``."""
    if not resource_in_org(conn, org_id, resource_type, resource_id):
        raise GRPCError(Status.NOT_FOUND, f"{field}: {resource_type} {resource_id} not found in organization {org_id}")
