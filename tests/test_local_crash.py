"""Acceptance (issue 4): an acknowledged write survives ``kill -9``.

``fleetwire serve`` runs as a real subprocess on a SQLite file. Several clients write concurrently (locations, machines,
fragments); every write the server acknowledged is recorded. The server is SIGKILLed while writes are in flight, the
file passes ``PRAGMA integrity_check``, and a restarted server on the same file has every acknowledged write.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _local.fleet import ServeProcess, read_credentials, session, start_serve, wait_serving
from grpclib.const import Status
from grpclib.exceptions import GRPCError, StreamTerminatedError
from viam.app.app_client import Fragment

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

CONNECTION_LOST = frozenset({Status.UNAVAILABLE, Status.UNKNOWN, Status.CANCELLED})
WRITERS = 8
ACKS_BEFORE_KILL = 120


@dataclass
class Acked:
    locations: dict[str, str] = field(default_factory=dict)  # id -> name
    robots: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, location id)
    fragments: dict[str, str] = field(default_factory=dict)  # id -> name

    def count(self) -> int:
        return len(self.locations) + len(self.robots) + len(self.fragments)


@pytest.fixture
def servers() -> Iterator[list[ServeProcess]]:
    started: list[ServeProcess] = []
    yield started
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
        server.process.wait(timeout=10)


def port_of(url: str) -> int:
    """The port of the credentials' ``url`` (``host:port``, with or without a scheme)."""
    return int(url.rstrip("/").rsplit(":", 1)[1])


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    return "; ".join(str(row[0]) for row in rows)


async def write_until_killed(
    port: int, credentials: dict[str, str], org_id: str, location_id: str, writer: int, acked: Acked
) -> int:
    """Create locations, machines and fragments in turn until the server goes away; record each acknowledgement.
    Returns how many calls failed because the server died (0 when the loop ended for another reason)."""
    async with session("127.0.0.1", port, credentials["api_key_id"], credentials["api_key"]) as s:
        for i in range(10_000):
            name = f"w{writer}-{i}"
            try:
                if i % 3 == 0:
                    location = await s.app.create_location(org_id, f"loc {name}")
                    acked.locations[location.id] = location.name
                elif i % 3 == 1:
                    robot_id = await s.app.new_robot(f"robot {name}", location_id)
                    acked.robots[robot_id] = (f"robot {name}", location_id)
                else:
                    fragment = await s.app.create_fragment(org_id, f"frag {name}")
                    acked.fragments[fragment.id] = fragment.name
            except (OSError, StreamTerminatedError, asyncio.TimeoutError):
                return 1
            except GRPCError as exc:
                # Only the connection going away is expected; any other refusal is a real failure.
                assert exc.status in CONNECTION_LOST, exc
                return 1
    return 0


async def scenario(tmp_path: Path, servers: list[ServeProcess]) -> None:
    db = tmp_path / "fleet.sqlite"
    first = start_serve(db, tmp_path / "creds.json", 0, tmp_path / "serve-1.log")
    servers.append(first)
    credentials = read_credentials(tmp_path / "creds.json", first)
    assert set(credentials) >= {"url", "api_key_id", "api_key"}
    assert (tmp_path / "creds.json").stat().st_mode & 0o777 == 0o600
    first.port = port_of(credentials["url"])
    await wait_serving(first, credentials["api_key_id"], credentials["api_key"])

    async with session("127.0.0.1", first.port, credentials["api_key_id"], credentials["api_key"]) as s:
        org_id = (await s.app.list_organizations())[0].id
        location_id = (await s.app.list_locations(org_id))[0].id

    acked = Acked()
    writers = [
        asyncio.create_task(write_until_killed(first.port, credentials, org_id, location_id, n, acked))
        for n in range(WRITERS)
    ]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while acked.count() < ACKS_BEFORE_KILL:
        assert loop.time() < deadline, f"only {acked.count()} writes acknowledged in 60 s"
        assert not any(task.done() for task in writers), [task for task in writers if task.done()]
        await asyncio.sleep(0.01)
    first.process.send_signal(signal.SIGKILL)  # mid-stream: every writer has a call in flight
    interrupted = await asyncio.wait_for(asyncio.gather(*writers), 60)
    assert first.process.wait(timeout=10) == -signal.SIGKILL
    assert sum(interrupted) == WRITERS, "every writer should have been cut off by the kill"

    assert integrity(db) == "ok"

    second = start_serve(db, tmp_path / "creds-2.json", 0, tmp_path / "serve-2.log")
    servers.append(second)
    second.port = port_of(read_credentials(tmp_path / "creds-2.json", second)["url"])
    # The first run's key was an acknowledged write too: it still authenticates.
    await wait_serving(second, credentials["api_key_id"], credentials["api_key"])
    async with session("127.0.0.1", second.port, credentials["api_key_id"], credentials["api_key"]) as s:
        locations = {location.id: location.name for location in await s.app.list_locations(org_id)}
        missing_locations = {k: v for k, v in acked.locations.items() if locations.get(k) != v}
        assert not missing_locations, f"acknowledged locations lost: {missing_locations}"
        robots = {robot.id: (robot.name, robot.location) for robot in await s.app.list_robots(location_id)}
        missing_robots = {k: v for k, v in acked.robots.items() if robots.get(k) != v}
        assert not missing_robots, f"acknowledged machines lost: {missing_robots}"
        every_visibility = list(Fragment.Visibility)
        every_visibility.remove(Fragment.Visibility.UNSPECIFIED)
        fragments = {f.id: f.name for f in await s.app.list_fragments(org_id, visibilities=every_visibility)}
        missing_fragments = {k: v for k, v in acked.fragments.items() if fragments.get(k) != v}
        assert not missing_fragments, f"acknowledged fragments lost: {missing_fragments}"
        # The restarted server keeps taking writes on the recovered file.
        await s.app.create_location(org_id, "after restart")
    second.process.send_signal(signal.SIGTERM)
    assert second.process.wait(timeout=20) in (0, -signal.SIGTERM)
    assert integrity(db) == "ok"


@pytest.mark.anyio
async def test_acknowledged_writes_survive_sigkill(tmp_path: Path, servers: list[ServeProcess]) -> None:
    await scenario(tmp_path, servers)
