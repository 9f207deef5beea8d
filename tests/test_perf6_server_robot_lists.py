"""``ListRobots`` reuses the rows of a location's machines while the ``robots`` table is unchanged (``RobotLists``).

Triggers count every change to the columns the listing reads, whoever makes it. These tests change machines
through the API and behind the server's back (another connection to the same database file, as another process
or tool would) and check the very next listing shows the change; and that a listing is read again only then.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from test_local_machines import Conn, connect

from fleetwire.local import LocalFleet
from fleetwire.local.store.ids import now, to_iso
from fleetwire.local.store.robot_lists import RobotLists

pytestmark = pytest.mark.anyio


@pytest.fixture
async def on_file(tmp_path: Path) -> AsyncIterator[LocalFleet]:
    async with LocalFleet(tmp_path / "fleet.db") as running:
        yield running


@pytest.fixture
def other(on_file: LocalFleet) -> Iterator[sqlite3.Connection]:
    """Another connection to the server's database file: what another process or a tool would write through."""
    conn = sqlite3.connect(str(on_file.db), isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 30000")
    yield conn
    conn.close()


async def _names(conn: Conn, location_id: str) -> list[tuple[str, str, int]]:
    robots = (await conn.app.list_robots(location_id=location_id)).robots
    return [(robot.id, robot.name, int(robot.online_state)) for robot in robots]


async def test_list_robots_shows_changes_made_behind_the_servers_back(
    on_file: LocalFleet, other: sqlite3.Connection
) -> None:
    owner = await connect(on_file, on_file.api_key_id, on_file.api_key)
    location = on_file.location_id
    try:
        ids = [(await owner.app.new_robot(name=f"m{i}", location=location)).id for i in range(3)]
        listed = await _names(owner, location)
        assert [name for _, name, _ in listed] == ["m0", "m1", "m2"]
        assert await _names(owner, location) == listed  # unchanged: from the kept rows

        other.execute("UPDATE robots SET name = 'a-first' WHERE id = ?", (ids[2],))
        assert [name for _, name, _ in await _names(owner, location)] == ["a-first", "m0", "m1"]

        other.execute("UPDATE robots SET last_access = ? WHERE id = ?", (to_iso(now()), ids[0]))
        seen = {robot_id: state for robot_id, _, state in await _names(owner, location)}
        assert seen[ids[0]] == 1 and seen[ids[1]] == 3  # ONLINE; AWAITING_SETUP

        other.execute(
            "INSERT INTO robots (id, name, location_id, created_on) VALUES (?, 'b-new', ?, ?)",
            ("00000000-0000-4000-8000-0000000000aa", location, to_iso(now())),
        )
        assert "b-new" in [name for _, name, _ in await _names(owner, location)]

        elsewhere = (await owner.app.create_location(organization_id=on_file.organization_id, name="x")).location
        assert elsewhere is not None
        other.execute("UPDATE robots SET location_id = ? WHERE id = ?", (elsewhere.id, ids[1]))
        assert ids[1] not in [robot_id for robot_id, _, _ in await _names(owner, location)]
        assert [robot_id for robot_id, _, _ in await _names(owner, elsewhere.id)] == [ids[1]]

        other.execute("DELETE FROM robots WHERE id = ?", ("00000000-0000-4000-8000-0000000000aa",))
        assert "b-new" not in [name for _, name, _ in await _names(owner, location)]

        # and through the API, of course
        await owner.app.update_robot(id=ids[0], name="renamed", location=location)
        assert "renamed" in [name for _, name, _ in await _names(owner, location)]
    finally:
        owner.channel.close()


async def test_rows_are_read_again_only_when_the_robots_table_changed(fleet: LocalFleet, owner: Conn) -> None:
    location = fleet.location_id
    robot = (await owner.app.new_robot(name="m", location=location)).id
    lists = RobotLists(max_locations=1)
    store = fleet.context.store
    first = await store.read(lambda conn: lists.rows(conn, location))
    assert [row[1] for row in first] == ["m"]
    assert await store.read(lambda conn: lists.rows(conn, location)) is first  # kept
    # An update that changes none of the listed columns keeps them; a rename does not.
    await store.write(lambda conn: conn.execute("UPDATE robots SET name = name WHERE id = ?", (robot,)))
    assert await store.read(lambda conn: lists.rows(conn, location)) is first
    await store.write(lambda conn: conn.execute("UPDATE robots SET name = 'n' WHERE id = ?", (robot,)))
    renamed = await store.read(lambda conn: lists.rows(conn, location))
    assert [row[1] for row in renamed] == ["n"]
    # Full (one location): another location's list empties it, and the first is read again.
    assert await store.read(lambda conn: lists.rows(conn, "00000000-0000-4000-8000-00000000ffff")) == ()
    again = await store.read(lambda conn: lists.rows(conn, location))
    assert again == renamed and again is not renamed
