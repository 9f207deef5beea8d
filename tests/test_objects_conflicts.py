"""Conflict-safe updates of parts and fragments, and ``update(merge=True)`` through ``set_config_property``.

Two objects loaded from the same part are both edited and both updated: the second, stale one must fail with
``ConflictError`` and write nothing. ``merge=True`` sends only the changed paths, merging with changes made
elsewhere. What reaches the server is read from the client's channel (see ``test_objects_writes``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from test_objects_writes import Recorder, client_fixture  # noqa: F401  # the fixture ``client``

from fleetwire import AsyncAppClient
from fleetwire.local import LocalFleet
from fleetwire.objects import Fleet, Fragment, Machine, MachinePart

pytestmark = pytest.mark.anyio


@pytest.fixture
async def part(local_fleet: LocalFleet, client: AsyncAppClient) -> AsyncIterator[MachinePart]:
    fleet = Fleet(client)
    machine = await Machine(fleet, name="rover", location_id=local_fleet.location_id).create()
    main = await machine.main_part()
    main.config.motor = {"speed": 1, "pins": [1, 2]}
    main.config.network = {"tls": False}
    yield await main.update()


async def test_a_stale_part_cannot_overwrite_a_newer_change(part: MachinePart, client: AsyncAppClient) -> None:
    from fleetwire import AbortedError, ConflictError

    first, second = await part.reload(), await part.reload()
    first.config.motor.speed = 2
    second.config.network.tls = True
    await first.update()
    with pytest.raises(ConflictError, match="reload") as caught:
        await second.update()
    assert isinstance(caught.value, AbortedError)
    assert (await client.get_robot_part(part.id)).robot_config == {
        "motor": {"speed": 2, "pins": [1, 2]},
        "network": {"tls": False},
    }
    fresh = await second.reload()
    fresh.config.network.tls = True
    await fresh.update()
    assert (await client.get_robot_part(part.id)).robot_config == {
        "motor": {"speed": 2, "pins": [1, 2]},
        "network": {"tls": True},
    }


async def test_a_stale_fragment_cannot_overwrite_a_newer_change(
    local_fleet: LocalFleet,
    client: AsyncAppClient,
) -> None:
    from fleetwire import ConflictError

    fleet = Fleet(client)
    fragment = await Fragment(
        fleet, name="cam", organization_id=local_fleet.organization_id, config={"fps": 30}
    ).create()
    first, second = await fragment.reload(), await fragment.reload()
    first.config.fps = 60
    second.name = "camera"
    await first.update()
    with pytest.raises(ConflictError, match="reload"):
        await second.update()
    stored = await client.get_fragment(fragment.id)
    assert (stored.name, stored.fragment) == ("cam", {"fps": 60})


async def test_update_merge_sends_only_the_changed_paths(part: MachinePart, client: AsyncAppClient) -> None:
    elsewhere = await part.reload()
    elsewhere.config.network.tls = True
    await elsewhere.update()  # a change at another path, made after ``part`` was loaded

    recorder = Recorder(client)
    part.config.motor.speed = 5
    part.config.motor.pins.append(3)
    part.config.camera = {"fps": 30}
    await part.update(merge=True)
    [sent] = recorder.writes()
    assert type(sent).__name__ == "SetConfigPropertyRequest"
    assert {c.path: c.value.to_dict() for c in sent.property_changes} == {
        "motor.speed": 5,
        "motor.pins": [1, 2, 3],
        "camera": {"fps": 30},
    }
    assert (await client.get_robot_part(part.id)).robot_config == {
        "motor": {"speed": 5, "pins": [1, 2, 3]},
        "network": {"tls": True},  # merged, not overwritten
        "camera": {"fps": 30},
    }


async def test_update_merge_falls_back_to_the_conflict_safe_update(part: MachinePart, client: AsyncAppClient) -> None:
    recorder = Recorder(client)
    del part.config.network  # a top-level key removed: no path can say it
    await part.update(merge=True)
    [sent] = recorder.writes()
    assert type(sent).__name__ == "UpdateRobotPartRequest"
    assert sent.last_known_update == part.last_updated and sent.last_known_update is not None
