"""A recording fleet server: real grpclib over loopback, in its own thread and event loop.

Every AppService RPC is served by one generic handler that records what arrived (the decoded request, the exact
bytes that came off the wire, the call metadata) and answers with the next response the test scripted for that RPC.
An RPC the test did not script answers FAILED_PRECONDITION and is still recorded, so a stray call fails the test.
AuthService/Authenticate hands out a fixed access token and is recorded the same way.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import threading
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import betterproto2
from grpclib.const import Cardinality, Handler, Status
from grpclib.encoding.proto import ProtoCodec
from grpclib.exceptions import GRPCError
from grpclib.server import Server, Stream

from fleetwire_api.proto.rpc import v1 as rpc_v1
from fleetwire_api.services import AppServiceBase, AuthServiceBase

ACCESS_TOKEN = "eyJhbGciOiJIUzI1NiJ9.fleetwire-spec-access-token.c2lnbmF0dXJl"
APP_SERVICE = "/viam.app.v1.AppService/"


class RecordingCodec(ProtoCodec):
    """The proto codec, keeping the raw bytes of every message it decodes (per message type, in arrival order)."""

    def __init__(self) -> None:
        self._raw: dict[type[Any], deque[bytes]] = defaultdict(deque)

    def decode(self, data: bytes, message_type: Any) -> Any:
        self._raw[message_type].append(bytes(data))
        return super().decode(data, message_type)

    def take(self, message_type: type[Any]) -> bytes:
        return self._raw[message_type].popleft()


@dataclass
class RecordedCall:
    rpc: str  # the method name, e.g. "GetRobotPartLogs"
    requests: list[betterproto2.Message]
    raw: list[bytes]
    metadata: list[tuple[str, str]]

    @property
    def request(self) -> betterproto2.Message:
        assert len(self.requests) == 1, f"{self.rpc} carried {len(self.requests)} request messages"
        return self.requests[0]

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.metadata if key == name]


Reply = betterproto2.Message | Sequence[betterproto2.Message] | GRPCError
"""A scripted answer: a message (unary), a sequence of messages (server streaming) or an error to raise."""


@dataclass
class Script:
    """What the server answers, per RPC, and what it received; shared between the test thread and the server loop."""

    replies: dict[str, deque[Reply]] = field(default_factory=lambda: defaultdict(deque))
    calls: list[RecordedCall] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self, replies: Iterable[tuple[str, Reply]] = ()) -> None:
        with self.lock:
            self.replies.clear()
            self.calls.clear()
            for rpc, reply in replies:
                self.replies[rpc].append(reply)

    def record(self, call: RecordedCall) -> Reply | None:
        with self.lock:
            self.calls.append(call)
            queue = self.replies.get(call.rpc)
            return queue.popleft() if queue else None

    def taken(self) -> list[RecordedCall]:
        with self.lock:
            return list(self.calls)

    def unanswered(self) -> list[str]:
        with self.lock:
            return [rpc for rpc, queue in self.replies.items() for _ in queue]


def _metadata_pairs(stream: Stream[Any, Any]) -> list[tuple[str, str]]:
    metadata = stream.metadata
    if metadata is None:
        return []
    return [(str(k), v if isinstance(v, str) else v.decode()) for k, v in metadata.items()]


class RecordingAppService(AppServiceBase):
    """Every AppService RPC, recorded and answered from the script."""

    def __init__(self, script: Script, codec: RecordingCodec) -> None:
        self.script = script
        self.codec = codec

    def __mapping__(self) -> dict[str, Handler]:
        return {
            path: Handler(
                functools.partial(
                    self._serve, path.removeprefix(APP_SERVICE), handler.request_type, handler.cardinality
                ),
                handler.cardinality,
                handler.request_type,
                handler.reply_type,
            )
            for path, handler in super().__mapping__().items()
        }

    async def _serve(
        self, rpc: str, request_type: type[Any], cardinality: Cardinality, stream: Stream[Any, Any]
    ) -> None:
        requests: list[betterproto2.Message] = []
        raw: list[bytes] = []
        async for request in stream:
            requests.append(request)
            raw.append(self.codec.take(request_type))
            if cardinality in (Cardinality.UNARY_UNARY, Cardinality.UNARY_STREAM):
                break  # one request; the client may keep its side open (a live tail does)
        reply = self.script.record(RecordedCall(rpc, requests, raw, _metadata_pairs(stream)))
        if reply is None:
            raise GRPCError(Status.FAILED_PRECONDITION, f"spec server: {rpc} was not scripted for this test")
        if isinstance(reply, GRPCError):
            raise reply
        if isinstance(reply, betterproto2.Message):
            await stream.send_message(reply)
            return
        for message in reply:
            await stream.send_message(message)


class RecordingAuthService(AuthServiceBase):
    """proto.rpc.v1.AuthService/Authenticate: records the request and returns ACCESS_TOKEN."""

    def __init__(self, script: Script, codec: RecordingCodec) -> None:
        self.script = script
        self.codec = codec

    async def authenticate(
        self,
        request: rpc_v1.AuthenticateRequest,
        stream: Stream[rpc_v1.AuthenticateRequest, rpc_v1.AuthenticateResponse],
    ) -> rpc_v1.AuthenticateResponse:
        raw = self.codec.take(rpc_v1.AuthenticateRequest)
        with self.script.lock:
            self.script.calls.append(RecordedCall("Authenticate", [request], [raw], _metadata_pairs(stream)))
        return rpc_v1.AuthenticateResponse(access_token=ACCESS_TOKEN)


class SpecServer:
    """The recording server on 127.0.0.1 (an ephemeral port), running in a daemon thread with its own event loop."""

    def __init__(self) -> None:
        self.script = Script()
        self.port = 0
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="fleetwire-spec-server", daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> SpecServer:
        self._thread.start()
        if not self._ready.wait(timeout=30):
            raise RuntimeError("spec server did not start")
        if self._failure is not None:
            raise RuntimeError("spec server failed to start") from self._failure
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)
        assert not self._thread.is_alive(), "spec server thread did not stop"

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # surfaced to the test thread by start()
            self._failure = exc
            self._ready.set()

    async def _main(self) -> None:
        codec = RecordingCodec()
        server = Server(
            [RecordingAppService(self.script, codec), RecordingAuthService(self.script, codec)], codec=codec
        )
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        await server.start(sock=sock)
        self.port = sock.getsockname()[1]
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            server.close()
            await server.wait_closed()

    def __enter__(self) -> SpecServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
