"""Conflict-safe updates of parts and fragments, and ``update(merge=True)`` through ``set_config_property``.

Two objects loaded from the same part are both edited and both updated: the second, stale one must fail with
``ConflictError`` and write nothing. ``merge=True`` sends only the changed paths, merging with changes made
elsewhere. What reaches the server is read from the client's channel (see ``test_objects_writes``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from _local.fleet import session
from test_objects_writes import Recorder, client_fixture  # noqa: F401  # the fixture ``client``

from fleetwire import AsyncAppClient, models
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


async def test_two_writers_race_on_a_fragment_and_the_later_one_is_refused(
    local_fleet: LocalFleet, client: AsyncAppClient
) -> None:
    from fleetwire import ConflictError

    fragment = await client.create_fragment(local_fleet.organization_id, "cam", {"fps": 30})
    other = await AsyncAppClient.connect(
        local_fleet.address, api_key=local_fleet.api_key, api_key_id=local_fleet.api_key_id
    )
    async with other:
        mine, theirs = await client.get_fragment(fragment.id), await other.get_fragment(fragment.id)
        configs = {"mine": "{}", "theirs": '{"fps": 60}'}  # emptying the config is a change like any other
        results = await asyncio.gather(
            client.update_fragment(
                mine.id, mine.name, last_known_update=mine.last_updated, fragment_config_json=configs["mine"]
            ),
            other.update_fragment(
                theirs.id, theirs.name, last_known_update=theirs.last_updated, fragment_config_json=configs["theirs"]
            ),
            return_exceptions=True,
        )
    refused = [n for n, result in enumerate(results) if isinstance(result, ConflictError)]
    assert len(refused) == 1, results  # both read the same version: whichever wrote second is refused
    winner = results[1 - refused[0]]
    assert isinstance(winner, models.Fragment)
    stored = await client.get_fragment(fragment.id)
    assert stored.fragment == winner.fragment == json.loads(list(configs.values())[1 - refused[0]])
    history = await client.get_fragment_history(fragment.id)
    assert [entry.old.fragment for entry in history] == [{"fps": 30}]  # one change; nothing else written


async def test_an_empty_config_is_no_change_unless_sent_as_json(
    local_fleet: LocalFleet, client: AsyncAppClient
) -> None:
    fragment = await client.create_fragment(local_fleet.organization_id, "cam", {"fps": 30})
    # `config={}` leaves the config as it is, as viam-sdk 0.85.1's update_fragment does (it sends no config).
    kept = await client.update_fragment(fragment.id, "cam", config={})
    async with session(local_fleet.host, local_fleet.port, local_fleet.api_key_id, local_fleet.api_key) as official:
        kept_by_official = await official.app.update_fragment(fragment.id, "cam", config={})
    assert kept.fragment == kept_by_official.fragment == {"fps": 30}
    # The same config as JSON text is sent as written: {} empties it.
    emptied = await client.update_fragment(fragment.id, "cam", fragment_config_json="{}")
    assert emptied.fragment == {} == (await client.get_fragment(fragment.id)).fragment
    with pytest.raises(TypeError, match="fragment_config_json must be a str"):
        await client.update_fragment(fragment.id, "cam", fragment_config_json={})  # type: ignore[arg-type]


async def test_a_fragment_object_can_empty_its_config(local_fleet: LocalFleet, client: AsyncAppClient) -> None:
    fragment = await Fragment(
        Fleet(client), name="cam", organization_id=local_fleet.organization_id, config={"fps": 30}
    ).create()
    fragment.config.clear()
    emptied = await fragment.update()
    assert emptied.config == {} and (await client.get_fragment(fragment.id)).fragment == {}
