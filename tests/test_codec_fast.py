"""The generated fast codecs (``fleetwire_api.services._codec``) against betterproto2's reference codec.

For hypothesis-generated instances of every message type of the schema:

- ``encode_fast(m) == bytes(m)``: the same bytes, field order, packing and unknown fields included;
- ``decode_fast(cls, data)`` and ``cls.FromString(data)`` build indistinguishable objects: same class, same
  attributes in the same order (so the same ``__dict__``, ``==`` and ``repr``), same ``_unknown_fields`` at every level,
  floats bit for bit;
- the same holds for bytes written by the official protobuf runtime (``viam.gen`` classes: its own field order, packed
  encoding and map layout), and for bytes carrying fields the message does not know.

The strict ``*_fast`` functions are used so a test fails when the fast path gives up and would silently fall back.
Generated values come from betterproto2's own field metadata, so a type the generator forgot has no codec and fails.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import math
import struct
from typing import Any, cast

import betterproto2
import pytest
from _support.fleetwire_schema import message_descriptors, official_class, our_class
from google.protobuf import descriptor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetwire_api.google import protobuf as pb
from fleetwire_api.services import FastCodec, _codec
from fleetwire_api.viam.app import v1 as app
from fleetwire_api.viam.common import v1 as common

EXAMPLES_PER_MESSAGE = 8
MAX_DEPTH = 3
MAX_ITEMS = 3

INT_RANGES = {
    betterproto2.TYPE_INT32: (-(2**31), 2**31 - 1),
    betterproto2.TYPE_SINT32: (-(2**31), 2**31 - 1),
    betterproto2.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    betterproto2.TYPE_INT64: (-(2**63), 2**63 - 1),
    betterproto2.TYPE_SINT64: (-(2**63), 2**63 - 1),
    betterproto2.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    betterproto2.TYPE_UINT32: (0, 2**32 - 1),
    betterproto2.TYPE_FIXED32: (0, 2**32 - 1),
    betterproto2.TYPE_UINT64: (0, 2**64 - 1),
    betterproto2.TYPE_FIXED64: (0, 2**64 - 1),
}
ZONES = st.sampled_from(
    [datetime.timezone.utc, datetime.timezone(datetime.timedelta(hours=5, minutes=30)), datetime.timezone.min]
)

DESCRIPTORS = message_descriptors()

# Instances that set deprecated fields warn from __post_init__; that is the point of the warning, not of these tests.
pytestmark = pytest.mark.filterwarnings("ignore:.* is deprecated:DeprecationWarning")


def _our(message: descriptor.Descriptor) -> type[betterproto2.Message]:
    cls = our_class(message)
    assert cls is not None and issubclass(cls, betterproto2.Message), message.full_name
    return cls


# ---------------------------------------------------------------------------------------------------------------------
# Strategies from betterproto2's own field metadata


def scalar(proto_type: str) -> st.SearchStrategy[Any]:
    if proto_type in INT_RANGES:
        low, high = INT_RANGES[proto_type]
        return st.integers(low, high)
    if proto_type == betterproto2.TYPE_BOOL:
        return st.booleans()
    if proto_type == betterproto2.TYPE_FLOAT:
        return st.floats(width=32) | st.sampled_from([-0.0, math.inf, math.nan])
    if proto_type == betterproto2.TYPE_DOUBLE:
        return st.floats() | st.sampled_from([-0.0, -math.inf, math.nan])
    if proto_type == betterproto2.TYPE_STRING:
        return st.text(max_size=12)
    if proto_type == betterproto2.TYPE_BYTES:
        return st.binary(max_size=12)
    raise AssertionError(proto_type)


def value(meta: betterproto2.FieldMetadata, cls: type, depth: int) -> st.SearchStrategy[Any]:
    if meta.proto_type == betterproto2.TYPE_ENUM:
        members: list[Any] = list(cast("Any", cls))
        return st.sampled_from(members) | st.integers(-(2**31), 2**31 - 1).map(cls)
    if meta.proto_type != betterproto2.TYPE_MESSAGE:
        return scalar(meta.proto_type)
    if meta.unwrap is not None:
        wrapper = meta.unwrap()
        if wrapper is pb.Timestamp:
            return st.datetimes(
                min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30), timezones=ZONES
            )
        if wrapper is pb.Duration:
            return st.timedeltas(min_value=datetime.timedelta(days=-9999), max_value=datetime.timedelta(days=9999))
        raise AssertionError(f"no strategy for the unwrapped {wrapper}")
    return messages(cls, depth + 1)


@functools.cache
def messages(cls: type[betterproto2.Message], depth: int = 0) -> st.SearchStrategy[Any]:
    optional: dict[str, st.SearchStrategy[Any]] = {}
    info = cls._betterproto
    for field in dataclasses.fields(cast("Any", cls)):
        meta = betterproto2.FieldMetadata.get(field)
        if meta.proto_type == betterproto2.TYPE_MAP:
            assert meta.map_meta is not None
            value_meta = meta.map_meta[1]
            value_cls = info.cls_by_field[f"{field.name}.value"]
            if value_meta.proto_type == betterproto2.TYPE_MESSAGE and value_meta.unwrap is None and depth >= MAX_DEPTH:
                continue
            keys = scalar(meta.map_meta[0].proto_type)
            optional[field.name] = st.dictionaries(keys, value(value_meta, value_cls, depth), max_size=MAX_ITEMS)
            continue
        if meta.proto_type == betterproto2.TYPE_MESSAGE and meta.unwrap is None and depth >= MAX_DEPTH:
            continue
        one = value(meta, info.cls_by_field[field.name], depth)
        optional[field.name] = st.lists(one, max_size=MAX_ITEMS) if meta.repeated else one
    return st.fixed_dictionaries({}, optional=optional).map(lambda kwargs: cls(**kwargs))


def unknown_fields(known: set[int]) -> st.SearchStrategy[bytes]:
    """Valid wire data for field numbers the message does not declare: varint, fixed and length-delimited."""
    numbers = st.integers(1, 2**29 - 1).filter(lambda n: n not in known)

    def one(number: int, wire: int, payload: int, blob: bytes) -> bytes:
        key = _codec._varint_bytes(number << 3 | wire)
        if wire == 0:
            return key + _codec._varint_bytes(payload)
        if wire == 1:
            return key + struct.pack("<Q", payload % 2**64)
        if wire == 5:
            return key + struct.pack("<I", payload % 2**32)
        return key + _codec._varint_bytes(len(blob)) + blob

    field = st.builds(one, numbers, st.sampled_from([0, 1, 2, 5]), st.integers(0, 2**64 - 1), st.binary(max_size=8))
    return st.lists(field, min_size=1, max_size=3).map(b"".join)


# ---------------------------------------------------------------------------------------------------------------------
# "Indistinguishable": every attribute in order, recursively, floats by their bits


def snapshot(value: Any) -> Any:
    if isinstance(value, betterproto2.Message):
        return (type(value), tuple((name, snapshot(item)) for name, item in vars(value).items()))
    if isinstance(value, list):
        return ("list", tuple(snapshot(item) for item in value))
    if isinstance(value, dict):
        return ("dict", tuple((snapshot(k), snapshot(v)) for k, v in value.items()))
    if isinstance(value, float):
        return ("float", struct.pack("<d", value))
    if isinstance(value, betterproto2.Enum):
        return (type(value), int(value), value.name)
    if isinstance(value, datetime.datetime):
        return (type(value), value.isoformat(), value.tzinfo)
    return (type(value), value)


def assert_same(fast: betterproto2.Message, reference: betterproto2.Message) -> None:
    assert snapshot(fast) == snapshot(reference)
    assert repr(fast) == repr(reference)


def check(cls: type[betterproto2.Message], data: bytes) -> None:
    """The fast decoder reads ``data`` exactly as betterproto2 does, and writes the result back identically."""
    reference = cls.FromString(data)
    fast = _codec.decode_fast(cls, data)
    assert_same(fast, reference)
    try:
        expected = bytes(reference)
    except Exception as exc:  # e.g. a map entry without its value decodes to None, which cannot be written back
        with pytest.raises(type(exc)):
            _codec.encode(fast)  # the public path falls back to betterproto2, which raises its own error
        return
    assert _codec.encode_fast(fast) == expected


# ---------------------------------------------------------------------------------------------------------------------
# Every message type


@pytest.mark.parametrize("message", DESCRIPTORS, ids=[d.full_name for d in DESCRIPTORS])
def test_fast_codec_matches_betterproto2_and_reads_official_bytes(message: descriptor.Descriptor) -> None:
    cls = _our(message)
    official = official_class(message)
    known = {f.number for f in message.fields}

    @settings(
        max_examples=EXAMPLES_PER_MESSAGE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        database=None,
    )
    @given(instance=messages(cls), extra=st.none() | unknown_fields(known))
    def run(instance: betterproto2.Message, extra: bytes | None) -> None:
        if extra is not None:
            instance._unknown_fields = extra
        data = bytes(instance)
        assert _codec.encode_fast(instance) == data
        check(cls, data)
        # The official runtime writes in field-number order, packs its own way and moves unknown fields last.
        theirs = official()
        theirs.MergeFromString(data)  # no required-field check: proto2 messages may be partial here
        check(cls, theirs.SerializePartialToString())

    run()


def test_every_message_type_has_a_codec() -> None:
    for cls in {_our(message) for message in DESCRIPTORS}:
        assert _codec.find_decoder(cls) is not None, cls
        assert _codec.find_encoder(cls) is not None, cls
        assert _codec.DECODERS[cls] is _codec.find_decoder(cls)


# ---------------------------------------------------------------------------------------------------------------------
# Input the fast path leaves to betterproto2: the public entry points still agree with it


@settings(max_examples=300, deadline=None, database=None)
@given(
    cls=st.sampled_from([app.Robot, app.RobotPart, common.LogEntry, pb.Struct, app.GetRobotPartLogsResponse]),
    data=st.binary(max_size=40),
)
def test_arbitrary_bytes_decode_like_betterproto2(cls: type[betterproto2.Message], data: bytes) -> None:
    try:
        reference = cls.FromString(data)
    except Exception as exc:
        with pytest.raises(type(exc)):
            _codec.decode(cls, data)
        return
    assert_same(_codec.decode(cls, data), reference)
    assert_same(FastCodec().decode(data, cls), reference)


def test_known_field_with_an_unexpected_wire_type_is_left_to_betterproto2() -> None:
    data = b"\x08\x05"  # LogEntry.host (a string) sent as a varint
    with pytest.raises(Exception):  # noqa: B017 - the fast path refuses; which error is its own business
        _codec.decode_fast(common.LogEntry, data)
    assert_same(_codec.decode(common.LogEntry, data), common.LogEntry.FromString(data))


def test_values_of_the_wrong_type_fail_as_in_betterproto2() -> None:
    bad = app.Robot(name=5)  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        bytes(bad)
    with pytest.raises(AttributeError):
        _codec.encode(bad)
    naive = app.Robot(last_access=datetime.datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="timezone aware"):
        _codec.encode(naive)


def test_codec_treats_foreign_types_like_protocodec() -> None:
    from google.protobuf import struct_pb2

    codec = FastCodec()
    theirs = struct_pb2.Struct()
    theirs.update({"a": 1.5})
    data = codec.encode(theirs, struct_pb2.Struct)
    assert data == theirs.SerializeToString()
    assert codec.decode(data, struct_pb2.Struct) == theirs
    with pytest.raises(TypeError):
        codec.encode(app.Robot(), struct_pb2.Struct)


def test_decoded_messages_behave_like_constructed_ones() -> None:
    robot = app.Robot(id="r1", name="rover", last_access=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc))
    fast = _codec.decode_fast(app.Robot, bytes(robot))
    assert fast == robot
    assert repr(fast) == repr(robot)
    assert vars(fast) == vars(robot)
    assert list(vars(fast)) == list(vars(robot))  # same attribute order: same shared-key dict layout
    assert fast.is_set("name")
    assert fast.to_dict() == robot.to_dict()


@pytest.mark.parametrize(
    ("cls", "data"),
    [
        # A map entry with its value before its key, an unknown field inside an entry, then a repeated key.
        (
            pb.Struct,
            b"\n\x0b\x12\x05\x1a\x03abc\n\x02k1"
            + b"\n\x08\n\x02k2\x18\x07\x12\x00"
            + b"\n\x08\n\x02k1\x12\x02\x08\x00",
        ),
        # A map entry without a value: betterproto2 stores None (and then cannot write the message back).
        (pb.Struct, b"\n\x04\n\x02k1"),
        # A packed run, then the same repeated enum unpacked, then unknown fields before and after.
        (app.AllowedLoginMethods, b"\x10\x01\n\x02\x01\x02\x08\x03\x08\x7f\xa8\x06\x05"),
        # Fields out of declaration order (protobuf writes by number), a repeated singular field: the last one wins.
        (app.RobotPart, b"\x12\x01a\x0a\x02id\x52\x03dns\x12\x01b\x40\x01"),
        # A Timestamp with its fields reversed, an unknown field and a negative second.
        (app.Robot, b"\x22\x0f\x10\x05\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x18\x01"),
    ],
)
def test_valid_wire_layouts_off_the_common_path(cls: type[betterproto2.Message], data: bytes) -> None:
    check(cls, data)


# Seconds at the edges of the timestamp fast paths (five-byte varints start at 2**28; floats are used below 2**31)
# and nanos at the edges of four- and five-byte varints and of the microsecond rounding.
EDGE_SECONDS = [0, 1, 2**28 - 1, 2**28, 2**30 + 12345, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**35 - 1, 2**35, -1]
EDGE_NANOS = [0, 1, 499, 500, 999, 1000, 2**21 - 1, 2**21, 2**28 - 1, 2**28, 123_456_789, 999_999_499, 999_999_999]


@pytest.mark.parametrize("seconds", EDGE_SECONDS)
def test_timestamps_at_the_edges_of_the_fast_layouts(seconds: int) -> None:
    for nanos in EDGE_NANOS:
        check(app.Robot, bytes(app.Robot(id="r")) + b"\x2a" + _length_prefixed(pb.Timestamp(seconds, nanos)))


@given(st.integers(2**28, 2**31 + 2**20), st.integers(0, 999_999_999))
@settings(max_examples=2000, deadline=None, database=None)
def test_timestamps_in_the_float_range_decode_exactly(seconds: int, nanos: int) -> None:
    check(app.Robot, b"\x2a" + _length_prefixed(pb.Timestamp(seconds, nanos)))


def _length_prefixed(message: betterproto2.Message) -> bytes:
    data = bytes(message)
    assert len(data) < 128
    return bytes([len(data)]) + data


def test_large_decodes_leave_the_garbage_collector_as_they_found_it() -> None:
    import gc

    big = pb.Struct(fields={f"k{i}": pb.Value(string_value="x" * 100) for i in range(400)})
    data = bytes(big)
    assert len(data) >= _codec._PAUSE_GC_FROM
    assert gc.isenabled()
    assert _codec.decode(pb.Struct, data) == big
    assert gc.isenabled()
    gc.disable()
    try:
        assert FastCodec().decode(data, pb.Struct) == big
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_public_encode_and_decode_match_betterproto2() -> None:
    from fleetwire_api.services import codec

    page = app.GetRobotPartLogsResponse(
        logs=[common.LogEntry(host="h", message="m", caller=pb.Struct.from_dict({"line": 3}))], next_page_token="t"
    )
    assert codec.encode(page) == bytes(page)
    assert_same(
        codec.decode(app.GetRobotPartLogsResponse, bytes(page)), app.GetRobotPartLogsResponse.parse(bytes(page))
    )


# ---------------------------------------------------------------------------------------------------------------------
# Edges of the inline paths: twelve-byte Timestamps decoded in each decoder, varints widened only past one byte


def _varint(value: int) -> bytes:
    return _codec._varint_bytes(value)


def _key(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def _five(value: int) -> bytes:
    """``value`` (below 2**35) as a five-byte varint, padded with continuation bits if it is shorter."""
    return bytes([0x80 | (value >> shift) & 0x7F for shift in (0, 7, 14, 21)] + [value >> 28])


# Twelve bytes each, so all reach the inline Timestamp check; the reference codec decides what each one means.
TWELVE_BYTE_TIMESTAMPS = [
    b"\x08" + _five(1_767_323_045) + b"\x10" + _five(678_000_000),  # the usual layout
    b"\x08" + _five(5) + b"\x10" + _five(999_999_999),  # padded (non-canonical) varints still have their value
    b"\x08" + _five(2**31 - 1) + b"\x10" + _five(999_999_500),  # the last second of the float range, rounding up
    b"\x08" + _five(2**31) + b"\x10" + _five(1),  # past the float range: the exact path
    b"\x08" + _five(2**34 - 1) + b"\x10" + _five(999_999_000),  # where a float would be microseconds off
    b"\x08" + _five(2**35 - 1) + b"\x10" + _five(2**35 - 1),  # nanos out of range (the reference decides)
    b"\x08" + _five(1_000_000_000) + b"\x10" + _five(1_000_000_000),  # nanos of exactly a second
    b"\x10" + _five(678_000_000) + b"\x08" + _five(1_767_323_045),  # nanos first
    b"\x08\xff\xff\xff\xff\xff\x10\x10" + _varint(123_456_789),  # a six-byte seconds varint ending in the nanos key
    b"\x08\xa5\xeb\x01\x10" + _five(7) + b"\x18\x01",  # short seconds, then an unknown field
    b"\x08\xff\xff\x7f\xff\xff\x10" + _five(7)[:5],  # a byte without its continuation bit inside the seconds
    b"\x08\xff\xff\xff\x7f\x18\x10\x10\x80\x80\x80\x01",  # four-byte seconds, an unknown field, four-byte nanos
    b"\x08" + _five(1_767_323_045) + b"\x10\xff\xff\x7f\x18\x01",  # three-byte nanos, then an unknown field
    b"\x08" + _five(1_767_323_045) + b"\x18" + _five(5_000),  # seconds, then an unknown field instead of nanos
    b"\x08\xff\xff\xff\x7f\x00\x10\xff\xff\xff\xff\x01",  # four-byte seconds, then a key of field 0 (invalid)
    b"\x08" + _five(1_767_323_045) + b"\x10\x80\x80\x80\x80\x80",  # nanos missing their last byte
]


@pytest.mark.parametrize("timestamp", TWELVE_BYTE_TIMESTAMPS)
def test_twelve_byte_timestamps_in_every_position(timestamp: bytes) -> None:
    assert len(timestamp) == 12
    field = b"\x22\x0c" + timestamp  # Robot.last_access
    cases = [
        field,  # the in-order path, alone
        b"\x0a\x01r\x1a\x01l" + field + b"\x2a\x0c" + timestamp,  # in order, after other fields, twice
        b"\x2a\x0c" + timestamp + b"\x0a\x01r" + field,  # out of order: the general loop
    ]
    for data in cases:
        try:
            app.Robot.FromString(data)
        except Exception as exc:  # a layout betterproto2 refuses: the public path raises its error too
            with pytest.raises(type(exc)):
                _codec.decode(app.Robot, data)
            continue
        check(app.Robot, data)


# Raw varints for the integer kinds: one byte, the two-byte edge, and values only a longer varint carries (negative
# ten-byte encodings, values past the field's width, which betterproto2 wraps).
EDGE_VARINTS = [0, 1, 2, 127, 128, 300, 2**31 - 1, 2**31, 2**32 + 7, 2**63 - 1, 2**63, 2**64 - 1]


@pytest.mark.parametrize("raw", EDGE_VARINTS)
def test_varint_fields_of_every_width(raw: int) -> None:
    from fleetwire_api.google import rpc
    from fleetwire_api.viam.app.packages import v1 as packages

    value = _varint(raw)
    cases: list[tuple[type[betterproto2.Message], bytes]] = [
        (rpc.Status, b"\x08" + value),  # int32, in order
        (rpc.Status, b"\x12\x01m\x08" + value),  # int32, out of order
        (app.Robot, b"\x30" + value),  # enum, in order (undeclared values become pseudo-members)
        (app.Robot, b"\x38\x01\x30" + value),  # enum, out of order
        (app.Robot, b"\x38" + value),  # int64, in order
        (app.Robot, b"\x30\x01\x0a\x01r\x38" + value),  # int64, out of order
        (packages.FileInfo, b"\x10" + value + b"\x18" + value),  # uint64 and bool, in order
        (packages.FileInfo, b"\x18" + value + b"\x10" + value),  # bool and uint64, out of order
        (pb.Value, b"\x20" + value),  # bool, the one member of a oneof
        (pb.Value, b"\x08" + value),  # enum, the one member of a oneof
        (pb.SourceCodeInfoLocation, b"\x0a" + _varint(2 * len(value)) + value + value),  # packed int32
        (pb.SourceCodeInfoLocation, b"\x08" + value + b"\x08" + value),  # the same, unpacked
    ]
    for cls, data in cases:
        check(cls, data)
