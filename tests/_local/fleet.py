"""Talking to a local fleet server the way outside code does: real gRPC over loopback, official-SDK stubs.

``Session`` bundles one authenticated connection: the official ``viam`` ``AppClient`` (the interoperability oracle),
the official RobotService stub (what a machine uses to push logs), and fleetwire's generated raw clients.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from google.protobuf.timestamp_pb2 import Timestamp
from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from viam.app.app_client import AppClient
from viam.gen.app.v1.robot_grpc import RobotServiceStub
from viam.gen.app.v1.robot_pb2 import LogRequest
from viam.gen.common.v1.common_pb2 import LogEntry
from viam.gen.proto.rpc.v1.auth_grpc import AuthServiceStub
from viam.gen.proto.rpc.v1.auth_pb2 import AuthenticateRequest, Credentials

from fleetwire_api.services import AppServiceAsyncClient, RobotServiceAsyncClient

DENIED = frozenset({Status.PERMISSION_DENIED, Status.NOT_FOUND})
"""What a caller without access may be told: nothing exists, or not for you."""


async def authenticate(channel: Channel, key_id: str, key: str) -> str:
    """Exchange an API key for an access token through ``proto.rpc.v1.AuthService/Authenticate``."""
    request = AuthenticateRequest(entity=key_id, credentials=Credentials(type="api-key", payload=key))
    response = await AuthServiceStub(channel).Authenticate(request, timeout=10)
    return response.access_token


@dataclass
class Session:
    """One authenticated loopback connection to a local fleet server."""

    channel: Channel
    token: str
    app: AppClient
    robot: RobotServiceStub
    raw: AppServiceAsyncClient
    raw_robot: RobotServiceAsyncClient

    @property
    def metadata(self) -> dict[str, str]:
        """The call metadata that carries the bearer token."""
        return {"authorization": f"Bearer {self.token}"}

    async def push_logs(self, part_id: str, entries: Sequence[LogEntry]) -> None:
        """Push log entries for ``part_id`` through ``RobotService.Log``, as a machine does."""
        await self.robot.Log(LogRequest(id=part_id, logs=list(entries)), metadata=self.metadata, timeout=10)


def log_entry(message: str, level: str = "info", when: datetime.datetime | None = None) -> LogEntry:
    """A log entry as a machine would send it."""
    stamp = Timestamp()
    stamp.FromDatetime(when or datetime.datetime.now(datetime.timezone.utc))
    return LogEntry(host="test-host", level=level, time=stamp, logger_name="rdk.test", message=message, stack="")


@asynccontextmanager
async def session(host: str, port: int, key_id: str, key: str) -> AsyncIterator[Session]:
    """Open a channel to ``host:port``, authenticate with the API key, yield a ``Session``; close the channel after."""
    channel = Channel(host, port)
    try:
        token = await authenticate(channel, key_id, key)
        metadata = {"authorization": f"Bearer {token}"}
        yield Session(
            channel=channel,
            token=token,
            app=AppClient(channel, metadata),
            robot=RobotServiceStub(channel),
            raw=AppServiceAsyncClient(channel, metadata=metadata, timeout=30),
            raw_robot=RobotServiceAsyncClient(channel, metadata=metadata, timeout=30),
        )
    finally:
        channel.close()


def free_port() -> int:
    """A loopback TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_command() -> list[str]:
    """How to run ``fleetwire serve``: the script next to this interpreter, else ``python -m fleetwire.cli``."""
    script = Path(sys.executable).with_name("fleetwire")
    if script.exists():
        return [str(script), "serve"]
    return [sys.executable, "-m", "fleetwire.cli", "serve"]


@dataclass
class ServeProcess:
    """A ``fleetwire serve`` subprocess on a SQLite file."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def output(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def start_serve(db: Path, credentials: Path, port: int, log_path: Path) -> ServeProcess:
    """Start ``fleetwire serve --db db --port port --credentials credentials`` in the background."""
    command = [*serve_command(), "--db", str(db), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--credentials", str(credentials)]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env={**os.environ}
        )
    return ServeProcess(process=process, port=port, log_path=log_path)


def read_credentials(path: Path, server: ServeProcess, deadline_s: float = 30.0) -> dict[str, str]:
    """Wait (polling, with a deadline) until ``--credentials`` holds a complete JSON object, and return it."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"fleetwire serve exited with {server.process.returncode}:\n{server.output}")
        try:
            data = json.loads(path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            time.sleep(0.05)
            continue
        if isinstance(data, dict):
            return {str(k): str(v) for k, v in data.items()}
    raise TimeoutError(f"no credentials in {path} after {deadline_s}s:\n{server.output}")


async def wait_serving(server: ServeProcess, key_id: str, key: str, deadline_s: float = 30.0) -> None:
    """Poll until the server answers ``Authenticate`` on its port, or fail after ``deadline_s``."""

    deadline = time.monotonic() + deadline_s
    last: BaseException | None = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"fleetwire serve exited with {server.process.returncode}:\n{server.output}")
        channel = Channel("127.0.0.1", server.port)
        try:
            await authenticate(channel, key_id, key)
            return
        except (OSError, GRPCError, asyncio.TimeoutError) as exc:
            last = exc
        finally:
            channel.close()
        await asyncio.sleep(0.05)
    raise TimeoutError(f"server on port {server.port} not serving after {deadline_s}s ({last!r}):\n{server.output}")
