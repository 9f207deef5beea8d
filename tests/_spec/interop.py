"""The official SDK's async `AppClient` and ours, driven through the same spec case against the recording server, and
the comparison of the requests they put on the wire (byte for byte, map entries aside: see tests/_spec/wire.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import betterproto2
from grpclib.client import Channel

import fleetwire

from .cases import Case, Lib, ours
from .runner import arm, call_async
from .server import RecordedCall, SpecServer
from .wire import canonical, has_map, request_descriptor

TOKEN = "interop-token"
METADATA = {"authorization": f"Bearer {TOKEN}"}


def official_lib() -> Lib:
    """The official SDK's argument types: its Fragment.Visibility, APIKeyAuthorization and protobuf messages."""
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


def exchange(
    server: SpecServer, make_client: Callable[[Channel], Any], case: Case, lib: Lib, tmp: Path
) -> list[RecordedCall]:
    """Run ``case`` through the client ``make_client`` builds; return what the server received."""

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


def assert_same_bytes(case: Case, server: SpecServer, tmp: Path) -> None:
    """The official SDK and fleetwire send the same RPCs with the same request bytes for ``case``."""
    theirs = exchange(server, official_client, case, official_lib(), tmp / "official")
    mine = exchange(server, our_client, case, ours(), tmp / "fleetwire")
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
