"""``bench.floor`` measures floors of the same work the decoder does: same objects, same elements, every figure shown.

No timings are asserted here; ``python -m bench.floor`` measures.
"""

from __future__ import annotations

import subprocess
import sys

from bench import fixtures, floor
from bench.processes import stop
from fleetwire_api.services import _codec
from fleetwire_api.viam.app import v1 as app


def _canned(machines: int) -> tuple[bytes, list[app.Robot]]:
    data = bytes(fixtures.list_robots_response(machines))
    return data, _codec.decode(app.ListRobotsResponse, data).robots


def test_the_eager_floor_builds_exactly_the_machines_the_decoder_returns() -> None:
    _, robots = _canned(100)
    built = floor.build_eager(floor.cut_fields(robots))
    assert built == robots
    assert [vars(m) for m in built] == [vars(m) for m in robots]  # same attributes, same order: same dict layout


def test_the_deferred_floor_finds_every_element_and_its_bytes() -> None:
    data, robots = _canned(300)
    shells = floor.find_elements(data)
    assert len(shells) == len(robots)
    assert [_codec.decode(app.Robot, shell._raw) for shell in shells] == robots  # pyright: ignore[reportAttributeAccessIssue]


def test_the_deferred_floor_reads_two_byte_lengths() -> None:
    long_name = app.Robot(id="r", name="n" * 200)
    data = bytes(app.ListRobotsResponse(robots=[long_name, app.Robot(id="s")]))
    assert [_codec.decode(app.Robot, s._raw) for s in floor.find_elements(data)] == [  # pyright: ignore[reportAttributeAccessIssue]
        long_name,
        app.Robot(id="s"),
    ]


def test_a_measurement_has_every_part_and_ratio() -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        row = floor.measure(port, 100, budget=0.01)
        # What ``instructions`` runs under valgrind, one process per part: each must run to the end.
        for part in floor.PARTS:
            command = [sys.executable, "-m", "bench.floor", "repeat", str(port), part, "100", "1"]
            assert subprocess.run(command, capture_output=True, timeout=60).returncode == 0, part
    finally:
        stop(server)
    assert all(row[part] > 0 for part in floor.PARTS)
    assert row["eager best / official"] == (row["transport"] + row["eager floor"]) / row["official call"]
    text = floor.table([row])
    assert all(name in text for name in (*floor.PARTS, "deferred best / official"))
    assert f"{row['fleetwire / official']:.2f}×" in text  # noqa: RUF001 - the times sign
