"""``get_robot_part``'s response read straight into :class:`fleetwire.RobotPart`, its config Struct into a dict.

``robot_part_from_response`` must give exactly what the long way gives (the generic codec, then
``RobotPart.from_proto``): compared for hypothesis-generated responses of every shape (bytes from betterproto2 and
from the official runtime, unknown fields), arbitrary bytes and edge cases, by snapshot (floats by their bits).
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_codec_fast import messages, snapshot, unknown_fields
from test_perf3_logs_decode import SETTINGS, STRUCTS
from viam.gen.app.v1 import app_pb2

from fleetwire import RobotPart
from fleetwire._convert import dict_to_struct, struct_to_dict
from fleetwire.models import robot_part_from_response
from fleetwire_api.services import _codec_dicts
from fleetwire_api.services.codec import decode
from fleetwire_api.viam.app import v1 as app

pytestmark = pytest.mark.filterwarnings("ignore:.* is deprecated:DeprecationWarning")


def long_way(data: bytes) -> tuple[RobotPart, str]:
    response = decode(app.GetRobotPartResponse, data)
    part = response.part if response.part is not None else app.RobotPart()
    return RobotPart.from_proto(part), response.config_json


def outcome(data: bytes, fn: Any) -> Any:
    try:
        part, config_json = fn(data)
    except Exception as exc:
        return type(exc)
    return snapshot([getattr(part, f.name) for f in dataclasses.fields(part)]), config_json, type(part)


def assert_same(data: bytes) -> None:
    assert outcome(data, robot_part_from_response) == outcome(data, long_way)


@SETTINGS
@given(response=messages(app.GetRobotPartResponse), extra=st.none() | unknown_fields({1, 2}))
def test_generated_responses_decode_like_the_long_way(response: app.GetRobotPartResponse, extra: bytes | None) -> None:
    if extra is not None:
        response._unknown_fields = extra
    data = bytes(response)
    assert_same(data)
    theirs = app_pb2.GetRobotPartResponse()
    theirs.MergeFromString(data)
    assert_same(theirs.SerializeToString())


@SETTINGS
@given(part=messages(app.RobotPart), extra=unknown_fields(set(range(1, 19))))
def test_unknown_fields_in_the_part_decode_like_the_long_way(part: app.RobotPart, extra: bytes) -> None:
    part._unknown_fields = extra
    assert_same(bytes(app.GetRobotPartResponse(part=part, config_json="{}")))


@SETTINGS
@given(data=st.binary(max_size=60))
def test_arbitrary_bytes_decode_or_fail_like_the_long_way(data: bytes) -> None:
    assert_same(data)


@SETTINGS
@given(
    config=st.none() | STRUCTS,
    info=st.none() | STRUCTS,
    name=st.text(max_size=10),
    seen=st.none() | st.datetimes(timezones=st.just(datetime.timezone.utc)),
)
def test_json_like_configs_take_the_direct_path_and_match(
    config: dict[str, Any] | None, info: dict[str, Any] | None, name: str, seen: datetime.datetime | None
) -> None:
    part = app.RobotPart(
        id="p",
        name=name,
        robot_config=None if config is None else dict_to_struct(config),
        last_access=seen,
        user_supplied_info=None if info is None else dict_to_struct(info),
        secrets=[app.SharedSecret(id="s", secret="x")],
    )
    data = bytes(app.GetRobotPartResponse(part=part, config_json="{}"))
    for wire in (data, app_pb2.GetRobotPartResponse.FromString(data).SerializeToString()):
        message, robot_config, user_supplied_info, json_text = _codec_dicts.decode_robot_part_response(wire)
        assert message is not None and message.robot_config is None and message.user_supplied_info is None
        assert json_text == "{}"
        if wire is data:  # (the official runtime writes map entries in an order of its own)
            expected = [None if d is None else struct_to_dict(dict_to_struct(d)) for d in (config, info)]
            assert snapshot([robot_config, user_supplied_info]) == snapshot(expected)
        assert_same(wire)


def _field(number: int, payload: bytes) -> bytes:
    return bytes([number << 3 | 2, len(payload)]) + payload


@pytest.mark.parametrize(
    "data",
    [
        b"",  # no part at all: a default part
        _field(1, b""),  # an empty part
        _field(1, _field(5, b"")),  # an empty config: {}
        _field(1, _field(5, b"") + _field(5, b"")),  # the config twice: the long way merges
        _field(1, b"\x28\x01"),  # the config with another wire type
        _field(1, _field(1, b"id") + b"\x1b\x1c"),  # a group in the part
        _field(2, b"{}") + _field(1, b""),  # the JSON before the part
        _field(1, _field(5, _field(1, _field(1, b"k")))),  # a config entry without its value: the long way's error
        _field(1, _field(7, b"\x0a\x7f")),  # a length past the end
        _field(1, _field(1, b"\xff")),  # an id that is not UTF-8
    ],
)
def test_edge_cases_decode_or_fail_like_the_long_way(data: bytes) -> None:
    assert_same(data)


def test_a_large_config_is_a_dict_equal_to_the_long_ways() -> None:
    config = {f"component-{i}": {"attributes": {"pins": [i, i + 1], "on": bool(i % 2)}} for i in range(2000)}
    data = bytes(app.GetRobotPartResponse(part=app.RobotPart(id="p", robot_config=dict_to_struct(config))))
    part, _ = robot_part_from_response(data)
    assert part.robot_config == long_way(data)[0].robot_config
    assert part.robot_config is not None and part.robot_config["component-7"]["attributes"]["pins"] == [7.0, 8.0]
