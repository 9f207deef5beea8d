"""The benchmark harness measures what it claims: both clients get the same, complete answers from the canned server.

No timings are asserted here; ``python -m bench`` measures.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, cast

from grpclib.client import Channel
from grpclib.server import Server

from bench import __main__ as harness
from bench import fixtures
from bench.server import Auth, Canned, CannedCodec

METADATA = {"authorization": "Bearer bench-token"}


async def _serve() -> tuple[Server, int]:
    server = Server([Canned(), Auth()], codec=CannedCodec())
    await server.start("127.0.0.1", 0)
    listening = cast("asyncio.Server", server._server)
    return server, listening.sockets[0].getsockname()[1]


def test_both_clients_get_the_same_complete_answers() -> None:
    from viam.app.app_client import AppClient as OfficialClient

    from fleetwire import AsyncAppClient

    async def scenario() -> None:
        server, port = await _serve()
        ours_channel, official_channel = Channel("127.0.0.1", port), Channel("127.0.0.1", port)
        try:
            ours, official = AsyncAppClient(ours_channel, METADATA), OfficialClient(official_channel, METADATA)
            our_logs = await ours.get_robot_part_logs("logs-1000", num_log_entries=0)
            their_logs = await official.get_robot_part_logs("logs-1000", num_log_entries=0)
            assert len(our_logs) == len(their_logs) == 1000
            # The official client returns naive UTC datetimes, ours aware ones (as the issue asks): compare instants.
            assert [(e.message, e.time and e.time.replace(tzinfo=None), e.caller) for e in our_logs] == [
                (e.message, e.time, e.caller) for e in their_logs
            ]
            streamed = 0
            async with ours.iter_robot_part_logs("logs-1000") as entries:
                async for _ in entries:
                    streamed += 1
            assert streamed == 1000
            our_robots = await ours.list_robots("n100")
            their_robots = await official.list_robots("n100")
            assert (
                [r.id for r in our_robots] == [r.id for r in their_robots] == [fixtures.robot(i).id for i in range(100)]
            )
            our_part = await ours.get_robot_part("part")
            their_part = await official.get_robot_part("part")
            assert our_part.robot_config == their_part.robot_config == fixtures.config()
        finally:
            ours_channel.close()
            official_channel.close()
            server.close()
            await server.wait_closed()

    asyncio.run(scenario())


def test_table_shows_every_ratio() -> None:
    report: dict[str, Any] = {
        "codec": "fast",
        "clients": [
            {
                "name": "list_robots, 100 machines",
                "unit": "ms/call",
                "median": {"official": 2.0, "fleetwire async": 1.0, "fleetwire blocking": 3.0},
            },
            {
                "name": "logs 10,000 (list)",
                "unit": "s",
                "median": {"official": 1.0, "fleetwire async": 0.5, "fleetwire blocking": 0.8},
            },
            {
                "name": "logs 10,000 (stream)",
                "unit": "s",
                "median": {"fleetwire async": 0.25, "fleetwire blocking": 2.0},
            },
        ],
        "import_seconds": {"fleetwire": 0.1, "official": 0.4},
        "first_call_seconds": {"official": 0.4, "fleetwire async": 0.3, "fleetwire blocking": 0.7},
    }
    text = harness.table(report)
    for ratio in ("0.50×", "1.50×", "0.80×", "0.25×", "2.00×", "0.75×", "1.75×"):  # noqa: RUF001 - the times sign
        assert ratio in text
    assert "(its list)" in text


def test_first_call_measures_a_real_answer_for_every_client() -> None:
    """``bench.first_call`` connects, calls and checks the answer in its own process, for each client it times."""

    async def scenario() -> list[float]:
        server, port = await _serve()
        try:
            elapsed: list[float] = []
            for client in ("official", "async", "blocking"):
                child = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bench.first_call", str(port), client, stdout=asyncio.subprocess.PIPE
                )
                out, _ = await asyncio.wait_for(child.communicate(), 60)
                assert child.returncode == 0, client
                elapsed.append(float(out))
            return elapsed
        finally:
            server.close()
            await server.wait_closed()

    assert all(seconds > 0 for seconds in asyncio.run(scenario()))
