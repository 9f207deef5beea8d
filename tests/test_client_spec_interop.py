"""The official SDK's async `AppClient` (viam-sdk, pinned) and our `AsyncAppClient`, given the same recording server
and the same calls, put byte-identical requests on the wire.

The bytes compared are the raw message bytes as they arrived (recorded by the server's codec before decoding), so
field order, presence of optional fields and packed repeated fields all count. The one exception is the order of map
entries (the keys of every Struct config): upb, under the official SDK, randomizes it per process, so no client can
match it byte for byte; those requests are compared with each map's entries sorted (tests/_spec/wire.py) and
everything else exact. A second test checks the official SDK against the spec cases' expected requests, which keeps
those expectations honest.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _spec.cases import CASES, Case
from _spec.interop import TOKEN, assert_same_bytes, exchange, official_client, official_lib
from _spec.runner import verify_exchanges
from _spec.server import SpecServer
from _spec.surface import app_client_surface
from _spec.wire import canonical, has_map, request_descriptor

INTEROP = tuple(case for case in CASES if case.interop)


def test_every_seed_method_is_compared() -> None:
    assert {case.method for case in INTEROP} == set(app_client_surface().names)


@pytest.mark.parametrize("case", INTEROP, ids=lambda case: case.id)
def test_official_sdk_sends_the_expected_requests(case: Case, server: SpecServer, tmp_path: Path) -> None:
    verify_exchanges(case, exchange(server, official_client, case, official_lib(), tmp_path), TOKEN)


@pytest.mark.parametrize("case", INTEROP, ids=lambda case: case.id)
def test_same_bytes_as_the_official_sdk(case: Case, server: SpecServer, tmp_path: Path) -> None:
    assert_same_bytes(case, server, tmp_path)


def test_canonical_sorts_map_entries_and_nothing_else() -> None:
    from fleetwire_api.google.protobuf import Struct
    from fleetwire_api.viam.app import v1 as app

    descriptor = request_descriptor("UpdateRobotPart")
    a = bytes(
        app.UpdateRobotPartRequest(
            id="p", name="n", robot_config=Struct.from_dict({"x": 1.0, "y": {"b": 2.0, "a": 3.0}})
        )
    )
    b = bytes(
        app.UpdateRobotPartRequest(
            id="p", name="n", robot_config=Struct.from_dict({"y": {"a": 3.0, "b": 2.0}, "x": 1.0})
        )
    )
    assert a != b and canonical(a, descriptor) == canonical(b, descriptor)
    changed = bytes(
        app.UpdateRobotPartRequest(
            id="p", name="m", robot_config=Struct.from_dict({"x": 1.0, "y": {"b": 2.0, "a": 3.0}})
        )
    )
    assert canonical(changed, descriptor) != canonical(a, descriptor)
    swapped = bytes(app.UpdateRobotPartRequest(name="n")) + bytes(app.UpdateRobotPartRequest(id="p"))
    assert canonical(swapped, descriptor) == swapped != bytes(app.UpdateRobotPartRequest(id="p", name="n"))
    assert not has_map(request_descriptor("GetRobot"))
