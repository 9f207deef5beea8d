"""Writing configs on the local fleet server: ``SetConfigProperty`` by path (all or nothing), optimistic concurrency
on parts and fragments (``ABORTED``), ``robot_config_json`` precedence and order, fragment versions.

The path parser is tested on its own first; everything else goes over real gRPC to a ``LocalFleet``.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from grpclib.const import Status
from test_local_app_extras import operator
from test_local_machines import Conn, new_machine, status_of, stranger

from fleetwire.local.fleet import LocalFleet
from fleetwire.local.store.config_paths import PathError, parse_path, set_at
from fleetwire_api.google.protobuf import Struct, Value
from fleetwire_api.viam.app import v1 as app

pytestmark = pytest.mark.anyio


# --- the path syntax ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "steps"),
    [
        ("a", ["a"]),
        ("components[0].attributes.speed", ["components", 0, "attributes", "speed"]),
        ('attributes["a.b"]', ["attributes", "a.b"]),
        ('["x[1]"].y', ["x[1]", "y"]),
        ('a["quote\\"d"][12]', ["a", 'quote"d', 12]),
        ('a[""]', ["a", ""]),
        ("m[0][1]", ["m", 0, 1]),
    ],
)
def test_paths_parse(path: str, steps: list[str | int]) -> None:
    assert parse_path(path) == steps


@pytest.mark.parametrize(
    "path", ["", ".a", "a.", "a..b", "a[", "a[]", "a[-1]", "a[01]", "a[x]", 'a["b"', 'a["b]', "a]b", "a b[0]x"]
)
def test_bad_paths_are_refused(path: str) -> None:
    with pytest.raises(PathError):
        parse_path(path)


def test_set_at_creates_appends_and_refuses() -> None:
    doc: dict[str, Any] = {"components": [{"name": "arm"}], "n": 3}
    set_at(doc, parse_path("components[0].attributes.speed"), 5)
    set_at(doc, parse_path("components[1].name"), "base")  # index == length appends
    set_at(doc, parse_path("new.list[0]"), True)  # missing keys are created; an index after one makes a list
    assert doc == {
        "components": [{"name": "arm", "attributes": {"speed": 5}}, {"name": "base"}],
        "n": 3,
        "new": {"list": [True]},
    }
    for path, words in [
        ("components[3]", "past the end"),
        ("n.x", "number"),
        ("components.x", "list"),
        ("new[0]", "object"),
    ]:
        with pytest.raises(PathError, match=words):
            set_at(doc, parse_path(path), 1)


# --- SetConfigProperty over gRPC ----------------------------------------------------------------------------------


def change(path: str, value: Any) -> app.ConfigPropertyChange:
    return app.ConfigPropertyChange(path=path, value=Value.from_dict(value))


async def config_of(conn: Conn, part_id: str) -> dict[str, Any]:
    return json.loads((await conn.app.get_robot_part(id=part_id)).config_json)


async def test_set_config_property_applies_all_or_nothing(fleet: LocalFleet, owner: Conn) -> None:
    _, part_id = await new_machine(owner, fleet.location_id, "pathed")
    start = {"components": [{"name": "arm", "attributes": {"speed": 1}}], "debug": False}
    await owner.app.update_robot_part(id=part_id, name="pathed-main", robot_config=Struct.from_dict(start))
    before = (await owner.app.get_robot_part(id=part_id)).part
    assert before is not None and before.last_updated is not None
    history_before = len((await owner.app.get_robot_part_history(id=part_id)).history)

    changes = [
        change("components[0].attributes.speed", 2.5),
        change('services["odd.key"]', {"on": [1, None]}),
        change("components[1]", {"name": "base"}),
        change("debug", True),
    ]
    result = await owner.app.set_config_property(robot_part_id=part_id, property_changes=changes)
    assert [(r.path, r.value, r.success) for r in result.property_changes] == [(c.path, c.value, True) for c in changes]
    assert await config_of(owner, part_id) == {
        "components": [{"name": "arm", "attributes": {"speed": 2.5}}, {"name": "base"}],
        "debug": True,
        "services": {"odd.key": {"on": [1, None]}},
    }
    after = (await owner.app.get_robot_part(id=part_id)).part
    assert after is not None and after.last_updated is not None and after.last_updated > before.last_updated
    history = (await owner.app.get_robot_part_history(id=part_id)).history
    assert len(history) == history_before + 1
    assert history[0].old is not None and history[0].old.robot_config is not None
    assert history[0].old.robot_config.to_dict()["debug"] is False

    # One bad change anywhere in the request: INVALID_ARGUMENT naming its path, and none of the good ones applied.
    applied = await config_of(owner, part_id)
    for bad in ["debug.deeper", "components[5].x", "components.name", "a..b", "components[0"]:
        status, message = await status_of(
            owner.app.set_config_property(
                robot_part_id=part_id, property_changes=[change("fresh", 1), change(bad, 2), change("debug", False)]
            )
        )
        assert status == Status.INVALID_ARGUMENT and bad in message, (bad, message)
        assert await config_of(owner, part_id) == applied
    assert len((await owner.app.get_robot_part_history(id=part_id)).history) == history_before + 1

    # A value that is not JSON, no changes at all, and a result past the config size limit.
    status, message = await status_of(
        owner.app.set_config_property(robot_part_id=part_id, property_changes=[app.ConfigPropertyChange(path="x")])
    )
    assert status == Status.INVALID_ARGUMENT and "value" in message
    status, message = await status_of(
        owner.app.set_config_property(
            robot_part_id=part_id,
            property_changes=[app.ConfigPropertyChange(path="n", value=Value(number_value=1e400))],
        )
    )
    assert status == Status.INVALID_ARGUMENT and "'n'" in message and "finite" in message
    status, _ = await status_of(owner.app.set_config_property(robot_part_id=part_id, property_changes=[]))
    assert status == Status.INVALID_ARGUMENT
    status, message = await status_of(
        owner.app.set_config_property(
            robot_part_id=part_id, property_changes=[change(f"blob{i}", "x" * 700_000) for i in range(4)]
        )
    )
    assert status in {Status.INVALID_ARGUMENT, Status.RESOURCE_EXHAUSTED}
    assert await config_of(owner, part_id) == applied


async def test_set_config_property_needs_write_access(fleet: LocalFleet, owner: Conn) -> None:
    _, part_id = await new_machine(owner, fleet.location_id, "guarded")
    foreign = await stranger(fleet, owner)
    op = await operator(fleet, owner)
    try:
        status, _ = await status_of(
            foreign.app.set_config_property(robot_part_id=part_id, property_changes=[change("a", 1)])
        )
        assert status in {Status.PERMISSION_DENIED, Status.NOT_FOUND}
        status, _ = await status_of(
            op.app.set_config_property(robot_part_id=part_id, property_changes=[change("a", 1)])
        )
        assert status == Status.PERMISSION_DENIED  # operators change no config
    finally:
        foreign.channel.close()
        op.channel.close()
    assert await config_of(owner, part_id) == {}


# --- optimistic concurrency ----------------------------------------------------------------------------------------


async def test_stale_part_update_is_aborted_and_writes_nothing(fleet: LocalFleet, owner: Conn) -> None:
    _, part_id = await new_machine(owner, fleet.location_id, "contested")
    first_view = (await owner.app.get_robot_part(id=part_id)).part
    second_view = (await owner.app.get_robot_part(id=part_id)).part
    assert first_view is not None and second_view is not None and first_view.last_updated is not None

    # The exact time the server sent back passes.
    await owner.app.update_robot_part(
        id=part_id,
        name=first_view.name,
        robot_config=Struct.from_dict({"by": "first"}),
        last_known_update=first_view.last_updated,
    )
    status, message = await status_of(
        owner.app.update_robot_part(
            id=part_id,
            name=second_view.name,
            robot_config=Struct.from_dict({"by": "second"}),
            last_known_update=second_view.last_updated,
        )
    )
    assert status == Status.ABORTED
    assert "changed since" in message and "reload" in message
    assert await config_of(owner, part_id) == {"by": "first"}
    # A microsecond older than stored is stale too.
    current = (await owner.app.get_robot_part(id=part_id)).part
    assert current is not None and current.last_updated is not None
    status, _ = await status_of(
        owner.app.update_robot_part(
            id=part_id, name="renamed", last_known_update=current.last_updated - timedelta(microseconds=1)
        )
    )
    assert status == Status.ABORTED
    again = (await owner.app.get_robot_part(id=part_id)).part
    assert again is not None and again.name == current.name


async def test_stale_fragment_update_is_aborted_and_writes_nothing(fleet: LocalFleet, owner: Conn) -> None:
    created = (
        await owner.app.create_fragment(
            name="contested-fragment", config=Struct.from_dict({"v": 0}), organization_id=fleet.organization_id
        )
    ).fragment
    assert created is not None and created.last_updated is not None
    loaded = (await owner.app.get_fragment(id=created.id)).fragment
    assert loaded is not None and loaded.last_updated == created.last_updated
    await owner.app.update_fragment(
        id=created.id, name=created.name, config=Struct.from_dict({"v": 1}), last_known_update=created.last_updated
    )
    status, message = await status_of(
        owner.app.update_fragment(
            id=created.id, name=created.name, config=Struct.from_dict({"v": 2}), last_known_update=loaded.last_updated
        )
    )
    assert status == Status.ABORTED and "changed since" in message
    now = (await owner.app.get_fragment(id=created.id)).fragment
    assert now is not None and now.fragment is not None and now.fragment.to_dict() == {"v": 1}


async def test_robot_config_json_wins_and_keeps_key_order(fleet: LocalFleet, owner: Conn) -> None:
    _, part_id = await new_machine(owner, fleet.location_id, "ordered")
    text = '{"zeta": 1, "alpha": {"y": 2, "b": 3}, "mid": [3, 1]}'
    updated = (
        await owner.app.update_robot_part(
            id=part_id, name="ordered-main", robot_config=Struct.from_dict({"ignored": True}), robot_config_json=text
        )
    ).part
    assert updated is not None and updated.robot_config_json is not None
    assert list(json.loads(updated.robot_config_json)) == ["zeta", "alpha", "mid"]
    assert updated.robot_config_json == json.dumps(json.loads(text), separators=(",", ":"))
    fetched = (await owner.app.get_robot_part(id=part_id)).part
    assert fetched is not None and fetched.robot_config_json == updated.robot_config_json
    for bad in ["[1]", "{nope", "3"]:
        status, message = await status_of(
            owner.app.update_robot_part(id=part_id, name="ordered-main", robot_config_json=bad)
        )
        assert status == Status.INVALID_ARGUMENT and "robot_config_json" in message


# --- fragment versions -------------------------------------------------------------------------------------------


async def test_get_fragment_by_version(fleet: LocalFleet, owner: Conn) -> None:
    created = (
        await owner.app.create_fragment(
            name="versioned", config=Struct.from_dict({"v": 1}), organization_id=fleet.organization_id
        )
    ).fragment
    assert created is not None and created.revision == "1"
    for value in (2, 3):
        await owner.app.update_fragment(id=created.id, name="versioned", config=Struct.from_dict({"v": value}))
    for version, expected in [("1", 1), ("2", 2), ("3", 3), (None, 3)]:
        got = (await owner.app.get_fragment(id=created.id, version=version)).fragment
        assert got is not None and got.fragment is not None and got.fragment.to_dict() == {"v": expected}, version
        assert got.revision == (version or "3")
    for unknown in ["4", "0", "v1", "latest", "01"]:
        status, message = await status_of(owner.app.get_fragment(id=created.id, version=unknown))
        assert status == Status.NOT_FOUND and "version" in message, unknown
