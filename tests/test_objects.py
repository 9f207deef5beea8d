"""The object layer over a real local fleet, on both layers (async and blocking): every verb of every object.

Each test runs twice (the ``world`` fixture), and checks what the objects did through a plain client.
"""

from __future__ import annotations

from typing import Any

import pytest
from _objects import World, do, items, world_fixture  # noqa: F401  # the fixture ``world``

from fleetwire import ArgumentError, FailedPreconditionError, NotFoundError
from fleetwire.objects import ConfigDict

pytestmark = pytest.mark.anyio


async def test_organization_verbs(world: World) -> None:
    orgs = await do(world.fleet.organizations.get_all())
    assert [o.id for o in orgs] == [world.org_id]
    org = await do(world.fleet.organizations.get(world.org_id))
    assert org == orgs[0] and org.name == "My Organization"
    assert [o.id for o in await items(world.fleet.organizations.select(name="My Organization"))] == [world.org_id]
    assert await items(world.fleet.organizations.select(name="nope")) == []

    draft = world.ns.Organization(world.fleet, name="Second")
    first, second = await do(draft.create()), await do(draft.create())  # create() can be called again
    assert first.id != second.id and first.name == second.name == "Second"
    assert draft.id == ""  # the draft itself stays a draft

    first.name, first.region = "Second, renamed", "us-east-1"
    assert first.to_json(only_updated=True) == {"name": "Second, renamed", "region": "us-east-1"}
    updated = await do(first.update())
    assert updated.name == "Second, renamed" and updated.to_json(only_updated=True) == {}
    assert (await world.plain.get_organization(first.id)).name == "Second, renamed"
    assert await do(updated.reload()) == updated

    await do(second.delete())
    with pytest.raises(NotFoundError):
        await world.plain.get_organization(second.id)


async def test_location_tree_verbs(world: World) -> None:
    root = await do(world.fleet.location(world.location_id))
    assert await do(root.parent()) is None
    child = await do(root.create_child("Workshop"))
    assert child.parent_location_id == root.id
    assert (await do(child.parent())).id == root.id
    assert [c.id for c in await do(root.children.get_all())] == [child.id]
    assert (await do(root.children.get(child.id))).name == "Workshop"

    loose = await do(world.ns.Location(world.fleet, name="Loose", organization_id=world.org_id).create())
    assert loose.parent_location_id == ""
    moved = await do(root.assign_child(loose))
    assert moved.parent_location_id == root.id
    assert (await world.plain.get_location(loose.id)).parent_location_id == root.id
    back = await do(root.unassign_child(loose.id))
    assert back.parent_location_id == "" and (await world.plain.get_location(loose.id)).parent_location_id == ""

    loose.name = "Loose, renamed"
    assert loose.to_json(only_updated=True) == {"name": "Loose, renamed"}
    assert (await do(loose.update())).name == "Loose, renamed"

    other = await world.plain.create_organization("Partner")
    await do(child.share(other.id))
    sharing = {o.id for o in await world.plain.get_organizations_with_access_to_location(child.id)}
    assert other.id in sharing
    await do(child.unshare(other.id))
    sharing = {o.id for o in await world.plain.get_organizations_with_access_to_location(child.id)}
    assert other.id not in sharing

    rover = await do(world.ns.Machine(world.fleet, name="rover", location_id=child.id).create())
    with pytest.raises(FailedPreconditionError):
        await do(child.delete())  # not empty: delete() never cascades
    await do(loose.delete())
    with pytest.raises(NotFoundError):
        await world.plain.get_location(loose.id)
    part = await do(world.fleet.part((await do(rover.main_part())).id))
    await do(child.delete_tree())
    for gone in (
        world.plain.get_location(child.id),
        world.plain.get_robot(rover.id),
        world.plain.get_robot_part(part.id),
    ):
        with pytest.raises(NotFoundError):
            await gone


async def test_machine_verbs(world: World) -> None:
    draft = world.ns.Machine(world.fleet, name="rover", location_id=world.location_id)
    rover = await do(draft.create())
    draft.name = "rover-2"
    rover2 = await do(draft.create())
    assert rover.id != rover2.id
    location = await do(world.fleet.location(world.location_id))
    assert {m.name for m in await do(location.machines.get_all())} == {"rover", "rover-2"}
    assert (await do(location.machines.get(rover.id))) == rover
    assert (await do(rover.location())).id == world.location_id

    main = await do(rover.main_part())
    assert main.main_part and main.machine_id == rover.id
    arm = await do(rover.create_part("arm"))
    assert {p.name for p in await do(rover.parts.get_all())} == {main.name, "arm"}
    assert [p.id for p in await items(rover.parts.select(main_part=False))] == [arm.id]
    assert (await do(arm.machine())).id == rover.id

    elsewhere = await world.plain.create_location(world.org_id, "Elsewhere")
    rover.name, rover.location_id = "rover-moved", elsewhere.id
    assert rover.to_json(only_updated=True) == {"name": "rover-moved", "location_id": elsewhere.id}
    moved = await do(rover.update())
    assert (moved.name, moved.location_id) == ("rover-moved", elsewhere.id)
    assert (await world.plain.get_robot(rover.id)).location == elsewhere.id

    await do(rover2.delete())
    with pytest.raises(NotFoundError):
        await world.plain.get_robot(rover2.id)
    await do(moved.delete_tree())
    with pytest.raises(NotFoundError):
        await world.plain.get_robot(rover.id)
    with pytest.raises(NotFoundError):
        await world.plain.get_robot_part(arm.id)


async def test_part_verbs(world: World) -> None:
    machine = await do(world.ns.Machine(world.fleet, name="rover", location_id=world.location_id).create())
    part = await do(machine.main_part())
    assert isinstance(part.config, ConfigDict) and part.config == {}
    assert part.secret and part.secret not in repr(part) and "<hidden>" in repr(part)

    part.config.components = [{"name": "motor", "attributes": {"speed": 1, "pins": [1, 2]}}]
    part.config["network"] = {"tls": False}
    assert part.to_json(only_updated=True) == {
        "config": {
            "components": [{"name": "motor", "attributes": {"speed": 1, "pins": [1, 2]}}],
            "network": {"tls": False},
        }
    }
    part = await do(part.update())
    assert part.to_json(only_updated=True) == {}
    part.config.components[0].attributes.speed = 5  # by attribute
    part.config["components"][0]["attributes"]["pins"].append(3)  # by key, a list edit
    assert part.to_json(only_updated=True) == {
        "config": {"components[0].attributes.speed": 5, "components[0].attributes.pins": [1, 2, 3]}
    }
    part = await do(part.update())
    stored = (await world.plain.get_robot_part(part.id)).robot_config
    assert stored == {
        "components": [{"name": "motor", "attributes": {"speed": 5, "pins": [1, 2, 3]}}],
        "network": {"tls": False},
    }
    assert await do(part.reload()) == part
    assert part.config.has("network.tls") and not part.config.has("network.port")

    other = await do(machine.create_part("arm"))
    applied = await do(part.apply_to(other))
    assert applied.id == other.id and applied.name == "arm" and applied.config == part.config
    assert (await world.plain.get_robot_part(other.id)).robot_config == stored

    await do(other.mark_main())
    assert (await world.plain.get_robot_part(other.id)).main_part
    await do(other.mark_for_restart())
    with_secret = await do(other.create_secret())
    assert with_secret.id == other.id
    history = await do(part.history())
    assert len(history) == 2 and all(entry.part == part.id for entry in history)
    logs = part.logs(limit=5)
    assert await items(logs) == []

    await do(part.delete())  # no longer the main part
    with pytest.raises(NotFoundError):
        await world.plain.get_robot_part(part.id)


async def test_fragment_verbs(world: World) -> None:
    draft = world.ns.Fragment(world.fleet, name="camera", organization_id=world.org_id, config={"a": {"b": 1}})
    fragment = await do(draft.create())
    assert fragment.config == {"a": {"b": 1}} and fragment.visibility == "private"
    org = await do(world.fleet.organization(world.org_id))
    assert [f.id for f in await do(org.fragments.get_all())] == [fragment.id]
    assert (await do(org.fragments.get(fragment.id))) == fragment == (await do(world.fleet.fragment(fragment.id)))

    fragment.config.a.b = 2
    fragment.config.a.c = [1]
    fragment.visibility = "public"
    assert fragment.to_json(only_updated=True) == {"config": {"a.b": 2, "a.c": [1]}, "visibility": "public"}
    fragment = await do(fragment.update())
    remote = await world.plain.get_fragment(fragment.id)
    assert remote.fragment == {"a": {"b": 2, "c": [1]}} and remote.visibility.value == "public"

    other = await do(world.ns.Fragment(world.fleet, name="other", organization_id=world.org_id).create())
    applied = await do(fragment.apply_to(other.id))
    assert applied.name == "other" and applied.config == fragment.config
    assert len(await do(fragment.history())) == 1

    fragment.visibility = "everyone"
    with pytest.raises(ArgumentError, match="visibility"):
        await do(fragment.update())
    await do(other.delete())
    with pytest.raises(NotFoundError):
        await world.plain.get_fragment(other.id)


async def test_api_key_verbs(world: World) -> None:
    grant = {"role": "operator", "resource_type": "location", "resource_id": world.location_id}
    key = await do(
        world.ns.APIKey(world.fleet, organization_id=world.org_id, name="ci", authorizations=[grant]).create()
    )
    assert key.key and key.key not in repr(key) and key.authorizations == [grant]
    org = await do(world.fleet.organization(world.org_id))
    listed = await do(org.keys.get(key.id))
    assert listed.key == "" and listed.authorizations == [grant]  # the server keeps no secret to list

    owner = {"role": "owner", "resource_type": "location", "resource_id": world.location_id}
    await do(key.add_role("owner", "location", world.location_id))
    assert sorted((await do(key.reload())).authorizations, key=str) == sorted([grant, owner], key=str)
    await do(key.remove_role("operator", "location", world.location_id))
    assert (await do(key.reload())).authorizations == [owner]

    key.name = "renamed"
    with pytest.raises(ArgumentError, match="name cannot be changed"):
        await do(key.update())

    rotated = await do(key.rotate())
    assert rotated.id != key.id and rotated.key and rotated.key != key.key
    ids = {k.api_key.id for k in await world.plain.list_keys(world.org_id) if k.api_key}
    assert rotated.id in ids and key.id not in ids
    await do(rotated.delete())
    assert rotated.id not in {k.api_key.id for k in await world.plain.list_keys(world.org_id) if k.api_key}


async def test_member_and_invite_verbs(world: World) -> None:
    org = await do(world.fleet.organization(world.org_id))
    members = await do(org.members.get_all())
    assert [m.user_id for m in members] == [world.local.user_id]
    me = await do(org.members.get(world.local.user_id))
    assert me.emails == [world.local.user_email]
    assert await do(me.reload()) == me

    operator = {"role": "operator", "resource_type": "organization", "resource_id": world.org_id}
    owner = {"role": "owner", "resource_type": "location", "resource_id": world.location_id}
    invite = await do(
        world.ns.Invite(
            world.fleet, organization_id=world.org_id, email="new@example.com", authorizations=[operator]
        ).create()
    )
    assert invite.authorizations == [operator]
    assert (await do(org.invites.get("new@example.com"))) == invite
    invite.authorizations.append(owner)
    invite.authorizations.remove(operator)
    updated = await do(invite.update())
    assert updated.authorizations == [owner]
    _, invites = await world.plain.list_organization_members(world.org_id)
    assert [a.authorization_id for a in invites[0].authorizations] == ["location_owner"]
    assert (await do(updated.resend())).email == "new@example.com"
    await do(updated.delete())
    assert (await world.plain.list_organization_members(world.org_id))[1] == []

    await do(me.add_role("owner", "location", world.location_id))
    held = {(a.identity_id, a.authorization_id) for a in await world.plain.list_authorizations(world.org_id)}
    assert (me.user_id, "location_owner") in held
    await do(me.remove_role("owner", "location", world.location_id))
    held = {(a.identity_id, a.authorization_id) for a in await world.plain.list_authorizations(world.org_id)}
    assert (me.user_id, "location_owner") not in held
    with pytest.raises(FailedPreconditionError, match="last member"):  # members join by invite: only one here
        await do(me.delete())


async def test_registry_verbs(world: World) -> None:
    org = await do(world.fleet.organization(world.org_id))
    org.public_namespace = "acme"  # public items need one
    org = await do(org.update())
    item = await do(
        world.ns.RegistryItem(
            world.fleet, name="trainer", organization_id=world.org_id, type="ml_training", description="Trains."
        ).create()
    )
    assert (item.id, item.type, item.description, item.visibility) == (
        "acme:trainer",
        "ml_training",
        "Trains.",
        "private",
    )
    item.visibility = "public"
    assert item.to_json(only_updated=True) == {"visibility": "public"}
    item = await do(item.update())
    assert (await world.plain.get_registry_item(item.id)).visibility.name == "PUBLIC"
    assert await do(item.reload()) == item

    models = [{"api": "rdk:component:motor", "model": "acme:motors:fast"}]
    module = await do(
        world.ns.Module(
            world.fleet,
            name="motors",
            organization_id=world.org_id,
            url="https://example.com",
            entrypoint="run",
            models=models,
        ).create()
    )
    assert (module.models, module.entrypoint) == (models, "run")
    module.description = "Fast motors."
    module = await do(module.update())
    assert (await world.plain.get_module(module.id)).description == "Fast motors."

    assert {i.name for i in await do(org.registry_items.get_all())} == {"trainer", "motors"}
    assert [m.id for m in await do(org.modules.get_all())] == [module.id]
    assert (await do(world.fleet.module(module.id))) == module
    assert (await do(world.fleet.registry_item(item.id))) == item

    item.type = "module"
    with pytest.raises(ArgumentError, match="type cannot be changed"):
        await do(item.update())
    await do(module.delete())
    await do(item.delete())
    with pytest.raises(NotFoundError):
        await world.plain.get_module(module.id)
    with pytest.raises(NotFoundError):
        await world.plain.get_registry_item(item.id)


async def test_json_round_trip_flag_update_and_equality(world: World) -> None:
    machine = await do(world.ns.Machine(world.fleet, name="rover", location_id=world.location_id).create())
    part = await do(machine.main_part())
    part.config.motor = {"speed": 1}
    part = await do(part.update())

    copy = world.ns.MachinePart.from_json(world.fleet, part.to_json())
    assert copy == part and copy.to_json(only_updated=True) == {}
    copy.config.motor.speed = 2
    assert copy != part and copy.to_json(only_updated=True) == {"config": {"motor.speed": 2}}
    with pytest.raises(ArgumentError, match="no field"):
        world.ns.MachinePart.from_json(world.fleet, {"colour": "red"})

    part.flag_update("name")
    assert part.to_json(only_updated=True) == {"name": part.name}
    part.flag_update("config")
    assert part.to_json(only_updated=True)["config"] == {"": {"motor": {"speed": 1}}}
    with pytest.raises(ArgumentError):
        part.flag_update("colour")
    with pytest.raises(AttributeError):
        part.colour = "red"

    new = world.ns.Machine(world.fleet, name="draft", location_id=world.location_id)
    assert new.to_json(only_updated=True) == new.to_json()  # never written: everything is a change
    with pytest.raises(ArgumentError, match="create"):
        await do(new.update())


async def _check_metadata(objects_and_reads: list[tuple[Any, Any]]) -> None:
    for n, (obj, read) in enumerate(objects_and_reads):
        assert await do(obj.metadata()) == {}
        await do(obj.set_metadata({"team": "alpha", "rank": n}))
        assert await do(obj.metadata()) == {"team": "alpha", "rank": n} == dict(await read(obj.id))


async def test_metadata_of_organizations_and_locations(world: World) -> None:
    org = await do(world.fleet.organization(world.org_id))
    location = await do(world.fleet.location(world.location_id))
    await _check_metadata([(org, world.plain.get_organization_metadata), (location, world.plain.get_location_metadata)])


async def test_metadata_of_machines_and_parts(world: World) -> None:
    machine = await do(world.ns.Machine(world.fleet, name="rover", location_id=world.location_id).create())
    part = await do(machine.main_part())
    await _check_metadata([(machine, world.plain.get_robot_metadata), (part, world.plain.get_robot_part_metadata)])
