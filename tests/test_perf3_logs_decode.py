"""Log pages decoded straight into :class:`fleetwire.LogEntry` (``fleetwire_api.services._codec_dicts``).

The direct path must give exactly what the long way gives: the generic codec, then ``LogEntry.from_proto`` (whose
``struct_to_dict`` turns ``Struct``/``Value`` dataclasses into dicts). Compared for hypothesis-generated pages of
every shape the schema allows (bytes written by betterproto2 and by the official protobuf runtime, with and without
unknown fields), for arbitrary bytes, and for the edge cases by hand. Equality is by snapshot: every attribute in
order, dict keys in order, floats by their bits (so ``nan`` and ``-0.0`` count).
"""

from __future__ import annotations

import dataclasses
import math
import struct
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_codec_fast import messages, snapshot, unknown_fields
from viam.gen.app.v1 import app_pb2

from fleetwire import LogEntry
from fleetwire._convert import dict_to_struct, struct_to_dict
from fleetwire.logs import decode_page, scan_page
from fleetwire_api.google import protobuf as pb
from fleetwire_api.services import _codec_dicts
from fleetwire_api.services.codec import decode
from fleetwire_api.viam.app import v1 as app
from fleetwire_api.viam.common import v1 as common

pytestmark = pytest.mark.filterwarnings("ignore:.* is deprecated:DeprecationWarning")

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    database=None,
)


def long_way(data: bytes) -> tuple[list[LogEntry], str]:
    """What the client gave before the direct path: the generic decode, then the wrappers' own conversion."""
    response = decode(app.GetRobotPartLogsResponse, data)
    return [LogEntry.from_proto(entry) for entry in response.logs], response.next_page_token


def view(page: tuple[list[LogEntry], str]) -> Any:
    entries, token = page
    return (
        [snapshot([getattr(e, f.name) for f in dataclasses.fields(e)]) for e in entries],
        token,
        list(map(type, entries)),
    )


def outcome(fn: Any, data: bytes) -> Any:
    """The snapshot of ``fn(data)``, or the type of the error it raises."""
    try:
        return view(fn(data))
    except Exception as exc:
        return type(exc)


def assert_same_page(data: bytes) -> None:
    assert outcome(decode_page, data) == outcome(long_way, data)


def direct(data: bytes) -> tuple[list[LogEntry], str]:
    """The direct path alone: raises where ``decode_page`` would take the long way."""
    return _codec_dicts.decode_log_page(data, LogEntry)


# -- generated pages of every shape ----------------------------------------------------------------------------------


@SETTINGS
@given(page=messages(app.GetRobotPartLogsResponse), extra=st.none() | unknown_fields({1, 2}))
def test_generated_pages_decode_like_the_long_way(page: app.GetRobotPartLogsResponse, extra: bytes | None) -> None:
    if extra is not None:
        page._unknown_fields = extra
    data = bytes(page)
    assert_same_page(data)
    theirs = app_pb2.GetRobotPartLogsResponse()
    theirs.MergeFromString(data)
    assert_same_page(theirs.SerializeToString())  # the official runtime's own field and map order


@SETTINGS
@given(entry=messages(common.LogEntry), extra=unknown_fields(set(range(1, 9))))
def test_unknown_fields_in_an_entry_decode_like_the_long_way(entry: common.LogEntry, extra: bytes) -> None:
    entry._unknown_fields = extra
    assert_same_page(bytes(app.GetRobotPartLogsResponse(logs=[entry], next_page_token="t")))


@SETTINGS
@given(data=st.binary(max_size=60))
def test_arbitrary_bytes_decode_or_fail_like_the_long_way(data: bytes) -> None:
    assert_same_page(data)


# -- realistic pages: JSON-like Structs take the direct path ---------------------------------------------------------

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats()
    | st.sampled_from([-0.0, math.inf, -math.inf, math.nan])
    | st.text(max_size=20)
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
STRUCTS = st.dictionaries(st.text(max_size=8), JSON, max_size=5)


@st.composite
def log_entries(draw: st.DrawFn) -> common.LogEntry:
    caller = draw(st.none() | STRUCTS)
    return common.LogEntry(
        host=draw(st.text(max_size=10)),
        level=draw(st.sampled_from(["", "info", "error"])),
        time=draw(st.none() | st.datetimes(timezones=st.just(__import__("datetime").timezone.utc))),
        logger_name=draw(st.text(max_size=10)),
        message=draw(st.text(max_size=200)),  # past one length byte at times
        caller=None if caller is None else dict_to_struct(caller),
        stack=draw(st.text(max_size=10)),
        fields=[dict_to_struct(f) for f in draw(st.lists(STRUCTS, max_size=3))],
    )


@SETTINGS
@given(entries=st.lists(log_entries(), max_size=5), token=st.text(max_size=12))
def test_json_like_pages_take_the_direct_path_and_match(entries: list[common.LogEntry], token: str) -> None:
    page = app.GetRobotPartLogsResponse(logs=entries, next_page_token=token)
    data = bytes(page)
    assert view(direct(data)) == view(long_way(data))
    theirs = app_pb2.GetRobotPartLogsResponse.FromString(data).SerializeToString()
    assert view(direct(theirs)) == view(long_way(theirs))
    assert scan_page(data) == (len(entries), token)


@SETTINGS
@given(mapping=STRUCTS)
def test_structs_decode_to_the_dicts_struct_to_dict_gives(mapping: dict[str, Any]) -> None:
    data = bytes(dict_to_struct(mapping))
    assert snapshot(_codec_dicts.decode_struct(data)) == snapshot(struct_to_dict(pb.Struct.FromString(data)))


# -- edge cases ------------------------------------------------------------------------------------------------------


def _field(number: int, payload: bytes) -> bytes:
    return bytes([number << 3 | 2, len(payload)]) + payload


def _entry_page(entry: bytes, token: bytes = b"") -> bytes:
    return _field(1, entry) + (_field(2, token) if token else b"")


def _caller_page(struct_bytes: bytes) -> bytes:
    return _entry_page(_field(6, struct_bytes))


def _pair(key: bytes, value: bytes) -> bytes:
    return _field(1, _field(1, key) + _field(2, value))


NUMBER_1 = b"\x11" + struct.pack("<d", 1.0)


def test_an_empty_page_and_an_empty_entry() -> None:
    assert direct(b"") == ([], "")
    (entry,), token = direct(_field(1, b""))
    assert entry == LogEntry("", "", None, "", "", None, "", []) and token == ""
    assert_same_page(_field(1, b""))


def test_an_empty_caller_is_an_empty_dict_and_a_missing_one_is_none() -> None:
    (entry,), _ = direct(_caller_page(b""))
    assert entry.caller == {} and entry.fields == []
    assert_same_page(_caller_page(b""))


NOT_UTF8 = b"\x1a\x02h\xc3"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"", None),  # a Value with no kind at all
        (b"\x08\x00", None),  # null_value
        (NUMBER_1, 1.0),  # numbers stay floats, as the long way gives them
        (b"\x1a\x03h\xc3\xa9", "h\u00e9"),
        (b"\x20\x01", True),
        (b"\x20\x00", False),
        (_field(5, b""), {}),
        (_field(6, b""), []),
        (
            _field(6, _field(1, b"") + _field(1, b"\x08\x00") + _field(1, _field(6, _field(1, NUMBER_1)))),
            [None, None, [1.0]],
        ),
        (_field(5, _pair(b"a", _field(5, _pair(b"b", b"\x20\x01")))), {"a": {"b": True}}),
    ],
)
def test_values_of_every_kind(value: bytes, expected: Any) -> None:
    data = _caller_page(_pair(b"k", value))
    (entry,), _ = direct(data)
    assert entry.caller == {"k": expected}
    assert_same_page(data)


def test_a_repeated_key_keeps_its_first_place_and_its_last_value() -> None:
    data = _caller_page(_pair(b"a", NUMBER_1) + _pair(b"b", b"\x20\x01") + _pair(b"a", b"\x20\x00"))
    (entry,), _ = direct(data)
    assert entry.caller is not None and list(entry.caller.items()) == [("a", False), ("b", True)]
    assert_same_page(data)


@pytest.mark.parametrize(
    "data",
    [
        _caller_page(_pair(b"k", b"\x20\x01" + b"\x11" + struct.pack("<d", 2.0))),  # two kinds in one Value
        _caller_page(_pair(b"k", b"\x20\x01\x38\x05")),  # an unknown field in a Value
        _caller_page(_pair(b"k", b"\x08\x02")),  # a null value that NullValue does not name
        _caller_page(_pair(b"k", b"\x20\x81\x01")),  # a bool as a two-byte varint
        _caller_page(_pair(b"k", _field(6, b"\x10\x01"))),  # an unknown field in a ListValue
        _caller_page(_pair(b"k", NUMBER_1) + b"\x10\x01"),  # an unknown field in a Struct
        _caller_page(_field(1, _field(2, NUMBER_1) + _field(1, b"k"))),  # a map entry written value first
        _caller_page(_field(1, _field(1, b"k"))),  # a map entry without its value
        _caller_page(_field(1, b"")),  # a map entry with neither
        _entry_page(_field(5, b"m") + _field(1, b"h")),  # an entry's fields out of order
        _entry_page(_field(1, b"a") + _field(1, b"b")),  # a field twice
        _entry_page(b"\x50\x01"),  # an unknown field in an entry
        _entry_page(b"", b"t") + _field(1, b""),  # an entry after the token
        _entry_page(b"", b"t") + _field(2, b"u"),  # two tokens
        _entry_page(b"") + b"\x18\x01",  # an unknown field in the page
        _entry_page(_field(3, b"\x08\x01\x10\x02")),  # a timestamp off the common layouts
    ],
)
def test_unusual_layouts_take_the_long_way_to_the_same_result(data: bytes) -> None:
    assert_same_page(data)


@pytest.mark.parametrize(
    "data",
    [
        _caller_page(_pair(b"k", NOT_UTF8)),  # a string that is not UTF-8
        _entry_page(_field(1, b"\xff")),  # a host that is not UTF-8
        _caller_page(_pair(b"k", NUMBER_1))[:-3],  # truncated
        _field(1, b"\x0a\x7f"),  # a length past the end
        b"\x0a",  # a key and no length
        _entry_page(b"", b"\xff\xfe"),  # a token that is not UTF-8
    ],
)
def test_malformed_pages_fail_or_decode_as_the_long_way_does(data: bytes) -> None:
    with pytest.raises(Exception):  # noqa: B017 - which error is the long way's business, compared below
        direct(data)
    assert_same_page(data)


def test_a_map_entry_without_its_value_fails_with_the_long_ways_error() -> None:
    data = _caller_page(_field(1, _field(1, b"k")))
    with pytest.raises(AttributeError):  # struct_to_dict meets the None betterproto2 stores for the missing Value
        long_way(data)
    with pytest.raises(AttributeError):
        decode_page(data)


def test_entries_are_the_wrapper_class_with_fresh_containers() -> None:
    data = bytes(app.GetRobotPartLogsResponse(logs=[common.LogEntry(fields=[pb.Struct(), pb.Struct()])] * 2))
    entries, _ = decode_page(data)
    assert all(type(e) is LogEntry for e in entries)
    assert entries[0].fields is not entries[1].fields
    assert entries[0].fields == [{}, {}]


# -- the token scan --------------------------------------------------------------------------------------------------


@SETTINGS
@given(page=messages(app.GetRobotPartLogsResponse))
def test_the_scan_finds_the_count_and_token_the_decode_finds(page: app.GetRobotPartLogsResponse) -> None:
    data = bytes(page)
    scanned = scan_page(data)
    entries, token = long_way(data)
    assert scanned == (len(entries), token)


@pytest.mark.parametrize(
    "data",
    [
        _entry_page(b"", b"t") + _field(2, b"u"),  # two tokens: only the decode knows which one counts
        _entry_page(b"") + b"\x18\x01",  # an unknown field
        _entry_page(b"", b"\xff"),  # a token that is not UTF-8
        b"\x0a\x05\x0a",  # a length past the end
        b"\x0a",  # a key and no length
    ],
)
def test_the_scan_gives_up_on_anything_unusual(data: bytes) -> None:
    assert scan_page(data) is None
