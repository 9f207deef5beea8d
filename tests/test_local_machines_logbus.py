"""The log bus on its own: no loss under backpressure, bounded memory for a stuck subscriber, ordered publications."""

from __future__ import annotations

import asyncio

import anyio
import pytest
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from fleetwire.local.services.logbus import LogBus
from fleetwire_api.viam.common.v1 import LogEntry

pytestmark = pytest.mark.anyio


def entries(start: int, count: int, level: str = "info") -> list[LogEntry]:
    return [LogEntry(level=level, message=f"{i:04d}") for i in range(start, start + count)]


def everything(_: LogEntry) -> bool:
    return True


async def test_a_reading_subscriber_loses_nothing_through_a_tiny_buffer() -> None:
    bus = LogBus(capacity=4, publish_timeout=10)
    got: list[str] = []
    async with bus.subscribe("p", everything) as sub:

        async def publish() -> None:
            for start in range(0, 200, 7):
                async with bus.publishing("p"):
                    await bus.publish("p", entries(start, min(7, 200 - start)))

        publisher = asyncio.create_task(publish())
        with anyio.fail_after(10):
            while len(got) < 200:
                batch = await sub.next_batch(3)
                assert 0 < len(batch) <= 3 and sub.buffered <= 4
                got.extend(e.message for e in batch)
            await publisher
    assert got == [f"{i:04d}" for i in range(200)]
    assert bus.subscriber_count("p") == 0


async def test_a_stuck_subscriber_is_disconnected_and_holds_at_most_capacity() -> None:
    bus = LogBus(capacity=3, publish_timeout=0.05)
    async with bus.subscribe("p", everything) as stuck, bus.subscribe("p", lambda e: e.level == "error") as errors:
        with anyio.fail_after(5):
            await bus.publish("p", entries(0, 5))  # waits publish_timeout for `stuck`, then cuts it off
            await bus.publish("p", entries(5, 5, level="error"))  # no wait now: `stuck` is gone
        assert stuck.buffered == 3
        assert [e.message for e in await stuck.next_batch()] == ["0000", "0001", "0002"]
        with pytest.raises(GRPCError) as caught:
            await stuck.next_batch()
        assert caught.value.status == Status.RESOURCE_EXHAUSTED
        # The filtered subscriber only ever buffered what it accepts, so it was never full and lost nothing.
        assert [e.message for e in await errors.next_batch()] == ["0005", "0006", "0007"]
    assert bus.subscriber_count("p") == 0


async def test_ending_a_part_finishes_its_subscriptions_only() -> None:
    bus = LogBus()
    async with bus.subscribe("gone", everything) as gone, bus.subscribe("kept", everything) as kept:
        await bus.publish("gone", entries(0, 2))
        await bus.end_part("gone")
        assert len(await gone.next_batch()) == 2  # what was buffered is still delivered
        assert await gone.next_batch() == []
        await bus.publish("kept", entries(0, 1))
        assert len(await kept.next_batch()) == 1
        await bus.close()
        assert await kept.next_batch() == []


async def test_subscriber_count_waiters_wake_on_changes() -> None:
    bus = LogBus()
    waiter = asyncio.create_task(bus.wait_for_subscribers("p", 2))
    async with bus.subscribe("p", everything), bus.subscribe("p", everything):
        with anyio.fail_after(5):
            await waiter
        closing = asyncio.create_task(bus.wait_for_subscribers("p", 0))
    with anyio.fail_after(5):
        await closing
    with pytest.raises(ValueError):
        LogBus(capacity=0)
