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

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import betterproto2
import pytest
from _spec.cases import CASES, Case, Lib, ours
from _spec.runner import arm, call_async, verify_exchanges
from _spec.server import RecordedCall, SpecServer
from _spec.surface import app_client_surface
from _spec.wire import canonical, has_map, request_descriptor
from grpclib.client import Channel

import fleetwire

TOKEN = "interop-token"
METADATA = {"authorization": f"Bearer {TOKEN}"}
INTEROP = tuple(case for case in CASES if case.interop)


def official_lib() -> Lib:
    from viam.app.app_client import APIKeyAuthorization, Fragment
    from viam.proto import app as official_app

    def message(ours_message: betterproto2.Message) -> Any:
        # The official protos spell acronyms in caps; betterproto2 camel-cases them. Same wire, so round-trip bytes.
        name = type(ours_message).__name__.replace("Api", "API")
        return getattr(official_app, name).FromString(bytes(ours_message))

    return Lib(
        "viam-sdk",
        lambda value: Fragment.Visibility(value),
        lambda role, resource_type, resource_id: APIKeyAuthorization(
            role=role,  # pyright: ignore[reportArgumentType]
            resource_type=resource_type,  # pyright: ignore[reportArgumentType]
            resource_id=resource_id,
        ),
        message,
    )


def official_client(channel: Channel) -> Any:
    from viam.app.app_client import AppClient

    return AppClient(channel, METADATA)


def our_client(channel: Channel) -> Any:
    return fleetwire.AsyncAppClient(channel, METADATA)


@pytest.fixture(scope="module")
def server() -> Iterator[SpecServer]:
    with SpecServer() as spec_server:
        yield spec_server


def exchange(
    server: SpecServer, make_client: Callable[[Channel], Any], case: Case, lib: Lib, tmp: Path
) -> list[RecordedCall]:
    async def run() -> None:
        channel = Channel("127.0.0.1", server.port)
        try:
            await call_async(make_client(channel), case, lib, tmp)
        finally:
            channel.close()

    arm(server.script, case)
    asyncio.run(run())
    assert server.script.unanswered() == [], f"{case.id}: scripted replies never requested"
    return server.script.taken()


def describe(call: RecordedCall) -> str:
    return "; ".join(
        f"{type(r).__name__}{r.to_dict()} = {raw.hex()}" for r, raw in zip(call.requests, call.raw, strict=True)
    )


def test_every_seed_method_is_compared() -> None:
    assert {case.method for case in INTEROP} == set(app_client_surface().names)


@pytest.mark.parametrize("case", INTEROP, ids=lambda case: case.id)
def test_official_sdk_sends_the_expected_requests(case: Case, server: SpecServer, tmp_path: Path) -> None:
    verify_exchanges(case, exchange(server, official_client, case, official_lib(), tmp_path), TOKEN)


@pytest.mark.parametrize("case", INTEROP, ids=lambda case: case.id)
def test_same_bytes_as_the_official_sdk(case: Case, server: SpecServer, tmp_path: Path) -> None:
    theirs = exchange(server, official_client, case, official_lib(), tmp_path / "official")
    mine = exchange(server, our_client, case, ours(), tmp_path / "fleetwire")
    assert [c.rpc for c in mine] == [c.rpc for c in theirs]
    for n, (m, t) in enumerate(zip(mine, theirs, strict=True)):
        descriptor = request_descriptor(m.rpc)
        if has_map(descriptor):
            mine_bytes = [canonical(raw, descriptor) for raw in m.raw]
            their_bytes = [canonical(raw, descriptor) for raw in t.raw]
        else:
            mine_bytes, their_bytes = m.raw, t.raw
        assert mine_bytes == their_bytes, (
            f"{case.id}: {m.rpc} #{n + 1} differs on the wire\n  fleetwire: {describe(m)}\n  viam-sdk:  {describe(t)}"
        )
        assert m.header("authorization") == t.header("authorization") == [f"Bearer {TOKEN}"]


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
