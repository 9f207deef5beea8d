"""How the local fleet server receives a call: headers checked before the body is read, the body's size bounded
before it is taken from the connection, bytes that do not decode answered ``INVALID_ARGUMENT`` on one line.

Requests are sent as raw bytes over real loopback gRPC (``_local.raw``).
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import time
from collections.abc import Awaitable
from typing import Any, TypeVar

import pytest
from _local.raw import field, raw_call, raw_channel, varint
from _local.scoped import bearer
from grpclib.const import Status
from test_local_machines import Conn, new_machine, status_of

from fleetwire.cli import build_parser
from fleetwire.local import LocalFleet
from fleetwire.local.store.configs import config_json
from fleetwire_api.google.protobuf import Struct
from fleetwire_api.viam.app import v1 as app

pytestmark = pytest.mark.anyio

T = TypeVar("T")

GET_ROBOT = "/viam.app.v1.AppService/GetRobot"
UPDATE_PART = "/viam.app.v1.AppService/UpdateRobotPart"
NEW_ROBOT = "/viam.app.v1.AppService/NewRobot"


def nested_struct(depth: int) -> bytes:
    """A ``Struct`` holding ``{"a": {"a": ... }}`` ``depth`` levels deep, built in linear time.

    Each level is a header (map entry, key ``"a"``, ``Value.struct_value``) in front of the level below, so the
    headers are computed from the lengths alone, innermost first, and joined once.
    """
    headers: list[bytes] = []
    inner = 0
    for _ in range(depth):
        value = 1 + len(varint(inner)) + inner  # Value.struct_value (field 5)
        entry = 3 + 1 + len(varint(value)) + value  # key "a" (field 1), value (field 2)
        headers.append(b"\x0a" + varint(entry) + b"\x0a\x01a" + b"\x12" + varint(value) + b"\x2a" + varint(inner))
        inner = 1 + len(varint(entry)) + entry  # the Struct's map entry (field 1)
    return b"".join(reversed(headers))


MALFORMED = {
    "truncated varint": (GET_ROBOT, b"\x08\xff"),
    "invalid UTF-8": (GET_ROBOT, field(1, b"\xff\xfe")),
    "overlong varint": (GET_ROBOT, b"\x08" + b"\xff" * 11),
    "length past the end": (UPDATE_PART, b"\x1a\x7f\x0a"),
    "malformed Struct": (UPDATE_PART, field(1, b"x" * 36) + field(3, b"\x0a\x05\x0a\x01")),
    "invalid UTF-8 in a Struct key": (UPDATE_PART, field(3, field(1, field(1, b"\xc3\x28")))),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
async def test_bytes_that_do_not_decode_are_invalid_argument(fleet: LocalFleet, owner: Conn, case: str) -> None:
    path, body = MALFORMED[case]
    channel = raw_channel(fleet.host, fleet.port)
    try:
        status, message, _ = await raw_call(channel, path, body, metadata=bearer(owner))
        assert status == Status.INVALID_ARGUMENT, (status, message)
        assert message and "\n" not in message and "Traceback" not in message
        # Before any decoding, a call without credentials is refused for that.
        status, _, _ = await raw_call(channel, path, body)
        assert status == Status.UNAUTHENTICATED
    finally:
        channel.close()


async def test_refusals_are_logged_at_most_once_per_connection_per_second(
    fleet: LocalFleet, owner: Conn, caplog: pytest.LogCaptureFixture
) -> None:
    channel = raw_channel(fleet.host, fleet.port)
    try:
        with caplog.at_level(logging.INFO):
            started = time.monotonic()
            for _ in range(200):
                status, _, _ = await raw_call(channel, GET_ROBOT, b"\x08\xff", metadata=bearer(owner))
                assert status == Status.INVALID_ARGUMENT
            elapsed = time.monotonic() - started
        refused = [r for r in caplog.records if r.name == "fleetwire.local" and "refused" in r.getMessage()]
        assert 1 <= len(refused) <= int(elapsed) + 1
        assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
        assert sum(len(r.getMessage()) for r in caplog.records) < 400 * (int(elapsed) + 1)
        robot_id, _ = await new_machine(owner, fleet.location_id, "still-serving")
        assert (await owner.app.get_robot(id=robot_id)).robot is not None
    finally:
        channel.close()


async def test_a_request_over_the_limit_is_refused_before_it_is_read() -> None:
    limit = 64 * 1024
    async with LocalFleet(max_request_size=limit) as fleet:
        from test_local_machines import connect

        owner = await connect(fleet, fleet.api_key_id, fleet.api_key)
        _, part_id = await new_machine(owner, fleet.location_id, "m")
        channel = raw_channel(fleet.host, fleet.port)
        server = fleet._server  # pyright: ignore[reportPrivateUsage] - what the server took off the wire
        assert server is not None

        def received() -> int:
            return sum(p.connection.data_received for p in server._protocols)  # pyright: ignore[reportPrivateUsage]

        try:
            # Just under the limit: decoded and served.
            config = field(1, field(1, b"k") + field(2, field(3, b"v" * (limit - 200))))
            fits = field(1, part_id.encode()) + field(2, b"p") + field(3, config)
            assert len(fits) < limit
            status, message, _ = await raw_call(channel, UPDATE_PART, fits, metadata=bearer(owner))
            assert status == Status.OK, message

            huge = field(1, b"n" * (32 * 1024 * 1024))  # NewRobot.name, 32 MiB
            for metadata, expected in ((bearer(owner), Status.RESOURCE_EXHAUSTED), (None, Status.UNAUTHENTICATED)):
                before = received()
                status, message, _ = await raw_call(channel, NEW_ROBOT, huge, metadata=metadata)
                if status == Status.RESOURCE_EXHAUSTED:
                    assert str(limit) in message and str(len(huge)) in message
                assert status == expected, (status, message)
                # Refused at the prefix: the rest stayed with the sender (at most the 4 MiB connection window).
                assert received() - before < 4 * 1024 * 1024 + limit
            names = [r.name for r in (await owner.app.list_robots(location_id=fleet.location_id)).robots]
            assert names == ["m"]
        finally:
            channel.close()
            owner.channel.close()


async def test_a_deeply_nested_config_is_refused_quickly(fleet: LocalFleet, owner: Conn) -> None:
    _, part_id = await new_machine(owner, fleet.location_id, "m")
    channel = raw_channel(fleet.host, fleet.port)
    try:
        deep = field(1, part_id.encode()) + field(2, b"p") + field(3, nested_struct(200_000))
        assert 3_000_000 < len(deep) < 4 * 1024 * 1024
        status, message, _ = await raw_call(channel, UPDATE_PART, deep, metadata=bearer(owner))
        assert (status, message) == (Status.INVALID_ARGUMENT, "robot_config is nested more than 64 levels deep")
        assert nested_struct(3) == field(
            1,
            field(1, b"a")
            + field(
                2,
                field(
                    5, field(1, field(1, b"a") + field(2, field(5, field(1, field(1, b"a") + field(2, field(5, b""))))))
                ),
            ),
        )
        shallow = field(1, part_id.encode()) + field(2, b"p") + field(3, nested_struct(20))
        status, message, _ = await raw_call(channel, UPDATE_PART, shallow, metadata=bearer(owner))
        assert status == Status.OK, message
        part = (await owner.app.get_robot_part(id=part_id)).part
        assert part is not None and part.robot_config is not None and "a" in part.robot_config.fields
    finally:
        channel.close()


def test_max_request_size_option_is_checked() -> None:
    with pytest.raises(TypeError, match="max_request_size"):
        LocalFleet(max_request_size="4MiB")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 1024"):
        LocalFleet(max_request_size=10)
    assert LocalFleet().max_request_size == 4 * 1024 * 1024
    parser = build_parser()
    assert parser.parse_args(["serve", "--max-request-size", "1048576"]).max_request_size == 1048576
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--max-request-size", "12"])


def test_request_messages_used_here_are_the_generated_types() -> None:
    """The hand-built bodies above are the fields these messages declare (id 1, name 2, robot_config 3)."""
    request = app.UpdateRobotPartRequest.parse(field(1, b"x") + field(2, b"p"))
    assert (request.id, request.name) == ("x", "p")
    assert app.GetRobotRequest.parse(field(1, b"y")).id == "y"


def test_every_served_request_type_has_a_specialized_decoder() -> None:
    """The server decodes requests with the specialized decoders alone: each served RPC's request type has one."""
    from test_local_raw_fuzz import RPCS

    from fleetwire_api.services import AppServiceBase, AuthServiceBase, RobotServiceBase
    from fleetwire_api.services._codec import decode_fast

    served = {rpc[0] for rpc in RPCS}
    mapping = {**AppServiceBase().__mapping__(), **RobotServiceBase().__mapping__(), **AuthServiceBase().__mapping__()}
    request_types = {handler.request_type for path, handler in mapping.items() if path in served}
    assert len(request_types) > 70
    for request_type in request_types:
        assert decode_fast(request_type, b"") == request_type()


LARGE_CONFIG = {"values": [True] * 100_000}
"""A valid config of 100,000 values (a 400 KB Struct) whose conversion to stored JSON takes well over 100 ms."""


async def _worst_loop_lag_during(call: Awaitable[T]) -> tuple[T, float, float]:
    """Await ``call`` while probing this event loop; return its result, its duration and the loop's worst lag.

    The probe asks to wake every millisecond; how much later than asked it wakes is how long the loop was held.
    The objects this test process already holds are frozen meanwhile (as a served process of its own holds few):
    a full garbage collection, which holds the interpreter in any thread, then walks only the objects made since.
    """
    done = asyncio.Event()
    worst = 0.0

    async def probe() -> None:
        nonlocal worst
        while not done.is_set():
            asked = time.perf_counter() + 0.001
            await asyncio.sleep(0.001)
            worst = max(worst, time.perf_counter() - asked)

    gc.freeze()
    prober = asyncio.create_task(probe())
    await asyncio.sleep(0)
    start = time.perf_counter()
    try:
        result = await asyncio.wait_for(call, timeout=15)
    finally:
        took = time.perf_counter() - start
        done.set()
        await asyncio.wait_for(prober, timeout=5)
        gc.unfreeze()
    return result, took, worst


@pytest.mark.parametrize("rpc", ["UpdateRobotPart", "UpdateRobotMetadata"])
async def test_a_large_config_does_not_hold_the_event_loop(fleet: LocalFleet, owner: Conn, rpc: str) -> None:
    """The server runs in this test's loop: its conversion of a large config must leave the loop free meanwhile.

    The bound is relative (half the conversion's own time, measured here on the same machine), not a fixed number
    of milliseconds, so a loaded machine slows both sides alike. Converting on the loop would hold it for the whole
    conversion; in a worker thread the loop waits at most a few GIL switch intervals at a time.
    """
    robot_id, part_id = await new_machine(owner, fleet.location_id, "big")
    struct = Struct.from_dict(LARGE_CONFIG)
    start = time.perf_counter()
    config_json(struct, "robot_config")  # the work either call does: Struct to dict, checked, to JSON text
    conversion = time.perf_counter() - start
    assert conversion >= 0.1, f"the config converts in {conversion:.3f} s: too small to show a stall"
    if rpc == "UpdateRobotPart":
        body = field(1, part_id.encode()) + field(2, b"main") + field(3, bytes(struct))
    else:
        body = field(1, robot_id.encode()) + field(2, bytes(struct))
    channel = raw_channel(fleet.host, fleet.port)
    try:
        call = raw_call(channel, f"/viam.app.v1.AppService/{rpc}", body, metadata=bearer(owner))
        (status, message, _), took, worst = await _worst_loop_lag_during(call)
    finally:
        channel.close()
    if rpc == "UpdateRobotPart":
        assert status == Status.OK, message
        part = (await owner.app.get_robot_part(id=part_id)).part
        assert part is not None and part.robot_config is not None
        assert part.robot_config.to_dict() == LARGE_CONFIG
    else:  # the same answer as ever: a valid Struct, but its JSON is over the metadata limit
        assert status == Status.INVALID_ARGUMENT and "data is larger than" in message
    assert worst < conversion / 2, f"the loop was held {worst:.3f} s during a {took:.3f} s call ({conversion:.3f} s)"


async def test_a_large_config_gets_the_same_errors(fleet: LocalFleet, owner: Conn) -> None:
    """A config large enough to be converted in a worker thread is checked exactly as a small one."""
    _, part_id = await new_machine(owner, fleet.location_id, "deep")
    too_deep: dict[str, Any] = {}
    level = too_deep
    for _ in range(70):
        level["a"] = level = {}
    for extra in ({}, {"values": [True] * 5_000}):
        config = Struct.from_dict({"deep": too_deep, **extra})
        status, message = await status_of(owner.app.update_robot_part(id=part_id, name="p", robot_config=config))
        assert status == Status.INVALID_ARGUMENT and message == "robot_config is nested more than 64 levels deep"
        text = json.dumps({"deep": too_deep, **extra})
        status, message = await status_of(owner.app.update_robot_part(id=part_id, name="p", robot_config_json=text))
        assert status == Status.INVALID_ARGUMENT and message == "robot_config_json is nested more than 64 levels deep"
