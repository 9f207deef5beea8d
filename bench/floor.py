"""``python -m bench.floor``: a ``list_robots`` call taken apart, beside the least any Python decoder must pay.

The harness compares whole calls. This splits ours into transport and decode, on the canned server's 100- and
5,000-machine answers, and sets two floors beside them, measured on the same bytes in the same process:

- **eager**: building the ``Robot`` dataclasses a decoder returns (each instance with its eight attributes, three
  strings and two datetimes) from field values already cut out of the message, so with no parsing at all;
- **deferred**: finding each element of the list and creating one bare ``Robot`` holding its bytes, the least a
  decoder that builds an element's fields only when they are first read must do before the call returns.

Each floor plus our transport, over the official client's whole call, is the lowest ratio that design could show
in the harness's "list_robots" rows. The figures are CPU time of this process (the client's side of the call), or
with ``instructions`` machine instructions counted by valgrind, which other load on the machine does not move.

    uv run python -m bench.floor                  # CPU time, a few seconds
    uv run python -m bench.floor instructions     # instructions (needs valgrind), several minutes
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import gc
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from fleetwire_api.services import _codec
from fleetwire_api.viam.app import v1 as app

from .clients import Official, OursAsync
from .micro import _time
from .processes import instructions_of, stop

__all__ = ("PARTS", "Fields", "build_eager", "cut_fields", "find_elements", "instructions", "measure", "repeat", "run")

LIST_ROBOTS = "/viam.app.v1.AppService/ListRobots"
PARTS = ("official call", "fleetwire call", "transport", "decode", "eager floor", "deferred floor")
_new = object.__new__
_fromtimestamp = datetime.datetime.fromtimestamp
_UTC = datetime.timezone.utc

Fields = tuple[bytes, bytes, bytes, float, float, app.OnlineState, int]
"""One machine's field values as a parser leaves them: the three strings' bytes, the two instants, state, seconds."""


def cut_fields(robots: list[app.Robot]) -> list[Fields]:
    """The values a parser would have cut out of each machine's bytes (prepared outside the measurement)."""
    return [
        (
            r.id.encode(),
            r.name.encode(),
            r.location.encode(),
            r.last_access.timestamp() if r.last_access else 0.0,
            r.created_on.timestamp() if r.created_on else 0.0,
            r.online_state,
            r.seconds_since_online,
        )
        for r in robots
    ]


def build_eager(values: list[Fields]) -> list[app.Robot]:
    """The eager floor: the machines a decoder returns, built from ready values in the fastest way CPython offers."""
    robots: list[app.Robot] = []
    append = robots.append
    robot_type = app.Robot
    for id_, name, location, last_access, created_on, state, seconds in values:
        m = _new(robot_type)
        m.id = id_.decode()
        m.name = name.decode()
        m.location = location.decode()
        m.last_access = _fromtimestamp(last_access, _UTC)
        m.created_on = _fromtimestamp(created_on, _UTC)
        m.online_state = state
        m.seconds_since_online = seconds
        m._unknown_fields = b""  # pyright: ignore[reportPrivateUsage]
        append(m)
    return robots


def find_elements(data: bytes) -> list[app.Robot]:
    """The deferred floor: one bare ``Robot`` per list element, holding the element's bytes (``_raw``), no fields.

    ``data`` is a ``ListRobotsResponse`` of machines only, as the canned server sends.
    """
    shells: list[app.Robot] = []
    append = shells.append
    robot_type = app.Robot
    pos, end = 0, len(data)
    while pos < end:
        n = data[pos + 1]
        pos += 2
        if n > 127:
            n, pos = _codec._varint(data, pos, n)  # pyright: ignore[reportPrivateUsage]
        m = _new(robot_type)
        m._raw = data[pos : pos + n]  # pyright: ignore[reportAttributeAccessIssue]
        append(m)
        pos += n
    return shells


def _paused(fn: Callable[[], Any]) -> Callable[[], Any]:
    """``fn`` with the cyclic collector paused, as the codec pauses it for a large message: the same advantage."""

    def run() -> Any:
        gc.disable()
        try:
            return fn()
        finally:
            gc.enable()

    return run


class _Parts:
    """The clients, the payload and the six timed parts of one list, set up against the canned server on ``port``."""

    def __init__(self, port: int, machines: int) -> None:
        self.loop = loop = asyncio.new_event_loop()
        self.official, self.ours = official, ours = Official(port, loop), OursAsync(port, loop)
        location = f"n{machines}"
        request = app.ListRobotsRequest(location_id=location)
        fetch = ours.client.raw.unary_unary_bytes
        data = loop.run_until_complete(fetch(LIST_ROBOTS, request))
        robots = _codec.decode(app.ListRobotsResponse, data).robots
        values = cut_fields(robots)
        assert len(robots) == machines and build_eager(values) == robots, "the floor must build what the decoder does"
        self.run: dict[str, Callable[[], Any]] = {
            "official call": lambda: loop.run_until_complete(official.client.list_robots(location)),
            "fleetwire call": lambda: loop.run_until_complete(ours.client.list_robots(location)),
            "transport": lambda: loop.run_until_complete(fetch(LIST_ROBOTS, request)),
            "decode": lambda: _codec.decode(app.ListRobotsResponse, data),
            "eager floor": _paused(lambda: build_eager(values)),
            "deferred floor": _paused(lambda: find_elements(data)),
        }

    def close(self) -> None:
        self.official.close()
        self.ours.close()
        self.loop.close()


def _with_ratios(row: dict[str, Any]) -> dict[str, Any]:
    base = row["official call"]
    row["fleetwire / official"] = row["fleetwire call"] / base
    row["eager best / official"] = (row["transport"] + row["eager floor"]) / base
    row["deferred best / official"] = (row["transport"] + row["deferred floor"]) / base
    return row


def measure(port: int, machines: int, budget: float = 0.4) -> dict[str, Any]:
    """Seconds of CPU for each part of a ``list_robots`` of ``machines`` machines, against the server on ``port``.

    ``budget``: about how many seconds each part is timed for (best of seven batches).
    """
    parts = _Parts(port, machines)
    try:
        row = {"machines": machines} | {name: _time(fn, budget) for name, fn in parts.run.items()}
    finally:
        parts.close()
    return _with_ratios(row)


def repeat(port: int, part: str, machines: int, times: int) -> None:
    """Run one part ``times`` times after three warm-up runs: what :func:`instructions` counts under valgrind."""
    parts = _Parts(port, machines)
    try:
        for _ in range(3 + times):
            parts.run[part]()
    finally:
        parts.close()


def instructions(port: int, machines: int) -> dict[str, Any]:
    """Machine instructions of one run of each part, counted by valgrind: figures other load does not move.

    Each part runs in a process of its own under valgrind's lackey, ``n`` and ``3 n`` times; the difference over
    ``2 n`` is one run, without the process's start-up and set-up. Two processes at a time; needs valgrind.
    """
    # Enough runs for allocation to settle: 1 against 3 runs put the deferred floor at half its steady figure.
    times = max(3, 3000 // machines)

    def per_run(part: str) -> float:
        command = [sys.executable, "-m", "bench.floor", "repeat", str(port), part, str(machines)]
        few, many = (instructions_of([*command, str(n)]) for n in (times, 3 * times))
        return (many - few) / (2 * times)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        counts = dict(zip(PARTS, pool.map(per_run, PARTS), strict=True))
    return _with_ratios({"machines": machines} | counts)


def table(rows: list[dict[str, Any]], unit: str = "ms", scale: float = 1e3) -> str:
    """The rows as a markdown table: each part in ``unit`` (its figure times ``scale``), then the three ratios."""
    ratios = ("fleetwire / official", "eager best / official", "deferred best / official")
    lines = [
        "| machines | " + " | ".join(f"{p} ({unit})" for p in PARTS) + " | " + " | ".join(ratios) + " |",
        "|---" * (1 + len(PARTS) + len(ratios)) + "|",
    ]
    for row in rows:
        cells = [f"{row['machines']:,}"]
        cells += [f"{row[p] * scale:.3g}" for p in PARTS]
        cells += [f"{row[r]:.2f}×" for r in ratios]  # noqa: RUF001 - the times sign
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run(count_instructions: bool = False) -> list[dict[str, Any]]:
    """Start the canned server, measure both lists (CPU time, or instructions), print the table; return the rows."""
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        rows = [(instructions if count_instructions else measure)(port, machines) for machines in (100, 5000)]
    finally:
        stop(server)
    print(table(rows, "M instructions", 1e-6) if count_instructions else table(rows))
    return rows


if __name__ == "__main__":
    if sys.argv[1:2] == ["repeat"]:
        port, part, machines, times = sys.argv[2:6]
        repeat(int(port), part, int(machines), int(times))
    else:
        run(count_instructions=sys.argv[1:2] == ["instructions"])
