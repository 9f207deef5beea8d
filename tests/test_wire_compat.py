"""Wire compatibility with the official protobuf classes, for every message type of the schema.

For each message type (nested ones included, map entries excluded) hypothesis draws a *value tree* from the type's
official descriptor: a ``dict`` from proto field name to value (scalars, lists, dicts, nested trees). From the same tree
we build an official instance (``viam.gen``/``google.protobuf`` classes) and one of ours (``fleetwire_api``), then
check both directions on real bytes:

(a) ``bytes(ours)`` parsed by the official class equals the official instance;
(b) the official ``SerializeToString()`` parsed by our class equals our instance.

Equality is checked twice: with the libraries' own ``==``, and on a neutral canonical form built from the descriptors
(present fields only, floats compared bit for bit, NaN equal to NaN, timestamps as seconds/nanos). The canonical form
is what lets the few legitimate differences be handled explicitly, each where it applies, with the reason beside it;
each such difference is also pinned by a test of its own further down.
"""

from __future__ import annotations

import collections
import datetime
import functools
import math
import struct
from collections.abc import Iterator
from typing import Any, Literal

import betterproto2
import pytest
from _support.fleetwire_schema import (
    is_map_entry,
    is_proto2,
    message_descriptors,
    official_class,
    our_class,
    our_field_name,
    proto3_optional_fields,
    real_oneof,
)
from google.protobuf import any_pb2, descriptor, descriptor_pb2, struct_pb2
from google.protobuf.message import Message as OfficialMessage
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from viam.gen.app.v1 import app_pb2, robot_pb2
from viam.gen.common.v1 import common_pb2

from fleetwire_api.google.protobuf import Any as OurAny
from fleetwire_api.google.protobuf import FileOptions, Struct, UninterpretedOptionNamePart, Value
from fleetwire_api.viam.app.v1 import GetRobotRequest, ModuleConfig, Robot
from fleetwire_api.viam.common.v1 import Pose

FD = descriptor.FieldDescriptor
Tree = dict[str, Any]

EXAMPLES_PER_MESSAGE = 8
MAX_DEPTH = 3  # messages nested deeper than this get no message-typed fields (the schema is recursive)
MAX_ITEMS = 3  # repeated fields and maps
MAX_TEXT = 12

TIMESTAMP = "google.protobuf.Timestamp"
DURATION = "google.protobuf.Duration"
# betterproto2 unwraps fields of these types into plain Python values (``datetime``, ``timedelta``, scalars).
WRAPPER_TYPES = frozenset(
    f"google.protobuf.{name}Value"
    for name in ("Bool", "Bytes", "Double", "Float", "Int32", "Int64", "String", "UInt32", "UInt64")
)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
TIMESTAMP_MIN_SECONDS = -62_135_596_800  # 0001-01-01T00:00:00Z, the proto range (and datetime's)
TIMESTAMP_MAX_SECONDS = 253_402_300_799  # 9999-12-31T23:59:59Z
DURATION_MAX_SECONDS = 315_576_000_000  # +-10000 years, the proto range

INT_RANGES = {
    FD.TYPE_INT32: (-(2**31), 2**31 - 1),
    FD.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FD.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FD.TYPE_INT64: (-(2**63), 2**63 - 1),
    FD.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FD.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FD.TYPE_UINT32: (0, 2**32 - 1),
    FD.TYPE_FIXED32: (0, 2**32 - 1),
    FD.TYPE_UINT64: (0, 2**64 - 1),
    FD.TYPE_FIXED64: (0, 2**64 - 1),
}
FLOAT_TYPES = (FD.TYPE_FLOAT, FD.TYPE_DOUBLE)


# ---------------------------------------------------------------------------------------------------------------------
# Schema facts


def is_map(field: FD) -> bool:
    return field.message_type is not None and is_map_entry(field.message_type)


def entry_fields(field: FD) -> tuple[FD, FD]:
    """The key and value fields of a map field's entry message."""
    entry = field.message_type
    assert entry is not None and is_map_entry(entry), field.full_name
    return entry.fields_by_name["key"], entry.fields_by_name["value"]


def is_proto2_scalar(field: FD) -> bool:
    """A singular proto2 scalar: explicit presence officially, no presence in betterproto2 (zero means absent)."""
    container = field.containing_type
    assert container is not None, field.full_name
    singular_scalar = not field.is_repeated and field.message_type is None
    return singular_scalar and is_proto2(container.file) and real_oneof(field) is None


def ours_has_presence(field: FD) -> bool:
    """Whether our dataclass field can say "absent" (``None``) as opposed to "zero"."""
    return not field.is_repeated and (
        field.message_type is not None
        or real_oneof(field) is not None
        or field.name in proto3_optional_fields(field.containing_type)
    )


def is_implicit(field: FD) -> bool:
    """A singular field without presence on either side (proto3 default): zero is not serialized."""
    return not field.is_repeated and not field.has_presence


# ---------------------------------------------------------------------------------------------------------------------
# Strategies: value trees from descriptors

TEXT = st.text(st.characters(codec="utf-8"), max_size=MAX_TEXT)
BINARY = st.binary(max_size=MAX_TEXT)
SPECIAL_FLOATS = st.sampled_from([math.nan, -0.0, 0.0, math.inf, -math.inf])


def float_values(width: Literal[32, 64]) -> st.SearchStrategy[float]:
    # Full range of the width (subnormals included); NaN only as the standard quiet NaN, since NaN payloads are not
    # something either library promises to keep, and the canonical form treats every NaN alike.
    return st.floats(width=width, allow_nan=False) | SPECIAL_FLOATS


def enum_values(enum: descriptor.EnumDescriptor) -> st.SearchStrategy[int]:
    known = st.sampled_from([value.number for value in enum.values])
    if enum.is_closed:
        # proto2 enums are closed: the official class refuses unknown numbers (and would move them to unknown fields
        # on parse), while betterproto2 keeps them; the two sides only agree on known values.
        return known
    # proto3 enums are open: both sides keep an unknown number as a plain int and write it back unchanged.
    return known | st.integers(-(2**31), 2**31 - 1)


def scalar_values(field: FD) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind in INT_RANGES:
        low, high = INT_RANGES[kind]
        return st.integers(low, high)
    if kind == FD.TYPE_DOUBLE:
        return float_values(64)
    if kind == FD.TYPE_FLOAT:
        return float_values(32)
    if kind == FD.TYPE_BOOL:
        return st.booleans()
    if kind == FD.TYPE_STRING:
        return TEXT
    if kind == FD.TYPE_BYTES:
        return BINARY
    if kind == FD.TYPE_ENUM:
        assert field.enum_type is not None
        return enum_values(field.enum_type)
    raise AssertionError(f"{field.full_name}: unexpected field type {kind}")


def is_zero(value: Any) -> bool:
    # ``-0.0 == 0`` and ``False == 0``: zero of any scalar type, which betterproto2 never writes for a field
    # without presence.
    return value == 0 or value in ("", b"")


def timestamp_trees() -> st.SearchStrategy[Tree]:
    # Our side holds a Timestamp field as a ``datetime``: microsecond precision, so the tree uses whole microseconds
    # (any second of the valid range). Sub-microsecond nanos are pinned by
    # ``test_sub_microsecond_timestamps_from_the_wire_are_floored``.
    return st.builds(
        lambda seconds, micros: {"seconds": seconds, "nanos": micros * 1000},
        st.integers(TIMESTAMP_MIN_SECONDS, TIMESTAMP_MAX_SECONDS),
        st.integers(0, 999_999),
    )


def duration_trees() -> st.SearchStrategy[Tree]:
    # Our side holds a Duration field as a ``timedelta`` (microsecond precision): whole microseconds, of either sign,
    # with seconds and nanos of the same sign as the wire format requires, up to timedelta's range.
    return st.builds(
        lambda sign, seconds, micros: {"seconds": sign * seconds, "nanos": sign * micros * 1000},
        st.sampled_from((1, -1)),
        st.integers(0, 86_399_999_999),
        st.integers(0, 999_999),
    )


def field_value_strategy(field: FD, depth: int) -> st.SearchStrategy[Any]:
    """One value of a singular field, or one element of a repeated one."""
    message = field.message_type
    if message is None:
        return scalar_values(field)
    if message.full_name == TIMESTAMP:
        return timestamp_trees()
    if message.full_name == DURATION:
        return duration_trees()
    return message_trees(message, depth + 1)


def can_nest(field: FD, depth: int) -> bool:
    """Message-typed values stop at the depth limit (Timestamp and Duration are leaves, always allowed)."""
    message = field.message_type
    if message is None or message.full_name in (TIMESTAMP, DURATION):
        return True
    return depth < MAX_DEPTH


@functools.cache
def message_trees(message: descriptor.Descriptor, depth: int = 0) -> st.SearchStrategy[Tree]:
    @st.composite
    def draw_tree(draw: st.DrawFn) -> Tree:
        tree: Tree = {}
        chosen: dict[str, str | None] = {}
        for oneof in message.oneofs:
            members = [field for field in oneof.fields if real_oneof(field) is not None and can_nest(field, depth)]
            if members:
                chosen[oneof.name] = draw(st.sampled_from([None, *[field.name for field in members]]))
        for field in message.fields:
            oneof = real_oneof(field)
            if oneof is not None:
                if chosen.get(oneof.name) == field.name:
                    tree[field.name] = draw(field_value_strategy(field, depth))  # any value, zero included
                continue
            if not can_nest(field, depth):
                continue
            if is_map(field):
                key_field, value_field = entry_fields(field)
                if not can_nest(value_field, depth):
                    continue
                entries = draw(
                    st.dictionaries(
                        scalar_values(key_field), field_value_strategy(value_field, depth), max_size=MAX_ITEMS
                    )
                )
                if entries:
                    tree[field.name] = entries
            elif field.is_repeated:
                items = draw(st.lists(field_value_strategy(field, depth), max_size=MAX_ITEMS))
                if items:
                    tree[field.name] = items
            elif is_proto2_scalar(field):
                # betterproto2 has no presence for proto2 scalars: it writes a value only when it is not zero, so a
                # present zero (or a required field at zero) cannot survive our side. Present fields are therefore
                # non-zero here; the consequences are pinned by the proto2 xfail tests below.
                values = scalar_values(field).filter(lambda value: not is_zero(value))
                if field.is_required or draw(st.booleans()):
                    tree[field.name] = draw(values)
            elif draw(st.booleans()):
                tree[field.name] = draw(field_value_strategy(field, depth))
        return tree

    return draw_tree()


# ---------------------------------------------------------------------------------------------------------------------
# Building both sides from a tree


def build_official(message: descriptor.Descriptor, tree: Tree) -> OfficialMessage:
    instance = official_class(message)()
    fill_official(message, instance, tree)
    return instance


def fill_official(message: descriptor.Descriptor, instance: OfficialMessage, tree: Tree) -> None:
    for name, value in tree.items():
        field = message.fields_by_name[name]
        target = getattr(instance, name)
        if is_map(field):
            _, value_field = entry_fields(field)
            for key, item in value.items():
                if value_field.message_type is not None:
                    fill_official(value_field.message_type, target[key], item)  # indexing creates the entry
                else:
                    target[key] = item
        elif field.is_repeated:
            if field.message_type is not None:
                for item in value:
                    fill_official(field.message_type, target.add(), item)
            else:
                target.extend(value)
        elif field.message_type is not None:
            target.SetInParent()  # present even when the tree is empty
            fill_official(field.message_type, target, value)
        else:
            setattr(instance, name, value)


def our_message_class(message: descriptor.Descriptor) -> type[betterproto2.Message]:
    cls = our_class(message)
    assert cls is not None and issubclass(cls, betterproto2.Message), f"{message.full_name}: no message class"
    return cls


def build_ours(message: descriptor.Descriptor, tree: Tree) -> betterproto2.Message:
    arguments: dict[str, Any] = {}
    for name, value in tree.items():
        field = message.fields_by_name[name]
        if is_map(field):
            _, value_field = entry_fields(field)
            arguments[our_field_name(field)] = {key: our_value(value_field, item) for key, item in value.items()}
        elif field.is_repeated:
            arguments[our_field_name(field)] = [our_value(field, item) for item in value]
        else:
            arguments[our_field_name(field)] = our_value(field, value)
    return our_message_class(message)(**arguments)


def our_value(field: FD, value: Any) -> Any:
    if field.enum_type is not None:
        enum_class = our_class(field.enum_type)
        assert enum_class is not None, field.enum_type.full_name
        return enum_class(value)  # unknown numbers of open enums become betterproto2's "unknown" members
    message = field.message_type
    if message is None:
        return value
    if message.full_name == TIMESTAMP:
        return EPOCH + datetime.timedelta(seconds=value.get("seconds", 0), microseconds=value.get("nanos", 0) // 1000)
    if message.full_name == DURATION:
        return datetime.timedelta(seconds=value.get("seconds", 0), microseconds=value.get("nanos", 0) // 1000)
    if message.full_name in WRAPPER_TYPES:
        return value.get("value", our_default(message.fields_by_name["value"]))
    return build_ours(message, value)


def our_default(field: FD) -> Any:
    return {FD.TYPE_STRING: "", FD.TYPE_BYTES: b"", FD.TYPE_BOOL: False}.get(field.type, 0)


# ---------------------------------------------------------------------------------------------------------------------
# Canonical form: present fields only, floats bit for bit, every NaN alike

NAN = ("float", "NaN")
FLOAT_ZERO = ("float", struct.pack("<d", 0.0))
FLOAT_NEGATIVE_ZERO = ("float", struct.pack("<d", -0.0))


def canonical_scalar(field: FD, value: Any) -> Any:
    if field.type in FLOAT_TYPES:
        return NAN if math.isnan(value) else ("float", struct.pack("<d", value))
    if field.type == FD.TYPE_ENUM:
        return int(value)
    if field.type == FD.TYPE_BOOL:
        return bool(value)
    return value


def canonical_zero(field: FD) -> Any:
    if field.type in FLOAT_TYPES:
        return FLOAT_ZERO
    return canonical_scalar(field, our_default(field))


def keep_implicit(field: FD, canonical: Any, drop_zero_sign: bool) -> bool:
    """Whether a field without presence shows in the canonical form (it is not zero)."""
    if canonical == canonical_zero(field):
        return False
    # With ``drop_zero_sign``, -0.0 counts as zero too: betterproto2 decides "default" with ``==`` and so never writes
    # -0.0 in a field without presence, where protobuf writes it (it tests the bits). Only direction (a) uses this;
    # ``test_negative_zero_in_a_field_without_presence_keeps_its_sign`` pins the difference.
    return not (drop_zero_sign and canonical == FLOAT_NEGATIVE_ZERO)


def canonical_tree(message: descriptor.Descriptor, tree: Tree, drop_zero_sign: bool = False) -> Tree:
    out: Tree = {}
    for name, value in tree.items():
        field = message.fields_by_name[name]
        if is_map(field):
            _, value_field = entry_fields(field)
            out[name] = {key: canonical_tree_value(value_field, item, drop_zero_sign) for key, item in value.items()}
        elif field.is_repeated:
            out[name] = [canonical_tree_value(field, item, drop_zero_sign) for item in value]
        else:
            canonical = canonical_tree_value(field, value, drop_zero_sign)
            if not is_implicit(field) or keep_implicit(field, canonical, drop_zero_sign):
                out[name] = canonical
    return out


def canonical_tree_value(field: FD, value: Any, drop_zero_sign: bool) -> Any:
    if field.message_type is not None:
        return canonical_tree(field.message_type, value, drop_zero_sign)
    return canonical_scalar(field, value)


def canonical_official(message: descriptor.Descriptor, instance: OfficialMessage, drop_zero_sign: bool = False) -> Tree:
    out: Tree = {}
    for field in message.fields:
        value = getattr(instance, field.name)
        if is_map(field):
            _, value_field = entry_fields(field)
            if len(value):
                out[field.name] = {
                    key: canonical_official_value(value_field, value[key], drop_zero_sign) for key in value
                }
        elif field.is_repeated:
            if len(value):
                out[field.name] = [canonical_official_value(field, item, drop_zero_sign) for item in value]
        elif field.has_presence:
            if instance.HasField(field.name):
                out[field.name] = canonical_official_value(field, value, drop_zero_sign)
        else:
            canonical = canonical_scalar(field, value)
            if keep_implicit(field, canonical, drop_zero_sign):
                out[field.name] = canonical
    return out


def canonical_official_value(field: FD, value: Any, drop_zero_sign: bool) -> Any:
    if field.message_type is not None:
        return canonical_official(field.message_type, value, drop_zero_sign)
    return canonical_scalar(field, value)


def canonical_ours(message: descriptor.Descriptor, instance: betterproto2.Message) -> Tree:
    out: Tree = {}
    for field in message.fields:
        value = getattr(instance, our_field_name(field))
        if is_map(field):
            _, value_field = entry_fields(field)
            if value:
                out[field.name] = {key: canonical_ours_value(value_field, item) for key, item in value.items()}
        elif field.is_repeated:
            if value:
                out[field.name] = [canonical_ours_value(field, item) for item in value]
        elif ours_has_presence(field):
            if value is not None:
                out[field.name] = canonical_ours_value(field, value)
        else:
            canonical = canonical_scalar(field, value)
            if keep_implicit(field, canonical, drop_zero_sign=False):
                out[field.name] = canonical
    return out


def canonical_ours_value(field: FD, value: Any) -> Any:
    message = field.message_type
    if message is None:
        return canonical_scalar(field, value)
    if value is None:
        return None  # only a map value can be None; it then differs from every expected form, on purpose
    if message.full_name == TIMESTAMP:
        assert isinstance(value, datetime.datetime) and value.tzinfo is not None, f"{field.full_name}: {value!r}"
        seconds, micros = divmod(microseconds(value - EPOCH), 10**6)
        return canonical_seconds_nanos(seconds, micros * 1000)
    if message.full_name == DURATION:
        assert isinstance(value, datetime.timedelta), f"{field.full_name}: {value!r}"
        total = microseconds(value)
        sign = -1 if total < 0 else 1
        seconds, micros = divmod(abs(total), 10**6)
        return canonical_seconds_nanos(sign * seconds, sign * micros * 1000)
    if message.full_name in WRAPPER_TYPES:
        inner = message.fields_by_name["value"]
        canonical = canonical_scalar(inner, value)
        return {"value": canonical} if canonical != canonical_zero(inner) else {}
    return canonical_ours(message, value)


def microseconds(delta: datetime.timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 10**6 + delta.microseconds


def canonical_seconds_nanos(seconds: int, nanos: int) -> Tree:
    return {name: value for name, value in (("seconds", seconds), ("nanos", nanos)) if value}


def contains(canonical: Any, needle: Any) -> bool:
    if canonical == needle:
        return True
    if isinstance(canonical, dict):
        return any(contains(item, needle) for item in canonical.values())
    if isinstance(canonical, list):
        return any(contains(item, needle) for item in canonical)
    return False


# ---------------------------------------------------------------------------------------------------------------------
# The property, for every message type

MESSAGES = message_descriptors()
EXAMPLES: collections.Counter[str] = collections.Counter()
MIN_TOTAL_EXAMPLES = 500


@pytest.fixture(scope="module", autouse=True)
def example_census() -> Iterator[None]:
    """When the whole file ran, every message type was exercised and the run totals several hundred examples."""
    yield
    if set(EXAMPLES) >= {message.full_name for message in MESSAGES}:
        assert sum(EXAMPLES.values()) >= MIN_TOTAL_EXAMPLES, EXAMPLES


def test_every_message_type_has_an_official_and_an_our_class() -> None:
    assert len(MESSAGES) > 400
    for message in MESSAGES:
        assert official_class(message).DESCRIPTOR is message
        our_message_class(message)


@pytest.mark.parametrize("message", MESSAGES, ids=lambda message: message.full_name)
# Deprecated fields are still on the wire: exercising them is the point, their warnings are noise here.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@settings(
    max_examples=EXAMPLES_PER_MESSAGE,
    deadline=None,
    database=None,  # nothing written into the work tree; every run draws afresh
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_round_trip_through_both_implementations(message: descriptor.Descriptor, data: st.DataObject) -> None:
    tree = data.draw(message_trees(message), label="tree")
    official = build_official(message, tree)
    ours = build_ours(message, tree)
    expected = canonical_tree(message, tree)
    # The builders are faithful, so the checks below compare the same value.
    assert canonical_official(message, official) == expected
    assert canonical_ours(message, ours) == expected

    # (a) ours -> official.
    parsed_official = official_class(message).FromString(bytes(ours))
    expected_a = canonical_tree(message, tree, drop_zero_sign=True)
    assert canonical_official(message, parsed_official, drop_zero_sign=True) == expected_a
    # Library equality too, unless the tree holds a -0.0 that betterproto2 legitimately did not write (see above).
    if expected_a == expected:
        assert parsed_official == official

    # (b) official -> ours.
    parsed_ours = our_message_class(message).parse(official.SerializeToString())
    assert canonical_ours(message, parsed_ours) == expected
    # betterproto2's ``==`` treats NaN as equal to NaN only in a message's own singular fields, not inside lists or
    # maps (list equality compares NaN by identity); the canonical check above covers NaN everywhere.
    if not contains(expected, NAN):
        assert parsed_ours == ours
    EXAMPLES[message.full_name] += 1  # a complete example (draws that overran never get here)


# ---------------------------------------------------------------------------------------------------------------------
# Well-known types, beyond the generic property


def test_the_closure_uses_the_well_known_types_this_file_handles() -> None:
    """Timestamp and Duration fields are unwrapped on our side; no wrapper-typed field exists in this schema."""
    used = {
        field.message_type.full_name
        for message in MESSAGES
        for field in message.fields
        if field.message_type is not None and field.message_type.full_name.startswith("google.protobuf.")
    }
    assert {TIMESTAMP, DURATION, "google.protobuf.Struct", "google.protobuf.Any"} <= used
    assert not used & WRAPPER_TYPES  # if this fails, the wrapper handling above is live: it is written for them


def official_robot(seconds: int, nanos: int) -> OfficialMessage:
    robot = app_pb2.Robot(id="r")
    robot.last_access.seconds = seconds
    robot.last_access.nanos = nanos
    return robot


@settings(max_examples=50, deadline=None)
@given(
    seconds=st.integers(TIMESTAMP_MIN_SECONDS, TIMESTAMP_MAX_SECONDS),
    nanos=st.integers(0, 999_999_999),
)
def test_sub_microsecond_timestamps_from_the_wire_are_floored(seconds: int, nanos: int) -> None:
    """A ``datetime`` holds microseconds: parsing keeps every microsecond and drops the nanoseconds below."""
    ours = Robot.parse(official_robot(seconds, nanos).SerializeToString())
    assert ours.last_access == EPOCH + datetime.timedelta(seconds=seconds, microseconds=nanos // 1000)


@settings(max_examples=50, deadline=None)
@given(
    seconds=st.integers(0, DURATION_MAX_SECONDS),
    nanos=st.integers(0, 999_999_999),
    negative=st.booleans(),
)
def test_sub_microsecond_durations_from_the_wire_round_to_the_nearest_microsecond(
    seconds: int, nanos: int, negative: bool
) -> None:
    """A ``timedelta`` holds microseconds: parsing a Duration is off by at most half a microsecond."""
    sign = -1 if negative else 1
    official = robot_pb2.ModuleConfig()
    official.first_run_timeout.seconds = sign * seconds
    official.first_run_timeout.nanos = sign * nanos
    ours = ModuleConfig.parse(official.SerializeToString())
    assert ours.first_run_timeout is not None
    exact_nanos = sign * (seconds * 10**9 + nanos)
    assert abs(microseconds(ours.first_run_timeout) * 1000 - exact_nanos) <= 500


def test_any_packs_and_unpacks_across_implementations() -> None:
    ours = OurAny.pack(GetRobotRequest(id="robot-1"))
    official = any_pb2.Any.FromString(bytes(ours))
    unpacked = app_pb2.GetRobotRequest()
    assert official.Unpack(unpacked)
    assert unpacked.id == "robot-1"

    packed = any_pb2.Any()
    packed.Pack(app_pb2.GetRobotRequest(id="robot-2"))
    assert OurAny.parse(packed.SerializeToString()).unpack() == GetRobotRequest(id="robot-2")


# ---------------------------------------------------------------------------------------------------------------------
# Known differences, pinned. Each is a strict xfail: it fails today, and turns into an error the day it is fixed, so
# the restriction in the strategies above can be lifted at the same time.


def known_difference(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(raises=AssertionError, strict=True, reason=reason)


# Fixed by codegen's patch of Duration.from_timedelta (codegen/messages.py): these pin the fix.
@pytest.mark.parametrize(
    ("delta", "seconds", "nanos"),
    [
        (datetime.timedelta(microseconds=-1), 0, -1000),
        (datetime.timedelta(seconds=-1, microseconds=-500_000), -1, -500_000_000),
    ],
)
def test_negative_fractional_durations_keep_their_value(delta: datetime.timedelta, seconds: int, nanos: int) -> None:
    official = robot_pb2.ModuleConfig.FromString(bytes(ModuleConfig(first_run_timeout=delta)))
    assert (official.first_run_timeout.seconds, official.first_run_timeout.nanos) == (seconds, nanos)


def test_long_durations_keep_their_microseconds() -> None:
    delta = datetime.timedelta(seconds=9_007_199_254, microseconds=999_999)
    official = robot_pb2.ModuleConfig.FromString(bytes(ModuleConfig(first_run_timeout=delta)))
    assert (official.first_run_timeout.seconds, official.first_run_timeout.nanos) == (9_007_199_254, 999_999_000)


@known_difference("betterproto2 parses a map entry without its value field as None")
def test_a_map_entry_without_value_parses_as_the_default_message() -> None:
    # Field 1 (fields), one entry holding only its key "a": valid on the wire; the value is then the default.
    data = b"\n\x03\n\x01a"
    assert dict(struct_pb2.Struct.FromString(data).fields) == {"a": struct_pb2.Value()}
    assert Struct.parse(data).fields == {"a": Value()}


@known_difference("betterproto2 ignores the sign of zero in fields without presence")
def test_negative_zero_in_a_field_without_presence_keeps_its_sign() -> None:
    assert common_pb2.Pose(x=-0.0).SerializeToString() != b""  # protobuf writes it
    official = common_pb2.Pose.FromString(bytes(Pose(x=-0.0)))
    assert math.copysign(1.0, official.x) == -1.0


@known_difference("betterproto2 has no presence for proto2 scalars (descriptor.proto)")
def test_proto2_explicit_zero_is_written() -> None:
    # cc_enable_arenas defaults to true in descriptor.proto; an explicit false must reach the wire.
    official = descriptor_pb2.FileOptions.FromString(bytes(FileOptions(cc_enable_arenas=False)))
    assert official.HasField("cc_enable_arenas") and official.cc_enable_arenas is False


@known_difference("betterproto2 has no presence for proto2 scalars (descriptor.proto)")
def test_proto2_required_zero_is_written() -> None:
    official = descriptor_pb2.UninterpretedOption.NamePart.FromString(
        bytes(UninterpretedOptionNamePart(name_part="x", is_extension=False))
    )
    assert official.IsInitialized()


# proto2 fields whose declared (or first-enum-value) default is not zero: betterproto2 defaults them to zero, so an
# absent field reads differently on the two sides. Harmless for this API (descriptor.proto is only imported for its
# options), pinned so that a new one cannot slip in unnoticed.
PROTO2_NON_ZERO_DEFAULTS = {
    "google.protobuf.ExtensionRangeOptions.verification",
    "google.protobuf.FieldDescriptorProto.label",
    "google.protobuf.FieldDescriptorProto.type",
    "google.protobuf.FileOptions.optimize_for",
    "google.protobuf.FileOptions.cc_enable_arenas",
}


def test_absent_fields_read_the_same_default_on_both_sides() -> None:
    mismatches: set[str] = set()
    for message in MESSAGES:
        official = official_class(message)()
        ours = our_message_class(message)()
        for field in message.fields:
            if field.is_repeated or field.message_type is not None or ours_has_presence(field):
                continue
            official_default = canonical_scalar(field, getattr(official, field.name))
            if canonical_scalar(field, getattr(ours, our_field_name(field))) != official_default:
                mismatches.add(field.full_name)
    assert mismatches == PROTO2_NON_ZERO_DEFAULTS
