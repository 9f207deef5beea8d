"""Machine part logs over real gRPC: ingestion through RobotService.Log, paging newest first across thousands of
entries, filters, and live tails (order, per-subscriber filters, early close, slow subscribers).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import anyio
import pytest
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from test_local_machines import Conn, connect, new_machine, status_of

from fleetwire.local.fleet import LocalFleet
from fleetwire_api.viam.app import v1 as app
from fleetwire_api.viam.common.v1 import LogEntry

pytestmark = pytest.mark.anyio

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def entry(message: str, level: str = "info", when: datetime | None = None) -> LogEntry:
    return LogEntry(host="sim", level=level, time=when, logger_name="rdk.sim", message=message)


async def read_all(conn: Conn, part_id: str, **query: object) -> list[LogEntry]:
    """Follow page tokens to the end; fail if a page token repeats."""
    got: list[LogEntry] = []
    tokens: set[str] = set()
    token = ""
    while True:
        page = await conn.app.get_robot_part_logs(id=part_id, page_token=token, **query)  # type: ignore[arg-type]
        got.extend(page.logs)
        token = page.next_page_token
        if not token:
            return got
        assert token not in tokens
        tokens.add(token)


async def test_thousands_of_entries_page_newest_first_without_duplicates(fleet: LocalFleet, owner: Conn) -> None:
    _, part_id = await new_machine(owner, fleet.location_id, "chatty")
    # Three entries share each millisecond: ties are broken by push order (the later push is newer).
    pushed = [entry(f"m{i:05d}", when=START + timedelta(milliseconds=i // 3)) for i in range(3000)]
    for batch in range(0, 3000, 1000):
        await owner.robot.log(id=part_id, logs=pushed[batch : batch + 1000])
    newest_first = [e.message for e in reversed(pushed)]

    first = await owner.app.get_robot_part_logs(id=part_id)
    assert [e.message for e in first.logs] == newest_first[:100] and first.next_page_token
    # Entries that arrive while paging are newer than the cursor: they neither shift nor duplicate the pages.
    await owner.robot.log(id=part_id, logs=[entry(f"late{i}", when=START + timedelta(hours=1)) for i in range(10)])
    rest = await read_all(owner, part_id, limit=250)
    assert [e.message for e in rest][:10] == [f"late{i}" for i in reversed(range(10))]
    assert [e.message for e in rest][10:] == newest_first

    token = first.next_page_token
    remaining: list[str] = []
    while token:
        page = await owner.app.get_robot_part_logs(id=part_id, page_token=token)
        remaining.extend(e.message for e in page.logs)
        token = page.next_page_token
    assert remaining == newest_first[100:]

    oldest_first = await read_all(owner, part_id, order=app.LogOrder.ASCENDING, limit=1000)
    assert [e.message for e in oldest_first][:3000] == [e.message for e in pushed]
    stored = oldest_first[0]
    assert (stored.host, stored.logger_name, stored.time) == ("sim", "rdk.sim", START)


@pytest.mark.filterwarnings("ignore:GetRobotPartLogsRequest.errors_only is deprecated")
async def test_filters_levels_and_time_range(fleet: LocalFleet, owner: Conn) -> None:
    _, part_id = await new_machine(owner, fleet.location_id, "filtered")
    levels = ["debug", "info", "warn", "error", "Error"]
    pushed = [
        entry(f"entry {i:02d}" + (" needle" if i % 4 == 0 else ""), levels[i % 5], START + timedelta(seconds=i))
        for i in range(40)
    ]
    await owner.robot.log(id=part_id, logs=pushed)

    def expect(keep: list[bool]) -> list[str]:
        return [e.message for e, k in zip(pushed, keep, strict=False) if k][::-1]

    needle = await read_all(owner, part_id, filter="needle")
    assert [e.message for e in needle] == expect(["needle" in e.message for e in pushed])
    assert await read_all(owner, part_id, filter="NEEDLE") == []  # a case-sensitive substring
    warn_or_error = await read_all(owner, part_id, levels=["WARN", "error"])
    assert [e.message for e in warn_or_error] == expect([e.level.lower() in ("warn", "error") for e in pushed])
    errors = await read_all(owner, part_id, errors_only=True)
    assert [e.message for e in errors] == expect([e.level.lower() == "error" for e in pushed])
    assert await read_all(owner, part_id, errors_only=True, levels=["info"]) == []
    window = await read_all(owner, part_id, start=START + timedelta(seconds=10), end=START + timedelta(seconds=19))
    assert [e.message for e in window] == [
        f"entry {i:02d}" + (" needle" if i % 4 == 0 else "") for i in range(19, 9, -1)
    ]
    combined = await read_all(owner, part_id, filter="needle", levels=["debug"], limit=1)
    assert [e.message for e in combined] == expect(["needle" in e.message and e.level == "debug" for e in pushed])

    # Entries pushed without a time get the time they arrived.
    before = datetime.now(timezone.utc)
    await owner.robot.log(id=part_id, logs=[entry("untimed")])
    newest = (await owner.app.get_robot_part_logs(id=part_id, limit=1)).logs[0]
    assert newest.message == "untimed" and newest.time is not None and newest.time >= before - timedelta(seconds=1)

    # Bad input.
    _, other_part = await new_machine(owner, fleet.location_id, "other")
    token = (await owner.app.get_robot_part_logs(id=part_id, limit=1)).next_page_token
    for call, field in [
        (owner.app.get_robot_part_logs(id=other_part, page_token=token), "page_token"),
        (owner.app.get_robot_part_logs(id=part_id, page_token="%%%"), "page_token"),
        (owner.app.get_robot_part_logs(id=part_id, limit=-5), "limit"),
        (owner.app.get_robot_part_logs(id="x"), "id"),
        (owner.app.get_robot_part_logs(id=part_id, start=START + timedelta(days=1), end=START), "start"),
        (owner.robot.log(id="x", logs=[]), "id"),
    ]:
        status, message = await status_of(call)
        assert status == Status.INVALID_ARGUMENT and field in message, (field, message)


class Tail:
    """A raw ``TailRobotPartLogs`` stream whose entries a background task collects."""

    def __init__(self, conn: Conn, part_id: str, *, errors_only: bool = False, filter: str | None = None) -> None:
        self.stream: AsyncIterator[app.TailRobotPartLogsResponse] = conn.app.tail_robot_part_logs(
            id=part_id, errors_only=errors_only, filter=filter
        )
        self.entries: list[LogEntry] = []
        self.arrived = asyncio.Event()
        self.task = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        async for response in self.stream:
            assert response.logs, "a tail never sends an empty batch (the official SDK stops on one)"
            self.entries.extend(response.logs)
            self.arrived.set()

    async def collect(self, count: int) -> list[str]:
        with anyio.fail_after(10):
            while len(self.entries) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return [e.message for e in self.entries]

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, GRPCError):
            await self.task


async def test_tail_delivers_pushed_entries_in_order_with_filters(fleet: LocalFleet, owner: Conn) -> None:
    _, part_id = await new_machine(owner, fleet.location_id, "talker")
    _, quiet_id = await new_machine(owner, fleet.location_id, "quiet")
    bus = fleet.context.logs
    everything = Tail(owner, part_id)
    errors_with_needle = Tail(owner, part_id, errors_only=True, filter="needle")
    elsewhere = Tail(owner, quiet_id)
    try:
        with anyio.fail_after(10):
            await bus.wait_for_subscribers(part_id, 2)
            await bus.wait_for_subscribers(quiet_id, 1)
        live = [entry(f"live {i:03d}" + (" needle" if i % 2 else ""), "error" if i % 3 else "info") for i in range(300)]
        for i in range(0, 300, 7):
            await owner.robot.log(id=part_id, logs=live[i : i + 7])
        assert await everything.collect(300) == [e.message for e in live]
        wanted = [e.message for e in live if e.level == "error" and "needle" in e.message]
        assert await errors_with_needle.collect(len(wanted)) == wanted
        await owner.robot.log(id=quiet_id, logs=[entry("marker")])
        assert await elsewhere.collect(1) == ["marker"]
        # Stored too, in the same order.
        assert [e.message for e in await read_all(owner, part_id, order=app.LogOrder.ASCENDING)] == [
            e.message for e in live
        ]
    finally:
        for tail in (everything, errors_with_needle, elsewhere):
            await tail.close()


async def test_closed_tail_frees_its_subscription_and_deleted_part_ends_tails(fleet: LocalFleet, owner: Conn) -> None:
    robot_id, part_id = await new_machine(owner, fleet.location_id, "ephemeral")
    bus = fleet.context.logs
    tail = Tail(owner, part_id)
    with anyio.fail_after(10):
        await bus.wait_for_subscribers(part_id, 1)
    await owner.robot.log(id=part_id, logs=[entry("one")])
    assert await tail.collect(1) == ["one"]
    await tail.close()
    with anyio.fail_after(10):
        await bus.wait_for_subscribers(part_id, 0)
    await owner.robot.log(id=part_id, logs=[entry("nobody listens")])  # publishing to no one is fine

    # Deleting the machine ends its parts' tails normally (the stream finishes, no error).
    second = Tail(owner, part_id)
    with anyio.fail_after(10):
        await bus.wait_for_subscribers(part_id, 1)
        await owner.app.delete_robot(id=robot_id)
        await second.task
        await bus.wait_for_subscribers(part_id, 0)
    assert second.entries == []


async def test_slow_subscriber_is_cut_off_without_stalling_the_machine(fleet: LocalFleet, owner: Conn) -> None:
    _, part_id = await new_machine(owner, fleet.location_id, "firehose")
    bus = fleet.context.logs
    bus.capacity, bus.publish_timeout = 64, 1.0
    # Each party on its own connection (HTTP/2 flow control is per connection as well as per stream).
    slow_conn = await connect(fleet, fleet.api_key_id, fleet.api_key)
    reader_conn = await connect(fleet, fleet.api_key_id, fleet.api_key)
    # A subscriber that never reads: the transport's flow-control window fills, then its bounded buffer.
    stuck = slow_conn.app.tail_robot_part_logs(id=part_id)
    first_read = asyncio.ensure_future(stuck.__anext__())
    reader = Tail(reader_conn, part_id)
    with anyio.fail_after(10):
        await bus.wait_for_subscribers(part_id, 2)
    padding = "x" * 16_000
    total = 800
    with anyio.fail_after(60):  # every push returns: backpressure is bounded by publish_timeout
        for i in range(0, total, 50):
            await owner.robot.log(id=part_id, logs=[entry(f"{j:04d} {padding}") for j in range(i, i + 50)])
    # The subscriber that keeps reading got everything; the stuck one got a prefix, then RESOURCE_EXHAUSTED.
    assert [m[:4] for m in await reader.collect(total)] == [f"{j:04d}" for j in range(total)]
    received: list[str] = []
    with pytest.raises(GRPCError) as caught:
        with anyio.fail_after(30):
            received.extend(e.message[:4] for e in (await first_read).logs)
            async for response in stuck:
                received.extend(e.message[:4] for e in response.logs)
    assert caught.value.status == Status.RESOURCE_EXHAUSTED
    assert 0 < len(received) < total and received == [f"{j:04d}" for j in range(len(received))]
    await reader.close()
    with anyio.fail_after(10):
        await bus.wait_for_subscribers(part_id, 0)
    slow_conn.channel.close()
    reader_conn.channel.close()
