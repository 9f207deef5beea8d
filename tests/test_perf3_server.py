"""The local server's shortcuts on its busiest calls: ``ListRobots`` answered in wire form from the memo of
encoded machines (``RobotEncodings``), and ``GetLocation`` deciding on secrets from the context's cached roles.

The server no longer builds and encodes a ``Robot`` per machine on every call: it splices encodings remembered by
the row they came from (and, for a machine seen before, the seconds since). These tests read the raw bytes of the
answer over real gRPC and check they are exactly what building the messages from the database and encoding them
gives, for machines never seen, seen just now and seen long ago, and after every kind of change to a machine.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

import pytest
from grpclib.client import Channel
from test_local_core import connect as core_connect
from test_local_core import role
from test_local_machines import Conn

from fleetwire.local import LocalFleet
from fleetwire.local.store import robot_rows
from fleetwire.local.store.ids import now, to_iso
from fleetwire.local.store.robot_rows import ROBOT_COLUMNS, RobotEncodings, robot_message
from fleetwire_api.services import AppServiceAsyncClient, FastCodec, codec
from fleetwire_api.viam.app import v1 as app

pytestmark = pytest.mark.anyio


class RawAnswers(FastCodec):
    """The client side of the tests: answers of type ``raw`` are handed over as the bytes that came on the wire."""

    def __init__(self, raw: type[Any]) -> None:
        self.raw = raw

    def decode(self, data: bytes, message_type: Any) -> Any:
        return bytes(data) if message_type is self.raw else super().decode(data, message_type)


async def _expected(fleet: LocalFleet, location_id: str) -> bytes:
    """The answer as the server built it before the memo: every row made a Robot, the response encoded."""

    def build(conn: Any) -> bytes:
        rows = conn.execute("SELECT * FROM robots WHERE location_id = ? ORDER BY name, id", (location_id,))
        return codec.encode(app.ListRobotsResponse(robots=[robot_message(row) for row in rows]))

    return await fleet.context.store.read(build)


async def _set_last_access(fleet: LocalFleet, robot_id: str, moment: str | None) -> None:
    await fleet.context.store.write(
        lambda conn: conn.execute("UPDATE robots SET last_access = ? WHERE id = ?", (moment, robot_id))
    )


async def test_list_robots_answers_the_bytes_of_the_built_response(fleet: LocalFleet, owner: Conn) -> None:
    location = fleet.location_id
    ids = [(await owner.app.new_robot(name=f"machine {i}", location=location)).id for i in range(5)]
    channel = Channel(fleet.host, fleet.port, codec=RawAnswers(app.ListRobotsResponse))
    raw = AppServiceAsyncClient(channel, metadata=owner.app.metadata, timeout=30)

    async def check(note: str) -> bytes:
        # A machine seen long ago counts its seconds since: the answer may be built on either side of a second.
        before = await _expected(fleet, location)
        answer: Any = await raw.list_robots(location_id=location)
        after = await _expected(fleet, location)
        assert isinstance(answer, bytes)
        assert answer in (before, after), note
        # and the typed path of the same handler decodes it to what the plain response holds
        assert codec.encode(await owner.app.list_robots(location_id=location)) in (before, after), note
        return answer

    try:
        first = await check("never seen")
        assert await check("unchanged, from the memo") == first
        await _set_last_access(fleet, ids[0], to_iso(now() + timedelta(hours=1)))  # just seen: online, 0 s
        await _set_last_access(fleet, ids[1], to_iso(now() - timedelta(days=3)))  # offline, counting
        seen = await check("seen")
        assert seen != first
        decoded = codec.decode(app.ListRobotsResponse, seen)
        states = {robot.id: robot.online_state for robot in decoded.robots}
        assert states[ids[0]] == app.OnlineState.ONLINE and states[ids[1]] == app.OnlineState.OFFLINE
        await owner.app.update_robot(id=ids[2], name="renamed", location=location)
        renamed = await check("renamed")
        assert "renamed" in [robot.name for robot in codec.decode(app.ListRobotsResponse, renamed).robots]
        other = (await owner.app.create_location(organization_id=fleet.organization_id, name="elsewhere")).location
        assert other is not None
        await owner.app.update_robot(id=ids[3], name="machine 3", location=other.id)
        await check("moved away")
        assert [robot.id for robot in (await owner.app.list_robots(location_id=other.id)).robots] == [ids[3]]
        await owner.app.delete_robot(id=ids[4])
        await _set_last_access(fleet, ids[0], None)
        final = codec.decode(app.ListRobotsResponse, await check("deleted, and unseen again"))
        assert {robot.id for robot in final.robots} == {ids[0], ids[1], ids[2]}
    finally:
        channel.close()


async def test_robot_encodings_remember_by_content_and_empty_when_full(
    fleet: LocalFleet, owner: Conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    def rows(conn: Any) -> list[Any]:
        cursor = conn.cursor()
        cursor.row_factory = None
        return cursor.execute(f"SELECT {ROBOT_COLUMNS} FROM robots").fetchall()

    for i in range(3):
        await owner.app.new_robot(name=f"m{i}", location=fleet.location_id)
    found = await fleet.context.store.read(rows)
    expected = await fleet.context.store.read(
        lambda conn: {
            row["id"]: codec.encode(robot_message(row)) for row in conn.execute("SELECT * FROM robots").fetchall()
        }
    )
    encodings = RobotEncodings(max_entries=2)
    first = [encodings.encode(row) for row in found[:2]]
    assert first == [expected[row[0]] for row in found[:2]]
    assert all(encodings.encode(row) is kept for row, kept in zip(found[:2], first, strict=True))  # remembered
    assert encodings.encode(found[2]) == expected[found[2][0]]  # full: emptied, then this one kept
    assert encodings.encode(found[0]) is not first[0] and encodings.encode(found[0]) == first[0]
    renamed = (found[0][0], "another name", *found[0][2:])
    decoded = codec.decode(app.Robot, encodings.encode(renamed))
    assert decoded.name == "another name" and decoded.id == found[0][0]
    # The same row of a machine seen before answers the seconds since, as they pass.
    fixed = now()
    seen_row = (*found[1][:4], to_iso(fixed - timedelta(days=3)))
    monkeypatch.setattr(robot_rows, "now", lambda: fixed)
    earlier = codec.decode(app.Robot, encodings.encode(seen_row))
    monkeypatch.setattr(robot_rows, "now", lambda: fixed + timedelta(seconds=5))
    later = codec.decode(app.Robot, encodings.encode(seen_row))
    assert later.seconds_since_online == earlier.seconds_since_online + 5 == 3 * 86_400 + 5
    assert later.online_state == app.OnlineState.OFFLINE


async def test_robot_encodings_of_a_listing_are_each_rows_encoding_as_time_passes(
    fleet: LocalFleet, owner: Conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``encode_rows`` (the ``ListRobots`` loop) answers what ``encode`` answers for each row, never a stale one."""
    for i in range(3):
        await owner.app.new_robot(name=f"m{i}", location=fleet.location_id)
    found = await fleet.context.store.read(
        lambda conn: conn.execute(f"SELECT {ROBOT_COLUMNS} FROM robots ORDER BY name").fetchall()
    )
    fixed = now()
    # Never seen, seen just now, seen three days ago.
    rows = [tuple(found[0]), (*found[1][:4], to_iso(fixed)), (*found[2][:4], to_iso(fixed - timedelta(days=3)))]
    monkeypatch.setattr(robot_rows, "now", lambda: fixed)
    encodings = RobotEncodings()
    first = encodings.encode_rows(rows)
    assert first == [codec.encode(robot_message_of(row)) for row in rows]
    assert all(again is kept for again, kept in zip(encodings.encode_rows(rows), first, strict=True))  # remembered
    # Ninety seconds on: the machine seen "just now" is offline, every seconds_since_online has moved on.
    monkeypatch.setattr(robot_rows, "now", lambda: fixed + timedelta(seconds=90))
    later = [codec.decode(app.Robot, data) for data in encodings.encode_rows(rows)]
    assert [robot.seconds_since_online for robot in later] == [0, 90, 3 * 86_400 + 90]
    assert [robot.online_state for robot in later] == [
        app.OnlineState.AWAITING_SETUP,
        app.OnlineState.OFFLINE,
        app.OnlineState.OFFLINE,
    ]
    renamed = [(rows[0][0], "renamed", *rows[0][2:])]
    assert codec.decode(app.Robot, encodings.encode_rows(renamed)[0]).name == "renamed"
    assert encodings.encode_rows([]) == []


def robot_message_of(row: tuple[Any, ...]) -> app.Robot:
    """The ``Robot`` a ``ROBOT_COLUMNS`` row stands for, built the plain way (not through the memo)."""
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    try:
        columns = ", ".join(f"? AS {name}" for name in ROBOT_COLUMNS.split(", "))
        return robot_message(conn.execute(f"SELECT {columns}", row).fetchone())
    finally:
        conn.close()


async def test_get_location_shows_secrets_exactly_to_who_may_read_them_as_roles_change(
    fleet: LocalFleet, owner: Conn
) -> None:
    org, location = fleet.organization_id, fleet.location_id
    secrets = (await owner.app.location_auth(location_id=location)).auth
    shown = (await owner.app.get_location(location_id=location)).location
    assert secrets is not None and shown is not None and shown.auth == secrets
    created = await owner.app.create_key(
        authorizations=[role(org, "operator", "organization", org)], name="operator key"
    )
    async with core_connect(fleet, created.id, created.key) as operator:
        for _ in range(2):  # the second answer comes from the cached roles
            seen = (await operator.app.get_location(location_id=location)).location
            assert seen is not None and seen.auth is None
        # Made owner of the location: the very next call shows the secrets (the cached roles were dropped).
        await owner.app.add_role(authorization=role(org, "owner", "location", location, identity_id=created.id))
        seen = (await operator.app.get_location(location_id=location)).location
        assert seen is not None and seen.auth == secrets
