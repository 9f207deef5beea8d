"""Realistic payloads shared by every benchmark: machines, log pages and a large part config."""

from __future__ import annotations

import datetime
from typing import Any

from fleetwire_api.google import protobuf as pb
from fleetwire_api.viam.app import v1 as app
from fleetwire_api.viam.common import v1 as common

T0 = datetime.datetime(2026, 1, 2, 3, 4, 5, 678_000, tzinfo=datetime.timezone.utc)
LOCATION_ID = "0f6c3a4e-5a1d-4c52-9d1e-7e3b1c2d4f50"
PART_ID = "8d2e6c1a-3b4f-4e5d-9a6b-7c8d9e0f1a2b"
ROBOT_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


def struct(value: dict[str, Any]) -> pb.Struct:
    """A Struct from plain JSON-like data (betterproto2's own conversion)."""
    return pb.Struct.from_dict(value)


def robot(i: int) -> app.Robot:
    """One machine, as the service lists it."""
    return app.Robot(
        id=f"{i:08x}-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        name=f"rover-{i:05d}",
        location=LOCATION_ID,
        last_access=T0 + datetime.timedelta(seconds=i),
        created_on=T0,
        online_state=app.OnlineState.ONLINE if i % 3 else app.OnlineState.OFFLINE,
        seconds_since_online=i % 1000,
    )


def list_robots_response(n: int) -> app.ListRobotsResponse:
    """A ListRobots response with ``n`` machines."""
    return app.ListRobotsResponse(robots=[robot(i) for i in range(n)])


def log_entry(i: int) -> common.LogEntry:
    """One log line as a machine pushes it: a Struct caller and one Struct of structured fields."""
    return common.LogEntry(
        host=f"rover-{i % 7}.local",
        level=("info", "warn", "error", "debug")[i % 4],
        time=T0 + datetime.timedelta(microseconds=1000 * i),
        logger_name="rdk.resource_manager.rdk:component:motor/left",
        message=f"motor left: set power {i % 100 / 100:.2f} (request {i}) completed without error in 3ms",
        caller=struct({"Defined": True, "File": "robot/impl/resource_manager.go", "Line": 1000 + i % 50}),
        stack="",
        fields=[struct({"component": "motor/left", "attempt": i % 5, "ok": True})],
    )


def log_page(n: int = 100, start: int = 0, next_page_token: str = "") -> app.GetRobotPartLogsResponse:
    """One GetRobotPartLogs page of ``n`` entries."""
    return app.GetRobotPartLogsResponse(
        logs=[log_entry(i) for i in range(start, start + n)], next_page_token=next_page_token
    )


def config(target_bytes: int = 200_000) -> dict[str, Any]:
    """A machine config of about ``target_bytes`` on the wire: components with nested attributes and services."""
    components: list[dict[str, Any]] = []
    i = 0
    size = 0
    while size < target_bytes:
        component = {
            "name": f"motor-{i}",
            "api": "rdk:component:motor",
            "model": "rdk:builtin:gpio",
            "attributes": {
                "board": "local",
                "max_rpm": 500 + i,
                "pins": {"a": str(11 + i % 20), "b": str(13 + i % 20), "pwm": str(15 + i % 20)},
                "encoder": f"encoder-{i}",
                "ticks_per_rotation": 980,
                "dir_flip": bool(i % 2),
                "tags": ["drive", "left" if i % 2 else "right", f"slot-{i}"],
            },
            "depends_on": ["local", f"encoder-{i}"],
        }
        components.append(component)
        size += 330  # measured: one component is ~330 bytes as a Struct
        i += 1
    return {
        "components": components,
        "services": [{"name": "slam", "api": "rdk:service:slam", "model": "viam:slam:cartographer"}],
        "network": {"bind_address": ":8080", "sessions": {"heartbeat_window": "2s"}},
        "debug": False,
    }


def robot_part(config_bytes: int = 200_000) -> app.RobotPart:
    """A part with a large config, as GetRobotPart returns it."""
    return app.RobotPart(
        id=PART_ID,
        name="main",
        dns_name="rover-main",
        secret="",
        robot=ROBOT_ID,
        location_id=LOCATION_ID,
        robot_config=struct(config(config_bytes)),
        last_access=T0,
        user_supplied_info=struct({"owner": "fleet team"}),
        main_part=True,
        fqdn="rover-main.abc123.viam.cloud",
        local_fqdn="rover-main.abc123.local.viam.cloud",
        created_on=T0,
        secrets=[app.SharedSecret(id="s1", created_on=T0, state=app.SharedSecretState.ENABLED)],
        last_updated=T0,
    )
