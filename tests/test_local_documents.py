"""The server's plain-Python handling of large JSON documents and of Structs kept in wire form.

Each large-document function must give exactly what the usual way gives (``json.loads``, ``json.dumps``, the codec's
encoding of ``Struct.from_dict``), which the properties below check against those, and a Struct cut out of a large
request must read as the one the request's decoder would have built.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetwire.local.store.documents import free_piecewise, json_text, parse_json, struct_wire
from fleetwire.local.wire import WireStruct, decode_keeping_structs
from fleetwire_api.google.protobuf import Struct, Value
from fleetwire_api.services._codec import decode_fast, encode_fast
from fleetwire_api.viam.app import v1 as app

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner), max_leaves=40
)
DOCUMENTS = st.dictionaries(st.text(max_size=10), VALUES, max_size=8)


@settings(max_examples=200, deadline=None)
@given(DOCUMENTS)
def test_the_wire_form_is_the_codecs_encoding_of_the_struct(document: dict[str, Any]) -> None:
    assert struct_wire(document) == encode_fast(Struct.from_dict(document))


@settings(max_examples=200, deadline=None)
@given(DOCUMENTS, st.booleans())
def test_large_text_is_what_json_writes_and_reads(document: dict[str, Any], ensure_ascii: bool) -> None:
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=ensure_ascii, allow_nan=False)
    assert json_text(document, large=True, ensure_ascii=ensure_ascii) == text
    assert json_text(document, large=False, ensure_ascii=ensure_ascii) == text
    assert parse_json(text, large=True) == json.loads(text) == parse_json(text, large=False)


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}', '{"a": 1', '{"a": 1} x'])
def test_both_parsers_refuse_the_same_text(text: str, large: bool) -> None:
    with pytest.raises(ValueError):
        parse_json(text, large=large)


@pytest.mark.parametrize("large", [False, True])
def test_both_writers_refuse_numbers_that_are_not_finite(large: bool) -> None:
    with pytest.raises(ValueError):
        json_text({"a": [math.inf]}, large=large)


def test_the_wire_form_refuses_what_the_struct_refuses() -> None:
    with pytest.raises(ValueError, match="Unknown value type"):
        struct_wire({"a": {1, 2}})
    with pytest.raises(struct.error):
        struct_wire({"a": 10**400})  # as the codec does for a number past the double range
    with pytest.raises(struct.error):
        encode_fast(Struct.from_dict({"a": 10**400}))


def test_freeing_piecewise_empties_every_container() -> None:
    leaf: list[object] = [1, "x"]
    message = Value(struct_value=Struct.from_dict({"k": [1, 2]}))
    document: dict[str, object] = {"a": {"b": leaf, "c": [{"d": None}]}, "m": message}
    containers = [document, document["a"], leaf]
    free_piecewise(document)
    assert all(len(container) == 0 for container in containers)  # pyright: ignore[reportArgumentType]
    assert vars(message) == {}


UPDATE = app.UpdateRobotPartRequest


@settings(max_examples=200, deadline=None)
@given(DOCUMENTS, DOCUMENTS, st.booleans())
def test_a_struct_cut_out_reads_as_the_decoded_one(first: dict[str, Any], second: dict[str, Any], split: bool) -> None:
    """Cut out, a Struct field reads as decoding the whole body gives it, also when it is sent twice."""
    config = Struct.from_dict(first)
    body = bytes(UPDATE(id="p", name="main", robot_config=config, robot_config_json="{}"))
    if split:  # a message field sent twice: the decoder keeps the last
        body += bytes(UPDATE(robot_config=Struct.from_dict(second)))
    expected = decode_fast(UPDATE, body)
    kept = decode_keeping_structs(UPDATE, body)
    assert isinstance(kept.robot_config, WireStruct)
    assert (kept.id, kept.name, kept.robot_config_json) == ("p", "main", "{}")
    assert expected.robot_config is not None
    assert kept.robot_config.to_dict() == expected.robot_config.to_dict()  # decoded from its bytes on first use
    assert encode_fast(kept) == encode_fast(expected)  # and written back as the bytes it came in


def test_a_message_without_struct_fields_is_decoded_as_usual() -> None:
    body = bytes(app.GetRobotRequest(id="r"))
    assert decode_keeping_structs(app.GetRobotRequest, body) == app.GetRobotRequest(id="r")


@pytest.mark.parametrize(
    "body",
    [
        b"\x1a\x7f\x0a",  # robot_config (3) whose length runs past the end
        b"\x0a\x05ab",  # id (1) whose length runs past the end
        b"\x08\xff",  # a truncated varint
    ],
)
def test_bytes_that_do_not_hold_a_message_raise(body: bytes) -> None:
    with pytest.raises(Exception):  # noqa: B017 - the transport answers any of them INVALID_ARGUMENT
        decode_keeping_structs(UPDATE, body)
