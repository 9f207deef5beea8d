"""The clients under test, behind one small interface: the official SDK's async client, ours (async and blocking).

Each adapter makes the same calls a user would make with that client and returns what the client returns, so the
figures include the client's own conversions (wrapper classes, dicts from Structs), exactly as the functional tests
see them. Blocking adapters run in the calling thread; async ones on the harness's event loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable
from typing import Any

from grpclib.client import Channel

TOKEN = "bench-token"
METADATA = {"authorization": f"Bearer {TOKEN}"}


class Adapter:
    """One client. ``run`` executes a workload step; async clients on ``loop``, blocking ones in this thread.

    The three clients share the official method surface, so the plain calls are written once here; each adapter
    sets ``client`` and says how it fans out concurrent calls and how it streams logs.
    """

    name = ""
    is_async = True
    client: Any

    def __init__(self, port: int, loop: asyncio.AbstractEventLoop) -> None:
        self.port = port
        self.loop = loop

    def run(self, step: Callable[[], Any]) -> Any:
        result = step()
        if asyncio.iscoroutine(result):
            return self.loop.run_until_complete(result)
        return result

    def close(self) -> None:
        pass

    # Workload steps: each returns a coroutine (async clients) or does the work (blocking clients).
    def get_robot(self, robot_id: str) -> Any:
        return self.client.get_robot(robot_id)

    def get_robot_many(self, robot_id: str, n: int) -> Any:
        return _gather(lambda: self.client.get_robot(robot_id), n)

    def list_robots(self, location_id: str) -> Any:
        return self.client.list_robots(location_id)

    def list_robots_read(self, location_id: str) -> Any:
        """``list_robots``, then every field of every machine read, as a caller printing them all does.

        A client may build a list element's Python objects when it is first read rather than when the response
        arrives (upb does): this row counts that work too, so the two clients are compared on what a caller gets.
        """
        result = self.client.list_robots(location_id)
        if asyncio.iscoroutine(result):

            async def read() -> Any:
                return _read_every_field(await result)

            return read()
        return _read_every_field(result)

    def logs_list(self, part_id: str) -> Any:
        return self.client.get_robot_part_logs(part_id, num_log_entries=0)

    def logs_stream(self, part_id: str) -> Any:
        raise NotImplementedError

    def get_robot_part(self, part_id: str) -> Any:
        return self.client.get_robot_part(part_id)

    def update_robot_part(self, part_id: str, config: dict[str, Any]) -> Any:
        return self.client.update_robot_part(part_id, "main", config)


def _read_every_field(robots: Any) -> Any:
    for robot in robots:
        _ = (
            robot.id,
            robot.name,
            robot.location,
            robot.last_access,
            robot.created_on,
            robot.online_state,
            robot.seconds_since_online,
        )
    return robots


async def _gather(make: Callable[[], Awaitable[Any]], n: int) -> list[Any]:
    return await asyncio.gather(*(make() for _ in range(n)))


class _OnChannel(Adapter):
    """An async client built the official way: ``Client(channel, metadata)`` on a plain grpclib channel."""

    def __init__(self, port: int, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(port, loop)

        async def make() -> tuple[Channel, Any]:
            channel = Channel("127.0.0.1", port)
            return channel, self.make_client(channel)

        self.channel, self.client = loop.run_until_complete(make())

    def make_client(self, channel: Channel) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        self.channel.close()


class Official(_OnChannel):
    """viam-sdk's ``viam.app.app_client.AppClient(channel, metadata)``."""

    name = "official"

    def make_client(self, channel: Channel) -> Any:
        from viam.app.app_client import AppClient

        return AppClient(channel, METADATA)

    def logs_stream(self, part_id: str) -> Any:
        return None  # the official client has no streaming iterator: the harness reports its list instead


class OursAsync(_OnChannel):
    """``fleetwire.AsyncAppClient(channel, metadata)``: the official constructor, a plain grpclib channel."""

    name = "fleetwire async"

    def make_client(self, channel: Channel) -> Any:
        from fleetwire import AsyncAppClient

        return AsyncAppClient(channel, METADATA)

    def logs_stream(self, part_id: str) -> Any:
        async def consume() -> int:
            count = 0
            async with self.client.iter_robot_part_logs(part_id) as entries:
                async for _ in entries:
                    count += 1
            return count

        return consume()


class OursBlocking(Adapter):
    """``fleetwire.AppClient.connect(...)``: its own event-loop thread, called from this (main) thread."""

    name = "fleetwire blocking"
    is_async = False

    def __init__(self, port: int, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(port, loop)
        from fleetwire import AppClient

        self.client = AppClient.connect(f"127.0.0.1:{port}", api_key="bench-key", api_key_id="bench-key-id")
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=50, thread_name_prefix="bench")

    def close(self) -> None:
        self.pool.shutdown()
        self.client.close()

    def get_robot_many(self, robot_id: str, n: int) -> Any:
        # A blocking client is shared by threads: 1,000 calls from a pool of 50 threads.
        return list(self.pool.map(lambda _: self.client.get_robot(robot_id), range(n)))

    def logs_stream(self, part_id: str) -> Any:
        count = 0
        with self.client.iter_robot_part_logs(part_id) as entries:
            for _ in entries:
                count += 1
        return count


ADAPTERS: tuple[type[Adapter], ...] = (Official, OursAsync, OursBlocking)
