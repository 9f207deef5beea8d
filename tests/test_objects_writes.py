"""What the object layer sends: only changes, nothing when nothing changed, whole trees only with every right.

The calls go to a real local fleet; a recorder on the client's channel (grpclib's ``SendMessage`` event) keeps every
request message as it goes on the wire, so what is asserted is exactly what the server is asked.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from _local.fleet import session
from grpclib.events import SendMessage, listen

from fleetwire import AsyncAppClient, NotFoundError, PermissionDeniedError
from fleetwire.local import LocalFleet
from fleetwire.models import APIKeyAuthorization
from fleetwire.objects import APIKey, Fleet, Fragment, Invite, Location, Machine, Module, RegistryItem

pytestmark = pytest.mark.anyio


class Recorder:
    """The request messages a client sent, in order."""

    def __init__(self, client: AsyncAppClient) -> None:
        self.messages: list[Any] = []

        async def record(event: SendMessage) -> None:
            self.messages.append(event.message)

        listen(client.raw.channel, SendMessage, record)

    def take(self) -> list[Any]:
        """The messages since the last ``take()``."""
        taken, self.messages = self.messages, []
        return taken

    def writes(self) -> list[Any]:
        """The messages since the last ``take()`` that are not reads."""
        return [m for m in self.take() if not type(m).__name__.startswith(("Get", "List", "CheckPermissions"))]


@pytest.fixture(name="client")
async def client_fixture(local_fleet: LocalFleet) -> AsyncIterator[AsyncAppClient]:
    """A plain async client of the fleet's owner."""
    client = await AsyncAppClient.connect(
        local_fleet.address, api_key=local_fleet.api_key, api_key_id=local_fleet.api_key_id
    )
    yield client
    await client.close()


async def test_update_sends_only_the_changed_optional_fields(local_fleet: LocalFleet, client: AsyncAppClient) -> None:
    fleet = Fleet(client)
    recorder = Recorder(client)
    org = await fleet.organization(local_fleet.organization_id)
    org.region = "eu-west-1"
    recorder.take()
    await org.update()
    [sent] = recorder.take()
    assert type(sent).__name__ == "UpdateOrganizationRequest"
    assert (sent.region, sent.name, sent.public_namespace, sent.cid) == ("eu-west-1", None, None, None)

    location = await fleet.location(local_fleet.location_id)
    location.name = "Lab"
    recorder.take()
    await location.update()
    [sent] = recorder.take()
    assert (sent.name, sent.parent_location_id) == ("Lab", None)


async def test_part_update_sends_the_config_only_when_it_changed(
    local_fleet: LocalFleet, client: AsyncAppClient
) -> None:
    fleet = Fleet(client)
    recorder = Recorder(client)
    machine = await Machine(fleet, name="rover", location_id=local_fleet.location_id).create()
    part = await machine.main_part()
    part.name = "brain"
    recorder.take()
    renamed = await part.update()
    [sent] = recorder.writes()
    assert type(sent).__name__ == "UpdateRobotPartRequest"
    assert (sent.name, sent.robot_config, sent.robot_config_json) == ("brain", None, None)
    assert sent.last_known_update == part.last_updated is not None  # the name is conflict-checked too

    renamed.config.motor = {"speed": 3, "pins": [1, 2]}
    await renamed.update()
    [sent] = recorder.writes()
    assert sent.name == "brain" and sent.last_known_update == renamed.last_updated
    assert json.loads(sent.robot_config_json) == {"motor": {"speed": 3, "pins": [1, 2]}}

    emptied = await renamed.reload()
    del emptied.config.motor  # an empty config is written too
    await emptied.update()
    assert json.loads(recorder.writes()[0].robot_config_json) == {}
    assert (await client.get_robot_part(part.id)).robot_config == {}


async def test_update_makes_no_call_when_nothing_changed(local_fleet: LocalFleet, client: AsyncAppClient) -> None:
    fleet = Fleet(client)
    org_id = local_fleet.organization_id
    machine = await Machine(fleet, name="rover", location_id=local_fleet.location_id).create()
    objects: list[Any] = [
        await fleet.organization(org_id),
        await fleet.location(local_fleet.location_id),
        machine,
        await machine.main_part(),
        await Fragment(fleet, name="f", organization_id=org_id, config={"a": [1]}).create(),
        await RegistryItem(fleet, name="trainer", organization_id=org_id, type="ml_training").create(),
        await Module(fleet, name="motors", organization_id=org_id, entrypoint="run").create(),
        await Invite(fleet, organization_id=org_id, email="x@example.com").create(),
    ]
    recorder = Recorder(client)
    for obj in objects:
        assert obj.to_json(only_updated=True) == {}
        again = await obj.update()
        assert again == obj and again is not obj
    assert recorder.take() == []


async def test_collections_read_nothing_until_iterated(local_fleet: LocalFleet, client: AsyncAppClient) -> None:
    fleet = Fleet(client)
    org_id = local_fleet.organization_id
    for name in ("a", "b", "c"):
        await RegistryItem(fleet, name=name, organization_id=org_id, type="ml_training").create()
    org = await fleet.organization(org_id)
    recorder = Recorder(client)
    selected = org.registry_items.select(type="ml_training")
    assert recorder.take() == []
    first = await anext(selected)
    assert first.name in {"a", "b", "c"} and [type(m).__name__ for m in recorder.take()] == ["ListRegistryItemsRequest"]
    assert {first.name} | {item.name async for item in selected} == {"a", "b", "c"}


async def test_delete_tree_deletes_a_location_with_everything_in_it(
    local_fleet: LocalFleet, client: AsyncAppClient
) -> None:
    fleet = Fleet(client)
    root = await Location(fleet, name="Site", organization_id=local_fleet.organization_id).create()
    hall = await root.create_child("Hall")
    bay = await hall.create_child("Bay")
    machines = [
        await Machine(fleet, name=name, location_id=where.id).create()
        for name, where in (("a", root), ("b", hall), ("c", bay), ("d", bay))
    ]
    parts = [p.id for m in machines for p in await m.parts.get_all()]
    await machines[0].create_part("extra")
    parts += [p.id for p in await machines[0].parts.get_all()]

    await root.delete_tree()
    for location_id in (root.id, hall.id, bay.id):
        with pytest.raises(NotFoundError):
            await client.get_location(location_id)
    for machine in machines:
        with pytest.raises(NotFoundError):
            await client.get_robot(machine.id)
    for part_id in parts:
        with pytest.raises(NotFoundError):
            await client.get_robot_part(part_id)
    assert [loc.id for loc in await client.list_locations(local_fleet.organization_id)] == [local_fleet.location_id]


async def test_delete_tree_without_every_right_deletes_nothing(local_fleet: LocalFleet, client: AsyncAppClient) -> None:
    fleet = Fleet(client)
    root = await Location(fleet, name="Site", organization_id=local_fleet.organization_id).create()
    hall = await root.create_child("Hall")
    rover = await Machine(fleet, name="rover", location_id=hall.id).create()
    # A key that owns the hall (and so its machine) but may only operate the site.
    grants = [APIKeyAuthorization("owner", "location", hall.id), APIKeyAuthorization("operator", "location", root.id)]
    key, key_id = await client.create_key(local_fleet.organization_id, grants, "limited")
    limited = await AsyncAppClient.connect(local_fleet.address, api_key=key, api_key_id=key_id)
    try:
        recorder = Recorder(limited)
        site = await Fleet(limited).location(root.id)
        with pytest.raises(PermissionDeniedError) as caught:
            await site.delete_tree()
        message = str(caught.value)
        assert f"location 'Site' ({root.id})" in message and "deleted nothing" in message
        assert hall.id not in message and rover.id not in message  # what it may delete is not named
        assert not [m for m in recorder.take() if type(m).__name__.startswith("Delete")]
        await client.get_location(hall.id)  # all still there
        await client.get_robot(rover.id)

        await (await Fleet(limited).location(hall.id)).delete_tree()  # the subtree it owns: allowed
        with pytest.raises(NotFoundError):
            await client.get_robot(rover.id)
    finally:
        await limited.close()


async def test_the_official_sdk_sees_the_changes(local_fleet: LocalFleet, client: AsyncAppClient) -> None:
    fleet = Fleet(client)
    org_id = local_fleet.organization_id
    location = await (await fleet.location(local_fleet.location_id)).create_child("Bay")
    machine = await Machine(fleet, name="rover", location_id=location.id).create()
    part = await machine.main_part()
    part.config.components = [{"name": "motor", "attributes": {"speed": 2}}]
    part = await part.update()
    part.config.components[0].attributes.speed = 7
    part = await part.update()
    machine.name = "rover-2"
    machine = await machine.update()
    fragment = await Fragment(fleet, name="cam", organization_id=org_id, config={"fps": 30}).create()
    fragment.config.fps = 60
    fragment = await fragment.update()
    org = await fleet.organization(org_id)
    org.name = "Renamed"
    await org.update()
    item = await RegistryItem(fleet, name="trainer", organization_id=org_id, type="ml_training").create()
    item.description = "Trains."
    await item.update()
    module = await Module(fleet, name="motors", organization_id=org_id, entrypoint="run").create()
    module.description = "Fast motors."
    await module.update()
    grant = {"role": "operator", "resource_type": "location", "resource_id": location.id}
    key = await APIKey(fleet, organization_id=org_id, name="ci", authorizations=[grant]).create()
    invite = await Invite(fleet, organization_id=org_id, email="new@example.com", authorizations=[grant]).create()
    invite.authorizations.append({"role": "owner", "resource_type": "robot", "resource_id": machine.id})
    await invite.update()

    async with session(local_fleet.host, local_fleet.port, local_fleet.api_key_id, local_fleet.api_key) as official:
        assert (await official.app.get_robot_part(part.id)).robot_config == {
            "components": [{"name": "motor", "attributes": {"speed": 7}}]
        }
        assert (await official.app.get_robot(machine.id)).name == "rover-2"
        assert (await official.app.get_location(location.id)).parent_location_id == local_fleet.location_id
        assert (await official.app.get_fragment(fragment.id)).fragment == {"fps": 60}
        assert (await official.app.get_organization(org_id)).name == "Renamed"
        assert (await official.app.get_registry_item(item.id)).description == "Trains."
        assert (await official.app.get_module(module.id)).description == "Fast motors."
        assert key.id in {k.api_key.id for k in await official.app.list_keys(org_id)}
        _, invites = await official.app.list_organization_members(org_id)
        assert [(i.email, [a.authorization_id for a in i.authorizations]) for i in invites] == [
            ("new@example.com", ["location_operator", "robot_owner"])
        ]
        await location.delete_tree()
        assert location.id not in {loc.id for loc in await official.app.list_locations(org_id)}
