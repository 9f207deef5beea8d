"""Peak memory of one log workload, in a fresh process: ``python -m bench.memory PORT CLIENT MODE ENTRIES [CODEC]``.

Prints ``{"peak_rss_growth_mb": ..., "entries": ...}``: the highest resident set size seen during the call (sampled
every millisecond by a thread) minus the resident set just before it (client connected, everything imported, one small
call made). RSS rather than tracemalloc so the official client's C allocations (upb) count too; sampled rather than
``ru_maxrss``, whose high-water mark is usually set by the imports.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading

from grpclib.client import Channel

from .clients import METADATA

PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


class Peak:
    """The highest RSS seen while running, sampled from a thread."""

    def __init__(self) -> None:
        self.base = _rss_mb()
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.001):
            self.peak = max(self.peak, _rss_mb())

    def growth(self) -> float:
        self._stop.set()
        self._thread.join()
        return max(self.peak, _rss_mb()) - self.base


async def main(port: int, client_name: str, mode: str, entries: int, codec: str) -> None:
    channel = Channel("127.0.0.1", port)
    part = f"logs-{entries}"
    if client_name == "official":
        from viam.app.app_client import AppClient

        official = AppClient(channel, METADATA)
        await official.get_robot("warm-up")
        peak = Peak()
        count = len(await official.get_robot_part_logs(part, num_log_entries=0))
    else:
        if codec == "betterproto2":
            from . import reference_codec

            reference_codec.install()
        from fleetwire import AsyncAppClient

        ours = AsyncAppClient(channel, METADATA)
        await ours.get_robot("warm-up")
        peak = Peak()
        if mode == "stream":
            count = 0
            async with ours.iter_robot_part_logs(part) as stream:
                async for _ in stream:
                    count += 1
        else:
            count = len(await ours.get_robot_part_logs(part, num_log_entries=0))
    growth = peak.growth()
    channel.close()
    print(json.dumps({"peak_rss_growth_mb": round(growth, 1), "entries": count}))


if __name__ == "__main__":
    port, client_name, mode, entries = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    asyncio.run(main(port, client_name, mode, entries, sys.argv[5] if len(sys.argv) > 5 else "fast"))
