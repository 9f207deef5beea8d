"""Acceptance (issue 4): hypothesis-generated requests thrown at every RPC of AppService and RobotService, over real
gRPC, with fleetwire's generated raw clients. Every answer is a valid response or a ``GRPCError`` whose status is not
``INTERNAL``/``UNKNOWN``, and the server keeps serving.

Requests are built from the generated messages' dataclass fields and their betterproto field metadata: known ids and
random UUIDs and garbage, unicode and huge strings, enum numbers known and unknown, big repeated fields, empty
messages. RPCs the server does not implement answer ``UNIMPLEMENTED``, which is a valid answer too.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import functools
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import betterproto2
import pytest
from _local.fleet import Session, log_entry, session
from grpclib.const import Cardinality, Status
from grpclib.exceptions import GRPCError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from viam.app.app_client import APIKeyAuthorization
from viam.proto.app.packages import PackageType

from fleetwire.local import LocalFleet
from fleetwire_api.google import protobuf as google_protobuf
from fleetwire_api.services import AppServiceBase, RobotServiceBase
from fleetwire_api.viam.app import v1 as app_v1

SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
BAD_STATUSES = frozenset({Status.INTERNAL, Status.UNKNOWN})
MAX_DEPTH = 2


class Rpc(NamedTuple):
    service: str  # "app" or "robot"
    path: str
    method: str  # the raw client's method name
    cardinality: Cardinality
    request_type: type[betterproto2.Message]


def rpcs() -> list[Rpc]:
    """Every RPC of the two services, read from the generated server bases' handler tables."""
    found: list[Rpc] = []
    for service, base in (("app", AppServiceBase()), ("robot", RobotServiceBase())):
        for path, handler in base.__mapping__().items():
            func = handler.func
            assert isinstance(func, functools.partial)
            found.append(Rpc(service, path, func.args[0].__name__, handler.cardinality, handler.request_type))
    return found


RPCS = rpcs()


# --- strategies from field metadata ----------------------------------------------------------------------------------

GARBAGE = [
    "",
    " ",
    "not-an-id",
    "00000000-0000-0000-0000-000000000000",
    "../../etc/passwd",
    "'; DROP TABLE robots; --",
    "%s%s%n",
    "\x00\x01\x02",
    "a:b:c:d",
    ":",
    "🤖" * 64,
    "é" * 1000,
    "x" * 70_000,
]
INT_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "sint32": (-(2**31), 2**31 - 1),
    "sfixed32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "sint64": (-(2**63), 2**63 - 1),
    "sfixed64": (-(2**63), 2**63 - 1),
    "uint32": (0, 2**32 - 1),
    "fixed32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
    "fixed64": (0, 2**64 - 1),
}


HINTS: list[tuple[str, tuple[str, ...]]] = [
    ("email", ("email",)),
    ("secret", ("secret",)),
    ("resource_type", ("resource_type",)),
    ("authorization_id", ("role",)),
    ("role", ("role",)),
    ("permission", ("permission",)),
    ("identity", ("user", "key")),
    ("user", ("user",)),
    ("namespace", ("namespace",)),
    ("version", ("version",)),
    ("platform", ("platform",)),
    ("level", ("level",)),
    ("fragment", ("fragment",)),
    ("module", ("module",)),
    ("item", ("item",)),
    ("part", ("part",)),
    ("robot", ("robot", "part")),
    ("machine", ("robot",)),
    ("location", ("location",)),
    ("org", ("org",)),
    ("resource_id", ("org", "location", "robot")),
    ("key", ("key",)),
    ("name", ("name",)),
]


@dataclass(frozen=True)
class Pool:
    """Known values by kind (ids of a throwaway organization's resources, role and permission words, ...)."""

    kinds: dict[str, tuple[str, ...]]

    def everything(self) -> list[str]:
        return sorted({value for values in self.kinds.values() for value in values})

    def for_field(self, field_name: str) -> list[str]:
        """The known values a field of this name most likely wants (every id for a bare ``id``)."""
        for hint, kinds in HINTS:
            if hint in field_name:
                return [value for kind in kinds for value in self.kinds.get(kind, ())] or self.everything()
        return self.everything()


def strings(pool: Pool, field_name: str, wild: bool) -> st.SearchStrategy[str]:
    known = st.sampled_from(pool.for_field(field_name)) if not wild else st.sampled_from(pool.everything())
    if not wild:
        return known
    return st.one_of(
        known,
        st.uuids().map(str),
        st.sampled_from(GARBAGE),
        st.text(max_size=30),
        st.builds(lambda a, b: f"{a}:{b}", known, st.text(max_size=10)),
    )


def scalar(proto_type: str, pool: Pool, wild: bool, field_name: str = "") -> st.SearchStrategy[Any] | None:
    if proto_type == "string":
        return strings(pool, field_name, wild)
    if proto_type == "bytes":
        return st.one_of(st.binary(max_size=64), st.just(b"\x00" * 300_000)) if wild else st.binary(max_size=64)
    if proto_type == "bool":
        return st.booleans()
    if proto_type in INT_RANGES:
        low, high = INT_RANGES[proto_type]
        small = st.integers(max(low, -3), 100)
        return st.one_of(small, st.integers(low, high)) if wild else small
    if proto_type == "double":
        return st.floats() if wild else st.floats(-1e6, 1e6)
    if proto_type == "float":
        return st.floats(width=32) if wild else st.floats(-1e6, 1e6, width=32)
    if proto_type == "enum":
        return st.one_of(st.integers(-2, 8), st.integers(-(2**31), 2**31 - 1)) if wild else st.integers(0, 3)
    return None


def value_strategy(
    cls: type[betterproto2.Message], name: str, meta: Any, pool: Pool, wild: bool, depth: int
) -> st.SearchStrategy[Any] | None:
    """Values for one field, or None when the field is left out."""
    if meta.proto_type == "map":
        key_meta, value_meta = meta.map_meta
        keys = scalar(key_meta.proto_type, pool, wild)
        if value_meta.proto_type == "message":
            values = message_strategy(cls._betterproto.cls_by_field[f"{name}.value"], pool, wild, depth + 1)
        else:
            values = scalar(value_meta.proto_type, pool, wild)
        if keys is None or values is None:
            return None
        return st.dictionaries(keys, values, max_size=3)
    if meta.proto_type == "message":
        target = cls._betterproto.cls_by_field[name]
        if target is datetime.datetime:
            element: st.SearchStrategy[Any] = st.datetimes(
                min_value=datetime.datetime(1, 1, 2), timezones=st.just(datetime.timezone.utc)
            )
        elif target is datetime.timedelta:
            element = st.timedeltas(min_value=datetime.timedelta(days=-3650), max_value=datetime.timedelta(days=3650))
        elif isinstance(target, type) and issubclass(target, betterproto2.Message):
            element = message_strategy(target, pool, wild, depth + 1)
        elif target in (str, int, float, bool, bytes):  # unwrapped wrapper types
            wrapped = {str: "string", int: "int64", float: "double", bool: "bool", bytes: "bytes"}[target]
            inner = scalar(wrapped, pool, wild, name)
            if inner is None:
                return None
            element = inner
        else:
            return None
    else:
        found = scalar(meta.proto_type, pool, wild, name)
        if found is None:
            return None
        element = found
    if meta.repeated:
        small = st.lists(element, max_size=4)
        if not wild:
            return small
        if meta.proto_type == "string":
            return st.one_of(small, st.sampled_from(pool.everything()).map(lambda item: [item] * 3000))
        if meta.proto_type in INT_RANGES or meta.proto_type == "enum":
            return st.one_of(small, st.integers(0, 100).map(lambda item: [item] * 3000))
        return small
    return element


def message_strategy(cls: type[betterproto2.Message], pool: Pool, wild: bool, depth: int = 0) -> st.SearchStrategy[Any]:
    """Instances of ``cls``, at most one member per oneof group. ``wild``: any field may be missing or hold garbage;
    otherwise every field is set from the pool of known ids and words and small numbers (requests that get past
    validation and into the handlers)."""
    if depth > MAX_DEPTH:
        return st.builds(cls)
    plain: dict[str, st.SearchStrategy[Any]] = {}
    groups: dict[str, dict[str, st.SearchStrategy[Any]]] = {}
    for fld in dataclasses.fields(cast(Any, cls)):
        meta = fld.metadata.get("betterproto")
        if meta is None:
            continue
        strategy = value_strategy(cls, fld.name, meta, pool, wild, depth)
        if strategy is None:
            continue
        if meta.group is not None:
            groups.setdefault(meta.group, {})[fld.name] = strategy
        else:
            plain[fld.name] = strategy

    @st.composite
    def build(draw: st.DrawFn) -> betterproto2.Message:
        values: dict[str, Any] = {}
        for name, strategy in plain.items():
            if not wild or draw(st.booleans()):
                values[name] = draw(strategy)
        for members in groups.values():
            chosen = draw(st.sampled_from([None, *members] if wild else list(members)))
            if chosen is not None:
                values[chosen] = draw(members[chosen])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return cls(**values)

    return build()


def request_strategy(cls: type[betterproto2.Message], pool: Pool) -> st.SearchStrategy[Any]:
    """Empty requests, wild ones and plausible ones."""
    return st.one_of(st.builds(cls), message_strategy(cls, pool, wild=True), message_strategy(cls, pool, wild=False))


# --- the running server ----------------------------------------------------------------------------------------------


class World:
    """The running server, a connected owner session, the pool of known values, and the loop that drives calls.
    (A plain class: hypothesis prints its repr, not its fields, in failure reports.)"""

    def __init__(self, loop: asyncio.AbstractEventLoop, fleet: LocalFleet, owner: Session, pool: Pool) -> None:
        self.loop, self.fleet, self.owner, self.pool = loop, fleet, owner, pool
        self.unimplemented: dict[str, bool] = {}

    def __repr__(self) -> str:
        return f"World({self.fleet.address})"

    def implemented(self, rpc: Rpc) -> bool:
        """Whether the server implements ``rpc`` (asked once, with an empty request)."""
        if rpc.path not in self.unimplemented:
            try:
                self.loop.run_until_complete(invoke(self, rpc, [rpc.request_type()]))
            except GRPCError as exc:
                self.unimplemented[rpc.path] = exc.status is Status.UNIMPLEMENTED
            else:
                self.unimplemented[rpc.path] = False
        return not self.unimplemented[rpc.path]


async def sacrificial_pool(owner: Session, fleet: LocalFleet) -> Pool:
    """Valid ids of a throwaway organization's resources, so fuzzed requests reach past validation. The bootstrap
    organization and key stay out of the pool, so fuzzing cannot lock the test out."""
    app = owner.app
    org = await app.create_organization("Fuzz Target")
    await app.update_organization(org.id, public_namespace="fuzz-target")
    location = await app.create_location(org.id, "fuzz location")
    child = await app.create_location(org.id, "fuzz child", parent_location_id=location.id)
    robot_id = await app.new_robot("fuzz robot", location.id)
    part_id = await app.new_robot_part(robot_id, "fuzz part")
    await owner.push_logs(part_id, [log_entry(f"fuzz log {i}", "error" if i % 2 else "info") for i in range(5)])
    fragment = await app.create_fragment(org.id, "fuzz fragment", config={"components": []})
    await app.update_fragment(fragment.id, "fuzz fragment 2")
    await app.create_registry_item(org.id, "fuzz-item", PackageType.PACKAGE_TYPE_ML_MODEL)
    module_id, _ = await app.create_module(org.id, "fuzz_mod")
    key, key_id = await app.create_key(org.id, [APIKeyAuthorization("owner", "organization", org.id)], "fuzz key")
    location_secrets = (await app.location_auth(location.id)).secrets
    part_secrets = (await app.get_robot_part(part_id)).secrets or []
    await app.create_organization_invite(org.id, "fuzz@example.com", send_email_invite=False)
    return Pool(
        {
            "org": (org.id,),
            "location": (location.id, child.id),
            "robot": (robot_id,),
            "part": (part_id,),
            "fragment": (fragment.id,),
            "item": ("fuzz-target:fuzz-item", f"{org.id}:fuzz-item", module_id),
            "module": (module_id,),
            "key": (key_id, key),
            "user": (fleet.user_id,),
            "email": (fleet.user_email, "fuzz@example.com", "new-person@example.com"),
            "secret": tuple(secret.id for secret in [*location_secrets, *part_secrets]),
            "namespace": ("fuzz-target", "fresh-namespace"),
            "resource_type": ("organization", "location", "robot"),
            "role": ("owner", "operator", "organization_owner", "location_operator", "robot_owner"),
            "permission": ("read_robot", "control_robot", "write_organization"),
            "version": ("1.0.0", "2.3.4"),
            "platform": ("linux/amd64", "darwin/arm64"),
            "level": ("error", "info"),
            "name": ("fuzz name", "another-name", "fuzz_mod"),
        }
    )


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    loop = asyncio.new_event_loop()
    try:
        with LocalFleet() as fleet:
            stack = AsyncExitStack()
            try:
                owner = loop.run_until_complete(
                    stack.enter_async_context(session(fleet.host, fleet.port, fleet.api_key_id, fleet.api_key))
                )
                pool = loop.run_until_complete(sacrificial_pool(owner, fleet))
                yield World(loop=loop, fleet=fleet, owner=owner, pool=pool)
            finally:
                loop.run_until_complete(stack.aclose())
    finally:
        loop.close()


async def first_message(stream: AsyncIterator[Any], wait_s: float) -> None:
    """Read the first message of a server stream; a stream that stays open and quiet is a valid answer."""
    try:
        await asyncio.wait_for(stream.__anext__(), wait_s)
    except (asyncio.TimeoutError, StopAsyncIteration):
        pass
    finally:
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()


async def invoke(world: World, rpc: Rpc, requests: list[betterproto2.Message]) -> None:
    client = world.owner.raw if rpc.service == "app" else world.owner.raw_robot
    method = getattr(client, rpc.method)
    if rpc.cardinality is Cardinality.UNARY_UNARY:
        response = await method(request=requests[0], timeout=30)
        assert isinstance(response, betterproto2.Message)
    elif rpc.cardinality is Cardinality.UNARY_STREAM:
        await first_message(method(request=requests[0], timeout=30), 1.0)
    elif rpc.cardinality is Cardinality.STREAM_UNARY:
        response = await method(requests, timeout=30)
        assert isinstance(response, betterproto2.Message)
    else:
        pytest.fail(f"{rpc.path}: unexpected cardinality {rpc.cardinality}")


async def still_serving(world: World) -> None:
    response = await world.owner.raw.get_organization(organization_id=world.fleet.organization_id, timeout=10)
    assert response.organization is not None and response.organization.id == world.fleet.organization_id


def test_every_rpc_is_fuzzed() -> None:
    paths = {rpc.path for rpc in RPCS}
    assert len([p for p in paths if p.startswith("/viam.app.v1.AppService/")]) >= 124
    assert {
        "/viam.app.v1.RobotService/Log",
        "/viam.app.v1.RobotService/Config",
        "/viam.app.v1.RobotService/NeedsRestart",
    } <= paths


@pytest.mark.parametrize("rpc", RPCS, ids=[rpc.path.rsplit(".", 1)[-1] for rpc in RPCS])
@settings(max_examples=6, deadline=None, derandomize=True, database=None, suppress_health_check=SLOW_IS_FINE)
@given(data=st.data())
def test_rpc_answers_fuzzed_requests(world: World, rpc: Rpc, data: st.DataObject) -> None:
    if not world.implemented(rpc):
        return  # UNIMPLEMENTED (a valid answer, checked once) for any request: spend the examples elsewhere
    single = request_strategy(rpc.request_type, world.pool)
    if rpc.cardinality is Cardinality.STREAM_UNARY:
        requests = data.draw(st.lists(single, min_size=0, max_size=3), label="requests")
    else:
        requests = [data.draw(single, label="request")]
    try:
        world.loop.run_until_complete(invoke(world, rpc, requests))
    except GRPCError as exc:
        assert exc.status not in BAD_STATUSES, f"{rpc.path} answered {exc.status.name}: {exc.message}"
    world.loop.run_until_complete(still_serving(world))


def odd_struct() -> google_protobuf.Struct:
    """A Struct holding a ``null_value`` outside the NullValue enum, a NaN and deep nesting: legal on the wire."""
    nested = google_protobuf.Value(string_value="leaf")
    for _ in range(40):
        nested = google_protobuf.Value(list_value=google_protobuf.ListValue(values=[nested]))
    return google_protobuf.Struct(
        fields={
            "odd_null": google_protobuf.Value(null_value=cast(Any, 7)),
            "nan": google_protobuf.Value(number_value=float("nan")),
            "deep": nested,
        }
    )


def test_structs_with_odd_values_are_answered_cleanly(world: World) -> None:
    """Regression for what fuzzing found: every RPC that takes a Struct answers it without INTERNAL/UNKNOWN."""
    kinds = world.pool.kinds
    org, location, robot, part = kinds["org"][0], kinds["location"][0], kinds["robot"][0], kinds["part"][0]
    fragment = kinds["fragment"][0]
    odd = odd_struct()
    requests: list[tuple[str, betterproto2.Message]] = [
        ("update_robot_part", app_v1.UpdateRobotPartRequest(id=part, name="odd", robot_config=odd)),
        ("create_fragment", app_v1.CreateFragmentRequest(name="odd", config=odd_struct(), organization_id=org)),
        ("update_fragment", app_v1.UpdateFragmentRequest(id=fragment, name="odd", config=odd)),
        (
            "update_organization_metadata",
            app_v1.UpdateOrganizationMetadataRequest(organization_id=org, data=odd_struct()),
        ),
        ("update_location_metadata", app_v1.UpdateLocationMetadataRequest(location_id=location, data=odd)),
        ("update_robot_metadata", app_v1.UpdateRobotMetadataRequest(id=robot, data=odd)),
        ("update_robot_part_metadata", app_v1.UpdateRobotPartMetadataRequest(id=part, data=odd)),
    ]
    failures: list[str] = []
    for method, request in requests:
        try:
            world.loop.run_until_complete(getattr(world.owner.raw, method)(request=request, timeout=30))
        except GRPCError as exc:
            if exc.status in BAD_STATUSES:
                failures.append(f"{method}: {exc.status.name} {exc.message}")
    assert failures == []
    world.loop.run_until_complete(still_serving(world))


def test_server_still_serves_after_fuzzing(world: World) -> None:
    async def check() -> None:
        await still_serving(world)
        locations = await world.owner.app.list_locations(world.fleet.organization_id)
        assert world.fleet.location_id in [location.id for location in locations]

    world.loop.run_until_complete(check())
