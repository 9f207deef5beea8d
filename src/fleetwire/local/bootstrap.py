"""First-run setup of a fleet database: one user, one organization, one location and an owner API key."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from .auth.authentication import insert_key
from .auth.grants import Grant, grant
from .services.locations import create_location_row
from .services.organizations import create_organization_row, create_user
from .store.database import Store

__all__ = ("DEFAULT_EMAIL", "Credentials", "bootstrap")

DEFAULT_EMAIL = "owner@fleetwire.local"
"""Email of the user a fresh database is created with."""


@dataclass(frozen=True)
class Credentials:
    """What a bootstrap produced or found. ``api_key`` is set only when a key was just created (never stored clear)."""

    user_id: str
    user_email: str
    organization_id: str
    location_id: str
    api_key_id: str | None
    api_key: str | None = field(default=None, repr=False)
    created: bool = False
    """Whether the database was empty and has just been populated."""


def _first(conn: sqlite3.Connection) -> tuple[str, str, str, str] | None:
    row = conn.execute(
        "SELECT u.id AS user_id, u.email, m.org_id FROM org_members m JOIN users u ON u.id = m.user_id "
        "JOIN organizations o ON o.id = m.org_id ORDER BY o.created_on, m.created_on LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    loc = conn.execute(
        "SELECT id FROM locations WHERE org_id = ? ORDER BY created_on, id LIMIT 1", (row["org_id"],)
    ).fetchone()
    return row["user_id"], row["email"], row["org_id"], "" if loc is None else loc["id"]


def _owner_key(conn: sqlite3.Connection, user_id: str, org_id: str) -> tuple[str, str]:
    key_id, key = insert_key(conn, org_id=org_id, user_id=user_id, name="fleetwire bootstrap key")
    grant(conn, Grant(org_id, key_id, "api-key", "owner", "organization", org_id))
    return key_id, key


async def bootstrap(store: Store, *, email: str = DEFAULT_EMAIL, new_key: bool = False) -> Credentials:
    """Populate an empty database, or describe an existing one (minting a fresh owner key if ``new_key``).

    Idempotent: an existing database keeps all its data. On an empty one, everything is created in one
    transaction, so a crash mid-bootstrap leaves the database empty rather than half set up.
    """

    def run(conn: sqlite3.Connection) -> Credentials:
        found = _first(conn)
        if found is None:
            user_id = create_user(conn, email)
            org_id = create_organization_row(conn, "My Organization", user_id)
            location_id = create_location_row(conn, org_id, "My Location", None)
            key_id, key = _owner_key(conn, user_id, org_id)
            return Credentials(user_id, email, org_id, location_id, key_id, key, created=True)
        user_id, user_email, org_id, location_id = found
        if not new_key:
            return Credentials(user_id, user_email, org_id, location_id, None, None)
        key_id, key = _owner_key(conn, user_id, org_id)
        return Credentials(user_id, user_email, org_id, location_id, key_id, key)

    return await store.write(run)
