"""The local server benchmark's raw readers measure what they claim: every entry of every page, counted undecoded.

No timings are asserted here; ``python -m bench.local`` measures.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest

from bench import __main__ as harness
from bench import fixtures
from bench import local as bench_local
from fleetwire import AsyncAppClient
from fleetwire.local import LocalFleet
from fleetwire_api.services import RobotServiceAsyncClient, codec
from fleetwire_api.viam.app import v1 as app

pytestmark = pytest.mark.anyio


def test_count_page_counts_entries_and_reads_the_token_of_encoded_pages() -> None:
    for n, token in ((0, ""), (1, ""), (100, "next-page"), (3, "t" * 300)):
        page = fixtures.log_page(n, next_page_token=token)
        assert bench_local.count_page(codec.encode(page)) == (n, token)
    long_entry = app.GetRobotPartLogsResponse(logs=[fixtures.log_entry(0)] * 2)
    long_entry.logs[0].message = "m" * 20_000  # a three-byte length
    assert bench_local.count_page(codec.encode(long_entry)) == (2, "")
    encoded = codec.encode(fixtures.log_page(2))
    for broken in (encoded[:-1], encoded + b"\x0a", b"\x1a\x00"):  # cut short, a dangling key, an unknown field
        with pytest.raises(ValueError):
            bench_local.count_page(broken)


async def test_raw_readers_read_every_entry_of_every_page(fleet: LocalFleet) -> None:
    client = await AsyncAppClient.connect(fleet.address, api_key=fleet.api_key, api_key_id=fleet.api_key_id)
    try:
        robot_id = await client.new_robot("bench-logs", fleet.location_id)
        part_id = (await client.get_robot_parts(robot_id))[0].id
        robot = RobotServiceAsyncClient(client.raw.channel, metadata=client.raw.metadata)
        now = datetime.datetime.now(datetime.timezone.utc)
        entries = [bench_local._entry(i, now) for i in range(250)]  # three pages of the server's default 100
        await robot.log(request=app.LogRequest(id=part_id, logs=entries))
        clock_calls: list[int] = []

        def cpu() -> tuple[float, float]:
            clock_calls.append(1)
            return time.process_time(), time.process_time()

        for readers in (1, 3):
            clock_calls.clear()
            read, seconds, server_cpu, reader_cpu = await bench_local._served(
                fleet.address, client.raw.metadata, part_id, readers, cpu
            )
            assert read == 250 * readers
            assert seconds > 0 and server_cpu >= 0 and reader_cpu >= 0
            assert len(clock_calls) == 2  # the CPU is read around the timed reads only
    finally:
        await client.close()


def test_table_reports_both_served_figures() -> None:
    local: dict[str, Any] = {
        "mixed_rps": 2100.0,
        "mixed_requests": 10_000,
        "ingest_entries_per_s": 25_000.0,
        "serve_entries_per_s": 26_000.0,
        "log_entries": 50_000,
        "served_entries_per_s": 81_000.0,
        "served_concurrent_entries_per_s": 97_000.0,
        "served_concurrent_readers": 4,
        "served_concurrent_server_cpu_us_per_entry": 6.5,
    }
    text = harness.table({"codec": "fast", "clients": [], "local_server": local})
    for figure in ("26,000/s end to end", "81,000/s to one", "97,000/s to 4 at once", "6.5 us of server CPU"):
        assert figure in text
