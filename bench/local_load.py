"""Load check for the local fleet server: 50 concurrent clients x 200 mixed calls, zero errors, requests per second.

Each client has its own loopback connection and its own API-key token, and mixes reads and writes across the API
(organizations, locations, machines, parts, logs pushed through RobotService.Log and read back, fragments,
permissions). The server runs in-process (``LocalFleet``, its own thread and event loop) on in-memory SQLite, or on a
SQLite file with ``--db``.

    uv run python bench/local_load.py [--clients 50] [--calls 200] [--db PATH]

Exits 1 when any call failed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from grpclib.client import Channel

from fleetwire.local import LocalFleet
from fleetwire_api.proto.rpc import v1 as rpc_v1
from fleetwire_api.services import AppServiceAsyncClient, AuthServiceAsyncClient, RobotServiceAsyncClient
from fleetwire_api.viam.app import v1 as app_v1
from fleetwire_api.viam.common import v1 as common_v1


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    by_call: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)


@dataclass
class Client:
    """One simulated user: a connection, a token, and the machine it created."""

    index: int
    app: AppServiceAsyncClient
    robot: RobotServiceAsyncClient
    org_id: str
    location_id: str
    robot_id: str = ""
    part_id: str = ""
    fragment_id: str = ""


async def connect(fleet: LocalFleet, index: int) -> tuple[Channel, Client]:
    channel = Channel(fleet.host, fleet.port)
    credentials = rpc_v1.Credentials(type="api-key", payload=fleet.api_key)
    auth = await AuthServiceAsyncClient(channel).authenticate(
        entity=fleet.api_key_id, credentials=credentials, timeout=30
    )
    metadata = {"authorization": f"Bearer {auth.access_token}"}
    client = Client(
        index=index,
        app=AppServiceAsyncClient(channel, metadata=metadata, timeout=60),
        robot=RobotServiceAsyncClient(channel, metadata=metadata, timeout=60),
        org_id=fleet.organization_id,
        location_id="",
    )
    return channel, client


def mix(c: Client, i: int) -> tuple[str, Callable[[], Awaitable[object]]]:
    """The i-th call of client ``c``: a fixed rotation of reads and writes. Writes change the client's own location,
    machine and fragment in place and append logs, so the state (and every list answer) stays the same size
    however long the run."""
    tag = f"c{c.index}-{i}"
    now = datetime.datetime.now(datetime.timezone.utc)
    calls: list[tuple[str, Callable[[], Awaitable[object]]]] = [
        ("get_organization", lambda: c.app.get_organization(organization_id=c.org_id)),
        ("list_locations", lambda: c.app.list_locations(organization_id=c.org_id)),
        ("get_robot", lambda: c.app.get_robot(id=c.robot_id)),
        ("update_robot", lambda: c.app.update_robot(id=c.robot_id, name=f"robot {tag}", location=c.location_id)),
        ("get_robot_parts", lambda: c.app.get_robot_parts(robot_id=c.robot_id)),
        (
            "Log",
            lambda: c.robot.log(
                id=c.part_id,
                logs=[common_v1.LogEntry(host="bench", level="info", time=now, logger_name="bench", message=tag)],
            ),
        ),
        ("get_robot_part_logs", lambda: c.app.get_robot_part_logs(id=c.part_id)),
        ("update_location", lambda: c.app.update_location(location_id=c.location_id, name=f"loc {tag}")),
        ("list_robots", lambda: c.app.list_robots(location_id=c.location_id)),
        ("update_fragment", lambda: c.app.update_fragment(id=c.fragment_id, name=f"frag {tag}")),
        ("get_robot_part", lambda: c.app.get_robot_part(id=c.part_id)),
        (
            "check_permissions",
            lambda: c.app.check_permissions(
                permissions=[
                    app_v1.AuthorizedPermissions(
                        resource_type="robot", resource_id=c.robot_id, permissions=["read_robot", "control_robot"]
                    )
                ]
            ),
        ),
        ("get_fragment", lambda: c.app.get_fragment(id=c.fragment_id)),
    ]
    return calls[i % len(calls)]


async def run_client(c: Client, calls: int, tally: Tally) -> None:
    """Set the client's own location, machine and fragment up (not counted), then make ``calls`` mixed calls."""
    location = await c.app.create_location(organization_id=c.org_id, name=f"bench location {c.index}")
    assert location.location is not None
    c.location_id = location.location.id
    c.robot_id = (await c.app.new_robot(name=f"bench robot {c.index}", location=c.location_id)).id
    parts = await c.app.get_robot_parts(robot_id=c.robot_id)
    c.part_id = next(part.id for part in parts.parts if part.main_part)
    fragment = await c.app.create_fragment(name=f"bench fragment {c.index}", organization_id=c.org_id)
    assert fragment.fragment is not None
    c.fragment_id = fragment.fragment.id
    for i in range(calls):
        name, call = mix(c, i)
        started = time.perf_counter()
        try:
            await call()
        except Exception as exc:  # a load check counts every failure, whatever its kind
            tally.errors[f"{name}: {type(exc).__name__}: {exc}"[:200]] += 1
        finally:
            took = time.perf_counter() - started
            tally.latencies.append(took)
            tally.by_call.setdefault(name, []).append(took)
            tally.calls[name] += 1


async def load(fleet: LocalFleet, clients: int, calls: int) -> Tally:
    tally = Tally()
    connections = [await connect(fleet, n) for n in range(clients)]
    try:
        started = time.perf_counter()
        await asyncio.gather(*(run_client(client, calls, tally) for _, client in connections))
        elapsed = time.perf_counter() - started
    finally:
        for channel, _ in connections:
            channel.close()
    total = sum(tally.calls.values())
    latencies = sorted(tally.latencies)
    print(f"local fleet load: {clients} clients x {calls} mixed calls = {total} calls in {elapsed:.2f} s")
    print(f"  throughput: {total / elapsed:.0f} requests/s")
    print(
        f"  latency: median {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms"
    )
    for name, took in sorted(tally.by_call.items(), key=lambda item: -statistics.mean(item[1])):
        print(f"    {name:<20} n={len(took):<5} mean {statistics.mean(took) * 1000:7.1f} ms")
    print(f"  errors: {sum(tally.errors.values())}")
    for message, count in tally.errors.most_common(10):
        print(f"    {count} x {message}")
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: in-memory)")
    args = parser.parse_args(argv)
    with LocalFleet(args.db) as fleet:
        tally = asyncio.run(load(fleet, args.clients, args.calls))
    expected = args.clients * args.calls
    if sum(tally.calls.values()) != expected:
        print(f"FAIL: {sum(tally.calls.values())} calls made, expected {expected}")
        return 1
    if tally.errors:
        print("FAIL: the load check must finish with zero errors")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
