"""Throughput of fleetwire's local fleet server (``fleetwire.local.LocalFleet``), served from its own process.

- mixed requests/s: 50 concurrent clients, each making a fixed cycle of reads and writes (get/list/update machines and
  parts, locations, logs), every call checked;
- log entries/s ingested through ``RobotService.Log`` (batches of 100, 8 pushes in flight);
- log entries/s served through ``GetRobotPartLogs`` (every page, following the page token), measured two ways:
  end to end, by our ``AsyncAppClient`` decoding every entry into ``LogEntry`` objects (``serve_*``), and as the
  server's own capacity, by readers that fetch the same pages over real gRPC but only count the entries in each
  reply's bytes (``served_*``: one reader; ``served_concurrent_*``: ``SERVED_READERS`` at once). The client shares
  this machine's two cores with the server and, on its own, decodes well under 50,000 entries/s, so the end-to-end
  figure measures the client at least as much as the server.

Besides wall-clock rates, each phase reports the CPU seconds the server process and the load-generating process
spent in it (``*_server_cpu_s``, ``*_client_cpu_s``): both share this machine's cores, so the wall-clock rate is capped
by the clients too, while requests per server CPU second is what the server alone can sustain on one core.

``python -m bench.local instructions [CALLS_PER_CLIENT]`` counts the server's instructions per mixed request under
valgrind (see :func:`instructions`): a measure that other load on the machine does not move.

``python -m bench.local serve CODEC`` is the server process: it prints its credentials as JSON, answers each line
read from stdin with its CPU time so far (all threads), and serves until its stdin closes. CODEC "fast" serves with
the generated codec, "betterproto2" with grpclib's default (the baseline).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from . import fixtures
from .processes import stop

MIXED_CLIENTS = 50
SERVED_READERS = 4
"""Concurrent raw readers in the second served-capacity measurement."""

_LOGS_PATH = "/viam.app.v1.AppService/GetRobotPartLogs"


def _listener_with_nodelay(host: str, port: int) -> Any:
    """``open_listener`` with the socket made as asyncio makes its own (proto IPPROTO_TCP), so that asyncio turns on
    TCP_NODELAY for accepted connections. Used only with ``--nodelay``, to show what that one-line fix is worth."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def serve(codec: str, nodelay: bool = False) -> None:
    import grpclib.server
    from grpclib.encoding.proto import ProtoCodec

    import fleetwire.local.server as local_server
    from fleetwire.local import LocalFleet
    from fleetwire_api.services import FastCodec

    chosen = FastCodec() if codec == "fast" else ProtoCodec()

    def server(*args: Any, **kwargs: Any) -> grpclib.server.Server:
        kwargs["codec"] = chosen  # whichever codec the server module picks, measure the one asked for
        return grpclib.server.Server(*args, **kwargs)

    local_server.Server = server  # type: ignore[assignment]
    if nodelay and hasattr(local_server, "open_listener"):
        local_server.open_listener = _listener_with_nodelay  # type: ignore[assignment]

    async def run() -> None:
        async with LocalFleet() as fleet:
            print(json.dumps({**fleet.credentials(), "location_id": fleet.location_id}), flush=True)
            while await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline):
                print(json.dumps({"cpu": time.process_time()}), flush=True)

    asyncio.run(run())


CpuClock = Callable[[], tuple[float, float]]
"""CPU seconds used so far by (the server process, this process)."""


async def _mixed(
    url: str, key_id: str, key: str, location_id: str, calls_per_client: int, cpu: CpuClock
) -> dict[str, float]:
    from fleetwire import AsyncAppClient

    setup = await AsyncAppClient.connect(url, api_key=key, api_key_id=key_id, location_id=location_id)
    robot_ids = [await setup.new_robot(f"bench-{i}", location_id) for i in range(MIXED_CLIENTS)]
    parts = [(await setup.get_robot_parts(robot_id))[0].id for robot_id in robot_ids]
    clients = [
        await AsyncAppClient.connect(url, api_key=key, api_key_id=key_id, location_id=location_id)
        for _ in range(MIXED_CLIENTS)
    ]
    small_config = {"components": [{"name": "motor", "api": "rdk:component:motor", "model": "fake"}]}

    async def one(client: Any, i: int) -> int:
        robot_id, part_id = robot_ids[i], parts[i]
        cycle = (
            lambda: client.get_robot(robot_id),
            lambda: client.list_robots(location_id),
            lambda: client.get_robot_part(part_id),
            lambda: client.get_robot_parts(robot_id),
            lambda: client.get_location(location_id),
            lambda: client.get_robot_part_logs(part_id, num_log_entries=10),
            lambda: client.update_robot(robot_id, f"bench-{i}", location_id),
            lambda: client.update_robot_part(part_id, "main", small_config),
        )
        for n in range(calls_per_client):
            await cycle[n % len(cycle)]()
        return calls_per_client

    server_cpu, client_cpu = cpu()
    start = time.perf_counter()
    done = sum(await asyncio.gather(*(one(client, i) for i, client in enumerate(clients))))
    elapsed = time.perf_counter() - start
    server_cpu, client_cpu = (now - before for now, before in zip(cpu(), (server_cpu, client_cpu), strict=True))
    for client in (setup, *clients):
        await client.close()
    return {
        "mixed_requests": done,
        "mixed_seconds": elapsed,
        "mixed_rps": done / elapsed,
        "mixed_server_cpu_s": server_cpu,
        "mixed_client_cpu_s": client_cpu,
        "mixed_requests_per_server_cpu_s": done / server_cpu,
    }


async def _logs(url: str, key_id: str, key: str, location_id: str, total: int, cpu: CpuClock) -> dict[str, float]:
    from fleetwire import AsyncAppClient
    from fleetwire_api.services import RobotServiceAsyncClient
    from fleetwire_api.viam.app import v1 as app

    client = await AsyncAppClient.connect(url, api_key=key, api_key_id=key_id, location_id=location_id)
    robot_id = await client.new_robot("bench-logs", location_id)
    part_id = (await client.get_robot_parts(robot_id))[0].id
    robot = RobotServiceAsyncClient(client.raw.channel, metadata=client.raw.metadata)
    batch = 100
    now = datetime.datetime.now(datetime.timezone.utc)
    batches = [
        app.LogRequest(id=part_id, logs=[_entry(i * batch + j, now) for j in range(batch)])
        for i in range(total // batch)
    ]
    queue = list(batches)

    async def pusher() -> None:
        while queue:
            await robot.log(request=queue.pop())

    cpu0 = cpu()
    start = time.perf_counter()
    await asyncio.gather(*(pusher() for _ in range(8)))
    ingest = time.perf_counter() - start
    cpu1 = cpu()
    start = time.perf_counter()
    served = len(await client.get_robot_part_logs(part_id, num_log_entries=0))
    serve_seconds = time.perf_counter() - start
    cpu2 = cpu()
    raw: dict[str, float] = {"served_concurrent_readers": SERVED_READERS}
    for readers, label in ((1, "served"), (SERVED_READERS, "served_concurrent")):
        read, seconds, server_cpu, reader_cpu = await _served(url, client.raw.metadata, part_id, readers, cpu)
        assert read == total * readers, (read, total, readers)
        raw[f"{label}_entries_per_s"] = read / seconds
        raw[f"{label}_server_cpu_us_per_entry"] = server_cpu / read * 1e6
        raw[f"{label}_reader_cpu_us_per_entry"] = reader_cpu / read * 1e6
    await client.close()
    assert served == total, (served, total)
    return {
        "log_entries": total,
        "ingest_seconds": ingest,
        "ingest_entries_per_s": total / ingest,
        "ingest_server_cpu_s": cpu1[0] - cpu0[0],
        "ingest_client_cpu_s": cpu1[1] - cpu0[1],
        "serve_seconds": serve_seconds,
        "serve_entries_per_s": total / serve_seconds,
        "serve_server_cpu_s": cpu2[0] - cpu1[0],
        "serve_client_cpu_s": cpu2[1] - cpu1[1],
        "serve_entries_per_server_cpu_s": total / (cpu2[0] - cpu1[0]),
        **raw,
    }


def count_page(data: bytes) -> tuple[int, str]:
    """The number of entries in an encoded ``GetRobotPartLogsResponse`` and its next page token.

    The client's own page scan (``fleetwire.logs.scan_page``): top-level fields only, each entry skipped by its length,
    never decoded. A page it cannot read (another field, a truncated one) raises ``ValueError``.
    """
    from fleetwire.logs import scan_page

    scanned = scan_page(data)
    if scanned is None:
        raise ValueError("not a GetRobotPartLogsResponse in the usual layout")
    return scanned


async def _served(
    url: str, metadata: Any, part_id: str, readers: int, cpu: CpuClock
) -> tuple[int, float, float, float]:
    """``readers`` concurrent readers, each on its own connection, each reading every page of ``part_id``'s logs
    (the requests our client sends) and counting the entries in the raw replies.

    Returns the entries read, the seconds it took, and the CPU seconds the server and the readers spent meanwhile.
    """
    from grpclib.client import Channel
    from grpclib.const import Cardinality

    from fleetwire_api.services import FastCodec
    from fleetwire_api.services._runtime import coalesce_writes
    from fleetwire_api.viam.app.v1 import GetRobotPartLogsRequest

    class RawReplies(FastCodec):
        """The clients' codec, handing replies of type ``bytes`` over undecoded."""

        def decode(self, data: bytes, message_type: Any) -> Any:
            return bytes(data) if message_type is bytes else super().decode(data, message_type)

    host, _, port = url.rpartition(":")
    channels = [coalesce_writes(Channel(host, int(port), codec=RawReplies())) for _ in range(readers)]

    async def read_all(channel: Channel) -> int:
        entries, token = 0, ""
        while True:
            request = GetRobotPartLogsRequest(id=part_id, filter="", page_token=token, levels=[])
            async with channel.request(
                _LOGS_PATH, Cardinality.UNARY_UNARY, GetRobotPartLogsRequest, bytes, metadata=metadata
            ) as stream:
                await stream.send_message(request, end=True)
                reply = await stream.recv_message()
            assert reply is not None
            count, token = count_page(reply)
            entries += count
            if not token:
                return entries

    try:
        await read_all(channels[0])  # connect (and warm) every channel before the clock starts
        await asyncio.gather(*(channel.__connect__() for channel in channels[1:]))
        server_cpu, reader_cpu = cpu()
        start = time.perf_counter()
        read = sum(await asyncio.gather(*(read_all(channel) for channel in channels)))
        elapsed = time.perf_counter() - start
        server_after, reader_after = cpu()
        return read, elapsed, server_after - server_cpu, reader_after - reader_cpu
    finally:
        for channel in channels:
            channel.close()


def _entry(i: int, now: datetime.datetime) -> Any:
    entry = fixtures.log_entry(i)
    entry.time = now - datetime.timedelta(microseconds=i)
    return entry


def instructions(calls_per_client: int, out: str) -> dict[str, float]:
    """The server's machine instructions per mixed request, counted by valgrind's callgrind: a profiling aid.

    CPU seconds swing by tens of percent on a shared two-core machine; instruction counts barely move from run to
    run, so they show a change of a few percent in the server's own work. The server runs under callgrind with its
    instrumentation switched on only for the mixed phase (``callgrind_control``), and ``out`` receives the profile
    (``callgrind_annotate out``). The client runs at full speed beside a server slowed down tens of times, so the
    count includes one-time work (first calls of each kind): compare runs with the same ``calls_per_client``.
    ``python -m bench.local instructions [CALLS_PER_CLIENT]``; needs valgrind.
    """
    import re

    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"]
    command += [sys.executable, "-m", "bench.local", "serve", "fast"]
    server = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    switched = 0
    try:
        assert server.stdout is not None
        stdout, stdin = server.stdout, server.stdin
        creds = json.loads(stdout.readline())

        def cpu() -> tuple[float, float]:  # _mixed reads the clocks once before and once after the phase
            nonlocal switched
            assert stdin is not None
            stdin.write("cpu\n")
            stdin.flush()
            seconds = float(json.loads(stdout.readline())["cpu"])
            switched += 1
            state = "on" if switched == 1 else "off"
            subprocess.run(["callgrind_control", "-i", state, str(server.pid)], check=True, capture_output=True)
            return seconds, time.process_time()

        url = creds["url"].removeprefix("http://").removeprefix("grpc://")
        result = asyncio.run(
            _mixed(url, creds["api_key_id"], creds["api_key"], creds["location_id"], calls_per_client, cpu)
        )
    finally:
        stop(server)
    with open(out, encoding="utf-8") as profile:
        totals = re.search(r"^totals: (\d+)", profile.read(), re.MULTILINE)
    assert totals is not None, f"no totals in {out}"
    return {
        "mixed_requests": result["mixed_requests"],
        "instructions_per_request": int(totals[1]) / result["mixed_requests"],
    }


def measure(codec: str, calls_per_client: int, log_entries: int, nodelay: bool = False) -> dict[str, float]:
    """Start a server process with ``codec``, load it, stop it; return the figures."""
    command = [sys.executable, "-m", "bench.local", "serve", codec, *(["--nodelay"] if nodelay else [])]
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        stdout, stdin = server.stdout, server.stdin
        creds = json.loads(stdout.readline())
        url, key_id, key, location_id = creds["url"], creds["api_key_id"], creds["api_key"], creds["location_id"]
        url = url.removeprefix("http://").removeprefix("grpc://")

        def cpu() -> tuple[float, float]:
            assert stdin is not None
            stdin.write("cpu\n")
            stdin.flush()
            return float(json.loads(stdout.readline())["cpu"]), time.process_time()

        result = asyncio.run(_mixed(url, key_id, key, location_id, calls_per_client, cpu))
        result.update(asyncio.run(_logs(url, key_id, key, location_id, log_entries, cpu)))
        return result
    finally:
        stop(server)


if __name__ == "__main__":
    nodelay = "--nodelay" in sys.argv
    args = [arg for arg in sys.argv[1:] if arg != "--nodelay"]
    if args[:1] == ["serve"]:
        serve(args[1] if len(args) > 1 else "fast", nodelay)
    elif args[:1] == ["instructions"]:
        calls = int(args[1]) if len(args) > 1 else 16
        import tempfile
        from pathlib import Path

        profile = Path(tempfile.gettempdir()) / f"fleetwire-server-{calls}.callgrind"
        print(json.dumps(instructions(calls, str(profile)), indent=2))
        print(f"profile: {profile} (callgrind_annotate {profile})", file=sys.stderr)
    else:
        print(json.dumps(measure(args[0] if args else "fast", 40, 2000, nodelay), indent=2))
