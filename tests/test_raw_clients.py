"""Round trips through the generated raw clients, over real gRPC on loopback.

The server is a grpclib ``Server`` running a small ``AppServiceBase`` subclass that records what it receives. It runs
in a thread of its own with its own event loop (an anyio blocking portal), so the same server serves the async client
(in the test's loop), the blocking client (whose calls cross into the client's own portal thread), and a blocking
client called from inside a running event loop, which would deadlock by design if the server shared the caller's loop.

No sleeps: whatever a test waits for, it waits on an event with a generous bound, so a bug fails instead of hanging.
"""

from __future__ import annotations

import asyncio
import datetime
import socket
import threading
from collections.abc import AsyncIterator, Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.server import Server, Stream

from fleetwire_api.services import (
    AppServiceAsyncClient,
    AppServiceBase,
    AppServiceClient,
    BlockingChannel,
    PackageServiceAsyncClient,
    PackageServiceBase,
    PackageServiceClient,
)
from fleetwire_api.viam.app.packages.v1 import CreatePackageRequest
from fleetwire_api.viam.app.v1 import (
    GetRobotRequest,
    GetRobotResponse,
    ModuleFileInfo,
    Robot,
    TailRobotPartLogsRequest,
    TailRobotPartLogsResponse,
    UploadModuleFileRequest,
    UploadModuleFileResponse,
)
from fleetwire_api.viam.common.v1 import LogEntry

WAIT = 10.0  # upper bound for anything a test waits on; reached only when something is broken
SHORT_TIMEOUT = 0.5  # a per-call deadline that a handler blocked on an event can never meet
CONCURRENT_CALLS = 8
LAST_ACCESS = datetime.datetime(2026, 11, 21, 12, 30, 45, 123456, tzinfo=datetime.timezone.utc)
TEST_HEADER = "x-fleetwire-test"
DEFAULT_HEADER = "x-fleetwire-default"


def robot_for(robot_id: str) -> Robot:
    return Robot(id=robot_id, name=f"robot {robot_id}", location="loc-1", last_access=LAST_ACCESS)


def log_batch(part_id: str, index: int) -> TailRobotPartLogsResponse:
    entry = LogEntry(host=part_id, level="error", message=f"line {index}", time=LAST_ACCESS)
    return TailRobotPartLogsResponse(logs=[entry])


@dataclass
class Call:
    """What the server saw of one call."""

    rpc: str
    requests: list[object]
    metadata: dict[str, list[str]]
    deadline: float | None  # seconds left when the handler started, if the client sent a deadline


@dataclass
class RecordingApp(AppServiceBase):
    """Implements three RPCs and records every call; the rest answer UNIMPLEMENTED (inherited)."""

    calls: list[Call] = field(default_factory=list[Call])
    release: asyncio.Event = field(default_factory=asyncio.Event)  # what slow handlers wait for
    inside: int = 0  # "together-*" calls that reached the handler
    all_inside: asyncio.Event = field(default_factory=asyncio.Event)
    handler_cancelled: threading.Event = field(default_factory=threading.Event)
    stream_cancelled: threading.Event = field(default_factory=threading.Event)

    def record(self, rpc: str, requests: list[object], stream: Stream[Any, Any]) -> None:
        metadata: dict[str, list[str]] = {}
        for key in (TEST_HEADER, DEFAULT_HEADER):
            values = stream.metadata.getall(key, []) if stream.metadata is not None else []
            if values:
                metadata[key] = [str(value) for value in values]
        deadline = stream.deadline.time_remaining() if stream.deadline is not None else None
        self.calls.append(Call(rpc, requests, metadata, deadline))

    async def get_robot(
        self, request: GetRobotRequest, stream: Stream[GetRobotRequest, GetRobotResponse]
    ) -> GetRobotResponse:
        self.record("GetRobot", [request], stream)
        if request.id == "slow":
            try:
                await self.release.wait()
            except asyncio.CancelledError:
                self.handler_cancelled.set()
                raise
        elif request.id.startswith("together-"):
            # A barrier (asyncio.Barrier is 3.11+): passes only once CONCURRENT_CALLS calls are inside at once.
            self.inside += 1
            if self.inside == CONCURRENT_CALLS:
                self.all_inside.set()
            await asyncio.wait_for(self.all_inside.wait(), WAIT)
        return GetRobotResponse(robot=robot_for(request.id))

    async def tail_robot_part_logs(
        self,
        request: TailRobotPartLogsRequest,
        stream: Stream[TailRobotPartLogsRequest, TailRobotPartLogsResponse],
    ) -> AsyncIterator[TailRobotPartLogsResponse]:
        self.record("TailRobotPartLogs", [request], stream)
        if request.id == "endless":
            yield log_batch(request.id, 0)
            try:
                await self.release.wait()
            except asyncio.CancelledError:
                self.stream_cancelled.set()
                raise
            return
        for index in range(3):
            yield log_batch(request.id, index)

    async def upload_module_file(
        self,
        requests: AsyncIterator[UploadModuleFileRequest],
        stream: Stream[UploadModuleFileRequest, UploadModuleFileResponse],
    ) -> UploadModuleFileResponse:
        received = [request async for request in requests]
        self.record("UploadModuleFile", list(received), stream)
        (first, *chunks) = received
        assert first.module_file_info is not None
        size = sum(len(chunk.file or b"") for chunk in chunks)
        return UploadModuleFileResponse(url=f"https://modules.test/{first.module_file_info.module_id}/{size}")


async def _start(handlers: Sequence[AppServiceBase | PackageServiceBase]) -> tuple[Server, int]:
    server = Server(list(handlers))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    await server.start(sock=listener)
    return server, listener.getsockname()[1]


async def _stop(server: Server, app: RecordingApp | None) -> None:
    if app is not None:
        app.release.set()  # let blocked handlers finish
    server.close()
    await server.wait_closed()


@dataclass
class Served:
    app: RecordingApp
    port: int
    portal: BlockingPortal

    def calls(self, rpc: str) -> list[Call]:
        return [call for call in self.app.calls if call.rpc == rpc]


@pytest.fixture
def served() -> Iterator[Served]:
    """A RecordingApp on a loopback port, in its own thread and event loop."""
    with start_blocking_portal(name="test-server") as portal:
        app = portal.call(RecordingApp)  # asyncio primitives made in the loop that uses them
        server, port = portal.call(_start, [app])
        try:
            yield Served(app, port, portal)
        finally:
            portal.call(_stop, server, app)


@pytest.fixture
def unimplemented_port() -> Iterator[int]:
    """A server with the bare bases: every RPC answers UNIMPLEMENTED."""
    with start_blocking_portal(name="test-bare-server") as portal:
        server, port = portal.call(_start, [AppServiceBase(), PackageServiceBase()])
        try:
            yield port
        finally:
            portal.call(_stop, server, None)


@pytest.fixture
def blocking(served: Served) -> Iterator[AppServiceClient]:
    with BlockingChannel.connect("127.0.0.1", served.port) as channel:
        yield AppServiceClient(channel, metadata={DEFAULT_HEADER: "blocking"})


def upload_requests(module_id: str, chunks: list[bytes]) -> Iterator[UploadModuleFileRequest]:
    yield UploadModuleFileRequest(module_file_info=ModuleFileInfo(module_id=module_id, version="1.0.0"))
    for chunk in chunks:
        yield UploadModuleFileRequest(file=chunk)


def assert_deadline_error(error: BaseException) -> None:
    # The client's own deadline usually fires first (TimeoutError); if the server's DEADLINE_EXCEEDED arrives first,
    # that is the same outcome.
    if isinstance(error, GRPCError):
        assert error.status is Status.DEADLINE_EXCEEDED
    else:
        assert isinstance(error, asyncio.TimeoutError)  # the builtin only from 3.11 on


# ---------------------------------------------------------------------------------------------------------------------
# Async raw client


@pytest.mark.anyio
async def test_async_unary_with_fields_and_with_request(served: Served) -> None:
    channel = Channel("127.0.0.1", served.port)
    try:
        client = AppServiceAsyncClient(channel)
        by_fields = await client.get_robot(id="robot-1")
        by_request = await client.get_robot(request=GetRobotRequest(id="robot-2"))
    finally:
        channel.close()
    assert by_fields == GetRobotResponse(robot=robot_for("robot-1"))
    assert by_request == GetRobotResponse(robot=robot_for("robot-2"))
    assert by_fields.robot is not None and by_fields.robot.last_access == LAST_ACCESS
    assert [call.requests for call in served.calls("GetRobot")] == [
        [GetRobotRequest(id="robot-1")],
        [GetRobotRequest(id="robot-2")],
    ]


@pytest.mark.anyio
async def test_async_server_streaming(served: Served) -> None:
    channel = Channel("127.0.0.1", served.port)
    try:
        client = AppServiceAsyncClient(channel)
        batches = [batch async for batch in client.tail_robot_part_logs(id="part-1", errors_only=True, filter="motor")]
    finally:
        channel.close()
    assert batches == [log_batch("part-1", index) for index in range(3)]
    (call,) = served.calls("TailRobotPartLogs")
    assert call.requests == [TailRobotPartLogsRequest(id="part-1", errors_only=True, filter="motor")]


@pytest.mark.anyio
async def test_async_client_streaming_from_a_list_and_from_an_async_iterator(served: Served) -> None:
    async def chunks() -> AsyncIterator[UploadModuleFileRequest]:
        for request in upload_requests("mod-b", [b"x" * 5]):
            yield request

    channel = Channel("127.0.0.1", served.port)
    try:
        client = AppServiceAsyncClient(channel)
        from_list = await client.upload_module_file(list(upload_requests("mod-a", [b"abc", b"", b"defg"])))
        from_async = await client.upload_module_file(chunks())
    finally:
        channel.close()
    assert from_list == UploadModuleFileResponse(url="https://modules.test/mod-a/7")
    assert from_async == UploadModuleFileResponse(url="https://modules.test/mod-b/5")
    calls = served.calls("UploadModuleFile")
    assert [call.requests for call in calls] == [
        list(upload_requests("mod-a", [b"abc", b"", b"defg"])),
        list(upload_requests("mod-b", [b"x" * 5])),
    ]


@pytest.mark.anyio
async def test_async_metadata_and_timeout_reach_the_server(served: Served) -> None:
    channel = Channel("127.0.0.1", served.port)
    try:
        client = AppServiceAsyncClient(channel, metadata={DEFAULT_HEADER: "async"})
        await client.get_robot(id="plain")
        await client.get_robot(id="with-metadata", metadata=[(TEST_HEADER, "one")], timeout=WAIT)
    finally:
        channel.close()
    plain, with_metadata = served.calls("GetRobot")
    assert plain.metadata == {DEFAULT_HEADER: ["async"]}
    assert plain.deadline is None
    assert with_metadata.metadata == {DEFAULT_HEADER: ["async"], TEST_HEADER: ["one"]}
    assert with_metadata.deadline is not None and 0 < with_metadata.deadline <= WAIT


@pytest.mark.anyio
async def test_async_short_timeout_raises_a_deadline_error(served: Served) -> None:
    channel = Channel("127.0.0.1", served.port)
    try:
        client = AppServiceAsyncClient(channel)
        with pytest.raises((asyncio.TimeoutError, GRPCError)) as raised:
            await client.get_robot(id="slow", timeout=SHORT_TIMEOUT)
    finally:
        channel.close()
    assert_deadline_error(raised.value)
    (call,) = served.calls("GetRobot")
    assert call.deadline is not None and 0 < call.deadline <= SHORT_TIMEOUT
    assert served.app.handler_cancelled.wait(WAIT), "the server never cancelled the handler past its deadline"


@pytest.mark.anyio
async def test_async_mixed_arguments_raise_type_error(served: Served) -> None:
    channel = Channel("127.0.0.1", served.port)
    try:
        client = AppServiceAsyncClient(channel)
        with pytest.raises(TypeError, match="get_robot"):
            await client.get_robot(id="a", request=GetRobotRequest(id="b"))
        with pytest.raises(TypeError, match="tail_robot_part_logs"):
            client.tail_robot_part_logs(errors_only=True, request=TailRobotPartLogsRequest(id="p"))
        with pytest.raises(TypeError, match="tail_robot_part_logs"):
            client.tail_robot_part_logs(filter="", request=TailRobotPartLogsRequest(id="p"))
    finally:
        channel.close()
    assert served.app.calls == []  # refused before anything went on the wire


@pytest.mark.anyio
async def test_async_unimplemented_rpcs_raise_grpc_error_naming_the_rpc(unimplemented_port: int) -> None:
    channel = Channel("127.0.0.1", unimplemented_port)
    try:
        app = AppServiceAsyncClient(channel)
        with pytest.raises(GRPCError) as unary:
            await app.get_robot(id="r")
        with pytest.raises(GRPCError) as server_streaming:
            _ = [batch async for batch in app.tail_robot_part_logs(id="p")]
        with pytest.raises(GRPCError) as client_streaming:
            await app.upload_module_file(list(upload_requests("m", [b"1"])))
        with pytest.raises(GRPCError) as packages:
            await PackageServiceAsyncClient(channel).create_package([CreatePackageRequest(contents=b"1")])
    finally:
        channel.close()
    for raised, rpc in [
        (unary, "viam.app.v1.AppService/GetRobot"),
        (server_streaming, "viam.app.v1.AppService/TailRobotPartLogs"),
        (client_streaming, "viam.app.v1.AppService/UploadModuleFile"),
        (packages, "viam.app.packages.v1.PackageService/CreatePackage"),
    ]:
        assert raised.value.status is Status.UNIMPLEMENTED
        assert raised.value.message is not None and rpc in raised.value.message


# ---------------------------------------------------------------------------------------------------------------------
# Blocking raw client


def test_blocking_unary_with_fields_and_with_request(served: Served, blocking: AppServiceClient) -> None:
    assert blocking.get_robot(id="robot-1") == GetRobotResponse(robot=robot_for("robot-1"))
    assert blocking.get_robot(request=GetRobotRequest(id="robot-2")) == GetRobotResponse(robot=robot_for("robot-2"))
    assert [call.requests for call in served.calls("GetRobot")] == [
        [GetRobotRequest(id="robot-1")],
        [GetRobotRequest(id="robot-2")],
    ]


def test_blocking_server_streaming(served: Served, blocking: AppServiceClient) -> None:
    request = TailRobotPartLogsRequest(id="part-2", filter="")
    batches = blocking.tail_robot_part_logs(request=request)
    assert isinstance(batches, Iterator)
    assert list(batches) == [log_batch("part-2", index) for index in range(3)]
    (call,) = served.calls("TailRobotPartLogs")
    assert call.requests == [request]


def test_blocking_client_streaming(served: Served, blocking: AppServiceClient) -> None:
    response = blocking.upload_module_file(upload_requests("mod-c", [b"12", b"345"]))
    assert response == UploadModuleFileResponse(url="https://modules.test/mod-c/5")
    (call,) = served.calls("UploadModuleFile")
    assert call.requests == list(upload_requests("mod-c", [b"12", b"345"]))


def test_blocking_metadata_and_timeout_reach_the_server(served: Served, blocking: AppServiceClient) -> None:
    blocking.get_robot(id="with-metadata", metadata={TEST_HEADER: "two"}, timeout=WAIT)
    blocking.upload_module_file(upload_requests("mod-d", []), metadata={TEST_HEADER: "three"})
    (unary,) = served.calls("GetRobot")
    assert unary.metadata == {DEFAULT_HEADER: ["blocking"], TEST_HEADER: ["two"]}
    assert unary.deadline is not None and 0 < unary.deadline <= WAIT
    (upload,) = served.calls("UploadModuleFile")
    assert upload.metadata == {DEFAULT_HEADER: ["blocking"], TEST_HEADER: ["three"]}
    assert upload.deadline is None


def test_blocking_short_timeout_raises_a_deadline_error(served: Served, blocking: AppServiceClient) -> None:
    with pytest.raises((asyncio.TimeoutError, GRPCError)) as raised:
        blocking.get_robot(id="slow", timeout=SHORT_TIMEOUT)
    assert_deadline_error(raised.value)
    (call,) = served.calls("GetRobot")
    assert call.deadline is not None and 0 < call.deadline <= SHORT_TIMEOUT
    assert served.app.handler_cancelled.wait(WAIT), "the server never cancelled the handler past its deadline"


def test_blocking_mixed_arguments_raise_type_error(served: Served, blocking: AppServiceClient) -> None:
    with pytest.raises(TypeError, match="get_robot"):
        blocking.get_robot(id="a", request=GetRobotRequest(id="b"))
    with pytest.raises(TypeError, match="tail_robot_part_logs"):
        blocking.tail_robot_part_logs(id="p", request=TailRobotPartLogsRequest(id="p"))
    assert served.app.calls == []


def test_blocking_unimplemented_rpcs_raise_grpc_error_naming_the_rpc(unimplemented_port: int) -> None:
    with BlockingChannel.connect("127.0.0.1", unimplemented_port) as channel:
        app = AppServiceClient(channel)
        with pytest.raises(GRPCError) as unary:
            app.get_robot(id="r")
        with pytest.raises(GRPCError) as server_streaming:
            list(app.tail_robot_part_logs(id="p"))
        with pytest.raises(GRPCError) as client_streaming:
            app.upload_module_file(upload_requests("m", [b"1"]))
        with pytest.raises(GRPCError) as packages:
            PackageServiceClient(channel).create_package([CreatePackageRequest(contents=b"1")])
    for raised, rpc in [
        (unary, "viam.app.v1.AppService/GetRobot"),
        (server_streaming, "viam.app.v1.AppService/TailRobotPartLogs"),
        (client_streaming, "viam.app.v1.AppService/UploadModuleFile"),
        (packages, "viam.app.packages.v1.PackageService/CreatePackage"),
    ]:
        assert raised.value.status is Status.UNIMPLEMENTED
        assert raised.value.message is not None and rpc in raised.value.message


def test_blocking_client_from_eight_threads_at_once(served: Served, blocking: AppServiceClient) -> None:
    ids = [f"together-{index}" for index in range(CONCURRENT_CALLS)]
    with ThreadPoolExecutor(max_workers=CONCURRENT_CALLS) as pool:
        responses = list(pool.map(lambda robot_id: blocking.get_robot(id=robot_id), ids))
    assert responses == [GetRobotResponse(robot=robot_for(robot_id)) for robot_id in ids]
    # The server's barrier only opens with all eight calls inside it: they overlapped.
    received = [request for call in served.calls("GetRobot") for request in call.requests]
    assert sorted(received, key=str) == sorted((GetRobotRequest(id=robot_id) for robot_id in ids), key=str)


def test_blocking_client_inside_a_running_event_loop(served: Served, blocking: AppServiceClient) -> None:
    async def notebook_cell() -> tuple[GetRobotResponse, list[TailRobotPartLogsResponse], UploadModuleFileResponse]:
        asyncio.get_running_loop()  # really inside a loop, like a Jupyter cell
        return (
            blocking.get_robot(id="in-loop"),
            list(blocking.tail_robot_part_logs(id="part-3")),
            blocking.upload_module_file(upload_requests("mod-e", [b"abc"])),
        )

    robot, batches, upload = asyncio.run(notebook_cell())
    assert robot == GetRobotResponse(robot=robot_for("in-loop"))
    assert batches == [log_batch("part-3", index) for index in range(3)]
    assert upload == UploadModuleFileResponse(url="https://modules.test/mod-e/3")
    assert [call.rpc for call in served.app.calls] == ["GetRobot", "TailRobotPartLogs", "UploadModuleFile"]


def test_closing_a_blocking_stream_early_cancels_it_on_the_server(served: Served, blocking: AppServiceClient) -> None:
    batches = blocking.tail_robot_part_logs(id="endless")
    assert next(batches) == log_batch("endless", 0)
    assert not served.app.stream_cancelled.is_set()
    assert isinstance(batches, Generator)  # close() is how a for-loop's break (or garbage collection) ends it
    batches.close()
    assert served.app.stream_cancelled.wait(WAIT), "the server never saw the stream cancelled"


def test_closing_a_blocking_channel_leaves_no_thread(served: Served) -> None:
    before = set(threading.enumerate())
    channel = BlockingChannel.connect("127.0.0.1", served.port)
    during = set(threading.enumerate()) - before
    assert during, "connect() starts the event-loop thread"
    assert AppServiceClient(channel).get_robot(id="once") == GetRobotResponse(robot=robot_for("once"))
    channel.close()
    channel.close()  # idempotent
    assert set(threading.enumerate()) == before
    assert not any(thread.is_alive() for thread in during)
