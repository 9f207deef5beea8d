"""Locations in SQLite as the messages the server answers, and ``GetLocation``'s memo of encoded locations.

Runs on the store thread. A location's answer is built from its row (with its organization's name), the
organizations it is shared with, its number of machines and, when shown, its secrets.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from fleetwire_api.services import codec
from fleetwire_api.viam.app import v1 as app

from .ids import from_iso
from .memo import EncodingMemo

__all__ = (
    "LOCATION_QUERY",
    "LocationEncodings",
    "auth_message",
    "location_message",
    "robot_count",
    "secret_rows",
)

LOCATION_QUERY = (
    "SELECT l.id, l.name, l.parent_location_id, l.created_on, l.region, l.org_id, o.name AS org_name "
    "FROM locations l JOIN organizations o ON o.id = l.org_id"
)
"""The location rows :func:`location_message` takes, with the name of the owning organization; add the WHERE."""

_ORGS_QUERY = (
    "SELECT org_id, is_primary FROM location_orgs WHERE location_id = ? ORDER BY is_primary DESC, created_on, org_id"
)
_SECRETS_QUERY = "SELECT id, secret, created_on FROM location_secrets WHERE location_id = ? ORDER BY created_on, id"

_SecretRow = tuple[str, str, str]


def location_message(row: Sequence[Any], orgs: Iterable[Sequence[Any]], robots: int) -> app.Location:
    """Build a location, without secrets, from a :data:`LOCATION_QUERY` row and its ``(org_id, is_primary)`` rows."""
    location_id, name, parent_id, created_on, region, org_id, org_name = row
    return app.Location(
        id=location_id,
        name=name,
        parent_location_id=parent_id or "",
        organizations=[app.LocationOrganization(organization_id=org, primary=bool(primary)) for org, primary in orgs],
        created_on=from_iso(created_on),
        robot_count=robots,
        config=app.StorageConfig(region=region),
        primary_org_identity=app.OrganizationIdentity(id=org_id, name=org_name),
    )


def secret_rows(conn: sqlite3.Connection, location_id: str) -> tuple[_SecretRow, ...]:
    """Return the ``(id, secret, created_on)`` of the location's secrets, oldest first."""
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: part of the memo's keys
    return tuple(cursor.execute(_SECRETS_QUERY, (location_id,)).fetchall())


def auth_message(location_id: str, secrets: Iterable[_SecretRow]) -> app.LocationAuth:
    """Build a location's ``LocationAuth`` from its :func:`secret_rows`."""
    return app.LocationAuth(
        location_id=location_id,
        secrets=[
            app.SharedSecret(
                id=secret_id, secret=secret, created_on=from_iso(created_on), state=app.SharedSecretState.ENABLED
            )
            for secret_id, secret, created_on in secrets
        ],
    )


def robot_count(conn: sqlite3.Connection, location_id: str) -> int:
    """Return the number of machines in the location (0 where the machines tables are not installed)."""
    try:
        return int(conn.execute("SELECT COUNT(*) FROM robots WHERE location_id = ?", (location_id,)).fetchone()[0])
    except sqlite3.OperationalError:  # the machines tables are not installed
        return 0


class LocationEncodings(EncodingMemo[tuple[tuple[Any, ...], tuple[Any, ...], int, tuple[_SecretRow, ...] | None]]):
    """Encoded ``Location`` messages (with or without secrets), remembered by everything they are built from.

    ``GetLocation`` answers the same location again and again, and building it (nested messages, timestamps) then
    encoding it costs several times its queries. The key is the content: the location row, its organizations, its
    number of machines and, when shown, its secret rows; any change is a different key. Used on the store thread.
    """

    def encode(self, conn: sqlite3.Connection, location_id: str, *, with_secrets: bool) -> bytes | None:
        """Return the encoded location (its secrets too if ``with_secrets``); ``None`` if there is no such location.

        The bytes ``codec.encode`` gives for the location the other handlers build from the same rows.
        """
        cursor = conn.cursor()
        cursor.row_factory = None  # plain tuples: the memo's keys
        row = cursor.execute(f"{LOCATION_QUERY} WHERE l.id = ?", (location_id,)).fetchone()
        if row is None:
            return None
        orgs = tuple(cursor.execute(_ORGS_QUERY, (location_id,)).fetchall())
        robots = robot_count(conn, location_id)
        secrets = secret_rows(conn, location_id) if with_secrets else None

        def build() -> bytes:
            location = location_message(row, orgs, robots)
            if secrets is not None:
                location.auth = auth_message(location_id, secrets)
            return codec.encode(location)

        return self.remember((row, orgs, robots, secrets), build)
