"""How the local fleet server receives a call: headers checked before the body is read, the body's size bounded
before it is taken from the connection, bytes that do not decode answered ``INVALID_ARGUMENT`` on one line.

Requests are sent as raw bytes over real loopback gRPC (``_local.raw``).
"""

from __future__ import annotations

import logging
import time
from typing import TypeVar

import pytest
from _local.raw import field, raw_call, raw_channel, varint
from _local.scoped import bearer
from grpclib.const import Status
from test_local_machines import Conn, new_machine

from fleetwire.cli import build_parser
from fleetwire.local import LocalFleet
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
