"""The official ``viam-sdk`` AppClient drives the local fleet server through the methods and parameters the pinned
0.85.1 added over the spec's seventy (metadata, favourites, deprecation, push tokens, Firebase, OAuth app users,
machines of several locations, config properties, log and history queries, fragment versions, optimistic updates)
and gets what its docstrings describe.

Everything goes over real gRPC on loopback to a ``LocalFleet`` on in-memory SQLite, through the official client
(the OAuth application a user is created under comes from the raw client: the official one cannot create it).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import AsyncIterator

import pytest
from _local.fleet import DENIED, Session, log_entry, session
from grpclib.const import Status
from test_local_machines import status_of
from viam.proto.app import FragmentImport, LogOrder
from viam.proto.app.packages import PackageType

from fleetwire.local import LocalFleet
from fleetwire_api.viam.app import v1 as wire

pytestmark = pytest.mark.anyio

UTC = datetime.timezone.utc


@pytest.fixture
async def owner(fleet: LocalFleet) -> AsyncIterator[Session]:
    """The fleet's owner key, connected through the official client."""
    async with session(fleet.host, fleet.port, fleet.api_key_id, fleet.api_key) as connected:
        yield connected


async def machine(owner: Session, location_id: str, name: str) -> tuple[str, str]:
    robot_id = await owner.app.new_robot(name=name, location_id=location_id)
    parts = await owner.app.get_robot_parts(robot_id)
    return robot_id, next(part.id for part in parts if part.main_part)


async def test_metadata_favorites_and_locations(fleet: LocalFleet, owner: Session) -> None:
    app = owner.app
    org_id, location_id = fleet.organization_id, fleet.location_id
    robot_id, part_id = await machine(owner, location_id, "sdk-meta")
    await app.update_organization_metadata(org_id=org_id, metadata={"tier": "gold"})
    await app.update_location_metadata(location_id=location_id, metadata={"floor": 2})
    await app.update_robot_metadata(robot_id=robot_id, metadata={"TEST_API_KEY": "ABC123"})
    await app.update_robot_part_metadata(robot_part_id=part_id, metadata={"nested": {"a": [1, "b"]}})
    assert await app.get_organization_metadata(org_id=org_id) == {"tier": "gold"}
    assert await app.get_location_metadata(location_id=location_id) == {"floor": 2}
    assert await app.get_robot_metadata(robot_id=robot_id) == {"TEST_API_KEY": "ABC123"}
    assert await app.get_robot_part_metadata(robot_part_id=part_id) == {"nested": {"a": [1, "b"]}}

    await app.add_favorite_machine(machine_id=robot_id)
    favorites = await app.list_favorite_machines()
    assert [(f.machine.id, f.organization_id) for f in favorites] == [(robot_id, org_id)]
    await app.remove_favorite_machine(machine_id=robot_id)
    assert await app.list_favorite_machines() == []

    annex = await app.create_location(org_id=org_id, name="sdk-annex")
    other_robot, _ = await machine(owner, annex.id, "sdk-elsewhere")
    robots = await app.list_robots_for_locations(location_ids=[location_id, annex.id])
    assert [r.id for r in robots] == [robot_id, other_robot]
    status, _ = await status_of(app.list_robots_for_locations(location_ids=["not-an-id"]))
    assert status == Status.INVALID_ARGUMENT


async def test_config_property_and_optimistic_updates(fleet: LocalFleet, owner: Session) -> None:
    app = owner.app
    _, part_id = await machine(owner, fleet.location_id, "sdk-config")
    part = await app.update_robot_part(
        robot_part_id=part_id, name="sdk-config-main", robot_config_json='{"zeta": 1, "components": [{"name": "a"}]}'
    )
    assert list(json.loads(part.robot_config_json or "{}")) == ["zeta", "components"]
    results = await app.set_config_property(
        robot_part_id=part_id, property_changes={"components[0].attributes.speed": 3, 'extra["a.b"]': [True]}
    )
    assert [(r.path, r.success) for r in results] == [("components[0].attributes.speed", True), ('extra["a.b"]', True)]
    part = await app.get_robot_part(part_id)
    assert part.robot_config == {
        "zeta": 1,
        "components": [{"name": "a", "attributes": {"speed": 3}}],
        "extra": {"a.b": [True]},
    }
    status, message = await status_of(app.set_config_property(robot_part_id=part_id, property_changes={"zeta.x": 1}))
    assert status == Status.INVALID_ARGUMENT and "zeta.x" in message

    # Two copies of the part: the second stale update is refused and the first one's config stays.
    first, second = await app.get_robot_part(part_id), await app.get_robot_part(part_id)
    assert first.last_updated is not None
    await app.update_robot_part(part_id, first.name, {"by": "first"}, last_known_update=first.last_updated)
    status, message = await status_of(
        app.update_robot_part(part_id, second.name, {"by": "second"}, last_known_update=second.last_updated)
    )
    assert status == Status.ABORTED and "reload" in message
    assert (await app.get_robot_part(part_id)).robot_config == {"by": "first"}

    fragment = await app.create_fragment(org_id=fleet.organization_id, name="sdk-frag", config={"v": 1})
    copy_a, copy_b = await app.get_fragment(fragment.id), await app.get_fragment(fragment.id)
    await app.update_fragment(fragment.id, "sdk-frag", config={"v": 2}, last_known_update=copy_a.last_updated)
    status, _ = await status_of(
        app.update_fragment(fragment.id, "sdk-frag", config={"v": 3}, last_known_update=copy_b.last_updated)
    )
    assert status == Status.ABORTED
    assert (await app.get_fragment(fragment.id)).fragment == {"v": 2}
    assert (await app.get_fragment(fragment.id, version="1")).fragment == {"v": 1}
    status, _ = await status_of(app.get_fragment(fragment.id, version="7"))
    assert status == Status.NOT_FOUND

    organization = await app.update_organization(
        org_id=fleet.organization_id, default_fragments=[FragmentImport(fragment_id=fragment.id)]
    )
    assert [f.fragment_id for f in organization.default_fragments.fragments] == [fragment.id]


async def test_logs_and_history_queries(fleet: LocalFleet, owner: Session) -> None:
    app = owner.app
    _, part_id = await machine(owner, fleet.location_id, "sdk-logs")
    base = datetime.datetime.now(UTC) - datetime.timedelta(hours=4)
    await owner.push_logs(part_id, [log_entry(f"e{i}", when=base + datetime.timedelta(hours=i)) for i in range(4)])
    newest_first = await app.get_robot_part_logs(part_id, num_log_entries=0)
    assert [e.message for e in newest_first] == ["e3", "e2", "e1", "e0"]
    ascending = await app.get_robot_part_logs(part_id, num_log_entries=0, order=LogOrder.LOG_ORDER_ASCENDING)
    assert [e.message for e in ascending] == ["e0", "e1", "e2", "e3"]
    window = await app.get_robot_part_logs(
        part_id, start=base + datetime.timedelta(minutes=30), end=base + datetime.timedelta(hours=2, minutes=30)
    )
    assert [e.message for e in window] == ["e2", "e1"]
    assert [e.message for e in await app.get_robot_part_logs(part_id, range="150m")] == ["e3", "e2"]
    status, _ = await status_of(app.get_robot_part_logs(part_id, range="soon"))
    assert status == Status.INVALID_ARGUMENT

    for value in range(3):
        await app.update_robot_part(part_id, "sdk-logs-main", {"v": value})
    history = await app.get_robot_part_history(part_id)
    assert len(history) == 3
    assert len(await app.get_robot_part_history(part_id, page_limit=2)) == 2
    assert len(await app.get_robot_part_history(part_id, start=history[0].when)) == 1


async def test_registry_devices_firebase_and_oauth_users(fleet: LocalFleet, owner: Session) -> None:
    app, org_id = owner.app, fleet.organization_id
    await app.create_registry_item(org_id, "sdk-item", PackageType.PACKAGE_TYPE_ML_MODEL)
    item_id = f"{org_id}:sdk-item"
    await app.deprecate_registry_item(item_id, "superseded")
    item = await app.get_registry_item(item_id, include_markdown_documentation=True)
    assert item.deprecated_status.message == "superseded"
    await app.undeprecate_registry_item(item_id)
    assert not (await app.get_registry_item(item_id)).HasField("deprecated_status")
    status, _ = await status_of(app.deprecate_registry_item_version(item_id, "1.0.0", "no such version"))
    assert status == Status.NOT_FOUND
    status, _ = await status_of(app.undeprecate_registry_item_version(item_id, "1.0.0"))
    assert status == Status.NOT_FOUND

    await app.upload_device_push_token(app_id="fb", device_token="token-1", device_uuid="device-1")
    assert await app.get_device_push_tokens(app_id="fb") == ["token-1"]
    await app.delete_device_push_token(app_id="fb", device_uuid="device-1")
    assert await app.get_device_push_tokens(app_id="fb") == []

    await app.set_firebase_config(org_id=org_id, app_id="fb", config_json='{"project_id": "demo"}')
    assert await app.get_firebase_config(org_id=org_id) == "fb"
    await app.delete_firebase_config(org_id=org_id, app_id="fb")
    assert (await status_of(app.get_firebase_config(org_id=org_id)))[0] == Status.NOT_FOUND

    oauth_app = await owner.raw.create_o_auth_app(
        org_id=org_id, client_name="sdk-portal", oauth_config=wire.OAuthConfig(redirect_uris=["https://x.example/cb"])
    )
    response = await app.create_oauth_app_user(
        org_id=org_id,
        application_id=oauth_app.client_id,
        email="user@example.com",
        first_name="John",
        last_name="Doe",
        password="securepassword",
    )
    assert response.user_id and response.registration_id and response.auth_token and response.refresh_token
    status, _ = await status_of(
        app.create_oauth_app_user(org_id, oauth_app.client_id, "user@example.com", "J", "D", "securepassword")
    )
    assert status == Status.ALREADY_EXISTS
    status, _ = await status_of(
        app.create_oauth_app_user(org_id, "00000000-0000-4000-8000-000000000000", "a@example.com", "A", "B", "12345678")
    )
    assert status in DENIED
