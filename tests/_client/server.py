"""A small fleet server for the client behaviour tests: real grpclib on 127.0.0.1, in its own thread and loop.

It serves just what the convenience tests need (logs paged 100 at a time, a live tail, a few reads and writes),
records every request with its metadata, and can be told to fail an RPC with a status a number of times or to
hold a call until released. Running it in its own thread lets the blocking client be tested from inside a running
event loop without deadlocking on the loop the server would otherwise share.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from grpclib.const import Handler, Status
from grpclib.exceptions import GRPCError
from grpclib.server import Server, Stream

from fleetwire_api.google.protobuf import Struct, Value
from fleetwire_api.proto.rpc import v1 as rpc_pb
from fleetwire_api.services import AppServiceBase, AuthServiceBase
from fleetwire_api.viam.app import v1 as app_pb
from fleetwire_api.viam.common import v1 as common_pb

API_KEY = "k3y-s3cr3t-value-0123456789abcdef"
API_KEY_ID = "key-id-1234"
ACCESS_TOKEN = "tok.access-token-abcdef.sig"
PAGE_SIZE = 100
TAIL = "/viam.app.v1.AppService/TailRobotPartLogs"
PART_SECRET = "part-secret-zyx987"
CONFIG = {"components": [{"name": "motor", "attributes": {"pins": [1, 2]}}], "network": {"tls": False}}


def log_entry(n: int) -> common_pb.LogEntry:
    """The n-th entry of the fake log: its message says its number."""
    return common_pb.LogEntry(
        host="rover",
        level="error" if n % 10 == 0 else "info",
        time=datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=n),
        logger_name="rdk.components.motor",
        message=f"entry {n}",
        caller=Struct(fields={"File": Value(string_value="motor.go"), "Line": Value(number_value=float(n))}),
    )


@dataclass
class Call:
    """One request the server received."""

    rpc: str
    request: Any
    metadata: dict[str, str]


@dataclass
class State:
    """What the test configures and observes; shared between the test thread and the server thread."""

    log_count: int = 10_000
    calls: list[Call] = field(default_factory=list)
    fail: dict[str, list[Status]] = field(default_factory=lambda: defaultdict(list))
    hold: threading.Event = field(default_factory=threading.Event)
    error_message: str = ""
    page_requested: dict[str, threading.Event] = field(default_factory=lambda: defaultdict(threading.Event))
    tail_closed: threading.Event = field(default_factory=threading.Event)
    tail_batches_sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def calls_to(self, rpc: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.rpc == rpc]


class App(AppServiceBase):
    def __init__(self, state: State) -> None:
        self.state = state

    def _record(self, rpc: str, request: Any, stream: Stream[Any, Any]) -> None:
        metadata = {k: v for k, v in (stream.metadata or {}).items() if isinstance(v, str)}
        with self.state.lock:
            self.state.calls.append(Call(rpc, request, metadata))
            failures = self.state.fail.get(rpc)
            status = failures.pop(0) if failures else None
        if status is not None:
            raise GRPCError(status, self.state.error_message or f"{rpc} failed on purpose")

    async def get_organization(self, request: Any, stream: Any) -> app_pb.GetOrganizationResponse:
        self._record("GetOrganization", request, stream)
        return app_pb.GetOrganizationResponse(organization=app_pb.Organization(id=request.organization_id, name="org"))

    async def create_organization(self, request: Any, stream: Any) -> app_pb.CreateOrganizationResponse:
        self._record("CreateOrganization", request, stream)
        return app_pb.CreateOrganizationResponse(organization=app_pb.Organization(id="new-org", name=request.name))

    async def list_organizations(self, request: Any, stream: Any) -> app_pb.ListOrganizationsResponse:
        self._record("ListOrganizations", request, stream)
        # Held until the test (or stop()) releases it: the client's deadline is what ends the call.
        await asyncio.to_thread(self.state.hold.wait)
        return app_pb.ListOrganizationsResponse(organizations=[app_pb.Organization(id="o1")])

    async def get_location(self, request: Any, stream: Any) -> app_pb.GetLocationResponse:
        self._record("GetLocation", request, stream)
        return app_pb.GetLocationResponse(location=app_pb.Location(id=request.location_id, name="yard"))

    async def location_auth(self, request: Any, stream: Any) -> app_pb.LocationAuthResponse:
        self._record("LocationAuth", request, stream)
        return app_pb.LocationAuthResponse(auth=app_pb.LocationAuth(location_id=request.location_id))

    async def create_location_secret(self, request: Any, stream: Any) -> app_pb.CreateLocationSecretResponse:
        self._record("CreateLocationSecret", request, stream)
        return app_pb.CreateLocationSecretResponse(auth=app_pb.LocationAuth(location_id=request.location_id))

    async def delete_location_secret(self, request: Any, stream: Any) -> app_pb.DeleteLocationSecretResponse:
        self._record("DeleteLocationSecret", request, stream)
        return app_pb.DeleteLocationSecretResponse()

    async def list_robots(self, request: Any, stream: Any) -> app_pb.ListRobotsResponse:
        self._record("ListRobots", request, stream)
        return app_pb.ListRobotsResponse(robots=[app_pb.Robot(id="r1", location=request.location_id)])

    async def new_robot(self, request: Any, stream: Any) -> app_pb.NewRobotResponse:
        self._record("NewRobot", request, stream)
        return app_pb.NewRobotResponse(id="r-new")

    async def update_robot(self, request: Any, stream: Any) -> app_pb.UpdateRobotResponse:
        self._record("UpdateRobot", request, stream)
        return app_pb.UpdateRobotResponse(robot=app_pb.Robot(id=request.id, location=request.location))

    async def get_robot_part(self, request: Any, stream: Any) -> app_pb.GetRobotPartResponse:
        self._record("GetRobotPart", request, stream)
        config_json = "{not json" if request.id == "broken-config" else json.dumps(CONFIG)
        part = app_pb.RobotPart(id=request.id, name="main", secret=PART_SECRET, main_part=True)
        return app_pb.GetRobotPartResponse(part=part, config_json=config_json)

    async def get_robot_part_logs(self, request: Any, stream: Any) -> app_pb.GetRobotPartLogsResponse:
        self._record("GetRobotPartLogs", request, stream)
        token = request.page_token or ""
        self.state.page_requested[token].set()
        start = int(token) if token else 0
        end = min(start + PAGE_SIZE, self.state.log_count)
        next_token = str(end) if end < self.state.log_count else ""
        return app_pb.GetRobotPartLogsResponse(
            logs=[log_entry(n) for n in range(start, end)], next_page_token=next_token
        )

    def __mapping__(self) -> dict[str, Handler]:
        # The tail is served by a raw grpclib handler, so its ``finally`` runs as soon as the client resets the
        # stream (an async-generator handler would only be finalized when garbage collected).
        mapping = super().__mapping__()
        generated = mapping[TAIL]
        mapping[TAIL] = Handler(self._tail, generated.cardinality, generated.request_type, generated.reply_type)
        return mapping

    async def _tail(self, stream: Stream[Any, Any]) -> None:
        request = await stream.recv_message()
        self._record("TailRobotPartLogs", request, stream)
        n = 0
        try:
            while True:
                await stream.send_message(app_pb.TailRobotPartLogsResponse(logs=[log_entry(n), log_entry(n + 1)]))
                n += 2
                self.state.tail_batches_sent += 1
                # Let the loop read incoming frames between sends, as a real producer waiting for new logs would.
                await asyncio.sleep(0)
        finally:
            self.state.tail_closed.set()

    async def check_permissions(self, request: Any, stream: Any) -> app_pb.CheckPermissionsResponse:
        self._record("CheckPermissions", request, stream)
        return app_pb.CheckPermissionsResponse(authorized_permissions=list(request.permissions))


class Auth(AuthServiceBase):
    def __init__(self, state: State) -> None:
        self.state = state

    async def authenticate(self, request: Any, stream: Any) -> rpc_pb.AuthenticateResponse:
        with self.state.lock:
            self.state.calls.append(Call("Authenticate", request, {}))
        creds = request.credentials
        if request.entity != API_KEY_ID or creds is None or creds.type != "api-key" or creds.payload != API_KEY:
            raise GRPCError(Status.UNAUTHENTICATED, "invalid api key")
        return rpc_pb.AuthenticateResponse(access_token=ACCESS_TOKEN)


class ServerThread:
    """The server in a daemon thread with its own event loop; ``start()`` returns once it listens."""

    def __init__(self) -> None:
        self.state = State()
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="test-fleet-server", daemon=True)

    @property
    def url(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> ServerThread:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("test server did not start")
        return self

    def stop(self) -> None:
        self.state.hold.set()
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = Server([App(self.state), Auth(self.state)])
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await server.start(sock=sock)
        self._ready.set()
        await self._stop.wait()
        server.close()
        await server.wait_closed()
