"""viam-sdk 0.85.1's additions to `AppClient`, over real gRPC (loopback) against the recording server, and the wire
compared with the official SDK's for every one of its 94 methods.

For the 24 methods 0.85.1 added and the optional parameters it added to older ones (tests/_spec/cases_085.py), both
our clients must send exactly the expected request and return what the official docstrings describe, and the
official client must send that same request. Then, for every case of all 94 methods (tests/_spec/cases.py and
cases_085.py), the official async client and ours must put the same request bytes on the wire.
"""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any

import pytest
from _spec.cases import CASES, Case, ours
from _spec.cases_085 import CASES_085
from _spec.interop import TOKEN, assert_same_bytes, exchange, official_client, official_lib
from _spec.runner import arm, call_async, call_blocking, finish, verify_exchanges
from _spec.server import ACCESS_TOKEN, SpecServer
from grpclib.client import Channel

import fleetwire

ADDED_IN_085 = {
    "get_organization_metadata", "update_organization_metadata", "get_location_metadata",
    "update_location_metadata", "get_robot_metadata", "update_robot_metadata", "get_robot_part_metadata",
    "update_robot_part_metadata", "add_favorite_machine", "list_favorite_machines", "remove_favorite_machine",
    "deprecate_registry_item", "undeprecate_registry_item", "deprecate_registry_item_version",
    "undeprecate_registry_item_version", "upload_device_push_token", "get_device_push_tokens",
    "delete_device_push_token", "set_firebase_config", "get_firebase_config", "delete_firebase_config",
    "create_oauth_app_user", "list_robots_for_locations", "set_config_property",
}  # fmt: skip
ALL_CASES = tuple(case for case in (*CASES, *CASES_085) if case.interop)


def official_methods() -> set[str]:
    from viam.app.app_client import AppClient

    return {name for name, member in inspect.getmembers(AppClient) if not name.startswith("_") and callable(member)}


def test_every_one_of_the_94_official_methods_is_compared_on_the_wire() -> None:
    methods = official_methods()
    assert len(methods) == 94
    assert {case.method for case in ALL_CASES} == methods
    assert {case.method for case in CASES_085} >= ADDED_IN_085


@pytest.mark.parametrize("case", CASES_085, ids=lambda case: case.id)
def test_async_client(case: Case, server: SpecServer, tmp_path: Path) -> None:
    async def run() -> None:
        channel = Channel("127.0.0.1", server.port)
        try:
            client = fleetwire.AsyncAppClient(channel, {"authorization": f"Bearer {TOKEN}"})
            arm(server.script, case)
            result = await call_async(client, case, ours(), tmp_path)
            finish(server.script, case, result, tmp_path, TOKEN)
        finally:
            channel.close()

    asyncio.run(run())


@pytest.mark.parametrize("case", CASES_085, ids=lambda case: case.id)
def test_blocking_client(case: Case, server: SpecServer, blocking_client: Any, tmp_path: Path) -> None:
    arm(server.script, case)
    result = call_blocking(blocking_client, case, ours(), tmp_path)
    finish(server.script, case, result, tmp_path, ACCESS_TOKEN)


@pytest.mark.parametrize("case", CASES_085, ids=lambda case: case.id)
def test_official_sdk_sends_the_expected_requests(case: Case, server: SpecServer, tmp_path: Path) -> None:
    verify_exchanges(case, exchange(server, official_client, case, official_lib(), tmp_path), TOKEN)


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda case: case.id)
def test_same_bytes_as_the_official_sdk(case: Case, server: SpecServer, tmp_path: Path) -> None:
    assert_same_bytes(case, server, tmp_path)
