"""The demo's async section: a few of the same calls made concurrently with one ``AsyncAppClient``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence

from ..aio import AsyncAppClient
from .narrate import Narrator
from .output import Column

__all__ = ("concurrent_section",)

_COLUMNS = (Column("CALL", "call"), Column("RESULT", "result"))


async def concurrent_section(
    say: Narrator,
    credentials: Mapping[str, str],
    location_id: str,
    machine_ids: Sequence[str],
    part_id: str,
    timeout: float | None,
) -> None:
    """Connect an :class:`AsyncAppClient`, create machines and read the fleet concurrently, print the results."""
    say.section("The same with AsyncAppClient, concurrently (asyncio.gather)")
    async with await AsyncAppClient.connect(
        credentials["url"],
        api_key=credentials["api_key"],
        api_key_id=credentials["api_key_id"],
        location_id=location_id,
        timeout=timeout,
    ) as cloud:
        started = time.perf_counter()
        new_ids = await asyncio.gather(*(cloud.new_robot(f"drone-{n}") for n in (1, 2, 3)))
        robots, parts_1, parts_2, errors = await asyncio.gather(
            cloud.list_robots(),
            cloud.get_robot_parts(machine_ids[0]),
            cloud.get_robot_parts(machine_ids[1]),
            cloud.get_robot_part_logs(part_id, log_levels=["error"], num_log_entries=0),
        )
        elapsed_ms = 1000 * (time.perf_counter() - started)
    say.line("async with await AsyncAppClient.connect(url, api_key=..., api_key_id=..., location_id=...) as cloud:")
    rows = [
        {"call": 'gather(cloud.new_robot("drone-1"), ... "drone-3")', "result": f"{len(new_ids)} new machine ids"},
        {"call": "cloud.list_robots()", "result": ", ".join(sorted(r.name for r in robots))},
        {"call": "cloud.get_robot_parts(rover-1)", "result": ", ".join(p.name for p in parts_1)},
        {"call": "cloud.get_robot_parts(rover-2)", "result": ", ".join(p.name for p in parts_2)},
        {"call": 'cloud.get_robot_part_logs(..., log_levels=["error"])', "result": f"{len(errors)} entries"},
    ]
    say.table(rows, _COLUMNS)
    say.line(f"all of it in {elapsed_ms:.0f} ms")
