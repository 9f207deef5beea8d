"""Machines and parts of the local fleet server over real gRPC: lifecycle, configs and history, secrets, the
RobotService (Config, NeedsRestart, part-secret auth), bad input and cross-organization access.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from fleetwire.local.fleet import LocalFleet
from fleetwire_api.google.protobuf import Struct
from fleetwire_api.proto.rpc.v1 import Credentials
from fleetwire_api.services import AppServiceAsyncClient, AuthServiceAsyncClient, RobotServiceAsyncClient
from fleetwire_api.viam.app import v1 as app

pytestmark = pytest.mark.anyio


@dataclass
class Conn:
    """One authenticated loopback connection: raw AppService and RobotService clients."""

    channel: Channel
    app: AppServiceAsyncClient
    robot: RobotServiceAsyncClient


async def connect(fleet: LocalFleet, key_id: str, key: str) -> Conn:
    channel = Channel(fleet.host, fleet.port)
    auth = AuthServiceAsyncClient(channel, timeout=10)
    token = (await auth.authenticate(entity=key_id, credentials=Credentials(type="api-key", payload=key))).access_token
    metadata = {"authorization": f"Bearer {token}"}
    return Conn(
        channel,
        AppServiceAsyncClient(channel, metadata=metadata, timeout=30),
        RobotServiceAsyncClient(channel, metadata=metadata, timeout=30),
    )


async def stranger(fleet: LocalFleet, owner: Conn) -> Conn:
    """A connection with an owner key of a second organization only."""
    org = (await owner.app.create_organization(name="Other Org")).organization
    assert org is not None
    grant = app.Authorization(
        authorization_type="role",
        authorization_id="organization_owner",
        resource_type="organization",
        resource_id=org.id,
        organization_id=org.id,
        identity_type="api-key",
    )
    created = await owner.app.create_key(authorizations=[grant], name="stranger")
    return await connect(fleet, created.id, created.key)


async def status_of(call: Awaitable[object]) -> tuple[Status, str]:
    try:
        result = await call
    except GRPCError as exc:
        return exc.status, exc.message or ""
    pytest.fail(f"expected a GRPCError, got {result!r}")


async def new_machine(conn: Conn, location_id: str, name: str) -> tuple[str, str]:
    """Create a machine; return its id and its main part's id."""
    robot_id = (await conn.app.new_robot(name=name, location=location_id)).id
    parts = (await conn.app.get_robot_parts(robot_id=robot_id)).parts
    assert len(parts) == 1 and parts[0].main_part
    return robot_id, parts[0].id


async def test_machine_and_part_lifecycle(fleet: LocalFleet, owner: Conn) -> None:
    robot_id, main_id = await new_machine(owner, fleet.location_id, "rover")
    robot = (await owner.app.get_robot(id=robot_id)).robot
    assert robot is not None
    assert (robot.name, robot.location, robot.online_state) == (
        "rover",
        fleet.location_id,
        app.OnlineState.AWAITING_SETUP,
    )
    assert robot.created_on is not None and robot.created_on.tzinfo is not None
    assert [r.id for r in (await owner.app.list_robots(location_id=fleet.location_id)).robots] == [robot_id]
    assert (await status_of(owner.app.new_robot(name="rover", location=fleet.location_id)))[0] == Status.ALREADY_EXISTS

    main = (await owner.app.get_robot_part(id=main_id)).part
    assert main is not None and (main.name, main.robot, main.location_id) == ("rover-main", robot_id, fleet.location_id)
    assert len(main.secrets) == 1 and main.secret == main.secrets[0].secret

    arm_id = (await owner.app.new_robot_part(robot_id=robot_id, part_name="arm")).part_id
    status, message = await status_of(owner.app.new_robot_part(robot_id=robot_id, part_name="arm"))
    assert status == Status.ALREADY_EXISTS and "part_name" in message
    parts = (await owner.app.get_robot_parts(robot_id=robot_id)).parts
    assert [(p.id, p.main_part) for p in parts] == [(main_id, True), (arm_id, False)]

    # The main part moves, and only a non-main part can be deleted.
    status, message = await status_of(owner.app.delete_robot_part(part_id=main_id))
    assert status == Status.FAILED_PRECONDITION and "main" in message
    await owner.app.mark_part_as_main(part_id=arm_id)
    parts = (await owner.app.get_robot_parts(robot_id=robot_id)).parts
    assert {p.id: p.main_part for p in parts} == {arm_id: True, main_id: False}
    await owner.app.delete_robot_part(part_id=main_id)
    assert (await status_of(owner.app.get_robot_part(id=main_id)))[0] == Status.NOT_FOUND

    # Rename and move to another location.
    other = (await owner.app.create_location(organization_id=fleet.organization_id, name="Yard")).location
    assert other is not None
    moved = (await owner.app.update_robot(id=robot_id, name="rover-2", location=other.id)).robot
    assert moved is not None and (moved.name, moved.location) == ("rover-2", other.id)
    assert (await owner.app.list_robots(location_id=fleet.location_id)).robots == []
    arm = (await owner.app.get_robot_part(id=arm_id)).part
    assert arm is not None and arm.location_id == other.id

    await owner.app.delete_robot(id=robot_id)
    assert (await status_of(owner.app.get_robot(id=robot_id)))[0] == Status.NOT_FOUND
    assert (await status_of(owner.app.get_robot_part(id=arm_id)))[0] == Status.NOT_FOUND
    assert (await status_of(owner.app.delete_robot(id=robot_id)))[0] == Status.NOT_FOUND


async def test_config_changes_leave_history(fleet: LocalFleet, owner: Conn) -> None:
    _, part_id = await new_machine(owner, fleet.location_id, "configured")
    first = {
        "components": [{"name": "motor1", "api": "rdk:component:motor", "model": "fake", "attributes": {"pin": 7}}]
    }
    updated = (
        await owner.app.update_robot_part(id=part_id, name="configured-main", robot_config=Struct.from_dict(first))
    ).part
    assert updated is not None and updated.robot_config is not None and updated.robot_config.to_dict() == first

    got = await owner.app.get_robot_part(id=part_id)
    assert json.loads(got.config_json) == first

    # JSON text works too; an identical update records nothing.
    second = {"components": [], "debug": True}
    await owner.app.update_robot_part(id=part_id, name="renamed", robot_config_json=json.dumps(second))
    await owner.app.update_robot_part(id=part_id, name="renamed")
    history = (await owner.app.get_robot_part_history(id=part_id)).history
    assert [entry.old.name for entry in history if entry.old] == ["configured-main", "configured-main"]
    assert history[0].old is not None and history[0].old.robot_config is not None
    assert history[0].old.robot_config.to_dict() == first  # newest change first: it replaced `first`
    assert history[1].old is not None and history[1].old.robot_config is not None
    assert history[1].old.robot_config.to_dict() == {}
    assert history[0].edited_by is not None and history[0].edited_by.value == fleet.api_key_id
    assert history[0].old.secrets == []  # history never keeps secrets

    # Paging over history.
    for i in range(5):
        await owner.app.update_robot_part(id=part_id, name=f"renamed-{i}")
    seen: list[str] = []
    token = ""
    while True:
        page = await owner.app.get_robot_part_history(id=part_id, page_limit=3, page_token=token)
        assert len(page.history) <= 3
        seen.extend(entry.old.name for entry in page.history if entry.old)
        token = page.next_page_token
        if not token:
            break
    assert seen == ["renamed-3", "renamed-2", "renamed-1", "renamed-0", "renamed", "configured-main", "configured-main"]

    # The machine gets the typed config.
    config = (await owner.robot.config(id=part_id)).config
    assert config is not None and config.debug is True and config.cloud is not None and config.cloud.id == part_id

    # Stale optimistic update; bad configs: nothing is written.
    part = (await owner.app.get_robot_part(id=part_id)).part
    assert part is not None and part.last_updated is not None
    stale = part.last_updated - timedelta(seconds=1)
    status, message = await status_of(owner.app.update_robot_part(id=part_id, name="x", last_known_update=stale))
    assert status == Status.ABORTED and "last_known_update" in message
    deep = '{"a": ' * 100 + "1" + "}" * 100
    for bad in ["[1, 2]", "{not json", '{"n": NaN}', deep]:
        status, message = await status_of(owner.app.update_robot_part(id=part_id, name="x", robot_config_json=bad))
        assert status == Status.INVALID_ARGUMENT and "robot_config_json" in message, bad
    huge = json.dumps({"blob": "x" * (3 * 1024 * 1024)})
    status, message = await status_of(owner.app.update_robot_part(id=part_id, name="x", robot_config_json=huge))
    assert status in {Status.INVALID_ARGUMENT, Status.RESOURCE_EXHAUSTED}
    after = (await owner.app.get_robot_part(id=part_id)).part
    assert after is not None and after.name == "renamed-4"
    assert len((await owner.app.get_robot_part_history(id=part_id, page_limit=100)).history) == 7


async def test_secrets_restart_and_robot_service_auth(fleet: LocalFleet, owner: Conn) -> None:
    _, part_id = await new_machine(owner, fleet.location_id, "secretive")
    part = (await owner.app.create_robot_part_secret(part_id=part_id)).part
    assert part is not None and len(part.secrets) == 2
    old, new = part.secrets

    as_machine = RobotServiceAsyncClient(owner.channel, metadata={"secret": new.secret}, timeout=10)
    assert (await as_machine.needs_restart(id=part_id)).must_restart is False
    await owner.app.mark_part_for_restart(part_id=part_id)
    answer = await as_machine.needs_restart(id=part_id)
    assert answer.must_restart is True and answer.restart_check_interval is not None
    assert (await as_machine.needs_restart(id=part_id)).must_restart is False  # acknowledged by the first answer
    await as_machine.log(id=part_id, logs=[])

    robot = (await owner.app.get_robot(id=part.robot)).robot
    assert robot is not None and robot.online_state == app.OnlineState.ONLINE and robot.last_access is not None

    await owner.app.delete_robot_part_secret(part_id=part_id, secret_id=new.id)
    assert (await status_of(as_machine.config(id=part_id)))[0] == Status.UNAUTHENTICATED
    wrong = RobotServiceAsyncClient(owner.channel, metadata={"secret": "not-the-secret"}, timeout=10)
    assert (await status_of(wrong.config(id=part_id)))[0] == Status.UNAUTHENTICATED
    still = RobotServiceAsyncClient(owner.channel, metadata={"secret": old.secret}, timeout=10)
    assert (await still.config(id=part_id)).config is not None
    status, message = await status_of(owner.app.delete_robot_part_secret(part_id=part_id, secret_id=new.id))
    assert status == Status.NOT_FOUND and "secret_id" in message
    anonymous = RobotServiceAsyncClient(owner.channel, timeout=10)
    assert (await status_of(anonymous.config(id=part_id)))[0] == Status.UNAUTHENTICATED


async def test_bad_input_names_the_field(fleet: LocalFleet, owner: Conn) -> None:
    robot_id, part_id = await new_machine(owner, fleet.location_id, "target")
    cases: list[tuple[Awaitable[object], Status, str]] = [
        (owner.app.get_robot(id="not-an-id"), Status.INVALID_ARGUMENT, "id"),
        (owner.app.get_robot(id=""), Status.INVALID_ARGUMENT, "id"),
        (owner.app.new_robot(name="", location=fleet.location_id), Status.INVALID_ARGUMENT, "name"),
        (owner.app.new_robot(name="x", location="nowhere"), Status.INVALID_ARGUMENT, "location"),
        (owner.app.new_robot(name="x", location=str(uuid.uuid4())), Status.NOT_FOUND, "location"),
        (owner.app.new_robot(name="x" * 500, location=fleet.location_id), Status.INVALID_ARGUMENT, "name"),
        (owner.app.new_robot_part(robot_id=robot_id, part_name="  "), Status.INVALID_ARGUMENT, "part_name"),
        (owner.app.new_robot_part(robot_id=str(uuid.uuid4()), part_name="p"), Status.NOT_FOUND, "robot"),
        (owner.app.update_robot_part(id=part_id, name=""), Status.INVALID_ARGUMENT, "name"),
        (owner.app.get_robot_part(id="'; DROP TABLE robots; --"), Status.INVALID_ARGUMENT, "id"),
        (owner.app.get_robot_part_history(id=part_id, page_token="garbage!"), Status.INVALID_ARGUMENT, "page_token"),
        (owner.app.get_robot_part_history(id=part_id, page_limit=-1), Status.INVALID_ARGUMENT, "page_limit"),
        (owner.app.delete_robot_part_secret(part_id=part_id, secret_id="x"), Status.INVALID_ARGUMENT, "secret_id"),
        (owner.app.mark_part_for_restart(part_id=str(uuid.uuid4())), Status.NOT_FOUND, "part"),
        (owner.robot.config(id="bad"), Status.INVALID_ARGUMENT, "id"),
    ]
    for call, expected, field in cases:
        status, message = await status_of(call)
        assert (status, field in message) == (expected, True), (expected, field, status, message)
    # Nothing above was half-written.
    assert [r.name for r in (await owner.app.list_robots(location_id=fleet.location_id)).robots] == ["target"]
    assert len((await owner.app.get_robot_parts(robot_id=robot_id)).parts) == 1


async def test_another_organization_gets_no_data(fleet: LocalFleet, owner: Conn) -> None:
    robot_id, part_id = await new_machine(owner, fleet.location_id, "private-bot")
    other = await stranger(fleet, owner)
    try:
        denied = {Status.PERMISSION_DENIED, Status.NOT_FOUND}
        calls: list[Awaitable[object]] = [
            other.app.get_robot(id=robot_id),
            other.app.list_robots(location_id=fleet.location_id),
            other.app.new_robot(name="intruder", location=fleet.location_id),
            other.app.update_robot(id=robot_id, name="mine"),
            other.app.delete_robot(id=robot_id),
            other.app.get_robot_parts(robot_id=robot_id),
            other.app.get_robot_part(id=part_id),
            other.app.update_robot_part(id=part_id, name="mine"),
            other.app.new_robot_part(robot_id=robot_id, part_name="mine"),
            other.app.delete_robot_part(part_id=part_id),
            other.app.mark_part_as_main(part_id=part_id),
            other.app.mark_part_for_restart(part_id=part_id),
            other.app.create_robot_part_secret(part_id=part_id),
            other.app.get_robot_part_history(id=part_id),
            other.app.get_robot_api_keys(robot_id=robot_id),
            other.app.get_robot_part_logs(id=part_id),
            other.app.get_rover_rental_robots(org_id=fleet.organization_id),
            other.robot.config(id=part_id),
            other.robot.log(id=part_id, logs=[]),
            other.robot.needs_restart(id=part_id),
        ]
        for call in calls:
            assert (await status_of(call))[0] in denied
        tail = other.app.tail_robot_part_logs(id=part_id)
        with pytest.raises(GRPCError) as caught:
            await tail.__anext__()
        assert caught.value.status in denied
        # ... and nothing changed.
        robot = (await owner.app.get_robot(id=robot_id)).robot
        assert robot is not None and robot.name == "private-bot"
        assert len((await owner.app.get_robot_parts(robot_id=robot_id)).parts) == 1
    finally:
        other.channel.close()
