"""The machine-side clients (fleetwire.machine) against the local fleet server: a part pushes logs, reads its config
and learns it must restart, authenticated by its secret, while the app client plays the fleet script. Real gRPC over
loopback, every call bounded by the clients' deadlines.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from fleetwire import AppClient, AsyncAppClient, UnauthenticatedError
from fleetwire.aio import ArgumentError
from fleetwire.local import LocalFleet
from fleetwire.machine import AsyncMachinePartClient, MachinePartClient, log_entry

CONFIG: dict[str, Any] = {
    "components": [{"name": "left-wheel", "api": "rdk:component:motor", "model": "rdk:builtin:fake"}],
    "debug": True,
}


def test_the_fixture_part_logs_and_the_script_reads_them(
    local_machine_part: MachinePartClient, local_app_client: AppClient
) -> None:
    part_id = local_machine_part.part_id
    when = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    local_machine_part.log(
        [
            log_entry("info", "started", logger="rdk.boot", host="rover", time=when),
            log_entry("error", "motor stalled", logger="rdk.motor", caller={"File": "motor.go", "Line": 7}),
        ]
    )
    entries = local_app_client.get_robot_part_logs(part_id, num_log_entries=0)
    assert [(e.level, e.message, e.logger_name) for e in entries] == [
        ("error", "motor stalled", "rdk.motor"),
        ("info", "started", "rdk.boot"),
    ]  # newest first
    assert entries[1].host == "rover" and entries[1].time == when
    assert entries[0].caller == {"File": "motor.go", "Line": 7}
    robot = local_app_client.get_robot(local_app_client.get_robot_part(part_id).robot)
    assert robot.name == "test-machine"


def test_the_part_reads_its_config_and_learns_it_must_restart(
    local_machine_part: MachinePartClient, local_app_client: AppClient, local_fleet: LocalFleet
) -> None:
    part_id = local_machine_part.part_id
    part = local_app_client.get_robot_part(part_id)
    local_app_client.update_robot_part(part_id, part.name, robot_config=CONFIG)
    config = local_machine_part.config()
    assert [c.name for c in config.components] == ["left-wheel"]
    assert config.debug is True
    assert config.cloud is not None
    assert (config.cloud.id, config.cloud.location_id) == (part_id, local_fleet.location_id)

    assert local_machine_part.needs_restart() is False
    local_app_client.mark_part_for_restart(part_id)
    assert local_machine_part.needs_restart() is True
    assert local_machine_part.needs_restart() is False  # reported once, then cleared


def test_a_wrong_secret_is_unauthenticated_and_never_shown(
    local_machine_part: MachinePartClient, local_fleet: LocalFleet
) -> None:
    with MachinePartClient.connect(
        local_fleet.address, part_id=local_machine_part.part_id, secret="not-the-secret"
    ) as impostor:
        with pytest.raises(UnauthenticatedError) as raised:
            impostor.log([log_entry("info", "hello")])
        assert "not-the-secret" not in str(raised.value) and "not-the-secret" not in repr(impostor)
        with pytest.raises(UnauthenticatedError):
            impostor.config()


@pytest.mark.parametrize(
    ("kwargs", "error", "named"),
    [
        ({"part_id": "", "secret": "s"}, ArgumentError, "part_id"),
        ({"part_id": "p", "secret": " "}, ArgumentError, "secret"),
        ({"part_id": 7, "secret": "s"}, TypeError, "part_id"),
        ({"part_id": "p", "secret": None}, TypeError, "secret"),
    ],
)
def test_bad_arguments_are_refused_before_dialing(kwargs: dict[str, Any], error: type[Exception], named: str) -> None:
    with pytest.raises(error, match=named):
        MachinePartClient.connect("127.0.0.1:1", **kwargs)


def test_log_wants_a_sequence_of_entries(local_machine_part: MachinePartClient) -> None:
    with pytest.raises(TypeError, match="entries"):
        local_machine_part.log("motor stalled")  # pyright: ignore[reportArgumentType]


@pytest.mark.anyio
async def test_the_async_part_client(fleet: LocalFleet) -> None:
    async with await AsyncAppClient.connect(
        fleet.address, api_key=fleet.api_key, api_key_id=fleet.api_key_id, location_id=fleet.location_id
    ) as app:
        robot_id = await app.new_robot("async-rover")
        (part,) = await app.get_robot_parts(robot_id)
        async with await AsyncMachinePartClient.connect(fleet.address, part_id=part.id, secret=part.secret) as machine:
            assert repr(machine) == f"AsyncMachinePartClient(part_id={part.id!r})"
            await machine.log([log_entry("warn", f"battery {n}") for n in range(3)])
            cloud = (await machine.config()).cloud
            assert cloud is not None and cloud.machine_id == robot_id
            assert await machine.needs_restart() is False
        messages = [e.message for e in await app.get_robot_part_logs(part.id, num_log_entries=0)]
        assert messages == ["battery 2", "battery 1", "battery 0"]
