"""Machines and parts in SQLite: the tables, and the row -> message conversions that run on the store thread."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from datetime import datetime, timedelta

from grpclib.const import Status
from grpclib.exceptions import GRPCError

from fleetwire_api.services import codec
from fleetwire_api.viam.app.v1 import (
    OnlineState,
    Robot,
    RobotPart,
    SharedSecret,
    SharedSecretState,
)

from .configs import stored_struct
from .ids import from_iso, new_id, new_secret, now, to_iso
from .memo import EncodingMemo

__all__ = (
    "ONLINE_WINDOW",
    "PART_QUERY",
    "ROBOT_COLUMNS",
    "SCHEMA",
    "SECRET_PREFIX",
    "SECRET_PREFIX_LENGTH",
    "PartEncodings",
    "RobotColumns",
    "RobotEncodings",
    "fetch_part",
    "fetch_robot",
    "insert_part",
    "online_state",
    "part_message",
    "robot_columns",
    "robot_message",
    "seconds_since",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS robots (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    location_id TEXT NOT NULL,
    created_on TEXT NOT NULL,
    last_access TEXT,
    UNIQUE (location_id, name)
);
CREATE TABLE IF NOT EXISTS robot_parts (
    id TEXT PRIMARY KEY,
    robot_id TEXT NOT NULL REFERENCES robots(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    main_part INTEGER NOT NULL DEFAULT 0,
    config_json TEXT NOT NULL DEFAULT '{}',
    created_on TEXT NOT NULL,
    last_updated TEXT NOT NULL,
    last_access TEXT,
    needs_restart INTEGER NOT NULL DEFAULT 0,
    config_wire BLOB,
    UNIQUE (robot_id, name)
);
CREATE UNIQUE INDEX IF NOT EXISTS robot_parts_one_main ON robot_parts(robot_id) WHERE main_part = 1;
CREATE TABLE IF NOT EXISTS robot_part_secrets (
    id TEXT PRIMARY KEY,
    part_id TEXT NOT NULL REFERENCES robot_parts(id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    created_on TEXT NOT NULL,
    state INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS robot_part_secrets_part ON robot_part_secrets(part_id);
CREATE INDEX IF NOT EXISTS robot_part_secrets_prefix ON robot_part_secrets(substr(secret, 1, 8));
CREATE TABLE IF NOT EXISTS robot_part_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    part_id TEXT NOT NULL REFERENCES robot_parts(id) ON DELETE CASCADE,
    robot_id TEXT NOT NULL,
    edited_on TEXT NOT NULL,
    old_part BLOB NOT NULL,
    editor_type INTEGER NOT NULL,
    editor_value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS robot_part_history_part ON robot_part_history(part_id, seq);
"""
"""Tables of machines, their parts, part secrets and part config history."""

SECRET_PREFIX_LENGTH = 8
SECRET_PREFIX = "substr(secret, 1, 8)"
"""The indexed start of a part secret, by which a secret is looked up before it is compared whole."""

ONLINE_WINDOW = timedelta(seconds=60)
"""A machine counts as online if one of its parts called the RobotService within this window."""

_DNS_UNSAFE = re.compile(r"[^a-z0-9-]+")


def _label(name: str) -> str:
    return _DNS_UNSAFE.sub("-", name.lower()).strip("-")[:63] or "part"


def seconds_since(last_access: str) -> int:
    """Whole seconds from a stored ``last_access`` to now (0 if it is in the future)."""
    return max(0, int((now() - from_iso(last_access)).total_seconds()))


def online_state(last_access: str | None, seconds: int | None = None) -> tuple[OnlineState, int]:
    """Return the online state and seconds since last seen for a stored ``last_access`` (``None``: never seen).

    ``seconds``: :func:`seconds_since` of ``last_access``, if the caller has it already.
    """
    if last_access is None:
        return OnlineState.AWAITING_SETUP, 0
    if seconds is None:
        seconds = seconds_since(last_access)
    state = OnlineState.ONLINE if seconds <= ONLINE_WINDOW.total_seconds() else OnlineState.OFFLINE
    return state, seconds


def _when(text: str | None) -> datetime | None:
    return None if text is None else from_iso(text)


def fetch_robot(conn: sqlite3.Connection, robot_id: str) -> sqlite3.Row:
    """Return the ``robots`` row of ``robot_id``; ``NOT_FOUND`` naming it if there is none."""
    row = conn.execute("SELECT * FROM robots WHERE id = ?", (robot_id,)).fetchone()
    if row is None:
        raise GRPCError(Status.NOT_FOUND, f"robot {robot_id} not found")
    return row


PART_QUERY = (
    "SELECT p.*, r.location_id AS location_id, r.name AS robot_name "
    "FROM robot_parts p JOIN robots r ON r.id = p.robot_id"
)
"""The part rows :func:`part_message` takes (each joined with its machine's location and name); add the WHERE."""


def fetch_part(conn: sqlite3.Connection, part_id: str) -> sqlite3.Row:
    """Return the ``robot_parts`` row of ``part_id`` joined with its machine's location; ``NOT_FOUND`` if none."""
    row = conn.execute(f"{PART_QUERY} WHERE p.id = ?", (part_id,)).fetchone()
    if row is None:
        raise GRPCError(Status.NOT_FOUND, f"robot part {part_id} not found")
    return row


def robot_message(row: sqlite3.Row) -> Robot:
    """Build the wire form of a ``robots`` row."""
    return _robot(row["id"], row["name"], row["location_id"], row["created_on"], row["last_access"])


def _robot(
    robot_id: str, name: str, location_id: str, created_on: str, last_access: str | None, seen: int | None = None
) -> Robot:
    state, seconds = online_state(last_access, seen)
    return Robot(
        id=robot_id,
        name=name,
        location=location_id,
        last_access=_when(last_access),
        created_on=from_iso(created_on),
        online_state=state,
        seconds_since_online=seconds,
    )


ROBOT_COLUMNS = "id, name, location_id, created_on, last_access"
"""The ``robots`` columns :class:`RobotEncodings` takes, in its order."""

RobotColumns = tuple[str, str, str, str, str | None]
"""A ``robots`` row as :data:`ROBOT_COLUMNS` selects it (a plain tuple)."""


def robot_columns(row: sqlite3.Row) -> RobotColumns:
    """Return the :data:`ROBOT_COLUMNS` of a ``robots`` row (from :func:`fetch_robot`), for :class:`RobotEncodings`."""
    return (row["id"], row["name"], row["location_id"], row["created_on"], row["last_access"])


def _seen(last_access: str | None) -> int | None:
    """:func:`seconds_since` a stored ``last_access``; ``None`` for a machine or part never seen."""
    return None if last_access is None else seconds_since(last_access)


class RobotEncodings(EncodingMemo[tuple[RobotColumns, int | None]]):
    """Encoded ``Robot`` messages, remembered by everything they are built from.

    ``ListRobots`` answers every machine of a location, and building then encoding each ``Robot`` costs many times
    the query. The key is the row itself and, for a machine seen before, the whole seconds since it was last seen
    (its online state follows from them): a renamed or moved machine, or one seen again, is a different key, so an
    answer is never stale and nothing needs invalidating. When full, the memo is emptied. Used on the store thread.
    """

    def encode(self, row: RobotColumns) -> bytes:
        """Return the encoded ``Robot`` of ``row``: the bytes ``codec.encode(robot_message(row))`` gives."""
        seen = _seen(row[4])
        return self.remember((row, seen), lambda: codec.encode(_robot(*row, seen)))

    def encode_rows(self, rows: Iterable[RobotColumns]) -> list[bytes]:
        """Return :meth:`encode` of each row, in order: the machines of a ``ListRobots`` answer."""
        return [self.encode(row) for row in rows]


_SECRETS_QUERY = (
    "SELECT id, secret, created_on, state FROM robot_part_secrets WHERE part_id = ? ORDER BY created_on, id"
)
_SecretRow = tuple[str, str, str, int]


class PartEncodings(EncodingMemo[tuple[tuple[object, ...], tuple[_SecretRow, ...] | None, int | None]]):
    """Encoded ``RobotPart`` messages (with or without secrets), remembered by everything they are built from.

    Building a part (its config parsed into a ``Struct``) and encoding it costs several times its queries, and
    ``GetRobotPart``/``GetRobotParts`` answer the same parts again and again. As for :class:`RobotEncodings`, the
    key is the content itself: the whole part row of :func:`fetch_part`, the secret rows when they are shown, and
    the whole seconds since the part was last seen. Any change to the part, its machine's name or location, or its
    secrets is a different key, so an answer is never stale and nothing needs invalidating. Used on the store thread.
    """

    def encode(self, conn: sqlite3.Connection, row: sqlite3.Row, *, with_secrets: bool) -> bytes:
        """Return the bytes ``codec.encode(part_message(conn, row, with_secrets=with_secrets))`` gives."""
        secrets = _secret_rows(conn, row["id"]) if with_secrets else None
        seen = _seen(row["last_access"])
        return self.remember((tuple(row), secrets, seen), lambda: codec.encode(_part(row, secrets or (), seen)))


def _secret_rows(conn: sqlite3.Connection, part_id: str) -> tuple[_SecretRow, ...]:
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: part of the memo's keys
    return tuple(cursor.execute(_SECRETS_QUERY, (part_id,)).fetchall())


def part_message(conn: sqlite3.Connection, row: sqlite3.Row, *, with_secrets: bool) -> RobotPart:
    """Build the wire form of a part row from :func:`fetch_part`; secrets only if ``with_secrets``."""
    return _part(row, _secret_rows(conn, row["id"]) if with_secrets else (), None)


def _part(row: sqlite3.Row, secret_rows: tuple[_SecretRow, ...], seen: int | None) -> RobotPart:
    secrets = [
        SharedSecret(id=sid, secret=secret, created_on=from_iso(created_on), state=SharedSecretState(state))
        for sid, secret, created_on, state in secret_rows
    ]
    state, seconds = online_state(row["last_access"], seen)
    host = f"{_label(row['robot_name'])}-{_label(row['name'])}"
    enabled = [s.secret for s in secrets if s.state == SharedSecretState.ENABLED]
    return RobotPart(
        id=row["id"],
        name=row["name"],
        dns_name=host,
        secret=enabled[0] if enabled else "",
        robot=row["robot_id"],
        location_id=row["location_id"],
        robot_config=stored_struct(row["config_json"], row["config_wire"]),
        robot_config_json=row["config_json"],
        last_access=_when(row["last_access"]),
        main_part=bool(row["main_part"]),
        fqdn=f"{host}.{row['location_id']}.local.fleetwire",
        local_fqdn=f"{host}.local",
        created_on=from_iso(row["created_on"]),
        secrets=secrets,
        last_updated=from_iso(row["last_updated"]),
        online_state=state,
        seconds_since_online=seconds,
    )


def insert_part(conn: sqlite3.Connection, robot_id: str, name: str, *, main: bool) -> str:
    """Insert a part (with one enabled secret) into a machine; ``ALREADY_EXISTS`` if the name is taken."""
    part_id = new_id()
    moment = to_iso(now())
    try:
        conn.execute(
            "INSERT INTO robot_parts (id, robot_id, name, main_part, config_json, created_on, last_updated) "
            "VALUES (?, ?, ?, ?, '{}', ?, ?)",
            (part_id, robot_id, name, int(main), moment, moment),
        )
    except sqlite3.IntegrityError as exc:
        raise GRPCError(
            Status.ALREADY_EXISTS, f"part_name: machine {robot_id} already has a part named {name!r}"
        ) from exc
    conn.execute(
        "INSERT INTO robot_part_secrets (id, part_id, secret, created_on, state) VALUES (?, ?, ?, ?, ?)",
        (new_id(), part_id, new_secret(), moment, int(SharedSecretState.ENABLED)),
    )
    return part_id
