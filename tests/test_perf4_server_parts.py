"""``GetRobotPart``, ``GetRobotParts``, ``UpdateRobotPart`` answered in wire form from the memo of encoded parts
(``PartEncodings``), and ``GetRobot``, ``UpdateRobot`` from the memo of encoded machines (``RobotEncodings``).

The server no longer builds a ``RobotPart`` (its config parsed into a ``Struct``) and encodes it on every call: it
splices encodings remembered by everything they are built from. These tests read the raw bytes of the answers over
real gRPC and check they are exactly what building the messages from the database and encoding them gives, with and
without secrets, after every kind of change to a part, its secrets and its machine: a memo serving a stale part fails.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from grpclib.client import Channel
from test_local_core import connect as core_connect
from test_local_core import role
from test_local_machines import Conn

from fleetwire.local import LocalFleet
from fleetwire.local.store import robot_rows
from fleetwire.local.store.ids import now, to_iso
from fleetwire.local.store.robot_rows import (
    PART_QUERY,
    PartEncodings,
    fetch_part,
    fetch_robot,
    part_message,
    robot_message,
)
from fleetwire_api.google.protobuf import Struct
from fleetwire_api.services import AppServiceAsyncClient, FastCodec, codec
from fleetwire_api.viam.app import v1 as app

pytestmark = pytest.mark.anyio

_RAW = (
    app.GetRobotPartResponse,
    app.GetRobotPartsResponse,
    app.UpdateRobotPartResponse,
    app.GetRobotResponse,
    app.UpdateRobotResponse,
)


class RawParts(FastCodec):
    """The client side of the test: part answers are handed over as the bytes that came on the wire."""

    def decode(self, data: bytes, message_type: Any) -> Any:
        return bytes(data) if message_type in _RAW else super().decode(data, message_type)


async def _built_part(fleet: LocalFleet, part_id: str, secrets: bool) -> bytes:
    """The answer as the server built it before the memo: the part made a RobotPart, the response encoded."""

    def build(conn: Any) -> bytes:
        row = fetch_part(conn, part_id)
        part = part_message(conn, row, with_secrets=secrets)
        return codec.encode(app.GetRobotPartResponse(part=part, config_json=row["config_json"]))

    return await fleet.context.store.read(build)


async def _built_parts(fleet: LocalFleet, robot_id: str, secrets: bool) -> bytes:
    def build(conn: Any) -> bytes:
        ids = conn.execute(
            "SELECT id FROM robot_parts WHERE robot_id = ? ORDER BY main_part DESC, name, id", (robot_id,)
        ).fetchall()
        parts = [part_message(conn, fetch_part(conn, row["id"]), with_secrets=secrets) for row in ids]
        return codec.encode(app.GetRobotPartsResponse(parts=parts))

    return await fleet.context.store.read(build)


async def _set_last_access(fleet: LocalFleet, part_id: str, moment: str | None) -> None:
    await fleet.context.store.write(
        lambda conn: conn.execute("UPDATE robot_parts SET last_access = ? WHERE id = ?", (moment, part_id))
    )


async def test_part_answers_are_the_bytes_of_the_built_responses_through_every_change(
    fleet: LocalFleet, owner: Conn
) -> None:
    org, location = fleet.organization_id, fleet.location_id
    robot_id = (await owner.app.new_robot(name="arm", location=location)).id
    main_id = (await owner.app.get_robot_parts(robot_id=robot_id)).parts[0].id
    created = await owner.app.create_key(
        authorizations=[role(org, "operator", "organization", org)], name="operator key"
    )
    channel = Channel(fleet.host, fleet.port, codec=RawParts())
    raw: Any = AppServiceAsyncClient(channel, metadata=owner.app.metadata, timeout=30)  # answers: bytes
    async with core_connect(fleet, created.id, created.key) as operator:
        operator_raw: Any = AppServiceAsyncClient(channel, metadata=operator.app.metadata, timeout=30)

        async def check(note: str) -> app.GetRobotPartResponse:
            # A part seen long ago counts its seconds since: the answer may be built on either side of a second.
            answers: list[bytes] = []
            for client, secrets in ((raw, True), (operator_raw, False)):
                before, before_all = (
                    await _built_part(fleet, main_id, secrets),
                    await _built_parts(fleet, robot_id, secrets),
                )
                part: Any = await client.get_robot_part(id=main_id)
                parts: Any = await client.get_robot_parts(robot_id=robot_id)
                after, after_all = (
                    await _built_part(fleet, main_id, secrets),
                    await _built_parts(fleet, robot_id, secrets),
                )
                assert part in (before, after), (note, secrets)
                assert parts in (before_all, after_all), (note, secrets)
                answers.append(part)
            # the typed path of the same handlers decodes to what the plain responses hold
            typed = await owner.app.get_robot_part(id=main_id)
            assert codec.encode(typed) in (answers[0], await _built_part(fleet, main_id, True)), note
            typed_all = await owner.app.get_robot_parts(robot_id=robot_id)
            assert typed_all.parts[0] == typed.part, note
            return codec.decode(app.GetRobotPartResponse, answers[1])

        try:
            first = await check("new")
            assert first.part is not None and first.part.secrets == [] and first.config_json == "{}"
            shown = codec.decode(app.GetRobotPartResponse, await raw.get_robot_part(id=main_id)).part
            assert shown is not None and len(shown.secrets) == 1 and shown.secret == shown.secrets[0].secret
            await check("unchanged, from the memo")
            config = Struct().from_dict({"components": [{"name": "motor", "model": "fake"}]})
            await owner.app.update_robot_part(id=main_id, name="main", robot_config=config)
            changed = await check("renamed, new config")
            assert changed.part is not None and changed.part.name == "main"
            assert changed.part.robot_config is not None and changed.part.robot_config.to_dict() == config.to_dict()
            await owner.app.update_robot(id=robot_id, name="renamed arm", location=location)
            moved = await check("machine renamed")
            assert moved.part is not None and moved.part.dns_name == "renamed-arm-main"
            added = await owner.app.create_robot_part_secret(part_id=main_id)
            assert added.part is not None
            await check("secret added")
            two = codec.decode(app.GetRobotPartResponse, await raw.get_robot_part(id=main_id)).part
            assert two is not None and {s.id for s in two.secrets} == {s.id for s in added.part.secrets}
            assert len(two.secrets) == 2
            await owner.app.delete_robot_part_secret(part_id=main_id, secret_id=two.secrets[0].id)
            await check("secret deleted")
            one = codec.decode(app.GetRobotPartResponse, await raw.get_robot_part(id=main_id)).part
            assert one is not None and [s.id for s in one.secrets] == [two.secrets[1].id]
            await _set_last_access(fleet, main_id, to_iso(now() + timedelta(hours=1)))  # just seen: online
            online = await check("seen")
            assert online.part is not None and online.part.online_state == app.OnlineState.ONLINE
            await _set_last_access(fleet, main_id, to_iso(now() - timedelta(days=3)))  # offline, counting
            offline = await check("seen long ago")
            assert offline.part is not None and offline.part.online_state == app.OnlineState.OFFLINE
            await owner.app.new_robot_part(robot_id=robot_id, part_name="camera")
            listed = codec.decode(app.GetRobotPartsResponse, await raw.get_robot_parts(robot_id=robot_id))
            assert [part.name for part in listed.parts] == ["main", "camera"]
            await check("a second part")
        finally:
            channel.close()


async def test_part_encodings_remember_by_content_and_empty_when_full(
    fleet: LocalFleet, owner: Conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    robot_id = (await owner.app.new_robot(name="m", location=fleet.location_id)).id
    await owner.app.new_robot_part(robot_id=robot_id, part_name="second")
    await owner.app.new_robot_part(robot_id=robot_id, part_name="third")
    encodings = PartEncodings(max_entries=2)

    def run(conn: Any) -> None:
        rows = conn.execute(f"{PART_QUERY} WHERE p.robot_id = ? ORDER BY p.name", (robot_id,)).fetchall()
        expected = [codec.encode(part_message(conn, row, with_secrets=True)) for row in rows]
        first = [encodings.encode(conn, row, with_secrets=True) for row in rows[:2]]
        assert first == expected[:2]
        for row, kept in zip(rows[:2], first, strict=True):
            assert encodings.encode(conn, row, with_secrets=True) is kept  # remembered
        assert encodings.encode(conn, rows[2], with_secrets=True) == expected[2]  # full: emptied, this one kept
        again = encodings.encode(conn, rows[0], with_secrets=True)
        assert again is not first[0] and again == first[0]
        # Without secrets is another answer, and a secret rotated under the same part row is never served stale.
        bare = encodings.encode(conn, rows[0], with_secrets=False)
        assert bare == codec.encode(part_message(conn, rows[0], with_secrets=False)) and bare != again
        conn.execute("UPDATE robot_part_secrets SET secret = 'rotated' WHERE part_id = ?", (rows[0]["id"],))
        rotated = encodings.encode(conn, rows[0], with_secrets=True)
        assert rotated == codec.encode(part_message(conn, rows[0], with_secrets=True)) != again
        assert codec.decode(app.RobotPart, rotated).secret == "rotated"
        # The same row of a part seen before answers the seconds since, as they pass.
        conn.execute(
            "UPDATE robot_parts SET last_access = ? WHERE id = ?",
            (to_iso(fixed - timedelta(days=3)), rows[1]["id"]),
        )
        seen = fetch_part(conn, rows[1]["id"])
        monkeypatch.setattr(robot_rows, "now", lambda: fixed)
        earlier = codec.decode(app.RobotPart, encodings.encode(conn, seen, with_secrets=False))
        monkeypatch.setattr(robot_rows, "now", lambda: fixed + timedelta(seconds=5))
        later = codec.decode(app.RobotPart, encodings.encode(conn, seen, with_secrets=False))
        assert later.seconds_since_online == earlier.seconds_since_online + 5 == 3 * 86_400 + 5

    fixed = now()
    await fleet.context.store.write(run)


async def _built_robot(fleet: LocalFleet, robot_id: str) -> bytes:
    def build(conn: Any) -> bytes:
        return codec.encode(app.GetRobotResponse(robot=robot_message(fetch_robot(conn, robot_id))))

    return await fleet.context.store.read(build)


async def test_robot_and_update_answers_are_the_bytes_of_the_built_responses(fleet: LocalFleet, owner: Conn) -> None:
    location = fleet.location_id
    robot_id = (await owner.app.new_robot(name="rover", location=location)).id
    part_id = (await owner.app.get_robot_parts(robot_id=robot_id)).parts[0].id
    other = (await owner.app.create_location(organization_id=fleet.organization_id, name="elsewhere")).location
    assert other is not None
    channel = Channel(fleet.host, fleet.port, codec=RawParts())
    raw: Any = AppServiceAsyncClient(channel, metadata=owner.app.metadata, timeout=30)  # answers: bytes

    async def check(answer: bytes, note: str) -> app.Robot:
        # GetRobotResponse and UpdateRobotResponse both hold the machine in field 1: the same bytes.
        before = await _built_robot(fleet, robot_id)
        got: bytes = await raw.get_robot(id=robot_id)
        after = await _built_robot(fleet, robot_id)
        assert got in (before, after) and answer in (before, after), note
        assert codec.encode(await owner.app.get_robot(id=robot_id)) in (before, after), note
        robot = codec.decode(app.GetRobotResponse, got).robot
        assert robot is not None
        return robot

    try:
        first = await check(await raw.get_robot(id=robot_id), "new")
        assert first.name == "rover" and first.online_state == app.OnlineState.AWAITING_SETUP
        renamed = await check(await raw.update_robot(id=robot_id, name="renamed", location=location), "renamed")
        assert renamed.name == "renamed" and renamed.location == location
        moved = await check(await raw.update_robot(id=robot_id, name="renamed", location=other.id), "moved")
        assert moved.location == other.id
        kept = await check(await raw.update_robot(id=robot_id, name="again", location=""), "location kept")
        assert kept.location == other.id and kept.name == "again"
        await _set_robot_last_access(fleet, robot_id, to_iso(now() - timedelta(days=3)))
        seen = await check(await raw.update_robot(id=robot_id, name="again", location=""), "seen long ago")
        assert seen.online_state == app.OnlineState.OFFLINE and seen.seconds_since_online >= 3 * 86_400
        # UpdateRobotPart answers the part as GetRobotPart does, changed or not.
        for name in ("main", "main"):
            updated: bytes = await raw.update_robot_part(id=part_id, name=name)
            part = codec.decode(app.UpdateRobotPartResponse, updated).part
            assert part is not None and part.name == "main"
            assert codec.encode(app.GetRobotPartResponse(part=part)) in (
                await _built_part_only(fleet, part_id),
                await _built_part_only(fleet, part_id),
            )
    finally:
        channel.close()


async def _built_part_only(fleet: LocalFleet, part_id: str) -> bytes:
    def build(conn: Any) -> bytes:
        return codec.encode(
            app.GetRobotPartResponse(part=part_message(conn, fetch_part(conn, part_id), with_secrets=True))
        )

    return await fleet.context.store.read(build)


async def _set_robot_last_access(fleet: LocalFleet, robot_id: str, moment: str) -> None:
    await fleet.context.store.write(
        lambda conn: conn.execute("UPDATE robots SET last_access = ? WHERE id = ?", (moment, robot_id))
    )
