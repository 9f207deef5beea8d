"""The local server's cache of authentication and authorization answers is never stale, over real gRPC.

Every test first makes a call that fills the cache (token -> caller, caller x resource -> roles), then changes what
the answer depends on, and checks that the very next call sees the change. Also: writes that cannot change an
answer keep the cache (the counter it watches does not move), and the store's batched hand-off keeps order, errors
and commits of abandoned calls.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

import pytest
from grpclib.client import Channel
from grpclib.const import Status
from test_local_core import role, token_for
from test_local_machines import Conn, connect, new_machine, status_of

from fleetwire.local import LocalFleet
from fleetwire.local import context as context_module
from fleetwire.local.store.ids import now
from fleetwire_api.services import AppServiceAsyncClient
from fleetwire_api.viam.app import v1 as app

pytestmark = pytest.mark.anyio


async def keyed(owner: Conn, fleet: LocalFleet, *auths: app.Authorization) -> tuple[str, Conn]:
    """A new API key holding ``auths``, and a connection authenticated with it."""
    created = await owner.app.create_key(authorizations=list(auths), name="cached")
    return created.id, await connect(fleet, created.id, created.key)


async def test_a_deleted_keys_token_is_refused_on_the_next_call(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    key_id, conn = await keyed(owner, fleet, role(org, "owner", "organization", org))
    try:
        assert (await conn.app.get_organization(organization_id=org)).organization is not None  # cached now
        await owner.app.delete_key(id=key_id)
        assert (await status_of(conn.app.get_organization(organization_id=org)))[0] == Status.UNAUTHENTICATED
    finally:
        conn.channel.close()


async def test_a_rotated_keys_token_is_refused_on_the_next_call(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    key_id, conn = await keyed(owner, fleet, role(org, "operator", "location", fleet.location_id))
    try:
        assert (await conn.app.get_location(location_id=fleet.location_id)).location is not None
        await owner.app.rotate_key(id=key_id)
        assert (await status_of(conn.app.get_location(location_id=fleet.location_id)))[0] == Status.UNAUTHENTICATED
    finally:
        conn.channel.close()


async def test_a_token_expiring_while_cached_is_refused(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    assert (await owner.app.get_organization(organization_id=org)).organization is not None  # cached now
    # The clock moves past the token's lifetime; nothing in the database changes, so only the expiry check can refuse.
    later = now() + timedelta(days=8)
    patch = pytest.MonkeyPatch()
    patch.setattr(context_module, "now", lambda: later)
    try:
        assert (await status_of(owner.app.get_organization(organization_id=org)))[0] == Status.UNAUTHENTICATED
    finally:
        patch.undo()
    assert (await owner.app.get_organization(organization_id=org)).organization is not None


async def test_an_expiry_written_to_the_store_takes_effect_at_once(fleet: LocalFleet) -> None:
    channel = Channel(fleet.host, fleet.port)
    try:
        token = await token_for(channel, fleet.api_key_id, fleet.api_key)
        client = AppServiceAsyncClient(channel, metadata={"authorization": f"Bearer {token}"})
        assert (await client.get_organization(organization_id=fleet.organization_id)).organization is not None
        await fleet.context.store.write(
            lambda conn: conn.execute("UPDATE access_tokens SET expires_on = '2000-01-01T00:00:00.000000Z'")
        )
        status, _ = await status_of(client.get_organization(organization_id=fleet.organization_id))
        assert status == Status.UNAUTHENTICATED
    finally:
        channel.close()


async def test_removed_and_changed_roles_take_effect_on_the_next_call(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    key_id, conn = await keyed(owner, fleet, role(org, "owner", "organization", org))
    try:
        assert (await conn.app.get_organization(organization_id=org)).organization is not None
        # Demote to operator on the location: the organization is out of reach, the location still readable.
        await owner.app.change_role(
            old_authorization=role(org, "owner", "organization", org, identity_id=key_id),
            new_authorization=role(org, "operator", "location", fleet.location_id, identity_id=key_id),
        )
        assert (await status_of(conn.app.get_organization(organization_id=org)))[0] == Status.PERMISSION_DENIED
        assert (await conn.app.get_location(location_id=fleet.location_id)).location is not None
        await owner.app.remove_role(authorization=role(org, "operator", "location", fleet.location_id, key_id))
        status, _ = await status_of(conn.app.get_location(location_id=fleet.location_id))
        assert status == Status.PERMISSION_DENIED
        await owner.app.add_role(authorization=role(org, "operator", "location", fleet.location_id, key_id))
        assert (await conn.app.get_location(location_id=fleet.location_id)).location is not None
    finally:
        conn.channel.close()


async def test_moving_a_machine_or_a_location_moves_the_roles_that_reach_it(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    parent = (await owner.app.create_location(organization_id=org, name="Parent")).location
    other = (await owner.app.create_location(organization_id=org, name="Other")).location
    assert parent is not None and other is not None
    child = (await owner.app.create_location(organization_id=org, name="Child", parent_location_id=parent.id)).location
    assert child is not None
    robot_id, _ = await new_machine(owner, child.id, "mover")
    _, conn = await keyed(owner, fleet, role(org, "operator", "location", parent.id))
    try:
        # Reached through the location chain robot -> child -> parent.
        assert (await conn.app.get_robot(id=robot_id)).robot is not None
        assert (await conn.app.get_location(location_id=child.id)).location is not None
        await owner.app.update_robot(id=robot_id, name="mover", location=other.id)
        assert (await status_of(conn.app.get_robot(id=robot_id)))[0] == Status.PERMISSION_DENIED
        await owner.app.update_location(location_id=child.id, parent_location_id="")  # to the top level
        assert (await status_of(conn.app.get_location(location_id=child.id)))[0] == Status.PERMISSION_DENIED
        await owner.app.update_location(location_id=child.id, parent_location_id=parent.id)
        assert (await conn.app.get_location(location_id=child.id)).location is not None
        await owner.app.delete_robot(id=robot_id)
        assert (await status_of(conn.app.get_robot(id=robot_id)))[0] == Status.NOT_FOUND
    finally:
        conn.channel.close()


async def test_a_deleted_location_is_not_found_at_once(fleet: LocalFleet, owner: Conn) -> None:
    org = fleet.organization_id
    doomed = (await owner.app.create_location(organization_id=org, name="Doomed")).location
    assert doomed is not None
    assert (await owner.app.get_location(location_id=doomed.id)).location is not None
    await owner.app.delete_location(location_id=doomed.id)
    assert (await status_of(owner.app.get_location(location_id=doomed.id)))[0] == Status.NOT_FOUND


async def test_a_deleted_part_is_not_found_at_once(fleet: LocalFleet, owner: Conn) -> None:
    robot_id, _ = await new_machine(owner, fleet.location_id, "two-parts")
    part_id = (await owner.app.new_robot_part(robot_id=robot_id, part_name="extra")).part_id
    # Reading the part and its logs remembers which machine it belongs to.
    assert (await owner.app.get_robot_part(id=part_id)).part is not None
    assert (await owner.app.get_robot_part_logs(id=part_id)).logs == []
    await owner.app.delete_robot_part(part_id=part_id)
    assert (await status_of(owner.app.get_robot_part_logs(id=part_id)))[0] == Status.NOT_FOUND
    assert (await status_of(owner.robot.log(id=part_id, logs=[])))[0] == Status.NOT_FOUND


async def test_writes_that_cannot_change_an_answer_keep_the_cache(fleet: LocalFleet, owner: Conn) -> None:
    store = fleet.context.store
    robot_id, part_id = await new_machine(owner, fleet.location_id, "steady")
    before = store.epoch
    # Renaming in place, updating a part's config and pushing logs touch no table an answer depends on.
    await owner.app.update_robot(id=robot_id, name="steady-2", location=fleet.location_id)
    await owner.app.update_robot_part(id=part_id, name="main-2", robot_config=None)
    await owner.robot.log(id=part_id, logs=[])
    await owner.app.update_location(location_id=fleet.location_id, name="Renamed")
    assert store.epoch == before
    await owner.app.update_robot(id=robot_id, name="steady-2", location=fleet.location_id)
    created = await owner.app.create_key(authorizations=[role(fleet.organization_id, "operator", "robot", robot_id)])
    assert store.epoch > before  # granting a role does
    after_grant = store.epoch
    await owner.app.delete_key(id=created.id)
    assert store.epoch > after_grant


async def test_store_batches_keep_order_errors_and_abandoned_writes(fleet: LocalFleet) -> None:
    store = fleet.context.store
    await store.write(lambda conn: conn.execute("CREATE TABLE seen (n INTEGER)"))

    async def write(n: int) -> int:
        def run(conn: sqlite3.Connection) -> int:
            conn.execute("INSERT INTO seen VALUES (?)", (n,))
            if n % 7 == 3:
                raise ValueError(n)  # after the insert: the rollback must undo it
            return n

        return await store.write(run)

    # Fifty writes queued at once run as few batches on the store thread, each still its own transaction.
    results = await asyncio.gather(*(write(n) for n in range(50)), return_exceptions=True)
    for n, result in enumerate(results):
        if n % 7 == 3:
            assert isinstance(result, ValueError) and result.args == (n,)
        else:
            assert result == n
    rows = await store.read(lambda conn: [row[0] for row in conn.execute("SELECT n FROM seen ORDER BY rowid")])
    assert rows == [n for n in range(50) if n % 7 != 3]

    # A caller that stops waiting does not undo its write: the transaction still commits.
    abandoned = asyncio.ensure_future(store.write(lambda conn: conn.execute("INSERT INTO seen VALUES (-1)")))
    await asyncio.sleep(0)  # let the write be queued (a turn of the loop, not a wait for time)
    abandoned.cancel()
    assert await store.read(lambda conn: conn.execute("SELECT COUNT(*) FROM seen WHERE n = -1").fetchone()[0]) == 1
