"""Codec micro-benchmark: betterproto2's reference codec, fleetwire's specialized codec and the official protobuf
runtime (upb, via viam-sdk's classes), on the same payloads in the same process.

    uv run python -m bench.micro
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import betterproto2
from viam.gen.app.v1 import app_pb2

from fleetwire_api.services import _codec

from . import fixtures


def _time(fn: Callable[[], Any], budget: float = 0.4) -> float:
    """Best CPU seconds per call over seven batches sized to fill ``budget``.

    CPU time of this process, and the best batch, so other work on the machine disturbs the figure as little as
    possible (the harness proper measures wall time, interleaved).
    """
    fn()
    start = time.process_time()
    fn()
    once = max(time.process_time() - start, 1e-6)
    number = max(1, int(budget / 7 / once))
    best = float("inf")
    for _ in range(7):
        start = time.process_time()
        for _ in range(number):
            fn()
        best = min(best, (time.process_time() - start) / number)
    return best


def cases() -> list[tuple[str, betterproto2.Message, Any]]:
    """(name, betterproto2 message, official protobuf class) for each payload."""
    return [
        ("GetRobotPartLogsResponse, 100 entries", fixtures.log_page(100), app_pb2.GetRobotPartLogsResponse),
        ("RobotPart with a 200 KB config", fixtures.robot_part(), app_pb2.RobotPart),
        ("ListRobotsResponse, 100 robots", fixtures.list_robots_response(100), app_pb2.ListRobotsResponse),
        ("ListRobotsResponse, 5000 robots", fixtures.list_robots_response(5000), app_pb2.ListRobotsResponse),
    ]


def measure(name: str, message: betterproto2.Message, official: Any) -> dict[str, Any]:
    cls = type(message)
    data = bytes(message)
    assert _codec.encode_fast(message) == data, name
    assert _codec.decode_fast(cls, data) == message, name
    upb = official.FromString(data)
    return {
        "payload": name,
        "bytes": len(data),
        "decode betterproto2": _time(lambda: cls.FromString(data)),
        "decode fleetwire": _time(lambda: _codec.decode(cls, data)),
        "decode upb": _time(lambda: official.FromString(data)),
        "encode betterproto2": _time(lambda: message.SerializeToString()),
        "encode fleetwire": _time(lambda: _codec.encode(message)),
        "encode upb": _time(lambda: upb.SerializeToString()),
    }


def run() -> list[dict[str, Any]]:
    rows = []
    for name, message, official in cases():
        row = measure(name, message, official)
        rows.append(row)
        print(
            f"{name} ({row['bytes']:,} B): decode bp2 {row['decode betterproto2'] * 1e3:.2f} ms, "
            f"fast {row['decode fleetwire'] * 1e3:.3f} ms, upb {row['decode upb'] * 1e3:.3f} ms | "
            f"encode bp2 {row['encode betterproto2'] * 1e3:.2f} ms, fast {row['encode fleetwire'] * 1e3:.3f} ms, "
            f"upb {row['encode upb'] * 1e3:.3f} ms",
            file=sys.stderr,
        )
    return rows


if __name__ == "__main__":
    run()
