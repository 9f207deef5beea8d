"""The local fleet server's newer AppService RPCs over real gRPC: metadata of machines and parts, favourite machines,
machines of several locations, registry deprecation and markdown, device push tokens, Firebase configs, OAuth
applications and their users, log queries by range, part history by time, list_authorizations and default fragments.

Each test checks the semantics, the errors, and who may do what: an operator of the organization, and the owner key
of another organization (which must get no data and change nothing).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from grpclib.const import Status
from test_local_machines import Conn, connect, new_machine, status_of, stranger
from test_local_registry import upload

from fleetwire.local.fleet import LocalFleet
from fleetwire.local.services.oauth_apps import verify_password
from fleetwire_api.google.protobuf import Struct
from fleetwire_api.viam.app import v1 as app
from fleetwire_api.viam.app.packages.v1 import PackageType
from fleetwire_api.viam.common.v1 import LogEntry

pytestmark = pytest.mark.anyio

DENIED = {Status.PERMISSION_DENIED, Status.NOT_FOUND}


def operator_role(fleet: LocalFleet, key_id: str = "") -> app.Authorization:
    """The operator role on the fleet's organization (held by ``key_id``, if given)."""
    org_id = fleet.organization_id
    return app.Authorization(
        authorization_type="role",
        authorization_id="organization_operator",
        resource_type="organization",
        resource_id=org_id,
        organization_id=org_id,
        identity_id=key_id,
        identity_type="api-key",
    )


async def operator(fleet: LocalFleet, owner: Conn) -> Conn:
    """A connection with an operator key on the fleet's organization."""
    created = await owner.app.create_key(authorizations=[operator_role(fleet)], name="operator")
    return await connect(fleet, created.id, created.key)


async def all_refused(fleet: LocalFleet, calls: Iterable[Awaitable[object]]) -> None:
    """Every call is refused (``PERMISSION_DENIED`` or ``NOT_FOUND``) and the database is as it was, byte for byte."""
    before = await fleet.context.store.read(lambda conn: list(conn.iterdump()))
    for call in calls:
        assert (await status_of(call))[0] in DENIED
    assert await fleet.context.store.read(lambda conn: list(conn.iterdump())) == before


async def test_machine_and_part_metadata(fleet: LocalFleet, owner: Conn) -> None:
    robot_id, part_id = await new_machine(owner, fleet.location_id, "tagged")
    assert (await owner.app.get_robot_metadata(id=robot_id)).data == Struct()
    await owner.app.update_robot_metadata(id=robot_id, data=Struct.from_dict({"site": "north", "n": [1, 2]}))
    await owner.app.update_robot_part_metadata(id=part_id, data=Struct.from_dict({"serial": "A-1"}))
    got = (await owner.app.get_robot_metadata(id=robot_id)).data
    assert got is not None and got.to_dict() == {"site": "north", "n": [1, 2]}
    # Replace-all: keys not sent are gone.
    await owner.app.update_robot_metadata(id=robot_id, data=Struct.from_dict({"only": True}))
    got = (await owner.app.get_robot_metadata(id=robot_id)).data
    assert got is not None and got.to_dict() == {"only": True}
    part_data = (await owner.app.get_robot_part_metadata(id=part_id)).data
    assert part_data is not None and part_data.to_dict() == {"serial": "A-1"}

    op = await operator(fleet, owner)
    foreign = await stranger(fleet, owner)
    try:
        read = (await op.app.get_robot_part_metadata(id=part_id)).data
        assert read is not None and read.to_dict() == {"serial": "A-1"}  # operators read
        status, _ = await status_of(op.app.update_robot_metadata(id=robot_id, data=Struct.from_dict({"x": 1})))
        assert status == Status.PERMISSION_DENIED  # ... but do not write
        await all_refused(
            fleet,
            [
                foreign.app.get_robot_metadata(id=robot_id),
                foreign.app.get_robot_part_metadata(id=part_id),
                foreign.app.update_robot_metadata(id=robot_id, data=Struct.from_dict({"x": 1})),
                foreign.app.update_robot_part_metadata(id=part_id, data=Struct.from_dict({"x": 1})),
            ],
        )
    finally:
        op.channel.close()
        foreign.channel.close()
    got = (await owner.app.get_robot_metadata(id=robot_id)).data
    assert got is not None and got.to_dict() == {"only": True}
    status, _ = await status_of(owner.app.get_robot_metadata(id="00000000-0000-4000-8000-000000000000"))
    assert status == Status.NOT_FOUND
    # Deleting the machine takes its metadata with it (a new machine of the same name starts empty).
    await owner.app.delete_robot(id=robot_id)
    robot_id, _ = await new_machine(owner, fleet.location_id, "tagged")
    assert (await owner.app.get_robot_metadata(id=robot_id)).data == Struct()


async def test_favorite_machines(fleet: LocalFleet, owner: Conn) -> None:
    first, _ = await new_machine(owner, fleet.location_id, "fav-a")
    second, _ = await new_machine(owner, fleet.location_id, "fav-b")
    await owner.app.add_favorite_machine(machine_id=second)
    await owner.app.add_favorite_machine(machine_id=first)
    await owner.app.add_favorite_machine(machine_id=second)  # again: no change
    favorites = (await owner.app.list_favorite_machines()).favorites
    assert [f.machine.id for f in favorites if f.machine] == [second, first]
    assert {f.organization_id for f in favorites} == {fleet.organization_id}
    assert all(f.created_on is not None and f.machine and f.machine.name.startswith("fav-") for f in favorites)

    op = await operator(fleet, owner)
    foreign = await stranger(fleet, owner)
    try:
        assert (await op.app.list_favorite_machines()).favorites == []  # every key has its own list
        await op.app.add_favorite_machine(machine_id=first)  # operators read machines, so may favourite them
        assert [f.machine.id for f in (await op.app.list_favorite_machines()).favorites if f.machine] == [first]
        assert (await status_of(foreign.app.add_favorite_machine(machine_id=first)))[0] in DENIED
        assert (await foreign.app.list_favorite_machines()).favorites == []
        status, _ = await status_of(foreign.app.remove_favorite_machine(machine_id=first))
        assert status == Status.NOT_FOUND  # nothing of anyone else's list
    finally:
        foreign.channel.close()
    assert len((await owner.app.list_favorite_machines()).favorites) == 2

    await owner.app.remove_favorite_machine(machine_id=second)
    assert (await status_of(owner.app.remove_favorite_machine(machine_id=second)))[0] == Status.NOT_FOUND
    # A machine the key can no longer read leaves its list (the operator loses its role).
    keys = (await owner.app.list_keys(org_id=fleet.organization_id)).api_keys
    op_key = next(k.api_key.id for k in keys if k.api_key and k.api_key.name == "operator")
    await owner.app.remove_role(authorization=operator_role(fleet, op_key))
    try:
        assert (await op.app.list_favorite_machines()).favorites == []
    finally:
        op.channel.close()
    await owner.app.delete_robot(id=first)
    assert (await owner.app.list_favorite_machines()).favorites == []


async def test_list_robots_for_locations(fleet: LocalFleet, owner: Conn) -> None:
    other = (await owner.app.create_location(organization_id=fleet.organization_id, name="annex")).location
    assert other is not None
    here, _ = await new_machine(owner, fleet.location_id, "m-here")
    there_b, _ = await new_machine(owner, other.id, "m-there-b")
    there_a, _ = await new_machine(owner, other.id, "m-there-a")
    robots = (await owner.app.list_robots_for_locations(location_ids=[other.id, fleet.location_id, other.id])).robots
    assert [r.id for r in robots] == [there_a, there_b, here]
    assert (await owner.app.list_robots_for_locations(location_ids=[])).robots == []

    foreign = await stranger(fleet, owner)
    try:
        # An organization of the other key's own, where the fleet's key holds no role.
        third = (await foreign.app.create_organization(name="Third")).organization
        assert third is not None
        foreign_loc = (await foreign.app.create_location(organization_id=third.id, name="theirs")).location
        assert foreign_loc is not None
        status, message = await status_of(
            owner.app.list_robots_for_locations(location_ids=[fleet.location_id, foreign_loc.id])
        )
        assert status == Status.PERMISSION_DENIED and foreign_loc.id in message
        status, message = await status_of(foreign.app.list_robots_for_locations(location_ids=[fleet.location_id]))
        assert status in DENIED
    finally:
        foreign.channel.close()
    op = await operator(fleet, owner)
    try:
        robots = (await op.app.list_robots_for_locations(location_ids=[fleet.location_id, other.id])).robots
        assert [r.id for r in robots] == [here, there_a, there_b]  # operators read machines
    finally:
        op.channel.close()
    status, message = await status_of(owner.app.list_robots_for_locations(location_ids=[fleet.location_id, "nope"]))
    assert status == Status.INVALID_ARGUMENT and "location_ids[1]" in message


async def foreign_org(conn: Conn) -> str:
    """The id of the only organization ``conn``'s key holds a role in, with a location created in it."""
    orgs = (await conn.app.list_organizations()).organizations
    assert len(orgs) == 1
    if not (await conn.app.list_locations(organization_id=orgs[0].id)).locations:
        await conn.app.create_location(organization_id=orgs[0].id, name="elsewhere")
    return orgs[0].id


async def test_registry_deprecation_and_markdown(fleet: LocalFleet, owner: Conn) -> None:
    org_id = fleet.organization_id
    module_id = (await owner.app.create_module(organization_id=org_id, name="gripper")).module_id
    await upload(owner, module_id, "1.0.0", "linux/amd64", b"v1")
    await upload(owner, module_id, "1.1.0", "linux/amd64", b"v2")

    await owner.app.deprecate_registry_item(item_id=module_id, message="use claw instead")
    await owner.app.deprecate_registry_item_version(item_id=module_id, version="1.0.0", message="crashes")
    item = (await owner.app.get_registry_item(item_id=module_id)).item
    assert item is not None and item.deprecated_status is not None
    assert item.deprecated_status.message == "use claw instead" and item.deprecated_status.deprecated_at is not None
    assert item.module_metadata is not None
    versions = {v.version: v.deprecated_status for v in item.module_metadata.versions}
    assert versions["1.0.0"] is not None and versions["1.0.0"].message == "crashes" and versions["1.1.0"] is None
    module = (await owner.app.get_module(module_id=module_id)).module
    assert module is not None
    assert [(v.version, v.deprecated_status is not None) for v in module.versions] == [
        ("1.0.0", True),
        ("1.1.0", False),
    ]

    status, message = await status_of(
        owner.app.deprecate_registry_item_version(item_id=module_id, version="9.9.9", message="x")
    )
    assert status == Status.NOT_FOUND and "9.9.9" in message
    status, _ = await status_of(owner.app.undeprecate_registry_item_version(item_id=module_id, version="2.0.0"))
    assert status == Status.NOT_FOUND

    foreign = await stranger(fleet, owner)
    op = await operator(fleet, owner)
    try:
        await all_refused(
            fleet,
            [
                call
                for conn in (foreign, op)
                for call in (
                    conn.app.undeprecate_registry_item(item_id=module_id),
                    conn.app.undeprecate_registry_item_version(item_id=module_id, version="1.0.0"),
                    conn.app.deprecate_registry_item(item_id=module_id, message="mine now"),
                )
            ],
        )
    finally:
        foreign.channel.close()
        op.channel.close()

    await owner.app.undeprecate_registry_item(item_id=module_id)
    await owner.app.undeprecate_registry_item_version(item_id=module_id, version="1.0.0")
    item = (await owner.app.get_registry_item(item_id=module_id)).item
    assert item is not None and item.deprecated_status is None and item.module_metadata is not None
    assert all(v.deprecated_status is None for v in item.module_metadata.versions)

    # Markdown documentation: only when asked for.
    await owner.app.update_module(
        module_id=module_id,
        visibility=app.Visibility.PRIVATE,
        url="https://example.com/gripper",
        description="grips",
        entrypoint="./run",
        markdown_description="# Gripper\nGrips things.",
    )
    plain = (await owner.app.get_registry_item(item_id=module_id)).item
    with_doc = (await owner.app.get_registry_item(item_id=module_id, include_markdown_documentation=True)).item
    assert plain is not None and plain.module_metadata is not None
    assert plain.module_metadata.markdown_description is None
    assert with_doc is not None and with_doc.module_metadata is not None
    assert with_doc.module_metadata.markdown_description == "# Gripper\nGrips things."
    await owner.app.update_registry_item(
        item_id=module_id,
        type=PackageType.MODULE,
        description="grips",
        visibility=app.Visibility.PRIVATE,
        markdown_description="",
    )
    cleared = (await owner.app.get_registry_item(item_id=module_id, include_markdown_documentation=True)).item
    assert cleared is not None and cleared.module_metadata is not None
    assert cleared.module_metadata.markdown_description is None


async def test_device_push_tokens(fleet: LocalFleet, owner: Conn) -> None:
    await owner.app.upload_device_push_token(app_id="app-1", device_token="tok-a", device_uuid="phone")
    await owner.app.upload_device_push_token(app_id="app-1", device_token="tok-b", device_uuid="tablet")
    await owner.app.upload_device_push_token(app_id="app-1", device_token="tok-a2", device_uuid="phone")  # replaces
    await owner.app.upload_device_push_token(app_id="app-2", device_token="tok-c", device_uuid="phone")
    assert sorted((await owner.app.get_device_push_tokens(app_id="app-1")).device_tokens) == ["tok-a2", "tok-b"]
    foreign = await stranger(fleet, owner)
    try:
        assert (await foreign.app.get_device_push_tokens(app_id="app-1")).device_tokens == []
        status, _ = await status_of(foreign.app.delete_device_push_token(app_id="app-1", device_uuid="phone"))
        assert status == Status.NOT_FOUND
    finally:
        foreign.channel.close()
    await owner.app.delete_device_push_token(app_id="app-1", device_uuid="phone")
    assert (await owner.app.get_device_push_tokens(app_id="app-1")).device_tokens == ["tok-b"]
    assert (await owner.app.get_device_push_tokens(app_id="app-2")).device_tokens == ["tok-c"]
    for call, field in [
        (owner.app.upload_device_push_token(app_id="", device_token="t", device_uuid="d"), "app_id"),
        (owner.app.upload_device_push_token(app_id="a", device_token="", device_uuid="d"), "device_token"),
        (owner.app.upload_device_push_token(app_id="a", device_token="t", device_uuid=""), "device_uuid"),
    ]:
        status, message = await status_of(call)
        assert status == Status.INVALID_ARGUMENT and field in message


async def test_firebase_config_is_for_owners(fleet: LocalFleet, owner: Conn) -> None:
    org_id = fleet.organization_id
    status, _ = await status_of(owner.app.get_firebase_config(org_id=org_id))
    assert status == Status.NOT_FOUND
    for bad in ["[]", "{oops", '"text"']:
        status, message = await status_of(owner.app.set_firebase_config(org_id=org_id, app_id="fb", config_json=bad))
        assert status == Status.INVALID_ARGUMENT and "config_json" in message
    await owner.app.set_firebase_config(org_id=org_id, app_id="fb-app", config_json='{"project_id": "p"}')
    assert (await owner.app.get_firebase_config(org_id=org_id)).app_id == "fb-app"

    op = await operator(fleet, owner)
    foreign = await stranger(fleet, owner)
    try:
        await all_refused(
            fleet,
            [
                call
                for conn in (op, foreign)
                for call in (
                    conn.app.get_firebase_config(org_id=org_id),
                    conn.app.set_firebase_config(org_id=org_id, app_id="evil", config_json="{}"),
                    conn.app.delete_firebase_config(org_id=org_id, app_id="fb-app"),
                )
            ],
        )
    finally:
        op.channel.close()
        foreign.channel.close()
    assert (await owner.app.get_firebase_config(org_id=org_id)).app_id == "fb-app"

    status, _ = await status_of(owner.app.delete_firebase_config(org_id=org_id, app_id="other-app"))
    assert status == Status.NOT_FOUND
    await owner.app.delete_firebase_config(org_id=org_id, app_id="fb-app")
    assert (await status_of(owner.app.get_firebase_config(org_id=org_id)))[0] == Status.NOT_FOUND


async def test_oauth_apps_and_users(tmp_path: Path) -> None:
    db = tmp_path / "fleet.db"
    async with LocalFleet(db=db) as fleet:
        owner = await connect(fleet, fleet.api_key_id, fleet.api_key)
        try:
            user_id = await _oauth_round_trip(fleet, owner)
        finally:
            owner.channel.close()
    # The password is stored salted and hashed, never in clear; the tokens only as hashes.
    with sqlite3.connect(db) as conn:
        salt, stored, auth_hash = conn.execute(
            "SELECT password_salt, password_hash, auth_token_hash FROM oauth_app_users WHERE user_id = ?", (user_id,)
        ).fetchone()
        dump = "\n".join(conn.iterdump())
    assert "correct horse battery" not in dump
    assert verify_password("correct horse battery", salt, stored) and not verify_password("wrong", salt, stored)
    assert len(auth_hash) == 64


async def _oauth_round_trip(fleet: LocalFleet, owner: Conn) -> str:
    org_id = fleet.organization_id
    config = app.OAuthConfig(
        client_authentication=app.ClientAuthentication.REQUIRED,
        pkce=app.Pkce.REQUIRED,
        url_validation=app.UrlValidation.EXACT_MATCH,
        redirect_uris=["https://example.com/callback"],
        enabled_grants=[app.EnabledGrant.AUTHORIZATION_CODE, app.EnabledGrant.REFRESH_TOKEN],
    )
    created = await owner.app.create_o_auth_app(org_id=org_id, client_name="portal", oauth_config=config)
    assert created.client_id and created.client_secret
    read = await owner.app.read_o_auth_app(org_id=org_id, client_id=created.client_id)
    assert (read.client_name, read.client_secret, read.oauth_config) == ("portal", created.client_secret, config)
    assert (await owner.app.list_o_auth_apps(org_id=org_id)).client_ids == [created.client_id]
    renamed = app.OAuthConfig(redirect_uris=["https://example.com/v2"])
    await owner.app.update_o_auth_app(
        org_id=org_id, client_id=created.client_id, client_name="portal-2", oauth_config=renamed
    )
    read = await owner.app.read_o_auth_app(org_id=org_id, client_id=created.client_id)
    assert (read.client_name, read.oauth_config) == ("portal-2", renamed)

    user = await owner.app.create_o_auth_app_user(
        org_id=org_id,
        application_id=created.client_id,
        email="Ada@Example.com",
        first_name="Ada",
        last_name="Lovelace",
        password="correct horse battery",
    )
    assert user.user_id and user.registration_id and user.auth_token and user.refresh_token
    assert user.auth_token != user.refresh_token
    again = owner.app.create_o_auth_app_user(
        org_id=org_id,
        application_id=created.client_id,
        email="ada@example.com",
        first_name="A",
        last_name="L",
        password="another password",
    )
    assert (await status_of(again))[0] == Status.ALREADY_EXISTS
    for kwargs, field in [
        ({"password": "short"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"application_id": "00000000-0000-4000-8000-000000000000"}, "client_id"),
    ]:
        call: dict[str, Any] = {
            "org_id": org_id,
            "application_id": created.client_id,
            "email": "b@example.com",
            "first_name": "B",
            "last_name": "C",
            "password": "long enough",
            **kwargs,
        }
        status, message = await status_of(owner.app.create_o_auth_app_user(**call))
        assert status in {Status.INVALID_ARGUMENT, Status.NOT_FOUND} and field in message, (kwargs, message)
    status, message = await status_of(
        owner.app.create_o_auth_app(org_id=org_id, client_name="x", oauth_config=app.OAuthConfig(pkce=app.Pkce(9)))
    )
    assert status == Status.INVALID_ARGUMENT and "pkce" in message

    op = await operator(fleet, owner)
    foreign = await stranger(fleet, owner)
    try:
        assert (await op.app.list_o_auth_apps(org_id=org_id)).client_ids == [created.client_id]
        await all_refused(
            fleet,
            [
                call
                for conn in (op, foreign)
                for call in (
                    conn.app.read_o_auth_app(org_id=org_id, client_id=created.client_id),
                    conn.app.delete_o_auth_app(org_id=org_id, client_id=created.client_id),
                    conn.app.create_o_auth_app(org_id=org_id, client_name="mine", oauth_config=config),
                    conn.app.create_o_auth_app_user(
                        org_id=org_id,
                        application_id=created.client_id,
                        email="eve@example.com",
                        first_name="E",
                        last_name="V",
                        password="12345678",
                    ),
                )
            ]
            + [foreign.app.list_o_auth_apps(org_id=org_id)],
        )
        # An application is addressed within its organization only.
        mine = await foreign_org(foreign)
        status, _ = await status_of(foreign.app.read_o_auth_app(org_id=mine, client_id=created.client_id))
        assert status == Status.NOT_FOUND
    finally:
        op.channel.close()
        foreign.channel.close()

    spare = await owner.app.create_o_auth_app(org_id=org_id, client_name="spare", oauth_config=config)
    assert (await owner.app.list_o_auth_apps(org_id=org_id)).client_ids == [created.client_id, spare.client_id]
    await owner.app.delete_o_auth_app(org_id=org_id, client_id=spare.client_id)
    assert (await owner.app.list_o_auth_apps(org_id=org_id)).client_ids == [created.client_id]
    status, _ = await status_of(owner.app.read_o_auth_app(org_id=org_id, client_id=spare.client_id))
    assert status == Status.NOT_FOUND
    return user.user_id


async def test_logs_by_range_and_history_by_time(fleet: LocalFleet, owner: Conn) -> None:
    _, part_id = await new_machine(owner, fleet.location_id, "chatty")
    base = datetime.now(timezone.utc) - timedelta(hours=5)
    entries = [LogEntry(level="info", message=f"m{i}", time=base + timedelta(hours=i)) for i in range(5)]
    await owner.robot.log(id=part_id, logs=entries)

    async def messages(**kwargs: object) -> list[str]:
        return [e.message for e in (await owner.app.get_robot_part_logs(id=part_id, **kwargs)).logs]  # type: ignore[arg-type]

    assert await messages() == ["m4", "m3", "m2", "m1", "m0"]
    assert await messages(order=app.LogOrder.ASCENDING) == ["m0", "m1", "m2", "m3", "m4"]
    assert await messages(start=base + timedelta(minutes=30), range="2h") == ["m2", "m1"]
    assert await messages(end=base + timedelta(hours=3), range="90m") == ["m3", "m2"]
    assert await messages(range="150m", order=app.LogOrder.ASCENDING) == ["m3", "m4"]  # ends now
    assert await messages(range="1d2h") == ["m4", "m3", "m2", "m1", "m0"]
    for bad in ["10", "h", "10y", "-1h", "0s", "1.5h", "10 m"]:
        status, message = await status_of(owner.app.get_robot_part_logs(id=part_id, range=bad))
        assert status == Status.INVALID_ARGUMENT and "range" in message, bad
    both = owner.app.get_robot_part_logs(id=part_id, start=base, end=base + timedelta(hours=1), range="1h")
    status, message = await status_of(both)
    assert status == Status.INVALID_ARGUMENT and "range" in message

    # Pages of a range ending now stay on the window of the first page.
    first = await owner.app.get_robot_part_logs(id=part_id, range="6h", limit=2, order=app.LogOrder.ASCENDING)
    later = [LogEntry(level="info", message="late", time=datetime.now(timezone.utc) + timedelta(seconds=1))]
    await owner.robot.log(id=part_id, logs=later)
    seen = [e.message for e in first.logs]
    token = first.next_page_token
    while token:
        page = await owner.app.get_robot_part_logs(
            id=part_id, range="6h", limit=2, order=app.LogOrder.ASCENDING, page_token=token
        )
        seen += [e.message for e in page.logs]
        token = page.next_page_token
    assert seen == ["m0", "m1", "m2", "m3", "m4"]

    # Part history by time range and page_limit.
    for value in range(3):
        await owner.app.update_robot_part(id=part_id, name="chatty-main", robot_config=Struct.from_dict({"v": value}))
    history = (await owner.app.get_robot_part_history(id=part_id)).history
    assert len(history) == 3 and history[0].when is not None and history[2].when is not None
    newest, oldest = history[0].when, history[2].when
    limited = await owner.app.get_robot_part_history(id=part_id, page_limit=2)
    assert [h.when for h in limited.history] == [h.when for h in history[:2]] and limited.next_page_token
    after = (await owner.app.get_robot_part_history(id=part_id, start=newest)).history
    assert [h.when for h in after] == [newest]
    before = (await owner.app.get_robot_part_history(id=part_id, end=oldest)).history
    assert [h.when for h in before] == [oldest]


async def test_list_authorizations_refuses_foreign_resources(fleet: LocalFleet, owner: Conn) -> None:
    robot_id, _ = await new_machine(owner, fleet.location_id, "audited")
    org_id = fleet.organization_id
    for rid in (org_id, fleet.location_id, robot_id):
        await owner.app.list_authorizations(organization_id=org_id, resource_ids=[rid])
    foreign = await stranger(fleet, owner)
    try:
        elsewhere = await foreign_org(foreign)
    finally:
        foreign.channel.close()
    for bad in ["00000000-0000-4000-8000-000000000000", elsewhere]:
        status, message = await status_of(
            owner.app.list_authorizations(organization_id=org_id, resource_ids=[robot_id, bad])
        )
        assert status == Status.NOT_FOUND and "resource_ids[1]" in message
    status, message = await status_of(owner.app.list_authorizations(organization_id=org_id, resource_ids=["x"]))
    assert status == Status.INVALID_ARGUMENT and "resource_ids[0]" in message


async def test_default_fragments(fleet: LocalFleet, owner: Conn) -> None:
    org_id = fleet.organization_id
    mine = (await owner.app.create_fragment(name="base", organization_id=org_id)).fragment
    assert mine is not None
    imports = app.FragmentImportList(fragments=[app.FragmentImport(fragment_id=mine.id, version="1", prefix="base")])
    org = (await owner.app.update_organization(organization_id=org_id, default_fragments=imports)).organization
    assert org is not None and org.default_fragments == imports
    fetched = (await owner.app.get_organization(organization_id=org_id)).organization
    assert fetched is not None and fetched.default_fragments == imports

    foreign = await stranger(fleet, owner)
    try:
        theirs_org = await foreign_org(foreign)
        private = (await foreign.app.create_fragment(name="secret", organization_id=theirs_org)).fragment
        assert private is not None
        status, _ = await status_of(
            foreign.app.update_organization(organization_id=org_id, default_fragments=app.FragmentImportList())
        )
        assert status in DENIED
    finally:
        foreign.channel.close()
    bad = app.FragmentImportList(fragments=[app.FragmentImport(fragment_id=private.id)])
    status, message = await status_of(owner.app.update_organization(organization_id=org_id, default_fragments=bad))
    assert status == Status.NOT_FOUND and "default_fragments.fragments[0]" in message
    fetched = (await owner.app.get_organization(organization_id=org_id)).organization
    assert fetched is not None and fetched.default_fragments == imports
    cleared = await owner.app.update_organization(organization_id=org_id, default_fragments=app.FragmentImportList())
    assert cleared.organization is not None and not cleared.organization.default_fragments
