"""Large requests on the local fleet server: every call that carries a large config or log push leaves the other
calls free meanwhile.

A config of 100,000 values (400 KB as a Struct) costs the server a third of a second or more of CPU, a push of
10,000 log entries about as much. The server runs
in this test's event loop, so how late the loop wakes from a 1 ms sleep while such a call runs is how long the
server held it. The bounds are relative to the conversion's own time measured here (a loaded machine slows both
alike), and no full pass of the cyclic garbage collector may run: those passes over the objects a large config
makes are what held the loop for tens to hundreds of milliseconds at a time.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import pytest
from _local.raw import field, raw_call, raw_channel
from _local.scoped import bearer
from grpclib.const import Status
from test_local_machines import Conn, connect, new_machine, status_of

from fleetwire.local import LocalFleet
from fleetwire.local.services.robot_service import _config_answer  # pyright: ignore[reportPrivateUsage]
from fleetwire.local.store.configs import config_json
from fleetwire.local.store.robot_rows import fetch_part
from fleetwire_api.google.protobuf import Struct, Value
from fleetwire_api.services import RobotServiceAsyncClient, codec
from fleetwire_api.services._codec import decode_fast
from fleetwire_api.viam.app import v1 as app
from fleetwire_api.viam.common.v1 import LogEntry

pytestmark = pytest.mark.anyio

T = TypeVar("T")

UPDATE_PART = "/viam.app.v1.AppService/UpdateRobotPart"

FLAT = {"values": [True] * 100_000}
"""100,000 values in one list."""

NESTED = {"components": [{"name": f"c{i}", "attributes": {"pin": i, "speed": 1.5}} for i in range(12_000)]}
"""12,000 small objects, about 420 KB of JSON: the shape of a real config, only larger."""


@contextmanager
def full_collections() -> Iterator[list[float]]:
    """Record how long each full pass of the cyclic garbage collector takes while the block runs."""
    passes: list[float] = []
    started: list[float] = []

    def record(phase: str, info: dict[str, Any]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            passes.append(time.perf_counter() - started.pop())

    gc.callbacks.append(record)
    try:
        yield passes
    finally:
        gc.callbacks.remove(record)


async def worst_loop_lag_during(call: Awaitable[T]) -> tuple[T, float, list[float]]:
    """Await ``call`` while probing this event loop; return its result, the loop's worst lag and the full passes.

    The objects this test process already holds are frozen meanwhile (as a served process of its own holds few, and
    ``fleetwire serve`` freezes what start-up made): a pass then walks only the objects made since.
    """
    done = asyncio.Event()
    worst = 0.0

    async def probe() -> None:
        nonlocal worst
        while not done.is_set():
            asked = time.perf_counter() + 0.001
            await asyncio.sleep(0.001)
            worst = max(worst, time.perf_counter() - asked)

    gc.collect()
    gc.freeze()
    prober = asyncio.create_task(probe())
    await asyncio.sleep(0)
    try:
        with full_collections() as passes:
            result = await asyncio.wait_for(call, timeout=30)
    finally:
        done.set()
        await asyncio.wait_for(prober, timeout=5)
        gc.unfreeze()
    return result, worst, passes


def conversion_time(config: dict[str, Any]) -> float:
    """How long converting ``config`` the way a small one is converted (Struct to stored JSON) takes here."""
    struct = Struct.from_dict(config)
    start = time.perf_counter()
    config_json(struct, "robot_config")
    took = time.perf_counter() - start
    assert took >= 0.1, f"the config converts in {took:.3f} s: too small to show a stall"
    return took


@pytest.fixture
async def machine(fleet: LocalFleet, owner: Conn) -> AsyncIterator[tuple[str, str]]:
    """A machine (its id and its main part's id) whose part holds :data:`NESTED`."""
    robot_id, part_id = await new_machine(owner, fleet.location_id, "big")
    await owner.app.update_robot_part(id=part_id, name="main", robot_config=Struct.from_dict(NESTED))
    yield robot_id, part_id


def update_part(part_id: str, config: dict[str, Any]) -> tuple[str, bytes]:
    return "UpdateRobotPart", field(1, part_id.encode()) + field(2, b"main") + field(3, bytes(Struct.from_dict(config)))


def update_part_json(part_id: str, config: dict[str, Any]) -> tuple[str, bytes]:
    text = json.dumps(config).encode()
    return "UpdateRobotPart", field(1, part_id.encode()) + field(2, b"main") + field(5, text)


def update_metadata(robot_id: str, config: dict[str, Any]) -> tuple[str, bytes]:
    return "UpdateRobotMetadata", field(1, robot_id.encode()) + field(2, bytes(Struct.from_dict(config)))


WRITES: dict[str, Callable[[str, str, dict[str, Any]], tuple[str, bytes]]] = {
    "UpdateRobotPart": lambda _, part, config: update_part(part, config),
    "UpdateRobotPart as JSON text": lambda _, part, config: update_part_json(part, config),
    "UpdateRobotMetadata": lambda robot, _, config: update_metadata(robot, config),
}


@pytest.mark.parametrize("config", [FLAT, NESTED], ids=["flat", "nested"])
@pytest.mark.parametrize("rpc", sorted(WRITES))
async def test_a_large_write_leaves_the_loop_free(
    fleet: LocalFleet, owner: Conn, machine: tuple[str, str], rpc: str, config: dict[str, Any]
) -> None:
    conversion = conversion_time(config)
    path, body = WRITES[rpc](*machine, config)
    channel = raw_channel(fleet.host, fleet.port)
    try:
        call = raw_call(channel, f"/viam.app.v1.AppService/{path}", body, metadata=bearer(owner), timeout=30)
        (status, message, _), worst, passes = await worst_loop_lag_during(call)
    finally:
        channel.close()
    if path == "UpdateRobotPart":
        assert status == Status.OK, message
        part = (await owner.app.get_robot_part(id=machine[1])).part
        assert part is not None and part.robot_config is not None
        assert part.robot_config.to_dict() == json.loads(json.dumps(config))  # numbers come back as floats
    else:  # a valid Struct, but its JSON is over the metadata limit: checked off the loop all the same
        assert status == Status.INVALID_ARGUMENT and "data is larger than" in message
    assert passes == [], f"full garbage collections of {passes} s during the call"
    assert worst < conversion / 4, f"the loop was held {worst:.3f} s (the conversion takes {conversion:.3f} s)"


async def test_an_unusual_layout_takes_the_long_way_and_leaves_the_loop_free(
    fleet: LocalFleet, owner: Conn, machine: tuple[str, str]
) -> None:
    """Map entries written value first (valid, but not how runtimes write them) are decoded as a Struct first."""
    conversion = conversion_time(FLAT)
    entries = [field(1, b"\x12\x02\x20\x01" + field(1, f"k{i}".encode())) for i in range(100_000)]  # true, key
    body = field(1, machine[1].encode()) + field(2, b"main") + field(3, b"".join(entries))
    channel = raw_channel(fleet.host, fleet.port)
    try:
        call = raw_call(channel, UPDATE_PART, body, metadata=bearer(owner), timeout=30)
        (status, message, _), worst, passes = await worst_loop_lag_during(call)
    finally:
        channel.close()
    assert status == Status.OK, message
    part = (await owner.app.get_robot_part(id=machine[1])).part
    assert part is not None and part.robot_config is not None
    assert part.robot_config.to_dict() == {f"k{i}": True for i in range(100_000)}
    assert passes == [], f"full garbage collections of {passes} s during the call"
    assert worst < conversion / 4, f"the loop was held {worst:.3f} s (the conversion takes {conversion:.3f} s)"


async def test_large_reads_leave_the_loop_free(fleet: LocalFleet, owner: Conn, machine: tuple[str, str]) -> None:
    """Reading the large config back (as a part, its history, the machine's own config) holds the loop no longer.

    The answers are read as bytes: decoding them is the client's work, which here would run on the same loop.
    """
    robot_id, part_id = machine
    conversion = conversion_time(NESTED)
    part = (await owner.app.create_robot_part_secret(part_id=part_id)).part
    assert part is not None
    await owner.app.update_robot_part(id=part_id, name="renamed")  # the history entry holds the large config
    as_machine = {"secret": part.secrets[-1].secret}
    reads = {
        "AppService/GetRobotPart": (field(1, part_id.encode()), bearer(owner)),
        "AppService/GetRobotParts": (field(1, robot_id.encode()), bearer(owner)),
        "AppService/GetRobotPartHistory": (field(1, part_id.encode()), bearer(owner)),
        "RobotService/Config": (field(1, part_id.encode()), as_machine),
    }
    channel = raw_channel(fleet.host, fleet.port)
    try:
        for name, (body, metadata) in reads.items():
            call = raw_call(channel, f"/viam.app.v1.{name}", body, metadata=metadata, timeout=30)
            (status, message, answers), worst, passes = await worst_loop_lag_during(call)
            assert status == Status.OK and len(answers[0]) > 400_000, (name, status, message)
            assert passes == [], f"{name}: full garbage collections of {passes} s during the call"
            assert worst < conversion / 4, f"{name}: the loop was held {worst:.3f} s ({conversion:.3f} s to convert)"
    finally:
        channel.close()
    machine_client = RobotServiceAsyncClient(owner.channel, metadata=as_machine, timeout=30)
    config = (await machine_client.config(id=part_id)).config
    assert config is not None and len(config.components) == len(NESTED["components"])
    assert config.components[7].name == "c7"
    assert config.components[7].attributes == Struct.from_dict({"pin": 7, "speed": 1.5})


async def test_a_large_fragment_and_large_metadata_round_trip(fleet: LocalFleet, owner: Conn) -> None:
    fragment = (
        await owner.app.create_fragment(
            organization_id=fleet.organization_id, name="big", config=Struct.from_dict(NESTED)
        )
    ).fragment
    assert fragment is not None and fragment.fragment is not None
    assert fragment.fragment.to_dict() == json.loads(json.dumps(NESTED, default=float))
    flat = {"values": list(range(20_000))}  # 2,000 values or more: converted off the loop; under the size limit
    updated = (await owner.app.update_fragment(id=fragment.id, name="big", config=Struct.from_dict(flat))).fragment
    assert updated is not None and updated.fragment is not None
    assert updated.fragment.to_dict() == {"values": [float(n) for n in range(20_000)]}
    again = (await owner.app.get_fragment(id=fragment.id)).fragment
    assert again is not None and again.fragment == updated.fragment
    robot_id, _ = await new_machine(owner, fleet.location_id, "tagged")
    await owner.app.update_robot_metadata(id=robot_id, data=Struct.from_dict(flat))
    data = (await owner.app.get_robot_metadata(id=robot_id)).data
    assert data is not None and data.to_dict() == {"values": [float(n) for n in range(20_000)]}


async def test_a_large_config_gets_the_same_errors(fleet: LocalFleet, owner: Conn) -> None:
    """A config converted off the event loop (from 2,000 values, or a large request) is checked as a small one."""
    _, part_id = await new_machine(owner, fleet.location_id, "deep")
    too_deep: dict[str, Any] = {}
    level = too_deep
    for _ in range(70):
        level["a"] = level = {}
    for extra in ({}, {"values": [True] * 5_000}, FLAT):
        config = Struct.from_dict({"deep": too_deep, **extra})
        status, message = await status_of(owner.app.update_robot_part(id=part_id, name="p", robot_config=config))
        assert (status, message) == (Status.INVALID_ARGUMENT, "robot_config is nested more than 64 levels deep")
        text = json.dumps({"deep": too_deep, **extra})
        status, message = await status_of(owner.app.update_robot_part(id=part_id, name="p", robot_config_json=text))
        assert (status, message) == (Status.INVALID_ARGUMENT, "robot_config_json is nested more than 64 levels deep")
        text = json.dumps({"huge": 10**400, **extra})  # JSON allows it; a Struct's number (a double) does not
        status, message = await status_of(owner.app.update_robot_part(id=part_id, name="p", robot_config_json=text))
        expected = "robot_config_json contains a number too large for a Struct (a double)"
        assert (status, message) == (Status.INVALID_ARGUMENT, expected)
    for pad in ("", "x" * 70_000):  # 600 levels: past the limit of the pure-Python parser a large text gets
        text = '{"deep": ' + "[" * 600 + "]" * 600 + f', "pad": "{pad}"}}'
        status, message = await status_of(owner.app.update_robot_part(id=part_id, name="p", robot_config_json=text))
        assert (status, message) == (Status.INVALID_ARGUMENT, "robot_config_json is nested more than 64 levels deep")
    bad_value = field(1, field(1, b"k") + field(2, b"\x11\x00"))  # a number_value cut short
    body = update_part(part_id, FLAT)[1] + field(3, bad_value + bytes(Struct.from_dict(FLAT)))
    channel = raw_channel(fleet.host, fleet.port)
    try:
        status, message, _ = await raw_call(
            channel, "/viam.app.v1.AppService/UpdateRobotPart", body, metadata=bearer(owner)
        )
    finally:
        channel.close()
    assert (status, message) == (Status.INVALID_ARGUMENT, "robot_config is not a valid config object")
    part = (await owner.app.get_robot_part(id=part_id)).part
    assert part is not None and part.robot_config == Struct() and part.name == "deep-main"  # nothing was written


async def test_set_config_property_applies_again_after_a_concurrent_write(
    fleet: LocalFleet, owner: Conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that lands between reading the config and writing the changes is kept, and the changes applied on top.

    The first read of the part is followed, before the handler goes on, by a real ``UpdateRobotPart`` through the
    same server.
    """
    _, part_id = await new_machine(owner, fleet.location_id, "raced")
    await owner.app.update_robot_part(id=part_id, name="main", robot_config=Struct.from_dict({"a": 1}))
    store = fleet.context.store
    real_read = store.read
    interleaved: list[bool] = []

    async def read_then_interleave(job: Callable[[sqlite3.Connection], T]) -> T:
        result = await real_read(job)
        if not interleaved and isinstance(result, sqlite3.Row) and result["id"] == part_id:
            interleaved.append(True)
            await owner.app.update_robot_part(id=part_id, name="main", robot_config=Struct.from_dict({"b": 2}))
        return result

    monkeypatch.setattr(store, "read", read_then_interleave)
    change = app.ConfigPropertyChange(path="c", value=Value(number_value=3))
    await owner.app.set_config_property(robot_part_id=part_id, property_changes=[change])
    assert interleaved == [True]
    part = (await owner.app.get_robot_part(id=part_id)).part
    assert part is not None and part.robot_config is not None
    assert part.robot_config.to_dict() == {"b": 2.0, "c": 3.0}
    history = (await owner.app.get_robot_part_history(id=part_id, page_limit=10)).history
    old_configs = [entry.old.robot_config.to_dict() for entry in history if entry.old and entry.old.robot_config]
    assert old_configs[:2] == [{"b": 2.0}, {"a": 1.0}]


async def test_the_machines_config_is_the_same_built_either_way(fleet: LocalFleet, owner: Conn) -> None:
    """The answer built in plain Python for a large config is the bytes of the one built the usual way."""
    _, part_id = await new_machine(owner, fleet.location_id, "typed")
    await owner.app.update_robot_part(id=part_id, name="main", robot_config=Struct.from_dict(NESTED))
    row = await fleet.context.store.read(lambda conn: fetch_part(conn, part_id))
    assert _config_answer(row, large=True) == _config_answer(row, large=False)


async def test_an_earlier_database_gains_the_wire_columns(tmp_path: Path) -> None:
    """A database made before configs kept their wire form: its parts and fragments are served, and gain it."""
    db = tmp_path / "fleet.db"
    async with LocalFleet(db) as fleet:
        owner = await connect(fleet, fleet.api_key_id, fleet.api_key)
        _, part_id = await new_machine(owner, fleet.location_id, "old")
        await owner.app.update_robot_part(id=part_id, name="main", robot_config=Struct.from_dict(NESTED))
        owner.channel.close()
    with sqlite3.connect(db) as conn:
        for table in ("robot_parts", "fragments"):
            conn.execute(f"ALTER TABLE {table} DROP COLUMN config_wire")
    async with LocalFleet(db) as fleet:
        owner = await connect(fleet, fleet.api_key_id, fleet.api_key)
        try:
            part = (await owner.app.get_robot_part(id=part_id)).part
            assert part is not None and part.robot_config is not None
            assert part.robot_config.to_dict() == json.loads(json.dumps(NESTED, default=float))
            await owner.app.update_robot_part(id=part_id, name="main", robot_config=Struct.from_dict(FLAT))
            wire = await fleet.context.store.read(lambda conn: fetch_part(conn, part_id)["config_wire"])
            assert wire == bytes(Struct.from_dict(FLAT))
        finally:
            owner.channel.close()


LOG = "/viam.app.v1.RobotService/Log"


def log_entries(count: int) -> list[LogEntry]:
    """``count`` entries of about 300 bytes each, with a caller and fields (Structs) as machines send them."""
    moment = datetime.now(timezone.utc)
    return [
        LogEntry(
            host="h",
            level="info",
            time=moment + timedelta(microseconds=i),
            logger_name="rdk.motor",
            message=f"message {i} " + "x" * 200,
            caller=Struct.from_dict({"file": "motor.go", "line": i}),
            fields=[Struct.from_dict({"n": i})],
        )
        for i in range(count)
    ]


async def part_secret(owner: Conn, part_id: str) -> dict[str, str]:
    part = (await owner.app.create_robot_part_secret(part_id=part_id)).part
    assert part is not None
    return {"secret": part.secrets[-1].secret}


async def stored_entries(fleet: LocalFleet, part_id: str) -> list[bytes]:
    def load(conn: sqlite3.Connection) -> list[bytes]:
        query = "SELECT entry FROM robot_part_logs WHERE part_id = ? ORDER BY time_us"
        return [bytes(row[0]) for row in conn.execute(query, (part_id,))]

    return await fleet.context.store.read(load)


async def test_a_large_log_push_leaves_the_loop_free(fleet: LocalFleet, owner: Conn) -> None:
    """10,000 entries (3 MB): turned into rows off the loop, stored exactly as a small push stores them."""
    _, part_id = await new_machine(owner, fleet.location_id, "chatty")
    entries = log_entries(10_000)
    body = bytes(app.LogRequest(id=part_id, logs=entries))
    start = time.perf_counter()
    decoded = decode_fast(app.LogRequest, body)
    conversion = time.perf_counter() - start  # the decoding alone: the server also encodes each entry again
    assert len(decoded.logs) == 10_000 and conversion >= 0.05, conversion
    channel = raw_channel(fleet.host, fleet.port)
    try:
        call = raw_call(channel, LOG, body, metadata=await part_secret(owner, part_id), timeout=30)
        (status, message, _), worst, passes = await worst_loop_lag_during(call)
    finally:
        channel.close()
    assert status == Status.OK, message
    assert passes == [], f"full garbage collections of {passes} s during the call"
    assert worst < conversion / 2, f"the loop was held {worst:.3f} s (decoding takes {conversion:.3f} s)"
    assert await stored_entries(fleet, part_id) == [codec.encode(entry) for entry in entries]


async def test_a_large_log_push_reaches_a_live_tail_in_order(fleet: LocalFleet, owner: Conn) -> None:
    _, part_id = await new_machine(owner, fleet.location_id, "tailed")
    received: list[str] = []

    async def tail() -> None:
        async for response in owner.app.tail_robot_part_logs(id=part_id, errors_only=False):
            received.extend(entry.message for entry in response.logs)
            if len(received) >= 10_000:
                return

    task = asyncio.create_task(tail())
    try:
        await asyncio.wait_for(fleet.context.logs.wait_for_subscribers(part_id, 1), 10)
        entries = log_entries(10_000)
        body = bytes(app.LogRequest(id=part_id, logs=entries))
        channel = raw_channel(fleet.host, fleet.port)
        try:
            status, message, _ = await raw_call(channel, LOG, body, metadata=await part_secret(owner, part_id))
        finally:
            channel.close()
        assert status == Status.OK, message
        await asyncio.wait_for(task, 30)
    finally:
        task.cancel()
    assert received == [entry.message for entry in entries]


async def test_a_large_log_push_with_a_bad_entry_stores_nothing(fleet: LocalFleet, owner: Conn) -> None:
    _, part_id = await new_machine(owner, fleet.location_id, "garbled")
    body = bytes(app.LogRequest(id=part_id, logs=log_entries(1_000))) + field(2, b"\x0a\x7f")  # host runs past the end
    assert len(body) > 64 * 1024
    channel = raw_channel(fleet.host, fleet.port)
    try:
        status, message, _ = await raw_call(channel, LOG, body, metadata=await part_secret(owner, part_id))
    finally:
        channel.close()
    assert (status, message) == (Status.INVALID_ARGUMENT, "malformed request: logs[1000] is not a valid LogEntry")
    assert await stored_entries(fleet, part_id) == []
