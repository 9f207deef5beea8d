"""The local server's wire shortcuts: log pages assembled from stored entry bytes, and coalesced connection writes.

A ``GetRobotPartLogs`` answer is spliced together from the stored entries instead of decoded and re-encoded; these
tests read the answer's raw bytes over real gRPC and check they are exactly what encoding the decoded page gives,
for every kind of query. The coalescing transport is checked on a real socket.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from grpclib.client import Channel
from grpclib.const import Cardinality
from test_local_machines import Conn, new_machine

from fleetwire.local import LocalFleet
from fleetwire.local.wire import field_bytes, repeated_field
from fleetwire_api.proto.rpc.v1 import AuthenticateRequest, Credentials
from fleetwire_api.services import AuthServiceAsyncClient, FastCodec, codec
from fleetwire_api.services._runtime import CoalescingTransport
from fleetwire_api.viam.app.v1 import GetRobotPartLogsRequest, GetRobotPartLogsResponse, LogOrder
from fleetwire_api.viam.common.v1 import LogEntry

pytestmark = pytest.mark.anyio

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


class RawLogPages(FastCodec):
    """The client side of the test: log pages are handed over as the bytes that came on the wire."""

    def decode(self, data: bytes, message_type: Any) -> Any:
        return data if message_type is GetRobotPartLogsResponse else super().decode(data, message_type)


async def raw_page(channel: Channel, token: str, request: GetRobotPartLogsRequest) -> bytes:
    async with channel.request(
        "/viam.app.v1.AppService/GetRobotPartLogs",
        Cardinality.UNARY_UNARY,
        GetRobotPartLogsRequest,
        GetRobotPartLogsResponse,
        metadata={"authorization": f"Bearer {token}"},
        timeout=30,
    ) as stream:
        await stream.send_message(request, end=True)
        data = await stream.recv_message()
    assert isinstance(data, bytes)
    return data


@pytest.mark.filterwarnings("ignore:GetRobotPartLogsRequest.errors_only is deprecated:DeprecationWarning")
async def test_log_pages_are_the_bytes_of_the_decoded_page(fleet: LocalFleet, owner: Conn) -> None:
    _, part_id = await new_machine(owner, fleet.location_id, "wired")
    levels = ["info", "warn", "error", "debug", "Error"]
    entries = [
        LogEntry(
            host="sim",
            level=levels[i % len(levels)],
            time=START + timedelta(milliseconds=i // 2),
            logger_name="rdk.sim",
            message=f"line {i} {'needle' if i % 11 == 0 else ''}" + "x" * (i % 300),  # lengths past one varint byte
        )
        for i in range(700)
    ]
    await owner.robot.log(id=part_id, logs=entries)
    channel = Channel(fleet.host, fleet.port, codec=RawLogPages())
    auth = AuthServiceAsyncClient(channel)
    token = (
        await auth.authenticate(
            request=AuthenticateRequest(
                entity=fleet.api_key_id, credentials=Credentials(type="api-key", payload=fleet.api_key)
            )
        )
    ).access_token
    queries = [
        GetRobotPartLogsRequest(id=part_id),
        GetRobotPartLogsRequest(id=part_id, limit=7),
        GetRobotPartLogsRequest(id=part_id, limit=1000, order=LogOrder.ASCENDING),
        GetRobotPartLogsRequest(id=part_id, filter="needle"),
        GetRobotPartLogsRequest(id=part_id, levels=["error"]),
        GetRobotPartLogsRequest(id=part_id, errors_only=True),
        GetRobotPartLogsRequest(id=part_id, errors_only=True, levels=["info"]),  # matches nothing
        GetRobotPartLogsRequest(
            id=part_id, start=START + timedelta(milliseconds=100), end=START + timedelta(seconds=1)
        ),
    ]
    try:
        for query in queries:
            pages = 0
            while True:
                data = await raw_page(channel, token, query)
                page = codec.decode(GetRobotPartLogsResponse, data)
                # What the server answered before it spliced pages: the page decoded, then encoded again.
                assert data == codec.encode(
                    GetRobotPartLogsResponse(logs=page.logs, next_page_token=page.next_page_token)
                )
                assert data == bytes(page)  # and betterproto2's own encoder agrees
                pages += 1
                if not page.next_page_token:
                    break
                query = dataclasses.replace(query, page_token=page.next_page_token)
            assert pages >= 1
    finally:
        channel.close()


def test_field_bytes_matches_the_reference_encoder() -> None:
    for size in (0, 1, 127, 128, 300, 16_383, 16_384, 70_000):
        token = "t" * size
        if token:  # an empty token is left out of the page, as the encoder leaves out empty fields
            assert field_bytes(2, token.encode()) == bytes(GetRobotPartLogsResponse(next_page_token=token))
        entry = LogEntry(message="m" * size)
        assert field_bytes(1, bytes(entry)) == bytes(GetRobotPartLogsResponse(logs=[entry]))


def test_repeated_field_matches_the_reference_encoder_at_every_length_boundary() -> None:
    sizes = (0, 1, 120, 127, 128, 129, 300, 16_380, 16_383, 16_384, 70_000)
    entries = [LogEntry(message="m" * size) for size in sizes]
    payloads = [bytes(entry) for entry in entries]  # betterproto2's own encoder, not ours
    for token in ("", "next"):
        expected = bytes(GetRobotPartLogsResponse(logs=entries, next_page_token=token))
        tail = field_bytes(2, token.encode()) if token else b""
        assert repeated_field(1, payloads, tail) == expected
        assert repeated_field(1, iter(payloads), tail) == expected  # any iterable, consumed once
    assert repeated_field(1, []) == b""
    # Other field numbers (two-byte keys included) frame each payload as field_bytes does.
    for number in (2, 15, 16, 300):
        assert repeated_field(number, payloads, b"!") == b"".join(field_bytes(number, p) for p in payloads) + b"!"


async def test_coalesced_writes_arrive_whole_and_in_order_and_close_flushes() -> None:
    loop = asyncio.get_running_loop()
    ours, theirs = socket.socketpair()
    theirs.setblocking(False)
    transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, ours)
    wrapped = CoalescingTransport(transport, loop)  # type: ignore[arg-type]
    try:
        for chunk in (b"headers|", b"data|", b"", b"trailers|"):
            wrapped.write(chunk)
        assert wrapped.get_write_buffer_size() == len(b"headers|data|trailers|")  # held until the next iteration
        received = b""
        while len(received) < len(b"headers|data|trailers|"):
            received += await loop.sock_recv(theirs, 1024)
        assert received == b"headers|data|trailers|"
        wrapped.write(b"last words")
        wrapped.close()  # sends what is queued before closing
        tail = b""
        while chunk := await loop.sock_recv(theirs, 1024):
            tail += chunk
        assert tail == b"last words" and wrapped.is_closing()
    finally:
        theirs.close()
