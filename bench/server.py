"""The canned server both clients call: AppService and AuthService on the generated server bases, in its own process.

Every response is encoded once at start-up and sent as stored bytes, so the server costs the same, and little, for
every client, and the figures compare the clients. Requests are decoded (the handlers route on ids) except the large
``UpdateRobotPart`` request, whose content the canned answer does not depend on.

    python -m bench.server    # prints the port, serves until stdin closes
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from typing import Any, cast

from grpclib.server import Server, Stream

from fleetwire_api.proto.rpc import v1 as rpc
from fleetwire_api.services import AppServiceBase, AuthServiceBase, FastCodec
from fleetwire_api.services._codec import encode
from fleetwire_api.viam.app import v1 as app

from . import fixtures

TOKEN = "bench-token"
PAGE_SIZE = 100


class Raw(bytes):
    """An already encoded message: the codec sends it as is."""


class CannedCodec(FastCodec):
    """FastCodec, plus stored bytes on the way out and no decoding of requests the handlers ignore."""

    def encode(self, message: Any, message_type: Any) -> bytes:
        if isinstance(message, Raw):
            return bytes(message)
        return super().encode(message, message_type)

    def decode(self, data: bytes, message_type: Any) -> Any:
        if message_type is app.UpdateRobotPartRequest:
            return Raw(data)
        return super().decode(data, message_type)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited field (``payload`` under ``number``), as the codecs write it."""
    from fleetwire_api.services._codec import _varint_bytes

    return _varint_bytes(number << 3 | 2) + _varint_bytes(len(payload)) + payload


class Canned(AppServiceBase):
    """The AppService RPCs the workloads call, each answering stored bytes."""

    def __init__(self) -> None:
        self.robot = Raw(encode(app.GetRobotResponse(robot=fixtures.robot(1))))
        self.robots = {n: Raw(encode(fixtures.list_robots_response(n))) for n in (100, 5000)}
        config = fixtures.config()
        part = fixtures.robot_part()
        self.part = Raw(encode(app.GetRobotPartResponse(part=part, config_json=json.dumps(config))))
        self.updated = Raw(encode(app.UpdateRobotPartResponse(part=part)))
        # One page of logs; every page carries the same entries and only the token differs (field 2, after field 1).
        self.page = encode(fixtures.log_page(PAGE_SIZE))

    async def get_robot(self, request: Any, stream: Stream[Any, Any]) -> Any:
        return self.robot

    async def list_robots(self, request: Any, stream: Stream[Any, Any]) -> Any:
        return self.robots[int(request.location_id.removeprefix("n"))]

    async def get_robot_part(self, request: Any, stream: Stream[Any, Any]) -> Any:
        return self.part

    async def update_robot_part(self, request: Any, stream: Stream[Any, Any]) -> Any:
        return self.updated

    async def get_robot_part_logs(self, request: Any, stream: Stream[Any, Any]) -> Any:
        total = int(request.id.removeprefix("logs-"))
        offset = int(request.page_token or 0) + PAGE_SIZE
        token = str(offset).encode() if offset < total else b""
        return Raw(self.page + (_field(2, token) if token else b""))

    def tail_robot_part_logs(self, request: Any, stream: Stream[Any, Any]) -> AsyncIterator[Any]:
        raise NotImplementedError


class Auth(AuthServiceBase):
    async def authenticate(self, request: Any, stream: Stream[Any, Any]) -> Any:
        return rpc.AuthenticateResponse(access_token=TOKEN)


async def main() -> None:
    server = Server([Canned(), Auth()], codec=CannedCodec())
    await server.start("127.0.0.1", 0)
    listening = cast("asyncio.Server", server._server)  # grpclib keeps the asyncio server; we need its port
    print(listening.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin (or dies)
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
