"""fleetwire's own clients against the local fleet server: optimistic concurrency end to end, and the config-path
and metadata methods.

Two clients load the same part (and the same fragment), both change it; the second update fails with
``fleetwire.ConflictError`` and the stored config is the first one's. Real gRPC on loopback, a ``LocalFleet`` on
in-memory SQLite, ``AsyncAppClient`` and the blocking ``AppClient`` as a user would connect them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from grpclib.const import Status

import fleetwire
from fleetwire.local import LocalFleet

pytestmark = pytest.mark.anyio


@pytest.fixture
async def clients(fleet: LocalFleet) -> AsyncIterator[tuple[fleetwire.AsyncAppClient, fleetwire.AsyncAppClient]]:
    """Two independent clients of the fleet's owner, each on its own connection."""
    first = await fleetwire.AsyncAppClient.connect(fleet.address, api_key=fleet.api_key, api_key_id=fleet.api_key_id)
    second = await fleetwire.AsyncAppClient.connect(fleet.address, api_key=fleet.api_key, api_key_id=fleet.api_key_id)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def test_second_stale_part_update_is_a_conflict(
    fleet: LocalFleet, clients: tuple[fleetwire.AsyncAppClient, fleetwire.AsyncAppClient]
) -> None:
    first, second = clients
    robot_id = await first.new_robot("contested", fleet.location_id)
    part_id = next(p.id for p in await first.get_robot_parts(robot_id) if p.main_part)
    mine, theirs = await first.get_robot_part(part_id), await second.get_robot_part(part_id)
    assert mine.last_updated is not None and mine.last_updated == theirs.last_updated

    await first.update_robot_part(part_id, mine.name, {"speed": 1}, last_known_update=mine.last_updated)
    with pytest.raises(fleetwire.ConflictError) as raised:
        await second.update_robot_part(part_id, theirs.name, {"speed": 2}, last_known_update=theirs.last_updated)
    assert raised.value.status is Status.ABORTED and "reload" in str(raised.value)
    stored = await second.get_robot_part(part_id)
    assert stored.robot_config == {"speed": 1}

    # Reloaded, the second client's change goes through.
    await second.update_robot_part(part_id, stored.name, {"speed": 2}, last_known_update=stored.last_updated)
    assert (await first.get_robot_part(part_id)).robot_config == {"speed": 2}


async def test_second_stale_fragment_update_is_a_conflict(
    fleet: LocalFleet, clients: tuple[fleetwire.AsyncAppClient, fleetwire.AsyncAppClient]
) -> None:
    first, second = clients
    created = await first.create_fragment(fleet.organization_id, "contested-fragment", {"v": 0})
    mine, theirs = await first.get_fragment(created.id), await second.get_fragment(created.id)
    await first.update_fragment(created.id, mine.name, {"v": 1}, last_known_update=mine.last_updated)
    with pytest.raises(fleetwire.ConflictError):
        await second.update_fragment(created.id, theirs.name, {"v": 2}, last_known_update=theirs.last_updated)
    assert (await second.get_fragment(created.id)).fragment == {"v": 1}
    assert (await second.get_fragment(created.id, version="1")).fragment == {"v": 0}


@pytest.fixture
def fleet_in_thread() -> Iterator[LocalFleet]:
    """A local fleet served from its own thread, for the blocking client (which runs its own event loop)."""
    with LocalFleet() as running:
        yield running


def test_blocking_client_conflict_and_config_paths(fleet_in_thread: LocalFleet) -> None:
    fleet = fleet_in_thread
    with (
        fleetwire.AppClient.connect(fleet.address, api_key=fleet.api_key, api_key_id=fleet.api_key_id) as first,
        fleetwire.AppClient.connect(fleet.address, api_key=fleet.api_key, api_key_id=fleet.api_key_id) as second,
    ):
        robot_id = first.new_robot("blocking-contested", fleet.location_id)
        part_id = next(p.id for p in first.get_robot_parts(robot_id) if p.main_part)
        mine, theirs = first.get_robot_part(part_id), second.get_robot_part(part_id)
        results = first.set_config_property(part_id, {"components[0].name": "arm", 'extra["a.b"]': 3})
        assert [r.success for r in results] == [True, True]
        with pytest.raises(fleetwire.ConflictError):
            second.update_robot_part(part_id, theirs.name, {"lost": True}, last_known_update=theirs.last_updated)
        assert mine.last_updated is not None
        assert second.get_robot_part(part_id).robot_config == {"components": [{"name": "arm"}], "extra": {"a.b": 3}}
        with pytest.raises(fleetwire.InvalidArgumentError) as raised:
            first.set_config_property(part_id, {"extra.a.b": 1, "components[0].name.first": "x"})
        assert "components[0].name.first" in str(raised.value)
        first.update_robot_part_metadata(part_id, {"serial": "B-2"})
        assert second.get_robot_part_metadata(part_id) == {"serial": "B-2"}
